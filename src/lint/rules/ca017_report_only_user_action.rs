//! CA017 `report-only-user-action`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::State;

pub static RULE: Rule = Rule {
    id: "CA017",
    name: "report-only-user-action",
    severity: Severity::Warning,
    summary: "A report-only policy targets a user action, which report-only mode does not evaluate.",
    fix: "test user-action policies enabled on a pilot group instead of report-only",
    docs: r#"## What it checks
A policy in report-only state (`state: reportOnly`, Graph's
`enabledForReportingButNotEnforced`, or `state` omitted, which caac compiles to
report-only) whose `applications.userActions` is non-empty (`registerSecurityInfo`,
`registerDevice`).

## Why it matters
Report-only mode does not apply to policies scoped to user actions: they are never
evaluated, so the sign-in logs show nothing and the "report-only period" proves nothing.
Test such a policy enabled, scoped to a pilot group, and widen it once the pilot works.

## Example
```yaml
displayName: CA007-SecurityInfoRegistration
# state omitted -> report-only
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  userActions: [registerSecurityInfo]
grant:
  authenticationStrength: Multifactor authentication
```

## Fix
```yaml
displayName: CA007-SecurityInfoRegistration
state: enabled   # caac-ignore: CA201 user actions are not evaluated in report-only; piloted on Pilot first
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  userActions: [registerSecurityInfo]
grant:
  authenticationStrength: Multifactor authentication
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    let report_only = matches!(
        p.state,
        State::ReportOnly | State::EnabledForReportingButNotEnforced
    );
    let actions = p
        .applications
        .as_ref()
        .is_some_and(|a| !a.user_actions.is_empty());
    if report_only && actions {
        vec![Hit::at_key(
            "/applications/userActions",
            "report-only mode does not evaluate user-action policies, so this policy will log nothing; test it enabled on a pilot group instead",
        )]
    } else {
        Vec::new()
    }
}
