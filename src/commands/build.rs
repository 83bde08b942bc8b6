//! `caac build`: the check stages, then [`crate::graph::compile`] per policy and
//! the Graph-schema check, then one output directory written atomically by
//! [`crate::emit`]. Writes nothing when any body is wrong (exit 1) or the
//! input is unreadable (exit 2).

use super::{ExitStatus, FINDINGS, INPUT_ERROR, OK, check_stages, inputs};
use crate::check;
use crate::cli::BuildArgs;
use crate::diag::{Diagnostic, Severity};
use crate::emit::{BuildOptions, Rendered, SummaryFormat, render_body, write_output};
use crate::graph::compile;
use crate::render::{self, Counts};

/// `caac build`: the arguments as options, then the build.
pub(crate) fn run(args: &BuildArgs, color: bool) -> ExitStatus {
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &BuildArgs) -> BuildOptions {
    BuildOptions {
        inputs: inputs(&args.input),
        output: args.output.clone(),
        summary: match args.format {
            crate::cli::SummaryFormat::Human => SummaryFormat::Human,
            crate::cli::SummaryFormat::Json => SummaryFormat::Json,
        },
    }
}

fn execute(o: &BuildOptions, color: bool) -> ExitStatus {
    let Some(mut checked) = check_stages(&o.inputs.options(false)) else {
        return INPUT_ERROR;
    };
    check::lockout_gate(&mut checked);
    // The starter set's made-up ids build, with a warning (plan/apply refuse them).
    check::placeholder_ids(&mut checked, Severity::Warning);
    // Each file compiles on its own (both cores); the order stays the input
    // order. Each body is serialised as soon as it is checked and its tree
    // dropped, so the build never holds every compiled tree at once.
    use rayon::prelude::*;
    let per_file: Vec<Vec<Rendered>> = checked
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
                compiled.push(render_body(source, c));
            }
            compiled
        })
        .collect();
    let compiled: Vec<Rendered> = per_file.into_iter().flatten().collect();
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
    let mut stderr = render::human(&reports, color);
    // -q: the diagnostics only, no notes or closing line.
    let quiet = super::ui().quiet;
    let counts = Counts::of(&reports);
    // Rendered: the reports' texts and span maps are not needed while the
    // output is written.
    drop(reports);
    let mut written = false;
    let mut json = None;
    let mut refused = false;
    let code = if input_error {
        INPUT_ERROR
    } else if blocking > 0 {
        FINDINGS
    } else {
        match write_output(&o.output, compiled) {
            Ok((summary, manifest)) => {
                // The summary is the product a program reads: with -f json the
                // manifest goes to stdout; the human line goes to stderr
                // (left out under -q).
                match o.summary {
                    SummaryFormat::Human if !quiet => stderr.push_str(&summary),
                    SummaryFormat::Human => {}
                    SummaryFormat::Json => json = Some(crate::emit::pretty(&manifest)),
                }
                written = true;
                OK
            }
            Err(e) => {
                let d = crate::emit::refusal(&o.output, &e);
                refused = true;
                let r = render::FileReport {
                    path: check::display(&o.output),
                    diagnostics: vec![d],
                    ..Default::default()
                };
                stderr.push_str(&render::human(&[r], color));
                INPUT_ERROR
            }
        }
    };
    if set_findings > 0 && !quiet {
        stderr.push_str(&format!(
            "note: {set_findings} finding(s) about the policy set as a whole (missing baseline policies) are not shown; `caac lint` reports them\n"
        ));
    }
    let outcome = if written {
        crate::emit::Outcome::Written
    } else if refused {
        crate::emit::Outcome::Refused(&o.output)
    } else {
        crate::emit::Outcome::Withheld
    };
    if let Some(line) =
        crate::emit::closing_line(counts.errors, counts.warnings, counts.infos, outcome)
        && !quiet
    {
        stderr.push_str(&line);
    }
    eprint!("{stderr}");
    match json {
        Some(text) => match super::print_stdout(&text) {
            OK => code,
            c => c,
        },
        None => code,
    }
}
