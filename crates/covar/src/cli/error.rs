//! The error of the command-line program.

use covar_kernel::KernelError;
use covar_store::StoreError;

/// Everything that can stop a `covar` subcommand. Each message says what to
/// fix: the flag, or the particle and field (from the store and kernel
/// errors).
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
    /// Building or validating the particles failed.
    #[error("initial conditions: {0}")]
    Store(#[from] StoreError),
    /// The Laplace sum failed.
    #[error("evaluating the fields: {0}")]
    Kernel(#[from] KernelError),
    /// The worker threads could not be started.
    #[error("starting {threads} worker threads: {message}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// The reason given by rayon.
        message: String,
    },
    /// Writing the report failed (e.g. a closed pipe).
    #[error("writing the report: {0}")]
    Io(#[from] std::io::Error),
}
