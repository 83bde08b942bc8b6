//! Deploy: `caac pull`, `caac plan` and `caac apply` against Microsoft Graph.
//!
//! Contract: [`pull`] reads policies, named locations and authentication
//! strengths and writes them as one atomic state directory, then adds the
//! ids it learned to the tenant file (never renaming or overwriting an
//! entry). [`plan_command`] diffs the compiled repository against the
//! tenant or a pulled state ([`plan::plan`]) and renders it; its JSON is a
//! saved plan ([`saved`]). [`prepare_apply`] (plan now) or [`prepare_saved`]
//! (a saved plan, refused if the tenant changed since) then [`execute`]
//! run a plan: creates (report-only unless the spec says otherwise),
//! updates, and deletes only with `--prune`; after each write it reads the
//! policy back and records its id in `caac.lock` atomically, so a killed
//! run started again adopts what it created instead of duplicating it.
//! Named locations and custom authentication strengths with a spec in the
//! repository (or recorded in the lock) are managed too ([`objects`]):
//! created or updated before the policies that use them, the created ids
//! put into the policies' bodies in place of their placeholders, deleted
//! with `--prune` only after the last policy that used them, and refused
//! while a policy that stays still uses them. `pull --specs` writes them
//! as specs.
//!
//! The library prints nothing: each function returns what happened, or a
//! [`Stop`] with the lines to print and whether it is a refusal on findings
//! (exit 1) or an error (exit 2); `apply` reports progress through
//! [`Event`]s. The command layer prints and chooses the exit status.
//! Tokens never reach output, files or errors ([`client::Token`]).

pub mod auth;
pub mod client;
pub mod lock;
pub mod members;
pub mod objects;
pub mod patch;
pub mod plan;
pub mod saved;

use crate::check;
use crate::diag::Severity;
use crate::render;
use client::{Client, GraphError, Request, Settings};
use lock::Lock;
use plan::{Action, Desired, Plan};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the policies live, in Graph's beta (a superset of v1.0, read with
/// unknown enum members so nothing is silently dropped).
const POLICIES: &str = "/beta/identity/conditionalAccess/policies";
const NAMED_LOCATIONS: &str = "/beta/identity/conditionalAccess/namedLocations";
const STRENGTHS: &str = "/beta/identity/conditionalAccess/authenticationStrength/policies";

/// How to reach Graph.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Base URL.
    pub base: String,
    /// Seconds between requests.
    pub pace: f64,
    /// Seconds per request.
    pub timeout: f64,
    /// Which credential gets the token (`--auth`).
    pub auth: auth::Auth,
    /// Which Microsoft cloud the token is for (`--cloud`).
    pub cloud: auth::Cloud,
    /// `-q`: no notes (which credential was used).
    pub quiet: bool,
}

impl Connection {
    fn settings(&self) -> Settings {
        Settings {
            base: self.base.clone(),
            pace: Duration::from_secs_f64(self.pace.max(0.0)),
            timeout: Duration::from_secs_f64(self.timeout.max(0.001)),
            ..Settings::default()
        }
    }

    fn client(&self, need: auth::Need) -> Result<Client, GraphError> {
        let s = self.settings();
        // Checked before credentials are read or anything is sent.
        if let Err(why) = client::checked_url(&s.base) {
            return Err(GraphError::Config(format!(
                "--graph-url must be https:// or a loopback address, not `{}`: {why}",
                client::display_url(&s.base)
            )));
        }
        let token = auth::connect(self.auth, self.cloud, need, s.timeout, self.quiet)?;
        Client::new(s, token)
    }
}

/// Why a deploy command stopped before (or instead of) its product: the
/// complete lines for stderr (diagnostics first, then the closing
/// `error:` line) and whether it is a refusal on findings (exit 1: lint
/// errors, a lockout) or an error (exit 2: input, credentials, Graph). The
/// library prints nothing; the command layer prints `text` and chooses the
/// exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// Lines for stderr, each ending in a newline.
    pub text: String,
    /// A refusal on findings (exit 1) rather than an error (exit 2).
    pub findings: bool,
}

impl Stop {
    /// An error (exit 2): `error: {e}`.
    fn error(e: impl std::fmt::Display) -> Stop {
        Stop {
            text: format!("error: {e}\n"),
            findings: false,
        }
    }

    /// The same stop with `before` (diagnostics already gathered) first.
    fn after(mut self, before: &str) -> Stop {
        self.text.insert_str(0, before);
        self
    }
}

/// What `caac pull` did.
#[derive(Debug)]
pub struct Pulled {
    /// Policies written.
    pub policies: usize,
    /// Named locations written.
    pub named_locations: usize,
    /// Authentication strengths written.
    pub strengths: usize,
    /// The state directory.
    pub out: PathBuf,
    /// What happened to the tenant file (the state is written either way).
    pub tenant: Result<TenantUpdate, Stop>,
    /// With `--members`: the members file written (path, groups, roles),
    /// or why not (the state is written either way).
    pub members: Option<Result<(PathBuf, usize, usize), Stop>>,
    /// `--specs`: each spec directory written and how many specs it holds.
    pub specs: Vec<(PathBuf, usize)>,
    /// `--specs`: the objects no spec was written for, and why.
    pub spec_notes: Vec<String>,
}

/// What `caac pull` did to the tenant file.
#[derive(Debug, Default)]
pub struct TenantUpdate {
    /// The tenant file.
    pub path: PathBuf,
    /// Names that are another id in the file than in the tenant (kept).
    pub clashes: Vec<String>,
    /// Ids added (0: the file was not written).
    pub added: usize,
    /// The file existed before.
    pub existed: bool,
    /// It had comments, which rewriting it did not keep.
    pub comments_lost: bool,
}

