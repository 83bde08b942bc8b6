//! CA310 `sif-unusual-value`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::{SignInFrequencyInterval, SignInFrequencyType};

pub static RULE: Rule = Rule {
    id: "CA310",
    name: "sif-unusual-value",
    severity: Severity::Error,
    summary: "A time-based sign-in frequency is outside the admin center's ranges (1–23 hours, 1–365 days).",
    fix: "write 24 hours or more in days, and keep days at 365 or fewer",
    docs: r#"## What it checks
A time-based `session.signInFrequency` of 24 `hours` or more (warning: write it in days) or
of more than 365 `days` (error).

## Why it matters
The admin center offers 1–23 hours and 1–365 days. Graph's reference does not state these
bounds, so caac treats them as best practice rather than Graph validity (the shape rules —
`value` and `type` together, nothing with `everyTime` — are the Graph-validity check CA301).
A value outside the portal's range is at best confusing to the next admin who opens the
policy in the portal.

## Example
```yaml
session:
  signInFrequency: { value: 48, type: hours }
```

## Fix
```yaml
session:
  signInFrequency: { value: 2, type: days }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-session-lifetime
- https://learn.microsoft.com/graph/api/resources/signinfrequencysessioncontrol
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
    if f.frequency_interval == Some(SignInFrequencyInterval::EveryTime) {
        return Vec::new();
    }
    let at = "/session/signInFrequency/value";
    match (f.value, f.kind) {
        (Some(v), Some(SignInFrequencyType::Hours)) if v >= 24 => vec![
            Hit::at(
                at,
                format!("{v} hours is {} days or more; write it in days", v / 24),
            )
            .severity(Severity::Warning),
        ],
        (Some(v), Some(SignInFrequencyType::Days)) if v > 365 => vec![Hit::at(
            at,
            format!("{v} days is more than the 365 the portal allows"),
        )],
        _ => Vec::new(),
    }
}
