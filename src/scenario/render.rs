//! Rendering verdicts: human PASS/FAIL lines, versioned JSON and JUnit XML.

use super::*;
use crate::escape;
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/// One PASS/FAIL line per scenario (a diff under each failure), then the
/// summary line. `failures_only` (`caac test -q`) leaves the PASS lines out;
/// the summary still counts every scenario.
pub(crate) fn human(verdicts: &[Verdict], failures_only: bool) -> String {
    let mut out = String::new();
    for v in verdicts.iter().filter(|v| !(failures_only && v.passed())) {
        let count = if v.sign_ins > 1 {
            format!(", {} sign-ins", v.sign_ins)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{} {} ({}:{}){count}",
            if v.passed() { "PASS" } else { "FAIL" },
            v.name,
            v.file,
            v.line
        );
        for l in v.diff() {
            let _ = writeln!(out, "    {l}");
        }
    }
    let passed = verdicts.iter().filter(|v| v.passed()).count();
    let _ = writeln!(out, "{passed} passed, {} failed", verdicts.len() - passed);
    out
}

pub(crate) fn to_json(verdicts: &[Verdict]) -> Value {
    let passed = verdicts.iter().filter(|v| v.passed()).count();
    let scenarios: Vec<Value> = verdicts
        .iter()
        .map(|v| {
            let mut m = Map::new();
            m.insert("file".into(), v.file.clone().into());
            m.insert("line".into(), v.line.into());
            m.insert("name".into(), v.name.clone().into());
            m.insert("passed".into(), v.passed().into());
            m.insert("signIns".into(), v.sign_ins.into());
            m.insert("failing".into(), v.failing.into());
            if let Some((combo, lines, request)) = &v.first {
                m.insert("signIn".into(), combo.clone().into());
                m.insert("failures".into(), lines.clone().into());
                m.insert("request".into(), request.clone());
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "version": 1,
        "passed": passed,
        "failed": verdicts.len() - passed,
        "scenarios": scenarios,
    })
}

/// JUnit XML: one `<testsuite>` per scenario file (in file order), one
/// `<testcase>` per scenario, a `<failure>` holding the diff. No timings, so
/// the file is byte-stable.
pub(crate) fn junit(verdicts: &[Verdict]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failed = verdicts.iter().filter(|v| !v.passed()).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"caac test\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">",
        verdicts.len()
    );
    let mut files: Vec<&str> = Vec::new();
    for v in verdicts {
        if !files.contains(&v.file.as_str()) {
            files.push(&v.file);
        }
    }
    for file in files {
        let cases: Vec<&Verdict> = verdicts.iter().filter(|v| v.file == file).collect();
        let f = escape::xml(file);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{f}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            cases.len(),
            cases.iter().filter(|v| !v.passed()).count()
        );
        for v in cases {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{f}\" file=\"{f}\" line=\"{}\"",
                escape::xml(&v.name),
                v.line
            );
            if v.passed() {
                let _ = writeln!(out, "{open}/>");
            } else {
                let diff = v.diff();
                // The message is what went wrong; for a sweep, with how often.
                let message = match &v.first {
                    Some((_, lines, _)) if v.sign_ins > 1 => format!(
                        "{} ({} of {} sign-ins fail)",
                        lines.first().map_or("", String::as_str),
                        v.failing,
                        v.sign_ins
                    ),
                    _ => diff.first().cloned().unwrap_or_default(),
                };
                let _ = writeln!(out, "{open}>");
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"caac-scenario\">{}</failure>",
                    escape::xml(&message),
                    escape::xml(&diff.join("\n"))
                );
                let _ = writeln!(out, "    </testcase>");
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}
