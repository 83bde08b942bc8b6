//! Resolve: names → ids, failing closed.
//!
//! Contract: [`resolve`] returns a copy of the policy in which every
//! [`Reference`](crate::model::Reference) is the exact value Graph wants — a
//! lower-case GUID, a canonical keyword (`All`, `Office365`, …), a `urn:user:`
//! action or an authentication context id — plus a diagnostic for every value
//! it could not resolve. Names are looked up in the built-in [`catalog`] and
//! the tenant file; an unknown or ambiguous name is an error at its exact
//! position with a did-you-mean, never dropped and never guessed. A well-formed
//! GUID passes through (directory checks on ids are lint rules CA9xx).

use crate::catalog::{self, Kind};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::{
    AgentIds, Applications, ClientApplications, Grant, GuestsOrExternalUsers, Locations, Policy,
    Tenant, UserSet, Users,
};

/// Resolves every reference in `policy`; a reference that does not resolve
/// keeps its written value and gets a diagnostic.
pub fn resolve(policy: &Policy, tenant: Option<&Tenant>) -> (Policy, Vec<Diagnostic>) {
    let mut out = policy.clone();
    let mut diags = Vec::new();
    for_each_reference(&mut out, |kind, pointer, value| {
        match resolve_value(kind, value, tenant) {
            Ok(id) => *value = id,
            Err(mut d) => {
                // The did-you-mean must not suggest what a rule forbids here.
                let place = place_of(policy, kind, &pointer);
                if place != Place::Any && d.is(Code::UnknownName) {
                    d = unknown_in(kind, value, tenant, place);
                }
                diags.push(d.at_value(pointer));
            }
        }
    });
    // Rollout stage → effective state and scope, in this one place (see crate::rollout).
    crate::rollout::effective(policy, &mut out, tenant, &mut diags);
    (out, diags)
}

/// Resolves the break-glass users and groups of a tenant file to ids.
/// Returns `(user ids, group ids, diagnostics with pointers into tenant.yaml)`.
///
/// Each id is checked as the kind the tenant file lists it as (see
/// [`break_glass_kind`]), whichever of `breakGlass.users` or
/// `breakGlass.groups` names it: a group listed under `users` is checked as
/// a group, with a warning to move it.
pub fn break_glass(tenant: &Tenant) -> (Vec<String>, Vec<String>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (mut users, mut groups) = (Vec::new(), Vec::new());
    let bg = tenant.break_glass.clone().unwrap_or_default();
    for (kind, key, list) in [
        (Kind::User, "users", &bg.users),
        (Kind::Group, "groups", &bg.groups),
    ] {
        for (i, v) in list.iter().enumerate() {
            let at = format!("/breakGlass/{key}/{i}");
            let id = match resolve_value(kind, v, Some(tenant)) {
                Ok(id) => id,
                Err(d) => {
                    diags.push(d.at_value(at));
                    continue;
                }
            };
            let (user, group, d) = break_glass_kind(&id, v, Some(tenant), Some(kind));
            if user {
                users.push(id.clone());
            }
            if group {
                groups.push(id);
            }
            diags.extend(d.map(|d| d.at_value(at)));
        }
    }
    for list in [&mut users, &mut groups] {
        list.sort();
        list.dedup();
    }
    (users, groups, diags)
}

