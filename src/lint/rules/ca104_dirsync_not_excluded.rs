//! CA104 `dirsync-not-excluded`.

use crate::diag::Severity;
use crate::lint::config::Profile;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::{BuiltInControl, State};

/// Role template id of Directory Synchronization Accounts.
pub(crate) const DIRSYNC_ROLE: &str = "d29b2b05-8046-44ba-8758-1e26182fcf32";

pub static RULE: Rule = Rule {
    id: "CA104",
    name: "dirsync-not-excluded",
    severity: Severity::Warning,
    summary: "An enforced All-users, All-resources MFA or device policy does not exclude the Directory Synchronization Accounts role.",
    fix: "add `Directory Synchronization Accounts` to `users.exclude.roles`, or move sync to application-based authentication",
    docs: r#"## What it checks
An enforced (`state: enabled`) policy that includes `All` users and `All` resources and
requires MFA, an authentication strength, `compliantDevice` or `domainJoinedDevice`,
whose `users.exclude.roles` lacks the *Directory Synchronization Accounts* role
(`d29b2b05-8046-44ba-8758-1e26182fcf32`). Block policies (such as the legacy
authentication block) and guest-only policies are not concerned.

caac checks the role only: `tenant.yaml` does not mark which user is a sync account, so
excluding the sync user by name is not recognised; exclude the role (or suppress the
finding with a reason). Not applicable when the tenant's sync uses application-based
authentication (the default for new Entra Connect 2.5.76+ installs): then suppress it,
e.g. `# caac-ignore-file: CA104 Entra Connect uses application-based auth`.

Sources conflict: CISA ScubaGear requires `excludeRoles` to be empty, so under
`profile: strict` (`.caac.yaml`) this rule stays silent — move sync to application-based
authentication instead.

## Why it matters
The on-premises sync account of Entra Connect / Cloud Sync cannot do MFA or present a
compliant device; an enforced all-users policy stops directory synchronisation. Microsoft's
"Require MFA for all users", "compliant or hybrid joined device or MFA" and "MDM-enrolled
compliant device" templates therefore exclude this role, and the all-users MFA how-to says
to. Maester checks it as MT.1020.

## Example
```yaml
state: enabled   # caac-ignore: CA201 report-only reviewed for 14 days
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
grant: { authenticationStrength: Multifactor authentication }
```

## Fix
```yaml
state: enabled   # caac-ignore: CA201 report-only reviewed for 14 days
users:
  include: { users: [All] }
  exclude:
    groups: [Emergency Access]
    roles: [Directory Synchronization Accounts]
applications: { include: [All] }
grant: { authenticationStrength: Multifactor authentication }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-mfa-strength
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
- https://maester.dev/docs/tests/MT.1020
- https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/aad.md
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if ctx.config.profile == Profile::Strict
        || p.state != State::Enabled
        || !p.includes_all_users()
        || !p.includes_all_apps()
    {
        return Vec::new();
    }
    let device = p.built_in_controls().iter().any(|c| {
        matches!(
            c,
            BuiltInControl::CompliantDevice | BuiltInControl::DomainJoinedDevice
        )
    });
    if !(p.requires_mfa() || device) || p.blocks() {
        return Vec::new();
    }
    let excluded = p
        .user_exclude()
        .is_some_and(|e| e.roles.iter().any(|r| r == DIRSYNC_ROLE));
    if excluded {
        return Vec::new();
    }
    vec![Hit::at_key(
        "/users/exclude/roles",
        "the Directory Synchronization Accounts role is not excluded, so the sync account (which cannot do MFA or device checks) is blocked and directory sync stops; exclude the role",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::test_support::run_json;
    use serde_json::json;

    fn policy(state: &str, roles: &[&str]) -> serde_json::Value {
        json!({"displayName": "x", "state": state,
            "users": {"include": {"users": ["All"]}, "exclude": {"roles": roles}},
            "applications": {"include": ["All"]},
            "grant": {"builtInControls": ["compliantDevice"]}})
    }

    #[test]
    fn only_enforced_policies_without_the_role_are_reported() {
        let c = Config::default();
        assert_eq!(run_json(check, policy("enabled", &[]), &c).len(), 1);
        assert!(run_json(check, policy("reportOnly", &[]), &c).is_empty());
        assert!(run_json(check, policy("enabled", &[DIRSYNC_ROLE]), &c).is_empty());
    }

    #[test]
    fn strict_profile_is_silent() {
        let c = Config {
            profile: Profile::Strict,
            ..Config::default()
        };
        assert!(run_json(check, policy("enabled", &[]), &c).is_empty());
    }

    #[test]
    fn legacy_block_is_not_concerned() {
        let p = json!({"displayName": "x", "state": "enabled",
            "users": {"include": {"users": ["All"]}},
            "applications": {"include": ["All"]}, "clientAppTypes": ["exchangeActiveSync", "other"],
            "grant": {"builtInControls": ["block"]}});
        assert!(run_json(check, p, &Config::default()).is_empty());
    }
}
