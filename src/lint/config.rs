//! The linter configuration file (`.caac.yaml`, or `--config FILE`): rule
//! severities, the profile, Token Protection opt-ins, naming and thresholds,
//! the deploy identity, the (reasoned) break-glass opt-out, and where the
//! project's inputs are (`policies`, `tenant`, `scenarios`, relative to the
//! file). Without `--config`, `check` finds `.caac.yaml` by walking up from
//! the working directory to the repository root.
//!
//! Contract: parsed by the same hardened loader and schema check as policies
//! (strict: unknown keys are errors with did-you-mean), then turned into a
//! [`Config`] whose rule keys are validated against the registry. No I/O here
//! beyond what `check` passes in.

use crate::catalog::{self, Kind};
use crate::diag::{Code, Diagnostic, Severity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The config file as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "caac configuration")]
pub struct ConfigFile {
    /// `microsoft` (default: Microsoft's guidance) or `strict` (CISA SCuBA / CIS where they are stricter).
    #[serde(default)]
    pub profile: Profile,
    /// Per-rule level by id (`CA801`) or name (`naming-convention`): `error`, `warning`, `info` or `off`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, Level>,
    /// Token Protection pack options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_protection: Option<TokenProtectionOptions>,
    /// Naming convention (CA801).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naming: Option<Naming>,
    /// Thresholds for count-based rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Thresholds>,
    /// Deployment: the identity that runs `caac apply`, which the lockout gate
    /// proves no policy blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// Opt out of the break-glass checks, with the reason (required, echoed as
    /// a warning on every run). Without it, `caac lint`, `build`, `plan` and
    /// `apply` refuse to run when no break-glass (emergency access) account
    /// is known (`breakGlass:` in tenant.yaml, or `--break-glass`): Microsoft
    /// asks every tenant to exclude its emergency access accounts from
    /// Conditional Access
    /// (<https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access>),
    /// and without them the lockout gate cannot prove anything.
    /// Example: `breakGlassOptOut: "lab tenant, no production users (CHG-123)"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub break_glass_opt_out: Option<String>,
    /// Policy files or directories every command reads when no paths are
    /// given on the command line, relative to this file (default:
    /// `policies` beside it). Example: `policies: [policies, legacy/exports]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    /// The tenant file, relative to this file (default: `tenant.yaml` beside
    /// it); `--tenant` wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub tenant: Option<String>,
    /// The scenario directory `caac test` reads, relative to this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub scenarios: Option<String>,
    /// The directory of named location specs (one file each), relative to
    /// this file (default: `locations` beside it, when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub locations: Option<String>,
    /// The directory of custom authentication strength specs (one file
    /// each), relative to this file (default: `strengths` beside it, when
    /// present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub strengths: Option<String>,
}

/// Deployment settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Deploy {
    /// The service principal that deploys the policies: its object id or its
    /// name from `tenant.yaml` `servicePrincipals`. `caac lint` and `caac build`
    /// fail when an active policy could block it (the lockout gate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The Microsoft cloud `pull`, `plan` and `apply` talk to when `--cloud`
    /// is not given: `public` (default), `usgov`, `usgovhigh`, `dod` or
    /// `china` (<https://learn.microsoft.com/graph/deployments>).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<crate::deploy::auth::Cloud>,
}

/// Rule profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Profile {
    /// Microsoft's own guidance.
    #[default]
    Microsoft,
    /// CISA SCuBA / CIS benchmark where they are stricter.
    Strict,
}

/// A configured rule level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    /// Report as error.
    Error,
    /// Report as warning.
    Warning,
    /// Report as info.
    Info,
    /// Do not run the rule.
    Off,
}

/// Token Protection opt-ins. By default caac allows the conservative first
/// rollout: Exchange Online + SharePoint Online on Windows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TokenProtectionOptions {
    /// Extra resources newer Microsoft documentation supports: `Microsoft Teams Services`,
    /// `Azure Virtual Desktop`, `Windows 365`, `Windows Cloud Login` (names or app ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_resources: Vec<String>,
    /// Extra platforms newer documentation supports: `iOS`, `macOS`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_platforms: Vec<crate::model::Platform>,
}

/// Naming convention.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Naming {
    /// Regular expression every displayName must match (Rust `regex` syntax).
    pub pattern: String,
}

/// Thresholds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Thresholds {
    /// CA105: most exclusions (users + groups + roles + apps) one policy may have (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_exclusions: Option<usize>,
    /// CA718: the tenant's policy limit (default 195).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_limit: Option<usize>,
    /// CA718: warn above this many policies (default 180).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_warning: Option<usize>,
    /// CA207: most days a staged policy may stay report-only (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub report_only_max_days: Option<u32>,
}

/// The effective configuration rules see.
#[derive(Debug, Clone)]
pub struct Config {
    /// Profile.
    pub profile: Profile,
    /// Rule id → configured level.
    pub levels: BTreeMap<&'static str, Level>,
    /// App ids allowed as Token Protection resources.
    pub tp_resources: Vec<String>,
    /// Platforms allowed for Token Protection.
    pub tp_platforms: Vec<crate::model::Platform>,
    /// CA801 pattern.
    pub naming: Option<regex::Regex>,
    /// CA105 threshold.
    pub max_exclusions: usize,
    /// CA718 limit.
    pub policy_limit: usize,
    /// CA718 warning level.
    pub policy_warning: usize,
    /// CA207 limit in days.
    pub report_only_max_days: u32,
    /// `deploy.identity` as written (resolved by `check`, which has the tenant file).
    pub deploy_identity: Option<String>,
    /// `breakGlassOptOut`: the reason the break-glass checks are opted out of.
    pub break_glass_opt_out: Option<String>,
}