/// The kind of a break-glass id, from the tenant file: `(user, group,
/// warning)`. An id in `users:` is a user, one in `groups:` a group; an id
/// listed in neither is both — swept as a user with that id and as a member
/// of a group with that id, so that only an exclusion that works whatever it
/// is passes — with one warning to list it. `written` is the value as
/// given; `declared` the kind its place claims (`breakGlass.users` /
/// `.groups`; `None` for `--break-glass`), warned about when the tenant file
/// says otherwise.
pub fn break_glass_kind(
    id: &str,
    written: &str,
    tenant: Option<&Tenant>,
    declared: Option<Kind>,
) -> (bool, bool, Option<Diagnostic>) {
    let listed = |kind| {
        tenant
            .and_then(|t| t.names(kind))
            .and_then(|names| names.iter().find(|(_, e)| e.id().eq_ignore_ascii_case(id)))
            .map(|(n, _)| n.clone())
    };
    let (user, group) = (listed(Kind::User), listed(Kind::Group));
    let shown = if written.eq_ignore_ascii_case(id) {
        format!("`{id}`")
    } else {
        format!("`{written}` ({id})")
    };
    match (&user, &group, declared) {
        (Some(_), None, Some(Kind::Group)) => (
            true,
            false,
            Some(
                Diagnostic::warning(
                    Code::BreakGlassKind,
                    format!("break-glass group {shown} is a user in the tenant file's `users:`; checked as a user"),
                )
                .with_help("move it to `breakGlass.users`"),
            ),
        ),
        (None, Some(_), Some(Kind::User)) => (
            false,
            true,
            Some(
                Diagnostic::warning(
                    Code::BreakGlassKind,
                    format!("break-glass user {shown} is a group in the tenant file's `groups:`; checked as a group"),
                )
                .with_help("move it to `breakGlass.groups`"),
            ),
        ),
        (Some(_), None, _) => (true, false, None),
        (None, Some(_), _) => (false, true, None),
        (Some(_), Some(_), _) => (true, true, None),
        (None, None, _) => (
            true,
            true,
            Some(
                Diagnostic::warning(
                    Code::BreakGlassKind,
                    format!(
                        "break-glass id {shown} is listed in neither `users:` nor `groups:` of {}, so it is checked as both a user with that id and a member of a group with that id",
                        if tenant.is_some_and(|t| !t.specs_only) { "the tenant file" } else { "a tenant file (none was loaded)" }
                    ),
                )
                .with_help(format!(
                    "list it in tenant.yaml, under `users:` (`<name>: {id}`) or `groups:`, so it is checked as what it is"
                )),
            ),
        ),
    }
}

/// Calls `f(kind, pointer, value)` for every reference in a policy, with the
/// JSON pointer of the value in the spec file.
pub fn for_each_reference(policy: &mut Policy, mut f: impl FnMut(Kind, String, &mut String)) {
    fn each(
        f: &mut impl FnMut(Kind, String, &mut String),
        kind: Kind,
        base: &str,
        values: &mut [String],
    ) {
        for (i, v) in values.iter_mut().enumerate() {
            f(kind, format!("{base}/{i}"), v);
        }
    }
    let f = &mut f;
    // Every struct is destructured with each field named and no `..`: a
    // property added to the model fails to compile here until someone
    // decides whether it holds a reference to resolve.
    let Policy {
        // Free text, the live id (a GUID kept as written) and enums: no names.
        display_name: _,
        description: _,
        id: _,
        state: _,
        users,
        client_applications,
        applications,
        client_app_types: _,
        platforms: _,
        locations,
        // A device filter is a rule over device attributes, not a reference.
        devices: _,
        sign_in_risk_levels: _,
        user_risk_levels: _,
        service_principal_risk_levels: _,
        insider_risk_levels: _,
        agent_id_risk_levels: _,
        authentication_flows: _,
        grant,
        // Session controls hold settings, not directory objects (the
        // Global Secure Access profile is an id sent as written).
        session: _,
        // caac metadata, never sent to Graph: the pilot group and the
        // exclusion notes' principals are matched by the rollout and
        // governance code, not compiled.
        rollout: _,
        exclusions: _,
        // Raw Graph JSON, sent as written.
        passthrough: _,
    } = policy;
    if let Some(Users { include, exclude }) = users {
        for (side, set) in [("include", include), ("exclude", exclude)] {
            if let Some(UserSet {
                users,
                groups,
                roles,
                guests_or_external_users,
            }) = set
            {
                each(f, Kind::User, &format!("/users/{side}/users"), users);
                each(f, Kind::Group, &format!("/users/{side}/groups"), groups);
                each(f, Kind::Role, &format!("/users/{side}/roles"), roles);
                if let Some(GuestsOrExternalUsers { types: _, tenants }) = guests_or_external_users
                {
                    let base = format!("/users/{side}/guestsOrExternalUsers/tenants");
                    // `All` here means every external tenant; compile turns it into
                    // conditionalAccessAllExternalTenants.
                    for (i, t) in tenants.iter_mut().enumerate() {
                        if t.eq_ignore_ascii_case("all") {
                            *t = "All".into();
                        } else {
                            f(Kind::ExternalTenant, format!("{base}/{i}"), t);
                        }
                    }
                }
            }
        }
    }
    if let Some(Applications {
        include,
        exclude,
        user_actions,
        authentication_contexts,
        // A rule over custom security attributes, not a reference.
        filter: _,
    }) = applications
    {
        each(f, Kind::Application, "/applications/include", include);
        each(f, Kind::Application, "/applications/exclude", exclude);
        each(
            f,
            Kind::UserAction,
            "/applications/userActions",
            user_actions,
        );
        each(
            f,
            Kind::AuthenticationContext,
            "/applications/authenticationContexts",
            authentication_contexts,
        );
    }
    if let Some(ClientApplications {
        include,
        exclude,
        filter: _,
        agent_ids,
    }) = client_applications
    {
        each(
            f,
            Kind::ServicePrincipal,
            "/clientApplications/include",
            include,
        );
        each(
            f,
            Kind::ServicePrincipal,
            "/clientApplications/exclude",
            exclude,
        );
        if let Some(AgentIds {
            include,
            exclude,
            filter: _,
        }) = agent_ids
        {
            each(
                f,
                Kind::ServicePrincipal,
                "/clientApplications/agentIds/include",
                include,
            );
            each(
                f,
                Kind::ServicePrincipal,
                "/clientApplications/agentIds/exclude",
                exclude,
            );
        }
    }
    if let Some(Locations { include, exclude }) = locations {
        each(f, Kind::Location, "/locations/include", include);
        each(f, Kind::Location, "/locations/exclude", exclude);
    }
    if let Some(Grant {
        operator: _,
        built_in_controls: _,
        authentication_strength,
        terms_of_use,
        // Custom control ids are sent as written (preview feature).
        custom_authentication_factors: _,
    }) = grant
    {
        if let Some(s) = authentication_strength {
            f(
                Kind::AuthenticationStrength,
                "/grant/authenticationStrength".into(),
                s,
            );
        }
        each(f, Kind::TermsOfUse, "/grant/termsOfUse", terms_of_use);
    }
}

