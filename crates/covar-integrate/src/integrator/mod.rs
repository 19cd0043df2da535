//! Integrators of Hamilton's equations behind one trait.
//!
//! | name | order | Hamiltonian | force evaluations per step |
//! |---|---|---|---|
//! | `leapfrog` | 2 | separable | 1 |
//! | `yoshida4` | 4 | separable | 3 |
//! | `yoshida6` | 6 | separable | 9 |
//! | `pefrl` | 4 | separable | 4 |
//! | `implicit-midpoint` | 2 | any | one per fixed-point iteration |
//!
//! Separable methods split `H = T(P) + U(r)` and refuse `mu != 0`: with a
//! magnetic coupling the kinetic energy depends on positions, a splitting
//! would silently lose symplecticity.

mod implicit_midpoint;
mod splitting;

pub use implicit_midpoint::ImplicitMidpoint;
pub use splitting::{Splitting, SplittingScheme};

use crate::error::IntegrateError;
use crate::system::System;

/// Names of the integrators that accept `mu != 0`.
pub const NON_SEPARABLE: &str = "implicit-midpoint";

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
}

/// Names accepted by [`by_name`].
pub const NAMES: [&str; 5] = [
    "leapfrog",
    "yoshida4",
    "yoshida6",
    "pefrl",
    "implicit-midpoint",
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
