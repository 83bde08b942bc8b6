//! CA021 `users-required`.

use crate::diag::Hit;
use crate::model::Policy;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA021",
    name: "users-required",
    summary: "The policy names no user scope at all: no `users.include` entry and no workload identities.",
    fix: "add `users.include` (users, groups, roles, guest types, or `users: [None]` beside `clientApplications`)",
    docs: r#"## What it checks
A policy that targets no workload identities (`clientApplications.include` or agent ids) and
whose `users.include` is missing or lists no users (not even `None`), groups, roles or
guest/external user types.

## Why it matters
Graph requires either `conditions.users` or `conditions.clientApplications` in every policy
and rejects the body otherwise. A `users` block with only exclusions includes nobody and is
refused the same way. (An include of exactly `None` is accepted by Graph; CA001 reports it as
a policy that applies to nobody.)

## Example
```yaml
users:
  exclude: { groups: [Emergency Access] }
```

## Fix
```yaml
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
```

## References
- https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset ("Either users or clientApplications is required")
- https://learn.microsoft.com/graph/api/resources/conditionalaccessusers
"#,
    check: Some(check),
};

/// True when the policy names no identity at all (shared with CA001, which
/// stays silent then so one root cause gives one message).
pub fn names_no_identity(p: &Policy) -> bool {
    if p.targets_workload_identities() {
        return false;
    }
    !p.user_include().is_some_and(|i| {
        !i.users.is_empty()
            || !i.groups.is_empty()
            || !i.roles.is_empty()
            || i.guests_or_external_users
                .as_ref()
                .is_some_and(|g| !g.types.is_empty())
    })
}

fn check(p: &Policy) -> Vec<Hit> {
    if !names_no_identity(p) {
        return Vec::new();
    }
    let hit = match (&p.users, p.user_include()) {
        (_, Some(_)) => Hit::at_key("/users/include", "`users.include` lists nobody"),
        (Some(_), None) => Hit::at_key(
            "/users",
            "`users` has no `include:`; Graph requires the policy to include users or workload identities",
        ),
        (None, None) => Hit::at_key(
            "/displayName",
            "the policy has no `users:` and no `clientApplications:`; Graph requires one of them",
        ),
    };
    vec![hit]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: serde_json::Value) -> Vec<Hit> {
        check(&crate::test_support::from_json(v))
    }

    #[test]
    fn graph_requires_users_or_client_applications() {
        assert_eq!(run(json!({"displayName": "x"})).len(), 1);
        assert_eq!(
            run(json!({"displayName": "x", "users": {"exclude": {"groups": ["g"]}}}))[0].pointer,
            "/users"
        );
        assert_eq!(
            run(json!({"displayName": "x", "users": {"include": {}}}))[0].pointer,
            "/users/include"
        );
        // Graph accepts an include of exactly None (CA001's business).
        assert!(
            run(json!({"displayName": "x", "users": {"include": {"users": ["None"]}}})).is_empty()
        );
        assert!(
            run(json!({"displayName": "x", "clientApplications": {"include": ["s"]}})).is_empty()
        );
    }
}
