//! Pseudo-random sign-ins for the compiled-evaluator differential test
//! (`fastengine.rs`) and the `engine_arbitrary_requests` benchmark
//! (`benches/caac.rs` includes this file): a deterministic generator
//! (xorshift64*), the values a request draws from (the ids a policy set
//! names plus ids nobody names, addresses in and out of the named
//! locations, every enumerated condition value), the resolved policies of a
//! directory, and a tenant file for a set that has none.

use caac::check::{self, Options};
use caac::model::{
    GuestOrExternalUserType, InsiderRiskLevel, Platform, Policy, RiskLevel,
    ServicePrincipalRiskLevel, Tenant, TransferMethod, Wire,
};
use caac::whatif::{ClientApp, Device, DeviceValue, Identity, SignIn, Target};
use std::path::{Path, PathBuf};

/// xorshift64* (Vigna): deterministic, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'v, T>(&mut self, v: &'v [T]) -> Option<&'v T> {
        (!v.is_empty()).then(|| &v[self.below(v.len())])
    }
}

/// The values a request draws from.
#[derive(Default)]
pub struct Vocabulary {
    users: Vec<String>,
    /// Group ids the set names, and a few it does not.
    pub groups: Vec<String>,
    /// Role ids the set names, and a few it does not.
    pub roles: Vec<String>,
    tenants: Vec<String>,
    sps: Vec<String>,
    apps: Vec<String>,
    actions: Vec<String>,
    contexts: Vec<String>,
    ips: Vec<std::net::IpAddr>,
    countries: Vec<String>,
}

fn push(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_owned());
    }
}

impl Vocabulary {
    pub fn of(policies: &[&Policy], tenant: Option<&Tenant>) -> Vocabulary {
        let mut v = Vocabulary::default();
        for p in policies {
            if let Some(u) = &p.users {
                for set in [&u.include, &u.exclude].into_iter().flatten() {
                    set.users.iter().for_each(|x| push(&mut v.users, x));
                    set.groups.iter().for_each(|x| push(&mut v.groups, x));
                    set.roles.iter().for_each(|x| push(&mut v.roles, x));
                    if let Some(g) = &set.guests_or_external_users {
                        g.tenants.iter().for_each(|x| push(&mut v.tenants, x));
                    }
                }
            }
            if let Some(c) = &p.client_applications {
                c.include.iter().for_each(|x| push(&mut v.sps, x));
                c.exclude.iter().for_each(|x| push(&mut v.sps, x));
            }
            if let Some(a) = &p.applications {
                a.include.iter().for_each(|x| push(&mut v.apps, x));
                a.exclude.iter().for_each(|x| push(&mut v.apps, x));
                a.user_actions.iter().for_each(|x| push(&mut v.actions, x));
                a.authentication_contexts
                    .iter()
                    .for_each(|x| push(&mut v.contexts, x));
            }
        }
        let groupings = caac::whatif::apps::OFFICE365
            .iter()
            .chain(caac::whatif::apps::ADMIN_PORTALS)
            .chain(caac::whatif::apps::AZURE_MANAGEMENT_MEMBERS)
            .chain(caac::whatif::apps::AZURE_MANAGEMENT_NON_MEMBERS);
        for m in groupings.step_by(3) {
            push(&mut v.apps, m.id);
        }
        push(&mut v.apps, caac::whatif::apps::AZURE_MANAGEMENT);
        for a in ["urn:user:registersecurityinfo", "urn:user:registerdevice"] {
            push(&mut v.actions, a);
        }
        for c in ["c1", "c2", "c25"] {
            push(&mut v.contexts, c);
        }
        // Ids nobody names.
        for i in 0..4 {
            let id = format!("0000000{i}-aaaa-4bbb-8ccc-dddddddddddd");
            for list in [
                &mut v.users,
                &mut v.groups,
                &mut v.roles,
                &mut v.tenants,
                &mut v.sps,
                &mut v.apps,
            ] {
                push(list, &id);
            }
        }
        if let Some(t) = tenant {
            for e in t.named_locations.values() {
                let Some(d) = e.detail() else { continue };
                for r in &d.ip_ranges {
                    let base = r.split('/').next().unwrap_or("");
                    if let Ok(ip) = base.parse::<std::net::IpAddr>() {
                        v.ips.push(ip);
                        if let std::net::IpAddr::V4(a) = ip {
                            v.ips.push(
                                std::net::Ipv4Addr::from(u32::from(a).wrapping_add(1)).into(),
                            );
                        }
                    }
                }
                d.countries.iter().for_each(|c| push(&mut v.countries, c));
            }
        }
        for ip in ["198.51.100.7", "8.8.8.8", "2001:db8:ffff::1", "10.0.0.1"] {
            v.ips.push(ip.parse().unwrap());
        }
        for c in ["NL", "US", "CN", "no"] {
            push(&mut v.countries, c);
        }
        v
    }

    /// `s` with a random ASCII case change now and then.
    fn cased(rng: &mut Rng, s: &str) -> String {
        if rng.chance(5) {
            s.to_ascii_uppercase()
        } else {
            s.to_owned()
        }
    }

    fn some(&self, rng: &mut Rng, list: &[String], max: usize) -> Vec<String> {
        let k = rng.below(max + 1);
        (0..k)
            .filter_map(|_| rng.pick(list).map(|x| Self::cased(rng, x)))
            .collect()
    }

