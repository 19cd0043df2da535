//! The store seen through the kernel's eyes: borrowed slices, no copies.
//!
//! `covar-kernel` and `covar-store` do not know each other (the kernel takes
//! plain slices so that other programs can embed it); these two functions
//! are the glue.

use covar_kernel::Points;
use covar_kernel::physics::Particles;
use covar_store::ParticleStore;

/// The positions of `store` as kernel [`Points`] (real length, no padding).
///
/// # Examples
///
/// ```
/// use covar::store::ic::UniformCube;
/// let store = UniformCube::new(10, 1).generate()?;
/// assert_eq!(covar::points(&store).x.len(), 10);
/// # Ok::<(), covar::StoreError>(())
/// ```
pub fn points(store: &ParticleStore) -> Points<'_> {
    Points::new(store.x(), store.y(), store.z())
}

/// Positions, masses and charges of `store` as the kernel's
/// [`physics`](covar_kernel::physics) helpers take them.
pub fn particles(store: &ParticleStore) -> Particles<'_> {
    Particles {
        points: points(store),
        mass: store.masses(),
        charge: store.charges(),
    }
}
