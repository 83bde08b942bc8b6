//! The scenario matrix: every class of sign-in a policy set can tell apart,
//! derived from the policies and the tenant file, as small as the policies
//! allow.
//!
//! Contract: [`Matrix::new`] builds one value list per [`Dim`] (personas,
//! target resources, platforms, client app types, location classes, sign-in
//! and user risk, authentication-flow transfer methods, device states);
//! a [`Combo`] is one index per dimension; [`Matrix::combos`] iterates them
//! all (persona outermost, device innermost, so the order is stable);
//! [`Matrix::sign_in`] builds the engine's [`SignIn`], [`Matrix::describe`]
//! a one-line human description and [`Matrix::request`] a ready-to-run
//! `caac whatif` request body (the Graph evaluate body [`super::request`]
//! parses). Pure: no I/O, never panics, deterministic.
//!
//! # The dimensions (and why these values)
//!
//! - **Personas**: a member user in no group; each tenant-file user (with its
//!   `memberOf` and `roles`); a synthetic member of each group a policy names;
//!   a holder of each directory role a policy names; a B2B collaboration
//!   guest. Callers sweeping other identities (the lockout gate's
//!   break-glass personas) replace [`Matrix::personas`].
//! - **Targets**: every application id a policy names, three Office 365
//!   members (Exchange Online, SharePoint Online, Teams Services) and one
//!   Microsoft Admin Portals member (Azure portal) so the `Office365` and
//!   `MicrosoftAdminPortals` groups are exercised, Azure CLI when a policy
//!   names the Windows Azure Service Management API grouping, an application no policy
//!   names (a placeholder id: "any other app"), and every user action and
//!   authentication context a policy names. A sign-in targets one resource
//!   ("Conditional Access applies policies for Exchange and SharePoint" when
//!   one token covers both, so one-at-a-time is the finer sweep,
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps>).
//! - **Platforms**: every Graph `conditionalAccessDevicePlatform` and an
//!   unknown platform (`None`, which only `include: all` matches).
//! - **Client app types**: browser, mobile apps and desktop clients, Exchange
//!   ActiveSync, other (legacy).
//! - **Locations**: per tenant named location with IP ranges, an address
//!   inside its first range; per country a tenant named location lists, an
//!   untrusted address in that country; an untrusted address in a country no
//!   location lists; no IP and an unknown country.
//! - **Risk**: sign-in risk and user risk, each none / low / medium / high
//!   (`hidden` is a reporting value, not a level a sign-in is evaluated at).
//! - **Transfer methods**: none, `deviceCodeFlow`, `authenticationTransfer`.
//! - **Device states**: unregistered; when a policy has a device filter,
//!   also an Intune-compliant Entra-joined device and a hybrid-joined one
//!   (the states filters usually test). Grant controls that need a device
//!   are judged by the callers, not swept here.
//! - Not swept: insider risk (always none) and service-principal risk (user
//!   sign-ins only; workload identities are swept by their callers over
//!   locations × service-principal risk).
//!
//! # Equivalence classes (keeping it small)
//!
//! Each dimension is decided by its own condition — personas by the user
//! assignment, targets by the target resources, platforms by the platform
//! condition, and so on ([`super`] module docs) — independently of the
//! rest of the sign-in; the one cross-effect, the "register or join
//! devices" action switching the client-app and device conditions off, is
//! part of the target's signature. So [`Matrix::new`] evaluates each value
//! on a fixed base sign-in, records per policy whether that condition
//! matched, and keeps the first value of each class with the same record,
//! listing the others in [`Value::also`]. The sweep stays exact and is often
//! hundreds of times smaller (the starter set: the fourteen admin roles of
//! CA002 are one persona class, 2–3 platform classes instead of 7).

use super::{ClientApp, Device, DeviceValue, Identity, PolicyRef, Reason, SignIn, Target};
use crate::catalog::{self, Kind};
use crate::model::{GuestOrExternalUserType, Platform, Policy, RiskLevel, Tenant, TransferMethod};
use serde_json::{Map, Value as Json, json};
use std::net::IpAddr;

/// The dimensions of the matrix, in iteration order (outermost first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// Who signs in.
    Persona,
    /// What is accessed.
    Target,
    /// The device platform.
    Platform,
    /// The client app type.
    Client,
    /// The network location class.
    Location,
    /// Sign-in risk.
    SignInRisk,
    /// User risk.
    UserRisk,
    /// Authentication-flow transfer method.
    Flow,
    /// Device state.
    Device,
}

impl Dim {
    /// Every dimension, in iteration order.
    pub const ALL: [Dim; 9] = [
        Dim::Persona,
        Dim::Target,
        Dim::Platform,
        Dim::Client,
        Dim::Location,
        Dim::SignInRisk,
        Dim::UserRisk,
        Dim::Flow,
        Dim::Device,
    ];

    /// The dimension's name in prose ("platform", "client app type", …).
    pub fn noun(self) -> &'static str {
        match self {
            Dim::Persona => "user",
            Dim::Target => "app",
            Dim::Platform => "platform",
            Dim::Client => "client app type",
            Dim::Location => "location",
            Dim::SignInRisk => "sign-in risk",
            Dim::UserRisk => "user risk",
            Dim::Flow => "authentication flow",
            Dim::Device => "device state",
        }
    }
}

/// The number of dimensions.
pub const DIMS: usize = Dim::ALL.len();

/// One combination: an index into each dimension's value list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Combo(pub [usize; DIMS]);

impl Combo {
    /// The index along `dim`.
    pub fn get(&self, dim: Dim) -> usize {
        self.0[dim as usize]
    }

    /// A copy with `dim` set to `index`.
    pub fn with(mut self, dim: Dim, index: usize) -> Combo {
        self.0[dim as usize] = index;
        self
    }
}

/// One value along a dimension, with its label and the values it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Value<T> {
    /// What is evaluated.
    pub value: T,
    /// How it reads in a description ("Windows", "Office 365 Exchange Online").
    pub label: String,
    /// Labels of the other values every policy treats alike (see the module docs).
    pub also: Vec<String>,
}

impl<T> Value<T> {
    fn new(value: T, label: impl Into<String>) -> Value<T> {
        Value {
            value,
            label: label.into(),
            also: Vec::new(),
        }
    }

    /// The label with its equivalent values ("Windows (also macOS, Linux)"),
    /// at most three of them named ("… and 9 more").
    pub fn class_label(&self) -> String {
        match self.also.len() {
            0 => self.label.clone(),
            1..=3 => format!("{} (also {})", self.label, self.also.join(", ")),
            n => format!(
                "{} (also {} and {} more)",
                self.label,
                self.also[..3].join(", "),
                n - 3
            ),
        }
    }

    /// The label, then every equivalent value's.
    pub fn names(&self) -> Vec<String> {
        std::iter::once(self.label.clone())
            .chain(self.also.iter().cloned())
            .collect()
    }
}

/// Who signs in, and how a whatif request names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Persona {
    /// The identity the engine sees.
    pub identity: Identity,
    /// The tenant-file user name, when the persona is one (the request then
    /// names the user instead of a placeholder id).
    pub user_name: Option<String>,
}

