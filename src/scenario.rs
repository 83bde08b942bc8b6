//! `caac test`: what-if scenarios kept in the policy repository and run in CI.
//!
//! Contract: the command (`commands/test.rs`) reads every scenario file (`*.yaml`, `*.yml`, `*.json`)
//! directly inside one directory (not recursively: a repository's `tests/`
//! may also hold other fixtures in subdirectories) or one named file, checks
//! it strictly (unknown keys, unknown policy names, malformed requests are
//! input errors at their `file:line:column`, exit 2, nothing evaluated),
//! evaluates each scenario with the what-if engine ([`crate::whatif`]; there
//! is no second evaluator) and reports `PASS` / `FAIL` per scenario with a
//! readable diff, exit 1 when any fails. Output is deterministic. `--junit`
//! writes JUnit XML atomically.
//!
//! # Scenario files
//!
//! One scenario, or a list under `scenarios:`:
//!
//! ```yaml
//! scenarios:
//!   - name: the emergency-access account is never blocked
//!     request:                     # the body `caac whatif --request` reads
//!       signInIdentity: {userId: breakglass1@contoso.com, directoryRoles: [Global Administrator]}
//!       signInConditions: {clientAppType: browser}
//!     vary:                        # optional: a Cartesian sweep
//!       applications: any          # or a list of names / ids
//!       platforms: any             # or a list; `unknown` is a platform CA cannot identify
//!       clientAppTypes: any
//!       countries: [NL, US, unknown]
//!       ipAddresses: [203.0.113.7, unknown]
//!       signInRiskLevels: any
//!       userRiskLevels: any
//!     enforceReportOnly: true      # evaluate report-only policies as if enabled
//!     expect:
//!       accessNot: block           # or `access: block | grant | allow`
//!       apply: [CA410-…]           # policies that must apply (or `all`)
//!       notApply: all              # policies that must not apply (or a list)
//!       requirements: [mfa, Phishing-resistant MFA]  # grant controls that must be required
//!       session: {secureSignInSession: {isEnabled: true}}  # subset of Graph's sessionControls
//! ```
//!
//! Choices:
//!
//! - The request is parsed by [`crate::whatif::request::parse`], so names
//!   resolve through the tenant file exactly as in `caac whatif`.
//! - A sweep overrides the request's fields. `applications: any` is every
//!   application caac knows (the built-in catalog, the members of the
//!   `Office365` and `MicrosoftAdminPortals` groups, the tenant file's
//!   `applications`) plus one application no policy names ([`UNLISTED_APP`]);
//!   `platforms: any` is every platform plus an unknown one (the
//!   "any device" case of
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions>);
//!   `clientAppTypes: any` the four client app types; risk `any` every level
//!   including `none`. Countries and IP addresses are listed (`unknown` is
//!   "no country / no IP"). The expectation must hold for every combination;
//!   a failure names how many fail and prints the first as a request that
//!   `caac whatif --request` runs as is. A sweep may expand to at most
//!   [`MAX_SIGN_INS`] sign-ins. Pass or fail depends only on which policies
//!   apply, so each distinct set is evaluated fully once.
//! - `enforceReportOnly: true` evaluates report-only policies as if they
//!   were enabled. Report-only policies are "evaluated but not enforced"
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only>),
//!   so without it a set that is all report-only (like the starter set)
//!   never blocks or requires anything. `apply` / `notApply` look at
//!   `policyApplies`, which is true for applying report-only policies either way.
//! - A scenario must expect something; `apply` / `notApply` must name
//!   policies that exist (a typo never passes silently).

use crate::catalog::{self, Kind};
use crate::check;
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::escape;
use crate::model::{BuiltInControl, Platform, RiskLevel, Tenant, Wire};
use crate::render::FileReport;
use crate::validate::Schema;
use crate::whatif::{self, Access, ClientApp, Control, Engine, Outcome, SignIn, Target, output};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The app id `applications: any` adds for "an application no policy names".
/// Not a Microsoft app id; chosen to be recognisable in a counter-example.
pub const UNLISTED_APP: &str = "caac0000-0000-4000-8000-000000000001";

/// The most sign-ins one scenario's sweep may expand to (a bound on run
/// time: a few seconds in a release build).
pub const MAX_SIGN_INS: usize = 2_000_000;

/// One scenario file holding a list.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "caac scenario list")]
pub struct ScenarioList {
    /// The scenarios.
    #[schemars(length(min = 1))]
    pub scenarios: Vec<Scenario>,
}

/// One what-if scenario.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "caac scenario")]
pub struct Scenario {
    /// What the scenario proves, shown as the test name.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// The sign-in: the body of Graph's `POST /identity/conditionalAccess/evaluate`,
    /// as `caac whatif --request` reads it.
    pub request: Map<String, Value>,
    /// A Cartesian sweep over sign-in details; the expectation must hold for every combination.
    #[serde(default)]
    pub vary: Option<Vary>,
    /// Evaluate report-only policies as if they were enabled.
    #[serde(default)]
    pub enforce_report_only: bool,
    /// What must hold.
    pub expect: Expect,
}

/// The sweep dimensions.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Vary {
    /// Application names or ids, or `any`.
    #[serde(default)]
    pub applications: Option<Sweep>,
    /// Device platforms (`unknown` for one CA cannot identify), or `any`.
    #[serde(default)]
    pub platforms: Option<Sweep>,
    /// Client app types, or `any`.
    #[serde(default)]
    pub client_app_types: Option<Sweep>,
    /// ISO 3166 alpha-2 country codes, or `unknown`.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub countries: Option<Vec<String>>,
    /// IP addresses, or `unknown`.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub ip_addresses: Option<Vec<String>>,
    /// Sign-in risk levels, or `any`.
    #[serde(default)]
    pub sign_in_risk_levels: Option<Sweep>,
    /// User risk levels, or `any`.
    #[serde(default)]
    pub user_risk_levels: Option<Sweep>,
}

