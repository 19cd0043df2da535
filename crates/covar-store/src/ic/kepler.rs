//! The two-body Kepler problem: initial conditions and the analytic solution.

use core::f64::consts::PI;

use glam::DVec3;

use crate::{Particle, ParticleStore, StoreError};

/// Name used in parameter errors.
const NAME: &str = "kepler orbit";

/// A bound two-body orbit: masses `m1`, `m2` under gravity of strength `G`,
/// relative orbit of semi-major axis `a` and eccentricity `e` in `[0, 1)`,
/// and its analytic solution, for testing integrators.
///
/// Notation: `M = m1 + m2`, `mu = G M`, reduced mass `m_r = m1 m2 / M`, mean
/// motion `n = sqrt(mu / a^3)`. The relative position is `r = r2 - r1`.
///
/// [`generate`](Self::generate) places the pair at pericentre at `t = 0`, in
/// the x-y plane, in the centre-of-mass frame, orbiting counter-clockwise
/// about +z:
///
/// ```text
/// r(0) = (a (1 - e), 0, 0),   v(0) = (0, sqrt(mu (1 + e) / (a (1 - e))), 0),
/// r1 = -(m2 / M) r,  r2 = (m1 / M) r,   p1 = -m_r v,  p2 = m_r v.
/// ```
///
/// The parameters are validated once, by [`new`](Self::new); the analytic
/// helpers are then infallible.
///
/// # Examples
///
/// ```
/// use covar_store::ic::KeplerOrbit;
/// let orbit = KeplerOrbit::new(1.0, 0.5, 1.0, 1e-3)?;
/// let store = orbit.generate();
/// assert_eq!(store.len(), 2);
/// let r = store.position(1) - store.position(0);
/// assert!((r - orbit.relative_position(0.0)).length() < 1e-15);
/// // After one period the analytic orbit is back at pericentre.
/// let back = orbit.relative_position(orbit.period());
/// assert!((back - r).length() < 1e-12);
/// # Ok::<(), covar_store::StoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeplerOrbit {
    a: f64,
    e: f64,
    m1: f64,
    m2: f64,
    g: f64,
}

impl KeplerOrbit {
    /// An orbit with `G = 1`.
    ///
    /// # Errors
    ///
    /// As [`with_gravity`](Self::with_gravity).
    pub fn new(
        semi_major_axis: f64,
        eccentricity: f64,
        m1: f64,
        m2: f64,
    ) -> Result<Self, StoreError> {
        Self::with_gravity(semi_major_axis, eccentricity, m1, m2, 1.0)
    }

    /// An orbit with gravitational constant `g`.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidParameter`] naming the parameter if
    /// `semi_major_axis`, `m1`, `m2` or `g` is not finite and > 0, if
    /// `eccentricity` is not in `[0, 1)`, or if `g (m1 + m2)` over- or
    /// underflows.
    pub fn with_gravity(
        semi_major_axis: f64,
        eccentricity: f64,
        m1: f64,
        m2: f64,
        g: f64,
    ) -> Result<Self, StoreError> {
        let a = super::positive(NAME, "semi_major_axis", semi_major_axis)?;
        if !(0.0..1.0).contains(&eccentricity) {
            return Err(StoreError::InvalidParameter {
                generator: NAME,
                parameter: "eccentricity",
                value: eccentricity,
                expected: "finite and in [0, 1)",
            });
        }
        let m1 = super::positive(NAME, "m1", m1)?;
        let m2 = super::positive(NAME, "m2", m2)?;
        let g = super::positive(NAME, "g", g)?;
        super::positive(NAME, "g * (m1 + m2)", g * (m1 + m2))?;
        Ok(Self {
            a,
            e: eccentricity,
            m1,
            m2,
            g,
        })
    }

    /// Semi-major axis `a` of the relative orbit.
    #[must_use]
    pub fn semi_major_axis(&self) -> f64 {
        self.a
    }

    /// Eccentricity `e`.
    #[must_use]
    pub fn eccentricity(&self) -> f64 {
        self.e
    }

    /// The masses `[m1, m2]`.
    #[must_use]
    pub fn masses(&self) -> [f64; 2] {
        [self.m1, self.m2]
    }

    /// Gravitational constant `G`.
    #[must_use]
    pub fn gravity(&self) -> f64 {
        self.g
    }

    /// `mu = G (m1 + m2)`.
    fn mu(&self) -> f64 {
        self.g * (self.m1 + self.m2)
    }

    /// Reduced mass `m1 m2 / (m1 + m2)`.
    fn reduced_mass(&self) -> f64 {
        self.m1 * self.m2 / (self.m1 + self.m2)
    }

