//! Iterating over a store's particles by value.

use core::iter::FusedIterator;
use core::ops::Range;

use crate::{Particle, ParticleStore};

/// Iterator over the particles of a store, as [`Particle`] values, in store
/// order. Created by [`ParticleStore::iter`].
#[derive(Debug, Clone)]
pub struct Particles<'a> {
    store: &'a ParticleStore,
    range: Range<usize>,
}

impl Iterator for Particles<'_> {
    type Item = Particle;

    fn next(&mut self) -> Option<Particle> {
        self.range.next().map(|i| self.store.particle(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl DoubleEndedIterator for Particles<'_> {
    fn next_back(&mut self) -> Option<Particle> {
        self.range.next_back().map(|i| self.store.particle(i))
    }
}

impl ExactSizeIterator for Particles<'_> {}

impl FusedIterator for Particles<'_> {}

impl ParticleStore {
    /// The particles in store order, by value.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::ic::UniformCube;
    /// let store = UniformCube::new(4, 9).generate()?;
    /// let total: f64 = store.iter().map(|p| p.mass).sum();
    /// assert!((total - 1.0).abs() < 1e-15);
    /// # Ok::<(), covar_store::StoreError>(())
    /// ```
    #[must_use]
    pub fn iter(&self) -> Particles<'_> {
        Particles {
            store: self,
            range: 0..self.len,
        }
    }
}

impl<'a> IntoIterator for &'a ParticleStore {
    type Item = Particle;
    type IntoIter = Particles<'a>;

    fn into_iter(self) -> Particles<'a> {
        self.iter()
    }
}

impl FromIterator<Particle> for ParticleStore {
    /// Same as [`ParticleStore::from_particles`]: ids `0..n`.
    fn from_iter<I: IntoIterator<Item = Particle>>(iter: I) -> Self {
        Self::from_particles(iter)
    }
}
