//! Plan: the repository's compiled policies against the tenant's.
//!
//! Contract: both sides are canonical bodies of the one compiler — the
//! desired body is `compile(spec)`, the live policy goes Graph →
//! [`crate::graph::read::from_graph`] → `compile` — and then [`canon`]
//! folds what Graph treats as equal (null / `[]` / omitted, list order, GUID
//! case, `operator` with one requirement, session controls switched off), so
//! a fresh `pull` + `import` plans no change. Matching: the id recorded in
//! `caac.lock`, then the spec's own `id`, then the display name (first
//! adoption). The plan is deterministic: items sorted by action, then key.
//!
//! Every item carries the object's kind ([`Kind`]: a policy, a named
//! location or an authentication strength, [`super::objects`]), the live object's [`fingerprint`] and, when it writes, the
//! exact request ([`Write`]: method, path under the Graph base, body), so a
//! plan saved as JSON ([`to_json`]) can be applied later exactly as made.
//! The human and Markdown renderings show ids with their display names
//! ([`Names`]) and hide unchanged objects unless asked.

use super::lock::Lock;
use crate::graph::compile::{ApiVersion, Compiled};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// One policy the repository wants.
#[derive(Debug, Clone)]
pub struct Desired {
    /// The spec key (path, plus `#pointer` inside an export).
    pub key: String,
    /// Display name.
    pub display_name: String,
    /// The spec's own `id:` (kept by `caac import`).
    pub spec_id: Option<String>,
    /// The compiled body.
    pub compiled: Compiled,
}

/// One policy in the tenant.
#[derive(Debug, Clone)]
pub struct Live {
    /// Object id (lowercase).
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// The canonical compiled body, or why it could not be read.
    pub body: Result<Value, String>,
    /// The body as Graph returned it.
    pub raw: Value,
}

/// What happens to one policy.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// POST a new policy.
    Create,
    /// PATCH the fields that differ.
    Update,
    /// DELETE (only with `--prune`).
    Delete,
    /// In the tenant and the repository, equal.
    Unchanged,
    /// In the tenant, not in the repository (kept without `--prune`).
    Unmanaged,
}

impl Action {
    /// The word the outputs use (`create`, `update`, …).
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Unchanged => "unchanged",
            Action::Unmanaged => "unmanaged",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Delete => "-",
            Action::Unchanged => "=",
            Action::Unmanaged => "?",
        }
    }
}

/// What kind of Graph object a plan item is ([`super::objects`] plans the
/// named locations and authentication strengths).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// A Conditional Access policy
    /// (<https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy>).
    Policy,
    /// A named location
    /// (<https://learn.microsoft.com/graph/api/resources/namedlocation>).
    NamedLocation,
    /// A custom authentication strength
    /// (<https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>).
    AuthenticationStrength,
}

/// One request of a plan: the method, the path under the Graph base URL
/// (`/v1.0/identity/conditionalAccess/policies/{id}`) and the body. A saved
/// plan stores paths, not URLs, and never a header: no token can be in it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Write {
    /// `POST`, `PATCH` or `DELETE`.
    pub method: String,
    /// The path under the Graph base URL.
    pub path: String,
    /// The JSON body (none for a DELETE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The fingerprint of a live object that a plan item expects not to exist.
pub const ABSENT: &str = "absent";

/// Display names of the ids a plan may show (lower-case id → name): the
/// tenant file's users, groups, named locations, strengths, …, and the
/// built-in catalogue's roles, applications and strengths.
pub type Names = BTreeMap<String, String>;

/// One changed field: a JSON pointer into the body, before and after.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// Pointer into the Graph body.
    pub path: String,
    /// The tenant's value (absent: not set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The repository's value (absent: not set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// One plan item.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// What happens.
    pub action: Action,
    /// What kind of object.
    pub kind: Kind,
    /// The spec key, for managed policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Live policy id, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// How it was matched (`lock`, `spec id`, `displayName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<&'static str>,
    /// Changed fields (updates only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// The live object's [`fingerprint`] when the plan was made, or
    /// [`ABSENT`] for an object the plan creates.
    pub fingerprint: String,
    /// The Graph API version of the write.
    #[serde(skip)]
    pub api_version: Option<ApiVersion>,
    /// The desired body (create/update): what the read-back is compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The request this item sends (create/update/delete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Write>,
    /// A second request, sent right after `request`: an authentication
    /// strength's `updateAllowedCombinations` action when its name or
    /// description changes too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub then: Option<Write>,
    /// A created named location or strength: the id the policy bodies of
    /// this plan use for it (a placeholder until it exists). `apply`
    /// replaces it with the id Graph returns in every later request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_id: Option<String>,
    /// The live body as Graph returned it.
    #[serde(skip)]
    pub live_raw: Option<Value>,
}

