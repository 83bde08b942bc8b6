//! `caac monitor`: Log Analytics / Microsoft Sentinel KQL for each policy,
//! so an analyst can see what a policy does (or would do, in report-only)
//! before and after it is enforced.
//!
//! Contract: [`generate`] turns one [`Target`] (a policy's name, its live id
//! when known, whether it uses token protection) and a [`Lookback`] into the
//! text of one `.kql` file. Pure and deterministic: no I/O, no clock. The
//! file is a commented header followed by queries separated by one blank
//! line; **each query is complete on its own** (it repeats the `let`
//! prelude) and contains no blank line, because the Log Analytics editor
//! runs the block of lines around the cursor, one query at a time
//! (<https://learn.microsoft.com/azure/azure-monitor/logs/log-analytics-tutorial>).
//! The command (`commands/monitor.rs`): it loads the policies through [`crate::check`],
//! finds each policy's id (the spec's `id:`, else the lock file entry under
//! the spec's key, read through [`crate::deploy::lock::Lock`]), and writes
//! one file per policy with [`crate::emit::write_dir`] (plus a
//! `manifest.json`, so the next run may replace the directory) or prints
//! them to stdout.
//!
//! The queries (designed for this project): Q1 outcome summary, Q2 who is / would be blocked, Q3 allow /
//! challenge / block per application, Q4 token-protection readiness (only
//! for policies with `session.tokenProtection`), Q5 state history from the
//! audit log (only when the id is known). Why the prelude normalises:
//! `ConditionalAccessPolicies`, `DeviceDetail` and
//! `TokenProtectionStatusDetails` are `dynamic` in `SigninLogs` but `string`
//! in `AADNonInteractiveUserSignInLogs`
//! (<https://learn.microsoft.com/azure/azure-monitor/reference/tables/aadnoninteractiveusersigninlogs>),
//! and a raw `union` would split them into `_dynamic` / `_string` columns.
//! `todynamic()` accepts both. Token protection shows up in
//! `sessionControlsNotSatisfied` as `SignInTokenProtection`, and as
//! `Binding` before mid-2023, so Q4 accepts both
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>).
//!
//! A policy that is not deployed yet has no id: its queries match
//! `ConditionalAccessPolicies[].displayName` instead, and the header says
//! that a rename breaks the match. Every string put into a query goes
//! through [`kql_string`]; names in comments through [`comment_text`].
//! The unit tests check the structure (quotes, brackets, blank-line
//! separation); `tools/kusto/run.sh` (run by `.ci/run`) parses and binds
//! every query of the starter set with Microsoft's Kusto language service
//! against the table schemas of the Azure Monitor reference.

/// What `caac monitor` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/monitor.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The policies and how names resolve.
    pub inputs: crate::load::Inputs,
    /// Only these policies (displayName or path); empty: every policy.
    pub policies: Vec<String>,
    /// The lock file with the ids `caac apply` learned.
    pub lock: std::path::PathBuf,
    /// How far back the queries look.
    pub lookback: Lookback,
    /// The product's format.
    pub format: Format,
    /// The output directory; `None`: stdout.
    pub output: Option<std::path::PathBuf>,
}

/// `caac monitor`'s product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The KQL queries.
    Kql,
    /// The manifest.
    Json,
}

/// How far back the queries look: a positive number of days or hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookback {
    /// The number.
    pub amount: u32,
    /// `d` or `h`.
    pub unit: char,
}

/// The longest lookback accepted: Log Analytics keeps interactive data for
/// at most two years (730 days); anything longer is a typo.
pub const MAX_DAYS: u32 = 730;

impl Lookback {
    /// Parses `14d` / `36h`. The error says what is accepted.
    pub fn parse(s: &str) -> Result<Lookback, String> {
        let bad = || {
            format!(
                "invalid --lookback `{s}`: expected a whole number of days or hours such as `14d` or `36h`, between 1h and {MAX_DAYS}d"
            )
        };
        let (digits, unit) = match s.char_indices().last() {
            Some((i, c @ ('d' | 'h'))) => (&s[..i], c),
            _ => return Err(bad()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let amount: u32 = digits.parse().map_err(|_| bad())?;
        let hours = if unit == 'd' {
            u64::from(amount) * 24
        } else {
            u64::from(amount)
        };
        if amount == 0 || hours > u64::from(MAX_DAYS) * 24 {
            return Err(bad());
        }
        Ok(Lookback { amount, unit })
    }
}

impl std::fmt::Display for Lookback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.amount, self.unit)
    }
}

