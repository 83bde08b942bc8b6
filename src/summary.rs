//! `caac report`: the policy set described for people who do not read YAML
//! (a CISO, an auditor, the service desk).
//!
//! Named `summary` rather than `report` because [`crate::render`] is the
//! diagnostics renderer (human, JSON, SARIF, GitHub); this module renders
//! the *policies*.
//!
//! Contract: [`build`] turns checked policies into a [`Summary`] — one
//! plain-English sentence per policy (names, never GUIDs: ids go back to
//! names through [`crate::import::unresolve`], i.e. the tenant file and the
//! built-in catalog), a persona × application matrix of outcomes from the
//! what-if engine ([`crate::whatif`]) for one stated ordinary sign-in, one
//! matrix per location class the policies and the tenant file tell apart,
//! the exclusions, and the lint summary. [`markdown`] and [`html`] render it
//! ([`json`] gives the same facts to programs);
//! both are pure and deterministic (no clock, no paths outside the input).
//! The HTML is one self-contained file: inline CSS, no scripts, no external
//! resources; every string from a spec is escaped ([`escape::html`]), so a
//! display name such as `<script>` renders as text. The command
//! (`commands/report.rs`):
//! exit 0 when the page was written (lint findings are *content* here, not
//! failures — `caac lint` gates), 2 on unreadable input or an unwritable `-o/--output`.
//!
//! The matrix evaluates each cell twice: with the policies as they are
//! (enabled only; report-only policies never enforce,
//! <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only>)
//! and as if the report-only policies were enforced; a difference is shown
//! as "would be …" so a reader sees what the rollout will change.

use crate::catalog::Kind;
use crate::check;
use crate::diag::Severity;
use crate::escape;
use crate::model::{
    BuiltInControl, ClientAppType, FilterMode, Operator, Platform, Policy, RiskLevel, State, Tenant,
};
use crate::whatif::matrix::Combo;
use crate::whatif::matrix::{self, Dim, Matrix};
use crate::whatif::{Access, ClientApp, Control, Outcome, PolicyRef};

/// One piece of a sentence: plain text, or a name to emphasise.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "camelCase")]
pub enum Part {
    /// Plain words.
    Text(String),
    /// A directory or catalog name (users, groups, apps, locations).
    Name(String),
    /// Literal text shown as code (a device or application filter rule).
    Code(String),
}

/// A sentence as parts.
pub type Sentence = Vec<Part>;

/// One policy, described.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyLine {
    /// Display name.
    pub name: String,
    /// "On", "Report-only" or "Off".
    pub state: &'static str,
    /// What it does.
    pub sentence: Sentence,
    /// The spec it comes from.
    pub source: String,
}

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    /// What happens today (enabled policies).
    pub now: String,
    /// What would happen with the report-only policies enforced, when different.
    pub would: Option<String>,
}

/// One exclusion row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exclusion {
    /// The policy.
    pub policy: String,
    /// What kind of thing is excluded ("users", "groups", "platforms", …).
    pub kind: &'static str,
    /// The names.
    pub names: Vec<String>,
    /// From the spec's `exclusions:` record for this principal (users,
    /// groups and roles are one row each, so a record belongs to one row).
    pub owner: Option<String>,
    /// Why, from the same record.
    pub reason: Option<String>,
    /// The last valid day, from the same record.
    pub expires: Option<String>,
}

/// One lint finding, for the summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// Rule id.
    pub code: String,
    /// The policy (or the file).
    pub subject: String,
    /// The message.
    pub message: String,
}

/// The persona × application outcomes from one kind of location.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationMatrix {
    /// The location class, as the matrix labels it ("an IP in a trusted
    /// named location", "an untrusted IP in BR (a country no location
    /// lists)", …).
    pub location: String,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<Cell>>,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Policies, in path order.
    pub policies: Vec<PolicyLine>,
    /// The rest of the sign-in every matrix assumes (platform, client app,
    /// risk, device).
    pub context: String,
    /// Row labels (persona classes).
    pub rows: Vec<String>,
    /// Column labels (application classes).
    pub columns: Vec<String>,
    /// One matrix per location class the policies and the tenant file tell
    /// apart: a policy set that blocks outside a country allow-list blocks
    /// everything from one location and little from another, and a single
    /// assumed location would show only one side of that.
    pub matrices: Vec<LocationMatrix>,
    /// Exclusions.
    pub exclusions: Vec<Exclusion>,
    /// Lint counts: errors, warnings, infos.
    pub counts: (usize, usize, usize),
    /// The most severe findings (at most [`TOP_FINDINGS`]).
    pub findings: Vec<Finding>,
}

/// Lists longer than this name the first few and count the rest.
pub const LIST_MAX: usize = 6;

/// How many findings the summary lists.
pub const TOP_FINDINGS: usize = 10;

fn text(s: impl Into<String>) -> Part {
    Part::Text(s.into())
}

/// "a", "a or b", "a, b or c" as parts (names emphasised).
fn list(names: &[String], conj: &str) -> Vec<Part> {
    let mut out = Vec::new();
    // Long lists (CA002's nineteen admin roles) would drown the sentence.
    if names.len() > LIST_MAX {
        for n in &names[..LIST_MAX - 1] {
            out.push(Part::Name(n.clone()));
            out.push(text(", "));
        }
        out.push(text(format!(
            "{} {conj} {} more",
            "",
            names.len() - (LIST_MAX - 1)
        )));
        // "A, B, C, D, and 15 more": drop the doubled space.
        if let Some(Part::Text(t)) = out.last_mut() {
            *t = t.trim_start().to_owned();
        }
        return out;
    }
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(text(if i + 1 == names.len() {
                format!(" {conj} ")
            } else {
                ", ".to_owned()
            }));
        }
        out.push(Part::Name(n.clone()));
    }
    out
}

/// Plain words joined like [`list`], without emphasis.
fn words(items: &[String], conj: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} {conj} {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn platform_word(p: Platform) -> &'static str {
    match p {
        Platform::Android => "Android",
        Platform::IOS => "iOS",
        Platform::Windows => "Windows",
        Platform::WindowsPhone => "Windows Phone",
        Platform::MacOS => "macOS",
        Platform::Linux => "Linux",
        Platform::All => "any platform",
    }
}

