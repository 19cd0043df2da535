//! # covar-infer: from binary measurements to particles, and the loss
//!
//! The inference layer of "Mapping general inference to physics" (seed
//! sections 2.1-2.3 and S0.1; DESIGN.md 2.4):
//!
//! 1. [`data`]: streams of `T` time steps of `M` binary variables (CSV or
//!    `.npy`) are read once into exact counts ([`stats::Moments`]); memory
//!    `O(M^2)`, parallel over blocks of variables.
//! 2. [`cluster`]: variables with `|corr| >= threshold` form clusters
//!    (connected components); member signs `q_k` relative to a reference
//!    member; sign-frustrated clusters are reported. Cluster variables
//!    `x_a = sum_k q_k b_k` have masses `m_a = Var(x_a)` (seed eq. 27).
//! 3. [`fit`]: charges `q_a = s_a sqrt(m_a)` and positions (weighted
//!    SMACOF, [`embed`]) such that `q_a q_b / |r_a - r_b|` matches the
//!    measured `Cov(x_a, x_b)` (seed eq. 28), with the fit's residual.
//! 4. [`loss`]: the seed's loss `L_x`, exact (dense Cholesky), to first order
//!    (eq. 32), in the seed's closed form `C - M - H_seed` (eq. 67), and
//!    estimated from `K X` Laplace sums for large `N` (Lanczos quadrature,
//!    conjugate gradients), so the approximations' errors are measured.
//!
//! [`synth`] plants clusters with known members, signs, masses and
//! covariances, for tests and examples.
//!
//! # Example
//!
//! Planted clusters recovered from 20 000 time steps, then the loss:
//!
//! ```
//! use covar_infer::{data, fit, loss, synth::Planted};
//!
//! let planted = Planted::example(1);
//! let sample = planted.generate(20_000)?;
//! let csv = sample.to_csv();
//! let d = data::read_csv(csv.as_bytes(), "planted.csv", &mut |_| {})?;
//! let f = fit::fit(&d.moments, &fit::FitParams::default())?;
//!
//! // Six clusters, as planted; the eight independent variables stay binary.
//! assert_eq!(f.clustering.clusters.len(), 6);
//! assert_eq!(f.clustering.unclustered.len(), 8);
//! assert_eq!(f.clustering.frustrated(), 0);
//! // The planted positions are 3-dimensional, so the fit is close.
//! assert!(f.particles.residual.max_correlation < 0.03);
//!
//! // The loss of the fitted particles under the measured S = E[x x^T].
//! // The fitted K reproduces S, so tr(K^-1 S) is close to N = 6.
//! let store = f.particles.store();
//! let s = f.moments.second_moment();
//! let exact = loss::exact::dense(&store, 0.0, &s)?;
//! assert!((exact.trace - 6.0).abs() < 0.05, "{exact:?}");
//! // These clusters are strongly coupled (kappa = 0.5): the seed's
//! // first-order inverse (eq. 32) misses the trace by more than 20%.
//! let kappa = loss::coupling_strength(&store, 0.0)?;
//! assert!(kappa > 0.45);
//! let first = loss::approx::first_order(&store, 0.0, &s)?;
//! assert!((first.trace - exact.trace).abs() > 0.2 * exact.trace);
//! # Ok::<(), covar_infer::InferError>(())
//! ```
//!
//! # Where the seed's approximation holds
//!
//! The seed inverts `K = diag(m) + K_off` to first order (eq. 32) and takes
//! `log|K| ~ sum log m_i` (eq. 44). Its small parameter is the coupling
//! `kappa = max_(i, j) |q_i q_j| G_ij / m_i`. The table below is printed by
//! `cargo run --release -p covar-examples --example seed_loss_table`
//! (64 particles, masses in `[20, 200]`, charges `+-sqrt(m)`, `S = K` for
//! the eq. 32 columns; `S = K + eps^2 m m^T` with `eps = 0.5` for the eq. 67
//! column), relative errors against the exact dense loss:
//!
//! | kappa | sum_j/m | log-det, eq. 32 | trace, eq. 32 | loss, eq. 32 | loss, eq. 67 (eps = 0.5) |
//! |---:|---:|---:|---:|---:|---:|
//! | 0.001 | 0.020 | 1.34e-7 | 1.25e-6 | 2.55e-6 | 3.47e-2 |
//! | 0.003 | 0.060 | 1.19e-6 | 1.13e-5 | 2.28e-5 | 3.47e-2 |
//! | 0.01 | 0.201 | 1.28e-5 | 1.25e-4 | 2.50e-4 | 3.49e-2 |
//! | 0.03 | 0.603 | 1.07e-4 | 1.13e-3 | 2.17e-3 | 3.65e-2 |
//! | 0.1 | 2.009 | 9.56e-4 | 1.25e-2 | 2.21e-2 | 4.84e-2 |
//! | 0.2 | 4.018 | 3.09e-3 | 5.01e-2 | 8.29e-2 | 7.36e-2 |
//! | 0.3 | 6.028 | 5.98e-3 | 1.13e-1 | 1.82e-1 | 1.03e-1 |
//! | 0.5 | 10.046 | 1.35e-2 | 3.13e-1 | 5.11e-1 | 1.69e-1 |
//! | 0.7 | 14.065 | 2.32e-2 | 6.13e-1 | 1.07e0 | 2.39e-1 |
//! | 1 | 20.092 | 4.23e-2 | 1.25e0 | 2.71e0 | 3.52e-1 |
//!
//! (`sum_j/m` is the largest Gershgorin row sum `sum_(j != i) |K_ij| / m_i`.)
//!
//! Read: the errors of eq. 32 grow as `kappa^2`, its first neglected order
//! (tenfold `kappa`, a hundredfold error). Eq. 32 is good to 1% of the loss
//! up to `kappa ~ 0.07` (row sums ~ 1.4) and to 10% up to `kappa ~ 0.2`;
//! by `kappa ~ 0.5` the trace term is off by a third and the loss by half,
//! and at `kappa = 1` the first-order loss is off by 270% although `K` is
//! still positive definite. The log-determinant suffers
//! least (4% at `kappa = 1`): its first-order term vanishes exactly, as the
//! seed notes (eq. 42). The closed form eq. 67 also replaces `S` by
//! `eps^2 m m^T` (eq. 64), which drops the covariance part of `S`: that
//! leaves an error of order `1 / (eps^2 m)` (3.5% here) even as
//! `kappa -> 0`; with the coupling it grows more slowly than eq. 32's
//! (35% at `kappa = 1`), because here the mean's part `eps^2 m m^T`
//! dominates `S` and the covariance part, where eq. 32 errs most, is the
//! smaller share.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cluster;
pub mod data;
pub mod embed;
mod error;
pub mod fit;
pub mod loss;
pub mod stats;
pub mod synth;

pub use error::InferError;
