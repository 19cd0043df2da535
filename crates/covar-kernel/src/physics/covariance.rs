//! The covariance product `Y = K X` (DESIGN.md 2.1).

use bumpalo::Bump;

use super::{Particles, check_column};
use crate::backend::LaplaceSum;
use crate::error::{Field, KernelError};
use crate::problem::{Outputs, Problem};

/// Computes `Y = K X` for a block of `b` columns without forming `K`:
///
/// ```text
/// K_ii = m_i,   K_ij = q_i q_j G_ij (i != j)
/// Y[i, c] = m_i X[i, c] + q_i sum_{j != i} q_j X[j, c] G_ij
/// ```
///
/// `x` and `y` are column-major `n × b` (`x[c * n + i]`). One Laplace sum
/// with `b` channels `q X[:, c]`; scratch (`n b` values) comes from `scratch`.
///
/// # Errors
///
/// Length mismatches, non-finite values (naming particle and field),
/// non-positive masses, and every error of the backend.
///
/// # Examples
///
/// ```
/// use bumpalo::Bump;
/// use covar_kernel::physics::{Particles, covariance_product};
/// use covar_kernel::{Direct, Points};
/// let (px, py, pz) = ([0.0, 2.0], [0.0, 0.0], [0.0, 0.0]);
/// let p = Particles { points: Points::new(&px, &py, &pz), mass: &[3.0, 5.0], charge: &[1.0, -1.0] };
/// // K = [[3, -1/2], [-1/2, 5]]; K (1, 1) = (2.5, 4.5).
/// let mut y = [0.0; 2];
/// covariance_product(&Direct::new(), &p, 0.0, &[1.0, 1.0], 1, &mut y, &Bump::new()).unwrap();
/// assert_eq!(y, [2.5, 4.5]);
/// ```
pub fn covariance_product(
    backend: &impl LaplaceSum,
    particles: &Particles<'_>,
    softening: f64,
    x: &[f64],
    b: usize,
    y: &mut [f64],
    scratch: &Bump,
) -> Result<(), KernelError> {
    particles.validate()?;
    let n = particles.len();
    if b == 0 {
        return Err(KernelError::NoChannels);
    }
    check_column(x, n * b, "X", Field::Column(0)).map_err(|e| locate_column(e, n))?;
    if y.len() != n * b {
        return Err(KernelError::LengthMismatch {
            what: "Y",
            expected: n * b,
            got: y.len(),
        });
    }
    let channels = scratch.alloc_slice_fill_copy(n * b, 0.0);
    for (ch, xc) in channels
        .chunks_exact_mut(n.max(1))
        .zip(x.chunks_exact(n.max(1)))
    {
        for ((c, &xi), &qi) in ch.iter_mut().zip(xc).zip(particles.charge) {
            *c = qi * xi;
        }
    }
    let problem = Problem::at_sources(particles.points, channels, b, softening);
    backend.evaluate(&problem, Outputs::potential(y))?;
    for (yc, xc) in y.chunks_exact_mut(n.max(1)).zip(x.chunks_exact(n.max(1))) {
        for (((yi, &xi), &mi), &qi) in yc
            .iter_mut()
            .zip(xc)
            .zip(particles.mass)
            .zip(particles.charge)
        {
            *yi = mi * xi + qi * *yi;
        }
    }
    Ok(())
}

/// Turns a flat index into `X` into (row, column) in a non-finite error.
fn locate_column(e: KernelError, n: usize) -> KernelError {
    match e {
        KernelError::NonFinite {
            role,
            index,
            field: Field::Column(_),
            value,
        } if n > 0 => KernelError::NonFinite {
            role,
            index: index % n,
            field: Field::Column(index / n),
            value,
        },
        other => other,
    }
}
