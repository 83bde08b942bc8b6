//! The lockout gate: proves, by sweeping the [scenario matrix](super::matrix)
//! through the what-if [`Engine`], that no active policy can lock out the
//! break-glass (emergency access) accounts or the identity that runs
//! `caac apply`.
//!
//! Contract: [`run`] takes resolved policies, the tenant file, the resolved
//! break-glass ids and, optionally, the resolved apply identity, and returns
//! per policy at most one [`CODE`] error for the break-glass accounts and at
//! most one for the apply identity. Each names the first counter-example
//! sign-in (matrix order: persona, app, platform, client, location, risk,
//! flow, device) as one line, and gives the ready-to-run `caac whatif`
//! request body in its help. The error points at `/users/include`
//! (`/clientApplications/include` for the apply identity); `check` maps it
//! into the file's own terms. Pure and deterministic; no I/O.
//!
//! # What counts as a lockout
//!
//! - **Enabled and report-only policies are both gated, as if enforced**:
//!   report-only is enforcement-to-be, and switching a policy on must not be
//!   the moment the emergency accounts stop working. Disabled policies are
//!   skipped.
//! - A policy locks out when it applies to a break-glass persona and
//!   **blocks**, or demands a control an emergency account **cannot be
//!   relied on to satisfy** (**caac decision**; the accounts exist for when
//!   normal access fails, "to prevent being accidentally locked out",
//!   <https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access>):
//!   compliant or hybrid-joined device, approved or compliant client app,
//!   password change, risk remediation, Verified ID, terms of use, custom
//!   controls (an external provider), and the Token Protection session
//!   control (a registered device with device-bound tokens). Multifactor
//!   authentication and authentication strengths are satisfiable: Microsoft
//!   asks for phishing-resistant MFA (FIDO2/passkeys) on emergency accounts
//!   (same page), which is what CA101's allowed exception in rules.md §2.2
//!   describes. With operator `OR` one satisfiable control is enough; with
//!   `AND` every control must be. The account is assumed to sign in with a
//!   modern client: that a legacy client cannot do MFA (the what-if engine's
//!   [`super::Shape`]) is not a lockout, since a browser gets through.
//! - The apply identity is a service principal: any applying grant control
//!   stops it (a workload identity cannot answer MFA or bring a device, and
//!   block is the only grant workload policies support,
//!   <https://learn.microsoft.com/entra/identity/conditional-access/workload-identity>).
//!   Swept over the matrix's apps × location classes × service-principal
//!   risk none/low/medium/high.
//!
//! # Break-glass personas
//!
//! Each tenant-file user listed in `breakGlass.users` or whose `memberOf`
//! names a break-glass group (with its own `memberOf` and `roles`); a
//! break-glass user id with no tenant-file entry; and a synthetic member of
//! each break-glass group. A break-glass user whose membership the tenant
//! file does not give (a bare id, or no entry) is assumed to be in every
//! break-glass group and a Global Administrator (**caac decision**: the
//! usual setup, where the group holds the accounts; CA101 separately checks
//! that the exclusions are written). Give the user `memberOf` to have it
//! swept exactly as it is. The synthetic personas also hold the Global
//! Administrator role template (`62e90394-69f5-4237-9190-012177145e10`):
//! emergency access accounts are normally Global Administrators (same page),
//! so a policy that catches Global Administrators but excludes the
//! break-glass group is fine, and one that excludes the group from a
//! user-scoped policy yet includes the role through another path is caught.
//! "Not given" means the short form (`name: id`) or a long form without
//! `memberOf` (groups) or without `roles` (the role); `memberOf: []` is given.
//!
//! # Kinds
//!
//! A break-glass id is a user or a group as the tenant file lists it; an id
//! listed nowhere is in both lists of [`BreakGlassIds`] (`check` warns), so
//! it is swept as a user with that id *and* as a member of a group with that
//! id: an exclusion only counts when it works whichever it is.
//!
//! # One notion of "excluded"
//!
//! CA101 asks the same question as the gate's first step through
//! [`first_unexcluded`]: is every break-glass persona excluded by the
//! policy's `users.exclude`? Both evaluate it with the what-if engine over
//! the same personas, so they cannot disagree.
//!
//! # Cost
//!
//! Each candidate policy (active, and blocking or demanding an unsatisfiable
//! control) is swept alone, over a matrix derived from that policy only, so
//! every untouched dimension collapses to one class, and the sweep stops at
//! its first counter-example. Candidates run in parallel; the result does
//! not depend on the order.

