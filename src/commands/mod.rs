//! The command layer: one module per subcommand (or per small group), each
//! turning the clap arguments of [`crate::cli`] into the library's options,
//! calling the library, and deciding the exit status. [`run`] dispatches a
//! parsed command line; `main.rs` only parses, dispatches and exits.
//!
//! Contract: nothing outside `main.rs`, `lib.rs`, `cli.rs` and this module
//! imports `crate::cli` or `crate::commands` (a layering test,
//! `tests/cli/layering.rs`, enforces it),
//! so the library can be used, and tested, without the command line.
//! Exit codes are [`ExitStatus`]: 0 ok, 1 findings, 2 usage or input error.

use crate::check;
use crate::cli::{Cli, Color, Command, InputArgs, ResolveArgs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod build;
mod coverage;
mod deploy;
mod impact;
mod import;
mod init;
mod lint;
mod meta;
mod monitor;
mod promote;
mod readiness;
mod replay;
mod report;
mod test;
mod whatif;

use deploy::DeployCommand;

/// How a command ended: the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success: nothing to report, or the product was written.
    Ok = 0,
    /// Findings: a rule or lockout error, a failing scenario, a coverage
    /// gap, impact, changes to plan.
    Findings = 1,
    /// Usage or input error: unreadable, malformed or unresolvable input,
    /// an unwritable output, a Graph error.
    Error = 2,
}

impl From<ExitStatus> for u8 {
    fn from(s: ExitStatus) -> u8 {
        s as u8
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(u8::from(s))
    }
}

impl From<u8> for ExitStatus {
    /// 0 and 1 as themselves; any other code is an error.
    fn from(code: u8) -> ExitStatus {
        match code {
            0 => ExitStatus::Ok,
            1 => ExitStatus::Findings,
            _ => ExitStatus::Error,
        }
    }
}

/// Short names the command bodies use.
pub(crate) const OK: ExitStatus = ExitStatus::Ok;
/// A rule reported an error-severity finding (or a scenario failed, …).
pub(crate) const FINDINGS: ExitStatus = ExitStatus::Findings;
/// Usage or input error.
pub(crate) const INPUT_ERROR: ExitStatus = ExitStatus::Error;

/// [`crate::emit::print_stdout`] as an exit status.
fn print_stdout(s: &str) -> ExitStatus {
    ExitStatus::from(crate::emit::print_stdout(s))
}

/// A command's product: printed to stdout, or with `-o/--output FILE`
/// written atomically to FILE, which must not be one of `inputs` (the files
/// the product is about). An unwritable output is exit 2.
pub(crate) fn deliver(text: &str, output: Option<&Path>, inputs: &[PathBuf]) -> ExitStatus {
    let Some(path) = output else {
        return print_stdout(text);
    };
    let target = path.canonicalize().ok();
    let result = if target.is_some() && inputs.iter().any(|i| i.canonicalize().ok() == target) {
        Err("it is one of the inputs; choose another --output path".to_owned())
    } else {
        crate::emit::write_file(path, text.as_bytes()).map_err(|e| e.to_string())
    };
    match result {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", check::display(path));
            INPUT_ERROR
        }
    }
}

/// [`deliver`] for a product written piece by piece by `write` (`caac
/// replay -f json`, whose per-sign-in objects are streamed): with
/// `-o/--output FILE` the file appears whole or not at all (a temporary
/// sibling renamed over it); on stdout the bytes go out as they are
/// written, so a failure while writing (a full disk behind a redirect)
/// leaves the output cut short, reported on stderr with exit 2. A closed
/// pipe is not an error, as for [`deliver`].
pub(crate) fn deliver_with(
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    output: Option<&Path>,
    inputs: &[PathBuf],
) -> ExitStatus {
    let Some(path) = output else {
        let mut out = anstream::AutoStream::auto(std::io::stdout().lock());
        return match write(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
            Ok(()) => OK,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
            Err(e) => {
                eprintln!("error: cannot write to stdout (the output is incomplete): {e}");
                INPUT_ERROR
            }
        };
    };
    let target = path.canonicalize().ok();
    let result = if target.is_some() && inputs.iter().any(|i| i.canonicalize().ok() == target) {
        Err("it is one of the inputs; choose another --output path".to_owned())
    } else {
        crate::emit::write_file_with(path, write).map_err(|e| e.to_string())
    };
    match result {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", check::display(path));
            INPUT_ERROR
        }
    }
}

