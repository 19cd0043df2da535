//! One block of targets against all sources: the unit of parallel work.
//!
//! A block holds [`BLOCK`] targets. Sources are visited in tiles of [`TILE`]
//! (their coordinates and channels stay in L2 cache while every target
//! vector of the block sweeps them), channels in groups whose running sums
//! fit in registers. Block boundaries do not depend on the thread count, so
//! neither do the results.

use std::marker::PhantomData;

use super::simd::Simd;
use super::sweep::{Acc, Run, sweep, sweep_diagonal};
use crate::problem::Points;

/// Targets per block (a multiple of every vector width).
pub(crate) const BLOCK: usize = 64;
/// Sources per cache tile: 4096 × (3 + 4) f64 = 224 KiB.
const TILE: usize = 4096;

/// Everything a block needs, shared read-only between threads.
pub(crate) struct Job<'a> {
    pub(crate) sources: Points<'a>,
    pub(crate) channels: &'a [f64],
    pub(crate) nd: usize,
    pub(crate) targets: Points<'a>,
    pub(crate) targets_are_sources: bool,
    pub(crate) softening2: f64,
    pub(crate) out: OutWriter<'a>,
}

impl Job<'_> {
    pub(crate) fn n_sources(&self) -> usize {
        self.sources.x.len()
    }
    pub(crate) fn n_targets(&self) -> usize {
        self.targets.x.len()
    }
}

/// Write access to the output rows for disjoint target ranges from many threads.
pub(crate) struct OutWriter<'a> {
    potential: *mut f64,
    gradient: *mut f64,
    has_gradient: bool,
    nd: usize,
    nt: usize,
    /// Where target `i` goes (`order[i]`), if not to `i`.
    order: Option<&'a [u32]>,
    _borrow: PhantomData<&'a mut [f64]>,
}

// SAFETY: the writer is only used through `write`, whose contract requires
// that concurrent calls touch disjoint target ranges.
unsafe impl Send for OutWriter<'_> {}
// SAFETY: as above.
unsafe impl Sync for OutWriter<'_> {}

impl<'a> OutWriter<'a> {
    /// Wraps validated output buffers (`potential`: `nd * nt`,
    /// `gradient`: `3 * nd * nt`).
    pub(crate) fn new(
        potential: &'a mut [f64],
        gradient: Option<&'a mut [f64]>,
        nd: usize,
        nt: usize,
    ) -> Self {
        assert_eq!(potential.len(), nd * nt);
        let has_gradient = gradient.is_some();
        let gradient = match gradient {
            Some(g) => {
                assert_eq!(g.len(), 3 * nd * nt);
                g.as_mut_ptr()
            }
            None => std::ptr::null_mut(),
        };
        Self {
            potential: potential.as_mut_ptr(),
            gradient,
            has_gradient,
            nd,
            nt,
            order: None,
            _borrow: PhantomData,
        }
    }

    /// As [`new`](Self::new), but target `i` of every write goes to
    /// position `order[i]` of its row: results computed in a sorted order
    /// land in the caller's order without a sorted copy of the outputs.
    /// `order` must be a permutation of `0..nt`.
    pub(crate) fn permuted(
        potential: &'a mut [f64],
        gradient: Option<&'a mut [f64]>,
        nd: usize,
        nt: usize,
        order: &'a [u32],
    ) -> Self {
        assert_eq!(order.len(), nt);
        Self {
            order: Some(order),
            ..Self::new(potential, gradient, nd, nt)
        }
    }

    pub(crate) fn has_gradient(&self) -> bool {
        self.has_gradient
    }

    /// Copies `values` into row `row` of the potential (`gradient == false`,
    /// `row < nd`) or gradient (`row < 3 nd`) output, from target `i0` on.
    ///
    /// # Safety
    ///
    /// No other thread may access targets `i0 .. i0 + values.len()` of any row
    /// while this runs.
    pub(crate) unsafe fn write(&self, gradient: bool, row: usize, i0: usize, values: &[f64]) {
        let (base, rows) = if gradient {
            assert!(self.has_gradient);
            (self.gradient, 3 * self.nd)
        } else {
            (self.potential, self.nd)
        };
        assert!(row < rows && i0 + values.len() <= self.nt);
        match self.order {
            // SAFETY: in bounds by the assert above; the buffer is borrowed
            // mutably for 'a; disjointness of concurrent writes is the
            // caller's contract.
            None => unsafe {
                std::ptr::copy_nonoverlapping(
                    values.as_ptr(),
                    base.add(row * self.nt + i0),
                    values.len(),
                );
            },
            Some(order) => {
                let row = row * self.nt;
                for (v, &k) in values.iter().zip(&order[i0..i0 + values.len()]) {
                    let k = k as usize;
                    assert!(k < self.nt);
                    // SAFETY: `k < nt` (checked); `order` is a permutation,
                    // so targets of disjoint sorted ranges are disjoint.
                    unsafe { *base.add(row + k) = *v };
                }
            }
        }
    }
}

/// Up to [`BLOCK`] target positions, padded for whole vectors.
pub(crate) struct TargetBlock {
    t: [[f64; BLOCK]; 3],
    m: usize,
    /// Index of target 0 among the sources when the targets are sources
    /// (target `k` is source `first + k` and skips itself).
    first: Option<usize>,
}

