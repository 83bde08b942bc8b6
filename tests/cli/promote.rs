//! `caac promote`: the dwell is respected, the spec is edited in place with
//! everything outside the edited values byte-for-byte intact, and the compiled
//! body follows the stage (state and user scope). Every date here is in the
//! past: a day later than the system clock's is refused (tested below), so
//! the tests do not depend on when they run.

use crate::common::{caac, text};
use std::path::Path;

const TENANT: &str = "breakGlass: {groups: [Emergency Access]}
groups:
  Emergency Access: 11111111-1111-4111-8111-111111111111
  MFA Pilot: 22222222-2222-4222-8222-222222222222
";

const SPEC: &str = "# Everyone: MFA. Staged rollout, see change CHG-1234.
displayName: CA010-AllUsers-MFA
rollout:
  stage: reportOnly    # moved on by `caac promote` only
  pilotGroup: MFA Pilot
  reportOnlySince: 2024-11-20
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }   # break glass
applications: { include: [All] }
grant: { builtInControls: [mfa] }
";

fn setup(spec: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("tenant.yaml"), TENANT).unwrap();
    std::fs::create_dir(tmp.path().join("policies")).unwrap();
    std::fs::write(tmp.path().join("policies/mfa.yaml"), spec).unwrap();
    tmp
}

