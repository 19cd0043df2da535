//! From measured moments to particles: clusters, masses, charges and
//! positions with `q_a q_b / |r_a - r_b| ~ Cov(x_a, x_b)` (seed eq. 27-28).
//!
//! The model `K_ab = q_a q_b / |r_a - r_b|` has a gauge freedom
//! (`q -> lambda q`, `r -> lambda^2 r`) and more unknowns per particle
//! than a covariance row can pin down in 3 dimensions, so the charges are
//! fixed first and the positions fitted to them:
//!
//! - **Charges** `q_a = s_a sqrt(m_a)`: the magnitude is the cluster's
//!   standard deviation, so the target distance of two clusters is the
//!   inverse of their correlation, `delta_ab = 1 / |corr(x_a, x_b)|`; the
//!   sign `s_a` comes from the sign structure, propagated along a maximum
//!   spanning tree of `|corr|` (the strongest correlations decide). Pairs
//!   whose correlation sign still disagrees with `s_a s_b` are counted in
//!   the [`Residual`].
//! - **Positions** by weighted SMACOF ([`crate::embed`]) on
//!   `delta_ab = 1 / max(|corr_ab|, min_correlation)` with weights
//!   `delta_ab^-4`, so that the stress approximates the squared error of
//!   the fitted correlations, `(1/d - 1/delta)^2 ~ (d - delta)^2 / delta^4`.
//!   Correlations weaker than `min_correlation` (at the sampling noise)
//!   only ask for "far apart".

use covar_store::{DVec3, Particle, ParticleStore};
use serde::Serialize;

use crate::cluster::{ClusterMoments, Clustering, cluster};
use crate::embed::{Embedding, SmacofParams, smacof};
use crate::error::InferError;
use crate::stats::Moments;

/// Settings of [`fit`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitParams {
    /// `|corr|` that links two variables into one cluster, in `(0, 1]`
    /// (default 0.5).
    pub threshold: f64,
    /// Floor of the cluster correlations that the positions fit, in
    /// `(0, 1)` (default 0.01): weaker ones target the distance
    /// `1 / min_correlation`.
    pub min_correlation: f64,
    /// The embedding's settings.
    pub smacof: SmacofParams,
}

impl Default for FitParams {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            min_correlation: 0.01,
            smacof: SmacofParams::default(),
        }
    }
}

/// How well the particles reproduce the measured cluster covariances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Residual {
    /// Cluster pairs compared, `N (N - 1) / 2`.
    pub pairs: usize,
    /// `sqrt(sum (K_ab - C_ab)^2 / sum C_ab^2)` over pairs `a < b`
    /// (`K` fitted, `C` measured); 0 without pairs.
    pub relative_rms: f64,
    /// Root mean square of `corr_fit - corr_measured` over pairs.
    pub rms_correlation: f64,
    /// Largest `|corr_fit - corr_measured|` over pairs.
    pub max_correlation: f64,
    /// Pairs whose measured covariance sign differs from `q_a q_b` (among
    /// those with `|corr| >= min_correlation`).
    pub sign_mismatches: usize,
}

/// Particles fitted to cluster moments.
#[derive(Clone, Debug, PartialEq)]
pub struct ParticleFit {
    /// Masses `m_a = Var(x_a)`.
    pub masses: Vec<f64>,
    /// Charges `q_a = s_a sqrt(m_a)`.
    pub charges: Vec<f64>,
    /// The embedding (positions, stress, iterations).
    pub embedding: Embedding,
    /// The fit's residual.
    pub residual: Residual,
}

impl ParticleFit {
    /// Number of particles.
    pub fn len(&self) -> usize {
        self.masses.len()
    }

    /// Whether there are no particles.
    pub fn is_empty(&self) -> bool {
        self.masses.is_empty()
    }

    /// Position of particle `a`.
    pub fn position(&self, a: usize) -> DVec3 {
        let p = &self.embedding.positions;
        DVec3::new(p[0][a], p[1][a], p[2][a])
    }

    /// The particles at rest (momenta 0), in cluster order.
    pub fn store(&self) -> ParticleStore {
        (0..self.len())
            .map(|a| {
                Particle::new(
                    self.position(a),
                    DVec3::ZERO,
                    self.masses[a],
                    self.charges[a],
                )
            })
            .collect()
    }

    /// The model covariance `K` (`N x N` row-major): masses on the
    /// diagonal, `q_a q_b / |r_a - r_b|` off it.
    pub fn covariance(&self) -> Vec<f64> {
        let n = self.len();
        let mut k = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                k[a * n + b] = if a == b {
                    self.masses[a]
                } else {
                    self.charges[a] * self.charges[b] / self.position(a).distance(self.position(b))
                };
            }
        }
        k
    }
}

/// Everything [`fit`] finds.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The clusters and the unclustered variables.
    pub clustering: Clustering,
    /// Means and covariances of the cluster variables.
    pub moments: ClusterMoments,
    /// The particles.
    pub particles: ParticleFit,
}

