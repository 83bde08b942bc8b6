//! Token Protection readiness from sign-in logs (`caac readiness
//! token-protection`): which users and devices would pass an enforced
//! Token Protection policy today, with the evidence.
//!
//! Contract, from
//! <https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>:
//!
//! - **In scope**: user sign-ins to a resource Token Protection is enforced
//!   on — "Exchange Online, SharePoint Online, Microsoft Teams" — from a
//!   native client (`mobileAppsAndDesktopClients`): "Token Protection
//!   currently supports native applications only. Browser-based applications
//!   are not supported", and the policy is deployed for mobile apps and
//!   desktop clients (**caac decision**: browser and legacy sign-ins are
//!   counted but decide nothing).
//! - **Evidence per sign-in**: "The sign-in logs include a
//!   `tokenProtectionStatusDetails` property that indicates whether a request
//!   uses a device-bound token" (`signInSessionStatus` `bound` / `unbound`,
//!   `signInSessionStatusCode`); `bound` is ready, `unbound` is not (with its
//!   code). When the record does not log it, the sign-in is ready only when
//!   it "came from a supported client on a registered Windows device" (the
//!   known-good criterion of caac's readiness design): the documented
//!   requirements hold ([`crate::whatif::token_binding_gap`]: a native
//!   client on a registered device of a supported platform), the device is
//!   Windows, and the client is one of the Windows deployment guide's
//!   supported applications that the record shows ([`clients::SUPPORTED`],
//!   by client `appId`); the evidence names that client. Any other unlogged
//!   sign-in is "not confirmed" (**caac decision**, the safe side: an
//!   unrecognised client, or an Apple device, whose MDM management and SSO
//!   plug-in the record does not show).
//! - **Known good users**: at least one in-scope sign-in, and every one of
//!   them ready. **Keep out**: any in-scope sign-in not ready or not
//!   confirmed, with the reasons counted. Users without an in-scope sign-in
//!   have no evidence.
//! - The known-good CSV follows the admin center's bulk-add template for
//!   group members, "Member object ID or user principal name
//!   [memberObjectIdOrUpn] Required", one object id per row
//!   (<https://learn.microsoft.com/entra/identity/users/groups-bulk-import-members>).
//!
//! - **Clients and devices Microsoft lists as unsupported** ("Known
//!   limitations" on the concept page) are data, [`UNSUPPORTED`], each with
//!   how it is recognised in a sign-in record and its source. A recognised
//!   sign-in is not ready with that reason unless the record logs it
//!   `bound` (the logged status is evidence; the table is inference).
//! - Unbound status codes are named as the Windows deployment guide
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-windows>)
//!   lists them: 1002 no device state, 1003 device state not satisfying
//!   token protection (an unsupported registration type — Entra joined
//!   Azure Virtual Desktop session hosts and Windows 365 Cloud PCs, bulk
//!   enrollment, Power Automate hosted machine groups, Autopilot
//!   self-deploying mode, Azure VMs with Microsoft Entra sign-in — or a
//!   registration without fresh credentials), 1005 other, 1006 OS version,
//!   1008 client not using the platform broker (WAM). Those registration
//!   types are not in a sign-in record otherwise.
//!
//! Not recognisable from a sign-in record (no field tells them apart; their
//! sign-ins are judged by the logged status or the requirements above):
//! Office perpetual clients (they sign in as the same Microsoft Office
//! client as Microsoft 365 Apps), Windows-based Microsoft Teams Rooms
//! (a Teams client on Windows), app and OS versions (Power Query's update
//! channel, Windows 10 builds).

