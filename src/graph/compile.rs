//! Compile: a resolved policy → the exact Microsoft Graph request body for
//! `POST /identity/conditionalAccess/policies`.
//!
//! Contract: input is a policy whose references are already ids
//! ([`crate::resolve`]); output is deterministic JSON (keys in Graph's
//! documented order) with no read-only or null properties, flags enums joined
//! into one comma-separated string, and the API version: `v1.0` unless a
//! property is documented only in beta. Shapes follow
//! <https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy>;
//! the quirks are noted where they are encoded.

use crate::diag::{Code, Diagnostic};
use crate::model::*;
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

/// Graph's own shape of the resource, derived from Microsoft's CSDL metadata
/// by `tools/gen_graph_schema.py` (see `schemas/graph/README.md`).
static GRAPH_V1: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    graph_validator(include_str!(
        "../../schemas/graph/conditionalAccessPolicy.v1.0.schema.json"
    ))
});
static GRAPH_BETA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    graph_validator(include_str!(
        "../../schemas/graph/conditionalAccessPolicy.beta.schema.json"
    ))
});

fn graph_validator(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("embedded Graph schema is not JSON: {e}"));
    jsonschema::options()
        .build(&schema)
        .unwrap_or_else(|e| panic!("embedded Graph schema does not compile: {e}"))
}

/// Checks a compiled body against Graph's metadata for its API version.
/// A failure inside pass-through JSON points at the pass-through key; any other
/// failure is a caac bug and says so.
pub fn check_against_graph(
    c: &Compiled,
    passthrough: Option<&Map<String, Value>>,
) -> Vec<Diagnostic> {
    let validator = match c.api_version {
        ApiVersion::V1 => &*GRAPH_V1,
        ApiVersion::Beta => &*GRAPH_BETA,
    };
    validator
        .iter_errors(&c.body)
        .map(|e| {
            let mut path = e.instance_path().as_str().to_owned();
            // An unexpected property is the problem, not the object holding it.
            if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } = e.kind()
                && let Some(k) = unexpected.first()
            {
                path = format!("{path}/{}", crate::load::escape_segment(k));
            }
            let in_passthrough = passthrough.is_some_and(|p| from_passthrough(p, &path));
            let message = format!("Graph {} metadata rejects `{path}`: {e}", c.api_version.as_str());
            if in_passthrough {
                Diagnostic::error(Code::GraphSchema, message)
                    .at_key(format!("/passthrough{path}"))
                    .with_help("fix the pass-through JSON to match Graph's conditionalAccessPolicy (schemas/graph/)")
            } else {
                Diagnostic::error(Code::Internal, message).with_help("this is a caac bug; please report it with the policy file")
            }
        })
        .collect()
}

/// True when the value at `path` in the body came from pass-through JSON:
/// walking the path through the pass-through map never falls off it.
fn from_passthrough(passthrough: &Map<String, Value>, path: &str) -> bool {
    let mut cur = passthrough;
    for seg in path.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        match cur.get(&seg) {
            Some(Value::Object(inner)) => cur = inner,
            Some(_) => return true,
            None => return false,
        }
    }
    true
}

/// The Graph API version a body is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum ApiVersion {
    /// `https://graph.microsoft.com/v1.0`
    #[serde(rename = "v1.0")]
    V1,
    /// `https://graph.microsoft.com/beta`
    #[serde(rename = "beta")]
    Beta,
}

impl ApiVersion {
    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// A compiled policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// The request body.
    pub body: Value,
    /// `v1.0`, or `beta` when [`Self::beta_reasons`] is not empty.
    pub api_version: ApiVersion,
    /// Why beta was chosen (one entry per beta-only property used).
    pub beta_reasons: Vec<String>,
    /// Problems found while compiling (pass-through collisions and notes).
    pub diagnostics: Vec<Diagnostic>,
}

