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
    /// Exit 0 no finding at --fail-level, 1 findings, 2 input error.
    Lint(LintArgs),
    /// Compile policy specs into Microsoft Graph request bodies (one JSON file
    /// per policy plus manifest.json). Writes nothing when any error is found.
    /// Exit 0 written, 1 a body is wrong, 2 input error or an unwritable directory.
    Build(BuildArgs),
    /// Import Graph exports (JSON, any dialect) as readable YAML specs, one per policy.
    Import(ImportArgs),
    /// Evaluate one sign-in offline against a policy set (the body of Graph's
    /// `POST /identity/conditionalAccess/evaluate`). Exit 0 evaluated, 2 input error.
    Whatif(WhatifArgs),
    /// Run what-if scenarios (a request plus the expected outcome) against a
    /// policy set: PASS/FAIL per scenario with a diff, optional JUnit XML.
    /// Exit 0 all pass, 1 a scenario fails, 2 input error.
    Test(TestArgs),
    /// Export the tenant's policies, named locations and authentication
    /// strengths from Microsoft Graph as JSON state; add learned ids to the tenant file.
    Pull(PullArgs),
    /// Diff the compiled repository against the tenant (live or a pulled state);
    /// `-o plan.json` saves the plan for `caac apply plan.json`.
    /// Exit 0 no changes, 1 changes (or unmanaged policies with --fail-on-unmanaged), 2 errors.
    Plan(PlanArgs),
    /// Apply a plan to the tenant: create (report-only unless the spec says
    /// otherwise), update, and delete only with --prune; or exactly a saved
    /// plan (`caac apply plan.json`), refused (exit 2, nothing written) if the
    /// tenant changed since it was made.
    Apply(ApplyArgs),
    /// List the scenario classes the policies leave open: no MFA or stronger,
    /// apps reachable from unknown platforms or legacy clients.
    /// Exit 0 no gap in the enforced policies, 1 gaps, 2 input error.
    Coverage(CoverageArgs),
    /// Move a policy one rollout stage on (reportOnly → pilot → enforced),
    /// editing its spec in place, only once the minimum dwell has passed.
    /// A promotion that writes is dated by the system clock (--today only
    /// with --dry-run). Exit 0 promoted or nothing to do, 1 refused (with
    /// why), 2 input error.
    Promote(PromoteArgs),
    /// Compare access before and after a change over the scenario matrix:
    /// newly blocked, newly allowed, newly unprotected and newly protected sign-ins.
    /// Exit 0 no impact, 1 impact in the enforced policies (with
    /// --enforce-report-only also as if report-only were enforced), 2 input error.
    Impact(ImpactArgs),
    /// Replay real sign-in logs (Graph `auditLogs/signIns` pages, NDJSON, Log
    /// Analytics / Sentinel JSON or CSV, gzip) against the policies, and against
    /// --base: per sign-in verdicts, aggregates by user, app, platform and policy,
    /// newly blocked / prompted / unprotected sign-ins, and a self-check against
    /// Entra's own per-policy results. Exit 0 no change and full agreement,
    /// 1 changes or self-check disagreements, 2 input error.
    Replay(ReplayArgs),
    /// Readiness reports from sign-in logs.
    #[command(subcommand)]
    Readiness(ReadinessCommand),
    /// Write Log Analytics / Sentinel KQL per policy: outcome summary, who is
    /// blocked, block vs allow per app, token-protection readiness.
    Monitor(MonitorArgs),
    /// Describe the policy set for people who do not read YAML: one sentence
    /// per policy, a persona × application matrix per location class,
    /// exclusions, lint summary. Exit 0 written (lint findings are content,
    /// not failures), 2 input error.
    Report(ReportArgs),
    /// List every lint rule and Graph-validity constraint: id, name, default
    /// severity, category, summary.
    Rules {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// Print a JSON Schema caac ships (the files in `schemas/`): the policy
    /// spec, its draft-07 copy for editors, the tenant file, the config file
    /// (`.caac.yaml`), a scenario file, or the Graph request body (v1.0, beta).
    /// Each `$id` is the file's public URL.
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
    /// Start a policy repository in DIR: policies/ (the starter set, its
    /// rollout dates set to today, with its what-if scenarios in tests/; or
    /// empty), tenant.yaml (placeholder ids),
    /// .caac.yaml, schemas/, .vscode/settings.json, .pre-commit-config.yaml
    /// and a GitHub workflow using the caac Action. Never overwrites a file:
    /// exit 2, nothing written, when any target exists.
    Init(InitArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Arguments of `caac init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write (created when missing).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Write the starter policy set (the default).
    #[arg(long, conflicts_with = "empty")]
    pub starter: bool,
    /// Write an empty policies/ directory instead of the starter set.
    #[arg(long)]
    pub empty: bool,
}

/// Output format of `caac rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// One aligned line per rule.
    Human,
    /// Versioned JSON (`{"version": 1, "rules": [{"id", "name", "severity",
    /// "category", "summary", "kind": "lint"|"graph-validity"}]}`).
    Json,
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
    /// Azure Pipelines logging commands (`##vso[task.logissue …]`), one per
    /// error or warning; infos are left out (LogIssue has no info type).
    Azure,
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

/// How names and ids are resolved and what the lockout gate protects:
/// declared once and flattened into every command that resolves or
/// evaluates policies, so each accepts the same three options.
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// Tenant directory file mapping names to ids, group memberships and named
    /// location ranges [default: tenant.yaml when present].
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

/// The policies a command reads, the same way for every command: positional
/// paths, plus the tenant, config and break-glass options.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Policy specs (*.yaml, *.yml) and Graph exports (*.json), files or directories
    /// (searched recursively; caac output directories are skipped) [default: policies].
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// The old spelling of PATHS (`--policies DIR`), kept working for one release.
    #[arg(long = "policies", hide = true, num_args = 1.., value_name = "PATHS")]
    pub policies: Vec<PathBuf>,
    /// Name resolution and the lockout gate.
    #[command(flatten)]
    pub resolve: ResolveArgs,
}

/// Arguments of `caac lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// What to lint.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailLevel::Error)]
    pub fail_level: FailLevel,
    /// The paths are only part of the tenant's policy set: skip the set-coverage
    /// rules that report missing baseline policies (CA7xx).
    #[arg(long)]
    pub partial: bool,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With `--format azure`: end with `##vso[task.complete result=…;]`
    /// (Failed when caac exits non-zero, SucceededWithIssues when errors or
    /// warnings were logged below --fail-level, else Succeeded).
    #[arg(long)]
    pub azure_complete: bool,
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
    /// `schemas/location.schema.json` (named location specs in `locations/`).
    Location,
    /// `schemas/strength.schema.json` (authentication strength specs in `strengths/`).
    Strength,
    /// `schemas/graph/conditionalAccessPolicy.v1.0.schema.json` (Graph v1.0
    /// request body, generated from Microsoft's CSDL metadata).
    #[value(name = "graph-v1.0")]
    GraphV1,
    /// `schemas/graph/conditionalAccessPolicy.beta.schema.json` (Graph beta request body).
    GraphBeta,
}

