//! Coverage: the scenario classes reviewers care about that a policy set
//! leaves open, each collapsed to its smallest description.
//!
//! Contract: [`analyse`] sweeps every persona × [scenario matrix](super::matrix)
//! combination (through [`super::sweep::Sweep`], the policies precompiled
//! against the matrix, which gives exactly the what-if [`Engine`]'s answer;
//! through the engine itself when a persona is a service principal) twice — once with the
//! **enforced** (enabled) policies only, once **as if report-only policies
//! were enforced** — and returns, per mode, the gaps of each [`GapKind`] as
//! [`Gap`]s: one value set per dimension (a [`Mask`]) whose product is
//! exactly a set of gap combinations. [`human`] and [`json`] render a
//! [`Coverage`]. Pure and deterministic: no I/O.
//!
//! # Gap kinds
//!
//! - [`GapKind::NoMfa`]: no applying policy requires MFA or stronger. A
//!   policy counts when it blocks, or its grant cannot be met without MFA
//!   or an authentication strength (`AND` with one of them, or `OR` whose
//!   every control is one of them): "Require one of the selected controls"
//!   can be met by the weakest one
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant>).
//! - [`GapKind::UnknownPlatform`]: an application is reachable (nothing
//!   blocks) from a platform Conditional Access cannot identify; Microsoft's
//!   answer is to block unknown platforms
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/howto-policy-unknown-unsupported-device>).
//! - [`GapKind::LegacyClient`]: an application is reachable (nothing blocks)
//!   from Exchange ActiveSync or other legacy clients, which cannot do MFA
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication>).
//!   A policy whose grant a legacy client cannot satisfy (MFA, device
//!   state, …) blocks it, exactly as in `caac whatif` ([`effect`] is the
//!   engine's [`grant_effect`] per sign-in [`Shape`]).
//!
//! # Collapsing
//!
//! Gap combinations start as single-value masks. For each dimension in turn
//! (innermost first: device, flow, risks, location, client, platform, app,
//! persona), gaps that agree on every other dimension are merged by uniting
//! their masks along it; this repeats until nothing merges. Every merge is
//! exact (the union of boxes identical elsewhere is a box), so the result
//! lists exactly the gap combinations, and a dimension whose every value is
//! a gap reads "any …". [`super::collapse`] computes exactly this result
//! without one allocation per combination.

use super::collapse::{Boxes, Layout};
use super::matrix::{self, Combo, DIMS, Dim, Matrix};
use super::sweep::{Cursor, Sweep, bitset, intersects};
use super::{
    ClientApp, Control, Engine, GrantEffect, PolicyRef, ReasonSet, Shape, Target, grant_effect,
};
use crate::model::{BuiltInControl, Operator, Policy, State, Tenant};
use rayon::prelude::*;
use serde_json::{Value as Json, json};

/// What is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GapKind {
    /// No applying policy requires MFA, an authentication strength or block.
    NoMfa,
    /// An app is reachable from an unknown platform.
    UnknownPlatform,
    /// An app is reachable from a legacy client.
    LegacyClient,
}

impl GapKind {
    /// Every kind, in report order.
    pub const ALL: [GapKind; 3] = [
        GapKind::NoMfa,
        GapKind::UnknownPlatform,
        GapKind::LegacyClient,
    ];

    /// JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::NoMfa => "noMfa",
            GapKind::UnknownPlatform => "unknownPlatform",
            GapKind::LegacyClient => "legacyClient",
        }
    }

    /// What the gap means, as the end of a sentence.
    pub fn verdict(self) -> &'static str {
        match self {
            GapKind::NoMfa => "no policy requires MFA or stronger",
            GapKind::UnknownPlatform => "reachable from an unknown platform (nothing blocks)",
            GapKind::LegacyClient => "reachable from a legacy client (nothing blocks)",
        }
    }
}

/// Which policies count as enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Enabled policies only: what the tenant enforces today.
    Enforced,
    /// Enabled and report-only policies: what it would enforce after rollout.
    ReportOnlyAsEnforced,
}

