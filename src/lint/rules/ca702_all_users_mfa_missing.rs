//! CA702 `all-users-mfa-missing` (set rule).

use super::helpers::{Allow, active, demands_mfa, missing, narrowed};
use crate::diag::Severity;
use crate::lint::{Check, Context, Needs, Rule, SetHit};

pub static RULE: Rule = Rule {
    id: "CA702",
    name: "all-users-mfa-missing",
    severity: Severity::Error,
    summary: "No active policy requires MFA for All users on All resources.",
    fix: "add a policy for All users and All resources whose grant is an authentication strength (preferred) or `mfa`",
    docs: r#"## What it checks
The policy set as a whole: it fires once when no active (enabled or report-only) policy
has `users.include.users: [All]`, `applications.include: [All]` and a grant that always
demands MFA — `builtInControls: [mfa]` or an `authenticationStrength`. Exclusions are
allowed. A policy does not count when:
- its `OR` grant offers another way in (`mfa` or a compliant device, terms of use, …);
- a condition limits it to some sign-ins — risk levels, a location other than `All`
  without exclusions, a platform condition, a device filter, authentication flows or
  client app types that leave out browsers or mobile/desktop clients. A sign-in-risk
  MFA policy or a user-risk password-change policy is not the MFA baseline.

Every authentication strength counts: the built-in *Multifactor authentication*
(`…0002`), *Passwordless MFA* (`…0003`) and *Phishing-resistant MFA* (`…0004`), and
custom strengths from the tenant file. caac does not know a custom strength's allowed
combinations, so it assumes a custom strength is multifactor. Graph documents that a
strength "may or may not fulfill the requirements to grant an MFA claim"
(`requirementsSatisfied`), so check custom strengths used here yourself.
Disabled policies do not count; an empty set is not reported.

## Why it matters
Conditional Access has no implicit deny: a resource that no policy covers is reachable
with a password alone. Microsoft's baseline recommendation is one policy for All users
and All resources requiring MFA, without resource exclusions (template `a3d0a415…`);
CISA MS.AAD.3.2v2, CIS 5.2.2.2 and Maester MT.1007 require it too.

## Example
MFA is required only on risky sign-ins:
```yaml
displayName: CA004-SignInRisk-MFA
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
signInRiskLevels: [high, medium]
grant:
  authenticationStrength: Multifactor authentication
```

## Fix
Add the baseline beside it:
```yaml
displayName: CA003-AllUsers-MFA
users:
  include: { users: [All] }
  exclude:
    groups: [Emergency Access]
    roles: [Directory Synchronization Accounts]
applications:
  include: [All]
grant:
  authenticationStrength: Multifactor authentication
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-mfa-strength
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths
- https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy
- https://github.com/cisagov/ScubaGear (PowerShell/ScubaGear/baselines/aad.md, MS.AAD.3.2v2)
- https://maester.dev/docs/tests/MT.1007
- CIS Microsoft 365 Foundations Benchmark 5.2.2.2
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let found = active(set).any(|p| {
        p.includes_all_users()
            && p.includes_all_apps()
            && demands_mfa(p, true, |_| true)
            && !narrowed(p, Allow::default())
    });
    missing(
        set,
        found,
        "no active policy requires MFA (`mfa` or an authentication strength) for All users on All resources without further conditions; add one",
    )
}
