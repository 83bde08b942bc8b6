//! Import of exported named locations and authentication strengths: Graph's
//! JSON (a single object, an array, or a list response `{"value": [...]}` from
//! `GET /identity/conditionalAccess/namedLocations` or
//! `GET /policies/authenticationStrengthPolicies`) → one spec per object.
//!
//! Contract: [`import`] never guesses. An item is a named location when its
//! `@odata.type` is `#microsoft.graph.ipNamedLocation` /
//! `#microsoft.graph.countryNamedLocation` (or, without one, it has
//! `ipRanges` / `countriesAndRegions`), a strength when it is
//! `#microsoft.graph.authenticationStrengthPolicy` (or has
//! `allowedCombinations`). Read-only properties Graph returns are dropped
//! (timestamps, `policyType`, `requirementsSatisfied`, `@odata.*`); built-in
//! strengths are Microsoft's and never written; anything the spec cannot hold
//! (an `iPv4Range` given as lower/upper bounds, an unknown property) is an
//! error at its position and the object is not written, never dropped
//! silently. Sources:
//! <https://learn.microsoft.com/graph/api/resources/ipnamedlocation>,
//! <https://learn.microsoft.com/graph/api/resources/countrynamedlocation>,
//! <https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>.

use super::{AuthenticationStrength, NamedLocation};
use crate::diag::{Code, Diagnostic};
use crate::load::Document;
use serde_json::{Map, Value};

/// What an export item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectKind {
    /// An IP or country named location.
    Location,
    /// An authentication strength policy.
    Strength,
}

impl ObjectKind {
    /// The noun used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            ObjectKind::Location => "named location",
            ObjectKind::Strength => "authentication strength",
        }
    }

    /// The schema file its specs point at.
    pub fn schema_file(self) -> &'static str {
        match self {
            ObjectKind::Location => crate::schemas::LOCATION,
            ObjectKind::Strength => crate::schemas::STRENGTH,
        }
    }

    /// The default spec directory.
    pub fn default_dir(self) -> &'static str {
        match self {
            ObjectKind::Location => super::DEFAULT_LOCATIONS,
            ObjectKind::Strength => super::DEFAULT_STRENGTHS,
        }
    }
}

/// The items of an export with their pointers: `{"value": [...]}`, an
/// array, or one object.
pub fn items(value: &Value) -> Vec<(String, &Value)> {
    match value {
        Value::Object(m) => match m.get("value") {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("/value/{i}"), v))
                .collect(),
            _ => vec![(String::new(), value)],
        },
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("/{i}"), v))
            .collect(),
        _ => Vec::new(),
    }
}

/// What an item is, when it is a location or a strength.
pub fn classify(item: &Value) -> Option<ObjectKind> {
    let m = item.as_object()?;
    match m.get("@odata.type").and_then(Value::as_str) {
        Some(t) => {
            let t = t
                .trim_start_matches('#')
                .trim_start_matches("microsoft.graph.");
            match t {
                "ipNamedLocation" | "countryNamedLocation" => Some(ObjectKind::Location),
                "authenticationStrengthPolicy" => Some(ObjectKind::Strength),
                _ => None,
            }
        }
        None if m.contains_key("ipRanges") || m.contains_key("countriesAndRegions") => {
            Some(ObjectKind::Location)
        }
        None if m.contains_key("allowedCombinations") => Some(ObjectKind::Strength),
        None => None,
    }
}

/// Read-only or protocol properties Graph returns and a spec never holds.
const DROPPED: &[&str] = &[
    "@odata.type",
    "@odata.context",
    "@odata.etag",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "policyType",
    "requirementsSatisfied",
    "combinationConfigurations@odata.context",
];

/// One object ready to be written.
#[derive(Debug, Clone)]
pub struct Converted {
    /// Its kind.
    pub kind: ObjectKind,
    /// Its display name.
    pub name: String,
    /// The spec as JSON (key order as the model writes it).
    pub spec: Value,
}

