//! `caac pull`, `plan` and `apply` against the fake Graph on loopback
//! (`fake_graph.rs`): round trips with no perpetual diff, one edited field
//! shown alone, convergence under every injected fault, a run killed
//! half-way and started again, and tokens never printed or written; saved
//! plans applied exactly and refused after a change "in the portal"; ids
//! shown by name, unmanaged policies listed, failed writes named.

use crate::common::root;
use crate::fake_graph::{Fake, Fault};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub(crate) const TOKEN: &str = "eyJ0eXAi.fake-token-8f3a2c.SIGNATURE";

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("caac")
}

fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir)
        .env_remove("CAAC_GRAPH_TOKEN")
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_CLIENT_SECRET")
        .env_remove("CAAC_TOKEN_URL")
        .args(["--color", "never"])
        .args(args)
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Runs caac with the token in the environment; asserts the token appears
/// nowhere in its output or in any file under `dir`.
pub(crate) fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run_env(dir, args, &[("CAAC_GRAPH_TOKEN", TOKEN)])
}

fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out: Output = command(dir, args, env).output().unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_no_secret(dir, &o, &e);
    (out.status.code().unwrap_or(-1), o, e)
}

fn assert_no_secret(dir: &Path, stdout: &str, stderr: &str) {
    for secret in [TOKEN, "fake-token-8f3a2c", "client-secret-5d1e"] {
        assert!(!stdout.contains(secret), "secret in stdout:\n{stdout}");
        assert!(!stderr.contains(secret), "secret in stderr:\n{stderr}");
        for f in walk(dir) {
            let bytes = std::fs::read(&f).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(secret),
                "secret in {}",
                f.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

pub(crate) fn graph(fake: &Fake) -> Vec<String> {
    vec![
        "--graph-url".into(),
        fake.url.clone(),
        "--pace".into(),
        "0".into(),
    ]
}

pub(crate) fn args<'a>(head: &[&'a str], fake: &'a [String], tail: &[&'a str]) -> Vec<&'a str> {
    head.iter()
        .copied()
        .chain(fake.iter().map(String::as_str))
        .chain(tail.iter().copied())
        .collect()
}

const G1: &str = "AAAAAAAA-1111-4111-8111-AAAAAAAAAAAA";
const NL1: &str = "11111111-2222-4333-8444-555555555555";
const NL2: &str = "11111111-2222-4333-8444-666666666666";
const S1: &str = "77777777-2222-4333-8444-555555555555";

/// A tenant as Graph's beta returns it (three policies, two named
/// locations, a built-in and a custom authentication strength).
pub(crate) fn seed(fake: &Fake) {
    fake.with(|s| {
        for (id, p) in [
            (
                "0a000000-0000-4000-8000-000000000001",
                json!({
                    "displayName": "Block legacy authentication",
                    "state": "enabled",
                    "conditions": {
                        "users": {"includeUsers": ["All"], "excludeGroups": [G1], "includeGroups": []},
                        "applications": {"includeApplications": ["All"]},
                        "clientAppTypes": ["other", "exchangeActiveSync"]
                    },
                    "grantControls": {"operator": "OR", "builtInControls": ["block"]}
                }),
            ),
            (
                "0a000000-0000-4000-8000-000000000002",
                json!({
                    "displayName": "MFA outside HQ",
                    "state": "enabledForReportingButNotEnforced",
                    "conditions": {
                        "users": {"includeUsers": ["All"], "excludeGroups": [G1]},
                        "applications": {"includeApplications": ["All"]},
                        "clientAppTypes": ["all"],
                        "locations": {"includeLocations": ["All"], "excludeLocations": [NL1]}
                    },
                    "grantControls": {"operator": "AND", "builtInControls": ["mfa"]},
                    "sessionControls": {
                        "signInFrequency": {"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"},
                        "persistentBrowser": null,
                        "disableResilienceDefaults": null
                    }
                }),
            ),
            (
                "0a000000-0000-4000-8000-000000000003",
                json!({
                    "displayName": "Admins use FIDO2",
                    "state": "disabled",
                    "conditions": {
                        "users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"], "excludeGroups": [G1]},
                        "applications": {"includeApplications": ["All"]},
                        "clientAppTypes": ["all"]
                    },
                    "grantControls": {"operator": "OR", "authenticationStrength": {"id": S1, "displayName": "Admin FIDO2", "policyType": "custom", "allowedCombinations": ["fido2"]}}
                }),
            ),
        ] {
            let mut p = p;
            p["id"] = id.into();
            p["createdDateTime"] = "2025-01-01T00:00:00Z".into();
            s.policies.insert(id.into(), p);
        }
        s.named_locations = vec![
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": NL1, "displayName": "HQ", "isTrusted": true, "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]}),
            json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": NL2, "displayName": "Blocked countries", "countriesAndRegions": ["KP"], "includeUnknownCountriesAndRegions": false}),
        ];
        s.strengths = vec![
            json!({"id": "00000000-0000-0000-0000-000000000002", "displayName": "Multifactor authentication", "policyType": "builtIn", "allowedCombinations": ["password,sms"]}),
            json!({"id": S1, "displayName": "Admin FIDO2", "policyType": "custom", "allowedCombinations": ["fido2"]}),
        ];
        // Two per page: every collection takes several pages.
        s.page_size = 2;
    });
}

/// pull → import → plan shows no change (state file and live); editing one
/// field shows exactly that field; the pull followed paging and asked for
/// unknown enum members.
/// `.caac.yaml` for a pulled tenant: `pull` cannot know the break-glass
/// accounts, so plan needs the reasoned opt-out.
pub(crate) const OPT_OUT: &str =
    "breakGlassOptOut: \"fake Graph tenant without emergency access accounts\"\n";

