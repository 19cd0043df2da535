//! Sums at a subset of the sources (`Targets::SourceSubset`) are the rows of
//! the sums at all sources, bit for bit, on every backend and instruction
//! set (a process that owns some particles gets the bits a single process
//! gets); the fast backend does only the work of the part of the tree that
//! holds the subset. Bad subsets are refused, naming the target.

mod common;

use bumpalo::Bump;
use common::{Case, test_size, uniform};
use covar_kernel::fast::tree::{Tree, TreeParams};
use covar_kernel::{
    Direct, Fast, FastParams, KernelError, LaplaceSum, Naive, Outputs, Points, Problem, Progress,
    Softening, SofteningKernel,
};
use proptest::prelude::*;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Sums at the sources listed in `index`, by `backend`.
fn subset_sums(case: &Case, index: &[usize], backend: &impl LaplaceSum) -> (Vec<f64>, Vec<f64>) {
    let pick = |col: &[f64]| index.iter().map(|&j| col[j]).collect::<Vec<_>>();
    let (tx, ty, tz) = (pick(&case.x), pick(&case.y), pick(&case.z));
    let problem = Problem::at_source_subset(
        Points::new(&case.x, &case.y, &case.z),
        &case.channels,
        case.nd,
        Points::new(&tx, &ty, &tz),
        index,
        case.softening,
    );
    let nt = index.len();
    let mut pot = vec![f64::NAN; case.nd * nt];
    let mut grad = vec![f64::NAN; 3 * case.nd * nt];
    backend
        .evaluate(&problem, Outputs::with_gradient(&mut pot, &mut grad))
        .unwrap_or_else(|e| panic!("{} failed: {e}", backend.name()));
    (pot, grad)
}

/// Rows `index` of channel-major `rows` of length `n` each.
fn rows(all: &[f64], n: usize, index: &[usize]) -> Vec<f64> {
    all.chunks_exact(n)
        .flat_map(|row| index.iter().map(|&j| row[j]))
        .collect()
}

/// Asserts the subset's sums `got` equal the rows `index` of the sums at
/// all `n` sources, `all`, bit for bit.
fn assert_rows_bits(
    got: &(Vec<f64>, Vec<f64>),
    all: &(Vec<f64>, Vec<f64>),
    n: usize,
    index: &[usize],
    what: &str,
) {
    for (name, got, all) in [("potential", &got.0, &all.0), ("gradient", &got.1, &all.1)] {
        let want = rows(all, n, index);
        assert_eq!(got.len(), want.len(), "{what} {name}");
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            let (row, j) = (k / index.len(), index[k % index.len()]);
            assert!(
                g.to_bits() == w.to_bits(),
                "{what} {name} row {row} at source {j}: subset {g:e}, all {w:e}"
            );
        }
    }
}

/// Asserts the subset's sums equal the full sums' rows, bit for bit.
fn check_bits(case: &Case, index: &[usize], backend: &impl LaplaceSum, what: &str) {
    let all = case.eval(backend);
    let got = subset_sums(case, index, backend);
    assert_rows_bits(&got, &all, case.n(), index, what);
}

/// A random strictly increasing subset of `0..n`, each source kept with
/// probability `p`.
fn random_subset(seed: u64, n: usize, p: f64) -> Vec<usize> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n).filter(|_| uniform(&mut rng, 0.0, 1.0) < p).collect()
}

/// Subsets that stress the masked lanes: every source, one source, the
/// first and the last, every other one (several self lanes per vector),
/// runs straddling block (64) and vector edges, and random ones.
fn subsets(n: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut all = vec![
        (0..n).collect(),
        vec![n / 2],
        vec![0, n - 1],
        (0..n).step_by(2).collect(),
        (1..n).step_by(3).collect(),
        (n.saturating_sub(70)..n).collect(),
        random_subset(seed, n, 0.3),
    ];
    for s in &mut all {
        s.dedup();
    }
    all.retain(|s| !s.is_empty());
    all
}

/// The sources from fraction `lo` to fraction `hi` of the Morton curve of
/// the fast backend's tree, in index order: the share of one process of a
/// distributed run.
fn morton_share(case: &Case, lo: f64, hi: f64) -> Vec<usize> {
    let bump = Bump::new();
    let points = Points::new(&case.x, &case.y, &case.z);
    let tree = Tree::build(&bump, points, &TreeParams::default()).expect("finite points");
    let at = |f: f64| (f * case.n() as f64) as usize;
    let mut index: Vec<usize> = tree.order()[at(lo)..at(hi)]
        .iter()
        .map(|&i| i as usize)
        .collect();
    index.sort_unstable();
    index
}

