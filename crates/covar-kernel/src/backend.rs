//! The one summation interface every backend implements, and the value a
//! caller uses to pick a backend at run time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::direct::Direct;
use crate::error::KernelError;
use crate::fast::Fast;
use crate::naive::Naive;
use crate::problem::{Outputs, Problem};

/// A Laplace-sum backend: evaluates a [`Problem`] into caller-provided
/// [`Outputs`].
///
/// Implementations validate the problem first (lengths, finite values,
/// softening) and report a non-finite result as an error naming its cause, so
/// a successful return always leaves finite numbers in the outputs. On error
/// the outputs are unspecified.
pub trait LaplaceSum: Sync {
    /// Short name of the backend (`"naive"`, `"direct"`, ...).
    fn name(&self) -> &'static str;

    /// The instruction set its SIMD kernels run on, if it has any.
    fn isa(&self) -> Option<crate::Isa> {
        None
    }

    /// Evaluates potentials (and gradients, if requested) at every target.
    ///
    /// # Errors
    ///
    /// Any [`KernelError`]: bad lengths, non-finite inputs, invalid softening,
    /// coincident points with zero softening, or an overflowing sum.
    fn evaluate(&self, problem: &Problem<'_>, out: Outputs<'_>) -> Result<(), KernelError>;
}

/// A counter of pair interactions done, shared between a running evaluation
/// and whoever reports progress (a progress bar in another thread).
///
/// # Examples
///
/// ```
/// use covar_kernel::Progress;
/// let p = Progress::new();
/// p.add(10);
/// assert_eq!(p.get(), 10);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Progress(Arc<AtomicU64>);

impl Progress {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `pairs` finished pair interactions (a full evaluation with the
    /// targets at the sources adds `N (N - 1)`).
    pub fn add(&self, pairs: u64) {
        self.0.fetch_add(pairs, Ordering::Relaxed);
    }

    /// Pair interactions finished so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Sets the counter back to zero.
    pub fn reset(&self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

/// A backend chosen by value, e.g. from a command-line flag.
///
/// # Examples
///
/// ```
/// use covar_kernel::{Backend, LaplaceSum, Points, Problem, Outputs};
/// let (x, y, z) = ([0.0, 2.0], [0.0, 0.0], [0.0, 0.0]);
/// let q = [1.0, -1.0];
/// let mut phi = [0.0; 2];
/// let backend: Backend = "direct".parse().unwrap();
/// backend
///     .evaluate(
///         &Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0),
///         Outputs::potential(&mut phi),
///     )
///     .unwrap();
/// assert_eq!(phi, [-0.5, 0.5]);
/// ```
#[derive(Clone, Debug)]
pub enum Backend {
    /// The textbook double loop ([`Naive`]).
    Naive(Naive),
    /// The exact SIMD, multi-threaded sum ([`Direct`]).
    Direct(Direct),
    /// The tree / multipole sum with a set accuracy ([`Fast`]; boxed, it
    /// carries its reusable arena).
    Fast(Box<Fast>),
    /// A backend from outside this crate, e.g. sums served by several
    /// processes.
    Custom(CustomSum),
}

/// A [`LaplaceSum`] from outside this crate, shared.
#[derive(Clone)]
pub struct CustomSum(pub Arc<dyn LaplaceSum + Send + Sync>);

impl std::fmt::Debug for CustomSum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CustomSum").field(&self.0.name()).finish()
    }
}

impl Backend {
    /// Names accepted by [`str::parse`].
    pub const NAMES: [&'static str; 3] = ["naive", "direct", "fast"];

    /// The instruction set the backend's SIMD kernels run on; `None` for
    /// the naive backend, which has none.
    pub fn isa(&self) -> Option<crate::Isa> {
        match self {
            Backend::Naive(_) => None,
            Backend::Direct(b) => Some(b.isa()),
            Backend::Fast(b) => Some(b.isa()),
            Backend::Custom(b) => b.0.isa(),
        }
    }

    /// Attaches a progress counter to the backend.
    pub fn with_progress(self, progress: Progress) -> Self {
        match self {
            Backend::Naive(b) => Backend::Naive(b.with_progress(progress)),
            Backend::Direct(b) => Backend::Direct(b.with_progress(progress)),
            Backend::Fast(b) => Backend::Fast(Box::new(b.with_progress(progress))),
            // Progress is the custom backend's own affair.
            Backend::Custom(b) => Backend::Custom(b),
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "naive" => Ok(Backend::Naive(Naive::new())),
            "direct" => Ok(Backend::Direct(Direct::new())),
            "fast" => Ok(Backend::Fast(Box::default())),
            other => Err(format!(
                "unknown backend `{other}` (expected one of: {})",
                Self::NAMES.join(", ")
            )),
        }
    }
}

impl LaplaceSum for Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Naive(b) => b.name(),
            Backend::Direct(b) => b.name(),
            Backend::Fast(b) => b.name(),
            Backend::Custom(b) => b.0.name(),
        }
    }

    fn isa(&self) -> Option<crate::Isa> {
        Backend::isa(self)
    }

    fn evaluate(&self, problem: &Problem<'_>, out: Outputs<'_>) -> Result<(), KernelError> {
        match self {
            Backend::Naive(b) => b.evaluate(problem, out),
            Backend::Direct(b) => b.evaluate(problem, out),
            Backend::Fast(b) => b.evaluate(problem, out),
            Backend::Custom(b) => b.0.evaluate(problem, out),
        }
    }
}
