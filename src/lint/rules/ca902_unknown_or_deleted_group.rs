//! CA902 `unknown-or-deleted-group`.

use crate::catalog::Kind;
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA902",
    name: "unknown-or-deleted-group",
    severity: Severity::Error,
    summary: "A group id in `users.include/exclude.groups` is not a group of the tenant file.",
    fix: "fix the group id, or add the existing group under `groups:` in tenant.yaml",
    docs: r#"## What it checks
Every group id in `users.include.groups` and `users.exclude.groups` (after resolution) must
be one of the ids listed under `groups:` in the tenant file (compared case-insensitively).
Break-glass groups given by id with `--break-glass` count as known.

A group *name* that is not in the tenant file never gets here: resolution fails closed with
`unknown-name`. This rule is about ids written directly into a spec or carried over from an
export — typically a group that was deleted since. Without a tenant file the rule is
skipped, never guessed.

## Why it matters
Graph keeps the id of a deleted group in the policy, and the group silently drops out: an
include of a deleted group targets nobody, and an *exclusion* of a deleted group excludes
nobody — the people you meant to exempt (or the emergency accounts) are suddenly in scope.
Maester flags this as MT.1038 and MT.1066.

## Example
```yaml
displayName: CA020-Pilot-MFA
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access, 7d3f9b2e-4c1a-4e8b-9f6d-2a5c8e1b3d7f] }  # deleted group
applications: { include: [All] }
grant: { builtInControls: [mfa] }
```

## Fix
```yaml
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access, Exception Group] }   # a group that exists
```

## References
- https://maester.dev/docs/tests/MT.1038
- https://maester.dev/docs/tests/MT.1066
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
"#,
    needs: Needs::Directory,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let (Some(_), Some(users)) = (ctx.tenant, &ctx.policy.users) else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for (side, set) in [("include", &users.include), ("exclude", &users.exclude)] {
        let Some(set) = set else { continue };
        for (i, id) in set.groups.iter().enumerate() {
            let known = ctx.listed(Kind::Group, id)
                || ctx
                    .break_glass
                    .groups
                    .iter()
                    .any(|g| g.eq_ignore_ascii_case(id));
            if !known {
                let effect = if side == "exclude" {
                    "if it was deleted this exclusion exempts nobody"
                } else {
                    "if it was deleted this include targets nobody"
                };
                hits.push(Hit::at(
                    format!("/users/{side}/groups/{i}"),
                    format!(
                        "group `{id}` is not in the tenant file ({effect}); fix the id or list the group under `groups:`"
                    ),
                ));
            }
        }
    }
    hits
}
