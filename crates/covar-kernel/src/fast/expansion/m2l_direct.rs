//! M2L without rotations, for low orders: the addition theorem of the
//! module documentation summed term by term in Racah's complex
//! normalization, `O(nd p^4)` multiply-adds but no per-pair rotation to
//! build.
//!
//! With `I` the irregular harmonics of the unit separation `d / D` and `M`
//! the source's coefficients (both with every `m` from `-n` to `n` stored,
//! `X^{-m} = (-1)^m conj(X^m)`),
//!
//! ```text
//! L_k^l = (-1)^(k+l) (s_t / D)^k / D  sum_{n <= p-k} (s_s / D)^n  sum_{m=-n}^{n} M_n^m I_{n+k}^{m-l},
//! ```
//!
//! and the inner sum over `m` is a complex dot product of two contiguous
//! rows. At the orders of low tolerances (below about 10) this costs a
//! fraction of the rotation-based [`m2l`](super::Operators::m2l), whose
//! rotation has a fixed cost per pair; both give the same translation to
//! rounding (tests compare them and the reference). The conversions between
//! the stored real, scaled coefficients and the complex ones are those of
//! [`reference`](super::reference): `M_n^m = (M~^C - i M~^S) / (sqrt2 f)`,
//! `I_n^m = f (I^C + i I^S) / sqrt2`, `L~^C - i L~^S = sqrt2 L_n^m / f` for
//! `m > 0` (no `sqrt2` at `m = 0`), `f(n,m) = sqrt((n+m)! (n-m)!)`.

use std::f64::consts::{FRAC_1_SQRT_2, SQRT_2};

use super::m2l::separation;
use super::{Frame, Operators, irregular, n_coefficients, powers};

/// Scratch and tables of the direct M2L at order `p`.
#[derive(Clone, Debug)]
pub(crate) struct DirectScratch {
    /// `f(n, m)` at `n^2 + n + m`, `0 <= m <= n <= p`.
    f: Vec<f64>,
    /// Real irregular harmonics of the unit separation.
    ih: Vec<f64>,
    /// Complex `I_n^m`, every `m`, at `n^2 + n + m`.
    irr: [Vec<f64>; 2],
    /// Complex `(s_s / D)^n M_n^m` of one channel, every `m`.
    mc: [Vec<f64>; 2],
}

impl DirectScratch {
    pub(crate) fn new(p: usize) -> Self {
        let nc = n_coefficients(p);
        let mut fact = vec![1.0f64; 2 * p + 1];
        for i in 1..fact.len() {
            fact[i] = fact[i - 1] * i as f64;
        }
        let mut f = vec![0.0; nc];
        for n in 0..=p {
            for m in 0..=n {
                f[n * n + n + m] = (fact[n + m] * fact[n - m]).sqrt();
            }
        }
        Self {
            f,
            ih: vec![0.0; nc],
            irr: [vec![0.0; nc], vec![0.0; nc]],
            mc: [vec![0.0; nc], vec![0.0; nc]],
        }
    }
}

impl Operators {
    /// The same translation as [`m2l`](Self::m2l) (triangle `n + k <= p`),
    /// summed term by term without rotating: cheaper at low orders.
    ///
    /// # Panics
    ///
    /// As [`m2l`](Self::m2l).
    pub fn m2l_direct(&mut self, source: Frame, m: &[f64], target: Frame, l: &mut [f64]) {
        self.check_len("m2l_direct multipole", m);
        self.check_len("m2l_direct local", l);
        self.m2l_direct_strided(source, m, target, l, n_coefficients(self.p));
    }

    /// [`m2l_direct`](Self::m2l_direct) on buffers whose channels lie
    /// `stride` coefficients apart (see [`m2l_strided`](Self::m2l_strided)).
    pub(crate) fn m2l_direct_strided(
        &mut self,
        source: Frame,
        m: &[f64],
        target: Frame,
        l: &mut [f64],
        stride: usize,
    ) {
        let (d, dist) = separation(["m2l_direct source", "m2l_direct target"], source, target);
        self.check_strided("m2l_direct multipole", m, stride);
        self.check_strided("m2l_direct local", l, stride);
        let (p, nc) = (self.p, n_coefficients(self.p));
        let DirectScratch { f, ih, irr, mc } = &mut self.direct;
        let inv = 1.0 / dist;
        irregular(p, [d[0] * inv, d[1] * inv, d[2] * inv], ih);
        let [ir, ii] = irr;
        for n in 0..=p {
            let nn = n * n + n;
            ir[nn] = f[nn] * ih[nn];
            ii[nn] = 0.0;
            for k in 1..=n {
                let w = f[nn + k] * FRAC_1_SQRT_2;
                let (re, im) = (w * ih[nn + k], w * ih[nn - k]);
                let s = if k % 2 == 0 { 1.0 } else { -1.0 };
                ir[nn + k] = re;
                ii[nn + k] = im;
                ir[nn - k] = s * re;
                ii[nn - k] = -s * im;
            }
        }
        let [ps, pt] = &mut self.powers;
        powers(source.scale * inv, ps);
        powers(target.scale * inv, pt);
        let [mr, mi] = mc;
        for c in 0..self.nd {
            let mcoef = &m[c * stride..c * stride + nc];
            for n in 0..=p {
                let nn = n * n + n;
                mr[nn] = ps[n] * mcoef[nn] / f[nn];
                mi[nn] = 0.0;
                for k in 1..=n {
                    let w = ps[n] * FRAC_1_SQRT_2 / f[nn + k];
                    let (re, im) = (w * mcoef[nn + k], -w * mcoef[nn - k]);
                    let s = if k % 2 == 0 { 1.0 } else { -1.0 };
                    mr[nn + k] = re;
                    mi[nn + k] = im;
                    mr[nn - k] = s * re;
                    mi[nn - k] = -s * im;
                }
            }
            let lc = &mut l[c * stride..c * stride + nc];
            for k in 0..=p {
                let kk = k * k + k;
                for lo in 0..=k {
                    let (mut re, mut im) = (0.0, 0.0);
                    for n in 0..=p - k {
                        let len = 2 * n + 1;
                        let (ar, ai) = (&mr[n * n..n * n + len], &mi[n * n..n * n + len]);
                        let start = (n + k) * (n + k) + k - lo;
                        let (br, bi) = (&ir[start..start + len], &ii[start..start + len]);
                        let (dr, di) = complex_dot(ar, ai, br, bi);
                        re += dr;
                        im += di;
                    }
                    let w = if (k + lo) % 2 == 0 { pt[k] } else { -pt[k] } * inv;
                    let (re, im) = (w * re, w * im);
                    if lo == 0 {
                        lc[kk] += re / f[kk];
                    } else {
                        let s = SQRT_2 / f[kk + lo];
                        lc[kk + lo] += s * re;
                        lc[kk - lo] -= s * im;
                    }
                }
            }
        }
    }
}

/// `sum_j a_j b_j` for complex vectors in split real and imaginary parts.
#[inline(always)]
fn complex_dot(ar: &[f64], ai: &[f64], br: &[f64], bi: &[f64]) -> (f64, f64) {
    let (mut re0, mut im0, mut re1, mut im1) = (0.0, 0.0, 0.0, 0.0);
    for (((x, y), u), v) in ar.iter().zip(ai).zip(br).zip(bi) {
        re0 += x * u;
        re1 -= y * v;
        im0 += x * v;
        im1 += y * u;
    }
    (re0 + re1, im0 + im1)
}
