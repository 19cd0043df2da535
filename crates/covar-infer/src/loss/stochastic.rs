//! The exact loss's terms estimated from `K X` products alone, for `N` too
//! large for a dense factorization.
//!
//! `K` is never formed: each product is one Laplace sum with one channel per
//! column ([`covariance_product`]), on any backend (direct, or fast for
//! millions of particles). With `D = diag(m)` and the seed's approximation as
//! control variate, only the (small) corrections are estimated:
//!
//! - `log|K| = sum log m_i + log|K~|`, `K~ = D^-1/2 K D^-1/2`: stochastic
//!   Lanczos quadrature (Ubaru, Chen and Saad 2017). For Rademacher probes
//!   `z`, `z^T log(K~) z ~ |z|^2 sum_k tau_k^2 log theta_k` from the
//!   eigenpairs `(theta_k, tau_k)` (first components) of the Lanczos
//!   tridiagonal matrix started at `z`.
//! - `tr(K^-1 S) = tr(D^-1 S) + tr((K^-1 - D^-1) S)`: Hutchinson's
//!   estimator `E[z^T (K^-1 - D^-1) S z]` of the second part, with `K^-1 z`
//!   by conjugate gradients (Jacobi preconditioner `D`), for the covariance
//!   part `C` of `S = C + mu mu^T`; the mean's part `mu^T K^-1 mu` is one
//!   more solve. For [`SecondMoment::ModelPlusMean`] (`S = K + mu mu^T`) the
//!   trace is `N + mu^T K^-1 mu`, no sampling.
//! - `T_v = 1/2 sum_d P_d^T K^-1 P_d`: three solves.
//!
//! Error bars are standard errors over the probes (the Lanczos and CG
//! truncation errors are far below them at the default settings, which the
//! tests check against the dense result).

use bumpalo::Bump;
use covar_kernel::LaplaceSum;
use covar_kernel::physics::{Particles, covariance_product};
use covar_store::{ParticleStore, SeededRng};
use nalgebra::{DMatrix, SymmetricEigen};
use serde::Serialize;

use super::{DIMENSIONS, check_second_moment, constant, momenta};
use crate::error::InferError;

/// The second moment `S = E[x x^T]` as the estimator sees it.
#[derive(Clone, Copy, Debug)]
pub enum SecondMoment<'a> {
    /// `S = C + mu mu^T` with a dense symmetric covariance `C` (`N x N`,
    /// row-major) and the mean `mu`: the measured moments. The mean's part
    /// `mu^T K^-1 mu` is one solve; only `tr(K^-1 C)` is sampled.
    Dense {
        /// `C`, `N x N` row-major.
        covariance: &'a [f64],
        /// `mu`, `N` values.
        mean: &'a [f64],
    },
    /// `S = K + mu mu^T`: data drawn from the model itself with mean `mu`.
    ModelPlusMean(&'a [f64]),
}

/// Settings of [`estimate`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StochasticParams {
    /// Rademacher probes for each stochastic trace (default 32).
    pub probes: usize,
    /// Lanczos steps per probe (default 40).
    pub lanczos_steps: usize,
    /// Relative residual at which conjugate gradients stop (default
    /// `1e-10`).
    pub cg_tolerance: f64,
    /// Iteration cap of conjugate gradients (default 1000).
    pub cg_max_iterations: usize,
    /// Seed of the probes (default 1).
    pub seed: u64,
}

impl Default for StochasticParams {
    fn default() -> Self {
        Self {
            probes: 32,
            lanczos_steps: 40,
            cg_tolerance: 1e-10,
            cg_max_iterations: 1000,
            seed: 1,
        }
    }
}

/// A stochastic estimate and its standard error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Its standard error (0 for a deterministic part).
    pub std_error: f64,
}

/// The estimated terms of `L_x`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StochasticLoss {
    /// `log|K|`.
    pub log_det: Estimate,
    /// `tr(K^-1 S)`.
    pub trace: Estimate,
    /// `T_v` (by conjugate gradients: no sampling error).
    pub kinetic: f64,
    /// `L_x`, with the errors of `log_det` and `trace` combined.
    pub total: Estimate,
    /// Probes used.
    pub probes: usize,
    /// Lanczos steps per probe.
    pub lanczos_steps: usize,
    /// The most conjugate-gradient iterations any solve needed.
    pub cg_iterations: usize,
    /// `K X` products evaluated (each one Laplace sum of several columns).
    pub products: usize,
}

