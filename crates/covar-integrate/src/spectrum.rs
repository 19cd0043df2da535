//! The exact well-posedness check at scale: the smallest eigenvalue of the
//! kinetic form `diag(m) - mu K_off` or of the covariance `K`, by Lanczos
//! iterations on matrix-free `K x` products through the system's backend.
//!
//! Both forms are `A = M + c K_off` (`M = diag(m)`, `c = -mu` for the
//! kinetic form, `c = 1` for `K`). Lanczos runs on the scaled form
//! `B = M^(-1/2) A M^(-1/2) = I + c M^(-1/2) K_off M^(-1/2)`, which is
//! positive definite exactly when `A` is, has a spectrum near 1 for weak
//! coupling whatever the masses (so the iterations converge in a few
//! dozen products), and bounds `A` by `A >= lambda_min(B) M`: a positive
//! `lambda_min(B)` is the smallest eigenvalue of `A` relative to the
//! masses (`lambda_min(A) >= lambda_min(B) min m`).
//!
//! # Accuracy
//!
//! After `k` products with full reorthogonalization, the smallest Ritz
//! value `theta` is a Rayleigh quotient of `B`, so `lambda_min(B) <= theta`
//! (up to the products' own accuracy: f64 round-off with the direct
//! backend, the tolerance with the fast one); and some eigenvalue of `B`
//! lies within the residual `|B y - theta y|` of `theta`. So `theta <= 0`
//! proves the form indefinite; `theta > 0` with a small residual says the
//! smallest eigenvalue found is positive, but an eigenvalue the iterations
//! have not resolved can still lie below (the tests compare with dense
//! eigenvalues at `N <= 2000`). The iterations stop when the residual is
//! at most `tol` or after `max_iter` products.

use covar_kernel::{LaplaceSum, Outputs, Points, Problem};
use covar_store::SeededRng;
use nalgebra::{DMatrix, SymmetricEigen};

use crate::error::IntegrateError;
use crate::system::System;

/// Which quadratic form of the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `diag(m) - mu K_off`: the first-order kinetic form (DESIGN.md 2.3).
    Kinetic,
    /// `K = diag(m) + K_off`: the model's covariance.
    Covariance,
}

/// What [`smallest_eigenvalue`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Smallest {
    /// The smallest Ritz value `theta` of the scaled form (an upper bound
    /// on its smallest eigenvalue).
    pub theta: f64,
    /// The residual `|B y - theta y|` of its Ritz vector.
    pub residual: f64,
    /// Products (Laplace sums of one channel) taken.
    pub sums: usize,
}

impl Smallest {
    /// Whether the form is proven indefinite (`theta <= 0`).
    pub fn indefinite(&self) -> bool {
        self.theta <= 0.0
    }
}

/// The smallest eigenvalue of `form`'s scaled matrix `M^(-1/2) A M^(-1/2)`
/// by at most `max_iter` Lanczos products (stopping once the residual is
/// at most `tol`), from a seeded start vector: the same result for the
/// same system and backend.
///
/// # Errors
///
/// Any error of the backend; [`IntegrateError::InvalidCoupling`] for
/// `max_iter == 0` or a `tol` that is not finite and `> 0`.
pub fn smallest_eigenvalue(
    system: &System,
    form: Form,
    max_iter: usize,
    tol: f64,
) -> Result<Smallest, IntegrateError> {
    if max_iter == 0 || !(tol.is_finite() && tol > 0.0) {
        return Err(IntegrateError::InvalidCoupling {
            name: "lanczos",
            value: tol,
            expected: "needs at least one iteration and a tolerance > 0",
        });
    }
    let p = &system.particles;
    let n = p.len();
    if n == 0 {
        return Ok(Smallest {
            theta: f64::INFINITY,
            residual: 0.0,
            sums: 0,
        });
    }
    let c = match form {
        Form::Kinetic => -system.couplings.mu,
        Form::Covariance => 1.0,
    };
    let (m, q) = (p.masses(), p.charges());
    // w_i = q_i / sqrt(m_i): B v = v + c w .* (G_off (w .* v)).
    let w: Vec<f64> = q.iter().zip(m).map(|(q, m)| q / m.sqrt()).collect();
    let mut channel = vec![0.0; n];
    let mut field = vec![0.0; n];
    let mut apply = |v: &[f64], out: &mut [f64]| -> Result<(), IntegrateError> {
        for ((ch, &wi), &vi) in channel.iter_mut().zip(&w).zip(v) {
            *ch = wi * vi;
        }
        system.backend.evaluate(
            &Problem::at_sources(
                Points::new(p.x(), p.y(), p.z()),
                &channel,
                1,
                system.couplings.softening,
            ),
            Outputs::potential(&mut field),
        )?;
        for i in 0..n {
            out[i] = v[i] + c * w[i] * field[i];
        }
        Ok(())
    };
    let k_max = max_iter.min(n);
    let mut rng = SeededRng::new(0x6c61_6e63_7a6f_7321); // "lanczos!"
    let mut v: Vec<f64> = (0..n).map(|_| rng.uniform(-1.0, 1.0)).collect();
    normalize(&mut v);
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(k_max);
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    let mut u = vec![0.0; n];
    let mut best = Smallest {
        theta: f64::INFINITY,
        residual: f64::INFINITY,
        sums: 0,
    };
    for k in 0..k_max {
        apply(&v, &mut u)?;
        let a = dot(&u, &v);
        basis.push(std::mem::take(&mut v));
        // Full reorthogonalization, twice (classical Gram-Schmidt).
        for _ in 0..2 {
            for b in &basis {
                let h = dot(&u, b);
                u.iter_mut().zip(b).for_each(|(ui, bi)| *ui -= h * bi);
            }
        }
        alpha.push(a);
        let b_next = dot(&u, &u).sqrt();
        // The Ritz pair of the k + 1 steps so far.
        let t = DMatrix::from_fn(k + 1, k + 1, |i, j| match i.abs_diff(j) {
            0 => alpha[i],
            1 => beta[i.min(j)],
            _ => 0.0,
        });
        let eig = SymmetricEigen::new(t);
        let (idx, theta) = eig
            .eigenvalues
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("at least one eigenvalue");
        let residual = b_next * eig.eigenvectors[(k, idx)].abs();
        best = Smallest {
            theta,
            residual,
            sums: k + 1,
        };
        if residual <= tol || b_next <= f64::EPSILON * a.abs().max(1.0) {
            break;
        }
        beta.push(b_next);
        v = u.iter().map(|x| x / b_next).collect();
    }
    Ok(best)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalize(v: &mut [f64]) {
    let norm = dot(v, v).sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
}
