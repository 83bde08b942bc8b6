//! CA022 `applications-required`.

use crate::diag::Hit;
use crate::model::Policy;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA022",
    name: "applications-required",
    summary: "The policy names no target resource at all: no `applications.include`, user action, authentication context or filter.",
    fix: "add `applications.include` (apps, `All`, `Office365`, or `None`), a user action or an authentication context",
    docs: r#"## What it checks
A policy whose `applications` block is missing, or lists no included resource (not even
`None`), no user action, no authentication context and no application filter.

## Why it matters
`conditions.applications` is required by Graph, and the body caac would send carries an empty
`includeApplications`, which Graph rejects. (An include of exactly `None` is accepted by Graph;
CA002 reports it as a policy that targets nothing.)

## Example
```yaml
users:
  include: { users: [All] }
grant: { builtInControls: [mfa] }
```

## Fix
```yaml
users:
  include: { users: [All] }
applications:
  include: [All]
grant: { builtInControls: [mfa] }
```

## References
- https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset ("applications … Required")
- https://learn.microsoft.com/graph/api/resources/conditionalaccessapplications
"#,
    check: Some(check),
};

/// True when the policy names no resource at all (shared with CA002, which
/// stays silent then so one root cause gives one message).
pub fn names_no_resource(p: &Policy) -> bool {
    // A target caac does not model (Global Secure Access traffic profiles,
    // `conditions.applications.globalSecureAccess`) travels in pass-through.
    let passthrough_target = p
        .passthrough
        .as_ref()
        .and_then(|m| m.get("conditions"))
        .and_then(|c| c.get("applications"))
        .and_then(|a| a.as_object())
        .is_some_and(|a| a.values().any(|v| !v.is_null()));
    !passthrough_target
        && p.applications.as_ref().is_none_or(|a| {
            a.include.is_empty()
                && a.user_actions.is_empty()
                && a.authentication_contexts.is_empty()
                && a.filter.is_none()
        })
}

fn check(p: &Policy) -> Vec<Hit> {
    if !names_no_resource(p) {
        return Vec::new();
    }
    vec![if p.applications.is_some() {
        Hit::at_key(
            "/applications",
            "`applications` names no resource, user action or authentication context",
        )
    } else {
        Hit::at_key(
            "/displayName",
            "the policy has no `applications:` (target resources); Graph requires them",
        )
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: serde_json::Value) -> Vec<Hit> {
        check(&crate::test_support::from_json(v))
    }

    #[test]
    fn graph_requires_applications() {
        assert_eq!(run(json!({"displayName": "x"}))[0].pointer, "/displayName");
        assert_eq!(
            run(json!({"displayName": "x", "applications": {"exclude": ["a"]}}))[0].pointer,
            "/applications"
        );
        assert!(run(json!({"displayName": "x", "applications": {"include": ["None"]}})).is_empty());
        assert!(run(json!({"displayName": "x", "applications": {"userActions": ["urn:user:registersecurityinfo"]}})).is_empty());
        // Global Secure Access traffic profiles are a target caac passes through.
        assert!(
            run(
                json!({"displayName": "x", "passthrough": {"conditions": {"applications":
            {"globalSecureAccess": {"includeTrafficProfiles": "m365"}}}}})
            )
            .is_empty()
        );
    }
}
