//! Wording one policy in plain English for `caac report` ([`sentence`]).
//!
//! Contract: names, never GUIDs (the caller turns ids back into names
//! first); every property of the model is named in [`sentence`] (no `..`),
//! so a new one breaks the build here until the sentence says it.

use super::{LIST_MAX, Part, Sentence};
use crate::catalog::Kind;
use crate::model::{
    BuiltInControl, ClientAppType, FilterMode, Operator, Platform, Policy, RiskLevel, State, Tenant,
};
use crate::whatif::matrix;

fn text(s: impl Into<String>) -> Part {
    Part::Text(s.into())
}

/// "a", "a or b", "a, b or c" as parts (names emphasised).
fn list(names: &[String], conj: &str) -> Vec<Part> {
    let mut out = Vec::new();
    // Long lists (CA002's nineteen admin roles) would drown the sentence.
    if names.len() > LIST_MAX {
        for n in &names[..LIST_MAX - 1] {
            out.push(Part::Name(n.clone()));
            out.push(text(", "));
        }
        out.push(text(format!(
            "{} {conj} {} more",
            "",
            names.len() - (LIST_MAX - 1)
        )));
        // "A, B, C, D, and 15 more": drop the doubled space.
        if let Some(Part::Text(t)) = out.last_mut() {
            *t = t.trim_start().to_owned();
        }
        return out;
    }
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(text(if i + 1 == names.len() {
                format!(" {conj} ")
            } else {
                ", ".to_owned()
            }));
        }
        out.push(Part::Name(n.clone()));
    }
    out
}

/// Plain words joined like [`list`], without emphasis.
fn words(items: &[String], conj: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} {conj} {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

pub(super) fn platform_word(p: Platform) -> &'static str {
    match p {
        Platform::Android => "Android",
        Platform::IOS => "iOS",
        Platform::Windows => "Windows",
        Platform::WindowsPhone => "Windows Phone",
        Platform::MacOS => "macOS",
        Platform::Linux => "Linux",
        Platform::All => "any platform",
    }
}

fn client_word(c: ClientAppType) -> &'static str {
    match c {
        ClientAppType::All => "any client",
        ClientAppType::Browser => "a browser",
        ClientAppType::MobileAppsAndDesktopClients => "desktop and mobile apps",
        ClientAppType::ExchangeActiveSync => "Exchange ActiveSync",
        ClientAppType::EasSupported => "Exchange ActiveSync",
        ClientAppType::Other => "other (legacy) clients",
    }
}

fn control_word(c: BuiltInControl) -> &'static str {
    match c {
        BuiltInControl::Block => "block",
        BuiltInControl::Mfa => "multifactor authentication",
        BuiltInControl::CompliantDevice => "a compliant device",
        BuiltInControl::DomainJoinedDevice => "a hybrid-joined device",
        BuiltInControl::ApprovedApplication => "an approved client app",
        BuiltInControl::CompliantApplication => "an app protection policy",
        BuiltInControl::PasswordChange => "a password change",
        BuiltInControl::RiskRemediation => "risk remediation",
        BuiltInControl::VerifiedId => "a Verified ID",
    }
}

pub(super) fn control_short(c: BuiltInControl) -> &'static str {
    match c {
        BuiltInControl::Block => "Block",
        BuiltInControl::Mfa => "MFA",
        BuiltInControl::CompliantDevice => "compliant device",
        BuiltInControl::DomainJoinedDevice => "hybrid-joined device",
        BuiltInControl::ApprovedApplication => "approved app",
        BuiltInControl::CompliantApplication => "app protection",
        BuiltInControl::PasswordChange => "password change",
        BuiltInControl::RiskRemediation => "risk remediation",
        BuiltInControl::VerifiedId => "Verified ID",
    }
}

pub(super) fn keyword_user(v: &str) -> Option<&'static str> {
    match v {
        "All" => Some("all users"),
        "None" => Some("nobody"),
        "GuestsOrExternalUsers" => Some("guests and external users"),
        "AllAgentIdUsers" => Some("all agent users"),
        _ => None,
    }
}

