//! The scenario file model and its parsing: the serde/schemars types of a
//! scenario file (one scenario or a list under `scenarios:`), their JSON
//! Schema, and the typed, position-carrying check of one scenario.

use crate::diag::{Code, Diagnostic};
use crate::validate::Schema;
use crate::whatif::Access;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};
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
    pub(super) fn access(self) -> Access {
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

/// The JSON Schema (draft 2020-12, like every schema caac ships but the
/// policy schema's draft-07 copy) of a scenario file
/// (`schemas/scenario.schema.json`). caac itself checks each scenario on its
/// own against [`scenario_schema`], so errors stay precise.
pub fn scenario_file_schema() -> Value {
    let mut schema =
        crate::model::generate::<ScenarioFile>(schemars::generate::SchemaSettings::draft2020_12());
    schema["$id"] = crate::model::schema_id("scenario.schema.json").into();
    schema
}

/// The JSON Schema of a single scenario.
pub fn scenario_schema() -> Value {
    crate::model::generate::<Scenario>(schemars::generate::SchemaSettings::draft2020_12())
}

pub(super) static SCENARIO_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::new(scenario_schema()));
/// The list's own shape (`scenarios:` a non-empty list, nothing else); the
/// items are checked one by one against [`SCENARIO_SCHEMA`].
pub(super) static LIST_SHAPE_SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
    Schema::new(json!({
        "type": "object",
        "properties": {"scenarios": {"type": "array", "minItems": 1}},
        "required": ["scenarios"],
        "additionalProperties": false
    }))
});

/// Schema-checks and deserializes one scenario at `base` in its file.
pub(super) fn scenario_typed(value: &Value, base: &str) -> Result<Scenario, Vec<Diagnostic>> {
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
pub(super) fn plain_enum_errors(mut d: Diagnostic) -> Diagnostic {
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
pub(super) const SESSION_KEYS: &[&str] = &[
    "applicationEnforcedRestrictions",
    "cloudAppSecurity",
    "continuousAccessEvaluation",
    "disableResilienceDefaults",
    "persistentBrowser",
    "secureSignInSession",
    "signInFrequency",
];
