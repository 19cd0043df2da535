//! One particle as a value, for building stores and reading them back.

use glam::DVec3;

/// One particle, by value: the array-of-structs view of a row of the store.
///
/// Kernels never see this type; they work on the store's columns. It is the
/// convenient form for building a store ([`ParticleStore::push`],
/// [`ParticleStore::from_particles`]) and reading it back
/// ([`ParticleStore::iter`]).
///
/// [`ParticleStore::push`]: crate::ParticleStore::push
/// [`ParticleStore::from_particles`]: crate::ParticleStore::from_particles
/// [`ParticleStore::iter`]: crate::ParticleStore::iter
///
/// # Examples
///
/// ```
/// use covar_store::Particle;
/// use glam::DVec3;
/// let p = Particle::new(DVec3::ZERO, DVec3::new(2.0, 0.0, 0.0), 4.0, 4.0);
/// assert_eq!(p.velocity(), DVec3::new(0.5, 0.0, 0.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Particle {
    /// Position `r`.
    pub position: DVec3,
    /// Canonical momentum `P` (equal to `m v` when the magnetic coupling is off).
    pub momentum: DVec3,
    /// Mass `m` (finite, > 0 for a valid particle).
    pub mass: f64,
    /// Charge `q` (finite, any sign; equal to the mass under the gravity convention).
    pub charge: f64,
    /// Stable identifier. A store assigns ids itself (`0..n` in push order) and
    /// ignores this field on input; on output it tells where a particle came
    /// from after sorting.
    pub id: u64,
}

impl Particle {
    /// A particle with the given state and id 0 (the store assigns the id).
    #[must_use]
    pub const fn new(position: DVec3, momentum: DVec3, mass: f64, charge: f64) -> Self {
        Self {
            position,
            momentum,
            mass,
            charge,
            id: 0,
        }
    }

    /// The particle's eight values in the store's column order ([`Field::ALL`]):
    /// position, momentum, mass, charge.
    ///
    /// [`Field::ALL`]: crate::Field::ALL
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::Particle;
    /// use glam::DVec3;
    /// let p = Particle::new(DVec3::new(1.0, 2.0, 3.0), DVec3::ZERO, 4.0, -1.0);
    /// assert_eq!(p.values(), [1.0, 2.0, 3.0, 0.0, 0.0, 0.0, 4.0, -1.0]);
    /// assert_eq!(Particle::from_values(p.values(), 0), p);
    /// ```
    #[must_use]
    pub const fn values(&self) -> [f64; 8] {
        [
            self.position.x,
            self.position.y,
            self.position.z,
            self.momentum.x,
            self.momentum.y,
            self.momentum.z,
            self.mass,
            self.charge,
        ]
    }

    /// The particle whose [`values`](Self::values) are `v`, with id `id`.
    #[must_use]
    pub const fn from_values(v: [f64; 8], id: u64) -> Self {
        Self {
            position: DVec3::new(v[0], v[1], v[2]),
            momentum: DVec3::new(v[3], v[4], v[5]),
            mass: v[6],
            charge: v[7],
            id,
        }
    }

    /// Velocity `u = P / m`.
    #[must_use]
    pub fn velocity(&self) -> DVec3 {
        self.momentum / self.mass
    }
}
