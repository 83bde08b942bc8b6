//! CA207 `report-only-stale` (a caac addition beyond the research catalogue).

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::Stage;
use crate::rollout::Day;

pub static RULE: Rule = Rule {
    id: "CA207",
    name: "report-only-stale",
    severity: Severity::Warning,
    summary: "A staged policy (`rollout.stage: reportOnly`) has been report-only for longer than the configured limit.",
    fix: "review the report-only results and `caac promote` the policy, or remove it",
    docs: r#"## What it checks
A policy with a `rollout:` block at `stage: reportOnly` whose `reportOnlySince` is more than
`thresholds.reportOnlyMaxDays` days ago (default 60, set in `.caac.yaml`). Policies without
`rollout:` are not checked. "Today" is `CAAC_TODAY` when set, else the system date (UTC),
so this rule's output can change from one day to the next.

This rule is a caac addition: the rule catalogue caac started from has no
id for it, so it takes a free number in the rollout range.

## Why it matters
Report-only is a step, not a destination: a policy left report-only protects nobody, while
the policy set *looks* complete. Microsoft's deployment plan is report-only, review the
impact, then enforce.

## Example
```yaml
displayName: CA010-AllUsers-MFA
rollout: { stage: reportOnly, reportOnlySince: 2025-01-06, pilotGroup: Pilot }
```

## Fix
Review the sign-in logs, then move it on:
```sh
caac promote CA010-AllUsers-MFA
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(r) = &ctx.policy.rollout else {
        return Vec::new();
    };
    let Some(since) = r.report_only_since.as_deref().and_then(Day::parse) else {
        return Vec::new();
    };
    let limit = ctx.config.report_only_max_days;
    if r.stage != Stage::ReportOnly || Day::today() <= since.plus(limit) {
        return Vec::new();
    }
    vec![Hit::at(
        "/rollout/reportOnlySince",
        format!(
            "report-only since {since}, longer than the {limit}-day limit (thresholds.reportOnlyMaxDays); review the results and `caac promote` the policy"
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::test_support::run_json;
    use serde_json::json;

    #[test]
    fn only_staged_report_only_policies_past_the_limit() {
        let p = |stage: &str, since: &str| json!({"displayName": "x", "rollout": {"stage": stage, "reportOnlySince": since}});
        let c = Config::default();
        assert_eq!(run_json(check, p("reportOnly", "2020-01-01"), &c).len(), 1);
        assert!(run_json(check, p("enforced", "2020-01-01"), &c).is_empty());
        assert!(run_json(check, p("reportOnly", "2999-01-01"), &c).is_empty());
        assert!(run_json(check, json!({"displayName": "x"}), &c).is_empty());
    }
}
