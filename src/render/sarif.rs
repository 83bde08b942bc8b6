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

/// A repository-relative path stays relative (what code scanning wants); an
/// absolute one becomes a `file://` URI, since a bare `/tmp/x` is no URI.
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    if p.starts_with('/') {
        format!("file://{p}")
    } else {
        p
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
        .chain(crate::validity::all().map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "shortDescription": {"text": c.summary},
                "fullDescription": {"text": c.summary},
                "help": {"text": c.fix, "markdown": c.docs},
                "helpUri": c.help_uri(),
                "defaultConfiguration": {"level": "error"},
                "properties": {"category": "graph-validity"},
            })
        }))
        .collect();
    let rule_ids: Vec<&str> = crate::lint::rules::RULES
        .iter()
        .map(|r| r.id)
        .chain(crate::validity::all().map(|c| c.id))
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
            if let Some(i) = rule_ids.iter().position(|id| *id == d.code) {
                result["ruleIndex"] = i.into();
            }
            let mut physical = json!({"artifactLocation": {"uri": uri(&f.path)}});
            if let Some(p) = f.place(d) {
                physical["region"] =
                    json!({"startLine": p.position.line, "startColumn": p.position.column});
            }
            // Findings about the whole set have no file, but code scanning
            // rejects a result without a physical location: anchor them at
            // line 1 of the first input file and say so in the message.
            if f.path.starts_with('<') {
                let Some(anchor) = files.iter().find(|r| !r.path.starts_with('<')) else {
                    continue;
                };
                result["message"]["text"] = format!("{} (policy set) {message}", f.path).into();
                result["locations"] = json!([{
                    "physicalLocation": {"artifactLocation": {"uri": uri(&anchor.path)}, "region": {"startLine": 1}},
                    "logicalLocations": [{"name": f.path, "kind": "module"}],
                }]);
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
    crate::emit::pretty(&log)
}
