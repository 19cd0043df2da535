//! A cubic lattice, optionally jittered.

use glam::DVec3;

use crate::{Particle, ParticleStore, SeededRng, StoreError};

/// `nx * ny * nz` particles on a lattice of spacing `h`, centred on the
/// origin, equal masses `1/n`, zero momenta, charge = mass.
///
/// Point `(i, j, k)` sits at `((i - (nx-1)/2) h, (j - (ny-1)/2) h, (k - (nz-1)/2) h)`,
/// plus, when `jitter > 0`, an independent uniform offset in
/// `[-jitter, jitter)` on each axis (drawn x, y, z per point from `seed`).
/// Points are stored with `i` varying fastest, then `j`, then `k`.
///
/// # Examples
///
/// ```
/// use covar_store::ic::Lattice;
/// let store = Lattice::new(2, 3, 4, 0.5).generate()?;
/// assert_eq!(store.len(), 24);
/// assert_eq!(store.position(0).x, -0.25);
/// assert_eq!(store.position(1).x, 0.25);
/// let shaken = Lattice { jitter: 0.01, seed: 3, ..Lattice::new(2, 3, 4, 0.5) }.generate()?;
/// assert!((shaken.position(1) - store.position(1)).abs().max_element() <= 0.01);
/// # Ok::<(), covar_store::StoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lattice {
    /// Points along x.
    pub nx: usize,
    /// Points along y.
    pub ny: usize,
    /// Points along z.
    pub nz: usize,
    /// Lattice spacing `h` (finite, > 0).
    pub spacing: f64,
    /// Jitter amplitude, a length (finite, >= 0). Default 0 (no jitter).
    pub jitter: f64,
    /// Seed of the jitter's random stream. Default 0; unused without jitter.
    pub seed: u64,
}

impl Lattice {
    /// An unjittered `nx * ny * nz` lattice of spacing `spacing`.
    #[must_use]
    pub const fn new(nx: usize, ny: usize, nz: usize, spacing: f64) -> Self {
        Self {
            nx,
            ny,
            nz,
            spacing,
            jitter: 0.0,
            seed: 0,
        }
    }

    /// Generates the store.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidParameter`] if `spacing` is not finite and > 0,
    /// `jitter` is not finite and >= 0, or `nx * ny * nz` overflows `usize`.
    pub fn generate(&self) -> Result<ParticleStore, StoreError> {
        const NAME: &str = "lattice";
        let h = super::positive(NAME, "spacing", self.spacing)?;
        let jitter = super::non_negative(NAME, "jitter", self.jitter)?;
        let n = self
            .nx
            .checked_mul(self.ny)
            .and_then(|v| v.checked_mul(self.nz))
            .ok_or(StoreError::InvalidParameter {
                generator: NAME,
                parameter: "nx * ny * nz",
                value: self.nx as f64 * self.ny as f64 * self.nz as f64,
                expected: "at most usize::MAX",
            })?;
        let mut rng = SeededRng::new(self.seed);
        let m = 1.0 / n as f64;
        let centre = |count: usize, i: usize| (i as f64 - (count as f64 - 1.0) / 2.0) * h;
        let mut store = ParticleStore::with_capacity(n);
        for k in 0..self.nz {
            for j in 0..self.ny {
                for i in 0..self.nx {
                    let mut r =
                        DVec3::new(centre(self.nx, i), centre(self.ny, j), centre(self.nz, k));
                    if jitter > 0.0 {
                        r.x += rng.uniform(-jitter, jitter);
                        r.y += rng.uniform(-jitter, jitter);
                        r.z += rng.uniform(-jitter, jitter);
                    }
                    store.push(Particle::new(r, DVec3::ZERO, m, m));
                }
            }
        }
        Ok(store)
    }
}
