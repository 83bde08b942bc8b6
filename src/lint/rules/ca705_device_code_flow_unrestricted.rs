//! CA705 `device-code-flow-unrestricted` (set rule).

use super::helpers::{Allow, active, missing, narrowed};
use crate::diag::Severity;
use crate::lint::{Check, Context, Needs, Rule, SetHit};
use crate::model::TransferMethod;

pub static RULE: Rule = Rule {
    id: "CA705",
    name: "device-code-flow-unrestricted",
    severity: Severity::Warning,
    summary: "No active policy blocks device code flow for All users and All resources.",
    fix: "add a policy for All users and All resources with `authenticationFlows: [deviceCodeFlow]` and `grant: { builtInControls: [block] }`, excluding only the groups that need it",
    docs: r#"## What it checks
The policy set as a whole: it fires once when no active (enabled or report-only) policy
has `authenticationFlows` containing `deviceCodeFlow`, `users.include.users: [All]`,
`applications.include: [All]` with no resource exclusion other than the Device
Registration Service (`01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9`, which Teams Rooms and
shared devices need), and the `block` grant. User and group exclusions (the scoped
exception groups) are allowed. A policy narrowed by another condition — a location,
platform, device filter, client app type or risk level — does not count. Disabled
policies do not count; an empty set is not reported.

Maester (MT.1052) also accepts a compliant or hybrid-joined device grant; caac does not,
because Microsoft documents that device-state grants do not work with device code flow
(the device that completes the sign-in is not the one that asked).

## Why it matters
Device code phishing lets an attacker have a user sign in on the attacker's behalf on a
genuine Microsoft page. Microsoft recommends blocking device code flow wherever it is
not needed and ships a Microsoft-managed "Block device code flow" policy; CISA
MS.AAD.3.9v1 (SHOULD), CIS 5.2.2.12 and Maester MT.1052 ask for the block.

## Example
The block exists, but only outside the HQ location:
```yaml
displayName: CA006-BlockDeviceCodeFlow
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
locations:
  include: [All]
  exclude: [HQ]
authenticationFlows: [deviceCodeFlow]
grant:
  builtInControls: [block]
```

## Fix
```yaml
displayName: CA006-BlockDeviceCodeFlow
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access, Exception Group] }
applications:
  include: [All]
authenticationFlows: [deviceCodeFlow]
grant:
  builtInControls: [block]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows
- https://learn.microsoft.com/entra/identity/conditional-access/policy-block-authentication-flows
- https://learn.microsoft.com/entra/identity/conditional-access/policy-teams-devices-device-code-flow
- https://learn.microsoft.com/entra/identity/conditional-access/managed-policies
- https://github.com/cisagov/ScubaGear (PowerShell/ScubaGear/baselines/aad.md, MS.AAD.3.9v1)
- https://maester.dev/docs/tests/MT.1052
- CIS Microsoft 365 Foundations Benchmark 5.2.2.12
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

/// Device Registration Service: the one resource the block may leave out.
const DRS: &str = "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9";

fn check(set: &[Context]) -> Vec<SetHit> {
    let found = active(set).any(|p| {
        p.authentication_flows
            .contains(&TransferMethod::DeviceCodeFlow)
            && p.includes_all_users()
            && p.includes_all_apps()
            && p.applications
                .as_ref()
                .is_none_or(|a| a.exclude.iter().all(|x| x == DRS))
            && p.blocks()
            && !narrowed(
                p,
                Allow {
                    flows: true,
                    ..Allow::default()
                },
            )
    });
    missing(
        set,
        found,
        "no active policy blocks device code flow (`authenticationFlows: [deviceCodeFlow]`, `block`) for All users and All resources; add one",
    )
}
