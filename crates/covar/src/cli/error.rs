//! The error of the command-line program.

use std::path::PathBuf;

use covar_integrate::IntegrateError;
use covar_kernel::KernelError;
use covar_store::StoreError;

use crate::io::csv::CsvError;

/// Everything that can stop a `covar` subcommand. Each message says what to
/// fix: the flag or configuration key, the file, or the particle and field
/// (from the store and kernel errors).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A flag's value is valid on its own but not in this combination.
    #[error("invalid argument `--{flag}`: {reason}")]
    InvalidArgument {
        /// The flag, without its dashes.
        flag: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A configuration file could not be read or parsed (the message of the
    /// TOML parser names the line, column and key).
    #[error("config file {path}: {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A key of a configuration file has a value out of range, or one that
    /// does not fit the other settings.
    #[error("config file {path}: key `{key}`: {reason}")]
    ConfigValue {
        /// The file.
        path: PathBuf,
        /// The key (the flag's name without its dashes).
        key: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Building or validating the particles failed.
    #[error("initial conditions: {0}")]
    Store(#[from] StoreError),
    /// A particle CSV file could not be read or written.
    #[error("particle file {0}")]
    Csv(#[from] CsvError),
    /// A particle file (`--from`, a snapshot to plot) could not be read.
    #[error("{0}")]
    Particles(#[from] crate::io::ReadError),
    /// An HDF5 snapshot could not be written (or this covar has no HDF5).
    #[error("HDF5 snapshot {0}")]
    Snapshot(#[from] crate::io::hdf5::Hdf5Error),
    /// A plot could not be made (no energy log or snapshot, a bad row, an
    /// image that cannot be written).
    #[error("plot: {path}: {reason}")]
    Plot {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The Laplace sum failed.
    #[error("evaluating the fields: {0}")]
    Kernel(#[from] KernelError),
    /// The simulation could not be set up or stepped.
    #[error("{0}")]
    Integrate(#[from] IntegrateError),
    /// The exact check proves the kinetic form indefinite and `--strict`
    /// was given.
    #[error(
        "--strict: the kinetic form is not positive definite: {summary}; \
         raise --softening or lower mu, or drop --strict to run anyway"
    )]
    KineticForm {
        /// Where it fails and by how much.
        summary: String,
    },
    /// The output would replace the results of an earlier run.
    #[error(
        "{path} already exists ({what}); pass --overwrite to replace it, or choose another {flag}"
    )]
    OutputExists {
        /// The existing file.
        path: PathBuf,
        /// What it holds.
        what: &'static str,
        /// The flag that chose it.
        flag: &'static str,
    },
    /// Writing an output file failed.
    #[error("writing {path}: {source}")]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The worker threads could not be started.
    #[error("starting {threads} worker threads: {message}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// The reason given by rayon.
        message: String,
    },
    /// A checkpoint could not be read (damaged, truncated, of another
    /// format version, or not a checkpoint).
    #[error("checkpoint {path}: {source}")]
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: crate::io::checkpoint::CheckpointError,
    },
    /// `--resume` cannot continue the run in this folder.
    #[error("cannot resume the run in {dir}: {reason}")]
    Resume {
        /// The folder given to `--resume`.
        dir: PathBuf,
        /// Why not, and what to do.
        reason: String,
    },
    /// SIGINT or SIGTERM stopped the run at a step boundary, after writing
    /// a checkpoint. The binary exits with `128 + signal` (130 for SIGINT,
    /// 143 for SIGTERM).
    #[error(
        "interrupted by {name} after step {step} of {steps}; checkpoint written to {path}; \
         continue with `covar run --resume {dir}`",
        name = crate::cli::run::signal_name(*signal),
        path = checkpoint.display(),
        dir = dir.display()
    )]
    Interrupted {
        /// The signal's number.
        signal: i32,
        /// Steps taken (the checkpoint's step).
        step: u64,
        /// Steps of the whole run.
        steps: u64,
        /// The checkpoint written.
        checkpoint: PathBuf,
        /// The run's output folder.
        dir: PathBuf,
    },
    /// Measurement data could not be read, clustered or fitted, or a loss
    /// could not be evaluated (the message names the file, row and column,
    /// or the parameter).
    #[error("{0}")]
    Infer(#[from] covar_infer::InferError),
    /// A run over several MPI ranks that cannot go ahead (a build without
    /// the `mpi` feature, a command or backend not distributed yet).
    #[error("{0}")]
    Distributed(String),
    /// Writing the report failed (e.g. a closed pipe).
    #[error("writing the report: {0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    /// The exit status of the binary for this error: `128 + signal` for
    /// [`CliError::Interrupted`] (as a shell reports a process the signal
    /// killed), 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Interrupted { signal, .. } => (128 + signal).clamp(1, 255) as u8,
            _ => 1,
        }
    }

    /// An [`CliError::Output`] error for `path`, for `map_err`.
    pub(crate) fn output(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| CliError::Output {
            path: path.to_path_buf(),
            source,
        }
    }
}
