//! Sweep: a policy set precompiled against a [scenario matrix](super::matrix)
//! into one policy bitset per dimension value, so "which policies apply to
//! this combination" is a handful of word ANDs instead of an engine pass.
//!
//! Contract: [`Sweep::new`] asks the [`Engine`] once per value of each
//! dimension which policies that value rules out (the dimension's own
//! `analysisReasons` flags) and which policies are ruled out whatever the
//! sign-in (disabled, empty, agent risk, insider risk: constant over the
//! matrix). [`Sweep::applying`] then gives, for any [`Combo`], exactly the
//! policies [`Engine::reasons_into`] reports with no reason — the
//! differential tests below check this on every combination of random
//! policy sets. Pure, never panics.
//!
//! # Why this is exact
//!
//! In the engine every reason flag depends on one dimension only (users on
//! the persona, application / user actions / authentication context on the
//! target, each condition on its own value), with one documented
//! interaction: for the "Register or join devices" user action, client app
//! and device-filter conditions are not evaluated ("`Client apps`, `Filters
//! for devices`, and `Device state` conditions aren't available with this
//! user action",
//! <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps>),
//! so those two dimensions get a second table used for such targets. And
//! the users flag depends on the client app as well as the persona: for
//! policies assigned to Exchange ActiveSync clients, "Selecting **All
//! users**, **All guest and external users**, or **Directory roles** causes
//! all users to be subject of the policy"
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#exchange-activesync-clients>),
//! so the users flag has its own table per (persona, client), applied at
//! the client step (after the persona, so [`Cursor`] stays exact). A
//! policy applies when no flag is set, so its applicability is the AND of
//! the per-dimension answers. Service-principal personas skip the user
//! conditions altogether, so a matrix holding one is refused (`None`).

use super::matrix::{Combo, DIMS, Dim, Matrix};
use super::{Engine, Identity, Reason, ReasonSet, Target};

/// "Register or join devices" (see the module docs).
const REGISTER_DEVICE: &str = "urn:user:registerdevice";

/// The dimension a reason flag depends on (`None`: constant over the matrix).
fn dim_of(r: Reason) -> Option<Dim> {
    Some(match r {
        Reason::Users | Reason::WorkloadIdentities => Dim::Persona,
        Reason::Application | Reason::UserActions | Reason::AuthenticationContext => Dim::Target,
        Reason::DevicePlatform => Dim::Platform,
        Reason::ClientApps => Dim::Client,
        Reason::Location => Dim::Location,
        Reason::SignInRisk => Dim::SignInRisk,
        Reason::UserRisk => Dim::UserRisk,
        Reason::AuthenticationFlow => Dim::Flow,
        Reason::Devices | Reason::InvalidCondition => Dim::Device,
        _ => return None,
    })
}

/// A policy set compiled against a matrix (see the module docs).
#[derive(Debug, Clone)]
pub struct Sweep {
    words: usize,
    /// Per dimension, per value: the policies that value does not rule out.
    tables: Vec<Vec<Vec<u64>>>,
    /// Client and device tables for register-device targets.
    rd_client: Vec<Vec<u64>>,
    rd_device: Vec<Vec<u64>>,
    /// Per target: it is the register-device user action.
    rd_target: Vec<bool>,
    /// Per persona, per client: the policies the users flag does not rule
    /// out (the persona table leaves that flag to this one).
    users: Vec<Vec<Vec<u64>>>,
    /// The policies no sign-in of the matrix rules out by a constant flag.
    constant: Vec<u64>,
}

