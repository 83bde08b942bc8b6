//! The evaluator: per-policy data precomputed once ([`Engine::new`]), then
//! one pass per sign-in ([`Engine::evaluate`]). Semantics and sources are in
//! the module docs of [`super`].

use super::apps;
use super::device_filter::{self, Expr};
use super::network::Cidr;
use super::*;
use crate::model::{
    ClientAppType, FilterMode, Grant, Session, SignInFrequencyAuthenticationType,
    SignInFrequencyInterval, SignInFrequencyType, UserSet, Wire,
};

/// "MFA trusted IPs" (graph-ca-schema.md §2.8).
const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";
/// "All Compliant Network locations" (graph-ca-schema.md §2.8).
pub(crate) const COMPLIANT_NETWORK: &str = "3d46dbda-8382-466a-856d-eb00cbc6b910";
/// The "Register or join devices" user action.
const REGISTER_DEVICE: &str = "urn:user:registerdevice";

/// A set of [`Reason`]s without allocation (one bit per reason).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ReasonSet(u32);

impl ReasonSet {
    /// Adds a reason.
    pub fn insert(&mut self, r: Reason) {
        self.0 |= 1 << (r as u32);
    }

    /// The set holds `r`.
    pub fn contains(self, r: Reason) -> bool {
        self.0 & (1 << (r as u32)) != 0
    }

    /// No reason: the policy applies.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Every reason of `self` is in `other`.
    pub fn is_subset(self, other: ReasonSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// The reasons in Graph's flag order.
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        Reason::ALL
            .iter()
            .copied()
            .filter(move |r| self.contains(*r))
    }

    /// As reported: `[NotSet]` when empty.
    pub fn to_vec(self) -> Vec<Reason> {
        if self.is_empty() {
            vec![Reason::NotSet]
        } else {
            self.iter().collect()
        }
    }
}

/// The bit of a wire-enum value (its position in `ALL`).
pub(super) fn bit<T: Wire + PartialEq>(v: T) -> u16 {
    T::all().iter().position(|x| *x == v).map_or(0, |i| 1 << i)
}

pub(super) fn mask<T: Wire + PartialEq>(values: &[T]) -> u16 {
    values.iter().fold(0, |m, v| m | bit(*v))
}

fn has(list: &[&str], value: &str) -> bool {
    list.iter().any(|v| v.eq_ignore_ascii_case(value))
}

// ---------------------------------------------------------------------------
// Compiled policy
// ---------------------------------------------------------------------------

/// One side (include or exclude) of `users`.
#[derive(Debug, Default)]
pub(super) struct Side<'a> {
    pub(super) all: bool,
    pub(super) guests_keyword: bool,
    pub(super) users: Vec<&'a str>,
    pub(super) groups: Vec<&'a str>,
    pub(super) roles: Vec<&'a str>,
    pub(super) guests: Option<Guests<'a>>,
}

#[derive(Debug)]
pub(super) struct Guests<'a> {
    pub(super) types: u16,
    pub(super) any_tenant: bool,
    pub(super) tenants: Vec<&'a str>,
}

impl<'a> Side<'a> {
    fn new(set: Option<&'a UserSet>) -> Side<'a> {
        let Some(set) = set else {
            return Side::default();
        };
        let keyword = |k: &str| set.users.iter().any(|u| u == k);
        Side {
            all: keyword("All"),
            guests_keyword: keyword("GuestsOrExternalUsers"),
            users: set.users.iter().map(String::as_str).collect(),
            groups: set.groups.iter().map(String::as_str).collect(),
            roles: set.roles.iter().map(String::as_str).collect(),
            guests: set.guests_or_external_users.as_ref().map(|g| Guests {
                types: mask(&g.types),
                any_tenant: g.tenants.is_empty() || g.tenants.iter().any(|t| t == "All"),
                tenants: g.tenants.iter().map(String::as_str).collect(),
            }),
        }
    }

    pub(super) fn matches(&self, user: &UserView) -> bool {
        if self.all || has(&self.users, user.id) {
            return true;
        }
        if user.groups.iter().any(|g| has(&self.groups, g))
            || user.roles.iter().any(|r| has(&self.roles, r))
        {
            return true;
        }
        let Some(kind) = user.guest_type else {
            return false;
        };
        if self.guests_keyword {
            return true;
        }
        self.guests.as_ref().is_some_and(|g| {
            g.types & bit(kind) != 0
                && (kind == GuestOrExternalUserType::InternalGuest
                    || g.any_tenant
                    || user.external_tenant.is_some_and(|t| has(&g.tenants, t)))
        })
    }
}

/// The user fields of a sign-in, borrowed.
pub(super) struct UserView<'s> {
    pub(super) id: &'s str,
    pub(super) groups: &'s [String],
    pub(super) roles: &'s [String],
    pub(super) guest_type: Option<GuestOrExternalUserType>,
    pub(super) external_tenant: Option<&'s str>,
}

#[derive(Debug)]
pub(super) struct Workload<'a> {
    pub(super) all: bool,
    pub(super) include: Vec<&'a str>,
    pub(super) exclude: Vec<&'a str>,
}

/// The application groupings a policy names on one side (include or
/// exclude); each expands to its members ([`apps`]).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Groups {
    pub(super) office365: bool,
    pub(super) admin: bool,
    pub(super) azure: bool,
}

impl Groups {
    fn of(list: &[String]) -> Groups {
        Groups {
            office365: list.iter().any(|v| v == "Office365"),
            admin: list.iter().any(|v| v == "MicrosoftAdminPortals"),
            azure: list
                .iter()
                .any(|v| v.eq_ignore_ascii_case(apps::AZURE_MANAGEMENT)),
        }
    }

    fn any(self) -> bool {
        self.office365 || self.admin || self.azure
    }

    /// `app` is a member of one of the named groupings.
    fn contain(self, app: &str) -> bool {
        (self.office365 && apps::in_office365(app))
            || (self.admin && apps::in_admin_portals(app))
            || (self.azure && apps::in_azure_management(app))
    }

    /// The names of the groupings, for notes.
    fn names(self) -> String {
        let mut n = Vec::new();
        if self.office365 {
            n.push("Office365");
        }
        if self.admin {
            n.push("MicrosoftAdminPortals");
        }
        if self.azure {
            n.push("Windows Azure Service Management API");
        }
        n.join(" / ")
    }
}

#[derive(Debug, Default)]
pub(super) struct Apps<'a> {
    pub(super) all: bool,
    pub(super) groups: Groups,
    pub(super) include: Vec<&'a str>,
    pub(super) exclude_groups: Groups,
    pub(super) exclude: Vec<&'a str>,
}

#[derive(Debug)]
pub(super) enum TargetCond<'a> {
    Apps(Apps<'a>),
    UserActions(Vec<&'a str>),
    AuthContexts(Vec<&'a str>),
    /// No `applications` at all: nothing is targeted.
    Missing,
}

#[derive(Debug)]
pub(super) struct Platforms {
    pub(super) all: bool,
    pub(super) include: u16,
    pub(super) exclude: u16,
    pub(super) exclude_all: bool,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum LocRef<'a> {
    All,
    AllTrusted,
    /// Index into [`Engine::locations`].
    Named(usize),
    /// An id the tenant file does not list.
    NotInTenant(&'a str),
    CompliantNetwork,
}

#[derive(Debug)]
pub(super) struct Locations<'a> {
    pub(super) include: Vec<LocRef<'a>>,
    pub(super) exclude: Vec<LocRef<'a>>,
}

#[derive(Debug)]
pub(super) struct DeviceCond {
    pub(super) mode: FilterMode,
    pub(super) rule: Result<Expr, device_filter::ParseError>,
    pub(super) uses_extension_attributes: bool,
}

#[derive(Debug)]
pub(super) struct Compiled<'a> {
    pub(super) name: &'a str,
    pub(super) policy: &'a Policy,
    pub(super) state: State,
    pub(super) empty: bool,
    /// `users` present with an include side.
    pub(super) users: Option<(Side<'a>, Side<'a>)>,
    /// For Exchange ActiveSync sign-ins the include side matches every user
    /// ([`eas_all_users`]).
    pub(super) eas_all_users: bool,
    pub(super) workload: Option<Workload<'a>>,
    pub(super) target: TargetCond<'a>,
    /// Bit per [`ClientApp`]; 0 = every client.
    pub(super) client_apps: u8,
    pub(super) platforms: Option<Platforms>,
    pub(super) locations: Option<Locations<'a>>,
    pub(super) device: Option<DeviceCond>,
    pub(super) sign_in_risk: u16,
    pub(super) user_risk: u16,
    pub(super) sp_risk: u16,
    pub(super) insider: u16,
    pub(super) flows: u16,
    pub(super) agent_risk: bool,
    /// Unknowns this policy always reports when evaluated.
    pub(super) notes: Vec<String>,
}

impl Compiled<'_> {
    pub(super) fn report_only(&self) -> bool {
        matches!(
            self.state,
            State::ReportOnly | State::EnabledForReportingButNotEnforced
        )
    }

    fn user_actions(&self) -> bool {
        matches!(self.target, TargetCond::UserActions(_))
    }
}

pub(super) fn client_bit(c: ClientApp) -> u8 {
    match c {
        ClientApp::Browser => 1,
        ClientApp::MobileAppsAndDesktopClients => 2,
        ClientApp::ExchangeActiveSync => 4,
        ClientApp::Other => 8,
    }
}

/// Exchange ActiveSync clients: "Admins can only select Exchange ActiveSync
/// clients when assigning policy to users or groups. Selecting **All
/// users**, **All guest and external users**, or **Directory roles** causes
/// all users to be subject of the policy"
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#exchange-activesync-clients>).
/// So when a policy assigned to Exchange ActiveSync clients — its
/// `clientAppTypes` select `exchangeActiveSync` or `easSupported` (**caac
/// decision**: an unconfigured or `all` client-apps condition is not a
/// selection of Exchange ActiveSync clients) — includes All users, guests
/// or external users (either form) or directory roles, its include side
/// matches every user of an Exchange ActiveSync sign-in. The page says
/// nothing about exclusions: they still apply as written (**caac
/// decision**).
fn eas_all_users(include: &Side, client_app_types: &[ClientAppType]) -> bool {
    client_app_types.iter().any(|t| {
        matches!(
            t,
            ClientAppType::ExchangeActiveSync | ClientAppType::EasSupported
        )
    }) && (include.all
        || include.guests_keyword
        || include.guests.is_some()
        || !include.roles.is_empty())
}

fn client_mask(types: &[ClientAppType]) -> u8 {
    let mut m = 0;
    for t in types {
        m |= match t {
            ClientAppType::All => return 0,
            ClientAppType::Browser => 1,
            ClientAppType::MobileAppsAndDesktopClients => 2,
            ClientAppType::ExchangeActiveSync | ClientAppType::EasSupported => 4,
            ClientAppType::Other => 8,
        };
    }
    m
}

/// The policy has a grant or session control. The model's
/// [`Grant::has_control`] and [`Session::has_control`] name every control
/// (no `..`), so a new one breaks the build there.
pub(crate) fn has_controls(p: &Policy) -> bool {
    let grant = p.grant.as_ref().is_some_and(Grant::has_control);
    let session = p.session.as_ref().is_some_and(Session::has_control);
    grant || session
}

// ---------------------------------------------------------------------------
// Named locations from the tenant file
// ---------------------------------------------------------------------------

#[derive(Debug)]
pub(crate) struct NamedLoc {
    pub(crate) id: String,
    pub(crate) name: String,
    /// `None` when the tenant file gives only the id.
    pub(crate) trusted: Option<bool>,
    pub(crate) ranges: Vec<Cidr>,
    pub(crate) countries: Vec<String>,
    pub(crate) include_unknown_countries: bool,
    /// The country comes from the Microsoft Authenticator app's GPS, not
    /// the IP address (`countryLookupMethod: authenticatorAppGps`).
    pub(crate) country_by_gps: bool,
    /// Has ranges or countries to evaluate.
    pub(crate) evaluable: bool,
    /// Ranges that did not parse.
    pub(crate) bad_ranges: Vec<String>,
}

impl NamedLoc {
    /// The sign-in's IP is in one of the ranges.
    fn contains_ip(&self, sign_in: &SignIn) -> bool {
        sign_in
            .ip
            .is_some_and(|ip| self.ranges.iter().any(|r| r.contains(ip)))
    }

    fn contains(&self, sign_in: &SignIn) -> bool {
        if self.contains_ip(sign_in) {
            return true;
        }
        if self.countries.is_empty() && !self.include_unknown_countries {
            return false;
        }
        match &sign_in.country {
            Some(c) => self.countries.iter().any(|x| x.eq_ignore_ascii_case(c)),
            None => self.include_unknown_countries,
        }
    }
}

