//! Parsing the body of Graph's `POST /identity/conditionalAccess/evaluate`
//! into a [`SignIn`], resolving names through the tenant file.
//!
//! Request shape (<https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate>,
//! resources `userSignIn`, `servicePrincipalSignIn`, `applicationContext`,
//! `userActionContext`, `authContext`, `signInConditions`, `deviceInfo`):
//!
//! ```json
//! {"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": "…",
//!                     "externalTenantId": "…", "externalUserType": "b2bCollaborationGuest"},
//!  "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
//!                    "includeApplications": ["00000003-0000-0ff1-ce00-000000000000"]},
//!  "signInConditions": {"devicePlatform": "windows", "clientAppType": "browser", "country": "NL",
//!                       "ipAddress": "203.0.113.7", "signInRiskLevel": "none", "userRiskLevel": "none",
//!                       "servicePrincipalRiskLevel": "none", "insiderRiskLevel": "minor",
//!                       "authenticationFlow": {"transferMethod": "deviceCodeFlow"},
//!                       "deviceInfo": {"isCompliant": true, "trustType": "AzureAD"}},
//!  "appliedPoliciesOnly": true}
//! ```
//!
//! caac additions and choices:
//!
//! - Every id may also be a name: users, groups, service principals, external
//!   tenants, applications and authentication contexts through the tenant
//!   file, apps and roles through the built-in catalog
//!   ([`crate::resolve::resolve_value`]).
//! - `userSignIn` accepts `memberOf` (group names or ids, transitive) and
//!   `directoryRoles` (role names or template ids); when absent they come from
//!   the tenant file's entry for the user (`users: {name: {id, memberOf,
//!   roles}}`). Graph looks these up in the directory; offline they must be
//!   given.
//! - `@odata.type` may be omitted when the keys make the kind obvious
//!   (`userId`, `servicePrincipalId`, `includeApplications`, `userAction`,
//!   `authenticationContextValue`).
//! - `includeApplications` must name concrete apps: "Groups of apps, such as
//!   Office 365 or Microsoft Admin Portals, don't result in a match"
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/what-if-tool>),
//!   so `All`, `Office365`, `MicrosoftAdminPortals` are rejected.
//! - `clientAppType` is required for a user sign-in (the What If tool requires
//!   it too: "The following conditions are required: identity, target
//!   resource, device platform, and client app", same page); Graph's default
//!   `all` is no client at all, so it is rejected. `easSupported` reads as
//!   `exchangeActiveSync`. For a service principal it is ignored.
//! - `devicePlatform` omitted or `all` (Graph's default) is a platform
//!   Conditional Access cannot identify ([`SignIn::platform`] `None`).
//! - Omitted risk levels are `none`, as Graph defaults them
//!   (<https://learn.microsoft.com/graph/api/resources/signinconditions>).
//! - `deviceInfo.ownership` is the filter attribute `deviceOwnership`; a
//!   non-empty `deviceInfo` makes the device registered, an absent or empty
//!   one unregistered (every filter attribute null).
//! - Unknown keys are errors with a did-you-mean, like every caac input.

use super::device_filter::Attr;
use super::{ClientApp, Device, DeviceValue, Identity, SignIn, Target};
use crate::catalog::{self, Kind};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::load::escape_segment;
use crate::model::{
    GuestOrExternalUserType, InsiderRiskLevel, Platform, RiskLevel, ServicePrincipalRiskLevel,
    Tenant, TransferMethod, Wire,
};
use crate::resolve::resolve_value;
use serde_json::{Map, Value};

