//! The exact sum over all ranks, with the bits of one process.
//!
//! Each evaluation gathers every rank's sources (positions and channels)
//! into one array in id order on every rank, then sums at this rank's own
//! particles as [`Targets::SourceSubset`] of it: each target adds the same
//! terms in the same order, by the same instructions, as in a one-process
//! evaluation of all particles in id order, so the results are the same
//! bits for any number of ranks (and threads). The exchange is one
//! all-gather of `(3 + nd) N` values a step, against `N^2 / size` pairs of
//! work: the direct sum is compute-bound far before the network matters.

use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use covar_kernel::{Direct, KernelError, LaplaceSum, Outputs, Points, Problem, Targets};

use crate::comm::Comm;
use crate::error::DistributedError;

/// Where each rank's particles sit among all of them (id order).
#[derive(Clone, Debug, Default)]
struct Layout {
    /// Index among all particles of each gathered particle (rank order).
    to_global: Vec<usize>,
    /// Where this rank's particles start among the gathered ones.
    first: usize,
    /// Total number of particles.
    n: usize,
}

impl Layout {
    /// This rank's particles' indices among all (increasing).
    fn local(&self, n_local: usize) -> &[usize] {
        &self.to_global[self.first..self.first + n_local]
    }
}

/// Time and volume of the last evaluation's exchange and sums on this rank.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ExchangeStats {
    /// Bytes this rank sent (its sources, once).
    pub bytes_sent: u64,
    /// Bytes this rank received (every rank's sources).
    pub bytes_received: u64,
    /// Wall time of the exchanges (all-gather and agreement).
    pub exchange: Duration,
    /// Wall time of this rank's sums.
    pub compute: Duration,
}

/// The direct backend over all ranks of `comm`: each rank passes its own
/// particles (in id order, as [`Decomposition::redistribute`] leaves them)
/// and gets the sums over all particles at them, the same bits as one
/// process.
///
/// [`Decomposition::redistribute`]: crate::Decomposition::redistribute
///
/// # Examples
///
/// ```
/// use covar_distributed::{DistributedDirect, Single};
/// use covar_kernel::{Direct, LaplaceSum, Outputs, Points, Problem};
/// let backend = DistributedDirect::new(Single, Direct::new());
/// backend.set_particles(&[0, 1])?;
/// let (x, y, z) = ([0.0, 2.0], [0.0; 2], [0.0; 2]);
/// let mut phi = [0.0; 2];
/// backend.evaluate(
///     &Problem::at_sources(Points::new(&x, &y, &z), &[1.0, 1.0], 1, 0.0),
///     Outputs::potential(&mut phi),
/// )?;
/// assert_eq!(phi, [0.5, 0.5]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DistributedDirect<C> {
    comm: C,
    direct: Direct,
    layout: RwLock<Layout>,
    stats: Mutex<ExchangeStats>,
}

impl<C: Comm> DistributedDirect<C> {
    /// Sums over the ranks of `comm`, each rank's share by `direct`. Call
    /// [`set_particles`](Self::set_particles) before evaluating.
    pub fn new(comm: C, direct: Direct) -> Self {
        Self {
            comm,
            direct,
            layout: RwLock::default(),
            stats: Mutex::default(),
        }
    }

    /// The communicator.
    pub fn comm(&self) -> &C {
        &self.comm
    }

