//! What a run monitors: energy, momentum, angular momentum, and the
//! Gershgorin check of the kinetic form (DESIGN.md 2.3).

use glam::DVec3;

use covar_kernel::{LaplaceSum, Outputs, Points, Problem};

use crate::error::IntegrateError;
use crate::fields::{Energy, Fields};
use crate::system::System;

/// The invariants of `H` at one state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnostics {
    /// The parts of `H`.
    pub energy: Energy,
    /// Total canonical momentum `sum_i P_i`.
    pub momentum: DVec3,
    /// Total angular momentum `sum_i r_i x P_i`.
    pub angular_momentum: DVec3,
    /// For the seed preset, the seed's `H_seed = -H`.
    pub h_seed: Option<f64>,
}

impl Diagnostics {
    /// `H`.
    pub fn h(&self) -> f64 {
        self.energy.total()
    }
}

/// Evaluates the diagnostics of `system` (one Laplace sum, into `fields`).
///
/// # Errors
///
/// Any error of the backend.
pub fn diagnostics(system: &System, fields: &mut Fields) -> Result<Diagnostics, IntegrateError> {
    let st = system.phase();
    let (m, q) = (system.particles.masses(), system.particles.charges());
    fields.compute(&system.backend, &system.couplings, m, q, st)?;
    Ok(diagnostics_from(system, fields))
}

/// The diagnostics of `system` from sums already evaluated at its current
/// state (no Laplace sum): those of [`diagnostics`], or of an integrator's
/// [`current_fields`](crate::Integrator::current_fields).
///
/// # Panics
///
/// If `fields` holds sums for another number of particles.
pub fn diagnostics_from(system: &System, fields: &Fields) -> Diagnostics {
    let st = system.phase();
    let (m, q) = (system.particles.masses(), system.particles.charges());
    assert_eq!(
        fields.phi().len(),
        system.len(),
        "sums of {} particles for a system of {}",
        fields.phi().len(),
        system.len()
    );
    let energy = fields.energy(&system.couplings, m, q, st);
    let mut momentum = DVec3::ZERO;
    let mut angular_momentum = DVec3::ZERO;
    for i in 0..system.len() {
        let r = DVec3::new(st.r[0][i], st.r[1][i], st.r[2][i]);
        let p = DVec3::new(st.p[0][i], st.p[1][i], st.p[2][i]);
        momentum += p;
        angular_momentum += r.cross(p);
    }
    let h_seed = system
        .preset
        .filter(|p| p.is_seed())
        .map(|_| -energy.total());
    Diagnostics {
        energy,
        momentum,
        angular_momentum,
        h_seed,
    }
}

/// Where the sufficient condition `m_i > |mu| sum_{j != i} |q_i q_j| G_ij`
/// for a positive definite kinetic form fails.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GershgorinReport {
    /// Particles that violate the condition.
    pub violations: usize,
    /// The particle with the smallest margin `m_i / (|mu| |q_i| psi_i)`.
    pub worst_particle: usize,
    /// Its margin (> 1 means the condition holds there).
    pub worst_margin: f64,
}

impl GershgorinReport {
    /// Whether the condition holds at every particle.
    pub fn holds(&self) -> bool {
        self.violations == 0
    }
}

/// The Gershgorin check of `diag(m) - mu K_off` (one potential-only sum of
/// `|q|`). `None` when `mu = 0` (the form is `diag(m)`, always positive).
///
/// The condition is sufficient, not necessary: a violation means the
/// dynamics *may* be ill-posed, and is reported as a warning by callers.
///
/// # Errors
///
/// Any error of the backend.
pub fn gershgorin(system: &System) -> Result<Option<GershgorinReport>, IntegrateError> {
    let mu = system.couplings.mu;
    if mu == 0.0 || system.is_empty() {
        return Ok(None);
    }
    let p = &system.particles;
    let abs_q: Vec<f64> = p.charges().iter().map(|q| q.abs()).collect();
    let mut psi = vec![0.0; p.len()];
    system.backend.evaluate(
        &Problem::at_sources(
            Points::new(p.x(), p.y(), p.z()),
            &abs_q,
            1,
            system.couplings.softening,
        ),
        Outputs::potential(&mut psi),
    )?;
    let mut report = GershgorinReport {
        violations: 0,
        worst_particle: 0,
        worst_margin: f64::INFINITY,
    };
    for i in 0..p.len() {
        let off = mu.abs() * abs_q[i] * psi[i];
        let margin = if off > 0.0 {
            p.masses()[i] / off
        } else {
            f64::INFINITY
        };
        if margin <= 1.0 {
            report.violations += 1;
        }
        if margin < report.worst_margin {
            report.worst_margin = margin;
            report.worst_particle = i;
        }
    }
    Ok(Some(report))
}
