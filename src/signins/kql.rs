//! `caac replay --kql`: the replay compiled into ONE Kusto (KQL) query over
//! `SigninLogs | union AADNonInteractiveUserSignInLogs`, so the verdicts are
//! computed where the logs are (Log Analytics / Microsoft Sentinel) instead
//! of on the machine that runs caac.
//!
//! Contract: [`query`] is pure and deterministic (no clock, no I/O; the time
//! window is a `ago(…)` parameter, never a date). The query computes, per
//! sign-in, exactly what [`super::replay::PolicySet::verdict`] computes
//! offline, and returns the aggregates of [`super::replay::Report`] as one
//! table of rows `dimension, key, signIns, block, grant, allow, unknown`
//! (+ `newlyBlocked, newlyPrompted, newlyUnprotected, undetermined` with a
//! base, + `applies` for policy rows), dimensions `total`, `base`,
//! `skipped` (by reason), `unknownFact` (records with a policy unknown for
//! lack of that fact), `user`, `app`, `platform` and `policy`.
//!
//! - **The record** is read with the same mapping as the offline replay
//!   ([`super`] module docs): the same columns ([`super::field`]), the
//!   same `clientAppUsed` table ([`super::CLIENT_APPS`]), the same platform
//!   prefixes ([`super::PLATFORM_PREFIXES`]), the same skip reasons and the
//!   same "unknown, never guessed" facts ([`super::Missing`]). Columns are
//!   from the Azure Monitor table reference:
//!   <https://learn.microsoft.com/azure/azure-monitor/reference/tables/signinlogs>
//!   and
//!   <https://learn.microsoft.com/azure/azure-monitor/reference/tables/aadnoninteractiveusersigninlogs>.
//!   `DeviceDetail` and `LocationDetails` are `dynamic` in the first table
//!   and `string` in the second, so each leg reads them as
//!   `todynamic(tostring(…))` before the union (a union of two types would
//!   split the column in two); `ConditionalAccessAudiences` exists in
//!   `SigninLogs` only (`column_ifexists`).
//! - **Each policy** becomes, per Graph's `conditionalAccessConditionSet`,
//!   one KQL predicate per condition that *fails* ([`Compiled::fails`],
//!   keyed by the engine's [`Reason`]) and one per fact the record *lacks*
//!   ([`Compiled::lacks`]); the status is `a` (applies), `n` (a known
//!   condition fails: "All assignments are logically ANDed",
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policies>)
//!   or `u` (unknown), by the same rule as the offline replay.
//! - **The access verdict** per set: `block` when an applying enforced
//!   policy blocks, else `unknown` when an enforced policy is unknown, else
//!   `grant` / `allow`. What a policy's grant does depends on the sign-in's
//!   [`Shape`] (8 values), so caac evaluates [`grant_effect`] for each shape
//!   when it writes the query and the query indexes that 8-letter string.
//! - **Memberships**: without a members file, group- and role-scoped
//!   policies are unknown for users (as offline). With one, each group's and
//!   role's member ids are written into the query as `dynamic([...])`
//!   arrays, up to [`MAX_INLINE_IDS`] ids in all; a group or role beyond
//!   that bound is left out — unknown, as if the file did not cover it — and
//!   [`Query::warnings`] names it.
//! - **Nothing is dropped silently**: every condition of the model is read
//!   (the destructuring in [`compile`] names every property), and what the
//!   offline replay cannot decide either is unknown in the query too.
//!
//! Differences from the offline reader that only concern malformed exports
//! (Log Analytics stores valid values): a nested column that is not valid
//! JSON makes the offline reader skip the record, while the query reads it
//! as no device / no location; an IP address written with leading zeros or
//! an IPv4-mapped IPv6 address in hexadecimal form is not an address to the
//! query.

use super::members::Members;
use super::replay::{fact, skip};
use super::{CLIENT_APPS, PLATFORM_PREFIXES, field};
use crate::model::{
    ClientAppType, FilterMode, GuestOrExternalUserType, Platform, Policy, RiskLevel, State, Tenant,
    TransferMethod, Wire,
};
use crate::monitor::kql_string;
use crate::whatif::network::Cidr;
use crate::whatif::{
    COMPLIANT_NETWORK, ClientApp, Device, GrantEffect, NamedLoc, PolicyRef, Reason, Shape, apps,
    device_filter, grant_effect, has_controls, named_location,
};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// At most this many member ids (groups and roles together) are written
/// into one query: about 40 characters each, so 20 000 ids are about
/// 800 KB of query text. Beyond it a group or role is unknown.
pub const MAX_INLINE_IDS: usize = 20_000;

/// The default time window (`ago(30d)`).
pub const DEFAULT_WINDOW: &str = "30d";

/// A boolean KQL expression, with constants folded while the query is
/// written (so a condition that cannot matter leaves no text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum B {
    /// `true`.
    T,
    /// `false`.
    F,
    /// A KQL expression (parenthesised when combined).
    E(String),
}

impl B {
    fn e(s: impl Into<String>) -> B {
        B::E(s.into())
    }

    fn of(b: bool) -> B {
        if b { B::T } else { B::F }
    }

    /// The KQL text.
    pub fn kql(&self) -> String {
        match self {
            B::T => "true".into(),
            B::F => "false".into(),
            B::E(s) => s.clone(),
        }
    }

    /// The text as an operand of `and` / `or`: an expression with the
    /// other operator at its top level is parenthesised, so the text never
    /// depends on operator precedence.
    fn operand(&self, other_op: &[u8]) -> String {
        match self {
            B::E(s) if top_level(s, other_op) => format!("({s})"),
            other => other.kql(),
        }
    }
}

/// `s` has `op` (` or `, ` and `) outside parentheses and string literals.
fn top_level(s: &str, op: &[u8]) -> bool {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut esc = false;
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'(' => depth += 1,
            b')' => depth -= 1,
            b' ' if depth == 0 && b[i..].starts_with(op) => return true,
            _ => {}
        }
    }
    false
}

/// Every parenthesis in `s` (outside string literals) closes, in order.
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut esc = false;
    for c in s.chars() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && !in_str
}

/// `a and b`.
pub fn and(a: B, b: B) -> B {
    match (a, b) {
        (B::F, _) | (_, B::F) => B::F,
        (B::T, x) | (x, B::T) => x,
        (x, y) if x == y => x,
        (x, y) => B::e(format!("{} and {}", x.operand(b" or "), y.operand(b" or "))),
    }
}

/// `a or b`.
pub fn or(a: B, b: B) -> B {
    match (a, b) {
        (B::T, _) | (_, B::T) => B::T,
        (B::F, x) | (x, B::F) => x,
        (x, y) if x == y => x,
        (x, y) => B::e(format!(
            "{} or {}",
            x.operand(b" and "),
            y.operand(b" and ")
        )),
    }
}

/// `not(a)`.
pub fn not(a: B) -> B {
    match a {
        B::T => B::F,
        B::F => B::T,
        // not(not(x)) is x.
        B::E(s) => match s.strip_prefix("not(").and_then(|r| r.strip_suffix(')')) {
            Some(inner) if balanced(inner) => B::e(inner),
            _ => B::e(format!("not({s})")),
        },
    }
}

fn any(items: impl IntoIterator<Item = B>) -> B {
    items.into_iter().fold(B::F, or)
}

/// A `dynamic([...])` of lower-case strings, sorted and deduplicated.
fn dynamic_list<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    let set: BTreeSet<String> = items.into_iter().map(str::to_ascii_lowercase).collect();
    let inner: Vec<String> = set.iter().map(|s| kql_string(s)).collect();
    format!("dynamic([{}])", inner.join(", "))
}

/// A `("a", "b")` list for `in` / `in~` (order kept, duplicates dropped).
fn in_list<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    let mut seen = BTreeSet::new();
    let inner: Vec<String> = items
        .into_iter()
        .filter(|s| seen.insert(*s))
        .map(kql_string)
        .collect();
    format!("({})", inner.join(", "))
}

// ---------------------------------------------------------------------------
// Row columns: the names the per-policy predicates read.
// ---------------------------------------------------------------------------

/// The sign-in's user id, lower case (empty for a service principal).
pub const C_USER: &str = "UserId";
/// The service principal id, lower case, when no user signed in.
pub const C_SP: &str = "ServicePrincipal";
/// `true` for a user sign-in.
pub const C_IS_USER: &str = "IsUser";
/// The requested resources (lower case).
pub const C_TARGETS: &str = "Targets";
/// The client app type (`ClientApp::as_str`), empty when unknown.
pub const C_CLIENT: &str = "Client";
/// The device platform (`Platform::wire`), empty when not identified.
pub const C_PLATFORM: &str = "Platform";
/// The device is registered (a device id is logged).
pub const C_REGISTERED: &str = "Registered";
/// The user is a guest or external user.
pub const C_EXTERNAL: &str = "External";
/// The user's home tenant, lower case.
pub const C_HOME: &str = "HomeTenant";
/// The sign-in risk (`RiskLevel::wire`), empty when hidden or absent.
pub const C_RISK: &str = "SignInRisk";
/// The transfer method (`TransferMethod::wire`), empty for none, `?`
/// when the record logs no authentication flow.
pub const C_FLOW: &str = "Flow";
/// The IPv4 address (also from an IPv4-mapped IPv6 address), else empty.
pub const C_IP4: &str = "IPv4";
/// The IPv6 address, else empty.
pub const C_IP6: &str = "IPv6";
/// The country code, upper case, else empty.
pub const C_COUNTRY: &str = "Country";
/// The grant shape index ([`Shape::ALL`] order).
pub const C_SHAPE: &str = "Shape";

