//! Replaying sign-in records against a policy set (and a base set), with
//! aggregates and the self-check against Entra's own verdicts.
//!
//! Contract: [`PolicySet::verdict`] evaluates one record with the one
//! what-if engine ([`crate::whatif::Engine`], through its compiled form
//! [`crate::whatif::FastEngine`], which gives the same flags) and then
//! withholds what the record cannot decide. A policy is **unknown** for a record when the record
//! lacks a fact the policy's conditions read ([`super::Missing`]: group or
//! role membership not in the members file, the exact guest type, user /
//! insider / service principal risk, a hidden sign-in risk, the
//! authentication flow, a location the tenant file does not detail, device
//! filter attributes of a registered device, app or service principal
//! filters) *and* no other condition already rules the policy out — all
//! conditions are ANDed ("All assignments are logically ANDed",
//! <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policies>),
//! so one failing known condition decides. The access verdict is then:
//! `block` when a known applying enforced policy blocks ("If there's a
//! policy that is configured to block access … enforcement will stop here",
//! same page: more policies cannot undo it), else `unknown` when an enforced
//! policy is unknown, else `grant` (something to satisfy) or `allow`, with
//! the engine's [`crate::whatif::grant_effect`] deciding per policy.
//!
//! Changes (head against base): `newlyBlocked` (base not block, head
//! block), `newlyPrompted` (base allow, head grant), `newlyUnprotected`
//! (base grant or block, head allow); a record unknown on either side is
//! `undetermined`, never counted as a change.
//!
//! Self-check: each entry of `appliedConditionalAccessPolicies` is matched
//! to a head policy by id (the spec's `id`, else `caac.lock`), else by
//! display name (with a warning, once per name). Entra's `result`
//! (<https://learn.microsoft.com/graph/api/resources/appliedconditionalaccesspolicy>):
//! `success`, `failure`, `reportOnlySuccess`, `reportOnlyFailure`,
//! `reportOnlyInterrupted` mean the policy applied; `notApplied`
//! ("policy conditions weren't met"), `reportOnlyNotApplied` and
//! `notEnabled` mean it did not; `unknown` and anything else are not
//! compared. caac's side is whether the policy applies (report-only
//! policies "would apply"); an unknown caac verdict is not compared.
//! Each disagreement names the sign-in, the policy and the conditions that
//! decided caac's answer.
//!
//! Cost: [`Replayer::record`] evaluates through [`PolicySet::verdict`]'s
//! allocation-free twin (what depends on the policy or the members file
//! alone is computed once) and keeps its totals in per-index counters and
//! `&str`-keyed maps; [`Replayer::finish`] folds them into the sorted
//! [`Report`]. `tests/cli/replay_bookkeeping.rs` holds the straightforward
//! per-record code as the reference the reports must equal byte for byte.

use super::{Missing, Record};
use crate::model::{GuestOrExternalUserType, Policy, State, Tenant, Wire};
use crate::whatif::compiled::Cache;
use crate::whatif::{
    FastEngine, GrantEffect, Identity, PolicyRef, Reason, ReasonSet, SignIn, grant_effect,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The facts a record may lack ([`Missing`]), by the names the report
/// counts them under (`unknown`); the KQL query ([`super::kql`]) uses the
/// same names.
pub mod fact {
    /// Group or role membership (no members file entry).
    pub const MEMBERSHIP: &str = "membership";
    /// The exact guest or external user type.
    pub const GUEST_TYPE: &str = "guest type";
    /// User risk.
    pub const USER_RISK: &str = "user risk";
    /// Sign-in risk (hidden or absent).
    pub const SIGN_IN_RISK: &str = "sign-in risk";
    /// The authentication flow.
    pub const FLOW: &str = "authentication flow";
    /// Insider risk.
    pub const INSIDER_RISK: &str = "insider risk";
    /// A registered device's filter attributes.
    pub const DEVICE_FILTER: &str = "device filter";
    /// Service principal risk.
    pub const SP_RISK: &str = "service principal risk";
    /// A service principal filter (custom security attributes).
    pub const SP_FILTER: &str = "service principal filter";
    /// The location.
    pub const LOCATION: &str = "location";
    /// An application filter (custom security attributes).
    pub const APP_FILTER: &str = "application filter";
    /// Every fact, in the order the replay checks them.
    pub const ALL: [&str; 11] = [
        MEMBERSHIP,
        GUEST_TYPE,
        USER_RISK,
        SIGN_IN_RISK,
        FLOW,
        INSIDER_RISK,
        DEVICE_FILTER,
        SP_RISK,
        SP_FILTER,
        LOCATION,
        APP_FILTER,
    ];
}

/// Why a record is skipped, as the report counts it; the KQL query
/// ([`super::kql`]) uses the same names.
pub mod skip {
    /// The record cannot be read ([`super::Record::from_fields`]).
    pub const UNREADABLE: &str = "unreadable record";
    /// A field the request needs is missing.
    pub const MISSING_FIELD: &str = "missing field";
    /// `clientAppUsed` is not a value the Conditions page lists.
    pub const UNKNOWN_CLIENT_APP: &str = "unknown clientAppUsed";
}

/// The JSON output's format version.
pub const JSON_VERSION: u32 = 1;

/// The combined verdict for one record under one policy set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// An applying enforced policy blocks.
    Block,
    /// Access after satisfying the applying enforced policies' controls.
    Grant,
    /// No applying enforced policy requires anything.
    Allow,
    /// An enforced policy depends on a fact the record lacks.
    Unknown,
}

impl Access {
    /// The verdict of a record from what its policies say (module docs: a
    /// known block wins, then an unknown enforced policy, then controls to
    /// satisfy): `block` when an applying enforced policy blocks, else
    /// `unknown` when an enforced policy is unknown, else `grant` when one
    /// requires controls, else `allow`.
    fn combine(block: bool, unknown: bool, grant: bool) -> Access {
        if block {
            Access::Block
        } else if unknown {
            Access::Unknown
        } else if grant {
            Access::Grant
        } else {
            Access::Allow
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Block => "block",
            Access::Grant => "grant",
            Access::Allow => "allow",
            Access::Unknown => "unknown",
        }
    }
}

/// One policy's status for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Every condition matches.
    Applies,
    /// Some known condition fails (the reasons).
    NotApplies(ReasonSet),
    /// Depends on facts the record lacks (what is missing).
    Unknown(Vec<&'static str>),
}

/// One record under one policy set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The access verdict.
    pub access: Access,
    /// Per policy, in set order.
    pub statuses: Vec<Status>,
}

/// What a policy reads, precomputed once.
#[derive(Debug, Clone, Default)]
struct Deps {
    groups: Vec<String>,
    roles: Vec<String>,
    guest_types: bool,
    user_risk: bool,
    sign_in_risk: bool,
    flow: bool,
    /// Has a locations condition; `true` in the second field when it names
    /// a location caac cannot evaluate offline.
    locations: Option<bool>,
    device_filter: bool,
    insider: bool,
    sp_risk: bool,
    sp_filter: bool,
    app_filter: bool,
}

