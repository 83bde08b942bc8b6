//! Graph JSON → the one policy model.
//!
//! Contract: [`from_graph`] reads one exported `conditionalAccessPolicy` in
//! any dialect seen in the wild (sparse
//! POST bodies, GET responses, full OData metadata, portal downloads,
//! PowerShell SDK PascalCase) and returns a [`Policy`] holding Graph's values
//! (ids, not names), plus a map from spec pointers to source pointers so
//! every rule finding lands on the right line of the export. It never drops
//! data silently: read-only and `@odata` keys are stripped by rule (the
//! original `id` is kept in [`Policy::id`]), `null` / `[]` / omitted /
//! all-null objects all mean "not set", and any other key the model does not
//! know goes to [`Policy::passthrough`] with a warning naming it.

use crate::diag::{Code, Diagnostic, Severity, did_you_mean};
use crate::load::escape_segment;
use crate::model::*;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashSet;

/// A converted policy.
#[derive(Debug, Clone, Default)]
pub struct Converted {
    /// The policy (references are Graph ids and keywords).
    pub policy: Policy,
    /// Spec pointer → source pointer, for every value that was read (the
    /// first mapping recorded for a spec pointer wins).
    pub pointers: std::collections::HashMap<String, String>,
    /// Problems, pointing into the *source* document.
    pub diagnostics: Vec<Diagnostic>,
    /// True when some value could not be read into the model (an unknown
    /// enum member, a wrong type): the policy is incomplete and must not be
    /// re-created from it.
    pub lossy: bool,
    /// Errors whose intent was still read (a mis-cased enum value, a flags
    /// list): source pointer → the value the model holds, when it is one
    /// value. `caac import` writes that value, so for it these are fixes.
    pub fixed: std::collections::HashMap<String, Option<String>>,
}

impl Converted {
    /// Translates a spec pointer (what rules report) into the source
    /// document's pointer: the longest mapped prefix plus the rest.
    pub fn source_pointer(&self, spec: &str) -> Option<String> {
        // Walk up the pointer one segment at a time: O(depth) hash lookups,
        // so 100,000 findings in one export stay linear.
        let mut prefix = spec;
        loop {
            if let Some(src) = self.pointers.get(prefix) {
                return Some(format!("{src}{}", &spec[prefix.len()..]));
            }
            if prefix.is_empty() {
                return None;
            }
            prefix = &prefix[..prefix.rfind('/').unwrap_or(0)];
        }
    }
}

/// A JSON object read with case-insensitive keys (PowerShell SDK exports use
/// PascalCase, some files mix both), remembering which keys were used.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    at: String,
    used: RefCell<HashSet<&'a str>>,
    /// Every key the converter looked for here, present or not: the
    /// modelled keys of this object, for "did you mean" on the leftovers.
    asked: RefCell<Vec<String>>,
}

impl<'a> Obj<'a> {
    fn new(map: &'a Map<String, Value>, at: String) -> Self {
        Obj {
            map,
            at,
            used: RefCell::new(HashSet::new()),
            asked: RefCell::new(Vec::new()),
        }
    }

    /// The source pointer of key `k` of this object (one allocation: this
    /// runs for every key of every export).
    fn child(&self, k: &str) -> String {
        let k = escape_segment(k);
        let mut p = String::with_capacity(self.at.len() + 1 + k.len());
        p.push_str(&self.at);
        p.push('/');
        p.push_str(&k);
        p
    }

    /// Keys that repeat another key of this object up to case (`Mode` beside
    /// `mode`): Graph would see only one of them, so which one is a guess.
    fn case_duplicates(&self) -> Vec<(String, String)> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut out = Vec::new();
        for k in self.map.keys() {
            if !is_noise(k) && !seen.insert(k.to_ascii_lowercase()) {
                out.push((k.clone(), self.child(k)));
            }
        }
        out
    }

    /// The value under `name` (any case), unless it is null. Marks it used.
    fn get(&self, name: &str) -> Option<(&'a Value, String)> {
        self.asked.borrow_mut().push(name.to_owned());
        let (k, v) = self
            .map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        self.used.borrow_mut().insert(k.as_str());
        if v.is_null() {
            return None;
        }
        Some((v, self.child(k)))
    }

    /// The modelled key `key` is a near miss of (a typo or a slip in case
    /// and spelling), among the modelled keys of this object.
    /// A key Graph itself defines (on any conditional access type) is never
    /// a near miss: it is passed through.
    fn near_miss(&self, key: &str) -> Option<String> {
        if graph_property_names().contains(key) {
            return None;
        }
        let asked = self.asked.borrow();
        did_you_mean(key, asked.iter().map(String::as_str)).map(str::to_owned)
    }

    /// Keys nobody read that carry data (not null/empty, not OData noise).
    fn leftovers(&self) -> Vec<(&'a str, &'a Value, String)> {
        let used = self.used.borrow();
        self.map
            .iter()
            .filter(|(k, v)| !used.contains(k.as_str()) && !is_noise(k) && !is_empty(v))
            .map(|(k, v)| (k.as_str(), v, self.child(k)))
            .collect()
    }
}

/// Every property name of every type in Graph's beta metadata for
/// `conditionalAccessPolicy` (the same schema `caac build` checks bodies
/// against, generated from Microsoft's CSDL; see `schemas/graph/README.md`).
fn graph_property_names() -> &'static HashSet<String> {
    static NAMES: std::sync::LazyLock<HashSet<String>> = std::sync::LazyLock::new(|| {
        let schema: Value = serde_json::from_str(include_str!(
            "../../schemas/graph/conditionalAccessPolicy.beta.schema.json"
        ))
        .unwrap_or_default();
        schema
            .get("$defs")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|defs| defs.values())
            .filter_map(|d| d.get("properties").and_then(Value::as_object))
            .flat_map(|props| props.keys().cloned())
            .collect()
    });
    &NAMES
}

