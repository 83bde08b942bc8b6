//! Sign-in logs: reading them ([`read`]), turning each record into the
//! what-if engine's [`SignIn`] ([`Record::from_fields`], [`Record::sign_in`]),
//! group and role memberships from a file ([`members`]), and replaying them
//! against policy sets ([`replay`]).
//!
//! Contract: a record is read from Graph's `signIn` resource
//! (<https://learn.microsoft.com/graph/api/resources/signin>, v1.0 and beta,
//! camelCase) or a Log Analytics / Sentinel row of the `SigninLogs`
//! (<https://learn.microsoft.com/azure/azure-monitor/reference/tables/signinlogs>)
//! or `AADNonInteractiveUserSignInLogs`
//! (<https://learn.microsoft.com/azure/azure-monitor/reference/tables/aadnoninteractiveusersigninlogs>)
//! table (PascalCase; nested fields may be JSON strings, as in a CSV export).
//! A record caac cannot evaluate is skipped with the reason; a fact the log
//! does not carry is never guessed: the policies whose verdict depends on it
//! are "unknown" for that record ([`Missing`]).
//!
//! # Mapping, field by field
//!
//! | engine request | Graph `signIn` | Log Analytics column | notes |
//! |---|---|---|---|
//! | sign-in id | `id` | `Id` | required |
//! | user id | `userId` | `UserId` | required for a user sign-in |
//! | guest or member | `userType` (`member`, `guest`, beta) | `UserType` | "Identifies whether the user is a member or guest in the tenant" (beta signIn page). A guest, or a member signing in across tenants (`crossTenantAccessType` not `none`), is an external user whose exact `externalUserType` the log does not give: policies that select specific guest or external user types are unknown for it (**caac decision**) |
//! | external tenant | `homeTenantId` (beta) | `HomeTenantId` | for `externalTenants` |
//! | service principal | `servicePrincipalId` with `signInEventTypes` containing `servicePrincipal`, or with no `userId` | `ServicePrincipalId` (`AADServicePrincipalSignInLogs`) | a workload identity sign-in, matched against `clientApplications` (<https://learn.microsoft.com/entra/identity/conditional-access/workload-identity>) |
//! | managed identity | `signInEventTypes` containing `managedIdentity` | `AADManagedIdentitySignInLogs` | skipped and counted: "Managed identities aren't covered by policy" (same page) |
//! | target application | `conditionalAccessAudiences[].applicationId` (beta: "the audience that Conditional Access evaluated during a sign-in event"), else `resourceId` | `ConditionalAccessAudiences`, else `ResourceIdentity` | Conditional Access targets the resources being accessed, not the client, and applies when any requested one is in scope (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps>); `appId` is the client and is only reported |
//! | client app type | `clientAppUsed` | `ClientAppUsed` | `Browser` → browser, `Mobile Apps and Desktop clients` → mobileAppsAndDesktopClients, `Exchange ActiveSync` → exchangeActiveSync, the legacy protocols the Conditions page lists under "Other clients" (Authenticated SMTP, Autodiscover, Exchange Online PowerShell, Exchange Web Services, IMAP4, MAPI over HTTP, Offline Address Book, Outlook Anywhere, POP3, Reporting Web Services, Universal Outlook, "Other clients") → other (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps>); anything else skips the record (never guessed) |
//! | device platform | `deviceDetail.operatingSystem` | `DeviceDetail.operatingSystem` | by name prefix (Windows Phone, Windows, iOS/iPadOS, macOS, Android, Linux); anything else is a platform Conditional Access cannot identify (`None`), which only "any device" matches (Conditions page) |
//! | device registered, `deviceId` | `deviceDetail.deviceId` | `DeviceDetail.deviceId` | a non-empty device id is a device registered in Microsoft Entra ID (**caac decision**) |
//! | `trustType` | `deviceDetail.trustType` | same | "Workplace Joined, AzureAD Joined, Domain Joined" (deviceDetail page) → device-filter values `Workplace`, `AzureAD`, `ServerAD` (<https://learn.microsoft.com/entra/identity/conditional-access/concept-condition-filters-for-devices>) |
//! | `isCompliant` | `deviceDetail.isCompliant` | same | |
//! | `isManaged` | `deviceDetail.isManaged` | same | reported only: device filters have no such attribute |
//! | IP address | `ipAddress` | `IPAddress` | |
//! | country | `location.countryOrRegion` | `LocationDetails.countryOrRegion`, else `Location` | two-letter code |
//! | sign-in risk | `riskLevelDuringSignIn` | `RiskLevelDuringSignIn` | `hidden` ("wasn't enabled for Identity Protection") and absent make sign-in-risk policies unknown |
//! | user risk | — | — | not in a sign-in record: user-risk policies are unknown |
//! | insider / service principal risk | — | — | not in a sign-in record: those policies are unknown |
//! | authentication flow | `originalTransferMethod` (beta), else `authenticationProtocol` `deviceCode` / `authenticationTransfer` | `OriginalTransferMethod`, `AuthenticationProtocol` | when neither field is present, authentication-flow policies are unknown |
//! | user agent | `userAgent` (beta) | `UserAgent` | reported; recognises clients Token Protection does not support ([`readiness::UNSUPPORTED`]) |
//! | interactive | `isInteractive` | `IsInteractive` (or the table, `Type`) | reported (interactive and non-interactive sign-ins are evaluated alike) |
//! | token binding | `tokenProtectionStatusDetails` (`signInSessionStatus`, `signInSessionStatusCode`) | `TokenProtectionStatusDetails` | for readiness ([`readiness`]), <https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection> |
//! | Entra's verdicts | `appliedConditionalAccessPolicies[]` (`id`, `displayName`, `result`) | `ConditionalAccessPolicies` | for the self-check ([`replay`]) |
//!
//! The Entra admin center's CSV download has its own column names; each row
//! is turned into the Graph fields above first ([`admin_center`], mapping
//! and sources there).
//!
//! Groups and directory roles are not in sign-in logs: they come from a
//! members file ([`members`]) or the policies using them are unknown.