#[test]
fn pull_import_plan_has_no_perpetual_diff() {
    let fake = Fake::start(TOKEN);
    seed(&fake);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("schemas")).unwrap();
    let g = graph(&fake);

    let (code, _, err) = run(d, &args(&["pull"], &g, &[]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("pulled 3 policies, 2 named location(s), 2 authentication strength(s)"),
        "{err}"
    );
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("state/policies.json")).unwrap())
            .unwrap();
    assert_eq!(state["value"].as_array().unwrap().len(), 3);
    let tenant = std::fs::read_to_string(d.join("tenant.yaml")).unwrap();
    assert!(
        tenant.contains("HQ: 11111111-2222-4333-8444-555555555555"),
        "{tenant}"
    );
    assert!(tenant.contains("Admin FIDO2: 77777777"), "{tenant}");
    assert!(
        !tenant.contains("Multifactor authentication"),
        "built-in strengths stay in the catalogue: {tenant}"
    );
    let log = fake.with(|s| s.log.clone());
    assert!(
        log.iter().any(|r| r.path.contains("$skiptoken=2")),
        "paging followed"
    );
    assert!(
        log.iter()
            .all(|r| r.prefer.as_deref() == Some("include-unknown-enum-members"))
    );
    assert!(log.iter().all(|r| r.method == "GET"));

    let (code, _, err) = run(d, &["import", "state/policies.json", "--out", "policies"]);
    assert_eq!(code, 0, "{err}");
    // `pull` cannot know the break-glass accounts and the fake tenant has
    // none: plan only runs with an explicit, reasoned opt-out.
    std::fs::write(d.join(".caac.yaml"), OPT_OUT).unwrap();
    let spec = std::fs::read_to_string(d.join("policies/MFA-outside-HQ.yaml")).unwrap();
    assert!(spec.contains("HQ"), "named location by name: {spec}");

    let (code, out, err) = run(d, &["plan", "--state", "state"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("0 to create, 0 to update, 0 to delete, 3 unchanged, 0 unmanaged"),
        "{out}"
    );
    assert!(out.contains("No changes."), "{out}");
    let (code, out, err) = run(d, &args(&["plan"], &g, &[]));
    assert_eq!(code, 0, "live: {out}{err}");

    // One field edited: exactly that field in the plan, in every format.
    let spec =
        std::fs::read_to_string(d.join("policies/Block-legacy-authentication.yaml")).unwrap();
    assert!(spec.contains("state: enabled"), "{spec}");
    std::fs::write(
        d.join("policies/Block-legacy-authentication.yaml"),
        spec.replace("state: enabled", "state: disabled"),
    )
    .unwrap();
    let (code, out, _) = run(d, &args(&["plan"], &g, &[]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("~ update"), "{out}");
    let changed: Vec<&str> = out.lines().filter(|l| l.starts_with("      /")).collect();
    assert_eq!(
        changed,
        ["      /state: \"enabled\" -> \"disabled\""],
        "{out}"
    );
    let (code, out, _) = run(d, &args(&["plan"], &g, &["--format", "json"]));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["update"], 1);
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "update")
        .unwrap();
    assert_eq!(
        item["changes"],
        json!([{"path": "/state", "before": "enabled", "after": "disabled"}])
    );
    let (code, out, _) = run(d, &args(&["plan"], &g, &["--format", "markdown"]));
    assert_eq!(code, 1);
    assert!(out.contains("| ~ | update | policies/Block-legacy-authentication.yaml | Block legacy authentication | `/state` |"), "{out}");

    // apply refuses while lint has errors (the excluded group is unknown),
    // then converges once the tenant file names it; the next plan is empty.
    let (code, _, err) = run(d, &args(&["apply", "--yes"], &g, &["--partial"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("CA902"), "{err}");
    let tenant = std::fs::read_to_string(d.join("tenant.yaml")).unwrap();
    std::fs::write(
        d.join("tenant.yaml"),
        format!(
            "{tenant}groups:\n  Emergency Access: {G1}\nbreakGlass:\n  groups: [Emergency Access]\n"
        ),
    )
    .unwrap();
    let (code, _, err) = run(d, &args(&["apply", "--yes"], &g, &["--partial"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(fake.policies()[1]["state"], "disabled");
    let (code, out, _) = run(d, &args(&["plan"], &g, &[]));
    assert_eq!(code, 0, "{out}");
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("caac.lock")).unwrap()).unwrap();
    assert_eq!(lock["policies"].as_object().unwrap().len(), 3, "{lock}");
}

/// A copy of the starter set (10 policies, lint-clean) in a temp dir, its
/// placeholder ids replaced by the fake tenant's own (plan and apply refuse
/// placeholder ids, as a real deployment must).
fn starter() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    for e in std::fs::read_dir(root().join("policies"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(e.path(), dir.path().join("policies").join(e.file_name())).unwrap();
    }
    let tenant = std::fs::read_to_string(root().join("tenant.yaml"))
        .unwrap()
        .replace("00000000-0000-4000-8000-", "0e1f2a3b-0000-4000-8000-");
    std::fs::write(dir.path().join("tenant.yaml"), tenant).unwrap();
    dir
}

fn names(fake: &Fake) -> Vec<String> {
    fake.policies()
        .iter()
        .map(|p| p["displayName"].as_str().unwrap().to_owned())
        .collect()
}

/// The server holds exactly the starter set (plus `extra` unmanaged
/// policies), each once, each as the compiler would send it.
fn assert_converged(fake: &Fake, dir: &Path, extra: &[&str]) {
    let mut want: Vec<String> = std::fs::read_dir(dir.join("policies"))
        .unwrap()
        .flatten()
        .map(|e| e.path().file_stem().unwrap().to_string_lossy().into_owned())
        .chain(extra.iter().map(|s| (*s).to_owned()))
        .collect();
    want.sort();
    assert_eq!(names(fake), want, "one policy per spec, no duplicates");
    let (code, out, err) = run(dir, &args(&["plan"], &graph(fake), &[]));
    assert_eq!(code, 0, "converged: {out}{err}");
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("caac.lock")).unwrap()).unwrap();
    assert_eq!(lock["policies"].as_object().unwrap().len(), 10, "{lock}");
}

