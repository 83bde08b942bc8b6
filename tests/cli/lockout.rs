//! The lockout gate end to end: a copy of the starter set passes; removing
//! the break-glass exclusion from one policy makes `caac lint` exit 1 and
//! `caac build` refuse (exit 1, nothing written) with the counter-example
//! sign-in and a whatif request that reproduces it; a break-glass user
//! excluded by name but not through the group is still caught; the apply
//! identity from `.caac.yaml` is gated too.

use crate::common::{caac, root, text};
use std::path::Path;

/// A temp copy of `policies/` and `tenant.yaml`.
fn starter() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("policies")).unwrap();
    for e in std::fs::read_dir(root().join("policies")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), tmp.path().join("policies").join(e.file_name())).unwrap();
    }
    std::fs::copy(root().join("tenant.yaml"), tmp.path().join("tenant.yaml")).unwrap();
    tmp
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join("policies").join(file);
    let s = std::fs::read_to_string(&p).unwrap();
    assert!(s.contains(from), "{file} holds {from:?}");
    std::fs::write(&p, s.replacen(from, to, 1)).unwrap();
}

fn write(dir: &Path, file: &str, body: &str) {
    std::fs::write(dir.join(file), body).unwrap();
}

/// Only the `lockout` diagnostics (and their notes) of a human report.
fn lockouts(report: &str) -> String {
    report
        .split("\n\n")
        .filter(|block| block.contains("error[lockout]"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The request JSON in a lockout diagnostic's help.
fn request_of(report: &str) -> serde_json::Value {
    let line = report
        .lines()
        .find(|l| l.contains("FILE holds: "))
        .expect("a reproducible request");
    serde_json::from_str(line.split_once("FILE holds: ").unwrap().1).unwrap()
}

#[test]
fn the_starter_set_passes_the_gate() {
    let tmp = starter();
    let out = caac(tmp.path(), &["lint", "--format", "json"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stdout.contains("\"lockout\""), "{stdout}");
}

#[test]
fn removing_the_exclusion_from_one_policy_fails_lint_and_build() {
    let tmp = starter();
    edit(
        tmp.path(),
        "CA003-AllUsers-MFA.yaml",
        "    groups: [Emergency Access]\n",
        "",
    );
    // CA003 requires MFA only: satisfiable, so no lockout there.
    let out = caac(tmp.path(), &["lint"]);
    let (stdout, _) = text(&out);
    assert!(!stdout.contains("error[lockout]"), "{stdout}");

    edit(
        tmp.path(),
        "CA001-BlockLegacyAuthentication.yaml",
        "  exclude: { groups: [Emergency Access] }\n",
        "",
    );
    let out = caac(tmp.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "findings: {stdout}{stderr}");
    insta::assert_snapshot!("lint_ca001_without_exclusion", lockouts(&stdout));

    // The request in the help reproduces the block with `caac whatif`.
    let req = tmp.path().join("request.json");
    std::fs::write(&req, request_of(&stdout).to_string()).unwrap();
    let out = caac(
        tmp.path(),
        &[
            "whatif",
            "--policies",
            "policies/CA001-BlockLegacyAuthentication.yaml",
            "--request",
            req.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["value"][0]["policyApplies"], true, "{stdout}");

    let out = caac(tmp.path(), &["build", "--out", "out"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "build refuses: {stderr}");
    assert!(stderr.contains("error[lockout]"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!tmp.path().join("out").exists());

    // JSON output carries the same finding at the same place.
    let out = caac(tmp.path(), &["lint", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    let hit = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "lockout")
        .unwrap();
    assert_eq!(hit["file"], "policies/CA001-BlockLegacyAuthentication.yaml");
    assert_eq!(hit["line"], 6);
    assert_eq!(hit["pointer"], "/users/include");

    // SARIF (code scanning) too: the result sits on the same line.
    let out = caac(tmp.path(), &["lint", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    let hit = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "lockout")
        .unwrap();
    assert_eq!(hit["level"], "error");
    assert_eq!(
        hit["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
}

#[test]
fn a_break_glass_user_excluded_by_name_only_is_caught_through_the_group() {
    let tmp = starter();
    write(
        tmp.path(),
        "policies/CA900-BlockUnknownPlatforms.yaml",
        "displayName: CA900-BlockUnknownPlatforms\nstate: enabled\nusers:\n  include: { users: [All] }\n  exclude: { users: [breakglass1@contoso.com] }\napplications:\n  include: [All]\nplatforms:\n  include: [all]\n  exclude: [android, iOS, windows, macOS, linux]\ngrant:\n  builtInControls: [block]\n",
    );
    let out = caac(tmp.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    insta::assert_snapshot!("lint_user_excluded_not_group", lockouts(&stdout));

    // Excluding the group instead passes.
    edit(
        tmp.path(),
        "CA900-BlockUnknownPlatforms.yaml",
        "exclude: { users: [breakglass1@contoso.com] }",
        "exclude: { groups: [Emergency Access] }",
    );
    let out = caac(tmp.path(), &["lint"]);
    let (stdout, _) = text(&out);
    assert!(!stdout.contains("error[lockout]"), "{stdout}");
}

#[test]
fn a_block_for_all_users_excluding_emergency_access_passes() {
    let tmp = starter();
    write(
        tmp.path(),
        "policies/CA901-BlockEverything.yaml",
        "displayName: CA901-BlockEverything\nstate: enabled\nusers:\n  include: { users: [All] }\n  exclude: { groups: [Emergency Access] }\napplications:\n  include: [All]\ngrant:\n  builtInControls: [block]\n",
    );
    let out = caac(tmp.path(), &["lint", "--format", "json"]);
    let (stdout, stderr) = text(&out);
    assert!(!stdout.contains("\"lockout\""), "{stdout}{stderr}");
}

#[test]
fn a_device_control_for_global_administrators_is_caught() {
    // The synthetic break-glass member holds Global Administrator: a policy
    // for that role that demands a compliant device locks it out.
    let tmp = starter();
    write(
        tmp.path(),
        "policies/CA902-Admins-CompliantDevice.yaml",
        "displayName: CA902-Admins-CompliantDevice\nstate: enabled\nusers:\n  include: { roles: [Global Administrator] }\napplications:\n  include: [All]\ngrant:\n  builtInControls: [compliantDevice]\n",
    );
    let out = caac(tmp.path(), &["lint"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let found = lockouts(&stdout);
    assert!(
        found.contains("requires compliantDevice")
            && found
                .contains("a member of break-glass group Emergency Access (Global Administrator)"),
        "{found}"
    );
}

#[test]
fn without_break_glass_accounts_lint_build_plan_and_apply_refuse() {
    let tmp = starter();
    let d = tmp.path();
    write(
        d,
        "tenant.yaml",
        &format!(
            "{}servicePrincipals:\n  caac-deploy: 0e1f2a3b-0000-4000-8000-00000000de91\n",
            std::fs::read_to_string(d.join("tenant.yaml"))
                .unwrap()
                .replace("breakGlass:\n  groups: [Emergency Access]\n", "")
                // Real-looking ids: plan and apply refuse placeholder ids first.
                .replace("00000000-0000-4000-8000-", "0e1f2a3b-0000-4000-8000-")
        ),
    );
    // A deploy identity alone does not count as break-glass known.
    write(d, ".caac.yaml", "deploy:\n  identity: caac-deploy\n");
    std::fs::create_dir(d.join("state")).unwrap();
    write(d, "state/policies.json", "{\"value\": []}");
    let refuses = |args: &[&str]| {
        let out = caac(d, args);
        let (stdout, stderr) = text(&out);
        let all = format!("{stdout}{stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
        assert_eq!(
            all.matches("error[break-glass-missing]").count(),
            1,
            "{args:?}: one message: {all}"
        );
        assert!(
            all.contains("no break-glass (emergency access) accounts known (`breakGlass:` in tenant.yaml, or --break-glass)")
                && all.contains("breakGlass: {groups: [Emergency Access]}")
                && all.contains("--break-glass ID_OR_NAME")
                && all.contains("breakGlassOptOut"),
            "{args:?}: says how to name them: {all}"
        );
        all
    };
    let lint = refuses(&["lint"]);
    assert!(
        !lint.contains("no break-glass accounts known (add"),
        "the skipped note points at the error instead of repeating it: {lint}"
    );
    refuses(&["build", "--out", "out"]);
    assert!(!d.join("out").exists());
    refuses(&["plan", "--state", "state"]);
    refuses(&["apply", "--dry-run", "--state", "state"]);

    // An explicit opt-out with a reason runs, and says so on every run.
    write(
        d,
        ".caac.yaml",
        "deploy:\n  identity: caac-deploy\nbreakGlassOptOut: \"lab tenant, no production users\"\n",
    );
    for args in [
        &["lint"][..],
        &["build", "--out", "out"],
        &["plan", "--state", "state"],
        &["apply", "--dry-run", "--state", "state"],
    ] {
        let out = caac(d, args);
        let (stdout, stderr) = text(&out);
        let all = format!("{stdout}{stderr}");
        let ok = if args[0] == "plan" { 1 } else { 0 }; // plan: 1 = changes
        assert_eq!(out.status.code(), Some(ok), "{args:?}: {all}");
        assert_eq!(
            all.matches("warning[break-glass-opt-out]").count(),
            1,
            "{args:?}: {all}"
        );
        assert!(
            all.contains("warning[break-glass-opt-out]: break-glass checks opted out (lab tenant, no production users)")
                && all.contains(".caac.yaml:3:19"),
            "{args:?}: {all}"
        );
    }
    // `lint --fail-level warning` (the CI gate) does not pass silently.
    let out = caac(d, &["lint", "--fail-level", "warning"]);
    assert_eq!(out.status.code(), Some(1));

    // A blank reason is refused at its position, once.
    write(d, ".caac.yaml", "breakGlassOptOut: \"  \"\n");
    let out = caac(d, &["lint"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("`breakGlassOptOut` needs a reason") && stdout.contains(".caac.yaml:1:19"),
        "{stdout}"
    );
    assert!(!stdout.contains("break-glass-missing"), "{stdout}");
}

#[test]
fn the_apply_identity_must_never_be_blocked() {
    let tmp = starter();
    write(
        tmp.path(),
        "tenant.yaml",
        &format!(
            "{}servicePrincipals:\n  caac-deploy: 00000000-0000-4000-8000-00000000de91\n",
            std::fs::read_to_string(tmp.path().join("tenant.yaml")).unwrap()
        ),
    );
    write(
        tmp.path(),
        ".caac.yaml",
        "deploy:\n  identity: caac-deploy\n",
    );
    write(
        tmp.path(),
        "policies/CA903-Workload-BlockRisky.yaml",
        "displayName: CA903-Workload-BlockRisky\nstate: enabled\nclientApplications:\n  include: [ServicePrincipalsInMyTenant]\napplications:\n  include: [All]\nservicePrincipalRiskLevels: [high]\ngrant:\n  builtInControls: [block]\n",
    );
    let out = caac(tmp.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    insta::assert_snapshot!("lint_apply_identity", lockouts(&stdout));

    // Excluding it passes.
    edit(
        tmp.path(),
        "CA903-Workload-BlockRisky.yaml",
        "include: [ServicePrincipalsInMyTenant]\n",
        "include: [ServicePrincipalsInMyTenant]\n  exclude: [caac-deploy]\n",
    );
    let out = caac(tmp.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    assert!(!stdout.contains("error[lockout]"), "{stdout}{stderr}");

    // An unknown identity is an input error at its position.
    write(tmp.path(), ".caac.yaml", "deploy:\n  identity: nobody\n");
    let out = caac(tmp.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stdout.contains(".caac.yaml:2:13"), "{stdout}");
}

/// Verdicts of CA101 and the gate per policy file, from a JSON lint report:
/// `(file, CA101 fired, lockout fired)`.
fn verdicts(dir: &Path, extra: &[&str]) -> (Vec<(String, bool, bool)>, serde_json::Value) {
    let out = caac(
        dir,
        &[&["lint", "policies", "--format", "json"], extra].concat(),
    );
    let (stdout, stderr) = text(&out);
    let v: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stdout}{stderr}"));
    let ds = v["diagnostics"].as_array().unwrap();
    let mut files: Vec<String> = std::fs::read_dir(dir.join("policies"))
        .unwrap()
        .map(|e| format!("policies/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    let fired = |f: &str, rule: &str| ds.iter().any(|d| d["file"] == f && d["rule"] == rule);
    (
        files
            .iter()
            .map(|f| (f.clone(), fired(f, "CA101"), fired(f, "lockout")))
            .collect(),
        v,
    )
}

#[test]
fn ca101_and_the_gate_agree_for_user_group_and_unknown_ids() {
    const USER: &str = "0e1f2a3b-0000-4000-8000-0000000000b1";
    const GROUP: &str = "0e1f2a3b-0000-4000-8000-0000000000e1";
    const UNKNOWN: &str = "0e1f2a3b-0000-4000-8000-0000000000f1";
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "tenant.yaml",
        &format!("users:\n  bg1@contoso.com: {USER}\ngroups:\n  Emergency Access: {GROUP}\n"),
    );
    std::fs::create_dir(d.join("policies")).unwrap();
    // A block for everyone, excluding the id as a user, as a group, as both.
    let policy = |name: &str, exclude: &str| {
        format!(
            "displayName: {name}\nstate: enabled\nusers:\n  include: {{ users: [All] }}\n  exclude: {{ {exclude} }}\napplications:\n  include: [All]\ngrant:\n  builtInControls: [block]\n"
        )
    };
    for (id, user, group, both) in [
        // (id, verdict excluding it as a user, as a group, as both); true = fires
        (USER, false, true, false),
        (GROUP, true, false, false),
        (UNKNOWN, true, true, false),
    ] {
        for (file, exclude) in [
            ("a-user.yaml", format!("users: [{id}]")),
            ("b-group.yaml", format!("groups: [{id}]")),
            ("c-both.yaml", format!("users: [{id}], groups: [{id}]")),
        ] {
            write(d, &format!("policies/{file}"), &policy(file, &exclude));
        }
        let (found, report) = verdicts(d, &["--break-glass", id]);
        for ((file, ca101, lockout), want) in found.iter().zip([user, group, both]) {
            assert_eq!(
                (*ca101, *lockout),
                (want, want),
                "{id} {file}: CA101 and the gate must agree, and fire = {want}: {report:#}"
            );
        }
        // The unknown id, and only it, is warned about once.
        let kind_warnings = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "break-glass-kind")
            .count();
        assert_eq!(
            kind_warnings,
            usize::from(id == UNKNOWN),
            "{id}: {report:#}"
        );
    }
}

#[test]
fn break_glass_entries_in_the_tenant_file_are_checked_as_what_they_are() {
    const USER: &str = "0e1f2a3b-0000-4000-8000-0000000000b1";
    const GROUP: &str = "0e1f2a3b-0000-4000-8000-0000000000e1";
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // The group's id written under breakGlass.users: checked as a group, with a warning.
    write(
        d,
        "tenant.yaml",
        &format!(
            "breakGlass:\n  users: [{GROUP}]\nusers:\n  bg1@contoso.com: {USER}\ngroups:\n  Emergency Access: {GROUP}\n"
        ),
    );
    std::fs::create_dir(d.join("policies")).unwrap();
    write(
        d,
        "policies/p.yaml",
        "displayName: P\nstate: enabled\nusers:\n  include: { users: [All] }\n  exclude: { groups: [Emergency Access] }\napplications:\n  include: [All]\ngrant:\n  builtInControls: [block]\n",
    );
    let (found, report) = verdicts(d, &[]);
    assert_eq!(
        found,
        [("policies/p.yaml".into(), false, false)],
        "{report:#}"
    );
    let warning = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "break-glass-kind")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(warning["file"], "tenant.yaml");
    assert_eq!(warning["line"], 2);
    assert!(
        warning["help"]
            .as_str()
            .unwrap()
            .contains("move it to `breakGlass.groups`"),
        "{warning}"
    );
}

#[test]
fn placeholder_ids_build_with_a_warning_and_never_reach_a_tenant() {
    let tmp = starter();
    let d = tmp.path();
    std::fs::create_dir(d.join("state")).unwrap();
    write(d, "state/policies.json", "{\"value\": []}");
    // lint judges the policies, not whether the ids are real: the CI gate
    // (`lint --fail-level warning` over the starter set) stays green.
    let out = caac(d, &["lint", "--fail-level", "warning"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("placeholder-id"), "{stdout}");
    // build writes the bodies and says the ids are placeholders.
    let out = caac(d, &["build", "--out", "out"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("warning[placeholder-id]").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("the tenant file holds placeholder object ids (the reserved range 00000000-0000-4000-8000-…) for `breakglass1@contoso.com`, `pilot.user@contoso.com`, `Emergency Access`, `Token Protection Pilot`")
            && stderr.contains("--> tenant.yaml:"),
        "{stderr}"
    );
    assert!(d.join("out/manifest.json").is_file());
    // plan and apply refuse, saying to put the real ids in.
    for args in [
        &["plan", "--state", "state"][..],
        &["apply", "--dry-run", "--state", "state"],
    ] {
        let out = caac(d, args);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("error[placeholder-id]")
                && stderr.contains("must never reach a tenant")
                && stderr.contains("put the tenant's real object ids in"),
            "{args:?}: {stderr}"
        );
        assert!(
            !stdout.contains("POST"),
            "{args:?}: nothing planned: {stdout}"
        );
    }
    // A placeholder GUID written straight into a spec is caught at its position.
    let real = std::fs::read_to_string(d.join("tenant.yaml"))
        .unwrap()
        .replace("00000000-0000-4000-8000-", "0e1f2a3b-0000-4000-8000-");
    write(d, "tenant.yaml", &real);
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        "    groups: [Emergency Access]\n",
        "    groups: [Emergency Access, 00000000-0000-4000-8000-0000000000aa]\n",
    );
    let out = caac(d, &["plan", "--state", "state"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`00000000-0000-4000-8000-0000000000aa` is a placeholder object id")
            && stderr.contains("--> policies/CA003-AllUsers-MFA.yaml:"),
        "{stderr}"
    );
    // With real ids, plan runs.
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        ", 00000000-0000-4000-8000-0000000000aa]",
        "]",
    );
    let out = caac(d, &["plan", "--state", "state"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "changes: {stdout}{stderr}");
    assert!(!stderr.contains("placeholder"), "{stderr}");
}

/// The starter set with real-looking ids (so `plan` and `apply` run) and an
/// empty pulled state.
fn deployable() -> tempfile::TempDir {
    let tmp = starter();
    let d = tmp.path();
    let real = std::fs::read_to_string(d.join("tenant.yaml"))
        .unwrap()
        .replace("00000000-0000-4000-8000-", "0e1f2a3b-0000-4000-8000-");
    write(d, "tenant.yaml", &real);
    std::fs::create_dir(d.join("state")).unwrap();
    write(d, "state/policies.json", "{\"value\": []}");
    tmp
}

const PLAN: &[&str] = &["plan", "--state", "state"];
const APPLY: &[&str] = &["apply", "--dry-run", "--state", "state"];

/// Runs plan or apply, expects the refusal (exit 2, nothing planned) and
/// returns stderr.
fn refused(d: &Path, args: &[&str]) -> String {
    let out = caac(d, args);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
    assert!(
        !stdout.contains("POST"),
        "{args:?}: nothing planned: {stdout}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn placeholder_break_glass_ids_and_deploy_identity_make_plan_and_apply_refuse() {
    // The break-glass ids and the apply identity are what the lockout gate
    // proves safe; a made-up one proves nothing about the real tenant.
    let tmp = deployable();
    let d = tmp.path();
    let out = caac(d, PLAN);
    assert_eq!(
        out.status.code(),
        Some(1),
        "real ids: plan runs: {:?}",
        text(&out)
    );

    // Only on the command line.
    let bg = ["--break-glass", "00000000-0000-4000-8000-0000000000bb"];
    for args in [PLAN, APPLY] {
        let stderr = refused(d, &[args, &bg[..]].concat());
        assert_eq!(
            stderr.matches("error[placeholder-id]").count(),
            1,
            "{args:?}: one message: {stderr}"
        );
        assert!(
            stderr.contains("error[placeholder-id]: --break-glass `00000000-0000-4000-8000-0000000000bb` is a placeholder object id (the reserved range 00000000-0000-4000-8000-…): they are made up and must never reach a tenant")
                && stderr.contains("put the tenant's real object ids in"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.ends_with(
                "error: placeholder object ids must be replaced with the tenant's real ids; nothing was planned\n"
            ),
            "{args:?}: {stderr}"
        );
        // No policy excludes the made-up id: that is the same root cause,
        // not one lockout and one CA101 error per policy.
        assert!(
            !stderr.contains("error[lockout]") && !stderr.contains("error[CA101"),
            "{args:?}: {stderr}"
        );
    }
    // build warns, as for the tenant file's placeholders (here it also
    // refuses: no policy excludes that id, which the gate reports).
    let out = caac(d, &[&["build", "--out", "out"][..], &bg[..]].concat());
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains(
            "warning[placeholder-id]: --break-glass `00000000-0000-4000-8000-0000000000bb`"
        ),
        "{stderr}"
    );

    // Only as `deploy.identity` in .caac.yaml, at its value.
    write(
        d,
        ".caac.yaml",
        "deploy:\n  identity: 00000000-0000-4000-8000-0000000000cc\n",
    );
    for args in [PLAN, APPLY] {
        let stderr = refused(d, args);
        assert_eq!(
            stderr.matches("error[placeholder-id]").count(),
            1,
            "{stderr}"
        );
        assert!(
            stderr.contains("error[placeholder-id]: `deploy.identity: 00000000-0000-4000-8000-0000000000cc` is a placeholder object id")
                && stderr.contains("--> .caac.yaml:2:13"),
            "{args:?}: {stderr}"
        );
    }
    std::fs::remove_file(d.join(".caac.yaml")).unwrap();

    // A raw GUID under the tenant file's `breakGlass:` that no table lists.
    let t = std::fs::read_to_string(d.join("tenant.yaml")).unwrap();
    write(
        d,
        "tenant.yaml",
        &t.replace(
            "  groups: [Emergency Access]\n",
            "  groups: [Emergency Access, 00000000-0000-4000-8000-0000000000dd]\n",
        ),
    );
    for args in [PLAN, APPLY] {
        let stderr = refused(d, args);
        assert!(
            stderr.contains("error[placeholder-id]: the tenant file holds placeholder object ids (the reserved range 00000000-0000-4000-8000-…) for `00000000-0000-4000-8000-0000000000dd`")
                && stderr.contains("--> tenant.yaml:8:"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn plan_and_apply_name_the_root_cause_not_a_compile_failure() {
    let tmp = deployable();
    let d = tmp.path();
    let t = std::fs::read_to_string(d.join("tenant.yaml")).unwrap();
    write(
        d,
        "tenant.yaml",
        &t.replace("breakGlass:\n  groups: [Emergency Access]\n", ""),
    );
    // No break-glass accounts: the policies compile; that is not the problem.
    for args in [PLAN, APPLY] {
        let stderr = refused(d, args);
        assert_eq!(
            stderr.matches("error[break-glass-missing]").count(),
            1,
            "{stderr}"
        );
        assert!(!stderr.contains("do not compile"), "{args:?}: {stderr}");
        assert!(
            stderr.ends_with(
                "error: no break-glass accounts are known, so the lockout gate cannot prove they keep access; nothing was planned\n"
            ),
            "{args:?}: {stderr}"
        );
    }
    // Two root causes, two names: a spec that does not resolve is one.
    edit(
        d,
        "CA003-AllUsers-MFA.yaml",
        "    groups: [Emergency Access]\n",
        "    groups: [Emergency Access, No Such Group]\n",
    );
    for args in [PLAN, APPLY] {
        let stderr = refused(d, args);
        assert!(
            stderr.ends_with(
                "error: no break-glass accounts are known, so the lockout gate cannot prove they keep access; the policies do not compile; nothing was planned\n"
            ),
            "{args:?}: {stderr}"
        );
    }
    // With break glass known again, only the policies are wrong.
    write(d, "tenant.yaml", &t);
    let stderr = refused(d, PLAN);
    assert!(!stderr.contains("break-glass"), "{stderr}");
    assert!(
        stderr.ends_with("error: the policies do not compile; nothing was planned\n"),
        "{stderr}"
    );
}
