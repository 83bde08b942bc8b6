//! Check: the shared front half of every command — load the tenant file,
//! collect the spec files, load → validate → resolve each, then run the lint
//! rules over the set.
//!
//! Contract: [`check`] never writes anything and never stops at the first
//! problem; it returns every file's report (diagnostics with pointers) and
//! the resolved policies, in sorted path order. Only "nothing to check" is an
//! `Err` (a usage error).

use crate::catalog::Kind;
use crate::diag::Diagnostic;
use crate::lint::{self, BreakGlassIds, Context};
use crate::model::{self, Policy, Tenant};
use crate::report::FileReport;
use crate::resolve;
use crate::validate::{self, Schema};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static POLICY_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(model::policy_schema()));
static TENANT_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(model::tenant_schema()));

/// What to check.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// Files and directories (directories are walked for *.yaml / *.yml).
    pub paths: &'a [PathBuf],
    /// The tenant file; `None` uses `tenant.yaml` in the working directory when present.
    pub tenant: Option<PathBuf>,
    /// Extra break-glass users or groups (names or ids).
    pub break_glass: &'a [String],
}

/// One checked spec file.
#[derive(Debug, Clone)]
pub struct File {
    /// The path as found.
    pub path: PathBuf,
    /// Its diagnostics (load, schema, resolution, lint).
    pub report: FileReport,
    /// The resolved policy, when the file loaded, validated and resolved.
    pub policy: Option<Policy>,
}

/// The result of [`check`].
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Reports that belong to no spec file: the tenant file, the command line, unreadable paths.
    pub other: Vec<FileReport>,
    /// Every spec file, sorted by path.
    pub files: Vec<File>,
    /// The tenant file, when it loaded.
    pub tenant: Option<Tenant>,
    /// Resolved break-glass identities.
    pub break_glass: BreakGlassIds,
}

impl Checked {
    /// All reports: the non-file ones first, then each file's.
    pub fn into_reports(self) -> Vec<FileReport> {
        let mut out = self.other;
        out.extend(self.files.into_iter().map(|f| f.report));
        out
    }
}

/// Runs the front half of the pipeline.
pub fn check(opts: &Options) -> Result<Checked, String> {
    let mut checked = Checked::default();
    let tenant_path = opts.tenant.clone().or_else(|| {
        let default = PathBuf::from("tenant.yaml");
        default.is_file().then_some(default)
    });
    if let Some(p) = &tenant_path {
        let (t, mut r) = load_tenant(p);
        if let Some(t) = &t {
            let (users, groups, ds) = resolve::break_glass(t);
            checked.break_glass = BreakGlassIds { users, groups };
            r.diagnostics.extend(ds);
        }
        checked.tenant = t;
        checked.other.push(r);
    }
    let mut cli = FileReport {
        path: "<command line>".into(),
        ..FileReport::default()
    };
    for value in opts.break_glass {
        match break_glass_value(value, checked.tenant.as_ref()) {
            Ok((users, groups)) => {
                checked.break_glass.users.extend(users);
                checked.break_glass.groups.extend(groups);
            }
            Err(d) => cli.diagnostics.push(d),
        }
    }
    if !cli.diagnostics.is_empty() {
        checked.other.push(cli);
    }
    let files = collect(opts.paths, tenant_path.as_deref(), &mut checked.other);
    if files.is_empty() && checked.other.iter().all(|r| r.diagnostics.is_empty()) {
        let shown: Vec<String> = opts.paths.iter().map(|p| display(p)).collect();
        return Err(format!(
            "no policy files (*.yaml, *.yml) found in {}",
            shown.join(", ")
        ));
    }
    for path in files {
        let l = load_policy(&path, checked.tenant.as_ref());
        checked.files.push(File {
            path,
            report: l.report,
            policy: l.policy,
        });
    }
    let contexts: Vec<(usize, Context)> = checked
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let policy = f.policy.as_ref()?;
            Some((
                i,
                Context {
                    source: &f.report.path,
                    policy,
                    tenant: checked.tenant.as_ref(),
                    break_glass: &checked.break_glass,
                },
            ))
        })
        .collect();
    let (index, contexts): (Vec<usize>, Vec<Context>) = contexts.into_iter().unzip();
    let findings = lint::run(&contexts);
    for (i, ds) in index.into_iter().zip(findings) {
        checked.files[i].report.diagnostics.extend(ds);
    }
    Ok(checked)
}

