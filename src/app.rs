//! The commands: each wires the stages `load → validate → resolve → lint →
//! compile → report/emit` for one use, and decides the exit code
//! (0 ok, 1 findings, 2 usage or input error).

use crate::check;
use crate::cli::{BuildArgs, Cli, Color, Command, SchemaKind};
use crate::compile::{self, Compiled};
use crate::diag::{Diagnostic, Severity};
use crate::lint;
use crate::model;
use crate::report::{self, Counts};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: a rule reported an error-severity finding.
pub const FINDINGS: u8 = 1;
/// Exit code: usage or input error.
pub const INPUT_ERROR: u8 = 2;

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    match cli.command {
        Command::Build(args) => build(&args, color),
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Policy => model::policy_schema(),
                SchemaKind::PolicyDraft07 => model::policy_schema_draft07(),
                SchemaKind::Tenant => model::tenant_schema(),
            };
            print_stdout(&pretty(&schema))
        }
        Command::Explain { rule: Some(rule) } => match lint::find(&rule) {
            Some(r) => print_stdout(&format!(
                "# {} `{}` ({})\n\n{}\n\n{}",
                r.id,
                r.name,
                r.severity.as_str(),
                r.summary,
                r.docs
            )),
            None => {
                eprintln!("error: no rule `{rule}`; `caac explain` lists them");
                INPUT_ERROR
            }
        },
        Command::Explain { rule: None } => {
            let list: String = lint::rules::RULES
                .iter()
                .map(|r| {
                    format!(
                        "{} {:<28} {:<8} {}\n",
                        r.id,
                        r.name,
                        r.severity.as_str(),
                        r.summary
                    )
                })
                .collect();
            print_stdout(&list)
        }
    }
}

fn print_stdout(s: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`caac schema | head`) is not an error.
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            INPUT_ERROR
        }
    }
}

/// Pretty JSON with a trailing newline: the one serialisation of every file
/// caac writes, so output is byte-stable.
pub fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// `caac build`.
fn build(args: &BuildArgs, color: bool) -> u8 {
    let opts = check::Options {
        paths: &args.paths,
        tenant: args.tenant.clone(),
        break_glass: &args.break_glass,
    };
    let mut checked = match check::check(&opts) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return INPUT_ERROR;
        }
    };
    let mut compiled: Vec<(usize, Compiled)> = Vec::new();
    for (i, f) in checked.files.iter_mut().enumerate() {
        if let Some(p) = &f.policy {
            let c = compile::compile(p);
            f.report.diagnostics.extend(c.diagnostics.iter().cloned());
            f.report
                .diagnostics
                .extend(compile::check_against_graph(&c, p.passthrough.as_ref()));
            compiled.push((i, c));
        }
    }
    let sources: Vec<PathBuf> = checked.files.iter().map(|f| f.path.clone()).collect();
    let mut reports = checked.into_reports();
    for r in &mut reports {
        r.sort();
    }
    let input_error = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error && !is_rule(d));
    let mut stderr = report::human(&reports, color);
    let counts = Counts::of(&reports);
    let code = if input_error {
        INPUT_ERROR
    } else if counts.errors > 0 {
        FINDINGS
    } else {
        match write_output(&args.out, &sources, &compiled) {
            Ok(summary) => {
                stderr.push_str(&summary);
                OK
            }
            Err(e) => {
                stderr.push_str(&format!(
                    "error: cannot write {}: {e}\n",
                    check::display(&args.out)
                ));
                INPUT_ERROR
            }
        }
    };
    if counts.errors + counts.warnings + counts.infos > 0 {
        stderr.push_str(&format!(
            "{}: {} error(s), {} warning(s), {} info(s){}\n",
            if counts.errors > 0 { "error" } else { "note" },
            counts.errors,
            counts.warnings,
            counts.infos,
            if counts.errors > 0 {
                "; nothing was written"
            } else {
                ""
            }
        ));
    }
    eprint!("{stderr}");
    code
}

/// Lint-rule findings (exit 1) versus input errors (exit 2). CA015 is a
/// schema-level enum error, so it counts as input.
fn is_rule(d: &Diagnostic) -> bool {
    d.name.is_some() && d.code != "CA015"
}

/// File name for a policy: its display name reduced to `[A-Za-z0-9._-]`.
pub fn file_stem(display_name: &str) -> String {
    let mut s = String::new();
    for c in display_name.trim().chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches(['-', '.']).to_owned();
    if s.is_empty() {
        "policy".into()
    } else {
        s.chars().take(120).collect()
    }
}

fn write_output(
    out: &Path,
    files: &[PathBuf],
    compiled: &[(usize, Compiled)],
) -> Result<String, crate::emit::EmitError> {
    let mut used = BTreeSet::new();
    let mut outputs = Vec::new();
    let mut manifest = Vec::new();
    let (mut v1, mut beta) = (0, 0);
    for (i, c) in compiled {
        let stem = file_stem(c.body["displayName"].as_str().unwrap_or_default());
        let mut name = format!("{stem}.json");
        let mut n = 2;
        while !used.insert(name.to_lowercase()) {
            name = format!("{stem}-{n}.json");
            n += 1;
        }
        let bytes = pretty(&c.body).into_bytes();
        let sha = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        match c.api_version {
            compile::ApiVersion::V1 => v1 += 1,
            compile::ApiVersion::Beta => beta += 1,
        }
        manifest.push(serde_json::json!({
            "source": check::display(&files[*i]),
            "output": name,
            "displayName": c.body["displayName"],
            "apiVersion": c.api_version,
            "betaReasons": c.beta_reasons,
            "endpoint": format!("https://graph.microsoft.com/{}/identity/conditionalAccess/policies", c.api_version.as_str()),
            "sha256": sha,
        }));
        outputs.push((name, bytes));
    }
    let manifest =
        serde_json::json!({ "generator": "caac", "formatVersion": 1, "policies": manifest });
    outputs.push((
        crate::emit::MANIFEST.to_owned(),
        pretty(&manifest).into_bytes(),
    ));
    crate::emit::write_dir(out, &outputs)?;
    Ok(format!(
        "wrote {} polic{} to {} ({v1} v1.0, {beta} beta) and {}\n",
        compiled.len(),
        if compiled.len() == 1 { "y" } else { "ies" },
        check::display(out),
        crate::emit::MANIFEST
    ))
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(
            file_stem("CA410-TokenProtection-ExchangeSharePoint-Windows"),
            "CA410-TokenProtection-ExchangeSharePoint-Windows"
        );
        assert_eq!(
            file_stem("CA001 - Block legacy auth / all users"),
            "CA001-Block-legacy-auth-all-users"
        );
        assert_eq!(file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(file_stem("★"), "policy");
    }
}
