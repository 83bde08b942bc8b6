//! The typed Conditional Access policy spec — the one model every stage shares.
//!
//! Contract: plain serde + schemars types, no positions and no I/O. A spec file
//! deserializes into [`Policy`]; the JSON Schema in `schemas/policy.schema.json`
//! is generated from these types (see [`policy_schema`]), so the doc comments
//! here are what editors show. Every place Graph wants an id holds a
//! [`Reference`](String): a GUID, a keyword (`All`, `Office365`, …) or a name
//! that `resolve` turns into an id. Graph's flags enums (sent as one
//! comma-joined string) are lists here; `compile` joins them.
//!
//! The key names follow Graph's `conditionalAccessPolicy` (camelCase) with the
//! `conditions` level flattened away and `include*`/`exclude*` pairs written as
//! `include:`/`exclude:` blocks, so someone who knows Graph or Terraform
//! recognises every key. Properties caac does not model yet go in
//! [`Policy::passthrough`], never dropped.

/// Declares a Graph enum: serde uses the exact (case-sensitive) wire spelling,
/// `as_str` returns it and `ALL` lists every member for did-you-mean hints.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $wire)] $variant),+
        }
        impl $name {
            /// Every member, in Graph's order.
            pub const ALL: &[$name] = &[$($name::$variant),+];
            /// The Graph wire value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }
        impl $crate::model::Wire for $name {
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn wire(self) -> &'static str {
                self.as_str()
            }
        }
    };
}

/// A Graph enum with a fixed set of wire spellings.
pub trait Wire: Copy + Sized + 'static {
    /// Every member.
    fn all() -> &'static [Self];
    /// The wire spelling.
    fn wire(self) -> &'static str;
    /// Parses the exact wire spelling.
    fn parse(s: &str) -> Option<Self> {
        Self::all().iter().copied().find(|v| v.wire() == s)
    }
    /// Parses ignoring ASCII case (for exports written with the wrong casing).
    fn parse_loose(s: &str) -> Option<Self> {
        Self::all()
            .iter()
            .copied()
            .find(|v| v.wire().eq_ignore_ascii_case(s.trim()))
    }
}

mod conditions;
mod controls;
mod query;
mod tenant;

pub use conditions::*;
pub use controls::*;
pub use tenant::*;

/// The read-only (server-managed) properties of Graph's
/// `conditionalAccessPolicy`: Graph returns them and a request body never
/// carries them. The one list the compiler (pass-through refuses them), the
/// importer (strips them from exports) and the planner (ignores them when
/// comparing, never PATCHes them) share.
///
/// Source: the properties marked "Read-only" on
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy>
/// (`id`, `createdDateTime`, `modifiedDateTime`) and its beta version
/// (<https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy?view=graph-rest-beta>:
/// `deletedDateTime` from `policyDeletableItem`, `templateId`,
/// `partialEnablementStrategy`, which responses carry and a create or update
/// body does not set). The checked-in Graph schemas (`schemas/graph/`, generated
/// from Microsoft's CSDL metadata) mark exactly these `readOnly`; a unit test
/// below holds this list to them.
pub const READ_ONLY: &[&str] = &[
    "id",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "templateId",
    "partialEnablementStrategy",
];

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A name, keyword or GUID that resolves to the id Graph wants.
pub type Reference = String;

