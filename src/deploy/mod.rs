//! Deploy: `caac pull`, `caac plan` and `caac apply` against Microsoft Graph.
//!
//! Contract: [`pull`] reads policies, named locations and authentication
//! strengths and writes them as one atomic state directory, then adds the
//! ids it learned to the tenant file (never renaming or overwriting an
//! entry). [`plan`] diffs the compiled repository against the tenant or a
//! pulled state ([`plan::plan`]); exit 0 no changes, 1 changes, 2 errors.
//! [`apply`] runs a plan: creates (report-only unless the spec says
//! otherwise), updates, and deletes only with `--prune`; after each write it
//! reads the policy back and records its id in `caac.lock` atomically, so a
//! killed run started again adopts what it created instead of duplicating
//! it. Only policies are written: named locations and authentication
//! strengths are referenced by id through `tenant.yaml`, not managed.
//! Tokens never reach output, files or errors ([`client::Token`]).

pub mod auth;
pub mod client;
pub mod lock;
pub mod patch;
pub mod plan;

use crate::check;
use crate::diag::Severity;
use crate::render;
use client::{Client, GraphError, Request, Settings};
use lock::Lock;
use plan::{Action, Desired, Plan};
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exit codes (like `terraform plan -detailed-exitcode`).
const OK: u8 = 0;
const CHANGES: u8 = 1;
const ERROR: u8 = 2;

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

fn fail(e: impl std::fmt::Display) -> u8 {
    eprintln!("error: {e}");
    ERROR
}

