//! The commands: each wires the stages `load → validate → resolve → lint →
//! compile → report/emit` for one use, and decides the exit code
//! (0 ok, 1 findings, 2 usage or input error).

use crate::check;
use crate::cli::{BuildArgs, ImpactArgs};
use crate::compile::{self, Compiled};
use crate::diag::{Diagnostic, Severity};
/// Re-exported for callers of the old path; the helper lives in [`crate::emit`].
pub use crate::emit::pretty;
use crate::emit::{print_stdout, write_output};
use crate::report::{self, Counts};

use crate::commands::options;
pub use crate::commands::{FINDINGS, INPUT_ERROR, OK};

pub(crate) enum DeployCommand<'a> {
    Pull(&'a crate::cli::PullArgs),
    Plan(&'a crate::cli::PlanArgs),
    Apply(&'a crate::cli::ApplyArgs),
}

/// `caac pull`, `caac plan`, `caac apply` (see `crate::deploy`).
pub(crate) fn deploy(cmd: DeployCommand, color: bool) -> u8 {
    use crate::deploy;
    let conn = |g: &crate::cli::GraphArgs| deploy::Connection {
        base: g.graph_url.clone(),
        pace: g.pace,
        timeout: g.timeout,
    };
    let input = match &cmd {
        DeployCommand::Pull(_) => None,
        DeployCommand::Plan(a) => Some((&a.input, a.partial)),
        DeployCommand::Apply(a) => Some((&a.input, a.partial)),
    };
    if let Some((input, partial)) = input
        && let Some(code) = deploy_preflight(&options(input, partial), color)
    {
        return code;
    }
    match cmd {
        DeployCommand::Pull(a) => deploy::pull(&conn(&a.graph), &a.out, Some(&a.tenant)),
        DeployCommand::Plan(a) => deploy::plan_command(
            &options(&a.input, a.partial),
            &conn(&a.graph),
            a.state.as_deref(),
            &a.lock,
            a.prune,
            match a.format {
                crate::cli::PlanFormat::Human => deploy::Format::Human,
                crate::cli::PlanFormat::Json => deploy::Format::Json,
                crate::cli::PlanFormat::Markdown => deploy::Format::Markdown,
            },
            color,
        ),
        DeployCommand::Apply(a) => deploy::apply(
            &options(&a.input, a.partial),
            &conn(&a.graph),
            &deploy::ApplyOptions {
                dry_run: a.dry_run,
                prune: a.prune,
                yes: a.yes,
                lock: &a.lock,
                state: a.state.as_deref(),
            },
            color,
        ),
    }
}

/// Before `caac plan` and `caac apply`: placeholder object ids (the starter
/// `tenant.yaml`'s made-up ids, [`check::PLACEHOLDER_PREFIX`]) must never
/// reach a tenant. Refuses (exit 2) naming each and saying to put the real
/// ids in; `None` lets the command run. Also echoes the `breakGlassOptOut`
/// warning, which the commands' own error-only reports would not show.
/// Other problems are left to the command's own checks, which report them.
fn deploy_preflight(opts: &check::Options, color: bool) -> Option<u8> {
    let mut checked = check::check(opts).ok()?;
    // Only the findings of this step: the command reports everything else.
    for r in checked.other.iter_mut() {
        r.diagnostics.clear();
    }
    for f in checked.files.iter_mut() {
        f.report.diagnostics.clear();
    }
    check::require_break_glass(&mut checked);
    for r in checked.other.iter_mut() {
        r.diagnostics.retain(|d| d.code == "break-glass-opt-out");
    }
    check::placeholder_ids(&mut checked, Severity::Error);
    let mut reports: Vec<report::FileReport> = checked
        .into_reports()
        .into_iter()
        .filter(|r| !r.diagnostics.is_empty())
        .collect();
    for r in &mut reports {
        r.sort();
    }
    eprint!("{}", report::human(&reports, color));
    let refused = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error);
    if !refused {
        return None;
    }
    eprintln!("error: placeholder object ids; nothing was planned or sent");
    Some(INPUT_ERROR)
}

/// `caac impact`: exit 0 no impact, 1 impact, 2 input errors.
pub(crate) fn impact(args: &ImpactArgs, color: bool) -> u8 {
    match crate::impact::run(args, color) {
        Ok((text, changed)) => match print_stdout(&text) {
            OK if changed => FINDINGS,
            code => code,
        },
        Err(code) => code,
    }
}

/// `caac build`.
pub(crate) fn build(args: &BuildArgs, color: bool) -> u8 {
    let opts = options(&args.input, false);
    let mut checked = match check::check(&opts) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return INPUT_ERROR;
        }
    };
    check::lockout_gate(&mut checked);
    // The starter set's made-up ids build, with a warning (plan/apply refuse them).
    check::placeholder_ids(&mut checked, Severity::Warning);
    // Each file compiles on its own (both cores); the order stays the input order.
    use rayon::prelude::*;
    let per_file: Vec<Vec<(String, Compiled)>> = checked
        .files
        .par_iter_mut()
        .map(|f| {
            let mut compiled = Vec::new();
            for u in &f.units {
                let (Some(p), true) = (&u.policy, u.clean) else {
                    continue;
                };
                let c = compile::compile(p);
                // Pass-through findings were reported by `check`, for lint too.
                let ds: Vec<Diagnostic> = c
                    .diagnostics
                    .iter()
                    .filter(|d| !check::is_passthrough_diagnostic(d))
                    .cloned()
                    .collect();
                f.report
                    .diagnostics
                    .extend(ds.into_iter().map(|d| u.localise(d)));
                // Graph-schema findings point into the *body*; an export has
                // the body's shape, so its pointer is the export's own.
                for mut d in compile::check_against_graph(&c, p.passthrough.as_ref()) {
                    match (&u.converted, &mut d.location) {
                        (Some(_), crate::diag::Location::Pointer { pointer, .. })
                            if !pointer.starts_with("/passthrough") =>
                        {
                            *pointer = format!("{}{pointer}", u.at);
                            d.policy = u.display_name.clone();
                            f.report.diagnostics.push(d);
                        }
                        _ => f.report.diagnostics.push(u.localise(d)),
                    }
                }
                let source = format!(
                    "{}{}",
                    check::display(&f.path),
                    if u.at.is_empty() {
                        String::new()
                    } else {
                        format!("#{}", u.at)
                    }
                );
                compiled.push((source, c));
            }
            compiled
        })
        .collect();
    let compiled: Vec<(String, Compiled)> = per_file.into_iter().flatten().collect();
    let mut reports = checked.into_reports();
    for r in &mut reports {
        r.sort();
    }
    // Findings about the set as a whole (a missing baseline policy, CA7xx)
    // make no body wrong; `caac lint` reports and gates on them.
    let set_findings: usize = reports
        .iter()
        .filter(|r| r.path == check::SET_REPORT)
        .map(|r| r.diagnostics.len())
        .sum();
    reports.retain(|r| r.path != check::SET_REPORT);
    let input_error = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error && !check::is_finding(d));
    // Build refuses to write a body that is wrong. Findings about the set as
    // a whole (a missing baseline policy, CA7xx) make no body wrong: they are
    // shown, and `caac lint` gates on them.
    let blocking = reports
        .iter()
        .filter(|r| r.path != check::SET_REPORT)
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut stderr = report::human(&reports, color);
    let counts = Counts::of(&reports);
    let mut written = false;
    let code = if input_error {
        INPUT_ERROR
    } else if blocking > 0 {
        FINDINGS
    } else {
        match write_output(&args.out, compiled) {
            Ok(summary) => {
                stderr.push_str(&summary);
                written = true;
                OK
            }
            Err(e) => {
                let d = Diagnostic::error(
                    "output",
                    format!("cannot write {}: {e}", check::display(&args.out)),
                )
                .with_help("choose an --out directory caac may create or replace");
                let r = report::FileReport {
                    path: check::display(&args.out),
                    diagnostics: vec![d],
                    ..Default::default()
                };
                stderr.push_str(&report::human(&[r], color));
                INPUT_ERROR
            }
        }
    };
    if set_findings > 0 {
        stderr.push_str(&format!(
            "note: {set_findings} finding(s) about the policy set as a whole (missing baseline policies) are not shown; `caac lint` reports them\n"
        ));
    }
    if counts.errors + counts.warnings + counts.infos > 0 || !written {
        stderr.push_str(&format!(
            "{}: {} error(s), {} warning(s), {} info(s){}\n",
            if code == OK { "note" } else { "error" },
            counts.errors,
            counts.warnings,
            counts.infos,
            if written { "" } else { "; nothing was written" }
        ));
    }
    eprint!("{stderr}");
    code
}
