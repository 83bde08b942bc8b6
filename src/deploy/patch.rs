//! The body of an update: what makes a Graph PATCH converge.
//!
//! Contract: [`body`] returns the full desired body plus, for every property
//! the live policy sets and the desired body leaves out (at any depth of the
//! complex values `conditions`, `conditions.users`, `grantControls`,
//! `sessionControls`, …), the value that clears it. Without that the PATCH
//! keeps it: "Existing properties that aren't included in the request body
//! maintain their previous values"
//! (<https://learn.microsoft.com/graph/api/conditionalaccesspolicy-update>),
//! and complex values are merged member by member
//! (<https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part1-protocol.html#sec_UpdateanEntity>),
//! so a removed exclusion, condition block or session control would stay in
//! the tenant and every later plan would show the same update.
//!
//! The clearing value is the one Microsoft's metadata documents for the
//! property (`schemas/graph/`, generated from the Graph CSDL): `[]` for a
//! collection (all of them are `Nullable="false"`, so `null` is not a value
//! Graph accepts there), `null` for a nullable complex or primitive value
//! (a whole condition block, a session control, `description`). A complex
//! value that cannot be null is cleared member by member. Read-only and
//! server-managed properties ([`super::plan::READ_ONLY`], `readOnly` in the
//! metadata, `@odata.*` annotations) are never sent; `authenticationStrength`
//! is a reference (a navigation property) written whole as `{ "id": … }`.
//! A property missing from the metadata snapshot (newer than it) is cleared
//! by its JSON shape: `[]` for a list, `null` otherwise.

use super::plan::READ_ONLY;
use crate::graph::compile::{ApiVersion, Compiled};
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// Graph's beta shape of the resource (a superset of v1.0), derived from
/// Microsoft's CSDL metadata by `tools/gen_graph_schema.py`.
static SCHEMA: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!(
        "../../schemas/graph/conditionalAccessPolicy.beta.schema.json"
    ))
    .unwrap_or(Value::Null)
});

const ROOT: &str = "microsoft.graph.conditionalAccessPolicy";

/// The PATCH body for `desired` over the policy `live` (as Graph returned it).
pub fn body(desired: &Value, live: Option<&Value>) -> Value {
    let mut body = desired.clone();
    if let (Value::Object(b), Some(Value::Object(l))) = (&mut body, live) {
        clear(b, l, definition(ROOT), true);
    }
    body
}

/// The API version of the PATCH: the desired body's, unless clearing names
/// a property v1.0 does not have (a beta-only block the portal set), which
/// only the beta endpoint accepts.
pub fn api_version(body: &Value, desired: ApiVersion) -> ApiVersion {
    if desired == ApiVersion::Beta {
        return ApiVersion::Beta;
    }
    let c = Compiled {
        body: body.clone(),
        api_version: ApiVersion::V1,
        beta_reasons: Vec::new(),
        diagnostics: Vec::new(),
    };
    if crate::graph::compile::check_against_graph(&c, None).is_empty() {
        ApiVersion::V1
    } else {
        ApiVersion::Beta
    }
}

/// Adds to `body` the clearing value of everything `live` sets that `body`
/// does not; recurses into complex values both have. `def` is the metadata
/// definition of the object (None when the metadata does not know it).
fn clear(
    body: &mut Map<String, Value>,
    live: &Map<String, Value>,
    def: Option<&Value>,
    root: bool,
) {
    for (k, have) in live {
        if k.contains("@odata") || (root && READ_ONLY.contains(&k.as_str())) || !is_set(have) {
            continue;
        }
        let prop = def.and_then(|d| d.get("properties")).and_then(|p| p.get(k));
        if prop.is_some_and(|p| p.get("readOnly") == Some(&Value::Bool(true))) {
            continue;
        }
        match body.get_mut(k) {
            None => {
                if let Some(v) = clearing(prop, have) {
                    body.insert(k.clone(), v);
                } else if let Value::Object(l) = have {
                    // Not nullable but complex: clear what is inside.
                    let mut inner = Map::new();
                    clear(&mut inner, l, prop.and_then(object_definition), false);
                    if !inner.is_empty() {
                        body.insert(k.clone(), Value::Object(inner));
                    }
                }
            }
            // A reference, replaced whole by the body's `{ "id": … }`.
            Some(_) if k == "authenticationStrength" => {}
            Some(Value::Object(want)) => {
                // Another concrete type (`externalTenants`: all ↔ enumerated)
                // replaces the old value; its members do not carry over.
                let retyped = want.contains_key("@odata.type")
                    && want.get("@odata.type") != have.get("@odata.type");
                if let (Value::Object(l), false) = (have, retyped) {
                    clear(want, l, prop.and_then(object_definition), false);
                }
            }
            Some(_) => {}
        }
    }
}

/// The value that clears a property: `[]` for a collection, `null` when the
/// metadata allows it; None for a non-nullable complex or primitive value.
fn clearing(prop: Option<&Value>, have: &Value) -> Option<Value> {
    let Some(p) = prop else {
        return Some(match have {
            Value::Array(_) => Value::Array(Vec::new()),
            _ => Value::Null,
        });
    };
    let types: Vec<&str> = match p.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = types.contains(&"null")
        || p.get("anyOf").and_then(Value::as_array).is_some_and(|a| {
            a.iter()
                .any(|s| s.get("type") == Some(&Value::from("null")))
        });
    if types.contains(&"array") {
        Some(Value::Array(Vec::new()))
    } else if nullable {
        Some(Value::Null)
    } else {
        None
    }
}

