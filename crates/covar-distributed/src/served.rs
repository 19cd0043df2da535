//! Sums served by every rank to rank 0: rank 0 runs covar as one process
//! would, and each Laplace sum it asks for is split among all ranks.
//!
//! Rank 0 holds the state (its [`Served`] backend stands in for the direct,
//! naive or fast one); the other ranks wait in [`serve`]. For each
//! evaluation rank 0 broadcasts the problem (sources, channels, targets),
//! every rank sums at one share of the targets over all sources (a
//! [`Targets::SourceSubset`] when the targets are the sources, so each
//! target gets the bits of one process), and rank 0 collects the shares.
//! Direct and naive shares are contiguous ranges of the targets; fast
//! shares are contiguous ranges of the targets' Morton curve, so that each
//! rank's targets fill few leaves of the tree every rank builds over all
//! sources (its tree build and upward pass are repeated on every rank, the
//! rest is split). The shares start equal in size; when the slowest rank
//! took more than [`REBALANCE_ABOVE`] times the mean, the next evaluation's
//! cuts move so that each rank gets the same share of the time measured,
//! spread evenly over each share's targets (a target's sums do not depend
//! on the cuts, so neither do the results). The exchange is `(3 + nd) N`
//! values out and `4 nd N` back per evaluation; the integrators, their checkpoints, logs and
//! snapshots are those of one process, so a run resumes on any number of
//! ranks with the same bits. What is not distributed is memory: rank 0
//! holds every particle, and every rank the sources while it sums.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use covar_kernel::{
    Backend, Direct, Fast, FastParams, Isa, KernelError, LaplaceSum, Naive, Outputs, Points,
    Problem, Softening, SofteningKernel, Targets,
};
use covar_store::morton::BoundingCube;
use glam::DVec3;
use rayon::slice::ParallelSliceMut;

use crate::comm::Comm;

/// Fields of the header rank 0 broadcasts before each evaluation.
const HEADER: usize = 14;
/// Header opcodes.
const EVALUATE: u64 = 1;
const STOP: u64 = 2;
/// Words a rank reports after its share: a status code, two indices, and
/// its compute time in nanoseconds.
const STATUS: usize = 4;
/// Status codes a rank reports after its share.
const OK: u64 = 0;
const COINCIDENT: u64 = 1;
const OVERFLOW: u64 = 2;
const TARGET_ON_SOURCE: u64 = 3;
const OTHER: u64 = 4;

/// The imbalance (slowest rank's compute time over the mean) above which
/// the next evaluation's shares are cut anew from the measured times: 10 %,
/// twice the spread of equal shares' times on a shared 2-core machine, so
/// that the cuts follow the work and not the noise.
pub const REBALANCE_ABOVE: f64 = 1.1;

/// Backend codes of the header.
const NAIVE: u64 = 0;
const DIRECT: u64 = 1;
const FAST: u64 = 2;

/// The backends a rank can serve with, by code, and the fast one's
/// parameters.
fn backend_code(backend: &Backend) -> Option<(u64, Option<FastParams>)> {
    match backend {
        Backend::Naive(_) => Some((NAIVE, None)),
        Backend::Direct(_) => Some((DIRECT, None)),
        Backend::Fast(f) => Some((FAST, Some(*f.params()))),
        Backend::Custom(_) => None,
    }
}

/// Times and volumes of the evaluations served so far, summed over them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServedStats {
    /// Evaluations split among the ranks.
    pub evaluations: u64,
    /// Bytes broadcast (the problems).
    pub bytes_out: u64,
    /// Bytes collected (every rank's share of the sums, and its status).
    pub bytes_in: u64,
    /// Rank 0's time broadcasting the problems.
    pub broadcast: Duration,
    /// Rank 0's time from the end of its own share to the last rank's
    /// sums received: waiting for the slowest rank, then the transfer.
    pub collect: Duration,
    /// Each rank's time summing its shares, rank 0 first.
    pub compute: Vec<Duration>,
    /// Evaluations whose shares were cut anew from the measured times.
    pub rebalances: u64,
    /// Wall time of the evaluations on rank 0.
    pub total: Duration,
}

impl ServedStats {
    /// The slowest rank's compute time over the mean of all ranks' (1 when
    /// the shares took equally long; 0 before any evaluation).
    pub fn imbalance(&self) -> f64 {
        let secs: Vec<f64> = self.compute.iter().map(Duration::as_secs_f64).collect();
        imbalance(&secs)
    }
}