/// One Conditional Access policy, as written in a caac spec file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "caac Conditional Access policy")]
pub struct Policy {
    /// The policy's display name in Entra; unique across the policy set.
    #[schemars(length(min = 1, max = 256))]
    pub display_name: String,
    /// Free text. Graph documents this property as unused; it is sent as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Object id of the live policy this spec manages (kept by `caac import`).
    /// Never sent in a create body; `plan`/`apply` use it to match the live policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ))]
    pub id: Option<String>,
    /// `reportOnly` (the default when omitted), `enabled` or `disabled`.
    /// Enforcement is never implied: `enabled` must be written.
    #[serde(default)]
    pub state: State,
    /// Who the policy applies to (`conditions.users`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Users>,
    /// Workload identities the policy applies to (`conditions.clientApplications`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_applications: Option<ClientApplications>,
    /// Target resources, user actions or authentication contexts (`conditions.applications`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications: Option<Applications>,
    /// Client app types (`conditions.clientAppTypes`); `[all]` when omitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_app_types: Vec<ClientAppType>,
    /// Device platforms (`conditions.platforms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Platforms>,
    /// Network locations (`conditions.locations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Locations>,
    /// Device filter (`conditions.devices`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Devices>,
    /// Sign-in risk levels (`conditions.signInRiskLevels`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sign_in_risk_levels: Vec<RiskLevel>,
    /// User risk levels (`conditions.userRiskLevels`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_risk_levels: Vec<RiskLevel>,
    /// Service principal risk levels (`conditions.servicePrincipalRiskLevels`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_principal_risk_levels: Vec<ServicePrincipalRiskLevel>,
    /// Insider risk levels (`conditions.insiderRiskLevels`, sent as one comma-joined string).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insider_risk_levels: Vec<InsiderRiskLevel>,
    /// Agent identity risk levels (beta `conditions.agentIdRiskLevels`, comma-joined on the wire).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agent_id_risk_levels: Vec<AgentIdRiskLevel>,
    /// Authentication flows (`conditions.authenticationFlows.transferMethods`, comma-joined on the wire).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication_flows: Vec<TransferMethod>,
    /// Grant controls (`grantControls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<Grant>,
    /// Session controls (`sessionControls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// Staged rollout (caac metadata, never sent to Graph): the stage decides the
    /// state Graph gets, and `caac promote` moves it on once the dwell has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Rollout>,
    /// Who owns each exclusion in `users.exclude`, why it exists and when it
    /// expires (caac metadata, never sent to Graph). Keyed by the excluded
    /// principal exactly as written in `users.exclude`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<ExclusionNote>,
    /// Raw Graph JSON for properties caac does not model yet, deep-merged into the
    /// compiled body (e.g. `{conditions: {agents: {...}}}`). Each key is reported;
    /// a key that collides with a modelled property is an error; using it selects beta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passthrough: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A rollout stage: report-only, then a pilot group, then everyone in scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Stage {
    /// Report-only for the whole scope (`state` becomes `enabledForReportingButNotEnforced`).
    #[default]
    #[serde(rename = "reportOnly")]
    ReportOnly,
    /// Enforced for the pilot group only (the exclusions still apply).
    #[serde(rename = "pilot")]
    Pilot,
    /// Enforced for the spec's whole user scope.
    #[serde(rename = "enforced")]
    Enforced,
}

impl Stage {
    /// The spelling in a spec file.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::ReportOnly => "reportOnly",
            Stage::Pilot => "pilot",
            Stage::Enforced => "enforced",
        }
    }
}

/// `rollout:` — the policy's stage and the dates that prove the dwell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rollout {
    /// `reportOnly`, `pilot` or `enforced`; only `caac promote` should move it on.
    pub stage: Stage,
    /// The group (name or object id) the policy is enforced for at the `pilot` stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub pilot_group: Option<Reference>,
    /// The day (UTC, `YYYY-MM-DD`) the policy went report-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub report_only_since: Option<String>,
    /// The day (UTC, `YYYY-MM-DD`) the pilot stage began; `caac promote` writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub pilot_since: Option<String>,
    /// The fewest days each stage must last before `caac promote` moves on (default 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 365))]
    pub min_dwell_days: Option<u32>,
}

/// One entry of `exclusions:`: the governance record of one exclusion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExclusionNote {
    /// The excluded user, group or role, exactly as written in `users.exclude`.
    #[schemars(length(min = 1))]
    pub principal: Reference,
    /// Who answers for the exclusion (a person or team).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Why the principal is excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The last day (UTC, `YYYY-MM-DD`) the exclusion is valid; lint fails after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub expires: Option<String>,
}

/// Policy state. Omitted means `reportOnly`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum State {
    /// Report-only: evaluated and logged, never enforced (`enabledForReportingButNotEnforced`).
    #[default]
    #[serde(rename = "reportOnly")]
    ReportOnly,
    /// Graph's own spelling of report-only, accepted so exports read naturally.
    #[serde(rename = "enabledForReportingButNotEnforced")]
    EnabledForReportingButNotEnforced,
    /// Enforced.
    #[serde(rename = "enabled")]
    Enabled,
    /// Not evaluated.
    #[serde(rename = "disabled")]
    Disabled,
}

impl State {
    /// The Graph wire value.
    pub fn graph(self) -> &'static str {
        match self {
            State::ReportOnly | State::EnabledForReportingButNotEnforced => {
                "enabledForReportingButNotEnforced"
            }
            State::Enabled => "enabled",
            State::Disabled => "disabled",
        }
    }

    /// Enabled or report-only (report-only is enforcement-to-be).
    pub fn is_active(self) -> bool {
        self != State::Disabled
    }
}

/// The `$id` of a schema caac ships: where the checked-in file
/// `schemas/<file>` is served from the repository named in Cargo.toml, so
/// editors and validators that fetch by `$id` get the same bytes.
pub fn schema_id(file: &str) -> String {
    crate::schemas::id(file)
}

