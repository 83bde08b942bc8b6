//! `caac monitor` end to end: golden KQL for the Token Protection example,
//! deployed (an id in the lock) and not yet deployed (matched by
//! displayName); a display name that needs escaping; `--out` writes one
//! file per policy atomically and refuses a directory caac did not create;
//! input errors exit 2.

use crate::common::{caac, root, snapshot_dir, text};

const SPEC: &str =
    "examples/token-protection/CA410-TokenProtection-ExchangeSharePoint-Windows.yaml";
const TENANT: &str = "examples/token-protection/tenant.yaml";

#[test]
fn token_protection_deployed() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = tmp.path().join("caac.lock");
    std::fs::write(
        &lock,
        format!(
            r#"{{"version": 1, "policies": {{"{SPEC}": {{"id": "5A0C2E4B-1D3F-4E6A-8B7C-9D0E1F2A3B4C"}}}}}}"#
        ),
    )
    .unwrap();
    let out = caac(
        &root(),
        &[
            "monitor",
            SPEC,
            "--tenant",
            TENANT,
            "--lock",
            lock.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = stdout.replace(lock.to_str().unwrap(), "[LOCK]");
    // Matched by the (lowercased) id, with the readiness and audit queries.
    assert!(stdout.contains(r#"let policyId = "5a0c2e4b-1d3f-4e6a-8b7c-9d0e1f2a3b4c";"#));
    assert!(!stdout.contains("policyName"));
    assert!(
        stdout.contains(r#"Unsatisfied has "SignInTokenProtection" or Unsatisfied has "Binding""#)
    );
    assert!(stdout.contains("AuditLogs"));
    insta::assert_snapshot!("monitor_tp_deployed", stdout);
    // The same spec named another way still finds its lock entry.
    let out = caac(
        &root(),
        &[
            "monitor",
            &format!("./{SPEC}"),
            "--tenant",
            TENANT,
            "--lock",
            lock.to_str().unwrap(),
        ],
    );
    let (again, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(again.contains(r#"let policyId = "5a0c2e4b-1d3f-4e6a-8b7c-9d0e1f2a3b4c";"#));
}

#[test]
fn token_protection_not_deployed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = caac(
        &root(),
        &[
            "monitor",
            "examples/token-protection",
            "--policy",
            "CA410-TokenProtection-ExchangeSharePoint-Windows",
            "--tenant",
            TENANT,
            "--lock",
            tmp.path().join("none.lock").to_str().unwrap(),
            "--lookback",
            "36h",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("not deployed yet"));
    assert!(stdout.contains("let lookback = 36h;"));
    assert!(!stdout.contains("AuditLogs"), "no id, no audit query");
    insta::assert_snapshot!("monitor_tp_not_deployed", stdout);
}

#[test]
fn display_names_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("odd.yaml"),
        "displayName: 'CA900 \"Quoted\" \\ back\\slash'\nusers: { include: { users: [All] } }\n\
         applications: { include: [All] }\ngrant: { builtInControls: [mfa] }\n",
    )
    .unwrap();
    let out = caac(tmp.path(), &["monitor", "odd.yaml"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains(r#"let policyName = "CA900 \"Quoted\" \\ back\\slash";"#),
        "{stdout}"
    );
    assert!(
        !stdout.contains("Q4 Token"),
        "no token protection, no readiness query"
    );
    insta::assert_snapshot!("monitor_escaped", stdout);
}

#[test]
fn out_writes_one_file_per_policy_atomically() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kql");
    let lock = tmp.path().join("none.lock");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "monitor",
            "--lock",
            lock.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        caac(&root(), &a)
    };
    let out = run(&[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let files = snapshot_dir(&dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 11, "{names:?}");
    assert!(names.contains(&"manifest.json"));
    assert!(names.contains(&"CA410-TokenProtection-ExchangeSharePoint-Windows.kql"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["lookback"], "14d");
    assert_eq!(manifest["queries"].as_array().unwrap().len(), 10);
    // Deterministic: a second run writes the same bytes, and replaces
    // exactly the selection.
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(snapshot_dir(&dir), files);
    let out = run(&["--policy", "CA001-BlockLegacyAuthentication"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(snapshot_dir(&dir).len(), 2);
    // A directory caac did not create is never replaced.
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep").unwrap();
    let out = caac(
        &root(),
        &[
            "monitor",
            "--lock",
            lock.to_str().unwrap(),
            "--out",
            mine.to_str().unwrap(),
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a caac output directory"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "keep"
    );
}

#[test]
fn input_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = caac(&root(), &["monitor", "--policy", "No such policy"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout.is_empty());
    assert!(stderr.contains("no policy `No such policy`"), "{stderr}");
    for bad in ["14", "0d", "2w", "999d", "-3d"] {
        let out = caac(&root(), &["monitor", &format!("--lookback={bad}")]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr.contains("invalid --lookback"), "{bad}: {stderr}");
    }
    let lock = tmp.path().join("caac.lock");
    std::fs::write(&lock, "{\"version\": 1,\n \"policies\": [}").unwrap();
    let out = caac(&root(), &["monitor", "--lock", lock.to_str().unwrap()]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("caac.lock:2:"), "{stderr}");
    // An unreadable policy: `hostile.rs`, every command.
}

/// `caac monitor -f json`: the manifest is the product on stdout. Without
/// `-o` every entry carries its KQL as `query` (the same text `-f kql`
/// prints); with `-o DIR` stdout is byte for byte `DIR/manifest.json`.
#[test]
fn format_json_prints_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = tmp.path().join("none.lock");
    let lock = lock.to_str().unwrap();
    let base = ["monitor", SPEC, "--tenant", TENANT, "--lock", lock];
    let kql = caac(&root(), &base);
    let (kql, stderr) = text(&kql);
    let out = caac(&root(), &[&base[..], &["-f", "json"]].concat());
    let (stdout, stderr2) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}{stderr2}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["kind"], "monitor");
    assert_eq!(v["lookback"], "14d");
    let queries = v["queries"].as_array().unwrap();
    assert_eq!(queries.len(), 1, "{stdout}");
    assert_eq!(queries[0]["source"], SPEC);
    assert_eq!(
        queries[0]["output"],
        "CA410-TokenProtection-ExchangeSharePoint-Windows.kql"
    );
    assert_eq!(queries[0]["query"], kql.as_str());

    let dir = tmp.path().join("kql");
    let out = caac(
        &root(),
        &[&base[..], &["-f", "json", "-o", dir.to_str().unwrap()]].concat(),
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let written = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert_eq!(stdout, written);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(v["queries"][0].get("query").is_none(), "{stdout}");
    assert!(stderr.contains("wrote 1 query file"), "{stderr}");
    // -f kql (the default) with -o prints nothing.
    let out = caac(
        &root(),
        &[&base[..], &["-o", dir.to_str().unwrap()]].concat(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out).0, "");
}
