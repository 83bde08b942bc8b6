//! CA001 `empty-user-scope`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA001",
    name: "empty-user-scope",
    severity: Severity::Error,
    summary: "The policy's user scope is exactly `None`: it applies to nobody.",
    fix: "add the intended users/groups/roles under `users.include`, or delete the policy",
    docs: r#"## What it checks
A policy whose `users.include` is only `None` (no groups, roles or guest/external user
types) and that targets no workload identities (`clientApplications.include`). A policy that
names no user scope at all is the Graph-validity check CA021.

## Why it matters
Graph accepts `includeUsers: [None]`, but the policy then applies to nobody: it is either a
leftover or a policy someone believes protects users.

## Example
```yaml
users:
  include: { users: [None] }
  exclude: { groups: [Emergency Access] }
```

## Fix
```yaml
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
- https://learn.microsoft.com/graph/api/resources/conditionalaccessusers
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    // Nothing named at all is Graph-invalid (CA021): one root cause, one message.
    if crate::validity::names_no_identity(p) || p.targets_workload_identities() {
        return Vec::new();
    }
    // Something is named; CA001 is the case where it is only `None`.
    let only_none = p.user_include().is_some_and(|i| {
        i.users.iter().all(|u| u == "None")
            && i.groups.is_empty()
            && i.roles.is_empty()
            && i.guests_or_external_users
                .as_ref()
                .is_none_or(|g| g.types.is_empty())
    });
    if only_none {
        vec![Hit::at_key(
            "/users/include",
            "`users.include` selects nobody",
        )]
    } else {
        Vec::new()
    }
}
