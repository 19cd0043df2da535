//! The systems `covar` can generate: initial conditions, charges and, for
//! systems generated at rest, seeded random velocities.
//!
//! | `--ic` | particles | default charges | momenta |
//! |---|---|---|---|
//! | `plummer` | Plummer sphere in virial equilibrium (Hénon units) | `mass` (gravity) | from the distribution function |
//! | `cube` | uniform in the unit cube `[-1/2, 1/2)^3` | `neutral` (a plasma) | seeded random velocities |
//! | `lattice` | the first `n` points of the smallest `k^3 >= n` cubic lattice of spacing `1/k` | `neutral` | seeded random velocities |
//! | `kepler` | a two-body orbit (`a = 1`, `e = 0.5`, masses 1 and 0.001); `n` must be 2 | `mass` | the orbit's |
//! | `clusters` | the seed's clusters ([`SeedClusters`]): masses = cluster sizes `k` with `P(k) ∝ k^-2`, `k <= 1000`; uniform in a ball spread until the largest coupling `kappa` is `--coupling` | `sqrt-mass` (`±sqrt(m)`) | at `--temperature` |
//!
//! Masses are `1/n` except for `kepler` and `clusters`. The cube and the lattice are
//! generated at rest by `covar-store`; here each particle gets a velocity
//! `u` uniform in `[-1, 1)^3` (momentum `P = m u`), so that the vector
//! channels `q u` of `--nd 4` are not all zero.
//!
//! Every random choice is reproducible from the one `--seed`: positions use
//! the seed itself, charges and velocities independent streams derived from
//! it ([`stream_seed`]).

use covar_store::ic::{
    KeplerOrbit, Lattice, Plummer, SeedClusters, UniformCube, neutral_signs, random_signs,
};
use covar_store::{DVec3, Particle, ParticleStore, SeededRng};
use serde::{Deserialize, Serialize};

use super::CliError;

/// Which initial conditions to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Ic {
    /// Plummer sphere (gravity).
    Plummer,
    /// Uniform in the unit cube.
    Cube,
    /// Cubic lattice (the first n points of the smallest k^3 lattice).
    Lattice,
    /// Two-body Kepler orbit (n = 2).
    Kepler,
    /// The seed's clusters: masses = cluster sizes, charges ±sqrt(m), uniform in a ball spread to
    /// the coupling --coupling.
    Clusters,
}

/// How to set the charges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Charges {
    /// Charge = mass (gravity).
    Mass,
    /// Independent random signs ±1.
    Random,
    /// Exactly balanced signs ±1 (total charge 0; one 0 if n is odd).
    Neutral,
    /// ±sqrt(m) with independent random signs (the seed's clusters).
    #[serde(rename = "sqrt-mass")]
    SqrtMass,
}

impl Ic {
    /// The generator's name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Ic::Plummer => "plummer",
            Ic::Cube => "cube",
            Ic::Lattice => "lattice",
            Ic::Kepler => "kepler",
            Ic::Clusters => "clusters",
        }
    }

    /// Number of particles when `--n` is not given: 2 for `kepler`, 20 000
    /// otherwise.
    pub fn default_n(self) -> usize {
        match self {
            Ic::Kepler => 2,
            _ => 20_000,
        }
    }

    /// Charges when `--charges` is not given: `mass` for the gravitational
    /// systems (plummer, kepler), `neutral` for the others.
    pub fn default_charges(self) -> Charges {
        match self {
            Ic::Plummer | Ic::Kepler => Charges::Mass,
            Ic::Cube | Ic::Lattice => Charges::Neutral,
            Ic::Clusters => Charges::SqrtMass,
        }
    }
}

impl Charges {
    /// The assignment's name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Charges::Mass => "mass",
            Charges::Random => "random",
            Charges::Neutral => "neutral",
            Charges::SqrtMass => "sqrt-mass",
        }
    }
}

/// A fully specified system.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SystemSpec {
    /// Initial conditions.
    pub ic: Ic,
    /// Number of particles (`>= 1`; exactly 2 for `kepler`).
    pub n: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Charge assignment.
    pub charges: Charges,
    /// `clusters` only: the coupling `kappa` the ball is spread to (by
    /// [`covar_integrate::spread_to_coupling`], which needs the couplings
    /// and a backend).
    pub coupling: f64,
    /// `clusters` only: the momenta's temperature.
    pub temperature: f64,
}

/// Default `--coupling` of `--ic clusters` (Gershgorin holds below 1).
pub const DEFAULT_COUPLING: f64 = 0.5;
/// Default `--temperature` of `--ic clusters`.
pub const DEFAULT_TEMPERATURE: f64 = 0.01;

/// Independent random streams derived from the one user seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Charge signs.
    Charges,
    /// Velocities of systems generated at rest.
    Velocities,
    /// The particles `covar fields --check` compares at.
    Check,
}

