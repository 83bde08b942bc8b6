//! The commands: each wires the stages `load → validate → resolve → lint →
//! compile → report/emit` for one use, and decides the exit code
//! (0 ok, 1 findings, 2 usage or input error).

use crate::check;
use crate::cli::{
    BuildArgs, Cli, Color, Command, CoverageArgs, FailLevel, Format, ImpactArgs, ImportArgs,
    InputArgs, LintArgs, SchemaKind, WhatifArgs, WhatifFormat,
};
use crate::compile::{self, Compiled};
use crate::diag::{Diagnostic, Severity};
use crate::lint;
use crate::model;
use crate::report::{self, Counts};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::Path;

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
        Command::Lint(args) => lint(&args, color),
        Command::Import(args) => import(&args, color),
        Command::Whatif(args) => whatif(&args, color),
        Command::Test(args) => crate::scenario::run(&args, color),
        Command::Pull(args) => deploy(DeployCommand::Pull(&args), color),
        Command::Plan(args) => deploy(DeployCommand::Plan(&args), color),
        Command::Apply(args) => deploy(DeployCommand::Apply(&args), color),
        Command::Coverage(args) => coverage(&args, color),
        Command::Promote(args) => crate::rollout::promote(&args, color),
        Command::Impact(args) => impact(&args, color),
        Command::Monitor(args) => crate::monitor::run(&args, color),
        Command::Report(args) => crate::summary::run(&args, color),
        Command::Rules => {
            let list: String = lint::rules::RULES
                .iter()
                .map(|r| {
                    format!(
                        "{} {:<42} {:<8} {:<20} {}\n",
                        r.id,
                        r.name,
                        r.severity.as_str(),
                        serde_json::to_value(r.category())
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        r.summary
                    )
                })
                .chain(crate::validity::CONSTRAINTS.iter().map(|c| {
                    format!(
                        "{} {:<42} {:<8} {:<20} {}\n",
                        c.id, c.name, "error", "graph-validity", c.summary
                    )
                }))
                .collect();
            print_stdout(&list)
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "caac", &mut buf);
            print_stdout(&String::from_utf8_lossy(&buf))
        }
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Policy => model::policy_schema(),
                SchemaKind::PolicyDraft07 => model::policy_schema_draft07(),
                SchemaKind::Tenant => model::tenant_schema(),
            };
            print_stdout(&pretty(&schema))
        }
        Command::Explain { rule } => match lint::find(&rule) {
            Some(r) => print_stdout(&format!(
                "# {} `{}`\n\nDefault severity: {}. {}\n\n{}",
                r.id,
                r.name,
                r.severity.as_str(),
                r.summary,
                r.docs
            )),
            None => match crate::validity::find(&rule) {
                Some(c) => print_stdout(&format!(
                    "# {} `{}`\n\nGraph validity: always an error; it cannot be switched off or suppressed. {}\n\n{}",
                    c.id, c.name, c.summary, c.docs
                )),
                None => {
                    eprintln!("error: no rule `{rule}`; `caac rules` lists them");
                    INPUT_ERROR
                }
            },
        },
    }
}

pub(crate) fn print_stdout(s: &str) -> u8 {
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

fn options(input: &InputArgs, partial: bool) -> check::Options<'_> {
    check::Options {
        paths: &input.paths,
        tenant: input.tenant.clone(),
        break_glass: &input.break_glass,
        config: input.config.clone(),
        partial,
    }
}