/// One policy to monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The display name.
    pub name: String,
    /// The live policy id, when known.
    pub id: Option<String>,
    /// Where the id came from ("the spec's id", "caac.lock"), for the header.
    pub id_source: Option<String>,
    /// The spec (path, `#pointer` inside an export).
    pub source: String,
    /// The policy has `session.tokenProtection`.
    pub token_protection: bool,
    /// The policy state as Graph spells it.
    pub state: &'static str,
}

/// A KQL string literal: double-quoted, with `\`, `"`, newline, return and
/// tab escaped (the escapes KQL documents). KQL has no escape for other
/// control characters, so they become U+FFFD: such a name cannot be matched
/// exactly, but the literal can never break out of its quotes.
/// (<https://learn.microsoft.com/kusto/query/scalar-data-types/string>)
pub fn kql_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text safe inside a `//` comment: no line breaks or control characters.
pub fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The `let` prelude every query starts with (rules.md §3.2 Q0).
fn prelude(t: &Target, lookback: Lookback) -> String {
    let (binding, filter) = match &t.id {
        Some(id) => (
            format!("let policyId = {};", kql_string(&id.to_ascii_lowercase())),
            "tostring(Cap.id) == policyId",
        ),
        None => (
            format!("let policyName = {};", kql_string(&t.name)),
            "tostring(Cap.displayName) == policyName",
        ),
    };
    format!(
        r#"{binding}
let lookback = {lookback};
let CaSignIns = () {{
    union
    (SigninLogs
        | where TimeGenerated > ago(lookback)
        | project TimeGenerated, Id, CorrelationId, UserPrincipalName, UserType, AppDisplayName,
                  ResourceDisplayName, ClientAppUsed, Interactive = true,
                  Caps = todynamic(ConditionalAccessPolicies),
                  Os = tostring(todynamic(DeviceDetail).operatingSystem),
                  Tp = todynamic(column_ifexists("TokenProtectionStatusDetails", dynamic(null)))),
    (AADNonInteractiveUserSignInLogs
        | where TimeGenerated > ago(lookback)
        | project TimeGenerated, Id, CorrelationId, UserPrincipalName, UserType, AppDisplayName,
                  ResourceDisplayName, ClientAppUsed, Interactive = false,
                  Caps = todynamic(ConditionalAccessPolicies),
                  Os = tostring(todynamic(DeviceDetail).operatingSystem),
                  Tp = todynamic(column_ifexists("TokenProtectionStatusDetails", "")))
    | mv-expand Cap = Caps
    | where {filter}
    | extend Outcome = tostring(Cap.result)
}};
"#
    )
}