impl Sweep {
    /// Compiles `engine`'s policies against `matrix`; `None` when a persona
    /// is a service principal.
    pub fn new(matrix: &Matrix, engine: &Engine) -> Option<Sweep> {
        if matrix
            .personas
            .iter()
            .any(|p| matches!(p.value.identity, Identity::ServicePrincipal { .. }))
            || Dim::ALL.iter().any(|d| matrix.len(*d) == 0)
        {
            return None;
        }
        let n = engine.len();
        let words = n.div_ceil(64).max(1);
        let rd_target: Vec<bool> = matrix
            .targets
            .iter()
            .map(|t| matches!(&t.value, Target::UserAction(a) if a.eq_ignore_ascii_case(REGISTER_DEVICE)))
            .collect();
        let normal = rd_target.iter().position(|r| !r);
        let rd = rd_target.iter().position(|r| *r);
        let mut reasons: Vec<ReasonSet> = Vec::with_capacity(n);
        let origin = Combo([0; DIMS]);
        let constant = allowed(matrix, engine, &mut reasons, origin, |r| {
            dim_of(r).is_none()
        });
        let users: Vec<Vec<Vec<u64>>> = (0..matrix.len(Dim::Persona))
            .map(|p| {
                (0..matrix.len(Dim::Client))
                    .map(|c| {
                        let combo = origin.with(Dim::Persona, p).with(Dim::Client, c);
                        allowed(matrix, engine, &mut reasons, combo, |r| r == Reason::Users)
                    })
                    .collect()
            })
            .collect();
        let mut table = |d: Dim, target: Option<usize>| -> Vec<Vec<u64>> {
            let base = target.map_or(origin, |t| origin.with(Dim::Target, t));
            (0..matrix.len(d))
                .map(|v| {
                    allowed(matrix, engine, &mut reasons, base.with(d, v), |r| {
                        dim_of(r) == Some(d) && r != Reason::Users
                    })
                })
                .collect()
        };
        let mut tables = Vec::with_capacity(DIMS);
        for d in Dim::ALL {
            let target = match d {
                Dim::Client | Dim::Device => normal.or(rd),
                _ => None,
            };
            tables.push(table(d, target));
        }
        let rd_client = table(Dim::Client, rd.or(normal));
        let rd_device = table(Dim::Device, rd.or(normal));
        Some(Sweep {
            words,
            tables,
            rd_client,
            rd_device,
            rd_target,
            users,
            constant,
        })
    }

    /// Words per bitset (bit `i` of word `i / 64` is policy `i`).
    pub fn words(&self) -> usize {
        self.words
    }

    /// Writes into `out` (resized to [`Sweep::words`]) the policies that
    /// apply to `c`: exactly those [`Engine::reasons_into`] reports empty.
    pub fn applying(&self, c: &Combo, out: &mut Vec<u64>) {
        out.clear();
        out.extend_from_slice(&self.constant);
        let rd = self
            .rd_target
            .get(c.get(Dim::Target))
            .copied()
            .unwrap_or(false);
        for d in Dim::ALL {
            let v = c.get(d);
            let t = match d {
                Dim::Client if rd => &self.rd_client,
                Dim::Device if rd => &self.rd_device,
                _ => &self.tables[d as usize],
            };
            let Some(bits) = t.get(v) else {
                out.iter_mut().for_each(|w| *w = 0);
                return;
            };
            for (o, b) in out.iter_mut().zip(bits) {
                *o &= b;
            }
            if d == Dim::Client {
                let Some(bits) = self.users_for(c) else {
                    out.iter_mut().for_each(|w| *w = 0);
                    return;
                };
                for (o, b) in out.iter_mut().zip(bits) {
                    *o &= b;
                }
            }
        }
    }

    /// The users table of `c`'s persona and client.
    fn users_for(&self, c: &Combo) -> Option<&[u64]> {
        self.users
            .get(c.get(Dim::Persona))?
            .get(c.get(Dim::Client))
            .map(Vec::as_slice)
    }
}

/// Incremental [`Sweep::applying`] for combinations visited in
/// [`Matrix::combos`] order: it keeps the AND of every prefix of
/// dimensions and recomputes only from the first dimension that changed
/// (on average fewer than two of the ten tables per step).
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    /// `prefix[d]`: constant AND the tables of dimensions `0..d`, each
    /// `words` long, `DIMS + 1` of them.
    prefix: Vec<u64>,
    last: Option<Combo>,
}