/// `caac pull`: writes the state directory and learns ids into the tenant
/// file; with `members_path`, also the members file for `caac replay`
/// ([`members`]); with `specs`, also writes the named locations and custom
/// strengths as specs ([`pulled_specs`]). `Err` when nothing was written.
pub fn pull(
    conn: &Connection,
    out: &Path,
    tenant_path: Option<&Path>,
    members_path: Option<&Path>,
    specs: Option<&Path>,
) -> Result<Pulled, Stop> {
    // With --members the token must also read group members and role
    // assignments: checked here, before the first request.
    let need = if members_path.is_some() {
        auth::Need::ReadMembers
    } else {
        auth::Need::Read
    };
    let mut client = conn.client(need).map_err(Stop::error)?;
    let mut sets = Vec::new();
    for (file, path) in [
        ("policies.json", POLICIES),
        ("namedLocations.json", NAMED_LOCATIONS),
        ("authenticationStrengths.json", STRENGTHS),
    ] {
        let mut items = client.list(path).map_err(Stop::error)?;
        if let Some(bad) = items.iter().position(|i| !i["id"].is_string()) {
            return Err(Stop::error(format!(
                "GET {}: item #{bad} has no `id`; unexpected response from Graph; nothing was written",
                client.url(path)
            )));
        }
        items.sort_by_key(|i| i["id"].as_str().unwrap_or_default().to_ascii_lowercase());
        sets.push((file, items));
    }
    if let Err(e) = plan::live_policies(&sets[0].1) {
        return Err(Stop::error(format!("{e}; nothing was written")));
    }
    let mut files: Vec<(String, Vec<u8>)> = sets
        .iter()
        .map(|(f, items)| {
            (
                (*f).to_owned(),
                crate::emit::pretty(&json!({ "value": items })).into_bytes(),
            )
        })
        .collect();
    let manifest = json!({
        "generator": "caac",
        "formatVersion": 1,
        "kind": "tenant state",
        "graph": conn.base,
        "policies": sets[0].1.len(),
        "namedLocations": sets[1].1.len(),
        "authenticationStrengths": sets[2].1.len(),
    });
    files.push((
        crate::emit::MANIFEST.into(),
        crate::emit::pretty(&manifest).into_bytes(),
    ));
    // Converted and checked before anything is written: a spec that would
    // lose a value, or a directory that already holds specs, writes nothing.
    let (spec_files, spec_notes) = match specs {
        Some(root) => pulled_specs(root, &sets[1].1, &sets[2].1)?,
        None => (Vec::new(), Vec::new()),
    };
    crate::emit::write_dir(out, &files).map_err(Stop::error)?;
    let members = members_path.map(|path| {
        let file = members::fetch(&mut client, &sets[0].1).map_err(|e| {
            Stop::error(format!(
                "{e}; the members file was not written (the state was)"
            ))
        })?;
        crate::emit::write_file(path, crate::emit::pretty(&file).as_bytes())
            .map_err(|e| Stop::error(format!("cannot write {}: {e}", check::display(path))))?;
        Ok((
            path.to_owned(),
            file["groups"].as_object().map_or(0, serde_json::Map::len),
            file["roles"].as_object().map_or(0, serde_json::Map::len),
        ))
    });
    let mut written = Vec::new();
    for (dir, outputs) in &spec_files {
        crate::import::write_outputs(dir, outputs, None).map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            Stop::error(format!(
                "{}; the state was written, the specs in {} were not",
                lines.join("; "),
                check::display(dir)
            ))
        })?;
        written.push((dir.clone(), outputs.len()));
    }
    let tenant_path = tenant_path.map_or_else(|| PathBuf::from("tenant.yaml"), Path::to_owned);
    Ok(Pulled {
        members,
        policies: sets[0].1.len(),
        named_locations: sets[1].1.len(),
        strengths: sets[2].1.len(),
        out: out.to_owned(),
        tenant: update_tenant(&tenant_path, &sets[1].1, &sets[2].1),
        specs: written,
        spec_notes,
    })
}

/// The spec files `caac pull --specs ROOT` writes: `ROOT/locations/` and
/// `ROOT/strengths/` (created only when a kind has objects), one YAML file
/// per object with everything Graph returned that the spec holds, its `id`
/// included, converted as `caac import` converts an export
/// ([`crate::objects::import::convert`]) and headed by the schema modeline.
/// Built-in strengths are Microsoft's: never written. `Err` (nothing
/// written) when an object cannot be written without losing a value, or a
/// directory already holds files: pull never overwrites a spec.
#[allow(clippy::type_complexity)]
fn pulled_specs(
    root: &Path,
    locations: &[Value],
    strengths: &[Value],
) -> Result<(Vec<(PathBuf, Vec<(String, Vec<u8>)>)>, Vec<String>), Stop> {
    use crate::objects::import::{ObjectKind, convert, spec_text};
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (kind, items) in [
        (ObjectKind::Location, locations),
        (ObjectKind::Strength, strengths),
    ] {
        let dir = if root == Path::new(".") {
            PathBuf::from(kind.default_dir())
        } else {
            root.join(kind.default_dir())
        };
        let schema_ref = crate::import::schema_ref_for(&dir, kind.schema_file());
        let mut used = std::collections::BTreeSet::new();
        let mut files = Vec::new();
        for item in items {
            // Beta-only location types (compliant network, service tags, …)
            // have no spec: left in the state, named, not written.
            if crate::objects::import::classify(item) != Some(kind) {
                skipped.push(format!(
                    "{} `{}` ({}) is a {} that caac does not manage: kept in the state, no spec written",
                    kind.noun(),
                    item["displayName"].as_str().unwrap_or_default(),
                    item["id"].as_str().unwrap_or_default(),
                    item["@odata.type"].as_str().unwrap_or("type").trim_start_matches("#microsoft.graph.")
                ));
                continue;
            }
            let mut notes = Vec::new();
            let converted = convert(kind, item, "", &mut notes).map_err(|ds| {
                let why: Vec<String> = ds.iter().map(|d| d.message.clone()).collect();
                Stop::error(format!(
                    "{} `{}` ({}) cannot be written as a spec: {}; nothing was written",
                    kind.noun(),
                    item["displayName"].as_str().unwrap_or_default(),
                    item["id"].as_str().unwrap_or_default(),
                    why.join("; ")
                ))
            })?;
            let Some(c) = converted else { continue };
            let stem = crate::emit::file_stem(&c.name);
            let mut file = format!("{stem}.yaml");
            let mut n = 2;
            while !used.insert(file.to_lowercase()) {
                file = format!("{stem}-{n}.yaml");
                n += 1;
            }
            files.push((
                file,
                spec_text(&c.spec, &schema_ref, "Microsoft Graph (caac pull)").into_bytes(),
            ));
        }
        if files.is_empty() {
            continue;
        }
        if std::fs::read_dir(&dir).is_ok_and(|mut e| e.next().is_some()) {
            return Err(Stop::error(format!(
                "{} already holds files; `caac pull --specs` writes only into an absent or empty directory (it never overwrites a spec): move it away, or compare the tenant with `caac plan`; nothing was written",
                check::display(&dir)
            )));
        }
        out.push((dir, files));
    }
    Ok((out, skipped))
}

/// Adds named locations and custom authentication strengths the tenant file
/// lacks. An existing name is never renamed or re-pointed: a clash is reported.
fn update_tenant(
    path: &Path,
    locations: &[Value],
    strengths: &[Value],
) -> Result<TenantUpdate, Stop> {
    let (mut tenant, existed) = if path.exists() {
        let (t, r) = check::load_tenant(path);
        match t {
            Some(t) => (t, true),
            None => {
                return Err(Stop {
                    text: format!(
                        "{}error: the tenant file is invalid; it was not updated (the state was written)\n",
                        render::human(&[r], false)
                    ),
                    findings: false,
                });
            }
        }
    } else {
        (crate::model::Tenant::default(), false)
    };
    let mut added = 0;
    let mut clashes = Vec::new();
    let mut learn = |names: &mut crate::model::Names, items: &[Value], what: &str| {
        for item in items {
            // Built-in strengths are in caac's catalogue already.
            if item["policyType"].as_str() == Some("builtIn") {
                continue;
            }
            let (Some(id), Some(name)) = (item["id"].as_str(), item["displayName"].as_str()) else {
                continue;
            };
            let id = id.to_ascii_lowercase();
            if names.values().any(|e| e.id().eq_ignore_ascii_case(&id)) {
                continue;
            }
            match names.get(name) {
                Some(e) => clashes.push(format!(
                    "{what} `{name}` is {} in {} but {id} in the tenant; kept the file's id (rename one of them)",
                    e.id(),
                    check::display(path)
                )),
                None => {
                    names.insert(name.to_owned(), id.into());
                    added += 1;
                }
            }
        }
    };
    learn(&mut tenant.named_locations, locations, "named location");
    learn(
        &mut tenant.authentication_strengths,
        strengths,
        "authentication strength",
    );
    let mut update = TenantUpdate {
        path: path.to_owned(),
        clashes,
        added,
        existed,
        comments_lost: false,
    };
    if added == 0 {
        return Ok(update);
    }
    update.comments_lost = existed
        && std::fs::read_to_string(path).is_ok_and(|t| {
            t.lines()
                .any(|l| l.trim_start().starts_with('#') && !l.contains("yaml-language-server"))
        });
    let value = serde_json::to_value(&tenant).unwrap_or_default();
    // The modeline resolves from the tenant file's own directory (or is the
    // schema's public URL when ./schemas does not hold it).
    let schema_ref = crate::schemas::modeline(
        path,
        crate::schemas::TENANT,
        crate::schemas::local_dir(crate::schemas::TENANT).as_deref(),
    );
    let text = format!(
        "# yaml-language-server: $schema={schema_ref}\n{}",
        crate::import::yaml::to_yaml(&value)
    );
    if let Err(e) = crate::emit::write_file(path, text.as_bytes()) {
        // The clash warnings still come first.
        let warnings: String = update
            .clashes
            .iter()
            .map(|c| format!("warning: {c}\n"))
            .collect();
        return Err(Stop::error(e).after(&warnings));
    }
    Ok(update)
}

