//! The multipole and local expansions of the fast backend, stage by stage
//! against direct sums written here, translations against the `O(p^4)`
//! references, gradients against finite differences, and the truncation
//! bounds of `fast::expansion::order`.
//!
//! Errors are measured relative to the pair's monopole scale (`A / R` for
//! potentials, `A / R^2` for gradients, `A = sum |s|` of the sources), the
//! unit of the bounds. `cargo test --test fast_expansion -- --nocapture`
//! prints the measured errors and the M2L timings.

mod common;

use std::time::Instant;

use common::uniform;
use covar_kernel::Points;
use covar_kernel::fast::expansion::reference::{l2l_reference, m2l_reference, m2m_reference};
use covar_kernel::fast::expansion::{
    Channels, Fields, Frame, MAX_ORDER, Operators, Quantity, Rotation, index, irregular,
    n_coefficients, order_for_tolerance, regular, truncation_error,
};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

type Rng = Xoshiro256PlusPlus;

/// Potentials `[c * nt + i]` and gradients `[(3c + d) nt + i]`.
type Rows = (Vec<f64>, Vec<f64>);

/// Points with `nd` channels, channel-major (`values[c * n + j]`).
#[derive(Clone, Debug)]
struct Cloud {
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    values: Vec<f64>,
    nd: usize,
}

impl Cloud {
    fn n(&self) -> usize {
        self.x.len()
    }

    fn points(&self) -> Points<'_> {
        Points::new(&self.x, &self.y, &self.z)
    }

    fn channels(&self) -> Channels<'_> {
        Channels::new(&self.values, self.n())
    }

    /// `sum_j |s^c_j|` per channel.
    fn weight(&self) -> Vec<f64> {
        (0..self.nd)
            .map(|c| {
                self.values[c * self.n()..(c + 1) * self.n()]
                    .iter()
                    .map(|v| v.abs())
                    .sum()
            })
            .collect()
    }

    /// Largest distance of a point from `center`.
    fn radius(&self, center: [f64; 3]) -> f64 {
        (0..self.n())
            .map(|j| dist([self.x[j], self.y[j], self.z[j]], center))
            .fold(0.0, f64::max)
    }
}

/// `n` points uniform in the ball of `radius` about `center`, with `nd`
/// channels: channel 0 is `+-1` alternating (sums to zero for even `n`),
/// channel 1 signed with its mean removed (no monopole), channel 2 positive
/// (gravity), further channels uniform in [-1, 1).
fn ball(seed: u64, center: [f64; 3], radius: f64, n: usize, nd: usize) -> Cloud {
    let mut rng = Rng::seed_from_u64(seed);
    let (mut x, mut y, mut z) = (Vec::new(), Vec::new(), Vec::new());
    while x.len() < n {
        let v = [
            uniform(&mut rng, -1.0, 1.0),
            uniform(&mut rng, -1.0, 1.0),
            uniform(&mut rng, -1.0, 1.0),
        ];
        if v[0] * v[0] + v[1] * v[1] + v[2] * v[2] <= 1.0 {
            x.push(center[0] + radius * v[0]);
            y.push(center[1] + radius * v[1]);
            z.push(center[2] + radius * v[2]);
        }
    }
    let mut values = Vec::with_capacity(n * nd);
    for c in 0..nd {
        let mut col: Vec<f64> = match c {
            0 => (0..n)
                .map(|j| if j % 2 == 0 { 1.0 } else { -1.0 })
                .collect(),
            2 => (0..n).map(|_| uniform(&mut rng, 0.1, 1.0)).collect(),
            _ => (0..n).map(|_| uniform(&mut rng, -1.0, 1.0)).collect(),
        };
        if c == 1 {
            let mean = col.iter().sum::<f64>() / n as f64;
            col.iter_mut().for_each(|v| *v -= mean);
        }
        values.extend(col);
    }
    Cloud {
        x,
        y,
        z,
        values,
        nd,
    }
}

/// `n` points uniform on the sphere of `radius` about `center`.
fn sphere(rng: &mut Rng, center: [f64; 3], radius: f64, n: usize) -> [Vec<f64>; 3] {
    let mut out: [Vec<f64>; 3] = Default::default();
    while out[0].len() < n {
        let v = [
            uniform(rng, -1.0, 1.0),
            uniform(rng, -1.0, 1.0),
            uniform(rng, -1.0, 1.0),
        ];
        let r = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        if r > 0.1 && r <= 1.0 {
            for d in 0..3 {
                out[d].push(center[d] + radius * v[d] / r);
            }
        }
    }
    out
}

fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Direct potentials `[c * nt + i]` and gradients `[(3c + d) nt + i]`.
fn direct(src: &Cloud, t: &[Vec<f64>; 3]) -> Rows {
    let (n, nt, nd) = (src.n(), t[0].len(), src.nd);
    let mut pot = vec![0.0; nd * nt];
    let mut grad = vec![0.0; 3 * nd * nt];
    for i in 0..nt {
        for j in 0..n {
            let d = [t[0][i] - src.x[j], t[1][i] - src.y[j], t[2][i] - src.z[j]];
            let g = 1.0 / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
            for c in 0..nd {
                let s = src.values[c * n + j];
                pot[c * nt + i] += s * g;
                for k in 0..3 {
                    grad[(3 * c + k) * nt + i] -= s * d[k] * g * g * g;
                }
            }
        }
    }
    (pot, grad)
}

/// Largest error of potentials and of gradient vectors, per channel divided
/// by `weight[c] / r` and `weight[c] / r^2`.
fn worst(
    (pot, grad): (&[f64], &[f64]),
    (want_pot, want_grad): (&[f64], &[f64]),
    nt: usize,
    weight: &[f64],
    r: f64,
) -> (f64, f64) {
    let (mut ep, mut eg) = (0.0f64, 0.0f64);
    for (c, w) in weight.iter().enumerate() {
        for i in 0..nt {
            ep = ep.max((pot[c * nt + i] - want_pot[c * nt + i]).abs() / (w / r));
            // Scaled before squaring: gradients may be near the overflow limit.
            let e2: f64 = (0..3)
                .map(|d| {
                    ((grad[(3 * c + d) * nt + i] - want_grad[(3 * c + d) * nt + i]) / (w / r / r))
                        .powi(2)
                })
                .sum();
            eg = eg.max(e2.sqrt());
        }
    }
    (ep, eg)
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, b| a.max(b.abs()))
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

