//! Preparing scenarios: finding scenario files, loading and checking each
//! one, resolving names through the tenant file and expanding `vary` sweeps
//! into the sign-ins one scenario evaluates.

use super::*;
use crate::catalog::{self, Kind};
use crate::check;
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::{BuiltInControl, Platform, RiskLevel, Tenant, Wire};
use crate::render::FileReport;
use crate::whatif::{self, Access, ClientApp, Control, SignIn, Target};
use serde_json::{Map, Value, json};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// Prepared scenarios
// ---------------------------------------------------------------------------

/// One value of one sweep dimension: how it reads in the request and in the text.
#[derive(Debug, Clone)]
pub(super) struct Choice<T> {
    pub(super) value: T,
    pub(super) label: String,
}

/// The resolved sweep: every dimension has at least one choice; `None` means
/// "not varied, as the request says".
#[derive(Debug, Clone, Default)]
pub(super) struct Dims {
    pub(super) apps: Option<Vec<Choice<String>>>,
    pub(super) platforms: Option<Vec<Choice<Option<Platform>>>>,
    pub(super) clients: Option<Vec<Choice<ClientApp>>>,
    pub(super) countries: Option<Vec<Choice<Option<String>>>>,
    pub(super) ips: Option<Vec<Choice<Option<IpAddr>>>>,
    pub(super) sign_in_risk: Option<Vec<Choice<RiskLevel>>>,
    pub(super) user_risk: Option<Vec<Choice<RiskLevel>>>,
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

    pub(super) fn total(&self) -> usize {
        self.lens().iter().fold(1, |a, b| a.saturating_mul(*b))
    }

    pub(super) fn is_sweep(&self) -> bool {
        self.apps.is_some()
            || self.platforms.is_some()
            || self.clients.is_some()
            || self.countries.is_some()
            || self.ips.is_some()
            || self.sign_in_risk.is_some()
            || self.user_risk.is_some()
    }

    /// Combination number `n` as one index per dimension (last dimension fastest).
    pub(super) fn indices(&self, mut n: usize) -> [usize; 7] {
        let lens = self.lens();
        let mut out = [0; 7];
        for i in (0..7).rev() {
            out[i] = n % lens[i];
            n /= lens[i];
        }
        out
    }

    /// Applies combination `ix` to a parsed sign-in.
    pub(super) fn apply(&self, ix: [usize; 7], s: &mut SignIn) {
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
    pub(super) fn apply_json(&self, ix: [usize; 7], request: &Map<String, Value>) -> Value {
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
    pub(super) fn describe(&self, ix: [usize; 7]) -> String {
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
pub(super) struct WantControl {
    pub(super) label: String,
    pub(super) control: Control,
}

/// A scenario ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(super) file: String,
    /// Its JSON pointer in the file (`""` or `/scenarios/3`).
    pub(super) at: String,
    pub(super) line: u32,
    pub(super) name: String,
    pub(super) request: Map<String, Value>,
    pub(super) sign_in: SignIn,
    pub(super) dims: Dims,
    pub(crate) enforce: bool,
    pub(super) access: Option<Access>,
    pub(super) access_not: Option<Access>,
    pub(super) apply: Vec<String>,
    pub(super) not_apply: Vec<String>,
    pub(super) requirements: Vec<WantControl>,
    pub(super) session: Option<Map<String, Value>>,
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

pub(super) fn prepare(
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
pub(super) fn policy_names(
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
pub(super) fn listed<'s>(sweep: &'s Sweep, pointer: &str) -> Option<Vec<(String, &'s str)>> {
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

pub(super) fn unknown_value(what: &str, value: &str, pointer: &str, names: &[&str]) -> Diagnostic {
    let help = did_you_mean(value, names.iter().copied()).map_or_else(
        || format!("expected one of: {}", names.join(", ")),
        |s| format!("did you mean `{s}`?"),
    );
    Diagnostic::error(Code::InvalidValue, format!("unknown {what} `{value}`"))
        .at_value(pointer)
        .with_help(help)
}

pub(super) fn risk_levels(
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
pub(super) fn every_app(tenant: Option<&Tenant>) -> Vec<Choice<String>> {
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

pub(super) fn dims(
    v: &Vary,
    base: &str,
    tenant: Option<&Tenant>,
    diags: &mut Vec<Diagnostic>,
) -> Dims {
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
