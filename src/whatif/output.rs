//! Rendering an [`Outcome`]: Graph-shaped JSON ([`to_json`]) and a table for
//! people ([`human`]).
//!
//! The JSON mirrors the response of Graph's `POST
//! /identity/conditionalAccess/evaluate` (a `value` array of
//! `whatIfAnalysisResult` with `policyApplies` and `analysisReasons`, Graph
//! sending the flags as one comma-joined string,
//! <https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate>) and
//! adds caac's combined decision under `result`:
//!
//! ```json
//! {"value": [{"id": "…", "displayName": "CA410-…", "state": "enabledForReportingButNotEnforced",
//!             "policyApplies": true, "analysisReasons": "notSet"}],
//!  "result": {"access": "grant",
//!             "requirements": [{"policy": "CA003-…", "operator": "OR",
//!                               "builtInControls": ["mfa"], "authenticationStrength": {"id": "…"},
//!                               "termsOfUse": [], "customAuthenticationFactors": []}],
//!             "session": {"secureSignInSession": {"isEnabled": true}},
//!             "reportOnly": ["CA410-…"],
//!             "unknowns": []}}
//! ```
//!
//! When an applying enforced policy blocks because the sign-in cannot satisfy
//! its grant (a legacy client facing MFA, …: see [`super`]), `result` also has
//! `"unsatisfiable": [{"policy", "why", "builtInControls", …}]`, and that policy
//! has no `requirements` entry. When it blocks because the sign-in cannot
//! meet its token protection session control, the entry also has
//! `"secureSignInSession": {"isEnabled": true}` and its grant lists are
//! empty; the table says `blocked by token protection (policy): why`.
//!
//! `session` uses Graph's `sessionControls` shape, the same one `caac build`
//! writes.

use super::{Access, Control, Outcome, Reason, SessionOutcome};
use crate::catalog::{self, Kind};
use crate::model::{SignInFrequencyAuthenticationType, SignInFrequencyInterval};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// Graph's comma-joined `analysisReasons` string.
pub fn reasons_string(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The outcome as Graph-shaped JSON (every policy).
/// What `caac whatif` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/whatif.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The policies and how names resolve.
    pub inputs: crate::load::Inputs,
    /// The request: the body of Graph's `evaluate`.
    pub request: std::path::PathBuf,
    /// The verdict's format.
    pub format: Format,
    /// Where the verdict goes; `None`: stdout.
    pub output: Option<std::path::PathBuf>,
}

/// The verdict's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table of policies and the combined result.
    Human,
    /// Graph's evaluate response plus caac's `result`.
    Json,
}

/// The verdict in `format`; `applied_only`: the request asked for the
/// applied policies only (Graph's `appliedPoliciesOnly`).
pub fn text(outcome: &Outcome, format: Format, applied_only: bool) -> String {
    match format {
        Format::Human => human(outcome),
        Format::Json if applied_only => crate::emit::pretty(&to_json_applied_only(outcome)),
        Format::Json => crate::emit::pretty(&to_json(outcome)),
    }
}

pub fn to_json(outcome: &Outcome) -> Value {
    render(outcome, false)
}

/// As [`to_json`], listing only the policies that apply (Graph's
/// `appliedPoliciesOnly: true`).
pub fn to_json_applied_only(outcome: &Outcome) -> Value {
    render(outcome, true)
}

fn render(outcome: &Outcome, applied_only: bool) -> Value {
    let value: Vec<Value> = outcome
        .policies
        .iter()
        .filter(|p| !applied_only || p.applies)
        .map(|p| {
            let mut m = Map::new();
            if let Some(id) = &p.id {
                m.insert("id".into(), id.clone().into());
            }
            m.insert("displayName".into(), p.name.clone().into());
            m.insert("state".into(), p.state.graph().into());
            m.insert("policyApplies".into(), p.applies.into());
            m.insert("analysisReasons".into(), reasons_string(&p.reasons).into());
            Value::Object(m)
        })
        .collect();
    let requirements: Vec<Value> = outcome
        .requirements
        .iter()
        .map(|r| {
            let mut m = controls_json(&r.controls);
            m.insert("policy".into(), r.policy.clone().into());
            m.insert("operator".into(), r.operator.as_str().into());
            Value::Object(m)
        })
        .collect();
    let mut result = json!({
        "access": outcome.access.as_str(),
        "requirements": requirements,
        "session": session_json(&outcome.session),
        "reportOnly": outcome.report_only,
        "unknowns": outcome.unknowns,
    });
    // Only when a policy blocks this way, so the usual shape is unchanged.
    if !outcome.unsatisfiable.is_empty() {
        result["unsatisfiable"] = outcome
            .unsatisfiable
            .iter()
            .map(|u| {
                let mut m = controls_json(&u.controls);
                if u.token_protection {
                    // Graph's session-control name, as `caac build` writes it.
                    m.insert("secureSignInSession".into(), json!({"isEnabled": true}));
                }
                m.insert("policy".into(), u.policy.clone().into());
                m.insert("why".into(), u.why.into());
                Value::Object(m)
            })
            .collect();
    }
    json!({
        "value": value,
        "result": result,
    })
}