/// A network location class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The sign-in's IP address.
    pub ip: Option<IpAddr>,
    /// The sign-in's country.
    pub country: Option<String>,
}

/// The scenario matrix (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Who signs in.
    pub personas: Vec<Value<Persona>>,
    /// What is accessed.
    pub targets: Vec<Value<Target>>,
    /// Device platforms (`None`: unknown).
    pub platforms: Vec<Value<Option<Platform>>>,
    /// Client app types.
    pub clients: Vec<Value<ClientApp>>,
    /// Location classes.
    pub locations: Vec<Value<Location>>,
    /// Sign-in risk levels.
    pub sign_in_risks: Vec<Value<RiskLevel>>,
    /// User risk levels.
    pub user_risks: Vec<Value<RiskLevel>>,
    /// Transfer methods (`None`: an ordinary sign-in).
    pub flows: Vec<Value<Option<TransferMethod>>>,
    /// Device states.
    pub devices: Vec<Value<Device>>,
}

/// Office 365 Exchange Online.
const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";
/// Office 365 SharePoint Online.
const SHAREPOINT: &str = "00000003-0000-0ff1-ce00-000000000000";
/// Microsoft Teams Services.
const TEAMS: &str = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe";
/// Azure portal (a Microsoft Admin Portals member).
const AZURE_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
/// Microsoft Azure CLI, a Windows Azure Service Management API member only.
const AZURE_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/// Placeholder id for "an app no policy names" (not a real application, so
/// it is in no Microsoft app group).
pub const OTHER_APP: &str = "00000000-0000-4000-8000-0000000a0000";
/// Placeholder user ids are this prefix plus a counter.
const SYNTHETIC_USER: &str = "00000000-0000-4000-8000-0000cafe";

/// Candidate "neutral" countries and addresses (documentation ranges, RFC
/// 5737), the first not used by a named location is picked.
const NEUTRAL_COUNTRIES: &[&str] = &["BR", "JP", "ZA", "AU", "AR", "KE", "IS"];
const NEUTRAL_IPS: &[&str] = &["198.51.100.23", "192.0.2.45", "203.0.113.200", "100.64.7.9"];

impl Matrix {
    /// Derives the matrix from a policy set (resolved policies) and the
    /// tenant file, reduced to equivalence classes.
    pub fn new(policies: &[PolicyRef], tenant: Option<&Tenant>) -> Matrix {
        // Which dimension sweeps each condition: every property of the
        // model is named (no `..`), so a new one breaks the build here
        // until it has a dimension or a reason not to.
        for p in policies {
            let Policy {
                display_name: _,
                description: _,
                id: _,
                state: _,
                users: _,               // Dim::Persona
                client_applications: _, // service principals: swept by the callers
                applications: _,        // Dim::Target
                client_app_types: _,    // Dim::Client
                platforms: _,           // Dim::Platform
                locations: _,           // Dim::Location
                devices: _,             // Dim::Device
                sign_in_risk_levels: _, // Dim::SignInRisk
                user_risk_levels: _,    // Dim::UserRisk
                // Service principal sign-ins only (callers sweep it).
                service_principal_risk_levels: _,
                // Not swept: always none (module docs); the sweep treats the
                // flag as constant over the matrix.
                insider_risk_levels: _,
                agent_id_risk_levels: _,
                authentication_flows: _, // Dim::Flow
                // Controls, not conditions: split Dim::Client / Dim::Flow
                // through the per-shape effects below.
                grant: _,
                session: _,
                rollout: _,
                exclusions: _,
                passthrough: _,
            } = p.policy;
        }
        let ps: Vec<&Policy> = policies.iter().map(|p| p.policy).collect();
        let mut m = Matrix {
            personas: personas(&ps, tenant),
            targets: targets(&ps, tenant),
            platforms: platforms(),
            clients: [
                ClientApp::Browser,
                ClientApp::MobileAppsAndDesktopClients,
                ClientApp::ExchangeActiveSync,
                ClientApp::Other,
            ]
            .into_iter()
            .map(|c| Value::new(c, client_label(c)))
            .collect(),
            locations: locations(tenant),
            sign_in_risks: risks(),
            user_risks: risks(),
            flows: [
                None,
                Some(TransferMethod::DeviceCodeFlow),
                Some(TransferMethod::AuthenticationTransfer),
            ]
            .into_iter()
            .map(|f| Value::new(f, flow_label(f)))
            .collect(),
            devices: devices(&ps),
        };
        // Each dimension is decided by its own condition(s), independently
        // of the rest of the sign-in (see the module docs), so varying one
        // value on a fixed base sign-in and reading that condition's flag
        // per policy gives an exact signature. The base targets an app (not
        // "register device", which switches the client-app and device
        // conditions off).
        let engine = super::Engine::new(policies, tenant);
        let base = SignIn::new(
            user_persona(synthetic_user(0), Vec::new(), Vec::new()),
            Target::Applications(vec![OTHER_APP.to_owned()]),
            ClientApp::Browser,
        );
        let mut sweep = Sweep {
            engine: &engine,
            sign_in: base.clone(),
            reasons: Vec::with_capacity(policies.len()),
        };
        // Exchange ActiveSync widens some user assignments (super::engine,
        // `eas_all_users`), so personas are told apart by their users flags
        // under an Exchange ActiveSync client too.
        let mut eas = base.clone();
        eas.client_app = ClientApp::ExchangeActiveSync;
        sweep.reduce(&mut m.personas, &[&base, &eas], &[Reason::Users], |s, p| {
            s.identity = p.identity.clone();
            0
        });
        // A legacy client or the device code flow cannot satisfy some grant
        // controls, and an unbound sign-in cannot meet token protection
        // (super::Shape): when that changes what a policy does, such values
        // stay apart from the others even if no condition tells them apart,
        // so the callers' per-shape effects stay exact.
        let effects = super::coverage::effects(policies);
        let shape_matters = |shape: super::Shape| effects[shape.index()] != effects[0];
        let tp = shape_matters(super::Shape {
            unbound: true,
            ..super::Shape::default()
        });
        sweep.reduce(
            &mut m.targets,
            &[&base],
            &[
                Reason::Application,
                Reason::UserActions,
                Reason::AuthenticationContext,
            ],
            |s, t| {
                s.target = t.clone();
                // Apple sign-ins to a Windows-only token protection resource
                // cannot bind (super::token_binding_gap).
                let windows_only = tp
                    && super::token_binding_gap(
                        ClientApp::MobileAppsAndDesktopClients,
                        Some(Platform::MacOS),
                        true,
                        t,
                    )
                    .is_some();
                u8::from(matches!(t, Target::UserAction(a) if a == REGISTER_DEVICE))
                    | u8::from(windows_only) << 1
            },
        );
        sweep.reduce(
            &mut m.platforms,
            &[&base],
            &[Reason::DevicePlatform],
            |s, p| {
                s.platform = *p;
                match (tp, *p) {
                    (false, _) => 0,
                    (true, Some(Platform::Windows)) => 1,
                    (true, Some(Platform::IOS | Platform::MacOS)) => 2,
                    (true, _) => 3,
                }
            },
        );
        sweep.reduce(&mut m.clients, &[&base], &[Reason::ClientApps], |s, c| {
            s.client_app = *c;
            u8::from(shape_matters(super::Shape::of(*c, None)))
                | u8::from(tp && *c == ClientApp::MobileAppsAndDesktopClients) << 1
        });
        sweep.reduce(&mut m.locations, &[&base], &[Reason::Location], |s, l| {
            s.ip = l.ip;
            s.country = l.country.clone();
            0
        });
        sweep.reduce(
            &mut m.sign_in_risks,
            &[&base],
            &[Reason::SignInRisk],
            |s, r| {
                s.sign_in_risk = *r;
                0
            },
        );
        sweep.reduce(&mut m.user_risks, &[&base], &[Reason::UserRisk], |s, r| {
            s.user_risk = *r;
            0
        });
        sweep.reduce(
            &mut m.flows,
            &[&base],
            &[Reason::AuthenticationFlow],
            |s, f| {
                s.transfer_method = *f;
                u8::from(shape_matters(super::Shape::of(ClientApp::Browser, *f)))
            },
        );
        sweep.reduce(
            &mut m.devices,
            &[&base],
            &[Reason::Devices, Reason::InvalidCondition],
            |s, d| {
                s.device = d.clone();
                u8::from(tp && d.registered)
            },
        );
        m
    }

