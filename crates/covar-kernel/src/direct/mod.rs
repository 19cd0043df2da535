//! The exact O(N^2) backend, as fast as the hardware allows.
//!
//! Structure of arrays, targets in SIMD lanes, sources broadcast and tiled
//! for cache, rayon over blocks of 64 targets. The instruction set is picked
//! at run time ([`Isa::best`]): AVX-512 and AVX2 compute `1/sqrt` from a
//! hardware or bit-level estimate refined to full f64 accuracy by a
//! third-order step, which is much cheaper than IEEE square root and
//! division; the scalar path uses `1.0 / x.sqrt()`.
//!
//! Each target's sum is accumulated in source order, in one lane, by the same
//! instructions whatever thread runs it: results are bitwise identical for
//! any number of threads. Different instruction sets round differently (by a
//! few units in the last place per term).

// Kernels index fixed-size register arrays by channel and axis.
#![allow(clippy::needless_range_loop)]

mod block;
mod simd;
mod sweep;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;

use std::fmt;

use rayon::prelude::*;

use crate::backend::{LaplaceSum, Progress};
use crate::error::KernelError;
use crate::problem::{Outputs, Problem};
use crate::validate::{check_finite, validate};
pub(crate) use block::{BLOCK, OutWriter};
pub(crate) use block::{BlockSink, SourceSet, TargetBlock, block_sums};
use block::{Job, compute_block};

/// An instruction set the direct kernel can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isa {
    /// Plain f64 arithmetic; runs everywhere.
    Scalar,
    /// 256-bit AVX2 with FMA (4 lanes).
    Avx2,
    /// 512-bit AVX-512F (8 lanes).
    Avx512,
}

impl Isa {
    /// Whether this CPU can run `self`.
    pub fn is_available(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => avx2::Avx2::detect().is_some(),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => avx512::Avx512::detect().is_some(),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Every instruction set this CPU can run, slowest first.
    pub fn available() -> Vec<Isa> {
        [Isa::Scalar, Isa::Avx2, Isa::Avx512]
            .into_iter()
            .filter(|isa| isa.is_available())
            .collect()
    }

    /// The fastest instruction set this CPU can run.
    pub fn best() -> Isa {
        *Self::available().last().unwrap_or(&Isa::Scalar)
    }

    /// Vector width in f64 lanes.
    pub fn lanes(self) -> usize {
        match self {
            Isa::Scalar => 1,
            Isa::Avx2 => 4,
            Isa::Avx512 => 8,
        }
    }
}

impl std::str::FromStr for Isa {
    type Err = String;

    /// Parses the [`Display`](fmt::Display) names: `scalar`, `avx2`, `avx512`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Isa::Scalar, Isa::Avx2, Isa::Avx512]
            .into_iter()
            .find(|isa| isa.to_string() == s)
            .ok_or_else(|| {
                format!("unknown instruction set `{s}` (expected scalar, avx2 or avx512)")
            })
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        })
    }
}

/// The exact, SIMD, multi-threaded backend.
///
/// Runs on the current rayon thread pool; to pick the number of threads, call
/// it inside [`rayon::ThreadPool::install`].
///
/// # Examples
///
/// ```
/// use covar_kernel::{Direct, LaplaceSum, Outputs, Points, Problem};
/// // Two unit charges at distance 2: potential 1/2, field along the axis.
/// let (x, y, z) = ([0.0, 2.0], [0.0, 0.0], [0.0, 0.0]);
/// let q = [1.0, 1.0];
/// let (mut phi, mut grad) = ([0.0; 2], [0.0; 6]);
/// Direct::new()
///     .evaluate(
///         &Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0),
///         Outputs::with_gradient(&mut phi, &mut grad),
///     )
///     .unwrap();
/// assert!((phi[0] - 0.5).abs() < 1e-15);
/// // d/dx of 1/|x - 2| at x = 0 is +1/4.
/// assert!((grad[0] - 0.25).abs() < 1e-15);
/// ```
#[derive(Clone, Debug)]
pub struct Direct {
    isa: Isa,
    progress: Option<Progress>,
}

impl Default for Direct {
    fn default() -> Self {
        Self::new()
    }
}

impl Direct {
    /// The direct backend on the fastest instruction set of this CPU.
    pub fn new() -> Self {
        Self {
            isa: Isa::best(),
            progress: None,
        }
    }

    /// The direct backend on a chosen instruction set, or `None` if this CPU
    /// lacks it.
    pub fn with_isa(isa: Isa) -> Option<Self> {
        isa.is_available().then_some(Self {
            isa,
            progress: None,
        })
    }

