//! CA208 `pilot-without-group` (a caac addition beyond the research catalogue).

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::Stage;

pub static RULE: Rule = Rule {
    id: "CA208",
    name: "pilot-without-group",
    severity: Severity::Error,
    summary: "A policy is at `rollout.stage: pilot` without a `rollout.pilotGroup`.",
    fix: "name the pilot group in `rollout.pilotGroup`",
    docs: r#"## What it checks
A policy with `rollout.stage: pilot` and no `rollout.pilotGroup`. At the pilot stage caac
enforces the policy for the pilot group only (the user include is narrowed to that group,
the exclusions are kept); without a group there is nobody to pilot with, so caac keeps
the policy report-only (it never enforces beyond the pilot) and reports this error.

This rule is a caac addition: the rule catalogue caac started from has no
id for it, so it takes a free number in the rollout range.

## Why it matters
A pilot is how a policy meets real sign-ins of a small, known group before everyone;
Microsoft's deployment plan pilots with a test group before broad enforcement.

## Example
```yaml
displayName: CA010-AllUsers-MFA
rollout: { stage: pilot, reportOnlySince: 2026-10-01, pilotSince: 2026-10-15 }
```

## Fix
```yaml
displayName: CA010-AllUsers-MFA
rollout: { stage: pilot, pilotGroup: MFA Pilot, reportOnlySince: 2026-10-01, pilotSince: 2026-10-15 }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    match &ctx.policy.rollout {
        Some(r) if r.stage == Stage::Pilot && r.pilot_group.is_none() => vec![Hit::at(
            "/rollout/stage",
            "pilot stage without `rollout.pilotGroup`: the policy stays report-only until a pilot group is named",
        )],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::test_support::run_json;
    use serde_json::json;

    #[test]
    fn pilot_needs_a_group() {
        let c = Config::default();
        let bad = json!({"displayName": "x", "rollout": {"stage": "pilot"}});
        assert_eq!(run_json(check, bad, &c).len(), 1);
        let ok = json!({"displayName": "x", "rollout": {"stage": "pilot", "pilotGroup": "22222222-2222-4222-8222-222222222222"}});
        assert!(run_json(check, ok, &c).is_empty());
    }
}
