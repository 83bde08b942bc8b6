//! `caac report`: the policy set described for people who do not read YAML
//! (a CISO, an auditor, the service desk).
//!
//! The diagnostics renderer (human, JSON, SARIF, GitHub) is
//! [`crate::render`]; this module describes the *policies*. Split by job:
//! this file holds the facts ([`Summary`]) and builds them, `sentences.rs`
//! words one policy in plain English, `render.rs` turns the facts into
//! Markdown, HTML and JSON.
//!
//! Contract: [`build`] turns checked policies into a [`Summary`] — one
//! plain-English sentence per policy (names, never GUIDs: ids go back to
//! names through [`crate::import::unresolve`], i.e. the tenant file and the
//! built-in catalog), a persona × application matrix of outcomes from the
//! what-if engine ([`crate::whatif`]) for one stated sign-in ([`SignInContext`]:
//! platform, client app and device, an ordinary one unless the user chooses), one
//! matrix per location class the policies and the tenant file tell apart,
//! the exclusions, and the lint summary. [`markdown`] and [`html`] render it
//! ([`json`] gives the same facts to programs);
//! both are pure and deterministic (no clock, no paths outside the input).
//! The HTML is one self-contained file: inline CSS, no scripts, no external
//! resources; every string from a spec is escaped
//! ([`escape::html`](crate::escape::html)), so a
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

mod render;
mod sentences;

pub use render::{html, json, markdown};
use sentences::{control_short, guest_word, keyword_app, keyword_user, platform_word};
pub use sentences::{plain, sentence};

use crate::catalog::Kind;
use crate::check;
use crate::diag::Severity;
use crate::model::{Operator, Platform, Policy, RiskLevel, State, Tenant};
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

/// The sign-in every matrix cell assumes apart from who signs in, to what
/// and from where: the device platform, the client app type and the device
/// state (`caac report --platform --client --device`). The default is the
/// ordinary sign-in the page always assumed: Windows, a desktop or mobile
/// app, an unregistered device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInContext {
    /// Graph `devicePlatform`
    /// (<https://learn.microsoft.com/graph/api/resources/conditionalaccessplatforms>).
    pub platform: Platform,
    /// Graph `clientAppType`
    /// (<https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset>).
    pub client: ClientApp,
    /// The device's registration and compliance.
    pub device: DeviceState,
}

impl Default for SignInContext {
    fn default() -> Self {
        SignInContext {
            platform: Platform::Windows,
            client: ClientApp::MobileAppsAndDesktopClients,
            device: DeviceState::Unregistered,
        }
    }
}

/// A device state the matrix can assume. Device filters see a registered
/// device's `trustType` (`Workplace` for an Entra registered device,
/// `AzureAD` for an Entra joined one) and `isCompliant`; for an unregistered
/// device every attribute is null
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-condition-filters-for-devices>).
/// Token protection binds sessions only on registered devices
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceState {
    /// Not known to Microsoft Entra ID.
    Unregistered,
    /// Entra registered (`trustType: Workplace`), not compliant.
    Registered,
    /// Entra joined (`trustType: AzureAD`) and compliant.
    Compliant,
}

impl DeviceState {
    /// The device the what-if engine sees.
    fn device(self) -> crate::whatif::Device {
        use crate::whatif::{Device, DeviceValue};
        let registered = |trust: &str, compliant: bool| Device {
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
        match self {
            DeviceState::Unregistered => Device::default(),
            DeviceState::Registered => registered("Workplace", false),
            DeviceState::Compliant => registered("AzureAD", true),
        }
    }

    /// How the device reads in the page's context line.
    fn label(self) -> &'static str {
        match self {
            DeviceState::Unregistered => "an unregistered device",
            DeviceState::Registered => "an Entra registered device (not compliant)",
            DeviceState::Compliant => "a compliant Entra-joined device",
        }
    }
}

/// What `caac report` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/report.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The policies and how names resolve.
    pub inputs: check::Inputs,
    /// The page's format.
    pub format: Format,
    /// Where the page goes; `None`: stdout.
    pub output: Option<std::path::PathBuf>,
    /// The sign-in every matrix cell assumes.
    pub context: SignInContext,
}

/// The page's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown (wikis, pull requests).
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// Versioned JSON of the facts.
    Json,
}

/// The page for `summary` in `format`.
pub fn render(summary: &Summary, format: Format) -> String {
    match format {
        Format::Markdown => markdown(summary),
        Format::Html => html(summary),
        Format::Json => crate::emit::pretty(&json(summary)),
    }
}

/// Lists longer than this name the first few and count the rest.
pub const LIST_MAX: usize = 6;

/// How many findings the summary lists.
pub const TOP_FINDINGS: usize = 10;

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

/// Builds the summary from checked policies (see the module docs); every
/// matrix cell is a sign-in in `context`.
pub fn build(
    checked: &check::Checked,
    reports: &[crate::render::FileReport],
    context: &SignInContext,
) -> Summary {
    let sign_in_context = *context;
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
        matrix::platform_label(Some(sign_in_context.platform)),
    );
    let client = index_of(&m.clients, matrix::client_label(sign_in_context.client));
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
            matrix::platform_label(Some(sign_in_context.platform)),
            matrix::client_label(sign_in_context.client),
            sign_in_context.device.label(),
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
                    // The chosen context itself, not its class's
                    // representative (the same outcome, by the class).
                    let mut s = m.sign_in(&combo);
                    s.platform = Some(sign_in_context.platform);
                    s.client_app = sign_in_context.client;
                    s.device = sign_in_context.device.device();
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
