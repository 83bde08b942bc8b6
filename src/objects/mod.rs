//! Objects: the named location and custom authentication strength specs
//! (`locations/`, `strengths/`, one YAML file each) that policies reference
//! by display name.
//!
//! Contract: [`load`] reads every spec file of the two directories with the
//! policy loader ([`crate::load`]: positions, hardened YAML) and schema stage
//! ([`crate::validate`]: unknown keys with did-you-mean), then the
//! Graph-validity constraints ([`crate::validity::OBJECT_CONSTRAINTS`],
//! always errors), and never panics or stops at the first problem: each file
//! gets a [`FileReport`]. [`Objects::merge_into`] then makes the specs the
//! tenant's entries for their names, so resolution, what-if, coverage,
//! impact, the report and the lockout gate all see the ranges and countries
//! written here: a spec in the repository wins over tenant.yaml's entry of
//! the same name, whose id it keeps when the spec has none. A spec with no id
//! anywhere is not in the tenant yet: it resolves to a placeholder id
//! ([`crate::check::PLACEHOLDER_PREFIX`]), so `caac build` warns and `caac
//! plan` / `caac apply` refuse (fail closed) until the object exists. The
//! best-practice rules on the specs ([`crate::lint::Check::Objects`]) run in
//! [`Objects::lint`].

pub mod countries;
pub mod import;
pub mod location;
pub mod strength;

pub use location::{CountryLookupMethod, NamedLocation, location_schema};
pub use strength::{AuthenticationStrength, strength_schema};

use crate::catalog::{self, Kind};
use crate::diag::{Code, Diagnostic, Hit};
use crate::lint::config::Config;
use crate::model::{Detail, Entry, Policy, Tenant};
use crate::render::FileReport;
use crate::validate::{self, Schema};
use crate::validity::{
    ca023_invalid_ip_range, ca024_invalid_country_code, ca025_invalid_authentication_combination,
    ca026_location_kind_conflict, ca910_named_location_limits,
};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The default directory of named location specs, beside `policies/`.
pub const DEFAULT_LOCATIONS: &str = "locations";
/// The default directory of authentication strength specs, beside `policies/`.
pub const DEFAULT_STRENGTHS: &str = "strengths";

// The checked-in schemas, embedded like the policy schema (`crate::check`):
// `tests/cli/schemas.rs` fails when a file is stale and the unit test below
// ties each embedded copy to the model.
const LOCATION_SCHEMA_JSON: &str = include_str!("../../schemas/location.schema.json");
const STRENGTH_SCHEMA_JSON: &str = include_str!("../../schemas/strength.schema.json");

/// Parses an embedded schema; falls back to generating it, so even a
/// corrupted build never panics here.
fn embedded(text: &str, generate: fn() -> serde_json::Value) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| generate())
}

static LOCATION_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::new(embedded(LOCATION_SCHEMA_JSON, location_schema)));
static STRENGTH_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::new(embedded(STRENGTH_SCHEMA_JSON, strength_schema)));

/// One loaded spec.
#[derive(Debug, Clone)]
pub struct Spec<T> {
    /// Index of the file's report in [`Objects::reports`].
    pub report: usize,
    /// The spec.
    pub spec: T,
    /// The id policies resolve it to: the spec's `id`, else tenant.yaml's id
    /// for the name, else a placeholder ([`Spec::pending`]).
    pub id: String,
    /// Not in the tenant yet: no id in the spec or in tenant.yaml.
    pub pending: bool,
}

/// The loaded specs and one report per file.
#[derive(Debug, Clone, Default)]
pub struct Objects {
    /// Named locations, in path order.
    pub locations: Vec<Spec<NamedLocation>>,
    /// Authentication strengths, in path order.
    pub strengths: Vec<Spec<AuthenticationStrength>>,
    /// One report per spec file (locations first).
    pub reports: Vec<FileReport>,
}

/// The spec files of `dir` (`*.yaml`, `*.yml`, `*.json`, sorted; not
/// recursive). A missing directory has none.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                    matches!(x.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json")
                })
        })
        .collect();
    out.sort();
    out
}