/// Estimates `L_x` of `store` with second moment `s` from `K X` products on
/// `backend`.
///
/// # Errors
///
/// Invalid particles, softening, `S` or parameters; kernel errors;
/// [`InferError::NotPositiveDefinite`] when Lanczos or CG meets a
/// non-positive curvature; [`InferError::NoConvergence`] when CG stops at
/// its cap.
pub fn estimate(
    store: &ParticleStore,
    softening: f64,
    backend: &impl LaplaceSum,
    s: SecondMoment<'_>,
    params: &StochasticParams,
) -> Result<StochasticLoss, InferError> {
    store.validate()?;
    let n = store.len();
    if params.probes < 2 || params.lanczos_steps == 0 {
        return Err(InferError::InvalidParameter {
            name: "probes",
            reason: format!(
                "needs at least 2 probes and 1 Lanczos step, got {} and {}",
                params.probes, params.lanczos_steps
            ),
        });
    }
    let mu = match s {
        SecondMoment::Dense { covariance, mean } => {
            check_second_moment(covariance, n)?;
            mean
        }
        SecondMoment::ModelPlusMean(mean) => mean,
    };
    if mu.len() != n || mu.iter().any(|v| !v.is_finite()) {
        return Err(InferError::InvalidParameter {
            name: "mean",
            reason: format!("needs {n} finite values, got {}", mu.len()),
        });
    }
    let mut op = Operator {
        particles: Particles {
            points: covar_kernel::Points::new(store.x(), store.y(), store.z()),
            mass: store.masses(),
            charge: store.charges(),
        },
        softening,
        backend,
        scratch: Bump::new(),
        products: 0,
    };
    let m = store.masses();
    let mut rng = SeededRng::new(params.seed);
    let probes = params.probes;
    let z: Vec<f64> = (0..n * probes).map(|_| rng.sign()).collect();

    // log|K| = sum log m + E[z^T log(K~) z].
    let samples = lanczos_log(&mut op, &z, probes, params.lanczos_steps)?;
    let base: f64 = m.iter().map(|m| m.ln()).sum();
    let log_det = mean_and_error(&samples, base);

    // tr(K^-1 S) = tr(K^-1 C) + mu^T K^-1 mu, the second part solved along
    // with the probes of the first.
    let (covariance, probes_c) = match s {
        SecondMoment::Dense { covariance, .. } => (Some(covariance), probes),
        SecondMoment::ModelPlusMean(_) => (None, 0),
    };
    let mut rhs: Vec<f64> = (0..n * probes_c).map(|_| rng.sign()).collect();
    rhs.extend_from_slice(mu);
    let (y, mut cg_iterations) = conjugate_gradients(&mut op, &rhs, probes_c + 1, params)?;
    let mean_part: f64 = dot(mu, &y[n * probes_c..]);
    let trace = match covariance {
        // tr(K^-1 K) = N.
        None => Estimate {
            value: n as f64 + mean_part,
            std_error: 0.0,
        },
        Some(c) => {
            let base: f64 = (0..n).map(|i| c[i * n + i] / m[i]).sum();
            let samples: Vec<f64> = (0..probes)
                .map(|p| {
                    let (zp, yp) = (&rhs[p * n..(p + 1) * n], &y[p * n..(p + 1) * n]);
                    (0..n)
                        .map(|i| {
                            let cz: f64 = (0..n).map(|j| c[i * n + j] * zp[j]).sum();
                            (yp[i] - zp[i] / m[i]) * cz
                        })
                        .sum()
                })
                .collect();
            mean_and_error(&samples, base + mean_part)
        }
    };

    // T_v = 1/2 sum_d P_d^T K^-1 P_d.
    let p = momenta(store);
    let mut kinetic = 0.0;
    if p.iter().any(|c| c.iter().any(|v| *v != 0.0)) {
        let rhs = p.concat();
        let (y, it) = conjugate_gradients(&mut op, &rhs, DIMENSIONS, params)?;
        cg_iterations = cg_iterations.max(it);
        kinetic = 0.5 * rhs.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>();
    }

    let half_d1 = (DIMENSIONS - 1) as f64 / 2.0;
    let total = Estimate {
        value: constant(n) - half_d1 * log_det.value + 0.5 * trace.value + kinetic,
        std_error: ((half_d1 * log_det.std_error).powi(2) + (0.5 * trace.std_error).powi(2)).sqrt(),
    };
    Ok(StochasticLoss {
        log_det,
        trace,
        kinetic,
        total,
        probes,
        lanczos_steps: params.lanczos_steps,
        cg_iterations,
        products: op.products,
    })
}

