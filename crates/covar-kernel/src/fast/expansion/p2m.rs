//! P2M: points with channel values to a multipole expansion.

use super::harmonics::{local_lanes, regular_lanes};
use super::{Channels, Frame, Operators, check_frame, check_points, n_coefficients};
use crate::Points;
use crate::simd::{MAX_LANES, Simd, WithSimd};

impl Operators {
    /// Adds the multipole expansion about `frame` of the points, carrying
    /// `values` (all `nd` channels), into `m`:
    /// `M~_{n,k} += s_j R_{n,k}((r_j - center) / scale)`.
    ///
    /// Exact up to order `p`; points may lie anywhere (with `scale` the
    /// radius of a ball holding them, the coefficients stay below
    /// `sum_j |s_j|`). `O(n nd p^2)`, with the points in the SIMD lanes of
    /// the operators' instruction set: each lane sums its points, and the
    /// lanes are added at the end.
    ///
    /// # Panics
    ///
    /// If the frame is invalid, the columns differ in length, `values` is
    /// too short, or `m` is not [`expansion_len`](Self::expansion_len) long.
    pub fn p2m(&mut self, frame: Frame, points: Points<'_>, values: Channels<'_>, m: &mut [f64]) {
        check_frame("p2m", frame);
        self.check_len("p2m multipole", m);
        let n = check_points(&points, Some(values), self.nd);
        let isa = self.isa;
        isa.dispatch(P2mLanes {
            p: self.p,
            nd: self.nd,
            frame,
            points,
            n,
            values,
            m,
            harmonics: &mut self.harmonics,
            sums: &mut self.lane_sums,
        });
    }
}

/// P2M with the points in SIMD lanes (see [`Operators::p2m`]).
struct P2mLanes<'a> {
    p: usize,
    nd: usize,
    frame: Frame,
    points: Points<'a>,
    n: usize,
    values: Channels<'a>,
    m: &'a mut [f64],
    /// Scratch for the harmonics of one vector of points.
    harmonics: &'a mut [f64],
    /// Per-lane sums, `nd (p+1)^2` vectors.
    sums: &'a mut [f64],
}

impl WithSimd for P2mLanes<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let P2mLanes {
            p,
            nd,
            frame,
            points,
            n,
            values,
            m,
            harmonics,
            sums,
        } = self;
        let w = S::LANES;
        let nc = n_coefficients(p);
        let h = &mut harmonics[..nc * w];
        let sums = &mut sums[..nd * nc * w];
        sums.fill(0.0);
        let mut q = [0.0; MAX_LANES];
        for j0 in (0..n).step_by(w) {
            let len = w.min(n - j0);
            // Lanes past the last point repeat it, with weight 0 below.
            let v = local_lanes(s, frame, points, j0, len);
            regular_lanes(s, p, v, h);
            for c in 0..nd {
                for k in 0..w {
                    q[k] = if k < len {
                        values.values[c * values.stride + j0 + k]
                    } else {
                        0.0
                    };
                }
                let qv = s.load(&q);
                let acc = &mut sums[c * nc * w..(c + 1) * nc * w];
                for k in 0..nc {
                    let a = &mut acc[k * w..];
                    s.store(s.mul_add(qv, s.load(&h[k * w..]), s.load(a)), a);
                }
            }
        }
        for (mi, lanes) in m[..nd * nc].iter_mut().zip(sums.chunks_exact(w)) {
            *mi += lanes.iter().sum::<f64>();
        }
    }
}
