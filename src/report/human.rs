//! Human output: rustc-style snippets rendered by annotate-snippets, one per
//! diagnostic, headed `error[CODE name]: message` with `--> file:line:column`
//! and a `help:` line carrying the fix.

use super::FileReport;
use crate::diag::Severity;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use std::fmt::Write;

/// Renders every diagnostic of every file; `color` selects ANSI styling.
pub fn human(files: &[FileReport], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for file in files {
        for d in &file.diagnostics {
            let level = match d.severity {
                Severity::Error => Level::ERROR,
                Severity::Warning => Level::WARNING,
                Severity::Info => Level::INFO,
            };
            let id = match d.name {
                Some(name) => format!("{} {name}", d.code),
                None => d.code.to_owned(),
            };
            let title = level.primary_title(d.message.as_str()).id(id);
            let rendered = match (file.place(d), file.text.as_deref()) {
                (Some(place), Some(text)) => {
                    let snippet = Snippet::source(text)
                        .path(file.path.as_str())
                        .fold(true)
                        .annotation(AnnotationKind::Primary.span(place.range));
                    let mut group = title.element(snippet);
                    // An export may hold many policies: name the one meant.
                    if let (Some(p), true) = (&d.policy, file.path.ends_with(".json")) {
                        group = group.element(Level::NOTE.message(format!("in policy `{p}`")));
                    }
                    if let Some(h) = &d.help {
                        group = group.element(Level::HELP.message(h.as_str()));
                    }
                    renderer.render(&[group])
                }
                _ => {
                    let mut group =
                        title.element(annotate_snippets::Origin::path(file.path.as_str()));
                    if let Some(h) = &d.help {
                        group = group.element(Level::HELP.message(h.as_str()));
                    }
                    renderer.render(&[group])
                }
            };
            let _ = writeln!(out, "{rendered}\n");
        }
    }
    out
}
