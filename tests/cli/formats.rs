//! `caac lint` output formats end to end: JSON positions inside a Graph export,
//! SARIF validated against the OASIS SARIF 2.1.0 schema
//! (`tests/fixtures/sarif-2.1.0.json`), GitHub workflow commands, exit codes per
//! `--fail-level`, `--output`, and the starter set linting clean.

use crate::common::{caac, root, text};
use serde_json::Value;
use std::path::Path;

/// The rule fixtures' tenant: `Emergency Access` is group 1111…, `Pilot` 2222….
const TENANT: &str = "tests/fixtures/rules/tenant.yaml";
/// Token Protection aimed at `Office365`, Windows + Android, browser + desktop.
const OFFICE365: &str = "tests/fixtures/exports/token-protection-office365.json";
/// Token Protection done right (Exchange + SharePoint, Windows, desktop, report-only).
const CLEAN: &str = "tests/fixtures/exports/token-protection-clean.json";

/// `caac lint ARGS` from `dir`: exit code, stdout, stderr. Never a panic.
fn lint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = caac(dir, &[&["lint"], args].concat());
    let (stdout, stderr) = text(&out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// `caac lint ARGS --format json` from the repository root: exit code and document.
fn lint_json(args: &[&str]) -> (i32, Value) {
    let (code, stdout, stderr) = lint(&root(), &[args, &["--format", "json"]].concat());
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}\n{stdout}\n{stderr}"));
    (code, doc)
}

/// 1-based line and column (in characters) of the first `needle` in a repo file.
fn position(file: &str, needle: &str) -> (u64, u64) {
    let source = std::fs::read_to_string(root().join(file)).unwrap();
    for (i, line) in source.lines().enumerate() {
        if let Some(at) = line.find(needle) {
            return (i as u64 + 1, line[..at].chars().count() as u64 + 1);
        }
    }
    panic!("{needle} not in {file}");
}

/// The diagnostics of `rule`.
fn of_rule<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule)
        .collect()
}