/// Controls in Graph's `grantControls` shape (`builtInControls`,
/// `authenticationStrength`, `termsOfUse`, `customAuthenticationFactors`).
fn controls_json(controls: &[Control]) -> Map<String, Value> {
    let mut built_in = Vec::new();
    let mut terms = Vec::new();
    let mut custom = Vec::new();
    let mut strength = Value::Null;
    for c in controls {
        match c {
            Control::BuiltIn(b) => built_in.push(Value::from(b.as_str())),
            Control::AuthenticationStrength(id) => {
                strength = match catalog::find_by_id(Kind::AuthenticationStrength, id) {
                    Some(e) => json!({"id": id, "displayName": e.name}),
                    None => json!({"id": id}),
                };
            }
            Control::TermsOfUse(id) => terms.push(Value::from(id.as_str())),
            Control::CustomAuthenticationFactor(id) => {
                custom.push(Value::from(id.as_str()));
            }
        }
    }
    let mut m = Map::new();
    m.insert("builtInControls".into(), built_in.into());
    if !strength.is_null() {
        m.insert("authenticationStrength".into(), strength);
    }
    m.insert("termsOfUse".into(), terms.into());
    m.insert("customAuthenticationFactors".into(), custom.into());
    m
}

/// Merged session controls in Graph's `sessionControls` shape.
pub fn session_json(s: &SessionOutcome) -> Value {
    let mut m = Map::new();
    if s.application_enforced_restrictions {
        m.insert(
            "applicationEnforcedRestrictions".into(),
            json!({"isEnabled": true}),
        );
    }
    if let Some(t) = s.cloud_app_security {
        m.insert(
            "cloudAppSecurity".into(),
            json!({"isEnabled": true, "cloudAppSecurityType": t.as_str()}),
        );
    }
    if let Some(f) = &s.sign_in_frequency {
        let mut sif = Map::new();
        sif.insert("isEnabled".into(), true.into());
        if let Some(v) = f.value {
            sif.insert("value".into(), v.into());
        }
        if let Some(t) = f.kind {
            sif.insert("type".into(), t.as_str().into());
        }
        let auth = f
            .authentication_type
            .unwrap_or(SignInFrequencyAuthenticationType::PrimaryAndSecondaryAuthentication);
        sif.insert("authenticationType".into(), auth.as_str().into());
        let interval = f
            .frequency_interval
            .unwrap_or(SignInFrequencyInterval::TimeBased);
        sif.insert("frequencyInterval".into(), interval.as_str().into());
        m.insert("signInFrequency".into(), Value::Object(sif));
    }
    if let Some(mode) = s.persistent_browser {
        m.insert(
            "persistentBrowser".into(),
            json!({"isEnabled": true, "mode": mode.as_str()}),
        );
    }
    if let Some(mode) = s.continuous_access_evaluation {
        m.insert(
            "continuousAccessEvaluation".into(),
            json!({"mode": mode.as_str()}),
        );
    }
    if s.disable_resilience_defaults {
        m.insert("disableResilienceDefaults".into(), true.into());
    }
    if s.token_protection {
        m.insert("secureSignInSession".into(), json!({"isEnabled": true}));
    }
    Value::Object(m)
}

fn control_text(c: &Control) -> String {
    match c {
        Control::BuiltIn(b) => b.as_str().to_owned(),
        Control::AuthenticationStrength(id) => {
            match catalog::find_by_id(Kind::AuthenticationStrength, id) {
                Some(e) => format!("authentication strength \"{}\"", e.name),
                None => format!("authentication strength {id}"),
            }
        }
        Control::TermsOfUse(id) => format!("terms of use {id}"),
        Control::CustomAuthenticationFactor(id) => format!("custom control {id}"),
    }
}