/// The largest of `times` over their mean (0 when the mean is not
/// positive).
fn imbalance(times: &[f64]) -> f64 {
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let max = times.iter().copied().fold(0.0, f64::max);
    if mean > 0.0 { max / mean } else { 0.0 }
}

/// Rank 0's backend: each evaluation split among all ranks of `comm`,
/// which run [`serve`] meanwhile. Dropping it (or [`stop`](Self::stop))
/// releases them.
pub struct Served<C: Comm> {
    comm: C,
    inner: Backend,
    stopped: AtomicBool,
    stats: Mutex<ServedStats>,
    /// The last evaluation's cuts and each rank's compute time in it;
    /// locked through each evaluation's exchanges and the stop, one at a
    /// time (concurrent evaluations would interleave their broadcasts).
    last: Mutex<Option<(Vec<usize>, Vec<f64>)>>,
}

impl<C: Comm> Served<C> {
    /// Serves `inner` (the direct, naive or fast backend) over `comm`;
    /// call on rank 0 only.
    ///
    /// # Errors
    ///
    /// A message for a custom backend.
    pub fn new(comm: C, inner: Backend) -> Result<Self, String> {
        if backend_code(&inner).is_none() {
            return Err(format!(
                "the {} backend does not run over MPI ranks (direct, naive and fast do)",
                inner.name()
            ));
        }
        assert_eq!(comm.rank(), 0, "rank 0 asks, the others serve");
        Ok(Self {
            comm,
            inner,
            stopped: AtomicBool::new(false),
            stats: Mutex::default(),
            last: Mutex::default(),
        })
    }

    /// The backend each rank sums its share with (rank 0's: its
    /// statistics are those of rank 0's share).
    pub fn inner(&self) -> &Backend {
        &self.inner
    }

    /// The number of ranks the sums are split among.
    pub fn ranks(&self) -> usize {
        self.comm.size()
    }

    /// Times and volumes of the evaluations served so far.
    pub fn stats(&self) -> ServedStats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Releases the serving ranks (their [`serve`] returns); later
    /// evaluations run on rank 0 alone. Called by `drop`; calling it twice
    /// does nothing.
    pub fn stop(&self) {
        let _exchanges = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if !self.stopped.swap(true, Ordering::SeqCst) {
            release(&self.comm);
        }
    }
}

impl<C: Comm> Drop for Served<C> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The problem as broadcast: its shape, then its values.
struct Shape {
    n: usize,
    nd: usize,
    nt: usize,
    at_sources: bool,
    gradient: bool,
    kernel: SofteningKernel,
    isa: Option<Isa>,
    backend: u64,
    fast: Option<FastParams>,
    threads: usize,
}

impl Shape {
    fn encode(&self) -> [u64; HEADER] {
        let kernel = SofteningKernel::ALL.iter().position(|&k| k == self.kernel);
        let isa = self.isa.and_then(|i| Isa::ALL.iter().position(|&a| a == i));
        [
            EVALUATE,
            self.n as u64,
            self.nd as u64,
            self.nt as u64,
            u64::from(self.at_sources) | u64::from(self.gradient) << 1,
            kernel.unwrap_or(0) as u64,
            isa.map_or(u64::MAX, |i| i as u64),
            self.backend,
            self.threads as u64,
            self.fast.map_or(0, |f| f.tolerance.to_bits()),
            self.fast.map_or(0, |f| f.theta.to_bits()),
            self.fast.map_or(0, |f| f.leaf_size as u64),
            self.fast
                .and_then(|f| f.order)
                .map_or(u64::MAX, |o| o as u64),
            self.fast
                .and_then(|f| f.m2l_term_order)
                .map_or(u64::MAX, |q| q as u64),
        ]
    }

    fn decode(h: &[u64; HEADER]) -> Self {
        Self {
            n: h[1] as usize,
            nd: h[2] as usize,
            nt: h[3] as usize,
            at_sources: h[4] & 1 != 0,
            gradient: h[4] & 2 != 0,
            kernel: SofteningKernel::ALL[h[5] as usize],
            isa: (h[6] != u64::MAX).then(|| Isa::ALL[h[6] as usize]),
            backend: h[7],
            threads: h[8] as usize,
            fast: (h[7] == FAST).then(|| FastParams {
                tolerance: f64::from_bits(h[9]),
                theta: f64::from_bits(h[10]),
                leaf_size: h[11] as usize,
                order: (h[12] != u64::MAX).then_some(h[12] as usize),
                m2l_term_order: (h[13] != u64::MAX).then_some(h[13] as usize),
            }),
        }
    }