/// Compiles a resolved policy.
///
/// Every model struct is destructured here and in the helpers below with each
/// field named and no `..`: a property added to the model fails to compile
/// until the compiler decides how Graph receives it.
pub fn compile(policy: &Policy) -> Compiled {
    let Policy {
        display_name,
        description,
        // The live policy's id addresses the PATCH URL; a body never carries
        // it (read-only, see `READ_ONLY`).
        id: _,
        state,
        // The condition set is compiled by `conditions`, which names these.
        users: _,
        client_applications: _,
        applications: _,
        client_app_types: _,
        platforms: _,
        locations: _,
        devices: _,
        sign_in_risk_levels: _,
        user_risk_levels: _,
        service_principal_risk_levels: _,
        insider_risk_levels: _,
        agent_id_risk_levels: _,
        authentication_flows: _,
        grant,
        session: session_controls,
        // caac metadata, never sent: the rollout stage has already decided
        // `state` (`crate::rollout`), and exclusion notes are governance only.
        rollout: _,
        exclusions: _,
        passthrough,
    } = policy;
    let mut beta = Vec::new();
    let mut body = Map::new();
    body.insert("displayName".into(), display_name.clone().into());
    if let Some(d) = description {
        body.insert("description".into(), d.clone().into());
    }
    body.insert("state".into(), state.graph().into());
    body.insert(
        "conditions".into(),
        Value::Object(conditions(policy, &mut beta)),
    );
    if let Some(g) = grant {
        body.insert("grantControls".into(), self::grant(g, &mut beta));
    }
    if let Some(s) = session_controls
        .as_ref()
        .map(|s| session(s, &mut beta))
        .filter(|s| !s.is_empty())
    {
        body.insert("sessionControls".into(), Value::Object(s));
    }
    let mut diagnostics = Vec::new();
    if let Some(extra) = passthrough {
        beta.push("passthrough properties (not modelled by caac; assumed beta)".into());
        merge(
            &mut body,
            &strip_annotations(extra),
            "/passthrough",
            &mut diagnostics,
        );
    }
    let api_version = if beta.is_empty() {
        ApiVersion::V1
    } else {
        ApiVersion::Beta
    };
    Compiled {
        body: Value::Object(body),
        api_version,
        beta_reasons: beta,
        diagnostics,
    }
}

/// A Graph string collection, each entry once (the first spelling wins; ids
/// compare case-insensitively, as GUIDs do). A duplicate in the spec is
/// reported by [`crate::validity::duplicates`]; the body never carries it.
fn strings(values: &[String]) -> Value {
    // A set, not a scan of the entries before: a list may hold 100,000 ids
    // (tests/cli/hostile.rs), and a quadratic scan of it takes minutes.
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    let out = values
        .iter()
        .filter(|v| seen.insert(v.to_ascii_lowercase()))
        .map(|v| Value::String(v.clone()))
        .collect();
    Value::Array(out)
}

/// An enum collection on the wire, each member once, in spec order.
fn wire<T: Copy>(values: &[T], f: fn(T) -> &'static str) -> Value {
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    let out = values
        .iter()
        .map(|v| f(*v))
        .filter(|s| seen.insert(*s))
        .map(|s| Value::String(s.into()))
        .collect();
    Value::Array(out)
}

/// Graph flags enums travel as ONE comma-joined string (`"minor,elevated"`),
/// not an array (graph-ca-schema.md §2 notation). Members are emitted in
/// declaration order, deduplicated, so output does not depend on input order.
fn flags<T: Copy + Ord>(values: &[T], f: fn(T) -> &'static str) -> Value {
    let mut v = values.to_vec();
    v.sort();
    v.dedup();
    Value::String(v.into_iter().map(f).collect::<Vec<_>>().join(","))
}

fn put_list(map: &mut Map<String, Value>, key: &str, values: &[String]) {
    if !values.is_empty() {
        map.insert(key.into(), strings(values));
    }
}

