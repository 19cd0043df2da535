//! The gradient of an expansion as three expansions of the neighboring
//! degree.
//!
//! In the complex Schmidt form, with `d_± = d_x ± i d_y`,
//!
//! ```text
//! d_z R_n^m = a(n,m) R_{n-1}^m,   d_- R_n^m = b(n,m) R_{n-1}^{m-1},   d_+ R_n^m = -b(n,-m) R_{n-1}^{m+1},
//! d_z I_n^m = -a(n+1,m) I_{n+1}^m, d_- I_n^m = b(n+2,-m) I_{n+1}^{m-1}, d_+ I_n^m = -b(n+2,m) I_{n+1}^{m+1},
//! ```
//!
//! (`a(n,m) = sqrt((n+m)(n-m))`, `b(n,m) = sqrt((n+m)(n+m-1))`). With
//! `alpha`, `beta` the coefficients of the `m - 1` and `m + 1` terms, the
//! real harmonics `F = C, S` of degree `n` differentiate into degree `t`
//! (`n - 1` regular, `n + 1` irregular) as
//!
//! ```text
//! m >= 2:  d_x C^m = (alpha C^{m-1} - beta C^{m+1}) / 2     d_y C^m = -(alpha S^{m-1} + beta S^{m+1}) / 2
//!          d_x S^m = (alpha S^{m-1} - beta S^{m+1}) / 2     d_y S^m =  (alpha C^{m-1} + beta C^{m+1}) / 2
//! m = 1:   d_x C^1 = (sqrt2 alpha C^0 - beta C^2) / 2       d_y C^1 = -beta S^2 / 2
//!          d_x S^1 = -beta S^2 / 2                          d_y S^1 = (sqrt2 alpha C^0 + beta C^2) / 2
//! m = 0:   d_x C^0 = -alpha C^1 / sqrt2                     d_y C^0 = -alpha S^1 / sqrt2      (alpha = beta)
//! ```
//!
//! and `d_z F^m = gamma F^m` with `gamma` the `d_z` coefficient. The
//! functions here apply the transpose: they turn the coefficients of an
//! expansion into those of its three derivatives.

use std::f64::consts::{FRAC_1_SQRT_2, SQRT_2};

use super::n_coefficients;
use super::tables::tables;

/// Coefficients of the three derivatives of one term.
#[derive(Clone, Copy)]
struct Step {
    alpha: f64,
    beta: f64,
    gamma: f64,
}

/// Adds the derivatives of `v C_n^m + w S_n^m` (expressed in degree `t`)
/// into `g = [gx, gy, gz]`.
#[inline(always)]
fn distribute(t: usize, m: usize, v: f64, w: f64, s: Step, g: &mut [&mut [f64]; 3]) {
    let tt = t * t + t;
    let (ha, hb) = (0.5 * s.alpha, 0.5 * s.beta);
    match m {
        0 => {
            if t >= 1 {
                g[0][tt + 1] -= s.alpha * FRAC_1_SQRT_2 * v;
                g[1][tt - 1] -= s.alpha * FRAC_1_SQRT_2 * v;
            }
            g[2][tt] += s.gamma * v;
        }
        1 => {
            g[0][tt] += SQRT_2 * ha * v;
            g[1][tt] += SQRT_2 * ha * w;
            if t >= 2 {
                g[0][tt + 2] -= hb * v;
                g[0][tt - 2] -= hb * w;
                g[1][tt - 2] -= hb * v;
                g[1][tt + 2] += hb * w;
            }
            if t >= 1 {
                g[2][tt + 1] += s.gamma * v;
                g[2][tt - 1] += s.gamma * w;
            }
        }
        _ => {
            g[0][tt + m - 1] += ha * v;
            g[0][tt - m + 1] += ha * w;
            g[1][tt - m + 1] -= ha * v;
            g[1][tt + m - 1] += ha * w;
            if m < t {
                g[0][tt + m + 1] -= hb * v;
                g[0][tt - m - 1] -= hb * w;
                g[1][tt - m - 1] -= hb * v;
                g[1][tt + m + 1] += hb * w;
            }
            if m <= t {
                g[2][tt + m] += s.gamma * v;
                g[2][tt - m] += s.gamma * w;
            }
        }
    }
}

/// The gradient of `sum_{n<=p} L_{n,k} R_{n,k}(u)` as three expansions of
/// order `p - 1` in regular harmonics: overwrites `g[d][..p^2]` with the
/// coefficients of `d/du_d` (nothing for `p = 0`).
pub(crate) fn regular_gradient(p: usize, l: &[f64], mut g: [&mut [f64]; 3]) {
    let t = tables();
    for gd in g.iter_mut() {
        gd[..p * p].fill(0.0);
    }
    for n in 1..=p {
        let nn = n * n + n;
        for m in 0..=n {
            let step = Step {
                alpha: t.b[nn + m],
                beta: t.b[nn - m],
                gamma: t.a[nn + m],
            };
            let w = if m > 0 { l[nn - m] } else { 0.0 };
            distribute(n - 1, m, l[nn + m], w, step, &mut g);
        }
    }
}

/// The gradient of `sum_{n<=p} M_{n,k} I_{n,k}(u)` as three expansions of
/// order `p + 1` in irregular harmonics: overwrites `g[d][..(p+2)^2]`.
pub(crate) fn irregular_gradient(p: usize, mcoef: &[f64], mut g: [&mut [f64]; 3]) {
    let t = tables();
    for gd in g.iter_mut() {
        gd[..n_coefficients(p + 1)].fill(0.0);
    }
    for n in 0..=p {
        let nn = n * n + n;
        let (n1, n2) = ((n + 1) * (n + 1) + n + 1, (n + 2) * (n + 2) + n + 2);
        for m in 0..=n {
            let step = Step {
                alpha: t.b[n2 - m],
                beta: t.b[n2 + m],
                gamma: -t.a[n1 + m],
            };
            let w = if m > 0 { mcoef[nn - m] } else { 0.0 };
            distribute(n + 1, m, mcoef[nn + m], w, step, &mut g);
        }
    }
}
