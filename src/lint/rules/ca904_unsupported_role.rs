//! CA904 `unsupported-role`.

use crate::catalog::{self, Kind};
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA904",
    name: "unsupported-role",
    severity: Severity::Error,
    summary: "A role in `users.include/exclude.roles` is not a built-in directory role template id.",
    fix: "use a built-in role (by name or template id) or a role-assignable group instead",
    docs: r#"## What it checks
Every role id in `users.include.roles` and `users.exclude.roles` (after resolution) must be
the *template id* of a built-in Microsoft Entra directory role in caac's role table
(`src/catalog.rs`, compared case-insensitively). The table holds every role of the "All
roles" table of Microsoft's permissions reference (123 roles, January 2026). No tenant data
is needed: built-in template ids are the same in every tenant.

Role *names* resolve through the same table, so an unknown name already fails closed with
`unknown-name`; this rule is about ids written directly into a spec or carried over from an
export. Typical causes: a custom role's id, or the per-tenant *object* id of an activated
role (`directoryRoles/{id}`) instead of its `roleTemplateId`.

The table can lag Microsoft's list: a role Microsoft added after January 2026, and the
deprecated or hidden roles the reference lists without ids (Device Join, Device Managers,
Device Users, Workplace Device Join, Guest User, Restricted Guest User, User …), are reported
too. If you are sure the id is a built-in role template, lower the rule for now
(`rules: {CA904: warning}` in `.caac.yaml`, or a `# caac-ignore: CA904 <reason>` comment)
and report the missing role so it can be added to the table.

## Why it matters
Conditional Access supports built-in directory roles only. Custom roles, administrative
unit-scoped roles and role assignments scoped to an object are not enforced: a policy that
"protects admins" through such a role protects nobody, and an exclusion through it exempts
nobody.

## Example
```yaml
displayName: CA200-Admins-PhishingResistant
users:
  include:
    roles: [Global Administrator, 4e8a1c2d-6b3f-4a9e-8d7c-1f5b2e9a3c6d]   # a custom role
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
grant: { authenticationStrength: Phishing-resistant MFA }
```

## Fix
```yaml
users:
  include:
    roles: [Global Administrator, Privileged Role Administrator]
    groups: [Pilot]     # or a role-assignable group holding the custom-role admins
  exclude: { groups: [Emergency Access] }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
- https://learn.microsoft.com/entra/identity/conditional-access/policy-admin-phish-resistant-mfa
- https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(users) = &ctx.policy.users else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for (side, set) in [("include", &users.include), ("exclude", &users.exclude)] {
        let Some(set) = set else { continue };
        for (i, id) in set.roles.iter().enumerate() {
            if catalog::find_by_id(Kind::Role, id).is_none() {
                hits.push(Hit::at(
                    format!("/users/{side}/roles/{i}"),
                    format!(
                        "`{id}` is not a built-in directory role template id (custom and scoped roles are not enforced); use a built-in role or a role-assignable group"
                    ),
                ));
            }
        }
    }
    hits
}