impl Sweep {
    /// Like [`Sweep::applying`], reusing `cursor`'s work from the previous
    /// combination; returns the applying policies (valid until the next call).
    pub fn applying_from<'c>(&self, c: &Combo, cursor: &'c mut Cursor) -> &'c [u64] {
        let w = self.words;
        if cursor.prefix.len() != (DIMS + 1) * w {
            cursor.prefix = vec![0; (DIMS + 1) * w];
            cursor.last = None;
        }
        let from = match cursor.last {
            // The client and device tables depend on the target too, which
            // comes before them, so "first changed dimension" is enough.
            Some(last) => (0..DIMS).find(|d| last.0[*d] != c.0[*d]).unwrap_or(DIMS),
            None => {
                cursor.prefix[..w].copy_from_slice(&self.constant);
                0
            }
        };
        let rd = self
            .rd_target
            .get(c.get(Dim::Target))
            .copied()
            .unwrap_or(false);
        for d in Dim::ALL.into_iter().skip(from) {
            let t = match d {
                Dim::Client if rd => &self.rd_client,
                Dim::Device if rd => &self.rd_device,
                _ => &self.tables[d as usize],
            };
            let i = d as usize;
            let (done, rest) = cursor.prefix.split_at_mut((i + 1) * w);
            let prev = &done[i * w..];
            let next = &mut rest[..w];
            match t.get(c.get(d)) {
                Some(bits) => {
                    for ((n, p), b) in next.iter_mut().zip(prev).zip(bits) {
                        *n = p & b;
                    }
                }
                None => next.iter_mut().for_each(|x| *x = 0),
            }
            // The users flag, per persona and client (module docs); the
            // persona comes first, so a persona change recomputes this too.
            if d == Dim::Client {
                match self.users_for(c) {
                    Some(bits) => next.iter_mut().zip(bits).for_each(|(n, b)| *n &= b),
                    None => next.iter_mut().for_each(|x| *x = 0),
                }
            }
        }
        cursor.last = Some(*c);
        &cursor.prefix[DIMS * w..]
    }
}

/// The policies none of whose reasons for combination `c` satisfies `ruled_out`.
fn allowed(
    matrix: &Matrix,
    engine: &Engine,
    reasons: &mut Vec<ReasonSet>,
    c: Combo,
    ruled_out: impl Fn(Reason) -> bool,
) -> Vec<u64> {
    engine.reasons_into(&matrix.sign_in(&c), reasons);
    bitset(reasons.len(), |i| !reasons[i].iter().any(&ruled_out))
}

