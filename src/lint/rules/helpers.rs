//! Helpers more than one rule needs: rules import them from here, never from
//! another rule's file, so a rule can be read (and removed) on its own.
//!
//! Contract: pure functions over the resolved model and the lint context; no
//! findings are made here, only the questions rules ask.

use crate::catalog::{self, ADMIN_ROLES_14, Kind};
use crate::lint::{Context, Hit, SetHit};
use crate::model::{BuiltInControl, ClientAppType, FilterMode, Operator, Platform, Policy};

// ---------------------------------------------------------------------------
// Baselines (CA701, CA702, CA703, CA704, CA705, CA707, CA708, CA712, CA714):
// which policies count, which conditions narrow a baseline, and when a grant
// really demands MFA. See
// https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
// ---------------------------------------------------------------------------

/// The active (enabled or report-only) policies of the set.
pub(crate) fn active<'a>(set: &'a [Context<'a>]) -> impl Iterator<Item = &'a Policy> + 'a {
    set.iter().map(|c| c.policy).filter(|p| p.state.is_active())
}

/// The one set-level finding of a baseline rule: nothing when the set is empty
/// or the baseline was found.
pub(crate) fn missing(set: &[Context], found: bool, message: &str) -> Vec<SetHit> {
    if set.is_empty() || found {
        Vec::new()
    } else {
        vec![(None, Hit::at("", message))]
    }
}

/// The conditions a baseline policy may carry because the rule is about them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Allow {
    /// `clientAppTypes` (CA701).
    pub client_app_types: bool,
    /// `platforms` (CA712).
    pub platforms: bool,
    /// `authenticationFlows` (CA705).
    pub flows: bool,
    /// `userRiskLevels` (CA707).
    pub user_risk: bool,
    /// `signInRiskLevels` (CA708).
    pub sign_in_risk: bool,
}

/// True when a condition other than the allowed ones limits the policy to a
/// part of the sign-ins it targets, so it cannot stand as a baseline: client
/// app types that leave out browser or mobile/desktop clients, a platform
/// condition other than `all` without exclusions, a location condition other
/// than `All` without exclusions, a device filter, an exclude-mode
/// application filter, any risk level, or authentication flows.
pub(crate) fn narrowed(p: &Policy, allow: Allow) -> bool {
    let t = &p.client_app_types;
    let all_modern_clients = t.is_empty()
        || t.contains(&ClientAppType::All)
        || (t.contains(&ClientAppType::Browser)
            && t.contains(&ClientAppType::MobileAppsAndDesktopClients));
    let clients = !(allow.client_app_types || all_modern_clients);
    let platforms = !allow.platforms
        && p.platforms
            .as_ref()
            .is_some_and(|pl| !(pl.include.contains(&Platform::All) && pl.exclude.is_empty()));
    let locations = p
        .locations
        .as_ref()
        .is_some_and(|l| !(l.include.iter().any(|v| v == "All") && l.exclude.is_empty()));
    let devices = p.devices.as_ref().is_some_and(|d| d.filter.is_some());
    let app_filter = p
        .applications
        .as_ref()
        .and_then(|a| a.filter.as_ref())
        .is_some_and(|f| f.mode == FilterMode::Exclude);
    let risk = (!allow.user_risk && !p.user_risk_levels.is_empty())
        || (!allow.sign_in_risk && !p.sign_in_risk_levels.is_empty())
        || !p.service_principal_risk_levels.is_empty()
        || !p.insider_risk_levels.is_empty()
        || !p.agent_id_risk_levels.is_empty();
    let flows = !allow.flows && !p.authentication_flows.is_empty();
    clients || platforms || locations || devices || app_filter || risk || flows
}

