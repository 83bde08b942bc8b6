//! Duplicate list entries: `[Pilot, Pilot]`, or one GUID in two spellings.
//!
//! Contract: [`duplicates`] sees the *resolved* policy (names are ids, ids
//! lower-case), so two names of one object are found too, and reports a
//! warning at each entry after the first. The compiler sends every list
//! entry once ([`crate::graph::compile`]), so this never changes a body: it tells
//! the author that the spec says less than it seems to.

use crate::diag::{Code, Diagnostic};
use crate::model::Policy;

/// The `duplicate-entry` warnings of one resolved policy.
pub fn duplicates(p: &Policy) -> Vec<Diagnostic> {
    // Exhaustive on purpose: a new list in the model must be added here.
    let Policy {
        display_name: _,
        description: _,
        id: _,
        state: _,
        users,
        client_applications,
        applications,
        client_app_types,
        platforms,
        locations,
        devices: _,
        sign_in_risk_levels,
        user_risk_levels,
        service_principal_risk_levels,
        insider_risk_levels,
        agent_id_risk_levels,
        authentication_flows,
        grant,
        session: _,
        rollout: _,
        exclusions: _,
        passthrough: _,
    } = p;
    let mut out = Vec::new();
    let mut ids = |list: &[String], at: &str| {
        let keys: Vec<String> = list.iter().map(|v| v.to_ascii_lowercase()).collect();
        report(&keys, at, &mut out);
    };
    if let Some(u) = users {
        for (side, set) in [("include", &u.include), ("exclude", &u.exclude)] {
            let Some(set) = set else { continue };
            ids(&set.users, &format!("/users/{side}/users"));
            ids(&set.groups, &format!("/users/{side}/groups"));
            ids(&set.roles, &format!("/users/{side}/roles"));
            if let Some(g) = &set.guests_or_external_users {
                ids(
                    &g.tenants,
                    &format!("/users/{side}/guestsOrExternalUsers/tenants"),
                );
            }
        }
    }
    if let Some(a) = applications {
        ids(&a.include, "/applications/include");
        ids(&a.exclude, "/applications/exclude");
        ids(&a.user_actions, "/applications/userActions");
        ids(
            &a.authentication_contexts,
            "/applications/authenticationContexts",
        );
    }
    if let Some(c) = client_applications {
        ids(&c.include, "/clientApplications/include");
        ids(&c.exclude, "/clientApplications/exclude");
        if let Some(a) = &c.agent_ids {
            ids(&a.include, "/clientApplications/agentIds/include");
            ids(&a.exclude, "/clientApplications/agentIds/exclude");
        }
    }
    if let Some(l) = locations {
        ids(&l.include, "/locations/include");
        ids(&l.exclude, "/locations/exclude");
    }
    if let Some(g) = grant {
        ids(&g.terms_of_use, "/grant/termsOfUse");
        ids(
            &g.custom_authentication_factors,
            "/grant/customAuthenticationFactors",
        );
    }
    let mut enums = |list: Vec<String>, at: &str| report(&list, at, &mut out);
    let dbg = |v: &dyn std::fmt::Debug| format!("{v:?}");
    enums(
        client_app_types.iter().map(|v| dbg(v)).collect(),
        "/clientAppTypes",
    );
    if let Some(pl) = platforms {
        enums(
            pl.include.iter().map(|v| dbg(v)).collect(),
            "/platforms/include",
        );
        enums(
            pl.exclude.iter().map(|v| dbg(v)).collect(),
            "/platforms/exclude",
        );
    }
    enums(
        sign_in_risk_levels.iter().map(|v| dbg(v)).collect(),
        "/signInRiskLevels",
    );
    enums(
        user_risk_levels.iter().map(|v| dbg(v)).collect(),
        "/userRiskLevels",
    );
    enums(
        service_principal_risk_levels
            .iter()
            .map(|v| dbg(v))
            .collect(),
        "/servicePrincipalRiskLevels",
    );
    enums(
        insider_risk_levels.iter().map(|v| dbg(v)).collect(),
        "/insiderRiskLevels",
    );
    enums(
        agent_id_risk_levels.iter().map(|v| dbg(v)).collect(),
        "/agentIdRiskLevels",
    );
    enums(
        authentication_flows.iter().map(|v| dbg(v)).collect(),
        "/authenticationFlows",
    );
    if let Some(g) = grant {
        enums(
            g.built_in_controls.iter().map(|v| dbg(v)).collect(),
            "/grant/builtInControls",
        );
    }
    if let Some(u) = users {
        for (side, set) in [("include", &u.include), ("exclude", &u.exclude)] {
            if let Some(g) = set
                .as_ref()
                .and_then(|s| s.guests_or_external_users.as_ref())
            {
                enums(
                    g.types.iter().map(|v| dbg(v)).collect(),
                    &format!("/users/{side}/guestsOrExternalUsers/types"),
                );
            }
        }
    }
    out
}

/// One warning per entry equal to an earlier one.
fn report(keys: &[String], at: &str, out: &mut Vec<Diagnostic>) {
    // First index per key: linear, since a list may hold 100,000 ids.
    let mut first_at = std::collections::HashMap::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        let first = *first_at.entry(k.as_str()).or_insert(i);
        if first != i {
            out.push(
                Diagnostic::warning(
                    Code::DuplicateEntry,
                    format!("this entry repeats entry {first} of the same list; it is sent once"),
                )
                .at_value(format!("{at}/{i}"))
                .with_help("remove the repeated entry"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repeated_entries_warn_at_the_second() {
        let p: Policy = serde_json::from_value(json!({
            "displayName": "x",
            "users": {"include": {"groups": ["aa", "bb", "AA"]}},
            "platforms": {"include": ["windows", "windows"]},
            "grant": {"builtInControls": ["mfa"]}
        }))
        .unwrap();
        let found: Vec<String> = duplicates(&p)
            .iter()
            .map(|d| match &d.location {
                crate::diag::Location::Pointer { pointer, .. } => pointer.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(found, ["/users/include/groups/2", "/platforms/include/1"]);
    }
}
