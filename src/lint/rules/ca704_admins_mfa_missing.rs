//! CA704 `admins-mfa-missing` (set rule).

use super::helpers::covers_admin_roles;
use super::helpers::{Allow, active, demands_mfa, missing, narrowed};
use crate::diag::Severity;
use crate::lint::{Check, Context, Needs, Rule, SetHit};

pub static RULE: Rule = Rule {
    id: "CA704",
    name: "admins-mfa-missing",
    severity: Severity::Error,
    summary: "No active policy requires any MFA of the privileged roles (or of All users) on All resources.",
    fix: "add a policy that includes the 14 admin roles, targets All resources and grants with an authentication strength or `mfa`",
    docs: r#"## What it checks
The policy set as a whole: it fires once when not even plain MFA covers the admins —
no active (enabled or report-only) policy
- includes All users, or every one of the 14 admin roles of Microsoft's admin templates
  (Global, Security, SharePoint, Exchange, Conditional Access, Helpdesk, Billing, User,
  Authentication, Application, Cloud Application, Password, Privileged Authentication and
  Privileged Role Administrator), and excludes none of those roles;
- targets `applications.include: [All]`;
- grants with `mfa` or any authentication strength, with no `OR` alternative;
- is not limited by another condition (risk, location, platform, device filter, flows).

So the all-users MFA baseline (CA702) or the phishing-resistant admin policy (CA703)
satisfies it. Custom authentication strengths count as MFA (caac does not know their
combinations; see CA702). Disabled policies do not count; an empty set is not reported.

## Why it matters
Privileged accounts can change every other control. Microsoft's template "Require MFA
for administrators" (`c7503427…`), CIS 5.2.2.1 and Maester MT.1006 require MFA for the
admin roles at every sign-in; when this fires, admins sign in with a password alone
wherever no other policy happens to apply.

## Example
Admins are covered only for the admin portals:
```yaml
displayName: CA008-Admins-MFA-AdminPortals
users:
  include:
    roles: [Global Administrator, Security Administrator, SharePoint Administrator,
      Exchange Administrator, Conditional Access Administrator, Helpdesk Administrator,
      Billing Administrator, User Administrator, Authentication Administrator,
      Application Administrator, Cloud Application Administrator, Password Administrator,
      Privileged Authentication Administrator, Privileged Role Administrator]
  exclude: { groups: [Emergency Access] }
applications:
  include: [MicrosoftAdminPortals]
grant:
  builtInControls: [mfa]
```

## Fix
```yaml
displayName: CA008-Admins-MFA
users:
  include:
    roles: [Global Administrator, Security Administrator, SharePoint Administrator,
      Exchange Administrator, Conditional Access Administrator, Helpdesk Administrator,
      Billing Administrator, User Administrator, Authentication Administrator,
      Application Administrator, Cloud Application Administrator, Password Administrator,
      Privileged Authentication Administrator, Privileged Role Administrator]
  exclude: { groups: [Emergency Access] }
applications:
  include: [All]
grant:
  authenticationStrength: Multifactor authentication
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/policy-old-require-mfa-admin
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
- https://maester.dev/docs/tests/MT.1006
- CIS Microsoft 365 Foundations Benchmark 5.2.2.1
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

fn check(set: &[Context]) -> Vec<SetHit> {
    let found = active(set).any(|p| {
        covers_admin_roles(p)
            && p.includes_all_apps()
            && demands_mfa(p, true, |_| true)
            && !narrowed(p, Allow::default())
    });
    missing(
        set,
        found,
        "no active policy requires MFA of the 14 admin roles (or of All users) on All resources; add one",
    )
}
