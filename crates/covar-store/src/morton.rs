//! Morton (Z-order) keys and the Morton sort of a store.
//!
//! Positions are quantized on a `2^21`-cell grid per axis spanning the
//! bounding *cube* of the particles (the smallest axis-aligned cube, anchored
//! at the minimum corner of the bounding box, that contains them), and the 21
//! bits of the three cell indices are interleaved into a 63-bit key, x the
//! most significant in each triple:
//!
//! ```text
//! key = sum_k  x_k 2^(3k+2) + y_k 2^(3k+1) + z_k 2^(3k),   k = 0..21
//! ```
//!
//! Because the grid is cubic, the top `3l` bits of a key name the octree cell
//! of level `l` that holds the particle, so sorted keys give octree leaves as
//! contiguous ranges.
//!
//! Degenerate cases are well defined: an empty store, one particle, or all
//! particles at one point give a cube of side 0 and every key 0. Coordinates
//! that are not finite are ignored when computing the cube and get cell 0
//! (NaN, `-inf`) or the last cell (`+inf`); run
//! [`validate`](crate::ParticleStore::validate) first if that matters.

use glam::DVec3;
use rayon::prelude::*;

use crate::ParticleStore;

/// Bits per axis in a Morton key.
pub const MORTON_BITS: u32 = 21;

/// Cells per axis of the Morton grid: `2^21`.
pub const MORTON_CELLS: u32 = 1 << MORTON_BITS;

/// Spreads the low 21 bits of `v` so that bit `k` lands at bit `3k`.
const fn spread(v: u32) -> u64 {
    let mut x = (v as u64) & 0x1f_ffff;
    x = (x | (x << 32)) & 0x001f_0000_0000_ffff;
    x = (x | (x << 16)) & 0x001f_0000_ff00_00ff;
    x = (x | (x << 8)) & 0x100f_00f0_0f00_f00f;
    x = (x | (x << 4)) & 0x10c3_0c30_c30c_30c3;
    x = (x | (x << 2)) & 0x1249_2492_4924_9249;
    x
}

/// Inverse of [`spread`]: gathers bits `3k` into bit `k`.
const fn compact(key: u64) -> u32 {
    let mut x = key & 0x1249_2492_4924_9249;
    x = (x | (x >> 2)) & 0x10c3_0c30_c30c_30c3;
    x = (x | (x >> 4)) & 0x100f_00f0_0f00_f00f;
    x = (x | (x >> 8)) & 0x001f_0000_ff00_00ff;
    x = (x | (x >> 16)) & 0x001f_0000_0000_ffff;
    x = (x | (x >> 32)) & 0x1f_ffff;
    x as u32
}

/// Interleaves three 21-bit cell indices into a 63-bit Morton key (bits above
/// 21 of each index are ignored).
///
/// # Examples
///
/// ```
/// use covar_store::morton::{morton_decode, morton_encode};
/// assert_eq!(morton_encode(1, 0, 0), 0b100);
/// assert_eq!(morton_encode(0, 1, 0), 0b010);
/// assert_eq!(morton_encode(0, 0, 1), 0b001);
/// let max = (1 << 21) - 1;
/// assert_eq!(morton_encode(max, max, max), (1 << 63) - 1);
/// assert_eq!(morton_decode(morton_encode(5, 6, 7)), [5, 6, 7]);
/// ```
#[must_use]
pub const fn morton_encode(ix: u32, iy: u32, iz: u32) -> u64 {
    (spread(ix) << 2) | (spread(iy) << 1) | spread(iz)
}

/// Splits a Morton key back into its three cell indices `[ix, iy, iz]`.
#[must_use]
pub const fn morton_decode(key: u64) -> [u32; 3] {
    [compact(key >> 2), compact(key >> 1), compact(key)]
}

/// The cube the Morton grid spans: `[min, min + side]` on each axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingCube {
    /// Minimum corner (the minimum of the finite coordinates on each axis; 0
    /// on an axis without any).
    pub min: DVec3,
    /// Side: the largest extent of the finite coordinates over the three
    /// axes (0 for a degenerate set).
    pub side: f64,
}

impl BoundingCube {
    /// The bounding cube of a store's positions.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::{Particle, ParticleStore, morton::BoundingCube};
    /// use glam::DVec3;
    /// let store = ParticleStore::from_particles([
    ///     Particle::new(DVec3::new(0.0, 0.0, 0.0), DVec3::ZERO, 1.0, 1.0),
    ///     Particle::new(DVec3::new(2.0, 1.0, -1.0), DVec3::ZERO, 1.0, 1.0),
    /// ]);
    /// let cube = BoundingCube::of_store(&store);
    /// assert_eq!(cube.min, DVec3::new(0.0, 0.0, -1.0));
    /// assert_eq!(cube.side, 2.0);
    /// ```
    #[must_use]
    pub fn of_store(store: &ParticleStore) -> Self {
        Self::of_points(store.x(), store.y(), store.z())
    }

