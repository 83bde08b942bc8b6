//! Render: diagnostics → text for people and machines (human, JSON, SARIF,
//! GitHub Actions and Azure Pipelines logging commands).
//!
//! Contract: the only stage that turns a JSON pointer into line:column, via
//! the file's [`SpanMap`]. Output is deterministic: files in input order,
//! diagnostics sorted by position then code.

mod azure;
mod github;
mod human;
mod json;
mod sarif;

pub use azure::{AzureResult, azure};
pub use github::github;
pub use human::human;
pub use json::json;
pub use sarif::sarif;

/// A diagnostics format (`caac lint -f`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Annotated snippets for people.
    Human,
    /// Versioned JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// Azure Pipelines logging commands.
    Azure,
}

use crate::diag::Position;
use crate::diag::{Diagnostic, Location, Severity};
use crate::load::SpanMap;
use std::ops::Range;

/// The diagnostics of one file, with what is needed to position them.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// The decoded text, when the file could be decoded.
    pub text: Option<String>,
    /// The span map, when the file could be parsed.
    pub spans: Option<SpanMap>,
    /// Findings.
    pub diagnostics: Vec<Diagnostic>,
}

/// A diagnostic's concrete place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Where it starts.
    pub position: Position,
    /// Byte range to underline.
    pub range: Range<usize>,
}

impl FileReport {
    /// Where a diagnostic points, if it can be placed.
    pub fn place(&self, d: &Diagnostic) -> Option<Place> {
        let text = self.text.as_deref()?;
        let (position, len) = match &d.location {
            Location::File => return None,
            Location::Position(p) => {
                // Underline the token that starts here.
                let rest = text.get(p.offset..).unwrap_or_default();
                let len = rest
                    .find(|c: char| {
                        c.is_whitespace() || matches!(c, ':' | ',' | ']' | '}' | '[' | '{')
                    })
                    .unwrap_or(rest.len());
                (*p, len)
            }
            Location::Pointer { pointer, key } => {
                let (found, span) = self.spans.as_ref()?.nearest(pointer)?;
                // A key, or a missing child: underline the key that is written.
                if (*key || found != pointer) && span.key.is_some() {
                    let k = span.key.unwrap_or(span.value);
                    let key_len = found
                        .rsplit('/')
                        .next()
                        .map_or(0, |seg| seg.replace("~1", "/").replace("~0", "~").len());
                    (k, key_len)
                } else {
                    (span.value, span.len)
                }
            }
        };
        let start = position.offset.min(text.len());
        let mut end = (start + len.max(1)).min(text.len());
        while end > start && !text.is_char_boundary(end) {
            end += 1;
        }
        // Never underline past the end of the line.
        // (Scan only the range: a whole one-line export per finding is quadratic.)
        end = start + crate::load::line_end(&text[start..end], 0);
        Some(Place {
            position,
            range: start..end,
        })
    }

    /// Sorts diagnostics by position, then code, for deterministic output.
    pub fn sort(&mut self) {
        let mut keyed: Vec<(Option<Position>, Diagnostic)> = std::mem::take(&mut self.diagnostics)
            .into_iter()
            .map(|d| (self.place(&d).map(|p| p.position), d))
            .collect();
        keyed.sort_by(|a, b| (a.0, a.1.code, &a.1.message).cmp(&(b.0, b.1.code, &b.1.message)));
        self.diagnostics = keyed.into_iter().map(|(_, d)| d).collect();
    }
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Counts {
    /// Counts over files.
    pub fn of(files: &[FileReport]) -> Self {
        let mut c = Counts::default();
        for d in files.iter().flat_map(|f| &f.diagnostics) {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}
