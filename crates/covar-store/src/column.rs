//! Aligned, padded column storage and the padding convention.
//!
//! Every column of a [`ParticleStore`](crate::ParticleStore) is a
//! [`LANES`]-padded, [`ALIGN`]-byte aligned buffer. Kernels may run their SIMD
//! loops over the full padded length without a scalar tail; the padding values
//! below make the extra lanes harmless:
//!
//! | column | padding value | why |
//! |---|---|---|
//! | `x`, `y`, `z` | last real particle's coordinate (0 if it is not finite, or if the store is empty) | finite, inside the bounding box |
//! | `px`, `py`, `pz` | [`PAD_MOMENTUM`] = 0 | no velocity, no current |
//! | `mass` | [`PAD_MASS`] = 1 | `p / m` never divides by zero |
//! | `charge` | [`PAD_CHARGE`] = 0 | a padded source contributes nothing |
//! | `id` | [`PAD_ID`] = `u64::MAX` | never a real id |
//!
//! Numerical caveat for kernel authors: a padded lane sits at the same place as
//! the last real particle, so its distance to that particle is 0. Kernels
//! already mask zero-distance pairs to exclude the self term (DESIGN.md section
//! 3); that mask also covers the padding. Multiplying the zero charge by an
//! unmasked `1/0` would give NaN, not 0.

use aligned_vec::{AVec, ConstAlign};

/// Number of `f64` lanes every column is padded to a multiple of (one AVX-512
/// register, two AVX2 registers).
pub const LANES: usize = 8;

/// Byte alignment of the first element of every column (one cache line).
pub const ALIGN: usize = 64;

/// Momentum components of padded lanes.
pub const PAD_MOMENTUM: f64 = 0.0;

/// Mass of padded lanes (positive, so `momentum / mass` stays finite).
pub const PAD_MASS: f64 = 1.0;

/// Charge of padded lanes (a padded source contributes nothing).
pub const PAD_CHARGE: f64 = 0.0;

/// Id of padded lanes (never the id of a real particle).
pub const PAD_ID: u64 = u64::MAX;

/// An [`ALIGN`]-byte aligned, growable buffer: the storage of one column.
pub(crate) type AlignedVec<T> = AVec<T, ConstAlign<ALIGN>>;

/// The padded length of a column holding `n` real entries: the smallest
/// multiple of [`LANES`] that is `>= n`.
///
/// # Examples
///
/// ```
/// use covar_store::padded_len;
/// assert_eq!(padded_len(0), 0);
/// assert_eq!(padded_len(1), 8);
/// assert_eq!(padded_len(8), 8);
/// assert_eq!(padded_len(17), 24);
/// ```
#[must_use]
pub const fn padded_len(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// An empty aligned buffer with room for `capacity` elements.
pub(crate) fn with_capacity<T>(capacity: usize) -> AlignedVec<T> {
    AVec::with_capacity(ALIGN, capacity)
}

/// Writes the position padding of one coordinate column: every padded entry
/// becomes the last real coordinate, or 0 when there is none or it is not
/// finite (so padding is finite whatever the real data hold).
pub(crate) fn fill_position_padding(real: &[f64], padding: &mut [f64]) {
    let value = match real.last() {
        Some(&v) if v.is_finite() => v,
        _ => 0.0,
    };
    padding.fill(value);
}
