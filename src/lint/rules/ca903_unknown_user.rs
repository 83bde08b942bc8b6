//! CA903 `unknown-user`.

use crate::catalog::{self, Kind};
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA903",
    name: "unknown-user",
    severity: Severity::Error,
    summary: "A user id in `users.include/exclude.users` is not a user of the tenant file.",
    fix: "fix or remove the user id, or add the existing user under `users:` in tenant.yaml",
    docs: r#"## What it checks
Every value of `users.include.users` and `users.exclude.users` (after resolution) that is
not a special value (`All`, `None`, `GuestsOrExternalUsers`, `AllAgentIdUsers`) must be one
of the ids listed under `users:` in the tenant file (compared case-insensitively).
Break-glass users given by id with `--break-glass` count as known.

A user *name* (UPN) that is not in the tenant file never gets here: resolution fails closed
with `unknown-name`. This rule is about object ids written directly into a spec or carried
over from an export — typically an account deleted since. Without a tenant file the rule is
skipped, never guessed.

## Why it matters
A deleted user's id stays in the policy and matches nobody: an include no longer protects
anyone, and an exclusion that was meant for a specific account (a service account, an
emergency account) no longer exempts it — or a recreated account with the same name is not
the one excluded. Maester flags this as MT.1066.

## Example
```yaml
displayName: CA030-Admins-MFA
users:
  include: { users: [alice@contoso.com, 2b8e6f1c-9d4a-4f7e-8c3b-5a1d7e9f2c4b] }  # deleted user
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
grant: { builtInControls: [mfa] }
```

## Fix
```yaml
users:
  include: { users: [alice@contoso.com] }
  exclude: { groups: [Emergency Access] }
```
Prefer groups over individual users in policies.

## References
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
        for (i, id) in set.users.iter().enumerate() {
            let known = catalog::keyword(Kind::User, id).is_some()
                || ctx.listed(Kind::User, id)
                || ctx
                    .break_glass
                    .users
                    .iter()
                    .any(|u| u.eq_ignore_ascii_case(id));
            if !known {
                hits.push(Hit::at(
                    format!("/users/{side}/users/{i}"),
                    format!(
                        "user `{id}` is not in the tenant file (a deleted user matches nobody); fix or remove the id, or list the user under `users:`"
                    ),
                ));
            }
        }
    }
    hits
}