fn session_lines(s: &SessionOutcome) -> Vec<String> {
    let mut out = Vec::new();
    if s.token_protection {
        out.push("token protection for sign-in sessions".to_owned());
    }
    if let Some(f) = &s.sign_in_frequency {
        let text = if f.frequency_interval == Some(SignInFrequencyInterval::EveryTime) {
            "every time".to_owned()
        } else {
            format!(
                "every {} {}",
                f.value.unwrap_or_default(),
                f.kind.map_or("?", |k| k.as_str())
            )
        };
        let secondary = f.authentication_type
            == Some(SignInFrequencyAuthenticationType::SecondaryAuthentication);
        out.push(format!(
            "sign-in frequency {text}{}",
            if secondary {
                " (secondary authentication)"
            } else {
                ""
            }
        ));
    }
    if let Some(m) = s.persistent_browser {
        out.push(format!("persistent browser session {}", m.as_str()));
    }
    if let Some(c) = s.cloud_app_security {
        out.push(format!("Defender for Cloud Apps {}", c.as_str()));
    }
    if s.application_enforced_restrictions {
        out.push("app enforced restrictions".to_owned());
    }
    if let Some(c) = s.continuous_access_evaluation {
        out.push(format!("continuous access evaluation {}", c.as_str()));
    }
    if s.disable_resilience_defaults {
        out.push("resilience defaults disabled".to_owned());
    }
    out
}

fn state_text(state: crate::model::State) -> &'static str {
    match state {
        crate::model::State::Enabled => "enabled",
        crate::model::State::Disabled => "disabled",
        crate::model::State::ReportOnly
        | crate::model::State::EnabledForReportingButNotEnforced => "report-only",
    }
}

