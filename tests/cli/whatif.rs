//! `caac whatif` end to end on the starter set: the Token Protection pilot
//! user on Windows desktop Outlook is in scope of CA410 (report-only), the same
//! user in a browser is not (client apps), and broken requests fail closed.

use crate::common::{caac, root, text};
use serde_json::Value;

fn whatif(request: &str) -> Value {
    let out = caac(
        &root(),
        &[
            "whatif",
            "--policies",
            "policies",
            "--request",
            request,
            "--format",
            "json",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn policy<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["displayName"] == name)
        .unwrap()
}

#[test]
fn token_protection_pilot_on_desktop_and_in_a_browser() {
    let desktop = whatif("examples/whatif/outlook-desktop-windows.json");
    let tp = policy(&desktop, "CA410-TokenProtection-ExchangeSharePoint-Windows");
    assert_eq!(tp["policyApplies"], true);
    assert_eq!(tp["state"], "enabledForReportingButNotEnforced");
    let report_only: Vec<&str> = desktop["result"]["reportOnly"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(report_only.contains(&"CA410-TokenProtection-ExchangeSharePoint-Windows"));
    assert_eq!(
        desktop["result"]["access"], "allow",
        "report-only is never enforced"
    );

    let browser = whatif("examples/whatif/outlook-web-windows.json");
    let tp = policy(&browser, "CA410-TokenProtection-ExchangeSharePoint-Windows");
    assert_eq!(tp["policyApplies"], false);
    assert_eq!(tp["analysisReasons"], "clientApps");
}

#[test]
fn invalid_requests_are_positioned_input_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let req = tmp.path().join("r.json");
    std::fs::write(
        &req,
        "{\n  \"signInIdentity\": {\"@odata.type\": \"#microsoft.graph.userSignIn\", \"userId\": \"nobody@contoso.com\"},\n  \"signInContext\": {\"@odata.type\": \"#microsoft.graph.applicationContext\", \"includeApplications\": [\"All\"]}\n}\n",
    )
    .unwrap();
    let out = caac(
        &root(),
        &[
            "whatif",
            "--policies",
            "policies",
            "--request",
            req.to_str().unwrap(),
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("r.json:2:"), "positioned: {stderr}");
    assert!(!stderr.contains("panicked"));
}

/// `caac whatif --format json` on `policies` (file name → YAML) in a fresh
/// directory, for `request` (a Graph evaluate body).
fn whatif_in(policies: &[(&str, &str)], request: &Value) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("policies")).unwrap();
    for (name, yaml) in policies {
        std::fs::write(dir.join("policies").join(name), yaml).unwrap();
    }
    std::fs::write(dir.join("request.json"), request.to_string()).unwrap();
    let out = caac(
        dir,
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
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn request(app: &str, client: &str) -> Value {
    serde_json::json!({
        "signInIdentity": {
            "@odata.type": "#microsoft.graph.userSignIn",
            "userId": "a11ce000-0000-4000-8000-000000000001"
        },
        "signInContext": {
            "@odata.type": "#microsoft.graph.applicationContext",
            "includeApplications": [app]
        },
        "signInConditions": { "devicePlatform": "windows", "clientAppType": client }
    })
}

const EXO: &str = "00000002-0000-0ff1-ce00-000000000000";

// "Sign-ins from legacy authentication clients don't support multifactor
// authentication (MFA) and don't pass device state information, so they're
// blocked by Conditional Access grant controls, like requiring MFA or
// compliant devices"
// (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps).
#[test]
fn legacy_clients_facing_mfa_are_blocked() {
    let mfa = "displayName: MFA\nstate: enabled\nusers: { include: { users: [All] } }\napplications: { include: [All] }\ngrant: { builtInControls: [mfa] }\n";
    for client in ["exchangeActiveSync", "other"] {
        let v = whatif_in(&[("mfa.yaml", mfa)], &request(EXO, client));
        assert_eq!(v["result"]["access"], "block", "{client}: {v:#}");
        assert_eq!(v["result"]["requirements"], serde_json::json!([]), "{v:#}");
        assert_eq!(v["result"]["unsatisfiable"][0]["policy"], "MFA", "{v:#}");
        assert_eq!(
            v["result"]["unsatisfiable"][0]["builtInControls"],
            serde_json::json!(["mfa"])
        );
    }
    let v = whatif_in(&[("mfa.yaml", mfa)], &request(EXO, "browser"));
    assert_eq!(v["result"]["access"], "grant");
    assert_eq!(
        v["result"]["requirements"][0]["builtInControls"],
        serde_json::json!(["mfa"])
    );
    assert!(v["result"].get("unsatisfiable").is_none(), "{v:#}");
}

// "When you target the Windows Azure Service Management API application,
// policy is enforced for tokens issued to a set of services closely bound to
// the portal. This grouping includes the application IDs of: … Azure portal
// …" (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps#windows-azure-service-management-api).
#[test]
fn azure_management_covers_the_azure_portal_and_cli() {
    let arm = "displayName: ARM\nstate: enabled\nusers: { include: { users: [All] } }\napplications: { include: [Windows Azure Service Management API] }\ngrant: { builtInControls: [mfa] }\n";
    for app in [
        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", // Azure portal
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46", // Microsoft Azure CLI
        "797f4846-ba00-4fd7-ba43-dac1f8f63013", // Azure Resource Manager
    ] {
        let v = whatif_in(&[("arm.yaml", arm)], &request(app, "browser"));
        assert_eq!(policy(&v, "ARM")["policyApplies"], true, "{app}: {v:#}");
        assert_eq!(v["result"]["access"], "grant");
    }
    let v = whatif_in(&[("arm.yaml", arm)], &request(EXO, "browser"));
    assert_eq!(policy(&v, "ARM")["analysisReasons"], "application");
}

/// `examples/whatif` holds requests, not policies: naming it as the policy
/// path (with a request inside it) is one input error that names the
/// directory and the command that works — not one "missing field" per
/// request read as a Graph export.
#[test]
fn a_request_inside_the_policy_path_is_one_clear_error() {
    for path in [
        "examples/whatif",
        "examples/whatif/outlook-web-windows.json",
    ] {
        let out = caac(
            &root(),
            &[
                "whatif",
                path,
                "--request",
                "examples/whatif/outlook-web-windows.json",
            ],
        );
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{path}: {stdout}{stderr}");
        assert_eq!(stdout, "", "{path}");
        assert_eq!(
            stderr,
            format!(
                "error: the request examples/whatif/outlook-web-windows.json is inside the policy path {path}, \
                 so caac would read it as a policy; give the policies' directory and the request separately, \
                 e.g. `caac whatif policies --request examples/whatif/outlook-web-windows.json`\n"
            ),
            "{path}"
        );
    }
}
