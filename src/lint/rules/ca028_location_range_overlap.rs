//! CA028 `location-range-overlap` (named location specs).

use crate::diag::Severity;
use crate::lint::{Check, Hit, Needs, Rule};
use crate::objects::{Objects, Used};
use crate::whatif::network::Cidr;

pub static RULE: Rule = Rule {
    id: "CA028",
    name: "location-range-overlap",
    severity: Severity::Warning,
    summary: "A named location lists the same IP range twice, or ranges that overlap.",
    fix: "remove the duplicate, or keep only the wider range",
    docs: r#"## What it checks
Within one named location spec, two entries of `ipRanges` that are the same network or
overlap (one contains the other): `203.0.113.0/24` and `203.0.113.128/25`.

## Why it matters
A location holds at most 2000 ranges; a duplicate or a range inside another adds nothing but
review noise, and often means one of them was meant to be a different network (a typo in an
octet or a prefix).

## Example
```yaml
displayName: HQ
ipRanges: [203.0.113.0/24, 203.0.113.128/25]
```

## Fix
```yaml
displayName: HQ
ipRanges: [203.0.113.0/24]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#ipv4-and-ipv6-address-ranges
"#,
    needs: Needs::Nothing,
    check: Check::Objects(check),
};

fn check(objects: &Objects, _: &Used) -> Vec<(usize, Hit)> {
    let mut hits = Vec::new();
    for l in &objects.locations {
        let ranges = l.spec.ranges();
        // Ranges of /8 or shorter are refused outright (CA910): one message
        // per root cause.
        let parsed: Vec<Option<Cidr>> = ranges
            .iter()
            .map(|r| Cidr::parse(r).ok().filter(|c| c.prefix() > 8))
            .collect();
        for (j, b) in parsed.iter().enumerate() {
            let Some(b) = b else { continue };
            // Reported once, at the later entry, against the first it meets.
            let earlier = parsed[..j]
                .iter()
                .position(|a| a.is_some_and(|a| a.overlaps(b)));
            if let Some(i) = earlier {
                let what = if parsed[i] == Some(*b) {
                    "is the same network as"
                } else {
                    "overlaps"
                };
                hits.push((
                    l.report,
                    Hit::at(
                        format!("/ipRanges/{j}"),
                        format!("`{}` {what} `{}` (ipRanges/{i})", ranges[j], ranges[i]),
                    ),
                ));
            }
        }
    }
    hits
}
