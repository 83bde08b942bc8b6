//! CA026 `location-kind-conflict` (named location specs).

use crate::diag::Hit;
use crate::objects::NamedLocation;
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA026",
    name: "location-kind-conflict",
    summary: "A named location spec is neither or both an IP location and a country location, or mixes their properties.",
    fix: "write `ipRanges` (and optionally `isTrusted`) for an IP location, or `countriesAndRegions` (and optionally `includeUnknownCountriesAndRegions`, `countryLookupMethod`) for a country location",
    docs: r#"## What it checks
A named location spec is an IP location (`ipRanges`, optionally `isTrusted`) or a country
location (`countriesAndRegions`, optionally `includeUnknownCountriesAndRegions` and
`countryLookupMethod`). A file with both `ipRanges` and `countriesAndRegions`, with neither,
or with a property of the other kind (`isTrusted` on a country location) is an error. An IP
location needs at least one range; a country location needs at least one country or
`includeUnknownCountriesAndRegions: true`.

## Why it matters
Graph has two types, `ipNamedLocation` and `countryNamedLocation`, each with its own
properties: `isTrusted` exists only on `ipNamedLocation`, so a country location cannot be
trusted and never counts for "All trusted networks and locations". Graph requires
`ipRanges` and `countriesAndRegions` on their types.

## Example
```yaml
displayName: Netherlands
countriesAndRegions: [NL]
isTrusted: true
```

## Fix
```yaml
displayName: Netherlands
countriesAndRegions: [NL]
```

## References
- https://learn.microsoft.com/graph/api/resources/ipnamedlocation
- https://learn.microsoft.com/graph/api/resources/countrynamedlocation
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#trusted-locations
"#,
    check: None,
};

/// The hits of one location.
pub fn check(loc: &NamedLocation) -> Vec<Hit> {
    let mut hits = Vec::new();
    match (loc.is_ip(), loc.is_country()) {
        (true, true) => hits.push(Hit::at_key(
            "/countriesAndRegions",
            "a named location has `ipRanges` or `countriesAndRegions`, not both; split it into an IP location and a country location",
        )),
        (false, false) => hits.push(Hit::at_key(
            "/displayName",
            "the named location has neither `ipRanges` (an IP location) nor `countriesAndRegions` (a country location)",
        )),
        (true, false) => {
            for key in [
                ("includeUnknownCountriesAndRegions", loc.include_unknown_countries_and_regions.is_some()),
                ("countryLookupMethod", loc.country_lookup_method.is_some()),
            ]
            .iter()
            .filter(|(_, set)| *set)
            .map(|(k, _)| k)
            {
                hits.push(Hit::at_key(
                    format!("/{key}"),
                    format!("`{key}` belongs to country locations; this is an IP location (`ipRanges`)"),
                ));
            }
            if loc.ranges().is_empty() {
                hits.push(Hit::at(
                    "/ipRanges",
                    "`ipRanges` is empty; an IP location needs at least one range",
                ));
            }
        }
        (false, true) => {
            if loc.is_trusted.is_some() {
                hits.push(Hit::at_key(
                    "/isTrusted",
                    "`isTrusted` exists only on IP locations: a country location cannot be trusted (Graph countryNamedLocation has no isTrusted)",
                ));
            }
            if loc.countries().is_empty() && !loc.include_unknown() {
                hits.push(Hit::at(
                    "/countriesAndRegions",
                    "`countriesAndRegions` is empty; list at least one country (or set `includeUnknownCountriesAndRegions: true`)",
                ));
            }
        }
    }
    hits
}
