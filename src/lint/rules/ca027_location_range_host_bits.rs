//! CA027 `location-range-host-bits` (named location specs).

use crate::diag::Severity;
use crate::lint::{Check, Hit, Needs, Rule};
use crate::objects::{Objects, Used};
use crate::whatif::network::{Cidr, host_bits_set};

pub static RULE: Rule = Rule {
    id: "CA027",
    name: "location-range-host-bits",
    severity: Severity::Warning,
    summary: "An IP range of a named location has bits set after its prefix (`203.0.113.5/24`).",
    fix: "write the network address (`203.0.113.0/24`), or the single address as `/32` (`/128` for IPv6)",
    docs: r#"## What it checks
Every range in a named location spec's `ipRanges` whose address has bits set after the prefix
length, such as `203.0.113.5/24` or `2001:db8::1/64`.

## Why it matters
A CIDR range means the whole network its prefix selects: `203.0.113.5/24` is
`203.0.113.0/24`, 256 addresses. Writing a host address with a network prefix usually means
the writer meant one address (`/32`) and trusts or blocks far more than intended.

## Example
```yaml
displayName: HQ
isTrusted: true
ipRanges: [203.0.113.5/24]
```

## Fix
```yaml
displayName: HQ
isTrusted: true
ipRanges: [203.0.113.5/32]   # or 203.0.113.0/24 for the whole network
```

## References
- https://learn.microsoft.com/graph/api/resources/ipnamedlocation
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#ipv4-and-ipv6-address-ranges
"#,
    needs: Needs::Nothing,
    check: Check::Objects(check),
};

fn check(objects: &Objects, _: &Used) -> Vec<(usize, Hit)> {
    let mut hits = Vec::new();
    for l in &objects.locations {
        for (i, range) in l.spec.ranges().iter().enumerate() {
            if !host_bits_set(range) {
                continue;
            }
            let network = match Cidr::parse(range) {
                Ok(Cidr::V4 { net, prefix }) => {
                    format!("{}/{prefix}", std::net::Ipv4Addr::from(net))
                }
                Ok(Cidr::V6 { net, prefix }) => {
                    format!("{}/{prefix}", std::net::Ipv6Addr::from(net))
                }
                Err(_) => continue,
            };
            hits.push((
                l.report,
                Hit::at(
                    format!("/ipRanges/{i}"),
                    format!("`{range}` has host bits set: it means the whole network {network}"),
                ),
            ));
        }
    }
    hits
}
