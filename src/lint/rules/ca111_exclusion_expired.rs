//! CA111 `exclusion-expired` (a caac addition beyond the research catalogue).

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::rollout::Day;

pub static RULE: Rule = Rule {
    id: "CA111",
    name: "exclusion-expired",
    severity: Severity::Error,
    summary: "An exclusion's record in `exclusions:` has an `expires` date in the past.",
    fix: "remove the principal from `users.exclude` (and its record), or renew `expires` after review",
    docs: r#"## What it checks
Every entry of a policy's `exclusions:` block (the governance record of one principal in
`users.exclude`: `principal`, `owner`, `reason`, `expires`) whose `expires` day (UTC) is
before today. "Today" is always the system date (UTC), never `CAAC_TODAY`: an override
that moved today backwards could otherwise hide an expired exclusion from `caac apply`. So
this rule's output can change from one day to the next. The finding points at the `expires` value.

This rule is a caac addition: the rule catalogue caac started from has no
id for it, so it takes a free number in the lockout/exclusion range.

## Why it matters
Exclusions are the usual way a Conditional Access policy stops protecting someone, and
they are meant to be temporary. Microsoft recommends reviewing exclusions regularly (access
reviews for excluded users and groups); an expiry date written next to the exclusion makes
the review due date explicit and fails CI when it passes.

## Example
```yaml
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access, Contractors] }
exclusions:
  - principal: Contractors
    owner: it-security@contoso.com
    reason: legacy VPN migration
    expires: 2026-01-31
```

## Fix
Remove `Contractors` from `users.exclude` and its record, or, after a review, renew it:
```yaml
    expires: 2026-06-30
```

## References
- https://learn.microsoft.com/entra/id-governance/conditional-access-exclusion
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    // The system clock, not `Day::today()`: `CAAC_TODAY` may move today
    // backwards for reports, but must not hide an expired exclusion.
    let today = Day::system();
    ctx.policy
        .exclusions
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let day = Day::parse(n.expires.as_deref()?)?;
            (day < today).then(|| {
                Hit::at(
                    format!("/exclusions/{i}/expires"),
                    format!(
                        "the exclusion expired on {day}; remove it from `users.exclude` or renew it after review"
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::test_support::run_json;
    use serde_json::json;

    #[test]
    fn past_expiry_only() {
        let p = |d: &str| json!({"displayName": "x", "exclusions": [{"principal": "g", "expires": d}, {"principal": "h"}]});
        let c = Config::default();
        assert_eq!(run_json(check, p("2020-01-01"), &c).len(), 1);
        assert!(run_json(check, p("2999-01-01"), &c).is_empty());
    }
}
