//! `caac pull`, `caac plan`, `caac apply`: the commands that talk to
//! Microsoft Graph ([`crate::deploy`]). Plan and apply first refuse the
//! starter tenant file's placeholder object ids (exit 2, nothing sent).

use super::{ExitStatus, OK, deliver, note, options, policy_paths, report_checked, verbose};

pub(crate) enum DeployCommand<'a> {
    Pull(&'a crate::cli::PullArgs),
    Plan(&'a crate::cli::PlanArgs),
    Apply(&'a crate::cli::ApplyArgs),
}

/// `caac pull`, `caac plan`, `caac apply` (see `crate::deploy`).
pub(crate) fn run(cmd: DeployCommand, color: bool) -> ExitStatus {
    use crate::deploy;
    // (config, whether its errors are reported by the command's own check)
    let (config, checked) = match &cmd {
        DeployCommand::Pull(_) => (None, false),
        DeployCommand::Plan(a) => (a.input.resolve.config.as_deref(), true),
        DeployCommand::Apply(a) => (a.input.resolve.config.as_deref(), true),
    };
    let graph = match &cmd {
        DeployCommand::Pull(a) => &a.graph,
        DeployCommand::Plan(a) => &a.graph,
        DeployCommand::Apply(a) => &a.graph,
    };
    let cloud = match cloud(graph, config, color) {
        Ok(c) => c,
        // Plan and apply check the repository, config included, before they
        // connect: its diagnostics (with positions) are the one message.
        Err(_) if checked => crate::deploy::auth::Cloud::default(),
        Err(e) => {
            eprint!("{e}");
            return ExitStatus::from(2);
        }
    };
    let conn = |g: &crate::cli::GraphArgs| deploy::Connection {
        base: base(g, cloud),
        auth: g.auth,
        cloud,
        quiet: super::ui().quiet,
        pace: g.pace,
        timeout: g.timeout,
    };
    // Placeholder ids, missing break-glass accounts and the lockout gate are
    // checked once, in deploy's own check of the repository (`deploy::repo`).
    let observe = |c: &crate::check::Checked| report_checked(c);
    let code = match cmd {
        DeployCommand::Pull(a) => {
            // `-v`: pull runs no check stages, so what it uses is said here:
            // the Graph origin (never a userinfo part), the files it writes
            // and how long it took.
            let origin = url::Url::parse(&base(&a.graph, cloud))
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|_| "(not a URL)".to_owned());
            verbose(format_args!("graph: {origin}"));
            verbose(format_args!("output: {}", crate::check::display(&a.output)));
            verbose(format_args!("tenant: {}", crate::check::display(&a.tenant)));
            let started = std::time::Instant::now();
            let code = deploy::pull(&conn(&a.graph), &a.output, Some(&a.tenant));
            verbose(format_args!(
                "pull: {:.1} ms",
                started.elapsed().as_secs_f64() * 1000.0
            ));
            code
        }
        DeployCommand::Plan(a) => {
            let planned = deploy::plan_command(
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
                &observe,
            );
            return match planned {
                Err(code) => ExitStatus::from(code),
                Ok(p) => plan_done(&p, a.output.as_deref()),
            };
        }
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
            &observe,
        ),
    };
    ExitStatus::from(code)
}

/// `--graph-url`, else the cloud's Graph service root.
fn base(g: &crate::cli::GraphArgs, cloud: crate::deploy::auth::Cloud) -> String {
    g.graph_url
        .clone()
        .unwrap_or_else(|| cloud.graph().to_owned())
}

/// `--cloud`, else `deploy.cloud` in the config (`--config`, or the
/// `.caac.yaml` found from the working directory up), else public. `Err`
/// (the config's diagnostics, rendered) when the config does not load, so
/// the cloud it may name is unknown.
fn cloud(
    g: &crate::cli::GraphArgs,
    config: Option<&std::path::Path>,
    color: bool,
) -> Result<crate::deploy::auth::Cloud, String> {
    if let Some(c) = g.cloud {
        return Ok(c);
    }
    let path = match config {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| crate::check::discover_config(&d)),
    };
    let Some(path) = path else {
        return Ok(crate::deploy::auth::Cloud::default());
    };
    match crate::check::load_config(&path) {
        (Some(file), _) => Ok(file.deploy.and_then(|d| d.cloud).unwrap_or_default()),
        (None, report) => Err(format!(
            "{}note: nothing was sent: the cloud `deploy.cloud` names is unknown until {} loads (or pass --cloud)\n",
            crate::render::human(std::slice::from_ref(&report), color),
            report.path
        )),
    }
}

/// The plan is `caac plan`'s product: stdout, or `-o FILE` (never one of
/// the plan's inputs). Exit 1 when it changes anything, 2 when it cannot
/// be written.
fn plan_done(p: &crate::deploy::PlanOutput, output: Option<&std::path::Path>) -> ExitStatus {
    let written = deliver(&p.text, output, &p.inputs);
    if written != OK {
        return written;
    }
    if p.lint_errors > 0 {
        eprintln!(
            "note: {} lint error(s) above: `caac apply` will refuse to run until they are fixed",
            p.lint_errors
        );
    }
    if let Some(path) = output {
        note(format_args!(
            "wrote the plan to {}",
            crate::check::display(path)
        ));
    }
    if p.has_changes { super::FINDINGS } else { OK }
}
