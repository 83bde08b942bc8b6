//! CA718 `policy-count-limit` (set rule).

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule, SetHit};

pub static RULE: Rule = Rule {
    id: "CA718",
    name: "policy-count-limit",
    severity: Severity::Error,
    summary: "The set has more policies than the tenant's Conditional Access limit, or is close to it.",
    fix: "consolidate policies: target groups instead of copies per group, and use application filters",
    docs: r#"## What it checks
The number of policies in the set, in **any** state (disabled and report-only included):
an error above `thresholds.policyLimit` (default 195), a warning above
`thresholds.policyWarning` (default 180). Both are set in `.caac.yaml`:
```yaml
thresholds: { policyLimit: 195, policyWarning: 180 }
```
The set is what caac was given: policies that exist only in the tenant are not counted.

## Why it matters
Entra allows 195 Conditional Access policies per tenant, counting every state. Past the
limit new policies cannot be created — including the one needed in an emergency. Large
sets are also hard to review and usually hide duplicated policies that differ only in
the group they target.

## Example
196 policy files, many of them the same policy for a different group:
```yaml
displayName: CA120-Sales-MFA
users:
  include: { groups: [Sales] }
applications:
  include: [All]
grant:
  builtInControls: [mfa]
```

## Fix
One policy for all of them:
```yaml
displayName: CA120-Business-MFA
users:
  include: { groups: [Sales, Marketing, Finance] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
grant:
  builtInControls: [mfa]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let Some(first) = set.first() else {
        return Vec::new();
    };
    let (n, limit, warning) = (
        set.len(),
        first.config.policy_limit,
        first.config.policy_warning,
    );
    let hit = if n > limit {
        Hit::at(
            "",
            format!(
                "the set has {n} policies, more than the tenant limit of {limit} (all states count); consolidate before deploying"
            ),
        )
    } else if n > warning {
        Hit::at(
            "",
            format!(
                "the set has {n} policies, close to the tenant limit of {limit} (warning above {warning}); consolidate before it is reached"
            ),
        )
        .severity(Severity::Warning)
    } else {
        return Vec::new();
    };
    vec![(None, hit)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::model::Policy;
    use crate::test_support::with_set;

    #[test]
    fn warning_above_the_warning_level_error_above_the_limit() {
        let config = Config {
            policy_limit: 3,
            policy_warning: 2,
            ..Config::default()
        };
        let set = |n: usize| vec![Policy::default(); n];
        assert!(with_set(&set(0), &config, check).is_empty());
        assert!(with_set(&set(2), &config, check).is_empty());
        let warn = with_set(&set(3), &config, check);
        assert_eq!(warn[0].1.severity, Some(Severity::Warning));
        let err = with_set(&set(4), &config, check);
        assert_eq!((err[0].0, err[0].1.severity), (None, None));
    }
}