/// The global output settings every command obeys, decided once from the
/// top-level flags ([`Cli`]) and the environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Ui {
    /// Escape codes may go to stdout (the product).
    pub stdout_color: bool,
    /// Escape codes may go to stderr (diagnostics, notes).
    pub stderr_color: bool,
    /// `-q`: findings only, no notes or summary lines.
    pub quiet: bool,
    /// `-v`: timings, skipped rules, resolved paths, files used.
    pub verbose: bool,
}

static UI: std::sync::OnceLock<Ui> = std::sync::OnceLock::new();

/// The settings of this run ([`Ui::default`], all off, before [`run`]).
pub(crate) fn ui() -> Ui {
    UI.get().copied().unwrap_or_default()
}

impl Ui {
    /// Colour is decided per stream by anstream's rules: `--color
    /// always|never` wins; under `auto`, a non-empty `NO_COLOR` turns it
    /// off (<https://no-color.org>), a non-empty `CLICOLOR_FORCE` on
    /// (<https://bixense.com/clicolors/>), and otherwise a stream is
    /// coloured only when it is a terminal. So `caac lint > out.txt` writes
    /// plain text while its stderr on the terminal stays coloured.
    fn decide(cli: &Cli) -> Ui {
        use anstream::{AutoStream, ColorChoice};
        let choice = match cli.color {
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
            Color::Auto => ColorChoice::Auto,
        };
        // Global so every anstream writer (print_stdout) agrees.
        choice.write_global();
        Ui {
            stdout_color: AutoStream::choice(&std::io::stdout()) != ColorChoice::Never,
            stderr_color: AutoStream::choice(&std::io::stderr()) != ColorChoice::Never,
            quiet: cli.quiet,
            verbose: cli.verbose,
        }
    }
}

/// Prints a verbose-only line (`-v`) to stderr.
pub(crate) fn verbose(line: std::fmt::Arguments) {
    if ui().verbose {
        eprintln!("{}", style_prefix(&line.to_string(), "verbose:"));
    }
}

/// A note or summary line on stderr ("wrote 3 files"), left out under `-q`.
pub(crate) fn note(line: std::fmt::Arguments) {
    if !ui().quiet {
        eprintln!("{line}");
    }
}

/// `-v`: what the check stages read and how long each took.
pub(crate) fn report_checked(c: &check::Checked) {
    if !ui().verbose {
        return;
    }
    let none = "none".to_owned();
    verbose(format_args!(
        "config: {}",
        c.config_path.as_ref().unwrap_or(&none)
    ));
    verbose(format_args!(
        "tenant: {}",
        c.tenant_path.as_ref().unwrap_or(&none)
    ));
    let paths: Vec<String> = c.paths.iter().map(|p| check::display(p)).collect();
    verbose(format_args!("policy paths: {}", paths.join(", ")));
    for f in &c.files {
        verbose(format_args!("read {}", check::display(&f.path)));
    }
    for path in &c.objects_read {
        verbose(format_args!("read {path}"));
    }
    for (id, reason) in &c.skipped {
        verbose(format_args!("skipped rule {id}: {reason}"));
    }
    for (stage, took) in &c.timings {
        verbose(format_args!(
            "{stage}: {:.1} ms",
            took.as_secs_f64() * 1000.0
        ));
    }
}

/// `error:`/`note:`/`verbose:` prefixes styled for a coloured stderr.
fn style_prefix(line: &str, prefix: &str) -> String {
    if !ui().stderr_color {
        return format!("{prefix} {line}");
    }
    let style = match prefix {
        "error:" => anstyle::AnsiColor::Red.on_default().bold(),
        _ => anstyle::Style::new().bold(),
    };
    format!("{style}{prefix}{style:#} {line}")
}

