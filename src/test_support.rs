//! Unit-test support: the one place unit tests build policies and lint
//! contexts, so every `#[cfg(test)] mod tests` writes a policy the same way
//! and a change to the model's shape is fixed here once.
//!
//! Contract: test-only (`#[cfg(test)]`), panics on malformed input (a broken
//! fixture is a broken test), never touches the file system or the network.
//! Policies are written as caac YAML ([`from_yaml`]), as Graph-resolved JSON
//! ([`from_json`]) or built in Rust from the broadest scope
//! ([`all_users_all_apps`]): `users.include.users: [All]` and
//! `applications.include: [All]`, the scope of Graph's "All users" / "All
//! resources" (<https://learn.microsoft.com/graph/api/resources/conditionalaccessusers>,
//! <https://learn.microsoft.com/graph/api/resources/conditionalaccessapplications>).

use crate::lint::config::Config;
use crate::lint::{Context, Hit};
use crate::model::{Applications, BreakGlassIds, Policy, State, Tenant, UserSet, Users};

/// A policy named `name` in `state` for All users and All resources, then
/// changed by `f`.
pub(crate) fn all_users_all_apps(name: &str, state: State, f: impl FnOnce(&mut Policy)) -> Policy {
    let mut p = Policy {
        display_name: name.into(),
        state,
        users: Some(Users {
            include: Some(UserSet {
                users: vec!["All".into()],
                ..UserSet::default()
            }),
            exclude: None,
        }),
        applications: Some(Applications {
            include: vec!["All".into()],
            ..Applications::default()
        }),
        ..Policy::default()
    };
    f(&mut p);
    p
}

/// A policy written as caac YAML, read by caac's own YAML loader (names are
/// not resolved).
pub(crate) fn from_yaml(yaml: &str) -> Policy {
    let (v, _) = crate::load::parse_text(yaml).unwrap_or_else(|d| panic!("{d:?}\n{yaml}"));
    serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

/// A tenant file written as YAML, read by caac's own YAML loader.
pub(crate) fn tenant_from_yaml(yaml: &str) -> Tenant {
    let (v, _) = crate::load::parse_text(yaml).unwrap_or_else(|d| panic!("{d:?}\n{yaml}"));
    serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

/// A policy written as Graph-resolved JSON (ids, not names).
pub(crate) fn from_json(policy: serde_json::Value) -> Policy {
    serde_json::from_value(policy).expect("valid policy")
}

/// One lint context per policy: no tenant file, no break-glass ids.
pub(crate) fn contexts<'a>(
    policies: &'a [Policy],
    break_glass: &'a BreakGlassIds,
    config: &'a Config,
) -> Vec<Context<'a>> {
    policies
        .iter()
        .map(|policy| Context {
            source: "x.yaml",
            policy,
            tenant: None,
            break_glass,
            break_glass_personas: &[],
            config,
            tenant_ids: None,
        })
        .collect()
}

/// Runs `f` over contexts for `policies` under `config` (unit tests of the
/// set rules).
pub(crate) fn with_set<R>(
    policies: &[Policy],
    config: &Config,
    f: impl FnOnce(&[Context]) -> R,
) -> R {
    let bg = BreakGlassIds::default();
    f(&contexts(policies, &bg, config))
}

/// Runs a policy check on one policy under `config`.
pub(crate) fn run_policy(
    check: fn(&Context) -> Vec<Hit>,
    policy: &Policy,
    config: &Config,
) -> Vec<Hit> {
    let bg = BreakGlassIds::default();
    check(&contexts(std::slice::from_ref(policy), &bg, config)[0])
}

/// Runs a policy check on a policy written as Graph-resolved JSON.
pub(crate) fn run_json(
    check: fn(&Context) -> Vec<Hit>,
    policy: serde_json::Value,
    config: &Config,
) -> Vec<Hit> {
    run_policy(check, &from_json(policy), config)
}