    /// Values broadcast after the header: softening length, source
    /// coordinates, channels, and separate targets' coordinates.
    fn payload_len(&self) -> usize {
        1 + (3 + self.nd) * self.n + if self.at_sources { 0 } else { 3 * self.nt }
    }

    /// The targets of every rank's share, each in increasing order: the
    /// ranges `cuts[r] .. cuts[r + 1]` of the targets (direct, naive) or of
    /// their Morton curve (fast), computed alike on every rank from the
    /// broadcast payload and cuts.
    fn shares(&self, payload: &[f64], cuts: &[usize]) -> Vec<Vec<usize>> {
        let nt = self.nt;
        let size = cuts.len() - 1;
        let cut = |r: usize| cuts[r];
        if self.backend != FAST {
            return (0..size).map(|r| (cut(r)..cut(r + 1)).collect()).collect();
        }
        let [x, y, z] = self.target_columns(payload);
        let cube = BoundingCube::of_points(x, y, z);
        let mut order: Vec<(u64, usize)> = (0..nt)
            .map(|i| (cube.key(DVec3::new(x[i], y[i], z[i])), i))
            .collect();
        order.par_sort_unstable();
        (0..size)
            .map(|r| {
                let mut share: Vec<usize> = order[cut(r)..cut(r + 1)].iter().map(|k| k.1).collect();
                share.par_sort_unstable();
                share
            })
            .collect()
    }

    /// The targets' coordinate columns in the payload.
    fn target_columns<'a>(&self, payload: &'a [f64]) -> [&'a [f64]; 3] {
        let (n, nt) = (self.n, self.nt);
        let at = if self.at_sources {
            1
        } else {
            1 + (3 + self.nd) * n
        };
        let column = |d: usize| &payload[at + d * nt..at + (d + 1) * nt];
        [column(0), column(1), column(2)]
    }
}

/// `size + 1` cuts of `nt` targets into equal ranges.
fn equal_cuts(nt: usize, size: usize) -> Vec<usize> {
    (0..=size).map(|r| nt * r / size).collect()
}

/// The cuts that give each rank the same share of the time, when range
/// `cuts[r] .. cuts[r + 1]` took `times[r]` spread evenly over its targets:
/// the cost along the order is piecewise linear, and each new cut sits at
/// a multiple of the mean time. Non-decreasing, from 0 to the last cut.
pub fn rebalanced_cuts(cuts: &[usize], times: &[f64]) -> Vec<usize> {
    let size = times.len();
    assert_eq!(cuts.len(), size + 1, "one time per range");
    let total: f64 = times.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return cuts.to_vec();
    }
    let mut new = Vec::with_capacity(size + 1);
    new.push(cuts[0]);
    let (mut r, mut before) = (0, 0.0);
    for k in 1..size {
        let want = total * k as f64 / size as f64;
        // The range in which the cost reaches `want`.
        while r + 1 < size && before + times[r] < want {
            before += times[r];
            r += 1;
        }
        let (lo, hi) = (cuts[r] as f64, cuts[r + 1] as f64);
        let into = if times[r] > 0.0 {
            ((want - before) / times[r]).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let at = (lo + into * (hi - lo)).round() as usize;
        new.push(at.max(*new.last().expect("pushed")));
    }
    new.push(cuts[size]);
    new
}

/// Sums at the targets `index` (increasing) of the broadcast problem;
/// returns the status words (the last one the time taken, in nanoseconds)
/// and the sums (potentials, then gradients, channel-major over the
/// share).
fn share_sums(
    shape: &Shape,
    payload: &[f64],
    index: &[usize],
    backend: &dyn LaplaceSum,
) -> ([u64; STATUS], Vec<f64>) {
    let start = Instant::now();
    let (n, nd, m) = (shape.n, shape.nd, index.len());
    let softening = Softening::new(shape.kernel, payload[0]);
    let (x, rest) = payload[1..].split_at(n);
    let (y, rest) = rest.split_at(n);
    let (z, rest) = rest.split_at(n);
    let channels = &rest[..nd * n];
    let [tx, ty, tz] = shape
        .target_columns(payload)
        .map(|c| index.iter().map(|&i| c[i]).collect::<Vec<f64>>());
    let targets = Points::new(&tx, &ty, &tz);
    let sources = Points::new(x, y, z);
    let problem = if shape.at_sources {
        Problem::at_source_subset(sources, channels, nd, targets, index, softening)
    } else {
        Problem::at_points(sources, channels, nd, targets, softening)
    };
    let mut sums = vec![0.0; if shape.gradient { 4 } else { 1 } * nd * m];
    let result = {
        let (pot, grad) = sums.split_at_mut(nd * m);
        let out = if shape.gradient {
            Outputs::with_gradient(pot, grad)
        } else {
            Outputs::potential(pot)
        };
        backend.evaluate(&problem, out)
    };
    let [code, a, b] = match result {
        Ok(()) => [OK, 0, 0],
        Err(KernelError::Coincident { first, second }) => [COINCIDENT, first as u64, second as u64],
        Err(KernelError::Overflow { target }) => [OVERFLOW, index[target] as u64, 0],
        Err(KernelError::TargetOnSource {
            target,
            source_index,
        }) => [TARGET_ON_SOURCE, index[target] as u64, source_index as u64],
        Err(_) => [OTHER, 0, 0],
    };
    let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    ([code, a, b, nanos], sums)
}