/// Converts one item; `Ok(None)` for a built-in strength (never written,
/// with an info diagnostic in `notes`).
pub fn convert(
    kind: ObjectKind,
    item: &Value,
    at: &str,
    notes: &mut Vec<Diagnostic>,
) -> Result<Option<Converted>, Vec<Diagnostic>> {
    let Some(m) = item.as_object() else {
        return Err(vec![
            Diagnostic::error(Code::InvalidType, "expected an object".into()).at_value(at),
        ]);
    };
    let name = m
        .get("displayName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if kind == ObjectKind::Strength
        && m.get("policyType").and_then(Value::as_str) == Some("builtIn")
    {
        let mut d = Diagnostic::warning(
            Code::NotImported,
            format!("`{name}` is a built-in authentication strength: Microsoft's, never written as a spec"),
        )
        .at_value(format!("{at}/policyType"));
        d.severity = crate::diag::Severity::Info;
        notes.push(d);
        return Ok(None);
    }
    let mut errors = Vec::new();
    let mut out = Map::new();
    for (k, v) in m {
        if DROPPED.contains(&k.as_str()) {
            continue;
        }
        let v = match (kind, k.as_str()) {
            (ObjectKind::Location, "ipRanges") => ranges(v, &format!("{at}/ipRanges"), &mut errors),
            (ObjectKind::Strength, "combinationConfigurations") => match v {
                Value::Array(cfgs) => Value::Array(
                    cfgs.iter()
                        .map(|c| match c {
                            Value::Object(c) => Value::Object(
                                c.iter()
                                    .filter(|(k, _)| {
                                        k.as_str() != "id" && !k.starts_with("@odata.")
                                    })
                                    .map(|(k, v)| (k.clone(), v.clone()))
                                    .collect(),
                            ),
                            other => other.clone(),
                        })
                        .collect(),
                ),
                other => other.clone(),
            },
            // Graph returns null for an unset optional property.
            (_, _) if v.is_null() => continue,
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let typed: Result<Value, String> = match kind {
        ObjectKind::Location => serde_json::from_value::<NamedLocation>(Value::Object(out))
            .map_err(|e| e.to_string())
            .and_then(|s| serde_json::to_value(s).map_err(|e| e.to_string())),
        ObjectKind::Strength => {
            serde_json::from_value::<AuthenticationStrength>(Value::Object(out))
                .map_err(|e| e.to_string())
                .and_then(|s| serde_json::to_value(s).map_err(|e| e.to_string()))
        }
    };
    match typed {
        Ok(spec) => Ok(Some(Converted { kind, name, spec })),
        Err(e) => Err(vec![
            Diagnostic::error(
                Code::NotImported,
                format!("{} `{name}` was not imported: {e}", kind.noun()),
            )
            .at_value(at)
            .with_help("the spec would lose this value; fix the export or write the spec by hand"),
        ]),
    }
}

/// Graph's `ipRange` objects → CIDR strings. `iPv4Range` / `iPv6Range`
/// (lower and upper bounds) have no CIDR form here: an error each.
fn ranges(v: &Value, at: &str, errors: &mut Vec<Diagnostic>) -> Value {
    let Value::Array(items) = v else {
        return v.clone();
    };
    let mut out = Vec::new();
    for (i, r) in items.iter().enumerate() {
        match r {
            Value::String(s) => out.push(Value::String(s.clone())),
            Value::Object(o) => match o.get("cidrAddress").and_then(Value::as_str) {
                Some(c) => out.push(Value::String(c.to_owned())),
                None => errors.push(
                    Diagnostic::error(
                        Code::NotImported,
                        "an IP range without `cidrAddress` (a lower/upper bound range) cannot be written as a spec".into(),
                    )
                    .at_value(format!("{at}/{i}"))
                    .with_help("express the range as CIDR blocks in the export, or write the spec by hand"),
                ),
            },
            _ => errors.push(
                Diagnostic::error(Code::InvalidType, "expected an IP range object".into())
                    .at_value(format!("{at}/{i}")),
            ),
        }
    }
    Value::Array(out)
}

/// The spec file text: schema modeline (a path that resolves from the
/// written file's directory), provenance, then the spec.
pub fn spec_text(spec: &Value, schema_ref: &str, source: &str) -> String {
    format!(
        "# yaml-language-server: $schema={schema_ref}\n# Imported by caac from {source}\n{}",
        crate::import::yaml::to_yaml(spec)
    )
}

/// Every location or strength item of a loaded export, converted, with the
/// diagnostics (pointers into the export). `None` when the export holds no
/// such item.
pub fn import(doc: &Document) -> Option<(Vec<Converted>, Vec<Diagnostic>)> {
    let found = items(&doc.value);
    if found.is_empty() || found.iter().any(|(_, v)| classify(v).is_none()) {
        return None;
    }
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for (at, item) in found {
        let Some(kind) = classify(item) else { continue };
        match convert(kind, item, &at, &mut diags) {
            Ok(Some(c)) => out.push(c),
            Ok(None) => {}
            Err(ds) => diags.extend(ds),
        }
    }
    Some((out, diags))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn graph_shapes_become_specs() {
        let mut notes = Vec::new();
        let ip = json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "0854951d-5fc0-4eb1-b392-9b2c9d7949c2",
            "displayName": "HQ", "createdDateTime": "2024-01-01T00:00:00Z", "modifiedDateTime": null, "isTrusted": true,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
                         {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"}]});
        let c = convert(ObjectKind::Location, &ip, "", &mut notes)
            .unwrap()
            .unwrap();
        assert_eq!(
            c.spec,
            json!({"displayName": "HQ", "id": "0854951d-5fc0-4eb1-b392-9b2c9d7949c2",
                   "ipRanges": ["203.0.113.0/24", "2001:db8::/48"], "isTrusted": true})
        );
        let bounds = json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "R",
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "1.1.1.1", "upperAddress": "1.1.1.9"}]});
        let e = convert(ObjectKind::Location, &bounds, "/value/0", &mut notes).unwrap_err();
        assert_eq!(e.len(), 1);
        let builtin = json!({"@odata.type": "#microsoft.graph.authenticationStrengthPolicy", "displayName": "Multifactor authentication",
            "policyType": "builtIn", "allowedCombinations": ["password,sms"]});
        assert!(
            convert(ObjectKind::Strength, &builtin, "", &mut notes)
                .unwrap()
                .is_none()
        );
        assert_eq!(notes.len(), 1);
    }
}
