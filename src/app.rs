//! The commands: each wires the stages `load → validate → resolve → lint →
//! compile → report/emit` for one use, and decides the exit code
//! (0 ok, 1 findings, 2 usage or input error).

use crate::catalog::Kind;
use crate::cli::{BuildArgs, Cli, Color, Command, SchemaKind};
use crate::compile::{self, Compiled};
use crate::diag::{Diagnostic, Severity};
use crate::lint::{self, BreakGlassIds, Context};
use crate::model::{self, Policy, Tenant};
use crate::report::{self, Counts, FileReport};
use crate::resolve;
use crate::validate::{self, Schema};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: a rule reported an error-severity finding.
pub const FINDINGS: u8 = 1;
/// Exit code: usage or input error.
pub const INPUT_ERROR: u8 = 2;

static POLICY_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(model::policy_schema()));
static TENANT_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(model::tenant_schema()));

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

/// A policy file after loading, validation and resolution.
struct Loaded {
    report: FileReport,
    /// Resolved policy (present when the file loaded and validated).
    policy: Option<Policy>,
}

/// Loads and validates the tenant file; returns it with its report.
fn load_tenant(path: &Path) -> (Option<Tenant>, FileReport) {
    let mut report = FileReport {
        path: path.display().to_string(),
        ..FileReport::default()
    };
    match crate::load::load(path) {
        Err(d) => report.diagnostics.push(*d),
        Ok(doc) => {
            match validate::typed::<Tenant>(&TENANT_SCHEMA, &doc) {
                Ok(t) => {
                    report.text = Some(doc.text);
                    report.spans = Some(doc.spans);
                    return (Some(t), report);
                }
                Err(ds) => report.diagnostics.extend(ds),
            }
            report.text = Some(doc.text);
            report.spans = Some(doc.spans);
        }
    }
    (None, report)
}

fn load_policy(path: &Path, tenant: Option<&Tenant>) -> Loaded {
    let mut report = FileReport {
        path: display(path),
        ..FileReport::default()
    };
    let doc = match std::fs::read(path) {
        Err(e) => {
            report
                .diagnostics
                .push(Diagnostic::error("io", format!("cannot read: {e}")));
            return Loaded {
                report,
                policy: None,
            };
        }
        Ok(bytes) => match crate::load::parse_bytes(report.path.clone(), &bytes) {
            Ok(doc) => doc,
            Err((d, text)) => {
                report.diagnostics.push(*d);
                report.text = text;
                return Loaded {
                    report,
                    policy: None,
                };
            }
        },
    };
    let typed = validate::typed::<Policy>(&POLICY_SCHEMA, &doc);
    report.text = Some(doc.text);
    report.spans = Some(doc.spans);
    let policy = match typed {
        Ok(p) => p,
        Err(ds) => {
            report.diagnostics.extend(ds);
            return Loaded {
                report,
                policy: None,
            };
        }
    };
    let (resolved, ds) = resolve::resolve(&policy, tenant);
    let ok = ds.is_empty();
    report.diagnostics.extend(ds);
    Loaded {
        report,
        policy: ok.then_some(resolved),
    }
}

/// Paths shown with `/` separators so messages and the manifest do not depend on the OS.
fn display(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// Expands files and directories into a sorted, de-duplicated list of spec
/// files. Directories are walked recursively (hidden entries and tenant files
/// skipped, symlink loops cut by canonical path).
fn collect(paths: &[PathBuf], skip: Option<&Path>, errors: &mut Vec<FileReport>) -> Vec<PathBuf> {
    let skip = skip.and_then(|p| p.canonicalize().ok());
    let mut files = BTreeSet::new();
    let mut seen_dirs = BTreeSet::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut files, &mut seen_dirs, errors, 0),
            Ok(_) => {
                files.insert(p.clone());
            }
            Err(e) => errors.push(FileReport {
                path: display(p),
                diagnostics: vec![Diagnostic::error("io", format!("cannot read: {e}"))],
                ..FileReport::default()
            }),
        }
    }
    files
        .into_iter()
        .filter(|f| skip.is_none() || f.canonicalize().ok() != skip)
        .collect()
}

