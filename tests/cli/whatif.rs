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
