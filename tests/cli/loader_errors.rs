//! Hostile and malformed inputs fail closed: for every case `caac build`
//! exits 2, names the right code at the exact line:column, does not panic and
//! writes nothing. Each case runs in its own temporary directory, from that
//! directory, so the paths in ` --> ` lines are the bare file names.
//!
//! Cases that once exposed a caac bug carry a [`Bug`] tag and run in a
//! regression test of their own, so a relapse names the bug.

use crate::common::{caac, snapshot_dir, text};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// The policy file every case writes.
const POLICY: &str = "policy.yaml";
/// The tenant file (written unless the case says otherwise).
const TENANT: &str = "tenant.yaml";

/// A valid policy; the case inputs are edits of it. Lines: 1 displayName,
/// 2 users, 3 include, 4 exclude, 5 applications, 6 grant.
const GOOD: &str = "\
displayName: Test
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access] }
applications: { include: [Office 365 Exchange Online] }
grant: { builtInControls: [mfa] }
";

/// A valid tenant file resolving the names `GOOD` uses.
const GOOD_TENANT: &str = "\
breakGlass: {groups: [Emergency Access]}
groups:
  Emergency Access: 8f1c2b7a-4d3e-4a5b-9c6d-0e1f2a3b4c5d
  Pilot: 3a9e5c1d-7b2f-4e8a-b6c4-d2e0f1a3b5c7
";

