//! IPv4/IPv6 CIDR ranges for IP named locations, parsed with `std::net` only.
//!
//! Named locations hold IPv4 and IPv6 ranges in CIDR notation
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#ipv4-and-ipv6-address-ranges>;
//! Graph shape `iPv4CidrRange` / `iPv6CidrRange`,
//! <https://learn.microsoft.com/graph/api/resources/ipnamedlocation>).
//! An IPv4 sign-in address written in IPv6-mapped form (`::ffff:a.b.c.d`) is
//! compared as the IPv4 address it carries.

use std::fmt;
use std::net::IpAddr;

/// A parsed CIDR range: the network bits of `addr` under `prefix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cidr {
    /// IPv4 network (host bits cleared) and prefix length (0–32).
    V4 { net: u32, prefix: u8 },
    /// IPv6 network (host bits cleared) and prefix length (0–128).
    V6 { net: u128, prefix: u8 },
}

/// Why a range did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrError(pub String);

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CidrError {}

fn mask4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

fn mask6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix))
    }
}

impl Cidr {
    /// Parses `a.b.c.d/n` or `x:y::z/n`. A bare address is a single host
    /// (`/32`, `/128`). Host bits after the prefix are ignored, as a network
    /// range means the whole network.
    pub fn parse(text: &str) -> Result<Cidr, CidrError> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| CidrError(format!("`{addr}` is not an IPv4 or IPv6 address")))?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => {
                let n: u8 = p
                    .parse()
                    .ok()
                    .filter(|n| *n <= max && p.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        CidrError(format!("`/{p}` is not a prefix length between 0 and {max}"))
                    })?;
                n
            }
        };
        Ok(match ip {
            IpAddr::V4(v4) => Cidr::V4 {
                net: u32::from(v4) & mask4(prefix),
                prefix,
            },
            IpAddr::V6(v6) => Cidr::V6 {
                net: u128::from(v6) & mask6(prefix),
                prefix,
            },
        })
    }

    /// The range contains `ip` (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (*self, ip) {
            (Cidr::V4 { net, prefix }, IpAddr::V4(a)) => u32::from(a) & mask4(prefix) == net,
            (Cidr::V6 { net, prefix }, IpAddr::V6(a)) => u128::from(a) & mask6(prefix) == net,
            _ => false,
        }
    }
}

impl Cidr {
    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        match *self {
            Cidr::V4 { prefix, .. } | Cidr::V6 { prefix, .. } => prefix,
        }
    }

    /// An IPv4 range.
    pub fn is_v4(&self) -> bool {
        matches!(self, Cidr::V4 { .. })
    }

    /// The two ranges share at least one address (same family, and the
    /// shorter prefix's network contains the other's).
    pub fn overlaps(&self, other: &Cidr) -> bool {
        match (*self, *other) {
            (Cidr::V4 { net: a, prefix: p }, Cidr::V4 { net: b, prefix: q }) => {
                let m = mask4(p.min(q));
                a & m == b & m
            }
            (Cidr::V6 { net: a, prefix: p }, Cidr::V6 { net: b, prefix: q }) => {
                let m = mask6(p.min(q));
                a & m == b & m
            }
            _ => false,
        }
    }
}

/// `text` is a well-formed range whose address has bits set after the prefix
/// (`203.0.113.5/24`): the range still means the whole network
/// (203.0.113.0/24), which is rarely what the writer meant.
pub fn host_bits_set(text: &str) -> bool {
    let Ok(c) = Cidr::parse(text) else {
        return false;
    };
    let addr = text.trim().split('/').next().unwrap_or_default();
    match (c, addr.parse::<IpAddr>()) {
        (Cidr::V4 { net, .. }, Ok(IpAddr::V4(a))) => u32::from(a) != net,
        (Cidr::V6 { net, .. }, Ok(IpAddr::V6(a))) => u128::from(a) != net,
        _ => false,
    }
}

/// Unwraps an IPv4-mapped IPv6 address to IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    // Named locations take IPv4 and IPv6 CIDR ranges:
    // https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#ipv4-and-ipv6-address-ranges
    #[test]
    fn containment_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("203.0.113.0/24", "203.0.113.7", true),
            ("203.0.113.0/24", "203.0.114.7", false),
            ("203.0.113.0/24", "::ffff:203.0.113.9", true),
            ("203.0.113.128/25", "203.0.113.127", false),
            ("203.0.113.128/25", "203.0.113.128", true),
            ("203.0.113.5/24", "203.0.113.200", true), // host bits ignored
            ("198.51.100.1", "198.51.100.1", true),
            ("198.51.100.1", "198.51.100.2", false),
            ("0.0.0.0/0", "192.0.2.1", true),
            ("0.0.0.0/0", "2001:db8::1", false),
            ("2001:db8::/48", "2001:db8:0:ffff::1", true),
            ("2001:db8::/48", "2001:db8:1::1", false),
            ("2001:db8::/32", "203.0.113.7", false),
            ("::/0", "2001:db8::1", true),
            ("2001:db8::1/128", "2001:db8::1", true),
            ("2001:DB8::/64", "2001:db8::abcd", true),
        ];
        for (range, addr, want) in cases {
            let c = Cidr::parse(range).unwrap();
            assert_eq!(c.contains(ip(addr)), *want, "{range} ∋ {addr}");
        }
    }

    #[test]
    fn overlap_and_host_bits() {
        let c = |s: &str| Cidr::parse(s).unwrap();
        assert!(c("203.0.113.0/24").overlaps(&c("203.0.113.128/25")));
        assert!(c("203.0.113.128/25").overlaps(&c("203.0.113.0/24")));
        assert!(c("203.0.113.0/24").overlaps(&c("203.0.113.0/24")));
        assert!(!c("203.0.113.0/25").overlaps(&c("203.0.113.128/25")));
        assert!(!c("203.0.113.0/24").overlaps(&c("2001:db8::/32")));
        assert!(c("2001:db8::/32").overlaps(&c("2001:db8:1::/48")));
        assert_eq!(c("2001:db8::/32").prefix(), 32);
        assert!(host_bits_set("203.0.113.5/24"));
        assert!(!host_bits_set("203.0.113.0/24"));
        assert!(host_bits_set("2001:db8::1/64"));
        assert!(!host_bits_set("2001:db8::/64"));
        assert!(!host_bits_set("not a range"));
    }

    #[test]
    fn malformed_ranges() {
        for bad in [
            "",
            "/",
            "203.0.113.0/",
            "203.0.113.0/33",
            "2001:db8::/129",
            "203.0.113/24",
            "a.b.c.d/8",
            "203.0.113.0/+8",
            "203.0.113.0/-1",
            "2001:db8::/4x",
            "1.2.3.4/24/8",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
