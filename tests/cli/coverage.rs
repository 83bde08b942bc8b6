//! `caac coverage` end to end: the starter set (mostly report-only) leaves
//! gaps in the enforced policies (exit 1) and fewer once report-only counts;
//! each gap's example request replays through `caac whatif`; a set that
//! requires MFA everywhere and blocks legacy clients and unknown platforms
//! has no gaps (exit 0); unreadable policies are input errors (exit 2).

use crate::common::{caac, root, text};

#[test]
fn the_starter_set_has_enforced_gaps() {
    let out = caac(&root(), &["coverage"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    insta::assert_snapshot!("coverage_starter", stdout);
}

#[test]
fn every_example_replays_through_whatif() {
    let out = caac(&root(), &["coverage", "--format", "json"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["version"], 1);
    let tmp = tempfile::tempdir().unwrap();
    let mut replayed = 0;
    for mode in v["modes"].as_array().unwrap() {
        for gap in mode["gaps"].as_array().unwrap() {
            let req = tmp.path().join(format!("r{replayed}.json"));
            std::fs::write(&req, gap["example"]["request"].to_string()).unwrap();
            let out = caac(
                &root(),
                &[
                    "whatif",
                    "--policies",
                    "policies",
                    "--request",
                    req.to_str().unwrap(),
                    "--format",
                    "json",
                ],
            );
            let (stdout, stderr) = text(&out);
            assert_eq!(out.status.code(), Some(0), "{gap}: {stderr}");
            let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            if mode["mode"] == "enforced" {
                // Nothing enforced blocks or requires MFA in any enforced gap of the starter set.
                assert_ne!(result["result"]["access"], "block", "{gap}");
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 3);
}

#[test]
fn mfa_everywhere_and_the_two_blocks_leave_no_gap() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("policies");
    std::fs::create_dir(&dir).unwrap();
    let all =
        "users:\n  include: { users: [All] }\napplications:\n  include: [All]\nstate: enabled\n";
    std::fs::write(
        dir.join("mfa.yaml"),
        format!("displayName: MFA\n{all}grant:\n  builtInControls: [mfa]\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("legacy.yaml"),
        format!("displayName: Legacy\n{all}clientAppTypes: [exchangeActiveSync, other]\ngrant:\n  builtInControls: [block]\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("platforms.yaml"),
        format!("displayName: Platforms\n{all}platforms:\n  include: [all]\n  exclude: [android, iOS, windows, windowsPhone, macOS, linux]\ngrant:\n  builtInControls: [block]\n"),
    )
    .unwrap();
    let out = caac(tmp.path(), &["coverage"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("0 gap(s) in the enforced policies"),
        "{stdout}"
    );

    // Scope the platform block to Exchange Online: every other app is now
    // reachable from an unknown platform.
    std::fs::write(
        dir.join("platforms.yaml"),
        format!("displayName: Platforms\n{all}platforms:\n  include: [all]\n  exclude: [android, iOS, windows, windowsPhone, macOS, linux]\ngrant:\n  builtInControls: [block]\n")
            .replace("include: [All]", "include: [Exchange Online]"),
    )
    .unwrap();
    let out = caac(tmp.path(), &["coverage"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("    - any user; any app except Office 365 Exchange Online; an unknown platform; browser or mobile/desktop app; any location\n"),
        "{stdout}"
    );
}