/// Asserts `|got - want| <= allowed` element-wise, printing both on failure.
fn assert_close(what: &str, got: &[f64], want: &[f64], allowed: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for i in 0..got.len() {
        let diff = (got[i] - want[i]).abs();
        assert!(
            diff <= allowed,
            "{what}[{i}]: got {:e}, want {:e}, |diff| = {diff:e} > allowed {allowed:e}",
            got[i],
            want[i]
        );
    }
}

/// L2P (or M2P) of an expansion at targets, into fresh rows.
fn evaluate(
    ops: &mut Operators,
    local: bool,
    frame: Frame,
    coef: &[f64],
    t: &[Vec<f64>; 3],
) -> Rows {
    let (nt, nd) = (t[0].len(), ops.channels());
    let mut pot = vec![0.0; nd * nt];
    let mut grad = vec![0.0; 3 * nd * nt];
    let pts = Points::new(&t[0], &t[1], &t[2]);
    let out = Fields::with_gradient(&mut pot, &mut grad, nt);
    if local {
        ops.l2p(frame, coef, pts, out);
    } else {
        ops.m2p(frame, coef, pts, out);
    }
    (pot, grad)
}

const ORDERS: [usize; 6] = [2, 4, 8, 12, 16, 20];

#[test]
fn p2m_then_m2p_matches_direct_within_the_bound() {
    let theta = 0.5;
    let center = [0.3, -0.2, 0.1];
    let src = ball(1, center, 1.0, 200, 4);
    let weight = src.weight();
    let a = src.radius(center);
    let r = a / theta;
    let mut rng = Rng::seed_from_u64(2);
    let t = sphere(&mut rng, center, r, 64);
    let want = direct(&src, &t);
    let frame = Frame { center, scale: a };
    println!("P2M + M2P, theta = {theta}, 200 points, nd = 4 (errors relative to A/R, A/R^2)");
    println!("   p   pot error   bound      grad error  bound");
    let mut errors = Vec::new();
    for p in ORDERS {
        let mut ops = Operators::new(p, 4);
        let mut m = vec![0.0; ops.expansion_len()];
        ops.p2m(frame, src.points(), src.channels(), &mut m);
        let got = evaluate(&mut ops, false, frame, &m, &t);
        let (ep, eg) = worst((&got.0, &got.1), (&want.0, &want.1), t[0].len(), &weight, r);
        let (bp, bg) = (
            truncation_error(p, theta, Quantity::Potential),
            truncation_error(p, theta, Quantity::Gradient),
        );
        println!("{p:4}   {ep:.3e}   {bp:.3e}   {eg:.3e}   {bg:.3e}");
        assert!(
            ep <= bp,
            "p = {p}: potential error {ep:e} above the bound {bp:e}"
        );
        assert!(
            eg <= bg,
            "p = {p}: gradient error {eg:e} above the bound {bg:e}"
        );
        errors.push(ep);
    }
    // Geometric convergence at the predicted rate theta (the outermost
    // points sit near radius a): the mean rate between p = 4 and p = 16.
    let rate = (errors[4] / errors[1]).powf(1.0 / 12.0);
    println!("observed rate {rate:.3} (predicted <= {theta})");
    assert!(
        rate <= 1.05 * theta && rate >= 0.5 * theta,
        "rate {rate} vs theta {theta}"
    );
}

#[test]
fn channels_are_independent_and_rows_strided() {
    // nd = 4 in one call equals four nd = 1 calls, and the output rows land
    // at `c * stride + i` of an offset slice, leaving the rest untouched.
    let p = 7;
    let center = [0.0, 0.0, 0.0];
    let src = ball(3, center, 1.0, 30, 4);
    let frame = Frame { center, scale: 1.0 };
    let mut ops4 = Operators::new(p, 4);
    let mut m4 = vec![0.0; ops4.expansion_len()];
    ops4.p2m(frame, src.points(), src.channels(), &mut m4);
    let mut ops1 = Operators::new(p, 1);
    let nc = n_coefficients(p);
    let (x, y, z) = ([4.0, -3.0], [1.0, 2.5], [-2.0, 3.0]);
    let (nt, stride, off) = (2, 5, 3);
    let mut pot4 = vec![0.0; off + 4 * stride];
    let mut grad4 = vec![0.0; off + 12 * stride];
    ops4.m2p(
        frame,
        &m4,
        Points::new(&x, &y, &z),
        Fields::with_gradient(&mut pot4[off..], &mut grad4[off..], stride),
    );
    for c in 0..4 {
        let mut m1 = vec![0.0; nc];
        let vals = &src.values[c * src.n()..(c + 1) * src.n()];
        ops1.p2m(frame, src.points(), Channels::new(vals, src.n()), &mut m1);
        assert_eq!(&m4[c * nc..(c + 1) * nc], &m1[..], "channel {c} multipole");
        let (mut pot1, mut grad1) = (vec![0.0; nt], vec![0.0; 3 * nt]);
        ops1.m2p(
            frame,
            &m1,
            Points::new(&x, &y, &z),
            Fields::with_gradient(&mut pot1, &mut grad1, nt),
        );
        for i in 0..nt {
            assert_eq!(pot4[off + c * stride + i], pot1[i]);
            for d in 0..3 {
                assert_eq!(grad4[off + (3 * c + d) * stride + i], grad1[d * nt + i]);
            }
        }
    }
    let untouched = |v: &[f64], rows: usize| {
        (0..off)
            .chain((0..rows).flat_map(|r| off + r * stride + nt..off + (r + 1) * stride))
            .all(|k| v[k] == 0.0)
    };
    assert!(
        untouched(&pot4, 4) && untouched(&grad4, 12),
        "rows written outside their points"
    );
}