/// The seed of `stream` derived from the user's `seed`: the splitmix64
/// finalizer of `seed` xor a per-stream constant, so that the streams share
/// no structure with the position stream (which uses `seed` itself).
pub fn stream_seed(seed: u64, stream: Stream) -> u64 {
    let salt: u64 = match stream {
        Stream::Charges => 0x6368_6172_6765_7321,    // "charges!"
        Stream::Velocities => 0x7665_6c6f_6369_7479, // "velocity"
        Stream::Check => 0x6368_6563_6b65_6421,      // "checked!"
    };
    let mut z = seed ^ salt;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SystemSpec {
    /// Generates the particles, sets charges and velocities, and validates
    /// the store.
    ///
    /// # Errors
    ///
    /// [`CliError::InvalidArgument`] for `n = 0`, `kepler` with `n != 2`, or
    /// a lattice too large to index; any [`StoreError`](covar_store::StoreError) of the generators or
    /// of validation.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar::cli::system::{Charges, Ic, SystemSpec};
    /// let spec = SystemSpec {
    ///     ic: Ic::Lattice,
    ///     n: 10,
    ///     seed: 1,
    ///     charges: Charges::Neutral,
    ///     coupling: 0.5,
    ///     temperature: 0.01,
    /// };
    /// let store = spec.build()?;
    /// assert_eq!(store.len(), 10);
    /// assert_eq!(store.charges().iter().sum::<f64>(), 0.0);
    /// # Ok::<(), covar::cli::CliError>(())
    /// ```
    pub fn build(&self) -> Result<ParticleStore, CliError> {
        let n = self.n;
        if n == 0 {
            return Err(CliError::InvalidArgument {
                flag: "n",
                reason: "the number of particles must be at least 1".into(),
            });
        }
        let mut store = match self.ic {
            Ic::Plummer => Plummer::new(n, self.seed).generate()?,
            Ic::Cube => UniformCube::new(n, self.seed).generate()?,
            Ic::Lattice => lattice(n)?,
            Ic::Kepler => {
                if n != 2 {
                    return Err(CliError::InvalidArgument {
                        flag: "n",
                        reason: format!("the kepler system has exactly 2 particles, not {n}"),
                    });
                }
                KeplerOrbit::new(1.0, 0.5, 1.0, 1e-3)?.generate()
            }
            // A ball of radius n, near where the spread ends (kappa grows
            // like n / radius): its first sum is already far apart, where
            // softening no longer forces the fast backend to sum directly.
            Ic::Clusters => SeedClusters {
                temperature: self.temperature,
                radius: n as f64,
                ..SeedClusters::new(n, self.seed)
            }
            .generate()?,
        };
        if matches!(self.ic, Ic::Cube | Ic::Lattice) {
            random_velocities(&mut store, stream_seed(self.seed, Stream::Velocities));
        }
        let charge_seed = stream_seed(self.seed, Stream::Charges);
        match self.charges {
            Charges::Mass => {
                let c = store.columns_mut();
                c.charge.copy_from_slice(c.mass);
            }
            Charges::Random => random_signs(&mut store, charge_seed),
            Charges::Neutral => neutral_signs(&mut store, charge_seed),
            Charges::SqrtMass => {
                random_signs(&mut store, charge_seed);
                let c = store.columns_mut();
                for (q, m) in c.charge.iter_mut().zip(c.mass.iter()) {
                    *q *= m.sqrt();
                }
            }
        }
        store.validate()?;
        Ok(store)
    }
}

/// The first `n` points of the smallest `k^3 >= n` lattice of spacing
/// `1/k` (so it spans about the unit cube), masses `1/n`, at rest.
fn lattice(n: usize) -> Result<ParticleStore, CliError> {
    let too_big = || CliError::InvalidArgument {
        flag: "n",
        reason: format!("{n} particles are too many for a lattice"),
    };
    let mut k: usize = (n as f64).cbrt().floor().max(1.0) as usize;
    loop {
        let cube = k
            .checked_mul(k)
            .and_then(|v| v.checked_mul(k))
            .ok_or_else(too_big)?;
        if cube >= n {
            break;
        }
        k += 1;
    }
    let full = Lattice::new(k, k, k, 1.0 / k as f64).generate()?;
    let m = 1.0 / n as f64;
    Ok(full
        .iter()
        .take(n)
        .map(|p| Particle::new(p.position, DVec3::ZERO, m, m))
        .collect())
}

/// Sets momenta `P = m u` with `u` uniform in `[-1, 1)^3`, drawn x, y, z per
/// particle in store order.
fn random_velocities(store: &mut ParticleStore, seed: u64) {
    let mut rng = SeededRng::new(seed);
    let c = store.columns_mut();
    for i in 0..c.mass.len() {
        c.px[i] = c.mass[i] * rng.uniform(-1.0, 1.0);
        c.py[i] = c.mass[i] * rng.uniform(-1.0, 1.0);
        c.pz[i] = c.mass[i] * rng.uniform(-1.0, 1.0);
    }
}

/// The `nd` source channels of the system, channel-major (`nd * n` values):
/// `q` for `nd = 1`; `q, q u_x, q u_y, q u_z` with `u = P / m` for `nd = 4`.
///
/// # Panics
///
/// If `nd` is neither 1 nor 4 (the command line only allows those).
pub fn channels(store: &ParticleStore, nd: usize) -> Vec<f64> {
    assert!(nd == 1 || nd == 4, "nd must be 1 or 4, got {nd}");
    let q = store.charges();
    let mut out = Vec::with_capacity(nd * q.len());
    out.extend_from_slice(q);
    if nd == 4 {
        let m = store.masses();
        for p in [store.px(), store.py(), store.pz()] {
            out.extend(q.iter().zip(p).zip(m).map(|((&q, &p), &m)| q * p / m));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(ic: Ic, n: usize) -> SystemSpec {
        SystemSpec {
            ic,
            n,
            seed: 7,
            charges: ic.default_charges(),
            coupling: DEFAULT_COUPLING,
            temperature: DEFAULT_TEMPERATURE,
        }
    }

    #[test]
    fn every_generator_gives_n_valid_particles() {
        for ic in [Ic::Plummer, Ic::Cube, Ic::Lattice] {
            for n in [1, 2, 7, 8, 9, 100] {
                let store = spec(ic, n).build().unwrap();
                assert_eq!(store.len(), n, "{ic:?}");
                let total: f64 = store.masses().iter().sum();
                assert!(
                    (total - 1.0).abs() < 1e-12,
                    "{ic:?} n={n}: total mass {total}"
                );
            }
        }
        assert_eq!(spec(Ic::Kepler, 2).build().unwrap().len(), 2);
    }

    #[test]
    fn bad_sizes_are_errors_naming_the_flag() {
        for (ic, n) in [(Ic::Plummer, 0), (Ic::Kepler, 3), (Ic::Kepler, 1)] {
            let e = spec(ic, n).build().unwrap_err();
            assert!(e.to_string().contains("--n"), "{e}");
        }
    }

    #[test]
    fn lattice_fills_the_smallest_cube_in_order() {
        let store = spec(Ic::Lattice, 9).build().unwrap();
        // k = 3, spacing 1/3: the first row of the first layer.
        let h = 1.0 / 3.0;
        assert!((store.position(0) - DVec3::new(-h, -h, -h)).length() < 1e-15);
        assert!((store.position(3) - DVec3::new(-h, 0.0, -h)).length() < 1e-15);
    }

    #[test]
    fn charges_follow_the_choice() {
        let mut s = spec(Ic::Cube, 101);
        s.charges = Charges::Neutral;
        assert_eq!(s.build().unwrap().charges().iter().sum::<f64>(), 0.0);
        s.charges = Charges::Random;
        let store = s.build().unwrap();
        assert!(store.charges().iter().all(|&q| q.abs() == 1.0));
        s.charges = Charges::Mass;
        let store = s.build().unwrap();
        assert_eq!(store.charges(), store.masses());
    }

    #[test]
    fn cold_systems_get_reproducible_velocities() {
        let a = spec(Ic::Cube, 50).build().unwrap();
        let b = spec(Ic::Cube, 50).build().unwrap();
        assert_eq!(a, b);
        assert!(a.iter().all(|p| p.velocity().abs().max_element() <= 1.0));
        assert!(a.iter().any(|p| p.momentum != DVec3::ZERO));
    }

    #[test]
    fn streams_differ_from_each_other_and_the_seed() {
        let s = [
            stream_seed(1, Stream::Charges),
            stream_seed(1, Stream::Velocities),
            stream_seed(2, Stream::Charges),
            stream_seed(1, Stream::Check),
        ];
        for (i, a) in s.iter().enumerate() {
            assert!(*a != 1 && s[i + 1..].iter().all(|b| a != b), "{s:?}");
        }
    }

    #[test]
    fn channels_are_q_then_q_u() {
        let store = spec(Ic::Kepler, 2).build().unwrap();
        let c = channels(&store, 4);
        assert_eq!(c.len(), 8);
        assert_eq!(&c[..2], store.charges());
        for i in 0..2 {
            let u = store.velocity(i);
            let q = store.charge(i);
            assert!((c[2 + i] - q * u.x).abs() < 1e-15);
            assert!((c[4 + i] - q * u.y).abs() < 1e-15);
            assert!((c[6 + i] - q * u.z).abs() < 1e-15);
        }
        assert_eq!(channels(&store, 1), store.charges());
    }
}