fn deps(p: &Policy, tenant: Option<&Tenant>) -> Deps {
    let mut d = Deps::default();
    if let Some(u) = &p.users {
        for set in [&u.include, &u.exclude].into_iter().flatten() {
            d.groups
                .extend(set.groups.iter().map(|g| g.to_ascii_lowercase()));
            d.roles
                .extend(set.roles.iter().map(|r| r.to_ascii_lowercase()));
            // Every type, from every tenant, is decided by "external" alone.
            if let Some(g) = &set.guests_or_external_users {
                let every_type = GuestOrExternalUserType::all()
                    .iter()
                    .all(|t| g.types.contains(t));
                let every_tenant = g.tenants.is_empty() || g.tenants.iter().any(|t| t == "All");
                if !every_type || !every_tenant {
                    d.guest_types = true;
                }
            }
        }
    }
    d.user_risk = !p.user_risk_levels.is_empty();
    d.sign_in_risk = !p.sign_in_risk_levels.is_empty();
    d.flow = !p.authentication_flows.is_empty();
    d.insider = !p.insider_risk_levels.is_empty();
    d.sp_risk = !p.service_principal_risk_levels.is_empty();
    d.device_filter = p.devices.as_ref().is_some_and(|x| x.filter.is_some());
    d.sp_filter = p
        .client_applications
        .as_ref()
        .is_some_and(|c| c.filter.is_some());
    d.app_filter = p.applications.as_ref().is_some_and(|a| a.filter.is_some());
    if let Some(l) = &p.locations {
        let detailed: HashSet<String> = tenant
            .map(|t| {
                t.named_locations
                    .values()
                    .filter(|e| e.detail().is_some())
                    .map(|e| e.id().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        let all_detailed =
            tenant.is_none_or(|t| t.named_locations.values().all(|e| e.detail().is_some()));
        let unevaluable = l
            .include
            .iter()
            .chain(&l.exclude)
            .any(|r| match r.as_str() {
                "All" => false,
                "AllTrusted" => !all_detailed,
                id => !detailed.contains(&id.to_ascii_lowercase()),
            });
        d.locations = Some(unevaluable);
    }
    d
}

/// A set of [`fact`]s as bits (bit `k`: `fact::ALL[k]`), so that a
/// record's unknown policies cost no allocation.
type Facts = u16;

/// The bit of each fact, in [`fact::ALL`] order.
mod bit {
    use super::Facts;
    pub const MEMBERSHIP: Facts = 1 << 0;
    pub const GUEST_TYPE: Facts = 1 << 1;
    pub const USER_RISK: Facts = 1 << 2;
    pub const SIGN_IN_RISK: Facts = 1 << 3;
    pub const FLOW: Facts = 1 << 4;
    pub const INSIDER_RISK: Facts = 1 << 5;
    pub const DEVICE_FILTER: Facts = 1 << 6;
    pub const SP_RISK: Facts = 1 << 7;
    pub const SP_FILTER: Facts = 1 << 8;
    pub const LOCATION: Facts = 1 << 9;
    pub const APP_FILTER: Facts = 1 << 10;
}

/// The condition each fact leaves undecided, in [`fact::ALL`] order (as
/// [`PolicySet::verdict`] pairs them).
const FACT_REASON: [Reason; 11] = [
    Reason::Users,
    Reason::Users,
    Reason::UserRisk,
    Reason::SignInRisk,
    Reason::AuthenticationFlow,
    Reason::InsiderRisk,
    Reason::Devices,
    Reason::ServicePrincipalRisk,
    Reason::WorkloadIdentities,
    Reason::Location,
    Reason::Application,
];

/// The names of the facts in `f`, in [`fact::ALL`] order.
fn fact_names(f: Facts) -> Vec<&'static str> {
    (0..fact::ALL.len())
        .filter(|k| f & (1 << k) != 0)
        .map(|k| fact::ALL[k])
        .collect()
}

/// What a grant does to a sign-in of one [`crate::whatif::Shape`], as the
/// access verdict needs it ([`grant_effect`] reduced to its kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Nothing,
    Block,
    Require,
}

/// [`Deps`] folded into the masks [`PolicySet::quick_into`] needs, and
/// the grant's effect per shape: everything about a policy that does not
/// depend on the record, computed once instead of per record.
#[derive(Debug, Clone)]
struct Needs {
    /// User sign-ins: facts the policy reads, lacking when the record lacks them.
    user_reads: Facts,
    /// User sign-ins: facts always lacking (insider risk, an application
    /// filter, a location caac cannot evaluate offline).
    user_always: Facts,
    /// Service principal sign-ins: likewise.
    sp_reads: Facts,
    /// Service principal sign-ins: likewise.
    sp_always: Facts,
    /// Enabled (report-only and disabled policies never decide access).
    enabled: bool,
    /// [`grant_effect`] per [`crate::whatif::Shape::index`].
    effect: [Effect; 8],
}

fn needs(r: PolicyRef, d: &Deps) -> Needs {
    let mut n = Needs {
        user_reads: 0,
        user_always: 0,
        sp_reads: 0,
        sp_always: 0,
        enabled: r.policy.state == State::Enabled,
        effect: [Effect::Nothing; 8],
    };
    let set = |on: bool, mask: &mut Facts, b: Facts| {
        if on {
            *mask |= b;
        }
    };
    // Membership is decided per members file: [`PolicySet::membership`].
    set(d.guest_types, &mut n.user_reads, bit::GUEST_TYPE);
    set(d.user_risk, &mut n.user_reads, bit::USER_RISK);
    set(d.sign_in_risk, &mut n.user_reads, bit::SIGN_IN_RISK);
    set(d.flow, &mut n.user_reads, bit::FLOW);
    set(d.insider, &mut n.user_always, bit::INSIDER_RISK);
    set(d.device_filter, &mut n.user_reads, bit::DEVICE_FILTER);
    set(d.sp_risk, &mut n.sp_always, bit::SP_RISK);
    set(d.sp_filter, &mut n.sp_always, bit::SP_FILTER);
    match d.locations {
        Some(true) => {
            n.user_always |= bit::LOCATION;
            n.sp_always |= bit::LOCATION;
        }
        Some(false) => {
            n.user_reads |= bit::LOCATION;
            n.sp_reads |= bit::LOCATION;
        }
        None => {}
    }
    set(d.app_filter, &mut n.user_always, bit::APP_FILTER);
    set(d.app_filter, &mut n.sp_always, bit::APP_FILTER);
    if n.enabled {
        for shape in crate::whatif::Shape::ALL {
            n.effect[shape.index()] = match grant_effect(r.name, r.policy, shape) {
                GrantEffect::Nothing => Effect::Nothing,
                GrantEffect::Block(_) | GrantEffect::Unsatisfiable(_) => Effect::Block,
                GrantEffect::Require(_) => Effect::Require,
            };
        }
    }
    n
}

/// One policy's status for one record, without allocation: [`Status`]
/// with the missing facts as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quick {
    Applies,
    NotApplies(ReasonSet),
    Unknown(Facts),
}

impl Quick {
    /// The same status as [`PolicySet::verdict`] reports it.
    #[cfg(test)]
    fn status(self) -> Status {
        match self {
            Quick::Applies => Status::Applies,
            Quick::NotApplies(r) => Status::NotApplies(r),
            Quick::Unknown(f) => Status::Unknown(fact_names(f)),
        }
    }
}

/// A policy set ready for replay.
pub struct PolicySet<'a> {
    engine: FastEngine<'a>,
    /// The compiled evaluator's location cache (bounded).
    cache: Cache,
    /// The policies, in order.
    pub refs: Vec<PolicyRef<'a>>,
    deps: Vec<Deps>,
    needs: Vec<Needs>,
    scratch: Vec<ReasonSet>,
}