fn client_word(c: ClientAppType) -> &'static str {
    match c {
        ClientAppType::All => "any client",
        ClientAppType::Browser => "a browser",
        ClientAppType::MobileAppsAndDesktopClients => "desktop and mobile apps",
        ClientAppType::ExchangeActiveSync => "Exchange ActiveSync",
        ClientAppType::EasSupported => "Exchange ActiveSync",
        ClientAppType::Other => "other (legacy) clients",
    }
}

fn control_word(c: BuiltInControl) -> &'static str {
    match c {
        BuiltInControl::Block => "block",
        BuiltInControl::Mfa => "multifactor authentication",
        BuiltInControl::CompliantDevice => "a compliant device",
        BuiltInControl::DomainJoinedDevice => "a hybrid-joined device",
        BuiltInControl::ApprovedApplication => "an approved client app",
        BuiltInControl::CompliantApplication => "an app protection policy",
        BuiltInControl::PasswordChange => "a password change",
        BuiltInControl::RiskRemediation => "risk remediation",
        BuiltInControl::VerifiedId => "a Verified ID",
    }
}

fn control_short(c: BuiltInControl) -> &'static str {
    match c {
        BuiltInControl::Block => "Block",
        BuiltInControl::Mfa => "MFA",
        BuiltInControl::CompliantDevice => "compliant device",
        BuiltInControl::DomainJoinedDevice => "hybrid-joined device",
        BuiltInControl::ApprovedApplication => "approved app",
        BuiltInControl::CompliantApplication => "app protection",
        BuiltInControl::PasswordChange => "password change",
        BuiltInControl::RiskRemediation => "risk remediation",
        BuiltInControl::VerifiedId => "Verified ID",
    }
}

fn keyword_user(v: &str) -> Option<&'static str> {
    match v {
        "All" => Some("all users"),
        "None" => Some("nobody"),
        "GuestsOrExternalUsers" => Some("guests and external users"),
        "AllAgentIdUsers" => Some("all agent users"),
        _ => None,
    }
}

fn keyword_app(v: &str) -> Option<&'static str> {
    match v {
        "All" => Some("any application"),
        "None" => Some("no application"),
        "Office365" => Some("Office 365"),
        "MicrosoftAdminPortals" => Some("the Microsoft admin portals"),
        "AllAgentIdResources" => Some("any agent resource"),
        _ => None,
    }
}

/// Who a user set names, as parts ("members of *G*", "*alice*", "all users").
fn who(set: &crate::model::UserSet) -> (Vec<Part>, usize) {
    let mut groups: Vec<Vec<Part>> = Vec::new();
    let mut n = 0;
    let (kw, named): (Vec<&String>, Vec<&String>) =
        set.users.iter().partition(|u| keyword_user(u).is_some());
    for k in kw {
        groups.push(vec![text(keyword_user(k).unwrap_or_default())]);
        n += 2;
    }
    if !named.is_empty() {
        n += named.len();
        groups.push(list(
            &named.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "and",
        ));
    }
    if !set.groups.is_empty() {
        n += 2;
        let mut p = vec![text("members of ")];
        p.extend(list(&set.groups, "or"));
        groups.push(p);
    }
    if !set.roles.is_empty() {
        n += 2;
        let mut p = vec![text("holders of the ")];
        p.extend(list(&set.roles, "or"));
        p.push(text(if set.roles.len() == 1 {
            " role"
        } else {
            " roles"
        }));
        groups.push(p);
    }
    if let Some(g) = &set.guests_or_external_users {
        n += 2;
        let kinds: Vec<String> = g.types.iter().map(|t| guest_word(t.as_str())).collect();
        let every = crate::model::GuestOrExternalUserType::ALL.len();
        groups.push(vec![text(if kinds.is_empty() || g.types.len() >= every {
            "guests and external users".to_owned()
        } else {
            words(&kinds, "and")
        })]);
    }
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        if i > 0 {
            out.push(text(if i + 1 == groups.len() { " and " } else { ", " }));
        }
        out.extend(g.iter().cloned());
    }
    (out, n)
}

fn guest_word(wire: &str) -> String {
    match wire {
        "internalGuest" => "internal guests",
        "b2bCollaborationGuest" => "B2B collaboration guests",
        "b2bCollaborationMember" => "B2B collaboration members",
        "b2bDirectConnectUser" => "B2B direct connect users",
        "otherExternalUser" => "other external users",
        "serviceProvider" => "service provider users",
        other => other,
    }
    .to_owned()
}

/// " (only applications whose attributes match `rule`)".
fn filter_parts(s: &mut Sentence, f: &crate::model::Filter, what: &str) {
    s.push(text(format!(
        " ({} {what} whose attributes match ",
        if f.mode == FilterMode::Include {
            "only"
        } else {
            "except"
        }
    )));
    s.push(Part::Code(f.rule.clone()));
    s.push(text(")"));
}

