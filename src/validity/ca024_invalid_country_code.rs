//! CA024 `invalid-country-code` (named location specs).

use crate::diag::Hit;
use crate::objects::{NamedLocation, countries};
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA024",
    name: "invalid-country-code",
    summary: "A country named location lists a value that is not an ISO 3166-1 alpha-2 code.",
    fix: "write the two-letter ISO 3166-1 code in capitals, e.g. `NL`, `\"NO\"`, `GB` (not `UK`)",
    docs: r#"## What it checks
Every entry of a named location spec's `countriesAndRegions` must be an officially assigned
ISO 3166-1 alpha-2 code, in capitals (`NL`, `GB`, `US`).

## Why it matters
Graph's `countryNamedLocation.countriesAndRegions` is a "list of countries and/or regions in
two-letter format": a three-letter code, a name, or a reserved code such as `UK` or `EU`
matches no sign-in, so a block or allow list silently means something else.

## Example
```yaml
displayName: Allowed countries
countriesAndRegions: [NLD, UK, nl]
```

## Fix
```yaml
displayName: Allowed countries
countriesAndRegions: [NL, GB]
```

## References
- https://learn.microsoft.com/graph/api/resources/countrynamedlocation
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#countries
- https://www.iso.org/iso-3166-country-codes.html
"#,
    check: None,
};

/// The hits of one location.
pub fn check(loc: &NamedLocation) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, code) in loc.countries().iter().enumerate() {
        if countries::is_alpha2(code) {
            continue;
        }
        let upper = code.trim().to_ascii_uppercase();
        let hint = if countries::is_alpha2(&upper) {
            format!("; write `{upper}` (capitals)")
        } else if upper == "UK" {
            "; the United Kingdom is `GB`".to_owned()
        } else {
            String::new()
        };
        hits.push(Hit::at(
            format!("/countriesAndRegions/{i}"),
            format!("`{code}` is not an ISO 3166-1 alpha-2 country code{hint}"),
        ));
    }
    hits
}