/// Which tenant file a case runs with.
#[derive(Clone, Copy)]
enum Tenant {
    /// `GOOD_TENANT` as `tenant.yaml`, passed with `--tenant`.
    Good,
    /// This text as `tenant.yaml`, passed with `--tenant`.
    Text(&'static str),
    /// No tenant file and no `--tenant` (the default `tenant.yaml` is absent too).
    Absent,
    /// `--tenant missing.yaml`, which does not exist.
    Missing,
}

/// Where the diagnostic must point.
#[derive(Clone, Copy)]
enum At {
    /// ` --> file:line:col`.
    Pos(&'static str, u32, u32),
    /// A whole-file diagnostic: ` --> file` (no meaningful position exists).
    File(&'static str),
}

/// Fixed caac bugs; each has one regression test below.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Bug {
    /// Parser errors serde-saphyr reports without a byte offset render at 1:1.
    SyntaxPosition,
    /// Decoding errors (invalid UTF-8, NUL, unpaired surrogate) lose their position.
    EncodingPosition,
    /// Loader errors in the tenant file lose their position.
    TenantLoaderPosition,
    /// Anchor errors point at the anchored node instead of the `&anchor`.
    AnchorPosition,
    /// An integer beyond u32 in `signInFrequency.value` is an `internal` error.
    IntegerOverflow,
}

/// One malformed input and what caac must say about it.
struct Case {
    name: &'static str,
    policy: Vec<u8>,
    tenant: Tenant,
    /// The text inside `error[…]`, e.g. `yaml-syntax` or `CA015 unknown-enum-value`.
    code: &'static str,
    at: At,
    /// Substrings stderr must contain (message text).
    says: Vec<&'static str>,
    /// Text that must appear on a `help:` line.
    help: Option<&'static str>,
    bug: Option<Bug>,
}

fn case(name: &'static str, policy: impl Into<Vec<u8>>, code: &'static str, at: At) -> Case {
    Case {
        name,
        policy: policy.into(),
        tenant: Tenant::Good,
        code,
        at,
        says: Vec::new(),
        help: None,
        bug: None,
    }
}

impl Case {
    fn says(mut self, text: &'static str) -> Self {
        self.says.push(text);
        self
    }
    fn help(mut self, text: &'static str) -> Self {
        self.help = Some(text);
        self
    }
    fn tenant(mut self, tenant: Tenant) -> Self {
        self.tenant = tenant;
        self
    }
    fn bug(mut self, bug: Bug) -> Self {
        self.bug = Some(bug);
        self
    }
}

/// `GOOD` with `from` replaced by `to` (which must occur, or the case would test nothing).
fn edit(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "`{from}` does not occur in GOOD");
    GOOD.replacen(from, to, 1)
}

/// `GOOD` followed by `extra` (starting at line 7).
fn plus(extra: &str) -> String {
    format!("{GOOD}{extra}")
}

/// `text` with the first `marker` replaced by the raw `byte` (which may not be valid UTF-8).
fn with_byte(text: &str, marker: char, byte: u8) -> Vec<u8> {
    let (before, after) = text
        .split_once(marker)
        .unwrap_or_else(|| panic!("`{marker}` does not occur in the input"));
    [before.as_bytes(), &[byte], after.as_bytes()].concat()
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn cases() -> Vec<Case> {
    use At::{File, Pos};
    let p = POLICY;
    vec![
        // Empty input.
        case("empty file", "", "empty-file", Pos(p, 1, 1)).says("the file is empty"),
        case("whitespace-only file", "  \n\t\n   \n", "empty-file", Pos(p, 1, 1)),
        // YAML syntax.
        case(
            "unclosed flow sequence at end of file",
            "displayName: Test\ngrant:\n  builtInControls: [mfa, compliantDevice\n",
            "yaml-syntax",
            Pos(p, 3, 20),
        )
        .says("unclosed bracket '['")
        .bug(Bug::SyntaxPosition),
        case(
            "flow sequence closed by a brace",
            edit("[Pilot] }", "[Pilot }"),
            "yaml-syntax",
            Pos(p, 3, 22),
        )
        .says("mismatched bracket")
        .bug(Bug::SyntaxPosition),
        case(
            "bad indentation",
            edit(
                "  exclude: { groups: [Emergency Access] }",
                "   exclude: { groups: [Emergency Access] }",
            ),
            "yaml-syntax",
            Pos(p, 4, 4),
        )
        .bug(Bug::SyntaxPosition),
        case(
            "tab used for indentation",
            edit("  include:", "\tinclude:"),
            "yaml-syntax",
            Pos(p, 3, 1),
        )
        .says("tabs disallowed")
        .bug(Bug::SyntaxPosition),
        // Duplicate keys, reported at the second key.
        case(
            "duplicate key at top level",
            plus("displayName: Other\n"),
            "duplicate-key",
            Pos(p, 7, 1),
        )
        .says("duplicate key `displayName`"),
        case(
            "duplicate key in users.include",
            edit(
                "include: { groups: [Pilot] }",
                "include:\n    groups: [Pilot]\n    groups: [Emergency Access]",
            ),
            "duplicate-key",
            Pos(p, 5, 5),
        )
        .says("duplicate key `groups`"),
        case(
            "duplicate key in a flow mapping",
            edit("{ groups: [Pilot] }", "{ groups: [Pilot], groups: [Pilot] }"),
            "duplicate-key",
            Pos(p, 3, 31),
        )
        .says("duplicate key `groups`"),
        // Anchors, aliases, budgets.
        case(
            "anchor and alias",
            edit(
                "include: { groups: [Pilot] }\n  exclude: { groups: [Emergency Access] }",
                "include: { groups: &g [Pilot] }\n  exclude: { groups: *g }",
            ),
            "yaml-limit",
            Pos(p, 3, 22),
        )
        .says("anchors (`&name`) and aliases (`*name`) are not allowed")
        .bug(Bug::AnchorPosition),
        case("alias bomb", billion_laughs(), "yaml-limit", Pos(p, 1, 4))
            .says("anchors (`&name`) and aliases (`*name`) are not allowed")
            .bug(Bug::AnchorPosition),
        case(
            "10,000-deep flow sequences",
            "[".repeat(10_000) + &"]".repeat(10_000) + "\n",
            "yaml-limit",
            Pos(p, 1, 65),
        )
        .says("nesting is deeper than 64 levels")
        .bug(Bug::SyntaxPosition),
        case(
            "10,000-deep flow mappings",
            "{a: ".repeat(10_000) + &"}".repeat(10_000) + "\n",
            "yaml-limit",
            Pos(p, 1, 257),
        )
        .says("nesting is deeper than 64 levels")
        .bug(Bug::SyntaxPosition),
        case(
            "10,000-deep block sequences",
            "- ".repeat(10_000) + "x\n",
            "yaml-limit",
            Pos(p, 1, 129),
        )
        .says("nesting is deeper than 64 levels"),
        // 10,000 levels of block mappings need ≥ 50 MB of indentation (over the
        // 4 MiB cap); 1,000 levels still exercise the depth limit.
        case(
            "1,000-deep block mappings",
            (0..1_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>(),
            "yaml-limit",
            Pos(p, 65, 65),
        )
        .says("nesting is deeper than 64 levels"),
        case(
            "more than 250,000 nodes",
            format!("displayName: Test\npassthrough:\n  x: [{}]\n", ["0"; 250_001].join(",")),
            "yaml-limit",
            Pos(p, 3, 499_993),
        )
        .says("more than 250000 YAML nodes"),
        case(
            "two documents",
            plus("---\ndisplayName: Other\n"),
            "yaml-limit",
            Pos(p, 7, 1),
        )
        .says("more than one YAML document"),
        case(
            "two documents after a leading marker",
            format!("---\n{GOOD}---\ndisplayName: Other\n"),
            "yaml-limit",
            Pos(p, 8, 1),
        )
        .says("more than one YAML document"),
        case(
            "unsupported tag",
            edit("displayName: Test", "displayName: !ref Test"),
            "yaml-syntax",
            Pos(p, 1, 19),
        )
        .says("unsupported tag `!ref`"),
        case(
            "non-finite number",
            plus("session:\n  signInFrequency: { value: .nan, type: hours }\n"),
            "yaml-syntax",
            Pos(p, 8, 29),
        )
        .says("non-finite"),
        // Encodings.
        case(
            "invalid UTF-8 byte mid-file",
            with_byte(&edit("[Pilot]", "[Pil#ot]"), '#', 0xFF),
            "encoding",
            Pos(p, 3, 26),
        )
        .says("invalid UTF-8 (byte 0xFF at offset 50)")
        .bug(Bug::EncodingPosition),
        case(
            "NUL byte",
            edit("displayName: Test", "displayName: Te\0st"),
            "encoding",
            Pos(p, 1, 16),
        )
        .says("NUL byte")
        .bug(Bug::EncodingPosition),
        case(
            "UTF-16LE with BOM, odd length",
            [&[0xFF, 0xFE][..], &utf16le(GOOD), b"A"].concat(),
            "encoding",
            File(p),
        )
        .says("UTF-16LE text has an odd number of bytes"),
        case(
            "UTF-16LE unpaired surrogate",
            [
                &[0xFF, 0xFE][..],
                &utf16le("displayName: Te"),
                &[0x00, 0xD8],
                &utf16le("st\n"),
            ]
            .concat(),
            "encoding",
            Pos(p, 1, 16),
        )
        .says("unpaired surrogate 0xD800")
        .bug(Bug::EncodingPosition),
        case(
            "UTF-8 BOM does not shift columns",
            [&[0xEF, 0xBB, 0xBF][..], edit("displayName: Test", "displayName: 42").as_bytes()]
                .concat(),
            "invalid-type",
            Pos(p, 1, 14),
        ),
        case(
            "UTF-16LE BOM keeps positions",
            [&[0xFF, 0xFE][..], &utf16le(&edit("Test", "42"))].concat(),
            "invalid-type",
            Pos(p, 1, 14),
        ),
        case(
            "CRLF line endings keep positions",
            plus("state: on\n").replace('\n', "\r\n"),
            "CA015 unknown-enum-value",
            Pos(p, 7, 8),
        ),
        case(
            "columns count characters, not bytes",
            plus("platforms: {exclude: [android], include: [\"Zürich – Größe\", ios]}\n"),
            "CA015 unknown-enum-value",
            Pos(p, 7, 61),
        )
        .says("`ios` is not a valid value here"),
        case(
            "file over 4 MiB",
            plus(&format!("# {}\n", "x".repeat(98)).repeat(42_000)),
            "file-too-large",
            File(p),
        )
        .says("caac reads policy files up to 4194304 bytes"),
        // Wrong shape of the whole file.
        case(
            "a list instead of a mapping",
            "- displayName: Test\n- displayName: Other\n",
            "invalid-type",
            Pos(p, 1, 1),
        )
        .says("expected an object, found a list"),
        case(
            "a scalar file",
            "just a string\n",
            "invalid-type",
            Pos(p, 1, 1),
        )
        .says("expected an object, found the string \"just a string\""),
        // Unknown fields, at the key, with did-you-mean.
        case(
            "unknown field at top level",
            edit("users:", "descripton: x\nusers:"),
            "unknown-field",
            Pos(p, 2, 1),
        )
        .says("unknown field `descripton`")
        .help("did you mean `description`?"),
        case(
            "unknown field in users.include",
            edit("include: { groups", "include: { grups"),
            "unknown-field",
            Pos(p, 3, 14),
        )
        .says("unknown field `grups`")
        .help("did you mean `groups`?"),
        case(
            "unknown field in grant",
            edit("builtInControls", "builtInControl"),
            "unknown-field",
            Pos(p, 6, 10),
        )
        .help("did you mean `builtInControls`?"),
        case(
            "unknown field in session",
            plus("session:\n  tokenProtecton: true\n"),
            "unknown-field",
            Pos(p, 8, 3),
        )
        .help("did you mean `tokenProtection`?"),
        // Wrong types: never coerced.
        case(
            "displayName is a number",
            edit("displayName: Test", "displayName: 42"),
            "invalid-type",
            Pos(p, 1, 14),
        )
        .says("expected a string, found the number `42`"),
        case(
            "users.include.groups is a string",
            edit("{ groups: [Pilot] }", "{ groups: Pilot }"),
            "invalid-type",
            Pos(p, 3, 22),
        )
        .says("expected an array, found the string \"Pilot\""),
        case(
            "tokenProtection: yes is not a boolean",
            plus("session:\n  tokenProtection: yes\n"),
            "invalid-type",
            Pos(p, 8, 20),
        )
        .says("expected a boolean, found the string \"yes\""),
        case(
            "tokenProtection: \"true\" is not a boolean",
            plus("session:\n  tokenProtection: \"true\"\n"),
            "invalid-type",
            Pos(p, 8, 20),
        )
        .says("expected a boolean, found the string \"true\""),
        case(
            "signInFrequency.value is a string",
            plus("session:\n  signInFrequency: { value: four, type: hours }\n"),
            "invalid-type",
            Pos(p, 8, 29),
        )
        .says("expected an integer, found the string \"four\""),
        case(
            "signInFrequency.value is negative",
            plus("session:\n  signInFrequency: { value: -4, type: hours }\n"),
            "invalid-value",
            Pos(p, 8, 29),
        )
        .says("-4 is less than the minimum of 1"),
        case(
            "signInFrequency.value is 0",
            plus("session:\n  signInFrequency: { value: 0, type: hours }\n"),
            "invalid-value",
            Pos(p, 8, 29),
        )
        .says("0 is less than the minimum of 1"),
        case(
            "signInFrequency.value is a fraction",
            plus("session:\n  signInFrequency: { value: 1.5, type: hours }\n"),
            "invalid-type",
            Pos(p, 8, 29),
        )
        .says("expected an integer, found the number `1.5`"),
        case(
            "signInFrequency.value beyond u32",
            plus("session:\n  signInFrequency: { value: 4294967296, type: hours }\n"),
            "invalid-value",
            Pos(p, 8, 29),
        )
        .bug(Bug::IntegerOverflow),
        case(
            "signInFrequency.value beyond u64",
            plus("session:\n  signInFrequency: { value: 99999999999999999999999, type: hours }\n"),
            "invalid-value",
            Pos(p, 8, 29),
        )
        .bug(Bug::IntegerOverflow),
        // Enum values: case-sensitive, with Graph's spelling suggested.
        case(
            "state: on",
            edit("users:", "state: on\nusers:"),
            "CA015 unknown-enum-value",
            Pos(p, 2, 8),
        )
        .says("`on` is not a valid value here"),
        case(
            "platform ios",
            plus("platforms: {include: [ios]}\n"),
            "CA015 unknown-enum-value",
            Pos(p, 7, 23),
        )
        .help("did you mean `iOS`?"),
        case(
            "clientAppTypes All",
            plus("clientAppTypes: [All]\n"),
            "CA015 unknown-enum-value",
            Pos(p, 7, 18),
        )
        .help("did you mean `all`?"),
        case(
            "grant operator and",
            edit(
                "grant: { builtInControls: [mfa] }",
                "grant: { operator: and, builtInControls: [mfa, compliantDevice] }",
            ),
            "CA015 unknown-enum-value",
            Pos(p, 6, 20),
        )
        .help("did you mean `AND`?"),
        case(
            "missing displayName",
            edit("displayName: Test\n", ""),
            "missing-field",
            Pos(p, 1, 1),
        )
        .says("missing required field `displayName`"),
        // Resolution fails closed.
        case(
            "unknown group name",
            edit("[Emergency Access]", "[Emergency Acess]"),
            "unknown-name",
            Pos(p, 4, 23),
        )
        .says("unknown group `Emergency Acess`")
        .help("did you mean `Emergency Access`?"),
        case(
            "group name without a tenant file",
            GOOD,
            "unknown-name",
            Pos(p, 3, 23),
        )
        .tenant(Tenant::Absent)
        .says("unknown group `Pilot`")
        .help("--tenant tenant.yaml"),
        case(
            "malformed GUID",
            edit("[Pilot]", "[xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx]"),
            "malformed-guid",
            Pos(p, 3, 23),
        )
        .says("is shaped like a GUID but is not hexadecimal"),
        case(
            "template placeholder",
            edit("[Emergency Access]", "[<EmergencyAccessAccountsGroup>]"),
            "unknown-name",
            Pos(p, 4, 23),
        )
        .says("`<EmergencyAccessAccountsGroup>` is a template placeholder"),
        case(
            "unknown application",
            edit("Exchange Online]", "Exchange Onlien]"),
            "unknown-name",
            Pos(p, 5, 27),
        )
        .says("unknown application `Office 365 Exchange Onlien`")
        .help("did you mean `Office 365 Exchange Online`?"),
        case(
            "unknown role",
            edit("[Pilot] }", "[Pilot], roles: [Global Administrater] }"),
            "unknown-name",
            Pos(p, 3, 39),
        )
        .says("unknown directory role `Global Administrater`")
        .help("did you mean `Global Administrator`?"),
        // The tenant file goes through the same loader and is checked too.
        case("unknown field in the tenant file", GOOD, "unknown-field", Pos(TENANT, 2, 1))
            .tenant(Tenant::Text(
                "breakGlass: {groups: [Emergency Access]}\ngroup:\n  Pilot: 3a9e5c1d-7b2f-4e8a-b6c4-d2e0f1a3b5c7\n",
            ))
            .says("unknown field `group`")
            .help("did you mean `groups`?"),
        case(
            "duplicate group in the tenant file",
            GOOD,
            "duplicate-key",
            Pos(TENANT, 5, 3),
        )
        .tenant(Tenant::Text(
            "breakGlass: {groups: [Emergency Access]}\ngroups:\n  Emergency Access: 8f1c2b7a-4d3e-4a5b-9c6d-0e1f2a3b4c5d\n  Pilot: 3a9e5c1d-7b2f-4e8a-b6c4-d2e0f1a3b5c7\n  Pilot: 3a9e5c1d-7b2f-4e8a-b6c4-d2e0f1a3b5c8\n",
        ))
        .says("duplicate key `Pilot`")
        .bug(Bug::TenantLoaderPosition),
        case("missing tenant file", GOOD, "io", File("missing.yaml"))
            .tenant(Tenant::Missing)
            .says("cannot read"),
    ]
}

/// Nine levels of nine aliases: 9^9 strings once expanded.
fn billion_laughs() -> String {
    let mut s = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names: Vec<char> = ('a'..='i').collect();
    for pair in names.windows(2) {
        let (prev, this) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(",");
        s.push_str(&format!("{this}: &{this} [{refs}]\n"));
    }
    s
}

/// Runs one case in a fresh directory; on failure returns the case name,
/// every broken expectation and caac's stderr.
fn check(c: &Case) -> Result<(), String> {
    let name = c.name;
    let tmp = tempfile::tempdir().map_err(|e| format!("[{name}] tempdir: {e}"))?;
    let dir = tmp.path();
    let mut written = vec![POLICY.to_owned()];
    std::fs::write(dir.join(POLICY), &c.policy)
        .map_err(|e| format!("[{name}] writing {POLICY}: {e}"))?;
    let tenant_text = match c.tenant {
        Tenant::Good => Some(GOOD_TENANT),
        Tenant::Text(t) => Some(t),
        Tenant::Absent | Tenant::Missing => None,
    };
    if let Some(t) = tenant_text {
        std::fs::write(dir.join(TENANT), t)
            .map_err(|e| format!("[{name}] writing {TENANT}: {e}"))?;
        written.push(TENANT.to_owned());
    }
    let mut args = vec!["build", POLICY];
    match c.tenant {
        Tenant::Good | Tenant::Text(_) => args.extend(["--tenant", TENANT]),
        Tenant::Missing => args.extend(["--tenant", "missing.yaml"]),
        Tenant::Absent => {}
    }
    args.extend(["--out", "out"]);

    let output = caac(dir, &args);
    let (stdout, stderr) = text(&output);
    let mut failures: Vec<String> = Vec::new();
    let mut fail = |what: String| failures.push(what);

    if output.status.code() != Some(2) {
        fail(format!("exit code {:?}, expected 2", output.status.code()));
    }
    if stderr.contains("panicked") {
        fail("caac panicked".into());
    }
    if !stdout.is_empty() {
        fail(format!("stdout is not empty: {stdout:?}"));
    }
    let header = format!("error[{}]: ", c.code);
    if !stderr.contains(&header) {
        fail(format!("no `{header}` header"));
    }
    match c.at {
        At::Pos(file, line, col) => {
            let arrow = format!(" --> {file}:{line}:{col}\n");
            if !stderr.contains(&arrow) {
                fail(format!("no `{}` line", arrow.trim_end()));
            }
        }
        At::File(file) => {
            let arrow = format!("--> {file}");
            if !stderr.contains(&arrow) {
                fail(format!("no `{arrow}` line"));
            }
        }
    }
    for s in &c.says {
        if !stderr.contains(s) {
            fail(format!("stderr does not say `{s}`"));
        }
    }
    if let Some(h) = c.help
        && !stderr.lines().any(|l| l.contains("help:") && l.contains(h))
    {
        fail(format!("no `help:` line containing `{h}`"));
    }
    if !stderr.contains("nothing was written") {
        fail("the summary does not say `nothing was written`".into());
    }
    // Nothing was created: no out/, no staging directory left behind.
    let mut present: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) => vec![format!("<cannot list: {e}>")],
    };
    present.sort();
    written.sort();
    if present != written {
        fail(format!(
            "directory holds {present:?} after the run, expected only {written:?} (out/ must not be created)"
        ));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "[{name}]\n  - {}\n--- stderr:\n{stderr}",
            failures.join("\n  - ")
        ))
    }
}

