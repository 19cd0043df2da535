//! The machine's costs of the fast backend's work units, measured, and the
//! choices that follow from them.
//!
//! Each M2L translation can be summed term by term
//! ([`Operators::m2l_direct`], `O(nd q^4)` multiply-adds, no per-pair set-up)
//! or by rotation ([`Operators::m2l`], `O(nd q^3)` plus a rotation built for
//! each pair). Which is cheaper at a given order depends on the CPU (its
//! FMA throughput against the latency-bound rotation recurrence) and on
//! the channel count, so [`MachineCosts::measure`] times both at every
//! order on this machine (and, for the report, one near-field pair), and
//! [`MachineCosts::term_by_term_up_to`] picks the crossover. The choice
//! changes only how each translation is summed (both agree to rounding:
//! the expansion tests compare them), never the accuracy.
//!
//! A measurement takes about 0.1–0.3 s (every order up to the highest the
//! tolerance can ask for, each timed over a few milliseconds, the fastest
//! of three batches kept). The command-line program caches it per CPU
//! model, instruction set and channel count; [`FastParams::m2l_term_order`]
//! carries the choice into the backend, so a run records it and resumes
//! with the same bits.
//!
//! The leaf size and `theta` are not chosen from these costs: their
//! defaults ([`FastParams::with_tolerance`]) stay as measured on whole
//! evaluations. A balance of near-field pairs against translations (optimal
//! leaf occupancy `sqrt(B c_m2l / (A c_pair))`) fitted at one tolerance
//! predicts leaves four times smaller at `1e-3` than the measured best on a
//! uniform `10^6` (whose octree allows only occupancies near 244 or 30),
//! so it was not adopted.
//!
//! ```
//! use covar_kernel::fast::{MachineCosts, FastParams};
//! use covar_kernel::Isa;
//! let costs = MachineCosts::measure(Isa::best(), 1, 8);
//! let q = costs.term_by_term_up_to();
//! assert!(q <= 8);
//! let p = FastParams { m2l_term_order: Some(q), ..FastParams::with_tolerance(1e-3) };
//! assert!(p.validate().is_ok());
//! ```

use std::time::{Duration, Instant};

use super::expansion::{Frame, Operators, n_coefficients};
use crate::p2p::{BLOCK, BlockSink, Precision, SourceSet, TargetBlock, near_field};
use crate::problem::{Points, Selves};
use crate::simd::Isa;
use crate::softening::Softening;

/// Time each measurement batch runs for, at least.
const BATCH: Duration = Duration::from_millis(2);
/// Batches per measurement; the fastest is kept (the least disturbed by
/// other work on the machine).
const BATCHES: usize = 3;
/// Term-by-term translations are no longer timed once they have cost more
/// than this many times the rotation at two consecutive orders: their
/// `q^4` against the rotation's `q^3` keeps them behind from there on.
const GIVE_UP_RATIO: f64 = 2.0;

/// Measured costs of the fast backend's work units on one machine, for one
/// instruction set and channel count, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct MachineCosts {
    /// The instruction set of the near field.
    pub isa: Isa,
    /// Channels.
    pub nd: usize,
    /// One near-field pair: potential and gradient of all channels, full
    /// `1/r`, no softening, one thread.
    pub pair: f64,
    /// `rotation[q]`: one M2L translation at order `q` by rotation (entries
    /// below 2 are 0).
    pub rotation: Vec<f64>,
    /// `term[q]`: the same translation term by term; `f64::INFINITY` where
    /// not timed (orders past the crossover, see the module documentation).
    pub term: Vec<f64>,
}

