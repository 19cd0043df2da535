//! The one SIMD layer of the kernel: a small vector trait, one zero-sized
//! token per instruction set, and a run-time dispatch that compiles every
//! kernel once per instruction set.
//!
//! # How it works
//!
//! A kernel is written once, generic over the crate's `Simd` trait, as a
//! type implementing `WithSimd`. `Isa::dispatch` matches on the instruction set, makes the
//! token (which proves the CPU has the instructions) and calls the kernel
//! from inside a `#[target_feature]` function of that token; every method
//! of the trait and of the kernel is `#[inline(always)]`, so the whole
//! kernel is compiled with that instruction set enabled and its intrinsics
//! inline. Closures are not: a closure inside a kernel is compiled without
//! the token's features, and every vector operation in it becomes a call
//! (an L2P whose inner sum sat in a closure ran 5 times slower than the
//! scalar code), so kernels call `#[inline(always)]` functions instead.
//! The match names every [`Isa`]: adding one without its arm is a
//! compile error, and an instruction set this CPU lacks panics naming it
//! (the backends refuse to be built for one, see [`Isa::is_available`]);
//! nothing falls back to scalar code silently.
//!
//! | instruction set | lanes | `1/sqrt` seed | full accuracy | relaxed |
//! |---|---|---|---|---|
//! | [`Isa::Avx512`] | 8 | `vrsqrt14pd` (2^-14) | one third-order step | one Newton step |
//! | [`Isa::Avx2`] | 4 | exponent bits (3.43 %), every other source IEEE | two third-order steps | as full |
//! | [`Isa::Neon`] | 2 | `vrsqrteq_f64` (2^-8) | one third-order step, one Newton step | one third-order step |
//! | [`Isa::Scalar`] | 1 | none: `1 / sqrt(x)` | IEEE | IEEE |
//!
//! "Relaxed" is the precision the fast backend's near field may use when its
//! tolerance allows ([`Isa::relaxed_rsqrt_error`]); direct sums always use
//! full accuracy.
//!
//! # Why a layer of our own
//!
//! pulp (the layer faer is written on) has the same shape: a `Simd` trait,
//! tokens, and `Arch::dispatch` over a `WithSimd` kernel. What the pair
//! kernel needs and pulp does not give is the part that differs by
//! instruction set: the f64 reciprocal-square-root seed (`vrsqrt14pd`, the
//! exponent-bit estimate, `vrsqrteq_f64`) with a refinement sized to the
//! seed and to a requested precision, and lane masks for the self pair. With
//! pulp those would be per-architecture code beside the trait anyway
//! (green-kernels does exactly this on top of its `Simd` trait), so the
//! layer keeps the dozen operations the kernels use, in about a hundred
//! lines per instruction set, with no dependency and no unsafe outside the
//! tokens.

// Kernels index fixed-size register arrays by channel and axis.
#![allow(clippy::needless_range_loop)]

mod avx2;
mod avx512;
mod neon;
mod scalar;

use std::fmt;

pub(crate) use scalar::Scalar;

/// An instruction set the kernels can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isa {
    /// Plain f64 arithmetic; runs everywhere.
    Scalar,
    /// 256-bit AVX2 with FMA (4 lanes), x86-64.
    Avx2,
    /// 512-bit AVX-512F (8 lanes), x86-64.
    Avx512,
    /// 128-bit Advanced SIMD (2 lanes), aarch64.
    Neon,
}

/// The widest vector of the layer, in f64 lanes (AVX-512): scratch sized
/// for it serves every instruction set.
pub(crate) const MAX_LANES: usize = 8;

/// The environment variable that picks the instruction set of new backends.
const ENV: &str = "COVAR_ISA";

/// Every instruction set, in the order [`Isa::available`] lists them.
const ALL: [Isa; 4] = Isa::ALL;

impl Isa {
    /// Every instruction set, in the order [`Isa::available`] lists them.
    pub const ALL: [Isa; 4] = [Isa::Scalar, Isa::Neon, Isa::Avx2, Isa::Avx512];

    /// Whether this CPU can run `self`.
    pub fn is_available(self) -> bool {
        match self {
            Isa::Scalar => true,
            Isa::Avx2 => avx2::available(),
            Isa::Avx512 => avx512::available(),
            Isa::Neon => neon::available(),
        }
    }