/// Whether the request asks for applied policies only (`appliedPoliciesOnly`).
pub fn applied_policies_only(request: &Value) -> bool {
    request
        .get("appliedPoliciesOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Parses an evaluate request body. Errors carry JSON pointers into `request`.
pub fn parse(request: &Value, tenant: Option<&Tenant>) -> Result<SignIn, Vec<Diagnostic>> {
    let mut p = Parser {
        tenant,
        diags: Vec::new(),
    };
    let sign_in = p.request(request);
    match sign_in {
        Some(s) if p.diags.is_empty() => Ok(s),
        _ => Err(p.diags),
    }
}

struct Parser<'t> {
    tenant: Option<&'t Tenant>,
    diags: Vec<Diagnostic>,
}

fn ptr(base: &str, key: &str) -> String {
    format!("{base}/{}", escape_segment(key))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `#microsoft.graph.userSignIn` → `userSignIn`.
fn odata_type(map: &Map<String, Value>) -> Option<&str> {
    map.get("@odata.type").and_then(Value::as_str).map(|t| {
        let t = t.trim_start_matches('#');
        t.strip_prefix("microsoft.graph.").unwrap_or(t)
    })
}

impl Parser<'_> {
    fn error(&mut self, code: Code, message: String, pointer: &str) {
        self.diags
            .push(Diagnostic::error(code, message).at_value(pointer));
    }

    fn error_help(&mut self, code: Code, message: String, pointer: &str, help: String) {
        self.diags.push(
            Diagnostic::error(code, message)
                .at_value(pointer)
                .with_help(help),
        );
    }

    fn object<'v>(&mut self, v: &'v Value, pointer: &str) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.error(
                    Code::InvalidType,
                    format!("expected an object, found {}", kind_of(other)),
                    pointer,
                );
                None
            }
        }
    }

    /// Reports keys outside `known` (`@odata.*` annotations are always allowed).
    fn known_keys(&mut self, map: &Map<String, Value>, pointer: &str, known: &[&str]) {
        for key in map.keys() {
            if key.starts_with("@odata.") || known.contains(&key.as_str()) {
                continue;
            }
            let mut d = Diagnostic::error(Code::UnknownField, format!("unknown field `{key}`"))
                .at_key(ptr(pointer, key));
            d = match did_you_mean(key, known.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!("expected one of: {}", known.join(", "))),
            };
            self.diags.push(d);
        }
    }

    fn string<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        key: &str,
        pointer: &str,
    ) -> Option<&'v str> {
        match map.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => {
                self.error(
                    Code::InvalidType,
                    format!("`{key}` must be a string, found {}", kind_of(other)),
                    &ptr(pointer, key),
                );
                None
            }
        }
    }

    fn strings<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        key: &str,
        pointer: &str,
    ) -> Option<Vec<(String, &'v str)>> {
        let here = ptr(pointer, key);
        match map.get(key)? {
            Value::Null => None,
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{here}/{i}");
                    match item.as_str() {
                        Some(s) => out.push((at, s)),
                        None => self.error(
                            Code::InvalidType,
                            format!("expected a string, found {}", kind_of(item)),
                            &at,
                        ),
                    }
                }
                Some(out)
            }
            other => {
                self.error(
                    Code::InvalidType,
                    format!(
                        "`{key}` must be a list of strings, found {}",
                        kind_of(other)
                    ),
                    &here,
                );
                None
            }
        }
    }

    /// Resolves a name or id; keywords of `kind` are rejected (a sign-in is one object).
    fn resolve(&mut self, kind: Kind, value: &str, pointer: &str) -> Option<String> {
        if let Some(k) = catalog::keyword(kind, value) {
            let help = if kind == Kind::Application {
                "give app ids: groups of apps such as Office365 do not match in What If (learn.microsoft.com/entra/identity/conditional-access/what-if-tool)".to_owned()
            } else {
                format!("give one {}'s id or name", kind.noun())
            };
            self.error_help(
                Code::InvalidValue,
                format!("`{k}` is a keyword for policies, not a {}", kind.noun()),
                pointer,
                help,
            );
            return None;
        }
        match resolve_value(kind, value, self.tenant) {
            Ok(id) => Some(id),
            Err(d) => {
                self.diags.push(d.at_value(pointer));
                None
            }
        }
    }

    fn enum_value<T: Wire>(&mut self, value: &str, pointer: &str, what: &str) -> Option<T> {
        if let Some(v) = T::parse_loose(value) {
            return Some(v);
        }
        let names: Vec<&str> = T::all().iter().map(|v| v.wire()).collect();
        let help = match did_you_mean(value, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected one of: {}", names.join(", ")),
        };
        self.error_help(
            Code::InvalidValue,
            format!("unknown {what} `{value}`"),
            pointer,
            help,
        );
        None
    }

    fn request(&mut self, v: &Value) -> Option<SignIn> {
        let root = self.object(v, "")?;
        self.known_keys(
            root,
            "",
            &[
                "signInIdentity",
                "signInContext",
                "signInConditions",
                "appliedPoliciesOnly",
            ],
        );
        if let Some(a) = root.get("appliedPoliciesOnly")
            && !a.is_boolean()
        {
            self.error(
                Code::InvalidType,
                format!(
                    "`appliedPoliciesOnly` must be a boolean, found {}",
                    kind_of(a)
                ),
                "/appliedPoliciesOnly",
            );
        }
        let identity = match root.get("signInIdentity") {
            Some(v) => self.identity(v),
            None => {
                self.error(
                    Code::MissingField,
                    "missing `signInIdentity` (a userSignIn or servicePrincipalSignIn)".into(),
                    "",
                );
                None
            }
        };
        let target = match root.get("signInContext") {
            Some(v) => self.context(v),
            None => {
                self.error(
                    Code::MissingField,
                    "missing `signInContext` (an applicationContext, userActionContext or authContext)".into(),
                    "",
                );
                None
            }
        };
        let empty = Map::new();
        let conditions = match root.get("signInConditions") {
            Some(v) => self.object(v, "/signInConditions"),
            None => Some(&empty),
        };
        let is_user = matches!(identity, Some(Identity::User { .. }));
        let conditions = conditions
            .and_then(|c| self.conditions(c, is_user, root.contains_key("signInConditions")));
        let (identity, target, c) = (identity?, target?, conditions?);
        Some(SignIn {
            identity,
            target,
            platform: c.platform,
            client_app: c.client_app,
            ip: c.ip,
            country: c.country,
            sign_in_risk: c.sign_in_risk,
            user_risk: c.user_risk,
            service_principal_risk: c.sp_risk,
            insider_risk: c.insider,
            transfer_method: c.flow,
            device: c.device,
        })
    }

    fn identity(&mut self, v: &Value) -> Option<Identity> {
        const BASE: &str = "/signInIdentity";
        let m = self.object(v, BASE)?;
        let kind = match odata_type(m) {
            Some(t) => t.to_owned(),
            None if m.contains_key("servicePrincipalId") => "servicePrincipalSignIn".into(),
            None if m.contains_key("userId") => "userSignIn".into(),
            None => {
                self.error(
                    Code::MissingField,
                    "`signInIdentity` needs `@odata.type` (#microsoft.graph.userSignIn or #microsoft.graph.servicePrincipalSignIn) or a `userId` / `servicePrincipalId`".into(),
                    BASE,
                );
                return None;
            }
        };
        match kind.as_str() {
            "userSignIn" => self.user(m),
            "servicePrincipalSignIn" => {
                self.known_keys(m, BASE, &["servicePrincipalId"]);
                let Some(id) = self.string(m, "servicePrincipalId", BASE) else {
                    if !m.contains_key("servicePrincipalId") {
                        self.error(
                            Code::MissingField,
                            "missing `servicePrincipalId`".into(),
                            BASE,
                        );
                    }
                    return None;
                };
                let id =
                    self.resolve(Kind::ServicePrincipal, id, &ptr(BASE, "servicePrincipalId"))?;
                Some(Identity::ServicePrincipal { id })
            }
            other => {
                self.error_help(
                    Code::InvalidValue,
                    format!("caac cannot evaluate `{other}` sign-ins"),
                    &ptr(BASE, "@odata.type"),
                    "use #microsoft.graph.userSignIn or #microsoft.graph.servicePrincipalSignIn (agent sign-ins are beta and not modelled)".into(),
                );
                None
            }
        }
    }

    fn user(&mut self, m: &Map<String, Value>) -> Option<Identity> {
        const BASE: &str = "/signInIdentity";
        self.known_keys(
            m,
            BASE,
            &[
                "userId",
                "externalTenantId",
                "externalUserType",
                "memberOf",
                "directoryRoles",
            ],
        );
        let user_ptr = ptr(BASE, "userId");
        let id = match self.string(m, "userId", BASE) {
            Some(u) => self.resolve(Kind::User, u, &user_ptr),
            None => {
                if !m.contains_key("userId") {
                    self.error(Code::MissingField, "missing `userId`".into(), BASE);
                }
                None
            }
        };
        let guest_type = match self.string(m, "externalUserType", BASE) {
            None => None,
            Some(t) if t.trim().eq_ignore_ascii_case("none") || t.trim().is_empty() => None,
            Some(t) if t.contains(',') => {
                self.error(
                    Code::InvalidValue,
                    format!("`externalUserType` is one user's type, found several: `{t}`"),
                    &ptr(BASE, "externalUserType"),
                );
                None
            }
            Some(t) => self.enum_value::<GuestOrExternalUserType>(
                t,
                &ptr(BASE, "externalUserType"),
                "external user type",
            ),
        };
        let external_tenant = match self.string(m, "externalTenantId", BASE) {
            Some(t) => self.resolve(Kind::ExternalTenant, t, &ptr(BASE, "externalTenantId")),
            None => None,
        };
        let detail = id.as_deref().and_then(|id| {
            self.tenant.and_then(|t| {
                t.users
                    .iter()
                    .find(|(_, e)| e.id().eq_ignore_ascii_case(id))
                    .map(|(name, e)| (name.clone(), e.detail().cloned()))
            })
        });
        let groups = self.memberships(m, "memberOf", Kind::Group, &detail, &user_ptr);
        let roles = self.memberships(m, "directoryRoles", Kind::Role, &detail, &user_ptr);
        Some(Identity::User {
            id: id?,
            groups,
            roles,
            guest_type,
            external_tenant,
        })
    }

    /// `memberOf` / `directoryRoles` from the request, else from the tenant file.
    fn memberships(
        &mut self,
        m: &Map<String, Value>,
        key: &str,
        kind: Kind,
        detail: &Option<(String, Option<crate::model::Detail>)>,
        user_ptr: &str,
    ) -> Vec<String> {
        const BASE: &str = "/signInIdentity";
        let mut out = Vec::new();
        if m.contains_key(key) {
            for (at, v) in self.strings(m, key, BASE).unwrap_or_default() {
                if let Some(id) = self.resolve(kind, v, &at) {
                    out.push(id);
                }
            }
            return out;
        }
        let Some((name, Some(d))) = detail else {
            return out;
        };
        let list = if kind == Kind::Group {
            d.member_of.as_deref().unwrap_or_default()
        } else {
            &d.roles
        };
        let field = if kind == Kind::Group {
            "memberOf"
        } else {
            "roles"
        };
        for v in list {
            match resolve_value(kind, v, self.tenant) {
                Ok(id) => out.push(id),
                Err(e) => {
                    let d = Diagnostic::error(
                        e.code,
                        format!("tenant file, user `{name}`, {field}: {}", e.message),
                    )
                    .at_value(user_ptr);
                    self.diags.push(match e.help {
                        Some(h) => d.with_help(h),
                        None => d,
                    });
                }
            }
        }
        out
    }

    fn context(&mut self, v: &Value) -> Option<Target> {
        const BASE: &str = "/signInContext";
        let m = self.object(v, BASE)?;
        let kind = match odata_type(m) {
            Some(t) => t.to_owned(),
            None if m.contains_key("includeApplications") => "applicationContext".into(),
            None if m.contains_key("userAction") => "userActionContext".into(),
            None if m.contains_key("authenticationContextValue") => "authContext".into(),
            None => {
                self.error(
                    Code::MissingField,
                    "`signInContext` needs `@odata.type` (#microsoft.graph.applicationContext, userActionContext or authContext) or one of `includeApplications`, `userAction`, `authenticationContextValue`".into(),
                    BASE,
                );
                return None;
            }
        };
        match kind.as_str() {
            "applicationContext" => {
                self.known_keys(m, BASE, &["includeApplications"]);
                let Some(apps) = self.strings(m, "includeApplications", BASE) else {
                    if !m.contains_key("includeApplications") {
                        self.error(
                            Code::MissingField,
                            "missing `includeApplications`".into(),
                            BASE,
                        );
                    }
                    return None;
                };
                if apps.is_empty() {
                    self.error(
                        Code::InvalidValue,
                        "`includeApplications` lists no application".into(),
                        &ptr(BASE, "includeApplications"),
                    );
                    return None;
                }
                let mut ids = Vec::new();
                for (at, app) in apps {
                    if let Some(id) = self.resolve(Kind::Application, app, &at) {
                        ids.push(id);
                    }
                }
                Some(Target::Applications(ids))
            }
            "userActionContext" => {
                self.known_keys(m, BASE, &["userAction"]);
                let at = ptr(BASE, "userAction");
                let action = self.string(m, "userAction", BASE)?;
                let urn = match action {
                    "registerSecurityInformation" => {
                        Some("urn:user:registersecurityinfo".to_owned())
                    }
                    "registerOrJoinDevices" => Some("urn:user:registerdevice".to_owned()),
                    other => resolve_value(Kind::UserAction, other, self.tenant).ok(),
                };
                if urn.is_none() {
                    self.error_help(
                        Code::InvalidValue,
                        format!("unknown user action `{action}`"),
                        &at,
                        "expected registerSecurityInformation or registerOrJoinDevices".into(),
                    );
                }
                urn.map(Target::UserAction)
            }
            "authContext" => {
                self.known_keys(m, BASE, &["authenticationContextValue"]);
                let value = self.string(m, "authenticationContextValue", BASE)?;
                let id = self.resolve(
                    Kind::AuthenticationContext,
                    value,
                    &ptr(BASE, "authenticationContextValue"),
                )?;
                Some(Target::AuthenticationContext(id))
            }
            other => {
                self.error_help(
                    Code::InvalidValue,
                    format!("unknown sign-in context `{other}`"),
                    &ptr(BASE, "@odata.type"),
                    "use #microsoft.graph.applicationContext, #microsoft.graph.userActionContext or #microsoft.graph.authContext".into(),
                );
                None
            }
        }
    }

    fn conditions(
        &mut self,
        m: &Map<String, Value>,
        is_user: bool,
        present: bool,
    ) -> Option<Conditions> {
        const BASE: &str = "/signInConditions";
        self.known_keys(
            m,
            BASE,
            &[
                "devicePlatform",
                "clientAppType",
                "country",
                "ipAddress",
                "signInRiskLevel",
                "userRiskLevel",
                "servicePrincipalRiskLevel",
                "insiderRiskLevel",
                "authenticationFlow",
                "deviceInfo",
            ],
        );
        let before = self.diags.len();
        let platform = match self.string(m, "devicePlatform", BASE) {
            None => None,
            Some(p) if p.eq_ignore_ascii_case("all") => None,
            Some(p) => {
                self.enum_value::<Platform>(p, &ptr(BASE, "devicePlatform"), "device platform")
            }
        };
        let client_app = match self.string(m, "clientAppType", BASE) {
            Some(c) => match c.to_ascii_lowercase().as_str() {
                "browser" => Some(ClientApp::Browser),
                "mobileappsanddesktopclients" => Some(ClientApp::MobileAppsAndDesktopClients),
                "exchangeactivesync" | "eassupported" => Some(ClientApp::ExchangeActiveSync),
                "other" => Some(ClientApp::Other),
                _ if !is_user => None,
                "all" => {
                    self.error_help(
                        Code::InvalidValue,
                        "`clientAppType: all` names no client; caac evaluates one sign-in from one client".into(),
                        &ptr(BASE, "clientAppType"),
                        "use browser, mobileAppsAndDesktopClients, exchangeActiveSync or other".into(),
                    );
                    None
                }
                _ => {
                    let names = [
                        "browser",
                        "mobileAppsAndDesktopClients",
                        "exchangeActiveSync",
                        "easSupported",
                        "other",
                    ];
                    let help = did_you_mean(c, names).map_or_else(
                        || format!("expected one of: {}", names.join(", ")),
                        |s| format!("did you mean `{s}`?"),
                    );
                    self.error_help(
                        Code::InvalidValue,
                        format!("unknown client app type `{c}`"),
                        &ptr(BASE, "clientAppType"),
                        help,
                    );
                    None
                }
            },
            None => {
                if is_user && !m.contains_key("clientAppType") {
                    self.error_help(
                        Code::MissingField,
                        "a user sign-in needs `clientAppType`".into(),
                        if present { BASE } else { "" },
                        "add \"clientAppType\": \"browser\" (or mobileAppsAndDesktopClients, exchangeActiveSync, other); the What If tool requires it too".into(),
                    );
                }
                None
            }
        };
        let country = match self.string(m, "country", BASE) {
            None => None,
            Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Some(c.to_ascii_uppercase())
            }
            Some(c) => {
                self.error(
                    Code::InvalidValue,
                    format!("`{c}` is not an ISO 3166 alpha-2 country code such as \"NL\""),
                    &ptr(BASE, "country"),
                );
                None
            }
        };
        let ip = match self.string(m, "ipAddress", BASE) {
            None => None,
            Some(s) => match s.trim().parse() {
                Ok(ip) => Some(ip),
                Err(_) => {
                    self.error(
                        Code::InvalidValue,
                        format!("`{s}` is not an IPv4 or IPv6 address"),
                        &ptr(BASE, "ipAddress"),
                    );
                    None
                }
            },
        };
        let sign_in_risk = self
            .string(m, "signInRiskLevel", BASE)
            .and_then(|s| {
                self.enum_value::<RiskLevel>(s, &ptr(BASE, "signInRiskLevel"), "risk level")
            })
            .unwrap_or(RiskLevel::None);
        let user_risk = self
            .string(m, "userRiskLevel", BASE)
            .and_then(|s| {
                self.enum_value::<RiskLevel>(s, &ptr(BASE, "userRiskLevel"), "risk level")
            })
            .unwrap_or(RiskLevel::None);
        let sp_risk = self
            .string(m, "servicePrincipalRiskLevel", BASE)
            .and_then(|s| {
                self.enum_value::<ServicePrincipalRiskLevel>(
                    s,
                    &ptr(BASE, "servicePrincipalRiskLevel"),
                    "service principal risk level",
                )
            })
            .unwrap_or(ServicePrincipalRiskLevel::None);
        let insider = match self.string(m, "insiderRiskLevel", BASE) {
            Some(s) if !s.eq_ignore_ascii_case("none") => self.enum_value::<InsiderRiskLevel>(
                s,
                &ptr(BASE, "insiderRiskLevel"),
                "insider risk level",
            ),
            _ => None,
        };
        let flow = match m.get("authenticationFlow") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let at = ptr(BASE, "authenticationFlow");
                self.object(v, &at).and_then(|f| {
                    self.known_keys(f, &at, &["transferMethod"]);
                    match self.string(f, "transferMethod", &at) {
                        Some(t) if !t.eq_ignore_ascii_case("none") => self
                            .enum_value::<TransferMethod>(
                                t,
                                &ptr(&at, "transferMethod"),
                                "transfer method",
                            ),
                        _ => None,
                    }
                })
            }
        };
        let device = match m.get("deviceInfo") {
            None | Some(Value::Null) => Device::default(),
            Some(v) => self.device(v),
        };
        if self.diags.len() > before {
            return None;
        }
        Some(Conditions {
            platform,
            client_app: client_app.unwrap_or(ClientApp::Other),
            ip,
            country,
            sign_in_risk,
            user_risk,
            sp_risk,
            insider,
            flow,
            device,
        })
    }

    fn device(&mut self, v: &Value) -> Device {
        const BASE: &str = "/signInConditions/deviceInfo";
        let mut device = Device::default();
        let Some(m) = self.object(v, BASE) else {
            return device;
        };
        let known: Vec<&str> = Attr::all()
            .map(Attr::name)
            .filter(|n| *n != "deviceOwnership")
            .chain(["ownership", "deviceOwnership"])
            .collect();
        self.known_keys(m, BASE, &known);
        for (key, value) in m {
            if key.starts_with("@odata.") || value.is_null() {
                continue;
            }
            let name = if key == "ownership" {
                "deviceOwnership"
            } else {
                key.as_str()
            };
            let Some(attr) = Attr::from_name(name).filter(|a| a.name() == name) else {
                continue;
            };
            let at = ptr(BASE, key);
            let parsed = match (attr, value) {
                (Attr::IsCompliant, Value::Bool(b)) => Some(DeviceValue::Bool(*b)),
                (Attr::IsCompliant, other) => {
                    self.error(
                        Code::InvalidType,
                        format!("`isCompliant` must be a boolean, found {}", kind_of(other)),
                        &at,
                    );
                    None
                }
                (a, Value::Array(items)) if a.is_collection() => {
                    let mut list = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        match item.as_str() {
                            Some(s) => list.push(s.to_owned()),
                            None => self.error(
                                Code::InvalidType,
                                format!("expected a string, found {}", kind_of(item)),
                                &format!("{at}/{i}"),
                            ),
                        }
                    }
                    Some(DeviceValue::List(list))
                }
                (a, other) if a.is_collection() => {
                    self.error(
                        Code::InvalidType,
                        format!(
                            "`{key}` must be a list of strings, found {}",
                            kind_of(other)
                        ),
                        &at,
                    );
                    None
                }
                (_, Value::String(s)) => Some(DeviceValue::String(s.clone())),
                (_, other) => {
                    self.error(
                        Code::InvalidType,
                        format!("`{key}` must be a string, found {}", kind_of(other)),
                        &at,
                    );
                    None
                }
            };
            if let Some(p) = parsed {
                device.attributes.insert(attr.name().to_owned(), p);
            }
        }
        device.registered = !device.attributes.is_empty();
        device
    }
}