/// A plan.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Items, sorted by action then spec/display name.
    pub items: Vec<Item>,
    /// Notes for the reader (recorded ids that vanished, …).
    pub notes: Vec<String>,
    /// True when `--prune` was given.
    pub prune: bool,
    /// Display names for the ids the outputs show.
    pub names: Names,
}

impl Plan {
    /// True when applying would write anything.
    pub fn has_changes(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i.action, Action::Create | Action::Update | Action::Delete))
    }

    /// How many items have action `a`.
    pub fn count(&self, a: Action) -> usize {
        self.items.iter().filter(|i| i.action == a).count()
    }
}

/// Reads live policies (Graph objects) through the importer and compiler.
pub fn live_policies(values: &[Value]) -> Result<Vec<Live>, String> {
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("policy #{i} from Graph has no `id`"))?
            .to_ascii_lowercase();
        let display_name = v
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let converted = crate::graph::read::from_graph(v, "");
        let body = if converted.lossy {
            let why: Vec<String> = converted
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::diag::Severity::Error)
                .map(|d| d.message.clone())
                .collect();
            Err(why.join("; "))
        } else {
            Ok(canon(
                &crate::graph::compile::compile(&converted.policy).body,
            ))
        };
        out.push(Live {
            id,
            display_name,
            body,
            raw: v.clone(),
        });
    }
    Ok(out)
}