/// Output format of `caac plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text.
    Human,
    /// JSON.
    Json,
    /// Markdown.
    Markdown,
}

/// The repository side of a plan, and whether `apply` may run it.
struct Repo {
    desired: Vec<Desired>,
    /// Lint-rule errors (apply refuses).
    lint_errors: usize,
    /// The files the check read (policies, tenant, config).
    inputs: Vec<PathBuf>,
    /// The rendered diagnostics (warnings such as `breakGlassOptOut`), for
    /// stderr before anything else.
    report: String,
    /// Display names of the ids the plan may show.
    names: plan::Names,
    /// The named location and strength specs.
    objects: Vec<objects::DesiredObject>,
}

/// Called with what the repository check read, as soon as it has run and
/// before anything is printed about it: the command layer's `-v` report
/// (files used, skipped rules, timings). The library itself prints nothing
/// for it.
pub type Observe<'a> = &'a dyn Fn(&check::Checked);

/// A rendered plan, for the caller to print or write: the library does not
/// choose the stream.
#[derive(Debug, Clone)]
pub struct PlanOutput {
    /// Diagnostics for stderr, printed before the plan (warnings such as
    /// the `breakGlassOptOut` note).
    pub report: String,
    /// The plan in the requested format.
    pub text: String,
    /// Live policies the repository does not manage (`--fail-on-unmanaged`).
    pub unmanaged: usize,
    /// Whether the plan creates, updates or deletes anything (exit 1).
    pub has_changes: bool,
    /// Lint-rule errors in the repository: `apply` would refuse.
    pub lint_errors: usize,
    /// Every file the plan was made from (policies, tenant, config, lock,
    /// state): the plan must never be written over one of them.
    pub inputs: Vec<PathBuf>,
}

/// Checks and compiles the repository, the one check `plan` and `apply`
/// run: the same front half and lockout gate as `caac lint` (the gate's
/// `break-glass-missing` included), and placeholder object ids refused
/// ([`check::placeholder_ids`]): made-up ids must never reach a tenant, and
/// a lockout gate run against them proves nothing. Prints the errors (and
/// the `breakGlassOptOut` warning, so an opted-out deployment says so on
/// every run) for stderr. `Err` says why, naming the root causes in the
/// closing line: a missing break-glass list or a placeholder id is not a
/// policy that fails to compile.
fn repo(opts: &check::Options, color: bool, observe: Observe) -> Result<Repo, Stop> {
    let mut checked = check::check(opts).map_err(Stop::error)?;
    observe(&checked);
    // Every file the check read: a plan written with `-o` must not replace one.
    let inputs: Vec<PathBuf> = checked
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain(checked.tenant_path.iter().map(PathBuf::from))
        .chain(checked.config_path.iter().map(PathBuf::from))
        .collect();
    // The lockout gate, exactly as `caac lint` runs it: its errors count as
    // lint errors below, so `apply` refuses to lock anyone out.
    check::lockout_gate(&mut checked);
    // Location and strength specs not in the tenant yet are created first
    // (objects): their placeholder ids are replaced, not refused.
    check::placeholder_ids_with(&mut checked, Severity::Error, true);
    // A made-up break-glass id is refused above; the lockout and CA101
    // findings about the persona built from it are that same root cause
    // again, once per policy: not repeated.
    let made_up: Vec<String> = checked
        .break_glass
        .users
        .iter()
        .chain(&checked.break_glass.groups)
        .filter(|id| check::is_placeholder_id(id))
        .cloned()
        .collect();
    if !made_up.is_empty() {
        for f in &mut checked.files {
            f.report.diagnostics.retain(|d| {
                !(check::is_finding(d) && made_up.iter().any(|id| d.message.contains(id.as_str())))
            });
        }
    }
    let names = names(checked.tenant.as_ref());
    let desired_objects = objects::desired(&checked.objects);
    let mut desired = Vec::new();
    for f in &checked.files {
        for u in &f.units {
            if let (Some(p), true) = (&u.policy, u.clean) {
                let key = match u.at.as_str() {
                    "" => check::display(&f.path),
                    at => format!("{}#{at}", check::display(&f.path)),
                };
                desired.push(Desired {
                    key,
                    display_name: p.display_name.clone(),
                    spec_id: p.id.clone(),
                    compiled: crate::graph::compile::compile(p),
                });
            }
        }
    }
    // Errors in these reports are about the policies; elsewhere (the tenant
    // file, the config file, the command line) about that input.
    let policy_reports: Vec<String> = checked
        .files
        .iter()
        .map(|f| f.report.path.clone())
        .chain([check::SET_REPORT.to_owned()])
        .collect();
    let mut reports = checked.into_reports();
    for r in &mut reports {
        r.sort();
        r.diagnostics
            .retain(|d| d.severity == Severity::Error || d.is(crate::diag::Code::BreakGlassOptOut));
    }
    reports.retain(|r| !r.diagnostics.is_empty());
    let errors = || {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.severity == Severity::Error)
    };
    let is_input = |d: &&crate::diag::Diagnostic| !check::is_finding(d);
    let input_errors = errors().filter(is_input).count();
    let compile_errors = desired
        .iter()
        .flat_map(|d| &d.compiled.diagnostics)
        .filter(|d| d.severity == Severity::Error)
        .count();
    let report = if reports.is_empty() {
        String::new()
    } else {
        render::human(&reports, color)
    };
    if input_errors + compile_errors > 0 {
        // One closing line naming each root cause the errors above belong to.
        let mut causes: Vec<String> = Vec::new();
        let mut cause = |c: String| {
            if !causes.contains(&c) {
                causes.push(c);
            }
        };
        for r in &reports {
            let errors = r
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error && !check::is_finding(d));
            for d in errors {
                cause(match d.code {
                    _ if d.is(crate::diag::Code::PlaceholderId) => {
                        "placeholder object ids must be replaced with the tenant's real ids".into()
                    }
                    _ if d.is(crate::diag::Code::BreakGlassMissing) => {
                        "no break-glass accounts are known, so the lockout gate cannot prove they keep access".into()
                    }
                    _ if policy_reports.contains(&r.path) => "the policies do not compile".into(),
                    _ => format!("{} has errors", r.path),
                });
            }
        }
        if compile_errors > 0 {
            cause("the policies do not compile".into());
        }
        return Err(
            Stop::error(format!("{}; nothing was planned", causes.join("; "))).after(&report),
        );
    }
    let lint_errors = errors().count();
    Ok(Repo {
        desired,
        lint_errors,
        inputs,
        report,
        names,
        objects: desired_objects,
    })
}