/// The JSON Schema (draft 2020-12) of a policy spec, generated from [`Policy`].
pub fn policy_schema() -> serde_json::Value {
    let mut schema = generate::<Policy>(schemars::generate::SchemaSettings::draft2020_12());
    schema["$id"] = schema_id("policy.schema.json").into();
    schema
}

/// The same schema in draft-07 form, for editors and SchemaStore: the one
/// schema caac ships outside draft 2020-12, because yaml-language-server
/// supports draft-07 and below (see [`crate::schemas`]).
pub fn policy_schema_draft07() -> serde_json::Value {
    let mut schema = generate::<Policy>(schemars::generate::SchemaSettings::draft07());
    schema["$id"] = schema_id("policy.draft-07.schema.json").into();
    schema
}

/// Generates a schema and removes the `null` alternatives schemars adds for
/// `Option` fields: an omitted key already means "not set", and a bare `users:`
/// (YAML null) is more likely a mistake than intent, so it gets a clear
/// "expected an object" instead of an opaque `anyOf` failure.
pub(crate) fn generate<T: JsonSchema>(
    settings: schemars::generate::SchemaSettings,
) -> serde_json::Value {
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    strip_null(&mut schema);
    collapse_consts(&mut schema);
    schema
}

/// schemars writes a documented enum as `oneOf: [{const, description}…]`;
/// validators then report "not valid under any of the schemas" instead of the
/// allowed values. Collapse it to one `enum` (descriptions joined) so a typo
/// gets a did-you-mean.
fn collapse_consts(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let consts: Option<Vec<(Value, String)>> =
                map.get("oneOf").and_then(Value::as_array).and_then(|alts| {
                    alts.iter()
                        .map(|a| {
                            let c = a.get("const")?.clone();
                            let d = a
                                .get("description")
                                .and_then(Value::as_str)
                                .unwrap_or_default();
                            Some((
                                c.clone(),
                                format!("`{}`: {d}", c.as_str().unwrap_or_default()),
                            ))
                        })
                        .collect()
                });
            if let Some(consts) = consts {
                map.remove("oneOf");
                map.insert("type".into(), "string".into());
                let docs: Vec<String> = consts.iter().map(|(_, d)| d.clone()).collect();
                map.insert(
                    "enum".into(),
                    Value::Array(consts.into_iter().map(|(c, _)| c).collect()),
                );
                let desc = map
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let joined = docs.join(" ");
                map.insert(
                    "description".into(),
                    desc.map_or(joined.clone(), |d| format!("{d} {joined}"))
                        .into(),
                );
            }
            for val in map.values_mut() {
                collapse_consts(val);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(collapse_consts),
        _ => {}
    }
}

fn strip_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            let any_of_without_null = map.get("anyOf").and_then(Value::as_array).and_then(|alts| {
                let rest: Vec<&Value> = alts
                    .iter()
                    .filter(|a| a.get("type") != Some(&"null".into()))
                    .collect();
                (rest.len() == 1 && alts.len() == 2).then(|| rest[0].clone())
            });
            if let Some(only) = any_of_without_null {
                map.remove("anyOf");
                if let Value::Object(inner) = only {
                    for (k, val) in inner {
                        map.entry(k).or_insert(val);
                    }
                }
            }
            for val in map.values_mut() {
                strip_null(val);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The `readOnly` properties of `conditionalAccessPolicy` in a checked-in
    /// Graph schema.
    fn read_only_in(schema: &str) -> BTreeSet<String> {
        let v: serde_json::Value = serde_json::from_str(schema).expect("valid JSON");
        v["$defs"]["microsoft.graph.conditionalAccessPolicy"]["properties"]
            .as_object()
            .expect("conditionalAccessPolicy is defined")
            .iter()
            .filter(|(_, p)| p["readOnly"] == serde_json::Value::Bool(true))
            .map(|(k, _)| k.clone())
            .collect()
    }

    #[test]
    fn read_only_is_the_graph_metadata_read_only_set() {
        let v1 = read_only_in(include_str!(
            "../../schemas/graph/conditionalAccessPolicy.v1.0.schema.json"
        ));
        let beta = read_only_in(include_str!(
            "../../schemas/graph/conditionalAccessPolicy.beta.schema.json"
        ));
        let ours: BTreeSet<String> = super::READ_ONLY.iter().map(|k| (*k).to_owned()).collect();
        assert_eq!(ours.len(), super::READ_ONLY.len(), "no duplicates");
        // beta is a superset of v1.0; caac sends to either, so the list is
        // the union.
        assert!(v1.is_subset(&beta), "{v1:?} ⊄ {beta:?}");
        let union: BTreeSet<String> = v1.union(&beta).cloned().collect();
        assert_eq!(ours, union);
    }
}