    /// Says which particles this rank holds: their ids, strictly
    /// increasing. Collective; call again whenever particles move between
    /// ranks.
    ///
    /// # Errors
    ///
    /// [`DistributedError::Ownership`] if this rank's ids are not strictly
    /// increasing or an id is held by two ranks (every rank fails).
    pub fn set_particles(&self, ids: &[u64]) -> Result<(), DistributedError> {
        let sorted = ids.windows(2).all(|w| w[0] < w[1]);
        let (all, counts) = self.comm.gather_u64(ids);
        let (flags, _) = self.comm.gather_u64(&[u64::from(!sorted)]);
        if let Some(r) = flags.iter().position(|&f| f != 0) {
            return Err(DistributedError::Ownership(format!(
                "rank {r}'s particle ids are not strictly increasing"
            )));
        }
        let mut order: Vec<(u64, usize)> = all.iter().copied().zip(0..).collect();
        order.sort_unstable();
        if let Some(w) = order.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(DistributedError::Ownership(format!(
                "particle {} is held by two ranks",
                w[0].0
            )));
        }
        let mut to_global = vec![0; all.len()];
        for (global, &(_, gathered)) in order.iter().enumerate() {
            to_global[gathered] = global;
        }
        let first = counts[..self.comm.rank()].iter().sum();
        *self.layout.write().unwrap_or_else(|e| e.into_inner()) = Layout {
            to_global,
            first,
            n: all.len(),
        };
        Ok(())
    }

    /// The exchange and compute time and volume of the last evaluation.
    pub fn stats(&self) -> ExchangeStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The first rank whose `failed` is set, the same on every rank.
    fn first_failure(&self, failed: bool) -> Option<usize> {
        let (flags, _) = self.comm.gather_u64(&[u64::from(failed)]);
        flags.iter().position(|&f| f != 0)
    }

    /// Fails on every rank if this rank's problem does not match its
    /// particles (so that no rank waits for a gather another skipped).
    fn check_shape(&self, problem: &Problem<'_>, layout: &Layout) -> Result<(), KernelError> {
        let n_local = problem.n_sources();
        let nd = problem.sources.nd;
        let own = layout.to_global.len() - layout.first;
        let local = if n_local > own {
            Err(KernelError::LengthMismatch {
                what: "this rank's sources (set_particles)",
                expected: own,
                got: n_local,
            })
        } else {
            let p = problem.sources.points;
            [
                ("sources.y", p.y.len(), n_local),
                ("sources.z", p.z.len(), n_local),
                (
                    "source channels",
                    problem.sources.channels.len(),
                    nd * n_local,
                ),
            ]
            .into_iter()
            .find(|c| c.1 != c.2)
            .map_or(Ok(()), |(what, got, expected)| {
                Err(KernelError::LengthMismatch {
                    what,
                    expected,
                    got,
                })
            })
        };
        let counts = {
            let (c, _) = self.comm.gather_u64(&[n_local as u64, nd as u64]);
            c
        };
        let mismatch = local.is_err()
            || counts.chunks_exact(2).any(|c| c[1] != nd as u64)
            || counts.chunks_exact(2).map(|c| c[0]).sum::<u64>() != layout.n as u64;
        match self.first_failure(mismatch) {
            None => Ok(()),
            Some(r) if r == self.comm.rank() => local.and(Err(KernelError::LengthMismatch {
                what: "sources over all ranks (set_particles)",
                expected: layout.n,
                got: counts.chunks_exact(2).map(|c| c[0] as usize).sum(),
            })),
            Some(rank) => Err(KernelError::Peer { rank }),
        }
    }
}

impl<C: Comm + Sync> LaplaceSum for DistributedDirect<C> {
    fn name(&self) -> &'static str {
        "direct"
    }

    fn evaluate(&self, problem: &Problem<'_>, out: Outputs<'_>) -> Result<(), KernelError> {
        let layout = self.layout.read().unwrap_or_else(|e| e.into_inner());
        let start = Instant::now();
        self.check_shape(problem, &layout)?;
        let (n_local, nd, n) = (problem.n_sources(), problem.sources.nd, layout.n);
        let p = problem.sources.points;
        let mut mine = Vec::with_capacity((3 + nd) * n_local);
        for col in [p.x, p.y, p.z, problem.sources.channels] {
            mine.extend_from_slice(col);
        }
        let (gathered, counts) = self.comm.gather_f64(&mine);
        // Every rank's block [x, y, z, channels] scattered into id order.
        let mut cols = vec![0.0; (3 + nd) * n];
        let (mut at, mut particle) = (0, 0);
        for count in counts {
            let m = count / (3 + nd);
            for (c, col) in gathered[at..at + count].chunks_exact(m.max(1)).enumerate() {
                for (k, &v) in col.iter().enumerate() {
                    cols[c * n + layout.to_global[particle + k]] = v;
                }
            }
            at += count;
            particle += m;
        }
        let exchange = start.elapsed();
        let (x, rest) = cols.split_at(n);
        let (y, rest) = rest.split_at(n);
        let (z, channels) = rest.split_at(n);
        let all = Points::new(x, y, z);
        let local = layout.local(n_local);
        let subset: Vec<usize>;
        let global = Problem {
            sources: covar_kernel::Sources {
                points: all,
                channels,
                nd,
            },
            targets: match problem.targets {
                Targets::Sources => Targets::SourceSubset {
                    points: p,
                    index: local,
                },
                Targets::SourceSubset { points, index } => {
                    subset = index.iter().map(|&i| local[i]).collect();
                    Targets::SourceSubset {
                        points,
                        index: &subset,
                    }
                }
                Targets::Points(t) => Targets::Points(t),
            },
            softening: problem.softening,
        };
        let t = Instant::now();
        let result = self.direct.evaluate(&global, out);
        let compute = t.elapsed();
        let t = Instant::now();
        let failure = self.first_failure(result.is_err());
        *self.stats.lock().unwrap_or_else(|e| e.into_inner()) = ExchangeStats {
            bytes_sent: 8 * mine.len() as u64,
            bytes_received: 8 * gathered.len() as u64,
            exchange: exchange + t.elapsed(),
            compute,
        };
        match failure {
            Some(rank) if rank != self.comm.rank() => Err(KernelError::Peer { rank }),
            _ => result,
        }
    }
}