/// A sweep dimension: `any`, or a list.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Sweep {
    /// Every value caac knows.
    Any(AnyKeyword),
    /// These values.
    List(#[schemars(length(min = 1))] Vec<String>),
}

/// The keyword `any`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AnyKeyword {
    /// Every value.
    Any,
}

/// Expectations; at least one must be given.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Expect {
    /// The combined access must be this.
    #[serde(default)]
    pub access: Option<AccessKeyword>,
    /// The combined access must not be this.
    #[serde(default)]
    pub access_not: Option<AccessKeyword>,
    /// Policies (display names) that must apply, or `all`.
    #[serde(default)]
    pub apply: Option<PolicyNames>,
    /// Policies (display names) that must not apply, or `all`.
    #[serde(default)]
    pub not_apply: Option<PolicyNames>,
    /// Grant controls that must be required: built-in controls (`mfa`,
    /// `compliantDevice`, …) or authentication strength names.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub requirements: Option<Vec<String>>,
    /// A subset of the merged session controls, in Graph's `sessionControls`
    /// shape (`secureSignInSession: {isEnabled: true}`).
    #[serde(default)]
    pub session: Option<Map<String, Value>>,
}

/// `block`, `grant` or `allow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AccessKeyword {
    /// An applying enforced policy blocks.
    Block,
    /// Access after satisfying grant controls.
    Grant,
    /// Nothing required.
    Allow,
}

impl AccessKeyword {
    fn access(self) -> Access {
        match self {
            AccessKeyword::Block => Access::Block,
            AccessKeyword::Grant => Access::Grant,
            AccessKeyword::Allow => Access::Allow,
        }
    }
}

/// Policy display names, or `all`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PolicyNames {
    /// Every policy.
    All(AllKeyword),
    /// These policies.
    List(#[schemars(length(min = 1))] Vec<String>),
}

/// The keyword `all`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AllKeyword {
    /// Every policy.
    All,
}

/// A scenario file as editors see it: a list or a single scenario.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(title = "caac scenario file")]
pub enum ScenarioFile {
    /// `scenarios: [...]`.
    List(ScenarioList),
    /// One scenario.
    One(Box<Scenario>),
}

/// The JSON Schema of a scenario file, draft-07 for yaml-language-server
/// (`schemas/scenario.schema.json`). caac itself checks each scenario on its
/// own against [`scenario_schema`], so errors stay precise.
pub fn scenario_file_schema() -> Value {
    let mut schema =
        crate::model::generate::<ScenarioFile>(schemars::generate::SchemaSettings::draft07());
    schema["$id"] = crate::model::schema_id("scenario.schema.json").into();
    schema
}

/// The JSON Schema of a single scenario.
pub fn scenario_schema() -> Value {
    crate::model::generate::<Scenario>(schemars::generate::SchemaSettings::draft2020_12())
}

static SCENARIO_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(scenario_schema()));
/// The list's own shape (`scenarios:` a non-empty list, nothing else); the
/// items are checked one by one against [`SCENARIO_SCHEMA`].
static LIST_SHAPE_SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
    Schema::new(json!({
        "type": "object",
        "properties": {"scenarios": {"type": "array", "minItems": 1}},
        "required": ["scenarios"],
        "additionalProperties": false
    }))
});

/// Schema-checks and deserializes one scenario at `base` in its file.
fn scenario_typed(value: &Value, base: &str) -> Result<Scenario, Vec<Diagnostic>> {
    let mut errors = SCENARIO_SCHEMA.check(value);
    if errors.is_empty() {
        match Scenario::deserialize(value) {
            Ok(s) => return Ok(s),
            Err(e) => errors.push(
                Diagnostic::error(
                    Code::Internal,
                    format!("the schema accepted this scenario but the model did not: {e}"),
                )
                .with_help("this is a caac bug; please report it with the file"),
            ),
        }
    }
    for d in &mut errors {
        match &mut d.location {
            crate::diag::Location::Pointer { pointer, .. } => *pointer = format!("{base}{pointer}"),
            loc => {
                *loc = crate::diag::Location::Pointer {
                    pointer: base.to_owned(),
                    key: false,
                }
            }
        }
    }
    Err(errors)
}

/// The schema reports a wrong keyword (`any`, `all`, `block`…) as the
/// policy rule CA015; in a scenario it is a plain input error, and the
/// sweep keywords also take a list.
fn plain_enum_errors(mut d: Diagnostic) -> Diagnostic {
    if d.code == "CA015" {
        d.code = crate::diag::Code::InvalidValue.as_str();
        d.name = None;
        if let crate::diag::Location::Pointer { pointer, .. } = &d.location {
            let key = pointer.rsplit('/').next().unwrap_or_default();
            if matches!(key, "apply" | "notApply") {
                d.help = Some("write `all` or a list of policy display names".into());
            } else if pointer.contains("/vary/") || pointer.starts_with("/vary") {
                d.help = Some("write `any` or a list of values".into());
            }
        }
    }
    d
}

/// Session control keys of Graph's `sessionControls` that `expect.session` may name.
const SESSION_KEYS: &[&str] = &[
    "applicationEnforcedRestrictions",
    "cloudAppSecurity",
    "continuousAccessEvaluation",
    "disableResilienceDefaults",
    "persistentBrowser",
    "secureSignInSession",
    "signInFrequency",
];

// ---------------------------------------------------------------------------
// Prepared scenarios
// ---------------------------------------------------------------------------

/// One value of one sweep dimension: how it reads in the request and in the text.
#[derive(Debug, Clone)]
struct Choice<T> {
    value: T,
    label: String,
}

