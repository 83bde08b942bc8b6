//! CA006 `block-with-session-controls`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA006",
    name: "block-with-session-controls",
    severity: Severity::Warning,
    summary: "A policy that blocks access also sets session controls, which never take effect.",
    fix: "drop the session controls, or move them to a policy that grants access",
    docs: r#"## What it checks
`grant.builtInControls` contains `block` and any member of `session` is set:
`tokenProtection`, `signInFrequency`, `persistentBrowser`, `applicationEnforcedRestrictions`,
`cloudAppSecurity`, `continuousAccessEvaluation`, `disableResilienceDefaults` or
`globalSecureAccessFilteringProfile`. Each set member is reported at its key.

## Why it matters
A blocked sign-in never reaches a session, so the session setting is dead configuration.
It also hints at a mix-up: the author may have meant a grant policy with those session
controls, not a block.

## Example
```yaml
grant: { builtInControls: [block] }
session:
  signInFrequency: { value: 1, type: hours }
```

## Fix
```yaml
grant: { builtInControls: [block] }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if !p.blocks() {
        return Vec::new();
    }
    p.session_controls()
        .into_iter()
        .map(|k| {
            Hit::at_key(
                format!("/session/{k}"),
                format!("`{k}` never takes effect because the policy blocks access; remove it or move it to a grant policy"),
            )
        })
        .collect()
}