struct Conditions {
    platform: Option<Platform>,
    client_app: ClientApp,
    ip: Option<std::net::IpAddr>,
    country: Option<String>,
    sign_in_risk: RiskLevel,
    user_risk: RiskLevel,
    sp_risk: ServicePrincipalRiskLevel,
    insider: Option<InsiderRiskLevel>,
    flow: Option<TransferMethod>,
    device: Device,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Location;
    use serde_json::json;

    const TENANT: &str = r#"
users:
  alice@contoso.com:
    id: a11ce000-0000-4000-8000-000000000001
    memberOf: [Token Protection Pilot]
    roles: [Global Administrator]
  broken@contoso.com:
    id: b0b00000-0000-4000-8000-000000000002
    memberOf: [No Such Group]
groups:
  Emergency Access: 00000000-0000-4000-8000-00000000e0e1
  Token Protection Pilot: 00000000-0000-4000-8000-0000000070b1
servicePrincipals:
  Payroll Robot: 5e000000-0000-4000-8000-000000000001
externalTenants:
  Partner: 99999999-9999-4999-8999-999999999999
authenticationContexts:
  Sensitive: c1
"#;

    fn tenant() -> Tenant {
        crate::test_support::tenant_from_yaml(TENANT)
    }

    fn ok(v: Value) -> SignIn {
        parse(&v, Some(&tenant())).unwrap_or_else(|d| panic!("{d:#?}"))
    }