impl<'a> PolicySet<'a> {
    /// Compiles `refs` once.
    pub fn new(refs: Vec<PolicyRef<'a>>, tenant: Option<&Tenant>) -> PolicySet<'a> {
        let deps: Vec<Deps> = refs.iter().map(|r| deps(r.policy, tenant)).collect();
        PolicySet {
            engine: FastEngine::new(&refs, tenant),
            cache: Cache::default(),
            needs: refs.iter().zip(&deps).map(|(r, d)| needs(*r, d)).collect(),
            deps,
            refs,
            scratch: Vec::new(),
        }
    }

    /// Per policy: is group or role membership unknown for a record
    /// without it, given the groups and roles the members file covers
    /// (`None`: no members file)? It depends on the file alone, so
    /// [`Replayer`] asks once, not per record.
    fn membership(&self, known: Option<(&HashSet<String>, &HashSet<String>)>) -> Vec<bool> {
        self.deps
            .iter()
            .map(|d| match known {
                None => !d.groups.is_empty() || !d.roles.is_empty(),
                Some((g, r)) => {
                    d.groups.iter().any(|x| !g.contains(x))
                        || d.roles.iter().any(|x| !r.contains(x))
                }
            })
            .collect()
    }

    /// [`PolicySet::verdict`] into `out` (one [`Quick`] per policy) without
    /// allocating: the same statuses and access, with what depends on the
    /// policy alone taken from [`Needs`] and `membership`
    /// ([`PolicySet::membership`] of the same members file).
    fn quick_into(
        &mut self,
        sign_in: &SignIn,
        missing: Missing,
        membership: &[bool],
        out: &mut Vec<Quick>,
    ) -> Access {
        self.engine
            .reasons_into(sign_in, &mut self.cache, &mut self.scratch);
        let is_user = matches!(sign_in.identity, Identity::User { .. });
        let shape = if is_user { sign_in.shape().index() } else { 0 };
        // The facts this record lacks (the "always" ones are per policy).
        let mut lacks: Facts = 0;
        let mut on = |c: bool, b: Facts| {
            if c {
                lacks |= b;
            }
        };
        on(missing.location, bit::LOCATION);
        if is_user {
            on(missing.guest_type, bit::GUEST_TYPE);
            on(missing.user_risk, bit::USER_RISK);
            on(missing.sign_in_risk, bit::SIGN_IN_RISK);
            on(missing.flow, bit::FLOW);
            on(sign_in.device.registered, bit::DEVICE_FILTER);
        }
        let membership_missing = is_user && missing.membership;
        out.clear();
        out.reserve(self.scratch.len());
        let (mut block, mut grant, mut unknown) = (false, false, false);
        for ((reasons, n), member) in self.scratch.iter().zip(&self.needs).zip(membership) {
            let mut lacking = if is_user {
                (n.user_reads & lacks) | n.user_always
            } else {
                (n.sp_reads & lacks) | n.sp_always
            };
            if membership_missing && *member {
                lacking |= bit::MEMBERSHIP;
            }
            let q = if lacking != 0 && !decided_elsewhere(*reasons, lacking) {
                Quick::Unknown(lacking)
            } else if reasons.is_empty() {
                Quick::Applies
            } else {
                Quick::NotApplies(*reasons)
            };
            if n.enabled {
                match q {
                    Quick::Applies => match n.effect[shape] {
                        Effect::Nothing => {}
                        Effect::Block => block = true,
                        Effect::Require => grant = true,
                    },
                    Quick::Unknown(_) => unknown = true,
                    Quick::NotApplies(_) => {}
                }
            }
            out.push(q);
        }
        Access::combine(block, unknown, grant)
    }

    /// The same set evaluated by the general engine alone, without the
    /// compiled tables: the reference the differential tests compare
    /// [`PolicySet::new`]'s verdicts with.
    pub fn uncompiled(refs: Vec<PolicyRef<'a>>, tenant: Option<&Tenant>) -> PolicySet<'a> {
        let engine = crate::whatif::Engine::new(&refs, tenant);
        PolicySet {
            engine: FastEngine::uncompiled(engine),
            ..PolicySet::new(refs, tenant)
        }
    }

    /// The verdict for `sign_in` (memberships already filled in), whose
    /// record lacks `missing`; `known_groups` / `known_roles` are the ones
    /// the members file covers (`None`: no members file).
    pub fn verdict(
        &mut self,
        sign_in: &SignIn,
        missing: Missing,
        known: Option<(&HashSet<String>, &HashSet<String>)>,
    ) -> Verdict {
        self.engine
            .reasons_into(sign_in, &mut self.cache, &mut self.scratch);
        let is_user = matches!(sign_in.identity, Identity::User { .. });
        let shape = sign_in.shape();
        let mut statuses = Vec::with_capacity(self.refs.len());
        let mut block = false;
        let mut grant = false;
        let mut unknown = false;
        for (i, reasons) in self.scratch.iter().enumerate() {
            let d = &self.deps[i];
            let mut why: Vec<&'static str> = Vec::new();
            let mut affected = ReasonSet::default();
            let mut lacks = |what: &'static str, r: Reason| {
                why.push(what);
                affected.insert(r);
            };
            if is_user {
                let groups_unknown = match known {
                    None => !d.groups.is_empty() || !d.roles.is_empty(),
                    Some((g, r)) => {
                        d.groups.iter().any(|x| !g.contains(x))
                            || d.roles.iter().any(|x| !r.contains(x))
                    }
                };
                if missing.membership && groups_unknown {
                    lacks(fact::MEMBERSHIP, Reason::Users);
                }
                if missing.guest_type && d.guest_types {
                    lacks(fact::GUEST_TYPE, Reason::Users);
                }
                if missing.user_risk && d.user_risk {
                    lacks(fact::USER_RISK, Reason::UserRisk);
                }
                if missing.sign_in_risk && d.sign_in_risk {
                    lacks(fact::SIGN_IN_RISK, Reason::SignInRisk);
                }
                if missing.flow && d.flow {
                    lacks(fact::FLOW, Reason::AuthenticationFlow);
                }
                if d.insider {
                    lacks(fact::INSIDER_RISK, Reason::InsiderRisk);
                }
                if d.device_filter && sign_in.device.registered {
                    lacks(fact::DEVICE_FILTER, Reason::Devices);
                }
            } else {
                if d.sp_risk {
                    lacks(fact::SP_RISK, Reason::ServicePrincipalRisk);
                }
                if d.sp_filter {
                    lacks(fact::SP_FILTER, Reason::WorkloadIdentities);
                }
            }
            if let Some(unevaluable) = d.locations
                && (unevaluable || missing.location)
            {
                lacks(fact::LOCATION, Reason::Location);
            }
            if d.app_filter {
                lacks(fact::APP_FILTER, Reason::Application);
            }
            let decided_elsewhere = reasons.iter().any(|r| !affected.contains(r));
            let status = if why.is_empty() || decided_elsewhere {
                if reasons.is_empty() {
                    Status::Applies
                } else {
                    Status::NotApplies(*reasons)
                }
            } else {
                why.dedup();
                Status::Unknown(why)
            };
            let r = self.refs[i];
            if r.policy.state == State::Enabled {
                match &status {
                    Status::Applies => match grant_effect(r.name, r.policy, shape) {
                        GrantEffect::Nothing => {}
                        GrantEffect::Block(_) | GrantEffect::Unsatisfiable(_) => block = true,
                        GrantEffect::Require(_) => grant = true,
                    },
                    Status::Unknown(_) => unknown = true,
                    Status::NotApplies(_) => {}
                }
            }
            statuses.push(status);
        }
        Verdict {
            access: Access::combine(block, unknown, grant),
            statuses,
        }
    }
}

/// Some condition that fails does not rest on a fact in `lacking`: all
/// conditions are ANDed, so the policy is decided (not applying) anyway.
fn decided_elsewhere(reasons: ReasonSet, lacking: Facts) -> bool {
    if reasons.is_empty() {
        return false;
    }
    let mut affected = ReasonSet::default();
    let mut f = lacking;
    while f != 0 {
        affected.insert(FACT_REASON[f.trailing_zeros() as usize]);
        f &= f - 1;
    }
    !reasons.is_subset(affected)
}

/// The `caac whatif` request (Graph's `POST
/// /identity/conditionalAccess/evaluate` body,
/// <https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate>)
/// that reproduces `s`: [`crate::whatif::request::parse`] reads it back to
/// the same sign-in.
pub fn whatif_request(s: &SignIn) -> Value {
    let identity = match &s.identity {
        Identity::User {
            id,
            groups,
            roles,
            guest_type,
            external_tenant,
        } => {
            let mut o = json!({"@odata.type": "#microsoft.graph.userSignIn", "userId": id});
            if let Some(g) = guest_type {
                o["externalUserType"] = json!(g.wire());
            }
            if let Some(t) = external_tenant {
                o["externalTenantId"] = json!(t);
            }
            o["memberOf"] = json!(groups);
            o["directoryRoles"] = json!(roles);
            o
        }
        Identity::ServicePrincipal { id } => {
            json!({"@odata.type": "#microsoft.graph.servicePrincipalSignIn", "servicePrincipalId": id})
        }
    };
    let context = match &s.target {
        crate::whatif::Target::Applications(apps) => {
            json!({"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": apps})
        }
        crate::whatif::Target::UserAction(a) => {
            json!({"@odata.type": "#microsoft.graph.userActionContext", "userAction": a})
        }
        crate::whatif::Target::AuthenticationContext(c) => {
            json!({"@odata.type": "#microsoft.graph.authContext", "authenticationContextValue": c})
        }
    };
    let mut c = serde_json::Map::new();
    if matches!(s.identity, Identity::User { .. }) {
        c.insert("clientAppType".into(), json!(s.client_app.as_str()));
        if let Some(p) = s.platform {
            c.insert("devicePlatform".into(), json!(p.wire()));
        }
        c.insert("signInRiskLevel".into(), json!(s.sign_in_risk.wire()));
        c.insert("userRiskLevel".into(), json!(s.user_risk.wire()));
        if let Some(t) = s.transfer_method {
            c.insert(
                "authenticationFlow".into(),
                json!({"transferMethod": t.wire()}),
            );
        }
        if s.device.registered {
            let attrs: serde_json::Map<String, Value> = s
                .device
                .attributes
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        crate::whatif::DeviceValue::String(x) => json!(x),
                        crate::whatif::DeviceValue::Bool(b) => json!(b),
                        crate::whatif::DeviceValue::List(l) => json!(l),
                    };
                    (k.clone(), v)
                })
                .collect();
            c.insert("deviceInfo".into(), Value::Object(attrs));
        }
    }
    if let Some(ip) = s.ip {
        c.insert("ipAddress".into(), json!(ip.to_string()));
    }
    if let Some(country) = &s.country {
        c.insert("country".into(), json!(country));
    }
    json!({"signInIdentity": identity, "signInContext": context, "signInConditions": c})
}

/// What a change of verdict means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Base not block, head block.
    NewlyBlocked,
    /// Base allow, head grant.
    NewlyPrompted,
    /// Base grant or block, head allow.
    NewlyUnprotected,
    /// Unknown on either side.
    Undetermined,
}

impl Change {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::NewlyBlocked => "newlyBlocked",
            Change::NewlyPrompted => "newlyPrompted",
            Change::NewlyUnprotected => "newlyUnprotected",
            Change::Undetermined => "undetermined",
        }
    }

    /// The change from `base` to `head`, if any.
    pub fn of(base: Access, head: Access) -> Option<Change> {
        use Access::*;
        match (base, head) {
            (Unknown, _) | (_, Unknown) => Some(Change::Undetermined),
            (b, Block) if b != Block => Some(Change::NewlyBlocked),
            (Allow, Grant) => Some(Change::NewlyPrompted),
            (Grant | Block, Allow) => Some(Change::NewlyUnprotected),
            _ => None,
        }
    }
}

/// Entra's `result`: applied (`Some(true)`), not applied, or not comparable.
pub fn entra_applied(result: &str) -> Option<bool> {
    match result {
        "success"
        | "failure"
        | "reportOnlySuccess"
        | "reportOnlyFailure"
        | "reportOnlyInterrupted" => Some(true),
        "notApplied" | "reportOnlyNotApplied" | "notEnabled" => Some(false),
        _ => None,
    }
}

/// Counters for one aggregate key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Sign-ins.
    pub sign_ins: u64,
    /// Head verdicts by access.
    pub head: BTreeMap<Access, u64>,
    /// Changes.
    pub changes: BTreeMap<Change, u64>,
}

/// One self-check disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The sign-in id.
    pub sign_in: String,
    /// `file:line`.
    pub at: String,
    /// The policy's display name.
    pub policy: String,
    /// Entra's result.
    pub entra: String,
    /// caac: the policy applies.
    pub caac_applies: bool,
    /// The conditions that decided caac's answer.
    pub decided_by: String,
}

