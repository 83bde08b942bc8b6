//! CA023 `invalid-ip-range` (named location specs).

use crate::diag::Hit;
use crate::objects::NamedLocation;
use crate::validity::Constraint;
use crate::whatif::network::Cidr;
use std::net::IpAddr;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA023",
    name: "invalid-ip-range",
    summary: "An IP named location's range is not an IPv4/IPv6 CIDR range Entra accepts.",
    fix: "write the public range in CIDR notation, e.g. `203.0.113.0/24` or `2001:db8::/48`",
    docs: r#"## What it checks
Every entry of a named location spec's `ipRanges` must be an IPv4 or IPv6 address followed by
`/` and a prefix length (0–32 for IPv4, 0–128 for IPv6), and must not be a private range
(IPv4 `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`; IPv6 unique local `fc00::/7`).

## Why it matters
Graph's `ipNamedLocation.ipRanges` holds "IP address ranges in IPv4 CIDR format (for example,
1.2.3.4/32) or any allowable IPv6 format", and Entra refuses private ranges: Conditional
Access sees the public address a client signs in from, so a private range never matches.

## Example
```yaml
displayName: HQ
ipRanges: [203.0.113.0/33, 10.1.0.0/16, 198.51.100.7]
```

## Fix
```yaml
displayName: HQ
ipRanges: [203.0.113.0/24, 198.51.100.7/32]
```

## References
- https://learn.microsoft.com/graph/api/resources/ipnamedlocation
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#ipv4-and-ipv6-address-ranges
"#,
    check: None,
};

/// The private blocks Entra refuses: RFC 1918 and IPv6 unique local (RFC 4193).
const PRIVATE: [&str; 4] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

/// The hits of one location.
pub fn check(loc: &NamedLocation) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, range) in loc.ranges().iter().enumerate() {
        let at = format!("/ipRanges/{i}");
        if !range.contains('/') {
            let what = if range.trim().parse::<IpAddr>().is_ok() {
                format!(
                    "`{range}` has no prefix length; Graph takes CIDR ranges (`{}/{}`)",
                    range.trim(),
                    if range.contains(':') { 128 } else { 32 }
                )
            } else {
                format!("`{range}` is not an IPv4 or IPv6 CIDR range")
            };
            hits.push(Hit::at(at, what));
            continue;
        }
        match Cidr::parse(range) {
            Err(e) => hits.push(Hit::at(at, format!("`{range}`: {e}"))),
            // A /8 or shorter is CA910's (one message per root cause).
            Ok(c) if c.prefix() <= 8 => {}
            Ok(c) => {
                if let Some(block) = PRIVATE
                    .iter()
                    .find(|p| Cidr::parse(p).is_ok_and(|p| p.overlaps(&c)))
                {
                    hits.push(Hit::at(
                        at,
                        format!("`{range}` is a private range (within {block}); named locations take the public addresses sign-ins come from"),
                    ));
                }
            }
        }
    }
    hits
}
