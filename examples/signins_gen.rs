//! Writes a generated sign-in log to stdout (see bench/signins_gen.rs and
//! BENCHMARKS.md, "Sign-in log throughput"):
//!
//! ```sh
//! cargo run --release --example signins_gen -- graph 10000000 [SEED] > /dev/null
//! cargo run --release --example signins_gen -- csv 1000000 | caac replay --signins /dev/stdin
//! ```

#[path = "../bench/signins_gen.rs"]
mod signins_gen;

use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dialect = match args.first().map(String::as_str) {
        Some("graph") => signins_gen::Dialect::Graph,
        Some("csv") => signins_gen::Dialect::Csv,
        _ => {
            eprintln!("usage: signins_gen graph|csv RECORDS [SEED]");
            return ExitCode::from(2);
        }
    };
    let Some(records) = args.get(1).and_then(|n| n.parse().ok()) else {
        eprintln!("usage: signins_gen graph|csv RECORDS [SEED]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let mut input = signins_gen::Gen::new(dialect, records, seed);
    let mut out = io::stdout().lock();
    match io::copy(&mut input, &mut out).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
