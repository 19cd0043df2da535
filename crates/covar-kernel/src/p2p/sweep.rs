//! The inner loop: one vector of targets against a run of sources.
//!
//! Targets sit in the lanes, each source is broadcast, and every lane adds
//! its terms in source order, so a target's sum does not depend on which
//! thread or vector computed it.

use super::green::Green;
use crate::simd::Simd;

/// Running sums of one target vector for `ND` channels.
#[derive(Clone, Copy)]
pub(crate) struct Acc<V, const ND: usize> {
    pub(crate) pot: [V; ND],
    pub(crate) grad: [[V; 3]; ND],
}

/// A run of sources: coordinates and `ND` channel columns, all the same length.
pub(crate) struct Run<'a, const ND: usize> {
    /// Index of the run's first source among all the sources: on an
    /// instruction set that shares the divider, a source's `1/r` takes the
    /// divider or the FMA ports by the parity of its index, so a pair's
    /// arithmetic does not depend on where runs are cut.
    pub(crate) start: usize,
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

/// The geometry of one source for every lane: the separation `d = r_j - t`
/// (so that `grad Phi = +sum_j s_j d F` needs no negation), the squared
/// distance `r2 = |d|^2 + soft2` and `inv = 1/sqrt(r2)`.
#[derive(Clone, Copy)]
struct Geo<V> {
    d: [V; 3],
    r2: V,
    inv: V,
}

/// [`Geo`] of source `j`, `1/sqrt` refined by the SIMD layer.
#[inline(always)]
fn geometry<S: Simd, const RELAXED: bool, const ND: usize>(
    s: S,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    j: usize,
) -> Geo<S::V> {
    let d = separation(s, t, run, j);
    let r2 = distance2(s, &d, soft2);
    let inv = if RELAXED {
        s.rsqrt_relaxed(r2)
    } else {
        s.rsqrt(r2)
    };
    Geo { d, r2, inv }
}

/// As [`geometry`], with `1/sqrt` by IEEE square root and division.
#[inline(always)]
fn geometry_ieee<S: Simd, const ND: usize>(
    s: S,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    j: usize,
) -> Geo<S::V> {
    let d = separation(s, t, run, j);
    let r2 = distance2(s, &d, soft2);
    Geo {
        d,
        r2,
        inv: s.rsqrt_ieee(r2),
    }
}

/// `geo` of source `j` with its separation recomputed, so that only its
/// `r2` and `inv` need to live across iterations.
#[inline(always)]
fn regeo<S: Simd, const ND: usize>(
    s: S,
    t: &[S::V; 3],
    run: &Run<'_, ND>,
    j: usize,
    geo: Geo<S::V>,
) -> Geo<S::V> {
    Geo {
        d: separation(s, t, run, j),
        ..geo
    }
}

/// The terms of [`Geo`] `geo` of source `j` added to `acc`.
#[inline(always)]
fn add<S: Simd, K: Green, const ND: usize, const GRAD: bool>(
    s: S,
    k: &K,
    geo: Geo<S::V>,
    run: &Run<'_, ND>,
    j: usize,
    acc: &mut Acc<S::V, ND>,
) {
    let (g, f) = k.terms(s, geo.r2, geo.inv);
    accumulate::<S, ND, GRAD>(s, geo.d, g, f, run, j, acc);
}

