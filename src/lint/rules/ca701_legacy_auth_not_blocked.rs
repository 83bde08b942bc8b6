//! CA701 `legacy-auth-not-blocked` (set rule), plus the helpers the CA7xx
//! baseline rules share: which policies count, which conditions narrow a
//! baseline, and when a grant really demands MFA.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule, SetHit};
use crate::model::{BuiltInControl, ClientAppType, FilterMode, Operator, Platform, Policy};

pub static RULE: Rule = Rule {
    id: "CA701",
    name: "legacy-auth-not-blocked",
    severity: Severity::Error,
    summary: "No active policy blocks legacy authentication for All users and All resources.",
    fix: "add a policy for All users and All resources with `clientAppTypes: [exchangeActiveSync, other]` and `grant: { builtInControls: [block] }`",
    docs: r#"## What it checks
The policy set as a whole: it fires once when no active (enabled or report-only) policy
has `users.include.users: [All]`, `applications.include: [All]`, `clientAppTypes`
covering both legacy client types (`exchangeActiveSync` and `other`) and the `block`
grant. Exclusions (break-glass accounts, the few accounts that must keep legacy
protocols) are allowed. A policy narrowed by other conditions — a location, platform,
device filter, risk level or authentication flow — does not count: it blocks legacy
authentication only in that corner. Disabled policies do not count. An empty set is not
reported.

## Why it matters
Legacy protocols (IMAP, POP, SMTP AUTH, older Office clients, Exchange ActiveSync with
basic auth) cannot do MFA, so one leaked password is enough to get in. Microsoft's
template "Block legacy authentication" (`0b2282f9…`), CISA MS.AAD.1.1v1 (SHALL), CIS
5.2.2.3 and Maester MT.1009/MT.1010 all require the block for every user; Microsoft also
ships it as a Microsoft-managed policy.

## Example
The block exists but only for one group:
```yaml
displayName: CA001-BlockLegacyAuthentication
users:
  include: { groups: [Contractors] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
clientAppTypes: [exchangeActiveSync, other]
grant:
  builtInControls: [block]
```

## Fix
```yaml
displayName: CA001-BlockLegacyAuthentication
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
clientAppTypes: [exchangeActiveSync, other]
grant:
  builtInControls: [block]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication
- https://learn.microsoft.com/entra/identity/conditional-access/block-legacy-authentication
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://learn.microsoft.com/entra/identity/conditional-access/managed-policies
- https://github.com/cisagov/ScubaGear (PowerShell/ScubaGear/baselines/aad.md, MS.AAD.1.1v1)
- https://maester.dev/docs/tests/MT.1009 and https://maester.dev/docs/tests/MT.1010
- CIS Microsoft 365 Foundations Benchmark 5.2.2.3
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let found = active(set).any(|p| {
        p.includes_all_users()
            && p.includes_all_apps()
            && covers_legacy_clients(p)
            && p.blocks()
            && !narrowed(
                p,
                Allow {
                    client_app_types: true,
                    ..Allow::default()
                },
            )
    });
    missing(
        set,
        found,
        "no active policy blocks legacy authentication (`clientAppTypes: [exchangeActiveSync, other]`, `block`) for All users and All resources; add one",
    )
}

/// `clientAppTypes` includes both legacy client types (or every client type).
fn covers_legacy_clients(p: &Policy) -> bool {
    let t = &p.client_app_types;
    t.is_empty()
        || t.contains(&ClientAppType::All)
        || (t.contains(&ClientAppType::ExchangeActiveSync) && t.contains(&ClientAppType::Other))
}

// ---------------------------------------------------------------------------
// Shared by the CA7xx baseline rules.
// ---------------------------------------------------------------------------

/// The active (enabled or report-only) policies of the set.
pub(crate) fn active<'a>(set: &'a [Context<'a>]) -> impl Iterator<Item = &'a Policy> + 'a {
    set.iter().map(|c| c.policy).filter(|p| p.state.is_active())
}

/// The one set-level finding of a baseline rule: nothing when the set is empty
/// or the baseline was found.
pub(crate) fn missing(set: &[Context], found: bool, message: &str) -> Vec<SetHit> {
    if set.is_empty() || found {
        Vec::new()
    } else {
        vec![(None, Hit::at("", message))]
    }
}

/// The conditions a baseline policy may carry because the rule is about them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Allow {
    /// `clientAppTypes` (CA701).
    pub client_app_types: bool,
    /// `platforms` (CA712).
    pub platforms: bool,
    /// `authenticationFlows` (CA705).
    pub flows: bool,
    /// `userRiskLevels` (CA707).
    pub user_risk: bool,
    /// `signInRiskLevels` (CA708).
    pub sign_in_risk: bool,
}

/// True when a condition other than the allowed ones limits the policy to a
/// part of the sign-ins it targets, so it cannot stand as a baseline: client
/// app types that leave out browser or mobile/desktop clients, a platform
/// condition other than `all` without exclusions, a location condition other
/// than `All` without exclusions, a device filter, an exclude-mode
/// application filter, any risk level, or authentication flows.
pub(crate) fn narrowed(p: &Policy, allow: Allow) -> bool {
    let t = &p.client_app_types;
    let all_modern_clients = t.is_empty()
        || t.contains(&ClientAppType::All)
        || (t.contains(&ClientAppType::Browser)
            && t.contains(&ClientAppType::MobileAppsAndDesktopClients));
    let clients = !(allow.client_app_types || all_modern_clients);
    let platforms = !allow.platforms
        && p.platforms
            .as_ref()
            .is_some_and(|pl| !(pl.include.contains(&Platform::All) && pl.exclude.is_empty()));
    let locations = p
        .locations
        .as_ref()
        .is_some_and(|l| !(l.include.iter().any(|v| v == "All") && l.exclude.is_empty()));
    let devices = p.devices.as_ref().is_some_and(|d| d.filter.is_some());
    let app_filter = p
        .applications
        .as_ref()
        .and_then(|a| a.filter.as_ref())
        .is_some_and(|f| f.mode == FilterMode::Exclude);
    let risk = (!allow.user_risk && !p.user_risk_levels.is_empty())
        || (!allow.sign_in_risk && !p.sign_in_risk_levels.is_empty())
        || !p.service_principal_risk_levels.is_empty()
        || !p.insider_risk_levels.is_empty()
        || !p.agent_id_risk_levels.is_empty();
    let flows = !allow.flows && !p.authentication_flows.is_empty();
    clients || platforms || locations || devices || app_filter || risk || flows
}

/// True when every way through the grant demands MFA: the `mfa` control
/// (when `mfa_control` counts) or an authentication strength `strength`
/// accepts, and under `OR` no other control a user could satisfy instead
/// (another built-in control, terms of use, a custom control, or a strength
/// `strength` rejects). A block is not MFA.
pub(crate) fn demands_mfa(p: &Policy, mfa_control: bool, strength: impl Fn(&str) -> bool) -> bool {
    let Some(g) = &p.grant else {
        return false;
    };
    if g.built_in_controls.contains(&BuiltInControl::Block) {
        return false;
    }
    let by_control = mfa_control && g.built_in_controls.contains(&BuiltInControl::Mfa);
    let by_strength = g.authentication_strength.as_deref().is_some_and(&strength);
    if !(by_control || by_strength) {
        return false;
    }
    match g.operator {
        Operator::And => true,
        Operator::Or => {
            g.built_in_controls
                .iter()
                .all(|c| mfa_control && *c == BuiltInControl::Mfa)
                && g.authentication_strength.as_deref().is_none_or(&strength)
                && g.terms_of_use.is_empty()
                && g.custom_authentication_factors.is_empty()
        }
    }
}

/// Runs `f` over contexts for `policies` under `config` (unit tests of the
/// set rules).
#[cfg(test)]
pub(crate) fn with_set<R>(
    policies: &[Policy],
    config: &crate::lint::config::Config,
    f: impl FnOnce(&[Context]) -> R,
) -> R {
    let bg = crate::lint::BreakGlassIds::default();
    let set: Vec<Context> = policies
        .iter()
        .map(|p| Context {
            source: "x.yaml",
            policy: p,
            tenant: None,
            break_glass: &bg,
            config,
            tenant_ids: None,
        })
        .collect();
    f(&set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::model::{Applications, Grant, Locations, State, UserSet, Users};

    fn legacy_block() -> Policy {
        Policy {
            display_name: "block legacy".into(),
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
            client_app_types: vec![ClientAppType::ExchangeActiveSync, ClientAppType::Other],
            grant: Some(Grant {
                built_in_controls: vec![BuiltInControl::Block],
                ..Grant::default()
            }),
            ..Policy::default()
        }
    }

    fn run(policies: &[Policy]) -> Vec<SetHit> {
        with_set(policies, &Config::default(), check)
    }

    #[test]
    fn empty_set_is_not_reported() {
        assert!(run(&[]).is_empty());
    }

    #[test]
    fn report_only_counts_disabled_and_narrowed_do_not() {
        assert!(run(&[legacy_block()]).is_empty());
        let disabled = Policy {
            state: State::Disabled,
            ..legacy_block()
        };
        assert_eq!(run(&[disabled]).len(), 1);
        let narrowed = Policy {
            locations: Some(Locations {
                include: vec!["All".into()],
                exclude: vec!["AllTrusted".into()],
            }),
            ..legacy_block()
        };
        assert_eq!(run(&[narrowed]).len(), 1);
        let only_eas = Policy {
            client_app_types: vec![ClientAppType::ExchangeActiveSync],
            ..legacy_block()
        };
        assert_eq!(run(&[only_eas]).len(), 1);
    }

    #[test]
    fn or_with_another_control_does_not_demand_mfa() {
        let mut p = Policy {
            grant: Some(Grant {
                built_in_controls: vec![BuiltInControl::Mfa, BuiltInControl::CompliantDevice],
                ..Grant::default()
            }),
            ..Policy::default()
        };
        assert!(!demands_mfa(&p, true, |_| true));
        p.grant.as_mut().unwrap().operator = Operator::And;
        assert!(demands_mfa(&p, true, |_| true));
    }
}