/// True when every way through the grant demands MFA: the `mfa` control
/// (when `mfa_control` counts) or an authentication strength `strength`
/// accepts, and under `OR` no other control a user could satisfy instead
/// (another built-in control, terms of use, a custom control, or a strength
/// `strength` rejects). A block is not MFA.
pub(crate) fn demands_mfa(p: &Policy, mfa_control: bool, strength: impl Fn(&str) -> bool) -> bool {
    let Some(g) = &p.grant else {
        return false;
    };
    if g.built_in_controls.contains(&BuiltInControl::Block) {
        return false;
    }
    let by_control = mfa_control && g.built_in_controls.contains(&BuiltInControl::Mfa);
    let by_strength = g.authentication_strength.as_deref().is_some_and(&strength);
    if !(by_control || by_strength) {
        return false;
    }
    match g.operator {
        Operator::And => true,
        Operator::Or => {
            g.built_in_controls
                .iter()
                .all(|c| mfa_control && *c == BuiltInControl::Mfa)
                && g.authentication_strength.as_deref().is_none_or(&strength)
                && g.terms_of_use.is_empty()
                && g.custom_authentication_factors.is_empty()
        }
    }
}

// ---------------------------------------------------------------------------
// Token Protection resources (CA401, CA403, CA404, CA306). See
// https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection
// ---------------------------------------------------------------------------

/// Windows Azure Service Management API: the browser (ARM) preview resource.
pub(crate) const ARM: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
/// Microsoft Teams Services.
pub(crate) const TEAMS: &str = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe";
/// Azure Virtual Desktop.
pub(crate) const AVD: &str = "9cdead84-a844-4324-93f2-b2e6bb768d07";
/// Windows 365.
pub(crate) const W365: &str = "0af06dc6-e4b5-4f28-818e-e78e62d137a5";
/// Windows Cloud Login.
pub(crate) const CLOUD_LOGIN: &str = "270efc09-cd0d-444b-a71f-39af4910ec45";
/// Resources newer Token Protection docs support on Windows only.
pub(crate) const WINDOWS_ONLY: [&str; 3] = [AVD, W365, CLOUD_LOGIN];

/// The Token Protection browser preview: exactly the Azure management API,
/// `clientAppTypes: [browser]`, platforms a non-empty subset of windows/macOS.
pub(crate) fn is_arm_preview_shape(p: &Policy) -> bool {
    p.include_apps() == [ARM]
        && p.client_app_types == [ClientAppType::Browser]
        && p.include_platforms().is_some_and(|ps| {
            !ps.is_empty()
                && ps
                    .iter()
                    .all(|x| matches!(x, Platform::Windows | Platform::MacOS))
        })
}

/// A readable name for a resolved application id (catalog, then tenant file).
pub(crate) fn app_name(ctx: &Context, id: &str) -> String {
    if let Some(e) = catalog::find_by_id(Kind::Application, id) {
        return e.name.to_owned();
    }
    ctx.tenant
        .and_then(|t| {
            t.applications
                .iter()
                .find(|(_, v)| v.eq_ignore_ascii_case(id))
        })
        .map_or_else(|| id.to_owned(), |(name, _)| name.clone())
}

// ---------------------------------------------------------------------------
// User scope (CA102, CA103, CA703, CA704)
// ---------------------------------------------------------------------------

/// `users.exclude` names at least one user, group or role (keywords such as
/// `GuestsOrExternalUsers` do not count: they never exclude a member account).
pub(crate) fn has_identity_exclusion(p: &Policy) -> bool {
    p.user_exclude().is_some_and(|e| {
        e.users
            .iter()
            .any(|u| u != "GuestsOrExternalUsers" && u != "None")
            || !e.groups.is_empty()
            || !e.roles.is_empty()
    })
}

/// Index of `All` in `users.include.users`.
pub(crate) fn all_users_index(p: &Policy) -> Option<usize> {
    p.user_include()
        .and_then(|i| i.users.iter().position(|u| u == "All"))
}

/// The policy's user scope takes in every one of the 14 admin roles: it
/// includes All users or all 14 roles, and excludes none of them.
pub(crate) fn covers_admin_roles(p: &Policy) -> bool {
    let Some(include) = p.user_include() else {
        return false;
    };
    let excluded = p.user_exclude().is_some_and(|e| {
        ADMIN_ROLES_14
            .iter()
            .any(|r| e.roles.iter().any(|x| x == r))
    });
    let included = p.includes_all_users()
        || ADMIN_ROLES_14
            .iter()
            .all(|r| include.roles.iter().any(|x| x == r));
    included && !excluded
}
