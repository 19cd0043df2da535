//! `validate` names the particle, its id and the field of the first bad value
//! (DESIGN.md section 7).

mod common;

use covar_store::ic::{KeplerOrbit, Lattice, Plummer, UniformCube};
use covar_store::{DVec3, Field, ParticleStore, StoreError};

/// Writes `value` into `field` of particle `i`.
fn poison(store: &mut ParticleStore, i: usize, field: Field, value: f64) {
    let c = &mut store.columns_mut();
    let col = match field {
        Field::X => &mut *c.x,
        Field::Y => &mut *c.y,
        Field::Z => &mut *c.z,
        Field::Px => &mut *c.px,
        Field::Py => &mut *c.py,
        Field::Pz => &mut *c.pz,
        Field::Mass => &mut *c.mass,
        Field::Charge => &mut *c.charge,
    };
    col[i] = value;
}

#[test]
fn valid_stores_pass() {
    assert_eq!(
        ParticleStore::new().validate(),
        Ok(()),
        "an empty store is valid"
    );
    assert_eq!(
        common::varied_store(17, 1).validate(),
        Ok(()),
        "finite data with positive masses is valid"
    );
    let store = Plummer::new(100, 1)
        .generate()
        .expect("valid Plummer parameters");
    assert_eq!(
        store.validate(),
        Ok(()),
        "a generated Plummer sphere is valid"
    );
}

#[test]
fn every_non_finite_field_is_named_with_index_and_id() {
    for field in Field::ALL {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for i in [0, 6, 16] {
                let mut store = common::varied_store(17, 2);
                // Move particles so index and id differ.
                let reverse: Vec<usize> = (0..17).rev().collect();
                store.permute(&reverse).expect("reversal is a permutation");
                poison(&mut store, i, field, bad);
                let err = store
                    .validate()
                    .expect_err("a non-finite value must be rejected");
                match err {
                    StoreError::NonFinite {
                        particle,
                        id,
                        field: f,
                        value,
                    } => {
                        assert_eq!(
                            particle, i,
                            "error names the particle index ({field} = {bad})"
                        );
                        assert_eq!(id, store.id(i), "error names the particle id");
                        assert_eq!(
                            id,
                            16 - i as u64,
                            "id differs from index after the reversal"
                        );
                        assert_eq!(f, field, "error names the field");
                        assert_eq!(
                            value.to_bits(),
                            bad.to_bits(),
                            "error carries the bad value"
                        );
                    }
                    other => panic!("expected NonFinite for {field} = {bad}, got {other:?}"),
                }
                let msg = err.to_string();
                assert!(
                    msg.contains(&format!("particle {i} ")),
                    "message names the index: {msg}"
                );
                assert!(
                    msg.contains(&format!("`{field}`")),
                    "message names the field: {msg}"
                );
            }
        }
    }
}

#[test]
fn first_bad_particle_is_reported() {
    let mut store = common::varied_store(10, 3);
    poison(&mut store, 7, Field::X, f64::NAN);
    poison(&mut store, 4, Field::Charge, f64::INFINITY);
    poison(&mut store, 4, Field::Py, f64::NAN);
    let err = store.validate().expect_err("bad data must be rejected");
    assert!(
        matches!(
            err,
            StoreError::NonFinite {
                particle: 4,
                field: Field::Py,
                ..
            }
        ),
        "lowest index first, then field order: got {err:?}"
    );
}

#[test]
fn zero_and_negative_masses_are_rejected() {
    for (i, m) in [(0, 0.0), (5, -0.0), (17, -1.0), (9, -1e-300)] {
        let mut store = common::varied_store(20, 4);
        store.set_mass(i, m);
        let err = store
            .validate()
            .expect_err("a non-positive mass must be rejected");
        assert_eq!(
            err,
            StoreError::NonPositiveMass {
                particle: i,
                id: i as u64,
                value: m
            },
            "error names index, id and value for mass {m}"
        );
    }
    let mut store = common::varied_store(20, 4);
    store.set_mass(17, -1.0);
    assert_eq!(
        store.validate().map_err(|e| e.to_string()),
        Err("particle 17 (id 17): field `mass` is -1 (must be finite and > 0)".to_string()),
        "the message reads as documented"
    );
    store.set_mass(17, f64::NAN);
    assert_eq!(
        store.validate().map_err(|e| e.to_string()),
        Err("particle 17 (id 17): field `mass` is NaN (must be finite and > 0)".to_string()),
        "a NaN mass is reported as non-finite with the mass requirement"
    );
}

#[test]
fn field_names_display_as_documented() {
    let names: Vec<String> = Field::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        ["x", "y", "z", "px", "py", "pz", "mass", "charge"],
        "Display names of Field"
    );
}