/// The object definition a property refers to (directly or through `anyOf`).
fn object_definition(prop: &Value) -> Option<&'static Value> {
    let reference = prop.get("$ref").or_else(|| {
        prop.get("anyOf")?
            .as_array()?
            .iter()
            .find_map(|s| s.get("$ref"))
    })?;
    let name = reference.as_str()?.strip_prefix("#/$defs/")?;
    definition(name)
}

fn definition(name: &str) -> Option<&'static Value> {
    SCHEMA
        .get("$defs")?
        .get(name)
        .filter(|d| d.get("properties").is_some())
}

/// True when a live value says something: not null, not an empty list, not
/// an object whose members are all unset.
fn is_set(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => o.iter().any(|(k, v)| !k.contains("@odata") && is_set(v)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const G1: &str = "00000000-0000-4000-8000-00000000e0e1";
    const G2: &str = "00000000-0000-4000-8000-00000000e0e2";

    fn live() -> Value {
        json!({
            "id": "0a000000-0000-4000-8000-000000000001",
            "createdDateTime": "2025-01-01T00:00:00Z",
            "modifiedDateTime": null,
            "deletedDateTime": null,
            "templateId": "6b619f55-792e-45dc-9711-d83ec9d7ae90",
            "partialEnablementStrategy": "x",
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
            "displayName": "P",
            "description": "set in the portal",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeGroups": [G1, G2], "excludeUsers": [], "includeGuestsOrExternalUsers": null},
                "applications": {"includeApplications": ["All"], "excludeApplications": []},
                "clientAppTypes": ["all"],
                "platforms": {"includePlatforms": ["android"], "excludePlatforms": []},
                "locations": null,
                "devices": {"deviceFilter": null},
                "signInRiskLevels": ["high"],
                "userRiskLevels": [],
                "insiderRiskLevels": "elevated",
                "times": null
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "termsOfUse": [], "authenticationStrength@odata.context": "x"},
            "sessionControls": {
                "signInFrequency": {"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"},
                "persistentBrowser": {"isEnabled": true, "mode": "never"},
                "disableResilienceDefaults": null
            }
        })
    }

    /// Everything the desired body drops is cleared with the documented
    /// value; nothing read-only, unset or annotated is sent.
    #[test]
    fn clears_what_the_spec_dropped_with_the_documented_value() {
        let desired = json!({
            "displayName": "P",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeGroups": [G1]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"]
            },
            "grantControls": {"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"}},
            "sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"}}
        });
        assert_eq!(
            body(&desired, Some(&live())),
            json!({
                "displayName": "P",
                "state": "enabled",
                "conditions": {
                    "users": {"includeUsers": ["All"], "excludeGroups": [G1]},
                    "applications": {"includeApplications": ["All"]},
                    "clientAppTypes": ["all"],
                    // Nullable complex condition blocks and flags: null.
                    "platforms": null,
                    // Collections are non-nullable: [].
                    "signInRiskLevels": [],
                    "insiderRiskLevels": null
                },
                // A strength replaces mfa: the old list must be emptied
                // (Graph refuses both together).
                "grantControls": {"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"}, "builtInControls": []},
                "sessionControls": {
                    "signInFrequency": {"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"},
                    "persistentBrowser": null
                },
                "description": null
            })
        );
    }

    #[test]
    fn whole_blocks_are_nulled_and_nothing_is_added_without_a_live_policy() {
        let desired = json!({"displayName": "P", "state": "disabled", "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]}});
        let b = body(&desired, Some(&live()));
        assert_eq!(b["grantControls"], Value::Null);
        assert_eq!(b["sessionControls"], Value::Null);
        assert!(b.as_object().unwrap().contains_key("grantControls"));
        assert_eq!(b["conditions"]["users"]["excludeGroups"], json!([]));
        for k in READ_ONLY {
            assert!(b.get(*k).is_none(), "{k} sent");
        }
        assert!(b.get("@odata.context").is_none());
        assert_eq!(body(&desired, None), desired);
    }

    /// Switching the concrete type of `externalTenants` sends the new value
    /// alone: `members` belongs to the enumerated type only.
    #[test]
    fn a_retyped_value_is_replaced_not_cleared() {
        let live = json!({"conditions": {"users": {"excludeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": "b2bCollaborationGuest",
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "enumerated", "members": ["t1"]}}}}});
        let want = json!({"conditions": {"users": {"excludeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": "b2bCollaborationGuest",
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}}}});
        assert_eq!(body(&want, Some(&live)), want);
    }

    /// Clearing a beta-only property moves a v1.0 update to beta.
    #[test]
    fn clearing_a_beta_only_property_patches_beta() {
        let desired = json!({"displayName": "P", "state": "disabled", "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]}, "grantControls": {"operator": "OR", "builtInControls": ["block"]}});
        assert_eq!(api_version(&desired, ApiVersion::V1), ApiVersion::V1);
        let live = json!({"conditions": {"agentIdRiskLevels": "high"}});
        let b = body(&desired, Some(&live));
        assert_eq!(b["conditions"]["agentIdRiskLevels"], Value::Null);
        assert_eq!(api_version(&b, ApiVersion::V1), ApiVersion::Beta);
        let live = json!({"conditions": {"signInRiskLevels": ["high"]}});
        let b = body(&desired, Some(&live));
        assert_eq!(api_version(&b, ApiVersion::V1), ApiVersion::V1);
    }
}
