//! The inner loop: one vector of targets against a run of sources.
//!
//! Targets sit in the lanes, each source is broadcast, and every lane adds
//! its terms in source order, so a target's sum does not depend on which
//! thread or vector computed it.

use crate::simd::Simd;

/// Running sums of one target vector for `ND` channels.
#[derive(Clone, Copy)]
pub(crate) struct Acc<V, const ND: usize> {
    pub(crate) pot: [V; ND],
    pub(crate) grad: [[V; 3]; ND],
}

/// A run of sources: coordinates and `ND` channel columns, all the same length.
pub(crate) struct Run<'a, const ND: usize> {
    pub(crate) x: &'a [f64],
    pub(crate) y: &'a [f64],
    pub(crate) z: &'a [f64],
    pub(crate) ch: [&'a [f64]; ND],
}

impl<const ND: usize> Run<'_, ND> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.x.len()
    }
}

/// `r_j - t` for every lane.
#[inline(always)]
fn separation<S: Simd, const ND: usize>(
    s: S,
    t: &[S::V; 3],
    run: &Run<'_, ND>,
    j: usize,
) -> [S::V; 3] {
    [
        s.sub(s.splat(run.x[j]), t[0]),
        s.sub(s.splat(run.y[j]), t[1]),
        s.sub(s.splat(run.z[j]), t[2]),
    ]
}

/// `|d|^2 + s^2` for every lane.
#[inline(always)]
fn distance2<S: Simd>(s: S, d: &[S::V; 3], soft2: S::V) -> S::V {
    s.mul_add(
        d[2],
        d[2],
        s.mul_add(d[1], d[1], s.mul_add(d[0], d[0], soft2)),
    )
}

/// Separation `r_j - t` (so that `grad Phi = +sum_j s_j d G^3` needs no
/// negation) and `G = 1/sqrt(|d|^2 + s^2)` of source `j` for every lane.
#[inline(always)]
fn geometry<S: Simd, const RELAXED: bool, const ND: usize>(
    s: S,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    j: usize,
) -> ([S::V; 3], S::V) {
    let d = separation(s, t, run, j);
    let r2 = distance2(s, &d, soft2);
    let inv = if RELAXED {
        s.rsqrt_relaxed(r2)
    } else {
        s.rsqrt(r2)
    };
    (d, inv)
}

/// As [`geometry`], with `1/r` by IEEE square root and division.
#[inline(always)]
fn geometry_ieee<S: Simd, const ND: usize>(
    s: S,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    j: usize,
) -> ([S::V; 3], S::V) {
    let d = separation(s, t, run, j);
    (d, s.rsqrt_ieee(distance2(s, &d, soft2)))
}

/// Adds source `j` of `run` to the sums of the target vector `t`; if
/// `exclude` is `Some(lane)`, that lane gets nothing (it is the source itself).
#[inline(always)]
fn interact<S: Simd, const RELAXED: bool, const ND: usize, const GRAD: bool>(
    s: S,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    j: usize,
    exclude: Option<usize>,
    acc: &mut Acc<S::V, ND>,
) {
    let (d, mut inv) = geometry::<S, RELAXED, ND>(s, t, soft2, run, j);
    if let Some(lane) = exclude {
        inv = s.zero_lane(inv, lane);
    }
    accumulate::<S, ND, GRAD>(s, d, inv, run, j, acc);
}

/// Adds the terms of source `j` with separation `d` and `inv = G`.
#[inline(always)]
fn accumulate<S: Simd, const ND: usize, const GRAD: bool>(
    s: S,
    d: [S::V; 3],
    inv: S::V,
    run: &Run<'_, ND>,
    j: usize,
    acc: &mut Acc<S::V, ND>,
) {
    let [dx, dy, dz] = d;
    if GRAD && ND >= 4 {
        // Many channels: scale the separation once, then 4 FMAs per channel.
        let inv3 = s.mul(s.mul(inv, inv), inv);
        let u = [s.mul(dx, inv3), s.mul(dy, inv3), s.mul(dz, inv3)];
        for c in 0..ND {
            let q = s.splat(run.ch[c][j]);
            acc.pot[c] = s.mul_add(q, inv, acc.pot[c]);
            for k in 0..3 {
                acc.grad[c][k] = s.mul_add(q, u[k], acc.grad[c][k]);
            }
        }
    } else if GRAD {
        // Few channels: scale the source value, 5 operations per channel.
        let inv3 = s.mul(s.mul(inv, inv), inv);
        for c in 0..ND {
            let q = s.splat(run.ch[c][j]);
            acc.pot[c] = s.mul_add(q, inv, acc.pot[c]);
            let w = s.mul(q, inv3);
            acc.grad[c][0] = s.mul_add(w, dx, acc.grad[c][0]);
            acc.grad[c][1] = s.mul_add(w, dy, acc.grad[c][1]);
            acc.grad[c][2] = s.mul_add(w, dz, acc.grad[c][2]);
        }
    } else {
        for c in 0..ND {
            let q = s.splat(run.ch[c][j]);
            acc.pot[c] = s.mul_add(q, inv, acc.pot[c]);
        }
    }
}

