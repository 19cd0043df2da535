//! Points in 3 dimensions whose distances match targets: weighted stress
//! majorization (SMACOF; de Leeuw 1977, Borg and Groenen, *Modern
//! Multidimensional Scaling*, ch. 8).
//!
//! It minimizes the weighted raw stress
//!
//! ```text
//! sigma(X) = sum_(i<j) w_ij (d_ij(X) - delta_ij)^2
//! ```
//!
//! by the Guttman transform `X <- V^+ B(X) X`, where
//! `V = sum_(i<j) w_ij (e_i - e_j)(e_i - e_j)^T` and
//! `B(X)_ij = -w_ij delta_ij / d_ij(X)` off the diagonal (rows summing to
//! zero). Each step never increases the stress. `V^+` is applied through
//! one Cholesky factorization of `V + 1 1^T / n` (the iterates stay
//! centred, where that matrix and `V` agree).
//!
//! Starts: classical scaling (Torgerson: the three eigenvectors of the
//! double-centred `-delta^2 / 2` with the largest eigenvalues, by orthogonal
//! iteration) and
//! [`SmacofParams::restarts`] seeded random configurations; the lowest
//! final stress wins.

use covar_store::SeededRng;
use nalgebra::{DMatrix, DVector};

use crate::error::InferError;

/// Settings of [`smacof`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmacofParams {
    /// Iteration cap per start (default 1000).
    pub max_iterations: usize,
    /// Stop when the stress falls by less than this fraction in one
    /// iteration (default `1e-10`).
    pub tolerance: f64,
    /// Random starts besides classical scaling (default 2).
    pub restarts: usize,
    /// Seed of the random starts (default 1).
    pub seed: u64,
}

impl Default for SmacofParams {
    fn default() -> Self {
        Self {
            max_iterations: 1000,
            tolerance: 1e-10,
            restarts: 2,
            seed: 1,
        }
    }
}

/// A configuration and how well it fits.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding {
    /// Coordinates, `[x, y, z]` columns of `n` values.
    pub positions: [Vec<f64>; 3],
    /// Normalized stress `sigma / sum_(i<j) w_ij delta_ij^2` (0: exact).
    pub stress: f64,
    /// Iterations of the winning start.
    pub iterations: usize,
    /// Whether the winning start met the tolerance before the cap.
    pub converged: bool,
}

/// Embeds `n` points in 3 dimensions so that their distances match `delta`
/// (`n x n` row-major, symmetric, finite and `> 0` off the diagonal) with
/// weights `w` (same layout, `> 0` off the diagonal).
///
/// # Errors
///
/// [`InferError::InvalidParameter`] for bad lengths or values.
///
/// # Examples
///
/// ```
/// use covar_infer::embed::{SmacofParams, smacof};
/// // A regular tetrahedron of side 2 fits exactly.
/// let n = 4;
/// let delta: Vec<f64> = (0..16).map(|k| if k / 4 == k % 4 { 0.0 } else { 2.0 }).collect();
/// let e = smacof(&delta, &vec![1.0; 16], n, &SmacofParams::default())?;
/// assert!(e.stress < 1e-12, "stress {}", e.stress);
/// # Ok::<(), covar_infer::InferError>(())
/// ```
pub fn smacof(
    delta: &[f64],
    w: &[f64],
    n: usize,
    params: &SmacofParams,
) -> Result<Embedding, InferError> {
    validate(delta, w, n)?;
    if n <= 1 {
        return Ok(Embedding {
            positions: [vec![0.0; n], vec![0.0; n], vec![0.0; n]],
            stress: 0.0,
            iterations: 0,
            converged: true,
        });
    }
    // V + 1 1^T / n, factored once.
    let mut v = DMatrix::<f64>::from_element(n, n, 1.0 / n as f64);
    for i in 0..n {
        for j in 0..n {
            if i != j {
                v[(i, j)] -= w[i * n + j];
                v[(i, i)] += w[i * n + j];
            }
        }
    }
    let chol = v.cholesky().ok_or_else(|| InferError::InvalidParameter {
        name: "weights",
        reason: "the weighted Laplacian is singular (weights of a disconnected graph)".into(),
    })?;
    let norm: f64 = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .map(|(i, j)| w[i * n + j] * delta[i * n + j] * delta[i * n + j])
        .sum();
    // Classical scaling needs more points than dimensions.
    let mut starts = if n > 3 {
        vec![torgerson(delta, n)]
    } else {
        vec![]
    };
    let mut rng = SeededRng::new(params.seed);
    let scale = delta.iter().sum::<f64>() / (n * (n - 1)) as f64;
    for _ in 0..params.restarts.max(1 - starts.len()) {
        starts.push(DMatrix::from_fn(n, 3, |_, _| rng.uniform(-scale, scale)));
    }
    let mut best: Option<Embedding> = None;
    for start in starts {
        let e = descend(start, delta, w, n, &chol, norm, params);
        if best.as_ref().is_none_or(|b| e.stress < b.stress) {
            best = Some(e);
        }
    }
    Ok(best.expect("at least one start"))
}

