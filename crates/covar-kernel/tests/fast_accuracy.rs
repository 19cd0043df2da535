//! The fast backend against the direct one: achieved relative L2 errors of
//! potential and gradient at most the requested tolerance, on four
//! distributions, three kinds of sources and three tolerances; degenerate
//! inputs; separate targets; softening. The accuracy, determinism and
//! momentum checks run on every instruction set this CPU has.

mod common;

use common::{test_size, uniform};
use covar_kernel::{
    Direct, Fast, FastParams, Isa, LaplaceSum, Outputs, Points, Problem, Softening, SofteningKernel,
};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

#[derive(Clone, Copy, Debug)]
enum Dist {
    Cube,
    Plummer,
    Sphere,
    Disk,
}

fn points(dist: Dist, n: usize, seed: u64) -> [Vec<f64>; 3] {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut p: [Vec<f64>; 3] = Default::default();
    for _ in 0..n {
        let dir = |rng: &mut Xoshiro256PlusPlus| {
            let ct = uniform(rng, -1.0, 1.0);
            let ph = uniform(rng, 0.0, std::f64::consts::TAU);
            let st = (1.0 - ct * ct).sqrt();
            [st * ph.cos(), st * ph.sin(), ct]
        };
        let v = match dist {
            Dist::Cube => [
                uniform(&mut rng, 0.0, 1.0),
                uniform(&mut rng, 0.0, 1.0),
                uniform(&mut rng, 0.0, 1.0),
            ],
            Dist::Plummer => {
                // Radius from the cumulative mass, truncated at 99.9 %.
                let m = uniform(&mut rng, 1e-9, 0.999);
                let r = 1.0 / (m.powf(-2.0 / 3.0) - 1.0).sqrt();
                dir(&mut rng).map(|c| r * c)
            }
            Dist::Sphere => dir(&mut rng),
            Dist::Disk => {
                let r = uniform(&mut rng, 0.0, 1.0).sqrt();
                let ph = uniform(&mut rng, 0.0, std::f64::consts::TAU);
                [r * ph.cos(), r * ph.sin(), uniform(&mut rng, -1e-3, 1e-3)]
            }
        };
        for d in 0..3 {
            p[d].push(v[d]);
        }
    }
    p
}

#[derive(Clone, Copy, Debug)]
enum Sources {
    /// Masses: positive, one channel.
    Positive,
    /// ±1 charges summing to zero.
    Neutral,
    /// Four channels like q, q u_x, q u_y, q u_z.
    VectorLike,
}

fn channels(kind: Sources, n: usize, seed: u64) -> (Vec<f64>, usize) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    match kind {
        Sources::Positive => ((0..n).map(|_| uniform(&mut rng, 0.5, 1.5)).collect(), 1),
        Sources::Neutral => (
            (0..n)
                .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
                .collect(),
            1,
        ),
        Sources::VectorLike => {
            let q: Vec<f64> = (0..n).map(|_| uniform(&mut rng, -1.0, 1.0)).collect();
            let mut ch = q.clone();
            for _ in 0..3 {
                ch.extend(q.iter().map(|q| q * uniform(&mut rng, -1.0, 1.0)));
            }
            (ch, 4)
        }
    }
}

fn rel_l2(got: &[f64], want: &[f64]) -> f64 {
    let num: f64 = got.iter().zip(want).map(|(a, b)| (a - b) * (a - b)).sum();
    let den: f64 = want.iter().map(|b| b * b).sum();
    (num / den).sqrt()
}

fn eval(b: &impl LaplaceSum, p: &Problem<'_>) -> (Vec<f64>, Vec<f64>) {
    let nt = p.n_targets();
    let nd = p.sources.nd;
    let (mut pot, mut grad) = (vec![0.0; nd * nt], vec![0.0; 3 * nd * nt]);
    b.evaluate(p, Outputs::with_gradient(&mut pot, &mut grad))
        .unwrap();
    (pot, grad)
}

