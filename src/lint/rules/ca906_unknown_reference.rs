//! CA906 `unknown-reference`.

use crate::catalog::{self, Kind};
use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA906",
    name: "unknown-reference",
    severity: Severity::Error,
    summary: "An authentication strength, terms of use or authentication context id is not in the tenant file.",
    fix: "fix the id, or add the existing object to tenant.yaml (`authenticationStrengths:`, `termsOfUse:`, `authenticationContexts:`)",
    docs: r#"## What it checks
After resolution, with a tenant file:
- `grant.authenticationStrength` must be a built-in strength (Multifactor authentication
  `…0002`, Passwordless MFA `…0003`, Phishing-resistant MFA `…0004`) or an id listed under
  `authenticationStrengths:`;
- every `grant.termsOfUse` id must be listed under `termsOfUse:`;
- every `applications.authenticationContexts` id (`c1` … `c99`) must be listed under
  `authenticationContexts:`.

Ids are compared case-insensitively. Names that are not in the tenant file never get here
(resolution fails closed with `unknown-name`); this rule is about ids written directly into
a spec or carried over from an export. `grant.customAuthenticationFactors` (custom
controls, a preview feature) are not checked: the tenant file has no table for them.
Without a tenant file the rule is skipped, never guessed.

## Why it matters
The referenced objects must exist. Graph rejects a policy that points at a missing
authentication strength or terms of use agreement, and a policy targeting an authentication
context nobody defined or tags on any resource never applies.

## Example
```yaml
displayName: CA050-SensitiveData-Passkeys
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
applications:
  authenticationContexts: [c7]                                   # not defined
grant:
  operator: AND
  authenticationStrength: 3c9d7e1f-2a4b-4c8d-9e6f-0b1a2c3d4e5f   # deleted custom strength
  termsOfUse: [6f2a8c4e-1b3d-4e5f-8a7b-9c0d1e2f3a4b]              # deleted agreement
```

## Fix
```yaml
applications:
  authenticationContexts: [Sensitive Data]
grant:
  operator: AND
  authenticationStrength: Contoso Passkeys
  termsOfUse: [Contoso Terms]
```

## References
- https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols
- https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps
"#,
    needs: Needs::Directory,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(_) = ctx.tenant else {
        return Vec::new();
    };
    let p = ctx.policy;
    let mut hits = Vec::new();
    if let Some(grant) = &p.grant {
        if let Some(id) = &grant.authentication_strength {
            let known = catalog::find_by_id(Kind::AuthenticationStrength, id).is_some()
                || ctx.listed(Kind::AuthenticationStrength, id);
            if !known {
                hits.push(Hit::at(
                    "/grant/authenticationStrength",
                    format!(
                        "authentication strength `{id}` is neither built in nor in the tenant file; fix the id or list the strength under `authenticationStrengths:`"
                    ),
                ));
            }
        }
        for (i, id) in grant.terms_of_use.iter().enumerate() {
            if !ctx.listed(Kind::TermsOfUse, id) {
                hits.push(Hit::at(
                    format!("/grant/termsOfUse/{i}"),
                    format!(
                        "terms of use `{id}` is not in the tenant file; fix the id or list the agreement under `termsOfUse:`"
                    ),
                ));
            }
        }
    }
    if let Some(apps) = &p.applications {
        for (i, id) in apps.authentication_contexts.iter().enumerate() {
            if !ctx.listed(Kind::AuthenticationContext, id) {
                hits.push(Hit::at(
                    format!("/applications/authenticationContexts/{i}"),
                    format!(
                        "authentication context `{id}` is not in the tenant file; fix the id or list the context under `authenticationContexts:`"
                    ),
                ));
            }
        }
    }
    hits
}
