//! Differential tests of the sign-in reader's fast path.
//!
//! `caac::signins::read::read_from` (what `caac replay` and `caac readiness`
//! use: [`Keep::Known`]) against the reference path
//! ([`Keep::All`]: every field built as a `serde_json::Value`, the reader
//! as it was before any fast path), on the same bytes: both must push the
//! same events (records and skipped records, with the same lines, kinds and
//! messages), end the same way, and every record must map to the same
//! `Record`, the same engine request and the same `Missing` facts.
//!
//! Inputs: every sign-in fixture (as is, gzipped, as NDJSON, as a JSON
//! array, handed out in small random pieces, cut short at several places,
//! with bytes broken and malformed lines inserted), and pseudo-random logs
//! from the benchmark generator (`bench/signins_gen.rs`) in both dialects,
//! intact and damaged.

#[allow(dead_code)]
#[path = "../../bench/signins_gen.rs"]
mod signins_gen;

use caac::signins::Record;
use caac::signins::read::{Event, FileError, Keep, read_from_keeping};
use std::io::{Read, Write};
use std::path::Path;

/// splitmix64, for reproducible damage and piece sizes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Hands `data` out in pieces of 1 to `max` bytes: the reader must not
/// depend on how its input is cut.
struct Pieces<'a> {
    data: &'a [u8],
    rng: Rng,
    max: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (1 + self.rng.below(self.max))
            .min(buf.len())
            .min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// One event, comparable: a record as what it maps to.
#[derive(Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // a test's list of events
enum Seen {
    Record {
        line: u64,
        record: Result<Record, String>,
        request: Option<Result<(caac::whatif::SignIn, caac::signins::Missing), String>>,
    },
    Skipped {
        line: u64,
        kind: &'static str,
        message: String,
    },
}

fn run<R: Read>(
    input: R,
    keep: Keep,
) -> (Result<caac::signins::read::Dialect, FileError>, Vec<Seen>) {
    let mut seen = Vec::new();
    let end = read_from_keeping(input, keep, &mut |e| {
        seen.push(match e {
            Event::Record { line, fields } => {
                let record = Record::from_fields(&fields);
                // The engine's request and the facts the record lacks.
                let request = record.as_ref().ok().map(Record::sign_in);
                Seen::Record {
                    line,
                    record,
                    request,
                }
            }
            Event::Skipped {
                line,
                kind,
                message,
            } => Seen::Skipped {
                line,
                kind,
                message,
            },
        });
    });
    (end, seen)
}

/// The fast path and the reference agree on `bytes`, read whole and in
/// random pieces. Returns the number of records that mapped.
fn agree(name: &str, bytes: &[u8], seed: u64) -> usize {
    // Small inputs in pieces of up to 97 bytes, large ones up to 8 KiB.
    let max = if bytes.len() < 100_000 { 97 } else { 8192 };
    let reference = run(bytes, Keep::All);
    let fast = run(bytes, Keep::Known);
    compare(name, &reference, &fast);
    let pieces = run(
        Pieces {
            data: bytes,
            rng: Rng(seed),
            max: 1 + (seed as usize % max),
        },
        Keep::Known,
    );
    compare(&format!("{name} (in pieces)"), &reference, &pieces);
    reference
        .1
        .iter()
        .filter(|s| matches!(s, Seen::Record { record: Ok(_), .. }))
        .count()
}

type Run = (Result<caac::signins::read::Dialect, FileError>, Vec<Seen>);

fn compare(name: &str, reference: &Run, fast: &Run) {
    for (i, (r, f)) in reference.1.iter().zip(&fast.1).enumerate() {
        assert_eq!(r, f, "{name}: event {i}");
    }
    assert_eq!(reference.1.len(), fast.1.len(), "{name}: number of events");
    assert_eq!(reference.0, fast.0, "{name}: outcome");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Damaged copies of `bytes`: cut short at several places, a byte broken
/// (invalid UTF-8, a quote, a line break, a brace), a malformed line
/// inserted after a line break.
fn damaged(bytes: &[u8], rng: &mut Rng, each: usize) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if bytes.is_empty() {
        return out;
    }
    for _ in 0..each {
        let at = rng.below(bytes.len());
        out.push((format!("cut at {at}"), bytes[..at].to_vec()));
    }
    for b in [0xffu8, b'"', b'\n', b'}', b'\\', 0xe9]
        .into_iter()
        .take(2 * each)
    {
        let at = rng.below(bytes.len());
        let mut v = bytes.to_vec();
        v[at] = b;
        out.push((format!("byte {at} set to {b:#x}"), v));
    }
    let breaks: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    if !breaks.is_empty() {
        for garbage in [
            &b"{\"id\": \n"[..],
            b"{\"id\":\"x\",\"n\":1e999}\n",
            b"{\"id\":\"x\",\"s\":\"\\ud800\"}\n",
            b"[1, 2]\n",
            b"not json at all, \"x\"\n",
        ]
        .into_iter()
        .take(2 * each - 1)
        {
            let at = breaks[rng.below(breaks.len())] + 1;
            let mut v = bytes[..at].to_vec();
            v.extend_from_slice(garbage);
            v.extend_from_slice(&bytes[at..]);
            out.push((
                format!(
                    "line {:?} inserted at {at}",
                    String::from_utf8_lossy(garbage)
                ),
                v,
            ));
        }
    }
    out
}

