//! # covar-integrate: Hamiltonian dynamics of covar
//!
//! The engine's Hamiltonian (DESIGN.md section 2.3), for particles with
//! masses `m`, charges `q`, positions `r` and canonical momenta `P`:
//!
//! ```text
//! H(r, P) = sum_i |P_i|^2 / (2 m_i)
//!         - (mu/2) sum_{i != j} q_i q_j (u_i . u_j) G_ij
//!         + k sum_{i < j} q_i q_j G_ij,          u_i = P_i / m_i
//!
//! dr_i/dt = u_i - mu (q_i / m_i) A_i
//! dP_i/dt = q_i (k E_i + mu J_i^T u_i)
//! ```
//!
//! All sums come from one Laplace-sum call of [`covar_kernel`] per
//! evaluation ([`Fields`]). [`System`] holds the particles, couplings and
//! backend; [`Integrator`] implementations advance it; [`diagnostics`]
//! reports the invariants `H`, total momentum and angular momentum. For
//! `mu != 0`, [`gershgorin`] checks the kinetic form's sufficient condition,
//! [`spectrum::smallest_eigenvalue`] its smallest eigenvalue (Lanczos on
//! the backend's sums), and [`spread_to_coupling`] spreads a system of the
//! seed's clusters until its largest coupling is the one asked for.
//!
//! # Example
//!
//! A Plummer sphere under gravity, ten leapfrog steps:
//!
//! ```
//! use covar_integrate::{Fields, Integrator, Preset, Splitting, SplittingScheme, System, diagnostics};
//! use covar_store::ic::Plummer;
//!
//! let mut sys = System::from_preset(Plummer::new(200, 7).generate()?, Preset::Gravity { g: 1.0 }, 0.01)?;
//! let mut fields = Fields::new();
//! let h0 = diagnostics(&sys, &mut fields)?.h();
//! let mut lf = Splitting::new(SplittingScheme::Leapfrog);
//! for _ in 0..10 {
//!     lf.step(&mut sys, 1e-3)?;
//! }
//! let h1 = diagnostics(&sys, &mut fields)?.h();
//! assert!(((h1 - h0) / h0).abs() < 1e-6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod couplings;
mod diagnostics;
mod error;
mod fields;
pub mod integrator;
mod phase;
pub mod spectrum;
mod system;

pub use couplings::{Couplings, Preset};
pub use diagnostics::{
    Diagnostics, GershgorinReport, Spread, diagnostics, diagnostics_from, gershgorin,
    spread_to_coupling,
};
pub use error::IntegrateError;
pub use fields::{Energy, Fields};
pub use integrator::{
    CopyGap, ExtendedInvariants, GaussLegendre, ImplicitMidpoint, Integrator, Splitting,
    SplittingScheme, StepInfo, StormerVerlet, Tao,
};
pub use phase::{Phase, PhaseBuf};
pub use system::System;
