//! The time-stepping loop: step, log, snapshot, checkpoint, repeat.
//!
//! The output folder is opened after the first step has succeeded, so that
//! a run refused by its integrator (a step too long for Tao's binding, say)
//! leaves no files behind; row 0 and snapshot 0 are written then, from the
//! state kept for the purpose.
//!
//! After each step's row and snapshot, the loop writes a checkpoint every
//! `checkpoint-every` steps (and after the last step, as does a resumed
//! run), and when a
//! [`Stop`] was requested (SIGINT, SIGTERM) it writes one and returns
//! [`CliError::Interrupted`]. A resumed run ([`Start::Resumed`]) starts
//! after the checkpoint's step with the checkpoint's monitor and counters,
//! in an output folder already open.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use covar_integrate::{Integrator, System};
use covar_store::ParticleStore;

use super::interrupt::Stop;
use super::monitor::{Monitor, Row};
use super::outputs::OutputDir;
use crate::cli::CliError;
use crate::cli::progress::StepBar;
use crate::io::checkpoint::{self, Checkpoint, Counters};

/// How long to run and how often to write.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// Time step.
    pub dt: f64,
    /// Number of steps (`>= 1`).
    pub steps: u64,
    /// Steps between energy-log rows (`>= 1`).
    pub energy_every: u64,
    /// Steps between snapshots (0: only the first and last).
    pub snapshot_every: u64,
    /// Steps between checkpoints (0: only when stopped).
    pub checkpoint_every: u64,
}

impl Plan {
    /// Whether `step` gets an energy-log row.
    fn logs(&self, step: u64) -> bool {
        step.is_multiple_of(self.energy_every) || step == self.steps
    }

    /// Whether `step` gets a snapshot.
    fn snapshots(&self, step: u64) -> bool {
        (self.snapshot_every > 0 && step.is_multiple_of(self.snapshot_every)) || step == self.steps
    }

    /// Whether `step` gets a checkpoint (without a stop request): every
    /// `checkpoint_every` steps and the last; with `resumed`, the last
    /// step always (so that the folder's checkpoint, written when the run
    /// was interrupted, says it is complete).
    fn checkpoints(&self, step: u64, resumed: bool) -> bool {
        (self.checkpoint_every > 0 && step.is_multiple_of(self.checkpoint_every))
            || ((self.checkpoint_every > 0 || resumed) && step == self.steps)
    }
}

/// Where the loop starts.
#[derive(Debug)]
pub enum Start {
    /// At step 0: the monitor starts at the system's state, and the output
    /// folder is opened after the first step.
    Fresh,
    /// After the checkpoint of `step`, in an output folder already open.
    Resumed {
        /// The checkpoint's step.
        step: u64,
        /// The monitor as the checkpoint left it.
        monitor: Box<Monitor>,
        /// The checkpoint's counters.
        counters: Counters,
    },
}

/// What the loop needs besides the system and where it writes.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    /// The settings as TOML (`run.toml`, and the checkpoint's settings).
    pub settings_toml: &'a str,
    /// The progress bar (and where warnings go).
    pub bar: &'a StepBar,
    /// The stop request the loop checks after each step.
    pub stop: &'a Stop,
}

/// What the loop measured.
#[derive(Debug)]
pub struct Outcome {
    /// The invariants over the run.
    pub monitor: Monitor,
    /// The last energy-log row (the final state).
    pub last: Row,
    /// Laplace-sum evaluations of the integrator.
    pub force_evaluations: u64,
    /// Steps whose implicit solve stopped at the iteration cap.
    pub cap_hits: u64,
    /// Steps taken by this loop (fewer than the run's when resumed).
    pub steps_taken: u64,
    /// The checkpoint's step, for a resumed run.
    pub resumed_from: Option<u64>,
    /// Wall time of the loop (steps, rows, snapshots, checkpoints).
    pub wall: Duration,
    /// Wall time inside [`Integrator::step`].
    pub step_time: Duration,
}

/// The loop's state between two steps: the invariants so far, the counters,
/// and the next step to take. A [`Session`](super::Session) steps it to
/// the end (`covar run`) or as far as its caller asks (the Python
/// package), with the same outputs and checkpoints.
#[derive(Debug)]
pub struct Loop {
    monitor: Monitor,
    /// Row 0 and the state at step 0, written when the folder opens.
    initial: Option<(Row, ParticleStore)>,
    counters: Counters,
    next_step: u64,
    resumed_from: Option<u64>,
    last: Option<Row>,
    started: Instant,
    step_time: Duration,
}

