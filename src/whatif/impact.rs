//! Impact: how a change to a policy set changes access, over the scenario
//! matrix, grouped into the smallest exact descriptions.
//!
//! Contract: [`analyse`] builds ONE [scenario matrix](super::matrix) from the
//! union of the base and head policy sets (so every value either side can
//! tell apart is swept), evaluates every combination on both sides with one
//! [`Engine`] each, and compares, per [`Mode`] (the enforced policies, then
//! as if report-only policies were enforced), the outcome of each side. A
//! combination changes in one or more [`Change`] ways; the changed
//! combinations are grouped by change and by the policies responsible, then
//! collapsed into exact boxes with [`super::coverage`]'s collapsing. [`human`],
//! [`json`] and [`markdown`] render an [`Impact`]. Pure and deterministic: no
//! I/O (the `caac impact` command in [`crate::impact`] materialises the base).
//!
//! # What counts
//!
//! - A side **blocks** a sign-in when an applying counted policy has the
//!   `block` grant control: "Block access … overrides all other assignment
//!   settings" and any applying block wins
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant>).
//! - A side **protects** a sign-in when it blocks it or an applying counted
//!   policy cannot be satisfied without MFA or an authentication strength
//!   (the same rule as `caac coverage`: an `OR` a weaker control satisfies
//!   does not count).
//! - Changes: **newly blocked** (not blocked → blocked), **newly allowed**
//!   (blocked → not), **newly unprotected** (protected → not; a newly
//!   allowed sign-in is usually also newly unprotected), **newly protected**
//!   (not protected → MFA or a strength required; a newly blocked sign-in
//!   is listed only as newly blocked).
//! - Report-only policies "are evaluated but not enforced"
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only>),
//!   so the enforced mode ignores them; the second mode counts them, which
//!   is what a reviewer of a new report-only policy wants to see before
//!   switching it on.
//! - Each changed combination is one scenario-matrix sign-in class (one
//!   value per dimension, equivalent values merged: see the matrix docs);
//!   a group's count is the number of concrete sign-ins its classes stand
//!   for (every merged value counted), as in `caac coverage`.

use super::collapse::{Boxes, Layout};
use super::coverage::{self, Mode, describe_masks, dimensions_json};
use super::matrix::{Combo, DIMS, Dim, Matrix};
use super::sweep::{Cursor, Sweep, bitset, intersects, ones};
use super::{Engine, PolicyRef, ReasonSet, Shape, SignIn};
use crate::model::Tenant;
use rayon::prelude::*;
use serde_json::{Value as Json, json};
use std::collections::HashMap;

/// How a sign-in's outcome changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Not blocked on the base side, blocked on the head side.
    NewlyBlocked,
    /// Blocked on the base side, not on the head side.
    NewlyAllowed,
    /// Blocked or required MFA / an authentication strength on the base
    /// side, neither on the head side.
    NewlyUnprotected,
    /// Neither blocked nor MFA / an authentication strength on the base
    /// side, MFA or an authentication strength (not a block: that is
    /// [`Change::NewlyBlocked`]) on the head side.
    NewlyProtected,
}

impl Change {
    /// Every change, in report order.
    pub const ALL: [Change; 4] = [
        Change::NewlyBlocked,
        Change::NewlyAllowed,
        Change::NewlyUnprotected,
        Change::NewlyProtected,
    ];