/// OData annotations (`@odata.type`, `x@odata.context`) and action
/// advertisements (`#microsoft.graph.restore`) carry no policy data.
fn is_noise(key: &str) -> bool {
    key.contains("@odata.") || key.starts_with('#')
}

/// `null`, `[]`, `""`, `{}` or an object whose leaves are all empty: the
/// dialects' three spellings of "not set" (corpus-notes.md §4).
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.iter().all(|(k, v)| is_noise(k) || is_empty(v)),
        _ => false,
    }
}

struct Conv {
    pointers: Vec<(String, String)>,
    diags: Vec<Diagnostic>,
    passthrough: Map<String, Value>,
    lossy: bool,
    fixed: std::collections::HashMap<String, Option<String>>,
}

impl Conv {
    fn map(&mut self, spec: impl Into<String>, src: impl Into<String>) {
        self.pointers.push((spec.into(), src.into()));
    }

    /// Reports keys that differ only in case (see [`Obj::case_duplicates`]).
    fn case_duplicates(&mut self, o: &Obj) {
        for (k, at) in o.case_duplicates() {
            self.lossy = true;
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateKey,
                    format!("duplicate key `{k}` (keys are matched ignoring case)"),
                )
                .at_key(at)
                .with_help("keep one spelling of the key"),
            );
        }
    }

    /// An error that lost data: the value could not be read into the model.
    fn error(
        &mut self,
        code: impl Into<&'static str>,
        src: &str,
        message: String,
        help: Option<String>,
    ) {
        self.lossy = true;
        self.recovered(code, src, message, help);
    }

    /// An error in the export whose intent was still read (a casing slip, a
    /// list where Graph wants a flags string): reported, nothing lost.
    fn recovered(
        &mut self,
        code: impl Into<&'static str>,
        src: &str,
        message: String,
        help: Option<String>,
    ) {
        let code: &'static str = code.into();
        self.fixed.entry(src.to_owned()).or_insert(None);
        let mut d = Diagnostic::error(code, message).at_value(src);
        if code == "CA015" {
            d.name = Some("unknown-enum-value");
        }
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    fn string(&mut self, v: &Value, src: &str) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            other => {
                self.error(
                    Code::InvalidType,
                    src,
                    format!("expected a string, found {other}"),
                    None,
                );
                None
            }
        }
    }

    /// A list of strings; a lone string is accepted as a one-element list
    /// with an error (Graph wants an array).
    fn strings(&mut self, v: &Value, src: &str, spec: &str) -> Vec<String> {
        let mut out = Vec::new();
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{src}/{i}");
                    if let Some(s) = self.string(item, &at) {
                        self.map(format!("{spec}/{}", out.len()), at);
                        out.push(s);
                    }
                }
            }
            other => self.error(
                Code::InvalidType,
                src,
                format!("expected a list, found {other}"),
                None,
            ),
        }
        self.map(spec, src);
        out
    }

    fn one<T: Wire>(&mut self, s: &str, src: &str) -> Option<T> {
        if let Some(v) = T::parse(s) {
            return Some(v);
        }
        let names: Vec<&str> = T::all().iter().map(|v| v.wire()).collect();
        let loose = T::parse_loose(s);
        let hint = match loose
            .map(Wire::wire)
            .or_else(|| did_you_mean(s, names.iter().copied()))
        {
            Some(h) => format!("did you mean `{h}`? "),
            None => String::new(),
        };
        let message = format!("`{s}` is not a valid value here");
        let help = Some(format!(
            "{hint}expected one of: {} (case-sensitive)",
            names.join(", ")
        ));
        // A casing mistake still tells us what was meant; keep checking with it.
        if let Some(l) = loose {
            self.recovered("CA015", src, message, help);
            self.fixed.insert(src.to_owned(), Some(l.wire().to_owned()));
        } else {
            self.error("CA015", src, message, help);
        }
        loose
    }

    /// A list of enum values (`["windows", "iOS"]`).
    fn enums<T: Wire>(&mut self, v: &Value, src: &str, spec: &str) -> Vec<T> {
        let mut out = Vec::new();
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{src}/{i}");
                    if let Some(s) = self.string(item, &at)
                        && let Some(e) = self.one::<T>(&s, &at)
                    {
                        self.map(format!("{spec}/{}", out.len()), at);
                        out.push(e);
                    }
                }
            }
            Value::String(s) => {
                self.error(
                    Code::InvalidType,
                    src,
                    format!("expected a list, found the string \"{s}\""),
                    None,
                );
            }
            other => self.error(
                Code::InvalidType,
                src,
                format!("expected a list, found {other}"),
                None,
            ),
        }
        self.map(spec, src);
        out
    }

    /// A flags enum: Graph sends one comma-joined string (`"minor,elevated"`).
    /// An array is reported (Graph rejects it) but still read.
    fn flags<T: Wire>(&mut self, v: &Value, src: &str, spec: &str) -> Vec<T> {
        let parts: Vec<(String, String)> = match v {
            Value::String(s) => s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty() && *p != "none")
                .map(|p| (p.to_owned(), src.to_owned()))
                .collect(),
            Value::Array(items) => {
                self.recovered(
                    "CA015",
                    src,
                    "Graph wants this flags value as one comma-separated string, not a list".into(),
                    Some("write it as \"a,b\"".into()),
                );
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, x)| x.as_str().map(|s| (s.to_owned(), format!("{src}/{i}"))))
                    .collect()
            }
            other => {
                self.error(
                    Code::InvalidType,
                    src,
                    format!("expected a comma-separated string, found {other}"),
                    None,
                );
                Vec::new()
            }
        };
        let mut out = Vec::new();
        for (p, at) in parts {
            if let Some(e) = self.one::<T>(&p, &at) {
                out.push(e);
            }
        }
        self.map(spec, src);
        out
    }

    fn filter(&mut self, v: &Value, src: &str, spec: &str) -> Option<Filter> {
        let Some(m) = v.as_object() else {
            self.error(
                Code::InvalidType,
                src,
                format!("a filter is an object with `mode` and `rule`, found {v}"),
                None,
            );
            return None;
        };
        let o = Obj::new(m, src.to_owned());
        self.case_duplicates(&o);
        let mode = o.get("mode");
        let rule = o.get("rule");
        self.leftover(&o, None);
        match (mode, rule) {
            (None, None) => None,
            (Some((mv, mp)), Some((rv, rp))) => {
                let mode = self
                    .string(mv, &mp)
                    .and_then(|s| self.one::<FilterMode>(&s, &mp))?;
                let rule = self.string(rv, &rp)?;
                self.map(spec, src);
                self.map(format!("{spec}/mode"), mp);
                self.map(format!("{spec}/rule"), rp);
                Some(Filter { mode, rule })
            }
            _ => {
                self.error(
                    Code::MissingField,
                    src,
                    "a filter needs both `mode` and `rule`".into(),
                    None,
                );
                None
            }
        }
    }

    /// Unread keys with data: kept verbatim in the pass-through under their
    /// Graph path, with a warning naming them.
    fn leftover(&mut self, o: &Obj, graph_path: Option<&[&str]>) {
        for (k, v, src) in o.leftovers() {
            // A near miss of a modelled key is a typo, not an unknown
            // property: sent as written, Graph would ignore or reject it and
            // the value meant for the modelled key would be lost.
            if let Some(meant) = o.near_miss(k) {
                self.lossy = true;
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownField,
                        format!("unknown key `{k}`: Graph has no such property here"),
                    )
                    .at_key(&src)
                    .with_help(format!("did you mean `{meant}`?")),
                );
                continue;
            }
            let Some(path) = graph_path else {
                self.diags.push(
                    Diagnostic::warning(
                        Code::NotModelled,
                        format!("`{k}` is not part of this object in Graph; it is ignored"),
                    )
                    .at_key(&src),
                );
                continue;
            };
            let key = camel(k);
            let mut target = &mut self.passthrough;
            for seg in path {
                let entry = target
                    .entry((*seg).to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                target = entry.as_object_mut().expect("just made an object");
            }
            target.insert(key.clone(), v.clone());
            let mut spec = String::from("/passthrough");
            for seg in path.iter().copied().chain([key.as_str()]) {
                spec.push('/');
                spec.push_str(&escape_segment(seg));
            }
            self.map(spec, src.clone());
            let dotted: Vec<&str> = path.iter().copied().chain([key.as_str()]).collect();
            self.diags.push(
                Diagnostic::warning(
                    Code::NotModelled,
                    format!("`{}` is not modelled by caac; it is kept as pass-through and sent as written", dotted.join(".")),
                )
                .at_key(src),
            );
        }
    }
}

