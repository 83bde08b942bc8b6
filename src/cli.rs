//! The command line (clap derive). Raw arguments only; [`crate::commands`] validates and runs them.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Conditional Access as Code: lint, simulate, compile and deploy Microsoft
/// Entra Conditional Access policies kept as YAML in git.
///
/// Exit codes: 0 ok, 1 findings (a rule or lockout error, a failing scenario,
/// a coverage gap, changes to plan), 2 usage or input error (unreadable,
/// malformed or unresolvable files, Graph errors).
#[derive(Debug, Parser)]
#[command(name = "caac", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Colour, decided per stream: auto colours stdout and stderr each only
    /// when it is a terminal (a redirected stdout never gets escape codes),
    /// never when NO_COLOR is set and non-empty, always when CLICOLOR_FORCE
    /// is; always and never override both (https://no-color.org,
    /// https://bixense.com/clicolors/).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Findings only: no notes, no summary lines.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also report timings per stage, skipped rules, the resolved input
    /// paths and the config and tenant files used (on stderr).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour each stream that is a terminal (NO_COLOR / CLICOLOR_FORCE honoured).
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
    /// Run what-if scenarios (a request plus the expected outcome) against a
    /// policy set: PASS/FAIL per scenario with a diff, optional JUnit XML.
    Test(TestArgs),
    /// Export the tenant's policies, named locations and authentication
    /// strengths from Microsoft Graph as JSON state; add learned ids to the tenant file.
    Pull(PullArgs),
    /// Diff the compiled repository against the tenant (live or a pulled state).
    /// Exit 0 no changes, 1 changes, 2 errors.
    Plan(PlanArgs),
    /// Apply a plan to the tenant: create (report-only unless the spec says
    /// otherwise), update, and delete only with --prune.
    Apply(ApplyArgs),
    /// List the scenario classes the policies leave open: no MFA or stronger,
    /// apps reachable from unknown platforms or legacy clients.
    Coverage(CoverageArgs),
    /// Move a policy one rollout stage on (reportOnly → pilot → enforced),
    /// editing its spec in place, only once the minimum dwell has passed.
    /// A promotion that writes is dated by the system clock (--today only
    /// with --dry-run). Exit 0 promoted or nothing to do, 1 refused (with
    /// why), 2 input error.
    Promote(PromoteArgs),
    /// Compare access before and after a change over the scenario matrix:
    /// newly blocked, newly allowed and newly unprotected sign-ins.
    Impact(ImpactArgs),
    /// Write Log Analytics / Sentinel KQL per policy: outcome summary, who is
    /// blocked, block vs allow per app, token-protection readiness.
    Monitor(MonitorArgs),
    /// Describe the policy set for people who do not read YAML: one sentence
    /// per policy, a persona × application matrix, exclusions, lint summary.
    Report(ReportArgs),
    /// List every lint rule: id, name, default severity, category, summary.
    Rules,
    /// Print a JSON Schema caac ships (the files in `schemas/`): the policy
    /// spec, its draft-07 copy for editors, the tenant file, the config file
    /// (`.caac.yaml`) or a scenario file.
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
    /// `schemas/config.schema.json` (`.caac.yaml`).
    Config,
    /// `schemas/scenario.schema.json` (`caac test` scenario files).
    Scenario,
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

/// Arguments of `caac test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Directory of scenario files (*.yaml, *.yml, *.json directly inside it;
    /// subdirectories are not searched, so tests/ may hold other fixtures), or one scenario file.
    #[arg(default_value = "tests", value_name = "DIR")]
    pub dir: PathBuf,
    /// Policy specs and/or Graph exports (files or directories). Takes every
    /// following path, so give DIR before it.
    #[arg(long, num_args = 1.., value_name = "PATHS", default_value = "policies")]
    pub policies: Vec<PathBuf>,
    /// Tenant directory file (names, group memberships, named location ranges)
    /// [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Linter configuration [default: .caac.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Also write a JUnit XML report to FILE (atomically).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// Output format of `caac test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One PASS/FAIL line per scenario, a diff for each failure, a summary.
    Human,
    /// Versioned JSON (`{"version": 1, "scenarios": [...]}`).
    Json,
}

/// How to reach Microsoft Graph (`pull`, `plan`, `apply`). Credentials come from
/// the environment only: `CAAC_GRAPH_TOKEN`, or `AZURE_TENANT_ID`,
/// `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` (client credentials).
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Graph base URL: https://, or a loopback address for tests.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://graph.microsoft.com"
    )]
    pub graph_url: String,
    /// Minimum seconds between two requests (0 for tests).
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub pace: f64,
    /// Seconds before one request times out (then it is retried).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,
}

