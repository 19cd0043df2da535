//! The fast (tree / multipole) backend: Laplace sums in `O(N)` work with a
//! user-set accuracy.
//!
//! # Method
//!
//! - [`tree`]: an adaptive octree over Morton-sorted points, built in
//!   parallel into an arena reused across evaluations.
//! - [`expansion`]: real solid-harmonic multipole and local expansions of
//!   `1/r`, translated with `O(p^3)` rotation-based operators, for `nd`
//!   channels at once. Spherical harmonics rather than Cartesian Taylor
//!   series: `(p + 1)^2` coefficients per channel instead of
//!   `(p + 1)(p + 2)(p + 3) / 6`, and `O(p^3)` translations, which is what
//!   high accuracies (orders 10 to 30) need; signed sources (charges summing
//!   to zero, the vector-potential channels) are represented exactly like
//!   positive ones, with no reliance on a dominant monopole.
//!   P2M and L2P run on the SIMD layer with the points in lanes
//!   ([`Fast::with_isa`]); the translations are plain Rust.
//! - The traversal (target-driven dual-tree walk, see `traverse.rs`): cell
//!   pairs separated by `(r_A + r_B) < theta |z_A - z_B|` interact through
//!   M2L, the rest by direct sums of leaf pairs on the pair kernel of the
//!   SIMD layer, with `1/r` refined only as far as the tolerance needs
//!   ([`FastParams::relaxed_near_field`]).
//! - Sums at some of the sources ([`Targets::SourceSubset`], see
//!   `subset.rs`): the tree and the upward pass hold every source, the
//!   traversal only the target nodes holding one of the subset's targets;
//!   each target gets the bits of its row of the sums at all sources.
//!
//! Accuracy: the expansion order follows from [`FastParams::tolerance`] and
//! `theta` by an error model calibrated on measured errors (see
//! [`FastParams::expansion_order`]); tests check that the achieved relative
//! L2 error is at most the tolerance on several distributions, signs and
//! channel counts.
//!
//! Momentum: the forces sum to zero to round-off (`|sum_i q_i E_i| /
//! sum_i |q_i E_i|` about `1e-16`, like direct sums), although each force
//! is only good to the tolerance. Both directions of a cell pair use the
//! same triangularly truncated series of `1/|x - y|` (M2L keeps total
//! degree `n + l <= q`, with the same `q` both ways; M2M and L2L are exact;
//! P2L and M2P truncate the same series), and the acceptance test and the
//! per-pair order are symmetric in the pair, so each pair's approximate
//! energy is translation invariant and its forces cancel (Dehnen's argument
//! for falcON, here with spherical harmonics). The walk itself is
//! target-driven: each direction is translated separately, twice the M2L
//! work of a mutual walk. It is kept for memory and parallelism: a target
//! node's local expansion lives only while its subtree is visited, and
//! every target node writes only its own expansion and targets (no locks,
//! results independent of the thread count). A mutual walk writes both
//! cells of a pair, so every node's local expansion must live until the
//! downward pass: as much again as the multipoles (1.1 GiB for `10^7`
//! Plummer points with `nd = 4` at tolerance `1e-6`, which would take that
//! evaluation from 3.6 to about 4.7 GiB). `tests/fast_accuracy.rs` checks
//! the momentum residual on four distributions with positive and signed
//! sources.

mod calibrate;
pub mod expansion;
mod params;
mod subset;
mod traverse;
pub mod tree;
mod upward;

use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bumpalo::Bump;

use crate::backend::{LaplaceSum, Progress};
use crate::error::KernelError;
use crate::output::OutWriter;
use crate::p2p::Precision;
use crate::problem::{Outputs, Problem, Targets};
use crate::simd::Isa;
use crate::validate::{check_finite, validate};
pub use calibrate::MachineCosts;
use expansion::n_coefficients;
pub use params::{FastParams, FastStats};
use subset::Subset;
use traverse::{Counters, Traversal};
use tree::{Tree, TreeParams};
use upward::Upward;

/// The fast multipole backend.
///
/// # Examples
///
/// ```
/// use covar_kernel::{Fast, FastParams, LaplaceSum, Outputs, Points, Problem};
/// // 2000 random unit charges: fast agrees with direct to the tolerance.
/// let n = 2000;
/// let mut s = 1u64;
/// let mut r = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1); (s >> 11) as f64 / (1u64 << 53) as f64 };
/// let (x, y, z): (Vec<f64>, Vec<f64>, Vec<f64>) = (0..n).map(|_| (r(), r(), r())).collect();
/// let q = vec![1.0; n];
/// let mut phi = vec![0.0; n];
/// let fast = Fast::new(FastParams { tolerance: 1e-6, ..FastParams::default() });
/// fast.evaluate(&Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0), Outputs::potential(&mut phi))?;
/// # Ok::<(), covar_kernel::KernelError>(())
/// ```
#[derive(Debug)]
pub struct Fast {
    params: FastParams,
    isa: Isa,
    progress: Option<Progress>,
    arena: Mutex<Bump>,
    stats: Mutex<FastStats>,
}

impl Clone for Fast {
    fn clone(&self) -> Self {
        Self {
            params: self.params,
            isa: self.isa,
            progress: self.progress.clone(),
            arena: Mutex::new(Bump::new()),
            stats: Mutex::new(FastStats::default()),
        }
    }
}

impl Default for Fast {
    fn default() -> Self {
        Self::new(FastParams::default())
    }
}

impl Fast {
    /// A fast backend with `params` (checked at evaluation).
    pub fn new(params: FastParams) -> Self {
        Self {
            params,
            isa: Isa::best(),
            progress: None,
            arena: Mutex::new(Bump::new()),
            stats: Mutex::new(FastStats::default()),
        }
    }