pub mod admin_center;
pub mod clients;
pub mod kql;
pub mod members;
pub mod read;
pub mod readiness;
pub mod replay;

use crate::model::{GuestOrExternalUserType, Platform, RiskLevel, TransferMethod, Wire};
use crate::whatif::{ClientApp, Device, DeviceValue, Identity, SignIn, Target};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// One sign-in record, normalised from either dialect.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// The sign-in id.
    pub id: String,
    /// The user's object id (user sign-ins).
    pub user_id: Option<String>,
    /// The user principal name, for reports.
    pub user_principal_name: Option<String>,
    /// `member` / `guest`.
    pub user_type: Option<String>,
    /// `crossTenantAccessType` (`none`, `b2bCollaboration`, …).
    pub cross_tenant: Option<String>,
    /// The user's home tenant.
    pub home_tenant: Option<String>,
    /// A service principal sign-in: its object id.
    pub service_principal_id: Option<String>,
    /// A managed identity sign-in (`signInEventTypes` `managedIdentity`, or
    /// the `AADManagedIdentitySignInLogs` table).
    pub managed_identity: bool,
    /// The client application id.
    pub app_id: Option<String>,
    /// The client application name.
    pub app_name: Option<String>,
    /// `userAgent` (beta) / `UserAgent`: for recognising clients
    /// ([`readiness::UNSUPPORTED`]).
    pub user_agent: Option<String>,
    /// The resource (target) application id.
    pub resource_id: Option<String>,
    /// `conditionalAccessAudiences` (beta): the application ids Conditional
    /// Access evaluated; empty when not logged.
    pub audiences: Vec<String>,
    /// `clientAppUsed` as logged.
    pub client_app_used: Option<String>,
    /// `deviceDetail.operatingSystem`.
    pub operating_system: Option<String>,
    /// `deviceDetail.deviceId`.
    pub device_id: Option<String>,
    /// `deviceDetail.displayName`.
    pub device_name: Option<String>,
    /// `deviceDetail.trustType`.
    pub trust_type: Option<String>,
    /// `deviceDetail.isCompliant`.
    pub is_compliant: Option<bool>,
    /// `deviceDetail.isManaged`.
    pub is_managed: Option<bool>,
    /// `ipAddress`.
    pub ip_address: Option<String>,
    /// `location.countryOrRegion`.
    pub country: Option<String>,
    /// `riskLevelDuringSignIn`.
    pub sign_in_risk: Option<String>,
    /// `authenticationProtocol`.
    pub authentication_protocol: Option<String>,
    /// `originalTransferMethod`.
    pub original_transfer_method: Option<String>,
    /// `isInteractive`.
    pub interactive: Option<bool>,
    /// `tokenProtectionStatusDetails.signInSessionStatus` (`bound`, `unbound`).
    pub session_status: Option<String>,
    /// `tokenProtectionStatusDetails.signInSessionStatusCode`.
    pub session_status_code: Option<i64>,
    /// Entra's per-policy results.
    pub applied: Vec<Applied>,
}

/// One entry of `appliedConditionalAccessPolicies`
/// (<https://learn.microsoft.com/graph/api/resources/appliedconditionalaccesspolicy>).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applied {
    /// The policy id.
    pub id: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// `success`, `failure`, `notApplied`, `notEnabled`, `reportOnly…`, `unknown`.
    pub result: String,
}

/// Facts a record does not carry, each deciding some policies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Missing {
    /// Group and role membership (no members file entry).
    pub membership: bool,
    /// The exact guest or external user type.
    pub guest_type: bool,
    /// User risk.
    pub user_risk: bool,
    /// Sign-in risk (`hidden` or absent).
    pub sign_in_risk: bool,
    /// The authentication flow.
    pub flow: bool,
    /// Location (no IP address and no country).
    pub location: bool,
}

/// One sign-in field in its two spellings: Graph's `signIn` property and
/// the Log Analytics column (the table above). [`Record::from_fields`]
/// reads a record by these names and [`kql`] reads the same columns in
/// Log Analytics, so the offline replay and the query cannot read different
/// fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The Graph `signIn` property (camelCase).
    pub graph: &'static str,
    /// The Log Analytics column (`SigninLogs`,
    /// `AADNonInteractiveUserSignInLogs`).
    pub column: &'static str,
}

impl Field {
    /// Both spellings, Graph's first.
    pub const fn names(&self) -> [&'static str; 2] {
        [self.graph, self.column]
    }
}

/// The fields the mapping reads (see the module docs' table).
pub mod field {
    use super::Field;

    const fn f(graph: &'static str, column: &'static str) -> Field {
        Field { graph, column }
    }

