//! The dual-tree traversal and downward pass.
//!
//! Target-driven: each target node `A` receives a list of candidate source
//! nodes from its parent. A candidate `B` is
//!
//! - translated into `A`'s local expansion (M2L) when the pair is well
//!   separated: `r_A + r_B < theta |z_A - z_B|` (and, with softening,
//!   `|z_A - z_B| - r_A - r_B` above the gap of
//!   [`FastParams::softened_gap`](crate::FastParams::softened_gap): no pair
//!   of their particles is closer than a compact kernel's support, or than
//!   `s / sqrt(2 tol)` under Plummer softening, where the expansions of the
//!   exact `1/r` are within `tol` of the softened kernel);
//! - kept for direct summation when both are leaves;
//! - replaced by its children when it is the larger cell (or `A` is a leaf);
//! - passed down to `A`'s children otherwise.
//!
//! A leaf then evaluates its local expansion at its targets (L2P) and adds
//! the direct sums over its near leaves, merged into contiguous source
//! ranges and computed by the pair kernel (`p2p`) on the backend's
//! instruction set. Under a compactly supported softening, the near leaves
//! whose points are all farther from the leaf's than the support take the
//! plain `1/r` kernel, which the kernel equals there (branch free, and at
//! `nd >= 4` the two-pass loop): only leaves within the support of each
//! other pay for the softening. Every target node writes only its own
//! expansion and its own targets' rows, so subtrees run in parallel without
//! locks, and every sum is accumulated in an order fixed by the trees:
//! results do not depend on the thread count.
//!
//! With a subset of the targets ([`Traversal::wanted`]), the nodes holding
//! none of them are not visited; the visited ones do the same work as
//! without (see `subset.rs`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::expansion::{Fields, Operators, n_coefficients};
use super::tree::Tree;
use super::upward::frame;
use crate::backend::Progress;
use crate::output::OutWriter;
use crate::p2p::{BLOCK, BlockSink, Precision, SourceSet, TargetBlock, near_field};
use crate::problem::{Points, Selves};
use crate::simd::Isa;
use crate::softening::Softening;

/// Subtrees with more targets than this are processed in parallel.
const PARALLEL_POINTS: usize = 16_384;

/// One thread's operators: the full order for L2L and L2P, and every lower
/// order for M2L of pairs that need less (run in place on the leading
/// coefficients of full-order expansions).
pub(crate) struct Translator {
    full: Operators,
    /// `by_order[q]` translates at order `q` (entries below 2 unused).
    by_order: Vec<Operators>,
    /// Translations up to this order are summed term by term
    /// ([`Operators::m2l_direct`]), higher ones by rotation
    /// ([`FastParams::term_by_term_up_to`](crate::FastParams::term_by_term_up_to)).
    term_up_to: usize,
}

impl Translator {
    pub(crate) fn new(order: usize, nd: usize, isa: Isa, term_up_to: usize) -> Self {
        Self {
            full: Operators::new(order, nd)
                .with_isa(isa)
                .expect("the backend's instruction set is available"),
            by_order: (0..order).map(|q| Operators::new(q.max(1), nd)).collect(),
            term_up_to,
        }
    }

    /// M2L at order `q <= p` of a full-order `m` into a full-order `l`: the
    /// degrees up to `q` of every channel are a prefix of its coefficients.
    fn m2l(
        &mut self,
        q: usize,
        source: super::expansion::Frame,
        m: &[f64],
        target: super::expansion::Frame,
        l: &mut [f64],
    ) {
        let p = self.full.order();
        let stride = n_coefficients(p);
        let ops = if q >= p {
            &mut self.full
        } else {
            &mut self.by_order[q]
        };
        if q.min(p) <= self.term_up_to {
            ops.m2l_direct_strided(source, m, target, l, stride);
        } else {
            ops.m2l_strided(source, m, target, l, stride);
        }
    }
}