impl Mode {
    /// JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforced => "enforced",
            Mode::ReportOnlyAsEnforced => "reportOnlyAsEnforced",
        }
    }

    /// Heading.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Enforced => "Enforced policies only",
            Mode::ReportOnlyAsEnforced => {
                "As if report-only policies were enforced (not what the tenant enforces today)"
            }
        }
    }

    pub(crate) fn counts(self, state: State) -> bool {
        match self {
            Mode::Enforced => state == State::Enabled,
            Mode::ReportOnlyAsEnforced => state.is_active(),
        }
    }
}

/// A set of value indices along one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mask(Vec<u64>);

impl Mask {
    /// The set of one index (the reference merge's starting boxes).
    #[cfg(test)]
    pub(super) fn one(i: usize) -> Mask {
        let mut m = Mask(vec![0; i / 64 + 1]);
        m.0[i / 64] |= 1 << (i % 64);
        m
    }

    /// The set of a bitset's words, trailing zero words dropped (the shape
    /// [`Mask::one`] and [`Mask::union`] give, so equal sets compare equal).
    pub(super) fn from_words(words: &[u64]) -> Mask {
        let len = words.iter().rposition(|w| *w != 0).map_or(0, |i| i + 1);
        Mask(words[..len].to_vec())
    }

    #[cfg(test)]
    pub(super) fn union(&mut self, other: &Mask) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    /// The indices in the set, ascending.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, bits)| {
            (0..64)
                .filter(move |b| bits & (1 << b) != 0)
                .map(move |b| w * 64 + b)
        })
    }

    /// How many indices.
    pub fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// One collapsed gap: a value set per dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// What is missing.
    pub kind: GapKind,
    /// Per dimension ([`Dim::ALL`] order), the values in the gap.
    pub masks: Vec<Mask>,
    /// The first gap combination, for a reproducible example.
    pub example: Combo,
}

/// The result of [`analyse`].
#[derive(Debug, Clone)]
pub struct Coverage {
    /// The matrix swept.
    pub matrix: Matrix,
    /// Number of policies (all states).
    pub policies: usize,
    /// Per mode, its gaps sorted by kind then description.
    pub modes: Vec<(Mode, Vec<Gap>)>,
}

impl Coverage {
    /// Number of gaps in the enforced mode (what the exit code reflects).
    pub fn enforced_gaps(&self) -> usize {
        self.modes
            .iter()
            .filter(|(m, _)| *m == Mode::Enforced)
            .map(|(_, g)| g.len())
            .sum()
    }
}

/// What an applying policy contributes (shared with [`super::impact`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Effect {
    /// It blocks.
    pub(crate) block: bool,
    /// It blocks or requires MFA or an authentication strength.
    pub(crate) strong: bool,
}

/// What `p` contributes when it applies to a sign-in of `shape`: the
/// engine's own [`grant_effect`] (so a legacy client facing MFA is blocked
/// here exactly as in `caac whatif`), then "strong" per the module docs.
pub(crate) fn effect(p: &Policy, shape: Shape) -> Effect {
    match grant_effect(&p.display_name, p, shape) {
        GrantEffect::Nothing => Effect::default(),
        GrantEffect::Block(_) | GrantEffect::Unsatisfiable(_) => Effect {
            block: true,
            strong: true,
        },
        GrantEffect::Require(r) => {
            let strong_flags: Vec<bool> = r
                .controls
                .iter()
                .map(|c| {
                    matches!(
                        c,
                        Control::BuiltIn(BuiltInControl::Mfa) | Control::AuthenticationStrength(_)
                    )
                })
                .collect();
            let strong = match r.operator {
                Operator::And => strong_flags.iter().any(|s| *s),
                Operator::Or => !strong_flags.is_empty() && strong_flags.iter().all(|s| *s),
            };
            Effect {
                block: false,
                strong,
            }
        }
    }
}

