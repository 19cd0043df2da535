//! Precomputed constants: the recurrence coefficients of the solid
//! harmonics and square roots of binomial coefficients, built once.

use std::sync::OnceLock;

use super::{MAX_ORDER, n_coefficients};

/// Highest degree of a harmonic the tables serve: M2P's gradient needs
/// `p + 1`, the `O(p^4)` reference M2L needs `2p`.
pub(crate) const MAX_DEGREE: usize = 2 * MAX_ORDER + 2;

/// Constants indexed like coefficients, at `n^2 + n + m` for `|m| <= n <= MAX_DEGREE`.
pub(crate) struct Tables {
    /// `a(n, m) = sqrt((n + m)(n - m))`.
    pub a: Vec<f64>,
    /// `b(n, m) = sqrt((n + m)(n + m - 1))` (0 where a factor is 0).
    pub b: Vec<f64>,
    /// `1 / b(n, m)` where `b(n, m) > 0`, else 0.
    pub inv_b: Vec<f64>,
    /// `(2n - 1) / a(n, m)` for `n > m >= 0` (regular recurrence, first term).
    pub rec1: Vec<f64>,
    /// `a(n - 1, m) / a(n, m)` for `n > m >= 0` (regular recurrence, second term).
    pub rec2: Vec<f64>,
    /// `sqrt((2m - 1) / (2m))` at `m >= 1` (diagonal step), 1 at 0.
    pub diag: Vec<f64>,
    /// `sqrt(binomial(N, j))` at `N (N + 1) / 2 + j`, `N <= 2 MAX_ORDER`.
    pub sqrt_binomial: Vec<f64>,
}

impl Tables {
    /// `sqrt(binomial(n, j))`, `j <= n <= 2 MAX_ORDER`.
    #[inline(always)]
    pub fn sb(&self, n: usize, j: usize) -> f64 {
        self.sqrt_binomial[n * (n + 1) / 2 + j]
    }
}

/// The tables, built on first use.
pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}

fn build() -> Tables {
    let len = n_coefficients(MAX_DEGREE);
    let mut a = vec![0.0; len];
    let mut b = vec![0.0; len];
    let mut rec1 = vec![0.0; len];
    let mut rec2 = vec![0.0; len];
    for n in 0..=MAX_DEGREE as i64 {
        for m in -n..=n {
            let i = (n * n + n + m) as usize;
            a[i] = (((n + m) * (n - m)) as f64).sqrt();
            b[i] = (((n + m) * (n + m - 1)).max(0) as f64).sqrt();
        }
    }
    for n in 1..=MAX_DEGREE {
        for m in 0..n {
            let i = n * n + n + m;
            rec1[i] = (2 * n - 1) as f64 / a[i];
            rec2[i] = if n >= 2 {
                a[(n - 1) * (n - 1) + (n - 1) + m] / a[i]
            } else {
                0.0
            };
        }
    }
    let inv_b = b
        .iter()
        .map(|&v| if v > 0.0 { 1.0 / v } else { 0.0 })
        .collect();
    let diag = (0..=MAX_DEGREE)
        .map(|m| {
            if m == 0 {
                1.0
            } else {
                ((2 * m - 1) as f64 / (2 * m) as f64).sqrt()
            }
        })
        .collect();
    // Pascal's triangle in f64: exact to 2^53, then correctly rounded sums.
    let rows = 2 * MAX_ORDER;
    let mut binomial = Vec::with_capacity((rows + 1) * (rows + 2) / 2);
    let mut row = vec![1.0f64];
    for n in 0..=rows {
        if n > 0 {
            let mut next = vec![1.0; n + 1];
            for j in 1..n {
                next[j] = row[j - 1] + row[j];
            }
            row = next;
        }
        binomial.extend(row.iter().map(|c| c.sqrt()));
    }
    Tables {
        a,
        b,
        inv_b,
        rec1,
        rec2,
        diag,
        sqrt_binomial: binomial,
    }
}
