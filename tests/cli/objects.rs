//! Named location and authentication strength specs (`locations/`,
//! `strengths/`): loading, Graph validity (one failing and one passing
//! fixture per constraint, rendered findings snapshotted), resolution
//! precedence (spec, then tenant.yaml, else fail closed) and what-if from an
//! office IP in a trusted location.
//!
//! Sources: <https://learn.microsoft.com/graph/api/resources/ipnamedlocation>,
//! <https://learn.microsoft.com/graph/api/resources/countrynamedlocation>,
//! <https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>,
//! <https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network>.

use crate::common::{caac, text};
use caac::check::{self, Options};
use caac::render::{self, FileReport};
use caac::validity::OBJECT_CONSTRAINTS;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/fixtures/objects";

/// The checker's findings of `id` for a fixture directory (library level).
fn findings(path: &Path, id: &str) -> Vec<FileReport> {
    let paths = [path.to_path_buf()];
    let opts = Options {
        paths: &paths,
        tenant: Some(PathBuf::from("tests/fixtures/rules/tenant.yaml")),
        break_glass: &[],
        config: None,
        partial: false,
    };
    let checked = check::check(&opts).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reports = checked.into_reports();
    for r in &mut reports {
        r.diagnostics.retain(|d| d.code == id);
        r.sort();
    }
    reports.retain(|r| !r.diagnostics.is_empty());
    reports
}

#[test]
fn every_object_constraint_has_fixtures_that_fail_and_pass() {
    for c in OBJECT_CONSTRAINTS {
        let dir = PathBuf::from(DIR).join(c.id);
        let bad = findings(&dir.join("fail"), c.id);
        assert!(!bad.is_empty(), "{}: fail/ does not raise it", c.id);
        for d in bad.iter().flat_map(|r| &r.diagnostics) {
            assert_eq!(d.severity, caac::diag::Severity::Error, "{}", c.id);
            assert!(!check::is_finding(d), "{}: Graph-invalid is input", c.id);
        }
        insta::assert_snapshot!(format!("objects_{}", c.id), render::human(&bad, false));
        let good = findings(&dir.join("pass"), c.id);
        assert!(
            good.is_empty(),
            "{}: pass/ raises it:\n{}",
            c.id,
            render::human(&good, false)
        );
    }
}

/// A project directory: tenant.yaml with a break-glass account, the given
/// files (relative path → text).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tenant = "breakGlass:\n  users: [breakglass@contoso.com]\nusers:\n  breakglass@contoso.com: 0e1f2a3b-0000-4000-8000-000000000001\n  alice@contoso.com:\n    id: 0a1f2a3b-1111-4000-8000-000000000002\n    memberOf: []\n";
    std::fs::write(dir.path().join("tenant.yaml"), tenant).unwrap();
    for (name, body) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    dir
}

/// MFA for everyone outside the trusted locations (excludes `AllTrusted`).
const MFA_OUTSIDE_TRUSTED: &str = "displayName: CA100-MFA-Outside-Trusted\nstate: enabled\nusers:\n  include: { users: [All] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\nlocations: { include: [All], exclude: [AllTrusted] }\ngrant: { builtInControls: [mfa] }\n";

const OFFICE: &str =
    "displayName: Office\nisTrusted: true\nipRanges: [203.0.113.0/24, \"2001:db8::/48\"]\n";

fn request(ip: &str, country: Option<&str>) -> String {
    let country = country.map_or(String::new(), |c| format!(", \"country\": \"{c}\""));
    format!(
        "{{\"signInIdentity\": {{\"@odata.type\": \"#microsoft.graph.userSignIn\", \"userId\": \"alice@contoso.com\"}},\n \"signInContext\": {{\"@odata.type\": \"#microsoft.graph.applicationContext\", \"includeApplications\": [\"00000002-0000-0ff1-ce00-000000000000\"]}},\n \"signInConditions\": {{\"devicePlatform\": \"windows\", \"clientAppType\": \"browser\", \"ipAddress\": \"{ip}\"{country}}}}}\n"
    )
}

