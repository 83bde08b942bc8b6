//! CA801 `naming-convention`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA801",
    name: "naming-convention",
    severity: Severity::Warning,
    summary: "A policy's displayName does not match the configured naming pattern.",
    fix: "rename the policy so its displayName matches `naming.pattern` in .caac.yaml",
    docs: r#"## What it checks
A policy whose `displayName` does not match the regular expression configured as
`naming.pattern` in `.caac.yaml` (Rust `regex` syntax; anchor it with `^…$` to match the
whole name). Without a configured pattern the rule is skipped.

```yaml
# .caac.yaml
naming:
  pattern: '^CA\d{3}-'
```

A fuller pattern for the Conditional Access framework's scheme
`<CANumber>-<Persona>-<PolicyType>-<App>-<Platform>-<GrantControl>[-<Description>]`
(Persona e.g. Global, Admins, Internals, Externals, GuestUsers, WorkloadIdentities; PolicyType
e.g. BaseProtection, IdentityProtection, DataProtection, AttackSurfaceReduction; Platform
e.g. AnyPlatform, Windows, iOSAndroid; Grant e.g. Block, MFA, AuthStrength, Compliant):

```yaml
naming:
  pattern: '^CA\d{3,4}-(Global|Admins|Internals|Externals|GuestUsers|GuestAdmins|Microsoft365ServiceAccounts|AzureServiceAccounts|CorpServiceAccounts|WorkloadIdentities|Developers)-(BaseProtection|AppProtection|DataProtection|IdentityProtection|AttackSurfaceReduction|Compliance)-[A-Za-z0-9]+-(AnyPlatform|Unknown|Windows|WindowsPhone|macOS|iOS|Android|Linux|iOSAndroid)-[A-Za-z]+(-.+)?$'
```

Microsoft's own planning guide suggests a simpler standard: a sequence number, the cloud
apps, the response, who it applies to and when.

## Why it matters
A naming standard lets people find a policy, understand what it does without opening it,
and talk about it ("open CA014"). caac's plan/apply and reviews also key on display names.

## Example
```yaml
displayName: Require MFA for everyone
```

## Fix
```yaml
displayName: CA001-Global-BaseProtection-AllApps-AnyPlatform-MFA
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
- https://learn.microsoft.com/azure/architecture/guide/security/conditional-access-framework
- https://learn.microsoft.com/azure/architecture/guide/security/conditional-access-design
"#,
    needs: Needs::Config,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(pattern) = &ctx.config.naming else {
        return Vec::new();
    };
    let name = &ctx.policy.display_name;
    if pattern.is_match(name) {
        return Vec::new();
    }
    vec![Hit::at(
        "/displayName",
        format!(
            "display name `{name}` does not match the naming pattern `{}`; rename the policy to follow the convention",
            pattern.as_str()
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::RULE;

    /// The framework pattern in the docs accepts the Fix name and rejects the Example name.
    #[test]
    fn documented_pattern_matches_the_documented_names() {
        let line = RULE
            .docs
            .lines()
            .find(|l| l.trim_start().starts_with("pattern: '^CA\\d{3,4}-"))
            .expect("framework pattern in docs");
        let pattern = line
            .trim()
            .trim_start_matches("pattern: '")
            .trim_end_matches('\'');
        let re = regex::Regex::new(pattern).expect("valid regex");
        assert!(re.is_match("CA001-Global-BaseProtection-AllApps-AnyPlatform-MFA"));
        assert!(
            re.is_match(
                "CA205-Admins-IdentityProtection-AllApps-AnyPlatform-AuthStrength-Phishing"
            )
        );
        assert!(!re.is_match("Require MFA for everyone"));
        assert!(!re.is_match("CA001-Everyone-BaseProtection-AllApps-AnyPlatform-MFA"));
    }
}
