//! The pair kernel: one block of targets against runs of sources, every
//! channel, on any instruction set of the SIMD layer.
//!
//! A block holds up to [`BLOCK`] targets in SIMD lanes. Sources are
//! broadcast one at a time and visited in tiles of [`TILE`] (their
//! coordinates and channels stay in L2 cache while every target vector of
//! the block sweeps them), channels in groups whose running sums fit in
//! registers. Each target adds its terms in source order in one lane, by the
//! same instructions whatever thread runs it, so results do not depend on
//! the thread count. The direct backend runs it over all sources; the fast
//! backend over the near leaves of each target leaf.
//!
//! # Precision
//!
//! With [`Precision::Full`], `1/r` is good to a few units in the last place
//! on every instruction set. [`Precision::Relaxed`] refines the `1/r` seed
//! less (see [`crate::simd`]): each term's relative error is then at most
//! `e = Isa::relaxed_rsqrt_error()` for the potential and `3 e` for the
//! gradient (which uses `1/r^3`), so every sum is off by at most `3 e` times
//! the sum of its terms' absolute values. Only the fast backend asks for
//! it, and only when its tolerance is far above that bound.

// Kernels index fixed-size register arrays by channel and axis.
#![allow(clippy::needless_range_loop)]

mod green;
mod sweep;

use crate::problem::{Points, Selves};
use crate::simd::{Isa, Simd, WithSimd};
use crate::softening::Softening;
use green::{Green, Kernel};
use sweep::{Acc, Run, skip_self, sweep};

/// Targets per block (a multiple of every vector width).
pub(crate) const BLOCK: usize = 64;
/// Sources per cache tile: 4096 × (3 + 4) f64 = 224 KiB.
const TILE: usize = 4096;

/// How precisely the pair kernel computes `1/r`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Precision {
    /// Full f64 accuracy (a few units in the last place).
    Full,
    /// Relative error at most [`Isa::relaxed_rsqrt_error`] per `1/r`.
    Relaxed,
}

/// Up to [`BLOCK`] target positions, padded for whole vectors.
pub(crate) struct TargetBlock {
    t: [[f64; BLOCK]; 3],
    m: usize,
    /// When the targets are sources, the source each lane is (increasing;
    /// `usize::MAX` past the last target), which it skips.
    selves: Option<[usize; BLOCK]>,
}

impl TargetBlock {
    /// Copies targets `i0 .. i0 + m` of `points` (`1 <= m <= BLOCK`); lanes
    /// past the last target repeat it (finite, results discarded). `selves`
    /// says which source, if any, each of `points` is.
    pub(crate) fn new(points: Points<'_>, i0: usize, m: usize, selves: Selves<'_>) -> Self {
        assert!((1..=BLOCK).contains(&m));
        let mut t = [[0.0; BLOCK]; 3];
        for (d, col) in [points.x, points.y, points.z].into_iter().enumerate() {
            t[d][..m].copy_from_slice(&col[i0..i0 + m]);
            let last = col[i0 + m - 1];
            t[d][m..].fill(last);
        }
        let selves = selves.any().then(|| {
            std::array::from_fn(|k| {
                if k < m {
                    selves.of(i0 + k).unwrap_or(usize::MAX)
                } else {
                    usize::MAX
                }
            })
        });
        Self { t, m, selves }
    }
}

/// Sources with `nd` channel-major channels (stride `points.x.len()`).
#[derive(Clone, Copy)]
pub(crate) struct SourceSet<'a> {
    pub(crate) points: Points<'a>,
    pub(crate) channels: &'a [f64],
    pub(crate) nd: usize,
    pub(crate) softening: Softening,
}

/// Receives the finished sums of a block, one channel at a time.
pub(crate) trait BlockSink {
    /// Sums of channel `c` for the block's targets (`pot.len()` targets;
    /// `grad` is `None` when gradients were not requested).
    fn channel(&mut self, c: usize, pot: &[f64], grad: Option<[&[f64]; 3]>);
}

/// [`near_field`] with the kernel `k`, in groups of channels: each group
/// is one operation dispatched to `isa`, so each compiled function holds a
/// single group's loop. (Dispatching the whole block at once put every
/// combination of kernel, precision and group into one function, whose
/// stack frame in an unoptimized build overflowed a worker thread's stack.)
fn channel_groups<K: Green, const RELAXED: bool>(
    isa: Isa,
    k: &K,
    (targets, sources, ranges, grad, sink): BlockArgs<'_, '_, '_>,
) {
    let mut c0 = 0;
    while c0 < sources.nd {
        let left = sources.nd - c0;
        let args = (k, targets, sources, ranges, c0);
        let width = match (grad, left) {
            (true, 4..) => dispatch_group::<K, RELAXED, 4, true>(isa, args, sink),
            (true, 2..=3) => dispatch_group::<K, RELAXED, 2, true>(isa, args, sink),
            (true, _) => dispatch_group::<K, RELAXED, 1, true>(isa, args, sink),
            (false, 8..) => dispatch_group::<K, RELAXED, 8, false>(isa, args, sink),
            (false, 4..=7) => dispatch_group::<K, RELAXED, 4, false>(isa, args, sink),
            (false, 2..=3) => dispatch_group::<K, RELAXED, 2, false>(isa, args, sink),
            (false, _) => dispatch_group::<K, RELAXED, 1, false>(isa, args, sink),
        };
        c0 += width;
    }
}