/// The per-leg projection: the same text for both tables, read through the
/// shared field table ([`super::field`]).
fn projection() -> String {
    use field::*;
    let t = |c: &str| format!("trim(@\"\\s+\", tostring({c}))");
    let lower = |c: &str| format!("tolower({})", t(c));
    let dev = format!("todynamic(tostring({}))", DEVICE_DETAIL.column);
    let loc = format!("todynamic(tostring({}))", LOCATION.column);
    let user = lower(USER_ID.column);
    let cols = [
        format!("Id = {}", t(ID.column)),
        format!("{C_USER} = {user}"),
        format!("Upn = {}", t(USER_PRINCIPAL_NAME.column)),
        format!("UserType = {}", t(USER_TYPE.column)),
        format!("CrossTenant = {}", t(CROSS_TENANT.column)),
        format!("{C_HOME} = {}", lower(HOME_TENANT.column)),
        // A service principal sign-in: no user (module docs of `signins`).
        format!(
            "{C_SP} = iff(isempty({user}), {}, \"\")",
            lower(SERVICE_PRINCIPAL_ID.column)
        ),
        format!("AppId = {}", lower(APP_ID.column)),
        format!("AppName = {}", t(APP_NAME.column)),
        format!("Resource = {}", lower(RESOURCE_ID.column)),
        format!(
            "Audiences = todynamic(tostring(column_ifexists({}, \"\")))",
            kql_string(AUDIENCES.column)
        ),
        format!("ClientAppUsed = {}", t(CLIENT_APP_USED.column)),
        format!("Os = trim(@\"\\s+\", tostring({dev}.{DEVICE_OS}))"),
        format!("DeviceId = trim(@\"\\s+\", tostring({dev}.{DEVICE_ID}))"),
        format!("IP = {}", t(IP_ADDRESS.column)),
        format!(
            "{C_COUNTRY} = toupper(coalesce(trim(@\"\\s+\", tostring({loc}.{LOCATION_COUNTRY})), {}))",
            t(LOCATION_FALLBACK)
        ),
        format!("Risk = tolower({})", t(SIGN_IN_RISK.column)),
        format!("Protocol = {}", t(AUTHENTICATION_PROTOCOL.column)),
        format!("TransferMethod = {}", t(ORIGINAL_TRANSFER_METHOD.column)),
    ];
    format!("    | project {}", cols.join(",\n        "))
}

/// The derived columns: the engine's request, and why a record is skipped.
fn derived() -> String {
    let client_cases: Vec<String> = [
        ClientApp::Browser,
        ClientApp::MobileAppsAndDesktopClients,
        ClientApp::ExchangeActiveSync,
        ClientApp::Other,
    ]
    .iter()
    .map(|c| {
        let names = CLIENT_APPS.iter().filter(|(_, x)| x == c).map(|(n, _)| *n);
        format!(
            "tolower(ClientAppUsed) in {}, {}",
            in_list(names),
            kql_string(c.as_str())
        )
    })
    .collect();
    let platform_cases: Vec<String> = PLATFORM_PREFIXES
        .iter()
        .map(|(p, pl)| format!("Os startswith {}, {}", kql_string(p), kql_string(pl.wire())))
        .collect();
    let risks: Vec<&str> = RiskLevel::all()
        .iter()
        .filter(|r| **r != RiskLevel::Hidden)
        .map(|r| r.wire())
        .collect();
    let risk_cases: Vec<String> = risks
        .iter()
        .map(|r| {
            format!(
                "Risk == {}, {}",
                kql_string(&r.to_ascii_lowercase()),
                kql_string(r)
            )
        })
        .collect();
    let transfer_cases: Vec<String> = TransferMethod::all()
        .iter()
        .map(|t| {
            format!(
                "tolower(TransferMethod) == {}, {}",
                kql_string(&t.wire().to_ascii_lowercase()),
                kql_string(t.wire())
            )
        })
        .collect();
    let windows_only = dynamic_list(crate::whatif::WINDOWS_ONLY_TP_RESOURCES);
    let mut s = String::new();
    // Targets: `conditionalAccessAudiences` when logged (strings, or objects
    // with `applicationId`), else the resource.
    s.push_str(
        "| mv-apply Audience = iff(array_length(Audiences) > 0, Audiences, dynamic([null])) to typeof(dynamic) on (\n    \
         summarize AudienceIds = make_list_if(tolower(iff(gettype(Audience) == \"string\", tostring(Audience), tostring(Audience.applicationId))), \
         gettype(Audience) == \"string\" or gettype(Audience.applicationId) == \"string\"))\n",
    );
    let _ = writeln!(
        s,
        "| extend {C_TARGETS} = iff(array_length(AudienceIds) > 0, AudienceIds, iff(isempty(Resource), dynamic([]), pack_array(Resource)))"
    );
    let _ = writeln!(
        s,
        "| extend {C_IS_USER} = isnotempty({C_USER}),\n    \
         {C_CLIENT} = case({}, \"\"),\n    \
         {C_PLATFORM} = case({}, \"\"),\n    \
         {C_REGISTERED} = isnotempty(DeviceId),\n    \
         {C_EXTERNAL} = UserType =~ \"guest\" or (isnotempty(CrossTenant) and CrossTenant !~ \"none\"),\n    \
         {C_RISK} = case({}, \"\"),\n    \
         {C_FLOW} = case(isempty(TransferMethod) and isempty(Protocol), \"?\", isnotempty(TransferMethod) and TransferMethod !~ \"none\", case({}, \"\"), isnotempty(TransferMethod), \"\", Protocol =~ \"deviceCode\", \"deviceCodeFlow\", Protocol =~ \"authenticationTransfer\", \"authenticationTransfer\", \"\"),\n    \
         {C_IP4} = case(IP matches regex @\"^[0-9]{{1,3}}(\\.[0-9]{{1,3}}){{3}}$\" and isnotnull(parse_ipv4(IP)), IP, IP matches regex @\"^(?i)::ffff:[0-9]{{1,3}}(\\.[0-9]{{1,3}}){{3}}$\" and isnotnull(parse_ipv4(substring(IP, 7))), substring(IP, 7), \"\")",
        client_cases.join(", "),
        platform_cases.join(", "),
        risk_cases.join(", "),
        transfer_cases.join(", "),
    );
    let _ = writeln!(
        s,
        "| extend {C_IP6} = iff(isempty({C_IP4}) and IP contains \":\" and isnotempty(parse_ipv6(IP)), IP, \"\")"
    );
    // The offline replay's skip kinds (`replay::skip`), in the order
    // `Record::sign_in` checks.
    let _ = writeln!(
        s,
        "| extend Skip = case(isempty(Id), {unreadable}, array_length({C_TARGETS}) == 0, {missing}, not({C_IS_USER}) and isnotempty({C_SP}), \"\", not({C_IS_USER}), {missing}, isempty(ClientAppUsed), {missing}, isempty({C_CLIENT}), {unknown_client}, \"\")",
        unreadable = kql_string(skip::UNREADABLE),
        missing = kql_string(skip::MISSING_FIELD),
        unknown_client = kql_string(skip::UNKNOWN_CLIENT_APP),
    );
    // Shape (`Shape::new`): legacy client, device code flow, and whether
    // the sign-in can present a device-bound token (`token_binding_gap`).
    let _ = writeln!(
        s,
        "| extend {C_SHAPE} = iff(not({C_IS_USER}), 0, toint({C_CLIENT} in (\"exchangeActiveSync\", \"other\")) + 2 * toint({C_FLOW} == \"deviceCodeFlow\") + 4 * toint({C_CLIENT} != \"mobileAppsAndDesktopClients\" or {C_PLATFORM} !in (\"windows\", \"iOS\", \"macOS\") or ({C_PLATFORM} in (\"iOS\", \"macOS\") and array_length(set_intersect({C_TARGETS}, {windows_only})) > 0) or not({C_REGISTERED})))"
    );
    let _ = writeln!(
        s,
        "| extend LocationMissing = isempty({C_IP4}) and isempty({C_IP6}) and isempty({C_COUNTRY}),\n    \
         Who = case(isnotempty(Upn), Upn, isnotempty({C_USER}), {C_USER}, isnotempty({C_SP}), strcat(\"service principal \", {C_SP}), \"\"),\n    \
         App = case(isnotempty(AppName), AppName, isnotempty(AppId), AppId, \"(no app)\"),\n    \
         PlatformKey = case(isnotempty({C_PLATFORM}), {C_PLATFORM}, not({C_IS_USER}), \"workload\", strcat(\"unknown (\", iff(isempty(Os), \"not logged\", Os), \")\"))"
    );
    let _ = risks;
    s
}

// ---------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------

/// Facts a record may lack: the offline replay's names and order.
pub const FACTS: [&str; 11] = fact::ALL;

/// One policy compiled to predicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// Display name.
    pub name: String,
    /// Enforced (`enabled`): only these decide the access verdict.
    pub enforced: bool,
    /// Per reason: when the condition fails.
    pub fails: Vec<(Reason, B)>,
    /// Per missing fact: the reason it withholds and when the record lacks it.
    pub lacks: Vec<(&'static str, Reason, B)>,
    /// The grant's effect per [`Shape::ALL`] index: `b` block (or
    /// unsatisfiable), `g` something to satisfy, `-` nothing.
    pub effects: String,
    /// What the query does not evaluate (as the engine's notes), written
    /// as a comment beside the policy's column.
    pub notes: Vec<String>,
}

impl Compiled {
    fn fail(&mut self, r: Reason, b: B) {
        if b == B::F {
            return;
        }
        match self.fails.iter_mut().find(|(x, _)| *x == r) {
            Some((_, e)) => *e = or(e.clone(), b),
            None => self.fails.push((r, b)),
        }
    }

