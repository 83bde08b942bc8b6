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
            let message = sanitize(&d.message);
            let help = d.help.as_deref().map(sanitize);
            let title = level.primary_title(message.as_str()).id(id);
            let rendered = match (file.place(d), file.text.as_deref()) {
                (Some(place), Some(text)) => {
                    // Render only the line that holds the finding (a window of
                    // it when long): exports are often one huge line, and
                    // re-scanning it per finding made reports quadratic.
                    let (window, span, whole_line) = window(text, place.range.clone());
                    let snippet = Snippet::source(window)
                        .line_start(place.position.line as usize)
                        .annotation(AnnotationKind::Primary.span(span));
                    let mut group = if whole_line {
                        title.element(snippet.path(file.path.as_str()))
                    } else {
                        // A window inside a long line: state the position
                        // explicitly, the snippet cannot know its column.
                        let origin = annotate_snippets::Origin::path(file.path.as_str())
                            .line(place.position.line as usize)
                            .char_column(place.position.column as usize);
                        title.element(origin).element(snippet)
                    };
                    // An export may hold many policies: name the one meant.
                    if let (Some(p), true) = (&d.policy, is_json(&file.path)) {
                        group = group
                            .element(Level::NOTE.message(format!("in policy `{}`", sanitize(p))));
                    }
                    if let Some(h) = &help {
                        group = group.element(Level::HELP.message(h.as_str()));
                    }
                    renderer.render(&[group])
                }
                _ => {
                    let mut group =
                        title.element(annotate_snippets::Origin::path(file.path.as_str()));
                    if let Some(h) = &help {
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

/// Control characters from inputs (a display name with terminal escapes)
/// are shown escaped, never sent to the terminal.
fn sanitize(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().collect::<String>()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The line holding `range` (at most ~240 characters around it), the range
/// relative to that window, and whether the window starts at the line start.
fn window(text: &str, range: std::ops::Range<usize>) -> (&str, std::ops::Range<usize>, bool) {
    const CONTEXT: usize = 120;
    let start = range.start.min(text.len());
    // Look for the line's ends only within the window: scanning a whole
    // one-line export per finding is what made reports quadratic.
    let mut lo = start.saturating_sub(CONTEXT + 1);
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = (range.end.max(start) + CONTEXT + 1).min(text.len());
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    // Line breaks are YAML's: `\n`, `\r\n` or a lone `\r` (see load::line_breaks).
    let line_start = lo + crate::load::line_start(&text[lo..start], start - lo);
    let line_start = if lo == 0 || line_start > lo {
        line_start
    } else {
        lo
    };
    let line_end = start + crate::load::line_end(&text[start..hi], 0);
    let mut from = line_start.max(start.saturating_sub(CONTEXT));
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = line_end.min(range.end.max(start) + CONTEXT).max(from);
    while !text.is_char_boundary(to) {
        to += 1;
    }
    // A line that ends in `\r` right at the finding can put `to` before
    // `start` (found by fuzzing: "a: 1\r\x06\r"); never invert the window.
    let to = to.max(start);
    let from = from.min(start);
    let end = range.end.clamp(start, to);
    (
        &text[from..to],
        start - from..end - from,
        from == line_start,
    )
}

/// A Graph export by its extension, in any case (`X.JSON` too).
fn is_json(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}
