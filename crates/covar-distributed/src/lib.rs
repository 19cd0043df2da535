//! covar over many processes: Laplace sums split among the ranks of an MPI
//! job behind the same [`LaplaceSum`](covar_kernel::LaplaceSum) interface,
//! so that the integrators do not know.
//!
//! - [`Comm`]: the few collectives the layer needs; [`Single`] for one
//!   process, `MpiComm` over MPI (cargo feature `mpi`, the `mpi` crate),
//!   made by `initialize`.
//! - [`Served`] and [`serve`]: what `covar run` and `covar fields` use
//!   under `mpirun`. Rank 0 holds the state and runs as one process would;
//!   each sum it asks for is split among all ranks by contiguous shares of
//!   the targets, each target summed with the bits of one process. Memory
//!   is not distributed: rank 0 holds every particle.
//! - [`Decomposition`] and [`DistributedDirect`]: the state itself split
//!   among the ranks, for runs larger than one process's memory. Equal-work
//!   cuts of the Morton curve, the exchange that moves particles to their
//!   owners (ids kept, each rank's particles in id order), the ownership
//!   invariant's checker, and the exact sum over every rank's particles with
//!   the bits of one process. The runs do not use them yet.
//!
//! With one rank (or [`Single`]) everything reduces to the one-process
//! code.

mod comm;
mod decompose;
mod direct;
mod error;
#[cfg(feature = "mpi")]
mod mpi_comm;
mod served;

pub use comm::{Comm, Single};
pub use decompose::{Balance, Decomposition, global_cube};
pub use direct::{DistributedDirect, ExchangeStats};
pub use error::DistributedError;
#[cfg(feature = "mpi")]
pub use mpi_comm::{MpiComm, Universe, initialize};
pub use served::{REBALANCE_ABOVE, Served, ServedStats, rebalanced_cuts, release, serve};