/// The replay's running totals (bounded by distinct users, apps,
/// platforms and policies, plus the per-sign-in list when kept).
#[derive(Debug, Default)]
pub struct Report {
    /// Records evaluated.
    pub evaluated: u64,
    /// Records skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Skipped record messages (`file:line: message`), the first 100.
    pub skipped_examples: Vec<String>,
    /// Unknown policies by missing fact: records affected.
    pub unknown: BTreeMap<&'static str, u64>,
    /// Head verdicts.
    pub head: BTreeMap<Access, u64>,
    /// Base verdicts (with a base).
    pub base: BTreeMap<Access, u64>,
    /// Changes.
    pub changes: BTreeMap<Change, u64>,
    /// By user.
    pub by_user: BTreeMap<String, Counts>,
    /// By client app.
    pub by_app: BTreeMap<String, Counts>,
    /// By device platform.
    pub by_platform: BTreeMap<String, Counts>,
    /// By head policy: (applies, unknown).
    pub by_policy: BTreeMap<String, (u64, u64)>,
    /// Per sign-in (JSON output).
    pub sign_ins: Vec<Value>,
    /// Self-check: compared, agreed.
    pub compared: u64,
    /// Self-check agreements.
    pub agreed: u64,
    /// Entra entries not compared: (reason → count).
    pub not_compared: BTreeMap<&'static str, u64>,
    /// The disagreements, the first [`MAX_DISAGREEMENTS_LISTED`] of them
    /// ([`Report::disagreements_not_listed`] counts the others).
    pub disagreements: Vec<Disagreement>,
    /// Warnings (deduplicated).
    pub warnings: BTreeSet<String>,
    /// Whether a base was given.
    pub with_base: bool,
    /// Changed sign-ins grouped by the `caac whatif` request that
    /// reproduces them: (change, request text) → (count, first sign-in id, request).
    pub change_groups: BTreeMap<(Change, String), (u64, String, Value)>,
}

/// The most disagreements a report lists: memory stays bounded by distinct
/// users, apps and policies, never by records, however wrong a mapping or
/// a members file makes every record; the others are counted
/// ([`Report::disagreements_not_listed`]). One systematic cause shows in
/// its first thousand examples.
pub const MAX_DISAGREEMENTS_LISTED: usize = 1_000;

/// The most change groups a report lists (the first ones seen): a group is
/// one distinct `caac whatif` request, which carries the user, address and
/// device, so their number can approach the number of records; the changed
/// sign-ins of the others are counted ([`Report::change_groups_not_listed`]).
pub const MAX_CHANGE_GROUPS_LISTED: usize = 1_000;

/// Everything [`Replayer::record`] needs, and its running totals.
///
/// The totals are kept per record in the cheapest form that gives the
/// same report: counters per policy index, per access and per change in
/// arrays, the per-user / app / platform counters in hash maps looked up by
/// `&str`; [`Replayer::finish`] folds them into the name-keyed, sorted
/// [`Report`] (policies that share a display name add up there, as they
/// always have). Memory stays bounded by distinct users, apps, platforms
/// and policies.
pub struct Replayer<'a> {
    head: PolicySet<'a>,
    base: Option<PolicySet<'a>>,
    members: Option<&'a super::members::Members>,
    sign_ins: SignIns,
    report: Report,
    tally: Tally<'a>,
}

/// Counters for one aggregate key, by index ([`Access`] and [`Change`] in
/// their `Ord` order).
#[derive(Debug, Clone, Copy, Default)]
struct Tallied {
    sign_ins: u64,
    head: [u64; 4],
    changes: [u64; 4],
}

const ACCESSES: [Access; 4] = [Access::Block, Access::Grant, Access::Allow, Access::Unknown];
const CHANGES: [Change; 4] = [
    Change::NewlyBlocked,
    Change::NewlyPrompted,
    Change::NewlyUnprotected,
    Change::Undetermined,
];
/// Why an Entra entry is not compared ([`Report::not_compared`]).
const NOT_COMPARED: [&str; 3] = [
    "policy not in the repository",
    "Entra result not comparable",
    "caac verdict unknown",
];

/// The per-record state of [`Replayer`] (see there).
#[derive(Default)]
struct Tally<'a> {
    /// [`PolicySet::membership`] of the members file, head and base.
    head_membership: Vec<bool>,
    base_membership: Vec<bool>,
    /// The last record's statuses (reused buffers).
    head_quick: Vec<Quick>,
    base_quick: Vec<Quick>,
    /// Per head policy index: (applies, unknown).
    by_policy: Vec<(u64, u64)>,
    /// Per fact ([`fact::ALL`] order): records with an unknown policy.
    unknown: [u64; 11],
    head: [u64; 4],
    base: [u64; 4],
    changes: [u64; 4],
    not_compared: [u64; 3],
    by_user: HashMap<String, Tallied>,
    by_app: HashMap<String, Tallied>,
    by_platform: HashMap<String, Tallied>,
    /// Head policy index by live id (lower case; the first of equal ids).
    by_id: HashMap<String, usize>,
    /// Head policy index by display name (the first of equal names).
    by_name: HashMap<&'a str, usize>,
    /// Per head policy: the display-name warning was given.
    warned: Vec<bool>,
    /// Reused key buffers.
    key: String,
    id: String,
}

/// Counts one record under `key` of `map`, allocating the key only the
/// first time it is seen.
fn tally_key(map: &mut HashMap<String, Tallied>, key: &str, head: Access, change: Option<Change>) {
    let c = match map.get_mut(key) {
        Some(c) => c,
        None => map.entry(key.to_owned()).or_default(),
    };
    c.sign_ins += 1;
    c.head[head as usize] += 1;
    if let Some(ch) = change {
        c.changes[ch as usize] += 1;
    }
}

/// `counts` as a name-keyed map entry's value: only the indexes counted.
fn fold_counts(t: &Tallied) -> Counts {
    Counts {
        sign_ins: t.sign_ins,
        head: fold_access(&t.head),
        changes: fold_changes(&t.changes),
    }
}

fn fold_access(n: &[u64; 4]) -> BTreeMap<Access, u64> {
    ACCESSES
        .iter()
        .zip(n)
        .filter(|(_, n)| **n > 0)
        .map(|(a, n)| (*a, *n))
        .collect()
}

fn fold_changes(n: &[u64; 4]) -> BTreeMap<Change, u64> {
    CHANGES
        .iter()
        .zip(n)
        .filter(|(_, n)| **n > 0)
        .map(|(c, n)| (*c, *n))
        .collect()
}

/// The record's user as [`Record::who`] names it, without allocating
/// unless it is a service principal (`buf` holds that name).
fn who<'r>(r: &'r Record, buf: &'r mut String) -> &'r str {
    if let Some(u) = r.user_principal_name.as_deref().or(r.user_id.as_deref()) {
        return u;
    }
    match &r.service_principal_id {
        Some(s) => {
            buf.clear();
            buf.push_str("service principal ");
            buf.push_str(s);
            buf
        }
        None => "",
    }
}

/// The platform's report name; `buf` holds it when it is not a constant.
fn platform_str<'r>(r: &Record, s: &SignIn, buf: &'r mut String) -> &'r str {
    match s.platform {
        Some(p) => p.wire(),
        None if matches!(s.identity, Identity::ServicePrincipal { .. }) => "workload",
        None => {
            use std::fmt::Write;
            buf.clear();
            let _ = write!(
                buf,
                "unknown ({})",
                r.operating_system.as_deref().unwrap_or("not logged")
            );
            buf
        }
    }
}

fn platform_name(r: &Record, s: &SignIn) -> String {
    platform_str(r, s, &mut String::new()).to_owned()
}

fn describe(reasons: ReasonSet) -> String {
    reasons
        .iter()
        .map(Reason::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Replayer<'a> {
    /// A replay of `head` (and `base`, when comparing: the report's
    /// `base` and changes), with `head_ids` the live ids of the head
    /// policies in order (spec id or lock; `None` when unknown) and the
    /// members file, if any.
    pub fn new(
        head: PolicySet<'a>,
        base: Option<PolicySet<'a>>,
        head_ids: Vec<Option<String>>,
        members: Option<&'a super::members::Members>,
        sign_ins: SignIns,
    ) -> Replayer<'a> {
        let known = members.map(|m| (&m.known_groups, &m.known_roles));
        let mut by_id = HashMap::new();
        for (i, id) in head_ids.iter().enumerate() {
            if let Some(id) = id {
                by_id.entry(id.to_ascii_lowercase()).or_insert(i);
            }
        }
        let mut by_name = HashMap::new();
        for (i, r) in head.refs.iter().enumerate() {
            by_name.entry(r.name).or_insert(i);
        }
        let tally = Tally {
            head_membership: head.membership(known),
            base_membership: base.as_ref().map_or(Vec::new(), |b| b.membership(known)),
            by_policy: vec![(0, 0); head.refs.len()],
            warned: vec![false; head.refs.len()],
            by_id,
            by_name,
            ..Tally::default()
        };
        Replayer {
            report: Report {
                with_base: base.is_some(),
                ..Report::default()
            },
            head,
            base,
            members,
            sign_ins,
            tally,
        }
    }

    /// The report, with every total folded in, and where the per-sign-in
    /// objects went.
    pub fn finish(mut self) -> (Report, SignIns) {
        let t = &self.tally;
        let rep = &mut self.report;
        // Every head policy has an entry once a record was evaluated.
        let policies = if rep.evaluated > 0 {
            &t.by_policy[..]
        } else {
            &[]
        };
        for (i, (a, u)) in policies.iter().enumerate() {
            let e = rep
                .by_policy
                .entry(self.head.refs[i].name.to_owned())
                .or_default();
            e.0 += a;
            e.1 += u;
        }
        for (k, n) in t.unknown.iter().enumerate() {
            if *n > 0 {
                rep.unknown.insert(fact::ALL[k], *n);
            }
        }
        rep.head = fold_access(&t.head);
        rep.base = fold_access(&t.base);
        rep.changes = fold_changes(&t.changes);
        for (k, n) in NOT_COMPARED.iter().zip(&t.not_compared) {
            if *n > 0 {
                rep.not_compared.insert(k, *n);
            }
        }
        for (map, from) in [
            (&mut rep.by_user, &t.by_user),
            (&mut rep.by_app, &t.by_app),
            (&mut rep.by_platform, &t.by_platform),
        ] {
            // Collected at once: sorted and built in bulk.
            *map = from
                .iter()
                .map(|(k, c)| (k.clone(), fold_counts(c)))
                .collect();
        }
        (self.report, self.sign_ins)
    }
}