/// `caac lint`.
fn lint(args: &LintArgs, color: bool) -> u8 {
    let mut checked = match check::check(&options(&args.input, args.partial)) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return INPUT_ERROR;
        }
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
    let threshold = match args.fail_level {
        FailLevel::Error => Severity::Error,
        FailLevel::Warning => Severity::Warning,
        FailLevel::Info => Severity::Info,
    };
    let failing = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold);
    let counts = Counts::of(&reports);
    let mut text = match args.format {
        Format::Human => {
            let mut t = report::human(&reports, color && args.output.is_none());
            for (id, reason) in &skipped {
                t.push_str(&format!("note: {id} skipped: {reason}\n"));
            }
            t.push_str(&format!(
                "{} error(s), {} warning(s), {} info(s) in {files} file(s)\n",
                counts.errors, counts.warnings, counts.infos
            ));
            t
        }
        Format::Json => report::json(&reports, &skipped),
        Format::Sarif => report::sarif(&reports),
        Format::Github => report::github(&reports),
    };
    if let Some(path) = &args.output {
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
                "output",
                format!("cannot write the report to {}: {why}", check::display(path)),
            )
            .with_help("choose another --output path");
            let r = report::FileReport {
                path: check::display(path),
                diagnostics: vec![d],
                ..Default::default()
            };
            eprint!("{}", report::human(&[r], color));
            return INPUT_ERROR;
        }
        text.clear();
    }
    let code = if input_error {
        INPUT_ERROR
    } else if failing {
        FINDINGS
    } else {
        OK
    };
    if !text.is_empty() {
        let c = print_stdout(&text);
        if c != OK {
            return c;
        }
    }
    code
}

enum DeployCommand<'a> {
    Pull(&'a crate::cli::PullArgs),
    Plan(&'a crate::cli::PlanArgs),
    Apply(&'a crate::cli::ApplyArgs),
}

/// `caac pull`, `caac plan`, `caac apply` (see `crate::deploy`).
fn deploy(cmd: DeployCommand, color: bool) -> u8 {
    use crate::deploy;
    let conn = |g: &crate::cli::GraphArgs| deploy::Connection {
        base: g.graph_url.clone(),
        pace: g.pace,
        timeout: g.timeout,
    };
    // Placeholder ids, missing break-glass accounts and the lockout gate are
    // checked once, in deploy's own check of the repository (`deploy::repo`).
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

/// `caac whatif`.
fn whatif(args: &WhatifArgs, color: bool) -> u8 {
    let opts = check::Options {
        paths: &args.policies,
        tenant: args.tenant.clone(),
        break_glass: &[],
        config: None,
        partial: true,
    };
    let checked = match check::check(&opts) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return INPUT_ERROR;
        }
    };
    // Only problems that make the policies unreadable matter here; lint findings do not.
    let mut reports = checked.input_errors();
    let mut request_report = report::FileReport {
        path: check::display(&args.request),
        ..Default::default()
    };
    let sign_in = match crate::load::load(&args.request) {
        Err((d, text)) => {
            request_report.diagnostics.push(*d);
            request_report.text = text;
            None
        }
        Ok(doc) => {
            let parsed = crate::whatif::request::parse(&doc.value, checked.tenant.as_ref());
            request_report.text = Some(doc.text.clone());
            request_report.spans = Some(doc.spans.clone());
            match parsed {
                Ok(s) => Some((s, crate::whatif::request::applied_policies_only(&doc.value))),
                Err(ds) => {
                    request_report.diagnostics.extend(ds);
                    None
                }
            }
        }
    };
    if !request_report.diagnostics.is_empty() {
        reports.push(request_report);
    }
    let Some((sign_in, applied_only)) = sign_in.filter(|_| reports.is_empty()) else {
        for r in &mut reports {
            r.sort();
        }
        eprint!("{}", report::human(&reports, color));
        eprintln!("error: the policies or the request are invalid; nothing was evaluated");
        return INPUT_ERROR;
    };
    let policies = checked.policy_refs();
    let outcome = crate::whatif::evaluate(&policies, checked.tenant.as_ref(), &sign_in);
    let text = match args.format {
        WhatifFormat::Human => crate::whatif::output::human(&outcome),
        WhatifFormat::Json if applied_only => {
            pretty(&crate::whatif::output::to_json_applied_only(&outcome))
        }
        WhatifFormat::Json => pretty(&crate::whatif::output::to_json(&outcome)),
    };
    print_stdout(&text)
}

/// `caac coverage`: exit 0 when the enforced policies leave no gap, 1 when
/// they do, 2 when the policies cannot be read.
fn coverage(args: &CoverageArgs, color: bool) -> u8 {
    let opts = check::Options {
        paths: &args.policies,
        tenant: args.tenant.clone(),
        break_glass: &[],
        config: None,
        partial: true,
    };
    let checked = match check::check(&opts) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return INPUT_ERROR;
        }
    };
    // As for whatif: only problems that make the policies unreadable matter.
    let reports = checked.input_errors();
    if !reports.is_empty() {
        eprint!("{}", report::human(&reports, color));
        eprintln!("error: the policies are invalid; nothing was analysed");
        return INPUT_ERROR;
    }
    let policies = checked.policy_refs();
    let tenant = checked.tenant.as_ref();
    let found = crate::whatif::coverage::analyse(&policies, tenant);
    let text = match args.format {
        WhatifFormat::Human => crate::whatif::coverage::human(&found),
        WhatifFormat::Json => pretty(&crate::whatif::coverage::json(&found, tenant)),
    };
    match print_stdout(&text) {
        OK if found.enforced_gaps() > 0 => FINDINGS,
        code => code,
    }
}