#[test]
fn m2m_equals_p2m_at_the_parent() {
    // Parent: the cube [-1, 1]^3, scale its radius sqrt 3; children: its
    // octants. P2M in each child then M2M equals P2M of everything at the
    // parent, to round-off of the coefficients (which are <= A in size).
    let s3 = 3f64.sqrt();
    let parent = Frame {
        center: [0.0; 3],
        scale: s3,
    };
    for p in [0, 1, 4, 10, 20] {
        let mut ops = Operators::new(p, 4);
        let mut direct_m = vec![0.0; ops.expansion_len()];
        let mut via_children = vec![0.0; ops.expansion_len()];
        let mut via_reference = vec![0.0; ops.expansion_len()];
        let mut weight = 0.0f64;
        for octant in 0..8 {
            let c = [0, 1, 2].map(|d| if octant >> d & 1 == 1 { 0.5 } else { -0.5 });
            let src = ball(10 + octant as u64, c, 0.5, 20, 4);
            weight = weight.max(src.weight().iter().sum());
            let child = Frame {
                center: c,
                scale: s3 / 2.0,
            };
            let mut mc = vec![0.0; ops.expansion_len()];
            ops.p2m(child, src.points(), src.channels(), &mut mc);
            ops.m2m(child, &mc, parent, &mut via_children);
            m2m_reference(p, child, &mc, parent, &mut via_reference);
            ops.p2m(parent, src.points(), src.channels(), &mut direct_m);
        }
        let e = max_diff(&via_children, &direct_m);
        let er = max_diff(&via_reference, &direct_m);
        println!(
            "M2M p = {p:2}: |rotation - P2M| = {e:.2e}, |reference - P2M| = {er:.2e} (A ~ {weight:.0})"
        );
        assert_close(
            &format!("m2m p={p}"),
            &via_children,
            &direct_m,
            1e-13 * weight,
        );
        assert_close(
            &format!("m2m_reference p={p}"),
            &via_reference,
            &direct_m,
            1e-13 * weight,
        );
    }
}

#[test]
fn m2m_and_l2l_with_coincident_centers_only_rescale() {
    let p = 9;
    let src = ball(20, [0.1, 0.0, 0.0], 0.3, 15, 2);
    let (small, large) = (
        Frame {
            center: [0.1, 0.0, 0.0],
            scale: 0.3,
        },
        Frame {
            center: [0.1, 0.0, 0.0],
            scale: 1.7,
        },
    );
    let mut ops = Operators::new(p, 2);
    let (mut ms, mut ml, mut want) = (
        vec![0.0; ops.expansion_len()],
        vec![0.0; ops.expansion_len()],
        vec![0.0; ops.expansion_len()],
    );
    ops.p2m(small, src.points(), src.channels(), &mut ms);
    ops.m2m(small, &ms, large, &mut ml);
    ops.p2m(large, src.points(), src.channels(), &mut want);
    assert_close("m2m same center", &ml, &want, 1e-14 * 30.0);
    // L2L at the same center: the same polynomial.
    let (mut lc, t) = (
        vec![0.0; ops.expansion_len()],
        [vec![0.2], vec![-0.1], vec![0.05]],
    );
    ops.l2l(large, &want, small, &mut lc);
    let a = evaluate(&mut ops, true, large, &want, &t);
    let b = evaluate(&mut ops, true, small, &lc, &t);
    assert_close(
        "l2l same center",
        &b.0,
        &a.0,
        1e-12 * max_abs(&a.0).max(1.0),
    );
}

/// The directions of the M2L tests: the poles and axes, near-poles, random.
fn directions(rng: &mut Rng) -> Vec<[f64; 3]> {
    let mut dirs = vec![
        [0.0, 0.0, 1.0],
        [0.0, 0.0, -1.0],
        [1.0, 0.0, 0.0],
        [-1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, -1.0, 0.0],
        [1e-9, 0.0, 1.0],
        [0.0, -1e-12, -1.0],
        [1.0, 1.0, 1.0],
        [-1.0, 1.0, -1.0],
    ];
    for _ in 0..10 {
        dirs.push([
            uniform(rng, -1.0, 1.0),
            uniform(rng, -1.0, 1.0),
            uniform(rng, -1.0, 1.0),
        ]);
    }
    dirs.iter()
        .map(|d| {
            let r = dist(*d, [0.0; 3]);
            d.map(|v| v / r)
        })
        .collect()
}

#[test]
fn m2l_rotation_equals_the_reference() {
    let mut rng = Rng::seed_from_u64(30);
    let dirs = directions(&mut rng);
    let cs = [0.2, -0.4, 0.3];
    let src = ball(31, cs, 0.8, 40, 4);
    let source = Frame {
        center: cs,
        scale: 0.8,
    };
    for p in [1, 3, 8, 16] {
        let mut ops = Operators::new(p, 4);
        let mut m = vec![0.0; ops.expansion_len()];
        ops.p2m(source, src.points(), src.channels(), &mut m);
        let mut worst_rel = 0.0f64;
        for (k, d) in dirs.iter().enumerate() {
            let target = Frame {
                center: [0, 1, 2].map(|i| cs[i] + 3.1 * d[i]),
                scale: 1.3,
            };
            let (mut fast, mut slow) = (
                vec![0.0; ops.expansion_len()],
                vec![0.0; ops.expansion_len()],
            );
            ops.m2l(source, &m, target, &mut fast);
            m2l_reference(p, source, &m, target, &mut slow);
            let scale = max_abs(&slow);
            let rel = max_diff(&fast, &slow) / scale;
            worst_rel = worst_rel.max(rel);
            assert!(
                rel <= 1e-12,
                "p = {p}, direction {k} {d:?}: relative difference {rel:e}"
            );
        }
        println!(
            "M2L p = {p:2}: rotation vs O(p^4) reference, worst relative difference {worst_rel:.2e} over {} directions",
            dirs.len()
        );
    }
}