/// The resolved sweep: every dimension has at least one choice; `None` means
/// "not varied, as the request says".
#[derive(Debug, Clone, Default)]
struct Dims {
    apps: Option<Vec<Choice<String>>>,
    platforms: Option<Vec<Choice<Option<Platform>>>>,
    clients: Option<Vec<Choice<ClientApp>>>,
    countries: Option<Vec<Choice<Option<String>>>>,
    ips: Option<Vec<Choice<Option<IpAddr>>>>,
    sign_in_risk: Option<Vec<Choice<RiskLevel>>>,
    user_risk: Option<Vec<Choice<RiskLevel>>>,
}

impl Dims {
    fn lens(&self) -> [usize; 7] {
        fn n<T>(d: &Option<Vec<T>>) -> usize {
            d.as_ref().map_or(1, Vec::len)
        }
        [
            n(&self.apps),
            n(&self.platforms),
            n(&self.clients),
            n(&self.countries),
            n(&self.ips),
            n(&self.sign_in_risk),
            n(&self.user_risk),
        ]
    }

    /// Forgets dimensions with no values (every value was invalid).
    fn drop_empty(&mut self) {
        fn clear<T>(d: &mut Option<Vec<T>>) {
            if d.as_ref().is_some_and(Vec::is_empty) {
                *d = None;
            }
        }
        clear(&mut self.apps);
        clear(&mut self.platforms);
        clear(&mut self.clients);
        clear(&mut self.countries);
        clear(&mut self.ips);
        clear(&mut self.sign_in_risk);
        clear(&mut self.user_risk);
    }

    fn total(&self) -> usize {
        self.lens().iter().fold(1, |a, b| a.saturating_mul(*b))
    }

    fn is_sweep(&self) -> bool {
        self.apps.is_some()
            || self.platforms.is_some()
            || self.clients.is_some()
            || self.countries.is_some()
            || self.ips.is_some()
            || self.sign_in_risk.is_some()
            || self.user_risk.is_some()
    }

    /// Combination number `n` as one index per dimension (last dimension fastest).
    fn indices(&self, mut n: usize) -> [usize; 7] {
        let lens = self.lens();
        let mut out = [0; 7];
        for i in (0..7).rev() {
            out[i] = n % lens[i];
            n /= lens[i];
        }
        out
    }

    /// Applies combination `ix` to a parsed sign-in.
    fn apply(&self, ix: [usize; 7], s: &mut SignIn) {
        if let Some(d) = &self.apps {
            s.target = Target::Applications(vec![d[ix[0]].value.clone()]);
        }
        if let Some(d) = &self.platforms {
            s.platform = d[ix[1]].value;
        }
        if let Some(d) = &self.clients {
            s.client_app = d[ix[2]].value;
        }
        if let Some(d) = &self.countries {
            s.country.clone_from(&d[ix[3]].value);
        }
        if let Some(d) = &self.ips {
            s.ip = d[ix[4]].value;
        }
        if let Some(d) = &self.sign_in_risk {
            s.sign_in_risk = d[ix[5]].value;
        }
        if let Some(d) = &self.user_risk {
            s.user_risk = d[ix[6]].value;
        }
    }

    /// Applies combination `ix` to the request body (for the counter-example).
    fn apply_json(&self, ix: [usize; 7], request: &Map<String, Value>) -> Value {
        let mut r = request.clone();
        if let Some(d) = &self.apps {
            r.insert(
                "signInContext".into(),
                json!({"@odata.type": "#microsoft.graph.applicationContext",
                       "includeApplications": [d[ix[0]].value]}),
            );
        }
        let mut c = match r.remove("signInConditions") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let mut set = |key: &str, v: Option<String>| match v {
            Some(v) => {
                c.insert(key.into(), v.into());
            }
            None => {
                c.remove(key);
            }
        };
        if let Some(d) = &self.platforms {
            set(
                "devicePlatform",
                d[ix[1]].value.map(|p| p.wire().to_owned()),
            );
        }
        if let Some(d) = &self.clients {
            set("clientAppType", Some(d[ix[2]].value.as_str().to_owned()));
        }
        if let Some(d) = &self.countries {
            set("country", d[ix[3]].value.clone());
        }
        if let Some(d) = &self.ips {
            set("ipAddress", d[ix[4]].value.map(|i| i.to_string()));
        }
        if let Some(d) = &self.sign_in_risk {
            set("signInRiskLevel", Some(d[ix[5]].value.wire().to_owned()));
        }
        if let Some(d) = &self.user_risk {
            set("userRiskLevel", Some(d[ix[6]].value.wire().to_owned()));
        }
        if !c.is_empty() {
            r.insert("signInConditions".into(), Value::Object(c));
        }
        Value::Object(r)
    }

    /// `app Exchange, platform windows, …`: the varied values of combination `ix`.
    fn describe(&self, ix: [usize; 7]) -> String {
        fn push<T>(out: &mut Vec<String>, what: &str, d: &Option<Vec<Choice<T>>>, i: usize) {
            if let Some(d) = d {
                out.push(format!("{what} {}", d[i].label));
            }
        }
        let mut out = Vec::new();
        push(&mut out, "application", &self.apps, ix[0]);
        push(&mut out, "platform", &self.platforms, ix[1]);
        push(&mut out, "client", &self.clients, ix[2]);
        push(&mut out, "country", &self.countries, ix[3]);
        push(&mut out, "IP", &self.ips, ix[4]);
        push(&mut out, "sign-in risk", &self.sign_in_risk, ix[5]);
        push(&mut out, "user risk", &self.user_risk, ix[6]);
        out.join(", ")
    }
}

/// A requirement `expect.requirements` names.
#[derive(Debug, Clone)]
struct WantControl {
    label: String,
    control: Control,
}

/// A scenario ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    file: String,
    /// Its JSON pointer in the file (`""` or `/scenarios/3`).
    at: String,
    line: u32,
    name: String,
    request: Map<String, Value>,
    sign_in: SignIn,
    dims: Dims,
    pub(crate) enforce: bool,
    access: Option<Access>,
    access_not: Option<Access>,
    apply: Vec<String>,
    not_apply: Vec<String>,
    requirements: Vec<WantControl>,
    session: Option<Map<String, Value>>,
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    file: String,
    line: u32,
    name: String,
    sign_ins: usize,
    failing: usize,
    /// The first failing combination: what it was, the diff lines, the request.
    first: Option<(String, Vec<String>, Value)>,
    enforce: bool,
}

