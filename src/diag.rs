//! Diagnostics are data: every stage reports problems as [`Diagnostic`]s and
//! keeps going where it can; only I/O and internal failures are `Err`.
//!
//! A diagnostic points either at a concrete [`Position`] (the loader, which has
//! no tree yet) or at a JSON pointer into the document (`/users/exclude/groups/0`)
//! that the report stage turns into line:column through the file's span map —
//! so rules and the model never carry positions (zizmor's symbolic locations).

/// A point in a source text: 1-based line and column (in characters), and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
    /// Byte offset into the decoded text.
    pub offset: usize,
}

impl Position {
    /// Line 1, column 1.
    pub fn start() -> Self {
        Position {
            line: 1,
            column: 1,
            offset: 0,
        }
    }
}

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advisory.
    Info,
    /// Probably wrong; contradicts documented guidance.
    Warning,
    /// Cannot work as written, or Graph would reject it.
    Error,
}

impl Severity {
    /// Lower-case name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The whole file.
    File,
    /// A concrete position (used before a span map exists).
    Position(Position),
    /// A JSON pointer into the document; `key` points at the key rather than the value.
    Pointer {
        /// RFC 6901 pointer.
        pointer: String,
        /// Point at the key (unknown fields, missing children) instead of the value.
        key: bool,
    },
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code: a catalogue id (`CA002`) or a loader code (`yaml-syntax`).
    pub code: &'static str,
    /// The catalogue's kebab-case rule name, for rule findings.
    pub name: Option<&'static str>,
    /// Severity.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where.
    pub location: Location,
    /// How to fix it.
    pub help: Option<String>,
    /// The display name of the policy it concerns, when known.
    pub policy: Option<String>,
}

impl Diagnostic {
    /// A new error-severity diagnostic with no location yet.
    pub fn error(code: &'static str, message: String) -> Self {
        Diagnostic {
            code,
            name: None,
            severity: Severity::Error,
            message,
            location: Location::File,
            help: None,
            policy: None,
        }
    }

    /// A new warning-severity diagnostic.
    pub fn warning(code: &'static str, message: String) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    /// Points at the value under `pointer`.
    pub fn at_value(self, pointer: impl Into<String>) -> Self {
        self.at(Location::Pointer {
            pointer: pointer.into(),
            key: false,
        })
    }

    /// Points at the key of `pointer`.
    pub fn at_key(self, pointer: impl Into<String>) -> Self {
        self.at(Location::Pointer {
            pointer: pointer.into(),
            key: true,
        })
    }

    /// Adds a fix hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Edit distance counting a swap of two neighbouring letters as one edit
/// (optimal string alignment), for "did you mean" hints: `Pilto` → `Pilot`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// The closest candidate to `wanted` (case-insensitive first, then by edit
/// distance within a third of the length), for "did you mean" hints.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = wanted.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let cl = c.to_lowercase();
        if cl == lower {
            return Some(c);
        }
        let d = edit_distance(&lower, &cl);
        let limit = (wanted.chars().count().max(3) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// One finding of a check (a Graph-validity constraint or a lint rule),
/// before it becomes a [`Diagnostic`]: a pointer into the spec, not yet a
/// position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// JSON pointer into the spec.
    pub pointer: String,
    /// Point at the key instead of the value.
    pub key: bool,
    /// What is wrong here.
    pub message: String,
    /// A severity other than the rule's default (for rules with style cases).
    pub severity: Option<Severity>,
}

impl Hit {
    /// A hit at the value of `pointer`.
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Hit {
            pointer: pointer.into(),
            key: false,
            message: message.into(),
            severity: None,
        }
    }

    /// A hit at the key of `pointer`.
    pub fn at_key(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Hit {
            key: true,
            ..Hit::at(pointer, message)
        }
    }

    /// Overrides the rule's severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("ios", ["android", "iOS", "macOS"]),
            Some("iOS")
        );
        assert_eq!(
            did_you_mean("excludeGroupz", ["excludeGroups", "includeGroups"]),
            Some("excludeGroups")
        );
        assert_eq!(did_you_mean("zzzzzz", ["users", "groups"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Pilto", "Pilot"), 1);
    }
}
