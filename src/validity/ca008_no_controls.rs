//! CA008 `no-controls`.

use crate::diag::Hit;
use crate::model::{Grant, Policy, Session};
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA008",
    name: "no-controls",
    summary: "The policy neither blocks, grants with controls, nor restricts the session.",
    fix: "add a grant control (e.g. `builtInControls: [mfa]`) or a session control, or delete the policy",
    docs: r#"## What it checks
`grant` is absent or has no built-in control, authentication strength, terms of use or
custom factor, and `session` is absent or sets nothing.

## Why it matters
A Conditional Access policy must block, grant with controls, or restrict the session;
otherwise it changes nothing, and Graph rejects a body without effective controls.

## Example
```yaml
displayName: Require something
users: { include: { users: [All] } }
applications: { include: [All] }
```

## Fix
```yaml
grant: { builtInControls: [mfa] }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    check: Some(check),
};

fn check(p: &Policy) -> Vec<Hit> {
    let grants = p.grant.as_ref().is_some_and(Grant::has_control);
    let sessions = p.session.as_ref().is_some_and(Session::has_control);
    // Controls set through pass-through are caac-unchecked but real.
    let passthrough = p
        .passthrough
        .as_ref()
        .is_some_and(|m| m.contains_key("grantControls") || m.contains_key("sessionControls"));
    if grants || sessions || passthrough {
        return Vec::new();
    }
    let hit = if p.grant.is_some() {
        Hit::at_key("/grant", "`grant` sets no control")
    } else if p.session.is_some() {
        Hit::at_key(
            "/session",
            "`session` sets no control and there is no `grant`",
        )
    } else {
        Hit::at_key(
            "/displayName",
            "the policy has no `grant:` and no `session:` controls",
        )
    };
    vec![hit]
}
