//! `caac test`: what-if scenarios kept in the policy repository and run in CI.
//!
//! Contract: the command (`commands/test.rs`) reads every scenario file (`*.yaml`, `*.yml`, `*.json`)
//! directly inside one directory (not recursively: a repository's `tests/`
//! may also hold other fixtures in subdirectories) or one named file, checks
//! it strictly (unknown keys, unknown policy names, malformed requests are
//! input errors at their `file:line:column`, exit 2, nothing evaluated),
//! evaluates each scenario with the what-if engine ([`crate::whatif`]; there
//! is no second evaluator) and reports `PASS` / `FAIL` per scenario with a
//! readable diff, exit 1 when any fails. Output is deterministic. `--junit`
//! writes JUnit XML atomically.
//!
//! # Scenario files
//!
//! One scenario, or a list under `scenarios:`:
//!
//! ```yaml
//! scenarios:
//!   - name: the emergency-access account is never blocked
//!     request:                     # the body `caac whatif --request` reads
//!       signInIdentity: {userId: breakglass1@contoso.com, directoryRoles: [Global Administrator]}
//!       signInConditions: {clientAppType: browser}
//!     vary:                        # optional: a Cartesian sweep
//!       applications: any          # or a list of names / ids
//!       platforms: any             # or a list; `unknown` is a platform CA cannot identify
//!       clientAppTypes: any
//!       countries: [NL, US, unknown]
//!       ipAddresses: [203.0.113.7, unknown]
//!       signInRiskLevels: any
//!       userRiskLevels: any
//!     enforceReportOnly: true      # evaluate report-only policies as if enabled
//!     expect:
//!       accessNot: block           # or `access: block | grant | allow`
//!       apply: [CA410-…]           # policies that must apply (or `all`)
//!       notApply: all              # policies that must not apply (or a list)
//!       requirements: [mfa, Phishing-resistant MFA]  # grant controls that must be required
//!       session: {secureSignInSession: {isEnabled: true}}  # subset of Graph's sessionControls
//! ```
//!
//! Choices:
//!
//! - The request is parsed by [`crate::whatif::request::parse`], so names
//!   resolve through the tenant file exactly as in `caac whatif`.
//! - A sweep overrides the request's fields. `applications: any` is every
//!   application caac knows (the built-in catalog, the members of the
//!   `Office365` and `MicrosoftAdminPortals` groups, the tenant file's
//!   `applications`) plus one application no policy names ([`UNLISTED_APP`]);
//!   `platforms: any` is every platform plus an unknown one (the
//!   "any device" case of
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions>);
//!   `clientAppTypes: any` the four client app types; risk `any` every level
//!   including `none`. Countries and IP addresses are listed (`unknown` is
//!   "no country / no IP"). The expectation must hold for every combination;
//!   a failure names how many fail and prints the first as a request that
//!   `caac whatif --request` runs as is. A sweep may expand to at most
//!   [`MAX_SIGN_INS`] sign-ins. Pass or fail depends only on which policies
//!   apply, so each distinct set is evaluated fully once.
//! - `enforceReportOnly: true` evaluates report-only policies as if they
//!   were enabled. Report-only policies are "evaluated but not enforced"
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only>),
//!   so without it a set that is all report-only (like the starter set)
//!   never blocks or requires anything. `apply` / `notApply` look at
//!   `policyApplies`, which is true for applying report-only policies either way.
//! - A scenario must expect something; `apply` / `notApply` must name
//!   policies that exist (a typo never passes silently).

mod evaluate;
mod prepare;
mod render;
pub(crate) mod spec;

pub(crate) use evaluate::*;
pub(crate) use prepare::*;
pub(crate) use render::*;
pub use spec::*;

/// What `caac test` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/test.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The policies and how names resolve.
    pub inputs: crate::load::Inputs,
    /// The scenario directory as given (`tests` when not given: the
    /// config's `scenarios:` decides then).
    pub scenarios: std::path::PathBuf,
    /// The verdicts' format.
    pub format: Format,
    /// Where the verdicts go; `None`: stdout.
    pub output: Option<std::path::PathBuf>,
    /// Where JUnit XML goes, if anywhere.
    pub junit: Option<std::path::PathBuf>,
    /// Only the failing scenarios and the summary (`-q`).
    pub failures_only: bool,
}

/// The verdicts' format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// PASS/FAIL lines, a diff per failure, a summary.
    Human,
    /// Versioned JSON.
    Json,
}

/// The verdicts in `format` (`failures_only` drops the PASS lines of the
/// human format).
pub(crate) fn text(verdicts: &[Verdict], format: Format, failures_only: bool) -> String {
    match format {
        Format::Human => human(verdicts, failures_only),
        Format::Json => crate::emit::pretty(&to_json(verdicts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Platform, RiskLevel};
    use serde_json::{Map, json};

    #[test]
    fn subset_matching() {
        let got = json!({"secureSignInSession": {"isEnabled": true}, "signInFrequency": {"isEnabled": true, "value": 4}});
        assert!(subset(
            &json!({"secureSignInSession": {"isEnabled": true}}),
            &got
        ));
        assert!(subset(&json!({"signInFrequency": {"value": 4}}), &got));
        assert!(!subset(&json!({"signInFrequency": {"value": 5}}), &got));
        assert!(!subset(&json!({"persistentBrowser": {}}), &got));
    }

    #[test]
    fn combinations_are_enumerated_last_dimension_fastest() {
        let d = Dims {
            platforms: Some(vec![
                Choice {
                    value: Some(Platform::Windows),
                    label: "windows".into(),
                },
                Choice {
                    value: None,
                    label: "unknown".into(),
                },
            ]),
            user_risk: Some(vec![
                Choice {
                    value: RiskLevel::None,
                    label: "none".into(),
                },
                Choice {
                    value: RiskLevel::High,
                    label: "high".into(),
                },
                Choice {
                    value: RiskLevel::Low,
                    label: "low".into(),
                },
            ]),
            ..Dims::default()
        };
        assert_eq!(d.total(), 6);
        assert_eq!(d.indices(0), [0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d.indices(1), [0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(d.indices(4), [0, 1, 0, 0, 0, 0, 1]);
        assert_eq!(d.describe(d.indices(5)), "platform unknown, user risk low");
        let mut request = Map::new();
        request.insert(
            "signInConditions".into(),
            json!({"devicePlatform": "iOS", "clientAppType": "browser"}),
        );
        assert_eq!(
            d.apply_json(d.indices(5), &request),
            json!({"signInConditions": {"clientAppType": "browser", "userRiskLevel": "low"}})
        );
    }

    #[test]
    fn every_app_has_the_unlisted_one_and_no_duplicates() {
        let apps = every_app(None);
        assert!(apps.iter().any(|a| a.value == UNLISTED_APP));
        assert!(
            apps.iter()
                .any(|a| a.value == "00000002-0000-0ff1-ce00-000000000000")
        );
        let mut ids: Vec<&str> = apps.iter().map(|a| a.value.as_str()).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(crate::resolve::is_guid(UNLISTED_APP));
    }
}
