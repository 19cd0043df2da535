//! The implicit midpoint rule `z1 = z0 + h f((z0 + z1) / 2)`: symplectic
//! for any Hamiltonian, symmetric, order 2; conserves the quadratic
//! invariants (total momentum and angular momentum) exactly.

use super::{Integrator, StepInfo, check_dt, check_state, push_columns, read_columns, write_state};
use crate::error::IntegrateError;
use crate::fields::Fields;
use crate::phase::PhaseBuf;
use crate::system::System;

/// Implicit midpoint solved by fixed-point iteration.
///
/// Iterates until the largest change of any coordinate or momentum,
/// relative to its magnitude, falls below `tolerance`, or stops changing
/// (round-off floor), or `max_iterations` is reached; hitting the cap is
/// reported in [`StepInfo::hit_iteration_cap`], never hidden. The first
/// guess extrapolates the previous step's increment (warm start).
#[derive(Clone, Debug)]
pub struct ImplicitMidpoint {
    /// Relative convergence tolerance (default `4 f64::EPSILON`).
    pub tolerance: f64,
    /// Iteration cap per step (default 100).
    pub max_iterations: usize,
    fields: Fields,
    z0: PhaseBuf,
    z1: PhaseBuf,
    mid: PhaseBuf,
    rate: PhaseBuf,
    last_increment: Option<(f64, PhaseBuf)>,
}

impl Default for ImplicitMidpoint {
    fn default() -> Self {
        Self {
            tolerance: 4.0 * f64::EPSILON,
            max_iterations: 100,
            fields: Fields::new(),
            z0: PhaseBuf::default(),
            z1: PhaseBuf::default(),
            mid: PhaseBuf::default(),
            rate: PhaseBuf::default(),
            last_increment: None,
        }
    }
}

impl Integrator for ImplicitMidpoint {
    fn kernel_time(&self) -> std::time::Duration {
        self.fields.kernel_time()
    }

    fn name(&self) -> &'static str {
        "implicit-midpoint"
    }

    fn order(&self) -> u32 {
        2
    }

    /// The last step's `h` and increment (the warm start's extrapolation).
    fn save_state(&self) -> Vec<f64> {
        let Some((h, inc)) = &self.last_increment else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(1 + 6 * inc.len());
        out.push(*h);
        push_columns(&mut out, inc);
        out
    }

    fn restore_state(&mut self, system: &System, state: &[f64]) -> Result<(), IntegrateError> {
        let n = system.len();
        let layout = check_state(self.name(), n, state, &[0, 1 + 6 * n], Some(0))?;
        self.last_increment = if layout == 0 {
            None
        } else {
            let mut inc = PhaseBuf::default();
            read_columns(&mut inc, n, &state[1..]);
            Some((state[0], inc))
        };
        Ok(())
    }

    fn step(&mut self, system: &mut System, dt: f64) -> Result<StepInfo, IntegrateError> {
        check_dt(dt)?;
        let n = system.len();
        for b in [&mut self.z0, &mut self.z1, &mut self.mid, &mut self.rate] {
            b.resize(n);
        }
        self.z0.copy_from(system.phase());
        // Warm start: z1 = z0 + (dt / dt_prev) * previous increment.
        match &self.last_increment {
            Some((h_prev, inc)) if inc.len() == n => {
                let s = dt / h_prev;
                for (z1, (z0, inc)) in self
                    .z1
                    .columns_mut()
                    .zip(self.z0.columns().zip(inc.columns()))
                {
                    for ((a, &b), &c) in z1.iter_mut().zip(z0).zip(inc) {
                        *a = b + s * c;
                    }
                }
            }
            _ => self.z1.clone_from(&self.z0),
        }
        let (m, q) = (system.particles.masses(), system.particles.charges());
        let mut info = StepInfo::default();
        let mut last_change = f64::INFINITY;
        loop {
            for (mid, (z0, z1)) in self
                .mid
                .columns_mut()
                .zip(self.z0.columns().zip(self.z1.columns()))
            {
                for ((a, &b), &c) in mid.iter_mut().zip(z0).zip(z1) {
                    *a = 0.5 * (b + c);
                }
            }
            self.fields.compute(
                &system.backend,
                &system.couplings,
                m,
                q,
                self.mid.as_phase(),
            )?;
            self.fields
                .rates(&system.couplings, m, q, self.mid.as_phase(), &mut self.rate);
            info.force_evaluations += 1;
            info.iterations += 1;
            let mut change = 0.0f64;
            for (z1, (z0, f)) in self
                .z1
                .columns_mut()
                .zip(self.z0.columns().zip(self.rate.columns()))
            {
                for ((a, &b), &f) in z1.iter_mut().zip(z0).zip(f) {
                    let new = b + dt * f;
                    let scale = new.abs().max(b.abs()).max(f64::MIN_POSITIVE);
                    change = change.max((new - *a).abs() / scale);
                    *a = new;
                }
            }
            if change <= self.tolerance || change >= last_change && change <= 1e3 * self.tolerance {
                break;
            }
            if info.iterations >= self.max_iterations {
                info.hit_iteration_cap = true;
                break;
            }
            last_change = change;
        }
        let mut inc = self
            .last_increment
            .take()
            .map(|(_, b)| b)
            .unwrap_or_default();
        inc.resize(n);
        for (dst, (z1, z0)) in inc
            .columns_mut()
            .zip(self.z1.columns().zip(self.z0.columns()))
        {
            for ((a, &b), &c) in dst.iter_mut().zip(z1).zip(z0) {
                *a = b - c;
            }
        }
        self.last_increment = Some((dt, inc));
        write_state(system, &self.z1);
        system.time += dt;
        Ok(info)
    }
}
