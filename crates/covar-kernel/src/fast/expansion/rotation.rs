//! Rotation of expansion coefficients, so that a translation runs along `z`.
//!
//! For a direction `d` with polar angle `theta` and azimuth `phi`, the
//! rotation `Q = R_y(-theta) R_z(-phi)` takes `d` to `+z`. Real harmonics of
//! degree `n` transform by an orthogonal matrix,
//! `R_n(Q v) = D_n(Q) R_n(v)`, and so do the coefficients of multipole and
//! local expansions in the rotated frame: `M' = D(Q) M`, `L = D(Q)^T L'`.
//!
//! - `R_z(alpha)` is diagonal in `m`: it turns each `(C^m, S^m)` pair by
//!   `m alpha`, `O(p^2)`.
//! - `R_y(beta)` does not mix cosine and sine parts (it commutes with the
//!   reflection `y -> -y`), so `D_n` is a cosine block of size `n + 1` and a
//!   sine block of size `n`. They come from the (real) Wigner matrix
//!   `d^n_{k,m'}(beta)` of the complex Schmidt harmonics,
//!   `R_n^k(R_y v) = sum_{m'} d^n_{k,m'} R_n^{m'}(v)`, as
//!
//!   ```text
//!   C_{m,m'} = s_m s_m' (d_{m,m'} + (-1)^m d_{-m,m'}),   S_{m,m'} = d_{m,m'} - (-1)^m d_{-m,m'},
//!   s_0 = 1/sqrt2, s_{m>0} = 1.
//!   ```
//!
//! `d^n` follows from `d^{n-1}` by differentiating
//! `R_n^k(Q v) = sum d^n_{k,m'} R_n^{m'}(v)` (the derivative relations in
//! the gradient module): with `c = cos beta`, `s = sin beta`,
//!
//! ```text
//! n d^n_{k,0}          =  c a(n,k) d_{k,0}     + (s/2) b(n,k) d_{k-1,0}         - (s/2) b(n,-k) d_{k+1,0}
//! b(n,m') d^n_{k,m'}   = -s a(n,k) d_{k,m'-1}  + ((1+c)/2) b(n,k) d_{k-1,m'-1}  + ((1-c)/2) b(n,-k) d_{k+1,m'-1}
//! ```
//!
//! (right-hand sides of degree `n - 1`, zero outside `|k| <= n - 1`), an
//! Ivanic–Ruedenberg-type recurrence: `O(p^3)` for all degrees, orthogonal
//! to `~5e-14` at `p = 30` and `~1e-10` at `p = 64`. Only the half
//! `m' <= |k|` of each degree is computed: the recurrence stays inside it,
//! and by the symmetries (in this phase convention)
//! `d_{k,m'} = (-1)^(k+m') d_{m',k}` and `d_{-j,m'} = d_{-m',j}` the blocks
//! are signed-symmetric, `B_{m',m} = (-1)^(m+m') B_{m,m'}`: `B = P A` with
//! `P = diag((-1)^m)` and `A` symmetric. Only the lower triangle of each
//! `A` is stored, and `B z = P (A z)`, `B^T w = A (P w)` are symmetric
//! matrix-vector products over it. The operators build `D` once per call
//! and apply it to all channels (and, in the mutual M2L, both cells), four
//! channels at a time so that each matrix entry is loaded once per four
//! multiply-adds.

use std::f64::consts::FRAC_1_SQRT_2;

use super::MAX_ORDER;
use super::tables::tables;

