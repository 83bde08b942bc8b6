//! The compiled evaluator: the general [`Engine`]'s per-policy answers
//! turned into per-dimension policy bitsets, so one sign-in costs a few
//! hash look-ups and word operations instead of a pass over every policy.
//!
//! Contract: [`FastEngine::reasons_into`] gives, for ANY sign-in, exactly
//! what [`Engine::reasons_into`] gives (the `analysisReasons` flags of every
//! policy, in input order); the differential tests (here and
//! `tests/cli/fastengine.rs`) compare both on thousands of pseudo-random
//! sign-ins over the starter set, the replay fixtures and the real policy
//! corpus. There is one evaluation semantics, the engine's (sources in the
//! module docs of [`super`]); this module only reorganises it:
//!
//! - every reason flag depends on one dimension of the sign-in (the same
//!   factorisation [`super::sweep`] relies on): users / workload identity on
//!   the identity, application / user action / authentication context on
//!   the target, each condition on its own value; the documented
//!   interactions are kept: Exchange ActiveSync clients widen a users
//!   include ("Selecting **All users**, **All guest and external users**, or
//!   **Directory roles** causes all users to be subject of the policy",
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#exchange-activesync-clients>),
//!   "Register or join devices" skips client apps and device filters
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps>),
//!   and workload identities skip the user-only conditions
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/workload-identity>);
//! - enumerated dimensions (client app, platform, risks, flow) are tables
//!   built once by the engine's own per-policy fields; id lists (users,
//!   groups, roles, guest tenants, service principals, apps with the
//!   Office365 / admin portals / Azure management groupings expanded to
//!   their member ids, user actions, authentication contexts) become
//!   hash maps from the id to the policies naming it on each side — the
//!   engine compares ids ignoring ASCII case, which is equality of the
//!   128-bit values for GUIDs and of the lower-cased strings for other ids;
//! - locations are computed by the engine's own location code once per
//!   distinct (IP address, country) and cached; the cache is cleared when
//!   it reaches [`CACHE_LIMIT`] entries, so memory is bounded whatever the
//!   number of records;
//! - device filters (a rule language) are evaluated per sign-in by the
//!   engine's own [`super::device_filter`] expression for the policies that
//!   have one, and counted ([`Stats::device_filters`]);
//! - a set of more than [`MAX_POLICIES`] policies is not compiled: every
//!   sign-in goes to the general engine, counted ([`Stats::general`]).
//!   Entra allows 195 policies per tenant
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access>),
//!   so real sets always compile.
//!
//! [`FastEngine::evaluate`] gives the same flags as an [`Answer`]: one policy
//! bitset per reason, so a question over the whole set ("does an enforced
//! blocking policy apply?", [`Answer::applies_any`]) costs a few word
//! operations; [`FastEngine::reasons_into`] spreads it into one
//! [`ReasonSet`] per policy.
//!
//! The notes of [`Engine::evaluate`] (`unknowns`) are not produced here:
//! callers that show them (`caac whatif`, `caac test`) keep the engine.
//! Never panics; no I/O.

