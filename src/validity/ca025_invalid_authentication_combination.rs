//! CA025 `invalid-authentication-combination` (authentication strength specs).

use crate::diag::Hit;
use crate::objects::strength::{AUTHENTICATION_METHOD_MODES, AuthenticationStrength, members};
use crate::validity::Constraint;

pub static CONSTRAINT: Constraint = Constraint {
    id: "CA025",
    name: "invalid-authentication-combination",
    summary: "An authentication strength has no combination, or one made of something that is not an authentication method mode.",
    fix: "list at least one combination of `authenticationMethodModes` members, e.g. `fido2` or `password,microsoftAuthenticatorPush`",
    docs: r#"## What it checks
An authentication strength spec's `allowedCombinations` must hold at least one combination,
and every combination must be one or more members of Graph's `authenticationMethodModes`
(`password`, `voice`, `hardwareOath`, `softwareOath`, `sms`, `fido2`,
`windowsHelloForBusiness`, `microsoftAuthenticatorPush`, `deviceBasedPush`,
`temporaryAccessPassOneTime`, `temporaryAccessPassMultiUse`, `email`,
`x509CertificateSingleFactor`, `x509CertificateMultiFactor`, `federatedSingleFactor`,
`federatedMultiFactor`, `qrCodePin`) joined by commas, spelt exactly. A combination
configuration's `appliesToCombinations` must name combinations the strength allows, and one
configuration is either FIDO2 (`allowedAAGUIDs`) or X.509 (`allowedIssuerSkis`,
`allowedPolicyOIDs`), not both.

## Why it matters
`allowedCombinations` is a collection of `authenticationMethodModes` values; Graph rejects a
strength with an unknown method, and a strength nobody can satisfy blocks every sign-in of the
policies that require it.

## Example
```yaml
displayName: Admins
allowedCombinations: [fido, "password,authenticatorApp"]
```

## Fix
```yaml
displayName: Admins
allowedCombinations: [fido2, "password,microsoftAuthenticatorPush"]
```

## References
- https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy
- https://learn.microsoft.com/graph/api/resources/authenticationcombinationconfiguration
- https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths
"#,
    check: None,
};

/// The hits of one strength.
pub fn check(s: &AuthenticationStrength) -> Vec<Hit> {
    let mut hits = Vec::new();
    if s.allowed_combinations.is_empty() {
        hits.push(Hit::at(
            "/allowedCombinations",
            "`allowedCombinations` is empty: no sign-in could satisfy this strength",
        ));
    }
    for (i, combo) in s.allowed_combinations.iter().enumerate() {
        hits.extend(bad_members(combo, &format!("/allowedCombinations/{i}")));
    }
    let allowed: Vec<String> = s.allowed_combinations.iter().map(|c| normal(c)).collect();
    for (n, cfg) in s.combination_configurations.iter().enumerate() {
        let base = format!("/combinationConfigurations/{n}");
        if cfg.applies_to_combinations.is_empty() {
            hits.push(Hit::at(
                format!("{base}/appliesToCombinations"),
                "`appliesToCombinations` is empty: the configuration restricts nothing",
            ));
        }
        for (i, combo) in cfg.applies_to_combinations.iter().enumerate() {
            let at = format!("{base}/appliesToCombinations/{i}");
            let bad = bad_members(combo, &at);
            if !bad.is_empty() {
                hits.extend(bad);
            } else if !allowed.contains(&normal(combo)) {
                hits.push(Hit::at(
                    at,
                    format!("`{combo}` is not one of this strength's `allowedCombinations`"),
                ));
            }
        }
        let fido = cfg.allowed_aaguids.is_some();
        let x509 = cfg.allowed_issuer_skis.is_some() || cfg.allowed_policy_oids.is_some();
        if fido == x509 {
            hits.push(Hit::at_key(
                base,
                if fido {
                    "a combination configuration is FIDO2 (`allowedAAGUIDs`) or X.509 (`allowedIssuerSkis`/`allowedPolicyOIDs`), not both"
                } else {
                    "the combination configuration restricts nothing: give `allowedAAGUIDs` (FIDO2) or `allowedIssuerSkis`/`allowedPolicyOIDs` (X.509)"
                },
            ));
        }
    }
    hits
}

/// A combination with its members trimmed (`"password, sms"` → `password,sms`).
fn normal(combo: &str) -> String {
    members(combo).collect::<Vec<_>>().join(",")
}

fn bad_members(combo: &str, at: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for m in members(combo) {
        if AUTHENTICATION_METHOD_MODES.contains(&m) {
            continue;
        }
        let msg = match AUTHENTICATION_METHOD_MODES
            .iter()
            .find(|x| x.eq_ignore_ascii_case(m))
        {
            Some(x) => format!("`{m}` is not an authentication method mode; did you mean `{x}`?"),
            None if m.is_empty() => format!("`{combo}` has an empty member"),
            None => match crate::diag::did_you_mean(m, AUTHENTICATION_METHOD_MODES.iter().copied())
            {
                Some(x) => {
                    format!("`{m}` is not an authentication method mode; did you mean `{x}`?")
                }
                None => format!("`{m}` is not an authentication method mode"),
            },
        };
        hits.push(Hit::at(at.to_owned(), msg));
    }
    hits
}