use super::matrix::{self, Combo, Dim, Matrix, Persona, Value};
use super::{ClientApp, Engine, Identity, PolicyRef, ReasonSet, SignIn, Target};
use crate::catalog::Kind;
use crate::diag::Diagnostic;
use crate::model::{
    BreakGlassIds, BuiltInControl, Operator, Policy, ServicePrincipalRiskLevel, State, Tenant,
};
use rayon::prelude::*;
use serde_json::json;

/// The diagnostic code (not a catalogue id: those are frozen).
pub const CODE: &str = crate::diag::Code::Lockout.as_str();

/// Global Administrator role template id.
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// What the gate protects.
#[derive(Debug, Clone, Copy)]
pub struct Gate<'a> {
    /// The tenant file.
    pub tenant: Option<&'a Tenant>,
    /// Resolved break-glass ids.
    pub break_glass: &'a BreakGlassIds,
    /// Their personas as `check` computed them once; empty: computed on
    /// demand ([`personas_of`]).
    pub break_glass_personas: &'a [Value<Persona>],
    /// The apply identity: (resolved service principal id, as written).
    pub apply_identity: Option<(&'a str, &'a str)>,
}

/// Why a policy stops an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stop {
    Block,
    Requires(String),
}

/// What an applying policy does to a break-glass account (`None`: nothing
/// it cannot get through).
fn stops_user(p: &Policy) -> Option<Stop> {
    if !p.state.is_active() {
        return None;
    }
    if let Some(g) = &p.grant {
        // Every control is named (no `..`): a new one breaks the build here.
        let crate::model::Grant {
            operator,
            built_in_controls,
            authentication_strength,
            terms_of_use,
            custom_authentication_factors,
        } = g;
        if built_in_controls.contains(&BuiltInControl::Block) {
            return Some(Stop::Block);
        }
        // (name, satisfiable) for every control of the grant.
        let mut controls: Vec<(String, bool)> = built_in_controls
            .iter()
            .map(|c| (c.as_str().to_owned(), *c == BuiltInControl::Mfa))
            .collect();
        if authentication_strength.is_some() {
            controls.push(("authenticationStrength".into(), true));
        }
        controls.extend(terms_of_use.iter().map(|_| ("termsOfUse".into(), false)));
        controls.extend(
            custom_authentication_factors
                .iter()
                .map(|c| (format!("custom control {c}"), false)),
        );
        let bad: Vec<String> = controls
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(n, _)| n.clone())
            .collect();
        let stuck = match operator {
            Operator::Or => !controls.is_empty() && bad.len() == controls.len(),
            Operator::And => !bad.is_empty(),
        };
        if stuck {
            let mut bad = bad;
            bad.dedup();
            let joiner = if *operator == Operator::And {
                " and "
            } else {
                " or "
            };
            return Some(Stop::Requires(bad.join(joiner)));
        }
    }
    if p.session.as_ref().is_some_and(|s| s.token_protection) {
        return Some(Stop::Requires("token protection (session)".into()));
    }
    None
}

/// What an applying policy does to a workload identity.
fn stops_workload(p: &Policy) -> Option<Stop> {
    if !p.state.is_active() {
        return None;
    }
    let g = p.grant.as_ref()?;
    if g.built_in_controls.contains(&BuiltInControl::Block) {
        return Some(Stop::Block);
    }
    let mut names: Vec<String> = g
        .built_in_controls
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    if g.authentication_strength.is_some() {
        names.push("authenticationStrength".into());
    }
    if !g.terms_of_use.is_empty() {
        names.push("termsOfUse".into());
    }
    names.extend(g.custom_authentication_factors.iter().cloned());
    (!names.is_empty()).then(|| Stop::Requires(names.join(", ")))
}

