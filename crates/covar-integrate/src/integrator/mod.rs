//! Integrators of Hamilton's equations behind one trait.
//!
//! | name | order | Hamiltonian | force evaluations per step |
//! |---|---|---|---|
//! | `leapfrog` | 2 | separable | 1 |
//! | `yoshida4` | 4 | separable | 3 |
//! | `yoshida6` | 6 | separable | 9 |
//! | `pefrl` | 4 | separable | 4 |
//! | `implicit-midpoint` | 2 | any | 1 per fixed-point iteration |
//! | `stormer-verlet` | 2 | any | 1 per fixed-point iteration (two implicit stages) |
//! | `gauss4` | 4 | any | 2 per fixed-point iteration (+1 on a cold start) |
//! | `gauss6` | 6 | any | 3 per fixed-point iteration (+1 on a cold start) |
//! | `tao2` | 2 | any | 3 (4 on the first step) |
//! | `tao4` | 4 | any | 9 (10 on the first step) |
//!
//! The implicit methods' cost depends on how fast their fixed-point
//! iteration converges: measured on 5 softened particles with `mu = 0.3`,
//! from `h = 1/64` to `h = 1/512` of a dynamical time, `stormer-verlet`
//! takes 12 to 8 evaluations per step, `gauss4` 15 to 8 and `gauss6` 19 to
//! 9; on a Darwin-type pair at `h = 0.01`, implicit midpoint takes about
//! 7. With `mu = 0`, `stormer-verlet` is leapfrog at 2 evaluations per
//! step.
//!
//! Separable methods split `H = T(P) + U(r)` and refuse `mu != 0`: with a
//! magnetic coupling the kinetic energy depends on positions, a splitting
//! would silently lose symplecticity.
//!
//! The implicit methods (implicit midpoint, generalized Störmer–Verlet,
//! Gauss–Legendre) iterate to a relative tolerance near round-off, with an
//! iteration cap whose hitting [`StepInfo`] reports; with the fixed-point
//! solve converged they are symplectic, symmetric and conserve total
//! momentum and angular momentum. Tao's method is explicit: it integrates
//! two bound copies of phase space and is symplectic there; its copies'
//! gap is reported by [`Integrator::copy_gap`], and it refuses a step too
//! long for its binding constant (see [`Tao`]).

mod fixed_point;
mod gauss_legendre;
mod implicit_midpoint;
mod splitting;
mod stormer_verlet;
mod tao;

pub use gauss_legendre::GaussLegendre;
pub use implicit_midpoint::ImplicitMidpoint;
pub use splitting::{Splitting, SplittingScheme};
pub use stormer_verlet::StormerVerlet;
pub use tao::{CopyGap, ExtendedInvariants, Tao};

use crate::error::IntegrateError;
use crate::fields::Fields;
use crate::phase::{Phase, PhaseBuf};
use crate::system::System;

/// Names of the integrators that accept `mu != 0`.
pub const NON_SEPARABLE: &str = "implicit-midpoint, stormer-verlet, gauss4, gauss6, tao2, tao4";

/// What one step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepInfo {
    /// Laplace-sum evaluations of the forces in this step.
    pub force_evaluations: usize,
    /// Fixed-point iterations, for implicit methods.
    pub iterations: usize,
    /// Whether an implicit solve stopped at its iteration cap before
    /// reaching its tolerance.
    pub hit_iteration_cap: bool,
}

