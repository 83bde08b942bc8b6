//! CA709 `risk-conditions-combined`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA709",
    name: "risk-conditions-combined",
    severity: Severity::Warning,
    summary: "One policy sets both user risk and sign-in risk, so it applies only when both are detected at once.",
    fix: "split the policy into a user-risk policy and a sign-in-risk policy",
    docs: r#"## What it checks
A policy (in any state) where both `userRiskLevels` and `signInRiskLevels` are non-empty.

## Why it matters
All conditions of a Conditional Access policy must match (AND). A policy with both risk
conditions fires only for a sign-in that is risky *and* comes from a risky user, and
silently does nothing for the far more common case of only one of them. Microsoft's ID
Protection guidance configures user risk and sign-in risk in separate policies, with
different responses (password change or risk remediation for user risk, MFA for sign-in
risk); Maester MT.1049 flags the combination.

## Example
```yaml
displayName: CA004-Risk-MFA
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
userRiskLevels: [high]
signInRiskLevels: [high, medium]
grant:
  builtInControls: [mfa]
```

## Fix
Two policies:
```yaml
displayName: CA004-SignInRisk-MFA
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
signInRiskLevels: [high, medium]
grant:
  builtInControls: [mfa]
session:
  signInFrequency: { frequencyInterval: everyTime }
```
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
- https://learn.microsoft.com/entra/identity/conditional-access/policy-risk-based-sign-in
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions
- https://maester.dev/docs/tests/MT.1049
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if p.user_risk_levels.is_empty() || p.sign_in_risk_levels.is_empty() {
        return Vec::new();
    }
    vec![Hit::at_key(
        "/signInRiskLevels",
        "`signInRiskLevels` and `userRiskLevels` are both set, so the policy applies only when both risks are detected at once; move one of them into its own policy",
    )]
}