/// The break-glass groups a user whose memberships are not given is assumed
/// to be in: all of them but one with the user's own id (an id of unknown
/// kind is in both lists, and a user cannot be a member of itself, so the
/// user persona must be excluded as a user).
fn assumed_groups(user: &str, bg_groups: &[String]) -> Vec<String> {
    bg_groups.iter().filter(|g| *g != user).cloned().collect()
}

/// The break-glass personas (see the module docs), labelled.
pub fn break_glass_personas(tenant: Option<&Tenant>, bg: &BreakGlassIds) -> Vec<Value<Persona>> {
    let mut out: Vec<Value<Persona>> = Vec::new();
    let lower =
        |v: &[String]| -> Vec<String> { v.iter().map(|s| s.to_ascii_lowercase()).collect() };
    let (bg_users, bg_groups) = (lower(&bg.users), lower(&bg.groups));
    let mut covered: Vec<String> = Vec::new();
    if let Some(t) = tenant {
        for (name, entry) in &t.users {
            let mut p = matrix::tenant_user(name, entry, t);
            let Identity::User {
                id, groups, roles, ..
            } = &mut p.identity
            else {
                continue;
            };
            if bg_users.contains(id) {
                // What the tenant file does not give is assumed to be the
                // usual setup (see the module docs), in the short form
                // (`name: id`) and the long form (`{id: …}`) alike.
                let detail = entry.detail();
                if detail.is_none_or(|d| d.member_of.is_none()) {
                    groups.extend(assumed_groups(id, &bg_groups));
                    groups.sort();
                    groups.dedup();
                }
                if detail.is_none_or(|d| d.roles.is_empty()) {
                    roles.push(GLOBAL_ADMINISTRATOR.to_owned());
                }
            }
            if bg_users.contains(id) || groups.iter().any(|g| bg_groups.contains(g)) {
                covered.push(id.clone());
                out.push(Value {
                    value: p,
                    label: format!("break-glass account {name}"),
                    also: Vec::new(),
                });
            }
        }
    }
    let synthetic = |id: String, groups: Vec<String>, label: String| Value {
        value: Persona {
            identity: Identity::User {
                id,
                groups,
                roles: vec![GLOBAL_ADMINISTRATOR.to_owned()],
                guest_type: None,
                external_tenant: None,
            },
            user_name: None,
        },
        label,
        also: Vec::new(),
    };
    for u in &bg_users {
        if !covered.contains(u) {
            let label = format!(
                "break-glass account {} (Global Administrator)",
                matrix::name_of(Kind::User, u, tenant)
            );
            out.push(synthetic(u.clone(), assumed_groups(u, &bg_groups), label));
        }
    }
    for g in &bg_groups {
        let n = out.len();
        let label = format!(
            "a member of break-glass group {} (Global Administrator)",
            matrix::name_of(Kind::Group, g, tenant)
        );
        out.push(synthetic(
            matrix::synthetic_user(0xb000 + n),
            vec![g.clone()],
            label,
        ));
    }
    out
}

/// The break-glass personas of `bg`: `computed` when `check` computed them
/// once, else computed now (callers that build a [`BreakGlassIds`] by hand).
pub fn personas_of<'b>(
    tenant: Option<&Tenant>,
    bg: &BreakGlassIds,
    computed: &'b [Value<Persona>],
) -> std::borrow::Cow<'b, [Value<Persona>]> {
    if computed.is_empty() && !bg.is_empty() {
        std::borrow::Cow::Owned(break_glass_personas(tenant, bg))
    } else {
        std::borrow::Cow::Borrowed(computed)
    }
}

/// The first break-glass persona that `policy`'s `users.exclude` does not
/// exclude, judged by the what-if engine as if the policy included all
/// users (the include side is each caller's own question). `None`: every
/// persona is excluded.
pub fn first_unexcluded<'p>(
    policy: &Policy,
    personas: &'p [Value<Persona>],
) -> Option<&'p Value<Persona>> {
    // The common case first, without building an engine per policy (CA101
    // runs this for every user-scoped policy; BENCHMARKS.md, run 4): a
    // persona whose id, one of whose groups or one of whose roles the
    // exclusion lists directly is out of scope by Graph's definition of
    // `excludeUsers` / `excludeGroups` / `excludeRoles` ("excluded from scope
    // of policy", <https://learn.microsoft.com/graph/api/resources/conditionalaccessusers>).
    // Only "every persona excluded" is answered here; anything else, and
    // which persona is missed, is the engine's answer below.
    if let Some(exclude) = policy.users.as_ref().and_then(|u| u.exclude.as_ref())
        && personas
            .iter()
            .all(|p| excluded_directly(exclude, &p.value))
    {
        return None;
    }
    first_unexcluded_by_engine(policy, personas)
}

