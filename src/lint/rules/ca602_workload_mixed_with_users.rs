//! CA602 `workload-mixed-with-users`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA602",
    name: "workload-mixed-with-users",
    severity: Severity::Warning,
    summary: "A policy targets both workload identities and users.",
    fix: "split it into a user policy and a workload identity policy (with `users.include.users: [None]` or no users)",
    docs: r#"## What it checks
A policy with `clientApplications` populated (included service principals, a service
principal filter or agent identities) whose `users.include` names anything other than
`None`: users, groups, roles or guest/external user types. Each such entry is reported.

## Why it matters
A Conditional Access policy targets either users or workload identities: Graph requires
one or the other, and Microsoft's agent templates set `includeUsers: [None]` beside
`clientApplications`. Mixing them makes the policy's meaning unclear, and controls that
fit users (MFA, devices) cannot apply to service principals (CA601).

## Example
```yaml
displayName: CA070-Workload-PayrollSync
users:
  include: { groups: [Pilot] }
clientApplications:
  include: [Payroll Sync]
applications:
  include: [All]
locations:
  include: [All]
  exclude: [HQ]
grant:
  builtInControls: [block]
```

## Fix
```yaml
displayName: CA070-Workload-PayrollSync
clientApplications:
  include: [Payroll Sync]
applications:
  include: [All]
locations:
  include: [All]
  exclude: [HQ]
grant:
  builtInControls: [block]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/workload-identity
- https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    let workloads = p.client_applications.as_ref().is_some_and(|c| {
        !c.include.is_empty()
            || c.filter.is_some()
            || c.agent_ids
                .as_ref()
                .is_some_and(|a| !a.include.is_empty() || a.filter.is_some())
    });
    let Some(include) = p.user_include().filter(|_| workloads) else {
        return Vec::new();
    };
    let message = "this policy targets workload identities and users; split the users into a \
                   separate policy";
    let mut hits = Vec::new();
    for (key, list) in [
        ("users", &include.users),
        ("groups", &include.groups),
        ("roles", &include.roles),
    ] {
        for (i, v) in list.iter().enumerate() {
            if key != "users" || v != "None" {
                hits.push(Hit::at(format!("/users/include/{key}/{i}"), message));
            }
        }
    }
    if include.guests_or_external_users.is_some() {
        hits.push(Hit::at_key("/users/include/guestsOrExternalUsers", message));
    }
    hits
}
