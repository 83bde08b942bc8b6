//! Hostile-input benchmarks (divan): `cargo bench --bench hostile`.
//!
//! The hostile-input catalogue (tests/cli/hostile.rs) proves that caac
//! *finishes* on these inputs with the right answer; how *fast* is a speed
//! claim, and speed is checked here, never by a wall-clock assertion in a
//! test (a loaded CI machine made those flaky). Both inputs once exposed
//! quadratic behaviour (position computation, report rendering), so a
//! regression shows up here as a jump by orders of magnitude:
//!
//! - `export_100k_group_ids`: one Graph export whose `includeGroups` holds
//!   100,000 ids on one line (3.9 MB), through what `caac build` does before
//!   writing: load, convert, resolve, lint, compile, Graph-schema check;
//! - `render_10k_findings_one_line`: the same shape with 10,000 ids unknown
//!   to the tenant file, linted (10,000 CA902 findings on line 1) and
//!   rendered for people.

use caac::check::{self, Checked, Options};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// A Graph export (GET shape) whose include groups are `n` distinct ids, on one line.
fn export_with_groups(n: usize) -> String {
    let ids: Vec<String> = (1..=n)
        .map(|i| format!("\"0a0b0c0d-0000-4000-8000-{i:012x}\""))
        .collect();
    format!(
        r#"{{"displayName": "Test", "state": "enabledForReportingButNotEnforced", "conditions": {{"users": {{"includeGroups": [{}], "excludeGroups": ["8f1c2b7a-4d3e-4a5b-9c6d-0e1f2a3b4c5d"]}}, "applications": {{"includeApplications": ["00000002-0000-0ff1-ce00-000000000000"]}}, "clientAppTypes": ["all"]}}, "grantControls": {{"operator": "OR", "builtInControls": ["mfa"]}}}}"#,
        ids.join(", ")
    )
}

struct Input {
    _dir: tempfile::TempDir,
    big: PathBuf,
    many: PathBuf,
    tenant: PathBuf,
}

static INPUT: LazyLock<Input> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temporary directory");
    let big = dir.path().join("big.json");
    std::fs::write(&big, export_with_groups(100_000)).expect("write big.json");
    let many = dir.path().join("many.json");
    std::fs::write(&many, export_with_groups(10_000)).expect("write many.json");
    let tenant = dir.path().join("tenant.yaml");
    std::fs::write(
        &tenant,
        "groups:\n  Pilot: 3a9e5c1d-7b2f-4e8a-b6c4-d2e0f1a3b5c7\n",
    )
    .expect("write tenant.yaml");
    Input {
        _dir: dir,
        big,
        many,
        tenant,
    }
});

fn check(path: &Path, tenant: Option<PathBuf>) -> Checked {
    let paths = [path.to_path_buf()];
    let opts = Options {
        paths: &paths,
        tenant,
        break_glass: &[],
        config: None,
        partial: true,
    };
    check::check(&opts).expect("check runs")
}

fn main() {
    LazyLock::force(&INPUT);
    divan::main();
}

#[divan::bench(sample_count = 5)]
fn export_100k_group_ids() -> usize {
    let checked = check(&INPUT.big, None);
    let mut bodies = 0;
    for unit in checked.files.iter().flat_map(|f| &f.units) {
        if let (Some(p), true) = (&unit.policy, unit.clean) {
            let c = caac::graph::compile::compile(p);
            let graph = caac::graph::compile::check_against_graph(&c, p.passthrough.as_ref());
            assert!(graph.is_empty(), "the export compiles to a valid body");
            bodies += 1;
        }
    }
    assert_eq!(bodies, 1);
    bodies
}

#[divan::bench(sample_count = 5)]
fn render_10k_findings_one_line() -> usize {
    let checked = check(&INPUT.many, Some(INPUT.tenant.clone()));
    let mut reports = checked.into_reports();
    for r in &mut reports {
        r.sort();
    }
    let text = caac::render::human(&reports, false);
    assert!(text.contains("10000 error(s)") || text.matches("CA902").count() >= 10_000);
    text.len()
}