/// [`first_unexcluded`] through the what-if engine alone.
fn first_unexcluded_by_engine<'p>(
    policy: &Policy,
    personas: &'p [Value<Persona>],
) -> Option<&'p Value<Persona>> {
    use crate::model::{Applications, UserSet, Users};
    let probe = Policy {
        display_name: policy.display_name.clone(),
        state: State::Enabled,
        users: Some(Users {
            include: Some(UserSet {
                users: vec!["All".into()],
                ..UserSet::default()
            }),
            exclude: policy.users.as_ref().and_then(|u| u.exclude.clone()),
        }),
        applications: Some(Applications {
            include: vec!["All".into()],
            ..Applications::default()
        }),
        ..Policy::default()
    };
    let one = [PolicyRef {
        name: &probe.display_name,
        policy: &probe,
    }];
    let engine = Engine::new(&one, None);
    let mut reasons: Vec<ReasonSet> = Vec::with_capacity(1);
    personas.iter().find(|persona| {
        let s = SignIn::new(
            persona.value.identity.clone(),
            Target::Applications(Vec::new()),
            ClientApp::Browser,
        );
        engine.reasons_into(&s, &mut reasons);
        !reasons
            .first()
            .is_some_and(|r| r.contains(super::Reason::Users))
    })
}

/// True when `exclude` names the user persona directly: its object id in
/// `users`, one of its (transitive) groups in `groups`, or one of its roles
/// in `roles` (ids compared case-insensitively, as everywhere in caac).
/// Service principals are never user personas: false.
fn excluded_directly(exclude: &crate::model::UserSet, persona: &Persona) -> bool {
    let Identity::User {
        id, groups, roles, ..
    } = &persona.identity
    else {
        return false;
    };
    let listed = |list: &[String], v: &String| list.iter().any(|x| x.eq_ignore_ascii_case(v));
    listed(&exclude.users, id)
        || groups.iter().any(|g| listed(&exclude.groups, g))
        || roles.iter().any(|r| listed(&exclude.roles, r))
}

/// Runs the gate; one list of diagnostics per input policy, in input order.
pub fn run(policies: &[PolicyRef], gate: &Gate) -> Vec<Vec<Diagnostic>> {
    let personas = personas_of(gate.tenant, gate.break_glass, gate.break_glass_personas);
    let gate_one = |p: &PolicyRef| {
        let mut out = Vec::new();
        if !personas.is_empty()
            && let Some(stop) = stops_user(p.policy)
            && let Some((m, c)) = sweep_users(p, gate.tenant, &personas)
        {
            out.push(user_diagnostic(p, &stop, &m, &c, gate));
        }
        if let Some((id, written)) = gate.apply_identity
            && let Some(stop) = stops_workload(p.policy)
            && let Some((m, c, risk)) = sweep_workload(p, gate.tenant, id)
        {
            out.push(workload_diagnostic(
                p,
                &stop,
                &m,
                &c,
                risk,
                id,
                written,
                gate.tenant,
            ));
        }
        out
    };
    // One policy (a one-file lint): no thread pool.
    if policies.len() < 2 {
        policies.iter().map(gate_one).collect()
    } else {
        policies.par_iter().map(gate_one).collect()
    }
}

