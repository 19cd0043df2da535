//! The few vector operations the direct kernel needs, written once as a trait
//! and implemented per instruction set (scalar, AVX2, AVX-512).
//!
//! An implementing type is a zero-sized *token*: a value of it can only be
//! made once the CPU is known to support its instructions, so its safe
//! methods may use them. All methods are `#[inline(always)]`; the generic
//! kernel is compiled into one `#[target_feature]` function per instruction
//! set, where the intrinsics inline.

/// Vector arithmetic on `LANES` f64 values.
pub(crate) trait Simd: Copy + Send + Sync {
    /// Number of f64 lanes in a vector.
    const LANES: usize;
    /// The vector type.
    type V: Copy;

    /// All lanes set to `x`.
    fn splat(self, x: f64) -> Self::V;
    /// Loads `LANES` values from the start of `s` (any alignment).
    fn load(self, s: &[f64]) -> Self::V;
    /// Stores `LANES` values to the start of `s` (any alignment).
    fn store(self, v: Self::V, s: &mut [f64]);
    /// `a - b`.
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a * b`.
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a * b + c`, fused where the hardware has it.
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `1 / sqrt(x)` to full f64 accuracy (a few units in the last place) for
    /// positive normal `x`.
    fn rsqrt(self, x: Self::V) -> Self::V;
    /// `v` with lane `lane` set to zero.
    fn zero_lane(self, v: Self::V, lane: usize) -> Self::V;
}

/// Plain f64 arithmetic, one lane: runs on any CPU.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scalar;

impl Simd for Scalar {
    const LANES: usize = 1;
    type V = f64;

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
    fn rsqrt(self, x: f64) -> f64 {
        1.0 / x.sqrt()
    }
    #[inline(always)]
    fn zero_lane(self, v: f64, lane: usize) -> f64 {
        debug_assert_eq!(lane, 0);
        let _ = v;
        0.0
    }
}