impl TargetBlock {
    /// Copies targets `i0 .. i0 + m` of `points` (`1 <= m <= BLOCK`); lanes
    /// past the last target repeat it (finite, results discarded).
    pub(crate) fn new(points: Points<'_>, i0: usize, m: usize, first: Option<usize>) -> Self {
        assert!((1..=BLOCK).contains(&m));
        let mut t = [[0.0; BLOCK]; 3];
        for (d, col) in [points.x, points.y, points.z].into_iter().enumerate() {
            t[d][..m].copy_from_slice(&col[i0..i0 + m]);
            let last = col[i0 + m - 1];
            t[d][m..].fill(last);
        }
        Self { t, m, first }
    }
}

/// Sources with `nd` channel-major channels (stride `points.x.len()`).
#[derive(Clone, Copy)]
pub(crate) struct SourceSet<'a> {
    pub(crate) points: Points<'a>,
    pub(crate) channels: &'a [f64],
    pub(crate) nd: usize,
    pub(crate) softening2: f64,
}

/// Receives the finished sums of a block, one channel at a time.
pub(crate) trait BlockSink {
    /// Sums of channel `c` for the block's targets (`pot.len()` targets;
    /// `grad` is `None` when gradients were not requested).
    fn channel(&mut self, c: usize, pot: &[f64], grad: Option<[&[f64]; 3]>);
}

/// Writes a block's sums into the direct backend's outputs.
struct RowSink<'j, 'a> {
    out: &'j OutWriter<'a>,
    i0: usize,
}

impl BlockSink for RowSink<'_, '_> {
    fn channel(&mut self, c: usize, pot: &[f64], grad: Option<[&[f64]; 3]>) {
        // SAFETY: the block owning targets i0 .. i0 + len is computed by one
        // call only (the contract of `compute_block`).
        unsafe {
            self.out.write(false, c, self.i0, pot);
            if let Some(g) = grad {
                for (d, row) in g.into_iter().enumerate() {
                    self.out.write(true, 3 * c + d, self.i0, row);
                }
            }
        }
    }
}

/// Computes target block `block` of a direct job for every channel and
/// writes its outputs.
///
/// # Safety
///
/// No other call may run concurrently for the same `block` of the same job.
#[inline(always)]
pub(crate) unsafe fn compute_block<S: Simd>(s: S, job: &Job<'_>, block: usize) {
    let i0 = block * BLOCK;
    let m = BLOCK.min(job.n_targets() - i0);
    let targets = TargetBlock::new(job.targets, i0, m, job.targets_are_sources.then_some(i0));
    let sources = SourceSet {
        points: job.sources,
        channels: job.channels,
        nd: job.nd,
        softening2: job.softening2,
    };
    let mut sink = RowSink { out: &job.out, i0 };
    block_sums(
        s,
        &targets,
        &sources,
        &[(0, job.n_sources())],
        job.out.has_gradient(),
        &mut sink,
    );
}

/// Sums over the sources in `ranges` (half-open index ranges, visited in
/// order) at the targets of `targets`, every channel, into `sink`.
#[inline(always)]
pub(crate) fn block_sums<S: Simd>(
    s: S,
    targets: &TargetBlock,
    sources: &SourceSet<'_>,
    ranges: &[(usize, usize)],
    grad: bool,
    sink: &mut dyn BlockSink,
) {
    let mut c0 = 0;
    while c0 < sources.nd {
        let left = sources.nd - c0;
        let args = (s, targets, sources, ranges, c0);
        let width = match (grad, left) {
            (true, 4..) => group::<S, 4, true>(args, sink),
            (true, 2..=3) => group::<S, 2, true>(args, sink),
            (true, _) => group::<S, 1, true>(args, sink),
            (false, 8..) => group::<S, 8, false>(args, sink),
            (false, 4..=7) => group::<S, 4, false>(args, sink),
            (false, 2..=3) => group::<S, 2, false>(args, sink),
            (false, _) => group::<S, 1, false>(args, sink),
        };
        c0 += width;
    }
}

/// Channels `c0 .. c0 + ND` at the block's targets. Returns `ND`.
#[inline(always)]
fn group<S: Simd, const ND: usize, const GRAD: bool>(
    (s, tb, src, ranges, c0): (S, &TargetBlock, &SourceSet<'_>, &[(usize, usize)], usize),
    sink: &mut dyn BlockSink,
) -> usize {
    let n = src.points.x.len();
    let lanes = S::LANES;
    let vectors = tb.m.div_ceil(lanes);
    let mut pot = [[0.0; BLOCK]; ND];
    let mut grad = [[[0.0; BLOCK]; 3]; ND];
    let soft2 = s.splat(src.softening2);
    let t = &tb.t;
    let run = |lo: usize, hi: usize| Run::<ND> {
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
                match tb.first {
                    Some(first) => {
                        // Sources that are targets of this vector get a
                        // masked sweep.
                        let first = first + o;
                        let a = first.clamp(j0, j1);
                        let b = (first + lanes).clamp(j0, j1);
                        sweep::<S, ND, GRAD>(s, &tv, soft2, &run(j0, a), &mut acc);
                        if a < b {
                            // Here first <= a < first + lanes.
                            sweep_diagonal::<S, ND, GRAD>(
                                s,
                                &tv,
                                soft2,
                                &run(a, b),
                                a - first,
                                &mut acc,
                            );
                        }
                        sweep::<S, ND, GRAD>(s, &tv, soft2, &run(b, j1), &mut acc);
                    }
                    None => sweep::<S, ND, GRAD>(s, &tv, soft2, &run(j0, j1), &mut acc),
                }
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
