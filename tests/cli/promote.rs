//! `caac promote`: the dwell is respected, the spec is edited in place with
//! everything outside the edited values byte-for-byte intact, and the compiled
//! body follows the stage (state and user scope). A promotion that writes is
//! dated by the system clock (a `--today` / `CAAC_TODAY` other than that day
//! is refused unless `--dry-run`, tested below), so the tests that write date
//! the spec relative to the real today, and the ones that need a fixed day
//! preview it with `--dry-run`: none depends on when it runs.

use crate::common::{caac, text};
use caac::rollout::Day;
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
    promote_env(dir, args, None)
}

/// `caac promote` with `CAAC_TODAY` set to `today`, or removed (so a value in
/// the test runner's environment cannot change the outcome).
fn promote_env(dir: &Path, args: &[&str], today: Option<&str>) -> (i32, String, String) {
    let mut cmd = assert_cmd::Command::cargo_bin("caac").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .args(["--color", "never", "promote"])
        .args(args);
    match today {
        Some(t) => cmd.env("CAAC_TODAY", t),
        None => cmd.env_remove("CAAC_TODAY"),
    };
    let out = cmd.output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn spec(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("policies/mfa.yaml")).unwrap()
}

/// Today (UTC) by the system clock, computed here rather than asked of caac.
fn system_day() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Day(i64::try_from(secs / 86_400).unwrap())
}

/// `n` days before `day`.
fn minus(day: Day, n: i64) -> Day {
    Day(day.0 - n)
}

/// Runs `f` and returns the system day before and after it: a promotion run
/// across midnight (UTC) may be dated either.
fn around<T>(f: impl FnOnce() -> T) -> (T, [String; 2]) {
    let before = system_day().to_string();
    let out = f();
    (out, [before, system_day().to_string()])
}