/// A readable table: one row per policy, then the decision.
pub fn human(outcome: &Outcome) -> String {
    let rows: Vec<[String; 4]> = outcome
        .policies
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                state_text(p.state).to_owned(),
                if p.applies { "yes" } else { "no" }.to_owned(),
                if p.applies {
                    String::new()
                } else {
                    reasons_string(&p.reasons).replace(',', ", ")
                },
            ]
        })
        .collect();
    let header = ["POLICY", "STATE", "APPLIES", "WHY NOT"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: [&str; 4]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i == 3 {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell}{}  ", " ".repeat(w - cell.chars().count()));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut out, header);
    for row in &rows {
        line(&mut out, [&row[0], &row[1], &row[2], &row[3]]);
    }
    out.push('\n');
    let access = match outcome.access {
        Access::Block => "BLOCK",
        Access::Grant => "GRANT",
        Access::Allow => "ALLOW",
    };
    let _ = writeln!(out, "Access: {access}");
    for r in &outcome.requirements {
        let joiner = match r.operator {
            crate::model::Operator::And => " AND ",
            crate::model::Operator::Or => " OR ",
        };
        let controls: Vec<String> = r.controls.iter().map(control_text).collect();
        let _ = writeln!(out, "  requires {} ({})", controls.join(joiner), r.policy);
    }
    for u in &outcome.unsatisfiable {
        if u.token_protection {
            let _ = writeln!(
                out,
                "  blocked by token protection ({}): {}",
                u.policy, u.why
            );
            continue;
        }
        let controls: Vec<String> = u.controls.iter().map(control_text).collect();
        let _ = writeln!(
            out,
            "  blocked by {}: cannot satisfy {}: {}",
            u.policy,
            controls.join(", "),
            u.why
        );
    }
    let session = session_lines(&outcome.session);
    if !session.is_empty() {
        let _ = writeln!(out, "Session: {}", session.join("; "));
    }
    if !outcome.report_only.is_empty() {
        let _ = writeln!(
            out,
            "Report-only, would apply: {}",
            outcome.report_only.join(", ")
        );
    }
    for u in &outcome.unknowns {
        let _ = writeln!(out, "warning: {u}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        BuiltInControl, Operator, PersistentBrowserMode, SignInFrequency, SignInFrequencyType,
        State,
    };
    use crate::whatif::{PolicyResult, Requirement};

    fn outcome() -> Outcome {
        Outcome {
            policies: vec![
                PolicyResult {
                    name: "CA003-AllUsers-MFA".into(),
                    id: Some("11111111-1111-4111-8111-111111111111".into()),
                    state: State::Enabled,
                    applies: true,
                    reasons: vec![Reason::NotSet],
                },
                PolicyResult {
                    name: "CA410-TokenProtection".into(),
                    id: None,
                    state: State::ReportOnly,
                    applies: false,
                    reasons: vec![Reason::Users, Reason::ClientApps],
                },
            ],
            access: Access::Grant,
            requirements: vec![Requirement {
                policy: "CA003-AllUsers-MFA".into(),
                operator: Operator::Or,
                controls: vec![
                    Control::BuiltIn(BuiltInControl::CompliantDevice),
                    Control::AuthenticationStrength("00000000-0000-0000-0000-000000000004".into()),
                ],
            }],
            session: SessionOutcome {
                token_protection: true,
                sign_in_frequency: Some(SignInFrequency {
                    value: Some(4),
                    kind: Some(SignInFrequencyType::Hours),
                    ..SignInFrequency::default()
                }),
                persistent_browser: Some(PersistentBrowserMode::Never),
                ..SessionOutcome::default()
            },
            report_only: vec![],
            unknowns: vec!["named location `Branch` has no details".into()],
            unsatisfiable: Vec::new(),
        }
    }

    // Response shape of Graph's evaluate: analysisReasons is one
    // comma-joined flags string, `notSet` when the policy applies
    // (https://learn.microsoft.com/graph/api/resources/whatifanalysisresult).
    #[test]
    fn graph_shaped_json() {
        let v = to_json(&outcome());
        assert_eq!(
            v["value"][0],
            json!({"id": "11111111-1111-4111-8111-111111111111", "displayName": "CA003-AllUsers-MFA",
                   "state": "enabled", "policyApplies": true, "analysisReasons": "notSet"})
        );
        assert_eq!(v["value"][1]["analysisReasons"], "users,clientApps");
        assert_eq!(v["value"][1]["state"], "enabledForReportingButNotEnforced");
        assert!(v["value"][1].get("id").is_none());
        assert_eq!(v["result"]["access"], "grant");
        assert_eq!(
            v["result"]["requirements"][0],
            json!({"policy": "CA003-AllUsers-MFA", "operator": "OR", "builtInControls": ["compliantDevice"],
                   "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA"},
                   "termsOfUse": [], "customAuthenticationFactors": []})
        );
        assert_eq!(
            v["result"]["session"],
            json!({"signInFrequency": {"isEnabled": true, "value": 4, "type": "hours",
                                       "authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "timeBased"},
                   "persistentBrowser": {"isEnabled": true, "mode": "never"},
                   "secureSignInSession": {"isEnabled": true}})
        );
        assert_eq!(
            v["result"]["unknowns"][0],
            "named location `Branch` has no details"
        );
        let applied = to_json_applied_only(&outcome());
        assert_eq!(applied["value"].as_array().unwrap().len(), 1);
    }

    // Session page: sign-in frequency is a period "or … reauthentication
    // every time"; every time "requires full reauthentication when the
    // session is evaluated"; Graph writes it as frequencyInterval everyTime
    // with no type/value
    // (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-session,
    // https://learn.microsoft.com/graph/api/resources/signinfrequencysessioncontrol).
    #[test]
    fn every_time_sign_in_frequency_and_persistent_browser() {
        let mut o = outcome();
        o.session = SessionOutcome {
            sign_in_frequency: Some(SignInFrequency {
                frequency_interval: Some(SignInFrequencyInterval::EveryTime),
                ..SignInFrequency::default()
            }),
            persistent_browser: Some(PersistentBrowserMode::Always),
            ..SessionOutcome::default()
        };
        assert_eq!(
            to_json(&o)["result"]["session"],
            json!({"signInFrequency": {"isEnabled": true, "authenticationType": "primaryAndSecondaryAuthentication",
                                       "frequencyInterval": "everyTime"},
                   "persistentBrowser": {"isEnabled": true, "mode": "always"}})
        );
        assert!(
            human(&o).contains(
                "Session: sign-in frequency every time; persistent browser session always\n"
            ),
            "{}",
            human(&o)
        );
    }

    // Token protection that cannot bind blocks ("users are blocked",
    // https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection):
    // JSON lists the policy in `result.unsatisfiable` with the session
    // control and the reason; the table says blocked by token protection.
    #[test]
    fn token_protection_block() {
        let mut o = outcome();
        o.access = Access::Block;
        o.requirements.clear();
        o.unsatisfiable = vec![crate::whatif::Unsatisfiable {
            policy: "CA410-TokenProtection".into(),
            controls: Vec::new(),
            token_protection: true,
            why: "no device state",
        }];
        let v = to_json(&o);
        let u = &v["result"]["unsatisfiable"][0];
        assert_eq!(u["policy"], "CA410-TokenProtection");
        assert_eq!(u["why"], "no device state");
        assert_eq!(u["secureSignInSession"], json!({"isEnabled": true}));
        let text = human(&o);
        assert!(
            text.contains("blocked by token protection (CA410-TokenProtection): no device state"),
            "{text}"
        );
    }

    #[test]
    fn human_table() {
        let text = human(&outcome());
        let expected = "\
POLICY                 STATE        APPLIES  WHY NOT
CA003-AllUsers-MFA     enabled      yes
CA410-TokenProtection  report-only  no       users, clientApps

Access: GRANT
  requires compliantDevice OR authentication strength \"Phishing-resistant MFA\" (CA003-AllUsers-MFA)
Session: token protection for sign-in sessions; sign-in frequency every 4 hours; persistent browser session never
warning: named location `Branch` has no details
";
        assert_eq!(text, expected);
    }
}
