//! Named locations and custom authentication strengths in `caac plan` and
//! `caac apply`: the specs of `locations/` and `strengths/`
//! ([`crate::objects`]) against the tenant's objects.
//!
//! Contract: both sides are compared as specs — a live object goes through
//! the importer ([`crate::objects::import::convert`]) like `caac pull`, the
//! desired one through the Graph body caac would send and back — with
//! Graph's defaults folded (`isTrusted: false`, `includeUnknownCountriesAndRegions:
//! false`, `countryLookupMethod: clientIpAddress`, members of a combination in
//! any order, lists as sets), so a spec written by `pull` plans no change.
//! Matching, as for policies: the id recorded in `caac.lock`, then the id the
//! spec resolves to (its `id:` or tenant.yaml's), then the display name.
//! Built-in authentication strengths are Microsoft's: never read as
//! unmanaged, never written.
//!
//! The policies resolve a spec that is not in the tenant yet to a
//! placeholder id ([`crate::objects`]). [`plan`] returns, per matched
//! object, the id the policy bodies use for it and the live id, so the
//! caller puts the live id into the bodies before policies are planned; a
//! created object's item carries that id as `bodyId`, and `apply` replaces it
//! in every later request once Graph has returned the new id.
//!
//! Requests (Graph v1.0):
//! - named locations: `POST /identity/conditionalAccess/namedLocations`
//!   (<https://learn.microsoft.com/graph/api/conditionalaccessroot-post-namedlocations>),
//!   `PATCH …/{id}` with the whole body and its `@odata.type`
//!   (<https://learn.microsoft.com/graph/api/ipnamedlocation-update>,
//!   <https://learn.microsoft.com/graph/api/countrynamedlocation-update>),
//!   `DELETE …/{id}` (<https://learn.microsoft.com/graph/api/namedlocation-delete>);
//! - authentication strengths: `POST /policies/authenticationStrengthPolicies`
//!   (<https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>),
//!   `PATCH …/{id}` for `displayName` and `description` only — "You cannot
//!   update the allowed auth method combinations using this request"
//!   (<https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-update>)
//!   — and `POST …/{id}/updateAllowedCombinations` for `allowedCombinations`
//!   (<https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-updateallowedcombinations>),
//!   `DELETE …/{id}`.

use super::lock::{Entry, Lock};
use super::plan::{self, ABSENT, Action, Item, Kind, Write};
use crate::objects::import::{ObjectKind, convert};
use crate::objects::{AuthenticationStrength, CountryLookupMethod, NamedLocation, Objects};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Where named locations live (v1.0 and beta alike).
pub const NAMED_LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";
/// Where authentication strengths are written (v1.0).
pub const STRENGTHS: &str = "/policies/authenticationStrengthPolicies";
/// The action that replaces a strength's `allowedCombinations`.
pub const UPDATE_COMBINATIONS: &str = "updateAllowedCombinations";

/// The collection of an object kind (`None` for policies).
pub fn collection(kind: Kind) -> &'static str {
    match kind {
        Kind::Policy => "/identity/conditionalAccess/policies",
        Kind::NamedLocation => NAMED_LOCATIONS,
        Kind::AuthenticationStrength => STRENGTHS,
    }
}

/// One object the repository wants.
#[derive(Debug, Clone)]
pub struct DesiredObject {
    /// Named location or authentication strength.
    pub kind: Kind,
    /// The spec file.
    pub key: String,
    /// Display name.
    pub display_name: String,
    /// The id the policy bodies use for it (real or a placeholder).
    pub body_id: String,
    /// The id is a real one (the spec's `id:` or tenant.yaml's).
    pub known: bool,
    /// The Graph body to create it with.
    pub body: Value,
}

/// One object in the tenant.
#[derive(Debug, Clone)]
pub struct LiveObject {
    /// Named location or authentication strength.
    pub kind: Kind,
    /// Object id (lowercase).
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// As Graph returned it.
    pub raw: Value,
}

