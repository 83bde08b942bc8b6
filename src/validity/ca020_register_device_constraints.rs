//! CA020 `register-device-constraints`.

use crate::diag::Hit;
use crate::model::{BuiltInControl, ClientAppType, Policy};
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA020",
    name: "register-device-constraints",
    summary: "A `registerDevice` user-action policy uses a grant other than MFA / an authentication strength, or a client-app or device-filter condition.",
    fix: "grant only `mfa` or an authentication strength, and drop `clientAppTypes` and `devices.filter`",
    docs: r#"## What it checks
A policy whose `applications.userActions` includes `registerDevice`
(`urn:user:registerdevice`) and that
- grants with anything but `mfa` or an `authenticationStrength` (another built-in control,
  `block`, terms of use, a custom control), or
- sets `clientAppTypes` other than `[all]`, or a device filter (`devices.filter`).

## Why it matters
Microsoft documents the *Register or join devices* user action as allowing only
multifactor authentication (or an authentication strength) as its access control, "all
others are disabled", and says client apps, filters for devices and device state conditions
aren't available with it. Graph refuses the combinations the admin center cannot produce.

## Example
```yaml
applications: { userActions: [registerDevice] }
clientAppTypes: [browser]
grant: { builtInControls: [compliantDevice] }
```

## Fix
```yaml
applications: { userActions: [registerDevice] }
grant: { authenticationStrength: Multifactor authentication }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps#user-actions
- https://learn.microsoft.com/entra/identity/conditional-access/how-to-policy-mfa-device-register-join
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let Some(apps) = &p.applications else {
        return Vec::new();
    };
    if !apps
        .user_actions
        .iter()
        .any(|a| a.eq_ignore_ascii_case("urn:user:registerdevice"))
    {
        return Vec::new();
    }
    let mut hits = Vec::new();
    if let Some(g) = &p.grant {
        for (i, c) in g.built_in_controls.iter().enumerate() {
            if *c != BuiltInControl::Mfa {
                hits.push(Hit::at(
                    format!("/grant/builtInControls/{i}"),
                    format!(
                        "`{}` is not available with the `registerDevice` user action; only `mfa` or an authentication strength is",
                        c.as_str()
                    ),
                ));
            }
        }
        if !g.terms_of_use.is_empty() {
            hits.push(Hit::at_key(
                "/grant/termsOfUse",
                "terms of use are not available with the `registerDevice` user action",
            ));
        }
        if !g.custom_authentication_factors.is_empty() {
            hits.push(Hit::at_key(
                "/grant/customAuthenticationFactors",
                "custom controls are not available with the `registerDevice` user action",
            ));
        }
    }
    if p.client_app_types.iter().any(|t| *t != ClientAppType::All) {
        hits.push(Hit::at_key(
            "/clientAppTypes",
            "the client apps condition is not available with the `registerDevice` user action",
        ));
    }
    if p.devices.as_ref().is_some_and(|d| d.filter.is_some()) {
        hits.push(Hit::at_key(
            "/devices/filter",
            "filters for devices are not available with the `registerDevice` user action",
        ));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: serde_json::Value) -> Vec<Hit> {
        check(&crate::test_support::from_json(v))
    }

    #[test]
    fn only_mfa_or_a_strength_and_no_client_app_or_device_filter() {
        let base = |extra: serde_json::Value| {
            let mut v = json!({"displayName": "x",
                "applications": {"userActions": ["urn:user:registerdevice"]}});
            v.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            run(v)
        };
        assert!(base(json!({"grant": {"builtInControls": ["mfa"]}})).is_empty());
        assert!(
            base(
                json!({"grant": {"authenticationStrength": "00000000-0000-0000-0000-000000000002"}})
            )
            .is_empty()
        );
        let h = base(json!({"grant": {"builtInControls": ["mfa", "compliantDevice"]}}));
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].pointer, "/grant/builtInControls/1");
        assert_eq!(
            base(json!({"grant": {"builtInControls": ["block"]}})).len(),
            1
        );
        let h = base(json!({"grant": {"builtInControls": ["mfa"]},
            "clientAppTypes": ["browser"], "devices": {"filter": {"mode": "include", "rule": "device.isCompliant -eq True"}}}));
        let at: Vec<&str> = h.iter().map(|h| h.pointer.as_str()).collect();
        assert_eq!(at, ["/clientAppTypes", "/devices/filter"]);
        // The security-info action has no such restriction.
        let v = json!({"displayName": "x", "applications": {"userActions": ["urn:user:registersecurityinfo"]},
            "clientAppTypes": ["browser"], "grant": {"builtInControls": ["compliantDevice"]}});
        assert!(run(v).is_empty());
    }
}
