//! Morton sort: a deterministic permutation of whole particles that leaves
//! the keys non-decreasing, including degenerate bounding boxes.

mod common;

use covar_store::ic::{Lattice, Plummer};
use covar_store::morton::{BoundingCube, MORTON_CELLS, morton_decode, morton_encode, morton_keys};
use covar_store::{DVec3, Particle, ParticleStore};
use proptest::prelude::*;

/// Checks that `sorted` is `before` permuted by `perm`, particle by particle
/// (all fields bit for bit, ids included), and that keys are non-decreasing.
#[track_caller]
fn check_sorted(before: &ParticleStore, sorted: &ParticleStore, perm: &[usize]) {
    let n = before.len();
    assert_eq!(sorted.len(), n, "sorting keeps the count");
    assert_eq!(perm.len(), n, "permutation has one entry per particle");
    let mut seen = vec![false; n];
    for &p in perm {
        assert!(
            p < n && !seen[p],
            "perm is a permutation of 0..n (entry {p})"
        );
        seen[p] = true;
    }
    let mut ids: Vec<u64> = sorted.ids().to_vec();
    ids.sort_unstable();
    assert_eq!(
        ids,
        before.ids().to_vec(),
        "ids are a permutation of the old ids"
    );
    for (k, &old) in perm.iter().enumerate() {
        let (a, b) = (sorted.particle(k), before.particle(old));
        assert_eq!(
            common::particle_bits(a),
            common::particle_bits(b),
            "particle {k} carries all data of old particle {old}"
        );
    }
    let keys = morton_keys(sorted);
    assert!(
        keys.windows(2).all(|w| w[0] <= w[1]),
        "keys are non-decreasing after the sort"
    );
    sorted.assert_well_formed();
}

#[test]
fn encode_decode_round_trip_and_bit_order() {
    let max = MORTON_CELLS - 1;
    for (ix, iy, iz) in [
        (0, 0, 0),
        (1, 2, 3),
        (max, 0, 0),
        (0, max, 0),
        (0, 0, max),
        (max, max, max),
        (123_456, 654_321, 1_048_576),
    ] {
        let key = morton_encode(ix, iy, iz);
        assert!(key < 1 << 63, "keys use 63 bits");
        assert_eq!(morton_decode(key), [ix, iy, iz], "decode inverts encode");
    }
    assert_eq!(
        morton_encode(1 << 20, 0, 0),
        1 << 62,
        "top x bit is the key's top bit"
    );
    assert!(
        morton_encode(1, 0, 0) > morton_encode(0, 1, 1),
        "x is the most significant in each triple"
    );
}

#[test]
fn sort_is_a_permutation_with_sorted_keys() {
    for (n, seed) in [(1000, 1), (17, 2), (9, 3)] {
        let before = Plummer::new(n, seed).generate().expect("valid parameters");
        let mut sorted = before.clone();
        let perm = sorted.morton_sort();
        check_sorted(&before, &sorted, &perm);
        assert_ne!(
            perm,
            (0..n).collect::<Vec<_>>(),
            "a random sphere is not already in Morton order"
        );
        // Sorting twice: second sort is the identity.
        let again = sorted.morton_sort();
        assert_eq!(
            again,
            (0..n).collect::<Vec<_>>(),
            "a sorted store stays put"
        );
    }
}

#[test]
fn sort_is_deterministic_across_thread_counts() {
    let before = Plummer::new(3000, 5).generate().expect("valid parameters");
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| {
            let mut s = before.clone();
            let perm = s.morton_sort();
            (perm, s.fingerprint())
        })
    };
    let one = run(1);
    assert_eq!(
        run(2),
        one,
        "2 threads give the same permutation and data as 1"
    );
    assert_eq!(
        run(3),
        one,
        "3 threads give the same permutation and data as 1"
    );
}

#[test]
fn ties_keep_their_original_order() {
    // Pairs of coincident particles (equal keys) in a lattice with duplicates.
    let lattice = Lattice::new(3, 3, 3, 1.0)
        .generate()
        .expect("valid parameters");
    let mut particles: Vec<Particle> = lattice.iter().collect();
    particles.extend(lattice.iter().rev());
    let before = ParticleStore::from_particles(particles);
    let mut sorted = before.clone();
    let perm = sorted.morton_sort();
    check_sorted(&before, &sorted, &perm);
    let keys = morton_keys(&sorted);
    for k in 1..perm.len() {
        if keys[k] == keys[k - 1] {
            assert!(
                perm[k - 1] < perm[k],
                "equal keys keep their original order (positions {k}-1, {k})"
            );
        }
    }
}

