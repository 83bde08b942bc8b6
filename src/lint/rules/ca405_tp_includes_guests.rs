//! CA405 `tp-includes-guests`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::{GuestOrExternalUserType, UserSet};

pub static RULE: Rule = Rule {
    id: "CA405",
    name: "tp-includes-guests",
    severity: Severity::Warning,
    summary: "A Token Protection policy's user scope includes guests or external users.",
    fix: "exclude every guest/external user type (`users.exclude.guestsOrExternalUsers`), or pilot external users in a separate policy",
    docs: r#"## What it checks
A policy with `session.tokenProtection: true` whose users include external identities:

- `users.include.users` has `All` and the exclusions do not take out every guest and
  external user type for all tenants (either `GuestsOrExternalUsers` in
  `users.exclude.users`, or `users.exclude.guestsOrExternalUsers` with all six types and
  no tenant restriction or `tenants: [All]`);
- `users.include.users` has `GuestsOrExternalUsers`; or
- `users.include.guestsOrExternalUsers` is set.

## Why it matters
The 2023 Token Protection documentation said B2B users are not supported at all. The
2025–2026 documentation supports them only when their *home tenant's* device registration
meets the Token Protection requirements; otherwise they are blocked with an error that
does not name the cause, and you cannot fix their devices. Hence a warning, not an error:
include external users only deliberately, in a separate pilot.

## Example
```yaml
displayName: CA410-TokenProtection
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms: { include: [windows] }
clientAppTypes: [mobileAppsAndDesktopClients]
session:
  tokenProtection: true
```

## Fix
```yaml
displayName: CA410-TokenProtection
users:
  include: { groups: [Token Protection Pilot] }
  exclude:
    groups: [Emergency Access]
    guestsOrExternalUsers:
      types: [internalGuest, b2bCollaborationGuest, b2bCollaborationMember, b2bDirectConnectUser, otherExternalUser, serviceProvider]
      tenants: [All]
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms: { include: [windows] }
clientAppTypes: [mobileAppsAndDesktopClients]
session:
  tokenProtection: true
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

/// The guest/external types `exclude` does not take out of scope (for all tenants).
fn guest_types_left(exclude: Option<&UserSet>) -> Vec<GuestOrExternalUserType> {
    let Some(ex) = exclude else {
        return GuestOrExternalUserType::ALL.to_vec();
    };
    if ex.users.iter().any(|u| u == "GuestsOrExternalUsers") {
        return Vec::new();
    }
    match &ex.guests_or_external_users {
        Some(g) if g.tenants.is_empty() || g.tenants.iter().any(|t| t == "All") => {
            GuestOrExternalUserType::ALL
                .iter()
                .copied()
                .filter(|t| !g.types.contains(t))
                .collect()
        }
        _ => GuestOrExternalUserType::ALL.to_vec(),
    }
}

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if !p.token_protection() {
        return Vec::new();
    }
    let Some(include) = p.user_include() else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for (i, u) in include.users.iter().enumerate() {
        let at = format!("/users/include/users/{i}");
        match u.as_str() {
            "All" => {
                let left = guest_types_left(p.user_exclude());
                if left.is_empty() {
                    continue;
                }
                let message = if left.len() == GuestOrExternalUserType::ALL.len() {
                    "`All` users includes guests and external users, whose Token Protection \
                     works only if their home tenant's device registration qualifies; exclude \
                     every guest/external type under `users.exclude.guestsOrExternalUsers`"
                        .to_owned()
                } else {
                    let names: Vec<&str> = left.iter().map(|t| t.as_str()).collect();
                    format!(
                        "`All` users still includes the external types {} (for all tenants), \
                         whose Token Protection works only if their home tenant's device \
                         registration qualifies; exclude them too",
                        names.join(", ")
                    )
                };
                hits.push(Hit::at(at, message));
            }
            "GuestsOrExternalUsers" => hits.push(Hit::at(
                at,
                "Token Protection for guests and external users works only if their home \
                 tenant's device registration qualifies; remove them or pilot them in a \
                 separate policy",
            )),
            _ => {}
        }
    }
    if include.guests_or_external_users.is_some() {
        hits.push(Hit::at_key(
            "/users/include/guestsOrExternalUsers",
            "Token Protection for guests and external users works only if their home tenant's \
             device registration qualifies; remove them or pilot them in a separate policy",
        ));
    }
    hits
}
