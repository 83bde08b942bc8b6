//! CA501 `legacy-guest-keyword`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA501",
    name: "legacy-guest-keyword",
    severity: Severity::Info,
    summary: "A user list uses the legacy `GuestsOrExternalUsers` keyword instead of the structured guest/external user types.",
    fix: "replace the keyword with `guestsOrExternalUsers: { types: [...], tenants: [...] }` listing the intended types",
    docs: r#"## What it checks
`GuestsOrExternalUsers` in `users.include.users` or `users.exclude.users`.

## Why it matters
The keyword is the old, all-or-nothing way to select external users. The structured
`include/excludeGuestsOrExternalUsers` condition names the six guest and external user
types (internal guests, B2B collaboration guests and members, B2B direct connect users,
other external users, service providers) and optionally the external tenants, so a
reviewer can see exactly who is in scope — and service providers (GDAP/CSP) are not
swept in by accident.

## Example
```yaml
displayName: CA060-Guests-MFA
users:
  include: { users: [GuestsOrExternalUsers] }
applications:
  include: [All]
grant:
  builtInControls: [mfa]
```

## Fix
```yaml
displayName: CA060-Guests-MFA
users:
  include:
    guestsOrExternalUsers:
      types: [internalGuest, b2bCollaborationGuest, b2bCollaborationMember, b2bDirectConnectUser, otherExternalUser]
      tenants: [All]
applications:
  include: [All]
grant:
  builtInControls: [mfa]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
- https://learn.microsoft.com/graph/api/resources/conditionalaccessguestsorexternalusers
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    let mut hits = Vec::new();
    for (side, set) in [("include", p.user_include()), ("exclude", p.user_exclude())] {
        let Some(set) = set else { continue };
        for (i, u) in set.users.iter().enumerate() {
            if u == "GuestsOrExternalUsers" {
                hits.push(Hit::at(
                    format!("/users/{side}/users/{i}"),
                    format!(
                        "the legacy `GuestsOrExternalUsers` keyword selects every external user \
                         type; use `users.{side}.guestsOrExternalUsers` with explicit types"
                    ),
                ));
            }
        }
    }
    hits
}