#[test]
fn m2l_direct_equals_the_rotation_and_the_reference() {
    let mut rng = Rng::seed_from_u64(32);
    let dirs = directions(&mut rng);
    let cs = [-0.1, 0.5, 0.25];
    let src = ball(33, cs, 0.7, 40, 3);
    let source = Frame {
        center: cs,
        scale: 0.7,
    };
    for p in [0, 1, 2, 5, 9, 14] {
        let mut ops = Operators::new(p, 3);
        let mut m = vec![0.0; ops.expansion_len()];
        ops.p2m(source, src.points(), src.channels(), &mut m);
        let mut worst_rel = 0.0f64;
        for (k, d) in dirs.iter().enumerate() {
            let target = Frame {
                center: [0, 1, 2].map(|i| cs[i] + 2.9 * d[i]),
                scale: 1.1,
            };
            // Start from a non-zero local expansion: both add into it.
            let start: Vec<f64> = (0..ops.expansion_len())
                .map(|i| (i % 7) as f64 - 3.0)
                .collect();
            let (mut direct, mut rotated, mut slow) = (start.clone(), start.clone(), start.clone());
            ops.m2l_direct(source, &m, target, &mut direct);
            ops.m2l(source, &m, target, &mut rotated);
            m2l_reference(p, source, &m, target, &mut slow);
            let scale = max_abs(&slow);
            for (what, other) in [("rotation", &rotated), ("reference", &slow)] {
                let rel = max_diff(&direct, other) / scale;
                worst_rel = worst_rel.max(rel);
                assert!(
                    rel <= 1e-13,
                    "p = {p}, direction {k} {d:?}: direct vs {what}, relative difference {rel:e}"
                );
            }
        }
        println!(
            "M2L p = {p:2}: direct vs rotation and reference, worst relative difference {worst_rel:.2e}"
        );
    }
}

#[test]
fn m2l_then_l2p_matches_direct_within_the_bound() {
    // Source ball radius r_A, target ball radius r_B, centers at distance
    // (r_A + r_B) / theta, along a generic direction.
    let theta = 0.5;
    let cs = [0.0, 0.0, 0.0];
    let src = ball(40, cs, 1.0, 150, 4);
    let weight = src.weight();
    let ra = src.radius(cs);
    let rb = 0.6;
    let dir = [0.48, -0.6, 0.64];
    let r = (ra + rb) / theta;
    let ct = dir.map(|v| v * r);
    let mut rng = Rng::seed_from_u64(41);
    let t = sphere(&mut rng, ct, rb, 64);
    let want = direct(&src, &t);
    let (source, target) = (
        Frame {
            center: cs,
            scale: ra,
        },
        Frame {
            center: ct,
            scale: rb,
        },
    );
    println!("P2M + M2L + L2P, theta = {theta} (errors relative to A/R, A/R^2)");
    println!("   p   pot error   bound      grad error  bound");
    for p in ORDERS {
        let mut ops = Operators::new(p, 4);
        let mut m = vec![0.0; ops.expansion_len()];
        let mut l = vec![0.0; ops.expansion_len()];
        ops.p2m(source, src.points(), src.channels(), &mut m);
        ops.m2l(source, &m, target, &mut l);
        let got = evaluate(&mut ops, true, target, &l, &t);
        let (ep, eg) = worst((&got.0, &got.1), (&want.0, &want.1), t[0].len(), &weight, r);
        let (bp, bg) = (
            truncation_error(p, theta, Quantity::Potential),
            truncation_error(p, theta, Quantity::Gradient),
        );
        println!("{p:4}   {ep:.3e}   {bp:.3e}   {eg:.3e}   {bg:.3e}");
        assert!(
            ep <= bp,
            "p = {p}: potential error {ep:e} above the bound {bp:e}"
        );
        assert!(
            eg <= bg,
            "p = {p}: gradient error {eg:e} above the bound {bg:e}"
        );
    }
}

#[test]
fn m2l_mutual_equals_two_single_m2ls() {
    let mut rng = Rng::seed_from_u64(50);
    for (k, d) in directions(&mut rng).iter().enumerate() {
        let p = 10;
        let ca = [0.5, 0.1, -0.2];
        let cb = [0, 1, 2].map(|i| ca[i] + 2.7 * d[i]);
        let (a, b) = (
            Frame {
                center: ca,
                scale: 0.9,
            },
            Frame {
                center: cb,
                scale: 0.6,
            },
        );
        let sa = ball(51 + k as u64, ca, 0.9, 20, 4);
        let sb = ball(151 + k as u64, cb, 0.6, 25, 4);
        let mut ops = Operators::new(p, 4);
        let len = ops.expansion_len();
        let (mut ma, mut mb) = (vec![0.0; len], vec![0.0; len]);
        ops.p2m(a, sa.points(), sa.channels(), &mut ma);
        ops.p2m(b, sb.points(), sb.channels(), &mut mb);
        // Start from non-zero locals: both must accumulate.
        let start: Vec<f64> = (0..len).map(|i| (i as f64).sin()).collect();
        let (mut la1, mut lb1) = (start.clone(), start.clone());
        ops.m2l_mutual(a, &ma, &mut la1, b, &mb, &mut lb1);
        let (mut la2, mut lb2) = (start.clone(), start);
        ops.m2l(a, &ma, b, &mut lb2);
        ops.m2l(b, &mb, a, &mut la2);
        assert_close(
            &format!("mutual l_a, direction {k}"),
            &la1,
            &la2,
            1e-14 * max_abs(&la2),
        );
        assert_close(
            &format!("mutual l_b, direction {k}"),
            &lb1,
            &lb2,
            1e-14 * max_abs(&lb2),
        );
    }
}

#[test]
fn mutual_m2l_conserves_momentum() {
    // The total gradient force that B's sources feel from A equals minus the
    // one A's sources feel from B, to round-off, thanks to the triangular
    // truncation: sum_{i in B} s_i grad Phi_A(x_i) + sum_{j in A} s_j grad Phi_B(x_j) = 0.
    let (ca, cb) = ([0.0, 0.0, 0.0], [1.9, -1.2, 0.7]);
    let sa = ball(60, ca, 0.7, 40, 4);
    let sb = ball(61, cb, 0.5, 30, 4);
    let (a, b) = (
        Frame {
            center: ca,
            scale: 0.7,
        },
        Frame {
            center: cb,
            scale: 0.5,
        },
    );
    for p in [1, 2, 6, 12] {
        let mut ops = Operators::new(p, 4);
        let len = ops.expansion_len();
        let (mut ma, mut mb, mut la, mut lb) = (
            vec![0.0; len],
            vec![0.0; len],
            vec![0.0; len],
            vec![0.0; len],
        );
        ops.p2m(a, sa.points(), sa.channels(), &mut ma);
        ops.p2m(b, sb.points(), sb.channels(), &mut mb);
        ops.m2l_mutual(a, &ma, &mut la, b, &mb, &mut lb);
        let ta = [sa.x.clone(), sa.y.clone(), sa.z.clone()];
        let tb = [sb.x.clone(), sb.y.clone(), sb.z.clone()];
        let (_, ga) = evaluate(&mut ops, true, a, &la, &ta);
        let (_, gb) = evaluate(&mut ops, true, b, &lb, &tb);
        for c in 0..4 {
            for d in 0..3 {
                let (mut total, mut size) = (0.0, 0.0);
                for (cloud, g) in [(&sa, &ga), (&sb, &gb)] {
                    let n = cloud.n();
                    for i in 0..n {
                        let f = cloud.values[c * n + i] * g[(3 * c + d) * n + i];
                        total += f;
                        size += f.abs();
                    }
                }
                assert!(
                    total.abs() <= 1e-14 * size,
                    "p = {p}, channel {c}, component {d}: net {total:e} of {size:e}"
                );
            }
        }
    }
}