    /// The sign-in id.
    pub const ID: Field = f("id", "Id");
    /// The user's object id.
    pub const USER_ID: Field = f("userId", "UserId");
    /// The user principal name (reports).
    pub const USER_PRINCIPAL_NAME: Field = f("userPrincipalName", "UserPrincipalName");
    /// `member` / `guest`.
    pub const USER_TYPE: Field = f("userType", "UserType");
    /// `crossTenantAccessType`.
    pub const CROSS_TENANT: Field = f("crossTenantAccessType", "CrossTenantAccessType");
    /// The user's home tenant.
    pub const HOME_TENANT: Field = f("homeTenantId", "HomeTenantId");
    /// A service principal sign-in's object id.
    pub const SERVICE_PRINCIPAL_ID: Field = f("servicePrincipalId", "ServicePrincipalId");
    /// The client application id.
    pub const APP_ID: Field = f("appId", "AppId");
    /// The client application name.
    pub const APP_NAME: Field = f("appDisplayName", "AppDisplayName");
    /// The resource (target) application id.
    pub const RESOURCE_ID: Field = f("resourceId", "ResourceIdentity");
    /// The audiences Conditional Access evaluated (beta; `SigninLogs` only).
    pub const AUDIENCES: Field = f("conditionalAccessAudiences", "ConditionalAccessAudiences");
    /// The client app type as logged.
    pub const CLIENT_APP_USED: Field = f("clientAppUsed", "ClientAppUsed");
    /// The device (object; a JSON string in `AADNonInteractiveUserSignInLogs`).
    pub const DEVICE_DETAIL: Field = f("deviceDetail", "DeviceDetail");
    /// `deviceDetail.operatingSystem`.
    pub const DEVICE_OS: &str = "operatingSystem";
    /// `deviceDetail.deviceId`.
    pub const DEVICE_ID: &str = "deviceId";
    /// The IP address.
    pub const IP_ADDRESS: Field = f("ipAddress", "IPAddress");
    /// The location (object; a JSON string in `AADNonInteractiveUserSignInLogs`).
    pub const LOCATION: Field = f("location", "LocationDetails");
    /// `location.countryOrRegion`.
    pub const LOCATION_COUNTRY: &str = "countryOrRegion";
    /// The Log Analytics country column read when `LocationDetails` has none.
    pub const LOCATION_FALLBACK: &str = "Location";
    /// `riskLevelDuringSignIn`.
    pub const SIGN_IN_RISK: Field = f("riskLevelDuringSignIn", "RiskLevelDuringSignIn");
    /// `authenticationProtocol`.
    pub const AUTHENTICATION_PROTOCOL: Field =
        f("authenticationProtocol", "AuthenticationProtocol");
    /// `originalTransferMethod` (beta).
    pub const ORIGINAL_TRANSFER_METHOD: Field =
        f("originalTransferMethod", "OriginalTransferMethod");

    /// Every top-level field the engine's request is built from.
    pub const ALL: [Field; 17] = [
        ID,
        USER_ID,
        USER_PRINCIPAL_NAME,
        USER_TYPE,
        CROSS_TENANT,
        HOME_TENANT,
        SERVICE_PRINCIPAL_ID,
        APP_ID,
        APP_NAME,
        RESOURCE_ID,
        AUDIENCES,
        CLIENT_APP_USED,
        DEVICE_DETAIL,
        IP_ADDRESS,
        LOCATION,
        SIGN_IN_RISK,
        AUTHENTICATION_PROTOCOL,
    ];
}

/// A sorted list of names, and a look-up `fn(&str) -> Option<&'static str>`
/// made from the same list: a `match`, which the compiler turns into a
/// switch on the length and a few fixed-size compares (the reader asks it
/// for every key of every record; a binary search cost a `memcmp` call per
/// step).
macro_rules! name_set {
    (
        $(#[$m:meta])* $vis:vis const $name:ident, fn $f:ident, fn $index:ident
        = [$($s:literal),* $(,)?];
    ) => {
        $(#[$m])*
        $vis const $name: &[&str] = &[$($s),*];

        /// The name as it is spelled in the list, when it is one of them.
        #[inline]
        pub(crate) fn $f(s: &str) -> Option<&'static str> {
            match s {
                $($s => Some($s),)*
                _ => None,
            }
        }

        /// The name's position in the list, when it is one of them.
        #[inline]
        #[allow(dead_code)]
        fn $index(s: &str) -> Option<usize> {
            match s {
                $($s => Some(const { position($name, $s) }),)*
                _ => None,
            }
        }
    };
}

/// Where `name` is in `list` (at compile time, for [`name_set!`]).
const fn position(list: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < list.len() {
        let (a, b) = (list[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not in the list")
}

name_set! {
    /// Every record field [`Record::from_fields`] reads, in both spellings,
    /// sorted (byte order): the reader
    /// ([`read::Keep::Known`]) keeps these and drops the rest.
    /// `from_fields` reads no other name (the test
    /// `read::tests::fast_path_maps_every_fixture_as_before` compares the two
    /// over every fixture).
    pub const FIELDS, fn field_name, fn field_index = [
        "AppDisplayName",
        "AppId",
        "AppliedConditionalAccessPolicies",
        "AuthenticationProtocol",
        "Category",
        "ClientAppUsed",
        "ConditionalAccessAudiences",
        "ConditionalAccessPolicies",
        "CrossTenantAccessType",
        "DeviceDetail",
        "HomeTenantId",
        "IPAddress",
        "Id",
        "IsInteractive",
        "Location",
        "LocationDetails",
        "OriginalTransferMethod",
        "ResourceIdentity",
        "RiskLevelDuringSignIn",
        "ServicePrincipalId",
        "TokenProtectionStatusDetails",
        "Type",
        "UserAgent",
        "UserId",
        "UserPrincipalName",
        "UserType",
        "appDisplayName",
        "appId",
        "appliedConditionalAccessPolicies",
        "authenticationProtocol",
        "clientAppUsed",
        "conditionalAccessAudiences",
        "crossTenantAccessType",
        "deviceDetail",
        "homeTenantId",
        "id",
        "ipAddress",
        "isInteractive",
        "location",
        "originalTransferMethod",
        "resourceId",
        "riskLevelDuringSignIn",
        "servicePrincipalId",
        "signInEventTypes",
        "tokenProtectionStatusDetails",
        "userAgent",
        "userId",
        "userPrincipalName",
        "userType",
    ];
}

name_set! {
    /// The members [`Record::from_fields`] reads inside nested objects, sorted,
    /// (`deviceDetail`, `location`, `appliedConditionalAccessPolicies[]`,
    /// `tokenProtectionStatusDetails`, `conditionalAccessAudiences[]`).
    pub const NESTED_FIELDS, fn nested_field_name, fn nested_field_index = [
        "applicationId",
        "countryOrRegion",
        "deviceId",
        "displayName",
        "id",
        "isCompliant",
        "isManaged",
        "operatingSystem",
        "result",
        "signInSessionStatus",
        "signInSessionStatusCode",
        "trustType",
    ];
}

/// Where [`get`] looks a name up: a map, or a record's [`Slots`].
trait Lookup<'v> {
    fn lookup(&self, name: &str) -> Option<&'v Value>;
}

impl<'v> Lookup<'v> for &'v Map<String, Value> {
    fn lookup(&self, name: &str) -> Option<&'v Value> {
        self.get(name)
    }
}

/// A record's fields of [`FIELDS`], found in one pass over the record:
/// `from_fields` asks for some forty names, and a look-up in the map
/// hashes the name each time.
struct Slots<'v> {
    map: &'v Map<String, Value>,
    slots: [Option<&'v Value>; FIELDS.len()],
}

impl<'v> Slots<'v> {
    fn new(map: &'v Map<String, Value>) -> Slots<'v> {
        let mut slots = [None; FIELDS.len()];
        for (k, v) in map {
            if let Some(i) = field_index(k) {
                slots[i] = Some(v);
            }
        }
        Slots { map, slots }
    }
}

impl<'v> Lookup<'v> for &Slots<'v> {
    fn lookup(&self, name: &str) -> Option<&'v Value> {
        match field_index(name) {
            Some(i) => self.slots[i],
            // A name outside the list: the map itself.
            None => self.map.get(name),
        }
    }
}

