//! `caac impact`: what a change to the policies does to access. Materialises
//! the base policy set (a directory, or a git revision extracted by
//! [`crate::impact`]), loads both sides with the check stages (partial) and
//! hands them to [`crate::whatif::impact`]. Exit 0 no impact, 1 impact,
//! 2 input errors.

use super::{ExitStatus, FINDINGS, INPUT_ERROR, OK, deliver, inputs};
use crate::check;
use crate::cli::{ImpactArgs, ImpactFormat};
use crate::impact::{Format, Options, Rename, TempDir, extract};
use crate::render;
use crate::whatif::coverage::Mode;
use crate::whatif::impact;
use std::path::{Path, PathBuf};

/// `caac impact`: exit 0 no impact, 1 impact, 2 input errors.
pub(crate) fn run(args: &ImpactArgs, color: bool) -> ExitStatus {
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &ImpactArgs) -> Options {
    Options {
        inputs: inputs(&args.input),
        base: args.base.clone(),
        format: match args.format {
            ImpactFormat::Human => Format::Human,
            ImpactFormat::Json => Format::Json,
            ImpactFormat::Markdown => Format::Markdown,
        },
        output: args.output.clone(),
        enforce_report_only: args.enforce_report_only,
    }
}

fn execute(o: &Options, color: bool) -> ExitStatus {
    match evaluate(o, color) {
        Ok((text, changed, inputs)) => match deliver(&text, o.output.as_deref(), &inputs) {
            OK if changed => FINDINGS,
            code => code,
        },
        Err(code) => code,
    }
}

/// The `locations/` and `strengths/` directories beside the policy paths
/// (the ones `check` finds for explicit paths), as they are in the working
/// tree.
fn object_dirs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        let parent = if p.is_dir() {
            p.parent()
        } else {
            p.parent().and_then(Path::parent)
        };
        let parent = parent.map(Path::to_path_buf).unwrap_or_default();
        for name in [
            crate::objects::DEFAULT_LOCATIONS,
            crate::objects::DEFAULT_STRENGTHS,
        ] {
            let d = parent.join(name);
            if d.is_dir() && !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// Loads one side; `Err` after printing positioned diagnostics when a
/// policy cannot be read. `rename` maps a report path for display.
fn load(
    paths: &[PathBuf],
    o: &Options,
    color: bool,
    rename: &dyn Fn(&str) -> String,
) -> Result<check::Checked, ExitStatus> {
    let side = check::Inputs {
        paths: paths.to_vec(),
        ..o.inputs.clone()
    };
    let checked = check::check(&side.options(true)).map_err(|message| {
        eprintln!("error: {}", rename(&message));
        INPUT_ERROR
    })?;
    // As for whatif: only problems that make the policies unreadable matter.
    let mut reports = checked.input_errors();
    for r in &mut reports {
        r.path = rename(&r.path);
    }
    if !reports.is_empty() {
        for r in &mut reports {
            r.sort();
        }
        eprint!("{}", render::human(&reports, color));
        return Err(INPUT_ERROR);
    }
    Ok(checked)
}

/// `caac impact`: the report text and whether there is impact (exit 1), or
/// the exit code of an input error (messages already printed).
#[allow(clippy::type_complexity)]
fn evaluate(o: &Options, color: bool) -> Result<(String, bool, Vec<PathBuf>), ExitStatus> {
    let head_paths = &o.inputs.paths;
    let base_dir = Path::new(&o.base);
    let tmp;
    let (base_paths, rename): (Vec<PathBuf>, Rename) = if base_dir.is_dir() {
        let paths = head_paths.iter().map(|p| base_dir.join(p)).collect();
        (paths, Box::new(|s: &str| s.to_owned()))
    } else {
        tmp = TempDir::new().map_err(|e| {
            eprintln!("error: {e}");
            INPUT_ERROR
        })?;
        let paths = extract(&o.base, head_paths, &tmp.0).map_err(|e| {
            eprintln!("error: {e}");
            INPUT_ERROR
        })?;
        // The base's named location and strength specs, where `check`
        // looks for them beside the extracted policies (crate::objects), so
        // base policies resolve the names they used.
        extract(&o.base, &object_dirs(head_paths), &tmp.0).map_err(|e| {
            eprintln!("error: {e}");
            INPUT_ERROR
        })?;
        let root = format!("{}/", tmp.0.display());
        let rev = o.base.clone();
        (
            paths,
            Box::new(move |s: &str| s.replace(&root, &format!("{rev}:"))),
        )
    };
    let base = if base_paths.is_empty() {
        None
    } else {
        Some(load(&base_paths, o, color, &*rename).inspect_err(|_| {
            eprintln!(
                "error: the base policies ({}) are invalid; nothing was compared",
                o.base
            );
        })?)
    };
    let head = load(head_paths, o, color, &|s: &str| s.to_owned()).inspect_err(|_| {
        eprintln!("error: the policies are invalid; nothing was compared");
    })?;
    let base_refs = base
        .as_ref()
        .map(check::Checked::policy_refs)
        .unwrap_or_default();
    let head_refs = head.policy_refs();
    let tenant = head.tenant.as_ref();
    let found = impact::analyse(&base_refs, &head_refs, tenant);
    let text = crate::impact::text(&found, &o.base, tenant, o.format);
    let changed = found.any(Mode::Enforced)
        || (o.enforce_report_only && found.any(Mode::ReportOnlyAsEnforced));
    let inputs = head.files.iter().map(|f| f.path.clone()).collect();
    Ok((text, changed, inputs))
}