use super::Record;
use super::clients;
use super::members::Members;
use super::replay::{PolicySet, Status};
use crate::whatif::{ClientApp, Identity, PolicyRef, Reason, Target, token_binding_gap};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Exchange Online, SharePoint Online and Microsoft Teams Services (ids
/// and their sources in [`clients::APP_IDS`]).
pub const RESOURCES: [(&str, &str); 3] = [
    (clients::EXCHANGE_ONLINE, "Exchange Online"),
    (clients::SHAREPOINT_ONLINE, "SharePoint Online"),
    (clients::TEAMS_SERVICES, "Microsoft Teams Services"),
];

/// Exchange Online and SharePoint Online, the resources the concept page's
/// client limitations name ("users are blocked when accessing Exchange and
/// SharePoint").
const EXCHANGE: &str = clients::EXCHANGE_ONLINE;
const SHAREPOINT: &str = clients::SHAREPOINT_ONLINE;

/// The concept page, source of every [`UNSUPPORTED`] entry.
pub const CONCEPT: &str =
    "https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection";
pub use super::clients::{FIRST_PARTY_APPS, WINDOWS_GUIDE};

/// A client or device Microsoft lists as unable to present a protected
/// token, and how caac recognises it in a sign-in record.
#[derive(Debug)]
pub struct Unsupported {
    /// As Microsoft names it.
    pub name: &'static str,
    /// Which record fields recognise it (for the docs and the report).
    pub recognised_by: &'static str,
    /// Microsoft's words, quoted in the keep-out reason.
    pub quote: &'static str,
    /// The Learn page.
    pub source: &'static str,
    /// Recognises it: the record and the requested resources (lowercase ids).
    matches: fn(&Record, &[String]) -> bool,
}

fn app_is(r: &Record, ids: &[&str], names: &[&str]) -> bool {
    r.app_id
        .as_deref()
        .is_some_and(|a| ids.iter().any(|i| i.eq_ignore_ascii_case(a)))
        || r.app_name
            .as_deref()
            .is_some_and(|n| names.iter().any(|x| n.eq_ignore_ascii_case(x)))
}

fn contains_ci(hay: Option<&str>, needles: &[&str]) -> bool {
    hay.is_some_and(|h| {
        let h = h.to_ascii_lowercase();
        needles.iter().any(|n| h.contains(n))
    })
}

fn to_any(apps: &[String], ids: &[&str]) -> bool {
    apps.iter().any(|a| ids.contains(&a.as_str()))
}

/// The Surface Hub edition as an OS name: "Windows 10 Team" or "Windows
/// Team", as a whole word (so "Windows Teams…" is not it).
fn team_edition(os: &str) -> bool {
    let lower = os.to_ascii_lowercase();
    ["windows 10 team", "windows team"].iter().any(|p| {
        lower.find(p).is_some_and(|i| {
            !lower[i + p.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        })
    })
}

/// Windows Server, unless 2019 or newer and hybrid joined (the concept
/// page supports "Windows Server 2019 or newer that are hybrid Microsoft
/// Entra joined"; `trustType` "Domain Joined" is hybrid joined, as the
/// replay mapping reads it).
fn unsupported_server(r: &Record, _: &[String]) -> bool {
    let Some(os) = r.operating_system.as_deref() else {
        return false;
    };
    let lower = os.to_ascii_lowercase();
    if !(lower.starts_with("windows") && lower.contains("server")) {
        return false;
    }
    let year = lower
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse::<u32>().ok())
        .find(|y| (2000..2100).contains(y));
    let hybrid = contains_ci(r.trust_type.as_deref(), &["domain", "hybrid"]);
    !(hybrid && year.is_some_and(|y| y >= 2019))
}

/// The clients and devices the concept page's "Known limitations" name that
/// a sign-in record can show (see the module comment for those it cannot).
pub const UNSUPPORTED: &[Unsupported] = &[
    Unsupported {
        name: "PowerShell modules accessing SharePoint",
        recognised_by: "client `appId` 9bc3ab49-b65d-410a-85ad-de819febfddc (SharePoint Online Management Shell) or 31359c7f-bd7e-475c-86db-fdb8c937548e (PnP Management Shell) — ids no Microsoft page lists — or that `appDisplayName`, requesting SharePoint Online",
        quote: "PowerShell modules accessing SharePoint don't support signing in using protected token flows and users are blocked",
        source: CONCEPT,
        matches: |r, apps| {
            to_any(apps, &[SHAREPOINT])
                && app_is(
                    r,
                    &[clients::SPO_MANAGEMENT_SHELL, clients::PNP_MANAGEMENT_SHELL],
                    &[
                        "Microsoft SharePoint Online Management Shell",
                        "SharePoint Online Management Shell",
                        "PnP Management Shell",
                    ],
                )
        },
    },
    Unsupported {
        name: "PowerQuery extension for Excel",
        recognised_by: "client `appId` a672d62c-fc7b-4e81-a576-e60dc46e951d or `appDisplayName` \"Microsoft Power Query for Excel\"; the update channel is not logged",
        quote: "PowerQuery extension for Excel doesn't support signing in using protected token flows (the Windows guide supports it only for users on Current Channel, which the log does not show)",
        source: CONCEPT,
        matches: |r, _| {
            app_is(
                r,
                &[clients::POWER_QUERY_EXCEL],
                &["Microsoft Power Query for Excel"],
            )
        },
    },
    Unsupported {
        name: "Extensions to Visual Studio Code which access Exchange or SharePoint",
        recognised_by: "client `appId` aebc6443-996d-45c2-90f0-388ff96faa56 or `appDisplayName` \"Visual Studio Code\", requesting Exchange Online or SharePoint Online",
        quote: "Extensions to Visual Studio Code which access Exchange or SharePoint don't support signing in using protected token flows and users are blocked",
        source: CONCEPT,
        matches: |r, apps| {
            to_any(apps, &[EXCHANGE, SHAREPOINT])
                && app_is(r, &[clients::VISUAL_STUDIO_CODE], &["Visual Studio Code"])
        },
    },
    Unsupported {
        name: "Surface Hub",
        recognised_by: "`deviceDetail.operatingSystem` or `userAgent` containing \"Surface Hub\", or `deviceDetail.operatingSystem` naming its edition, \"Windows 10 Team\" / \"Windows Team\" (a whole word: not \"Windows Teams…\")",
        quote: "Surface Hub is a Windows client device that isn't supported",
        source: CONCEPT,
        matches: |r, _| {
            contains_ci(r.operating_system.as_deref(), &["surface hub"])
                || contains_ci(r.user_agent.as_deref(), &["surface hub"])
                || r.operating_system.as_deref().is_some_and(team_edition)
        },
    },
    Unsupported {
        name: "Windows Server (unless 2019 or newer and hybrid joined)",
        recognised_by: "`deviceDetail.operatingSystem` starting \"Windows\" and containing \"Server\", without a year of 2019 or later or without `trustType` Domain Joined / hybrid joined",
        quote: "only \"Windows Server 2019 or newer that are hybrid Microsoft Entra joined\" is a supported server device",
        source: CONCEPT,
        matches: unsupported_server,
    },
];

/// The entry recognising this sign-in, if any.
pub fn unsupported(r: &Record, apps: &[String]) -> Option<&'static Unsupported> {
    UNSUPPORTED.iter().find(|u| (u.matches)(r, apps))
}