    /// Every instruction set this CPU can run, slowest first.
    pub fn available() -> Vec<Isa> {
        ALL.into_iter().filter(|isa| isa.is_available()).collect()
    }

    /// The instruction set new backends use: the one named by the
    /// environment variable `COVAR_ISA` (`scalar`, `avx2`, `avx512` or
    /// `neon`) when it is set, else the fastest this CPU can run.
    ///
    /// `COVAR_ISA` lets a whole program (a `covar run`, a test suite) run
    /// on a slower instruction set, to measure or compare it on a CPU that
    /// has more.
    ///
    /// # Panics
    ///
    /// If `COVAR_ISA` names no instruction set or one this CPU cannot run;
    /// programs check it up front with [`from_env`](Self::from_env).
    pub fn best() -> Isa {
        match Self::from_env() {
            Ok(Some(isa)) => isa,
            Ok(None) => Self::fastest(),
            Err(e) => panic!("{e}"),
        }
    }

    /// The fastest instruction set this CPU can run.
    pub fn fastest() -> Isa {
        *Self::available().last().unwrap_or(&Isa::Scalar)
    }

    /// The instruction set `COVAR_ISA` names, `None` when it is unset or
    /// empty.
    ///
    /// # Errors
    ///
    /// A message naming the variable if it names no instruction set or one
    /// this CPU cannot run.
    pub fn from_env() -> Result<Option<Isa>, String> {
        let Some(value) = std::env::var_os(ENV) else {
            return Ok(None);
        };
        let value = value.to_string_lossy();
        if value.is_empty() {
            return Ok(None);
        }
        let isa: Isa = value.parse().map_err(|e| format!("{ENV}: {e}"))?;
        if !isa.is_available() {
            let names: Vec<String> = Self::available().iter().map(Isa::to_string).collect();
            return Err(format!(
                "{ENV}={isa}: this CPU cannot run {isa} (available: {})",
                names.join(", ")
            ));
        }
        Ok(Some(isa))
    }

    /// Vector width in f64 lanes.
    pub fn lanes(self) -> usize {
        match self {
            Isa::Scalar => Scalar::LANES,
            Isa::Avx2 => 4,
            Isa::Avx512 => 8,
            Isa::Neon => 2,
        }
    }

    /// Relative error bound of the relaxed `1/sqrt` of this instruction set,
    /// for positive normal inputs: the seed's documented bound carried
    /// through the refinement's truncation error, with margin (tested).
    /// Known whether or not this CPU can run `self` (no dispatch).
    pub fn relaxed_rsqrt_error(self) -> f64 {
        match self {
            Isa::Scalar => Scalar::RELAXED_RSQRT_ERROR,
            Isa::Avx2 => avx2::RELAXED_RSQRT_ERROR,
            Isa::Avx512 => avx512::RELAXED_RSQRT_ERROR,
            Isa::Neon => neon::RELAXED_RSQRT_ERROR,
        }
    }

    /// Runs `op` compiled for `self`.
    ///
    /// # Panics
    ///
    /// If this CPU cannot run `self` (build backends with
    /// [`is_available`](Self::is_available) checked).
    #[inline]
    pub(crate) fn dispatch<Op: WithSimd>(self, op: Op) -> Op::Output {
        match self {
            Isa::Scalar => op.with_simd(Scalar),
            Isa::Avx2 => avx2::run(op),
            Isa::Avx512 => avx512::run(op),
            Isa::Neon => neon::run(op),
        }
    }
}

impl std::str::FromStr for Isa {
    type Err = String;

    /// Parses the [`Display`](fmt::Display) names: `scalar`, `avx2`,
    /// `avx512`, `neon`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.into_iter()
            .find(|isa| isa.to_string() == s)
            .ok_or_else(|| {
                format!("unknown instruction set `{s}` (expected scalar, avx2, avx512 or neon)")
            })
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
            Isa::Neon => "neon",
        })
    }
}

/// A kernel written once for every instruction set.
///
/// `with_simd` must be `#[inline(always)]` (and so must everything it calls
/// that should be vectorized), so that it compiles inside the token's
/// `#[target_feature]` function.
pub(crate) trait WithSimd {
    /// What the kernel returns.
    type Output;
    /// Runs the kernel on the instruction set of `s`.
    fn with_simd<S: Simd>(self, s: S) -> Self::Output;
}

