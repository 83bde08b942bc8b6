//! `caac replay` (issue 16) on the fixture logs in tests/fixtures/signins/:
//! a Graph `auditLogs/signIns` page (graph-signins.json) and a Log
//! Analytics CSV export of `SigninLogs` and
//! `AADNonInteractiveUserSignInLogs` (la-signins.csv), against the head
//! policies in policies/ and the base in base/policies/.
//!
//! Every expected verdict below is worked out by hand from Microsoft Learn,
//! not from caac's output; the rule that decides it is in the comment.
//! Pages: [AND] "All assignments are logically ANDed" and [BLOCK] "If
//! there's a policy that is configured to block access … the user will be
//! blocked", concept-conditional-access-policies; [EXCL] "The exclude action
//! overrides the include action", concept-conditional-access-users-groups;
//! [PLAT] device platforms, include "any device" and exclude the known ones
//! = block unknown platforms, howto-policy-unknown-unsupported-device;
//! [LEGACY] client apps "Other clients" (IMAP4, Authenticated SMTP) and
//! Exchange ActiveSync, concept-conditional-access-conditions#client-apps;
//! [DCF] "When you use the device-code OAuth flow, the required grant
//! control for the managed device or a device state condition isn't
//! supported", concept-conditional-access-grant; [WID] workload identity
//! policies match service principals, not users, workload-identity;
//! [APPS] a policy applies when the accessed resource is in scope,
//! concept-conditional-access-cloud-apps.

use crate::common::{caac, root, text};
use serde_json::Value;
use std::path::PathBuf;

fn dir() -> PathBuf {
    root().join("tests/fixtures/signins")
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let mut a = vec!["replay", "./policies", "--tenant", "tenant.yaml"];
    a.extend_from_slice(args);
    let out = caac(&dir(), &a);
    let (o, e) = text(&out);
    (out.status.code(), o, e)
}

fn json(args: &[&str]) -> (Option<i32>, Value, String) {
    let mut a = args.to_vec();
    a.extend(["-f", "json"]);
    let (code, out, err) = run(&a);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}\n{err}"));
    (code, v, err)
}