use super::apps;
use super::engine::{self, Engine, TargetCond};
use super::{ClientApp, Identity, Reason, ReasonSet, SignIn, Target};
use crate::model::{
    FilterMode, GuestOrExternalUserType, InsiderRiskLevel, Platform, RiskLevel,
    ServicePrincipalRiskLevel, State, TransferMethod, Wire,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;

/// Words per policy bitset.
const W: usize = 4;
/// The most policies the compiled tables hold (`64 * W`).
pub const MAX_POLICIES: usize = 64 * W;
/// Entries of the per-(IP, country) location cache before it is cleared.
pub const CACHE_LIMIT: usize = 1 << 16;
/// Reason flags (`Reason::ALL.len()`).
const REASONS: usize = 22;
/// "Register or join devices".
const REGISTER_DEVICE: &str = "urn:user:registerdevice";

/// One bit per policy, in input order.
type Bits = [u64; W];

const EMPTY: Bits = [0; W];

fn set(b: &mut Bits, i: usize) {
    b[i / 64] |= 1 << (i % 64);
}

fn or(a: Bits, b: Bits) -> Bits {
    std::array::from_fn(|i| a[i] | b[i])
}

fn and(a: Bits, b: Bits) -> Bits {
    std::array::from_fn(|i| a[i] & b[i])
}

fn and_not(a: Bits, b: Bits) -> Bits {
    std::array::from_fn(|i| a[i] & !b[i])
}

/// The policies of `all` for which `f` holds.
fn mask_of(n: usize, mut f: impl FnMut(usize) -> bool) -> Bits {
    let mut b = EMPTY;
    for i in 0..n {
        if f(i) {
            set(&mut b, i);
        }
    }
    b
}

/// ASCII-lower-cased `s`, borrowed when it already is.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Policies naming an id on the include and the exclude side.
#[derive(Debug, Default, Clone, Copy)]
struct Sides {
    include: Bits,
    exclude: Bits,
}

/// A fast non-keyed hasher (the Fx multiply-rotate of rustc's `FxHasher`)
/// for the id maps. They are built once from the policies and only looked
/// up with request ids, never grown by them, so a request cannot flood
/// them; the location cache, which requests do grow, keeps the standard
/// keyed hasher.
#[derive(Debug, Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }
}

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn write_u128(&mut self, n: u128) {
        self.add(n as u64);
        self.add((n >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        // The table indexes by the low bits, the multiply mixes upwards.
        self.0.rotate_left(26)
    }
}

type FxBuild = std::hash::BuildHasherDefault<Fx>;

/// The 128-bit value of a GUID written in the registry format Graph uses
/// for object and application ids (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
/// 32 hex digits, either case), else `None`. Two such strings have the same
/// value exactly when they are equal ignoring ASCII case (hex digits are
/// the only letters, the hyphens are fixed), which is how the engine
/// compares ids; any other spelling (braces, spaces, another length) is not
/// a GUID here and is compared as a string.
fn guid(id: &str) -> Option<u128> {
    let b: &[u8; 36] = id.as_bytes().try_into().ok()?;
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    // The digits' byte positions; invalid digits are collected in `bad`
    // and checked once (a look-up per byte, no branch per byte).
    const AT: [usize; 32] = [
        0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28,
        29, 30, 31, 32, 33, 34, 35,
    ];
    let (mut hi, mut lo, mut bad) = (0u64, 0u64, 0u8);
    for k in 0..16 {
        let (h, l) = (HEX[usize::from(b[AT[k]])], HEX[usize::from(b[AT[k + 16]])]);
        bad |= h | l;
        hi = (hi << 4) | u64::from(h);
        lo = (lo << 4) | u64::from(l);
    }
    (bad < 16).then_some((u128::from(hi) << 64) | u128::from(lo))
}

/// Hex digit values; 0xff for any other byte.
const HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match c as u8 {
            b'0'..=b'9' => c as u8 - b'0',
            b'a'..=b'f' => c as u8 - b'a' + 10,
            b'A'..=b'F' => c as u8 - b'A' + 10,
            _ => 0xff,
        };
        c += 1;
    }
    t
};

/// Id → the policies naming it. GUIDs (almost every id: users, groups,
/// roles, tenants, service principals, apps) are keyed by their value
/// ([`guid`]), so a look-up neither lower-cases nor compares strings; any
/// other id (user action URNs, authentication context ids, a malformed
/// id) by its ASCII-lower-cased text.
#[derive(Debug, Default)]
struct IdMap {
    guids: HashMap<u128, Sides, FxBuild>,
    other: HashMap<String, Sides, FxBuild>,
}

impl IdMap {
    fn add(&mut self, id: &str, policy: usize, include: bool) {
        let e = match guid(id) {
            Some(g) => self.guids.entry(g).or_default(),
            None => self.other.entry(id.to_ascii_lowercase()).or_default(),
        };
        set(
            if include {
                &mut e.include
            } else {
                &mut e.exclude
            },
            policy,
        );
    }

    fn get(&self, id: &str) -> Sides {
        match guid(id) {
            Some(g) => self.guids.get(&g),
            None => self.other.get(lower(id).as_ref()),
        }
        .copied()
        .unwrap_or_default()
    }
}

/// Per-value fail tables of an enumerated condition: index 0 is "no value"
/// (`None`), index `k + 1` is `T::all()[k]`.
#[derive(Debug)]
struct Table(Vec<Bits>);

impl Table {
    fn new<T: Wire>(n: usize, mut fails: impl FnMut(usize, Option<u16>) -> bool) -> Table {
        let mut t = vec![mask_of(n, |i| fails(i, None))];
        for k in 0..T::all().len() {
            t.push(mask_of(n, |i| fails(i, Some(1 << k))));
        }
        Table(t)
    }

    fn get<T: Wire + PartialEq>(&self, v: Option<T>) -> Bits {
        let k = v.and_then(|v| T::all().iter().position(|x| *x == v));
        k.map_or(self.0[0], |k| self.0[k + 1])
    }
}

/// The policies sharing one device-filter rule (same text, so the same
/// parsed expression and answer).
#[derive(Debug)]
struct DeviceRule {
    /// A policy with the rule (its expression is evaluated).
    policy: usize,
    /// The rule's text.
    text: String,
    /// Policies with the rule in `include` mode: they fail when it does
    /// not match.
    include: Bits,
    /// In `exclude` mode: they fail when it matches.
    exclude: Bits,
}

/// Counters of what did not go through the tables.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Sign-ins evaluated by the general engine (set over [`MAX_POLICIES`]).
    pub general: u64,
    /// Device-filter rules evaluated per sign-in.
    pub device_filters: u64,
    /// Location look-ups that missed the cache.
    pub location_misses: u64,
}

/// A sign-in's address (IPv4 in the low 32 bits) and a word holding, from
/// the low byte up: the address kind (0 none, 4, 6), the country's length
/// (0 when unknown or when countries do not matter) and its bytes.
type LocationKey = (u128, u64);