/// The tenant's named locations (tenant file and location specs) that the
/// sign-in is in, each with whether it counts for `AllTrusted` there: a
/// trusted location matched by its IP ranges ("All trusted networks and
/// locations",
/// <https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network>;
/// only IP locations can be trusted, Graph `ipNamedLocation.isTrusted`).
/// Locations without ranges or countries are left out (nothing to match).
pub fn sign_in_locations(tenant: &Tenant, sign_in: &SignIn) -> Vec<(String, bool)> {
    tenant
        .named_locations
        .iter()
        .map(|(name, entry)| named_location(name, entry))
        .filter(|l| l.evaluable && l.contains(sign_in))
        .map(|l| {
            let trusted = l.trusted == Some(true) && l.contains_ip(sign_in);
            (l.name, trusted)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------

/// Policies compiled for repeated evaluation.
#[derive(Debug)]
pub struct Engine<'a> {
    pub(super) policies: Vec<Compiled<'a>>,
    pub(super) locations: Vec<NamedLoc>,
    /// App ids of the tenant file's `applications` (tenant apps: never
    /// members of the Microsoft app groups).
    pub(super) tenant_apps: Vec<String>,
}

/// Per-evaluation state.
pub(super) struct Ctx<'s> {
    pub(super) sign_in: &'s SignIn,
    pub(super) platform: Option<u16>,
    pub(super) client: u8,
    pub(super) sign_in_risk: u16,
    pub(super) user_risk: u16,
    pub(super) sp_risk: u16,
    pub(super) insider: Option<u16>,
    pub(super) flow: Option<u16>,
    pub(super) register_device: bool,
    /// Per named location: 0 not computed, 1 no, 2 yes.
    pub(super) loc_cache: Vec<u8>,
    pub(super) unknowns: Vec<String>,
    /// The caller drops `unknowns` ([`Engine::reasons_into`]): skip building
    /// the hot-path notes (every policy's notes, app-group notes).
    pub(super) quiet: bool,
}

impl Ctx<'_> {
    fn note(&mut self, text: String) {
        if !self.unknowns.contains(&text) {
            self.unknowns.push(text);
        }
    }
}