#[test]
fn json_positions_token_protection_findings_in_a_graph_export() {
    let (code, doc) = lint_json(&[OFFICE365, "--tenant", TENANT, "--partial"]);
    assert_eq!(code, 1, "CA402-CA404 are errors: {doc:#}");
    assert_eq!(doc["version"], 1);
    assert!(doc["skipped"].is_array());

    // Each finding lands on the offending value of the export itself, with the
    // Graph pointer, not the spec one. The numbers are the fixture's lines;
    // `position` re-derives them so a fixture edit fails with a clear message.
    for (rule, name, needle, line, column, pointer) in [
        (
            "CA402",
            "tp-office365-or-all",
            "\"Office365\"",
            43,
            9,
            "/conditions/applications/includeApplications/0",
        ),
        (
            "CA403",
            "tp-platform",
            "\"android\"",
            33,
            9,
            "/conditions/platforms/includePlatforms/1",
        ),
        (
            "CA404",
            "tp-client-app-types",
            "\"browser\"",
            25,
            7,
            "/conditions/clientAppTypes/0",
        ),
    ] {
        assert_eq!(position(OFFICE365, needle), (line, column), "{needle}");
        let found = of_rule(&doc, rule);
        assert_eq!(found.len(), 1, "{rule}: {doc:#}");
        let d = found[0];
        assert_eq!(d["name"], name);
        assert_eq!(d["severity"], "error");
        assert_eq!(d["file"], OFFICE365);
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(line), Some(column)),
            "{rule}"
        );
        assert_eq!(d["pointer"], pointer);
        assert_eq!(d["policy"], "CA410-TokenProtection-Office365");
        assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(d["help"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // The pilot group is included and break-glass excluded: no other per-policy
    // Token Protection finding.
    for rule in ["CA401", "CA405", "CA406"] {
        assert!(of_rule(&doc, rule).is_empty(), "{rule}: {doc:#}");
    }

    // Sorted by file, line, column, rule.
    let keys: Vec<(String, u64, u64, String)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
                d["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn clean_token_protection_export_has_no_policy_findings() {
    let (code, doc) = lint_json(&[CLEAN, "--tenant", TENANT, "--partial"]);
    assert_eq!(code, 0, "{doc:#}");
    let diagnostics = doc["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics.iter().all(|d| d["severity"] != "error"),
        "{doc:#}"
    );
    // CA401-CA406 judge the policy itself: none may fire. CA407 is a set rule
    // (companion policies elsewhere in the set) that `--partial` does not skip
    // today; it is tolerated here, as a warning, and nothing else from CA4xx.
    for d in diagnostics {
        let rule = d["rule"].as_str().unwrap();
        if rule.starts_with("CA4") {
            assert_eq!(rule, "CA407", "{doc:#}");
            assert_eq!(d["severity"], "warning");
        }
    }
}

/// The OASIS SARIF 2.1.0 schema (draft-07), see tests/fixtures/README.md.
fn sarif_schema() -> Value {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(root().join("tests/fixtures/sarif-2.1.0.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(
        schema["properties"]["version"]["enum"],
        serde_json::json!(["2.1.0"])
    );
    for def in ["result", "location", "reportingDescriptor", "run", "region"] {
        assert!(schema["definitions"][def].is_object(), "{def}");
    }
    schema
}

/// Schema violations of a SARIF log (format assertions included), as
/// `pointer: message`.
fn sarif_errors(log: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    validator
        .iter_errors(log)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect()
}

/// `/runs/0/tool/driver/rules/N/helpUri`: the relative `docs/rules.md#caNNN`
/// that `sarif_help_uris_are_absolute` tracks.
fn is_help_uri_error(e: &str) -> bool {
    e.starts_with("/runs/0/tool/driver/rules/") && e.contains("/helpUri:")
}

/// `caac lint ARGS --format sarif` from `dir`: exit code and log.
fn lint_sarif(dir: &Path, args: &[&str]) -> (i32, Value) {
    let (code, stdout, stderr) = lint(dir, &[args, &["--format", "sarif"]].concat());
    let log = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}\n{stdout}\n{stderr}"));
    (code, log)
}

/// Schema-valid (but for the known helpUri problem) with rule metadata and
/// positioned results.
fn check_sarif(log: &Value) {
    let errors: Vec<String> = sarif_errors(log)
        .into_iter()
        .filter(|e| !is_help_uri_error(e))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "caac");
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.len() >= 50, "every rule is described");
    for r in rules {
        assert!(
            r["id"].as_str().is_some_and(|id| id.starts_with("CA")),
            "{r}"
        );
        assert!(r["helpUri"].as_str().is_some_and(|u| !u.is_empty()), "{r}");
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap()),
            "{r}"
        );
    }
    for result in run["results"].as_array().unwrap() {
        assert!(result["ruleId"].is_string(), "{result}");
        assert!(
            ["error", "warning", "note"].contains(&result["level"].as_str().unwrap()),
            "{result}"
        );
        assert!(result["message"]["text"].is_string(), "{result}");
        if let Some(i) = result["ruleIndex"].as_u64() {
            assert_eq!(
                rules[i as usize]["id"], result["ruleId"],
                "ruleIndex points at its rule"
            );
        }
        let location = &result["locations"][0];
        if let Some(physical) = location.get("physicalLocation") {
            assert!(physical["artifactLocation"]["uri"].is_string(), "{result}");
            assert!(
                physical["region"]["startLine"]
                    .as_u64()
                    .is_some_and(|l| l >= 1),
                "{result}"
            );
        } else {
            assert!(location["logicalLocations"].is_array(), "{result}");
        }
    }
}

