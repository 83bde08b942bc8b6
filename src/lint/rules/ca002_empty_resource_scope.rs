//! CA002 `empty-resource-scope`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA002",
    name: "empty-resource-scope",
    severity: Severity::Error,
    summary: "The policy targets no resource, user action or authentication context.",
    fix: "add target resources under `applications.include`, a user action or an authentication context",
    docs: r#"## What it checks
`applications.include` is empty or only `None`, and there are no `userActions`, no
`authenticationContexts` and no application `filter`.

## Why it matters
Graph rejects an empty `includeApplications` with error 1011 when nothing else is targeted,
and a policy that targets `None` enforces nothing (Maester MT.1184).

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
- shared/reference/graph-ca-schema.md §5.1.2; shared/reference/rules.md CA002
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(apps) = &ctx.policy.applications else {
        return vec![Hit::at_key(
            "/displayName",
            "the policy has no `applications:` (target resources)",
        )];
    };
    let targets = apps.include.iter().any(|a| a != "None")
        || !apps.user_actions.is_empty()
        || !apps.authentication_contexts.is_empty()
        || apps.filter.is_some();
    if targets {
        Vec::new()
    } else if apps.include.is_empty() {
        vec![Hit::at_key(
            "/applications",
            "`applications` targets no resource, user action or authentication context",
        )]
    } else {
        vec![Hit::at(
            "/applications/include",
            "`applications.include` targets only `None`",
        )]
    }
}
