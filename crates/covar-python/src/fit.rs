//! `covar.fit`: binary measurements in, clusters, particles and the
//! seed's loss out, by `covar fit`'s own code on an array instead of a file.

use covar::cli::fit::{FitArgs, fit_data};
use covar::infer::data::from_values;
use numpy::{PyArray1, PyArray2, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::run::run_error;
use crate::{Method, value_error};

/// The report as JSON, then positions `(n, 3)`, masses and charges `(n,)`.
type Fitted<'py> = (
    String,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// Fits `data` (`(T, M)` float64, values -1/+1 or 0/1) with `covar fit`'s
/// settings.
#[pyfunction]
#[pyo3(signature = (
    data, *, threshold, min_correlation, eps, softening, dense_limit, stochastic,
    probes, lanczos_steps, seed, backend, tol, threads
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_array<'py>(
    py: Python<'py>,
    data: PyReadonlyArray2<'_, f64>,
    threshold: f64,
    min_correlation: f64,
    eps: Option<f64>,
    softening: f64,
    dense_limit: usize,
    stochastic: bool,
    probes: usize,
    lanczos_steps: usize,
    seed: u64,
    backend: &str,
    tol: f64,
    threads: Option<usize>,
) -> PyResult<Fitted<'py>> {
    let [t, m] = [data.shape()[0], data.shape()[1]];
    let values = data
        .as_slice()
        .map_err(|_| value_error("data must be C-contiguous"))?;
    let method = Method::new(backend, tol, None, softening, "plummer", threads)?;
    let mut args = FitArgs::new("data".into(), "".into());
    args.threshold = threshold;
    args.min_correlation = min_correlation;
    args.eps = eps;
    args.softening = softening;
    args.dense_limit = dense_limit;
    args.stochastic = stochastic;
    args.probes = probes;
    args.lanczos_steps = lanczos_steps;
    args.seed = seed;
    args.backend = method.backend.clone();
    args.threads = threads;
    let (fitted, report) = py
        .detach(|| {
            method.install(|| {
                let data = from_values(values, t, m, "data")?;
                fit_data(&args, &data, 0.0, rayon::current_num_threads())
            })
        })?
        .map_err(run_error)?;
    let store = fitted.particles.store();
    let n = store.len();
    let positions: Vec<Vec<f64>> = (0..n)
        .map(|i| store.position(i).to_array().to_vec())
        .collect();
    let masses: Vec<f64> = (0..n).map(|i| store.mass(i)).collect();
    let charges: Vec<f64> = (0..n).map(|i| store.charge(i)).collect();
    let json = serde_json::to_string(&report).map_err(|e| value_error(e.to_string()))?;
    Ok((
        json,
        PyArray2::from_vec2(py, &positions).map_err(|e| value_error(e.to_string()))?,
        PyArray1::from_vec(py, masses),
        PyArray1::from_vec(py, charges),
    ))
}