    /// The number of values along `dim`.
    pub fn len(&self, dim: Dim) -> usize {
        match dim {
            Dim::Persona => self.personas.len(),
            Dim::Target => self.targets.len(),
            Dim::Platform => self.platforms.len(),
            Dim::Client => self.clients.len(),
            Dim::Location => self.locations.len(),
            Dim::SignInRisk => self.sign_in_risks.len(),
            Dim::UserRisk => self.user_risks.len(),
            Dim::Flow => self.flows.len(),
            Dim::Device => self.devices.len(),
        }
    }

    /// The number of combinations.
    pub fn size(&self) -> usize {
        Dim::ALL.iter().map(|d| self.len(*d)).product()
    }

    /// Every name a value stands for along `dim` (its label, then its class).
    pub fn names(&self, dim: Dim, index: usize) -> Vec<String> {
        fn n<T>(v: &[Value<T>], i: usize) -> Vec<String> {
            v.get(i).map(Value::names).unwrap_or_default()
        }
        match dim {
            Dim::Persona => n(&self.personas, index),
            Dim::Target => n(&self.targets, index),
            Dim::Platform => n(&self.platforms, index),
            Dim::Client => n(&self.clients, index),
            Dim::Location => n(&self.locations, index),
            Dim::SignInRisk => n(&self.sign_in_risks, index),
            Dim::UserRisk => n(&self.user_risks, index),
            Dim::Flow => n(&self.flows, index),
            Dim::Device => n(&self.devices, index),
        }
    }

    /// A value's label along `dim` (its class label when `class`).
    pub fn label(&self, dim: Dim, index: usize, class: bool) -> String {
        fn l<T>(v: &[Value<T>], i: usize, class: bool) -> String {
            v.get(i).map_or_else(String::new, |v| {
                if class {
                    v.class_label()
                } else {
                    v.label.clone()
                }
            })
        }
        match dim {
            Dim::Persona => l(&self.personas, index, class),
            Dim::Target => l(&self.targets, index, class),
            Dim::Platform => l(&self.platforms, index, class),
            Dim::Client => l(&self.clients, index, class),
            Dim::Location => l(&self.locations, index, class),
            Dim::SignInRisk => l(&self.sign_in_risks, index, class),
            Dim::UserRisk => l(&self.user_risks, index, class),
            Dim::Flow => l(&self.flows, index, class),
            Dim::Device => l(&self.devices, index, class),
        }
    }

    /// Every combination, persona outermost (empty when a dimension is empty).
    pub fn combos(&self) -> Combos {
        let lens = Dim::ALL.map(|d| self.len(d));
        Combos {
            next: (!lens.contains(&0)).then_some([0; DIMS]),
            lens,
        }
    }

    /// The combinations of one persona (empty when out of range).
    pub fn combos_for(&self, persona: usize) -> Combos {
        let mut lens = Dim::ALL.map(|d| self.len(d));
        let ok = persona < lens[0] && !lens.contains(&0);
        lens[0] = persona + 1;
        let mut start = [0; DIMS];
        start[0] = persona;
        Combos {
            next: ok.then_some(start),
            lens,
        }
    }

    /// The sign-in of a combination.
    pub fn sign_in(&self, c: &Combo) -> SignIn {
        let loc = &self.locations[c.get(Dim::Location)].value;
        SignIn {
            identity: self.personas[c.get(Dim::Persona)].value.identity.clone(),
            target: self.targets[c.get(Dim::Target)].value.clone(),
            platform: self.platforms[c.get(Dim::Platform)].value,
            client_app: self.clients[c.get(Dim::Client)].value,
            ip: loc.ip,
            country: loc.country.clone(),
            sign_in_risk: self.sign_in_risks[c.get(Dim::SignInRisk)].value,
            user_risk: self.user_risks[c.get(Dim::UserRisk)].value,
            service_principal_risk: crate::model::ServicePrincipalRiskLevel::None,
            insider_risk: None,
            transfer_method: self.flows[c.get(Dim::Flow)].value,
            device: self.devices[c.get(Dim::Device)].value.clone(),
        }
    }

    /// Overwrites `s` with the sign-in of `c`, reusing its allocations where
    /// the persona is unchanged (the sweep's hot path).
    pub fn fill(&self, c: &Combo, s: &mut SignIn) {
        let persona = &self.personas[c.get(Dim::Persona)].value.identity;
        if s.identity != *persona {
            s.identity = persona.clone();
        }
        let target = &self.targets[c.get(Dim::Target)].value;
        if s.target != *target {
            s.target = target.clone();
        }
        let loc = &self.locations[c.get(Dim::Location)].value;
        s.platform = self.platforms[c.get(Dim::Platform)].value;
        s.client_app = self.clients[c.get(Dim::Client)].value;
        s.ip = loc.ip;
        if s.country != loc.country {
            s.country = loc.country.clone();
        }
        s.sign_in_risk = self.sign_in_risks[c.get(Dim::SignInRisk)].value;
        s.user_risk = self.user_risks[c.get(Dim::UserRisk)].value;
        s.transfer_method = self.flows[c.get(Dim::Flow)].value;
        let device = &self.devices[c.get(Dim::Device)].value;
        if s.device != *device {
            s.device = device.clone();
        }
    }

    /// The [`Shape`](super::Shape) of combination `c`'s sign-in (what
    /// [`SignIn::shape`] gives for [`Matrix::sign_in`]`(c)`).
    pub fn shape(&self, c: &Combo) -> super::Shape {
        match self.personas[c.get(Dim::Persona)].value.identity {
            Identity::ServicePrincipal { .. } => super::Shape::default(),
            Identity::User { .. } => super::Shape::new(
                self.clients[c.get(Dim::Client)].value,
                self.flows[c.get(Dim::Flow)].value,
                self.platforms[c.get(Dim::Platform)].value,
                self.devices[c.get(Dim::Device)].value.registered,
                &self.targets[c.get(Dim::Target)].value,
            ),
        }
    }

