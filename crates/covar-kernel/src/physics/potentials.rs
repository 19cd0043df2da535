//! Scalar and vector potentials and their derivatives (DESIGN.md 2.2).

use bumpalo::Bump;

use super::{Particles, check_column};
use crate::backend::LaplaceSum;
use crate::error::{Field, KernelError};
use crate::problem::{Outputs, Points, Problem};

/// Scalar potential `phi_i = sum_{j != i} q_j G_ij` at every particle and,
/// if `field` is given, the field `E_i = -grad phi_i` (`field[d * n + i]`).
///
/// # Errors
///
/// Length mismatches, non-finite charges (naming the particle), and every
/// error of the backend.
///
/// # Examples
///
/// ```
/// use covar_kernel::physics::scalar_potential;
/// use covar_kernel::{Direct, Points};
/// let (x, y, z) = ([0.0, 2.0], [0.0, 0.0], [0.0, 0.0]);
/// let (mut phi, mut e) = ([0.0; 2], [0.0; 6]);
/// scalar_potential(&Direct::new(), Points::new(&x, &y, &z), &[1.0, 1.0], 0.0, &mut phi, Some(&mut e)).unwrap();
/// assert_eq!(phi, [0.5, 0.5]);
/// assert_eq!(e[0], -0.25); // the charge at x = 2 pushes particle 0 towards -x
/// ```
pub fn scalar_potential(
    backend: &impl LaplaceSum,
    points: Points<'_>,
    charge: &[f64],
    softening: f64,
    phi: &mut [f64],
    field: Option<&mut [f64]>,
) -> Result<(), KernelError> {
    check_column(charge, points.x.len(), "charge", Field::Charge)?;
    let problem = Problem::at_sources(points, charge, 1, softening);
    match field {
        Some(e) => {
            backend.evaluate(&problem, Outputs::with_gradient(phi, &mut *e))?;
            e.iter_mut().for_each(|v| *v = -*v);
        }
        None => backend.evaluate(&problem, Outputs::potential(phi))?,
    }
    Ok(())
}

/// Vector potential `A_i = sum_{j != i} q_j u_j G_ij` with `u_j = P_j / m_j`,
/// written as `a[c * n + i]` (component `c`), and, if `grad_a` is given, its
/// Jacobian `(J_i)_cd = dA_i^c / dr_i^d` as `grad_a[(3 c + d) * n + i]`.
///
/// One Laplace sum with the three channels `q u_x, q u_y, q u_z`; their
/// values (`3 n`) are allocated in `scratch`.
///
/// # Errors
///
/// Length mismatches, non-finite values, non-positive masses (naming the
/// particle and field), and every error of the backend.
pub fn vector_potential(
    backend: &impl LaplaceSum,
    particles: &Particles<'_>,
    momentum: [&[f64]; 3],
    softening: f64,
    a: &mut [f64],
    grad_a: Option<&mut [f64]>,
    scratch: &Bump,
) -> Result<(), KernelError> {
    particles.validate()?;
    let n = particles.len();
    for (d, p) in momentum.iter().enumerate() {
        check_column(p, n, "momentum", Field::Momentum(d))?;
    }
    let channels = scratch.alloc_slice_fill_copy(3 * n, 0.0);
    for (d, p) in momentum.iter().enumerate() {
        let row = &mut channels[d * n..(d + 1) * n];
        for (((c, &pi), &mi), &qi) in row
            .iter_mut()
            .zip(*p)
            .zip(particles.mass)
            .zip(particles.charge)
        {
            *c = qi * pi / mi;
        }
    }
    let problem = Problem::at_sources(particles.points, channels, 3, softening);
    backend.evaluate(
        &problem,
        Outputs {
            potential: a,
            gradient: grad_a,
        },
    )
}