/// Vector arithmetic on `LANES` f64 values.
///
/// An implementing type is a zero-sized *token*: a value of it can only be
/// made once the CPU is known to support its instructions, so its safe
/// methods may use them.
pub(crate) trait Simd: Copy + Send + Sync {
    /// Number of f64 lanes in a vector.
    const LANES: usize;
    /// Relative error bound of [`rsqrt_relaxed`](Self::rsqrt_relaxed) for
    /// positive normal inputs (proved from the seed's documented bound and
    /// the refinement's truncation; tested).
    const RELAXED_RSQRT_ERROR: f64;
    /// Whether the pair loop computes every other source's `1/r` by
    /// [`rsqrt_ieee`](Self::rsqrt_ieee), so that the divider and the FMA
    /// ports work at once (chosen by measurement, per instruction set).
    const SHARE_DIVIDER: bool;
    /// The vector type.
    type V: Copy;
    /// A lane mask, the result of a comparison.
    type M: Copy;

    /// All lanes set to `x`.
    fn splat(self, x: f64) -> Self::V;
    /// Loads `LANES` values from the start of `s` (any alignment).
    fn load(self, s: &[f64]) -> Self::V;
    /// Stores `LANES` values to the start of `s` (any alignment).
    fn store(self, v: Self::V, s: &mut [f64]);
    /// `a + b`.
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a - b`.
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a * b`.
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a * b + c`, fused where the hardware has it.
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `c - a * b`, fused where the hardware has it.
    fn neg_mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `1 / sqrt(x)` to full f64 accuracy (a few units in the last place) for
    /// positive normal `x`.
    fn rsqrt(self, x: Self::V) -> Self::V;
    /// `1 / sqrt(x)` with relative error at most
    /// [`RELAXED_RSQRT_ERROR`](Self::RELAXED_RSQRT_ERROR), in fewer
    /// operations than [`rsqrt`](Self::rsqrt) where the instruction set
    /// allows.
    fn rsqrt_relaxed(self, x: Self::V) -> Self::V;
    /// `1 / sqrt(x)` by IEEE square root and division (within an ulp or
    /// two): on the divider, which works beside the FMA ports.
    fn rsqrt_ieee(self, x: Self::V) -> Self::V;
    /// `v` with lane `lane` set to zero.
    fn zero_lane(self, v: Self::V, lane: usize) -> Self::V;
    /// The lanes where `a < b` (false where either is NaN).
    fn lt(self, a: Self::V, b: Self::V) -> Self::M;
    /// `a` in the lanes of `m`, `b` in the others.
    fn select(self, m: Self::M, a: Self::V, b: Self::V) -> Self::V;
    /// Whether any lane of `m` is set.
    fn any(self, m: Self::M) -> bool;
}

/// One third-order step towards `1/sqrt(x)` from `y`: with `e = 1 - x y^2`
/// the exact value is `y (1 - e)^(-1/2) = y (1 + e/2 + 3e^2/8 + 5e^3/16 +
/// ...)`; keeping four terms takes a relative error `d` to about
/// `35/128 (2d)^4`. Six operations; `x y` is formed first so that `y^2`
/// cannot underflow for large `x`.
#[inline(always)]
pub(crate) fn refine_third<S: Simd>(s: S, x: S::V, y: S::V) -> S::V {
    let e = s.neg_mul_add(s.mul(x, y), y, s.splat(1.0));
    third_step(s, y, e)
}

/// [`refine_third`] with `e = 1 - x y^2` formed as `x (y y)`: from a `y`
/// near `1/sqrt(x)` for `x > 0` it is as accurate, and at `x = 0` from a
/// `y` whose square overflows it gives NaN (`0 inf`), not a huge finite
/// number. AVX2's integer seed is finite at 0 (`1.3e154`, squared
/// `1.7e308`; after one [`refine_third`] `2.9e154`, whose square
/// overflows), so its second step is this one: `1/sqrt(0)` is then not
/// finite, as IEEE's `inf`, and a coincident pair with no softening is
/// reported, not summed as a huge finite term.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn refine_third_square_first<S: Simd>(s: S, x: S::V, y: S::V) -> S::V {
    let e = s.neg_mul_add(x, s.mul(y, y), s.splat(1.0));
    third_step(s, y, e)
}

/// `y (1 + e/2 + 3e^2/8 + 5e^3/16)`.
#[inline(always)]
fn third_step<S: Simd>(s: S, y: S::V, e: S::V) -> S::V {
    let p = s.mul_add(e, s.splat(5.0 / 16.0), s.splat(3.0 / 8.0));
    let p = s.mul_add(e, p, s.splat(0.5));
    s.mul_add(s.mul(y, e), p, y)
}

/// One Newton step towards `1/sqrt(x)` from `y`, `y (1 + e/2)`: a relative
/// error `d` goes to about `3/8 (2d)^2`. Four operations.
#[inline(always)]
pub(crate) fn refine_newton<S: Simd>(s: S, x: S::V, y: S::V) -> S::V {
    let e = s.neg_mul_add(s.mul(x, y), y, s.splat(1.0));
    s.mul_add(s.mul(y, e), s.splat(0.5), y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `1/sqrt` of every available instruction set against `1 / x.sqrt()`
    /// over normal inputs spanning the f64 exponent range and every
    /// mantissa region: full accuracy within 4 ulp (2^-50 relative),
    /// relaxed within the stated bound.
    struct RsqrtErrors<'a>(&'a [f64]);

    impl WithSimd for RsqrtErrors<'_> {
        type Output = (f64, f64);
        #[inline(always)]
        fn with_simd<S: Simd>(self, s: S) -> (f64, f64) {
            let (mut full, mut relaxed) = (0.0f64, 0.0f64);
            let mut out = vec![0.0; S::LANES];
            for x in self.0.chunks_exact(S::LANES) {
                let exact: Vec<f64> = x.iter().map(|v| 1.0 / v.sqrt()).collect();
                s.store(s.rsqrt(s.load(x)), &mut out);
                for (a, b) in out.iter().zip(&exact) {
                    full = full.max(((a - b) / b).abs());
                }
                s.store(s.rsqrt_relaxed(s.load(x)), &mut out);
                for (a, b) in out.iter().zip(&exact) {
                    relaxed = relaxed.max(((a - b) / b).abs());
                }
            }
            (full, relaxed)
        }
    }