fn by_id(v: &Value) -> std::collections::BTreeMap<String, Value> {
    v["signIns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

const LOGS: [&str; 4] = [
    "--signins",
    "graph-signins.json",
    "--signins",
    "la-signins.csv",
];

#[test]
fn replay_verdicts_head_and_base_match_the_learn_pages() {
    let mut args = LOGS.to_vec();
    args.extend(["--base", "base", "--members", "members.json"]);
    let (code, v, err) = json(&args);
    // Changes exist: exit 1, like `caac impact`.
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(v["version"], 1);
    let s = by_id(&v);
    // (id, head, base, change)
    let expected: &[(&str, &str, &str, Option<&str>)] = &[
        // Alice (pilot), browser, Windows, Exchange: RP02 MFA applies [AND];
        // head adds RP06 (pilot + Exchange → compliant device): grant both sides.
        ("g1", "grant", "grant", None),
        // Bob, desktop client on iOS, SharePoint: RP02 only.
        ("g2", "grant", "grant", None),
        // Bob, IMAP4 = other clients [LEGACY]: RP01 blocks on both sides [BLOCK].
        ("g3", "block", "block", None),
        // Bob, ChromeOS is no platform CA identifies: head's RP03 [PLAT]
        // blocks, the base only asked for MFA.
        ("g4", "block", "grant", Some("newlyBlocked")),
        // Break-glass user, excluded from RP02 and RP03 [EXCL]; the base's
        // RP07 (break-glass MFA for Graph) is gone in the head.
        ("g5", "allow", "grant", Some("newlyUnprotected")),
        // Guest: "All users" includes B2B guests (users-groups page): RP02.
        ("g6", "grant", "grant", None),
        // Service principal Payroll Sync: RP04 blocks it [WID], both sides.
        ("g7", "block", "block", None),
        // Alice with device code flow to Exchange: head's RP06 requires a
        // compliant device, which device code flow cannot satisfy [DCF].
        ("g8", "block", "grant", Some("newlyBlocked")),
        // Carol (break-glass and pilot), Exchange: excluded from RP02 [EXCL],
        // RP07 covers Graph only [APPS]; head's RP06 requires compliance.
        ("g9", "grant", "allow", Some("newlyPrompted")),
        // CSV rows (Log Analytics, PascalCase, nested JSON strings):
        // Alice non-interactive, desktop client, Windows, SharePoint: RP02.
        ("c1", "grant", "grant", None),
        // Authenticated SMTP = other clients [LEGACY]: RP01.
        ("c2", "block", "block", None),
        // Exchange ActiveSync [LEGACY]: RP01.
        ("c3", "block", "block", None),
        // Guest on macOS: RP02.
        ("c4", "grant", "grant", None),
        // "PlayStation" is no platform CA identifies: RP03 [PLAT].
        ("c5", "block", "grant", Some("newlyBlocked")),
        // Break-glass to SharePoint: RP07 is Graph only [APPS]: allow both.
        ("c6", "allow", "allow", None),
    ];
    assert_eq!(s.len(), expected.len(), "{v:#}");
    for (id, head, base, change) in expected {
        let r = &s[*id];
        assert_eq!(r["head"]["access"], *head, "{id} head: {r:#}");
        assert_eq!(r["base"]["access"], *base, "{id} base: {r:#}");
        assert_eq!(r["change"].as_str(), *change, "{id} change: {r:#}");
    }
    // Interactive and non-interactive both read; the non-interactive table.
    assert_eq!(s["c1"]["interactive"], false);
    assert_eq!(s["g4"]["interactive"], false);
    assert_eq!(s["c2"]["interactive"], true);
    // The client app types the Conditions page names.
    assert_eq!(s["g3"]["clientApp"], "other");
    assert_eq!(s["c3"]["clientApp"], "exchangeActiveSync");
    assert_eq!(s["g7"]["platform"], "workload");
    assert_eq!(s["g4"]["platform"], "unknown (ChromeOS)");
    // The guest's typed B2B selection (RP05) is unknown: the log does not
    // say which kind of external user it is.
    assert_eq!(
        s["g6"]["head"]["unknown"][0]["policy"],
        "RP05 B2B guests MFA (report-only)"
    );
    assert_eq!(s["g6"]["head"]["unknown"][0]["missing"][0], "guest type");
    // Aggregates.
    assert_eq!(v["evaluated"], 15);
    assert_eq!(v["head"]["block"], 7);
    assert_eq!(v["head"]["grant"], 6);
    assert_eq!(v["head"]["allow"], 2);
    assert_eq!(v["changes"]["newlyBlocked"], 3);
    assert_eq!(v["changes"]["newlyPrompted"], 1);
    assert_eq!(v["changes"]["newlyUnprotected"], 1);
    assert_eq!(v["byUser"]["bob@contoso.com"]["signIns"], 6);
    assert_eq!(v["byUser"]["bob@contoso.com"]["newlyBlocked"], 2);
    assert_eq!(v["byPlatform"]["windows"]["signIns"], 6);
    assert_eq!(v["byPolicy"]["RP03 Block unknown platforms"]["applies"], 4);
    // Malformed records are skipped with file:line and counted.
    assert_eq!(v["skipped"]["total"], 3);
    assert_eq!(v["skipped"]["byReason"]["missing field"], 1);
    // "Managed identities aren't covered by policy" (workload-identity page).
    assert_eq!(
        v["skipped"]["byReason"]["managed identity (not covered by Conditional Access)"],
        1
    );
    assert_eq!(v["skipped"]["byReason"]["wrong number of CSV fields"], 1);
    assert!(
        err.contains("graph-signins.json:403: sign-in g10: no `clientAppUsed`"),
        "{err}"
    );
    assert!(
        err.contains("la-signins.csv:8: 3 fields where the header has 17"),
        "{err}"
    );
}

#[test]
fn self_check_agrees_with_every_entra_verdict_written_from_the_expectations() {
    let mut args = LOGS.to_vec();
    args.extend(["--members", "members.json"]);
    let (code, v, err) = json(&args);
    // No base, no disagreement: exit 0.
    assert_eq!(code, Some(0), "{err}");
    let sc = &v["selfCheck"];
    // 22 entries name a policy of the repository with a known caac verdict
    // (hand count over the fixture records).
    assert_eq!(sc["compared"], 22, "{sc:#}");
    assert_eq!(sc["agreed"], 22);
    assert_eq!(sc["agreementPercent"], 100.0);
    assert_eq!(sc["disagreements"].as_array().unwrap().len(), 0);
    // RP07 lives only in the base; the guest's RP05 is unknown for caac.
    assert_eq!(sc["notCompared"]["policy not in the repository"], 3);
    assert_eq!(sc["notCompared"]["caac verdict unknown"], 1);
}

#[test]
fn planted_disagreement_is_listed_with_the_deciding_condition() {
    let (code, v, err) = json(&["--signins", "disagree.ndjson", "--members", "members.json"]);
    assert_eq!(code, Some(1), "{err}");
    let sc = &v["selfCheck"];
    let d = sc["disagreements"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{sc:#}");
    assert_eq!(d[0]["signIn"], "d1");
    assert_eq!(d[0]["at"], "disagree.ndjson:1");
    assert_eq!(d[0]["policy"], "RP02 MFA for everyone");
    assert_eq!(d[0]["entra"], "notApplied");
    assert_eq!(d[0]["caac"], "applies");
    assert_eq!(d[0]["decidedBy"], "every condition matches");
    assert_eq!(sc["compared"], 2);
    assert_eq!(sc["agreed"], 1);
    assert_eq!(sc["agreementPercent"], 50.0);
    // d2 names its policy by display name only: matched with a warning.
    let w = sc["warnings"].as_array().unwrap();
    assert!(
        w.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("RP01 Block legacy authentication")),
        "{w:?}"
    );
    // The human report lists it too.
    let (_, human, _) = run(&["--signins", "disagree.ndjson", "--members", "members.json"]);
    assert!(
        human.contains("disagreement: disagree.ndjson:1 sign-in d1 policy \"RP02 MFA for everyone\": Entra notApplied, caac applies (every condition matches)"),
        "{human}"
    );
}

/// However many records disagree, the report lists the first
/// `MAX_DISAGREEMENTS_LISTED` (1,000) and counts the rest, so memory does
/// not grow with records; under the limit nothing changes (the key is
/// absent, as in `planted_disagreement_is_listed_with_the_deciding_condition`).
#[test]
fn disagreements_over_the_limit_are_counted_not_listed() {
    let line = std::fs::read_to_string(dir().join("disagree.ndjson")).unwrap();
    let line = line.lines().next().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("many.ndjson");
    let text: String = (1..=1_005)
        .map(|k| line.replacen("\"id\": \"d1\"", &format!("\"id\": \"d{k}\""), 1) + "\n")
        .collect();
    std::fs::write(&path, text).unwrap();
    let file = path.to_str().unwrap();
    let (code, v, err) = json(&["--signins", file, "--members", "members.json"]);
    assert_eq!(code, Some(1), "{err}");
    let sc = &v["selfCheck"];
    assert_eq!(sc["compared"], 1_005);
    assert_eq!(sc["agreed"], 0);
    let d = sc["disagreements"].as_array().unwrap();
    assert_eq!(d.len(), 1_000);
    assert_eq!(d[0]["signIn"], "d1");
    assert_eq!(d[999]["signIn"], "d1000");
    assert_eq!(sc["disagreementsNotListed"], 5);
    let keys: Vec<&String> = sc.as_object().unwrap().keys().collect();
    let at = keys.iter().position(|k| *k == "disagreements").unwrap();
    assert_eq!(keys[at + 1], "disagreementsNotListed", "{keys:?}");
    let (_, human, _) = run(&["--signins", file, "--members", "members.json"]);
    assert_eq!(human.matches("  disagreement: ").count(), 1_000);
    assert!(
        human.contains("  … and 5 more disagreements, not listed (the first 1000 are)"),
        "{human}"
    );
    let (_, md, _) = run(&[
        "--signins",
        file,
        "--members",
        "members.json",
        "-f",
        "markdown",
    ]);
    assert!(
        md.contains("- … and 5 more disagreements, not listed (the first 1000 are)"),
        "{md}"
    );
    // Under the limit, no key.
    let (_, v, _) = json(&["--signins", "disagree.ndjson", "--members", "members.json"]);
    assert!(v["selfCheck"].get("disagreementsNotListed").is_none());
}

/// A change group is one distinct `caac whatif` request (user, address,
/// device…), so their number can approach the number of records: the
/// report lists the first `MAX_CHANGE_GROUPS_LISTED` (1,000) and counts
/// the changed sign-ins of the others; under the limit nothing changes.
#[test]
fn change_groups_over_the_limit_are_counted_not_listed() {
    let page: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("graph-signins.json")).unwrap())
            .unwrap();
    let g8 = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "g8")
        .unwrap()
        .clone();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("many.ndjson");
    let mut text = String::new();
    for k in 0..1_003u32 {
        let mut r = g8.clone();
        r["id"] = format!("g8-{k}").into();
        // One distinct request per record (the fixture tenant has no named
        // locations, so the address changes nothing else).
        r["ipAddress"] = format!("203.0.{}.{}", k / 256, k % 256).into();
        text.push_str(&r.to_string());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let file = path.to_str().unwrap();
    let args = [
        "--signins",
        file,
        "--members",
        "members.json",
        "--base",
        "base",
    ];
    let (code, v, err) = json(&args);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(v["changes"]["newlyBlocked"], 1_003, "{:#}", v["changes"]);
    let groups = v["changeGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 1_000);
    assert!(groups.iter().all(|g| g["signIns"] == 1));
    assert_eq!(v["changeGroupsNotListed"], 3);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    let at = keys.iter().position(|k| *k == "changeGroups").unwrap();
    assert_eq!(keys[at + 1], "changeGroupsNotListed", "{keys:?}");
    let (_, human, _) = run(&args);
    assert_eq!(human.matches(" sign-ins like g8-").count(), 1_000);
    assert!(
        human.contains(
            "    … and 3 more changed sign-ins in groups not listed (the first 1000 groups are)"
        ),
        "{human}"
    );
    // Under the limit, no key.
    let (_, v, _) = json(&[
        "--signins",
        "graph-signins.json",
        "--members",
        "members.json",
        "--base",
        "base",
    ]);
    assert!(v.get("changeGroupsNotListed").is_none());
}

#[test]
fn without_members_group_scoped_policies_are_unknown_and_counted() {
    let (code, v, err) = json(&LOGS);
    assert_eq!(code, Some(0), "{err}");
    let s = by_id(&v);
    // Every user sign-in meets RP02 (exclude: the break-glass group) or
    // RP01/RP03 (same exclusion) or RP06 (pilot group): membership decides,
    // and the log does not carry it.
    for (id, r) in &s {
        let want = if id == "g7" { "block" } else { "unknown" };
        assert_eq!(r["head"]["access"], want, "{id}: {r:#}");
    }
    assert_eq!(v["unknown"]["membership"], 14);
    // Nothing unknown is compared in the self-check.
    assert_eq!(v["selfCheck"]["disagreements"].as_array().unwrap().len(), 0);
}

#[test]
fn gzip_ndjson_and_markdown() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    // The Graph page as NDJSON (one record per line), gzip-compressed.
    let page: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("graph-signins.json")).unwrap())
            .unwrap();
    let mut nd = String::new();
    for r in page["value"].as_array().unwrap() {
        nd.push_str(&serde_json::to_string(r).unwrap());
        nd.push('\n');
    }
    let gz = tmp.path().join("signins.ndjson.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(nd.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let gz = gz.to_str().unwrap();
    let (code, v, err) = json(&[
        "--signins",
        gz,
        "--members",
        "members.json",
        "--base",
        "base",
    ]);
    assert_eq!(code, Some(1), "{err}");
    let s = by_id(&v);
    assert_eq!(s["g4"]["change"], "newlyBlocked");
    assert_eq!(s["g8"]["head"]["access"], "block");
    assert_eq!(v["evaluated"], 9);
    assert_eq!(v["skipped"]["total"], 2);
    // Markdown for a pull request.
    let (_, md, _) = run(&[
        "--signins",
        gz,
        "--members",
        "members.json",
        "--base",
        "base",
        "-f",
        "markdown",
    ]);
    assert!(md.contains("| block | 4 | 2 |"), "{md}");
    assert!(md.contains("| newlyBlocked | 2 |"), "{md}");
}

