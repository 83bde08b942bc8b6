//! Import: Graph exports → the policy model (and, for `caac import`, back
//! out as readable YAML specs).
//!
//! Contract: [`crate::graph::read`] converts exported JSON into [`crate::model::Policy`]
//! values with a pointer map back into the export; lint, build and import all
//! read exports through it, so there is one model and one reading of every
//! export dialect.

pub mod yaml;

use crate::catalog::{self, Kind};
use crate::diag::{Code, Diagnostic, Severity};
use crate::graph::read;
use crate::model::{Policy, State, Tenant};
use crate::render::FileReport;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What `caac import` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/import.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Graph exports: files or directories.
    pub paths: Vec<std::path::PathBuf>,
    /// The tenant file (names for ids), when named; `tenant.yaml` in the
    /// working directory is used when present otherwise.
    pub tenant: Option<std::path::PathBuf>,
    /// The directory the specs are written to.
    pub output: std::path::PathBuf,
    /// Where a tenant-file skeleton for the referenced ids goes, if anywhere.
    pub tenant_out: Option<std::path::PathBuf>,
}

/// One policy ready to be written as a spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// File name (`<displayName>.yaml`, unique within the import).
    pub file: String,
    /// The YAML text.
    pub text: String,
}

/// The outcome of importing a set of exports.
#[derive(Debug, Default)]
pub struct Imported {
    /// Specs to write, in input order.
    pub specs: Vec<Spec>,
    /// Every input file's report (positions into the export).
    pub reports: Vec<FileReport>,
    /// Policies read, and policies skipped because they are invalid.
    pub read: usize,
    /// Policies that were not imported.
    pub skipped: usize,
    /// Every directory object id the imported policies reference, by kind.
    pub referenced: BTreeMap<Kind, BTreeSet<String>>,
    /// Input files that could not be read at all (unparseable, not an export).
    pub unreadable: usize,
}

/// Imports every policy in `files`, with names where caac knows them. A
/// policy with a value the model cannot hold (an unknown enum member, a wrong
/// type) is reported at its position and not written, since its spec would
/// lose that value. References that do not resolve (template placeholders
/// such as `<Group>`, display names where ids belong, malformed GUIDs) are
/// kept exactly as written and reported: the spec then fails closed at
/// `caac build` until the tenant file or the spec says what they mean.
pub fn import(files: &[std::path::PathBuf], tenant: Option<&Tenant>, schema_ref: &str) -> Imported {
    let mut out = Imported::default();
    let mut used = BTreeSet::new();
    for path in files {
        let (mut report, units) = crate::check::load_policy(path, tenant);
        if units.is_empty() {
            out.unreadable += 1;
        }
        for unit in units {
            let Some(converted) = &unit.converted else {
                report.diagnostics.push(
                    Diagnostic::error(
                        Code::NotAnExport,
                        "only Graph JSON exports (*.json) can be imported".into(),
                    )
                    .with_help("this file is already a caac spec"),
                );
                continue;
            };
            out.read += 1;
            let name = unit.display_name.clone().unwrap_or_default();
            if converted.lossy {
                out.skipped += 1;
                let mut d = Diagnostic::error(
                    Code::NotImported,
                    format!("policy `{name}` was not imported: a value above could not be read, so a spec would lose it"),
                )
                .at_value(unit.at.clone())
                .with_help("fix the export and import again");
                d.policy = Some(name);
                report.diagnostics.push(d);
                continue;
            }
            // What import itself fixes (a mis-cased value) is written
            // fixed: for the import that is a warning, not an error.
            downgrade_fixes(&mut report, converted);
            let mut policy = converted.policy.clone();
            collect_ids(&mut policy, &mut out.referenced);
            unresolve(&mut policy, tenant);
            let stem = crate::emit::file_stem(&policy.display_name);
            let mut file = format!("{stem}.yaml");
            let mut n = 2;
            while !used.insert(file.to_lowercase()) {
                file = format!("{stem}-{n}.yaml");
                n += 1;
            }
            let source = match unit.at.as_str() {
                "" => crate::check::display(path),
                at => format!("{}#{at}", crate::check::display(path)),
            };
            out.specs.push(Spec {
                file,
                text: spec_text(&policy, schema_ref, &source),
            });
        }
        report.sort();
        out.reports.push(report);
    }
    out
}

