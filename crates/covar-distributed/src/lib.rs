//! covar over many processes: the particles split among ranks along the
//! Morton curve by measured work, and Laplace sums over all of them behind
//! the same [`LaplaceSum`](covar_kernel::LaplaceSum) interface, so that the
//! integrators do not know.
//!
//! - [`Comm`]: the few collectives the layer needs; [`Single`] for one
//!   process, `MpiComm` over MPI (cargo feature `mpi`, the `mpi` crate).
//! - [`Decomposition`]: equal-work cuts of the Morton curve, the exchange
//!   that moves particles to their owners (ids kept, each rank's particles
//!   in id order), and the ownership invariant's checker.
//! - [`DistributedDirect`]: the exact sum, the same bits for any number of
//!   ranks.
//!
//! Run under `mpirun -np K`; with one rank (or [`Single`]) everything
//! reduces to the one-process code.

mod collect;
mod comm;
mod decompose;
mod direct;
mod error;
#[cfg(feature = "mpi")]
mod mpi_comm;

pub use collect::all_in_id_order;
pub use comm::{Comm, Single};
pub use decompose::{Balance, Decomposition, global_cube};
pub use direct::{DistributedDirect, ExchangeStats};
pub use error::DistributedError;
#[cfg(feature = "mpi")]
pub use mpi_comm::{MpiComm, Universe, initialize};
