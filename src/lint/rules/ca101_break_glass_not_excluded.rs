//! CA101 `break-glass-not-excluded`.
//!
//! Contract: an active user-scoped policy that does not target the
//! break-glass identities must exclude every break-glass persona — the
//! same personas and the same notion of "excluded" as the lockout gate
//! ([`crate::whatif::lockout::first_unexcluded`]), so the two never
//! disagree: a user excluded by id while the break-glass group is not, or
//! an id of unknown kind excluded only as a user, is a finding in both.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA101",
    name: "break-glass-not-excluded",
    severity: Severity::Error,
    summary: "An active user policy does not exclude the break-glass (emergency access) accounts.",
    fix: "add the break-glass group to `users.exclude.groups` (prefer one group over individual users)",
    docs: r#"## What it checks
An enabled or report-only policy that targets users, where `users.exclude` does not exclude
every break-glass identity named in `tenant.yaml` (`breakGlass:`) or `--break-glass`: each
break-glass user (through its id, a group it is in or a role it holds; a user whose `memberOf`
the tenant file does not give is assumed to be in the break-glass groups), and a member of each
break-glass group. An id the tenant file lists as neither user nor group must be excluded as
both. These are the identities the lockout gate checks, judged the same way.
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
    let personas = crate::whatif::lockout::personas_of(ctx.tenant, bg, ctx.break_glass_personas);
    let missed = crate::whatif::lockout::first_unexcluded(p, &personas);
    let excluded = missed.is_none();
    if excluded {
        Vec::new()
    } else {
        let at = if users.exclude.is_some() {
            "/users/exclude"
        } else {
            "/users"
        };
        let who = missed.map(|m| m.label.as_str()).unwrap_or_default();
        vec![Hit::at_key(
            at,
            format!("the break-glass accounts are not excluded ({who} is not)"),
        )]
    }
}
