//! The fast backend's parameters and per-stage statistics.

use std::time::Duration;

use crate::error::KernelError;
use crate::fast::expansion::MAX_ORDER;
use crate::simd::Isa;
use crate::softening::Softening;

/// The near field refines `1/r` less when the tolerance is at least this
/// many times the instruction set's relaxed bound (see
/// [`FastParams::relaxed_near_field`]).
const RELAXED_MARGIN: f64 = 100.0;
/// A relaxed bound this small is full accuracy (no cheaper path).
const FULL_RSQRT_ERROR: f64 = 4.0 * f64::EPSILON;

/// Parameters of the fast backend, with documented defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FastParams {
    /// Requested relative accuracy of potentials and gradients (default
    /// `1e-6`): the expansion order follows from it and `theta`.
    pub tolerance: f64,
    /// Opening parameter: two cells interact through expansions when
    /// `(r_A + r_B) < theta |z_A - z_B|` (default: [`theta_for`](Self::theta_for)
    /// the tolerance, 0.6 at `1e-6`).
    pub theta: f64,
    /// Largest number of points in a leaf (default: [`leaf_size_for`](Self::leaf_size_for)
    /// the tolerance, 512 below `3e-3`: the SIMD near-field
    /// sums are cheap next to translations at high order, and on a uniform
    /// distribution a cell splits into eighths, so leaves hold between about
    /// 64 and 512 points; with 256, cells of a uniform 10^6 points (244 on
    /// average) split where Poisson noise pushes them over, doubling the
    /// translations: 17.9 s against 15.9 s for nd = 4 at tol 1e-6).
    pub leaf_size: usize,
    /// Expansion order, overriding the one derived from `tolerance`.
    pub order: Option<usize>,
    /// M2L translations of order up to this are summed term by term, higher
    /// ones by rotation (default `None`: the built-in rule of
    /// [`term_by_term_up_to`](Self::term_by_term_up_to); the command-line
    /// program sets it from this machine's measured costs,
    /// [`MachineCosts::term_by_term_up_to`](crate::fast::MachineCosts::term_by_term_up_to)).
    /// Both ways agree to rounding; this chooses speed, not accuracy.
    pub m2l_term_order: Option<usize>,
}

impl Default for FastParams {
    /// [`with_tolerance`](FastParams::with_tolerance)`(1e-6)`.
    fn default() -> Self {
        Self::with_tolerance(1e-6)
    }
}

/// Measured relative L2 errors of potentials and gradients follow
/// `err(p) <= A theta^p` with `A ~ 2e-2` over the test distributions (uniform
/// cube, Plummer sphere, sphere surface, thin disk; positive, neutral and
/// four-channel sources; leaves of 32 points, where the most interactions go
/// through expansions; `tests/fast_accuracy.rs`). The worst-case truncation
/// bound of [`expansion::truncation_error`](crate::fast::expansion::truncation_error)
/// overestimates the needed order by about a third. The order is chosen
/// from the measured model with a safety factor of 2: `ERROR_SCALE = 4e-2`.
const ERROR_SCALE: f64 = 4e-2;
const ERROR_RATE: f64 = 1.0;

impl FastParams {
    /// The defaults for a requested accuracy: `theta` from
    /// [`theta_for`](Self::theta_for), the leaf size from
    /// [`leaf_size_for`](Self::leaf_size_for), the order derived.
    ///
    /// ```
    /// use covar_kernel::FastParams;
    /// let p = FastParams::with_tolerance(1e-3);
    /// assert_eq!(p.tolerance, 1e-3);
    /// assert!(p.theta > FastParams::default().theta);
    /// ```
    pub fn with_tolerance(tolerance: f64) -> Self {
        Self {
            tolerance,
            theta: Self::theta_for(tolerance),
            leaf_size: Self::leaf_size_for(tolerance),
            order: None,
            m2l_term_order: None,
        }
    }

    /// The default opening parameter for a tolerance: 0.6 up to `1e-5`,
    /// rising linearly in `log10(tolerance)` to 0.8 at `1e-2` and beyond.
    ///
    /// Low accuracies need low orders, where a translation costs little
    /// next to the direct sums of a leaf pair, so more pairs should be
    /// translated; high accuracies make translations of close pairs
    /// expensive. Measured on 10^6 uniform masses, one thread, `nd = 1`,
    /// leaves of 512 (CPU seconds of one evaluation with potential and
    /// gradient, on a loaded machine: compare within a row):
    ///
    /// | tolerance | theta 0.6 | theta 0.75 | theta 0.8 |
    /// |---|---|---|---|
    /// | `1e-2` | | | 3.5 s |
    /// | `1e-3` | 9.0 s | 5.5 s | |
    /// | `1e-6` | 15.6 s | 18.8 s | |
    pub fn theta_for(tolerance: f64) -> f64 {
        let t = (tolerance.log10() + 5.0) / 3.0;
        if t.is_nan() {
            return 0.6;
        }
        0.6 + 0.2 * t.clamp(0.0, 1.0)
    }