/// SPEC with its report-only stage begun on `day`.
fn spec_since(day: Day) -> String {
    SPEC.replace(
        "reportOnlySince: 2024-11-20",
        &format!("reportOnlySince: {day}"),
    )
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
    // A fixed day, previewed with --dry-run.
    let tmp = setup(SPEC);
    let (code, stdout, stderr) = promote(
        tmp.path(),
        &["CA010-AllUsers-MFA", "--today", "2024-11-27", "--dry-run"],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "policies/mfa.yaml: not promoted: report-only since 2024-11-20: 7 of 14 days; earliest promotion 2024-12-04\n"
    );
    assert_eq!(spec(tmp.path()), SPEC);
    // CAAC_TODAY fixes the previewed day too.
    let (code, stdout, stderr) = promote_env(
        tmp.path(),
        &["policies/mfa.yaml", "--dry-run"],
        Some("2024-12-03"),
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("13 of 14 days"), "{stdout}{stderr}");
    // For real: report-only since 7 days before today.
    let today = system_day();
    let since = minus(today, 7);
    let tmp = setup(&spec_since(since));
    let ((code, stdout, stderr), [before, after]) =
        around(|| promote(tmp.path(), &["CA010-AllUsers-MFA"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        [before, after].iter().any(|t| {
            let t = Day::parse(t).unwrap();
            stdout
                == format!(
                    "policies/mfa.yaml: not promoted: report-only since {since}: {} of 14 days; earliest promotion {}\n",
                    t.0 - since.0,
                    since.plus(14)
                )
        }),
        "{stdout}{stderr}"
    );
    assert_eq!(spec(tmp.path()), spec_since(since));
}

#[test]
fn report_only_to_pilot_to_enforced_with_the_body_per_stage() {
    // Report-only since 20 days ago: past the 14-day dwell, whenever this runs.
    let since = minus(system_day(), 20);
    let start = spec_since(since);
    let tmp = setup(&start);
    let d = tmp.path();
    insta::assert_json_snapshot!("promote_body_report_only", compiled(d));

    let ((code, stdout, stderr), days) = around(|| promote(d, &["CA010-AllUsers-MFA"]));
    assert_eq!(code, 0, "{stderr}");
    let pilot = spec(d);
    // Recorded: the system clock's day (see `around` for midnight).
    let recorded = days
        .iter()
        .find(|t| pilot.contains(&format!("  pilotSince: {t}\n")))
        .unwrap_or_else(|| panic!("pilotSince is the system date {days:?}: {pilot}"))
        .clone();
    insta::assert_snapshot!(
        "promote_to_pilot_output",
        stdout.replace(&recorded, "<system date>")
    );
    // Byte-for-byte: only the stage value changed and one line was added.
    let expected = start.replace(
        "  stage: reportOnly    # moved on by `caac promote` only\n",
        &format!("  stage: pilot    # moved on by `caac promote` only\n  pilotSince: {recorded}\n"),
    );
    assert_eq!(pilot, expected);
    insta::assert_json_snapshot!("promote_body_pilot", compiled(d));

    // The pilot dwells 14 days too: refused right after, nothing written.
    let (code, stdout, stderr) = promote(d, &["policies/mfa.yaml"]);
    assert_eq!(code, 1);
    let earliest = Day::parse(&recorded).unwrap().plus(14);
    assert!(
        stdout.contains(&format!("pilot since {recorded}: "))
            && stdout.contains(&format!(" of 14 days; earliest promotion {earliest}")),
        "{stdout}{stderr}"
    );
    assert_eq!(spec(d), pilot);

    // Fifteen days pass (the file says the pilot began 15 days ago).
    let aged = minus(system_day(), 15);
    let pilot = pilot.replace(
        &format!("pilotSince: {recorded}"),
        &format!("pilotSince: {aged}"),
    );
    std::fs::write(d.join("policies/mfa.yaml"), &pilot).unwrap();
    let (code, stdout, stderr) = promote(d, &["policies/mfa.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("promote_to_enforced_output", stdout);
    assert_eq!(spec(d), pilot.replace("stage: pilot ", "stage: enforced "));
    insta::assert_json_snapshot!("promote_body_enforced", compiled(d));

    // Idempotent: nothing left to do, nothing written.
    let before = spec(d);
    let (code, stdout, _) = promote(d, &["CA010-AllUsers-MFA"]);
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
    let (code, stdout, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("no `rollout.pilotGroup`"),
        "{stdout}{stderr}"
    );
}

#[test]
fn input_errors_exit_2() {
    let tmp = setup(SPEC);
    let (code, _, stderr) = promote(tmp.path(), &["CA999-Nope"]);
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
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no `rollout:` block"), "{stderr}");
}

#[test]
fn a_file_with_errors_is_refused() {
    // A lint error (CA005: block with other grant controls) and an input error
    // (a `state:` contradicting the stage) both stop the promotion.
    let lint = SPEC.replace("[mfa]", "[block, mfa]");
    let tmp = setup(&lint);
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("CA005") && stderr.contains("not promoting"),
        "{stderr}"
    );
    assert_eq!(spec(tmp.path()), lint);

    let conflict = SPEC.replace("users:\n", "state: enabled\nusers:\n");
    let tmp = setup(&conflict);
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("rollout-state-conflict"), "{stderr}");
    // `state: reportOnly` is the default spelling, caught from the document.
    let tmp = setup(
        &SPEC
            .replace("stage: reportOnly", "stage: enforced")
            .replace("users:\n", "state: reportOnly\nusers:\n"),
    );
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA"]);
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
    let (code, _, stderr) = promote(tmp.path(), &["CA010-AllUsers-MFA"]);
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
    // A future day may be previewed: a dry run writes nothing.
    let (code, stdout, stderr) = promote(
        tmp.path(),
        &["CA010-AllUsers-MFA", "--today", "2999-01-01", "--dry-run"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("+  pilotSince: 2999-01-01"), "{stdout}");
    assert_eq!(spec(tmp.path()), SPEC);
}

#[test]
fn backdating_is_refused_when_writing() {
    // The bypass: promote to pilot "in 2020", then to enforced today. A
    // promotion that writes is dated by the system clock, so the recorded
    // `pilotSince` is always the real day the pilot began.
    let start = SPEC.replace("reportOnlySince: 2024-11-20", "reportOnlySince: 2019-12-01");
    let tmp = setup(&start);
    let d = tmp.path();
    let (code, stdout, stderr) = promote(d, &["CA010-AllUsers-MFA", "--today", "2020-01-01"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.starts_with("error: --today `2020-01-01` is earlier than today (")
            && stderr.contains("a promotion cannot be backdated")
            && stderr.contains("dated by the system clock")
            && stderr.contains("cannot be skipped")
            && stderr.contains("add --dry-run to preview"),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(spec(d), start);
    // CAAC_TODAY is no bypass either.
    let (code, _, stderr) = promote_env(d, &["policies/mfa.yaml"], Some("2020-01-01"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("CAAC_TODAY `2020-01-01` is earlier than today (")
            && stderr.contains("unset CAAC_TODAY"),
        "{stderr}"
    );
    assert_eq!(spec(d), start);
    // Previewing the day is fine: nothing is written.
    let (code, stdout, stderr) = promote(
        d,
        &["CA010-AllUsers-MFA", "--today", "2020-01-01", "--dry-run"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("+  pilotSince: 2020-01-01"), "{stdout}");
    assert_eq!(spec(d), start);
    // The same day as the system clock is accepted (a CI that pins
    // CAAC_TODAY to today), and what is recorded is the system date.
    let ((code, _, stderr), days) =
        around(|| promote_env(d, &["policies/mfa.yaml"], Some(&system_day().to_string())));
    assert_eq!(code, 0, "{stderr}");
    let written = spec(d);
    assert!(
        days.iter()
            .any(|t| written.contains(&format!("pilotSince: {t}\n"))),
        "{days:?}: {written}"
    );
    // So the pilot has just begun: enforcing is refused.
    let (code, stdout, stderr) = promote(d, &["policies/mfa.yaml"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains(" of 14 days; earliest promotion "),
        "{stdout}{stderr}"
    );
    assert!(spec(d).contains("stage: pilot "));
}

/// The starter set in a temp dir, with CA410's report-only stage dated long
/// enough ago that it can be promoted today.
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
    let (code, _, stderr) = promote(d, &["CA410-TokenProtection-ExchangeSharePoint-Windows"]);
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