impl Verdict {
    pub(crate) fn passed(&self) -> bool {
        self.failing == 0
    }

    /// The failure text (empty when passed), lines without indentation.
    fn diff(&self) -> Vec<String> {
        let Some((combo, lines, request)) = &self.first else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if self.sign_ins > 1 {
            out.push(format!(
                "{} of {} sign-ins fail; the first: {combo}",
                self.failing, self.sign_ins
            ));
        }
        out.extend(lines.iter().cloned());
        if self.sign_ins > 1 {
            out.push(format!(
                "request (caac whatif --request FILE{}):",
                if self.enforce {
                    "; the scenario enforces report-only policies, whatif shows them as report-only"
                } else {
                    ""
                }
            ));
            out.extend(
                crate::emit::pretty(request)
                    .lines()
                    .map(|l| format!("  {l}")),
            );
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

/// Scenario files directly inside `dir` (or `dir` itself when it is a file), sorted.
pub(crate) fn scenario_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let meta =
        std::fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", check::display(dir)))?;
    if !meta.is_dir() {
        return Ok(vec![dir.to_owned()]);
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read directory {}: {e}", check::display(dir)))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            !name.starts_with('.')
                && p.is_file()
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|ext| name.to_ascii_lowercase().ends_with(ext))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// What the scenarios are checked against.
pub(crate) struct Env<'a> {
    pub(crate) tenant: Option<&'a Tenant>,
    /// Display names of every policy, in input order.
    pub(crate) names: Vec<&'a str>,
    /// Whether the names are trustworthy (the policies all loaded).
    pub(crate) names_known: bool,
}

/// Loads one scenario file: its report (diagnostics) and its prepared scenarios.
pub(crate) fn load_file(path: &Path, env: &Env) -> (FileReport, Vec<Prepared>) {
    let mut report = FileReport {
        path: check::display(path),
        ..FileReport::default()
    };
    let doc = match crate::load::load(path) {
        Ok(doc) => doc,
        Err((d, text)) => {
            report.diagnostics.push(*d);
            report.text = text;
            return (report, Vec::new());
        }
    };
    let mut out = Vec::new();
    let list = doc.value.get("scenarios").is_some();
    // Each scenario is checked on its own, so one typo does not hide the
    // problems of the others.
    let mut typed: Vec<(String, Scenario)> = Vec::new();
    let mut shape = Vec::new();
    if list {
        shape.extend(LIST_SHAPE_SCHEMA.check(&doc.value));
        if shape.is_empty()
            && let Some(items) = doc.value["scenarios"].as_array()
        {
            for (i, item) in items.iter().enumerate() {
                let base = format!("/scenarios/{i}");
                match scenario_typed(item, &base) {
                    Ok(s) => typed.push((base, s)),
                    Err(ds) => shape.extend(ds),
                }
            }
        }
    } else {
        match scenario_typed(&doc.value, "") {
            Ok(s) => typed.push((String::new(), s)),
            Err(ds) => shape.extend(ds),
        }
    }
    report
        .diagnostics
        .extend(shape.into_iter().map(plain_enum_errors));
    for (base, s) in typed {
        let line = doc
            .spans
            .get(&format!("{base}/name"))
            .map_or(1, |sp| sp.key.unwrap_or(sp.value).line);
        if let Some(p) = prepare(&report.path, line, &base, s, env, &mut report.diagnostics) {
            out.push(p);
        }
    }
    // Two scenarios with one name would be indistinguishable in CI reports.
    let mut seen = std::collections::BTreeSet::new();
    for p in &out {
        if !seen.insert(p.name.as_str()) {
            let at = format!("{}/name", p.at);
            report.diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("two scenarios are named `{}`", p.name),
                )
                .at_value(at)
                .with_help("give every scenario its own name"),
            );
        }
    }
    report.text = Some(doc.text);
    report.spans = Some(doc.spans);
    (report, out)
}

