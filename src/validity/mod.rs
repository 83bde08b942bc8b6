//! Graph validity: the policy shapes Microsoft Graph rejects, checked on every
//! resolved policy by `caac lint`, `build`, `plan` and `apply`.
//!
//! Contract: a constraint is part of compiling, not a lint rule. Its finding
//! is always an error; `.caac.yaml` `rules:` cannot switch it off or lower it
//! (naming one there is an error), a `caac-ignore` comment cannot silence it
//! (naming one there is an error), and `--partial` does not drop it. `build`
//! therefore never writes a body Graph answers with 400, whatever the
//! configuration. Each constraint cites the Microsoft page that states it;
//! best practice (what Graph accepts but Microsoft advises against) lives in
//! [`crate::lint`].
//!
//! Ids share the rule catalogue's namespace. Checks that were lint rules
//! before keep their id and name (`CA007 mfa-with-auth-strength`), so SARIF
//! history, docs links and `caac explain CA007` keep working.
//!
//! The constraints, one file each, listed in [`CONSTRAINTS`] in id order;
//! `docs/rules.md` lists them with their sources (generated from here).
//!
//! The error-severity lint rules that stay lint rules, and why (audited when
//! this split was made): CA001/CA002 (an include of exactly `None` is a shape
//! Graph accepts; naming nothing at all is CA021/CA022 here); CA101, CA102,
//! CA111 (lockout and exclusion hygiene: Graph accepts the policy); CA208
//! (caac's own rollout metadata, never sent); CA310 (the admin center's 1–23
//! hours / 1–365 days range is not stated by Graph); CA401–CA404 (Token
//! Protection guidance: Graph accepts the policy, it just breaks clients);
//! CA7xx (the set as a whole); CA802 (Graph allows duplicate display names);
//! CA901–CA906 (whether an id exists is tenant data, resolved and failed
//! closed by `resolve`; the rules judge it against the tenant file). The
//! corpus test checks the other direction: no constraint fires on the real
//! policies Graph accepted.

mod ca005_block_with_grant_controls;
mod ca007_mfa_with_auth_strength;
mod ca008_no_controls;
mod ca010_password_change_constraints;
mod ca011_risk_remediation_constraints;
mod ca015_unknown_enum_value;
mod ca016_mixed_target_types;
mod ca020_register_device_constraints;
mod ca021_users_required;
mod ca022_applications_required;
pub mod ca023_invalid_ip_range;
pub mod ca024_invalid_country_code;
pub mod ca025_invalid_authentication_combination;
pub mod ca026_location_kind_conflict;
mod ca301_sif_invalid;
mod ca304_persistent_browser_not_all_resources;
mod ca307_cae_disable_constraints;
mod ca601_workload_grant_not_block;
pub mod ca910_named_location_limits;
mod duplicates;

pub use ca021_users_required::names_no_identity;
pub use ca022_applications_required::names_no_resource;
pub use duplicates::duplicates;

use crate::diag::{Diagnostic, Hit};
use crate::model::Policy;

/// One thing Graph rejects.
pub struct Constraint {
    /// Catalogue id, e.g. `CA007`.
    pub id: &'static str,
    /// Kebab-case name, e.g. `mfa-with-auth-strength`.
    pub name: &'static str,
    /// One line: what Graph rejects.
    pub summary: &'static str,
    /// One line: how to make the body valid (shown as `help:`).
    pub fix: &'static str,
    /// Markdown docs with the fixed headings *What it checks / Why it
    /// matters / Example / Fix / References*; References name the Microsoft
    /// page the constraint comes from.
    pub docs: &'static str,
    /// The check; `None` when the JSON Schema stage enforces it (the typed
    /// model cannot even hold the violation).
    pub check: Option<fn(&Policy) -> Vec<Hit>>,
}

impl Constraint {
    /// Absolute URL of the constraint's section in `docs/rules.md` (SARIF
    /// requires an absolute `helpUri`).
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/docs/rules.md#{}",
            crate::HOMEPAGE,
            self.id.to_lowercase()
        )
    }
}

/// Every constraint, in id order.
pub static CONSTRAINTS: &[&Constraint] = &[
    &ca005_block_with_grant_controls::CONSTRAINT,
    &ca007_mfa_with_auth_strength::CONSTRAINT,
    &ca008_no_controls::CONSTRAINT,
    &ca010_password_change_constraints::CONSTRAINT,
    &ca011_risk_remediation_constraints::CONSTRAINT,
    &ca015_unknown_enum_value::CONSTRAINT,
    &ca016_mixed_target_types::CONSTRAINT,
    &ca020_register_device_constraints::CONSTRAINT,
    &ca021_users_required::CONSTRAINT,
    &ca022_applications_required::CONSTRAINT,
    &ca301_sif_invalid::CONSTRAINT,
    &ca304_persistent_browser_not_all_resources::CONSTRAINT,
    &ca307_cae_disable_constraints::CONSTRAINT,
    &ca601_workload_grant_not_block::CONSTRAINT,
];