/// [`effect`] of every policy, per [`Shape`] (indexed by [`Shape::index`]).
pub(crate) fn effects(policies: &[PolicyRef]) -> Vec<Vec<Effect>> {
    Shape::ALL
        .iter()
        .map(|shape| policies.iter().map(|p| effect(p.policy, *shape)).collect())
        .collect()
}

/// The value indices of `dim` whose class holds one of `labels`.
fn classes_with(m: &Matrix, dim: Dim, labels: &[&str]) -> Vec<bool> {
    (0..m.len(dim))
        .map(|i| {
            let (label, also) = match dim {
                Dim::Platform => (&m.platforms[i].label, &m.platforms[i].also),
                Dim::Client => (&m.clients[i].label, &m.clients[i].also),
                _ => return false,
            };
            std::iter::once(label)
                .chain(also)
                .any(|l| labels.contains(&l.as_str()))
        })
        .collect()
}

/// Sweeps the matrix (see the module docs).
pub fn analyse(policies: &[PolicyRef], tenant: Option<&Tenant>) -> Coverage {
    analyse_with(policies, tenant, true)
}

/// [`analyse`]; `precompiled` false asks the engine for every combination
/// (the tests compare both ways).
fn analyse_with(policies: &[PolicyRef], tenant: Option<&Tenant>, precompiled: bool) -> Coverage {
    let matrix = Matrix::new(policies, tenant);
    let engine = Engine::new(policies, tenant);
    let effects = effects(policies);
    let unknown = classes_with(&matrix, Dim::Platform, &[matrix::platform_label(None)]);
    let legacy = classes_with(
        &matrix,
        Dim::Client,
        &[
            matrix::client_label(ClientApp::ExchangeActiveSync),
            matrix::client_label(ClientApp::Other),
        ],
    );
    let is_app: Vec<bool> = matrix
        .targets
        .iter()
        .map(|t| matches!(t.value, Target::Applications(_)))
        .collect();
    let modes = [Mode::Enforced, Mode::ReportOnlyAsEnforced];
    let counted: Vec<Vec<bool>> = modes
        .iter()
        .map(|m| policies.iter().map(|p| m.counts(p.policy.state)).collect())
        .collect();
    // The counted policies that block / are strong, per mode and shape, as
    // bitsets over the policies (for the precompiled sweep).
    let per_shape = |f: fn(Effect) -> bool| -> Vec<Vec<Vec<u64>>> {
        counted
            .iter()
            .map(|counted| {
                effects
                    .iter()
                    .map(|e| bitset(policies.len(), |i| counted[i] && f(e[i])))
                    .collect()
            })
            .collect()
    };
    let (block_bits, strong_bits) = (per_shape(|e| e.block), per_shape(|e| e.strong));
    // The policies precompiled against the matrix: exactly the engine's
    // answer for every combination (`super::sweep`), or `None` (a service
    // principal persona) and the engine is asked per combination.
    let sweep = Sweep::new(&matrix, &engine).filter(|_| precompiled);
    let layout = Layout::new(Dim::ALL.map(|d| matrix.len(d)));
    let shapes = matrix.shapes();
    let slots = modes.len() * GapKind::ALL.len();
    // Gap combinations per (mode, kind), swept per persona in parallel and
    // put through the first round of collapsing (`super::collapse`), with
    // how many combinations they were.
    let per_persona: Vec<Vec<(Boxes, usize)>> = (0..matrix.len(Dim::Persona))
        .into_par_iter()
        .map(|persona| {
            // Positions among the persona's combinations (matrix order).
            let mut found: Vec<Vec<usize>> = vec![Vec::new(); slots];
            let mut reasons: Vec<ReasonSet> = Vec::with_capacity(policies.len());
            let mut cursor = Cursor::default();
            let mut scratch: Vec<u64>;
            let first = Combo([0; DIMS]).with(Dim::Persona, persona);
            let mut s = matrix.sign_in(&first);
            for (pos, c) in matrix.combos_for(persona).enumerate() {
                let applying: &[u64] = match &sweep {
                    Some(sw) => sw.applying_from(&c, &mut cursor),
                    None => {
                        matrix.fill(&c, &mut s);
                        engine.reasons_into(&s, &mut reasons);
                        scratch = bitset(reasons.len(), |i| reasons[i].is_empty());
                        &scratch
                    }
                };
                let sh = shapes.index(&c);
                for mi in 0..modes.len() {
                    let block = intersects(applying, &block_bits[mi][sh]);
                    let strong = intersects(applying, &strong_bits[mi][sh]);
                    let app = is_app[c.get(Dim::Target)];
                    let base = mi * GapKind::ALL.len();
                    if !strong {
                        found[base].push(pos);
                    }
                    if app && !block && unknown[c.get(Dim::Platform)] {
                        found[base + 1].push(pos);
                    }
                    if app && !block && legacy[c.get(Dim::Client)] {
                        found[base + 2].push(pos);
                    }
                }
            }
            found
                .iter()
                .map(|cells| (layout.persona(persona, cells), cells.len()))
                .collect()
        })
        .collect();
    let collapsed: Vec<Vec<(Vec<Mask>, Combo)>> = (0..slots)
        .into_par_iter()
        .map(|slot| {
            let parts: Vec<Boxes> = per_persona.iter().map(|p| p[slot].0.clone()).collect();
            let raw = per_persona.iter().map(|p| p[slot].1).sum();
            layout.finish(&parts, raw)
        })
        .collect();
    let mut out = Vec::new();
    for (mi, mode) in modes.iter().enumerate() {
        let mut gaps = Vec::new();
        for (ki, kind) in GapKind::ALL.iter().enumerate() {
            gaps.extend(
                collapsed[mi * GapKind::ALL.len() + ki]
                    .iter()
                    .map(|(masks, example)| Gap {
                        kind: *kind,
                        masks: masks.clone(),
                        example: *example,
                    }),
            );
        }
        out.push((*mode, gaps));
    }
    Coverage {
        matrix,
        policies: policies.len(),
        modes: out,
    }
}

