//! covar under `mpirun`: which launches run over several ranks, and how.
//!
//! A process started by `mpirun -np K` with `K > 1` runs its command over
//! the K ranks when covar is built with the cargo feature `mpi`, and fails
//! up front, naming the feature, when it is not. With one rank nothing
//! changes.
//!
//! Over ranks, rank 0 runs `covar run` or `covar fields` as one process
//! would, with its backend (direct, naive or fast) served by every rank
//! (`covar_distributed::Served`): each Laplace sum is split among the
//! ranks, each target summed with the bits of one process. The other ranks
//! serve until rank 0 is done. So every integrator, the energy log,
//! snapshots, checkpoints and the summary are those of one process, and a
//! run resumes with the same bits on any number of ranks. Rank 0 holds the
//! state: memory is not distributed yet.

#[cfg(feature = "mpi")]
use super::exchange::ExchangeReport;
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
/// [`CliError::Distributed`]: covar is built without the `mpi` feature.
#[cfg(not(feature = "mpi"))]
pub fn run_over_ranks(_cli: &Cli, ranks: usize) -> Result<(), CliError> {
    Err(CliError::Distributed(format!(
        "covar was started as one of {ranks} MPI ranks, but built without the cargo feature \
         `mpi`: build it with `cargo build --release --features mpi` (Open MPI: apt-get \
         install libopenmpi-dev openmpi-bin libclang-dev), or run it without mpirun"
    )))
}

/// Runs `cli` over the `ranks` ranks of the MPI job this process is one of:
/// rank 0 runs the command and prints its report, the others serve its
/// sums.
///
/// # Errors
///
/// [`CliError::Distributed`] for a command that does not run over ranks
/// (on every rank, before any exchange); otherwise the command's own
/// errors, on rank 0.
#[cfg(feature = "mpi")]
pub fn run_over_ranks(cli: &Cli, ranks: usize) -> Result<(), CliError> {
    use std::sync::Arc;

    use covar_distributed::{Comm, Served};
    use covar_kernel::{Backend, CustomSum};

    use super::Command;
    use super::fields::FieldsArgs;
    use super::run::{Session, Stop, StopSignals};

    // What cannot run over ranks, and bad arguments, are refused by every
    // rank alike, before any exchange (a resumed run's settings are in its
    // checkpoint: rank 0 reads them, and releases the others if it fails).
    let fields_backend = match &cli.command {
        Command::Fields(args) => Some(args.backend()?.0),
        Command::Run(args) if args.resume.is_none() => {
            super::run::Settings::resolve(args)?;
            None
        }
        Command::Run(_) => None,
        Command::Fit(_) | Command::Plot(_) => {
            let name = if matches!(cli.command, Command::Fit(_)) {
                "fit"
            } else {
                "plot"
            };
            return Err(CliError::Distributed(format!(
                "`covar {name}` does not run over MPI ranks (`covar run` and `covar fields` \
                 do); run it without mpirun"
            )));
        }
    };
    let (_universe, comm) = covar_distributed::initialize().map_err(CliError::Distributed)?;
    debug_assert_eq!(comm.size(), ranks);
    if comm.rank() != 0 {
        return covar_distributed::serve(&comm).map_err(CliError::Distributed);
    }
    let comm = Arc::new(comm);
    let served = |inner: Backend| -> Result<(Backend, Arc<Served<Arc<_>>>), CliError> {
        let s = Arc::new(Served::new(comm.clone(), inner).map_err(CliError::Distributed)?);
        Ok((Backend::Custom(CustomSum(s.clone())), s))
    };
    match &cli.command {
        Command::Fields(args) => {
            let (backend, server) = served(fields_backend.expect("resolved above"))?;
            // The instruction set and the fast flags are in the backend.
            let args = FieldsArgs {
                backend,
                isa: None,
                fast: super::fast::FastFlags::default(),
                ..args.clone()
            };
            let report = super::fields::run_fields_with(&args, false, server.ranks());
            server.stop();
            let mut report = report?;
            report.exchange = Some(exchange_report(&server.stats()));
            // Rank 0's share of the last evaluation.
            report.fast = super::fast::FastReport::of_backend(server.inner());
            super::print_report(&report, args.json)
        }
        Command::Run(args) => {
            let stop = Stop::new();
            let _signals = StopSignals::install(&stop)?;
            let show_progress = !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let server = std::cell::OnceCell::new();
            let serve = |inner: Backend| {
                let (backend, s) = served(inner)?;
                let _ = server.set(s);
                Ok(backend)
            };
            let report = Session::start_on(args, show_progress, &stop, &serve).and_then(|mut s| {
                while !s.is_done() {
                    s.step()?;
                }
                s.finish_with(|report| {
                    if let Some(server) = server.get() {
                        report.ranks = server.ranks();
                        report.exchange = Some(exchange_report(&server.stats()));
                        report.fast = super::fast::FastReport::of_backend(server.inner());
                    }
                })
            });
            match server.get() {
                Some(s) => s.stop(),
                // Failed before its backend was made (e.g. a resumed run
                // without its checkpoint): release the others.
                None => covar_distributed::release(&comm),
            }
            super::print_report(&report?, args.json)
        }
        Command::Fit(_) | Command::Plot(_) => unreachable!("refused above"),
    }
}

/// Rank 0's figures of the exchanges, per evaluation.
#[cfg(feature = "mpi")]
fn exchange_report(stats: &covar_distributed::ServedStats) -> ExchangeReport {
    let per = |v: f64| v / stats.evaluations.max(1) as f64;
    ExchangeReport {
        bytes_out: per(stats.bytes_out as f64),
        bytes_in: per(stats.bytes_in as f64),
        broadcast_seconds: per(stats.broadcast.as_secs_f64()),
        collect_seconds: per(stats.collect.as_secs_f64()),
        compute_seconds: stats.compute.iter().map(|d| per(d.as_secs_f64())).collect(),
        imbalance: stats.imbalance(),
        rebalances: stats.rebalances,
    }
}