/// Runs the cases (in parallel: a few are slow in debug builds) with the
/// hostile-input runner, failing with every broken expectation at once.
fn run(cases: &[Case]) {
    crate::hostile::run_parallel(cases, |c| c.name, check);
}

fn cases_with(bug: Option<Bug>) -> Vec<Case> {
    cases().into_iter().filter(|c| c.bug == bug).collect()
}

#[test]
fn case_names_are_unique() {
    let all = cases();
    let names: BTreeSet<&str> = all.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), all.len(), "duplicate case names");
}

#[test]
fn malformed_inputs_fail_closed() {
    run(&cases_with(None));
}

#[test]
fn regression_syntax_error_positions() {
    run(&cases_with(Some(Bug::SyntaxPosition)));
}

#[test]
fn regression_encoding_error_positions() {
    run(&cases_with(Some(Bug::EncodingPosition)));
}

#[test]
fn regression_tenant_loader_error_positions() {
    run(&cases_with(Some(Bug::TenantLoaderPosition)));
}

#[test]
fn regression_anchor_error_positions() {
    run(&cases_with(Some(Bug::AnchorPosition)));
}

#[test]
fn regression_integer_overflow() {
    run(&cases_with(Some(Bug::IntegerOverflow)));
}

// ---- cases that need more than one file or a pre-existing target ----

