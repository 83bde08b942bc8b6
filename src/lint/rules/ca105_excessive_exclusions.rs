//! CA105 `excessive-exclusions`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

/// Most users one policy may exclude one by one.
const MAX_EXCLUDED_USERS: usize = 5;
/// Most resources an All-resources policy may exclude.
const MAX_EXCLUDED_APPS: usize = 5;

pub static RULE: Rule = Rule {
    id: "CA105",
    name: "excessive-exclusions",
    severity: Severity::Warning,
    summary: "A policy carries more exclusions than a reviewed exception process would.",
    fix: "replace ad-hoc exclusions with one reviewed exception group that has an owner and an expiry",
    docs: r#"## What it checks
Any of:
- more than 5 users in `users.exclude.users`;
- more than `thresholds.maxExclusions` (default 10) identities excluded in total: users,
  groups, roles and guest types in `users.exclude`;
- more than 5 resources in `applications.exclude` on a policy that includes `All` resources.

The total is configurable in `.caac.yaml`:
```yaml
thresholds: { maxExclusions: 15 }
```

## Why it matters
Microsoft's planning guidance: use exclusions sparingly, only for trusted users, and add
them back as soon as possible. Every exclusion is a hole an attacker can aim for, and long
GUID lists push the policy towards its size limit. A reviewed exception group keeps the
policy readable and makes every exception visible in one place.

## Example
```yaml
users:
  include: { users: [All] }
  exclude:
    groups: [Emergency Access]
    users:
      - 0e1f2a3b-0000-4000-8000-000000000011
      - 0e1f2a3b-0000-4000-8000-000000000012
      - 0e1f2a3b-0000-4000-8000-000000000013
      - 0e1f2a3b-0000-4000-8000-000000000014
      - 0e1f2a3b-0000-4000-8000-000000000015
      - 0e1f2a3b-0000-4000-8000-000000000016
```

## Fix
```yaml
users:
  include: { users: [All] }
  exclude:
    groups: [Emergency Access, Exception Group]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    let mut hits = Vec::new();
    if let Some(e) = p.user_exclude() {
        if e.users.len() > MAX_EXCLUDED_USERS {
            hits.push(Hit::at_key(
                "/users/exclude/users",
                format!(
                    "{} users are excluded one by one (more than {MAX_EXCLUDED_USERS}); put them in a reviewed exception group",
                    e.users.len()
                ),
            ));
        }
        let guests = e
            .guests_or_external_users
            .as_ref()
            .map_or(0, |g| g.types.len());
        let total = e.users.len() + e.groups.len() + e.roles.len() + guests;
        let max = ctx.config.max_exclusions;
        if total > max {
            hits.push(Hit::at_key(
                "/users/exclude",
                format!(
                    "{total} identities are excluded (more than {max}); replace ad-hoc exclusions with one reviewed exception group"
                ),
            ));
        }
    }
    if p.includes_all_apps()
        && let Some(a) = &p.applications
        && a.exclude.len() > MAX_EXCLUDED_APPS
    {
        hits.push(Hit::at_key(
            "/applications/exclude",
            format!(
                "{} resources are excluded from an All-resources policy (more than {MAX_EXCLUDED_APPS}); each one is a gap, keep only those with a reviewed reason",
                a.exclude.len()
            ),
        ));
    }
    hits
}
