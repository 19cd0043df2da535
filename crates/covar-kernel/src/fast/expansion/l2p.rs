//! L2P: a local expansion evaluated at points, potential and gradient.

use super::gradient::regular_gradient;
use super::{
    Fields, Frame, Operators, check_fields, check_frame, check_points, n_coefficients, regular,
};
use crate::Points;

impl Operators {
    /// Adds the potential (and, if asked, its gradient) of the local
    /// expansion `l` about `frame` at the points into `out` (all channels).
    ///
    /// The gradient is computed exactly for the truncated expansion, from
    /// three expansions of order `p - 1` built once per call. `O(nd p^2)`
    /// per call plus `O(n nd p^2)`.
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
            mut gradient,
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
        let inv_s = 1.0 / frame.scale;
        let ng = p * p; // gradient coefficients: order p - 1
        let h = &mut self.harmonics[..nc];
        for i in 0..n {
            regular(p, frame.local(points.x[i], points.y[i], points.z[i]), h);
            for c in 0..nd {
                potential[c * stride + i] += dot(&l[c * nc..(c + 1) * nc], h);
                if let Some(g) = gradient.as_deref_mut() {
                    for d in 0..3 {
                        let coef = &self.gradient[(d * nd + c) * gc..(d * nd + c) * gc + ng];
                        g[(3 * c + d) * stride + i] += inv_s * dot(coef, &h[..ng]);
                    }
                }
            }
        }
    }
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