    /// Reports finished pair interactions to `progress`.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The instruction set in use.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    fn run_blocks(&self, job: &Job<'_>) {
        let n_blocks = job.n_targets().div_ceil(BLOCK);
        // Pair interactions per target: the self pair does not count.
        let n = job.n_sources() as u64 - u64::from(job.targets_are_sources);
        let nt = job.n_targets();
        (0..n_blocks).into_par_iter().for_each(|b| {
            // SAFETY: every block index is visited exactly once, so no two
            // calls share a block; the token matching `self.isa` exists
            // because `Direct` is only built for available instruction sets.
            unsafe {
                match self.isa {
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => avx512::Avx512::detect()
                        .expect("checked at construction")
                        .block(job, b),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => avx2::Avx2::detect()
                        .expect("checked at construction")
                        .block(job, b),
                    _ => compute_block(simd::Scalar, job, b),
                }
            }
            if let Some(p) = &self.progress {
                p.add(BLOCK.min(nt - b * BLOCK) as u64 * n);
            }
        });
    }
}

/// Near-field sums on instruction set `isa`: the targets of `targets` against
/// the sources in `ranges` (half-open, visited in order), every channel, into
/// `sink`. Used by the fast backend for leaf–leaf interactions.
///
/// # Panics
///
/// If this CPU cannot run `isa`.
pub(crate) fn near_field(
    isa: Isa,
    targets: &TargetBlock,
    sources: &SourceSet<'_>,
    ranges: &[(usize, usize)],
    grad: bool,
    sink: &mut dyn BlockSink,
) {
    assert!(isa.is_available(), "{isa} is not available on this CPU");
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: availability checked above.
        Isa::Avx512 => unsafe {
            avx512::Avx512::detect()
                .expect("checked above")
                .near(targets, sources, ranges, grad, sink)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: availability checked above.
        Isa::Avx2 => unsafe {
            avx2::Avx2::detect()
                .expect("checked above")
                .near(targets, sources, ranges, grad, sink)
        },
        _ => block_sums(simd::Scalar, targets, sources, ranges, grad, sink),
    }
}

impl LaplaceSum for Direct {
    fn name(&self) -> &'static str {
        "direct"
    }

    fn evaluate(&self, problem: &Problem<'_>, out: Outputs<'_>) -> Result<(), KernelError> {
        let dims = validate(problem, &out)?;
        if dims.n_targets == 0 {
            return Ok(());
        }
        let Outputs {
            potential,
            mut gradient,
        } = out;
        {
            let job = Job {
                sources: problem.sources.points,
                channels: problem.sources.channels,
                nd: dims.nd,
                targets: problem.target_points(),
                targets_are_sources: problem.targets_are_sources(),
                softening2: problem.softening * problem.softening,
                out: OutWriter::new(
                    &mut *potential,
                    gradient.as_deref_mut(),
                    dims.nd,
                    dims.n_targets,
                ),
            };
            self.run_blocks(&job);
        }
        check_finite(
            problem,
            &Outputs {
                potential,
                gradient,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Points;

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

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    /// Near-field sums over source ranges equal plain loops over the same
    /// sources (self pairs skipped), within 1e-13 of the absolute sums.
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
            softening2: 0.0,
        };
        for isa in Isa::available() {
            // Targets are sources 100..160 (inside a range: self skipped),
            // then 60 separate points.
            let (tx, ty, tz) = (col(&mut seed, 60), col(&mut seed, 60), col(&mut seed, 60));
            for (points, i0, first) in [
                (Points::new(&x, &y, &z), 100, Some(100)),
                (Points::new(&tx, &ty, &tz), 0, None),
            ] {
                let tb = TargetBlock::new(points, i0, 60, first);
                let mut sink = Collect {
                    pot: vec![Vec::new(); nd],
                    grad: vec![Default::default(); nd],
                };
                near_field(isa, &tb, &sources, &ranges, true, &mut sink);
                for k in 0..60 {
                    let t = [points.x[i0 + k], points.y[i0 + k], points.z[i0 + k]];
                    for c in 0..nd {
                        let (mut p, mut pa) = (0.0, 0.0);
                        let (mut g, mut ga) = ([0.0; 3], [0.0; 3]);
                        for &(lo, hi) in &ranges {
                            for j in lo..hi {
                                if first.map(|f| f + k) == Some(j) {
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
                            (sink.pot[c][k] - p).abs() <= 1e-13 * pa,
                            "{isa} pot {k} {c}"
                        );
                        for e in 0..3 {
                            assert!(
                                (sink.grad[c][e][k] - g[e]).abs() <= 1e-13 * ga[e],
                                "{isa} grad {k} {c} {e}"
                            );
                        }
                    }
                }
            }
        }
    }
}
