//! CA401 `tp-unsupported-resource`. The Token Protection helpers the
//! CA40x rules share live in `helpers.rs`.

use super::helpers::{ARM, AVD, CLOUD_LOGIN, TEAMS, W365, app_name, is_arm_preview_shape};
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA401",
    name: "tp-unsupported-resource",
    severity: Severity::Error,
    summary: "A Token Protection policy targets a resource outside the supported (and opted-in) Token Protection resources.",
    fix: "target only Office 365 Exchange Online and Office 365 SharePoint Online, or opt a newer resource in with `tokenProtection.allowResources` in .caac.yaml",
    docs: r#"## What it checks
A policy with `session.tokenProtection: true` whose `applications.include` lists a
resource that is not an allowed Token Protection resource. One finding per offending entry.

The allowed resources are, by default, the conservative first rollout Microsoft's Token
Protection guidance starts from:
**Office 365 Exchange Online** (`00000002-0000-0ff1-ce00-000000000000`) and
**Office 365 SharePoint Online** (`00000003-0000-0ff1-ce00-000000000000`).

Newer Microsoft documentation (2025–2026) also supports **Microsoft Teams Services** on every
platform, and on Windows **Azure Virtual Desktop**, **Windows 365** and **Windows Cloud Login**
(for the Windows App). caac does not assume them: opt each one in, by name or app id, in
`.caac.yaml`:

```yaml
tokenProtection:
  allowResources: [Microsoft Teams Services, Azure Virtual Desktop, Windows 365, Windows Cloud Login]
```

`Office365` and `All` are reported by CA402 instead (one finding per problem); `None` by
CA002. The browser preview shape — exactly `[Windows Azure Service Management API]` with
`clientAppTypes: [browser]` and platforms among `windows`/`macOS` — is a supported (preview)
configuration and is not reported here.

## Why it matters
Token Protection is enforced only for the resources Microsoft lists; every guide says to
select only those. Any other resource in a Token Protection policy either gets no
protection while the policy looks complete, or blocks clients that cannot present a
device-bound token.

