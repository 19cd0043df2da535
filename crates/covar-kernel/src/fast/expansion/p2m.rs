//! P2M: points with channel values to a multipole expansion.

use super::{Channels, Frame, Operators, check_frame, check_points, n_coefficients, regular};
use crate::Points;

impl Operators {
    /// Adds the multipole expansion about `frame` of the points, carrying
    /// `values` (all `nd` channels), into `m`:
    /// `M~_{n,k} += s_j R_{n,k}((r_j - center) / scale)`.
    ///
    /// Exact up to order `p`; points may lie anywhere (with `scale` the
    /// radius of a ball holding them, the coefficients stay below
    /// `sum_j |s_j|`). `O(n nd p^2)`.
    ///
    /// # Panics
    ///
    /// If the frame is invalid, the columns differ in length, `values` is
    /// too short, or `m` is not [`expansion_len`](Self::expansion_len) long.
    pub fn p2m(&mut self, frame: Frame, points: Points<'_>, values: Channels<'_>, m: &mut [f64]) {
        check_frame("p2m", frame);
        self.check_len("p2m multipole", m);
        let n = check_points(&points, Some(values), self.nd);
        let nc = n_coefficients(self.p);
        let h = &mut self.harmonics[..nc];
        for j in 0..n {
            regular(
                self.p,
                frame.local(points.x[j], points.y[j], points.z[j]),
                h,
            );
            for c in 0..self.nd {
                let q = values.values[c * values.stride + j];
                for (mi, hi) in m[c * nc..(c + 1) * nc].iter_mut().zip(h.iter()) {
                    *mi += q * hi;
                }
            }
        }
    }
}
