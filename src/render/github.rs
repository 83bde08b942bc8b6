//! GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::msg`).
//! Columns are written only with a line; messages escape `%`, CR and LF and
//! properties also `:` and `,`
//! (<https://docs.github.com/actions/reference/workflow-commands-for-github-actions>).

use super::FileReport;
use crate::diag::Severity;
use std::fmt::Write;

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders one command per finding.
pub fn github(files: &[FileReport]) -> String {
    let mut out = String::new();
    for f in files {
        for d in &f.diagnostics {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let title = match d.name {
                Some(n) => format!("{} {n}", d.code),
                None => d.code.to_owned(),
            };
            let mut props = Vec::new();
            if !f.path.starts_with('<') {
                props.push(format!("file={}", property(&f.path)));
            }
            if let Some(p) = f.place(d) {
                props.push(format!("line={}", p.position.line));
                props.push(format!("col={}", p.position.column));
            }
            props.push(format!("title={}", property(&title)));
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(&message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("50%\nx"), "50%25%0Ax");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
