//! [`Comm`] over MPI, through the `mpi` crate (rsmpi).

use mpi::Count;
use mpi::collective::SystemOperation;
use mpi::datatype::{Equivalence, Partition, PartitionMut};
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};
use std::thread::ThreadId;

use crate::comm::Comm;

/// A [`Comm`] over an MPI communicator (usually the world of `mpirun`).
///
/// MPI is initialised at its lowest thread level, so only the thread that
/// made an `MpiComm` may call MPI through it: a call from any other thread
/// panics before it reaches MPI. That check is what lets an `MpiComm` be
/// shared with the rayon threads of a sum (which never use it), as
/// [`LaplaceSum`](covar_kernel::LaplaceSum) requires.
///
/// ```no_run
/// use covar_distributed::{Comm, MpiComm};
/// let universe = mpi::initialize().expect("MPI initialises once");
/// let comm = MpiComm::new(universe.world());
/// println!("rank {} of {}", comm.rank(), comm.size());
/// ```
pub struct MpiComm {
    comm: SimpleCommunicator,
    thread: ThreadId,
}

// SAFETY: every use of `comm` goes through `raw`, which panics on any thread
// but the one that made the `MpiComm`, so MPI is only ever called from that
// thread (MPI_THREAD_SINGLE / FUNNELED use).
unsafe impl Sync for MpiComm {}

impl MpiComm {
    /// Wraps an MPI communicator; only this thread may use it.
    pub fn new(comm: SimpleCommunicator) -> Self {
        Self {
            comm,
            thread: std::thread::current().id(),
        }
    }

    /// The wrapped communicator.
    ///
    /// # Panics
    ///
    /// On any thread but the one that made this `MpiComm`.
    pub fn raw(&self) -> &SimpleCommunicator {
        assert!(
            std::thread::current().id() == self.thread,
            "MPI is called only from the thread that made the communicator"
        );
        &self.comm
    }

    fn reduce<T: Equivalence + Copy>(&self, values: &mut [T], op: SystemOperation) {
        let send = values.to_vec();
        self.raw().all_reduce_into(&send[..], values, op);
    }

    fn gather<T: Equivalence + Copy + Default>(&self, local: &[T]) -> (Vec<T>, Vec<usize>) {
        let mut counts = vec![0 as Count; self.size()];
        self.raw()
            .all_gather_into(&count(local.len()), &mut counts[..]);
        let displs = displacements(&counts);
        let total = counts.iter().map(|&c| c as usize).sum();
        let mut all = vec![T::default(); total];
        let mut part = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
        self.raw().all_gather_varcount_into(local, &mut part);
        (all, counts.iter().map(|&c| c as usize).collect())
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
        let send_counts: Vec<Count> = counts.iter().map(|&c| count(c)).collect();
        let mut recv_counts = vec![0 as Count; self.size()];
        self.raw()
            .all_to_all_into(&send_counts[..], &mut recv_counts[..]);
        let total = recv_counts.iter().map(|&c| c as usize).sum();
        let mut recv = vec![T::default(); total];
        let send_displs = displacements(&send_counts);
        let recv_displs = displacements(&recv_counts);
        let out = Partition::new(send, &send_counts[..], &send_displs[..]);
        let mut into = PartitionMut::new(&mut recv[..], &recv_counts[..], &recv_displs[..]);
        self.raw().all_to_all_varcount_into(&out, &mut into);
        (recv, recv_counts.iter().map(|&c| c as usize).collect())
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
        self.raw().rank() as usize
    }

    fn size(&self) -> usize {
        self.raw().size() as usize
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

    fn exchange_f64(&self, send: &[f64], counts: &[usize]) -> (Vec<f64>, Vec<usize>) {
        self.exchange(send, counts)
    }

    fn exchange_u64(&self, send: &[u64], counts: &[usize]) -> (Vec<u64>, Vec<usize>) {
        self.exchange(send, counts)
    }
}
