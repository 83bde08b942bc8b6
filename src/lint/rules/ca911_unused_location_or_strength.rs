//! CA911 `unused-location-or-strength` (named location and authentication
//! strength specs).

use crate::diag::Severity;
use crate::lint::{Check, Hit, Needs, Rule};
use crate::objects::{Objects, Used};

pub static RULE: Rule = Rule {
    id: "CA911",
    name: "unused-location-or-strength",
    severity: Severity::Info,
    summary: "A named location or authentication strength spec is referenced by no policy.",
    fix: "reference it from a policy, or delete the spec",
    docs: r#"## What it checks
Every spec in `locations/` and `strengths/` whose object no policy of the set references
(`locations.include` / `locations.exclude`, `grant.authenticationStrength`), by name or id.
Skipped with `--partial`, where the linted files are not the whole set.

## Why it matters
An unused object is still evaluated for risk (a trusted location lowers sign-in risk in ID
Protection) and still has to be reviewed; one left behind after a policy change is often a
location someone meant to use.

## Example
```yaml
# locations/old-office.yaml, referenced by no policy
displayName: Old office
isTrusted: true
ipRanges: [198.51.100.0/24]
```

## Fix
Delete `locations/old-office.yaml`, or use it in a policy's `locations:`.

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#trusted-locations
- https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-usage
"#,
    needs: Needs::CompleteSet,
    check: Check::Objects(check),
};

fn check(objects: &Objects, used: &Used) -> Vec<(usize, Hit)> {
    let mut hits = Vec::new();
    for l in &objects.locations {
        if !used.locations.contains(&l.id) {
            hits.push((
                l.report,
                Hit::at_key(
                    "/displayName",
                    format!(
                        "named location `{}` is used by no policy",
                        l.spec.display_name
                    ),
                ),
            ));
        }
    }
    for s in &objects.strengths {
        if !used.strengths.contains(&s.id) {
            hits.push((
                s.report,
                Hit::at_key(
                    "/displayName",
                    format!(
                        "authentication strength `{}` is used by no policy",
                        s.spec.display_name
                    ),
                ),
            ));
        }
    }
    hits
}