/// What an unbound `signInSessionStatusCode` means, in the Windows
/// deployment guide's words ("Possible `statusCodes` when request is
/// unbound", [`WINDOWS_GUIDE`]); other codes are reported as logged.
fn status_meaning(code: i64) -> Option<&'static str> {
    match code {
        1002 => Some("no Microsoft Entra ID device state"),
        1003 => Some(
            "the device state doesn't satisfy token protection: an unsupported device registration type, or not registered with fresh sign-in credentials",
        ),
        1005 => Some("other unspecified reasons"),
        1006 => Some("the OS version is unsupported"),
        1008 => Some("the client isn't integrated with the platform broker (WAM)"),
        _ => None,
    }
}

/// `--policy NAME`: readiness for the users and resources one policy
/// targets. The policy's user assignment (include/exclude users, groups,
/// roles, guests) and target resources are evaluated by the replay engine
/// ([`PolicySet`]); its other conditions (platforms, client apps, locations,
/// …) are deliberately not applied: readiness answers "can these users be
/// added to the enforcement policy", and a sign-in another condition
/// happens to leave out today still counts against the user (the safe
/// side). A user assignment that depends on a group or role the members
/// file does not cover (or the exact guest type) is "scope unknown":
/// counted, never guessed.
pub struct PolicyScope<'a> {
    set: PolicySet<'a>,
    members: Option<&'a Members>,
}

