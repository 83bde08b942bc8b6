//! Inline suppressions in YAML comments, each with a mandatory reason:
//!
//! ```yaml
//! # caac-ignore-file: CA801 legacy names stay until the 2027 rename
//! users:
//!   include: { users: [All] }  # caac-ignore: CA406 whole tenant enrolled, verified in pilot report
//! ```
//!
//! `caac-ignore:` silences the rule (id or name) on the comment's own line
//! and on the line below it; `caac-ignore-file:` silences it for the file.
//! A suppression without a reason does not suppress and is an error
//! (`invalid-suppression`); one that silences nothing is a warning
//! (`unused-suppression`), so stale suppressions do not pile up.

use crate::diag::Position;
use crate::diag::{Code, Diagnostic, Location, Severity};
use crate::render::FileReport;

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The rule id it names, when it names a known rule.
    pub id: Option<&'static str>,
    /// The rule as written.
    pub rule: String,
    /// Why (may be empty: then it is invalid).
    pub reason: String,
    /// Where the directive is written.
    pub position: Position,
    /// `caac-ignore-file:` rather than `caac-ignore:`.
    pub file_wide: bool,
}

const LINE: &str = "caac-ignore:";
const FILE: &str = "caac-ignore-file:";

/// Finds the suppression directives in YAML comments.
pub fn parse(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if let Some(hash) = comment_start(line) {
            let comment = &line[hash + 1..];
            for (tag, file_wide) in [(FILE, true), (LINE, false)] {
                if let Some(at) = comment.find(tag) {
                    let rest = comment[at + tag.len()..].trim();
                    let (rule, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                    let reason = reason
                        .trim()
                        .trim_start_matches(['-', ':'])
                        .trim()
                        .to_owned();
                    let col_byte = hash + 1 + at;
                    out.push(Suppression {
                        id: crate::lint::find(rule).map(|r| r.id),
                        rule: rule.to_owned(),
                        reason,
                        position: Position {
                            line: u32::try_from(n + 1).unwrap_or(u32::MAX),
                            column: u32::try_from(line[..col_byte].chars().count() + 1)
                                .unwrap_or(u32::MAX),
                            offset: offset + col_byte,
                        },
                        file_wide,
                    });
                    break;
                }
            }
        }
        offset += line.len();
    }
    out
}

/// Where a YAML comment starts on a line: a `#` at the line start or after
/// whitespace, outside quotes.
fn comment_start(line: &str) -> Option<usize> {
    let (mut single, mut double) = (false, false);
    let mut prev_ws = true;
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev_ws => return Some(i),
            _ => {}
        }
        prev_ws = c.is_whitespace();
    }
    None
}

/// Drops the rule findings a valid suppression covers and adds findings for
/// invalid and unused suppressions.
pub fn apply(report: &mut FileReport) {
    let Some(text) = report.text.as_deref() else {
        return;
    };
    let sups = parse(text);
    if sups.is_empty() {
        return;
    }
    let mut used = vec![false; sups.len()];
    let lines: Vec<Option<u32>> = report
        .diagnostics
        .iter()
        .map(|d| report.place(d).map(|p| p.position.line))
        .collect();
    let mut kept = Vec::new();
    for (d, line) in std::mem::take(&mut report.diagnostics)
        .into_iter()
        .zip(lines)
    {
        // Graph-validity errors are never silenced: Graph would reject the body.
        let suppressible = d.name.is_some() && !crate::validity::is_constraint(d.code);
        let hit = suppressible.then(|| {
            sups.iter().position(|s| {
                !s.reason.is_empty()
                    && s.id == Some(d.code)
                    && (s.file_wide
                        || line.is_some_and(|l| l == s.position.line || l == s.position.line + 1))
            })
        });
        match hit.flatten() {
            Some(i) => used[i] = true,
            None => kept.push(d),
        }
    }
    for (s, used) in sups.iter().zip(used) {
        let at = Location::Position(s.position);
        if let Some(c) = crate::validity::find(&s.rule) {
            kept.push(
                Diagnostic::error(
                    Code::InvalidSuppression,
                    format!(
                        "{} cannot be suppressed: {}",
                        s.rule,
                        crate::validity::not_configurable(c)
                    ),
                )
                .at(at)
                .with_help("fix the policy; a body Graph rejects cannot be deployed"),
            );
        } else if s.id.is_none() {
            kept.push(
                Diagnostic::error(
                    Code::InvalidSuppression,
                    format!("`{}` is not a caac rule", s.rule),
                )
                .at(at)
                .with_help("name a rule id or name, e.g. `# caac-ignore: CA406 <reason>`"),
            );
        } else if s.reason.is_empty() {
            kept.push(
                Diagnostic::error(
                    Code::InvalidSuppression,
                    format!("suppression of {} has no reason", s.rule),
                )
                .at(at)
                .with_help("say why, e.g. `# caac-ignore: CA406 whole tenant verified in pilot`"),
            );
        } else if !used {
            let mut d = Diagnostic::error(
                Code::UnusedSuppression,
                format!("suppression of {} silences nothing", s.rule),
            )
            .at(at)
            .with_help("remove it");
            d.severity = Severity::Warning;
            kept.push(d);
        }
    }
    report.diagnostics = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives_outside_strings() {
        let s = parse(
            "a: '# caac-ignore: CA002 x'\nb: 1 # caac-ignore: CA006 pilot done\n# caac-ignore-file: duplicate-display-name -- legacy\n# caac-ignore: CA001\n",
        );
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0].id, s[0].reason.as_str(), s[0].position.line),
            (Some("CA006"), "pilot done", 2)
        );
        assert_eq!(s[1].id, Some("CA802"));
        assert!(s[1].file_wide);
        assert_eq!(s[1].reason, "legacy");
        assert_eq!(s[2].reason, "");
    }
}
