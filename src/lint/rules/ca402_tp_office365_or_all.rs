//! CA402 `tp-office365-or-all`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA402",
    name: "tp-office365-or-all",
    severity: Severity::Error,
    summary: "A Token Protection policy targets the `Office365` app group or `All` resources.",
    fix: "list the individual resources instead: Office 365 Exchange Online and Office 365 SharePoint Online (plus any opted-in resource)",
    docs: r#"## What it checks
A policy with `session.tokenProtection: true` whose `applications.include` contains the
`Office365` app group or `All` resources. Each such entry is reported once (CA401 does not
report it again).

## Why it matters
Every Microsoft Token Protection guide warns: select only the supported resources and do
**not** select the *Office 365* app group — an explicit exception to the usual advice to
prefer the Office 365 group. The group (and, even more so, `All`) pulls in apps and clients
that cannot present a device-bound token, so enforcement blocks them with unhelpful errors,
while the policy looks as if it protected everything.

caac's default supported set is Exchange Online + SharePoint Online, the conservative first rollout. Newer
Microsoft documentation adds Microsoft Teams Services and, on Windows, Azure Virtual Desktop,
Windows 365 and Windows Cloud Login; list them explicitly and opt them in through
`.caac.yaml` (`tokenProtection.allowResources`, see CA401) — never through `Office365`.

## Example
```yaml
displayName: CA410-TokenProtection
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office365]
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
- https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection
- https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-windows
- https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-apple
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if !p.token_protection() {
        return Vec::new();
    }
    p.include_apps()
        .iter()
        .enumerate()
        .filter_map(|(i, app)| {
            let message = match app.as_str() {
                "Office365" => {
                    "Token Protection must not target the `Office365` app group, which includes \
                     apps that cannot bind tokens and then fail; list Office 365 Exchange Online \
                     and Office 365 SharePoint Online instead"
                }
                "All" => {
                    "Token Protection must not target `All` resources, most of which cannot bind \
                     tokens and then fail; list Office 365 Exchange Online and Office 365 \
                     SharePoint Online instead"
                }
                _ => return None,
            };
            Some(Hit::at(format!("/applications/include/{i}"), message))
        })
        .collect()
}