/// Whether a sign-in is in a [`PolicyScope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InScope {
    /// The policy targets this user and a requested resource.
    Yes,
    /// It does not (why).
    No(&'static str),
    /// The record cannot decide (what is missing).
    Unknown(&'static str),
}

/// `p` with only its assignment to users and resources (users, target
/// resources, workload identities) and its controls: the conditions
/// [`PolicyScope`] evaluates.
pub fn assignment_only(p: &crate::model::Policy) -> crate::model::Policy {
    crate::model::Policy {
        display_name: p.display_name.clone(),
        id: p.id.clone(),
        state: p.state,
        users: p.users.clone(),
        client_applications: p.client_applications.clone(),
        applications: p.applications.clone(),
        client_app_types: vec![crate::model::ClientAppType::All],
        grant: p.grant.clone(),
        session: p.session.clone(),
        ..crate::model::Policy::default()
    }
}

impl<'a> PolicyScope<'a> {
    /// The scope of `policy`, which must be [`assignment_only`]'s result
    /// (other conditions would leave sign-ins out), with memberships from
    /// `members`.
    pub fn new(
        policy: PolicyRef<'a>,
        tenant: Option<&crate::model::Tenant>,
        members: Option<&'a Members>,
    ) -> PolicyScope<'a> {
        PolicyScope {
            set: PolicySet::new(vec![policy], tenant),
            members,
        }
    }

    /// Is `s` (read from `r`) in scope?
    fn of(&mut self, r: &Record) -> InScope {
        let Ok((mut s, missing)) = r.sign_in() else {
            return InScope::Unknown("unreadable record");
        };
        if let (
            Some(m),
            Identity::User {
                id, groups, roles, ..
            },
        ) = (self.members, &mut s.identity)
        {
            (*groups, *roles) = m.of(id);
        }
        let known = self.members.map(|m| (&m.known_groups, &m.known_roles));
        let v = self.set.verdict(&s, missing, known);
        match &v.statuses[0] {
            // The resources first: a user condition that fails may rest on
            // a membership the record lacks, the resources never do.
            Status::NotApplies(rs) if rs.contains(Reason::Application) => {
                InScope::No("resources the policy does not target")
            }
            Status::NotApplies(rs) if rs.contains(Reason::Users) => {
                InScope::No("users the policy does not target")
            }
            Status::Unknown(why) if why.contains(&"membership") => InScope::Unknown(
                "group or role membership (give --members FILE from `caac pull --members`)",
            ),
            Status::Unknown(why) if why.contains(&"guest type") => {
                InScope::Unknown("the exact guest or external user type")
            }
            Status::Unknown(why) if why.contains(&"application filter") => {
                InScope::Unknown("the policy's application filter")
            }
            _ => InScope::Yes,
        }
    }
}

/// One user's (or device's) evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// User principal name, when logged.
    pub upn: Option<String>,
    /// In-scope sign-ins.
    pub in_scope: u64,
    /// Of which logged as bound.
    pub bound: u64,
    /// Of which not logged but from a supported client on a registered
    /// Windows device: the client's name (as the Windows guide gives it) →
    /// count.
    pub supported: BTreeMap<&'static str, u64>,
    /// Not ready: reason → count.
    pub not_ready: BTreeMap<String, u64>,
    /// The first not-ready sign-in ids (at most 5).
    pub examples: Vec<String>,
}

impl Evidence {
    /// Every in-scope sign-in is ready.
    pub fn ready(&self) -> bool {
        self.in_scope > 0 && self.not_ready.is_empty()
    }
}

