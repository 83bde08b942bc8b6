//! `caac impact` end to end: a directory base where the head widens a block
//! (exit 1, newly blocked groups in human, JSON and Markdown), an identical
//! base (exit 0), a git revision base (HEAD, an invalid file named
//! `HEAD:path`, an unknown revision), deleting an MFA policy (newly
//! unprotected) and report-only changes (shown as if enforced, exit 1 only
//! with `--enforce-report-only`).

use crate::common::{caac, text};
use std::path::Path;
use std::process::Command;

const TENANT: &str = "groups:\n  Contractors: 00000000-0000-4000-8000-0000000c0001\n  Vendors: 00000000-0000-4000-8000-0000000c0002\n";

const MFA: &str = "displayName: MFA\nstate: enabled\nusers:\n  include: { users: [All] }\napplications:\n  include: [All]\ngrant:\n  builtInControls: [mfa]\n";

fn block(groups: &str) -> String {
    format!(
        "displayName: Block contractors\nstate: enabled\nusers:\n  include: {{ groups: [{groups}] }}\napplications:\n  include: [Office365]\ngrant:\n  builtInControls: [block]\n"
    )
}

/// A repository at `dir`: tenant.yaml and `policies/` with `files`.
fn repo(dir: &Path, files: &[(&str, &str)]) {
    std::fs::write(dir.join("tenant.yaml"), TENANT).unwrap();
    let p = dir.join("policies");
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    for (name, text) in files {
        std::fs::write(p.join(name), text).unwrap();
    }
}

/// The head in `tmp`, the base in `tmp/base`.
fn base_and_head(base: &[(&str, &str)], head: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("base")).unwrap();
    repo(&tmp.path().join("base"), base);
    repo(tmp.path(), head);
    tmp
}