/// A fresh directory with `tenant.yaml` (with `extra_tenant` lines appended to
/// its groups) and the named policy files.
fn setup(files: &[(&str, &str)], extra_tenant: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join(TENANT),
        format!("{GOOD_TENANT}{extra_tenant}"),
    )
    .expect("write tenant.yaml");
    for (name, body) in files {
        let path = tmp.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create policy directory");
        }
        std::fs::write(&path, body).unwrap_or_else(|e| panic!("write {name}: {e}"));
    }
    tmp
}

fn build(dir: &Path, paths: &[&str], out: &str) -> (Option<i32>, String) {
    let mut args = vec!["build"];
    args.extend(paths);
    args.extend(["--tenant", TENANT, "--out", out]);
    let output = caac(dir, &args);
    let (stdout, stderr) = text(&output);
    assert!(!stderr.contains("panicked"), "caac panicked:\n{stderr}");
    assert!(stdout.is_empty(), "stdout is not empty: {stdout:?}");
    (output.status.code(), stderr)
}

#[test]
fn country_code_no_stays_a_string() {
    let policy = edit("[Pilot]", "[NO]").replacen("displayName: Test", "displayName: NO", 1);
    let tmp = setup(
        &[(POLICY, &policy)],
        "  NO: 0a0b0c0d-0000-4000-8000-000000000001\n",
    );
    let (code, stderr) = build(tmp.path(), &[POLICY], "out");
    assert_eq!(code, Some(0), "group `NO` must resolve:\n{stderr}");
    let body = std::fs::read_to_string(tmp.path().join("out/NO.json"))
        .unwrap_or_else(|e| panic!("out/NO.json: {e}\n{stderr}"));
    let body: serde_json::Value = serde_json::from_str(&body).expect("out/NO.json is JSON");
    assert_eq!(body["displayName"], "NO", "displayName `NO` stays a string");
    assert_eq!(
        body["conditions"]["users"]["includeGroups"],
        serde_json::json!(["0a0b0c0d-0000-4000-8000-000000000001"]),
        "group `NO` resolves through the tenant file"
    );
}