/// The readiness totals.
#[derive(Debug, Default)]
pub struct Readiness {
    /// By user object id.
    pub users: BTreeMap<String, Evidence>,
    /// By device id (`unregistered` devices are not listed).
    pub devices: BTreeMap<String, Evidence>,
    /// User sign-ins read.
    pub sign_ins: u64,
    /// Out of scope (other resources, browser, legacy), by why.
    pub out_of_scope: BTreeMap<&'static str, u64>,
    /// Records that cannot be evaluated (why → count; see `caac replay`).
    pub unreadable: BTreeMap<String, u64>,
    /// With `--policy`: in-scope sign-ins whose policy scope the record
    /// cannot decide (what is missing → count).
    pub scope_unknown: BTreeMap<&'static str, u64>,
}

/// What one in-scope sign-in shows.
#[derive(Debug)]
enum Verdict {
    /// Logged `bound`.
    Bound,
    /// Not logged; a supported client on a registered Windows device.
    Supported(&'static clients::Supported),
    /// Not ready, or not confirmed: why.
    NotReady(String),
}

/// The verdict for one in-scope sign-in (see the module comment).
fn verdict(r: &Record, s: &crate::whatif::SignIn, apps: &[String]) -> Verdict {
    match (&r.session_status, r.session_status_code) {
        (Some(st), _) if st.eq_ignore_ascii_case("bound") => Verdict::Bound,
        (Some(st), code) if st.eq_ignore_ascii_case("unbound") => {
            Verdict::NotReady(match (code, code.and_then(status_meaning)) {
                (Some(c), Some(m)) => format!("unbound (status code {c}: {m})"),
                (Some(c), None) => format!("unbound (status code {c})"),
                (None, _) => "unbound".to_owned(),
            })
        }
        _ => {
            if let Some(u) = unsupported(r, apps) {
                return Verdict::NotReady(format!(
                    "unsupported client or device: {} ({})",
                    u.name, u.source
                ));
            }
            if let Some(gap) =
                token_binding_gap(s.client_app, s.platform, s.device.registered, &s.target)
            {
                return Verdict::NotReady(gap.to_owned());
            }
            if s.platform != Some(crate::model::Platform::Windows) {
                return Verdict::NotReady(format!(
                    "not confirmed: the binding status is not logged, and caac confirms a supported client only on a registered Windows device ({WINDOWS_GUIDE})"
                ));
            }
            match clients::supported(r.app_id.as_deref()) {
                Some(c) => Verdict::Supported(c),
                None => Verdict::NotReady(format!(
                    "not confirmed: the binding status is not logged, and the client ({}) is not one of the supported applications caac recognises ({WINDOWS_GUIDE})",
                    r.app_name
                        .as_deref()
                        .or(r.app_id.as_deref())
                        .unwrap_or("not logged")
                )),
            }
        }
    }
}

impl Readiness {
    /// Adds one record (service principal and unreadable records are
    /// ignored), within `scope` when given.
    pub fn add(&mut self, r: &Record, scope: Option<&mut PolicyScope<'_>>) {
        let s = match r.sign_in() {
            Ok((s, _)) => s,
            Err(e) => {
                let why = e.split(':').next().unwrap_or_default().to_owned();
                *self.unreadable.entry(why).or_default() += 1;
                return;
            }
        };
        let Some(user) = &r.user_id else { return };
        if r.service_principal_id.is_some() {
            return;
        }
        self.sign_ins += 1;
        let Target::Applications(apps) = &s.target else {
            *self.out_of_scope.entry("not an application").or_default() += 1;
            return;
        };
        if !apps.iter().any(|a| RESOURCES.iter().any(|(id, _)| id == a)) {
            *self.out_of_scope.entry("other resources").or_default() += 1;
            return;
        }
        if s.client_app != ClientApp::MobileAppsAndDesktopClients {
            *self
                .out_of_scope
                .entry("browser or legacy client")
                .or_default() += 1;
            return;
        }
        if let Some(scope) = scope {
            match scope.of(r) {
                InScope::Yes => {}
                InScope::No(why) => {
                    *self.out_of_scope.entry(why).or_default() += 1;
                    return;
                }
                InScope::Unknown(what) => {
                    *self.scope_unknown.entry(what).or_default() += 1;
                    return;
                }
            }
        }
        let v = verdict(r, &s, apps);
        let record = |e: &mut Evidence| {
            e.in_scope += 1;
            match &v {
                Verdict::Bound => e.bound += 1,
                Verdict::Supported(c) => *e.supported.entry(c.name).or_default() += 1,
                Verdict::NotReady(w) => {
                    *e.not_ready.entry(w.clone()).or_default() += 1;
                    if e.examples.len() < 5 {
                        e.examples.push(r.id.clone());
                    }
                }
            }
        };
        let u = self.users.entry(user.clone()).or_default();
        if u.upn.is_none() {
            u.upn.clone_from(&r.user_principal_name);
        }
        record(u);
        if let Some(d) = &r.device_id {
            record(self.devices.entry(d.to_ascii_lowercase()).or_default());
        }
    }