/// Per-caller mutable state: the location cache and the counters. Bounded
/// by [`CACHE_LIMIT`].
#[derive(Debug, Default)]
pub struct Cache {
    locations: HashMap<LocationKey, Bits>,
    /// What did not go through the tables.
    pub stats: Stats,
}

/// The per-reason failing policies of one sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fails([Bits; REASONS]);

impl Fails {
    fn add(&mut self, r: Reason, b: Bits) {
        let x = &mut self.0[r as usize];
        *x = or(*x, b);
    }

    /// The policies with some reason flag.
    fn any(&self) -> Bits {
        self.0.iter().fold(EMPTY, |a, b| or(a, *b))
    }

    /// Policy `i`'s flags.
    fn of(&self, i: usize) -> ReasonSet {
        let mut r = ReasonSet::default();
        for reason in Reason::ALL {
            if self.0[*reason as usize][i / 64] >> (i % 64) & 1 != 0 {
                r.insert(*reason);
            }
        }
        r
    }
}

/// Every policy's `analysisReasons` flags for one sign-in
/// ([`FastEngine::evaluate`]): the same answer as [`FastEngine::reasons_into`]
/// (and so [`Engine::reasons_into`]), kept as one policy bitset per reason
/// when the set compiled, so that questions over the whole set ("does a
/// blocking policy apply?") are a few word operations instead of a pass
/// over every policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Per reason, the policies with that flag (compiled sets).
    fails: Fails,
    /// Policies.
    n: usize,
    /// Per policy, its flags, for sets that did not compile (over
    /// [`MAX_POLICIES`]); `fails` is then empty.
    general: Option<Vec<ReasonSet>>,
}

impl Answer {
    /// The number of policies.
    pub fn len(&self) -> usize {
        self.n
    }

    /// No policies.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Policy `i`'s flags (empty: it applies). Panics when `i` is not below
    /// [`Answer::len`], like indexing.
    pub fn reasons(&self, i: usize) -> ReasonSet {
        assert!(i < self.n, "policy {i} of {}", self.n);
        match &self.general {
            Some(v) => v[i],
            None => self.fails.of(i),
        }
    }

    /// Policy `i` applies (no flag).
    pub fn applies(&self, i: usize) -> bool {
        self.reasons(i).is_empty()
    }

    /// Some policy of `mask` applies.
    pub fn applies_any(&self, mask: &Mask) -> bool {
        match &self.general {
            Some(v) => v.iter().zip(&mask.list).any(|(r, m)| *m && r.is_empty()),
            None => and_not(mask.bits, self.fails.any()).iter().any(|w| *w != 0),
        }
    }

    /// Every policy's flags, in input order, into `out`.
    pub fn reasons_into(&self, out: &mut Vec<ReasonSet>) {
        out.clear();
        if let Some(v) = &self.general {
            out.extend_from_slice(v);
            return;
        }
        out.resize(self.n, ReasonSet::default());
        for r in Reason::ALL {
            for (w, word) in self.fails.0[*r as usize].iter().enumerate() {
                let mut x = *word;
                while x != 0 {
                    let i = w * 64 + x.trailing_zeros() as usize;
                    out[i].insert(*r);
                    x &= x - 1;
                }
            }
        }
    }
}

/// A subset of a set's policies ([`FastEngine::mask`]), for
/// [`Answer::applies_any`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask {
    bits: Bits,
    list: Vec<bool>,
}

/// A policy set compiled for evaluation of arbitrary sign-ins (see the
/// module docs).
#[derive(Debug)]
pub struct FastEngine<'a> {
    engine: Engine<'a>,
    /// Compiled (the set has at most [`MAX_POLICIES`] policies).
    compiled: bool,
    n: usize,
    all: Bits,
    not_enabled: Bits,
    empty: Bits,
    agent: Bits,
    // Users.
    users_present: Bits,
    users_all: Sides,
    guests_keyword: Sides,
    /// Per guest type (index in `GuestOrExternalUserType::all()`): the side
    /// lists the type.
    guest_types: Vec<Sides>,
    /// The side's guest selection covers every tenant.
    guest_any_tenant: Sides,
    guest_tenants: IdMap,
    user_ids: IdMap,
    group_ids: IdMap,
    role_ids: IdMap,
    eas: Bits,
    // Workload identities.
    workload_present: Bits,
    workload_all: Bits,
    sp_ids: IdMap,
    // Target.
    apps_kind: Bits,
    apps_all: Bits,
    app_ids: IdMap,
    actions_kind: Bits,
    actions: IdMap,
    contexts_kind: Bits,
    contexts: IdMap,
    missing_target: Bits,
    // Conditions.
    client: [Bits; 4],
    invalid_device: Bits,
    /// Distinct parsed device-filter rules, for registered devices.
    device_rules: Vec<DeviceRule>,
    /// The device flag of an unregistered device: "For a device that is
    /// unregistered with Microsoft Entra ID, all device properties are
    /// considered as null values"
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-condition-filters-for-devices>),
    /// so the answer is the rules' on `Device::default()`, computed once.
    unregistered_device: Bits,
    platform: Table,
    sign_in_risk: Table,
    user_risk: Table,
    sp_risk: Table,
    insider: Table,
    flow: Table,
    locations_present: Bits,
    /// Some named location has countries (else the country never matters).
    countries_matter: bool,
}

