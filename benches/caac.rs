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
//! - `import`: `caac::import::import` over the 200 Graph exports;
//! - `whatif_engine` / `whatif_sweep`: one *sign-in evaluation* — which of
//!   195 policies (Entra's per-tenant limit) apply to one sign-in, and
//!   whether the enforced ones block or require MFA — for 4,096 sign-ins
//!   spread over the scenario matrix, single-threaded: through
//!   `Engine::reasons_into`, then through the matrix-precompiled bitsets of
//!   `whatif::sweep::Sweep`;
//! - `engine_arbitrary_requests`: the same sign-in evaluation for 1,024 or
//!   16,384 pre-mapped *pseudo-random* requests (varied users, groups, roles,
//!   guests, service principals, apps, user actions, platforms, clients,
//!   IP addresses, countries, risks, devices; the generator of
//!   `tests/cli/requests.rs`), not restricted to the scenario matrix,
//!   against the starter set and (when `CAAC_CORPUS` is set, else skipped)
//!   the real policy corpus: through the general `Engine::reasons_into`,
//!   through the compiled `FastEngine::reasons_into` (one reason set per
//!   policy) and through `FastEngine::evaluate` (the same flags as
//!   per-reason policy bitsets);
//! - `impact_matrix`: `caac impact`'s analysis (matrix from the union of both
//!   sides, both sides over every combination, collapsing) between policies
//!   1–195 and 6–200 of the set, on all cores.

use caac::check::{self, Checked, Options};
use caac::graph::compile;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

/// The pseudo-random sign-in generator the differential test uses.
#[path = "../tests/cli/requests.rs"]
mod requests;

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

/// The shape check of one valid spec: the keyword interpreter
/// (`Schema::surely_valid`, what `check` runs first) against the compiled
/// jsonschema validator (what it falls back to).
#[divan::bench(args = ["interpreter", "jsonschema"])]
fn shape_check(bencher: divan::Bencher, how: &str) {
    let text = FIXTURE
        .specs
        .iter()
        .find(|(n, _)| n == "CA410-TokenProtection-ExchangeSharePoint-Windows")
        .map(|(_, t)| t.as_str())
        .expect("starter policy");
    let (value, _) = caac::load::parse_text(text).expect("valid spec");
    let schema = caac::validate::Schema::new(caac::model::policy_schema());
    let validator = schema.validator();
    assert!(schema.surely_valid(&value) && validator.is_valid(&value));
    if how == "interpreter" {
        bencher.bench(|| schema.surely_valid(divan::black_box(&value)));
    } else {
        bencher.bench(|| validator.is_valid(divan::black_box(&value)));
    }
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

/// The first `n` policies of the generated set, resolved, and its tenant.
struct WhatifSet {
    checked: Checked,
}

static WHATIF: LazyLock<WhatifSet> = LazyLock::new(|| WhatifSet {
    checked: check_set(&FIXTURE.root),
});

fn policy_refs(range: std::ops::Range<usize>) -> Vec<caac::whatif::PolicyRef<'static>> {
    let refs: Vec<caac::whatif::PolicyRef<'static>> = WHATIF
        .checked
        .files
        .iter()
        .flat_map(|f| &f.units)
        .filter_map(|u| {
            Some(caac::whatif::PolicyRef {
                name: u.display_name.as_deref().unwrap_or(""),
                policy: u.policy.as_ref()?,
            })
        })
        .collect();
    refs[range].to_vec()
}

/// Sign-ins per evaluation bench.
const SIGN_INS: usize = 4096;

/// The enforced policies that block / require MFA or a strength, as flags.
fn enforced_effects(refs: &[caac::whatif::PolicyRef]) -> (Vec<bool>, Vec<bool>) {
    use caac::model::{BuiltInControl, State};
    refs.iter()
        .map(|r| {
            let p = r.policy;
            let on = p.state == State::Enabled;
            let g = p.grant.as_ref();
            let block = g.is_some_and(|g| g.built_in_controls.contains(&BuiltInControl::Block));
            let mfa = g.is_some_and(|g| {
                g.built_in_controls.contains(&BuiltInControl::Mfa)
                    || g.authentication_strength.is_some()
            });
            (on && block, on && (block || mfa))
        })
        .unzip()
}

