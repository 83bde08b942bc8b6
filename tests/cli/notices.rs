//! The licence files: `LICENSE` is the licence Cargo.toml names (MIT,
//! https://opensource.org/license/mit), and `THIRD-PARTY-NOTICES.md`
//! (written by `tools/notices.py`, whose `--check` CI runs) names every
//! direct dependency at the version Cargo.lock resolves.

use crate::common::root;

#[test]
fn license_is_the_one_cargo_toml_names() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("\nlicense = \"MIT\"\n"),
        "Cargo.toml's licence changed: update LICENSE"
    );
    let license = std::fs::read_to_string(root().join("LICENSE")).unwrap();
    assert!(license.starts_with("MIT License\n"), "{license}");
    assert!(license.contains("Permission is hereby granted, free of charge"));
}

/// The `[dependencies]` of Cargo.toml, by name.
fn direct_dependencies() -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let section = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    section
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
        .collect()
}

/// Versions Cargo.lock resolves for `name`.
fn locked_versions(name: &str) -> Vec<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    lock.split("[[package]]")
        .filter(|p| p.contains(&format!("\nname = \"{name}\"\n")))
        .filter_map(|p| {
            p.lines()
                .find_map(|l| l.strip_prefix("version = \""))
                .map(|v| v.trim_end_matches('"').to_owned())
        })
        .collect()
}

#[test]
fn third_party_notices_name_every_direct_dependency() {
    let notices = std::fs::read_to_string(root().join("THIRD-PARTY-NOTICES.md")).unwrap();
    let deps = direct_dependencies();
    assert!(deps.len() > 10, "{deps:?}");
    for dep in deps {
        let versions = locked_versions(&dep);
        assert!(!versions.is_empty(), "{dep} not in Cargo.lock");
        assert!(
            versions
                .iter()
                .any(|v| notices.contains(&format!("\n| {dep} | {v} | "))),
            "THIRD-PARTY-NOTICES.md lacks {dep} {versions:?}: run python3 tools/notices.py"
        );
    }
    assert!(
        !notices.contains("\n| insta | "),
        "dev dependencies are not shipped"
    );
}