/// A CSV log rewritten with one cell of each row made invalid UTF-8, a
/// different column from row to row (row 1 column 1, row 2 column 2, …):
/// every column, read or not, is checked the same way by both paths.
fn csv_each_column_broken(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for (i, row) in rdr.byte_records().enumerate() {
        let row = row.ok()?;
        let broken = if i == 0 || row.is_empty() {
            None
        } else {
            Some((i - 1) % row.len())
        };
        let cells: Vec<Vec<u8>> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let mut cell = cell.to_vec();
                if Some(c) == broken {
                    cell.extend_from_slice(b"caf\xe9\xff");
                }
                cell
            })
            .collect();
        out.write_record(&cells).ok()?;
    }
    out.into_inner().ok()
}

/// Every sign-in fixture, and its damaged copies, reads the same through
/// the fast path as through the reference.
#[test]
fn reader_fast_path_agrees_with_reference_on_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signins");
    let mut rng = Rng(16);
    let mut mapped = 0;
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "json" | "ndjson" | "csv") || path.ends_with("members.json") {
            continue;
        }
        files += 1;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let mut shapes = vec![(name.clone(), bytes.clone())];
        if ext == "json" {
            // The same records as NDJSON (a page per line, then a record per
            // line) and as a pretty-printed JSON array.
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let items: Vec<serde_json::Value> = match v.get("value") {
                Some(serde_json::Value::Array(items)) => items.clone(),
                _ => vec![v.clone()],
            };
            let mut nd = serde_json::to_string(&v).unwrap();
            nd.push('\n');
            for item in &items {
                nd.push_str(&serde_json::to_string(item).unwrap());
                nd.push('\n');
            }
            shapes.push((format!("{name} as NDJSON"), nd.into_bytes()));
            shapes.push((
                format!("{name} as an array"),
                serde_json::to_vec_pretty(&items).unwrap(),
            ));
        }
        for (shape, b) in shapes {
            mapped += agree(&shape, &b, rng.next());
            agree(&format!("{shape} gzipped"), &gzip(&b), rng.next());
            for (how, d) in damaged(&b, &mut rng, 3) {
                agree(&format!("{shape}, {how}"), &d, rng.next());
            }
            if ext == "csv" {
                let broken = csv_each_column_broken(&b).unwrap();
                agree(
                    &format!("{shape}, a cell per row broken"),
                    &broken,
                    rng.next(),
                );
            }
        }
    }
    assert!(files >= 5, "{files} fixtures");
    assert!(mapped > 60, "{mapped} records mapped");
}

/// Pseudo-random logs from the benchmark generator, Graph pages (one per
/// line, as saved; re-laid as pretty-printed pages and as an array) and Log
/// Analytics CSV, intact and damaged: the fast path maps every record as
/// the reference does.
#[test]
fn reader_fast_path_agrees_with_reference_on_generated_logs() {
    use signins_gen::{Dialect, Gen};
    let mut rng = Rng(17);
    let mut mapped = 0;
    // Two Graph pages (a thousand records and the rest) for one seed, one
    // page for the other: the generator's shapes are the same from page to
    // page, and a debug build parses a few MB a second.
    for (seed, dialect, n) in [
        (1u64, Dialect::Graph, 1_050),
        (2, Dialect::Graph, 300),
        (1, Dialect::Csv, 600),
        (2, Dialect::Csv, 300),
    ] {
        let mut bytes = Vec::new();
        Gen::new(dialect, n, seed).read_to_end(&mut bytes).unwrap();
        let name = format!("{dialect:?} seed {seed}");
        mapped += agree(&name, &bytes, rng.next());
        agree(&format!("{name} gzipped"), &gzip(&bytes), rng.next());
        if dialect == Dialect::Graph {
            // Pretty-printed pages (the streaming path) and one array.
            let pages: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&bytes)
                .into_iter()
                .map(Result::unwrap)
                .collect();
            let mut pretty = Vec::new();
            let mut items = Vec::new();
            for p in &pages {
                pretty.extend(serde_json::to_vec_pretty(p).unwrap());
                pretty.push(b'\n');
                items.extend(p["value"].as_array().unwrap().iter().take(100).cloned());
            }
            mapped += agree(&format!("{name} pretty"), &pretty, rng.next());
            mapped += agree(
                &format!("{name} array"),
                &serde_json::to_vec(&items).unwrap(),
                rng.next(),
            );
        }
        for (how, d) in damaged(&bytes, &mut rng, 1) {
            agree(&format!("{name}, {how}"), &d, rng.next());
        }
        if dialect == Dialect::Csv {
            let broken = csv_each_column_broken(&bytes).unwrap();
            agree(
                &format!("{name}, a cell per row broken"),
                &broken,
                rng.next(),
            );
        }
    }
    assert!(mapped > 2_500, "{mapped} records mapped");
}
