//! CA913 `unknown-countries-in-block-exclusion`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA913",
    name: "unknown-countries-in-block-exclusion",
    severity: Severity::Warning,
    summary: "A block policy excludes a country location that includes unknown countries and regions.",
    fix: "set `includeUnknownCountriesAndRegions: false` on the excluded (allowed) location, or exclude a location without it",
    docs: r#"## What it checks
A policy that blocks (`grant.builtInControls: [block]`) and excludes, in `locations.exclude`,
a country named location with `includeUnknownCountriesAndRegions: true` (in `locations/` or
in tenant.yaml `namedLocations:` with `includeUnknownCountries: true`).

## Why it matters
The usual "block everything except our countries" policy includes `All` and excludes the
allowed countries. Including unknown countries and regions in that allowed location lets every
sign-in whose address maps to no country through the block: IP addresses that don't map to a
country or region, which include anonymising networks and some IPv6 addresses.

## Example
```yaml
displayName: CA011-Block-Outside-Allowed-Countries
users: { include: { users: [All] }, exclude: { groups: [Emergency Access] } }
applications: { include: [All] }
locations: { include: [All], exclude: [Allowed countries] }   # includes unknown countries
grant: { builtInControls: [block] }
```

## Fix
```yaml
# locations/allowed-countries.yaml
displayName: Allowed countries
countriesAndRegions: [NL, BE]
includeUnknownCountriesAndRegions: false
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network#countries
- https://learn.microsoft.com/graph/api/resources/countrynamedlocation
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let (Some(t), Some(loc)) = (ctx.tenant, &ctx.policy.locations) else {
        return Vec::new();
    };
    if !ctx.policy.blocks() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (i, id) in loc.exclude.iter().enumerate() {
        let found = t
            .named_locations
            .iter()
            .find(|(_, e)| e.id().eq_ignore_ascii_case(id));
        if let Some((name, e)) = found
            && e.detail().is_some_and(|d| d.include_unknown_countries)
        {
            hits.push(Hit::at(
                format!("/locations/exclude/{i}"),
                format!(
                    "the block is lifted for `{name}`, which includes unknown countries and regions: sign-ins whose address maps to no country are not blocked"
                ),
            ));
        }
    }
    hits
}