/// Channels `c0 .. c0 + ND` at the block's targets. Returns `ND`.
#[inline(always)]
#[allow(clippy::type_complexity)]
fn group<S: Simd, K: Green, const RELAXED: bool, const ND: usize, const GRAD: bool>(
    (s, k, tb, src, ranges, c0): (
        S,
        &K,
        &TargetBlock,
        &SourceSet<'_>,
        &[(usize, usize)],
        usize,
    ),
    sink: &mut dyn BlockSink,
) -> usize {
    let n = src.points.x.len();
    let lanes = S::LANES;
    let vectors = tb.m.div_ceil(lanes);
    let mut pot = [[0.0; BLOCK]; ND];
    let mut grad = [[[0.0; BLOCK]; 3]; ND];
    let soft2 = s.splat(k.soft2());
    let t = &tb.t;
    let run = |lo: usize, hi: usize| Run::<ND> {
        start: lo,
        x: &src.points.x[lo..hi],
        y: &src.points.y[lo..hi],
        z: &src.points.z[lo..hi],
        ch: std::array::from_fn(|c| &src.channels[(c0 + c) * n + lo..(c0 + c) * n + hi]),
    };
    for &(lo, hi) in ranges {
        let mut j0 = lo;
        while j0 < hi {
            let j1 = (j0 + TILE).min(hi);
            for v in 0..vectors {
                let o = v * lanes;
                let tv = [s.load(&t[0][o..]), s.load(&t[1][o..]), s.load(&t[2][o..])];
                let mut acc = Acc::<S::V, ND> {
                    pot: std::array::from_fn(|c| s.load(&pot[c][o..])),
                    grad: std::array::from_fn(|c| {
                        std::array::from_fn(|d| s.load(&grad[c][d][o..]))
                    }),
                };
                let mut j = j0;
                if let Some(selves) = &tb.selves {
                    // A lane whose source is in this tile skips it; the
                    // other lanes' sums go on as in a plain sweep.
                    for (lane, &me) in selves[o..o + lanes].iter().enumerate() {
                        if (j..j1).contains(&me) {
                            sweep::<S, K, RELAXED, ND, GRAD>(
                                s,
                                k,
                                &tv,
                                soft2,
                                &run(j, me),
                                &mut acc,
                            );
                            let one = run(me, me + 1);
                            skip_self::<S, K, RELAXED, ND, GRAD>(
                                s, k, &tv, soft2, &one, 0, lane, &mut acc,
                            );
                            j = me + 1;
                        }
                    }
                }
                sweep::<S, K, RELAXED, ND, GRAD>(s, k, &tv, soft2, &run(j, j1), &mut acc);
                for c in 0..ND {
                    s.store(acc.pot[c], &mut pot[c][o..]);
                    if GRAD {
                        for d in 0..3 {
                            s.store(acc.grad[c][d], &mut grad[c][d][o..]);
                        }
                    }
                }
            }
            j0 = j1;
        }
    }
    let m = tb.m;
    for c in 0..ND {
        let g = GRAD.then(|| [&grad[c][0][..m], &grad[c][1][..m], &grad[c][2][..m]]);
        sink.channel(c0 + c, &pot[c][..m], g);
    }
    ND
}

/// Sums over the sources in `ranges` of one target block on instruction set
/// `isa`, at `precision`, every channel, into `sink`.
///
/// # Panics
///
/// If this CPU cannot run `isa`.
pub(crate) fn near_field(
    isa: Isa,
    precision: Precision,
    targets: &TargetBlock,
    sources: &SourceSet<'_>,
    ranges: &[(usize, usize)],
    grad: bool,
    sink: &mut dyn BlockSink,
) {
    let args = (targets, sources, ranges, grad, sink);
    match (Kernel::of(sources.softening), precision) {
        (Kernel::Plummer(k), Precision::Full) => channel_groups::<_, false>(isa, &k, args),
        (Kernel::Plummer(k), Precision::Relaxed) => channel_groups::<_, true>(isa, &k, args),
        (Kernel::Compact(k), Precision::Full) => channel_groups::<_, false>(isa, &k, args),
        (Kernel::Compact(k), Precision::Relaxed) => channel_groups::<_, true>(isa, &k, args),
    }
}

/// The arguments of [`near_field`] after the instruction set and precision:
/// targets, sources, ranges, whether to sum the gradient, and the sink.
type BlockArgs<'a, 'b, 's> = (
    &'a TargetBlock,
    &'a SourceSet<'b>,
    &'a [(usize, usize)],
    bool,
    &'s mut dyn BlockSink,
);

/// The arguments of one group: kernel, targets, sources, ranges, first channel.
type GroupArgs<'a, 'b, K> = (
    &'a K,
    &'a TargetBlock,
    &'a SourceSet<'b>,
    &'a [(usize, usize)],
    usize,
);

