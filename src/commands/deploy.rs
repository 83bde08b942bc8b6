//! `caac pull`, `caac plan`, `caac apply`: the commands that talk to
//! Microsoft Graph ([`crate::deploy`]). The library returns what happened
//! (or a [`Stop`] saying why it stopped); this layer prints it and chooses
//! the exit status. Plan and apply first refuse the starter tenant file's
//! placeholder object ids (exit 2, nothing sent).

use super::{
    ExitStatus, FINDINGS, INPUT_ERROR, OK, deliver, note, options, policy_paths, report_checked,
    ui, verbose,
};
use crate::deploy::{self, Stop};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub(crate) enum DeployCommand<'a> {
    Pull(&'a crate::cli::PullArgs),
    Plan(&'a crate::cli::PlanArgs),
    Apply(&'a crate::cli::ApplyArgs),
}

/// Prints why a deploy command stopped: exit 1 for a refusal on findings,
/// 2 for an error.
fn stopped(s: &Stop) -> ExitStatus {
    eprint!("{}", s.text);
    if s.findings { FINDINGS } else { INPUT_ERROR }
}

/// `caac pull`, `caac plan`, `caac apply` (see `crate::deploy`).
pub(crate) fn run(cmd: DeployCommand, color: bool) -> ExitStatus {
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
            return INPUT_ERROR;
        }
    };
    let conn = deploy::Connection {
        base: base(graph, cloud),
        auth: graph.auth,
        cloud,
        quiet: ui().quiet,
        pace: graph.pace,
        timeout: graph.timeout,
    };
    match cmd {
        DeployCommand::Pull(a) => pull(a, &conn),
        DeployCommand::Plan(a) => plan(a, &conn, color),
        DeployCommand::Apply(a) => apply(a, &conn, color),
    }
}