/// Small leaves so that a few thousand points make a tree with several
/// levels of translations.
fn fast(tolerance: f64) -> Fast {
    fast_on(tolerance, Isa::best())
}

/// As [`fast`], on instruction set `isa`.
fn fast_on(tolerance: f64, isa: Isa) -> Fast {
    let params = FastParams {
        leaf_size: 32,
        ..FastParams::with_tolerance(tolerance)
    };
    Fast::with_isa(params, isa).expect("an available instruction set")
}

#[test]
fn achieved_error_is_within_the_requested_tolerance() {
    let n = test_size(2000);
    let mut worst = Vec::new();
    for (k, dist) in [Dist::Cube, Dist::Plummer, Dist::Sphere, Dist::Disk]
        .into_iter()
        .enumerate()
    {
        let [x, y, z] = points(dist, n, 10 + k as u64);
        for kind in [Sources::Positive, Sources::Neutral, Sources::VectorLike] {
            let (ch, nd) = channels(kind, n, 20 + k as u64);
            let problem = Problem::at_sources(Points::new(&x, &y, &z), &ch, nd, 0.0);
            let (pot_ref, grad_ref) = eval(&Direct::new(), &problem);
            for tol in [1e-3, 1e-6, 1e-9] {
                for isa in common::isas() {
                    let (b, ep, eg) = fast_errors(tol, isa, &problem, (&pot_ref, &grad_ref));
                    let ok = if ep <= tol && eg <= tol { "ok" } else { "FAIL" };
                    let near = if b.stats().near_relaxed {
                        "relaxed"
                    } else {
                        "full"
                    };
                    worst.push(format!(
                        "{ok} {dist:?} {kind:?} tol {tol:e} {isa} ({near} near): p = {}, \
                         pot {ep:.2e}, grad {eg:.2e}",
                        b.stats().order
                    ));
                }
            }
        }
    }
    all_ok(&worst, "relative L2 error above the tolerance");
}

#[test]
fn separate_targets() {
    let [x, y, z] = points(Dist::Plummer, 2000, 1);
    let [tx, ty, tz] = points(Dist::Cube, 700, 2);
    let (ch, nd) = channels(Sources::VectorLike, 2000, 3);
    let problem = Problem::at_points(
        Points::new(&x, &y, &z),
        &ch,
        nd,
        Points::new(&tx, &ty, &tz),
        0.0,
    );
    let (pot_ref, grad_ref) = eval(&Direct::new(), &problem);
    let (pot, grad) = eval(&fast(1e-6), &problem);
    let (ep, eg) = (rel_l2(&pot, &pot_ref), rel_l2(&grad, &grad_ref));
    assert!(ep <= 1e-6 && eg <= 1e-6, "pot {ep:e} grad {eg:e}");
}

#[test]
fn softened_sums_match_direct() {
    let [x, y, z] = points(Dist::Plummer, 2000, 4);
    let (ch, nd) = channels(Sources::Positive, 2000, 5);
    for s in [1e-3, 0.05] {
        let problem = Problem::at_sources(Points::new(&x, &y, &z), &ch, nd, s);
        let (pot_ref, grad_ref) = eval(&Direct::new(), &problem);
        let (pot, grad) = eval(&fast(1e-6), &problem);
        let (ep, eg) = (rel_l2(&pot, &pot_ref), rel_l2(&grad, &grad_ref));
        assert!(ep <= 1e-6 && eg <= 1e-6, "s = {s}: {ep:e} {eg:e}");
    }
}