    /// `(code, pointer)` of every diagnostic.
    fn errors(v: Value) -> Vec<(&'static str, String)> {
        parse(&v, Some(&tenant()))
            .expect_err("should fail")
            .into_iter()
            .map(|d| match d.location {
                Location::Pointer { pointer, .. } => (d.code, pointer),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn alice(conditions: Value) -> Value {
        json!({
            "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": "alice@contoso.com"},
            "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                              "includeApplications": ["00000003-0000-0ff1-ce00-000000000000"]},
            "signInConditions": conditions,
        })
    }

    // Example 1 of conditionalaccessroot-evaluate, verbatim apart from the user.
    #[test]
    fn graph_example_1() {
        let s = ok(json!({
            "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn",
                               "userId": "15dc174b-f34c-4588-ac45-61d6e05dce93"},
            "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                              "includeApplications": ["00000003-0000-0ff1-ce00-000000000000"]},
            "signInConditions": {
                "devicePlatform": "android", "clientAppType": "browser", "signInRiskLevel": "high",
                "userRiskLevel": "high", "country": "US", "ipAddress": "40.77.182.32",
                "insiderRiskLevel": "elevated", "authenticationFlow": {"transferMethod": "deviceCodeFlow"},
                "deviceInfo": {"isCompliant": true}
            },
            "appliedPoliciesOnly": true
        }));
        assert_eq!(
            s.identity,
            Identity::user("15dc174b-f34c-4588-ac45-61d6e05dce93")
        );
        assert_eq!(
            s.target,
            Target::Applications(vec!["00000003-0000-0ff1-ce00-000000000000".into()])
        );
        assert_eq!(s.platform, Some(Platform::Android));
        assert_eq!(s.client_app, ClientApp::Browser);
        assert_eq!(s.sign_in_risk, RiskLevel::High);
        assert_eq!(s.user_risk, RiskLevel::High);
        assert_eq!(s.service_principal_risk, ServicePrincipalRiskLevel::None);
        assert_eq!(s.country.as_deref(), Some("US"));
        assert_eq!(s.ip, Some("40.77.182.32".parse().unwrap()));
        assert_eq!(s.insider_risk, Some(InsiderRiskLevel::Elevated));
        assert_eq!(s.transfer_method, Some(TransferMethod::DeviceCodeFlow));
        assert!(s.device.registered);
        assert_eq!(s.device.attributes["isCompliant"], DeviceValue::Bool(true));
        assert!(applied_policies_only(&json!({"appliedPoliciesOnly": true})));
        assert!(!applied_policies_only(&json!({})));
    }

    // Names resolve through the tenant file; memberships come from the
    // request (caac extension) or the tenant file's user entry.
    #[test]
    fn names_and_memberships() {
        let s = ok(alice(
            json!({"clientAppType": "mobileAppsAndDesktopClients"}),
        ));
        let Identity::User {
            id, groups, roles, ..
        } = &s.identity
        else {
            panic!("{:?}", s.identity)
        };
        assert_eq!(id, "a11ce000-0000-4000-8000-000000000001");
        assert_eq!(groups, &["00000000-0000-4000-8000-0000000070b1"]);
        assert_eq!(roles, &["62e90394-69f5-4237-9190-012177145e10"]);
        let mut v = alice(json!({"clientAppType": "browser"}));
        v["signInIdentity"]["memberOf"] =
            json!(["Emergency Access", "ABCDEF00-0000-4000-8000-000000000000"]);
        v["signInIdentity"]["directoryRoles"] = json!(["Security Administrator"]);
        v["signInIdentity"]["externalUserType"] = json!("b2bCollaborationGuest");
        v["signInIdentity"]["externalTenantId"] = json!("Partner");
        v["signInContext"]["includeApplications"] =
            json!(["Office 365 Exchange Online", "Microsoft Graph"]);
        let s = ok(v);
        assert_eq!(
            s.identity,
            Identity::User {
                id: "a11ce000-0000-4000-8000-000000000001".into(),
                groups: vec![
                    "00000000-0000-4000-8000-00000000e0e1".into(),
                    "abcdef00-0000-4000-8000-000000000000".into()
                ],
                roles: vec!["194ae4cb-b126-40b2-bd5b-6091b380977d".into()],
                guest_type: Some(GuestOrExternalUserType::B2bCollaborationGuest),
                external_tenant: Some("99999999-9999-4999-8999-999999999999".into()),
            }
        );
        assert_eq!(
            s.target,
            Target::Applications(vec![
                "00000002-0000-0ff1-ce00-000000000000".into(),
                "00000003-0000-0000-c000-000000000000".into()
            ])
        );
    }

    // Example 4 (service principal, no client app type) and the other
    // contexts: userActionContext registerSecurityInformation /
    // registerOrJoinDevices, authContext (conditionalaccessroot-evaluate).
    #[test]
    fn service_principals_and_contexts() {
        let s = ok(json!({
            "signInIdentity": {"@odata.type": "#microsoft.graph.servicePrincipalSignIn",
                               "servicePrincipalId": "Payroll Robot"},
            "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                              "includeApplications": ["00000003-0000-0ff1-ce00-000000000000"]},
            "signInConditions": {"servicePrincipalRiskLevel": "high", "country": "CA", "ipAddress": "40.77.182.32"},
            "appliedPoliciesOnly": true
        }));
        assert_eq!(
            s.identity,
            Identity::ServicePrincipal {
                id: "5e000000-0000-4000-8000-000000000001".into()
            }
        );
        assert_eq!(s.service_principal_risk, ServicePrincipalRiskLevel::High);
        let cases: &[(Value, Target)] = &[
            (
                json!({"@odata.type": "#microsoft.graph.userActionContext", "userAction": "registerSecurityInformation"}),
                Target::UserAction("urn:user:registersecurityinfo".into()),
            ),
            (
                json!({"userAction": "registerOrJoinDevices"}),
                Target::UserAction("urn:user:registerdevice".into()),
            ),
            (
                json!({"@odata.type": "#microsoft.graph.authContext", "authenticationContextValue": "Sensitive"}),
                Target::AuthenticationContext("c1".into()),
            ),
            (
                json!({"authenticationContextValue": "C37"}),
                Target::AuthenticationContext("c37".into()),
            ),
        ];
        for (context, want) in cases {
            let mut v = alice(json!({"clientAppType": "browser"}));
            v["signInContext"] = context.clone();
            assert_eq!(ok(v).target, *want, "{context}");
        }
        // @odata.type may be omitted when the keys say it.
        let s = ok(json!({
            "signInIdentity": {"userId": "alice@contoso.com"},
            "signInContext": {"includeApplications": ["Microsoft Graph"]},
            "signInConditions": {"clientAppType": "other"},
        }));
        assert_eq!(s.client_app, ClientApp::Other);
    }

    // devicePlatform defaults to `all` in Graph (signinconditions): caac
    // reads it as an unidentified platform; deviceInfo `ownership` is the
    // filter's `deviceOwnership` (deviceinfo, concept-condition-filters-for-devices).
    #[test]
    fn platform_client_and_device_mapping() {
        for (platform, want) in [
            (json!(null), None),
            (json!("all"), None),
            (json!("iOS"), Some(Platform::IOS)),
            (json!("ios"), Some(Platform::IOS)),
            (json!("linux"), Some(Platform::Linux)),
        ] {
            let s = ok(alice(
                json!({"clientAppType": "browser", "devicePlatform": platform}),
            ));
            assert_eq!(s.platform, want, "{platform}");
        }
        let s = ok(alice(json!({"clientAppType": "easSupported"})));
        assert_eq!(s.client_app, ClientApp::ExchangeActiveSync);
        let s = ok(alice(json!({
            "clientAppType": "browser", "country": "nl", "ipAddress": " 2001:db8::1 ",
            "deviceInfo": {"@odata.type": "#microsoft.graph.deviceInfo", "ownership": "Company",
                           "systemLabels": ["CloudPC"], "trustType": "AzureAD", "model": null}
        })));
        assert_eq!(s.country.as_deref(), Some("NL"));
        assert_eq!(s.ip, Some("2001:db8::1".parse().unwrap()));
        assert!(s.device.registered);
        assert_eq!(
            s.device.attributes.keys().collect::<Vec<_>>(),
            ["deviceOwnership", "systemLabels", "trustType"]
        );
        assert_eq!(
            s.device.attributes["systemLabels"],
            DeviceValue::List(vec!["CloudPC".into()])
        );
        let s = ok(alice(json!({"clientAppType": "browser", "deviceInfo": {}})));
        assert!(!s.device.registered);
    }

    #[test]
    fn positioned_errors() {
        type Case = (Value, &'static [(&'static str, &'static str)]);
        let cases: Vec<Case> = vec![
            (json!([]), &[("invalid-type", "")]),
            (json!({}), &[("missing-field", ""), ("missing-field", "")]),
            (
                {
                    let mut v = alice(json!({"clientAppType": "browser"}));
                    v["signInConditon"] = json!({});
                    v
                },
                &[("unknown-field", "/signInConditon")],
            ),
            (alice(json!({})), &[("missing-field", "/signInConditions")]),
            (
                alice(json!({"clientAppType": "all"})),
                &[("invalid-value", "/signInConditions/clientAppType")],
            ),
            (
                alice(json!({"clientAppType": "web"})),
                &[("invalid-value", "/signInConditions/clientAppType")],
            ),
            (
                alice(
                    json!({"clientAppType": "browser", "ipAddress": "300.1.1.1", "country": "NLD"}),
                ),
                &[
                    ("invalid-value", "/signInConditions/country"),
                    ("invalid-value", "/signInConditions/ipAddress"),
                ],
            ),
            (
                alice(
                    json!({"clientAppType": "browser", "signInRiskLevel": "extreme", "devicePlatform": "chromeOS"}),
                ),
                &[
                    ("invalid-value", "/signInConditions/devicePlatform"),
                    ("invalid-value", "/signInConditions/signInRiskLevel"),
                ],
            ),
            (
                alice(
                    json!({"clientAppType": "browser", "deviceInfo": {"isCompliant": "yes", "trustTyp": "AzureAD", "systemLabels": "CloudPC"}}),
                ),
                &[
                    ("unknown-field", "/signInConditions/deviceInfo/trustTyp"),
                    ("invalid-type", "/signInConditions/deviceInfo/isCompliant"),
                    ("invalid-type", "/signInConditions/deviceInfo/systemLabels"),
                ],
            ),
            (
                alice(
                    json!({"clientAppType": "browser", "authenticationFlow": {"transferMethod": "qr"}}),
                ),
                &[(
                    "invalid-value",
                    "/signInConditions/authenticationFlow/transferMethod",
                )],
            ),
            (
                {
                    let mut v = alice(json!({"clientAppType": "browser"}));
                    v["signInIdentity"]["userId"] = json!("mallory@contoso.com");
                    v["signInIdentity"]["memberOf"] = json!(["Emergency Acess", 7]);
                    v["signInIdentity"]["externalUserType"] =
                        json!("internalGuest,serviceProvider");
                    v
                },
                &[
                    ("unknown-name", "/signInIdentity/userId"),
                    ("invalid-value", "/signInIdentity/externalUserType"),
                    ("invalid-type", "/signInIdentity/memberOf/1"),
                    ("unknown-name", "/signInIdentity/memberOf/0"),
                ],
            ),
            (
                {
                    let mut v = alice(json!({"clientAppType": "browser"}));
                    v["signInIdentity"]["userId"] = json!("All");
                    v["signInContext"]["includeApplications"] = json!(["Office365", "No Such App"]);
                    v
                },
                &[
                    ("invalid-value", "/signInIdentity/userId"),
                    ("invalid-value", "/signInContext/includeApplications/0"),
                    ("unknown-name", "/signInContext/includeApplications/1"),
                ],
            ),
            (
                {
                    let mut v = alice(json!({"clientAppType": "browser"}));
                    v["signInIdentity"] = json!({"@odata.type": "#microsoft.graph.agentSignIn", "agentServicePrincipalId": "x"});
                    v["signInContext"] = json!({"userAction": "resetPassword"});
                    v
                },
                &[
                    ("invalid-value", "/signInIdentity/@odata.type"),
                    ("invalid-value", "/signInContext/userAction"),
                ],
            ),
            (
                {
                    let mut v = alice(json!({"clientAppType": "browser"}));
                    v["signInIdentity"]["userId"] = json!("broken@contoso.com");
                    v["appliedPoliciesOnly"] = json!("yes");
                    v
                },
                &[
                    ("invalid-type", "/appliedPoliciesOnly"),
                    ("unknown-name", "/signInIdentity/userId"),
                ],
            ),
        ];
        for (v, want) in cases {
            let got = errors(v.clone());
            let want: Vec<(&str, String)> =
                want.iter().map(|(c, p)| (*c, (*p).to_owned())).collect();
            assert_eq!(got, want, "{v}");
        }
        // Did-you-mean help on unknown keys and enum values.
        let mut v = alice(json!({"clientAppType": "browser", "devicePlatfrom": "windows"}));
        v["signInContext"]["includeApplications"] = json!(["Office365"]);
        let d = parse(&v, Some(&tenant())).unwrap_err();
        assert!(
            d[0].help.as_deref().unwrap().contains("what-if-tool"),
            "{:?}",
            d[0]
        );
        assert_eq!(d[1].help.as_deref(), Some("did you mean `devicePlatform`?"));
        let d = parse(&alice(json!({"clientAppType": "browzer"})), Some(&tenant())).unwrap_err();
        assert!(
            d.iter()
                .any(|d| d.help.as_deref() == Some("did you mean `browser`?")),
            "{d:?}"
        );
    }

    /// Request → evaluate → output, with the starter Token Protection policy.
    #[test]
    fn end_to_end_token_protection() {
        let t = tenant();
        let p = crate::test_support::from_yaml(include_str!(
            "../../policies/CA410-TokenProtection-ExchangeSharePoint-Windows.yaml"
        ));
        let (p, diags) = crate::resolve::resolve(&p, Some(&t));
        assert!(diags.is_empty(), "{diags:?}");
        let refs = [super::super::PolicyRef {
            name: &p.display_name,
            policy: &p,
        }];
        let request = |client: &str| {
            json!({
                "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": "alice@contoso.com"},
                "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                                  "includeApplications": ["Office 365 Exchange Online"]},
                "signInConditions": {"devicePlatform": "windows", "clientAppType": client},
            })
        };
        let desktop = parse(&request("mobileAppsAndDesktopClients"), Some(&t)).unwrap();
        let out = super::super::evaluate(&refs, Some(&t), &desktop);
        let v = super::super::output::to_json(&out);
        assert_eq!(v["value"][0]["policyApplies"], true);
        assert_eq!(v["value"][0]["analysisReasons"], "notSet");
        assert_eq!(v["value"][0]["state"], "enabledForReportingButNotEnforced");
        assert_eq!(v["result"]["reportOnly"], json!([p.display_name]));
        assert_eq!(v["result"]["access"], "allow");
        let browser = parse(&request("browser"), Some(&t)).unwrap();
        let out = super::super::evaluate(&refs, Some(&t), &browser);
        let v = super::super::output::to_json(&out);
        assert_eq!(v["value"][0]["policyApplies"], false);
        assert_eq!(v["value"][0]["analysisReasons"], "clientApps");
    }
}