## Example
```yaml
displayName: CA410-TokenProtection
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online, Microsoft Graph]
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
    let mut hits = Vec::new();
    for (i, app) in p.include_apps().iter().enumerate() {
        // `Office365` / `All`: CA402; `None`: CA002.
        if matches!(app.as_str(), "Office365" | "All" | "None")
            || ctx.config.tp_resources.iter().any(|r| r == app)
        {
            continue;
        }
        let name = app_name(ctx, app);
        let message = match app.as_str() {
            TEAMS | AVD | W365 | CLOUD_LOGIN => format!(
                "`{name}` is a Token Protection resource only in newer Microsoft documentation \
                 and is not opted in (caac's default: Exchange Online + SharePoint Online); add \
                 it to `tokenProtection.allowResources` in .caac.yaml or remove it"
            ),
            ARM => format!(
                "`{name}` supports Token Protection only in the browser preview shape (this \
                 resource alone, `clientAppTypes: [browser]`, platforms windows/macOS); move it \
                 to its own policy of that shape or remove it"
            ),
            "MicrosoftAdminPortals" => "`MicrosoftAdminPortals` is not a Token Protection \
                 resource; remove it and target Exchange Online and SharePoint Online"
                .to_owned(),
            _ => format!(
                "`{name}` does not support Token Protection; remove it and target only \
                 supported resources (Exchange Online, SharePoint Online)"
            ),
        };
        hits.push(Hit::at(format!("/applications/include/{i}"), message));
    }
    hits
}

#[cfg(test)]
mod tests {
    //! The Token Protection pack on resolved policies (ids, canonical keywords).
    use crate::diag::Severity;
    use crate::lint::config::Config;
    use crate::lint::{Check, Hit, Rule};
    use crate::model::{Platform, Policy};
    use crate::test_support::{from_json, run_policy};
    use serde_json::json;

    const EXO: &str = "00000002-0000-0ff1-ce00-000000000000";
    const SPO: &str = "00000003-0000-0ff1-ce00-000000000000";

    fn tp(extra: serde_json::Value) -> Policy {
        let mut v = json!({
            "displayName": "TP",
            "users": { "include": { "groups": ["22222222-2222-4222-8222-222222222222"] } },
            "applications": { "include": [EXO, SPO] },
            "platforms": { "include": ["windows"] },
            "clientAppTypes": ["mobileAppsAndDesktopClients"],
            "session": { "tokenProtection": true }
        });
        for (k, val) in extra.as_object().unwrap() {
            if val.is_null() {
                v.as_object_mut().unwrap().remove(k);
            } else {
                v[k] = val.clone();
            }
        }
        from_json(v)
    }

    fn run(rule: &Rule, p: &Policy, config: &Config) -> Vec<Hit> {
        match rule.check {
            Check::Policy(f) => run_policy(f, p, config),
            _ => unreachable!(),
        }
    }

    fn pointers(rule: &Rule, p: &Policy, config: &Config) -> Vec<String> {
        run(rule, p, config)
            .into_iter()
            .map(|h| h.pointer)
            .collect()
    }

    use super::super::{
        ca402_tp_office365_or_all as ca402, ca403_tp_platform as ca403,
        ca404_tp_client_app_types as ca404, ca405_tp_includes_guests as ca405,
        ca406_tp_broad_scope as ca406,
    };

    #[test]
    fn seed_policy_is_clean() {
        let (p, c) = (tp(json!({})), Config::default());
        for rule in [
            &super::RULE,
            &ca402::RULE,
            &ca403::RULE,
            &ca404::RULE,
            &ca405::RULE,
            &ca406::RULE,
        ] {
            assert!(run(rule, &p, &c).is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn clutch2view_shape_office365_browser_all_users() {
        let p = tp(json!({
            "users": { "include": { "users": ["All"] } },
            "applications": { "include": ["Office365"] },
            "clientAppTypes": ["browser"],
        }));
        let c = Config::default();
        assert!(pointers(&super::RULE, &p, &c).is_empty());
        assert_eq!(pointers(&ca402::RULE, &p, &c), ["/applications/include/0"]);
        assert_eq!(pointers(&ca404::RULE, &p, &c), ["/clientAppTypes/0"]);
        assert_eq!(pointers(&ca405::RULE, &p, &c), ["/users/include/users/0"]);
        assert_eq!(pointers(&ca406::RULE, &p, &c), ["/users/include/users/0"]);
        assert!(pointers(&ca403::RULE, &p, &c).is_empty());
    }

    #[test]
    fn all_and_office365_are_ca402_only() {
        let p = tp(
            json!({ "applications": { "include": [EXO, "All", "Office365", "MicrosoftAdminPortals"] } }),
        );
        let c = Config::default();
        assert_eq!(
            pointers(&ca402::RULE, &p, &c),
            ["/applications/include/1", "/applications/include/2"]
        );
        assert_eq!(pointers(&super::RULE, &p, &c), ["/applications/include/3"]);
    }

    #[test]
    fn opt_in_resources() {
        let p = tp(json!({ "applications": { "include": [EXO, SPO, super::TEAMS] } }));
        let mut c = Config::default();
        assert_eq!(pointers(&super::RULE, &p, &c), ["/applications/include/2"]);
        c.tp_resources.push(super::TEAMS.into());
        assert!(pointers(&super::RULE, &p, &c).is_empty());
    }

    #[test]
    fn arm_preview_shape_is_not_ca401_or_ca404() {
        let p = tp(json!({
            "applications": { "include": [super::ARM] },
            "clientAppTypes": ["browser"],
            "platforms": { "include": ["windows"] },
        }));
        let c = Config::default();
        assert!(super::is_arm_preview_shape(&p));
        assert!(pointers(&super::RULE, &p, &c).is_empty());
        assert!(pointers(&ca404::RULE, &p, &c).is_empty());
        // Not the shape: ARM with desktop clients.
        let q = tp(json!({ "applications": { "include": [super::ARM] } }));
        assert!(!super::is_arm_preview_shape(&q));
        assert_eq!(pointers(&super::RULE, &q, &c), ["/applications/include/0"]);
        // Not the shape: browser with Android.
        let r = tp(json!({
            "applications": { "include": [super::ARM] },
            "clientAppTypes": ["browser"],
            "platforms": { "include": ["windows", "android"] },
        }));
        assert!(!super::is_arm_preview_shape(&r));
        assert_eq!(pointers(&ca404::RULE, &r, &c), ["/clientAppTypes/0"]);
    }

    #[test]
    fn platforms() {
        let mut c = Config::default();
        let missing = tp(json!({ "platforms": null }));
        let hits = run(&ca403::RULE, &missing, &c);
        assert_eq!(
            (hits[0].pointer.as_str(), hits[0].key),
            ("/displayName", true)
        );
        let p = tp(
            json!({ "platforms": { "include": ["windows", "all", "android", "linux", "windowsPhone", "iOS", "macOS"] } }),
        );
        assert_eq!(
            pointers(&ca403::RULE, &p, &c),
            (1..7)
                .map(|i| format!("/platforms/include/{i}"))
                .collect::<Vec<_>>()
        );
        c.tp_platforms.extend([Platform::IOS, Platform::MacOS]);
        assert_eq!(
            pointers(&ca403::RULE, &p, &c),
            (1..5)
                .map(|i| format!("/platforms/include/{i}"))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn windows_only_resources_on_apple_warn() {
        let mut c = Config::default();
        c.tp_resources.push(super::AVD.into());
        c.tp_platforms.push(Platform::MacOS);
        let p = tp(json!({
            "applications": { "include": [EXO, super::AVD] },
            "platforms": { "include": ["windows", "macOS"] },
        }));
        let hits = run(&ca403::RULE, &p, &c);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].pointer, "/platforms/include/1");
        assert_eq!(hits[0].severity, Some(Severity::Warning));
        // Not opted in: the error only, once.
        let hits = run(&ca403::RULE, &p, &Config::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].severity, None);
    }

    #[test]
    fn client_app_types() {
        let c = Config::default();
        let unset = tp(json!({ "clientAppTypes": null }));
        let hits = run(&ca404::RULE, &unset, &c);
        assert_eq!(
            (hits[0].pointer.as_str(), hits[0].key),
            ("/displayName", true)
        );
        let p = tp(
            json!({ "clientAppTypes": ["mobileAppsAndDesktopClients", "all", "exchangeActiveSync"] }),
        );
        assert_eq!(
            pointers(&ca404::RULE, &p, &c),
            ["/clientAppTypes/1", "/clientAppTypes/2"]
        );
    }

    #[test]
    fn guests() {
        let c = Config::default();
        let partial = tp(json!({ "users": {
            "include": { "users": ["All"] },
            "exclude": { "guestsOrExternalUsers": { "types": ["b2bCollaborationGuest"], "tenants": ["All"] } }
        } }));
        assert_eq!(
            pointers(&ca405::RULE, &partial, &c),
            ["/users/include/users/0"]
        );
        let legacy = tp(json!({ "users": {
            "include": { "users": ["All"] },
            "exclude": { "users": ["GuestsOrExternalUsers"] }
        } }));
        assert!(pointers(&ca405::RULE, &legacy, &c).is_empty());
        let typed = tp(json!({ "users": {
            "include": { "groups": ["22222222-2222-4222-8222-222222222222"],
                         "guestsOrExternalUsers": { "types": ["b2bCollaborationGuest"] } }
        } }));
        assert_eq!(
            pointers(&ca405::RULE, &typed, &c),
            ["/users/include/guestsOrExternalUsers"]
        );
    }

    #[test]
    fn rules_ignore_policies_without_token_protection() {
        let p = tp(json!({
            "applications": { "include": ["Office365"] },
            "platforms": null, "clientAppTypes": null,
            "users": { "include": { "users": ["All"] } },
            "session": null, "grant": { "builtInControls": ["mfa"] },
        }));
        let c = Config::default();
        for rule in [
            &super::RULE,
            &ca402::RULE,
            &ca403::RULE,
            &ca404::RULE,
            &ca405::RULE,
            &ca406::RULE,
        ] {
            assert!(run(rule, &p, &c).is_empty(), "{}", rule.id);
        }
    }
}