impl MachineCosts {
    /// Times the work units on this thread: a near-field pair on `isa`
    /// with `nd` channels, and M2L translations of every order `2..=max_order`
    /// both ways.
    ///
    /// # Panics
    ///
    /// If `isa` is not available, `nd == 0` or `max_order` exceeds
    /// [`MAX_ORDER`](super::expansion::MAX_ORDER).
    pub fn measure(isa: Isa, nd: usize, max_order: usize) -> Self {
        assert!(isa.is_available(), "{isa} is not available on this CPU");
        let mut rotation = vec![0.0; max_order + 1];
        let mut term = vec![f64::INFINITY; max_order + 1];
        let mut behind = 0;
        for q in 2..=max_order {
            let mut m2l = M2lBench::new(q, nd);
            rotation[q] = fastest(|| m2l.rotation());
            if behind < 2 {
                term[q] = fastest(|| m2l.term_by_term());
                behind = if term[q] > GIVE_UP_RATIO * rotation[q] {
                    behind + 1
                } else {
                    0
                };
            }
        }
        Self {
            isa,
            nd,
            pair: PairBench::new(nd).time(isa),
            rotation,
            term,
        }
    }

    /// The highest order up to which every translation is cheaper term by
    /// term than by rotation (1 when none is: every order rotates).
    ///
    /// ```
    /// use covar_kernel::{Isa, fast::MachineCosts};
    /// let costs = MachineCosts {
    ///     isa: Isa::Scalar,
    ///     nd: 1,
    ///     pair: 2e-9,
    ///     rotation: vec![0.0, 0.0, 4e-7, 5e-7, 6e-7, 7e-7],
    ///     term: vec![f64::INFINITY, f64::INFINITY, 1e-7, 3e-7, 8e-7, 5e-7],
    /// };
    /// // Term by term wins at 2 and 3, loses at 4: the crossover is 3
    /// // (order 5's win does not count, the orders below it must all win).
    /// assert_eq!(costs.term_by_term_up_to(), 3);
    /// ```
    pub fn term_by_term_up_to(&self) -> usize {
        (2..self.rotation.len())
            .take_while(|&q| self.term[q] <= self.rotation[q])
            .last()
            .unwrap_or(1)
    }

    /// The cost of one translation at order `q` by the cheaper way, if `q`
    /// was measured.
    pub fn m2l(&self, q: usize) -> Option<f64> {
        (q >= 2 && q < self.rotation.len()).then(|| self.rotation[q].min(self.term[q]))
    }
}

/// Seconds per call of `f` (which returns how many units it did), the
/// fastest of [`BATCHES`] batches of at least [`BATCH`] each.
fn fastest(mut f: impl FnMut() -> usize) -> f64 {
    (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            let mut units = 0;
            while start.elapsed() < BATCH || units == 0 {
                units += f();
            }
            start.elapsed().as_secs_f64() / units as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// A few translations of one order between cells in varied directions.
struct M2lBench {
    ops: Operators,
    m: Vec<f64>,
    l: Vec<f64>,
    frames: Vec<(Frame, Frame)>,
}

impl M2lBench {
    fn new(q: usize, nd: usize) -> Self {
        let len = nd * n_coefficients(q);
        let mut seed = 0x5eed_u64 + q as u64;
        let m = (0..len).map(|_| uniform(&mut seed)).collect();
        // Target centers 3 to 4 radii away, in eight directions.
        let frames = (0..8)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / 8.0;
                let target = [3.0 * a.cos(), 3.0 * a.sin(), uniform(&mut seed)];
                let frame = |center| Frame { center, scale: 1.0 };
                (frame([0.0; 3]), frame(target))
            })
            .collect();
        Self {
            ops: Operators::new(q, nd),
            m,
            l: vec![0.0; len],
            frames,
        }
    }

    fn rotation(&mut self) -> usize {
        for &(s, t) in &self.frames {
            self.ops.m2l(s, &self.m, t, &mut self.l);
        }
        self.frames.len()
    }

    fn term_by_term(&mut self) -> usize {
        for &(s, t) in &self.frames {
            self.ops.m2l_direct(s, &self.m, t, &mut self.l);
        }
        self.frames.len()
    }
}

/// A block of targets against a run of sources, as a leaf's near field
/// sums them.
struct PairBench {
    targets: [Vec<f64>; 3],
    sources: [Vec<f64>; 3],
    channels: Vec<f64>,
    nd: usize,
}