    /// The known-good users' CSV for the admin center's bulk add.
    pub fn known_good_csv(&self) -> String {
        let mut s = String::from(
            "Member object ID or user principal name [memberObjectIdOrUpn] Required\n",
        );
        for (id, e) in &self.users {
            if e.ready() {
                s.push_str(id);
                s.push('\n');
            }
        }
        s
    }

    /// The versioned JSON report.
    pub fn json(&self) -> Value {
        let user = |id: &String, e: &Evidence| {
            json!({"objectId": id, "userPrincipalName": e.upn, "signIns": e.in_scope,
                   "bound": e.bound, "supportedClients": e.supported,
                   "reasons": e.not_ready, "examples": e.examples})
        };
        json!({
            "version": 1,
            "signIns": self.sign_ins,
            "outOfScope": self.out_of_scope,
            "unreadable": self.unreadable,
            "scopeUnknown": self.scope_unknown,
            "knownGood": self.users.iter().filter(|(_, e)| e.ready()).map(|(i, e)| user(i, e)).collect::<Vec<_>>(),
            "keepOut": self.users.iter().filter(|(_, e)| !e.not_ready.is_empty()).map(|(i, e)| user(i, e)).collect::<Vec<_>>(),
            "noEvidence": self.users.values().filter(|e| e.in_scope == 0).count(),
            "devices": self.devices.iter().map(|(d, e)| json!({
                "deviceId": d, "ready": e.ready(), "signIns": e.in_scope, "reasons": e.not_ready,
            })).collect::<Vec<_>>(),
        })
    }