/// `base + mean(samples)` and the standard error of the mean.
fn mean_and_error(samples: &[f64], base: f64) -> Estimate {
    let p = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / p;
    let var = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (p - 1.0);
    Estimate {
        value: base + mean,
        std_error: (var / p).sqrt(),
    }
}

/// `Y = K X` for column blocks, counting products.
struct Operator<'a, B: LaplaceSum> {
    particles: Particles<'a>,
    softening: f64,
    backend: &'a B,
    scratch: Bump,
    products: usize,
}

impl<B: LaplaceSum> Operator<'_, B> {
    /// `y = K x` for `b` columns (column-major, `x[c * n + i]`).
    fn apply(&mut self, x: &[f64], b: usize, y: &mut [f64]) -> Result<(), InferError> {
        self.scratch.reset();
        covariance_product(
            self.backend,
            &self.particles,
            self.softening,
            x,
            b,
            y,
            &self.scratch,
        )?;
        self.products += 1;
        Ok(())
    }
}

/// `z_p^T log(K~) z_p` for each of the `b` probe columns of `z`, by
/// `steps` Lanczos steps on `K~ = D^-1/2 K D^-1/2` (all probes advance
/// together, one product per step).
fn lanczos_log<B: LaplaceSum>(
    op: &mut Operator<'_, B>,
    z: &[f64],
    b: usize,
    steps: usize,
) -> Result<Vec<f64>, InferError> {
    let n = op.particles.len();
    let inv_sqrt_m: Vec<f64> = op.particles.mass.iter().map(|m| m.sqrt().recip()).collect();
    let norm0: Vec<f64> = z.chunks_exact(n).map(norm).collect();
    let mut v: Vec<f64> = z
        .chunks_exact(n)
        .zip(&norm0)
        .flat_map(|(c, nz)| c.iter().map(move |x| x / nz))
        .collect();
    let mut v_prev = vec![0.0; n * b];
    let (mut x, mut w) = (vec![0.0; n * b], vec![0.0; n * b]);
    let mut alpha = vec![Vec::with_capacity(steps); b];
    let mut beta: Vec<Vec<f64>> = vec![Vec::with_capacity(steps); b];
    let mut active = vec![true; b];
    for _ in 0..steps {
        for (xc, vc) in x.chunks_exact_mut(n).zip(v.chunks_exact(n)) {
            for ((xi, vi), s) in xc.iter_mut().zip(vc).zip(&inv_sqrt_m) {
                *xi = vi * s;
            }
        }
        op.apply(&x, b, &mut w)?;
        for p in 0..b {
            if !active[p] {
                continue;
            }
            let r = p * n..(p + 1) * n;
            let (wc, vc, vp) = (&mut w[r.clone()], &v[r.clone()], &v_prev[r.clone()]);
            for (wi, s) in wc.iter_mut().zip(&inv_sqrt_m) {
                *wi *= s;
            }
            let a: f64 = wc.iter().zip(vc).map(|(w, v)| w * v).sum();
            let b_prev = beta[p].last().copied().unwrap_or(0.0);
            for ((wi, vi), pi) in wc.iter_mut().zip(vc).zip(vp) {
                *wi -= a * vi + b_prev * pi;
            }
            alpha[p].push(a);
            let bn = norm(wc);
            if bn <= 1e-12 * a.abs().max(1.0) || alpha[p].len() == steps {
                active[p] = false;
                continue;
            }
            beta[p].push(bn);
            let next: Vec<f64> = wc.iter().map(|w| w / bn).collect();
            v_prev[r.clone()].copy_from_slice(&v[r.clone()]);
            v[r].copy_from_slice(&next);
        }
        if !active.iter().any(|a| *a) {
            break;
        }
        // Finished columns multiply zeros from now on.
        for p in (0..b).filter(|&p| !active[p]) {
            v[p * n..(p + 1) * n].fill(0.0);
        }
    }
    (0..b)
        .map(|p| {
            let k = alpha[p].len();
            let t = DMatrix::from_fn(k, k, |i, j| match i.abs_diff(j) {
                0 => alpha[p][i],
                1 => beta[p][i.min(j)],
                _ => 0.0,
            });
            let eig = SymmetricEigen::new(t);
            let mut sum = 0.0;
            for (j, &theta) in eig.eigenvalues.iter().enumerate() {
                if theta <= 0.0 {
                    return Err(InferError::NotPositiveDefinite {
                        detail: format!(
                            "Lanczos on D^-1/2 K D^-1/2 (probe {p}) found the Ritz value \
                             {theta:.6e} <= 0"
                        ),
                    });
                }
                sum += eig.eigenvectors[(0, j)].powi(2) * theta.ln();
            }
            Ok(norm0[p].powi(2) * sum)
        })
        .collect()
}

