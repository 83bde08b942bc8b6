//! CA011 `risk-remediation-constraints`.

use crate::diag::Hit;
use crate::model::Policy;
use crate::model::{BuiltInControl, Operator};
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA011",
    name: "risk-remediation-constraints",
    summary: "`riskRemediation` is combined with `passwordChange`, or lacks an authentication strength under `AND`.",
    fix: "use one remediation style per policy: `riskRemediation` with an authentication strength and `operator: AND`",
    docs: r#"## What it checks
A policy whose `grant.builtInControls` contains `riskRemediation` and either
- also contains `passwordChange`, or
- has no `grant.authenticationStrength`, or an operator other than `AND`.

## Why it matters
Graph's grant controls list special considerations for the newer Microsoft-managed
remediation control: `riskRemediation` and `passwordChange` are used separately (one
remediation style per policy), and `riskRemediation` must be paired with an
authentication strength using `AND`. The portal also adds sign-in frequency `everyTime`
for it. `riskRemediation` is an evolvable enum member in Graph (read it with
`Prefer: include-unknown-enum-members`).

## Example
```yaml
userRiskLevels: [high]
grant:
  builtInControls: [riskRemediation, passwordChange]
```

## Fix
```yaml
userRiskLevels: [high]
grant:
  operator: AND
  builtInControls: [riskRemediation]
  authenticationStrength: Multifactor authentication
session:
  signInFrequency: { frequencyInterval: everyTime }
```

## References
- https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let Some(g) = &p.grant else {
        return Vec::new();
    };
    let Some(rr) = g
        .built_in_controls
        .iter()
        .position(|c| *c == BuiltInControl::RiskRemediation)
    else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    if let Some(pc) = g
        .built_in_controls
        .iter()
        .position(|c| *c == BuiltInControl::PasswordChange)
    {
        hits.push(Hit::at(
            format!("/grant/builtInControls/{pc}"),
            "`passwordChange` cannot be combined with `riskRemediation`; keep one remediation style per policy",
        ));
    }
    if g.authentication_strength.is_none() {
        hits.push(Hit::at(
            format!("/grant/builtInControls/{rr}"),
            "`riskRemediation` must be paired with an `authenticationStrength` under `operator: AND`; add the strength",
        ));
    } else if g.operator != Operator::And {
        hits.push(Hit::at(
            "/grant/operator",
            "`riskRemediation` must be combined with the authentication strength by `operator: AND`",
        ));
    }
    hits
}