/// Nanosecond and event counters shared by the threads of a traversal.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) m2l_ns: AtomicU64,
    pub(crate) near_ns: AtomicU64,
    pub(crate) down_ns: AtomicU64,
    pub(crate) m2l_count: AtomicU64,
    pub(crate) m2l_order_sum: AtomicU64,
    pub(crate) near_pairs: AtomicU64,
    pub(crate) near_unsoftened: AtomicU64,
}

/// Everything the traversal reads, shared between threads.
pub(crate) struct Traversal<'a> {
    pub(crate) sources: &'a Tree<'a>,
    pub(crate) targets: &'a Tree<'a>,
    /// Whether the targets are the sources (same tree; self pairs skipped).
    pub(crate) same: bool,
    /// Multipole expansions of the source nodes.
    pub(crate) m: &'a [f64],
    /// Sorted source channels, channel-major with stride `sources.len()`.
    pub(crate) channels: &'a [f64],
    pub(crate) nd: usize,
    pub(crate) order: usize,
    pub(crate) theta: f64,
    /// Highest M2L order summed term by term (see [`Translator`]).
    pub(crate) term_up_to: usize,
    /// Order needed by a pair of separation ratio `rho`:
    /// `ceil(ln(tolerance / scale) / ln(rho))`, within `2 ..= order`.
    pub(crate) order_for_ratio: &'a (dyn Fn(f64) -> usize + Sync),
    pub(crate) softening: Softening,
    /// Smallest separation of expanded pairs (softening), 0 without.
    pub(crate) min_gap: f64,
    pub(crate) gradient: bool,
    pub(crate) isa: Isa,
    /// Precision of the near field's `1/r`.
    pub(crate) precision: Precision,
    /// With a subset of the targets (sums at some of the sources): how
    /// many of them each target node's subtree holds. Nodes holding none
    /// are not visited: no M2L, no L2L, no near field.
    pub(crate) wanted: Option<&'a [u32]>,
    /// Outputs in sorted target order.
    pub(crate) out: OutWriter<'a>,
    pub(crate) counters: &'a Counters,
    pub(crate) progress: Option<&'a Progress>,
}