impl Loop {
    /// The loop of `system` from `start`.
    ///
    /// # Errors
    ///
    /// The first row's sums (a fresh start), naming the particle.
    pub fn new(
        system: &mut System,
        integrator: &mut dyn Integrator,
        start: Start,
    ) -> Result<Self, CliError> {
        let started = Instant::now();
        let (monitor, initial, next_step, counters, resumed_from) = match start {
            Start::Fresh => {
                let (monitor, row) = Monitor::start(system)?;
                // The first row's sums are the first step's forces for the
                // splitting methods: one evaluation less, the same bits.
                integrator.offer_fields(system, monitor.sums());
                let initial = Some((row, system.particles.clone()));
                (monitor, initial, 1, Counters::default(), None)
            }
            Start::Resumed {
                step,
                monitor,
                counters,
            } => (*monitor, None, step + 1, counters, Some(step)),
        };
        Ok(Self {
            monitor,
            initial,
            counters,
            next_step,
            resumed_from,
            last: None,
            started,
            step_time: Duration::ZERO,
        })
    }

    /// The steps taken so far, counting those before a resumed run's
    /// checkpoint.
    pub fn steps_done(&self) -> u64 {
        self.next_step - 1
    }

    /// Whether every step of `plan` is taken.
    pub fn is_done(&self, plan: &Plan) -> bool {
        self.next_step > plan.steps
    }

    /// The energy-log row of `system`'s current state after `step` steps,
    /// without recording it.
    ///
    /// # Errors
    ///
    /// Any error of the Laplace sum.
    pub fn peek(
        &mut self,
        system: &System,
        step: u64,
        copy_gap: Option<covar_integrate::CopyGap>,
        integrator: Option<&dyn Integrator>,
    ) -> Result<Row, CliError> {
        self.monitor.peek(system, step, copy_gap, integrator)
    }

    /// Takes the next step of `plan`, then writes its energy-log row,
    /// snapshot and checkpoint where the plan asks for them (the folder
    /// opens after a fresh run's first step).
    ///
    /// # Errors
    ///
    /// The step's, the row's or an output's error, or
    /// [`CliError::Interrupted`] after the checkpoint written for a stop
    /// request (`env.stop`).
    ///
    /// # Panics
    ///
    /// If every step is taken ([`is_done`](Self::is_done)).
    pub fn step(
        &mut self,
        system: &mut System,
        integrator: &mut dyn Integrator,
        plan: &Plan,
        out: &mut OutputDir,
        env: Env<'_>,
    ) -> Result<(), CliError> {
        assert!(
            !self.is_done(plan),
            "the run has taken its {} steps",
            plan.steps
        );
        let step = self.next_step;
        let t = Instant::now();
        let info = integrator.step(system, plan.dt)?;
        self.step_time += t.elapsed();
        self.next_step += 1;
        let counters = &mut self.counters;
        counters.force_evaluations += info.force_evaluations as u64;
        if info.hit_iteration_cap {
            counters.cap_hits += 1;
            if counters.cap_hits == 1 {
                env.bar.warn(&format!(
                    "step {step}: the fixed-point iteration of {} stopped at its iteration cap \
                     before reaching its tolerance (that step is less accurate and not exactly \
                     symplectic); further hits are counted in the summary; a shorter --dt avoids them",
                    integrator.name()
                ));
            }
        }
        if let Some((first, state)) = self.initial.take() {
            out.open(env.settings_toml)?;
            out.log(&first)?;
            out.snapshot(0, &state)?;
        }
        if plan.logs(step) {
            let row =
                self.monitor
                    .observe(system, step, integrator.copy_gap(), Some(&*integrator))?;
            out.log(&row)?;
            env.bar.set_error(row.rel_h_error);
            self.last = Some(row);
        }
        if plan.snapshots(step) {
            out.snapshot(step, &system.particles)?;
        }
        env.bar.inc();
        // A stop during the last step lets the run finish instead.
        let signal = env.stop.requested().filter(|_| step < plan.steps);
        if signal.is_some() || plan.checkpoints(step, self.resumed_from.is_some()) {
            let path = self.checkpoint(system, integrator, out, env.settings_toml)?;
            if let Some(signal) = signal {
                return Err(CliError::Interrupted {
                    signal,
                    step,
                    steps: plan.steps,
                    checkpoint: path,
                    dir: out.dir().to_path_buf(),
                });
            }
        }
        Ok(())
    }