/// Field names in the Graph (camelCase) and Log Analytics (PascalCase) spellings.
fn get<'v>(m: impl Lookup<'v>, names: &[&str]) -> Option<&'v Value> {
    names
        .iter()
        .find_map(|n| m.lookup(n))
        .filter(|v| !v.is_null())
}

fn text<'v>(m: impl Lookup<'v>, names: &[&str]) -> Option<String> {
    match get(m, names)? {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `s` in ASCII lower case, in place (`text` has made a copy already).
fn lower(mut s: String) -> String {
    s.make_ascii_lowercase();
    s
}

fn boolean<'v>(m: impl Lookup<'v>, names: &[&str]) -> Option<bool> {
    match get(m, names)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A nested object, also when a CSV export holds it as a JSON string:
/// borrowed from the record when it is one already (no copy of a list of
/// applied policies per record), parsed when it is a string.
fn nested<'v>(m: impl Lookup<'v>, names: &[&str]) -> Result<Option<Cow<'v, Value>>, String> {
    match get(m, names) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        // Only the members `from_fields` reads are built (a CSV cell such as
        // ConditionalAccessPolicies holds much more).
        Some(Value::String(s)) => read::parse_nested(s)
            .map(|v| Some(Cow::Owned(v)))
            .map_err(|e| format!("`{}` is not valid JSON: {e}", names[names.len() - 1])),
        Some(v) => Ok(Some(Cow::Borrowed(v))),
    }
}

