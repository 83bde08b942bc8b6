//! The per-record cost of `caac replay`'s evaluation and bookkeeping
//! (BENCHMARKS.md, "Replay bookkeeping"), without the reader: a generated
//! log (bench/signins_gen.rs) is read and mapped to records in memory
//! first, then timed, single-threaded, per record:
//!
//! - `map`: `Record::sign_in` alone (the engine's request);
//! - `engine`: `map` + `FastEngine::reasons_into` (the compiled engine);
//! - `replay`: `Replayer::record` over every record and `Replayer::finish`
//!   (mapping, engine, unknown-fact logic, verdict and every total).
//!
//! `replay − engine` is the replay's own bookkeeping.
//!
//! ```sh
//! cargo run --release --example replay_bookkeeping -- graph 50000 [POLICIES [TENANT]]
//! ```
//!
//! POLICIES defaults to the starter set (`policies/`, `tenant.yaml`); any
//! directory of specs or Graph exports works, resolved leniently as the
//! differential tests do (so the shared corpus of real exports can be
//! timed although `caac replay` rejects its unresolved names).

#[path = "../bench/signins_gen.rs"]
mod signins_gen;

use caac::signins::Record;
use caac::signins::replay::{PolicySet, Replayer, SignIns};
use caac::whatif::FastEngine;
use caac::whatif::compiled::Cache;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: replay_bookkeeping graph|csv RECORDS [POLICIES [TENANT]]";
    let dialect = match args.first().map(String::as_str) {
        Some("graph") => signins_gen::Dialect::Graph,
        Some("csv") => signins_gen::Dialect::Csv,
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let Some(count) = args.get(1).and_then(|n| n.parse::<u64>().ok()) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (paths, tenant) = match (args.get(2), args.get(3)) {
        (Some(p), t) => (vec![PathBuf::from(p)], t.map(PathBuf::from)),
        (None, _) => (vec![root.join("policies")], Some(root.join("tenant.yaml"))),
    };
    let opts = caac::check::Options {
        paths: &paths,
        tenant,
        break_glass: &[],
        config: None,
        partial: true,
    };
    let checked = caac::check::check(&opts).expect("policies");
    let refs = checked.policy_refs();
    let tenant = checked.tenant.as_ref();

    let mut records: Vec<(String, Record)> = Vec::new();
    let mut input = signins_gen::Gen::new(dialect, count, 1);
    caac::signins::read::read_from(&mut input, &mut |e| {
        if let caac::signins::read::Event::Record { line, fields } = e
            && let Ok(r) = Record::from_fields(&fields)
        {
            records.push((format!("stdin:{line}"), r));
        }
    })
    .expect("generated log");
    let n = records.len() as f64;

    let start = Instant::now();
    let mut mapped = 0u64;
    for (_, r) in &records {
        if r.sign_in().is_ok() {
            mapped += 1;
        }
    }
    let map = start.elapsed().as_secs_f64();

    let engine = FastEngine::new(&refs, tenant);
    let mut cache = Cache::default();
    let mut out = Vec::new();
    let start = Instant::now();
    for (_, r) in &records {
        if let Ok((s, _)) = r.sign_in() {
            engine.reasons_into(&s, &mut cache, &mut out);
        }
    }
    let eng = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut replayer = Replayer::new(
        PolicySet::new(refs.clone(), tenant),
        None,
        vec![None; refs.len()],
        None,
        SignIns::Drop,
    );
    for (at, r) in &records {
        replayer.record(at, r);
    }
    let (report, _) = replayer.finish();
    let replay = start.elapsed().as_secs_f64();
    assert_eq!(report.evaluated, mapped);

    let us = |s: f64| s * 1e6 / n;
    println!(
        "{} policies, {} records ({mapped} evaluated): map {:.2} µs, engine {:.2} µs, replay {:.2} µs per record; bookkeeping (replay − engine) {:.2} µs",
        refs.len(),
        records.len(),
        us(map),
        us(eng),
        us(replay),
        us(replay - eng)
    );
}
