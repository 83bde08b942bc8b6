//! The layering rule of issue #13: the command line (`cli.rs`) and the
//! commands (`commands/`) sit on top of the library; nothing below them
//! reaches back up. Only `main.rs`, `lib.rs`, `cli.rs` and `commands/**`
//! may mention `crate::cli`, `crate::commands` or `crate::app`, so every
//! library module can be used and tested without the command line.

use std::path::{Path, PathBuf};

/// Every `*.rs` file under `dir`, recursively, in a stable order.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The upward references in one file's text: `crate::cli`,
/// `crate::commands`, `crate::app`, the same inside a grouped
/// `use crate::{…}`, and (for a file directly under `src/`, whose parent
/// module is the crate root) `super::cli` and friends.
fn upward_references(text: &str, top_level: bool) -> Vec<String> {
    const LAYERS: [&str; 3] = ["cli", "commands", "app"];
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        for layer in LAYERS {
            let direct = [format!("crate::{layer}")]
                .into_iter()
                .chain(top_level.then(|| format!("super::{layer}")));
            let mut hit = direct.into_iter().any(|p| {
                squeezed.match_indices(&p).any(|(i, _)| {
                    // `crate::cli` but not `crate::client`.
                    !squeezed[i + p.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            });
            if let Some(i) = squeezed.find("crate::{") {
                let group = &squeezed[i + "crate::{".len()..];
                hit |= group
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| w == layer);
            }
            if hit {
                found.push(format!("line {}: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn library_modules_never_import_the_command_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "src/ has the library's modules");
    let mut offenders = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let allowed = matches!(rel.to_str(), Some("main.rs" | "lib.rs" | "cli.rs"))
            || rel.starts_with("commands");
        if allowed {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let top_level = rel.components().count() == 1;
        for hit in upward_references(&text, top_level) {
            offenders.push(format!("src/{}: {hit}", rel.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "library modules must not import the command layer (crate::cli, crate::commands, crate::app); move the code into src/commands/ or pass options instead:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_detector_sees_each_spelling() {
    assert_eq!(
        upward_references("use crate::cli::TestArgs;", false).len(),
        1
    );
    assert_eq!(upward_references("x(crate :: app :: OK)", false).len(), 1);
    assert_eq!(
        upward_references("use crate::{check, commands};", false).len(),
        1
    );
    assert_eq!(upward_references("use super::cli::Format;", true).len(), 1);
    // A nested module's `super` is not the crate root.
    assert!(upward_references("use super::cli::Format;", false).is_empty());
    assert!(upward_references("use crate::client::Graph;", false).is_empty());
    assert!(upward_references("use crate::{check, applied};", false).is_empty());
}
