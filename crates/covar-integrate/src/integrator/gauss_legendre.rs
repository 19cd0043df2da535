//! Gauss–Legendre collocation: the implicit Runge–Kutta methods whose
//! nodes `c_i` are the zeros of the shifted Legendre polynomial of degree
//! `s`. Order `2 s`, symplectic, symmetric, and they conserve every
//! quadratic invariant (total momentum and angular momentum among them).
//!
//! In stage-increment form (Hairer, Lubich, Wanner, *Geometric Numerical
//! Integration*, VIII.6), with `f = (dH/dP, -dH/dr)`:
//!
//! ```text
//! Z_i = h sum_j a_ij f(z_0 + Z_j),    i = 1..s
//! z_1 = z_0 + h sum_j b_j f(z_0 + Z_j)
//! ```
//!
//! As for any collocation method `a_ij = L_j(c_i)` and `b_j = L_j(1)`,
//! `L_j(t)` the integral from 0 to `t` of the Lagrange polynomial that is 1
//! at `c_j` and 0 at the other nodes; the warm start uses `L_j` to
//! extrapolate the previous step's collocation polynomial.

use super::fixed_point::{Change, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE, converged};
use super::{
    Integrator, StepInfo, check_dt, check_state, evaluate, push_columns, read_columns, state_is,
    write_state,
};
use crate::error::IntegrateError;
use crate::fields::Fields;
use crate::phase::PhaseBuf;
use crate::system::System;

/// Most stages supported.
const MAX_STAGES: usize = 3;

/// Gauss–Legendre collocation with 2 stages (`gauss4`, order 4) or 3
/// (`gauss6`, order 6), the stage equations solved by fixed-point
/// iteration.
///
/// The iteration stops when the normwise relative change of the stage
/// values falls below `tolerance`, or stops shrinking near it (round-off
/// floor), or at `max_iterations`, which is reported in
/// [`StepInfo::hit_iteration_cap`]. Each iteration evaluates the forces at
/// all `s` stages.
///
/// Warm start: when the system still holds the state the previous step
/// wrote and `h` is at most twice that step's, the first guess of the stages extrapolates that step's
/// collocation polynomial (error `O(h^(s+1))`); otherwise one evaluation at
/// `z_0` gives `Z_i = c_i h f(z_0)`.
///
/// # Examples
///
/// ```
/// use covar_integrate::{Couplings, GaussLegendre, Integrator, System};
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
/// let mut gauss = GaussLegendre::gauss6();
/// let info = gauss.step(&mut sys, 1e-2)?;
/// assert!(!info.hit_iteration_cap);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct GaussLegendre {
    /// Relative convergence tolerance (default `4 f64::EPSILON`).
    pub tolerance: f64,
    /// Iteration cap per step (default 100).
    pub max_iterations: usize,
    s: usize,
    c: [f64; MAX_STAGES],
    a: [[f64; MAX_STAGES]; MAX_STAGES],
    b: [f64; MAX_STAGES],
    fields: Fields,
    z0: PhaseBuf,
    /// Stage increments `Z_i`.
    z: [PhaseBuf; MAX_STAGES],
    /// Stage rates `f(z_0 + Z_i)`.
    f: [PhaseBuf; MAX_STAGES],
    trial: PhaseBuf,
    /// The state written by the last step.
    z1: PhaseBuf,
    /// The last step's `h`, while `f` holds its stage rates.
    last_dt: Option<f64>,
}

impl GaussLegendre {
    /// Two stages, order 4 (Hairer, Nørsett, Wanner, table II.7.3).
    pub fn gauss4() -> Self {
        let d = 3f64.sqrt() / 6.0;
        Self::with_tableau(
            2,
            [0.5 - d, 0.5 + d, 0.0],
            [[0.25, 0.25 - d, 0.0], [0.25 + d, 0.25, 0.0], [0.0; 3]],
            [0.5, 0.5, 0.0],
        )
    }

    /// Three stages, order 6 (Hairer, Nørsett, Wanner, table II.7.4).
    pub fn gauss6() -> Self {
        let r = 15f64.sqrt();
        Self::with_tableau(
            3,
            [0.5 - r / 10.0, 0.5, 0.5 + r / 10.0],
            [
                [5.0 / 36.0, 2.0 / 9.0 - r / 15.0, 5.0 / 36.0 - r / 30.0],
                [5.0 / 36.0 + r / 24.0, 2.0 / 9.0, 5.0 / 36.0 - r / 24.0],
                [5.0 / 36.0 + r / 30.0, 2.0 / 9.0 + r / 15.0, 5.0 / 36.0],
            ],
            [5.0 / 18.0, 4.0 / 9.0, 5.0 / 18.0],
        )
    }