/// A one-step method for Hamilton's equations of a [`System`].
pub trait Integrator {
    /// Short name (as on the command line).
    fn name(&self) -> &'static str;
    /// Order of accuracy.
    fn order(&self) -> u32;
    /// Advances `system` (its particles and time) by `dt`.
    ///
    /// # Errors
    ///
    /// A non-positive or non-finite `dt`, a coupling the method cannot
    /// handle, or any error of the force evaluation.
    fn step(&mut self, system: &mut System, dt: f64) -> Result<StepInfo, IntegrateError>;
    /// Total wall time this integrator has spent in Laplace sums (the
    /// kernel), over all its steps; the rest of a step's time is the
    /// integrator's own overhead.
    fn kernel_time(&self) -> std::time::Duration;
    /// For methods that integrate a copy of phase space beside the
    /// system's state (Tao's), how far the two copies are apart after the
    /// last step; `None` for every other method and before the first step.
    fn copy_gap(&self) -> Option<CopyGap> {
        None
    }
    /// The sums of the method's last force evaluation when they were taken
    /// at `system`'s current state, so that a caller can read `H` from
    /// them ([`diagnostics_from`](crate::diagnostics_from)) instead of
    /// evaluating again; `None` when they were not, or the method keeps
    /// none. The same sums on the same state give the same bits, so `H`
    /// is the one a fresh evaluation would give.
    ///
    /// | method | current after a step |
    /// |---|---|
    /// | `leapfrog`, `yoshida4`, `yoshida6` | yes: they end with a kick by the forces at the final positions, and with `mu = 0` the sums depend on positions only |
    /// | `pefrl` | no: it ends with a drift |
    /// | implicit and Tao's methods | no: their last sums were taken at intermediate or half-step momenta |
    ///
    /// Valid while the masses, charges and couplings are the ones of the
    /// step, as the method itself assumes between steps.
    fn current_fields(&self, system: &System) -> Option<&Fields> {
        let _ = system;
        None
    }
    /// Offers the method sums that the caller evaluated at `system`'s
    /// current state (its diagnostics, say), to use instead of evaluating
    /// them again in the next step. Returns whether the method took them:
    /// `leapfrog`, `yoshida4` and `yoshida6` do when they hold no forces for
    /// these positions (their next step then costs one evaluation less);
    /// the others never do. The next step's results are the same bits
    /// either way.
    fn offer_fields(&mut self, system: &System, fields: &Fields) -> bool {
        let _ = (system, fields);
        false
    }
    /// The method's state between steps, beyond the system's own, as flat
    /// values: what a checkpoint must keep so that a restored run continues
    /// bit for bit. Empty for methods whose steps depend on the system's
    /// state alone (the splitting methods) and before the first step.
    ///
    /// | method | values after a step (`n` particles) |
    /// |---|---|
    /// | splitting methods | none |
    /// | `implicit-midpoint` | `h` of the last step, then its increment `z_1 - z_0` (`6 n`) |
    /// | `stormer-verlet` | the force `-dH/dr(r_1, P_1/2)` of the last step (`3 n`) |
    /// | `gauss4`, `gauss6` | `h` of the last step, then its `s` stage rates (`6 n s`) |
    /// | `tao2`, `tao4` | 1 if the rates at `(q, y)` are current, then the copy `(x, y)` (`6 n`) and those rates (`6 n`) |
    ///
    /// Phase-space blocks are six columns `x y z px py pz` of `n` values.
    /// The values belong to the system as it is after the step; restore
    /// them with [`restore_state`](Self::restore_state) into a fresh
    /// integrator of the same name and parameters.
    fn save_state(&self) -> Vec<f64> {
        Vec::new()
    }
    /// Restores what [`save_state`](Self::save_state) returned, for
    /// `system` in the state it had then (positions, momenta, couplings
    /// bit for bit): the next step is then the step the saved integrator
    /// would have taken.
    ///
    /// # Errors
    ///
    /// [`IntegrateError::InvalidState`] for a length that fits no layout of
    /// the method for `system`'s `n`, or a value that is not finite (a step
    /// length not `> 0`).
    fn restore_state(&mut self, system: &System, state: &[f64]) -> Result<(), IntegrateError>;
}

/// Names accepted by [`by_name`].
pub const NAMES: [&str; 10] = [
    "leapfrog",
    "yoshida4",
    "yoshida6",
    "pefrl",
    "implicit-midpoint",
    "stormer-verlet",
    "gauss4",
    "gauss6",
    "tao2",
    "tao4",
];

