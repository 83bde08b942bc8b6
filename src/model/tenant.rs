//! The tenant directory file (`tenant.yaml`): the names a team uses for its
//! groups, users, named locations, … mapped to the object ids Graph wants,
//! and the break-glass (emergency access) accounts every policy must exclude.
//!
//! Names are the map keys, so a name cannot be listed twice (the loader rejects
//! duplicate keys). Only tenant-specific objects live here; first-party apps,
//! directory roles and built-in authentication strengths are in the built-in
//! catalog (`crate::catalog`).

use super::Reference;
use crate::catalog::Kind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A name → object id table.
pub type Names = BTreeMap<String, String>;

/// The tenant directory file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "caac tenant directory")]
pub struct Tenant {
    /// The Entra tenant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Emergency access accounts and groups; every active policy must exclude them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_glass: Option<BreakGlass>,
    /// User principal name or display name → user object id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub users: Names,
    /// Group display name → group object id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: Names,
    /// Named location display name → named location id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub named_locations: Names,
    /// Custom authentication strength name → policy id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authentication_strengths: Names,
    /// Terms of use agreement name → agreement id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub terms_of_use: Names,
    /// Authentication context name → context id (`c1` … `c99`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authentication_contexts: Names,
    /// Application (resource) name → app id, for apps not in the built-in catalog.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub applications: Names,
    /// Service principal name → service principal object id (workload identities).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub service_principals: Names,
    /// External (partner) tenant name → tenant id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub external_tenants: Names,
}

/// Emergency access (break-glass) identities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BreakGlass {
    /// Break-glass users, by name from `users:` or object id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<Reference>,
    /// Groups holding the break-glass users, by name from `groups:` or object id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Reference>,
}

impl Tenant {
    /// The name table for a reference kind (empty for catalog-only kinds).
    pub fn names(&self, kind: Kind) -> Option<&Names> {
        Some(match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
            Kind::Location => &self.named_locations,
            Kind::AuthenticationStrength => &self.authentication_strengths,
            Kind::TermsOfUse => &self.terms_of_use,
            Kind::AuthenticationContext => &self.authentication_contexts,
            Kind::Application => &self.applications,
            Kind::ServicePrincipal => &self.service_principals,
            Kind::ExternalTenant => &self.external_tenants,
            Kind::Role | Kind::UserAction => return None,
        })
    }

    /// The YAML key of the table for `kind` (used in fix hints).
    pub fn section(kind: Kind) -> Option<&'static str> {
        Some(match kind {
            Kind::User => "users",
            Kind::Group => "groups",
            Kind::Location => "namedLocations",
            Kind::AuthenticationStrength => "authenticationStrengths",
            Kind::TermsOfUse => "termsOfUse",
            Kind::AuthenticationContext => "authenticationContexts",
            Kind::Application => "applications",
            Kind::ServicePrincipal => "servicePrincipals",
            Kind::ExternalTenant => "externalTenants",
            Kind::Role | Kind::UserAction => return None,
        })
    }
}

/// The JSON Schema of `tenant.yaml`.
pub fn tenant_schema() -> serde_json::Value {
    let mut schema = super::generate::<Tenant>(schemars::generate::SchemaSettings::draft2020_12());
    schema["$id"] = "https://caac.invalid/schemas/tenant.schema.json".into();
    schema
}
