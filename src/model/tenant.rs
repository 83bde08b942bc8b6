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

/// A name → object table: the value is the object id, or a mapping with the
/// id and what the what-if engine needs to know about the object.
pub type Names = BTreeMap<String, Entry>;

/// One directory object: its id, optionally with details.
///
/// ```yaml
/// groups:
///   Pilot: 22222222-2222-4222-8222-222222222222          # just the id
/// users:
///   alice@contoso.com:
///     id: 0e1f2a3b-0000-4000-8000-000000000002
///     memberOf: [Pilot]                                   # for caac whatif
///     roles: [Global Administrator]
/// namedLocations:
///   HQ: { id: 55555555-5555-4555-8555-555555555555, trusted: true, ipRanges: [203.0.113.0/24] }
///   Allowed countries: { id: 66666666-6666-4666-8666-666666666666, countries: [NL, "NO"] }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Entry {
    /// The object id alone.
    Id(String),
    /// The object id with details.
    Detailed(Detail),
}

/// Details of a directory object, used by `caac whatif` (users: memberships
/// and roles; named locations: ranges, countries, trust).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Detail {
    /// The object id.
    pub id: String,
    /// Users: the groups the user is a (transitive) member of, by name or id.
    /// Not given (as opposed to `[]`) on a break-glass user: the user is
    /// assumed to be in every break-glass group, as for the short form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<Reference>")]
    pub member_of: Option<Vec<Reference>>,
    /// Users: directory roles the user holds, by name or role template id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Reference>,
    /// Named locations: marked as trusted (counts for `AllTrusted`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trusted: bool,
    /// Named locations: IPv4/IPv6 CIDR ranges (`203.0.113.0/24`, `2001:db8::/48`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<String>,
    /// Named locations: ISO 3166 alpha-2 country codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Named locations: also match sign-ins whose country is unknown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_unknown_countries: bool,
    /// Named locations from a location spec only (`countryLookupMethod:
    /// authenticatorAppGps`): the country comes from the Authenticator app's
    /// GPS. Not a tenant-file key.
    #[serde(skip)]
    #[schemars(skip)]
    pub country_by_gps: bool,
}

impl Entry {
    /// The object id.
    pub fn id(&self) -> &str {
        match self {
            Entry::Id(id) => id,
            Entry::Detailed(d) => &d.id,
        }
    }

    /// The details, when given.
    pub fn detail(&self) -> Option<&Detail> {
        match self {
            Entry::Id(_) => None,
            Entry::Detailed(d) => Some(d),
        }
    }
}

impl std::ops::Deref for Entry {
    type Target = str;
    fn deref(&self) -> &str {
        self.id()
    }
}

impl From<String> for Entry {
    fn from(id: String) -> Self {
        Entry::Id(id)
    }
}

impl From<&str> for Entry {
    fn from(id: &str) -> Self {
        Entry::Id(id.to_owned())
    }
}

/// The tenant directory file.
///
/// Object ids beginning `00000000-0000-4000-8000-` are placeholders (the
/// starter file's made-up ids): `caac build` warns about them and `caac plan`
/// / `caac apply` refuse them; put the tenant's real object ids in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "caac tenant directory")]
pub struct Tenant {
    /// The Entra tenant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Emergency access accounts and groups; every active policy must exclude
    /// them. Without any (here or `--break-glass`), lint, build, plan and
    /// apply refuse to run unless `.caac.yaml` sets `breakGlassOptOut: "<reason>"`.
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
    /// No tenant file was read: this directory holds only the named
    /// locations and strengths of the repository's specs
    /// (`crate::objects`). Not a tenant-file key.
    #[serde(skip)]
    #[schemars(skip)]
    pub specs_only: bool,
}

/// Emergency access (break-glass) identities. Each id is checked as the kind
/// `users:` / `groups:` list it as; an id listed in neither is checked as both
/// a user and a group (with a warning to list it).
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

/// The break-glass (emergency access) identities of a run, resolved to
/// object ids: from the tenant file's `breakGlass:` and `--break-glass`.
/// Every policy must exclude them (Microsoft's guidance:
/// <https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access>).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BreakGlassIds {
    /// User object ids.
    pub users: Vec<String>,
    /// Group object ids.
    pub groups: Vec<String>,
}

impl BreakGlassIds {
    /// True when no break-glass identity is known.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty()
    }
}

/// The JSON Schema of `tenant.yaml`.
pub fn tenant_schema() -> serde_json::Value {
    let mut schema = super::generate::<Tenant>(schemars::generate::SchemaSettings::draft2020_12());
    schema["$id"] = super::schema_id("tenant.schema.json").into();
    schema
}

impl Tenant {
    /// One error per object id in the tenant file that cannot be an id of its
    /// table: every table holds object ids (8-4-4-4-12 hex GUIDs), except
    /// `authenticationContexts`, whose ids are `c1` … `c99`. Reported at the
    /// id itself, so a typo in tenant.yaml is fixed where it was made instead
    /// of surfacing as errors in every policy that uses the name.
    ///
    /// - Users, groups, roles: "Group IDs in scope of policy", "User IDs …"
    ///   <https://learn.microsoft.com/graph/api/resources/conditionalaccessusers>
    /// - Authentication contexts: ids `c1` … `c99` (up to 99 contexts)
    ///   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps#authentication-context>
    pub fn id_errors(&self) -> Vec<crate::diag::Diagnostic> {
        use crate::diag::Diagnostic;
        use crate::load::escape_segment;
        let mut out = Vec::new();
        if let Some(id) = &self.tenant_id
            && !crate::resolve::is_guid(id)
        {
            out.push(
                Diagnostic::error(
                    crate::resolve::INVALID_TENANT_ID,
                    format!("`tenantId` `{id}` is not a tenant id (a GUID)"),
                )
                .at_value("/tenantId")
                .with_help("write the directory (tenant) id from the Entra admin center overview: 8-4-4-4-12 hex digits"),
            );
        }
        for kind in Kind::ALL {
            let (Some(names), Some(section)) = (self.names(kind), Tenant::section(kind)) else {
                continue;
            };
            for (name, entry) in names {
                let id = entry.id();
                let ok = if kind == Kind::AuthenticationContext {
                    crate::resolve::is_context_id(id)
                } else {
                    crate::resolve::is_guid(id)
                };
                if ok {
                    continue;
                }
                let mut pointer = format!("/{section}/{}", escape_segment(name));
                if matches!(entry, Entry::Detailed(_)) {
                    pointer.push_str("/id");
                }
                let (what, help) = if kind == Kind::AuthenticationContext {
                    (
                        "an authentication context id (`c1` … `c99`)".to_owned(),
                        "write the context's id as Entra shows it under Conditional Access > Authentication contexts, e.g. `c1`".to_owned(),
                    )
                } else {
                    (
                        format!("a {} id (a GUID)", kind.noun()),
                        format!(
                            "write the {} id from Entra: 8-4-4-4-12 hex digits, e.g. `00000000-0000-0000-0000-000000000000`",
                            kind.noun()
                        ),
                    )
                };
                out.push(
                    Diagnostic::error(
                        crate::resolve::INVALID_TENANT_ID,
                        format!("`{name}` maps to `{id}`, which is not {what}"),
                    )
                    .at_value(pointer)
                    .with_help(help),
                );
            }
        }
        out
    }
}
