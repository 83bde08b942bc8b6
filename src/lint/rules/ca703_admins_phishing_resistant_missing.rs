//! CA703 `admins-phishing-resistant-missing` (set rule).

use super::helpers::{Allow, active, covers_admin_roles, demands_mfa, missing, narrowed};
use crate::diag::Severity;
use crate::lint::config::Profile;
use crate::lint::{Check, Context, Needs, Rule, SetHit};

pub static RULE: Rule = Rule {
    id: "CA703",
    name: "admins-phishing-resistant-missing",
    severity: Severity::Warning,
    summary: "No active policy requires phishing-resistant MFA for the privileged roles on All resources.",
    fix: "add a policy that includes the 14 admin roles, targets All resources and grants with `authenticationStrength: Phishing-resistant MFA`",
    docs: r#"## What it checks
The policy set as a whole: it fires once when no active (enabled or report-only) policy
- includes every one of the 14 admin roles of Microsoft's admin templates in
  `users.include.roles` (Global, Security, SharePoint, Exchange, Conditional Access,
  Helpdesk, Billing, User, Authentication, Application, Cloud Application, Password,
  Privileged Authentication and Privileged Role Administrator) — or includes All users —
  and excludes none of them;
- targets `applications.include: [All]`;
- grants with the built-in *Phishing-resistant MFA* strength
  (`00000000-0000-0000-0000-000000000004`), with no `OR` alternative;
- is not limited by another condition (risk, location, platform, device filter, flows).

Including more roles (Microsoft's phishing-resistant template adds five workload admin
roles, 19 in all) is fine. A **custom** authentication strength does not count yet: it
is phishing-resistant only if its allowed combinations are limited to Windows Hello for
Business, FIDO2/passkeys and certificate-based MFA (ScubaGear's test), and caac does not
know a custom strength's combinations. Use the built-in strength, or switch the rule off
for a reviewed custom one.

Severity: warning under the default `microsoft` profile, error under `profile: strict`
(CISA MS.AAD.3.6v1 and CIS 5.2.2.5 make it mandatory). The role list is the 14 template
roles in both profiles; CISA's own list of eight highly privileged roles differs
(it adds Hybrid Identity Administrator). Disabled policies do not count; an empty set is
not reported.

## Why it matters
Admin accounts are the first target of phishing and adversary-in-the-middle attacks,
which defeat push, SMS and OTP MFA. Microsoft's template "Require phishing-resistant MFA
for administrators" (`76c03f19…`), CISA MS.AAD.3.6v1, CIS 5.2.2.5 and Microsoft's Secure
Future Initiative recommendations all ask for phishing-resistant methods for admins.
Make sure the admins have registered such a method before enforcing.

## Example
Admins only need ordinary MFA:
```yaml
displayName: CA002-Admins-MFA
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

## Fix
```yaml
displayName: CA002-Admins-PhishingResistantMFA
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
  authenticationStrength: Phishing-resistant MFA
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/policy-admin-phish-resistant-mfa
- https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://learn.microsoft.com/entra/fundamentals/configure-security
- https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access
- https://github.com/cisagov/ScubaGear (PowerShell/ScubaGear/baselines/aad.md, MS.AAD.3.6v1)
- CIS Microsoft 365 Foundations Benchmark 5.2.2.5
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

/// The built-in "Phishing-resistant MFA" authentication strength.
const PHISHING_RESISTANT: &str = "00000000-0000-0000-0000-000000000004";

fn check(set: &[Context]) -> Vec<SetHit> {
    let found = active(set).any(|p| {
        covers_admin_roles(p)
            && p.includes_all_apps()
            && demands_mfa(p, false, |s| s == PHISHING_RESISTANT)
            && !narrowed(p, Allow::default())
    });
    let mut hits = missing(
        set,
        found,
        "no active policy requires the Phishing-resistant MFA strength for the 14 admin roles on All resources; add one",
    );
    if set
        .first()
        .is_some_and(|c| c.config.profile == Profile::Strict)
    {
        for (_, hit) in &mut hits {
            hit.severity = Some(Severity::Error);
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ADMIN_ROLES_14;
    use crate::lint::config::Config;
    use crate::model::{Applications, Grant, Policy, UserSet, Users};
    use crate::test_support::with_set;

    fn admins(strength: &str) -> Policy {
        Policy {
            display_name: "admins".into(),
            users: Some(Users {
                include: Some(UserSet {
                    roles: ADMIN_ROLES_14.iter().map(|r| (*r).to_owned()).collect(),
                    ..UserSet::default()
                }),
                exclude: None,
            }),
            applications: Some(Applications {
                include: vec!["All".into()],
                ..Applications::default()
            }),
            grant: Some(Grant {
                authentication_strength: Some(strength.into()),
                ..Grant::default()
            }),
            ..Policy::default()
        }
    }

    #[test]
    fn built_in_phishing_resistant_strength_satisfies() {
        let hits = with_set(&[admins(PHISHING_RESISTANT)], &Config::default(), check);
        assert!(hits.is_empty());
    }

    #[test]
    fn custom_strength_does_not_count_and_strict_is_an_error() {
        let custom = admins("77777777-7777-4777-8777-777777777777");
        let hits = with_set(std::slice::from_ref(&custom), &Config::default(), check);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].1.severity, None);
        let strict = Config {
            profile: Profile::Strict,
            ..Config::default()
        };
        let hits = with_set(&[custom], &strict, check);
        assert_eq!(hits[0].1.severity, Some(Severity::Error));
    }
}
