//! The command line (clap derive). Raw arguments only; `app` validates and runs them.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Conditional Access as Code: lint, simulate and compile Microsoft Entra
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
    /// Compile policy specs into Microsoft Graph request bodies (one JSON file
    /// per policy plus manifest.json). Writes nothing when any error is found.
    Build(BuildArgs),
    /// Print a JSON Schema: the policy spec, its draft-07 copy for editors, or the tenant file.
    Schema {
        /// Which schema.
        #[arg(value_enum, default_value_t = SchemaKind::Policy)]
        kind: SchemaKind,
    },
    /// Print the documentation of a lint rule (by id, e.g. CA101, or name), or list all rules.
    Explain {
        /// Rule id or name; omit to list every rule.
        rule: Option<String>,
    },
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
    /// Policy spec files or directories (searched recursively for *.yaml / *.yml).
    #[arg(default_value = "policies")]
    pub paths: Vec<PathBuf>,
    /// Tenant directory file mapping names to ids [default: tenant.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// Output directory; replaced atomically, only if caac created it.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// A break-glass user or group (name from the tenant file, or object id); repeatable.
    /// Adds to `breakGlass:` in the tenant file.
    #[arg(long = "break-glass", value_name = "ID_OR_NAME")]
    pub break_glass: Vec<String>,
}