    fn lack(&mut self, fact: &'static str, r: Reason, b: B) {
        if b != B::F {
            self.lacks.push((fact, r, b));
        }
    }

    /// The status expression: `"a"`, `"n"` or `"u"` (the offline rule:
    /// unknown when the record lacks a fact and no known failing condition
    /// decides).
    pub fn status(&self) -> String {
        let affected = |r: Reason| any(self.lacks.iter().filter(|l| l.1 == r).map(|l| l.2.clone()));
        let decided = any(self
            .fails
            .iter()
            .map(|(r, f)| and(f.clone(), not(affected(*r)))));
        let fails = any(self.fails.iter().map(|f| f.1.clone()));
        let unknown = and(any(self.lacks.iter().map(|l| l.2.clone())), not(decided));
        let known = match fails {
            B::T => "\"n\"".to_owned(),
            B::F => "\"a\"".to_owned(),
            f => format!("iff({}, \"n\", \"a\")", f.kql()),
        };
        match unknown {
            B::F => known,
            B::T => "\"u\"".into(),
            u => format!("iff({}, \"u\", {known})", u.kql()),
        }
    }
}

/// Group and role members written into the query.
#[derive(Debug, Default)]
pub struct Inline {
    groups: std::collections::BTreeMap<String, Vec<String>>,
    roles: std::collections::BTreeMap<String, Vec<String>>,
}

impl Inline {
    /// The members of the groups and roles the policies name, up to
    /// [`MAX_INLINE_IDS`]; the warnings name what was left out.
    pub fn new(members: &Members, policies: &[&Policy], warnings: &mut Vec<String>) -> Inline {
        let mut wanted_groups = BTreeSet::new();
        let mut wanted_roles = BTreeSet::new();
        for p in policies {
            if let Some(u) = &p.users {
                for set in [&u.include, &u.exclude].into_iter().flatten() {
                    wanted_groups.extend(set.groups.iter().map(|g| g.to_ascii_lowercase()));
                    wanted_roles.extend(set.roles.iter().map(|r| r.to_ascii_lowercase()));
                }
            }
        }
        let mut out = Inline::default();
        let mut budget = MAX_INLINE_IDS;
        for (kind, wanted, known, map) in [
            (
                "group",
                &wanted_groups,
                &members.known_groups,
                &mut out.groups,
            ),
            ("role", &wanted_roles, &members.known_roles, &mut out.roles),
        ] {
            for id in wanted {
                if !known.contains(id) {
                    continue;
                }
                let ids = if kind == "group" {
                    members.group_members(id)
                } else {
                    members.role_members(id)
                };
                if ids.len() > budget {
                    warnings.push(format!(
                        "{kind} {id} has {} members: more than the {MAX_INLINE_IDS} ids caac writes into one query, so policies that depend on it are unknown for users (as without a members file entry)",
                        ids.len()
                    ));
                    continue;
                }
                budget -= ids.len();
                map.insert(id.clone(), ids);
            }
        }
        out
    }
}

/// What [`compile`] reads besides the policy.
pub struct Context<'a> {
    /// Named locations (from the tenant file).
    pub(crate) locations: Vec<NamedLoc>,
    /// The tenant file (for which locations are detailed).
    pub tenant: Option<&'a Tenant>,
    /// Inlined memberships; `None` without a members file.
    pub inline: Option<&'a Inline>,
}

impl<'a> Context<'a> {
    /// The context for `tenant` and `inline`.
    pub fn new(tenant: Option<&'a Tenant>, inline: Option<&'a Inline>) -> Context<'a> {
        Context {
            locations: tenant
                .map(|t| {
                    t.named_locations
                        .iter()
                        .map(|(n, e)| named_location(n, e))
                        .collect()
                })
                .unwrap_or_default(),
            tenant,
            inline,
        }
    }
}

fn keyword(list: &[String], k: &str) -> bool {
    list.iter().any(|u| u == k)
}

/// One side of `users` matches the sign-in's user (the engine's
/// `Side::matches`): All users, the user's id, a group or role the members
/// file lists the user in, or a guest or external user type.
/// Sources: <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups>
/// (include and exclude; guests and external users by type and tenant).
pub fn side(set: Option<&crate::model::UserSet>, ctx: &Context) -> B {
    let Some(set) = set else { return B::F };
    if keyword(&set.users, "All") {
        return B::T;
    }
    let ids: Vec<&str> = set
        .users
        .iter()
        .map(String::as_str)
        .filter(|u| !matches!(*u, "All" | "None" | "GuestsOrExternalUsers"))
        .collect();
    let mut b = if ids.is_empty() {
        B::F
    } else {
        B::e(format!(
            "{C_USER} in {}",
            in_list(lower(&ids).iter().map(String::as_str))
        ))
    };
    if let Some(inline) = ctx.inline {
        for (list, map) in [(&set.groups, &inline.groups), (&set.roles, &inline.roles)] {
            let mut members: Vec<&str> = Vec::new();
            for g in list {
                if let Some(m) = map.get(&g.to_ascii_lowercase()) {
                    members.extend(m.iter().map(String::as_str));
                }
            }
            if !members.is_empty() {
                b = or(
                    b,
                    B::e(format!(
                        "set_has_element({}, {C_USER})",
                        dynamic_list(members)
                    )),
                );
            }
        }
    }
    // Guests: the log gives no exact type; B2B collaboration guest stands in
    // (`super::Record::sign_in`).
    let guest = if keyword(&set.users, "GuestsOrExternalUsers") {
        B::T
    } else if let Some(g) = &set.guests_or_external_users {
        let kind = GuestOrExternalUserType::B2bCollaborationGuest;
        if !g.types.contains(&kind) {
            B::F
        } else if g.tenants.is_empty() || keyword(&g.tenants, "All") {
            B::T
        } else {
            let t: Vec<&str> = g.tenants.iter().map(String::as_str).collect();
            B::e(format!(
                "{C_HOME} in {}",
                in_list(lower(&t).iter().map(String::as_str))
            ))
        }
    } else {
        B::F
    };
    or(b, and(B::e(C_EXTERNAL), guest))
}

fn lower(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_ascii_lowercase()).collect()
}

/// The ids a grouping keyword of `applications` expands to (the engine's
/// `Groups`): Office 365, the Microsoft admin portals, the Windows Azure
/// Service Management API
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps>).
fn expand(list: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for v in list {
        if v == "Office365" {
            out.extend(apps::OFFICE365.iter().map(|m| m.id.to_owned()));
        } else if v == "MicrosoftAdminPortals" {
            out.extend(apps::ADMIN_PORTALS.iter().map(|m| m.id.to_owned()));
        } else if v.eq_ignore_ascii_case(apps::AZURE_MANAGEMENT) {
            out.push(apps::AZURE_MANAGEMENT.to_owned());
            out.extend(
                apps::AZURE_MANAGEMENT_MEMBERS
                    .iter()
                    .map(|m| m.id.to_owned()),
            );
        } else if !matches!(v.as_str(), "All" | "None") {
            out.push(v.clone());
        }
    }
    out
}

/// The target application condition (the engine's `target_reason`): a
/// sign-in-log record targets applications, so a policy on user actions or
/// authentication contexts never applies to it, and an application policy
/// applies when any requested resource is included and not excluded.
pub fn target(a: Option<&crate::model::Applications>) -> (Reason, B) {
    let Some(a) = a else {
        return (Reason::Application, B::T);
    };
    if !a.user_actions.is_empty() {
        return (Reason::UserActions, B::T);
    }
    if !a.authentication_contexts.is_empty() {
        return (Reason::AuthenticationContext, B::T);
    }
    let exclude = expand(&a.exclude);
    let include = expand(&a.include);
    let all = a.include.iter().any(|v| v == "All");
    let exc = dynamic_list(exclude.iter().map(String::as_str));
    let in_scope = if all {
        if exclude.is_empty() {
            B::T
        } else {
            B::e(format!(
                "array_length(set_difference({C_TARGETS}, {exc})) > 0"
            ))
        }
    } else if include.is_empty() {
        B::F
    } else {
        let inc = dynamic_list(include.iter().map(String::as_str));
        if exclude.is_empty() {
            B::e(format!(
                "array_length(set_intersect({C_TARGETS}, {inc})) > 0"
            ))
        } else {
            B::e(format!(
                "array_length(set_difference(set_intersect({C_TARGETS}, {inc}), {exc})) > 0"
            ))
        }
    };
    (Reason::Application, not(in_scope))
}

/// The client apps condition fails (the engine's `client_mask`):
/// "Browser", "Mobile apps and desktop clients", "Exchange ActiveSync
/// clients", "Other clients"
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps>);
/// none or `all` selects every client.
pub fn client_apps(types: &[ClientAppType]) -> B {
    let mut names = Vec::new();
    for t in types {
        let c = match t {
            ClientAppType::All => return B::F,
            ClientAppType::Browser => ClientApp::Browser,
            ClientAppType::MobileAppsAndDesktopClients => ClientApp::MobileAppsAndDesktopClients,
            ClientAppType::ExchangeActiveSync | ClientAppType::EasSupported => {
                ClientApp::ExchangeActiveSync
            }
            ClientAppType::Other => ClientApp::Other,
        };
        names.push(c.as_str());
    }
    if names.is_empty() {
        return B::F;
    }
    B::e(format!("{C_CLIENT} !in {}", in_list(names)))
}