#[test]
fn generator_parameters_are_checked() {
    let param = |r: Result<ParticleStore, StoreError>| match r {
        Err(StoreError::InvalidParameter { parameter, .. }) => parameter,
        other => panic!("expected InvalidParameter, got {other:?}"),
    };
    for side in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            param(
                UniformCube {
                    side,
                    ..UniformCube::new(3, 1)
                }
                .generate()
            ),
            "side",
            "cube side {side}"
        );
    }
    for rt in [0.0, -2.0, f64::NAN] {
        assert_eq!(
            param(
                Plummer {
                    truncation_radius: Some(rt),
                    ..Plummer::new(3, 1)
                }
                .generate()
            ),
            "truncation_radius",
            "Plummer truncation {rt}"
        );
    }
    assert_eq!(
        param(Lattice::new(2, 2, 2, 0.0).generate()),
        "spacing",
        "lattice spacing 0"
    );
    assert_eq!(
        param(
            Lattice {
                jitter: -0.1,
                ..Lattice::new(2, 2, 2, 1.0)
            }
            .generate()
        ),
        "jitter",
        "negative jitter"
    );
    assert_eq!(
        param(Lattice::new(usize::MAX, 2, 1, 1.0).generate()),
        "nx * ny * nz",
        "lattice size overflow"
    );

    let kepler = |a, e, m1, m2, g| match KeplerOrbit::with_gravity(a, e, m1, m2, g) {
        Err(StoreError::InvalidParameter { parameter, .. }) => parameter,
        other => panic!("expected InvalidParameter, got {other:?}"),
    };
    assert_eq!(kepler(0.0, 0.1, 1.0, 1.0, 1.0), "semi_major_axis", "a = 0");
    assert_eq!(kepler(1.0, 1.0, 1.0, 1.0, 1.0), "eccentricity", "e = 1");
    assert_eq!(kepler(1.0, -0.1, 1.0, 1.0, 1.0), "eccentricity", "e < 0");
    assert_eq!(
        kepler(1.0, f64::NAN, 1.0, 1.0, 1.0),
        "eccentricity",
        "e = NaN"
    );
    assert_eq!(kepler(1.0, 0.1, -1.0, 1.0, 1.0), "m1", "m1 < 0");
    assert_eq!(kepler(1.0, 0.1, 1.0, 0.0, 1.0), "m2", "m2 = 0");
    assert_eq!(kepler(1.0, 0.1, 1.0, 1.0, f64::INFINITY), "g", "G = inf");
    assert_eq!(
        kepler(1.0, 0.1, 1e308, 1e308, 1.0),
        "g * (m1 + m2)",
        "G M overflows"
    );

    let msg = KeplerOrbit::new(1.0, 1.5, 1.0, 1.0)
        .expect_err("e = 1.5 is unbound")
        .to_string();
    assert_eq!(
        msg, "kepler orbit: parameter `eccentricity` is 1.5 (must be finite and in [0, 1))",
        "parameter errors read clearly"
    );

    for n in [0, 1] {
        assert_eq!(
            UniformCube::new(n, 1).generate().map(|s| s.len()),
            Ok(n),
            "cube n = {n}"
        );
        assert_eq!(
            Plummer::new(n, 1).generate().map(|s| s.len()),
            Ok(n),
            "Plummer n = {n}"
        );
        assert_eq!(
            Lattice::new(n, n, n, 1.0).generate().map(|s| s.len()),
            Ok(n),
            "lattice n = {n}"
        );
    }
    let single = Plummer::new(1, 1).generate().expect("n = 1 is allowed");
    assert_eq!(
        single.position(0),
        DVec3::ZERO,
        "one particle sits at its own centre of mass"
    );
}

#[test]
fn permute_rejects_non_permutations() {
    let mut store = common::varied_store(4, 6);
    let before = store.clone();
    assert_eq!(
        store.permute(&[0, 1, 2]),
        Err(StoreError::LengthMismatch {
            what: "permutation",
            expected: 4,
            got: 3
        }),
        "short permutation"
    );
    assert_eq!(
        store.permute(&[0, 1, 1, 3]),
        Err(StoreError::NotAPermutation {
            len: 4,
            position: 2,
            value: 1
        }),
        "repeated entry"
    );
    assert_eq!(
        store.permute(&[0, 1, 2, 4]),
        Err(StoreError::NotAPermutation {
            len: 4,
            position: 3,
            value: 4
        }),
        "out-of-range entry"
    );
    assert_eq!(
        store, before,
        "a rejected permutation leaves the store unchanged"
    );
}
