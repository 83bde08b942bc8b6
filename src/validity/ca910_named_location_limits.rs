//! CA910 `named-location-limits` (named location specs).

use crate::diag::Hit;
use crate::objects::NamedLocation;
use crate::validity::Constraint;
use crate::whatif::network::Cidr;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA910",
    name: "named-location-limits",
    summary: "An IP named location exceeds Entra's limits: a range of /8 or shorter, more than 2000 ranges, or more than 195 IP locations.",
    fix: "split the range into longer prefixes (/9 or longer), or consolidate ranges and locations",
    docs: r#"## What it checks
For IP named location specs: every range's prefix must be longer than /8; one location holds at
most 2000 ranges; a tenant has at most 195 IP named locations (counted over the specs in
`locations/`).

## Why it matters
Entra limits IP named locations: "Configure up to 195 named locations", "Configure up to 2000
IP ranges per named location", and "Only CIDR masks greater than /8 are allowed when
defining an IP range". Graph rejects a location past these limits, so the deployment fails
half-way.

## Example
```yaml
displayName: Everything
isTrusted: true
ipRanges: [0.0.0.0/0]
```

## Fix
```yaml
displayName: HQ
isTrusted: true
ipRanges: [203.0.113.0/24]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#ipv4-and-ipv6-address-ranges
"#,
    check: None,
};

/// Most IP ranges in one named location.
pub const MAX_RANGES: usize = 2000;
/// Most IP named locations in one tenant.
pub const MAX_IP_LOCATIONS: usize = 195;

/// The hits of one location.
pub fn check(loc: &NamedLocation) -> Vec<Hit> {
    let mut hits = Vec::new();
    if loc.ranges().len() > MAX_RANGES {
        hits.push(Hit::at(
            "/ipRanges",
            format!(
                "{} ranges; a named location holds at most {MAX_RANGES}",
                loc.ranges().len()
            ),
        ));
    }
    for (i, range) in loc.ranges().iter().enumerate() {
        if let Ok(c) = Cidr::parse(range)
            && range.contains('/')
            && c.prefix() <= 8
        {
            hits.push(Hit::at(
                format!("/ipRanges/{i}"),
                format!(
                    "`{range}` has a /{} prefix; Entra allows only prefixes longer than /8",
                    c.prefix()
                ),
            ));
        }
    }
    hits
}