/// Arguments of `caac build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// What to compile.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory; replaced atomically, and only when it does not exist, is
    /// empty, or holds a manifest.json from an earlier caac run.
    #[arg(
        long,
        short = 'o',
        visible_alias = "out",
        value_name = "DIR",
        default_value = "out"
    )]
    pub output: PathBuf,
    /// Format of the summary: human (a line on stderr) or json (the manifest on stdout).
    #[arg(long, short = 'f', value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
}

/// Format of a command's summary of what it wrote (`caac build`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// One line on stderr.
    Human,
    /// The manifest (`{"generator", "formatVersion", "policies": [...]}`) on stdout.
    Json,
}

/// Arguments of `caac import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Exported policies: files or directories of *.json (a single policy, an
    /// array, or a Graph list response `{"value": [...]}`). Exports of named
    /// locations or authentication strengths become specs of their own, in
    /// `locations/` or `strengths/` unless `-o` says otherwise.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Tenant directory file used to write names instead of ids [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Directory for the specs; must not exist yet or be empty (nothing is overwritten).
    #[arg(
        long,
        short = 'o',
        visible_alias = "out",
        value_name = "DIR",
        default_value = "policies"
    )]
    pub output: PathBuf,
    /// Also write a skeleton tenant file naming every referenced directory id (must not exist yet).
    #[arg(long, value_name = "FILE")]
    pub tenant_out: Option<PathBuf>,
}