/// The backend a rank sums its share with.
fn make_backend(shape: &Shape) -> Result<Backend, String> {
    let unavailable = |isa| format!("this CPU cannot run {isa}, which rank 0's backend uses");
    match (shape.backend, shape.isa, shape.fast) {
        (NAIVE, _, _) => Ok(Backend::Naive(Naive::new())),
        (DIRECT, Some(isa), _) => Direct::with_isa(isa)
            .map(Backend::Direct)
            .ok_or_else(|| unavailable(isa)),
        (DIRECT, None, _) => Ok(Backend::Direct(Direct::new())),
        (FAST, Some(isa), Some(params)) => Fast::with_isa(params, isa)
            .map(|f| Backend::Fast(Box::new(f)))
            .ok_or_else(|| unavailable(isa)),
        (code, _, _) => Err(format!("unknown backend code {code}")),
    }
}

impl<C: Comm + Sync> LaplaceSum for Served<C> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn isa(&self) -> Option<Isa> {
        self.inner.isa()
    }

    fn evaluate(&self, problem: &Problem<'_>, out: Outputs<'_>) -> Result<(), KernelError> {
        let start = Instant::now();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if self.stopped.load(Ordering::SeqCst) {
            // The others are released: rank 0 sums alone, with the same
            // bits (a target's sums do not depend on the shares).
            return self.inner.evaluate(problem, out);
        }
        // Bad lengths and values are found here, before anything is sent.
        let dims = covar_kernel::validate::validate(problem, &out)?;
        let (n, nd, nt) = (dims.n_sources, dims.nd, dims.n_targets);
        let (code, fast) = backend_code(&self.inner).expect("checked in new");
        let at_sources = match problem.targets {
            Targets::Sources => true,
            Targets::Points(_) => false,
            // Not asked for by the integrators: summed here alone.
            Targets::SourceSubset { .. } => return self.inner.evaluate(problem, out),
        };
        let shape = Shape {
            n,
            nd,
            nt,
            at_sources,
            gradient: out.gradient.is_some(),
            kernel: problem.softening.kernel,
            isa: self.inner.isa(),
            backend: code,
            fast,
            threads: rayon::current_num_threads(),
        };
        let mut header = shape.encode();
        self.comm.broadcast_u64(&mut header);
        let mut payload = Vec::with_capacity(shape.payload_len());
        payload.push(problem.softening.length);
        let p = problem.sources.points;
        for col in [p.x, p.y, p.z, problem.sources.channels] {
            payload.extend_from_slice(col);
        }
        if !at_sources {
            let t = problem.target_points();
            for col in [t.x, t.y, t.z] {
                payload.extend_from_slice(col);
            }
        }
        self.comm.broadcast_f64(&mut payload);
        let size = self.comm.size();
        let (mut cuts, rebalance) = match last.as_ref() {
            Some((cuts, times)) if cuts.len() == size + 1 && cuts[size] == nt => {
                if imbalance(times) > REBALANCE_ABOVE {
                    (rebalanced_cuts(cuts, times), true)
                } else {
                    (cuts.clone(), false)
                }
            }
            _ => (equal_cuts(nt, size), false),
        };
        let mut words: Vec<u64> = cuts.iter().map(|&c| c as u64).collect();
        self.comm.broadcast_u64(&mut words);
        let broadcast = start.elapsed();
        let shares = shape.shares(&payload, &cuts);
        let (status, mine) = share_sums(&shape, &payload, &shares[0], &self.inner);
        let collecting = Instant::now();
        let (statuses, _) = self.comm.collect_f64(&status.map(f64::from_bits));
        let (sums, counts) = self.comm.collect_f64(&mine);
        let collect = collecting.elapsed();
        let statuses: Vec<[u64; STATUS]> = statuses
            .chunks_exact(STATUS)
            .map(|s| std::array::from_fn(|k| s[k].to_bits()))
            .collect();
        {
            let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
            stats.evaluations += 1;
            stats.rebalances += u64::from(rebalance);
            stats.bytes_out += 8 * (HEADER + payload.len() + words.len()) as u64;
            stats.bytes_in += 8 * (sums.len() + STATUS * statuses.len()) as u64;
            stats.broadcast += broadcast;
            stats.collect += collect;
            stats.compute.resize(statuses.len(), Duration::ZERO);
            for (sum, s) in stats.compute.iter_mut().zip(&statuses) {
                *sum += Duration::from_nanos(s[3]);
            }
            stats.total += start.elapsed();
        }
        let times = statuses.iter().map(|s| s[3] as f64 * 1e-9).collect();
        *last = Some((std::mem::take(&mut cuts), times));
        for (rank, &[code, a, b, _]) in statuses.iter().enumerate() {
            let (a, b) = (a as usize, b as usize);
            match code {
                OK => {}
                COINCIDENT => {
                    return Err(KernelError::Coincident {
                        first: a,
                        second: b,
                    });
                }
                OVERFLOW => return Err(KernelError::Overflow { target: a }),
                TARGET_ON_SOURCE => {
                    return Err(KernelError::TargetOnSource {
                        target: a,
                        source_index: b,
                    });
                }
                _ => return Err(KernelError::Peer { rank }),
            }
        }
        let Outputs {
            potential,
            mut gradient,
        } = out;
        let rows = if shape.gradient { 4 } else { 1 } * nd;
        let mut at = 0;
        for (share, &count) in shares.iter().zip(&counts) {
            let m = share.len();
            debug_assert_eq!(count, rows * m);
            for (row, values) in sums[at..at + count].chunks_exact(m.max(1)).enumerate() {
                let to = if row < nd {
                    &mut potential[row * nt..(row + 1) * nt]
                } else {
                    let g = gradient.as_deref_mut().expect("gradient asked for");
                    &mut g[(row - nd) * nt..(row - nd + 1) * nt]
                };
                for (&i, &v) in share.iter().zip(values) {
                    to[i] = v;
                }
            }
            at += count;
        }
        Ok(())
    }
}