/// Display names for the ids a plan shows: the built-in catalogue's
/// directory roles, applications, authentication strengths and locations,
/// then the tenant file's users, groups, named locations, strengths, terms
/// of use, applications, service principals and external tenants (the
/// file wins). Only GUIDs: keywords such as `All` are shown as they are.
fn names(tenant: Option<&crate::model::Tenant>) -> plan::Names {
    use crate::catalog::{self, Kind};
    let mut out = plan::Names::new();
    let mut add = |id: &str, name: &str| {
        if crate::resolve::is_guid(id) {
            out.insert(id.to_ascii_lowercase(), name.to_owned());
        }
    };
    for kind in [
        Kind::Role,
        Kind::Application,
        Kind::AuthenticationStrength,
        Kind::Location,
    ] {
        for e in catalog::entries(kind) {
            add(e.id, e.name);
        }
    }
    if let Some(t) = tenant {
        for names in [
            &t.users,
            &t.groups,
            &t.named_locations,
            &t.authentication_strengths,
            &t.terms_of_use,
            &t.applications,
            &t.service_principals,
            &t.external_tenants,
        ] {
            for (name, e) in names {
                add(e.id(), name);
            }
        }
    }
    out
}

/// The tenant as plan reads it: policies, named locations and
/// authentication strengths as Graph returned them.
#[derive(Debug, Default)]
struct LiveSet {
    policies: Vec<Value>,
    locations: Vec<Value>,
    strengths: Vec<Value>,
}

impl LiveSet {
    /// Reads the policies from Graph, and the objects of the kinds the
    /// repository manages.
    fn read(client: &mut Client, kinds: &[plan::Kind]) -> Result<LiveSet, String> {
        let mut list = |p: &str, wanted: bool| {
            if wanted {
                client.list(p).map_err(|e| e.to_string())
            } else {
                Ok(Vec::new())
            }
        };
        Ok(LiveSet {
            policies: list(POLICIES, true)?,
            locations: list(NAMED_LOCATIONS, kinds.contains(&plan::Kind::NamedLocation))?,
            strengths: list(
                STRENGTHS,
                kinds.contains(&plan::Kind::AuthenticationStrength),
            )?,
        })
    }

    /// Reads a pulled state: a directory (its locations and strengths too,
    /// when `caac pull` wrote them) or one policies.json.
    fn from_state(state: &Path) -> Result<LiveSet, String> {
        if !state.is_dir() {
            return Ok(LiveSet {
                policies: from_state(state)?,
                ..LiveSet::default()
            });
        }
        let optional = |f: &str| {
            let p = state.join(f);
            if p.exists() {
                from_state(&p)
            } else {
                Ok(Vec::new())
            }
        };
        Ok(LiveSet {
            policies: from_state(&state.join("policies.json"))?,
            locations: optional("namedLocations.json")?,
            strengths: optional("authenticationStrengths.json")?,
        })
    }

    /// The live objects of the kinds the repository manages.
    fn objects(&self, kinds: &[plan::Kind]) -> Vec<objects::LiveObject> {
        let mut out = Vec::new();
        if kinds.contains(&plan::Kind::NamedLocation) {
            out.extend(objects::live(plan::Kind::NamedLocation, &self.locations));
        }
        if kinds.contains(&plan::Kind::AuthenticationStrength) {
            out.extend(objects::live(
                plan::Kind::AuthenticationStrength,
                &self.strengths,
            ));
        }
        out
    }

    /// Every live object id of those kinds, and of the policies.
    fn ids(&self, kinds: &[plan::Kind]) -> std::collections::BTreeSet<String> {
        self.policies
            .iter()
            .filter_map(|v| v["id"].as_str().map(str::to_ascii_lowercase))
            .chain(self.objects(kinds).into_iter().map(|o| o.id))
            .collect()
    }
}

/// Reads live policies from a pulled state (a directory or its policies.json).
fn from_state(state: &Path) -> Result<Vec<Value>, String> {
    let file = if state.is_dir() {
        state.join("policies.json")
    } else {
        state.to_owned()
    };
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {}: {e}", check::display(&file)))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not JSON: {e}",
            check::display(&file),
            e.line(),
            e.column()
        )
    })?;
    match v.get("value").and_then(Value::as_array) {
        Some(items) => Ok(items.clone()),
        None => Err(format!(
            "{}: not a caac state file (no `value` array); run `caac pull`",
            check::display(&file)
        )),
    }
}

/// The object kinds the repository manages: those it has a spec of or
/// whose objects caac.lock records (so removing the last spec of a kind
/// still lets `--prune` delete the object). A repository without location
/// specs leaves the tenant's locations alone, even with `--prune`.
fn managed_kinds(repo: &Repo, lock: &Lock) -> Vec<plan::Kind> {
    [
        plan::Kind::NamedLocation,
        plan::Kind::AuthenticationStrength,
    ]
    .into_iter()
    .filter(|k| {
        repo.objects.iter().any(|o| o.kind == *k) || !objects::lock_map(lock, *k).is_empty()
    })
    .collect()
}

fn make_plan(
    repo: &Repo,
    live: &LiveSet,
    lock_path: &Path,
    prune: bool,
) -> Result<(Plan, Lock), String> {
    let lock = Lock::read(lock_path)?;
    let kinds = managed_kinds(repo, &lock);
    let live_objects = live.objects(&kinds);
    let (object_items, substitutes, object_notes) =
        objects::plan(&repo.objects, &live_objects, &lock)?;
    // Objects that exist already: their live ids go into the policy bodies
    // (a spec without `id:` resolved to a placeholder).
    let mut desired = repo.desired.clone();
    for d in &mut desired {
        objects::substitute(&mut d.compiled.body, &substitutes);
    }
    let live_policies = plan::live_policies(&live.policies)?;
    let mut p = plan::plan(&desired, &live_policies, &lock, prune)?;
    p.notes.extend(object_notes);
    for mut item in object_items {
        if prune && item.action == Action::Unmanaged {
            refuse_in_use(&item, &p.items)?;
            item.action = Action::Delete;
            (item.request, item.then) = objects::writes(&item);
        }
        p.items.push(item);
    }
    plan::sort(&mut p.items);
    p.notes.sort();
    Ok((p, lock))
}

