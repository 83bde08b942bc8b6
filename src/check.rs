//! Check: the shared front half of every command — load the tenant file,
//! collect the spec files, load → validate → resolve each, then run the lint
//! rules over the set.
//!
//! Contract: [`check`] never writes anything and never stops at the first
//! problem; it returns every file's report (diagnostics with pointers) and
//! the resolved policies, in sorted path order. Only "nothing to check" is an
//! `Err` (a usage error).

use crate::catalog::Kind;
use crate::config::{Config, ConfigFile};
use crate::diag::Diagnostic;
use crate::lint::{self, BreakGlassIds, Context};
use crate::model::{self, Policy, Tenant};
use crate::report::FileReport;
use crate::resolve;
use crate::validate::{self, Schema};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static POLICY_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(model::policy_schema()));
static TENANT_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(model::tenant_schema()));
static CONFIG_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::new(crate::config::config_schema()));

/// The name of the report that carries findings about the policy set as a whole.
pub const SET_REPORT: &str = "<policy set>";

/// What to check.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// Files and directories (directories are walked for *.yaml / *.yml).
    pub paths: &'a [PathBuf],
    /// The tenant file; `None` uses `tenant.yaml` in the working directory when present.
    pub tenant: Option<PathBuf>,
    /// Extra break-glass users or groups (names or ids).
    pub break_glass: &'a [String],
    /// The config file; `None` uses `.caac.yaml` in the working directory when present.
    pub config: Option<PathBuf>,
    /// The paths are part of a set only: drop the findings about the set as a
    /// whole (missing baselines).
    pub partial: bool,
}

/// One checked spec file.
#[derive(Debug, Clone)]
pub struct File {
    /// The path as found.
    pub path: PathBuf,
    /// Its diagnostics (load, schema, resolution, lint), pointers in the file's own terms.
    pub report: FileReport,
    /// The policies in the file: one for a YAML spec, any number for a Graph export.
    pub units: Vec<Unit>,
}

/// One policy inside a file.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Where the policy sits in the file (`""` for a spec, `/3` or `/value/3` in an export).
    pub at: String,
    /// Its display name, when known.
    pub display_name: Option<String>,
    /// The resolved policy, when it loaded and validated. References that did
    /// not resolve are left as written (and reported), so the rules still run.
    pub policy: Option<Policy>,
    /// True when loading, conversion and resolution raised no error: only
    /// clean policies are compiled.
    pub clean: bool,
    /// For Graph exports: the spec → source pointer map.
    pub converted: Option<crate::import::graph::Converted>,
}

impl Unit {
    /// Rewrites a diagnostic's spec pointer into the file's own pointer and
    /// tags it with the policy's display name.
    pub fn localise(&self, mut d: Diagnostic) -> Diagnostic {
        if let (Some(c), crate::diag::Location::Pointer { pointer, .. }) =
            (&self.converted, &mut d.location)
        {
            *pointer = c.source_pointer(pointer).unwrap_or_else(|| self.at.clone());
        }
        d.policy = self.display_name.clone();
        d
    }
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
    /// The effective configuration.
    pub config: Config,
    /// Rules that did not run and why: `(id, reason)`.
    pub skipped: Vec<(&'static str, &'static str)>,
    /// The identity that runs `caac apply` (`deploy.identity`): (resolved
    /// service principal id, as written).
    pub apply_identity: Option<(String, String)>,
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
        let (t, mut r) = load_typed::<Tenant>(p, &TENANT_SCHEMA);
        if let Some(t) = &t {
            let (users, groups, ds) = resolve::break_glass(t);
            checked.break_glass = BreakGlassIds { users, groups };
            r.diagnostics.extend(ds);
        }
        checked.tenant = t;
        checked.other.push(r);
    }
    let config_path = opts.config.clone().or_else(|| {
        let default = PathBuf::from(".caac.yaml");
        default.is_file().then_some(default)
    });
    if let Some(p) = &config_path {
        let (file, mut r) = load_typed::<ConfigFile>(p, &CONFIG_SCHEMA);
        if let Some(file) = file {
            let (config, ds) = Config::from_file(&file);
            r.diagnostics.extend(ds);
            if let Some(v) = &config.deploy_identity {
                match apply_identity(v, checked.tenant.as_ref()) {
                    Ok(id) => checked.apply_identity = Some((id, v.clone())),
                    Err(d) => r.diagnostics.push(d.at_value("/deploy/identity")),
                }
            }
            checked.config = config;
        }
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
    let skip: Vec<&Path> = tenant_path
        .iter()
        .chain(config_path.iter())
        .map(PathBuf::as_path)
        .collect();
    let files = collect(opts.paths, &skip, &mut checked.other);
    if files.is_empty() && checked.other.iter().all(|r| r.diagnostics.is_empty()) {
        let shown: Vec<String> = opts.paths.iter().map(|p| display(p)).collect();
        return Err(format!(
            "no policy files (*.yaml, *.yml, *.json) found in {}",
            shown.join(", ")
        ));
    }
    // Files are independent until the set-level rules: load, validate and
    // resolve them on every core. `collect` keeps input order, so output
    // stays deterministic.
    let tenant = checked.tenant.as_ref();
    checked.files = files
        .into_par_iter()
        .map(|path| {
            let (report, units) = load_policy(&path, tenant);
            File {
                path,
                report,
                units,
            }
        })
        .collect();
    let mut index = Vec::new();
    let mut contexts = Vec::new();
    for (i, f) in checked.files.iter().enumerate() {
        for (j, u) in f.units.iter().enumerate() {
            if let Some(policy) = &u.policy {
                index.push((i, j));
                contexts.push(Context {
                    source: &f.report.path,
                    policy,
                    tenant: checked.tenant.as_ref(),
                    break_glass: &checked.break_glass,
                    config: &checked.config,
                });
            }
        }
    }
    let outcome = lint::run(
        &contexts,
        &checked.config,
        !checked.break_glass.is_empty(),
        checked.tenant.is_some(),
        opts.partial,
    );
    drop(contexts);
    for ((i, j), ds) in index.into_iter().zip(outcome.policies) {
        let f = &mut checked.files[i];
        let localised: Vec<Diagnostic> = ds.into_iter().map(|d| f.units[j].localise(d)).collect();
        f.report.diagnostics.extend(localised);
    }
    for f in &mut checked.files {
        lint::suppress::apply(&mut f.report);
    }
    if !outcome.set.is_empty() {
        checked.other.push(FileReport {
            path: SET_REPORT.into(),
            diagnostics: outcome.set,
            ..FileReport::default()
        });
    }
    checked.skipped = outcome.skipped;
    Ok(checked)
}

