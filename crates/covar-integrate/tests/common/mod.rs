//! Seeded small systems shared by the dynamics tests.
#![allow(dead_code)]

use covar_integrate::{Couplings, System};
use covar_store::{Particle, ParticleStore, SeededRng};
use glam::DVec3;

/// `n` particles in [-1, 1)^3, masses in [1, 2), charges of both signs with
/// |q| in [0.5, 1), momenta in [-0.5, 0.5)^3.
pub fn random_system(seed: u64, n: usize, k: f64, mu: f64, softening: f64) -> System {
    let mut rng = SeededRng::new(seed);
    let v = |lo: f64, hi: f64, rng: &mut SeededRng| {
        DVec3::new(
            rng.uniform(lo, hi),
            rng.uniform(lo, hi),
            rng.uniform(lo, hi),
        )
    };
    let particles: ParticleStore = (0..n)
        .map(|_| {
            let r = v(-1.0, 1.0, &mut rng);
            let p = v(-0.5, 0.5, &mut rng);
            let m = rng.uniform(1.0, 2.0);
            let q = rng.sign() * rng.uniform(0.5, 1.0);
            Particle::new(r, p, m, q)
        })
        .collect();
    System::new(
        particles,
        Couplings {
            k,
            mu,
            softening: softening.into(),
        },
    )
    .expect("valid system")
}

/// All coordinates and momenta, flattened.
pub fn state(sys: &System) -> Vec<f64> {
    let p = &sys.particles;
    [p.x(), p.y(), p.z(), p.px(), p.py(), p.pz()].concat()
}

/// max |a - b| / max(1, max |b|).
pub fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / scale
}
