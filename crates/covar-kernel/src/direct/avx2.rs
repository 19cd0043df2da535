//! AVX2 + FMA (4 lanes). There is no f64 reciprocal square root estimate in
//! AVX2, so the start value comes from the exponent bits and two third-order
//! steps bring it to full accuracy.

use std::arch::x86_64::*;

use super::block::{BlockSink, Job, SourceSet, TargetBlock, block_sums, compute_block};
use super::simd::Simd;

/// Token proving the CPU has AVX2 and FMA.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

impl Avx2 {
    /// The token, if this CPU supports AVX2 and FMA.
    pub(crate) fn detect() -> Option<Self> {
        (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")).then_some(Self(()))
    }

    /// One target block, compiled with AVX2 and FMA enabled.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2 and FMA (guaranteed by the token), and the
    /// caller must uphold [`compute_block`]'s contract.
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn block(self, job: &Job<'_>, block: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { compute_block(self, job, block) }
    }

    /// Near-field sums of one target block over source ranges, compiled
    /// with avx2,fma enabled.
    ///
    /// # Safety
    ///
    /// The CPU must support avx2,fma (guaranteed by the token).
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn near(
        self,
        targets: &TargetBlock,
        sources: &SourceSet<'_>,
        ranges: &[(usize, usize)],
        grad: bool,
        sink: &mut dyn BlockSink,
    ) {
        block_sums(self, targets, sources, ranges, grad, sink)
    }
}

/// `e -> y (1 + e/2 + 3e^2/8 + 5e^3/16)` with `e = 1 - x y^2`: the relative
/// error goes from `d` to about `35/128 (2d)^4`.
#[inline(always)]
fn refine(x: __m256d, y: __m256d) -> __m256d {
    // SAFETY: only reached through the Avx2 token (AVX2 + FMA present).
    unsafe {
        let e = _mm256_fnmadd_pd(x, _mm256_mul_pd(y, y), _mm256_set1_pd(1.0));
        let p = _mm256_fmadd_pd(e, _mm256_set1_pd(5.0 / 16.0), _mm256_set1_pd(3.0 / 8.0));
        let p = _mm256_fmadd_pd(e, p, _mm256_set1_pd(0.5));
        _mm256_fmadd_pd(_mm256_mul_pd(y, e), p, y)
    }
}

impl Simd for Avx2 {
    const LANES: usize = 4;
    type V = __m256d;

    #[inline(always)]
    fn splat(self, x: f64) -> __m256d {
        // SAFETY (this and every block below): the token exists only on CPUs
        // with AVX2 and FMA; loads and stores are bounds-checked by slicing.
        unsafe { _mm256_set1_pd(x) }
    }
    #[inline(always)]
    fn load(self, s: &[f64]) -> __m256d {
        let s = &s[..4];
        unsafe { _mm256_loadu_pd(s.as_ptr()) }
    }
    #[inline(always)]
    fn store(self, v: __m256d, s: &mut [f64]) {
        let s = &mut s[..4];
        unsafe { _mm256_storeu_pd(s.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn sub(self, a: __m256d, b: __m256d) -> __m256d {
        unsafe { _mm256_sub_pd(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m256d, b: __m256d) -> __m256d {
        unsafe { _mm256_mul_pd(a, b) }
    }
    #[inline(always)]
    fn mul_add(self, a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        unsafe { _mm256_fmadd_pd(a, b, c) }
    }
    #[inline(always)]
    fn rsqrt(self, x: __m256d) -> __m256d {
        // Start: halve the exponent bits and subtract from a magic constant
        // (relative error below 3.5 %), then two third-order steps
        // (3.5e-2 -> 1e-5 -> below 1e-19).
        unsafe {
            let magic = _mm256_set1_epi64x(0x5FE6_EB50_C7B5_37A9);
            let half_bits = _mm256_srli_epi64::<1>(_mm256_castpd_si256(x));
            let y0 = _mm256_castsi256_pd(_mm256_sub_epi64(magic, half_bits));
            refine(x, refine(x, y0))
        }
    }
    #[inline(always)]
    fn zero_lane(self, v: __m256d, lane: usize) -> __m256d {
        const MASKS: [[i64; 4]; 4] = [
            [0, -1, -1, -1],
            [-1, 0, -1, -1],
            [-1, -1, 0, -1],
            [-1, -1, -1, 0],
        ];
        let m = MASKS[lane];
        unsafe {
            _mm256_and_pd(
                v,
                _mm256_castsi256_pd(_mm256_set_epi64x(m[3], m[2], m[1], m[0])),
            )
        }
    }
}
