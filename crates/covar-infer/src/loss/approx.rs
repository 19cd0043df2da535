//! The seed's approximations: first order in `K_off` (eq. 32 and 44), and
//! its closed form `C - M - H_seed` (eq. 67).

use covar_integrate::{Fields, Preset, System, diagnostics};
use covar_kernel::Backend;
use covar_store::ParticleStore;
use rayon::prelude::*;
use serde::Serialize;

use super::{DIMENSIONS, LossTerms, check_second_moment, constant, dense_covariance, momenta};
use crate::error::InferError;

/// `L_x` with the seed's first-order inverse and determinant, but the
/// measured `S`:
///
/// ```text
/// log|K|      ~ sum_i log m_i                                   (eq. 44)
/// tr(K^-1 S)  ~ sum_i S_ii / m_i - sum_(i!=j) S_ij K_ij / (m_i m_j)   (eq. 32, 37)
/// T_v         ~ sum_i |P_i|^2 / (2 m_i) - 1/2 sum_(i!=j) q_i q_j u_i.u_j G_ij
/// ```
///
/// (`u = P / m`; the last line is the kinetic part of the engine's `H` with
/// `mu = 1`). The gap to [`super::exact::dense`] is the error of eq. 32 alone.
///
/// # Errors
///
/// Invalid particles, softening or `S`.
pub fn first_order(
    store: &ParticleStore,
    softening: f64,
    s: &[f64],
) -> Result<LossTerms, InferError> {
    let n = store.len();
    check_second_moment(s, n)?;
    let k = dense_covariance(store, softening)?;
    let m = store.masses();
    let log_det = m.iter().map(|m| m.ln()).sum();
    let trace = (0..n)
        .into_par_iter()
        .map(|i| {
            let off: f64 = (0..n)
                .filter(|&j| j != i)
                .map(|j| s[i * n + j] * k[(i, j)] / m[j])
                .sum();
            (s[i * n + i] - off) / m[i]
        })
        .sum();
    let p = momenta(store);
    let u: Vec<[f64; 3]> = (0..n)
        .map(|i| [p[0][i] / m[i], p[1][i] / m[i], p[2][i] / m[i]])
        .collect();
    let mut kinetic = 0.0;
    for i in 0..n {
        let dot = |a: &[f64; 3], b: &[f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        kinetic += 0.5 * m[i] * dot(&u[i], &u[i]);
        for j in (0..n).filter(|&j| j != i) {
            kinetic -= 0.5 * k[(i, j)] * dot(&u[i], &u[j]);
        }
    }
    Ok(LossTerms::new(n, log_det, trace, kinetic))
}

/// The seed's closed form of the loss and its parts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SeedLoss {
    /// The seed's `eps` (`E[x_i] = eps m_i`, eq. 63).
    pub eps: f64,
    /// `C = (D+1) N / 2 log(2 pi)` (eq. 68).
    pub c: f64,
    /// `M = sum_i ((D-1)/2 log m_i - eps^2 m_i / 2)` (eq. 69, in the
    /// consistent form of eq. 65).
    pub m: f64,
    /// `H_seed = -H` of the engine's seed preset (eq. 70).
    pub h_seed: f64,
    /// The same loss as [`LossTerms`]: `log_det = sum log m_i`,
    /// `trace = eps^2 (sum_i m_i - sum_(i!=j) q_i q_j G_ij)`, `kinetic` the
    /// first-order `T`, `total = C - M - H_seed`.
    pub terms: LossTerms,
}

/// `L_x ~ C - M - H_seed` (eq. 67): the first-order inverse and determinant
/// of eq. 32 and 44 together with `S ~ eps^2 m m^T` (eq. 64). `H_seed` is
/// the engine's Hamiltonian of the seed preset (`k = -eps^2`, `mu = 1`),
/// evaluated with `backend` (Laplace sums: any `N`).
///
/// # Errors
///
/// Invalid particles, `eps` or softening; errors of the backend.
///
/// # Examples
///
/// ```
/// use covar_infer::loss::{approx, exact};
/// use covar_kernel::Backend;
/// use covar_store::{DVec3, Particle, ParticleStore};
/// let store: ParticleStore = [0.0, 40.0]
///     .map(|x| Particle::new(DVec3::new(x, 0.0, 0.0), DVec3::ZERO, 4.0, 2.0))
///     .into_iter()
///     .collect();
/// let eps = 0.5;
/// let seed = approx::seed(&store, 0.0, eps, &"direct".parse::<Backend>().unwrap())?;
/// assert!((seed.terms.total - (seed.c - seed.m - seed.h_seed)).abs() < 1e-12);
/// // Weak coupling (K_01 / m = 0.025): the log-determinant is close.
/// let s = vec![eps * eps * 16.0; 4];
/// let exact = exact::dense(&store, 0.0, &s)?;
/// assert!((seed.terms.log_det - exact.log_det).abs() < 1e-3);
/// # Ok::<(), covar_infer::InferError>(())
/// ```
pub fn seed(
    store: &ParticleStore,
    softening: f64,
    eps: f64,
    backend: &Backend,
) -> Result<SeedLoss, InferError> {
    let n = store.len();
    let system = System::from_preset(store.clone(), Preset::Seed { eps }, softening)?
        .with_backend(backend.clone());
    let d = diagnostics(&system, &mut Fields::new())?;
    let h_seed = -d.h();
    let e2 = eps * eps;
    let m = store.masses();
    let sum_m: f64 = m.iter().sum();
    let half_d1 = (DIMENSIONS - 1) as f64 / 2.0;
    let mass_term = half_d1 * m.iter().map(|m| m.ln()).sum::<f64>() - e2 * sum_m / 2.0;
    // coulomb = (k/2) sum_i q_i phi_i = -eps^2 sum_(i<j) q_i q_j G_ij.
    let trace = e2 * sum_m + 2.0 * d.energy.coulomb;
    let terms = LossTerms::new(n, m.iter().map(|m| m.ln()).sum(), trace, d.energy.t());
    let c = constant(n);
    Ok(SeedLoss {
        eps,
        c,
        m: mass_term,
        h_seed,
        terms: LossTerms {
            total: c - mass_term - h_seed,
            ..terms
        },
    })
}