pub(super) fn keyword_app(v: &str) -> Option<&'static str> {
    match v {
        "All" => Some("any application"),
        "None" => Some("no application"),
        "Office365" => Some("Office 365"),
        "MicrosoftAdminPortals" => Some("the Microsoft admin portals"),
        "AllAgentIdResources" => Some("any agent resource"),
        _ => None,
    }
}

/// Who a user set names, as parts ("members of *G*", "*alice*", "all users").
fn who(set: &crate::model::UserSet) -> (Vec<Part>, usize) {
    let mut groups: Vec<Vec<Part>> = Vec::new();
    let mut n = 0;
    let (kw, named): (Vec<&String>, Vec<&String>) =
        set.users.iter().partition(|u| keyword_user(u).is_some());
    for k in kw {
        groups.push(vec![text(keyword_user(k).unwrap_or_default())]);
        n += 2;
    }
    if !named.is_empty() {
        n += named.len();
        groups.push(list(
            &named.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "and",
        ));
    }
    if !set.groups.is_empty() {
        n += 2;
        let mut p = vec![text("members of ")];
        p.extend(list(&set.groups, "or"));
        groups.push(p);
    }
    if !set.roles.is_empty() {
        n += 2;
        let mut p = vec![text("holders of the ")];
        p.extend(list(&set.roles, "or"));
        p.push(text(if set.roles.len() == 1 {
            " role"
        } else {
            " roles"
        }));
        groups.push(p);
    }
    if let Some(g) = &set.guests_or_external_users {
        n += 2;
        let kinds: Vec<String> = g.types.iter().map(|t| guest_word(t.as_str())).collect();
        let every = crate::model::GuestOrExternalUserType::ALL.len();
        groups.push(vec![text(if kinds.is_empty() || g.types.len() >= every {
            "guests and external users".to_owned()
        } else {
            words(&kinds, "and")
        })]);
    }
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        if i > 0 {
            out.push(text(if i + 1 == groups.len() { " and " } else { ", " }));
        }
        out.extend(g.iter().cloned());
    }
    (out, n)
}

pub(super) fn guest_word(wire: &str) -> String {
    match wire {
        "internalGuest" => "internal guests",
        "b2bCollaborationGuest" => "B2B collaboration guests",
        "b2bCollaborationMember" => "B2B collaboration members",
        "b2bDirectConnectUser" => "B2B direct connect users",
        "otherExternalUser" => "other external users",
        "serviceProvider" => "service provider users",
        other => other,
    }
    .to_owned()
}

/// " (only applications whose attributes match `rule`)".
fn filter_parts(s: &mut Sentence, f: &crate::model::Filter, what: &str) {
    s.push(text(format!(
        " ({} {what} whose attributes match ",
        if f.mode == FilterMode::Include {
            "only"
        } else {
            "except"
        }
    )));
    s.push(Part::Code(f.rule.clone()));
    s.push(text(")"));
}

