//! CA901 `unknown-named-location`.

use crate::catalog::{self, Kind};
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA901",
    name: "unknown-named-location",
    severity: Severity::Error,
    summary: "A location id in `locations` is not a named location of the tenant file.",
    fix: "create the named location first and add it under `namedLocations:` in tenant.yaml, or fix the id",
    docs: r#"## What it checks
Every value of `locations.include` / `locations.exclude` after resolution, except the
keywords `All` and `AllTrusted` and the two fixed special location ids (MFA trusted IPs
`00000000-0000-0000-0000-000000000000`, All Compliant Network locations
`3d46dbda-8382-466a-856d-eb00cbc6b910`), must be the id of a named location listed under
`namedLocations:` in the tenant file (ids compared case-insensitively).

A location *name* that is not in the tenant file never gets here: resolution fails closed
with `unknown-name`. This rule is about ids written directly into a spec or carried over
from an export. Without a tenant file the rule is skipped, never guessed.

## Why it matters
Graph only accepts ids of named locations that exist: creating or updating the policy fails
(error 1040), and an id left behind by a deleted location means the policy no longer covers
the network you meant. A stale tenant file is also worth catching: if the location exists,
add it to `tenant.yaml` so names and reviews stay accurate.

## Example
```yaml
displayName: CA010-Block-Untrusted-Countries
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
locations:
  include: [5e1c0d2a-8b4f-4c3e-9a7d-1f2e3d4c5b6a]   # deleted or mistyped location
grant: { builtInControls: [block] }
```

## Fix
```yaml
locations:
  include: [Blocked Countries]   # listed under namedLocations: in tenant.yaml
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network
"#,
    needs: Needs::Directory,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let (Some(_), Some(loc)) = (ctx.tenant, &ctx.policy.locations) else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for (side, list) in [("include", &loc.include), ("exclude", &loc.exclude)] {
        for (i, id) in list.iter().enumerate() {
            let known = catalog::keyword(Kind::Location, id).is_some()
                || catalog::find_by_id(Kind::Location, id).is_some()
                || ctx.listed(Kind::Location, id);
            if !known {
                hits.push(Hit::at(
                    format!("/locations/{side}/{i}"),
                    format!(
                        "named location `{id}` is not in the tenant file; create it and list it under `namedLocations:`, or fix the id"
                    ),
                ));
            }
        }
    }
    hits
}
