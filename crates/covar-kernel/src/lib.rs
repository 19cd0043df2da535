//! # covar-kernel: Laplace sums on plain slices
//!
//! One primitive serves every physical quantity of covar: for targets `t`,
//! sources `r_j` carrying `nd` channels of values `s^c_j`, and a softening
//! length `s >= 0`,
//!
//! ```text
//! Phi^c(t)      =  sum_j s^c_j G(|t - r_j|)
//! grad Phi^c(t) =  sum_j s^c_j (r_j - t) F(|t - r_j|),    F(r) = -G'(r) / r
//! ```
//!
//! with the self term excluded when the targets are the sources. `G` is the
//! softened `1/r` of [`Softening`]: Plummer's `(r^2 + s^2)^(-1/2)` (a bare
//! length), or a kernel of compact support that is exactly `1/r` beyond a
//! few `s` (GADGET-2's cubic spline, SWIFT's Wendland C2). The crate
//! takes plain `&[f64]` columns and writes into caller-provided buffers, so it
//! embeds in any program; it depends on nothing else of covar.
//!
//! Backends implement [`LaplaceSum`]:
//!
//! - [`Naive`]: the textbook double loop, the test oracle;
//! - [`Direct`]: exact, SIMD (AVX-512 / AVX2 / NEON / scalar, chosen at run
//!   time by the one SIMD layer of [`simd`]),
//!   multi-threaded with rayon, bitwise reproducible for any thread count.
//!
//! On top of the primitive, [`physics`] computes the covariance product
//! `Y = K X`, the scalar potential and field, and the vector potential and
//! its gradient of the covar model.
//!
//! # Example
//!
//! Potential and field of three charges, at the charges themselves:
//!
//! ```
//! use covar_kernel::{Direct, LaplaceSum, Outputs, Points, Problem};
//!
//! let x = [0.0, 1.0, 0.0];
//! let y = [0.0, 0.0, 1.0];
//! let z = [0.0, 0.0, 0.0];
//! let q = [1.0, -1.0, 1.0];
//! let mut phi = vec![0.0; 3];
//! let mut grad = vec![0.0; 9]; // [d/dx of all targets, d/dy ..., d/dz ...]
//!
//! let problem = Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0);
//! Direct::new().evaluate(&problem, Outputs::with_gradient(&mut phi, &mut grad))?;
//!
//! // Particle 0 sees -1 at distance 1 and +1 at distance 1.
//! assert!(phi[0].abs() < 1e-15);
//! // Particle 1 sees +1 at distance 1 and +1 at distance sqrt(2).
//! assert!((phi[1] - (1.0 + 1.0 / 2f64.sqrt())).abs() < 1e-15);
//! # Ok::<(), covar_kernel::KernelError>(())
//! ```
//!
//! # Conventions
//!
//! - Channel-major layouts: channel `c` of source `j` is `channels[c * n + j]`;
//!   potential `c` of target `i` is `potential[c * nt + i]`; gradient
//!   component `d` of channel `c` at target `i` is `gradient[(3 c + d) nt + i]`.
//! - Throughput is counted in pair interactions: `N (N - 1)` per evaluation
//!   when targets are the sources, `N_t N_s` otherwise, whatever `nd`.
//! - With `s = 0`, a target on a source is an error naming both indices; it
//!   never becomes a silent inf or NaN.

#![deny(missing_docs)]

mod backend;
pub mod direct;
mod error;
pub mod fast;
mod naive;
mod output;
mod p2p;
pub mod physics;
mod problem;
pub mod simd;
mod softening;
pub mod validate;

pub use backend::{Backend, CustomSum, LaplaceSum, Progress};
pub use direct::Direct;
pub use error::{Field, KernelError, Role};
pub use fast::{Fast, FastParams, FastStats};
pub use naive::Naive;
pub use problem::{Outputs, Points, Problem, Selves, Sources, Targets};
pub use simd::Isa;
pub use softening::{Softening, SofteningKernel};
