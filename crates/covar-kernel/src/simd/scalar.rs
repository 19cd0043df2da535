//! The scalar token: plain f64 arithmetic, one lane, on any CPU.

use super::Simd;

/// Plain f64 arithmetic, one lane: runs on any CPU.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scalar;

impl Simd for Scalar {
    const LANES: usize = 1;
    /// IEEE square root and division: within an ulp or two.
    const RELAXED_RSQRT_ERROR: f64 = 4.0 * f64::EPSILON;
    /// One path only: IEEE.
    const SHARE_DIVIDER: bool = false;
    type V = f64;
    type M = bool;

    #[inline(always)]
    fn splat(self, x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn load(self, s: &[f64]) -> f64 {
        s[0]
    }
    #[inline(always)]
    fn store(self, v: f64, s: &mut [f64]) {
        s[0] = v;
    }
    #[inline(always)]
    fn add(self, a: f64, b: f64) -> f64 {
        a + b
    }
    #[inline(always)]
    fn sub(self, a: f64, b: f64) -> f64 {
        a - b
    }
    #[inline(always)]
    fn mul(self, a: f64, b: f64) -> f64 {
        a * b
    }
    #[inline(always)]
    fn mul_add(self, a: f64, b: f64, c: f64) -> f64 {
        // Unfused: a software fma would be slower than the whole pair.
        a * b + c
    }
    #[inline(always)]
    fn neg_mul_add(self, a: f64, b: f64, c: f64) -> f64 {
        c - a * b
    }
    #[inline(always)]
    fn rsqrt(self, x: f64) -> f64 {
        1.0 / x.sqrt()
    }
    #[inline(always)]
    fn rsqrt_relaxed(self, x: f64) -> f64 {
        1.0 / x.sqrt()
    }
    #[inline(always)]
    fn rsqrt_ieee(self, x: f64) -> f64 {
        1.0 / x.sqrt()
    }
    #[inline(always)]
    fn zero_lane(self, v: f64, lane: usize) -> f64 {
        debug_assert_eq!(lane, 0);
        let _ = v;
        0.0
    }
    #[inline(always)]
    fn lt(self, a: f64, b: f64) -> bool {
        a < b
    }
    #[inline(always)]
    fn select(self, m: bool, a: f64, b: f64) -> f64 {
        if m { a } else { b }
    }
    #[inline(always)]
    fn any(self, m: bool) -> bool {
        m
    }
}