/// PascalCase → camelCase for pass-through keys.
fn camel(k: &str) -> String {
    let mut c = k.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Converts one exported policy object found at source pointer `at`.
pub fn from_graph(v: &Value, at: &str) -> Converted {
    let mut c = Conv {
        pointers: Vec::new(),
        diags: Vec::new(),
        passthrough: Map::new(),
        lossy: false,
        fixed: std::collections::HashMap::new(),
    };
    let Some(map) = v.as_object() else {
        c.error(
            Code::InvalidType,
            at,
            "expected a policy object".into(),
            None,
        );
        return Converted {
            diagnostics: c.diags,
            lossy: true,
            ..Converted::default()
        };
    };
    let root = Obj::new(map, at.to_owned());
    c.case_duplicates(&root);
    // Each property is read into a local in the order the export is walked
    // (the diagnostics and the pointer map follow that order), and the policy
    // is built at the end with every field named: a property added to the
    // model fails to compile here until the importer reads it.
    let mut live_id = None;
    let mut display_name = String::new();
    let mut description = None;
    let mut state = State::default();
    c.map("", at);
    // Read-only keys are stripped before anything else.
    for k in crate::model::READ_ONLY {
        if *k == "id" {
            if let Some((v, src)) = root.get(k)
                && let Some(id) = c.string(v, &src)
                && crate::resolve::is_guid(&id)
            {
                c.map("/id", src);
                live_id = Some(id.to_ascii_lowercase());
            }
        } else {
            root.get(k);
        }
    }
    // PowerShell SDK objects carry an empty `AdditionalProperties` bag.
    root.get("additionalProperties");
    match root.get("displayName") {
        Some((v, src)) => {
            display_name = c.string(v, &src).unwrap_or_default();
            c.map("/displayName", src);
        }
        None => c.error(
            Code::MissingField,
            at,
            "missing required field `displayName`".into(),
            None,
        ),
    }
    if let Some((v, src)) = root.get("description") {
        description = c.string(v, &src);
        c.map("/description", src);
    }
    match root.get("state") {
        Some((v, src)) => {
            let s = c.string(v, &src).unwrap_or_default();
            state = match s.as_str() {
                "enabled" => State::Enabled,
                "disabled" => State::Disabled,
                "enabledForReportingButNotEnforced" => State::EnabledForReportingButNotEnforced,
                other => {
                    let hint = did_you_mean(
                        other,
                        ["enabled", "disabled", "enabledForReportingButNotEnforced"],
                    );
                    c.error(
                        "CA015",
                        &src,
                        format!("`{other}` is not a valid value here"),
                        Some(match hint {
                            Some(h) => format!("did you mean `{h}`?"),
                            None => {
                                "expected enabled, disabled or enabledForReportingButNotEnforced"
                                    .into()
                            }
                        }),
                    );
                    State::ReportOnly
                }
            };
            c.map("/state", src);
        }
        None => c.error(
            Code::MissingField,
            at,
            "missing required field `state`".into(),
            None,
        ),
    }
    let conditions = if let Some((v, src)) = root.get("conditions") {
        match v.as_object() {
            Some(m) => conditions(&mut c, &Obj::new(m, src)),
            None => {
                c.error(Code::InvalidType, &src, "expected an object".into(), None);
                Conditions::default()
            }
        }
    } else {
        c.error(
            Code::MissingField,
            at,
            "missing required field `conditions`".into(),
            None,
        );
        Conditions::default()
    };
    let grant = obj(&mut c, &root, "grantControls").and_then(|g| grant(&mut c, &g));
    let session = obj(&mut c, &root, "sessionControls").and_then(|x| session(&mut c, &x));
    c.leftover(&root, Some(&[]));
    let passthrough = (!c.passthrough.is_empty()).then(|| std::mem::take(&mut c.passthrough));
    let Conditions {
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
    } = conditions;
    let policy = Policy {
        display_name,
        description,
        id: live_id,
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
        // caac metadata: Graph has no such properties, so an export never
        // carries them.
        rollout: None,
        exclusions: Vec::new(),
        passthrough,
    };
    let pointer_count = c.pointers.len();
    Converted {
        policy,
        pointers: c.pointers.into_iter().fold(
            std::collections::HashMap::with_capacity(pointer_count),
            |mut m, (spec, src)| {
                m.entry(spec).or_insert(src);
                m
            },
        ),
        diagnostics: c.diags,
        lossy: c.lossy,
        fixed: c.fixed,
    }
}

fn obj<'a>(c: &mut Conv, parent: &Obj<'a>, name: &str) -> Option<Obj<'a>> {
    let (v, src) = parent.get(name)?;
    match v.as_object() {
        Some(m) => {
            let o = Obj::new(m, src);
            c.case_duplicates(&o);
            Some(o)
        }
        None if is_empty(v) => None,
        None => {
            c.error(
                Code::InvalidType,
                &src,
                format!("`{name}` should be an object, found {v}"),
                None,
            );
            None
        }
    }
}

