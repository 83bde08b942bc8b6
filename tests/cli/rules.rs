//! One failing and one passing fixture per rule (ruff's habit): the failing
//! fixture must raise the rule and its rendered diagnostics are snapshotted;
//! the passing fixture must not raise it. A fixture is `fail.yaml` / `pass.yaml`
//! or a directory `fail/` / `pass/` (for set rules, and for the rules on
//! named location and strength specs, which sit in `locations/` and
//! `strengths/` inside it beside `policies/`); an optional
//! `config.yaml` beside them is used as the linter config. All fixtures share
//! `tests/fixtures/rules/tenant.yaml`.

use caac::check::{self, Options};
use caac::lint::rules::RULES;
use caac::render::{self, FileReport};
use std::path::{Path, PathBuf};

const DIR: &str = "tests/fixtures/rules";

fn fixture(rule_dir: &Path, kind: &str) -> Option<PathBuf> {
    [
        rule_dir.join(format!("{kind}.yaml")),
        rule_dir.join(format!("{kind}.json")),
        rule_dir.join(kind),
    ]
    .into_iter()
    .find(|p| p.exists())
}

/// Runs the checker on a fixture and keeps only the findings of rule `id`.
fn findings(path: &Path, config: Option<PathBuf>, id: &str) -> Vec<FileReport> {
    let paths = [path.to_path_buf()];
    let opts = Options {
        paths: &paths,
        tenant: Some(PathBuf::from(DIR).join("tenant.yaml")),
        break_glass: &[],
        config,
        partial: false,
    };
    let checked = check::check(&opts).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reports = checked.into_reports();
    for r in &mut reports {
        let input: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.name.is_none() && d.severity == caac::diag::Severity::Error)
            .collect();
        assert!(
            input.is_empty(),
            "{}: fixture has input errors: {input:#?}",
            r.path
        );
        r.diagnostics.retain(|d| d.code == id);
        r.sort();
    }
    reports.retain(|r| !r.diagnostics.is_empty());
    reports
}

#[test]
fn every_rule_has_fixtures_that_fail_and_pass() {
    // cwd is the package root for integration tests, so paths stay relative and snapshots stable.
    // CAAC_RULE=CA402,CA403 limits the run while developing rules.
    let only: Option<Vec<String>> = std::env::var("CAAC_RULE")
        .ok()
        .map(|v| v.split(',').map(str::to_owned).collect());
    let mut missing = Vec::new();
    for rule in RULES
        .iter()
        .filter(|r| only.as_ref().is_none_or(|o| o.iter().any(|x| x == r.id)))
    {
        let dir = PathBuf::from(DIR).join(rule.id);
        let config = Some(dir.join("config.yaml")).filter(|p| p.exists());
        let (Some(fail), Some(pass)) = (fixture(&dir, "fail"), fixture(&dir, "pass")) else {
            missing.push(rule.id);
            continue;
        };
        let bad = findings(&fail, config.clone(), rule.id);
        assert!(
            !bad.is_empty(),
            "{}: {} does not raise the rule",
            rule.id,
            fail.display()
        );
        insta::assert_snapshot!(rule.id, render::human(&bad, false));
        let good = findings(&pass, config, rule.id);
        assert!(
            good.is_empty(),
            "{}: {} raises it:\n{}",
            rule.id,
            pass.display(),
            render::human(&good, false)
        );
    }
    assert!(
        missing.is_empty(),
        "rules without fail/pass fixtures: {missing:?}"
    );
}
