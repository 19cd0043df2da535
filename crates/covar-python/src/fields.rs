//! `covar.laplace`: potentials and gradients of `nd` channels of charges.

use covar_kernel::{LaplaceSum, Outputs, Points, Problem};
use numpy::{PyReadonlyArray2, PyReadwriteArray2, PyReadwriteArray3, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::{Method, columns, expect_shape, kernel_error, slice, slice_mut, value_error};

/// Sums into `potential` (`(nd, nt)`) and, if given, `gradient`:
/// `(nd, nt, 3)` when `components_last`, else the kernel's own
/// `(nd, 3, nt)`. `sources` is `(n, 3)`, `charges` `(nd, n)`, `targets`
/// `(nt, 3)` or `None` for the sources themselves (self terms left out).
/// Every array is float64 and C-contiguous (the Python layer sees to it).
#[pyfunction]
#[pyo3(signature = (
    sources, charges, targets, potential, gradient, *,
    softening, kernel, backend, tol, isa, threads, components_last
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn laplace_into(
    py: Python<'_>,
    sources: PyReadonlyArray2<'_, f64>,
    charges: PyReadonlyArray2<'_, f64>,
    targets: Option<PyReadonlyArray2<'_, f64>>,
    mut potential: PyReadwriteArray2<'_, f64>,
    gradient: Option<PyReadwriteArray3<'_, f64>>,
    softening: f64,
    kernel: &str,
    backend: &str,
    tol: f64,
    isa: Option<&str>,
    threads: Option<usize>,
    components_last: bool,
) -> PyResult<()> {
    let method = Method::new(backend, tol, isa, softening, kernel, threads)?;
    let [sx, sy, sz] = columns("sources", &sources)?;
    let n = sx.len();
    let nd = charges.shape()[0];
    expect_shape("charges", charges.shape(), &[nd, n])?;
    let channels = slice("charges", &charges)?;
    let target_columns = match &targets {
        Some(t) => Some(columns("targets", t)?),
        None => None,
    };
    let nt = target_columns.as_ref().map_or(n, |t| t[0].len());
    expect_shape("potential", potential.shape(), &[nd, nt])?;
    let phi = potential
        .as_slice_mut()
        .map_err(|_| value_error("potential must be C-contiguous"))?;
    let mut gradient = gradient;
    let grad = match gradient.as_mut() {
        Some(g) => {
            let shape = if components_last {
                [nd, nt, 3]
            } else {
                [nd, 3, nt]
            };
            expect_shape("gradient", g.shape(), &shape)?;
            Some(slice_mut("gradient", g)?)
        }
        None => None,
    };
    let source_points = Points::new(&sx, &sy, &sz);
    let problem = match &target_columns {
        Some([tx, ty, tz]) => Problem::at_points(
            source_points,
            channels,
            nd,
            Points::new(tx, ty, tz),
            method.softening,
        ),
        None => Problem::at_sources(source_points, channels, nd, method.softening),
    };
    py.detach(|| {
        method.install(|| match grad {
            None => method.backend.evaluate(&problem, Outputs::potential(phi)),
            Some(g) if !components_last => method
                .backend
                .evaluate(&problem, Outputs::with_gradient(phi, g)),
            Some(g) => {
                // The kernel writes component-major, `[(3 c + d) nt + i]`;
                // numpy users expect `[c][i][d]`.
                let mut native = vec![0.0; 3 * nd * nt];
                method
                    .backend
                    .evaluate(&problem, Outputs::with_gradient(phi, &mut native))?;
                for c in 0..nd {
                    let block = &native[3 * c * nt..3 * (c + 1) * nt];
                    let out = &mut g[3 * c * nt..3 * (c + 1) * nt];
                    for (i, v) in out.chunks_exact_mut(3).enumerate() {
                        for (d, x) in v.iter_mut().enumerate() {
                            *x = block[d * nt + i];
                        }
                    }
                }
                Ok(())
            }
        })
    })?
    .map_err(kernel_error)
}
