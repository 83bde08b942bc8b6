//! Named locations and authentication strengths in `caac plan` / `caac
//! apply` against the fake Graph (`fake_graph.rs`): an empty tenant gets its
//! locations and strengths created before the policies that use them (the
//! created ids put into the policy bodies), the next plan is empty; a saved
//! plan that creates a location applies; `--prune` deletes a location only
//! after the policy that used it, and refuses one a policy still uses.

use crate::deploy::{args, graph, run};
use crate::fake_graph::{Fake, Seen};
use serde_json::Value;
use std::path::Path;

const TOKEN: &str = crate::deploy::TOKEN;

const TENANT: &str = "breakGlass:\n  users: [breakglass@contoso.com]\nusers:\n  breakglass@contoso.com: 0e1f2a3b-0000-4000-8000-000000000001\n";
const OFFICE: &str =
    "displayName: Office\nisTrusted: true\nipRanges: [203.0.113.0/24, \"2001:db8::/48\"]\n";
const COUNTRIES: &str = "displayName: Allowed countries\ncountriesAndRegions: [NL, BE]\n";
const KEYS: &str =
    "displayName: Admin keys\ndescription: FIDO2 only\nallowedCombinations: [fido2]\n";
const MFA: &str = "displayName: CA100-MFA-Outside-Office\nstate: enabledForReportingButNotEnforced\nusers:\n  include: { users: [All] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\nlocations: { include: [All], exclude: [Office] }\ngrant: { builtInControls: [mfa] }\n";
const BLOCK: &str = "displayName: CA101-Block-Outside-Allowed\nstate: enabledForReportingButNotEnforced\nusers:\n  include: { users: [All] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\nlocations: { include: [All], exclude: [Allowed countries] }\ngrant: { builtInControls: [block] }\n";
const ADMINS: &str = "displayName: CA102-Admins-Keys\nstate: enabledForReportingButNotEnforced\nusers:\n  include: { roles: [Global Administrator] }\n  exclude: { users: [breakglass@contoso.com] }\napplications: { include: [All] }\ngrant: { authenticationStrength: Admin keys }\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("tenant.yaml", TENANT),
        // The set-level rules want a complete baseline; this set is three
        // policies about locations and strengths.
        (
            ".caac.yaml",
            "rules:\n  CA701: off\n  CA702: off\n  CA704: off\n",
        ),
        ("locations/office.yaml", OFFICE),
        ("locations/countries.yaml", COUNTRIES),
        ("strengths/keys.yaml", KEYS),
        ("policies/mfa.yaml", MFA),
        ("policies/block.yaml", BLOCK),
        ("policies/admins.yaml", ADMINS),
    ] {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    dir
}

fn writes(fake: &Fake) -> Vec<Seen> {
    fake.with(|s| {
        s.log
            .iter()
            .filter(|r| r.method != "GET")
            .cloned()
            .collect()
    })
}

fn id_of(list: &[Value], name: &str) -> String {
    list.iter()
        .find(|o| o["displayName"] == name)
        .and_then(|o| o["id"].as_str())
        .unwrap_or_else(|| panic!("no `{name}` in {list:?}"))
        .to_owned()
}

fn lock(d: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(d.join("caac.lock")).unwrap()).unwrap()
}