/// The constraints on the named location and authentication strength specs
/// (`locations/`, `strengths/`), in id order. `crate::objects` runs them
/// (their `check` is `None`: they judge those specs, not policies).
pub static OBJECT_CONSTRAINTS: &[&Constraint] = &[
    &ca023_invalid_ip_range::CONSTRAINT,
    &ca024_invalid_country_code::CONSTRAINT,
    &ca025_invalid_authentication_combination::CONSTRAINT,
    &ca026_location_kind_conflict::CONSTRAINT,
    &ca910_named_location_limits::CONSTRAINT,
];

/// Every constraint: the policy ones, then the object ones.
pub fn all() -> impl Iterator<Item = &'static Constraint> {
    CONSTRAINTS.iter().chain(OBJECT_CONSTRAINTS).copied()
}

/// Looks a constraint up by id (`CA007`) or name (`mfa-with-auth-strength`).
pub fn find(id_or_name: &str) -> Option<&'static Constraint> {
    all().find(|c| c.id.eq_ignore_ascii_case(id_or_name) || c.name == id_or_name)
}

/// True when `code` is a Graph-validity constraint's id.
pub fn is_constraint(code: &str) -> bool {
    all().any(|c| c.id == code)
}

/// The diagnostic of constraint `c` for `hit` (always an error).
pub fn diagnostic(c: &Constraint, hit: crate::diag::Hit) -> Diagnostic {
    let mut d = Diagnostic::error(c.id, hit.message).with_help(c.fix);
    d.name = Some(c.name);
    if hit.key {
        d.at_key(hit.pointer)
    } else {
        d.at_value(hit.pointer)
    }
}

/// Every Graph-validity error of one resolved policy, in constraint order;
/// pointers are in the spec's terms.
pub fn check(policy: &Policy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for c in CONSTRAINTS {
        let Some(f) = c.check else { continue };
        for hit in f(policy) {
            out.push(diagnostic(c, hit));
        }
    }
    out
}

/// The why for a configuration or suppression that names a constraint.
pub fn not_configurable(c: &Constraint) -> String {
    format!(
        "{} `{}` is a Graph-validity check: Graph rejects such a body, so it is always an error",
        c.id, c.name
    )
}

/// The Graph-validity section of `docs/rules.md`.
pub fn docs_markdown() -> String {
    let mut out = String::from(
        "## Graph validity (always on)\n\n\
         What Microsoft Graph rejects is part of compiling: these checks run in `lint`, `build`, \
         `plan` and `apply`, always as errors. `.caac.yaml` `rules:` cannot switch them off or \
         lower them, `caac-ignore` comments cannot silence them and `--partial` does not drop \
         them. Each cites the Microsoft page it comes from.\n\n\
         | id | name | summary |\n|---|---|---|\n",
    );
    for c in all() {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} |\n",
            c.id,
            c.id.to_lowercase(),
            c.name,
            c.summary.replace('|', "\\|")
        ));
    }
    for c in all() {
        let docs = c.docs.trim().replace("\n## ", "\n#### ");
        let docs = docs
            .strip_prefix("## ")
            .map_or(docs.clone(), |d| format!("#### {d}"));
        out.push_str(&format!(
            "\n### {}\n\n`{}` · Graph validity, always **error** · fix: {}\n\n{docs}\n",
            c.id, c.name, c.fix
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_disjoint_from_lint_rules() {
        let mut seen = std::collections::HashSet::new();
        for c in all() {
            assert!(
                seen.insert(c.id) && seen.insert(c.name),
                "duplicate {}",
                c.id
            );
            assert!(
                crate::lint::rules::RULES
                    .iter()
                    .all(|r| r.id != c.id && r.name != c.name),
                "{} is both a constraint and a lint rule",
                c.id
            );
        }
        let mut sorted: Vec<&str> = CONSTRAINTS.iter().map(|c| c.id).collect();
        sorted.sort_unstable();
        assert_eq!(sorted, CONSTRAINTS.iter().map(|c| c.id).collect::<Vec<_>>());
    }

    #[test]
    fn every_constraint_cites_microsoft() {
        for c in all() {
            for h in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## Fix",
                "## References",
            ] {
                assert!(c.docs.contains(h), "{} docs lack {h}", c.id);
            }
            let refs = &c.docs[c.docs.find("## References").unwrap_or(0)..];
            assert!(
                refs.contains("https://learn.microsoft.com/"),
                "{} cites no Microsoft page",
                c.id
            );
            assert!(!c.docs.contains("shared/"), "{} cites a private path", c.id);
        }
    }
}
