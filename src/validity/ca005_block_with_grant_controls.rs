//! CA005 `block-with-grant-controls`.

use crate::diag::Hit;
use crate::model::BuiltInControl;
use crate::model::Policy;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA005",
    name: "block-with-grant-controls",
    summary: "`block` is combined with controls that grant access.",
    fix: "split into a block policy and a grant policy",
    docs: r#"## What it checks
`grant.builtInControls` contains `block` together with another built-in control, an
`authenticationStrength`, `termsOfUse` or `customAuthenticationFactors`.

## Why it matters
Block and grant are mutually exclusive choices in the policy editor; block ends
evaluation, so the other controls are dead and the intent is unclear.

## Example
```yaml
grant: { builtInControls: [block, mfa] }
```

## Fix
```yaml
grant: { builtInControls: [block] }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let Some(g) = &p.grant else {
        return Vec::new();
    };
    let Some(i) = g
        .built_in_controls
        .iter()
        .position(|c| *c == BuiltInControl::Block)
    else {
        return Vec::new();
    };
    let others = g
        .built_in_controls
        .iter()
        .any(|c| *c != BuiltInControl::Block)
        || g.authentication_strength.is_some()
        || !g.terms_of_use.is_empty()
        || !g.custom_authentication_factors.is_empty();
    if others {
        vec![Hit::at(
            format!("/grant/builtInControls/{i}"),
            "`block` cannot be combined with controls that grant access",
        )]
    } else {
        Vec::new()
    }
}
