//! The command line (clap derive). Raw arguments only; `app` validates and runs them.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Conditional Access as Code: lint, import and compile Microsoft Entra
/// Conditional Access policies kept as YAML in git.
///
/// Exit codes: 0 ok, 1 findings (a rule reported an error), 2 usage or input
/// error (unreadable, malformed or unresolvable files).
#[derive(Debug, Parser)]
#[command(name = "caac", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Colour: auto (when stderr is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint policy specs (YAML) and Graph exports (JSON) against the rule catalogue.
    Lint(LintArgs),
    /// Compile policy specs into Microsoft Graph request bodies (one JSON file
    /// per policy plus manifest.json). Writes nothing when any error is found.
    Build(BuildArgs),
    /// Import Graph exports (JSON, any dialect) as readable YAML specs, one per policy.
    Import(ImportArgs),
    /// Evaluate one sign-in offline against a policy set (the body of Graph's
    /// `POST /identity/conditionalAccess/evaluate`).
    Whatif(WhatifArgs),
    /// List the scenario classes the policies leave open: no MFA or stronger,
    /// apps reachable from unknown platforms or legacy clients.
    Coverage(CoverageArgs),
    /// Compare access before and after a change over the scenario matrix:
    /// newly blocked, newly allowed and newly unprotected sign-ins.
    Impact(ImpactArgs),
    /// List every lint rule: id, name, default severity, category, summary.
    Rules,
    /// Print a JSON Schema: the policy spec, its draft-07 copy for editors, or the tenant file.
    Schema {
        /// Which schema.
        #[arg(value_enum, default_value_t = SchemaKind::Policy)]
        kind: SchemaKind,
    },
    /// Print the documentation of a lint rule (by id, e.g. CA402, or name).
    Explain {
        /// Rule id or name.
        rule: String,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Output format of `caac lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with carets and fixes.
    Human,
    /// Versioned JSON (`{"version": 1, "diagnostics": [...]}`).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the PR).
    Github,
}

/// The lowest severity that makes `caac lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Info,
}

/// Inputs shared by `lint` and `build`.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Policy specs (*.yaml, *.yml) and Graph exports (*.json), files or directories
    /// (searched recursively; caac output directories are skipped).
    #[arg(default_value = "policies")]
    pub paths: Vec<PathBuf>,
    /// Tenant directory file mapping names to ids [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Linter configuration [default: .caac.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A break-glass user or group (name from the tenant file, or object id); repeatable.
    /// Adds to `breakGlass:` in the tenant file.
    #[arg(long = "break-glass", value_name = "ID_OR_NAME")]
    pub break_glass: Vec<String>,
}

/// Arguments of `caac lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// What to lint.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailLevel::Error)]
    pub fail_level: FailLevel,
    /// The paths are only part of the tenant's policy set: skip the set-coverage
    /// rules that report missing baseline policies (CA7xx).
    #[arg(long)]
    pub partial: bool,
    /// Write the report to FILE instead of stdout (atomically).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Which schema `caac schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// `schemas/policy.schema.json` (draft 2020-12).
    Policy,
    /// `schemas/policy.draft-07.schema.json` (for yaml-language-server and SchemaStore).
    PolicyDraft07,
    /// `schemas/tenant.schema.json`.
    Tenant,
}

/// Arguments of `caac build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// What to compile.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory; replaced atomically, only if caac created it.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
}

/// Arguments of `caac import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Exported policies: files or directories of *.json (a single policy, an
    /// array, or a Graph list response `{"value": [...]}`).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Tenant directory file used to write names instead of ids [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Directory for the specs; must not exist yet or be empty (nothing is overwritten).
    #[arg(long, value_name = "DIR", default_value = "policies")]
    pub out: PathBuf,
    /// Also write a skeleton tenant file naming every referenced directory id (must not exist yet).
    #[arg(long, value_name = "FILE")]
    pub tenant_out: Option<PathBuf>,
}

/// Arguments of `caac whatif`.
#[derive(Debug, clap::Args)]
pub struct WhatifArgs {
    /// Policy specs and/or Graph exports (files or directories).
    #[arg(long, required = true, num_args = 1.., value_name = "PATHS")]
    pub policies: Vec<PathBuf>,
    /// Tenant directory file (names, group memberships, named location ranges)
    /// [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// The sign-in: a Graph `evaluate` request body (JSON or YAML). `userSignIn` also
    /// takes caac's `memberOf` and `directoryRoles`, or reads them from the tenant file.
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = WhatifFormat::Human)]
    pub format: WhatifFormat,
}

/// Output format of `caac whatif`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhatifFormat {
    /// A table of policies and the combined result.
    Human,
    /// Graph's evaluate response (`{"value": [...]}`) plus caac's `result`.
    Json,
}

/// Arguments of `caac coverage`.
#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    /// Policy specs and/or Graph exports (files or directories).
    #[arg(long, num_args = 1.., value_name = "PATHS", default_value = "policies")]
    pub policies: Vec<PathBuf>,
    /// Tenant directory file (users, groups, named locations) [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = WhatifFormat::Human)]
    pub format: WhatifFormat,
}

/// Arguments of `caac impact`.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    /// The base: a directory holding the same PATHS (another checkout), or a git
    /// revision (`origin/main`, `HEAD~1`) whose PATHS are extracted with `git archive`.
    #[arg(long, value_name = "REF_OR_DIR")]
    pub base: String,
    /// Policy specs and/or Graph exports (files or directories) of the head side.
    #[arg(value_name = "PATHS", default_value = "policies")]
    pub paths: Vec<PathBuf>,
    /// Tenant directory file, used for both sides [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Config file, used for both sides [default: .caac.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format (markdown: for a pull-request comment).
    #[arg(long, short = 'o', value_enum, default_value_t = ImpactFormat::Human)]
    pub format: ImpactFormat,
    /// Exit 1 also when changes appear only as if report-only policies were enforced.
    #[arg(long)]
    pub enforce_report_only: bool,
}

/// Output format of `caac impact`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    /// Grouped text.
    Human,
    /// Groups with their dimensions and a `caac whatif` request each.
    Json,
    /// A pull-request comment: a table of counts, then the groups.
    Markdown,
}