fn list(c: &mut Conv, o: &Obj, name: &str, spec: &str) -> Vec<String> {
    match o.get(name) {
        Some((v, src)) => c.strings(v, &src, spec),
        None => Vec::new(),
    }
}

/// The condition-set part of a [`Policy`], read from Graph's `conditions`
/// (<https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset>).
/// `from_graph` moves each field into the policy by name.
#[derive(Default)]
struct Conditions {
    users: Option<Users>,
    client_applications: Option<ClientApplications>,
    applications: Option<Applications>,
    client_app_types: Vec<ClientAppType>,
    platforms: Option<Platforms>,
    locations: Option<Locations>,
    devices: Option<Devices>,
    sign_in_risk_levels: Vec<RiskLevel>,
    user_risk_levels: Vec<RiskLevel>,
    service_principal_risk_levels: Vec<ServicePrincipalRiskLevel>,
    insider_risk_levels: Vec<InsiderRiskLevel>,
    agent_id_risk_levels: Vec<AgentIdRiskLevel>,
    authentication_flows: Vec<TransferMethod>,
}

fn conditions(c: &mut Conv, o: &Obj) -> Conditions {
    let mut p = Conditions::default();
    if let Some(u) = obj(c, o, "users") {
        let (mut include, mut exclude) = (None, None);
        for (side, cap) in [("include", "include"), ("exclude", "exclude")] {
            let base = format!("/users/{side}");
            let set = UserSet {
                users: list(c, &u, &format!("{cap}Users"), &format!("{base}/users")),
                groups: list(c, &u, &format!("{cap}Groups"), &format!("{base}/groups")),
                roles: list(c, &u, &format!("{cap}Roles"), &format!("{base}/roles")),
                guests_or_external_users: obj(c, &u, &format!("{cap}GuestsOrExternalUsers"))
                    .and_then(|g| guests(c, &g, &format!("{base}/guestsOrExternalUsers"))),
            };
            if set != UserSet::default() {
                c.map(&base, &u.at);
                if side == "include" {
                    include = Some(set);
                } else {
                    exclude = Some(set);
                }
            }
        }
        let users = Users { include, exclude };
        c.leftover(&u, Some(&["conditions", "users"]));
        if users != Users::default() {
            c.map("/users", &u.at);
            p.users = Some(users);
        }
    }
    if let Some(a) = obj(c, o, "applications") {
        let apps = Applications {
            include: list(c, &a, "includeApplications", "/applications/include"),
            exclude: list(c, &a, "excludeApplications", "/applications/exclude"),
            user_actions: list(c, &a, "includeUserActions", "/applications/userActions"),
            authentication_contexts: list(
                c,
                &a,
                "includeAuthenticationContextClassReferences",
                "/applications/authenticationContexts",
            ),
            filter: a
                .get("applicationFilter")
                .and_then(|(v, src)| c.filter(v, &src, "/applications/filter")),
        };
        c.leftover(&a, Some(&["conditions", "applications"]));
        c.map("/applications", &a.at);
        if apps != Applications::default() {
            p.applications = Some(apps);
        }
    }
    if let Some(ca) = obj(c, o, "clientApplications") {
        let mut agents = AgentIds {
            include: list(
                c,
                &ca,
                "includeAgentIdServicePrincipals",
                "/clientApplications/agentIds/include",
            ),
            exclude: list(
                c,
                &ca,
                "excludeAgentIdServicePrincipals",
                "/clientApplications/agentIds/exclude",
            ),
            filter: ca
                .get("agentIdServicePrincipalFilter")
                .and_then(|(v, src)| c.filter(v, &src, "/clientApplications/agentIds/filter")),
        };
        let apps = ClientApplications {
            include: list(
                c,
                &ca,
                "includeServicePrincipals",
                "/clientApplications/include",
            ),
            exclude: list(
                c,
                &ca,
                "excludeServicePrincipals",
                "/clientApplications/exclude",
            ),
            filter: ca
                .get("servicePrincipalFilter")
                .and_then(|(v, src)| c.filter(v, &src, "/clientApplications/filter")),
            agent_ids: (agents != AgentIds::default()).then(|| std::mem::take(&mut agents)),
        };
        c.leftover(&ca, Some(&["conditions", "clientApplications"]));
        if apps != ClientApplications::default() {
            c.map("/clientApplications", &ca.at);
            p.client_applications = Some(apps);
        }
    }
    if let Some((v, src)) = o.get("clientAppTypes") {
        p.client_app_types = c.enums(v, &src, "/clientAppTypes");
    }
    if let Some(pl) = obj(c, o, "platforms") {
        let include = pl
            .get("includePlatforms")
            .map(|(v, s)| c.enums(v, &s, "/platforms/include"))
            .unwrap_or_default();
        let exclude = pl
            .get("excludePlatforms")
            .map(|(v, s)| c.enums(v, &s, "/platforms/exclude"))
            .unwrap_or_default();
        c.leftover(&pl, Some(&["conditions", "platforms"]));
        if include.is_empty() && !exclude.is_empty() {
            // Graph requires includePlatforms with the condition (graph-ca-schema.md §5.6).
            c.error(
                Code::MissingField,
                &pl.at,
                "`includePlatforms` is required when platforms are excluded".into(),
                Some("add `\"includePlatforms\": [\"all\"]`".into()),
            );
        } else if !include.is_empty() {
            c.map("/platforms", &pl.at);
            p.platforms = Some(Platforms { include, exclude });
        }
    }
    if let Some(l) = obj(c, o, "locations") {
        let include = list(c, &l, "includeLocations", "/locations/include");
        let exclude = list(c, &l, "excludeLocations", "/locations/exclude");
        c.leftover(&l, Some(&["conditions", "locations"]));
        if include.is_empty() && !exclude.is_empty() {
            // Graph requires includeLocations with the condition (graph-ca-schema.md §5.7).
            c.error(
                Code::MissingField,
                &l.at,
                "`includeLocations` is required when locations are excluded".into(),
                Some("add `\"includeLocations\": [\"All\"]`".into()),
            );
        } else if !include.is_empty() {
            c.map("/locations", &l.at);
            p.locations = Some(Locations { include, exclude });
        }
    }
    if let Some(d) = obj(c, o, "devices") {
        let filter = d
            .get("deviceFilter")
            .and_then(|(v, src)| c.filter(v, &src, "/devices/filter"));
        c.leftover(&d, Some(&["conditions", "devices"]));
        if filter.is_some() {
            c.map("/devices", &d.at);
            p.devices = Some(Devices { filter });
        }
    }
    if let Some((v, s)) = o.get("signInRiskLevels") {
        p.sign_in_risk_levels = c.enums(v, &s, "/signInRiskLevels");
    }
    if let Some((v, s)) = o.get("userRiskLevels") {
        p.user_risk_levels = c.enums(v, &s, "/userRiskLevels");
    }
    if let Some((v, s)) = o.get("servicePrincipalRiskLevels") {
        p.service_principal_risk_levels = c.enums(v, &s, "/servicePrincipalRiskLevels");
    }
    if let Some((v, s)) = o.get("insiderRiskLevels") {
        p.insider_risk_levels = c.flags(v, &s, "/insiderRiskLevels");
    }
    if let Some((v, s)) = o.get("agentIdRiskLevels") {
        p.agent_id_risk_levels = c.flags(v, &s, "/agentIdRiskLevels");
    }
    if let Some(f) = obj(c, o, "authenticationFlows") {
        if let Some((v, s)) = f.get("transferMethods") {
            p.authentication_flows = c.flags(v, &s, "/authenticationFlows");
        }
        c.leftover(&f, Some(&["conditions", "authenticationFlows"]));
    }
    c.leftover(o, Some(&["conditions"]));
    p
}

