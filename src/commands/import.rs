//! `caac import`: Graph exports (JSON) turned into readable YAML specs by
//! [`crate::import`], written as one directory (and optionally a tenant
//! skeleton). Exit 1 when a policy was skipped, 2 on unreadable input or an
//! unwritable output.

use super::{ExitStatus, FINDINGS, INPUT_ERROR, OK};
use crate::check;
use crate::cli::ImportArgs;
use crate::import::Options;
use crate::render;

/// `caac import`: the arguments as options, then the import.
pub(crate) fn run(args: &ImportArgs, color: bool) -> ExitStatus {
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &ImportArgs) -> Options {
    Options {
        paths: args.paths.clone(),
        tenant: args.tenant.clone(),
        output: args.output.clone(),
        tenant_out: args.tenant_out.clone(),
    }
}

fn execute(o: &Options, color: bool) -> ExitStatus {
    let mut reports = Vec::new();
    let tenant_path = o
        .tenant
        .clone()
        .or_else(|| Some(std::path::PathBuf::from("tenant.yaml")).filter(|p| p.is_file()));
    let mut tenant = None;
    if let Some(p) = &tenant_path {
        let (t, r) = check::load_tenant(p);
        tenant = t;
        if !r.diagnostics.is_empty() {
            reports.push(r);
        }
    }
    let before = reports.len();
    let files = check::collect(&o.paths, &[], &mut reports);
    // Paths that could not even be listed (missing files, unreadable directories).
    let unreadable_paths = reports.len() - before;
    let (files, not_json): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| {
        f.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    });
    if files.is_empty() && reports.is_empty() {
        eprintln!("error: no Graph exports (*.json) found");
        return INPUT_ERROR;
    }
    let imported = crate::import::import(
        &files,
        tenant.as_ref(),
        &crate::import::schema_ref(&o.output),
    );
    reports.extend(imported.reports.iter().cloned());
    let mut stderr = render::human(&reports, color);
    let tenant_failed = reports.iter().any(|r| {
        Some(r.path.as_str())
            == tenant_path
                .as_deref()
                .map(|p| p.to_str().unwrap_or_default())
            && !r.diagnostics.is_empty()
    });
    if tenant_failed {
        eprint!("{stderr}");
        eprintln!("error: the tenant file is invalid; nothing was written");
        return INPUT_ERROR;
    }
    let outputs: Vec<(String, Vec<u8>)> = imported
        .specs
        .iter()
        .map(|s| (s.file.clone(), s.text.clone().into_bytes()))
        .collect();
    let skeleton = o.tenant_out.as_ref().map(|t| {
        (
            t,
            crate::import::tenant_skeleton(
                tenant.as_ref(),
                &imported.referenced,
                &crate::schemas::modeline(
                    t,
                    crate::schemas::TENANT,
                    crate::schemas::local_dir(crate::schemas::TENANT).as_deref(),
                ),
            ),
        )
    });
    if let Err(errors) = crate::import::write_outputs(
        &o.output,
        &outputs,
        skeleton
            .as_ref()
            .map(|(t, text)| (t.as_path(), text.as_bytes())),
    ) {
        eprint!("{stderr}");
        for e in errors {
            eprintln!("error: {e}");
        }
        eprintln!("error: nothing was written");
        return INPUT_ERROR;
    }
    stderr.push_str(&crate::import::summary(
        &imported,
        &check::display(&o.output),
        unreadable_paths,
        not_json.len(),
    ));
    eprint!("{stderr}");
    if imported.unreadable > 0 || unreadable_paths > 0 {
        INPUT_ERROR
    } else if imported.skipped > 0 {
        FINDINGS
    } else {
        OK
    }
}
