//! `caac init [DIR] [--starter|--empty]`: a working policy repository in
//! DIR (default `.`): `policies/` (the starter set bundled from this
//! repository, its rollout dates set to today, and its what-if scenarios in
//! `tests/`; or empty), `tenant.yaml`
//! (placeholder ids, marked as such), `.caac.yaml`, `schemas/` (every schema
//! caac ships), `.vscode/settings.json` (the schemas mapped for the YAML
//! language server), `.pre-commit-config.yaml` and
//! `.github/workflows/caac.yml` (the caac Action).
//!
//! Contract: nothing is ever overwritten. Every target is checked before
//! anything is written; if any exists, init names them all, writes nothing
//! and exits 2. The files are staged in a temporary directory and moved into
//! place by renames (a new DIR in one rename); when a rename fails, the ones
//! done are undone, so a failed init leaves the disk as it was. Every YAML
//! file's `$schema` modeline is a path relative to that file, resolving to
//! the copy under `DIR/schemas/`.

use super::{ExitStatus, INPUT_ERROR, OK, note};
use crate::check;
use crate::cli::InitArgs;
use std::path::{Component, Path, PathBuf};

/// The starter policy set: this repository's `policies/`, file by file
/// (a test keeps the list equal to the directory).
pub(crate) const STARTER_POLICIES: &[(&str, &str)] = &[
    (
        "CA001-BlockLegacyAuthentication.yaml",
        include_str!("../../policies/CA001-BlockLegacyAuthentication.yaml"),
    ),
    (
        "CA002-Admins-PhishingResistantMFA.yaml",
        include_str!("../../policies/CA002-Admins-PhishingResistantMFA.yaml"),
    ),
    (
        "CA003-AllUsers-MFA.yaml",
        include_str!("../../policies/CA003-AllUsers-MFA.yaml"),
    ),
    (
        "CA004-SignInRisk-MFA.yaml",
        include_str!("../../policies/CA004-SignInRisk-MFA.yaml"),
    ),
    (
        "CA005-UserRisk-PasswordChange.yaml",
        include_str!("../../policies/CA005-UserRisk-PasswordChange.yaml"),
    ),
    (
        "CA006-BlockDeviceCodeFlow.yaml",
        include_str!("../../policies/CA006-BlockDeviceCodeFlow.yaml"),
    ),
    (
        "CA007-SecurityInfoRegistration.yaml",
        include_str!("../../policies/CA007-SecurityInfoRegistration.yaml"),
    ),
    (
        "CA410-TokenProtection-ExchangeSharePoint-Windows.yaml",
        include_str!("../../policies/CA410-TokenProtection-ExchangeSharePoint-Windows.yaml"),
    ),
    (
        "CA411-TokenProtection-BlockUnknownPlatforms.yaml",
        include_str!("../../policies/CA411-TokenProtection-BlockUnknownPlatforms.yaml"),
    ),
    (
        "CA412-TokenProtection-RequireCompliantDevice.yaml",
        include_str!("../../policies/CA412-TokenProtection-RequireCompliantDevice.yaml"),
    ),
];

/// The starter set's what-if scenarios (`caac test`): this repository's
/// `tests/*.yaml`, file by file (a test keeps the list equal to them).
pub(crate) const STARTER_SCENARIOS: &[(&str, &str)] = &[
    (
        "baseline-policies.yaml",
        include_str!("../../tests/baseline-policies.yaml"),
    ),
    (
        "emergency-access-never-blocked.yaml",
        include_str!("../../tests/emergency-access-never-blocked.yaml"),
    ),
    (
        "token-protection-pilot.yaml",
        include_str!("../../tests/token-protection-pilot.yaml"),
    ),
];

/// The starter tenant file (placeholder ids in caac's reserved range, which
/// `caac plan`/`apply` refuse; its header says to replace them).
const TENANT: &str = include_str!("../../tenant.yaml");
/// The starter linter configuration.
const CONFIG: &str = include_str!("../../.caac.yaml");

/// Sets every rollout date (`reportOnlySince:`, `pilotSince:`) in a starter
/// spec to `today`, so a copied set starts its dwell time now instead of
/// looking stale (CA207) on the day it is copied.
pub(crate) fn date_rollout(spec: &str, today: &str) -> String {
    static DATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?m)^([ \t]*(?:reportOnlySince|pilotSince):[ \t]*)\d{4}-\d{2}-\d{2}")
            .expect("valid regex")
    });
    DATE.replace_all(spec, |c: &regex::Captures| format!("{}{today}", &c[1]))
        .into_owned()
}

