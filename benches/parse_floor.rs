//! The parse floor for `bench/compare.sh`: read every `*.yaml` in a directory
//! and parse it with caac's parser (serde-saphyr) under caac's own hardened
//! options, doing nothing else. `caac lint`/`caac build` cannot be faster than
//! this, so their times are reported as a ratio of it.
//!
//! ```sh
//! cargo bench --bench parse_floor -- DIR            # bare parse into serde_json::Value
//! cargo bench --bench parse_floor -- --spans DIR    # caac::load::parse_text (value + span map)
//! cargo bench --bench parse_floor -- --json DIR     # every `*.json`: bare serde_json parse
//! cargo bench --bench parse_floor -- --json --spans DIR  # `*.json` through caac::load::parse_text
//! ```
//!
//! `--via-yaml` (with `--spans`) parses through `caac::load::parse_yaml_text`,
//! the YAML-parser path every file took before the JSON fast path.
//!
//! `--json` is the floor of the Graph-export path (`caac lint exports/`):
//! serde_json into a `serde_json::Value`, nothing else.
//!
//! Files are parsed on every core with rayon, as `caac::check` does (set
//! `RAYON_NUM_THREADS=1` for one core). Prints `<files> <bytes>` on stdout.
//! Without a directory (plain `cargo bench`) it prints a usage note and exits 0.

use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut spans = false;
    let mut json = false;
    let mut via_yaml = false;
    let mut dir = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--spans" => spans = true,
            "--json" => json = true,
            "--via-yaml" => via_yaml = true,
            // `cargo bench` passes `--bench`; ignore harness flags.
            a if a.starts_with('-') => {}
            a => dir = Some(PathBuf::from(a)),
        }
    }
    let Some(dir) = dir else {
        eprintln!(
            "parse_floor: no directory given (cargo bench --bench parse_floor -- [--json] [--spans] DIR); nothing to do"
        );
        return ExitCode::SUCCESS;
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| {
                    if json {
                        e == "json"
                    } else {
                        e == "yaml" || e == "yml"
                    }
                })
            })
            .collect(),
        Err(e) => {
            eprintln!("parse_floor: cannot read {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    files.sort();
    let results: Vec<Result<usize, String>> = files
        .par_iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let text =
                std::str::from_utf8(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            if json && !spans {
                serde_json::from_str::<serde_json::Value>(text)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            } else if spans && via_yaml {
                caac::load::parse_yaml_text(text)
                    .map_err(|d| format!("{}: {}", path.display(), d.message))?;
            } else if spans {
                caac::load::parse_text(text)
                    .map_err(|d| format!("{}: {}", path.display(), d.message))?;
            } else {
                serde_saphyr::from_str_with_options::<serde_json::Value>(
                    text,
                    caac::load::options(),
                )
                .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Ok(bytes.len())
        })
        .collect();
    let mut bytes = 0;
    for r in results {
        match r {
            Ok(n) => bytes += n,
            Err(e) => {
                eprintln!("parse_floor: {e}");
                return ExitCode::from(1);
            }
        }
    }
    println!("{} {bytes}", files.len());
    ExitCode::SUCCESS
}