/// Hostile sign-in files: never a panic; a file that cannot be read to its
/// end is exit 2 with its position, a bad record is skipped and counted.
#[test]
fn hostile_sign_in_files() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let p = |n: &str| tmp.path().join(n).to_str().unwrap().to_owned();
    // Truncated gzip.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&std::fs::read(dir().join("graph-signins.json")).unwrap())
        .unwrap();
    let gz = enc.finish().unwrap();
    std::fs::write(p("cut.json.gz"), &gz[..gz.len() / 2]).unwrap();
    let (code, out, err) = run(&["--signins", &p("cut.json.gz")]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("cut.json.gz:"), "{err}");
    assert!(out.is_empty(), "{out}");
    // Invalid UTF-8 and a huge line in NDJSON: skipped and counted.
    let good = r#"{"id":"ok","userId":"00000000-0000-4000-8000-0000000000b0","resourceId":"00000003-0000-0000-c000-000000000000","clientAppUsed":"Browser","deviceDetail":{"operatingSystem":"Windows 10"}}"#;
    let mut nd = Vec::new();
    nd.extend_from_slice(good.as_bytes());
    nd.extend_from_slice(b"\n{\"id\":\"bad\xff\xfe\"}\n{\"id\":\"");
    nd.extend(std::iter::repeat_n(b'x', 17 * 1024 * 1024));
    nd.extend_from_slice(b"\"}\n");
    nd.extend_from_slice(good.replace("\"ok\"", "\"ok2\"").as_bytes());
    nd.push(b'\n');
    std::fs::write(p("bad.ndjson"), &nd).unwrap();
    let (code, v, err) = json(&["--signins", &p("bad.ndjson"), "--members", "members.json"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["evaluated"], 2);
    assert_eq!(
        v["skipped"]["byReason"]["invalid UTF-8"], 1,
        "{:#}",
        v["skipped"]
    );
    assert_eq!(v["skipped"]["byReason"]["line too long"], 1);
    assert!(err.contains("bad.ndjson:2:"), "{err}");
    assert!(err.contains("bad.ndjson:3:"), "{err}");
    // Random bytes, a lone bracket, a JSON scalar: no panic.
    for (name, bytes) in [
        (
            "noise.bin",
            vec![0u8, 159, 146, 150, 0x1f, 0x8b, 255, 10, 13, 0],
        ),
        ("bracket.json", b"[".to_vec()),
        ("scalar.json", b"{\"value\": 3}".to_vec()),
        ("gzip-header-only.gz", vec![0x1f, 0x8b]),
    ] {
        std::fs::write(p(name), bytes).unwrap();
        let (code, out, err) = run(&["--signins", &p(name)]);
        assert!(matches!(code, Some(0 | 2)), "{name}: {code:?}\n{out}{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    // A missing file and a bad members file are input errors.
    let (code, _, err) = run(&["--signins", &p("absent.json")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("absent.json"), "{err}");
    std::fs::write(p("members.json"), r#"{"version": 1, "group": {}}"#).unwrap();
    let (code, _, err) = run(&[
        "--signins",
        "disagree.ndjson",
        "--members",
        &p("members.json"),
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown field `group`"), "{err}");
}

/// `--base REV` is resolved like `caac impact --base`: the PATHS at the
/// revision, extracted with `git archive`; the same verdicts as the
/// directory base.
#[test]
fn a_git_revision_base_gives_the_directory_base_verdicts() {
    use std::process::Command;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(d)
            .args([
                "-c",
                "user.name=caac tests",
                "-c",
                "user.email=tests@example.invalid",
            ])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    };
    for f in ["tenant.yaml", "members.json", "graph-signins.json"] {
        std::fs::copy(dir().join(f), d.join(f)).unwrap();
    }
    copy(&dir().join("base/policies"), &d.join("policies"));
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    std::fs::remove_dir_all(d.join("policies")).unwrap();
    copy(&dir().join("policies"), &d.join("policies"));
    let out = caac(
        d,
        &[
            "replay",
            "./policies",
            "--tenant",
            "tenant.yaml",
            "--signins",
            "graph-signins.json",
            "--members",
            "members.json",
            "--base",
            "HEAD",
            "-f",
            "json",
        ],
    );
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{o}{e}");
    let v: Value = serde_json::from_str(&o).unwrap();
    let s = by_id(&v);
    assert_eq!(s["g4"]["change"], "newlyBlocked");
    assert_eq!(s["g5"]["change"], "newlyUnprotected");
    assert_eq!(s["g9"]["change"], "newlyPrompted");
    assert_eq!(s["g8"]["base"]["access"], "grant");
    // An unknown revision is an input error naming it.
    let out = caac(
        d,
        &[
            "replay",
            "./policies",
            "--tenant",
            "tenant.yaml",
            "--signins",
            "graph-signins.json",
            "--base",
            "no-such-rev",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("no-such-rev"), "{:?}", text(&out));
}

/// Each group of changed sign-ins carries a `caac whatif` request that
/// reproduces the head verdict (here g8: device code flow meets a
/// compliant-device requirement, [DCF]).
#[test]
fn change_groups_carry_a_whatif_request_that_reproduces_the_verdict() {
    let (_, v, err) = json(&[
        "--signins",
        "graph-signins.json",
        "--members",
        "members.json",
        "--base",
        "base",
    ]);
    let groups = v["changeGroups"]
        .as_array()
        .unwrap_or_else(|| panic!("{v:#}{err}"));
    // g4, g5, g8, g9 each differ: four groups of one.
    assert_eq!(groups.len(), 4, "{groups:#?}");
    let g8 = groups.iter().find(|g| g["example"] == "g8").unwrap();
    assert_eq!(g8["change"], "newlyBlocked");
    assert_eq!(g8["signIns"], 1);
    let tmp = tempfile::tempdir().unwrap();
    let req = tmp.path().join("g8.json");
    std::fs::write(&req, serde_json::to_string(&g8["whatifRequest"]).unwrap()).unwrap();
    let out = caac(
        &dir(),
        &[
            "whatif",
            "./policies",
            "--tenant",
            "tenant.yaml",
            "--request",
            req.to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{o}{e}");
    let w: Value = serde_json::from_str(&o).unwrap();
    assert_eq!(w["result"]["access"], "block");
    assert_eq!(
        w["result"]["unsatisfiable"][0]["policy"],
        "RP06 Pilot compliant device for Exchange"
    );
}

/// `caac pull --members FILE` writes the members file from Graph (a fake on
/// loopback, paging one item at a time): transitive user members of every
/// group the policies name, and the users holding every role they name
/// tenant-wide — directly or through a role-assignable group; an
/// administrative-unit-scoped assignment and a service principal do not
/// count (concept-conditional-access-users-groups).
#[test]
fn pull_members_writes_the_members_file_replay_reads() {
    use crate::fake_graph::Fake;
    use serde_json::json;
    const TOKEN: &str = "eyJ0eXAi.fake-token-members.SIGNATURE";
    const PILOT: &str = "00000000-0000-4000-8000-0000000070b1";
    const NESTED: &str = "00000000-0000-4000-8000-0000000070b2";
    const EA: &str = "00000000-0000-4000-8000-00000000e0e1";
    const RA: &str = "00000000-0000-4000-8000-0000000000ab";
    // Global Administrator's template id (the list-roleAssignments example).
    const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
    let u = |n: u8| format!("00000000-0000-4000-8000-0000000000{n:02x}");
    let user = |n: u8| json!({"@odata.type": "#microsoft.graph.user", "id": u(n)});
    let group = |id: &str| json!({"@odata.type": "#microsoft.graph.group", "id": id});
    let fake = Fake::start(TOKEN);
    fake.with(|s| {
        s.page_size = 1;
        s.policies.insert(
            "0a000000-0000-4000-8000-000000000001".into(),
            json!({
                "id": "0a000000-0000-4000-8000-000000000001",
                "displayName": "MFA for the pilot and admins",
                "state": "enabled",
                "conditions": {
                    "users": {"includeGroups": [PILOT], "excludeGroups": [EA], "includeRoles": [GA]},
                    "applications": {"includeApplications": ["All"]},
                    "clientAppTypes": ["all"]
                },
                "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
            }),
        );
        s.groups.insert(PILOT.into(), vec![user(0xa1), group(NESTED)]);
        s.groups.insert(
            NESTED.into(),
            vec![user(0xc1), json!({"@odata.type": "#microsoft.graph.device", "id": u(0xde)})],
        );
        s.groups.insert(EA.into(), vec![user(0xe1)]);
        s.groups.insert(RA.into(), vec![user(0xd1)]);
        s.role_assignments = vec![
            json!({"id": "a1", "roleDefinitionId": GA, "directoryScopeId": "/", "principalId": u(0xa1),
                   "principal": user(0xa1)}),
            json!({"id": "a2", "roleDefinitionId": GA, "directoryScopeId": "/administrativeUnits/x",
                   "principalId": u(0xb0), "principal": user(0xb0)}),
            json!({"id": "a3", "roleDefinitionId": GA, "directoryScopeId": "/", "principalId": RA,
                   "principal": group(RA)}),
            json!({"id": "a4", "roleDefinitionId": GA, "directoryScopeId": "/", "principalId": u(0x5a),
                   "principal": {"@odata.type": "#microsoft.graph.servicePrincipal", "id": u(0x5a)}}),
            json!({"id": "a5", "roleDefinitionId": "fe930be7-5e62-47db-91af-98c3a49a38b1",
                   "directoryScopeId": "/", "principalId": u(0xb0), "principal": user(0xb0)}),
        ];
    });
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("caac"))
        .current_dir(tmp.path())
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_CLIENT_SECRET")
        .env_remove("CAAC_TOKEN_URL")
        .env("CAAC_GRAPH_TOKEN", TOKEN)
        .args([
            "--color",
            "never",
            "pull",
            "--graph-url",
            &fake.url,
            "--pace",
            "0",
        ])
        .args(["--members", "members.json"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{o}{e}");
    assert!(
        e.contains("wrote the members of 2 group(s) and 1 role(s) into members.json"),
        "{e}"
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("members.json")).unwrap())
            .unwrap();
    assert_eq!(
        written,
        json!({
            "version": 1,
            "groups": {PILOT: [u(0xa1), u(0xc1)], EA: [u(0xe1)]},
            "roles": {GA: [u(0xa1), u(0xd1)]}
        })
    );
    // Every Graph call asked for users only, and for the role's principals.
    let log = fake.with(|s| {
        s.log
            .iter()
            .map(|l| l.path.replace("%27", "'"))
            .collect::<Vec<_>>()
    });
    assert!(
        log.iter().any(|p| p.starts_with(&format!(
            "/v1.0/groups/{PILOT}/transitiveMembers/microsoft.graph.user?$select=id"
        ))),
        "{log:#?}"
    );
    assert!(
        log.iter().any(|p| p.contains(&format!(
            "roleAssignments?$filter=roleDefinitionId%20eq%20'{GA}'&$expand=principal"
        ))),
        "{log:#?}"
    );
    // The file is what `caac replay --members` reads.
    let (code, _, err) = run(&[
        "--signins",
        "disagree.ndjson",
        "--members",
        tmp.path().join("members.json").to_str().unwrap(),
    ]);
    assert!(matches!(code, Some(0 | 1)), "{err}");
}

/// Past the first 100, skipped records are counted, not listed one by one.
#[test]
fn many_skipped_records_are_summarised() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.ndjson");
    // The first line is whole (so the file is NDJSON), the next 150 are not.
    let first = r#"{"id": "ok", "userId": "u", "resourceId": "r", "clientAppUsed": "Browser"}"#;
    std::fs::write(&f, format!("{first}\n{}", "{\"id\": 1\n".repeat(150))).unwrap();
    let (code, v, err) = json(&["--signins", f.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["skipped"]["byReason"]["malformed JSON"], 150);
    assert_eq!(err.matches("warning: skipped ").count(), 100, "{err}");
    assert!(err.contains("… and 50 more skipped records"), "{err}");
}

/// The same Log Analytics rows exported as JSON (an array; dynamic columns
/// as nested objects, booleans as booleans) give the CSV's verdicts.
#[test]
fn log_analytics_json_export_matches_the_csv_export() {
    let mut rdr = csv::Reader::from_path(dir().join("la-signins.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let mut rows = Vec::new();
    for row in rdr.records().flatten() {
        if row.len() != headers.len() {
            continue;
        }
        let mut o = serde_json::Map::new();
        for (h, cell) in headers.iter().zip(row.iter()) {
            let v = match h {
                "DeviceDetail" | "LocationDetails" | "ConditionalAccessPolicies" => {
                    serde_json::from_str(cell).unwrap()
                }
                "IsInteractive" => Value::Bool(cell == "true"),
                _ => Value::String(cell.to_owned()),
            };
            o.insert(h.to_owned(), v);
        }
        rows.push(Value::Object(o));
    }
    assert_eq!(rows.len(), 6);
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("la.json");
    std::fs::write(&f, serde_json::to_string_pretty(&rows).unwrap()).unwrap();
    let common = ["--members", "members.json", "--base", "base"];
    let mut a = vec!["--signins", f.to_str().unwrap()];
    a.extend(common);
    let (_, from_json, err) = json(&a);
    let mut a = vec!["--signins", "la-signins.csv"];
    a.extend(common);
    let (_, from_csv, _) = json(&a);
    let (j, c) = (by_id(&from_json), by_id(&from_csv));
    assert_eq!(j.len(), 6, "{err}");
    for (id, r) in &c {
        for k in [
            "head",
            "base",
            "change",
            "clientApp",
            "platform",
            "interactive",
        ] {
            assert_eq!(j[id][k], r[k], "{id} {k}");
        }
    }
    assert_eq!(
        from_json["selfCheck"]["agreed"],
        from_csv["selfCheck"]["agreed"]
    );
    // JSON records start where their object starts.
    assert_eq!(
        j["c1"]["at"].as_str().unwrap().rsplit(':').next(),
        Some("2")
    );
}

/// `caac readiness token-protection` on tp-signins.json (Graph beta page).
/// Expectations from concept-token-protection: supported resources
/// "Exchange Online, SharePoint Online, Microsoft Teams"; "Token Protection
/// currently supports native applications only"; supported devices are
/// Windows 10+ registered/joined and Apple (macOS, iOS); "1002: The request
/// is unbound due to the lack of Microsoft Entra ID device state"; and
/// `tokenProtectionStatusDetails.signInSessionStatus` says bound or unbound.
/// Known good: every in-scope sign-in logged bound or "from a supported
/// client on a registered Windows device" — the Windows deployment guide's
/// supported applications include "Word, Excel, PowerPoint", which sign in
/// as Microsoft Office (d3590ed6-…, verify-first-party-apps-sign-in).
#[test]
fn token_protection_readiness_names_known_good_users_and_who_to_keep_out() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("known-good.csv");
    let out = caac(
        &dir(),
        &[
            "readiness",
            "token-protection",
            "--signins",
            "tp-signins.json",
            "-f",
            "json",
            "--known-good",
            csv.to_str().unwrap(),
        ],
    );
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{o}{e}");
    let v: Value = serde_json::from_str(&o).unwrap();
    let names = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|u| u["userPrincipalName"].as_str().unwrap().to_owned())
            .collect()
    };
    // Alice: t1 logged bound; t2 Microsoft Office (Word, Excel, PowerPoint)
    // on a registered Windows device (binding not logged); her browser
    // sign-in t3 decides nothing.
    assert_eq!(names("knownGood"), ["alice@contoso.com"]);
    assert_eq!(
        v["knownGood"][0]["supportedClients"],
        serde_json::json!({"Word, Excel, PowerPoint": 1})
    );
    // Bob: logged unbound with 1002. Carol: Android. Gina: no device
    // state. Dave: a native client to Teams from a registered macOS device,
    // binding not logged — not confirmed (the record does not show the
    // Apple requirements). In object id order.
    assert_eq!(
        names("keepOut"),
        [
            "bob@contoso.com",
            "carol@contoso.com",
            "gina@fabrikam.com",
            "dave@contoso.com"
        ]
    );
    let keep: Vec<&Value> = v["keepOut"].as_array().unwrap().iter().collect();
    assert_eq!(
        keep[0]["reasons"]["unbound (status code 1002: no Microsoft Entra ID device state)"],
        1
    );
    assert!(
        keep[1]["reasons"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .contains("Windows, macOS and iOS")
    );
    let dave = keep[3]["reasons"].as_object().unwrap();
    assert_eq!(dave.len(), 1, "{dave:?}");
    assert!(
        dave.keys().next().unwrap().starts_with(
            "not confirmed: the binding status is not logged, and caac confirms a supported client only on a registered Windows device"
        ),
        "{dave:?}"
    );
    assert!(
        keep[2]["reasons"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .contains("status 1002")
    );
    assert_eq!(v["knownGood"][0]["signIns"], 2);
    assert_eq!(v["knownGood"][0]["bound"], 1);
    // The managed identity and service principal are not user sign-ins;
    // nothing here is unreadable.
    assert_eq!(v["unreadable"], serde_json::json!({}));
    // Out of scope: Alice's browser sign-in, Bob's sign-in to Graph.
    assert_eq!(v["outOfScope"]["browser or legacy client"], 1);
    assert_eq!(v["outOfScope"]["other resources"], 1);
    // Devices: Alice's ready; Bob's, Carol's and Dave's not.
    let ready: Vec<bool> = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ready"].as_bool().unwrap())
        .collect();
    assert_eq!(ready, [true, false, false, false]);
    // The admin center's bulk-add template, one object id per row.
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "Member object ID or user principal name [memberObjectIdOrUpn] Required\n00000000-0000-4000-8000-0000000000a1\n"
    );
}

/// The human report names the supported client that made an unlogged
/// sign-in ready (the Windows deployment guide's "Word, Excel, PowerPoint",
/// signing in as Microsoft Office).
#[test]
fn token_protection_readiness_evidence_names_the_supported_client() {
    let out = caac(
        &dir(),
        &[
            "readiness",
            "token-protection",
            "--signins",
            "tp-signins.json",
        ],
    );
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{o}{e}");
    assert!(
        o.contains("ready: alice@contoso.com (2 sign-ins, 1 logged bound; from a supported client on a registered Windows device: 1 × Word, Excel, PowerPoint)"),
        "{o}"
    );
    assert!(
        o.contains("keep out: dave@contoso.com: 1 × not confirmed"),
        "{o}"
    );
}

/// The clients and devices the concept page's "Known limitations" name
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>):
/// "PowerShell modules accessing SharePoint", "PowerQuery extension for
/// Excel", "Extensions to Visual Studio Code which access Exchange or
/// SharePoint", "Surface Hub"; supported servers are only "Windows Server
/// 2019 or newer that are hybrid Microsoft Entra joined"; status code 1003 is
/// "an unsupported device registration type". Each fixture record in
/// tp-unsupported.json is on a registered Windows device with a native
/// client, so without the table every one of them would look ready.
#[test]
fn token_protection_readiness_keeps_out_users_of_unsupported_clients() {
    let out = caac(
        &dir(),
        &[
            "readiness",
            "token-protection",
            "--signins",
            "tp-unsupported.json",
            "-f",
            "json",
        ],
    );
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{o}{e}");
    let v: Value = serde_json::from_str(&o).unwrap();
    let reason = |upn: &str| -> String {
        let u = v["keepOut"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["userPrincipalName"] == upn)
            .unwrap_or_else(|| panic!("{upn} not kept out: {o}"));
        let r = u["reasons"].as_object().unwrap();
        assert_eq!(r.len(), 1, "{upn}: {r:?}");
        r.keys().next().unwrap().clone()
    };
    let has = |upn: &str, what: &str| {
        let r = reason(upn);
        assert!(r.contains(what), "{upn}: {r}");
        assert!(
            r.contains("learn.microsoft.com") || r.contains("status code"),
            "{upn}: {r}"
        );
    };
    // SharePoint Online Management Shell and PnP Management Shell to SharePoint.
    has(
        "hank@contoso.com",
        "PowerShell modules accessing SharePoint",
    );
    has(
        "quinn@contoso.com",
        "PowerShell modules accessing SharePoint",
    );
    // Power Query for Excel (update channel not logged).
    has("ivy@contoso.com", "PowerQuery extension for Excel");
    // Visual Studio Code to SharePoint.
    has("jack@contoso.com", "Visual Studio Code");
    // Surface Hub: its OS edition, or named in the user agent.
    has("leo@contoso.com", "Surface Hub");
    has("ruth@contoso.com", "Surface Hub");
    // Windows Server 2016 (hybrid joined), Windows Server 2022 only registered.
    has("mia@contoso.com", "Windows Server");
    has("sam@contoso.com", "Windows Server");
    // Logged unbound with 1003, named.
    // The Windows deployment guide's meaning of 1003.
    assert_eq!(
        reason("pat@contoso.com"),
        "unbound (status code 1003: the device state doesn't satisfy token protection: an unsupported device registration type, or not registered with fresh sign-in credentials)"
    );
    let good: Vec<&str> = v["knownGood"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    // Kate: Visual Studio Code to Teams (the limitation is for Exchange and
    // SharePoint). Nick: Windows Server 2022, hybrid joined. Olga: Power Query,
    // but her session was logged bound — the log is evidence, the table
    // inference.
    assert_eq!(
        good,
        ["kate@contoso.com", "nick@contoso.com", "olga@contoso.com"]
    );
    assert_eq!(v["keepOut"].as_array().unwrap().len(), 9);
}

fn readiness_for_policy(extra: &[&str]) -> (Option<i32>, String, String) {
    let mut a = vec![
        "readiness",
        "token-protection",
        "tp-policies",
        "--tenant",
        "tenant.yaml",
        "--signins",
        "tp-signins.json",
        "-f",
        "json",
    ];
    a.extend_from_slice(extra);
    let out = caac(&dir(), &a);
    let (o, e) = text(&out);
    (out.status.code(), o, e)
}

/// `--policy NAME`: only the users and resources the policy targets, from
/// the users and target-resources conditions
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups>,
/// <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps>).
/// members.json: Pilot = Alice and Carol, Emergency Access = Carol (and
/// e1), so Carol is excluded. TP01 targets Pilot and Exchange + SharePoint:
/// only Alice is in scope (Bob, Carol, Gina are out by users, Dave's Teams
/// sign-in by its resource). TP02
/// targets All users but Emergency Access, Exchange only: Alice's and
/// Carol's SharePoint sign-ins and Dave's Teams sign-in are out by resource
/// (a failing resource condition is named before the user condition); Bob
/// (logged unbound) and Gina (a guest, in All users; no device state) are
/// kept out.
/// Group membership is not in a sign-in log, so without `--members` the
/// scope of TP01 is unknown, never guessed.
#[test]
fn token_protection_readiness_for_one_policy_scopes_users_and_resources() {
    let names = |v: &Value, k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|u| u["userPrincipalName"].as_str().unwrap().to_owned())
            .collect()
    };
    let (code, o, e) = readiness_for_policy(&[
        "--policy",
        "TP01 Token Protection pilot",
        "--members",
        "members.json",
    ]);
    assert_eq!(code, Some(0), "{o}{e}");
    let v: Value = serde_json::from_str(&o).unwrap();
    assert_eq!(names(&v, "knownGood"), ["alice@contoso.com"]);
    assert!(names(&v, "keepOut").is_empty(), "{o}");
    assert_eq!(v["outOfScope"]["users the policy does not target"], 3);
    assert_eq!(v["outOfScope"]["resources the policy does not target"], 1);
    assert_eq!(v["scopeUnknown"], serde_json::json!({}));

    let (code, o, e) = readiness_for_policy(&[
        "--policy",
        "TP02 Token Protection Exchange",
        "--members",
        "members.json",
    ]);
    assert_eq!(code, Some(0), "{o}{e}");
    let v: Value = serde_json::from_str(&o).unwrap();
    assert_eq!(names(&v, "knownGood"), ["alice@contoso.com"]);
    assert_eq!(
        names(&v, "keepOut"),
        ["bob@contoso.com", "gina@fabrikam.com"]
    );
    assert_eq!(v["knownGood"][0]["signIns"], 1);
    assert_eq!(
        v["outOfScope"].get("users the policy does not target"),
        None
    );
    assert_eq!(v["outOfScope"]["resources the policy does not target"], 3);

    // The spec path works as the name; without --members the group decides
    // nothing and is reported.
    let (code, o, e) = readiness_for_policy(&["--policy", "tp-policies/TP01-TokenProtection.yaml"]);
    assert_eq!(code, Some(0), "{o}{e}");
    let v: Value = serde_json::from_str(&o).unwrap();
    assert_eq!(v["knownGood"], serde_json::json!([]));
    assert_eq!(v["keepOut"], serde_json::json!([]));
    let unknown = v["scopeUnknown"].as_object().unwrap();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    let (what, n) = unknown.iter().next().unwrap();
    assert!(what.contains("--members"), "{what}");
    // Alice's two, Bob's, Carol's, Gina's native sign-ins to Exchange or
    // SharePoint — Carol's from Android too: the policy's platform condition
    // (Windows) is not applied, so it cannot rule her out; Dave's Teams
    // sign-in is out by its resource.
    assert_eq!(n, 5);
}

/// An unknown `--policy` is an input error (exit 2) naming the closest
/// displayName.
#[test]
fn token_protection_readiness_unknown_policy_is_exit_2_with_did_you_mean() {
    let (code, o, e) = readiness_for_policy(&["--policy", "TP01 Token Protection pilt"]);
    assert_eq!(code, Some(2), "{o}{e}");
    assert!(o.is_empty(), "{o}");
    assert!(
        e.contains("--policy \"TP01 Token Protection pilt\": no policy with that displayName or spec path among tp-policies"),
        "{e}"
    );
    assert!(
        e.contains("did you mean --policy \"TP01 Token Protection pilot\"?"),
        "{e}"
    );
}

/// `caac replay --kql` (issue 16): the replay of the fixture policies,
/// head against the base with the members file, as ONE query over
/// `SigninLogs` and `AADNonInteractiveUserSignInLogs`. The text is
/// snapshotted (reviewed by hand: every predicate is the one the unit tests
/// in src/signins/kql.rs derive from the Learn pages); the Kusto language
/// service checks it in tools/kusto/run.sh.
#[test]
fn kql_query_for_the_fixture_set() {
    let args = ["--kql", "--base", "base", "--members", "members.json"];
    let (code, out, err) = run(&args);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
    // Deterministic: no date, no clock.
    assert_eq!(run(&args).1, out);
    assert!(out.contains("let caacWindow = 30d;"));
    assert!(out.contains("| where TimeGenerated > ago(caacWindow)"));
    // Both tables, nested columns parsed in each leg (dynamic in one,
    // string in the other).
    assert!(out.contains("let caacSignIns = union\n    (SigninLogs\n"));
    assert!(out.contains("    (AADNonInteractiveUserSignInLogs\n"));
    assert_eq!(out.matches("todynamic(tostring(DeviceDetail))").count(), 4);
    // The members file's groups are inlined; no blank line (one query).
    assert!(out.contains("set_has_element(dynamic([\"00000000-0000-4000-8000-0000000000a1\", \"00000000-0000-4000-8000-0000000000c1\"]), UserId)"));
    assert!(!out.contains("\n\n"));
    insta::assert_snapshot!("replay_kql_fixtures_base_members", out);
}

/// Without a members file the group-scoped policies are unknown for
/// users, as in the offline replay
/// (`without_members_group_scoped_policies_are_unknown_and_counted`).
#[test]
fn kql_without_members_leaves_membership_unknown() {
    let (code, out, err) = run(&["--kql"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("set_has_element"));
    assert!(out.contains("\"membership\""));
    assert!(out.contains("members: no members file"));
    // No base: no change columns.
    assert!(!out.contains("newlyBlocked"));
    assert!(
        out.contains("| project dimension, key, signIns, block, grant, allow, unknown, applies\n")
    );
}

#[test]
fn kql_usage_errors_exit_2_and_say_what_to_write() {
    // `--kql` replaces `--signins`.
    let (code, out, err) = run(&["--kql", "--signins", "la-signins.csv"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(out, "");
    assert!(err.contains("cannot be used with"), "{err}");
    // Neither: one of them is required.
    let (code, _, err) = run(&[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--signins"), "{err}");
    // A window that is not a KQL timespan.
    let (code, out, err) = run(&["--kql", "--kql-window", "1 week"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(out, "");
    assert!(err.contains("--kql-window") && err.contains("30d"), "{err}");
    // `--kql-window` needs `--kql`.
    let (code, out, err) = run(&["--signins", "la-signins.csv", "--kql-window", "7d"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(out, "");
    assert!(err.contains("add --kql"), "{err}");
    // A members file that does not read: named, exit 2, nothing written.
    let (code, out, err) = run(&["--kql", "--members", "la-signins.csv"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(out, "");
    assert!(err.contains("la-signins.csv"), "{err}");
}

#[test]
fn kql_output_file_and_window() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("replay.kql");
    let f = file.to_str().unwrap();
    let (code, out, err) = run(&["--kql", "--kql-window", "12h", "-o", f]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("let caacWindow = 12h;"));
    assert_eq!(text, run(&["--kql", "--kql-window", "12h"]).1);
}

/// Every kind of condition compiles into the query (tests/fixtures/signins/kql:
/// guests by tenant, Office 365 minus Exchange, platforms, sign-in and user
/// risk, locations by IPv4 / IPv6 range, country and unknown country,
/// trusted locations, client apps, authentication flows, device filters,
/// workload identities, authentication contexts, a disabled policy, insider
/// risk and token protection). The Kusto language service binds it in
/// tools/kusto/run.sh; here: the predicates the unit tests derive from the
/// Learn pages are in it, and what cannot be decided is marked unknown.
#[test]
fn kql_covers_every_condition_kind() {
    let out = caac(
        &dir().join("kql"),
        &["replay", "./policies", "--tenant", "tenant.yaml", "--kql"],
    );
    let (q, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for want in [
        // K01: a partner tenant's guests, minus one user.
        "External and HomeTenant in (\"00000000-0000-4000-8000-000000002001\")",
        "not(UserId in (\"00000000-0000-4000-8000-0000000000e9\"))",
        "set_difference(set_intersect(Targets, dynamic([\"00000002-0000-0ff1-ce00-000000000000\", \"00000003-0000-0ff1-ce00-000000000000\"",
        "not(Platform in (\"iOS\", \"android\") and not(Platform in (\"android\")))",
        "iff(isempty(SignInRisk), \"none\", SignInRisk) !in (\"medium\", \"high\")",
        // K02: trusted ranges, a country list with unknown countries.
        "ipv4_is_in_any_range(IPv4, dynamic([\"203.0.113.0/24\"]))",
        "ipv6_is_in_any_range(IPv6, dynamic([\"2001:db8::/48\"]))",
        "(isnotempty(Country) and Country in~ (\"RU\")) or isempty(Country)",
        "Client !in (\"browser\")",
        "Flow !in (\"deviceCodeFlow\")",
        // K03: a registered device's filter attributes are not logged.
        "IsUser and Registered",
        // K04: every service principal but one.
        "ServicePrincipal in (\"00000000-0000-4000-8000-00000000595a\")",
        // K05: disabled, and an authentication context: never applies.
        "| extend H4 = \"n\"",
        // K06: token protection blocks the shapes that cannot bind.
        "substring(\"----bbbb\", Shape, 1) == \"b\"",
    ] {
        assert!(q.contains(want), "missing {want}\n{q}");
    }
    for fact in [
        "membership",
        "guest type",
        "user risk",
        "sign-in risk",
        "authentication flow",
        "insider risk",
        "device filter",
        "service principal risk",
        "location",
    ] {
        assert!(q.contains(&format!(", \"{fact}\", \"\")")), "{fact}");
    }
}

/// The Entra admin center's CSV download (Sign-in logs → Download → CSV:
/// the "Interactive sign-ins" and "Application sign-ins" files,
/// howto-download-logs), headers as public scripts that read these files
/// check them. The same sign-ins as graph-signins.json's g1–g9 where the
/// download has the fields, so the verdicts are the ones worked out there
/// from Learn: ac1 = g1 [AND]; ac2 = g3 [LEGACY] [BLOCK]; ac3: ChromeOS is
/// no platform CA identifies [PLAT]; ac4 = g8, device code flow cannot
/// satisfy the compliant-device control [DCF]; ac5 = g6, a guest under "All
/// users", with the typed guest selection of RP05 unknown; ac6 = g9 [EXCL]
/// [APPS]; ac7: Alice's desktop client to SharePoint, RP02 only (RP06 is
/// Exchange only) [APPS]; as1 = g7, Payroll Sync blocked by RP04 [WID];
/// as2: a service principal no policy names.
#[test]
fn admin_center_csv_downloads_replay_with_the_learn_verdicts() {
    let (code, v, err) = json(&[
        "--signins",
        "admin-center-interactive.csv",
        "--signins",
        "admin-center-applications.csv",
        "--base",
        "base",
        "--members",
        "members.json",
    ]);
    assert_eq!(code, Some(1), "{err}");
    let s = by_id(&v);
    let expected: &[(&str, &str, &str, Option<&str>)] = &[
        ("ac1", "grant", "grant", None),
        ("ac2", "block", "block", None),
        ("ac3", "block", "grant", Some("newlyBlocked")),
        ("ac4", "block", "grant", Some("newlyBlocked")),
        ("ac5", "grant", "grant", None),
        ("ac6", "grant", "allow", Some("newlyPrompted")),
        ("ac7", "grant", "grant", None),
        ("as1", "block", "block", None),
        ("as2", "allow", "allow", None),
    ];
    assert_eq!(s.len(), expected.len(), "{v:#}");
    for (id, head, base, change) in expected {
        let r = &s[*id];
        assert_eq!(r["head"]["access"], *head, "{id} head: {r:#}");
        assert_eq!(r["base"]["access"], *base, "{id} base: {r:#}");
        assert_eq!(r["change"].as_str(), *change, "{id} change: {r:#}");
    }
    assert_eq!(v["skipped"]["total"], 0, "{v:#}");
    // Columns mapped: client app, platform, guest, service principal.
    assert_eq!(s["ac2"]["clientApp"], "other");
    assert_eq!(s["ac3"]["platform"], "unknown (ChromeOS)");
    assert_eq!(s["as1"]["platform"], "workload");
    assert_eq!(
        s["ac5"]["head"]["unknown"][0]["policy"],
        "RP05 B2B guests MFA (report-only)"
    );
    // The download says neither which file (interactive or not) a row came
    // from nor Entra's per-policy results: unknown, and nothing compared.
    assert_eq!(s["ac1"]["interactive"], Value::Null);
    assert_eq!(v["selfCheck"]["compared"], 0);
}

/// Readiness reads the download's "Token Protection - Sign In Session"
/// columns: Carol's session was logged bound (known good); Alice's device
/// code sign-in was unbound with 1008, "the client isn't integrated with
/// the platform broker" (deployment-guide-token-protection-windows).
#[test]
fn admin_center_csv_download_feeds_token_protection_readiness() {
    let out = caac(
        &dir(),
        &[
            "readiness",
            "token-protection",
            "--signins",
            "admin-center-interactive.csv",
            "-f",
            "json",
        ],
    );
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{o}{e}");
    let v: Value = serde_json::from_str(&o).unwrap();
    assert_eq!(v["knownGood"][0]["userPrincipalName"], "carol@contoso.com");
    assert_eq!(v["knownGood"][0]["bound"], 1);
    assert_eq!(v["knownGood"].as_array().unwrap().len(), 1, "{o}");
    let alice = v["keepOut"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userPrincipalName"] == "alice@contoso.com")
        .unwrap_or_else(|| panic!("{o}"));
    assert_eq!(
        alice["reasons"]["unbound (status code 1008: the client isn't integrated with the platform broker (WAM))"],
        1,
        "{o}"
    );
    // ac7: Microsoft Office on her registered Windows device, not logged.
    assert_eq!(
        alice["supportedClients"]["Word, Excel, PowerPoint"], 1,
        "{o}"
    );
}

/// A download with no sign-ins to evaluate (an "authentication details"
/// file: no `User ID` or `Service principal ID` column) is one input error
/// naming the files to download instead.
#[test]
fn admin_center_download_without_sign_ins_is_one_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("InteractiveSignIns_AuthDetails.csv");
    std::fs::write(
        &f,
        "Date (UTC),Request ID,User,Username,Authentication method\n2026-11-20T09:00:00Z,r1,Alice,alice@contoso.com,Password\n",
    )
    .unwrap();
    let (code, o, e) = run(&["--signins", f.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{o}{e}");
    assert!(
        e.contains(":1: an Entra admin center download without a `User ID` or `Service principal ID` column"),
        "{e}"
    );
    assert!(e.contains("\"Interactive sign-ins\""), "{e}");
    assert_eq!(e.matches("admin center download").count(), 1, "{e}");
}

/// `-f json` streams its per-sign-in objects (issue 16, memory): the
/// report on stdout and the one written with `-o` are the same bytes, a
/// well-formed document holding every sign-in; an `-o` that cannot be
/// written is exit 2 and leaves nothing behind, and a failing sign-in file
/// prints nothing on stdout and leaves no temporary file.
#[test]
fn streamed_json_report_is_the_same_on_stdout_and_in_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report.json");
    let mut args = LOGS.to_vec();
    args.extend(["--base", "base", "--members", "members.json", "-f", "json"]);
    let (code, stdout, err) = run(&args);
    assert_eq!(code, Some(1), "{err}");
    let mut to_file = args.clone();
    to_file.extend(["-o", out.to_str().unwrap()]);
    let (code, nothing, err) = run(&to_file);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(nothing, "");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, stdout);
    let v: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        v["signIns"].as_array().unwrap().len() as u64,
        v["evaluated"].as_u64().unwrap()
    );
    assert!(written.ends_with("\n  ]\n}\n"), "{written}");
    // An -o in a directory that does not exist: exit 2, nothing created.
    let missing = tmp.path().join("no/such/dir/report.json");
    let mut bad = args.clone();
    bad.extend(["-o", missing.to_str().unwrap()]);
    let (code, _, err) = run(&bad);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot write"), "{err}");
    assert!(!tmp.path().join("no").exists());
    // A sign-in file cut short: exit 2, stdout empty, -o untouched.
    let cut = tmp.path().join("cut.json");
    let full = std::fs::read(dir().join("graph-signins.json")).unwrap();
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    let (code, stdout, err) = run(&[
        "--signins",
        cut.to_str().unwrap(),
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(stdout, "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), written);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}