fn guests(c: &mut Conv, g: &Obj, spec: &str) -> Option<GuestsOrExternalUsers> {
    let types = g
        .get("guestOrExternalUserTypes")
        .map(|(v, s)| c.flags::<GuestOrExternalUserType>(v, &s, &format!("{spec}/types")))
        .unwrap_or_default();
    let mut tenants = Vec::new();
    if let Some(t) = obj(c, g, "externalTenants") {
        let kind = t
            .get("membershipKind")
            .and_then(|(v, s)| c.string(v, &s).map(|k| (k, s)));
        let members = list(c, &t, "members", &format!("{spec}/tenants"));
        match kind {
            Some((k, _)) if k == "all" => tenants = vec!["All".to_owned()],
            Some((k, _)) if k == "enumerated" => tenants = members,
            Some((k, s)) => {
                c.error(
                    "CA015",
                    &s,
                    format!("`{k}` is not a valid value here"),
                    Some("expected all or enumerated".into()),
                );
            }
            None if !members.is_empty() => tenants = members,
            None => {}
        }
        c.map(format!("{spec}/tenants"), &t.at);
        c.leftover(&t, None);
    }
    c.leftover(g, None);
    if types.is_empty() {
        return None;
    }
    c.map(spec, &g.at);
    Some(GuestsOrExternalUsers { types, tenants })
}

