//! CA306 `app-enforced-restrictions-unsupported-app`.

use super::helpers::app_name;
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA306",
    name: "app-enforced-restrictions-unsupported-app",
    severity: Severity::Warning,
    summary: "App enforced restrictions target a resource other than Office365, Exchange Online or SharePoint Online.",
    fix: "target only `Office365`, Office 365 Exchange Online or Office 365 SharePoint Online",
    docs: r#"## What it checks
`session.applicationEnforcedRestrictions: true` on a policy whose `applications.include`
lists anything other than the `Office365` group, Office 365 Exchange Online or Office 365
SharePoint Online (including `All`). Each such entry is reported.

## Why it matters
Only Exchange Online and SharePoint Online honour app enforced restrictions (they read the
device state Entra passes and limit the web session themselves; SharePoint needs its own
unmanaged-device setting). For every other resource the control does nothing, so the
policy promises a restriction it does not deliver.

## Example
```yaml
displayName: CA040-Unmanaged-LimitedWebAccess
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office365, Power BI Service]
clientAppTypes: [browser]
session:
  applicationEnforcedRestrictions: true
```

## Fix
```yaml
displayName: CA040-Unmanaged-LimitedWebAccess
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office365]
clientAppTypes: [browser]
session:
  applicationEnforcedRestrictions: true
```

## References
- https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-session
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

/// Office 365 Exchange Online and Office 365 SharePoint Online.
const EXO_SPO: [&str; 2] = [
    "00000002-0000-0ff1-ce00-000000000000",
    "00000003-0000-0ff1-ce00-000000000000",
];

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if !p
        .session
        .as_ref()
        .is_some_and(|s| s.application_enforced_restrictions)
    {
        return Vec::new();
    }
    p.include_apps()
        .iter()
        .enumerate()
        .filter(|(_, a)| *a != "Office365" && !EXO_SPO.contains(&a.as_str()))
        .map(|(i, a)| {
            Hit::at(
                format!("/applications/include/{i}"),
                format!(
                    "`{}` does not honour app enforced restrictions (only Exchange Online and \
                     SharePoint Online do); remove it or move it to another policy",
                    app_name(ctx, a)
                ),
            )
        })
        .collect()
}