#[test]
fn symlink_loop_in_a_directory_terminates() {
    let second = edit("displayName: Test", "displayName: Second");
    let tmp = setup(&[("pol/a.yaml", GOOD), ("pol/sub/b.yaml", &second)], "");
    let pol = tmp.path().join("pol");
    std::os::unix::fs::symlink(&pol, pol.join("loop")).expect("symlink pol/loop -> pol");
    std::os::unix::fs::symlink("..", pol.join("sub/up")).expect("symlink pol/sub/up -> ..");

    let output = assert_cmd::Command::cargo_bin("caac")
        .expect("caac binary")
        .current_dir(tmp.path())
        .args([
            "--color", "never", "build", "pol", "--tenant", TENANT, "--out", "out",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("caac terminates within 60 s on a symlink loop");
    let (_, stderr) = text(&output);
    assert!(!stderr.contains("panicked"), "caac panicked:\n{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let names: Vec<String> = snapshot_dir(&tmp.path().join("out"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        ["Second.json", "Test.json", "manifest.json"],
        "{stderr}"
    );
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("out/manifest.json")).expect("manifest.json"),
    )
    .expect("manifest is JSON");
    let sources: Vec<&str> = manifest["policies"]
        .as_array()
        .expect("policies array")
        .iter()
        .filter_map(|p| p["source"].as_str())
        .collect();
    assert_eq!(sources, ["pol/a.yaml", "pol/sub/b.yaml"], "each file once");
}