    /// Writes the checkpoint of the last step taken into `out`'s folder
    /// and returns its path: `covar run --resume` continues from it.
    ///
    /// # Errors
    ///
    /// Writing the file, or [`CliError::Resume`] before the first step (a
    /// fresh run's folder opens after it, and step 0 needs no checkpoint).
    pub fn checkpoint(
        &self,
        system: &System,
        integrator: &dyn Integrator,
        out: &OutputDir,
        settings_toml: &str,
    ) -> Result<PathBuf, CliError> {
        if self.initial.is_some() {
            return Err(CliError::Resume {
                dir: out.dir().to_path_buf(),
                reason: "no step has been taken yet: there is nothing to checkpoint".into(),
            });
        }
        let saved = Saved {
            system,
            integrator,
            monitor: &self.monitor,
            counters: self.counters,
        };
        saved.write(out, settings_toml, self.steps_done())
    }

    /// What the loop measured, once every step of `plan` is taken.
    ///
    /// # Errors
    ///
    /// The sums of the last row of a run resumed from its last step.
    pub fn finish(
        self,
        system: &System,
        integrator: &dyn Integrator,
        plan: &Plan,
    ) -> Result<Outcome, CliError> {
        let mut monitor = self.monitor;
        // A run resumed from its last step's checkpoint takes no step: its
        // last row is the logged one, measured again.
        let last = match self.last {
            Some(row) => row,
            None => monitor.peek(system, plan.steps, integrator.copy_gap(), Some(integrator))?,
        };
        let first_step = self.resumed_from.map_or(1, |s| s + 1);
        Ok(Outcome {
            monitor,
            last,
            force_evaluations: self.counters.force_evaluations,
            cap_hits: self.counters.cap_hits,
            steps_taken: (plan.steps + 1).saturating_sub(first_step),
            resumed_from: self.resumed_from,
            wall: self.started.elapsed(),
            step_time: self.step_time,
        })
    }
}

/// The state a checkpoint is made of.
struct Saved<'a> {
    system: &'a System,
    integrator: &'a dyn Integrator,
    monitor: &'a Monitor,
    counters: Counters,
}

impl Saved<'_> {
    /// Writes the checkpoint of `step` into `out`'s folder (after syncing
    /// the energy log it counts) and returns its path.
    fn write(&self, out: &OutputDir, settings_toml: &str, step: u64) -> Result<PathBuf, CliError> {
        out.sync_log()?;
        let checkpoint = Checkpoint {
            settings: settings_toml.to_string(),
            integrator: self.integrator.name().to_string(),
            step,
            time: self.system.time,
            couplings: self.system.couplings,
            particles: self.system.particles.clone(),
            integrator_state: self.integrator.save_state(),
            monitor: self.monitor.save_state(),
            counters: Counters {
                energy_rows: out.rows(),
                snapshots: out.snapshots(),
                ..self.counters
            },
        };
        let path = out.dir().join(checkpoint::FILE_NAME);
        checkpoint::write(&checkpoint, &path).map_err(CliError::output(&path))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_last_steps_are_always_written() {
        let plan = Plan {
            dt: 0.1,
            steps: 25,
            energy_every: 10,
            snapshot_every: 0,
            checkpoint_every: 0,
        };
        let logged: Vec<u64> = (1..=25).filter(|&s| plan.logs(s)).collect();
        assert_eq!(logged, [10, 20, 25]);
        let snaps: Vec<u64> = (1..=25).filter(|&s| plan.snapshots(s)).collect();
        assert_eq!(snaps, [25]);
        let every_5 = Plan {
            snapshot_every: 5,
            ..plan
        };
        assert_eq!((1..=25).filter(|&s| every_5.snapshots(s)).count(), 5);
        assert!((1..=25).all(|s| !plan.checkpoints(s, false)));
        let resumed: Vec<u64> = (1..=25).filter(|&s| plan.checkpoints(s, true)).collect();
        assert_eq!(resumed, [25]);
        let ckpt = Plan {
            checkpoint_every: 10,
            ..plan
        };
        let saved: Vec<u64> = (1..=25).filter(|&s| ckpt.checkpoints(s, false)).collect();
        assert_eq!(saved, [10, 20, 25]);
    }
}