    /// The text report.
    pub fn human(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let good: Vec<_> = self.users.iter().filter(|(_, e)| e.ready()).collect();
        let out: Vec<_> = self
            .users
            .iter()
            .filter(|(_, e)| !e.not_ready.is_empty())
            .collect();
        let _ = writeln!(
            s,
            "{} user sign-ins read; {} known good user(s), {} to keep out",
            self.sign_ins,
            good.len(),
            out.len()
        );
        for (k, n) in &self.out_of_scope {
            let _ = writeln!(s, "  out of scope: {n} × {k}");
        }
        for (k, n) in &self.unreadable {
            let _ = writeln!(s, "  not evaluated: {n} × {k}");
        }
        for (k, n) in &self.scope_unknown {
            let _ = writeln!(s, "  policy scope unknown: {n} × {k}");
        }
        let name = |id: &String, e: &Evidence| e.upn.clone().unwrap_or_else(|| id.clone());
        for (id, e) in good {
            let supported: Vec<String> = e
                .supported
                .iter()
                .map(|(c, n)| format!("{n} × {c}"))
                .collect();
            let from = if supported.is_empty() {
                String::new()
            } else {
                format!(
                    "; from a supported client on a registered Windows device: {}",
                    supported.join(", ")
                )
            };
            let _ = writeln!(
                s,
                "ready: {} ({} sign-ins, {} logged bound{from})",
                name(id, e),
                e.in_scope,
                e.bound
            );
        }
        for (id, e) in out {
            let reasons: Vec<String> = e
                .not_ready
                .iter()
                .map(|(r, n)| format!("{n} × {r}"))
                .collect();
            let _ = writeln!(
                s,
                "keep out: {}: {} (e.g. sign-in {})",
                name(id, e),
                reasons.join("; "),
                e.examples.join(", ")
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_unsupported_entry_cites_learn_and_says_how_it_is_recognised() {
        for u in UNSUPPORTED {
            assert!(
                u.source.starts_with("https://learn.microsoft.com/"),
                "{}",
                u.name
            );
            assert!(
                !u.recognised_by.is_empty() && !u.quote.is_empty(),
                "{}",
                u.name
            );
        }
    }

    /// Unlogged sign-ins: ready only from a supported client on a
    /// registered Windows device (the Windows deployment guide's list);
    /// otherwise "not confirmed", never assumed ready.
    #[test]
    fn unlogged_sign_ins_need_a_supported_client_on_registered_windows() {
        let rec = |app: &str, name: &str, os: &str| {
            Record::from_fields(
                json!({"id": "x", "userId": "u", "appId": app, "appDisplayName": name,
                       "resourceId": clients::EXCHANGE_ONLINE,
                       "clientAppUsed": "Mobile Apps and Desktop clients",
                       "deviceDetail": {"operatingSystem": os, "deviceId": "d"}})
                .as_object()
                .unwrap(),
            )
            .unwrap()
        };
        let judge = |r: &Record| {
            let (s, _) = r.sign_in().unwrap();
            let Target::Applications(apps) = &s.target else {
                panic!()
            };
            verdict(r, &s, apps)
        };
        let outlook = rec(
            clients::MICROSOFT_OUTLOOK,
            "Microsoft Outlook",
            "Windows 11",
        );
        assert!(matches!(judge(&outlook), Verdict::Supported(c) if c.name == "Outlook"));
        // A client the guide does not list, or caac cannot recognise.
        let other = rec(
            "00000000-0000-4000-8000-00000000abcd",
            "Contoso Mail",
            "Windows 11",
        );
        let Verdict::NotReady(why) = judge(&other) else {
            panic!()
        };
        assert!(why.starts_with("not confirmed:"), "{why}");
        assert!(why.contains("Contoso Mail"), "{why}");
        // A supported client, but on macOS: not confirmed.
        let mac = rec(
            clients::MICROSOFT_OUTLOOK,
            "Microsoft Outlook",
            "MacOs 14.5",
        );
        assert!(matches!(judge(&mac), Verdict::NotReady(w) if w.starts_with("not confirmed:")));
    }

    #[test]
    fn log_analytics_user_agent_recognises_surface_hub() {
        // A Log Analytics row: PascalCase `UserAgent`, DeviceDetail as a JSON string.
        let r = Record::from_fields(
            json!({"Id": "x", "UserId": "u", "UserAgent": "… Surface Hub …",
                   "DeviceDetail": "{\"operatingSystem\":\"Windows 10\"}"})
            .as_object()
            .unwrap(),
        )
        .unwrap();
        assert_eq!(unsupported(&r, &[]).map(|u| u.name), Some("Surface Hub"));
        let os = |o: &str| Record {
            operating_system: Some(o.into()),
            ..Record::default()
        };
        assert!(unsupported(&os("Windows 10 Team"), &[]).is_some());
        assert!(unsupported(&os("Windows Team 2020 Update"), &[]).is_some());
        assert!(unsupported(&os("Windows Teams Edition"), &[]).is_none());
        assert!(unsupported(&os("Windows 10"), &[]).is_none());
        let r = Record {
            operating_system: Some("Windows Server 2019".into()),
            trust_type: Some("Hybrid Azure AD joined".into()),
            ..Record::default()
        };
        assert!(unsupported(&r, &[]).is_none());
    }
}
