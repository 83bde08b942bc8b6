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
//!   code). When the record does not log it, the engine's documented
//!   requirements decide ([`crate::whatif::token_binding_gap`]: a native
//!   client on a registered Windows, macOS or iOS device can bind).
//! - **Known good users**: at least one in-scope sign-in, and every one of
//!   them ready. **Keep out**: any in-scope sign-in not ready, with the
//!   reasons counted. Users without an in-scope sign-in have no evidence.
//! - The known-good CSV follows the admin center's bulk-add template for
//!   group members, "Member object ID or user principal name
//!   [memberObjectIdOrUpn] Required", one object id per row
//!   (<https://learn.microsoft.com/entra/identity/users/groups-bulk-import-members>).
//!
//! Not modelled (not in a sign-in record): OS and app versions, the
//! unsupported clients the page lists by name (Office perpetual, PowerShell
//! modules, Power Query, VS Code extensions, Windows Server, Surface Hub,
//! Teams Rooms) unless their sign-ins log `unbound`.

use super::Record;
use crate::whatif::{ClientApp, Target, token_binding_gap};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Exchange Online, SharePoint Online and Microsoft Teams Services.
pub const RESOURCES: [(&str, &str); 3] = [
    ("00000002-0000-0ff1-ce00-000000000000", "Exchange Online"),
    ("00000003-0000-0ff1-ce00-000000000000", "SharePoint Online"),
    (
        "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
        "Microsoft Teams Services",
    ),
];

/// One user's (or device's) evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// User principal name, when logged.
    pub upn: Option<String>,
    /// In-scope sign-ins.
    pub in_scope: u64,
    /// Of which logged as bound.
    pub bound: u64,
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
}

/// Why one in-scope sign-in is not ready, or `None` when it is; and
/// whether it was logged as bound.
fn verdict(r: &Record, s: &crate::whatif::SignIn) -> (Option<String>, bool) {
    match (&r.session_status, r.session_status_code) {
        (Some(st), _) if st.eq_ignore_ascii_case("bound") => (None, true),
        (Some(st), code) if st.eq_ignore_ascii_case("unbound") => (
            Some(match code {
                Some(c) => format!("unbound (status code {c})"),
                None => "unbound".to_owned(),
            }),
            false,
        ),
        _ => (
            token_binding_gap(s.client_app, s.platform, s.device.registered, &s.target)
                .map(str::to_owned),
            false,
        ),
    }
}

impl Readiness {
    /// Adds one record (service principal and unreadable records are ignored).
    pub fn add(&mut self, r: &Record) {
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
        let (why, bound) = verdict(r, &s);
        let record = |e: &mut Evidence| {
            e.in_scope += 1;
            if bound {
                e.bound += 1;
            }
            if let Some(w) = &why {
                *e.not_ready.entry(w.clone()).or_default() += 1;
                if e.examples.len() < 5 {
                    e.examples.push(r.id.clone());
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
                   "bound": e.bound, "reasons": e.not_ready, "examples": e.examples})
        };
        json!({
            "version": 1,
            "signIns": self.sign_ins,
            "outOfScope": self.out_of_scope,
            "unreadable": self.unreadable,
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
        let name = |id: &String, e: &Evidence| e.upn.clone().unwrap_or_else(|| id.clone());
        for (id, e) in good {
            let _ = writeln!(
                s,
                "ready: {} ({} sign-ins, {} logged bound)",
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
