//! One block of targets against all sources: the unit of the direct
//! backend's parallel work. Block boundaries do not depend on the thread
//! count, so neither do the results.

use crate::output::OutWriter;
use crate::p2p::{BLOCK, BlockSink, Precision, SourceSet, TargetBlock, near_field};
use crate::problem::{Points, Selves};
use crate::simd::Isa;
use crate::softening::Softening;

/// Everything a block needs, shared read-only between threads.
pub(crate) struct Job<'a> {
    pub(crate) sources: Points<'a>,
    pub(crate) channels: &'a [f64],
    pub(crate) nd: usize,
    pub(crate) targets: Points<'a>,
    pub(crate) selves: Selves<'a>,
    pub(crate) softening: Softening,
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

/// Computes target block `block` of a direct job for every channel, at
/// full precision on `isa`, and writes its outputs.
///
/// # Safety
///
/// No other call may run concurrently for the same `block` of the same job.
pub(crate) unsafe fn compute_block(isa: Isa, job: &Job<'_>, block: usize) {
    let i0 = block * BLOCK;
    let m = BLOCK.min(job.n_targets() - i0);
    let targets = TargetBlock::new(job.targets, i0, m, job.selves);
    let sources = SourceSet {
        points: job.sources,
        channels: job.channels,
        nd: job.nd,
        softening: job.softening,
    };
    let mut sink = RowSink { out: &job.out, i0 };
    near_field(
        isa,
        Precision::Full,
        &targets,
        &sources,
        &[(0, job.n_sources())],
        job.out.has_gradient(),
        &mut sink,
    );
}