fn pull(a: &crate::cli::PullArgs, conn: &deploy::Connection) -> ExitStatus {
    // `-v`: pull runs no check stages, so what it uses is said here:
    // the Graph origin (never a userinfo part), the files it writes
    // and how long it took.
    let origin = url::Url::parse(&conn.base)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| "(not a URL)".to_owned());
    verbose(format_args!("graph: {origin}"));
    verbose(format_args!("output: {}", crate::check::display(&a.output)));
    verbose(format_args!("tenant: {}", crate::check::display(&a.tenant)));
    let started = std::time::Instant::now();
    let code = match deploy::pull(
        conn,
        &a.output,
        Some(&a.tenant),
        a.members.as_deref(),
        a.specs.as_deref(),
    ) {
        Err(s) => stopped(&s),
        Ok(p) => {
            eprintln!(
                "pulled {} polic{}, {} named location(s), {} authentication strength(s) into {}",
                p.policies,
                if p.policies == 1 { "y" } else { "ies" },
                p.named_locations,
                p.strengths,
                crate::check::display(&p.out)
            );
            for n in &p.spec_notes {
                eprintln!("note: {n}");
            }
            for (dir, n) in &p.specs {
                eprintln!("wrote {n} spec(s) into {}", crate::check::display(dir));
            }
            let members = match &p.members {
                None => OK,
                Some(Err(s)) => stopped(s),
                Some(Ok((path, groups, roles))) => {
                    eprintln!(
                        "wrote the members of {groups} group(s) and {roles} role(s) into {}",
                        crate::check::display(path)
                    );
                    OK
                }
            };
            let tenant = match &p.tenant {
                Err(s) => stopped(s),
                Ok(u) => {
                    for c in &u.clashes {
                        eprintln!("warning: {c}");
                    }
                    if u.added > 0 {
                        eprintln!(
                            "{} {}: {} id(s) learned{}",
                            if u.existed { "updated" } else { "wrote" },
                            crate::check::display(&u.path),
                            u.added,
                            if u.comments_lost {
                                " (its comments were not kept: review the diff)"
                            } else {
                                ""
                            }
                        );
                    }
                    OK
                }
            };
            // The worse of the two: an error in either is exit 2.
            if members != OK { members } else { tenant }
        }
    };
    verbose(format_args!(
        "pull: {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    ));
    code
}

/// The plan format: `-f`, else from the `-o` file's extension (`.json` is
/// a saved plan, `.md` Markdown), else human.
fn plan_format(a: &crate::cli::PlanArgs) -> deploy::Format {
    use crate::cli::PlanFormat;
    let ext = a
        .output
        .as_deref()
        .and_then(Path::extension)
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let f = a.format.unwrap_or(match ext.as_deref() {
        Some("json") => PlanFormat::Json,
        Some("md" | "markdown") => PlanFormat::Markdown,
        _ => PlanFormat::Human,
    });
    match f {
        PlanFormat::Human => deploy::Format::Human,
        PlanFormat::Json => deploy::Format::Json,
        PlanFormat::Markdown => deploy::Format::Markdown,
    }
}

fn plan(a: &crate::cli::PlanArgs, conn: &deploy::Connection, color: bool) -> ExitStatus {
    // Placeholder ids, missing break-glass accounts and the lockout gate are
    // checked once, in deploy's own check of the repository.
    let observe = |c: &crate::check::Checked| report_checked(c);
    let planned = deploy::plan_command(
        &options(&policy_paths(&a.input), &a.input.resolve, a.partial),
        conn,
        &deploy::PlanOptions {
            state: a.state.as_deref(),
            lock: &a.lock,
            prune: a.prune,
            format: plan_format(a),
            verbose: ui().verbose,
        },
        color,
        &observe,
    );
    match planned {
        Err(s) => stopped(&s),
        Ok(p) => {
            eprint!("{}", p.report);
            plan_done(&p, a.output.as_deref(), a.fail_on_unmanaged)
        }
    }
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
/// the plan's inputs). Exit 1 when it changes anything (or, with
/// `--fail-on-unmanaged`, when the tenant has unmanaged policies), 2 when
/// it cannot be written.
fn plan_done(
    p: &crate::deploy::PlanOutput,
    output: Option<&Path>,
    fail_on_unmanaged: bool,
) -> ExitStatus {
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
    if fail_on_unmanaged && p.unmanaged > 0 {
        eprintln!(
            "error: the tenant has {} polic{} the repository does not manage (listed as unmanaged); --fail-on-unmanaged fails the plan",
            p.unmanaged,
            if p.unmanaged == 1 { "y" } else { "ies" }
        );
        return FINDINGS;
    }
    if p.has_changes { FINDINGS } else { OK }
}

/// The saved plan `caac apply` is asked to run: `--plan FILE`, or a single
/// positional path that is one. `Err` for a combination that cannot mean
/// anything (a saved plan decides what is applied).
fn saved_plan(a: &crate::cli::ApplyArgs) -> Result<Option<PathBuf>, String> {
    let positional: Vec<&PathBuf> = a.input.paths.iter().chain(&a.input.policies).collect();
    let file = match (&a.plan, positional.as_slice()) {
        (Some(p), []) => p.clone(),
        (Some(_), _) => {
            return Err(
                "--plan applies a saved plan: give no policy paths with it (the plan holds every request)"
                    .into(),
            );
        }
        (None, [one]) if deploy::saved::is_plan(one) => (*one).clone(),
        (None, _) => return Ok(None),
    };
    for (given, flag) in [
        (a.prune, "--prune"),
        (a.state.is_some(), "--state"),
        (a.partial, "--partial"),
        // Names were resolved and the lockout gate run when the plan was
        // made; a tenant file or break-glass account given now would
        // change nothing, so it is refused rather than silently ignored.
        (a.input.resolve.tenant.is_some(), "--tenant"),
        (!a.input.resolve.break_glass.is_empty(), "--break-glass"),
    ] {
        if given {
            return Err(format!(
                "{flag} changes how a plan is made; a saved plan is applied as it was made: make a new plan with {flag} instead"
            ));
        }
    }
    Ok(Some(file))
}

fn apply(a: &crate::cli::ApplyArgs, conn: &deploy::Connection, color: bool) -> ExitStatus {
    let observe = |c: &crate::check::Checked| report_checked(c);
    let saved = match saved_plan(a) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return INPUT_ERROR;
        }
    };
    let opts = deploy::ApplyOptions {
        dry_run: a.dry_run,
        prune: a.prune,
        lock: &a.lock,
        state: a.state.as_deref(),
    };
    let prepared = match &saved {
        Some(file) => deploy::prepare_saved(file, conn, &opts),
        None => deploy::prepare_apply(
            &options(&policy_paths(&a.input), &a.input.resolve, a.partial),
            conn,
            &opts,
            color,
            &observe,
        ),
    };
    let mut prepared = match prepared {
        Ok(p) => p,
        Err(s) => return stopped(&s),
    };
    eprint!("{}", prepared.report);
    for w in &prepared.warnings {
        eprintln!("warning: {w}");
    }
    if a.dry_run {
        return super::print_stdout(&prepared.dry_run());
    }
    if let Err(s) = prepared.record_adoptions() {
        return stopped(&s);
    }
    let human = deploy::plan::human(&prepared.plan, ui().verbose);
    if prepared.writes() == 0 {
        eprintln!("No changes. {}", human.lines().last().unwrap_or_default());
        return OK;
    }
    eprint!("{human}");
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            eprintln!(
                "error: apply changes the tenant: pass --yes to confirm (or --dry-run to see the requests)"
            );
            return INPUT_ERROR;
        }
        eprint!(
            "Apply {} change(s) to the tenant? Type yes: ",
            prepared.writes()
        );
        let mut answer = String::new();
        if std::io::stdin().read_line(&mut answer).is_err() || answer.trim() != "yes" {
            eprintln!("cancelled; nothing was sent");
            return FINDINGS;
        }
    }
    let tty = std::io::stderr().is_terminal();
    let applied = deploy::execute(prepared, &mut |e| progress(&e, tty));
    if let Some(f) = &applied.failed {
        if tty {
            eprintln!();
        }
        eprintln!("error: {}", write_failure(f));
        eprintln!(
            "{} of {} change(s) applied; caac.lock records them: {}",
            applied.done,
            applied.total,
            if saved.is_some() {
                "make a new plan and apply it to finish"
            } else {
                "run `caac apply` again to finish"
            }
        );
        return INPUT_ERROR;
    }
    if tty {
        eprintln!(
            "\r[{}] {}/{}{:<40}",
            "#".repeat(30),
            applied.total,
            applied.total,
            ""
        );
    }
    eprintln!("applied {} change(s)", applied.done);
    if applied.mismatches > 0 { FINDINGS } else { OK }
}

