//! Lint: the rule registry and the runner.
//!
//! Contract: a rule is static metadata (a stable public id and
//! name, listed in `docs/rules.md`, default severity, a one-line fix, docs with the
//! fixed headings *What it checks / Why it matters / Example / Fix /
//! References*) plus a check function. Checks see resolved policies (ids, not
//! names) and report [`Hit`]s with JSON pointers into the spec; the report
//! stage turns pointers into line:column. Rules never do I/O. Rules that need
//! tenant data stay silent without it.

pub mod config;
pub mod rules;

pub mod suppress;

use crate::catalog::Kind;
pub use crate::diag::Hit;
use crate::diag::{Diagnostic, Severity};
use crate::model::{BreakGlassIds, Policy, Tenant};
use crate::whatif::matrix::{Persona, Value};
use config::Config;

/// What one policy looks like to a rule.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The spec file the policy came from, as given.
    pub source: &'a str,
    /// The policy with every reference resolved to its Graph value.
    pub policy: &'a Policy,
    /// The tenant file, when one was given.
    pub tenant: Option<&'a Tenant>,
    /// Break-glass identities (resolved ids), when known.
    pub break_glass: &'a BreakGlassIds,
    /// The break-glass personas CA101 checks, computed once by `check`
    /// ([`crate::whatif::lockout::break_glass_personas`]); empty: computed on
    /// demand from `break_glass` (contexts built by hand in tests).
    pub break_glass_personas: &'a [Value<Persona>],
    /// The effective configuration.
    pub config: &'a Config,
    /// An index of the tenant file's ids, built once per run; `None` falls
    /// back to scanning the tenant's tables (tests that build one context).
    pub tenant_ids: Option<&'a TenantIds>,
}

impl Context<'_> {
    /// True when `id` is an object id listed in the tenant file's table for
    /// `kind`, compared ASCII-case-insensitively. Shared by the CA9xx rules.
    pub fn listed(&self, kind: Kind, id: &str) -> bool {
        if let Some(ids) = self.tenant_ids {
            return ids.contains(kind, id);
        }
        self.tenant
            .and_then(|t| t.names(kind))
            .is_some_and(|names| names.values().any(|v| v.eq_ignore_ascii_case(id)))
    }
}

/// The lower-cased object ids of every tenant-file table. A linear scan per
/// reference made CA902 O(references × groups) — 18% of a 20,000-policy lint
/// against a 4,000-group tenant (BENCHMARKS.md §2).
#[derive(Debug, Default)]
pub struct TenantIds(std::collections::HashSet<(Kind, String)>);

impl TenantIds {
    /// Indexes `tenant`.
    pub fn new(tenant: &Tenant) -> TenantIds {
        let mut set = std::collections::HashSet::new();
        for kind in Kind::ALL {
            for entry in tenant.names(kind).into_iter().flat_map(|n| n.values()) {
                set.insert((kind, entry.id().to_ascii_lowercase()));
            }
        }
        TenantIds(set)
    }

    /// True when `id` is listed for `kind` (ASCII-case-insensitive).
    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        let key = (kind, id.to_ascii_lowercase());
        self.0.contains(&key)
    }
}

/// A set rule's finding: the index of the policy it concerns, or `None` for
/// the set as a whole.
pub type SetHit = (Option<usize>, Hit);

/// How a rule looks at policies.
#[derive(Clone, Copy)]
pub enum Check {
    /// One policy at a time.
    Policy(fn(&Context) -> Vec<Hit>),
    /// The whole set; hits are `(index into the set, hit)`, or `(None, hit)`
    /// for a finding about the set as a whole (a missing baseline policy).
    Set(fn(&[Context]) -> Vec<SetHit>),
    /// Enforced by the JSON Schema stage (the typed model cannot even hold the
    /// violation); the rule is listed for its id, docs and configuration.
    Schema,
    /// The named location and authentication strength specs (`locations/`,
    /// `strengths/`), run by [`crate::objects::Objects::lint`]; hits are
    /// `(index of the spec file's report, hit)`, pointers into that file.
    Objects(fn(&crate::objects::Objects, &crate::objects::Used) -> Vec<(usize, Hit)>),
}

/// What tenant data a rule needs; without it the rule is skipped, never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Pure static check.
    Nothing,
    /// Break-glass identities (`breakGlass:` in tenant.yaml or `--break-glass`).
    BreakGlass,
    /// The tenant directory file.
    Directory,
    /// A config value (e.g. the naming pattern).
    Config,
    /// The tenant's whole policy set: the rule judges what is *missing*
    /// (a baseline, a companion policy, a fallback), so it is skipped when
    /// only part of the set is linted (`--partial`).
    CompleteSet,
}

