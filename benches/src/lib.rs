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

use covar::integrate::integrator::NON_SEPARABLE;
use covar::integrate::{Couplings, IntegrateError, Preset, System};
use covar::kernel::physics::Particles;
use covar::store::ic::Plummer;
use covar::{DVec3, Particle, ParticleStore, Points, Problem, SeededRng};

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

/// Magnetic coupling of the systems the non-separable integrators are
/// benchmarked on.
pub const DARWIN_MU: f64 = 0.01;

/// A system to benchmark an integrator on, with its time step.
#[derive(Clone, Debug)]
pub struct Case {
    /// The system at `t = 0`.
    pub system: System,
    /// The time step.
    pub dt: f64,
}

/// The benchmark system of integrator `name` with `n` particles, direct
/// backend:
///
/// - the separable methods (leapfrog, yoshida4, yoshida6, pefrl): a
///   Plummer sphere under gravity (`mu = 0`: one-channel sums), softening
///   0.01, `dt = 0.005`, as `covar run` runs by default;
/// - the non-separable ones: a Darwin-type system (`k = 1`,
///   `mu = `[`DARWIN_MU`]: four-channel sums), uniform in the unit cube,
///   masses in `[1, 2)`, charges ±0.03, velocities uniform in
///   `[-0.1, 0.1)^3`, softening 0.01, `dt = 0.01`. Gershgorin's condition
///   holds (smallest margin about 3 at `n = 16384`), and Tao's binding
///   (`omega = 20`) is resolved at this step.
///
/// # Errors
///
/// Invalid generated data (never, for `n >= 1`).
pub fn integrator_case(name: &str, n: usize) -> Result<Case, IntegrateError> {
    if !NON_SEPARABLE.split(", ").any(|m| m == name) {
        let particles = Plummer::new(n, 1).generate()?;
        let system = System::from_preset(particles, Preset::Gravity { g: 1.0 }, 0.01)?;
        return Ok(Case { system, dt: 0.005 });
    }
    let inputs = Inputs::uniform(n, 1, 2);
    let mut rng = SeededRng::new(3);
    let particles: ParticleStore = (0..n)
        .map(|i| {
            let m = inputs.mass[i];
            let u = DVec3::new(
                rng.uniform(-0.1, 0.1),
                rng.uniform(-0.1, 0.1),
                rng.uniform(-0.1, 0.1),
            );
            let r = DVec3::new(inputs.x[i], inputs.y[i], inputs.z[i]);
            Particle::new(r, m * u, m, 0.03 * inputs.charge[i])
        })
        .collect();
    let couplings = Couplings {
        k: 1.0,
        mu: DARWIN_MU,
        softening: 0.01.into(),
    };
    let mut system = System::new(particles, couplings)?;
    system.preset = Some(Preset::Darwin {
        k: 1.0,
        mu: DARWIN_MU,
    });
    Ok(Case { system, dt: 0.01 })
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

    #[test]
    fn integrator_cases_are_valid_and_darwin_keeps_gershgorin() {
        use covar::integrate::integrator::NAMES;
        for name in NAMES {
            let case = integrator_case(name, 64).unwrap();
            assert_eq!(case.system.len(), 64);
        }
        let darwin = integrator_case("gauss4", 4096).unwrap();
        assert_eq!(darwin.system.couplings.mu, DARWIN_MU);
        let report = covar::integrate::gershgorin(&darwin.system)
            .unwrap()
            .unwrap();
        assert!(report.holds(), "{report:?}");
        assert!(report.worst_margin > 3.0, "{report:?}");
    }
}