/// Matches and diffs. `Err` for ambiguities a person must settle.
pub fn plan(desired: &[Desired], live: &[Live], lock: &Lock, prune: bool) -> Result<Plan, String> {
    let by_id: BTreeMap<&str, &Live> = live.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut claimed: BTreeSet<&str> = BTreeSet::new();
    let mut matched: Vec<Option<(&Live, &'static str)>> = vec![None; desired.len()];
    let mut notes = Vec::new();
    // Pass 1: the lock. Pass 2: the spec's id. Pass 3: display name.
    for (i, d) in desired.iter().enumerate() {
        if let Some(e) = lock.policies.get(&d.key) {
            match by_id.get(e.id.to_ascii_lowercase().as_str()) {
                Some(l) if claimed.insert(l.id.as_str()) => matched[i] = Some((l, "lock")),
                Some(_) => return Err(format!("{}: caac.lock records id {} for two specs", d.key, e.id)),
                None => notes.push(format!(
                    "{}: the recorded policy {} is not in the tenant (deleted outside caac?); it will be created again",
                    d.key, e.id
                )),
            }
        }
    }
    for (i, d) in desired.iter().enumerate() {
        if matched[i].is_some() || lock.policies.contains_key(&d.key) {
            continue;
        }
        if let Some(id) = &d.spec_id
            && let Some(l) = by_id.get(id.to_ascii_lowercase().as_str())
            && claimed.insert(l.id.as_str())
        {
            matched[i] = Some((l, "spec id"));
        }
    }
    for (i, d) in desired.iter().enumerate() {
        if matched[i].is_some() {
            continue;
        }
        let same: Vec<&Live> = live
            .iter()
            .filter(|l| l.display_name == d.display_name && !claimed.contains(l.id.as_str()))
            .collect();
        match same.as_slice() {
            [] => {}
            [l] => {
                claimed.insert(l.id.as_str());
                matched[i] = Some((l, "displayName"));
            }
            many => {
                let ids: Vec<&str> = many.iter().map(|l| l.id.as_str()).collect();
                return Err(format!(
                    "{}: {} live policies are named `{}` ({}); record the right one in caac.lock or the spec's `id:`",
                    d.key,
                    many.len(),
                    d.display_name,
                    ids.join(", ")
                ));
            }
        }
    }
    let mut items = Vec::new();
    for (d, m) in desired.iter().zip(&matched) {
        let want = canon(&d.compiled.body);
        let mut item = Item {
            action: Action::Create,
            kind: Kind::Policy,
            spec: Some(d.key.clone()),
            display_name: d.display_name.clone(),
            id: None,
            matched_by: None,
            changes: Vec::new(),
            fingerprint: ABSENT.into(),
            api_version: Some(d.compiled.api_version),
            body: Some(d.compiled.body.clone()),
            request: None,
            then: None,
            body_id: None,
            live_raw: None,
        };
        if let Some((l, how)) = m {
            item.id = Some(l.id.clone());
            item.matched_by = Some(how);
            item.fingerprint = fingerprint(&l.raw);
            item.live_raw = Some(l.raw.clone());
            let have = match &l.body {
                Ok(b) => b,
                Err(why) => {
                    return Err(format!(
                        "{}: the live policy {} has values caac cannot read ({why}); it cannot be compared safely",
                        d.key, l.id
                    ));
                }
            };
            item.changes = diff(have, &want);
            item.action = if item.changes.is_empty() {
                Action::Unchanged
            } else {
                Action::Update
            };
        }
        item.request = write(&item);
        items.push(item);
    }
    for l in live {
        if claimed.contains(l.id.as_str()) {
            continue;
        }
        // Microsoft-managed policies cannot be deleted (only their state and
        // exclusions change): --prune leaves them alone.
        // https://learn.microsoft.com/entra/identity/conditional-access/managed-policies
        let managed = l
            .display_name
            .to_ascii_lowercase()
            .starts_with("microsoft-managed");
        if prune && managed {
            notes.push(format!(
                "`{}` ({}) is Microsoft-managed and cannot be deleted; --prune keeps it",
                l.display_name, l.id
            ));
        }
        let mut item = Item {
            action: if prune && !managed {
                Action::Delete
            } else {
                Action::Unmanaged
            },
            kind: Kind::Policy,
            spec: lock.key_of(&l.id).map(str::to_owned),
            display_name: l.display_name.clone(),
            id: Some(l.id.clone()),
            matched_by: None,
            changes: Vec::new(),
            fingerprint: fingerprint(&l.raw),
            api_version: None,
            body: None,
            request: None,
            then: None,
            body_id: None,
            live_raw: Some(l.raw.clone()),
        };
        item.request = write(&item);
        items.push(item);
    }
    sort(&mut items);
    notes.sort();
    Ok(Plan {
        items,
        notes,
        prune,
        names: Names::new(),
    })
}

/// Sorts plan items in the order `apply` sends them: named locations and
/// strengths created or updated first (policies reference them), then the
/// policies, then the deletions of locations and strengths (Graph refuses
/// to delete one a policy still uses); within each phase by action, kind,
/// spec and name.
pub fn sort(items: &mut [Item]) {
    let phase = |i: &Item| match (i.kind, i.action) {
        (Kind::Policy, _) => 1,
        (_, Action::Delete | Action::Unmanaged) => 2,
        _ => 0,
    };
    items.sort_by(|a, b| {
        (phase(a), a.action, a.kind, &a.spec, &a.display_name, &a.id).cmp(&(
            phase(b),
            b.action,
            b.kind,
            &b.spec,
            &b.display_name,
            &b.id,
        ))
    });
}

/// Where policies live under a Graph version
/// (<https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies>).
const POLICIES: &str = "/identity/conditionalAccess/policies";

/// The request an item sends: POST the desired body, PATCH it with
/// everything the spec dropped cleared explicitly (a PATCH keeps what its
/// body leaves out: [`super::patch`]), or DELETE; nothing for unchanged and
/// unmanaged objects.
fn write(i: &Item) -> Option<Write> {
    let version = i.api_version.map_or("v1.0", |v| v.as_str());
    let id = i.id.as_deref().unwrap_or_default();
    match i.action {
        Action::Create => Some(Write {
            method: "POST".into(),
            path: format!("/{version}{POLICIES}"),
            body: i.body.clone(),
        }),
        Action::Update => {
            let body =
                super::patch::body(i.body.as_ref().unwrap_or(&Value::Null), i.live_raw.as_ref());
            let version = match i.api_version {
                Some(v) => super::patch::api_version(&body, v).as_str(),
                None => version,
            };
            Some(Write {
                method: "PATCH".into(),
                path: format!("/{version}{POLICIES}/{id}"),
                body: Some(body),
            })
        }
        Action::Delete => Some(Write {
            method: "DELETE".into(),
            path: format!("/v1.0{POLICIES}/{id}"),
            body: None,
        }),
        Action::Unchanged | Action::Unmanaged => None,
    }
}

/// The fingerprint of a live object as Graph returned it: `sha256:` and the
/// hex SHA-256 of its canonical JSON (object keys sorted at every depth,
/// `@odata` annotations other than `@odata.type` left out, lists in Graph's
/// order, compact). Any change made in the portal changes it (and with it
/// `modifiedDateTime`); reading the same object twice does not.
pub fn fingerprint(raw: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m
                    .keys()
                    .filter(|k| !(k.contains("@odata") && k.as_str() != "@odata.type"))
                    .collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&m[k])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    format!(
        "sha256:{}",
        hex(&Sha256::digest(sorted(raw).to_string().as_bytes()))
    )
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Server-managed properties of a policy: Graph returns them and a body
/// never carries them (the `readOnly` properties of
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy>,
/// plus `partialEnablementStrategy`, which responses carry as `null`): the
/// one list in [`crate::model::READ_ONLY`], re-exported for `patch`.
pub use crate::model::READ_ONLY;

/// Graph's equalities folded away (graph-ca-schema.md §10): nulls, empty
/// lists and objects dropped; string lists sorted (Graph treats them as
/// sets); GUIDs lowercased; `operator` is `OR` with one requirement (Graph
/// rewrites `AND` then); session controls that are switched off dropped
/// (Graph collapses them to `null`).
pub fn canon(v: &Value) -> Value {
    let mut out = canon_value(v);
    if let Some(obj) = out.as_object_mut() {
        if let Some(Value::Object(g)) = obj.get_mut("grantControls") {
            let n = [
                "builtInControls",
                "termsOfUse",
                "customAuthenticationFactors",
            ]
            .iter()
            .map(|k| g.get(*k).and_then(Value::as_array).map_or(0, Vec::len))
            .sum::<usize>()
                + usize::from(g.contains_key("authenticationStrength"));
            if n <= 1 && g.contains_key("operator") {
                g.insert("operator".into(), "OR".into());
            }
        }
        if let Some(Value::Object(s)) = obj.get_mut("sessionControls") {
            s.retain(|_, v| {
                !(v == &Value::Bool(false) || v.get("isEnabled") == Some(&Value::Bool(false)))
            });
            if s.is_empty() {
                obj.remove("sessionControls");
            }
        }
        for k in READ_ONLY {
            obj.remove(*k);
        }
    }
    out
}

fn canon_value(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                if k.starts_with("@odata") || k.contains("@odata.") {
                    continue;
                }
                let c = canon_value(&m[k]);
                if !is_unset(&c) {
                    out.insert(k.clone(), c);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => {
            let mut items: Vec<Value> =
                a.iter().map(canon_value).filter(|c| !c.is_null()).collect();
            items.sort_by_key(|x| x.to_string());
            items.dedup();
            Value::Array(items)
        }
        Value::String(s) if crate::resolve::is_guid(s) => Value::String(s.to_ascii_lowercase()),
        other => other.clone(),
    }
}

fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Field-by-field differences of two canonical bodies; lists are compared whole.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten(before, String::new(), &mut a);
    flatten(after, String::new(), &mut b);
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| Change {
            path: k.clone(),
            before: a.get(k).cloned(),
            after: b.get(k).cloned(),
        })
        .collect()
}