/// Rule categories, by the catalogue's hundreds digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// CA0xx
    Structure,
    /// CA1xx
    Lockout,
    /// CA2xx
    Rollout,
    /// CA3xx
    Session,
    /// CA4xx
    TokenProtection,
    /// CA5xx
    Guests,
    /// CA6xx
    WorkloadIdentities,
    /// CA7xx
    Baseline,
    /// CA8xx
    Hygiene,
    /// CA9xx
    Directory,
}

/// A lint rule.
pub struct Rule {
    /// Catalogue id, e.g. `CA002`.
    pub id: &'static str,
    /// Catalogue kebab-case name, e.g. `empty-resource-scope`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: what the rule catches.
    pub summary: &'static str,
    /// One line: how to fix a finding (shown as `help:`).
    pub fix: &'static str,
    /// Markdown docs with the fixed headings.
    pub docs: &'static str,
    /// Tenant data or config the rule needs.
    pub needs: Needs,
    /// The check.
    pub check: Check,
}

impl Rule {
    /// The rule's category (from its id).
    pub fn category(&self) -> Category {
        match self.id.as_bytes().get(2) {
            Some(b'0') => Category::Structure,
            Some(b'1') => Category::Lockout,
            Some(b'2') => Category::Rollout,
            Some(b'3') => Category::Session,
            Some(b'4') => Category::TokenProtection,
            Some(b'5') => Category::Guests,
            Some(b'6') => Category::WorkloadIdentities,
            Some(b'7') => Category::Baseline,
            Some(b'8') => Category::Hygiene,
            _ => Category::Directory,
        }
    }

    /// Absolute URL of the rule's section in `docs/rules.md` (SARIF and
    /// GitHub code scanning require an absolute `helpUri`).
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/docs/rules.md#{}",
            crate::HOMEPAGE,
            self.id.to_lowercase()
        )
    }

    fn diagnostic(&self, hit: Hit, severity: Severity) -> Diagnostic {
        let mut d = Diagnostic::error(self.id, hit.message).with_help(self.fix);
        d.name = Some(self.name);
        d.severity = severity;
        if hit.key {
            d.at_key(hit.pointer)
        } else {
            d.at_value(hit.pointer)
        }
    }
}

/// What a lint run found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Diagnostics per policy, in the order of the set.
    pub policies: Vec<Vec<Diagnostic>>,
    /// Findings about the set as a whole (no single policy to point at).
    pub set: Vec<Diagnostic>,
    /// Rules that did not run, with why: `(id, reason)`.
    pub skipped: Vec<(&'static str, &'static str)>,
}

/// Runs every enabled rule over a policy set. `have_break_glass` and
/// `have_tenant` say which tenant data exists; rules needing missing data are
/// skipped and listed in [`Outcome::skipped`].
pub fn run(
    set: &[Context],
    config: &Config,
    have_break_glass: bool,
    have_tenant: bool,
    partial: bool,
) -> Outcome {
    let mut out = Outcome {
        policies: vec![Vec::new(); set.len()],
        ..Outcome::default()
    };
    // Which rules run: (position in the registry, rule).
    let mut active: Vec<(usize, &Rule)> = Vec::new();
    for (n, rule) in rules::RULES.iter().enumerate() {
        if config.is_off(rule.id) {
            continue;
        }
        let missing = match rule.needs {
            Needs::BreakGlass if !have_break_glass => Some(
                "no break-glass accounts known (add `breakGlass:` to tenant.yaml or pass --break-glass)",
            ),
            Needs::Directory if !have_tenant => Some("no tenant file (pass --tenant tenant.yaml)"),
            Needs::Config if config.naming.is_none() => {
                Some("no naming pattern configured (`naming.pattern` in .caac.yaml)")
            }
            Needs::CompleteSet if partial => {
                Some("--partial: the linted files are not the whole policy set")
            }
            _ => None,
        };
        match missing {
            Some(reason) => out.skipped.push((rule.id, reason)),
            None => active.push((n, rule)),
        }
    }
    let level =
        |rule: &Rule, hit: &Hit| config.severity(rule, hit.severity.unwrap_or(rule.severity));
    // Per-policy rules are independent across policies: run them on every
    // core (a quarter of a 20,000-policy lint ran on one, BENCHMARKS.md §2).
    // Each finding keeps its rule's registry position so the merge below
    // restores the sequential order exactly.
    use rayon::prelude::*;
    let run = |ctx: &_| {
        let mut found = Vec::new();
        for &(n, rule) in &active {
            if let Check::Policy(f) = rule.check {
                for hit in f(ctx) {
                    if let Some(sev) = level(rule, &hit) {
                        found.push((n, rule.diagnostic(hit, sev)));
                    }
                }
            }
        }
        found
    };
    // One policy (a one-file lint): no thread pool.
    let per_policy: Vec<Vec<(usize, Diagnostic)>> = if set.len() < 2 {
        set.iter().map(run).collect()
    } else {
        set.par_iter().map(run).collect()
    };
    let mut set_found: Vec<Vec<(usize, Diagnostic)>> = vec![Vec::new(); set.len()];
    for &(n, rule) in &active {
        if let Check::Set(f) = rule.check {
            for (i, hit) in f(set) {
                if let Some(sev) = level(rule, &hit) {
                    let d = rule.diagnostic(hit, sev);
                    match i {
                        Some(i) => set_found[i].push((n, d)),
                        None => out.set.push(d),
                    }
                }
            }
        }
    }
    for ((slot, mut found), extra) in out.policies.iter_mut().zip(per_policy).zip(set_found) {
        found.extend(extra);
        // Stable: findings of one rule stay in the order the rule gave them.
        found.sort_by_key(|(n, _)| *n);
        *slot = found.into_iter().map(|(_, d)| d).collect();
    }
    out
}

