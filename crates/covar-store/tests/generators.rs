//! Uniform cube, lattice and charge assignments.

mod common;

use common::assert_close;
use covar_store::DVec3;
use covar_store::ic::{Lattice, UniformCube, neutral_signs, random_signs};

#[test]
fn cube_points_lie_in_the_half_open_box() {
    for side in [1.0, 3.0, 0.125, 1e6] {
        let store = UniformCube {
            side,
            ..UniformCube::new(5000, 11)
        }
        .generate()
        .expect("valid parameters");
        let h = side / 2.0;
        for p in &store {
            for c in p.position.to_array() {
                assert!(
                    (-h..h).contains(&c),
                    "side {side}: coordinate {c} in [-L/2, L/2)"
                );
            }
            assert_eq!(p.momentum, DVec3::ZERO, "cube particles start at rest");
            assert_eq!(p.mass, 1.0 / 5000.0, "equal masses 1/n");
            assert_eq!(p.charge, p.mass, "charge = mass");
        }
        assert_close("total mass", store.total_mass(), 1.0, 1e-12);
        // Uniformity, coarsely: the mean of each coordinate is near 0
        // (standard error L / sqrt(12 n) ~ 0.004 L).
        let mean = store.iter().map(|p| p.position).sum::<DVec3>() / 5000.0;
        assert!(
            mean.abs().max_element() < 0.02 * side,
            "side {side}: mean position {mean} near the centre"
        );
    }
}

#[test]
fn lattice_has_the_right_count_spacing_and_centre() {
    let (nx, ny, nz, h) = (3, 4, 5, 0.25);
    let store = Lattice::new(nx, ny, nz, h)
        .generate()
        .expect("valid parameters");
    assert_eq!(store.len(), nx * ny * nz, "count nx * ny * nz");
    assert_close("total mass", store.total_mass(), 1.0, 1e-12);
    assert_close(
        "|centre of mass|",
        store.center_of_mass().length(),
        0.0,
        1e-15,
    );
    for k in 0..nz {
        for j in 0..ny {
            for i in 0..nx {
                let idx = (k * ny + j) * nx + i;
                let r = store.position(idx);
                if i + 1 < nx {
                    assert_eq!(
                        store.position(idx + 1) - r,
                        DVec3::new(h, 0.0, 0.0),
                        "x spacing h"
                    );
                }
                if j + 1 < ny {
                    assert_eq!(
                        store.position(idx + nx) - r,
                        DVec3::new(0.0, h, 0.0),
                        "y spacing h"
                    );
                }
                if k + 1 < nz {
                    assert_eq!(
                        store.position(idx + nx * ny) - r,
                        DVec3::new(0.0, 0.0, h),
                        "z spacing h"
                    );
                }
            }
        }
    }
    assert_eq!(
        store.position(0),
        DVec3::new(-0.25, -0.375, -0.5),
        "first corner at -(n-1) h / 2"
    );
    assert_eq!(
        store.position(nx * ny * nz - 1),
        DVec3::new(0.25, 0.375, 0.5),
        "last corner at +(n-1) h / 2"
    );
    // Minimum pair distance is the spacing.
    let mut min_d = f64::INFINITY;
    for a in 0..store.len() {
        for b in a + 1..store.len() {
            min_d = min_d.min((store.position(a) - store.position(b)).length());
        }
    }
    assert_close("minimum pair distance", min_d, h, 1e-15);
}

#[test]
fn lattice_jitter_stays_within_its_amplitude() {
    let base = Lattice::new(6, 6, 6, 1.0)
        .generate()
        .expect("valid parameters");
    let jittered = Lattice {
        jitter: 0.1,
        seed: 5,
        ..Lattice::new(6, 6, 6, 1.0)
    }
    .generate()
    .expect("valid parameters");
    let mut moved = 0;
    for (a, b) in base.iter().zip(&jittered) {
        let d = b.position - a.position;
        assert!(
            d.abs().max_element() <= 0.1,
            "jitter offset {d} within the amplitude 0.1"
        );
        moved += usize::from(d != DVec3::ZERO);
    }
    assert_eq!(moved, base.len(), "every point is jittered");
}

#[test]
fn neutral_signs_balance_exactly() {
    for n in 0..=33 {
        let mut store = UniformCube::new(n, 1).generate().expect("valid parameters");
        neutral_signs(&mut store, 77);
        let q = store.charges();
        let plus = q.iter().filter(|&&c| c == 1.0).count();
        let minus = q.iter().filter(|&&c| c == -1.0).count();
        let zero = q.iter().filter(|&&c| c == 0.0).count();
        assert_eq!(
            (plus, minus, zero),
            (n / 2, n / 2, n % 2),
            "n = {n}: n/2 of each sign, one 0 for odd n"
        );
        assert_eq!(
            q.iter().sum::<f64>(),
            0.0,
            "n = {n}: total charge exactly 0"
        );
        store.assert_well_formed();
    }
    // The order is shuffled, not `+ + + - - -`.
    let mut store = UniformCube::new(100, 1)
        .generate()
        .expect("valid parameters");
    neutral_signs(&mut store, 3);
    assert!(
        store.charges()[..50].iter().any(|&c| c < 0.0),
        "signs are shuffled"
    );
}

#[test]
fn random_signs_are_unit_and_roughly_balanced() {
    let mut store = UniformCube::new(4000, 1)
        .generate()
        .expect("valid parameters");
    random_signs(&mut store, 8);
    let q = store.charges();
    assert!(
        q.iter().all(|&c| c == 1.0 || c == -1.0),
        "all charges are +1 or -1"
    );
    let sum: f64 = q.iter().sum();
    // Standard deviation of the sum is sqrt(n) ~ 63; 5 sigma.
    assert!(
        sum.abs() < 320.0,
        "sum of 4000 random signs {sum} within 5 sigma of 0"
    );
    store.validate().expect("charges are finite");
}
