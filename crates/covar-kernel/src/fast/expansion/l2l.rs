//! L2L: a parent's local expansion re-expanded about a child's center.

use super::m2l::{lanes_add, norm, sub};
use super::rotation::Layout;
use super::tables::tables;
use super::{Frame, Operators, check_frame, n_coefficients, powers};

impl Operators {
    /// Adds the local expansion about `child` of the local expansion
    /// `l_parent` about `parent` into `l_child` (all channels).
    ///
    /// Exact for the truncated expansion (the same polynomial, re-centered):
    /// L2P of the result equals L2P of `l_parent` to round-off. `O(nd p^3)`
    /// by rotation; when the centers coincide only the scale changes.
    ///
    /// # Panics
    ///
    /// If a frame is invalid or a slice is not
    /// [`expansion_len`](Self::expansion_len) long.
    pub fn l2l(&mut self, parent: Frame, l_parent: &[f64], child: Frame, l_child: &mut [f64]) {
        check_frame("l2l parent", parent);
        check_frame("l2l child", child);
        self.check_len("l2l parent", l_parent);
        self.check_len("l2l child", l_child);
        let (p, nd, nc) = (self.p, self.nd, n_coefficients(self.p));
        let t = sub(child.center, parent.center);
        let delta = norm(t);
        let [ps, pd] = &mut self.powers;
        powers(child.scale / parent.scale, ps);
        if delta == 0.0 {
            for c in 0..nd {
                for n in 0..=p {
                    for i in n * n..(n + 1) * (n + 1) {
                        l_child[c * nc + i] += ps[n] * l_parent[c * nc + i];
                    }
                }
            }
            return;
        }
        powers(delta / parent.scale, pd);
        self.rotation.set_axis(t);
        let (outer, inner) = (Layout::channel_major(p), Layout::interleaved(nd));
        let [lr, out, ..] = &mut self.rotated;
        self.rotation.rotate_with(l_parent, outer, lr, inner, nd);
        out.fill(0.0);
        // L_{k,l} += b(n+l, k+l) b(n-l, k-l) (delta/s_p)^(n-k) (s_c/s_p)^k L_{n,l}.
        let tb = tables();
        for l in 0..=p {
            for k in l..=p {
                let kk = k * k + k;
                for n in k..=p {
                    let nn = n * n + n;
                    let coef = tb.sb(n + l, k + l) * tb.sb(n - l, k - l) * pd[n - k] * ps[k];
                    lanes_add(
                        coef,
                        &lr[(nn + l) * nd..][..nd],
                        &mut out[(kk + l) * nd..][..nd],
                    );
                    if l > 0 {
                        lanes_add(
                            coef,
                            &lr[(nn - l) * nd..][..nd],
                            &mut out[(kk - l) * nd..][..nd],
                        );
                    }
                }
            }
        }
        self.rotation
            .unrotate_add_with(out, inner, l_child, outer, nd);
    }
}