/// The Graph body of a named location spec
/// (<https://learn.microsoft.com/graph/api/resources/ipnamedlocation>,
/// <https://learn.microsoft.com/graph/api/resources/countrynamedlocation>).
pub fn location_body(l: &NamedLocation) -> Value {
    if l.is_ip() {
        let ranges: Vec<Value> = l
            .ranges()
            .iter()
            .map(|r| {
                let t = if r.contains(':') {
                    "#microsoft.graph.iPv6CidrRange"
                } else {
                    "#microsoft.graph.iPv4CidrRange"
                };
                json!({"@odata.type": t, "cidrAddress": r})
            })
            .collect();
        json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation",
            "displayName": l.display_name,
            "isTrusted": l.trusted(),
            "ipRanges": ranges,
        })
    } else {
        json!({
            "@odata.type": "#microsoft.graph.countryNamedLocation",
            "displayName": l.display_name,
            "countriesAndRegions": l.countries(),
            "includeUnknownCountriesAndRegions": l.include_unknown(),
            "countryLookupMethod": match l.country_lookup_method {
                Some(CountryLookupMethod::AuthenticatorAppGps) => "authenticatorAppGps",
                _ => "clientIpAddress",
            },
        })
    }
}

/// The Graph body of a custom strength spec
/// (<https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>;
/// a configuration's type from what it restricts:
/// <https://learn.microsoft.com/graph/api/resources/authenticationcombinationconfiguration>).
pub fn strength_body(s: &AuthenticationStrength) -> Value {
    let mut body = json!({
        "displayName": s.display_name,
        "allowedCombinations": s.allowed_combinations,
    });
    if let Some(d) = &s.description {
        body["description"] = d.clone().into();
    }
    if !s.combination_configurations.is_empty() {
        let configs: Vec<Value> = s
            .combination_configurations
            .iter()
            .map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or_default();
                v["@odata.type"] = if c.allowed_aaguids.is_some() {
                    "#microsoft.graph.fido2CombinationConfiguration"
                } else {
                    "#microsoft.graph.x509CertificateCombinationConfiguration"
                }
                .into();
                v
            })
            .collect();
        body["combinationConfigurations"] = configs.into();
    }
    body
}

/// The desired objects of the loaded specs.
pub fn desired(objects: &Objects) -> Vec<DesiredObject> {
    let path = |i: usize| objects.reports.get(i).map(|r| r.path.clone());
    let locations = objects.locations.iter().map(|l| DesiredObject {
        kind: Kind::NamedLocation,
        key: path(l.report).unwrap_or_default(),
        display_name: l.spec.display_name.clone(),
        body_id: l.id.clone(),
        known: !l.pending,
        body: location_body(&l.spec),
    });
    let strengths = objects.strengths.iter().map(|s| DesiredObject {
        kind: Kind::AuthenticationStrength,
        key: path(s.report).unwrap_or_default(),
        display_name: s.spec.display_name.clone(),
        body_id: s.id.clone(),
        known: !s.pending,
        body: strength_body(&s.spec),
    });
    locations.chain(strengths).collect()
}

/// The live objects of one kind that caac can manage. Left out, so they
/// are never listed as unmanaged nor deleted by `--prune`: built-in
/// strengths (Microsoft's), and named locations of the types a spec cannot
/// hold (beta's `compliantNetworkNamedLocation`, `serviceTagNamedLocation`,
/// …; <https://learn.microsoft.com/graph/api/resources/namedlocation?view=graph-rest-beta>).
pub fn live(kind: Kind, values: &[Value]) -> Vec<LiveObject> {
    values
        .iter()
        .filter(|v| v["policyType"].as_str() != Some("builtIn"))
        .filter(|v| {
            kind != Kind::NamedLocation
                || crate::objects::import::classify(v) == Some(ObjectKind::Location)
        })
        .filter_map(|v| {
            Some(LiveObject {
                kind,
                id: v["id"].as_str()?.to_ascii_lowercase(),
                display_name: v["displayName"].as_str().unwrap_or_default().to_owned(),
                raw: v.clone(),
            })
        })
        .collect()
}