/// The rotation of an order-`p` expansion that takes a given axis to `+z`.
///
/// # Examples
///
/// Rotating the harmonics of a point equals the harmonics of the rotated
/// point (here the axis `x` goes to `z`, so `x` goes to `z`):
///
/// ```
/// use covar_kernel::fast::expansion::{Rotation, regular};
/// let p = 4;
/// let mut rot = Rotation::new(p);
/// rot.set_axis([1.0, 0.0, 0.0]);
/// let (mut a, mut b, mut c) = ([0.0; 25], [0.0; 25], [0.0; 25]);
/// regular(p, [0.3, 0.2, -0.4], &mut a);
/// rot.rotate(&a, &mut b, 1);
/// regular(p, [0.4, 0.2, 0.3], &mut c); // R_y(-pi/2): (x, y, z) -> (-z, y, x)
/// assert!(b.iter().zip(&c).all(|(u, v)| (u - v).abs() < 1e-14));
/// ```
#[derive(Clone, Debug)]
pub struct Rotation {
    p: usize,
    /// Wigner `d` of two consecutive degrees: row `k + p + 2`, column
    /// `m' <= p`, rows beyond the degree kept zero.
    d: [Vec<f64>; 2],
    /// The symmetric `A = P B` of the cosine and sine blocks of every
    /// degree, lower triangles row by row, from `offsets`.
    blocks: Vec<f64>,
    offsets: Vec<usize>,
    /// `cos(m phi)`, `sin(m phi)`.
    cos_m: Vec<f64>,
    sin_m: Vec<f64>,
}

impl Rotation {
    /// Storage for order `p`, set to the identity.
    ///
    /// # Panics
    ///
    /// If `p > MAX_ORDER`.
    pub fn new(p: usize) -> Self {
        assert!(
            p <= MAX_ORDER,
            "expansion order {p} exceeds MAX_ORDER = {MAX_ORDER}"
        );
        let mut offsets = Vec::with_capacity(p + 2);
        let mut off = 0;
        for n in 0..=p {
            offsets.push(off);
            off += triangle(n + 1) + triangle(n);
        }
        offsets.push(off);
        let mut rot = Self {
            p,
            d: std::array::from_fn(|_| vec![0.0; (2 * p + 5) * (p + 1)]),
            blocks: vec![0.0; off],
            offsets,
            cos_m: vec![0.0; p + 1],
            sin_m: vec![0.0; p + 1],
        };
        rot.set_axis([0.0, 0.0, 1.0]);
        rot
    }

    /// The expansion order.
    pub fn order(&self) -> usize {
        self.p
    }

    /// Sets the rotation that takes the direction of `axis` to `+z`.
    ///
    /// On the `z` axis (either sign) the azimuth is taken as 0.
    ///
    /// # Panics
    ///
    /// If `axis` is zero or not finite.
    pub fn set_axis(&mut self, axis: [f64; 3]) {
        let rho = axis[0].hypot(axis[1]);
        let r = rho.hypot(axis[2]);
        assert!(
            r > 0.0 && r.is_finite(),
            "rotation axis {axis:?} is zero or not finite"
        );
        let (cphi, sphi) = if rho > 0.0 {
            (axis[0] / rho, axis[1] / rho)
        } else {
            (1.0, 0.0)
        };
        let (mut c, mut s) = (1.0, 0.0);
        for m in 0..=self.p {
            self.cos_m[m] = c;
            self.sin_m[m] = s;
            (c, s) = (c * cphi - s * sphi, s * cphi + c * sphi);
        }
        // beta = -theta.
        self.wigner(axis[2] / r, -rho / r);
    }