impl Record {
    /// Reads a record from its fields (either spelling). `Err` names the
    /// field that makes it unreadable.
    pub fn from_fields(m: &Map<String, Value>) -> Result<Record, String> {
        let slots = Slots::new(m);
        let m = &slots;
        let id = text(m, &field::ID.names())
            .ok_or("no sign-in `id` (`id` / `Id`): export the whole record")?;
        let device = nested(m, &field::DEVICE_DETAIL.names())?;
        let device = device.as_deref().and_then(Value::as_object);
        let location = nested(m, &field::LOCATION.names())?;
        let location = location.as_deref().and_then(Value::as_object);
        let applied = nested(
            m,
            &[
                "appliedConditionalAccessPolicies",
                "ConditionalAccessPolicies",
                "AppliedConditionalAccessPolicies",
            ],
        )?;
        let mut applied_out = Vec::new();
        if let Some(list) = applied.as_deref().and_then(Value::as_array) {
            for a in list {
                let Some(a) = a.as_object() else { continue };
                applied_out.push(Applied {
                    id: text(a, &["id"]).map(lower),
                    display_name: text(a, &["displayName"]),
                    result: text(a, &["result"]).unwrap_or_default(),
                });
            }
        }
        let event_types = get(m, &["signInEventTypes"]).and_then(Value::as_array);
        let table = text(m, &["Type", "Category"]);
        let has_event =
            |name: &str| event_types.is_some_and(|t| t.iter().any(|v| v.as_str() == Some(name)));
        let table_is = |name: &str| {
            table
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(name))
        };
        let managed_identity =
            has_event("managedIdentity") || table_is("AADManagedIdentitySignInLogs");
        let user_id = text(m, &field::USER_ID.names()).map(lower);
        // A service principal sign-in says so, or names a service principal and no user.
        let sp_event = has_event("servicePrincipal")
            || table_is("AADServicePrincipalSignInLogs")
            || (user_id.is_none() && !managed_identity);
        let dev = |names: &[&str]| device.and_then(|d| text(d, names));
        let tp = nested(
            m,
            &[
                "tokenProtectionStatusDetails",
                "TokenProtectionStatusDetails",
            ],
        )?;
        let tp = tp.as_deref().and_then(Value::as_object);
        // Objects (`{"applicationId": …}`, as Graph beta returns them) or strings.
        let audiences = nested(m, &field::AUDIENCES.names())?
            .as_deref()
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| {
                        x.get("applicationId")
                            .and_then(Value::as_str)
                            .or(x.as_str())
                    })
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Record {
            id,
            user_id,
            managed_identity,
            user_principal_name: text(m, &field::USER_PRINCIPAL_NAME.names()),
            user_type: text(m, &field::USER_TYPE.names()),
            cross_tenant: text(m, &field::CROSS_TENANT.names()),
            home_tenant: text(m, &field::HOME_TENANT.names()).map(lower),
            service_principal_id: if sp_event {
                text(m, &field::SERVICE_PRINCIPAL_ID.names()).map(lower)
            } else {
                None
            },
            app_id: text(m, &field::APP_ID.names()).map(lower),
            app_name: text(m, &field::APP_NAME.names()),
            user_agent: text(m, &["userAgent", "UserAgent"]),
            audiences,
            resource_id: text(m, &field::RESOURCE_ID.names()).map(lower),
            client_app_used: text(m, &field::CLIENT_APP_USED.names()),
            operating_system: dev(&[field::DEVICE_OS]),
            device_id: dev(&[field::DEVICE_ID]),
            device_name: dev(&["displayName"]),
            trust_type: dev(&["trustType"]),
            is_compliant: device.and_then(|d| boolean(d, &["isCompliant"])),
            is_managed: device.and_then(|d| boolean(d, &["isManaged"])),
            ip_address: text(m, &field::IP_ADDRESS.names()),
            country: location
                .and_then(|l| text(l, &[field::LOCATION_COUNTRY]))
                .or_else(|| text(m, &[field::LOCATION_FALLBACK]))
                .map(|mut c| {
                    c.make_ascii_uppercase();
                    c
                }),
            sign_in_risk: text(m, &field::SIGN_IN_RISK.names()),
            authentication_protocol: text(m, &field::AUTHENTICATION_PROTOCOL.names()),
            original_transfer_method: text(m, &field::ORIGINAL_TRANSFER_METHOD.names()),
            interactive: boolean(m, &["isInteractive", "IsInteractive"]).or_else(|| {
                table.as_deref().and_then(|t| {
                    if t.eq_ignore_ascii_case("SigninLogs") {
                        Some(true)
                    } else if t.eq_ignore_ascii_case("AADNonInteractiveUserSignInLogs") {
                        Some(false)
                    } else {
                        None
                    }
                })
            }),
            session_status: tp.and_then(|t| text(t, &["signInSessionStatus"])),
            session_status_code: tp.and_then(|t| match t.get("signInSessionStatusCode") {
                Some(Value::Number(n)) => n.as_i64(),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            }),
            applied: applied_out,
        })
    }

    /// The engine's request for this record (memberships empty: the caller
    /// adds them) and the facts it lacks. `Err` says why it cannot be
    /// evaluated.
    pub fn sign_in(&self) -> Result<(SignIn, Missing), String> {
        let mut missing = Missing::default();
        if self.managed_identity {
            // "Managed identities aren't covered by policy"
            // (https://learn.microsoft.com/entra/identity/conditional-access/workload-identity).
            return Err(MANAGED_IDENTITY.into());
        }
        let target = match &self.resource_id {
            _ if !self.audiences.is_empty() => Target::Applications(self.audiences.clone()),
            Some(r) => Target::Applications(vec![r.clone()]),
            None => {
                return Err(
                    "no resource id (`resourceId` / `ResourceIdentity`): include that column in the export"
                        .into(),
                );
            }
        };
        if let Some(sp) = &self.service_principal_id {
            let mut s = SignIn::new(
                Identity::ServicePrincipal { id: sp.clone() },
                target,
                ClientApp::MobileAppsAndDesktopClients,
            );
            s.ip = self.ip_address.as_deref().and_then(|i| i.parse().ok());
            s.country = self.country.clone();
            missing.location = s.ip.is_none() && s.country.is_none();
            return Ok((s, missing));
        }
        let Some(user) = &self.user_id else {
            return Err(
                "no user id (`userId` / `UserId`) and not a service principal sign-in".into(),
            );
        };
        let client = match &self.client_app_used {
            Some(c) => client_app(c).ok_or_else(|| {
                format!(
                    "unknown clientAppUsed `{c}`: caac reads Browser, Mobile Apps and Desktop clients, Exchange ActiveSync and the legacy clients the Conditions page lists (learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps)"
                )
            })?,
            None => {
                return Err(
                    "no `clientAppUsed`: include the clientAppUsed / ClientAppUsed column in the export"
                        .into(),
                );
            }
        };
        let external = self
            .user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
            || self
                .cross_tenant
                .as_deref()
                .is_some_and(|c| !c.eq_ignore_ascii_case("none"));
        // The exact type is not logged; B2B collaboration guest stands in and
        // type-specific guest selections are unknown (see the module docs).
        let guest_type = external.then_some(GuestOrExternalUserType::B2bCollaborationGuest);
        missing.guest_type = external;
        missing.membership = true;
        missing.user_risk = true;
        let mut s = SignIn::new(
            Identity::User {
                id: user.clone(),
                groups: Vec::new(),
                roles: Vec::new(),
                guest_type,
                external_tenant: self.home_tenant.clone(),
            },
            target,
            client,
        );
        s.platform = self.operating_system.as_deref().and_then(platform);
        s.ip = self.ip_address.as_deref().and_then(|i| i.parse().ok());
        s.country = self.country.clone();
        missing.location = s.ip.is_none() && s.country.is_none();
        match self
            .sign_in_risk
            .as_deref()
            .and_then(RiskLevel::parse_loose)
        {
            Some(RiskLevel::Hidden) | None => missing.sign_in_risk = true,
            Some(r) => s.sign_in_risk = r,
        }
        match (
            self.original_transfer_method.as_deref(),
            self.authentication_protocol.as_deref(),
        ) {
            (None, None) => missing.flow = true,
            (Some(t), _) if !t.eq_ignore_ascii_case("none") => {
                s.transfer_method = TransferMethod::parse_loose(t);
            }
            (Some(_), _) => {}
            (None, Some(p)) => {
                if p.eq_ignore_ascii_case("deviceCode") {
                    s.transfer_method = Some(TransferMethod::DeviceCodeFlow);
                } else if p.eq_ignore_ascii_case("authenticationTransfer") {
                    s.transfer_method = Some(TransferMethod::AuthenticationTransfer);
                }
            }
        }
        s.device = self.device();
        Ok((s, missing))
    }

    fn device(&self) -> Device {
        let Some(id) = &self.device_id else {
            return Device::default();
        };
        let mut d = Device {
            registered: true,
            ..Device::default()
        };
        d.attributes
            .insert("deviceId".into(), DeviceValue::String(id.clone()));
        if let Some(n) = &self.device_name {
            d.attributes
                .insert("displayName".into(), DeviceValue::String(n.clone()));
        }
        if let Some(t) = self.trust_type.as_deref().and_then(trust_type) {
            d.attributes
                .insert("trustType".into(), DeviceValue::String(t.into()));
        }
        if let Some(c) = self.is_compliant {
            d.attributes
                .insert("isCompliant".into(), DeviceValue::Bool(c));
        }
        d
    }

    /// Who signed in, for reports: the UPN, else the object id.
    pub fn who(&self) -> String {
        self.user_principal_name
            .clone()
            .or_else(|| self.user_id.clone())
            .or_else(|| {
                self.service_principal_id
                    .clone()
                    .map(|s| format!("service principal {s}"))
            })
            .unwrap_or_default()
    }
}

