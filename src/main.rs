//! The `caac` binary: parse arguments, run, exit with the code `commands` decides.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = caac::cli::Cli::parse();
    caac::commands::run(cli).into()
}
