//! One grammar for every command (issue 13): policies are positional
//! `[PATHS]…` (default `policies`) everywhere, with the old `--policies`
//! kept as a hidden alias; `--tenant`, `--config` and `--break-glass` are
//! accepted, and used, by every command that resolves or evaluates policies.

use crate::common::{caac, root, text};

const REQUEST: &str = "examples/whatif/outlook-desktop-windows.json";

/// Each policy-reading command with the arguments it needs besides the
/// policies, and its exit code on the repository's starter set.
fn commands(out: &std::path::Path) -> Vec<(Vec<String>, i32)> {
    let o = out.to_str().unwrap().to_owned();
    let v = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        (v(&["lint"]), 0),
        (v(&["build", "--out", &format!("{o}/build")]), 0),
        (v(&["whatif", "--request", REQUEST]), 0),
        (v(&["test", "--scenarios", "tests"]), 0),
        // The starter set leaves gaps on purpose (report-only policies).
        (v(&["coverage"]), 1),
        (v(&["impact", "--base", "."]), 0),
        (v(&["report"]), 0),
        (v(&["monitor"]), 0),
    ]
}

#[test]
fn every_policy_reading_command_accepts_tenant_config_and_break_glass() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, code) in commands(tmp.path()) {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend([
            "policies",
            "--tenant",
            "tenant.yaml",
            "--config",
            ".caac.yaml",
            "--break-glass",
            "Emergency Access",
        ]);
        let out = caac(&root(), &a);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(code), "{a:?}\n{stdout}{stderr}");
    }
}

/// `--break-glass` is not only accepted but handed to the check stages: an
/// unknown name is an input error naming the option, on every command.
#[test]
fn break_glass_is_used_by_every_policy_reading_command() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, _) in commands(tmp.path()) {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend(["--break-glass", "Nobody Of That Name"]);
        let out = caac(&root(), &a);
        let (stdout, stderr) = text(&out);
        // lint's findings are its product (stdout); the others report
        // unreadable input on stderr.
        let stderr = stdout + &stderr;
        assert_eq!(out.status.code(), Some(2), "{a:?}\n{stderr}");
        assert!(
            stderr.contains("--break-glass: unknown user or group `Nobody Of That Name`"),
            "{a:?}\n{stderr}"
        );
    }
}

/// `--config` is read by every command: a config that does not parse is an
/// input error naming the file.
#[test]
fn config_is_read_by_every_policy_reading_command() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.caac.yaml");
    std::fs::write(&bad, "rules: [\n").unwrap();
    for (args, _) in commands(tmp.path()) {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend(["--config", bad.to_str().unwrap()]);
        let out = caac(&root(), &a);
        let (stdout, stderr) = text(&out);
        let stderr = stdout + &stderr;
        assert_eq!(out.status.code(), Some(2), "{a:?}\n{stderr}");
        assert!(stderr.contains("bad.caac.yaml"), "{a:?}\n{stderr}");
    }
}

/// Policies are positional on whatif (formerly `--policies` only); the
/// request is a named option.
#[test]
fn whatif_takes_positional_policies() {
    let out = caac(&root(), &["whatif", "policies", "--request", REQUEST]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("CA410-TokenProtection-ExchangeSharePoint-Windows"),
        "{stdout}"
    );
}

/// The old `--policies` still works (hidden) on every command that had it,
/// and gives the same output as the positional form.
#[test]
fn hidden_policies_alias_still_works() {
    let cases: [&[&str]; 5] = [
        &["whatif", "--request", REQUEST],
        &["coverage"],
        &["report"],
        &["test", "--scenarios", "tests"],
        &["monitor"],
    ];
    for case in cases {
        let mut old = case.to_vec();
        old.extend(["--policies", "policies"]);
        let mut new = case.to_vec();
        new.push("policies");
        let (a, b) = (caac(&root(), &old), caac(&root(), &new));
        assert_eq!(a.status.code(), b.status.code(), "{old:?}");
        assert_eq!(text(&a), text(&b), "{old:?}");
    }
    // Hidden: not in the help.
    let out = caac(&root(), &["whatif", "--help"]);
    assert!(!text(&out).0.contains("--policies"));
}

/// `caac test` reads scenarios from `--scenarios` (default `tests`) and
/// policies from its positional paths.
#[test]
fn test_takes_scenarios_as_an_option() {
    let out = caac(&root(), &["test", "--scenarios", "tests"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("PASS"), "{stdout}");
    let out = caac(
        &root(),
        &[
            "test",
            "policies",
            "--scenarios",
            "tests/emergency-access-never-blocked.yaml",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("emergency-access"), "{stdout}");
}

/// `caac monitor` selects policies by displayName with `--policy`; a
/// positional that is no path says so.
#[test]
fn monitor_selects_by_name_with_an_option() {
    let out = caac(
        &root(),
        &[
            "monitor",
            "policies",
            "--policy",
            "CA001-BlockLegacyAuthentication",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("CA001-BlockLegacyAuthentication"),
        "{stdout}"
    );
    let out = caac(&root(), &["monitor", "CA001-BlockLegacyAuthentication"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("use --policy \"CA001-BlockLegacyAuthentication\""),
        "{stderr}"
    );
}