    /// The default leaf size for a tolerance: 512, and 256 from `3e-3` on,
    /// where translations of low order cost less than the direct sums of
    /// large leaves. Measured at 10^6 uniform points, 2 threads: masses,
    /// `nd = 1`, tolerance `8e-3`: 1.78 s with 512, 1.45 s with 256, 1.51 s
    /// with 128; charges of both signs at `1e-3`: 2.39 s (512) against
    /// 2.65 s (256) with `nd = 1`, 4.92 s against 5.45 s with `nd = 4`.
    pub fn leaf_size_for(tolerance: f64) -> usize {
        if tolerance >= 3e-3 { 256 } else { 512 }
    }

    /// The separation below which cell pairs are summed directly under
    /// `softening`: 0 without; the support `h` of a compact kernel, beyond
    /// which it is exactly the `1/r` the expansions represent (2.8 `s` for
    /// the spline, 3 `s` for Wendland C2); and `s / sqrt(2 tol)` for
    /// Plummer, where `1/r` is within the tolerance of `(r^2 + s^2)^(-1/2)`
    /// (relative difference `s^2 / (2 r^2)`). Plummer softening never
    /// becomes exactly `1/r`, so with a gap comparable to the system's size
    /// almost every pair is summed directly and the fast backend costs about
    /// as much as direct: soften with a compact kernel where speed matters.
    ///
    /// ```
    /// use covar_kernel::{FastParams, Softening, SofteningKernel};
    /// let p = FastParams::with_tolerance(1e-6);
    /// assert_eq!(p.softened_gap(Softening::NONE), 0.0);
    /// let plummer = p.softened_gap(Softening::plummer(1e-3));
    /// assert!((plummer - 1e-3 / 2e-6f64.sqrt()).abs() < 1e-15);
    /// let spline = p.softened_gap(Softening::new(SofteningKernel::Spline, 1e-3));
    /// assert!((spline - 2.8e-3).abs() < 1e-18);
    /// ```
    pub fn softened_gap(&self, softening: impl Into<Softening>) -> f64 {
        let softening = softening.into();
        match softening.support() {
            Some(h) => h,
            None => softening.length / (2.0 * self.tolerance).sqrt(),
        }
    }

    /// Whether the near field on `isa` may use the relaxed `1/r`
    /// ([`Isa::relaxed_rsqrt_error`] `e` per term): when the tolerance is at
    /// least `100 e`. Each near-field sum is then off by at most `3 e` times
    /// the sum of its terms' absolute values (the gradient's `1/r^3` triples
    /// the potential's `e`); the factor 100 leaves room for sums whose terms
    /// cancel (charges of both signs), so the near field's share of the
    /// error stays far below the tolerance. With the bounds of the SIMD
    /// layer: AVX-512 (`6e-9`) from tolerance `6e-7` on, NEON (`1.5e-9`)
    /// from `1.5e-7`; AVX2 and the scalar path are at full accuracy either
    /// way (see the SIMD layer's table). The relaxed `1/r` is a function of
    /// `r^2` alone, so both directions of a pair get the same bits and the
    /// forces still sum to zero to round-off.
    ///
    /// ```
    /// use covar_kernel::{FastParams, Isa};
    /// let p = FastParams::with_tolerance(1e-3);
    /// assert_eq!(p.relaxed_near_field(Isa::Avx512), true);
    /// assert_eq!(p.relaxed_near_field(Isa::Avx2), false); // no cheaper path
    /// assert!(!FastParams::with_tolerance(1e-12).relaxed_near_field(Isa::Avx512));
    /// ```
    pub fn relaxed_near_field(&self, isa: Isa) -> bool {
        let e = isa.relaxed_rsqrt_error();
        e > FULL_RSQRT_ERROR && RELAXED_MARGIN * e <= self.tolerance
    }

    /// Checks the ranges.
    ///
    /// # Errors
    ///
    /// [`KernelError::InvalidParameter`] naming the parameter.
    pub fn validate(&self) -> Result<(), KernelError> {
        let bad = |name, value, expected| {
            Err(KernelError::InvalidParameter {
                name,
                value,
                expected,
            })
        };
        if !(self.tolerance > 0.0 && self.tolerance < 1.0) {
            return bad("tolerance", self.tolerance, "must be in (0, 1)");
        }
        if !(self.theta > 0.0 && self.theta < 1.0) {
            return bad("theta", self.theta, "must be in (0, 1)");
        }
        if self.leaf_size == 0 {
            return bad("leaf_size", 0.0, "must be at least 1");
        }
        if let Some(p) = self.order.filter(|&p| p > MAX_ORDER) {
            return bad("order", p as f64, "must be at most 64");
        }
        if let Some(q) = self.m2l_term_order.filter(|&q| q > MAX_ORDER) {
            return bad("m2l_term_order", q as f64, "must be at most 64");
        }
        Ok(())
    }

