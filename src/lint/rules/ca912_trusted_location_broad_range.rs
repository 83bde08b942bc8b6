//! CA912 `trusted-location-broad-range` (named location specs).

use crate::diag::Severity;
use crate::lint::{Check, Hit, Needs, Rule};
use crate::objects::{Objects, Used};
use crate::whatif::network::Cidr;

/// IPv4 prefixes shorter than this (more than 65,536 addresses) are broad.
/// /8 and shorter are refused outright (CA910).
pub const IPV4_BROAD_BELOW: u8 = 16;
/// IPv6 prefixes this long or shorter (a whole provider allocation) are broad.
pub const IPV6_BROAD_AT_MOST: u8 = 32;

pub static RULE: Rule = Rule {
    id: "CA912",
    name: "trusted-location-broad-range",
    severity: Severity::Warning,
    summary: "A trusted named location has a very broad IP range (IPv4 shorter than /16, IPv6 /32 or shorter).",
    fix: "trust only your own egress addresses (usually a few /32s or a /24 to /29), or do not mark the location trusted",
    docs: r#"## What it checks
A named location spec with `isTrusted: true` whose `ipRanges` hold an IPv4 range with a prefix
shorter than /16 (more than 65,536 addresses) or an IPv6 range of /32 or shorter (a whole
provider allocation). A /8 or shorter is refused by Entra outright (CA910).

## Why it matters
A trusted location counts for "All trusted networks and locations": policies that exclude
`AllTrusted` (MFA outside the office, registration only from trusted networks) stop applying
to every address in the range, and ID Protection lowers the sign-in risk there. A range that
broad covers other organisations' networks, cloud providers and home connections.

## Example
```yaml
displayName: Corporate
isTrusted: true
ipRanges: [198.18.0.0/15]
```

## Fix
```yaml
displayName: Corporate egress
isTrusted: true
ipRanges: [198.51.100.16/29]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#trusted-locations
"#,
    needs: Needs::Nothing,
    check: Check::Objects(check),
};

fn check(objects: &Objects, _: &Used) -> Vec<(usize, Hit)> {
    let mut hits = Vec::new();
    for l in objects.locations.iter().filter(|l| l.spec.trusted()) {
        for (i, range) in l.spec.ranges().iter().enumerate() {
            let Ok(c) = Cidr::parse(range) else { continue };
            let p = c.prefix();
            // /8 and shorter: CA910's (one message per root cause).
            let broad = if c.is_v4() {
                p > 8 && p < IPV4_BROAD_BELOW
            } else {
                p > 8 && p <= IPV6_BROAD_AT_MOST
            };
            if broad {
                let size = if c.is_v4() {
                    format!("{} addresses", 1u64 << (32 - u32::from(p)))
                } else {
                    format!("a /{p}, a whole provider allocation or more")
                };
                hits.push((
                    l.report,
                    Hit::at(
                        format!("/ipRanges/{i}"),
                        format!(
                            "trusted location `{}` trusts `{range}` ({size}); every sign-in from it counts as trusted",
                            l.spec.display_name
                        ),
                    ),
                ));
            }
        }
    }
    hits
}