#[test]
fn sarif_of_a_graph_export_validates_and_positions_results() {
    let (code, log) = lint_sarif(&root(), &[OFFICE365, "--tenant", TENANT, "--partial"]);
    assert_eq!(code, 1);
    check_sarif(&log);
    // The validator is not vacuous: a result without its message is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(
        sarif_errors(&broken)
            .iter()
            .any(|e| e.starts_with("/runs/0/results/0"))
    );
    let run = &log["runs"][0];
    let rule = |id: &str| {
        run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} described"))
            .clone()
    };
    assert_eq!(rule("CA402")["name"], "tp-office365-or-all");
    assert_eq!(rule("CA402")["defaultConfiguration"]["level"], "error");
    assert_eq!(rule("CA407")["defaultConfiguration"]["level"], "warning");
    assert_eq!(rule("CA205")["defaultConfiguration"]["level"], "note");

    let results = run["results"].as_array().unwrap();
    for (id, line, column) in [("CA402", 43, 9), ("CA403", 33, 9), ("CA404", 25, 7)] {
        let r = results
            .iter()
            .find(|r| r["ruleId"] == id)
            .unwrap_or_else(|| panic!("{id} reported"));
        assert_eq!(r["level"], "error");
        let physical = &r["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], OFFICE365);
        assert_eq!(physical["region"]["startLine"], line, "{id}");
        assert_eq!(physical["region"]["startColumn"], column, "{id}");
        assert_eq!(r["properties"]["policy"], "CA410-TokenProtection-Office365");
    }
}

#[test]
fn sarif_of_the_starter_set_validates() {
    let (code, log) = lint_sarif(&root(), &["policies", "--tenant", "tenant.yaml"]);
    assert_eq!(code, 0);
    check_sarif(&log);
}

/// A spec with a misspelt key (`grups`, line 3 column 14).
const TYPO: &str = "\
displayName: CA420-Typo
users:
  include: { grups: [Pilot] }
applications:
  include: [All]
grant: { builtInControls: [mfa] }
";

#[test]
fn sarif_of_yaml_with_errors_validates() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("typo.yaml"), TYPO).unwrap();
    std::fs::write(tmp.path().join("broken.yaml"), "displayName: [\n").unwrap();
    let tenant = root().join(TENANT);
    let fail = root().join("tests/fixtures/rules/CA402/fail.yaml");
    // Without --partial: the set-level findings (CA7xx) are in the log too.
    let (code, log) = lint_sarif(
        tmp.path(),
        &[
            ".",
            fail.to_str().unwrap(),
            "--tenant",
            tenant.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "malformed input");
    check_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for id in ["yaml-syntax", "unknown-field", "CA402"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let typo = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-field")
        .unwrap();
    assert_eq!(typo["level"], "error");
    assert_eq!(
        typo["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        typo["locations"][0]["physicalLocation"]["region"]["startColumn"],
        14
    );
}

#[test]
fn sarif_help_uris_are_absolute() {
    let (_, log) = lint_sarif(&root(), &[OFFICE365, "--tenant", TENANT, "--partial"]);
    let errors = sarif_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_set_findings_have_a_physical_location() {
    let fail = "tests/fixtures/rules/CA402/fail.yaml";
    let (_, log) = lint_sarif(&root(), &[fail, "--tenant", TENANT]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"].as_str().unwrap().starts_with("CA7"))
    );
    for r in results {
        assert!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string(),
            "{r}"
        );
    }
}

#[test]
fn github_format_emits_workflow_commands() {
    let (code, stdout, _) = lint(
        &root(),
        &[
            OFFICE365,
            "--tenant",
            TENANT,
            "--partial",
            "--format",
            "github",
        ],
    );
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "),
            "one command per line, newlines escaped: {l}"
        );
    }
    let prefix =
        format!("::error file={OFFICE365},line=43,col=9,title=CA402 tp-office365-or-all::");
    let ca402: Vec<&&str> = lines.iter().filter(|l| l.starts_with(&prefix)).collect();
    assert_eq!(ca402.len(), 1, "{stdout}");
    assert!(
        ca402[0][prefix.len()..]
            .starts_with("Token Protection must not target the `Office365` app group")
    );
    assert!(
        ca402[0].contains("%0Ahelp: "),
        "help on its own line, escaped"
    );
    assert!(stdout.contains(&format!(
        "::error file={OFFICE365},line=33,col=9,title=CA403 tp-platform::"
    )));
    assert!(stdout.contains(&format!(
        "::error file={OFFICE365},line=25,col=7,title=CA404 tp-client-app-types::"
    )));
}

