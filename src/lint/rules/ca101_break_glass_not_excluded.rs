//! CA101 `break-glass-not-excluded`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA101",
    name: "break-glass-not-excluded",
    severity: Severity::Error,
    summary: "An active user policy does not exclude the break-glass (emergency access) accounts.",
    fix: "add the break-glass group to `users.exclude.groups` (prefer one group over individual users)",
    docs: r#"## What it checks
An enabled or report-only policy that targets users, where none of the break-glass users or
groups named in `tenant.yaml` (`breakGlass:`) or `--break-glass` is in `users.exclude`.
Policies that *include* a break-glass identity are exempt: protecting the emergency
accounts themselves (e.g. phishing-resistant MFA for them) is what Microsoft asks for.
Without break-glass data the rule is skipped, never guessed.

## Why it matters
Emergency access accounts are how you get back in when a policy locks everyone out;
Microsoft, CIS and Maester (MT.1005) all require excluding them from Conditional Access.

## Example
```yaml
users:
  include: { users: [All] }
```

## Fix
```yaml
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
```

## References
- https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    needs: Needs::BreakGlass,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let (p, bg) = (ctx.policy, ctx.break_glass);
    if bg.is_empty() || !p.state.is_active() {
        return Vec::new();
    }
    let Some(users) = &p.users else {
        return Vec::new();
    };
    let Some(include) = &users.include else {
        return Vec::new();
    };
    let user_scoped = include.users.iter().any(|u| u != "None")
        || !include.groups.is_empty()
        || !include.roles.is_empty()
        || include.guests_or_external_users.is_some();
    let only_auth_context = p.applications.as_ref().is_some_and(|a| {
        a.include.is_empty() && a.user_actions.is_empty() && !a.authentication_contexts.is_empty()
    });
    let targets_break_glass = include.users.iter().any(|u| bg.users.contains(u))
        || include.groups.iter().any(|g| bg.groups.contains(g));
    if !user_scoped || only_auth_context || targets_break_glass {
        return Vec::new();
    }
    let excluded = users.exclude.as_ref().is_some_and(|e| {
        e.users.iter().any(|u| bg.users.contains(u))
            || e.groups.iter().any(|g| bg.groups.contains(g))
    });
    if excluded {
        Vec::new()
    } else {
        let at = if users.exclude.is_some() {
            "/users/exclude"
        } else {
            "/users"
        };
        vec![Hit::at_key(at, "the break-glass accounts are not excluded")]
    }
}
