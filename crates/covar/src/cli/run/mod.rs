//! `covar run`: a simulation from flags or a TOML file, with an energy log,
//! snapshots and a summary.
//!
//! 1. **Settings** ([`Settings::resolve`]): flags over the `--config` file
//!    ([`RunConfig`]) over the defaults, every value range-checked.
//! 2. **Checks before anything runs**: a separable-only integrator with
//!    `mu != 0` is refused (the integrator's own error, naming the
//!    alternatives); the output folder must not hold an earlier run's
//!    energy log, nor `--final-state` name an existing file, unless
//!    `--overwrite`.
//! 3. **Set-up** ([`setup`]): the particles (a generator or a CSV file),
//!    the system of the preset, the integrator, and for `mu != 0`
//!    Gershgorin's check of the kinetic form (a warning, an error under
//!    `--strict`).
//! 4. **The loop** ([`driver`]): steps, an energy-log row every
//!    `energy-every` steps ([`monitor`]: a row reads `H` from the last sums
//!    of leapfrog and Yoshida's methods, and costs the other methods one
//!    extra Laplace sum), snapshots
//!    ([`outputs`]), a progress bar on a terminal.
//! 5. **The summary** ([`RunReport`]): energy error, momentum and angular
//!    momentum drift, time per step, share of time in the kernel, force
//!    evaluations per step, iteration-cap hits; on stdout (as JSON with
//!    `--json`) and as `summary.json`; the final state as CSV with
//!    `--final-state`.

mod args;
mod config;
pub mod driver;
mod interrupt;
mod keys;
pub mod monitor;
pub mod outputs;
mod report;
pub mod resume;
mod session;
mod settings;
pub mod setup;

use covar_kernel::LaplaceSum;

pub use args::{PresetName, RunArgs};
pub use config::RunConfig;
#[cfg(feature = "cli")]
pub use interrupt::StopSignals;
pub use interrupt::{Stop, signal_name};
pub use keys::keys as config_keys;
pub use report::RunReport;
pub use session::Session;
pub use settings::{Initial, Settings};

use crate::cli::CliError;
use crate::cli::fast::FastReport;
use outputs::OutputDir;

/// Runs `covar run`: resolves the settings, checks them, builds the system,
/// runs it and returns the summary. Warnings go to stderr; with
/// `show_progress`, so does a progress bar.
///
/// # Errors
///
/// Any [`CliError`]: settings out of range (naming the flag or key), input
/// files (naming the line and column), an output that would replace an
/// earlier run's, a step or a sum that failed (naming the particle).
///
/// # Examples
///
/// ```
/// use clap::Parser;
/// use covar::cli::{Cli, Command, run_simulation};
///
/// let out = std::env::temp_dir().join(format!("covar-doc-run-{}", std::process::id()));
/// let cli = Cli::parse_from([
///     "covar", "run", "--ic", "kepler", "--dt", "0.01", "--steps", "100",
///     "--out", out.to_str().unwrap(), "--overwrite",
/// ]);
/// let Command::Run(args) = &cli.command else { unreachable!() };
/// let report = run_simulation(args, false)?;
/// assert_eq!(report.energy_rows, 11);
/// assert!(report.max_rel_h_error < 1e-3);
/// # std::fs::remove_dir_all(&out).ok();
/// # Ok::<(), covar::cli::CliError>(())
/// ```
pub fn run_simulation(args: &RunArgs, show_progress: bool) -> Result<RunReport, CliError> {
    run_simulation_with(args, show_progress, &Stop::new())
}