/// Empty tenant → one apply creates the two locations and the strength,
/// then the three policies with the created ids in their bodies (no
/// placeholder reaches Graph); the lock records spec → id for every kind;
/// the next plan is empty.
#[test]
fn empty_tenant_one_apply_creates_objects_then_policies() {
    let fake = Fake::start(TOKEN);
    let dir = project();
    let d = dir.path();
    let g = graph(&fake);
    // The dry run says which placeholder stands for which new object.
    let (code, out, err) = run(d, &args(&["apply"], &g, &["--dry-run"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("stands for the named location \"Office\" this plan creates"),
        "{out}"
    );
    assert!(writes(&fake).is_empty(), "a dry run sends no write");
    let (code, out, err) = run(d, &args(&["apply"], &g, &["--yes"]));
    assert_eq!(code, 0, "{out}{err}");
    let w = writes(&fake);
    let order: Vec<String> = w
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        order,
        [
            "POST /v1.0/identity/conditionalAccess/namedLocations",
            "POST /v1.0/identity/conditionalAccess/namedLocations",
            "POST /v1.0/policies/authenticationStrengthPolicies",
            "POST /v1.0/identity/conditionalAccess/policies",
            "POST /v1.0/identity/conditionalAccess/policies",
            "POST /v1.0/identity/conditionalAccess/policies",
        ]
        .map(String::from),
        "{out}{err}"
    );
    let (locations, strengths) = fake.with(|s| (s.named_locations.clone(), s.strengths.clone()));
    let office = id_of(&locations, "Office");
    let countries = id_of(&locations, "Allowed countries");
    let keys = id_of(&strengths, "Admin keys");
    let office_body = &w[0..2]
        .iter()
        .find(|r| r.body.as_ref().unwrap()["displayName"] == "Office")
        .unwrap()
        .body;
    assert_eq!(
        office_body.as_ref().unwrap()["@odata.type"],
        "#microsoft.graph.ipNamedLocation"
    );
    assert_eq!(
        office_body.as_ref().unwrap()["ipRanges"][1]["@odata.type"],
        "#microsoft.graph.iPv6CidrRange"
    );
    let policies = fake.policies();
    let by = |n: &str| policies.iter().find(|p| p["displayName"] == n).unwrap();
    assert_eq!(
        by("CA100-MFA-Outside-Office")["conditions"]["locations"]["excludeLocations"],
        serde_json::json!([office])
    );
    assert_eq!(
        by("CA101-Block-Outside-Allowed")["conditions"]["locations"]["excludeLocations"],
        serde_json::json!([countries])
    );
    assert_eq!(
        by("CA102-Admins-Keys")["grantControls"]["authenticationStrength"]["id"],
        keys
    );
    for r in &w {
        let body = r.body.as_ref().map(Value::to_string).unwrap_or_default();
        assert!(
            !body.contains("00000000-0000-4000-8000-"),
            "a placeholder id reached Graph: {body}"
        );
    }
    let l = lock(d);
    assert_eq!(l["namedLocations"]["locations/office.yaml"]["id"], office);
    assert_eq!(
        l["authenticationStrengths"]["strengths/keys.yaml"]["id"],
        keys
    );
    assert_eq!(l["policies"].as_object().unwrap().len(), 3);

    let (code, out, err) = run(d, &args(&["plan"], &g, &[]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("0 to create, 0 to update, 0 to delete, 6 unchanged, 0 unmanaged"),
        "{out}"
    );
    // A change to a location is an update of that location alone.
    std::fs::write(
        d.join("locations/office.yaml"),
        OFFICE.replace("203.0.113.0/24", "198.51.100.0/24"),
    )
    .unwrap();
    // A strength's combinations go through updateAllowedCombinations.
    std::fs::write(
        d.join("strengths/keys.yaml"),
        KEYS.replace("[fido2]", "[fido2, windowsHelloForBusiness]"),
    )
    .unwrap();
    let before = writes(&fake).len();
    let (code, out, err) = run(d, &args(&["apply"], &g, &["--yes"]));
    assert_eq!(code, 0, "{out}{err}");
    let order: Vec<String> = writes(&fake)[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        order,
        [
            format!("PATCH /v1.0/identity/conditionalAccess/namedLocations/{office}"),
            format!(
                "POST /v1.0/policies/authenticationStrengthPolicies/{keys}/updateAllowedCombinations"
            ),
        ],
    );
    let (code, out, err) = run(d, &args(&["plan"], &g, &[]));
    assert_eq!(code, 0, "converged: {out}{err}");
}

/// `plan -o plan.json` on an empty tenant: the saved plan's policy body
/// names the location by its placeholder (`bodyId` on the location's
/// item); `apply plan.json` creates the location and puts its new id in.
#[test]
fn saved_plan_with_a_new_location_applies() {
    let fake = Fake::start(TOKEN);
    let dir = project();
    let d = dir.path();
    let g = graph(&fake);
    let (code, out, err) = run(d, &args(&["plan"], &g, &["-o", "plan.json"]));
    assert_eq!(code, 1, "changes: {out}{err}");
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("plan.json")).unwrap()).unwrap();
    let office = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["displayName"] == "Office")
        .unwrap();
    assert_eq!(office["kind"], "namedLocation");
    let placeholder = office["bodyId"].as_str().unwrap().to_owned();
    assert!(placeholder.starts_with("00000000-0000-4000-8000-"));
    assert!(plan.to_string().matches(&placeholder).count() >= 2);
    let (code, out, err) = run(d, &args(&["apply", "plan.json"], &g, &["--yes"]));
    assert_eq!(code, 0, "{out}{err}");
    let locations = fake.with(|s| s.named_locations.clone());
    let id = id_of(&locations, "Office");
    let policies = fake.policies();
    let mfa = policies
        .iter()
        .find(|p| p["displayName"] == "CA100-MFA-Outside-Office")
        .unwrap();
    assert_eq!(
        mfa["conditions"]["locations"]["excludeLocations"],
        serde_json::json!([id])
    );
    let (code, out, err) = run(d, &args(&["plan"], &g, &[]));
    assert_eq!(code, 0, "{out}{err}");
}