    /// JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::NewlyBlocked => "newlyBlocked",
            Change::NewlyAllowed => "newlyAllowed",
            Change::NewlyUnprotected => "newlyUnprotected",
            Change::NewlyProtected => "newlyProtected",
        }
    }

    /// Heading.
    pub fn title(self) -> &'static str {
        match self {
            Change::NewlyBlocked => "newly blocked",
            Change::NewlyAllowed => "newly allowed (no longer blocked)",
            Change::NewlyUnprotected => {
                "newly unprotected (no block, MFA or authentication strength any more)"
            }
            Change::NewlyProtected => {
                "newly protected (MFA or authentication strength now required)"
            }
        }
    }

    /// How the responsible policies read: head-side blockers, or base-side
    /// policies that no longer block / protect.
    pub fn by(self) -> &'static str {
        match self {
            Change::NewlyBlocked => "blocked by",
            Change::NewlyAllowed => "no longer blocked by",
            Change::NewlyUnprotected => "no longer protected by",
            Change::NewlyProtected => "protected by",
        }
    }

    /// Which side [`Group::policies`] come from.
    fn side(self) -> &'static str {
        match self {
            Change::NewlyBlocked | Change::NewlyProtected => "head",
            Change::NewlyAllowed | Change::NewlyUnprotected => "base",
        }
    }
}

/// One collapsed group of changed sign-ins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// How they changed.
    pub change: Change,
    /// Per dimension ([`Dim::ALL`] order), the values in the group.
    pub masks: Vec<coverage::Mask>,
    /// The number of combinations in the group.
    pub count: usize,
    /// The responsible policies (see [`Change::by`]), sorted.
    pub policies: Vec<String>,
    /// The group's smallest combination, for a reproducible example.
    pub example: Combo,
}

/// The result of [`analyse`].
#[derive(Debug, Clone)]
pub struct Impact {
    /// The matrix swept (from the union of both sides).
    pub matrix: Matrix,
    /// Policies on the base side (all states).
    pub base_policies: usize,
    /// Policies on the head side (all states).
    pub head_policies: usize,
    /// Per mode (enforced first), its groups sorted by change then example.
    pub modes: Vec<(Mode, Vec<Group>)>,
}

impl Impact {
    /// The groups of `mode`.
    pub fn groups(&self, mode: Mode) -> &[Group] {
        self.modes
            .iter()
            .find(|(m, _)| *m == mode)
            .map_or(&[], |(_, g)| g.as_slice())
    }

    /// Changed sign-ins of `change` in `mode`.
    pub fn count(&self, mode: Mode, change: Change) -> usize {
        self.groups(mode)
            .iter()
            .filter(|g| g.change == change)
            .map(|g| g.count)
            .sum()
    }

    /// Whether `mode` has any change.
    pub fn any(&self, mode: Mode) -> bool {
        !self.groups(mode).is_empty()
    }
}

/// The modes, in report order.
const MODES: [Mode; 2] = [Mode::Enforced, Mode::ReportOnlyAsEnforced];

/// One side compiled for the sweep.
struct Side<'a> {
    engine: Engine<'a>,
    /// The policies precompiled against the union matrix (`None`: the
    /// engine is asked per combination).
    sweep: Option<Sweep>,
    policies: &'a [PolicyRef<'a>],
    /// Per mode, per [`Shape`] (the grant a legacy client or the device
    /// code flow cannot satisfy blocks): the counted policies that block /
    /// protect (bitsets).
    block: Vec<Vec<Vec<u64>>>,
    strong: Vec<Vec<Vec<u64>>>,
}

impl<'a> Side<'a> {
    fn new(matrix: &Matrix, policies: &'a [PolicyRef<'a>], tenant: Option<&Tenant>) -> Side<'a> {
        let engine = Engine::new(policies, tenant);
        let sweep = Sweep::new(matrix, &engine);
        let effects = coverage::effects(policies);
        let n = policies.len();
        let mask = |mode: Mode, shape: usize, f: &dyn Fn(coverage::Effect) -> bool| {
            bitset(n, |i| {
                mode.counts(policies[i].policy.state) && f(effects[shape][i])
            })
        };
        let per_shape = |f: &dyn Fn(coverage::Effect) -> bool| -> Vec<Vec<Vec<u64>>> {
            MODES
                .iter()
                .map(|m| (0..Shape::ALL.len()).map(|sh| mask(*m, sh, f)).collect())
                .collect()
        };
        Side {
            block: per_shape(&|e| e.block),
            strong: per_shape(&|e| e.strong),
            engine,
            sweep,
            policies,
        }
    }

    /// The policies that apply to combination `c` (sign-in `s`), held by
    /// `cursor` or `out` (no copy: this runs once per combination); `c`s
    /// come in matrix order so the cursor reuses the previous combination's
    /// work.
    fn applying<'x>(
        &self,
        c: &Combo,
        s: &SignIn,
        reasons: &mut Vec<ReasonSet>,
        cursor: &'x mut Cursor,
        out: &'x mut Vec<u64>,
    ) -> &'x [u64] {
        match &self.sweep {
            Some(sw) => sw.applying_from(c, cursor),
            None => {
                self.engine.reasons_into(s, reasons);
                *out = bitset(reasons.len(), |i| reasons[i].is_empty());
                out
            }
        }
    }
}