#[test]
fn l2l_preserves_the_local_polynomial() {
    // Random local coefficients about the parent cube [-1, 1]^3 (scale
    // sqrt 3, so |Phi| <= sum |L| inside); L2L into each octant; L2P at
    // points of the octant equals L2P of the parent, potential and gradient.
    let s3 = 3f64.sqrt();
    let parent = Frame {
        center: [0.0; 3],
        scale: s3,
    };
    let mut rng = Rng::seed_from_u64(70);
    for p in [0, 1, 5, 12, 20] {
        let mut ops = Operators::new(p, 2);
        let lp: Vec<f64> = (0..ops.expansion_len())
            .map(|_| uniform(&mut rng, -1.0, 1.0))
            .collect();
        let size: f64 = lp.iter().map(|v| v.abs()).sum();
        let mut worst_e = 0.0f64;
        for octant in 0..8 {
            let c = [0, 1, 2].map(|d| if octant >> d & 1 == 1 { 0.5 } else { -0.5 });
            let child = Frame {
                center: c,
                scale: s3 / 2.0,
            };
            let mut lc = vec![0.0; ops.expansion_len()];
            let mut lr = vec![0.0; ops.expansion_len()];
            ops.l2l(parent, &lp, child, &mut lc);
            l2l_reference(p, parent, &lp, child, &mut lr);
            assert_close(
                &format!("l2l vs reference p={p}"),
                &lc,
                &lr,
                1e-13 * max_abs(&lr).max(1e-300),
            );
            let t = cube(&mut rng, c, 0.5, 10);
            let want = evaluate(&mut ops, true, parent, &lp, &t);
            let got = evaluate(&mut ops, true, child, &lc, &t);
            worst_e = worst_e.max(max_diff(&got.0, &want.0) / size);
            assert_close(
                &format!("l2l potential p={p}"),
                &got.0,
                &want.0,
                1e-13 * size,
            );
            assert_close(
                &format!("l2l gradient p={p}"),
                &got.1,
                &want.1,
                1e-12 * size * (p as f64 + 1.0),
            );
        }
        println!("L2L p = {p:2}: worst |L2P(L2L L) - L2P(L)| / sum|L| = {worst_e:.2e}");
    }
}

/// Fourth-order central differences of the potential of channel `c`.
fn finite_difference(
    ops: &mut Operators,
    local: bool,
    frame: Frame,
    coef: &[f64],
    x: [f64; 3],
    h: f64,
) -> Vec<[f64; 3]> {
    let nd = ops.channels();
    let mut out = vec![[0.0; 3]; nd];
    for d in 0..3 {
        let mut f = [vec![0.0; nd], vec![0.0; nd], vec![0.0; nd], vec![0.0; nd]];
        for (k, step) in [-2.0, -1.0, 1.0, 2.0].iter().enumerate() {
            let mut y = x;
            y[d] += step * h;
            let t = [vec![y[0]], vec![y[1]], vec![y[2]]];
            f[k] = evaluate(ops, local, frame, coef, &t).0;
        }
        for (c, o) in out.iter_mut().enumerate() {
            o[d] = (f[0][c] - 8.0 * f[1][c] + 8.0 * f[2][c] - f[3][c]) / (12.0 * h);
        }
    }
    out
}

