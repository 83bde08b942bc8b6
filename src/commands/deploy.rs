//! `caac pull`, `caac plan`, `caac apply`: the commands that talk to
//! Microsoft Graph ([`crate::deploy`]). Plan and apply first refuse the
//! starter tenant file's placeholder object ids (exit 2, nothing sent).

use super::{ExitStatus, options, policy_paths};

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
    // Placeholder ids, missing break-glass accounts and the lockout gate are
    // checked once, in deploy's own check of the repository (`deploy::repo`).
    let code = match cmd {
        DeployCommand::Pull(a) => deploy::pull(&conn(&a.graph), &a.output, Some(&a.tenant)),
        DeployCommand::Plan(a) => deploy::plan_command(
            &options(&policy_paths(&a.input), &a.input.resolve, a.partial),
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
            &options(&policy_paths(&a.input), &a.input.resolve, a.partial),
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