    /// Computes the blocks of `R_y(beta)` from `cos beta`, `sin beta`.
    fn wigner(&mut self, cb: f64, sb: f64) {
        let p = self.p;
        let t = tables();
        let w = p + 1;
        let row = |k: i64| (k + p as i64 + 2) as usize * w;
        // (1 + c) / 2 and (1 - c) / 2 without cancellation.
        let (hp, hm) = if cb >= 0.0 {
            let hm = sb * sb / (2.0 * (1.0 + cb));
            (1.0 - hm, hm)
        } else {
            let hp = sb * sb / (2.0 * (1.0 - cb));
            (hp, 1.0 - hp)
        };
        // Row k of degree n holds d_{k,m'} for m' <= |k| (the rest is never
        // read); rows n+1, n+2 of either sign are zero.
        let [d0, d1] = &mut self.d;
        let (mut prev, mut cur) = (d0, d1);
        // Degree 0, and zero rows +-1, +-2 of it.
        for k in -2..=2 {
            prev[row(k)] = 0.0;
        }
        prev[row(0)] = 1.0;
        self.blocks[0] = 1.0;
        for n in 1..=p {
            let ni = n as i64;
            let nn = n * n + n;
            let inv_n = 1.0 / n as f64;
            // Recurrence on the half |m'| <= |k| of rows k >= 0 and k < 0.
            for k in -ni..=ni {
                let ik = (nn as i64 + k) as usize;
                let jk = (nn as i64 - k) as usize;
                let (a, bp, bm) = (t.a[ik], t.b[ik], t.b[jk]);
                let kmax = k.unsigned_abs() as usize;
                let (r0, rl, rh) = (row(k), row(k - 1), row(k + 1));
                let (p0, pl, ph) = (
                    &prev[r0..r0 + kmax + 1],
                    &prev[rl..rl + kmax + 1],
                    &prev[rh..rh + kmax + 1],
                );
                let out = &mut cur[r0..r0 + kmax + 1];
                out[0] = (cb * a * p0[0] + 0.5 * sb * (bp * pl[0] - bm * ph[0])) * inv_n;
                let (ca, cp, cm) = (-sb * a, hp * bp, hm * bm);
                let inv_b = &t.inv_b[nn + 1..nn + kmax + 1];
                for ((((o, x0), xl), xh), ib) in
                    out[1..].iter_mut().zip(p0).zip(pl).zip(ph).zip(inv_b)
                {
                    *o = (ca * x0 + cp * xl + cm * xh) * ib;
                }
            }
            // Rows n+1, n+2 (either sign) must read as zero at degree n+1.
            for k in [ni + 1, ni + 2] {
                cur[row(k)..row(k) + n + 1].fill(0.0);
                cur[row(-k)..row(-k) + n + 1].fill(0.0);
            }
            // The lower triangles (m' <= m) of A = P B for the cosine and
            // sine blocks: A_{m,m'} = (-1)^m B_{m,m'}.
            let off = self.offsets[n];
            let (ctri, stri) = self.blocks[off..self.offsets[n + 1]].split_at_mut(triangle(n + 1));
            ctri[0] = cur[row(0)];
            for m in 1..=n {
                let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
                let (rp, rn) = (row(m as i64), row(-(m as i64)));
                let (pos, neg) = (&cur[rp..rp + m + 1], &cur[rn..rn + m + 1]);
                let crow = &mut ctri[triangle(m)..triangle(m + 1)];
                crow[0] = FRAC_1_SQRT_2 * (sign * pos[0] + neg[0]);
                let srow = &mut stri[triangle(m - 1)..triangle(m)];
                for (((c, s), x), y) in crow[1..].iter_mut().zip(srow).zip(&pos[1..]).zip(&neg[1..])
                {
                    *c = sign * x + y;
                    *s = sign * x - y;
                }
            }
            std::mem::swap(&mut prev, &mut cur);
        }
    }

    /// The lower triangles of the symmetric cosine and sine blocks of
    /// degree `n`.
    #[inline(always)]
    fn blocks(&self, n: usize) -> (&[f64], &[f64]) {
        self.blocks[self.offsets[n]..self.offsets[n + 1]].split_at(triangle(n + 1))
    }

    /// `dst = D src` for `nd` channels (channel-major, `(p+1)^2` each):
    /// the coefficients of an expansion in the rotated frame.
    ///
    /// # Panics
    ///
    /// If a buffer is shorter than `nd (p+1)^2`.
    pub fn rotate(&self, src: &[f64], dst: &mut [f64], nd: usize) {
        let l = Layout::channel_major(self.p);
        self.rotate_with(src, l, dst, l, nd);
    }

    /// `dst += D^T src` for `nd` channels: back from the rotated frame,
    /// added into `dst`.
    ///
    /// # Panics
    ///
    /// If a buffer is shorter than `nd (p+1)^2`.
    pub fn unrotate_add(&self, src: &[f64], dst: &mut [f64], nd: usize) {
        let l = Layout::channel_major(self.p);
        self.unrotate_add_with(src, l, dst, l, nd);
    }

