//! The distributed layer on one process ([`Single`]): the decomposition
//! keeps every particle, and the distributed direct sum is the direct sum,
//! bit for bit, whatever order the particles come in.

use covar_distributed::{Balance, Decomposition, DistributedDirect, DistributedError, Single};
use covar_kernel::{Direct, KernelError, LaplaceSum, Outputs, Points, Problem};
use covar_store::ParticleStore;
use covar_store::ic::Plummer;

fn sums(backend: &dyn LaplaceSum, store: &ParticleStore, ch: &[f64], nd: usize) -> Vec<f64> {
    let n = store.len();
    let (mut pot, mut grad) = (vec![0.0; nd * n], vec![0.0; 3 * nd * n]);
    backend
        .evaluate(
            &Problem::at_sources(Points::new(store.x(), store.y(), store.z()), ch, nd, 0.01),
            Outputs::with_gradient(&mut pot, &mut grad),
        )
        .expect("sums");
    pot.extend(grad);
    pot
}

#[test]
fn one_rank_keeps_every_particle_in_id_order() {
    let mut store = Plummer::new(500, 3).generate().unwrap();
    store.permute(&(0..500).rev().collect::<Vec<_>>()).unwrap();
    let d = Decomposition::balanced(&Single, &store, &vec![2; 500]).unwrap();
    let mine = d.redistribute(&Single, &store);
    assert_eq!(mine.ids(), (0..500).collect::<Vec<u64>>());
    assert_eq!(mine.x()[7], store.x()[492]);
    d.check(&Single, &mine, 500).unwrap();
    assert!(d.check(&Single, &mine, 501).is_err());
    assert_eq!(Balance::measure(&Single, &[2; 500]).imbalance(), 1.0);
    assert!(matches!(
        Decomposition::balanced(&Single, &store, &[1; 3]),
        Err(DistributedError::WorkLength { .. })
    ));
}

