//! CA016 `mixed-target-types`.

use crate::diag::Hit;
use crate::model::Policy;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA016",
    name: "mixed-target-types",
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
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let Some(a) = &p.applications else {
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
