//! `caac pull`, `caac plan`, `caac apply`: the commands that talk to
//! Microsoft Graph ([`crate::deploy`]). Plan and apply first refuse the
//! starter tenant file's placeholder object ids (exit 2, nothing sent).

use super::{ExitStatus, INPUT_ERROR, options};
use crate::check;
use crate::diag::Severity;
use crate::report;

pub(crate) enum DeployCommand<'a> {
    Pull(&'a crate::cli::PullArgs),
    Plan(&'a crate::cli::PlanArgs),
    Apply(&'a crate::cli::ApplyArgs),
}

/// `caac pull`, `caac plan`, `caac apply` (see `crate::deploy`).
pub(crate) fn deploy(cmd: DeployCommand, color: bool) -> ExitStatus {
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
    let code = match cmd {
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
    };
    ExitStatus::from(code)
}

/// Before `caac plan` and `caac apply`: placeholder object ids (the starter
/// `tenant.yaml`'s made-up ids, [`check::PLACEHOLDER_PREFIX`]) must never
/// reach a tenant. Refuses (exit 2) naming each and saying to put the real
/// ids in; `None` lets the command run. Also echoes the `breakGlassOptOut`
/// warning, which the commands' own error-only reports would not show.
/// Other problems are left to the command's own checks, which report them.
fn deploy_preflight(opts: &check::Options, color: bool) -> Option<ExitStatus> {
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