/// The lockout gate ([`crate::whatif::lockout`]), the step `caac lint` and
/// `caac build` add after [`check`]: sweeps every clean policy for the
/// break-glass accounts and the apply identity and adds one `lockout` error
/// per policy and identity that could be locked out. Without either
/// identity it is listed in [`Checked::skipped`] like a tenant-dependent rule.
/// Lockout errors are not suppressible inline: the gate is the safety net.
pub fn lockout_gate(checked: &mut Checked) {
    use crate::whatif::{PolicyRef, lockout};
    if checked.break_glass.is_empty() && checked.apply_identity.is_none() {
        checked.skipped.push((
            lockout::CODE,
            "no break-glass accounts known (add `breakGlass:` to tenant.yaml or pass --break-glass)",
        ));
        return;
    }
    let mut index = Vec::new();
    let mut refs = Vec::new();
    for (i, f) in checked.files.iter().enumerate() {
        for (j, u) in f.units.iter().enumerate() {
            if let (Some(policy), true) = (&u.policy, u.clean) {
                index.push((i, j));
                refs.push(PolicyRef {
                    name: u.display_name.as_deref().unwrap_or_default(),
                    policy,
                });
            }
        }
    }
    let gate = lockout::Gate {
        tenant: checked.tenant.as_ref(),
        break_glass: &checked.break_glass,
        apply_identity: checked
            .apply_identity
            .as_ref()
            .map(|(id, w)| (id.as_str(), w.as_str())),
    };
    let found = lockout::run(&refs, &gate);
    drop(refs);
    for ((i, j), ds) in index.into_iter().zip(found) {
        let f = &mut checked.files[i];
        let localised: Vec<Diagnostic> = ds.into_iter().map(|d| f.units[j].localise(d)).collect();
        f.report.diagnostics.extend(localised);
    }
}