    /// Orbital period `T = 2 pi sqrt(a^3 / mu)`.
    #[must_use]
    pub fn period(&self) -> f64 {
        2.0 * PI * libm::sqrt(self.a * self.a * self.a / self.mu())
    }

    /// Total energy in the centre-of-mass frame, `E = -G m1 m2 / (2 a)`
    /// (kinetic `|p1|^2/(2 m1) + |p2|^2/(2 m2)` plus potential `-G m1 m2 / |r|`).
    #[must_use]
    pub fn energy(&self) -> f64 {
        -self.g * self.m1 * self.m2 / (2.0 * self.a)
    }

    /// Total angular momentum about the centre of mass,
    /// `L = m_r sqrt(mu a (1 - e^2))`, along +z.
    #[must_use]
    pub fn angular_momentum(&self) -> DVec3 {
        let l = self.reduced_mass() * libm::sqrt(self.mu() * self.a * (1.0 - self.e * self.e));
        DVec3::new(0.0, 0.0, l)
    }

    /// The two particles at pericentre (`t = 0`), ids 0 (`m1`) and 1 (`m2`),
    /// charges equal to masses.
    #[must_use]
    pub fn generate(&self) -> ParticleStore {
        let total = self.m1 + self.m2;
        let (a, e) = (self.a, self.e);
        let r = DVec3::new(a * (1.0 - e), 0.0, 0.0);
        let v_peri = libm::sqrt(self.mu() * (1.0 + e) / (a * (1.0 - e)));
        let p = DVec3::new(0.0, self.reduced_mass() * v_peri, 0.0);
        ParticleStore::from_particles([
            Particle::new(-(self.m2 / total) * r, -p, self.m1, self.m1),
            Particle::new((self.m1 / total) * r, p, self.m2, self.m2),
        ])
    }

    /// Eccentric anomaly `E` at time `t`: the root of Kepler's equation
    /// `E - e sin E = M` with mean anomaly `M = 2 pi t / T` (reduced to
    /// `[-pi, pi]` through the fraction of a period, so `t = T` gives exactly
    /// `M = 0`).
    ///
    /// Solved by Newton's method for `|M|` from `E0 = min(|M| + e, pi)`: the
    /// function is increasing and convex on `[0, pi]` and `E0` lies above the
    /// root, so the iterates decrease monotonically; the loop stops when a
    /// step no longer decreases `E`, i.e. at round-off (at most 100 steps).
    /// For non-finite `t` the result is NaN.
    #[must_use]
    pub fn eccentric_anomaly(&self, t: f64) -> f64 {
        let turns = t / self.period();
        let mean = 2.0 * PI * (turns - libm::round(turns));
        if !mean.is_finite() {
            return f64::NAN;
        }
        let m = mean.abs();
        if m == 0.0 {
            // Exactly at pericentre (t a whole number of periods).
            return mean;
        }
        let e = self.e;
        let mut big_e = (m + e).min(PI);
        for _ in 0..100 {
            let f = big_e - e * libm::sin(big_e) - m;
            let step = f / (1.0 - e * libm::cos(big_e));
            let next = big_e - step;
            // Stop when the iterate no longer decreases (round-off reached).
            if next.partial_cmp(&big_e) != Some(core::cmp::Ordering::Less) {
                break;
            }
            big_e = next;
        }
        big_e.copysign(mean)
    }

    /// Relative position `r2 - r1` at time `t` (pericentre at `t = 0`):
    /// `(a (cos E - e), a sqrt(1 - e^2) sin E, 0)`.
    #[must_use]
    pub fn relative_position(&self, t: f64) -> DVec3 {
        let big_e = self.eccentric_anomaly(t);
        let b = self.a * libm::sqrt(1.0 - self.e * self.e);
        DVec3::new(
            self.a * (libm::cos(big_e) - self.e),
            b * libm::sin(big_e),
            0.0,
        )
    }

    /// Relative velocity `v2 - v1` at time `t`:
    /// `dE/dt (-a sin E, a sqrt(1 - e^2) cos E, 0)` with
    /// `dE/dt = n / (1 - e cos E)`.
    #[must_use]
    pub fn relative_velocity(&self, t: f64) -> DVec3 {
        let big_e = self.eccentric_anomaly(t);
        let n = libm::sqrt(self.mu() / (self.a * self.a * self.a));
        let rate = n / (1.0 - self.e * libm::cos(big_e));
        let b = self.a * libm::sqrt(1.0 - self.e * self.e);
        DVec3::new(
            -self.a * libm::sin(big_e) * rate,
            b * libm::cos(big_e) * rate,
            0.0,
        )
    }
}