/// The sources at `x < 0`: a half of the cube, in index order.
fn left_half(case: &Case) -> Vec<usize> {
    (0..case.n()).filter(|&i| case.x[i] < 0.0).collect()
}

fn softenings() -> [Softening; 3] {
    [
        Softening::NONE,
        Softening::new(SofteningKernel::Plummer, 0.05),
        Softening::new(SofteningKernel::WendlandC2, 0.3),
    ]
}

#[test]
fn subset_rows_equal_the_full_sums_bit_for_bit_on_every_isa() {
    for isa in common::isas() {
        let direct = Direct::with_isa(isa).expect("available");
        for (k, n) in [1, 2, 7, 9, 65, 130, 4100].into_iter().enumerate() {
            for nd in [1, 3, 4] {
                for s in softenings() {
                    let case = Case::random(100 + k as u64, n, nd, None, s);
                    for index in subsets(n, k as u64) {
                        check_bits(
                            &case,
                            &index,
                            &direct,
                            &format!("{isa} n={n} nd={nd} s={s}"),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn subset_rows_equal_the_full_sums_on_the_naive_backend() {
    for s in softenings() {
        let case = Case::random(7, 700, 4, None, s);
        for index in subsets(700, 3) {
            check_bits(&case, &index, &Naive::new(), &format!("naive s={s}"));
        }
    }
}

/// The fast backend visits only the nodes holding a target, with the work
/// and the order of the sums at all sources: the rows keep their bits on
/// the masked-lane subsets, random ones, shares of the Morton curve and a
/// half of the cube. The softenings are short enough that cells are still
/// expanded (the gap of a `1e-3` tolerance is `22 s` under Plummer
/// softening); the tolerance keeps the orders, and the test's time, low.
#[test]
fn fast_subset_rows_equal_the_full_sums_bit_for_bit_on_every_isa() {
    let n = test_size(3000);
    let params = FastParams {
        leaf_size: 64,
        ..FastParams::with_tolerance(1e-3)
    };
    let softenings = [
        Softening::NONE,
        Softening::new(SofteningKernel::Plummer, 0.002),
        Softening::new(SofteningKernel::WendlandC2, 0.05),
    ];
    for isa in common::isas() {
        let fast = Fast::with_isa(params, isa).expect("available");
        for nd in [1, 4] {
            for s in softenings {
                let case = Case::random(11 + nd as u64, n, nd, None, s);
                let all = case.eval(&fast);
                let mut index_sets = subsets(n, nd as u64);
                index_sets.extend([
                    random_subset(nd as u64 + 5, n, 0.01),
                    morton_share(&case, 0.0, 0.5),
                    morton_share(&case, 0.5, 1.0),
                    morton_share(&case, 0.3, 0.55),
                    left_half(&case),
                ]);
                for index in index_sets {
                    let got = subset_sums(&case, &index, &fast);
                    let what = format!("fast {isa} nd={nd} s={s} ({} targets)", index.len());
                    assert_rows_bits(&got, &all, n, &index, &what);
                }
            }
        }
    }
}

/// The share of one process: half of the Morton curve of a cube, or half
/// of the cube, does about half the near pairs and M2L translations of the
/// sums at all sources, and one target a sliver of them; the progress
/// counts the subset's pairs, and the rows keep their bits on another
/// thread count (at full size the traversal runs in parallel: subtrees of
/// more than 16384 points, `PARALLEL_POINTS`, are split over threads).
#[test]
fn fast_subset_does_only_its_share_of_the_work() {
    let n = test_size(20_000);
    let case = Case::random(5, n, 4, None, Softening::NONE);
    let progress = Progress::new();
    let fast = Fast::new(FastParams {
        leaf_size: 64,
        ..FastParams::default()
    })
    .with_progress(progress.clone());
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
    };
    let all = on(1).install(|| case.eval(&fast));
    let full = fast.stats();
    assert_eq!(progress.get(), (n * (n - 1)) as u64);
    for (name, index, range) in [
        (
            "half the Morton curve",
            morton_share(&case, 0.0, 0.5),
            0.3..0.7,
        ),
        ("x < 0", left_half(&case), 0.3..0.7),
        ("one target", vec![n / 3], 0.0..0.1),
    ] {
        progress.reset();
        let got = on(3).install(|| subset_sums(&case, &index, &fast));
        assert_rows_bits(&got, &all, n, &index, name);
        let part = fast.stats();
        let near = part.near_pairs as f64 / full.near_pairs as f64;
        let m2l = part.m2l_count as f64 / full.m2l_count as f64;
        assert!(
            range.contains(&near) && range.contains(&m2l),
            "{name}: near pairs {near:.3}, M2L {m2l:.3} of the full run's, expected in {range:?}"
        );
        assert_eq!(progress.get(), (index.len() * (n - 1)) as u64, "{name}");
    }
}

#[test]
fn bad_subsets_are_refused_naming_the_target() {
    let case = Case::random(1, 10, 1, None, 0.0);
    let src = Points::new(&case.x, &case.y, &case.z);
    let eval = |index: &[usize], t: [&[f64]; 3]| {
        let problem = Problem::at_source_subset(
            src,
            &case.channels,
            1,
            Points::new(t[0], t[1], t[2]),
            index,
            0.0,
        );
        let mut pot = vec![0.0; index.len()];
        Direct::new().evaluate(&problem, Outputs::potential(&mut pot))
    };
    let at = |index: &[usize]| -> [Vec<f64>; 3] {
        [&case.x, &case.y, &case.z].map(|c| index.iter().map(|&j| c[j.min(9)]).collect())
    };
    let cases: [(&[usize], &str, usize); 3] = [
        (&[2, 2], "strictly increasing", 1),
        (&[3, 10], "past the last source", 1),
        (&[5, 4], "strictly increasing", 1),
    ];
    for (index, problem, target) in cases {
        let t = at(index);
        let err = eval(index, [&t[0], &t[1], &t[2]]).unwrap_err();
        assert!(
            matches!(err, KernelError::BadSubset { target: t, .. } if t == target),
            "{index:?}: {err}"
        );
        assert!(err.to_string().contains(problem), "{index:?}: {err}");
    }
    // A target not at its source's position.
    let mut t = at(&[1, 6]);
    t[1][1] += 1e-9;
    let err = eval(&[1, 6], [&t[0], &t[1], &t[2]]).unwrap_err();
    assert!(
        err.to_string()
            .contains("target 1 of a source subset: its position differs"),
        "{err}"
    );
    // Index and positions of different lengths.
    let t = at(&[1, 6]);
    let err = eval(&[1], [&t[0], &t[1], &t[2]]).unwrap_err();
    assert!(matches!(err, KernelError::LengthMismatch { .. }), "{err}");
}

#[test]
fn coincident_sources_are_reported_by_their_source_indices() {
    let mut case = Case::random(2, 20, 1, None, 0.0);
    case.x[13] = case.x[4];
    case.y[13] = case.y[4];
    case.z[13] = case.z[4];
    let index = [2, 13, 17];
    let pick = |col: &[f64]| index.iter().map(|&j| col[j]).collect::<Vec<_>>();
    let (tx, ty, tz) = (pick(&case.x), pick(&case.y), pick(&case.z));
    let problem = Problem::at_source_subset(
        Points::new(&case.x, &case.y, &case.z),
        &case.channels,
        1,
        Points::new(&tx, &ty, &tz),
        &index,
        0.0,
    );
    let mut pot = [0.0; 3];
    let err = Direct::new()
        .evaluate(&problem, Outputs::potential(&mut pot))
        .unwrap_err();
    assert!(
        matches!(
            err,
            KernelError::Coincident {
                first: 4,
                second: 13
            }
        ),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any subset of any problem, on the best instruction set.
    #[test]
    fn any_subset_gets_the_full_sums_bits(
        seed in 0u64..1000,
        n in 1usize..300,
        nd in 1usize..6,
        p in 0.05f64..1.0,
        soft in prop_oneof![Just(0.0), 0.001f64..0.5],
    ) {
        let case = Case::random(seed, n, nd, None, soft);
        let index = random_subset(seed + 1, n, p);
        prop_assume!(!index.is_empty());
        check_bits(&case, &index, &Direct::new(), "direct");
    }
}