/// `--prune` deletes a named location or strength only when no policy that
/// stays uses it: not one of the repository's (it would reference an
/// object that is gone) and not one outside it that `--prune` keeps (a
/// Microsoft-managed policy). Names the policies that still use it.
fn refuse_in_use(object: &plan::Item, policies: &[plan::Item]) -> Result<(), String> {
    let id = object.id.as_deref().unwrap_or_default();
    let users: Vec<String> = policies
        .iter()
        .filter(|p| p.kind == plan::Kind::Policy && p.action != Action::Delete)
        .filter(|p| {
            let body = if p.action == Action::Unmanaged {
                p.live_raw.as_ref()
            } else {
                p.body.as_ref()
            };
            body.is_some_and(|b| objects::mentions(b, id))
        })
        .map(|p| match &p.spec {
            Some(spec) if p.action != Action::Unmanaged => {
                format!("\"{}\" ({spec})", p.display_name)
            }
            _ => format!(
                "\"{}\" ({}, not in the repository)",
                p.display_name,
                p.id.as_deref().unwrap_or_default()
            ),
        })
        .collect();
    if users.is_empty() {
        return Ok(());
    }
    Err(format!(
        "--prune would delete the {} \"{}\" ({id}), which is not in the repository, but {} still use{} it: keep its spec, or remove it from {} first; nothing was planned",
        objects::noun(object.kind),
        object.display_name,
        users.join(", "),
        if users.len() == 1 { "s" } else { "" },
        if users.len() == 1 {
            "that policy"
        } else {
            "those policies"
        },
    ))
}

/// What `caac plan` is asked for.
#[derive(Debug, Clone)]
pub struct PlanOptions<'a> {
    /// Plan against a pulled state instead of the live tenant.
    pub state: Option<&'a Path>,
    /// The lock file.
    pub lock: &'a Path,
    /// List unmanaged policies as deletions.
    pub prune: bool,
    /// The output format.
    pub format: Format,
    /// List unchanged objects too (`-v`).
    pub verbose: bool,
}

/// The Graph base URL as the client will use it (parsed, no trailing `/`):
/// what a saved plan records and is checked against.
fn graph_base(base: &str) -> String {
    client::checked_url(base)
        .map(|u| u.as_str().trim_end_matches('/').to_owned())
        .unwrap_or_else(|_| base.trim_end_matches('/').to_owned())
}

/// `sha256:…` of a file's bytes, or [`plan::ABSENT`] when there is none.
fn file_hash(path: &Path) -> String {
    use sha2::Digest;
    match std::fs::read(path) {
        Ok(bytes) => format!("sha256:{}", plan::hex(&sha2::Sha256::digest(&bytes))),
        Err(_) => plan::ABSENT.to_owned(),
    }
}

/// `caac plan`: the rendered plan, or why there is none.
pub fn plan_command(
    opts: &check::Options,
    conn: &Connection,
    o: &PlanOptions,
    color: bool,
    observe: Observe,
) -> Result<PlanOutput, Stop> {
    let repo = repo(opts, color, observe)?;
    let kinds = Lock::read(o.lock)
        .map(|l| managed_kinds(&repo, &l))
        .map_err(|e| Stop::error(e).after(&repo.report))?;
    let live = match o.state {
        Some(s) => LiveSet::from_state(s),
        None => conn
            .client(auth::Need::Read)
            .map_err(|e| e.to_string())
            .and_then(|mut c| LiveSet::read(&mut c, &kinds)),
    };
    let live = live.map_err(|e| Stop::error(e).after(&repo.report))?;
    let (mut p, _) =
        make_plan(&repo, &live, o.lock, o.prune).map_err(|e| Stop::error(e).after(&repo.report))?;
    p.names = repo.names.clone();
    let mut inputs = repo.inputs.clone();
    inputs.push(o.lock.to_owned());
    if let Some(s) = o.state {
        inputs.push(if s.is_dir() {
            s.join("policies.json")
        } else {
            s.to_owned()
        });
    }
    let text = match o.format {
        Format::Human => plan::human(&p, o.verbose),
        Format::Json => {
            let meta = plan::Meta {
                graph: graph_base(&conn.base),
                lint_errors: repo.lint_errors,
                inputs: inputs
                    .iter()
                    .map(|i| (check::display(i), file_hash(i)))
                    .collect(),
            };
            crate::emit::pretty(&plan::to_json(&p, &meta))
        }
        Format::Markdown => plan::markdown(&p, o.verbose),
    };
    Ok(PlanOutput {
        report: repo.report,
        text,
        unmanaged: p.count(Action::Unmanaged),
        has_changes: p.has_changes(),
        lint_errors: repo.lint_errors,
        inputs,
    })
}

/// Options of `caac apply`.
#[derive(Debug, Clone)]
pub struct ApplyOptions<'a> {
    /// Print the requests, send nothing.
    pub dry_run: bool,
    /// Delete policies not in the repository.
    pub prune: bool,
    /// The lock file.
    pub lock: &'a Path,
    /// Plan from a pulled state instead of live (dry runs only).
    pub state: Option<&'a Path>,
}

/// A plan ready to apply: made from the repository just now
/// ([`prepare_apply`]) or read from a saved plan and checked against the
/// live tenant ([`prepare_saved`]). Nothing has been written yet.
#[derive(Debug)]
pub struct Prepared {
    /// Diagnostics for stderr, before anything else.
    pub report: String,
    /// Warnings for stderr (a saved plan's inputs that changed since).
    pub warnings: Vec<String>,
    /// The plan.
    pub plan: Plan,
    requests: Vec<(usize, Request)>,
    client: Client,
    lock: Lock,
    lock_path: PathBuf,
    /// The spec keys the plan manages: lock entries of other specs whose
    /// policy is gone too are dropped.
    keys: std::collections::BTreeSet<String>,
    /// The live policy ids (none for an offline dry run).
    live_ids: std::collections::BTreeSet<String>,
}

impl Prepared {
    /// How many requests applying sends.
    pub fn writes(&self) -> usize {
        self.requests.len()
    }

    /// `--dry-run`: every request (method, URL, body; never a header).
    pub fn dry_run(&self) -> String {
        let mut s = String::new();
        for (_, r) in &self.requests {
            s.push_str(&format!("{} {}\n", r.method, r.url));
            if let Some(b) = &r.body {
                s.push_str(&crate::emit::pretty(b));
            }
            s.push('\n');
        }
        // A created location's or strength's id is Graph's to give: the
        // requests above name it by the id the policy bodies use for it.
        for i in &self.plan.items {
            if let Some(b) = &i.body_id {
                s.push_str(&format!(
                    "note: {b} stands for the {} \"{}\" this plan creates; apply sends the id Graph gives it instead\n",
                    objects::noun(i.kind),
                    i.display_name
                ));
            }
        }
        s.push_str(&format!(
            "{} request(s); dry run, nothing was sent\n",
            self.requests.len()
        ));
        s
    }