    /// [`rotate`](Self::rotate) between any two layouts.
    pub(crate) fn rotate_with(
        &self,
        src: &[f64],
        sl: Layout,
        dst: &mut [f64],
        dl: Layout,
        nd: usize,
    ) {
        let len = nd * (self.p + 1) * (self.p + 1);
        assert!(
            src.len() >= len && dst.len() >= len,
            "rotate: buffers too short"
        );
        for c0 in (0..nd).step_by(LANES) {
            match nd - c0 {
                1 => self.forward::<1>(src, sl, dst, dl, c0),
                2 => self.forward::<2>(src, sl, dst, dl, c0),
                3 => self.forward::<3>(src, sl, dst, dl, c0),
                _ => self.forward::<LANES>(src, sl, dst, dl, c0),
            }
        }
    }

    /// [`unrotate_add`](Self::unrotate_add) between any two layouts.
    pub(crate) fn unrotate_add_with(
        &self,
        src: &[f64],
        sl: Layout,
        dst: &mut [f64],
        dl: Layout,
        nd: usize,
    ) {
        let len = nd * (self.p + 1) * (self.p + 1);
        assert!(
            src.len() >= len && dst.len() >= len,
            "unrotate_add: buffers too short"
        );
        for c0 in (0..nd).step_by(LANES) {
            match nd - c0 {
                1 => self.backward::<1>(src, sl, dst, dl, c0),
                2 => self.backward::<2>(src, sl, dst, dl, c0),
                3 => self.backward::<3>(src, sl, dst, dl, c0),
                _ => self.backward::<LANES>(src, sl, dst, dl, c0),
            }
        }
    }

    /// `R_y(-theta) R_z(-phi)` on channels `c0..c0 + G`.
    fn forward<const G: usize>(
        &self,
        src: &[f64],
        sl: Layout,
        dst: &mut [f64],
        dl: Layout,
        c0: usize,
    ) {
        let mut zc = [[0.0; G]; MAX_ORDER + 1];
        let mut zs = [[0.0; G]; MAX_ORDER + 1];
        let (mut yc, mut ys) = ([[0.0; G]; MAX_ORDER + 1], [[0.0; G]; MAX_ORDER + 1]);
        for n in 0..=self.p {
            let nn = n * n + n;
            let (cblock, sblock) = self.blocks(n);
            for g in 0..G {
                zc[0][g] = src[sl.at(c0 + g, nn)];
            }
            for m in 1..=n {
                let (cm, sm) = (self.cos_m[m], self.sin_m[m]);
                for g in 0..G {
                    let (x, y) = (src[sl.at(c0 + g, nn + m)], src[sl.at(c0 + g, nn - m)]);
                    zc[m][g] = cm * x + sm * y;
                    zs[m][g] = cm * y - sm * x;
                }
            }
            yc[..=n].fill([0.0; G]);
            ys[..=n].fill([0.0; G]);
            symmetric_mv(cblock, &zc[..=n], &mut yc[..=n]);
            symmetric_mv(sblock, &zs[1..=n], &mut ys[1..=n]);
            for m in 0..=n {
                let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
                for g in 0..G {
                    dst[dl.at(c0 + g, nn + m)] = sign * yc[m][g];
                    if m > 0 {
                        dst[dl.at(c0 + g, nn - m)] = sign * ys[m][g];
                    }
                }
            }
        }
    }

