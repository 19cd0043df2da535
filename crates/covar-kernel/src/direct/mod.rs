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

mod block;

use rayon::prelude::*;

use crate::backend::{LaplaceSum, Progress};
use crate::error::KernelError;
use crate::output::OutWriter;
use crate::p2p::BLOCK;
use crate::problem::{Outputs, Problem};
use crate::simd::Isa;
use crate::validate::{check_finite, validate};
use block::{Job, compute_block};

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
        let n = job.n_sources() as u64 - u64::from(job.selves.any());
        let nt = job.n_targets();
        (0..n_blocks).into_par_iter().for_each(|b| {
            // SAFETY: every block index is visited exactly once, so no two
            // calls share a block.
            unsafe { compute_block(self.isa, job, b) };
            if let Some(p) = &self.progress {
                p.add(BLOCK.min(nt - b * BLOCK) as u64 * n);
            }
        });
    }
}

impl LaplaceSum for Direct {
    fn name(&self) -> &'static str {
        "direct"
    }

    fn isa(&self) -> Option<Isa> {
        Some(self.isa)
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
                selves: problem.selves(),
                softening: problem.softening,
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
