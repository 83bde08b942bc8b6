//! The JSON Schemas caac ships (the files under `schemas/`), embedded in the
//! binary so `caac schema` and `caac init` hand out exactly the checked-in
//! bytes, and the `# yaml-language-server: $schema=…` modelines caac writes.
//!
//! Contract:
//! - [`SHIPPED`] lists every schema file, by its path under `schemas/`;
//!   each one's `$id` is [`id`] of that path (a test keeps them in step).
//! - One dialect, JSON Schema draft 2020-12, for every schema but one:
//!   `policy.draft-07.schema.json`, a draft-07 copy of the policy schema for
//!   editors and SchemaStore, because the YAML language server (VS Code's
//!   YAML extension, and the editors that embed it) "Supports JSON Schema 7
//!   and below" (<https://github.com/redhat-developer/yaml-language-server>).
//! - [`modeline`] points a written file at a schema by a path that resolves
//!   from that file's own directory (when the schemas are on disk beside
//!   it), or else at the schema's public URL, its `$id`
//!   (<https://github.com/redhat-developer/yaml-language-server#using-inlined-schema>:
//!   a relative modeline path is relative to the YAML file itself).

use std::path::{Component, Path, PathBuf};

/// One shipped schema.
#[derive(Debug, Clone, Copy)]
pub struct Shipped {
    /// Its path under `schemas/` (`/`-separated).
    pub file: &'static str,
    /// The checked-in text.
    pub text: &'static str,
}

/// Every schema caac ships, in `caac schema`'s order.
pub const SHIPPED: &[Shipped] = &[
    Shipped {
        file: "policy.schema.json",
        text: include_str!("../schemas/policy.schema.json"),
    },
    Shipped {
        file: "policy.draft-07.schema.json",
        text: include_str!("../schemas/policy.draft-07.schema.json"),
    },
    Shipped {
        file: "tenant.schema.json",
        text: include_str!("../schemas/tenant.schema.json"),
    },
    Shipped {
        file: "config.schema.json",
        text: include_str!("../schemas/config.schema.json"),
    },
    Shipped {
        file: "scenario.schema.json",
        text: include_str!("../schemas/scenario.schema.json"),
    },
    Shipped {
        file: "location.schema.json",
        text: include_str!("../schemas/location.schema.json"),
    },
    Shipped {
        file: "strength.schema.json",
        text: include_str!("../schemas/strength.schema.json"),
    },
    Shipped {
        file: "graph/conditionalAccessPolicy.v1.0.schema.json",
        text: include_str!("../schemas/graph/conditionalAccessPolicy.v1.0.schema.json"),
    },
    Shipped {
        file: "graph/conditionalAccessPolicy.beta.schema.json",
        text: include_str!("../schemas/graph/conditionalAccessPolicy.beta.schema.json"),
    },
];

/// The schema the policy specs' modelines name: the draft-07 copy, which
/// the YAML language server understands (see the module comment).
pub const POLICY_FOR_EDITORS: &str = "policy.draft-07.schema.json";
/// The tenant file's schema.
pub const TENANT: &str = "tenant.schema.json";
/// The linter configuration's schema (`.caac.yaml`).
pub const CONFIG: &str = "config.schema.json";
/// The scenario files' schema (`caac test`).
pub const SCENARIO: &str = "scenario.schema.json";
/// The named location specs' schema (`locations/`).
pub const LOCATION: &str = "location.schema.json";
/// The authentication strength specs' schema (`strengths/`).
pub const STRENGTH: &str = "strength.schema.json";

/// The `$id` of a schema caac ships: where the checked-in file
/// `schemas/<file>` is served from the repository named in Cargo.toml, so
/// editors and validators that fetch by `$id` get the same bytes.
pub fn id(file: &str) -> String {
    format!(
        "{}/raw/main/schemas/{file}",
        env!("CARGO_PKG_REPOSITORY").trim_end_matches('/')
    )
}

/// The value of a `$schema=` modeline in a file written to `written`:
/// `schemas_dir/<schema>` relative to `written`'s directory when
/// `schemas_dir` is given (the caller knows the schemas are, or are being,
/// written there), else the public URL ([`id`]). Also the URL when no
/// relative path exists (another drive on Windows).
pub fn modeline(written: &Path, schema: &str, schemas_dir: Option<&Path>) -> String {
    let Some(dir) = schemas_dir else {
        return id(schema);
    };
    let from = absolute(written.parent().unwrap_or(Path::new("")));
    let to = absolute(&dir.join(schema));
    match relative(&from, &to) {
        Some(rel) => rel,
        None => id(schema),
    }
}

/// The schemas directory a command writing at `cwd` can point modelines at:
/// `cwd/schemas` when it holds `schema`, else none (the modeline uses the URL).
pub fn local_dir(schema: &str) -> Option<PathBuf> {
    let dir = PathBuf::from("schemas");
    dir.join(schema).is_file().then_some(dir)
}

/// `p` made absolute against the working directory, `.` and `..` folded
/// lexically (the file may not exist yet).
fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_owned()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The `/`-separated path from directory `from` to `to` (both absolute and
/// folded), or `None` when they have different roots.
fn relative(from: &Path, to: &Path) -> Option<String> {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    if f.first() != t.first() {
        return None;
    }
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b)).unwrap();
        assert_eq!(r("/r/policies", "/r/schemas/p.json"), "../schemas/p.json");
        assert_eq!(r("/r", "/r/schemas/p.json"), "schemas/p.json");
        assert_eq!(r("/r/a/b", "/r/schemas/p.json"), "../../schemas/p.json");
        assert_eq!(r("/x/y", "/r/schemas/p.json"), "../../r/schemas/p.json");
        assert_eq!(
            absolute(Path::new("/r/a/../b/./c")),
            PathBuf::from("/r/b/c")
        );
    }

    #[test]
    fn modeline_without_schemas_is_the_public_url() {
        assert_eq!(
            modeline(Path::new("policies/x.yaml"), TENANT, None),
            "https://github.com/caac-dev/caac/raw/main/schemas/tenant.schema.json"
        );
    }

    #[test]
    fn modeline_is_relative_to_the_written_file() {
        assert_eq!(
            modeline(
                Path::new("/r/a/b/x.yaml"),
                POLICY_FOR_EDITORS,
                Some(Path::new("/r/schemas"))
            ),
            "../../schemas/policy.draft-07.schema.json"
        );
        assert_eq!(
            modeline(
                Path::new("/r/tenant.yaml"),
                TENANT,
                Some(Path::new("/r/schemas"))
            ),
            "schemas/tenant.schema.json"
        );
    }

    /// Every shipped schema is JSON with the `$id` of its path.
    #[test]
    fn shipped_schemas_carry_their_id() {
        for s in SHIPPED {
            let v: serde_json::Value = serde_json::from_str(s.text).unwrap();
            assert_eq!(v["$id"], id(s.file), "{}", s.file);
        }
    }
}
