//! `signins`: arbitrary bytes as an exported sign-in log, through the
//! streaming reader `caac replay` and `caac readiness` use
//! (`caac::signins::read::read_from`: dialect detection, Graph pages,
//! NDJSON, Log Analytics JSON and CSV, gzip).
//!
//! Oracles beyond "does not panic":
//! - every record and every skipped record names a 1-based line inside the
//!   input (at most one past its last line break), in non-decreasing order,
//!   and a file error's line is inside the input too;
//! - two paths agree: the same bytes gzip-compressed give exactly the same
//!   events, dialect and error (the gzip path is only a decoder in front of
//!   the same reader). Inputs that are gzip already are left out of this
//!   check (compressing them again adds a layer the reader does not unwrap,
//!   by design).
#![no_main]

use caac::signins::read::{Event, read_from};
use libfuzzer_sys::fuzz_target;
use std::io::Write;

/// The events as comparable text, and the outcome.
fn run(bytes: &[u8]) -> (Vec<String>, String) {
    let mut events = Vec::new();
    let outcome = read_from(bytes, &mut |e| {
        events.push(match e {
            Event::Record { line, fields } => {
                format!("record {line} {}", serde_json::Value::Object(fields))
            }
            Event::Skipped {
                line,
                kind,
                message,
            } => format!("skipped {line} {kind}: {message}"),
        })
    });
    (events, format!("{outcome:?}"))
}

fn line_of(event: &str) -> u64 {
    event
        .split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("every event names its line")
}

fuzz_target!(|bytes: &[u8]| {
    let (events, outcome) = run(bytes);
    let gzip = bytes.starts_with(&[0x1f, 0x8b]);
    if !gzip {
        let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let mut last = 0;
        for e in &events {
            let line = line_of(e);
            assert!(line >= 1 && line <= lines, "line {line} of {lines}: {e}");
            assert!(line >= last, "lines go back: {last} then {line}");
            last = line;
        }
        if let Err(err) = caac::signins::read::read_from(bytes, &mut |_| {}) {
            if let Some(line) = err.line {
                assert!(
                    line >= 1 && line <= lines,
                    "error line {line} of {lines}: {err:?}"
                );
            }
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).expect("in memory");
        let compressed = enc.finish().expect("in memory");
        let (gz_events, gz_outcome) = run(&compressed);
        assert_eq!(events, gz_events, "the gzip path reads other records");
        assert_eq!(outcome, gz_outcome, "the gzip path ends otherwise");
    }
});
