//! CA302 `sif-everytime-scope`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::SignInFrequencyInterval;

pub static RULE: Rule = Rule {
    id: "CA302",
    name: "sif-everytime-scope",
    severity: Severity::Warning,
    summary: "An every-time sign-in frequency applies broadly (All resources or Office365) without a risk condition.",
    fix: "use a time-based sign-in frequency, or scope `everyTime` to a risk condition, an authentication context or a specific sensitive app",
    docs: r#"## What it checks
`session.signInFrequency.frequencyInterval: everyTime` on a policy that targets `All`
resources or the `Office365` group, with no sign-in, user or insider risk condition, no
authentication context and no user action.

## Why it matters
Every-time reauthentication is meant for specific moments: risky users and sign-ins,
Intune enrollment, a sensitive app, or an authentication context such as a PIM
elevation. Graph v1.0 documents it only for risky users, risky sign-ins and Intune
enrollment; the beta page lists wider targets. Applied to everything it prompts on every
token request, which trains users to approve prompts (MFA fatigue). It is also not
supported by Entra Private Access.

## Example
```yaml
displayName: CA020-AllUsers-ReauthEveryTime
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
grant:
  builtInControls: [mfa]
session:
  signInFrequency: { frequencyInterval: everyTime }
```

## Fix
```yaml
displayName: CA020-AllUsers-SignInRisk-ReauthEveryTime
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

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime
- https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-session-lifetime
- https://learn.microsoft.com/graph/api/resources/signinfrequencysessioncontrol
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    let every_time = p
        .session
        .as_ref()
        .and_then(|s| s.sign_in_frequency.as_ref())
        .is_some_and(|f| f.frequency_interval == Some(SignInFrequencyInterval::EveryTime));
    if !every_time {
        return Vec::new();
    }
    let risk = !p.sign_in_risk_levels.is_empty()
        || !p.user_risk_levels.is_empty()
        || !p.insider_risk_levels.is_empty();
    let targeted = p
        .applications
        .as_ref()
        .is_some_and(|a| !a.authentication_contexts.is_empty() || !a.user_actions.is_empty());
    let Some(broad) = p
        .include_apps()
        .iter()
        .find(|a| *a == "All" || *a == "Office365")
    else {
        return Vec::new();
    };
    if risk || targeted {
        return Vec::new();
    }
    vec![Hit::at(
        "/session/signInFrequency/frequencyInterval",
        format!(
            "`everyTime` reauthentication on `{broad}` resources without a risk condition \
             prompts on every sign-in; add a risk condition, target an authentication context \
             or use a time-based frequency"
        ),
    )]
}