/// A Graph object (live, or a body caac sends) as a comparable spec: read
/// like `caac pull` reads it, Graph's defaults folded, lists as sets.
pub fn normal(kind: Kind, graph: &Value) -> Result<Value, String> {
    let object_kind = match kind {
        Kind::NamedLocation => ObjectKind::Location,
        Kind::AuthenticationStrength => ObjectKind::Strength,
        Kind::Policy => return Err("a policy is not a named location or strength".into()),
    };
    let mut notes = Vec::new();
    let converted = convert(object_kind, graph, "", &mut notes)
        .map_err(|ds| {
            ds.iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })?
        .ok_or("a built-in authentication strength")?;
    let v = match kind {
        Kind::NamedLocation => {
            let mut l: NamedLocation =
                serde_json::from_value(converted.spec).map_err(|e| e.to_string())?;
            l.id = None;
            if let Some(r) = &mut l.ip_ranges {
                r.iter_mut().for_each(|x| *x = x.to_ascii_lowercase());
            }
            if let Some(c) = &mut l.countries_and_regions {
                c.iter_mut().for_each(|x| *x = x.to_ascii_uppercase());
            }
            if l.is_trusted == Some(false) {
                l.is_trusted = None;
            }
            if l.include_unknown_countries_and_regions == Some(false) {
                l.include_unknown_countries_and_regions = None;
            }
            if l.country_lookup_method == Some(CountryLookupMethod::ClientIpAddress) {
                l.country_lookup_method = None;
            }
            serde_json::to_value(l).map_err(|e| e.to_string())?
        }
        _ => {
            let mut s: AuthenticationStrength =
                serde_json::from_value(converted.spec).map_err(|e| e.to_string())?;
            s.id = None;
            if s.description.as_deref() == Some("") {
                s.description = None;
            }
            // `"password, sms"` and `"sms,password"` are one combination.
            let combination = |c: &String| {
                let mut m: Vec<&str> = crate::objects::strength::members(c).collect();
                m.sort_unstable();
                m.join(",")
            };
            s.allowed_combinations = s.allowed_combinations.iter().map(combination).collect();
            for c in &mut s.combination_configurations {
                c.applies_to_combinations =
                    c.applies_to_combinations.iter().map(combination).collect();
            }
            serde_json::to_value(s).map_err(|e| e.to_string())?
        }
    };
    Ok(plan::canon(&v))
}

/// What [`plan`] returns: the items, `(id in the policy bodies, live id)`
/// per matched object that the bodies name by another id, and notes.
pub type Planned = (Vec<Item>, Vec<(String, String)>, Vec<String>);

