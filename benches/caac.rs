//! In-process benchmarks of caac's stages (divan): `cargo bench --bench caac`.
//!
//! The input is generated once per run by `bench/generate.py` (Python 3
//! stdlib) into a temporary directory: 200 policy specs, their tenant file,
//! and the same policies as Graph JSON exports (produced by the `caac` binary
//! cargo builds alongside this bench). Seeded, so every run sees the same
//! files. `bench/compare.sh` measures the whole binary at 200 / 2,000 /
//! 20,000 policies; these benches isolate the stages:
//!
//! - `load`: `caac::load::parse_text` on one spec (parse + span map);
//! - `lint`: `caac::check::check` over the 200-policy directory
//!   (read, parse, schema, resolve, every lint rule);
//! - `build`: `check` plus `compile` and the Graph-schema check of every
//!   clean policy (what `caac build` does before writing files);
//! - `compile`: `compile` + Graph-schema check alone, on already resolved policies;
//! - `import`: `caac::import::import` over the 200 Graph exports.

use caac::check::{self, Checked, Options};
use caac::compile;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

/// Policies in the generated set.
const COUNT: usize = 200;
/// Seed for `bench/generate.py`.
const SEED: &str = "7";

/// The generated repository; lives as long as the process.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    /// A few representative spec texts (name, text) for `load`.
    specs: Vec<(String, String)>,
    exports: Vec<PathBuf>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("repo");
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/generate.py");
    let status = Command::new("python3")
        .arg(&generator)
        .args(["--count", &COUNT.to_string(), "--seed", SEED, "--out"])
        .arg(&root)
        .arg("--caac")
        .arg(env!("CARGO_BIN_EXE_caac"))
        .status()
        .expect("python3 runs bench/generate.py");
    assert!(status.success(), "bench/generate.py failed: {status}");
    let mut specs = Vec::new();
    for name in [
        // The starter set's token protection policy and its largest (19 roles).
        "CA410-TokenProtection-ExchangeSharePoint-Windows.yaml",
        "CA002-Admins-PhishingResistantMFA.yaml",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("policies")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("starter policy");
        specs.push((name.trim_end_matches(".yaml").to_owned(), text));
    }
    let exports = sorted_files(&root.join("exports"));
    assert_eq!(exports.len(), COUNT, "every generated policy compiles");
    Fixture {
        _dir: dir,
        root,
        specs,
        exports,
    }
});

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable directory")
        .map(|e| e.expect("directory entry").path())
        .collect();
    files.sort();
    files
}

fn check_set(root: &Path) -> Checked {
    let paths = [root.join("policies")];
    let opts = Options {
        paths: &paths,
        tenant: Some(root.join("tenant.yaml")),
        break_glass: &[],
        config: Some(root.join(".caac.yaml")),
        partial: false,
    };
    check::check(&opts).expect("policies found")
}

fn main() {
    // Generate before timing anything.
    LazyLock::force(&FIXTURE);
    divan::main();
}

/// Parse one spec: YAML → `serde_json::Value` + JSON-pointer span map.
#[divan::bench(args = [
    "CA410-TokenProtection-ExchangeSharePoint-Windows",
    "CA002-Admins-PhishingResistantMFA",
])]
fn load(bencher: divan::Bencher, name: &str) {
    let text = FIXTURE
        .specs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .expect("starter policy");
    bencher.bench(|| caac::load::parse_text(divan::black_box(text)).expect("valid spec"));
}

/// `caac lint` without rendering: load, validate, resolve and lint 200 policies.
#[divan::bench(sample_count = 20)]
fn lint() -> Checked {
    check_set(&FIXTURE.root)
}

/// `caac build` without writing: lint, then compile and Graph-check every clean policy.
#[divan::bench(sample_count = 20)]
fn build() -> usize {
    let checked = check_set(&FIXTURE.root);
    let mut written = 0;
    for f in &checked.files {
        for u in &f.units {
            if let (Some(p), true) = (&u.policy, u.clean) {
                let c = compile::compile(p);
                let problems = compile::check_against_graph(&c, p.passthrough.as_ref());
                written += usize::from(problems.is_empty());
            }
        }
    }
    assert_eq!(written, COUNT);
    written
}

/// Compile + Graph-schema check alone, on 200 already resolved policies.
#[divan::bench(sample_count = 20)]
fn compile_only(bencher: divan::Bencher) {
    let checked = check_set(&FIXTURE.root);
    let policies: Vec<_> = checked
        .files
        .iter()
        .flat_map(|f| &f.units)
        .filter_map(|u| u.policy.clone().filter(|_| u.clean))
        .collect();
    bencher.bench(|| {
        policies
            .iter()
            .map(|p| {
                let c = compile::compile(p);
                compile::check_against_graph(&c, p.passthrough.as_ref()).len()
            })
            .sum::<usize>()
    });
}

/// `caac import` without writing: 200 Graph exports → specs.
#[divan::bench(sample_count = 20)]
fn import(bencher: divan::Bencher) {
    let (tenant, _) = check::load_tenant(&FIXTURE.root.join("tenant.yaml"));
    let tenant = tenant.expect("generated tenant file loads");
    bencher.bench(|| {
        let imported = caac::import::import(&FIXTURE.exports, Some(&tenant), "../schemas");
        assert_eq!(imported.specs.len(), COUNT);
        imported
    });
}
