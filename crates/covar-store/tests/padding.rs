//! The padding invariant (DESIGN.md section 7, STYLE.md habit 9): after every
//! mutation, columns are 64-byte aligned, of length a multiple of LANES, and
//! padded entries hold harmless values.

mod common;

use covar_store::column::{PAD_CHARGE, PAD_ID, PAD_MASS, PAD_MOMENTUM};
use covar_store::{ALIGN, DVec3, Field, LANES, Particle, ParticleStore, padded_len};

/// Checks the invariant through the public slices (independently of
/// `assert_well_formed`), then runs `assert_well_formed` too.
#[track_caller]
fn check_layout(store: &ParticleStore, context: &str) {
    let n = store.len();
    assert_eq!(store.padded_len(), padded_len(n), "{context}: padded_len");
    assert_eq!(
        store.padded_len() % LANES,
        0,
        "{context}: padded length is a multiple of LANES"
    );
    assert!(
        store.padded_len() < n + LANES,
        "{context}: at most LANES-1 padded entries"
    );
    for field in Field::ALL {
        let col = store.padded(field);
        assert_eq!(
            col.len(),
            store.padded_len(),
            "{context}: padded `{field}` length"
        );
        assert_eq!(
            col.as_ptr() as usize % ALIGN,
            0,
            "{context}: `{field}` column is 64-byte aligned"
        );
        assert_eq!(
            store.column(field).len(),
            n,
            "{context}: real `{field}` slice has len() entries"
        );
        let pad = &col[n..];
        match field {
            Field::X | Field::Y | Field::Z => {
                let last = store.column(field).last().copied().unwrap_or(0.0);
                let expected = if last.is_finite() { last } else { 0.0 };
                assert!(
                    pad.iter().all(|v| v.to_bits() == expected.to_bits()),
                    "{context}: padded `{field}` entries {pad:?} equal the last real one ({expected})"
                );
            }
            Field::Px | Field::Py | Field::Pz => {
                assert!(
                    pad.iter().all(|&v| v == PAD_MOMENTUM),
                    "{context}: padded `{field}` is 0"
                )
            }
            Field::Mass => assert!(
                pad.iter().all(|&v| v == PAD_MASS),
                "{context}: padded mass is 1"
            ),
            Field::Charge => {
                assert!(
                    pad.iter().all(|&v| v == PAD_CHARGE),
                    "{context}: padded charge is 0"
                )
            }
        }
    }
    assert_eq!(
        store.padded_ids().as_ptr() as usize % ALIGN,
        0,
        "{context}: id column is 64-byte aligned"
    );
    assert!(
        store.padded_ids()[n..].iter().all(|&id| id == PAD_ID),
        "{context}: padded ids are PAD_ID"
    );
    assert_eq!(store.ids().len(), n, "{context}: ids() has len() entries");
    store.assert_well_formed();
}

#[test]
fn padding_after_push_for_every_tail_length() {
    for n in 0..=17 {
        let mut store = ParticleStore::new();
        check_layout(&store, "empty");
        for i in 0..n {
            let id = store.push(Particle::new(DVec3::splat(i as f64), DVec3::ONE, 2.0, -1.0));
            assert_eq!(id, i as u64, "push returns the new particle's id");
            check_layout(&store, &format!("n={n} after push {i}"));
        }
        assert_eq!(store.len(), n, "len counts real particles only");
        assert_eq!(store.is_empty(), n == 0, "is_empty iff n == 0");
    }
}

#[test]
fn padding_after_setters_and_columns_mut() {
    for n in 1..=17 {
        let mut store = common::varied_store(n, n as u64);
        let last = n - 1;
        store.set_position(last, DVec3::new(5.0, -6.0, 7.0));
        check_layout(&store, &format!("n={n} after set_position(last)"));
        assert_eq!(
            store.padded_x()[n..].first().copied(),
            (n % LANES != 0).then_some(5.0),
            "padding follows the last particle"
        );
        store.set_position(0, DVec3::new(1.0, 2.0, 3.0));
        store.set_momentum(last, DVec3::new(1.0, 1.0, 1.0));
        store.set_mass(last, 3.0);
        store.set_charge(last, -2.0);
        check_layout(&store, &format!("n={n} after set_momentum/mass/charge"));
        {
            let c = &mut store.columns_mut();
            for i in 0..c.x.len() {
                c.x[i] += 10.0;
                c.z[i] = -c.z[i];
                c.px[i] *= 2.0;
            }
        }
        check_layout(&store, &format!("n={n} after columns_mut"));
        // A NaN in the last particle must not leak into the padding.
        store.set_position(last, DVec3::new(f64::NAN, f64::INFINITY, 1.0));
        check_layout(&store, &format!("n={n} after non-finite last position"));
        assert!(
            store.padded_x().iter().skip(n).all(|v| v.is_finite()),
            "padded positions stay finite when the last real one is not"
        );
    }
}

#[test]
fn padding_after_sort_and_permute() {
    for n in 0..=17 {
        let mut store = common::varied_store(n, 100 + n as u64);
        store.morton_sort();
        check_layout(&store, &format!("n={n} after morton_sort"));
        let reverse: Vec<usize> = (0..n).rev().collect();
        store
            .permute(&reverse)
            .expect("a reversal is a permutation");
        check_layout(&store, &format!("n={n} after permute"));
    }
}

#[test]
fn real_slices_match_per_particle_access() {
    let store = common::varied_store(13, 5);
    for (i, p) in store.iter().enumerate() {
        assert_eq!(p, store.particle(i), "iter yields particle(i)");
        assert_eq!(
            p.position,
            DVec3::new(store.x()[i], store.y()[i], store.z()[i]),
            "position from x,y,z slices"
        );
        assert_eq!(
            p.momentum,
            DVec3::new(store.px()[i], store.py()[i], store.pz()[i]),
            "momentum from px,py,pz slices"
        );
        assert_eq!(p.mass, store.masses()[i], "mass slice");
        assert_eq!(p.charge, store.charges()[i], "charge slice");
        assert_eq!(
            store.velocity(i),
            p.momentum / p.mass,
            "velocity = momentum / mass"
        );
        assert_eq!(p.id, i as u64, "ids are 0..n at creation");
    }
    assert_eq!(store.get(13), None, "get past the end is None");
    assert_eq!(store.iter().len(), 13, "iterator knows its length");
    let rebuilt: ParticleStore = store.iter().collect();
    assert_eq!(
        rebuilt, store,
        "collecting the particles rebuilds an equal store"
    );
}

#[test]
fn with_capacity_and_reserve_do_not_change_contents() {
    let mut store = ParticleStore::with_capacity(100);
    check_layout(&store, "with_capacity(100)");
    assert!(store.is_empty(), "with_capacity makes an empty store");
    store.reserve(1000);
    check_layout(&store, "after reserve");
    store.push(Particle::new(DVec3::ONE, DVec3::ZERO, 1.0, 1.0));
    store.reserve(5);
    check_layout(&store, "after push + reserve");
    assert_eq!(store.len(), 1, "reserve does not add particles");
}