/// Reads one spec file into `T`, with its report.
fn read<T: serde::de::DeserializeOwned>(path: &Path, schema: &Schema) -> (Option<T>, FileReport) {
    let mut report = FileReport {
        path: crate::check::display(path),
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

/// A placeholder id for an object not in the tenant yet, stable per kind and
/// name (so plans and what-if output do not churn).
fn pending_id(kind: &str, name: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{kind}\n{}", name.to_lowercase()).as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{}{hex}", crate::check::PLACEHOLDER_PREFIX)
}

/// The id for a spec: its own, else the tenant file's for the same name,
/// else a placeholder. `Err` when the spec's own id is not a GUID.
fn id_for(
    own: Option<&str>,
    name: &str,
    table: Option<&crate::model::Names>,
    kind: &str,
) -> Result<(String, bool), Diagnostic> {
    if let Some(id) = own {
        if crate::resolve::is_guid(id) {
            return Ok((id.to_ascii_lowercase(), false));
        }
        return Err(Diagnostic::error(
            Code::MalformedGuid,
            format!("`id: {id}` is not an object id (a GUID)"),
        )
        .at_value("/id")
        .with_help("write the object id Graph returns (8-4-4-4-12 hex digits), or remove `id:` until the object exists"));
    }
    let listed = table.and_then(|t| {
        t.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, e)| e.id().to_ascii_lowercase())
    });
    Ok(match listed {
        Some(id) => (id, false),
        None => (pending_id(kind, name), true),
    })
}

/// Loads every spec of the two directories (either may be absent).
pub fn load(
    locations: Option<&Path>,
    strengths: Option<&Path>,
    tenant: Option<&Tenant>,
) -> Objects {
    let mut out = Objects::default();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut duplicate = |name: &str, path: &str, kind: &str| -> Option<Diagnostic> {
        let key = format!("{kind}\n{}", name.to_lowercase());
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            return Some(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("{kind} `{name}` is also defined in {first}"),
                )
                .at_value("/displayName")
                .with_help("policies reference it by display name, so each name must be unique: rename one or delete the copy"),
            );
        }
        seen.push((key, path.to_owned()));
        None
    };
    let mut ip_locations = 0usize;
    for path in locations.map(files).unwrap_or_default() {
        let (spec, mut report) = read::<NamedLocation>(&path, &LOCATION_SCHEMA);
        let index = out.reports.len();
        if let Some(spec) = spec {
            let mut hits: Vec<(&crate::validity::Constraint, Hit)> = Vec::new();
            for (c, f) in [
                (
                    &ca023_invalid_ip_range::CONSTRAINT,
                    ca023_invalid_ip_range::check as fn(&NamedLocation) -> Vec<Hit>,
                ),
                (
                    &ca024_invalid_country_code::CONSTRAINT,
                    ca024_invalid_country_code::check,
                ),
                (
                    &ca026_location_kind_conflict::CONSTRAINT,
                    ca026_location_kind_conflict::check,
                ),
                (
                    &ca910_named_location_limits::CONSTRAINT,
                    ca910_named_location_limits::check,
                ),
            ] {
                hits.extend(f(&spec).into_iter().map(|h| (c, h)));
            }
            if spec.is_ip() {
                ip_locations += 1;
                if ip_locations == ca910_named_location_limits::MAX_IP_LOCATIONS + 1 {
                    hits.push((
                        &ca910_named_location_limits::CONSTRAINT,
                        Hit::at_key(
                            "/displayName",
                            format!(
                                "this is IP named location number {ip_locations}; a tenant holds at most {}",
                                ca910_named_location_limits::MAX_IP_LOCATIONS
                            ),
                        ),
                    ));
                }
            }
            report.diagnostics.extend(
                hits.into_iter()
                    .map(|(c, h)| crate::validity::diagnostic(c, h)),
            );
            // A second spec of one name is its own root cause: reported,
            // and neither merged nor linted.
            if let Some(d) = duplicate(&spec.display_name, &report.path, "named location") {
                report.diagnostics.push(d);
                out.reports.push(report);
                continue;
            }
            match id_for(
                spec.id.as_deref(),
                &spec.display_name,
                tenant.map(|t| &t.named_locations),
                "namedLocation",
            ) {
                Ok((id, pending)) => out.locations.push(Spec {
                    report: index,
                    spec,
                    id,
                    pending,
                }),
                Err(d) => report.diagnostics.push(d),
            }
        }
        out.reports.push(report);
    }
    for path in strengths.map(files).unwrap_or_default() {
        let (spec, mut report) = read::<AuthenticationStrength>(&path, &STRENGTH_SCHEMA);
        let index = out.reports.len();
        if let Some(spec) = spec {
            let c = &ca025_invalid_authentication_combination::CONSTRAINT;
            report.diagnostics.extend(
                ca025_invalid_authentication_combination::check(&spec)
                    .into_iter()
                    .map(|h| crate::validity::diagnostic(c, h)),
            );
            // A built-in strength's name would make every reference
            // ambiguous; built-in strengths are Microsoft's, never written.
            // Either clash is its own root cause: not merged, not linted.
            let clash = if let Some(builtin) =
                catalog::find_by_name(Kind::AuthenticationStrength, &spec.display_name).first()
            {
                report.diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!(
                            "`{}` is the name of the built-in authentication strength `{}`; a custom strength needs its own name",
                            spec.display_name, builtin.name
                        ),
                    )
                    .at_value("/displayName")
                    .with_help("rename the custom strength; reference the built-in one from policies directly"),
                );
                true
            } else if let Some(d) =
                duplicate(&spec.display_name, &report.path, "authentication strength")
            {
                report.diagnostics.push(d);
                true
            } else {
                false
            };
            if clash {
                out.reports.push(report);
                continue;
            }
            match id_for(
                spec.id.as_deref(),
                &spec.display_name,
                tenant.map(|t| &t.authentication_strengths),
                "authenticationStrength",
            ) {
                Ok((id, pending)) => out.strengths.push(Spec {
                    report: index,
                    spec,
                    id,
                    pending,
                }),
                Err(d) => report.diagnostics.push(d),
            }
        }
        out.reports.push(report);
    }
    out
}

