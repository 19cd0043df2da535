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

/// What [`spread_to_coupling`] did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The factor every position was multiplied by.
    pub factor: f64,
    /// The coupling `kappa` of the spread system, as last measured.
    pub kappa: f64,
    /// Laplace sums (of one `|q|` channel) it took.
    pub sums: usize,
}

/// Multiplies every position of `system` by one factor, chosen so that the
/// largest coupling `kappa = max_i |mu| sum_(j != i) |q_i q_j| G_ij / m_i`
/// (the reciprocal of Gershgorin's worst margin, see [`gershgorin`])
/// equals `target`, measured by Laplace sums on the system's backend.
///
/// Without softening `kappa` is proportional to `1 / factor`, so the first
/// measurement gives the factor and a second confirms it (2 sums); softening makes
/// `kappa` fall more slowly at short range (down to not at all where the
/// softening exceeds the system), and safeguarded secant steps on
/// `ln kappa (ln factor)` repeat until `kappa` is within `1e-4` of the
/// target (at most 40 sums). The seed's model is weak
/// coupling (DESIGN.md section 2.3): this is how a system of any size is
/// given the couplings of a fitted one.
///
/// # Errors
///
/// [`IntegrateError::InvalidCoupling`] for `mu = 0` (no `kappa`), a
/// target that is not finite and `> 0`, a system whose charges are all 0,
/// or one that cannot reach the target within 40 sums; any error of the
/// backend.
pub fn spread_to_coupling(system: &mut System, target: f64) -> Result<Spread, IntegrateError> {
    let bad = |name, value, expected| IntegrateError::InvalidCoupling {
        name,
        value,
        expected,
    };
    if !(target.is_finite() && target > 0.0) {
        return Err(bad("kappa", target, "the target must be finite and > 0"));
    }
    let mu = system.couplings.mu;
    if mu == 0.0 {
        return Err(bad("mu", mu, "must be != 0 for a coupling kappa to set"));
    }
    let kappa_now = |system: &System| -> Result<f64, IntegrateError> {
        let report = gershgorin(system)?.expect("mu != 0");
        Ok(1.0 / report.worst_margin)
    };
    let mut factor = 1.0;
    let mut kappa = kappa_now(system)?;
    if !(kappa > 0.0 && kappa.is_finite()) {
        return Err(bad(
            "kappa",
            kappa,
            "no pair of charged particles to couple",
        ));
    }
    // The secant method on ln kappa against ln factor (kappa falls as the
    // factor grows), safeguarded: steps of at most a factor 1000 until the
    // target is bracketed, then bisection (in ln factor) whenever the
    // secant leaves the bracket.
    let lt = target.ln();
    let (mut above, mut below): (Option<f64>, Option<f64>) = (None, None);
    let mut prev: Option<(f64, f64)> = None;
    for sums in 1..=40 {
        if (kappa / target - 1.0).abs() <= 1e-4 && sums > 1 {
            return Ok(Spread {
                factor,
                kappa,
                sums,
            });
        }
        let (lf, lk) = (factor.ln(), kappa.ln());
        if lk > lt {
            above = Some(lf);
        } else {
            below = Some(lf);
        }
        // The first step takes kappa proportional to 1 / factor (exact
        // without softening); later ones the secant's slope, limited to a
        // factor 1000 where kappa is nearly flat.
        let mut next = match prev {
            None => lf + (lk - lt),
            Some((pf, pk)) if pf != lf && (lk - pk) / (lf - pf) < 0.0 => {
                lf + ((lt - lk) * (lf - pf) / (lk - pk)).clamp(-6.9, 6.9)
            }
            Some(_) => lf + 6.9f64.copysign(lk - lt),
        };
        prev = Some((lf, lk));
        if let (Some(a), Some(b)) = (above, below)
            && !(a < next && next < b)
        {
            next = 0.5 * (a + b);
        }
        let step = (next - lf).exp();
        factor *= step;
        {
            let cols = system.particles.columns_mut();
            for c in [&mut *cols.x, &mut *cols.y, &mut *cols.z] {
                c.iter_mut().for_each(|v| *v *= step);
            }
        }
        kappa = kappa_now(system)?;
    }
    Err(bad(
        "kappa",
        kappa,
        "the target was not reached within 40 sums",
    ))
}