#[test]
fn degenerate_bounding_boxes() {
    // n = 0 and n = 1.
    let mut empty = ParticleStore::new();
    assert!(
        empty.morton_sort().is_empty(),
        "sorting an empty store is a no-op"
    );
    assert!(morton_keys(&empty).is_empty(), "no keys for no particles");
    let one = ParticleStore::from_particles([Particle::new(
        DVec3::new(3.0, -2.0, 1.0),
        DVec3::ONE,
        1.0,
        1.0,
    )]);
    assert_eq!(morton_keys(&one), vec![0], "a single particle has key 0");
    let mut s = one.clone();
    assert_eq!(s.morton_sort(), vec![0], "a single particle stays put");
    assert_eq!(s, one, "and keeps its data");

    // All particles at one point: every key 0, order unchanged.
    let p = Particle::new(DVec3::splat(0.5), DVec3::ZERO, 1.0, 1.0);
    let mut same = ParticleStore::from_particles(vec![
        Particle {
            momentum: DVec3::X,
            ..p
        },
        p,
        p,
        p,
        p,
    ]);
    assert_eq!(
        BoundingCube::of_store(&same).side,
        0.0,
        "degenerate cube has side 0"
    );
    assert_eq!(
        morton_keys(&same),
        vec![0; 5],
        "coincident particles all get key 0"
    );
    assert_eq!(
        same.morton_sort(),
        vec![0, 1, 2, 3, 4],
        "ties keep their order"
    );

    // Flat (planar) and linear sets: zero extent on some axes.
    let line: ParticleStore = (0..20)
        .map(|i| Particle::new(DVec3::new(0.0, 1.0, 19.0 - i as f64), DVec3::ZERO, 1.0, 1.0))
        .collect();
    let mut sorted = line.clone();
    let perm = sorted.morton_sort();
    check_sorted(&line, &sorted, &perm);
    assert_eq!(
        perm,
        (0..20).rev().collect::<Vec<_>>(),
        "points on a line sort along it"
    );
}

#[test]
fn non_finite_positions_do_not_panic() {
    let mut store = common::varied_store(20, 9);
    store.set_position(3, DVec3::new(f64::NAN, f64::INFINITY, f64::NEG_INFINITY));
    store.set_position(19, DVec3::splat(f64::INFINITY));
    let before = store.clone();
    let perm = store.morton_sort();
    assert_eq!(
        perm.len(),
        20,
        "a store with non-finite positions still sorts"
    );
    for (k, &old) in perm.iter().enumerate() {
        assert_eq!(store.id(k), before.id(old), "particles moved whole");
    }
    store.assert_well_formed();
}

/// A particle whose coordinates come from a small set, so ties and
/// coincident points are common.
fn particle_strategy() -> impl Strategy<Value = Particle> {
    let coord = prop_oneof![Just(0.0), Just(1.0), Just(-2.5), -10.0..10.0f64];
    (
        coord.clone(),
        coord.clone(),
        coord,
        -1.0..1.0f64,
        0.1..2.0f64,
        -1.0..1.0f64,
    )
        .prop_map(|(x, y, z, p, m, q)| {
            Particle::new(DVec3::new(x, y, z), DVec3::new(p, -p, 2.0 * p), m, q)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn morton_sort_keeps_the_multiset_of_particles(particles in prop::collection::vec(particle_strategy(), 0..40)) {
        let before = ParticleStore::from_particles(particles);
        let mut sorted = before.clone();
        let perm = sorted.morton_sort();
        check_sorted(&before, &sorted, &perm);
        let mut a: Vec<[u64; 9]> = common::bits(&before);
        let mut b: Vec<[u64; 9]> = common::bits(&sorted);
        a.sort_unstable();
        b.sort_unstable();
        prop_assert_eq!(a, b, "the multiset of particles (all bits, ids included) is unchanged");
    }
}
