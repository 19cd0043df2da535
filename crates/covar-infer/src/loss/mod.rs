//! The seed's loss of the cluster model (DESIGN.md 2.4, seed eq. 60-70):
//! exact, first-order, the seed's closed form, and a stochastic estimate
//! for large `N`.
//!
//! For `N` particles in `D = 3` dimensions, with `K_ii = m_i`,
//! `K_ij = q_i q_j G_ij`, the second moment `S = E[x x^T]` of the cluster
//! measurements and canonical momenta `P = K v` (one column per dimension):
//!
//! ```text
//! L_x = (D+1) N / 2 log(2 pi) - (D-1)/2 log|K| + 1/2 tr(K^-1 S) + T_v,
//! T_v = 1/2 sum_d v_d^T K v_d = 1/2 sum_d P_d^T K^-1 P_d.
//! ```
//!
//! | evaluation | `log|K|` | `tr(K^-1 S)` | `T_v` | cost |
//! |---|---|---|---|---|
//! | [`exact::dense`] | Cholesky | Cholesky solves | solves | `O(N^3)`, `N` up to a few thousand |
//! | [`approx::first_order`] (eq. 32, 44) | `sum log m_i` | `K^-1 ~ D^-1 - D^-1 K_off D^-1` | same inverse | `O(N^2)` |
//! | [`approx::seed`] (eq. 67) | `sum log m_i` | eq. 32 and `S ~ eps^2 m m^T` (eq. 64) | same inverse | Laplace sums |
//! | [`stochastic::estimate`] | Lanczos quadrature | Hutchinson + CG | CG | `K X` products |
//!
//! Every evaluation returns the same [`LossTerms`], so the terms can be
//! compared one by one.

pub mod approx;
pub mod exact;
pub mod stochastic;

use covar_kernel::KernelError;
use covar_store::ParticleStore;
use nalgebra::DMatrix;
use serde::Serialize;

use crate::error::InferError;

/// Dimensions of space, `D`.
pub const DIMENSIONS: usize = 3;

/// The constant `C = (D+1) N / 2 log(2 pi)` (seed eq. 68, with `m = N`).
pub fn constant(n: usize) -> f64 {
    (DIMENSIONS + 1) as f64 * n as f64 / 2.0 * (2.0 * std::f64::consts::PI).ln()
}

/// The terms of `L_x` and their sum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LossTerms {
    /// `log|K|` (or what stands for it).
    pub log_det: f64,
    /// `tr(K^-1 S)`.
    pub trace: f64,
    /// `T_v = 1/2 sum_d P_d^T K^-1 P_d`.
    pub kinetic: f64,
    /// `L_x = C - (D-1)/2 log_det + trace / 2 + kinetic`.
    pub total: f64,
}

impl LossTerms {
    /// Assembles `L_x` for `n` particles from its terms.
    pub fn new(n: usize, log_det: f64, trace: f64, kinetic: f64) -> Self {
        let half_d1 = (DIMENSIONS - 1) as f64 / 2.0;
        Self {
            log_det,
            trace,
            kinetic,
            total: constant(n) - half_d1 * log_det + 0.5 * trace + kinetic,
        }
    }
}

/// The largest coupling `max_(i, j != i) |q_i q_j| G_ij / m_i`: how far `K`
/// is from its diagonal, the small parameter of the seed's eq. 32 (0 for
/// fewer than two particles).
///
/// # Errors
///
/// Invalid particles or softening, coincident particles with `s = 0`.
pub fn coupling_strength(store: &ParticleStore, softening: f64) -> Result<f64, InferError> {
    let k = dense_covariance(store, softening)?;
    let n = store.len();
    let mut kappa = 0.0f64;
    for i in 0..n {
        for j in (0..n).filter(|&j| j != i) {
            kappa = kappa.max(k[(i, j)].abs() / k[(i, i)]);
        }
    }
    Ok(kappa)
}

/// The dense covariance `K` of `store` with softening `s`.
///
/// # Errors
///
/// Invalid particle data (naming particle and field), an invalid softening,
/// or coincident particles with `s = 0`.
pub fn dense_covariance(store: &ParticleStore, softening: f64) -> Result<DMatrix<f64>, InferError> {
    store.validate()?;
    if !(softening.is_finite() && softening >= 0.0) {
        return Err(KernelError::InvalidSoftening { value: softening }.into());
    }
    let n = store.len();
    let (x, y, z) = (store.x(), store.y(), store.z());
    let (m, q) = (store.masses(), store.charges());
    let s2 = softening * softening;
    let mut k = DMatrix::zeros(n, n);
    for i in 0..n {
        k[(i, i)] = m[i];
        for j in i + 1..n {
            let r2 = (x[i] - x[j]).powi(2) + (y[i] - y[j]).powi(2) + (z[i] - z[j]).powi(2) + s2;
            if r2 == 0.0 {
                return Err(KernelError::Coincident {
                    first: i,
                    second: j,
                }
                .into());
            }
            let kij = q[i] * q[j] / r2.sqrt();
            k[(i, j)] = kij;
            k[(j, i)] = kij;
        }
    }
    Ok(k)
}

/// Checks that a second moment `S` is `n x n` and finite.
fn check_second_moment(s: &[f64], n: usize) -> Result<(), InferError> {
    if s.len() != n * n {
        return Err(InferError::InvalidParameter {
            name: "second_moment",
            reason: format!("has {} values, expected {n} x {n}", s.len()),
        });
    }
    if let Some(k) = s.iter().position(|v| !v.is_finite()) {
        return Err(InferError::InvalidParameter {
            name: "second_moment",
            reason: format!("entry ({}, {}) is {}", k / n, k % n, s[k]),
        });
    }
    Ok(())
}

/// The momenta of `store` as three columns of length `N`.
fn momenta(store: &ParticleStore) -> [&[f64]; 3] {
    [store.px(), store.py(), store.pz()]
}
