//! The small commands about caac itself: `caac rules` (the rule and
//! Graph-constraint catalogue), `caac explain RULE` (one rule's
//! documentation), `caac schema` (the JSON Schemas) and `caac completions`.
//! Each prints to stdout; exit 2 for an unknown rule or an unwritable stdout.

use super::{ExitStatus, INPUT_ERROR, print_stdout};
use crate::cli::{Cli, RulesFormat, SchemaKind};
use crate::emit::pretty;
use crate::lint;
use crate::model;

/// `caac rules`: the lint rules, then the Graph-validity constraints, as
/// aligned lines or (`-f json`) versioned JSON.
pub(crate) fn rules(format: RulesFormat) -> ExitStatus {
    let category = |r: &lint::Rule| {
        serde_json::to_value(r.category())
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    // (id, name, severity, category, summary, kind)
    let rows: Vec<[String; 6]> = lint::rules::RULES
        .iter()
        .map(|r| {
            [
                r.id.to_owned(),
                r.name.to_owned(),
                r.severity.as_str().to_owned(),
                category(r),
                r.summary.to_owned(),
                "lint".to_owned(),
            ]
        })
        .chain(crate::validity::all().map(|c| {
            [
                c.id.to_owned(),
                c.name.to_owned(),
                "error".to_owned(),
                "graph-validity".to_owned(),
                c.summary.to_owned(),
                "graph-validity".to_owned(),
            ]
        }))
        .collect();
    let text = match format {
        RulesFormat::Human => rows
            .iter()
            .map(|[id, name, sev, cat, summary, _]| {
                format!("{id} {name:<42} {sev:<8} {cat:<20} {summary}\n")
            })
            .collect(),
        RulesFormat::Json => pretty(&serde_json::json!({
            "version": 1,
            "rules": rows
                .iter()
                .map(|[id, name, sev, cat, summary, kind]| serde_json::json!({
                    "id": id,
                    "name": name,
                    "severity": sev,
                    "category": cat,
                    "summary": summary,
                    "kind": kind,
                }))
                .collect::<Vec<_>>(),
        })),
    };
    print_stdout(&text)
}

/// `caac completions SHELL`.
pub(crate) fn completions(shell: clap_complete::Shell) -> ExitStatus {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "caac", &mut buf);
    print_stdout(&String::from_utf8_lossy(&buf))
}

/// `caac schema [KIND]`.
pub(crate) fn schema(kind: SchemaKind) -> ExitStatus {
    let embedded = |file: &str| {
        crate::schemas::SHIPPED
            .iter()
            .find(|s| s.file == file)
            .map_or("", |s| s.text)
    };
    let schema = match kind {
        SchemaKind::GraphV1 => {
            return print_stdout(embedded("graph/conditionalAccessPolicy.v1.0.schema.json"));
        }
        SchemaKind::GraphBeta => {
            return print_stdout(embedded("graph/conditionalAccessPolicy.beta.schema.json"));
        }
        SchemaKind::Policy => model::policy_schema(),
        SchemaKind::PolicyDraft07 => model::policy_schema_draft07(),
        SchemaKind::Tenant => model::tenant_schema(),
        SchemaKind::Config => lint::config::config_schema(),
        SchemaKind::Scenario => crate::scenario::scenario_file_schema(),
        SchemaKind::Location => crate::objects::location_schema(),
        SchemaKind::Strength => crate::objects::strength_schema(),
    };
    print_stdout(&pretty(&schema))
}

/// `caac explain RULE`.
pub(crate) fn explain(rule: &str) -> ExitStatus {
    match lint::find(rule) {
        Some(r) => print_stdout(&format!(
            "# {} `{}`\n\nDefault severity: {}. {}\n\n{}",
            r.id,
            r.name,
            r.severity.as_str(),
            r.summary,
            r.docs
        )),
        None => match crate::validity::find(rule) {
            Some(c) => print_stdout(&format!(
                "# {} `{}`\n\nGraph validity: always an error; it cannot be switched off or suppressed. {}\n\n{}",
                c.id, c.name, c.summary, c.docs
            )),
            None => {
                eprintln!("error: no rule `{rule}`; `caac rules` lists them");
                INPUT_ERROR
            }
        },
    }
}
