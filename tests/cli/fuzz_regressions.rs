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

/// `strengths` finding (spec ⇄ Graph JSON import agreement): `caac import`
/// (and `pull`) wrote an authentication strength's combinations as a plain
/// YAML flow list, `allowedCombinations: [fido2, password,sms]`. In a flow
/// list a plain scalar ends at `,` (YAML 1.2.2 §7.3.3,
/// <https://yaml.org/spec/1.2.2/#733-plain-style>), so the written spec read
/// back as `[fido2, password, sms]`: Graph's combination `password,sms`
/// (<https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>)
/// became `password` alone, a weaker strength, and `plan` would have sent
/// it. The written spec must read back as exactly Graph's combinations.
#[test]
fn imported_strength_keeps_comma_joined_combinations() {
    let dir = tempfile::tempdir().unwrap();
    let export = r##"{"value": [{"@odata.type": "#microsoft.graph.authenticationStrengthPolicy",
        "id": "5e2d5b3c-0c2f-4a1b-9d8e-7f6a5b4c3d2e", "displayName": "Admin MFA", "policyType": "custom",
        "allowedCombinations": ["fido2", "password,sms", "password, microsoftAuthenticatorPush"],
        "combinationConfigurations": []}]}"##;
    std::fs::write(dir.path().join("strengths.json"), export).unwrap();
    let out = crate::common::caac(dir.path(), &["import", "strengths.json"]);
    let (stdout, stderr) = crate::common::text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let path = dir.path().join("strengths/Admin-MFA.yaml");
    let doc = caac::load::load(&path).unwrap_or_else(|(d, _)| panic!("{d:?}"));
    assert_eq!(
        doc.value["allowedCombinations"],
        serde_json::json!([
            "fido2",
            "password,sms",
            "password, microsoftAuthenticatorPush"
        ]),
        "{}",
        doc.text
    );
}

/// `plan` finding (positions inside the input): a saved plan that is empty
/// (or ends right after a line break) was refused as `plan.json:1:0`:
/// serde_json counts the column from 0 at the start of a line
/// (<https://docs.rs/serde_json/latest/serde_json/struct.Error.html#method.column>),
/// and repeated the position in its own words. Columns start at 1.
#[test]
fn saved_plan_parse_error_column_starts_at_one() {
    let dir = tempfile::tempdir().unwrap();
    for (bytes, place) in [(&b""[..], ":1:1: "), (&b"{\n"[..], ":2:1: ")] {
        let path = dir.path().join("plan.json");
        std::fs::write(&path, bytes).unwrap();
        let err = caac::deploy::saved::read(&path).unwrap_err();
        assert!(err.contains(&format!("plan.json{place}")), "{err}");
        assert!(!err.contains(" at line "), "one position, not two: {err}");
    }
}

/// `config` finding (positions inside the input): a text that
/// still starts with U+FEFF after the decoder removed the byte-order mark
/// (a file saved with two or three BOMs) places its root value at line 1,
/// column 1 by the span map, while caac's own line:column of the same byte
/// offset (`Position::at_end_of`, used for loader errors) counted each
/// U+FEFF as a column: `1:3` for two of them. The two must agree; a byte
/// order mark is an encoding marker, not a column, so both now say `1:1`.
/// Minimized from the fuzz input
/// `fe ff fe ff fe ff` + `#microsoft.graph.conditionalAccessSessionControls+`
/// (UTF-16BE).
#[test]
fn span_positions_after_a_leading_feff_agree_with_offsets() {
    for text in [
        "\u{feff}\u{feff}x",
        "\u{feff}\u{feff}\u{feff}x",
        "\u{feff}x",
    ] {
        let (_, spans) = caac::load::parse_text(text).unwrap();
        let (_, span) = spans.nearest("").unwrap();
        let p = span.value;
        let own = caac::load::Position::at_end_of(&text[..p.offset]);
        assert_eq!(
            (p.line, p.column),
            (own.line, own.column),
            "{text:?}: {p:?}"
        );
        assert_eq!((own.line, own.column), (1, 1), "{text:?}");
    }
    // Only the start of the text: a later line's columns are unchanged.
    let later = caac::load::Position::at_end_of("a: 1\nbb");
    assert_eq!((later.line, later.column), (2, 3));
}
