//! Sums at a subset of the sources (`Targets::SourceSubset`) are the rows of
//! the sums at all sources, bit for bit, on the naive and direct backends
//! and on every instruction set (a process that owns some particles gets
//! the bits a single process gets), and the rows of the fast backend's sums
//! at all sources. Bad subsets are refused, naming the target.

mod common;

use common::{Case, uniform};
use covar_kernel::{
    Direct, Fast, FastParams, KernelError, LaplaceSum, Naive, Outputs, Points, Problem, Softening,
    SofteningKernel,
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

/// Asserts the subset's sums equal the full sums' rows, bit for bit.
fn check_bits(case: &Case, index: &[usize], backend: &impl LaplaceSum, what: &str) {
    let (pot_all, grad_all) = case.eval(backend);
    let (pot, grad) = subset_sums(case, index, backend);
    let n = case.n();
    for (name, got, want) in [
        ("potential", pot, rows(&pot_all, n, index)),
        ("gradient", grad, rows(&grad_all, n, index)),
    ] {
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                g.to_bits() == w.to_bits(),
                "{what} {name}[{k}]: subset {g:e}, all {w:e} (index {index:?})"
            );
        }
    }
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
fn subset_rows_equal_the_full_sums_on_the_naive_and_fast_backends() {
    let fast = Fast::new(FastParams {
        leaf_size: 16,
        ..FastParams::default()
    });
    for s in softenings() {
        let case = Case::random(7, 700, 4, None, s);
        for index in subsets(700, 3) {
            check_bits(&case, &index, &Naive::new(), &format!("naive s={s}"));
            check_bits(&case, &index, &fast, &format!("fast s={s}"));
        }
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
