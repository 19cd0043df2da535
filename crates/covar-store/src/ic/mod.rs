//! Reproducible initial conditions.
//!
//! Every generator is a parameter struct with documented defaults: build it
//! with `new` (the required parameters), change optional fields with struct
//! update syntax, then call `generate`, which validates the parameters and
//! returns a [`ParticleStore`](crate::ParticleStore) or a
//! [`StoreError::InvalidParameter`] naming the bad parameter. `n = 0` is
//! allowed and gives an empty store. ([`KeplerOrbit`] validates in its
//! constructor instead, so its analytic helpers are infallible.)
//!
//! | generator | what |
//! |---|---|
//! | [`UniformCube`] | uniform in a cube, equal masses, at rest |
//! | [`Plummer`] | Plummer sphere in virial equilibrium (Hénon units) |
//! | [`KeplerOrbit`] | a two-body orbit, plus its analytic solution |
//! | [`Lattice`] | a cubic lattice, optionally jittered |
//! | [`SeedClusters`] | the seed's clusters: masses from cluster sizes, charges `±sqrt(m)`, uniform in a ball |
//!
//! Conventions shared by all of them:
//!
//! - Charges equal masses (the gravity preset of DESIGN.md section 2.3;
//!   [`SeedClusters`] excepted, whose charges are `±sqrt(m)`); use
//!   [`random_signs`] or [`neutral_signs`] for Coulomb-like systems.
//! - Momentum is `mass * velocity`.
//! - Ids are `0..n` in generation order.
//! - Same seed, same bits, on every platform: random numbers come from
//!   [`SeededRng`](crate::SeededRng) and every transcendental function from
//!   the `libm` crate.
//!
//! # Examples
//!
//! ```
//! use covar_store::ic::{neutral_signs, Plummer, UniformCube};
//!
//! let cluster = Plummer { truncation_radius: Some(10.0), ..Plummer::new(1000, 42) }.generate()?;
//! assert_eq!(cluster.len(), 1000);
//!
//! let mut plasma = UniformCube { side: 2.0, ..UniformCube::new(64, 7) }.generate()?;
//! neutral_signs(&mut plasma, 7);
//! assert_eq!(plasma.charges().iter().sum::<f64>(), 0.0);
//! # Ok::<(), covar_store::StoreError>(())
//! ```

mod charges;
mod clusters;
mod cube;
mod kepler;
mod lattice;
mod plummer;

pub use charges::{neutral_signs, random_signs};
pub use clusters::{MAX_CLUSTER_SIZE, SeedClusters};
pub use cube::UniformCube;
pub use kepler::KeplerOrbit;
pub use lattice::Lattice;
pub use plummer::Plummer;

use crate::StoreError;

/// Checks that a parameter is finite and `> 0`.
fn positive(
    generator: &'static str,
    parameter: &'static str,
    value: f64,
) -> Result<f64, StoreError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(StoreError::InvalidParameter {
            generator,
            parameter,
            value,
            expected: "finite and > 0",
        })
    }
}

/// Checks that a parameter is finite and `>= 0`.
fn non_negative(
    generator: &'static str,
    parameter: &'static str,
    value: f64,
) -> Result<f64, StoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(StoreError::InvalidParameter {
            generator,
            parameter,
            value,
            expected: "finite and >= 0",
        })
    }
}
