//! covar under `mpirun`: which launches run over several ranks, and the
//! commands that do so far.
//!
//! A process started by `mpirun -np K` with `K > 1` runs its command over
//! the K ranks when covar is built with the cargo feature `mpi`, and fails
//! up front, naming the feature, when it is not. With one rank nothing
//! changes. So far `covar fields` runs over ranks (the direct backend):
//! every rank makes the same system, keeps its share of the particles
//! along the Morton curve, sums over all of them
//! (`covar_distributed::DistributedDirect`, the same bits as one
//! process), and rank 0 prints the report.

use super::{Cli, CliError};

/// The number of ranks the launcher says this process is one of, if it
/// was started by one (Open MPI's `OMPI_COMM_WORLD_SIZE`, MPICH's and
/// Intel MPI's `PMI_SIZE`).
pub fn launched_ranks() -> Option<usize> {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"]
        .into_iter()
        .find_map(|var| std::env::var(var).ok()?.parse().ok())
}

/// Runs `cli` over the `ranks` ranks of the MPI job this process is one of.
///
/// # Errors
///
/// [`CliError::Distributed`] without the `mpi` feature, or for a command
/// that does not run over ranks yet; otherwise the command's own errors.
#[cfg(not(feature = "mpi"))]
pub fn run_over_ranks(_cli: &Cli, ranks: usize) -> Result<(), CliError> {
    Err(CliError::Distributed(format!(
        "covar was started as one of {ranks} MPI ranks, but built without the cargo feature \
         `mpi`: build it with `cargo build --release --features mpi` (Open MPI: apt-get \
         install libopenmpi-dev openmpi-bin libclang-dev), or run it without mpirun"
    )))
}

/// Runs `cli` over the `ranks` ranks of the MPI job this process is one of.
///
/// # Errors
///
/// [`CliError::Distributed`] for a command or backend that does not run
/// over ranks yet; otherwise the command's own errors.
#[cfg(feature = "mpi")]
pub fn run_over_ranks(cli: &Cli, ranks: usize) -> Result<(), CliError> {
    use covar_distributed::Comm;
    use covar_kernel::LaplaceSum;

    use super::Command;

    let (_universe, comm) = covar_distributed::initialize().map_err(CliError::Distributed)?;
    debug_assert_eq!(comm.size(), ranks);
    match &cli.command {
        Command::Fields(args) => {
            if !matches!(args.backend, covar_kernel::Backend::Direct(_)) {
                return Err(CliError::Distributed(format!(
                    "`covar fields --backend {}` does not run over MPI ranks yet (the direct \
                     backend does)",
                    args.backend.name()
                )));
            }
            // A progress bar would show rank 0's share only: none.
            let sums = fields::Ranks::new(&comm);
            let report = super::fields::run_fields_with(args, false, &sums)?;
            if comm.rank() == 0 {
                super::print_report(&report, args.json)?;
            }
            Ok(())
        }
        other => {
            let name = match other {
                Command::Run(_) => "run",
                Command::Fit(_) => "fit",
                Command::Plot(_) => "plot",
                Command::Fields(_) => unreachable!("handled above"),
            };
            Err(CliError::Distributed(format!(
                "`covar {name}` does not run over MPI ranks yet (`covar fields` does); run it \
                 without mpirun"
            )))
        }
    }
}

#[cfg(feature = "mpi")]
mod fields {
    use std::sync::OnceLock;

    use covar_distributed::{Comm, Decomposition, DistributedDirect, MpiComm, all_in_id_order};
    use covar_kernel::{Backend, LaplaceSum, Outputs, Points, Problem};
    use covar_store::DVec3;
    use covar_store::{Particle, ParticleStore};

    use crate::cli::CliError;
    use crate::cli::fields::Sums;

    /// `covar fields`' sums over the ranks: every rank holds the whole
    /// problem, keeps its share of the particles, sums at them over all
    /// ranks' sources, and gets every rank's sums back in particle order.
    pub(super) struct Ranks<'c> {
        comm: &'c MpiComm,
        share: OnceLock<Share<'c>>,
    }

    /// This rank's particles (by index) and its backend.
    struct Share<'c> {
        ids: Vec<u64>,
        backend: DistributedDirect<&'c MpiComm>,
    }

    impl<'c> Ranks<'c> {
        pub(super) fn new(comm: &'c MpiComm) -> Self {
            Self {
                comm,
                share: OnceLock::new(),
            }
        }

        /// Deals the particles round robin, then balances them along the
        /// Morton curve (one unit of work each).
        fn share(&self, problem: &Problem<'_>, backend: &Backend) -> Result<&Share<'c>, CliError> {
            if let Some(s) = self.share.get() {
                return Ok(s);
            }
            let Backend::Direct(direct) = backend else {
                return Err(CliError::Distributed(
                    "only the direct backend runs over MPI ranks yet".into(),
                ));
            };
            let p = problem.sources.points;
            let mut dealt = ParticleStore::new();
            for i in (self.comm.rank()..p.x.len()).step_by(self.comm.size()) {
                dealt.push_keeping_id(Particle {
                    id: i as u64,
                    ..Particle::new(DVec3::new(p.x[i], p.y[i], p.z[i]), DVec3::ZERO, 1.0, 0.0)
                });
            }
            let d = Decomposition::balanced(self.comm, &dealt, &vec![1; dealt.len()])
                .map_err(|e| CliError::Distributed(e.to_string()))?;
            let mine = d.redistribute(self.comm, &dealt);
            d.check(self.comm, &mine, p.x.len() as u64)
                .map_err(|e| CliError::Distributed(e.to_string()))?;
            let backend = DistributedDirect::new(self.comm, direct.clone());
            backend
                .set_particles(mine.ids())
                .map_err(|e| CliError::Distributed(e.to_string()))?;
            Ok(self.share.get_or_init(|| Share {
                ids: mine.ids().to_vec(),
                backend,
            }))
        }
    }

    impl Sums for Ranks<'_> {
        fn ranks(&self) -> usize {
            self.comm.size()
        }

        fn evaluate(
            &self,
            backend: &Backend,
            problem: &Problem<'_>,
            out: Outputs<'_>,
        ) -> Result<(), CliError> {
            let share = self.share(problem, backend)?;
            let (n, m, nd) = (problem.n_sources(), share.ids.len(), problem.sources.nd);
            let pick = |col: &[f64]| -> Vec<f64> {
                share.ids.iter().map(|&id| col[id as usize]).collect()
            };
            let p = problem.sources.points;
            let (x, y, z) = (pick(p.x), pick(p.y), pick(p.z));
            let channels: Vec<f64> = problem
                .sources
                .channels
                .chunks_exact(n)
                .flat_map(pick)
                .collect();
            let mut pot = vec![0.0; nd * m];
            let mut grad = out.gradient.as_ref().map(|_| vec![0.0; 3 * nd * m]);
            let local = Outputs {
                potential: &mut pot,
                gradient: grad.as_deref_mut(),
            };
            share.backend.evaluate(
                &Problem::at_sources(Points::new(&x, &y, &z), &channels, nd, problem.softening),
                local,
            )?;
            out.potential
                .copy_from_slice(&all_in_id_order(self.comm, &share.ids, &pot));
            if let (Some(to), Some(from)) = (out.gradient, grad) {
                to.copy_from_slice(&all_in_id_order(self.comm, &share.ids, &from));
            }
            Ok(())
        }
    }
}