/// `docs/rules.md`: every rule's metadata and docs, generated from the
/// registry (a test keeps the checked-in copy current).
pub fn docs_markdown() -> String {
    let mut out = String::from(
        "# caac lint rules\n\n<!-- Generated from src/lint/rules/ by `UPDATE_GENERATED=1 cargo test --test cli generated`; do not edit. -->\n\n\
         Ids and names are those of the rule catalogue; `caac explain <ID>` prints one rule, \
         `caac rules` lists them. Severities are defaults: `.caac.yaml` `rules:` overrides them. \
         The Graph-validity checks follow the rules: they are always errors.\n\n\
         | id | name | severity | category | needs | summary |\n|---|---|---|---|---|---|\n",
    );
    for r in rules::RULES {
        let needs = match r.needs {
            Needs::Nothing => "—",
            Needs::BreakGlass => "break-glass ids",
            Needs::Directory => "tenant file",
            Needs::Config => "config",
            Needs::CompleteSet => "whole set",
        };
        let category = serde_json::to_value(r.category())
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {category} | {needs} | {} |\n",
            r.id,
            r.id.to_lowercase(),
            r.name,
            r.severity.as_str(),
            r.summary.replace('|', "\\|")
        ));
    }
    for r in rules::RULES {
        let docs = r.docs.trim().replace("\n## ", "\n### ");
        let docs = docs
            .strip_prefix("## ")
            .map_or(docs.clone(), |d| format!("### {d}"));
        out.push_str(&format!(
            "\n## {}\n\n`{}` · default severity **{}** · fix: {}\n\n{docs}\n",
            r.id,
            r.name,
            r.severity.as_str(),
            r.fix
        ));
    }
    out.push('\n');
    out.push_str(&crate::validity::docs_markdown());
    out
}

/// Looks a rule up by id (`CA002`) or name (`empty-resource-scope`).
pub fn find(id_or_name: &str) -> Option<&'static Rule> {
    rules::RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name == id_or_name)
}

#[cfg(test)]
mod tests {
    use super::rules::RULES;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(
                seen.insert(r.id) && seen.insert(r.name),
                "duplicate {}",
                r.id
            );
            assert!(
                r.id.len() == 5
                    && r.id.starts_with("CA")
                    && r.id[2..].chars().all(|c| c.is_ascii_digit())
            );
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                r.name
            );
        }
        let list: Vec<String> = RULES
            .iter()
            .map(|r| format!("{} {} {}", r.id, r.name, r.severity.as_str()))
            .collect();
        insta::assert_snapshot!(list.join("\n"));
    }

    #[test]
    fn every_rule_has_docs_with_the_fixed_headings() {
        for r in RULES {
            for h in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## Fix",
                "## References",
            ] {
                assert!(r.docs.contains(h), "{} docs lack {h}", r.id);
            }
            assert!(!r.fix.is_empty() && !r.summary.is_empty());
        }
    }
}
