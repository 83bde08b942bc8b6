//! CA404 `tp-client-app-types`.

use super::helpers::is_arm_preview_shape;
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::ClientAppType;

pub static RULE: Rule = Rule {
    id: "CA404",
    name: "tp-client-app-types",
    severity: Severity::Error,
    summary: "A Token Protection policy's client app types are not exactly `[mobileAppsAndDesktopClients]`.",
    fix: "set `clientAppTypes: [mobileAppsAndDesktopClients]`",
    docs: r#"## What it checks
A policy with `session.tokenProtection: true` whose `clientAppTypes` is not exactly
`[mobileAppsAndDesktopClients]`: omitted (which means all client apps), `all`, or
containing `browser` or a legacy type (`exchangeActiveSync`, `easSupported`, `other`).
Each offending entry is reported; an omitted condition is reported at `displayName`.

Not reported: the browser preview shape — exactly `[Windows Azure Service Management API]`,
`clientAppTypes: [browser]`, platforms among `windows`/`macOS` — which Microsoft documents
as a preview for selected Azure Resource Manager web apps (Azure portal, Intune and Entra
admin centers). That shape is browser-only by definition.

## Why it matters
Token Protection binds tokens for native (desktop and mobile) apps only. Leaving client
apps unconfigured or including Browser makes the policy apply to web sign-ins, which
cannot present a device-bound token: MSAL.js apps such as Teams web are blocked once the
policy is enforced. Legacy clients cannot bind tokens either. Every guide sets client apps
to *Mobile apps and desktop clients* only.

## Example
```yaml
displayName: CA410-TokenProtection
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms: { include: [windows] }
clientAppTypes: [browser, mobileAppsAndDesktopClients]
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
- https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-web-apps
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if !p.token_protection() || is_arm_preview_shape(p) {
        return Vec::new();
    }
    if p.client_app_types.is_empty() {
        return vec![Hit::at_key(
            "/displayName",
            "this Token Protection policy sets no `clientAppTypes`, so it also applies to \
             browsers and legacy clients, which cannot bind tokens; set `clientAppTypes: \
             [mobileAppsAndDesktopClients]`",
        )];
    }
    p.client_app_types
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let message = match t {
                ClientAppType::MobileAppsAndDesktopClients => return None,
                ClientAppType::All => {
                    "`all` client apps includes browsers and legacy clients, which cannot bind \
                     tokens; use `mobileAppsAndDesktopClients` only"
                        .to_owned()
                }
                ClientAppType::Browser => {
                    "`browser` sign-ins cannot bind tokens (MSAL.js apps such as Teams web get \
                     blocked); remove it and keep `mobileAppsAndDesktopClients` only"
                        .to_owned()
                }
                other => format!(
                    "legacy client type `{}` cannot bind tokens; remove it and keep \
                     `mobileAppsAndDesktopClients` only",
                    other.as_str()
                ),
            };
            Some(Hit::at(format!("/clientAppTypes/{i}"), message))
        })
        .collect()
}