/// `conditions` (Graph `conditionalAccessConditionSet`,
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset>).
fn conditions(p: &Policy, beta: &mut Vec<String>) -> Map<String, Value> {
    let Policy {
        // Not conditions: compiled by `compile`.
        display_name: _,
        description: _,
        id: _,
        state: _,
        grant: _,
        session: _,
        rollout: _,
        exclusions: _,
        passthrough: _,
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
    } = p;
    let mut c = Map::new();
    // Users: a workload-identity-only policy still needs `users`; Graph's own
    // samples send includeUsers ["None"] (learn.microsoft.com/entra/identity/conditional-access/workload-identity).
    match users {
        Some(u) => {
            let m = self::users(u, beta);
            if !m.is_empty() {
                c.insert("users".into(), Value::Object(m));
            }
        }
        None if client_applications.is_some() => {
            c.insert("users".into(), json!({"includeUsers": ["None"]}));
        }
        None => {}
    }
    // `applications` is required; with user actions or authentication contexts
    // Graph wants `includeApplications: []` (graph-ca-schema.md §5.1.4).
    let Applications {
        include,
        exclude,
        user_actions,
        authentication_contexts,
        filter: app_filter,
    } = applications.clone().unwrap_or_default();
    let mut a = Map::new();
    a.insert("includeApplications".into(), strings(&include));
    put_list(&mut a, "excludeApplications", &exclude);
    put_list(&mut a, "includeUserActions", &user_actions);
    put_list(
        &mut a,
        "includeAuthenticationContextClassReferences",
        &authentication_contexts,
    );
    if let Some(f) = &app_filter {
        a.insert("applicationFilter".into(), filter(f));
    }
    if include.iter().any(|v| v == "AllAgentIdResources")
        || exclude.iter().any(|v| v == "AllAgentIdResources")
    {
        beta.push("applications: AllAgentIdResources".into());
    }
    c.insert("applications".into(), Value::Object(a));
    if let Some(ClientApplications {
        include,
        exclude,
        filter: sp_filter,
        agent_ids,
    }) = client_applications
    {
        let mut m = Map::new();
        put_list(&mut m, "includeServicePrincipals", include);
        put_list(&mut m, "excludeServicePrincipals", exclude);
        if let Some(f) = sp_filter {
            m.insert("servicePrincipalFilter".into(), filter(f));
        }
        if let Some(AgentIds {
            include,
            exclude,
            filter: agent_filter,
        }) = agent_ids
        {
            beta.push("clientApplications.agentIds".into());
            put_list(&mut m, "includeAgentIdServicePrincipals", include);
            put_list(&mut m, "excludeAgentIdServicePrincipals", exclude);
            if let Some(f) = agent_filter {
                m.insert("agentIdServicePrincipalFilter".into(), filter(f));
            }
        }
        // An empty block is "not set": Graph would store nothing for it.
        if !m.is_empty() {
            c.insert("clientApplications".into(), Value::Object(m));
        }
    }
    // Omitted client app types mean "all"; sending it explicitly matches what
    // Graph stores and keeps plan diffs quiet.
    let cat = if client_app_types.is_empty() {
        json!(["all"])
    } else {
        wire(client_app_types, ClientAppType::as_str)
    };
    c.insert("clientAppTypes".into(), cat);
    if let Some(Platforms { include, exclude }) = platforms {
        let mut m = Map::new();
        m.insert("includePlatforms".into(), wire(include, Platform::as_str));
        if !exclude.is_empty() {
            m.insert("excludePlatforms".into(), wire(exclude, Platform::as_str));
        }
        c.insert("platforms".into(), Value::Object(m));
    }
    if let Some(Locations { include, exclude }) = locations {
        let mut m = Map::new();
        m.insert("includeLocations".into(), strings(include));
        put_list(&mut m, "excludeLocations", exclude);
        c.insert("locations".into(), Value::Object(m));
    }
    if let Some(Devices {
        filter: Some(device_filter),
    }) = devices
    {
        c.insert(
            "devices".into(),
            json!({"deviceFilter": filter(device_filter)}),
        );
    }
    if !sign_in_risk_levels.is_empty() {
        c.insert(
            "signInRiskLevels".into(),
            wire(sign_in_risk_levels, RiskLevel::as_str),
        );
    }
    if !user_risk_levels.is_empty() {
        c.insert(
            "userRiskLevels".into(),
            wire(user_risk_levels, RiskLevel::as_str),
        );
    }
    if !service_principal_risk_levels.is_empty() {
        c.insert(
            "servicePrincipalRiskLevels".into(),
            wire(
                service_principal_risk_levels,
                ServicePrincipalRiskLevel::as_str,
            ),
        );
    }
    if !insider_risk_levels.is_empty() {
        c.insert(
            "insiderRiskLevels".into(),
            flags(insider_risk_levels, InsiderRiskLevel::as_str),
        );
    }
    if !agent_id_risk_levels.is_empty() {
        beta.push("agentIdRiskLevels".into());
        c.insert(
            "agentIdRiskLevels".into(),
            flags(agent_id_risk_levels, AgentIdRiskLevel::as_str),
        );
    }
    if !authentication_flows.is_empty() {
        c.insert(
            "authenticationFlows".into(),
            json!({"transferMethods": flags(authentication_flows, TransferMethod::as_str)}),
        );
    }
    c
}

