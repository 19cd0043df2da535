//! # covar: a parallel N-body engine
//!
//! N particles with mass `m_i`, charge `q_i` and position `r_i` interact
//! through the softened inverse distance `G_ij = (|r_i - r_j|^2 + s^2)^(-1/2)`.
//! The same sums give gravity (`q = m`), electrostatics, and the covariance
//! model of "Mapping general inference to physics" (`K_ii = m_i`,
//! `K_ij = q_i q_j G_ij`).
//!
//! This crate gathers the parts:
//!
//! - [`store`] (`covar-store`): particles as aligned structure-of-arrays
//!   columns, reproducible initial conditions ([`store::ic`]), validation
//!   that names the bad particle and field, Morton ordering;
//! - [`kernel`] (`covar-kernel`): the one primitive, Laplace sums on plain
//!   slices, with a [`Naive`] oracle and an exact SIMD, multi-threaded
//!   [`Direct`] backend, plus the model's quantities in [`kernel::physics`];
//! - [`integrate`] (`covar-integrate`): the Hamiltonian of DESIGN.md 2.3,
//!   its forces and invariants, and the integrators that conserve it;
//! - [`infer`] (`covar-infer`): the seed's inference layer, from binary
//!   measurements to clusters, particles and the loss (exact and
//!   approximate);
//! - [`points`] and [`particles`]: the store seen as kernel input;
//! - [`io`]: particle CSV files, NumPy snapshots and checkpoints;
//! - [`cli`]: the `covar` command-line program (`covar run`, `covar fields`),
//!   as library functions.
//!
//! # Example
//!
//! Gravitational potential and field of a Plummer sphere, with both backends:
//!
//! ```
//! use covar::kernel::physics::scalar_potential;
//! use covar::store::ic::Plummer;
//! use covar::{Direct, Naive};
//!
//! let store = Plummer::new(500, 42).generate()?; // charges = masses
//! let n = store.len();
//! let (mut phi, mut e) = (vec![0.0; n], vec![0.0; 3 * n]);
//! scalar_potential(&Direct::new(), covar::points(&store), store.charges(), 0.0, &mut phi, Some(&mut e))?;
//!
//! // Potential energy W = -(G/2) sum_i m_i phi_i, about -1/2 in Hénon units.
//! let w: f64 = -0.5 * store.masses().iter().zip(&phi).map(|(m, p)| m * p).sum::<f64>();
//! assert!((w + 0.5).abs() < 0.1, "W = {w}");
//!
//! // Newton's third law: the forces m_i E_i sum to zero (to round-off).
//! let fx: f64 = (0..n).map(|i| store.mass(i) * e[i]).sum();
//! assert!(fx.abs() < 1e-14);
//!
//! // The naive oracle agrees to round-off.
//! let mut phi_naive = vec![0.0; n];
//! scalar_potential(&Naive::new(), covar::points(&store), store.charges(), 0.0, &mut phi_naive, None)?;
//! assert!(phi.iter().zip(&phi_naive).all(|(a, b)| (a - b).abs() <= 1e-13 * b.abs()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Conventions (units, signs, layouts) are in the README and in the docs of
//! [`kernel`], [`store`] and [`integrate`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calibration;
pub mod cli;
pub mod io;
mod view;

pub use covar_infer as infer;
pub use covar_integrate as integrate;
pub use covar_kernel as kernel;
pub use covar_store as store;

pub use covar_kernel::{
    Backend, Direct, Isa, KernelError, LaplaceSum, Naive, Outputs, Points, Problem, Progress,
};
pub use covar_store::{DVec3, Particle, ParticleStore, SeededRng, StoreError};
pub use view::{particles, points};