/// Runs a parsed command line; returns its exit status.
pub fn run(cli: Cli) -> ExitStatus {
    let ui = Ui::decide(&cli);
    let _ = UI.set(ui);
    let color = ui.stderr_color;
    match cli.command {
        Command::Build(args) => build::run(&args, color),
        Command::Lint(args) => lint::run(&args, color),
        Command::Import(args) => import::run(&args, color),
        Command::Whatif(args) => whatif::run(&args, color),
        Command::Test(args) => test::run(&args, color),
        Command::Pull(args) => deploy::run(DeployCommand::Pull(&args), color),
        Command::Plan(args) => deploy::run(DeployCommand::Plan(&args), color),
        Command::Apply(args) => deploy::run(DeployCommand::Apply(&args), color),
        Command::Coverage(args) => coverage::run(&args, color),
        Command::Promote(args) => promote::run(&args, color),
        Command::Impact(args) => impact::run(&args, color),
        Command::Replay(args) => replay::run(&args, color),
        Command::Readiness(cmd) => readiness::run(&cmd, color),
        Command::Monitor(args) => monitor::run(&args, color),
        Command::Report(args) => report::run(&args, color),
        Command::Rules { format } => meta::rules(format),
        Command::Init(args) => init::run(&args),
        Command::Completions { shell } => meta::completions(shell),
        Command::Schema { kind } => meta::schema(kind),
        Command::Explain { rule } => meta::explain(&rule),
    }
}

/// The policy paths a command reads: the positional PATHS, plus any given
/// with the hidden old spelling `--policies`; `policies` when none is given.
pub(crate) fn policy_paths(input: &InputArgs) -> Vec<PathBuf> {
    let paths: Vec<PathBuf> = input.paths.iter().chain(&input.policies).cloned().collect();
    if paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        paths
    }
}

/// The library's [`check::Inputs`] from the shared clap arguments.
pub(crate) fn inputs(input: &InputArgs) -> check::Inputs {
    check::Inputs {
        paths: policy_paths(input),
        tenant: input.resolve.tenant.clone(),
        config: input.resolve.config.clone(),
        break_glass: input.resolve.break_glass.clone(),
    }
}

/// The check stages' options: `paths` (from [`policy_paths`]) and the
/// shared `--tenant`, `--config` and `--break-glass`.
pub(crate) fn options<'a>(
    paths: &'a [PathBuf],
    resolve: &'a ResolveArgs,
    partial: bool,
) -> check::Options<'a> {
    check::Options {
        paths,
        tenant: resolve.tenant.clone(),
        break_glass: &resolve.break_glass,
        config: resolve.config.clone(),
        partial,
    }
}

/// Prints the errors that make policies unreadable (lint findings do not
/// matter here) and returns exit 2, or `None` when there are none. `undone`
/// says what the command did not do ("generated", "analysed").
pub(crate) fn input_errors(
    checked: &check::Checked,
    color: bool,
    undone: &str,
) -> Option<ExitStatus> {
    let reports = checked.input_errors();
    if reports.is_empty() {
        return None;
    }
    eprint!("{}", crate::render::human(&reports, color));
    eprintln!("error: the policies are invalid; nothing was {undone}");
    Some(INPUT_ERROR)
}

/// Runs the check stages (load → validate → resolve → lint) for a command,
/// or prints why they could not start (no policy files, an unreadable
/// path) and gives `None`: the caller exits with [`ExitStatus::Error`].
/// The one copy of the "check → error → exit 2" step every command shares.
pub(crate) fn check_stages(opts: &check::Options) -> Option<check::Checked> {
    match check::check(opts) {
        Ok(c) => {
            report_checked(&c);
            Some(c)
        }
        Err(message) => {
            eprintln!("{}", style_prefix(&message, "error:"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus;

    /// The documented exit codes (`caac --help`): 0 ok, 1 findings, 2 usage
    /// or input error; any other code a library step returns is an error.
    #[test]
    fn exit_status_codes() {
        assert_eq!(u8::from(ExitStatus::Ok), 0);
        assert_eq!(u8::from(ExitStatus::Findings), 1);
        assert_eq!(u8::from(ExitStatus::Error), 2);
        for code in 0..=2u8 {
            assert_eq!(u8::from(ExitStatus::from(code)), code);
        }
        assert_eq!(ExitStatus::from(101), ExitStatus::Error);
    }
}