/// The plain-English sentence for one policy (names already unresolved).
///
/// Every property of the model is named below (no `..`): adding one to
/// [`Policy`] (or to its grant, session, applications or workload
/// identities) breaks the build here until the sentence says it.
pub fn sentence(p: &Policy, tenant: Option<&Tenant>) -> Sentence {
    let Policy {
        // Identity and description: the report's row heading, not the sentence.
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
        grant,
        session,
        // caac metadata: the stage already decided `state`; exclusion
        // records have their own table in the report.
        rollout: _,
        exclusions: _,
        passthrough,
    } = p;
    let mut s: Sentence = Vec::new();
    // What it does.
    let grant = grant.as_ref();
    let session_controls = session.as_ref();
    let blocks = grant.is_some_and(|g| g.built_in_controls.contains(&BuiltInControl::Block));
    let mut requires: Vec<Vec<Part>> = Vec::new();
    if let Some(g) = grant.filter(|_| !blocks) {
        let crate::model::Grant {
            operator,
            built_in_controls,
            authentication_strength,
            terms_of_use,
            custom_authentication_factors,
        } = g;
        let mut items: Vec<Vec<Part>> = built_in_controls
            .iter()
            .map(|c| vec![text(control_word(*c))])
            .collect();
        if let Some(a) = authentication_strength {
            let name = matrix::name_of(Kind::AuthenticationStrength, a, tenant);
            // "Multifactor authentication" and "Phishing-resistant MFA" say
            // what they are; a custom strength's name may not.
            let l = name.to_ascii_lowercase();
            if l.contains("mfa") || l.contains("authentication") {
                items.push(vec![Part::Name(name)]);
            } else {
                items.push(vec![
                    text("the "),
                    Part::Name(name),
                    text(" authentication strength"),
                ]);
            }
        }
        for t in terms_of_use {
            items.push(vec![
                text("accepting the terms of use "),
                Part::Name(t.clone()),
            ]);
        }
        for c in custom_authentication_factors {
            items.push(vec![text("the custom control "), Part::Name(c.clone())]);
        }
        let conj = if *operator == Operator::Or && items.len() > 1 {
            " or "
        } else {
            " and "
        };
        let mut joined = Vec::new();
        if *operator == Operator::Or && items.len() > 1 {
            joined.push(text("one of "));
        }
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                joined.push(text(if i + 1 == items.len() { conj } else { ", " }));
            }
            joined.extend(it.iter().cloned());
        }
        if !items.is_empty() {
            requires.push(joined);
        }
    }
    let mut session: Vec<String> = Vec::new();
    if let Some(se) = session_controls {
        let crate::model::Session {
            token_protection,
            sign_in_frequency,
            persistent_browser,
            application_enforced_restrictions,
            cloud_app_security,
            continuous_access_evaluation,
            disable_resilience_defaults,
            global_secure_access_filtering_profile,
        } = se;
        if *token_protection {
            session.push("token protection (sign-in sessions bound to the device)".into());
        }
        if let Some(f) = sign_in_frequency {
            if f.frequency_interval == Some(crate::model::SignInFrequencyInterval::EveryTime) {
                session.push("a fresh sign-in every time".into());
            } else if let (Some(v), Some(k)) = (f.value, f.kind) {
                let unit = k.as_str().trim_end_matches('s');
                session.push(if v == 1 {
                    format!("a new sign-in every {unit}")
                } else {
                    format!("a new sign-in every {v} {unit}s")
                });
            }
        }
        match persistent_browser {
            Some(crate::model::PersistentBrowserMode::Never) => {
                session.push("no persistent browser session".into());
            }
            Some(crate::model::PersistentBrowserMode::Always) => {
                session.push("persistent browser sessions".into());
            }
            None => {}
        }
        if *application_enforced_restrictions {
            session.push("app-enforced restrictions".into());
        }
        if let Some(c) = cloud_app_security {
            session.push(format!(
                "Defender for Cloud Apps session control ({})",
                c.as_str()
            ));
        }
        if let Some(c) = continuous_access_evaluation {
            session.push(format!("continuous access evaluation: {}", c.as_str()));
        }
        if *disable_resilience_defaults {
            session.push("no resilience defaults".into());
        }
        if let Some(id) = global_secure_access_filtering_profile {
            session.push(format!("the Global Secure Access filtering profile {id}"));
        }
    }
    if blocks {
        s.push(text("Blocks access"));
    } else if requires.is_empty() && session.is_empty() {
        s.push(text("Records (no control)"));
    } else {
        s.push(text("Requires "));
        for (i, r) in requires.iter().enumerate() {
            if i > 0 {
                s.push(text(" and "));
            }
            s.extend(r.iter().cloned());
        }
        if !session.is_empty() {
            if !requires.is_empty() {
                s.push(text(", with "));
            }
            s.push(text(words(&session, "and")));
            if !requires.is_empty() {
                s.push(text(","));
            }
        }
    }
    // Who.
    s.push(text(" when "));
    let (inc, n) = users
        .as_ref()
        .and_then(|u| u.include.as_ref())
        .map(who)
        .unwrap_or_else(|| (vec![text("nobody")], 2));
    let (inc, n) = if inc.is_empty() {
        (vec![text("nobody")], 2)
    } else {
        (inc, n)
    };
    s.extend(inc);
    if let Some(ex) = users.as_ref().and_then(|u| u.exclude.as_ref()) {
        let (parts, _) = who(ex);
        if !parts.is_empty() {
            s.push(text(", except "));
            s.extend(parts);
            s.push(text(","));
        }
    }
    if let Some(ca) = client_applications {
        let crate::model::ClientApplications {
            include,
            exclude,
            filter,
            agent_ids,
        } = ca;
        if !include.is_empty() {
            s.push(text(if n > 0 {
                " or the workload identities "
            } else {
                ""
            }));
            s.extend(list(include, "and"));
            if !exclude.is_empty() {
                s.push(text(" (other than "));
                s.extend(list(exclude, "and"));
                s.push(text(")"));
            }
            if let Some(f) = filter {
                filter_parts(&mut s, f, "service principals");
            }
        }
        if let Some(crate::model::AgentIds {
            include,
            exclude,
            filter,
        }) = agent_ids
            && !include.is_empty()
        {
            s.push(text(" or the agent identities "));
            s.extend(list(include, "and"));
            if !exclude.is_empty() {
                s.push(text(" (other than "));
                s.extend(list(exclude, "and"));
                s.push(text(")"));
            }
            if let Some(f) = filter {
                filter_parts(&mut s, f, "agents");
            }
        }
    }
    s.push(text(if n == 1 { " uses " } else { " use " }));
    // What.
    let apps = applications.as_ref();
    let mut targets: Vec<Vec<Part>> = Vec::new();
    if let Some(a) = apps {
        let (kw, named): (Vec<&String>, Vec<&String>) =
            a.include.iter().partition(|v| keyword_app(v).is_some());
        for k in kw {
            targets.push(vec![text(keyword_app(k).unwrap_or_default())]);
        }
        if !named.is_empty() {
            targets.push(list(
                &named.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "or",
            ));
        }
        for ua in &a.user_actions {
            targets.push(vec![text(match ua.as_str() {
                "registerSecurityInfo"
                | "registerSecurityInformation"
                | "urn:user:registersecurityinfo" => {
                    "the security-info registration page".to_owned()
                }
                "registerDevice" | "registerOrJoinDevices" | "urn:user:registerdevice" => {
                    "device registration or join".to_owned()
                }
                other => format!("the user action {other}"),
            })]);
        }
        for c in &a.authentication_contexts {
            targets.push(vec![
                text("the authentication context "),
                Part::Name(c.clone()),
            ]);
        }
    }
    if targets.is_empty() {
        targets.push(vec![text("no application")]);
    }
    for (i, t) in targets.iter().enumerate() {
        if i > 0 {
            s.push(text(" or "));
        }
        s.extend(t.iter().cloned());
    }
    if let Some(a) = apps
        && !a.exclude.is_empty()
    {
        s.push(text(" (other than "));
        s.extend(list(&a.exclude, "and"));
        s.push(text(")"));
    }
    if let Some(f) = apps.and_then(|a| a.filter.as_ref()) {
        filter_parts(&mut s, f, "applications");
    }
    // Conditions.
    if let Some(pl) = platforms {
        let inc: Vec<String> = pl
            .include
            .iter()
            .map(|p| platform_word(*p).into())
            .collect();
        if !inc.is_empty() && !pl.include.contains(&Platform::All) {
            s.push(text(format!(" from {}", words(&inc, "or"))));
        } else if !inc.is_empty() && !pl.exclude.is_empty() {
            s.push(text(" from any platform"));
        }
        if !pl.exclude.is_empty() {
            let ex: Vec<String> = pl
                .exclude
                .iter()
                .map(|p| platform_word(*p).into())
                .collect();
            s.push(text(format!(" except {}", words(&ex, "or"))));
        }
    }
    if !client_app_types.is_empty() && !client_app_types.contains(&ClientAppType::All) {
        let cs: Vec<String> = client_app_types
            .iter()
            .map(|c| client_word(*c).to_owned())
            .collect();
        let mut cs = cs;
        cs.dedup();
        s.push(text(format!(" with {}", words(&cs, "or"))));
    }
    if let Some(l) = locations {
        let name = |v: &String| match v.as_str() {
            "All" => "any location".to_owned(),
            "AllTrusted" => "trusted locations".to_owned(),
            other => other.to_owned(),
        };
        // "from any location except from X" reads as "except from X".
        let any_but = l.include == ["All"] && !l.exclude.is_empty();
        if !l.include.is_empty() && !any_but {
            s.push(text(" from "));
            s.extend(list(&l.include.iter().map(name).collect::<Vec<_>>(), "or"));
        }
        if !l.exclude.is_empty() {
            s.push(text(" except from "));
            s.extend(list(&l.exclude.iter().map(name).collect::<Vec<_>>(), "or"));
        }
    }
    let risk = |levels: &[RiskLevel]| -> Vec<String> {
        levels.iter().map(|r| r.as_str().to_owned()).collect()
    };
    let wire =
        |levels: Vec<&str>| -> Vec<String> { levels.into_iter().map(str::to_owned).collect() };
    for (levels, what) in [
        (risk(sign_in_risk_levels), "sign-in risk"),
        (risk(user_risk_levels), "user risk"),
        (
            wire(
                service_principal_risk_levels
                    .iter()
                    .map(|r| r.as_str())
                    .collect(),
            ),
            "service principal risk",
        ),
        (
            wire(insider_risk_levels.iter().map(|r| r.as_str()).collect()),
            "insider risk",
        ),
        (
            wire(agent_id_risk_levels.iter().map(|r| r.as_str()).collect()),
            "agent risk",
        ),
    ] {
        if !levels.is_empty() {
            s.push(text(format!(" at {} {what}", words(&levels, "or"))));
        }
    }
    if !authentication_flows.is_empty() {
        let fl: Vec<String> = authentication_flows
            .iter()
            .map(|f| match f.as_str() {
                "deviceCodeFlow" => "device code flow".to_owned(),
                "authenticationTransfer" => "authentication transfer".to_owned(),
                o => o.to_owned(),
            })
            .collect();
        s.push(text(format!(" through {}", words(&fl, "or"))));
    }
    if let Some(crate::model::Devices { filter: Some(f) }) = devices {
        s.push(text(format!(
            " {} devices matching ",
            if f.mode == FilterMode::Include {
                "on"
            } else {
                "except on"
            }
        )));
        s.push(Part::Code(f.rule.clone()));
    }
    if let Some(pt) = passthrough
        && !pt.is_empty()
    {
        let keys: Vec<String> = pt.keys().cloned().collect();
        s.push(text(format!(
            ", plus Graph properties caac does not describe ({})",
            keys.join(", ")
        )));
    }
    s.push(text(format!(
        " — {}.",
        match state {
            State::Enabled => "enforced",
            State::Disabled => "off",
            _ => "report-only",
        }
    )));
    // Tidy: ", except X, use" is fine; ", use" after the comma of an exclusion
    // list already reads right. Merge adjacent texts for stable rendering.
    let mut merged: Sentence = Vec::new();
    for part in s {
        match (merged.last_mut(), part) {
            (Some(Part::Text(a)), Part::Text(b)) => a.push_str(&b),
            (_, part) => merged.push(part),
        }
    }
    merged
}