    /// [`Matrix::shape`] of every combination, precomputed: the sweeps ask
    /// it once per combination, and a shape's token-binding part compares
    /// application ids.
    pub fn shapes(&self) -> Shapes {
        let lens = [Dim::Target, Dim::Platform, Dim::Client, Dim::Device].map(|d| self.len(d));
        let mut unbound = Vec::with_capacity(lens.iter().product());
        for t in &self.targets {
            for p in &self.platforms {
                for c in &self.clients {
                    for d in &self.devices {
                        let gap = super::token_binding_gap(
                            c.value,
                            p.value,
                            d.value.registered,
                            &t.value,
                        );
                        unbound.push(gap.is_some());
                    }
                }
            }
        }
        Shapes {
            service_principal: self
                .personas
                .iter()
                .map(|p| matches!(p.value.identity, Identity::ServicePrincipal { .. }))
                .collect(),
            legacy: self.clients.iter().map(|c| c.value.is_legacy()).collect(),
            device_code: self
                .flows
                .iter()
                .map(|f| f.value == Some(TransferMethod::DeviceCodeFlow))
                .collect(),
            lens,
            unbound,
        }
    }

    /// One line: "breakglass1@contoso.com: Office 365 Exchange Online from
    /// Windows, mobile/desktop app, unknown location, sign-in risk high".
    /// Risk, flow and device are mentioned only when they are not the
    /// ordinary value.
    pub fn describe(&self, c: &Combo) -> String {
        let mut s = format!(
            "{}: {} from {}, {}, {}",
            self.label(Dim::Persona, c.get(Dim::Persona), false),
            self.label(Dim::Target, c.get(Dim::Target), false),
            self.label(Dim::Platform, c.get(Dim::Platform), false),
            self.label(Dim::Client, c.get(Dim::Client), false),
            self.label(Dim::Location, c.get(Dim::Location), false),
        );
        let sr = self.sign_in_risks[c.get(Dim::SignInRisk)].value;
        if sr != RiskLevel::None {
            s.push_str(&format!(", sign-in risk {}", sr.as_str()));
        }
        let ur = self.user_risks[c.get(Dim::UserRisk)].value;
        if ur != RiskLevel::None {
            s.push_str(&format!(", user risk {}", ur.as_str()));
        }
        if self.flows[c.get(Dim::Flow)].value.is_some() {
            s.push_str(&format!(
                ", {}",
                self.label(Dim::Flow, c.get(Dim::Flow), false)
            ));
        }
        let d = &self.devices[c.get(Dim::Device)];
        if d.value.registered {
            s.push_str(&format!(", {}", d.label));
        }
        s
    }

    /// The combination as a `caac whatif` request body (Graph's evaluate
    /// body with caac's `memberOf` / `directoryRoles` additions), which
    /// [`super::request::parse`] turns back into [`Matrix::sign_in`].
    pub fn request(&self, c: &Combo, tenant: Option<&Tenant>) -> Json {
        let persona = &self.personas[c.get(Dim::Persona)].value;
        let identity = identity_json(persona, tenant);
        let context = match &self.targets[c.get(Dim::Target)].value {
            Target::Applications(apps) => json!({
                "@odata.type": "#microsoft.graph.applicationContext",
                "includeApplications": apps,
            }),
            Target::UserAction(a) => json!({
                "@odata.type": "#microsoft.graph.userActionContext",
                "userAction": match a.as_str() {
                    "urn:user:registersecurityinfo" => "registerSecurityInformation",
                    "urn:user:registerdevice" => "registerOrJoinDevices",
                    other => other,
                },
            }),
            Target::AuthenticationContext(id) => json!({
                "@odata.type": "#microsoft.graph.authContext",
                "authenticationContextValue": id,
            }),
        };
        let mut cond = Map::new();
        if let Some(p) = self.platforms[c.get(Dim::Platform)].value {
            cond.insert("devicePlatform".into(), p.as_str().into());
        }
        cond.insert(
            "clientAppType".into(),
            self.clients[c.get(Dim::Client)].value.as_str().into(),
        );
        let loc = &self.locations[c.get(Dim::Location)].value;
        if let Some(country) = &loc.country {
            cond.insert("country".into(), country.clone().into());
        }
        if let Some(ip) = loc.ip {
            cond.insert("ipAddress".into(), ip.to_string().into());
        }
        let sr = self.sign_in_risks[c.get(Dim::SignInRisk)].value;
        let ur = self.user_risks[c.get(Dim::UserRisk)].value;
        cond.insert("signInRiskLevel".into(), sr.as_str().into());
        cond.insert("userRiskLevel".into(), ur.as_str().into());
        if let Some(f) = self.flows[c.get(Dim::Flow)].value {
            cond.insert(
                "authenticationFlow".into(),
                json!({ "transferMethod": f.as_str() }),
            );
        }
        let device = &self.devices[c.get(Dim::Device)].value;
        if device.registered {
            let mut info = Map::new();
            for (k, v) in &device.attributes {
                let v = match v {
                    DeviceValue::String(s) => Json::from(s.clone()),
                    DeviceValue::Bool(b) => Json::from(*b),
                    DeviceValue::List(l) => Json::from(l.clone()),
                };
                info.insert(k.clone(), v);
            }
            cond.insert("deviceInfo".into(), Json::Object(info));
        }
        json!({
            "signInIdentity": identity,
            "signInContext": context,
            "signInConditions": cond,
        })
    }
}

/// [`Matrix::shape`] per combination, as [`super::Shape::index`] (see
/// [`Matrix::shapes`]).
#[derive(Debug, Clone)]
pub struct Shapes {
    /// Per persona: a service principal (whose shape is the default one).
    service_principal: Vec<bool>,
    /// Per client: legacy authentication.
    legacy: Vec<bool>,
    /// Per flow: device code flow.
    device_code: Vec<bool>,
    /// Values along target, platform, client and device.
    lens: [usize; 4],
    /// Per (target, platform, client, device), row-major: no device-bound token.
    unbound: Vec<bool>,
}

impl Shapes {
    /// The [`super::Shape::index`] of `Matrix::shape(c)` (0 for a
    /// combination outside the matrix).
    pub fn index(&self, c: &Combo) -> usize {
        let get = |v: &[bool], i: usize| v.get(i).copied().unwrap_or(false);
        if self
            .service_principal
            .get(c.get(Dim::Persona))
            .copied()
            .unwrap_or(true)
        {
            return 0;
        }
        let [_, p, cl, d] = self.lens;
        let at = ((c.get(Dim::Target) * p + c.get(Dim::Platform)) * cl + c.get(Dim::Client)) * d
            + c.get(Dim::Device);
        usize::from(get(&self.legacy, c.get(Dim::Client)))
            + 2 * usize::from(get(&self.device_code, c.get(Dim::Flow)))
            + 4 * usize::from(get(&self.unbound, at))
    }
}

/// Iterator over every [`Combo`] of a matrix (see [`Matrix::combos`]).
#[derive(Debug, Clone)]
pub struct Combos {
    lens: [usize; DIMS],
    next: Option<[usize; DIMS]>,
}

