//! The git side of `caac impact`: materialising the base policy set.
//!
//! Contract: `extract` writes the PATHS at a git revision into a
//! temporary directory (`TempDir`, always removed on drop) with
//! `git archive REV -- PATHS | tar -x` (no network, the repository is not
//! touched), and returns the extracted paths; a path absent at the revision
//! is skipped (the base has no policies there). The command
//! (`commands/impact.rs`) loads both sides with the check stages (partial)
//! and hands them to [`crate::whatif::impact`]; the tenant file and the
//! config are the current ones on both sides. Its exit codes: 0 no impact,
//! 1 impact (in the enforced policies; with `--enforce-report-only` also as
//! if report-only policies were enforced), like `terraform plan
//! -detailed-exitcode`; 2 input errors (not a git repository, unknown
//! revision, unreadable policies on either side, with positioned
//! diagnostics; base files are named `REV:path`).

use std::path::{Component, Path, PathBuf};

/// What `caac impact` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/impact.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The changed policies (the head side) and how names resolve.
    pub inputs: crate::load::Inputs,
    /// The base: a directory, or a git revision.
    pub base: String,
    /// The changes' format.
    pub format: Format,
    /// Where the changes go; `None`: stdout.
    pub output: Option<PathBuf>,
    /// Impact in the as-if-enforced view also counts (exit 1).
    pub enforce_report_only: bool,
}

/// The changes' format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Grouped text.
    Human,
    /// Groups with their dimensions and a `caac whatif` request each.
    Json,
    /// A pull-request comment.
    Markdown,
}

/// The changes `found` against `base` in `format`.
pub fn text(
    found: &crate::whatif::impact::Impact,
    base: &str,
    tenant: Option<&crate::model::Tenant>,
    format: Format,
) -> String {
    use crate::whatif::impact;
    match format {
        Format::Human => impact::human(found, base),
        Format::Json => crate::emit::pretty(&impact::json(found, base, tenant)),
        Format::Markdown => impact::markdown(found, base, tenant),
    }
}
use std::process::{Command, Stdio};

/// Maps a report path for display (temporary extraction → `REV:path`).
pub(crate) type Rename = Box<dyn Fn(&str) -> String>;

/// A temporary directory removed on drop (also on early returns).
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new() -> Result<TempDir, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("caac-impact-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs git with `args`; stdout on success, the trimmed stderr otherwise.
fn git(args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// `path` (relative to the working directory) as a repository path under
/// `prefix`, or `None` when it leaves the repository or is absolute.
fn repo_path(prefix: &str, path: &Path) -> Option<String> {
    let mut parts: Vec<String> = prefix
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(s) => parts.push(s.to_str()?.to_owned()),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// Extracts `paths` at revision `rev` into `into`; returns the extracted
/// paths (as `check` should read them; a path absent at `rev` is skipped:
/// the base has no policies there).
pub(crate) fn extract(rev: &str, paths: &[PathBuf], into: &Path) -> Result<Vec<PathBuf>, String> {
    let top = git(&["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("--base {rev}: not a directory and not in a git repository ({e})"))?;
    let prefix = git(&["rev-parse", "--show-prefix"]).unwrap_or_default();
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|_| format!("--base {rev}: unknown revision (not a directory either)"))?;
    let mut out = Vec::new();
    for p in paths {
        let Some(rp) = repo_path(&prefix, p) else {
            return Err(format!(
                "{}: with a git --base, PATHS must be relative paths inside the repository",
                p.display()
            ));
        };
        let spec = if rp.is_empty() {
            ".".to_owned()
        } else {
            rp.clone()
        };
        let mut archive = Command::new("git")
            .args(["-C", &top, "archive", "--format=tar", &commit, "--", &spec])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let Some(stdout) = archive.stdout.take() else {
            return Err("cannot read git archive output".into());
        };
        let tar = Command::new("tar")
            .arg("-x")
            .arg("-C")
            .arg(into)
            .stdin(stdout)
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        let status = archive
            .wait()
            .map_err(|e| format!("git archive failed: {e}"))?;
        if !status.success() {
            // The path does not exist at `rev` (a new directory or file):
            // the base has nothing there.
            continue;
        }
        if !tar.status.success() {
            return Err(format!(
                "cannot extract {spec} at {rev}: {}",
                String::from_utf8_lossy(&tar.stderr).trim()
            ));
        }
        let extracted = into.join(&rp);
        if extracted.exists() {
            out.push(extracted);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths() {
        assert_eq!(
            repo_path("", Path::new("policies")).as_deref(),
            Some("policies")
        );
        assert_eq!(
            repo_path("sub/", Path::new("./policies/a.yaml")).as_deref(),
            Some("sub/policies/a.yaml")
        );
        assert_eq!(repo_path("sub/", Path::new("../x")).as_deref(), Some("x"));
        assert_eq!(repo_path("", Path::new("../x")), None);
        assert_eq!(repo_path("", Path::new("/abs")), None);
    }
}