/// Arguments of `caac whatif`.
#[derive(Debug, clap::Args)]
pub struct WhatifArgs {
    /// The policies and how names resolve.
    #[command(flatten)]
    pub input: InputArgs,
    /// The sign-in: a Graph `evaluate` request body (JSON or YAML). `userSignIn` also
    /// takes caac's `memberOf` and `directoryRoles`, or reads them from the tenant file.
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = WhatifFormat::Human)]
    pub format: WhatifFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    /// The policies and how names resolve.
    #[command(flatten)]
    pub input: InputArgs,
    /// Directory of scenario files (*.yaml, *.yml, *.json directly inside it;
    /// subdirectories are not searched, so tests/ may hold other fixtures), or one scenario file.
    #[arg(long, default_value = "tests", value_name = "DIR")]
    pub scenarios: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a JUnit XML report to FILE (atomically).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// Output format of `caac test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One PASS/FAIL line per scenario, a diff for each failure, a summary
    /// (`-q`: the failing scenarios and the summary only).
    Human,
    /// Versioned JSON (`{"version": 1, "scenarios": [...]}`).
    Json,
}

/// How to reach Microsoft Graph (`pull`, `plan`, `apply`). Credentials come from
/// the environment only (never a flag, which would show in `ps` and shell
/// history); `--auth` picks the flow, docs/credentials.md lists the variables.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Graph base URL: https://, or a loopback address for tests [default: the --cloud's Graph].
    #[arg(long, value_name = "URL")]
    pub graph_url: Option<String>,
    /// Credential: auto picks the first the environment provides (CAAC_GRAPH_TOKEN, AZURE_CLIENT_SECRET or
    /// AZURE_CLIENT_CERTIFICATE_PATH, a federated token, IDENTITY_ENDPOINT).
    #[arg(long, value_enum, value_name = "CREDENTIAL", default_value_t = crate::deploy::auth::Auth::Auto)]
    pub auth: crate::deploy::auth::Auth,
    /// Microsoft cloud: sets the Graph endpoint, the login authority and the token scope together
    /// [default: `deploy.cloud` in .caac.yaml, else public].
    #[arg(long, value_enum, value_name = "CLOUD")]
    pub cloud: Option<crate::deploy::auth::Cloud>,
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
    #[arg(
        long,
        short = 'o',
        visible_alias = "out",
        value_name = "DIR",
        default_value = "state"
    )]
    pub output: PathBuf,
    /// Tenant file to add learned named-location and authentication-strength ids to.
    #[arg(long, value_name = "FILE", default_value = "tenant.yaml")]
    pub tenant: PathBuf,
    /// Also write the members file for `caac replay --members`: the transitive
    /// user members of every group, and the users holding every directory role
    /// (tenant-wide), that the pulled policies name (needs GroupMember.Read.All
    /// and RoleManagement.Read.Directory).
    #[arg(long, value_name = "FILE")]
    pub members: Option<PathBuf>,
    /// Also write each named location and custom authentication strength as
    /// a spec (with its id) into DIR/locations/ and DIR/strengths/ (`--specs .`
    /// for the project root), so `caac plan` / `caac apply` manage them.
    /// Only into directories that are absent or empty: pull never overwrites
    /// a spec. Built-in strengths are never written.
    #[arg(long, value_name = "DIR")]
    pub specs: Option<PathBuf>,
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
    /// Output format [default: json when --output ends in .json, markdown
    /// for .md, human otherwise]. The JSON is a saved plan: `caac apply
    /// PLAN.json` applies exactly it.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<PlanFormat>,
    /// Write the plan to FILE (atomically) instead of stdout; never over
    /// one of its inputs (a policy, the tenant, config, lock or state file).
    /// `-o plan.json` saves the plan for `caac apply plan.json`.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when the tenant has policies the repository does not manage
    /// (listed as unmanaged), for teams that keep the whole tenant in git.
    #[arg(long)]
    pub fail_on_unmanaged: bool,
    /// The paths are only part of the policy set: skip set-coverage rules (CA7xx).
    #[arg(long)]
    pub partial: bool,
}

