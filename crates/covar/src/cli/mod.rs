//! The `covar` command-line program, as library functions.
//!
//! [`Cli`] is the parsed command line (clap derive); [`run()`] executes it.
//! Each subcommand is a module: its arguments, a function that does the work
//! and returns a report, and the report's human and JSON forms.
//!
//! The parsing, the subcommands `fields` and `plot`, progress bars and
//! signal handling need the `cli` feature (on by default; its
//! dependencies are clap, indicatif, plotters and signal-hook). Without it,
//! the library keeps what runs and fits need: settings, set-up, the
//! time-stepping loop, outputs, checkpoints and reports (the Python package
//! builds it that way).
//!
//! Errors are [`CliError`]s: the message names the bad flag, particle or
//! field, and the binary exits with status 1 (2 for command-line syntax,
//! which clap reports before anything runs).

// The value parsers are the flags' (the `cli` feature's); the ranges serve
// the settings of every front door.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
mod args;
mod error;
pub mod exchange;
pub mod fast;
#[cfg(feature = "cli")]
pub mod fields;
pub mod fit;
mod memory;
#[cfg(feature = "cli")]
pub mod plot;
mod progress;
#[cfg(feature = "cli")]
pub mod ranks;
pub mod run;
pub mod system;

#[cfg(feature = "cli")]
use std::io::{IsTerminal, Write};

#[cfg(feature = "cli")]
use clap::{Parser, Subcommand};

pub use error::CliError;
#[cfg(feature = "cli")]
pub use fields::{FieldsArgs, FieldsReport, run_fields};
#[cfg(feature = "cli")]
pub use plot::{PlotArgs, PlotReport, run_plot};
pub use progress::{StepBar, with_progress_bar};
pub use run::{RunArgs, RunReport, run_simulation};

/// covar: a parallel N-body engine for Coulomb, gravitational and
/// covariance (Darwin-type) systems.
#[cfg(feature = "cli")]
#[derive(Debug, Parser)]
#[command(name = "covar", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[cfg(feature = "cli")]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate potentials and gradients of a generated system once or more,
    /// and report the time, the pair-interaction rate and checksums.
    #[command(allow_negative_numbers = true)]
    Fields(FieldsArgs),
    /// Run a simulation (from flags or a TOML file) with an energy log,
    /// snapshots and a summary of how well H, P and L were conserved.
    #[command(allow_negative_numbers = true)]
    Run(Box<RunArgs>),
    /// Fit particles to binary measurements (CSV or .npy): clusters, masses, charges and
    /// positions, written for `covar run --from`; and the seed's loss, exact and approximate.
    Fit(Box<fit::FitArgs>),
    /// Draw PNG plots of a run's output folder: the relative energy error
    /// against time, and the particle positions coloured by charge.
    Plot(PlotArgs),
}

/// Runs a parsed command line, writing its report to stdout (and, on a
/// terminal, a progress bar to stderr).
///
/// # Errors
///
/// Any [`CliError`] of the subcommand, or an I/O error writing to stdout.
#[cfg(feature = "cli")]
pub fn run(cli: &Cli) -> Result<(), CliError> {
    if let Some(ranks) = ranks::launched_ranks().filter(|&k| k > 1) {
        return ranks::run_over_ranks(cli, ranks);
    }
    match &cli.command {
        Command::Fit(args) => {
            let show_progress = !args.json && std::io::stderr().is_terminal();
            print_report(&fit::run_fit(args, show_progress)?, args.json)
        }
        Command::Fields(args) => {
            let show_progress = !args.json && std::io::stderr().is_terminal();
            let report = run_fields(args, show_progress)?;
            print_report(&report, args.json)
        }
        Command::Run(args) => {
            let show_progress = !args.json && std::io::stderr().is_terminal();
            // SIGINT and SIGTERM stop the run at a step boundary with a
            // checkpoint (see `run::StopSignals`).
            let stop = run::Stop::new();
            let _signals = run::StopSignals::install(&stop)?;
            let report = run::run_simulation_with(args, show_progress, &stop)?;
            print_report(&report, args.json)
        }
        Command::Plot(args) => print_report(&run_plot(args)?, args.json),
    }
}

/// Writes `report` to stdout: as one line of JSON, or in its human form.
#[cfg(feature = "cli")]
fn print_report(
    report: &(impl std::fmt::Display + serde::Serialize),
    json: bool,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, report).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write!(out, "{report}")?;
    }
    out.flush()?;
    Ok(())
}