/// `deploy.identity`: one service principal, by id or tenant-file name.
fn apply_identity(value: &str, tenant: Option<&Tenant>) -> Result<String, Diagnostic> {
    if let Some(k) = crate::catalog::keyword(Kind::ServicePrincipal, value) {
        return Err(Diagnostic::error(
            "invalid-value",
            format!("`{k}` is a keyword for policies, not one service principal"),
        )
        .with_help("give the deploying service principal's object id or its name from tenant.yaml `servicePrincipals`"));
    }
    resolve::resolve_value(Kind::ServicePrincipal, value, tenant)
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

/// Loads and schema-checks a tenant file.
pub fn load_tenant(path: &Path) -> (Option<Tenant>, FileReport) {
    load_typed::<Tenant>(path, &TENANT_SCHEMA)
}

/// Loads and schema-checks a tenant or config file; returns it with its report.
fn load_typed<T: serde::de::DeserializeOwned>(
    path: &Path,
    schema: &Schema,
) -> (Option<T>, FileReport) {
    let mut report = FileReport {
        path: display(path),
        ..FileReport::default()
    };
    let doc = match crate::load::load(path) {
        Ok(doc) => doc,
        Err((d, text)) => {
            report.diagnostics.push(*d);
            report.text = text;
            return (None, report);
        }
    };
    let typed = validate::typed::<T>(schema, &doc);
    report.text = Some(doc.text);
    report.spans = Some(doc.spans);
    match typed {
        Ok(t) => (Some(t), report),
        Err(ds) => {
            report.diagnostics.extend(ds);
            (None, report)
        }
    }
}

/// Loads one spec or export: its report and its policies.
pub fn load_policy(path: &Path, tenant: Option<&Tenant>) -> (FileReport, Vec<Unit>) {
    let mut report = FileReport {
        path: display(path),
        ..FileReport::default()
    };
    let doc = match crate::load::load(path) {
        Ok(doc) => doc,
        Err((d, text)) => {
            report.diagnostics.push(*d);
            report.text = text;
            return (report, Vec::new());
        }
    };
    let mut units = Vec::new();
    if is_export(path) {
        // A Graph export: one or many policies in Graph's own shape.
        match crate::import::graph::policies_in(&doc.value) {
            Err(d) => report.diagnostics.push(d),
            Ok(found) if found.is_empty() => report.diagnostics.push(
                Diagnostic::error("empty-file", "the export holds no policies".into())
                    .at_value(if doc.value.get("value").is_some() {
                        "/value"
                    } else {
                        ""
                    })
                    .with_help("export at least one policy, or remove the file"),
            ),
            Ok(found) => {
                for (at, value) in found {
                    let converted = crate::import::graph::from_graph(value, &at);
                    let failed = crate::import::graph::has_errors(&converted.diagnostics);
                    let mut unit = Unit {
                        at,
                        display_name: Some(converted.policy.display_name.clone())
                            .filter(|n| !n.is_empty()),
                        policy: None,
                        converted: None,
                        clean: false,
                    };
                    report
                        .diagnostics
                        .extend(converted.diagnostics.iter().cloned().map(|mut d| {
                            d.policy = unit.display_name.clone();
                            d
                        }));
                    // The spec's own constraints (non-empty names, rule length,
                    // `include` present, …) apply to exports too.
                    let shape: Vec<Diagnostic> = serde_json::to_value(&converted.policy)
                        .map(|v| POLICY_SCHEMA.check(&v))
                        .unwrap_or_default();
                    let failed = failed || !shape.is_empty();
                    unit.converted = Some(converted.clone());
                    report
                        .diagnostics
                        .extend(shape.into_iter().map(|d| unit.localise(d)));
                    let (resolved, ds) = resolve::resolve(&converted.policy, tenant);
                    let ok = ds.is_empty() && !failed;
                    unit.converted = Some(converted);
                    report
                        .diagnostics
                        .extend(ds.into_iter().map(|d| unit.localise(d)));
                    unit.policy = Some(resolved);
                    unit.clean = ok;
                    units.push(unit);
                }
            }
        }
    } else {
        let mut unit = Unit {
            at: String::new(),
            display_name: None,
            policy: None,
            converted: None,
            clean: false,
        };
        match validate::typed::<Policy>(&POLICY_SCHEMA, &doc) {
            Ok(policy) => {
                unit.display_name = Some(policy.display_name.clone());
                let (resolved, ds) = resolve::resolve(&policy, tenant);
                let ok = ds.is_empty();
                report
                    .diagnostics
                    .extend(ds.into_iter().map(|d| unit.localise(d)));
                unit.policy = Some(resolved);
                unit.clean = ok;
            }
            Err(ds) => report.diagnostics.extend(ds),
        }
        units.push(unit);
    }
    report.text = Some(doc.text);
    report.spans = Some(doc.spans);
    (report, units)
}

/// `.json` files are Graph exports; everything else is a YAML spec.
fn is_export(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Paths shown with `/` separators so messages and the manifest do not depend on the OS.
pub fn display(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// Expands files and directories into a sorted, de-duplicated list of spec
/// files. Directories are walked recursively (hidden entries and tenant files
/// skipped, symlink loops cut by canonical path).
pub fn collect(paths: &[PathBuf], skip: &[&Path], errors: &mut Vec<FileReport>) -> Vec<PathBuf> {
    let skip: Vec<PathBuf> = skip.iter().filter_map(|p| p.canonicalize().ok()).collect();
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
        .filter(|f| f.canonicalize().map_or(true, |c| !skip.contains(&c)))
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
            // A directory caac wrote (it holds caac's manifest) is output, not input.
            if !child.join(crate::emit::MANIFEST).is_file() {
                walk(&child, files, seen, errors, depth + 1);
            }
        } else if (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"))
            && !matches!(name.as_str(), "tenant.yaml" | "tenant.yml" | ".caac.yaml")
        {
            files.insert(child);
        }
    }
}
