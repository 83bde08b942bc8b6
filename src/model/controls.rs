//! Access controls: grant (`conditionalAccessGrantControls`) and session
//! (`conditionalAccessSessionControls`).

use super::Reference;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `grantControls`: block, or the requirements to grant access.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Grant {
    /// `OR` (require one of the controls, the default) or `AND` (require all).
    #[serde(default, skip_serializing_if = "Operator::is_or")]
    pub operator: Operator,
    /// Built-in controls, e.g. `[mfa]`, `[compliantDevice, domainJoinedDevice]` or `[block]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub built_in_controls: Vec<BuiltInControl>,
    /// Authentication strength by name (built-in `Phishing-resistant MFA`, or from `tenant.yaml`) or id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_strength: Option<Reference>,
    /// Terms of use agreements by name from `tenant.yaml` or id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms_of_use: Vec<Reference>,
    /// Custom control ids (preview feature), sent as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_authentication_factors: Vec<String>,
}

/// Grant operator (upper case on the wire).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Operator {
    /// Require one of the selected controls.
    #[default]
    #[serde(rename = "OR")]
    Or,
    /// Require all selected controls.
    #[serde(rename = "AND")]
    And,
}

impl Operator {
    /// True for the default, `OR`.
    pub fn is_or(&self) -> bool {
        *self == Operator::Or
    }

    /// The Graph wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Or => "OR",
            Operator::And => "AND",
        }
    }
}

wire_enum! {
    /// `conditionalAccessGrantControl`. `riskRemediation` is an evolvable member
    /// (send `Prefer: include-unknown-enum-members` when reading); `verifiedID` is beta, preview.
    BuiltInControl {
        Block = "block",
        Mfa = "mfa",
        CompliantDevice = "compliantDevice",
        DomainJoinedDevice = "domainJoinedDevice",
        ApprovedApplication = "approvedApplication",
        CompliantApplication = "compliantApplication",
        PasswordChange = "passwordChange",
        RiskRemediation = "riskRemediation",
        VerifiedId = "verifiedID",
    }
}

/// `sessionControls`. A control that is omitted, `false` or absent is not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Session {
    /// Require token protection for sign-in sessions (`secureSignInSession`): bind
    /// sign-in tokens to the device. Supported for Exchange Online, SharePoint Online
    /// and Teams on Windows desktop clients.
    #[serde(default, skip_serializing_if = "is_false")]
    pub token_protection: bool,
    /// Sign-in frequency (`signInFrequency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_frequency: Option<SignInFrequency>,
    /// Persistent browser session (`persistentBrowser.mode`); needs All resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_browser: Option<PersistentBrowserMode>,
    /// App enforced restrictions (Exchange Online and SharePoint Online only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub application_enforced_restrictions: bool,
    /// Conditional Access App Control via Defender for Cloud Apps (`cloudAppSecurity.cloudAppSecurityType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_app_security: Option<CloudAppSecurityType>,
    /// Continuous access evaluation mode (beta `continuousAccessEvaluation.mode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuous_access_evaluation: Option<ContinuousAccessEvaluationMode>,
    /// Disable resilience defaults (`disableResilienceDefaults`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub disable_resilience_defaults: bool,
    /// Global Secure Access filtering profile id (beta `globalSecureAccessFilteringProfile.profileId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_secure_access_filtering_profile: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `signInFrequencySessionControl`: `{value, type}` for a time-based frequency,
/// or `frequencyInterval: everyTime` with neither.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignInFrequency {
    /// Number of hours or days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 4_294_967_295u32))]
    pub value: Option<u32>,
    /// `hours` or `days`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<SignInFrequencyType>,
    /// `primaryAndSecondaryAuthentication` (default) or `secondaryAuthentication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<SignInFrequencyAuthenticationType>,
    /// `timeBased` (default when `value` is set) or `everyTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_interval: Option<SignInFrequencyInterval>,
}

wire_enum! {
    /// `signinFrequencyType`.
    SignInFrequencyType { Hours = "hours", Days = "days" }
}

wire_enum! {
    /// `signInFrequencyAuthenticationType`.
    SignInFrequencyAuthenticationType {
        PrimaryAndSecondaryAuthentication = "primaryAndSecondaryAuthentication",
        SecondaryAuthentication = "secondaryAuthentication",
    }
}

wire_enum! {
    /// `signInFrequencyInterval`.
    SignInFrequencyInterval { TimeBased = "timeBased", EveryTime = "everyTime" }
}

wire_enum! {
    /// `persistentBrowserSessionMode`.
    PersistentBrowserMode { Always = "always", Never = "never" }
}

wire_enum! {
    /// `cloudAppSecuritySessionControlType`.
    CloudAppSecurityType {
        McasConfigured = "mcasConfigured",
        MonitorOnly = "monitorOnly",
        BlockDownloads = "blockDownloads",
    }
}

wire_enum! {
    /// `continuousAccessEvaluationMode` (beta).
    ContinuousAccessEvaluationMode {
        StrictEnforcement = "strictEnforcement",
        Disabled = "disabled",
        StrictLocation = "strictLocation",
    }
}
