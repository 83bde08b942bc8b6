//! CA802 `duplicate-display-name` (set rule).

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule, SetHit};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    id: "CA802",
    name: "duplicate-display-name",
    severity: Severity::Error,
    summary: "Two policies share a display name (after trimming and case-folding).",
    fix: "rename one of the policies",
    docs: r#"## What it checks
Two policies in the set whose `displayName`s are equal after trimming and case-folding.

## Why it matters
Graph allows duplicates, but caac's plan/apply, humans and support conversations ("open
CA01") match policies by name and cannot tell them apart.

## Example
Two files both containing
```yaml
displayName: CA001-Block-Legacy-Auth
```

## Fix
Give each policy a unique name, e.g. with a sequence number.

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    needs: Needs::Nothing,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut hits = Vec::new();
    for (i, ctx) in set.iter().enumerate() {
        let key = ctx.policy.display_name.trim().to_lowercase();
        match first.get(&key) {
            Some(&j) => hits.push((
                Some(i),
                Hit::at(
                    "/displayName",
                    format!(
                        "display name `{}` is already used in {}",
                        ctx.policy.display_name, set[j].source
                    ),
                ),
            )),
            None => {
                first.insert(key, i);
            }
        }
    }
    hits
}