/// True for a canonical 8-4-4-4-12 hex GUID (any case).
pub fn is_guid(s: &str) -> bool {
    guid_shaped(s) && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

/// 36 characters with dashes where a GUID has them.
fn guid_shaped(s: &str) -> bool {
    s.len() == 36
        && s.char_indices()
            .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'))
}

/// Values that are clearly template placeholders, not names.
fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    (t.starts_with('<') && t.ends_with('>'))
        || (t.len() > 2 && t.starts_with('%') && t.ends_with('%'))
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The code of a reference whose tenant-file entry holds an invalid id.
pub const INVALID_TENANT_ID: &str = Code::InvalidTenantId.as_str();

/// Resolves one value of `kind`.
pub fn resolve_value(
    kind: Kind,
    value: &str,
    tenant: Option<&Tenant>,
) -> Result<String, Diagnostic> {
    if let Some(k) = catalog::keyword(kind, value) {
        return Ok(k.to_owned());
    }
    if guid_shaped(value) {
        return if is_guid(value) {
            Ok(value.to_ascii_lowercase())
        } else {
            Err(Diagnostic::error(
                Code::MalformedGuid,
                format!("`{value}` is shaped like a GUID but is not hexadecimal"),
            )
            .with_help(format!(
                "write the {}'s object id (8-4-4-4-12 hex digits) or its name",
                kind.noun()
            )))
        };
    }
    if let Some(e) = catalog::find_by_id(kind, value) {
        return Ok(e.id.to_owned());
    }
    if kind == Kind::AuthenticationContext && is_context_id(value) {
        return Ok(value.to_ascii_lowercase());
    }
    // Names: built-in catalog, then the tenant file; exact spelling wins over
    // case/whitespace-insensitive matches.
    let mut ids: Vec<(String, String)> = catalog::find_by_name(kind, value)
        .into_iter()
        .map(|e| (e.name.to_owned(), e.id.to_owned()))
        .collect();
    if let Some(names) = tenant.and_then(|t| t.names(kind)) {
        if let Some(id) = names.get(value) {
            ids = vec![(value.to_owned(), id.id().to_owned())];
        } else {
            let folded = fold(value);
            ids.extend(
                names
                    .iter()
                    .filter(|(n, _)| fold(n) == folded)
                    .map(|(n, id)| (n.clone(), id.id().to_owned())),
            );
        }
    }
    ids.sort();
    ids.dedup_by(|a, b| a.1.eq_ignore_ascii_case(&b.1));
    match ids.len() {
        1 => {
            let id = ids.remove(0).1;
            if kind == Kind::UserAction
                || (kind == Kind::AuthenticationContext && is_context_id(&id))
            {
                Ok(id)
            } else if kind != Kind::AuthenticationContext && is_guid(&id) {
                Ok(id.to_ascii_lowercase())
            } else {
                // Reported once, at the id in the tenant file
                // (`Tenant::id_errors`); callers drop this copy by its code.
                Err(Diagnostic::error(
                    INVALID_TENANT_ID,
                    format!("`{value}` maps to `{id}` in the tenant file, which is not a valid id"),
                )
                .with_help("fix the id in tenant.yaml"))
            }
        }
        0 => Err(unknown(kind, value, tenant)),
        _ => Err(Diagnostic::error(
            Code::AmbiguousName,
            format!(
                "{} name `{value}` is ambiguous: {}",
                kind.noun(),
                ids.iter()
                    .map(|(n, id)| format!("`{n}` ({id})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_help("write the exact name as spelled in the tenant file, or the id")),
    }
}

/// True for an authentication context id, `c1` … `c99`.
pub fn is_context_id(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower
        .strip_prefix('c')
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=99).contains(&n) && !lower[1..].starts_with('0'))
}

/// The built-in names of `kind`: its keywords, then the catalog's names and aliases.
fn builtin_names(kind: Kind) -> Vec<&'static str> {
    let mut names: Vec<&str> = catalog::keywords(kind).to_vec();
    for e in catalog::entries(kind) {
        names.push(e.name);
        names.extend(e.aliases);
    }
    names
}

/// The built-in name (keyword or catalog entry) `value` is a near miss of,
/// if any: a misspelling of a name caac knows without any tenant file.
pub fn builtin_suggestion(kind: Kind, value: &str) -> Option<&'static str> {
    did_you_mean(value, builtin_names(kind))
}

/// The did-you-mean sentence for `value`, an unknown `kind` name at
/// `pointer` in `policy`, from the built-in names alone and never naming a
/// value a rule forbids in that place ("did you mean `Office 365 Exchange
/// Online` and …? a Token Protection policy …"); `None` without a near
/// miss. For the caller that cannot consult the tenant file (it did not
/// load).
pub fn builtin_did_you_mean(
    policy: &Policy,
    kind: Kind,
    pointer: &str,
    value: &str,
) -> Option<String> {
    did_you_mean_in(value, &builtin_names(kind), place_of(policy, kind, pointer)).map(|(s, _)| s)
}

/// Where `pointer` sits in `policy`, as far as a did-you-mean cares.
fn place_of(policy: &Policy, kind: Kind, pointer: &str) -> Place {
    if kind == Kind::Application
        && pointer.starts_with("/applications/include/")
        && policy.token_protection()
    {
        Place::TokenProtectionResource
    } else {
        Place::Any
    }
}

/// Where an unresolved reference sits, as far as its did-you-mean cares: a
/// suggestion must be a value the rules allow in that place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Anywhere: every known name is a candidate.
    Any,
    /// `applications.include` of a policy with `session.tokenProtection:
    /// true`. Token Protection supports only listed resources, and Microsoft
    /// warns not to select the Office 365 app group
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>,
    /// <https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-windows>;
    /// rules CA401, CA402). Only Exchange Online and SharePoint Online are
    /// allowed in every configuration (`.caac.yaml` may opt more in, which
    /// resolution does not see), so only they are suggested.
    TokenProtectionResource,
}

fn unknown(kind: Kind, value: &str, tenant: Option<&Tenant>) -> Diagnostic {
    unknown_in(kind, value, tenant, Place::Any)
}

/// The names of the resources every configuration allows in a Token
/// Protection policy (Exchange Online, SharePoint Online).
fn token_protection_names() -> Vec<&'static str> {
    crate::config::TP_DEFAULT_RESOURCES
        .iter()
        .filter_map(|id| catalog::find_by_id(Kind::Application, id))
        .map(|e| e.name)
        .collect()
}

