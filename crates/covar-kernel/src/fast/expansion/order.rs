//! The expansion order from a tolerance and an opening parameter, and the
//! converse error bound.
//!
//! For a pair of cells with radii `r_A`, `r_B` (balls about their expansion
//! centers holding their points) at center distance `R`, the opening
//! parameter is `theta = (r_A + r_B) / R`. Expanding `1/|d + u|`
//! (`d = z_B - z_A`, `u` = target offset minus source offset, `|u| <= r_A + r_B`)
//! in both offsets, the terms of total degree `N` are bounded by
//! `|u|^N / R^(N+1)` (`|P_N| <= 1`, and by Banach's theorem the polarized
//! form of a homogeneous polynomial has the same bound), and their gradient
//! with respect to the target by `N (r_A + r_B)^(N-1) / R^(N+1)`. An order-`p`
//! FMM drops exactly the total degrees `N > p` (the M2L triangle), so with
//! `A = sum_j |s_j|` of the source cell
//!
//! ```text
//! |Phi - Phi_p|            <= (A / R)   sum_{N>p} theta^N       = (A / R)   theta^(p+1) / (1 - theta)
//! |grad Phi - grad Phi_p|  <= (A / R^2) sum_{N>p} N theta^(N-1) = (A / R^2) theta^p ((p+1) - p theta) / (1 - theta)^2
//! ```
//!
//! [`truncation_error`] is the factor after `A / R` (or `A / R^2`), i.e. the
//! error relative to the size of the pair's monopole term;
//! [`order_for_tolerance`] the smallest order that brings it below a
//! tolerance. The same bounds hold for M2P (`r_B = 0`) and P2L (`r_A = 0`).

use super::MAX_ORDER;

/// Which output a bound is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// The potential: error relative to `A / R`.
    Potential,
    /// Its gradient: error relative to `A / R^2`.
    Gradient,
}

/// The truncation bound of an order-`p` expansion at opening parameter
/// `theta`, relative to `A / R` (potential) or `A / R^2` (gradient); see the
/// [module documentation](self). Infinite for `theta >= 1` (no convergence).
///
/// # Examples
///
/// ```
/// use covar_kernel::fast::expansion::{Quantity, truncation_error};
/// let e = truncation_error(9, 0.5, Quantity::Potential);
/// assert!((e - 0.5f64.powi(10) / 0.5).abs() < 1e-18);
/// ```
pub fn truncation_error(p: usize, theta: f64, quantity: Quantity) -> f64 {
    assert!(theta >= 0.0, "opening parameter {theta} is negative");
    if theta >= 1.0 {
        return f64::INFINITY;
    }
    let pf = p as f64;
    let one = 1.0 - theta;
    match quantity {
        Quantity::Potential => theta.powi(p as i32 + 1) / one,
        Quantity::Gradient => theta.powi(p as i32) * ((pf + 1.0) - pf * theta) / (one * one),
    }
}

/// The smallest order `p <= MAX_ORDER` whose [`truncation_error`] at
/// `theta` is at most `tolerance`; `None` if even `MAX_ORDER` is not enough
/// (or `theta >= 1`).
///
/// # Examples
///
/// ```
/// use covar_kernel::fast::expansion::{Quantity, order_for_tolerance};
/// assert_eq!(order_for_tolerance(1e-6, 0.5, Quantity::Potential), Some(20));
/// assert_eq!(order_for_tolerance(1e-6, 0.5, Quantity::Gradient), Some(26));
/// assert_eq!(order_for_tolerance(1e-6, 1.0, Quantity::Potential), None);
/// ```
pub fn order_for_tolerance(tolerance: f64, theta: f64, quantity: Quantity) -> Option<usize> {
    (0..=MAX_ORDER).find(|&p| truncation_error(p, theta, quantity) <= tolerance)
}