impl Traversal<'_> {
    /// Runs the whole traversal; `l` holds one local expansion per target
    /// node (overwritten).
    pub(crate) fn run(&self) {
        if self.targets.is_empty() || self.sources.is_empty() || self.wanted(0) == 0 {
            return;
        }
        let mut tr = Translator::new(self.order, self.nd, self.isa, self.term_up_to);
        let mut l = vec![0.0; tr.full.expansion_len()];
        self.visit(0, vec![0], &mut l, &mut tr);
    }

    /// How many targets of node `a`'s subtree get their sums.
    fn wanted(&self, a: usize) -> usize {
        self.wanted
            .map_or(self.targets.node(a).len(), |w| w[a] as usize)
    }

    /// If source node `b` may act on target node `a` by expansions, the
    /// ratio `(r_A + r_B) / |z_A - z_B|` of the pair.
    fn well_separated(&self, a: usize, b: usize) -> Option<f64> {
        let (d, r) = self.separation(a, b);
        (r < self.theta * d && d - r > self.min_gap).then(|| r / d)
    }

    /// The smallest distance a point of target node `a` and one of source
    /// node `b` can have: `|z_A - z_B| - r_A - r_B` (negative when their
    /// balls overlap).
    fn gap(&self, a: usize, b: usize) -> f64 {
        let (d, r) = self.separation(a, b);
        d - r
    }

    /// The distance `|z_A - z_B|` of the centers of target node `a` and
    /// source node `b`, and the sum of their radii `r_A + r_B`.
    fn separation(&self, a: usize, b: usize) -> (f64, f64) {
        let (na, nb) = (self.targets.node(a), self.sources.node(b));
        let (za, zb) = (na.expansion_center(), nb.expansion_center());
        let d =
            ((za[0] - zb[0]).powi(2) + (za[1] - zb[1]).powi(2) + (za[2] - zb[2]).powi(2)).sqrt();
        (d, na.r_max() + nb.r_max())
    }

    /// Target node `a` with its candidates; `own` is `a`'s local expansion,
    /// holding what it inherits from its parent.
    fn visit(&self, a: usize, mut candidates: Vec<u32>, own: &mut [f64], tr: &mut Translator) {
        let len = tr.full.expansion_len();
        let (tgt, src) = (self.targets, self.sources);
        let node_a = tgt.node(a);
        let mut near: Vec<u32> = Vec::new();
        let mut deferred: Vec<u32> = Vec::new();
        let start = Instant::now();
        let (mut m2l, mut order_sum) = (0, 0);
        let frame_a = frame(tgt, a);
        // Candidates in a fixed order (a stack, children pushed in order).
        candidates.reverse();
        while let Some(b) = candidates.pop() {
            let b = b as usize;
            let node_b = src.node(b);
            if let Some(rho) = self.well_separated(a, b) {
                let q = (self.order_for_ratio)(rho);
                tr.m2l(
                    q,
                    frame(src, b),
                    &self.m[b * len..(b + 1) * len],
                    frame_a,
                    own,
                );
                m2l += 1;
                order_sum += q as u64;
            } else if node_a.is_leaf() && node_b.is_leaf() {
                near.push(b as u32);
            } else if !node_b.is_leaf() && (node_a.is_leaf() || node_b.r_max() >= node_a.r_max()) {
                let first = candidates.len();
                candidates.extend(src.children(b).map(|c| c as u32));
                candidates[first..].reverse();
            } else {
                deferred.push(b as u32);
            }
        }
        self.counters
            .m2l_ns
            .fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        self.counters.m2l_count.fetch_add(m2l, Ordering::Relaxed);
        self.counters
            .m2l_order_sum
            .fetch_add(order_sum, Ordering::Relaxed);
        if node_a.is_leaf() {
            self.leaf(a, own, &mut near, &mut tr.full);
            return;
        }
        // Children inherit the local expansion and the deferred candidates.
        let start = Instant::now();
        // Each child's local expansion lives only while its subtree is
        // visited: memory for the expansions along the current paths, not
        // for every node.
        let mut children: Vec<(usize, Vec<f64>)> = Vec::with_capacity(8);
        for c in tgt.children(a).filter(|&c| self.wanted(c) > 0) {
            let mut s = vec![0.0; len];
            tr.full.l2l(frame_a, own, frame(tgt, c), &mut s);
            children.push((c, s));
        }
        self.counters
            .down_ns
            .fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if node_a.len() > PARALLEL_POINTS {
            children.par_iter_mut().for_each_init(
                || Translator::new(self.order, self.nd, self.isa, self.term_up_to),
                |tr, (c, s)| self.visit(*c, deferred.clone(), s, tr),
            );
        } else {
            for (c, mut s) in children {
                self.visit(c, deferred.clone(), &mut s, tr);
            }
        }
    }

    /// Leaf `a`: L2P and the near field at all of its points, written to
    /// the rows of those that are targets.
    fn leaf(&self, a: usize, l: &[f64], near: &mut [u32], ops: &mut Operators) {
        let (tgt, src) = (self.targets, self.sources);
        let range = tgt.node(a).range();
        let m = range.len();
        let nd = self.nd;
        let mut pot = vec![0.0; nd * m];
        let mut grad = vec![0.0; if self.gradient { 3 * nd * m } else { 0 }];
        let tp = tgt.points();
        let points = Points::new(
            &tp.x[range.clone()],
            &tp.y[range.clone()],
            &tp.z[range.clone()],
        );
        let start = Instant::now();
        let fields = if self.gradient {
            Fields::with_gradient(&mut pot, &mut grad, m)
        } else {
            Fields::potential(&mut pot, m)
        };
        ops.l2p(frame(tgt, a), l, points, fields);
        self.counters
            .down_ns
            .fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);

        // Near field: source leaves in index order, merged into runs; with
        // a compactly supported softening, the leaves farther than its
        // support from `a` in a second set, summed with the plain `1/r`.
        let start = Instant::now();
        near.sort_unstable_by_key(|&b| src.node(b as usize).begin());
        let mut runs = NearRuns::default();
        let beyond = self.softening.support();
        for &b in near.iter() {
            let plain = beyond.is_some_and(|h| self.gap(a, b as usize) > h);
            runs.push(src.node(b as usize).range(), plain);
        }
        let sets = [
            (&runs.softened, self.softening),
            (&runs.plain, Softening::NONE),
        ];
        let mut k = 0;
        while k < m {
            let w = BLOCK.min(m - k);
            let selves = if self.same { Selves::All } else { Selves::None };
            let block = TargetBlock::new(tp, range.start + k, w, selves);
            for (ranges, softening) in sets {
                if ranges.is_empty() {
                    continue;
                }
                let sources = SourceSet {
                    points: src.points(),
                    channels: self.channels,
                    nd,
                    softening,
                };
                let mut sink = AddSink {
                    pot: &mut pot,
                    grad: &mut grad,
                    stride: m,
                    offset: k,
                };
                near_field(
                    self.isa,
                    self.precision,
                    &block,
                    &sources,
                    ranges,
                    self.gradient,
                    &mut sink,
                );
            }
            k += w;
        }
        let pairs = runs.sources as u64;
        let self_pairs = if self.same { m as u64 } else { 0 };
        self.counters
            .near_pairs
            .fetch_add(pairs * m as u64 - self_pairs, Ordering::Relaxed);
        self.counters
            .near_unsoftened
            .fetch_add((runs.plain_sources * m) as u64, Ordering::Relaxed);
        self.counters
            .near_ns
            .fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);

        for c in 0..nd {
            // SAFETY: leaf `a` is the only writer of targets `range` (leaves
            // partition the targets, each visited once).
            unsafe {
                self.out
                    .write(false, c, range.start, &pot[c * m..(c + 1) * m]);
                if self.gradient {
                    for d in 0..3 {
                        let row = 3 * c + d;
                        self.out
                            .write(true, row, range.start, &grad[row * m..(row + 1) * m]);
                    }
                }
            }
        }
        if let Some(p) = self.progress {
            let per_target = src.len() as u64 - u64::from(self.same);
            p.add(self.wanted(a) as u64 * per_target);
        }
    }
}

