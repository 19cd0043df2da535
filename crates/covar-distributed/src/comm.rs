//! What the distributed sums ask of a communicator: a handful of collective
//! operations, each called by every rank in the same order.
//!
//! [`Single`] is the one-process communicator (every collective is a copy),
//! so the decomposition and the sums run, and are tested, without MPI;
//! [`MpiComm`](crate::MpiComm) (cargo feature `mpi`) is the real one.
//! Counts are per rank; MPI limits each rank's part of one call to
//! `i32::MAX` values.

/// Collective operations over a fixed group of ranks.
///
/// Every method is collective: all ranks call it, in the same order, with
/// arguments of the same shape (the same `values.len()` for reductions,
/// `counts.len() == size()` for exchanges).
pub trait Comm {
    /// This rank, `0..size()`.
    fn rank(&self) -> usize;

    /// Number of ranks.
    fn size(&self) -> usize;

    /// Element-wise sums over all ranks, in place.
    fn sum_u64(&self, values: &mut [u64]);

    /// Element-wise minima over all ranks, in place.
    fn min_f64(&self, values: &mut [f64]);

    /// Element-wise maxima over all ranks, in place.
    fn max_f64(&self, values: &mut [f64]);

    /// Every rank's `local`, concatenated in rank order, and the number of
    /// values each rank gave.
    fn gather_f64(&self, local: &[f64]) -> (Vec<f64>, Vec<usize>);

    /// [`gather_f64`](Self::gather_f64) for `u64`.
    fn gather_u64(&self, local: &[u64]) -> (Vec<u64>, Vec<usize>);

    /// Rank 0's `values` copied into every rank's (all pass slices of the
    /// same length).
    fn broadcast_u64(&self, values: &mut [u64]);

    /// [`broadcast_u64`](Self::broadcast_u64) for `f64`.
    fn broadcast_f64(&self, values: &mut [f64]);

    /// Every rank's `local`, concatenated in rank order, and the number of
    /// values each rank gave, on rank 0; empty elsewhere.
    fn collect_f64(&self, local: &[f64]) -> (Vec<f64>, Vec<usize>);

    /// Sends `counts[r]` consecutive values of `send` to rank `r` (in rank
    /// order); returns what every rank sent here, concatenated in rank
    /// order, and how many came from each.
    fn exchange_f64(&self, send: &[f64], counts: &[usize]) -> (Vec<f64>, Vec<usize>);

    /// [`exchange_f64`](Self::exchange_f64) for `u64`.
    fn exchange_u64(&self, send: &[u64], counts: &[usize]) -> (Vec<u64>, Vec<usize>);
}

/// The communicator of a single process: rank 0 of 1.
///
/// # Examples
///
/// ```
/// use covar_distributed::{Comm, Single};
/// let (all, counts) = Single.gather_f64(&[1.0, 2.0]);
/// assert_eq!((all, counts), (vec![1.0, 2.0], vec![2]));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Single;

impl Comm for Single {
    fn rank(&self) -> usize {
        0
    }

    fn size(&self) -> usize {
        1
    }

    fn sum_u64(&self, _values: &mut [u64]) {}

    fn min_f64(&self, _values: &mut [f64]) {}

    fn max_f64(&self, _values: &mut [f64]) {}

    fn gather_f64(&self, local: &[f64]) -> (Vec<f64>, Vec<usize>) {
        (local.to_vec(), vec![local.len()])
    }

    fn gather_u64(&self, local: &[u64]) -> (Vec<u64>, Vec<usize>) {
        (local.to_vec(), vec![local.len()])
    }

    fn broadcast_u64(&self, _values: &mut [u64]) {}

    fn broadcast_f64(&self, _values: &mut [f64]) {}

    fn collect_f64(&self, local: &[f64]) -> (Vec<f64>, Vec<usize>) {
        (local.to_vec(), vec![local.len()])
    }

    fn exchange_f64(&self, send: &[f64], counts: &[usize]) -> (Vec<f64>, Vec<usize>) {
        assert_eq!(counts, [send.len()], "one rank: everything goes to rank 0");
        (send.to_vec(), counts.to_vec())
    }

    fn exchange_u64(&self, send: &[u64], counts: &[usize]) -> (Vec<u64>, Vec<usize>) {
        assert_eq!(counts, [send.len()], "one rank: everything goes to rank 0");
        (send.to_vec(), counts.to_vec())
    }
}

/// A borrowed or shared communicator is one too.
macro_rules! forward {
    ($($t:ty),*) => {$(
        impl<C: Comm + ?Sized> Comm for $t {
            fn rank(&self) -> usize {
                (**self).rank()
            }

            fn size(&self) -> usize {
                (**self).size()
            }

            fn sum_u64(&self, values: &mut [u64]) {
                (**self).sum_u64(values);
            }

            fn min_f64(&self, values: &mut [f64]) {
                (**self).min_f64(values);
            }

            fn max_f64(&self, values: &mut [f64]) {
                (**self).max_f64(values);
            }

            fn gather_f64(&self, local: &[f64]) -> (Vec<f64>, Vec<usize>) {
                (**self).gather_f64(local)
            }

            fn gather_u64(&self, local: &[u64]) -> (Vec<u64>, Vec<usize>) {
                (**self).gather_u64(local)
            }

            fn broadcast_u64(&self, values: &mut [u64]) {
                (**self).broadcast_u64(values);
            }

            fn broadcast_f64(&self, values: &mut [f64]) {
                (**self).broadcast_f64(values);
            }

            fn collect_f64(&self, local: &[f64]) -> (Vec<f64>, Vec<usize>) {
                (**self).collect_f64(local)
            }

            fn exchange_f64(&self, send: &[f64], counts: &[usize]) -> (Vec<f64>, Vec<usize>) {
                (**self).exchange_f64(send, counts)
            }

            fn exchange_u64(&self, send: &[u64], counts: &[usize]) -> (Vec<u64>, Vec<usize>) {
                (**self).exchange_u64(send, counts)
            }
        }
    )*};
}

forward!(&C, std::sync::Arc<C>);
