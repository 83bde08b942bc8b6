//! Assignment and condition blocks of a policy (Graph `conditionalAccessConditionSet`).
//!
//! Enum spellings are Graph's, case included (`iOS`, `macOS`): Graph compares
//! them case-sensitively, see
//! <https://learn.microsoft.com/graph/api/resources/conditionalaccessplatforms>.

use super::Reference;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `conditions.users`: who is in scope. Exclusion always wins over inclusion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Users {
    /// Identities in scope (`includeUsers`, `includeGroups`, `includeRoles`, `includeGuestsOrExternalUsers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<UserSet>,
    /// Identities taken out of scope (`exclude*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<UserSet>,
}

/// One side (include or exclude) of a user assignment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserSet {
    /// Users by name from `tenant.yaml`, object id, or `All` / `None` / `GuestsOrExternalUsers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<Reference>,
    /// Groups by name from `tenant.yaml` or object id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Reference>,
    /// Built-in directory roles by name (e.g. `Global Administrator`) or role template id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Reference>,
    /// Guest and external user types (`include/excludeGuestsOrExternalUsers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guests_or_external_users: Option<GuestsOrExternalUsers>,
}

/// Guest or external user types, optionally limited to some external tenants.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GuestsOrExternalUsers {
    /// Guest kinds (`guestOrExternalUserTypes`, comma-joined on the wire).
    #[schemars(length(min = 1))]
    pub types: Vec<GuestOrExternalUserType>,
    /// `[All]` for every external tenant, or tenant ids / names from `tenant.yaml`
    /// (`externalTenants`). Omitted: not sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<Reference>,
}

wire_enum! {
    /// `conditionalAccessGuestOrExternalUserTypes` (a flags enum).
    GuestOrExternalUserType {
        InternalGuest = "internalGuest",
        B2bCollaborationGuest = "b2bCollaborationGuest",
        B2bCollaborationMember = "b2bCollaborationMember",
        B2bDirectConnectUser = "b2bDirectConnectUser",
        OtherExternalUser = "otherExternalUser",
        ServiceProvider = "serviceProvider",
    }
}

/// `conditions.clientApplications`: workload identities (service principals).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientApplications {
    /// Service principal object ids or names from `tenant.yaml`, or `ServicePrincipalsInMyTenant`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<Reference>,
    /// Service principals taken out of scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Reference>,
    /// `servicePrincipalFilter` over custom security attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// Agent identities (beta: `include/excludeAgentIdServicePrincipals`, `agentIdServicePrincipalFilter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_ids: Option<AgentIds>,
}

/// Agent identity service principals (beta).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AgentIds {
    /// `All` or agent service principal ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<Reference>,
    /// Agent service principal ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Reference>,
    /// Filter over agent attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
}

/// `conditions.applications`: exactly one target kind per policy — resources,
/// user actions or authentication contexts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Applications {
    /// Resources by name (e.g. `Office 365 Exchange Online`) or app id, or `All`, `None`,
    /// `Office365`, `MicrosoftAdminPortals`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<Reference>,
    /// Resources taken out of scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Reference>,
    /// User actions: `registerSecurityInfo`, `registerDevice` (or their `urn:user:` ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_actions: Vec<Reference>,
    /// Authentication contexts: `c1`…`c99` or names from `tenant.yaml`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication_contexts: Vec<Reference>,
    /// `applicationFilter` over custom security attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
}

/// A Graph `conditionalAccessFilter`: a rule in the dynamic-group syntax.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Filter {
    /// Whether matching objects are included in or excluded from the policy.
    pub mode: FilterMode,
    /// The rule, e.g. `device.trustType -eq "AzureAD"`. Graph caps device filters at 3072 characters.
    #[schemars(length(min = 1, max = 3072))]
    pub rule: String,
}

wire_enum! {
    /// `filterMode`.
    FilterMode { Include = "include", Exclude = "exclude" }
}

wire_enum! {
    /// `conditionalAccessClientApp`. `easUnsupported` and `modern` are deprecated and not accepted.
    ClientAppType {
        All = "all",
        Browser = "browser",
        MobileAppsAndDesktopClients = "mobileAppsAndDesktopClients",
        ExchangeActiveSync = "exchangeActiveSync",
        EasSupported = "easSupported",
        Other = "other",
    }
}

/// `conditions.platforms`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Platforms {
    /// Platforms in scope; `all` for every platform including unknown ones.
    #[schemars(length(min = 1))]
    pub include: Vec<Platform>,
    /// Platforms taken out of scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Platform>,
}

wire_enum! {
    /// `conditionalAccessDevicePlatform` (case-sensitive: `iOS`, `macOS`).
    Platform {
        Android = "android",
        IOS = "iOS",
        Windows = "windows",
        WindowsPhone = "windowsPhone",
        MacOS = "macOS",
        Linux = "linux",
        All = "all",
    }
}

/// `conditions.locations` (shown as "Network" in the portal).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Locations {
    /// Named locations by name from `tenant.yaml` or id, or `All` / `AllTrusted`.
    #[schemars(length(min = 1))]
    pub include: Vec<Reference>,
    /// Named locations taken out of scope, or `AllTrusted`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Reference>,
}

/// `conditions.devices`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Devices {
    /// `deviceFilter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
}

wire_enum! {
    /// `riskLevel` for sign-in and user risk.
    RiskLevel { Low = "low", Medium = "medium", High = "high", Hidden = "hidden", None = "none" }
}

wire_enum! {
    /// `riskLevel` as allowed for service principals (no `hidden`).
    ServicePrincipalRiskLevel { Low = "low", Medium = "medium", High = "high", None = "none" }
}

wire_enum! {
    /// `conditionalAccessInsiderRiskLevels` (a flags enum).
    InsiderRiskLevel { Minor = "minor", Moderate = "moderate", Elevated = "elevated" }
}

wire_enum! {
    /// `conditionalAccessAgentIdRiskLevels` (beta flags enum).
    AgentIdRiskLevel { Low = "low", Medium = "medium", High = "high" }
}

wire_enum! {
    /// `conditionalAccessTransferMethods` (a flags enum).
    TransferMethod { DeviceCodeFlow = "deviceCodeFlow", AuthenticationTransfer = "authenticationTransfer" }
}
