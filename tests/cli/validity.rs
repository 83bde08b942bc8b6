//! Graph validity is part of compiling: one failing and one passing fixture
//! per constraint (rendered findings snapshotted), and the promise that no
//! configuration, suppression or `--partial` lets `caac build` write a body
//! Graph rejects.

use crate::common::{caac, root, text};
use caac::check::{self, Options};
use caac::render::{self, FileReport};
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
            rendered.push_str(&render::human(&bad, false));
        }
        insta::assert_snapshot!(format!("validity_{}", c.id), rendered);
        let pass = dir.join("pass.yaml");
        let good = findings(&pass, c.id);
        assert!(
            good.is_empty(),
            "{}: {} raises it:\n{}",
            c.id,
            pass.display(),
            render::human(&good, false)
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

/// `(header, position)` of every `error[<id> …]` in caac's output, e.g.
/// `("error[CA005 block-with-grant-controls]", "policy.yaml:7:21")`.
fn constraint_errors(out: &str, id: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut lines = out.lines().peekable();
    while let Some(l) = lines.next() {
        if l.starts_with(&format!("error[{id} ")) {
            let header = l.split(": ").next().unwrap_or(l).to_owned();
            let arrow = lines
                .next_if(|n| n.trim_start().starts_with("-->"))
                .map(|n| n.trim_start().trim_start_matches("-->").trim().to_owned())
                .unwrap_or_default();
            found.push((header, arrow));
        }
    }
    found
}

/// caac with a Graph token in the environment and nothing else of the
/// caller's: the fake Graph on loopback is the only tenant it can reach.
fn caac_graph(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("caac")
        .expect("caac binary")
        .current_dir(dir)
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_CLIENT_SECRET")
        .env_remove("CAAC_TOKEN_URL")
        .env("CAAC_GRAPH_TOKEN", GRAPH_TOKEN)
        .args(["--color", "never"])
        .args(args)
        .output()
        .expect("run caac");
    let (o, e) = text(&out);
    (out.status.code().unwrap_or(-1), format!("{o}{e}"))
}

const GRAPH_TOKEN: &str = "validity-test-token";

/// `caac plan` and `caac apply` refuse a policy Graph would reject, with
/// every lint rule switched off: the constraint's error is printed at its
/// file:line:col (the same diagnostic `caac lint` shows), the exit code is 2
/// and nothing is written to Graph — offline against a pulled state
/// (`--state`) and live against the fake Graph. A control run with the
/// passing fixture shows the same set-up does plan and write.
#[test]
fn plan_and_apply_refuse_every_graph_invalid_shape_with_every_rule_off() {
    use crate::fake_graph::Fake;
    let fake = Fake::start(GRAPH_TOKEN);
    let tenant = root().join("tests/fixtures/rules/tenant.yaml");
    let tenant = tenant.to_str().unwrap();
    let common = |cmd: &'static str| -> Vec<String> {
        [
            cmd,
            "policy.yaml",
            "--tenant",
            tenant,
            "--break-glass",
            "11111111-1111-4111-8111-111111111111",
            "--lock",
            "caac.lock",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let live = |mut v: Vec<String>| -> Vec<String> {
        v.extend([
            "--graph-url".into(),
            fake.url.clone(),
            "--pace".into(),
            "0".into(),
        ]);
        v
    };
    let offline = |mut v: Vec<String>| -> Vec<String> {
        v.extend(["--state".into(), "state".into()]);
        v
    };
    let commands: Vec<(&str, Vec<String>)> = vec![
        ("plan --state", offline(common("plan"))),
        ("plan (live)", live(common("plan"))),
        ("apply --dry-run --state", {
            let mut v = offline(common("apply"));
            v.push("--dry-run".into());
            v
        }),
        ("apply --yes (live)", {
            let mut v = live(common("apply"));
            v.push("--yes".into());
            v
        }),
    ];
    let setup = |fixture: &Path| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".caac.yaml"), all_rules_off()).unwrap();
        std::fs::create_dir(dir.path().join("state")).unwrap();
        std::fs::write(dir.path().join("state/policies.json"), "{\"value\": []}\n").unwrap();
        std::fs::copy(fixture, dir.path().join("policy.yaml")).unwrap();
        dir
    };
    let mut checked_ca005 = false;
    for c in CONSTRAINTS {
        for fail in failing(&root().join(DIR).join(c.id)) {
            let dir = setup(&fail);
            let (_, lint) = caac_graph(dir.path(), &["lint", "policy.yaml", "--tenant", tenant]);
            let want = constraint_errors(&lint, c.id);
            assert!(
                !want.is_empty(),
                "{} ({}): lint: {lint}",
                c.id,
                fail.display()
            );
            assert!(
                want.iter().all(|(_, at)| at.starts_with("policy.yaml:")),
                "{}: {want:?}",
                c.id
            );
            if c.id == "CA005" {
                // The reviewed snapshot's position (cli__validity__validity_CA005.snap).
                assert_eq!(want[0].1, "policy.yaml:7:21");
                checked_ca005 = true;
            }
            for (name, args) in &commands {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let (code, out) = caac_graph(dir.path(), &args);
                assert!(!out.contains("panicked"), "{out}");
                assert_eq!(code, 2, "{} {name} ({}): {out}", c.id, fail.display());
                assert_eq!(
                    constraint_errors(&out, c.id),
                    want,
                    "{} {name}: {out}",
                    c.id
                );
                assert!(
                    !dir.path().join("caac.lock").exists(),
                    "{} {name}: lock written",
                    c.id
                );
            }
            assert_eq!(fake.writes(), 0, "{}: a request was written to Graph", c.id);
            assert!(
                fake.with(|s| s.log.iter().all(|r| r.method == "GET")),
                "{}: only reads may reach Graph",
                c.id
            );
        }
    }
    assert!(checked_ca005);
    // Control: the passing fixture plans and applies with the same set-up.
    let dir = setup(&root().join(DIR).join("CA005/pass.yaml"));
    for (name, args) in &commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out) = caac_graph(dir.path(), &args);
        // `plan` exits 1 when there are changes to make.
        assert!(code == 0 || code == 1, "control {name}: exit {code}: {out}");
        assert!(!out.contains("error["), "control {name}: {out}");
        assert!(
            out.contains("create") || out.contains("POST "),
            "control {name}: {out}"
        );
    }
    assert_eq!(fake.writes(), 1, "the control policy is created");
}