impl<'a> Engine<'a> {
    /// Compiles `policies`; `tenant` supplies named-location details and
    /// the tenant's applications.
    pub fn new(policies: &[PolicyRef<'a>], tenant: Option<&Tenant>) -> Engine<'a> {
        let mut engine = Engine {
            policies: Vec::with_capacity(policies.len()),
            locations: Vec::new(),
            tenant_apps: Vec::new(),
        };
        if let Some(t) = tenant {
            for (name, entry) in &t.named_locations {
                engine.locations.push(named_location(name, entry));
            }
            engine.tenant_apps = t
                .applications
                .values()
                .map(|e| e.id().to_ascii_lowercase())
                .collect();
        }
        for p in policies {
            let compiled = engine.compile(p);
            engine.policies.push(compiled);
        }
        engine
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// No policies.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    fn location_ref(&self, id: &'a str) -> LocRef<'a> {
        match id {
            "All" => LocRef::All,
            "AllTrusted" => LocRef::AllTrusted,
            _ => match self
                .locations
                .iter()
                .position(|l| l.id.eq_ignore_ascii_case(id))
            {
                Some(i) => LocRef::Named(i),
                None if id.eq_ignore_ascii_case(COMPLIANT_NETWORK) => LocRef::CompliantNetwork,
                None => LocRef::NotInTenant(id),
            },
        }
    }

    fn compile(&self, r: &PolicyRef<'a>) -> Compiled<'a> {
        let p = r.policy;
        // Every property of the model is named (no `..`): a new one breaks
        // the build here until the engine evaluates it or reports it.
        let Policy {
            display_name: _,
            description: _,
            id: _,
            state,
            users,
            client_applications,
            applications,
            client_app_types,
            platforms,
            locations,
            devices,
            sign_in_risk_levels,
            user_risk_levels,
            service_principal_risk_levels,
            insider_risk_levels,
            agent_id_risk_levels,
            authentication_flows,
            // Controls: `has_controls`, `grant_effect`, `merge_session`.
            grant: _,
            session: _,
            // caac metadata, never sent to Graph: `state` already is the stage's.
            rollout: _,
            exclusions: _,
            passthrough,
        } = p;
        let mut notes = Vec::new();
        let users = users.as_ref().and_then(|u| {
            u.include
                .as_ref()
                .map(|inc| (Side::new(Some(inc)), Side::new(u.exclude.as_ref())))
        });
        let workload = client_applications.as_ref().and_then(|c| {
            if c.filter.is_some() {
                notes.push(format!(
                    "{}: servicePrincipalFilter (custom security attributes) cannot be evaluated offline; treated as matching no service principal",
                    r.name
                ));
            }
            (!c.include.is_empty()).then(|| Workload {
                all: c.include.iter().any(|i| i == "ServicePrincipalsInMyTenant"),
                include: c.include.iter().map(String::as_str).collect(),
                exclude: c.exclude.iter().map(String::as_str).collect(),
            })
        });
        let target = match applications {
            None => TargetCond::Missing,
            Some(a) if !a.user_actions.is_empty() => {
                TargetCond::UserActions(a.user_actions.iter().map(String::as_str).collect())
            }
            Some(a) if !a.authentication_contexts.is_empty() => TargetCond::AuthContexts(
                a.authentication_contexts
                    .iter()
                    .map(String::as_str)
                    .collect(),
            ),
            Some(a) => {
                if a.filter.is_some() {
                    notes.push(format!(
                        "{}: applicationFilter (custom security attributes) cannot be evaluated offline; treated as matching no application",
                        r.name
                    ));
                }
                TargetCond::Apps(Apps {
                    all: a.include.iter().any(|v| v == "All"),
                    groups: Groups::of(&a.include),
                    include: a.include.iter().map(String::as_str).collect(),
                    exclude_groups: Groups::of(&a.exclude),
                    exclude: a.exclude.iter().map(String::as_str).collect(),
                })
            }
        };
        let platforms = platforms.as_ref().map(|pl| Platforms {
            all: pl.include.contains(&Platform::All),
            include: mask(&pl.include),
            exclude: mask(&pl.exclude),
            exclude_all: pl.exclude.contains(&Platform::All),
        });
        let locations = locations.as_ref().map(|l| Locations {
            include: l.include.iter().map(|id| self.location_ref(id)).collect(),
            exclude: l.exclude.iter().map(|id| self.location_ref(id)).collect(),
        });
        let device = devices.as_ref().and_then(|d| d.filter.as_ref()).map(|f| {
            let rule = device_filter::parse(&f.rule);
            if let Err(e) = &rule {
                notes.push(format!(
                    "{}: the device filter does not parse ({e}); the policy cannot apply",
                    r.name
                ));
            }
            DeviceCond {
                mode: f.mode,
                uses_extension_attributes: rule.as_ref().is_ok_and(Expr::uses_extension_attributes),
                rule,
            }
        });
        if let Some(pt) = passthrough {
            notes.push(format!(
                "{}: passthrough properties are not evaluated ({})",
                r.name,
                pt.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if client_applications
            .as_ref()
            .is_some_and(|c| c.agent_ids.is_some())
        {
            notes.push(format!(
                "{}: agent identity assignments (beta) are not evaluated",
                r.name
            ));
        }
        Compiled {
            name: r.name,
            policy: p,
            state: *state,
            empty: !has_controls(p),
            eas_all_users: users
                .as_ref()
                .is_some_and(|(inc, _)| eas_all_users(inc, client_app_types)),
            users,
            workload,
            target,
            client_apps: client_mask(client_app_types),
            platforms,
            locations,
            device,
            sign_in_risk: mask(sign_in_risk_levels),
            user_risk: mask(user_risk_levels),
            sp_risk: mask(service_principal_risk_levels),
            insider: mask(insider_risk_levels),
            flows: mask(authentication_flows),
            agent_risk: !agent_id_risk_levels.is_empty(),
            notes,
        }
    }

    pub(super) fn context<'s>(&self, sign_in: &'s SignIn) -> Ctx<'s> {
        Ctx {
            sign_in,
            platform: sign_in.platform.filter(|p| *p != Platform::All).map(bit),
            client: client_bit(sign_in.client_app),
            sign_in_risk: bit(sign_in.sign_in_risk),
            user_risk: bit(sign_in.user_risk),
            sp_risk: bit(sign_in.service_principal_risk),
            insider: sign_in.insider_risk.map(bit),
            flow: sign_in.transfer_method.map(bit),
            register_device: matches!(&sign_in.target, Target::UserAction(a) if a.eq_ignore_ascii_case(REGISTER_DEVICE)),
            loc_cache: vec![0; self.locations.len()],
            unknowns: Vec::new(),
            quiet: false,
        }
    }

    /// Evaluates one sign-in.
    pub fn evaluate(&self, sign_in: &SignIn) -> Outcome {
        let mut ctx = self.context(sign_in);
        let mut out = Outcome {
            policies: Vec::with_capacity(self.policies.len()),
            access: Access::Allow,
            requirements: Vec::new(),
            session: SessionOutcome::default(),
            report_only: Vec::new(),
            unknowns: Vec::new(),
            unsatisfiable: Vec::new(),
        };
        let shape = sign_in.shape();
        let mut block = false;
        for p in &self.policies {
            let reasons = self.reasons(p, &mut ctx);
            let applies = reasons.is_empty();
            out.policies.push(PolicyResult {
                name: p.name.to_owned(),
                id: p.policy.id.clone(),
                state: p.state,
                applies,
                reasons: reasons.to_vec(),
            });
            if !applies {
                continue;
            }
            match p.state {
                State::Enabled => {
                    match grant_effect(p.name, p.policy, shape) {
                        GrantEffect::Nothing => {}
                        GrantEffect::Block(req) => {
                            block = true;
                            out.requirements.push(req);
                        }
                        GrantEffect::Unsatisfiable(mut u) => {
                            block = true;
                            if u.token_protection {
                                // The sign-in's own gap, not the generic one.
                                u.why = token_binding_gap(
                                    sign_in.client_app,
                                    sign_in.platform,
                                    sign_in.device.registered,
                                    &sign_in.target,
                                )
                                .unwrap_or(u.why);
                            }
                            out.unsatisfiable.push(u);
                        }
                        GrantEffect::Require(req) => out.requirements.push(req),
                    }
                    if let Some(s) = &p.policy.session {
                        merge_session(&mut out.session, s);
                        session_notes(p.name, s, sign_in, &mut ctx);
                    }
                }
                State::ReportOnly | State::EnabledForReportingButNotEnforced => {
                    out.report_only.push(p.name.to_owned());
                }
                State::Disabled => {}
            }
        }
        out.access = if block {
            Access::Block
        } else if out.requirements.is_empty() {
            Access::Allow
        } else {
            Access::Grant
        };
        out.unknowns = ctx.unknowns;
        out
    }

    /// The reasons of every policy, in input order, without building an
    /// [`Outcome`] (no allocation beyond `out`; unknowns are dropped).
    pub fn reasons_into(&self, sign_in: &SignIn, out: &mut Vec<ReasonSet>) {
        let mut ctx = self.context(sign_in);
        ctx.quiet = true;
        out.clear();
        out.extend(self.policies.iter().map(|p| self.reasons(p, &mut ctx)));
    }

    fn reasons(&self, p: &Compiled, ctx: &mut Ctx) -> ReasonSet {
        let mut r = ReasonSet::default();
        // "Conditional Access policies can be evaluated in report-only mode
        // except for items included in the 'User Actions' scope"
        // (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only):
        // a report-only user-action policy is never evaluated, so it is not
        // in force, like a disabled one (caac decision on the flag).
        if p.state == State::Disabled || (p.report_only() && p.user_actions()) {
            r.insert(Reason::PolicyNotEnabled);
        }
        if p.empty {
            r.insert(Reason::EmptyPolicy);
        }
        if !ctx.quiet {
            for n in &p.notes {
                ctx.note(n.clone());
            }
        }
        let sign_in = ctx.sign_in;
        let is_user = match &sign_in.identity {
            Identity::User {
                id,
                groups,
                roles,
                guest_type,
                external_tenant,
            } => {
                let view = UserView {
                    id,
                    groups,
                    roles,
                    guest_type: *guest_type,
                    external_tenant: external_tenant.as_deref(),
                };
                let eas =
                    p.eas_all_users && ctx.client == client_bit(ClientApp::ExchangeActiveSync);
                let hit = p
                    .users
                    .as_ref()
                    .is_some_and(|(inc, exc)| (eas || inc.matches(&view)) && !exc.matches(&view));
                if !hit {
                    r.insert(Reason::Users);
                }
                true
            }
            Identity::ServicePrincipal { id } => {
                let hit = p
                    .workload
                    .as_ref()
                    .is_some_and(|w| (w.all || has(&w.include, id)) && !has(&w.exclude, id));
                if !hit {
                    r.insert(Reason::WorkloadIdentities);
                }
                false
            }
        };
        if let Some(reason) = self.target_reason(p, ctx) {
            r.insert(reason);
        }
        if is_user {
            if !ctx.register_device {
                if p.client_apps != 0 && p.client_apps & ctx.client == 0 {
                    r.insert(Reason::ClientApps);
                }
                if let Some(d) = &p.device {
                    match &d.rule {
                        Err(_) => r.insert(Reason::InvalidCondition),
                        Ok(expr) => {
                            let hit = expr.matches(&sign_in.device);
                            if hit != (d.mode == FilterMode::Include) {
                                r.insert(Reason::Devices);
                            }
                            if d.uses_extension_attributes
                                && sign_in.device.registered
                                && !sign_in.device.extension_attributes_available()
                                && sign_in
                                    .device
                                    .attributes
                                    .keys()
                                    .any(|k| k.starts_with("extensionAttribute"))
                            {
                                ctx.note(format!(
                                    "{}: the device's extensionAttribute values are ignored: Entra reads them only from Intune-managed, compliant or hybrid-joined devices",
                                    p.name
                                ));
                            }
                        }
                    }
                }
            }
            if let Some(pl) = &p.platforms {
                let hit = !pl.exclude_all
                    && match ctx.platform {
                        None => pl.all,
                        Some(b) => (pl.all || pl.include & b != 0) && pl.exclude & b == 0,
                    };
                if !hit {
                    r.insert(Reason::DevicePlatform);
                }
            }
            if p.sign_in_risk != 0 && p.sign_in_risk & ctx.sign_in_risk == 0 {
                r.insert(Reason::SignInRisk);
            }
            if p.user_risk != 0 && p.user_risk & ctx.user_risk == 0 {
                r.insert(Reason::UserRisk);
            }
            if p.insider != 0 && ctx.insider.is_none_or(|b| p.insider & b == 0) {
                r.insert(Reason::InsiderRisk);
            }
            if p.flows != 0 && ctx.flow.is_none_or(|b| p.flows & b == 0) {
                r.insert(Reason::AuthenticationFlow);
            }
        } else if p.sp_risk != 0 && p.sp_risk & ctx.sp_risk == 0 {
            r.insert(Reason::ServicePrincipalRisk);
        }
        // Neither users nor service principals carry an agent risk.
        if p.agent_risk {
            r.insert(Reason::AgentIdRisk);
        }
        if let Some(l) = &p.locations {
            let hit = l.include.iter().any(|x| self.location_matches(*x, ctx))
                && !l.exclude.iter().any(|x| self.location_matches(*x, ctx));
            if !hit {
                r.insert(Reason::Location);
            }
        }
        r
    }

    fn knows_app(&self, app: &str) -> bool {
        apps::is_known(app) || self.tenant_apps.iter().any(|t| t.eq_ignore_ascii_case(app))
    }

    fn app_in_scope(&self, a: &Apps, app: &str, policy: &str, ctx: &mut Ctx) -> bool {
        let included = a.all || has(&a.include, app) || a.groups.contain(app);
        if !included {
            if !ctx.quiet && a.groups.any() && !self.knows_app(app) {
                ctx.note(group_note(policy, app, a.groups));
            }
            return false;
        }
        let excluded = has(&a.exclude, app) || a.exclude_groups.contain(app);
        if !ctx.quiet && !excluded && a.exclude_groups.any() && !self.knows_app(app) {
            ctx.note(group_note(policy, app, a.exclude_groups));
        }
        !excluded
    }

    fn target_reason(&self, p: &Compiled, ctx: &mut Ctx) -> Option<Reason> {
        let hit = match (&p.target, &ctx.sign_in.target) {
            (TargetCond::Apps(a), Target::Applications(apps)) => {
                let mut any = false;
                for app in apps {
                    if self.app_in_scope(a, app, p.name, ctx) {
                        any = true;
                        break;
                    }
                }
                return (!any).then_some(Reason::Application);
            }
            // All resources also covers user actions and authentication
            // contexts (Graph evaluate example 3).
            (TargetCond::Apps(a), _) => return (!a.all).then_some(Reason::Application),
            (TargetCond::UserActions(list), Target::UserAction(x)) => has(list, x),
            (TargetCond::UserActions(_), _) => false,
            (TargetCond::AuthContexts(list), Target::AuthenticationContext(c)) => has(list, c),
            (TargetCond::AuthContexts(_), _) => false,
            (TargetCond::Missing, _) => return Some(Reason::Application),
        };
        if hit {
            None
        } else {
            Some(match p.target {
                TargetCond::UserActions(_) => Reason::UserActions,
                _ => Reason::AuthenticationContext,
            })
        }
    }

    pub(super) fn location_matches(&self, r: LocRef, ctx: &mut Ctx) -> bool {
        match r {
            LocRef::All => true,
            LocRef::AllTrusted => {
                // "All locations marked as trusted locations" and "MFA trusted
                // IPs, if configured" (concept-assignment-network). Only IP
                // ranges can be marked trusted: "Administrators might
                // optionally mark IP-based locations … as trusted" (same
                // page), and Graph has `isTrusted` on `ipNamedLocation` only,
                // not on `countryNamedLocation`
                // (https://learn.microsoft.com/graph/api/resources/countrynamedlocation).
                // So a trusted location counts by its IP ranges alone.
                let mut unsure = false;
                for l in &self.locations {
                    if l.trusted == Some(true) && !ctx.quiet {
                        for bad in &l.bad_ranges {
                            ctx.note(format!("named location `{}`: ignored range {bad}", l.name));
                        }
                    }
                    match l.trusted {
                        Some(true) if !l.ranges.is_empty() => {
                            if l.contains_ip(ctx.sign_in) {
                                return true;
                            }
                        }
                        Some(true) if l.evaluable => {
                            if !ctx.quiet {
                                ctx.note(format!(
                                    "named location `{}` is marked trusted but has no ipRanges; only IP-range locations can be trusted (Graph ipNamedLocation.isTrusted), so caac does not count it for AllTrusted",
                                    l.name
                                ));
                            }
                        }
                        Some(true) | None => unsure = true,
                        Some(false) => {}
                    }
                }
                if unsure {
                    ctx.note("AllTrusted: some named locations in the tenant file have no trust flag or no ranges/countries; caac counted them as not containing this sign-in".into());
                }
                false
            }
            LocRef::Named(i) => {
                let l = &self.locations[i];
                for bad in &l.bad_ranges {
                    ctx.note(format!("named location `{}`: ignored range {bad}", l.name));
                }
                if !l.evaluable {
                    ctx.note(format!(
                        "named location `{}` ({}) has no ipRanges or countries in the tenant file; caac treated it as not matching",
                        l.name, l.id
                    ));
                    return false;
                }
                // "A user's location is found using their public IP address
                // or the GPS coordinates provided by the Microsoft
                // Authenticator app"
                // (https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network).
                if l.country_by_gps && !ctx.quiet {
                    ctx.note(format!(
                        "named location `{}` finds the country by the Microsoft Authenticator app's GPS (countryLookupMethod: authenticatorAppGps); caac took the request's `country` as that GPS country",
                        l.name
                    ));
                }
                self.contains(i, ctx)
            }
            LocRef::NotInTenant(id) => {
                let what = if id.eq_ignore_ascii_case(MFA_TRUSTED_IPS) {
                    "MFA trusted IPs (00000000-0000-0000-0000-000000000000)".to_owned()
                } else {
                    format!("named location {id}")
                };
                ctx.note(format!(
                    "{what} is not in the tenant file's namedLocations; caac treated it as not matching"
                ));
                false
            }
            LocRef::CompliantNetwork => {
                ctx.note("All Compliant Network locations depends on Global Secure Access traffic and never matches offline".into());
                false
            }
        }
    }

    fn contains(&self, i: usize, ctx: &mut Ctx) -> bool {
        match ctx.loc_cache[i] {
            1 => false,
            2 => true,
            _ => {
                let hit = self.locations[i].contains(ctx.sign_in);
                ctx.loc_cache[i] = if hit { 2 } else { 1 };
                hit
            }
        }
    }
}

fn group_note(policy: &str, app: &str, groups: Groups) -> String {
    format!(
        "{policy}: cannot tell whether app {app} is part of {} (Microsoft does not publish every member's id); caac treated it as not a member",
        groups.names()
    )
}

pub(crate) fn named_location(name: &str, entry: &crate::model::Entry) -> NamedLoc {
    let id = entry.id().to_ascii_lowercase();
    let nil = id == MFA_TRUSTED_IPS;
    let Some(d) = entry.detail() else {
        return NamedLoc {
            trusted: nil.then_some(true),
            id,
            name: name.to_owned(),
            ranges: Vec::new(),
            countries: Vec::new(),
            include_unknown_countries: false,
            country_by_gps: false,
            evaluable: false,
            bad_ranges: Vec::new(),
        };
    };
    let mut ranges = Vec::new();
    let mut bad_ranges = Vec::new();
    for r in &d.ip_ranges {
        match Cidr::parse(r) {
            // MFA trusted IPs: "This control only accepts IPv4 addresses"
            // (https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#multifactor-authentication-trusted-ips).
            Ok(Cidr::V6 { .. }) if nil => {
                bad_ranges.push(format!("`{r}`: MFA trusted IPs accept IPv4 addresses only"));
            }
            Ok(c) => ranges.push(c),
            Err(e) => bad_ranges.push(format!("`{r}`: {e}")),
        }
    }
    NamedLoc {
        evaluable: !ranges.is_empty() || !d.countries.is_empty() || d.include_unknown_countries,
        trusted: Some(d.trusted || nil),
        id,
        name: name.to_owned(),
        ranges,
        countries: d.countries.clone(),
        include_unknown_countries: d.include_unknown_countries,
        country_by_gps: d.country_by_gps,
        bad_ranges,
    }
}

/// Strictness key of a sign-in frequency: lower is stricter; `None` for a
/// frequency that sets neither `everyTime` nor a period.
fn sif_key(f: &SignInFrequency) -> Option<(u64, u8)> {
    let auth = match f.authentication_type {
        Some(SignInFrequencyAuthenticationType::SecondaryAuthentication) => 1,
        _ => 0,
    };
    if f.frequency_interval == Some(SignInFrequencyInterval::EveryTime) {
        return Some((0, auth));
    }
    let value = u64::from(f.value?);
    let hours = match f.kind? {
        SignInFrequencyType::Hours => value,
        SignInFrequencyType::Days => value * 24,
    };
    Some((hours, auth))
}

fn cas_rank(c: CloudAppSecurityType) -> u8 {
    match c {
        CloudAppSecurityType::MonitorOnly => 0,
        CloudAppSecurityType::McasConfigured => 1,
        CloudAppSecurityType::BlockDownloads => 2,
    }
}

fn cae_rank(c: ContinuousAccessEvaluationMode) -> u8 {
    match c {
        ContinuousAccessEvaluationMode::Disabled => 0,
        ContinuousAccessEvaluationMode::StrictLocation => 1,
        ContinuousAccessEvaluationMode::StrictEnforcement => 2,
    }
}

/// Office 365 Exchange Online.
const EXCHANGE_ONLINE: &str = "00000002-0000-0ff1-ce00-000000000000";
/// Office 365 SharePoint Online.
const SHAREPOINT_ONLINE: &str = "00000003-0000-0ff1-ce00-000000000000";

/// Warnings about session controls of an applying enforced policy that
/// this sign-in cannot use as merged: the merge itself stays as Graph
/// writes the controls (what the policy demands), the note says what Entra
/// does with them for this sign-in.
fn session_notes(policy: &str, s: &Session, sign_in: &SignIn, ctx: &mut Ctx) {
    // "Only Exchange Online and Sharepoint Online support this session
    // control" (https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols).
    if s.application_enforced_restrictions {
        let supported = matches!(&sign_in.target, Target::Applications(apps)
            if apps.iter().any(|a| a.eq_ignore_ascii_case(EXCHANGE_ONLINE) || a.eq_ignore_ascii_case(SHAREPOINT_ONLINE)));
        if !supported {
            ctx.note(format!(
                "{policy}: app enforced restrictions take effect only in Exchange Online and SharePoint Online (conditionalaccesssessioncontrols); no requested resource here supports them"
            ));
        }
    }
    // Token protection needs no note: a sign-in that cannot bind is blocked
    // (`grant_effect`, `token_binding_gap`).
}

fn merge_session(acc: &mut SessionOutcome, s: &Session) {
    // Every session control is named (no `..`): a new one breaks the build.
    let Session {
        token_protection,
        sign_in_frequency,
        persistent_browser,
        application_enforced_restrictions,
        cloud_app_security,
        continuous_access_evaluation,
        disable_resilience_defaults,
        // A Global Secure Access profile is a traffic filter, not an
        // access decision caac can merge; `has_controls` counts it.
        global_secure_access_filtering_profile: _,
    } = s;
    acc.token_protection |= *token_protection;
    acc.application_enforced_restrictions |= *application_enforced_restrictions;
    acc.disable_resilience_defaults |= *disable_resilience_defaults;
    if let Some(f) = sign_in_frequency
        && let Some(key) = sif_key(f)
        && acc
            .sign_in_frequency
            .as_ref()
            .and_then(sif_key)
            .is_none_or(|old| key < old)
    {
        acc.sign_in_frequency = Some(f.clone());
    }
    acc.persistent_browser = match (acc.persistent_browser, *persistent_browser) {
        (Some(PersistentBrowserMode::Never), _) | (_, Some(PersistentBrowserMode::Never)) => {
            Some(PersistentBrowserMode::Never)
        }
        (a, b) => a.or(b),
    };
    if let Some(c) = *cloud_app_security
        && acc
            .cloud_app_security
            .is_none_or(|old| cas_rank(c) > cas_rank(old))
    {
        acc.cloud_app_security = Some(c);
    }
    if let Some(c) = *continuous_access_evaluation
        && acc
            .continuous_access_evaluation
            .is_none_or(|old| cae_rank(c) > cae_rank(old))
    {
        acc.continuous_access_evaluation = Some(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        BuiltInControl, CloudAppSecurityType, ContinuousAccessEvaluationMode, InsiderRiskLevel,
        Operator, PersistentBrowserMode, RiskLevel, ServicePrincipalRiskLevel, TransferMethod,
    };

    const ALICE: &str = "a11ce000-0000-4000-8000-000000000001";
    const BOB: &str = "b0b00000-0000-4000-8000-000000000002";
    const EMERGENCY: &str = "00000000-0000-4000-8000-00000000e0e1";
    const PILOT: &str = "00000000-0000-4000-8000-0000000070b1";
    const PARTNER: &str = "99999999-9999-4999-8999-999999999999";
    const OTHER_TENANT: &str = "12121212-1212-4212-8212-121212121212";
    const ROBOT: &str = "5e000000-0000-4000-8000-000000000001";
    const OTHER_SP: &str = "5e000000-0000-4000-8000-000000000002";
    const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
    const EXO: &str = "00000002-0000-0ff1-ce00-000000000000";
    const SPO: &str = "00000003-0000-0ff1-ce00-000000000000";
    const TEAMS: &str = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe";
    const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
    const AZURE_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
    const HR_PORTAL: &str = "4a000000-0000-4000-8000-000000000001";
    const UNKNOWN_APP: &str = "0badc0de-0000-4000-8000-000000000000";

    const TENANT: &str = r#"
tenantId: 11111111-1111-4111-8111-111111111111
users:
  alice@contoso.com:
    id: a11ce000-0000-4000-8000-000000000001
    memberOf: [Token Protection Pilot]
    roles: [Global Administrator]
  bob@contoso.com: b0b00000-0000-4000-8000-000000000002
groups:
  Emergency Access: 00000000-0000-4000-8000-00000000e0e1
  Token Protection Pilot: 00000000-0000-4000-8000-0000000070b1
  Sales: 5a1e5000-0000-4000-8000-000000000003
namedLocations:
  HQ: { id: 55555555-5555-4555-8555-555555555555, trusted: true, ipRanges: [203.0.113.0/24, "2001:db8::/48"] }
  Allowed countries: { id: 66666666-6666-4666-8666-666666666666, countries: [NL, "NO"] }
  Unknown or NL: { id: 77777777-7777-4777-8777-777777777777, countries: [NL], includeUnknownCountries: true }
  Branch: 88888888-8888-4888-8888-888888888888
  MFA trusted IPs: { id: 00000000-0000-0000-0000-000000000000, ipRanges: [192.0.2.0/24] }
externalTenants:
  Partner: 99999999-9999-4999-8999-999999999999
servicePrincipals:
  Payroll Robot: 5e000000-0000-4000-8000-000000000001
applications:
  HR Portal: 4a000000-0000-4000-8000-000000000001
authenticationContexts:
  Sensitive: c1
"#;

    fn tenant() -> Tenant {
        crate::test_support::tenant_from_yaml(TENANT)
    }

    /// A policy from YAML, resolved through the test tenant.
    fn policy(yaml: &str) -> Policy {
        let p = crate::test_support::from_yaml(yaml);
        let (p, d) = crate::resolve::resolve(&p, Some(&tenant()));
        assert!(d.is_empty(), "{d:?}");
        p
    }

    /// An enabled policy: All users, All resources, grant `mfa`, plus `extra` YAML.
    fn base(extra: &str) -> Policy {
        let mut yaml = String::from("displayName: P\nstate: enabled\n");
        if !extra.contains("users:") {
            yaml.push_str("users: { include: { users: [All] } }\n");
        }
        if !extra.contains("applications:") {
            yaml.push_str("applications: { include: [All] }\n");
        }
        if !extra.contains("grant:") && !extra.contains("session:") {
            yaml.push_str("grant: { builtInControls: [mfa] }\n");
        }
        yaml.push_str(extra);
        policy(&yaml)
    }

    fn run(policies: &[Policy], s: &SignIn) -> Outcome {
        let t = tenant();
        let refs: Vec<PolicyRef> = policies
            .iter()
            .map(|p| PolicyRef {
                name: &p.display_name,
                policy: p,
            })
            .collect();
        evaluate(&refs, Some(&t), s)
    }

    fn reasons(p: &Policy, s: &SignIn) -> Vec<Reason> {
        run(std::slice::from_ref(p), s).policies[0].reasons.clone()
    }

    fn user(id: &str, groups: &[&str]) -> Identity {
        Identity::User {
            id: id.into(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            roles: Vec::new(),
            guest_type: None,
            external_tenant: None,
        }
    }

    fn guest(kind: GuestOrExternalUserType, tenant: Option<&str>) -> Identity {
        Identity::User {
            id: "6e575000-0000-4000-8000-000000000009".into(),
            groups: Vec::new(),
            roles: Vec::new(),
            guest_type: Some(kind),
            external_tenant: tenant.map(str::to_owned),
        }
    }

    /// `identity` opening `app` in a browser on Windows.
    fn sign_in(identity: Identity, app: &str) -> SignIn {
        let mut s = SignIn::new(
            identity,
            Target::Applications(vec![app.into()]),
            ClientApp::Browser,
        );
        s.platform = Some(Platform::Windows);
        s
    }

    const APPLIES: &[Reason] = &[Reason::NotSet];

    // "When organizations both include and exclude a user or group, the user
    // or group is excluded from the policy. The exclude action overrides the
    // include action" — concept-conditional-access-users-groups#exclude-users
    #[test]
    fn exclusion_beats_inclusion() {
        let p = base(
            "users:\n  include: { groups: [Token Protection Pilot] }\n  exclude: { groups: [Emergency Access] }\n",
        );
        let cases: &[(&[&str], &[Reason])] = &[
            (&[PILOT], APPLIES),
            (&[PILOT, EMERGENCY], &[Reason::Users]),
            (&[EMERGENCY], &[Reason::Users]),
            (&[], &[Reason::Users]),
        ];
        for (groups, want) in cases {
            assert_eq!(
                reasons(&p, &sign_in(user(ALICE, groups), SPO)),
                *want,
                "{groups:?}"
            );
        }
        let by_user =
            base("users:\n  include: { users: [All] }\n  exclude: { users: [bob@contoso.com] }\n");
        assert_eq!(
            reasons(&by_user, &sign_in(user(BOB, &[]), SPO)),
            [Reason::Users]
        );
        assert_eq!(reasons(&by_user, &sign_in(user(ALICE, &[]), SPO)), APPLIES);
        // Directory roles on both sides.
        let admin = Identity::User {
            id: ALICE.into(),
            groups: vec![],
            roles: vec![GLOBAL_ADMIN.into()],
            guest_type: None,
            external_tenant: None,
        };
        let by_role = base(
            "users:\n  include: { users: [All] }\n  exclude: { roles: [Global Administrator] }\n",
        );
        assert_eq!(
            reasons(&by_role, &sign_in(admin.clone(), SPO)),
            [Reason::Users]
        );
        let admins =
            base("users:\n  include: { roles: [Global Administrator, Security Administrator] }\n");
        assert_eq!(reasons(&admins, &sign_in(admin, SPO)), APPLIES);
        assert_eq!(
            reasons(&admins, &sign_in(user(BOB, &[]), SPO)),
            [Reason::Users]
        );
    }

    // "All users: All users that exist in the directory including B2B
    // guests"; guest or external user types per tenant, All or selected
    // tenants — concept-conditional-access-users-groups#include-users
    #[test]
    fn all_users_and_guest_types() {
        use GuestOrExternalUserType::*;
        let all = base("");
        let all_but_partner_guests = base(
            "users:\n  include: { users: [All] }\n  exclude:\n    guestsOrExternalUsers: { types: [b2bCollaborationGuest], tenants: [Partner] }\n",
        );
        let partner_guests = base(
            "users:\n  include:\n    guestsOrExternalUsers: { types: [b2bCollaborationGuest, internalGuest], tenants: [Partner] }\n",
        );
        let legacy = base("users: { include: { users: [GuestsOrExternalUsers] } }\n");
        let providers = base(
            "users:\n  include:\n    guestsOrExternalUsers: { types: [serviceProvider], tenants: [All] }\n",
        );
        let nobody = base("users: { include: { users: [None] } }\n");
        let member = user(ALICE, &[]);
        let partner_guest = guest(B2bCollaborationGuest, Some(PARTNER));
        let other_guest = guest(B2bCollaborationGuest, Some(OTHER_TENANT));
        let partner_direct = guest(B2bDirectConnectUser, Some(PARTNER));
        let local_guest = guest(InternalGuest, None);
        let provider = guest(ServiceProvider, Some(OTHER_TENANT));
        let tenantless_guest = guest(B2bCollaborationGuest, None);
        let u = [Reason::Users];
        let cases: Vec<(&Policy, &Identity, &[Reason])> = vec![
            (&all, &member, APPLIES),
            (&all, &partner_guest, APPLIES),
            (&all, &local_guest, APPLIES),
            (&all_but_partner_guests, &partner_guest, &u),
            (&all_but_partner_guests, &other_guest, APPLIES),
            (&all_but_partner_guests, &partner_direct, APPLIES),
            (&all_but_partner_guests, &member, APPLIES),
            (&partner_guests, &member, &u),
            (&partner_guests, &partner_guest, APPLIES),
            (&partner_guests, &other_guest, &u),
            (&partner_guests, &tenantless_guest, &u),
            (&partner_guests, &local_guest, APPLIES), // local guests have no external tenant
            (&partner_guests, &partner_direct, &u),
            (&legacy, &partner_direct, APPLIES),
            (&legacy, &local_guest, APPLIES),
            (&legacy, &member, &u),
            (&providers, &provider, APPLIES),
            (&providers, &other_guest, &u),
            (&nobody, &member, &u),
            (&nobody, &partner_guest, &u),
        ];
        for (i, (p, who, want)) in cases.into_iter().enumerate() {
            assert_eq!(
                reasons(p, &sign_in(who.clone(), SPO)),
                want,
                "case {i}: {who:?}"
            );
        }
    }

    // Exchange ActiveSync clients: "Admins can only select Exchange
    // ActiveSync clients when assigning policy to users or groups. Selecting
    // **All users**, **All guest and external users**, or **Directory
    // roles** causes all users to be subject of the policy"
    // (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#exchange-activesync-clients).
    #[test]
    fn exchange_activesync_policies_with_all_users_guests_or_roles_cover_every_user() {
        use GuestOrExternalUserType::B2bCollaborationGuest;
        let eas = "clientAppTypes: [exchangeActiveSync]\n";
        let by_role = base(&format!(
            "users: {{ include: {{ roles: [Global Administrator] }} }}\n{eas}"
        ));
        let guests = base(&format!(
            "users:\n  include:\n    guestsOrExternalUsers: {{ types: [b2bCollaborationGuest], tenants: [Partner] }}\n{eas}"
        ));
        let legacy_guests = base(&format!(
            "users: {{ include: {{ users: [GuestsOrExternalUsers] }} }}\n{eas}"
        ));
        let all_but_bg = base(&format!(
            "users:\n  include: {{ users: [All] }}\n  exclude: {{ groups: [Emergency Access] }}\n{eas}"
        ));
        let by_group = base(&format!(
            "users: {{ include: {{ groups: [Token Protection Pilot] }} }}\n{eas}"
        ));
        let by_role_eas_supported = base(
            "users: { include: { roles: [Global Administrator] } }\nclientAppTypes: [easSupported]\n",
        );
        let by_role_eas_or_browser = base(
            "users: { include: { roles: [Global Administrator] } }\nclientAppTypes: [exchangeActiveSync, browser]\n",
        );
        // Unconfigured client apps is not a selection of Exchange ActiveSync
        // clients (caac decision): roles stay literal.
        let by_role_any_client = base("users: { include: { roles: [Global Administrator] } }\n");
        let by_role_excluding_bob = base(&format!(
            "users:\n  include: {{ roles: [Global Administrator] }}\n  exclude: {{ users: [bob@contoso.com] }}\n{eas}"
        ));
        let member = user(BOB, &[]);
        let outsider = guest(B2bCollaborationGuest, Some(OTHER_TENANT));
        let breakglass = user(BOB, &[EMERGENCY]);
        let u: &[Reason] = &[Reason::Users];
        let uc: &[Reason] = &[Reason::Users, Reason::ClientApps];
        use ClientApp::{
            Browser, ExchangeActiveSync as Eas, MobileAppsAndDesktopClients as Native,
        };
        // | policy | who | client | reasons |
        let cases: Vec<(&Policy, &Identity, ClientApp, &[Reason])> = vec![
            (&by_role, &member, Eas, APPLIES),
            (&by_role, &outsider, Eas, APPLIES),
            (&by_role, &member, Browser, uc),
            (&guests, &member, Eas, APPLIES),
            (&guests, &outsider, Eas, APPLIES),
            (&legacy_guests, &member, Eas, APPLIES),
            (&all_but_bg, &member, Eas, APPLIES),
            // Exclusions still apply as written (caac decision).
            (&all_but_bg, &breakglass, Eas, u),
            (&by_role_excluding_bob, &member, Eas, u),
            // Users and groups are matched literally.
            (&by_group, &member, Eas, u),
            (&by_role_eas_supported, &member, Eas, APPLIES),
            (&by_role_eas_or_browser, &member, Eas, APPLIES),
            (&by_role_eas_or_browser, &member, Browser, u),
            (&by_role_eas_or_browser, &member, Native, uc),
            (&by_role_any_client, &member, Eas, u),
            (&by_role_any_client, &member, Browser, u),
            (&by_role, &member, Native, uc),
        ];
        for (i, (p, who, client, want)) in cases.into_iter().enumerate() {
            let mut s = sign_in(who.clone(), EXO);
            s.client_app = client;
            assert_eq!(reasons(p, &s), want, "case {i}: {who:?} {client:?}");
        }
    }

    // Office 365 suite membership: reference-office-365-application-contents;
    // ids: verify-first-party-apps-sign-in. Exclusions: "Admins can exclude
    // the entire Microsoft 365 suite or specific Microsoft 365 cloud apps"
    // (concept-conditional-access-cloud-apps#office-365). Any requested
    // resource in scope makes the policy apply (same page, "Conditional
    // Access for different client types").
    #[test]
    fn office365_expansion() {
        let o365 = base("applications: { include: [Office365] }\n");
        let all_but_o365 = base("applications: { include: [All], exclude: [Office365] }\n");
        let o365_but_spo = base(
            "applications: { include: [Office365], exclude: [Office 365 SharePoint Online] }\n",
        );
        let admin = base("applications: { include: [MicrosoftAdminPortals] }\n");
        let a = [Reason::Application];
        let cases: &[(&Policy, &[&str], &[Reason])] = &[
            (&o365, &[EXO], APPLIES),
            (&o365, &[SPO], APPLIES),
            (&o365, &[TEAMS], APPLIES),
            (&o365, &[GRAPH], &a),
            (&o365, &[GRAPH, SPO], APPLIES),
            (&o365, &[HR_PORTAL], &a),
            (&all_but_o365, &[SPO], &a),
            (&all_but_o365, &[GRAPH], APPLIES),
            (&all_but_o365, &[TEAMS, GRAPH], APPLIES),
            (&o365_but_spo, &[SPO], &a),
            (&o365_but_spo, &[EXO], APPLIES),
            (&admin, &[AZURE_PORTAL], APPLIES),
            (&admin, &[EXO], &a),
        ];
        for (p, apps, want) in cases {
            let mut s = sign_in(user(ALICE, &[]), "");
            s.target = Target::Applications(apps.iter().map(|a| (*a).to_owned()).collect());
            let out = run(std::slice::from_ref(*p), &s);
            assert_eq!(out.policies[0].reasons, *want, "{apps:?}");
            assert!(out.unknowns.is_empty(), "{apps:?}: {:?}", out.unknowns);
        }
        // An id caac cannot place: not a member, and said so.
        let out = run(&[o365], &sign_in(user(ALICE, &[]), UNKNOWN_APP));
        assert_eq!(out.policies[0].reasons, a);
        assert!(
            out.unknowns[0].contains("part of Office365"),
            "{:?}",
            out.unknowns
        );
        let out = run(&[all_but_o365], &sign_in(user(ALICE, &[]), UNKNOWN_APP));
        assert_eq!(out.policies[0].reasons, APPLIES);
        assert_eq!(out.unknowns.len(), 1);
    }

    // Windows Azure Service Management API: "When you target the Windows
    // Azure Service Management API application, policy is enforced for
    // tokens issued to a set of services closely bound to the portal. This
    // grouping includes the application IDs of: Azure Resource Manager; Azure
    // portal, which also covers the Microsoft Entra admin center …; Azure Data
    // Lake; …", and Azure CLI / Azure PowerShell call the Azure Resource
    // Manager API (concept-conditional-access-cloud-apps#windows-azure-service-management-api).
    // Both directions: a request naming a member app against a policy naming
    // the grouping (include and exclude), and every grouping the engine
    // knows (Office365, MicrosoftAdminPortals) the same way.
    #[test]
    fn application_groupings() {
        const ARM: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
        const DATA_LAKE: &str = "e9f49c6b-5ce5-44c8-925d-015017e9f7ad";
        const AZ_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
        const AZ_PS: &str = "1950a258-227b-4e31-a9cf-717495945fc2";
        const EXCHANGE_ADMIN: &str = "497effe9-df71-4043-a8bb-14cf78c4b63b";
        const SQL_DB: &str = "022907d3-0f1b-48f7-badc-1ba6abab6d66";
        const DEVOPS: &str = "499b84ac-1321-427f-aa17-267ca6975798";
        let azure = base("applications: { include: [Windows Azure Service Management API] }\n");
        let all_but_azure = base(
            "applications: { include: [All], exclude: [Windows Azure Service Management API] }\n",
        );
        let o365 = base("applications: { include: [Office365] }\n");
        let all_but_o365 = base("applications: { include: [All], exclude: [Office365] }\n");
        let admin = base("applications: { include: [MicrosoftAdminPortals] }\n");
        let all_but_admin =
            base("applications: { include: [All], exclude: [MicrosoftAdminPortals] }\n");
        // A policy naming a member: a request for the grouping's own id is
        // Azure Resource Manager, not the Azure portal.
        let portal_only = base("applications: { include: [Azure portal] }\n");
        let a: &[Reason] = &[Reason::Application];
        let cases: &[(&Policy, &str, &[Reason])] = &[
            (&azure, ARM, APPLIES),
            (&azure, AZURE_PORTAL, APPLIES),
            (&azure, DATA_LAKE, APPLIES),
            (&azure, AZ_CLI, APPLIES),
            (&azure, AZ_PS, APPLIES),
            (&azure, DEVOPS, a), // "no longer cover Azure DevOps"
            (&azure, SQL_DB, a),
            (&azure, GRAPH, a), // "It doesn't apply to Microsoft Graph PowerShell"
            (&azure, EXO, a),
            (&all_but_azure, ARM, a),
            (&all_but_azure, AZURE_PORTAL, a),
            (&all_but_azure, AZ_CLI, a),
            (&all_but_azure, AZ_PS, a),
            (&all_but_azure, DATA_LAKE, a),
            (&all_but_azure, GRAPH, APPLIES),
            (&all_but_azure, DEVOPS, APPLIES),
            (&portal_only, ARM, a),
            (&portal_only, AZURE_PORTAL, APPLIES),
            (&o365, EXO, APPLIES),
            (&o365, TEAMS, APPLIES),
            (&o365, AZURE_PORTAL, a),
            (&all_but_o365, SPO, a),
            (&all_but_o365, AZURE_PORTAL, APPLIES),
            (&admin, AZURE_PORTAL, APPLIES),
            (&admin, EXCHANGE_ADMIN, APPLIES),
            (&admin, ARM, a),
            (&admin, AZ_CLI, a),
            (&admin, EXO, a),
            (&all_but_admin, AZURE_PORTAL, a),
            (&all_but_admin, EXCHANGE_ADMIN, a),
            (&all_but_admin, ARM, APPLIES),
        ];
        for (i, (p, app, want)) in cases.iter().enumerate() {
            let out = run(std::slice::from_ref(*p), &sign_in(user(ALICE, &[]), app));
            assert_eq!(out.policies[0].reasons, *want, "case {i}: {app}");
            assert!(out.unknowns.is_empty(), "case {i}: {:?}", out.unknowns);
        }
        // An app caac cannot place against the Azure grouping: said so.
        let out = run(&[azure], &sign_in(user(ALICE, &[]), UNKNOWN_APP));
        assert_eq!(out.policies[0].reasons, a);
        assert!(
            out.unknowns[0].contains("part of Windows Azure Service Management API"),
            "{:?}",
            out.unknowns
        );
    }

    // "Device platform … The default is to apply to all device platforms";
    // block unknown platforms = include any device, exclude the supported
    // ones (howto-policy-unknown-unsupported-device); a named include does
    // not match an unidentified platform.
    #[test]
    fn unknown_platform() {
        let any = base("platforms: { include: [all] }\n");
        let windows = base("platforms: { include: [windows] }\n");
        let not_windows = base("platforms: { include: [all], exclude: [windows] }\n");
        let d = [Reason::DevicePlatform];
        let cases: &[(&Policy, Option<Platform>, &[Reason])] = &[
            (&any, None, APPLIES),
            (&any, Some(Platform::Windows), APPLIES),
            (&windows, None, &d),
            (&windows, Some(Platform::Windows), APPLIES),
            (&windows, Some(Platform::MacOS), &d),
            (&not_windows, None, APPLIES),
            (&not_windows, Some(Platform::Windows), &d),
            (&not_windows, Some(Platform::Linux), APPLIES),
        ];
        for (p, platform, want) in cases {
            let mut s = sign_in(user(ALICE, &[]), SPO);
            s.platform = *platform;
            assert_eq!(reasons(p, &s), *want, "{platform:?}");
        }
        // The starter companion policy CA411 (block unknown platforms), enforced.
        let mut ca411 = policy(include_str!(
            "../../policies/CA411-TokenProtection-BlockUnknownPlatforms.yaml"
        ));
        ca411.state = State::Enabled;
        let mut s = sign_in(user(ALICE, &[PILOT]), EXO);
        s.platform = None;
        assert_eq!(run(std::slice::from_ref(&ca411), &s).access, Access::Block);
        s.platform = Some(Platform::IOS);
        let out = run(&[ca411], &s);
        assert_eq!(out.policies[0].reasons, d);
        assert_eq!(out.access, Access::Allow);
    }

    // Token protection policy shape, rules.md §1.9 and
    // concept-token-protection: Windows, mobile apps and desktop clients only,
    // report-only first. Report-only: "evaluated but not enforced"
    // (concept-conditional-access-report-only).
    #[test]
    fn token_protection_starter_policy() {
        let ca410 = policy(include_str!(
            "../../policies/CA410-TokenProtection-ExchangeSharePoint-Windows.yaml"
        ));
        let name = "CA410-TokenProtection-ExchangeSharePoint-Windows";
        let mut outlook = sign_in(user(ALICE, &[PILOT]), EXO);
        outlook.client_app = ClientApp::MobileAppsAndDesktopClients;
        let out = run(std::slice::from_ref(&ca410), &outlook);
        assert_eq!(out.policies[0].state, State::ReportOnly);
        assert!(out.policies[0].applies);
        assert_eq!(out.policies[0].reasons, APPLIES);
        assert_eq!(out.report_only, [name]);
        assert_eq!(out.access, Access::Allow);
        assert!(out.session.is_empty(), "report-only is never enforced");
        // Same user in a browser: client apps does not match.
        let mut browser = outlook.clone();
        browser.client_app = ClientApp::Browser;
        let out = run(std::slice::from_ref(&ca410), &browser);
        assert_eq!(out.policies[0].reasons, [Reason::ClientApps]);
        assert!(out.report_only.is_empty());
        // Teams is not targeted; macOS is not Windows; break-glass is excluded.
        let mut teams = outlook.clone();
        teams.target = Target::Applications(vec![TEAMS.into()]);
        assert_eq!(reasons(&ca410, &teams), [Reason::Application]);
        let mut mac = outlook.clone();
        mac.platform = Some(Platform::MacOS);
        assert_eq!(reasons(&ca410, &mac), [Reason::DevicePlatform]);
        let mut bg = outlook.clone();
        bg.identity = user(ALICE, &[PILOT, EMERGENCY]);
        assert_eq!(reasons(&ca410, &bg), [Reason::Users]);
        // Enforced, on a registered Windows device with a native app, the
        // session control is token protection; nothing gates access.
        let mut enforced = ca410;
        enforced.state = State::Enabled;
        let mut registered = outlook.clone();
        registered.device.registered = true;
        let out = run(std::slice::from_ref(&enforced), &registered);
        assert!(out.session.token_protection);
        assert_eq!(out.access, Access::Allow);
        assert!(out.requirements.is_empty());
        assert!(out.unsatisfiable.is_empty());
        // From an unregistered device the request is unbound ("1002: The
        // request is unbound due to the lack of Microsoft Entra ID device
        // state"): blocked.
        let out = run(&[enforced], &outlook);
        assert_eq!(out.access, Access::Block);
        assert_eq!(out.unsatisfiable.len(), 1);
        assert!(out.unsatisfiable[0].token_protection);
        assert!(
            out.unsatisfiable[0].why.contains("1002"),
            "{:?}",
            out.unsatisfiable
        );
    }

    // App enforced restrictions: "Only Exchange Online and Sharepoint Online
    // support this session control"
    // (https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols).
    // (Token protection blocks instead of warning: see
    // `token_protection_blocks_sign_ins_that_cannot_bind`.)
    #[test]
    fn session_controls_the_sign_in_cannot_use_are_reported() {
        let aer = base("session: { applicationEnforcedRestrictions: true }\n");
        // | app | warning containing (None: no warning) |
        let cases: &[(&str, Option<&str>)] = &[
            (EXO, None),
            (SPO, None),
            (TEAMS, Some("only in Exchange Online and SharePoint Online")),
        ];
        for (i, (app, warn)) in cases.iter().enumerate() {
            let mut s = sign_in(user(ALICE, &[]), app);
            s.client_app = ClientApp::Browser;
            let out = run(std::slice::from_ref(&aer), &s);
            assert_eq!(out.policies[0].reasons, APPLIES, "case {i}");
            // The control is still what the policy demands.
            assert!(!out.session.is_empty(), "case {i}");
            assert_eq!(out.access, Access::Allow, "case {i}");
            match warn {
                None => assert!(out.unknowns.is_empty(), "case {i}: {:?}", out.unknowns),
                Some(w) => assert!(
                    out.unknowns.iter().any(|u| u.contains(w)),
                    "case {i}: {:?}",
                    out.unknowns
                ),
            }
        }
    }

    // Token protection, https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection:
    // - "Token Protection currently supports native applications only.
    //   Browser-based applications are not supported."
    // - Supported devices: "Windows 10 or newer devices that are Microsoft
    //   Entra joined, Microsoft Entra hybrid joined, or Microsoft Entra
    //   registered"; Apple: "macOS 14.0 or later", "iOS/iPadOS 16.0 or later".
    // - "1002: The request is unbound due to the lack of Microsoft Entra ID
    //   device state."
    // - "On Windows, enforcement is also supported for: Azure Virtual
    //   Desktop; Windows 365."
    // - "users are blocked when accessing Exchange and SharePoint" with
    //   clients that "don't support signing in using protected token flows".
    // Report-only policies are "evaluated but not enforced"
    // (concept-conditional-access-report-only): never blocked.
    #[test]
    fn token_protection_blocks_sign_ins_that_cannot_bind() {
        const AVD: &str = "9cdead84-a844-4324-93f2-b2e6bb768d07";
        let enforced = base("session: { tokenProtection: true }\n");
        let mut report_only = enforced.clone();
        report_only.state = State::ReportOnly;
        use ClientApp::{
            Browser, ExchangeActiveSync, MobileAppsAndDesktopClients as Native, Other,
        };
        use Platform::{Android, IOS, Linux, MacOS, Windows};
        // | app | platform | client | registered | blocked because (None: not blocked) |
        type Case<'a> = (&'a str, Option<Platform>, ClientApp, bool, Option<&'a str>);
        let cases: &[Case] = &[
            (EXO, Some(Windows), Native, true, None),
            (SPO, Some(Windows), Native, true, None),
            (TEAMS, Some(Windows), Native, true, None),
            (EXO, Some(MacOS), Native, true, None),
            (EXO, Some(IOS), Native, true, None),
            (AVD, Some(Windows), Native, true, None),
            (AVD, Some(MacOS), Native, true, Some("Windows only")),
            (AVD, Some(IOS), Native, true, Some("Windows only")),
            (
                EXO,
                Some(Windows),
                Browser,
                true,
                Some("native applications only"),
            ),
            (
                EXO,
                Some(Windows),
                ExchangeActiveSync,
                true,
                Some("native applications only"),
            ),
            (
                EXO,
                Some(Windows),
                Other,
                true,
                Some("native applications only"),
            ),
            (EXO, Some(Android), Native, true, Some("this platform")),
            (EXO, Some(Linux), Native, true, Some("this platform")),
            (EXO, None, Native, true, Some("this platform")),
            (EXO, Some(Windows), Native, false, Some("1002")),
            (EXO, Some(MacOS), Native, false, Some("1002")),
        ];
        for (i, (app, platform, client, registered, blocked)) in cases.iter().enumerate() {
            let mut s = sign_in(user(ALICE, &[]), app);
            s.platform = *platform;
            s.client_app = *client;
            s.device.registered = *registered;
            let out = run(std::slice::from_ref(&enforced), &s);
            assert_eq!(out.policies[0].reasons, APPLIES, "case {i}");
            assert!(out.session.token_protection, "case {i}");
            assert!(out.requirements.is_empty(), "case {i}");
            match blocked {
                None => {
                    assert_eq!(out.access, Access::Allow, "case {i}");
                    assert!(out.unsatisfiable.is_empty(), "case {i}");
                }
                Some(why) => {
                    assert_eq!(out.access, Access::Block, "case {i}");
                    assert_eq!(out.unsatisfiable.len(), 1, "case {i}");
                    let u = &out.unsatisfiable[0];
                    assert!(u.token_protection && u.controls.is_empty(), "case {i}");
                    assert!(u.why.contains(why), "case {i}: {}", u.why);
                }
            }
            // The fast path agrees: the shape's effect blocks exactly then.
            assert_eq!(
                grant_effect("P", &enforced, s.shape()).blocks(),
                blocked.is_some(),
                "case {i}"
            );
            // Report-only: never enforced, never blocks.
            let out = run(std::slice::from_ref(&report_only), &s);
            assert_eq!(out.access, Access::Allow, "report-only, case {i}");
            assert!(out.unsatisfiable.is_empty(), "report-only, case {i}");
            assert_eq!(out.report_only, ["P"], "report-only, case {i}");
        }
        // A grant the sign-in cannot satisfy is reported first (one root
        // cause per policy), and a `block` grant stays a block requirement.
        let mfa_tp =
            base("grant: { builtInControls: [mfa] }\nsession: { tokenProtection: true }\n");
        let mut legacy = sign_in(user(ALICE, &[]), EXO);
        legacy.client_app = Other;
        let out = run(std::slice::from_ref(&mfa_tp), &legacy);
        assert_eq!(out.access, Access::Block);
        assert!(!out.unsatisfiable[0].token_protection);
        // With a grant it can satisfy, the unbound sign-in is still blocked
        // and has no requirement.
        let mut browser = sign_in(user(ALICE, &[]), EXO);
        browser.client_app = Browser;
        browser.device.registered = true;
        let out = run(std::slice::from_ref(&mfa_tp), &browser);
        assert_eq!(out.access, Access::Block);
        assert!(out.requirements.is_empty());
        assert!(out.unsatisfiable[0].token_protection);
        // Workload identities: token protection is a user session control.
        let sp = base(
            "users: { include: { users: [None] } }\nclientApplications: { include: [ServicePrincipalsInMyTenant] }\ngrant: { builtInControls: [block] }\nsession: { tokenProtection: true }\n",
        );
        let robot = SignIn::new(
            Identity::ServicePrincipal { id: ROBOT.into() },
            Target::Applications(vec![EXO.into()]),
            Browser,
        );
        let out = run(std::slice::from_ref(&sp), &robot);
        assert!(out.unsatisfiable.is_empty());
    }

    // Any location, all trusted locations (incl. MFA trusted IPs), IPv4/IPv6
    // ranges, countries and "Include unknown countries/regions" —
    // concept-assignment-network.
    #[test]
    fn locations() {
        let off_network = base("locations: { include: [All], exclude: [AllTrusted] }\n");
        let hq = base("locations: { include: [HQ] }\n");
        let countries = base("locations: { include: [Allowed countries] }\n");
        let unknown_ok = base("locations: { include: [Unknown or NL] }\n");
        let l = [Reason::Location];
        type Case<'a> = (&'a Policy, Option<&'a str>, Option<&'a str>, &'a [Reason]);
        let cases: &[Case] = &[
            (&off_network, Some("203.0.113.7"), None, &l),
            (&off_network, Some("2001:db8:0:1::5"), None, &l),
            (&off_network, Some("::ffff:203.0.113.7"), None, &l),
            (&off_network, Some("192.0.2.44"), None, &l), // MFA trusted IPs
            (&off_network, Some("198.51.100.1"), Some("NL"), APPLIES),
            (&off_network, None, None, APPLIES),
            (&hq, Some("203.0.113.255"), None, APPLIES),
            (&hq, Some("203.0.114.1"), None, &l),
            (&hq, Some("2001:db8:1::1"), None, &l),
            (&hq, None, Some("NL"), &l),
            (&countries, None, Some("NL"), APPLIES),
            (&countries, Some("203.0.113.7"), Some("NO"), APPLIES),
            (&countries, None, Some("DE"), &l),
            (&countries, None, None, &l),
            (&unknown_ok, None, None, APPLIES),
            (&unknown_ok, None, Some("NL"), APPLIES),
            (&unknown_ok, None, Some("DE"), &l),
        ];
        for (p, ip, country, want) in cases {
            let mut s = sign_in(user(ALICE, &[]), SPO);
            s.ip = ip.map(|i| i.parse().unwrap());
            s.country = country.map(str::to_owned);
            assert_eq!(reasons(p, &s), *want, "{ip:?} {country:?}");
        }
        // Off-network from an unknown IP: `Branch` has no details, so AllTrusted is unsure.
        let mut s = sign_in(user(ALICE, &[]), SPO);
        s.ip = Some("198.51.100.1".parse().unwrap());
        let out = run(std::slice::from_ref(&off_network), &s);
        assert!(
            out.unknowns[0].starts_with("AllTrusted"),
            "{:?}",
            out.unknowns
        );
        // Locations caac cannot evaluate: not matching, reported.
        for (include, needle) in [
            ("Branch", "`Branch`"),
            ("All Compliant Network locations", "Compliant Network"),
            (
                "13131313-1313-4313-8313-131313131313",
                "not in the tenant file",
            ),
        ] {
            let p = base(&format!("locations: {{ include: [{include}] }}\n"));
            let out = run(std::slice::from_ref(&p), &s);
            assert_eq!(out.policies[0].reasons, l, "{include}");
            assert!(
                out.unknowns.iter().any(|u| u.contains(needle)),
                "{include}: {:?}",
                out.unknowns
            );
        }
    }

    // Network page: "All trusted networks and locations … applies to: All
    // locations marked as trusted locations. Multifactor authentication
    // trusted IPs, if configured"; "Administrators might optionally mark
    // IP-based locations … as trusted"; MFA trusted IPs: "This control only
    // accepts IPv4 addresses"
    // (https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network).
    // Graph has isTrusted on ipNamedLocation only
    // (https://learn.microsoft.com/graph/api/resources/countrynamedlocation).
    #[test]
    fn all_trusted_is_ip_based_and_mfa_trusted_ips_are_ipv4() {
        let t = crate::test_support::tenant_from_yaml(
            r#"
tenantId: 11111111-1111-4111-8111-111111111111
namedLocations:
  Trusted NL: { id: 77777777-7777-4777-8777-777777777777, trusted: true, countries: [NL] }
  MFA trusted IPs: { id: 00000000-0000-0000-0000-000000000000, ipRanges: [192.0.2.0/24, "2001:db8::/32"] }
"#,
        );
        let off_network = base("locations: { include: [All], exclude: [AllTrusted] }\n");
        let refs = [PolicyRef {
            name: "P",
            policy: &off_network,
        }];
        let l: &[Reason] = &[Reason::Location];
        // | ip | country | reasons | a warning containing |
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            &'a [Reason],
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            // A country location is never trusted: the sign-in is off-network.
            (
                None,
                Some("NL"),
                APPLIES,
                Some("only IP-range locations can be trusted"),
            ),
            (Some("198.51.100.1"), Some("NL"), APPLIES, None),
            // MFA trusted IPs: IPv4 only.
            (Some("192.0.2.9"), None, l, None),
            (
                Some("2001:db8::9"),
                None,
                APPLIES,
                Some("IPv4 addresses only"),
            ),
        ];
        for (i, (ip, country, want, warn)) in cases.iter().enumerate() {
            let mut s = sign_in(user(ALICE, &[]), SPO);
            s.ip = ip.map(|x| x.parse().unwrap());
            s.country = country.map(str::to_owned);
            let out = evaluate(&refs, Some(&t), &s);
            assert_eq!(out.policies[0].reasons, *want, "case {i}");
            if let Some(w) = warn {
                assert!(
                    out.unknowns.iter().any(|u| u.contains(w)),
                    "case {i}: {:?}",
                    out.unknowns
                );
            }
            let mut sets = Vec::new();
            Engine::new(&refs, Some(&t)).reasons_into(&s, &mut sets);
            assert_eq!(sets[0].to_vec(), *want, "case {i} (fast path)");
        }
    }

    // Filter for devices: include mode targets matching devices, exclude
    // mode all others; positive operators never match unregistered devices
    // (concept-condition-filters-for-devices).
    #[test]
    fn device_filter_modes() {
        let include = base(
            "devices: { filter: { mode: include, rule: 'device.trustType -eq \"AzureAD\"' } }\n",
        );
        let exclude = base(
            "devices: { filter: { mode: exclude, rule: 'device.trustType -eq \"AzureAD\"' } }\n",
        );
        let broken = base("devices: { filter: { mode: include, rule: 'device.trustType = 1' } }\n");
        let mut joined = sign_in(user(ALICE, &[]), SPO);
        joined.device.registered = true;
        joined
            .device
            .attributes
            .insert("trustType".into(), DeviceValue::String("AzureAD".into()));
        let unregistered = sign_in(user(ALICE, &[]), SPO);
        assert_eq!(reasons(&include, &joined), APPLIES);
        assert_eq!(reasons(&include, &unregistered), [Reason::Devices]);
        assert_eq!(reasons(&exclude, &joined), [Reason::Devices]);
        assert_eq!(reasons(&exclude, &unregistered), APPLIES);
        let out = run(&[broken], &joined);
        assert_eq!(out.policies[0].reasons, [Reason::InvalidCondition]);
        assert!(
            out.unknowns[0].contains("does not parse"),
            "{:?}",
            out.unknowns
        );
    }

    // "If there's a policy that is configured to block access … the user
    // will be blocked" and "all policies that apply must be satisfied" —
    // concept-conditional-access-policies.
    #[test]
    fn block_wins_and_requirements_and_across_policies() {
        let mfa = base("");
        let mut device = base(
            "grant: { operator: OR, builtInControls: [compliantDevice, domainJoinedDevice] }\n",
        );
        device.display_name = "Device".into();
        let mut strength = base(
            "grant: { operator: AND, builtInControls: [compliantApplication], authenticationStrength: Phishing-resistant MFA }\n",
        );
        strength.display_name = "Strength".into();
        let mut block = base("grant: { builtInControls: [block] }\n");
        block.display_name = "Block".into();
        let s = sign_in(user(ALICE, &[]), SPO);
        let out = run(&[mfa.clone(), device.clone(), strength.clone()], &s);
        assert_eq!(out.access, Access::Grant);
        assert_eq!(
            out.requirements,
            [
                Requirement {
                    policy: "P".into(),
                    operator: Operator::Or,
                    controls: vec![Control::BuiltIn(BuiltInControl::Mfa)],
                },
                Requirement {
                    policy: "Device".into(),
                    operator: Operator::Or,
                    controls: vec![
                        Control::BuiltIn(BuiltInControl::CompliantDevice),
                        Control::BuiltIn(BuiltInControl::DomainJoinedDevice)
                    ],
                },
                Requirement {
                    policy: "Strength".into(),
                    operator: Operator::And,
                    controls: vec![
                        Control::BuiltIn(BuiltInControl::CompliantApplication),
                        Control::AuthenticationStrength(
                            "00000000-0000-0000-0000-000000000004".into()
                        )
                    ],
                },
            ]
        );
        let out = run(&[mfa, block, device], &s);
        assert_eq!(out.access, Access::Block);
        assert_eq!(out.requirements.len(), 3);
        // A block that does not apply changes nothing.
        let mut other = base(
            "users: { include: { users: [bob@contoso.com] } }\ngrant: { builtInControls: [block] }\n",
        );
        other.display_name = "BlockBob".into();
        assert_eq!(run(&[other], &s).access, Access::Allow);
    }

    // Report-only policies are "evaluated but not enforced"
    // (concept-conditional-access-report-only); Graph reports them with
    // policyApplies true / notSet (conditionalaccessroot-evaluate examples).
    #[test]
    fn report_only_is_never_enforced() {
        let mut block = base(
            "grant: { builtInControls: [block] }\nsession: { signInFrequency: { value: 1, type: hours } }\n",
        );
        block.state = State::ReportOnly;
        let mut graph_spelling = base("");
        graph_spelling.state = State::EnabledForReportingButNotEnforced;
        graph_spelling.display_name = "Q".into();
        let out = run(&[block, graph_spelling], &sign_in(user(ALICE, &[]), SPO));
        assert_eq!(out.access, Access::Allow);
        assert!(out.requirements.is_empty());
        assert!(out.session.is_empty());
        assert_eq!(out.report_only, ["P", "Q"]);
        assert!(
            out.policies
                .iter()
                .all(|p| p.applies && p.reasons == APPLIES)
        );
    }

    // Disabled policies carry Graph's policyNotEnabled flag (whatIfAnalysisResult).
    #[test]
    fn disabled_policy() {
        let mut p = base("grant: { builtInControls: [block] }\n");
        p.state = State::Disabled;
        let out = run(std::slice::from_ref(&p), &sign_in(user(ALICE, &[]), SPO));
        assert!(!out.policies[0].applies);
        assert_eq!(out.policies[0].reasons, [Reason::PolicyNotEnabled]);
        assert_eq!(out.access, Access::Allow);
        assert!(out.report_only.is_empty());
        // Other failing conditions are reported too, in Graph's flag order.
        let mut q = base(
            "users: { include: { users: [bob@contoso.com] } }\nplatforms: { include: [iOS] }\n",
        );
        q.state = State::Disabled;
        assert_eq!(
            reasons(&q, &sign_in(user(ALICE, &[]), SPO)),
            [
                Reason::Users,
                Reason::DevicePlatform,
                Reason::PolicyNotEnabled
            ]
        );
    }

    // "Conditional Access policies can be evaluated in report-only mode
    // except for items included in the \"User Actions\" scope. During
    // sign-in, policies in report-only mode are evaluated but not enforced."
    // (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only)
    #[test]
    fn report_only_user_action_is_not_evaluated() {
        let info = {
            let mut s = sign_in(user(ALICE, &[]), SPO);
            s.target = Target::UserAction("urn:user:registersecurityinfo".into());
            s
        };
        // | state | target | applies | reasons | in report_only |
        let cases: &[(State, &str, bool, &[Reason], bool)] = &[
            (
                State::ReportOnly,
                "applications: { userActions: [registerSecurityInfo] }\n",
                false,
                &[Reason::PolicyNotEnabled],
                false,
            ),
            (
                State::EnabledForReportingButNotEnforced,
                "applications: { userActions: [registerSecurityInfo] }\n",
                false,
                &[Reason::PolicyNotEnabled],
                false,
            ),
            // Enabled, the same policy applies and is enforced.
            (
                State::Enabled,
                "applications: { userActions: [registerSecurityInfo] }\n",
                true,
                APPLIES,
                false,
            ),
            // Report-only on All resources (which covers user actions) is evaluated.
            (State::ReportOnly, "", true, APPLIES, true),
        ];
        for (i, (state, extra, applies, want, listed)) in cases.iter().enumerate() {
            let mut p = base(extra);
            p.state = *state;
            let out = run(std::slice::from_ref(&p), &info);
            assert_eq!(out.policies[0].applies, *applies, "case {i}");
            assert_eq!(out.policies[0].reasons, *want, "case {i}");
            assert_eq!(!out.report_only.is_empty(), *listed, "case {i}");
            // The fast path agrees.
            let refs = [PolicyRef {
                name: "P",
                policy: &p,
            }];
            let t = tenant();
            let mut sets = Vec::new();
            Engine::new(&refs, Some(&t)).reasons_into(&info, &mut sets);
            assert_eq!(sets[0].to_vec(), *want, "case {i}");
        }
    }

    // Sign-in / user risk: the sign-in's level must be selected; "No risk"
    // is a level (concept-conditional-access-conditions#sign-in-risk);
    // Graph defaults unspecified risk to none (signinconditions).
    #[test]
    fn risk_levels() {
        let sign_in_risk = base("signInRiskLevels: [high, medium]\n");
        let user_risk = base("userRiskLevels: [high]\n");
        let no_risk = base("signInRiskLevels: [none]\n");
        let cases: &[(&Policy, RiskLevel, RiskLevel, &[Reason])] = &[
            (
                &sign_in_risk,
                RiskLevel::None,
                RiskLevel::None,
                &[Reason::SignInRisk],
            ),
            (
                &sign_in_risk,
                RiskLevel::Low,
                RiskLevel::High,
                &[Reason::SignInRisk],
            ),
            (&sign_in_risk, RiskLevel::Medium, RiskLevel::None, APPLIES),
            (&sign_in_risk, RiskLevel::High, RiskLevel::None, APPLIES),
            (
                &user_risk,
                RiskLevel::High,
                RiskLevel::Medium,
                &[Reason::UserRisk],
            ),
            (&user_risk, RiskLevel::None, RiskLevel::High, APPLIES),
            (&no_risk, RiskLevel::None, RiskLevel::High, APPLIES),
            (
                &no_risk,
                RiskLevel::Hidden,
                RiskLevel::None,
                &[Reason::SignInRisk],
            ),
        ];
        for (p, sir, ur, want) in cases {
            let mut s = sign_in(user(ALICE, &[]), SPO);
            s.sign_in_risk = *sir;
            s.user_risk = *ur;
            assert_eq!(reasons(p, &s), *want, "{sir:?} {ur:?}");
        }
    }

    // Authentication flows: the transfer method must be selected
    // (concept-authentication-flows); insider risk levels likewise
    // (how-to-policy-insider-risk).
    #[test]
    fn authentication_flows_and_insider_risk() {
        let flows = base("authenticationFlows: [deviceCodeFlow]\n");
        let insider = base("insiderRiskLevels: [elevated]\n");
        let s = sign_in(user(ALICE, &[]), SPO);
        let with = |t: Option<TransferMethod>, i: Option<InsiderRiskLevel>| {
            let mut s = s.clone();
            s.transfer_method = t;
            s.insider_risk = i;
            s
        };
        assert_eq!(
            reasons(&flows, &with(None, None)),
            [Reason::AuthenticationFlow]
        );
        assert_eq!(
            reasons(&flows, &with(Some(TransferMethod::DeviceCodeFlow), None)),
            APPLIES
        );
        assert_eq!(
            reasons(
                &flows,
                &with(Some(TransferMethod::AuthenticationTransfer), None)
            ),
            [Reason::AuthenticationFlow]
        );
        assert_eq!(reasons(&insider, &with(None, None)), [Reason::InsiderRisk]);
        assert_eq!(
            reasons(&insider, &with(None, Some(InsiderRiskLevel::Minor))),
            [Reason::InsiderRisk]
        );
        assert_eq!(
            reasons(&insider, &with(None, Some(InsiderRiskLevel::Elevated))),
            APPLIES
        );
        // The starter CA006 blocks device code flow for everyone.
        let mut ca006 = policy(include_str!(
            "../../policies/CA006-BlockDeviceCodeFlow.yaml"
        ));
        ca006.state = State::Enabled;
        let out = run(&[ca006], &with(Some(TransferMethod::DeviceCodeFlow), None));
        assert_eq!(out.access, Access::Block);
    }

    // Workload identities: policies target single-tenant service principals
    // (ServicePrincipalsInMyTenant or ids), block only; conditions are
    // location and service principal risk — workload-identity.
    #[test]
    fn workload_identity_policies() {
        let workload = base(
            "users: { include: { users: [None] } }\nclientApplications: { include: [ServicePrincipalsInMyTenant], exclude: [Payroll Robot] }\ngrant: { builtInControls: [block] }\n",
        );
        let risky = base(
            "users: { include: { users: [None] } }\nclientApplications: { include: [Payroll Robot] }\nservicePrincipalRiskLevels: [high]\nplatforms: { include: [windows] }\ngrant: { builtInControls: [block] }\n",
        );
        let users_policy = base("");
        let sp = |id: &str, risk: ServicePrincipalRiskLevel| {
            let mut s = SignIn::new(
                Identity::ServicePrincipal { id: id.into() },
                Target::Applications(vec![GRAPH.into()]),
                ClientApp::Other,
            );
            s.service_principal_risk = risk;
            s
        };
        let none = ServicePrincipalRiskLevel::None;
        assert_eq!(
            reasons(&workload, &sign_in(user(ALICE, &[]), SPO)),
            [Reason::Users]
        );
        assert_eq!(reasons(&workload, &sp(OTHER_SP, none)), APPLIES);
        assert_eq!(
            reasons(&workload, &sp(ROBOT, none)),
            [Reason::WorkloadIdentities]
        );
        assert_eq!(
            reasons(&users_policy, &sp(OTHER_SP, none)),
            [Reason::WorkloadIdentities]
        );
        // User-only conditions (platform) are not evaluated for a service principal.
        assert_eq!(
            reasons(&risky, &sp(ROBOT, ServicePrincipalRiskLevel::High)),
            APPLIES
        );
        assert_eq!(
            reasons(&risky, &sp(ROBOT, none)),
            [Reason::ServicePrincipalRisk]
        );
        assert_eq!(
            reasons(&risky, &sp(OTHER_SP, ServicePrincipalRiskLevel::Medium)),
            [Reason::WorkloadIdentities, Reason::ServicePrincipalRisk]
        );
        let out = run(&[workload], &sp(OTHER_SP, none));
        assert_eq!(out.access, Access::Block);
        // Agent identity risk (beta) is never carried by a user or a service principal.
        let agents = base(
            "clientApplications: { include: [ServicePrincipalsInMyTenant] }\nagentIdRiskLevels: [high]\n",
        );
        assert_eq!(reasons(&agents, &sp(ROBOT, none)), [Reason::AgentIdRisk]);
        assert_eq!(
            reasons(&agents, &sign_in(user(ALICE, &[]), SPO)),
            [Reason::AgentIdRisk]
        );
    }

    // User actions and authentication contexts
    // (concept-conditional-access-cloud-apps#user-actions, #authentication-context);
    // All resources policies also apply to a registerSecurityInformation
    // user action (conditionalaccessroot-evaluate, example 3).
    #[test]
    fn user_actions_and_authentication_contexts() {
        let register_info = base("applications: { userActions: [registerSecurityInfo] }\n");
        let register_device = base(
            "applications: { userActions: [registerDevice] }\nclientAppTypes: [mobileAppsAndDesktopClients]\n",
        );
        let context = base("applications: { authenticationContexts: [Sensitive] }\n");
        let all = base("");
        let exo = base("applications: { include: [Office 365 Exchange Online] }\n");
        let s = |t: Target| {
            let mut s = sign_in(user(ALICE, &[]), SPO);
            s.target = t;
            s
        };
        let info = s(Target::UserAction("urn:user:registersecurityinfo".into()));
        let device = s(Target::UserAction("urn:user:registerdevice".into()));
        let c1 = s(Target::AuthenticationContext("c1".into()));
        let c2 = s(Target::AuthenticationContext("c2".into()));
        let app = s(Target::Applications(vec![EXO.into()]));
        let cases: &[(&Policy, &SignIn, &[Reason])] = &[
            (&register_info, &info, APPLIES),
            (&register_info, &device, &[Reason::UserActions]),
            (&register_info, &app, &[Reason::UserActions]),
            // Client apps are not available with "Register or join devices".
            (&register_device, &device, APPLIES),
            (&context, &c1, APPLIES),
            (&context, &c2, &[Reason::AuthenticationContext]),
            (&context, &app, &[Reason::AuthenticationContext]),
            (&all, &info, APPLIES),
            (&all, &c1, APPLIES),
            (&exo, &info, &[Reason::Application]),
            (&exo, &app, APPLIES),
        ];
        for (i, (p, sign_in, want)) in cases.iter().enumerate() {
            assert_eq!(reasons(p, sign_in), *want, "case {i}");
        }
    }

    // Client apps: unconfigured = all clients; legacy clients are Exchange
    // ActiveSync and other (concept-conditional-access-conditions#client-apps,
    // starter CA001).
    #[test]
    fn client_apps() {
        let mut ca001 = policy(include_str!(
            "../../policies/CA001-BlockLegacyAuthentication.yaml"
        ));
        ca001.state = State::Enabled;
        let eas_supported = base("clientAppTypes: [easSupported]\n");
        let all = base("clientAppTypes: [all]\n");
        for (client, legacy) in [
            (ClientApp::Browser, false),
            (ClientApp::MobileAppsAndDesktopClients, false),
            (ClientApp::ExchangeActiveSync, true),
            (ClientApp::Other, true),
        ] {
            let mut s = sign_in(user(ALICE, &[]), EXO);
            s.client_app = client;
            let out = run(std::slice::from_ref(&ca001), &s);
            assert_eq!(out.access == Access::Block, legacy, "{client:?}");
            if !legacy {
                assert_eq!(out.policies[0].reasons, [Reason::ClientApps]);
            }
            assert_eq!(
                reasons(&eas_supported, &s) == APPLIES,
                client == ClientApp::ExchangeActiveSync
            );
            assert_eq!(reasons(&all, &s), APPLIES);
        }
    }

    // "Sign-ins from legacy authentication clients don't support multifactor
    // authentication (MFA) and don't pass device state information, so
    // they're blocked by Conditional Access grant controls, like requiring
    // MFA or compliant devices" and, for Exchange ActiveSync, "In the case
    // that Multifactor authentication, Terms of use, or custom controls are
    // required, affected users are blocked, because basic authentication
    // doesn't support these controls"
    // (concept-conditional-access-conditions#client-apps). Password change
    // needs MFA and risk remediation an authentication strength
    // (concept-conditional-access-grant). "Require one of the selected
    // controls" with one the client can satisfy stays a requirement.
    #[test]
    fn legacy_clients_cannot_satisfy_interactive_controls() {
        let grant = |g: &str| base(&format!("grant: {g}\n"));
        let mfa = grant("{ builtInControls: [mfa] }");
        let strength = grant("{ authenticationStrength: Phishing-resistant MFA }");
        let tou = grant("{ termsOfUse: [77777777-7777-4777-8777-777777777701] }");
        let custom = grant("{ customAuthenticationFactors: [Duo] }");
        let compliant = grant("{ builtInControls: [compliantDevice] }");
        let hybrid = grant("{ builtInControls: [domainJoinedDevice] }");
        let password = grant("{ builtInControls: [passwordChange] }");
        let remediation = grant("{ builtInControls: [riskRemediation] }");
        let or_app = grant("{ builtInControls: [mfa, approvedApplication] }");
        let and_app = grant("{ operator: AND, builtInControls: [mfa, approvedApplication] }");
        let app = grant("{ builtInControls: [compliantApplication] }");
        use BuiltInControl as B;
        // (policy, legacy outcome, requirement controls left for a legacy client)
        let cases: &[(&Policy, Access, &[Control])] = &[
            (&mfa, Access::Block, &[]),
            (&strength, Access::Block, &[]),
            (&tou, Access::Block, &[]),
            (&custom, Access::Block, &[]),
            (&compliant, Access::Block, &[]),
            (&hybrid, Access::Block, &[]),
            (&password, Access::Block, &[]),
            (&remediation, Access::Block, &[]),
            (&and_app, Access::Block, &[]),
            (
                &or_app,
                Access::Grant,
                &[Control::BuiltIn(B::ApprovedApplication)],
            ),
            (
                &app,
                Access::Grant,
                &[Control::BuiltIn(B::CompliantApplication)],
            ),
        ];
        for (i, (p, want, left)) in cases.iter().enumerate() {
            for client in [ClientApp::ExchangeActiveSync, ClientApp::Other] {
                let mut s = sign_in(user(ALICE, &[]), EXO);
                s.client_app = client;
                let out = run(std::slice::from_ref(*p), &s);
                assert_eq!(out.access, *want, "case {i} {client:?}");
                assert_eq!(out.policies[0].reasons, APPLIES, "case {i}");
                if *want == Access::Block {
                    assert!(
                        out.requirements.is_empty(),
                        "case {i}: {:?}",
                        out.requirements
                    );
                    assert_eq!(out.unsatisfiable.len(), 1, "case {i}");
                    assert_eq!(out.unsatisfiable[0].policy, "P");
                } else {
                    assert_eq!(out.requirements[0].controls, *left, "case {i}");
                    assert!(out.unsatisfiable.is_empty(), "case {i}");
                }
            }
            // Modern clients keep the requirement as written.
            for client in [ClientApp::Browser, ClientApp::MobileAppsAndDesktopClients] {
                let mut s = sign_in(user(ALICE, &[]), EXO);
                s.client_app = client;
                let out = run(std::slice::from_ref(*p), &s);
                assert_eq!(out.access, Access::Grant, "case {i} {client:?}");
                assert!(out.unsatisfiable.is_empty());
            }
        }
        // Report-only policies never block, legacy or not.
        let mut ro = mfa.clone();
        ro.state = State::ReportOnly;
        let mut s = sign_in(user(ALICE, &[]), EXO);
        s.client_app = ClientApp::Other;
        assert_eq!(run(&[ro], &s).access, Access::Allow);
        // The JSON carries the cause, and no requirement for that policy.
        let out = run(&[mfa], &s);
        let v = super::super::output::to_json(&out);
        assert_eq!(v["result"]["access"], "block");
        assert_eq!(v["result"]["requirements"], serde_json::json!([]));
        assert_eq!(v["result"]["unsatisfiable"][0]["policy"], "P");
        assert_eq!(
            v["result"]["unsatisfiable"][0]["builtInControls"],
            serde_json::json!(["mfa"])
        );
    }

    // "When you use the device-code OAuth flow, the required grant control
    // for the managed device or a device state condition isn't supported.
    // … Use the Require multifactor authentication control instead"
    // (concept-conditional-access-grant#require-microsoft-entra-hybrid-joined-device).
    #[test]
    fn device_code_flow_cannot_satisfy_device_controls() {
        let compliant = base("grant: { builtInControls: [compliantDevice] }\n");
        let hybrid = base("grant: { builtInControls: [domainJoinedDevice] }\n");
        let either = base("grant: { builtInControls: [compliantDevice, mfa] }\n");
        let mfa = base("");
        let mut s = sign_in(user(ALICE, &[]), EXO);
        s.transfer_method = Some(TransferMethod::DeviceCodeFlow);
        assert_eq!(
            run(std::slice::from_ref(&compliant), &s).access,
            Access::Block
        );
        assert_eq!(run(std::slice::from_ref(&hybrid), &s).access, Access::Block);
        let out = run(std::slice::from_ref(&either), &s);
        assert_eq!(out.access, Access::Grant);
        assert_eq!(
            out.requirements[0].controls,
            [Control::BuiltIn(BuiltInControl::Mfa)]
        );
        assert_eq!(run(std::slice::from_ref(&mfa), &s).access, Access::Grant);
        s.transfer_method = Some(TransferMethod::AuthenticationTransfer);
        assert_eq!(run(&[compliant], &s).access, Access::Grant);
    }

    // Session controls of all applying enforced policies must be satisfied
    // (concept-conditional-access-policies); caac merges them to the most
    // restrictive (module docs).
    #[test]
    fn session_merge() {
        let mut a = base(
            "session:\n  signInFrequency: { value: 4, type: hours }\n  persistentBrowser: always\n  cloudAppSecurity: monitorOnly\n  continuousAccessEvaluation: strictLocation\n",
        );
        a.display_name = "A".into();
        let mut b = base(
            "session:\n  signInFrequency: { value: 1, type: days }\n  persistentBrowser: never\n  cloudAppSecurity: blockDownloads\n  applicationEnforcedRestrictions: true\n",
        );
        b.display_name = "B".into();
        let mut c = base(
            "session:\n  signInFrequency: { frequencyInterval: everyTime }\n  continuousAccessEvaluation: strictEnforcement\n  disableResilienceDefaults: true\n",
        );
        c.display_name = "C".into();
        let s = sign_in(user(ALICE, &[]), SPO);
        let out = run(&[a.clone(), b.clone()], &s);
        assert_eq!(
            out.access,
            Access::Allow,
            "session controls alone do not gate access"
        );
        let sif = out.session.sign_in_frequency.as_ref().unwrap();
        assert_eq!(
            (sif.value, sif.kind),
            (Some(4), Some(SignInFrequencyType::Hours))
        );
        assert_eq!(
            out.session.persistent_browser,
            Some(PersistentBrowserMode::Never)
        );
        assert_eq!(
            out.session.cloud_app_security,
            Some(CloudAppSecurityType::BlockDownloads)
        );
        assert_eq!(
            out.session.continuous_access_evaluation,
            Some(ContinuousAccessEvaluationMode::StrictLocation)
        );
        assert!(out.session.application_enforced_restrictions);
        assert!(!out.session.disable_resilience_defaults);
        let out = run(&[a, c, b], &s);
        let sif = out.session.sign_in_frequency.as_ref().unwrap();
        assert_eq!(
            sif.frequency_interval,
            Some(SignInFrequencyInterval::EveryTime)
        );
        assert_eq!(
            out.session.continuous_access_evaluation,
            Some(ContinuousAccessEvaluationMode::StrictEnforcement)
        );
        assert!(out.session.disable_resilience_defaults);
    }

    #[test]
    fn empty_policy_and_passthrough() {
        let mut empty = policy(
            "displayName: E\nstate: enabled\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n",
        );
        empty.passthrough =
            Some(serde_json::from_str(r#"{"conditions": {"agents": {}}}"#).unwrap());
        let out = run(&[empty], &sign_in(user(ALICE, &[]), SPO));
        assert_eq!(out.policies[0].reasons, [Reason::EmptyPolicy]);
        assert!(
            out.unknowns[0].contains("passthrough"),
            "{:?}",
            out.unknowns
        );
        // No users block at all: nobody is assigned.
        let no_users = policy(
            "displayName: N\napplications: { include: [All] }\ngrant: { builtInControls: [mfa] }\n",
        );
        assert_eq!(
            reasons(&no_users, &sign_in(user(ALICE, &[]), SPO)),
            [Reason::Users]
        );
    }

    /// Every failing condition, in Graph's flag order.
    #[test]
    fn all_failing_reasons_in_graph_order() {
        let p = base(
            "users: { include: { users: [bob@contoso.com] } }\napplications: { include: [Office 365 Exchange Online] }\nplatforms: { include: [android] }\nclientAppTypes: [mobileAppsAndDesktopClients]\nlocations: { include: [HQ] }\nsignInRiskLevels: [high]\nuserRiskLevels: [high]\ninsiderRiskLevels: [elevated]\nauthenticationFlows: [deviceCodeFlow]\ndevices: { filter: { mode: include, rule: 'device.isCompliant -eq True' } }\n",
        );
        assert_eq!(
            reasons(&p, &sign_in(user(ALICE, &[]), SPO)),
            [
                Reason::Users,
                Reason::Application,
                Reason::DevicePlatform,
                Reason::Devices,
                Reason::ClientApps,
                Reason::Location,
                Reason::SignInRisk,
                Reason::UserRisk,
                Reason::InsiderRisk,
                Reason::AuthenticationFlow,
            ]
        );
        let mut set = ReasonSet::default();
        assert!(set.is_empty());
        set.insert(Reason::Location);
        set.insert(Reason::Users);
        assert_eq!(set.to_vec(), [Reason::Users, Reason::Location]);
        assert_eq!(ReasonSet::default().to_vec(), [Reason::NotSet]);
    }

    /// The bundled starter set, all report-only: nothing is enforced, and the
    /// policies that would apply are the expected ones.
    #[test]
    fn starter_set() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let policies: Vec<Policy> = files
            .iter()
            .map(|f| policy(&std::fs::read_to_string(f).unwrap()))
            .collect();
        let admin = Identity::User {
            id: ALICE.into(),
            groups: vec![PILOT.into()],
            roles: vec![GLOBAL_ADMIN.into()],
            guest_type: None,
            external_tenant: None,
        };
        let mut s = sign_in(admin, EXO);
        s.client_app = ClientApp::MobileAppsAndDesktopClients;
        // A registered Windows device: token protection can bind
        // (concept-token-protection, "Supported devices").
        s.device.registered = true;
        let out = run(&policies, &s);
        assert_eq!(out.access, Access::Allow);
        assert_eq!(
            out.report_only,
            [
                "CA002-Admins-PhishingResistantMFA",
                "CA003-AllUsers-MFA",
                "CA410-TokenProtection-ExchangeSharePoint-Windows",
                "CA412-TokenProtection-RequireCompliantDevice",
            ]
        );
        // Enforce them all: the requirements AND together.
        let enforced: Vec<Policy> = policies
            .into_iter()
            .map(|mut p| {
                p.state = State::Enabled;
                p
            })
            .collect();
        let out = run(&enforced, &s);
        assert_eq!(out.access, Access::Grant);
        assert_eq!(out.requirements.len(), 3);
        assert!(out.session.token_protection);
    }

    /// Throughput on 195 policies (run with `--ignored --nocapture`).
    #[test]
    #[ignore]
    fn throughput() {
        let mut policies = Vec::new();
        let shapes = [
            "users:\n  include: { groups: [Token Protection Pilot] }\n  exclude: { groups: [Emergency Access] }\napplications: { include: [Office365] }\nplatforms: { include: [windows] }\nclientAppTypes: [mobileAppsAndDesktopClients]\n",
            "users:\n  include: { users: [All] }\n  exclude: { groups: [Emergency Access] }\nlocations: { include: [All], exclude: [HQ] }\nsignInRiskLevels: [high]\n",
            "devices: { filter: { mode: exclude, rule: 'device.trustType -eq \"AzureAD\" -and device.isCompliant -eq True' } }\n",
            "users: { include: { roles: [Global Administrator] } }\nauthenticationFlows: [deviceCodeFlow]\n",
        ];
        for i in 0..195 {
            let mut p = base(shapes[i % shapes.len()]);
            p.display_name = format!("P{i}");
            policies.push(p);
        }
        let t = tenant();
        let refs: Vec<PolicyRef> = policies
            .iter()
            .map(|p| PolicyRef {
                name: &p.display_name,
                policy: p,
            })
            .collect();
        let engine = Engine::new(&refs, Some(&t));
        let mut s = sign_in(user(ALICE, &[PILOT]), SPO);
        s.ip = Some("198.51.100.1".parse().unwrap());
        s.client_app = ClientApp::MobileAppsAndDesktopClients;
        let n = 20_000;
        let start = std::time::Instant::now();
        let mut applied = 0;
        for _ in 0..n {
            applied += engine.evaluate(&s).report_only.len();
        }
        let full = start.elapsed();
        let mut buf = Vec::new();
        let start = std::time::Instant::now();
        for _ in 0..n {
            engine.reasons_into(&s, &mut buf);
            applied += buf.iter().filter(|r| r.is_empty()).count();
        }
        let lean = start.elapsed();
        let per = |d: std::time::Duration| (n as f64 * 195.0) / d.as_secs_f64();
        println!(
            "evaluate: {:.0} policy evaluations/s ({:.0} sign-ins/s); reasons_into: {:.0} policy evaluations/s ({applied})",
            per(full),
            n as f64 / full.as_secs_f64(),
            per(lean)
        );
    }
}
