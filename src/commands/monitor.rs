//! `caac monitor`: one Log Analytics KQL file per policy
//! ([`crate::monitor::generate`]), each policy's id found from the spec or
//! the lock file, printed to stdout or written as one directory with a
//! manifest. Exit 2 on unreadable policies, an unknown policy or an
//! unwritable output.
//!
//! `-f json` makes the manifest the product on stdout, as `build -f json`
//! does: with `-o DIR` it is byte for byte `DIR/manifest.json`; without
//! `-o` there are no files, so each entry also carries its KQL as `query`.

use super::{ExitStatus, INPUT_ERROR, OK, check_stages, input_errors, inputs, print_stdout};
use crate::check;
use crate::cli::{MonitorArgs, MonitorFormat};
use crate::deploy::lock::Lock;
use crate::monitor::{Format, Lookback, Options, Target, comment_text, generate};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// `caac monitor`: the arguments as options, then the queries.
pub(crate) fn run(args: &MonitorArgs, color: bool) -> ExitStatus {
    match options_of(args) {
        Ok(o) => execute(&o, color),
        Err(e) => {
            eprintln!("error: {e}");
            INPUT_ERROR
        }
    }
}

/// The library's options from the command line; `Err`: an unreadable
/// `--lookback`.
fn options_of(args: &MonitorArgs) -> Result<Options, String> {
    Ok(Options {
        inputs: inputs(&args.input),
        policies: args.policy.clone(),
        lock: args.lock.clone(),
        lookback: Lookback::parse(&args.lookback)?,
        format: match args.format {
            MonitorFormat::Kql => Format::Kql,
            MonitorFormat::Json => Format::Json,
        },
        output: args.output.clone(),
    })
}