    /// The bounding cube of points given as coordinate columns.
    #[must_use]
    pub fn of_points(x: &[f64], y: &[f64], z: &[f64]) -> Self {
        let (min_x, max_x) = finite_range(x);
        let (min_y, max_y) = finite_range(y);
        let (min_z, max_z) = finite_range(z);
        let side = (max_x - min_x).max(max_y - min_y).max(max_z - min_z);
        Self {
            min: DVec3::new(min_x, min_y, min_z),
            side: if side.is_finite() { side } else { 0.0 },
        }
    }

    /// Grid cell `[ix, iy, iz]` of a point, each in `0..MORTON_CELLS`
    /// (points outside the cube are clamped to its boundary cells).
    #[must_use]
    pub fn cell(&self, p: DVec3) -> [u32; 3] {
        [
            quantize(p.x, self.min.x, self.side),
            quantize(p.y, self.min.y, self.side),
            quantize(p.z, self.min.z, self.side),
        ]
    }

    /// Morton key of a point.
    #[must_use]
    pub fn key(&self, p: DVec3) -> u64 {
        let [ix, iy, iz] = self.cell(p);
        morton_encode(ix, iy, iz)
    }
}

/// (min, max) of the finite values, or (0, 0) when there is none.
fn finite_range(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .par_iter()
        .filter(|v| v.is_finite())
        .fold(
            || (f64::INFINITY, f64::NEG_INFINITY),
            |(lo, hi), &v| (lo.min(v), hi.max(v)),
        )
        .reduce(
            || (f64::INFINITY, f64::NEG_INFINITY),
            |(a, b), (c, d)| (a.min(c), b.max(d)),
        );
    if lo <= hi { (lo, hi) } else { (0.0, 0.0) }
}

/// Cell index of coordinate `c` on a grid of `MORTON_CELLS` cells over
/// `[min, min + side]`. Saturating float-to-int casts make every input safe:
/// NaN and values below the cube give 0, values above give the last cell.
fn quantize(c: f64, min: f64, side: f64) -> u32 {
    if side > 0.0 {
        let t = (c - min) / side;
        ((t * f64::from(MORTON_CELLS)) as u32).min(MORTON_CELLS - 1)
    } else if c == f64::INFINITY {
        MORTON_CELLS - 1
    } else {
        0
    }
}

/// Morton keys of a store's particles, in store order, computed in parallel
/// over the store's [`BoundingCube`].
///
/// # Examples
///
/// ```
/// use covar_store::{ic::UniformCube, morton::morton_keys};
/// let store = UniformCube::new(100, 8).generate()?;
/// let keys = morton_keys(&store);
/// assert_eq!(keys.len(), 100);
/// assert!(keys.iter().all(|&k| k < 1 << 63));
/// # Ok::<(), covar_store::StoreError>(())
/// ```
#[must_use]
pub fn morton_keys(store: &ParticleStore) -> Vec<u64> {
    let cube = BoundingCube::of_store(store);
    let (x, y, z) = (store.x(), store.y(), store.z());
    (0..store.len())
        .into_par_iter()
        .map(|i| cube.key(DVec3::new(x[i], y[i], z[i])))
        .collect()
}

impl ParticleStore {
    /// Sorts the particles by Morton key (ties broken by their index before
    /// the sort, so the result is deterministic, whatever the thread count).
    /// All columns move, ids included; padding is kept.
    ///
    /// Returns the permutation applied: the particle now at index `k` was at
    /// index `perm[k]` before the call (so `perm` maps back, and
    /// [`ids`](Self::ids) keeps mapping to the original creation order).
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::{ic::Plummer, morton::morton_keys};
    /// let mut store = Plummer::new(500, 7).generate()?;
    /// let before = store.clone();
    /// let perm = store.morton_sort();
    /// let keys = morton_keys(&store);
    /// assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    /// for (k, &old) in perm.iter().enumerate() {
    ///     assert_eq!(store.particle(k), before.particle(old));
    /// }
    /// # Ok::<(), covar_store::StoreError>(())
    /// ```
    pub fn morton_sort(&mut self) -> Vec<usize> {
        let mut order: Vec<(u64, usize)> = morton_keys(self)
            .into_par_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        // (key, index) pairs are distinct, so an unstable sort is deterministic.
        order.par_sort_unstable();
        let perm: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
        self.permute_unchecked(&perm);
        perm
    }
}
