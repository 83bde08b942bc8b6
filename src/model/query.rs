//! Read-only questions about a policy that many rules and the engine ask.
//! They assume resolved references (keywords canonical, ids lower-case).

use super::*;

impl Policy {
    /// Spec keys of the conditions the policy sets besides users and
    /// applications, in Graph's order (`clientAppTypes: [all]` counts as not
    /// set: it is what Graph stores when the condition is not configured, see
    /// <https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset>).
    /// Destructured without `..`: a new condition in the model fails to
    /// compile here until someone decides whether it counts.
    pub fn conditions(&self) -> Vec<&'static str> {
        let Policy {
            display_name: _,
            description: _,
            id: _,
            state: _,
            users: _,
            client_applications,
            applications: _,
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
            grant: _,
            session: _,
            rollout: _,
            exclusions: _,
            passthrough: _,
        } = self;
        [
            ("clientApplications", client_applications.is_some()),
            (
                "clientAppTypes",
                client_app_types.iter().any(|t| *t != ClientAppType::All),
            ),
            ("platforms", platforms.is_some()),
            ("locations", locations.is_some()),
            (
                "devices",
                devices.as_ref().is_some_and(|d| d.filter.is_some()),
            ),
            ("signInRiskLevels", !sign_in_risk_levels.is_empty()),
            ("userRiskLevels", !user_risk_levels.is_empty()),
            (
                "servicePrincipalRiskLevels",
                !service_principal_risk_levels.is_empty(),
            ),
            ("insiderRiskLevels", !insider_risk_levels.is_empty()),
            ("agentIdRiskLevels", !agent_id_risk_levels.is_empty()),
            ("authenticationFlows", !authentication_flows.is_empty()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }

    /// [`Policy::conditions`] without user risk: the conditions the policy
    /// sets besides users, applications and user risk.
    pub fn other_conditions(&self) -> Vec<&'static str> {
        let mut keys = self.conditions();
        keys.retain(|k| *k != "userRiskLevels");
        keys
    }

    /// Spec keys of the session controls the policy sets (empty without a
    /// `session`); see [`Session::controls`].
    pub fn session_controls(&self) -> Vec<&'static str> {
        self.session
            .as_ref()
            .map_or_else(Vec::new, Session::controls)
    }

    /// `users.include.users` contains `All`.
    pub fn includes_all_users(&self) -> bool {
        self.user_include()
            .is_some_and(|i| i.users.iter().any(|u| u == "All"))
    }

    /// `applications.include` contains `All`.
    pub fn includes_all_apps(&self) -> bool {
        self.applications
            .as_ref()
            .is_some_and(|a| a.include.iter().any(|v| v == "All"))
    }

    /// The `users.include` block, if any.
    pub fn user_include(&self) -> Option<&UserSet> {
        self.users.as_ref().and_then(|u| u.include.as_ref())
    }

    /// The `users.exclude` block, if any.
    pub fn user_exclude(&self) -> Option<&UserSet> {
        self.users.as_ref().and_then(|u| u.exclude.as_ref())
    }

    /// The grant's built-in controls (empty without a grant).
    pub fn built_in_controls(&self) -> &[BuiltInControl] {
        self.grant
            .as_ref()
            .map_or(&[], |g| g.built_in_controls.as_slice())
    }

    /// The grant blocks access.
    pub fn blocks(&self) -> bool {
        self.built_in_controls().contains(&BuiltInControl::Block)
    }

    /// The grant requires MFA: the `mfa` control or any authentication strength.
    pub fn requires_mfa(&self) -> bool {
        self.built_in_controls().contains(&BuiltInControl::Mfa)
            || self
                .grant
                .as_ref()
                .is_some_and(|g| g.authentication_strength.is_some())
    }

    /// Token protection (`secureSignInSession`) is required.
    pub fn token_protection(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.token_protection)
    }

    /// Included applications (empty without `applications`).
    pub fn include_apps(&self) -> &[String] {
        self.applications
            .as_ref()
            .map_or(&[], |a| a.include.as_slice())
    }

    /// Included platforms, when the platform condition is set.
    pub fn include_platforms(&self) -> Option<&[Platform]> {
        self.platforms.as_ref().map(|p| p.include.as_slice())
    }

    /// The policy targets workload identities: service principals or agent
    /// identities in `clientApplications.include`.
    pub fn targets_workload_identities(&self) -> bool {
        self.client_applications.as_ref().is_some_and(|c| {
            !c.include.is_empty() || c.agent_ids.as_ref().is_some_and(|a| !a.include.is_empty())
        })
    }

    /// `clientApplications.include` names service principals (agent
    /// identities not counted; see [`Policy::targets_workload_identities`]).
    pub fn targets_workloads(&self) -> bool {
        self.client_applications
            .as_ref()
            .is_some_and(|c| !c.include.is_empty())
    }
}

