//! P2L: points with channel values straight to a local expansion.

use super::{Channels, Frame, Operators, check_frame, check_points, irregular, n_coefficients};
use crate::Points;

impl Operators {
    /// Adds the local expansion about `frame` of the field of the points,
    /// carrying `values` (all `nd` channels), into `l`:
    /// `L~_{n,k} += s_j I_{n,k}((r_j - center) / scale) / scale`.
    ///
    /// For sources far from a target cell that are too few to be worth a
    /// multipole (an unbalanced pair of a traversal). Valid inside the ball
    /// about the center that holds no source; the error is the M2L bound
    /// with `r_A = 0`. `O(n nd p^2)`.
    ///
    /// # Panics
    ///
    /// As [`p2m`](Self::p2m). A point at the center is a caller error
    /// (debug builds check it).
    pub fn p2l(&mut self, frame: Frame, points: Points<'_>, values: Channels<'_>, l: &mut [f64]) {
        check_frame("p2l", frame);
        self.check_len("p2l local", l);
        let n = check_points(&points, Some(values), self.nd);
        let nc = n_coefficients(self.p);
        let inv_s = 1.0 / frame.scale;
        let h = &mut self.harmonics[..nc];
        for j in 0..n {
            irregular(
                self.p,
                frame.local(points.x[j], points.y[j], points.z[j]),
                h,
            );
            for c in 0..self.nd {
                let q = values.values[c * values.stride + j] * inv_s;
                for (li, hi) in l[c * nc..(c + 1) * nc].iter_mut().zip(h.iter()) {
                    *li += q * hi;
                }
            }
        }
    }
}