/// One dimension of a gap in prose: `None` when it is every value of a
/// dimension not worth naming (risk, flow, device).
fn part(m: &Matrix, dim: Dim, mask: &Mask) -> Option<String> {
    let apps: Vec<usize> = (0..m.len(Dim::Target))
        .filter(|i| matches!(m.targets[*i].value, Target::Applications(_)))
        .collect();
    if dim == Dim::Target && mask.indices().eq(apps.iter().copied()) && apps.len() > 1 {
        return Some("any app".into());
    }
    if mask.count() == m.len(dim) {
        return match dim {
            Dim::Persona => Some("any user".into()),
            Dim::Target => Some("any app".into()),
            Dim::Platform => Some("any platform".into()),
            Dim::Client => Some("any client app type".into()),
            Dim::Location => Some("any location".into()),
            _ => None,
        };
    }
    // Every name the values stand for; past six, one label per class.
    let spell = |indices: Vec<usize>| -> Vec<String> {
        let all: Vec<String> = indices.iter().flat_map(|i| m.names(dim, *i)).collect();
        if all.len() <= 6 {
            all
        } else {
            indices.iter().map(|i| m.label(dim, *i, true)).collect()
        }
    };
    let inside: Vec<usize> = mask.indices().collect();
    let outside: Vec<usize> = (0..m.len(dim)).filter(|i| !inside.contains(i)).collect();
    let count = |ix: &[usize]| -> usize { ix.iter().map(|i| m.names(dim, *i).len()).sum() };
    // "any user except A and B" when that is shorter than listing the rest.
    if matches!(dim, Dim::Persona | Dim::Target | Dim::Location) && count(&outside) < count(&inside)
    {
        let noun = match dim {
            Dim::Persona => "user",
            Dim::Target => "app",
            _ => "location",
        };
        return Some(format!("any {noun} except {}", join(spell(outside), "and")));
    }
    let list = join(spell(inside), "or");
    Some(match dim {
        Dim::SignInRisk => format!("sign-in risk {list}"),
        Dim::UserRisk => format!("user risk {list}"),
        _ => list,
    })
}