/// The objects' plan items (creates, updates, unchanged, unmanaged) and,
/// per matched object whose policies use another id for it, `(id in the
/// bodies, live id)`. `Err` for what a person must settle.
pub fn plan(
    desired: &[DesiredObject],
    live: &[LiveObject],
    lock: &Lock,
) -> Result<Planned, String> {
    let mut claimed: BTreeSet<(Kind, String)> = BTreeSet::new();
    let mut items = Vec::new();
    let mut substitutes = Vec::new();
    let mut notes = Vec::new();
    for d in desired {
        let of_kind = |id: &str| live.iter().find(|l| l.kind == d.kind && l.id == id);
        let recorded = lock_map(lock, d.kind)
            .get(&d.key)
            .map(|e| e.id.to_ascii_lowercase());
        let mut matched: Option<(&LiveObject, &'static str)> = None;
        if let Some(id) = &recorded {
            match of_kind(id) {
                Some(l) => matched = Some((l, "lock")),
                None => notes.push(format!(
                    "{}: the recorded {} {id} is not in the tenant (deleted outside caac?); it will be created again",
                    d.key,
                    noun(d.kind)
                )),
            }
        }
        if matched.is_none()
            && d.known
            && let Some(l) = of_kind(&d.body_id)
        {
            matched = Some((l, "spec id"));
        }
        if matched.is_none() {
            let same: Vec<&LiveObject> = live
                .iter()
                .filter(|l| {
                    l.kind == d.kind
                        && l.display_name == d.display_name
                        && !claimed.contains(&(l.kind, l.id.clone()))
                })
                .collect();
            match same.as_slice() {
                [] => {}
                [l] => matched = Some((l, "displayName")),
                many => {
                    let ids: Vec<&str> = many.iter().map(|l| l.id.as_str()).collect();
                    return Err(format!(
                        "{}: {} live {}s are named `{}` ({}); record the right one in caac.lock or the spec's `id:`",
                        d.key,
                        many.len(),
                        noun(d.kind),
                        d.display_name,
                        ids.join(", ")
                    ));
                }
            }
        }
        let mut item = Item {
            action: Action::Create,
            kind: d.kind,
            spec: Some(d.key.clone()),
            display_name: d.display_name.clone(),
            id: None,
            matched_by: None,
            changes: Vec::new(),
            fingerprint: ABSENT.into(),
            api_version: None,
            body: Some(d.body.clone()),
            request: None,
            then: None,
            body_id: None,
            live_raw: None,
        };
        let want = normal(d.kind, &d.body).map_err(|e| format!("{}: {e}", d.key))?;
        match matched {
            Some((l, how)) => {
                if !claimed.insert((l.kind, l.id.clone())) {
                    return Err(format!(
                        "{}: the {} {} is claimed by two specs",
                        d.key,
                        noun(d.kind),
                        l.id
                    ));
                }
                if !l.id.eq_ignore_ascii_case(&d.body_id) {
                    substitutes.push((d.body_id.to_ascii_lowercase(), l.id.clone()));
                }
                let have = normal(d.kind, &l.raw).map_err(|e| {
                    format!(
                        "{}: the live {} {} has values caac cannot read ({e}); it cannot be compared safely",
                        d.key,
                        noun(d.kind),
                        l.id
                    )
                })?;
                item.id = Some(l.id.clone());
                item.matched_by = Some(how);
                item.fingerprint = plan::fingerprint(&l.raw);
                item.live_raw = Some(l.raw.clone());
                item.changes = plan::diff(&have, &want);
                item.action = if item.changes.is_empty() {
                    Action::Unchanged
                } else {
                    Action::Update
                };
            }
            None => item.body_id = Some(d.body_id.to_ascii_lowercase()),
        }
        if d.kind == Kind::AuthenticationStrength
            && item.action == Action::Update
            && let Some(c) = item
                .changes
                .iter()
                .find(|c| c.path.starts_with("/combinationConfigurations"))
        {
            return Err(format!(
                "{}: `combinationConfigurations` differs from the tenant's ({}); caac does not update a strength's combination configurations yet: change them in the Entra admin center, or delete the strength and let caac create it again",
                d.key, c.path
            ));
        }
        (item.request, item.then) = writes(&item);
        items.push(item);
    }
    for l in live {
        if claimed.contains(&(l.kind, l.id.clone())) {
            continue;
        }
        items.push(Item {
            action: Action::Unmanaged,
            kind: l.kind,
            spec: key_of(lock, l.kind, &l.id),
            display_name: l.display_name.clone(),
            id: Some(l.id.clone()),
            matched_by: None,
            changes: Vec::new(),
            fingerprint: plan::fingerprint(&l.raw),
            api_version: None,
            body: None,
            request: None,
            then: None,
            body_id: None,
            live_raw: Some(l.raw.clone()),
        });
    }
    Ok((items, substitutes, notes))
}

/// The request(s) an object item sends: a strength's update is a PATCH of
/// its name and description and/or the `updateAllowedCombinations` action.
pub fn writes(i: &Item) -> (Option<Write>, Option<Write>) {
    let base = format!("/v1.0{}", collection(i.kind));
    let id = i.id.as_deref().unwrap_or_default();
    let body = i.body.clone().unwrap_or(Value::Null);
    match i.action {
        Action::Create => (
            Some(Write {
                method: "POST".into(),
                path: base,
                body: Some(body),
            }),
            None,
        ),
        Action::Update if i.kind == Kind::AuthenticationStrength => {
            let touched = |p: &str| i.changes.iter().any(|c| c.path.starts_with(p));
            let patch = (touched("/displayName") || touched("/description")).then(|| Write {
                method: "PATCH".into(),
                path: format!("{base}/{id}"),
                body: Some(json!({
                    "displayName": body["displayName"],
                    // An explicit null clears a description the spec dropped.
                    "description": body.get("description").cloned().unwrap_or(Value::Null),
                })),
            });
            let combinations = touched("/allowedCombinations").then(|| Write {
                method: "POST".into(),
                path: format!("{base}/{id}/{UPDATE_COMBINATIONS}"),
                body: Some(json!({"allowedCombinations": body["allowedCombinations"]})),
            });
            match (patch, combinations) {
                (Some(p), c) => (Some(p), c),
                (None, c) => (c, None),
            }
        }
        // A named location's PATCH carries its `@odata.type` and the whole
        // body: `ipRanges` and `countriesAndRegions` are replaced wholesale.
        Action::Update => (
            Some(Write {
                method: "PATCH".into(),
                path: format!("{base}/{id}"),
                body: Some(body),
            }),
            None,
        ),
        Action::Delete => (
            Some(Write {
                method: "DELETE".into(),
                path: format!("{base}/{id}"),
                body: None,
            }),
            None,
        ),
        Action::Unchanged | Action::Unmanaged => (None, None),
    }
}

/// The lock's map for an object kind.
pub fn lock_map(lock: &Lock, kind: Kind) -> &BTreeMap<String, Entry> {
    match kind {
        Kind::NamedLocation => &lock.named_locations,
        Kind::AuthenticationStrength => &lock.authentication_strengths,
        Kind::Policy => &lock.policies,
    }
}

/// The lock's map for an object kind, to change.
pub fn lock_map_mut(lock: &mut Lock, kind: Kind) -> &mut BTreeMap<String, Entry> {
    match kind {
        Kind::NamedLocation => &mut lock.named_locations,
        Kind::AuthenticationStrength => &mut lock.authentication_strengths,
        Kind::Policy => &mut lock.policies,
    }
}

fn key_of(lock: &Lock, kind: Kind, id: &str) -> Option<String> {
    lock_map(lock, kind)
        .iter()
        .find(|(_, e)| e.id.eq_ignore_ascii_case(id))
        .map(|(k, _)| k.clone())
}

/// The word for an object kind.
pub fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Policy => "policy",
        Kind::NamedLocation => "named location",
        Kind::AuthenticationStrength => "authentication strength",
    }
}

