//! The generalized Störmer–Verlet method (generalized leapfrog) for
//! non-separable Hamiltonians (Hairer, Lubich, Wanner, *Geometric Numerical
//! Integration*, section VI.3, eq. (3.4)):
//!
//! ```text
//! P_1/2 = P_0   - h/2 dH/dr(r_0, P_1/2)                         implicit in P_1/2
//! r_1   = r_0   + h/2 [dH/dP(r_0, P_1/2) + dH/dP(r_1, P_1/2)]   implicit in r_1
//! P_1   = P_1/2 - h/2 dH/dr(r_1, P_1/2)                         explicit
//! ```
//!
//! Symplectic, symmetric, order 2; a symplectic partitioned Runge–Kutta
//! method (Lobatto IIIA–IIIB), so it conserves the invariants of the form
//! `r^T C P`: total momentum and angular momentum. With `mu = 0` it is
//! kick-drift-kick leapfrog.

use super::fixed_point::{
    Change, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE, MOMENTA, POSITIONS, converged,
};
use super::{Integrator, StepInfo, check_dt, check_state, evaluate, state_is, write_state};
use crate::error::IntegrateError;
use crate::fields::Fields;
use crate::phase::PhaseBuf;
use crate::system::System;

/// Generalized Störmer–Verlet, both implicit stages solved by fixed-point
/// iteration.
///
/// Each stage iterates until its normwise relative change falls below
/// `tolerance`, or stops shrinking near it (round-off floor), or reaches
/// `max_iterations`; hitting the cap in either stage is reported in
/// [`StepInfo::hit_iteration_cap`]. One force evaluation per iteration; the
/// explicit last stage reuses the forces of the last iteration of the
/// second stage (evaluated at `r_1` to within the tolerance).
///
/// Warm start: the first guess of `P_1/2` is `P_0 + h/2` times the force of
/// the previous step's last stage, when the system still holds the state
/// this integrator wrote; the first guess of `r_1` is `r_0 + h dH/dP(r_0,
/// P_1/2)`.
///
/// # Examples
///
/// ```
/// use covar_integrate::{Couplings, Integrator, StormerVerlet, System};
/// use covar_store::{Particle, ParticleStore};
/// use glam::DVec3;
///
/// let particles: ParticleStore = [
///     Particle::new(DVec3::new(-0.5, 0.0, 0.0), DVec3::new(0.0, -0.4, 0.0), 1.0, 1.0),
///     Particle::new(DVec3::new(0.5, 0.0, 0.0), DVec3::new(0.0, 0.4, 0.0), 1.0, -1.0),
/// ]
/// .into_iter()
/// .collect();
/// let mut sys = System::new(particles, Couplings { k: 1.0, mu: 0.3, softening: 0.5.into() })?;
/// let mut sv = StormerVerlet::default();
/// let info = sv.step(&mut sys, 1e-2)?;
/// assert!(!info.hit_iteration_cap);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct StormerVerlet {
    /// Relative convergence tolerance of each stage (default
    /// `4 f64::EPSILON`).
    pub tolerance: f64,
    /// Iteration cap of each stage (default 100).
    pub max_iterations: usize,
    fields: Fields,
    /// `(r_0, P_0)`.
    z0: PhaseBuf,
    /// The iterate: `(r_0, P_1/2)` in stage 1, `(r_1, P_1/2)` in stage 2.
    trial: PhaseBuf,
    rate: PhaseBuf,
    /// `dH/dP(r_0, P_1/2)`.
    v0: [Vec<f64>; 3],
    /// The state written by the last step.
    z1: PhaseBuf,
    /// `-dH/dr(r_1, P_1/2)` of the last step.
    last_force: [Vec<f64>; 3],
    warm: bool,
}

impl Default for StormerVerlet {
    fn default() -> Self {
        Self {
            tolerance: DEFAULT_TOLERANCE,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            fields: Fields::new(),
            z0: PhaseBuf::default(),
            trial: PhaseBuf::default(),
            rate: PhaseBuf::default(),
            v0: Default::default(),
            z1: PhaseBuf::default(),
            last_force: Default::default(),
            warm: false,
        }
    }
}

impl Integrator for StormerVerlet {
    fn kernel_time(&self) -> std::time::Duration {
        self.fields.kernel_time()
    }

