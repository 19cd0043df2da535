//! AVX2 + FMA (4 lanes), x86-64. There is no f64 reciprocal-square-root
//! estimate in AVX2: the seed comes from the exponent bits.

/// Full accuracy: the pair loop computes every other source's `1/r`
/// by IEEE division ([`SHARE_DIVIDER`](super::Simd::SHARE_DIVIDER)), and a
/// lesser refinement of the others would make the two directions of
/// a pair differ by more than round-off (a fast-backend momentum
/// residual of 1e-13 instead of 1e-16, measured with one third-order
/// and one Newton step, 6e-11), for 2 operations of about 40 per
/// pair saved on half the sources.
pub(super) const RELAXED_RSQRT_ERROR: f64 = 4.0 * f64::EPSILON;

#[cfg(target_arch = "x86_64")]
pub(super) use imp::{available, run};

#[cfg(not(target_arch = "x86_64"))]
pub(super) fn available() -> bool {
    false
}

#[cfg(not(target_arch = "x86_64"))]
pub(super) fn run<Op: super::WithSimd>(_: Op) -> Op::Output {
    panic!("avx2 is not available on this CPU")
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use std::arch::x86_64::*;

    use super::super::{Simd, WithSimd, refine_third, refine_third_square_first};

    /// Token proving the CPU has AVX2 and FMA.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Avx2(());

    pub(in crate::simd) fn available() -> bool {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }

    pub(in crate::simd) fn run<Op: WithSimd>(op: Op) -> Op::Output {
        assert!(available(), "avx2 is not available on this CPU");
        // SAFETY: the features were detected just above.
        unsafe { Avx2(()).vectorize(op) }
    }

    impl Avx2 {
        /// Runs `op` compiled with AVX2 and FMA enabled.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX2 and FMA.
        #[target_feature(enable = "avx2,fma")]
        unsafe fn vectorize<Op: WithSimd>(self, op: Op) -> Op::Output {
            op.with_simd(self)
        }

        /// Halves the exponent bits and subtracts them from a magic
        /// constant: `1/sqrt(x)` within 3.43 % for every positive normal `x`.
        #[inline(always)]
        fn seed(self, x: __m256d) -> __m256d {
            // SAFETY: the token exists only on CPUs with AVX2.
            unsafe {
                let magic = _mm256_set1_epi64x(0x5FE6_EB50_C7B5_37A9);
                let half_bits = _mm256_srli_epi64::<1>(_mm256_castpd_si256(x));
                _mm256_castsi256_pd(_mm256_sub_epi64(magic, half_bits))
            }
        }
    }

    impl Simd for Avx2 {
        const LANES: usize = 4;
        const RELAXED_RSQRT_ERROR: f64 = super::RELAXED_RSQRT_ERROR;
        /// Measured on a Sapphire Rapids core running AVX2 code, one thread,
        /// `N = 16384`: 1.15e9 pairs/s against 9.2e8 with the refined
        /// estimate alone and 7.1e8 with IEEE alone (`nd = 1`); 6.1e8 against
        /// 5.1e8 and 5.9e8 (`nd = 4`). On Zen 3 (AMD EPYC), where the
        /// divider holds an FMA pipe, a two-pass variant of the loop
        /// without the IEEE half took 1.20 times as long as with it at
        /// `nd = 1` and 1.03 at `nd = 4` (medians of 7 interleaved whole
        /// runs).
        const SHARE_DIVIDER: bool = true;
        type V = __m256d;
        type M = __m256d;

        #[inline(always)]
        fn splat(self, x: f64) -> __m256d {
            // SAFETY (this and every block below): the token exists only on
            // CPUs with AVX2 and FMA; loads and stores are bounds-checked by
            // slicing.
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
        fn add(self, a: __m256d, b: __m256d) -> __m256d {
            unsafe { _mm256_add_pd(a, b) }
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
        fn neg_mul_add(self, a: __m256d, b: __m256d, c: __m256d) -> __m256d {
            unsafe { _mm256_fnmadd_pd(a, b, c) }
        }
        #[inline(always)]
        fn rsqrt(self, x: __m256d) -> __m256d {
            // 3.43 % -> 6.3e-6 -> below 2^-53; NaN at x = 0.
            refine_third_square_first(self, x, refine_third(self, x, self.seed(x)))
        }
        #[inline(always)]
        fn rsqrt_relaxed(self, x: __m256d) -> __m256d {
            self.rsqrt(x)
        }
        #[inline(always)]
        fn rsqrt_ieee(self, x: __m256d) -> __m256d {
            unsafe { _mm256_div_pd(_mm256_set1_pd(1.0), _mm256_sqrt_pd(x)) }
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
        #[inline(always)]
        fn lt(self, a: __m256d, b: __m256d) -> __m256d {
            unsafe { _mm256_cmp_pd::<_CMP_LT_OQ>(a, b) }
        }
        #[inline(always)]
        fn select(self, m: __m256d, a: __m256d, b: __m256d) -> __m256d {
            unsafe { _mm256_blendv_pd(b, a, m) }
        }
        #[inline(always)]
        fn any(self, m: __m256d) -> bool {
            unsafe { _mm256_movemask_pd(m) != 0 }
        }
    }
}