#[test]
fn one_rank_sums_are_the_direct_sums_bit_for_bit() {
    let store = Plummer::new(300, 9).generate().unwrap();
    let nd = 4;
    let ch: Vec<f64> = (0..nd * 300).map(|k| ((k as f64) * 0.37).cos()).collect();
    let backend = DistributedDirect::new(Single, Direct::new());
    backend.set_particles(store.ids()).unwrap();
    let want = sums(&Direct::new(), &store, &ch, nd);
    let got = sums(&backend, &store, &ch, nd);
    assert!(
        want.iter()
            .zip(&got)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    let stats = backend.stats();
    assert_eq!(stats.bytes_sent, 8 * (3 + nd as u64) * 300);
}

#[test]
fn a_layout_that_does_not_match_is_refused() {
    let store = Plummer::new(10, 1).generate().unwrap();
    let backend = DistributedDirect::new(Single, Direct::new());
    assert!(backend.set_particles(&[3, 1]).is_err(), "ids out of order");
    backend.set_particles(&store.ids()[..9]).unwrap();
    let mut pot = vec![0.0; 10];
    let err = backend
        .evaluate(
            &Problem::at_sources(
                Points::new(store.x(), store.y(), store.z()),
                store.charges(),
                1,
                0.0,
            ),
            Outputs::potential(&mut pot),
        )
        .unwrap_err();
    assert!(matches!(err, KernelError::LengthMismatch { .. }), "{err}");
}

#[test]
fn served_sums_on_one_rank_are_the_backend_s_bits() {
    use covar_distributed::Served;
    use covar_kernel::Backend;
    let store = Plummer::new(200, 4).generate().unwrap();
    let nd = 3;
    let ch: Vec<f64> = (0..nd * 200).map(|k| ((k as f64) * 0.11).sin()).collect();
    let served = Served::new(Single, Backend::Direct(Direct::new())).unwrap();
    let want = sums(&Direct::new(), &store, &ch, nd);
    let got = sums(&served, &store, &ch, nd);
    assert!(
        want.iter()
            .zip(&got)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    assert_eq!(served.ranks(), 1);
    let stats = served.stats();
    assert_eq!(stats.evaluations, 1);
    // The problem out (header, softening, 200 points, 3 channels, the two
    // ends of the one share), the sums (potential and gradient) and the
    // status words back.
    assert_eq!(stats.bytes_out, 8 * (14 + 1 + (3 + nd as u64) * 200 + 2));
    assert_eq!(stats.bytes_in, 8 * (4 * nd as u64 * 200 + 4));
    assert_eq!(stats.compute.len(), 1);
    assert!(stats.compute[0] > std::time::Duration::ZERO && stats.compute[0] <= stats.total);
    assert_eq!(stats.imbalance(), 1.0);
    // Separate targets too.
    let t = Plummer::new(50, 8).generate().unwrap();
    let at_points = |b: &dyn LaplaceSum| {
        let mut pot = vec![0.0; nd * 50];
        b.evaluate(
            &Problem::at_points(
                Points::new(store.x(), store.y(), store.z()),
                &ch,
                nd,
                Points::new(t.x(), t.y(), t.z()),
                0.0,
            ),
            Outputs::potential(&mut pot),
        )
        .unwrap();
        pot
    };
    assert_eq!(at_points(&Direct::new()), at_points(&served));
    // A coincident pair is reported as one process reports it.
    let mut x = store.x().to_vec();
    x[9] = x[3];
    let (y, z) = (store.y().to_vec(), store.z().to_vec());
    let (mut y, mut z) = (y, z);
    y[9] = y[3];
    z[9] = z[3];
    let mut pot = vec![0.0; nd * 200];
    let err = served
        .evaluate(
            &Problem::at_sources(Points::new(&x, &y, &z), &ch, nd, 0.0),
            Outputs::potential(&mut pot),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            KernelError::Coincident {
                first: 3,
                second: 9
            }
        ),
        "{err}"
    );
    // A backend from outside the kernel is not served.
    let custom = Backend::Custom(covar_kernel::CustomSum(std::sync::Arc::new(Direct::new())));
    assert!(Served::new(Single, custom).is_err());
}

#[test]
fn served_fast_sums_on_one_rank_are_the_fast_backend_s_bits() {
    use covar_distributed::Served;
    use covar_kernel::{Backend, Fast, FastParams};
    let store = Plummer::new(3000, 5).generate().unwrap();
    let nd = 2;
    let ch: Vec<f64> = (0..nd * 3000).map(|k| ((k as f64) * 0.37).cos()).collect();
    let params = FastParams {
        leaf_size: 32,
        ..FastParams::with_tolerance(1e-7)
    };
    let served = Served::new(Single, Backend::Fast(Box::new(Fast::new(params)))).unwrap();
    let want = sums(&Fast::new(params), &store, &ch, nd);
    let got = sums(&served, &store, &ch, nd);
    assert!(
        want.iter()
            .zip(&got)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    // Stopped, it sums on rank 0 alone: the same bits, nothing exchanged.
    served.stop();
    let before = served.stats();
    let alone = sums(&served, &store, &ch, nd);
    assert!(
        want.iter()
            .zip(&alone)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    assert_eq!(served.stats(), before);
}

/// The cost along the order that `cuts` and `times` imply, up to `at`.
fn cost_to(cuts: &[usize], times: &[f64], at: f64) -> f64 {
    let mut cost = 0.0;
    for r in 0..times.len() {
        let (lo, hi) = (cuts[r] as f64, cuts[r + 1] as f64);
        if hi > lo {
            cost += times[r] * ((at.min(hi) - lo).max(0.0) / (hi - lo));
        }
    }
    cost
}

#[test]
fn rebalanced_cuts_give_each_rank_the_same_share_of_the_measured_time() {
    use covar_distributed::rebalanced_cuts;
    // Balanced: unchanged.
    assert_eq!(rebalanced_cuts(&[0, 50, 100], &[1.0, 1.0]), [0, 50, 100]);
    // Rank 0 three times slower: its range shrinks to a third of the time's
    // worth of its targets.
    assert_eq!(rebalanced_cuts(&[0, 50, 100], &[3.0, 1.0]), [0, 33, 100]);
    // A range that took no time (empty, or free) is crossed.
    assert_eq!(rebalanced_cuts(&[0, 50, 100], &[0.0, 2.0]), [0, 75, 100]);
    assert_eq!(rebalanced_cuts(&[0, 0, 100], &[0.0, 2.0]), [0, 50, 100]);
    // No time measured: unchanged.
    assert_eq!(rebalanced_cuts(&[0, 10, 100], &[0.0, 0.0]), [0, 10, 100]);
    // Random cuts and times: the ends kept, non-decreasing, and each new
    // range's cost (by the old ranges' densities) within one target's
    // cost of the mean.
    let mut state = 7u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for _ in 0..500 {
        let size = 1 + next() % 8;
        let nt = next() % 5000;
        let mut cuts: Vec<usize> = (0..=size).map(|_| next() % (nt + 1)).collect();
        cuts.sort_unstable();
        (cuts[0], cuts[size]) = (0, nt);
        // An empty range takes no time (its rank has nothing to sum).
        let times: Vec<f64> = (0..size)
            .map(|r| (next() % 1000) as f64 / 100.0 * f64::from(u8::from(cuts[r + 1] > cuts[r])))
            .collect();
        let new = rebalanced_cuts(&cuts, &times);
        assert_eq!((new[0], new[size], new.len()), (0, nt, size + 1));
        assert!(
            new.windows(2).all(|w| w[0] <= w[1]),
            "{cuts:?} {times:?}: {new:?}"
        );
        let total: f64 = times.iter().sum();
        let densest = (0..size)
            .filter(|&r| cuts[r + 1] > cuts[r])
            .map(|r| times[r] / (cuts[r + 1] - cuts[r]) as f64)
            .fold(0.0, f64::max);
        for r in 0..size {
            let cost =
                cost_to(&cuts, &times, new[r + 1] as f64) - cost_to(&cuts, &times, new[r] as f64);
            assert!(
                (cost - total / size as f64).abs() <= densest + 1e-9 * total,
                "{cuts:?} {times:?}: {new:?}, range {r} costs {cost}"
            );
        }
    }
}
