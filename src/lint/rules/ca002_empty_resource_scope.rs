//! CA002 `empty-resource-scope`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA002",
    name: "empty-resource-scope",
    severity: Severity::Error,
    summary: "The policy's target resources are exactly `None`: it enforces nothing.",
    fix: "add target resources under `applications.include`, a user action or an authentication context",
    docs: r#"## What it checks
`applications.include` is only `None`, and there are no `userActions`, no
`authenticationContexts` and no application `filter`. A policy that names no target at all
is the Graph-validity check CA022.

## Why it matters
Graph accepts `includeApplications: [None]`, but a policy that targets `None` enforces
nothing (Maester MT.1184 flags the same).

## Example
```yaml
applications: { include: [None] }
```

## Fix
```yaml
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps
- https://learn.microsoft.com/graph/api/resources/conditionalaccessapplications
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    // Nothing named at all is Graph-invalid (CA022): one root cause, one message.
    if crate::validity::names_no_resource(ctx.policy) {
        return Vec::new();
    }
    let Some(apps) = &ctx.policy.applications else {
        return Vec::new();
    };
    let targets = apps.include.iter().any(|a| a != "None")
        || !apps.user_actions.is_empty()
        || !apps.authentication_contexts.is_empty()
        || apps.filter.is_some();
    if targets || apps.include.is_empty() {
        Vec::new()
    } else {
        vec![Hit::at(
            "/applications/include",
            "`applications.include` targets only `None`",
        )]
    }
}
