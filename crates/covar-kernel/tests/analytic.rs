//! Known values: two- and three-particle sums worked out by hand, and
//! Newton's third law for the exact backends.

mod common;

use common::Case;
use covar_kernel::{Backend, Direct, LaplaceSum, Naive, Outputs, Points, Problem};

/// Every exact backend: naive and direct on each instruction set of this CPU.
fn exact_backends() -> Vec<Backend> {
    let mut all = vec![Backend::Naive(Naive::new())];
    for isa in common::isas() {
        all.push(Backend::Direct(Direct::with_isa(isa).unwrap()));
    }
    all
}

fn eval(b: &Backend, p: &Problem<'_>) -> (Vec<f64>, Vec<f64>) {
    let nd = p.sources.nd;
    let nt = p.n_targets();
    let mut pot = vec![0.0; nd * nt];
    let mut grad = vec![0.0; 3 * nd * nt];
    b.evaluate(p, Outputs::with_gradient(&mut pot, &mut grad))
        .unwrap();
    (pot, grad)
}

fn close(what: &str, got: f64, want: f64) {
    let tol = 4.0 * f64::EPSILON * want.abs().max(1e-300);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e}, |diff| {:e} > {tol:e}",
        (got - want).abs()
    );
}

#[test]
fn two_charges_on_an_axis() {
    // q0 = 2 at the origin, q1 = -3 at (0, 0, 4): phi_0 = -3/4, phi_1 = 2/4;
    // grad phi_0 = -q1 (r0 - r1)/|r|^3 = -(-3)(0,0,-4)/64 = (0, 0, -3/16).
    let (x, y, z) = ([0.0, 0.0], [0.0, 0.0], [0.0, 4.0]);
    let q = [2.0, -3.0];
    for b in exact_backends() {
        let (pot, grad) = eval(
            &b,
            &Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0),
        );
        let name = format!("{} {b:?}", b.name());
        close(&format!("{name} phi_0"), pot[0], -0.75);
        close(&format!("{name} phi_1"), pot[1], 0.5);
        // grad layout: [d/dx of targets 0,1 | d/dy | d/dz]
        assert_eq!(&grad[..4], &[0.0; 4], "{name}: x and y components vanish");
        close(&format!("{name} dphi_0/dz"), grad[4], -3.0 / 16.0);
        // grad phi_1 = -q0 (r1 - r0)/|r|^3 = -2 (0,0,4)/64 = (0,0,-1/8)
        close(&format!("{name} dphi_1/dz"), grad[5], -0.125);
    }
}

#[test]
fn softened_pair() {
    // s = 3, separation 4: G = 1/5, G^3 = 1/125.
    let (x, y, z) = ([0.0, 4.0], [0.0, 0.0], [0.0, 0.0]);
    let q = [1.0, 1.0];
    for b in exact_backends() {
        let (pot, grad) = eval(
            &b,
            &Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 3.0),
        );
        close("phi_0", pot[0], 0.2);
        close("dphi_0/dx", grad[0], 4.0 / 125.0);
        close("dphi_1/dx", grad[1], -4.0 / 125.0);
    }
}

#[test]
fn three_charges_on_a_right_triangle() {
    // (0,0,0) q=1, (3,0,0) q=2, (0,4,0) q=-1: distances 3, 4, 5.
    let (x, y, z) = ([0.0, 3.0, 0.0], [0.0, 0.0, 4.0], [0.0; 3]);
    let q = [1.0, 2.0, -1.0];
    let want_phi = [
        2.0 / 3.0 - 1.0 / 4.0,
        1.0 / 3.0 - 1.0 / 5.0,
        1.0 / 4.0 + 2.0 / 5.0,
    ];
    // grad phi_0 = -sum_j q_j (r0 - rj)/|r0 - rj|^3
    //            = -[2 (-3,0)/27 + (-1)(0,-4)/64] = (2/9, -1/16)
    let want_grad0 = [2.0 / 9.0, -1.0 / 16.0];
    for b in exact_backends() {
        let (pot, grad) = eval(
            &b,
            &Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0),
        );
        for i in 0..3 {
            close(&format!("{} phi_{i}", b.name()), pot[i], want_phi[i]);
        }
        close("dphi_0/dx", grad[0], want_grad0[0]);
        close("dphi_0/dy", grad[3], want_grad0[1]);
    }
}

#[test]
fn separate_targets_see_every_source() {
    // Target at the origin, unit charges at distance 1 along +x and 2 along +y.
    let (sx, sy, sz) = ([1.0, 0.0], [0.0, 2.0], [0.0, 0.0]);
    let (tx, ty, tz) = ([0.0], [0.0], [0.0]);
    let q = [1.0, 1.0];
    for b in exact_backends() {
        let p = Problem::at_points(
            Points::new(&sx, &sy, &sz),
            &q,
            1,
            Points::new(&tx, &ty, &tz),
            0.0,
        );
        let (pot, grad) = eval(&b, &p);
        close("phi", pot[0], 1.5);
        close("dphi/dx", grad[0], 1.0);
        close("dphi/dy", grad[1], 0.25);
    }
}

/// `sum_i q_i E_i = 0`: pairwise forces cancel. The exact backends compute
/// each directed pair separately, so the residual is round-off: we require
/// it below 1e-14 of `sum_i |q_i E_i|` (measured ~1e-17).
#[test]
fn newtons_third_law() {
    for (seed, n, s) in [(1u64, 500usize, 0.0), (2, 1000, 0.05), (3, 257, 0.0)] {
        let case = Case::random(seed, n, 1, None, s);
        for b in exact_backends() {
            let (_, grad) = eval(&b, &case.problem());
            let q = &case.channels;
            for d in 0..3 {
                let row = &grad[d * n..(d + 1) * n];
                let total: f64 = row.iter().zip(q).map(|(g, q)| q * g).sum();
                let scale: f64 = row.iter().zip(q).map(|(g, q)| (q * g).abs()).sum();
                assert!(
                    total.abs() <= 1e-14 * scale,
                    "{} axis {d}: |sum q E| = {:e} vs sum |q E| = {scale:e}",
                    b.name(),
                    total.abs()
                );
            }
        }
    }
}

#[test]
fn empty_and_single_point() {
    for b in exact_backends() {
        let e: [f64; 0] = [];
        let mut none: [f64; 0] = [];
        b.evaluate(
            &Problem::at_sources(Points::new(&e, &e, &e), &e, 1, 0.0),
            Outputs::potential(&mut none),
        )
        .unwrap();
        // One particle sees nothing: zero potential and gradient.
        let one = [0.5];
        let (pot, grad) = eval(
            &b,
            &Problem::at_sources(Points::new(&one, &one, &one), &[7.0], 1, 0.0),
        );
        assert_eq!(pot, vec![0.0]);
        assert_eq!(grad, vec![0.0; 3]);
    }
}

#[test]
fn progress_counts_pair_interactions() {
    use covar_kernel::Progress;
    // Targets at the sources: N (N - 1) pairs; separate targets: N_t N_s.
    let case = Case::random(21, 130, 2, None, 0.0);
    let separate = Case::random(22, 130, 2, Some(77), 0.0);
    for b in exact_backends() {
        let p = Progress::new();
        let b = b.with_progress(p.clone());
        case.eval(&b);
        assert_eq!(p.get(), 130 * 129, "{}", b.name());
        p.reset();
        separate.eval(&b);
        assert_eq!(p.get(), 130 * 77, "{}", b.name());
    }
}
