//! JSON output, version 1 (frozen: fields are only ever added). Its own
//! structs, never internal types, so refactoring cannot change the format
//! (zizmor's lesson). Sorted by file, line, column, rule.

use super::FileReport;
use serde::Serialize;

/// The document.
#[derive(Debug, Serialize)]
pub struct Output<'a> {
    /// Format version.
    pub version: u32,
    /// Every finding.
    pub diagnostics: Vec<Item<'a>>,
    /// Rules that did not run and why.
    pub skipped: Vec<Skipped<'a>>,
}

/// One finding.
#[derive(Debug, Serialize)]
pub struct Item<'a> {
    /// Rule id or loader code.
    pub rule: &'a str,
    /// Rule name (kebab-case), when a rule raised it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// `error`, `warning` or `info`.
    pub severity: &'a str,
    /// What is wrong.
    pub message: &'a str,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    /// The file as given.
    pub file: &'a str,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column (Unicode scalar values), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// JSON pointer into the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<&'a str>,
    /// The policy's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<&'a str>,
}

/// A rule that did not run.
#[derive(Debug, Serialize)]
pub struct Skipped<'a> {
    /// Rule id.
    pub rule: &'a str,
    /// Why.
    pub reason: &'a str,
}

/// Renders the reports as pretty JSON with a trailing newline.
pub fn json(files: &[FileReport], skipped: &[(&'static str, &'static str)]) -> String {
    let mut diagnostics = Vec::new();
    for f in files {
        for d in &f.diagnostics {
            let place = f.place(d);
            diagnostics.push(Item {
                rule: d.code,
                name: d.name,
                severity: d.severity.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
                file: &f.path,
                line: place.as_ref().map(|p| p.position.line),
                column: place.as_ref().map(|p| p.position.column),
                pointer: match &d.location {
                    crate::diag::Location::Pointer { pointer, .. } if !pointer.is_empty() => {
                        Some(pointer.as_str())
                    }
                    _ => None,
                },
                policy: d.policy.as_deref(),
            });
        }
    }
    diagnostics.sort_by(|a, b| {
        (a.file, a.line, a.column, a.rule).cmp(&(b.file, b.line, b.column, b.rule))
    });
    let skipped = skipped
        .iter()
        .map(|(rule, reason)| Skipped { rule, reason })
        .collect();
    let mut s = serde_json::to_string_pretty(&Output {
        version: 1,
        diagnostics,
        skipped,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}