impl Objects {
    /// No spec file was found.
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
    }

    /// Makes every loaded spec the tenant's entry for its name: a spec wins
    /// over a tenant.yaml entry of the same name (any casing).
    pub fn merge_into(&self, tenant: &mut Tenant) {
        for l in &self.locations {
            let s = &l.spec;
            tenant
                .named_locations
                .retain(|n, _| !n.eq_ignore_ascii_case(&s.display_name));
            tenant.named_locations.insert(
                s.display_name.clone(),
                Entry::Detailed(Detail {
                    id: l.id.clone(),
                    trusted: s.trusted(),
                    ip_ranges: s.ranges().to_vec(),
                    countries: s.countries().to_vec(),
                    include_unknown_countries: s.include_unknown(),
                    country_by_gps: s.country_lookup_method
                        == Some(CountryLookupMethod::AuthenticatorAppGps),
                    ..Detail::default()
                }),
            );
        }
        for st in &self.strengths {
            let name = &st.spec.display_name;
            tenant
                .authentication_strengths
                .retain(|n, _| !n.eq_ignore_ascii_case(name));
            tenant
                .authentication_strengths
                .insert(name.clone(), Entry::Id(st.id.clone()));
        }
    }

    /// The specs not in the tenant yet: `(report path, kind noun, name, id)`.
    pub fn pending(&self) -> Vec<(String, &'static str, String, String)> {
        let locations = self.locations.iter().filter(|l| l.pending).map(|l| {
            (
                self.reports[l.report].path.clone(),
                "named location",
                l.spec.display_name.clone(),
                l.id.clone(),
            )
        });
        let strengths = self.strengths.iter().filter(|s| s.pending).map(|s| {
            (
                self.reports[s.report].path.clone(),
                "authentication strength",
                s.spec.display_name.clone(),
                s.id.clone(),
            )
        });
        locations.chain(strengths).collect()
    }

    /// Runs the enabled object rules ([`crate::lint::Check::Objects`]) and
    /// appends their findings to the spec files' reports. `policies` are the
    /// resolved policies (for what references what); `partial` skips the
    /// rules that need the whole set.
    pub fn lint(&mut self, policies: &[&Policy], config: &Config, partial: bool) {
        let used = Used::new(policies);
        for rule in crate::lint::rules::RULES {
            let crate::lint::Check::Objects(f) = rule.check else {
                continue;
            };
            if config.is_off(rule.id) {
                continue;
            }
            // Listed as skipped by `lint::run`, which sees every rule's needs.
            if partial && rule.needs == crate::lint::Needs::CompleteSet {
                continue;
            }
            for (report, hit) in f(self, &used) {
                let Some(severity) = config.severity(rule, hit.severity.unwrap_or(rule.severity))
                else {
                    continue;
                };
                let mut d = Diagnostic::error(rule.id, hit.message).with_help(rule.fix);
                d.name = Some(rule.name);
                d.severity = severity;
                let d = if hit.key {
                    d.at_key(hit.pointer)
                } else {
                    d.at_value(hit.pointer)
                };
                if let Some(r) = self.reports.get_mut(report) {
                    r.diagnostics.push(d);
                }
            }
        }
        for r in &mut self.reports {
            crate::lint::suppress::apply(r);
        }
    }
}

