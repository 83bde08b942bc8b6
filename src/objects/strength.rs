//! The custom authentication strength spec: one YAML file per strength in
//! `strengths/`.
//!
//! Contract: plain serde + schemars types, no positions and no I/O. The keys
//! are Graph's `authenticationStrengthPolicy`
//! (<https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>);
//! the read-only ones (`policyType`, `requirementsSatisfied`, the timestamps)
//! are not written. A combination configuration
//! (<https://learn.microsoft.com/graph/api/resources/authenticationcombinationconfiguration>)
//! is written without its `@odata.type`: `allowedAAGUIDs` makes a
//! `fido2CombinationConfiguration`, `allowedIssuerSkis` / `allowedPolicyOIDs`
//! an `x509CertificateCombinationConfiguration`.
//!
//! ```yaml
//! displayName: Phishing-resistant for admins
//! description: FIDO2 keys of our two approved models, or Windows Hello
//! allowedCombinations: [fido2, windowsHelloForBusiness]
//! combinationConfigurations:
//!   - appliesToCombinations: [fido2]
//!     allowedAAGUIDs: [cb69481e-8ff7-4039-93ec-0a2729a154a8]
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A custom authentication strength.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "caac authentication strength")]
pub struct AuthenticationStrength {
    /// The strength's name, as policies reference it in
    /// `grant.authenticationStrength` (Graph `displayName`, required).
    #[schemars(length(min = 1))]
    pub display_name: String,
    /// What the strength is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The strength's id in the tenant, once it exists (written by `caac
    /// pull`). Without it, the id comes from tenant.yaml
    /// `authenticationStrengths:` under the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The method combinations that satisfy the strength: each one
    /// `authenticationMethodModes` member (`fido2`) or several joined by
    /// commas (`password,microsoftAuthenticatorPush`).
    pub allowed_combinations: Vec<String>,
    /// Restrictions on some combinations (FIDO2 key models, certificate
    /// issuers and policy OIDs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub combination_configurations: Vec<CombinationConfiguration>,
}

/// One combination configuration (FIDO2 or X.509 certificate).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CombinationConfiguration {
    /// The combinations of `allowedCombinations` this restricts.
    pub applies_to_combinations: Vec<String>,
    /// FIDO2: the authenticator models (AAGUIDs) allowed.
    #[serde(
        default,
        rename = "allowedAAGUIDs",
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_aaguids: Option<Vec<String>>,
    /// X.509 certificate: the issuers' subject key identifiers allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_issuer_skis: Option<Vec<String>>,
    /// X.509 certificate: the certificate policy OIDs allowed.
    #[serde(
        default,
        rename = "allowedPolicyOIDs",
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_policy_oids: Option<Vec<String>>,
}

/// The members of Graph's `authenticationMethodModes` flags enum, in the
/// metadata's order (`unknownFutureValue`, the evolvable-enum sentinel, is
/// left out: it is never a method). Source: the `authenticationMethodModes`
/// values on
/// <https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>
/// and Microsoft Graph's v1.0 CSDL metadata.
pub const AUTHENTICATION_METHOD_MODES: &[&str] = &[
    "password",
    "voice",
    "hardwareOath",
    "softwareOath",
    "sms",
    "fido2",
    "windowsHelloForBusiness",
    "microsoftAuthenticatorPush",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "email",
    "x509CertificateSingleFactor",
    "x509CertificateMultiFactor",
    "federatedSingleFactor",
    "federatedMultiFactor",
    "qrCodePin",
];

/// The members of one combination (`"password, sms"` → `[password, sms]`).
pub fn members(combination: &str) -> impl Iterator<Item = &str> {
    combination.split(',').map(str::trim)
}

/// The JSON Schema of an authentication strength spec.
pub fn strength_schema() -> serde_json::Value {
    let mut schema = crate::model::generate::<AuthenticationStrength>(
        schemars::generate::SchemaSettings::draft2020_12(),
    );
    schema["$id"] = crate::model::schema_id("strength.schema.json").into();
    schema
}
