//! CA708 `signin-risk-policy-missing` (set rule).

use super::helpers::{Allow, active, demands_mfa, missing, narrowed};
use crate::diag::Severity;
use crate::lint::config::Profile;
use crate::lint::{Check, Context, Needs, Rule, SetHit};
use crate::model::RiskLevel;

pub static RULE: Rule = Rule {
    id: "CA708",
    name: "signin-risk-policy-missing",
    severity: Severity::Warning,
    summary: "No active policy responds to high sign-in risk with MFA or a block.",
    fix: "add a policy for All users and All resources with `signInRiskLevels: [high, medium]` that requires MFA (sign-in frequency every time) or blocks",
    docs: r#"## What it checks
The policy set as a whole: it fires once when no active (enabled or report-only) policy
has `signInRiskLevels` containing `high` — both `high` and `medium` under
`profile: strict` (CIS 5.2.2.7/5.2.2.8) — targets `users.include.users: [All]` and
`applications.include: [All]`, and either blocks or always demands MFA (`mfa` or an
authentication strength, with no `OR` alternative).

The catalogue's trigger names only the risk level and the control; caac also requires
All users and All resources, as Microsoft's template, ScubaGear and Maester (MT.1012) do.
A policy that also sets `userRiskLevels` (it fires only when both risks coincide, see
CA709) or is narrowed by another condition (location, platform, device filter, …) does
not count. Disabled policies do not count; an empty set is not reported. Needs Entra ID
P2.

Sources disagree on the response: Microsoft's template requires MFA on medium and high
risk with sign-in frequency *every time*; CISA MS.AAD.2.3v1 blocks high risk; CIS blocks
medium and high. caac accepts MFA or block.

## Why it matters
High sign-in risk means ID Protection believes this sign-in is not the user (anonymous
IP, password spray, token anomaly). Without a policy the sign-in proceeds on the password
alone wherever no other policy applies. Microsoft's template "Require MFA for risky
sign-ins" (`6b619f55…`), CISA MS.AAD.2.3v1, CIS 5.2.2.7/5.2.2.8 and Maester MT.1012 all
call for one.

## Example
The risk policy covers only one group:
```yaml
displayName: CA004-SignInRisk-MFA
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
signInRiskLevels: [high, medium]
grant:
  authenticationStrength: Multifactor authentication
session:
  signInFrequency: { frequencyInterval: everyTime }
```

## Fix
```yaml
displayName: CA004-SignInRisk-MFA
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
signInRiskLevels: [high, medium]
grant:
  authenticationStrength: Multifactor authentication
session:
  signInFrequency: { frequencyInterval: everyTime }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/policy-risk-based-sign-in
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://github.com/cisagov/ScubaGear (PowerShell/ScubaGear/baselines/aad.md, MS.AAD.2.3v1)
- https://maester.dev/docs/tests/MT.1012
- CIS Microsoft 365 Foundations Benchmark 5.2.2.7 and 5.2.2.8
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let strict = set
        .first()
        .is_some_and(|c| c.config.profile == Profile::Strict);
    let levels: &[RiskLevel] = if strict {
        &[RiskLevel::High, RiskLevel::Medium]
    } else {
        &[RiskLevel::High]
    };
    let found = active(set).any(|p| {
        levels.iter().all(|l| p.sign_in_risk_levels.contains(l))
            && p.includes_all_users()
            && p.includes_all_apps()
            && (p.blocks() || demands_mfa(p, true, |_| true))
            && !narrowed(
                p,
                Allow {
                    sign_in_risk: true,
                    ..Allow::default()
                },
            )
    });
    let wanted = if strict { "[high, medium]" } else { "[high]" };
    missing(
        set,
        found,
        &format!(
            "no active policy for All users and All resources requires MFA or blocks on `signInRiskLevels: {wanted}`; add one"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::model::{BuiltInControl, Grant, State};
    use crate::test_support::{all_users_all_apps, with_set};

    #[test]
    fn strict_profile_wants_medium_too() {
        let high_only = all_users_all_apps("risk", State::default(), |p| {
            p.sign_in_risk_levels = vec![RiskLevel::High];
            p.grant = Some(Grant {
                built_in_controls: vec![BuiltInControl::Block],
                ..Grant::default()
            });
        });
        let set = std::slice::from_ref(&high_only);
        assert!(with_set(set, &Config::default(), check).is_empty());
        let strict = Config {
            profile: Profile::Strict,
            ..Config::default()
        };
        assert_eq!(with_set(set, &strict, check).len(), 1);
    }
}