/// The location and strength ids the policies reference (lower case).
#[derive(Debug, Default)]
pub struct Used {
    /// Named location ids in `locations.include` / `exclude`.
    pub locations: std::collections::HashSet<String>,
    /// Authentication strength ids in `grant.authenticationStrength`.
    pub strengths: std::collections::HashSet<String>,
}

impl Used {
    /// Collects the references of `policies` (resolved).
    pub fn new(policies: &[&Policy]) -> Used {
        let mut used = Used::default();
        for p in policies {
            if let Some(l) = &p.locations {
                for id in l.include.iter().chain(&l.exclude) {
                    used.locations.insert(id.to_ascii_lowercase());
                }
            }
            if let Some(s) = p
                .grant
                .as_ref()
                .and_then(|g| g.authentication_strength.as_ref())
            {
                used.strengths.insert(s.to_ascii_lowercase());
            }
        }
        used
    }
}

/// The object directories for a run: the config's (relative to the config
/// file) when it names them, else `locations/` and `strengths/` in `bases`
/// (the project root for the default policy paths; for explicit paths, each
/// named directory and the directory above each path), the first that exists.
pub fn directories(
    configured: (Option<PathBuf>, Option<PathBuf>),
    bases: &[PathBuf],
) -> (Option<PathBuf>, Option<PathBuf>) {
    let find = |name: &str| bases.iter().map(|b| b.join(name)).find(|p| p.is_dir());
    (
        configured.0.or_else(|| find(DEFAULT_LOCATIONS)),
        configured.1.or_else(|| find(DEFAULT_STRENGTHS)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_are_the_generated_ones() {
        for (text, generate) in [
            (
                LOCATION_SCHEMA_JSON,
                location_schema as fn() -> serde_json::Value,
            ),
            (STRENGTH_SCHEMA_JSON, strength_schema),
        ] {
            let parsed: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
            assert_eq!(parsed, generate());
        }
    }

    #[test]
    fn pending_ids_are_stable_placeholders_per_kind_and_name() {
        let a = pending_id("namedLocation", "HQ");
        assert_eq!(a, pending_id("namedLocation", "hq"));
        assert_ne!(a, pending_id("authenticationStrength", "HQ"));
        assert!(crate::check::is_placeholder_id(&a), "{a}");
    }

    #[test]
    fn a_spec_keeps_the_tenant_files_id_for_its_name() {
        let mut t = Tenant::default();
        t.named_locations.insert(
            "hq".into(),
            Entry::Id("55555555-5555-4555-8555-555555555555".into()),
        );
        let (id, pending) = id_for(None, "HQ", Some(&t.named_locations), "namedLocation").unwrap();
        assert_eq!(
            (id.as_str(), pending),
            ("55555555-5555-4555-8555-555555555555", false)
        );
        let (_, pending) =
            id_for(None, "Branch", Some(&t.named_locations), "namedLocation").unwrap();
        assert!(pending);
        assert!(id_for(Some("nope"), "HQ", None, "namedLocation").is_err());
    }
}
