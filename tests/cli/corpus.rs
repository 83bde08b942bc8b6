//! The shared corpus of real exported policies (read in place, never copied):
//! every file decodes (UTF-8, UTF-8 BOM, UTF-16 LE/BE BOM, CRLF) and parses
//! with positions through the same hardened loader the specs use.

use crate::common::corpus;

fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_file_loads_with_positions() {
    let mut all = Vec::new();
    files(&corpus(), &mut all);
    all.sort();
    assert!(
        all.len() > 100,
        "corpus looks incomplete: {} files",
        all.len()
    );
    let mut policies = 0;
    let mut failures = Vec::new();
    for f in &all {
        match caac::load::load(f) {
            Ok(doc) => {
                policies += match &doc.value {
                    serde_json::Value::Array(a) => a.len(),
                    _ => 1,
                };
                // Every value has a position.
                let span = doc.spans.get("").expect("root span");
                assert_eq!(span.value.line, 1, "{}", f.display());
            }
            Err((d, _)) => {
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                failures.push((name, d.code, d.location));
            }
        }
    }
    // The one file with a real defect: it repeats `sessionControls`, which JSON
    // parsers silently resolve to the last copy. caac refuses it, at the second key.
    assert_eq!(failures.len(), 1, "{failures:#?}");
    let (name, code, location) = &failures[0];
    assert!(name.starts_with("209 - RING"), "{failures:#?}");
    assert_eq!(*code, "duplicate-key");
    assert!(
        matches!(location, caac::diag::Location::Position(p) if p.line > 1),
        "{location:?}"
    );
    assert_eq!(
        policies + failures.len(),
        194,
        "the corpus holds 194 policies"
    );
}
