//! One message per root cause (issue #12 §5): a tenant file that is missing,
//! unreadable or holds an invalid id is reported once, at that file; a typo
//! in a reference is reported once (resolution), never again by a directory
//! rule (CA901–CA906) at the same position.
//!
//! Graph references in policies are object ids ("Group IDs in scope of
//! policy", <https://learn.microsoft.com/graph/api/resources/conditionalaccessusers>),
//! so every id of the tenant file's tables must be one.

use crate::common::{caac, text};
use std::path::Path;

/// A tenant file resolving every name [`POLICY`] uses.
const TENANT: &str = "\
groups:
  Emergency Access: 8f1c2b7a-4d3e-4a5b-9c6d-0e1f2a3b4c5d
  Pilot: 3a9e5c1d-7b2f-4e8a-b6c4-d2e0f1a3b5c7
users:
  alice@contoso.com: 0e1f2a3b-0000-4000-8000-000000000002
namedLocations:
  HQ: 55555555-5555-4555-8555-555555555555
authenticationStrengths:
  Contoso Passkeys: 3c9d7e1f-2a4b-4c8d-9e6f-0b1a2c3d4e5f
termsOfUse:
  Contoso Terms: 6f2a8c4e-1b3d-4e5f-8a7b-9c0d1e2f3a4b
authenticationContexts:
  Sensitive: c3
";

/// A valid policy using a name of every tenant table. Lines: 1 displayName,
/// 2 state, 3 users, 4 include, 5 exclude, 6 applications, 7 locations,
/// 8 grant.
const POLICY: &str = "\
displayName: CA001-Test
state: reportOnly
users:
  include: { users: [alice@contoso.com], groups: [Pilot], roles: [Global Administrator] }
  exclude: { groups: [Emergency Access] }
applications: { authenticationContexts: [Sensitive] }
locations: { include: [All], exclude: [HQ] }
grant: { operator: AND, authenticationStrength: Contoso Passkeys, termsOfUse: [Contoso Terms] }
";

fn dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, body) in files {
        std::fs::write(tmp.path().join(name), body).expect("write");
    }
    tmp
}