impl Iterator for Combos {
    type Item = Combo;
    fn next(&mut self) -> Option<Combo> {
        let cur = self.next?;
        let mut n = cur;
        let mut i = DIMS;
        self.next = loop {
            if i == 0 {
                break None;
            }
            i -= 1;
            n[i] += 1;
            if n[i] < self.lens[i] {
                break Some(n);
            }
            n[i] = 0;
        };
        Some(Combo(cur))
    }
}

/// A synthetic (placeholder) user id, numbered.
pub fn synthetic_user(n: usize) -> String {
    format!("{SYNTHETIC_USER}{n:04x}")
}

/// The `signInIdentity` of a persona: tenant users by name, synthetic ones
/// by placeholder id, memberships and roles always explicit (by tenant or
/// catalog name when there is one) so the request stands alone.
pub fn identity_json(persona: &Persona, tenant: Option<&Tenant>) -> Json {
    match &persona.identity {
        Identity::User {
            id,
            groups,
            roles,
            guest_type,
            external_tenant,
        } => {
            let mut m = Map::new();
            m.insert("@odata.type".into(), "#microsoft.graph.userSignIn".into());
            m.insert(
                "userId".into(),
                persona
                    .user_name
                    .clone()
                    .unwrap_or_else(|| id.clone())
                    .into(),
            );
            if let Some(g) = guest_type {
                m.insert("externalUserType".into(), g.as_str().into());
            }
            if let Some(t) = external_tenant {
                m.insert("externalTenantId".into(), t.clone().into());
            }
            let groups: Vec<String> = groups
                .iter()
                .map(|g| name_of(Kind::Group, g, tenant))
                .collect();
            let roles: Vec<String> = roles
                .iter()
                .map(|r| name_of(Kind::Role, r, tenant))
                .collect();
            m.insert("memberOf".into(), groups.into());
            m.insert("directoryRoles".into(), roles.into());
            Json::Object(m)
        }
        Identity::ServicePrincipal { id } => json!({
            "@odata.type": "#microsoft.graph.servicePrincipalSignIn",
            "servicePrincipalId": persona.user_name.clone().unwrap_or_else(|| id.clone()),
        }),
    }
}

/// The tenant-file or catalog name of an id, or the id itself. A name is
/// used only when it resolves back to exactly this id.
pub fn name_of(kind: Kind, id: &str, tenant: Option<&Tenant>) -> String {
    if let Some(names) = tenant.and_then(|t| t.names(kind))
        && let Some((name, _)) = names.iter().find(|(_, e)| e.id().eq_ignore_ascii_case(id))
        && crate::resolve::resolve_value(kind, name, tenant)
            .is_ok_and(|r| r.eq_ignore_ascii_case(id))
    {
        return name.clone();
    }
    if let Some(e) = catalog::find_by_id(kind, id) {
        return e.name.to_owned();
    }
    id.to_owned()
}

// ---------------------------------------------------------------------------
// Dimension values
// ---------------------------------------------------------------------------

fn user_persona(id: String, groups: Vec<String>, roles: Vec<String>) -> Identity {
    Identity::User {
        id,
        groups,
        roles,
        guest_type: None,
        external_tenant: None,
    }
}

/// Sorted, de-duplicated ids (lower-case) of a kind named by any policy.
fn named_ids(ps: &[&Policy], mut pick: impl FnMut(&Policy) -> Vec<String>) -> Vec<String> {
    let mut ids: Vec<String> = ps
        .iter()
        .flat_map(|p| pick(p))
        .filter(|v| crate::resolve::is_guid(v) || v.starts_with("urn:") || is_context(v))
        .map(|v| v.to_ascii_lowercase())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn is_context(v: &str) -> bool {
    v.len() >= 2 && v.starts_with(['c', 'C']) && v[1..].bytes().all(|b| b.is_ascii_digit())
}

fn user_sets(p: &Policy) -> impl Iterator<Item = &crate::model::UserSet> {
    p.users
        .iter()
        .flat_map(|u| u.include.iter().chain(u.exclude.iter()))
}

/// Resolves a tenant user's `memberOf` / `roles` (unresolvable entries are
/// dropped: the loader already reported them).
pub fn tenant_user(name: &str, entry: &crate::model::Entry, tenant: &Tenant) -> Persona {
    let resolve = |kind, list: &[String]| -> Vec<String> {
        let mut ids: Vec<String> = list
            .iter()
            .filter_map(|v| crate::resolve::resolve_value(kind, v, Some(tenant)).ok())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let (groups, roles) = entry.detail().map_or_else(Default::default, |d| {
        (
            resolve(Kind::Group, d.member_of.as_deref().unwrap_or_default()),
            resolve(Kind::Role, &d.roles),
        )
    });
    Persona {
        identity: user_persona(entry.id().to_ascii_lowercase(), groups, roles),
        user_name: Some(name.to_owned()),
    }
}

fn personas(ps: &[&Policy], tenant: Option<&Tenant>) -> Vec<Value<Persona>> {
    let mut out = vec![Value::new(
        Persona {
            identity: user_persona(synthetic_user(0), Vec::new(), Vec::new()),
            user_name: None,
        },
        "a member user in no group",
    )];
    if let Some(t) = tenant {
        for (name, entry) in &t.users {
            out.push(Value::new(tenant_user(name, entry, t), name.clone()));
        }
    }
    let groups = named_ids(ps, |p| {
        user_sets(p).flat_map(|s| s.groups.clone()).collect()
    });
    for g in groups {
        let label = format!("a member of {}", name_of(Kind::Group, &g, tenant));
        let n = out.len();
        out.push(Value::new(
            Persona {
                identity: user_persona(synthetic_user(n), vec![g], Vec::new()),
                user_name: None,
            },
            label,
        ));
    }
    let roles = named_ids(ps, |p| user_sets(p).flat_map(|s| s.roles.clone()).collect());
    for r in roles {
        let role = name_of(Kind::Role, &r, tenant);
        let article = if role.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        let label = format!("{article} {role}");
        let n = out.len();
        out.push(Value::new(
            Persona {
                identity: user_persona(synthetic_user(n), Vec::new(), vec![r]),
                user_name: None,
            },
            label,
        ));
    }
    let n = out.len();
    out.push(Value::new(
        Persona {
            identity: Identity::User {
                id: synthetic_user(n),
                groups: Vec::new(),
                roles: Vec::new(),
                guest_type: Some(GuestOrExternalUserType::B2bCollaborationGuest),
                external_tenant: None,
            },
            user_name: None,
        },
        "a B2B collaboration guest",
    ));
    out
}

fn targets(ps: &[&Policy], tenant: Option<&Tenant>) -> Vec<Value<Target>> {
    let mut apps = named_ids(ps, |p| {
        p.applications
            .iter()
            .flat_map(|a| a.include.iter().chain(a.exclude.iter()).cloned())
            .collect()
    });
    for fixed in [EXCHANGE, SHAREPOINT, TEAMS, AZURE_PORTAL] {
        if !apps.iter().any(|a| a == fixed) {
            apps.push(fixed.to_owned());
        }
    }
    // A policy on the Windows Azure Service Management API also covers
    // clients of Azure Resource Manager that are in no other grouping
    // (super::apps): exercise one, Azure CLI.
    if apps
        .iter()
        .any(|a| a.eq_ignore_ascii_case(super::apps::AZURE_MANAGEMENT))
        && !apps.iter().any(|a| a == AZURE_CLI)
    {
        apps.push(AZURE_CLI.to_owned());
    }
    let mut out: Vec<Value<Target>> = apps
        .into_iter()
        .map(|a| {
            let label = name_of(Kind::Application, &a, tenant);
            Value::new(Target::Applications(vec![a]), label)
        })
        .collect();
    out.push(Value::new(
        Target::Applications(vec![OTHER_APP.to_owned()]),
        "an app no policy names",
    ));
    let actions = named_ids(ps, |p| {
        p.applications
            .iter()
            .flat_map(|a| a.user_actions.clone())
            .collect()
    });
    for a in actions {
        let label = format!(
            "user action {}",
            catalog::find_by_id(Kind::UserAction, &a).map_or(a.as_str(), |e| e.name)
        );
        out.push(Value::new(Target::UserAction(a), label));
    }
    let contexts = named_ids(ps, |p| {
        p.applications
            .iter()
            .flat_map(|a| a.authentication_contexts.clone())
            .collect()
    });
    for c in contexts {
        let label = format!(
            "authentication context {}",
            name_of(Kind::AuthenticationContext, &c, tenant)
        );
        out.push(Value::new(Target::AuthenticationContext(c), label));
    }
    out
}

fn platforms() -> Vec<Value<Option<Platform>>> {
    Platform::ALL
        .iter()
        .copied()
        .filter(|p| *p != Platform::All)
        .map(Some)
        .chain([None])
        .map(|p| Value::new(p, platform_label(p)))
        .collect()
}

/// How a platform reads.
pub fn platform_label(p: Option<Platform>) -> &'static str {
    match p {
        Some(Platform::Android) => "Android",
        Some(Platform::IOS) => "iOS",
        Some(Platform::Windows) => "Windows",
        Some(Platform::WindowsPhone) => "Windows Phone",
        Some(Platform::MacOS) => "macOS",
        Some(Platform::Linux) => "Linux",
        Some(Platform::All) | None => "an unknown platform",
    }
}

/// How a client app type reads.
pub fn client_label(c: ClientApp) -> &'static str {
    match c {
        ClientApp::Browser => "browser",
        ClientApp::MobileAppsAndDesktopClients => "mobile/desktop app",
        ClientApp::ExchangeActiveSync => "Exchange ActiveSync client",
        ClientApp::Other => "other (legacy) client",
    }
}

