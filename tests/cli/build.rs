//! `caac build` end to end: the seed example, the starter set, determinism,
//! atomicity, exit codes.

use crate::common::{caac, root, snapshot_dir, text};
use std::path::Path;

fn build(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = caac(dir, &[&["build"], args].concat());
    let (_, stderr) = text(&out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn token_protection_example_compiles_to_the_expected_body() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stderr) = build(
        &root(),
        &[
            "examples/token-protection",
            "--tenant",
            "examples/token-protection/tenant.yaml",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let name = "CA410-TokenProtection-ExchangeSharePoint-Windows.json";
    // The checked-in expected output is a whole build directory: body and manifest.
    assert_eq!(
        snapshot_dir(&out),
        snapshot_dir(&root().join("examples/token-protection/expected"))
    );
    let got = std::fs::read_to_string(out.join(name)).unwrap();
    let body: serde_json::Value = serde_json::from_str(&got).unwrap();
    let c = &body["conditions"];
    assert_eq!(
        c["applications"]["includeApplications"],
        serde_json::json!([
            "00000002-0000-0ff1-ce00-000000000000",
            "00000003-0000-0ff1-ce00-000000000000"
        ]),
        "exactly Exchange Online and SharePoint Online"
    );
    assert_eq!(
        c["platforms"]["includePlatforms"],
        serde_json::json!(["windows"])
    );
    assert_eq!(
        c["clientAppTypes"],
        serde_json::json!(["mobileAppsAndDesktopClients"])
    );
    assert_eq!(
        c["users"]["excludeGroups"],
        serde_json::json!(["8f1c2b7a-4d3e-4a5b-9c6d-0e1f2a3b4c5d"]),
        "break-glass excluded"
    );
    assert_eq!(
        body["sessionControls"]["secureSignInSession"]["isEnabled"],
        true
    );
    assert_eq!(body["state"], "enabledForReportingButNotEnforced");
    assert!(body.get("grantControls").is_none());

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let entry = &manifest["policies"][0];
    assert_eq!(
        entry["apiVersion"], "beta",
        "token protection is documented in beta only"
    );
    assert_eq!(entry["output"], name);
    assert_eq!(
        entry["source"],
        "examples/token-protection/CA410-TokenProtection-ExchangeSharePoint-Windows.yaml"
    );
    assert_eq!(entry["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn starter_set_builds_cleanly_with_the_default_tenant_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Defaults: policies/ and tenant.yaml from the working directory.
    let (code, stderr) = build(&root(), &["--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    // Warning-free but for the one notice that tenant.yaml's ids are
    // placeholders (plan and apply refuse them).
    assert_eq!(
        stderr.matches("warning").count() - stderr.matches("warning(s)").count(),
        1,
        "starter set: only the placeholder notice: {stderr}"
    );
    assert!(
        stderr.contains("warning[placeholder-id]: the tenant file holds placeholder object ids"),
        "{stderr}"
    );
    let files = snapshot_dir(&out);
    assert_eq!(files.len(), 11, "10 policies + manifest");
    let break_glass = "00000000-0000-4000-8000-00000000e0e1";
    for (name, bytes) in files.iter().filter(|(n, _)| n != "manifest.json") {
        let body: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(
            body["state"], "enabledForReportingButNotEnforced",
            "{name} must start report-only"
        );
        let excluded = body["conditions"]["users"]["excludeGroups"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            excluded.iter().any(|g| g == break_glass),
            "{name} must exclude the break-glass group"
        );
    }
}

#[test]
fn builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(build(&root(), &["--out", a.to_str().unwrap()]).0, 0);
    assert_eq!(build(&root(), &["--out", b.to_str().unwrap()]).0, 0);
    assert_eq!(snapshot_dir(&a), snapshot_dir(&b));
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

const TENANT: &str = "breakGlass: {groups: [Emergency Access]}\ngroups:\n  Emergency Access: 11111111-1111-1111-1111-111111111111\n  Pilot: 22222222-2222-2222-2222-222222222222\n";
const GOOD: &str = "displayName: Good\nusers:\n  include: {groups: [Pilot]}\n  exclude: {groups: [Emergency Access]}\napplications: {include: [Office 365 Exchange Online]}\ngrant: {builtInControls: [mfa]}\n";

#[test]
fn a_failing_build_leaves_earlier_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let tenant = write(d, "t.yaml", TENANT);
    let good = write(d, "good.yaml", GOOD);
    let out = d.join("out");
    let out_s = out.to_str().unwrap();
    assert_eq!(build(d, &[&good, "--tenant", &tenant, "--out", out_s]).0, 0);
    let before = snapshot_dir(&out);

    // An input error (exit 2) and a lint error (exit 1) both write nothing.
    let bad = write(d, "bad.yaml", &GOOD.replace("Pilot", "Pilott"));
    let (code, stderr) = build(d, &[&good, &bad, "--tenant", &tenant, "--out", out_s]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(snapshot_dir(&out), before);

    let lint = write(
        d,
        "lint.yaml",
        &GOOD
            .replace("Good", "Blocky")
            .replace("[mfa]", "[block, mfa]"),
    );
    let (code, stderr) = build(d, &[&good, &lint, "--tenant", &tenant, "--out", out_s]);
    // A body Graph rejects (CA005 is a Graph-validity check) is an input
    // error, like a malformed file.
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error[CA005 block-with-grant-controls]"),
        "{stderr}"
    );
    assert_eq!(snapshot_dir(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().contains("caac-")),
        "no staging dirs left: {leftovers:?}"
    );
}

#[test]
fn break_glass_must_be_excluded_when_known() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let tenant = write(d, "t.yaml", TENANT);
    let p = write(
        d,
        "p.yaml",
        &GOOD.replace("  exclude: {groups: [Emergency Access]}\n", ""),
    );
    let (code, stderr) = build(
        d,
        &[
            &p,
            "--tenant",
            &tenant,
            "--out",
            d.join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!(stderr.replace(&p, "p.yaml"), @r"
    error[CA101 break-glass-not-excluded]: the break-glass accounts are not excluded (a member of break-glass group Emergency Access (Global Administrator) is not)
     --> p.yaml:2:1
      |
    2 | users:
      | ^^^^^
      |
      = help: add the break-glass group to `users.exclude.groups` (prefer one group over individual users)

    note: 9 finding(s) about the policy set as a whole (missing baseline policies) are not shown; `caac lint` reports them
    error: 1 error(s), 0 warning(s), 0 info(s); nothing was written
    ");
    // --break-glass on the command line works without breakGlass: in the tenant file.
    let tenant2 = write(
        d,
        "t2.yaml",
        &TENANT.replace("breakGlass: {groups: [Emergency Access]}\n", ""),
    );
    let (code, stderr) = build(
        d,
        &[
            &p,
            "--tenant",
            &tenant2,
            "--out",
            d.join("out").to_str().unwrap(),
        ],
    );
    // Without break-glass data build refuses (exit 2) and says how to name them.
    assert_eq!(code, 2, "without break-glass data build refuses: {stderr}");
    assert!(
        stderr.contains("error[break-glass-missing]")
            && stderr.contains("--break-glass ID_OR_NAME")
            && stderr.contains("breakGlassOptOut"),
        "{stderr}"
    );
    assert!(!d.join("out").exists(), "nothing written");
    let (code, _) = build(
        d,
        &[
            &p,
            "--tenant",
            &tenant2,
            "--break-glass",
            "Emergency Access",
            "--out",
            d.join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    let (code, stderr) = build(
        d,
        &[
            &p,
            "--tenant",
            &tenant2,
            "--break-glass",
            "Nobody",
            "--out",
            d.join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(build(tmp.path(), &["--bogus"]).0, 2);
    let (code, stderr) = build(tmp.path(), &["missing-dir"]);
    assert_eq!(code, 2, "{stderr}");
    // A directory without policy files: `hostile.rs`, every command.
}

#[test]
fn passthrough_is_merged_reported_and_selects_beta() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let tenant = write(d, "t.yaml", TENANT);
    let p = write(
        d,
        "p.yaml",
        &format!("{GOOD}passthrough:\n  conditions:\n    agents: {{includeAgentUsers: [All]}}\n"),
    );
    let out = d.join("out");
    let (code, stderr) = build(
        d,
        &[&p, "--tenant", &tenant, "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning[passthrough]: `conditions/agents` is sent to Graph as written"),
        "{stderr}"
    );
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("Good.json")).unwrap()).unwrap();
    assert_eq!(body["conditions"]["agents"]["includeAgentUsers"][0], "All");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"apiVersion\": \"beta\""));

    let clash = write(
        d,
        "c.yaml",
        &format!("{GOOD}passthrough:\n  displayName: Other\n"),
    );
    let (code, stderr) = build(
        d,
        &[&clash, "--tenant", &tenant, "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("error[passthrough-conflict]"), "{stderr}");
}

#[test]
fn explain_prints_rule_docs() {
    let out = caac(&root(), &["explain", "CA101"]);
    assert!(out.status.success());
    assert!(text(&out).0.contains("## Why it matters"));
    assert_eq!(caac(&root(), &["explain", "CA999"]).status.code(), Some(2));
}

#[test]
fn suppressions_need_a_reason_and_must_silence_something() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let tenant = write(d, "t.yaml", TENANT);
    // CA006 (block with session controls) is a lint rule, so suppressible;
    // Graph-validity checks are not (tests/cli/validity.rs).
    let blocky = format!(
        "{}session: {{applicationEnforcedRestrictions: true}}\n",
        GOOD.replace("[mfa]", "[block]")
    );
    let lint = |file: &str| {
        let out = caac(
            d,
            &[
                "lint",
                file,
                "--tenant",
                &tenant,
                "--partial",
                "--format",
                "json",
            ],
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let codes: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["rule"].as_str().unwrap().to_owned())
            .collect();
        (out.status.code(), codes)
    };
    // With a reason on the line above: silenced.
    let ok = write(
        d,
        "ok.yaml",
        &blocky.replace(
            "session:",
            "# caac-ignore: CA006 migration keeps both until June\nsession:",
        ),
    );
    let (code, codes) = lint(&ok);
    assert!(!codes.contains(&"CA006".to_owned()), "{codes:?}");
    assert_eq!(code, Some(0), "{codes:?}");
    // Without a reason: not silenced, and itself an error.
    let bare = write(
        d,
        "bare.yaml",
        &blocky.replace("session:", "# caac-ignore: CA006\nsession:"),
    );
    let (code, codes) = lint(&bare);
    assert!(
        codes.contains(&"CA006".to_owned()) && codes.contains(&"invalid-suppression".to_owned()),
        "{codes:?}"
    );
    assert_eq!(code, Some(2));
    // Silencing nothing: a warning.
    let stale = write(
        d,
        "stale.yaml",
        &format!("# caac-ignore-file: CA006 no longer needed\n{GOOD}"),
    );
    let (code, codes) = lint(&stale);
    assert_eq!(codes, ["unused-suppression"]);
    assert_eq!(code, Some(0));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = caac(&root(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("caac"),
            "{shell}"
        );
    }
}

/// `--out` naming a directory caac did not create: the one error names the
/// directory and why caac refuses it (it holds files and no manifest.json,
/// and replacing it would delete them), and the help says what to pass.
#[test]
fn out_into_a_directory_caac_did_not_create_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("keep.txt"), "mine\n").unwrap();
    let before = snapshot_dir(&mine);
    let (code, stderr) = build(
        &root(),
        &[
            "examples/token-protection",
            "--tenant",
            "examples/token-protection/tenant.yaml",
            "--out",
            mine.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("mine exists and is not a caac output directory: it holds files but no manifest.json, so caac did not create it, and caac replaces only directories it created"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error[output]:").count(), 1, "{stderr}");
    // The closing line counts that error and says why nothing was written.
    assert!(stderr.contains("nothing was written because"), "{stderr}");
    assert!(!stderr.contains(": 0 error(s)"), "{stderr}");
    assert_eq!(snapshot_dir(&mine), before, "untouched");
}

/// `CAAC_TODAY` may move today backwards for reports, but an expired
/// exclusion stays expired: build (and so apply) still refuses it.
#[test]
fn a_past_caac_today_cannot_hide_an_expired_exclusion() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let tenant = write(
        d,
        "t.yaml",
        &format!("{TENANT}  Contractors: 33333333-3333-3333-3333-333333333333\n"),
    );
    let spec = write(
        d,
        "p.yaml",
        "displayName: Expired\nusers:\n  include: { users: [All] }\n  exclude: { groups: [Emergency Access, Contractors] }\napplications: { include: [All] }\ngrant: { builtInControls: [mfa] }\nexclusions:\n  - principal: Contractors\n    owner: it-security@contoso.com\n    reason: legacy VPN migration\n    expires: 2020-01-31\n",
    );
    let out = assert_cmd::Command::cargo_bin("caac")
        .unwrap()
        .current_dir(d)
        .env("CAAC_TODAY", "2019-06-01")
        .args(["--color", "never", "build", &spec, "--tenant", &tenant])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[CA111 exclusion-expired]"),
        "{stderr}"
    );
    assert!(!d.join("out").exists());
}
