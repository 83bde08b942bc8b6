//! CA201 `enabled-without-report-only`.

use crate::config::Profile;
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::State;

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
- shared/reference/rules.md CA201
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    if ctx.policy.state != State::Enabled {
        return Vec::new();
    }
    let hit = Hit::at(
        "/state",
        "the policy is enforced with no evidence of a report-only period; run it report-only first, then suppress with `# caac-ignore: CA201 <reason>` once the report-only review is done",
    );
    vec![if ctx.config.profile == Profile::Strict {
        hit.severity(Severity::Error)
    } else {
        hit
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::lint::rules::ca003_include_exclude_overlap::run_json;
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
}
