//! CA601 `workload-grant-not-block`.

use crate::diag::Hit;
use crate::model::BuiltInControl;
use crate::model::Policy;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA601",
    name: "workload-grant-not-block",
    summary: "A workload identity policy uses a control other than block, or a session control.",
    fix: "use `grant: { builtInControls: [block] }` alone, narrowed by locations or service principal risk",
    docs: r#"## What it checks
A policy with service principals in `clientApplications.include` whose grant is not
exactly `builtInControls: [block]` (any other built-in control, an authentication strength,
terms of use or custom controls, or no grant at all), or that sets any session control.

## Why it matters
Conditional Access for workload identities supports only one control: **block**. Service
principals cannot do MFA, present a device or accept terms, and session controls do not
apply to them; Graph or the portal refuses such a policy, or it never does what it says.
Express the intent as a block with conditions instead (block outside known locations, or
block at elevated service principal risk).

## Example
```yaml
displayName: CA070-Workload-PayrollSync
clientApplications:
  include: [Payroll Sync]
applications:
  include: [All]
locations:
  include: [All]
  exclude: [HQ]
grant:
  builtInControls: [mfa]
```

## Fix
```yaml
displayName: CA070-Workload-PayrollSync
clientApplications:
  include: [Payroll Sync]
applications:
  include: [All]
locations:
  include: [All]
  exclude: [HQ]
grant:
  builtInControls: [block]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/workload-identity
"#,
    check: Some(check),
};

const ONLY_BLOCK: &str = "workload identity policies support only the block control";

fn check(p: &Policy) -> Vec<Hit> {
    if !p.targets_workloads() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    match &p.grant {
        None => hits.push(Hit::at_key(
            "/clientApplications",
            format!("{ONLY_BLOCK}; add `grant: {{ builtInControls: [block] }}`"),
        )),
        Some(g) => {
            for (i, c) in g.built_in_controls.iter().enumerate() {
                if *c != BuiltInControl::Block {
                    hits.push(Hit::at(
                        format!("/grant/builtInControls/{i}"),
                        format!("{ONLY_BLOCK}; replace `{}` with `block`", c.as_str()),
                    ));
                }
            }
            let others = [
                (
                    "authenticationStrength",
                    g.authentication_strength.is_some(),
                ),
                ("termsOfUse", !g.terms_of_use.is_empty()),
                (
                    "customAuthenticationFactors",
                    !g.custom_authentication_factors.is_empty(),
                ),
            ];
            for (key, set) in others {
                if set {
                    hits.push(Hit::at_key(
                        format!("/grant/{key}"),
                        format!("{ONLY_BLOCK}; remove `{key}` and use `block`"),
                    ));
                }
            }
            if hits.is_empty() && !g.built_in_controls.contains(&BuiltInControl::Block) {
                hits.push(Hit::at_key(
                    "/grant",
                    format!("{ONLY_BLOCK}; set `builtInControls: [block]`"),
                ));
            }
        }
    }
    // The one list of session controls lives in the model.
    for key in p.session_controls() {
        hits.push(Hit::at_key(
            format!("/session/{key}"),
            format!("session controls do not apply to workload identities; remove `{key}`"),
        ));
    }
    hits
}
