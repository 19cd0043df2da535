//! The time-stepping loop: step, log, snapshot, repeat.
//!
//! The output folder is opened after the first step has succeeded, so that
//! a run refused by its integrator (a step too long for Tao's binding, say)
//! leaves no files behind; row 0 and snapshot 0 are written then, from the
//! state kept for the purpose.

use std::time::{Duration, Instant};

use covar_integrate::{Integrator, System};

use super::monitor::{Monitor, Row};
use super::outputs::OutputDir;
use crate::cli::CliError;
use crate::cli::progress::StepBar;

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
    /// Wall time of the loop (steps, rows, snapshots).
    pub wall: Duration,
    /// Wall time inside [`Integrator::step`].
    pub step_time: Duration,
}

/// Runs `plan` on `system`, writing into `out` (opened after the first
/// step, with `settings_toml` as its settings file).
///
/// # Errors
///
/// The first error of a step, a diagnostic or an output file. Rows and
/// snapshots written before it stay.
pub fn drive(
    system: &mut System,
    integrator: &mut dyn Integrator,
    plan: Plan,
    out: &mut OutputDir,
    settings_toml: &str,
    bar: &StepBar,
) -> Result<Outcome, CliError> {
    let start = Instant::now();
    let (mut monitor, first) = Monitor::start(system)?;
    bar.set_error(0.0);
    let mut initial = Some(system.particles.clone());
    let mut last = first;
    let (mut force_evaluations, mut cap_hits) = (0u64, 0u64);
    let mut step_time = Duration::ZERO;
    for step in 1..=plan.steps {
        let t = Instant::now();
        let info = integrator.step(system, plan.dt)?;
        step_time += t.elapsed();
        force_evaluations += info.force_evaluations as u64;
        if info.hit_iteration_cap {
            cap_hits += 1;
            if cap_hits == 1 {
                bar.warn(&format!(
                    "step {step}: the fixed-point iteration of {} stopped at its iteration cap \
                     before reaching its tolerance (that step is less accurate and not exactly \
                     symplectic); further hits are counted in the summary; a shorter --dt avoids them",
                    integrator.name()
                ));
            }
        }
        if let Some(state) = initial.take() {
            out.open(settings_toml)?;
            out.log(&first)?;
            out.snapshot(0, &state)?;
        }
        if plan.logs(step) {
            last = monitor.observe(system, step, integrator.copy_gap())?;
            out.log(&last)?;
            bar.set_error(last.rel_h_error);
        }
        if plan.snapshots(step) {
            out.snapshot(step, &system.particles)?;
        }
        bar.inc();
    }
    Ok(Outcome {
        monitor,
        last,
        force_evaluations,
        cap_hits,
        wall: start.elapsed(),
        step_time,
    })
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
    }
}
