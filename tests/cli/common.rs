//! Shared helpers: run the binary, locate repo files, replace temp paths in
//! snapshots.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `caac` with the given arguments, run from `dir`, no colour.
pub fn caac(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("caac")
        .expect("caac binary")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(["--color", "never"])
        .args(args)
        .output()
        .expect("run caac")
}

/// Stdout and stderr as text.
pub fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir` (relative name → bytes), sorted.
pub fn snapshot_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The shared corpus of real exported policies, from `CAAC_CORPUS` (set by
/// `.ci/run`, which fails when the folder is missing). Unset — a fresh clone
/// with nothing beside it — the test prints one `skipped` line and returns
/// `None`; set but wrong, it fails loudly: a silently empty corpus proves
/// nothing.
pub fn corpus(test: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("CAAC_CORPUS").map(PathBuf::from) else {
        println!(
            "skipped: {test}: CAAC_CORPUS not set (the shared policy corpus; .ci/run sets it)"
        );
        return None;
    };
    assert!(
        dir.join("graph-policies").is_dir(),
        "the policy corpus is missing at {} (CAAC_CORPUS): point it at shared/corpus",
        dir.display()
    );
    Some(dir.join("graph-policies"))
}