    /// The highest M2L order summed term by term with `nd` channels:
    /// [`m2l_term_order`](Self::m2l_term_order) if set, else the built-in
    /// rule, 11 for one channel and `12 / nd` for more (measured one call
    /// at a time in an earlier session, microseconds rotation / term by term:
    /// `nd = 1`: q = 3 0.49 / 0.17, q = 8 2.0 / 1.3, q = 12 4.5 / 4.4,
    /// q = 17 9.5 / 14.6; `nd = 4`: q = 3 0.64 / 0.49, q = 5 1.2 / 1.4).
    ///
    /// ```
    /// use covar_kernel::FastParams;
    /// let p = FastParams::default();
    /// assert_eq!((p.term_by_term_up_to(1), p.term_by_term_up_to(4)), (11, 3));
    /// let q = FastParams { m2l_term_order: Some(7), ..p };
    /// assert_eq!(q.term_by_term_up_to(4), 7);
    /// ```
    pub fn term_by_term_up_to(&self, nd: usize) -> usize {
        self.m2l_term_order
            .unwrap_or(if nd <= 1 { 11 } else { 12 / nd })
    }

    /// The expansion order: the smallest `p` with
    /// `ERROR_SCALE (ERROR_RATE theta)^p <= tolerance` (see the constants'
    /// documentation), at least 2, unless overridden by `order`.
    pub fn expansion_order(&self) -> usize {
        self.order
            .unwrap_or_else(|| self.order_for_ratio(self.theta).min(MAX_ORDER))
    }

    /// The order needed by one pair of cells with separation ratio
    /// `rho = (r_A + r_B) / |z_A - z_B| <= theta`: the same error model as
    /// [`expansion_order`](Self::expansion_order) with `rho` for `theta`,
    /// capped at the expansion order `p` (and equal to it when the order is
    /// overridden). Pairs far apart need much less than the worst-case pair
    /// at `rho = theta`.
    pub fn pair_order(&self, rho: f64, p: usize) -> usize {
        if rho <= 0.0 {
            return p.min(2);
        }
        match self.order {
            Some(_) => p,
            None => self.order_for_ratio(rho).min(p),
        }
    }

    /// Smallest `q >= 2` with `ERROR_SCALE (ERROR_RATE rho)^q <= tolerance`.
    fn order_for_ratio(&self, rho: f64) -> usize {
        let q = (self.tolerance / ERROR_SCALE).ln() / (ERROR_RATE * rho).ln();
        q.ceil().max(2.0) as usize
    }
}

/// Where the time of one evaluation went. Stage times of the parallel
/// passes are summed over threads (CPU time); `total` is wall time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FastStats {
    /// Expansion order used.
    pub order: usize,
    /// Building the source (and target) trees, and the map of a source
    /// subset's targets, wall time.
    pub tree: Duration,
    /// P2M and M2M, wall time.
    pub upward: Duration,
    /// Multipole-to-local translations, summed over threads.
    pub m2l: Duration,
    /// Direct near-field sums, summed over threads.
    pub near: Duration,
    /// L2L and L2P, summed over threads.
    pub downward: Duration,
    /// The traversal (M2L + near + downward), wall time.
    pub traversal: Duration,
    /// Whole evaluation, wall time.
    pub total: Duration,
    /// Number of M2L translations.
    pub m2l_count: u64,
    /// Mean order of the M2L translations (each pair gets the order its
    /// error estimate needs, at most `order`).
    pub mean_m2l_order: f64,
    /// Pair interactions summed directly.
    pub near_pairs: u64,
    /// Of `near_pairs`, those in leaf pairs farther apart than a compact
    /// softening kernel's support, summed with the plain `1/r` it equals
    /// there (0 without softening or with Plummer's).
    pub near_unsoftened: u64,
    /// M2L translations up to this order were summed term by term
    /// ([`FastParams::term_by_term_up_to`]).
    pub m2l_term_order: usize,
    /// Whether the near field used the relaxed `1/r`
    /// ([`FastParams::relaxed_near_field`]).
    pub near_relaxed: bool,
    /// Cells of the source tree.
    pub nodes: usize,
    /// Bytes of multipole expansions (`nodes * nd * (order + 1)^2` doubles).
    pub multipole_bytes: u64,
}
