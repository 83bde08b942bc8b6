//! CA403 `tp-platform`.

use super::helpers::{WINDOWS_ONLY, app_name};
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::Platform;

pub static RULE: Rule = Rule {
    id: "CA403",
    name: "tp-platform",
    severity: Severity::Error,
    summary: "A Token Protection policy has no platform condition or includes a platform Token Protection does not support (or that is not opted in).",
    fix: "set `platforms: { include: [windows] }` (add `iOS`/`macOS` only after opting in with `tokenProtection.allowPlatforms`)",
    docs: r#"## What it checks
A policy with `session.tokenProtection: true` where

- `platforms` is missing (the policy then applies to every platform), or
- `platforms.include` lists `all`, `android`, `linux` or `windowsPhone` (never supported), or
- `platforms.include` lists `iOS` or `macOS` while they are not opted in.

Each offending platform is reported at its list entry. A **warning** is reported instead
when `iOS`/`macOS` are opted in but the policy also targets Azure Virtual Desktop,
Windows 365 or Windows Cloud Login, which support Token Protection on Windows only.

By default caac allows **Windows only**, the conservative first rollout. Newer
Microsoft documentation (2025–2026) supports native apps on **iOS/iPadOS 16+** and
**macOS 14+** as well, but only on MDM-managed devices with the Microsoft Enterprise SSO
plug-in (or macOS Platform SSO) and hardware-backed registration, and one section of the
concept page still calls Apple support a preview. Once those prerequisites are in place,
opt in through `.caac.yaml`:

```yaml
tokenProtection:
  allowPlatforms: [macOS, iOS]
```

## Why it matters
Token Protection works only on the platforms Microsoft lists. Without a platform condition,
or with unsupported platforms included, sign-ins from those platforms cannot present a
device-bound token and are blocked once the policy is enforced; every guide sets the
platform condition explicitly. The device platform is reported by the client and can be
faked, which is why the companion policies of CA407 exist.

## Example
```yaml
displayName: CA410-TokenProtection
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms: { include: [windows, android] }
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
    let Some(platforms) = p.include_platforms() else {
        return vec![Hit::at_key(
            "/displayName",
            "this Token Protection policy has no platform condition, so it also applies to \
             platforms that cannot bind tokens; add `platforms: { include: [windows] }`",
        )];
    };
    let windows_only: Vec<String> = p
        .include_apps()
        .iter()
        .filter(|a| WINDOWS_ONLY.contains(&a.as_str()))
        .map(|a| format!("`{}`", app_name(ctx, a)))
        .collect();
    let mut hits = Vec::new();
    for (i, platform) in platforms.iter().enumerate() {
        let at = format!("/platforms/include/{i}");
        let name = platform.as_str();
        match platform {
            Platform::All => hits.push(Hit::at(
                at,
                "`all` includes platforms Token Protection does not support; include only \
                 `windows` (and opted-in `iOS`/`macOS`)",
            )),
            Platform::Android | Platform::Linux | Platform::WindowsPhone => hits.push(Hit::at(
                at,
                format!(
                    "Token Protection does not support `{name}`; remove it and include only \
                     `windows` (and opted-in `iOS`/`macOS`)"
                ),
            )),
            _ if !ctx.config.tp_platforms.contains(platform) => hits.push(Hit::at(
                at,
                format!(
                    "`{name}` is supported only by newer Microsoft documentation (MDM-managed \
                     devices with the Enterprise SSO plug-in) and is not opted in; remove it or \
                     add it to `tokenProtection.allowPlatforms` in .caac.yaml"
                ),
            )),
            Platform::IOS | Platform::MacOS if !windows_only.is_empty() => hits.push(
                Hit::at(
                    at,
                    format!(
                        "{} {} Token Protection on Windows only; move {} to a Windows-only \
                         policy or remove `{name}`",
                        windows_only.join(", "),
                        if windows_only.len() == 1 {
                            "supports"
                        } else {
                            "support"
                        },
                        if windows_only.len() == 1 {
                            "it"
                        } else {
                            "them"
                        },
                    ),
                )
                .severity(Severity::Warning),
            ),
            _ => {}
        }
    }
    hits
}
