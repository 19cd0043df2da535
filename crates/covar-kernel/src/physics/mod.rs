//! The covar model's quantities as Laplace sums (DESIGN.md sections 2.1, 2.2).
//!
//! | quantity | channels | outputs |
//! |---|---|---|
//! | `Y = K X` ([`covariance_product`]) | `q X[:, c]` | potential |
//! | `phi`, `E` ([`scalar_potential`]) | `q` | potential, gradient |
//! | `A`, `grad A` ([`vector_potential`]) | `q u_x, q u_y, q u_z` | potential, gradient |
//!
//! Every helper takes the backend by reference, so the same code runs on any
//! [`LaplaceSum`](crate::LaplaceSum) implementation, and takes its scratch
//! memory from a caller's [`bumpalo::Bump`] (reset it between steps).

mod covariance;
mod potentials;

pub use covariance::covariance_product;
pub use potentials::{scalar_potential, vector_potential};

use crate::error::{Field, KernelError, Role};
use crate::problem::Points;

/// Particles as the physics helpers see them: positions, masses, charges.
#[derive(Clone, Copy, Debug)]
pub struct Particles<'a> {
    /// Positions.
    pub points: Points<'a>,
    /// Masses `m_i > 0` (variances, in the inference picture).
    pub mass: &'a [f64],
    /// Charges `q_i` (any sign).
    pub charge: &'a [f64],
}

impl Particles<'_> {
    /// Number of particles.
    pub fn len(&self) -> usize {
        self.points.x.len()
    }

    /// Whether there are no particles.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks lengths, finite charges and finite positive masses.
    fn validate(&self) -> Result<(), KernelError> {
        let n = self.len();
        check_column(self.mass, n, "mass", Field::Mass)?;
        check_column(self.charge, n, "charge", Field::Charge)?;
        if let Some(i) = self.mass.iter().position(|&m| m <= 0.0) {
            return Err(KernelError::NonPositiveMass {
                index: i,
                value: self.mass[i],
            });
        }
        Ok(())
    }
}

/// Checks that `column` has `n` finite values.
fn check_column(
    column: &[f64],
    n: usize,
    what: &'static str,
    field: Field,
) -> Result<(), KernelError> {
    if column.len() != n {
        return Err(KernelError::LengthMismatch {
            what,
            expected: n,
            got: column.len(),
        });
    }
    match column.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(KernelError::NonFinite {
            role: Role::Source,
            index: i,
            field,
            value: column[i],
        }),
        None => Ok(()),
    }
}