fn grant(c: &mut Conv, o: &Obj) -> Option<Grant> {
    let operator = match o.get("operator") {
        Some((v, s)) => match v.as_str() {
            Some(x) if x.eq_ignore_ascii_case("and") => Operator::And,
            Some(x) if x.eq_ignore_ascii_case("or") => Operator::Or,
            _ => {
                c.error(
                    "CA015",
                    &s,
                    format!("`{v}` is not a valid operator"),
                    Some("expected AND or OR".into()),
                );
                Operator::Or
            }
        },
        None => Operator::Or,
    };
    let built_in_controls = o
        .get("builtInControls")
        .map(|(v, s)| c.enums::<BuiltInControl>(v, &s, "/grant/builtInControls"))
        .unwrap_or_default();
    let custom_authentication_factors = list(
        c,
        o,
        "customAuthenticationFactors",
        "/grant/customAuthenticationFactors",
    );
    let terms_of_use = list(c, o, "termsOfUse", "/grant/termsOfUse");
    // Exports expand the strength (displayName, allowedCombinations, …);
    // only its id is the policy's, the rest is read-only.
    let authentication_strength = o.get("authenticationStrength").and_then(|(v, src)| {
        let Some(m) = v.as_object() else {
            c.error(
                Code::InvalidType,
                &src,
                format!("`authenticationStrength` is an object with `id`, found {v}"),
                None,
            );
            return None;
        };
        let s = Obj::new(m, src);
        let (id, id_src) = s.get("id")?;
        let id = c.string(id, &id_src)?;
        c.map("/grant/authenticationStrength", id_src);
        Some(id)
    });
    c.leftover(o, Some(&["grantControls"]));
    let g = Grant {
        operator,
        built_in_controls,
        authentication_strength,
        terms_of_use,
        custom_authentication_factors,
    };
    let has_control = g.has_control();
    c.map("/grant", &o.at);
    if let Some((_, s)) = o.get("operator") {
        c.map("/grant/operator", s);
    }
    has_control.then_some(g)
}

/// `isEnabled` of a session control; absent counts as enabled only when the
/// control carries a setting (CAE has no `isEnabled` at all).
fn enabled(c: &mut Conv, o: &Obj) -> bool {
    match o.get("isEnabled") {
        None => false,
        Some((Value::Bool(b), _)) => *b,
        // "false", 0, …: never guess a control on (or off); report it.
        Some((v, src)) => {
            c.error(
                Code::InvalidType,
                &src,
                format!("`isEnabled` must be true or false, found {v}"),
                None,
            );
            false
        }
    }
}

/// A Graph enum value written as a string (`"mcasConfigured"`, `"never"`, …).
fn wire<T: Wire>(c: &mut Conv, v: &Value, src: &str) -> Option<T> {
    c.string(v, src).and_then(|t| c.one::<T>(&t, src))
}

/// A session control that is only a switch (`secureSignInSession`,
/// `applicationEnforcedRestrictions`): its `isEnabled`, mapped to `spec`;
/// `None` when the export does not have it.
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols>
fn switch_control(c: &mut Conv, o: &Obj, name: &str, spec: &str) -> Option<bool> {
    let x = obj(c, o, name)?;
    let on = enabled(c, &x);
    c.map(spec, &x.at);
    c.leftover(&x, None);
    Some(on)
}

/// A session control with one setting that counts only while the control
/// is enabled (`cloudAppSecurity.cloudAppSecurityType`,
/// `persistentBrowser.mode`, `globalSecureAccessFilteringProfile.profileId`);
/// a disabled control's setting is still read (so it is not reported as an
/// unknown key) and dropped. Mapped to `/session/<name>`.
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols>
fn setting_control<T>(
    c: &mut Conv,
    o: &Obj,
    name: &str,
    key: &str,
    read: fn(&mut Conv, &Value, &str) -> Option<T>,
) -> Option<T> {
    let x = obj(c, o, name)?;
    let setting = if enabled(c, &x) {
        x.get(key).and_then(|(v, src)| read(c, v, &src))
    } else {
        x.get(key);
        None
    };
    c.map(format!("/session/{name}"), &x.at);
    c.leftover(&x, None);
    setting
}