    /// The relaxed bound of every instruction set, this CPU's or not (a
    /// query, not a dispatch), equal to its token's where it can run.
    #[test]
    fn relaxed_bounds_are_known_for_every_instruction_set() {
        struct TokenBound;
        impl WithSimd for TokenBound {
            type Output = f64;
            fn with_simd<S: Simd>(self, _: S) -> f64 {
                S::RELAXED_RSQRT_ERROR
            }
        }
        for isa in ALL {
            let e = isa.relaxed_rsqrt_error();
            assert!((4.0 * f64::EPSILON..1e-6).contains(&e), "{isa}: {e}");
            if isa.is_available() {
                assert_eq!(e, isa.dispatch(TokenBound), "{isa}");
            }
        }
    }

    #[test]
    fn rsqrt_meets_its_bounds_on_every_instruction_set() {
        // Mantissas on a fine grid times powers of two over the normal range
        // (the seeds' errors depend on the mantissa and the exponent parity).
        let mut xs = Vec::new();
        for e in (-1020..1020).step_by(7) {
            for k in 0..64 {
                xs.push((1.0 + k as f64 / 64.0) * 2f64.powi(e));
            }
        }
        xs.extend([f64::MIN_POSITIVE, f64::MAX, 1.0, 4.0, 0.25, 1e-300, 1e300]);
        while xs.len() % 8 != 0 {
            xs.push(2.0);
        }
        for isa in Isa::available() {
            let (full, relaxed) = isa.dispatch(RsqrtErrors(&xs));
            let bound = isa.relaxed_rsqrt_error();
            assert!(full <= 2f64.powi(-50), "{isa}: full {full:e} > 2^-50");
            assert!(relaxed <= bound, "{isa}: relaxed {relaxed:e} > {bound:e}");
            eprintln!("{isa}: full {full:.2e}, relaxed {relaxed:.2e} (bound {bound:.1e})");
        }
    }

    #[test]
    fn names_round_trip_and_the_best_is_available() {
        for isa in ALL {
            assert_eq!(isa.to_string().parse::<Isa>(), Ok(isa));
        }
        assert!(Isa::best().is_available());
        assert!(ALL.iter().all(|isa| isa.lanes() <= MAX_LANES));
        assert!("sse".parse::<Isa>().unwrap_err().contains("neon"));
    }
}