fn flow_label(f: Option<TransferMethod>) -> &'static str {
    match f {
        None => "no transfer",
        Some(TransferMethod::DeviceCodeFlow) => "device code flow",
        Some(TransferMethod::AuthenticationTransfer) => "authentication transfer",
    }
}

fn risks() -> Vec<Value<RiskLevel>> {
    [
        RiskLevel::None,
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
    ]
    .into_iter()
    .map(|r| Value::new(r, r.as_str()))
    .collect()
}

fn locations(tenant: Option<&Tenant>) -> Vec<Value<Location>> {
    let mut ranges = Vec::new();
    let mut countries: Vec<String> = Vec::new();
    let mut out = Vec::new();
    if let Some(t) = tenant {
        for e in t.named_locations.values() {
            if let Some(d) = e.detail() {
                ranges.extend(
                    d.ip_ranges
                        .iter()
                        .filter_map(|r| super::network::Cidr::parse(r).ok()),
                );
                countries.extend(d.countries.iter().map(|c| c.to_ascii_uppercase()));
            }
        }
    }
    countries.sort();
    countries.dedup();
    let neutral_country = NEUTRAL_COUNTRIES
        .iter()
        .find(|c| !countries.iter().any(|x| x == *c))
        .map_or("ZZ", |c| c);
    let neutral_ip: Option<IpAddr> = NEUTRAL_IPS
        .iter()
        .filter_map(|s| s.parse().ok())
        .find(|ip| !ranges.iter().any(|r| r.contains(*ip)));
    if let Some(t) = tenant {
        for (name, e) in &t.named_locations {
            let Some(d) = e.detail() else { continue };
            if let Some(ip) = d.ip_ranges.iter().find_map(|r| inside(r)) {
                out.push(Value::new(
                    Location {
                        ip: Some(ip),
                        country: Some(neutral_country.to_owned()),
                    },
                    format!("{ip} (in {name}), {neutral_country}"),
                ));
            }
        }
    }
    for c in &countries {
        out.push(Value::new(
            Location {
                ip: neutral_ip,
                country: Some(c.clone()),
            },
            format!("an untrusted IP in {c}"),
        ));
    }
    out.push(Value::new(
        Location {
            ip: neutral_ip,
            country: Some(neutral_country.to_owned()),
        },
        format!("an untrusted IP in {neutral_country} (a country no location lists)"),
    ));
    out.push(Value::new(
        Location {
            ip: None,
            country: None,
        },
        "no IP and an unknown country",
    ));
    out
}

/// An address inside a CIDR range: the network address plus one when the
/// range has room (a host address, not the network's own).
fn inside(range: &str) -> Option<IpAddr> {
    let (addr, prefix) = range.trim().split_once('/').unwrap_or((range.trim(), ""));
    let ip: IpAddr = addr.parse().ok()?;
    let cidr = super::network::Cidr::parse(range).ok()?;
    let bump = match ip {
        IpAddr::V4(v4) => {
            let p: u32 = prefix.parse().unwrap_or(32);
            let host = if p >= 31 { 0 } else { 1 };
            let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
            IpAddr::V4((u32::from(v4) & mask).wrapping_add(host).into())
        }
        IpAddr::V6(v6) => {
            let p: u32 = prefix.parse().unwrap_or(128);
            let host = if p >= 127 { 0 } else { 1 };
            let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
            IpAddr::V6((u128::from(v6) & mask).wrapping_add(host).into())
        }
    };
    cidr.contains(bump).then_some(bump)
}

fn devices(ps: &[&Policy]) -> Vec<Value<Device>> {
    let mut out = vec![Value::new(Device::default(), "an unregistered device")];
    if ps
        .iter()
        .any(|p| p.devices.as_ref().is_some_and(|d| d.filter.is_some()))
    {
        let dev = |trust: &str, compliant: bool| Device {
            registered: true,
            attributes: [
                (
                    "trustType".to_owned(),
                    DeviceValue::String(trust.to_owned()),
                ),
                ("isCompliant".to_owned(), DeviceValue::Bool(compliant)),
            ]
            .into_iter()
            .collect(),
        };
        out.push(Value::new(
            dev("AzureAD", true),
            "a compliant Entra-joined device",
        ));
        out.push(Value::new(dev("ServerAD", false), "a hybrid-joined device"));
    } else if ps
        .iter()
        .any(|p| p.session.as_ref().is_some_and(|s| s.token_protection))
    {
        // Token protection binds tokens to registered devices only
        // (super::token_binding_gap): a registered device differs from an
        // unregistered one even without a device filter.
        out.push(Value::new(
            Device {
                registered: true,
                ..Device::default()
            },
            "a registered device",
        ));
    }
    out
}

// ---------------------------------------------------------------------------
// Equivalence reduction
// ---------------------------------------------------------------------------