/// The plain-English sentence for one policy (names already unresolved).
///
/// Every property of the model is named below (no `..`): adding one to
/// [`Policy`] (or to its grant, session, applications or workload
/// identities) breaks the build here until the sentence says it.
pub fn sentence(p: &Policy, tenant: Option<&Tenant>) -> Sentence {
    let Policy {
        // Identity and description: the report's row heading, not the sentence.
        display_name: _,
        description: _,
        id: _,
        state,
        users,
        client_applications,
        applications,
        client_app_types,
        platforms,
        locations,
        devices,
        sign_in_risk_levels,
        user_risk_levels,
        service_principal_risk_levels,
        insider_risk_levels,
        agent_id_risk_levels,
        authentication_flows,
        grant,
        session,
        // caac metadata: the stage already decided `state`; exclusion
        // records have their own table in the report.
        rollout: _,
        exclusions: _,
        passthrough,
    } = p;
    let mut s: Sentence = Vec::new();
    // What it does.
    let grant = grant.as_ref();
    let session_controls = session.as_ref();
    let blocks = grant.is_some_and(|g| g.built_in_controls.contains(&BuiltInControl::Block));
    let mut requires: Vec<Vec<Part>> = Vec::new();
    if let Some(g) = grant.filter(|_| !blocks) {
        let crate::model::Grant {
            operator,
            built_in_controls,
            authentication_strength,
            terms_of_use,
            custom_authentication_factors,
        } = g;
        let mut items: Vec<Vec<Part>> = built_in_controls
            .iter()
            .map(|c| vec![text(control_word(*c))])
            .collect();
        if let Some(a) = authentication_strength {
            let name = matrix::name_of(Kind::AuthenticationStrength, a, tenant);
            // "Multifactor authentication" and "Phishing-resistant MFA" say
            // what they are; a custom strength's name may not.
            let l = name.to_ascii_lowercase();
            if l.contains("mfa") || l.contains("authentication") {
                items.push(vec![Part::Name(name)]);
            } else {
                items.push(vec![
                    text("the "),
                    Part::Name(name),
                    text(" authentication strength"),
                ]);
            }
        }
        for t in terms_of_use {
            items.push(vec![
                text("accepting the terms of use "),
                Part::Name(t.clone()),
            ]);
        }
        for c in custom_authentication_factors {
            items.push(vec![text("the custom control "), Part::Name(c.clone())]);
        }
        let conj = if *operator == Operator::Or && items.len() > 1 {
            " or "
        } else {
            " and "
        };
        let mut joined = Vec::new();
        if *operator == Operator::Or && items.len() > 1 {
            joined.push(text("one of "));
        }
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                joined.push(text(if i + 1 == items.len() { conj } else { ", " }));
            }
            joined.extend(it.iter().cloned());
        }
        if !items.is_empty() {
            requires.push(joined);
        }
    }
    let mut session: Vec<String> = Vec::new();
    if let Some(se) = session_controls {
        let crate::model::Session {
            token_protection,
            sign_in_frequency,
            persistent_browser,
            application_enforced_restrictions,
            cloud_app_security,
            continuous_access_evaluation,
            disable_resilience_defaults,
            global_secure_access_filtering_profile,
        } = se;
        if *token_protection {
            session.push("token protection (sign-in sessions bound to the device)".into());
        }
        if let Some(f) = sign_in_frequency {
            if f.frequency_interval == Some(crate::model::SignInFrequencyInterval::EveryTime) {
                session.push("a fresh sign-in every time".into());
            } else if let (Some(v), Some(k)) = (f.value, f.kind) {
                let unit = k.as_str().trim_end_matches('s');
                session.push(if v == 1 {
                    format!("a new sign-in every {unit}")
                } else {
                    format!("a new sign-in every {v} {unit}s")
                });
            }
        }
        match persistent_browser {
            Some(crate::model::PersistentBrowserMode::Never) => {
                session.push("no persistent browser session".into());
            }
            Some(crate::model::PersistentBrowserMode::Always) => {
                session.push("persistent browser sessions".into());
            }
            None => {}
        }
        if *application_enforced_restrictions {
            session.push("app-enforced restrictions".into());
        }
        if let Some(c) = cloud_app_security {
            session.push(format!(
                "Defender for Cloud Apps session control ({})",
                c.as_str()
            ));
        }
        if let Some(c) = continuous_access_evaluation {
            session.push(format!("continuous access evaluation: {}", c.as_str()));
        }
        if *disable_resilience_defaults {
            session.push("no resilience defaults".into());
        }
        if let Some(id) = global_secure_access_filtering_profile {
            session.push(format!("the Global Secure Access filtering profile {id}"));
        }
    }
    if blocks {
        s.push(text("Blocks access"));
    } else if requires.is_empty() && session.is_empty() {
        s.push(text("Records (no control)"));
    } else {
        s.push(text("Requires "));
        for (i, r) in requires.iter().enumerate() {
            if i > 0 {
                s.push(text(" and "));
            }
            s.extend(r.iter().cloned());
        }
        if !session.is_empty() {
            if !requires.is_empty() {
                s.push(text(", with "));
            }
            s.push(text(words(&session, "and")));
            if !requires.is_empty() {
                s.push(text(","));
            }
        }
    }
    // Who.
    s.push(text(" when "));
    let (inc, n) = users
        .as_ref()
        .and_then(|u| u.include.as_ref())
        .map(who)
        .unwrap_or_else(|| (vec![text("nobody")], 2));
    let (inc, n) = if inc.is_empty() {
        (vec![text("nobody")], 2)
    } else {
        (inc, n)
    };
    s.extend(inc);
    if let Some(ex) = users.as_ref().and_then(|u| u.exclude.as_ref()) {
        let (parts, _) = who(ex);
        if !parts.is_empty() {
            s.push(text(", except "));
            s.extend(parts);
            s.push(text(","));
        }
    }
    if let Some(ca) = client_applications {
        let crate::model::ClientApplications {
            include,
            exclude,
            filter,
            agent_ids,
        } = ca;
        if !include.is_empty() {
            s.push(text(if n > 0 {
                " or the workload identities "
            } else {
                ""
            }));
            s.extend(list(include, "and"));
            if !exclude.is_empty() {
                s.push(text(" (other than "));
                s.extend(list(exclude, "and"));
                s.push(text(")"));
            }
            if let Some(f) = filter {
                filter_parts(&mut s, f, "service principals");
            }
        }
        if let Some(crate::model::AgentIds {
            include,
            exclude,
            filter,
        }) = agent_ids
            && !include.is_empty()
        {
            s.push(text(" or the agent identities "));
            s.extend(list(include, "and"));
            if !exclude.is_empty() {
                s.push(text(" (other than "));
                s.extend(list(exclude, "and"));
                s.push(text(")"));
            }
            if let Some(f) = filter {
                filter_parts(&mut s, f, "agents");
            }
        }
    }
    s.push(text(if n == 1 { " uses " } else { " use " }));
    // What.
    let apps = applications.as_ref();
    let mut targets: Vec<Vec<Part>> = Vec::new();
    if let Some(a) = apps {
        let (kw, named): (Vec<&String>, Vec<&String>) =
            a.include.iter().partition(|v| keyword_app(v).is_some());
        for k in kw {
            targets.push(vec![text(keyword_app(k).unwrap_or_default())]);
        }
        if !named.is_empty() {
            targets.push(list(
                &named.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "or",
            ));
        }
        for ua in &a.user_actions {
            targets.push(vec![text(match ua.as_str() {
                "registerSecurityInfo"
                | "registerSecurityInformation"
                | "urn:user:registersecurityinfo" => {
                    "the security-info registration page".to_owned()
                }
                "registerDevice" | "registerOrJoinDevices" | "urn:user:registerdevice" => {
                    "device registration or join".to_owned()
                }
                other => format!("the user action {other}"),
            })]);
        }
        for c in &a.authentication_contexts {
            targets.push(vec![
                text("the authentication context "),
                Part::Name(c.clone()),
            ]);
        }
    }
    if targets.is_empty() {
        targets.push(vec![text("no application")]);
    }
    for (i, t) in targets.iter().enumerate() {
        if i > 0 {
            s.push(text(" or "));
        }
        s.extend(t.iter().cloned());
    }
    if let Some(a) = apps
        && !a.exclude.is_empty()
    {
        s.push(text(" (other than "));
        s.extend(list(&a.exclude, "and"));
        s.push(text(")"));
    }
    if let Some(f) = apps.and_then(|a| a.filter.as_ref()) {
        filter_parts(&mut s, f, "applications");
    }
    // Conditions.
    if let Some(pl) = platforms {
        let inc: Vec<String> = pl
            .include
            .iter()
            .map(|p| platform_word(*p).into())
            .collect();
        if !inc.is_empty() && !pl.include.contains(&Platform::All) {
            s.push(text(format!(" from {}", words(&inc, "or"))));
        } else if !inc.is_empty() && !pl.exclude.is_empty() {
            s.push(text(" from any platform"));
        }
        if !pl.exclude.is_empty() {
            let ex: Vec<String> = pl
                .exclude
                .iter()
                .map(|p| platform_word(*p).into())
                .collect();
            s.push(text(format!(" except {}", words(&ex, "or"))));
        }
    }
    if !client_app_types.is_empty() && !client_app_types.contains(&ClientAppType::All) {
        let cs: Vec<String> = client_app_types
            .iter()
            .map(|c| client_word(*c).to_owned())
            .collect();
        let mut cs = cs;
        cs.dedup();
        s.push(text(format!(" with {}", words(&cs, "or"))));
    }
    if let Some(l) = locations {
        let name = |v: &String| match v.as_str() {
            "All" => "any location".to_owned(),
            "AllTrusted" => "trusted locations".to_owned(),
            other => other.to_owned(),
        };
        // "from any location except from X" reads as "except from X".
        let any_but = l.include == ["All"] && !l.exclude.is_empty();
        if !l.include.is_empty() && !any_but {
            s.push(text(" from "));
            s.extend(list(&l.include.iter().map(name).collect::<Vec<_>>(), "or"));
        }
        if !l.exclude.is_empty() {
            s.push(text(" except from "));
            s.extend(list(&l.exclude.iter().map(name).collect::<Vec<_>>(), "or"));
        }
    }
    let risk = |levels: &[RiskLevel]| -> Vec<String> {
        levels.iter().map(|r| r.as_str().to_owned()).collect()
    };
    let wire =
        |levels: Vec<&str>| -> Vec<String> { levels.into_iter().map(str::to_owned).collect() };
    for (levels, what) in [
        (risk(sign_in_risk_levels), "sign-in risk"),
        (risk(user_risk_levels), "user risk"),
        (
            wire(
                service_principal_risk_levels
                    .iter()
                    .map(|r| r.as_str())
                    .collect(),
            ),
            "service principal risk",
        ),
        (
            wire(insider_risk_levels.iter().map(|r| r.as_str()).collect()),
            "insider risk",
        ),
        (
            wire(agent_id_risk_levels.iter().map(|r| r.as_str()).collect()),
            "agent risk",
        ),
    ] {
        if !levels.is_empty() {
            s.push(text(format!(" at {} {what}", words(&levels, "or"))));
        }
    }
    if !authentication_flows.is_empty() {
        let fl: Vec<String> = authentication_flows
            .iter()
            .map(|f| match f.as_str() {
                "deviceCodeFlow" => "device code flow".to_owned(),
                "authenticationTransfer" => "authentication transfer".to_owned(),
                o => o.to_owned(),
            })
            .collect();
        s.push(text(format!(" through {}", words(&fl, "or"))));
    }
    if let Some(crate::model::Devices { filter: Some(f) }) = devices {
        s.push(text(format!(
            " {} devices matching ",
            if f.mode == FilterMode::Include {
                "on"
            } else {
                "except on"
            }
        )));
        s.push(Part::Code(f.rule.clone()));
    }
    if let Some(pt) = passthrough
        && !pt.is_empty()
    {
        let keys: Vec<String> = pt.keys().cloned().collect();
        s.push(text(format!(
            ", plus Graph properties caac does not describe ({})",
            keys.join(", ")
        )));
    }
    s.push(text(format!(
        " — {}.",
        match state {
            State::Enabled => "enforced",
            State::Disabled => "off",
            _ => "report-only",
        }
    )));
    // Tidy: ", except X, use" is fine; ", use" after the comma of an exclusion
    // list already reads right. Merge adjacent texts for stable rendering.
    let mut merged: Sentence = Vec::new();
    for part in s {
        match (merged.last_mut(), part) {
            (Some(Part::Text(a)), Part::Text(b)) => a.push_str(&b),
            (_, part) => merged.push(part),
        }
    }
    merged
}