/// One sign-in evaluation per item: `Engine::reasons_into` over 195 policies.
#[divan::bench(sample_count = 20)]
fn whatif_engine(bencher: divan::Bencher) {
    use caac::whatif::{Engine, matrix::Matrix};
    let refs = policy_refs(0..195);
    let tenant = WHATIF.checked.tenant.as_ref();
    let matrix = Matrix::new(&refs, tenant);
    let stride = (matrix.size() / SIGN_INS).max(1);
    let sign_ins: Vec<_> = matrix
        .combos()
        .step_by(stride)
        .take(SIGN_INS)
        .map(|c| matrix.sign_in(&c))
        .collect();
    let engine = Engine::new(&refs, tenant);
    let (block, strong) = enforced_effects(&refs);
    let mut reasons = Vec::with_capacity(refs.len());
    bencher
        .counter(divan::counter::ItemsCount::new(sign_ins.len()))
        .bench_local(|| {
            let mut verdicts = 0usize;
            for s in &sign_ins {
                engine.reasons_into(divan::black_box(s), &mut reasons);
                let (mut b, mut m) = (false, false);
                for (i, r) in reasons.iter().enumerate() {
                    if r.is_empty() {
                        b |= block[i];
                        m |= strong[i];
                    }
                }
                verdicts += usize::from(b) * 2 + usize::from(m);
            }
            verdicts
        });
}

/// One sign-in evaluation per item through the precompiled bitsets.
#[divan::bench(sample_count = 20)]
fn whatif_sweep(bencher: divan::Bencher) {
    use caac::whatif::sweep::{Sweep, bitset, intersects};
    use caac::whatif::{Engine, matrix::Matrix};
    let refs = policy_refs(0..195);
    let tenant = WHATIF.checked.tenant.as_ref();
    let matrix = Matrix::new(&refs, tenant);
    let stride = (matrix.size() / SIGN_INS).max(1);
    let combos: Vec<_> = matrix.combos().step_by(stride).take(SIGN_INS).collect();
    let engine = Engine::new(&refs, tenant);
    let sweep = Sweep::new(&matrix, &engine).expect("user personas");
    let (block, strong) = enforced_effects(&refs);
    let block = bitset(refs.len(), |i| block[i]);
    let strong = bitset(refs.len(), |i| strong[i]);
    let mut applying = Vec::with_capacity(sweep.words());
    bencher
        .counter(divan::counter::ItemsCount::new(combos.len()))
        .bench_local(|| {
            let mut verdicts = 0usize;
            for c in &combos {
                sweep.applying(divan::black_box(c), &mut applying);
                verdicts += usize::from(intersects(&applying, &block)) * 2
                    + usize::from(intersects(&applying, &strong));
            }
            verdicts
        });
}

/// `caac impact`'s analysis over the full default matrix: policies 1–195
/// (base) against 6–200 (head), all cores.
#[divan::bench(sample_count = 10)]
fn impact_matrix(bencher: divan::Bencher) {
    let base = policy_refs(0..195);
    let head = policy_refs(5..200);
    let tenant = WHATIF.checked.tenant.as_ref();
    let size = caac::whatif::matrix::Matrix::new(
        &base.iter().chain(&head).copied().collect::<Vec<_>>(),
        tenant,
    )
    .size();
    eprintln!("impact_matrix: {size} sign-in classes per side");
    bencher.bench(|| caac::whatif::impact::analyse(&base, &head, tenant));
}