    /// Records in the lock the matches found by spec id or name even when
    /// nothing changes (so the lock names every managed policy), and drops
    /// entries whose spec and policy are both gone. Written only if changed.
    pub fn record_adoptions(&mut self) -> Result<(), Stop> {
        let mut dirty = false;
        for i in &self.plan.items {
            if let (Some(key), Some(id), Action::Unchanged) = (&i.spec, &i.id, i.action)
                && self.lock.policies.get(key).is_none_or(|e| e.id != *id)
            {
                self.lock.policies.insert(
                    key.clone(),
                    lock::Entry {
                        id: id.clone(),
                        display_name: Some(i.display_name.clone()),
                    },
                );
                dirty = true;
            }
        }
        for i in &self.plan.items {
            if i.kind == plan::Kind::Policy {
                continue;
            }
            if let (Some(key), Some(id), Action::Unchanged) = (&i.spec, &i.id, i.action) {
                let map = objects::lock_map_mut(&mut self.lock, i.kind);
                if map.get(key).is_none_or(|e| e.id != *id) {
                    map.insert(
                        key.clone(),
                        lock::Entry {
                            id: id.clone(),
                            display_name: Some(i.display_name.clone()),
                        },
                    );
                    dirty = true;
                }
            }
        }
        let before = self.lock.policies.len();
        let (keys, live) = (&self.keys, &self.live_ids);
        self.lock
            .policies
            .retain(|k, e| keys.contains(k.as_str()) || live.contains(&e.id.to_ascii_lowercase()));
        dirty |= self.lock.policies.len() != before;
        // Likewise a location or strength whose spec and object are both gone.
        for kind in [
            plan::Kind::NamedLocation,
            plan::Kind::AuthenticationStrength,
        ] {
            let map = objects::lock_map_mut(&mut self.lock, kind);
            let before = map.len();
            map.retain(|k, e| {
                keys.contains(k.as_str()) || live.contains(&e.id.to_ascii_lowercase())
            });
            dirty |= map.len() != before;
        }
        if dirty {
            self.lock.write(&self.lock_path).map_err(Stop::error)?;
        }
        Ok(())
    }
}

/// The requests of a plan's items, as absolute URLs under the client's base
/// (an item may send two: a strength's PATCH, then its
/// `updateAllowedCombinations` action).
fn requests(p: &Plan, client: &Client) -> Result<Vec<(usize, Request)>, String> {
    let mut out = Vec::new();
    for (n, i) in p.items.iter().enumerate() {
        for w in i.request.iter().chain(&i.then) {
            let method = match w.method.as_str() {
                "POST" => "POST",
                "PATCH" => "PATCH",
                "DELETE" => "DELETE",
                other => {
                    return Err(format!(
                        "`{}`: `{other}` is not a write caac sends",
                        i.display_name
                    ));
                }
            };
            out.push((
                n,
                Request {
                    method,
                    url: client.url(&w.path),
                    body: w.body.clone(),
                },
            ));
        }
    }
    Ok(out)
}

/// `caac apply` without a saved plan: checks the repository (refusing on
/// lint errors, exit 1), reads the live tenant (or a pulled state for a dry
/// run) and plans.
pub fn prepare_apply(
    opts: &check::Options,
    conn: &Connection,
    a: &ApplyOptions,
    color: bool,
    observe: Observe,
) -> Result<Prepared, Stop> {
    let repo = repo(opts, color, observe)?;
    let report = repo.report.clone();
    // Lockout gate: `repo` runs `check::lockout_gate` and counts its findings
    // as lint errors, so refusing on lint errors here also refuses a lockout.
    if repo.lint_errors > 0 {
        return Err(Stop {
            text: format!(
                "{report}error: {} lint error(s) above; apply refuses to change the tenant until `caac lint` passes\n",
                repo.lint_errors
            ),
            findings: true,
        });
    }
    let fail = |e: &dyn std::fmt::Display| Stop::error(e).after(&report);
    if a.state.is_some() && !a.dry_run {
        return Err(fail(
            &"--state plans from a pulled file; apply it with --dry-run only (a real apply reads the tenant live)",
        ));
    }
    let mut client = if a.dry_run && a.state.is_some() {
        // Offline dry run: no token needed, and none is printed anyway.
        Client::new(conn.settings(), client::Token::offline()).map_err(|e| fail(&e))?
    } else {
        // A dry run against the tenant is checked for write permissions
        // too: it previews an apply, and should fail where the apply would.
        conn.client(auth::Need::Write).map_err(|e| fail(&e))?
    };
    let kinds = Lock::read(a.lock)
        .map(|l| managed_kinds(&repo, &l))
        .map_err(|e| fail(&e))?;
    let live = match a.state {
        Some(s) => LiveSet::from_state(s),
        None => LiveSet::read(&mut client, &kinds),
    };
    let live = live.map_err(|e| fail(&e))?;
    let (mut p, lock) = make_plan(&repo, &live, a.lock, a.prune).map_err(|e| fail(&e))?;
    p.names = repo.names;
    let requests = requests(&p, &client).map_err(|e| fail(&e))?;
    Ok(Prepared {
        report,
        warnings: Vec::new(),
        requests,
        client,
        lock,
        lock_path: a.lock.to_owned(),
        keys: repo
            .desired
            .into_iter()
            .map(|d| d.key)
            .chain(repo.objects.into_iter().map(|o| o.key))
            .collect(),
        live_ids: live.ids(&kinds),
        plan: p,
    })
}