/// Create, then no-op, then an update of one field; new policies are
/// report-only. The fake answers with lists reordered and GUIDs upper-cased,
/// which must not read as changes.
#[test]
fn apply_creates_then_noops_then_updates() {
    let fake = Fake::start(TOKEN);
    fake.with(|s| s.scramble = true);
    let dir = starter();
    let d = dir.path();
    let g = graph(&fake);
    let (code, out, err) = run(d, &args(&["apply", "--yes"], &g, &[]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("applied 10 change(s)"), "{err}");
    assert_converged(&fake, d, &[]);
    assert!(
        fake.policies()
            .iter()
            .all(|p| p["state"] == "enabledForReportingButNotEnforced")
    );
    let writes = fake.writes();
    assert_eq!(writes, 10);

    let (code, _, err) = run(d, &args(&["apply", "--yes"], &g, &[]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("No changes."), "{err}");
    assert_eq!(fake.writes(), writes, "a no-op apply writes nothing");

    let p = d.join("policies/CA006-BlockDeviceCodeFlow.yaml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{text}state: enabled\n")).unwrap();
    let (code, _, err) = run(d, &args(&["apply", "--yes"], &g, &[]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(fake.writes(), writes + 1);
    let log = fake.with(|s| s.log.clone());
    let patch = log.iter().rev().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.body.as_ref().unwrap()["state"], "enabled");
    assert!(patch.authorization.as_deref() == Some(&format!("Bearer {TOKEN}")[..]));
    assert_converged(&fake, d, &[]);
}

/// 429 with Retry-After, a GET that times out, 500 then success, a POST that times out after the
/// server made it, a read-back that 404s once (eventual consistency): the run
/// converges with no duplicate.
#[test]
fn apply_converges_under_faults() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let d = dir.path();
    fake.with(|s| {
        s.faults.push_back((Some("GET"), Fault::TooMany(1)));
        s.faults
            .push_back((Some("GET"), Fault::Slow(Duration::from_secs(3))));
        s.faults.push_back((Some("POST"), Fault::ServerError));
        s.faults.push_back((Some("POST"), Fault::TooMany(1)));
        s.faults
            .push_back((Some("POST"), Fault::Slow(Duration::from_secs(3))));
        s.faults.push_back((
            Some("GET /beta/identity/conditionalAccess/policies/"),
            Fault::NotFound,
        ));
    });
    let g = graph(&fake);
    let start = Instant::now();
    let (code, out, err) = run(d, &args(&["apply", "--yes"], &g, &["--timeout", "1"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "Retry-After was honoured"
    );
    assert!(
        err.contains("checking whether the policy was created"),
        "{err}"
    );
    assert!(fake.with(|s| s.faults.is_empty()));
    assert_converged(&fake, d, &[]);
}

/// `caac apply` killed after the server made a write it never answered,
/// then run again: every spec exists once, the unmanaged policy survives.
#[test]
fn apply_killed_half_way_then_rerun() {
    let fake = Fake::start(TOKEN);
    fake.with(|s| {
        s.policies.insert(
            "0b000000-0000-4000-8000-000000000001".into(),
            json!({"id": "0b000000-0000-4000-8000-000000000001", "displayName": "Made in the portal", "state": "disabled",
                   "conditions": {"users": {"includeUsers": ["None"]}, "applications": {"includeApplications": ["None"]}, "clientAppTypes": ["all"]},
                   "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
        );
        s.hang_after_writes = Some(3);
    });
    let dir = starter();
    let d = dir.path();
    let g = graph(&fake);
    let mut child = command(
        d,
        &args(&["apply", "--yes"], &g, &[]),
        &[("CAAC_GRAPH_TOKEN", TOKEN)],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while fake.writes() < 4 {
        assert!(
            Instant::now() < deadline,
            "apply never reached the 4th write"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(fake.policies().len(), 5, "4 created, 1 unmanaged");
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("caac.lock")).unwrap()).unwrap();
    assert_eq!(
        lock["policies"].as_object().unwrap().len(),
        3,
        "the unanswered write is not locked: {lock}"
    );

    fake.with(|s| s.hang_after_writes = None);
    let (code, out, err) = run(d, &args(&["apply", "--yes"], &g, &[]));
    assert_eq!(code, 0, "{out}{err}");
    assert_converged(&fake, d, &["Made in the portal"]);
    assert_eq!(
        fake.writes(),
        10,
        "6 more creates, the 4th adopted, nothing deleted"
    );

    // --prune deletes the unmanaged policy, and only it.
    let (code, _, err) = run(d, &args(&["apply", "--yes", "--prune"], &g, &[]));
    assert_eq!(code, 0, "{err}");
    assert_converged(&fake, d, &[]);
}

#[test]
fn expired_token_is_a_clear_error() {
    let fake = Fake::start("another-token");
    let dir = starter();
    let (code, out, err) = run(dir.path(), &args(&["plan"], &graph(&fake), &[]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("token expired or invalid"), "{err}");
    assert!(err.contains("InvalidAuthenticationToken"), "{err}");
    let (code, _, err) = run(
        dir.path(),
        &args(&["pull"], &graph(&fake), &["--out", "state"]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(!dir.path().join("state").exists());

    // A token pasted with its `Bearer ` prefix works; a missing permission says which.
    let fake = Fake::start(TOKEN);
    fake.with(|s| s.faults.push_back((Some("GET"), Fault::Forbidden)));
    let bearer = format!("Bearer {TOKEN}");
    let (code, _, err) = run_env(
        dir.path(),
        &args(&["plan"], &graph(&fake), &[]),
        &[("CAAC_GRAPH_TOKEN", &bearer)],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("HTTP 403 Authorization_RequestDenied"),
        "{err}"
    );
    assert!(err.contains("needs Policy.Read.All"), "{err}");
    let (code, out, err) = run_env(
        dir.path(),
        &args(&["plan"], &graph(&fake), &[]),
        &[("CAAC_GRAPH_TOKEN", &bearer)],
    );
    assert_eq!(code, 1, "{out}{err}");
}

/// A body caac does not understand: a clear error, nothing written.
#[test]
fn unreadable_bodies_write_nothing() {
    for fault in [Fault::Garbage, Fault::WrongShape] {
        let fake = Fake::start(TOKEN);
        seed(&fake);
        fake.with(|s| s.faults.push_back((Some("GET"), fault.clone())));
        let dir = tempfile::tempdir().unwrap();
        let (code, _, err) = run(dir.path(), &args(&["pull"], &graph(&fake), &[]));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("unexpected response from Graph"), "{err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert!(
            walk(dir.path()).is_empty(),
            "nothing written: {:?}",
            walk(dir.path())
        );

        let dir = starter();
        fake.with(|s| s.faults.push_back((Some("GET"), fault)));
        let (code, _, err) = run(dir.path(), &args(&["apply", "--yes"], &graph(&fake), &[]));
        assert_eq!(code, 2, "{err}");
        assert_eq!(fake.writes(), 0);
        assert!(!dir.path().join("caac.lock").exists());
    }
}

/// --dry-run prints the requests (no token) and sends no write.
#[test]
fn dry_run_prints_requests_without_token() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let (code, out, err) = run(
        dir.path(),
        &args(&["apply", "--dry-run"], &graph(&fake), &[]),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("POST {}/v1.0/identity/conditionalAccess/policies\n{{\n  \"displayName\": \"CA001-BlockLegacyAuthentication\"", fake.url)), "{out}");
    assert!(
        out.contains("10 request(s); dry run, nothing was sent"),
        "{out}"
    );
    assert!(!out.contains("Bearer") && !err.contains("Bearer"));
    assert_eq!(fake.writes(), 0);
    assert!(!dir.path().join("caac.lock").exists());

    // Offline: planned from a pulled state, no credentials at all.
    std::fs::write(dir.path().join("state.json"), r#"{"value": []}"#).unwrap();
    let (code, out, err) = run_env(
        dir.path(),
        &["apply", "--dry-run", "--state", "state.json"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("POST https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies\n"),
        "{out}"
    );
}

/// Client credentials through an overridden token endpoint; the secret is
/// sent only there and never printed.
#[test]
fn client_credentials_flow() {
    let fake = Fake::start(TOKEN);
    seed(&fake);
    let dir = tempfile::tempdir().unwrap();
    let token_url = format!("{}/token", fake.url);
    let (code, _, err) = run_env(
        dir.path(),
        &args(&["pull"], &graph(&fake), &[]),
        &[
            ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"),
            ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-00000000c11e"),
            ("AZURE_CLIENT_SECRET", "client-secret-5d1e"),
            ("CAAC_TOKEN_URL", &token_url),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let log = fake.with(|s| s.log.clone());
    assert_eq!(log[0].path, "/token");
    assert!(
        log[1..]
            .iter()
            .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {TOKEN}")[..]))
    );
}

#[test]
fn refuses_plain_http_and_missing_credentials() {
    let dir = starter();
    let (code, _, err) = run(
        dir.path(),
        &["plan", "--graph-url", "http://graph.example.com"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("must be https:// or a loopback address"),
        "{err}"
    );
    let (code, _, err) = run_env(
        dir.path(),
        &["plan", "--graph-url", "http://127.0.0.1:9"],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no Graph credentials"), "{err}");
}

/// apply refuses when lint reports an error (the lockout gate runs as lint).
#[test]
fn apply_refuses_on_lint_errors() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let p = dir.path().join("policies/CA003-AllUsers-MFA.yaml");
    // No break-glass exclusion: a lint error.
    std::fs::write(
        &p,
        "displayName: CA003-AllUsers-MFA\nusers:\n  include: { users: [All] }\napplications:\n  include: [All]\ngrant:\n  builtInControls: [block]\n",
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &args(&["apply", "--yes"], &graph(&fake), &[]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("apply refuses"), "{err}");
    assert!(fake.with(|s| s.log.is_empty()), "nothing sent");
}

/// apply refuses a lockout even when every lint rule that would see it is
/// switched off: the gate is not a rule and cannot be configured away.
#[test]
fn apply_refuses_a_lockout_the_rules_do_not_see() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    std::fs::write(
        dir.path().join(".caac.yaml"),
        "rules:\n  CA101: off\n  CA102: off\n  CA103: off\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policies/CA003-AllUsers-MFA.yaml"),
        "displayName: CA003-AllUsers-MFA\nusers:\n  include: { users: [All] }\napplications:\n  include: [All]\ngrant:\n  builtInControls: [block]\n",
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &args(&["apply", "--yes"], &graph(&fake), &[]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[lockout]"), "{err}");
    assert!(err.contains("apply refuses"), "{err}");
    assert!(fake.with(|s| s.log.is_empty()), "nothing sent");
}

/// Keys as Graph spells them (PowerShell exports use PascalCase).
fn camel(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let k = match c.next() {
                        Some(f) if !k.starts_with('@') => {
                            f.to_ascii_lowercase().to_string() + c.as_str()
                        }
                        _ => k.clone(),
                    };
                    (k, camel(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(camel).collect()),
        other => other.clone(),
    }
}

/// Every real exported policy of the shared corpus, served by the fake
/// Graph (which adds its own nulls and `AND` → `OR` rewrite), pulled,
/// imported and planned: no policy that imports cleanly shows a change.
#[test]
fn corpus_pull_import_plan_has_no_perpetual_diff() {
    let Some(corpus) = crate::common::corpus("corpus_pull_import_plan_has_no_perpetual_diff")
    else {
        return;
    };
    let mut files = Vec::new();
    walk(&corpus)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .for_each(|p| files.push(p));
    files.sort();
    let fake = Fake::start(TOKEN);
    let mut n = 0;
    for f in &files {
        let Ok(doc) = caac::load::load(f) else {
            continue;
        };
        let Ok(found) = caac::graph::read::policies_in(&doc.value) else {
            continue;
        };
        for (_, p) in found {
            let Some(obj) = p.as_object() else { continue };
            n += 1;
            let id = format!("c0000000-0000-4000-8000-{n:012}");
            // Graph answers in camelCase whatever dialect the export was saved in.
            let Value::Object(mut obj) = camel(&Value::Object(obj.clone())) else {
                unreachable!()
            };
            obj.retain(|k, _| !k.eq_ignore_ascii_case("id"));
            obj.insert("id".into(), id.clone().into());
            fake.with(|s| s.policies.insert(id, Value::Object(obj)));
        }
    }
    assert!(n > 150, "corpus looks incomplete: {n} policies");
    fake.with(|s| s.page_size = 50);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let g = graph(&fake);
    let (code, _, err) = run(d, &args(&["pull"], &g, &[]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(d, &["import", "state/policies.json", "--out", "policies"]);
    assert!(code <= 1, "{err}");
    std::fs::write(d.join(".caac.yaml"), OPT_OUT).unwrap();
    // Specs whose references cannot resolve (template placeholders, unknown
    // roles) fail closed and would stop the plan: set them aside.
    let (_, out, _) = run(d, &["lint", "--format", "json", "--partial", "policies"]);
    let lint: Value = serde_json::from_str(&out).unwrap();
    let mut unresolved = std::collections::BTreeSet::new();
    for x in lint["diagnostics"].as_array().unwrap() {
        let rule = x["rule"].as_str().unwrap_or_default();
        if x["severity"] == "error" && (!rule.starts_with("CA") || rule == "CA015") {
            unresolved.insert(x["file"].as_str().unwrap().to_owned());
        }
    }
    for f in &unresolved {
        std::fs::remove_file(d.join(f)).unwrap();
    }
    let (code, out, err) = run(d, &args(&["plan"], &g, &["--format", "json"]));
    assert_eq!(code, 0, "{out}{err}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["summary"]["update"], 0);
    assert_eq!(plan["summary"]["create"], 0);
    assert!(
        plan["summary"]["unchanged"].as_u64().unwrap() >= 120,
        "{}",
        plan["summary"]
    );
}

/// Hostile `--graph-url` spellings: refused before credentials are read or a
/// connection is made. The only listener is the fake on 127.0.0.1, and it
/// hears nothing — in particular not the URL whose user info makes a
/// hand-written check read `127.0.0.1:<port>` as the host while the request
/// would really go to the host after the `@`.
#[test]
fn hostile_graph_urls_send_nothing() {
    let fake = Fake::start(TOKEN);
    seed(&fake);
    let dir = starter();
    let port = fake.url.rsplit(':').next().unwrap().to_owned();
    for (url, why) in [
        (format!("http://127.0.0.1:1@127.0.0.1:{port}"), "user info"),
        (format!("http://[::1]:1@127.0.0.1:{port}"), "user info"),
        (
            format!("http://127.0.0.1%40127.0.0.1:{port}"),
            "not an absolute URL",
        ),
        (
            format!("http://localhost.:{port}"),
            "plain http is only for a loopback",
        ),
        (
            format!("http://127.0.0.1.nip.io:{port}"),
            "plain http is only for a loopback",
        ),
        (
            format!("http://[::ffff:127.0.0.1]:{port}"),
            "plain http is only for a loopback",
        ),
        (format!("ftp://127.0.0.1:{port}"), "is not https"),
    ] {
        for cmd in ["plan", "pull"] {
            let (code, out, err) = run(dir.path(), &[cmd, "--graph-url", &url, "--pace", "0"]);
            assert_eq!(code, 2, "{url}: {out}{err}");
            assert!(
                err.contains("--graph-url must be https:// or a loopback address"),
                "{url}: {err}"
            );
            assert!(err.contains(why), "{url}: {err}");
            assert_eq!(err.lines().count(), 1, "one message: {err}");
        }
    }
    assert!(fake.with(|s| s.log.is_empty()), "nothing was sent");
    assert!(!dir.path().join("state").exists());
}

/// The client secret goes only where CAAC_TOKEN_URL really points, checked
/// by a parser: user info that hides the real host is refused before the
/// secret is sent anywhere.
#[test]
fn hostile_token_urls_send_no_secret() {
    let fake = Fake::start(TOKEN);
    seed(&fake);
    let port = fake.url.rsplit(':').next().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    for token_url in [
        format!("http://127.0.0.1:1@127.0.0.1:{port}/token"),
        format!("http://localhost.:{port}/token"),
        format!("http://127.0.0.1.nip.io:{port}/token"),
    ] {
        let (code, _, err) = run_env(
            dir.path(),
            &args(&["pull"], &graph(&fake), &[]),
            &[
                ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"),
                ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-00000000c11e"),
                ("AZURE_CLIENT_SECRET", "client-secret-5d1e"),
                ("CAAC_TOKEN_URL", &token_url),
            ],
        );
        assert_eq!(code, 2, "{token_url}: {err}");
        assert!(
            err.contains("CAAC_TOKEN_URL must be https:// or a loopback address"),
            "{err}"
        );
    }
    // A tenant id that would rewrite the token URL's path is refused too.
    let (code, _, err) = run_env(
        dir.path(),
        &args(&["pull"], &graph(&fake), &[]),
        &[
            ("AZURE_TENANT_ID", "evil.example/x?"),
            ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-00000000c11e"),
            ("AZURE_CLIENT_SECRET", "client-secret-5d1e"),
            ("CAAC_TOKEN_URL", &format!("{}/{{tenant}}/token", fake.url)),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("AZURE_TENANT_ID must be"), "{err}");
    assert!(fake.with(|s| s.log.is_empty()), "nothing was sent");
}

/// An `@odata.nextLink` that leaves the configured origin (another port on
/// the same loopback address, or user info hiding it) is refused; the other
/// listener hears nothing and nothing is written.
#[test]
fn next_link_to_another_origin_is_refused() {
    let other = Fake::start(TOKEN);
    let other_host = other.url.trim_start_matches("http://").to_owned();
    for next_base in [
        other.url.clone(),
        format!("http://x@{other_host}"),
        other.url.replace("127.0.0.1", "localhost"),
    ] {
        let fake = Fake::start(TOKEN);
        seed(&fake);
        fake.with(|s| s.next_link_base = Some(next_base.clone()));
        let dir = tempfile::tempdir().unwrap();
        let (code, _, err) = run(dir.path(), &args(&["pull"], &graph(&fake), &[]));
        assert_eq!(code, 2, "{next_base}: {err}");
        assert!(err.contains("@odata.nextLink"), "{err}");
        assert!(err.contains("does not send the token there"), "{err}");
        assert!(walk(dir.path()).is_empty(), "nothing written");
    }
    assert!(other.with(|s| s.log.is_empty()), "nothing sent elsewhere");
}

/// A 503 with `Retry-After` is waited out as the header asks, then the
/// request is sent again and the command succeeds. The wait is asserted
/// from caac's own record of it, not from the clock.
#[test]
fn retry_after_on_503_is_honoured() {
    let fake = Fake::start(TOKEN);
    seed(&fake);
    fake.with(|s| {
        s.faults.push_back((Some("GET"), Fault::Unavailable(1)));
        s.faults.push_back((Some("GET"), Fault::TooMany(2)));
    });
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(dir.path(), &args(&["pull"], &graph(&fake), &[]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("answered HTTP 503; waiting 1 s as its Retry-After asks"),
        "{err}"
    );
    assert!(
        err.contains("answered HTTP 429; waiting 2 s as its Retry-After asks"),
        "{err}"
    );
    let log = fake.with(|s| s.log.clone());
    let first: Vec<&str> = log.iter().take(3).map(|r| r.path.as_str()).collect();
    assert_eq!(
        first, ["/beta/identity/conditionalAccess/policies"; 3],
        "the same request, sent again after each wait"
    );
    assert!(fake.with(|s| s.faults.is_empty()));
}

/// Runs `caac apply --yes` and checks that it converged in that one run:
/// exit 0, no read-back mismatch, every policy the fake now holds equals
/// its built body under `plan::canon`, and the next plan is empty. Returns
/// the PATCH bodies the run sent, each checked to carry no read-only or
/// annotation property.
fn apply_converges(fake: &Fake, d: &Path) -> Vec<(String, Value)> {
    let before = fake.with(|s| s.log.len());
    let (code, out, err) = run(d, &args(&["apply", "--yes"], &graph(fake), &[]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("differs"), "read-back differs: {err}");
    let built = tempfile::tempdir().unwrap();
    let out_dir = built.path().join("out");
    let (code, _, err) = run(
        d,
        &["build", "policies", "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let live = caac::deploy::plan::live_policies(&fake.policies()).unwrap();
    for l in &live {
        let file = out_dir.join(format!("{}.json", l.display_name));
        let want: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(
            l.body.as_ref().unwrap(),
            &caac::deploy::plan::canon(&want),
            "{} as Graph holds it",
            l.display_name
        );
    }
    let (code, out, err) = run(d, &args(&["plan"], &graph(fake), &[]));
    assert_eq!(code, 0, "the next plan is empty: {out}{err}");
    assert!(out.contains("No changes."), "{out}");
    let patches: Vec<(String, Value)> = fake.with(|s| {
        s.log[before..]
            .iter()
            .filter(|r| r.method == "PATCH")
            .map(|r| (r.path.clone(), r.body.clone().unwrap()))
            .collect()
    });
    for (_, b) in &patches {
        for k in caac::deploy::plan::READ_ONLY {
            assert!(b.get(*k).is_none(), "read-only `{k}` sent: {b}");
        }
        assert!(!annotated(b), "annotation sent: {b}");
    }
    patches
}

/// True when a body carries an `@odata` annotation other than the
/// `@odata.type` a polymorphic value needs.
fn annotated(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| (k.contains("@odata") && k != "@odata.type") || annotated(v)),
        Value::Array(a) => a.iter().any(annotated),
        _ => false,
    }
}

fn stored_id(fake: &Fake, name: &str) -> String {
    fake.policies()
        .iter()
        .find(|p| p["displayName"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn edit(d: &Path, file: &str, from: &str, to: &str) {
    let p = d.join("policies").join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// Removing an exclusion from a spec reaches the tenant: the PATCH empties
/// the list explicitly (Graph keeps a list the body leaves out, and merges
/// `conditions.users` member by member), and one apply converges.
#[test]
fn removing_an_exclusion_converges_in_one_apply() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let d = dir.path();
    apply_converges(&fake, d);
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        "    roles: [Directory Synchronization Accounts]\n",
        "",
    );
    let (code, out, _) = run(d, &args(&["plan"], &graph(&fake), &[]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("/conditions/users/excludeRoles"), "{out}");
    let patches = apply_converges(&fake, d);
    assert_eq!(patches.len(), 1, "{patches:?}");
    let (path, body) = &patches[0];
    assert!(
        path.ends_with(&stored_id(&fake, "CA003-AllUsers-MFA")),
        "{path}"
    );
    assert_eq!(body["conditions"]["users"]["excludeRoles"], json!([]));
    assert_eq!(
        body["conditions"]["users"]["excludeGroups"],
        json!(["0e1f2a3b-0000-4000-8000-00000000e0e1"])
    );
    let stored = &fake.policies()[2];
    assert_eq!(stored["displayName"], "CA003-AllUsers-MFA");
    assert_eq!(stored["conditions"]["users"]["excludeRoles"], json!([]));
}

/// Changes made in the portal (an exclusion, a condition block, a risk
/// level, a session control) are reverted by one apply: each is cleared
/// with the value Graph documents for it.
#[test]
fn portal_additions_are_reverted_in_one_apply() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let d = dir.path();
    apply_converges(&fake, d);
    let (ca001, ca004) = (
        stored_id(&fake, "CA001-BlockLegacyAuthentication"),
        stored_id(&fake, "CA004-SignInRisk-MFA"),
    );
    fake.with(|s| {
        let p = s.policies.get_mut(&ca001).unwrap();
        p["conditions"]["users"]["excludeUsers"] = json!(["00000000-0000-4000-8000-0000000a11ce"]);
        p["conditions"]["locations"] =
            json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]});
        p["description"] = json!("changed in the portal");
        let p = s.policies.get_mut(&ca004).unwrap();
        p["conditions"]["userRiskLevels"] = json!(["low"]);
        p["sessionControls"]["persistentBrowser"] = json!({"isEnabled": true, "mode": "never"});
    });
    let (code, out, _) = run(d, &args(&["plan"], &graph(&fake), &[]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("2 to update"), "{out}");
    let patches = apply_converges(&fake, d);
    assert_eq!(patches.len(), 2, "{patches:?}");
    let body = |id: &str| {
        patches
            .iter()
            .find(|(p, _)| p.ends_with(id))
            .map(|(_, b)| b.clone())
            .unwrap()
    };
    let b = body(&ca001);
    assert_eq!(b["conditions"]["users"]["excludeUsers"], json!([]));
    assert_eq!(b["conditions"]["locations"], Value::Null);
    assert!(
        b["conditions"]
            .as_object()
            .unwrap()
            .contains_key("locations")
    );
    assert_eq!(b["description"], Value::Null);
    assert!(b.as_object().unwrap().contains_key("description"));
    let b = body(&ca004);
    assert_eq!(b["conditions"]["userRiskLevels"], json!([]));
    assert_eq!(b["sessionControls"]["persistentBrowser"], Value::Null);
    assert_eq!(
        b["sessionControls"]["signInFrequency"]["frequencyInterval"], "everyTime",
        "the control the spec keeps is sent as well"
    );
}

/// A session control removed from a spec, then the whole session block,
/// then a whole condition block: each reaches the tenant in one apply.
#[test]
fn removing_session_controls_and_condition_blocks_converges() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let d = dir.path();
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        "grant:\n",
        "session:\n  signInFrequency: { value: 4, type: hours }\n  persistentBrowser: never\ngrant:\n",
    );
    apply_converges(&fake, d);
    let ca003 = stored_id(&fake, "CA003-AllUsers-MFA");
    assert_eq!(
        fake.with(|s| s.policies[&ca003]["sessionControls"]["persistentBrowser"]["mode"].clone()),
        "never"
    );

    // One session control of two.
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        "  persistentBrowser: never\n",
        "",
    );
    let patches = apply_converges(&fake, d);
    assert_eq!(patches.len(), 1);
    assert_eq!(
        patches[0].1["sessionControls"]["persistentBrowser"],
        Value::Null
    );
    assert!(fake.with(|s| {
        s.policies[&ca003]["sessionControls"]
            .get("persistentBrowser")
            .is_none()
    }));

    // The whole session block.
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        "session:\n  signInFrequency: { value: 4, type: hours }\n",
        "",
    );
    let patches = apply_converges(&fake, d);
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].1["sessionControls"], Value::Null);

    // A whole condition block (locations), and with it its lists.
    edit(
        d,
        "CA007-SecurityInfoRegistration.yaml",
        "locations:\n  include: [All]\n  exclude: [AllTrusted]\n",
        "",
    );
    let patches = apply_converges(&fake, d);
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert_eq!(patches[0].1["conditions"]["locations"], Value::Null);
    let ca007 = stored_id(&fake, "CA007-SecurityInfoRegistration");
    assert!(fake.with(|s| s.policies[&ca007]["conditions"].get("locations").is_none()));
}

/// The starter set and an empty pulled state (`state/policies.json`): a
/// plan of 10 creations, made without any Graph call.
fn starter_with_empty_state() -> tempfile::TempDir {
    let dir = starter();
    std::fs::create_dir(dir.path().join("state")).unwrap();
    std::fs::write(dir.path().join("state/policies.json"), r#"{"value": []}"#).unwrap();
    dir
}

/// `caac plan -o FILE` writes the plan, in every `-f` format, to FILE
/// instead of stdout, with the same exit status (1: changes).
#[test]
fn plan_output_writes_the_plan_to_a_file() {
    let dir = starter_with_empty_state();
    let d = dir.path();
    let (code, stdout_plan, err) = run(d, &["plan", "--state", "state"]);
    assert_eq!(code, 1, "{err}");
    for (format, name) in [
        ("human", "plan.txt"),
        ("json", "plan.json"),
        ("markdown", "plan.md"),
    ] {
        let (code, out, err) = run(d, &["plan", "--state", "state", "-f", format, "-o", name]);
        assert_eq!(code, 1, "{format}: {err}");
        assert_eq!(out, "", "{format}: the plan goes to the file, not stdout");
        assert!(err.contains(&format!("wrote the plan to {name}")), "{err}");
        let written = std::fs::read_to_string(d.join(name)).unwrap();
        match format {
            "human" => assert_eq!(written, stdout_plan),
            "json" => {
                let v: Value = serde_json::from_str(&written).unwrap();
                assert_eq!(v["summary"]["create"], 10, "{written}");
            }
            _ => assert!(written.contains("| + | create |"), "{written}"),
        }
    }
}

/// `caac plan -o` never writes over one of the plan's inputs: a policy, the
/// tenant file, the lock file or the pulled state. Exit 2, file unchanged.
#[test]
fn plan_output_refuses_to_replace_an_input() {
    let dir = starter_with_empty_state();
    let d = dir.path();
    std::fs::write(d.join("caac.lock"), r#"{"version": 1, "policies": {}}"#).unwrap();
    for input in [
        "policies/CA003-AllUsers-MFA.yaml",
        "tenant.yaml",
        "caac.lock",
        "state/policies.json",
    ] {
        let before = std::fs::read(d.join(input)).unwrap();
        let (code, out, err) = run(d, &["plan", "--state", "state", "-o", input]);
        assert_eq!(code, 2, "{input}: {out}{err}");
        assert!(err.contains("it is one of the inputs"), "{input}: {err}");
        assert_eq!(std::fs::read(d.join(input)).unwrap(), before, "{input}");
    }
}

/// `-v` on plan, apply and pull prints the same `verbose:` lines as lint
/// (files used, policy paths, files read, timings) even though their check
/// runs inside the deploy module; without `-v` there are none.
#[test]
fn verbose_plan_apply_pull_say_what_they_read() {
    let dir = starter_with_empty_state();
    let d = dir.path();
    for cmd in [
        &["-v", "plan", "--state", "state"][..],
        &["-v", "apply", "--dry-run", "--state", "state"][..],
    ] {
        let (code, _, err) = run_env(d, cmd, &[]);
        assert!(code == 0 || code == 1, "{cmd:?}: {err}");
        for line in [
            "verbose: config: none",
            "verbose: tenant: tenant.yaml",
            "verbose: policy paths: policies",
            "verbose: read policies/CA003-AllUsers-MFA.yaml",
            "verbose: lint: ",
        ] {
            assert!(err.contains(line), "{cmd:?} lacks {line:?}:\n{err}");
        }
        let (_, _, quiet) = run_env(d, &cmd[1..], &[]);
        assert!(!quiet.contains("verbose:"), "{cmd:?} without -v: {quiet}");
    }
    let fake = Fake::start(TOKEN);
    seed(&fake);
    let (code, _, err) = run(d, &args(&["-v", "pull"], &graph(&fake), &["-o", "pulled"]));
    assert_eq!(code, 0, "{err}");
    let origin = fake.url.trim_end_matches('/');
    for line in [
        format!("verbose: graph: {origin}"),
        "verbose: output: pulled".to_owned(),
        "verbose: tenant: tenant.yaml".to_owned(),
        "verbose: pull: ".to_owned(),
    ] {
        assert!(err.contains(&line), "pull lacks {line:?}:\n{err}");
    }
}

/// Reads a JSON file under `d`.
fn read_json(d: &Path, file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(d.join(file)).unwrap()).unwrap()
}

/// `caac plan -o plan.json` saves the plan (its JSON, chosen by the
/// extension) with every request, per-object fingerprints, the caac
/// version, the Graph URL and the inputs' hashes, and no token;
/// `caac apply plan.json` sends exactly those requests. The same plan
/// applied again is refused: the tenant now has the policies it created.
#[test]
fn saved_plan_is_applied_exactly() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let d = dir.path();
    let g = graph(&fake);
    let (code, out, err) = run(d, &args(&["plan"], &g, &["-o", "plan.json"]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("wrote the plan to plan.json"), "{err}");
    let plan = read_json(d, "plan.json");
    assert_eq!(plan["generator"], "caac");
    assert_eq!(plan["kind"], "plan");
    assert_eq!(plan["caacVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(plan["graph"], fake.url.as_str());
    assert_eq!(plan["summary"]["create"], 10);
    assert!(
        plan["inputs"]["policies/CA003-AllUsers-MFA.yaml"]
            .as_str()
            .unwrap()
            .starts_with("sha256:"),
        "{}",
        plan["inputs"]
    );
    assert_eq!(plan["inputs"]["caac.lock"], "absent");
    let items = plan["items"].as_array().unwrap();
    for i in items {
        assert_eq!(i["kind"], "policy", "{i}");
        assert_eq!(i["fingerprint"], "absent", "{i}");
        assert_eq!(i["request"]["method"], "POST", "{i}");
        // v1.0, or beta for a body that needs it (graph::compile).
        let path = i["request"]["path"].as_str().unwrap();
        assert!(
            ["/v1.0", "/beta"]
                .map(|v| format!("{v}/identity/conditionalAccess/policies"))
                .contains(&path.to_owned()),
            "{i}"
        );
    }
    assert_eq!(fake.writes(), 0, "planning writes nothing");

    // The repository changes after the plan: the plan is applied as made.
    edit(
        d,
        "CA006-BlockDeviceCodeFlow.yaml",
        "displayName: CA006-BlockDeviceCodeFlow\n",
        "displayName: CA006-BlockDeviceCodeFlow\nstate: enabled\n",
    );
    let (code, out, err) = run(d, &args(&["apply", "plan.json", "--yes"], &g, &[]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("applied 10 change(s)"), "{err}");
    assert!(
        err.contains(
            "warning: policies/CA006-BlockDeviceCodeFlow.yaml changed since plan.json was made"
        ),
        "{err}"
    );
    let posts: Vec<Value> = fake.with(|s| {
        s.log
            .iter()
            .filter(|r| r.method == "POST")
            .map(|r| r.body.clone().unwrap())
            .collect()
    });
    let planned: Vec<Value> = items.iter().map(|i| i["request"]["body"].clone()).collect();
    assert_eq!(posts, planned, "exactly the planned bodies, in order");
    assert!(
        fake.policies()
            .iter()
            .all(|p| p["state"] == "enabledForReportingButNotEnforced"),
        "the plan, not the edited spec"
    );
    let lock = read_json(d, "caac.lock");
    assert_eq!(lock["policies"].as_object().unwrap().len(), 10, "{lock}");

    // The same plan again: the tenant is no longer what it was made against.
    let writes = fake.writes();
    let (code, _, err) = run(
        d,
        &args(&["apply", "--plan", "plan.json", "--yes"], &g, &[]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error: the tenant changed since plan.json was made; nothing was written"),
        "{err}"
    );
    assert_eq!(
        err.matches("created in the tenant since the plan was made")
            .count(),
        10,
        "{err}"
    );
    assert_eq!(fake.writes(), writes);
}

/// A change made "in the portal" between plan and apply (a policy edited,
/// one deleted, one created) makes `apply plan.json` refuse, naming each
/// object, exit 2, with nothing written and the lock untouched.
#[test]
fn saved_plan_refuses_when_the_tenant_changed() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let d = dir.path();
    let g = graph(&fake);
    apply_converges(&fake, d);
    edit(
        d,
        "CA006-BlockDeviceCodeFlow.yaml",
        "displayName: CA006-BlockDeviceCodeFlow\n",
        "displayName: CA006-BlockDeviceCodeFlow\nstate: enabled\n",
    );
    let (code, out, err) = run(d, &args(&["plan"], &g, &["-o", "plan.json"]));
    assert_eq!(code, 1, "{out}{err}");
    let lock = std::fs::read(d.join("caac.lock")).unwrap();
    let (ca001, ca004) = (
        stored_id(&fake, "CA001-BlockLegacyAuthentication"),
        stored_id(&fake, "CA004-SignInRisk-MFA"),
    );
    fake.with(|s| {
        s.policies.get_mut(&ca001).unwrap()["description"] = json!("changed in the portal");
        s.policies.remove(&ca004);
        s.policies.insert(
            "0b000000-0000-4000-8000-000000000001".into(),
            json!({"id": "0b000000-0000-4000-8000-000000000001", "displayName": "Made in the portal", "state": "disabled",
                   "conditions": {"users": {"includeUsers": ["None"]}, "applications": {"includeApplications": ["None"]}, "clientAppTypes": ["all"]},
                   "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
        );
    });
    let writes = fake.writes();
    let (code, out, err) = run(d, &args(&["apply", "plan.json", "--yes"], &g, &[]));
    assert_eq!(code, 2, "{out}{err}");
    for line in [
        format!(
            "\"CA001-BlockLegacyAuthentication\" ({ca001}, policies/CA001-BlockLegacyAuthentication.yaml): changed in the tenant since the plan was made"
        ),
        format!(
            "\"CA004-SignInRisk-MFA\" ({ca004}, policies/CA004-SignInRisk-MFA.yaml): deleted in the tenant since the plan was made"
        ),
        "\"Made in the portal\" (0b000000-0000-4000-8000-000000000001): created in the tenant since the plan was made".to_owned(),
    ] {
        assert!(err.contains(&line), "lacks {line:?}:\n{err}");
    }
    assert_eq!(err.matches("error:").count(), 1, "one message: {err}");
    assert_eq!(fake.writes(), writes, "nothing written");
    assert_eq!(std::fs::read(d.join("caac.lock")).unwrap(), lock);
    let ca006 = stored_id(&fake, "CA006-BlockDeviceCodeFlow");
    assert_eq!(
        fake.with(|s| s.policies[&ca006]["state"].clone()),
        "enabledForReportingButNotEnforced"
    );

    // Only an edit to the object the plan changes refuses as well.
    fake.with(|s| {
        s.policies.remove("0b000000-0000-4000-8000-000000000001");
    });
    let (code, _, _) = run(d, &args(&["apply", "--yes"], &g, &[]));
    assert_eq!(code, 0);
    let (code, _, err) = run(d, &args(&["plan"], &g, &["-o", "plan.json"]));
    assert_eq!(code, 0, "{err}");
    edit(
        d,
        "CA006-BlockDeviceCodeFlow.yaml",
        "state: enabled\n",
        "state: disabled\n",
    );
    let (code, _, err) = run(d, &args(&["plan"], &g, &["-o", "plan.json"]));
    assert_eq!(code, 1, "{err}");
    fake.with(|s| {
        s.policies.get_mut(&ca006).unwrap()["state"] = json!("enabledForReportingButNotEnforced");
    });
    let writes = fake.writes();
    let (code, _, err) = run(d, &args(&["apply", "plan.json", "--yes"], &g, &[]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("\"CA006-BlockDeviceCodeFlow\" ({ca006}, policies/CA006-BlockDeviceCodeFlow.yaml): changed in the tenant since the plan was made")), "{err}");
    assert_eq!(fake.writes(), writes);
}

/// A saved plan made by another caac version, for another Graph URL, or
/// with a request that is not the write its item makes, is refused before
/// anything is sent (exit 2); `--prune` cannot be added to a saved plan.
#[test]
fn saved_plan_from_elsewhere_is_refused() {
    let fake = Fake::start(TOKEN);
    let dir = starter_with_empty_state();
    let d = dir.path();
    let g = graph(&fake);
    // Made offline for the default Graph.
    let (code, _, err) = run(d, &["plan", "--state", "state", "-o", "plan.json"]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = run(d, &args(&["apply", "plan.json", "--yes"], &g, &[]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("plan.json is a plan for https://graph.microsoft.com but this run's Graph (--graph-url or --cloud) is"),
        "{err}"
    );
    let plan = read_json(d, "plan.json");
    let tamper = |f: &dyn Fn(&mut Value)| {
        let mut p = plan.clone();
        p["graph"] = fake.url.clone().into();
        f(&mut p);
        std::fs::write(d.join("other.json"), p.to_string()).unwrap();
        run(d, &args(&["apply", "other.json", "--yes"], &g, &[]))
    };
    let (code, _, err) = tamper(&|p| p["caacVersion"] = "0.0.1".into());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "other.json was made by caac 0.0.1 and this is caac {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{err}"
    );
    let (code, _, err) = tamper(&|p| {
        p["items"][0]["request"]["path"] = "/v1.0/users".into();
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("other.json: item #0: a `create` of"), "{err}");
    let (code, _, err) = tamper(&|p| {
        p["items"][0]["request"]["path"] =
            "/v1.0/identity/conditionalAccess/policies@evil.example".into();
    });
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = tamper(&|p| p["lintErrors"] = 2.into());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("apply refuses"), "{err}");
    let (code, _, err) = run(
        d,
        &args(&["apply", "plan.json", "--yes", "--prune"], &g, &[]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--prune changes how a plan is made"), "{err}");
    // Names were resolved when the plan was made: a tenant file or
    // break-glass account given now is refused, not silently ignored.
    for extra in [
        ["--tenant", "tenant.yaml"],
        ["--break-glass", "Emergency Access"],
    ] {
        let mut a = vec!["apply", "plan.json", "--yes"];
        a.extend(extra);
        let (code, _, err) = run(d, &args(&a, &g, &[]));
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!("{} changes how a plan is made", extra[0])),
            "{err}"
        );
    }
    assert!(fake.with(|s| s.log.is_empty()), "nothing was sent");

    // A dry run of a saved plan prints its requests, offline.
    let (code, out, err) = run_env(d, &["apply", "plan.json", "--dry-run"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("10 request(s); dry run, nothing was sent"),
        "{out}"
    );
}

/// The human plan shows ids with their display names (a directory role
/// from the catalogue, a group from the tenant file) and hides unchanged
/// policies unless `-v`; the Markdown plan has one collapsed `<details>`
/// per object.
#[test]
fn plans_name_ids_and_hide_unchanged_policies() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let d = dir.path();
    let g = graph(&fake);
    apply_converges(&fake, d);
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        "    roles: [Directory Synchronization Accounts]\n",
        "",
    );
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        "    groups: [Emergency Access]\n",
        "    groups: [Emergency Access, Token Protection Pilot]\n",
    );
    let (code, out, err) = run(d, &args(&["plan"], &g, &[]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(
        "      /conditions/users/excludeRoles: [\"Directory Synchronization Accounts [d29b2b05-8046-44ba-8758-1e26182fcf32]\"] -> (not set)\n"
    ), "{out}");
    assert!(out.contains(
        "      /conditions/users/excludeGroups: [\"Emergency Access [0e1f2a3b-0000-4000-8000-00000000e0e1]\"] -> [\"Token Protection Pilot [0e1f2a3b-0000-4000-8000-0000000070b1]\",\"Emergency Access [0e1f2a3b-0000-4000-8000-00000000e0e1]\"]\n"
    ), "{out}");
    assert!(!out.contains("= unchanged"), "{out}");
    assert_eq!(
        out.lines().filter(|l| !l.starts_with(' ')).count(),
        2,
        "{out}"
    );
    assert!(
        out.ends_with("Plan: 0 to create, 1 to update, 0 to delete, 9 unchanged, 0 unmanaged.\n"),
        "{out}"
    );
    let (code, out, _) = run(d, &args(&["-v", "plan"], &g, &[]));
    assert_eq!(code, 1);
    assert_eq!(out.matches("= unchanged").count(), 9, "{out}");

    let (code, md, _) = run(d, &args(&["plan"], &g, &["-f", "markdown"]));
    assert_eq!(code, 1);
    assert_eq!(md.matches("<details>").count(), 1, "{md}");
    assert!(md.contains(
        "<details><summary>~ update <code>policies/CA003-AllUsers-MFA.yaml</code> CA003-AllUsers-MFA</summary>\n"
    ), "{md}");
    assert!(md.contains(
        "| ` /conditions/users/excludeRoles ` | ` [\"Directory Synchronization Accounts [d29b2b05-8046-44ba-8758-1e26182fcf32]\"] ` | ` (not set) ` |"
    ), "{md}");
    assert!(md.contains("\n</details>\n"), "{md}");
    let (_, md, _) = run(d, &args(&["-v", "plan"], &g, &["-f", "markdown"]));
    assert_eq!(md.matches("<details>").count(), 10, "{md}");
}

/// A live policy the repository does not manage is listed as unmanaged in
/// every format; it is not a change (exit 0) unless `--fail-on-unmanaged`
/// (exit 1, saying why).
#[test]
fn unmanaged_policies_are_listed_and_can_fail_the_plan() {
    let fake = Fake::start(TOKEN);
    let dir = starter();
    let d = dir.path();
    let g = graph(&fake);
    apply_converges(&fake, d);
    let id = "0b000000-0000-4000-8000-000000000001";
    fake.with(|s| {
        s.policies.insert(
            id.into(),
            json!({"id": id, "displayName": "Made in the portal", "state": "disabled",
                   "conditions": {"users": {"includeUsers": ["None"]}, "applications": {"includeApplications": ["None"]}, "clientAppTypes": ["all"]},
                   "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
        );
    });
    let (code, out, err) = run(d, &args(&["plan"], &g, &[]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "? unmanaged (not in the repository)  \"Made in the portal\" ({id})\n"
        )),
        "{out}"
    );
    assert!(
        out.contains("1 unmanaged (kept; --prune deletes them)"),
        "{out}"
    );
    let (code, out, _) = run(d, &args(&["plan"], &g, &["-f", "json"]));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["unmanaged"], 1);
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "unmanaged")
        .unwrap();
    assert_eq!(item["displayName"], "Made in the portal");
    assert_eq!(item["id"], id);
    let (code, md, _) = run(d, &args(&["plan"], &g, &["-f", "markdown"]));
    assert_eq!(code, 0);
    assert!(
        md.contains("| ? | unmanaged |  | Made in the portal |  |"),
        "{md}"
    );
    assert!(
        md.contains("<details><summary>? unmanaged Made in the portal</summary>"),
        "{md}"
    );

    let (code, _, err) = run(d, &args(&["plan", "--fail-on-unmanaged"], &g, &[]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error: the tenant has 1 policy the repository does not manage (listed as unmanaged); --fail-on-unmanaged fails the plan"),
        "{err}"
    );
    // Without unmanaged policies, the flag changes nothing.
    fake.with(|s| s.policies.remove(id));
    let (code, _, err) = run(d, &args(&["plan", "--fail-on-unmanaged"], &g, &[]));
    assert_eq!(code, 0, "{err}");
}

/// A write Graph refuses names the object (display name and spec file) and
/// Graph's error code and message, exit 2.
#[test]
fn a_failed_write_names_the_object_and_graphs_error() {
    let fake = Fake::start(TOKEN);
    fake.with(|s| {
        s.faults.push_back((
            Some("POST"),
            Fault::Rejected(
                400,
                "BadRequest",
                "1037: The policy contains invalid applications.",
            ),
        ));
    });
    let dir = starter();
    let d = dir.path();
    let (code, out, err) = run(d, &args(&["apply", "--yes"], &graph(&fake), &[]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains(&format!(
        "error: could not create policy \"CA001-BlockLegacyAuthentication\" (policies/CA001-BlockLegacyAuthentication.yaml): Graph answered HTTP 400 BadRequest: 1037: The policy contains invalid applications. (POST {}/v1.0/identity/conditionalAccess/policies)\n",
        fake.url
    )), "{err}");
    assert!(
        err.contains(
            "0 of 10 change(s) applied; caac.lock records them: run `caac apply` again to finish"
        ),
        "{err}"
    );
    assert_eq!(fake.writes(), 0);
}

/// The tenant file `pull` writes names its schema by a path that resolves
/// from the file's own directory (here `conf/tenant.yaml` → `../schemas/…`)
/// when ./schemas holds it, else by the public URL
/// (tests/cli/modelines.rs). Before, it always wrote `schemas/…`, relative
/// to the working directory rather than the file.
#[test]
fn pull_tenant_modeline_resolves_from_the_file() {
    let fake = Fake::start(TOKEN);
    seed(&fake);
    let g = graph(&fake);
    for with_schemas in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        if with_schemas {
            std::fs::create_dir(d.join("schemas")).unwrap();
            std::fs::write(d.join("schemas/tenant.schema.json"), "{}").unwrap();
        }
        std::fs::create_dir(d.join("conf")).unwrap();
        let (code, _, err) = run(d, &args(&["pull"], &g, &["--tenant", "conf/tenant.yaml"]));
        assert_eq!(code, 0, "{err}");
        let tenant = std::fs::read_to_string(d.join("conf/tenant.yaml")).unwrap();
        let want = if with_schemas {
            "../schemas/tenant.schema.json"
        } else {
            "https://github.com/caac-dev/caac/raw/main/schemas/tenant.schema.json"
        };
        assert!(
            tenant.starts_with(&format!("# yaml-language-server: $schema={want}\n")),
            "{tenant}"
        );
        assert_eq!(
            crate::modelines::assert_modelines_resolve(d),
            if with_schemas { (1, 0) } else { (0, 1) }
        );
    }
}

/// Without `-f`, `caac plan -o FILE` picks the format from FILE's
/// extension: `.json` a saved plan, `.md` Markdown, anything else human;
/// `-f` still wins.
#[test]
fn plan_output_format_follows_the_extension() {
    let dir = starter_with_empty_state();
    let d = dir.path();
    let (_, human, _) = run(d, &["plan", "--state", "state"]);
    for (name, check) in [
        ("plan.JSON", "\"kind\": \"plan\""),
        ("plan.md", "### caac plan\n"),
        ("plan.txt", human.as_str()),
    ] {
        let (code, _, err) = run(d, &["plan", "--state", "state", "-o", name]);
        assert_eq!(code, 1, "{name}: {err}");
        let written = std::fs::read_to_string(d.join(name)).unwrap();
        assert!(written.contains(check), "{name}: {written}");
    }
    let (code, _, err) = run(
        d,
        &["plan", "--state", "state", "-f", "human", "-o", "p.json"],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read_to_string(d.join("p.json")).unwrap(), human);
}
