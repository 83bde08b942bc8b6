//! CA016 `mixed-target-types`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA016",
    name: "mixed-target-types",
    severity: Severity::Error,
    summary: "More than one target kind: resources, user actions and authentication contexts are exclusive.",
    fix: "split into separate policies, one target kind each",
    docs: r#"## What it checks
More than one of `applications.include` (other than `None`), `applications.userActions` and
`applications.authenticationContexts` is set.

## Why it matters
A policy targets resources, a user action or an authentication context — one kind per
policy. The portal offers them as alternatives and Terraform's provider enforces
exactly-one; Graph rejects the combination.

## Example
```yaml
applications:
  include: [All]
  userActions: [registerSecurityInfo]
```

## Fix
```yaml
applications:
  userActions: [registerSecurityInfo]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps
- shared/reference/graph-ca-schema.md §5.1.4; shared/reference/rules.md CA016
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(a) = &ctx.policy.applications else {
        return Vec::new();
    };
    let kinds = [
        a.include.iter().any(|v| v != "None"),
        !a.user_actions.is_empty(),
        !a.authentication_contexts.is_empty(),
    ];
    if kinds.iter().filter(|k| **k).count() > 1 {
        vec![Hit::at_key(
            "/applications",
            "resources, user actions and authentication contexts cannot be mixed in one policy",
        )]
    } else {
        Vec::new()
    }
}