/// The "register or join devices" user action.
const REGISTER_DEVICE: &str = "urn:user:registerdevice";

/// The engine and a scratch sign-in for computing signatures.
struct Sweep<'e, 'a> {
    engine: &'e super::Engine<'a>,
    sign_in: SignIn,
    reasons: Vec<super::ReasonSet>,
}

impl Sweep<'_, '_> {
    /// Keeps the first value of each class of values with the same
    /// signature (for each base sign-in: `set`'s own key and, per policy,
    /// which of `flags` the engine reports when `set` puts the value into
    /// that base),
    /// folding the others' labels into [`Value::also`].
    fn reduce<T>(
        &mut self,
        values: &mut Vec<Value<T>>,
        bases: &[&SignIn],
        flags: &[Reason],
        set: impl Fn(&mut SignIn, &T) -> u8,
    ) {
        let mut kept: Vec<(Vec<u8>, Value<T>)> = Vec::new();
        for v in values.drain(..) {
            let mut sig = Vec::new();
            for base in bases {
                self.sign_in.clone_from(base);
                sig.push(set(&mut self.sign_in, &v.value));
                self.engine.reasons_into(&self.sign_in, &mut self.reasons);
                for r in &self.reasons {
                    sig.extend(flags.iter().map(|f| u8::from(r.contains(*f))));
                }
            }
            match kept.iter_mut().find(|(s, _)| *s == sig) {
                Some((_, k)) => k.also.push(v.label),
                None => kept.push((sig, v)),
            }
        }
        values.extend(kept.into_iter().map(|(_, v)| v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientAppType, Platforms, State, UserSet};
    use crate::whatif::request;

    fn policy(f: impl FnOnce(&mut Policy)) -> Policy {
        crate::test_support::all_users_all_apps("P", State::default(), f)
    }

    fn matrix(ps: &[Policy], tenant: Option<&Tenant>) -> Matrix {
        let refs: Vec<PolicyRef> = ps
            .iter()
            .map(|p| PolicyRef {
                name: &p.display_name,
                policy: p,
            })
            .collect();
        Matrix::new(&refs, tenant)
    }

    // Legacy clients cannot satisfy MFA ("Sign-ins from legacy
    // authentication clients don't support multifactor authentication
    // (MFA) and don't pass device state information, so they're blocked",
    // concept-conditional-access-conditions#client-apps) and the device code
    // flow cannot bring device state ("the required grant control for the
    // managed device … isn't supported", concept-conditional-access-grant):
    // such values stay apart from the others when a policy's grant makes it
    // matter, though no condition tells them apart.
    #[test]
    fn grant_shapes_split_clients_and_flows() {
        use crate::model::{BuiltInControl, Grant};
        let grant = |c: Vec<BuiltInControl>| {
            policy(|p| {
                p.grant = Some(Grant {
                    built_in_controls: c,
                    ..Grant::default()
                });
            })
        };
        let m = matrix(&[grant(vec![BuiltInControl::Block])], None);
        assert_eq!((m.len(Dim::Client), m.len(Dim::Flow)), (1, 1));
        let m = matrix(&[grant(vec![BuiltInControl::Mfa])], None);
        let clients: Vec<String> = m.clients.iter().map(Value::class_label).collect();
        assert_eq!(
            clients,
            [
                "browser (also mobile/desktop app)",
                "Exchange ActiveSync client (also other (legacy) client)"
            ]
        );
        assert_eq!(m.len(Dim::Flow), 1);
        let m = matrix(&[grant(vec![BuiltInControl::CompliantDevice])], None);
        assert_eq!(m.len(Dim::Client), 2);
        let flows: Vec<String> = m.flows.iter().map(Value::class_label).collect();
        assert_eq!(flows.len(), 2, "{flows:?}");
        assert!(flows[1].starts_with("device code flow"), "{flows:?}");
        // And the shape of each class is the engine's.
        for c in m.combos() {
            assert_eq!(m.shape(&c), m.sign_in(&c).shape());
        }
    }

    // "When you target the Windows Azure Service Management API application,
    // policy is enforced for tokens issued to … Azure portal …" and Azure CLI
    // calls Azure Resource Manager
    // (concept-conditional-access-cloud-apps#windows-azure-service-management-api):
    // the grouping gets a member of its own (Azure CLI) in the matrix.
    /// The precomputed shapes are `Matrix::shape` on every combination of
    /// the starter set's matrix (token protection for Exchange and
    /// SharePoint on Windows, legacy clients, the device code flow).
    #[test]
    fn shapes_agree_with_shape_everywhere() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let ps: Vec<Policy> = files
            .iter()
            .map(|f| crate::test_support::from_yaml(&std::fs::read_to_string(f).unwrap()))
            .collect();
        let m = matrix(&ps, None);
        let shapes = m.shapes();
        let mut seen = [false; 8];
        for c in m.combos() {
            let want = m.shape(&c).index();
            assert_eq!(shapes.index(&c), want, "{}", m.describe(&c));
            seen[want] = true;
        }
        // Every part of a shape (legacy 1, device code 2, unbound 4) varies
        // over this matrix.
        for bit in [1, 2, 4] {
            assert!((0..8).any(|i| seen[i] && i & bit != 0), "{bit}: {seen:?}");
            assert!((0..8).any(|i| seen[i] && i & bit == 0), "{bit}: {seen:?}");
        }
    }

    #[test]
    fn azure_management_grouping_is_exercised() {
        let m = matrix(
            &[policy(|p| {
                p.applications.as_mut().unwrap().include =
                    vec![super::super::apps::AZURE_MANAGEMENT.into()];
            })],
            None,
        );
        let targets: Vec<String> = m.targets.iter().map(Value::class_label).collect();
        assert_eq!(
            targets,
            [
                "Windows Azure Service Management API (also Azure portal, Microsoft Azure CLI)",
                "Office 365 Exchange Online (also Office 365 SharePoint Online, Microsoft Teams Services, an app no policy names)"
            ]
        );
    }

    #[test]
    fn untouched_dimensions_collapse_to_one_class() {
        let m = matrix(&[policy(|_| {})], None);
        assert_eq!(m.len(Dim::Platform), 1);
        assert_eq!(m.platforms[0].also.len(), 6);
        assert_eq!(m.len(Dim::Client), 1);
        assert_eq!(m.len(Dim::SignInRisk), 1);
        assert_eq!(m.len(Dim::UserRisk), 1);
        assert_eq!(m.len(Dim::Flow), 1);
        assert_eq!(m.len(Dim::Device), 1);
        // Exchange, SharePoint, Teams, Azure portal, another app: `All` takes them alike.
        assert_eq!(m.len(Dim::Target), 1);
        assert_eq!(m.targets[0].also.len(), 4);
        assert_eq!(m.len(Dim::Location), 1);
        assert_eq!(m.len(Dim::Persona), 1);
        assert_eq!(m.size(), m.combos().count());
        // Naming Exchange Online splits it from the rest.
        let m = matrix(
            &[policy(|p| {
                p.applications.as_mut().unwrap().include =
                    vec!["00000002-0000-0ff1-ce00-000000000000".into()];
            })],
            None,
        );
        let targets: Vec<String> = m.targets.iter().map(Value::class_label).collect();
        assert_eq!(
            targets,
            [
                "Office 365 Exchange Online",
                "Office 365 SharePoint Online (also Microsoft Teams Services, Azure portal, an app no policy names)"
            ]
        );
    }

    #[test]
    fn listed_values_split_classes() {
        let m = matrix(
            &[policy(|p| {
                p.platforms = Some(Platforms {
                    include: vec![Platform::All],
                    exclude: vec![Platform::Windows, Platform::MacOS],
                });
                p.sign_in_risk_levels = vec![RiskLevel::High, RiskLevel::Medium];
                p.client_app_types = vec![ClientAppType::EasSupported, ClientAppType::Other];
            })],
            None,
        );
        let labels: Vec<&str> = m.platforms.iter().map(|v| v.label.as_str()).collect();
        // Android (included, not excluded) / Windows (excluded); unknown joins Android.
        assert_eq!(labels, ["Android", "Windows"]);
        assert!(
            m.platforms[0]
                .also
                .contains(&"an unknown platform".to_owned())
        );
        assert_eq!(m.len(Dim::SignInRisk), 2);
        assert_eq!(m.sign_in_risks[1].class_label(), "medium (also high)");
        assert_eq!(m.len(Dim::Client), 2);
        assert_eq!(
            m.clients[1].class_label(),
            "Exchange ActiveSync client (also other (legacy) client)"
        );
    }

    #[test]
    fn named_platform_keeps_unknown_apart() {
        let m = matrix(
            &[policy(|p| {
                p.platforms = Some(Platforms {
                    include: vec![Platform::Windows],
                    exclude: vec![],
                });
            })],
            None,
        );
        let labels: Vec<&str> = m.platforms.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(labels, ["Android", "Windows"]);
        assert!(
            m.platforms[0]
                .also
                .contains(&"an unknown platform".to_owned())
        );
    }

    #[test]
    fn iterator_is_odometer_order() {
        let mut m = matrix(&[policy(|_| {})], None);
        m.sign_in_risks = risks();
        let combos: Vec<Combo> = m.combos().collect();
        assert_eq!(combos.len(), m.size());
        assert_eq!(combos[0].get(Dim::SignInRisk), 0);
        assert_eq!(combos[1].get(Dim::SignInRisk), 1);
        let mut sorted = combos.clone();
        sorted.sort();
        assert_eq!(sorted, combos);
        let per: usize = (0..m.len(Dim::Persona))
            .map(|p| {
                m.combos_for(p)
                    .inspect(|c| assert_eq!(c.get(Dim::Persona), p))
                    .count()
            })
            .sum();
        assert_eq!(per, m.size());
        assert_eq!(m.combos_for(m.len(Dim::Persona)).count(), 0);
        m.devices.clear();
        assert_eq!(m.combos().count(), 0);
    }

    fn tenant() -> Tenant {
        serde_json::from_value(json!({
            "groups": {"Pilot": "22222222-2222-4222-8222-222222222222"},
            "users": {"alice@contoso.com": {
                "id": "0e1f2a3b-0000-4000-8000-000000000002",
                "memberOf": ["Pilot"],
                "roles": ["Global Administrator"]
            }},
            "namedLocations": {
                "HQ": {"id": "55555555-5555-4555-8555-555555555555", "trusted": true, "ipRanges": ["203.0.113.0/24"]},
                "Allowed": {"id": "66666666-6666-4666-8666-666666666666", "countries": ["NL"]}
            }
        }))
        .unwrap()
    }

    #[test]
    fn personas_and_locations_come_from_the_tenant_file() {
        let t = tenant();
        let m = matrix(
            &[policy(|p| {
                p.users.as_mut().unwrap().exclude = Some(UserSet {
                    groups: vec!["22222222-2222-4222-8222-222222222222".into()],
                    roles: vec!["62e90394-69f5-4237-9190-012177145e10".into()],
                    ..UserSet::default()
                });
            })],
            Some(&t),
        );
        // Everyone the exclusion catches is one class, everyone else another.
        let personas: Vec<String> = m.personas.iter().map(Value::class_label).collect();
        assert_eq!(
            personas,
            [
                "a member user in no group (also a B2B collaboration guest)",
                "alice@contoso.com (also a member of Pilot, a Global Administrator)",
            ]
        );
        // No policy has a location condition: one class.
        assert_eq!(m.len(Dim::Location), 1);
        let all = locations(Some(&t));
        let locs: Vec<&str> = all.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(
            locs,
            [
                "203.0.113.1 (in HQ), BR",
                "an untrusted IP in NL",
                "an untrusted IP in BR (a country no location lists)",
                "no IP and an unknown country"
            ]
        );
    }

    #[test]
    fn request_round_trips_through_the_parser() {
        let t = tenant();
        let ps = [policy(|p| {
            p.authentication_flows = vec![TransferMethod::DeviceCodeFlow];
            p.user_risk_levels = vec![RiskLevel::High];
            p.devices = Some(crate::model::Devices {
                filter: Some(crate::model::Filter {
                    mode: crate::model::FilterMode::Include,
                    rule: "device.isCompliant -eq True".into(),
                }),
            });
            p.applications.as_mut().unwrap().user_actions =
                vec!["urn:user:registersecurityinfo".into()];
        })];
        let m = matrix(&ps, Some(&t));
        let mut checked = 0;
        for c in m.combos() {
            let body = m.request(&c, Some(&t));
            let parsed = request::parse(&body, Some(&t)).unwrap_or_else(|e| {
                panic!("{body}: {e:?}");
            });
            assert_eq!(parsed, m.sign_in(&c), "{}", m.describe(&c));
            let mut s = m.sign_in(&Combo([0; DIMS]));
            m.fill(&c, &mut s);
            assert_eq!(s, m.sign_in(&c));
            checked += 1;
        }
        assert_eq!(checked, m.size());
    }

    #[test]
    fn describe_reads_as_one_line() {
        let ps = [policy(|p| {
            p.sign_in_risk_levels = vec![RiskLevel::High];
            p.platforms = Some(Platforms {
                include: vec![Platform::Windows],
                exclude: vec![],
            });
            p.client_app_types = vec![ClientAppType::MobileAppsAndDesktopClients];
        })];
        let m = matrix(&ps, None);
        let exchange = m
            .targets
            .iter()
            .position(|t| t.value == Target::Applications(vec![EXCHANGE.into()]))
            .unwrap();
        let c = Combo([0; DIMS])
            .with(Dim::Target, exchange)
            .with(Dim::Platform, 1)
            .with(Dim::Client, 1)
            .with(Dim::Location, m.len(Dim::Location) - 1)
            .with(Dim::SignInRisk, 1);
        assert_eq!(
            m.describe(&c),
            "a member user in no group: Office 365 Exchange Online from Windows, mobile/desktop app, an untrusted IP in BR (a country no location lists), sign-in risk high"
        );
    }

    #[test]
    fn inside_picks_a_host_address() {
        assert_eq!(inside("10.0.0.0/8"), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(inside("10.0.0.7/32"), Some("10.0.0.7".parse().unwrap()));
        assert_eq!(
            inside("2001:db8::/48"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(inside("nonsense"), None);
    }
}