/// The sentence as plain text (names unmarked), for tests and logs.
pub fn plain(s: &Sentence) -> String {
    s.iter()
        .map(|p| match p {
            Part::Text(t) | Part::Name(t) | Part::Code(t) => t.as_str(),
        })
        .collect()
}

fn state_label(s: State) -> &'static str {
    match s {
        State::Enabled => "On",
        State::Disabled => "Off",
        _ => "Report-only",
    }
}

/// A short verdict for one outcome ("Block", "MFA", "MFA + token protection", "Allow").
fn verdict(o: &Outcome, tenant: Option<&Tenant>) -> String {
    if o.access == Access::Block {
        return "Block".into();
    }
    let mut parts: Vec<String> = Vec::new();
    for r in &o.requirements {
        let cs: Vec<String> = r
            .controls
            .iter()
            .map(|c| match c {
                Control::BuiltIn(b) => control_short(*b).to_owned(),
                Control::AuthenticationStrength(id) => {
                    match matrix::name_of(Kind::AuthenticationStrength, id, tenant).as_str() {
                        "Multifactor authentication" => "MFA".to_owned(),
                        n => n.to_owned(),
                    }
                }
                Control::TermsOfUse(_) => "terms of use".to_owned(),
                Control::CustomAuthenticationFactor(c) => c.clone(),
            })
            .collect();
        let p = if r.operator == Operator::Or && cs.len() > 1 {
            format!("({})", cs.join(" or "))
        } else {
            cs.join(" + ")
        };
        if !p.is_empty() && !parts.contains(&p) {
            parts.push(p);
        }
    }
    if o.session.token_protection {
        parts.push("token protection".into());
    }
    if parts.is_empty() {
        "Allow".into()
    } else {
        parts.join(" + ")
    }
}

