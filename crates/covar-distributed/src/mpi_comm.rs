//! [`Comm`] over MPI, through the `mpi` crate (rsmpi).

use std::sync::Mutex;

use mpi::Count;
use mpi::collective::SystemOperation;
use mpi::datatype::{Equivalence, Partition, PartitionMut};
use mpi::environment::Threading;
pub use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};

use crate::comm::Comm;

/// Initialises MPI (at most once per process) at the thread level
/// `MPI_THREAD_SERIALIZED` and returns its world, with the [`Universe`]
/// that finalises MPI when dropped: keep it alive as long as the
/// communicator.
///
/// # Errors
///
/// A message if MPI was initialised before or cannot serve several threads
/// one at a time.
pub fn initialize() -> Result<(Universe, MpiComm), String> {
    let (universe, level) = mpi::initialize_with_threading(Threading::Serialized)
        .ok_or("MPI was initialised before")?;
    if level < Threading::Serialized {
        return Err(format!(
            "this MPI provides the thread level {level:?}; covar needs Serialized (its sums run on \
             a pool of threads, any of which may call MPI, one at a time)"
        ));
    }
    let world = MpiComm {
        comm: Mutex::new(universe.world()),
    };
    Ok((universe, world))
}

/// A [`Comm`] over an MPI communicator (the world of `mpirun`), made by
/// [`initialize`].
///
/// MPI runs at the thread level `MPI_THREAD_SERIALIZED`: any thread may
/// call it, one at a time, which the communicator's lock ensures. So an
/// `MpiComm` can be shared with a pool of threads, as
/// [`LaplaceSum`](covar_kernel::LaplaceSum) requires.
///
/// ```no_run
/// use covar_distributed::Comm;
/// let (_universe, comm) = covar_distributed::initialize()?;
/// println!("rank {} of {}", comm.rank(), comm.size());
/// # Ok::<(), String>(())
/// ```
pub struct MpiComm {
    comm: Mutex<SimpleCommunicator>,
}

// SAFETY: MPI was initialised at MPI_THREAD_SERIALIZED (`initialize`, the
// only constructor), and every call goes through the lock, so no two
// threads are ever in MPI at once.
unsafe impl Sync for MpiComm {}
// SAFETY: as for `Sync`; dropping the world communicator calls nothing.
unsafe impl Send for MpiComm {}

impl MpiComm {
    /// Runs `f` on the communicator, holding its lock.
    fn with<R>(&self, f: impl FnOnce(&SimpleCommunicator) -> R) -> R {
        f(&self.comm.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn reduce<T: Equivalence + Copy>(&self, values: &mut [T], op: SystemOperation) {
        let send = values.to_vec();
        self.with(|c| c.all_reduce_into(&send[..], values, op));
    }

    fn gather<T: Equivalence + Copy + Default>(&self, local: &[T]) -> (Vec<T>, Vec<usize>) {
        self.with(|c| {
            let mut counts = vec![0 as Count; c.size() as usize];
            c.all_gather_into(&count(local.len()), &mut counts[..]);
            let displs = displacements(&counts);
            let total = counts.iter().map(|&k| k as usize).sum();
            let mut all = vec![T::default(); total];
            let mut part = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
            c.all_gather_varcount_into(local, &mut part);
            (all, counts.iter().map(|&k| k as usize).collect())
        })
    }

    fn broadcast<T: Equivalence>(&self, values: &mut [T]) {
        self.with(|c| c.process_at_rank(0).broadcast_into(values));
    }

    fn collect<T: Equivalence + Copy + Default>(&self, local: &[T]) -> (Vec<T>, Vec<usize>) {
        self.with(|c| {
            let root = c.process_at_rank(0);
            let n = count(local.len());
            if c.rank() != 0 {
                root.gather_into(&n);
                root.gather_varcount_into(local);
                return (Vec::new(), Vec::new());
            }
            let mut counts = vec![0 as Count; c.size() as usize];
            root.gather_into_root(&n, &mut counts[..]);
            let displs = displacements(&counts);
            let total = counts.iter().map(|&k| k as usize).sum();
            let mut all = vec![T::default(); total];
            let mut part = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
            root.gather_varcount_into_root(local, &mut part);
            (all, counts.iter().map(|&k| k as usize).collect())
        })
    }

    fn exchange<T: Equivalence + Copy + Default>(
        &self,
        send: &[T],
        counts: &[usize],
    ) -> (Vec<T>, Vec<usize>) {
        assert_eq!(counts.len(), self.size(), "one count per rank");
        assert_eq!(
            counts.iter().sum::<usize>(),
            send.len(),
            "counts cover `send`"
        );
        self.with(|c| {
            let send_counts: Vec<Count> = counts.iter().map(|&k| count(k)).collect();
            let mut recv_counts = vec![0 as Count; counts.len()];
            c.all_to_all_into(&send_counts[..], &mut recv_counts[..]);
            let total = recv_counts.iter().map(|&k| k as usize).sum();
            let mut recv = vec![T::default(); total];
            let send_displs = displacements(&send_counts);
            let recv_displs = displacements(&recv_counts);
            let out = Partition::new(send, &send_counts[..], &send_displs[..]);
            let mut into = PartitionMut::new(&mut recv[..], &recv_counts[..], &recv_displs[..]);
            c.all_to_all_varcount_into(&out, &mut into);
            (recv, recv_counts.iter().map(|&k| k as usize).collect())
        })
    }
}

/// A per-rank count as MPI's `int`.
fn count(n: usize) -> Count {
    Count::try_from(n).expect("at most i32::MAX values per rank in one MPI call")
}

/// Offsets of consecutive blocks of `counts` values.
fn displacements(counts: &[Count]) -> Vec<Count> {
    counts
        .iter()
        .scan(0, |at: &mut Count, &c| {
            let start = *at;
            *at += c;
            Some(start)
        })
        .collect()
}

impl Comm for MpiComm {
    fn rank(&self) -> usize {
        self.with(|c| c.rank() as usize)
    }

    fn size(&self) -> usize {
        self.with(|c| c.size() as usize)
    }

    fn sum_u64(&self, values: &mut [u64]) {
        self.reduce(values, SystemOperation::sum());
    }

    fn min_f64(&self, values: &mut [f64]) {
        self.reduce(values, SystemOperation::min());
    }

    fn max_f64(&self, values: &mut [f64]) {
        self.reduce(values, SystemOperation::max());
    }

    fn gather_f64(&self, local: &[f64]) -> (Vec<f64>, Vec<usize>) {
        self.gather(local)
    }

    fn gather_u64(&self, local: &[u64]) -> (Vec<u64>, Vec<usize>) {
        self.gather(local)
    }

    fn broadcast_u64(&self, values: &mut [u64]) {
        self.broadcast(values);
    }

    fn broadcast_f64(&self, values: &mut [f64]) {
        self.broadcast(values);
    }

    fn collect_f64(&self, local: &[f64]) -> (Vec<f64>, Vec<usize>) {
        self.collect(local)
    }

    fn exchange_f64(&self, send: &[f64], counts: &[usize]) -> (Vec<f64>, Vec<usize>) {
        self.exchange(send, counts)
    }

    fn exchange_u64(&self, send: &[u64], counts: &[usize]) -> (Vec<u64>, Vec<usize>) {
        self.exchange(send, counts)
    }
}