/// Arguments of `caac pull`.
#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// Graph connection.
    #[command(flatten)]
    pub graph: GraphArgs,
    /// State directory (policies.json, namedLocations.json,
    /// authenticationStrengths.json, manifest.json); replaced atomically, only if caac created it.
    #[arg(long, value_name = "DIR", default_value = "state")]
    pub out: PathBuf,
    /// Tenant file to add learned named-location and authentication-strength ids to.
    #[arg(long, value_name = "FILE", default_value = "tenant.yaml")]
    pub tenant: PathBuf,
}

/// Output format of `caac plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// One line per policy, changed fields indented.
    Human,
    /// Versioned JSON.
    Json,
    /// A Markdown table (pull-request comments).
    Markdown,
}

/// Arguments of `caac plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The repository.
    #[command(flatten)]
    pub input: InputArgs,
    /// Graph connection (when planning live).
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Plan against a pulled state (directory or its policies.json) instead of the live tenant.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// List policies that are in the tenant but not in the repository as deletions.
    #[arg(long)]
    pub prune: bool,
    /// Lock file (spec → policy id).
    #[arg(long, value_name = "FILE", default_value = "caac.lock")]
    pub lock: PathBuf,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// The paths are only part of the policy set: skip set-coverage rules (CA7xx).
    #[arg(long)]
    pub partial: bool,
}

/// Arguments of `caac apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The repository.
    #[command(flatten)]
    pub input: InputArgs,
    /// Graph connection.
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Print the exact requests (method, URL, body; never the token) and send none.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete policies that are in the tenant but not in the repository.
    #[arg(long)]
    pub prune: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Lock file (spec → policy id), updated after every write.
    #[arg(long, value_name = "FILE", default_value = "caac.lock")]
    pub lock: PathBuf,
    /// With --dry-run: plan against a pulled state instead of the live tenant.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The paths are only part of the policy set: skip set-coverage rules (CA7xx).
    #[arg(long)]
    pub partial: bool,
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

/// Arguments of `caac promote`.
#[derive(Debug, clap::Args)]
pub struct PromoteArgs {
    /// The policy: a spec path, or a displayName found under --dir.
    pub policy: String,
    /// Where to look a displayName up.
    #[arg(long, default_value = "policies", value_name = "DIR")]
    pub dir: PathBuf,
    /// Preview the promotion on this day (YYYY-MM-DD, UTC) [default: $CAAC_TODAY, else the
    /// system date]. Only with --dry-run: a promotion that writes is dated by the system clock,
    /// so any other day is refused (exit 2) and the dwell time cannot be skipped by backdating.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Print the change without writing it.
    #[arg(long)]
    pub dry_run: bool,
    /// Tenant directory file mapping names to ids [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Linter configuration [default: .caac.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A break-glass user or group (name or object id); repeatable.
    #[arg(long = "break-glass", value_name = "ID_OR_NAME")]
    pub break_glass: Vec<String>,
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

/// Arguments of `caac monitor`.
#[derive(Debug, clap::Args)]
pub struct MonitorArgs {
    /// Policies to write queries for: spec paths or displayNames [default: every policy].
    #[arg(value_name = "POLICY")]
    pub policy: Vec<String>,
    /// Policy specs and/or Graph exports (files or directories) [default:
    /// the POLICY paths when all are paths, else `policies`].
    #[arg(long, num_args = 1.., value_name = "PATHS")]
    pub policies: Option<Vec<PathBuf>>,
    /// Tenant directory file [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Lock file (spec → live policy id); policies without an entry are matched by displayName.
    #[arg(long, value_name = "FILE", default_value = "caac.lock")]
    pub lock: PathBuf,
    /// How far back the queries look: days or hours (`14d`, `36h`), at most 730d.
    #[arg(long, value_name = "DURATION", default_value = "14d")]
    pub lookback: String,
    /// Write one .kql file per policy (and manifest.json) to DIR, replaced
    /// atomically and only if caac created it, instead of printing to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Output format of `caac report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown (wikis, pull requests).
    Markdown,
    /// One self-contained HTML page (inline CSS, no scripts), printable.
    Html,
}

/// Arguments of `caac report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Policy specs and/or Graph exports (files or directories).
    #[arg(long, num_args = 1.., value_name = "PATHS", default_value = "policies")]
    pub policies: Vec<PathBuf>,
    /// Tenant directory file (names for ids) [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Linter configuration [default: .caac.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
