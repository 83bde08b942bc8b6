//! One grammar for every command (issue 13): policies are positional
//! `[PATHS]…` (default `policies`) everywhere, with the old `--policies`
//! kept as a hidden alias; `--tenant`, `--config` and `--break-glass` are
//! accepted, and used, by every command that resolves or evaluates policies.

use crate::common::{caac, root, text};

const REQUEST: &str = "examples/whatif/outlook-desktop-windows.json";
const SIGNINS: &str = "tests/fixtures/signins/graph-signins.json";

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
        // No base, and the fixture log names none of the starter policies.
        (v(&["replay", "--signins", SIGNINS]), 0),
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

/// `-o/--output` is where the product goes and `-f/--format` its format, on
/// every command whose product is text (before, `-o` meant the format on
/// lint, whatif, test, coverage, impact, plan and report).
#[test]
fn dash_o_is_the_output_and_dash_f_the_format() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 6] = [
        &["lint"],
        &["whatif", "--request", REQUEST],
        &["test", "--scenarios", "tests"],
        &["coverage"],
        &["impact", "--base", "."],
        &["replay", "--signins", SIGNINS],
    ];
    for (i, case) in cases.iter().enumerate() {
        let file = tmp.path().join(format!("out-{i}.json"));
        let mut a = case.to_vec();
        a.extend(["policies", "-f", "json", "-o", file.to_str().unwrap()]);
        let out = caac(&root(), &a);
        let (stdout, stderr) = text(&out);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{a:?}\n{stderr}");
        assert!(
            stdout.is_empty(),
            "{a:?}: the product went to the file\n{stdout}"
        );
        let written = std::fs::read_to_string(&file).unwrap();
        serde_json::from_str::<serde_json::Value>(&written)
            .unwrap_or_else(|e| panic!("{a:?}: {e}\n{written}"));
    }
    // Never over one of the inputs.
    let out = caac(
        &root(),
        &["whatif", "policies", "--request", REQUEST, "-o", REQUEST],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("it is one of the inputs"), "{stderr}");
}

#[test]
fn report_writes_html_to_the_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("report.html");
    let out = caac(
        &root(),
        &[
            "report",
            "policies",
            "-o",
            page.to_str().unwrap(),
            "-f",
            "html",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<html"), "{html}");
    // `--out` stays a visible alias.
    let again = tmp.path().join("again.html");
    let out = caac(
        &root(),
        &[
            "report",
            "--format",
            "html",
            "--out",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), html);
}

/// `caac report -f json`: the facts the page shows, for programs.
#[test]
fn report_json_has_the_facts_of_the_page() {
    let out = caac(&root(), &["report", "-f", "json"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["version"], 1);
    let policies = v["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 10);
    let legacy = policies
        .iter()
        .find(|p| p["name"] == "CA001-BlockLegacyAuthentication")
        .unwrap();
    assert!(
        legacy["text"].as_str().unwrap().contains("legacy"),
        "{legacy}"
    );
    assert!(legacy["sentence"].as_array().is_some_and(|s| !s.is_empty()));
    // The Markdown page shows the same sentence.
    let md = text(&caac(&root(), &["report"])).0;
    assert!(md.contains(legacy["name"].as_str().unwrap()));
    for key in [
        "context",
        "rows",
        "columns",
        "matrices",
        "exclusions",
        "findings",
    ] {
        assert!(!v[key].is_null(), "{key}");
    }
    assert!(v["counts"]["errors"].is_u64());
    let m = &v["matrices"][0];
    assert_eq!(
        m["cells"].as_array().unwrap().len(),
        v["rows"].as_array().unwrap().len()
    );
}

/// `caac rules -f json`: id, name, severity, category, summary and kind
/// (lint or graph-validity) for every rule the human list shows.
#[test]
fn rules_json_lists_every_rule() {
    let human = text(&caac(&root(), &["rules"])).0;
    let out = caac(&root(), &["rules", "-f", "json"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["version"], 1);
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), human.lines().count());
    for r in rules {
        for key in ["id", "name", "severity", "category", "summary"] {
            assert!(r[key].as_str().is_some_and(|s| !s.is_empty()), "{r}");
        }
        assert!(human.contains(r["id"].as_str().unwrap()));
    }
    let kinds: std::collections::BTreeSet<&str> =
        rules.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        ["graph-validity", "lint"].into_iter().collect(),
        "{kinds:?}"
    );
}

/// `caac build -f json` prints the manifest it wrote to stdout; `-o` is the
/// output directory (`--out` stays a visible alias).
#[test]
fn build_json_summary_is_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = caac(
        &root(),
        &[
            "build",
            "policies",
            "-o",
            dir.to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("wrote 10 policies"), "{stderr}");
    let printed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(printed, written);
    assert_eq!(printed["policies"].as_array().unwrap().len(), 10);
    // Human: the summary line on stderr, nothing on stdout.
    let out = caac(
        &root(),
        &["build", "policies", "--out", dir.to_str().unwrap()],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("wrote 10 policies"), "{stderr}");
}

/// `-o/--output` is the output directory of monitor, import and pull too.
#[test]
fn dash_o_is_the_output_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let kql = tmp.path().join("kql");
    let out = caac(&root(), &["monitor", "-o", kql.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    assert!(kql.join("manifest.json").is_file());
    let specs = tmp.path().join("specs");
    let out = caac(
        &root(),
        &[
            "import",
            "examples/token-protection/expected/CA410-TokenProtection-ExchangeSharePoint-Windows.json",
            "-o",
            specs.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    assert!(specs.is_dir());
}
