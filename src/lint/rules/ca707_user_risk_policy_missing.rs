//! CA707 `user-risk-policy-missing` (set rule).

use super::helpers::{Allow, active, missing, narrowed};
use crate::diag::Severity;
use crate::lint::{Check, Context, Needs, Rule, SetHit};
use crate::model::{BuiltInControl, Operator, Policy, RiskLevel};

pub static RULE: Rule = Rule {
    id: "CA707",
    name: "user-risk-policy-missing",
    severity: Severity::Warning,
    summary: "No active policy responds to high user risk (block, MFA plus password change, or risk remediation).",
    fix: "add a policy for All users and All resources with `userRiskLevels: [high]` that requires risk remediation, or MFA and a password change (`operator: AND`), or blocks",
    docs: r#"## What it checks
The policy set as a whole: it fires once when no active (enabled or report-only) policy
has `userRiskLevels` containing `high`, targets `users.include.users: [All]` and
`applications.include: [All]`, and responds with one of
- `block`;
- `mfa` or an authentication strength **and** `passwordChange` under `operator: AND`;
- `riskRemediation` (Microsoft's newer "Require risk remediation").

The catalogue's trigger names only the risk level and the control; caac also requires
All users and All resources, as Microsoft's template, CISA's ScubaGear and Maester do —
a user-risk policy for a pilot group is not the baseline. A policy that also sets
`signInRiskLevels` (it fires only when both risks coincide, see CA709) or is narrowed by
another condition (location, platform, device filter, …) does not count. Disabled
policies do not count; an empty set is not reported. Needs Entra ID P2.

Sources disagree on the response: Microsoft's template requires MFA and a password change
(or risk remediation) with sign-in frequency *every time*; CISA MS.AAD.2.1v1 wants high-risk
users **blocked**. caac accepts either under both profiles.

## Why it matters
High user risk means ID Protection believes the account is compromised (leaked
credentials, for example). Without a policy the attacker keeps the account: Microsoft's
template "Require password change for high-risk users" (`634b6de7…`), the
Microsoft-managed "Block access for high-risk users", CISA MS.AAD.2.1v1 and CIS 5.2.2.6
all call for one.

## Example
User risk is combined with sign-in risk, so the policy fires only when both are high:
```yaml
displayName: CA005-UserRisk-PasswordChange
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
userRiskLevels: [high]
signInRiskLevels: [high]
grant:
  operator: AND
  builtInControls: [mfa, passwordChange]
session:
  signInFrequency: { frequencyInterval: everyTime }
```

## Fix
```yaml
displayName: CA005-UserRisk-PasswordChange
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
userRiskLevels: [high]
grant:
  operator: AND
  builtInControls: [mfa, passwordChange]
session:
  signInFrequency: { frequencyInterval: everyTime }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/policy-risk-based-user
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://learn.microsoft.com/entra/identity/conditional-access/managed-policies
- https://github.com/cisagov/ScubaGear (PowerShell/ScubaGear/baselines/aad.md, MS.AAD.2.1v1)
- CIS Microsoft 365 Foundations Benchmark 5.2.2.6
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let found = active(set).any(|p| {
        p.user_risk_levels.contains(&RiskLevel::High)
            && p.includes_all_users()
            && p.includes_all_apps()
            && responds_to_user_risk(p)
            && !narrowed(
                p,
                Allow {
                    user_risk: true,
                    ..Allow::default()
                },
            )
    });
    missing(
        set,
        found,
        "no active policy for All users and All resources responds to `userRiskLevels: [high]` with block, MFA and password change, or risk remediation; add one",
    )
}

/// Block, MFA (control or strength) AND password change, or risk remediation.
fn responds_to_user_risk(p: &Policy) -> bool {
    let Some(g) = &p.grant else {
        return false;
    };
    let has = |c| g.built_in_controls.contains(&c);
    let mfa = has(BuiltInControl::Mfa) || g.authentication_strength.is_some();
    has(BuiltInControl::Block)
        || has(BuiltInControl::RiskRemediation)
        || (mfa && has(BuiltInControl::PasswordChange) && g.operator == Operator::And)
}
