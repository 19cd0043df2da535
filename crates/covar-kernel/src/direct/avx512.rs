//! AVX-512 (8 lanes): `vrsqrt14pd` refined by one third-order step.

use std::arch::x86_64::*;

use super::block::{BlockSink, Job, SourceSet, TargetBlock, block_sums, compute_block};
use super::simd::Simd;

/// Token proving the CPU has AVX-512F (and FMA).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx512(());

impl Avx512 {
    /// The token, if this CPU supports AVX-512F.
    pub(crate) fn detect() -> Option<Self> {
        (is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma")).then_some(Self(()))
    }

    /// One target block, compiled with AVX-512 enabled.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX-512F and FMA (guaranteed by the token), and
    /// the caller must uphold [`compute_block`]'s contract.
    #[target_feature(enable = "avx512f,fma")]
    pub(crate) unsafe fn block(self, job: &Job<'_>, block: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { compute_block(self, job, block) }
    }

    /// Near-field sums of one target block over source ranges, compiled
    /// with avx512f,fma enabled.
    ///
    /// # Safety
    ///
    /// The CPU must support avx512f,fma (guaranteed by the token).
    #[target_feature(enable = "avx512f,fma")]
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

impl Simd for Avx512 {
    const LANES: usize = 8;
    type V = __m512d;

    #[inline(always)]
    fn splat(self, x: f64) -> __m512d {
        // SAFETY (this and every block below): the token exists only on CPUs
        // with AVX-512F; loads and stores are bounds-checked by slicing.
        unsafe { _mm512_set1_pd(x) }
    }
    #[inline(always)]
    fn load(self, s: &[f64]) -> __m512d {
        let s = &s[..8];
        unsafe { _mm512_loadu_pd(s.as_ptr()) }
    }
    #[inline(always)]
    fn store(self, v: __m512d, s: &mut [f64]) {
        let s = &mut s[..8];
        unsafe { _mm512_storeu_pd(s.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn sub(self, a: __m512d, b: __m512d) -> __m512d {
        unsafe { _mm512_sub_pd(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m512d, b: __m512d) -> __m512d {
        unsafe { _mm512_mul_pd(a, b) }
    }
    #[inline(always)]
    fn mul_add(self, a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        unsafe { _mm512_fmadd_pd(a, b, c) }
    }
    #[inline(always)]
    fn rsqrt(self, x: __m512d) -> __m512d {
        // y0 has relative error below 2^-14. With e = 1 - x y0^2 the exact
        // value is y0 (1 - e)^(-1/2) = y0 (1 + e/2 + 3e^2/8 + 5e^3/16 + ...);
        // keeping three terms leaves a relative error of 35/128 e^4 < 2^-54.
        unsafe {
            let y0 = _mm512_rsqrt14_pd(x);
            let e = _mm512_fnmadd_pd(x, _mm512_mul_pd(y0, y0), _mm512_set1_pd(1.0));
            let p = _mm512_fmadd_pd(e, _mm512_set1_pd(5.0 / 16.0), _mm512_set1_pd(3.0 / 8.0));
            let p = _mm512_fmadd_pd(e, p, _mm512_set1_pd(0.5));
            _mm512_fmadd_pd(_mm512_mul_pd(y0, e), p, y0)
        }
    }
    #[inline(always)]
    fn zero_lane(self, v: __m512d, lane: usize) -> __m512d {
        unsafe { _mm512_maskz_mov_pd(!(1u8 << lane), v) }
    }
}