/// `conditions.users` (Graph `conditionalAccessUsers`,
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccessusers>).
fn users(u: &Users, beta: &mut Vec<String>) -> Map<String, Value> {
    let Users { include, exclude } = u;
    let mut m = Map::new();
    for (cap, set) in [("include", include), ("exclude", exclude)] {
        let Some(UserSet {
            users,
            groups,
            roles,
            guests_or_external_users,
        }) = set
        else {
            continue;
        };
        put_list(&mut m, &format!("{cap}Users"), users);
        put_list(&mut m, &format!("{cap}Groups"), groups);
        put_list(&mut m, &format!("{cap}Roles"), roles);
        if users.iter().any(|v| v == "AllAgentIdUsers") {
            beta.push("users: AllAgentIdUsers".into());
        }
        if let Some(GuestsOrExternalUsers { types, tenants }) = guests_or_external_users {
            let mut gm = Map::new();
            gm.insert(
                "guestOrExternalUserTypes".into(),
                flags(types, GuestOrExternalUserType::as_str),
            );
            if !tenants.is_empty() {
                // externalTenants is abstract: Graph needs the @odata.type of the
                // concrete subtype (graph-ca-schema.md §2.3.1).
                let t = if tenants.iter().any(|t| t == "All") {
                    json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"})
                } else {
                    json!({
                        "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                        "membershipKind": "enumerated",
                        "members": strings(tenants),
                    })
                };
                gm.insert("externalTenants".into(), t);
            }
            m.insert(format!("{cap}GuestsOrExternalUsers"), Value::Object(gm));
        }
    }
    m
}

fn filter(f: &Filter) -> Value {
    let Filter { mode, rule } = f;
    json!({"mode": mode.as_str(), "rule": rule})
}

/// `grantControls` (Graph `conditionalAccessGrantControls`,
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols>).
fn grant(g: &Grant, beta: &mut Vec<String>) -> Value {
    let Grant {
        operator,
        built_in_controls,
        authentication_strength,
        terms_of_use,
        custom_authentication_factors,
    } = g;
    let mut m = Map::new();
    m.insert("operator".into(), operator.as_str().into());
    if !built_in_controls.is_empty() {
        m.insert(
            "builtInControls".into(),
            wire(built_in_controls, BuiltInControl::as_str),
        );
    }
    if built_in_controls.contains(&BuiltInControl::VerifiedId) {
        beta.push("grant control verifiedID".into());
    }
    put_list(
        &mut m,
        "customAuthenticationFactors",
        custom_authentication_factors,
    );
    put_list(&mut m, "termsOfUse", terms_of_use);
    if let Some(id) = authentication_strength {
        m.insert("authenticationStrength".into(), json!({"id": id}));
    }
    Value::Object(m)
}

