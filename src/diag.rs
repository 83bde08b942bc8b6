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

/// Declares [`Code`]: one variant per wire string, `as_str` and `ALL`.
macro_rules! codes {
    ($($(#[$m:meta])* $variant:ident = $wire:literal,)+) => {
        /// The codes of input and pipeline diagnostics (everything that is not
        /// a catalogue rule or constraint id such as `CA002`). The strings are
        /// public: they appear in JSON and SARIF output and in `--help`-level
        /// docs, so a variant's spelling never changes. Comparisons use the
        /// enum ([`Diagnostic::is`]), never a string literal.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$m])* $variant,)+
        }

        impl Code {
            /// Every code, in wire-string order.
            pub const ALL: &[Code] = &[$(Code::$variant),+];

            /// The wire string (`unknown-name`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $wire,)+
                }
            }
        }
    };
}

codes! {
        /// A name matches more than one tenant object.
        AmbiguousName = "ambiguous-name",
        /// A break-glass entry is listed as the wrong kind (user vs group) in the tenant file.
        BreakGlassKind = "break-glass-kind",
        /// No break-glass account is configured, so lockout cannot be checked.
        BreakGlassMissing = "break-glass-missing",
        /// The configuration opts out of break-glass checking.
        BreakGlassOptOut = "break-glass-opt-out",
        /// A list holds the same value twice.
        DuplicateEntry = "duplicate-entry",
        /// A mapping holds the same key twice.
        DuplicateKey = "duplicate-key",
        /// Two scenarios (or other named items) share a name.
        DuplicateName = "duplicate-name",
        /// An input file is empty.
        EmptyFile = "empty-file",
        /// An input file is not valid UTF-8 / UTF-16 text.
        Encoding = "encoding",
        /// An input file is larger than caac reads.
        FileTooLarge = "file-too-large",
        /// Pass-through JSON does not match Graph's metadata.
        GraphSchema = "graph-schema",
        /// A caac bug.
        Internal = "internal",
        /// A suppression comment is malformed.
        InvalidSuppression = "invalid-suppression",
        /// An id in the tenant file is not a GUID.
        InvalidTenantId = "invalid-tenant-id",
        /// A value has the wrong JSON/YAML type.
        InvalidType = "invalid-type",
        /// A value is outside the allowed set or range.
        InvalidValue = "invalid-value",
        /// A file could not be read.
        Io = "io",
        /// The policy set blocks every way in for an account (the what-if lockout check).
        Lockout = "lockout",
        /// A value shaped like a GUID is not one.
        MalformedGuid = "malformed-guid",
        /// A required key is missing.
        MissingField = "missing-field",
        /// A named directory holds no policy files.
        NoPolicyFiles = "no-policy-files",
        /// A JSON input is not a Graph policy export (an import input, or a
        /// named-location / authentication-strength export among policies).
        NotAnExport = "not-an-export",
        /// A configuration key names a Graph-validity check, which cannot be
        /// switched off or re-levelled.
        NotConfigurable = "not-configurable",
        /// An exported policy was not imported.
        NotImported = "not-imported",
        /// An exported property caac does not model (kept as pass-through).
        NotModelled = "not-modelled",
        /// Output could not be written.
        Output = "output",
        /// A pass-through property is sent unchecked.
        Passthrough = "passthrough",
        /// A pass-through property collides with a modelled or read-only one.
        PassthroughConflict = "passthrough-conflict",
        /// An id is a documentation placeholder, not a real object.
        PlaceholderId = "placeholder-id",
        /// `state` contradicts the rollout stage.
        RolloutStateConflict = "rollout-state-conflict",
        /// An exclusion note names a principal that is no longer excluded.
        StaleExclusion = "stale-exclusion",
        /// A scenario sweep expands to too many sign-ins.
        SweepTooLarge = "sweep-too-large",
        /// A key the schema does not know.
        UnknownField = "unknown-field",
        /// A name that resolves to no tenant object or keyword.
        UnknownName = "unknown-name",
        /// A scenario names a policy that is not in the set.
        UnknownPolicy = "unknown-policy",
        /// A configuration or suppression names no rule.
        UnknownRule = "unknown-rule",
        /// An export is wrapped by a tool format caac does not unwrap.
        UnsupportedWrapper = "unsupported-wrapper",
        /// A suppression comment suppresses nothing.
        UnusedSuppression = "unused-suppression",
        /// A YAML feature or size caac refuses (anchors, nesting, documents).
        YamlLimit = "yaml-limit",
        /// YAML that does not parse.
        YamlSyntax = "yaml-syntax",
}

impl From<Code> for &'static str {
    fn from(code: Code) -> Self {
        code.as_str()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    /// Stable code: a catalogue id (`CA002`) or a [`Code`] (`yaml-syntax`).
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
    pub fn error(code: impl Into<&'static str>, message: String) -> Self {
        Diagnostic {
            code: code.into(),
            name: None,
            severity: Severity::Error,
            message,
            location: Location::File,
            help: None,
            policy: None,
        }
    }

    /// A new warning-severity diagnostic.
    pub fn warning(code: impl Into<&'static str>, message: String) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The diagnostic carries `code`.
    pub fn is(&self, code: Code) -> bool {
        self.code == code.as_str()
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

    /// Like cargo-deny's code list test: every code is spelled once, in
    /// kebab-case, listed in wire order, and never collides with a catalogue
    /// id or name (JSON and SARIF consumers tell findings from input
    /// problems by the code alone).
    #[test]
    fn codes_are_unique_kebab_case_and_apart_from_the_catalogue() {
        let wires: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let unique: std::collections::BTreeSet<&str> = wires.iter().copied().collect();
        assert_eq!(
            unique.len(),
            wires.len(),
            "a code is spelled twice: {wires:?}"
        );
        assert!(wires.is_sorted(), "keep `codes!` in wire order: {wires:?}");
        for w in &wires {
            assert!(
                !w.is_empty()
                    && w.split('-').all(|part| {
                        !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase())
                    }),
                "`{w}` is not kebab-case"
            );
            assert!(crate::lint::find(w).is_none(), "`{w}` is a rule");
            assert!(crate::validity::find(w).is_none(), "`{w}` is a constraint");
        }
        for c in Code::ALL {
            assert_eq!(<&str>::from(*c), c.as_str());
            assert!(Diagnostic::error(*c, String::new()).is(*c));
        }
    }

    /// A code written as a string literal at a constructor anywhere in
    /// `src/` must still be a [`Code`] (or a catalogue id): the enum is the
    /// one list of what caac can emit.
    #[test]
    fn every_literal_code_in_the_source_is_a_code() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let calls = [
            "Diagnostic::error(",
            "Diagnostic::warning(",
            ".error(",
            ".error_help(",
            ".recovered(",
        ];
        let mut unknown = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for call in calls {
                for (i, _) in text.match_indices(call) {
                    let rest = text[i + call.len()..].trim_start();
                    let Some(lit) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let Some(end) = lit.find('"') else { continue };
                    let code = &lit[..end];
                    // Only code-shaped literals (this test's own list of
                    // call spellings is not).
                    if code.is_empty()
                        || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        continue;
                    }
                    let catalogue =
                        code.starts_with("CA") && code[2..].bytes().all(|b| b.is_ascii_digit());
                    if !catalogue && !Code::ALL.iter().any(|c| c.as_str() == code) {
                        unknown.push(format!("{}: {code}", f.display()));
                    }
                }
            }
        }
        assert!(
            unknown.is_empty(),
            "add these to `diag::Code`: {unknown:#?}"
        );
    }

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
