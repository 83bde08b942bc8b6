//! Azure Pipelines logging commands: one
//! `##vso[task.logissue type=error|warning;sourcepath=…;linenumber=…;columnnumber=…;code=…]message`
//! per finding, and, only when asked, a closing
//! `##vso[task.complete result=Failed|SucceededWithIssues|Succeeded;]`
//! (<https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands>:
//! LogIssue's properties are `type` (error or warning), `sourcepath`,
//! `linenumber`, `columnnumber` and `code`; Complete's `result` is one of
//! those three).
//!
//! Contract: every command is one line. The agent reads a command up to the
//! first `]` and splits its properties on `;`, so property values escape
//! `%` → `%AZP25`, CR → `%0D`, LF → `%0A`, `;` → `%3B` and `]` → `%5D`, and
//! the message (after the `]`) escapes `%`, CR and LF, exactly as Microsoft's
//! task library writes them
//! (<https://github.com/microsoft/azure-pipelines-task-lib/blob/master/node/taskcommand.ts>,
//! `escape` and `escapeData`). LogIssue has no info type: info findings are
//! left out (they never fail a run; `--format human|json|sarif` show them).
//! `sourcepath` is the path as caac was given it (relative to the working
//! directory, normally the checkout root, as in the page's own example).

use super::FileReport;
use crate::diag::Severity;
use std::fmt::Write;

/// How the closing `task.complete` marks the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AzureResult {
    /// The run fails (caac exits non-zero).
    Failed,
    /// Findings below the fail level were logged.
    SucceededWithIssues,
    /// Nothing to report.
    Succeeded,
}

impl AzureResult {
    fn as_str(self) -> &'static str {
        match self {
            AzureResult::Failed => "Failed",
            AzureResult::SucceededWithIssues => "SucceededWithIssues",
            AzureResult::Succeeded => "Succeeded",
        }
    }
}

/// The message after `]`: `%`, CR and LF (task-lib's `escapeData`).
fn data(s: &str) -> String {
    s.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `]` and `;` (task-lib's `escape`).
fn property(s: &str) -> String {
    data(s).replace(']', "%5D").replace(';', "%3B")
}

/// Renders one `task.logissue` per error or warning (infos are left out),
/// then `task.complete` when `complete` is given.
pub fn azure(files: &[FileReport], complete: Option<AzureResult>) -> String {
    let mut out = String::new();
    for f in files {
        for d in &f.diagnostics {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => continue,
            };
            let mut props = vec![format!("type={level}")];
            if !f.path.starts_with('<') {
                props.push(format!("sourcepath={}", property(&f.path)));
            }
            if let Some(p) = f.place(d) {
                props.push(format!("linenumber={}", p.position.line));
                props.push(format!("columnnumber={}", p.position.column));
            }
            props.push(format!("code={}", property(d.code)));
            let mut message = match d.name {
                Some(n) => format!("{} {n}: {}", d.code, d.message),
                None => format!("{}: {}", d.code, d.message),
            };
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            let _ = writeln!(
                out,
                "##vso[task.logissue {};]{}",
                props.join(";"),
                data(&message)
            );
        }
    }
    if let Some(result) = complete {
        let _ = writeln!(out, "##vso[task.complete result={};]", result.as_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The task library's escapes, `%` first so nothing is escaped twice.
    #[test]
    fn escapes() {
        assert_eq!(data("50%;]\r\nx"), "50%AZP25;]%0D%0Ax");
        assert_eq!(property("a;b]c%\n"), "a%3Bb%5Dc%AZP25%0A");
        assert_eq!(property("%3B"), "%AZP253B");
    }
}
