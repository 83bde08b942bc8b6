//! Every YAML file caac writes with a `# yaml-language-server: $schema=…`
//! modeline (`import`, `init`, the tenant file `pull` updates) names a
//! schema that resolves from that file's own directory, as the YAML
//! language server resolves it
//! (https://github.com/redhat-developer/yaml-language-server#using-inlined-schema:
//! a relative path is relative to the YAML file), or the schema's public
//! URL, its `$id` (docs/schemastore.md).

use crate::common::{caac, root, text};
use std::path::{Path, PathBuf};

/// Every `*.yaml`/`*.yml` file under `dir`, recursively.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

/// Checks the modeline of every YAML file under `dir`; returns how many
/// modelines pointed at a local file and how many at the public URL.
pub fn assert_modelines_resolve(dir: &Path) -> (usize, usize) {
    let mut files = Vec::new();
    yaml_files(dir, &mut files);
    let (mut local, mut url) = (0, 0);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let Some(target) = text
            .lines()
            .find_map(|l| l.strip_prefix("# yaml-language-server: $schema="))
        else {
            continue;
        };
        if target.starts_with("https://") {
            assert!(
                caac::schemas::SHIPPED
                    .iter()
                    .any(|s| caac::schemas::id(s.file) == target),
                "{}: {target} is not a shipped schema's $id",
                f.display()
            );
            url += 1;
        } else {
            let resolved = f.parent().unwrap().join(target);
            assert!(
                resolved.is_file(),
                "{}: the modeline {target} resolves to {}, which does not exist",
                f.display(),
                resolved.display()
            );
            local += 1;
        }
    }
    (local, url)
}

#[test]
fn init_modelines_resolve_from_each_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = caac(tmp.path(), &["init", "a/b/repo"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let (local, url) = assert_modelines_resolve(tmp.path());
    // Ten starter specs, three scenario files, tenant.yaml and .caac.yaml, all local.
    assert_eq!((local, url), (15, 0));
}

/// Without `./schemas`, import's specs and tenant skeleton name the public URL
/// (before, they named `../schemas/…`, which did not exist).
#[test]
fn import_modelines_without_local_schemas_are_the_public_url() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("x")).unwrap();
    let export = root().join("tests/fixtures/exports/token-protection-office365.json");
    let out = caac(
        tmp.path(),
        &[
            "import",
            export.to_str().unwrap(),
            "--out",
            "deep/er/specs",
            "--tenant-out",
            "x/tenant.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(assert_modelines_resolve(tmp.path()), (0, 2));
}

/// In a repository `caac init` wrote, import's files point at its schemas/,
/// relative to where each file lands.
#[test]
fn import_modelines_with_local_schemas_resolve_from_each_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = caac(tmp.path(), &["init", "--empty"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    std::fs::create_dir(tmp.path().join("x")).unwrap();
    let export = root().join("tests/fixtures/exports/token-protection-office365.json");
    let out = caac(
        tmp.path(),
        &[
            "import",
            export.to_str().unwrap(),
            "--out",
            "deep/er/specs",
            "--tenant-out",
            "x/tenant.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // tenant.yaml and .caac.yaml from init, the spec and the skeleton from import.
    assert_eq!(assert_modelines_resolve(tmp.path()), (4, 0));
    let spec = std::fs::read_dir(tmp.path().join("deep/er/specs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(std::fs::read_to_string(spec).unwrap().starts_with(
        "# yaml-language-server: $schema=../../../schemas/policy.draft-07.schema.json\n"
    ));
}
