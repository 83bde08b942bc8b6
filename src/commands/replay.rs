//! `caac replay`: real sign-in logs through the what-if engine. Loads the
//! head policies (and the base: a directory, or a git revision extracted
//! like `caac impact --base` by [`crate::impact::extract`]), the members
//! file and the lock, streams every `--signins` file through
//! [`crate::signins::read`], and hands each record to
//! [`crate::signins::replay::Replayer`]. Exit 0 no change and no
//! self-check disagreement, 1 changes (newly blocked / prompted /
//! unprotected) or disagreements, 2 input errors (policies, members file,
//! a sign-in file that cannot be read to its end; nothing is printed on
//! stdout then).
//!
//! With `--kql` nothing is replayed here: the command writes the one KQL
//! query ([`crate::signins::kql`]) that computes the same verdicts and
//! aggregates in Log Analytics, to stdout or `-o FILE` (atomically). Exit 0
//! written, 2 input errors (`--kql` with `--signins` is a usage error, 2).

use super::{ExitStatus, FINDINGS, INPUT_ERROR, OK, deliver, deliver_with, options, policy_paths};
use crate::check;
use crate::cli::{ImpactFormat, ReplayArgs};
use crate::deploy::lock::Lock;
use crate::impact::{TempDir, extract};
use crate::render;
use crate::signins::members::Members;
use crate::signins::read::{Dialect, Event, read};
use crate::signins::replay::{Change, PolicySet, Replayer, Report, SignIns, Spool, skip};
use crate::signins::{Record, kql};
use std::path::{Path, PathBuf};

/// `caac replay`.
pub(crate) fn run(args: &ReplayArgs, color: bool) -> ExitStatus {
    match evaluate(args, color) {
        Ok((product, findings, inputs)) => {
            let code = match product {
                Product::Text(text) => deliver(&text, args.output.as_deref(), &inputs),
                Product::Json(report, spool) => {
                    let mut spool = Some(spool);
                    deliver_with(
                        &mut |out| report.write_json(spool.take(), out),
                        args.output.as_deref(),
                        &inputs,
                    )
                }
            };
            match code {
                OK if findings => FINDINGS,
                code => code,
            }
        }
        Err(code) => code,
    }
}

fn load(
    paths: &[PathBuf],
    args: &ReplayArgs,
    color: bool,
    rename: &dyn Fn(&str) -> String,
) -> Result<check::Checked, ExitStatus> {
    let opts = options(paths, &args.input.resolve, true);
    let checked = check::check(&opts).map_err(|message| {
        eprintln!("error: {}", rename(&message));
        INPUT_ERROR
    })?;
    let mut reports = checked.input_errors();
    for r in &mut reports {
        r.path = rename(&r.path);
    }
    if !reports.is_empty() {
        for r in &mut reports {
            r.sort();
        }
        eprint!("{}", render::human(&reports, color));
        return Err(INPUT_ERROR);
    }
    Ok(checked)
}

/// The live id of every head policy, in [`check::Checked::policy_refs`]
/// order: the spec's `id`, else its `caac.lock` entry (keyed by the spec
/// path as `caac apply` was given it, `#pointer` for one policy of an export).
fn live_ids(checked: &check::Checked, lock: &Lock) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for f in &checked.files {
        for u in &f.units {
            let Some(p) = &u.policy else { continue };
            let key = match u.at.as_str() {
                "" => check::display(&f.path),
                at => format!("{}#{at}", check::display(&f.path)),
            };
            let entry = lock.policies.get(&key).or_else(|| {
                let me = f.path.canonicalize().ok()?;
                lock.policies.iter().find_map(|(k, e)| {
                    let (path, at) = k.split_once('#').unwrap_or((k, ""));
                    (at == u.at && Path::new(path).canonicalize().ok().as_ref() == Some(&me))
                        .then_some(e)
                })
            });
            out.push(
                p.id.clone()
                    .or_else(|| entry.map(|e| e.id.clone()))
                    .map(|s| s.to_ascii_lowercase()),
            );
        }
    }
    out
}

/// What `caac replay` delivers.
enum Product {
    /// The text or markdown report.
    Text(String),
    /// The JSON report's aggregates and its streamed per-sign-in objects:
    /// written out by [`Report::write_json`], never held whole in memory.
    Json(Box<Report>, Spool),
}

/// The head policies and, with `--base`, the base (`Some(None)`: the base
/// has none of the PATHS).
fn load_sides(
    args: &ReplayArgs,
    color: bool,
) -> Result<(check::Checked, Option<Option<check::Checked>>), ExitStatus> {
    let head_paths = policy_paths(&args.input);
    let head = load(&head_paths, args, color, &|s: &str| s.to_owned()).inspect_err(|_| {
        eprintln!("error: the policies are invalid; nothing was replayed");
    })?;
    let tmp;
    let base = match &args.base {
        None => None,
        Some(b) => {
            let base_dir = Path::new(b);
            let (paths, root): (Vec<PathBuf>, Option<String>) = if base_dir.is_dir() {
                (head_paths.iter().map(|p| base_dir.join(p)).collect(), None)
            } else {
                tmp = TempDir::new().map_err(|e| {
                    eprintln!("error: {e}");
                    INPUT_ERROR
                })?;
                let paths = extract(b, &head_paths, &tmp.0).map_err(|e| {
                    eprintln!("error: {e}");
                    INPUT_ERROR
                })?;
                (paths, Some(format!("{}/", tmp.0.display())))
            };
            let rev = b.clone();
            let rename = move |s: &str| match &root {
                Some(r) => s.replace(r.as_str(), &format!("{rev}:")),
                None => s.to_owned(),
            };
            if paths.is_empty() {
                Some(None)
            } else {
                Some(Some(load(&paths, args, color, &rename).inspect_err(
                    |_| {
                        eprintln!(
                            "error: the base policies ({b}) are invalid; nothing was replayed"
                        );
                    },
                )?))
            }
        }
    };
    Ok((head, base))
}