/// Channels `c0 .. c0 + ND` ([`group`]) on instruction set `isa`; returns `ND`.
fn dispatch_group<K: Green, const RELAXED: bool, const ND: usize, const GRAD: bool>(
    isa: Isa,
    args: GroupArgs<'_, '_, K>,
    sink: &mut dyn BlockSink,
) -> usize {
    isa.dispatch(Group::<K, RELAXED, ND, GRAD> { args, sink })
}

/// One group of `ND` channels of the pair kernel as a [`WithSimd`] operation.
struct Group<'a, 'b, K, const RELAXED: bool, const ND: usize, const GRAD: bool> {
    args: GroupArgs<'a, 'b, K>,
    sink: &'a mut dyn BlockSink,
}

impl<K: Green, const RELAXED: bool, const ND: usize, const GRAD: bool> WithSimd
    for Group<'_, '_, K, RELAXED, ND, GRAD>
{
    type Output = usize;
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) -> usize {
        let (k, targets, sources, ranges, c0) = self.args;
        group::<S, K, RELAXED, ND, GRAD>((s, k, targets, sources, ranges, c0), self.sink)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Collects a block's sums.
    struct Collect {
        pot: Vec<Vec<f64>>,
        grad: Vec<[Vec<f64>; 3]>,
    }

    impl BlockSink for Collect {
        fn channel(&mut self, c: usize, pot: &[f64], grad: Option<[&[f64]; 3]>) {
            self.pot[c] = pot.to_vec();
            if let Some(g) = grad {
                self.grad[c] = g.map(<[f64]>::to_vec);
            }
        }
    }

    /// Uniform in `[-1, 1)`, from a 64-bit LCG: test inputs.
    pub(crate) fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    /// Sums over source ranges equal plain loops over the same sources (self
    /// pairs skipped) on every instruction set: within 1e-13 of the absolute
    /// sums at full precision, within `3 e + 1e-13` of them at relaxed
    /// precision (`e` the instruction set's relaxed `1/sqrt` bound).
    #[test]
    fn near_field_over_ranges_matches_plain_loops() {
        let mut seed = 7;
        let n = 300;
        let nd = 4;
        let col = |seed: &mut u64, m: usize| (0..m).map(|_| lcg(seed)).collect::<Vec<f64>>();
        let (x, y, z) = (col(&mut seed, n), col(&mut seed, n), col(&mut seed, n));
        let ch = col(&mut seed, n * nd);
        let ranges = [(0, 50), (90, 200), (250, 300)];
        let sources = SourceSet {
            points: Points::new(&x, &y, &z),
            channels: &ch,
            nd,
            softening: Softening::NONE,
        };
        for (isa, precision) in Isa::available()
            .into_iter()
            .flat_map(|isa| [(isa, Precision::Full), (isa, Precision::Relaxed)])
        {
            let bound = match precision {
                Precision::Full => 1e-13,
                Precision::Relaxed => 3.0 * isa.relaxed_rsqrt_error() + 1e-13,
            };
            // Targets are sources 100..160 (inside a range: self skipped),
            // then 60 separate points.
            let (tx, ty, tz) = (col(&mut seed, 60), col(&mut seed, 60), col(&mut seed, 60));
            for (points, i0, selves) in [
                (Points::new(&x, &y, &z), 100, Selves::All),
                (Points::new(&tx, &ty, &tz), 0, Selves::None),
            ] {
                let tb = TargetBlock::new(points, i0, 60, selves);
                let mut sink = Collect {
                    pot: vec![Vec::new(); nd],
                    grad: vec![Default::default(); nd],
                };
                near_field(isa, precision, &tb, &sources, &ranges, true, &mut sink);
                for k in 0..60 {
                    let t = [points.x[i0 + k], points.y[i0 + k], points.z[i0 + k]];
                    for c in 0..nd {
                        let (mut p, mut pa) = (0.0, 0.0);
                        let (mut g, mut ga) = ([0.0; 3], [0.0; 3]);
                        for &(lo, hi) in &ranges {
                            for j in lo..hi {
                                if selves.of(i0 + k) == Some(j) {
                                    continue;
                                }
                                let d = [t[0] - x[j], t[1] - y[j], t[2] - z[j]];
                                let r = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
                                let q = ch[c * n + j];
                                p += q / r;
                                pa += q.abs() / r;
                                for e in 0..3 {
                                    g[e] -= q * d[e] / (r * r * r);
                                    ga[e] += (q * d[e]).abs() / (r * r * r);
                                }
                            }
                        }
                        assert!(
                            (sink.pot[c][k] - p).abs() <= bound * pa,
                            "{isa} {precision:?} pot {k} {c}"
                        );
                        for e in 0..3 {
                            assert!(
                                (sink.grad[c][e][k] - g[e]).abs() <= bound * ga[e],
                                "{isa} {precision:?} grad {k} {c} {e}"
                            );
                        }
                    }
                }
            }
        }
    }
}