#[test]
fn gradients_match_finite_differences() {
    let cs = [0.0, 0.0, 0.0];
    let src = ball(80, cs, 1.0, 50, 3);
    let source = Frame {
        center: cs,
        scale: 1.0,
    };
    let ct = [2.0, 2.5, -1.5];
    let target = Frame {
        center: ct,
        scale: 0.8,
    };
    let mut rng = Rng::seed_from_u64(81);
    for p in [1, 2, 6, 12] {
        let mut ops = Operators::new(p, 3);
        let len = ops.expansion_len();
        let (mut m, mut l) = (vec![0.0; len], vec![0.0; len]);
        ops.p2m(source, src.points(), src.channels(), &mut m);
        ops.m2l(source, &m, target, &mut l);
        for (local, frame, coef, center, radius) in
            [(true, target, &l, ct, 0.8), (false, source, &m, ct, 0.8)]
        {
            for _ in 0..5 {
                let x = center.map(|v| v + uniform(&mut rng, -radius, radius) / 3f64.sqrt());
                let t = [vec![x[0]], vec![x[1]], vec![x[2]]];
                let (_, g) = evaluate(&mut ops, local, frame, coef, &t);
                let fd = finite_difference(&mut ops, local, frame, coef, x, 1e-3);
                for (c, fdc) in fd.iter().enumerate() {
                    let size = fdc.iter().map(|v| v.abs()).fold(1e-3, f64::max);
                    for d in 0..3 {
                        let diff = (g[3 * c + d] - fdc[d]).abs();
                        assert!(
                            diff <= 1e-8 * size,
                            "{} p = {p}, channel {c}, d/dx{d}: {:e} vs finite difference {:e}",
                            if local { "L2P" } else { "M2P" },
                            g[3 * c + d],
                            fdc[d]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn p2l_matches_p2m_then_m2l_and_direct() {
    let theta_pair = 0.5;
    let cs = [0.0, 0.0, 0.0];
    let src = ball(90, cs, 0.4, 12, 4);
    let weight = src.weight();
    let ra = src.radius(cs);
    let rb = 0.7;
    let r = (ra + rb) / theta_pair;
    let ct = [0.0, r * 0.6, r * 0.8];
    let mut rng = Rng::seed_from_u64(91);
    let t = sphere(&mut rng, ct, rb, 40);
    let want = direct(&src, &t);
    let (source, target) = (
        Frame {
            center: cs,
            scale: ra,
        },
        Frame {
            center: ct,
            scale: rb,
        },
    );
    let theta_p2l = rb / r;
    for p in [2, 6, 10, 16] {
        let mut ops = Operators::new(p, 4);
        let len = ops.expansion_len();
        let (mut m, mut l_fmm, mut l_p2l) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
        ops.p2m(source, src.points(), src.channels(), &mut m);
        ops.m2l(source, &m, target, &mut l_fmm);
        ops.p2l(target, src.points(), src.channels(), &mut l_p2l);
        let fmm = evaluate(&mut ops, true, target, &l_fmm, &t);
        let p2l = evaluate(&mut ops, true, target, &l_p2l, &t);
        let (e_p2l, g_p2l) = worst((&p2l.0, &p2l.1), (&want.0, &want.1), t[0].len(), &weight, r);
        let (e_both, _) = worst((&p2l.0, &p2l.1), (&fmm.0, &fmm.1), t[0].len(), &weight, r);
        let b_p2l = truncation_error(p, theta_p2l, Quantity::Potential);
        let bg_p2l = truncation_error(p, theta_p2l, Quantity::Gradient);
        let b_fmm = truncation_error(p, theta_pair, Quantity::Potential);
        println!(
            "P2L p = {p:2}: vs direct {e_p2l:.2e} (bound {b_p2l:.2e}), vs P2M+M2L {e_both:.2e} (bound {:.2e})",
            b_p2l + b_fmm
        );
        assert!(
            e_p2l <= b_p2l,
            "p = {p}: P2L error {e_p2l:e} above {b_p2l:e}"
        );
        assert!(
            g_p2l <= bg_p2l,
            "p = {p}: P2L gradient error {g_p2l:e} above {bg_p2l:e}"
        );
        assert!(
            e_both <= b_p2l + b_fmm,
            "p = {p}: P2L vs P2M+M2L {e_both:e}"
        );
    }
}

/// The whole chain at order `p` with every length multiplied by `unit`:
/// P2M in two children, M2M to their parent, M2L, L2L to a child, L2P.
/// Returns the potentials and gradients at the targets and the direct ones.
fn chain(p: usize, unit: f64) -> (Rows, Rows, f64, f64) {
    let scale = |c: [f64; 3]| c.map(|v| v * unit);
    let mut src = ball(100, [0.0; 3], 0.9, 60, 2);
    src.x
        .iter_mut()
        .chain(src.y.iter_mut())
        .chain(src.z.iter_mut())
        .for_each(|v| *v *= unit);
    let parent = Frame {
        center: scale([0.0; 3]),
        scale: unit,
    };
    let halves = [(0..30, [-0.5, 0.0, 0.0]), (30..60, [0.5, 0.0, 0.0])];
    let mut ops = Operators::new(p, 2);
    let len = ops.expansion_len();
    let mut mp = vec![0.0; len];
    for (range, c) in halves {
        let child = Frame {
            center: scale(c),
            scale: unit,
        };
        let part = Cloud {
            x: src.x[range.clone()].to_vec(),
            y: src.y[range.clone()].to_vec(),
            z: src.z[range.clone()].to_vec(),
            values: [0, 1]
                .iter()
                .flat_map(|c| src.values[c * 60 + range.start..c * 60 + range.end].to_vec())
                .collect(),
            nd: 2,
        };
        let mut mc = vec![0.0; len];
        ops.p2m(child, part.points(), part.channels(), &mut mc);
        ops.m2m(child, &mc, parent, &mut mp);
    }
    let far = Frame {
        center: scale([0.0, 4.0, 3.0]),
        scale: 0.8 * unit,
    };
    let leaf = Frame {
        center: scale([0.2, 4.1, 2.8]),
        scale: 0.4 * unit,
    };
    let (mut lf, mut ll) = (vec![0.0; len], vec![0.0; len]);
    ops.m2l(parent, &mp, far, &mut lf);
    ops.l2l(far, &lf, leaf, &mut ll);
    let mut rng = Rng::seed_from_u64(101);
    let t = sphere(&mut rng, leaf.center, 0.3 * unit, 20);
    let got = evaluate(&mut ops, true, leaf, &ll, &t);
    let want = direct(&src, &t);
    assert!(
        mp.iter().chain(&lf).chain(&ll).all(|v| v.is_finite()),
        "non-finite coefficients at unit {unit}"
    );
    let weight = src.weight().into_iter().fold(0.0, f64::max);
    (got, want, weight, 5.0 * unit)
}

#[test]
fn high_order_is_finite_and_accurate() {
    // Far-field ratio about (0.9 + 0.8 + 0.25) / 5 ~ 0.4: at p = 30 the
    // bound is ~1e-12 and the error is round-off.
    let p = 30;
    let (got, want, w, r) = chain(p, 1.0);
    let (ep, eg) = worst((&got.0, &got.1), (&want.0, &want.1), 20, &[w, w], r);
    println!(
        "p = {p}: chain P2M-M2M-M2L-L2L-L2P vs direct: potential {ep:.2e}, gradient {eg:.2e} (relative to A/R, A/R^2)"
    );
    assert!(ep <= 1e-12 && eg <= 1e-11, "p = {p}: errors {ep:e}, {eg:e}");
    // The same geometry at tiny and huge units: potentials scale as 1/unit,
    // gradients as 1/unit^2, and nothing over- or underflows.
    for unit in [1e-150, 1e-12, 1e12, 1e150] {
        let (g2, _, _, _) = chain(p, unit);
        let (ep2, eg2) = worst(
            (&g2.0, &g2.1),
            (
                &got.0.iter().map(|v| v / unit).collect::<Vec<_>>(),
                &got.1.iter().map(|v| v / (unit * unit)).collect::<Vec<_>>(),
            ),
            20,
            &[w, w],
            r * unit,
        );
        println!(
            "p = {p}, unit {unit:e}: relative change {ep2:.2e} (potential), {eg2:.2e} (gradient)"
        );
        assert!(ep2 <= 1e-13 && eg2 <= 1e-12, "unit {unit}: {ep2:e} {eg2:e}");
    }
}

#[test]
fn harmonics_satisfy_the_addition_theorem() {
    // 1/|x - y| = sum_{n,k} R_{n,k}(y) I_{n,k}(x), converging as (|y|/|x|)^n,
    // and stays finite at high degree.
    let mut rng = Rng::seed_from_u64(110);
    for _ in 0..20 {
        let y = [0, 1, 2].map(|_| uniform(&mut rng, -0.5, 0.5));
        let x = [0, 1, 2].map(|_| uniform(&mut rng, -3.0, 3.0));
        let ratio = dist(y, [0.0; 3]) / dist(x, [0.0; 3]);
        if ratio > 0.5 {
            continue;
        }
        let exact = 1.0 / dist(x, y);
        let p = 60;
        let (mut r, mut i) = (vec![0.0; n_coefficients(p)], vec![0.0; n_coefficients(p)]);
        regular(p, y, &mut r);
        irregular(p, x, &mut i);
        let sum: f64 = r.iter().zip(&i).map(|(a, b)| a * b).sum();
        assert!(
            (sum - exact).abs() <= 1e-14 * exact + exact * ratio.powi(61) / (1.0 - ratio),
            "{sum} vs {exact}"
        );
        // Schmidt normalization: sum_k R_{n,k}^2 = |y|^(2n).
        for n in 0..=p {
            let s: f64 = (n * n..(n + 1) * (n + 1)).map(|k| r[k] * r[k]).sum();
            let want = dist(y, [0.0; 3]).powi(2 * n as i32);
            assert!(
                (s - want).abs() <= 1e-12 * want,
                "degree {n}: {s} vs {want}"
            );
        }
    }
    let mut big = vec![0.0; n_coefficients(2 * MAX_ORDER)];
    regular(2 * MAX_ORDER, [0.9, -0.3, 0.2], &mut big);
    assert!(big.iter().all(|v| v.is_finite()));
    irregular(2 * MAX_ORDER, [0.9, -0.3, 0.2], &mut big);
    assert!(big.iter().all(|v| v.is_finite()));
    assert_eq!(index(3, -2), 10);
}

#[test]
fn rotation_is_orthogonal_and_rotates_harmonics() {
    let mut rng = Rng::seed_from_u64(120);
    for p in [0, 1, 5, 20, 30, MAX_ORDER] {
        let nc = n_coefficients(p);
        let mut rot = Rotation::new(p);
        let mut worst_err = 0.0f64;
        for axis in directions(&mut rng) {
            rot.set_axis(axis);
            // D R(v) = R(Q v) with Q the rotation taking `axis` to z: test
            // with v = axis (goes to |v| z) and a random v via orthogonality.
            let (mut a, mut b, mut c) = (vec![0.0; nc], vec![0.0; nc], vec![0.0; nc]);
            regular(p, axis, &mut a);
            rot.rotate(&a, &mut b, 1);
            regular(p, [0.0, 0.0, 1.0], &mut c);
            let tol = if p <= 30 { 1e-13 } else { 1e-9 };
            assert_close(&format!("p={p} axis {axis:?} to z"), &b, &c, tol);
            let v: Vec<f64> = (0..nc).map(|_| uniform(&mut rng, -1.0, 1.0)).collect();
            rot.rotate(&v, &mut b, 1);
            let mut back = vec![0.0; nc];
            rot.unrotate_add(&b, &mut back, 1);
            assert_close(&format!("p={p} D^T D"), &back, &v, tol);
            worst_err = worst_err.max(max_diff(&back, &v));
            let norm = |w: &[f64]| w.iter().map(|x| x * x).sum::<f64>();
            assert!(
                (norm(&b) - norm(&v)).abs() <= tol * norm(&v),
                "p = {p}: norm not kept"
            );
        }
        println!("rotation p = {p:2}: worst |D^T D v - v| = {worst_err:.1e} (|v_i| <= 1)");
    }
}

#[test]
fn orders_follow_the_bound() {
    for theta in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8] {
        for tol in [1e-2, 1e-3, 1e-6, 1e-9, 1e-12] {
            for q in [Quantity::Potential, Quantity::Gradient] {
                if let Some(p) = order_for_tolerance(tol, theta, q) {
                    assert!(truncation_error(p, theta, q) <= tol);
                    assert!(p == 0 || truncation_error(p - 1, theta, q) > tol);
                } else {
                    assert!(truncation_error(MAX_ORDER, theta, q) > tol);
                }
            }
        }
    }
    assert_eq!(order_for_tolerance(1e-3, 1.0, Quantity::Potential), None);
    assert!(truncation_error(5, 1.2, Quantity::Gradient).is_infinite());
}

#[test]
fn order_table_in_docs_is_current() {
    let docs = include_str!("../src/fast/expansion/mod.rs");
    let thetas = [0.4, 0.5, 0.6, 0.7];
    let mut missing = Vec::new();
    for (tol, label) in [
        (1e-3, "1e-3"),
        (1e-4, "1e-4"),
        (1e-6, "1e-6"),
        (1e-8, "1e-8"),
        (1e-9, "1e-9"),
        (1e-12, "1e-12"),
    ] {
        let cells: Vec<String> = thetas
            .iter()
            .map(|&t| {
                let [pot, grad] = [Quantity::Potential, Quantity::Gradient].map(|q| {
                    order_for_tolerance(tol, t, q).map_or(" -".to_string(), |p| format!("{p:2}"))
                });
                format!("{pot} / {grad}")
            })
            .collect();
        let row = format!("//! | {label:<9} | {} |", cells.join(" | "));
        println!("{row}");
        if !docs.contains(&row) {
            missing.push(row);
        }
    }
    assert!(
        missing.is_empty(),
        "the docs lack the rows\n{}",
        missing.join("\n")
    );
}

#[test]
fn m2l_timing() {
    // Not asserted: the cost of one M2L (nd = 4) by rotation, per direction
    // of a mutual M2L, and by the O(p^4) reference; the best of 5 trials.
    let src = ball(130, [0.0; 3], 1.0, 30, 4);
    let (a, b) = (
        Frame {
            center: [0.0; 3],
            scale: 1.0,
        },
        Frame {
            center: [2.1, -2.3, 1.7],
            scale: 1.0,
        },
    );
    let time = |reps: usize, f: &mut dyn FnMut()| {
        f();
        (0..5)
            .map(|_| {
                let t0 = Instant::now();
                for _ in 0..reps {
                    f();
                }
                t0.elapsed().as_secs_f64() / reps as f64 * 1e6
            })
            .fold(f64::INFINITY, f64::min)
    };
    for p in [10, 16] {
        let mut ops = Operators::new(p, 4);
        let len = ops.expansion_len();
        let (mut m, mut la, mut lb) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
        ops.p2m(a, src.points(), src.channels(), &mut m);
        let t_rot = time(1000, &mut || ops.m2l(a, &m, b, &mut lb));
        let mb = m.clone();
        let t_mut = time(500, &mut || ops.m2l_mutual(a, &m, &mut la, b, &mb, &mut lb));
        let t_ref = time(10, &mut || m2l_reference(p, a, &m, b, &mut lb));
        let mut rot = Rotation::new(p);
        let t_build = time(1000, &mut || rot.set_axis([2.1, -2.3, 1.7]));
        let mut out = vec![0.0; len];
        let t_apply = time(1000, &mut || rot.rotate(&m, &mut out, 4));
        let t_back = time(1000, &mut || rot.unrotate_add(&m, &mut out, 4));
        println!(
            "M2L p = {p:2}, nd = 4: rotation {t_rot:6.2} us, mutual {:6.2} us per direction, O(p^4) reference {t_ref:8.1} us ({:.0}x)",
            t_mut * 0.5,
            t_ref / t_rot
        );
        println!(
            "    of which: rotation build {t_build:.2} us, rotate 4 channels {t_apply:.2} us, back {t_back:.2} us"
        );
        assert!(lb.iter().all(|v| v.is_finite()));
    }
}

/// `n` points uniform in the cube of half-width `half` about `center`.
fn cube(rng: &mut Rng, center: [f64; 3], half: f64, n: usize) -> [Vec<f64>; 3] {
    std::array::from_fn(|d| {
        (0..n)
            .map(|_| center[d] + uniform(rng, -half, half))
            .collect()
    })
}

/// The frame of the lane tests of P2M and L2P.
const LANES_FRAME: Frame = Frame {
    center: [0.1, 0.2, -0.3],
    scale: 0.5,
};

/// L2P with the points in SIMD lanes, on every instruction set, against a
/// plain per-point evaluation (`regular` harmonics, a sequential dot
/// product): potentials within 1e-13 of the sum of absolute terms, at
/// every lane tail (1 to 19 points), nd = 1 and 4. The gradient is checked
/// against the potential's finite differences elsewhere; here the
/// instruction sets must agree with each other to 1e-12.
#[test]
fn l2p_in_lanes_matches_a_plain_evaluation_on_every_instruction_set() {
    let p = 12;
    let nc = n_coefficients(p);
    let frame = LANES_FRAME;
    let mut rng = Rng::seed_from_u64(9);
    for nd in [1, 4] {
        let coef: Vec<f64> = (0..nd * nc).map(|_| uniform(&mut rng, -1.0, 1.0)).collect();
        for n in 1..=19 {
            let t = cube(&mut rng, frame.center, 0.4, n);
            let mut h = vec![0.0; nc];
            let (mut want, mut size) = (vec![0.0; nd * n], vec![0.0; nd * n]);
            for i in 0..n {
                let v = [0, 1, 2].map(|d| (t[d][i] - frame.center[d]) / frame.scale);
                regular(p, v, &mut h);
                for c in 0..nd {
                    for k in 0..nc {
                        want[c * n + i] += coef[c * nc + k] * h[k];
                        size[c * n + i] += (coef[c * nc + k] * h[k]).abs();
                    }
                }
            }
            let mut grads = Vec::new();
            for isa in common::isas() {
                let mut ops = Operators::new(p, nd).with_isa(isa).unwrap();
                let (pot, grad) = evaluate(&mut ops, true, frame, &coef, &t);
                for k in 0..nd * n {
                    let diff = (pot[k] - want[k]).abs();
                    assert!(
                        diff <= 1e-13 * size[k],
                        "{isa} nd {nd} n {n} [{k}]: |diff| {diff:e}"
                    );
                }
                grads.push((isa, grad));
            }
            let (_, first) = &grads[0];
            let scale = first.iter().fold(0.0f64, |m, g| m.max(g.abs()));
            for (isa, g) in &grads[1..] {
                assert_close(
                    &format!("{isa} gradient nd {nd} n {n}"),
                    g,
                    first,
                    1e-12 * scale,
                );
            }
        }
    }
}

/// P2M with the points in SIMD lanes, on every instruction set, against the
/// plain sum `M_k = sum_j s_j R_k(v_j)`: within 1e-13 of `sum_j |s_j R_k|`
/// for 1 to 19 points (every lane tail), nd = 1 and 4.
#[test]
fn p2m_in_lanes_matches_a_plain_sum_on_every_instruction_set() {
    let p = 12;
    let nc = n_coefficients(p);
    let frame = LANES_FRAME;
    let mut rng = Rng::seed_from_u64(10);
    for nd in [1, 4] {
        for n in 1..=19 {
            let pts = cube(&mut rng, frame.center, 0.5, n);
            let q: Vec<f64> = (0..nd * n).map(|_| uniform(&mut rng, -1.0, 1.0)).collect();
            let mut h = vec![0.0; nc];
            let (mut want, mut size) = (vec![0.0; nd * nc], vec![0.0; nd * nc]);
            for j in 0..n {
                let v = [0, 1, 2].map(|d| (pts[d][j] - frame.center[d]) / frame.scale);
                regular(p, v, &mut h);
                for c in 0..nd {
                    for k in 0..nc {
                        want[c * nc + k] += q[c * n + j] * h[k];
                        size[c * nc + k] += (q[c * n + j] * h[k]).abs();
                    }
                }
            }
            for isa in common::isas() {
                let mut ops = Operators::new(p, nd).with_isa(isa).unwrap();
                let mut m = vec![0.0; ops.expansion_len()];
                let points = Points::new(&pts[0], &pts[1], &pts[2]);
                ops.p2m(frame, points, Channels::new(&q, n), &mut m);
                for k in 0..nd * nc {
                    let diff = (m[k] - want[k]).abs();
                    assert!(
                        diff <= 1e-13 * size[k].max(f64::MIN_POSITIVE),
                        "{isa} nd {nd} n {n} [{k}]: |diff| {diff:e}"
                    );
                }
            }
        }
    }
}
