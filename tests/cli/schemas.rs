//! The checked-in schemas are generated from the model; this test fails when
//! they are stale. `UPDATE_SCHEMAS=1 cargo test` rewrites them.

use crate::common::root;

fn check(name: &str, schema: serde_json::Value) {
    check_text(
        &root().join("schemas").join(name),
        &caac::emit::pretty(&schema),
    );
}

fn check_text(path: &std::path::Path, want: &str) {
    if std::env::var_os("UPDATE_SCHEMAS").is_some()
        || std::env::var_os("UPDATE_GENERATED").is_some()
    {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `UPDATE_GENERATED=1 cargo test --test cli schemas` and commit the result",
        path.display()
    );
}

#[test]
fn config_schema_is_current() {
    check("config.schema.json", caac::config::config_schema());
}

#[test]
fn generated_rule_docs_are_current() {
    check_text(&root().join("docs/rules.md"), &caac::lint::docs_markdown());
}

#[test]
fn policy_schema_is_current() {
    check("policy.schema.json", caac::model::policy_schema());
}

#[test]
fn policy_draft07_schema_is_current() {
    check(
        "policy.draft-07.schema.json",
        caac::model::policy_schema_draft07(),
    );
}

#[test]
fn tenant_schema_is_current() {
    check("tenant.schema.json", caac::model::tenant_schema());
}

#[test]
fn location_schema_is_current() {
    check("location.schema.json", caac::objects::location_schema());
}

#[test]
fn strength_schema_is_current() {
    check("strength.schema.json", caac::objects::strength_schema());
}

#[test]
fn schema_command_prints_the_checked_in_files() {
    for (kind, file) in [
        ("policy", "policy.schema.json"),
        ("policy-draft07", "policy.draft-07.schema.json"),
        ("tenant", "tenant.schema.json"),
        ("config", "config.schema.json"),
        ("scenario", "scenario.schema.json"),
        ("location", "location.schema.json"),
        ("strength", "strength.schema.json"),
        (
            "graph-v1.0",
            "graph/conditionalAccessPolicy.v1.0.schema.json",
        ),
        (
            "graph-beta",
            "graph/conditionalAccessPolicy.beta.schema.json",
        ),
    ] {
        let out = crate::common::caac(&root(), &["schema", kind]);
        assert!(out.status.success(), "caac schema {kind}");
        let printed = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            printed,
            std::fs::read_to_string(root().join("schemas").join(file)).unwrap()
        );
        // A real `$id`: the checked-in file's address in the repository.
        let schema: serde_json::Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(
            schema["$id"],
            format!("https://github.com/caac-dev/caac/raw/main/schemas/{file}"),
            "{kind}"
        );
    }
}

/// Every `*.json` under `schemas/` (recursively), as `/`-separated paths.
fn schema_files() -> Vec<String> {
    fn walk(dir: &std::path::Path, prefix: &str, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.path().is_dir() {
                walk(&e.path(), &format!("{name}/"), out);
            } else if name.ends_with(".json") {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("schemas"), "", &mut out);
    out.sort();
    out
}

/// Every schema file the repository ships (schemas/graph included) is
/// printable with `caac schema` and embedded for `caac init`: a new file in
/// `schemas/` without a kind fails here.
#[test]
fn schema_command_covers_every_shipped_schema() {
    let help = crate::common::caac(&root(), &["schema", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    let mut embedded: Vec<String> = caac::schemas::SHIPPED
        .iter()
        .map(|s| s.file.to_owned())
        .collect();
    embedded.sort();
    assert_eq!(embedded, schema_files(), "caac::schemas::SHIPPED");
    for name in schema_files() {
        assert!(
            help.contains(&name),
            "`caac schema` cannot print {name}: {help}"
        );
    }
}

/// Every shipped schema has a real `$id` (its public URL) and one dialect,
/// draft 2020-12, except the policy schema's draft-07 copy for editors.
#[test]
fn shipped_schemas_have_a_public_id_and_one_draft() {
    for name in schema_files() {
        let text = std::fs::read_to_string(root().join("schemas").join(&name)).unwrap();
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            schema["$id"],
            format!("https://github.com/caac-dev/caac/raw/main/schemas/{name}"),
            "{name}"
        );
        let want = if name == "policy.draft-07.schema.json" {
            "http://json-schema.org/draft-07/schema#"
        } else {
            "https://json-schema.org/draft/2020-12/schema"
        };
        assert_eq!(schema["$schema"], want, "{name}");
    }
}