fn client_index(c: ClientApp) -> usize {
    match c {
        ClientApp::Browser => 0,
        ClientApp::MobileAppsAndDesktopClients => 1,
        ClientApp::ExchangeActiveSync => 2,
        ClientApp::Other => 3,
    }
}

const CLIENTS: [ClientApp; 4] = [
    ClientApp::Browser,
    ClientApp::MobileAppsAndDesktopClients,
    ClientApp::ExchangeActiveSync,
    ClientApp::Other,
];

impl<'a> FastEngine<'a> {
    /// Compiles `policies` (with the general [`Engine`] underneath).
    pub fn new(
        policies: &[super::PolicyRef<'a>],
        tenant: Option<&crate::model::Tenant>,
    ) -> FastEngine<'a> {
        FastEngine::from_engine(Engine::new(policies, tenant))
    }

    /// Compiles the tables of `engine`'s policies.
    pub fn from_engine(engine: Engine<'a>) -> FastEngine<'a> {
        let compiled = engine.len() <= MAX_POLICIES;
        FastEngine::build(engine, compiled)
    }

    /// `engine` without compiled tables: every sign-in goes to the general
    /// engine (counted in [`Stats::general`]). The reference for
    /// differential tests of callers.
    pub fn uncompiled(engine: Engine<'a>) -> FastEngine<'a> {
        FastEngine::build(engine, false)
    }

    fn build(engine: Engine<'a>, compiled: bool) -> FastEngine<'a> {
        let ps = &engine.policies;
        let n = ps.len();
        let n = if compiled { n } else { 0 };
        let ps = &ps[..n];
        let mut user_ids = IdMap::default();
        let mut group_ids = IdMap::default();
        let mut role_ids = IdMap::default();
        let mut guest_tenants = IdMap::default();
        let types = GuestOrExternalUserType::all();
        let mut guest_types = vec![Sides::default(); types.len()];
        let mut users_all = Sides::default();
        let mut guests_keyword = Sides::default();
        let mut guest_any_tenant = Sides::default();
        let mut sp_ids = IdMap::default();
        let mut app_ids = IdMap::default();
        let mut actions = IdMap::default();
        let mut contexts = IdMap::default();
        let mut device_rules: Vec<DeviceRule> = Vec::new();
        let mut unregistered_device = EMPTY;
        for (i, p) in ps.iter().enumerate() {
            if let Some((inc, exc)) = &p.users {
                for (side, include) in [(inc, true), (exc, false)] {
                    let pick = |s: &mut Sides| {
                        set(
                            if include {
                                &mut s.include
                            } else {
                                &mut s.exclude
                            },
                            i,
                        );
                    };
                    if side.all {
                        pick(&mut users_all);
                    }
                    if side.guests_keyword {
                        pick(&mut guests_keyword);
                    }
                    for u in &side.users {
                        user_ids.add(u, i, include);
                    }
                    for g in &side.groups {
                        group_ids.add(g, i, include);
                    }
                    for r in &side.roles {
                        role_ids.add(r, i, include);
                    }
                    if let Some(g) = &side.guests {
                        for (k, s) in guest_types.iter_mut().enumerate() {
                            if g.types & (1 << k) != 0 {
                                pick(s);
                            }
                        }
                        if g.any_tenant {
                            pick(&mut guest_any_tenant);
                        }
                        for t in &g.tenants {
                            guest_tenants.add(t, i, include);
                        }
                    }
                }
            }
            if let Some(w) = &p.workload {
                for id in &w.include {
                    sp_ids.add(id, i, true);
                }
                for id in &w.exclude {
                    sp_ids.add(id, i, false);
                }
            }
            match &p.target {
                TargetCond::Apps(a) => {
                    for (list, groups, include) in [
                        (&a.include, a.groups, true),
                        (&a.exclude, a.exclude_groups, false),
                    ] {
                        for id in list {
                            app_ids.add(id, i, include);
                        }
                        // The groupings expand to their member ids
                        // (`apps`, sources there).
                        let mut members: Vec<&str> = Vec::new();
                        if groups.office365 {
                            members.extend(apps::OFFICE365.iter().map(|m| m.id));
                        }
                        if groups.admin {
                            members.extend(apps::ADMIN_PORTALS.iter().map(|m| m.id));
                        }
                        if groups.azure {
                            members.push(apps::AZURE_MANAGEMENT);
                            members.extend(apps::AZURE_MANAGEMENT_MEMBERS.iter().map(|m| m.id));
                        }
                        for id in members {
                            app_ids.add(id, i, include);
                        }
                    }
                }
                TargetCond::UserActions(list) => {
                    for a in list {
                        actions.add(a, i, true);
                    }
                }
                TargetCond::AuthContexts(list) => {
                    for c in list {
                        contexts.add(c, i, true);
                    }
                }
                TargetCond::Missing => {}
            }
            if let Some(d) = &p.device
                && let Ok(expr) = &d.rule
            {
                let include = d.mode == FilterMode::Include;
                // `Engine::reasons`: the flag when the match differs from
                // the mode.
                if expr.matches(&super::Device::default()) != include {
                    set(&mut unregistered_device, i);
                }
                let text = p
                    .policy
                    .devices
                    .as_ref()
                    .and_then(|x| x.filter.as_ref())
                    .map_or("", |f| f.rule.as_str());
                let at = match device_rules.iter().position(|r| r.text == text) {
                    Some(k) => k,
                    None => {
                        device_rules.push(DeviceRule {
                            policy: i,
                            text: text.to_owned(),
                            include: EMPTY,
                            exclude: EMPTY,
                        });
                        device_rules.len() - 1
                    }
                };
                let r = &mut device_rules[at];
                set(
                    if include {
                        &mut r.include
                    } else {
                        &mut r.exclude
                    },
                    i,
                );
            }
        }
        let client = CLIENTS.map(|c| {
            let b = engine::client_bit(c);
            mask_of(n, |i| ps[i].client_apps != 0 && ps[i].client_apps & b == 0)
        });
        // Same predicates as `Engine::reasons`, per value.
        let platform = Table::new::<Platform>(n, |i, b| {
            ps[i].platforms.as_ref().is_some_and(|pl| {
                let hit = !pl.exclude_all
                    && match b {
                        None => pl.all,
                        Some(b) => (pl.all || pl.include & b != 0) && pl.exclude & b == 0,
                    };
                !hit
            })
        });
        let level = |m: u16, b: Option<u16>| m != 0 && b.is_none_or(|b| m & b == 0);
        let sign_in_risk = Table::new::<RiskLevel>(n, |i, b| level(ps[i].sign_in_risk, b));
        let user_risk = Table::new::<RiskLevel>(n, |i, b| level(ps[i].user_risk, b));
        let sp_risk = Table::new::<ServicePrincipalRiskLevel>(n, |i, b| level(ps[i].sp_risk, b));
        let insider = Table::new::<InsiderRiskLevel>(n, |i, b| level(ps[i].insider, b));
        let flow = Table::new::<TransferMethod>(n, |i, b| level(ps[i].flows, b));
        let countries_matter = engine
            .locations
            .iter()
            .any(|l| !l.countries.is_empty() || l.include_unknown_countries);
        FastEngine {
            compiled,
            n,
            all: mask_of(n, |_| true),
            not_enabled: mask_of(n, |i| {
                let p = &ps[i];
                p.state == State::Disabled
                    || (p.report_only() && matches!(p.target, TargetCond::UserActions(_)))
            }),
            empty: mask_of(n, |i| ps[i].empty),
            agent: mask_of(n, |i| ps[i].agent_risk),
            users_present: mask_of(n, |i| ps[i].users.is_some()),
            users_all,
            guests_keyword,
            guest_types,
            guest_any_tenant,
            guest_tenants,
            user_ids,
            group_ids,
            role_ids,
            eas: mask_of(n, |i| ps[i].eas_all_users),
            workload_present: mask_of(n, |i| ps[i].workload.is_some()),
            workload_all: mask_of(n, |i| ps[i].workload.as_ref().is_some_and(|w| w.all)),
            sp_ids,
            apps_kind: mask_of(n, |i| matches!(ps[i].target, TargetCond::Apps(_))),
            apps_all: mask_of(n, |i| matches!(&ps[i].target, TargetCond::Apps(a) if a.all)),
            app_ids,
            actions_kind: mask_of(n, |i| matches!(ps[i].target, TargetCond::UserActions(_))),
            actions,
            contexts_kind: mask_of(n, |i| matches!(ps[i].target, TargetCond::AuthContexts(_))),
            contexts,
            missing_target: mask_of(n, |i| matches!(ps[i].target, TargetCond::Missing)),
            client,
            invalid_device: mask_of(n, |i| {
                ps[i].device.as_ref().is_some_and(|d| d.rule.is_err())
            }),
            device_rules,
            unregistered_device,
            platform,
            sign_in_risk,
            user_risk,
            sp_risk,
            insider,
            flow,
            locations_present: mask_of(n, |i| ps[i].locations.is_some()),
            countries_matter,
            engine,
        }
    }

    /// The general engine underneath (for [`Engine::evaluate`] and its notes).
    pub fn engine(&self) -> &Engine<'a> {
        &self.engine
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.engine.len()
    }

    /// No policies.
    pub fn is_empty(&self) -> bool {
        self.engine.is_empty()
    }

    /// The reasons of every policy, in input order: exactly
    /// [`Engine::reasons_into`]'s.
    pub fn reasons_into(&self, sign_in: &SignIn, cache: &mut Cache, out: &mut Vec<ReasonSet>) {
        if !self.compiled {
            cache.stats.general += 1;
            self.engine.reasons_into(sign_in, out);
            return;
        }
        self.evaluate(sign_in, cache).reasons_into(out);
    }

    /// The reasons of every policy for `sign_in`, as an [`Answer`]: the
    /// same flags as [`FastEngine::reasons_into`].
    pub fn evaluate(&self, sign_in: &SignIn, cache: &mut Cache) -> Answer {
        if !self.compiled {
            cache.stats.general += 1;
            let mut out = Vec::new();
            self.engine.reasons_into(sign_in, &mut out);
            return Answer {
                fails: Fails([EMPTY; REASONS]),
                n: out.len(),
                general: Some(out),
            };
        }
        Answer {
            fails: self.fails(sign_in, cache),
            n: self.n,
            general: None,
        }
    }

    /// The policies (by index, in input order) for which `f` holds.
    pub fn mask(&self, mut f: impl FnMut(usize) -> bool) -> Mask {
        let list: Vec<bool> = (0..self.len()).map(&mut f).collect();
        let bits = if self.compiled {
            mask_of(self.n, |i| list[i])
        } else {
            EMPTY
        };
        Mask { bits, list }
    }

    /// The users flag: the policies whose users assignment misses the user.
    fn users_fail(
        &self,
        sign_in: &SignIn,
        id: &str,
        groups: &[String],
        roles: &[String],
        guest: Option<GuestOrExternalUserType>,
        tenant: Option<&str>,
    ) -> Bits {
        // `Side::matches`: All, the id, a group, a role; then, for guests,
        // the keyword or a guest selection of the type and tenant.
        let mut m = self.users_all;
        let mut add = |x: Sides| {
            m.include = or(m.include, x.include);
            m.exclude = or(m.exclude, x.exclude);
        };
        add(self.user_ids.get(id));
        for g in groups {
            add(self.group_ids.get(g));
        }
        for r in roles {
            add(self.role_ids.get(r));
        }
        if let Some(kind) = guest {
            let types = GuestOrExternalUserType::all()
                .iter()
                .position(|t| *t == kind)
                .map_or_else(Sides::default, |k| self.guest_types[k]);
            let tenants = if kind == GuestOrExternalUserType::InternalGuest {
                Sides {
                    include: self.all,
                    exclude: self.all,
                }
            } else {
                let listed = tenant.map_or_else(Sides::default, |t| self.guest_tenants.get(t));
                Sides {
                    include: or(self.guest_any_tenant.include, listed.include),
                    exclude: or(self.guest_any_tenant.exclude, listed.exclude),
                }
            };
            add(self.guests_keyword);
            add(Sides {
                include: and(types.include, tenants.include),
                exclude: and(types.exclude, tenants.exclude),
            });
        }
        let Sides { include, exclude } = m;
        let eas = if sign_in.client_app == ClientApp::ExchangeActiveSync {
            self.eas
        } else {
            EMPTY
        };
        let hit = and_not(and(self.users_present, or(eas, include)), exclude);
        and_not(self.all, hit)
    }

    fn fails(&self, sign_in: &SignIn, cache: &mut Cache) -> Fails {
        let mut f = Fails([EMPTY; REASONS]);
        f.add(Reason::PolicyNotEnabled, self.not_enabled);
        f.add(Reason::EmptyPolicy, self.empty);
        f.add(Reason::AgentIdRisk, self.agent);
        let is_user = match &sign_in.identity {
            Identity::User {
                id,
                groups,
                roles,
                guest_type,
                external_tenant,
            } => {
                let fail = self.users_fail(
                    sign_in,
                    id,
                    groups,
                    roles,
                    *guest_type,
                    external_tenant.as_deref(),
                );
                f.add(Reason::Users, fail);
                true
            }
            Identity::ServicePrincipal { id } => {
                let s = self.sp_ids.get(id);
                let hit = and_not(
                    and(self.workload_present, or(self.workload_all, s.include)),
                    s.exclude,
                );
                f.add(Reason::WorkloadIdentities, and_not(self.all, hit));
                false
            }
        };
        // A user action or authentication context: `All` resources covers
        // it, other application targets do not (`Engine::target_reason`).
        let other_kinds = or(self.missing_target, and_not(self.apps_kind, self.apps_all));
        let mut register_device = false;
        match &sign_in.target {
            Target::Applications(list) => {
                let mut any = EMPTY;
                for app in list {
                    let s = self.app_ids.get(app);
                    any = or(any, and_not(or(self.apps_all, s.include), s.exclude));
                }
                f.add(
                    Reason::Application,
                    or(self.missing_target, and_not(self.apps_kind, any)),
                );
                f.add(Reason::UserActions, self.actions_kind);
                f.add(Reason::AuthenticationContext, self.contexts_kind);
            }
            Target::UserAction(x) => {
                register_device = x.eq_ignore_ascii_case(REGISTER_DEVICE);
                f.add(Reason::Application, other_kinds);
                f.add(
                    Reason::UserActions,
                    and_not(self.actions_kind, self.actions.get(x).include),
                );
                f.add(Reason::AuthenticationContext, self.contexts_kind);
            }
            Target::AuthenticationContext(c) => {
                f.add(Reason::Application, other_kinds);
                f.add(Reason::UserActions, self.actions_kind);
                f.add(
                    Reason::AuthenticationContext,
                    and_not(self.contexts_kind, self.contexts.get(c).include),
                );
            }
        }
        if is_user {
            if !register_device {
                f.add(
                    Reason::ClientApps,
                    self.client[client_index(sign_in.client_app)],
                );
                f.add(Reason::InvalidCondition, self.invalid_device);
                if !sign_in.device.registered {
                    f.add(Reason::Devices, self.unregistered_device);
                } else {
                    let ps = &self.engine.policies;
                    for r in &self.device_rules {
                        if let Some(engine::DeviceCond { rule: Ok(expr), .. }) =
                            &ps[r.policy].device
                        {
                            cache.stats.device_filters += 1;
                            let hit = expr.matches(&sign_in.device);
                            f.add(Reason::Devices, if hit { r.exclude } else { r.include });
                        }
                    }
                }
            }
            f.add(
                Reason::DevicePlatform,
                self.platform
                    .get(sign_in.platform.filter(|p| *p != Platform::All)),
            );
            f.add(
                Reason::SignInRisk,
                self.sign_in_risk.get(Some(sign_in.sign_in_risk)),
            );
            f.add(
                Reason::UserRisk,
                self.user_risk.get(Some(sign_in.user_risk)),
            );
            f.add(Reason::InsiderRisk, self.insider.get(sign_in.insider_risk));
            f.add(
                Reason::AuthenticationFlow,
                self.flow.get(sign_in.transfer_method),
            );
        } else {
            f.add(
                Reason::ServicePrincipalRisk,
                self.sp_risk.get(Some(sign_in.service_principal_risk)),
            );
        }
        if self.locations_present != EMPTY {
            f.add(Reason::Location, self.location_fail(sign_in, cache));
        }
        f
    }

    /// The location flag, through the cache.
    fn location_fail(&self, sign_in: &SignIn, cache: &mut Cache) -> Bits {
        // The country matters only when a named location lists countries;
        // ISO 3166 codes are two letters, a value over 6 bytes is evaluated
        // uncached.
        let (ip, kind) = match sign_in.ip {
            None => (0, 0u64),
            Some(IpAddr::V4(a)) => (u128::from(u32::from(a)), 4),
            Some(IpAddr::V6(a)) => (u128::from(a), 6),
        };
        let mut word = kind;
        if self.countries_matter
            && let Some(c) = &sign_in.country
        {
            if c.len() > 6 {
                return self.location_eval(sign_in, cache);
            }
            word |= (c.len() as u64) << 8;
            for (k, b) in c.bytes().enumerate() {
                word |= u64::from(b) << (16 + 8 * k);
            }
        }
        let key = (ip, word);
        if let Some(b) = cache.locations.get(&key) {
            return *b;
        }
        let b = self.location_eval(sign_in, cache);
        if cache.locations.len() >= CACHE_LIMIT {
            cache.locations.clear();
        }
        cache.locations.insert(key, b);
        b
    }

    /// The location flag by the engine's own location code.
    fn location_eval(&self, sign_in: &SignIn, cache: &mut Cache) -> Bits {
        cache.stats.location_misses += 1;
        let mut ctx = self.engine.context(sign_in);
        ctx.quiet = true;
        let mut fail = EMPTY;
        for (i, p) in self.engine.policies[..self.n].iter().enumerate() {
            if let Some(l) = &p.locations {
                let hit = l
                    .include
                    .iter()
                    .any(|x| self.engine.location_matches(*x, &mut ctx))
                    && !l
                        .exclude
                        .iter()
                        .any(|x| self.engine.location_matches(*x, &mut ctx));
                if !hit {
                    set(&mut fail, i);
                }
            }
        }
        fail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Policy;
    use crate::test_support::{from_yaml, tenant_from_yaml};

    const TENANT: &str = r#"
namedLocations:
  HQ: { id: 55555555-5555-4555-8555-555555555555, trusted: true, ipRanges: [203.0.113.0/24] }
  Allowed countries: { id: 66666666-6666-4666-8666-666666666666, countries: [NL] }
"#;

    fn policy(name: &str, extra: &str) -> Policy {
        from_yaml(&format!(
            "displayName: {name}\nstate: enabled\nusers: {{ include: {{ users: [All] }} }}\napplications: {{ include: [All] }}\ngrant: {{ operator: OR, builtInControls: [mfa] }}\n{extra}"
        ))
    }

    fn user_sign_in(ip: IpAddr) -> SignIn {
        let mut s = SignIn::new(
            Identity::user("a11ce000-0000-4000-8000-000000000001"),
            Target::Applications(vec!["00000003-0000-0ff1-ce00-000000000000".into()]),
            ClientApp::Browser,
        );
        s.ip = Some(ip);
        s.country = Some("NL".into());
        s
    }

    /// The location cache never holds more than `CACHE_LIMIT` entries
    /// however many distinct addresses come by, and answers stay the
    /// engine's across the clearing.
    #[test]
    fn location_cache_is_bounded() {
        let tenant = tenant_from_yaml(TENANT);
        let policies = [
            policy(
                "outside HQ",
                "locations: { include: [All], exclude: [55555555-5555-4555-8555-555555555555] }",
            ),
            policy(
                "NL",
                "locations: { include: [66666666-6666-4666-8666-666666666666] }",
            ),
        ];
        let refs: Vec<_> = policies
            .iter()
            .map(|p| super::super::PolicyRef {
                name: &p.display_name,
                policy: p,
            })
            .collect();
        let engine = Engine::new(&refs, Some(&tenant));
        let fast = FastEngine::new(&refs, Some(&tenant));
        let mut cache = Cache::default();
        let (mut want, mut got) = (Vec::new(), Vec::new());
        let total = CACHE_LIMIT as u32 + 5_000;
        for k in 0..total {
            // Every 16th address is inside HQ.
            let ip = if k % 16 == 0 {
                std::net::Ipv4Addr::new(203, 0, 113, (k / 16 % 256) as u8)
            } else {
                std::net::Ipv4Addr::from(0x0a00_0000 + k)
            };
            let s = user_sign_in(ip.into());
            fast.reasons_into(&s, &mut cache, &mut got);
            assert!(cache.locations.len() <= CACHE_LIMIT);
            if k % 97 == 0 || k >= CACHE_LIMIT as u32 - 10 {
                engine.reasons_into(&s, &mut want);
                assert_eq!(want, got, "address {ip}");
            }
        }
        // HQ addresses repeat (256 of them, hit from the cache until it is
        // cleared), the others are all distinct.
        let misses = cache.stats.location_misses;
        assert!(misses < u64::from(total) - 3_000, "{misses}");
        assert!(misses > u64::from(total) - 4_500, "{misses}");
    }

    /// GUIDs are keyed by value exactly when the engine's ASCII-case-blind
    /// string comparison would call them equal; other spellings stay
    /// strings, so `{guid}` never matches `guid` (it does not in the engine
    /// either).
    #[test]
    fn guid_keys_agree_with_case_blind_string_equality() {
        let g = "a11ce000-0000-4000-8000-00000000000f";
        assert_eq!(guid(g), Some(0xa11ce000_0000_4000_8000_00000000000f));
        assert_eq!(guid(&g.to_ascii_uppercase()), guid(g));
        for not in [
            "{a11ce000-0000-4000-8000-00000000000f}",
            " a11ce000-0000-4000-8000-00000000000f",
            "a11ce000-0000-4000-8000-00000000000",
            "a11ce000-0000-4000-8000-00000000000g",
            "a11ce000+0000-4000-8000-00000000000f",
            "a11ce0000000-4000-8000-00000000000f0",
            "a11ce000-0000-4000-8000-0000000000ſf",
            "",
        ] {
            assert_eq!(guid(not), None, "{not:?}");
        }
        let mut m = IdMap::default();
        m.add(g, 0, true);
        m.add("{A11CE000-0000-4000-8000-00000000000F}", 1, true);
        m.add("urn:user:registerSecurityInfo", 2, false);
        assert_eq!(m.get(&g.to_ascii_uppercase()).include, [1, 0, 0, 0]);
        assert_eq!(
            m.get("{a11ce000-0000-4000-8000-00000000000f}").include,
            [2, 0, 0, 0]
        );
        assert_eq!(m.get("URN:USER:REGISTERSECURITYINFO").exclude, [4, 0, 0, 0]);
        assert_eq!(m.get("a11ce000-0000-4000-8000-00000000000e").include, EMPTY);
    }

    /// A set over `MAX_POLICIES` is evaluated by the general engine, counted,
    /// with the engine's answers.
    #[test]
    fn oversized_sets_fall_back_to_the_engine() {
        let policies: Vec<Policy> = (0..MAX_POLICIES + 3)
            .map(|i| policy(&format!("P{i}"), "clientAppTypes: [browser]"))
            .collect();
        let refs: Vec<_> = policies
            .iter()
            .map(|p| super::super::PolicyRef {
                name: &p.display_name,
                policy: p,
            })
            .collect();
        let engine = Engine::new(&refs, None);
        let fast = FastEngine::new(&refs, None);
        let mut cache = Cache::default();
        let (mut want, mut got) = (Vec::new(), Vec::new());
        for client in CLIENTS {
            let mut s = user_sign_in("198.51.100.1".parse().unwrap());
            s.client_app = client;
            engine.reasons_into(&s, &mut want);
            fast.reasons_into(&s, &mut cache, &mut got);
            assert_eq!(want, got);
            assert_eq!(got.len(), MAX_POLICIES + 3);
        }
        assert_eq!(cache.stats.general, 4);
    }
}
