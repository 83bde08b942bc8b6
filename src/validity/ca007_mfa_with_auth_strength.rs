//! CA007 `mfa-with-auth-strength`.

use crate::diag::Hit;
use crate::model::BuiltInControl;
use crate::model::Policy;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA007",
    name: "mfa-with-auth-strength",
    summary: "The `mfa` control and an authentication strength are used in the same policy.",
    fix: "keep only the authentication strength (`Multifactor authentication` is the built-in equivalent of `mfa`)",
    docs: r#"## What it checks
`grant.builtInControls` contains `mfa` and `grant.authenticationStrength` is set.

## Why it matters
Microsoft documents it as a limitation: "Require multifactor authentication" and "Require
authentication strength" cannot be used together in one policy, and Graph rejects the body
(`1108: Authentication strengths cannot be used alongside the MFA built-in control`). The
built-in `Multifactor authentication` strength is the same requirement as `mfa`, so nothing
is lost by dropping `mfa`.

## Example
```yaml
grant:
  builtInControls: [mfa]
  authenticationStrength: Phishing-resistant MFA
```

## Fix
```yaml
grant:
  authenticationStrength: Phishing-resistant MFA
```

## References
- https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths
- https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let Some(g) = &p.grant else {
        return Vec::new();
    };
    if g.authentication_strength.is_none() {
        return Vec::new();
    }
    g.built_in_controls
        .iter()
        .position(|c| *c == BuiltInControl::Mfa)
        .map(|i| {
            Hit::at(
                format!("/grant/builtInControls/{i}"),
                "`mfa` cannot be combined with `authenticationStrength`; remove `mfa` (the strength already requires MFA)",
            )
        })
        .into_iter()
        .collect()
}