impl Session {
    /// Spec keys of the session controls that are set, in the model's order.
    /// The one list of session controls: a control that is `false` or absent
    /// is not sent (see `compile`), so it does not count. Destructured
    /// without `..`: a new control fails to compile here until it is listed.
    /// Source: <https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols>.
    pub fn controls(&self) -> Vec<&'static str> {
        let Session {
            token_protection,
            sign_in_frequency,
            persistent_browser,
            application_enforced_restrictions,
            cloud_app_security,
            continuous_access_evaluation,
            disable_resilience_defaults,
            global_secure_access_filtering_profile,
        } = self;
        [
            ("tokenProtection", *token_protection),
            ("signInFrequency", sign_in_frequency.is_some()),
            ("persistentBrowser", persistent_browser.is_some()),
            (
                "applicationEnforcedRestrictions",
                *application_enforced_restrictions,
            ),
            ("cloudAppSecurity", cloud_app_security.is_some()),
            (
                "continuousAccessEvaluation",
                continuous_access_evaluation.is_some(),
            ),
            ("disableResilienceDefaults", *disable_resilience_defaults),
            (
                "globalSecureAccessFilteringProfile",
                global_secure_access_filtering_profile.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }

    /// At least one session control is set.
    pub fn has_control(&self) -> bool {
        !self.controls().is_empty()
    }
}

impl Grant {
    /// The grant sets a control: a built-in control, an authentication
    /// strength, terms of use or a custom control (the operator alone is
    /// not a control). Source:
    /// <https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols>.
    /// Destructured without `..`: a new control fails to compile here.
    pub fn has_control(&self) -> bool {
        let Grant {
            operator: _,
            built_in_controls,
            authentication_strength,
            terms_of_use,
            custom_authentication_factors,
        } = self;
        !built_in_controls.is_empty()
            || authentication_strength.is_some()
            || !terms_of_use.is_empty()
            || !custom_authentication_factors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_session_control_is_listed_once() {
        let s = Session {
            token_protection: true,
            sign_in_frequency: Some(SignInFrequency::default()),
            persistent_browser: Some(PersistentBrowserMode::Never),
            application_enforced_restrictions: true,
            cloud_app_security: Some(CloudAppSecurityType::MonitorOnly),
            continuous_access_evaluation: Some(ContinuousAccessEvaluationMode::Disabled),
            disable_resilience_defaults: true,
            global_secure_access_filtering_profile: Some("p".into()),
        };
        let keys = s.controls();
        assert_eq!(keys.len(), 8);
        let unique: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len());
        assert!(!Session::default().has_control());
        assert!(Session::default().controls().is_empty());
    }

    #[test]
    fn conditions_include_user_risk_and_other_conditions_do_not() {
        let p = Policy {
            user_risk_levels: vec![RiskLevel::High],
            client_app_types: vec![ClientAppType::All],
            platforms: Some(Platforms {
                include: vec![Platform::All],
                exclude: Vec::new(),
            }),
            ..Policy::default()
        };
        assert_eq!(p.conditions(), ["platforms", "userRiskLevels"]);
        assert_eq!(p.other_conditions(), ["platforms"]);
    }

    #[test]
    fn a_grant_operator_alone_is_not_a_control() {
        assert!(!Grant::default().has_control());
        let g = Grant {
            terms_of_use: vec!["t".into()],
            ..Grant::default()
        };
        assert!(g.has_control());
    }
}
