//! The exact loss by dense Cholesky factorization, `O(N^3)`.

use covar_store::ParticleStore;
use nalgebra::{DMatrix, DVector};

use super::{LossTerms, check_second_moment, dense_covariance, momenta};
use crate::error::InferError;

/// `L_x` exactly: `K = L L^T`, `log|K| = 2 sum log L_ii`,
/// `tr(K^-1 S)` from `K^-1 S` by triangular solves, and
/// `T_v = 1/2 sum_d P_d^T K^-1 P_d`.
///
/// `s` is `S = E[x x^T]`, `N x N` row-major (symmetric).
///
/// # Errors
///
/// Invalid particles, softening or `S`;
/// [`InferError::NotPositiveDefinite`] (with the smallest eigenvalue) when
/// the factorization fails.
///
/// # Examples
///
/// ```
/// use covar_infer::loss::{LossTerms, exact};
/// use covar_store::{DVec3, Particle, ParticleStore};
/// // Two particles: K = [[4, 1], [1, 4]] (q = 2, 2 at distance 4).
/// let store: ParticleStore = [0.0, 4.0]
///     .map(|x| Particle::new(DVec3::new(x, 0.0, 0.0), DVec3::ZERO, 4.0, 2.0))
///     .into_iter()
///     .collect();
/// let s = [4.0, 1.0, 1.0, 4.0]; // S = K: tr(K^-1 S) = N
/// let l = exact::dense(&store, 0.0, &s)?;
/// assert!((l.log_det - 15f64.ln()).abs() < 1e-14);
/// assert!((l.trace - 2.0).abs() < 1e-14);
/// assert_eq!(l.kinetic, 0.0);
/// # Ok::<(), covar_infer::InferError>(())
/// ```
pub fn dense(store: &ParticleStore, softening: f64, s: &[f64]) -> Result<LossTerms, InferError> {
    let n = store.len();
    check_second_moment(s, n)?;
    let k = dense_covariance(store, softening)?;
    let Some(chol) = k.clone().cholesky() else {
        let smallest = k.symmetric_eigenvalues().min();
        return Err(InferError::NotPositiveDefinite {
            detail: format!(
                "the Cholesky factorization of the {n} x {n} matrix failed; its smallest \
                 eigenvalue is {smallest:.6e}"
            ),
        });
    };
    let l = chol.l_dirty();
    let log_det = 2.0 * (0..n).map(|i| l[(i, i)].ln()).sum::<f64>();
    let s = DMatrix::from_row_slice(n, n, s);
    let ks = chol.solve(&s);
    let trace = ks.trace();
    let mut kinetic = 0.0;
    for p in momenta(store) {
        if p.iter().any(|v| *v != 0.0) {
            let p = DVector::from_column_slice(p);
            kinetic += 0.5 * p.dot(&chol.solve(&p));
        }
    }
    Ok(LossTerms::new(n, log_det, trace, kinetic))
}
