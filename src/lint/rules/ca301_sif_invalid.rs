//! CA301 `sif-invalid`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::{SignInFrequencyInterval, SignInFrequencyType};

pub static RULE: Rule = Rule {
    id: "CA301",
    name: "sif-invalid",
    severity: Severity::Error,
    summary: "Sign-in frequency is not a valid time-based or every-time setting.",
    fix: "use `{value: N, type: hours|days}` (time-based) or `{frequencyInterval: everyTime}` alone",
    docs: r#"## What it checks
`session.signInFrequency` that is time-based (the default) without both `value` and `type`
(error); `everyTime` with a `value` or `type` (warning); `hours` of 24 or more (warning:
write days); more than 365 `days` (error — the portal's range; not stated in Graph docs).

## Why it matters
Graph rejects an all-default or half-set sign-in frequency with 400, and requires `type`
and `value` to be null with `everyTime`.

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
- shared/reference/graph-ca-schema.md §5.3.2; shared/reference/rules.md CA301
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(f) = ctx
        .policy
        .session
        .as_ref()
        .and_then(|s| s.sign_in_frequency.as_ref())
    else {
        return Vec::new();
    };
    let at = "/session/signInFrequency";
    let mut hits = Vec::new();
    if f.frequency_interval == Some(SignInFrequencyInterval::EveryTime) {
        if f.value.is_some() || f.kind.is_some() {
            hits.push(
                Hit::at_key(
                    at,
                    "`everyTime` sign-in frequency takes no `value` or `type`",
                )
                .severity(Severity::Warning),
            );
        }
        return hits;
    }
    match (f.value, f.kind) {
        (Some(v), Some(SignInFrequencyType::Hours)) if v >= 24 => hits.push(
            Hit::at(
                format!("{at}/value"),
                format!("{v} hours is {} days or more; write it in days", v / 24),
            )
            .severity(Severity::Warning),
        ),
        (Some(v), Some(SignInFrequencyType::Days)) if v > 365 => {
            hits.push(Hit::at(
                format!("{at}/value"),
                format!("{v} days is more than the 365 the portal allows"),
            ));
        }
        (Some(_), Some(_)) => {}
        (None, _) => hits.push(Hit::at_key(
            at,
            "time-based sign-in frequency needs `value`",
        )),
        (Some(_), None) => hits.push(Hit::at_key(
            at,
            "time-based sign-in frequency needs `type` (hours or days)",
        )),
    }
    hits
}