/// A leaf's near sources as runs of contiguous indices, in two sets: those
/// summed with the softened kernel, and those beyond its support, where it
/// is exactly `1/r`.
#[derive(Default)]
struct NearRuns {
    softened: Vec<(usize, usize)>,
    plain: Vec<(usize, usize)>,
    /// Sources in both.
    sources: usize,
    /// Sources in `plain`.
    plain_sources: usize,
}

impl NearRuns {
    /// Adds the sources `r` (after those added before) to one set, merged
    /// with its last run when they follow it.
    fn push(&mut self, r: std::ops::Range<usize>, plain: bool) {
        self.sources += r.len();
        if plain {
            self.plain_sources += r.len();
        }
        let set = if plain {
            &mut self.plain
        } else {
            &mut self.softened
        };
        match set.last_mut() {
            Some(last) if last.1 == r.start => last.1 = r.end,
            _ => set.push((r.start, r.end)),
        }
    }
}

/// Adds a block's near-field sums into a leaf's buffers.
struct AddSink<'a> {
    pot: &'a mut [f64],
    grad: &'a mut [f64],
    stride: usize,
    offset: usize,
}

impl BlockSink for AddSink<'_> {
    fn channel(&mut self, c: usize, pot: &[f64], grad: Option<[&[f64]; 3]>) {
        let o = c * self.stride + self.offset;
        for (a, b) in self.pot[o..o + pot.len()].iter_mut().zip(pot) {
            *a += b;
        }
        if let Some(g) = grad {
            for (d, rows) in g.into_iter().enumerate() {
                let o = (3 * c + d) * self.stride + self.offset;
                for (a, b) in self.grad[o..o + rows.len()].iter_mut().zip(rows) {
                    *a += b;
                }
            }
        }
    }
}
