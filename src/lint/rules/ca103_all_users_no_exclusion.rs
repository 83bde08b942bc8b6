//! CA103 `all-users-no-exclusion`.

use super::helpers::{all_users_index, has_identity_exclusion};
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::BuiltInControl;

pub static RULE: Rule = Rule {
    id: "CA103",
    name: "all-users-no-exclusion",
    severity: Severity::Warning,
    summary: "An All-users policy requires a control a fresh or service account may not satisfy, and excludes no one.",
    fix: "exclude the break-glass group and the service accounts that cannot satisfy the control",
    docs: r#"## What it checks
`users.include.users` contains `All`, `users.exclude` names no user, group or role (guest
types and the `GuestsOrExternalUsers` keyword do not count), and the policy requires a
control that a fresh or non-interactive account may not be able to satisfy: `mfa`, an
`authenticationStrength`, `compliantDevice`, `domainJoinedDevice` or
`session.tokenProtection`.

## Why it matters
Microsoft's templates exclude only the administrator who creates the policy, and its
guidance is to exclude the emergency access accounts and service accounts from every
policy. An account that has not registered MFA, or a break-glass account kept off
managed devices, is otherwise locked out the moment the policy is enforced.

## Example
```yaml
users:
  include: { users: [All] }
applications: { include: [All] }
grant: { builtInControls: [mfa] }
```

## Fix
```yaml
users:
  include: { users: [All] }
  exclude:
    groups: [Emergency Access]
    roles: [Directory Synchronization Accounts]
applications: { include: [All] }
grant: { authenticationStrength: Multifactor authentication }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
- https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if has_identity_exclusion(p) {
        return Vec::new();
    }
    let Some(i) = all_users_index(p) else {
        return Vec::new();
    };
    let mut needs: Vec<&str> = p
        .built_in_controls()
        .iter()
        .filter(|c| {
            matches!(
                c,
                BuiltInControl::Mfa
                    | BuiltInControl::CompliantDevice
                    | BuiltInControl::DomainJoinedDevice
            )
        })
        .map(|c| c.as_str())
        .collect();
    if p.grant
        .as_ref()
        .is_some_and(|g| g.authentication_strength.is_some())
    {
        needs.push("authenticationStrength");
    }
    if p.token_protection() {
        needs.push("tokenProtection");
    }
    if needs.is_empty() {
        return Vec::new();
    }
    let list: Vec<String> = needs.iter().map(|n| format!("`{n}`")).collect();
    vec![Hit::at(
        format!("/users/include/users/{i}"),
        format!(
            "every user must satisfy {} and no user, group or role is excluded; exclude the break-glass accounts and service accounts",
            list.join(", ")
        ),
    )]
}