/// Releases the ranks waiting in [`serve`] when rank 0 stops before it
/// made a [`Served`] backend (a command refused on rank 0 alone); call on
/// rank 0 only, at most once, and never beside a `Served` of `comm`.
pub fn release(comm: &impl Comm) {
    let mut header = [0; HEADER];
    header[0] = STOP;
    comm.broadcast_u64(&mut header);
}

/// Serves rank 0's evaluations until it stops ([`Served::stop`], or its
/// `Served` dropped); call on every other rank.
///
/// # Errors
///
/// A message if rank 0 asks for a backend this rank cannot run (an
/// instruction set its CPU lacks); rank 0 then waits for it, so the caller
/// should abort the MPI job.
pub fn serve(comm: &impl Comm) -> Result<(), String> {
    // A pool of as many threads as rank 0's, made once.
    let mut pool: Option<(usize, rayon::ThreadPool)> = None;
    loop {
        let mut header = [0; HEADER];
        comm.broadcast_u64(&mut header);
        if header[0] == STOP {
            return Ok(());
        }
        let shape = Shape::decode(&header);
        let mut payload = vec![0.0; shape.payload_len()];
        comm.broadcast_f64(&mut payload);
        let mut cuts = vec![0u64; comm.size() + 1];
        comm.broadcast_u64(&mut cuts);
        let cuts: Vec<usize> = cuts.into_iter().map(|c| c as usize).collect();
        let backend = make_backend(&shape)?;
        let shares = shape.shares(&payload, &cuts);
        if pool.as_ref().is_none_or(|p| p.0 != shape.threads) {
            let threads = rayon::ThreadPoolBuilder::new()
                .num_threads(shape.threads)
                .build()
                .map_err(|e| format!("starting {} threads: {e}", shape.threads))?;
            pool = Some((shape.threads, threads));
        }
        let (_, threads) = pool.as_ref().expect("made above");
        let share = &shares[comm.rank()];
        let (status, mine) = threads.install(|| share_sums(&shape, &payload, share, &backend));
        comm.collect_f64(&status.map(f64::from_bits));
        comm.collect_f64(&mine);
    }
}