/// Compact kernels: the achieved error within the tolerance at 1e-3, 1e-6
/// and 1e-9 on a Plummer sphere and a cube, with `s = 0.01` and `0.1`, on
/// every instruction set, with part of the near field (at `s = 0.01`)
/// beyond the support and summed with the plain `1/r`; and with `s = 0.01` on the cube far fewer pairs
/// summed directly than under Plummer softening of the same length (whose
/// gap `s / sqrt(2 tol)` exceeds the cube at 1e-6).
#[test]
fn compact_softening_within_tolerance() {
    let n = test_size(3000);
    let mut lines = Vec::new();
    for (k, dist) in [Dist::Plummer, Dist::Cube].into_iter().enumerate() {
        let [x, y, z] = points(dist, n, 50 + k as u64);
        let (ch, nd) = channels(Sources::Positive, n, 60 + k as u64);
        for kernel in [SofteningKernel::Spline, SofteningKernel::WendlandC2] {
            for length in [0.01, 0.1] {
                let soft = Softening::new(kernel, length);
                let problem = Problem::at_sources(Points::new(&x, &y, &z), &ch, nd, soft);
                let (pot_ref, grad_ref) = eval(&Direct::new(), &problem);
                for tol in [1e-3, 1e-6, 1e-9] {
                    for isa in common::isas() {
                        let (b, ep, eg) = fast_errors(tol, isa, &problem, (&pot_ref, &grad_ref));
                        let stats = b.stats();
                        // Leaves of 32: at s = 0.01 some near leaves lie
                        // beyond the support and take the plain 1/r.
                        let split = stats.near_unsoftened < stats.near_pairs
                            && (length > 0.05 || stats.near_unsoftened > 0);
                        let ok = ep <= tol && eg <= tol && split;
                        lines.push(format!(
                            "{} {dist:?} {soft} tol {tol:e} {isa}: pot {ep:.2e}, grad {eg:.2e}, \
                             near pairs {} ({} beyond the support)",
                            if ok { "ok" } else { "FAIL" },
                            stats.near_pairs,
                            stats.near_unsoftened
                        ));
                    }
                }
            }
        }
    }
    all_ok(&lines, "relative L2 error above the tolerance");
    // At full size whatever COVAR_TEST_QUICK says (two evaluations): with
    // fewer points the tree has too few levels for the counts to part.
    let n = 3000;
    let [x, y, z] = points(Dist::Cube, n, 51);
    let (ch, nd) = channels(Sources::Positive, n, 61);
    let near = |soft: Softening| {
        let b = fast(1e-6);
        let problem = Problem::at_sources(Points::new(&x, &y, &z), &ch, nd, soft);
        eval(&b, &problem);
        b.stats().near_pairs
    };
    let (plummer, spline) = (
        near(Softening::plummer(0.01)),
        near(Softening::new(SofteningKernel::Spline, 0.01)),
    );
    assert!(
        3 * spline < plummer,
        "near pairs: spline {spline}, plummer {plummer}"
    );
}

/// The near field's relative bound (of the sum of absolute terms) when
/// `b`'s last evaluation used the relaxed `1/r`: `3 e`; 0 otherwise.
fn near_bound(b: &Fast) -> f64 {
    if b.stats().near_relaxed {
        3.0 * b.isa().relaxed_rsqrt_error()
    } else {
        0.0
    }
}

