//! CA201 `enabled-without-report-only`.

use crate::diag::Severity;
use crate::lint::config::Profile;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::{Rollout, Stage, State};
use crate::rollout::Day;

/// With `rollout:`, the evidence is data: `reportOnlySince`, and the pilot
/// (or, without one, today) at least `minDwellDays` later.
fn staged(r: &Rollout) -> Option<Hit> {
    if r.stage == Stage::ReportOnly {
        return None;
    }
    let Some(since) = r.report_only_since.as_deref().and_then(Day::parse) else {
        return Some(Hit::at(
            "/rollout/stage",
            format!(
                "`stage: {}` without a recorded report-only period; record `rollout.reportOnlySince` (and let `caac promote` move the stage)",
                r.stage.as_str()
            ),
        ));
    };
    let dwell = r.dwell();
    let earliest = since.plus(dwell);
    let (start, pointer) = match r.pilot_since.as_deref().and_then(Day::parse) {
        Some(p) => (p, "/rollout/pilotSince"),
        None => (Day::today(), "/rollout/stage"),
    };
    (start < earliest).then(|| {
        Hit::at(
            pointer,
            format!(
                "enforcement began before the report-only dwell ended (report-only since {since}, {dwell} days minimum, earliest {earliest})"
            ),
        )
    })
}

pub static RULE: Rule = Rule {
    id: "CA201",
    name: "enabled-without-report-only",
    severity: Severity::Warning,
    summary: "A policy is enforced (`state: enabled`) with no evidence of a report-only period.",
    fix: "ship it report-only first; once the report-only period is reviewed, suppress with `# caac-ignore: CA201 <reason>`",
    docs: r#"## What it checks
A policy with `state: enabled`. It is a warning, an error under `profile: strict`.

caac keeps no deploy history yet, so the only evidence of a report-only period it accepts
is a reviewed suppression on the `state` line (or the line above it) that says what was
checked:
```yaml
state: enabled   # caac-ignore: CA201 report-only 2026-05-01..05-15, sign-in logs reviewed, no unexpected failures
```
The catalogue's full check needs history: the same policy (by `id`, else display name)
in report-only for at least 7 days (14 or more for Token Protection) with unchanged
conditions and controls. `caac plan` will later use the deploy history (and the audit
log's state transitions) for that, and this rule will then accept that evidence too.

With a `rollout:` block the evidence is data instead (a caac addition): a policy at
`stage: pilot` or `enforced` must record `reportOnlySince`, and its pilot (`pilotSince`, or
today when there is none) must begin at least `minDwellDays` (default 14) after it. Such a
finding points into `rollout:`; "today" is `CAAC_TODAY` when set, else the system date.

## Why it matters
Every Microsoft how-to ends with "set the policy to report-only, review the impact, then
switch it on"; the templates are created report-only, and CISA, CIS and the Zero Trust
guidance say the same. An untested policy can lock out users, service accounts or the
whole tenant; the report-only sign-in logs show who would have been blocked before
anyone is.

## Example
```yaml
displayName: CA003-AllUsers-MFA
state: enabled
```

## Fix
```yaml
displayName: CA003-AllUsers-MFA
# state omitted -> report-only; review the sign-in logs, then:
# state: enabled   # caac-ignore: CA201 report-only 14 days, workbook reviewed
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://learn.microsoft.com/azure/architecture/guide/security/conditional-access-framework
- https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection
- https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/aad.md
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let hit = if let Some(r) = &ctx.policy.rollout {
        match staged(r) {
            Some(hit) => hit,
            None => return Vec::new(),
        }
    } else if ctx.policy.state == State::Enabled {
        Hit::at(
            "/state",
            "the policy is enforced with no evidence of a report-only period; run it report-only first, then suppress with `# caac-ignore: CA201 <reason>` once the report-only review is done",
        )
    } else {
        return Vec::new();
    };
    vec![if ctx.config.profile == Profile::Strict {
        hit.severity(Severity::Error)
    } else {
        hit
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::test_support::run_json;
    use serde_json::json;

    #[test]
    fn strict_profile_makes_it_an_error() {
        let p = || json!({"displayName": "x", "state": "enabled"});
        let h = run_json(check, p(), &Config::default());
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].severity, None);
        let strict = Config {
            profile: Profile::Strict,
            ..Config::default()
        };
        let h = run_json(check, p(), &strict);
        assert_eq!(h[0].severity, Some(Severity::Error));
        let ro = json!({"displayName": "x"});
        assert!(run_json(check, ro, &Config::default()).is_empty());
    }

    #[test]
    fn staged_policies_need_a_recorded_dwell() {
        let c = Config::default();
        let p = |r: serde_json::Value| json!({"displayName": "x", "rollout": r});
        let no_ro = p(json!({"stage": "enforced"}));
        assert_eq!(run_json(check, no_ro, &c)[0].pointer, "/rollout/stage");
        let short = p(
            json!({"stage": "pilot", "reportOnlySince": "2026-01-01", "pilotSince": "2026-01-10", "pilotGroup": "g"}),
        );
        assert_eq!(run_json(check, short, &c)[0].pointer, "/rollout/pilotSince");
        let ok = p(
            json!({"stage": "enforced", "reportOnlySince": "2026-01-01", "pilotSince": "2026-01-15", "pilotGroup": "g"}),
        );
        assert!(run_json(check, ok, &c).is_empty());
        let ro = p(json!({"stage": "reportOnly"}));
        assert!(run_json(check, ro, &c).is_empty());
    }
}