/// Sources per timed run.
const PAIR_SOURCES: usize = 1024;

impl PairBench {
    fn new(nd: usize) -> Self {
        let mut seed = 0xc0ffee;
        let mut col = |n: usize, shift: f64| -> Vec<f64> {
            (0..n).map(|_| uniform(&mut seed) + shift).collect()
        };
        let targets = [col(BLOCK, 0.0), col(BLOCK, 0.0), col(BLOCK, 0.0)];
        let sources = [
            col(PAIR_SOURCES, 3.0),
            col(PAIR_SOURCES, 0.0),
            col(PAIR_SOURCES, 0.0),
        ];
        let channels = col(nd * PAIR_SOURCES, 0.0);
        Self {
            targets,
            sources,
            channels,
            nd,
        }
    }

    /// Seconds per pair on `isa`.
    fn time(&self, isa: Isa) -> f64 {
        let [tx, ty, tz] = &self.targets;
        let [sx, sy, sz] = &self.sources;
        let block = TargetBlock::new(Points::new(tx, ty, tz), 0, BLOCK, Selves::None);
        let set = SourceSet {
            points: Points::new(sx, sy, sz),
            channels: &self.channels,
            nd: self.nd,
            softening: Softening::NONE,
        };
        let mut sink = Discard(0.0);
        let ranges = [(0, PAIR_SOURCES)];
        let run = || {
            near_field(isa, Precision::Full, &block, &set, &ranges, true, &mut sink);
            BLOCK * PAIR_SOURCES
        };
        let per_pair = fastest(run);
        std::hint::black_box(sink.0);
        per_pair
    }
}

/// Keeps one value of every block's sums, so the work is not optimized
/// away.
struct Discard(f64);

impl BlockSink for Discard {
    fn channel(&mut self, _c: usize, pot: &[f64], _grad: Option<[&[f64]; 3]>) {
        self.0 += pot[0];
    }
}

/// Uniform in `[-1, 1)`, from a 64-bit LCG.
fn uniform(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Costs with the crossover at `q` (term by term cheaper below and at
    /// it, dearer above).
    fn with_crossover(q: usize, top: usize) -> MachineCosts {
        let rotation: Vec<f64> = (0..=top).map(|k| 1e-7 * (k * k * k) as f64).collect();
        let term = (0..=top)
            .map(|k| {
                let r = rotation[k];
                if k <= q { 0.5 * r } else { 1.5 * r }
            })
            .collect();
        MachineCosts {
            isa: Isa::Scalar,
            nd: 1,
            pair: 1e-9,
            rotation,
            term,
        }
    }

    #[test]
    fn the_crossover_follows_the_costs() {
        for q in [1, 2, 5, 11, 20] {
            assert_eq!(with_crossover(q, 20).term_by_term_up_to(), q.max(1));
        }
        // Past the measured orders, every order rotates.
        let mut c = with_crossover(20, 20);
        c.term[2] = f64::INFINITY;
        assert_eq!(c.term_by_term_up_to(), 1);
        assert_eq!(c.m2l(2), Some(c.rotation[2]));
        assert_eq!(c.m2l(21), None);
    }

    #[test]
    fn measured_costs_are_positive_and_grow_with_the_order() {
        let c = MachineCosts::measure(Isa::Scalar, 2, 12);
        assert!(c.pair > 0.0 && c.pair < 1e-6, "pair {:e} s", c.pair);
        for q in 2..=12 {
            assert!(c.rotation[q] > 0.0 && c.rotation[q].is_finite());
            assert!(c.term[q] > 0.0);
        }
        // Order 12 does several times the work of order 2 either way (the
        // bound is loose: the timings are of a shared machine).
        assert!(c.rotation[12] > 2.0 * c.rotation[2], "{:?}", c.rotation);
        assert!(c.term_by_term_up_to() <= 12);
    }
}
