//! CA301 `sif-invalid`.

use crate::diag::Hit;
use crate::model::{Policy, SignInFrequencyInterval};
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA301",
    name: "sif-invalid",
    summary: "Sign-in frequency is not a valid time-based or every-time setting.",
    fix: "use `{value: N, type: hours|days}` (time-based) or `{frequencyInterval: everyTime}` alone",
    docs: r#"## What it checks
`session.signInFrequency` that is time-based (the default) without both `value` and `type`,
or `everyTime` with a `value` or `type`. (Unusual values — 24 hours or more, more than 365
days — are the best-practice rule CA310.)

## Why it matters
Graph rejects an all-default or half-set sign-in frequency with 400, and requires `type`
and `value` to be null with `everyTime` ("type … Must be null when frequencyInterval is
everyTime"): caac would otherwise send them.

## Example
```yaml
session:
  signInFrequency: { value: 4 }
```

## Fix
```yaml
session:
  signInFrequency: { value: 4, type: hours }
```

## References
- https://learn.microsoft.com/graph/api/resources/signinfrequencysessioncontrol
- https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-session-lifetime
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let Some(f) = p
        .session
        .as_ref()
        .and_then(|s| s.sign_in_frequency.as_ref())
    else {
        return Vec::new();
    };
    let at = "/session/signInFrequency";
    if f.frequency_interval == Some(SignInFrequencyInterval::EveryTime) {
        let mut hits = Vec::new();
        if f.value.is_some() {
            hits.push(Hit::at_key(
                format!("{at}/value"),
                "`everyTime` sign-in frequency takes no `value`; Graph requires it to be null",
            ));
        }
        if f.kind.is_some() {
            hits.push(Hit::at_key(
                format!("{at}/type"),
                "`everyTime` sign-in frequency takes no `type`; Graph requires it to be null",
            ));
        }
        return hits;
    }
    match (f.value, f.kind) {
        (Some(0), _) => vec![Hit::at(
            format!("{at}/value"),
            "a time-based sign-in frequency needs a `value` of at least 1",
        )],
        (Some(_), Some(_)) => Vec::new(),
        (None, _) => vec![Hit::at_key(
            at,
            "time-based sign-in frequency needs `value`",
        )],
        (Some(_), None) => vec![Hit::at_key(
            at,
            "time-based sign-in frequency needs `type` (hours or days)",
        )],
    }
}