/// A `--break-glass` value: a GUID counts as user and group (the rule matches
/// either exclusion list); a name must be a group or a user in the tenant file.
fn break_glass_value(
    value: &str,
    tenant: Option<&Tenant>,
) -> Result<(Vec<String>, Vec<String>), Diagnostic> {
    if resolve::is_guid(value) {
        let id = value.to_ascii_lowercase();
        return Ok((vec![id.clone()], vec![id]));
    }
    let group = resolve::resolve_value(Kind::Group, value, tenant);
    let user = resolve::resolve_value(Kind::User, value, tenant);
    match (group, user) {
        (Ok(g), Err(_)) => Ok((Vec::new(), vec![g])),
        (Err(_), Ok(u)) => Ok((vec![u], Vec::new())),
        (Ok(_), Ok(_)) => Err(Diagnostic::error(
            "ambiguous-name",
            format!("--break-glass `{value}` names both a group and a user in the tenant file"),
        )
        .with_help("pass the object id instead")),
        (Err(d), Err(_)) => Err(Diagnostic {
            message: format!("--break-glass: unknown user or group `{value}`"),
            ..d
        }),
    }
}

/// A policy file after loading, validation and resolution.
struct Loaded {
    report: FileReport,
    /// Resolved policy (present when the file loaded and validated).
    policy: Option<Policy>,
}

/// Loads and validates the tenant file; returns it with its report.
fn load_tenant(path: &Path) -> (Option<Tenant>, FileReport) {
    let mut report = FileReport {
        path: path.display().to_string(),
        ..FileReport::default()
    };
    match crate::load::load(path) {
        Err(d) => report.diagnostics.push(*d),
        Ok(doc) => {
            match validate::typed::<Tenant>(&TENANT_SCHEMA, &doc) {
                Ok(t) => {
                    report.text = Some(doc.text);
                    report.spans = Some(doc.spans);
                    return (Some(t), report);
                }
                Err(ds) => report.diagnostics.extend(ds),
            }
            report.text = Some(doc.text);
            report.spans = Some(doc.spans);
        }
    }
    (None, report)
}

fn load_policy(path: &Path, tenant: Option<&Tenant>) -> Loaded {
    let mut report = FileReport {
        path: display(path),
        ..FileReport::default()
    };
    let doc = match std::fs::read(path) {
        Err(e) => {
            report
                .diagnostics
                .push(Diagnostic::error("io", format!("cannot read: {e}")));
            return Loaded {
                report,
                policy: None,
            };
        }
        Ok(bytes) => match crate::load::parse_bytes(report.path.clone(), &bytes) {
            Ok(doc) => doc,
            Err((d, text)) => {
                report.diagnostics.push(*d);
                report.text = text;
                return Loaded {
                    report,
                    policy: None,
                };
            }
        },
    };
    let typed = validate::typed::<Policy>(&POLICY_SCHEMA, &doc);
    report.text = Some(doc.text);
    report.spans = Some(doc.spans);
    let policy = match typed {
        Ok(p) => p,
        Err(ds) => {
            report.diagnostics.extend(ds);
            return Loaded {
                report,
                policy: None,
            };
        }
    };
    let (resolved, ds) = resolve::resolve(&policy, tenant);
    let ok = ds.is_empty();
    report.diagnostics.extend(ds);
    Loaded {
        report,
        policy: ok.then_some(resolved),
    }
}

/// Paths shown with `/` separators so messages and the manifest do not depend on the OS.
pub fn display(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// Expands files and directories into a sorted, de-duplicated list of spec
/// files. Directories are walked recursively (hidden entries and tenant files
/// skipped, symlink loops cut by canonical path).
fn collect(paths: &[PathBuf], skip: Option<&Path>, errors: &mut Vec<FileReport>) -> Vec<PathBuf> {
    let skip = skip.and_then(|p| p.canonicalize().ok());
    let mut files = BTreeSet::new();
    let mut seen_dirs = BTreeSet::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut files, &mut seen_dirs, errors, 0),
            Ok(_) => {
                files.insert(p.clone());
            }
            Err(e) => errors.push(FileReport {
                path: display(p),
                diagnostics: vec![Diagnostic::error("io", format!("cannot read: {e}"))],
                ..FileReport::default()
            }),
        }
    }
    files
        .into_iter()
        .filter(|f| skip.is_none() || f.canonicalize().ok() != skip)
        .collect()
}

fn walk(
    dir: &Path,
    files: &mut BTreeSet<PathBuf>,
    seen: &mut BTreeSet<PathBuf>,
    errors: &mut Vec<FileReport>,
    depth: usize,
) {
    let Ok(canonical) = dir.canonicalize() else {
        return;
    };
    if depth > 32 || !seen.insert(canonical) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(FileReport {
                path: display(dir),
                diagnostics: vec![Diagnostic::error(
                    "io",
                    format!("cannot read directory: {e}"),
                )],
                ..FileReport::default()
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        let name = child
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if child.is_dir() {
            walk(&child, files, seen, errors, depth + 1);
        } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
            && name != "tenant.yaml"
            && name != "tenant.yml"
        {
            files.insert(child);
        }
    }
}
