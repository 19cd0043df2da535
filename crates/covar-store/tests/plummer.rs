//! Physics of the Plummer sampler in Hénon units (G = M = 1, E = -1/4):
//! virial equilibrium, energy, centre of mass, half-mass radius.

mod common;

use common::{assert_close, assert_rel};
use covar_store::ParticleStore;
use covar_store::ic::Plummer;
use rayon::prelude::*;

/// Potential energy `U = -sum_{i<j} m_i m_j / |r_i - r_j|` by the plain
/// O(n^2) double loop (parallel over i; each row summed in order).
fn potential_energy(store: &ParticleStore) -> f64 {
    let n = store.len();
    let (x, y, z, m) = (store.x(), store.y(), store.z(), store.masses());
    let rows: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut s = 0.0;
            for j in i + 1..n {
                let (dx, dy, dz) = (x[i] - x[j], y[i] - y[j], z[i] - z[j]);
                s += m[j] / (dx * dx + dy * dy + dz * dz).sqrt();
            }
            -m[i] * s
        })
        .collect();
    rows.iter().sum()
}

/// Kinetic energy `T = sum |p|^2 / (2 m)`.
fn kinetic_energy(store: &ParticleStore) -> f64 {
    store
        .iter()
        .map(|p| p.momentum.length_squared() / (2.0 * p.mass))
        .sum()
}

#[test]
fn plummer_20000_is_a_virialised_henon_unit_sphere() {
    let store = Plummer::new(20_000, 2024)
        .generate()
        .expect("valid parameters");
    store.validate().expect("generated data is valid");

    assert_close("total mass", store.total_mass(), 1.0, 1e-12);
    assert!(
        store.iter().all(|p| p.charge == p.mass),
        "charges equal masses (gravity convention)"
    );
    assert_close(
        "|centre of mass|",
        store.center_of_mass().length(),
        0.0,
        1e-14,
    );
    assert_close(
        "|total momentum|",
        store.total_momentum().length(),
        0.0,
        1e-14,
    );

    let t = kinetic_energy(&store);
    let u = potential_energy(&store);
    assert_close("virial ratio 2T/|U|", 2.0 * t / u.abs(), 1.0, 0.05);
    assert_rel("total energy T + U (Hénon units: -1/4)", t + u, -0.25, 0.04);

    let mut radii: Vec<f64> = store.iter().map(|p| p.position.length()).collect();
    radii.sort_by(f64::total_cmp);
    let half_mass = 0.5 * (radii[9_999] + radii[10_000]);
    let expected = 3.0 * std::f64::consts::PI / 16.0 / (2f64.powf(2.0 / 3.0) - 1.0).sqrt();
    assert_close("analytic half-mass radius", expected, 0.769, 5e-4);
    assert_rel("half-mass radius", half_mass, expected, 0.03);
}

#[test]
fn plummer_speeds_are_bound() {
    // Every particle is drawn below the local escape speed of the analytic
    // model: v^2 < 2 |Phi(r)| with Phi = -1/sqrt(r^2 + a^2), a = 3 pi / 16
    // (up to the small centre-of-mass shift).
    let store = Plummer::new(5000, 9).generate().expect("valid parameters");
    let a = 3.0 * std::f64::consts::PI / 16.0;
    for p in &store {
        let v2 = p.velocity().length_squared();
        let phi = 1.0 / (p.position.length_squared() + a * a).sqrt();
        assert!(
            v2 < 2.0 * phi * 1.05,
            "particle {}: v^2 = {v2} exceeds 2|Phi| = {}",
            p.id,
            2.0 * phi
        );
    }
}

#[test]
fn truncation_radius_bounds_the_sphere() {
    for rt in [0.5, 2.0, 5.0] {
        let store = Plummer {
            truncation_radius: Some(rt),
            ..Plummer::new(5000, 3)
        }
        .generate()
        .expect("valid parameters");
        let r_max = store
            .iter()
            .map(|p| p.position.length())
            .fold(0.0, f64::max);
        // The bound holds before the centre-of-mass shift, which is ~ rt / sqrt(n).
        assert!(
            r_max <= rt * 1.05,
            "rt = {rt}: largest radius {r_max} within rt plus the COM shift"
        );
        assert!(
            r_max >= rt * 0.8,
            "rt = {rt}: the outer shell is populated (largest radius {r_max})"
        );
        assert_close(
            "|centre of mass|",
            store.center_of_mass().length(),
            0.0,
            1e-14,
        );
    }
    // An untruncated sphere reaches further.
    let store = Plummer::new(5000, 3).generate().expect("valid parameters");
    let r_max = store
        .iter()
        .map(|p| p.position.length())
        .fold(0.0, f64::max);
    assert!(
        r_max > 5.0,
        "untruncated sphere has an extended halo (largest radius {r_max})"
    );
    assert!(r_max.is_finite(), "radii are finite (largest {r_max})");
}