/// Arguments of `caac apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The repository, or one saved plan (`caac plan -o plan.json`).
    #[command(flatten)]
    pub input: InputArgs,
    /// Apply exactly this saved plan (`caac plan -o plan.json`) instead of
    /// planning again; refused if the tenant changed since it was made.
    /// A single PATHS argument that is a saved plan means the same.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
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
    /// The policies and how names resolve.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = CoverageFormat::Human)]
    pub format: CoverageFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Output format of `caac coverage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CoverageFormat {
    /// The gaps per mode (the enforced policies, then as if report-only policies
    /// were enforced), each in its smallest description with an example sign-in.
    Human,
    /// Versioned JSON (`{"version": 1, "policies", "scenarios", "modes": [{"mode", "gaps": [...]}]}`),
    /// a `caac whatif` request per example.
    Json,
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
    /// How names resolve and what the lockout gate protects.
    #[command(flatten)]
    pub resolve: ResolveArgs,
}

/// Arguments of `caac impact`.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    /// The base: a directory holding the same PATHS (another checkout), or a git
    /// revision (`origin/main`, `HEAD~1`) whose PATHS are extracted with `git archive`.
    #[arg(long, value_name = "REF_OR_DIR")]
    pub base: String,
    /// The head side's policies; the tenant and config files serve both sides.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format (markdown: for a pull-request comment).
    #[arg(long, short = 'f', value_enum, default_value_t = ImpactFormat::Human)]
    pub format: ImpactFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
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

/// Arguments of `caac replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The head side's policies; the tenant and config files serve both sides.
    #[command(flatten)]
    pub input: InputArgs,
    /// A sign-in log file (JSON, NDJSON, CSV, optionally gzip-compressed);
    /// repeat for more (one value per flag, so PATHS after it stay policies).
    #[arg(
        long = "signins",
        value_name = "FILE",
        required_unless_present = "kql",
        conflicts_with = "kql"
    )]
    pub signins: Vec<PathBuf>,
    /// Instead of replaying files, write ONE KQL query that computes the same
    /// verdicts and aggregates in Log Analytics / Microsoft Sentinel over
    /// SigninLogs and AADNonInteractiveUserSignInLogs (stdout, or -o FILE).
    #[arg(long)]
    pub kql: bool,
    /// With --kql: how far back the query reads (a whole number of days, hours
    /// or minutes: 30d, 12h, 90m; default 30d).
    #[arg(long, value_name = "SPAN")]
    pub kql_window: Option<String>,
    /// Compare against a base: a directory holding the same PATHS, or a git
    /// revision whose PATHS are extracted with `git archive` (as `caac impact`).
    #[arg(long, value_name = "REF_OR_DIR")]
    pub base: Option<String>,
    /// Group and role memberships (JSON: {"version": 1, "groups": {id: [user ids]},
    /// "roles": {template id: [user ids]}}); without it, group- and role-scoped
    /// policies are unknown for users.
    #[arg(long, value_name = "FILE")]
    pub members: Option<PathBuf>,
    /// Lock file (spec → live policy id) for the self-check; policies without an
    /// id are matched by displayName with a warning.
    #[arg(long, value_name = "FILE", default_value = "caac.lock")]
    pub lock: PathBuf,
    /// Output format (json: versioned, one object per sign-in plus aggregates;
    /// markdown: for a pull-request comment).
    #[arg(long, short = 'f', value_enum, default_value_t = ImpactFormat::Human)]
    pub format: ImpactFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `caac readiness …`.
#[derive(Debug, Subcommand)]
pub enum ReadinessCommand {
    /// Who is ready for Token Protection: per user and device, from sign-ins to
    /// Exchange Online, SharePoint Online and Teams from native clients (bound
    /// sessions, or a supported client on a registered device); the known-good
    /// users for the enforcement policy and the users to keep out, with why.
    /// Exit 0 written, 2 input error.
    TokenProtection(TokenProtectionArgs),
}

/// Output format of `caac readiness`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReadinessFormat {
    /// One line per user: ready, or keep out with the reasons.
    Human,
    /// Versioned JSON: known-good users, users to keep out, devices.
    Json,
}

/// Arguments of `caac readiness token-protection`.
#[derive(Debug, clap::Args)]
pub struct TokenProtectionArgs {
    /// The policies `--policy` names one of (read only with `--policy`).
    #[command(flatten)]
    pub input: InputArgs,
    /// A sign-in log file (as `caac replay --signins`); repeat for more (one
    /// value per flag, so PATHS after it stay policies).
    #[arg(long = "signins", value_name = "FILE", required = true)]
    pub signins: Vec<PathBuf>,
    /// Only the users and resources this policy targets (a displayName, or a
    /// spec path among PATHS); its other conditions are not applied.
    #[arg(long, value_name = "NAME_OR_PATH")]
    pub policy: Option<String>,
    /// Group and role memberships (as `caac replay --members`, written by
    /// `caac pull --members`), for a `--policy` scoped to groups or roles.
    #[arg(long, value_name = "FILE", requires = "policy")]
    pub members: Option<PathBuf>,
    /// Output format (json: versioned).
    #[arg(long, short = 'f', value_enum, default_value_t = ReadinessFormat::Human)]
    pub format: ReadinessFormat,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the known-good users as the admin center's bulk-add CSV
    /// (one object id per row).
    #[arg(long, value_name = "FILE")]
    pub known_good: Option<PathBuf>,
}