/// `caac pull`.
pub fn pull(conn: &Connection, out: &Path, tenant_path: Option<&Path>) -> u8 {
    let mut client = match conn.client(auth::Need::Read) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let mut sets = Vec::new();
    for (file, path) in [
        ("policies.json", POLICIES),
        ("namedLocations.json", NAMED_LOCATIONS),
        ("authenticationStrengths.json", STRENGTHS),
    ] {
        match client.list(path) {
            Ok(mut items) => {
                if let Some(bad) = items.iter().position(|i| !i["id"].is_string()) {
                    return fail(format!(
                        "GET {}: item #{bad} has no `id`; unexpected response from Graph; nothing was written",
                        client.url(path)
                    ));
                }
                items.sort_by_key(|i| i["id"].as_str().unwrap_or_default().to_ascii_lowercase());
                sets.push((file, items));
            }
            Err(e) => return fail(e),
        }
    }
    if let Err(e) = plan::live_policies(&sets[0].1) {
        return fail(format!("{e}; nothing was written"));
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
    if let Err(e) = crate::emit::write_dir(out, &files) {
        return fail(e);
    }
    eprintln!(
        "pulled {} polic{}, {} named location(s), {} authentication strength(s) into {}",
        sets[0].1.len(),
        if sets[0].1.len() == 1 { "y" } else { "ies" },
        sets[1].1.len(),
        sets[2].1.len(),
        check::display(out)
    );
    let tenant_path = tenant_path.map_or_else(|| PathBuf::from("tenant.yaml"), Path::to_owned);
    update_tenant(&tenant_path, &sets[1].1, &sets[2].1)
}

/// Adds named locations and custom authentication strengths the tenant file
/// lacks. An existing name is never renamed or re-pointed: a clash is reported.
fn update_tenant(path: &Path, locations: &[Value], strengths: &[Value]) -> u8 {
    let (mut tenant, existed) = if path.exists() {
        let (t, r) = check::load_tenant(path);
        match t {
            Some(t) => (t, true),
            None => {
                eprint!("{}", render::human(&[r], false));
                eprintln!(
                    "error: the tenant file is invalid; it was not updated (the state was written)"
                );
                return ERROR;
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
    for c in &clashes {
        eprintln!("warning: {c}");
    }
    if added == 0 {
        return OK;
    }
    let had_comments = existed
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
        return fail(e);
    }
    eprintln!(
        "{} {}: {added} id(s) learned{}",
        if existed { "updated" } else { "wrote" },
        check::display(path),
        if had_comments {
            " (its comments were not kept: review the diff)"
        } else {
            ""
        }
    );
    OK
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
    /// The plan in the requested format.
    pub text: String,
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
/// every run). `Err(code)` after printing why, naming the root causes in the
/// closing line: a missing break-glass list or a placeholder id is not a
/// policy that fails to compile.
fn repo(opts: &check::Options, color: bool, observe: Observe) -> Result<Repo, u8> {
    let mut checked = match check::check(opts) {
        Ok(c) => c,
        Err(m) => return Err(fail(m)),
    };
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
    check::placeholder_ids(&mut checked, Severity::Error);
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
    if !reports.is_empty() {
        eprint!("{}", render::human(&reports, color));
    }
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
        eprintln!("error: {}; nothing was planned", causes.join("; "));
        return Err(ERROR);
    }
    let lint_errors = errors().count();
    Ok(Repo {
        desired,
        lint_errors,
        inputs,
    })
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

fn make_plan(
    repo: &Repo,
    live: &[Value],
    lock_path: &Path,
    prune: bool,
) -> Result<(Plan, Lock), String> {
    let lock = Lock::read(lock_path)?;
    let live = plan::live_policies(live)?;
    let p = plan::plan(&repo.desired, &live, &lock, prune)?;
    Ok((p, lock))
}

/// `caac plan`: the rendered plan, or `Err(exit code)` after printing why
/// there is none to stderr.
#[allow(clippy::too_many_arguments)]
pub fn plan_command(
    opts: &check::Options,
    conn: &Connection,
    state: Option<&Path>,
    lock_path: &Path,
    prune: bool,
    format: Format,
    color: bool,
    observe: Observe,
) -> Result<PlanOutput, u8> {
    let repo = repo(opts, color, observe)?;
    let live = match state {
        Some(s) => from_state(s),
        None => conn
            .client(auth::Need::Read)
            .and_then(|mut c| c.list(POLICIES))
            .map_err(|e| e.to_string()),
    };
    let live = live.map_err(fail)?;
    let (p, _) = make_plan(&repo, &live, lock_path, prune).map_err(fail)?;
    let text = match format {
        Format::Human => plan::human(&p),
        Format::Json => crate::emit::pretty(&plan::to_json(&p)),
        Format::Markdown => plan::markdown(&p),
    };
    let mut inputs = repo.inputs;
    inputs.push(lock_path.to_owned());
    if let Some(s) = state {
        inputs.push(if s.is_dir() {
            s.join("policies.json")
        } else {
            s.to_owned()
        });
    }
    Ok(PlanOutput {
        text,
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
    /// Do not ask.
    pub yes: bool,
    /// The lock file.
    pub lock: &'a Path,
    /// Plan from a pulled state instead of live (dry runs only).
    pub state: Option<&'a Path>,
}

fn policy_url(client: &Client, version: &str, id: Option<&str>) -> String {
    client.url(&format!(
        "/{version}/identity/conditionalAccess/policies{}",
        id.map(|i| format!("/{i}")).unwrap_or_default()
    ))
}

/// The requests a plan makes, in order.
fn requests(p: &Plan, client: &Client) -> Vec<(usize, Request)> {
    let mut out = Vec::new();
    for (n, i) in p.items.iter().enumerate() {
        let version = i.api_version.map_or("v1.0", |v| v.as_str());
        let req = match i.action {
            Action::Create => Request {
                method: "POST",
                url: policy_url(client, version, None),
                body: i.body.clone(),
            },
            Action::Update => {
                // Everything the spec dropped is cleared explicitly: a PATCH
                // keeps what its body leaves out (patch.rs).
                let body =
                    patch::body(i.body.as_ref().unwrap_or(&Value::Null), i.live_raw.as_ref());
                let version = match i.api_version {
                    Some(v) => patch::api_version(&body, v).as_str(),
                    None => version,
                };
                Request {
                    method: "PATCH",
                    url: policy_url(client, version, i.id.as_deref()),
                    body: Some(body),
                }
            }
            Action::Delete => Request {
                method: "DELETE",
                url: policy_url(client, "v1.0", i.id.as_deref()),
                body: None,
            },
            Action::Unchanged | Action::Unmanaged => continue,
        };
        out.push((n, req));
    }
    out
}

/// `caac apply`.
pub fn apply(
    opts: &check::Options,
    conn: &Connection,
    a: &ApplyOptions,
    color: bool,
    observe: Observe,
) -> u8 {
    let repo = match repo(opts, color, observe) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // Lockout gate: `repo` runs `check::lockout_gate` and counts its findings
    // as lint errors, so refusing on lint errors here also refuses a lockout.
    if repo.lint_errors > 0 {
        eprintln!(
            "error: {} lint error(s) above; apply refuses to change the tenant until `caac lint` passes",
            repo.lint_errors
        );
        return CHANGES;
    }
    if a.state.is_some() && !a.dry_run {
        return fail(
            "--state plans from a pulled file; apply it with --dry-run only (a real apply reads the tenant live)",
        );
    }
    let mut client = if a.dry_run && a.state.is_some() {
        // Offline dry run: no token needed, and none is printed anyway.
        match Client::new(conn.settings(), graph_token_placeholder()) {
            Ok(c) => c,
            Err(e) => return fail(e),
        }
    } else {
        // A dry run against the tenant is checked for write permissions
        // too: it previews an apply, and should fail where the apply would.
        match conn.client(auth::Need::Write) {
            Ok(c) => c,
            Err(e) => return fail(e),
        }
    };
    let live = match a.state {
        Some(s) => from_state(s),
        None => client.list(POLICIES).map_err(|e| e.to_string()),
    };
    let live = match live {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let (p, mut lock) = match make_plan(&repo, &live, a.lock, a.prune) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let reqs = requests(&p, &client);
    if a.dry_run {
        let mut s = String::new();
        for (_, r) in &reqs {
            s.push_str(&format!("{} {}\n", r.method, r.url));
            if let Some(b) = &r.body {
                s.push_str(&crate::emit::pretty(b));
            }
            s.push('\n');
        }
        s.push_str(&format!(
            "{} request(s); dry run, nothing was sent\n",
            reqs.len()
        ));
        print!("{s}");
        return OK;
    }
    // Adopt matches found by spec id or name even when nothing changes, so
    // the lock names every managed policy.
    let mut lock_dirty = false;
    for i in &p.items {
        if let (Some(key), Some(id), Action::Unchanged) = (&i.spec, &i.id, i.action)
            && lock.policies.get(key).is_none_or(|e| e.id != *id)
        {
            lock.policies.insert(
                key.clone(),
                lock::Entry {
                    id: id.clone(),
                    display_name: Some(i.display_name.clone()),
                },
            );
            lock_dirty = true;
        }
    }
    // Entries whose spec is gone and whose policy is gone too record nothing.
    let keys: std::collections::BTreeSet<&str> =
        repo.desired.iter().map(|d| d.key.as_str()).collect();
    let live_ids: std::collections::BTreeSet<String> = live
        .iter()
        .filter_map(|v| v["id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    let before = lock.policies.len();
    lock.policies
        .retain(|k, e| keys.contains(k.as_str()) || live_ids.contains(&e.id.to_ascii_lowercase()));
    lock_dirty |= lock.policies.len() != before;
    if lock_dirty && let Err(e) = lock.write(a.lock) {
        return fail(e);
    }
    if reqs.is_empty() {
        eprintln!(
            "No changes. {}",
            plan::human(&p).lines().last().unwrap_or_default()
        );
        return OK;
    }
    eprint!("{}", plan::human(&p));
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            return fail(
                "apply changes the tenant: pass --yes to confirm (or --dry-run to see the requests)",
            );
        }
        eprint!("Apply {} change(s) to the tenant? Type yes: ", reqs.len());
        let mut answer = String::new();
        if std::io::stdin().read_line(&mut answer).is_err() || answer.trim() != "yes" {
            eprintln!("cancelled; nothing was sent");
            return CHANGES;
        }
    }
    let tty = std::io::stderr().is_terminal();
    let total = reqs.len();
    let mut done = 0;
    let mut mismatches = 0;
    for (k, (n, req)) in reqs.into_iter().enumerate() {
        let item = &p.items[n];
        if tty {
            let width = 30;
            let filled = width * k / total;
            eprint!(
                "\r[{}{}] {k}/{total} {:<40.40}",
                "#".repeat(filled),
                " ".repeat(width - filled),
                item.display_name
            );
        }
        let result = match item.action {
            Action::Create => create(&mut client, &req, item, &mut lock, a.lock),
            Action::Update => update(&mut client, &req, item, &mut lock, a.lock),
            _ => delete(&mut client, &req, item, &mut lock, a.lock),
        };
        match result {
            Ok(Confirmed::Yes) => done += 1,
            Ok(Confirmed::Differs(fields)) => {
                done += 1;
                mismatches += 1;
                eprintln!(
                    "warning: read-back of `{}` differs from the spec in {}: Graph changed or ignored part of the write",
                    item.display_name,
                    fields.join(", ")
                );
            }
            Err(e) => {
                if tty {
                    eprintln!();
                }
                eprintln!("error: {e}");
                eprintln!(
                    "{done} of {total} change(s) applied; caac.lock records them: run `caac apply` again to finish"
                );
                return ERROR;
            }
        }
    }
    if tty {
        eprintln!("\r[{}] {total}/{total}{:<40}", "#".repeat(30), "");
    }
    eprintln!("applied {done} change(s)");
    if mismatches > 0 { CHANGES } else { OK }
}

fn graph_token_placeholder() -> client::Token {
    client::Token::offline()
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
fn read_back(client: &mut Client, item: &plan::Item, id: &str) -> Result<Confirmed, GraphError> {
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
    let want = plan::canon(item.body.as_ref().unwrap_or(&Value::Null));
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
    lock: &mut Lock,
    lock_path: &Path,
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
                eprintln!("note: {e}; checking whether the policy was created before retrying");
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
    eprintln!(
        "created  {}  \"{}\" ({id})",
        item.spec.as_deref().unwrap_or(""),
        item.display_name
    );
    read_back(client, item, &id)
}

fn update(
    client: &mut Client,
    req: &Request,
    item: &plan::Item,
    lock: &mut Lock,
    lock_path: &Path,
) -> Result<Confirmed, GraphError> {
    let id = item.id.clone().unwrap_or_default();
    client.send(req, true)?;
    record(lock, lock_path, item, &id)?;
    eprintln!(
        "updated  {}  \"{}\" ({id})",
        item.spec.as_deref().unwrap_or(""),
        item.display_name
    );
    read_back(client, item, &id)
}

fn delete(
    client: &mut Client,
    req: &Request,
    item: &plan::Item,
    lock: &mut Lock,
    lock_path: &Path,
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
    eprintln!("deleted  \"{}\" ({id})", item.display_name);
    Ok(Confirmed::Yes)
}
