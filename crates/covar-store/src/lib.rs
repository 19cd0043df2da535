//! The particle store of covar: N particles as aligned structure-of-arrays
//! columns, reproducible initial conditions, validation, and Morton ordering.
//!
//! # Tour
//!
//! - [`ParticleStore`]: columns `x y z px py pz mass charge` (`f64`) and `id`
//!   (`u64`), each 64-byte aligned and padded to a multiple of [`LANES`] with
//!   harmless values (zero charge and momentum, mass 1, finite positions; see
//!   [`column`](mod@column)). Per-particle access with [`glam::DVec3`]; plain slices for
//!   kernels ([`ParticleStore::x`], ..., [`ParticleStore::padded`]); several
//!   columns mutably at once for integrators ([`ParticleStore::columns_mut`]).
//! - [`ParticleStore::validate`]: the boundary check (finite fields, masses
//!   `> 0`), with errors ([`StoreError`]) that name the particle and the
//!   [`Field`].
//! - [`ic`]: seeded generators (uniform cube, Plummer sphere, Kepler pair,
//!   lattice) and charge assignments. A seed gives the same bits on every
//!   platform ([`SeededRng`], `libm`).
//! - [`morton`]: 63-bit Z-order keys and [`ParticleStore::morton_sort`], which
//!   moves whole particles (ids included) and returns the permutation.
//!
//! # Conventions
//!
//! Units are whatever the caller's are; the generators use `G = 1` and, for
//! the Plummer sphere, Hénon standard units (total mass 1, energy `-1/4`).
//! Momenta are canonical momenta `P` (equal to `m v` when the magnetic
//! coupling is off, which is how the generators set them). Charges default to
//! the masses (the gravity convention of DESIGN.md section 2.3).
//!
//! # Examples
//!
//! ```
//! use covar_store::{ic::Plummer, Field, ParticleStore, StoreError, LANES};
//!
//! // A reproducible Plummer sphere, checked at the boundary.
//! let mut store: ParticleStore = Plummer::new(1000, 42).generate()?;
//! store.validate()?;
//!
//! // Kernels take plain slices; padded columns let SIMD loops skip the tail.
//! let x: &[f64] = store.x();
//! assert_eq!(x.len(), 1000);
//! let padded = store.padded(Field::Charge);
//! assert_eq!(padded.len() % LANES, 0);
//! assert_eq!(padded.as_ptr() as usize % 64, 0);
//!
//! // Morton order for locality; ids and the returned permutation map back.
//! let perm = store.morton_sort();
//! assert_eq!(store.ids()[0] as usize, perm[0]);
//!
//! // Bad data is reported with its location, never silently propagated.
//! store.set_mass(3, 0.0);
//! let err = store.validate().unwrap_err();
//! assert!(matches!(err, StoreError::NonPositiveMass { particle: 3, .. }));
//! # Ok::<(), StoreError>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod column;
mod columns_mut;
mod digest;
mod error;
mod field;
pub mod ic;
mod iter;
mod moments;
pub mod morton;
mod particle;
mod permute;
mod rng;
mod slices;
mod store;
mod validate;

pub use column::{ALIGN, LANES, padded_len};
pub use columns_mut::ColumnsMut;
pub use error::StoreError;
pub use field::Field;
pub use iter::Particles;
pub use particle::Particle;
pub use rng::SeededRng;
pub use store::ParticleStore;

/// `glam`'s double-precision vector, re-exported so users need not depend on
/// the same `glam` version.
pub use glam::DVec3;