    fn with_tableau(
        s: usize,
        c: [f64; MAX_STAGES],
        a: [[f64; MAX_STAGES]; MAX_STAGES],
        b: [f64; MAX_STAGES],
    ) -> Self {
        Self {
            tolerance: DEFAULT_TOLERANCE,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            s,
            c,
            a,
            b,
            fields: Fields::new(),
            z0: PhaseBuf::default(),
            z: Default::default(),
            f: Default::default(),
            trial: PhaseBuf::default(),
            z1: PhaseBuf::default(),
            last_dt: None,
        }
    }
}

/// `L_j(t) = integral_0^t prod_{k != j} (x - c_k) / (c_j - c_k) dx`, for each
/// node `j` (entries past `nodes.len()` are zero).
fn lagrange_integrals(nodes: &[f64], t: f64) -> [f64; MAX_STAGES] {
    let s = nodes.len();
    let mut out = [0.0; MAX_STAGES];
    for (j, out) in out.iter_mut().enumerate().take(s) {
        // Monomial coefficients of the Lagrange polynomial, degree s - 1.
        let mut poly = [0.0f64; MAX_STAGES];
        poly[0] = 1.0;
        let mut degree = 0;
        for (k, &ck) in nodes.iter().enumerate() {
            if k == j {
                continue;
            }
            let den = nodes[j] - ck;
            for m in (0..=degree + 1).rev() {
                let shifted = if m > 0 { poly[m - 1] } else { 0.0 };
                poly[m] = (shifted - ck * poly[m]) / den;
            }
            degree += 1;
        }
        *out = (0..=degree)
            .map(|m| poly[m] * t.powi(m as i32 + 1) / (m + 1) as f64)
            .sum();
    }
    out
}

impl Integrator for GaussLegendre {
    fn kernel_time(&self) -> std::time::Duration {
        self.fields.kernel_time()
    }