/// "a, b or c" / "a, b and c".
fn join(mut names: Vec<String>, last: &str) -> String {
    match names.len() {
        0 => String::new(),
        1 => names.remove(0),
        _ => {
            let tail = names.pop().unwrap_or_default();
            format!("{} {last} {tail}", names.join(", "))
        }
    }
}

/// A gap in one line, dimensions separated by semicolons: "any user; any
/// app; any platform; Exchange ActiveSync client or other (legacy) client;
/// any location".
pub fn describe(m: &Matrix, g: &Gap) -> String {
    describe_masks(m, &g.masks)
}

/// A box of combinations in one line (see [`describe`]).
pub(crate) fn describe_masks(m: &Matrix, masks: &[Mask]) -> String {
    Dim::ALL
        .iter()
        .filter_map(|d| part(m, *d, &masks[*d as usize]))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The human report.
/// What `caac coverage` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/coverage.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The policies and how names resolve.
    pub inputs: crate::load::Inputs,
    /// The gaps' format.
    pub format: Format,
    /// Where the gaps go; `None`: stdout.
    pub output: Option<std::path::PathBuf>,
}

/// The gaps' format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The gaps per mode, for people.
    Human,
    /// Versioned JSON.
    Json,
}

/// The gaps in `format`.
pub fn text(c: &Coverage, format: Format, tenant: Option<&Tenant>) -> String {
    match format {
        Format::Human => human(c),
        Format::Json => crate::emit::pretty(&json(c, tenant)),
    }
}

pub fn human(c: &Coverage) -> String {
    let m = &c.matrix;
    let dims: Vec<String> = Dim::ALL
        .iter()
        .map(|d| format!("{} {}", m.len(*d), d.noun()))
        .collect();
    let mut out = format!(
        "coverage of {} polic{} over {} sign-in classes ({})\n",
        c.policies,
        if c.policies == 1 { "y" } else { "ies" },
        m.size(),
        dims.join(" × ")
    );
    for (mode, gaps) in &c.modes {
        out.push_str(&format!("\n{}:\n", mode.title()));
        if gaps.is_empty() {
            out.push_str("  no gaps\n");
        }
        for kind in GapKind::ALL {
            let of_kind: Vec<&Gap> = gaps.iter().filter(|g| g.kind == kind).collect();
            if of_kind.is_empty() {
                continue;
            }
            out.push_str(&format!("  {} ({}):\n", kind.verdict(), of_kind.len()));
            for g in of_kind {
                out.push_str(&format!("    - {}\n", describe(m, g)));
                out.push_str(&format!("      e.g. {}\n", m.describe(&g.example)));
            }
        }
    }
    let n = c.enforced_gaps();
    out.push_str(&format!(
        "\n{n} gap(s) in the enforced policies{}\n",
        if n > 0 {
            "; `caac coverage --format json` gives a `caac whatif` request for each example"
        } else {
            ""
        }
    ));
    out
}

/// The JSON report: `{"version": 1, "policies", "scenarios", "modes": [{"mode",
/// "gaps": [{"kind", "description", "dimensions": {dim: "any" | [every value's name]},
/// "example": {"description", "request"}}]}]}`.
pub fn json(c: &Coverage, tenant: Option<&Tenant>) -> Json {
    let m = &c.matrix;
    let modes: Vec<Json> = c
        .modes
        .iter()
        .map(|(mode, gaps)| {
            let gaps: Vec<Json> = gaps
                .iter()
                .map(|g| {
                    json!({
                        "kind": g.kind.as_str(),
                        "description": describe(m, g),
                        "dimensions": dimensions_json(m, &g.masks),
                        "example": {
                            "description": m.describe(&g.example),
                            "request": m.request(&g.example, tenant),
                        },
                    })
                })
                .collect();
            json!({ "mode": mode.as_str(), "gaps": gaps })
        })
        .collect();
    json!({
        "version": 1,
        "policies": c.policies,
        "scenarios": m.size(),
        "modes": modes,
    })
}