#[test]
fn widening_a_block_is_newly_blocked() {
    let wide = block("Contractors, Vendors");
    let tmp = base_and_head(
        &[("mfa.yaml", MFA), ("block.yaml", &block("Contractors"))],
        &[("mfa.yaml", MFA), ("block.yaml", &wide)],
    );
    let out = caac(tmp.path(), &["impact", "--base", "base"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    insta::assert_snapshot!("impact_widen_human", stdout);

    let out = caac(
        tmp.path(),
        &["impact", "--base", "base", "--format", "json"],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["modes"][0]["mode"], "enforced");
    assert_eq!(v["modes"][0]["counts"]["newlyAllowed"], 0);
    insta::assert_json_snapshot!("impact_widen_json", v);

    // Every example replays through `caac whatif` to a block on the head side.
    for group in v["modes"][0]["groups"].as_array().unwrap() {
        let req = tmp.path().join("request.json");
        std::fs::write(&req, group["example"]["request"].to_string()).unwrap();
        let out = caac(
            tmp.path(),
            &[
                "whatif",
                "--policies",
                "policies",
                "--request",
                "request.json",
                "--format",
                "json",
            ],
        );
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(r["result"]["access"], "block", "{group}");
    }

    let out = caac(
        tmp.path(),
        &["impact", "--base", "base", "--format", "markdown"],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    insta::assert_snapshot!("impact_widen_markdown", stdout);
}

/// Every count is in one unit, sign-ins, and the header states the total in
/// that unit (it used to say "over 12 sign-in classes" and then count 4032
/// sign-ins).
#[test]
fn counts_and_the_header_speak_of_sign_ins() {
    let tmp = base_and_head(
        &[("mfa.yaml", MFA), ("block.yaml", &block("Contractors"))],
        &[
            ("mfa.yaml", MFA),
            ("block.yaml", &block("Contractors, Vendors")),
        ],
    );
    let out = caac(
        tmp.path(),
        &["impact", "--base", "base", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    let total = v["signIns"].as_u64().expect("signIns");
    let group = v["modes"][0]["groups"][0]["count"].as_u64().unwrap();
    assert!(0 < group && group < total, "{v}");

    let out = caac(tmp.path(), &["impact", "--base", "base"]);
    let (stdout, _) = text(&out);
    let header = stdout.lines().next().unwrap();
    assert!(
        header.contains(&format!(", over {total} sign-ins (every combination of ")),
        "{header}"
    );
    assert!(
        header.contains("evaluated once, as 12 classes)"),
        "{header}"
    );
    assert!(!stdout.contains("sign-in class"), "{stdout}");

    let out = caac(
        tmp.path(),
        &["impact", "--base", "base", "--format", "markdown"],
    );
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains(&format!(
            ": 2 policies → 2 policies, over {total} sign-ins ("
        )),
        "{stdout}"
    );
}

/// Names from the specs and the tenant file cannot inject markup into the
/// Markdown comment: HTML in `<summary>` escapes quotes too, policy names
/// are code spans whatever backticks or pipes they hold.
#[test]
fn markdown_escapes_names() {
    let tmp = tempfile::tempdir().unwrap();
    let odd = "O'Neil \"&\" <b>|x";
    let tenant = format!(
        "groups:\n  '{}': 00000000-0000-4000-8000-0000000c0002\n",
        odd.replace('\'', "''")
    );
    let policy = format!(
        "displayName: 'Block `a|b`'\nstate: enabled\nusers:\n  include: {{ groups: ['{}'] }}\napplications:\n  include: [Office365]\ngrant:\n  builtInControls: [block]\n",
        odd.replace('\'', "''")
    );
    std::fs::create_dir_all(tmp.path().join("base/policies")).unwrap();
    std::fs::write(tmp.path().join("base/tenant.yaml"), &tenant).unwrap();
    std::fs::write(tmp.path().join("base/policies/mfa.yaml"), MFA).unwrap();
    std::fs::create_dir_all(tmp.path().join("policies")).unwrap();
    std::fs::write(tmp.path().join("tenant.yaml"), &tenant).unwrap();
    std::fs::write(tmp.path().join("policies/mfa.yaml"), MFA).unwrap();
    std::fs::write(tmp.path().join("policies/block.yaml"), policy).unwrap();
    let out = caac(
        tmp.path(),
        &["impact", "--base", "base", "--format", "markdown"],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("<summary>e.g. a member of O&#39;Neil &quot;&amp;&quot; &lt;b&gt;|x: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("blocked by `` Block `a\\|b` ``"),
        "{stdout}"
    );
    // Outside code, the group name is escaped Markdown text.
    assert!(
        stdout.contains("- **4032 sign-ins**: a member of O'Neil \"\\&\" \\<b\\>\\|x; "),
        "{stdout}"
    );
}

#[test]
fn an_identical_base_has_no_impact() {
    let files = [
        ("mfa.yaml", MFA),
        ("block.yaml", &block("Contractors") as &str),
    ];
    let tmp = base_and_head(&files, &files);
    let out = caac(tmp.path(), &["impact", "--base", "base"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.matches("  no impact\n").count(), 2, "{stdout}");
    assert!(stdout.contains("\n0 sign-ins changed in the enforced policies, 0 as if"));
}

#[test]
fn deleting_an_mfa_policy_is_newly_unprotected() {
    let b = block("Contractors");
    let tmp = base_and_head(
        &[("mfa.yaml", MFA), ("block.yaml", &b)],
        &[("block.yaml", &b)],
    );
    let out = caac(tmp.path(), &["impact", "--base", "base"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout
            .contains("  newly unprotected (no block, MFA or authentication strength any more) ("),
        "{stdout}"
    );
    // What Contractors reach in Office 365 stays blocked: not unprotected.
    assert!(
        stdout.contains("    - any user except a member of Contractors; any app; any platform; any client app type; any location: ")
            && stdout.contains("      no longer protected by: MFA\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("newly blocked"), "{stdout}");
}

#[test]
fn report_only_changes_count_only_with_enforce_report_only() {
    let ro = block("Contractors, Vendors").replace("state: enabled", "state: reportOnly");
    let tmp = base_and_head(
        &[("mfa.yaml", MFA)],
        &[("mfa.yaml", MFA), ("block.yaml", &ro)],
    );
    let out = caac(tmp.path(), &["impact", "--base", "base"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let enforced = stdout.split("As if report-only").next().unwrap();
    assert!(enforced.contains("  no impact\n"), "{stdout}");
    assert!(
        stdout.contains("As if report-only policies were enforced (not what the tenant enforces today):\n  newly blocked ("),
        "{stdout}"
    );
    let out = caac(
        tmp.path(),
        &["impact", "--base", "base", "--enforce-report-only"],
    );
    assert_eq!(out.status.code(), Some(1));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=caac tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_git_revision_base() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    repo(
        dir,
        &[("mfa.yaml", MFA), ("block.yaml", &block("Contractors"))],
    );
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    // The working tree widens the block.
    std::fs::write(
        dir.join("policies/block.yaml"),
        block("Contractors, Vendors"),
    )
    .unwrap();
    let out = caac(dir, &["impact", "--base", "HEAD"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("impact of the change from HEAD: 2 policies → 2 policies"),
        "{stdout}"
    );
    assert!(
        // Legacy clients of Vendors were already blocked by the MFA policy
        // (they cannot do MFA: concept-conditional-access-conditions#client-apps).
        stdout.contains("    - a member of Vendors; any app except Azure portal and an app no policy names; any platform; browser or mobile/desktop app; any location: 4032 sign-ins\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("      blocked by: Block contractors\n"),
        "{stdout}"
    );
    // Nothing of the extraction is left behind, and git sees no change but ours.
    let status = Command::new("git")
        .current_dir(dir)
        .args(["status", "--porcelain"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        " M policies/block.yaml\n"
    );

    // Committed, the same revision has no impact.
    git(dir, &["commit", "-q", "-am", "head"]);
    let out = caac(dir, &["impact", "--base", "HEAD"]);
    assert_eq!(out.status.code(), Some(0));
    let out = caac(dir, &["impact", "--base", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(1));

    // A broken base file is an input error named REV:path with its position.
    std::fs::write(dir.join("policies/block.yaml"), "displayName: [unclosed\n").unwrap();
    git(dir, &["commit", "-q", "-am", "broken"]);
    std::fs::write(dir.join("policies/block.yaml"), block("Vendors")).unwrap();
    let out = caac(dir, &["impact", "--base", "HEAD"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("HEAD:policies/block.yaml:1:"), "{stderr}");
    assert!(
        stderr.contains("the base policies (HEAD) are invalid"),
        "{stderr}"
    );

    // A path the base revision does not have: the base has no policies there.
    std::fs::create_dir(dir.join("more")).unwrap();
    std::fs::write(dir.join("more/mfa.yaml"), MFA).unwrap();
    let out = caac(dir, &["impact", "--base", "HEAD~2", "more"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("impact of the change from HEAD~2: 0 policies → 1 policy"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  newly protected (MFA or authentication strength now required) ("),
        "{stdout}"
    );
}

#[test]
fn unknown_revisions_and_no_repository_are_input_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    repo(dir, &[("mfa.yaml", MFA)]);
    // Outside any repository.
    let out = Command::new(assert_cmd::cargo::cargo_bin("caac"))
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .args(["--color", "never", "impact", "--base", "main"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("not a directory and not in a git repository"),
        "{stderr}"
    );

    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let out = caac(dir, &["impact", "--base", "no-such-branch"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(
        stderr,
        "error: --base no-such-branch: unknown revision (not a directory either)\n"
    );
}
