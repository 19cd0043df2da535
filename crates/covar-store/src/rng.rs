//! The seeded random number generator behind every initial condition.
//!
//! [`SeededRng`] wraps `Xoshiro256PlusPlus` seeded with `seed_from_u64` and
//! converts its output to floats with integer arithmetic only, so a seed gives
//! the same bits on every machine. (Transcendental functions of the samples
//! are taken from the `libm` crate, not from `std`, for the same reason: `std`
//! calls the platform's math library, whose last bits vary.)

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// `2^-53`, the spacing of the floats [`SeededRng::next_f64`] returns.
const TWO_POW_M53: f64 = 1.0 / 9_007_199_254_740_992.0;

/// `2^-52`, the cell width of [`SeededRng::next_f64_open`].
const TWO_POW_M52: f64 = 1.0 / 4_503_599_627_370_496.0;

/// A reproducible random stream: `Xoshiro256PlusPlus::seed_from_u64(seed)`
/// with platform-independent conversions to `f64`.
///
/// Use it for seeded fixtures in tests, benchmarks and examples.
///
/// # Examples
///
/// ```
/// use covar_store::SeededRng;
/// let mut a = SeededRng::new(42);
/// let mut b = SeededRng::new(42);
/// let u = a.next_f64();
/// assert_eq!(u.to_bits(), b.next_f64().to_bits());
/// assert!((0.0..1.0).contains(&u));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededRng(Xoshiro256PlusPlus);

impl SeededRng {
    /// The stream for `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    /// The next raw 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `[0, 1)`: `(u >> 11) * 2^-53`, every multiple of `2^-53`
    /// equally likely.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * TWO_POW_M53
    }

    /// Uniform in the open interval `(0, 1)`: `((u >> 12) + 1/2) * 2^-52`,
    /// i.e. the midpoints of a grid of `2^52` cells (exactly representable,
    /// so the result is never 0 or 1 and is safe under `log` and negative
    /// powers).
    pub fn next_f64_open(&mut self) -> f64 {
        ((self.next_u64() >> 12) as f64 + 0.5) * TWO_POW_M52
    }

    /// Uniform in `[lo, hi)` (for `lo < hi` of moderate size):
    /// `lo + (hi - lo) * next_f64()`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }

    /// Uniform integer in `0..n` without modulo bias (Lemire's method);
    /// returns 0 when `n == 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// `+1.0` or `-1.0` with equal probability (the top bit of one draw).
    pub fn sign(&mut self) -> f64 {
        if self.next_u64() >> 63 == 1 {
            1.0
        } else {
            -1.0
        }
    }

    /// Shuffles `items` in place (Fisher–Yates, with [`below`](Self::below)).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            // i < items.len() <= usize::MAX, so both conversions are lossless.
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SeededRng;

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = SeededRng::new(1);
        assert_eq!(rng.below(0), 0, "below(0) is 0, not a panic");
        assert_eq!(rng.below(1), 0, "below(1) is always 0");
        for n in [2u64, 3, 7, 10, 1 << 40, u64::MAX] {
            for _ in 0..200 {
                assert!(rng.below(n) < n, "below({n}) < {n}");
            }
        }
        let mut hits = [0usize; 5];
        for _ in 0..5000 {
            hits[rng.below(5) as usize] += 1;
        }
        assert!(
            hits.iter().all(|&h| (850..1150).contains(&h)),
            "below(5) is roughly uniform: {hits:?}"
        );
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        SeededRng::new(4).shuffle(&mut a);
        SeededRng::new(4).shuffle(&mut b);
        assert_eq!(a, b, "same seed, same shuffle");
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>(), "shuffle permutes");
        assert_ne!(a, sorted, "shuffle moves things");
    }

    #[test]
    fn floats_are_in_their_intervals() {
        let mut rng = SeededRng::new(2);
        for _ in 0..10_000 {
            let u = rng.next_f64();
            assert!((0.0..1.0).contains(&u), "next_f64 in [0, 1): {u}");
            let v = rng.next_f64_open();
            assert!(v > 0.0 && v < 1.0, "next_f64_open in (0, 1): {v}");
            let s = rng.sign();
            assert!(s == 1.0 || s == -1.0, "sign is +-1: {s}");
        }
    }
}
