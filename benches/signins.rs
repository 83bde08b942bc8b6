//! Sign-in log input throughput (BENCHMARKS.md, "Sign-in log throughput"):
//! a generated log (bench/signins_gen.rs, made on the fly, never on disk)
//! through one stage, single-threaded, printing bytes, records, seconds,
//! MB/s and records/s as one tab-separated line.
//!
//! ```sh
//! cargo bench --bench signins -- STAGE DIALECT RECORDS
//! ```
//!
//! DIALECT is `graph` (Graph pages, one per line) or `csv` (Log Analytics).
//! STAGE:
//! - `gen`: the generator alone (what every other stage includes);
//! - `floor`: the parse floor. graph: serde_json parses the stream into
//!   `serde::de::IgnoredAny` (`StreamDeserializer` over the reader, one value
//!   per page); csv: the `csv` crate reads every row into a reused
//!   `ByteRecord`;
//! - `floor-lines` (graph): the same bytes cut into lines into a reused
//!   buffer, each parsed with `serde_json::from_slice` into `IgnoredAny`;
//! - `read`: `caac::signins::read::read_from`, records counted;
//! - `map`: `read` + `Record::from_fields` + `Record::sign_in` (the
//!   engine's request), what `caac replay` does before evaluating.
//!
//! Without arguments (plain `cargo bench`) it runs every stage on 20,000
//! records of each dialect.

#[path = "../bench/signins_gen.rs"]
mod signins_gen;

use signins_gen::{Dialect, Gen};
use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

/// Counts the bytes that pass.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

fn run(stage: &str, dialect: Dialect, records: u64) {
    let mut input = Counted {
        inner: Gen::new(dialect, records, 1),
        bytes: 0,
    };
    let start = Instant::now();
    let mut n: u64 = 0;
    match (stage, dialect) {
        ("gen", _) => {
            std::io::copy(&mut input, &mut std::io::sink()).unwrap();
            n = records;
        }
        ("floor", Dialect::Graph) => {
            let r = BufReader::with_capacity(64 * 1024, &mut input);
            for v in serde_json::Deserializer::from_reader(r).into_iter::<serde::de::IgnoredAny>() {
                v.unwrap();
                n += 1;
            }
            n *= signins_gen::PAGE;
            n = n.min(records);
        }
        ("floor-lines", Dialect::Graph) => {
            let mut r = BufReader::with_capacity(64 * 1024, &mut input);
            let mut line = Vec::new();
            loop {
                line.clear();
                if r.read_until(b'\n', &mut line).unwrap() == 0 {
                    break;
                }
                serde_json::from_slice::<serde::de::IgnoredAny>(&line).unwrap();
                n += 1;
            }
            n = (n * signins_gen::PAGE).min(records);
        }
        ("floor", Dialect::Csv) => {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(BufReader::with_capacity(64 * 1024, &mut input));
            let mut row = csv::ByteRecord::new();
            while rdr.read_byte_record(&mut row).unwrap() {
                n += 1;
            }
        }
        ("read", _) => {
            caac::signins::read::read_from(&mut input, &mut |e| {
                if let caac::signins::read::Event::Record { .. } = e {
                    n += 1;
                }
            })
            .unwrap();
        }
        ("map", _) => {
            let mut requests = 0u64;
            caac::signins::read::read_from(&mut input, &mut |e| {
                if let caac::signins::read::Event::Record { fields, .. } = e {
                    n += 1;
                    if let Ok(r) = caac::signins::Record::from_fields(&fields)
                        && r.sign_in().is_ok()
                    {
                        requests += 1;
                    }
                }
            })
            .unwrap();
            assert!(requests > 0);
        }
        _ => {
            eprintln!("usage: signins gen|floor|floor-lines|read|map graph|csv RECORDS");
            std::process::exit(2);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = input.bytes as f64 / 1e6;
    println!(
        "{stage}\t{}\t{}\t{n}\t{secs:.2} s\t{:.1} MB/s\t{:.0} records/s",
        match dialect {
            Dialect::Graph => "graph",
            Dialect::Csv => "csv",
        },
        input.bytes,
        mb / secs,
        n as f64 / secs
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dialect = |s: &str| match s {
        "graph" => Dialect::Graph,
        "csv" => Dialect::Csv,
        _ => {
            eprintln!("unknown dialect {s}: graph or csv");
            std::process::exit(2);
        }
    };
    match args.as_slice() {
        [] => {
            for d in [Dialect::Graph, Dialect::Csv] {
                for stage in ["gen", "floor", "read", "map"] {
                    run(stage, d, 20_000);
                }
            }
        }
        [stage, d, records] => run(stage, dialect(d), records.parse().expect("RECORDS")),
        _ => {
            eprintln!("usage: signins gen|floor|floor-lines|read|map graph|csv RECORDS");
            std::process::exit(2);
        }
    }
}