/// An enforced legacy-auth block: only CA201 (warning) under `--partial`.
const ENABLED: &str = "\
displayName: CA001-BlockLegacyAuthentication
state: enabled
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
clientAppTypes: [exchangeActiveSync, other]
grant: { builtInControls: [block] }
";

/// A disabled pilot: only CA205 (info) under `--partial`.
const DISABLED: &str = "\
displayName: CA002-OldPilot
state: disabled
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
grant: { builtInControls: [mfa] }
";

#[test]
fn fail_level_decides_the_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("enabled.yaml"), ENABLED).unwrap();
    std::fs::write(tmp.path().join("disabled.yaml"), DISABLED).unwrap();
    let tenant = root().join(TENANT);
    let tenant = tenant.to_str().unwrap();
    for (file, rule, level, expected) in [
        ("enabled.yaml", "CA201", "error", 0),
        ("enabled.yaml", "CA201", "warning", 1),
        ("enabled.yaml", "CA201", "info", 1),
        ("disabled.yaml", "CA205", "error", 0),
        ("disabled.yaml", "CA205", "warning", 0),
        ("disabled.yaml", "CA205", "info", 1),
    ] {
        let (code, stdout, _) = lint(
            tmp.path(),
            &[file, "--tenant", tenant, "--partial", "--fail-level", level],
        );
        assert_eq!(code, expected, "{file} --fail-level {level}\n{stdout}");
        assert!(stdout.contains(&format!("[{rule} ")), "{stdout}");
        assert!(stdout.contains("0 error(s)"), "{stdout}");
    }
}

#[test]
fn malformed_input_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("broken.yaml"), "displayName: [\n").unwrap();
    std::fs::write(
        tmp.path().join("truncated.json"),
        "{\n  \"displayName\": \"CA420-Truncated\",\n  \"conditions\": {\n",
    )
    .unwrap();
    let tenant = root().join(TENANT);
    for file in ["broken.yaml", "truncated.json"] {
        for level in ["error", "info"] {
            let (code, stdout, _) = lint(
                tmp.path(),
                &[
                    file,
                    "--tenant",
                    tenant.to_str().unwrap(),
                    "--fail-level",
                    level,
                ],
            );
            assert_eq!(code, 2, "{file}\n{stdout}");
            assert!(stdout.contains(&format!("--> {file}:")), "{stdout}");
        }
    }
}

#[test]
fn output_writes_the_report_file_and_nothing_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report.json");
    let (code, stdout, stderr) = lint(
        &root(),
        &[
            OFFICE365,
            "--tenant",
            TENANT,
            "--partial",
            "--format",
            "json",
            "--output",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "findings still decide the exit code");
    assert_eq!(stdout, "");
    assert_eq!(stderr, "");
    let doc: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(of_rule(&doc, "CA402").len(), 1);
    // The same document as on stdout.
    let (_, direct) = lint_json(&[OFFICE365, "--tenant", TENANT, "--partial"]);
    assert_eq!(doc, direct);
}

