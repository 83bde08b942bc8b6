//! Evaluating prepared scenarios with the what-if engine
//! ([`crate::whatif`]): each distinct set of applying policies once, the
//! expectation compared, and a verdict with a readable diff.

use super::*;
use crate::catalog::{self, Kind};
use crate::model::{BuiltInControl, Wire};
use crate::whatif::{self, Access, Control, Engine, Outcome, output};
use serde_json::Value;
use std::collections::HashMap;

/// The result of one scenario.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub(super) file: String,
    pub(super) line: u32,
    pub(super) name: String,
    pub(super) sign_ins: usize,
    pub(super) failing: usize,
    /// The first failing combination: what it was, the diff lines, the request.
    pub(super) first: Option<(String, Vec<String>, Value)>,
    pub(super) enforce: bool,
}

impl Verdict {
    pub(crate) fn passed(&self) -> bool {
        self.failing == 0
    }

    /// The failure text (empty when passed), lines without indentation.
    pub(super) fn diff(&self) -> Vec<String> {
        let Some((combo, lines, request)) = &self.first else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if self.sign_ins > 1 {
            out.push(format!(
                "{} of {} sign-ins fail; the first: {combo}",
                self.failing, self.sign_ins
            ));
        }
        out.extend(lines.iter().cloned());
        if self.sign_ins > 1 {
            out.push(format!(
                "request (caac whatif --request FILE{}):",
                if self.enforce {
                    "; the scenario enforces report-only policies, whatif shows them as report-only"
                } else {
                    ""
                }
            ));
            out.extend(
                crate::emit::pretty(request)
                    .lines()
                    .map(|l| format!("  {l}")),
            );
        }
        out
    }
}
// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/// The diff lines of one evaluated sign-in; empty when it meets the expectation.
pub(super) fn compare(p: &Prepared, o: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    let why = |o: &Outcome| -> String {
        let by: Vec<&str> = match o.access {
            Access::Block => o
                .requirements
                .iter()
                .filter(|r| {
                    r.controls
                        .contains(&Control::BuiltIn(BuiltInControl::Block))
                })
                .map(|r| r.policy.as_str())
                // Policies that block because the sign-in cannot satisfy
                // them (legacy client facing MFA, token protection unbound).
                .chain(o.unsatisfiable.iter().map(|u| u.policy.as_str()))
                .collect(),
            Access::Grant => o.requirements.iter().map(|r| r.policy.as_str()).collect(),
            Access::Allow => Vec::new(),
        };
        if by.is_empty() {
            String::new()
        } else {
            format!(" (by {})", by.join(", "))
        }
    };
    if let Some(want) = p.access
        && o.access != want
    {
        out.push(format!(
            "access: expected {}, got {}{}",
            want.as_str(),
            o.access.as_str(),
            why(o)
        ));
    }
    if let Some(not) = p.access_not
        && o.access == not
    {
        out.push(format!(
            "access: expected anything but {}, got {}{}",
            not.as_str(),
            o.access.as_str(),
            why(o)
        ));
    }
    if !out.is_empty() && !p.enforce && !o.report_only.is_empty() {
        out.push(format!(
            "note: report-only policies never change access; these would apply: {} (`enforceReportOnly: true` evaluates them as enabled)",
            o.report_only.join(", ")
        ));
    }
    for name in &p.apply {
        for r in o.policies.iter().filter(|r| &r.name == name && !r.applies) {
            out.push(format!(
                "{}: expected to apply, does not ({})",
                r.name,
                output::reasons_string(&r.reasons).replace(',', ", ")
            ));
        }
    }
    for name in &p.not_apply {
        for r in o.policies.iter().filter(|r| &r.name == name && r.applies) {
            out.push(format!("{}: expected not to apply, applies", r.name));
        }
    }
    for want in &p.requirements {
        if !o
            .requirements
            .iter()
            .any(|r| r.controls.contains(&want.control))
        {
            let got: Vec<String> = o
                .requirements
                .iter()
                .map(|r| format!("{} ({})", requirement_text(r), r.policy))
                .collect();
            out.push(format!(
                "requirements: expected {} to be required, got {}",
                want.label,
                if got.is_empty() {
                    "none".to_owned()
                } else {
                    got.join("; ")
                }
            ));
        }
    }
    if let Some(want) = &p.session {
        let got = output::session_json(&o.session);
        let want = Value::Object(want.clone());
        if !subset(&want, &got) {
            out.push(format!(
                "session: expected {}, got {}",
                serde_json::to_string(&want).unwrap_or_default(),
                serde_json::to_string(&got).unwrap_or_default()
            ));
        }
    }
    out
}

pub(super) fn requirement_text(r: &whatif::Requirement) -> String {
    let parts: Vec<String> = r
        .controls
        .iter()
        .map(|c| match c {
            Control::BuiltIn(b) => b.wire().to_owned(),
            Control::AuthenticationStrength(id) => {
                catalog::find_by_id(Kind::AuthenticationStrength, id)
                    .map_or_else(|| id.clone(), |e| e.name.to_owned())
            }
            Control::TermsOfUse(id) | Control::CustomAuthenticationFactor(id) => id.clone(),
        })
        .collect();
    parts.join(&format!(" {} ", r.operator.as_str()))
}

/// `want` is contained in `got`: objects by key (recursively), anything else equal.
pub(super) fn subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| subset(v, gv))),
        _ => want == got,
    }
}

/// Evaluates one scenario over every combination of its sweep. Combinations
/// are independent, so large sweeps run in chunks on every core; the count
/// and the first failing combination do not depend on the split.
pub(crate) fn evaluate(p: &Prepared, engine: &Engine) -> Verdict {
    use rayon::prelude::*;
    const CHUNK: usize = 2048;
    let total = p.dims.total();
    let chunks: Vec<(usize, Option<usize>)> = (0..total.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut sign_in = p.sign_in.clone();
            let mut failing = 0;
            let mut first = None;
            let mut reasons = Vec::new();
            let mut verdicts: HashMap<Vec<bool>, bool> = HashMap::new();
            for n in c * CHUNK..((c + 1) * CHUNK).min(total) {
                p.dims.apply(p.dims.indices(n), &mut sign_in);
                // The combined outcome (access, requirements, session) is a
                // function of which policies apply, and so is every
                // expectation: evaluate fully once per distinct set.
                engine.reasons_into(&sign_in, &mut reasons);
                let applying: Vec<bool> = reasons.iter().map(|r| r.is_empty()).collect();
                let fails = *verdicts
                    .entry(applying)
                    .or_insert_with(|| !compare(p, &engine.evaluate(&sign_in)).is_empty());
                if fails {
                    failing += 1;
                    first.get_or_insert(n);
                }
            }
            (failing, first)
        })
        .collect();
    let failing = chunks.iter().map(|c| c.0).sum();
    let first = chunks.iter().find_map(|c| c.1).map(|n| {
        let ix = p.dims.indices(n);
        let mut sign_in = p.sign_in.clone();
        p.dims.apply(ix, &mut sign_in);
        (
            p.dims.describe(ix),
            compare(p, &engine.evaluate(&sign_in)),
            p.dims.apply_json(ix, &p.request),
        )
    });
    Verdict {
        file: p.file.clone(),
        line: p.line,
        name: p.name.clone(),
        sign_ins: total,
        failing,
        first,
        enforce: p.enforce && p.dims.is_sweep(),
    }
}
