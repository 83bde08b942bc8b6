//! CA714 `no-all-resources-baseline` (set rule).

use super::helpers::{active, missing};
use crate::diag::Severity;
use crate::lint::{Check, Context, Needs, Rule, SetHit};

pub static RULE: Rule = Rule {
    id: "CA714",
    name: "no-all-resources-baseline",
    severity: Severity::Warning,
    summary: "No active user policy targets All resources, so resources no policy names are unprotected.",
    fix: "add a baseline policy with `applications: { include: [All] }` for each persona (at least All users with MFA)",
    docs: r#"## What it checks
The policy set as a whole: it fires once when no active (enabled or report-only) policy
for users has `applications.include: [All]`. Policies for workload identities
(`clientApplications`) do not count, since they protect nothing a user signs in to.
Conditions and exclusions do not matter here; CA701, CA702 and CA704 check what the
All-resources baselines require. Disabled policies do not count; an empty set is not
reported.

## Why it matters
Conditional Access has no implicit deny: a resource no policy targets is reachable with
whatever the user can present, a password alone included. Microsoft's planning guidance
asks that every app have at least one policy, which in practice means baselines on All
resources per persona (Microsoft's Zero Trust framework, Maester MT.1003/MT.1004).

## Example
Every policy names its resources:
```yaml
displayName: CA010-Office-MFA
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office365]
grant:
  authenticationStrength: Multifactor authentication
```

## Fix
```yaml
displayName: CA010-AllUsers-MFA
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
grant:
  authenticationStrength: Multifactor authentication
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
- https://learn.microsoft.com/azure/architecture/guide/security/conditional-access-framework
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps
- https://maester.dev/docs/tests/MT.1003 and https://maester.dev/docs/tests/MT.1004
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let found = active(set).any(|p| p.includes_all_apps() && !p.targets_workloads());
    missing(
        set,
        found,
        "no active user policy targets All resources (`applications: { include: [All] }`), so resources no policy names are unprotected; add an All-resources baseline",
    )
}
