//! CA102 `block-all-users-no-exclusion`.

use super::helpers::{all_users_index, has_identity_exclusion};
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA102",
    name: "block-all-users-no-exclusion",
    severity: Severity::Error,
    summary: "A policy blocks All users and excludes no user, group or role.",
    fix: "exclude the break-glass group (`users.exclude.groups`), narrow the conditions, and deploy report-only first",
    docs: r#"## What it checks
`grant.builtInControls` contains `block`, `users.include.users` contains `All`, and
`users.exclude` names no user, group or role (a guest-type exclusion or the
`GuestsOrExternalUsers` keyword does not count: it cannot keep an administrator in).
The message is more urgent when the policy also targets exactly `[All]` resources and
nothing narrows it: no `clientAppTypes` other than `all`, no `locations`, `platforms`,
risk levels, `authenticationFlows` or device filter — that policy locks out the whole
tenant, administrators included. The rule looks at every state: a disabled or
report-only policy is one click away from enforcement.

## Why it matters
Block plus All users plus All resources locks out every administrator, and Microsoft
Graph itself cannot be excluded as a resource, so there may be no way back in except a
support case. The portal shows a "don't lock yourself out" warning for exactly this;
Microsoft's planning guidance asks to exclude the emergency access accounts.

## Example
```yaml
users:
  include: { users: [All] }
applications: { include: [All] }
locations: { include: [Blocked Countries] }
grant: { builtInControls: [block] }
```

## Fix
```yaml
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
locations: { include: [Blocked Countries] }
grant: { builtInControls: [block] }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if !p.blocks() || has_identity_exclusion(p) {
        return Vec::new();
    }
    let Some(i) = all_users_index(p) else {
        return Vec::new();
    };
    let all_apps = p.include_apps() == ["All"];
    let narrowed = p.conditions().iter().any(|k| *k != "clientApplications");
    let msg = if all_apps && !narrowed {
        "this blocks every user from every resource under every condition and excludes no one, which locks out the whole tenant including its administrators; exclude the break-glass accounts"
    } else {
        "this blocks All users and excludes no user, group or role, so nobody (not even an administrator) can get past it; exclude the break-glass accounts"
    };
    vec![Hit::at(format!("/users/include/users/{i}"), msg)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::run_json;
    use serde_json::json;

    fn run(p: serde_json::Value) -> Vec<Hit> {
        run_json(check, p, &crate::lint::config::Config::default())
    }

    #[test]
    fn unconditional_block_gets_the_urgent_message() {
        let h = run(
            json!({"displayName": "x", "users": {"include": {"users": ["All"]}},
            "applications": {"include": ["All"]}, "grant": {"builtInControls": ["block"]}}),
        );
        assert_eq!(h.len(), 1);
        assert!(h[0].message.contains("whole tenant"));
    }

    #[test]
    fn guest_exclusions_do_not_count() {
        let h = run(json!({"displayName": "x",
            "users": {"include": {"users": ["All"]}, "exclude": {"users": ["GuestsOrExternalUsers"]}},
            "applications": {"include": ["All"]}, "clientAppTypes": ["other"],
            "grant": {"builtInControls": ["block"]}}));
        assert_eq!(h.len(), 1);
        assert!(!h[0].message.contains("whole tenant"));
        let h = run(json!({"displayName": "x",
            "users": {"include": {"users": ["All"]}, "exclude": {"roles": ["62e90394-69f5-4237-9190-012177145e10"]}},
            "applications": {"include": ["All"]}, "grant": {"builtInControls": ["block"]}}));
        assert!(h.is_empty());
    }
}
