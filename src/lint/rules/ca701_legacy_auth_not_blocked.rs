//! CA701 `legacy-auth-not-blocked` (set rule). The helpers the CA7xx
//! baseline rules share live in `helpers.rs`.

use super::helpers::{Allow, active, missing, narrowed};
use crate::diag::Severity;
use crate::lint::{Check, Context, Needs, Rule, SetHit};
use crate::model::{ClientAppType, Policy};

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

#[cfg(test)]
mod tests {
    use super::super::helpers::demands_mfa;
    use super::*;
    use crate::lint::config::Config;
    use crate::model::{BuiltInControl, Operator};
    use crate::model::{Grant, Locations, State};
    use crate::test_support::{all_users_all_apps, with_set};

    fn legacy_block() -> Policy {
        all_users_all_apps("block legacy", State::default(), |p| {
            p.client_app_types = vec![ClientAppType::ExchangeActiveSync, ClientAppType::Other];
            p.grant = Some(Grant {
                built_in_controls: vec![BuiltInControl::Block],
                ..Grant::default()
            });
        })
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
