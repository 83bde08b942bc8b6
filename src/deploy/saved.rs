//! Saved plans: `caac plan -o plan.json` writes one, `caac apply plan.json`
//! runs it.
//!
//! Contract: a saved plan is the JSON output of `caac plan`
//! ([`super::plan::to_json`]): `generator: "caac"`, `kind: "plan"`, a format
//! `version`, the `caacVersion` that made it, the Graph base URL, the
//! inputs' hashes and, per object, its kind, the live object's fingerprint
//! (or `absent`) and the exact request (method, path under the base, body).
//! [`read`] accepts only that shape (unknown fields refused, every request
//! checked to be a write of the item's kind under the item's id), so a plan
//! file cannot make `apply` send anything else; [`stale`] names every object
//! that changed in the tenant since the plan was made. Headers and tokens are
//! never part of a plan.

use super::plan::{self, ABSENT, Action, Change, Item, Kind, Names, Plan, Write};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The largest plan file read (a plan holds one body per policy: a few
/// kilobytes each).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// A saved plan, checked for shape.
#[derive(Debug)]
pub struct Saved {
    /// The caac version that made it.
    pub caac_version: String,
    /// The Graph base URL its paths are under.
    pub graph: String,
    /// Lint errors in the repository it was made from.
    pub lint_errors: usize,
    /// Input file → hash when the plan was made.
    pub inputs: BTreeMap<String, String>,
    /// The plan.
    pub plan: Plan,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct File {
    version: u64,
    generator: String,
    kind: String,
    caac_version: String,
    graph: String,
    prune: bool,
    lint_errors: usize,
    inputs: BTreeMap<String, String>,
    #[allow(dead_code)]
    changes: bool,
    #[allow(dead_code)]
    summary: Value,
    items: Vec<FileItem>,
    #[serde(default)]
    names: Names,
    #[serde(default)]
    notes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FileItem {
    action: Action,
    kind: Kind,
    #[serde(default)]
    spec: Option<String>,
    display_name: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    matched_by: Option<String>,
    #[serde(default)]
    changes: Vec<Change>,
    fingerprint: String,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    request: Option<Write>,
    #[serde(default)]
    then: Option<Write>,
    #[serde(default)]
    body_id: Option<String>,
}

/// Whether `path` is a saved plan (a JSON file with `"generator": "caac"`
/// and `"kind": "plan"`), as opposed to a policy export `apply` should read
/// as a spec.
pub fn is_plan(path: &Path) -> bool {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !json || !path.is_file() {
        return false;
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if meta.len() > MAX_BYTES {
        return false;
    }
    let Ok(v) = std::fs::read(path).map(|b| serde_json::from_slice::<Value>(&b)) else {
        return false;
    };
    v.is_ok_and(|v| v["generator"] == "caac" && v["kind"] == "plan")
}

/// Reads and checks a saved plan.
pub fn read(path: &Path) -> Result<Saved, String> {
    let shown = crate::check::display(path);
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .len();
    if size > MAX_BYTES {
        return Err(format!(
            "{shown}: {size} bytes is larger than a plan can be ({MAX_BYTES})"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let f: File = serde_json::from_slice(&bytes).map_err(|e| {
        // serde_json's column is 0 at the very start of a line ("errors may
        // occur in column 0", <https://docs.rs/serde_json/latest/serde_json/struct.Error.html#method.column>):
        // an editor's columns start at 1. Its message repeats the position
        // in its own words: that suffix is left out.
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        format!(
            "{shown}:{}:{}: not a caac plan: {message}; write one with `caac plan -o plan.json`",
            e.line().max(1),
            e.column().max(1)
        )
    })?;
    if f.generator != "caac" || f.kind != "plan" {
        return Err(format!(
            "{shown}: not a caac plan (`generator: caac`, `kind: plan`); write one with `caac plan -o plan.json`"
        ));
    }
    if f.version != plan::PLAN_VERSION {
        return Err(format!(
            "{shown}: plan format version {} is not supported (expected {})",
            f.version,
            plan::PLAN_VERSION
        ));
    }
    let mut items = Vec::new();
    for (n, i) in f.items.into_iter().enumerate() {
        let item = item(i).map_err(|why| format!("{shown}: item #{n}: {why}"))?;
        items.push(item);
    }
    Ok(Saved {
        caac_version: f.caac_version,
        graph: f.graph,
        lint_errors: f.lint_errors,
        inputs: f.inputs,
        plan: Plan {
            items,
            notes: f.notes,
            prune: f.prune,
            names: f.names,
        },
    })
}

/// One saved item, checked: its request is the write its action makes on
/// its kind's collection (under its id for an update or a delete).
fn item(i: FileItem) -> Result<Item, String> {
    let id = match &i.id {
        Some(id) if crate::resolve::is_guid(id) => Some(id.to_ascii_lowercase()),
        Some(id) => return Err(format!("`{id}` is not an object id")),
        None => None,
    };
    let collection = super::objects::collection(i.kind);
    let expected = match (i.action, &id) {
        (Action::Create, None) => Some(("POST", None)),
        (Action::Update, Some(id)) => Some(("PATCH", Some(id))),
        (Action::Delete, Some(id)) => Some(("DELETE", Some(id))),
        (Action::Unchanged | Action::Unmanaged, Some(_)) => None,
        (a, _) => {
            return Err(format!(
                "a `{}` item {} an id",
                a.word(),
                if id.is_some() { "cannot have" } else { "needs" }
            ));
        }
    };
    // A strength's update may be two requests: its PATCH, then the
    // `updateAllowedCombinations` action (super::objects); a lone action
    // is `request` itself.
    let action_path = |w: &Write| {
        id.as_deref().is_some_and(|id| {
            ["/v1.0", "/beta"].iter().any(|v| {
                w.path.eq_ignore_ascii_case(&format!(
                    "{v}{collection}/{id}/{}",
                    super::objects::UPDATE_COMBINATIONS
                ))
            })
        }) && w.method == "POST"
            && w.body.is_some()
    };
    let strength_update = i.kind == Kind::AuthenticationStrength && i.action == Action::Update;
    match (&expected, &i.request) {
        (None, None) => {}
        (Some(_), Some(w)) if strength_update && action_path(w) => {}
        (None, Some(_)) => return Err(format!("a `{}` item sends nothing", i.action.word())),
        (Some(_), None) => return Err(format!("a `{}` item needs its request", i.action.word())),
        (Some((method, want_id)), Some(w)) => {
            let ok_path = ["/v1.0", "/beta"].iter().any(|v| {
                let base = format!("{v}{collection}");
                match want_id {
                    None => w.path == base,
                    Some(id) => w.path.eq_ignore_ascii_case(&format!("{base}/{id}")),
                }
            });
            if w.method != *method || !ok_path {
                return Err(format!(
                    "a `{}` of {} must be {method} {{/v1.0|/beta}}{collection}{}, not {} {}",
                    i.action.word(),
                    i.display_name,
                    if want_id.is_some() { "/{id}" } else { "" },
                    w.method,
                    w.path
                ));
            }
            if (*method == "DELETE") != w.body.is_none() {
                return Err(format!(
                    "a {method} request {} a body",
                    if *method == "DELETE" {
                        "cannot have"
                    } else {
                        "needs"
                    }
                ));
            }
        }
    }
    if let Some(t) = &i.then
        && !(strength_update
            && i.request.as_ref().is_some_and(|r| r.method == "PATCH")
            && action_path(t))
    {
        return Err(format!(
            "only a strength's update sends a second request, and only POST {{/v1.0|/beta}}{collection}/{{id}}/{}",
            super::objects::UPDATE_COMBINATIONS
        ));
    }
    // The id the plan's policy bodies use for an object it creates.
    let body_id = match &i.body_id {
        Some(b)
            if i.kind != Kind::Policy
                && i.action == Action::Create
                && crate::resolve::is_guid(b) =>
        {
            Some(b.to_ascii_lowercase())
        }
        Some(b) => {
            return Err(format!(
                "`bodyId: {b}` belongs only on a named location or strength the plan creates, and must be an object id"
            ));
        }
        None => None,
    };
    // The desired body is what the read-back after a create or an update
    // is compared with.
    if matches!(i.action, Action::Create | Action::Update) && i.body.is_none() {
        return Err(format!("a `{}` item needs its `body`", i.action.word()));
    }
    if (i.fingerprint == ABSENT) != id.is_none() {
        return Err("the fingerprint must be `absent` exactly when there is no id".into());
    }
    Ok(Item {
        action: i.action,
        kind: i.kind,
        spec: i.spec,
        display_name: i.display_name,
        id,
        matched_by: match i.matched_by.as_deref() {
            Some("lock") => Some("lock"),
            Some("spec id") => Some("spec id"),
            Some("displayName") => Some("displayName"),
            _ => None,
        },
        changes: i.changes,
        fingerprint: i.fingerprint,
        api_version: None,
        body: i.body,
        request: i.request,
        then: i.then,
        body_id,
        live_raw: None,
    })
}

/// Every way the live tenant differs from what `plan` was made against,
/// one line per object: changed (another fingerprint), deleted, or added
/// since (a new object could have been matched by name, or pruned). `live`
/// is (lower-case id, display name, [`plan::fingerprint`]) per live policy.
pub fn stale(p: &Plan, live: &[(String, String, String)]) -> Vec<String> {
    let now: BTreeMap<&str, (&str, &str)> = live
        .iter()
        .map(|(id, name, fp)| (id.as_str(), (name.as_str(), fp.as_str())))
        .collect();
    let mut out = Vec::new();
    let mut known = BTreeSet::new();
    for i in &p.items {
        let Some(id) = &i.id else { continue };
        known.insert(id.as_str());
        let spec = i
            .spec
            .as_deref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default();
        match now.get(id.as_str()) {
            None => out.push(format!(
                "\"{}\" ({id}{spec}): deleted in the tenant since the plan was made",
                i.display_name
            )),
            Some((_, fp)) if *fp != i.fingerprint => out.push(format!(
                "\"{}\" ({id}{spec}): changed in the tenant since the plan was made",
                i.display_name
            )),
            Some(_) => {}
        }
    }
    for (id, (name, _)) in &now {
        if !known.contains(id) {
            out.push(format!(
                "\"{name}\" ({id}): created in the tenant since the plan was made"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file_item(v: Value) -> Result<Item, String> {
        item(serde_json::from_value(v).unwrap())
    }

    const ID: &str = "0a000000-0000-4000-8000-000000000001";

    /// Named locations and strengths write only under their own
    /// collection; a strength's second request is only its
    /// `updateAllowedCombinations` action; `bodyId` only on an object the
    /// plan creates.
    #[test]
    fn object_items_write_only_their_own_collection() {
        const NL: &str = "/v1.0/identity/conditionalAccess/namedLocations";
        const ST: &str = "/v1.0/policies/authenticationStrengthPolicies";
        let create = json!({
            "action": "create", "kind": "namedLocation", "displayName": "HQ",
            "fingerprint": "absent", "bodyId": "00000000-0000-4000-8000-00000000abcd",
            "body": {"displayName": "HQ"},
            "request": {"method": "POST", "path": NL, "body": {"displayName": "HQ"}}
        });
        let i = file_item(create.clone()).unwrap();
        assert_eq!(
            i.body_id.as_deref(),
            Some("00000000-0000-4000-8000-00000000abcd")
        );
        for (pointer, value) in [
            (
                "/request/path",
                json!("/v1.0/identity/conditionalAccess/policies"),
            ),
            ("/request/path", json!(ST)),
            ("/kind", json!("policy")),
            ("/bodyId", json!("not-a-guid")),
        ] {
            let mut v = create.clone();
            *v.pointer_mut(pointer).unwrap() = value.clone();
            assert!(file_item(v).is_err(), "{pointer} = {value}");
        }
        let action = format!("{ST}/{ID}/updateAllowedCombinations");
        let update = json!({
            "action": "update", "kind": "authenticationStrength", "displayName": "S", "id": ID,
            "fingerprint": "sha256:00", "body": {"displayName": "S", "allowedCombinations": ["fido2"]},
            "request": {"method": "PATCH", "path": format!("{ST}/{ID}"), "body": {"displayName": "S"}},
            "then": {"method": "POST", "path": action, "body": {"allowedCombinations": ["fido2"]}}
        });
        assert!(file_item(update.clone()).is_ok());
        let mut lone = update.clone();
        lone["request"] = lone["then"].clone();
        lone.as_object_mut().unwrap().remove("then");
        assert!(file_item(lone).is_ok(), "the action alone");
        for (pointer, value) in [
            ("/then/path", json!(format!("{ST}/{ID}"))),
            ("/then/method", json!("DELETE")),
            ("/kind", json!("namedLocation")),
            ("/action", json!("delete")),
        ] {
            let mut v = update.clone();
            *v.pointer_mut(pointer).unwrap() = value.clone();
            assert!(file_item(v).is_err(), "{pointer} = {value}");
        }
    }

    #[test]
    fn an_item_sends_only_the_write_its_action_makes() {
        let update = json!({
            "action": "update", "kind": "policy", "displayName": "X", "id": ID,
            "fingerprint": "sha256:00", "body": {"state": "disabled"},
            "request": {"method": "PATCH", "path": format!("/v1.0/identity/conditionalAccess/policies/{ID}"), "body": {"state": "disabled"}}
        });
        assert!(file_item(update.clone()).is_ok());
        for (pointer, value) in [
            ("/request/method", json!("DELETE")),
            (
                "/request/path",
                json!(
                    "/v1.0/identity/conditionalAccess/policies/0a000000-0000-4000-8000-000000000002"
                ),
            ),
            ("/request/path", json!("/v1.0/users")),
            (
                "/request/path",
                json!(format!(
                    "/v1.0/identity/conditionalAccess/policies/{ID}@evil.example"
                )),
            ),
            ("/id", json!("../users")),
            ("/fingerprint", json!("absent")),
        ] {
            let mut v = update.clone();
            *v.pointer_mut(pointer).unwrap() = value.clone();
            assert!(file_item(v).is_err(), "{pointer} = {value}");
        }
        let mut v = update.clone();
        v.as_object_mut().unwrap().remove("body");
        assert!(file_item(v).is_err(), "an update needs its body");
        let unchanged = json!({"action": "unchanged", "kind": "policy", "displayName": "X", "id": ID, "fingerprint": "sha256:00",
            "request": {"method": "DELETE", "path": format!("/v1.0/identity/conditionalAccess/policies/{ID}")}});
        assert!(
            file_item(unchanged).is_err(),
            "an unchanged item sends nothing"
        );
    }

    #[test]
    fn stale_names_changed_deleted_and_created_objects() {
        let item = |id: &str, fp: &str| Item {
            action: Action::Unchanged,
            kind: Kind::Policy,
            spec: Some(format!("{id}.yaml")),
            display_name: id.to_owned(),
            id: Some(id.to_owned()),
            matched_by: None,
            changes: Vec::new(),
            fingerprint: fp.to_owned(),
            api_version: None,
            body: None,
            request: None,
            then: None,
            body_id: None,
            live_raw: None,
        };
        let p = Plan {
            items: vec![
                item("a", "sha256:1"),
                item("b", "sha256:2"),
                item("c", "sha256:3"),
            ],
            ..Plan::default()
        };
        let live = |id: &str, fp: &str| (id.to_owned(), id.to_owned(), fp.to_owned());
        assert!(
            stale(
                &p,
                &[
                    live("a", "sha256:1"),
                    live("b", "sha256:2"),
                    live("c", "sha256:3")
                ]
            )
            .is_empty()
        );
        let s = stale(
            &p,
            &[
                live("a", "sha256:1"),
                live("b", "sha256:9"),
                live("d", "sha256:4"),
            ],
        );
        assert_eq!(
            s,
            [
                "\"b\" (b, b.yaml): changed in the tenant since the plan was made",
                "\"c\" (c, c.yaml): deleted in the tenant since the plan was made",
                "\"d\" (d): created in the tenant since the plan was made",
            ]
        );
    }
}
