//! L2P: a local expansion evaluated at points, potential and gradient.

use super::gradient::regular_gradient;
use super::harmonics::{local_lanes, regular_lanes};
use super::{Fields, Frame, Operators, check_fields, check_frame, check_points, n_coefficients};
use crate::Points;
use crate::simd::{MAX_LANES, Simd, WithSimd};

impl Operators {
    /// Adds the potential (and, if asked, its gradient) of the local
    /// expansion `l` about `frame` at the points into `out` (all channels).
    ///
    /// The gradient is computed exactly for the truncated expansion, from
    /// three expansions of order `p - 1` built once per call. `O(nd p^2)`
    /// per call plus `O(n nd p^2)`, with the points in the SIMD lanes of the
    /// operators' instruction set ([`with_isa`](Self::with_isa)).
    ///
    /// # Panics
    ///
    /// If the frame is invalid, the columns differ in length, `l` is not
    /// [`expansion_len`](Self::expansion_len) long, or `out` is too short
    /// for `nd` channels of the points.
    pub fn l2p(&mut self, frame: Frame, l: &[f64], points: Points<'_>, out: Fields<'_>) {
        check_frame("l2p", frame);
        self.check_len("l2p local", l);
        let n = check_points(&points, None, self.nd);
        check_fields(&out, n, self.nd);
        let (p, nd, nc) = (self.p, self.nd, n_coefficients(self.p));
        let gc = n_coefficients(p + 1);
        let Fields {
            potential,
            gradient,
            stride,
        } = out;
        if gradient.is_some() {
            let (gx, rest) = self.gradient.split_at_mut(nd * gc);
            let (gy, gz) = rest.split_at_mut(nd * gc);
            for c in 0..nd {
                let r = c * gc..(c + 1) * gc;
                regular_gradient(
                    p,
                    &l[c * nc..(c + 1) * nc],
                    [&mut gx[r.clone()], &mut gy[r.clone()], &mut gz[r]],
                );
            }
        }
        let isa = self.isa;
        isa.dispatch(L2pLanes {
            p,
            nd,
            frame,
            l,
            gradient_coefficients: &self.gradient,
            points,
            n,
            potential,
            gradient,
            stride,
            harmonics: &mut self.harmonics,
        });
    }
}

/// L2P with the points in SIMD lanes: the harmonics of `S::LANES` points at
/// once, then every coefficient (broadcast) times its harmonic vector into
/// four interleaved sums per output (a fixed order: results depend on the
/// instruction set, not on anything else).
struct L2pLanes<'a> {
    p: usize,
    nd: usize,
    frame: Frame,
    l: &'a [f64],
    /// The gradient's expansions: x, y, z blocks of `nd (p+2)^2`.
    gradient_coefficients: &'a [f64],
    points: Points<'a>,
    n: usize,
    potential: &'a mut [f64],
    gradient: Option<&'a mut [f64]>,
    stride: usize,
    /// Scratch for the harmonics of one vector of points.
    harmonics: &'a mut [f64],
}

impl WithSimd for L2pLanes<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let L2pLanes {
            p,
            nd,
            frame,
            l,
            gradient_coefficients: gcoef,
            points,
            n,
            potential,
            mut gradient,
            stride,
            harmonics,
        } = self;
        let w = S::LANES;
        let (nc, gc, ng) = (n_coefficients(p), n_coefficients(p + 1), p * p);
        let h = &mut harmonics[..nc * w];
        let inv_s = 1.0 / frame.scale;
        for i0 in (0..n).step_by(w) {
            let m = w.min(n - i0);
            let v = local_lanes(s, frame, points, i0, m);
            regular_lanes(s, p, v, h);
            for c in 0..nd {
                let out = &mut potential[c * stride + i0..][..m];
                emit(s, &l[c * nc..(c + 1) * nc], h, 1.0, out);
                if let Some(g) = gradient.as_deref_mut() {
                    for d in 0..3 {
                        let coef = &gcoef[(d * nd + c) * gc..(d * nd + c) * gc + ng];
                        let out = &mut g[(3 * c + d) * stride + i0..][..m];
                        emit(s, coef, h, inv_s, out);
                    }
                }
            }
        }
    }
}

/// Adds `scale` times the lanes of [`dot_lanes`] into `out` (one per lane,
/// `out.len() <= S::LANES`).
#[inline(always)]
fn emit<S: Simd>(s: S, coef: &[f64], h: &[f64], scale: f64, out: &mut [f64]) {
    let mut sums = [0.0; MAX_LANES];
    s.store(dot_lanes(s, coef, h), &mut sums);
    for (o, v) in out.iter_mut().zip(sums) {
        *o += scale * v;
    }
}

/// `sum_k coef_k h_k` for every lane, with `h_k` the vector at
/// `h[k * LANES..]`: four interleaved sums, added pairwise at the end.
#[inline(always)]
fn dot_lanes<S: Simd>(s: S, coef: &[f64], h: &[f64]) -> S::V {
    let w = S::LANES;
    let mut acc = [s.splat(0.0); 4];
    let chunks = coef.chunks_exact(4);
    let tail = chunks.remainder();
    for (j, c) in chunks.enumerate() {
        for (k, a) in acc.iter_mut().enumerate() {
            *a = s.mul_add(s.splat(c[k]), s.load(&h[(4 * j + k) * w..]), *a);
        }
    }
    let base = coef.len() - tail.len();
    for (k, &c) in tail.iter().enumerate() {
        acc[k] = s.mul_add(s.splat(c), s.load(&h[(base + k) * w..]), acc[k]);
    }
    s.add(s.add(acc[0], acc[1]), s.add(acc[2], acc[3]))
}

/// `sum_k a_k b_k` over the shorter length, in eight interleaved partial
/// sums (a fixed order, so the result does not depend on anything but the
/// inputs): one running sum would wait on the adder's latency at every term.
#[inline(always)]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    const W: usize = 8;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (ca, cb) = (a.chunks_exact(W), b.chunks_exact(W));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    let mut acc = [0.0; W];
    for (x, y) in ca.zip(cb) {
        for k in 0..W {
            acc[k] += x[k] * y[k];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}
