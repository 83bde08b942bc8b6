//! CA205 `disabled-policy`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::State;

pub static RULE: Rule = Rule {
    id: "CA205",
    name: "disabled-policy",
    severity: Severity::Info,
    summary: "A disabled policy that is not named as an emergency contingency policy.",
    fix: "delete the policy, or rename it as a contingency policy (`EMnn - ENABLE IN EMERGENCY: …`)",
    docs: r#"## What it checks
A policy with `state: disabled` whose `displayName` does not mark it as a contingency
policy: the name neither starts with `EM` and two digits (`EM01`) nor contains
`ENABLE IN EMERGENCY` (any case) — the naming Microsoft recommends for emergency
access controls (see CA206).

## Why it matters
A disabled policy protects nothing, yet it still counts towards the tenant's
Conditional Access policy limit and clutters reviews. Keep disabled policies only as
named contingency plans to switch on during an outage; delete the rest (git keeps the
history).

## Example
```yaml
displayName: CA009-Old-Block-Countries
state: disabled
```

## Fix
```yaml
displayName: EM01 - ENABLE IN EMERGENCY: MFA Disruption [1/4] - Require compliant device
state: disabled
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

/// The display name marks a contingency policy (`EMnn …` or `ENABLE IN EMERGENCY`).
pub(crate) fn is_contingency_name(name: &str) -> bool {
    let n = name.trim().to_uppercase();
    let em = n.strip_prefix("EM").is_some_and(|rest| {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits == 2
    });
    em || n.contains("ENABLE IN EMERGENCY")
}

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if p.state != State::Disabled || is_contingency_name(&p.display_name) {
        return Vec::new();
    }
    vec![Hit::at(
        "/state",
        "the policy is disabled and not named as an emergency contingency policy; delete it, or rename it `EMnn - ENABLE IN EMERGENCY: …` if it is kept for outages",
    )]
}

#[cfg(test)]
mod tests {
    use super::is_contingency_name;

    #[test]
    fn contingency_names() {
        assert!(is_contingency_name(
            "EM01 - ENABLE IN EMERGENCY: MFA Disruption [1/4] - x"
        ));
        assert!(is_contingency_name("em02 - block"));
        assert!(is_contingency_name("CA900 - enable in emergency"));
        assert!(!is_contingency_name("EMERGENCY-Block"));
        assert!(!is_contingency_name("EM1-x"));
        assert!(!is_contingency_name("CA009-Old"));
    }
}
