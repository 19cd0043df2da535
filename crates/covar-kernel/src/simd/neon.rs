//! Advanced SIMD (NEON, 2 lanes), aarch64: `vrsqrteq_f64` seeds `1/sqrt`.

/// One third-order step from `vrsqrteq_f64`'s estimate (within
/// 2^-8): `35/128 (2^-7)^4` = 1.0e-9, with margin.
pub(super) const RELAXED_RSQRT_ERROR: f64 = 1.5e-9;

#[cfg(target_arch = "aarch64")]
pub(super) use imp::{available, run};

#[cfg(not(target_arch = "aarch64"))]
pub(super) fn available() -> bool {
    false
}

#[cfg(not(target_arch = "aarch64"))]
pub(super) fn run<Op: super::WithSimd>(_: Op) -> Op::Output {
    panic!("neon is not available on this CPU")
}

#[cfg(target_arch = "aarch64")]
mod imp {
    use std::arch::aarch64::*;

    use super::super::{Simd, WithSimd, refine_newton, refine_third};

    /// Token proving the CPU has Advanced SIMD (every aarch64 CPU that runs
    /// Linux has it; it is still detected, not assumed).
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Neon(());

    pub(in crate::simd) fn available() -> bool {
        std::arch::is_aarch64_feature_detected!("neon")
    }

    pub(in crate::simd) fn run<Op: WithSimd>(op: Op) -> Op::Output {
        assert!(available(), "neon is not available on this CPU");
        // SAFETY: the feature was detected just above.
        unsafe { Neon(()).vectorize(op) }
    }

    impl Neon {
        /// Runs `op` compiled with NEON enabled.
        ///
        /// # Safety
        ///
        /// The CPU must support NEON.
        #[target_feature(enable = "neon")]
        unsafe fn vectorize<Op: WithSimd>(self, op: Op) -> Op::Output {
            op.with_simd(self)
        }
    }

    impl Simd for Neon {
        const LANES: usize = 2;
        const RELAXED_RSQRT_ERROR: f64 = super::RELAXED_RSQRT_ERROR;
        /// Not measured on aarch64 hardware yet: the refined estimate alone.
        const SHARE_DIVIDER: bool = false;
        type V = float64x2_t;
        type M = uint64x2_t;

        #[inline(always)]
        fn splat(self, x: f64) -> float64x2_t {
            // SAFETY (this and every block below): the token exists only on
            // CPUs with NEON; loads and stores are bounds-checked by slicing.
            unsafe { vdupq_n_f64(x) }
        }
        #[inline(always)]
        fn load(self, s: &[f64]) -> float64x2_t {
            let s = &s[..2];
            unsafe { vld1q_f64(s.as_ptr()) }
        }
        #[inline(always)]
        fn store(self, v: float64x2_t, s: &mut [f64]) {
            let s = &mut s[..2];
            unsafe { vst1q_f64(s.as_mut_ptr(), v) }
        }
        #[inline(always)]
        fn add(self, a: float64x2_t, b: float64x2_t) -> float64x2_t {
            unsafe { vaddq_f64(a, b) }
        }
        #[inline(always)]
        fn sub(self, a: float64x2_t, b: float64x2_t) -> float64x2_t {
            unsafe { vsubq_f64(a, b) }
        }
        #[inline(always)]
        fn mul(self, a: float64x2_t, b: float64x2_t) -> float64x2_t {
            unsafe { vmulq_f64(a, b) }
        }
        #[inline(always)]
        fn mul_add(self, a: float64x2_t, b: float64x2_t, c: float64x2_t) -> float64x2_t {
            // vfmaq_f64(c, a, b) = c + a * b, fused.
            unsafe { vfmaq_f64(c, a, b) }
        }
        #[inline(always)]
        fn neg_mul_add(self, a: float64x2_t, b: float64x2_t, c: float64x2_t) -> float64x2_t {
            // vfmsq_f64(c, a, b) = c - a * b, fused.
            unsafe { vfmsq_f64(c, a, b) }
        }
        #[inline(always)]
        fn rsqrt(self, x: float64x2_t) -> float64x2_t {
            // 2^-8 -> 1.0e-9 -> below 2^-53.
            refine_newton(self, x, self.rsqrt_relaxed(x))
        }
        #[inline(always)]
        fn rsqrt_relaxed(self, x: float64x2_t) -> float64x2_t {
            refine_third(self, x, unsafe { vrsqrteq_f64(x) })
        }
        #[inline(always)]
        fn rsqrt_ieee(self, x: float64x2_t) -> float64x2_t {
            unsafe { vdivq_f64(vdupq_n_f64(1.0), vsqrtq_f64(x)) }
        }
        #[inline(always)]
        fn zero_lane(self, v: float64x2_t, lane: usize) -> float64x2_t {
            unsafe {
                match lane {
                    0 => vsetq_lane_f64::<0>(0.0, v),
                    _ => vsetq_lane_f64::<1>(0.0, v),
                }
            }
        }
        #[inline(always)]
        fn lt(self, a: float64x2_t, b: float64x2_t) -> uint64x2_t {
            unsafe { vcltq_f64(a, b) }
        }
        #[inline(always)]
        fn select(self, m: uint64x2_t, a: float64x2_t, b: float64x2_t) -> float64x2_t {
            unsafe { vbslq_f64(m, a, b) }
        }
        #[inline(always)]
        fn any(self, m: uint64x2_t) -> bool {
            unsafe { vmaxvq_u32(vreinterpretq_u32_u64(m)) != 0 }
        }
    }
}