/// The first combination where the policy applies to a persona.
fn sweep_users(
    p: &PolicyRef,
    tenant: Option<&Tenant>,
    personas: &[Value<Persona>],
) -> Option<(Matrix, Combo)> {
    let one = [*p];
    let engine = Engine::new(&one, tenant);
    let mut reasons: Vec<ReasonSet> = Vec::with_capacity(1);
    // The user condition depends on the identity alone, and the engine
    // reports every failing condition: when it rules out every persona, no
    // combination can apply. Checking that first skips building the matrix,
    // which costs O(tenant file) per policy — the gate made a 20,000-policy
    // lint 2.5× slower before this (BENCHMARKS.md).
    let in_scope = personas.iter().any(|persona| {
        let s = SignIn::new(
            persona.value.identity.clone(),
            Target::Applications(Vec::new()),
            ClientApp::Browser,
        );
        engine.reasons_into(&s, &mut reasons);
        !reasons
            .first()
            .is_some_and(|r| r.contains(super::Reason::Users))
    });
    if !in_scope {
        return None;
    }
    let mut m = Matrix::new(&one, tenant);
    m.personas = personas.to_vec();
    let first = m.combos().next()?;
    let mut s = m.sign_in(&first);
    let hit = m.combos().find(|c| {
        m.fill(c, &mut s);
        engine.reasons_into(&s, &mut reasons);
        reasons.first().is_some_and(|r| r.is_empty())
    })?;
    Some((m, hit))
}

/// Service-principal risk levels the workload sweep covers.
const SP_RISKS: [ServicePrincipalRiskLevel; 4] = [
    ServicePrincipalRiskLevel::None,
    ServicePrincipalRiskLevel::Low,
    ServicePrincipalRiskLevel::Medium,
    ServicePrincipalRiskLevel::High,
];

/// The first (app, location, risk) where the policy applies to the service principal.
fn sweep_workload(
    p: &PolicyRef,
    tenant: Option<&Tenant>,
    id: &str,
) -> Option<(Matrix, Combo, ServicePrincipalRiskLevel)> {
    let one = [*p];
    let engine = Engine::new(&one, tenant);
    let mut reasons = Vec::with_capacity(1);
    let identity = Identity::ServicePrincipal { id: id.to_owned() };
    // As for users: the workload-identity condition depends on the identity
    // alone, so a policy that rules it out needs no matrix.
    engine.reasons_into(
        &SignIn::new(
            identity.clone(),
            Target::Applications(Vec::new()),
            ClientApp::Browser,
        ),
        &mut reasons,
    );
    if reasons
        .first()
        .is_some_and(|r| r.contains(super::Reason::WorkloadIdentities))
    {
        return None;
    }
    let m = Matrix::new(&one, tenant);
    for t in 0..m.len(Dim::Target) {
        if !matches!(m.targets[t].value, Target::Applications(_)) {
            continue;
        }
        for l in 0..m.len(Dim::Location) {
            for risk in SP_RISKS {
                let loc = &m.locations[l].value;
                let mut s = SignIn::new(
                    identity.clone(),
                    m.targets[t].value.clone(),
                    ClientApp::Other,
                );
                s.ip = loc.ip;
                s.country = loc.country.clone();
                s.service_principal_risk = risk;
                engine.reasons_into(&s, &mut reasons);
                if reasons.first().is_some_and(|r| r.is_empty()) {
                    let c = Combo([0; matrix::DIMS])
                        .with(Dim::Target, t)
                        .with(Dim::Location, l);
                    return Some((m, c, risk));
                }
            }
        }
    }
    None
}

fn state_note(p: &Policy) -> &'static str {
    if p.state == State::Enabled {
        ""
    } else {
        " (report-only, gated as if enforced)"
    }
}

