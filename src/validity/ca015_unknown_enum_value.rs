//! CA015 `unknown-enum-value`.

use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA015",
    name: "unknown-enum-value",
    summary: "A value is not one of the exact (case-sensitive) values Graph allows for that field.",
    fix: "use the exact Graph spelling, case included (the did-you-mean shows it)",
    docs: r#"## What it checks
Every enumerated field of the spec against the values Graph allows, case included:
`state`, `clientAppTypes`, `platforms.include/exclude` (`android`, `iOS`, `windows`,
`windowsPhone`, `macOS`, `linux`, `all`), `signInRiskLevels`, `userRiskLevels`,
`servicePrincipalRiskLevels`, `insiderRiskLevels`, `agentIdRiskLevels`,
`authenticationFlows`, `guestsOrExternalUsers.types`, `grant.operator`,
`grant.builtInControls`, filter modes and the session enums (`signInFrequency.type`,
`frequencyInterval`, `authenticationType`, `persistentBrowser`, `cloudAppSecurity`,
`continuousAccessEvaluation`). The JSON Schema stage enforces it before anything else
runs, with a did-you-mean (`ios` → `iOS`); the deprecated `easUnsupported` and `modern`
client app types are refused.

Graph's flags enums (`authenticationFlows.transferMethods`, guest types, insider risk) are
lists in the spec and are joined into Graph's comma-separated string by caac, so a list is
correct there; an unknown member of the list is still reported.

Because the typed model cannot hold an unknown value, the policy cannot be compiled
until the value is fixed: `caac build` treats this finding as an input error (exit 2).

## Why it matters
Graph compares these values case-sensitively: it rejects an unknown value or, for some
fields, silently ignores it, so a policy meant for iOS devices written as `ios` would not
apply to them.

## Example
```yaml
platforms: { include: [ios] }
```

## Fix
```yaml
platforms: { include: [iOS] }
```

## References
- https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy
- https://learn.microsoft.com/graph/api/resources/conditionalaccessplatforms
- https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset
"#,
    check: None,
};
