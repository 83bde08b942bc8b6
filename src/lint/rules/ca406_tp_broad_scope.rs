//! CA406 `tp-broad-scope`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA406",
    name: "tp-broad-scope",
    severity: Severity::Warning,
    summary: "A Token Protection policy targets All users instead of a pilot group.",
    fix: "target a pilot group (e.g. `groups: [Token Protection Pilot]`) and widen it in rings as the sign-in logs prove users ready",
    docs: r#"## What it checks
A policy with `session.tokenProtection: true` whose `users.include.users` contains `All`.
(Very large groups would need directory sizes, which caac does not have; only `All` is
reported.)

## Why it matters
Every Token Protection deployment guide starts with a pilot group in report-only, reads
both interactive and non-interactive sign-in logs long enough to cover normal app use,
then moves known-good users into an enforcing policy and repeats. Unsupported clients
(perpetual Office, PowerShell modules that hit SharePoint, Apple Mail, unsupported device
registrations) are common, and an All-users policy turns each of them into an outage.

## Example
```yaml
displayName: CA410-TokenProtection
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms: { include: [windows] }
clientAppTypes: [mobileAppsAndDesktopClients]
session:
  tokenProtection: true
```

## Fix
```yaml
displayName: CA410-TokenProtection
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms: { include: [windows] }
clientAppTypes: [mobileAppsAndDesktopClients]
session:
  tokenProtection: true
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-windows
- https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-apple
- https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if !p.token_protection() {
        return Vec::new();
    }
    let Some(include) = p.user_include() else {
        return Vec::new();
    };
    include
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| *u == "All")
        .map(|(i, _)| {
            Hit::at(
                format!("/users/include/users/{i}"),
                "Token Protection targets `All` users; start with a pilot group and widen it \
                 in rings once the sign-in logs show its users' sessions are bound",
            )
        })
        .collect()
}