/// Progress of `caac apply` on stderr: a bar when stderr is a terminal,
/// one line per write.
fn progress(e: &deploy::Event, tty: bool) {
    use deploy::Event;
    use deploy::plan::Action;
    match e {
        Event::Sending { k, total, item } => {
            if tty {
                let width = 30;
                let filled = width * k / total;
                eprint!(
                    "\r[{}{}] {k}/{total} {:<40.40}",
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    item.display_name
                );
            }
        }
        Event::Uncertain(why) => {
            eprintln!("note: {why}; checking whether the policy was created before retrying");
        }
        Event::Written { item, id } => match item.action {
            Action::Create | Action::Update => eprintln!(
                "{}  {}  \"{}\" ({id})",
                if item.action == Action::Create {
                    "created"
                } else {
                    "updated"
                },
                item.spec.as_deref().unwrap_or(""),
                item.display_name
            ),
            _ => eprintln!("deleted  \"{}\" ({id})", item.display_name),
        },
        Event::Differs { item, fields } => eprintln!(
            "warning: read-back of `{}` differs from the spec in {}: Graph changed or ignored part of the write",
            item.display_name,
            fields.join(", ")
        ),
    }
}

/// A failed write, naming the object (display name and spec file) and, when
/// Graph answered with an error, its `code` and `message` (Graph's error
/// body `{"error": {"code", "message"}}`:
/// <https://learn.microsoft.com/graph/errors>).
fn write_failure(f: &deploy::WriteFailure) -> String {
    use deploy::client::GraphError;
    let noun = deploy::objects::noun(f.kind);
    let what = format!(
        "{} {noun} \"{}\"{}",
        f.action.word(),
        f.display_name,
        f.spec
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    );
    match &f.error {
        GraphError::Status {
            method,
            url,
            status,
            code,
            message,
            ..
        } => format!(
            "could not {what}: Graph answered HTTP {status} {code}: {message} ({method} {url})"
        ),
        // The write happened; recording it did not (the lock file).
        GraphError::Config(why) => why.clone(),
        other => format!("could not {what}: {other}"),
    }
}
