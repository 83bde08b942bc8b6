//! `plan`: arbitrary bytes as a saved plan file (`caac plan -o plan.json`,
//! read back by `caac apply plan.json`) through
//! [`caac::deploy::saved::read`].
//!
//! Oracles beyond "does not panic":
//! - positions inside the input: a refusal that names `plan.json:LINE:COLUMN`
//!   names a line of the input and a 1-based column inside that line (at
//!   most one past its end);
//! - only documented writes: every request of an accepted plan is a write
//!   Graph documents for the item's kind and action, under the item's id —
//!   `POST` on the collection to create, `PATCH` / `DELETE` on
//!   `…/{id}` (<https://learn.microsoft.com/graph/api/conditionalaccesspolicy-update>,
//!   <https://learn.microsoft.com/graph/api/conditionalaccesspolicy-delete>,
//!   <https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies>),
//!   and for a strength also `POST …/{id}/updateAllowedCombinations`
//!   (<https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-updateallowedcombinations>);
//!   an unchanged or unmanaged item sends nothing;
//! - round trip: an accepted plan written again ([`caac::deploy::plan::to_json`],
//!   what `caac plan -o` writes) reads back as the same plan (the names of
//!   ids no change shows are dropped by design), and writing that gives
//!   byte-identical JSON;
//! - tampered files refused: that written plan with one thing changed that
//!   would make `apply` send something else or trust something else (format
//!   version, generator, kind, an unknown field, a request's path or method,
//!   the item's id, a request on an item that sends nothing, the
//!   `absent` fingerprint) is refused, never accepted.
#![no_main]

mod common;

use caac::deploy::plan::{self, Action, Kind, Meta, Write};
use caac::deploy::saved::{Saved, read};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::path::Path;

/// Where each kind is written (Graph v1.0 and beta alike).
fn collection(kind: Kind) -> &'static str {
    match kind {
        Kind::Policy => "/identity/conditionalAccess/policies",
        Kind::NamedLocation => "/identity/conditionalAccess/namedLocations",
        Kind::AuthenticationStrength => "/policies/authenticationStrengthPolicies",
    }
}

/// The writes Graph documents for an item, as (method, lower-case path).
fn documented(kind: Kind, action: Action, id: Option<&str>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for v in ["/v1.0", "/beta"] {
        let base = format!("{v}{}", collection(kind)).to_ascii_lowercase();
        match (action, id) {
            (Action::Create, None) => out.push(("POST", base)),
            (Action::Update, Some(id)) => {
                out.push(("PATCH", format!("{base}/{id}")));
                if kind == Kind::AuthenticationStrength {
                    out.push(("POST", format!("{base}/{id}/updateallowedcombinations")));
                }
            }
            (Action::Delete, Some(id)) => out.push(("DELETE", format!("{base}/{id}"))),
            _ => {}
        }
    }
    out
}

fn assert_documented(s: &Saved) {
    for i in &s.plan.items {
        let allowed = documented(i.kind, i.action, i.id.as_deref());
        let writes: Vec<&Write> = i.request.iter().chain(&i.then).collect();
        if matches!(i.action, Action::Unchanged | Action::Unmanaged) {
            assert!(writes.is_empty(), "an {:?} item sends {writes:?}", i.action);
        }
        for w in writes {
            assert!(
                allowed
                    .iter()
                    .any(|(m, p)| *m == w.method && *p == w.path.to_ascii_lowercase()),
                "accepted an undocumented write {} {} for a {:?} {:?} with id {:?}",
                w.method,
                w.path,
                i.action,
                i.kind,
                i.id
            );
            assert_eq!(
                w.method == "DELETE",
                w.body.is_none(),
                "a DELETE without a body, every other write with one: {w:?}"
            );
        }
    }
}

fn write(s: &Saved) -> Value {
    plan::to_json(
        &s.plan,
        &Meta {
            graph: s.graph.clone(),
            lint_errors: s.lint_errors,
            inputs: s.inputs.clone(),
        },
    )
}

fn read_value(path: &Path, v: &Value) -> Result<Saved, String> {
    std::fs::write(
        path,
        serde_json::to_vec_pretty(v).expect("a value serialises"),
    )
    .expect("scratch file");
    read(path)
}

/// `s` as comparable text, without the names (the writer keeps only those
/// of ids a change shows) and the caac version (the writer stamps its own).
fn comparable(s: &Saved) -> String {
    let mut p = s.plan.clone();
    p.names.clear();
    format!(
        "{} {} {:?} {:?} {:?} {:?} {:?}",
        s.graph, s.lint_errors, s.inputs, p.items, p.notes, p.prune, p.names
    )
}