fn flatten(v: &Value, at: String, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                flatten(x, format!("{at}/{}", crate::load::escape_segment(k)), out);
            }
        }
        other => {
            out.insert(at, other.clone());
        }
    }
}

/// `v` with every string that is a known id shown as `Name [id]`.
fn named(v: &Value, names: &Names) -> Value {
    match v {
        Value::String(s) => match names.get(&s.to_ascii_lowercase()) {
            Some(name) => Value::String(format!("{name} [{s}]")),
            None => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(|x| named(x, names)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), named(x, names)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn show(v: &Option<Value>, names: &Names) -> String {
    match v {
        None => "(not set)".into(),
        Some(v) => named(v, names).to_string(),
    }
}

/// The closing summary: one count per action, like Terraform's
/// `Plan: 1 to add, 0 to change, 0 to destroy.`
/// (<https://developer.hashicorp.com/terraform/cli/commands/plan>), in
/// caac's own words for its actions, plus the unchanged and unmanaged
/// objects (counted even when the listing hides them).
fn summary(p: &Plan) -> String {
    let mut s = format!(
        "{} to create, {} to update, {} to delete, {} unchanged, {} unmanaged",
        p.count(Action::Create),
        p.count(Action::Update),
        p.count(Action::Delete),
        p.count(Action::Unchanged),
        p.count(Action::Unmanaged)
    );
    if !p.prune && p.count(Action::Unmanaged) > 0 {
        s.push_str(" (kept; --prune deletes them)");
    }
    s
}

/// Whether an item is listed: unchanged objects only when `verbose`.
fn listed(i: &Item, verbose: bool) -> bool {
    verbose || i.action != Action::Unchanged
}

/// Human output: one line per object (unchanged ones only when `verbose`),
/// the changed fields under it with ids shown by name, notes, and the
/// closing summary line.
pub fn human(p: &Plan, verbose: bool) -> String {
    let mut s = String::new();
    for i in p.items.iter().filter(|i| listed(i, verbose)) {
        let name = match (&i.spec, i.kind) {
            (Some(spec), _) => spec.as_str(),
            (None, Kind::Policy) => "(not in the repository)",
            (None, Kind::NamedLocation) => "(named location, not in the repository)",
            (None, Kind::AuthenticationStrength) => {
                "(authentication strength, not in the repository)"
            }
        };
        s.push_str(&format!(
            "{} {:<9} {name}  \"{}\"{}\n",
            i.action.symbol(),
            i.action.word(),
            i.display_name,
            i.id.as_deref()
                .map(|id| format!(" ({id})"))
                .unwrap_or_default()
        ));
        if i.matched_by == Some("displayName") {
            // First adoption: worth a second look before apply writes the lock.
            s.push_str("      (matched by display name: apply records this id in caac.lock)\n");
        }
        for c in &i.changes {
            s.push_str(&format!(
                "      {}: {} -> {}\n",
                c.path,
                show(&c.before, &p.names),
                show(&c.after, &p.names)
            ));
        }
    }
    for n in &p.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s.push_str(&format!(
        "Plan: {}.{}\n",
        summary(p),
        if p.has_changes() { "" } else { " No changes." }
    ));
    s
}

/// What a saved plan records besides its items: who made it, for which
/// Graph, from which inputs.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// The Graph base URL the plan's paths are under.
    pub graph: String,
    /// Lint-rule errors in the repository when the plan was made (apply
    /// refuses a plan that has any).
    pub lint_errors: usize,
    /// Each input file (display path) → `sha256:…`, or [`ABSENT`].
    pub inputs: BTreeMap<String, String>,
}

/// The format of a saved plan (`kind: "plan"`, `version`).
pub const PLAN_VERSION: u64 = 1;

/// JSON output, which is also the saved plan `caac apply PLAN.json` runs:
/// `{"version": 1, "generator": "caac", "kind": "plan", "caacVersion",
/// "graph", "prune", "lintErrors", "inputs", "changes", "summary",
/// "items", "names", "notes"}`. Every item has its `kind`, `fingerprint`
/// and, when it writes, its `request`; no header and no token is recorded.
pub fn to_json(p: &Plan, meta: &Meta) -> Value {
    // Only the names of ids the changes show.
    let mut names = Names::new();
    let mut ids = Vec::new();
    for c in p.items.iter().flat_map(|i| &i.changes) {
        for v in c.before.iter().chain(&c.after) {
            strings(v, &mut ids);
        }
    }
    for id in ids {
        if let Some(n) = p.names.get(&id.to_ascii_lowercase()) {
            names.insert(id.to_ascii_lowercase(), n.clone());
        }
    }
    json!({
        "version": PLAN_VERSION,
        "generator": "caac",
        "kind": "plan",
        "caacVersion": env!("CARGO_PKG_VERSION"),
        "graph": meta.graph,
        "prune": p.prune,
        "lintErrors": meta.lint_errors,
        "inputs": meta.inputs,
        "changes": p.has_changes(),
        "summary": {
            "create": p.count(Action::Create),
            "update": p.count(Action::Update),
            "delete": p.count(Action::Delete),
            "unchanged": p.count(Action::Unchanged),
            "unmanaged": p.count(Action::Unmanaged),
        },
        "items": p.items,
        "names": names,
        "notes": p.notes,
    })
}

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Markdown output for a pull-request comment: the summary, a table with
/// one row per object, then one collapsed `<details>` per object holding
/// its changed fields (an update), its body (a create) or its id
/// (GitHub's collapsed sections:
/// <https://docs.github.com/get-started/writing-on-github/working-with-advanced-formatting/organizing-information-with-collapsed-sections>).
/// Unchanged objects only when `verbose`.
pub fn markdown(p: &Plan, verbose: bool) -> String {
    use crate::escape;
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut s = String::from("### caac plan\n\n");
    s.push_str(&format!("**{}**\n\n", summary(p)));
    s.push_str("| | Action | Spec | Policy | Changed fields |\n| --- | --- | --- | --- | --- |\n");
    for i in p.items.iter().filter(|i| listed(i, verbose)) {
        let fields: Vec<String> = i
            .changes
            .iter()
            .map(|c| format!("`{}`", cell(&c.path)))
            .collect();
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            i.action.symbol(),
            i.action.word(),
            i.spec.as_deref().map(cell).unwrap_or_default(),
            cell(&i.display_name),
            fields.join(", ")
        ));
    }
    for i in p.items.iter().filter(|i| listed(i, verbose)) {
        let spec = i
            .spec
            .as_deref()
            .map(|k| format!(" <code>{}</code>", escape::html(k)))
            .unwrap_or_default();
        s.push_str(&format!(
            "\n<details><summary>{} {}{spec} {}</summary>\n\n",
            i.action.symbol(),
            i.action.word(),
            escape::html(&i.display_name)
        ));
        if let Some(id) = &i.id {
            s.push_str(&format!("Policy id: {}\n\n", escape::markdown_code(id)));
        }
        match i.action {
            Action::Update => {
                s.push_str("| Field | Before | After |\n| --- | --- | --- |\n");
                for c in &i.changes {
                    s.push_str(&format!(
                        "| {} | {} | {} |\n",
                        escape::markdown_code(&c.path),
                        escape::markdown_code(&show(&c.before, &p.names)),
                        escape::markdown_code(&show(&c.after, &p.names))
                    ));
                }
            }
            Action::Create => {
                let body = i.body.as_ref().map(crate::emit::pretty).unwrap_or_default();
                // A fence longer than any backtick run in the body.
                let fence = "`".repeat(3.max(longest_run(&body, '`') + 1));
                s.push_str(&format!("{fence}json\n{}\n{fence}\n", body.trim_end()));
            }
            Action::Delete => s.push_str("Deleted (`--prune`).\n"),
            Action::Unmanaged => s.push_str("In the tenant, not in the repository.\n"),
            Action::Unchanged => s.push_str("No change.\n"),
        }
        s.push_str("\n</details>\n");
    }
    for n in &p.notes {
        s.push_str(&format!("\n> {}\n", cell(n)));
    }
    s
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canon_folds_graph_equalities() {
        let a = json!({
            "displayName": "x",
            "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": ["B0000000-0000-4000-8000-000000000000", "a0000000-0000-4000-8000-000000000000"], "includeRoles": []}, "platforms": null},
            "grantControls": {"operator": "AND", "builtInControls": ["mfa"]},
            "sessionControls": {"disableResilienceDefaults": false, "persistentBrowser": {"isEnabled": false, "mode": "never"}}
        });
        let b = json!({
            "displayName": "x",
            "conditions": {"users": {"excludeGroups": ["a0000000-0000-4000-8000-000000000000", "b0000000-0000-4000-8000-000000000000"], "includeUsers": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
        });
        assert_eq!(canon(&a), canon(&b));
        assert!(diff(&canon(&a), &canon(&b)).is_empty());
    }

    #[test]
    fn diff_names_only_changed_fields() {
        let a = json!({"state": "enabled", "conditions": {"users": {"includeUsers": ["All"]}}});
        let b = json!({"state": "disabled", "conditions": {"users": {"includeUsers": ["All"]}}});
        let d = diff(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/state");
    }

    #[test]
    fn prune_keeps_microsoft_managed_policies() {
        let live = live_policies(&[
            json!({"id": "A", "displayName": "Microsoft-managed: MFA for admins", "state": "enabled"}),
            json!({"id": "B", "displayName": "Old", "state": "disabled"}),
        ])
        .unwrap();
        let p = plan(&[], &live, &Lock::default(), true).unwrap();
        let actions: Vec<(Action, &str)> = p
            .items
            .iter()
            .map(|i| (i.action, i.display_name.as_str()))
            .collect();
        assert_eq!(
            actions,
            [
                (Action::Delete, "Old"),
                (Action::Unmanaged, "Microsoft-managed: MFA for admins")
            ]
        );
        assert_eq!(p.notes.len(), 1);
    }

    #[test]
    fn lock_beats_spec_id_beats_name() {
        let live = live_policies(&[
            json!({"id": "11111111-0000-4000-8000-000000000001", "displayName": "X", "state": "disabled", "conditions": {}}),
            json!({"id": "11111111-0000-4000-8000-000000000002", "displayName": "X", "state": "disabled", "conditions": {}}),
        ])
        .unwrap();
        let policy: crate::model::Policy =
            serde_json::from_value(json!({"displayName": "X", "state": "disabled"})).unwrap();
        let desired = vec![Desired {
            key: "a.yaml".into(),
            display_name: "X".into(),
            spec_id: None,
            compiled: crate::graph::compile::compile(&policy),
        }];
        // Two live policies share the name: ambiguous without the lock.
        assert!(
            plan(&desired, &live, &Lock::default(), false)
                .unwrap_err()
                .contains("2 live policies")
        );
        let mut lock = Lock::default();
        lock.policies.insert(
            "a.yaml".into(),
            super::super::lock::Entry {
                id: "11111111-0000-4000-8000-000000000002".into(),
                display_name: None,
            },
        );
        let p = plan(&desired, &live, &lock, false).unwrap();
        let u = p
            .items
            .iter()
            .find(|i| i.action == Action::Unchanged)
            .unwrap();
        assert_eq!(
            u.id.as_deref(),
            Some("11111111-0000-4000-8000-000000000002")
        );
        assert_eq!(u.matched_by, Some("lock"));
    }

    #[test]
    fn fingerprint_ignores_key_order_and_annotations_but_not_values() {
        let a = json!({"id": "x", "state": "enabled", "conditions": {"b": 1, "a": [2, 1]}, "@odata.context": "c"});
        let b = json!({"conditions": {"a": [2, 1], "b": 1}, "state": "enabled", "id": "x"});
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert!(fingerprint(&a).starts_with("sha256:") && fingerprint(&a).len() == 7 + 64);
        let c = json!({"conditions": {"a": [2, 1], "b": 1}, "state": "disabled", "id": "x"});
        assert_ne!(fingerprint(&a), fingerprint(&c));
        let d = json!({"conditions": {"a": [2, 1], "b": 1}, "state": "enabled", "id": "x", "@odata.type": "t"});
        assert_ne!(
            fingerprint(&b),
            fingerprint(&d),
            "the type is part of the object"
        );
    }

    #[test]
    fn known_ids_are_shown_by_name() {
        let names: Names = [(
            "a0000000-0000-4000-8000-000000000000".to_owned(),
            "Ops".to_owned(),
        )]
        .into();
        let v = json!([
            "A0000000-0000-4000-8000-000000000000",
            "All",
            "b0000000-0000-4000-8000-000000000000"
        ]);
        assert_eq!(
            show(&Some(v), &names),
            r#"["Ops [A0000000-0000-4000-8000-000000000000]","All","b0000000-0000-4000-8000-000000000000"]"#
        );
        assert_eq!(show(&None, &names), "(not set)");
    }

    #[test]
    fn unchanged_objects_are_listed_only_when_verbose() {
        let live = live_policies(&[
            json!({"id": "A", "displayName": "X", "state": "disabled", "conditions": {}}),
        ])
        .unwrap();
        let policy: crate::model::Policy =
            serde_json::from_value(json!({"displayName": "X", "state": "disabled"})).unwrap();
        let desired = vec![Desired {
            key: "x.yaml".into(),
            display_name: "X".into(),
            spec_id: None,
            compiled: crate::graph::compile::compile(&policy),
        }];
        let p = plan(&desired, &live, &Lock::default(), false).unwrap();
        assert_eq!(
            human(&p, false),
            "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged, 0 unmanaged. No changes.\n"
        );
        assert!(human(&p, true).starts_with("= unchanged x.yaml  \"X\" (a)\n"));
        assert!(!markdown(&p, false).contains("<details>"));
        assert!(
            markdown(&p, true)
                .contains("<details><summary>= unchanged <code>x.yaml</code> X</summary>")
        );
    }

    #[test]
    fn two_requirements_keep_and() {
        let a = json!({"grantControls": {"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]}});
        assert_eq!(canon(&a)["grantControls"]["operator"], "AND");
    }
}
