//! The error of the inference layer: every variant names where the problem
//! is (file, row and column of the data, the parameter, the particle).

use covar_integrate::IntegrateError;
use covar_kernel::KernelError;
use covar_store::StoreError;

/// Everything that can stop reading data, clustering, fitting or evaluating
/// the loss.
///
/// Data rows and columns are 0-based (row `t` is the time step, column `j`
/// the variable, as in every report of this crate); CSV errors also give the
/// 1-based line of the file.
#[derive(Debug, thiserror::Error)]
pub enum InferError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A value is not binary (`-1`/`+1` or `0`/`1`).
    #[error("{path}: row {row}{line}, column {column}{name}: `{value}` is not binary (expected -1/+1 or 0/1)",
        line = line.map(|l| format!(" (line {l})")).unwrap_or_default(),
        name = name.as_ref().map(|n| format!(" (`{n}`)")).unwrap_or_default())]
    NotBinary {
        /// The file.
        path: String,
        /// 0-based data row (time step).
        row: usize,
        /// 1-based line of a text file.
        line: Option<usize>,
        /// 0-based column (variable).
        column: usize,
        /// The column's name, if the file has a header.
        name: Option<String>,
        /// The value found, as text.
        value: String,
    },
    /// The file mixes the two encodings: a `-1` and a `0` both appear.
    #[error("{path}: row {row}{line}, column {column}: `{value}` mixes encodings: row {first_row}, \
             column {first_column} was `{first_value}` (use -1/+1 or 0/1 throughout)",
        line = line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    MixedEncoding {
        /// The file.
        path: String,
        /// 0-based data row of the conflicting value.
        row: usize,
        /// 1-based line of a text file.
        line: Option<usize>,
        /// 0-based column of the conflicting value.
        column: usize,
        /// The conflicting value.
        value: String,
        /// Where the other encoding was first seen: row.
        first_row: usize,
        /// ... and column.
        first_column: usize,
        /// ... and its value.
        first_value: String,
    },
    /// A row has a different number of values than the first.
    #[error("{path}: row {row}{line} has {found} values, expected {expected} (as in the first row)",
        line = line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Ragged {
        /// The file.
        path: String,
        /// 0-based data row.
        row: usize,
        /// 1-based line of a text file.
        line: Option<usize>,
        /// Values in this row.
        found: usize,
        /// Values in the first row.
        expected: usize,
    },
    /// A variable has the same value at every time step: its correlations
    /// are undefined.
    #[error("{path}: column {column}{name} is constant ({value} in all {rows} rows): its \
             correlations are undefined; drop the column",
        name = name.as_ref().map(|n| format!(" (`{n}`)")).unwrap_or_default())]
    Constant {
        /// The file.
        path: String,
        /// 0-based column.
        column: usize,
        /// Its name, if the file has a header.
        name: Option<String>,
        /// The value, in the spin convention (`-1` or `+1`).
        value: i8,
        /// Rows read.
        rows: u64,
    },
    /// The file has no data rows (or no columns).
    #[error("{path}: no data ({what})")]
    Empty {
        /// The file.
        path: String,
        /// What is missing.
        what: &'static str,
    },
    /// A `.npy` file whose header or layout cannot be read.
    #[error("{path}: .npy: {reason}")]
    Npy {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A parameter is out of range.
    #[error("parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// No variable pair reaches the clustering threshold.
    #[error(
        "no clusters: no two of the {variables} variables have |correlation| >= {threshold} \
             (the largest is {largest:.4}); lower the threshold"
    )]
    NoClusters {
        /// Variables.
        variables: usize,
        /// The threshold.
        threshold: f64,
        /// The largest |correlation| of any pair.
        largest: f64,
    },
    /// The covariance matrix `K` is not positive definite, so the Gaussian
    /// loss is undefined.
    #[error("K is not positive definite: {detail}")]
    NotPositiveDefinite {
        /// Where it was found (Cholesky pivot, Ritz value).
        detail: String,
    },
    /// Conjugate gradients stopped before reaching the tolerance.
    #[error(
        "conjugate gradients: column {column} reached relative residual {residual:.3e} after \
             {iterations} iterations, not {tolerance:.1e}"
    )]
    NoConvergence {
        /// The right-hand side that did not converge.
        column: usize,
        /// Its relative residual.
        residual: f64,
        /// Iterations done.
        iterations: usize,
        /// The tolerance asked for.
        tolerance: f64,
    },
    /// Bad particle data (naming particle and field).
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A Laplace sum failed (naming particle and field).
    #[error("{0}")]
    Kernel(#[from] KernelError),
    /// The engine's Hamiltonian could not be evaluated.
    #[error("{0}")]
    Integrate(#[from] IntegrateError),
}

impl InferError {
    /// An [`InferError::Io`] for `path`, for `map_err`.
    pub(crate) fn io(path: &str) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| InferError::Io {
            path: path.to_string(),
            source,
        }
    }
}
