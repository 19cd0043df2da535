//! The `covar` command-line program.
//!
//! Parses the command line, runs the subcommand and prints its error, if
//! any, to stderr with a non-zero exit status. Everything else lives in the
//! library ([`covar::cli`]) so that it can be tested.

use std::process::ExitCode;

use clap::Parser;
use covar::cli::{Cli, run};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // COVAR_ISA picks the instruction set of every backend; a bad value is
    // an error before the command line is parsed (parsing builds backends).
    if let Err(e) = covar::Isa::from_env() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