/// Checks the `plan.json:LINE:COLUMN:` a refusal names against the input.
fn assert_position_inside(err: &str, data: &[u8]) {
    let Some(rest) = err.split_once("plan.json:").map(|(_, r)| r) else {
        return;
    };
    let mut parts = rest.splitn(3, ':');
    let (Some(l), Some(c)) = (parts.next(), parts.next()) else {
        return;
    };
    let (Ok(line), Ok(column)) = (l.parse::<usize>(), c.parse::<usize>()) else {
        return;
    };
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    assert!(
        line >= 1 && line <= lines.len(),
        "line {line} of {}: {err}",
        lines.len()
    );
    let len = lines[line - 1].len();
    assert!(
        column >= 1 && column <= len + 1,
        "column {column} of a {len}-byte line {line}: {err}"
    );
}

fuzz_target!(|data: &[u8]| {
    let dir = common::scratch("plan");
    let path = dir.join("plan.json");
    std::fs::write(&path, data).expect("scratch file");
    let first = read(&path);
    let s1 = match first {
        Err(e) => {
            assert_position_inside(&e, data);
            return;
        }
        Ok(s) => s,
    };
    assert_documented(&s1);

    // Round trip.
    let json1 = write(&s1);
    let s2 = read_value(&path, &json1)
        .unwrap_or_else(|e| panic!("caac refuses the plan it wrote: {e}\n{json1:#}"));
    assert_eq!(
        comparable(&s2),
        comparable(&s1),
        "the written plan reads back otherwise"
    );
    assert!(
        s2.plan
            .names
            .iter()
            .all(|(k, v)| s1.plan.names.get(k) == Some(v)),
        "names appeared or changed"
    );
    let json2 = write(&s2);
    assert_eq!(json1, json2, "writing the re-read plan gives other JSON");

    // Tampered copies of the written plan: each one refused.
    let mut tampered: Vec<(String, Value)> = Vec::new();
    let mut top = |what: &str, f: &dyn Fn(&mut Value)| {
        let mut v = json1.clone();
        f(&mut v);
        tampered.push((what.to_owned(), v));
    };
    top("version", &|v| v["version"] = json!(plan::PLAN_VERSION + 1));
    top("generator", &|v| v["generator"] = json!("caac-evil"));
    top("kind", &|v| v["kind"] = json!("lock"));
    top("unknown field", &|v| {
        v["headers"] = json!({"Authorization": "x"})
    });
    let items = json1["items"].as_array().cloned().unwrap_or_default();
    for (n, item) in items.iter().enumerate() {
        let mut at = |what: String, f: &dyn Fn(&mut Value)| {
            let mut v = json1.clone();
            f(&mut v["items"][n]);
            tampered.push((format!("item #{n}: {what}"), v));
        };
        at("unknown field".into(), &|i| i["headers"] = json!({}));
        for key in ["request", "then"] {
            if item[key].is_object() {
                at(format!("{key} path"), &|i| {
                    i[key]["path"] = json!("/v1.0/users")
                });
                let other = match item[key]["method"].as_str() {
                    Some("DELETE") => "PATCH",
                    Some("PATCH") => "DELETE",
                    _ => "PUT",
                };
                at(format!("{key} method"), &|i| {
                    i[key]["method"] = json!(other)
                });
            }
        }
        if let Some(id) = item["id"].as_str()
            && item["request"].is_object()
        {
            // Another GUID: the request still names the old one.
            let flipped: String = id
                .chars()
                .enumerate()
                .map(|(k, c)| {
                    if k == 0 {
                        if c == 'a' { 'b' } else { 'a' }
                    } else {
                        c
                    }
                })
                .collect();
            at("id".into(), &|i| i["id"] = json!(flipped));
        }
        if item["request"].is_null()
            && let Some(id) = item["id"].as_str()
        {
            let kind: Kind = serde_json::from_value(item["kind"].clone()).expect("kind");
            let path = format!("/v1.0{}/{id}", collection(kind));
            at("a request on an item that sends nothing".into(), &|i| {
                i["request"] = json!({"method": "DELETE", "path": path})
            });
        }
        if item["fingerprint"] == plan::ABSENT {
            at("fingerprint of an existing object".into(), &|i| {
                i["fingerprint"] = json!("sha256:00")
            });
        } else {
            at("absent fingerprint".into(), &|i| {
                i["fingerprint"] = json!(plan::ABSENT)
            });
        }
    }
    for (what, v) in tampered {
        if let Ok(s) = read_value(&path, &v) {
            panic!(
                "a tampered plan ({what}) was accepted: {:?}",
                s.plan
                    .items
                    .iter()
                    .map(|i| (&i.request, &i.then))
                    .collect::<Vec<_>>()
            );
        }
    }
});