fn session(c: &mut Conv, o: &Obj) -> Option<Session> {
    // Read in the export's walking order into locals; built at the end with
    // every field named.
    let mut token_protection = false;
    let mut application_enforced_restrictions = false;
    let mut cloud_app_security = None;
    let mut persistent_browser = None;
    let mut continuous_access_evaluation = None;
    let mut disable_resilience_defaults = false;
    let mut global_secure_access_filtering_profile = None;
    let mut sign_in_frequency = None;
    if let Some(on) = switch_control(c, o, "secureSignInSession", "/session/tokenProtection") {
        token_protection = on;
    }
    if let Some(on) = switch_control(
        c,
        o,
        "applicationEnforcedRestrictions",
        "/session/applicationEnforcedRestrictions",
    ) {
        application_enforced_restrictions = on;
    }
    if let Some(t) = setting_control(c, o, "cloudAppSecurity", "cloudAppSecurityType", wire) {
        cloud_app_security = Some(t);
    }
    if let Some(m) = setting_control(c, o, "persistentBrowser", "mode", wire) {
        persistent_browser = Some(m);
    }
    if let Some(x) = obj(c, o, "continuousAccessEvaluation") {
        // CAE has no `isEnabled`: its mode is the setting.
        continuous_access_evaluation = x
            .get("mode")
            .and_then(|(v, src)| wire::<ContinuousAccessEvaluationMode>(c, v, &src));
        c.map("/session/continuousAccessEvaluation", &x.at);
        c.leftover(&x, None);
    }
    if let Some((v, src)) = o.get("disableResilienceDefaults") {
        match v.as_bool() {
            Some(b) => disable_resilience_defaults = b,
            None => c.error(
                Code::InvalidType,
                &src,
                format!("expected true or false, found {v}"),
                None,
            ),
        }
        c.map("/session/disableResilienceDefaults", src);
    }
    if let Some(id) = setting_control(
        c,
        o,
        "globalSecureAccessFilteringProfile",
        "profileId",
        |c, v, src| c.string(v, src),
    ) {
        global_secure_access_filtering_profile = Some(id);
    }
    if let Some(x) = obj(c, o, "signInFrequency") {
        if enabled(c, &x) {
            let (mut value, mut kind, mut authentication_type, mut frequency_interval) =
                (None, None, None, None);
            if let Some((v, src)) = x.get("value") {
                match v
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0)
                {
                    Some(n) => value = Some(n),
                    None => c.error(
                        Code::InvalidValue,
                        &src,
                        format!("sign-in frequency value {v} is not a positive integer"),
                        None,
                    ),
                }
                c.map("/session/signInFrequency/value", src);
            }
            if let Some((v, src)) = x.get("type") {
                kind = wire::<SignInFrequencyType>(c, v, &src);
                c.map("/session/signInFrequency/type", src);
            }
            if let Some((v, src)) = x.get("authenticationType") {
                authentication_type = wire::<SignInFrequencyAuthenticationType>(c, v, &src);
            }
            if let Some((v, src)) = x.get("frequencyInterval") {
                frequency_interval = wire::<SignInFrequencyInterval>(c, v, &src);
            }
            sign_in_frequency = Some(SignInFrequency {
                value,
                kind,
                authentication_type,
                frequency_interval,
            });
        } else {
            for k in ["value", "type", "authenticationType", "frequencyInterval"] {
                x.get(k);
            }
        }
        c.map("/session/signInFrequency", &x.at);
        c.leftover(&x, None);
    }
    c.leftover(o, Some(&["sessionControls"]));
    c.map("/session", &o.at);
    let s = Session {
        token_protection,
        sign_in_frequency,
        persistent_browser,
        application_enforced_restrictions,
        cloud_app_security,
        continuous_access_evaluation,
        disable_resilience_defaults,
        global_secure_access_filtering_profile,
    };
    (s != Session::default()).then_some(s)
}

/// The policies in an export: a single object, an array, a Graph list
/// response `{"value": [...]}`; tool wrappers are recognised and refused with
/// a clear message. Returns `(source pointer, policy)` pairs.
pub fn policies_in(doc: &Value) -> Result<Vec<(String, &Value)>, Diagnostic> {
    match doc {
        Value::Array(items) => Ok(items.iter().enumerate().map(|(i, v)| (format!("/{i}"), v)).collect()),
        Value::Object(m) => {
            if let Some(Value::Array(items)) = m.get("value") {
                return Ok(items.iter().enumerate().map(|(i, v)| (format!("/value/{i}"), v)).collect());
            }
            if let Some((k, _)) = m.iter().find(|(k, _)| k.eq_ignore_ascii_case("PolicyConfig")) {
                return Err(Diagnostic::error(
                    Code::UnsupportedWrapper,
                    "this is a tool export wrapper (PolicyConfig/AssignmentDetails), not a Graph policy".into(),
                )
                .at_key(format!("/{}", escape_segment(k)))
                .with_help("extract the `PolicyConfig` object into its own file"));
            }
            Ok(vec![(String::new(), doc)])
        }
        other => Err(Diagnostic::error(
            Code::InvalidType,
            format!("expected a policy object, an array of policies or {{\"value\": [...]}}, found {other}"),
        )
        .at_value("")),
    }
}