fn user_diagnostic(p: &PolicyRef, stop: &Stop, m: &Matrix, c: &Combo, gate: &Gate) -> Diagnostic {
    let what = match stop {
        Stop::Block => "blocks".to_owned(),
        Stop::Requires(controls) => {
            format!(
                "requires {controls}, which an emergency account cannot be relied on to satisfy, for"
            )
        }
    };
    let request = m.request(c, gate.tenant);
    let groups: Vec<String> = gate
        .break_glass
        .groups
        .iter()
        .map(|g| matrix::name_of(Kind::Group, g, gate.tenant))
        .collect();
    let fix = if groups.is_empty() {
        "exclude the break-glass accounts in `users.exclude`".to_owned()
    } else {
        format!(
            "exclude the break-glass group{} {} in `users.exclude.groups`",
            if groups.len() == 1 { "" } else { "s" },
            groups
                .iter()
                .map(|g| format!("`{g}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Diagnostic::error(
        CODE,
        format!(
            "break-glass lockout{}: this policy {what} {}",
            state_note(p.policy),
            m.describe(c)
        ),
    )
    .at_key(users_pointer(p.policy))
    .with_help(format!(
        "{fix}; reproduce with `caac whatif --request FILE` where FILE holds: {}",
        serde_json::to_string(&request).unwrap_or_default()
    ))
}

#[allow(clippy::too_many_arguments)]
fn workload_diagnostic(
    p: &PolicyRef,
    stop: &Stop,
    m: &Matrix,
    c: &Combo,
    risk: ServicePrincipalRiskLevel,
    id: &str,
    written: &str,
    tenant: Option<&Tenant>,
) -> Diagnostic {
    let what = match stop {
        Stop::Block => "blocks".to_owned(),
        Stop::Requires(controls) => {
            format!("requires {controls}, which a workload identity cannot satisfy, for")
        }
    };
    let app = &m.targets[c.get(Dim::Target)];
    let loc = &m.locations[c.get(Dim::Location)];
    let mut conditions = serde_json::Map::new();
    if let Some(country) = &loc.value.country {
        conditions.insert("country".into(), country.clone().into());
    }
    if let Some(ip) = loc.value.ip {
        conditions.insert("ipAddress".into(), ip.to_string().into());
    }
    conditions.insert("servicePrincipalRiskLevel".into(), risk.as_str().into());
    let name = if written.eq_ignore_ascii_case(id) {
        matrix::name_of(Kind::ServicePrincipal, id, tenant)
    } else {
        written.to_owned()
    };
    let request = json!({
        "signInIdentity": matrix::identity_json(
            &Persona {
                identity: Identity::ServicePrincipal { id: id.to_owned() },
                user_name: Some(name.clone()),
            },
            tenant,
        ),
        "signInContext": {
            "@odata.type": "#microsoft.graph.applicationContext",
            "includeApplications": match &app.value {
                Target::Applications(a) => a.clone(),
                _ => Vec::new(),
            },
        },
        "signInConditions": conditions,
    });
    let risk_text = if risk == ServicePrincipalRiskLevel::None {
        String::new()
    } else {
        format!(", service principal risk {}", risk.as_str())
    };
    Diagnostic::error(
        CODE,
        format!(
            "apply-identity lockout{}: this policy {what} the deploy identity {name} (`deploy.identity` in .caac.yaml): {} from {}{risk_text}",
            state_note(p.policy),
            app.label,
            loc.label,
        ),
    )
    .at_key(
        if p.policy.client_applications.is_some() {
            "/clientApplications/include"
        } else {
            ""
        },
    )
    .with_help(format!(
        "exclude the deploy identity in `clientApplications.exclude`; reproduce with `caac whatif --request FILE` where FILE holds: {}",
        serde_json::to_string(&request).unwrap_or_default()
    ))
}

fn users_pointer(p: &Policy) -> &'static str {
    match &p.users {
        Some(u) if u.include.is_some() => "/users/include",
        Some(_) => "/users",
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Grant, UserSet};

    const EA: &str = "00000000-0000-4000-8000-00000000e0e1";

    fn policy(controls: &[BuiltInControl], exclude_group: Option<&str>) -> Policy {
        crate::test_support::all_users_all_apps("P", State::Enabled, |p| {
            p.users.as_mut().unwrap().exclude = exclude_group.map(|g| UserSet {
                groups: vec![g.into()],
                ..UserSet::default()
            });
            p.grant = Some(Grant {
                built_in_controls: controls.to_vec(),
                ..Grant::default()
            });
        })
    }

    fn gate_of(p: &Policy, bg: &BreakGlassIds) -> Vec<Diagnostic> {
        let refs = [PolicyRef {
            name: &p.display_name,
            policy: p,
        }];
        run(
            &refs,
            &Gate {
                tenant: None,
                break_glass: bg,
                break_glass_personas: &[],
                apply_identity: None,
            },
        )
        .remove(0)
    }

    fn bg() -> BreakGlassIds {
        BreakGlassIds {
            users: Vec::new(),
            groups: vec![EA.into()],
        }
    }

    #[test]
    fn the_direct_exclusion_shortcut_agrees_with_the_engine() {
        const U: &str = "0e1f2a3b-0000-4000-8000-00000000b6a1";
        const OTHER: &str = "0e1f2a3b-0000-4000-8000-0000000000ff";
        let bg = BreakGlassIds {
            users: vec![U.into()],
            groups: vec![EA.into()],
        };
        let personas = break_glass_personas(None, &bg);
        assert_eq!(personas.len(), 2, "the user and a member of the group");
        let set = |users: &[&str], groups: &[&str], roles: &[&str]| UserSet {
            users: users.iter().map(|s| (*s).to_owned()).collect(),
            groups: groups.iter().map(|s| (*s).to_owned()).collect(),
            roles: roles.iter().map(|s| (*s).to_owned()).collect(),
            guests_or_external_users: None,
        };
        let upper = EA.to_ascii_uppercase();
        for exclude in [
            None,
            Some(set(&[], &[], &[])),
            Some(set(&[], &[EA], &[])),
            Some(set(&[], &[&upper], &[])),
            Some(set(&[U], &[], &[])),
            Some(set(&[U], &[EA], &[])),
            Some(set(&[OTHER], &[OTHER], &[])),
            Some(set(&[], &[], &[GLOBAL_ADMINISTRATOR])),
            Some(set(&[U], &[OTHER], &[])),
        ] {
            let mut p = policy(&[BuiltInControl::Block], None);
            if let Some(u) = &mut p.users {
                u.exclude = exclude.clone();
            }
            let label = |v: Option<&Value<Persona>>| v.map(|v| v.label.clone());
            assert_eq!(
                label(first_unexcluded(&p, &personas)),
                label(first_unexcluded_by_engine(&p, &personas)),
                "{exclude:?}"
            );
        }
        // The shortcut answers the common case: the group excludes both
        // (the user is assumed in it).
        let p = policy(&[BuiltInControl::Block], Some(EA));
        let exclude = p.users.as_ref().unwrap().exclude.as_ref().unwrap();
        assert!(
            personas
                .iter()
                .all(|v| excluded_directly(exclude, &v.value))
        );
    }

    #[test]
    fn block_without_exclusion_is_caught_with_a_runnable_request() {
        let ds = gate_of(&policy(&[BuiltInControl::Block], None), &bg());
        assert_eq!(ds.len(), 1);
        let d = &ds[0];
        assert_eq!(d.code, CODE);
        assert!(
            d.message
                .contains("this policy blocks a member of break-glass group"),
            "{}",
            d.message
        );
        let help = d.help.as_deref().unwrap();
        let body = help.split_once("FILE holds: ").unwrap().1;
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let s = super::super::request::parse(&v, None).unwrap();
        let p = policy(&[BuiltInControl::Block], None);
        let out = super::super::evaluate(
            &[PolicyRef {
                name: "P",
                policy: &p,
            }],
            None,
            &s,
        );
        assert_eq!(out.access, super::super::Access::Block);
    }

    #[test]
    fn excluded_group_passes() {
        assert!(gate_of(&policy(&[BuiltInControl::Block], Some(EA)), &bg()).is_empty());
    }

    #[test]
    fn mfa_is_satisfiable_device_controls_are_not() {
        assert!(gate_of(&policy(&[BuiltInControl::Mfa], None), &bg()).is_empty());
        let ds = gate_of(&policy(&[BuiltInControl::CompliantDevice], None), &bg());
        assert!(
            ds[0].message.contains("requires compliantDevice"),
            "{}",
            ds[0].message
        );
        // OR with MFA: satisfiable.
        let mut p = policy(
            &[BuiltInControl::Mfa, BuiltInControl::CompliantDevice],
            None,
        );
        assert!(gate_of(&p, &bg()).is_empty());
        // AND with MFA: not.
        p.grant.as_mut().unwrap().operator = Operator::And;
        assert_eq!(gate_of(&p, &bg()).len(), 1);
    }

    #[test]
    fn report_only_is_gated_disabled_is_not() {
        let mut p = policy(&[BuiltInControl::Block], None);
        p.state = State::ReportOnly;
        let ds = gate_of(&p, &bg());
        assert!(ds[0].message.contains("report-only"), "{}", ds[0].message);
        p.state = State::Disabled;
        assert!(gate_of(&p, &bg()).is_empty());
    }

    #[test]
    fn global_administrator_role_reaches_the_synthetic_member() {
        // Excludes the group but includes the role elsewhere: still excluded
        // (exclusion wins), so no finding.
        let mut p = policy(&[BuiltInControl::Block], Some(EA));
        p.users.as_mut().unwrap().include = Some(UserSet {
            roles: vec![GLOBAL_ADMINISTRATOR.into()],
            ..UserSet::default()
        });
        assert!(gate_of(&p, &bg()).is_empty());
        // Scoped to Global Administrators without the exclusion: caught.
        p.users.as_mut().unwrap().exclude = None;
        assert_eq!(gate_of(&p, &bg()).len(), 1);
    }

    #[test]
    fn a_break_glass_user_without_memberof_is_assumed_in_the_group_in_both_forms() {
        // README: "a listed user whose `memberOf` is not given is assumed to
        // be in the groups" — the short form and the long form alike.
        let tenant = |user: serde_json::Value| -> Tenant {
            serde_json::from_value(json!({
                "users": {"bg1": user},
                "groups": {"EA": EA},
            }))
            .unwrap()
        };
        let short = tenant(json!("00000000-0000-4000-8000-0000000000b1"));
        let long = tenant(json!({"id": "00000000-0000-4000-8000-0000000000b1"}));
        let long_with_roles = tenant(json!({
            "id": "00000000-0000-4000-8000-0000000000b1",
            "roles": ["Global Administrator"],
        }));
        let in_no_group = tenant(json!({
            "id": "00000000-0000-4000-8000-0000000000b1",
            "memberOf": [],
        }));
        let bg = BreakGlassIds {
            users: vec!["00000000-0000-4000-8000-0000000000b1".into()],
            groups: vec![EA.into()],
        };
        let p = policy(&[BuiltInControl::Block], Some(EA));
        let refs = [PolicyRef {
            name: "P",
            policy: &p,
        }];
        let found = |t: &Tenant| {
            run(
                &refs,
                &Gate {
                    tenant: Some(t),
                    break_glass: &bg,
                    break_glass_personas: &[],
                    apply_identity: None,
                },
            )
            .remove(0)
        };
        assert!(found(&short).is_empty());
        assert!(found(&long).is_empty());
        assert!(found(&long_with_roles).is_empty());
        // Memberships given (none): swept as written, so the group exclusion misses it.
        let ds = found(&in_no_group);
        assert!(
            ds[0].message.contains("break-glass account bg1:"),
            "{}",
            ds[0].message
        );
        // CA101 sees the same personas.
        for (t, excluded) in [(&short, true), (&long, true), (&in_no_group, false)] {
            let personas = break_glass_personas(Some(t), &bg);
            assert_eq!(first_unexcluded(&p, &personas).is_none(), excluded);
        }
    }

    #[test]
    fn workload_identity_is_swept() {
        let mut p = policy(&[BuiltInControl::Block], None);
        p.users = None;
        p.client_applications = Some(crate::model::ClientApplications {
            include: vec!["ServicePrincipalsInMyTenant".into()],
            ..Default::default()
        });
        p.service_principal_risk_levels = vec![ServicePrincipalRiskLevel::High];
        let refs = [PolicyRef {
            name: "P",
            policy: &p,
        }];
        let sp = "11111111-1111-4111-8111-111111111111";
        let ds = run(
            &refs,
            &Gate {
                tenant: None,
                break_glass: &BreakGlassIds::default(),
                break_glass_personas: &[],
                apply_identity: Some((sp, sp)),
            },
        )
        .remove(0);
        assert_eq!(ds.len(), 1);
        assert!(
            ds[0].message.contains("service principal risk high"),
            "{}",
            ds[0].message
        );
        let body = ds[0]
            .help
            .as_deref()
            .unwrap()
            .split_once("FILE holds: ")
            .unwrap()
            .1;
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        super::super::request::parse(&v, None).unwrap();
    }
}
