//! Seeded fixtures shared by the benchmarks: the same inputs on every run and
//! every machine (random numbers from [`covar::SeededRng`]).
//!
//! Positions are uniform in the unit cube `[0, 1)^3` and channel values
//! uniform in `[-1, 1)`, as in the C reference of `scripts/compare-direct.sh`
//! (the distribution does not change the cost of a direct sum).
//!
//! # Examples
//!
//! ```
//! use covar::{Direct, LaplaceSum, Outputs};
//! use covar_benches::Inputs;
//!
//! let inputs = Inputs::uniform(100, 4, 1);
//! let (mut pot, mut grad) = (vec![0.0; 400], vec![0.0; 1200]);
//! Direct::new().evaluate(&inputs.problem(0.0), Outputs::with_gradient(&mut pot, &mut grad))?;
//! assert_eq!(covar_benches::pairs(100), 9900);
//! # Ok::<(), covar::KernelError>(())
//! ```

#![forbid(unsafe_code)]

use covar::kernel::physics::Particles;
use covar::{Points, Problem, SeededRng};

/// Particle counts of the benchmark groups.
pub const SIZES: [usize; 3] = [1024, 4096, 16384];

/// Pair interactions of one evaluation with targets = sources: `N (N - 1)`.
pub fn pairs(n: usize) -> u64 {
    let n = n as u64;
    n * n.saturating_sub(1)
}

/// Structure-of-arrays inputs of `n` particles with `nd` source channels.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// x coordinates, uniform in `[0, 1)`.
    pub x: Vec<f64>,
    /// y coordinates, uniform in `[0, 1)`.
    pub y: Vec<f64>,
    /// z coordinates, uniform in `[0, 1)`.
    pub z: Vec<f64>,
    /// `nd * n` channel values, channel-major, uniform in `[-1, 1)`.
    pub channels: Vec<f64>,
    /// Number of channels.
    pub nd: usize,
    /// Masses, uniform in `[1, 2)`.
    pub mass: Vec<f64>,
    /// Charges, random signs `±1`.
    pub charge: Vec<f64>,
}

impl Inputs {
    /// `n` particles from `seed`. Columns are drawn one after another (x,
    /// y, z, the channels, masses, charges), so `n` and `seed` fix every bit.
    pub fn uniform(n: usize, nd: usize, seed: u64) -> Self {
        let mut rng = SeededRng::new(seed);
        let mut column = |len: usize, lo: f64, hi: f64| -> Vec<f64> {
            (0..len).map(|_| rng.uniform(lo, hi)).collect()
        };
        let x = column(n, 0.0, 1.0);
        let y = column(n, 0.0, 1.0);
        let z = column(n, 0.0, 1.0);
        let channels = column(nd * n, -1.0, 1.0);
        let mass = column(n, 1.0, 2.0);
        let charge = (0..n).map(|_| rng.sign()).collect();
        Self {
            x,
            y,
            z,
            channels,
            nd,
            mass,
            charge,
        }
    }

    /// Number of particles.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Whether there are no particles.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The positions.
    pub fn points(&self) -> Points<'_> {
        Points::new(&self.x, &self.y, &self.z)
    }

    /// The Laplace sum of all channels at the particles themselves.
    pub fn problem(&self, softening: f64) -> Problem<'_> {
        Problem::at_sources(self.points(), &self.channels, self.nd, softening)
    }

    /// Positions, masses and charges for the physics helpers.
    pub fn particles(&self) -> Particles<'_> {
        Particles {
            points: self.points(),
            mass: &self.mass,
            charge: &self.charge,
        }
    }
}

/// An `n × b` block `X`, column-major, uniform in `[-1, 1)`, for `K X`.
pub fn block(n: usize, b: usize, seed: u64) -> Vec<f64> {
    let mut rng = SeededRng::new(seed);
    (0..n * b).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_are_reproducible_and_in_range() {
        let a = Inputs::uniform(50, 4, 3);
        let b = Inputs::uniform(50, 4, 3);
        assert_eq!(a.channels, b.channels);
        assert_eq!(a.len(), 50);
        assert_eq!(a.channels.len(), 200);
        assert!(a.x.iter().all(|v| (0.0..1.0).contains(v)));
        assert!(a.channels.iter().all(|v| (-1.0..1.0).contains(v)));
        assert!(a.charge.iter().all(|q| q.abs() == 1.0));
        assert_ne!(Inputs::uniform(50, 4, 4).x, a.x);
        assert_eq!(block(10, 3, 1).len(), 30);
    }
}