impl Replayer<'_> {
    /// Counts a record that could not be read or mapped.
    pub fn skip(&mut self, at: &str, kind: &str, message: &str) {
        match self.report.skipped.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                self.report.skipped.insert(kind.to_owned(), 1);
            }
        }
        if self.report.skipped_examples.len() < 100 {
            self.report
                .skipped_examples
                .push(format!("{at}: {message}"));
        }
    }

    /// Evaluates one record read at `at` (`file:line`).
    pub fn record(&mut self, at: &str, record: &Record) {
        let (mut sign_in, missing) = match record.sign_in() {
            Ok(x) => x,
            Err(e) => {
                let kind = if e.starts_with(skip::UNKNOWN_CLIENT_APP) {
                    skip::UNKNOWN_CLIENT_APP
                } else if e == super::MANAGED_IDENTITY {
                    "managed identity (not covered by Conditional Access)"
                } else {
                    skip::MISSING_FIELD
                };
                self.skip(at, kind, &format!("sign-in {}: {e}", record.id));
                return;
            }
        };
        if let (
            Some(m),
            Identity::User {
                id, groups, roles, ..
            },
        ) = (self.members, &mut sign_in.identity)
        {
            // The file decides membership of the groups it covers
            // (`Tally::head_membership` and `base_membership`); the others
            // stay unknown.
            (*groups, *roles) = m.of(id);
        }
        let t = &mut self.tally;
        let head = self
            .head
            .quick_into(&sign_in, missing, &t.head_membership, &mut t.head_quick);
        let base = self
            .base
            .as_mut()
            .map(|b| b.quick_into(&sign_in, missing, &t.base_membership, &mut t.base_quick));
        let rep = &mut self.report;
        rep.evaluated += 1;
        // Each fact counts once per record, whichever side and however
        // many policies lack it.
        let mut lacking: Facts = 0;
        for (i, q) in t.head_quick.iter().enumerate() {
            let e = &mut t.by_policy[i];
            match q {
                Quick::Applies => e.0 += 1,
                Quick::Unknown(f) => {
                    e.1 += 1;
                    lacking |= f;
                }
                Quick::NotApplies(_) => {}
            }
        }
        if base.is_some() {
            for q in &t.base_quick {
                if let Quick::Unknown(f) = q {
                    lacking |= f;
                }
            }
        }
        while lacking != 0 {
            t.unknown[lacking.trailing_zeros() as usize] += 1;
            lacking &= lacking - 1;
        }
        t.head[head as usize] += 1;
        let change = base.and_then(|b| {
            t.base[b as usize] += 1;
            Change::of(b, head)
        });
        if let Some(c) = change {
            t.changes[c as usize] += 1;
            if c != Change::Undetermined {
                let req = whatif_request(&sign_in);
                let key = (c, req.to_string());
                if let Some(g) = rep.change_groups.get_mut(&key) {
                    g.0 += 1;
                } else if rep.change_groups.len() < MAX_CHANGE_GROUPS_LISTED {
                    rep.change_groups.insert(key, (1, record.id.clone(), req));
                }
            }
        }
        let user = who(record, &mut t.key);
        tally_key(&mut t.by_user, user, head, change);
        let app = record
            .app_name
            .as_deref()
            .or(record.app_id.as_deref())
            .unwrap_or("(no app)");
        tally_key(&mut t.by_app, app, head, change);
        let platform = platform_str(record, &sign_in, &mut t.key);
        tally_key(&mut t.by_platform, platform, head, change);
        // Self-check against Entra's own per-policy results.
        for a in &record.applied {
            let by_id = a.id.as_deref().and_then(|id| {
                if id.bytes().any(|b| b.is_ascii_uppercase()) {
                    t.id.clear();
                    t.id.push_str(id);
                    t.id.make_ascii_lowercase();
                    t.by_id.get(t.id.as_str())
                } else {
                    t.by_id.get(id)
                }
                .copied()
            });
            let idx = by_id.or_else(|| {
                let name = a.display_name.as_deref()?;
                let i = *t.by_name.get(name)?;
                if !t.warned[i] {
                    t.warned[i] = true;
                    rep.warnings.insert(format!(
                        "policy \"{name}\" matched to the sign-in logs by display name (no id in the spec or caac.lock): a renamed or duplicate name would mismatch"
                    ));
                }
                Some(i)
            });
            let Some(i) = idx else {
                t.not_compared[0] += 1;
                continue;
            };
            let Some(entra) = entra_applied(&a.result) else {
                t.not_compared[1] += 1;
                continue;
            };
            let caac = match t.head_quick[i] {
                Quick::Applies => true,
                Quick::NotApplies(_) => false,
                Quick::Unknown(_) => {
                    t.not_compared[2] += 1;
                    continue;
                }
            };
            rep.compared += 1;
            if caac == entra {
                rep.agreed += 1;
            } else if rep.disagreements.len() < MAX_DISAGREEMENTS_LISTED {
                rep.disagreements.push(Disagreement {
                    sign_in: record.id.clone(),
                    at: at.to_owned(),
                    policy: self.head.refs[i].name.to_owned(),
                    entra: a.result.clone(),
                    caac_applies: caac,
                    decided_by: match t.head_quick[i] {
                        Quick::NotApplies(r) => describe(r),
                        _ => "every condition matches".to_owned(),
                    },
                });
            }
        }
        if !matches!(self.sign_ins, SignIns::Drop) {
            let side = |access: Access, qs: &[Quick], set: &PolicySet| {
                let mut applies = Vec::new();
                let mut unknown = Vec::new();
                for (i, q) in qs.iter().enumerate() {
                    match q {
                        Quick::Applies => applies.push(json!(set.refs[i].name)),
                        Quick::Unknown(w) => {
                            unknown.push(
                                json!({"policy": set.refs[i].name, "missing": fact_names(*w)}),
                            );
                        }
                        Quick::NotApplies(_) => {}
                    }
                }
                json!({"access": access.as_str(), "applies": applies, "unknown": unknown})
            };
            let mut o = json!({
                "id": record.id,
                "at": at,
                "user": record.who(),
                "app": record.app_id,
                "resource": record.resource_id,
                "clientApp": sign_in.client_app.as_str(),
                "platform": platform_name(record, &sign_in),
                "interactive": record.interactive,
                "head": side(head, &t.head_quick, &self.head),
            });
            if let (Some(b), Some(set)) = (base, &self.base) {
                o["base"] = side(b, &t.base_quick, set);
                o["change"] = change.map_or(Value::Null, |c| json!(c.as_str()));
            }
            match &mut self.sign_ins {
                SignIns::Drop => {}
                SignIns::Keep => rep.sign_ins.push(o),
                SignIns::Stream(spool) => spool.push(&o),
            }
        }
    }
}

/// Where [`Replayer::record`] puts the per-sign-in objects of the JSON
/// report (`signIns`).
pub enum SignIns {
    /// Not made (text and markdown reports).
    Drop,
    /// Kept in memory, in [`Report::sign_ins`]: memory grows with records.
    Keep,
    /// Written out as each record is evaluated ([`Spool`]): memory is
    /// bounded by the aggregates (distinct users, apps, platforms,
    /// policies; at most 1,000 change groups and disagreements), not by
    /// records.
    Stream(Spool),
}

/// The per-sign-in objects, written to an anonymous temporary file as they
/// are evaluated, already laid out as [`crate::emit::pretty`] lays out the
/// `signIns` array of the whole report, so that [`Report::write_json`]
/// produces exactly the bytes `pretty(&report.json())` would with every
/// object kept in memory. The aggregates come first in the report and are
/// known only at the end, hence the spool rather than writing to the
/// output directly.
pub struct Spool {
    file: std::io::BufWriter<std::fs::File>,
    count: u64,
    buf: Vec<u8>,
    error: Option<std::io::Error>,
}

impl Spool {
    /// A spool in the system's temporary directory. The file is unlinked
    /// as soon as it is open where the system allows it (Unix), so it
    /// disappears with the process whatever happens.
    pub fn new() -> std::io::Result<Spool> {
        let dir = std::env::temp_dir();
        let mut k = 0u32;
        let (file, path) = loop {
            let path = dir.join(format!(
                "caac-replay-{}-{k}.signins.json",
                std::process::id()
            ));
            match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(f) => break (f, path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && k < 1000 => k += 1,
                Err(e) => return Err(e),
            }
        };
        let _ = std::fs::remove_file(&path);
        Ok(Spool {
            file: std::io::BufWriter::with_capacity(256 * 1024, file),
            count: 0,
            buf: Vec::new(),
            error: None,
        })
    }

    /// Appends one object as an element of the report's `signIns` array
    /// (four spaces deep). The first write error is kept for
    /// [`Report::write_json`] to report.
    fn push(&mut self, v: &Value) {
        use std::io::Write;
        if self.error.is_some() {
            return;
        }
        self.buf.clear();
        if self.count > 0 {
            self.buf.extend_from_slice(b",\n");
        }
        self.buf.extend_from_slice(b"    ");
        let start = self.buf.len();
        let mut ser = serde_json::Serializer::pretty(&mut self.buf);
        if let Err(e) = serde::Serialize::serialize(v, &mut ser) {
            self.error = Some(std::io::Error::other(e));
            return;
        }
        // JSON strings never hold a raw line break: every line break is
        // layout, indented two levels deeper inside the array.
        let mut out = Vec::with_capacity(self.buf.len() + 256);
        out.extend_from_slice(&self.buf[..start]);
        for &b in &self.buf[start..] {
            out.push(b);
            if b == b'\n' {
                out.extend_from_slice(b"    ");
            }
        }
        self.count += 1;
        if let Err(e) = self.file.write_all(&out) {
            self.error = Some(e);
        }
        self.buf = out;
    }