/// Why a managed identity sign-in is not evaluated.
pub const MANAGED_IDENTITY: &str = "managed identity sign-in: \"Managed identities aren't covered by policy\" (learn.microsoft.com/entra/identity/conditional-access/workload-identity)";

/// `clientAppUsed` values (lower case) → client app type (sources in the
/// module docs). [`client_app`] and the KQL query ([`kql`]) both read this
/// table.
pub const CLIENT_APPS: [(&str, ClientApp); 19] = [
    ("browser", ClientApp::Browser),
    (
        "mobile apps and desktop clients",
        ClientApp::MobileAppsAndDesktopClients,
    ),
    ("modern clients", ClientApp::MobileAppsAndDesktopClients),
    ("exchange activesync", ClientApp::ExchangeActiveSync),
    ("authenticated smtp", ClientApp::Other),
    ("smtp", ClientApp::Other),
    ("autodiscover", ClientApp::Other),
    ("exchange online powershell", ClientApp::Other),
    ("exchange web services", ClientApp::Other),
    ("imap4", ClientApp::Other),
    ("imap", ClientApp::Other),
    ("mapi over http", ClientApp::Other),
    ("mapi", ClientApp::Other),
    ("offline address book", ClientApp::Other),
    ("outlook anywhere (rpc over http)", ClientApp::Other),
    ("other clients", ClientApp::Other),
    ("pop3", ClientApp::Other),
    ("pop", ClientApp::Other),
    ("reporting web services", ClientApp::Other),
];

/// `clientAppUsed` → client app type ([`CLIENT_APPS`]); `None` for a value
/// the Conditions page does not list (the record is skipped).
pub fn client_app(s: &str) -> Option<ClientApp> {
    // The names are ASCII lower case: comparing ignoring ASCII case is
    // comparing the lower-cased value, without making it.
    let s = s.trim();
    CLIENT_APPS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(s))
        .map(|(_, c)| *c)
}

/// `deviceDetail.operatingSystem` prefixes (lower case), first match wins
/// (Windows Phone before Windows). [`platform`] and the KQL query ([`kql`])
/// both read this table.
pub const PLATFORM_PREFIXES: [(&str, Platform); 11] = [
    ("windows phone", Platform::WindowsPhone),
    ("windowsphone", Platform::WindowsPhone),
    ("windows", Platform::Windows),
    ("ios", Platform::IOS),
    ("ipados", Platform::IOS),
    ("macos", Platform::MacOS),
    ("mac os", Platform::MacOS),
    ("os x", Platform::MacOS),
    ("android", Platform::Android),
    ("linux", Platform::Linux),
    ("ubuntu", Platform::Linux),
];