/// Runs caac; returns the exit code and the diagnostics as
/// `(header, arrow)` pairs (and the whole output), e.g. `("error[unknown-name]", "p.yaml:4:23")`.
fn run(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String)>, String) {
    let out = caac(dir, args);
    // `lint` reports on stdout, `build` on stderr.
    let (stdout, stderr) = text(&out);
    let stderr = format!("{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut diags = Vec::new();
    let mut lines = stderr.lines().peekable();
    while let Some(l) = lines.next() {
        if l.starts_with("error[") || l.starts_with("warning[") || l.starts_with("info[") {
            let header = l.split(": ").next().unwrap_or(l).to_owned();
            let arrow = lines
                .next_if(|n| n.trim_start().starts_with("-->"))
                .map(|n| n.trim_start().trim_start_matches("-->").trim().to_owned())
                .unwrap_or_default();
            diags.push((header, arrow));
        }
    }
    (out.status.code().unwrap_or(-1), diags, stderr)
}

fn errors(diags: &[(String, String)]) -> Vec<&(String, String)> {
    diags
        .iter()
        .filter(|(h, _)| h.starts_with("error["))
        .collect()
}

/// A reasoned break-glass opt-out for tests whose tenant names no accounts.
const OPT_OUT: &str = "breakGlassOptOut: \"root-cause test: no real tenant\"\n";

#[test]
fn a_missing_tenant_file_is_one_error_about_that_file() {
    let d = dir(&[("p.yaml", POLICY)]);
    let (code, diags, stderr) = run(
        d.path(),
        &["lint", "--partial", "p.yaml", "--tenant", "missing.yaml"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        errors(&diags),
        vec![&("error[io]".to_owned(), "missing.yaml".to_owned())],
        "{stderr}"
    );
    assert!(stderr.contains("cannot read the tenant file"), "{stderr}");
    assert!(
        stderr.contains("help: pass the path of an existing tenant file"),
        "{stderr}"
    );
    // Not "no tenant file": one was given, it did not load.
    assert!(!stderr.contains("no tenant file"), "{stderr}");
    assert!(
        !stderr.contains("resolve through a tenant file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("CA902 skipped: the tenant file did not load"),
        "{stderr}"
    );
}

#[test]
fn an_invalid_tenant_file_is_one_error_about_that_file() {
    let d = dir(&[("p.yaml", POLICY), ("t.yaml", "groups: [\n")]);
    let lint: &[&str] = &["lint", "--partial", "p.yaml", "--tenant", "t.yaml"];
    let build: &[&str] = &["build", "p.yaml", "--tenant", "t.yaml", "--out", "out"];
    for args in [lint, build] {
        let cmd = args[0];
        let (code, diags, stderr) = run(d.path(), args);
        assert_eq!(code, 2, "{stderr}");
        let errs = errors(&diags);
        assert_eq!(errs.len(), 1, "{cmd}: {stderr}");
        assert!(errs[0].1.starts_with("t.yaml:"), "{cmd}: {stderr}");
        assert!(!stderr.contains("unknown-name"), "{cmd}: {stderr}");
    }
    assert!(!d.path().join("out").exists());
}

#[test]
fn an_invalid_id_in_the_tenant_file_is_reported_at_the_tenant_file() {
    let tenant = TENANT
        .replace(
            "Pilot: 3a9e5c1d-7b2f-4e8a-b6c4-d2e0f1a3b5c7",
            "Pilot: 3a9e5c1d-7b2f-4e8a-b6c4",
        )
        .replace("Sensitive: c3", "Sensitive: {id: x3}");
    // The tenant file names no break-glass accounts: opt out, so the
    // invalid ids are the only errors this test looks at.
    let d = dir(&[
        ("p.yaml", POLICY),
        ("tenant.yaml", &tenant),
        (".caac.yaml", OPT_OUT),
    ]);
    let (code, diags, stderr) = run(
        d.path(),
        &["build", "p.yaml", "--tenant", "tenant.yaml", "--out", "out"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        errors(&diags),
        vec![
            &(
                "error[invalid-tenant-id]".to_owned(),
                "tenant.yaml:3:10".to_owned()
            ),
            &(
                "error[invalid-tenant-id]".to_owned(),
                "tenant.yaml:13:19".to_owned()
            ),
        ],
        "{stderr}"
    );
    assert!(
        stderr.contains("`Pilot` maps to `3a9e5c1d-7b2f-4e8a-b6c4`, which is not a group id"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: write the group id from Entra"),
        "{stderr}"
    );
    assert!(stderr.contains("`c1` … `c99`"), "{stderr}");
    assert!(!d.path().join("out").exists(), "nothing is written");
}

/// Where `needle` first occurs in `text`, as `p.yaml:line:column`.
fn pos(text: &str, needle: &str) -> String {
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = line.find(needle) {
            return format!("p.yaml:{}:{}", i + 1, c + 1);
        }
    }
    panic!("`{needle}` does not occur");
}

/// Each case: the policy with one reference broken (`from` → `to`); the
/// broken value must carry exactly one diagnostic.
fn typo_cases() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("group name (CA902)", "Pilot", "Pilto"),
        (
            "group malformed id (CA902)",
            "Emergency Access",
            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        ),
        ("user name (CA903)", "alice@contoso.com", "alice@contoso.co"),
        (
            "user malformed id (CA903)",
            "alice@contoso.com",
            "0e1f2a3b-0000-4000-8000-00000000000z",
        ),
        (
            "role name (CA904)",
            "Global Administrator",
            "Global Administrater",
        ),
        (
            "role malformed id (CA904)",
            "Global Administrator",
            "62e90394-69f5-4237-9190-01217714zz10",
        ),
        ("named location (CA901)", "[HQ]", "[HQ Office]"),
        (
            "authentication strength (CA906)",
            "Contoso Passkeys",
            "Contoso Paskeys",
        ),
        ("terms of use (CA906)", "Contoso Terms", "Contoso Term"),
        (
            "authentication context (CA906)",
            "[Sensitive]",
            "[Sensitiv]",
        ),
    ]
}

#[test]
fn one_typo_is_one_diagnostic() {
    let mut failures = Vec::new();
    for (name, from, to) in typo_cases() {
        assert!(POLICY.contains(from), "{from}");
        let policy = POLICY.replacen(from, to, 1);
        let at = pos(&policy, to.trim_start_matches('['));
        let d = dir(&[("p.yaml", &policy), ("tenant.yaml", TENANT)]);
        let (code, diags, stderr) = run(
            d.path(),
            &["lint", "--partial", "p.yaml", "--tenant", "tenant.yaml"],
        );
        let here: Vec<_> = diags.iter().filter(|(_, a)| *a == at).collect();
        if code != 2 || here.len() != 1 || !here[0].0.starts_with("error[") {
            failures.push(format!("[{name}] exit {code}, at {at}: {here:?}\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_invalid_tenant_id_is_not_reported_again_in_the_policy() {
    let tenant = TENANT.replace(
        "Pilot: 3a9e5c1d-7b2f-4e8a-b6c4-d2e0f1a3b5c7",
        "Pilot: not-a-guid",
    );
    let d = dir(&[("p.yaml", POLICY), ("tenant.yaml", &tenant)]);
    let (code, diags, stderr) = run(
        d.path(),
        &["lint", "--partial", "p.yaml", "--tenant", "tenant.yaml"],
    );
    assert_eq!(code, 2, "{stderr}");
    let in_policy: Vec<_> = errors(&diags)
        .into_iter()
        .filter(|(_, a)| a.starts_with("p.yaml"))
        .collect();
    assert!(in_policy.is_empty(), "{stderr}");
}

#[test]
fn one_malformed_id_in_an_export_is_one_diagnostic() {
    let export = r#"{"displayName": "P", "state": "disabled",
 "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": ["xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"]},
  "applications": {"includeApplications": ["All"]}},
 "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
"#;
    let d = dir(&[("p.json", export), ("tenant.yaml", TENANT)]);
    let (_, diags, stderr) = run(
        d.path(),
        &["lint", "--partial", "p.json", "--tenant", "tenant.yaml"],
    );
    let here: Vec<_> = diags.iter().filter(|(_, a)| a == "p.json:2:70").collect();
    assert_eq!(here.len(), 1, "{stderr}");
    assert_eq!(here[0].0, "error[malformed-guid]", "{stderr}");
}

/// An export with one modelled key misspelt (`includeUser`, line 2) and one
/// property Graph defines that caac does not model (`conditions.agents`, line
/// 4; beta metadata of conditionalAccessConditionSet,
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset?view=graph-rest-beta>).
const NEAR_MISS: &str = r#"{"displayName": "P", "state": "disabled",
 "conditions": {"users": {"includeUsers": ["All"], "IncludeUser": ["x"]},
  "applications": {"includeApplications": ["All"]},
  "agents": {"x": ["y"]}},
 "sessionControls": {"signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime", "valeu": 4}},
 "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
"#;

#[test]
fn near_misses_of_modelled_keys_are_errors_with_did_you_mean() {
    let d = dir(&[("p.json", NEAR_MISS)]);
    for args in [
        &["lint", "--partial", "p.json"][..],
        &["build", "p.json", "--out", "out"][..],
    ] {
        let (code, diags, out) = run(d.path(), args);
        assert_eq!(code, 2, "{out}");
        let at = |pos: &str| -> Vec<&String> {
            diags
                .iter()
                .filter(|(_, a)| a == pos)
                .map(|(h, _)| h)
                .collect()
        };
        assert_eq!(at("p.json:2:52"), vec!["error[unknown-field]"], "{out}");
        assert!(out.contains("help: did you mean `includeUsers`?"), "{out}");
        assert_eq!(at("p.json:5:95"), vec!["error[unknown-field]"], "{out}");
        assert!(out.contains("help: did you mean `value`?"), "{out}");
        // A property Graph has stays pass-through, with one warning.
        assert_eq!(at("p.json:4:3"), vec!["warning[not-modelled]"], "{out}");
    }
    assert!(!d.path().join("out").exists());
    // Import does not write a spec that would lose the misspelt value.
    let (code, _, out) = run(d.path(), &["import", "p.json", "--out", "specs"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("imported 0 of 1 policy"), "{out}");
}

/// `caac lint` shows the pass-through findings `caac build` shows: same
/// message, same position, once.
#[test]
fn pass_through_warnings_are_the_same_in_lint_and_build() {
    let spec = "\
displayName: P2
state: reportOnly
users:
  include: { users: [All] }
applications: { include: [All] }
grant: { builtInControls: [mfa] }
passthrough:
  conditions:
    agents: { x: [y] }
";
    let export = NEAR_MISS
        .replace(r#", "IncludeUser": ["x"]"#, "")
        .replace(r#", "valeu": 4"#, "");
    let d = dir(&[
        ("s.yaml", spec),
        ("p.json", &export),
        (".caac.yaml", OPT_OUT),
    ]);
    for (file, pos, header) in [
        ("s.yaml", "s.yaml:9:5", "warning[passthrough]"),
        ("p.json", "p.json:4:3", "warning[not-modelled]"),
    ] {
        let (_, lint, lint_out) = run(d.path(), &["lint", "--partial", file]);
        let (code, build, build_out) = run(d.path(), &["build", file, "--out", "out"]);
        assert_eq!(code, 0, "{build_out}");
        let here = |diags: &[(String, String)]| -> Vec<String> {
            diags
                .iter()
                .filter(|(_, a)| a == pos)
                .map(|(h, _)| h.clone())
                .collect()
        };
        assert_eq!(here(&lint), vec![header.to_owned()], "{lint_out}");
        assert_eq!(here(&build), vec![header.to_owned()], "{build_out}");
        let message = |out: &str| -> String {
            out.lines()
                .find(|l| l.starts_with(header))
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(message(&lint_out), message(&build_out));
        std::fs::remove_dir_all(d.path().join("out")).unwrap();
    }
}

/// A tenant file that did not load hides the names it would have resolved,
/// but not a misspelt *built-in* name (a first-party application, a built-in
/// authentication strength, the `AllTrusted` location keyword of
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccesslocations>;
/// `src/catalog.rs` cites each entry's Learn source):
/// no tenant file would resolve those, so each is reported once, with a note
/// that the tenant file's names were not checked. Nothing is built.
#[test]
fn a_misspelt_builtin_name_is_reported_when_the_tenant_file_did_not_load() {
    let policy = POLICY
        .replace(
            "applications: { authenticationContexts: [Sensitive] }",
            "applications: { include: [Office 365 Exchange Onlin] }",
        )
        .replace("exclude: [HQ]", "exclude: [HQ, AllTrustd]")
        .replace(
            "authenticationStrength: Contoso Passkeys",
            "authenticationStrength: Phishing-resistant MFAA",
        );
    let typos = [
        (
            pos(&policy, "Office 365 Exchange Onlin"),
            "Office 365 Exchange Online",
        ),
        (pos(&policy, "AllTrustd"), "AllTrusted"),
        (
            pos(&policy, "Phishing-resistant MFAA"),
            "Phishing-resistant MFA",
        ),
    ];
    let d = dir(&[("p.yaml", &policy), ("t.yaml", "groups: [\n")]);
    let lint: &[&str] = &["lint", "--partial", "p.yaml", "--tenant", "t.yaml"];
    let build: &[&str] = &["build", "p.yaml", "--tenant", "t.yaml", "--out", "out"];
    for args in [lint, build] {
        let cmd = args[0];
        let (code, diags, out) = run(d.path(), args);
        assert_eq!(code, 2, "{cmd}: {out}");
        let errs = errors(&diags);
        // The tenant file's error, then one per built-in typo; the names the
        // tenant file would have resolved (Pilot, HQ, alice, …) stay silent.
        assert_eq!(errs.len(), 1 + typos.len(), "{cmd}: {out}");
        assert!(errs[0].1.starts_with("t.yaml:"), "{cmd}: {out}");
        for (at, suggestion) in &typos {
            let here: Vec<_> = diags.iter().filter(|(_, a)| a == at).collect();
            assert_eq!(
                here,
                vec![&("error[unknown-name]".to_owned(), at.clone())],
                "{cmd}: {out}"
            );
            assert!(
                out.contains(&format!("did you mean `{suggestion}`?")),
                "{cmd}: {out}"
            );
        }
        assert!(
            out.contains("the tenant file did not load — see its error — so names from its `applications:` section were not checked"),
            "{cmd}: {out}"
        );
        assert!(
            !out.contains("resolve through a tenant file"),
            "{cmd}: {out}"
        );
    }
    assert!(!d.path().join("out").exists(), "nothing is built");
}

/// A did-you-mean given while the tenant file failed to load still sits at
/// the policy's field (file:line:col) and never suggests a value a rule
/// forbids there: in a Token Protection policy, `Office 365` is not steered
/// to the `Office365` app group, which Microsoft says not to select
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>;
/// CA402) but to the Exchange and SharePoint apps — as when the tenant file
/// loads.
#[test]
fn a_did_you_mean_without_the_tenant_file_is_placed_and_allowed_there() {
    let tp = "\
displayName: TP
users:
  include: { groups: [Pilot] }
applications: { include: [Office 365] }
platforms: { include: [windows] }
clientAppTypes: [mobileAppsAndDesktopClients]
session: { tokenProtection: true }
";
    let at = pos(tp, "Office 365");
    let allowed = "did you mean `Office 365 Exchange Online` and `Office 365 SharePoint Online`? \
                   a Token Protection policy lists its resources one by one, never the `Office365` app group (CA402)";
    for (tenant, loads) in [("groups: [\n", false), (TENANT, true)] {
        let d = dir(&[("p.yaml", tp), ("t.yaml", tenant)]);
        for args in [
            &["lint", "--partial", "p.yaml", "--tenant", "t.yaml"][..],
            &["build", "p.yaml", "--tenant", "t.yaml", "--out", "out"][..],
        ] {
            let cmd = args[0];
            let (code, diags, out) = run(d.path(), args);
            assert_eq!(code, 2, "{cmd}: {out}");
            let here: Vec<_> = diags.iter().filter(|(_, a)| *a == at).collect();
            assert!(
                here.contains(&&("error[unknown-name]".to_owned(), at.clone())),
                "{cmd}, tenant loads: {loads}: the unknown name is at {at}: {out}"
            );
            assert!(out.contains(allowed), "{cmd}, tenant loads: {loads}: {out}");
            assert!(
                !out.contains("did you mean `Office365`"),
                "{cmd}, tenant loads: {loads}: suggests the forbidden app group: {out}"
            );
        }
    }
}

/// A tenant file whose break-glass group and deploying service principal
/// hold invalid ids (object ids are GUIDs: "Group IDs in scope of policy",
/// <https://learn.microsoft.com/graph/api/resources/conditionalaccessusers>).
const BAD_IDS: &str = "\
groups:
  Emergency Access: not-a-guid
servicePrincipals:
  Deployer: bad-id
";

/// A minimal clean policy.
const PLAIN: &str = "\
displayName: P
state: reportOnly
users:
  include: { users: [All] }
applications: { include: [All] }
grant: { builtInControls: [mfa] }
";

/// An invalid tenant-file id reached through `--break-glass`, `breakGlass:`
/// or `deploy.identity` is one error, at the tenant file: not again at the
/// command line or in the config file, and no `break-glass-missing` on top.
#[test]
fn an_invalid_tenant_id_behind_break_glass_or_the_deploy_identity_is_one_error() {
    let with_break_glass = format!("{BAD_IDS}breakGlass: {{groups: [Emergency Access]}}\n");
    let d = dir(&[
        ("p.yaml", PLAIN),
        ("t.yaml", BAD_IDS),
        ("t2.yaml", &with_break_glass),
        ("c.yaml", "deploy:\n  identity: Deployer\n"),
    ]);
    let cases: [(&[&str], &[&str]); 3] = [
        (
            &[
                "lint",
                "--partial",
                "p.yaml",
                "--tenant",
                "t.yaml",
                "--break-glass",
                "Emergency Access",
                "--config",
                "c.yaml",
            ],
            &["t.yaml:2:21", "t.yaml:4:13"],
        ),
        (
            &["lint", "--partial", "p.yaml", "--tenant", "t2.yaml"],
            &["t2.yaml:2:21", "t2.yaml:4:13"],
        ),
        (
            &[
                "build", "p.yaml", "--tenant", "t2.yaml", "--config", "c.yaml", "--out", "out",
            ],
            &["t2.yaml:2:21", "t2.yaml:4:13"],
        ),
    ];
    for (args, want) in cases {
        let (code, diags, out) = run(d.path(), args);
        assert_eq!(code, 2, "{args:?}: {out}");
        let errs: Vec<&str> = errors(&diags).iter().map(|(_, a)| a.as_str()).collect();
        assert_eq!(errs, want, "{args:?}: {out}");
        assert!(
            errors(&diags)
                .iter()
                .all(|(h, _)| h == "error[invalid-tenant-id]"),
            "{args:?}: {out}"
        );
        assert!(!out.contains("break-glass-missing"), "{args:?}: {out}");
    }
    assert!(!d.path().join("out").exists(), "nothing is built");
}

/// The CA101 "skipped" note names the root cause that is reported — the
/// tenant file that did not load, or its invalid break-glass ids — instead
/// of asking for a `breakGlass:` the file may well have, or pointing at a
/// `break-glass-missing` error that is (rightly) not raised.
#[test]
fn break_glass_skipped_notes_point_at_the_tenant_file_error() {
    let with_break_glass = format!("{BAD_IDS}breakGlass: {{groups: [Emergency Access]}}\n");
    let d = dir(&[
        ("p.yaml", PLAIN),
        (
            "t.yaml",
            "groups: [\nbreakGlass: {groups: [Emergency Access]}\n",
        ),
        ("t2.yaml", &with_break_glass),
    ]);
    for (tenant, why) in [
        (
            "missing.yaml",
            "note: CA101 skipped: the tenant file did not load, so its break-glass accounts are unknown (its error is reported above)",
        ),
        (
            "t.yaml",
            "note: CA101 skipped: the tenant file did not load, so its break-glass accounts are unknown (its error is reported above)",
        ),
        (
            "t2.yaml",
            "note: CA101 skipped: the break-glass accounts did not resolve: their ids in the tenant file are invalid (see the invalid-tenant-id error)",
        ),
    ] {
        let (code, _, out) = run(
            d.path(),
            &["lint", "--partial", "p.yaml", "--tenant", tenant],
        );
        assert_eq!(code, 2, "{tenant}: {out}");
        assert!(out.contains(why), "{tenant}: {out}");
        assert!(!out.contains("add `breakGlass:`"), "{tenant}: {out}");
        assert!(
            !out.contains("see the break-glass-missing error"),
            "{tenant}: {out}"
        );
    }
}