#[test]
fn out_is_a_regular_file() {
    let tmp = setup(&[(POLICY, GOOD)], "");
    let target = tmp.path().join("target.txt");
    std::fs::write(&target, "precious\n").expect("write target.txt");
    let (code, stderr) = build(tmp.path(), &[POLICY], "target.txt");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("target.txt exists and is not a caac output directory"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&target).expect("target.txt still exists"),
        b"precious\n",
        "the file is untouched"
    );
}

#[test]
fn out_is_a_foreign_directory() {
    let tmp = setup(&[(POLICY, GOOD)], "");
    let foreign = tmp.path().join("docs");
    std::fs::create_dir(&foreign).expect("create docs/");
    std::fs::write(foreign.join("notes.md"), "# keep me\n").expect("write notes.md");
    let before = snapshot_dir(&foreign);
    let (code, stderr) = build(tmp.path(), &[POLICY], "docs");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("docs exists and is not a caac output directory"),
        "{stderr}"
    );
    assert_eq!(snapshot_dir(&foreign), before, "docs/ is untouched");
}

#[test]
fn failing_run_leaves_previous_output_intact() {
    let tmp = setup(&[(POLICY, GOOD)], "");
    let (code, stderr) = build(tmp.path(), &[POLICY], "out");
    assert_eq!(code, Some(0), "the first build succeeds:\n{stderr}");
    let out = tmp.path().join("out");
    let before = snapshot_dir(&out);
    assert_eq!(before.len(), 2, "Test.json and manifest.json");

    std::fs::write(tmp.path().join(POLICY), plus("state: on\n")).expect("rewrite policy");
    let (code, stderr) = build(tmp.path(), &[POLICY], "out");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(snapshot_dir(&out), before, "out/ is byte-identical");
    let mut entries: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("list tempdir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        ["out", POLICY, TENANT],
        "no staging directory left"
    );
}

#[test]
fn same_display_name_in_two_files() {
    let tmp = setup(&[("a.yaml", GOOD), ("b.yaml", GOOD)], "");
    let (code, stderr) = build(tmp.path(), &["a.yaml", "b.yaml"], "out");
    assert_eq!(code, Some(1), "a lint finding exits 1:\n{stderr}");
    assert!(
        stderr.contains(
            "error[CA802 duplicate-display-name]: display name `Test` is already used in a.yaml"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(" --> b.yaml:1:14\n"), "{stderr}");
    assert!(!tmp.path().join("out").exists(), "out/ is not created");
}