/// The text of one `.kql` file for `t` (see the module docs).
pub fn generate(t: &Target, lookback: Lookback) -> String {
    let name = comment_text(&t.name);
    let mut out = String::new();
    out.push_str(&format!("// caac monitor: {name}\n"));
    match &t.id {
        Some(id) => out.push_str(&format!(
            "// Policy id: {} (from {})\n",
            comment_text(&id.to_ascii_lowercase()),
            t.id_source.as_deref().unwrap_or("the spec")
        )),
        None => out.push_str(
            "// Policy id: not deployed yet — matched by displayName, which can change;\n\
             //   rerun `caac monitor` after `caac apply` to match by id.\n",
        ),
    }
    out.push_str(&format!(
        "// Source: {}\n// State in the spec: {}\n// Lookback: {lookback}\n",
        comment_text(&t.source),
        t.state
    ));
    out.push_str(
        "// How to run: open Log Analytics (Entra admin center > Monitoring & health > Log Analytics,\n\
         //   or the Microsoft Sentinel workspace > Logs), paste this file, put the cursor inside one\n\
         //   query and press Run. Each query below is complete (blank lines separate them).\n\
         // Needs the SigninLogs and AADNonInteractiveUserSignInLogs diagnostic settings.\n\
         // Rows are per request: counts are distinct Id values.\n",
    );
    let pre = prelude(t, lookback);
    let mut query = |title: &str, about: &str, body: &str| {
        out.push('\n');
        out.push_str(&format!("// ── {title}\n"));
        for line in about.lines() {
            out.push_str(&format!("// {line}\n"));
        }
        out.push_str(&pre);
        out.push_str(body);
    };
    query(
        "Q1 Outcome summary",
        "One row per table (interactive or not): requests per result of this policy.\n\
         Report-only: reportOnlyFailure = would block, reportOnlyInterrupted = would prompt (MFA, terms).",
        r#"CaSignIns()
| summarize Requests = dcount(Id), Users = dcount(UserPrincipalName),
            success = dcountif(Id, Outcome == "success"),
            failure = dcountif(Id, Outcome == "failure"),
            notApplied = dcountif(Id, Outcome == "notApplied"),
            reportOnlySuccess = dcountif(Id, Outcome == "reportOnlySuccess"),
            reportOnlyFailure = dcountif(Id, Outcome == "reportOnlyFailure"),
            reportOnlyNotApplied = dcountif(Id, Outcome == "reportOnlyNotApplied"),
            reportOnlyInterrupted = dcountif(Id, Outcome == "reportOnlyInterrupted"),
            other = dcountif(Id, Outcome !in ("success", "failure", "notApplied", "reportOnlySuccess", "reportOnlyFailure", "reportOnlyNotApplied", "reportOnlyInterrupted"))
          by Interactive
| order by Interactive desc
"#,
    );
    query(
        "Q2 Who is (or would be) blocked",
        "Users and apps with a failure or report-only failure/interruption, most requests first.",
        r#"CaSignIns()
| where Outcome in ("failure", "reportOnlyFailure", "reportOnlyInterrupted")
| summarize Requests = dcount(Id), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated),
            Clients = make_set(ClientAppUsed, 10), Platforms = make_set(Os, 10)
          by UserPrincipalName, UserType, AppDisplayName, ResourceDisplayName, Outcome
| order by Requests desc
"#,
    );
    query(
        "Q3 Block, challenge or allow per application",
        "The go/no-go view for enforcement: where the policy applied, how often it blocked.",
        r#"CaSignIns()
| where Outcome !in ("notApplied", "reportOnlyNotApplied", "notEnabled")
| extend Verdict = case(Outcome in ("failure", "reportOnlyFailure"), "Block",
                        Outcome == "reportOnlyInterrupted", "Challenge",
                        "Allow")
| summarize Requests = dcount(Id),
            Block = dcountif(Id, Verdict == "Block"),
            Challenge = dcountif(Id, Verdict == "Challenge"),
            Allow = dcountif(Id, Verdict == "Allow"),
            BlockedUsers = dcountif(UserPrincipalName, Verdict == "Block")
          by AppDisplayName
| extend PctBlocked = round(100.0 * Block / Requests, 2)
| order by Requests desc
"#,
    );
    if t.token_protection {
        query(
            "Q4 Token protection readiness",
            "Requests whose session was not bound (sessionControlsNotSatisfied names SignInTokenProtection,\n\
             or Binding before mid-2023). Status codes: 1002 no device state, 1003 device state unsupported,\n\
             1004 not hardware-backed (Apple, self-remediable), 1006 OS version unsupported,\n\
             1007 not hardware-backed and not the device owner, 1008 client not using the broker (WAM / SSO extension).",
            r#"CaSignIns()
| where Outcome !in ("notApplied", "reportOnlyNotApplied", "notEnabled")
| extend Bound = tostring(Tp.signInSessionStatus), Code = tostring(Tp.signInSessionStatusCode),
         Unsatisfied = tostring(Cap.sessionControlsNotSatisfied)
| extend Fails = Unsatisfied has "SignInTokenProtection" or Unsatisfied has "Binding"
| extend SelfFixable = Fails and Code in ("1003", "1004")
| summarize Requests = dcount(Id), Failing = dcountif(Id, Fails),
            SelfFixable = dcountif(Id, SelfFixable), Users = dcount(UserPrincipalName),
            FailingUsers = dcountif(UserPrincipalName, Fails), Platforms = make_set(Os, 10)
          by AppDisplayName, ClientAppUsed, Bound, Code
| order by Failing desc, Requests desc
"#,
        );
    }
    if let Some(id) = &t.id {
        out.push_str(&format!(
            r#"
// ── Q5 State history (audit log)
// Every change to this policy in the last 90 days: proves how long it sat in report-only.
let policyId = {};
AuditLogs
| where TimeGenerated > ago(90d)
| where OperationName has "Conditional Access policy"
| mv-expand Target = TargetResources
| where tostring(Target.id) == policyId
| mv-expand Prop = Target.modifiedProperties
| extend NewState = tostring(parse_json(tostring(Prop.newValue)).state),
         OldState = tostring(parse_json(tostring(Prop.oldValue)).state)
| project TimeGenerated, OperationName, Actor = tostring(InitiatedBy.user.userPrincipalName),
          OldState, NewState
| order by TimeGenerated asc
"#,
            kql_string(&id.to_ascii_lowercase())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Structural check (the Kusto language service check is
    /// `tools/kusto/run.sh`): string literals close, brackets balance, and
    /// every query block (text between blank lines, after the header) is
    /// complete.
    pub(crate) fn check_structure(text: &str) -> Result<(), String> {
        let mut stack = Vec::new();
        let mut chars = text.chars().peekable();
        let mut line = 1;
        while let Some(c) = chars.next() {
            match c {
                '\n' => line += 1,
                '/' if chars.peek() == Some(&'/') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            line += 1;
                            break;
                        }
                    }
                }
                '"' => loop {
                    match chars.next() {
                        Some('\\') => {
                            chars.next();
                        }
                        Some('"') => break,
                        Some('\n') | None => return Err(format!("line {line}: unclosed string")),
                        Some(_) => {}
                    }
                },
                '(' | '{' | '[' => stack.push((c, line)),
                ')' | '}' | ']' => {
                    let want = match c {
                        ')' => '(',
                        '}' => '{',
                        _ => '[',
                    };
                    match stack.pop() {
                        Some((open, _)) if open == want => {}
                        other => return Err(format!("line {line}: `{c}` closes {other:?}")),
                    }
                }
                _ => {}
            }
        }
        if let Some((c, l)) = stack.pop() {
            return Err(format!("line {l}: `{c}` never closed"));
        }
        for block in text.split("\n\n").skip(1) {
            let code: Vec<&str> = block
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            if !code.first().is_some_and(|l| l.starts_with("let ")) {
                return Err(format!("query block does not start with `let`: {block}"));
            }
        }
        Ok(())
    }

    fn target(name: &str, id: Option<&str>, tp: bool) -> Target {
        Target {
            name: name.into(),
            id: id.map(str::to_owned),
            id_source: id.map(|_| "caac.lock".to_owned()),
            source: "policies/x.yaml".into(),
            token_protection: tp,
            state: "enabledForReportingButNotEnforced",
        }
    }

    #[test]
    fn lookback_is_validated() {
        assert_eq!(Lookback::parse("14d").unwrap().to_string(), "14d");
        assert_eq!(Lookback::parse("36h").unwrap().to_string(), "36h");
        assert!(Lookback::parse("730d").is_ok());
        for bad in [
            "",
            "d",
            "0d",
            "14",
            "14 d",
            "-1d",
            "1.5d",
            "14m",
            "731d",
            "17521h",
            "99999999999d",
            "１d",
        ] {
            let e = Lookback::parse(bad).unwrap_err();
            assert!(e.contains("14d"), "{bad}: {e}");
        }
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(kql_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(kql_string("x\ny\t"), r#""x\ny\t""#);
        assert_eq!(kql_string("bell\u{7}"), "\"bell\u{fffd}\"");
        assert_eq!(comment_text("a\nb\r"), "a b ");
    }

    #[test]
    fn generated_queries_are_well_formed() {
        for t in [
            target("CA410", Some("0c7E"), true),
            target("CA410", None, true),
            target(r#"Quote " and \ back\"slash"#, None, false),
            target("Line\nbreak // not a comment", Some("1"), false),
        ] {
            let text = generate(&t, Lookback::parse("7d").unwrap());
            check_structure(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(text.contains("Q4 Token"), t.token_protection);
            assert_eq!(text.contains("Q5 State"), t.id.is_some());
            assert!(text.contains("let lookback = 7d;"));
            if let Some(id) = &t.id {
                assert!(text.contains(&format!("let policyId = \"{}\";", id.to_lowercase())));
            } else {
                assert!(text.contains("not deployed yet"));
                assert!(text.contains("tostring(Cap.displayName) == policyName"));
            }
        }
    }

    #[test]
    fn the_checker_catches_breakage() {
        assert!(check_structure("// h\n\nlet a = (1;\n").is_err());
        assert!(check_structure("// h\n\nlet a = \"x;\n").is_err());
        assert!(check_structure("// h\n\nCaSignIns()\n").is_err());
        assert!(check_structure("// h\n\nlet a = \"x\\\"\";\n").is_ok());
    }
}