    /// Objects written.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

fn counts_json(c: &Counts) -> Value {
    let mut o = json!({"signIns": c.sign_ins});
    for (a, n) in &c.head {
        o[a.as_str()] = json!(n);
    }
    for (ch, n) in &c.changes {
        o[ch.as_str()] = json!(n);
    }
    o
}

impl Report {
    /// Agreement rate in percent (`None` when nothing was compared).
    pub fn agreement(&self) -> Option<f64> {
        (self.compared > 0).then(|| 100.0 * self.agreed as f64 / self.compared as f64)
    }

    /// Changed sign-ins (not undetermined) whose group is not listed (over
    /// [`MAX_CHANGE_GROUPS_LISTED`] groups).
    pub fn change_groups_not_listed(&self) -> u64 {
        let changed: u64 = self
            .changes
            .iter()
            .filter(|(c, _)| **c != Change::Undetermined)
            .map(|(_, n)| n)
            .sum();
        let listed: u64 = self.change_groups.values().map(|g| g.0).sum();
        changed.saturating_sub(listed)
    }

    /// Disagreements counted but not listed (over
    /// [`MAX_DISAGREEMENTS_LISTED`]).
    pub fn disagreements_not_listed(&self) -> u64 {
        (self.compared - self.agreed).saturating_sub(self.disagreements.len() as u64)
    }

