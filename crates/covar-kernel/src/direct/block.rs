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
            _borrow: PhantomData,
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
        // SAFETY: in bounds by the assert above; the buffer is borrowed
        // mutably for 'a; disjointness of concurrent writes is the caller's
        // contract.
        unsafe {
            std::ptr::copy_nonoverlapping(
                values.as_ptr(),
                base.add(row * self.nt + i0),
                values.len(),
            );
        }
    }
}

/// Computes target block `block` for every channel and writes its outputs.
///
/// # Safety
///
/// No other call may run concurrently for the same `block` of the same job.
#[inline(always)]
pub(crate) unsafe fn compute_block<S: Simd>(s: S, job: &Job<'_>, block: usize) {
    let nt = job.n_targets();
    let i0 = block * BLOCK;
    let m = BLOCK.min(nt - i0);
    // Padded local copy of the block's target coordinates: lanes past the
    // last target repeat it (finite, results discarded).
    let mut t = [[0.0; BLOCK]; 3];
    for (d, col) in [job.targets.x, job.targets.y, job.targets.z]
        .into_iter()
        .enumerate()
    {
        t[d][..m].copy_from_slice(&col[i0..i0 + m]);
        let last = col[i0 + m - 1];
        t[d][m..].fill(last);
    }
    let grad = job.out.has_gradient();
    let mut c0 = 0;
    while c0 < job.nd {
        let left = job.nd - c0;
        // SAFETY (each arm): forwarded from this function's contract.
        let width = unsafe {
            match (grad, left) {
                (true, 4..) => group::<S, 4, true>(s, job, i0, m, &t, c0),
                (true, 2..=3) => group::<S, 2, true>(s, job, i0, m, &t, c0),
                (true, _) => group::<S, 1, true>(s, job, i0, m, &t, c0),
                (false, 8..) => group::<S, 8, false>(s, job, i0, m, &t, c0),
                (false, 4..=7) => group::<S, 4, false>(s, job, i0, m, &t, c0),
                (false, 2..=3) => group::<S, 2, false>(s, job, i0, m, &t, c0),
                (false, _) => group::<S, 1, false>(s, job, i0, m, &t, c0),
            }
        };
        c0 += width;
    }
}

/// Channels `c0 .. c0 + ND` for the block's targets `i0 .. i0 + m`.
/// Returns `ND`.
#[inline(always)]
unsafe fn group<S: Simd, const ND: usize, const GRAD: bool>(
    s: S,
    job: &Job<'_>,
    i0: usize,
    m: usize,
    t: &[[f64; BLOCK]; 3],
    c0: usize,
) -> usize {
    let n = job.n_sources();
    let lanes = S::LANES;
    let vectors = m.div_ceil(lanes);
    let mut pot = [[0.0; BLOCK]; ND];
    let mut grad = [[[0.0; BLOCK]; 3]; ND];
    let soft2 = s.splat(job.softening2);
    let mut j0 = 0;
    while j0 < n {
        let j1 = (j0 + TILE).min(n);
        let tile = |lo: usize, hi: usize| Run::<ND> {
            x: &job.sources.x[lo..hi],
            y: &job.sources.y[lo..hi],
            z: &job.sources.z[lo..hi],
            ch: std::array::from_fn(|c| &job.channels[(c0 + c) * n + lo..(c0 + c) * n + hi]),
        };
        for v in 0..vectors {
            let o = v * lanes;
            let tv = [s.load(&t[0][o..]), s.load(&t[1][o..]), s.load(&t[2][o..])];
            let mut acc = Acc::<S::V, ND> {
                pot: std::array::from_fn(|c| s.load(&pot[c][o..])),
                grad: std::array::from_fn(|c| std::array::from_fn(|d| s.load(&grad[c][d][o..]))),
            };
            if job.targets_are_sources {
                // Sources that are targets of this vector get a masked sweep.
                let first = i0 + o;
                let a = first.clamp(j0, j1);
                let b = (first + lanes).clamp(j0, j1);
                sweep::<S, ND, GRAD>(s, &tv, soft2, &tile(j0, a), &mut acc);
                sweep_diagonal::<S, ND, GRAD>(s, &tv, soft2, &tile(a, b), a - first, &mut acc);
                sweep::<S, ND, GRAD>(s, &tv, soft2, &tile(b, j1), &mut acc);
            } else {
                sweep::<S, ND, GRAD>(s, &tv, soft2, &tile(j0, j1), &mut acc);
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
    for c in 0..ND {
        // SAFETY: this block owns targets i0 .. i0 + m (caller's contract).
        unsafe {
            job.out.write(false, c0 + c, i0, &pot[c][..m]);
            if GRAD {
                for d in 0..3 {
                    job.out.write(true, 3 * (c0 + c) + d, i0, &grad[c][d][..m]);
                }
            }
        }
    }
    ND
}