    fn name(&self) -> &'static str {
        if self.s == 2 { "gauss4" } else { "gauss6" }
    }

    fn order(&self) -> u32 {
        2 * self.s as u32
    }

    /// The last step's `h` and stage rates (the warm start's collocation
    /// polynomial).
    fn save_state(&self) -> Vec<f64> {
        let Some(h) = self.last_dt else {
            return Vec::new();
        };
        let n = self.z1.len();
        let mut out = Vec::with_capacity(1 + 6 * n * self.s);
        out.push(h);
        for f in &self.f[..self.s] {
            push_columns(&mut out, f);
        }
        out
    }

    fn restore_state(&mut self, system: &System, state: &[f64]) -> Result<(), IntegrateError> {
        let (n, s) = (system.len(), self.s);
        let layout = check_state(self.name(), n, state, &[0, 1 + 6 * n * s], Some(0))?;
        if layout == 0 {
            self.last_dt = None;
            return Ok(());
        }
        for (f, values) in self.f[..s]
            .iter_mut()
            .zip(state[1..].chunks_exact((6 * n).max(1)))
        {
            read_columns(f, n, values);
        }
        self.z1.resize(n);
        self.z1.copy_from(system.phase());
        self.last_dt = Some(state[0]);
        Ok(())
    }

    fn step(&mut self, system: &mut System, dt: f64) -> Result<StepInfo, IntegrateError> {
        check_dt(dt)?;
        let n = system.len();
        let s = self.s;
        let warm = match self.last_dt {
            // Extrapolating far beyond the last step would be a poor guess.
            Some(h) if dt <= 2.0 * h && state_is(system, &self.z1) => Some(h),
            _ => None,
        };
        self.last_dt = None;
        for b in [&mut self.z0, &mut self.trial, &mut self.z1]
            .into_iter()
            .chain(self.z[..s].iter_mut())
            .chain(self.f[..s].iter_mut())
        {
            b.resize(n);
        }
        self.z0.copy_from(system.phase());
        let mut info = StepInfo::default();

        // First guess of the stage increments.
        if let Some(h_prev) = warm {
            // Z_i = u(t_0 + (1 + c_i h / h_prev) h_prev) - u(t_0 + h_prev), u
            // the previous step's collocation polynomial.
            let mut w = [[0.0; MAX_STAGES]; MAX_STAGES];
            for (i, w) in w.iter_mut().enumerate().take(s) {
                let l = lagrange_integrals(&self.c[..s], 1.0 + self.c[i] * dt / h_prev);
                for j in 0..s {
                    w[j] = h_prev * (l[j] - self.b[j]);
                }
            }
            for (i, w) in w.iter().enumerate().take(s) {
                for col in 0..6 {
                    let zi = column_mut(&mut self.z[i], col);
                    zi.fill(0.0);
                    for (j, &w) in w.iter().enumerate().take(s) {
                        for (z, &f) in zi.iter_mut().zip(column(&self.f[j], col)) {
                            *z += w * f;
                        }
                    }
                }
            }
        } else {
            evaluate(&mut self.fields, system, self.z0.as_phase(), &mut self.f[0])?;
            info.force_evaluations += 1;
            for i in 0..s {
                for (z, f) in self.z[i].columns_mut().zip(self.f[0].columns()) {
                    for (z, &f) in z.iter_mut().zip(f) {
                        *z = self.c[i] * dt * f;
                    }
                }
            }
        }

        // Fixed-point iteration on the stage increments.
        let mut last_change = f64::INFINITY;
        loop {
            for j in 0..s {
                for (t, (z0, z)) in self
                    .trial
                    .columns_mut()
                    .zip(self.z0.columns().zip(self.z[j].columns()))
                {
                    for ((t, &z0), &z) in t.iter_mut().zip(z0).zip(z) {
                        *t = z0 + z;
                    }
                }
                evaluate(
                    &mut self.fields,
                    system,
                    self.trial.as_phase(),
                    &mut self.f[j],
                )?;
                info.force_evaluations += 1;
            }
            info.iterations += 1;
            let mut change = Change::default();
            for col in 0..6 {
                let group = Change::group_of_column(col);
                let z0 = column(&self.z0, col);
                for (i, a) in self.a.iter().enumerate().take(s) {
                    let zi = column_mut(&mut self.z[i], col);
                    for (k, z) in zi.iter_mut().enumerate() {
                        let mut new = 0.0;
                        for (j, &a) in a.iter().enumerate().take(s) {
                            new += a * column(&self.f[j], col)[k];
                        }
                        new *= dt;
                        change.add(group, new - *z, (z0[k] + new).abs().max(z0[k].abs()));
                        *z = new;
                    }
                }
            }
            let change = change.relative();
            if converged(change, last_change, self.tolerance) {
                break;
            }
            if info.iterations >= self.max_iterations {
                info.hit_iteration_cap = true;
                break;
            }
            last_change = change;
        }

        // z_1 = z_0 + h sum_j b_j f_j.
        for col in 0..6 {
            let z0 = column(&self.z0, col);
            let z1 = column_mut(&mut self.z1, col);
            for (k, z1) in z1.iter_mut().enumerate() {
                let mut inc = 0.0;
                for j in 0..s {
                    inc += self.b[j] * column(&self.f[j], col)[k];
                }
                *z1 = z0[k] + dt * inc;
            }
        }
        write_state(system, &self.z1);
        self.last_dt = Some(dt);
        system.time += dt;
        Ok(info)
    }
}

/// Column `col` of `b` in `columns()` order (r then P).
fn column(b: &PhaseBuf, col: usize) -> &[f64] {
    if col < 3 { &b.r[col] } else { &b.p[col - 3] }
}

/// Column `col` of `b`, mutably.
fn column_mut(b: &mut PhaseBuf, col: usize) -> &mut [f64] {
    if col < 3 {
        &mut b.r[col]
    } else {
        &mut b.p[col - 3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed-form tableaux are the collocation tableaux of their nodes
    /// (`a_ij = L_j(c_i)`, `b_j = L_j(1)`), which is also what the warm
    /// start's extrapolation assumes, and satisfy the symplecticity
    /// condition `b_i a_ij + b_j a_ji = b_i b_j`.
    #[test]
    fn tableaux_are_collocation_and_symplectic() {
        for g in [GaussLegendre::gauss4(), GaussLegendre::gauss6()] {
            let s = g.s;
            let nodes = &g.c[..s];
            for i in 0..=s {
                let (t, want) = if i < s { (g.c[i], g.a[i]) } else { (1.0, g.b) };
                let got = lagrange_integrals(nodes, t);
                for (j, (got, want)) in got.iter().zip(want).enumerate().take(s) {
                    assert!(
                        (got - want).abs() <= 1e-14,
                        "s={s} row {i} col {j}: L = {got}, tableau {want}"
                    );
                }
            }
            for i in 0..s {
                for j in 0..s {
                    let m = g.b[i] * g.a[i][j] + g.b[j] * g.a[j][i] - g.b[i] * g.b[j];
                    assert!(m.abs() <= 4.0 * f64::EPSILON, "s={s} M[{i}][{j}] = {m:e}");
                }
            }
            assert!((g.b.iter().sum::<f64>() - 1.0).abs() <= 2.0 * f64::EPSILON);
        }
    }
}