/// [`run_simulation`], stopping at the step boundary after `stop` is
/// requested (by [`StopSignals`] on SIGINT or SIGTERM, or by the caller):
/// a checkpoint is written into the output folder and the result is
/// [`CliError::Interrupted`]. With `args.resume`, continues the run in that
/// folder from its checkpoint ([`resume`]).
///
/// # Errors
///
/// As [`run_simulation`], and [`CliError::Interrupted`],
/// [`CliError::Resume`] or [`CliError::Checkpoint`].
///
/// # Examples
///
/// A run stopped after its first step, then resumed to its end:
///
/// ```
/// use clap::Parser;
/// use covar::cli::{Cli, CliError, Command};
/// use covar::cli::run::{Stop, run_simulation_with};
///
/// let out = std::env::temp_dir().join(format!("covar-doc-resume-{}", std::process::id()));
/// let dir = out.to_str().unwrap();
/// let args = |words: &[&str]| {
///     let cli = Cli::parse_from([&["covar", "run"], words].concat());
///     let Command::Run(args) = cli.command else { unreachable!() };
///     args
/// };
/// let stop = Stop::new();
/// stop.request(Stop::SIGINT);
/// let run = args(&["--ic", "kepler", "--dt", "0.01", "--steps", "50", "--out", dir, "--overwrite"]);
/// let e = run_simulation_with(&run, false, &stop).unwrap_err();
/// assert!(matches!(e, CliError::Interrupted { step: 1, .. }));
/// assert_eq!(e.exit_code(), 130);
/// let report = run_simulation_with(&args(&["--resume", dir]), false, &Stop::new())?;
/// assert_eq!((report.steps, report.resumed_from_step), (50, Some(1)));
/// # std::fs::remove_dir_all(&out).ok();
/// # Ok::<(), CliError>(())
/// ```
pub fn run_simulation_with(
    args: &RunArgs,
    show_progress: bool,
    stop: &Stop,
) -> Result<RunReport, CliError> {
    let mut session = Session::start(args, show_progress, stop)?;
    while !session.is_done() {
        session.step()?;
    }
    session.finish()
}

/// The summary of a finished run.
fn summarize(
    settings: &Settings,
    ready: &setup::Ready,
    outcome: &driver::Outcome,
    out: &OutputDir,
) -> RunReport {
    let sys = &ready.system;
    let m = &outcome.monitor;
    let wall = outcome.wall.as_secs_f64();
    let steps = settings.steps;
    // Times cover the steps this process took (after the checkpoint, when
    // resumed); counts cover the whole run.
    let taken = outcome.steps_taken.max(1) as f64;
    let kernel = (ready.integrator.kernel_time() + m.kernel_time()).as_secs_f64();
    let step_time = outcome.step_time.as_secs_f64();
    let own = (outcome
        .step_time
        .saturating_sub(ready.integrator.kernel_time()))
    .as_secs_f64();
    let share = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    // Only the direct backend has an instruction set.
    let isa = sys.backend.isa().map(|isa| isa.to_string());
    let g = ready.gershgorin;
    RunReport {
        preset: match settings.preset {
            covar_integrate::Preset::Gravity { .. } => "gravity",
            covar_integrate::Preset::Coulomb { .. } => "coulomb",
            covar_integrate::Preset::Darwin { .. } => "darwin",
            covar_integrate::Preset::Seed { .. } => "seed",
        },
        k: sys.couplings.k,
        mu: sys.couplings.mu,
        softening: sys.couplings.softening.length,
        softening_kernel: sys.couplings.softening.kernel.name(),
        initial: ready.source.clone(),
        n: sys.len(),
        integrator: ready.integrator.name(),
        order: ready.integrator.order(),
        dt: settings.dt,
        steps,
        t_final: sys.time,
        backend: sys.backend.name(),
        isa,
        threads: settings.threads,
        ranks: 1,
        exchange: None,
        fast: FastReport::of_backend(&sys.backend),
        h_initial: m.h0(),
        h_final: outcome.last.h,
        h_seed_final: outcome.last.h_seed,
        max_rel_h_error: m.max_rel_h_error(),
        final_rel_h_error: outcome.last.rel_h_error,
        momentum_drift: m.momentum_drift(),
        angular_momentum_drift: m.angular_momentum_drift(),
        wall_seconds: wall,
        seconds_per_step: wall / taken,
        steps_per_second: share(taken, wall),
        kernel_seconds: kernel,
        kernel_share: share(kernel, wall),
        integrator_overhead: share(own, step_time),
        force_evaluations: outcome.force_evaluations,
        force_evaluations_per_step: outcome.force_evaluations as f64 / steps as f64,
        diagnostic_evaluations: m.evaluations(),
        iteration_cap_hits: outcome.cap_hits,
        resumed_from_step: outcome.resumed_from,
        max_copy_gap_r: m.max_copy_gap().map(|g| g.0),
        max_copy_gap_p: m.max_copy_gap().map(|g| g.1),
        gershgorin_violations: g.map(|g| g.violations),
        gershgorin_worst_particle: g.map(|g| g.worst_particle),
        gershgorin_worst_margin: g.map(|g| g.worst_margin),
        kinetic_min_eigenvalue: ready.exact.map(|e| e.theta),
        kinetic_residual: ready.exact.map(|e| e.residual),
        kinetic_sums: ready.exact.map(|e| e.sums),
        out: out.dir().display().to_string(),
        energy_rows: out.rows(),
        snapshots: out.snapshots(),
        final_state: settings
            .final_state
            .as_ref()
            .map(|p| p.display().to_string()),
    }
}