/// Sweeps the union matrix on both sides (see the module docs).
pub fn analyse(base: &[PolicyRef], head: &[PolicyRef], tenant: Option<&Tenant>) -> Impact {
    let union: Vec<PolicyRef> = base.iter().chain(head).copied().collect();
    let matrix = Matrix::new(&union, tenant);
    let sides = [
        Side::new(&matrix, base, tenant),
        Side::new(&matrix, head, tenant),
    ];
    let need_sign_in = sides.iter().any(|s| s.sweep.is_none());
    let layout = Layout::new(Dim::ALL.map(|d| matrix.len(d)));
    let shapes = matrix.shapes();
    // Per persona (in parallel): key [mode, change, responsible policies
    // as a bitset of the side's policies] → its changed combinations,
    // through the first round of collapsing (see `super::collapse`), with
    // how many combinations they were.
    let per_persona: Vec<Vec<(Vec<u64>, Boxes, usize)>> = (0..matrix.len(Dim::Persona))
        .into_par_iter()
        .map(|persona| {
            // Key → slot; a slot's key and its combinations' positions
            // among the persona's combinations (ascending: matrix order).
            let mut index: HashMap<Vec<u64>, usize> = HashMap::new();
            let mut slots: Vec<(Vec<u64>, Vec<usize>)> = Vec::new();
            // The slot of the previous hit per (mode, change): neighbouring
            // combinations mostly share it, so most hits skip the lookup.
            let mut last = [[usize::MAX; Change::ALL.len()]; MODES.len()];
            let mut key: Vec<u64> = Vec::new();
            let mut reasons = Vec::new();
            let mut bufs = [Vec::new(), Vec::new()];
            let mut cursors = [Cursor::default(), Cursor::default()];
            let first = Combo([0; DIMS]).with(Dim::Persona, persona);
            let mut s = matrix.sign_in(&first);
            for (pos, c) in matrix.combos_for(persona).enumerate() {
                if need_sign_in {
                    matrix.fill(&c, &mut s);
                }
                let [o0, o1] = &mut bufs;
                let [c0, c1] = &mut cursors;
                let applying = [
                    sides[0].applying(&c, &s, &mut reasons, c0, o0),
                    sides[1].applying(&c, &s, &mut reasons, c1, o1),
                ];
                let sh = shapes.index(&c);
                for (mi, last) in last.iter_mut().enumerate() {
                    let b0 = intersects(applying[0], &sides[0].block[mi][sh]);
                    let s0 = intersects(applying[0], &sides[0].strong[mi][sh]);
                    let b1 = intersects(applying[1], &sides[1].block[mi][sh]);
                    let s1 = intersects(applying[1], &sides[1].strong[mi][sh]);
                    for change in Change::ALL {
                        let (hit, side, strong) = match change {
                            Change::NewlyBlocked => (!b0 && b1, 1, false),
                            Change::NewlyAllowed => (b0 && !b1, 0, false),
                            Change::NewlyUnprotected => (s0 && !s1, 0, true),
                            Change::NewlyProtected => (!s0 && s1 && !b1, 1, true),
                        };
                        if !hit {
                            continue;
                        }
                        let mask = if strong {
                            &sides[side].strong[mi][sh]
                        } else {
                            &sides[side].block[mi][sh]
                        };
                        key.clear();
                        key.extend([mi as u64, change as u64]);
                        key.extend(applying[side].iter().zip(mask).map(|(a, m)| a & m));
                        let prev = last[change as usize];
                        let slot = match slots.get(prev) {
                            Some((k, _)) if *k == key => prev,
                            _ => match index.get(key.as_slice()) {
                                Some(&i) => i,
                                None => {
                                    index.insert(key.clone(), slots.len());
                                    slots.push((key.clone(), Vec::new()));
                                    slots.len() - 1
                                }
                            },
                        };
                        last[change as usize] = slot;
                        slots[slot].1.push(pos);
                    }
                }
            }
            slots
                .into_iter()
                .map(|(key, cells)| (key, layout.persona(persona, &cells), cells.len()))
                .collect()
        })
        .collect();
    let mut merged: HashMap<Vec<u64>, (Vec<Boxes>, usize)> = HashMap::new();
    for found in per_persona {
        for (k, boxes, n) in found {
            let e = merged.entry(k).or_default();
            e.0.push(boxes);
            e.1 += n;
        }
    }
    // A class stands for every value merged into it (`Value::also`): a
    // group counts the concrete sign-ins, as `caac coverage` does.
    let weights: Vec<Vec<usize>> = Dim::ALL
        .iter()
        .map(|&d| {
            (0..matrix.len(d))
                .map(|i| matrix.names(d, i).len().max(1))
                .collect()
        })
        .collect();
    let grouped: Vec<(usize, Vec<Group>)> = merged
        .into_par_iter()
        .map(|(key, (parts, raw))| {
            let mi = key[0] as usize;
            let change = Change::ALL[key[1] as usize];
            let side = &sides[usize::from(change.side() == "head")];
            let mut policies: Vec<String> = ones(&key[2..], &key[2..])
                .map(|i| side.policies[i].name.to_owned())
                .collect();
            policies.sort();
            let groups = layout
                .finish(&parts, raw)
                .into_iter()
                .map(|(masks, example)| {
                    let count = Dim::ALL
                        .iter()
                        .map(|&d| {
                            masks[d as usize]
                                .indices()
                                .map(|i| weights[d as usize][i])
                                .sum::<usize>()
                        })
                        .product();
                    Group {
                        change,
                        masks,
                        count,
                        policies: policies.clone(),
                        example,
                    }
                })
                .collect();
            (mi, groups)
        })
        .collect();
    let mut modes: Vec<(Mode, Vec<Group>)> = MODES.iter().map(|m| (*m, Vec::new())).collect();
    for (mi, groups) in grouped {
        modes[mi].1.extend(groups);
    }
    for (_, groups) in &mut modes {
        groups.sort_by(|a, b| {
            (a.change, a.example, &a.policies).cmp(&(b.change, b.example, &b.policies))
        });
    }
    Impact {
        matrix,
        base_policies: base.len(),
        head_policies: head.len(),
        modes,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The concrete values along `d`: every name merged into each class counts
/// (`Value::also`), as in a group's count.
fn concrete_len(m: &Matrix, d: Dim) -> usize {
    (0..m.len(d)).map(|i| m.names(d, i).len().max(1)).sum()
}

/// Every sign-in the sweep stands for: one per combination of one concrete
/// value along each dimension. This is the unit of every count caac impact
/// prints, so the header states the total in the same unit.
fn concrete_size(m: &Matrix) -> usize {
    Dim::ALL.iter().map(|&d| concrete_len(m, d)).product()
}

/// `n` values along `d`, pluralised for prose ("4 users", "1 device state").
fn values(n: usize, d: Dim) -> String {
    let many = match d {
        Dim::Persona => "users",
        Dim::Target => "apps",
        Dim::Platform => "platforms",
        Dim::Client => "client app types",
        Dim::Location => "locations",
        Dim::SignInRisk => "sign-in risk levels",
        Dim::UserRisk => "user risk levels",
        Dim::Flow => "authentication flows",
        Dim::Device => "device states",
    };
    plural(n, d.noun(), many)
}

/// What was swept, in sign-ins (the unit of every count that follows): the
/// concrete values per dimension, and how many classes were evaluated.
fn swept(m: &Matrix) -> String {
    let dims: Vec<String> = Dim::ALL
        .iter()
        .map(|d| values(concrete_len(m, *d), *d))
        .collect();
    format!(
        "{} (every combination of {}; sign-ins every policy treats alike are evaluated once, as {})",
        plural(concrete_size(m), "sign-in", "sign-ins"),
        dims.join(" × "),
        plural(m.size(), "class", "classes"),
    )
}

fn header(i: &Impact, base: &str) -> String {
    format!(
        "impact of the change from {base}: {} → {}, over {}",
        plural(i.base_policies, "policy", "policies"),
        plural(i.head_policies, "policy", "policies"),
        swept(&i.matrix),
    )
}

/// The human report; `base` names the base (the `--base` argument).
pub fn human(i: &Impact, base: &str) -> String {
    let m = &i.matrix;
    let mut out = header(i, base);
    out.push_str("\n(the tenant file is the current one on both sides)\n");
    for (mode, groups) in &i.modes {
        out.push_str(&format!("\n{}:\n", mode.title()));
        if groups.is_empty() {
            out.push_str("  no impact\n");
        }
        for change in Change::ALL {
            let of: Vec<&Group> = groups.iter().filter(|g| g.change == change).collect();
            if of.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "  {} ({}):\n",
                change.title(),
                plural(i.count(*mode, change), "sign-in", "sign-ins")
            ));
            for g in of {
                out.push_str(&format!(
                    "    - {}: {}\n",
                    describe_masks(m, &g.masks),
                    plural(g.count, "sign-in", "sign-ins")
                ));
                out.push_str(&format!(
                    "      {}: {}\n",
                    change.by(),
                    g.policies.join(", ")
                ));
                out.push_str(&format!("      e.g. {}\n", m.describe(&g.example)));
            }
        }
    }
    let total = |mode| -> usize { i.groups(mode).iter().map(|g| g.count).sum() };
    out.push_str(&format!(
        "\n{} changed in the enforced policies, {} as if report-only policies were enforced{}\n",
        plural(total(Mode::Enforced), "sign-in", "sign-ins"),
        total(Mode::ReportOnlyAsEnforced),
        if i.any(Mode::Enforced) || i.any(Mode::ReportOnlyAsEnforced) {
            "; `caac impact --format json` gives a `caac whatif` request for each example"
        } else {
            ""
        }
    ));
    out
}

