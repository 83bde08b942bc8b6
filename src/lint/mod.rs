//! Lint: the rule registry and the runner.
//!
//! Contract: a rule is static metadata (id and name from
//! `shared/reference/rules.md`, default severity, a one-line fix, docs with the
//! fixed headings *What it checks / Why it matters / Example / Fix /
//! References*) plus a check function. Checks see resolved policies (ids, not
//! names) and report [`Hit`]s with JSON pointers into the spec; the report
//! stage turns pointers into line:column. Rules never do I/O. Rules that need
//! tenant data stay silent without it.

pub mod rules;

use crate::diag::{Diagnostic, Severity};
use crate::model::{Policy, Tenant};

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
}

/// Resolved break-glass ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BreakGlassIds {
    /// User object ids.
    pub users: Vec<String>,
    /// Group object ids.
    pub groups: Vec<String>,
}

impl BreakGlassIds {
    /// True when no break-glass identity is known.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty()
    }
}

/// One finding of a rule, before it becomes a [`Diagnostic`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// JSON pointer into the spec.
    pub pointer: String,
    /// Point at the key instead of the value.
    pub key: bool,
    /// What is wrong here.
    pub message: String,
    /// A severity other than the rule's default (for rules with style cases).
    pub severity: Option<Severity>,
}

impl Hit {
    /// A hit at the value of `pointer`.
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Hit {
            pointer: pointer.into(),
            key: false,
            message: message.into(),
            severity: None,
        }
    }

    /// A hit at the key of `pointer`.
    pub fn at_key(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Hit {
            key: true,
            ..Hit::at(pointer, message)
        }
    }

    /// Overrides the rule's severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// How a rule looks at policies.
#[derive(Clone, Copy)]
pub enum Check {
    /// One policy at a time.
    Policy(fn(&Context) -> Vec<Hit>),
    /// The whole set; hits are `(index into the set, hit)`.
    Set(fn(&[Context]) -> Vec<(usize, Hit)>),
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
    /// True when the rule needs tenant data (break-glass ids, directory).
    pub needs_tenant: bool,
    /// The check.
    pub check: Check,
}

impl Rule {
    fn diagnostic(&self, hit: Hit) -> Diagnostic {
        let mut d = Diagnostic::error(self.id, hit.message).with_help(self.fix);
        d.name = Some(self.name);
        d.severity = hit.severity.unwrap_or(self.severity);
        if hit.key {
            d.at_key(hit.pointer)
        } else {
            d.at_value(hit.pointer)
        }
    }
}

/// Runs every rule over a policy set; returns diagnostics per policy (same
/// order as `set`), each sorted by rule id.
pub fn run(set: &[Context]) -> Vec<Vec<Diagnostic>> {
    let mut out = vec![Vec::new(); set.len()];
    for rule in rules::RULES {
        if rule.needs_tenant
            && set
                .iter()
                .all(|c| c.break_glass.is_empty() && c.tenant.is_none())
        {
            continue;
        }
        match rule.check {
            Check::Policy(f) => {
                for (i, ctx) in set.iter().enumerate() {
                    out[i].extend(f(ctx).into_iter().map(|h| rule.diagnostic(h)));
                }
            }
            Check::Set(f) => {
                for (i, hit) in f(set) {
                    out[i].push(rule.diagnostic(hit));
                }
            }
        }
    }
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
