//! CA307 `cae-disable-constraints`.

use crate::diag::Hit;
use crate::model::ContinuousAccessEvaluationMode;
use crate::model::Policy;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA307",
    name: "cae-disable-constraints",
    summary: "Continuous access evaluation is disabled on a policy that is not All resources without conditions.",
    fix: "target exactly `applications.include: [All]` with no exclusions and no conditions besides users, or drop `continuousAccessEvaluation: disabled`",
    docs: r#"## What it checks
`session.continuousAccessEvaluation: disabled` on a policy that does not target exactly
`[All]` resources, excludes resources (or filters them), or sets any condition other than
users: `clientApplications`, `clientAppTypes` (other than `[all]`), `platforms`,
`locations`, `devices`, any risk level list or `authenticationFlows`. Each offending
condition is reported at its key.

## Why it matters
The "Customize continuous access evaluation" session control documents that disabling CAE
only works when *All resources* are selected and no conditions are set. Anything narrower
is either rejected or silently leaves CAE on, so the policy does not do what it says.

## Example
```yaml
displayName: CA050-Pilot-DisableCAE
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online]
platforms: { include: [windows] }
session:
  continuousAccessEvaluation: disabled
```

## Fix
```yaml
displayName: CA050-Pilot-DisableCAE
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
session:
  continuousAccessEvaluation: disabled
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-session
- https://learn.microsoft.com/entra/identity/conditional-access/concept-continuous-access-evaluation-strict-enforcement
- https://learn.microsoft.com/graph/api/resources/continuousaccessevaluationsessioncontrol?view=graph-rest-beta
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let disabled = p
        .session
        .as_ref()
        .and_then(|s| s.continuous_access_evaluation)
        == Some(ContinuousAccessEvaluationMode::Disabled);
    if !disabled {
        return Vec::new();
    }
    let mut hits = Vec::new();
    let include = p.include_apps();
    if include != ["All"] {
        let message = "disabling CAE only works with `applications.include: [All]`; target All \
                       resources";
        hits.push(if !include.is_empty() {
            Hit::at_key("/applications/include", message)
        } else if p.applications.is_some() {
            Hit::at_key("/applications", message)
        } else {
            Hit::at_key("/session/continuousAccessEvaluation", message)
        });
    }
    if let Some(a) = &p.applications {
        for i in 0..a.exclude.len() {
            hits.push(Hit::at(
                format!("/applications/exclude/{i}"),
                "disabling CAE only works with All resources and no exclusions; remove this \
                 exclusion",
            ));
        }
        if a.filter.is_some() {
            hits.push(Hit::at_key(
                "/applications/filter",
                "disabling CAE only works with All resources; remove the application filter",
            ));
        }
    }
    // The one list of conditions lives in the model.
    for key in p.conditions() {
        hits.push(Hit::at_key(
            format!("/{key}"),
            format!("disabling CAE only works without conditions besides users; remove `{key}`"),
        ));
    }
    hits
}