fn unknown_in(kind: Kind, value: &str, tenant: Option<&Tenant>, place: Place) -> Diagnostic {
    let mut candidates: Vec<&str> = builtin_names(kind);
    if let Some(names) = tenant.and_then(|t| t.names(kind)) {
        candidates.extend(names.keys().map(String::as_str));
    }
    let noun = kind.noun();
    let message = if is_placeholder(value) {
        format!("`{value}` is a template placeholder, not a {noun}")
    } else {
        format!("unknown {noun} `{value}`")
    };
    // A tenant built from location and strength specs alone is no file.
    let mut help = match (Tenant::section(kind), tenant.filter(|t| !t.specs_only)) {
        (Some(section), Some(_)) => {
            format!(
                "add `{value}: <object id>` under `{section}:` in the tenant file, or write the id"
            )
        }
        (Some(section), None) => format!(
            "{noun} names resolve through a tenant file (--tenant tenant.yaml, section `{section}:`); or write the id"
        ),
        (None, _) => format!("write a built-in {noun} name or its id"),
    };
    // Named locations and custom strengths may also be specs of their own
    // (crate::objects).
    let spec_dir = match kind {
        Kind::Location => Some(crate::objects::DEFAULT_LOCATIONS),
        Kind::AuthenticationStrength => Some(crate::objects::DEFAULT_STRENGTHS),
        _ => None,
    };
    if let Some(dir) = spec_dir {
        help = format!("{help}; or define it in a spec file in `{dir}/`");
    }
    match did_you_mean_in(value, &candidates, place) {
        // A suggestion of an allowed name keeps the how-to after it; one
        // that names the allowed resources instead says why, nothing more.
        Some((s, false)) => help = format!("{s} {help}"),
        Some((s, true)) => help = s,
        None => {}
    }
    Diagnostic::error(Code::UnknownName, message).with_help(help)
}