/// The device platforms condition fails: include `all` ("any device")
/// matches also a platform Conditional Access cannot identify, an explicit
/// list only the platforms on it; exclusions win
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#device-platforms>).
pub fn platforms(p: &crate::model::Platforms) -> B {
    if p.exclude.contains(&Platform::All) {
        return B::T;
    }
    let all = p.include.contains(&Platform::All);
    let wire = |l: &[Platform]| -> Vec<&'static str> {
        l.iter()
            .filter(|x| **x != Platform::All)
            .map(|x| x.wire())
            .collect()
    };
    let inc = wire(&p.include);
    let exc = wire(&p.exclude);
    let excluded = if exc.is_empty() {
        B::F
    } else {
        B::e(format!("{C_PLATFORM} in {}", in_list(exc)))
    };
    if all {
        // Any device, also one whose platform is not identified (never
        // excluded: an exclusion names a platform).
        return excluded;
    }
    let included = if inc.is_empty() {
        B::F
    } else {
        B::e(format!("{C_PLATFORM} in {}", in_list(inc)))
    };
    not(and(included, not(excluded)))
}

/// The sign-in risk condition fails: the level is not one of the policy's
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#sign-in-risk>).
/// A hidden or absent level is unknown ([`Compiled::lacks`]); the engine
/// reads it as `none`.
pub fn sign_in_risk(levels: &[RiskLevel]) -> B {
    if levels.is_empty() {
        return B::F;
    }
    let w: Vec<&str> = levels.iter().map(|l| l.wire()).collect();
    B::e(format!(
        "iff(isempty({C_RISK}), \"none\", {C_RISK}) !in {}",
        in_list(w)
    ))
}

/// The authentication flows condition fails: the sign-in's transfer method
/// is not one of the policy's
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows>).
pub fn flows(methods: &[TransferMethod]) -> B {
    if methods.is_empty() {
        return B::F;
    }
    let w: Vec<&str> = methods.iter().map(|m| m.wire()).collect();
    B::e(format!("{C_FLOW} !in {}", in_list(w)))
}

/// The sign-in is in the named location `l` (the engine's
/// `NamedLoc::contains`): by its IP ranges, or by country — an unknown
/// country matches when `includeUnknownCountriesAndRegions`
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network>).
pub(crate) fn in_location(l: &NamedLoc) -> B {
    let ip = in_ranges(&l.ranges);
    if l.countries.is_empty() && !l.include_unknown_countries {
        return ip;
    }
    let known = if l.countries.is_empty() {
        B::F
    } else {
        B::e(format!(
            "{C_COUNTRY} in~ {}",
            in_list(l.countries.iter().map(String::as_str))
        ))
    };
    let country = or(
        and(B::e(format!("isnotempty({C_COUNTRY})")), known),
        and(
            B::e(format!("isempty({C_COUNTRY})")),
            B::of(l.include_unknown_countries),
        ),
    );
    or(ip, country)
}

fn in_ranges(ranges: &[Cidr]) -> B {
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for r in ranges {
        match *r {
            Cidr::V4 { net, prefix } => {
                v4.push(format!("{}/{prefix}", std::net::Ipv4Addr::from(net)));
            }
            Cidr::V6 { net, prefix } => {
                v6.push(format!("{}/{prefix}", std::net::Ipv6Addr::from(net)));
            }
        }
    }
    let a = if v4.is_empty() {
        B::F
    } else {
        B::e(format!(
            "isnotempty({C_IP4}) and ipv4_is_in_any_range({C_IP4}, {})",
            dynamic_list(v4.iter().map(String::as_str))
        ))
    };
    let b = if v6.is_empty() {
        B::F
    } else {
        B::e(format!(
            "isnotempty({C_IP6}) and ipv6_is_in_any_range({C_IP6}, {})",
            dynamic_list(v6.iter().map(String::as_str))
        ))
    };
    or(a, b)
}

/// One entry of `locations` include/exclude (the engine's
/// `location_matches`): `All`; `AllTrusted` = the trusted IP-range
/// locations ("only IP-based locations can be marked trusted",
/// concept-assignment-network); a named location of the tenant file; an id
/// the tenant file does not detail and All Compliant Network locations
/// never match offline.
pub fn location_ref(id: &str, ctx: &Context) -> B {
    match id {
        "All" => B::T,
        "AllTrusted" => any(ctx
            .locations
            .iter()
            .filter(|l| l.trusted == Some(true) && !l.ranges.is_empty())
            .map(|l| in_ranges(&l.ranges))),
        _ => match ctx.locations.iter().find(|l| l.id.eq_ignore_ascii_case(id)) {
            Some(l) if l.evaluable => in_location(l),
            Some(_) => B::F,
            None if id.eq_ignore_ascii_case(COMPLIANT_NETWORK) => B::F,
            None => B::F,
        },
    }
}