    /// The fast backend on a chosen instruction set (every stage that runs
    /// on the SIMD layer uses it), or `None` if this CPU lacks it.
    ///
    /// ```
    /// use covar_kernel::{Fast, FastParams, Isa};
    /// let fast = Fast::with_isa(FastParams::default(), Isa::Scalar).unwrap();
    /// assert_eq!(fast.isa(), Isa::Scalar);
    /// ```
    pub fn with_isa(params: FastParams, isa: Isa) -> Option<Self> {
        isa.is_available().then(|| Self {
            isa,
            ..Self::new(params)
        })
    }

    /// The instruction set in use.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// The parameters.
    pub fn params(&self) -> &FastParams {
        &self.params
    }

    /// Reports (approximately) finished pair interactions to `progress`.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Where the time of the last evaluation went.
    pub fn stats(&self) -> FastStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn run(
        &self,
        bump: &Bump,
        problem: &Problem<'_>,
        out: Outputs<'_>,
        nd: usize,
    ) -> Result<FastStats, KernelError> {
        let total = Instant::now();
        let p = &self.params;
        let tree_params = TreeParams {
            leaf_size: p.leaf_size,
            ..TreeParams::default()
        };
        let gradient = out.gradient.is_some();
        let order = p.expansion_order();
        let t = Instant::now();
        let sources = Tree::build(bump, problem.sources.points, &tree_params)?;
        // Sums at some of the sources run on the sources' tree, skipping
        // the nodes that hold none of them.
        let subset = match problem.targets {
            Targets::SourceSubset { index, .. } => Some(Subset::new(bump, &sources, index)),
            _ => None,
        };
        let same = problem.targets_are_sources() || subset.is_some();
        let separate;
        let targets = if same {
            &sources
        } else {
            separate = Tree::build(bump, problem.target_points(), &tree_params)?;
            &separate
        };
        let tree_time = t.elapsed();
        let n = sources.len();
        let channels = bump.alloc_slice_fill_copy(nd * n, 0.0);
        sources.gather(problem.sources.channels, nd, channels)?;

        let t = Instant::now();
        let len = nd * n_coefficients(order);
        let m = bump.alloc_slice_fill_copy(sources.nodes().len() * len, 0.0);
        Upward {
            tree: &sources,
            channels,
            order,
            nd,
            isa: self.isa,
        }
        .run(m);
        let upward_time = t.elapsed();

        let t = Instant::now();
        let counters = Counters::default();
        let s = problem.softening;
        let order_for_ratio = |rho: f64| p.pair_order(rho, order);
        let relaxed = p.relaxed_near_field(self.isa);
        Traversal {
            sources: &sources,
            targets,
            same,
            m,
            channels,
            nd,
            order,
            theta: p.theta,
            term_up_to: p.term_by_term_up_to(nd),
            order_for_ratio: &order_for_ratio,
            softening: s,
            min_gap: p.softened_gap(s),
            gradient,
            isa: self.isa,
            precision: if relaxed {
                Precision::Relaxed
            } else {
                Precision::Full
            },
            wanted: subset.as_ref().map(|s| s.per_node),
            // Results go straight to the caller's order: no sorted copy.
            out: OutWriter::permuted(
                out.potential,
                out.gradient,
                nd,
                problem.n_targets(),
                subset.as_ref().map_or(targets.order(), |s| s.slot),
            ),
            counters: &counters,
            progress: self.progress.as_ref(),
        }
        .run();
        let traversal_time = t.elapsed();

        let ns = |a: &std::sync::atomic::AtomicU64| Duration::from_nanos(a.load(Ordering::Relaxed));
        Ok(FastStats {
            order,
            tree: tree_time,
            upward: upward_time,
            m2l: ns(&counters.m2l_ns),
            near: ns(&counters.near_ns),
            downward: ns(&counters.down_ns),
            traversal: traversal_time,
            total: total.elapsed(),
            m2l_count: counters.m2l_count.load(Ordering::Relaxed),
            mean_m2l_order: counters.m2l_order_sum.load(Ordering::Relaxed) as f64
                / counters.m2l_count.load(Ordering::Relaxed).max(1) as f64,
            near_pairs: counters.near_pairs.load(Ordering::Relaxed),
            near_unsoftened: counters.near_unsoftened.load(Ordering::Relaxed),
            m2l_term_order: p.term_by_term_up_to(nd),
            near_relaxed: relaxed,
            nodes: sources.nodes().len(),
            multipole_bytes: std::mem::size_of_val(m) as u64,
        })
    }
}

impl LaplaceSum for Fast {
    fn name(&self) -> &'static str {
        "fast"
    }

    fn isa(&self) -> Option<Isa> {
        Some(self.isa)
    }

    fn evaluate(&self, problem: &Problem<'_>, mut out: Outputs<'_>) -> Result<(), KernelError> {
        self.params.validate()?;
        let dims = validate(problem, &out)?;
        if dims.n_targets == 0 {
            return Ok(());
        }
        if dims.n_sources == 0 {
            out.potential.fill(0.0);
            if let Some(g) = out.gradient.as_deref_mut() {
                g.fill(0.0);
            }
            return Ok(());
        }
        // Reuse the arena of earlier evaluations; a concurrent evaluation
        // on the same backend gets a fresh one.
        let stats = match self.arena.try_lock() {
            Ok(mut bump) => {
                bump.reset();
                self.run(&bump, problem, out.reborrow(), dims.nd)?
            }
            Err(_) => self.run(&Bump::new(), problem, out.reborrow(), dims.nd)?,
        };
        *self.stats.lock().unwrap_or_else(|e| e.into_inner()) = stats;
        check_finite(problem, &out)
    }
}