fn walk(
    dir: &Path,
    files: &mut BTreeSet<PathBuf>,
    seen: &mut BTreeSet<PathBuf>,
    errors: &mut Vec<FileReport>,
    depth: usize,
) {
    let Ok(canonical) = dir.canonicalize() else {
        return;
    };
    if depth > 32 || !seen.insert(canonical) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(FileReport {
                path: display(dir),
                diagnostics: vec![Diagnostic::error(
                    "io",
                    format!("cannot read directory: {e}"),
                )],
                ..FileReport::default()
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        let name = child
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if child.is_dir() {
            walk(&child, files, seen, errors, depth + 1);
        } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
            && name != "tenant.yaml"
            && name != "tenant.yml"
        {
            files.insert(child);
        }
    }
}

/// `caac build`.
fn build(args: &BuildArgs, color: bool) -> u8 {
    let mut reports: Vec<FileReport> = Vec::new();
    let tenant_path = args.tenant.clone().or_else(|| {
        let default = PathBuf::from("tenant.yaml");
        default.is_file().then_some(default)
    });
    let (tenant, tenant_report) = match &tenant_path {
        Some(p) => {
            let (t, r) = load_tenant(p);
            (t, Some(r))
        }
        None => (None, None),
    };
    let mut break_glass = BreakGlassIds::default();
    let mut tenant_report = tenant_report;
    if let (Some(t), Some(r)) = (&tenant, &mut tenant_report) {
        let (users, groups, ds) = resolve::break_glass(t);
        break_glass = BreakGlassIds { users, groups };
        r.diagnostics.extend(ds);
    }
    let mut cli_report = FileReport {
        path: "<command line>".into(),
        ..FileReport::default()
    };
    for value in &args.break_glass {
        match resolve::resolve_value(Kind::Group, value, tenant.as_ref()) {
            Ok(id)
                if tenant
                    .as_ref()
                    .is_some_and(|t| t.users.values().any(|u| u.eq_ignore_ascii_case(&id))) =>
            {
                break_glass.users.push(id);
            }
            Ok(id) => break_glass.groups.push(id),
            Err(_) => match resolve::resolve_value(Kind::User, value, tenant.as_ref()) {
                Ok(id) => break_glass.users.push(id),
                Err(d) => cli_report.diagnostics.push(Diagnostic {
                    message: format!(
                        "--break-glass: {}",
                        d.message.replace("unknown user", "unknown user or group")
                    ),
                    ..d
                }),
            },
        }
    }
    let files = collect(&args.paths, tenant_path.as_deref(), &mut reports);
    if files.is_empty() && reports.is_empty() {
        let shown: Vec<String> = args.paths.iter().map(|p| display(p)).collect();
        eprintln!(
            "error: no policy files (*.yaml, *.yml) found in {}",
            shown.join(", ")
        );
        return INPUT_ERROR;
    }
    let (mut file_reports, policies): (Vec<FileReport>, Vec<Option<Policy>>) = files
        .iter()
        .map(|f| load_policy(f, tenant.as_ref()))
        .map(|l| (l.report, l.policy))
        .unzip();
    let sources: Vec<String> = file_reports.iter().map(|r| r.path.clone()).collect();

    // Lint the policies that resolved; set-level rules see all of them.
    let ok: Vec<(usize, &Policy)> = policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().map(|p| (i, p)))
        .collect();
    let contexts: Vec<Context> = ok
        .iter()
        .map(|(i, p)| Context {
            source: &sources[*i],
            policy: p,
            tenant: tenant.as_ref(),
            break_glass: &break_glass,
        })
        .collect();
    let findings = lint::run(&contexts);
    let compiled: Vec<(usize, Compiled)> =
        ok.iter().map(|(i, p)| (*i, compile::compile(p))).collect();
    for ((i, _), ds) in ok.iter().zip(findings) {
        file_reports[*i].diagnostics.extend(ds);
    }
    for (i, c) in &compiled {
        file_reports[*i]
            .diagnostics
            .extend(c.diagnostics.iter().cloned());
    }
    reports.extend(tenant_report);
    if !cli_report.diagnostics.is_empty() {
        reports.push(cli_report);
    }
    reports.extend(file_reports);
    for r in &mut reports {
        r.sort();
    }

    let errors: Vec<&Diagnostic> = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let input_error = errors.iter().any(|d| !is_rule(d));
    let mut stderr = report::human(&reports, color);
    let counts = Counts::of(&reports);
    let code = if input_error {
        INPUT_ERROR
    } else if counts.errors > 0 {
        FINDINGS
    } else {
        match write_output(&args.out, &files, &compiled) {
            Ok(summary) => {
                stderr.push_str(&summary);
                OK
            }
            Err(e) => {
                stderr.push_str(&format!(
                    "error: cannot write {}: {e}\n",
                    display(&args.out)
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
            "source": display(&files[*i]),
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
        display(out),
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