/// The did-you-mean sentence for `value` among `candidates` in `place`,
/// and whether it stands alone (it says why instead of a how-to). In a
/// Token Protection resource list, a near miss of a name Token Protection
/// forbids there names the resources it does allow, and why.
fn did_you_mean_in(value: &str, candidates: &[&str], place: Place) -> Option<(String, bool)> {
    let nearest = did_you_mean(value, candidates.iter().copied());
    match place {
        Place::Any => nearest.map(|s| (format!("did you mean `{s}`?"), false)),
        Place::TokenProtectionResource => {
            let allowed = token_protection_names();
            if let Some(s) = did_you_mean(value, allowed.iter().copied()) {
                return Some((format!("did you mean `{s}`?"), false));
            }
            let s = nearest?;
            let list: Vec<String> = allowed.iter().map(|n| format!("`{n}`")).collect();
            let why = if s == "Office365" || s == "All" {
                format!(
                    "a Token Protection policy lists its resources one by one, never the `{s}` {} (CA402)",
                    if s == "All" { "resources" } else { "app group" }
                )
            } else {
                format!("`{s}` does not support Token Protection (CA401)")
            };
            Some((format!("did you mean {}? {why}", list.join(" and ")), true))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        let mut t = Tenant::default();
        t.groups.insert(
            "Emergency Access".into(),
            "AAAAAAAA-0000-0000-0000-000000000001".into(),
        );
        t.groups.insert(
            "Pilot".into(),
            "aaaaaaaa-0000-0000-0000-000000000002".into(),
        );
        t.authentication_contexts
            .insert("Sensitive".into(), "c3".into());
        t
    }

    fn help_for(yaml: &str) -> Vec<String> {
        let p = crate::test_support::from_yaml(yaml);
        let (_, diags) = resolve(&p, Some(&tenant()));
        diags
            .into_iter()
            .filter(|d| d.is(Code::UnknownName))
            .map(|d| d.help.unwrap_or_default())
            .collect()
    }

    /// `Office 365` is a near miss of the `Office365` group, which CA402
    /// forbids in a Token Protection policy: the did-you-mean names the
    /// resources Token Protection supports instead. Elsewhere it still
    /// suggests `Office365`.
    #[test]
    fn did_you_mean_never_suggests_what_token_protection_forbids() {
        let tp = "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [Office 365, Office 365 Exchange Onlin, Azure portl] }\nsession: { tokenProtection: true }\n";
        let helps = help_for(tp);
        assert_eq!(helps.len(), 3, "{helps:?}");
        assert!(
            helps[0].starts_with("did you mean `Office 365 Exchange Online` and `Office 365 SharePoint Online`? a Token Protection policy lists its resources one by one, never the `Office365` app group (CA402)"),
            "{}",
            helps[0]
        );
        assert!(!helps[0].contains("`Office365`?"), "{}", helps[0]);
        assert!(
            helps[1].starts_with("did you mean `Office 365 Exchange Online`? "),
            "{}",
            helps[1]
        );
        assert!(
            helps[2].starts_with("did you mean `Office 365 Exchange Online` and `Office 365 SharePoint Online`? `Azure portal` does not support Token Protection (CA401)"),
            "{}",
            helps[2]
        );
        // Excluding the group is allowed: the usual suggestion stands.
        let excluded = tp.replace(
            "include: [Office 365, Office 365 Exchange Onlin, Azure portl] }",
            "include: [All], exclude: [Office 365] }",
        );
        assert!(help_for(&excluded)[0].starts_with("did you mean `Office365`? "));
        let plain = tp.replace(
            "session: { tokenProtection: true }\n",
            "grant: { builtInControls: [mfa] }\n",
        );
        assert!(help_for(&plain)[0].starts_with("did you mean `Office365`? "));
    }

    #[test]
    fn names_keywords_and_guids() {
        let t = tenant();
        assert_eq!(
            resolve_value(Kind::Group, "emergency  access", Some(&t)).unwrap(),
            "aaaaaaaa-0000-0000-0000-000000000001"
        );
        assert_eq!(
            resolve_value(Kind::Application, "Office 365 Exchange Online", None).unwrap(),
            "00000002-0000-0ff1-ce00-000000000000"
        );
        assert_eq!(
            resolve_value(Kind::Application, "office365", None).unwrap(),
            "Office365"
        );
        assert_eq!(resolve_value(Kind::User, "all", None).unwrap(), "All");
        assert_eq!(
            resolve_value(Kind::Group, "ABCDEF00-0000-0000-0000-000000000000", None).unwrap(),
            "abcdef00-0000-0000-0000-000000000000"
        );
        assert_eq!(
            resolve_value(Kind::AuthenticationContext, "Sensitive", Some(&t)).unwrap(),
            "c3"
        );
        assert_eq!(
            resolve_value(Kind::AuthenticationContext, "C12", None).unwrap(),
            "c12"
        );
        assert_eq!(
            resolve_value(Kind::Role, "Global Administrator", None).unwrap(),
            "62e90394-69f5-4237-9190-012177145e10"
        );
    }

    #[test]
    fn fails_closed_with_suggestions() {
        let t = tenant();
        let d = resolve_value(Kind::Group, "Emergency Acess", Some(&t)).unwrap_err();
        assert_eq!(d.code, "unknown-name");
        assert!(
            d.help
                .unwrap()
                .starts_with("did you mean `Emergency Access`?")
        );
        let d = resolve_value(
            Kind::Group,
            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
            Some(&t),
        )
        .unwrap_err();
        assert_eq!(d.code, "malformed-guid");
        let d = resolve_value(Kind::Group, "<EmergencyAccessAccountsGroup>", Some(&t)).unwrap_err();
        assert!(d.message.contains("placeholder"));
        let d = resolve_value(Kind::Group, "Pilot", None).unwrap_err();
        assert!(d.help.unwrap().contains("--tenant"));
        assert!(resolve_value(Kind::AuthenticationContext, "c100", None).is_err());
    }

    #[test]
    fn builtin_suggestions_know_no_tenant_names() {
        assert_eq!(
            builtin_suggestion(Kind::Application, "Office 365 Exchange Onlin"),
            Some("Office 365 Exchange Online")
        );
        assert_eq!(
            builtin_suggestion(Kind::Location, "AllTrustd"),
            Some("AllTrusted")
        );
        assert_eq!(builtin_suggestion(Kind::Group, "Pilto"), None);
        assert_eq!(builtin_suggestion(Kind::Application, "Contoso HR"), None);
    }

    #[test]
    fn ambiguous_names() {
        let mut t = tenant();
        t.groups.insert(
            "pilot".into(),
            "aaaaaaaa-0000-0000-0000-000000000003".into(),
        );
        assert!(
            resolve_value(Kind::Group, "Pilot", Some(&t)).is_ok(),
            "exact spelling wins"
        );
        let d = resolve_value(Kind::Group, "PILOT", Some(&t)).unwrap_err();
        assert_eq!(d.code, "ambiguous-name");
    }
}