/// Runs Guttman transforms from `x` until the stress settles.
fn descend(
    mut x: DMatrix<f64>,
    delta: &[f64],
    w: &[f64],
    n: usize,
    chol: &nalgebra::Cholesky<f64, nalgebra::Dyn>,
    norm: f64,
    params: &SmacofParams,
) -> Embedding {
    center(&mut x);
    let mut stress = raw_stress(&x, delta, w, n);
    let (mut iterations, mut converged) = (0, false);
    let mut bx = DMatrix::<f64>::zeros(n, 3);
    while iterations < params.max_iterations {
        iterations += 1;
        bx.fill(0.0);
        for i in 0..n {
            let mut diag = 0.0;
            for j in 0..n {
                if i == j {
                    continue;
                }
                let d = dist(&x, i, j);
                if d > 0.0 {
                    let b = w[i * n + j] * delta[i * n + j] / d;
                    diag += b;
                    for c in 0..3 {
                        bx[(i, c)] -= b * x[(j, c)];
                    }
                }
            }
            for c in 0..3 {
                bx[(i, c)] += diag * x[(i, c)];
            }
        }
        let mut next = chol.solve(&bx);
        center(&mut next);
        let s = raw_stress(&next, delta, w, n);
        x = next;
        let drop = stress - s;
        stress = s;
        if s <= 1e-28 * norm || drop <= params.tolerance * s.max(f64::MIN_POSITIVE) {
            converged = true;
            break;
        }
    }
    Embedding {
        positions: [0, 1, 2].map(|c| x.column(c).iter().copied().collect()),
        stress: if norm > 0.0 { stress / norm } else { 0.0 },
        iterations,
        converged,
    }
}

/// Euclidean distance of rows `i` and `j`.
fn dist(x: &DMatrix<f64>, i: usize, j: usize) -> f64 {
    (0..3)
        .map(|c| (x[(i, c)] - x[(j, c)]).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// `sum_(i<j) w_ij (d_ij - delta_ij)^2`.
fn raw_stress(x: &DMatrix<f64>, delta: &[f64], w: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            s += w[i * n + j] * (dist(x, i, j) - delta[i * n + j]).powi(2);
        }
    }
    s
}

/// Moves the centroid to the origin.
fn center(x: &mut DMatrix<f64>) {
    let n = x.nrows() as f64;
    for c in 0..3 {
        let mean = x.column(c).sum() / n;
        x.column_mut(c).add_scalar_mut(-mean);
    }
}

/// Classical scaling: the top three eigenpairs of `-J delta^2 J / 2`
/// (orthogonal iteration), coordinates `v_k sqrt(lambda_k)`.
fn torgerson(delta: &[f64], n: usize) -> DMatrix<f64> {
    let mut b = DMatrix::from_fn(n, n, |i, j| -0.5 * delta[i * n + j].powi(2));
    let row_means: Vec<f64> = (0..n).map(|i| b.row(i).sum() / n as f64).collect();
    let all = row_means.iter().sum::<f64>() / n as f64;
    for i in 0..n {
        for j in 0..n {
            b[(i, j)] += all - row_means[i] - row_means[j];
        }
    }
    // Orthogonal iteration finds the eigenvalues largest in magnitude; a
    // negative one (non-Euclidean targets) contributes no coordinate below.
    // A start needs no precision, so the iteration count is fixed.
    let mut q = DMatrix::from_fn(n, 3, |i, c| ((i * 7 + c * 13 + 1) % 17) as f64 - 8.0);
    for _ in 0..100 {
        q = (&b * &q).qr().q();
    }
    let mut x = DMatrix::zeros(n, 3);
    for c in 0..3 {
        let v: DVector<f64> = q.column(c).into();
        let lambda = v.dot(&(&b * &v)).max(0.0);
        x.set_column(c, &(v * lambda.sqrt()));
    }
    x
}

/// Checks lengths, symmetry and values of the targets and weights.
fn validate(delta: &[f64], w: &[f64], n: usize) -> Result<(), InferError> {
    let bad = |name, reason: String| Err(InferError::InvalidParameter { name, reason });
    for (name, a) in [("distances", delta), ("weights", w)] {
        if a.len() != n * n {
            return bad(name, format!("has {} values, expected {n} x {n}", a.len()));
        }
        for i in 0..n {
            for j in 0..n {
                let v = a[i * n + j];
                if i != j && !(v.is_finite() && v > 0.0) {
                    return bad(
                        name,
                        format!("entry ({i}, {j}) is {v}, must be finite and > 0"),
                    );
                }
                if v != a[j * n + i] {
                    return bad(name, format!("entries ({i}, {j}) and ({j}, {i}) differ"));
                }
            }
        }
    }
    Ok(())
}