#[test]
fn degenerate_inputs() {
    let b = fast(1e-6);
    // N = 0, 1, 2: every pair is direct, so fast equals direct to round-off
    // with the full 1/r (tolerance 1e-12) and to the relaxed 1/r's bound
    // (3 e for the gradient) at 1e-6 where that is used.
    for tol in [1e-12, 1e-6] {
        let b = fast(tol);
        for n in [0usize, 1, 2] {
            let [x, y, z] = points(Dist::Cube, n, 6);
            let q = vec![1.0; n];
            let problem = Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0);
            let (pot_ref, grad_ref) = eval(&Direct::new(), &problem);
            let (pot, grad) = eval(&b, &problem);
            assert_eq!(pot.len(), n);
            let bound = near_bound(&b) + 1e-14;
            for (a, w) in pot.iter().chain(&grad).zip(pot_ref.iter().chain(&grad_ref)) {
                assert!((a - w).abs() <= bound * w.abs().max(1e-300), "n = {n}");
            }
        }
    }
    // All points at one point, softened: every pair is direct.
    let n = 500;
    let (x, y, z) = (vec![0.25; n], vec![0.5; n], vec![0.75; n]);
    let q: Vec<f64> = (0..n).map(|i| (i % 3) as f64 - 1.0).collect();
    let problem = Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.1);
    let (pot_ref, _) = eval(&Direct::new(), &problem);
    let (pot, _) = eval(&b, &problem);
    // Charges -1, 0, 1 at one point: the sum of absolute terms is about
    // 2/3 of n terms of 1/s, the sums themselves a few terms.
    let abs_sum = (2 * n / 3) as f64 / 0.1;
    let worst = pot
        .iter()
        .zip(&pot_ref)
        .map(|(a, w)| (a - w).abs())
        .fold(0.0, f64::max);
    assert!(worst <= (near_bound(&b) + 1e-13) * abs_sum, "{worst:e}");
    // Many coincident pairs with softening, and one point very far away.
    let [mut x, mut y, mut z] = points(Dist::Cube, 1000, 7);
    for i in (0..1000).step_by(2) {
        (x[i + 1], y[i + 1], z[i + 1]) = (x[i], y[i], z[i]);
    }
    x[999] = 1e9;
    let q = vec![1.0; 1000];
    let problem = Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 1e-2);
    let (pot_ref, grad_ref) = eval(&Direct::new(), &problem);
    let (pot, grad) = eval(&b, &problem);
    assert!(rel_l2(&pot, &pot_ref) <= 1e-6 && rel_l2(&grad, &grad_ref) <= 1e-6);
}

/// The M2L method, whatever a calibration picks (every order by rotation,
/// every order term by term, the built-in rule), changes the bits but not
/// the accuracy: within the tolerance at 1e-3 and 1e-7, one and four
/// channels.
#[test]
fn any_m2l_method_is_within_the_tolerance() {
    let n = test_size(2000);
    let [x, y, z] = points(Dist::Plummer, n, 70);
    let mut lines = Vec::new();
    for kind in [Sources::Neutral, Sources::VectorLike] {
        let (ch, nd) = channels(kind, n, 71);
        let problem = Problem::at_sources(Points::new(&x, &y, &z), &ch, nd, 0.0);
        let (pot_ref, grad_ref) = eval(&Direct::new(), &problem);
        for tol in [1e-3, 1e-7] {
            let mut bits = Vec::new();
            for term in [Some(1), Some(64), None] {
                let params = FastParams {
                    leaf_size: 32,
                    m2l_term_order: term,
                    ..FastParams::with_tolerance(tol)
                };
                let b = Fast::new(params);
                let (pot, grad) = eval(&b, &problem);
                let (ep, eg) = (rel_l2(&pot, &pot_ref), rel_l2(&grad, &grad_ref));
                let ok = ep <= tol
                    && eg <= tol
                    && b.stats().m2l_term_order == params.term_by_term_up_to(nd);
                lines.push(format!(
                    "{} nd {nd} tol {tol:e} term-by-term up to {term:?}: pot {ep:.2e}, grad {eg:.2e}",
                    if ok { "ok" } else { "FAIL" }
                ));
                bits.push(pot.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
            }
            // The two extremes are different methods, not the same code.
            if bits[0] == bits[1] {
                lines.push(format!(
                    "FAIL nd {nd} tol {tol:e}: both methods gave the same bits"
                ));
            }
        }
    }
    all_ok(&lines, "relative L2 error above the tolerance");
}

#[test]
fn same_bits_for_any_thread_count() {
    let n = test_size(20_000);
    let [x, y, z] = points(Dist::Plummer, n, 8);
    let (ch, nd) = channels(Sources::VectorLike, n, 9);
    let problem = Problem::at_sources(Points::new(&x, &y, &z), &ch, nd, 0.0);
    for isa in common::isas() {
        let params = FastParams {
            leaf_size: 64,
            ..FastParams::default()
        };
        let b = Fast::with_isa(params, isa).unwrap();
        let runs: Vec<Vec<u64>> = [1, 2, 3]
            .into_iter()
            .map(|t| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(t)
                    .build()
                    .unwrap();
                let (pot, grad) = pool.install(|| eval(&b, &problem));
                pot.iter().chain(&grad).map(|v| v.to_bits()).collect()
            })
            .collect();
        assert!(runs[0] == runs[1] && runs[0] == runs[2], "{isa}");
    }
}

