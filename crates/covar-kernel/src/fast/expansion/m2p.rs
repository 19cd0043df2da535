//! M2P: a multipole expansion evaluated at points, potential and gradient.

use super::gradient::irregular_gradient;
use super::l2p::dot;
use super::{
    Fields, Frame, Operators, check_fields, check_frame, check_points, irregular, n_coefficients,
};
use crate::Points;

impl Operators {
    /// Adds the potential (and, if asked, its gradient) of the multipole
    /// expansion `m` about `frame` at the points into `out` (all channels):
    /// `Phi += sum M~_{n,k} I_{n,k}((t - center) / scale) / scale`.
    ///
    /// For a cell whose multipole acts on a few far targets (a leaf in an
    /// unbalanced pair). Valid outside the ball about the center that holds
    /// the sources; the error is the M2L bound with `r_B = 0`. The gradient
    /// is exact for the truncated expansion (order `p + 1` harmonics).
    ///
    /// # Panics
    ///
    /// As [`l2p`](Self::l2p). A point at the center is a caller error
    /// (debug builds check it).
    pub fn m2p(&mut self, frame: Frame, m: &[f64], points: Points<'_>, out: Fields<'_>) {
        check_frame("m2p", frame);
        self.check_len("m2p multipole", m);
        let n = check_points(&points, None, self.nd);
        check_fields(&out, n, self.nd);
        let (p, nd, nc) = (self.p, self.nd, n_coefficients(self.p));
        let gc = n_coefficients(p + 1);
        let Fields {
            potential,
            mut gradient,
            stride,
        } = out;
        let with_gradient = gradient.is_some();
        if with_gradient {
            let (gx, rest) = self.gradient.split_at_mut(nd * gc);
            let (gy, gz) = rest.split_at_mut(nd * gc);
            for c in 0..nd {
                let r = c * gc..(c + 1) * gc;
                irregular_gradient(
                    p,
                    &m[c * nc..(c + 1) * nc],
                    [&mut gx[r.clone()], &mut gy[r.clone()], &mut gz[r]],
                );
            }
        }
        let inv_s = 1.0 / frame.scale;
        let order = if with_gradient { p + 1 } else { p };
        let h = &mut self.harmonics[..n_coefficients(order)];
        for i in 0..n {
            irregular(order, frame.local(points.x[i], points.y[i], points.z[i]), h);
            for c in 0..nd {
                potential[c * stride + i] += inv_s * dot(&m[c * nc..(c + 1) * nc], &h[..nc]);
                if let Some(g) = gradient.as_deref_mut() {
                    for d in 0..3 {
                        let coef = &self.gradient[(d * nd + c) * gc..(d * nd + c + 1) * gc];
                        g[(3 * c + d) * stride + i] += inv_s * inv_s * dot(coef, h);
                    }
                }
            }
        }
    }
}
