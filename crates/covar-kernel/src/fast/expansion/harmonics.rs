//! Real regular and irregular solid harmonics of a vector.

use super::Frame;
use super::n_coefficients;
use super::tables::{MAX_DEGREE, tables};
use crate::Points;
use crate::simd::{MAX_LANES, Simd};

/// The real regular solid harmonics `R_{n,k}(v)`, `n <= p`, into
/// `out[..(p+1)^2]` in coefficient order (see the module documentation:
/// `C_n^m` at `n^2 + n + m`, `S_n^m` at `n^2 + n - m`).
///
/// Schmidt semi-normalized: `sum_k R_{n,k}(v)^2 = |v|^(2n)`, so every value is
/// at most `|v|^n` in size; `R_{0,0} = 1` and `(C_1^1, S_1^1, C_1^0) = (x, y, z)`.
/// Computed by the three-term recurrence in `n` at fixed `m`, `O(p^2)`.
///
/// # Panics
///
/// If `out` is shorter than `(p+1)^2` or `p > 2 MAX_ORDER + 2`.
///
/// # Examples
///
/// ```
/// use covar_kernel::fast::expansion::{index, regular};
/// let mut r = [0.0; 9];
/// regular(2, [1.0, 2.0, 3.0], &mut r);
/// assert_eq!(r[index(1, 1)], 1.0);
/// assert_eq!(r[index(1, -1)], 2.0);
/// assert_eq!(r[index(1, 0)], 3.0);
/// // C_2^0 = (3 z^2 - r^2) / 2
/// assert!((r[index(2, 0)] - (27.0 - 14.0) / 2.0).abs() < 1e-14);
/// ```
pub fn regular(p: usize, v: [f64; 3], out: &mut [f64]) {
    assert!(p <= MAX_DEGREE, "degree {p} above the tables' {MAX_DEGREE}");
    let out = &mut out[..n_coefficients(p)];
    let t = tables();
    let [x, y, z] = v;
    let r2 = x * x + y * y + z * z;
    // Complex Schmidt diagonal Y_m^m r^m, times sqrt2 for m > 0.
    let (mut dr, mut di) = (1.0, 0.0);
    for m in 0..=p {
        if m > 0 {
            // sqrt((2m-1)/(2m)), times sqrt2 once (at m = 1, where the product is 1).
            let f = if m == 1 { 1.0 } else { t.diag[m] };
            (dr, di) = (f * (dr * x - di * y), f * (dr * y + di * x));
        }
        let mm = m * m + m;
        out[mm + m] = dr;
        if m > 0 {
            out[mm - m] = di;
        }
        let (mut c2, mut c1) = (0.0, dr);
        let (mut s2, mut s1) = (0.0, di);
        for n in m + 1..=p {
            let nn = n * n + n;
            let (f1, f2) = (t.rec1[nn + m] * z, t.rec2[nn + m] * r2);
            let c = f1 * c1 - f2 * c2;
            out[nn + m] = c;
            (c2, c1) = (c1, c);
            if m > 0 {
                let s = f1 * s1 - f2 * s2;
                out[nn - m] = s;
                (s2, s1) = (s1, s);
            }
        }
    }
}

/// The coordinates about `frame` of points `i0 .. i0 + len` (`1 <= len <=
/// S::LANES`), one point per lane; lanes past the last point repeat it.
#[inline(always)]
pub(crate) fn local_lanes<S: Simd>(
    s: S,
    frame: Frame,
    points: Points<'_>,
    i0: usize,
    len: usize,
) -> [S::V; 3] {
    let mut lanes = [[0.0; MAX_LANES]; 3];
    for k in 0..S::LANES {
        let i = i0 + k.min(len - 1);
        let v = frame.local(points.x[i], points.y[i], points.z[i]);
        for d in 0..3 {
            lanes[d][k] = v[d];
        }
    }
    lanes.map(|l| s.load(&l))
}

/// [`regular`] of `S::LANES` vectors at once (one per lane): harmonic `k`
/// of lane `l` at `out[k * S::LANES + l]`. The same recurrence, with fused
/// multiply-adds where the instruction set has them.
///
/// # Panics
///
/// If `out` is shorter than `(p+1)^2 S::LANES` or `p > 2 MAX_ORDER + 2`.
#[inline(always)]
pub(crate) fn regular_lanes<S: Simd>(s: S, p: usize, v: [S::V; 3], out: &mut [f64]) {
    assert!(p <= MAX_DEGREE, "degree {p} above the tables' {MAX_DEGREE}");
    let w = S::LANES;
    let out = &mut out[..n_coefficients(p) * w];
    let t = tables();
    let [x, y, z] = v;
    let r2 = s.mul_add(z, z, s.mul_add(y, y, s.mul(x, x)));
    let (mut dr, mut di) = (s.splat(1.0), s.splat(0.0));
    for m in 0..=p {
        if m > 0 {
            let f = s.splat(if m == 1 { 1.0 } else { t.diag[m] });
            let re = s.neg_mul_add(di, y, s.mul(dr, x));
            let im = s.mul_add(dr, y, s.mul(di, x));
            (dr, di) = (s.mul(f, re), s.mul(f, im));
        }
        let mm = m * m + m;
        s.store(dr, &mut out[(mm + m) * w..]);
        if m > 0 {
            s.store(di, &mut out[(mm - m) * w..]);
        }
        let (mut c2, mut c1) = (s.splat(0.0), dr);
        let (mut s2, mut s1) = (s.splat(0.0), di);
        for n in m + 1..=p {
            let nn = n * n + n;
            let f1 = s.mul(s.splat(t.rec1[nn + m]), z);
            let f2 = s.mul(s.splat(t.rec2[nn + m]), r2);
            let c = s.neg_mul_add(f2, c2, s.mul(f1, c1));
            s.store(c, &mut out[(nn + m) * w..]);
            (c2, c1) = (c1, c);
            if m > 0 {
                let sv = s.neg_mul_add(f2, s2, s.mul(f1, s1));
                s.store(sv, &mut out[(nn - m) * w..]);
                (s2, s1) = (s1, sv);
            }
        }
    }
}

/// The real irregular solid harmonics `I_{n,k}(v) = R_{n,k}(v) / |v|^(2n+1)`,
/// `n <= p`, into `out[..(p+1)^2]`, computed as `R(v / |v|^2) / |v|`.
///
/// Every value is at most `|v|^-(n+1)` in size.
///
/// # Panics
///
/// As [`regular`]; `v` must not be zero (debug builds check it).
///
/// # Examples
///
/// ```
/// use covar_kernel::fast::expansion::{index, irregular};
/// let mut i = [0.0; 4];
/// irregular(1, [0.0, 0.0, 2.0], &mut i);
/// assert_eq!(i[index(0, 0)], 0.5); // 1 / r
/// assert_eq!(i[index(1, 0)], 0.25); // z / r^3
/// ```
pub fn irregular(p: usize, v: [f64; 3], out: &mut [f64]) {
    let r2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    debug_assert!(r2 > 0.0, "irregular harmonics at the origin");
    let inv2 = 1.0 / r2;
    regular(p, [v[0] * inv2, v[1] * inv2, v[2] * inv2], out);
    let inv = inv2.sqrt();
    for o in &mut out[..n_coefficients(p)] {
        *o *= inv;
    }
}