/// Adds the terms of source `j` with separation `d`, kernel `g = G` and
/// gradient factor `f = F`.
#[inline(always)]
fn accumulate<S: Simd, const ND: usize, const GRAD: bool>(
    s: S,
    d: [S::V; 3],
    inv: S::V,
    inv3: S::V,
    run: &Run<'_, ND>,
    j: usize,
    acc: &mut Acc<S::V, ND>,
) {
    let [dx, dy, dz] = d;
    if GRAD && ND >= 4 {
        // Many channels: scale the separation once, then 4 FMAs per channel.
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

/// Sources per chunk of [`chunked`]: the geometry of a chunk waits in a
/// stack buffer (`CHUNK` × 5 vectors: 2.5 KiB at 4 lanes, 5 KiB at 8)
/// while the channel sums consume it.
const CHUNK: usize = 16;

/// The geometry of source `j`: by IEEE square root and division when the
/// instruction set shares the divider and `j` (counted from the first of
/// all sources) is even, else by the refined estimate.
#[inline(always)]
fn geometry_of<S: Simd, const RELAXED: bool, const ND: usize>(
    s: S,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    j: usize,
) -> Geo<S::V> {
    if S::SHARE_DIVIDER && (run.start + j).is_multiple_of(2) {
        geometry_ieee::<S, ND>(s, t, soft2, run, j)
    } else {
        geometry::<S, RELAXED, ND>(s, t, soft2, run, j)
    }
}

/// [`sweep`] for a kernel without branches, with the gradient and at
/// least four channels, in two passes per chunk of sources. The first
/// computes every source's geometry (separation, `r^2` and `1/r`, a long
/// chain of dependent operations) into a buffer; the chains of different
/// sources are independent, so the core overlaps them. The second adds the
/// channel sums from the buffer, the running sums in a local so that they
/// stay in registers. The buffer costs a store and a load per vector, on
/// ports the arithmetic does not use. Both loops give the same bits.
///
/// Measured on Zen 3 (AVX2, 2026-12), medians of interleaved whole runs,
/// two passes / software-pipelined loop: direct sums of a cube (N 16384,
/// one thread, potential and gradient) 0.82, 0.89 and 0.92 at nd 4 in three
/// sittings; the fast backend (2·10^5, nd 4, tol 1e-5) 0.87 and 0.93. At
/// nd 1 three sittings gave 0.88, 1.09 and 1.08, no gain shown, and with
/// the spline's branches the two passes took 1.15–1.18 of the time; those
/// keep the pipelined loop.
#[inline(always)]
fn chunked<S: Simd, K: Green, const RELAXED: bool, const ND: usize, const GRAD: bool>(
    s: S,
    k: &K,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    acc: &mut Acc<S::V, ND>,
) {
    let n = run.len();
    let zero = s.splat(0.0);
    let mut geos = [Geo {
        d: [zero; 3],
        r2: zero,
        inv: zero,
    }; CHUNK];
    let mut sums = *acc;
    let mut j0 = 0;
    while j0 < n {
        let m = CHUNK.min(n - j0);
        if S::SHARE_DIVIDER && (run.start + j0).is_multiple_of(2) && m == CHUNK {
            // Whole pairs from an even source: no parity test per source.
            for p in 0..CHUNK / 2 {
                let j = j0 + 2 * p;
                geos[2 * p] = geometry_ieee::<S, ND>(s, t, soft2, run, j);
                geos[2 * p + 1] = geometry::<S, RELAXED, ND>(s, t, soft2, run, j + 1);
            }
        } else {
            for (i, g) in geos[..m].iter_mut().enumerate() {
                *g = geometry_of::<S, RELAXED, ND>(s, t, soft2, run, j0 + i);
            }
        }
        for (i, &g) in geos[..m].iter().enumerate() {
            add::<S, K, ND, GRAD>(s, k, g, run, j0 + i, &mut sums);
        }
        j0 += m;
    }
    *acc = sums;
}

/// Every source of `run` acts on every lane of `t`.
#[inline(always)]
pub(crate) fn sweep<S: Simd, K: Green, const RELAXED: bool, const ND: usize, const GRAD: bool>(
    s: S,
    k: &K,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    acc: &mut Acc<S::V, ND>,
) {
    let n = run.len();
    let (y, z) = (&run.y[..n], &run.z[..n]);
    let ch: [&[f64]; ND] = std::array::from_fn(|c| &run.ch[c][..n]);
    let run = Run {
        start: run.start,
        x: run.x,
        y,
        z,
        ch,
    };
    if !K::BRANCHES && GRAD && ND >= 4 {
        chunked::<S, K, RELAXED, ND, GRAD>(s, k, t, soft2, &run, acc);
    } else {
        pipelined::<S, K, RELAXED, ND, GRAD>(s, k, t, soft2, &run, acc);
    }
}

/// [`sweep`] with each source's geometry issued two sources ahead of its
/// sums; `run`'s columns all have its length.
#[inline(always)]
fn pipelined<S: Simd, K: Green, const RELAXED: bool, const ND: usize, const GRAD: bool>(
    s: S,
    k: &K,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    acc: &mut Acc<S::V, ND>,
) {
    let n = run.len();
    // Software pipelining: the geometry (separation and 1/r, a long chain of
    // dependent operations) of source j + 2 is issued before the channel
    // sums of source j, so the scheduler never fills up with operations
    // waiting on the 1/r chain. The loop then runs at the throughput of the
    // two vector arithmetic ports.
    if n == 0 {
        return;
    }
    if S::SHARE_DIVIDER {
        // Sources in pairs: an even-indexed source's 1/r by IEEE square
        // root and division, on the divider, an odd one's by the refined
        // estimate, on the FMA ports; the two chains are independent and
        // overlap. Parity counts from the first of all sources.
        let mut j = 0;
        if !run.start.is_multiple_of(2) {
            let g = geometry::<S, RELAXED, ND>(s, t, soft2, run, 0);
            add::<S, K, ND, GRAD>(s, k, g, run, 0, acc);
            j = 1;
        }
        while j + 2 <= n {
            let g0 = geometry_ieee::<S, ND>(s, t, soft2, run, j);
            let g1 = geometry::<S, RELAXED, ND>(s, t, soft2, run, j + 1);
            add::<S, K, ND, GRAD>(s, k, g0, run, j, acc);
            add::<S, K, ND, GRAD>(s, k, g1, run, j + 1, acc);
            j += 2;
        }
        if j < n {
            let g = geometry_ieee::<S, ND>(s, t, soft2, run, j);
            add::<S, K, ND, GRAD>(s, k, g, run, j, acc);
        }
        return;
    }
    if n < 2 {
        for j in 0..n {
            let g = geometry::<S, RELAXED, ND>(s, t, soft2, run, j);
            add::<S, K, ND, GRAD>(s, k, g, run, j, acc);
        }
        return;
    }
    if GRAD && ND >= 4 {
        // Many accumulators leave no registers to carry separations two
        // iterations: carry 1/r (and, for a compact kernel, r^2) only and
        // recompute r_j - t (3 subtractions are cheaper than the spills).
        // (No closures here: they would be compiled without the token's
        // target features.)
        let mut c0 = geometry::<S, RELAXED, ND>(s, t, soft2, run, 0);
        let mut c1 = geometry::<S, RELAXED, ND>(s, t, soft2, run, 1);
        for j in 0..n - 2 {
            let cur = c0;
            c0 = c1;
            c1 = geometry::<S, RELAXED, ND>(s, t, soft2, run, j + 2);
            add::<S, K, ND, GRAD>(s, k, regeo(s, t, run, j, cur), run, j, acc);
        }
        add::<S, K, ND, GRAD>(s, k, regeo(s, t, run, n - 2, c0), run, n - 2, acc);
        add::<S, K, ND, GRAD>(s, k, regeo(s, t, run, n - 1, c1), run, n - 1, acc);
    } else {
        let mut g0 = geometry::<S, RELAXED, ND>(s, t, soft2, run, 0);
        let mut g1 = geometry::<S, RELAXED, ND>(s, t, soft2, run, 1);
        for j in 0..n - 2 {
            let cur = g0;
            g0 = g1;
            g1 = geometry::<S, RELAXED, ND>(s, t, soft2, run, j + 2);
            add::<S, K, ND, GRAD>(s, k, cur, run, j, acc);
        }
        add::<S, K, ND, GRAD>(s, k, g0, run, n - 2, acc);
        add::<S, K, ND, GRAD>(s, k, g1, run, n - 1, acc);
    }
}

/// Source `j` of `run` acts on every lane of `t` but `lane`, the target
/// that is source `j` itself (its terms are zeroed, so its sum is the one
/// that skips the pair).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn skip_self<
    S: Simd,
    K: Green,
    const RELAXED: bool,
    const ND: usize,
    const GRAD: bool,
>(
    s: S,
    k: &K,
    t: &[S::V; 3],
    soft2: S::V,
    run: &Run<'_, ND>,
    j: usize,
    lane: usize,
    acc: &mut Acc<S::V, ND>,
) {
    let geo = geometry_of::<S, RELAXED, ND>(s, t, soft2, run, j);
    let (g, f) = k.terms(s, geo.r2, geo.inv);
    let (g, f) = (s.zero_lane(g, lane), s.zero_lane(f, lane));
    accumulate::<S, ND, GRAD>(s, geo.d, g, f, run, j, acc);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2p::green::Plummer;
    use crate::p2p::tests::lcg;
    use crate::simd::{Isa, WithSimd};

    /// The sums of every lane, channel by channel: potential, then gradient.
    fn lanes<S: Simd, const ND: usize>(s: S, acc: &Acc<S::V, ND>) -> Vec<u64> {
        let mut out = vec![0.0; S::LANES];
        let mut bits = Vec::new();
        for c in 0..ND {
            for v in std::iter::once(acc.pot[c]).chain(acc.grad[c]) {
                s.store(v, &mut out);
                bits.extend(out.iter().map(|x| x.to_bits()));
            }
        }
        bits
    }

    /// The two loops of [`sweep`] on one run: the bits of both.
    struct BothLoops<'a, const ND: usize, const RELAXED: bool> {
        sources: &'a [Vec<f64>],
        targets: &'a [Vec<f64>; 3],
        start: usize,
        soft2: f64,
    }

    impl<const ND: usize, const RELAXED: bool> WithSimd for BothLoops<'_, ND, RELAXED> {
        type Output = (Vec<u64>, Vec<u64>);
        #[inline(always)]
        fn with_simd<S: Simd>(self, s: S) -> Self::Output {
            let src = self.sources;
            let run = Run {
                start: self.start,
                x: &src[0],
                y: &src[1],
                z: &src[2],
                ch: std::array::from_fn(|c| &src[3 + c][..]),
            };
            let t = [0, 1, 2].map(|e| s.load(&self.targets[e]));
            let k = Plummer { soft2: self.soft2 };
            let soft2 = s.splat(self.soft2);
            // Non-zero starting sums, as after an earlier run.
            let acc0 = Acc {
                pot: [s.splat(0.5); ND],
                grad: [[s.splat(-0.25); 3]; ND],
            };
            let (mut a, mut b) = (acc0, acc0);
            chunked::<S, Plummer, RELAXED, ND, true>(s, &k, &t, soft2, &run, &mut a);
            pipelined::<S, Plummer, RELAXED, ND, true>(s, &k, &t, soft2, &run, &mut b);
            (lanes(s, &a), lanes(s, &b))
        }
    }

    fn same_bits<const ND: usize, const RELAXED: bool>(isa: Isa, seed: &mut u64) {
        for n in [0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 70] {
            for start in [0, 1, 6, 7] {
                for soft2 in [0.0, 1e-4] {
                    let sources: Vec<Vec<f64>> = (0..3 + ND)
                        .map(|_| (0..n).map(|_| lcg(seed)).collect())
                        .collect();
                    let targets = [0, 1, 2].map(|_| (0..8).map(|_| lcg(seed) + 3.0).collect());
                    let (a, b) = isa.dispatch(BothLoops::<ND, RELAXED> {
                        sources: &sources,
                        targets: &targets,
                        start,
                        soft2,
                    });
                    assert_eq!(a, b, "{isa} nd {ND} relaxed {RELAXED} n {n} start {start}");
                }
            }
        }
    }

    /// The two-pass loop and the software-pipelined loop give the same bits
    /// on every available instruction set, at full and relaxed precision,
    /// for every length around the chunk size and both parities of the
    /// run's first source (which pick each source's `1/r` where the divider
    /// is shared), so the choice between them is invisible in any result.
    #[test]
    fn two_passes_give_the_pipelined_loops_bits() {
        let mut seed = 11;
        for isa in Isa::available() {
            same_bits::<1, false>(isa, &mut seed);
            same_bits::<4, false>(isa, &mut seed);
            same_bits::<4, true>(isa, &mut seed);
            same_bits::<8, false>(isa, &mut seed);
        }
    }
}