/// `caac impact`: exit 0 no impact, 1 impact, 2 input errors.
fn impact(args: &ImpactArgs, color: bool) -> u8 {
    match crate::impact::run(args, color) {
        Ok((text, changed)) => match print_stdout(&text) {
            OK if changed => FINDINGS,
            code => code,
        },
        Err(code) => code,
    }
}

/// `caac import`.
fn import(args: &ImportArgs, color: bool) -> u8 {
    let mut reports = Vec::new();
    let tenant_path = args
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
    let files = check::collect(&args.paths, &[], &mut reports);
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
        &crate::import::schema_ref(&args.out),
    );
    reports.extend(imported.reports.iter().cloned());
    let mut stderr = report::human(&reports, color);
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
    let skeleton = args.tenant_out.as_ref().map(|t| {
        (
            t,
            crate::import::tenant_skeleton(tenant.as_ref(), &imported.referenced),
        )
    });
    if let Err(errors) = crate::import::write_outputs(
        &args.out,
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
        &check::display(&args.out),
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

/// `caac build`.
fn build(args: &BuildArgs, color: bool) -> u8 {
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

/// One compiled body, serialised: what the manifest and the file need.
struct Rendered {
    source: String,
    display_name: serde_json::Value,
    api_version: compile::ApiVersion,
    beta_reasons: Vec<String>,
    bytes: Vec<u8>,
    sha: String,
}

fn write_output(
    out: &Path,
    compiled: Vec<(String, Compiled)>,
) -> Result<String, crate::emit::EmitError> {
    use rayon::prelude::*;
    let count = compiled.len();
    // Serialise and hash on every core; each body is dropped as soon as its
    // bytes exist, so the build never holds both (BENCHMARKS.md §4).
    let rendered: Vec<Rendered> = compiled
        .into_par_iter()
        .map(|(source, c)| {
            let bytes = pretty(&c.body).into_bytes();
            let sha = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>();
            Rendered {
                source,
                display_name: c.body["displayName"].clone(),
                api_version: c.api_version,
                beta_reasons: c.beta_reasons,
                bytes,
                sha,
            }
        })
        .collect();
    let mut used = BTreeSet::new();
    let mut outputs = Vec::with_capacity(count + 1);
    let mut manifest = Vec::with_capacity(count);
    let (mut v1, mut beta) = (0, 0);
    for Rendered {
        source,
        display_name,
        api_version,
        beta_reasons,
        bytes,
        sha,
    } in rendered
    {
        let stem = file_stem(display_name.as_str().unwrap_or_default());
        let mut name = format!("{stem}.json");
        let mut n = 2;
        while !used.insert(name.to_lowercase()) {
            name = format!("{stem}-{n}.json");
            n += 1;
        }
        match api_version {
            compile::ApiVersion::V1 => v1 += 1,
            compile::ApiVersion::Beta => beta += 1,
        }
        manifest.push(serde_json::json!({
            "source": source,
            "output": name,
            "displayName": display_name,
            "apiVersion": api_version,
            "betaReasons": beta_reasons,
            "endpoint": format!("https://graph.microsoft.com/{}/identity/conditionalAccess/policies", api_version.as_str()),
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
        count,
        if count == 1 { "y" } else { "ies" },
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
