//! `caac impact`: what a change to the policies does to access.
//!
//! Contract: [`run`] materialises the base policy set — a directory holding
//! the same PATHS (another checkout), or a git revision whose PATHS are
//! extracted with `git archive REV -- PATHS | tar -x` into a temporary
//! directory that is always removed (no network, the repository is not
//! touched) — loads both sides with the lint front half (`check::check`,
//! partial), and hands them to [`crate::whatif::impact`]. The tenant file
//! and the config are the current ones on both sides. Exit codes: 0 no
//! impact, 1 impact (in the enforced policies; with `--enforce-report-only`
//! also as if report-only policies were enforced), like `terraform plan
//! -detailed-exitcode`; 2 input errors (not a git repository, unknown
//! revision, unreadable policies on either side, with positioned
//! diagnostics; base files are named `REV:path`).

use crate::check;
use crate::cli::{ImpactArgs, ImpactFormat};
use crate::report;
use crate::whatif::coverage::Mode;
use crate::whatif::impact;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

/// Maps a report path for display (temporary extraction → `REV:path`).
type Rename = Box<dyn Fn(&str) -> String>;

/// Input error exit code (as in [`crate::app`]).
const INPUT_ERROR: u8 = 2;

/// A temporary directory removed on drop (also on early returns).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
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
fn extract(rev: &str, paths: &[PathBuf], into: &Path) -> Result<Vec<PathBuf>, String> {
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

/// Loads one side; `Err` after printing positioned diagnostics when a
/// policy cannot be read. `rename` maps a report path for display.
fn load(
    paths: &[PathBuf],
    args: &ImpactArgs,
    color: bool,
    rename: &dyn Fn(&str) -> String,
) -> Result<check::Checked, u8> {
    let opts = check::Options {
        paths,
        tenant: args.tenant.clone(),
        break_glass: &[],
        config: args.config.clone(),
        partial: true,
    };
    let checked = check::check(&opts).map_err(|message| {
        eprintln!("error: {}", rename(&message));
        INPUT_ERROR
    })?;
    // As for whatif: only problems that make the policies unreadable matter.
    let mut reports = checked.input_errors();
    for r in &mut reports {
        r.path = rename(&r.path);
    }
    if !reports.is_empty() {
        for r in &mut reports {
            r.sort();
        }
        eprint!("{}", report::human(&reports, color));
        return Err(INPUT_ERROR);
    }
    Ok(checked)
}

/// `caac impact`: the report text and whether there is impact (exit 1), or
/// the exit code of an input error (messages already printed).
pub fn run(args: &ImpactArgs, color: bool) -> Result<(String, bool), u8> {
    let base_dir = Path::new(&args.base);
    let tmp;
    let (base_paths, rename): (Vec<PathBuf>, Rename) = if base_dir.is_dir() {
        let paths = args.paths.iter().map(|p| base_dir.join(p)).collect();
        (paths, Box::new(|s: &str| s.to_owned()))
    } else {
        tmp = TempDir::new().map_err(|e| {
            eprintln!("error: {e}");
            INPUT_ERROR
        })?;
        let paths = extract(&args.base, &args.paths, &tmp.0).map_err(|e| {
            eprintln!("error: {e}");
            INPUT_ERROR
        })?;
        let root = format!("{}/", tmp.0.display());
        let rev = args.base.clone();
        (
            paths,
            Box::new(move |s: &str| s.replace(&root, &format!("{rev}:"))),
        )
    };
    let base = if base_paths.is_empty() {
        None
    } else {
        Some(load(&base_paths, args, color, &*rename).inspect_err(|_| {
            eprintln!(
                "error: the base policies ({}) are invalid; nothing was compared",
                args.base
            );
        })?)
    };
    let head = load(&args.paths, args, color, &|s: &str| s.to_owned()).inspect_err(|_| {
        eprintln!("error: the policies are invalid; nothing was compared");
    })?;
    let base_refs = base
        .as_ref()
        .map(check::Checked::policy_refs)
        .unwrap_or_default();
    let head_refs = head.policy_refs();
    let tenant = head.tenant.as_ref();
    let found = impact::analyse(&base_refs, &head_refs, tenant);
    let text = match args.format {
        ImpactFormat::Human => impact::human(&found, &args.base),
        ImpactFormat::Json => crate::emit::pretty(&impact::json(&found, &args.base, tenant)),
        ImpactFormat::Markdown => impact::markdown(&found, &args.base, tenant),
    };
    let changed = found.any(Mode::Enforced)
        || (args.enforce_report_only && found.any(Mode::ReportOnlyAsEnforced));
    Ok((text, changed))
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
