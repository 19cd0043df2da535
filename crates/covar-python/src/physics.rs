//! The covar model's quantities: `K X` and the vector potential.

use bumpalo::Bump;
use covar_kernel::Points;
use covar_kernel::physics::{self, Particles};
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyReadwriteArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::{Method, columns, expect_shape, kernel_error, slice, value_error};

/// A 1-D float64 array as a slice; `what` names it.
fn column<'a>(what: &str, a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
    a.as_slice()
        .map_err(|_| value_error(format!("{what} must be C-contiguous")))
}

/// The particles of `positions` (its three columns, `points`), `masses` and
/// `charges`.
fn particles<'a>(
    points: &'a [Vec<f64>; 3],
    masses: &'a PyReadonlyArray1<'_, f64>,
    charges: &'a PyReadonlyArray1<'_, f64>,
) -> PyResult<Particles<'a>> {
    Ok(Particles {
        points: Points::new(&points[0], &points[1], &points[2]),
        mass: column("masses", masses)?,
        charge: column("charges", charges)?,
    })
}

/// A writeable 2-D float64 output of `shape` as a slice.
fn output<'a>(
    what: &str,
    a: &'a mut PyReadwriteArray2<'_, f64>,
    shape: [usize; 2],
) -> PyResult<&'a mut [f64]> {
    expect_shape(what, a.shape(), &shape)?;
    a.as_slice_mut()
        .map_err(|_| value_error(format!("{what} must be C-contiguous")))
}

/// `y = K x` for `b` columns, `x` and `y` as `(b, n)` (column `c` of the
/// block is row `c`), with `K_ii = m_i` and `K_ij = q_i q_j G_ij`.
#[pyfunction]
#[pyo3(signature = (positions, masses, charges, x, y, *, softening, backend, tol, isa, threads))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn covariance_product_into(
    py: Python<'_>,
    positions: PyReadonlyArray2<'_, f64>,
    masses: PyReadonlyArray1<'_, f64>,
    charges: PyReadonlyArray1<'_, f64>,
    x: PyReadonlyArray2<'_, f64>,
    mut y: PyReadwriteArray2<'_, f64>,
    softening: f64,
    backend: &str,
    tol: f64,
    isa: Option<&str>,
    threads: Option<usize>,
) -> PyResult<()> {
    let method = Method::new(backend, tol, isa, softening, "plummer", threads)?;
    let points = columns("positions", &positions)?;
    let n = points[0].len();
    let b = x.shape()[0];
    expect_shape("x", x.shape(), &[b, n])?;
    let particles = particles(&points, &masses, &charges)?;
    let xs = slice("x", &x)?;
    let ys = output("y", &mut y, [b, n])?;
    py.detach(|| {
        method.install(|| {
            physics::covariance_product(
                &method.backend,
                &particles,
                softening,
                xs,
                b,
                ys,
                &Bump::new(),
            )
        })
    })?
    .map_err(kernel_error)
}

/// The vector potential `A` as `(3, n)` (`a[c][i]`) and, if given, its
/// Jacobian as `(9, n)` (`grad_a[3 c + d][i] = dA_i^c / dr_i^d`), from the
/// momenta `(n, 3)`.
#[pyfunction]
#[pyo3(signature = (positions, masses, charges, momenta, a, grad_a, *, softening, backend, tol, isa, threads))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn vector_potential_into(
    py: Python<'_>,
    positions: PyReadonlyArray2<'_, f64>,
    masses: PyReadonlyArray1<'_, f64>,
    charges: PyReadonlyArray1<'_, f64>,
    momenta: PyReadonlyArray2<'_, f64>,
    mut a: PyReadwriteArray2<'_, f64>,
    grad_a: Option<PyReadwriteArray2<'_, f64>>,
    softening: f64,
    backend: &str,
    tol: f64,
    isa: Option<&str>,
    threads: Option<usize>,
) -> PyResult<()> {
    let method = Method::new(backend, tol, isa, softening, "plummer", threads)?;
    let points = columns("positions", &positions)?;
    let n = points[0].len();
    let [mx, my, mz] = columns("momenta", &momenta)?;
    expect_shape("momenta", momenta.shape(), &[n, 3])?;
    let particles = particles(&points, &masses, &charges)?;
    let a_out = output("a", &mut a, [3, n])?;
    let mut grad_a = grad_a;
    let grad_out = match grad_a.as_mut() {
        Some(g) => Some(output("grad_a", g, [9, n])?),
        None => None,
    };
    py.detach(|| {
        method.install(|| {
            physics::vector_potential(
                &method.backend,
                &particles,
                [&mx, &my, &mz],
                softening,
                a_out,
                grad_out,
                &Bump::new(),
            )
        })
    })?
    .map_err(kernel_error)
}