/// Turns the errors conversion recovered from ([`read::Converted::fixed`])
/// into warnings that say what the spec holds instead.
fn downgrade_fixes(report: &mut FileReport, converted: &read::Converted) {
    for d in &mut report.diagnostics {
        let crate::diag::Location::Pointer { pointer, .. } = &d.location else {
            continue;
        };
        let Some(fixed) = converted.fixed.get(pointer) else {
            continue;
        };
        if d.severity != Severity::Error
            || !converted
                .diagnostics
                .iter()
                .any(|c| c.location == d.location && c.message == d.message)
        {
            continue;
        }
        d.severity = Severity::Warning;
        d.message = match fixed {
            Some(v) => format!("{}; the spec holds `{v}`", d.message),
            None => format!("{}; the spec holds what it means", d.message),
        };
        d.help =
            Some("the spec is correct; fix the export too if other tools still read it".into());
    }
}

/// Records the directory ids a policy references (for the tenant skeleton).
fn collect_ids(policy: &mut Policy, into: &mut BTreeMap<Kind, BTreeSet<String>>) {
    crate::resolve::for_each_reference(policy, |kind, _, v| {
        if crate::resolve::is_guid(v)
            && catalog::find_by_id(kind, v).is_none()
            && catalog::keyword(kind, v).is_none()
        {
            into.entry(kind).or_default().insert(v.to_ascii_lowercase());
        }
    });
}

/// Ids → the names a person reads: the tenant file's name, else the built-in
/// catalog's, else the id stays. User actions use their short spec name.
pub fn unresolve(policy: &mut Policy, tenant: Option<&Tenant>) {
    if policy.state == State::EnabledForReportingButNotEnforced {
        policy.state = State::ReportOnly;
    }
    crate::resolve::for_each_reference(policy, |kind, _, v| {
        if catalog::keyword(kind, v).is_some() {
            return;
        }
        let from_tenant = tenant.and_then(|t| t.names(kind)).and_then(|names| {
            names
                .iter()
                .find(|(_, id)| id.eq_ignore_ascii_case(v))
                .map(|(n, _)| n.clone())
        });
        let name = from_tenant.or_else(|| {
            catalog::find_by_id(kind, v).map(|e| match kind {
                Kind::UserAction => e.aliases.first().copied().unwrap_or(e.name).to_owned(),
                _ => e.name.to_owned(),
            })
        });
        if let Some(n) = name {
            // Only use the name when it resolves back to exactly this id.
            if crate::resolve::resolve_value(kind, &n, tenant)
                .is_ok_and(|id| id.eq_ignore_ascii_case(v))
            {
                *v = n;
            }
        }
    });
}

/// The spec file text: schema modeline, provenance, then the policy.
pub fn spec_text(policy: &Policy, schema_ref: &str, source: &str) -> String {
    let value = serde_json::to_value(policy).unwrap_or_default();
    format!(
        "# yaml-language-server: $schema={schema_ref}\n# Imported by caac from {source}\n{}",
        yaml::to_yaml(&value)
    )
}

/// A skeleton `tenant.yaml`: the given tenant's entries plus every
/// referenced id it lacks, named `group-<first 8 hex>` etc. for a person to rename.
pub fn tenant_skeleton(
    tenant: Option<&Tenant>,
    referenced: &BTreeMap<Kind, BTreeSet<String>>,
    schema_ref: &str,
) -> String {
    let mut t = tenant.cloned().unwrap_or_default();
    for (kind, ids) in referenced {
        let prefix = match kind {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Location => "location",
            Kind::AuthenticationStrength => "strength",
            Kind::TermsOfUse => "terms",
            Kind::AuthenticationContext => "context",
            Kind::Application => "app",
            Kind::ServicePrincipal => "service-principal",
            Kind::ExternalTenant => "tenant",
            Kind::Role | Kind::UserAction => continue,
        };
        let names = match *kind {
            Kind::User => &mut t.users,
            Kind::Group => &mut t.groups,
            Kind::Location => &mut t.named_locations,
            Kind::AuthenticationStrength => &mut t.authentication_strengths,
            Kind::TermsOfUse => &mut t.terms_of_use,
            Kind::AuthenticationContext => &mut t.authentication_contexts,
            Kind::Application => &mut t.applications,
            Kind::ServicePrincipal => &mut t.service_principals,
            Kind::ExternalTenant => &mut t.external_tenants,
            Kind::Role | Kind::UserAction => continue,
        };
        for id in ids {
            if !names.values().any(|v| v.eq_ignore_ascii_case(id)) {
                names.insert(format!("{prefix}-{}", &id[..8]), id.clone().into());
            }
        }
    }
    let value = serde_json::to_value(&t).unwrap_or_default();
    format!(
        "# yaml-language-server: $schema={schema_ref}\n\
         # Written by caac import: rename the `group-1a2b3c4d`-style entries to the names your team uses.\n{}",
        yaml::to_yaml(&value)
    )
}

