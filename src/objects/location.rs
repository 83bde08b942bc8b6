//! The named location spec: one YAML file per location in `locations/`.
//!
//! Contract: plain serde + schemars types, no positions and no I/O, like
//! [`crate::model`]. The keys are Graph's own (`ipNamedLocation`,
//! `countryNamedLocation`, <https://learn.microsoft.com/graph/api/resources/ipnamedlocation>,
//! <https://learn.microsoft.com/graph/api/resources/countrynamedlocation>), so
//! an export reads the same, with two simplifications: the kind is not written
//! (`ipRanges` makes an IP location, `countriesAndRegions` a country
//! location; `crate::validity` rejects a file with both or neither), and an IP
//! range is its CIDR string (`203.0.113.0/24`) instead of Graph's
//! `{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": …}`.
//!
//! ```yaml
//! displayName: HQ egress
//! isTrusted: true
//! ipRanges: [203.0.113.0/24, "2001:db8::/48"]
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A named location: IP ranges (optionally trusted) or countries and regions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "caac named location")]
pub struct NamedLocation {
    /// The location's name, as policies reference it in `locations:`
    /// (Graph `displayName`, required).
    #[schemars(length(min = 1))]
    pub display_name: String,
    /// The named location's object id in the tenant, once it exists (written
    /// by `caac pull`). Without it, the id comes from tenant.yaml
    /// `namedLocations:` under the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// IP location: IPv4 and IPv6 ranges in CIDR notation
    /// (`203.0.113.0/24`, `2001:db8::/48`). Graph `ipRanges`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_ranges: Option<Vec<String>>,
    /// IP location: marked as trusted, so it counts for `AllTrusted`
    /// (default `false`). Graph `isTrusted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_trusted: Option<bool>,
    /// Country location: ISO 3166-1 alpha-2 codes (`NL`, `"NO"`). Graph
    /// `countriesAndRegions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries_and_regions: Option<Vec<String>>,
    /// Country location: also match sign-ins whose address maps to no country
    /// or region (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_unknown_countries_and_regions: Option<bool>,
    /// Country location: how the country is found: the client's IP address
    /// (`clientIpAddress`, the default) or the Microsoft Authenticator app's
    /// GPS (`authenticatorAppGps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_lookup_method: Option<CountryLookupMethod>,
}

/// Graph `countryLookupMethodType` (`unknownFutureValue` is Graph's
/// evolvable-enum sentinel, never written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CountryLookupMethod {
    /// The country of the client's public IP address (default).
    ClientIpAddress,
    /// The GPS location reported by the Microsoft Authenticator app.
    AuthenticatorAppGps,
}

impl NamedLocation {
    /// An IP location (it has `ipRanges`).
    pub fn is_ip(&self) -> bool {
        self.ip_ranges.is_some()
    }

    /// A country location (it has `countriesAndRegions`).
    pub fn is_country(&self) -> bool {
        self.countries_and_regions.is_some()
    }

    /// Marked trusted.
    pub fn trusted(&self) -> bool {
        self.is_trusted == Some(true)
    }

    /// The ranges (empty for a country location).
    pub fn ranges(&self) -> &[String] {
        self.ip_ranges.as_deref().unwrap_or_default()
    }

    /// The countries (empty for an IP location).
    pub fn countries(&self) -> &[String] {
        self.countries_and_regions.as_deref().unwrap_or_default()
    }

    /// Includes unknown countries and regions.
    pub fn include_unknown(&self) -> bool {
        self.include_unknown_countries_and_regions == Some(true)
    }
}

/// The JSON Schema of a named location spec.
pub fn location_schema() -> serde_json::Value {
    let mut schema =
        crate::model::generate::<NamedLocation>(schemars::generate::SchemaSettings::draft2020_12());
    schema["$id"] = crate::model::schema_id("location.schema.json").into();
    schema
}