/// `{dim: "any" | [labels]}` for a box (also used by [`super::impact`]).
pub(crate) fn dimensions_json(m: &Matrix, masks: &[Mask]) -> Json {
    let mut dims = serde_json::Map::new();
    for d in Dim::ALL {
        let mask = &masks[d as usize];
        let v = if mask.count() == m.len(d) {
            Json::from("any")
        } else {
            Json::from(
                mask.indices()
                    .flat_map(|i| m.names(d, i))
                    .collect::<Vec<_>>(),
            )
        };
        dims.insert(dim_key(d).into(), v);
    }
    Json::Object(dims)
}

fn dim_key(d: Dim) -> &'static str {
    match d {
        Dim::Persona => "persona",
        Dim::Target => "target",
        Dim::Platform => "platform",
        Dim::Client => "clientAppType",
        Dim::Location => "location",
        Dim::SignInRisk => "signInRisk",
        Dim::UserRisk => "userRisk",
        Dim::Flow => "transferMethod",
        Dim::Device => "device",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientAppType, Grant};

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

    fn gaps(c: &Coverage, mode: Mode) -> Vec<String> {
        c.modes
            .iter()
            .find(|(m, _)| *m == mode)
            .unwrap()
            .1
            .iter()
            .map(|g| format!("{}: {}", g.kind.as_str(), describe(&c.matrix, g)))
            .collect()
    }

    #[test]
    fn no_policies_is_one_gap_per_kind_over_everything() {
        let c = analyse(&[], None);
        let g = gaps(&c, Mode::Enforced);
        assert_eq!(
            g,
            [
                "noMfa: any user; any app; any platform; any client app type; any location",
                "unknownPlatform: any user; any app; any platform; any client app type; any location",
                "legacyClient: any user; any app; any platform; any client app type; any location",
            ],
            "{g:#?}"
        );
    }

    #[test]
    fn mfa_for_all_and_a_legacy_block_leave_unknown_platforms() {
        let ps = [
            policy("mfa", |p| {
                p.grant = Some(Grant {
                    built_in_controls: vec![BuiltInControl::Mfa],
                    ..Grant::default()
                });
            }),
            policy("legacy", |p| {
                p.client_app_types = vec![ClientAppType::ExchangeActiveSync, ClientAppType::Other];
                p.grant = Some(Grant {
                    built_in_controls: vec![BuiltInControl::Block],
                    ..Grant::default()
                });
            }),
        ];
        let c = analyse(&refs(&ps), None);
        let g = gaps(&c, Mode::Enforced);
        assert_eq!(
            g,
            [
                "unknownPlatform: any user; any app; any platform; browser or mobile/desktop app; any location",
            ],
            "{g:#?}"
        );
        assert_eq!(c.enforced_gaps(), 1);
    }

    // "Sign-ins from legacy authentication clients don't support multifactor
    // authentication (MFA) … so they're blocked by Conditional Access grant
    // controls, like requiring MFA or compliant devices"
    // (concept-conditional-access-conditions#client-apps): an MFA policy for
    // everyone leaves no legacy-client gap, exactly as `caac whatif` blocks
    // those sign-ins; an OR a legacy client can meet another way does not.
    #[test]
    fn mfa_blocks_legacy_clients_as_the_engine_does() {
        let mfa = [policy("mfa", |p| {
            p.grant = Some(Grant {
                built_in_controls: vec![BuiltInControl::Mfa],
                ..Grant::default()
            });
        })];
        let c = analyse(&refs(&mfa), None);
        let g = gaps(&c, Mode::Enforced);
        assert_eq!(
            g,
            [
                "unknownPlatform: any user; any app; any platform; browser or mobile/desktop app; any location",
            ],
            "{g:#?}"
        );
        let or_app = [policy("or-app", |p| {
            p.grant = Some(Grant {
                built_in_controls: vec![BuiltInControl::Mfa, BuiltInControl::ApprovedApplication],
                ..Grant::default()
            });
        })];
        let c = analyse(&refs(&or_app), None);
        let g = gaps(&c, Mode::Enforced);
        assert!(
            g.iter().any(|g| g.starts_with("legacyClient: any user")),
            "{g:#?}"
        );
        // The engine agrees on every combination.
        let engine = Engine::new(&refs(&mfa), None);
        let m = &analyse(&refs(&mfa), None).matrix;
        for combo in m.combos() {
            let s = m.sign_in(&combo);
            let out = engine.evaluate(&s);
            let blocked = out.access == super::super::Access::Block;
            assert_eq!(blocked, s.client_app.is_legacy(), "{}", m.describe(&combo));
        }
    }

    #[test]
    fn report_only_counts_only_in_its_own_mode() {
        let ps = [policy("mfa", |p| {
            p.state = State::ReportOnly;
            p.grant = Some(Grant {
                built_in_controls: vec![BuiltInControl::Mfa],
                ..Grant::default()
            });
        })];
        let c = analyse(&refs(&ps), None);
        assert!(gaps(&c, Mode::Enforced)[0].starts_with("noMfa: any user; any app"));
        assert!(
            !gaps(&c, Mode::ReportOnlyAsEnforced)
                .iter()
                .any(|g| g.starts_with("noMfa"))
        );
    }

    #[test]
    fn or_with_a_weaker_control_is_not_mfa() {
        let p = policy("p", |p| {
            p.grant = Some(Grant {
                built_in_controls: vec![BuiltInControl::Mfa, BuiltInControl::CompliantDevice],
                ..Grant::default()
            });
        });
        assert!(!effect(&p, Shape::default()).strong);
        let mut p = p;
        p.grant.as_mut().unwrap().operator = Operator::And;
        assert!(effect(&p, Shape::default()).strong);
    }

    /// The precompiled sweep and the engine give the same coverage, gap for
    /// gap, on the starter set (token protection, legacy clients, device
    /// code flow, report-only policies) and with the tests' tenant file.
    #[test]
    fn the_sweep_and_the_engine_agree() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let ps: Vec<Policy> = files
            .iter()
            .map(|f| crate::test_support::from_yaml(&std::fs::read_to_string(f).unwrap()))
            .collect();
        let refs = refs(&ps);
        let fast = analyse_with(&refs, None, true);
        let slow = analyse_with(&refs, None, false);
        assert_eq!(fast.modes, slow.modes);
        assert!(
            fast.modes.iter().any(|(_, g)| g.len() > 1),
            "{:?}",
            fast.modes
        );
    }

    #[test]
    fn collapse_is_exact() {
        // Every raw combination is covered by exactly one box and no box
        // covers anything else.
        let ps = [policy("risky", |p| {
            p.sign_in_risk_levels = vec![crate::model::RiskLevel::High];
            p.grant = Some(Grant {
                built_in_controls: vec![BuiltInControl::Mfa],
                ..Grant::default()
            });
        })];
        let c = analyse(&refs(&ps), None);
        let (_, gs) = &c.modes[0];
        let no_mfa: Vec<&Gap> = gs.iter().filter(|g| g.kind == GapKind::NoMfa).collect();
        assert_eq!(no_mfa.len(), 1);
        let inside = |combo: &Combo| {
            no_mfa
                .iter()
                .filter(|g| {
                    Dim::ALL
                        .iter()
                        .all(|d| g.masks[*d as usize].indices().any(|i| i == combo.get(*d)))
                })
                .count()
        };
        let high = c
            .matrix
            .sign_in_risks
            .iter()
            .position(|r| r.value == crate::model::RiskLevel::High)
            .unwrap();
        for combo in c.matrix.combos() {
            let expected = usize::from(combo.get(Dim::SignInRisk) != high);
            assert_eq!(inside(&combo), expected, "{}", c.matrix.describe(&combo));
        }
        assert!(describe(&c.matrix, no_mfa[0]).contains("sign-in risk none, low or medium"));
    }
}