/// Solves `K y = r` for `b` right-hand sides (column-major) by conjugate
/// gradients with the Jacobi preconditioner `diag(m)`; all columns advance
/// together, one product per iteration. Returns `y` and the iterations.
fn conjugate_gradients<B: LaplaceSum>(
    op: &mut Operator<'_, B>,
    rhs: &[f64],
    b: usize,
    params: &StochasticParams,
) -> Result<(Vec<f64>, usize), InferError> {
    let n = op.particles.len();
    let m = op.particles.mass;
    let mut y = vec![0.0; n * b];
    let mut r = rhs.to_vec();
    let mut z: Vec<f64> = r
        .chunks_exact(n)
        .flat_map(|c| c.iter().zip(m).map(|(r, m)| r / m))
        .collect();
    let mut p = z.clone();
    let mut q = vec![0.0; n * b];
    let rhs_norm: Vec<f64> = rhs.chunks_exact(n).map(norm).collect();
    let mut rz: Vec<f64> = (0..b)
        .map(|c| dot(&r[c * n..(c + 1) * n], &z[c * n..(c + 1) * n]))
        .collect();
    let mut done: Vec<bool> = rhs_norm.iter().map(|nr| *nr == 0.0).collect();
    let mut iterations = 0;
    while !done.iter().all(|d| *d) {
        if iterations == params.cg_max_iterations {
            let c = done.iter().position(|d| !d).unwrap_or(0);
            return Err(InferError::NoConvergence {
                column: c,
                residual: norm(&r[c * n..(c + 1) * n]) / rhs_norm[c],
                iterations,
                tolerance: params.cg_tolerance,
            });
        }
        iterations += 1;
        op.apply(&p, b, &mut q)?;
        for c in 0..b {
            if done[c] {
                continue;
            }
            let s = c * n..(c + 1) * n;
            let pq = dot(&p[s.clone()], &q[s.clone()]);
            if pq <= 0.0 {
                return Err(InferError::NotPositiveDefinite {
                    detail: format!(
                        "conjugate gradients met p^T K p = {pq:.6e} <= 0 (column {c}, \
                         iteration {iterations})"
                    ),
                });
            }
            let a = rz[c] / pq;
            for i in s.clone() {
                y[i] += a * p[i];
                r[i] -= a * q[i];
            }
            if norm(&r[s.clone()]) <= params.cg_tolerance * rhs_norm[c] {
                done[c] = true;
                p[s].fill(0.0);
                continue;
            }
            for i in s.clone() {
                z[i] = r[i] / m[i - c * n];
            }
            let rz_new = dot(&r[s.clone()], &z[s.clone()]);
            let beta = rz_new / rz[c];
            rz[c] = rz_new;
            for i in s {
                p[i] = z[i] + beta * p[i];
            }
        }
    }
    Ok((y, iterations))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}