/// `.vscode/settings.json`: `yaml.schemas` maps each schema (a path from
/// the workspace root) to the files it describes
/// (<https://github.com/redhat-developer/yaml-language-server#associating-a-schema-to-a-glob-pattern-via-yamlschemas>;
/// a relative schema path is relative to the workspace root).
fn vscode_settings() -> String {
    crate::emit::pretty(&serde_json::json!({
        "yaml.schemas": {
            "./schemas/policy.draft-07.schema.json": ["policies/*.yaml", "policies/*.yml"],
            "./schemas/tenant.schema.json": ["tenant.yaml"],
            "./schemas/config.schema.json": [".caac.yaml"],
            "./schemas/scenario.schema.json": ["tests/*.yaml"],
            "./schemas/location.schema.json": ["locations/*.yaml", "locations/*.yml"],
            "./schemas/strength.schema.json": ["strengths/*.yaml", "strengths/*.yml"],
        }
    }))
}

/// `.pre-commit-config.yaml`: the caac hooks at this release
/// (<https://pre-commit.com/#plugins>).
fn pre_commit_config(version: &str) -> String {
    format!(
        "# pre-commit (https://pre-commit.com): `pre-commit install`, then every commit\n\
         # that touches a policy, tenant.yaml or .caac.yaml lints the whole set.\n\
         repos:\n\
         \x20 - repo: https://github.com/caac-dev/caac\n\
         \x20   rev: v{version}\n\
         \x20   hooks:\n\
         \x20     - id: caac-lint\n"
    )
}

/// `.github/workflows/caac.yml`: lint with the caac Action (`action.yml` at
/// the root of https://github.com/caac-dev/caac) on pull requests and pushes
/// to main, least privilege per job
/// (<https://docs.github.com/actions/writing-workflows/workflow-syntax-for-github-actions#permissions>).
fn workflow(version: &str) -> String {
    format!(
        "# Lint the Conditional Access policies on every pull request and push to main:\n\
         # findings become annotations and code-scanning alerts (SARIF).\n\
         # For supply-chain safety, pin both actions to a full commit SHA\n\
         # (https://docs.github.com/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions).\n\
         name: caac\n\
         on:\n\
         \x20 pull_request:\n\
         \x20 push:\n\
         \x20   branches: [main]\n\
         permissions: {{}}\n\
         jobs:\n\
         \x20 lint:\n\
         \x20   runs-on: ubuntu-latest\n\
         \x20   permissions:\n\
         \x20     contents: read\n\
         \x20     security-events: write # SARIF upload to code scanning\n\
         \x20   steps:\n\
         \x20     - uses: actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955 # v4.3.0\n\
         \x20       with:\n\
         \x20         persist-credentials: false\n\
         \x20     - uses: caac-dev/caac@v{version}\n\
         \x20       with:\n\
         \x20         version: \"{version}\"\n\
         \x20         paths: policies\n\
         \x20         tenant: tenant.yaml\n\
         \x20         config: .caac.yaml\n\
         \x20         fail-level: warning\n"
    )
}

/// Every file init writes: path under DIR (`/`-separated) → bytes.
pub(crate) fn plan(starter: bool, today: &str) -> Vec<(String, Vec<u8>)> {
    let version = env!("CARGO_PKG_VERSION");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if starter {
        for (name, text) in STARTER_POLICIES {
            files.push((
                format!("policies/{name}"),
                date_rollout(text, today).into_bytes(),
            ));
        }
        for (name, text) in STARTER_SCENARIOS {
            files.push((format!("tests/{name}"), text.as_bytes().to_vec()));
        }
    } else {
        // Keeps the empty directory in git.
        files.push(("policies/.gitkeep".into(), Vec::new()));
    }
    files.push(("tenant.yaml".into(), TENANT.as_bytes().to_vec()));
    files.push((".caac.yaml".into(), CONFIG.as_bytes().to_vec()));
    for s in crate::schemas::SHIPPED {
        files.push((format!("schemas/{}", s.file), s.text.as_bytes().to_vec()));
    }
    files.push((
        ".vscode/settings.json".into(),
        vscode_settings().into_bytes(),
    ));
    files.push((
        ".pre-commit-config.yaml".into(),
        pre_commit_config(version).into_bytes(),
    ));
    files.push((
        ".github/workflows/caac.yml".into(),
        workflow(version).into_bytes(),
    ));
    files
}