fn execute(o: &Options, color: bool) -> ExitStatus {
    let lookback = o.lookback;
    let paths = &o.inputs.paths;
    // Before this grammar, a positional POLICY could also be a displayName
    // (`caac monitor "Block legacy auth"`); say how to write that now
    // instead of a bare "no such file".
    if let Some(name) = paths.iter().find(|p| !p.exists()) {
        eprintln!(
            "error: {}: no such file or directory; to select a policy by displayName, use --policy {:?}",
            check::display(name),
            name.to_string_lossy()
        );
        return INPUT_ERROR;
    }
    let Some(checked) = check_stages(&o.inputs.options(true)) else {
        return INPUT_ERROR;
    };
    if let Some(code) = input_errors(&checked, color, "generated") {
        return code;
    }
    let lock = match Lock::read(&o.lock) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return INPUT_ERROR;
        }
    };
    let lock_name = check::display(&o.lock);
    // Lock keys are relative to where `caac apply` ran: the working directory.
    let lock_dir = PathBuf::from(".");
    // Every policy, in path order.
    let mut all: Vec<(PathBuf, Target)> = Vec::new();
    for f in &checked.files {
        for u in &f.units {
            let Some(p) = &u.policy else { continue };
            let key = match u.at.as_str() {
                "" => check::display(&f.path),
                at => format!("{}#{at}", check::display(&f.path)),
            };
            // The lock key is the path as `caac apply` was given it; the same
            // file named another way (`./policies/x.yaml`) still matches.
            let entry = lock.policies.get(&key).or_else(|| {
                let me = f.path.canonicalize().ok()?;
                lock.policies.iter().find_map(|(k, e)| {
                    let (path, at) = k.split_once('#').unwrap_or((k, ""));
                    (at == u.at && lock_dir.join(path).canonicalize().ok().as_ref() == Some(&me))
                        .then_some(e)
                })
            });
            let (id, id_source) = match (&p.id, entry) {
                (Some(id), _) => (Some(id.clone()), Some("the spec's id".to_owned())),
                (None, Some(e)) => (Some(e.id.clone()), Some(lock_name.clone())),
                (None, None) => (None, None),
            };
            all.push((
                f.path.clone(),
                Target {
                    name: p.display_name.clone(),
                    id,
                    id_source,
                    source: key,
                    token_protection: p.session.as_ref().is_some_and(|s| s.token_protection),
                    state: p.state.graph(),
                },
            ));
        }
    }
    let selected: Vec<&Target> = if o.policies.is_empty() {
        all.iter().map(|(_, t)| t).collect()
    } else {
        let mut chosen = BTreeSet::new();
        for wanted in &o.policies {
            let as_path = PathBuf::from(wanted).canonicalize().ok();
            let hits: Vec<usize> = all
                .iter()
                .enumerate()
                .filter(|(_, (path, t))| {
                    t.name == *wanted
                        || as_path.as_ref().is_some_and(|w| {
                            path.canonicalize().ok().is_some_and(|p| p.starts_with(w))
                        })
                })
                .map(|(i, _)| i)
                .collect();
            let hits = if hits.is_empty() {
                // A name typed with other capitalisation.
                all.iter()
                    .enumerate()
                    .filter(|(_, (_, t))| t.name.eq_ignore_ascii_case(wanted))
                    .map(|(i, _)| i)
                    .collect()
            } else {
                hits
            };
            if hits.is_empty() {
                eprintln!(
                    "error: no policy `{}` among the loaded specs (--policy takes a spec path or a displayName; loaded: {})",
                    comment_text(wanted),
                    paths
                        .iter()
                        .map(|p| check::display(p))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let names: Vec<&str> = all.iter().map(|(_, t)| t.name.as_str()).collect();
                if !names.is_empty() {
                    eprintln!("note: policies: {}", names.join(", "));
                }
                return INPUT_ERROR;
            }
            chosen.extend(hits);
        }
        chosen.into_iter().map(|i| &all[i].1).collect()
    };
    if selected.is_empty() {
        eprintln!("error: no policies found");
        return INPUT_ERROR;
    }
    let mut used = BTreeSet::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut entries = Vec::new();
    for t in &selected {
        let stem = crate::emit::file_stem(&t.name);
        let mut name = format!("{stem}.kql");
        let mut n = 2;
        while !used.insert(name.to_lowercase()) {
            name = format!("{stem}-{n}.kql");
            n += 1;
        }
        entries.push(serde_json::json!({
            "source": t.source,
            "output": name,
            "displayName": t.name,
            "id": t.id,
            "tokenProtection": t.token_protection,
        }));
        files.push((name, generate(t, lookback).into_bytes()));
    }
    let manifest = |queries: Vec<serde_json::Value>| {
        serde_json::json!({
            "generator": "caac",
            "formatVersion": 1,
            "kind": "monitor",
            "lookback": lookback.to_string(),
            "queries": queries,
        })
    };
    match &o.output {
        None => match o.format {
            Format::Kql => {
                let text: Vec<String> = files
                    .iter()
                    .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
                    .collect();
                print_stdout(&text.join("\n"))
            }
            Format::Json => {
                // No files: each entry carries its query.
                let queries = entries
                    .into_iter()
                    .zip(&files)
                    .map(|(mut e, (_, kql))| {
                        e["query"] = String::from_utf8_lossy(kql).into_owned().into();
                        e
                    })
                    .collect();
                print_stdout(&crate::emit::pretty(&manifest(queries)))
            }
        },
        Some(dir) => {
            let count = files.len();
            let manifest = crate::emit::pretty(&manifest(entries));
            files.push((
                crate::emit::MANIFEST.to_owned(),
                manifest.clone().into_bytes(),
            ));
            match crate::emit::write_dir(dir, &files) {
                Ok(()) => {
                    super::note(format_args!(
                        "wrote {count} query file{} to {}",
                        if count == 1 { "" } else { "s" },
                        check::display(dir)
                    ));
                    match o.format {
                        Format::Kql => OK,
                        Format::Json => print_stdout(&manifest),
                    }
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", check::display(dir));
                    INPUT_ERROR
                }
            }
        }
    }
}