    /// Records skipped, all reasons.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// The versioned JSON document.
    pub fn json(&self) -> Value {
        let map = |m: &BTreeMap<String, Counts>| -> Value {
            m.iter()
                .map(|(k, c)| (k.clone(), counts_json(c)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let access = |m: &BTreeMap<Access, u64>| -> Value {
            m.iter()
                .map(|(k, n)| (k.as_str().to_owned(), json!(n)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let mut v = json!({
            "version": JSON_VERSION,
            "evaluated": self.evaluated,
            "skipped": {"total": self.skipped_total(), "byReason": self.skipped, "examples": self.skipped_examples},
            "unknown": self.unknown,
            "head": access(&self.head),
            "base": if self.with_base { access(&self.base) } else { Value::Null },
            "changes": self.changes.iter().map(|(c, n)| (c.as_str().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "changeGroups": self.change_groups.iter().map(|((c, _), (n, first, req))| json!({
                "change": c.as_str(), "signIns": n, "example": first, "whatifRequest": req,
            })).collect::<Vec<_>>(),
            "byUser": map(&self.by_user),
            "byApp": map(&self.by_app),
            "byPlatform": map(&self.by_platform),
            "byPolicy": self.by_policy.iter().map(|(k, (a, u))| (k.clone(), json!({"applies": a, "unknown": u}))).collect::<serde_json::Map<_, _>>(),
            "selfCheck": {
                "compared": self.compared,
                "agreed": self.agreed,
                "agreementPercent": self.agreement(),
                "notCompared": self.not_compared,
                "disagreements": self.disagreements.iter().map(|d| json!({
                    "signIn": d.sign_in, "at": d.at, "policy": d.policy, "entra": d.entra,
                    "caac": if d.caac_applies { "applies" } else { "doesNotApply" },
                    "decidedBy": d.decided_by,
                })).collect::<Vec<_>>(),
                "warnings": self.warnings,
            },
            "signIns": self.sign_ins,
        });
        // Present only when a list was cut, right after it.
        let groups_cut = self.change_groups_not_listed();
        if groups_cut > 0
            && let Some(o) = v.as_object_mut()
            && let Some(at) = o.keys().position(|k| k == "changeGroups")
        {
            o.shift_insert(at + 1, "changeGroupsNotListed".into(), json!(groups_cut));
        }
        let cut = self.disagreements_not_listed();
        if cut > 0
            && let Some(check) = v["selfCheck"].as_object_mut()
        {
            check.shift_insert(5, "disagreementsNotListed".into(), json!(cut));
        }
        v
    }

    /// Writes the JSON report to `out`: exactly
    /// `crate::emit::pretty(&self.json())`, with the `signIns` array taken
    /// from `spool` when the objects were streamed ([`SignIns::Stream`]).
    pub fn write_json(
        &self,
        spool: Option<Spool>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        use std::io::Seek;
        let text = crate::emit::pretty(&self.json());
        let Some(spool) = spool.filter(|s| !s.is_empty()) else {
            return out.write_all(text.as_bytes());
        };
        if let Some(e) = spool.error {
            return Err(e);
        }
        debug_assert!(self.sign_ins.is_empty());
        // `signIns` is the document's last member: its empty array is
        // replaced by the spooled elements.
        let head = text.strip_suffix("[]\n}\n").ok_or_else(|| {
            std::io::Error::other("internal error: signIns is not the report's last member")
        })?;
        let mut file = spool.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(std::io::SeekFrom::Start(0))?;
        out.write_all(head.as_bytes())?;
        out.write_all(b"[\n")?;
        let copied = std::io::copy(&mut file, out)?;
        debug_assert!(copied > 0);
        out.write_all(b"\n  ]\n}\n")
    }

    /// The text report.
    pub fn human(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} sign-ins evaluated, {} skipped",
            self.evaluated,
            self.skipped_total()
        );
        for (k, n) in &self.skipped {
            let _ = writeln!(s, "  skipped: {n} × {k}");
        }
        let line = |m: &BTreeMap<Access, u64>| {
            m.iter()
                .map(|(a, n)| format!("{n} {}", a.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(s, "head: {}", line(&self.head));
        if self.with_base {
            let _ = writeln!(s, "base: {}", line(&self.base));
            if self.changes.is_empty() {
                let _ = writeln!(s, "no sign-in changes verdict");
            }
            for (c, n) in &self.changes {
                let _ = writeln!(s, "  {}: {n}", c.as_str());
            }
            for ((c, req), (n, first, _)) in &self.change_groups {
                let _ = writeln!(
                    s,
                    "    {}: {n} sign-ins like {first}; reproduce with `caac whatif --request FILE` on: {req}",
                    c.as_str()
                );
            }
            let cut = self.change_groups_not_listed();
            if cut > 0 {
                let _ = writeln!(
                    s,
                    "    … and {cut} more changed sign-ins in groups not listed (the first {MAX_CHANGE_GROUPS_LISTED} groups are)"
                );
            }
        }
        for (k, n) in &self.unknown {
            let _ = writeln!(
                s,
                "unknown: {n} sign-ins have policies caac cannot decide without {k}"
            );
        }
        let _ = writeln!(s, "\nby platform:");
        for (k, c) in &self.by_platform {
            let _ = writeln!(s, "  {k}: {}", brief(c));
        }
        let _ = writeln!(s, "by app:");
        for (k, c) in &self.by_app {
            let _ = writeln!(s, "  {k}: {}", brief(c));
        }
        let _ = writeln!(s, "by user:");
        for (k, c) in &self.by_user {
            let _ = writeln!(s, "  {k}: {}", brief(c));
        }
        let _ = writeln!(s, "by policy (applies / unknown):");
        for (k, (a, u)) in &self.by_policy {
            let _ = writeln!(s, "  {k}: {a} / {u}");
        }
        let _ = writeln!(
            s,
            "\nself-check against Entra (appliedConditionalAccessPolicies):"
        );
        match self.agreement() {
            Some(p) => {
                let _ = writeln!(s, "  {}/{} agree ({p:.1} %)", self.agreed, self.compared);
            }
            None => {
                let _ = writeln!(s, "  nothing to compare");
            }
        }
        for (k, n) in &self.not_compared {
            let _ = writeln!(s, "  not compared: {n} × {k}");
        }
        for d in &self.disagreements {
            let _ = writeln!(
                s,
                "  disagreement: {} sign-in {} policy \"{}\": Entra {}, caac {} ({})",
                d.at,
                d.sign_in,
                d.policy,
                d.entra,
                if d.caac_applies {
                    "applies"
                } else {
                    "does not apply"
                },
                d.decided_by
            );
        }
        let cut = self.disagreements_not_listed();
        if cut > 0 {
            let _ = writeln!(
                s,
                "  … and {cut} more disagreements, not listed (the first {MAX_DISAGREEMENTS_LISTED} are)"
            );
        }
        for w in &self.warnings {
            let _ = writeln!(s, "  warning: {w}");
        }
        s
    }

    /// A pull-request comment.
    pub fn markdown(&self) -> String {
        use std::fmt::Write;
        let mut s = String::from("### caac replay\n\n");
        let _ = writeln!(
            s,
            "{} sign-ins evaluated, {} skipped.\n",
            self.evaluated,
            self.skipped_total()
        );
        let _ = writeln!(s, "| verdict | head | base |\n|---|---:|---:|");
        for a in [Access::Block, Access::Grant, Access::Allow, Access::Unknown] {
            let h = self.head.get(&a).copied().unwrap_or(0);
            let b = if self.with_base {
                self.base.get(&a).copied().unwrap_or(0).to_string()
            } else {
                "–".into()
            };
            let _ = writeln!(s, "| {} | {h} | {b} |", a.as_str());
        }
        if self.with_base {
            let _ = writeln!(s, "\n| change | sign-ins |\n|---|---:|");
            for (c, n) in &self.changes {
                let _ = writeln!(s, "| {} | {n} |", c.as_str());
            }
        }
        match self.agreement() {
            Some(p) => {
                let _ = writeln!(
                    s,
                    "\nSelf-check: {}/{} Entra verdicts agree ({p:.1} %), {} disagreements.",
                    self.agreed,
                    self.compared,
                    self.disagreements.len()
                );
            }
            None => s.push_str("\nSelf-check: nothing to compare.\n"),
        }
        for d in &self.disagreements {
            let _ = writeln!(
                s,
                "- `{}` {}: Entra `{}`, caac {} ({})",
                d.sign_in,
                d.policy,
                d.entra,
                if d.caac_applies {
                    "applies"
                } else {
                    "does not apply"
                },
                d.decided_by
            );
        }
        let cut = self.disagreements_not_listed();
        if cut > 0 {
            let _ = writeln!(
                s,
                "- … and {cut} more disagreements, not listed (the first {MAX_DISAGREEMENTS_LISTED} are)"
            );
        }
        s
    }
}

fn brief(c: &Counts) -> String {
    let mut parts: Vec<String> = vec![format!("{} sign-ins", c.sign_ins)];
    parts.extend(c.head.iter().map(|(a, n)| format!("{n} {}", a.as_str())));
    parts.extend(
        c.changes
            .iter()
            .map(|(ch, n)| format!("{n} {}", ch.as_str())),
    );
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signins::Record;

    fn policy(v: Value) -> Policy {
        let mut v = v;
        v["displayName"] = json!("p");
        v.as_object_mut()
            .unwrap()
            .entry("state")
            .or_insert(json!("enabled"));
        serde_json::from_value(v).unwrap()
    }

    const USER: &str = "00000000-0000-4000-8000-0000000000b0";
    const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
    const EXO: &str = "00000002-0000-0ff1-ce00-000000000000";

    /// A member's browser sign-in to Graph from Windows, with `extra` fields.
    fn record(extra: Value) -> Record {
        let mut v = json!({"id": "r", "userId": USER, "resourceId": GRAPH, "clientAppUsed": "Browser",
                           "deviceDetail": {"operatingSystem": "Windows 10"},
                           "riskLevelDuringSignIn": "none", "authenticationProtocol": "none",
                           "ipAddress": "203.0.113.7"});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        Record::from_fields(v.as_object().unwrap()).unwrap()
    }

    fn verdict(policies: &[Policy], tenant: Option<&Tenant>, r: &Record) -> Verdict {
        let refs: Vec<PolicyRef> = policies
            .iter()
            .map(|p| PolicyRef {
                name: "p",
                policy: p,
            })
            .collect();
        let mut set = PolicySet::new(refs, tenant);
        let (s, m) = r.sign_in().unwrap();
        set.verdict(&s, m, None)
    }

    fn all_users(extra: Value) -> Value {
        let mut v = json!({"users": {"include": {"users": ["All"]}},
                           "applications": {"include": ["All"]},
                           "grant": {"builtInControls": ["mfa"]}});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    }

    /// User risk is not in a sign-in record: a user-risk policy is unknown,
    /// unless another condition already rules it out ("All assignments are
    /// logically ANDed", concept-conditional-access-policies).
    #[test]
    fn user_risk_is_unknown_unless_decided_elsewhere() {
        let p = policy(all_users(json!({"userRiskLevels": ["high"]})));
        let v = verdict(std::slice::from_ref(&p), None, &record(json!({})));
        assert_eq!(v.statuses, vec![Status::Unknown(vec!["user risk"])]);
        assert_eq!(v.access, Access::Unknown);
        let p = policy(all_users(
            json!({"userRiskLevels": ["high"], "applications": {"include": [EXO]}}),
        ));
        let v = verdict(&[p], None, &record(json!({})));
        assert!(matches!(v.statuses[0], Status::NotApplies(r) if r.contains(Reason::Application)));
        assert_eq!(v.access, Access::Allow);
    }

    /// A known block stands whatever the unknown policies do ("If there's a
    /// policy that is configured to block access … enforcement will stop
    /// here", concept-conditional-access-policies).
    #[test]
    fn a_known_block_beats_unknowns() {
        let unknown = policy(all_users(json!({"userRiskLevels": ["high"]})));
        let block = policy(all_users(json!({"grant": {"builtInControls": ["block"]}})));
        let v = verdict(&[unknown, block], None, &record(json!({})));
        assert_eq!(v.access, Access::Block);
    }

    /// `hidden` sign-in risk: "the user or sign-in wasn't enabled for
    /// Identity Protection" (signIn page): unknown; a logged `none` decides.
    #[test]
    fn hidden_sign_in_risk_is_unknown() {
        let p = policy(all_users(json!({"signInRiskLevels": ["high", "medium"]})));
        let hidden = record(json!({"riskLevelDuringSignIn": "hidden"}));
        let v = verdict(std::slice::from_ref(&p), None, &hidden);
        assert_eq!(v.statuses, vec![Status::Unknown(vec!["sign-in risk"])]);
        let v = verdict(&[p], None, &record(json!({})));
        assert!(matches!(v.statuses[0], Status::NotApplies(r) if r.contains(Reason::SignInRisk)));
    }

    /// A named location the tenant file does not detail cannot be evaluated
    /// offline; one with ranges can; `All` always can.
    #[test]
    fn locations_without_details_are_unknown() {
        let hq = "00000000-0000-4000-8000-0000000000aa";
        let p = policy(all_users(
            json!({"locations": {"include": ["All"], "exclude": [hq]}}),
        ));
        let v = verdict(std::slice::from_ref(&p), None, &record(json!({})));
        assert_eq!(v.statuses, vec![Status::Unknown(vec!["location"])]);
        let tenant: Tenant = serde_json::from_value(json!({
            "namedLocations": {"HQ": {"id": hq, "ipRanges": ["203.0.113.0/24"]}}
        }))
        .unwrap();
        let v = verdict(std::slice::from_ref(&p), Some(&tenant), &record(json!({})));
        // 203.0.113.7 is in HQ, which is excluded.
        assert!(matches!(v.statuses[0], Status::NotApplies(r) if r.contains(Reason::Location)));
        let v = verdict(
            &[p],
            Some(&tenant),
            &record(json!({"ipAddress": "198.51.100.1"})),
        );
        assert_eq!(v.statuses, vec![Status::Applies]);
        let all = policy(all_users(json!({"locations": {"include": ["All"]}})));
        let v = verdict(&[all], None, &record(json!({})));
        assert_eq!(v.statuses, vec![Status::Applies]);
    }

    /// Device filters read attributes a sign-in record does not carry; an
    /// unregistered device has every attribute null, so it is decided
    /// (concept-condition-filters-for-devices).
    #[test]
    fn device_filters_are_unknown_for_registered_devices_only() {
        let p = policy(all_users(json!({"devices": {"filter": {
            "mode": "exclude", "rule": "device.extensionAttribute1 -eq \"SAW\""}}})));
        let reg =
            record(json!({"deviceDetail": {"operatingSystem": "Windows 10", "deviceId": "d1"}}));
        let v = verdict(std::slice::from_ref(&p), None, &reg);
        assert_eq!(v.statuses, vec![Status::Unknown(vec!["device filter"])]);
        let v = verdict(&[p], None, &record(json!({})));
        assert_eq!(v.statuses, vec![Status::Applies]);
    }

    /// Groups come from the members file; a group the file covers decides.
    /// Replays every record of every sign-in fixture with `sign_ins`, base
    /// and head sets of hand-made policies; the JSON report's bytes.
    fn report_bytes(stream: bool, files: &[&str]) -> (Vec<u8>, u64) {
        let head_policies = [
            policy(all_users(json!({}))),
            policy(
                json!({"users": {"include": {"groups": ["00000000-0000-4000-8000-0000000070b1"]}},
                          "applications": {"include": ["All"]}, "clientAppTypes": ["exchangeActiveSync", "other"],
                          "grant": {"builtInControls": ["block"]}}),
            ),
            policy(all_users(
                json!({"signInRiskLevels": ["high", "medium"], "grant": {"builtInControls": ["block"]}}),
            )),
        ];
        let base_policies = [policy(all_users(
            json!({"platforms": {"include": ["android", "iOS"]}, "grant": {"builtInControls": ["compliantDevice"]}}),
        ))];
        let names = ["mfa \"all\" \u{e9}", "block legacy", "risk"];
        fn refs<'p>(ps: &'p [Policy], names: &[&'static str]) -> Vec<PolicyRef<'p>> {
            ps.iter()
                .zip(names)
                .map(|(p, n)| PolicyRef { name: n, policy: p })
                .collect()
        }
        let mut replayer = Replayer::new(
            PolicySet::new(refs(&head_policies, &names), None),
            Some(PolicySet::new(refs(&base_policies, &["base"]), None)),
            vec![None; 3],
            None,
            if stream {
                SignIns::Stream(Spool::new().unwrap())
            } else {
                SignIns::Keep
            },
        );
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signins");
        for f in files {
            crate::signins::read::read(&dir.join(f), &mut |e| match e {
                crate::signins::read::Event::Record { line, fields } => {
                    match Record::from_fields(&fields) {
                        Ok(r) => replayer.record(&format!("{f}:{line}"), &r),
                        Err(e) => replayer.skip(f, "unreadable record", &e),
                    }
                }
                crate::signins::read::Event::Skipped { kind, message, .. } => {
                    replayer.skip(f, kind, &message);
                }
            })
            .unwrap();
        }
        let (report, sign_ins) = replayer.finish();
        let evaluated = report.evaluated;
        let spool = match sign_ins {
            SignIns::Stream(s) => Some(s),
            _ => None,
        };
        let mut out = Vec::new();
        report.write_json(spool, &mut out).unwrap();
        if !stream {
            assert_eq!(out, crate::emit::pretty(&report.json()).into_bytes());
        }
        (out, evaluated)
    }

    /// `caac replay -f json` streams its per-sign-in objects through a
    /// spool instead of keeping them: the report's bytes are those of the
    /// whole document pretty-printed at once, as before.
    #[test]
    fn streamed_json_report_is_byte_identical() {
        for files in [
            &[
                "graph-signins.json",
                "la-signins.csv",
                "disagree.ndjson",
                "tp-signins.json",
                "tp-unsupported.json",
            ][..],
            &["la-signins.csv"],
            &[],
        ] {
            let (kept, n) = report_bytes(false, files);
            let (streamed, m) = report_bytes(true, files);
            assert_eq!(n, m);
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(kept).unwrap(),
                "{files:?}"
            );
            if !files.is_empty() {
                assert!(n > 3, "{files:?}: {n} evaluated");
            }
        }
    }

    #[test]
    fn members_file_decides_covered_groups() {
        let g = "00000000-0000-4000-8000-0000000070b1";
        let p = policy(json!({"users": {"include": {"groups": [g]}},
                              "applications": {"include": ["All"]},
                              "grant": {"builtInControls": ["mfa"]}}));
        let refs = vec![PolicyRef {
            name: "p",
            policy: &p,
        }];
        let mut set = PolicySet::new(refs, None);
        let (mut s, m) = record(json!({})).sign_in().unwrap();
        assert_eq!(set.verdict(&s, m, None).access, Access::Unknown);
        let members = crate::signins::members::Members::parse(&format!(
            r#"{{"version": 1, "groups": {{"{g}": ["{USER}"]}}}}"#
        ))
        .unwrap();
        if let Identity::User { groups, .. } = &mut s.identity {
            *groups = members.of(USER).0;
        }
        let known = Some((&members.known_groups, &members.known_roles));
        assert_eq!(set.verdict(&s, m, known).access, Access::Grant);
        let other =
            crate::signins::members::Members::parse(r#"{"version": 1, "groups": {}}"#).unwrap();
        let known = Some((&other.known_groups, &other.known_roles));
        assert_eq!(set.verdict(&s, m, known).access, Access::Unknown);
    }

    /// [`PolicySet::quick_into`] (replay's allocation-free path) gives
    /// what the straightforward [`PolicySet::verdict`] gives, for every
    /// policy of every record of the fixtures' sets and the starter set,
    /// with every combination of missing facts, with and without a
    /// members file (one that covers some groups).
    #[test]
    fn quick_statuses_match_verdict() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let fx = dir.join("tests/fixtures/signins");
        let members = crate::signins::members::Members::read(&fx.join("members.json")).unwrap();
        let mut records = Vec::new();
        for f in [
            "graph-signins.json",
            "la-signins.csv",
            "disagree.ndjson",
            "tp-signins.json",
        ] {
            crate::signins::read::read(&fx.join(f), &mut |e| {
                if let crate::signins::read::Event::Record { fields, .. } = e
                    && let Ok(r) = Record::from_fields(&fields)
                    && let Ok(x) = r.sign_in()
                {
                    records.push(x);
                }
            })
            .unwrap();
        }
        assert!(records.len() > 20, "{}", records.len());
        // Every fact a record may lack, hand-made where no fixture has it.
        let filter = json!({"mode": "include", "rule": "CustomSecurityAttribute.Set1_x -eq \"y\""});
        let workload = |extra: Value| {
            let mut v = json!({"users": {"include": {"users": ["None"]}},
                               "clientApplications": {"include": ["ServicePrincipalsInMyTenant"]},
                               "applications": {"include": ["All"]},
                               "grant": {"builtInControls": ["block"]}});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            policy(v)
        };
        let hand = [
            policy(all_users(
                json!({"applications": {"include": ["All"], "filter": filter}}),
            )),
            workload(
                json!({"clientApplications": {"include": ["ServicePrincipalsInMyTenant"], "filter": filter}}),
            ),
            workload(json!({"servicePrincipalRiskLevels": ["high"]})),
            policy(all_users(
                json!({"devices": {"filter": {"mode": "exclude", "rule": "device.extensionAttribute1 -eq \"SAW\""}}}),
            )),
            policy(all_users(
                json!({"insiderRiskLevels": ["elevated"], "grant": {"builtInControls": ["block"]}}),
            )),
            policy(all_users(
                json!({"authenticationFlows": ["deviceCodeFlow"], "userRiskLevels": ["high"]}),
            )),
            policy(all_users(
                json!({"locations": {"include": ["All"], "exclude": ["00000000-0000-4000-8000-0000000000aa"]}}),
            )),
        ];
        let hand: Vec<PolicyRef> = hand
            .iter()
            .map(|p| PolicyRef {
                name: "hand",
                policy: p,
            })
            .collect();
        let mut compared = 0;
        for (paths, tenant) in [
            (vec![], None),
            (vec![fx.join("policies")], Some(fx.join("tenant.yaml"))),
            (
                vec![fx.join("kql/policies")],
                Some(fx.join("kql/tenant.yaml")),
            ),
            (vec![fx.join("tp-policies")], None),
            (vec![dir.join("policies")], Some(dir.join("tenant.yaml"))),
        ] {
            let opts = crate::check::Options {
                paths: &paths,
                tenant,
                break_glass: &[],
                config: None,
                partial: true,
            };
            let checked = (!paths.is_empty()).then(|| crate::check::check(&opts).unwrap());
            let (refs, tenant) = match &checked {
                Some(c) => (c.policy_refs(), c.tenant.as_ref()),
                None => (hand.clone(), None),
            };
            assert!(!refs.is_empty());
            let mut set = PolicySet::new(refs, tenant);
            let mut out = Vec::new();
            for with_members in [false, true] {
                let known = with_members.then_some((&members.known_groups, &members.known_roles));
                let membership = set.membership(known);
                for (s, _) in &records {
                    let mut s = s.clone();
                    if with_members
                        && let Identity::User {
                            id, groups, roles, ..
                        } = &mut s.identity
                    {
                        (*groups, *roles) = members.of(id);
                    }
                    for bits in 0..64u32 {
                        let m = Missing {
                            membership: bits & 1 != 0,
                            guest_type: bits & 2 != 0,
                            user_risk: bits & 4 != 0,
                            sign_in_risk: bits & 8 != 0,
                            flow: bits & 16 != 0,
                            location: bits & 32 != 0,
                        };
                        let want = set.verdict(&s, m, known);
                        let access = set.quick_into(&s, m, &membership, &mut out);
                        let got: Vec<Status> = out.iter().map(|q| q.status()).collect();
                        assert_eq!(
                            (access, &got),
                            (want.access, &want.statuses),
                            "{s:#?} {m:?}"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 1000);
    }

    #[test]
    fn changes() {
        use Access::*;
        assert_eq!(Change::of(Allow, Block), Some(Change::NewlyBlocked));
        assert_eq!(Change::of(Grant, Block), Some(Change::NewlyBlocked));
        assert_eq!(Change::of(Allow, Grant), Some(Change::NewlyPrompted));
        assert_eq!(Change::of(Block, Allow), Some(Change::NewlyUnprotected));
        assert_eq!(Change::of(Grant, Grant), None);
        assert_eq!(Change::of(Unknown, Block), Some(Change::Undetermined));
    }

    #[test]
    fn whatif_requests_read_back_to_the_same_sign_in() {
        let rec = super::super::Record::from_fields(
            json!({
                "id": "x", "userId": "00000000-0000-4000-8000-0000000000a1",
                "userType": "guest", "homeTenantId": "00000000-0000-4000-8000-00000000aaaa",
                "resourceId": "00000002-0000-0ff1-ce00-000000000000",
                "clientAppUsed": "Mobile Apps and Desktop clients",
                "deviceDetail": {"operatingSystem": "Windows 10", "deviceId": "d1",
                                 "trustType": "Hybrid Azure AD joined", "isCompliant": false},
                "ipAddress": "203.0.113.7", "location": {"countryOrRegion": "NL"},
                "riskLevelDuringSignIn": "medium", "authenticationProtocol": "deviceCode"
            })
            .as_object()
            .unwrap(),
        )
        .unwrap();
        let (mut s, _) = rec.sign_in().unwrap();
        if let Identity::User { groups, .. } = &mut s.identity {
            groups.push("00000000-0000-4000-8000-0000000070b1".into());
        }
        let req = whatif_request(&s);
        let back = crate::whatif::request::parse(&req, None).unwrap();
        assert_eq!(back, s, "{req:#}");
        let sp = SignIn::new(
            Identity::ServicePrincipal {
                id: "00000000-0000-4000-8000-00000000595a".into(),
            },
            crate::whatif::Target::Applications(vec![
                "00000003-0000-0000-c000-000000000000".into(),
            ]),
            crate::whatif::ClientApp::MobileAppsAndDesktopClients,
        );
        let back = crate::whatif::request::parse(&whatif_request(&sp), None).unwrap();
        assert_eq!(back.identity, sp.identity);
    }

    #[test]
    fn entra_results() {
        assert_eq!(entra_applied("success"), Some(true));
        assert_eq!(entra_applied("reportOnlyInterrupted"), Some(true));
        assert_eq!(entra_applied("notApplied"), Some(false));
        assert_eq!(entra_applied("notEnabled"), Some(false));
        assert_eq!(entra_applied("unknownFutureValue"), None);
    }
}
