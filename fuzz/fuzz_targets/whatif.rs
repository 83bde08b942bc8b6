//! `whatif`: arbitrary bytes as a what-if request (`r.json`, the body of
//! Graph's `POST /identity/conditionalAccess/evaluate` plus caac's
//! `memberOf`/`directoryRoles`), through what `caac whatif` does with it:
//! parse, `whatif::request::parse` (names resolved through a tenant file),
//! evaluate against a fixed, varied policy set (every rule fixture under
//! `tests/fixtures/rules/`, 100-odd policies resolved through their tenant
//! file), and render the outcome as Graph-shaped JSON and as a table.
//!
//! Oracles beyond "does not panic":
//! - a loader error carries a position consistent with the text (as `load`);
//! - a request error is a pointer diagnostic that the report stage places at
//!   a line:column of the request (the user must be able to find it);
//! - the precompiled [`caac::whatif::Engine`] and the one-shot
//!   [`caac::whatif::evaluate`] agree exactly (the engine's fast path is an
//!   optimisation, never a second semantics);
//! - the JSON output has one `value` entry per policy, and a policy that
//!   applies reports exactly `notSet`.
#![no_main]

mod common;

use caac::check::{Checked, Options};
use caac::render::FileReport;
use caac::whatif::{Engine, PolicyRef};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::LazyLock;

const PATH: &str = "r.json";

/// The policy set: loaded once, with the repository's own front half.
static SET: LazyLock<Checked> = LazyLock::new(|| {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let paths = [root.join("tests/fixtures/rules")];
    let opts = Options {
        paths: &paths,
        tenant: Some(root.join("tests/fixtures/rules/tenant.yaml")),
        break_glass: &[],
        config: None,
        partial: true,
    };
    caac::check::check(&opts).expect("the fixture set loads")
});

fn policies() -> Vec<PolicyRef<'static>> {
    SET.files
        .iter()
        .flat_map(|f| &f.units)
        .filter_map(|u| {
            Some(PolicyRef {
                name: u.display_name.as_deref().unwrap_or(""),
                policy: u.policy.as_ref()?,
            })
        })
        .collect()
}

static POLICIES: LazyLock<Vec<PolicyRef<'static>>> = LazyLock::new(policies);
static ENGINE: LazyLock<Engine<'static>> =
    LazyLock::new(|| Engine::new(&POLICIES, SET.tenant.as_ref()));

fuzz_target!(|data: &[u8]| {
    let doc = match caac::load::parse_bytes(PATH.into(), data) {
        Ok(doc) => doc,
        Err((d, text)) => {
            common::assert_positioned(&d, text.as_deref());
            common::render(FileReport {
                path: PATH.into(),
                text,
                spans: None,
                diagnostics: vec![*d],
            });
            return;
        }
    };
    let tenant = SET.tenant.as_ref();
    let parsed = caac::whatif::request::parse(&doc.value, tenant);
    let applied_only = caac::whatif::request::applied_policies_only(&doc.value);
    let sign_in = match parsed {
        Ok(s) => s,
        Err(ds) => {
            assert!(!ds.is_empty(), "a rejected request names why");
            let report = FileReport {
                path: PATH.into(),
                text: Some(doc.text),
                spans: Some(doc.spans),
                diagnostics: ds,
            };
            for d in &report.diagnostics {
                assert!(
                    report.place(d).is_some(),
                    "request diagnostic cannot be placed in the request: {d:?}"
                );
            }
            common::render(report);
            return;
        }
    };
    let fast = ENGINE.evaluate(&sign_in);
    let slow = caac::whatif::evaluate(&POLICIES, tenant, &sign_in);
    assert_eq!(fast, slow, "Engine and evaluate disagree for {sign_in:?}");
    // The per-shape fast path (coverage, impact, the scenario matrix) agrees
    // with the engine's access: blocked exactly when an applying enforced
    // policy's `grant_effect` for the sign-in's shape blocks (legacy
    // clients, device code flow, token protection that cannot bind).
    let shape = sign_in.shape();
    let fast_block = POLICIES.iter().zip(&fast.policies).any(|(p, r)| {
        r.applies
            && p.policy.state == caac::model::State::Enabled
            && caac::whatif::grant_effect(p.name, p.policy, shape).blocks()
    });
    assert_eq!(
        fast_block,
        fast.access == caac::whatif::Access::Block,
        "grant_effect per Shape and the engine disagree for {sign_in:?}"
    );
    let json = caac::whatif::output::to_json(&fast);
    let value = json["value"].as_array().expect("`value` is an array");
    assert_eq!(value.len(), POLICIES.len(), "one result per policy");
    for v in value {
        if v["policyApplies"] == serde_json::Value::Bool(true) {
            assert_eq!(
                v["analysisReasons"], "notSet",
                "an applying policy reports notSet: {v}"
            );
        }
    }
    if applied_only {
        std::hint::black_box(caac::whatif::output::to_json_applied_only(&fast));
    }
    std::hint::black_box(caac::whatif::output::human(&fast));
});
