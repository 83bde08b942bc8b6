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
    // Exports of named locations or authentication strengths become specs
    // of their own (crate::objects::import), not policies.
    let mut object_docs = Vec::new();
    let mut policy_files = Vec::new();
    for f in files {
        match crate::load::load(&f) {
            Ok(doc) if crate::objects::import::import(&doc).is_some() => object_docs.push(doc),
            _ => policy_files.push(f),
        }
    }
    if !object_docs.is_empty() {
        if !policy_files.is_empty() {
            eprint!("{}", render::human(&reports, color));
            let shown: Vec<String> = policy_files.iter().map(|p| check::display(p)).collect();
            eprintln!(
                "error: {} hold policies, the other exports named locations or authentication strengths; import them separately (each kind into its own directory); nothing was written",
                shown.join(", ")
            );
            return INPUT_ERROR;
        }
        return import_objects(o, object_docs, reports, unreadable_paths, color);
    }
    let files = policy_files;
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

/// `caac import` of named location or authentication strength exports: one
/// spec per object into `-o` (when left at its default `policies`, into
/// `locations/` or `strengths/`), each with a modeline pointing at its
/// schema. Exit 1 when an object was not imported, 2 on unreadable input, a
/// mix of kinds or an unwritable output.
fn import_objects(
    o: &Options,
    docs: Vec<crate::load::Document>,
    mut reports: Vec<render::FileReport>,
    unreadable_paths: usize,
    color: bool,
) -> ExitStatus {
    use crate::objects::import::{self, ObjectKind};
    let mut converted = Vec::new();
    let mut not_imported = 0;
    for doc in docs {
        let Some((found, diags)) = import::import(&doc) else {
            continue;
        };
        not_imported += diags
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .count();
        let source = doc.path.clone();
        converted.extend(found.into_iter().map(|c| (c, source.clone())));
        let mut r = render::FileReport {
            path: doc.path,
            text: Some(doc.text),
            spans: Some(doc.spans),
            diagnostics: diags,
        };
        r.sort();
        if !r.diagnostics.is_empty() {
            reports.push(r);
        }
    }
    let stderr = render::human(&reports, color);
    let kinds: Vec<ObjectKind> = {
        let mut k: Vec<ObjectKind> = converted.iter().map(|(c, _)| c.kind).collect();
        k.dedup();
        k
    };
    let kind = match kinds.as_slice() {
        [] => {
            eprint!("{stderr}");
            eprintln!(
                "error: no named location or authentication strength could be imported; nothing was written"
            );
            return if not_imported > 0 {
                FINDINGS
            } else {
                INPUT_ERROR
            };
        }
        [k] => *k,
        _ => {
            eprint!("{stderr}");
            eprintln!(
                "error: the exports hold both named locations and authentication strengths; import each kind separately into its own directory; nothing was written"
            );
            return INPUT_ERROR;
        }
    };
    let out = if o.output == std::path::Path::new("policies") {
        std::path::PathBuf::from(kind.default_dir())
    } else {
        o.output.clone()
    };
    let schema_ref = crate::import::schema_ref_for(&out, kind.schema_file());
    let mut used = std::collections::BTreeSet::new();
    let mut outputs = Vec::new();
    for (c, source) in &converted {
        let stem = crate::emit::file_stem(&c.name);
        let mut file = format!("{stem}.yaml");
        let mut n = 2;
        while !used.insert(file.to_lowercase()) {
            file = format!("{stem}-{n}.yaml");
            n += 1;
        }
        outputs.push((
            file,
            import::spec_text(&c.spec, &schema_ref, source).into_bytes(),
        ));
    }
    if let Err(errors) = crate::import::write_outputs(&out, &outputs, None) {
        eprint!("{stderr}");
        for e in errors {
            eprintln!("error: {e}");
        }
        eprintln!("error: nothing was written");
        return INPUT_ERROR;
    }
    eprint!("{stderr}");
    eprintln!(
        "imported {} {}{} into {}",
        outputs.len(),
        kind.noun(),
        if outputs.len() == 1 { "" } else { "s" },
        check::display(&out)
    );
    if unreadable_paths > 0 {
        INPUT_ERROR
    } else if not_imported > 0 {
        FINDINGS
    } else {
        OK
    }
}