/// Exchange Online and SharePoint Online: the default Token Protection scope.
pub const TP_DEFAULT_RESOURCES: [&str; 2] = [
    "00000002-0000-0ff1-ce00-000000000000",
    "00000003-0000-0ff1-ce00-000000000000",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            profile: Profile::Microsoft,
            levels: BTreeMap::new(),
            tp_resources: TP_DEFAULT_RESOURCES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            tp_platforms: vec![crate::model::Platform::Windows],
            naming: None,
            max_exclusions: 10,
            policy_limit: 195,
            policy_warning: 180,
            report_only_max_days: 60,
            deploy_identity: None,
            break_glass_opt_out: None,
        }
    }
}

impl Config {
    /// Validates a config file into the effective config; problems carry
    /// pointers into the config file.
    pub fn from_file(file: &ConfigFile) -> (Config, Vec<Diagnostic>) {
        let mut c = Config {
            profile: file.profile,
            ..Config::default()
        };
        let mut diags = Vec::new();
        for (key, level) in &file.rules {
            match crate::lint::find(key) {
                Some(rule) => {
                    c.levels.insert(rule.id, *level);
                }
                None if let Some(v) = crate::validity::find(key) => diags.push(
                    Diagnostic::error(
                        Code::NotConfigurable,
                        format!(
                            "`{key}` cannot be configured: {}",
                            crate::validity::not_configurable(v)
                        ),
                    )
                    .at_key(format!("/rules/{}", crate::load::escape_segment(key)))
                    .with_help("remove this entry; fix the policies instead"),
                ),
                None => {
                    let names = crate::lint::rules::RULES
                        .iter()
                        .flat_map(|r| [r.id, r.name])
                        .chain(crate::validity::all().flat_map(|c| [c.id, c.name]));
                    let mut d =
                        Diagnostic::error(Code::UnknownRule, format!("no lint rule `{key}`"))
                            .at_key(format!("/rules/{}", crate::load::escape_segment(key)));
                    d = d.with_help(match crate::diag::did_you_mean(key, names) {
                        Some(s) => format!("did you mean `{s}`? `caac rules` lists them"),
                        None => "`caac rules` lists them".into(),
                    });
                    diags.push(d);
                }
            }
        }
        if let Some(tp) = &file.token_protection {
            for (i, r) in tp.allow_resources.iter().enumerate() {
                match crate::resolve::resolve_value(Kind::Application, r, None) {
                    Ok(id) if catalog::keywords(Kind::Application).contains(&id.as_str()) => diags
                        .push(
                            Diagnostic::error(
                                Code::InvalidValue,
                                format!(
                                    "`{r}` is a group of apps, not a Token Protection resource"
                                ),
                            )
                            .at_value(format!("/tokenProtection/allowResources/{i}")),
                        ),
                    Ok(id) => c.tp_resources.push(id),
                    Err(d) => {
                        diags.push(d.at_value(format!("/tokenProtection/allowResources/{i}")));
                    }
                }
            }
            for p in &tp.allow_platforms {
                if !c.tp_platforms.contains(p) {
                    c.tp_platforms.push(*p);
                }
            }
        }
        if let Some(n) = &file.naming {
            match regex::Regex::new(&n.pattern) {
                Ok(r) => c.naming = Some(r),
                Err(e) => diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("invalid regular expression: {e}"),
                    )
                    .at_value("/naming/pattern"),
                ),
            }
        }
        if let Some(t) = &file.thresholds {
            c.max_exclusions = t.max_exclusions.unwrap_or(c.max_exclusions);
            c.policy_limit = t.policy_limit.unwrap_or(c.policy_limit);
            c.policy_warning = t.policy_warning.unwrap_or(c.policy_warning);
            c.report_only_max_days = t.report_only_max_days.unwrap_or(c.report_only_max_days);
        }
        c.deploy_identity = file.deploy.as_ref().and_then(|d| d.identity.clone());
        match file.break_glass_opt_out.as_deref().map(str::trim) {
            Some("") => diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    "`breakGlassOptOut` needs a reason, not a blank".into(),
                )
                .at_value("/breakGlassOptOut")
                .with_help("say why this tenant has no break-glass accounts, e.g. `breakGlassOptOut: \"lab tenant, no production users\"`, or name them in tenant.yaml instead"),
            ),
            reason => c.break_glass_opt_out = reason.map(str::to_owned),
        }
        (c, diags)
    }

    /// The severity a rule reports at, or `None` when it is off.
    pub fn severity(&self, rule: &crate::lint::Rule, default: Severity) -> Option<Severity> {
        match self.levels.get(rule.id) {
            None => Some(default),
            Some(Level::Off) => None,
            Some(Level::Error) => Some(Severity::Error),
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Info) => Some(Severity::Info),
        }
    }

    /// True when the rule is switched off.
    pub fn is_off(&self, id: &str) -> bool {
        self.levels.get(id) == Some(&Level::Off)
    }
}

/// The JSON Schema of the config file.
pub fn config_schema() -> serde_json::Value {
    let mut schema =
        crate::model::generate::<ConfigFile>(schemars::generate::SchemaSettings::draft2020_12());
    schema["$id"] = crate::model::schema_id("config.schema.json").into();
    schema
}
