//! Inputs the fuzz targets (`fuzz/`, see fuzz/README.md) found crashing caac,
//! minimized with `cargo fuzz tmin` and embedded as bytes. Each test runs the
//! input through the same library path as its target and asserts the correct
//! behaviour: no panic, and a diagnostic with a position that the human
//! report renders as ` --> file:line:column`. A test carrying
//! `#[ignore = "fuzz crash: …"]` reproduces a crash not fixed yet; run those
//! with `cargo test --test cli fuzz_regressions -- --include-ignored`.

use caac::diag::Location;
use caac::render::FileReport;

/// The `load` target's front half: bytes as a spec file `f.yaml`, parsed; on
/// a load error, that error rendered for people. Returns the report and the
/// rendered text.
fn load_and_render(bytes: &[u8]) -> (FileReport, String) {
    let report = match caac::load::parse_bytes("f.yaml".into(), bytes) {
        Ok(doc) => FileReport {
            path: "f.yaml".into(),
            text: Some(doc.text),
            spans: Some(doc.spans),
            diagnostics: Vec::new(),
        },
        Err((d, text)) => FileReport {
            path: "f.yaml".into(),
            text,
            spans: None,
            diagnostics: vec![*d],
        },
    };
    let rendered = caac::render::human(std::slice::from_ref(&report), false);
    (report, rendered)
}

/// A load error at a position, rendered with that position.
fn assert_positioned_error(bytes: &[u8], code: &str) {
    let (report, rendered) = load_and_render(bytes);
    let [d] = report.diagnostics.as_slice() else {
        panic!("expected one diagnostic, got {:?}", report.diagnostics);
    };
    assert_eq!(d.code, code, "{d:?}");
    let Location::Position(p) = d.location else {
        panic!("a load error has a position: {d:?}");
    };
    let arrow = format!(" --> f.yaml:{}:{}", p.line, p.column);
    assert!(
        rendered.contains(&arrow),
        "expected `{arrow}` in:\n{rendered}"
    );
}

/// `load` crash 1 (report::human `window`): a diagnostic placed at the very
/// end of a text that ends in a carriage return made the snippet window's
/// `clamp` panic (`min > max. min = 7, max = 6`). Minimized input
/// `"\r\x06\r"`; this one is the readable variant `"a: 1\r\x06\r"`
/// (a control character after a classic-Mac line break).
#[test]
fn snippet_at_end_of_text_ending_in_cr() {
    assert_positioned_error(b"a: 1\r\x06\r", "yaml-syntax");
    assert_positioned_error(b"\r\x06\r", "yaml-syntax");
}

/// `load` finding 2, fixed (positions in files with classic-Mac line breaks): YAML
/// (1.2 §5.4) and editors take a lone `\r` as a line break. The parser's
/// positions do, so the second `displayName` below is at 3:1; but the
/// decoder counted only `\n` (the invalid byte was reported at 1:31), and the
/// human report took the line from the position and the column from a
/// `\n`-delimited window, printing ` --> f.yaml:3:31` under a snippet that
/// showed all three lines as one line "3". Found by the position oracle of the
/// `load` target (loader line:column vs byte offset); no panic. Fixed by
/// counting YAML's three line breaks everywhere (`load::line_breaks`).
#[test]
fn positions_after_lone_cr_line_breaks() {
    assert_positioned_error(
        b"displayName: x\rstate: enabled\rdisplayName: y\n",
        "duplicate-key",
    );
    let (report, _) = load_and_render(b"displayName: x\rstate: enabled\rdisplayName: y\n");
    assert_eq!(
        report.diagnostics[0].location,
        Location::Position(caac::load::Position {
            line: 3,
            column: 1,
            offset: 30
        })
    );
    let (report, rendered) = load_and_render(b"displayName: x\rstate: enabled\r\xff\n");
    assert_eq!(report.diagnostics[0].code, "encoding");
    assert!(
        rendered.contains(" --> f.yaml:3:1\n"),
        "the byte after two lone CRs is at 3:1:\n{rendered}"
    );
}