/// Compiles one policy (every property of the model is named, so a new
/// one breaks the build here until the query reads it).
pub fn compile(r: &PolicyRef, ctx: &Context) -> Compiled {
    let p = r.policy;
    let Policy {
        display_name: _,
        description: _,
        id: _,
        state,
        users,
        client_applications,
        applications,
        client_app_types,
        platforms: platform_cond,
        locations,
        devices,
        sign_in_risk_levels,
        user_risk_levels,
        service_principal_risk_levels,
        insider_risk_levels,
        agent_id_risk_levels,
        authentication_flows,
        grant: _,
        session: _,
        rollout: _,
        exclusions: _,
        // Reported as a note (as by the engine); never evaluated.
        passthrough,
    } = p;
    let mut c = Compiled {
        name: r.name.to_owned(),
        enforced: *state == State::Enabled,
        fails: Vec::new(),
        lacks: Vec::new(),
        effects: Shape::ALL
            .iter()
            .map(|s| match grant_effect(r.name, p, *s) {
                GrantEffect::Nothing => '-',
                GrantEffect::Block(_) | GrantEffect::Unsatisfiable(_) => 'b',
                GrantEffect::Require(_) => 'g',
            })
            .collect(),
        notes: Vec::new(),
    };
    // The engine's notes (`Engine::compile`): not evaluated, never dropped
    // silently.
    if let Some(pt) = passthrough {
        c.notes.push(format!(
            "passthrough properties are not evaluated ({})",
            pt.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if client_applications
        .as_ref()
        .is_some_and(|x| x.agent_ids.is_some())
    {
        c.notes
            .push("agent identity assignments (beta) are not evaluated".into());
    }
    if applications.as_ref().is_some_and(|a| a.filter.is_some()) {
        c.notes.push(
            "applicationFilter (custom security attributes) is not in the logs: unknown".into(),
        );
    }
    if client_applications
        .as_ref()
        .is_some_and(|x| x.filter.is_some())
    {
        c.notes.push(
            "servicePrincipalFilter (custom security attributes) is not in the logs: unknown for service principals".into(),
        );
    }
    if let Some(f) = devices.as_ref().and_then(|d| d.filter.as_ref())
        && let Err(e) = device_filter::parse(&f.rule)
    {
        c.notes.push(format!(
            "the device filter does not parse ({e}); the policy cannot apply to users"
        ));
    }
    let user = B::e(C_IS_USER);
    let sp = B::e(format!("not({C_IS_USER})"));
    let report_only = matches!(
        state,
        State::ReportOnly | State::EnabledForReportingButNotEnforced
    );
    let user_actions = applications
        .as_ref()
        .is_some_and(|a| !a.user_actions.is_empty());
    c.fail(
        Reason::PolicyNotEnabled,
        B::of(*state == State::Disabled || (report_only && user_actions)),
    );
    c.fail(Reason::EmptyPolicy, B::of(!has_controls(p)));
    // Users (user sign-ins).
    let users_hit = match users
        .as_ref()
        .and_then(|u| u.include.as_ref().map(|i| (i, u.exclude.as_ref())))
    {
        None => B::F,
        Some((inc, exc)) => {
            // Exchange ActiveSync: All users, guests or roles cover every user
            // (engine `eas_all_users`, concept-conditional-access-conditions#exchange-activesync-clients).
            let eas = client_app_types.iter().any(|t| {
                matches!(
                    t,
                    ClientAppType::ExchangeActiveSync | ClientAppType::EasSupported
                )
            }) && (keyword(&inc.users, "All")
                || keyword(&inc.users, "GuestsOrExternalUsers")
                || inc.guests_or_external_users.is_some()
                || !inc.roles.is_empty());
            let eas = and(
                B::of(eas),
                B::e(format!("{C_CLIENT} == \"exchangeActiveSync\"")),
            );
            and(or(eas, side(Some(inc), ctx)), not(side(exc, ctx)))
        }
    };
    c.fail(Reason::Users, and(user.clone(), not(users_hit)));
    // Workload identities (service principal sign-ins).
    let workload_hit = match client_applications
        .as_ref()
        .filter(|w| !w.include.is_empty())
    {
        None => B::F,
        Some(w) => {
            let all = keyword(&w.include, "ServicePrincipalsInMyTenant");
            let ids = |l: &[String]| -> Vec<String> {
                l.iter()
                    .filter(|x| *x != "ServicePrincipalsInMyTenant")
                    .map(|x| x.to_ascii_lowercase())
                    .collect()
            };
            let inc = ids(&w.include);
            let exc = ids(&w.exclude);
            let included = if all {
                B::T
            } else if inc.is_empty() {
                B::F
            } else {
                B::e(format!(
                    "{C_SP} in {}",
                    in_list(inc.iter().map(String::as_str))
                ))
            };
            let excluded = if exc.is_empty() {
                B::F
            } else {
                B::e(format!(
                    "{C_SP} in {}",
                    in_list(exc.iter().map(String::as_str))
                ))
            };
            and(included, not(excluded))
        }
    };
    c.fail(
        Reason::WorkloadIdentities,
        and(sp.clone(), not(workload_hit)),
    );
    let (reason, t) = target(applications.as_ref());
    c.fail(reason, t);
    c.fail(
        Reason::ClientApps,
        and(user.clone(), client_apps(client_app_types)),
    );
    // Device filter: only an unregistered device is decided offline (it has
    // no attributes); a registered one lacks the filter's attributes.
    if let Some(f) = devices.as_ref().and_then(|d| d.filter.as_ref()) {
        match device_filter::parse(&f.rule) {
            Err(_) => c.fail(Reason::InvalidCondition, user.clone()),
            Ok(expr) => {
                let hit = expr.matches(&Device::default());
                let fails = hit != (f.mode == FilterMode::Include);
                c.fail(
                    Reason::Devices,
                    and(
                        user.clone(),
                        and(B::e(format!("not({C_REGISTERED})")), B::of(fails)),
                    ),
                );
            }
        }
    }
    if let Some(pl) = platform_cond {
        c.fail(Reason::DevicePlatform, and(user.clone(), platforms(pl)));
    }
    c.fail(
        Reason::SignInRisk,
        and(user.clone(), sign_in_risk(sign_in_risk_levels)),
    );
    // User risk is never in a sign-in record: the engine reads `none`.
    c.fail(
        Reason::UserRisk,
        and(
            user.clone(),
            B::of(!user_risk_levels.is_empty() && !user_risk_levels.contains(&RiskLevel::None)),
        ),
    );
    c.fail(
        Reason::InsiderRisk,
        and(user.clone(), B::of(!insider_risk_levels.is_empty())),
    );
    c.fail(
        Reason::AuthenticationFlow,
        and(user.clone(), flows(authentication_flows)),
    );
    c.fail(
        Reason::ServicePrincipalRisk,
        and(
            sp.clone(),
            B::of(
                !service_principal_risk_levels.is_empty()
                    && !service_principal_risk_levels
                        .contains(&crate::model::ServicePrincipalRiskLevel::None),
            ),
        ),
    );
    c.fail(Reason::AgentIdRisk, B::of(!agent_id_risk_levels.is_empty()));
    if let Some(l) = locations {
        let hit = and(
            any(l.include.iter().map(|x| location_ref(x, ctx))),
            not(any(l.exclude.iter().map(|x| location_ref(x, ctx)))),
        );
        c.fail(Reason::Location, not(hit));
    }
    // Facts the record lacks (`replay::deps` and `PolicySet::verdict`).
    let mut groups_unknown = false;
    let mut guest_types = false;
    if let Some(u) = users {
        for set in [&u.include, &u.exclude].into_iter().flatten() {
            for g in &set.groups {
                let known = ctx
                    .inline
                    .is_some_and(|i| i.groups.contains_key(&g.to_ascii_lowercase()));
                groups_unknown |= !known;
            }
            for r in &set.roles {
                let known = ctx
                    .inline
                    .is_some_and(|i| i.roles.contains_key(&r.to_ascii_lowercase()));
                groups_unknown |= !known;
            }
            if let Some(g) = &set.guests_or_external_users {
                let every_type = GuestOrExternalUserType::all()
                    .iter()
                    .all(|t| g.types.contains(t));
                let every_tenant = g.tenants.is_empty() || keyword(&g.tenants, "All");
                guest_types |= !every_type || !every_tenant;
            }
        }
    }
    c.lack(
        fact::MEMBERSHIP,
        Reason::Users,
        and(user.clone(), B::of(groups_unknown)),
    );
    c.lack(
        fact::GUEST_TYPE,
        Reason::Users,
        and(user.clone(), and(B::e(C_EXTERNAL), B::of(guest_types))),
    );
    c.lack(
        fact::USER_RISK,
        Reason::UserRisk,
        and(user.clone(), B::of(!user_risk_levels.is_empty())),
    );
    c.lack(
        fact::SIGN_IN_RISK,
        Reason::SignInRisk,
        and(
            user.clone(),
            and(
                B::of(!sign_in_risk_levels.is_empty()),
                B::e(format!("isempty({C_RISK})")),
            ),
        ),
    );
    c.lack(
        fact::FLOW,
        Reason::AuthenticationFlow,
        and(
            user.clone(),
            and(
                B::of(!authentication_flows.is_empty()),
                B::e(format!("{C_FLOW} == \"?\"")),
            ),
        ),
    );
    c.lack(
        fact::INSIDER_RISK,
        Reason::InsiderRisk,
        and(user.clone(), B::of(!insider_risk_levels.is_empty())),
    );
    c.lack(
        fact::DEVICE_FILTER,
        Reason::Devices,
        and(
            user.clone(),
            and(
                B::of(devices.as_ref().is_some_and(|d| d.filter.is_some())),
                B::e(C_REGISTERED),
            ),
        ),
    );
    c.lack(
        fact::SP_RISK,
        Reason::ServicePrincipalRisk,
        and(sp.clone(), B::of(!service_principal_risk_levels.is_empty())),
    );
    c.lack(
        fact::SP_FILTER,
        Reason::WorkloadIdentities,
        and(
            sp,
            B::of(
                client_applications
                    .as_ref()
                    .is_some_and(|x| x.filter.is_some()),
            ),
        ),
    );
    if let Some(l) = locations {
        let unevaluable = location_unevaluable(l, ctx.tenant);
        c.lack(
            fact::LOCATION,
            Reason::Location,
            or(B::of(unevaluable), B::e("LocationMissing")),
        );
    }
    c.lack(
        fact::APP_FILTER,
        Reason::Application,
        B::of(applications.as_ref().is_some_and(|a| a.filter.is_some())),
    );
    c
}

/// The locations condition names a location the tenant file does not
/// detail (`replay::deps`).
fn location_unevaluable(l: &crate::model::Locations, tenant: Option<&Tenant>) -> bool {
    let detailed: BTreeSet<String> = tenant
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
    l.include
        .iter()
        .chain(&l.exclude)
        .any(|r| match r.as_str() {
            "All" => false,
            "AllTrusted" => !all_detailed,
            id => !detailed.contains(&id.to_ascii_lowercase()),
        })
}

// ---------------------------------------------------------------------------
// The query
// ---------------------------------------------------------------------------

/// A written query.
#[derive(Debug)]
pub struct Query {
    /// The KQL text.
    pub text: String,
    /// What the caller should print on stderr (groups left out, …).
    pub warnings: Vec<String>,
}

/// Checks a `--kql-window` value: a KQL timespan literal of whole days,
/// hours or minutes (`30d`, `12h`, `90m`;
/// <https://learn.microsoft.com/kusto/query/scalar-data-types/timespan>).
pub fn parse_window(s: &str) -> Result<String, String> {
    let ok = s.len() > 1
        && s.len() <= 8
        && matches!(s.as_bytes()[s.len() - 1], b'd' | b'h' | b'm')
        && s[..s.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && s[..s.len() - 1].parse::<u32>().is_ok_and(|n| n > 0);
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "`{s}` is not a time window: write a whole number of days, hours or minutes, e.g. 30d, 12h, 90m"
        ))
    }
}

fn set_columns(out: &mut String, prefix: &str, set: &[Compiled]) -> String {
    let mut statuses = Vec::new();
    for (i, c) in set.iter().enumerate() {
        let col = format!("{prefix}{i}");
        let _ = writeln!(out, "// {col}: {}", crate::monitor::comment_text(&c.name));
        for n in &c.notes {
            let _ = writeln!(out, "//   {}", crate::monitor::comment_text(n));
        }
        let _ = writeln!(out, "| extend {col} = {}", c.status());
        statuses.push(col);
    }
    let applies_with = |effect: char| -> B {
        any(set
            .iter()
            .enumerate()
            .filter(|(_, c)| c.enforced)
            .map(|(i, c)| {
                let hits: Vec<usize> = c
                    .effects
                    .chars()
                    .enumerate()
                    .filter(|(_, e)| *e == effect)
                    .map(|(k, _)| k)
                    .collect();
                let shape = match hits.len() {
                    0 => B::F,
                    8 => B::T,
                    _ => B::e(format!(
                        "substring({}, {C_SHAPE}, 1) == {}",
                        kql_string(&c.effects),
                        kql_string(&effect.to_string())
                    )),
                };
                and(B::e(format!("{prefix}{i} == \"a\"")), shape)
            }))
    };
    let block = applies_with('b');
    let grant = applies_with('g');
    let unknown = any(set
        .iter()
        .enumerate()
        .filter(|(_, c)| c.enforced)
        .map(|(i, _)| B::e(format!("{prefix}{i} == \"u\""))));
    let access = format!("{prefix}Access");
    let _ = writeln!(
        out,
        "| extend {access} = case({}, \"block\", {}, \"unknown\", {}, \"grant\", \"allow\")",
        block.kql(),
        unknown.kql(),
        grant.kql()
    );
    // Per-policy counts are reported for the head only (as offline).
    if prefix == "H" {
        let _ = writeln!(
            out,
            "| extend {prefix}Statuses = pack_array({})",
            if statuses.is_empty() {
                "\"\"".to_owned()
            } else {
                statuses.join(", ")
            }
        );
    }
    access
}

/// Writes the query for `head` (and `base`) over the last `window`.
pub fn query(
    head: &[PolicyRef],
    base: Option<&[PolicyRef]>,
    tenant: Option<&Tenant>,
    members: Option<&Members>,
    window: &str,
) -> Query {
    let mut warnings = Vec::new();
    let all: Vec<&Policy> = head
        .iter()
        .chain(base.unwrap_or_default())
        .map(|r| r.policy)
        .collect();
    let inline = members.map(|m| Inline::new(m, &all, &mut warnings));
    let ctx = Context::new(tenant, inline.as_ref());
    let head_c: Vec<Compiled> = head.iter().map(|r| compile(r, &ctx)).collect();
    let base_c: Option<Vec<Compiled>> = base.map(|b| b.iter().map(|r| compile(r, &ctx)).collect());
    let mut q = String::new();
    q.push_str("// caac replay --kql: the replay of the policies below over SigninLogs and\n");
    q.push_str("// AADNonInteractiveUserSignInLogs, one row per aggregate (dimension, key).\n");
    let _ = writeln!(
        q,
        "// Head: {} policies; base: {}; members: {}.",
        head.len(),
        match &base_c {
            None => "none".to_owned(),
            Some(b) => format!("{} policies", b.len()),
        },
        match &inline {
            None =>
                "no members file (group- and role-scoped policies are unknown for users)".to_owned(),
            Some(i) => format!(
                "{} groups and {} roles inlined",
                i.groups.len(),
                i.roles.len()
            ),
        }
    );
    for w in &warnings {
        let _ = writeln!(q, "// warning: {}", crate::monitor::comment_text(w));
    }
    let _ = writeln!(q, "let caacWindow = {window};");
    let proj = projection();
    q.push_str("let caacSignIns = union\n");
    for (i, table) in ["SigninLogs", "AADNonInteractiveUserSignInLogs"]
        .iter()
        .enumerate()
    {
        let _ = writeln!(
            q,
            "    ({table}\n    | where TimeGenerated > ago(caacWindow)\n{proj}){}",
            if i == 0 { "," } else { "" }
        );
    }
    q.push_str(&derived());
    let head_access = set_columns(&mut q, "H", &head_c);
    let base_access = base_c.as_ref().map(|b| set_columns(&mut q, "B", b));
    // Unknown facts over both sides (`Replayer::record`).
    let mut facts = Vec::new();
    for fact in FACTS {
        let mut e = B::F;
        for (prefix, set) in
            std::iter::once(("H", &head_c)).chain(base_c.as_ref().map(|b| ("B", b)))
        {
            for (i, c) in set.iter().enumerate() {
                for (f, _, b) in &c.lacks {
                    if *f == fact {
                        e = or(e, and(B::e(format!("{prefix}{i} == \"u\"")), b.clone()));
                    }
                }
            }
        }
        if e != B::F {
            facts.push(format!("iff({}, {}, \"\")", e.kql(), kql_string(fact)));
        }
    }
    let _ = writeln!(
        q,
        "| extend Lacking = pack_array({})",
        if facts.is_empty() {
            "\"\"".to_owned()
        } else {
            facts.join(", ")
        }
    );
    if let Some(b) = &base_access {
        let _ = writeln!(
            q,
            "| extend Change = case({b} == \"unknown\" or {head_access} == \"unknown\", \"undetermined\", {b} != \"block\" and {head_access} == \"block\", \"newlyBlocked\", {b} == \"allow\" and {head_access} == \"grant\", \"newlyPrompted\", {b} in (\"grant\", \"block\") and {head_access} == \"allow\", \"newlyUnprotected\", \"\")"
        );
    }
    q.push_str(";\n");
    // Only the columns the aggregates read are cached (materialize keeps its
    // result in memory: https://learn.microsoft.com/kusto/query/materialize-function).
    let mut keep = vec!["Who", "App", "PlatformKey", head_access.as_str()];
    if let Some(b) = &base_access {
        keep.extend([b.as_str(), "Change"]);
    }
    keep.extend(["HStatuses", "Lacking"]);
    let _ = writeln!(
        q,
        "let caacEvaluated = materialize(caacSignIns | where isempty(Skip) | project {});",
        keep.join(", ")
    );
    let mut counts = format!(
        "signIns = count(), block = countif({head_access} == \"block\"), grant = countif({head_access} == \"grant\"), allow = countif({head_access} == \"allow\"), unknown = countif({head_access} == \"unknown\")"
    );
    if base_access.is_some() {
        counts.push_str(", newlyBlocked = countif(Change == \"newlyBlocked\"), newlyPrompted = countif(Change == \"newlyPrompted\"), newlyUnprotected = countif(Change == \"newlyUnprotected\"), undetermined = countif(Change == \"undetermined\")");
    }
    let names: Vec<String> = head_c
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{i}, {}", kql_string(&c.name)))
        .collect();
    let mut legs = vec![
        "(caacSignIns | where isnotempty(Skip) | summarize signIns = count() by key = Skip | extend dimension = \"skipped\")".to_owned(),
        format!("(caacEvaluated | summarize {counts} | extend dimension = \"total\", key = \"\")"),
        format!("(caacEvaluated | summarize {counts} by key = Who | extend dimension = \"user\")"),
        format!("(caacEvaluated | summarize {counts} by key = App | extend dimension = \"app\")"),
        format!("(caacEvaluated | summarize {counts} by key = PlatformKey | extend dimension = \"platform\")"),
        "(caacEvaluated | mv-expand Fact = Lacking to typeof(string) | where isnotempty(Fact) | summarize signIns = count() by key = Fact | extend dimension = \"unknownFact\")".to_owned(),
        format!(
            "(caacEvaluated | mv-expand with_itemindex = PolicyIndex Status = HStatuses to typeof(string) | summarize applies = countif(Status == \"a\"), unknown = countif(Status == \"u\") by PolicyIndex | join kind = inner (datatable(PolicyIndex: long, key: string) [{}]) on PolicyIndex | summarize applies = sum(applies), unknown = sum(unknown) by key | extend dimension = \"policy\")",
            names.join(", ")
        ),
    ];
    if let Some(b) = &base_access {
        legs.push(format!(
            "(caacEvaluated | summarize signIns = count(), block = countif({b} == \"block\"), grant = countif({b} == \"grant\"), allow = countif({b} == \"allow\"), unknown = countif({b} == \"unknown\") | extend dimension = \"base\", key = \"\")"
        ));
    }
    q.push_str("union\n    ");
    q.push_str(&legs.join(",\n    "));
    q.push('\n');
    let mut columns = vec![
        "dimension",
        "key",
        "signIns",
        "block",
        "grant",
        "allow",
        "unknown",
    ];
    if base_access.is_some() {
        columns.extend([
            "newlyBlocked",
            "newlyPrompted",
            "newlyUnprotected",
            "undetermined",
        ]);
    }
    columns.push("applies");
    let _ = writeln!(q, "| project {}", columns.join(", "));
    q.push_str("| order by dimension asc, key asc\n");
    Query { text: q, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signins::Record;
    use serde_json::{Map, Value, json};

    /// YAML read by caac's own loader.
    fn yaml<T: serde::de::DeserializeOwned>(text: &str) -> T {
        let (v, _) = crate::load::parse_text(text).unwrap_or_else(|d| panic!("{d:?}\n{text}"));
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    fn policy(text: &str) -> Policy {
        crate::test_support::from_yaml(text)
    }

    fn compiled(yaml: &str) -> Compiled {
        let p = policy(yaml);
        let ctx = Context::new(None, None);
        compile(
            &PolicyRef {
                name: "P",
                policy: &p,
            },
            &ctx,
        )
    }

    fn fail_of(c: &Compiled, r: Reason) -> Option<String> {
        c.fails.iter().find(|(x, _)| *x == r).map(|(_, b)| b.kql())
    }

    /// tools/kusto/tables.json: the columns of the Azure Monitor table
    /// reference pages (the Kusto check declares the same file).
    fn columns(table: &str) -> Map<String, Value> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/kusto/tables.json");
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        spec["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == table)
            .unwrap()["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_owned(), c["type"].clone()))
            .collect()
    }

    /// The shared field table names real columns: every column is on the
    /// SigninLogs page
    /// (<https://learn.microsoft.com/azure/azure-monitor/reference/tables/signinlogs>)
    /// and, except `ConditionalAccessAudiences` (which the query reads
    /// through `column_ifexists`), on the AADNonInteractiveUserSignInLogs
    /// page; the nested ones are `dynamic` in the first and `string` in the
    /// second, which is why each leg reads them with `todynamic(tostring())`.
    #[test]
    fn field_table_columns_are_in_both_azure_monitor_tables() {
        let interactive = columns("SigninLogs");
        let non_interactive = columns("AADNonInteractiveUserSignInLogs");
        for f in field::ALL
            .iter()
            .map(|f| f.column)
            .chain([field::LOCATION_FALLBACK])
        {
            assert!(interactive.contains_key(f), "SigninLogs lacks {f}");
            if f == field::AUDIENCES.column {
                assert!(!non_interactive.contains_key(f));
            } else {
                assert!(non_interactive.contains_key(f), "non-interactive lacks {f}");
            }
        }
        for f in [field::DEVICE_DETAIL.column, field::LOCATION.column] {
            assert_eq!(interactive[f], "dynamic");
            assert_eq!(non_interactive[f], "string");
        }
        let q = projection();
        for f in field::ALL {
            assert!(q.contains(f.column), "the query does not read {}", f.column);
        }
        assert!(q.contains("todynamic(tostring(DeviceDetail))"));
        assert!(q.contains("todynamic(tostring(LocationDetails))"));
        assert!(q.contains("column_ifexists(\"ConditionalAccessAudiences\""));
    }

    /// The offline reader reads the same table: a row written with the
    /// table's column names (and one with its Graph names) gives every value.
    #[test]
    fn offline_reader_reads_the_shared_field_names() {
        for graph in [false, true] {
            let name = |f: super::super::Field| if graph { f.graph } else { f.column };
            let mut m = Map::new();
            let mut put = |f: super::super::Field, v: Value| {
                m.insert(name(f).to_owned(), v);
            };
            put(field::ID, json!("s1"));
            put(field::USER_ID, json!("U1"));
            put(field::USER_PRINCIPAL_NAME, json!("a@contoso.com"));
            put(field::USER_TYPE, json!("Guest"));
            put(field::CROSS_TENANT, json!("b2bCollaboration"));
            put(field::HOME_TENANT, json!("T1"));
            put(field::APP_ID, json!("A1"));
            put(field::APP_NAME, json!("App"));
            put(field::RESOURCE_ID, json!("R1"));
            put(field::AUDIENCES, json!(["R2"]));
            put(field::CLIENT_APP_USED, json!("Browser"));
            put(
                field::DEVICE_DETAIL,
                json!({field::DEVICE_OS: "iOS 17", field::DEVICE_ID: "d1"}),
            );
            put(field::IP_ADDRESS, json!("203.0.113.9"));
            put(field::LOCATION, json!({field::LOCATION_COUNTRY: "nl"}));
            put(field::SIGN_IN_RISK, json!("low"));
            put(field::AUTHENTICATION_PROTOCOL, json!("deviceCode"));
            put(field::ORIGINAL_TRANSFER_METHOD, json!("none"));
            let r = Record::from_fields(&m).unwrap();
            assert_eq!(r.id, "s1");
            assert_eq!(r.user_id.as_deref(), Some("u1"));
            assert_eq!(r.user_principal_name.as_deref(), Some("a@contoso.com"));
            assert_eq!(r.user_type.as_deref(), Some("Guest"));
            assert_eq!(r.cross_tenant.as_deref(), Some("b2bCollaboration"));
            assert_eq!(r.home_tenant.as_deref(), Some("t1"));
            assert_eq!(r.app_id.as_deref(), Some("a1"));
            assert_eq!(r.app_name.as_deref(), Some("App"));
            assert_eq!(r.resource_id.as_deref(), Some("r1"));
            assert_eq!(r.audiences, vec!["r2".to_owned()]);
            assert_eq!(r.client_app_used.as_deref(), Some("Browser"));
            assert_eq!(r.operating_system.as_deref(), Some("iOS 17"));
            assert_eq!(r.device_id.as_deref(), Some("d1"));
            assert_eq!(r.ip_address.as_deref(), Some("203.0.113.9"));
            assert_eq!(r.country.as_deref(), Some("NL"));
            assert_eq!(r.sign_in_risk.as_deref(), Some("low"));
            assert_eq!(r.authentication_protocol.as_deref(), Some("deviceCode"));
            assert_eq!(r.original_transfer_method.as_deref(), Some("none"));
        }
        // `Location` stands in for a missing `LocationDetails.countryOrRegion`.
        let m = json!({"Id": "x", field::LOCATION_FALLBACK: "de"});
        let r = Record::from_fields(m.as_object().unwrap()).unwrap();
        assert_eq!(r.country.as_deref(), Some("DE"));
        assert!(projection().contains("tostring(Location)"));
    }

    /// The query's client-app and platform cases are the offline tables,
    /// entry by entry, in order.
    #[test]
    fn client_app_and_platform_cases_come_from_the_shared_tables() {
        let d = derived();
        for (name, c) in CLIENT_APPS {
            assert_eq!(super::super::client_app(name), Some(c));
            assert!(d.contains(&kql_string(name)), "{name}");
        }
        let platform_case = d
            .lines()
            .find(|l| l.trim_start().starts_with("Platform = case("))
            .unwrap();
        let expected: Vec<String> = PLATFORM_PREFIXES
            .iter()
            .map(|(p, pl)| format!("Os startswith \"{p}\", \"{}\"", pl.wire()))
            .collect();
        assert!(
            platform_case.contains(&expected.join(", ")),
            "{platform_case}"
        );
        for (p, pl) in PLATFORM_PREFIXES {
            assert_eq!(super::super::platform(&format!("{p} 1.0")), Some(pl));
        }
    }

    #[test]
    fn constants_fold_and_text_never_depends_on_precedence() {
        let a = B::e("A == 1");
        let b = B::e("B == 2");
        assert_eq!(and(B::T, a.clone()), a);
        assert_eq!(and(B::F, a.clone()), B::F);
        assert_eq!(or(B::T, a.clone()), B::T);
        assert_eq!(or(B::F, a.clone()), a);
        assert_eq!(not(not(a.clone())), a);
        let ab = or(a.clone(), b.clone());
        assert_eq!(and(ab.clone(), B::e("C")).kql(), "(A == 1 or B == 2) and C");
        assert_eq!(or(and(a, b), B::e("C")).kql(), "(A == 1 and B == 2) or C");
        assert_eq!(not(ab).kql(), "not(A == 1 or B == 2)");
        // Quotes and parentheses inside strings are not operators.
        assert_eq!(
            and(B::e("X == \" or (\""), B::e("Y")).kql(),
            "X == \" or (\" and Y"
        );
    }

    /// "Browser", "Mobile apps and desktop clients", "Exchange ActiveSync
    /// clients", "Other clients"; with none selected the policy applies to
    /// every client
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps>).
    #[test]
    fn client_apps_condition() {
        assert_eq!(
            client_apps(&[ClientAppType::ExchangeActiveSync, ClientAppType::Other]).kql(),
            "Client !in (\"exchangeActiveSync\", \"other\")"
        );
        assert_eq!(
            client_apps(&[ClientAppType::EasSupported]).kql(),
            "Client !in (\"exchangeActiveSync\")"
        );
        assert_eq!(client_apps(&[]), B::F);
        assert_eq!(client_apps(&[ClientAppType::All]), B::F);
    }

    /// Device platforms: "any device" includes platforms Conditional Access
    /// cannot identify, and "Block access for unknown or unsupported device
    /// platform" includes any device and excludes the known ones
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/howto-policy-unknown-unsupported-device>).
    #[test]
    fn platforms_condition() {
        let p = |y: &str| -> crate::model::Platforms { yaml(y) };
        assert_eq!(
            platforms(&p("include: [all]\nexclude: [android, iOS]")).kql(),
            "Platform in (\"android\", \"iOS\")"
        );
        // An explicit list never matches an unidentified platform.
        assert_eq!(
            platforms(&p("include: [iOS]")).kql(),
            "not(Platform in (\"iOS\"))"
        );
        assert_eq!(
            platforms(&p("include: [iOS, android]\nexclude: [android]")).kql(),
            "not(Platform in (\"iOS\", \"android\") and not(Platform in (\"android\")))"
        );
        assert_eq!(platforms(&p("include: [all]")), B::F);
        assert_eq!(platforms(&p("include: [all]\nexclude: [all]")), B::T);
    }

    /// Sign-in risk "low, medium, high"; a hidden level ("wasn't enabled
    /// for Identity Protection") is unknown, never `none`
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#sign-in-risk>).
    #[test]
    fn sign_in_risk_condition_and_hidden_is_unknown() {
        assert_eq!(
            sign_in_risk(&[RiskLevel::High, RiskLevel::Medium]).kql(),
            "iff(isempty(SignInRisk), \"none\", SignInRisk) !in (\"high\", \"medium\")"
        );
        assert_eq!(sign_in_risk(&[]), B::F);
        let c = compiled(
            "displayName: P\nstate: enabled\nusers: {include: {users: [All]}}\napplications: {include: [All]}\nsignInRiskLevels: [high]\ngrant: {builtInControls: [mfa]}",
        );
        assert!(
            c.lacks
                .iter()
                .any(|l| l.0 == "sign-in risk" && l.2.kql() == "IsUser and isempty(SignInRisk)")
        );
        assert!(!derived().contains("Risk == \"hidden\""));
    }

    /// Authentication flows: device code flow and authentication transfer
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows>);
    /// a record that logs no flow is unknown (`?`).
    #[test]
    fn authentication_flows_condition() {
        assert_eq!(
            flows(&[TransferMethod::DeviceCodeFlow]).kql(),
            "Flow !in (\"deviceCodeFlow\")"
        );
        let c = compiled(
            "displayName: P\nstate: enabled\nusers: {include: {users: [All]}}\napplications: {include: [All]}\nauthenticationFlows: [deviceCodeFlow]\ngrant: {builtInControls: [block]}",
        );
        assert!(
            c.lacks
                .iter()
                .any(|l| l.0 == "authentication flow" && l.2.kql() == "IsUser and Flow == \"?\"")
        );
    }

    /// Target resources: a policy applies when a requested resource is
    /// included and not excluded; Office 365 expands to its member apps
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps>);
    /// user actions and authentication contexts are never what a sign-in
    /// log record requests.
    #[test]
    fn target_resources_condition() {
        let a = |y: &str| -> crate::model::Applications { yaml(y) };
        let (r, b) = target(Some(&a("include: [All]\nexclude: [AAA]")));
        assert_eq!(r, Reason::Application);
        assert_eq!(
            b.kql(),
            "not(array_length(set_difference(Targets, dynamic([\"aaa\"]))) > 0)"
        );
        let (_, b) = target(Some(&a("include: [Office365]")));
        let exo = "00000002-0000-0ff1-ce00-000000000000";
        assert!(
            b.kql().contains(exo)
                && b.kql()
                    .starts_with("not(array_length(set_intersect(Targets")
        );
        assert_eq!(target(Some(&a("include: [All]"))).1, B::F);
        assert_eq!(
            target(Some(&a("userActions: [urn:user:registersecurityinfo]"))),
            (Reason::UserActions, B::T)
        );
        assert_eq!(target(None), (Reason::Application, B::T));
    }

    /// Users: include All, listed users, guests or external users by type
    /// and tenant; "The exclude action overrides the include action"
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups>).
    /// Without a members file a group decides nothing and is unknown.
    #[test]
    fn users_condition_and_membership() {
        let ctx = Context::new(None, None);
        let set = |y: &str| -> crate::model::UserSet { yaml(y) };
        assert_eq!(side(Some(&set("users: [All]")), &ctx), B::T);
        assert_eq!(
            side(Some(&set("users: [U1, U2]")), &ctx).kql(),
            "UserId in (\"u1\", \"u2\")"
        );
        assert_eq!(
            side(
                Some(&set(
                    "guestsOrExternalUsers: {types: [b2bCollaborationGuest], tenants: [T1]}"
                )),
                &ctx
            )
            .kql(),
            "External and HomeTenant in (\"t1\")"
        );
        // Only internal guests: the log's external user is a B2B guest.
        assert_eq!(
            side(
                Some(&set("guestsOrExternalUsers: {types: [internalGuest]}")),
                &ctx
            ),
            B::F
        );
        assert_eq!(side(Some(&set("groups: [G1]")), &ctx), B::F);
        let yaml = "displayName: P\nstate: enabled\nusers: {include: {users: [All]}, exclude: {groups: [G1]}}\napplications: {include: [All]}\ngrant: {builtInControls: [mfa]}";
        let c = compiled(yaml);
        assert!(
            c.lacks
                .iter()
                .any(|l| l.0 == "membership" && l.2 == B::e("IsUser"))
        );
        assert_eq!(fail_of(&c, Reason::Users), None);
        // With a members file the group's members are inlined.
        let m = Members::parse(r#"{"version":1,"groups":{"G1":["U2","U1"]}}"#).unwrap();
        let p = policy(yaml);
        let mut warnings = Vec::new();
        let inline = Inline::new(&m, &[&p], &mut warnings);
        let ctx = Context::new(None, Some(&inline));
        let c = compile(
            &PolicyRef {
                name: "P",
                policy: &p,
            },
            &ctx,
        );
        assert!(c.lacks.iter().all(|l| l.0 != "membership"));
        assert_eq!(
            fail_of(&c, Reason::Users).unwrap(),
            "IsUser and set_has_element(dynamic([\"u1\", \"u2\"]), UserId)"
        );
        assert!(warnings.is_empty());
    }

    /// A group larger than the bound is left out with a warning and stays
    /// unknown (never silently treated as "not a member").
    #[test]
    fn huge_groups_are_unknown_with_a_warning() {
        let ids: Vec<String> = (0..=MAX_INLINE_IDS).map(|i| format!("u{i}")).collect();
        let m = Members::parse(&json!({"version": 1, "groups": {"G1": ids}}).to_string()).unwrap();
        let p = policy(
            "displayName: P\nstate: enabled\nusers: {include: {groups: [G1]}}\napplications: {include: [All]}\ngrant: {builtInControls: [mfa]}",
        );
        let mut warnings = Vec::new();
        let inline = Inline::new(&m, &[&p], &mut warnings);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("g1") && warnings[0].contains("unknown"));
        let ctx = Context::new(None, Some(&inline));
        let c = compile(
            &PolicyRef {
                name: "P",
                policy: &p,
            },
            &ctx,
        );
        assert!(c.lacks.iter().any(|l| l.0 == "membership"));
    }

    /// Exchange ActiveSync: "Selecting All users, All guest and external
    /// users, or Directory roles causes all users to be subject of the
    /// policy"
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#exchange-activesync-clients>).
    #[test]
    fn exchange_activesync_covers_every_user_for_roles() {
        let c = compiled(
            "displayName: P\nstate: enabled\nusers: {include: {roles: [62e90394-69f5-4237-9190-012177145e10]}}\napplications: {include: [All]}\nclientAppTypes: [exchangeActiveSync]\ngrant: {builtInControls: [block]}",
        );
        assert_eq!(
            fail_of(&c, Reason::Users).unwrap(),
            "IsUser and not(Client == \"exchangeActiveSync\")"
        );
    }

    /// Named locations: IP ranges, countries, and "Include unknown
    /// countries/regions" for a sign-in whose country is not known
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network>).
    #[test]
    fn locations_condition() {
        let tenant: Tenant = yaml(
            "namedLocations:\n  Office:\n    id: 11111111-1111-4111-8111-111111111111\n    ipRanges: [203.0.113.0/24, '2001:db8::/32']\n    trusted: true\n  Blocked:\n    id: 22222222-2222-4222-8222-222222222222\n    countries: [RU]\n    includeUnknownCountries: true\n",
        );
        let ctx = Context::new(Some(&tenant), None);
        assert_eq!(
            location_ref("AllTrusted", &ctx).kql(),
            "(isnotempty(IPv4) and ipv4_is_in_any_range(IPv4, dynamic([\"203.0.113.0/24\"]))) or (isnotempty(IPv6) and ipv6_is_in_any_range(IPv6, dynamic([\"2001:db8::/32\"])))"
        );
        assert_eq!(
            location_ref("22222222-2222-4222-8222-222222222222", &ctx).kql(),
            "(isnotempty(Country) and Country in~ (\"RU\")) or isempty(Country)"
        );
        // An id the tenant file does not list never matches (and is unknown).
        assert_eq!(
            location_ref("33333333-3333-4333-8333-333333333333", &ctx),
            B::F
        );
        let p = policy(
            "displayName: P\nstate: enabled\nusers: {include: {users: [All]}}\napplications: {include: [All]}\nlocations: {include: [All], exclude: [33333333-3333-4333-8333-333333333333]}\ngrant: {builtInControls: [block]}",
        );
        let c = compile(
            &PolicyRef {
                name: "P",
                policy: &p,
            },
            &ctx,
        );
        assert!(c.lacks.iter().any(|l| l.0 == "location" && l.2 == B::T));
    }

    /// Device filters: offline, an unregistered device has no attributes
    /// (decided now); a registered device's filter attributes are not in
    /// the log, so the filter is unknown for it.
    #[test]
    fn device_filter_condition() {
        let c = compiled(
            "displayName: P\nstate: enabled\nusers: {include: {users: [All]}}\napplications: {include: [All]}\ndevices: {filter: {mode: include, rule: 'device.trustType -eq \"AzureAD\"'}}\ngrant: {builtInControls: [block]}",
        );
        assert_eq!(
            fail_of(&c, Reason::Devices).unwrap(),
            "IsUser and not(Registered)"
        );
        assert!(
            c.lacks
                .iter()
                .any(|l| l.0 == "device filter" && l.2.kql() == "IsUser and Registered")
        );
    }

    /// What the engine only notes is written beside the policy, never
    /// dropped: a device filter that does not parse blocks the policy for
    /// users (invalidCondition) and says why.
    #[test]
    fn unevaluated_parts_are_noted_in_the_query() {
        let p = policy(
            "displayName: P\nstate: enabled\nusers: {include: {users: [All]}}\napplications: {include: [All]}\ndevices: {filter: {mode: include, rule: 'device.trustType = 1'}}\ngrant: {builtInControls: [block]}",
        );
        let refs = [PolicyRef {
            name: "P",
            policy: &p,
        }];
        let q = query(&refs, None, None, None, "30d");
        assert!(
            q.text
                .contains("// H0: P\n//   the device filter does not parse"),
            "{}",
            q.text
        );
        let c = compile(&refs[0], &Context::new(None, None));
        assert_eq!(fail_of(&c, Reason::InvalidCondition).unwrap(), "IsUser");
    }

    /// The status rule: unknown only when no known condition decides ("All
    /// assignments are logically ANDed", concept-conditional-access-policies).
    #[test]
    fn status_unknown_only_when_nothing_known_decides() {
        let mut c = Compiled {
            name: "P".into(),
            enforced: true,
            fails: vec![(Reason::ClientApps, B::e("X"))],
            lacks: vec![("user risk", Reason::UserRisk, B::T)],
            effects: "bbbbbbbb".into(),
            notes: Vec::new(),
        };
        assert_eq!(c.status(), "iff(not(X), \"u\", iff(X, \"n\", \"a\"))");
        c.lacks.clear();
        assert_eq!(c.status(), "iff(X, \"n\", \"a\")");
        c.fails.clear();
        assert_eq!(c.status(), "\"a\"");
    }

    /// Report-only policies never decide access; a disabled one never
    /// applies (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only>).
    #[test]
    fn states_and_grant_effects_per_shape() {
        let c = compiled(
            "displayName: P\nstate: enabledForReportingButNotEnforced\nusers: {include: {users: [All]}}\napplications: {include: [All]}\ngrant: {builtInControls: [mfa]}",
        );
        assert!(!c.enforced);
        // MFA: legacy shapes (odd index) cannot satisfy it, so they block.
        assert_eq!(c.effects, "gbgbgbgb");
        let d = compiled(
            "displayName: P\nstate: disabled\nusers: {include: {users: [All]}}\napplications: {include: [All]}\ngrant: {builtInControls: [block]}",
        );
        assert_eq!(fail_of(&d, Reason::PolicyNotEnabled).unwrap(), "true");
    }

    #[test]
    fn window_is_a_timespan_literal() {
        assert_eq!(parse_window("30d").unwrap(), "30d");
        assert_eq!(parse_window("12h").unwrap(), "12h");
        assert_eq!(parse_window("90m").unwrap(), "90m");
        for bad in ["", "d", "0d", "30", "30 d", "1w", "ago(30d)", "3.5d", "-1d"] {
            assert!(parse_window(bad).unwrap_err().contains("30d"), "{bad}");
        }
    }
}
