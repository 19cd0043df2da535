//! A run as a value: set up as `covar run` sets it up, stepped by its
//! caller, finished with the same summary.
//!
//! [`run_simulation_with`](super::run_simulation_with) is a [`Session`]
//! stepped to its end; the Python package's `Simulation` is one stepped a
//! few steps at a time, with the caller looking at the state in between.
//! Both take the same steps and write the same files (energy log,
//! snapshots, checkpoints, summary), so a run started from one resumes
//! from the other.

use std::path::{Path, PathBuf};

use covar_integrate::System;
use covar_kernel::Backend;

use super::driver::{Env, Loop, Plan, Start};
use super::interrupt::Stop;
use super::monitor::Row;
use super::outputs::{Extra, OutputDir, check_final_state};
use super::report::RunReport;
use super::{RunArgs, Settings, resume, setup, summarize};
use crate::cli::CliError;
use crate::cli::args::{MAX_THREADS, whole};
use crate::cli::progress::StepBar;
use crate::io::csv;

/// A run between two steps.
pub struct Session {
    settings: Settings,
    settings_toml: String,
    ready: setup::Ready,
    out: OutputDir,
    run: Loop,
    bar: StepBar,
    stop: Stop,
    pool: rayon::ThreadPool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("out", &self.out.dir())
            .field("steps_done", &self.steps_done())
            .field("steps", &self.settings.steps)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Resolves `args` (flags over its `--config` file over the defaults),
    /// checks the output folder and builds the system, as `covar run`
    /// does; `args.resume` continues the run in that folder from its
    /// checkpoint instead. With `show_progress`, a progress bar is drawn
    /// on stderr; warnings go to stderr either way. A `stop` request ends
    /// the run at the next step boundary with a checkpoint.
    ///
    /// # Errors
    ///
    /// As [`run_simulation_with`](super::run_simulation_with) before its
    /// first step.
    pub fn start(args: &RunArgs, show_progress: bool, stop: &Stop) -> Result<Self, CliError> {
        Self::start_on(args, show_progress, stop, &|b| Ok(b))
    }

    /// As [`start`](Self::start), with the system's backend replaced by
    /// `on(backend)` before any sum (of a fresh run; after the checkpoint is
    /// read, of a resumed one). The settings keep the backend they name.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start), and `on`'s.
    pub(crate) fn start_on(
        args: &RunArgs,
        show_progress: bool,
        stop: &Stop,
        on: &dyn Fn(Backend) -> Result<Backend, CliError>,
    ) -> Result<Self, CliError> {
        if let Some(dir) = &args.resume {
            let mut session = Self::resume(dir, args, show_progress, stop)?;
            let system = &mut session.ready.system;
            system.backend = on(system.backend.clone())?;
            return Ok(session);
        }
        let settings = Settings::resolve(args)?;
        let backend = on(settings.backend.clone())?;
        let mut session = Self::with_settings(
            Settings {
                backend,
                ..settings.clone()
            },
            show_progress,
            stop,
        )?;
        session.settings = settings;
        Ok(session)
    }

    /// As [`start`](Self::start) for settings already resolved (by
    /// [`Settings::resolve_with`], from a configuration built by a
    /// program rather than read from flags).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start), after resolving.
    pub fn with_settings(
        settings: Settings,
        show_progress: bool,
        stop: &Stop,
    ) -> Result<Self, CliError> {
        setup::check_integrator(&settings)?;
        if let Some(path) = &settings.final_state {
            check_final_state(path, &settings.out, settings.overwrite)?;
        }
        let extra = Extra {
            h_seed: settings.preset.is_seed(),
            copy_gap: settings.integrator.starts_with("tao"),
        };
        let out = OutputDir::check(&settings.out, settings.overwrite, settings.steps, extra)?
            .with_snapshots(&settings);
        let pool = pool(settings.threads)?;
        let bar = StepBar::new(settings.steps, show_progress);
        let (ready, run) = pool.install(|| {
            let mut ready = setup::prepare(&settings, &mut |w| bar.warn(&w))?;
            let run = Loop::new(&mut ready.system, ready.integrator.as_mut(), Start::Fresh)?;
            Ok::<_, CliError>((ready, run))
        })?;
        let settings_toml = settings.to_config().to_toml();
        bar.set_error(0.0);
        Ok(Self {
            settings,
            settings_toml,
            ready,
            out,
            run,
            bar,
            stop: stop.clone(),
            pool,
        })
    }

    /// `--resume DIR`: checks the checkpoint and the folder, then sets the
    /// run up at the checkpoint's step. `args` may hold `threads` and
    /// `json` besides `resume`, nothing else.
    ///
    /// # Errors
    ///
    /// [`CliError::Resume`] or [`CliError::Checkpoint`] naming what does not
    /// fit, and the errors of [`start`](Self::start).
    pub fn resume(
        dir: &Path,
        args: &RunArgs,
        show_progress: bool,
        stop: &Stop,
    ) -> Result<Self, CliError> {
        // The pool is built before the settings are resolved: `threads`
        // gets the range check resolving would give it.
        let threads = match args.settings.threads {
            Some(t) => whole(i128::from(t), 1, MAX_THREADS).map_err(|reason| {
                CliError::InvalidArgument {
                    flag: "threads",
                    reason,
                }
            })? as usize,
            None => std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(1),
        };
        let pool = pool(threads)?;
        let mut warnings = Vec::new();
        let (settings, settings_toml, out, ready, run) = pool.install(|| {
            let (resumed, mut ready) = resume::resume(dir, args, &mut |w| warnings.push(w))?;
            let resume::Resumed {
                settings,
                settings_toml,
                out,
                start,
            } = resumed;
            let run = Loop::new(&mut ready.system, ready.integrator.as_mut(), start)?;
            Ok::<_, CliError>((settings, settings_toml, out, ready, run))
        })?;
        let bar = StepBar::new(settings.steps, show_progress);
        for w in warnings {
            bar.warn(&w);
        }
        bar.set_position(run.steps_done());
        bar.set_error(0.0);
        Ok(Self {
            settings,
            settings_toml,
            ready,
            out,
            run,
            bar,
            stop: stop.clone(),
            pool,
        })
    }