/// `|sum_i q_i grad phi_i| / sum_i |q_i grad phi_i|` for channel 0 of `ch`
/// and the gradient of that channel, and the same with exact gradients.
fn momentum_residual(q: &[f64], grad: &[f64]) -> f64 {
    let n = q.len();
    let (mut net, mut size) = ([0.0f64; 3], 0.0);
    for i in 0..n {
        let f = [0, 1, 2].map(|d| q[i] * grad[d * n + i]);
        for d in 0..3 {
            net[d] += f[d];
        }
        size += f.iter().map(|v| v * v).sum::<f64>().sqrt();
    }
    net.iter().map(|v| v * v).sum::<f64>().sqrt() / size
}

/// Both directions of a cell pair use the same triangularly truncated
/// expansion of `1/|x - y|` (M2L keeps `n + l <= p`; M2M and L2L are exact;
/// P2L and M2P truncate the same series) and the acceptance test is
/// symmetric, so the approximate pair energy is translation invariant and
/// the forces sum to zero to round-off, although each force is only
/// accurate to the tolerance. Checked on every distribution, positive and
/// signed sources, two tolerances and a softened case.
#[test]
fn forces_conserve_momentum_to_round_off() {
    let n = test_size(3000);
    let mut lines = Vec::new();
    for (k, dist) in [Dist::Cube, Dist::Plummer, Dist::Sphere, Dist::Disk]
        .into_iter()
        .enumerate()
    {
        let [x, y, z] = points(dist, n, 30 + k as u64);
        for kind in [Sources::Positive, Sources::Neutral] {
            let (q, _) = channels(kind, n, 40 + k as u64);
            let spline = Softening::new(SofteningKernel::Spline, 0.01);
            for (tol, s) in [
                (1e-3, Softening::NONE),
                (1e-6, Softening::NONE),
                (1e-3, Softening::plummer(1e-4)),
                (1e-3, spline),
            ] {
                let problem = Problem::at_sources(Points::new(&x, &y, &z), &q, 1, s);
                let (_, grad_ref) = eval(&Direct::new(), &problem);
                for isa in common::isas() {
                    let (_, grad) = eval(&fast_on(tol, isa), &problem);
                    let residual = momentum_residual(&q, &grad);
                    let error = rel_l2(&grad, &grad_ref);
                    // Round-off: n terms summed, each good to a few ulps.
                    let ok = residual <= 1e-13 && residual < 1e-3 * error;
                    lines.push(format!(
                        "{} {dist:?} {kind:?} tol {tol:e} s {s} {isa}: residual {residual:.2e}, \
                         force error {error:.2e}, direct's residual {:.2e}",
                        if ok { "ok" } else { "FAIL" },
                        momentum_residual(&q, &grad_ref)
                    ));
                }
            }
        }
    }
    all_ok(&lines, "momentum not conserved to round-off");
}

/// Prints every case's line, then fails naming `what` if any line is not
/// "ok ...".
fn all_ok(lines: &[String], what: &str) {
    println!("{}", lines.join("\n"));
    assert!(
        lines.iter().all(|l| l.starts_with("ok")),
        "{what}:\n{}",
        lines.join("\n")
    );
}

/// The fast backend at `tol` on `isa`, with its relative L2 errors of
/// potential and gradient on `problem` against `reference`.
fn fast_errors(
    tol: f64,
    isa: Isa,
    problem: &Problem<'_>,
    (pot_ref, grad_ref): (&[f64], &[f64]),
) -> (Fast, f64, f64) {
    let b = fast_on(tol, isa);
    let (pot, grad) = eval(&b, problem);
    let (ep, eg) = (rel_l2(&pot, pot_ref), rel_l2(&grad, grad_ref));
    (b, ep, eg)
}