/// `caac apply PLAN.json`: reads a saved plan ([`saved`]) and checks it
/// before anything is sent: made by this caac version, for this Graph, from
/// a repository without lint errors, and — unless a dry run, which reads
/// nothing live — every live object still as it was when the plan was made
/// (same [`plan::fingerprint`], none deleted, none added). Any difference
/// refuses the whole plan, naming each object: nothing is written, and the
/// stop is an error (exit 2: the plan file is no longer a valid input),
/// like a plan for another version or Graph. A plan made from a repository
/// with lint errors is refused as `apply` refuses that repository (exit 1).
pub fn prepare_saved(file: &Path, conn: &Connection, a: &ApplyOptions) -> Result<Prepared, Stop> {
    let saved = saved::read(file).map_err(Stop::error)?;
    let shown = check::display(file);
    if saved.caac_version != env!("CARGO_PKG_VERSION") {
        return Err(Stop::error(format!(
            "{shown} was made by caac {} and this is caac {}: make the plan again with this version; nothing was sent",
            saved.caac_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let base = graph_base(&conn.base);
    if saved.graph != base {
        return Err(Stop::error(format!(
            "{shown} is a plan for {} but this run's Graph (--graph-url or --cloud) is {}: make the plan for this Graph; nothing was sent",
            client::display_url(&saved.graph),
            client::display_url(&base)
        )));
    }
    if saved.lint_errors > 0 {
        return Err(Stop {
            text: format!(
                "error: {shown} was made from a repository with {} lint error(s); apply refuses to change the tenant until `caac lint` passes\n",
                saved.lint_errors
            ),
            findings: true,
        });
    }
    let mut warnings = Vec::new();
    for (input, hash) in &saved.inputs {
        if file_hash(Path::new(input)) != *hash {
            warnings.push(format!(
                "{input} changed since {shown} was made; applying the plan as it was made"
            ));
        }
    }
    let mut client = if a.dry_run {
        Client::new(conn.settings(), client::Token::offline()).map_err(Stop::error)?
    } else {
        conn.client(auth::Need::Write).map_err(Stop::error)?
    };
    let mut live_ids = std::collections::BTreeSet::new();
    if !a.dry_run {
        // The objects of every kind the plan holds (policies always).
        let kinds: Vec<plan::Kind> = saved
            .plan
            .items
            .iter()
            .map(|i| i.kind)
            .filter(|k| *k != plan::Kind::Policy)
            .collect();
        let set = LiveSet::read(&mut client, &kinds).map_err(Stop::error)?;
        let live: Vec<Value> = set
            .policies
            .iter()
            .cloned()
            .chain(set.objects(&kinds).into_iter().map(|o| o.raw))
            .collect();
        let live: Vec<(String, String, String)> = live
            .iter()
            .map(|v| {
                (
                    v["id"].as_str().unwrap_or_default().to_ascii_lowercase(),
                    v["displayName"].as_str().unwrap_or_default().to_owned(),
                    plan::fingerprint(v),
                )
            })
            .collect();
        let stale = saved::stale(&saved.plan, &live);
        if !stale.is_empty() {
            let mut text =
                format!("error: the tenant changed since {shown} was made; nothing was written:\n");
            for s in &stale {
                text.push_str(&format!("  {s}\n"));
            }
            text.push_str("make a new plan (`caac plan -o plan.json`), review it and apply that\n");
            return Err(Stop {
                text,
                findings: false,
            });
        }
        live_ids = live.into_iter().map(|(id, _, _)| id).collect();
    }
    let lock = Lock::read(a.lock).map_err(Stop::error)?;
    let requests = requests(&saved.plan, &client).map_err(Stop::error)?;
    let keys = saved
        .plan
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.action,
                Action::Create | Action::Update | Action::Unchanged
            )
        })
        .filter_map(|i| i.spec.clone())
        .collect();
    Ok(Prepared {
        report: String::new(),
        warnings,
        requests,
        client,
        lock,
        lock_path: a.lock.to_owned(),
        keys,
        live_ids,
        plan: saved.plan,
    })
}

/// Something `caac apply` did, as it happens (for progress output).
#[derive(Debug)]
pub enum Event<'a> {
    /// Request `k` of `total` is about to be sent.
    Sending {
        /// Requests sent so far.
        k: usize,
        /// All requests.
        total: usize,
        /// The object.
        item: &'a plan::Item,
    },
    /// A POST failed in a way that may have created the object: caac looks
    /// for it before sending again.
    Uncertain(String),
    /// A write succeeded (and the lock records it).
    Written {
        /// The object.
        item: &'a plan::Item,
        /// Its id.
        id: String,
    },
    /// The read-back differs from the spec in these fields.
    Differs {
        /// The object.
        item: &'a plan::Item,
        /// JSON pointers.
        fields: Vec<String>,
    },
}

/// A write that failed: the object and Graph's answer.
#[derive(Debug)]
pub struct WriteFailure {
    /// What was being done.
    pub action: Action,
    /// The object's kind.
    pub kind: plan::Kind,
    /// Its display name.
    pub display_name: String,
    /// Its spec file, when the repository manages it.
    pub spec: Option<String>,
    /// Why (for a Graph error status, Graph's `code` and `message`:
    /// <https://learn.microsoft.com/graph/errors>).
    pub error: GraphError,
}

/// What `caac apply` did.
#[derive(Debug)]
pub struct Applied {
    /// Writes that succeeded.
    pub done: usize,
    /// Writes planned.
    pub total: usize,
    /// Writes whose read-back differs from the spec.
    pub mismatches: usize,
    /// The write that stopped the run, if one did.
    pub failed: Option<WriteFailure>,
}

/// Sends a prepared plan's requests in order, recording each in the lock
/// and reading it back; stops at the first failure. Reports progress
/// through `on`; prints nothing.
pub fn execute(prepared: Prepared, on: &mut dyn FnMut(Event)) -> Applied {
    let Prepared {
        plan: p,
        requests: reqs,
        mut client,
        mut lock,
        lock_path,
        ..
    } = prepared;
    let total = reqs.len();
    let mut out = Applied {
        done: 0,
        total,
        mismatches: 0,
        failed: None,
    };
    // Placeholder (or stale) ids of the locations and strengths created so
    // far → the ids Graph gave them: put into every later request and into
    // the body the read-back is compared with.
    let mut created: Vec<(String, String)> = Vec::new();
    let last: Vec<bool> = (0..reqs.len())
        .map(|k| reqs.get(k + 1).is_none_or(|next| next.0 != reqs[k].0))
        .collect();
    for (k, (n, mut req)) in reqs.into_iter().enumerate() {
        let item = &p.items[n];
        if let Some(b) = &mut req.body {
            objects::substitute(b, &created);
        }
        let mut want = item.body.clone().unwrap_or(Value::Null);
        objects::substitute(&mut want, &created);
        on(Event::Sending { k, total, item });
        let result = match (item.kind, item.action) {
            (plan::Kind::Policy, Action::Create) => {
                create(&mut client, &req, item, &want, &mut lock, &lock_path, on)
            }
            (plan::Kind::Policy, Action::Update) => {
                update(&mut client, &req, item, &want, &mut lock, &lock_path, on)
            }
            (plan::Kind::Policy, _) => delete(&mut client, &req, item, &mut lock, &lock_path, on),
            (_, Action::Delete) => {
                delete_object(&mut client, &req, item, &mut lock, &lock_path, on)
            }
            _ => write_object(
                &mut client,
                &req,
                item,
                &want,
                last[k],
                (&mut lock, &lock_path),
                &mut created,
                on,
            ),
        };
        match result {
            Ok(Confirmed::Yes) => out.done += 1,
            Ok(Confirmed::Differs(fields)) => {
                out.done += 1;
                out.mismatches += 1;
                on(Event::Differs { item, fields });
            }
            Err(error) => {
                out.failed = Some(WriteFailure {
                    action: item.action,
                    kind: item.kind,
                    display_name: item.display_name.clone(),
                    spec: item.spec.clone(),
                    error,
                });
                return out;
            }
        }
    }
    out
}

/// Whether a write read back as written.
enum Confirmed {
    Yes,
    Differs(Vec<String>),
}

fn record(lock: &mut Lock, path: &Path, item: &plan::Item, id: &str) -> Result<(), GraphError> {
    if let Some(key) = &item.spec {
        lock.policies.insert(
            key.clone(),
            lock::Entry {
                id: id.to_ascii_lowercase(),
                display_name: Some(item.display_name.clone()),
            },
        );
        lock.write(path).map_err(GraphError::Config)?;
    }
    Ok(())
}

/// Reads a written policy back and compares it with the desired body.
fn read_back(client: &mut Client, want: &Value, id: &str) -> Result<Confirmed, GraphError> {
    let url = client.url(&format!("{POLICIES}/{id}"));
    // Graph is eventually consistent: a policy may 404 for a moment right
    // after it was created (graph-ca-schema.md §5.11), so a 404 is retried.
    let mut attempt = 0;
    let got = loop {
        attempt += 1;
        match client.get(&url) {
            Err(GraphError::Status { status: 404, .. }) if attempt < client::ATTEMPTS => {
                client.wait(Duration::from_millis(500 * u64::from(attempt)));
            }
            other => break other?,
        }
    };
    let live =
        plan::live_policies(std::slice::from_ref(&got)).map_err(|why| GraphError::Shape {
            method: "GET".into(),
            url: url.clone(),
            why,
        })?;
    let want = plan::canon(want);
    match &live[0].body {
        Ok(have) => {
            let d = plan::diff(have, &want);
            Ok(if d.is_empty() {
                Confirmed::Yes
            } else {
                Confirmed::Differs(d.into_iter().map(|c| c.path).collect())
            })
        }
        Err(why) => Err(GraphError::Shape {
            method: "GET".into(),
            url,
            why: why.clone(),
        }),
    }
}