fn prepare(
    file: &str,
    line: u32,
    base: &str,
    s: Scenario,
    env: &Env,
    diags: &mut Vec<Diagnostic>,
) -> Option<Prepared> {
    let before = diags.len();
    let dims = s
        .vary
        .as_ref()
        .map(|v| dims(v, &format!("{base}/vary"), env.tenant, diags))
        .unwrap_or_default();
    if dims.total() > MAX_SIGN_INS {
        diags.push(
            Diagnostic::error(
                Code::SweepTooLarge,
                format!(
                    "the sweep has {} combinations; caac evaluates at most {MAX_SIGN_INS} per scenario",
                    dims.total()
                ),
            )
            .at_key(format!("{base}/vary"))
            .with_help("split the scenario, or list fewer values"),
        );
    }
    let e = &s.expect;
    let at = |k: &str| format!("{base}/expect/{k}");
    if e.access.is_none()
        && e.access_not.is_none()
        && e.apply.is_none()
        && e.not_apply.is_none()
        && e.requirements.is_none()
        && e.session.is_none()
    {
        diags.push(
            Diagnostic::error(Code::MissingField, "`expect` checks nothing".into())
                .at_key(format!("{base}/expect"))
                .with_help(
                    "add `access`, `accessNot`, `apply`, `notApply`, `requirements` or `session`",
                ),
        );
    }
    if e.access.is_some() && e.access == e.access_not {
        diags.push(
            Diagnostic::error(
                Code::InvalidValue,
                "`access` and `accessNot` name the same outcome; the scenario could never pass"
                    .into(),
            )
            .at_value(at("accessNot")),
        );
    }
    let apply = policy_names(e.apply.as_ref(), &at("apply"), env, diags);
    let not_apply = policy_names(e.not_apply.as_ref(), &at("notApply"), env, diags);
    for name in &apply {
        if not_apply.contains(name) {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{name}` is expected both to apply and not to apply"),
                )
                .at_key(at("notApply")),
            );
        }
    }
    let mut requirements = Vec::new();
    for (i, r) in e.requirements.iter().flatten().enumerate() {
        let pointer = format!("{}/{i}", at("requirements"));
        if let Some(b) = BuiltInControl::parse_loose(r) {
            requirements.push(WantControl {
                label: b.wire().to_owned(),
                control: Control::BuiltIn(b),
            });
            continue;
        }
        match crate::resolve::resolve_value(Kind::AuthenticationStrength, r, env.tenant) {
            Ok(id) => requirements.push(WantControl {
                label: r.clone(),
                control: Control::AuthenticationStrength(id),
            }),
            Err(_) => {
                let names: Vec<&str> = BuiltInControl::all()
                    .iter()
                    .map(|b| b.wire())
                    .chain(
                        catalog::entries(Kind::AuthenticationStrength)
                            .iter()
                            .map(|e| e.name),
                    )
                    .collect();
                let help = did_you_mean(r, names.iter().copied()).map_or_else(
                    || {
                        format!(
                            "expected a built-in control or an authentication strength: {}",
                            names.join(", ")
                        )
                    },
                    |s| format!("did you mean `{s}`?"),
                );
                diags.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        format!("`{r}` is neither a built-in grant control nor an authentication strength"),
                    )
                    .at_value(pointer)
                    .with_help(help),
                );
            }
        }
    }
    if let Some(session) = &e.session {
        for key in session.keys() {
            if !SESSION_KEYS.contains(&key.as_str()) {
                // The spec's own name for token protection is the likeliest slip.
                let key_hint = if key == "tokenProtection" {
                    Some("secureSignInSession")
                } else {
                    did_you_mean(key, SESSION_KEYS.iter().copied())
                };
                let help = key_hint.map_or_else(
                    || format!("expected one of: {}", SESSION_KEYS.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
                diags.push(
                    Diagnostic::error(
                        Code::UnknownField,
                        format!("unknown session control `{key}`"),
                    )
                    .at_key(format!(
                        "{}/{}",
                        at("session"),
                        crate::load::escape_segment(key)
                    ))
                    .with_help(help),
                );
            }
        }
    }
    // The request with the first value of every sweep dimension filled in,
    // so a request that leaves a varied field out still parses.
    // A dimension whose values were all invalid (reported above) is left out.
    let mut usable = dims.clone();
    usable.drop_empty();
    let first = usable.apply_json([0; 7], &s.request);
    let sign_in = match whatif::request::parse(&first, env.tenant) {
        Ok(si) => Some(si),
        Err(ds) => {
            let prefix = format!("{base}/request");
            diags.extend(ds.into_iter().map(|mut d| {
                if let crate::diag::Location::Pointer { pointer, .. } = &mut d.location {
                    *pointer = format!("{prefix}{pointer}");
                }
                d
            }));
            None
        }
    };
    if diags.len() > before {
        return None;
    }
    Some(Prepared {
        file: file.to_owned(),
        at: base.to_owned(),
        line,
        name: s.name,
        request: s.request,
        sign_in: sign_in?,
        dims,
        enforce: s.enforce_report_only,
        access: e.access.map(AccessKeyword::access),
        access_not: e.access_not.map(AccessKeyword::access),
        apply,
        not_apply,
        requirements,
        session: e.session.clone(),
    })
}

/// Checks `apply` / `notApply` names against the policy set.
fn policy_names(
    names: Option<&PolicyNames>,
    pointer: &str,
    env: &Env,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    match names {
        None => Vec::new(),
        Some(PolicyNames::All(_)) => {
            let mut all: Vec<String> = env.names.iter().map(|n| (*n).to_owned()).collect();
            all.dedup();
            all
        }
        Some(PolicyNames::List(list)) => {
            let mut out = Vec::new();
            for (i, n) in list.iter().enumerate() {
                if env.names.contains(&n.as_str()) || !env.names_known {
                    out.push(n.clone());
                    continue;
                }
                let help = did_you_mean(n, env.names.iter().copied()).map_or_else(
                    || "name a policy by its displayName".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                diags.push(
                    Diagnostic::error(Code::UnknownPolicy, format!("no policy is named `{n}`"))
                        .at_value(format!("{pointer}/{i}"))
                        .with_help(help),
                );
            }
            out
        }
    }
}

/// The values of a `Sweep`, each with its pointer; `None` for `any`.
fn listed<'s>(sweep: &'s Sweep, pointer: &str) -> Option<Vec<(String, &'s str)>> {
    match sweep {
        Sweep::Any(_) => None,
        Sweep::List(l) => Some(
            l.iter()
                .enumerate()
                .map(|(i, v)| (format!("{pointer}/{i}"), v.as_str()))
                .collect(),
        ),
    }
}

fn unknown_value(what: &str, value: &str, pointer: &str, names: &[&str]) -> Diagnostic {
    let help = did_you_mean(value, names.iter().copied()).map_or_else(
        || format!("expected one of: {}", names.join(", ")),
        |s| format!("did you mean `{s}`?"),
    );
    Diagnostic::error(Code::InvalidValue, format!("unknown {what} `{value}`"))
        .at_value(pointer)
        .with_help(help)
}

fn risk_levels(
    sweep: Option<&Sweep>,
    pointer: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Choice<RiskLevel>>> {
    let sweep = sweep?;
    let all = RiskLevel::all();
    let Some(list) = listed(sweep, pointer) else {
        return Some(
            all.iter()
                .map(|r| Choice {
                    value: *r,
                    label: r.wire().to_owned(),
                })
                .collect(),
        );
    };
    let names: Vec<&str> = all.iter().map(|r| r.wire()).collect();
    let mut out = Vec::new();
    for (at, v) in list {
        match RiskLevel::parse_loose(v) {
            Some(r) => out.push(Choice {
                value: r,
                label: r.wire().to_owned(),
            }),
            None => diags.push(unknown_value("risk level", v, &at, &names)),
        }
    }
    Some(out)
}

/// Every application caac knows, by id, with a name: the catalog, the
/// Microsoft app groups' members, the tenant file's applications, and
/// [`UNLISTED_APP`].
fn every_app(tenant: Option<&Tenant>) -> Vec<Choice<String>> {
    let mut by_id: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let catalog = catalog::entries(Kind::Application)
        .iter()
        .filter(|e| crate::resolve::is_guid(e.id))
        .map(|e| (e.id, e.name));
    let groups = whatif::apps::OFFICE365
        .iter()
        .chain(whatif::apps::ADMIN_PORTALS)
        .chain(whatif::apps::AZURE_MANAGEMENT_MEMBERS)
        .chain(whatif::apps::AZURE_MANAGEMENT_NON_MEMBERS)
        .map(|m| (m.id, m.name));
    for (id, name) in catalog.chain(groups) {
        by_id
            .entry(id.to_ascii_lowercase())
            .or_insert_with(|| name.to_owned());
    }
    if let Some(t) = tenant {
        for (name, e) in &t.applications {
            by_id
                .entry(e.id().to_ascii_lowercase())
                .or_insert_with(|| name.clone());
        }
    }
    by_id
        .entry(UNLISTED_APP.to_owned())
        .or_insert_with(|| "(an application no policy names)".to_owned());
    by_id
        .into_iter()
        .map(|(id, name)| Choice {
            label: format!("{name} ({id})"),
            value: id,
        })
        .collect()
}

fn dims(v: &Vary, base: &str, tenant: Option<&Tenant>, diags: &mut Vec<Diagnostic>) -> Dims {
    let mut d = Dims::default();
    if let Some(sweep) = &v.applications {
        let at = format!("{base}/applications");
        d.apps = Some(match listed(sweep, &at) {
            None => every_app(tenant),
            Some(list) => {
                let mut out = Vec::new();
                for (at, name) in list {
                    if let Some(k) = catalog::keyword(Kind::Application, name) {
                        diags.push(
                            Diagnostic::error(
                                Code::InvalidValue,
                                format!("`{k}` is a keyword for policies, not an application"),
                            )
                            .at_value(at)
                            .with_help(
                                "write `applications: any` for every application, or list apps",
                            ),
                        );
                        continue;
                    }
                    match crate::resolve::resolve_value(Kind::Application, name, tenant) {
                        Ok(id) => out.push(Choice {
                            label: name.to_owned(),
                            value: id,
                        }),
                        Err(e) => diags.push(e.at_value(at)),
                    }
                }
                out
            }
        });
    }
    if let Some(sweep) = &v.platforms {
        let at = format!("{base}/platforms");
        let known: Vec<Platform> = Platform::all()
            .iter()
            .copied()
            .filter(|p| *p != Platform::All)
            .collect();
        let unknown = Choice {
            value: None,
            label: "unknown".to_owned(),
        };
        d.platforms = Some(match listed(sweep, &at) {
            None => known
                .iter()
                .map(|p| Choice {
                    value: Some(*p),
                    label: p.wire().to_owned(),
                })
                .chain([unknown])
                .collect(),
            Some(list) => {
                let names: Vec<&str> = known.iter().map(|p| p.wire()).chain(["unknown"]).collect();
                let mut out = Vec::new();
                for (at, v) in list {
                    if v.eq_ignore_ascii_case("unknown") {
                        out.push(unknown.clone());
                    } else if let Some(p) = Platform::parse_loose(v).filter(|p| *p != Platform::All)
                    {
                        out.push(Choice {
                            value: Some(p),
                            label: p.wire().to_owned(),
                        });
                    } else {
                        diags.push(unknown_value("device platform", v, &at, &names));
                    }
                }
                out
            }
        });
    }
    if let Some(sweep) = &v.client_app_types {
        let at = format!("{base}/clientAppTypes");
        let all = [
            ClientApp::Browser,
            ClientApp::MobileAppsAndDesktopClients,
            ClientApp::ExchangeActiveSync,
            ClientApp::Other,
        ];
        let choice = |c: ClientApp| Choice {
            value: c,
            label: c.as_str().to_owned(),
        };
        d.clients = Some(match listed(sweep, &at) {
            None => all.into_iter().map(choice).collect(),
            Some(list) => {
                let names: Vec<&str> = all.iter().map(|c| c.as_str()).collect();
                let mut out = Vec::new();
                for (at, v) in list {
                    match all
                        .iter()
                        .find(|c| c.as_str().eq_ignore_ascii_case(v.trim()))
                    {
                        Some(c) => out.push(choice(*c)),
                        None => diags.push(unknown_value("client app type", v, &at, &names)),
                    }
                }
                out
            }
        });
    }
    if let Some(list) = &v.countries {
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            if c.eq_ignore_ascii_case("unknown") {
                out.push(Choice {
                    value: None,
                    label: "unknown".into(),
                });
            } else if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) {
                let c = c.to_ascii_uppercase();
                out.push(Choice {
                    label: c.clone(),
                    value: Some(c),
                });
            } else {
                diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{c}` is not an ISO 3166 alpha-2 country code such as \"NL\", nor `unknown`"),
                    )
                    .at_value(format!("{base}/countries/{i}")),
                );
            }
        }
        d.countries = Some(out);
    }
    if let Some(list) = &v.ip_addresses {
        let mut out = Vec::new();
        for (i, ip) in list.iter().enumerate() {
            if ip.eq_ignore_ascii_case("unknown") {
                out.push(Choice {
                    value: None,
                    label: "unknown".into(),
                });
                continue;
            }
            match ip.trim().parse::<IpAddr>() {
                Ok(a) => out.push(Choice {
                    value: Some(a),
                    label: a.to_string(),
                }),
                Err(_) => diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{ip}` is not an IPv4 or IPv6 address, nor `unknown`"),
                    )
                    .at_value(format!("{base}/ipAddresses/{i}")),
                ),
            }
        }
        d.ips = Some(out);
    }
    d.sign_in_risk = risk_levels(
        v.sign_in_risk_levels.as_ref(),
        &format!("{base}/signInRiskLevels"),
        diags,
    );
    d.user_risk = risk_levels(
        v.user_risk_levels.as_ref(),
        &format!("{base}/userRiskLevels"),
        diags,
    );
    d
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/// The diff lines of one evaluated sign-in; empty when it meets the expectation.
fn compare(p: &Prepared, o: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    let why = |o: &Outcome| -> String {
        let by: Vec<&str> = match o.access {
            Access::Block => o
                .requirements
                .iter()
                .filter(|r| {
                    r.controls
                        .contains(&Control::BuiltIn(BuiltInControl::Block))
                })
                .map(|r| r.policy.as_str())
                // Policies that block because the sign-in cannot satisfy
                // them (legacy client facing MFA, token protection unbound).
                .chain(o.unsatisfiable.iter().map(|u| u.policy.as_str()))
                .collect(),
            Access::Grant => o.requirements.iter().map(|r| r.policy.as_str()).collect(),
            Access::Allow => Vec::new(),
        };
        if by.is_empty() {
            String::new()
        } else {
            format!(" (by {})", by.join(", "))
        }
    };
    if let Some(want) = p.access
        && o.access != want
    {
        out.push(format!(
            "access: expected {}, got {}{}",
            want.as_str(),
            o.access.as_str(),
            why(o)
        ));
    }
    if let Some(not) = p.access_not
        && o.access == not
    {
        out.push(format!(
            "access: expected anything but {}, got {}{}",
            not.as_str(),
            o.access.as_str(),
            why(o)
        ));
    }
    if !out.is_empty() && !p.enforce && !o.report_only.is_empty() {
        out.push(format!(
            "note: report-only policies never change access; these would apply: {} (`enforceReportOnly: true` evaluates them as enabled)",
            o.report_only.join(", ")
        ));
    }
    for name in &p.apply {
        for r in o.policies.iter().filter(|r| &r.name == name && !r.applies) {
            out.push(format!(
                "{}: expected to apply, does not ({})",
                r.name,
                output::reasons_string(&r.reasons).replace(',', ", ")
            ));
        }
    }
    for name in &p.not_apply {
        for r in o.policies.iter().filter(|r| &r.name == name && r.applies) {
            out.push(format!("{}: expected not to apply, applies", r.name));
        }
    }
    for want in &p.requirements {
        if !o
            .requirements
            .iter()
            .any(|r| r.controls.contains(&want.control))
        {
            let got: Vec<String> = o
                .requirements
                .iter()
                .map(|r| format!("{} ({})", requirement_text(r), r.policy))
                .collect();
            out.push(format!(
                "requirements: expected {} to be required, got {}",
                want.label,
                if got.is_empty() {
                    "none".to_owned()
                } else {
                    got.join("; ")
                }
            ));
        }
    }
    if let Some(want) = &p.session {
        let got = output::session_json(&o.session);
        let want = Value::Object(want.clone());
        if !subset(&want, &got) {
            out.push(format!(
                "session: expected {}, got {}",
                serde_json::to_string(&want).unwrap_or_default(),
                serde_json::to_string(&got).unwrap_or_default()
            ));
        }
    }
    out
}

fn requirement_text(r: &whatif::Requirement) -> String {
    let parts: Vec<String> = r
        .controls
        .iter()
        .map(|c| match c {
            Control::BuiltIn(b) => b.wire().to_owned(),
            Control::AuthenticationStrength(id) => {
                catalog::find_by_id(Kind::AuthenticationStrength, id)
                    .map_or_else(|| id.clone(), |e| e.name.to_owned())
            }
            Control::TermsOfUse(id) | Control::CustomAuthenticationFactor(id) => id.clone(),
        })
        .collect();
    parts.join(&format!(" {} ", r.operator.as_str()))
}

/// `want` is contained in `got`: objects by key (recursively), anything else equal.
fn subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| subset(v, gv))),
        _ => want == got,
    }
}

/// Evaluates one scenario over every combination of its sweep. Combinations
/// are independent, so large sweeps run in chunks on every core; the count
/// and the first failing combination do not depend on the split.
pub(crate) fn evaluate(p: &Prepared, engine: &Engine) -> Verdict {
    use rayon::prelude::*;
    const CHUNK: usize = 2048;
    let total = p.dims.total();
    let chunks: Vec<(usize, Option<usize>)> = (0..total.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut sign_in = p.sign_in.clone();
            let mut failing = 0;
            let mut first = None;
            let mut reasons = Vec::new();
            let mut verdicts: HashMap<Vec<bool>, bool> = HashMap::new();
            for n in c * CHUNK..((c + 1) * CHUNK).min(total) {
                p.dims.apply(p.dims.indices(n), &mut sign_in);
                // The combined outcome (access, requirements, session) is a
                // function of which policies apply, and so is every
                // expectation: evaluate fully once per distinct set.
                engine.reasons_into(&sign_in, &mut reasons);
                let applying: Vec<bool> = reasons.iter().map(|r| r.is_empty()).collect();
                let fails = *verdicts
                    .entry(applying)
                    .or_insert_with(|| !compare(p, &engine.evaluate(&sign_in)).is_empty());
                if fails {
                    failing += 1;
                    first.get_or_insert(n);
                }
            }
            (failing, first)
        })
        .collect();
    let failing = chunks.iter().map(|c| c.0).sum();
    let first = chunks.iter().find_map(|c| c.1).map(|n| {
        let ix = p.dims.indices(n);
        let mut sign_in = p.sign_in.clone();
        p.dims.apply(ix, &mut sign_in);
        (
            p.dims.describe(ix),
            compare(p, &engine.evaluate(&sign_in)),
            p.dims.apply_json(ix, &p.request),
        )
    });
    Verdict {
        file: p.file.clone(),
        line: p.line,
        name: p.name.clone(),
        sign_ins: total,
        failing,
        first,
        enforce: p.enforce && p.dims.is_sweep(),
    }
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

pub(crate) fn human(verdicts: &[Verdict]) -> String {
    let mut out = String::new();
    for v in verdicts {
        let count = if v.sign_ins > 1 {
            format!(", {} sign-ins", v.sign_ins)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{} {} ({}:{}){count}",
            if v.passed() { "PASS" } else { "FAIL" },
            v.name,
            v.file,
            v.line
        );
        for l in v.diff() {
            let _ = writeln!(out, "    {l}");
        }
    }
    let passed = verdicts.iter().filter(|v| v.passed()).count();
    let _ = writeln!(out, "{passed} passed, {} failed", verdicts.len() - passed);
    out
}

pub(crate) fn to_json(verdicts: &[Verdict]) -> Value {
    let passed = verdicts.iter().filter(|v| v.passed()).count();
    let scenarios: Vec<Value> = verdicts
        .iter()
        .map(|v| {
            let mut m = Map::new();
            m.insert("file".into(), v.file.clone().into());
            m.insert("line".into(), v.line.into());
            m.insert("name".into(), v.name.clone().into());
            m.insert("passed".into(), v.passed().into());
            m.insert("signIns".into(), v.sign_ins.into());
            m.insert("failing".into(), v.failing.into());
            if let Some((combo, lines, request)) = &v.first {
                m.insert("signIn".into(), combo.clone().into());
                m.insert("failures".into(), lines.clone().into());
                m.insert("request".into(), request.clone());
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "version": 1,
        "passed": passed,
        "failed": verdicts.len() - passed,
        "scenarios": scenarios,
    })
}

/// JUnit XML: one `<testsuite>` per scenario file (in file order), one
/// `<testcase>` per scenario, a `<failure>` holding the diff. No timings, so
/// the file is byte-stable.
pub(crate) fn junit(verdicts: &[Verdict]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failed = verdicts.iter().filter(|v| !v.passed()).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"caac test\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">",
        verdicts.len()
    );
    let mut files: Vec<&str> = Vec::new();
    for v in verdicts {
        if !files.contains(&v.file.as_str()) {
            files.push(&v.file);
        }
    }
    for file in files {
        let cases: Vec<&Verdict> = verdicts.iter().filter(|v| v.file == file).collect();
        let f = escape::xml(file);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{f}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            cases.len(),
            cases.iter().filter(|v| !v.passed()).count()
        );
        for v in cases {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{f}\" file=\"{f}\" line=\"{}\"",
                escape::xml(&v.name),
                v.line
            );
            if v.passed() {
                let _ = writeln!(out, "{open}/>");
            } else {
                let diff = v.diff();
                // The message is what went wrong; for a sweep, with how often.
                let message = match &v.first {
                    Some((_, lines, _)) if v.sign_ins > 1 => format!(
                        "{} ({} of {} sign-ins fail)",
                        lines.first().map_or("", String::as_str),
                        v.failing,
                        v.sign_ins
                    ),
                    _ => diff.first().cloned().unwrap_or_default(),
                };
                let _ = writeln!(out, "{open}>");
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"caac-scenario\">{}</failure>",
                    escape::xml(&message),
                    escape::xml(&diff.join("\n"))
                );
                let _ = writeln!(out, "    </testcase>");
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_matching() {
        let got = json!({"secureSignInSession": {"isEnabled": true}, "signInFrequency": {"isEnabled": true, "value": 4}});
        assert!(subset(
            &json!({"secureSignInSession": {"isEnabled": true}}),
            &got
        ));
        assert!(subset(&json!({"signInFrequency": {"value": 4}}), &got));
        assert!(!subset(&json!({"signInFrequency": {"value": 5}}), &got));
        assert!(!subset(&json!({"persistentBrowser": {}}), &got));
    }

    #[test]
    fn combinations_are_enumerated_last_dimension_fastest() {
        let d = Dims {
            platforms: Some(vec![
                Choice {
                    value: Some(Platform::Windows),
                    label: "windows".into(),
                },
                Choice {
                    value: None,
                    label: "unknown".into(),
                },
            ]),
            user_risk: Some(vec![
                Choice {
                    value: RiskLevel::None,
                    label: "none".into(),
                },
                Choice {
                    value: RiskLevel::High,
                    label: "high".into(),
                },
                Choice {
                    value: RiskLevel::Low,
                    label: "low".into(),
                },
            ]),
            ..Dims::default()
        };
        assert_eq!(d.total(), 6);
        assert_eq!(d.indices(0), [0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d.indices(1), [0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(d.indices(4), [0, 1, 0, 0, 0, 0, 1]);
        assert_eq!(d.describe(d.indices(5)), "platform unknown, user risk low");
        let mut request = Map::new();
        request.insert(
            "signInConditions".into(),
            json!({"devicePlatform": "iOS", "clientAppType": "browser"}),
        );
        assert_eq!(
            d.apply_json(d.indices(5), &request),
            json!({"signInConditions": {"clientAppType": "browser", "userRiskLevel": "low"}})
        );
    }

    #[test]
    fn every_app_has_the_unlisted_one_and_no_duplicates() {
        let apps = every_app(None);
        assert!(apps.iter().any(|a| a.value == UNLISTED_APP));
        assert!(
            apps.iter()
                .any(|a| a.value == "00000002-0000-0ff1-ce00-000000000000")
        );
        let mut ids: Vec<&str> = apps.iter().map(|a| a.value.as_str()).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(crate::resolve::is_guid(UNLISTED_APP));
    }
}
