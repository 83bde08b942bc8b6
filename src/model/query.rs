//! Read-only questions about a policy that many rules and the engine ask.
//! They assume resolved references (keywords canonical, ids lower-case).

use super::*;

impl Policy {
    /// Spec keys of the conditions the policy sets besides users,
    /// applications and user risk (`clientAppTypes: [all]` counts as not
    /// set). Destructured without `..`: a new condition in the model fails to
    /// compile here until someone decides whether it counts.
    pub fn other_conditions(&self) -> Vec<&'static str> {
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
            user_risk_levels: _,
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