/// Arguments of `caac monitor`.
#[derive(Debug, clap::Args)]
pub struct MonitorArgs {
    /// The policies and how names resolve.
    #[command(flatten)]
    pub input: InputArgs,
    /// Write queries only for this policy (a displayName, or a spec path among
    /// PATHS); repeatable [default: every policy].
    #[arg(long = "policy", value_name = "NAME_OR_PATH")]
    pub policy: Vec<String>,
    /// Lock file (spec → live policy id); policies without an entry are matched by displayName.
    #[arg(long, value_name = "FILE", default_value = "caac.lock")]
    pub lock: PathBuf,
    /// How far back the queries look: days or hours (`14d`, `36h`), at most 730d.
    #[arg(long, value_name = "DURATION", default_value = "14d")]
    pub lookback: String,
    /// Write one .kql file per policy (and manifest.json) to DIR, replaced
    /// atomically and only if caac created it, instead of printing to stdout.
    #[arg(long, short = 'o', visible_alias = "out", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// What goes to stdout: kql (the queries; nothing with -o) or json (the
    /// manifest: with -o exactly DIR/manifest.json, without -o each query's
    /// KQL inline as `query`).
    #[arg(long, short = 'f', value_enum, default_value_t = MonitorFormat::Kql)]
    pub format: MonitorFormat,
}

/// Output format of `caac monitor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MonitorFormat {
    /// The KQL queries on stdout (nothing on stdout with -o).
    Kql,
    /// The manifest (`{"generator", "formatVersion", "kind", "lookback",
    /// "queries": [...]}`) on stdout, with or without -o.
    Json,
}

/// Output format of `caac report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown (wikis, pull requests).
    Markdown,
    /// One self-contained HTML page (inline CSS, no scripts), printable.
    Html,
    /// Versioned JSON of the facts the page shows (`{"version": 1, "policies",
    /// "context", "rows", "columns", "matrices", "exclusions", "counts", "findings"}`).
    Json,
}

/// Arguments of `caac report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The policies and how names resolve.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', visible_alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The device platform of the sign-in every matrix cell assumes.
    #[arg(long, value_enum, default_value_t = ReportPlatform::Windows)]
    pub platform: ReportPlatform,
    /// The client app type of the sign-in every matrix cell assumes.
    #[arg(long, value_enum, default_value_t = ReportClient::MobileAppsAndDesktopClients)]
    pub client: ReportClient,
    /// The device state of the sign-in every matrix cell assumes.
    #[arg(long, value_enum, default_value_t = ReportDevice::Unregistered)]
    pub device: ReportDevice,
}

/// `caac report --platform`: Graph's `devicePlatform` values a sign-in can
/// have (<https://learn.microsoft.com/graph/api/resources/conditionalaccessplatforms>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportPlatform {
    /// Windows.
    #[value(name = "windows")]
    Windows,
    /// macOS.
    #[value(name = "macOS")]
    MacOs,
    /// iOS.
    #[value(name = "iOS")]
    Ios,
    /// Android.
    #[value(name = "android")]
    Android,
    /// Linux.
    #[value(name = "linux")]
    Linux,
}

/// `caac report --client`: Graph's modern-authentication `clientAppType`
/// values (<https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportClient {
    /// A browser.
    #[value(name = "browser")]
    Browser,
    /// A mobile app or desktop client.
    #[value(name = "mobileAppsAndDesktopClients")]
    MobileAppsAndDesktopClients,
}

/// `caac report --device`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportDevice {
    /// Not registered in Microsoft Entra ID (every device attribute null).
    Unregistered,
    /// Entra registered (trustType Workplace), not compliant.
    Registered,
    /// Entra joined (trustType AzureAD) and compliant.
    Compliant,
}
