//! Every body `caac build` writes validates against the Graph JSON Schema
//! derived from Microsoft's metadata (`schemas/graph/`), for the API version the
//! manifest records — independently of the runtime check inside caac.

use crate::common::{caac, root};

fn validator(version: &str) -> jsonschema::Validator {
    let path = root().join(format!(
        "schemas/graph/conditionalAccessPolicy.{version}.schema.json"
    ));
    let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn every_built_body_matches_graph_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    for (paths, tenant) in [
        (vec!["policies"], "tenant.yaml"),
        (
            vec!["examples/token-protection"],
            "examples/token-protection/tenant.yaml",
        ),
    ] {
        let out = tmp.path().join(paths[0].replace('/', "_"));
        let mut args = vec!["build"];
        args.extend(paths);
        args.extend(["--tenant", tenant, "--out", out.to_str().unwrap()]);
        let run = caac(&root(), &args);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        for entry in manifest["policies"].as_array().unwrap() {
            let version = entry["apiVersion"].as_str().unwrap();
            let body: serde_json::Value = serde_json::from_slice(
                &std::fs::read(out.join(entry["output"].as_str().unwrap())).unwrap(),
            )
            .unwrap();
            let v = validator(version);
            let errors: Vec<String> = v
                .iter_errors(&body)
                .map(|e| format!("{}: {e}", e.instance_path().as_str()))
                .collect();
            assert!(
                errors.is_empty(),
                "{} ({version}): {errors:?}",
                entry["output"]
            );
            if version == "v1.0" {
                assert!(
                    validator("beta").is_valid(&body),
                    "a v1.0 body is also valid beta"
                );
            }
        }
    }
}

#[test]
fn graph_schema_rejects_what_graph_rejects() {
    let v1 = validator("v1.0");
    let ok = serde_json::json!({"displayName": "x", "state": "enabled", "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]}, "clientAppTypes": ["all"]}, "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}});
    assert!(v1.is_valid(&ok));
    for bad in [
        serde_json::json!({"displayName": "x", "state": "on", "conditions": {}}),
        serde_json::json!({"displayName": "x", "state": "enabled", "conditions": {"insiderRiskLevels": ["elevated"]}}),
        serde_json::json!({"displayName": "x", "state": "enabled", "conditions": {"platforms": {"includePlatforms": ["ios"]}}}),
        serde_json::json!({"displayName": "x", "state": "enabled", "conditions": {}, "sessionControls": {"continuousAccessEvaluation": {"mode": "strictLocation"}}}),
    ] {
        assert!(!v1.is_valid(&bad), "{bad}");
    }
}
