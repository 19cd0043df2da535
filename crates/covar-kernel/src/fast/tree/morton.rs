//! Morton (Z-order) keys on the `2^21`-cell grid of the root cube.
//!
//! A point's three cell indices (21 bits each) are interleaved into a 63-bit
//! key, x the most significant bit of each triple:
//!
//! ```text
//! key = sum_k  x_k 2^(3k+2) + y_k 2^(3k+1) + z_k 2^(3k),   k = 0..21
//! ```
//!
//! Because the grid spans a cube, the top `3 l` bits of a key name the
//! octree cell of level `l` that holds the point, and sorting by key lists
//! the points of every cell contiguously.

use super::MAX_LEVEL;

/// Cells per axis of the finest grid, `2^21`, as a float.
const CELLS: f64 = (1u64 << MAX_LEVEL) as f64;

/// The largest cell index on an axis, `2^21 - 1`.
const MAX_CELL: u32 = (1 << MAX_LEVEL) - 1;

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

/// Interleaves three 21-bit cell indices into a 63-bit key.
const fn encode(ix: u32, iy: u32, iz: u32) -> u64 {
    (spread(ix) << 2) | (spread(iy) << 1) | spread(iz)
}

/// Splits a key back into its cell indices `[ix, iy, iz]` on the finest grid.
const fn decode(key: u64) -> [u32; 3] {
    [compact(key >> 2), compact(key >> 1), compact(key)]
}

/// The key bits that name the cell of level `level` (`0..=21`) holding a
/// point: equal for two points exactly when they share that cell.
#[inline]
pub(super) fn prefix(key: u64, level: u8) -> u64 {
    let shift = 3 * u32::from(MAX_LEVEL - level);
    key.checked_shr(shift).unwrap_or(0)
}

/// The octant (`0..8`) of the level-`level + 1` cell holding `key` inside
/// its level-`level` parent (`level < 21`).
#[inline]
pub(super) fn octant(key: u64, level: u8) -> usize {
    debug_assert!(level < MAX_LEVEL);
    ((key >> (3 * u32::from(MAX_LEVEL - 1 - level))) & 7) as usize
}

/// The root cube `[lo, lo + side]^3` that the Morton grid spans.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Cube {
    /// Minimum corner.
    pub lo: [f64; 3],
    /// Side length (0 when all points coincide or there are none).
    pub side: f64,
    /// `2^21 / side` when finite and > 0; 0 otherwise (then keys divide).
    cells_per_unit: f64,
}

impl Cube {
    /// The cube `[lo, lo + side]^3` (`side` finite and >= 0).
    pub fn new(lo: [f64; 3], side: f64) -> Self {
        let inv = CELLS / side;
        Self {
            lo,
            side,
            cells_per_unit: if inv.is_finite() { inv } else { 0.0 },
        }
    }

    /// Morton key of point `p`. Coordinates are quantized as
    /// `floor((c - lo) * 2^21 / side)` (by one multiplication with a
    /// precomputed scale, or a division when the scale overflows for a
    /// tiny side), clamped to `0..2^21` so that rounding at the cube's faces
    /// cannot leave the grid.
    #[inline]
    pub fn key(&self, p: [f64; 3]) -> u64 {
        let q = |a: usize| -> u32 {
            let t = if self.cells_per_unit > 0.0 {
                (p[a] - self.lo[a]) * self.cells_per_unit
            } else if self.side > 0.0 {
                (p[a] - self.lo[a]) / self.side * CELLS
            } else {
                0.0
            };
            // Saturating cast: negative (rounding below `lo`) gives 0.
            (t as u32).min(MAX_CELL)
        };
        encode(q(0), q(1), q(2))
    }

    /// Center and half-width of the cell of level `level` that holds `key`.
    /// The half-width is `side / 2^(level + 1)`, exactly.
    #[inline]
    pub fn cell(&self, key: u64, level: u8) -> ([f64; 3], f64) {
        let width = self.side / (1u64 << level) as f64;
        let shift = u32::from(MAX_LEVEL - level);
        let idx = decode(key);
        let center = |a: usize| self.lo[a] + (f64::from(idx[a] >> shift) + 0.5) * width;
        ([center(0), center(1), center(2)], 0.5 * width)
    }

    /// The coordinate scale of the cube, `side + max_a |lo_a|`: rounding in
    /// the quantization and in cell centers is a few ulps of it.
    pub fn scale(&self) -> f64 {
        self.side + self.lo.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        assert_eq!(encode(1, 0, 0), 0b100);
        assert_eq!(encode(0, 1, 0), 0b010);
        assert_eq!(encode(0, 0, 1), 0b001);
        assert_eq!(encode(MAX_CELL, MAX_CELL, MAX_CELL), (1 << 63) - 1);
        for v in [[5, 6, 7], [MAX_CELL, 0, 12345], [1 << 20, 3, MAX_CELL]] {
            assert_eq!(decode(encode(v[0], v[1], v[2])), v);
        }
    }

    #[test]
    fn prefixes_and_octants() {
        let key = encode(MAX_CELL, 0, 0);
        assert_eq!(prefix(key, 0), 0);
        assert_eq!(prefix(key, 1), 0b100);
        assert_eq!(prefix(key, 21), key);
        assert_eq!(octant(key, 0), 0b100);
        assert_eq!(octant(key, 20), 0b100);
    }

    #[test]
    fn tiny_and_empty_cubes_give_keys_on_the_grid() {
        let tiny = Cube::new([0.0; 3], 1e-310);
        assert_eq!(tiny.cells_per_unit, 0.0); // 2^21 / 1e-310 overflows
        assert_eq!(tiny.key([0.0; 3]), 0);
        assert_eq!(tiny.key([1e-310; 3]), (1 << 63) - 1);
        assert_eq!(tiny.key([0.5e-310, 0.0, 0.0]) >> 60, 0b100);
        let point = Cube::new([3.0; 3], 0.0);
        assert_eq!(point.key([3.0; 3]), 0);
    }

    #[test]
    fn cells_nest() {
        let cube = Cube::new([-1.0, 0.0, 2.0], 4.0);
        let key = cube.key([2.9, 0.1, 5.99]);
        let (c0, h0) = cube.cell(key, 0);
        assert_eq!((c0, h0), ([1.0, 2.0, 4.0], 2.0));
        let (c1, h1) = cube.cell(key, 1);
        assert_eq!((c1, h1), ([2.0, 1.0, 5.0], 1.0));
        let (c21, h21) = cube.cell(key, 21);
        assert_eq!(h21, 4.0 / (1u64 << 22) as f64);
        for (a, p) in [2.9, 0.1, 5.99].into_iter().enumerate() {
            assert!((p - c21[a]).abs() <= h21);
        }
    }
}