fn read_members(args: &ReplayArgs) -> Result<Option<Members>, ExitStatus> {
    match &args.members {
        None => Ok(None),
        Some(p) => Members::read(p).map(Some).map_err(|e| {
            eprintln!("error: {}: {e}", check::display(p));
            INPUT_ERROR
        }),
    }
}

/// `caac replay --kql`: the query ([`crate::signins::kql`]); the inputs
/// are the policy files (and the members file).
fn write_kql(args: &ReplayArgs, color: bool) -> Result<(String, bool, Vec<PathBuf>), ExitStatus> {
    let window = kql::parse_window(args.kql_window.as_deref().unwrap_or(kql::DEFAULT_WINDOW))
        .map_err(|e| {
            eprintln!("error: --kql-window: {e}");
            INPUT_ERROR
        })?;
    let (head, base) = load_sides(args, color)?;
    let members = read_members(args)?;
    let head_refs = head.policy_refs();
    let base_refs = base.as_ref().map(|b| {
        b.as_ref()
            .map(check::Checked::policy_refs)
            .unwrap_or_default()
    });
    let q = kql::query(
        &head_refs,
        base_refs.as_deref(),
        head.tenant.as_ref(),
        members.as_ref(),
        &window,
    );
    for w in &q.warnings {
        eprintln!("warning: {w}");
    }
    let inputs = head
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain(args.members.iter().cloned())
        .collect();
    Ok((q.text, false, inputs))
}

#[allow(clippy::type_complexity)]
fn evaluate(args: &ReplayArgs, color: bool) -> Result<(Product, bool, Vec<PathBuf>), ExitStatus> {
    if args.kql {
        return write_kql(args, color).map(|(text, f, i)| (Product::Text(text), f, i));
    }
    if args.kql_window.is_some() {
        eprintln!(
            "error: --kql-window sets the time window of the --kql query: add --kql, or drop --kql-window"
        );
        return Err(INPUT_ERROR);
    }
    let (head, base) = load_sides(args, color)?;
    let members = read_members(args)?;
    let lock = Lock::read(&args.lock).map_err(|e| {
        eprintln!("error: {e}");
        INPUT_ERROR
    })?;
    let tenant = head.tenant.as_ref();
    let head_set = PolicySet::new(head.policy_refs(), tenant);
    let base_set = base.as_ref().map(|b| {
        PolicySet::new(
            b.as_ref()
                .map(check::Checked::policy_refs)
                .unwrap_or_default(),
            tenant,
        )
    });
    let mut replayer = Replayer::new(
        head_set,
        base_set,
        live_ids(&head, &lock),
        members.as_ref(),
        if args.format == ImpactFormat::Json {
            SignIns::Stream(Spool::new().map_err(|e| {
                eprintln!(
                    "error: cannot create a temporary file for the per-sign-in report in {}: {e}; set TMPDIR to a writable directory",
                    std::env::temp_dir().display()
                );
                INPUT_ERROR
            })?)
        } else {
            SignIns::Drop
        },
    );
    let mut failed = false;
    for path in &args.signins {
        let name = check::display(path);
        let result = read(path, &mut |event| match event {
            Event::Record { line, fields } => {
                let at = format!("{name}:{line}");
                match Record::from_fields(&fields) {
                    Ok(r) => replayer.record(&at, &r),
                    Err(e) => replayer.skip(&at, skip::UNREADABLE, &e),
                }
            }
            Event::Skipped {
                line,
                kind,
                message,
            } => replayer.skip(&format!("{name}:{line}"), kind, &message),
        });
        match result {
            Ok(Dialect::Empty) => eprintln!("warning: {name}: no sign-in records"),
            Ok(_) => {}
            Err(e) => {
                failed = true;
                let at = match (e.line, e.column) {
                    (Some(l), Some(c)) => format!("{name}:{l}:{c}"),
                    (Some(l), None) => format!("{name}:{l}"),
                    _ => name.clone(),
                };
                eprintln!(
                    "error: {at}: {}; fix or re-export the file (records before this point were read, nothing was reported)",
                    e.message
                );
            }
        }
    }
    if failed {
        return Err(INPUT_ERROR);
    }
    let (report, sign_ins) = replayer.finish();
    for ex in &report.skipped_examples {
        eprintln!("warning: skipped {ex}");
    }
    let more = report.skipped_total() - report.skipped_examples.len() as u64;
    if more > 0 {
        eprintln!("warning: … and {more} more skipped records (counted by reason in the report)");
    }
    let text = match args.format {
        ImpactFormat::Human => Some(report.human()),
        ImpactFormat::Json => None,
        ImpactFormat::Markdown => Some(report.markdown()),
    };
    let changed = report
        .changes
        .iter()
        .any(|(c, n)| *c != Change::Undetermined && *n > 0);
    let findings = changed || !report.disagreements.is_empty();
    let inputs = head
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain(args.signins.iter().cloned())
        .collect();
    let product = match text {
        Some(text) => Product::Text(text),
        None => match sign_ins {
            SignIns::Stream(spool) => Product::Json(Box::new(report), spool),
            // Not reached: JSON output always streams (above).
            _ => Product::Text(crate::emit::pretty(&report.json())),
        },
    };
    Ok((product, findings, inputs))
}