/// The severity that decides `caac import`'s exit code.
pub fn worst(reports: &[FileReport]) -> Option<Severity> {
    reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .map(|d| d.severity)
        .max()
}

/// The `$schema=` modeline value for specs written into the directory
/// `out`: the policy schema's draft-07 copy in `./schemas/`, relative to
/// `out`, when it is there; else its public URL ([`crate::schemas`]).
pub fn schema_ref(out: &Path) -> String {
    schema_ref_for(out, crate::schemas::POLICY_FOR_EDITORS)
}

/// [`schema_ref`] for another shipped schema (`location.schema.json`).
pub fn schema_ref_for(out: &Path, file: &str) -> String {
    use crate::schemas::{local_dir, modeline};
    modeline(&out.join("spec.yaml"), file, local_dir(file).as_deref())
}

/// Writes the specs into the new directory `out` and, when asked, the
/// tenant skeleton to the new file `tenant_out`, as one step: both targets
/// are checked before anything is written, and when the second write fails
/// the first is undone, so a failed import leaves the disk as it was
/// (earlier outputs included). Returns every reason it could not write.
pub fn write_outputs(
    out: &Path,
    files: &[(String, Vec<u8>)],
    tenant_out: Option<(&Path, &[u8])>,
) -> Result<(), Vec<crate::emit::EmitError>> {
    use crate::emit::{self, EmitError};
    let mut refused = Vec::new();
    let out_existed = match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                refused.push(EmitError::NotEmpty(out.to_owned()));
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(_) if out.is_file() => {
            refused.push(EmitError::Exists(out.to_owned()));
            true
        }
        Err(source) => {
            refused.push(EmitError::Io {
                path: out.to_owned(),
                source,
            });
            true
        }
    };
    if let Some((t, _)) = tenant_out
        && std::fs::symlink_metadata(t).is_ok()
    {
        refused.push(EmitError::Exists(t.to_owned()));
    }
    if !refused.is_empty() {
        return Err(refused);
    }
    emit::create_dir(out, files).map_err(|e| vec![e])?;
    if let Some((t, bytes)) = tenant_out
        && let Err(e) = emit::create_file(t, bytes)
    {
        // Undo the specs: the directory is the one just created (it did not
        // exist, or was empty and has been replaced).
        let _ = std::fs::remove_dir_all(out);
        if out_existed {
            let _ = std::fs::create_dir(out);
        }
        return Err(vec![e]);
    }
    Ok(())
}

/// The closing line of `caac import`: what was imported, and what was
/// skipped and why.
pub fn summary(imported: &Imported, out: &str, unreadable_paths: usize, not_json: usize) -> String {
    fn n(count: usize, one: &str, many: &str) -> String {
        format!("{count} {}", if count == 1 { one } else { many })
    }
    let mut line = format!(
        "imported {} of {} into {out}",
        imported.specs.len(),
        n(imported.read, "policy", "policies"),
    );
    let mut skipped = Vec::new();
    if imported.skipped > 0 {
        skipped.push(format!(
            "{} (a value could not be read, so a spec would lose it)",
            n(imported.skipped, "policy", "policies")
        ));
    }
    if imported.unreadable > 0 {
        skipped.push(format!(
            "{} (not a readable Graph export)",
            n(imported.unreadable, "file", "files")
        ));
    }
    if unreadable_paths > 0 {
        skipped.push(format!(
            "{} (cannot be read)",
            n(unreadable_paths, "path", "paths")
        ));
    }
    if !skipped.is_empty() {
        line.push_str(&format!("; skipped {}, reported above", skipped.join(", ")));
    }
    if not_json > 0 {
        line.push_str(&format!(
            "; ignored {} (only *.json Graph exports are imported)",
            n(
                not_json,
                "file that is not *.json",
                "files that are not *.json"
            )
        ));
    }
    line.push('\n');
    line
}
