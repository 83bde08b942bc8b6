//! The compiled evaluator (`caac::whatif::FastEngine`) against the general
//! engine (`caac::whatif::Engine`): the same `analysisReasons` flags for
//! every policy of thousands of pseudo-random sign-ins (fixed seed), over
//! the starter set, the replay fixtures' set and, when `CAAC_CORPUS` is set,
//! the real policy corpus. The requests mix ids the policies name (users,
//! groups, roles, guest tenants, service principals, apps, Office365 /
//! admin-portal / Azure management members, user actions, contexts), ids
//! they do not, odd ASCII case, addresses inside and outside the tenant's
//! named locations, countries, every platform, client, risk, flow and a few
//! device shapes.

use super::common::corpus;
use super::requests::{Rng, Vocabulary, load, synthetic_tenant};
use caac::model::Policy;
use caac::signins::Missing;
use caac::signins::replay::PolicySet;
use caac::whatif::compiled::Cache;
use caac::whatif::{Engine, FastEngine, PolicyRef};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Compares both evaluators on `count` pseudo-random sign-ins.
fn differential(
    label: &str,
    paths: &[PathBuf],
    tenant: Option<PathBuf>,
    synthetic: bool,
    count: usize,
    min: usize,
) {
    let (policies, mut tenant) = load(paths, tenant);
    assert!(
        policies.len() >= min,
        "{label}: only {} policies resolved",
        policies.len()
    );
    let refs: Vec<PolicyRef> = policies
        .iter()
        .map(|(name, policy)| PolicyRef { name, policy })
        .collect();
    let plain: Vec<&Policy> = policies.iter().map(|(_, p)| p).collect();
    if synthetic {
        tenant = Some(synthetic_tenant(&plain));
    }
    let vocabulary = Vocabulary::of(&plain, tenant.as_ref());
    let engine = Engine::new(&refs, tenant.as_ref());
    let fast = FastEngine::new(&refs, tenant.as_ref());
    let uncompiled = FastEngine::uncompiled(Engine::new(&refs, tenant.as_ref()));
    let mut cache = Cache::default();
    let mut uncompiled_cache = Cache::default();
    // Policy subsets for `Answer::applies_any`: every k-th policy from an
    // offset, the enforced blocking ones, none, all.
    let plain_masks: Vec<Vec<bool>> = [(1, 0), (2, 1), (3, 2), (5, 4), (7, 3), (11, 6)]
        .iter()
        .map(|(k, o)| (0..refs.len()).map(|i| i % k == o % k).collect())
        .chain([
            refs.iter()
                .map(|r| {
                    r.policy.state == caac::model::State::Enabled
                        && r.policy.grant.as_ref().is_some_and(|g| {
                            g.built_in_controls
                                .contains(&caac::model::BuiltInControl::Block)
                        })
                })
                .collect(),
            vec![false; refs.len()],
        ])
        .collect();
    let compiled_masks: Vec<_> = plain_masks.iter().map(|m| fast.mask(|i| m[i])).collect();
    let uncompiled_masks: Vec<_> = plain_masks
        .iter()
        .map(|m| uncompiled.mask(|i| m[i]))
        .collect();
    // `caac replay`'s verdicts (statuses, unknown policies, access) through
    // the compiled evaluator and through the general engine alone.
    let mut replay = PolicySet::new(refs.clone(), tenant.as_ref());
    let mut reference = PolicySet::uncompiled(refs.clone(), tenant.as_ref());
    let lower = |v: &[String]| -> HashSet<String> {
        v.iter()
            .step_by(2)
            .map(|x| x.to_ascii_lowercase())
            .collect()
    };
    let (known_groups, known_roles) = (lower(&vocabulary.groups), lower(&vocabulary.roles));
    let mut rng = Rng::new(0x5eed_cafe_f00d_0016);
    let (mut want, mut got) = (Vec::new(), Vec::new());
    let mut applying = 0usize;
    let mut verdicts = std::collections::BTreeMap::new();
    for k in 0..count {
        let s = vocabulary.sign_in(&mut rng);
        engine.reasons_into(&s, &mut want);
        fast.reasons_into(&s, &mut cache, &mut got);
        if want != got {
            let i = (0..want.len()).find(|i| want.get(*i) != got.get(*i));
            panic!(
                "{label}: sign-in {k} differs at policy {i:?} ({:?}): engine {:?}, compiled {:?}\n{s:#?}",
                i.map(|i| refs[i].name),
                i.map(|i| want[i].to_vec()),
                i.and_then(|i| got.get(i)).map(|r| r.to_vec()),
            );
        }
        applying += want.iter().filter(|r| r.is_empty()).count();
        // `FastEngine::evaluate`'s bitsets, compiled and not, say the same.
        for (how, answer, masks) in [
            ("compiled", fast.evaluate(&s, &mut cache), &compiled_masks),
            (
                "uncompiled",
                uncompiled.evaluate(&s, &mut uncompiled_cache),
                &uncompiled_masks,
            ),
        ] {
            assert_eq!(answer.len(), want.len(), "{label}: {how} answer length");
            for (i, r) in want.iter().enumerate() {
                assert_eq!(
                    answer.reasons(i),
                    *r,
                    "{label}: sign-in {k}, {how} answer, policy {i}"
                );
                assert_eq!(answer.applies(i), r.is_empty());
            }
            let mut all = Vec::new();
            answer.reasons_into(&mut all);
            assert_eq!(
                all, want,
                "{label}: sign-in {k}, {how} Answer::reasons_into"
            );
            for (plain, mask) in plain_masks.iter().zip(masks) {
                let expected = want.iter().zip(plain).any(|(r, m)| *m && r.is_empty());
                assert_eq!(
                    answer.applies_any(mask),
                    expected,
                    "{label}: sign-in {k}, {how} Answer::applies_any"
                );
            }
        }
        let missing = Missing {
            membership: rng.chance(30),
            guest_type: rng.chance(20),
            user_risk: rng.chance(30),
            sign_in_risk: rng.chance(20),
            flow: rng.chance(20),
            location: rng.chance(10),
        };
        let known = rng.chance(50).then_some((&known_groups, &known_roles));
        let v = replay.verdict(&s, missing, known);
        assert_eq!(
            v,
            reference.verdict(&s, missing, known),
            "{label}: replay verdict of sign-in {k}"
        );
        *verdicts.entry(v.access.as_str()).or_insert(0usize) += 1;
    }
    // Something applied, so the comparison covered both answers.
    assert!(applying > 0, "{label}: no policy ever applied");
    assert_eq!(cache.stats.general, 0, "{label}: the set compiled");
    println!(
        "{label}: {count} sign-ins × {} policies agree ({applying} applying results; replay verdicts {verdicts:?}; {:?})",
        refs.len(),
        cache.stats
    );
}

#[test]
fn fast_engine_matches_engine_on_starter_set() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    differential(
        "starter set",
        &[root.join("policies")],
        Some(root.join("tenant.yaml")),
        false,
        20_000,
        10,
    );
}

#[test]
fn fast_engine_matches_engine_on_replay_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signins");
    for set in ["policies", "base/policies", "tp-policies"] {
        differential(
            &format!("replay fixtures ({set})"),
            &[dir.join(set)],
            Some(dir.join("tenant.yaml")),
            false,
            10_000,
            1,
        );
    }
}

#[test]
fn fast_engine_matches_engine_on_corpus() {
    let Some(dir) = corpus("fast_engine_matches_engine_on_corpus") else {
        return;
    };
    differential("corpus", &[dir], None, true, 10_000, 190);
}