    fn name(&self) -> &'static str {
        "stormer-verlet"
    }

    fn order(&self) -> u32 {
        2
    }

    /// The last step's final force (the warm start of `P_1/2`).
    fn save_state(&self) -> Vec<f64> {
        if !self.warm {
            return Vec::new();
        }
        self.last_force.concat()
    }

    fn restore_state(&mut self, system: &System, state: &[f64]) -> Result<(), IntegrateError> {
        let n = system.len();
        let layout = check_state(self.name(), n, state, &[0, 3 * n], None)?;
        self.warm = layout == 1 && n > 0;
        if self.warm {
            for (dst, src) in self.last_force.iter_mut().zip(state.chunks_exact(n)) {
                dst.clear();
                dst.extend_from_slice(src);
            }
            self.z1.resize(n);
            self.z1.copy_from(system.phase());
        }
        Ok(())
    }

    fn step(&mut self, system: &mut System, dt: f64) -> Result<StepInfo, IntegrateError> {
        check_dt(dt)?;
        let n = system.len();
        let warm = self.warm && state_is(system, &self.z1);
        for b in [&mut self.z0, &mut self.trial, &mut self.rate, &mut self.z1] {
            b.resize(n);
        }
        for c in self.v0.iter_mut().chain(self.last_force.iter_mut()) {
            c.resize(n, 0.0);
        }
        self.warm = false;
        self.z0.copy_from(system.phase());
        self.trial.copy_from(system.phase());
        let h2 = 0.5 * dt;
        if warm {
            for (p, f) in self.trial.p.iter_mut().zip(&self.last_force) {
                for (p, f) in p.iter_mut().zip(f) {
                    *p += h2 * f;
                }
            }
        }
        let mut info = StepInfo::default();

        // Stage 1: P_1/2 = P_0 + h/2 rate_P(r_0, P_1/2).
        let mut iterations = 0;
        let mut last_change = f64::INFINITY;
        loop {
            evaluate(
                &mut self.fields,
                system,
                self.trial.as_phase(),
                &mut self.rate,
            )?;
            iterations += 1;
            let mut change = Change::default();
            for d in 0..3 {
                let (p, p0, f) = (&mut self.trial.p[d], &self.z0.p[d], &self.rate.p[d]);
                for ((p, &p0), &f) in p.iter_mut().zip(p0).zip(f) {
                    let new = p0 + h2 * f;
                    change.add(MOMENTA, new - *p, new.abs().max(p0.abs()));
                    *p = new;
                }
                self.v0[d].copy_from_slice(&self.rate.r[d]);
            }
            let change = change.relative();
            if converged(change, last_change, self.tolerance) {
                break;
            }
            if iterations >= self.max_iterations {
                info.hit_iteration_cap = true;
                break;
            }
            last_change = change;
        }
        info.iterations += iterations;

        // Stage 2: r_1 = r_0 + h/2 [v0 + rate_r(r_1, P_1/2)], from the guess
        // r_0 + h v0 (written so that it is exact when rate_r ignores r).
        for d in 0..3 {
            let (r, r0, v) = (&mut self.trial.r[d], &self.z0.r[d], &self.v0[d]);
            for ((r, &r0), &v) in r.iter_mut().zip(r0).zip(v) {
                *r = r0 + h2 * (v + v);
            }
        }
        let mut iterations = 0;
        let mut last_change = f64::INFINITY;
        loop {
            evaluate(
                &mut self.fields,
                system,
                self.trial.as_phase(),
                &mut self.rate,
            )?;
            iterations += 1;
            let mut change = Change::default();
            for d in 0..3 {
                let (r, r0) = (&mut self.trial.r[d], &self.z0.r[d]);
                let (v, w) = (&self.v0[d], &self.rate.r[d]);
                for (((r, &r0), &v), &w) in r.iter_mut().zip(r0).zip(v).zip(w) {
                    let new = r0 + h2 * (v + w);
                    change.add(POSITIONS, new - *r, new.abs().max(r0.abs()));
                    *r = new;
                }
            }
            let change = change.relative();
            if converged(change, last_change, self.tolerance) {
                break;
            }
            if iterations >= self.max_iterations {
                info.hit_iteration_cap = true;
                break;
            }
            last_change = change;
        }
        info.iterations += iterations;
        info.force_evaluations = info.iterations;

        // Stage 3 (explicit): P_1 = P_1/2 + h/2 rate_P(r_1, P_1/2).
        for d in 0..3 {
            self.z1.r[d].copy_from_slice(&self.trial.r[d]);
            let (p1, p, f) = (&mut self.z1.p[d], &self.trial.p[d], &self.rate.p[d]);
            for ((p1, &p), &f) in p1.iter_mut().zip(p).zip(f) {
                *p1 = p + h2 * f;
            }
            self.last_force[d].copy_from_slice(f);
        }
        write_state(system, &self.z1);
        self.warm = true;
        system.time += dt;
        Ok(info)
    }
}
