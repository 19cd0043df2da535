//! Uniform random points in a cube.

use glam::DVec3;

use crate::{Particle, ParticleStore, SeededRng, StoreError};

/// `n` particles uniform in the cube `[-side/2, side/2)^3`, equal masses
/// `1/n` (total mass 1), zero momenta, charge = mass.
///
/// Each coordinate is `(u - 1/2) * side` with `u` from
/// [`SeededRng::next_f64`], drawn x, y, z per particle in order.
///
/// # Examples
///
/// ```
/// use covar_store::ic::UniformCube;
/// let store = UniformCube { side: 4.0, ..UniformCube::new(100, 1) }.generate()?;
/// assert!(store.x().iter().all(|&x| (-2.0..2.0).contains(&x)));
/// # Ok::<(), covar_store::StoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UniformCube {
    /// Number of particles.
    pub n: usize,
    /// Seed of the random stream.
    pub seed: u64,
    /// Side length `L` of the cube (finite, > 0). Default 1.
    pub side: f64,
}

impl UniformCube {
    /// `n` particles from `seed`, in the unit cube.
    #[must_use]
    pub const fn new(n: usize, seed: u64) -> Self {
        Self { n, seed, side: 1.0 }
    }

    /// Generates the store.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidParameter`] if `side` is not finite and > 0.
    pub fn generate(&self) -> Result<ParticleStore, StoreError> {
        let side = super::positive("uniform cube", "side", self.side)?;
        let mut rng = SeededRng::new(self.seed);
        let m = 1.0 / self.n as f64;
        let mut store = ParticleStore::with_capacity(self.n);
        for _ in 0..self.n {
            let x = (rng.next_f64() - 0.5) * side;
            let y = (rng.next_f64() - 0.5) * side;
            let z = (rng.next_f64() - 0.5) * side;
            store.push(Particle::new(DVec3::new(x, y, z), DVec3::ZERO, m, m));
        }
        Ok(store)
    }
}
