//! Clusters of the seed's model: masses from cluster sizes, charges
//! `±sqrt(m)`, positions uniform in a ball, small random momenta.

use glam::DVec3;

use crate::{Particle, ParticleStore, SeededRng, StoreError};

/// Largest cluster size drawn by [`SeedClusters`].
pub const MAX_CLUSTER_SIZE: u64 = 1000;

/// `n` clusters the way the seed describes them (its section 2): cluster
/// `i` is the sum of `k_i` binary measurements, so its variance, the mass,
/// is `m_i = k_i`; the sign of its correlations is a charge
/// `q_i = ±sqrt(m_i)`, so that `|K_ij| / sqrt(m_i m_j) = G_ij`.
///
/// - Sizes `k_i` follow a truncated Zipf law, `P(k) ∝ k^-2` for
///   `k = 1 ..= MAX_CLUSTER_SIZE` (most clusters small, a few large; mean
///   about 4.5).
/// - Signs are independent and fair.
/// - Positions are uniform in the ball of radius `radius` (rejection from
///   the cube). The seed's model is weak coupling: a caller chooses the
///   radius that makes the largest coupling
///   `kappa = max_i |mu| sum_(j != i) |q_i q_j| G_ij / m_i` what it wants
///   (covar's `--ic clusters` measures it with a Laplace sum and scales).
/// - Momenta `P_i = m_i u_i` with `u_i` uniform in a cube whose per-axis
///   variance is `temperature / m_i` (mean kinetic energy `3 T / 2` per
///   cluster, equipartition).
///
/// Draws per particle, in order: size, sign, position (three numbers per
/// try), velocity (three numbers).
///
/// # Examples
///
/// ```
/// use covar_store::ic::SeedClusters;
/// let store = SeedClusters::new(1000, 7).generate()?;
/// for i in 0..store.len() {
///     let (m, q) = (store.masses()[i], store.charges()[i]);
///     assert!(m >= 1.0 && m == m.round() && (q * q - m).abs() <= 1e-12 * m);
///     assert!(store.position(i).length() < 1.0);
/// }
/// # Ok::<(), covar_store::StoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedClusters {
    /// Number of clusters.
    pub n: usize,
    /// Seed of the random stream.
    pub seed: u64,
    /// Radius of the ball (finite, > 0). Default 1.
    pub radius: f64,
    /// Temperature `T >= 0` of the momenta. Default 0.01.
    pub temperature: f64,
}

impl SeedClusters {
    /// `n` clusters from `seed` in the unit ball, at temperature 0.01.
    #[must_use]
    pub const fn new(n: usize, seed: u64) -> Self {
        Self {
            n,
            seed,
            radius: 1.0,
            temperature: 0.01,
        }
    }

    /// Generates the store.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidParameter`] if `radius` is not finite and > 0
    /// or `temperature` is not finite and >= 0.
    pub fn generate(&self) -> Result<ParticleStore, StoreError> {
        let radius = super::positive("seed clusters", "radius", self.radius)?;
        let t = self.temperature;
        if !(t.is_finite() && t >= 0.0) {
            return Err(StoreError::InvalidParameter {
                generator: "seed clusters",
                parameter: "temperature",
                value: t,
                expected: "finite and >= 0",
            });
        }
        let cdf = zipf_cdf();
        let mut rng = SeededRng::new(self.seed);
        let mut store = ParticleStore::with_capacity(self.n);
        for _ in 0..self.n {
            let u = rng.next_f64() * cdf[cdf.len() - 1];
            let k = cdf.partition_point(|&c| c <= u).min(cdf.len() - 1) + 1;
            let m = k as f64;
            let q = rng.sign() * m.sqrt();
            let b = loop {
                let p = DVec3::new(
                    rng.uniform(-1.0, 1.0),
                    rng.uniform(-1.0, 1.0),
                    rng.uniform(-1.0, 1.0),
                );
                if p.length_squared() < 1.0 {
                    break p;
                }
            };
            // Uniform in [-a, a) has variance a^2 / 3.
            let a = (3.0 * t / m).sqrt();
            let v = DVec3::new(rng.uniform(-a, a), rng.uniform(-a, a), rng.uniform(-a, a));
            store.push(Particle::new(b * radius, v * m, m, q));
        }
        Ok(store)
    }
}

/// Running sums of `k^-2`, `k = 1 ..= MAX_CLUSTER_SIZE` (unnormalized).
fn zipf_cdf() -> Vec<f64> {
    let mut sum = 0.0;
    (1..=MAX_CLUSTER_SIZE)
        .map(|k| {
            sum += 1.0 / (k * k) as f64;
            sum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_zipf_law_and_positions_fill_the_ball() {
        let n = 200_000;
        let s = SeedClusters {
            radius: 3.0,
            ..SeedClusters::new(n, 11)
        }
        .generate()
        .unwrap();
        let ones = s.masses().iter().filter(|&&m| m == 1.0).count() as f64 / n as f64;
        // P(1) = 1 / sum k^-2 = 0.6085 (to 3 sigma = 0.0033).
        let want = 1.0 / zipf_cdf()[MAX_CLUSTER_SIZE as usize - 1];
        assert!((ones - want).abs() < 0.0035, "{ones} vs {want}");
        assert!(s.masses().iter().all(|&m| (1.0..=1000.0).contains(&m)));
        let plus = s.charges().iter().filter(|&&q| q > 0.0).count() as f64 / n as f64;
        assert!((plus - 0.5).abs() < 0.004, "{plus}");
        // Uniform in the ball: the fraction inside half the radius is 1/8.
        let inner = (0..n).filter(|&i| s.position(i).length() < 1.5).count() as f64 / n as f64;
        assert!((inner - 0.125).abs() < 0.003, "{inner}");
        assert!((0..n).all(|i| s.position(i).length() < 3.0));
        // Equipartition: mean m u^2 / 2 per cluster is 3 T / 2.
        let ke: f64 = (0..n)
            .map(|i| s.momentum(i).length_squared() / (2.0 * s.masses()[i]))
            .sum::<f64>()
            / n as f64;
        assert!((ke - 0.015).abs() < 0.0005, "{ke}");
    }

    #[test]
    fn same_seed_same_bits_and_bad_parameters_are_named() {
        let a = SeedClusters::new(500, 3).generate().unwrap();
        let b = SeedClusters::new(500, 3).generate().unwrap();
        assert_eq!(a, b);
        assert_ne!(a, SeedClusters::new(500, 4).generate().unwrap());
        for (radius, temperature, what) in [(0.0, 0.1, "radius"), (1.0, -1.0, "temperature")] {
            let e = SeedClusters {
                radius,
                temperature,
                ..SeedClusters::new(5, 1)
            }
            .generate()
            .unwrap_err();
            assert!(e.to_string().contains(what), "{e}");
        }
    }
}
