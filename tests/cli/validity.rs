//! Graph validity is part of compiling: one failing and one passing fixture
//! per constraint (rendered findings snapshotted), and the promise that no
//! configuration, suppression or `--partial` lets `caac build` write a body
//! Graph rejects.

use crate::common::{caac, root, text};
use caac::check::{self, Options};
use caac::report::{self, FileReport};
use caac::validity::CONSTRAINTS;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/fixtures/validity";

/// Every `fail*.yaml` of a constraint's fixture directory.
fn failing(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("fail"))
        })
        .collect();
    v.sort();
    v
}

/// The checker's findings of constraint `id` for one file (library level).
fn findings(path: &Path, id: &str) -> Vec<FileReport> {
    let paths = [path.to_path_buf()];
    let opts = Options {
        paths: &paths,
        tenant: Some(PathBuf::from("tests/fixtures/rules/tenant.yaml")),
        break_glass: &[],
        config: None,
        partial: false,
    };
    let checked = check::check(&opts).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reports = checked.into_reports();
    for r in &mut reports {
        r.diagnostics.retain(|d| d.code == id);
        r.sort();
    }
    reports.retain(|r| !r.diagnostics.is_empty());
    reports
}

#[test]
fn every_constraint_has_fixtures_that_fail_and_pass() {
    for c in CONSTRAINTS {
        let dir = PathBuf::from(DIR).join(c.id);
        let fails = failing(&dir);
        assert!(!fails.is_empty(), "{}: no fail*.yaml", c.id);
        let mut rendered = String::new();
        for fail in &fails {
            let bad = findings(fail, c.id);
            assert!(
                !bad.is_empty(),
                "{}: {} does not raise it",
                c.id,
                fail.display()
            );
            for d in bad.iter().flat_map(|r| &r.diagnostics) {
                assert_eq!(d.severity, caac::diag::Severity::Error, "{}", c.id);
                assert!(!check::is_finding(d), "{}: Graph-invalid is input", c.id);
            }
            rendered.push_str(&report::human(&bad, false));
        }
        insta::assert_snapshot!(format!("validity_{}", c.id), rendered);
        let pass = dir.join("pass.yaml");
        let good = findings(&pass, c.id);
        assert!(
            good.is_empty(),
            "{}: {} raises it:\n{}",
            c.id,
            pass.display(),
            report::human(&good, false)
        );
    }
}

/// A `.caac.yaml` that switches every lint rule off.
fn all_rules_off() -> String {
    let mut s = String::from("rules:\n");
    for r in caac::lint::rules::RULES {
        s.push_str(&format!("  {}: off\n", r.id));
    }
    s
}

#[test]
fn build_refuses_every_graph_invalid_shape_with_every_rule_off() {
    let tenant = root().join("tests/fixtures/rules/tenant.yaml");
    for c in CONSTRAINTS {
        for fail in failing(&root().join(DIR).join(c.id)) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(".caac.yaml"), all_rules_off()).unwrap();
            let spec = dir.path().join("policy.yaml");
            std::fs::copy(&fail, &spec).unwrap();
            for partial in [false, true] {
                let mut args = vec![
                    "build",
                    "policy.yaml",
                    "--tenant",
                    tenant.to_str().unwrap(),
                    "--break-glass",
                    "11111111-1111-4111-8111-111111111111",
                ];
                if partial {
                    // `lint --partial` is the one command that takes it.
                    args[0] = "lint";
                    args.push("--partial");
                }
                let out = caac(dir.path(), &args);
                let (_, err) = text(&out);
                let (stdout, _) = text(&out);
                let all = format!("{stdout}{err}");
                assert_eq!(
                    out.status.code(),
                    Some(2),
                    "{} ({}) {:?}: {all}",
                    c.id,
                    fail.display(),
                    args
                );
                assert!(
                    all.contains(&format!("error[{} {}]", c.id, c.name)),
                    "{}: not reported: {all}",
                    c.id
                );
                // The file is named and the key positioned (path:line:col).
                assert!(
                    all.contains("policy.yaml:"),
                    "{}: no file position: {all}",
                    c.id
                );
                assert!(
                    !dir.path().join("out").exists(),
                    "{}: build wrote out/",
                    c.id
                );
            }
        }
    }
}

#[test]
fn config_cannot_switch_a_constraint_off() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".caac.yaml"),
        "rules:\n  CA007: off\n  sif-invalid: warning\n",
    )
    .unwrap();
    std::fs::copy(
        root().join(DIR).join("CA007/fail.yaml"),
        dir.path().join("p.yaml"),
    )
    .unwrap();
    let tenant = root().join("tests/fixtures/rules/tenant.yaml");
    let out = caac(
        dir.path(),
        &["lint", "p.yaml", "--tenant", tenant.to_str().unwrap()],
    );
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("error[not-configurable]"), "{stdout}");
    assert!(stdout.contains("`CA007` cannot be configured"), "{stdout}");
    assert!(
        stdout.contains("`sif-invalid` cannot be configured"),
        "{stdout}"
    );
    // …and the finding is still there.
    assert!(
        stdout.contains("error[CA007 mfa-with-auth-strength]"),
        "{stdout}"
    );
}

#[test]
fn a_constraint_cannot_be_suppressed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string(root().join(DIR).join("CA007/fail.yaml")).unwrap();
    std::fs::write(
        dir.path().join("p.yaml"),
        format!("# caac-ignore-file: CA007 we know better\n{spec}"),
    )
    .unwrap();
    let tenant = root().join("tests/fixtures/rules/tenant.yaml");
    let out = caac(
        dir.path(),
        &["lint", "p.yaml", "--tenant", tenant.to_str().unwrap()],
    );
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("CA007 cannot be suppressed"), "{stdout}");
    assert!(
        stdout.contains("error[CA007 mfa-with-auth-strength]"),
        "{stdout}"
    );
}

#[test]
fn explain_and_rules_list_constraints() {
    let out = caac(&root(), &["explain", "CA007"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.contains("Graph validity: always an error"),
        "{stdout}"
    );
    let out = caac(&root(), &["rules"]);
    let (stdout, _) = text(&out);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("CA007 ") && l.contains("graph-validity")),
        "{stdout}"
    );
}

#[test]
fn duplicate_entries_warn_and_are_sent_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.yaml"),
        "displayName: dup\nusers:\n  include: { groups: [Pilot, Pilot, 22222222-2222-4222-8222-222222222222] }\n  exclude: { groups: [Emergency Access] }\napplications: { include: [All] }\ngrant: { builtInControls: [mfa] }\n",
    )
    .unwrap();
    let tenant = root().join("tests/fixtures/rules/tenant.yaml");
    let out = caac(
        dir.path(),
        &["build", "p.yaml", "--tenant", tenant.to_str().unwrap()],
    );
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("warning[duplicate-entry]").count(), 2, "{err}");
    assert!(
        err.contains("p.yaml:3:30") && err.contains("p.yaml:3:37"),
        "{err}"
    );
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/dup.json")).unwrap()).unwrap();
    assert_eq!(
        body["conditions"]["users"]["includeGroups"],
        serde_json::json!(["22222222-2222-4222-8222-222222222222"])
    );
}