/// Every source of `run` acts on every lane of `t`.
#[inline(always)]
pub(crate) fn sweep<S: Simd, const RELAXED: bool, const ND: usize, const GRAD: bool>(
    s: S,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    acc: &mut Acc<S::V, ND>,
) {
    let n = run.len();
    let (y, z) = (&run.y[..n], &run.z[..n]);
    let ch: [&[f64]; ND] = std::array::from_fn(|c| &run.ch[c][..n]);
    let run = Run { x: run.x, y, z, ch };
    // Software pipelining: the geometry (separation and 1/r, a long chain of
    // dependent operations) of source j + 2 is issued before the channel
    // sums of source j, so the scheduler never fills up with operations
    // waiting on the 1/r chain. The loop then runs at the throughput of the
    // two vector arithmetic ports.
    if n == 0 {
        return;
    }
    if S::SHARE_DIVIDER {
        // Sources in pairs: the first's 1/r by IEEE square root and
        // division, on the divider, the second's by the refined estimate,
        // on the FMA ports; the two chains are independent and overlap.
        let mut j = 0;
        while j + 2 <= n {
            let (d0, inv0) = geometry_ieee::<S, ND>(s, t, soft2, &run, j);
            let (d1, inv1) = geometry::<S, RELAXED, ND>(s, t, soft2, &run, j + 1);
            accumulate::<S, ND, GRAD>(s, d0, inv0, &run, j, acc);
            accumulate::<S, ND, GRAD>(s, d1, inv1, &run, j + 1, acc);
            j += 2;
        }
        if j < n {
            let (d, inv) = geometry::<S, RELAXED, ND>(s, t, soft2, &run, j);
            accumulate::<S, ND, GRAD>(s, d, inv, &run, j, acc);
        }
        return;
    }
    if n < 2 {
        for j in 0..n {
            let (d, inv) = geometry::<S, RELAXED, ND>(s, t, soft2, &run, j);
            accumulate::<S, ND, GRAD>(s, d, inv, &run, j, acc);
        }
        return;
    }
    if GRAD && ND >= 4 {
        // Many accumulators leave no registers to carry separations two
        // iterations: carry 1/r only and recompute r_j - t (3 subtractions
        // are cheaper than the spills).
        let mut inv0 = geometry::<S, RELAXED, ND>(s, t, soft2, &run, 0).1;
        let mut inv1 = geometry::<S, RELAXED, ND>(s, t, soft2, &run, 1).1;
        for j in 0..n - 2 {
            let cur = inv0;
            inv0 = inv1;
            inv1 = geometry::<S, RELAXED, ND>(s, t, soft2, &run, j + 2).1;
            accumulate::<S, ND, GRAD>(s, separation(s, t, &run, j), cur, &run, j, acc);
        }
        accumulate::<S, ND, GRAD>(s, separation(s, t, &run, n - 2), inv0, &run, n - 2, acc);
        accumulate::<S, ND, GRAD>(s, separation(s, t, &run, n - 1), inv1, &run, n - 1, acc);
    } else {
        let mut g0 = geometry::<S, RELAXED, ND>(s, t, soft2, &run, 0);
        let mut g1 = geometry::<S, RELAXED, ND>(s, t, soft2, &run, 1);
        for j in 0..n - 2 {
            let cur = g0;
            g0 = g1;
            g1 = geometry::<S, RELAXED, ND>(s, t, soft2, &run, j + 2);
            accumulate::<S, ND, GRAD>(s, cur.0, cur.1, &run, j, acc);
        }
        accumulate::<S, ND, GRAD>(s, g0.0, g0.1, &run, n - 2, acc);
        accumulate::<S, ND, GRAD>(s, g1.0, g1.1, &run, n - 1, acc);
    }
}

/// Sources of `run` are the targets in lanes `first_lane, first_lane + 1, ...`:
/// source `k` skips lane `first_lane + k` (no self interaction).
#[inline(always)]
pub(crate) fn sweep_diagonal<S: Simd, const RELAXED: bool, const ND: usize, const GRAD: bool>(
    s: S,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    first_lane: usize,
    acc: &mut Acc<S::V, ND>,
) {
    for k in 0..run.len() {
        interact::<S, RELAXED, ND, GRAD>(s, t, soft2, run, k, Some(first_lane + k), acc);
    }
}