    /// A pseudo-random sign-in.
    pub fn sign_in(&self, rng: &mut Rng) -> SignIn {
        let identity = if rng.chance(10) {
            Identity::ServicePrincipal {
                id: rng
                    .pick(&self.sps)
                    .map_or_else(String::new, |x| Self::cased(rng, x)),
            }
        } else {
            let guest_type = if rng.chance(30) {
                rng.pick(GuestOrExternalUserType::all()).copied()
            } else {
                None
            };
            Identity::User {
                id: rng
                    .pick(&self.users)
                    .map_or_else(String::new, |x| Self::cased(rng, x)),
                groups: self.some(rng, &self.groups, 4),
                roles: self.some(rng, &self.roles, 2),
                guest_type,
                external_tenant: if guest_type.is_some() && rng.chance(70) {
                    rng.pick(&self.tenants).map(|x| Self::cased(rng, x))
                } else {
                    None
                },
            }
        };
        let target = match rng.below(10) {
            0 => Target::UserAction(rng.pick(&self.actions).cloned().unwrap_or_default()),
            1 => {
                Target::AuthenticationContext(rng.pick(&self.contexts).cloned().unwrap_or_default())
            }
            _ => {
                let mut apps = self.some(rng, &self.apps, 3);
                if apps.is_empty() {
                    apps.push("00000003-0000-0000-c000-000000000000".into());
                }
                Target::Applications(apps)
            }
        };
        let client = *rng
            .pick(&[
                ClientApp::Browser,
                ClientApp::MobileAppsAndDesktopClients,
                ClientApp::ExchangeActiveSync,
                ClientApp::Other,
            ])
            .unwrap();
        let mut s = SignIn::new(identity, target, client);
        s.platform = if rng.chance(15) {
            None
        } else {
            rng.pick(Platform::all()).copied()
        };
        s.ip = match rng.below(10) {
            0 => None,
            1 | 2 => Some(std::net::Ipv4Addr::from(rng.next() as u32).into()),
            3 => Some(std::net::Ipv4Addr::new(203, 0, rng.below(40) as u8, 9).into()),
            _ => rng.pick(&self.ips).copied(),
        };
        s.country = if rng.chance(20) {
            None
        } else {
            rng.pick(&self.countries).cloned()
        };
        s.sign_in_risk = *rng.pick(RiskLevel::all()).unwrap();
        s.user_risk = *rng.pick(RiskLevel::all()).unwrap();
        s.service_principal_risk = *rng.pick(ServicePrincipalRiskLevel::all()).unwrap();
        s.insider_risk = if rng.chance(50) {
            None
        } else {
            rng.pick(InsiderRiskLevel::all()).copied()
        };
        s.transfer_method = if rng.chance(60) {
            None
        } else {
            rng.pick(TransferMethod::all()).copied()
        };
        s.device = device(rng);
        s
    }
}

fn device(rng: &mut Rng) -> Device {
    let mut d = Device {
        registered: rng.chance(50),
        ..Device::default()
    };
    let string = |v: &str| DeviceValue::String(v.to_owned());
    if rng.chance(70) {
        let t = ["AzureAD", "ServerAD", "Workplace"][rng.below(3)];
        d.attributes.insert("trustType".into(), string(t));
    }
    if rng.chance(70) {
        d.attributes
            .insert("isCompliant".into(), DeviceValue::Bool(rng.chance(50)));
    }
    if rng.chance(30) {
        let v = ["SAW", "PAW", "Kiosk", "x"][rng.below(4)];
        d.attributes.insert("extensionAttribute1".into(), string(v));
    }
    if rng.chance(30) {
        let v = ["Windows", "iOS", "Android"][rng.below(3)];
        d.attributes.insert("operatingSystem".into(), string(v));
    }
    d
}

/// The resolved policies (and tenant) of `paths`.
pub fn load(paths: &[PathBuf], tenant: Option<PathBuf>) -> (Vec<(String, Policy)>, Option<Tenant>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = Options {
        paths,
        tenant,
        break_glass: &[],
        config: Some(root.join(".caac.yaml")),
        partial: true,
    };
    let checked = check::check(&opts).expect("policies found");
    let policies = checked
        .files
        .into_iter()
        .flat_map(|f| f.units)
        .filter_map(|u| Some((u.display_name.unwrap_or_default(), u.policy?)))
        .collect();
    (policies, checked.tenant)
}

/// A tenant file for a set that has none (the corpus): every location id
/// the policies name gets details, in turn trusted IPv4 ranges, an IPv6
/// range, countries, countries with unknown ones, or the id alone; MFA
/// trusted IPs get an IPv4 and an IPv6 range (the latter ignored).
pub fn synthetic_tenant(policies: &[&Policy]) -> Tenant {
    use caac::model::{Detail, Entry};
    let mut t = Tenant::default();
    let mut ids: Vec<String> = Vec::new();
    for p in policies {
        if let Some(l) = &p.locations {
            for id in l.include.iter().chain(&l.exclude) {
                if id != "All" && id != "AllTrusted" {
                    push(&mut ids, id);
                }
            }
        }
    }
    push(&mut ids, "00000000-0000-0000-0000-000000000000");
    for (k, id) in ids.iter().enumerate() {
        let mut d = Detail {
            id: id.clone(),
            ..Detail::default()
        };
        match k % 5 {
            0 => {
                d.trusted = true;
                d.ip_ranges = vec![format!("203.0.{k}.0/24"), "10.0.0.0/16".into()];
            }
            1 => d.ip_ranges = vec![format!("2001:db8:{k:x}::/48")],
            2 => d.countries = vec!["NL".into(), "NO".into()],
            3 => {
                d.countries = vec!["US".into()];
                d.include_unknown_countries = true;
            }
            _ => {
                t.named_locations
                    .insert(format!("L{k}"), Entry::Id(id.clone()));
                continue;
            }
        }
        if id == "00000000-0000-0000-0000-000000000000" {
            d.ip_ranges = vec!["198.51.100.0/24".into(), "2001:db8:1::/48".into()];
        }
        t.named_locations
            .insert(format!("L{k}"), Entry::Detailed(d));
    }
    t
}
