//! The one integration-test binary (one link step on a 2-core CI machine).
//! Each module drives the real `caac` binary or the library on real files.

mod auth;
mod build;
mod common;
mod corpus;
mod coverage;
mod deploy;
mod deploy_objects;
mod fake_graph;
mod formats;
mod fuzz_regressions;
mod grammar;
mod graph_schema;
mod hostile;
mod impact;
mod import;
mod init;
mod layering;
mod loader_errors;
mod lockout;
mod modelines;
mod monitor;
mod notices;
mod objects;
mod promote;
mod public_sources;
mod readme;
mod replay;
mod root_cause;
mod rules;
mod schemas;
mod streams;
mod summary;
mod test_cmd;
mod validity;
mod whatif;