/// The sentence as plain text (names unmarked), for tests and logs.
pub fn plain(s: &Sentence) -> String {
    s.iter()
        .map(|p| match p {
            Part::Text(t) | Part::Name(t) | Part::Code(t) => t.as_str(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escape;
    use crate::report::render::{sentence_html, sentence_md};

    fn policy(yaml: &str) -> Policy {
        crate::test_support::from_yaml(yaml)
    }

    #[test]
    fn the_token_protection_sentence_reads_like_the_issue() {
        let p = policy(
            "displayName: CA410\nusers: { include: { groups: [Token Protection Pilot] }, exclude: { groups: [Emergency Access] } }\n\
             applications: { include: [Office 365 Exchange Online, Office 365 SharePoint Online] }\n\
             platforms: { include: [windows] }\nclientAppTypes: [mobileAppsAndDesktopClients]\nsession: { tokenProtection: true }\n",
        );
        assert_eq!(
            plain(&sentence(&p, None)),
            "Requires token protection (sign-in sessions bound to the device) when members of Token Protection Pilot, \
             except members of Emergency Access, use Office 365 Exchange Online or Office 365 SharePoint Online \
             from Windows with desktop and mobile apps — report-only."
        );
    }

    #[test]
    fn grant_operators_and_blocks() {
        let p = policy(
            "displayName: x\nstate: enabled\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             grant: { operator: OR, builtInControls: [mfa, compliantDevice] }\n",
        );
        assert_eq!(
            plain(&sentence(&p, None)),
            "Requires one of multifactor authentication or a compliant device when all users use any application — enforced."
        );
        let p = policy(
            "displayName: x\nstate: disabled\nusers: { include: { users: [alice@contoso.com] } }\napplications: { include: [Office365] }\n\
             clientAppTypes: [exchangeActiveSync, other]\ngrant: { builtInControls: [block] }\n",
        );
        assert_eq!(
            plain(&sentence(&p, None)),
            "Blocks access when alice@contoso.com uses Office 365 with Exchange ActiveSync or other (legacy) clients — off."
        );
    }

    // Every condition the model has is described: insider risk
    // (concept-conditional-access-conditions#insider-risk), service
    // principal risk (workload-identity), agent risk
    // (concept-conditional-access-conditions#agent-risk-preview), workload
    // identity exclusions and filters, the Global Secure Access profile and
    // passthrough properties.
    #[test]
    fn every_condition_is_described() {
        let p = policy(
            "displayName: x\nstate: enabled\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             insiderRiskLevels: [elevated]\ngrant: { builtInControls: [block] }\n",
        );
        assert_eq!(
            plain(&sentence(&p, None)),
            "Blocks access when all users use any application at elevated insider risk — enforced."
        );
        let p = policy(
            "displayName: x\nstate: enabled\nusers: { include: { users: [None] } }\napplications: { include: [All] }\n\
             clientApplications:\n  include: [ServicePrincipalsInMyTenant]\n  exclude: [Payroll Robot]\n\
             \x20 filter: { mode: include, rule: 'CustomSecurityAttribute.Set.Tier -eq \"1\"' }\n\
             servicePrincipalRiskLevels: [high, medium]\ngrant: { builtInControls: [block] }\n",
        );
        let text = plain(&sentence(&p, None));
        assert!(text.contains("ServicePrincipalsInMyTenant (other than Payroll Robot) (only service principals whose attributes match CustomSecurityAttribute.Set.Tier -eq \"1\")"), "{text}");
        assert!(
            text.contains(" at high or medium service principal risk"),
            "{text}"
        );
        let p = policy(
            "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             clientApplications: { agentIds: { include: [All], exclude: [Agent One] } }\n\
             agentIdRiskLevels: [high]\nsession: { globalSecureAccessFilteringProfile: p1 }\n\
             passthrough: { conditions: { agents: {} } }\n",
        );
        let text = plain(&sentence(&p, None));
        assert!(text.starts_with("Requires the Global Secure Access filtering profile p1 when all users or the agent identities All (other than Agent One) use any application at high agent risk, plus Graph properties caac does not describe (conditions) — report-only."), "{text}");
    }

    #[test]
    fn sign_in_frequency_reads_naturally() {
        let p = policy(
            "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             session: { signInFrequency: { value: 1, type: hours } }\n",
        );
        assert!(plain(&sentence(&p, None)).starts_with("Requires a new sign-in every hour when"));
        let p = policy(
            "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             session: { signInFrequency: { value: 7, type: days } }\n",
        );
        assert!(plain(&sentence(&p, None)).starts_with("Requires a new sign-in every 7 days when"));
    }

    #[test]
    fn filters_render_as_code() {
        let p = policy(
            "displayName: x\nusers: { include: { users: [All] } }\napplications: { include: [All] }\n\
             devices: { filter: { mode: exclude, rule: 'device.isCompliant -eq True' } }\ngrant: { builtInControls: [mfa] }\n",
        );
        let s = sentence(&p, None);
        assert!(s.contains(&Part::Code("device.isCompliant -eq True".into())));
        assert!(
            sentence_md(&s).contains("except on devices matching ` device.isCompliant -eq True `")
        );
        assert!(sentence_html(&s).contains("<code>device.isCompliant -eq True</code>"));
        assert_eq!(escape::markdown_code("a`b|c"), "`` a`b\\|c ``");
    }
}
