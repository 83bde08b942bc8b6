//! `caac lint`: the check stages on every policy, the lockout gate, and the
//! diagnostics in the chosen format (stdout, or `--output`). Exit 1 when a
//! finding reaches `--fail-level`, 2 on an input error.

use super::{ExitStatus, FINDINGS, INPUT_ERROR, OK, check_stages, inputs, print_stdout};
use crate::check::{self, LintOptions};
use crate::cli::{FailLevel, LintArgs};
use crate::diag::{Diagnostic, Severity};
use crate::render::{self, Counts, Format};

/// `caac lint`: the arguments as options, then the lint.
pub(crate) fn run(args: &LintArgs, color: bool) -> ExitStatus {
    if args.azure_complete && args.format != crate::cli::Format::Azure {
        eprintln!(
            "error: --azure-complete only applies to --format azure; add `--format azure` or drop --azure-complete"
        );
        return INPUT_ERROR;
    }
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &LintArgs) -> LintOptions {
    LintOptions {
        inputs: inputs(&args.input),
        partial: args.partial,
        format: match args.format {
            crate::cli::Format::Human => Format::Human,
            crate::cli::Format::Json => Format::Json,
            crate::cli::Format::Sarif => Format::Sarif,
            crate::cli::Format::Github => Format::Github,
            crate::cli::Format::Azure => Format::Azure,
        },
        azure_complete: args.azure_complete,
        fail_level: match args.fail_level {
            FailLevel::Error => Severity::Error,
            FailLevel::Warning => Severity::Warning,
            FailLevel::Info => Severity::Info,
        },
        output: args.output.clone(),
    }
}

fn execute(o: &LintOptions, color: bool) -> ExitStatus {
    let Some(mut checked) = check_stages(&o.inputs.options(o.partial)) else {
        return INPUT_ERROR;
    };
    check::lockout_gate(&mut checked);
    let skipped = checked.skipped.clone();
    let files = checked.files.len();
    let inputs: Vec<std::path::PathBuf> = checked
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain(
            checked
                .other
                .iter()
                .filter(|r| !r.path.starts_with('<'))
                .map(|r| r.path.clone().into()),
        )
        .collect();
    let mut reports = checked.into_reports();
    for r in &mut reports {
        r.sort();
    }
    let input_error = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error && !check::is_finding(d));
    let threshold = o.fail_level;
    let failing = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold);
    let counts = Counts::of(&reports);
    let code = if input_error {
        INPUT_ERROR
    } else if failing {
        FINDINGS
    } else {
        OK
    };
    let mut text = match o.format {
        Format::Human => {
            // Colour only when the product goes to a coloured stdout.
            let ui = super::ui();
            let mut t = render::human(&reports, ui.stdout_color && o.output.is_none());
            if !ui.quiet {
                for (id, reason) in &skipped {
                    t.push_str(&format!("note: {id} skipped: {reason}\n"));
                }
                t.push_str(&format!(
                    "{} error(s), {} warning(s), {} info(s) in {files} file(s)\n",
                    counts.errors, counts.warnings, counts.infos
                ));
            }
            t
        }
        Format::Json => render::json(&reports, &skipped),
        Format::Sarif => render::sarif(&reports),
        Format::Github => render::github(&reports),
        Format::Azure => render::azure(
            &reports,
            o.azure_complete.then_some(if code != OK {
                render::AzureResult::Failed
            } else if counts.errors + counts.warnings > 0 {
                render::AzureResult::SucceededWithIssues
            } else {
                render::AzureResult::Succeeded
            }),
        ),
    };
    if let Some(path) = &o.output {
        // Never let a report replace one of the files it is about.
        let target = path.canonicalize().ok();
        let clobbers = target.is_some() && inputs.iter().any(|i| i.canonicalize().ok() == target);
        let result = if clobbers {
            Err("it is one of the inputs (a policy, the tenant or the config file)".to_owned())
        } else {
            crate::emit::write_file(path, text.as_bytes()).map_err(|e| e.to_string())
        };
        if let Err(why) = result {
            let d = Diagnostic::error(
                crate::diag::Code::Output,
                format!("cannot write the report to {}: {why}", check::display(path)),
            )
            .with_help("choose another --output path");
            let r = render::FileReport {
                path: check::display(path),
                diagnostics: vec![d],
                ..Default::default()
            };
            eprint!("{}", render::human(&[r], color));
            return INPUT_ERROR;
        }
        text.clear();
    }
    if !text.is_empty() {
        let c = print_stdout(&text);
        if c != OK {
            return c;
        }
    }
    code
}