    /// Takes the next step, with its energy-log row, snapshot and
    /// checkpoint where the settings ask for them.
    ///
    /// # Errors
    ///
    /// The step's or an output's error, naming the particle or file;
    /// [`CliError::Interrupted`] after the checkpoint written for a stop
    /// request; [`CliError::InvalidArgument`] when every step is taken.
    pub fn step(&mut self) -> Result<(), CliError> {
        if self.is_done() {
            return Err(CliError::InvalidArgument {
                flag: "steps",
                reason: format!(
                    "the run has taken its {} steps (to t = {}); start a longer one",
                    self.settings.steps,
                    self.system().time
                ),
            });
        }
        let plan = &plan(&self.settings);
        let Self {
            ready,
            out,
            run,
            bar,
            stop,
            settings_toml,
            pool,
            ..
        } = self;
        let env = Env {
            settings_toml,
            bar,
            stop,
        };
        let result =
            pool.install(|| run.step(&mut ready.system, ready.integrator.as_mut(), plan, out, env));
        if result.is_err() {
            self.bar.finish();
        }
        result
    }

    /// Whether every step of the run is taken.
    pub fn is_done(&self) -> bool {
        self.run.is_done(&plan(&self.settings))
    }

    /// Steps taken, counting those before a resumed run's checkpoint.
    pub fn steps_done(&self) -> u64 {
        self.run.steps_done()
    }

    /// The run's settings, resolved.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The system: particles, couplings, time and backend.
    pub fn system(&self) -> &System {
        &self.ready.system
    }

    /// The output folder.
    pub fn out_dir(&self) -> &Path {
        self.out.dir()
    }

    /// The energy-log row of the current state (`H`, its error against
    /// `H(0)`, momentum and angular momentum), measured without logging
    /// it. Costs one Laplace sum.
    ///
    /// # Errors
    ///
    /// The sum's error, naming the particle.
    pub fn energy(&mut self) -> Result<Row, CliError> {
        let Self {
            ready, run, pool, ..
        } = self;
        let step = run.steps_done();
        // `&mut` to the integrator: it is `Send`, not `Sync`.
        let setup::Ready {
            system, integrator, ..
        } = ready;
        pool.install(move || {
            let integrator: &dyn covar_integrate::Integrator = integrator.as_mut();
            run.peek(system, step, integrator.copy_gap(), Some(integrator))
        })
    }

    /// Writes a checkpoint of the current step into the output folder:
    /// `covar run --resume` (or a new session on the folder) continues
    /// from it.
    ///
    /// # Errors
    ///
    /// Writing the file; before the first step there is nothing to save.
    pub fn checkpoint(&self) -> Result<PathBuf, CliError> {
        self.run.checkpoint(
            &self.ready.system,
            self.ready.integrator.as_ref(),
            &self.out,
            &self.settings_toml,
        )
    }

    /// Ends a run whose steps are all taken: the final state (with
    /// `final-state`), `summary.json`, and the report.
    ///
    /// # Errors
    ///
    /// Writing the files; [`CliError::InvalidArgument`] if steps remain.
    pub fn finish(self) -> Result<RunReport, CliError> {
        self.finish_with(|_| {})
    }

    /// [`finish`](Self::finish), with `complete` filling in what the
    /// session cannot know (a run over MPI ranks: the ranks, their
    /// exchanges) before the summary is written.
    ///
    /// # Errors
    ///
    /// As [`finish`](Self::finish).
    pub fn finish_with(self, complete: impl FnOnce(&mut RunReport)) -> Result<RunReport, CliError> {
        self.bar.finish();
        if !self.is_done() {
            return Err(CliError::InvalidArgument {
                flag: "steps",
                reason: format!(
                    "{} of the run's {} steps are taken; take the rest before finishing",
                    self.steps_done(),
                    self.settings.steps
                ),
            });
        }
        let Self {
            settings,
            mut ready,
            mut out,
            run,
            bar,
            pool,
            ..
        } = self;
        let plan = plan(&settings);
        let outcome = {
            let setup::Ready {
                system, integrator, ..
            } = &mut ready;
            pool.install(move || {
                let integrator: &dyn covar_integrate::Integrator = integrator.as_mut();
                run.finish(system, integrator, &plan)
            })?
        };
        if let Some(path) = &settings.final_state {
            csv::write(&ready.system.particles, path)?;
        }
        let mut report = summarize(&settings, &ready, &outcome, &out);
        complete(&mut report);
        let json = serde_json::to_string_pretty(&report).map_err(std::io::Error::from)?;
        out.finish(&json)?;
        if outcome.cap_hits > 0 {
            bar.warn(&format!(
                "{} of {} steps stopped at the implicit solver's iteration cap; a shorter --dt \
                 avoids it",
                outcome.cap_hits, settings.steps
            ));
        }
        Ok(report)
    }
}

/// How long the run is and how often it writes, from its settings.
fn plan(settings: &Settings) -> Plan {
    Plan {
        dt: settings.dt,
        steps: settings.steps,
        energy_every: settings.energy_every,
        snapshot_every: settings.snapshot_every,
        checkpoint_every: settings.checkpoint_every,
    }
}

/// A thread pool of `threads` workers.
fn pool(threads: usize) -> Result<rayon::ThreadPool, CliError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CliError::ThreadPool {
            threads,
            message: e.to_string(),
        })
}
