//! The shared corpus of real exported policies (read in place, never copied):
//! every file decodes (UTF-8, UTF-8 BOM, UTF-16 LE/BE BOM, CRLF) and parses
//! with positions through the same hardened loader the specs use.

use crate::common::corpus;

fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    files_with(dir, &["json"], out);
}

fn files_with(dir: &std::path::Path, exts: &[&str], out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_with(&p, exts, out);
        } else if p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)) {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_file_loads_with_positions() {
    let Some(corpus) = corpus("every_corpus_file_loads_with_positions") else {
        return;
    };
    let mut all = Vec::new();
    files(&corpus, &mut all);
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

/// Lints the whole corpus with the real binary, from an empty directory (so
/// no tenant or config file applies): nothing panics, every file but the one
/// known-broken file parses, rules fire on real policies and none fires on
/// everything. The per-rule counts are printed for the record
/// (`cargo test --test cli lint_runs -- --nocapture`).
#[test]
fn lint_runs_over_the_whole_corpus() {
    let Some(corpus) = corpus("lint_runs_over_the_whole_corpus") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = crate::common::caac(
        tmp.path(),
        &["lint", corpus.to_str().unwrap(), "--format", "json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Placeholders and one broken file are input errors: exit 2.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let unparsed: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d["rule"] == "duplicate-key")
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(
        unparsed.len(),
        1,
        "only the duplicate-key file fails to parse: {unparsed:?}"
    );
    let policies: std::collections::BTreeSet<String> = diagnostics
        .iter()
        .filter_map(|d| Some(format!("{}#{}", d["file"].as_str()?, d["policy"].as_str()?)))
        .collect();
    let mut per_rule: std::collections::BTreeMap<
        String,
        (usize, std::collections::BTreeSet<String>),
    > = Default::default();
    for d in diagnostics {
        let e = per_rule
            .entry(d["rule"].as_str().unwrap().to_owned())
            .or_default();
        e.0 += 1;
        e.1.insert(format!(
            "{}#{}",
            d["file"].as_str().unwrap_or(""),
            d["policy"].as_str().unwrap_or("")
        ));
    }
    let summary: Vec<String> = per_rule
        .iter()
        .map(|(k, (n, p))| format!("{k}: {n} findings in {} policies", p.len()))
        .collect();
    eprintln!("{}", summary.join("\n"));
    // Lint rules only: Graph-validity checks must not fire here (below).
    // The bound was 20 when CA008 and CA015 still counted as lint rules;
    // CA015 is Graph validity now, and CA008's one corpus finding was a
    // second message for a CA015 root cause, now reported once: the same
    // 18 lint rules fire as before.
    let fired = per_rule
        .keys()
        .filter(|k| k.starts_with("CA") && !caac::validity::is_constraint(k))
        .count();
    assert!(
        fired >= 18,
        "rules should fire on real policies: {summary:#?}"
    );
    for (rule, (_, hit)) in &per_rule {
        assert!(
            hit.len() < 193,
            "{rule} fires on every policy: {summary:#?}"
        );
    }
    assert!(policies.len() > 100, "findings name their policy");
    // Graph accepted these policies: a Graph-validity check that fires on one
    // is wrong, not the policy. CA015 (an enum value Microsoft's metadata
    // lacks) is the one known exception: some exports come from tools that
    // write values Graph's metadata does not list.
    let graph_invalid: Vec<String> = diagnostics
        .iter()
        .filter(|d| {
            d["rule"]
                .as_str()
                .is_some_and(|r| caac::validity::is_constraint(r) && r != "CA015")
        })
        .map(|d| format!("{} {}:{}", d["rule"], d["file"], d["line"]))
        .collect();
    assert!(
        graph_invalid.is_empty(),
        "Graph-validity checks fire on policies Graph accepted: {graph_invalid:#?}"
    );
    // Without a tenant file the directory rules are skipped, never guessed.
    assert!(!per_rule.contains_key("CA902") && !per_rule.contains_key("CA101"));
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["rule"].as_str())
        .collect();
    assert!(
        skipped.contains(&"CA101") && skipped.contains(&"CA902"),
        "{skipped:?}"
    );
    // The known-bad token protection policy is caught.
    for rule in ["CA402", "CA404"] {
        assert!(
            per_rule[rule].1.iter().any(|p| p.contains("CA018")),
            "{rule} on clutch2view CA018"
        );
    }
}

/// Every JSON file the tests use (fixtures, examples, starter policies) and,
/// when `CAAC_CORPUS` is set, every real export in the corpus: the JSON fast
/// path (`caac::load::parse_text`, serde_json + a lazy span map) gives the
/// same value, the same position for every key and value, and the same error
/// as the YAML parser (`caac::load::parse_yaml_text`) did for all input
/// before it. Fails if the fast path is taken for no file (it would prove
/// nothing).
#[test]
fn json_path_matches_yaml_path() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["tests/fixtures", "examples", "policies"] {
        if root.join(dir).is_dir() {
            files(&root.join(dir), &mut all);
        }
    }
    let local = all.len();
    if let Some(corpus) = corpus("json_path_matches_yaml_path (corpus part)") {
        files(&corpus, &mut all);
    }
    all.sort();
    let mut fast = 0;
    for f in &all {
        let Ok(text) = caac::load::decode::decode(&std::fs::read(f).unwrap()) else {
            continue;
        };
        if caac::load::json::parse(&text).is_some() {
            fast += 1;
        }
        let new = caac::load::parse_text(&text);
        let old = caac::load::parse_yaml_text(&text);
        match (new, old) {
            (Ok((nv, ns)), Ok((ov, os))) => {
                assert_eq!(nv, ov, "value differs: {}", f.display());
                assert_eq!(
                    serde_json::to_string(&nv).unwrap(),
                    serde_json::to_string(&ov).unwrap(),
                    "key order differs: {}",
                    f.display()
                );
                assert_eq!(ns.entries(), os.entries(), "spans differ: {}", f.display());
            }
            (Err(n), Err(o)) => assert_eq!(format!("{n:?}"), format!("{o:?}"), "{}", f.display()),
            (n, o) => panic!(
                "{}: fast path {:?}, YAML path {:?}",
                f.display(),
                n.map(|x| x.0),
                o.map(|x| x.0)
            ),
        }
    }
    assert!(local >= 5, "JSON fixtures missing: {local}");
    assert!(
        fast >= 4,
        "the fast path took only {fast} of {} files",
        all.len()
    );
    println!(
        "json_path_matches_yaml_path: {} files, {fast} through the fast path",
        all.len()
    );
}

/// Every YAML and JSON file in the repository (fixtures, including the
/// hostile ones, examples, starter policies, schemas' examples) and, when
/// `CAAC_CORPUS` is set, every real export in the corpus: what
/// `caac::load::parse_text` returns — through the JSON fast path, the YAML
/// fast path (no positions while parsing; the span map is built on its
/// first look-up by parsing again) or the positioned YAML parser — is the
/// same value, key order, span of every key and value, and error as the
/// positioned YAML parser alone (`caac::load::parse_yaml_text`) gives. Fails
/// if the YAML fast path is taken for too few files (it would prove
/// nothing).
#[test]
fn yaml_fast_path_matches_yaml_path() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["tests", "examples", "policies", "docs", "fuzz", "schemas"] {
        if root.join(dir).is_dir() {
            files_with(&root.join(dir), &["yaml", "yml", "json"], &mut all);
        }
    }
    for f in ["tenant.yaml", ".caac.yaml"] {
        if root.join(f).is_file() {
            all.push(root.join(f));
        }
    }
    let local = all.len();
    if let Some(corpus) = corpus("yaml_fast_path_matches_yaml_path (corpus part)") {
        files(&corpus, &mut all);
    }
    all.sort();
    // The files as written, then one-edit mutations of the repository's
    // own files (cut short; a line written twice, which repeats a key; a
    // tab), then the inputs each path treats specially: keys two spellings
    // of which collide, numbers that are not finite or do not fit, null
    // and collection keys, anchors, several documents, empty documents,
    // tags, deep nesting.
    let mut inputs: Vec<(String, String)> = Vec::new();
    for f in &all {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        let Ok(text) = caac::load::decode::decode(&bytes) else {
            continue;
        };
        if f.starts_with(root) {
            let cut = |at: usize| {
                (0..=at)
                    .rev()
                    .find(|&c| text.is_char_boundary(c))
                    .unwrap_or(0)
            };
            for (what, t) in [
                ("cut at 1/3", text[..cut(text.len() / 3)].to_owned()),
                ("cut at 2/3", text[..cut(2 * text.len() / 3)].to_owned()),
                ("second line twice", {
                    let lines: Vec<&str> = text.split_inclusive('\n').collect();
                    let mut t = String::new();
                    for (n, l) in lines.iter().enumerate() {
                        t.push_str(l);
                        if n == 1 {
                            t.push_str(l);
                        }
                    }
                    t
                }),
                ("tab on line 2", text.replacen("\n  ", "\n\t", 1)),
            ] {
                inputs.push((format!("{} ({what})", f.display()), t));
            }
        }
        inputs.push((f.display().to_string(), text));
    }
    for hostile in [
        "1: a\n\"1\": b\n",
        "true: a\n\"true\": b\n",
        "1.5: a\n\"1.5\": b\n",
        "a: .nan\n",
        "a: [.inf, -.inf]\n",
        "a: 99999999999999999999999999\n",
        "a: -99999999999999999999999999\n",
        "a: 18446744073709551615\n",
        "a: -9223372036854775808\n",
        "a: 1e400\n",
        "~: a\n",
        "null: a\n",
        "[a]: b\n",
        "{a: b}: c\n",
        "? [a]\n: b\n",
        "a: &x 1\nb: *x\n",
        "a: 1\n---\nb: 2\n",
        "---\n",
        "# only a comment\n",
        "~\n",
        "",
        "   \n\n",
        "a: !!binary aGVsbG8=\n",
        "a: !custom x\n",
        "a: !!str 1\n",
        "a: !!int \"1\"\n",
        "a: b: c\n",
        "a:\n\t- b\n",
        "a: 'x\n",
        "- a\n- b\n",
        "plain scalar\n",
        "42\n",
        "a: NO\nb: yes\nc: 0123\nd: 0x1F\ne: 0o17\nf: +1\ng: 1_000\n",
        "a:\n  b: 1\n  b: 2\n",
        "{\"a\": 1, \"a\": 2}",
        "[\"a\", {\"b\": 1.5}]",
        "a: \"\\u00e9\\ud83d\\ude00\"\n",
        "a: |\n  x\n  y\nb: >-\n  z\n",
        "a:\r\n  - b\r  - c\n",
    ] {
        inputs.push((format!("hostile {hostile:?}"), hostile.to_owned()));
    }
    let deep = "[".repeat(200) + &"]".repeat(200);
    inputs.push(("200 nested lists".into(), deep));
    let (mut yaml_fast, mut refused) = (0, 0);
    for (f, text) in &inputs {
        let text = text.as_str();
        if caac::load::json::parse(text).is_none() {
            if caac::load::fast::parse(text).is_some() {
                yaml_fast += 1;
            } else {
                refused += 1;
            }
        }
        let new = caac::load::parse_text(text);
        let old = caac::load::parse_yaml_text(text);
        match (new, old) {
            (Ok((nv, ns)), Ok((ov, os))) => {
                assert_eq!(nv, ov, "value differs: {f}");
                assert_eq!(
                    serde_json::to_string(&nv).unwrap(),
                    serde_json::to_string(&ov).unwrap(),
                    "key order differs: {f}"
                );
                assert_eq!(ns.entries(), os.entries(), "spans differ: {f}");
            }
            (Err(n), Err(o)) => assert_eq!(format!("{n:?}"), format!("{o:?}"), "{f}"),
            (n, o) => panic!(
                "{}: parse_text {:?}, YAML path {:?}",
                f,
                n.map(|x| x.0),
                o.map(|x| x.0)
            ),
        }
    }
    assert!(local >= 100, "YAML fixtures missing: {local}");
    assert!(
        yaml_fast >= 50 && refused >= 10,
        "the YAML fast path took {yaml_fast} and refused {refused} of {} inputs",
        inputs.len()
    );
    println!(
        "yaml_fast_path_matches_yaml_path: {} inputs, {yaml_fast} through the YAML fast path, {refused} refused by it",
        inputs.len()
    );
}
