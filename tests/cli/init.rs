//! `caac init`: a repository that lints and builds from its own directory,
//! dated today, and a refusal (exit 2, nothing written) when any target exists.

use crate::common::{caac, text};
use assert_cmd::Command;
use std::path::Path;

/// caac run from `dir` with a pinned "today" (the day init dates the
/// starter set and the lint rules judge it by).
fn caac_on(dir: &Path, today: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("caac")
        .unwrap()
        .current_dir(dir)
        .env("CAAC_TODAY", today)
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap();
    let (o, e) = text(&out);
    assert!(!e.contains("panicked"), "{e}");
    (out.status.code().unwrap_or(-1), o, e)
}

#[test]
fn init_then_lint_and_build_from_the_new_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let today = "2026-01-15";
    let (code, _, err) = caac_on(tmp.path(), today, &["init", "x"]);
    assert_eq!(code, 0, "{err}");
    let x = tmp.path().join("x");
    for f in [
        "policies/CA001-BlockLegacyAuthentication.yaml",
        "tenant.yaml",
        ".caac.yaml",
        "schemas/policy.schema.json",
        "schemas/policy.draft-07.schema.json",
        "schemas/tenant.schema.json",
        "schemas/config.schema.json",
        "schemas/scenario.schema.json",
        "schemas/graph/conditionalAccessPolicy.v1.0.schema.json",
        "schemas/graph/conditionalAccessPolicy.beta.schema.json",
        ".vscode/settings.json",
        ".pre-commit-config.yaml",
        ".github/workflows/caac.yml",
    ] {
        assert!(x.join(f).is_file(), "{f}");
    }
    // The starter set's rollout starts today.
    let ca410 = std::fs::read_to_string(
        x.join("policies/CA410-TokenProtection-ExchangeSharePoint-Windows.yaml"),
    )
    .unwrap();
    assert!(ca410.contains("reportOnlySince: 2026-01-15\n"), "{ca410}");
    // The schemas are the ones caac ships, byte for byte.
    for s in caac::schemas::SHIPPED {
        assert_eq!(
            std::fs::read_to_string(x.join("schemas").join(s.file)).unwrap(),
            s.text
        );
    }
    // The editor mapping names files that exist.
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(x.join(".vscode/settings.json")).unwrap())
            .unwrap();
    for schema in settings["yaml.schemas"].as_object().unwrap().keys() {
        assert!(x.join(schema).is_file(), "{schema}");
    }
    let workflow = std::fs::read_to_string(x.join(".github/workflows/caac.yml")).unwrap();
    assert!(
        workflow.contains(&format!(
            "uses: caac-dev/caac@v{}\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{workflow}"
    );
    assert!(workflow.contains("persist-credentials: false"));
    assert!(
        workflow.contains("\npermissions: {}\n"),
        "least privilege by default"
    );
    // actions/checkout pinned by a full commit SHA.
    let pin = workflow
        .split("uses: actions/checkout@")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert!(
        pin.len() == 40 && pin.chars().all(|c| c.is_ascii_hexdigit()),
        "{pin}"
    );
    // From the new directory, with caac's defaults: clean at warning level, and it builds.
    let (code, out, err) = caac_on(&x, today, &["lint", "--fail-level", "warning"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 error(s), 0 warning(s)"), "{out}");
    let (code, _, err) = caac_on(&x, today, &["build"]);
    assert_eq!(code, 0, "{err}");
    assert!(x.join("out/manifest.json").is_file());
    // The starter scenarios hold for the starter set.
    let (code, out, err) = caac_on(&x, today, &["test"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" 0 failed"), "{out}");
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("tenant.yaml"), "mine\n").unwrap();
    std::fs::create_dir_all(d.join(".github/workflows")).unwrap();
    std::fs::write(d.join(".github/workflows/caac.yml"), "mine too\n").unwrap();
    let out = caac(d, &["init"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("tenant.yaml"), "{stderr}");
    assert!(stderr.contains("caac.yml"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one message for one cause: {stderr}"
    );
    let mut left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [".github", "tenant.yaml"]);
    assert_eq!(
        std::fs::read_to_string(d.join("tenant.yaml")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_dir(d.join(".github/workflows"))
            .unwrap()
            .count(),
        1
    );
}

/// An existing directory with unrelated files is filled in (its `.github/`
/// kept, the workflow added beside what is there).
#[test]
fn init_fills_an_existing_directory_without_touching_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir_all(d.join(".github/workflows")).unwrap();
    std::fs::write(d.join(".github/workflows/other.yml"), "other\n").unwrap();
    std::fs::write(d.join("README.md"), "readme\n").unwrap();
    let out = caac(d, &["init", "."]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(
        std::fs::read_to_string(d.join(".github/workflows/other.yml")).unwrap(),
        "other\n"
    );
    assert!(d.join(".github/workflows/caac.yml").is_file());
    assert_eq!(
        std::fs::read_to_string(d.join("README.md")).unwrap(),
        "readme\n"
    );
    // No staging directory is left behind.
    assert!(std::fs::read_dir(d).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains("caac-init")
    }));
}

#[test]
fn init_empty_writes_no_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let out = caac(tmp.path(), &["init", "repo", "--empty"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let policies: Vec<_> = std::fs::read_dir(tmp.path().join("repo/policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(policies, [".gitkeep"]);
    let out = caac(tmp.path(), &["init", "r2", "--empty", "--starter"]);
    assert_eq!(out.status.code(), Some(2), "--empty and --starter conflict");
}
