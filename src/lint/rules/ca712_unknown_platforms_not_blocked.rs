//! CA712 `unknown-platforms-not-blocked` (set rule).

use super::helpers::{Allow, active, missing, narrowed};
use crate::diag::Severity;
use crate::lint::{Check, Context, Needs, Rule, SetHit};
use crate::model::Platform;

pub static RULE: Rule = Rule {
    id: "CA712",
    name: "unknown-platforms-not-blocked",
    severity: Severity::Warning,
    summary: "No active policy blocks unknown or unsupported device platforms.",
    fix: "add a block policy with `platforms: { include: [all], exclude: [android, iOS, windows, macOS, linux] }`",
    docs: r#"## What it checks
The policy set as a whole: it fires once when no active (enabled or report-only) policy
has `platforms.include: [all]`, a non-empty `platforms.exclude` (the platforms you
support, which other policies then handle) and the `block` grant. Whatever is left —
platforms the client does not report or reports as something unexpected — is blocked.

The catalogue says the exclusions should cover the supported platforms; caac accepts any
non-empty exclusion list, because excluding fewer platforms blocks more (some
organisations deliberately block Linux too). The policy may be scoped to a group or to
some resources — the Token Protection companion policy (Exchange and SharePoint for the
pilot group) counts, as it does for Maester MT.1015. A policy narrowed by another
condition (location, client app type, risk, device filter) does not count. Disabled
policies do not count; an empty set is not reported.

## Why it matters
The platform condition is reported by the client and can be spoofed or missing. Policies
that require a compliant device or Token Protection for known platforms are bypassed by a
client that claims an unknown one, unless that case is blocked. Microsoft's template
"Block access for unknown or unsupported device platform" (`4e39a309…`), the conditions
guidance and the Token Protection deployment guides all recommend the block.

## Example
The unknown-platform policy grants instead of blocking:
```yaml
displayName: CA411-TokenProtection-BlockUnknownPlatforms
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms:
  include: [all]
  exclude: [android, iOS, windows, macOS, linux]
grant:
  builtInControls: [compliantDevice]
```

## Fix
```yaml
displayName: CA411-TokenProtection-BlockUnknownPlatforms
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms:
  include: [all]
  exclude: [android, iOS, windows, macOS, linux]
grant:
  builtInControls: [block]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-device-unknown-unsupported
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions
- https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection
- https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-windows
- https://maester.dev/docs/tests/MT.1015
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let found = active(set).any(|p| {
        p.platforms
            .as_ref()
            .is_some_and(|pl| pl.include.contains(&Platform::All) && !pl.exclude.is_empty())
            && p.blocks()
            && !narrowed(
                p,
                Allow {
                    platforms: true,
                    ..Allow::default()
                },
            )
    });
    missing(
        set,
        found,
        "no active policy blocks unknown device platforms (`platforms: { include: [all], exclude: [<supported platforms>] }` with `block`); add one",
    )
}