/// Whether `a & b` has a bit set.
pub fn intersects(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

/// The set bits of `a & b`, ascending.
pub fn ones<'a>(a: &'a [u64], b: &'a [u64]) -> impl Iterator<Item = usize> + 'a {
    a.iter().zip(b).enumerate().flat_map(|(w, (x, y))| {
        let bits = x & y;
        (0..64)
            .filter(move |i| bits & (1 << i) != 0)
            .map(move |i| w * 64 + i)
    })
}

/// A bitset of `n` policies from a predicate.
pub fn bitset(n: usize, f: impl Fn(usize) -> bool) -> Vec<u64> {
    let mut bits = vec![0u64; n.div_ceil(64).max(1)];
    for i in (0..n).filter(|i| f(*i)) {
        bits[i / 64] |= 1 << (i % 64);
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Applications, BuiltInControl, ClientAppType, Grant, Locations, Platform, Platforms, Policy,
        RiskLevel, State, TransferMethod, UserSet, Users,
    };
    use crate::whatif::PolicyRef;

    /// A tiny deterministic generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<T: Clone>(&mut self, from: &[T]) -> T {
            from[(self.next() % from.len() as u64) as usize].clone()
        }
        fn some<T: Clone>(&mut self, from: &[T]) -> Vec<T> {
            from.iter()
                .filter(|_| self.next().is_multiple_of(3))
                .cloned()
                .collect()
        }
        fn chance(&mut self, in_n: u64) -> bool {
            self.next().is_multiple_of(in_n)
        }
    }

    const GROUPS: &[&str] = &[
        "00000000-0000-4000-8000-0000000000a1",
        "00000000-0000-4000-8000-0000000000a2",
        "00000000-0000-4000-8000-0000000000a3",
    ];
    const APPS: &[&str] = &[
        "All",
        "Office365",
        "MicrosoftAdminPortals",
        "00000002-0000-0ff1-ce00-000000000000",
        "00000003-0000-0ff1-ce00-000000000000",
    ];

    fn random_policy(r: &mut Rng, i: usize) -> Policy {
        let include_users = if r.chance(2) {
            UserSet {
                users: vec!["All".into()],
                ..UserSet::default()
            }
        } else {
            UserSet {
                groups: r.some(GROUPS).into_iter().map(String::from).collect(),
                roles: if r.chance(3) {
                    vec!["62e90394-69f5-4237-9190-012177145e10".into()]
                } else {
                    Vec::new()
                },
                ..UserSet::default()
            }
        };
        let exclude = r.chance(2).then(|| UserSet {
            groups: vec![r.pick(GROUPS).into()],
            ..UserSet::default()
        });
        let applications = if r.chance(6) {
            Applications {
                user_actions: vec![r.pick(&[
                    "urn:user:registerdevice".to_owned(),
                    "urn:user:registersecurityinfo".to_owned(),
                ])],
                ..Applications::default()
            }
        } else {
            Applications {
                include: {
                    let mut v: Vec<String> = r.some(APPS).into_iter().map(String::from).collect();
                    if v.is_empty() {
                        v.push("All".into());
                    }
                    v
                },
                exclude: r.some(&APPS[3..]).into_iter().map(String::from).collect(),
                ..Applications::default()
            }
        };
        let platforms = r.chance(3).then(|| Platforms {
            include: if r.chance(2) {
                vec![Platform::All]
            } else {
                r.some(&[Platform::Android, Platform::IOS, Platform::Windows])
            },
            exclude: r.some(&[Platform::MacOS, Platform::Windows]),
        });
        let mut p = Policy {
            display_name: format!("P{i}"),
            state: r.pick(&[State::Enabled, State::ReportOnly, State::Disabled]),
            users: Some(Users {
                include: Some(include_users),
                exclude,
            }),
            applications: Some(applications),
            platforms,
            client_app_types: r.some(&[
                ClientAppType::Browser,
                ClientAppType::MobileAppsAndDesktopClients,
                ClientAppType::ExchangeActiveSync,
                ClientAppType::Other,
            ]),
            sign_in_risk_levels: r.some(&[RiskLevel::Low, RiskLevel::Medium, RiskLevel::High]),
            user_risk_levels: r.some(&[RiskLevel::High]),
            authentication_flows: r.some(&[TransferMethod::DeviceCodeFlow]),
            locations: r.chance(4).then(|| Locations {
                include: vec!["All".into()],
                exclude: vec!["AllTrusted".into()],
            }),
            grant: (!r.chance(8)).then(|| Grant {
                built_in_controls: vec![r.pick(&[BuiltInControl::Block, BuiltInControl::Mfa])],
                ..Grant::default()
            }),
            ..Policy::default()
        };
        // Token protection blocks sign-ins that cannot bind (Shape::unbound).
        if r.chance(4) {
            p.session = Some(crate::model::Session {
                token_protection: true,
                ..crate::model::Session::default()
            });
        }
        // Exchange ActiveSync with guests: every user is subject.
        if r.chance(6) {
            p.client_app_types = vec![ClientAppType::ExchangeActiveSync];
            if let Some(u) = p.users.as_mut().and_then(|u| u.include.as_mut()) {
                u.users = vec!["GuestsOrExternalUsers".into()];
            }
        }
        if r.chance(5) {
            p.devices = Some(crate::model::Devices {
                filter: Some(crate::model::Filter {
                    mode: r.pick(&[
                        crate::model::FilterMode::Include,
                        crate::model::FilterMode::Exclude,
                    ]),
                    rule: r
                        .pick(&[
                            "device.isCompliant -eq True",
                            "device.trustType -eq \"ServerAD\"",
                            "device.isCompliant -eq",
                        ])
                        .into(),
                }),
            });
        }
        p
    }

    #[test]
    fn applying_matches_the_engine_on_every_combination() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let mut combos = 0;
        for round in 0..8 {
            let n = [1, 5, 30, 70][round % 4];
            let policies: Vec<Policy> = (0..n).map(|i| random_policy(&mut r, i)).collect();
            let refs: Vec<PolicyRef> = policies
                .iter()
                .map(|p| PolicyRef {
                    name: &p.display_name,
                    policy: p,
                })
                .collect();
            let matrix = Matrix::new(&refs, None);
            let engine = Engine::new(&refs, None);
            let sweep = Sweep::new(&matrix, &engine).expect("user personas");
            let mut reasons = Vec::new();
            let mut bits = Vec::new();
            let mut cursor = Cursor::default();
            // Every combination of small matrices, an even spread of large ones.
            let stride = (matrix.size() / 15_000) | 1;
            for c in matrix.combos().step_by(stride) {
                let s = matrix.sign_in(&c);
                engine.reasons_into(&s, &mut reasons);
                sweep.applying(&c, &mut bits);
                let expected = bitset(n, |i| reasons[i].is_empty());
                assert_eq!(bits, expected, "round {round}: {}", matrix.describe(&c));
                assert_eq!(
                    sweep.applying_from(&c, &mut cursor),
                    expected.as_slice(),
                    "cursor, round {round}: {}",
                    matrix.describe(&c)
                );
                combos += 1;
            }
        }
        assert!(combos > 10_000, "{combos}");
    }

    // The per-shape effects (coverage, impact) agree with the engine's
    // access on every combination: a policy blocks exactly when it applies,
    // is enforced, and its `grant_effect` for the combination's shape
    // blocks — including token protection for sign-ins that cannot bind
    // (concept-token-protection).
    #[test]
    fn shape_effects_match_the_engine_access() {
        let mut r = Rng(0x5eed_1234_abcd_0001);
        let mut blocked = 0;
        for round in 0..4 {
            let n = [3, 10, 25, 40][round];
            let policies: Vec<Policy> = (0..n).map(|i| random_policy(&mut r, i)).collect();
            let refs: Vec<PolicyRef> = policies
                .iter()
                .map(|p| PolicyRef {
                    name: &p.display_name,
                    policy: p,
                })
                .collect();
            let matrix = Matrix::new(&refs, None);
            let engine = Engine::new(&refs, None);
            let sweep = Sweep::new(&matrix, &engine).unwrap();
            let effects = crate::whatif::coverage::effects(&refs);
            let mut bits = Vec::new();
            for c in matrix.combos().step_by((matrix.size() / 4_000) | 1) {
                let s = matrix.sign_in(&c);
                let shape = matrix.shape(&c);
                assert_eq!(shape, s.shape(), "{}", matrix.describe(&c));
                let out = engine.evaluate(&s);
                sweep.applying(&c, &mut bits);
                let fast = ones(&bits, &bits).any(|i| {
                    policies[i].state == State::Enabled && effects[shape.index()][i].block
                });
                assert_eq!(
                    out.access == crate::whatif::Access::Block,
                    fast,
                    "round {round}: {}",
                    matrix.describe(&c)
                );
                blocked += usize::from(fast);
            }
        }
        assert!(blocked > 100, "{blocked}");
    }

    #[test]
    fn the_starter_shapes_match_too() {
        // The full outcome (evaluate) agrees with the bitsets as well.
        let mut r = Rng(42);
        let policies: Vec<Policy> = (0..40).map(|i| random_policy(&mut r, i)).collect();
        let refs: Vec<PolicyRef> = policies
            .iter()
            .map(|p| PolicyRef {
                name: &p.display_name,
                policy: p,
            })
            .collect();
        let matrix = Matrix::new(&refs, None);
        let engine = Engine::new(&refs, None);
        let sweep = Sweep::new(&matrix, &engine).unwrap();
        let mut bits = Vec::new();
        for c in matrix.combos().step_by((matrix.size() / 5_000) | 1) {
            let out = engine.evaluate(&matrix.sign_in(&c));
            sweep.applying(&c, &mut bits);
            let expected = bitset(refs.len(), |i| out.policies[i].applies);
            assert_eq!(bits, expected, "{}", matrix.describe(&c));
        }
    }

    #[test]
    fn bit_helpers() {
        let a = bitset(130, |i| i % 64 == 3);
        let b = bitset(130, |i| i >= 67);
        assert!(intersects(&a, &b));
        assert_eq!(ones(&a, &b).collect::<Vec<_>>(), [67]);
    }
}