/// The targets that already exist under `dir` (a file, or a non-directory
/// where init needs a directory).
fn conflicts(dir: &Path, files: &[(String, Vec<u8>)]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return vec![dir.to_owned()];
    }
    for (rel, _) in files {
        let mut p = dir.to_owned();
        let parts: Vec<&str> = rel.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            p.push(part);
            let last = i + 1 == parts.len();
            match std::fs::symlink_metadata(&p) {
                Ok(m) if last || !m.is_dir() => {
                    if !found.contains(&p) {
                        found.push(p.clone());
                    }
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    found
}

/// Writes `files` under `staging` (a new directory).
fn stage(staging: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    std::fs::create_dir(staging)?;
    for (rel, bytes) in files {
        let path = staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)?;
    }
    Ok(())
}

/// The top-most path of `rel` that does not exist under `dir`: the one
/// rename that brings `rel` (and its siblings in that new directory) in.
fn new_root(dir: &Path, rel: &str) -> String {
    let mut prefix = Vec::new();
    for part in rel.split('/') {
        prefix.push(part);
        if std::fs::symlink_metadata(dir.join(prefix.join("/"))).is_err() {
            break;
        }
    }
    prefix.join("/")
}

/// Moves the staged tree into an existing `dir`, one rename per new root;
/// undoes the renames done when one fails.
fn install(dir: &Path, staging: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let mut roots: Vec<String> = Vec::new();
    for (rel, _) in files {
        let root = new_root(dir, rel);
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    let mut done: Vec<PathBuf> = Vec::new();
    for root in &roots {
        let target = dir.join(root);
        if let Err(e) = std::fs::rename(staging.join(root), &target) {
            for d in done.iter().rev() {
                if d.is_dir() {
                    let _ = std::fs::remove_dir_all(d);
                } else {
                    let _ = std::fs::remove_file(d);
                }
            }
            return Err(e);
        }
        done.push(target);
    }
    Ok(())
}

/// Writes `files` into `dir` as described in the module contract.
fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let pid = std::process::id();
    if std::fs::symlink_metadata(dir).is_ok() {
        let staging = dir.join(format!(".caac-init-{pid}"));
        let result = stage(&staging, files).and_then(|()| install(dir, &staging, files));
        let _ = std::fs::remove_dir_all(&staging);
        return result;
    }
    // A new DIR: staged beside it and renamed into place whole.
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = dir
        .components()
        .next_back()
        .and_then(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .unwrap_or_else(|| "caac".into());
    let staging = parent.join(format!(".{name}.caac-init-{pid}"));
    let result = stage(&staging, files).and_then(|()| std::fs::rename(&staging, dir));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// `caac init`.
pub(crate) fn run(args: &InitArgs) -> ExitStatus {
    let today = crate::rollout::Day::today().to_string();
    let files = plan(!args.empty, &today);
    let existing = conflicts(&args.dir, &files);
    if !existing.is_empty() {
        // One message for the one cause: the paths, the first few by name.
        let mut names: Vec<String> = existing.iter().take(5).map(|p| check::display(p)).collect();
        if existing.len() > 5 {
            names.push(format!("and {} more", existing.len() - 5));
        }
        eprintln!(
            "error: caac init never overwrites a file, and {} already exist(s): {}; nothing was written (move them away, or run `caac init` in another directory)",
            existing.len(),
            names.join(", ")
        );
        return INPUT_ERROR;
    }
    if let Err(e) = write_all(&args.dir, &files) {
        eprintln!(
            "error: cannot write to {}: {e}; nothing was written",
            check::display(&args.dir)
        );
        return INPUT_ERROR;
    }
    note(format_args!(
        "wrote a caac repository to {} ({} files{}); replace the placeholder ids in tenant.yaml before `caac plan`",
        check::display(&args.dir),
        files.len(),
        if args.empty {
            ", no policies"
        } else {
            ", the starter policies dated today"
        }
    ));
    OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollout_dates_become_today() {
        let spec = "rollout:\n  stage: pilot\n  reportOnlySince: 2026-11-23\n  pilotSince: 2026-12-01\nx: 2026-11-23\n";
        assert_eq!(
            date_rollout(spec, "2030-01-02"),
            "rollout:\n  stage: pilot\n  reportOnlySince: 2030-01-02\n  pilotSince: 2030-01-02\nx: 2026-11-23\n"
        );
    }

    #[test]
    fn the_starter_set_is_this_repositorys_policies() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = STARTER_POLICIES.iter().map(|(n, _)| (*n).into()).collect();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn the_starter_scenarios_are_this_repositorys_tests() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = STARTER_SCENARIOS.iter().map(|(n, _)| (*n).into()).collect();
        assert_eq!(embedded, on_disk);
    }
}