/// Replaces every string of `v` equal to one of the `(from, to)` ids
/// (any case) with its `to`.
pub fn substitute(v: &mut Value, ids: &[(String, String)]) {
    match v {
        Value::String(s) => {
            if let Some((_, to)) = ids.iter().find(|(from, _)| from.eq_ignore_ascii_case(s)) {
                *s = to.clone();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, ids)),
        Value::Object(m) => m.values_mut().for_each(|x| substitute(x, ids)),
        _ => {}
    }
}

/// Whether any string of `v` is `id` (any case).
pub fn mentions(v: &Value, id: &str) -> bool {
    match v {
        Value::String(s) => s.eq_ignore_ascii_case(id),
        Value::Array(a) => a.iter().any(|x| mentions(x, id)),
        Value::Object(m) => m.values().any(|x| mentions(x, id)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_defaults_and_order_plan_no_change() {
        let spec: NamedLocation = serde_json::from_value(json!({
            "displayName": "HQ", "ipRanges": ["203.0.113.0/24", "2001:DB8::/48"]
        }))
        .unwrap();
        let live = json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "x", "displayName": "HQ",
            "isTrusted": false, "createdDateTime": "2026-01-01T00:00:00Z", "modifiedDateTime": null,
            "ipRanges": [
                {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"},
                {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}
            ]
        });
        let want = normal(Kind::NamedLocation, &location_body(&spec)).unwrap();
        assert_eq!(normal(Kind::NamedLocation, &live).unwrap(), want);
        let s: AuthenticationStrength = serde_json::from_value(json!({
            "displayName": "S", "allowedCombinations": ["password, sms", "fido2"]
        }))
        .unwrap();
        let live = json!({"id": "y", "displayName": "S", "description": "", "policyType": "custom",
            "allowedCombinations": ["fido2", "sms,password"], "combinationConfigurations": []});
        assert_eq!(
            normal(Kind::AuthenticationStrength, &live).unwrap(),
            normal(Kind::AuthenticationStrength, &strength_body(&s)).unwrap()
        );
    }

    #[test]
    fn only_manageable_objects_are_live() {
        let values = [
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "A", "displayName": "a", "ipRanges": []}),
            json!({"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation", "id": "b", "displayName": "b", "compliantNetworkType": "allTenantCompliantNetworks"}),
            json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "c", "displayName": "c", "countriesAndRegions": ["NL"]}),
        ];
        let ids: Vec<String> = live(Kind::NamedLocation, &values)
            .into_iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(ids, ["a", "c"]);
        let strengths = [
            json!({"id": "s", "displayName": "S", "policyType": "custom", "allowedCombinations": ["fido2"]}),
            json!({"id": "m", "displayName": "M", "policyType": "builtIn", "allowedCombinations": ["fido2"]}),
        ];
        assert_eq!(live(Kind::AuthenticationStrength, &strengths).len(), 1);
    }

    #[test]
    fn a_strength_update_uses_patch_and_the_combinations_action() {
        let mut i = Item {
            action: Action::Update,
            kind: Kind::AuthenticationStrength,
            spec: None,
            display_name: "S".into(),
            id: Some("s1".into()),
            matched_by: None,
            changes: vec![plan::Change {
                path: "/allowedCombinations".into(),
                before: None,
                after: None,
            }],
            fingerprint: ABSENT.into(),
            api_version: None,
            body: Some(json!({"displayName": "S", "allowedCombinations": ["fido2"]})),
            request: None,
            then: None,
            body_id: None,
            live_raw: None,
        };
        let (first, then) = writes(&i);
        let first = first.unwrap();
        assert_eq!(
            (first.method.as_str(), first.path.as_str()),
            (
                "POST",
                "/v1.0/policies/authenticationStrengthPolicies/s1/updateAllowedCombinations"
            )
        );
        assert_eq!(first.body, Some(json!({"allowedCombinations": ["fido2"]})));
        assert!(then.is_none());
        i.changes[0].path = "/description".into();
        let (first, then) = writes(&i);
        assert_eq!(first.unwrap().method, "PATCH");
        assert!(then.is_none());
    }
}