#[test]
fn starter_set_lints_clean() {
    // Defaults: policies/ and tenant.yaml, the whole set (CA7xx included).
    // The date is pinned: CA410 is staged (`rollout:`), and CA207 would warn
    // once its report-only period passes the 60-day limit.
    let out = assert_cmd::Command::cargo_bin("caac")
        .unwrap()
        .current_dir(root())
        .env("CAAC_TODAY", "2026-12-01")
        .args(["--color", "never", "lint", "--fail-level", "warning"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    let code = out.status.code().unwrap_or(-1);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("0 error(s), 0 warning(s)"), "{stdout}");
}

/// A policy whose file name and group name hold every character the Azure
/// Pipelines logging commands escape: `;` `]` `%` (and the help adds a newline).
const AZURE_HOSTILE: &str = "\
displayName: \"Block 100%; legacy] auth\"
state: enabledForReportingButNotEnforced
users:
  include: { groups: [\"Pilot; 100%] team\"] }
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
clientAppTypes: [exchangeActiveSync, other]
grant: { builtInControls: [block] }
";

/// `--format azure`: one `##vso[task.logissue …]` per error or warning, infos
/// left out, properties escaped with `%AZP25` `%0D` `%0A` `%3B` `%5D` and the
/// message with `%AZP25` `%0D` `%0A`
/// (https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands;
/// the escapes are those of Microsoft's task library, taskcommand.ts).
#[test]
fn azure_format_golden() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("CA9;x]%.yaml"), AZURE_HOSTILE).unwrap();
    std::fs::write(tmp.path().join("enabled.yaml"), ENABLED).unwrap();
    std::fs::write(tmp.path().join("disabled.yaml"), DISABLED).unwrap();
    let tenant = root().join(TENANT);
    let (code, stdout, _) = lint(
        tmp.path(),
        &[
            "CA9;x]%.yaml",
            "enabled.yaml",
            "disabled.yaml",
            "--tenant",
            tenant.to_str().unwrap(),
            "--partial",
            "--format",
            "azure",
            "--azure-complete",
        ],
    );
    // The unknown group is an input error.
    assert_eq!(code, 2, "{stdout}");
    for l in stdout.lines() {
        assert!(l.starts_with("##vso[task."), "one command per line: {l}");
    }
    assert!(!stdout.contains("CA205"), "infos are left out: {stdout}");
    insta::assert_snapshot!(stdout);
}

/// `--azure-complete` closes with the result that matches the exit code:
/// Failed when caac exits non-zero, SucceededWithIssues when warnings were
/// logged below --fail-level, Succeeded when nothing was logged.
#[test]
fn azure_complete_follows_the_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("enabled.yaml"), ENABLED).unwrap();
    std::fs::write(tmp.path().join("disabled.yaml"), DISABLED).unwrap();
    let tenant = root().join(TENANT);
    let tenant = tenant.to_str().unwrap();
    for (file, level, expected, result, issues) in [
        ("enabled.yaml", "error", 0, "SucceededWithIssues", 1),
        ("enabled.yaml", "warning", 1, "Failed", 1),
        ("disabled.yaml", "error", 0, "Succeeded", 0),
        ("disabled.yaml", "info", 1, "Failed", 0),
    ] {
        let args = [
            file,
            "--tenant",
            tenant,
            "--partial",
            "--fail-level",
            level,
            "--format",
            "azure",
        ];
        let (code, stdout, _) = lint(tmp.path(), &[&args[..], &["--azure-complete"]].concat());
        assert_eq!(code, expected, "{file} {level}\n{stdout}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            lines.last().copied(),
            Some(format!("##vso[task.complete result={result};]").as_str()),
            "{stdout}"
        );
        assert_eq!(lines.len(), issues + 1, "{stdout}");
        // Without the flag: no task.complete.
        let (_, plain, _) = lint(tmp.path(), &args);
        assert!(!plain.contains("task.complete"), "{plain}");
        assert_eq!(plain.lines().count(), issues, "{plain}");
    }
}

#[test]
fn azure_complete_needs_the_azure_format() {
    let (code, stdout, stderr) = lint(&root(), &["--azure-complete"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("--format azure"), "{stderr}");
}