/// `sessionControls` (Graph `conditionalAccessSessionControls`,
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols>).
fn session(s: &Session, beta: &mut Vec<String>) -> Map<String, Value> {
    let Session {
        token_protection,
        sign_in_frequency,
        persistent_browser,
        application_enforced_restrictions,
        cloud_app_security,
        continuous_access_evaluation,
        disable_resilience_defaults,
        global_secure_access_filtering_profile,
    } = s;
    let mut m = Map::new();
    if *application_enforced_restrictions {
        m.insert(
            "applicationEnforcedRestrictions".into(),
            json!({"isEnabled": true}),
        );
    }
    if let Some(t) = cloud_app_security {
        m.insert(
            "cloudAppSecurity".into(),
            json!({"isEnabled": true, "cloudAppSecurityType": t.as_str()}),
        );
    }
    if let Some(SignInFrequency {
        value,
        kind,
        authentication_type,
        frequency_interval,
    }) = sign_in_frequency
    {
        let interval = frequency_interval.unwrap_or(SignInFrequencyInterval::TimeBased);
        let mut sif = Map::new();
        sif.insert("isEnabled".into(), true.into());
        if let Some(v) = value {
            sif.insert("value".into(), (*v).into());
        }
        if let Some(t) = kind {
            sif.insert("type".into(), t.as_str().into());
        }
        let auth = authentication_type
            .unwrap_or(SignInFrequencyAuthenticationType::PrimaryAndSecondaryAuthentication);
        sif.insert("authenticationType".into(), auth.as_str().into());
        sif.insert("frequencyInterval".into(), interval.as_str().into());
        if interval == SignInFrequencyInterval::EveryTime {
            // v1.0 once rejected everyTime with "use beta" (msgraph-metadata#647).
            beta.push("signInFrequency everyTime".into());
        }
        m.insert("signInFrequency".into(), Value::Object(sif));
    }
    if let Some(mode) = persistent_browser {
        m.insert(
            "persistentBrowser".into(),
            json!({"isEnabled": true, "mode": mode.as_str()}),
        );
    }
    if let Some(mode) = continuous_access_evaluation {
        beta.push("sessionControls.continuousAccessEvaluation".into());
        m.insert(
            "continuousAccessEvaluation".into(),
            json!({"mode": mode.as_str()}),
        );
    }
    if *disable_resilience_defaults {
        m.insert("disableResilienceDefaults".into(), true.into());
    }
    if *token_protection {
        // Token protection is `secureSignInSession`. It entered the v1.0 metadata
        // in 2025-07 but Microsoft documents it only in beta
        // (learn.microsoft.com/graph/api/resources/securesigninsessioncontrol?view=graph-rest-beta),
        // so caac writes it through beta until v1.0 is documented.
        beta.push(
            "sessionControls.secureSignInSession (token protection is documented in beta only)"
                .into(),
        );
        m.insert("secureSignInSession".into(), json!({"isEnabled": true}));
    }
    if let Some(id) = global_secure_access_filtering_profile {
        beta.push("sessionControls.globalSecureAccessFilteringProfile".into());
        m.insert(
            "globalSecureAccessFilteringProfile".into(),
            json!({"isEnabled": true, "profileId": id}),
        );
    }
    m
}

/// Pass-through JSON as it may be sent: OData annotations (`@odata.context`,
/// `@odata.type`, `includeUsers@odata.type`, …) are response metadata, and a
/// `null` means "not set" (as everywhere else in a spec), so both are
/// dropped, recursively; an object left empty by that goes too. An object
/// written empty (`{}`) stays: it was meant.
fn strip_annotations(map: &Map<String, Value>) -> Map<String, Value> {
    fn clean(v: &Value) -> Option<Value> {
        match v {
            Value::Null => None,
            Value::Object(m) => {
                let out = strip_annotations(m);
                (m.is_empty() || !out.is_empty()).then_some(Value::Object(out))
            }
            Value::Array(items) => Some(Value::Array(items.iter().filter_map(clean).collect())),
            other => Some(other.clone()),
        }
    }
    map.iter()
        .filter(|(k, _)| !k.contains("@odata."))
        .filter_map(|(k, v)| clean(v).map(|v| (k.clone(), v)))
        .collect()
}

