//! CA010 `password-change-constraints`.

use crate::diag::Hit;
use crate::model::{BuiltInControl, Operator, Policy};
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA010",
    name: "password-change-constraints",
    summary: "A `passwordChange` policy breaks the shape Graph requires for it.",
    fix: "restructure to the \"high user risk -> mfa AND passwordChange, All resources\" shape",
    docs: r#"## What it checks
A policy whose `grant.builtInControls` contains `passwordChange` must have all of:
- `grant.operator: AND`;
- `mfa` in `builtInControls` (or an `authenticationStrength`);
- no other grant control (no other built-in control, `termsOfUse` or custom factor);
- a non-empty `userRiskLevels`;
- `applications.include` exactly `[All]` and no `applications.exclude`;
- no condition other than users, applications and `userRiskLevels`: no `clientAppTypes`
  (other than `[all]`), `platforms`, `locations`, `devices`, `signInRiskLevels`,
  `servicePrincipalRiskLevels`, `insiderRiskLevels`, `agentIdRiskLevels`,
  `authenticationFlows` or `clientApplications`.

Each missing or extra piece is reported where it is written. Session controls are not
conditions: Microsoft's own template (634b6de7, "Require password change for high-risk
users") adds `signInFrequency: everyTime`, and so may you.

## Why it matters
Graph and the portal only accept "Require password change" in this shape (Graph answers
`1032 … InvalidPasswordResetControl` otherwise, e.g. for a `clientAppTypes` condition); a
policy that is accepted in a looser shape would not remediate user risk the way the
author expects.

## Example
```yaml
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications: { include: [Office365] }
clientAppTypes: [browser]
grant: { builtInControls: [passwordChange] }
```

## Fix
```yaml
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
userRiskLevels: [high]
grant:
  operator: AND
  builtInControls: [mfa, passwordChange]
session:
  signInFrequency: { frequencyInterval: everyTime }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant
- https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let Some(g) = &p.grant else {
        return Vec::new();
    };
    let Some(pc) = g
        .built_in_controls
        .iter()
        .position(|c| *c == BuiltInControl::PasswordChange)
    else {
        return Vec::new();
    };
    let at_pc = format!("/grant/builtInControls/{pc}");
    let mut hits = Vec::new();

    if g.operator != Operator::And {
        hits.push(Hit::at(
            "/grant/operator",
            "`passwordChange` requires `operator: AND` so that MFA and the password change are both required",
        ));
    }
    let has_mfa =
        g.built_in_controls.contains(&BuiltInControl::Mfa) || g.authentication_strength.is_some();
    if !has_mfa {
        hits.push(Hit::at(
            &at_pc,
            "`passwordChange` must be combined with `mfa` (or an authentication strength); add `mfa` to `builtInControls`",
        ));
    }
    for (i, c) in g.built_in_controls.iter().enumerate() {
        if !matches!(c, BuiltInControl::Mfa | BuiltInControl::PasswordChange) {
            hits.push(Hit::at(
                format!("/grant/builtInControls/{i}"),
                format!(
                    "`{}` cannot be combined with `passwordChange`; only `mfa` may accompany it, move this control to another policy",
                    c.as_str()
                ),
            ));
        }
    }
    if !g.terms_of_use.is_empty() {
        hits.push(Hit::at_key(
            "/grant/termsOfUse",
            "terms of use cannot be combined with `passwordChange`; move them to another policy",
        ));
    }
    if !g.custom_authentication_factors.is_empty() {
        hits.push(Hit::at_key(
            "/grant/customAuthenticationFactors",
            "custom controls cannot be combined with `passwordChange`; move them to another policy",
        ));
    }
    if p.user_risk_levels.is_empty() {
        hits.push(Hit::at(
            &at_pc,
            "`passwordChange` needs a `userRiskLevels` condition (e.g. `userRiskLevels: [high]`)",
        ));
    }
    match &p.applications {
        Some(a) if !a.include.is_empty() => {
            if let Some(i) = a.include.iter().position(|v| v != "All") {
                hits.push(Hit::at(
                    format!("/applications/include/{i}"),
                    "`passwordChange` requires `applications.include: [All]`; target All resources",
                ));
            }
        }
        _ => hits.push(Hit::at(
            &at_pc,
            "`passwordChange` requires `applications.include: [All]`; target All resources",
        )),
    }
    if p.applications
        .as_ref()
        .is_some_and(|a| !a.exclude.is_empty())
    {
        hits.push(Hit::at_key(
            "/applications/exclude",
            "`passwordChange` does not allow excluded resources; remove `applications.exclude`",
        ));
    }
    for k in p.other_conditions() {
        hits.push(Hit::at_key(
            format!("/{k}"),
            format!(
                "`passwordChange` allows no condition other than users, applications and `userRiskLevels`; remove `{k}`"
            ),
        ));
    }
    hits
}