fn promote(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = caac(dir, &[&["promote"], args].concat());
    let (stdout, stderr) = text(&out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn spec(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("policies/mfa.yaml")).unwrap()
}

/// The compiled body's state and user scope.
fn compiled(dir: &Path) -> serde_json::Value {
    let out = caac(dir, &["build", "policies", "--out", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/CA010-AllUsers-MFA.json")).unwrap())
            .unwrap();
    assert!(body.get("rollout").is_none() && body.get("exclusions").is_none());
    serde_json::json!({"state": body["state"], "users": body["conditions"]["users"]})
}

#[test]
fn refused_before_the_dwell_and_the_file_is_untouched() {
    let tmp = setup(SPEC);
    let (code, stdout, stderr) =
        promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2024-11-27"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stderr,
        "policies/mfa.yaml: not promoted: report-only since 2024-11-20: 7 of 14 days; earliest promotion 2024-12-04\n"
    );
    assert_eq!(spec(tmp.path()), SPEC);
    // CAAC_TODAY fixes the date too.
    let out = assert_cmd::Command::cargo_bin("caac")
        .unwrap()
        .current_dir(tmp.path())
        .env("CAAC_TODAY", "2024-12-03")
        .args(["promote", "policies/mfa.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("13 of 14 days"));
}

#[test]
fn report_only_to_pilot_to_enforced_with_the_body_per_stage() {
    let tmp = setup(SPEC);
    let d = tmp.path();
    insta::assert_json_snapshot!("promote_body_report_only", compiled(d));

    let (code, stdout, stderr) = promote(d, &["CA010-AllUsers-MFA", "--today", "2024-12-04"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("promote_to_pilot_output", stdout);
    let pilot = spec(d);
    // Byte-for-byte: only the stage value changed and one line was added.
    let expected = SPEC.replace(
        "  stage: reportOnly    # moved on by `caac promote` only\n",
        "  stage: pilot    # moved on by `caac promote` only\n  pilotSince: 2024-12-04\n",
    );
    assert_eq!(pilot, expected);
    insta::assert_json_snapshot!("promote_body_pilot", compiled(d));

    // The pilot dwells 14 days too.
    let (code, _, stderr) = promote(d, &["policies/mfa.yaml", "--today", "2024-12-10"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("pilot since 2024-12-04: 6 of 14 days; earliest promotion 2024-12-18"),
        "{stderr}"
    );

    let (code, stdout, stderr) = promote(d, &["policies/mfa.yaml", "--today", "2024-12-18"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("promote_to_enforced_output", stdout);
    assert_eq!(spec(d), pilot.replace("stage: pilot ", "stage: enforced "));
    insta::assert_json_snapshot!("promote_body_enforced", compiled(d));

    // Idempotent: nothing left to do, nothing written.
    let before = spec(d);
    let (code, stdout, _) = promote(d, &["CA010-AllUsers-MFA", "--today", "2025-01-01"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "policies/mfa.yaml: already enforced; nothing to do\n"
    );
    assert_eq!(spec(d), before);
}

#[test]
fn dry_run_writes_nothing() {
    let tmp = setup(SPEC);
    let (code, stdout, _) = promote(
        tmp.path(),
        &["CA010-AllUsers-MFA", "--today", "2024-12-04", "--dry-run"],
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("(dry run)") && stdout.contains("+  pilotSince: 2024-12-04"));
    assert_eq!(spec(tmp.path()), SPEC);
}

#[test]
fn pilot_without_group_is_refused() {
    let tmp = setup(&SPEC.replace("  pilotGroup: MFA Pilot\n", ""));
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2025-01-01"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no `rollout.pilotGroup`"), "{stderr}");
}

#[test]
fn input_errors_exit_2() {
    let tmp = setup(SPEC);
    let (code, _, stderr) = promote(tmp.path(), &["CA999-Nope", "--today", "2025-01-01"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("neither a spec file nor the displayName"),
        "{stderr}"
    );
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2025-02-30"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a calendar date"), "{stderr}");
    // No rollout block.
    let tmp = setup(&SPEC.replace("rollout:\n  stage: reportOnly    # moved on by `caac promote` only\n  pilotGroup: MFA Pilot\n  reportOnlySince: 2024-11-20\n", ""));
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2025-01-01"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no `rollout:` block"), "{stderr}");
}

#[test]
fn a_file_with_errors_is_refused() {
    // A lint error (CA005: block with other grant controls) and an input error
    // (a `state:` contradicting the stage) both stop the promotion.
    let lint = SPEC.replace("[mfa]", "[block, mfa]");
    let tmp = setup(&lint);
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2025-01-01"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("CA005") && stderr.contains("not promoting"),
        "{stderr}"
    );
    assert_eq!(spec(tmp.path()), lint);

    let conflict = SPEC.replace("users:\n", "state: enabled\nusers:\n");
    let tmp = setup(&conflict);
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2025-01-01"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("rollout-state-conflict"), "{stderr}");
    // `state: reportOnly` is the default spelling, caught from the document.
    let tmp = setup(
        &SPEC
            .replace("stage: reportOnly", "stage: enforced")
            .replace("users:\n", "state: reportOnly\nusers:\n"),
    );
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2025-01-01"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("contradicts `rollout.stage: enforced`"),
        "{stderr}"
    );
}

#[test]
fn lockout_gate_refuses_promotion() {
    // A block for everyone that does not exclude break glass fails the lockout gate.
    let spec = SPEC.replace("[mfa]", "[block]").replace(
        "  exclude: { groups: [Emergency Access] }   # break glass\n",
        "",
    );
    let tmp = setup(&spec);
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2025-01-01"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("not promoting"), "{stderr}");
    assert_eq!(self::spec(tmp.path()), spec);
}

#[test]
fn stale_exclusion_record_is_an_error_at_the_entry() {
    let tmp = setup(&format!(
        "{SPEC}exclusions:\n  - principal: Contractors\n    owner: it@contoso.com\n    reason: x\n"
    ));
    let out = caac(tmp.path(), &["lint", "policies"]);
    let (_, stderr) = text(&out);
    let all = format!("{}{stderr}", text(&out).0);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("stale-exclusion") && all.contains("mfa.yaml:13:16"),
        "{all}"
    );
}

#[test]
fn a_day_in_the_future_is_refused_from_the_flag_and_the_environment() {
    // Far in the future, so this stays true whenever the test runs.
    let tmp = setup(SPEC);
    let (code, stdout, stderr) =
        promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2999-01-01"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.starts_with("error: --today `2999-01-01` is later than today (")
            && stderr.contains("dwell time")
            && stderr.contains("cannot be skipped"),
        "{stderr}"
    );
    assert_eq!(spec(tmp.path()), SPEC);
    // CAAC_TODAY is no bypass either.
    let out = assert_cmd::Command::cargo_bin("caac")
        .unwrap()
        .current_dir(tmp.path())
        .env("CAAC_TODAY", "2999-01-01")
        .args(["promote", "policies/mfa.yaml"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("CAAC_TODAY `2999-01-01` is later than today ("),
        "{stderr}"
    );
    assert_eq!(spec(tmp.path()), SPEC);
    // A past day (after the dwell) is accepted.
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA", "--today", "2024-12-04"]);
    assert_eq!(code, 0, "{stderr}");
}

/// The starter set in a temp dir, with CA410's report-only stage dated in the
/// past so it can be promoted on a past day.
fn starter_with_tp_ready() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = crate::common::root();
    std::fs::create_dir(tmp.path().join("policies")).unwrap();
    for e in std::fs::read_dir(root.join("policies")).unwrap() {
        let e = e.unwrap();
        let text = std::fs::read_to_string(e.path()).unwrap();
        let text = set_value(&text, "reportOnlySince: ", "2020-01-01");
        std::fs::write(tmp.path().join("policies").join(e.file_name()), text).unwrap();
    }
    std::fs::copy(root.join("tenant.yaml"), tmp.path().join("tenant.yaml")).unwrap();
    tmp
}

/// Replaces the value after `key` (to the end of its line) with `value`.
fn set_value(text: &str, key: &str, value: &str) -> String {
    text.lines()
        .map(|l| match l.find(key) {
            Some(at) => format!("{}{value}\n", &l[..at + key.len()]),
            None => format!("{l}\n"),
        })
        .collect()
}

/// CA407's findings in a JSON lint report.
fn ca407(dir: &Path) -> Vec<String> {
    let out = caac(dir, &["lint", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "CA407")
        .map(|d| d["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn promoting_token_protection_needs_enforced_companions() {
    // https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection:
    // the companions secure against a bypass from another platform, which a
    // report-only companion does not.
    let tmp = starter_with_tp_ready();
    let d = tmp.path();
    assert_eq!(
        ca407(d),
        Vec::<String>::new(),
        "report-only TP, report-only companions"
    );
    let (code, _, stderr) = promote(
        d,
        &[
            "CA410-TokenProtection-ExchangeSharePoint-Windows",
            "--today",
            "2020-02-01",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let found = ca407(d);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("CA411-TokenProtection-BlockUnknownPlatforms")
            && found[1].contains("CA412-TokenProtection-RequireCompliantDevice")
            && found.iter().all(|m| m.contains("only report-only")),
        "{found:?}"
    );
    for f in [
        "CA411-TokenProtection-BlockUnknownPlatforms.yaml",
        "CA412-TokenProtection-RequireCompliantDevice.yaml",
    ] {
        let p = d.join("policies").join(f);
        let s = std::fs::read_to_string(&p).unwrap();
        let s = s.replacen("users:\n", "state: enabled\nusers:\n", 1);
        std::fs::write(&p, s).unwrap();
    }
    assert_eq!(ca407(d), Vec::<String>::new());
}