fn index_of<T>(values: &[matrix::Value<T>], want: &str) -> usize {
    values
        .iter()
        .position(|v| v.names().iter().any(|n| n == want))
        .unwrap_or(0)
}

/// Builds the summary from checked policies (see the module docs).
pub fn build(checked: &check::Checked, reports: &[crate::render::FileReport]) -> Summary {
    let tenant = checked.tenant.as_ref();
    let mut policies = Vec::new();
    let mut exclusions = Vec::new();
    let mut refs: Vec<(String, &Policy)> = Vec::new();
    for f in &checked.files {
        for u in &f.units {
            let Some(p) = &u.policy else { continue };
            refs.push((p.display_name.clone(), p));
            let mut named = p.clone();
            crate::import::unresolve(&mut named, tenant);
            policies.push(PolicyLine {
                name: p.display_name.clone(),
                state: state_label(p.state),
                sentence: sentence(&named, tenant),
                source: match u.at.as_str() {
                    "" => check::display(&f.path),
                    at => format!("{}#{at}", check::display(&f.path)),
                },
            });
            exclusions.extend(exclusions_of(p, &named));
        }
    }
    // The matrix: as-is, and with report-only policies enforced.
    let now: Vec<PolicyRef> = refs
        .iter()
        .map(|(n, p)| PolicyRef { name: n, policy: p })
        .collect();
    let enforced: Vec<Policy> = refs
        .iter()
        .map(|(_, p)| {
            let mut p = (*p).clone();
            if matches!(
                p.state,
                State::ReportOnly | State::EnabledForReportingButNotEnforced
            ) {
                p.state = State::Enabled;
            }
            p
        })
        .collect();
    let would: Vec<PolicyRef> = refs
        .iter()
        .zip(&enforced)
        .map(|((n, _), p)| PolicyRef { name: n, policy: p })
        .collect();
    let m = Matrix::new(&now, tenant);
    let engine_now = crate::whatif::Engine::new(&now, tenant);
    let engine_would = crate::whatif::Engine::new(&would, tenant);
    let platform = index_of(
        &m.platforms,
        matrix::platform_label(Some(Platform::Windows)),
    );
    let client = index_of(
        &m.clients,
        matrix::client_label(ClientApp::MobileAppsAndDesktopClients),
    );
    let sir = m
        .sign_in_risks
        .iter()
        .position(|v| v.value == RiskLevel::None)
        .unwrap_or(0);
    let ur = m
        .user_risks
        .iter()
        .position(|v| v.value == RiskLevel::None)
        .unwrap_or(0);
    let flow = m.flows.iter().position(|v| v.value.is_none()).unwrap_or(0);
    let base = Combo([0; matrix::DIMS])
        .with(Dim::Platform, platform)
        .with(Dim::Client, client)
        .with(Dim::SignInRisk, sir)
        .with(Dim::UserRisk, ur)
        .with(Dim::Flow, flow);
    let context = if m.size() == 0 {
        String::new()
    } else {
        format!(
            "{}, {}, no sign-in or user risk, {}",
            m.label(Dim::Platform, platform, false),
            m.label(Dim::Client, client, false),
            m.label(Dim::Device, 0, false),
        )
    };
    let rows: Vec<String> = (0..m.len(Dim::Persona))
        .map(|i| m.label(Dim::Persona, i, true))
        .collect();
    let columns: Vec<String> = (0..m.len(Dim::Target))
        .map(|i| m.label(Dim::Target, i, true))
        .collect();
    // Conditional Access evaluates the location of each sign-in against
    // the policies' named locations
    // (<https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network>),
    // so the outcome depends on where the sign-in comes from: one matrix per
    // location class of the scenario matrix.
    let mut matrices = Vec::new();
    if m.size() > 0 {
        for l in 0..m.len(Dim::Location) {
            let mut cells = Vec::new();
            for r in 0..rows.len() {
                let mut row = Vec::new();
                for c in 0..columns.len() {
                    let combo = base
                        .with(Dim::Location, l)
                        .with(Dim::Persona, r)
                        .with(Dim::Target, c);
                    let s = m.sign_in(&combo);
                    let a = verdict(&engine_now.evaluate(&s), tenant);
                    let b = verdict(&engine_would.evaluate(&s), tenant);
                    row.push(Cell {
                        would: (a != b).then_some(b),
                        now: a,
                    });
                }
                cells.push(row);
            }
            matrices.push(LocationMatrix {
                location: m.label(Dim::Location, l, false),
                cells,
            });
        }
    }
    // Lint.
    let mut counts = (0, 0, 0);
    let mut findings = Vec::new();
    for r in reports {
        for d in &r.diagnostics {
            match d.severity {
                Severity::Error => counts.0 += 1,
                Severity::Warning => counts.1 += 1,
                Severity::Info => counts.2 += 1,
            }
            findings.push(Finding {
                severity: d.severity,
                code: d.code.to_owned(),
                subject: d.policy.clone().unwrap_or_else(|| r.path.clone()),
                message: d.message.clone(),
            });
        }
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.truncate(TOP_FINDINGS);
    Summary {
        policies,
        context,
        rows,
        columns,
        matrices,
        exclusions,
        counts,
        findings,
    }
}

/// One exclusion row without an `exclusions:` record (nothing when `names` is empty).
fn add_row(out: &mut Vec<Exclusion>, p: &Policy, kind: &'static str, names: Vec<String>) {
    if !names.is_empty() {
        out.push(Exclusion {
            policy: p.display_name.clone(),
            kind,
            names,
            owner: None,
            reason: None,
            expires: None,
        });
    }
}

/// The exclusions of one policy: `resolved` carries the ids and the
/// `exclusions:` records, `p` the same policy with names. A record matches a
/// principal written by name or by id (ASCII case ignored).
fn exclusions_of(resolved: &Policy, p: &Policy) -> Vec<Exclusion> {
    let mut out = Vec::new();
    if let Some(ex) = p.users.as_ref().and_then(|u| u.exclude.as_ref()) {
        let ids = resolved.users.as_ref().and_then(|u| u.exclude.as_ref());
        let principals: [(&'static str, Vec<String>, Vec<String>); 3] = [
            (
                "user",
                ex.users
                    .iter()
                    .map(|u| keyword_user(u).map_or_else(|| u.clone(), str::to_owned))
                    .collect(),
                ids.map(|i| i.users.clone()).unwrap_or_default(),
            ),
            (
                "group",
                ex.groups.clone(),
                ids.map(|i| i.groups.clone()).unwrap_or_default(),
            ),
            (
                "role",
                ex.roles.clone(),
                ids.map(|i| i.roles.clone()).unwrap_or_default(),
            ),
        ];
        for (kind, names, ids) in principals {
            for (i, name) in names.into_iter().enumerate() {
                let id = ids.get(i).map_or("", String::as_str);
                let note = resolved.exclusions.iter().find(|n| {
                    n.principal.eq_ignore_ascii_case(&name)
                        || (!id.is_empty() && n.principal.eq_ignore_ascii_case(id))
                });
                out.push(Exclusion {
                    policy: p.display_name.clone(),
                    kind,
                    names: vec![name],
                    owner: note.and_then(|n| n.owner.clone()),
                    reason: note.and_then(|n| n.reason.clone()),
                    expires: note.and_then(|n| n.expires.clone()),
                });
            }
        }
        let mut add = |kind, names| add_row(&mut out, p, kind, names);
        if let Some(g) = &ex.guests_or_external_users {
            let every = crate::model::GuestOrExternalUserType::ALL.len();
            add(
                "guests",
                if g.types.is_empty() || g.types.len() >= every {
                    vec!["all guests and external users".to_owned()]
                } else {
                    g.types.iter().map(|t| guest_word(t.as_str())).collect()
                },
            );
        }
    }
    let mut add = |kind, names| add_row(&mut out, p, kind, names);
    if let Some(a) = &p.applications {
        add(
            "applications",
            a.exclude
                .iter()
                .map(|v| keyword_app(v).map_or_else(|| v.clone(), str::to_owned))
                .collect(),
        );
    }
    if let Some(pl) = &p.platforms {
        add(
            "platforms",
            pl.exclude
                .iter()
                .map(|p| platform_word(*p).to_owned())
                .collect(),
        );
    }
    if let Some(l) = &p.locations {
        add(
            "locations",
            l.exclude
                .iter()
                .map(|v| match v.as_str() {
                    "AllTrusted" => "trusted locations".to_owned(),
                    "All" => "any location".to_owned(),
                    o => o.to_owned(),
                })
                .collect(),
        );
    }
    out
}

fn sentence_md(s: &Sentence) -> String {
    s.iter()
        .map(|p| match p {
            Part::Text(t) => escape::markdown(t),
            Part::Name(n) => format!("*{}*", escape::markdown(n)),
            Part::Code(c) => escape::markdown_code(c),
        })
        .collect()
}

fn sentence_html(s: &Sentence) -> String {
    s.iter()
        .map(|p| match p {
            Part::Text(t) => escape::html(t),
            Part::Name(n) => format!("<em>{}</em>", escape::html(n)),
            Part::Code(c) => format!("<code>{}</code>", escape::html(c)),
        })
        .collect()
}

fn state_counts(s: &Summary) -> (usize, usize, usize) {
    let c = |l: &str| s.policies.iter().filter(|p| p.state == l).count();
    (c("On"), c("Report-only"), c("Off"))
}

/// The facts the page shows, as versioned JSON for programs (`caac report
/// -f json`): every field of [`Summary`], each sentence both as parts and as
/// plain text, and the lint counts named.
pub fn json(s: &Summary) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Some(ps) = v.get_mut("policies").and_then(|p| p.as_array_mut()) {
        for (p, line) in ps.iter_mut().zip(&s.policies) {
            let plain: String = line
                .sentence
                .iter()
                .map(|part| match part {
                    Part::Text(t) | Part::Name(t) | Part::Code(t) => t.as_str(),
                })
                .collect();
            p["text"] = plain.into();
        }
    }
    let (errors, warnings, infos) = s.counts;
    v["counts"] = serde_json::json!({"errors": errors, "warnings": warnings, "infos": infos});
    let mut out = serde_json::json!({"version": 1});
    if let (Some(o), serde_json::Value::Object(fields)) = (out.as_object_mut(), v) {
        o.extend(fields);
    }
    out
}

/// Markdown rendering.
pub fn markdown(s: &Summary) -> String {
    let mut o = String::new();
    let (on, ro, off) = state_counts(s);
    o.push_str("# Conditional Access policy set\n\n");
    o.push_str(&format!(
        "{} policies: {on} on, {ro} report-only, {off} off. Lint: {} error(s), {} warning(s), {} info(s).\n\n",
        s.policies.len(),
        s.counts.0,
        s.counts.1,
        s.counts.2
    ));
    o.push_str("## Policies\n\n");
    for p in &s.policies {
        o.push_str(&format!(
            "- **{}** ({}): {}  \n  <sub>{}</sub>\n",
            escape::markdown(&p.name),
            p.state,
            sentence_md(&p.sentence),
            escape::markdown(&p.source)
        ));
    }
    o.push_str("\n## Who gets what\n\n");
    if s.matrices.is_empty() {
        o.push_str("No sign-in to evaluate.\n");
    } else {
        o.push_str(&format!(
            "Outcome per user and application for an ordinary sign-in ({}), one table per kind of location the policies tell apart. \
             \"would be …\" is the outcome once the report-only policies are enforced.\n",
            escape::markdown(&s.context)
        ));
    }
    for lm in &s.matrices {
        o.push_str(&format!(
            "\n### From {}\n\n",
            escape::markdown(&lm.location)
        ));
        o.push_str("| User |");
        for c in &s.columns {
            o.push_str(&format!(" {} |", escape::markdown(c)));
        }
        o.push_str("\n|---|");
        for _ in &s.columns {
            o.push_str("---|");
        }
        o.push('\n');
        for (r, row) in s.rows.iter().zip(&lm.cells) {
            o.push_str(&format!("| {} |", escape::markdown(r)));
            for cell in row {
                match &cell.would {
                    None => o.push_str(&format!(" {} |", escape::markdown(&cell.now))),
                    Some(w) => o.push_str(&format!(
                        " {} → _would be {}_ |",
                        escape::markdown(&cell.now),
                        escape::markdown(w)
                    )),
                }
            }
            o.push('\n');
        }
    }
    o.push_str("\n## Exclusions\n\n");
    if s.exclusions.is_empty() {
        o.push_str("No policy excludes anyone or anything.\n");
    } else {
        o.push_str("| Policy | Excluded | Owner | Reason | Expires |\n|---|---|---|---|---|\n");
        let or_dash = |v: &Option<String>| v.as_deref().map_or("—".to_owned(), escape::markdown);
        for e in &s.exclusions {
            o.push_str(&format!(
                "| {} | {}: {} | {} | {} | {} |\n",
                escape::markdown(&e.policy),
                e.kind,
                e.names
                    .iter()
                    .map(|n| escape::markdown(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                or_dash(&e.owner),
                or_dash(&e.reason),
                or_dash(&e.expires),
            ));
        }
        o.push_str("\nOwner, reason and expiry come from each spec's `exclusions:` records; — means none is recorded.\n");
    }
    o.push_str("\n## Lint\n\n");
    o.push_str(&format!(
        "{} error(s), {} warning(s), {} info(s) (`caac lint` for details).\n",
        s.counts.0, s.counts.1, s.counts.2
    ));
    if !s.findings.is_empty() {
        o.push('\n');
        for f in &s.findings {
            o.push_str(&format!(
                "- {} `{}` {}: {}\n",
                f.severity.as_str(),
                f.code,
                escape::markdown(&f.subject),
                escape::markdown(&f.message)
            ));
        }
    }
    o
}

const CSS: &str = r#"
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --on: #1a7f37; --ro: #9a6700; --off: #6e7781; --block: #cf222e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; margin-top: 2.2rem; }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
.lead { color: var(--muted); margin-top: 0; }
.stats { display: flex; gap: .75rem; flex-wrap: wrap; margin: 1rem 0; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .9rem; min-width: 8rem; }
.stat b { display: block; font-size: 1.5rem; }
ol.policies { padding-left: 0; list-style: none; }
ol.policies li { border-left: 4px solid var(--line); padding: .4rem .8rem; margin: .6rem 0; break-inside: avoid; }
ol.policies li.On { border-color: var(--on); } ol.policies li.Report-only { border-color: var(--ro); } ol.policies li.Off { border-color: var(--off); }
.name { font-weight: 600; }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; border-radius: 999px; padding: 0 .55rem; margin-left: .4rem; color: #fff; vertical-align: middle; }
.badge.On { background: var(--on); } .badge.Report-only { background: var(--ro); } .badge.Off { background: var(--off); }
.src { color: var(--muted); font-size: .8rem; font-family: ui-monospace, monospace; }
em { font-style: normal; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; break-inside: auto; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tr { break-inside: avoid; }
td.Block { color: var(--block); font-weight: 600; }
td.Allow { color: var(--muted); }
.would { display: block; font-size: .8rem; color: var(--ro); font-style: italic; border-top: 1px dashed var(--line); margin-top: .2rem; }
.sev-error { color: var(--block); font-weight: 600; } .sev-warning { color: var(--ro); font-weight: 600; } .sev-info { color: var(--muted); }
code { font-family: ui-monospace, monospace; font-size: .85em; }
footer { color: var(--muted); font-size: .8rem; margin-top: 3rem; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } h2, h3 { break-after: avoid; } a { color: inherit; } }
"#;

/// HTML rendering: one self-contained page (see the module docs).
pub fn html(s: &Summary) -> String {
    let mut o = String::new();
    let (on, ro, off) = state_counts(s);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    o.push_str("<title>Conditional Access policy set</title>\n<style>");
    o.push_str(CSS);
    o.push_str("</style>\n</head>\n<body>\n<h1>Conditional Access policy set</h1>\n");
    o.push_str("<p class=\"lead\">Who must do what to sign in, in plain words. Generated by caac from the policy specs.</p>\n");
    o.push_str("<div class=\"stats\">");
    for (n, l) in [
        (s.policies.len(), "policies"),
        (on, "on"),
        (ro, "report-only"),
        (off, "off"),
        (s.counts.0, "lint errors"),
        (s.counts.1, "lint warnings"),
    ] {
        o.push_str(&format!("<div class=\"stat\"><b>{n}</b>{l}</div>"));
    }
    o.push_str("</div>\n<h2>Policies</h2>\n<ol class=\"policies\">\n");
    for p in &s.policies {
        o.push_str(&format!(
            "<li class=\"{st}\"><span class=\"name\">{}</span><span class=\"badge {st}\">{st}</span><br>{}<br><span class=\"src\">{}</span></li>\n",
            escape::html(&p.name),
            sentence_html(&p.sentence),
            escape::html(&p.source),
            st = p.state,
        ));
    }
    o.push_str("</ol>\n<h2>Who gets what</h2>\n");
    if s.matrices.is_empty() {
        o.push_str("<p>No sign-in to evaluate.</p>\n");
    } else {
        o.push_str(&format!(
            "<p>Outcome per user and application for an ordinary sign-in ({}), one table per kind of location the policies tell apart. <span class=\"would\" style=\"display:inline;border:0\">would be …</span> is the outcome once the report-only policies are enforced.</p>\n",
            escape::html(&s.context)
        ));
    }
    for lm in &s.matrices {
        o.push_str(&format!("<h3>From {}</h3>\n", escape::html(&lm.location)));
        o.push_str("<table>\n<thead><tr><th>User</th>");
        for c in &s.columns {
            o.push_str(&format!("<th>{}</th>", escape::html(c)));
        }
        o.push_str("</tr></thead>\n<tbody>\n");
        for (r, row) in s.rows.iter().zip(&lm.cells) {
            o.push_str(&format!("<tr><th>{}</th>", escape::html(r)));
            for cell in row {
                let class = match cell.now.as_str() {
                    "Block" => "Block",
                    "Allow" => "Allow",
                    _ => "Grant",
                };
                o.push_str(&format!(
                    "<td class=\"{class}\">{}",
                    escape::html(&cell.now)
                ));
                if let Some(w) = &cell.would {
                    o.push_str(&format!(
                        "<span class=\"would\">would be {}</span>",
                        escape::html(w)
                    ));
                }
                o.push_str("</td>");
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</tbody>\n</table>\n");
    }
    o.push_str("<h2>Exclusions</h2>\n");
    if s.exclusions.is_empty() {
        o.push_str("<p>No policy excludes anyone or anything.</p>\n");
    } else {
        o.push_str("<table>\n<thead><tr><th>Policy</th><th>Excluded</th><th>Owner</th><th>Reason</th><th>Expires</th></tr></thead>\n<tbody>\n");
        let or_dash = |v: &Option<String>| v.as_deref().map_or("—".to_owned(), escape::html);
        for e in &s.exclusions {
            o.push_str(&format!(
                "<tr><td>{}</td><td>{}: {}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape::html(&e.policy),
                e.kind,
                e.names
                    .iter()
                    .map(|n| format!("<em>{}</em>", escape::html(n)))
                    .collect::<Vec<_>>()
                    .join(", "),
                or_dash(&e.owner),
                or_dash(&e.reason),
                or_dash(&e.expires),
            ));
        }
        o.push_str("</tbody>\n</table>\n<p class=\"lead\">Owner, reason and expiry come from each spec's <code>exclusions:</code> records; — means none is recorded.</p>\n");
    }
    o.push_str(&format!(
        "<h2>Lint</h2>\n<p>{} error(s), {} warning(s), {} info(s). Run <code>caac lint</code> for details and fixes.</p>\n",
        s.counts.0, s.counts.1, s.counts.2
    ));
    if !s.findings.is_empty() {
        o.push_str("<table>\n<thead><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Finding</th></tr></thead>\n<tbody>\n");
        for f in &s.findings {
            o.push_str(&format!(
                "<tr><td class=\"sev-{sev}\">{sev}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                escape::html(&f.code),
                escape::html(&f.subject),
                escape::html(&f.message),
                sev = f.severity.as_str(),
            ));
        }
        o.push_str("</tbody>\n</table>\n");
    }
    o.push_str("<footer>Generated by caac report. Outcomes come from caac's offline what-if engine, not from the tenant; the sign-in logs (caac monitor) show what really happened.</footer>\n</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> Policy {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn the_token_protection_sentence_reads_like_the_issue() {
        let p = policy(
            "displayName: CA410\nusers: { include: { groups: [Token Protection Pilot] }, exclude: { groups: [Emergency Access] } }\n\
             applications: { include: [Office 365 Exchange Online, Office 365 SharePoint Online] }\n\
             platforms: { include: [windows] }\nclientAppTypes: [mobileAppsAndDesktopClients]\nsession: { tokenProtection: true }\n",
        );
        assert_eq!(
            plain(&sentence(&p, None)),
            "Requires token protection (sign-in sessions bound to the device) when members of Token Protection Pilot, \
             except members of Emergency Access, use Office 365 Exchange Online or Office 365 SharePoint Online \
             from Windows with desktop and mobile apps — report-only."
        );
    }

    #[test]
    fn grant_operators_and_blocks() {
        let p = policy(
            "displayName: x\nstate: enabled\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             grant: { operator: OR, builtInControls: [mfa, compliantDevice] }\n",
        );
        assert_eq!(
            plain(&sentence(&p, None)),
            "Requires one of multifactor authentication or a compliant device when all users use any application — enforced."
        );
        let p = policy(
            "displayName: x\nstate: disabled\nusers: { include: { users: [alice@contoso.com] } }\napplications: { include: [Office365] }\n\
             clientAppTypes: [exchangeActiveSync, other]\ngrant: { builtInControls: [block] }\n",
        );
        assert_eq!(
            plain(&sentence(&p, None)),
            "Blocks access when alice@contoso.com uses Office 365 with Exchange ActiveSync or other (legacy) clients — off."
        );
    }

    // Every condition the model has is described: insider risk
    // (concept-conditional-access-conditions#insider-risk), service
    // principal risk (workload-identity), agent risk
    // (concept-conditional-access-conditions#agent-risk-preview), workload
    // identity exclusions and filters, the Global Secure Access profile and
    // passthrough properties.
    #[test]
    fn every_condition_is_described() {
        let p = policy(
            "displayName: x\nstate: enabled\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             insiderRiskLevels: [elevated]\ngrant: { builtInControls: [block] }\n",
        );
        assert_eq!(
            plain(&sentence(&p, None)),
            "Blocks access when all users use any application at elevated insider risk — enforced."
        );
        let p = policy(
            "displayName: x\nstate: enabled\nusers: { include: { users: [None] } }\napplications: { include: [All] }\n\
             clientApplications:\n  include: [ServicePrincipalsInMyTenant]\n  exclude: [Payroll Robot]\n\
             \x20 filter: { mode: include, rule: 'CustomSecurityAttribute.Set.Tier -eq \"1\"' }\n\
             servicePrincipalRiskLevels: [high, medium]\ngrant: { builtInControls: [block] }\n",
        );
        let text = plain(&sentence(&p, None));
        assert!(text.contains("ServicePrincipalsInMyTenant (other than Payroll Robot) (only service principals whose attributes match CustomSecurityAttribute.Set.Tier -eq \"1\")"), "{text}");
        assert!(
            text.contains(" at high or medium service principal risk"),
            "{text}"
        );
        let p = policy(
            "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             clientApplications: { agentIds: { include: [All], exclude: [Agent One] } }\n\
             agentIdRiskLevels: [high]\nsession: { globalSecureAccessFilteringProfile: p1 }\n\
             passthrough: { conditions: { agents: {} } }\n",
        );
        let text = plain(&sentence(&p, None));
        assert!(text.starts_with("Requires the Global Secure Access filtering profile p1 when all users or the agent identities All (other than Agent One) use any application at high agent risk, plus Graph properties caac does not describe (conditions) — report-only."), "{text}");
    }

    #[test]
    fn sign_in_frequency_reads_naturally() {
        let p = policy(
            "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             session: { signInFrequency: { value: 1, type: hours } }\n",
        );
        assert!(plain(&sentence(&p, None)).starts_with("Requires a new sign-in every hour when"));
        let p = policy(
            "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             session: { signInFrequency: { value: 7, type: days } }\n",
        );
        assert!(plain(&sentence(&p, None)).starts_with("Requires a new sign-in every 7 days when"));
    }

    #[test]
    fn filters_render_as_code() {
        let p = policy(
            "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             devices: { filter: { mode: exclude, rule: 'device.isCompliant -eq True' } }\ngrant: { builtInControls: [mfa] }\n",
        );
        let s = sentence(&p, None);
        assert!(s.contains(&Part::Code("device.isCompliant -eq True".into())));
        assert!(
            sentence_md(&s).contains("except on devices matching ` device.isCompliant -eq True `")
        );
        assert!(sentence_html(&s).contains("<code>device.isCompliant -eq True</code>"));
        assert_eq!(escape::markdown_code("a`b|c"), "`` a`b\\|c ``");
    }
}
