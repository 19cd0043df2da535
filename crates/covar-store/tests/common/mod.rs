//! Helpers shared by the integration tests.

#![allow(dead_code)]

use covar_store::{DVec3, Particle, ParticleStore, SeededRng};

/// Asserts `|actual - expected| <= tol`, printing both values, the allowed and
/// the actual difference, and what was checked.
#[track_caller]
pub fn assert_close(what: &str, actual: f64, expected: f64, tol: f64) {
    let diff = (actual - expected).abs();
    assert!(
        diff <= tol,
        "{what}: got {actual:e}, expected {expected:e}, |diff| = {diff:e} > allowed {tol:e}"
    );
}

/// Asserts `|actual - expected| <= rel * |expected|`.
#[track_caller]
pub fn assert_rel(what: &str, actual: f64, expected: f64, rel: f64) {
    assert_close(what, actual, expected, rel * expected.abs());
}

/// A seeded store of `n` varied particles (distinct masses, charges of both
/// signs, non-zero momenta), for layout and sorting tests.
pub fn varied_store(n: usize, seed: u64) -> ParticleStore {
    let mut rng = SeededRng::new(seed);
    (0..n)
        .map(|_| {
            let r = DVec3::new(
                rng.uniform(-1.0, 1.0),
                rng.uniform(-1.0, 1.0),
                rng.uniform(-1.0, 1.0),
            );
            let p = DVec3::new(
                rng.uniform(-1.0, 1.0),
                rng.uniform(-1.0, 1.0),
                rng.uniform(-1.0, 1.0),
            );
            Particle::new(r, p, rng.uniform(0.5, 2.0), rng.uniform(-1.0, 1.0))
        })
        .collect()
}

/// Bit patterns of every field of a particle, id last.
pub fn particle_bits(p: Particle) -> [u64; 9] {
    [
        p.position.x.to_bits(),
        p.position.y.to_bits(),
        p.position.z.to_bits(),
        p.momentum.x.to_bits(),
        p.momentum.y.to_bits(),
        p.momentum.z.to_bits(),
        p.mass.to_bits(),
        p.charge.to_bits(),
        p.id,
    ]
}

/// Bit patterns of every real value of a store, particle by particle.
pub fn bits(store: &ParticleStore) -> Vec<[u64; 9]> {
    store.iter().map(particle_bits).collect()
}