/// Severity helper for callers that want only the errors.
pub fn has_errors(ds: &[Diagnostic]) -> bool {
    ds.iter().any(|d| d.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Session controls read by the shared helpers: a switch is its
    /// `isEnabled`; a control's setting counts only while it is enabled, and
    /// a disabled control's setting is dropped without an unknown-key
    /// warning ("isEnabled: Specifies whether the session control is
    /// enabled", <https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrol>).
    #[test]
    fn session_controls_enabled_and_disabled() {
        let with = |session: serde_json::Value| {
            let v = json!({"displayName": "P", "state": "enabled", "conditions": {
                "users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
                "sessionControls": session});
            let c = from_graph(&v, "");
            assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
            c.policy.session.unwrap_or_default()
        };
        let on = with(json!({
            "secureSignInSession": {"isEnabled": true},
            "applicationEnforcedRestrictions": {"isEnabled": true},
            "cloudAppSecurity": {"isEnabled": true, "cloudAppSecurityType": "monitorOnly"},
            "persistentBrowser": {"isEnabled": true, "mode": "never"},
            "globalSecureAccessFilteringProfile": {"isEnabled": true, "profileId": "p1"}
        }));
        assert!(on.token_protection && on.application_enforced_restrictions);
        assert_eq!(
            on.cloud_app_security,
            Some(CloudAppSecurityType::MonitorOnly)
        );
        assert_eq!(on.persistent_browser, Some(PersistentBrowserMode::Never));
        assert_eq!(
            on.global_secure_access_filtering_profile.as_deref(),
            Some("p1")
        );
        let off = with(json!({
            "secureSignInSession": {"isEnabled": false},
            "applicationEnforcedRestrictions": {"isEnabled": false},
            "cloudAppSecurity": {"isEnabled": false, "cloudAppSecurityType": "monitorOnly"},
            "persistentBrowser": {"isEnabled": false, "mode": "never"},
            "globalSecureAccessFilteringProfile": {"isEnabled": false, "profileId": "p1"}
        }));
        assert_eq!(off, Session::default());
    }

    #[test]
    fn reads_pascal_case_metadata_and_nulls() {
        let v = json!({
            "@odata.context": "x", "Id": "ABCDEF00-0000-0000-0000-000000000000", "DisplayName": "P",
            "State": "enabled", "CreatedDateTime": "/Date(1662149889905)/", "AdditionalProperties": {},
            "Conditions": {"Users": {"IncludeUsers": ["All"], "ExcludeGroups": [], "IncludeGuestsOrExternalUsers": null},
                           "Applications": {"IncludeApplications": ["All"], "ApplicationFilter": {"Mode": null, "Rule": null}},
                           "ClientAppTypes": ["browser"], "Times": null,
                           "Users@odata.type": "#microsoft.graph.conditionalAccessUsers"},
            "GrantControls": {"Operator": "OR", "BuiltInControls": ["mfa"], "AuthenticationStrength": {"Id": null}},
            "SessionControls": {"SignInFrequency": {"IsEnabled": null, "Value": null}},
            "#microsoft.graph.restore": {"title": "restore"}
        });
        let c = from_graph(&v, "");
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let p = c.policy;
        assert_eq!(
            p.id.as_deref(),
            Some("abcdef00-0000-0000-0000-000000000000")
        );
        assert_eq!(p.state, State::Enabled);
        assert!(p.includes_all_users() && p.includes_all_apps());
        assert_eq!(p.client_app_types, [ClientAppType::Browser]);
        assert_eq!(p.built_in_controls(), [BuiltInControl::Mfa]);
        assert!(p.session.is_none() && p.passthrough.is_none());
    }

    #[test]
    fn flags_strings_and_arrays() {
        let v = json!({"displayName": "P", "state": "enabled", "conditions": {
            "applications": {"includeApplications": ["All"]},
            "users": {"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest",
                "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}},
            "authenticationFlows": {"transferMethods": ["deviceCodeFlow"]}}});
        let c = from_graph(&v, "");
        let g = c
            .policy
            .user_include()
            .unwrap()
            .guests_or_external_users
            .clone()
            .unwrap();
        assert_eq!(
            g.types,
            [
                GuestOrExternalUserType::B2bCollaborationGuest,
                GuestOrExternalUserType::InternalGuest
            ]
        );
        assert_eq!(g.tenants, ["All"]);
        assert_eq!(
            c.policy.authentication_flows,
            [TransferMethod::DeviceCodeFlow]
        );
        assert_eq!(
            c.diagnostics.len(),
            1,
            "array instead of flags string: {:?}",
            c.diagnostics
        );
        assert_eq!(c.diagnostics[0].code, "CA015");
    }

    #[test]
    fn unknown_keys_go_to_passthrough_and_pointers_map_back() {
        let v = json!({"displayName": "P", "state": "enabled", "conditions": {
            "applications": {"includeApplications": ["Office365"]},
            "agents": {"includeAgentUsers": ["All"]},
            "clientAppTypes": ["All", "browser"]}});
        let c = from_graph(&v, "/3");
        let pt = c.policy.passthrough.clone().unwrap();
        assert_eq!(pt["conditions"]["agents"]["includeAgentUsers"][0], "All");
        let codes: Vec<_> = c.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["CA015", "not-modelled"], "{:?}", c.diagnostics);
        assert_eq!(
            c.policy.client_app_types,
            [ClientAppType::All, ClientAppType::Browser],
            "casing mistake still read"
        );
        assert_eq!(
            c.source_pointer("/applications/include/0").as_deref(),
            Some("/3/conditions/applications/includeApplications/0")
        );
        assert_eq!(
            c.source_pointer("/clientAppTypes/1").as_deref(),
            Some("/3/conditions/clientAppTypes/1")
        );
        assert_eq!(
            c.source_pointer("/displayName").as_deref(),
            Some("/3/displayName")
        );
        assert_eq!(
            c.source_pointer("/passthrough/conditions/agents")
                .as_deref(),
            Some("/3/conditions/agents")
        );
    }

    #[test]
    fn wrappers_and_lists() {
        assert_eq!(policies_in(&json!([{}, {}])).unwrap().len(), 2);
        assert_eq!(
            policies_in(&json!({"value": [{}]})).unwrap()[0].0,
            "/value/0"
        );
        assert_eq!(
            policies_in(&json!({"PolicyConfig": {}})).unwrap_err().code,
            "unsupported-wrapper"
        );
    }
}