/// `caac whatif` JSON for a request written into `dir`.
fn whatif(dir: &Path, body: &str) -> serde_json::Value {
    std::fs::write(dir.join("request.json"), body).unwrap();
    let out = caac(dir, &["whatif", "--request", "request.json", "-f", "json"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn applies(v: &serde_json::Value, name: &str) -> bool {
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["displayName"] == name)
        .unwrap_or_else(|| panic!("{name} not in {v}"))["policyApplies"]
        == true
}

// "All trusted networks and locations" covers the locations marked trusted
// (https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network):
// a sign-in from the office IP is trusted, so a policy excluding AllTrusted
// does not apply; from elsewhere it does.
#[test]
fn a_sign_in_from_the_office_ip_is_trusted() {
    let dir = project(&[
        ("policies/mfa.yaml", MFA_OUTSIDE_TRUSTED),
        ("locations/office.yaml", OFFICE),
    ]);
    let office = whatif(dir.path(), &request("203.0.113.7", Some("NL")));
    assert!(!applies(&office, "CA100-MFA-Outside-Trusted"), "{office}");
    assert_eq!(office["result"]["access"], "allow", "{office}");
    let office6 = whatif(dir.path(), &request("2001:db8:0:1::5", None));
    assert!(!applies(&office6, "CA100-MFA-Outside-Trusted"), "{office6}");
    let home = whatif(dir.path(), &request("198.51.100.9", Some("NL")));
    assert!(applies(&home, "CA100-MFA-Outside-Trusted"), "{home}");
    // The human output says where the sign-in is, and that it is trusted.
    let out = caac(dir.path(), &["whatif", "--request", "request.json"]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.ends_with("Network: 198.51.100.9 (NL) is in no named location\n"),
        "{stdout}"
    );
    std::fs::write(
        dir.path().join("request.json"),
        request("203.0.113.7", Some("NL")),
    )
    .unwrap();
    let out = caac(dir.path(), &["whatif", "--request", "request.json"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.ends_with("Network: 203.0.113.7 (NL) is in Office (trusted)\n"),
        "{stdout}"
    );
}

// An untrusted IP location counts only where it is named, never for AllTrusted.
#[test]
fn an_untrusted_ip_location_is_not_all_trusted() {
    let dir = project(&[
        ("policies/mfa.yaml", MFA_OUTSIDE_TRUSTED),
        (
            "locations/office.yaml",
            "displayName: Office\nisTrusted: false\nipRanges: [203.0.113.0/24]\n",
        ),
    ]);
    let office = whatif(dir.path(), &request("203.0.113.7", Some("NL")));
    assert!(applies(&office, "CA100-MFA-Outside-Trusted"), "{office}");
}

// A country location matches the request's country; a request with no
// country is in it only with includeUnknownCountriesAndRegions
// (https://learn.microsoft.com/graph/api/resources/countrynamedlocation).
#[test]
fn a_country_location_matches_the_country_and_unknown_per_the_spec() {
    let block = "displayName: CA200-Block-Outside-Allowed\nstate: enabled\nusers:\n  include: { users: [All] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\nlocations: { include: [All], exclude: [Allowed countries] }\ngrant: { builtInControls: [block] }\n";
    for (unknown, want_unknown_blocked) in [(false, true), (true, false)] {
        let dir = project(&[
            ("policies/block.yaml", block),
            (
                "locations/allowed.yaml",
                &format!(
                    "displayName: Allowed countries\ncountriesAndRegions: [NL, BE]\nincludeUnknownCountriesAndRegions: {unknown}\n"
                ),
            ),
        ]);
        let nl = whatif(dir.path(), &request("198.51.100.9", Some("NL")));
        assert!(!applies(&nl, "CA200-Block-Outside-Allowed"), "{nl}");
        let us = whatif(dir.path(), &request("198.51.100.9", Some("US")));
        assert!(applies(&us, "CA200-Block-Outside-Allowed"), "{us}");
        let none = whatif(dir.path(), &request("198.51.100.9", None));
        assert_eq!(
            applies(&none, "CA200-Block-Outside-Allowed"),
            want_unknown_blocked,
            "includeUnknown {unknown}: {none}"
        );
    }
}

// Resolution prefers the spec in the repository over tenant.yaml: the
// tenant file's ranges for the same name are not used.
#[test]
fn the_spec_wins_over_the_tenant_files_entry_and_keeps_its_id() {
    let dir = project(&[
        ("policies/mfa.yaml", MFA_OUTSIDE_TRUSTED),
        ("locations/office.yaml", OFFICE),
    ]);
    let tenant = std::fs::read_to_string(dir.path().join("tenant.yaml")).unwrap();
    std::fs::write(
        dir.path().join("tenant.yaml"),
        format!(
            "{tenant}namedLocations:\n  Office: {{ id: 55555555-5555-4555-8555-555555555555, trusted: true, ipRanges: [192.0.2.0/24] }}\n"
        ),
    )
    .unwrap();
    let old = whatif(dir.path(), &request("192.0.2.10", Some("NL")));
    assert!(applies(&old, "CA100-MFA-Outside-Trusted"), "{old}");
    let new = whatif(dir.path(), &request("203.0.113.7", Some("NL")));
    assert!(!applies(&new, "CA100-MFA-Outside-Trusted"), "{new}");

    // The policy references the spec by name; the body gets tenant.yaml's id.
    std::fs::write(
        dir.path().join("policies/mfa.yaml"),
        MFA_OUTSIDE_TRUSTED.replace("exclude: [AllTrusted]", "exclude: [Office]"),
    )
    .unwrap();
    let out = caac(dir.path(), &["build", "-o", "out"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let body = std::fs::read_to_string(dir.path().join("out/CA100-MFA-Outside-Trusted.json"))
        .unwrap_or_else(|_| {
            let names: Vec<_> = std::fs::read_dir(dir.path().join("out"))
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            panic!("{names:?}")
        });
    assert!(
        body.contains("55555555-5555-4555-8555-555555555555"),
        "{body}"
    );
}

// Neither a spec nor the tenant file names it: fail closed.
#[test]
fn a_name_in_neither_the_specs_nor_the_tenant_file_fails_closed() {
    let dir = project(&[
        (
            "policies/mfa.yaml",
            &MFA_OUTSIDE_TRUSTED.replace("exclude: [AllTrusted]", "exclude: [Ofice]"),
        ),
        ("locations/office.yaml", OFFICE),
    ]);
    let out = caac(dir.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("unknown-name"), "{all}");
    assert!(all.contains("policies/mfa.yaml:7:"), "{all}");
    assert!(all.contains("in `locations/`"), "{all}");
    assert!(
        all.contains("`Office`"),
        "did you mean the spec's name: {all}"
    );
}

// A spec with no id anywhere is not in the tenant yet: build warns once, at
// the spec, and writes no made-up id silently; plan and apply refuse it.
#[test]
fn a_spec_not_in_the_tenant_yet_is_a_placeholder_build_warns_about() {
    let dir = project(&[
        (
            "policies/mfa.yaml",
            &MFA_OUTSIDE_TRUSTED.replace("exclude: [AllTrusted]", "exclude: [Office]"),
        ),
        ("locations/office.yaml", OFFICE),
    ]);
    let out = caac(dir.path(), &["build", "-o", "out"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("warning[placeholder-id]"), "{all}");
    assert!(all.contains("locations/office.yaml:1:1"), "{all}");
    assert_eq!(all.matches("placeholder-id").count(), 1, "{all}");
}

#[test]
fn the_loader_positions_unknown_keys_with_did_you_mean() {
    let dir = project(&[
        ("policies/mfa.yaml", MFA_OUTSIDE_TRUSTED),
        (
            "locations/office.yaml",
            "displayName: Office\nisTrused: true\nipRanges: [203.0.113.0/24]\n",
        ),
        (
            "strengths/keys.yaml",
            "displayName: Keys\nallowedCombination: [fido2]\n",
        ),
    ]);
    let out = caac(dir.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("locations/office.yaml:2:1"), "{all}");
    assert!(all.contains("`isTrusted`"), "{all}");
    assert!(all.contains("strengths/keys.yaml:2:1"), "{all}");
    assert!(all.contains("`allowedCombinations`"), "{all}");
}

// Every spec kind loads clean: an IP location, a country location and a
// custom strength, referenced by policies; lint reports no input error.
#[test]
fn each_spec_kind_loads_and_resolves() {
    let strength_policy = "displayName: CA101-Admins-Keys\nstate: enabledForReportingButNotEnforced\nusers:\n  include: { users: [alice@contoso.com] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\ngrant: { authenticationStrength: Admin keys }\n";
    let block = "displayName: CA102-Block-Outside\nstate: enabledForReportingButNotEnforced\nusers:\n  include: { users: [All] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\nlocations: { include: [All], exclude: [Allowed countries] }\ngrant: { builtInControls: [block] }\n";
    let dir = project(&[
        (
            "policies/mfa.yaml",
            &MFA_OUTSIDE_TRUSTED.replace("exclude: [AllTrusted]", "exclude: [Office]"),
        ),
        ("policies/keys.yaml", strength_policy),
        ("policies/block.yaml", block),
        ("locations/office.yaml", OFFICE),
        (
            "locations/allowed.json",
            "{\"displayName\": \"Allowed countries\", \"countriesAndRegions\": [\"NL\", \"NO\"], \"countryLookupMethod\": \"clientIpAddress\"}",
        ),
        (
            "strengths/keys.yaml",
            "displayName: Admin keys\ndescription: FIDO2 or certificates\nallowedCombinations: [fido2, \"password, microsoftAuthenticatorPush\"]\n",
        ),
    ]);
    let out = caac(dir.path(), &["lint", "-f", "json"]);
    let (stdout, stderr) = text(&out);
    assert_ne!(out.status.code(), Some(2), "{stdout}{stderr}");
    for id in [
        "unknown-name",
        "CA023",
        "CA024",
        "CA025",
        "CA026",
        "CA910",
        "CA911",
    ] {
        assert!(!stdout.contains(&format!("\"{id}\"")), "{id}: {stdout}");
    }
}

// `.caac.yaml` names other directories; the defaults are then not read.
#[test]
fn the_directories_are_configurable() {
    let dir = project(&[
        ("policies/mfa.yaml", MFA_OUTSIDE_TRUSTED),
        ("objects/nl/office.yaml", OFFICE),
        (
            "locations/broken.yaml",
            "displayName: Broken\nipRanges: [nonsense]\n",
        ),
        (
            ".caac.yaml",
            "locations: objects/nl\nstrengths: objects/strengths\n",
        ),
    ]);
    let office = whatif(dir.path(), &request("203.0.113.7", Some("NL")));
    assert!(!applies(&office, "CA100-MFA-Outside-Trusted"), "{office}");
}

// Entra allows at most 195 IP named locations
// (https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#ipv4-and-ipv6-address-ranges).
#[test]
fn more_than_195_ip_locations_is_one_error() {
    let mut files: Vec<(String, String)> =
        vec![("policies/mfa.yaml".into(), MFA_OUTSIDE_TRUSTED.into())];
    for i in 0..196 {
        files.push((
            format!("locations/l{i:03}.yaml"),
            format!(
                "displayName: L{i}\nipRanges: [198.51.{}.{}/32]\n",
                i / 200,
                i % 200
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = project(&refs);
    let out = caac(dir.path(), &["lint", "--partial"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert_eq!(all.matches("error[CA910").count(), 1, "{all}");
    assert!(all.contains("locations/l195.yaml:1:1"), "{all}");
}

// The lockout gate sweeps the spec's ranges: a policy that blocks everyone
// inside the office (break-glass included) is a lockout, reproduced with an
// address from the office range.
#[test]
fn the_lockout_gate_uses_the_specs_ranges() {
    let block = "displayName: CA300-Block-In-Office\nstate: enabled\nusers:\n  include: { users: [All] }\napplications: { include: [All] }\nlocations: { include: [Office] }\ngrant: { builtInControls: [block] }\n";
    let dir = project(&[
        ("policies/block.yaml", block),
        (
            "locations/office.yaml",
            "displayName: Office\nisTrusted: true\nipRanges: [203.0.113.0/24]\n",
        ),
    ]);
    let out = caac(dir.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(1), "{all}");
    let line = all
        .lines()
        .find(|l| l.contains("error[lockout]"))
        .unwrap_or_else(|| panic!("no lockout: {all}"));
    assert!(line.contains("breakglass@contoso.com"), "{line}");
    assert!(all.contains("\"ipAddress\":\"203.0.113."), "{all}");
}

// Coverage splits sign-ins by the spec's ranges.
#[test]
fn coverage_names_the_spec_location() {
    let dir = project(&[
        ("policies/mfa.yaml", MFA_OUTSIDE_TRUSTED),
        ("locations/office.yaml", OFFICE),
    ]);
    let out = caac(dir.path(), &["coverage"]);
    let (stdout, stderr) = text(&out);
    // 1: gaps found (MFA is not required inside the office).
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("(in Office)"), "{stdout}");
}

// `caac impact` against a git revision reads the base's location specs too,
// so base policies that reference them by name still resolve.
#[test]
fn impact_against_a_revision_resolves_the_bases_specs() {
    let excluded = MFA_OUTSIDE_TRUSTED.replace("exclude: [AllTrusted]", "exclude: [Office]");
    let dir = project(&[
        ("policies/mfa.yaml", &excluded),
        ("locations/office.yaml", OFFICE),
    ]);
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(dir.path())
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
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    // The head drops the office exclusion: MFA now applies in the office.
    std::fs::write(
        dir.path().join("policies/mfa.yaml"),
        excluded.replace("locations: { include: [All], exclude: [Office] }\n", ""),
    )
    .unwrap();
    let out = caac(dir.path(), &["impact", "--base", "HEAD"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("Office"), "{stdout}");
}

/// `caac import` from a project directory holding only the exports.
fn import(export: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let src = crate::common::root()
        .join("tests/fixtures/exports")
        .join(export);
    std::fs::copy(&src, dir.path().join(export)).unwrap();
    // The schemas on disk (as `caac init` writes them): modelines point at
    // them by a path relative to each written spec.
    std::fs::create_dir(dir.path().join("schemas")).unwrap();
    for file in ["location.schema.json", "strength.schema.json"] {
        std::fs::copy(
            crate::common::root().join("schemas").join(file),
            dir.path().join("schemas").join(file),
        )
        .unwrap();
    }
    let out = caac(dir.path(), &["import", export]);
    (dir, out)
}

// An exported `namedLocations` list becomes one spec per location in
// `locations/`, with Graph's ranges as CIDR strings, the read-only
// properties dropped, and a modeline that resolves from the spec's
// directory; a lower/upper bound range cannot be held and is not imported.
#[test]
fn import_writes_location_specs_from_a_graph_export() {
    let (dir, out) = import("namedLocations.json");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("namedLocations.json:12:"), "{stderr}");
    assert!(
        stderr.contains("imported 2 named locations into locations"),
        "{stderr}"
    );
    let hq = std::fs::read_to_string(dir.path().join("locations/HQ-egress.yaml")).unwrap();
    insta::assert_snapshot!("import_location_hq", hq);
    assert!(hq.starts_with("# yaml-language-server: $schema=../schemas/location.schema.json\n"));
    assert!(!dir.path().join("locations/Bounds.yaml").exists());
    // The imported specs load, resolve and keep their ids.
    std::fs::write(
        dir.path().join("tenant.yaml"),
        "breakGlass:\n  users: [breakglass@contoso.com]\nusers:\n  breakglass@contoso.com: 0e1f2a3b-0000-4000-8000-000000000001\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(
        dir.path().join("policies/mfa.yaml"),
        MFA_OUTSIDE_TRUSTED.replace(
            "exclude: [AllTrusted]",
            "exclude: [HQ egress, Allowed countries]",
        ),
    )
    .unwrap();
    let out = caac(dir.path(), &["build", "-o", "out"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let body =
        std::fs::read_to_string(dir.path().join("out/CA100-MFA-Outside-Trusted.json")).unwrap();
    assert!(
        body.contains("0854951d-5fc0-4eb1-b392-9b2c9d7949c2"),
        "{body}"
    );
    assert!(
        body.contains("1854951d-5fc0-4eb1-b392-9b2c9d7949c2"),
        "{body}"
    );
}

// Built-in strengths are Microsoft's and never written; custom ones become
// specs in `strengths/` without Graph's read-only properties.
#[test]
fn import_writes_custom_strength_specs_only() {
    let (dir, out) = import("authenticationStrengthPolicies.json");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("built-in authentication strength"),
        "{stderr}"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path().join("strengths"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["Admin-keys.yaml"]);
    let keys = std::fs::read_to_string(dir.path().join("strengths/Admin-keys.yaml")).unwrap();
    insta::assert_snapshot!("import_strength_admin_keys", keys);
}

// Policies and locations in one import would land in one directory: refused.
#[test]
fn import_refuses_policies_mixed_with_locations() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = crate::common::root().join("tests/fixtures/exports");
    std::fs::copy(
        fixtures.join("namedLocations.json"),
        dir.path().join("namedLocations.json"),
    )
    .unwrap();
    let policy = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "json")
                && std::fs::read_to_string(p).is_ok_and(|t| t.contains("conditions"))
        })
        .expect("a policy export fixture");
    std::fs::copy(&policy, dir.path().join("policy.json")).unwrap();
    let out = caac(
        dir.path(),
        &["import", "namedLocations.json", "policy.json"],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("import them separately"), "{stderr}");
    assert!(!dir.path().join("policies").exists() && !dir.path().join("locations").exists());
}

// The report shows one table per kind of location, from the spec's country.
#[test]
fn the_report_uses_the_country_spec() {
    let block = "displayName: Block outside allowed countries\nstate: enabled\nusers:\n  include: { users: [All] }\n  exclude: { users: [breakglass@contoso.com] }\napplications:\n  include: [All]\nlocations:\n  include: [All]\n  exclude: [Allowed countries]\ngrant:\n  builtInControls: [block]\n";
    let dir = project(&[
        ("policies/block.yaml", block),
        ("policies/mfa.yaml", MFA_OUTSIDE_TRUSTED),
        (
            "locations/allowed.yaml",
            "displayName: Allowed countries\ncountriesAndRegions: [NL]\n",
        ),
    ]);
    let out = caac(dir.path(), &["report"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("\n### From an untrusted IP in NL\n"),
        "{stdout}"
    );
}

// Bad spec files are positioned input errors, one per root cause, and never
// a panic: a missing displayName, a list instead of a mapping, two specs
// with one name, a custom strength named like a built-in one, a malformed id.
#[test]
fn broken_specs_are_positioned_input_errors() {
    let dir = project(&[
        ("policies/mfa.yaml", MFA_OUTSIDE_TRUSTED),
        ("locations/a-nameless.yaml", "ipRanges: [203.0.113.0/24]\n"),
        ("locations/b-list.yaml", "- displayName: Office\n"),
        ("locations/c-office.yaml", OFFICE),
        (
            "locations/d-office-again.yaml",
            &OFFICE.replace("Office", "office"),
        ),
        (
            "locations/e-bad-id.yaml",
            "displayName: Branch\nid: not-a-guid\nipRanges: [198.51.100.0/24]\n",
        ),
        (
            "strengths/mfa.yaml",
            "displayName: Multifactor authentication\nallowedCombinations: [fido2]\n",
        ),
    ]);
    let out = caac(dir.path(), &["lint"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(2), "{all}");
    for want in [
        "locations/a-nameless.yaml:1:1",
        "`displayName`",
        "locations/b-list.yaml:1:1",
        "error[duplicate-name]: named location `office` is also defined in locations/c-office.yaml",
        "locations/d-office-again.yaml:1:14",
        "error[malformed-guid]: `id: not-a-guid` is not an object id",
        "locations/e-bad-id.yaml:2:5",
        "built-in authentication strength",
        "strengths/mfa.yaml:1:14",
    ] {
        assert!(all.contains(want), "{want}: {all}");
    }
    assert!(!all.contains("panicked"), "{all}");
    // The clashing specs are not linted on top of their error.
    assert_eq!(all.matches("[CA911 ").count(), 1, "{all}");
}

// A policy's strength name resolves to the spec's id in the Graph body.
#[test]
fn a_strength_spec_with_an_id_builds_into_the_body() {
    let policy = "displayName: CA101-Admins-Keys\nstate: enabledForReportingButNotEnforced\nusers:\n  include: { users: [alice@contoso.com] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\ngrant: { authenticationStrength: Admin keys }\n";
    let dir = project(&[
        ("policies/keys.yaml", policy),
        (
            "strengths/keys.yaml",
            "displayName: Admin keys\nid: 5E2D5B3C-0C2F-4A1B-9D8E-7F6A5B4C3D2E\nallowedCombinations: [fido2]\n",
        ),
    ]);
    let out = caac(dir.path(), &["build", "-o", "out"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let body: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/CA101-Admins-Keys.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        body["grantControls"]["authenticationStrength"]["id"],
        "5e2d5b3c-0c2f-4a1b-9d8e-7f6a5b4c3d2e",
        "{body}"
    );
    assert!(!stderr.contains("placeholder-id"), "{stderr}");
}

// A GPS-based country location: the request's country stands for the GPS
// country, and the what-if says so instead of pretending to know.
#[test]
fn a_gps_country_location_is_evaluated_with_a_note() {
    let block = "displayName: CA200-Block-Outside-Allowed\nstate: enabled\nusers:\n  include: { users: [All] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\nlocations: { include: [All], exclude: [Allowed by GPS] }\ngrant: { builtInControls: [block] }\n";
    let dir = project(&[
        ("policies/block.yaml", block),
        (
            "locations/gps.yaml",
            "displayName: Allowed by GPS\ncountriesAndRegions: [NL]\ncountryLookupMethod: authenticatorAppGps\n",
        ),
    ]);
    let nl = whatif(dir.path(), &request("198.51.100.9", Some("NL")));
    assert!(!applies(&nl, "CA200-Block-Outside-Allowed"), "{nl}");
    let unknowns = nl["result"]["unknowns"].to_string();
    assert!(unknowns.contains("authenticatorAppGps"), "{nl}");
}

// Without a tenant file, the location specs alone do not make one: the
// messages still say no tenant file was read.
#[test]
fn specs_alone_are_not_a_tenant_file() {
    let dir = project(&[
        (
            "policies/mfa.yaml",
            &MFA_OUTSIDE_TRUSTED
                .replace("exclude: [AllTrusted]", "exclude: [Office]")
                .replace(
                    "users: [breakglass@contoso.com]",
                    "groups: [Emergency Access]",
                ),
        ),
        ("locations/office.yaml", OFFICE),
    ]);
    std::fs::remove_file(dir.path().join("tenant.yaml")).unwrap();
    let out = caac(
        dir.path(),
        &[
            "lint",
            "--break-glass",
            "11111111-1111-4111-8111-111111111111",
        ],
    );
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("a tenant file (none was loaded)"), "{all}");
    assert!(all.contains("names resolve through a tenant file"), "{all}");
    // The location resolved from its spec: no error about it.
    assert!(!all.contains("`Office`"), "{all}");
}

/// A named-location or strength export among the policy paths is one error
/// naming what it is and the import command, not one message per policy
/// field it lacks (one message per root cause).
#[test]
fn a_location_or_strength_export_among_policies_is_one_error() {
    for (file, what, dir) in [
        ("namedLocations.json", "named locations", "locations"),
        (
            "authenticationStrengthPolicies.json",
            "authentication strengths",
            "strengths",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("policies")).unwrap();
        std::fs::copy(
            crate::common::root()
                .join("tests/fixtures/exports")
                .join(file),
            tmp.path().join("policies").join(file),
        )
        .unwrap();
        std::fs::write(
            tmp.path().join(".caac.yaml"),
            "breakGlassOptOut: \"test: only the export's own message is asserted\"\n",
        )
        .unwrap();
        let out = caac(tmp.path(), &["lint", "policies"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
        assert_eq!(stdout.matches("error[").count(), 1, "{stdout}");
        // One message about the export, none per missing policy field.
        assert_eq!(
            stdout.matches(&format!("--> policies/{file}")).count(),
            1,
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!(
                "error[not-an-export]: this is a Graph export of {what}, not of Conditional Access policies"
            )),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("caac import policies/{file} -o {dir}")),
            "{stdout}"
        );
    }
}
