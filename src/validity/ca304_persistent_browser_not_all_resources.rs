//! CA304 `persistent-browser-not-all-resources`.

use crate::diag::Hit;
use crate::model::Policy;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA304",
    name: "persistent-browser-not-all-resources",
    summary: "A persistent browser session control does not target exactly All resources.",
    fix: "set `applications.include: [All]` with no excluded resources; narrow the policy by users or a device filter instead",
    docs: r#"## What it checks
`session.persistentBrowser` (either mode) on a policy whose `applications.include` is not
exactly `[All]`, or that excludes resources.

## Why it matters
All browser tabs share one session token, so the persistent-browser setting can only be
applied to the whole session: Graph documents that all apps must be selected, and the
session-lifetime how-to requires *All resources*. Scoping it to some apps does not work
as written.

## Example
```yaml
displayName: CA030-Unmanaged-NoPersistentBrowser
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office365]
session:
  persistentBrowser: never
```

## Fix
```yaml
displayName: CA030-Unmanaged-NoPersistentBrowser
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
devices:
  filter: { mode: include, rule: 'device.isCompliant -ne True -and device.trustType -ne "ServerAD"' }
session:
  persistentBrowser: never
```

## References
- https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols
- https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-session-lifetime
- https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let Some(mode) = p.session.as_ref().and_then(|s| s.persistent_browser) else {
        return Vec::new();
    };
    let mode = mode.as_str();
    let mut hits = Vec::new();
    let include = p.include_apps();
    if include.iter().any(|a| a == "All") {
        for (i, a) in include.iter().enumerate().filter(|(_, a)| *a != "All") {
            hits.push(Hit::at(
                format!("/applications/include/{i}"),
                format!(
                    "persistent browser (`{mode}`) needs exactly `[All]` resources; remove `{a}`"
                ),
            ));
        }
    } else {
        let message = format!(
            "persistent browser (`{mode}`) applies to the whole browser session and needs \
             `applications.include: [All]`; target All resources and narrow by users or device \
             filter instead"
        );
        hits.push(if !include.is_empty() {
            Hit::at_key("/applications/include", message)
        } else if p.applications.is_some() {
            Hit::at_key("/applications", message)
        } else {
            Hit::at_key("/session/persistentBrowser", message)
        });
    }
    if let Some(a) = &p.applications {
        for i in 0..a.exclude.len() {
            hits.push(Hit::at(
                format!("/applications/exclude/{i}"),
                format!(
                    "persistent browser (`{mode}`) needs All resources without exclusions; remove \
                     this exclusion"
                ),
            ));
        }
    }
    hits
}
