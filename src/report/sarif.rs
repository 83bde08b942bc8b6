//! SARIF 2.1.0 for code scanning (GitHub and others). Minimal hand-written
//! model of what caac emits (cargo-deny, ruff and zizmor do the same);
//! `tests/fixtures/sarif-2.1.0.json` validates it. Columns are Unicode code
//! points (`columnKind`), URIs are the paths as given (repository-relative in CI).

use super::FileReport;
use crate::diag::Severity;
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Renders a SARIF log with one run.
pub fn sarif(files: &[FileReport]) -> String {
    let rules: Vec<Value> = crate::lint::rules::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.fix, "markdown": r.docs},
                "helpUri": r.help_uri(),
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"category": r.category()},
            })
        })
        .collect();
    let mut results = Vec::new();
    for f in files {
        for d in &f.diagnostics {
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str(" Fix: ");
                message.push_str(h);
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": {"text": message},
            });
            if let Some(i) = crate::lint::rules::RULES
                .iter()
                .position(|r| r.id == d.code)
            {
                result["ruleIndex"] = i.into();
            }
            let mut physical = json!({"artifactLocation": {"uri": f.path.replace('\\', "/")}});
            if let Some(p) = f.place(d) {
                physical["region"] =
                    json!({"startLine": p.position.line, "startColumn": p.position.column});
            }
            // Findings about the whole set have no file; SARIF wants a location
            // anyway, so they carry a logical one.
            if f.path.starts_with('<') {
                result["locations"] =
                    json!([{"logicalLocations": [{"name": f.path, "kind": "module"}]}]);
            } else {
                result["locations"] = json!([{"physicalLocation": physical}]);
            }
            if let Some(policy) = &d.policy {
                result["properties"] = json!({"policy": policy});
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "caac",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": crate::HOMEPAGE,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    crate::app::pretty(&log)
}