    /// `R_z(phi) R_y(-theta)^T` on channels `c0..c0 + G`, added into `dst`.
    ///
    /// With `B = P A` (`A` symmetric), `B^T w = A (P w)`.
    fn backward<const G: usize>(
        &self,
        src: &[f64],
        sl: Layout,
        dst: &mut [f64],
        dl: Layout,
        c0: usize,
    ) {
        let mut wc = [[0.0; G]; MAX_ORDER + 1];
        let mut ws = [[0.0; G]; MAX_ORDER + 1];
        let (mut uc, mut us) = ([[0.0; G]; MAX_ORDER + 1], [[0.0; G]; MAX_ORDER + 1]);
        for n in 0..=self.p {
            let nn = n * n + n;
            let (cblock, sblock) = self.blocks(n);
            for m in 0..=n {
                let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
                for g in 0..G {
                    wc[m][g] = sign * src[sl.at(c0 + g, nn + m)];
                    if m > 0 {
                        ws[m][g] = sign * src[sl.at(c0 + g, nn - m)];
                    }
                }
            }
            uc[..=n].fill([0.0; G]);
            us[..=n].fill([0.0; G]);
            symmetric_mv(cblock, &wc[..=n], &mut uc[..=n]);
            symmetric_mv(sblock, &ws[1..=n], &mut us[1..=n]);
            for g in 0..G {
                dst[dl.at(c0 + g, nn)] += uc[0][g];
            }
            for m in 1..=n {
                let (cm, sm) = (self.cos_m[m], self.sin_m[m]);
                for g in 0..G {
                    dst[dl.at(c0 + g, nn + m)] += cm * uc[m][g] - sm * us[m][g];
                    dst[dl.at(c0 + g, nn - m)] += sm * uc[m][g] + cm * us[m][g];
                }
            }
        }
    }
}

/// Channels applied at once by the rotation.
const LANES: usize = 4;

/// Where coefficient `i` of channel `c` sits in a buffer: `c channel + i coef`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    channel: usize,
    coef: usize,
}

impl Layout {
    /// `[channel][coefficient]`, the layout of the operators' arguments.
    pub(crate) fn channel_major(p: usize) -> Self {
        Self::channel_stride((p + 1) * (p + 1))
    }

    /// `[channel][coefficient]` with channels `stride` coefficients apart:
    /// the leading coefficients of expansions of a higher order.
    pub(crate) fn channel_stride(stride: usize) -> Self {
        Self {
            channel: stride,
            coef: 1,
        }
    }

    /// `[coefficient][channel]`, the operators' scratch (the channels of one
    /// coefficient are contiguous for the translations).
    pub(crate) fn interleaved(nd: usize) -> Self {
        Self {
            channel: 1,
            coef: nd,
        }
    }

    #[inline(always)]
    fn at(self, c: usize, i: usize) -> usize {
        c * self.channel + i * self.coef
    }
}

/// `n (n + 1) / 2`: entries of a lower triangle of size `n`.
#[inline(always)]
const fn triangle(n: usize) -> usize {
    n * (n + 1) / 2
}

/// `y = A z` lane by lane, for the symmetric `A` of size `z.len()` given by
/// its lower triangle, row by row. Each entry below the diagonal is loaded
/// once and used for both `A_{m,m'} z_m'` and `A_{m',m} z_m`.
#[inline(always)]
fn symmetric_mv<const G: usize>(tri: &[f64], z: &[[f64; G]], y: &mut [[f64; G]]) {
    let n = z.len();
    let tri = &tri[..triangle(n)];
    let y = &mut y[..n];
    for m in 0..n {
        let row = &tri[triangle(m)..triangle(m + 1)];
        let zm = z[m];
        let (mut a0, mut a1) = ([0.0; G], [0.0; G]);
        let (below, ym) = y.split_at_mut(m);
        let mut pairs = row[..m]
            .chunks_exact(2)
            .zip(below.chunks_exact_mut(2))
            .zip(z[..m].chunks_exact(2));
        for ((r, yb), zb) in pairs.by_ref() {
            for g in 0..G {
                a0[g] += r[0] * zb[0][g];
                a1[g] += r[1] * zb[1][g];
                yb[0][g] += r[0] * zm[g];
                yb[1][g] += r[1] * zm[g];
            }
        }
        if m % 2 == 1 {
            let k = m - 1;
            for g in 0..G {
                a0[g] += row[k] * z[k][g];
                below[k][g] += row[k] * zm[g];
            }
        }
        for g in 0..G {
            ym[0][g] += (a0[g] + a1[g]) + row[m] * zm[g];
        }
    }
}