/// An integrator from its name.
///
/// # Errors
///
/// A message listing the known names.
pub fn by_name(name: &str) -> Result<Box<dyn Integrator + Send>, String> {
    Ok(match name {
        "leapfrog" => Box::new(Splitting::new(SplittingScheme::Leapfrog)),
        "yoshida4" => Box::new(Splitting::new(SplittingScheme::Yoshida4)),
        "yoshida6" => Box::new(Splitting::new(SplittingScheme::Yoshida6)),
        "pefrl" => Box::new(Splitting::new(SplittingScheme::Pefrl)),
        "implicit-midpoint" => Box::new(ImplicitMidpoint::default()),
        "stormer-verlet" => Box::new(StormerVerlet::default()),
        "gauss4" => Box::new(GaussLegendre::gauss4()),
        "gauss6" => Box::new(GaussLegendre::gauss6()),
        "tao2" => Box::new(Tao::tao2()),
        "tao4" => Box::new(Tao::tao4()),
        other => {
            return Err(format!(
                "unknown integrator `{other}` (expected one of: {})",
                NAMES.join(", ")
            ));
        }
    })
}

/// Checks `dt`.
pub(crate) fn check_dt(dt: f64) -> Result<(), IntegrateError> {
    if dt.is_finite() && dt > 0.0 {
        Ok(())
    } else {
        Err(IntegrateError::InvalidStep { value: dt })
    }
}

/// The rates `(dH/dP, -dH/dr)` of `system`'s Hamiltonian at `state` (any
/// phase-space point with the system's masses and charges): one Laplace sum.
pub(crate) fn evaluate(
    fields: &mut Fields,
    system: &System,
    state: Phase<'_>,
    rate: &mut PhaseBuf,
) -> Result<(), IntegrateError> {
    let (m, q) = (system.particles.masses(), system.particles.charges());
    fields.compute(&system.backend, &system.couplings, m, q, state)?;
    fields.rates(&system.couplings, m, q, state, rate);
    Ok(())
}

/// Whether `system`'s positions and momenta equal `z`, bitwise.
pub(crate) fn state_is(system: &System, z: &PhaseBuf) -> bool {
    let st = system.phase();
    z.len() == system.len() && (0..3).all(|d| st.r[d] == z.r[d] && st.p[d] == z.p[d])
}

/// Checks a saved state: its length is one of `lengths`, its values are
/// finite, and its value at `step_at` (a step length), if any, is `> 0`.
/// Returns the length's index in `lengths`.
pub(crate) fn check_state(
    integrator: &'static str,
    n: usize,
    state: &[f64],
    lengths: &[usize],
    step_at: Option<usize>,
) -> Result<usize, IntegrateError> {
    let Some(layout) = lengths.iter().position(|&l| l == state.len()) else {
        let expected: Vec<String> = lengths.iter().map(ToString::to_string).collect();
        return Err(IntegrateError::InvalidState {
            integrator,
            reason: format!(
                "{} values, expected {} for {n} particles",
                state.len(),
                expected.join(" or ")
            ),
        });
    };
    if let Some(index) = state.iter().position(|v| !v.is_finite()) {
        return Err(IntegrateError::InvalidState {
            integrator,
            reason: format!("value {index} is {} (must be finite)", state[index]),
        });
    }
    if let Some(k) = step_at
        && state.len() > k
        && state[k] <= 0.0
    {
        return Err(IntegrateError::InvalidState {
            integrator,
            reason: format!("the saved step length is {} (must be > 0)", state[k]),
        });
    }
    Ok(layout)
}

/// Appends the six columns of `z` to `out`.
pub(crate) fn push_columns(out: &mut Vec<f64>, z: &PhaseBuf) {
    for c in z.columns() {
        out.extend_from_slice(c);
    }
}

/// Fills `z` (resized to `n`) from `6 n` values, column by column.
pub(crate) fn read_columns(z: &mut PhaseBuf, n: usize, values: &[f64]) {
    z.resize(n);
    for (dst, src) in z.columns_mut().zip(values.chunks_exact(n.max(1))) {
        dst.copy_from_slice(&src[..dst.len()]);
    }
}

/// Writes `z` into `system`'s positions and momenta.
pub(crate) fn write_state(system: &mut System, z: &PhaseBuf) {
    let cols = system.particles.columns_mut();
    for (dst, src) in [
        &mut *cols.x,
        &mut *cols.y,
        &mut *cols.z,
        &mut *cols.px,
        &mut *cols.py,
        &mut *cols.pz,
    ]
    .into_iter()
    .zip(z.columns())
    {
        dst.copy_from_slice(src);
    }
}
