//! What caac generates for readers (docs/rules.md, `caac explain`, the SARIF
//! rule help, the schemas it ships and `caac init` copies) cites public
//! sources only (Microsoft Learn, the Graph reference, public repositories):
//! never a path outside this repository, a machine-local path or a
//! placeholder host.

use crate::common::{caac, root};

/// Substrings that betray a citation a reader cannot follow.
const FORBIDDEN: &[&str] = &[
    "shared/",
    "../",
    "..\\",
    "/work/",
    "/home/",
    "/tmp/",
    "/Users/",
    "C:\\",
    "file://",
    "caac.invalid",
    "localhost",
    "127.0.0.1",
    // caac's own research notes, which readers do not have.
    "graph-ca-schema.md",
    "corpus-notes.md",
];

fn assert_public(what: &str, text: &str) {
    for bad in FORBIDDEN {
        if let Some(i) = text.find(bad) {
            let start = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
            let end = (i + 60).min(text.len());
            let end = (end..=text.len())
                .find(|&e| text.is_char_boundary(e))
                .unwrap_or(text.len());
            panic!(
                "{what} contains `{bad}`, not a public source: …{}…",
                &text[start..end]
            );
        }
    }
}

/// The check itself catches what it must.
#[test]
fn the_check_catches_local_paths() {
    for bad in [
        "see ../shared/reference/rules.md",
        "https://caac.invalid/schemas/x.json",
        "/home/me/notes.md",
        "beta overlay: graph-ca-schema.md §2.2",
    ] {
        assert!(std::panic::catch_unwind(|| assert_public("probe", bad)).is_err());
    }
    assert_public(
        "probe",
        "https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy",
    );
}

#[test]
fn rule_docs_cite_public_sources_only() {
    assert_public(
        "docs/rules.md",
        &std::fs::read_to_string(root().join("docs/rules.md")).unwrap(),
    );
    assert_public("lint::docs_markdown", &caac::lint::docs_markdown());
    for r in caac::lint::rules::RULES {
        for (field, text) in [("summary", r.summary), ("fix", r.fix), ("docs", r.docs)] {
            assert_public(&format!("{} {field}", r.id), text);
        }
        assert_public(&format!("{} helpUri", r.id), &r.help_uri());
    }
    for c in caac::validity::CONSTRAINTS {
        for (field, text) in [("summary", c.summary), ("fix", c.fix), ("docs", c.docs)] {
            assert_public(&format!("{} {field}", c.id), text);
        }
        assert_public(&format!("{} helpUri", c.id), &c.help_uri());
    }
}

#[test]
fn explain_cites_public_sources_only() {
    let ids: Vec<&str> = caac::lint::rules::RULES
        .iter()
        .map(|r| r.id)
        .chain(caac::validity::CONSTRAINTS.iter().map(|c| c.id))
        .collect();
    // Every rule through the library above; a sample through the binary.
    for id in [ids[0], ids[ids.len() / 2], ids[ids.len() - 1]] {
        let out = caac(&root(), &["explain", id]);
        assert!(out.status.success(), "caac explain {id}");
        assert_public(
            &format!("caac explain {id}"),
            &String::from_utf8(out.stdout).unwrap(),
        );
    }
}

#[test]
fn sarif_rule_help_cites_public_sources_only() {
    let out = caac(&root(), &["lint", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(!rules.is_empty());
    for r in rules {
        assert_public(&format!("SARIF rule {}", r["id"]), &r.to_string());
    }
}

/// The schemas `caac schema` prints and `caac init` copies into users'
/// repositories, and their README.
#[test]
fn shipped_schemas_cite_public_sources_only() {
    for s in caac::schemas::SHIPPED {
        assert_public(s.file, s.text);
    }
    assert_public(
        "schemas/graph/README.md",
        &std::fs::read_to_string(root().join("schemas/graph/README.md")).unwrap(),
    );
}