/// POST a new policy. A POST is not idempotent: after a timeout or a 5xx the
/// policy may exist, so caac looks for it by name before posting again.
fn create(
    client: &mut Client,
    req: &Request,
    item: &plan::Item,
    want: &Value,
    lock: &mut Lock,
    lock_path: &Path,
    on: &mut dyn FnMut(Event),
) -> Result<Confirmed, GraphError> {
    let mut attempt = 0;
    let id = loop {
        attempt += 1;
        match client.send(req, false) {
            Ok(v) => match v.get("id").and_then(Value::as_str) {
                Some(id) => break id.to_ascii_lowercase(),
                None => {
                    return Err(GraphError::Shape {
                        method: "POST".into(),
                        url: req.url.clone(),
                        why: "the created policy has no `id`".into(),
                    });
                }
            },
            Err(e) if e.uncertain() && attempt < client::ATTEMPTS => {
                on(Event::Uncertain(e.to_string()));
                // A busy server (503) says how long to stay away: wait before
                // looking, too (https://learn.microsoft.com/graph/errors).
                let asked = e.retry_after();
                if let Some(d) = asked {
                    client.wait(d);
                }
                let live = client.list(POLICIES)?;
                let found: Vec<&Value> = live
                    .iter()
                    .filter(|l| {
                        l["displayName"].as_str() == Some(item.display_name.as_str())
                            && l["id"].as_str().is_some_and(|id| lock.key_of(id).is_none())
                    })
                    .collect();
                if let [one] = found.as_slice()
                    && let Some(id) = one["id"].as_str()
                {
                    break id.to_ascii_lowercase();
                }
                if asked.is_none() {
                    client.wait(Duration::from_millis(250 * u64::from(attempt)));
                }
            }
            Err(e) => return Err(e),
        }
    };
    record(lock, lock_path, item, &id)?;
    on(Event::Written {
        item,
        id: id.clone(),
    });
    read_back(client, want, &id)
}

fn update(
    client: &mut Client,
    req: &Request,
    item: &plan::Item,
    want: &Value,
    lock: &mut Lock,
    lock_path: &Path,
    on: &mut dyn FnMut(Event),
) -> Result<Confirmed, GraphError> {
    let id = item.id.clone().unwrap_or_default();
    client.send(req, true)?;
    record(lock, lock_path, item, &id)?;
    on(Event::Written {
        item,
        id: id.clone(),
    });
    read_back(client, want, &id)
}

fn delete(
    client: &mut Client,
    req: &Request,
    item: &plan::Item,
    lock: &mut Lock,
    lock_path: &Path,
    on: &mut dyn FnMut(Event),
) -> Result<Confirmed, GraphError> {
    let id = item.id.clone().unwrap_or_default();
    match client.send(req, true) {
        Ok(_) => {}
        // Already gone (a retried DELETE, or a run killed after the delete).
        Err(GraphError::Status { status: 404, .. }) => {}
        Err(e) => return Err(e),
    }
    if let Some(key) = lock.key_of(&id).map(str::to_owned) {
        lock.policies.remove(&key);
        lock.write(lock_path).map_err(GraphError::Config)?;
    }
    on(Event::Written { item, id });
    Ok(Confirmed::Yes)
}

/// Creates or updates a named location or strength: records its id in the
/// lock (spec file → id), and for a create remembers the id the plan's
/// policy bodies use for it (`bodyId`) → the id Graph returned. After the
/// item's last request, reads it back and compares it as a spec
/// ([`objects::normal`]). A POST is not retried after an uncertain failure
/// here: the run stops and the next plan adopts the object by name.
#[allow(clippy::too_many_arguments)]
fn write_object(
    client: &mut Client,
    req: &Request,
    item: &plan::Item,
    want: &Value,
    last: bool,
    (lock, lock_path): (&mut Lock, &Path),
    created: &mut Vec<(String, String)>,
    on: &mut dyn FnMut(Event),
) -> Result<Confirmed, GraphError> {
    let answer = client.send(req, item.action != Action::Create)?;
    let id = match item.action {
        Action::Create => match answer.get("id").and_then(Value::as_str) {
            Some(id) => id.to_ascii_lowercase(),
            None => {
                return Err(GraphError::Shape {
                    method: "POST".into(),
                    url: req.url.clone(),
                    why: format!("the created {} has no `id`", objects::noun(item.kind)),
                });
            }
        },
        _ => item.id.clone().unwrap_or_default(),
    };
    if let Some(from) = &item.body_id {
        created.push((from.clone(), id.clone()));
    }
    if let Some(key) = &item.spec {
        objects::lock_map_mut(lock, item.kind).insert(
            key.clone(),
            lock::Entry {
                id: id.clone(),
                display_name: Some(item.display_name.clone()),
            },
        );
        lock.write(lock_path).map_err(GraphError::Config)?;
    }
    on(Event::Written {
        item,
        id: id.clone(),
    });
    if !last {
        return Ok(Confirmed::Yes);
    }
    let url = client.url(&format!("/v1.0{}/{id}", objects::collection(item.kind)));
    let mut attempt = 0;
    let got = loop {
        attempt += 1;
        match client.get(&url) {
            Err(GraphError::Status { status: 404, .. }) if attempt < client::ATTEMPTS => {
                client.wait(Duration::from_millis(500 * u64::from(attempt)));
            }
            other => break other?,
        }
    };
    let shape = |why: String| GraphError::Shape {
        method: "GET".into(),
        url: url.clone(),
        why,
    };
    let have = objects::normal(item.kind, &got).map_err(shape)?;
    let want = objects::normal(item.kind, want).map_err(shape)?;
    let d = plan::diff(&have, &want);
    Ok(if d.is_empty() {
        Confirmed::Yes
    } else {
        Confirmed::Differs(d.into_iter().map(|c| c.path).collect())
    })
}

/// Deletes a named location or strength (`--prune`, after the policies that
/// used it) and drops it from the lock; already gone is done.
fn delete_object(
    client: &mut Client,
    req: &Request,
    item: &plan::Item,
    lock: &mut Lock,
    lock_path: &Path,
    on: &mut dyn FnMut(Event),
) -> Result<Confirmed, GraphError> {
    let id = item.id.clone().unwrap_or_default();
    match client.send(req, true) {
        Ok(_) => {}
        Err(GraphError::Status { status: 404, .. }) => {}
        Err(e) => return Err(e),
    }
    let map = objects::lock_map_mut(lock, item.kind);
    let before = map.len();
    map.retain(|_, e| !e.id.eq_ignore_ascii_case(&id));
    if map.len() != before {
        lock.write(lock_path).map_err(GraphError::Config)?;
    }
    on(Event::Written { item, id });
    Ok(Confirmed::Yes)
}