fn group_json(m: &Matrix, g: &Group, tenant: Option<&Tenant>) -> Json {
    json!({
        "change": g.change.as_str(),
        "description": describe_masks(m, &g.masks),
        "count": g.count,
        "dimensions": dimensions_json(m, &g.masks),
        "policies": g.policies,
        "policiesSide": g.change.side(),
        "example": {
            "description": m.describe(&g.example),
            "request": m.request(&g.example, tenant),
        },
    })
}

/// The JSON report: `{"version": 1, "base", "policies": {"base", "head"},
/// "scenarios" (sign-in classes evaluated), "signIns" (the sign-ins they
/// stand for: the unit of every count), "modes": [{"mode", "counts": {change: n}, "groups":
/// [{"change", "description", "count", "dimensions", "policies",
/// "policiesSide", "example": {"description", "request"}}]}]}`.
pub fn json(i: &Impact, base: &str, tenant: Option<&Tenant>) -> Json {
    let m = &i.matrix;
    let modes: Vec<Json> = i
        .modes
        .iter()
        .map(|(mode, groups)| {
            let mut counts = serde_json::Map::new();
            for c in Change::ALL {
                counts.insert(c.as_str().into(), i.count(*mode, c).into());
            }
            json!({
                "mode": mode.as_str(),
                "counts": counts,
                "groups": groups.iter().map(|g| group_json(m, g, tenant)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "version": 1,
        "base": base,
        "policies": { "base": i.base_policies, "head": i.head_policies },
        "scenarios": m.size(),
        "signIns": concrete_size(m),
        "modes": modes,
    })
}

/// Markdown for a pull-request comment: a heading, a table of counts per
/// mode, then per mode its groups, each with a `<details>` block holding a
/// ready-to-run `caac whatif` request.
pub fn markdown(i: &Impact, base: &str, tenant: Option<&Tenant>) -> String {
    let m = &i.matrix;
    let mut out = String::from("## Conditional Access impact (caac)\n\n");
    out.push_str(&format!(
        "Base {}: {} → {}, over {}. The tenant file is the current one on both sides.\n\n",
        crate::escape::markdown_code(base),
        plural(i.base_policies, "policy", "policies"),
        plural(i.head_policies, "policy", "policies"),
        crate::escape::markdown(&swept(m)),
    ));
    out.push_str("| Sign-ins | Enforced policies | As if report-only were enforced |\n");
    out.push_str("|---|---:|---:|\n");
    for c in Change::ALL {
        let t = c.title();
        let mut name = t.split(" (").next().unwrap_or(t).to_owned();
        if let Some(first) = name.get(..1) {
            name = first.to_uppercase() + &name[1..];
        }
        out.push_str(&format!(
            "| {name} | {} | {} |\n",
            i.count(Mode::Enforced, c),
            i.count(Mode::ReportOnlyAsEnforced, c)
        ));
    }
    for (mode, groups) in &i.modes {
        out.push_str(&format!("\n### {}\n\n", mode.title()));
        if groups.is_empty() {
            out.push_str("No impact.\n");
        }
        for change in Change::ALL {
            let of: Vec<&Group> = groups.iter().filter(|g| g.change == change).collect();
            if of.is_empty() {
                continue;
            }
            let title = change.title();
            out.push_str(&format!(
                "#### {}{} ({})\n\n",
                title.get(..1).unwrap_or_default().to_uppercase(),
                title.get(1..).unwrap_or_default(),
                plural(i.count(*mode, change), "sign-in", "sign-ins")
            ));
            for g in of {
                let policies: Vec<String> = g
                    .policies
                    .iter()
                    .map(|p| crate::escape::markdown_code(p))
                    .collect();
                out.push_str(&format!(
                    "- **{}**: {} — {} {}\n",
                    plural(g.count, "sign-in", "sign-ins"),
                    crate::escape::markdown(&describe_masks(m, &g.masks)),
                    change.by(),
                    policies.join(", ")
                ));
                let request = serde_json::to_string_pretty(&m.request(&g.example, tenant))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "  <details><summary>e.g. {}</summary>\n\n  Save as `request.json`, then `caac whatif --policies policies --request request.json`:\n\n  ```json\n{}\n  ```\n\n  </details>\n",
                    crate::escape::html(&m.describe(&g.example)),
                    request
                        .lines()
                        .map(|l| format!("  {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BuiltInControl, ClientAppType, Grant, Policy, State};

    fn policy(name: &str, f: impl FnOnce(&mut Policy)) -> Policy {
        crate::test_support::all_users_all_apps(name, State::Enabled, f)
    }

    fn refs(ps: &[Policy]) -> Vec<PolicyRef<'_>> {
        ps.iter()
            .map(|p| PolicyRef {
                name: &p.display_name,
                policy: p,
            })
            .collect()
    }

    fn grant(c: BuiltInControl) -> Option<Grant> {
        Some(Grant {
            built_in_controls: vec![c],
            ..Grant::default()
        })
    }

    fn lines(i: &Impact, mode: Mode) -> Vec<String> {
        i.groups(mode)
            .iter()
            .map(|g| {
                format!(
                    "{} {}: {} [{}]",
                    g.change.as_str(),
                    g.count,
                    describe_masks(&i.matrix, &g.masks),
                    g.policies.join(", ")
                )
            })
            .collect()
    }

    /// Every concrete sign-in the matrix stands for (merged values expanded).
    fn concrete_size(m: &Matrix) -> usize {
        Dim::ALL
            .iter()
            .map(|&d| {
                (0..m.len(d))
                    .map(|i| m.names(d, i).len().max(1))
                    .sum::<usize>()
            })
            .product()
    }

    #[test]
    fn identical_sets_have_no_impact() {
        let ps = [policy("mfa", |p| p.grant = grant(BuiltInControl::Mfa))];
        let i = analyse(&refs(&ps), &refs(&ps), None);
        assert!(!i.any(Mode::Enforced) && !i.any(Mode::ReportOnlyAsEnforced));
        assert!(human(&i, "base").contains("no impact"));
    }

    #[test]
    fn widening_a_legacy_block_is_newly_blocked_and_exact() {
        let base = [policy("legacy", |p| {
            p.client_app_types = vec![ClientAppType::ExchangeActiveSync];
            p.grant = grant(BuiltInControl::Block);
        })];
        let head = [policy("legacy", |p| {
            p.client_app_types = vec![ClientAppType::ExchangeActiveSync, ClientAppType::Other];
            p.grant = grant(BuiltInControl::Block);
        })];
        let i = analyse(&refs(&base), &refs(&head), None);
        assert_eq!(
            lines(&i, Mode::Enforced),
            [format!(
                "newlyBlocked {}: any user; any app; any platform; other (legacy) client; any location [legacy]",
                // One of the four client app types, everything else free.
                concrete_size(&i.matrix) / 4
            )]
        );
        // The same in the report-only-as-enforced mode (enabled counts there too).
        assert_eq!(
            lines(&i, Mode::Enforced),
            lines(&i, Mode::ReportOnlyAsEnforced)
        );
        // Reversed, it is newly allowed (and unprotected, as a block protects).
        let back = analyse(&refs(&head), &refs(&base), None);
        let l = lines(&back, Mode::Enforced);
        assert_eq!(l.len(), 2, "{l:#?}");
        assert!(l[0].starts_with("newlyAllowed"), "{l:#?}");
        assert!(l[1].starts_with("newlyUnprotected"), "{l:#?}");
    }

    #[test]
    fn report_only_changes_show_only_as_if_enforced() {
        let base: [Policy; 0] = [];
        let head = [policy("mfa", |p| {
            p.state = State::ReportOnly;
            p.grant = grant(BuiltInControl::Block);
        })];
        let i = analyse(&refs(&base), &refs(&head), None);
        assert!(!i.any(Mode::Enforced));
        assert_eq!(
            i.count(Mode::ReportOnlyAsEnforced, Change::NewlyBlocked),
            concrete_size(&i.matrix)
        );
    }

    #[test]
    fn deleting_mfa_is_newly_unprotected_with_the_old_policy() {
        let base = [policy("mfa", |p| p.grant = grant(BuiltInControl::Mfa))];
        let head: [Policy; 0] = [];
        let i = analyse(&refs(&base), &refs(&head), None);
        let l = lines(&i, Mode::Enforced);
        // Legacy clients cannot do MFA, so the MFA policy blocked them
        // (concept-conditional-access-conditions#client-apps): deleting it
        // newly allows them.
        assert_eq!(l.len(), 2, "{l:#?}");
        assert!(
            l[0].starts_with("newlyAllowed")
                && l[0].contains("Exchange ActiveSync client or other (legacy) client"),
            "{l:#?}"
        );
        assert!(l[1].starts_with("newlyUnprotected"), "{l:#?}");
        assert!(l[1].ends_with("[mfa]"), "{l:#?}");
        let md = markdown(&i, "main", None);
        assert!(md.contains("| Newly unprotected |"), "{md}");
        assert!(md.contains("<details>"), "{md}");
        let j = json(&i, "main", None);
        assert_eq!(j["modes"][0]["groups"][0]["policiesSide"], "base");
    }
}