/// `--prune` after a policy and the location it used left the repository:
/// the policy is deleted first, then the location. A location whose spec is
/// gone but that a policy of the repository still uses is refused, naming
/// the policy, and nothing is written.
#[test]
fn prune_deletes_a_location_only_after_its_last_policy() {
    let fake = Fake::start(TOKEN);
    let dir = project();
    let d = dir.path();
    let g = graph(&fake);
    let (code, out, err) = run(d, &args(&["apply"], &g, &["--yes"]));
    assert_eq!(code, 0, "{out}{err}");
    let office = id_of(&fake.with(|s| s.named_locations.clone()), "Office");

    // The spec goes, the policy stays (it names the location through the
    // tenant file now): refused.
    std::fs::remove_file(d.join("locations/office.yaml")).unwrap();
    std::fs::write(
        d.join("tenant.yaml"),
        format!("{TENANT}namedLocations:\n  Office: {office}\n"),
    )
    .unwrap();
    let before = writes(&fake).len();
    let (code, out, err) = run(d, &args(&["apply", "--prune"], &g, &["--yes"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("\"Office\"")
            && err.contains("\"CA100-MFA-Outside-Office\" (policies/mfa.yaml)"),
        "{err}"
    );
    assert_eq!(writes(&fake).len(), before, "nothing written");

    // The policy goes too: deleted first, then the location.
    std::fs::remove_file(d.join("policies/mfa.yaml")).unwrap();
    let (code, out, err) = run(d, &args(&["apply", "--prune"], &g, &["--yes"]));
    assert_eq!(code, 0, "{out}{err}");
    let mfa_id = lock_before_prune_id(&fake);
    let order: Vec<String> = writes(&fake)[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        order,
        [
            format!("DELETE /v1.0/identity/conditionalAccess/policies/{mfa_id}"),
            format!("DELETE /v1.0/identity/conditionalAccess/namedLocations/{office}"),
        ]
    );
    assert!(
        lock(d)["namedLocations"]
            .get("locations/office.yaml")
            .is_none()
    );
    let (code, out, err) = run(d, &args(&["plan", "--prune"], &g, &[]));
    assert_eq!(code, 0, "{out}{err}");
}

/// The id the fake gave the first policy created (CA100, created after the
/// three objects): ids are sequential.
fn lock_before_prune_id(fake: &Fake) -> String {
    fake.with(|s| {
        s.log
            .iter()
            .filter(|r| r.method == "DELETE" && r.path.contains("/policies/"))
            .map(|r| r.path.rsplit('/').next().unwrap().to_owned())
            .next()
            .unwrap_or_default()
    })
}

/// A live policy outside the repository that uses a location keeps it:
/// `--prune` with Microsoft-managed policy that uses the location refuses,
/// naming that policy.
#[test]
fn prune_refuses_a_location_a_policy_outside_the_repository_uses() {
    let fake = Fake::start(TOKEN);
    let dir = project();
    let d = dir.path();
    let g = graph(&fake);
    let (code, out, err) = run(d, &args(&["apply"], &g, &["--yes"]));
    assert_eq!(code, 0, "{out}{err}");
    let office = id_of(&fake.with(|s| s.named_locations.clone()), "Office");
    fake.with(|s| {
        s.policies.insert(
            "0a000000-0000-4000-8000-0000000000ff".into(),
            serde_json::json!({
                "id": "0a000000-0000-4000-8000-0000000000ff",
                "displayName": "Microsoft-managed: MFA outside the office",
                "state": "enabledForReportingButNotEnforced",
                "conditions": {
                    "users": {"includeUsers": ["All"]},
                    "applications": {"includeApplications": ["All"]},
                    "clientAppTypes": ["all"],
                    "locations": {"includeLocations": ["All"], "excludeLocations": [office]}
                },
                "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
            }),
        );
    });
    std::fs::remove_file(d.join("locations/office.yaml")).unwrap();
    std::fs::remove_file(d.join("policies/mfa.yaml")).unwrap();
    let before = writes(&fake).len();
    let (code, out, err) = run(d, &args(&["apply", "--prune"], &g, &["--yes"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("Microsoft-managed: MFA outside the office")
            && err.contains("not in the repository"),
        "{err}"
    );
    assert_eq!(writes(&fake).len(), before, "nothing written");
}

/// `pull --specs .` writes the tenant's locations and its custom strength
/// as specs (ids, ranges, countries, combinations; modeline; no built-in
/// strength), and after importing the policies the live plan — locations
/// and strengths included — is empty. A second `pull --specs` refuses to
/// overwrite them.
#[test]
fn pull_specs_then_plan_is_empty_with_locations_and_strengths() {
    let fake = Fake::start(TOKEN);
    crate::deploy::seed(&fake);
    // A beta-only location type no spec holds: noted, never written,
    // never planned (nor pruned).
    fake.with(|s| {
        s.named_locations.push(serde_json::json!({
            "@odata.type": "#microsoft.graph.compliantNetworkNamedLocation",
            "id": "3d46dbda-8382-466a-856d-eb00cbc6b910",
            "displayName": "All Compliant Network locations",
            "compliantNetworkType": "allTenantCompliantNetworks",
            "isTrusted": false
        }));
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("schemas")).unwrap();
    // With the schema in ./schemas the modeline is a relative path.
    std::fs::copy(
        crate::common::root().join("schemas/location.schema.json"),
        d.join("schemas/location.schema.json"),
    )
    .unwrap();
    let g = graph(&fake);
    let (code, _, err) = run(d, &args(&["pull"], &g, &["--specs", "."]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 2 spec(s) into locations"), "{err}");
    assert!(
        err.contains("note: named location `All Compliant Network locations` (3d46dbda-8382-466a-856d-eb00cbc6b910) is a compliantNetworkNamedLocation that caac does not manage"),
        "{err}"
    );
    assert!(err.contains("wrote 1 spec(s) into strengths"), "{err}");
    let hq = std::fs::read_to_string(d.join("locations/HQ.yaml")).unwrap();
    assert!(
        hq.starts_with("# yaml-language-server: $schema=../schemas/location.schema.json\n"),
        "{hq}"
    );
    for want in [
        "id: 11111111-2222-4333-8444-555555555555",
        "isTrusted: true",
        "203.0.113.0/24",
    ] {
        assert!(hq.contains(want), "{want}: {hq}");
    }
    let countries = std::fs::read_to_string(d.join("locations/Blocked-countries.yaml")).unwrap();
    assert!(countries.contains("KP"), "{countries}");
    let strengths: Vec<String> = std::fs::read_dir(d.join("strengths"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(strengths, ["Admin-FIDO2.yaml"], "no built-in strength");

    let (code, _, err) = run(d, &["import", "state/policies.json", "--out", "policies"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(d.join(".caac.yaml"), crate::deploy::OPT_OUT).unwrap();
    let (code, out, err) = run(d, &args(&["plan"], &g, &["-v"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("0 to create, 0 to update, 0 to delete, 6 unchanged, 0 unmanaged"),
        "{out}"
    );
    assert!(out.contains("locations/HQ.yaml"), "{out}");
    assert!(out.contains("strengths/Admin-FIDO2.yaml"), "{out}");
    let (code, out, err) = run(d, &args(&["plan", "--prune"], &g, &[]));
    assert_eq!(
        code, 0,
        "--prune leaves the compliant network location: {out}{err}"
    );

    let (code, _, err) = run(d, &args(&["pull", "-o", "state2"], &g, &["--specs", "."]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already holds files"), "{err}");
    assert!(!d.join("state2").exists(), "nothing written");
}

/// A saved plan that updates a location is refused, naming the location,
/// when the location was changed "in the portal" after the plan was made.
#[test]
fn saved_plan_refuses_after_a_location_changed_in_the_portal() {
    let fake = Fake::start(TOKEN);
    let dir = project();
    let d = dir.path();
    let g = graph(&fake);
    let (code, out, err) = run(d, &args(&["apply"], &g, &["--yes"]));
    assert_eq!(code, 0, "{out}{err}");
    std::fs::write(
        d.join("locations/office.yaml"),
        OFFICE.replace("203.0.113.0/24", "198.51.100.0/24"),
    )
    .unwrap();
    let (code, out, err) = run(d, &args(&["plan"], &g, &["-o", "plan.json"]));
    assert_eq!(code, 1, "{out}{err}");
    fake.with(|s| {
        let office = s
            .named_locations
            .iter_mut()
            .find(|l| l["displayName"] == "Office")
            .unwrap();
        office["isTrusted"] = false.into();
    });
    let before = writes(&fake).len();
    let (code, out, err) = run(d, &args(&["apply", "plan.json"], &g, &["--yes"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("\"Office\"") && err.contains("changed in the tenant since the plan was made"),
        "{err}"
    );
    assert_eq!(writes(&fake).len(), before, "nothing written");
}