/// Clusters the variables of `moments`, then fits particles to the
/// cluster covariances.
///
/// # Errors
///
/// Parameters out of range; [`InferError::NoClusters`] when no pair of
/// variables reaches the threshold.
pub fn fit(moments: &Moments, params: &FitParams) -> Result<Fit, InferError> {
    let clustering = cluster(moments, params.threshold)?;
    if clustering.clusters.is_empty() {
        return Err(InferError::NoClusters {
            variables: moments.variables(),
            threshold: params.threshold,
            largest: clustering.largest_unlinked,
        });
    }
    let cm = ClusterMoments::new(moments, &clustering);
    let particles = particles(&cm, params)?;
    Ok(Fit {
        clustering,
        moments: cm,
        particles,
    })
}

/// Fits charges and positions to the cluster moments `cm`.
///
/// # Errors
///
/// [`InferError::InvalidParameter`] for `min_correlation` outside `(0, 1)`
/// or a cluster of zero variance.
pub fn particles(cm: &ClusterMoments, params: &FitParams) -> Result<ParticleFit, InferError> {
    let floor = params.min_correlation;
    if !(floor > 0.0 && floor < 1.0) {
        return Err(InferError::InvalidParameter {
            name: "min_correlation",
            reason: format!("must be in (0, 1), got {floor}"),
        });
    }
    let n = cm.n;
    let masses = cm.masses();
    if let Some(a) = masses.iter().position(|m| m.is_nan() || *m <= 0.0) {
        return Err(InferError::InvalidParameter {
            name: "clusters",
            reason: format!(
                "cluster {a} has variance {} (its members cancel exactly)",
                masses[a]
            ),
        });
    }
    let corr = |a: usize, b: usize| cm.correlation(a, b).clamp(-1.0, 1.0);
    let signs = spanning_signs(n, &corr);
    let charges: Vec<f64> = masses
        .iter()
        .zip(&signs)
        .map(|(m, s)| s * m.sqrt())
        .collect();
    let mut delta = vec![0.0; n * n];
    let mut w = vec![0.0; n * n];
    for a in 0..n {
        for b in 0..n {
            if a != b {
                let d = 1.0 / corr(a, b).abs().max(floor);
                delta[a * n + b] = d;
                w[a * n + b] = d.powi(-4);
            }
        }
    }
    let embedding = smacof(&delta, &w, n, &params.smacof)?;
    let mut fit = ParticleFit {
        masses,
        charges,
        embedding,
        residual: Residual::default(),
    };
    fit.residual = residual(&fit, cm, floor);
    Ok(fit)
}

/// Signs `s_a` from a maximum spanning tree of `|corr|` (Prim), root `+1`.
fn spanning_signs(n: usize, corr: &impl Fn(usize, usize) -> f64) -> Vec<f64> {
    let mut sign = vec![0.0; n];
    let mut best = vec![(f64::NEG_INFINITY, 0usize); n];
    let mut done = vec![false; n];
    for start in 0..n {
        if done[start] {
            continue;
        }
        sign[start] = 1.0;
        let mut v = start;
        loop {
            done[v] = true;
            for u in (0..n).filter(|&u| !done[u]) {
                let c = corr(v, u).abs();
                if c > best[u].0 {
                    best[u] = (c, v);
                }
            }
            let Some(next) = (0..n)
                .filter(|&u| !done[u])
                .max_by(|&a, &b| best[a].0.total_cmp(&best[b].0))
            else {
                break;
            };
            let parent = best[next].1;
            sign[next] = if corr(parent, next) >= 0.0 {
                sign[parent]
            } else {
                -sign[parent]
            };
            v = next;
        }
    }
    sign
}

/// Compares the fitted covariances with the measured ones.
fn residual(fit: &ParticleFit, cm: &ClusterMoments, floor: f64) -> Residual {
    let n = fit.len();
    let k = fit.covariance();
    let (mut err2, mut ref2, mut corr2) = (0.0, 0.0, 0.0);
    let mut r = Residual::default();
    for a in 0..n {
        for b in a + 1..n {
            let (fitted, measured) = (k[a * n + b], cm.cov(a, b));
            err2 += (fitted - measured).powi(2);
            ref2 += measured * measured;
            let scale = (fit.masses[a] * fit.masses[b]).sqrt();
            let dc = (fitted - measured).abs() / scale;
            corr2 += dc * dc;
            r.max_correlation = r.max_correlation.max(dc);
            if measured.abs() >= floor * scale && measured * fitted < 0.0 {
                r.sign_mismatches += 1;
            }
            r.pairs += 1;
        }
    }
    if r.pairs > 0 {
        r.relative_rms = if ref2 > 0.0 {
            (err2 / ref2).sqrt()
        } else {
            0.0
        };
        r.rms_correlation = (corr2 / r.pairs as f64).sqrt();
    }
    r
}
