//! The Plummer sphere, sampled as in Aarseth, Hénon & Wielen (1974).

use core::f64::consts::PI;

use glam::DVec3;

use crate::{Particle, ParticleStore, SeededRng, StoreError};

/// A Plummer sphere of `n` equal-mass particles in virial equilibrium, in
/// Hénon standard units (`G = 1`, total mass `M = 1`, total energy
/// `E = -1/4`), sampled as in Aarseth, Hénon & Wielen (1974),
/// *A&A* 37, 183.
///
/// # Sampling
///
/// In the model's own units (`G = M = 1`, Plummer radius `a = 1`) the
/// density, enclosed mass and potential are
///
/// ```text
/// rho(r) = 3/(4 pi) (1 + r^2)^(-5/2),   M(r) = r^3 (1 + r^2)^(-3/2),   Phi(r) = -(1 + r^2)^(-1/2).
/// ```
///
/// For each particle, with independent uniforms `X1 .. X7`:
///
/// 1. radius from the enclosed mass fraction, `M(r) = X1`:
///    `r = (X1^(-2/3) - 1)^(-1/2)`, evaluated as
///    `cbrt(X1) / sqrt(-expm1((2/3) ln X1))` so it stays finite and
///    accurate for `X1` near 1 (`X1` is drawn in the open interval (0, 1));
/// 2. isotropic direction: `z = (1 - 2 X2) r`,
///    `(x, y) = sqrt(r^2 - z^2) (cos 2 pi X3, sin 2 pi X3)`;
/// 3. speed `v = q v_e`, with the local escape speed
///    `v_e = sqrt(2) (1 + r^2)^(-1/4)` and `q` from the distribution
///    `g(q) = q^2 (1 - q^2)^(7/2)` on [0, 1] by von Neumann rejection: draw
///    pairs `(X4, X5)` until `0.1 X5 < g(X4)` (`max g ~ 0.092 < 0.1`), then
///    `q = X4`;
/// 4. isotropic velocity direction from `X6, X7` as in step 2.
///
/// The model's energy is `E = -3 pi / 64`; scaling positions by `3 pi / 16`
/// and velocities by `sqrt(16 / (3 pi))` gives Hénon units (`E = -1/4`,
/// virial radius 1, Plummer radius `3 pi / 16 ~ 0.589`, half-mass radius
/// `(3 pi / 16) / sqrt(2^(2/3) - 1) ~ 0.769`). Finally the centre of mass and
/// its velocity are subtracted, and momenta set to `m v` with `m = 1/n`;
/// charges equal masses.
///
/// With a [`truncation_radius`](Self::truncation_radius) `R` (in Hénon units),
/// any particle whose radius exceeds `R` is resampled. This is done exactly,
/// without a rejection loop, by drawing `X1` in `(0, M(R'))` instead of
/// `(0, 1)` (`R'` is `R` in model units): the radius distribution is the
/// Plummer one conditioned on `r <= R`, velocities still come from the
/// untruncated distribution function, so the truncated sphere is slightly out
/// of virial equilibrium for small `R`. The radius bound holds before the
/// centre-of-mass shift.
///
/// # Examples
///
/// ```
/// use covar_store::ic::Plummer;
/// let store = Plummer::new(2000, 42).generate()?;
/// assert_eq!(store.len(), 2000);
/// assert!(store.center_of_mass().length() < 1e-14);
/// assert!(store.total_momentum().length() < 1e-14);
///
/// let trunc = Plummer { truncation_radius: Some(3.0), ..Plummer::new(2000, 42) }.generate()?;
/// assert!(trunc.iter().all(|p| p.position.length() < 3.1));
/// # Ok::<(), covar_store::StoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plummer {
    /// Number of particles.
    pub n: usize,
    /// Seed of the random stream.
    pub seed: u64,
    /// Largest radius from the model centre, in Hénon units (finite, > 0), or
    /// `None` for the untruncated sphere. Default `None`.
    pub truncation_radius: Option<f64>,
}

impl Plummer {
    /// An untruncated Plummer sphere of `n` particles from `seed`.
    #[must_use]
    pub const fn new(n: usize, seed: u64) -> Self {
        Self {
            n,
            seed,
            truncation_radius: None,
        }
    }

    /// Generates the store.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidParameter`] if the truncation radius is given and
    /// is not finite and > 0.
    pub fn generate(&self) -> Result<ParticleStore, StoreError> {
        let r_scale = 3.0 * PI / 16.0;
        let v_scale = libm::sqrt(16.0 / (3.0 * PI));
        // Largest enclosed-mass fraction X1 may take.
        let max_fraction = match self.truncation_radius {
            None => 1.0,
            Some(rt) => {
                let rt = super::positive("plummer", "truncation_radius", rt)? / r_scale;
                let rt2 = rt * rt;
                if rt2.is_finite() {
                    rt * rt2 / (1.0 + rt2) / libm::sqrt(1.0 + rt2)
                } else {
                    1.0
                }
            }
        };

        let mut rng = SeededRng::new(self.seed);
        let mut pos = Vec::with_capacity(self.n);
        let mut vel = Vec::with_capacity(self.n);
        for _ in 0..self.n {
            let (r, v) = sample(&mut rng, max_fraction);
            pos.push(r * r_scale);
            vel.push(v * v_scale);
        }

        // Equal masses: the centre of mass is the plain mean (summed in order).
        let inv_n = 1.0 / self.n as f64;
        let com = pos.iter().fold(DVec3::ZERO, |s, &r| s + r) * inv_n;
        let vcom = vel.iter().fold(DVec3::ZERO, |s, &v| s + v) * inv_n;

        let m = inv_n;
        let mut store = ParticleStore::with_capacity(self.n);
        for (r, v) in pos.into_iter().zip(vel) {
            store.push(Particle::new(r - com, m * (v - vcom), m, m));
        }
        Ok(store)
    }
}

/// One particle's position and velocity in model units (`G = M = a = 1`),
/// with enclosed-mass fraction below `max_fraction`.
fn sample(rng: &mut SeededRng, max_fraction: f64) -> (DVec3, DVec3) {
    let x1 = rng.next_f64_open() * max_fraction;
    let r = libm::cbrt(x1) / libm::sqrt(-libm::expm1((2.0 / 3.0) * libm::log(x1)));
    let position = isotropic(rng, r);

    let q = loop {
        let x4 = rng.next_f64();
        let x5 = rng.next_f64();
        let g = x4 * x4 * libm::pow(1.0 - x4 * x4, 3.5);
        if 0.1 * x5 < g {
            break x4;
        }
    };
    let v_escape = libm::sqrt(2.0) * libm::pow(1.0 + r * r, -0.25);
    let velocity = isotropic(rng, q * v_escape);
    (position, velocity)
}

/// A vector of length `len` in a uniformly random direction (two draws).
fn isotropic(rng: &mut SeededRng, len: f64) -> DVec3 {
    let cos_theta = 1.0 - 2.0 * rng.next_f64();
    let sin_theta = libm::sqrt((1.0 - cos_theta * cos_theta).max(0.0));
    let phi = 2.0 * PI * rng.next_f64();
    DVec3::new(
        len * sin_theta * libm::cos(phi),
        len * sin_theta * libm::sin(phi),
        len * cos_theta,
    )
}
