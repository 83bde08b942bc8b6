//! caac — Conditional Access as Code.
//!
//! Data flows one way, one module per stage:
//! [`check`] runs the front half for every command.
//! [`load`] (bytes → value + positions) → [`validate`] (schema → typed [`model`])
//! → [`resolve`] (names → ids via [`catalog`] and `tenant.yaml`) → [`lint`]
//! (rules report JSON pointers) → [`graph::compile`] (Graph JSON) →
//! [`render`] (diagnostics for people and tools) / [`emit`]. Graph exports
//! and `GET` answers come back into the model through [`graph::read`];
//! [`import`] writes them out as specs. [`commands`] wires the stages into
//! the commands `main.rs` exposes.
//! [`whatif`] evaluates sign-ins offline; [`scenario`] runs what-if scenarios
//! kept in the policy repository (`caac test`).
//! [`signins`] reads sign-in logs and replays them through [`whatif`]
//! (`caac replay`).
//! [`deploy`] takes compiled policies to Microsoft Graph (`pull`, `plan`, `apply`).
//! [`monitor`] writes Log Analytics KQL per policy; [`report`] describes the
//! policy set for people (`caac report`).

pub mod catalog;
pub mod check;
pub mod cli;
pub mod commands;
/// The linter configuration (`.caac.yaml`), kept with the linter in
/// [`lint::config`]; re-exported here so `caac::config::…` keeps working.
pub mod config {
    pub use crate::lint::config::*;
}
pub mod deploy;
pub mod diag;
pub mod emit;
pub mod escape;
pub mod graph;
// `crate::compile` is still named by `deploy::repo`, whose body is being edited
// concurrently; drop this alias once it says `crate::graph::compile`.
pub mod impact;
pub mod import;
pub mod lint;
pub mod load;
pub mod model;
pub mod monitor;
pub mod objects;
pub mod render;
pub mod report;
pub mod resolve;
pub mod rollout;
pub mod scenario;
pub mod schemas;
pub mod signins;
#[cfg(test)]
pub(crate) mod test_support;
pub mod validate;
pub mod validity;
pub mod whatif;

/// The project's home, used for rule documentation links in SARIF output.
pub const HOMEPAGE: &str = env!("CARGO_PKG_REPOSITORY");