/// One sign-in evaluation per item over pseudo-random requests (see the
/// module docs): `set/how/pool`, `set` is `starter` or `corpus`, `how` is
/// `general` (per-policy reason sets from the general engine), `compiled`
/// (the same reason sets from `FastEngine::reasons_into`) or `answer` (the
/// same flags as `FastEngine::evaluate`'s per-reason policy bitsets, the
/// verdict read with `Answer::applies_any`), `pool` the number of distinct pre-mapped
/// requests: 1,024 stay in the CPU caches across passes, as a record just
/// read does in `caac replay`; 16,384 (about 16 MB of scattered strings)
/// mostly do not, which measures memory latency as much as evaluation.
#[divan::bench(sample_count = 20, args = [
    "starter/general/1024", "starter/compiled/1024",
    "corpus/general/1024", "corpus/compiled/1024",
    "corpus/general/16384", "corpus/compiled/16384",
    "starter/answer/1024", "corpus/answer/1024", "corpus/answer/16384",
])]
fn engine_arbitrary_requests(bencher: divan::Bencher, case: &str) {
    use caac::whatif::{Engine, FastEngine, PolicyRef, compiled::Cache};
    let mut parts = case.split('/');
    let (set, how) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let pool: usize = parts
        .next()
        .and_then(|p| p.parse().ok())
        .expect("pool size");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (policies, tenant) = if set == "starter" {
        requests::load(&[root.join("policies")], Some(root.join("tenant.yaml")))
    } else {
        let Some(dir) = std::env::var_os("CAAC_CORPUS").map(PathBuf::from) else {
            eprintln!("skipped: engine_arbitrary_requests {case}: CAAC_CORPUS not set");
            return;
        };
        let (p, _) = requests::load(&[dir.join("graph-policies")], None);
        let plain: Vec<_> = p.iter().map(|(_, p)| p).collect();
        let t = requests::synthetic_tenant(&plain);
        (p, Some(t))
    };
    let refs: Vec<PolicyRef> = policies
        .iter()
        .map(|(name, policy)| PolicyRef { name, policy })
        .collect();
    let plain: Vec<_> = policies.iter().map(|(_, p)| p).collect();
    let vocabulary = requests::Vocabulary::of(&plain, tenant.as_ref());
    let mut rng = requests::Rng::new(0x00be_c4a7_0016);
    let sign_ins: Vec<_> = (0..pool).map(|_| vocabulary.sign_in(&mut rng)).collect();
    eprintln!(
        "engine_arbitrary_requests {case}: {} policies, {} requests",
        refs.len(),
        sign_ins.len()
    );
    let (block, strong) = enforced_effects(&refs);
    let verdict = |reasons: &[caac::whatif::ReasonSet]| {
        let (mut b, mut m) = (false, false);
        for (i, r) in reasons.iter().enumerate() {
            if r.is_empty() {
                b |= block[i];
                m |= strong[i];
            }
        }
        usize::from(b) * 2 + usize::from(m)
    };
    let mut reasons = Vec::with_capacity(refs.len());
    let bencher = bencher.counter(divan::counter::ItemsCount::new(sign_ins.len()));
    if how == "general" {
        let engine = Engine::new(&refs, tenant.as_ref());
        let mut pass = || {
            let mut verdicts = 0usize;
            for s in &sign_ins {
                engine.reasons_into(divan::black_box(s), &mut reasons);
                verdicts += verdict(&reasons);
            }
            verdicts
        };
        per_cpu_second(case, sign_ins.len(), &mut pass);
        bencher.bench_local(pass);
    } else if how == "answer" {
        let fast = FastEngine::new(&refs, tenant.as_ref());
        let (block, strong) = (fast.mask(|i| block[i]), fast.mask(|i| strong[i]));
        let mut cache = Cache::default();
        let mut pass = || {
            let mut verdicts = 0usize;
            for s in &sign_ins {
                let a = fast.evaluate(divan::black_box(s), &mut cache);
                verdicts +=
                    usize::from(a.applies_any(&block)) * 2 + usize::from(a.applies_any(&strong));
            }
            verdicts
        };
        per_cpu_second(case, sign_ins.len(), &mut pass);
        bencher.bench_local(pass);
    } else {
        let fast = FastEngine::new(&refs, tenant.as_ref());
        let mut cache = Cache::default();
        let mut pass = || {
            let mut verdicts = 0usize;
            for s in &sign_ins {
                fast.reasons_into(divan::black_box(s), &mut cache, &mut reasons);
                verdicts += verdict(&reasons);
            }
            verdicts
        };
        per_cpu_second(case, sign_ins.len(), &mut pass);
        bencher.bench_local(pass);
    }
}

/// This thread's CPU time in nanoseconds (Linux `/proc/thread-self/schedstat`,
/// first field), if readable.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Prints sign-ins per second of this thread's CPU time over passes
/// lasting at least a second: on a shared machine the wall-clock rate divan
/// reports counts the time other processes hold the core. The kernel
/// advances the schedstat figure at scheduler ticks (a few milliseconds),
/// so a shorter measurement can read no CPU time at all.
fn per_cpu_second(case: &str, items: usize, pass: &mut dyn FnMut() -> usize) {
    pass(); // warm caches
    let (Some(cpu0), wall0) = (thread_cpu_ns(), std::time::Instant::now()) else {
        return;
    };
    let mut passes = 0;
    let mut sink = 0;
    while passes < 8 || wall0.elapsed() < std::time::Duration::from_secs(1) {
        sink += pass();
        passes += 1;
    }
    let wall = wall0.elapsed().as_secs_f64();
    let cpu = thread_cpu_ns().unwrap_or(cpu0).saturating_sub(cpu0) as f64 / 1e9;
    let n = (items * passes) as f64;
    // The verdict checksum of one pass: the same for every way of
    // evaluating the same set and pool.
    eprintln!(
        "engine_arbitrary_requests {case}: {:.0} sign-ins per CPU-second ({:.0} per wall-second, {passes} passes; verdicts {})",
        n / cpu.max(1e-9),
        n / wall,
        sink / passes
    );
}