/// Deep-merges pass-through JSON into the body. Only new keys are added:
/// overriding a property caac models would bypass every check, so a collision
/// is an error, and read-only properties are refused.
fn merge(
    into: &mut Map<String, Value>,
    extra: &Map<String, Value>,
    at: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for (k, v) in extra {
        let pointer = format!("{at}/{}", crate::load::escape_segment(k));
        if at == "/passthrough" && crate::model::READ_ONLY.contains(&k.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::PassthroughConflict,
                    format!("`{k}` is read-only in Graph and cannot be sent"),
                )
                .at_key(pointer)
                .with_help("remove it; `id` of a live policy goes in the top-level `id:`"),
            );
            continue;
        }
        match (into.get_mut(k), v) {
            (None, _) => {
                into.insert(k.clone(), v.clone());
                diags.push(
                    Diagnostic::warning(
                        Code::Passthrough,
                        format!(
                            "`{}` is sent to Graph as written; caac does not check it",
                            pointer.trim_start_matches("/passthrough/")
                        ),
                    )
                    .at_key(pointer),
                );
            }
            (Some(Value::Object(inner)), Value::Object(extra_inner)) => {
                merge(inner, extra_inner, &pointer, diags);
            }
            (Some(_), _) => diags.push(
                Diagnostic::error(
                    Code::PassthroughConflict,
                    format!("pass-through `{k}` collides with a property caac sets"),
                )
                .at_key(pointer)
                .with_help("set it with the spec's own key instead of `passthrough:`"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_joined_sorted_and_deduplicated() {
        let v = flags(
            &[
                InsiderRiskLevel::Elevated,
                InsiderRiskLevel::Minor,
                InsiderRiskLevel::Elevated,
            ],
            InsiderRiskLevel::as_str,
        );
        assert_eq!(v, "minor,elevated");
    }

    #[test]
    fn minimal_policy_defaults() {
        let p = Policy {
            display_name: "x".into(),
            ..Policy::default()
        };
        let c = compile(&p);
        assert_eq!(c.api_version, ApiVersion::V1);
        assert_eq!(c.body["state"], "enabledForReportingButNotEnforced");
        assert_eq!(c.body["conditions"]["clientAppTypes"], json!(["all"]));
        assert!(c.body.get("sessionControls").is_none());
    }

    #[test]
    fn passthrough_adds_and_refuses_collisions() {
        let mut p = Policy {
            display_name: "x".into(),
            ..Policy::default()
        };
        p.passthrough = serde_json::from_value(json!({"conditions": {"agents": {"includeAgentUsers": ["All"]}, "clientAppTypes": ["browser"]}, "id": "x"})).unwrap();
        let c = compile(&p);
        assert_eq!(
            c.body["conditions"]["agents"]["includeAgentUsers"][0],
            "All"
        );
        assert_eq!(c.body["conditions"]["clientAppTypes"], json!(["all"]));
        let codes: Vec<_> = c.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                "passthrough",
                "passthrough-conflict",
                "passthrough-conflict"
            ]
        );
        assert_eq!(c.api_version, ApiVersion::Beta);
    }

    #[test]
    fn passthrough_loses_odata_annotations_and_nulls() {
        let mut p = Policy {
            display_name: "x".into(),
            ..Policy::default()
        };
        p.passthrough = serde_json::from_value(json!({
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
            "conditions": {"agents": {"@odata.type": "#microsoft.graph.x",
                "includeAgentUsers@odata.type": "#Collection(String)",
                "includeAgentUsers": ["All"], "excludeAgentUsers": null}},
            "partnerTenant": null,
            "allNull": {"a": null},
            "written": {}
        }))
        .unwrap();
        let c = compile(&p);
        assert_eq!(
            c.body["conditions"]["agents"],
            json!({"includeAgentUsers": ["All"]})
        );
        let body = c.body.as_object().unwrap();
        for gone in ["@odata.context", "partnerTenant", "allNull"] {
            assert!(!body.contains_key(gone), "{gone} was sent");
        }
        assert_eq!(body["written"], json!({}));
        assert!(
            !c.body
                .to_string()
                .contains("@odata.type\":\"#microsoft.graph.x")
        );
    }

    #[test]
    fn lists_are_sent_without_duplicates() {
        let p: Policy = serde_json::from_value(json!({
            "displayName": "x",
            "users": {"include": {"groups": ["aa", "AA", "bb", "aa"]}},
            "applications": {"include": ["All"]},
            "clientAppTypes": ["browser", "browser"],
            "grant": {"builtInControls": ["mfa", "mfa"]}
        }))
        .unwrap();
        let c = compile(&p);
        assert_eq!(
            c.body["conditions"]["users"]["includeGroups"],
            json!(["aa", "bb"])
        );
        assert_eq!(c.body["conditions"]["clientAppTypes"], json!(["browser"]));
        assert_eq!(c.body["grantControls"]["builtInControls"], json!(["mfa"]));
    }
}
