//! # covar-python: covar's Laplace sums on numpy arrays
//!
//! The native module `covar._covar` of the Python package `covar` (built by
//! maturin from `pyproject.toml` beside this file). It is thin on purpose:
//! the Python layer (`covar/__init__.py`) turns what a user passes into
//! C-contiguous float64 arrays of the documented shapes and allocates the
//! outputs; this crate checks those shapes once more, builds the backend,
//! releases the GIL around the sums and maps [`KernelError`] to one Python
//! exception, `covar.KernelError` (a `ValueError`). Every number comes from
//! `covar-kernel`; nothing is computed here that the Rust API does not
//! compute.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use covar_kernel::{
    Backend, Direct, Fast, FastParams, Isa, KernelError, Naive, Softening, SofteningKernel,
};
use numpy::{PyReadonlyArray2, PyReadwriteArray3, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

mod fields;
mod fit;
mod physics;
mod run;

pyo3::create_exception!(
    _covar,
    CovarKernelError,
    PyValueError,
    "An input covar cannot sum: the message names the array, the index and \
     the field (a non-finite coordinate, coincident points with softening 0, \
     a bad length or parameter)."
);

/// The Python exception of a kernel error, with the kernel's own message
/// (the one the command-line program prints).
pub(crate) fn kernel_error(e: KernelError) -> PyErr {
    CovarKernelError::new_err(e.to_string())
}

/// A `ValueError` with `message`.
pub(crate) fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// How a call is evaluated: backend, its accuracy and instruction set, and
/// the softening.
pub(crate) struct Method {
    backend: Backend,
    softening: Softening,
    threads: Option<usize>,
}

impl Method {
    /// Parses and checks the keyword arguments shared by every entry point.
    pub(crate) fn new(
        backend: &str,
        tol: f64,
        isa: Option<&str>,
        softening: f64,
        kernel: &str,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        let isa = match isa {
            // Checked here so that a bad `COVAR_ISA` is an exception, not
            // a panic inside the backend's constructor.
            None => Isa::from_env().map_err(value_error)?,
            Some(name) => {
                let isa: Isa = name.parse().map_err(value_error)?;
                if !isa.is_available() {
                    return Err(value_error(format!(
                        "isa {isa:?}: this CPU cannot run {isa} (available: {})",
                        available_isas().join(", ")
                    )));
                }
                Some(isa)
            }
        };
        let unavailable = || value_error("the instruction set was checked above");
        let backend = match backend {
            "naive" => Backend::Naive(Naive::new()),
            "direct" => Backend::Direct(match isa {
                None => Direct::new(),
                Some(isa) => Direct::with_isa(isa).ok_or_else(unavailable)?,
            }),
            "fast" => {
                let params = FastParams::with_tolerance(tol);
                params.validate().map_err(kernel_error)?;
                Backend::Fast(Box::new(match isa {
                    None => Fast::new(params),
                    Some(isa) => Fast::with_isa(params, isa).ok_or_else(unavailable)?,
                }))
            }
            other => {
                return Err(value_error(format!(
                    "unknown backend {other:?} (expected one of: {})",
                    Backend::NAMES.join(", ")
                )));
            }
        };
        let kernel: SofteningKernel = kernel.parse().map_err(value_error)?;
        if threads == Some(0) {
            return Err(value_error(
                "threads must be at least 1 (or None for all cores)",
            ));
        }
        Ok(Self {
            backend,
            softening: Softening::new(kernel, softening),
            threads,
        })
    }

    /// Runs `f` on `threads` threads (rayon's global pool for `None`).
    pub(crate) fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> PyResult<T> {
        match self.threads {
            None => Ok(f()),
            Some(n) => Ok(pool(n)?.install(f)),
        }
    }
}

/// A thread pool of `n` threads, built once per distinct `n` and kept.
fn pool(n: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    static POOLS: Mutex<BTreeMap<usize, Arc<rayon::ThreadPool>>> = Mutex::new(BTreeMap::new());
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&n) {
        return Ok(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("covar-{i}"))
        .build()
        .map_err(|e| value_error(format!("cannot start {n} threads: {e}")))?;
    let p = Arc::new(p);
    pools.insert(n, Arc::clone(&p));
    Ok(p)
}

/// Names of the instruction sets this CPU can run, slowest first.
fn available_isas() -> Vec<String> {
    Isa::available().iter().map(Isa::to_string).collect()
}

/// `(n, 3)` points as three coordinate columns; `what` names the array.
pub(crate) fn columns(what: &str, points: &PyReadonlyArray2<'_, f64>) -> PyResult<[Vec<f64>; 3]> {
    let shape = points.shape();
    if shape[1] != 3 {
        return Err(value_error(format!(
            "{what} has shape {shape:?}, expected (n, 3)"
        )));
    }
    let flat = points
        .as_slice()
        .map_err(|_| value_error(format!("{what} must be C-contiguous")))?;
    Ok(std::array::from_fn(|d| {
        flat.iter().skip(d).step_by(3).copied().collect()
    }))
}

/// The slice of a C-contiguous float64 array; `what` names it.
pub(crate) fn slice<'a>(what: &str, a: &'a PyReadonlyArray2<'_, f64>) -> PyResult<&'a [f64]> {
    a.as_slice()
        .map_err(|_| value_error(format!("{what} must be C-contiguous")))
}

/// Checks that `a` has `shape`; `what` names it.
pub(crate) fn expect_shape(what: &str, got: &[usize], shape: &[usize]) -> PyResult<()> {
    if got == shape {
        Ok(())
    } else {
        Err(value_error(format!(
            "{what} has shape {got:?}, expected {shape:?}"
        )))
    }
}

/// The mutable slice of a C-contiguous, writeable float64 output.
pub(crate) fn slice_mut<'a>(
    what: &str,
    a: &'a mut PyReadwriteArray3<'_, f64>,
) -> PyResult<&'a mut [f64]> {
    a.as_slice_mut()
        .map_err(|_| value_error(format!("{what} must be C-contiguous")))
}

/// The native part of the `covar` Python package.
#[pymodule]
fn _covar(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("KernelError", m.py().get_type::<CovarKernelError>())?;
    m.add("RunError", m.py().get_type::<run::RunError>())?;
    m.add_class::<run::PySession>()?;
    m.add("BACKENDS", Backend::NAMES.to_vec())?;
    m.add(
        "SOFTENING_KERNELS",
        SofteningKernel::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>(),
    )?;
    m.add_function(wrap_pyfunction!(isas, m)?)?;
    m.add_function(wrap_pyfunction!(fields::laplace_into, m)?)?;
    m.add_function(wrap_pyfunction!(fit::fit_array, m)?)?;
    m.add_function(wrap_pyfunction!(physics::covariance_product_into, m)?)?;
    m.add_function(wrap_pyfunction!(physics::vector_potential_into, m)?)?;
    Ok(())
}

/// The instruction sets this CPU can run, slowest first; the backends use
/// the last unless told otherwise (`isa=` or the `COVAR_ISA` environment
/// variable).
#[pyfunction]
fn isas() -> Vec<String> {
    available_isas()
}