/// `deviceDetail.operatingSystem` → platform; `None` when Conditional
/// Access could not identify it either.
pub fn platform(os: &str) -> Option<Platform> {
    // The prefixes are ASCII lower case (see `client_app`).
    let os = os.trim().as_bytes();
    PLATFORM_PREFIXES
        .into_iter()
        .find(|(p, _)| os.len() >= p.len() && os[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
        .map(|(_, p)| p)
}

/// `deviceDetail.trustType` → the device-filter value.
fn trust_type(t: &str) -> Option<&'static str> {
    let l = t.to_ascii_lowercase().replace(' ', "");
    if l.contains("hybrid") || l.contains("domainjoined") || l == "serverad" {
        Some("ServerAD")
    } else if l.contains("registered") || l.contains("workplace") {
        Some("Workplace")
    } else if l.contains("azureadjoined") || l.contains("entrajoined") || l == "azuread" {
        Some("AzureAD")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> Record {
        Record::from_fields(v.as_object().unwrap()).unwrap()
    }

    #[test]
    fn graph_and_log_analytics_spellings_agree() {
        let g = rec(json!({
            "id": "s1", "userId": "U1", "userType": "member", "appId": "a",
            "resourceId": "00000002-0000-0ff1-ce00-000000000000",
            "clientAppUsed": "Mobile Apps and Desktop clients",
            "deviceDetail": {"operatingSystem": "Windows 10", "deviceId": "d1",
                             "trustType": "Azure AD joined", "isCompliant": true, "isManaged": true},
            "ipAddress": "203.0.113.7", "location": {"countryOrRegion": "nl"},
            "riskLevelDuringSignIn": "none", "authenticationProtocol": "deviceCode",
            "isInteractive": true,
            "appliedConditionalAccessPolicies": [{"id": "P1", "displayName": "x", "result": "success"}]
        }));
        let l = rec(json!({
            "Id": "s1", "UserId": "U1", "UserType": "Member", "AppId": "a",
            "ResourceIdentity": "00000002-0000-0ff1-ce00-000000000000",
            "ClientAppUsed": "Mobile Apps and Desktop clients",
            "DeviceDetail": "{\"operatingSystem\":\"Windows 10\",\"deviceId\":\"d1\",\"trustType\":\"Azure AD joined\",\"isCompliant\":true,\"isManaged\":true}",
            "IPAddress": "203.0.113.7", "LocationDetails": "{\"countryOrRegion\":\"NL\"}",
            "RiskLevelDuringSignIn": "none", "AuthenticationProtocol": "deviceCode",
            "IsInteractive": "True",
            "ConditionalAccessPolicies": "[{\"id\":\"p1\",\"displayName\":\"x\",\"result\":\"success\"}]"
        }));
        let (gs, gm) = g.sign_in().unwrap();
        let (ls, lm) = l.sign_in().unwrap();
        assert_eq!(gs, ls);
        assert_eq!(gm, lm);
        assert_eq!(gs.platform, Some(Platform::Windows));
        assert_eq!(gs.transfer_method, Some(TransferMethod::DeviceCodeFlow));
        assert_eq!(gs.country.as_deref(), Some("NL"));
        assert_eq!(
            gs.device.attributes.get("trustType"),
            Some(&DeviceValue::String("AzureAD".into()))
        );
        assert_eq!(g.applied[0].id.as_deref(), Some("p1"));
        assert_eq!(l.applied, g.applied);
        assert!(!gm.sign_in_risk && !gm.flow && gm.membership && gm.user_risk);
    }

    /// `conditionalAccessAudiences` (beta) lists every resource Conditional
    /// Access evaluated: all of them are the target.
    #[test]
    fn audiences_are_the_target_when_logged() {
        let r = rec(json!({"id": "a", "userId": "u", "clientAppUsed": "Browser",
            "resourceId": "00000003-0000-0ff1-ce00-000000000000",
            "conditionalAccessAudiences": [
                {"applicationId": "00000003-0000-0ff1-ce00-000000000000", "audienceReasons": "none"},
                {"applicationId": "00000002-0000-0ff1-ce00-000000000000", "audienceReasons": "none"}]}));
        assert_eq!(
            r.sign_in().unwrap().0.target,
            Target::Applications(vec![
                "00000003-0000-0ff1-ce00-000000000000".into(),
                "00000002-0000-0ff1-ce00-000000000000".into()
            ])
        );
        let la = rec(json!({"Id": "a", "UserId": "u", "ClientAppUsed": "Browser",
            "ConditionalAccessAudiences": "[\"00000002-0000-0ff1-ce00-000000000000\"]"}));
        assert_eq!(
            la.sign_in().unwrap().0.target,
            Target::Applications(vec!["00000002-0000-0ff1-ce00-000000000000".into()])
        );
    }

    #[test]
    fn client_apps_from_the_conditions_page() {
        assert_eq!(client_app("Browser"), Some(ClientApp::Browser));
        assert_eq!(
            client_app("Exchange ActiveSync"),
            Some(ClientApp::ExchangeActiveSync)
        );
        assert_eq!(client_app("IMAP4"), Some(ClientApp::Other));
        assert_eq!(client_app("Authenticated SMTP"), Some(ClientApp::Other));
        assert_eq!(client_app("Other clients"), Some(ClientApp::Other));
        assert_eq!(client_app("Teleporter"), None);
    }

    /// `client_app` and `platform` compare ignoring ASCII case instead of
    /// lower-casing a copy: the same answers as the lower-cased look-up
    /// they replace, for every table entry in several spellings.
    #[test]
    fn case_blind_lookups_answer_as_lower_casing_did() {
        let old_client = |s: &str| {
            let l = s.trim().to_ascii_lowercase();
            CLIENT_APPS
                .iter()
                .find(|(name, _)| *name == l)
                .map(|(_, c)| *c)
        };
        let old_platform = |s: &str| {
            let l = s.trim().to_ascii_lowercase();
            PLATFORM_PREFIXES
                .into_iter()
                .find(|(p, _)| l.starts_with(p))
                .map(|(_, p)| p)
        };
        let mut inputs: Vec<String> = ["", " ", "İOS 17", "iOSé", "Wïndows", "x", "Other"]
            .map(String::from)
            .to_vec();
        for name in CLIENT_APPS
            .iter()
            .map(|(n, _)| *n)
            .chain(PLATFORM_PREFIXES.iter().map(|(p, _)| *p))
        {
            inputs.push(name.into());
            inputs.push(name.to_ascii_uppercase());
            inputs.push(format!("  {} 10.0.1 ", name.to_ascii_uppercase()));
            inputs.push(format!("{name}x"));
            inputs.push(name[..name.len() - 1].into());
        }
        for i in &inputs {
            assert_eq!(client_app(i), old_client(i), "{i:?}");
            assert_eq!(platform(i), old_platform(i), "{i:?}");
        }
    }

    #[test]
    fn platforms() {
        assert_eq!(platform("Windows Phone 8"), Some(Platform::WindowsPhone));
        assert_eq!(platform("Ios 17.2"), Some(Platform::IOS));
        assert_eq!(platform("MacOs"), Some(Platform::MacOS));
        assert_eq!(platform("ChromeOS"), None);
        assert_eq!(platform(""), None);
    }

    #[test]
    fn unreadable_records_say_why() {
        let m = json!({"userId": "u"});
        assert!(Record::from_fields(m.as_object().unwrap()).is_err());
        let r = rec(json!({"id": "x", "userId": "u", "resourceId": "r", "clientAppUsed": "Fax"}));
        assert!(r.sign_in().unwrap_err().contains("Fax"));
        let bad = json!({"Id": "x", "DeviceDetail": "{not json"});
        assert!(
            Record::from_fields(bad.as_object().unwrap())
                .unwrap_err()
                .contains("DeviceDetail")
        );
    }

    /// A Log Analytics CSV holds nested fields as JSON strings; `nested`
    /// builds only the members `from_fields` reads. The same record with
    /// each such string replaced by the whole parsed object (what `nested`
    /// did before) maps to the same `Record`, for every row of the CSV
    /// fixture.
    #[test]
    fn csv_nested_strings_map_as_whole_objects_do() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/signins/la-signins.csv"
        );
        let mut rows = 0;
        read::read_from_keeping(
            std::fs::File::open(path).unwrap(),
            read::Keep::All,
            &mut |e| {
                let read::Event::Record { fields, .. } = e else {
                    return;
                };
                let mut whole = fields.clone();
                for v in whole.values_mut() {
                    if let Value::String(s) = v
                        && let Ok(parsed @ (Value::Object(_) | Value::Array(_))) =
                            serde_json::from_str::<Value>(s)
                    {
                        *v = parsed;
                    }
                }
                assert_ne!(whole, fields);
                assert_eq!(Record::from_fields(&fields), Record::from_fields(&whole));
                rows += 1;
            },
        )
        .unwrap();
        assert!(rows >= 5, "{rows}");
        // Members `from_fields` does not read are checked, not kept.
        assert_eq!(
            read::parse_nested(r#"{"deviceId": "d", "browser": "Edge", "x": {"y": [1]}}"#).unwrap(),
            json!({"deviceId": "d"})
        );
        assert!(read::parse_nested("{\"deviceId\": \"d\", \"x\": tru}").is_err());
    }

    #[test]
    fn field_lists_are_sorted_for_binary_search() {
        assert!(FIELDS.windows(2).all(|w| w[0] < w[1]));
        assert!(NESTED_FIELDS.windows(2).all(|w| w[0] < w[1]));
        // The look-ups made from the lists answer as a search of them.
        for (list, look) in [
            (FIELDS, field_name as fn(&str) -> Option<&'static str>),
            (NESTED_FIELDS, nested_field_name),
        ] {
            for name in FIELDS.iter().chain(NESTED_FIELDS) {
                let found = list.binary_search(name).ok().map(|i| list[i]);
                assert_eq!(look(name), found, "{name}");
                assert_eq!(look(&name.to_ascii_uppercase()), None, "{name}");
                assert_eq!(look(&name[1..]), None, "{name}");
                assert_eq!(look(&format!("{name} ")), None, "{name}");
            }
            assert_eq!(look(""), None);
        }
    }

    #[test]
    fn guests_and_service_principals() {
        let g = rec(
            json!({"id": "x", "userId": "u", "userType": "Guest", "resourceId": "r",
                           "clientAppUsed": "Browser", "riskLevelDuringSignIn": "hidden"}),
        );
        let (s, m) = g.sign_in().unwrap();
        assert!(m.guest_type && m.sign_in_risk && m.flow);
        assert!(matches!(
            s.identity,
            Identity::User {
                guest_type: Some(_),
                ..
            }
        ));
        let sp = rec(
            json!({"id": "y", "servicePrincipalId": "SP", "appId": "a", "resourceId": "r",
                            "signInEventTypes": ["servicePrincipal"]}),
        );
        let (s, _) = sp.sign_in().unwrap();
        assert_eq!(s.identity, Identity::ServicePrincipal { id: "sp".into() });
        // The Log Analytics service principal table, and no user with a service principal.
        let la = rec(json!({"Id": "z", "Type": "AADServicePrincipalSignInLogs",
                            "ServicePrincipalId": "SP2", "ResourceIdentity": "r"}));
        assert_eq!(
            la.sign_in().unwrap().0.identity,
            Identity::ServicePrincipal { id: "sp2".into() }
        );
        let bare = rec(json!({"id": "z", "servicePrincipalId": "SP3", "resourceId": "r"}));
        assert_eq!(
            bare.sign_in().unwrap().0.identity,
            Identity::ServicePrincipal { id: "sp3".into() }
        );
        // "Managed identities aren't covered by policy" (workload-identity page).
        let mi = rec(
            json!({"id": "m", "servicePrincipalId": "MI", "resourceId": "r",
                            "signInEventTypes": ["managedIdentity"]}),
        );
        assert_eq!(mi.sign_in().unwrap_err(), MANAGED_IDENTITY);
        let mi = rec(json!({"Id": "m", "Type": "AADManagedIdentitySignInLogs",
                            "ServicePrincipalId": "MI", "ResourceIdentity": "r"}));
        assert!(mi.managed_identity);
    }
}
