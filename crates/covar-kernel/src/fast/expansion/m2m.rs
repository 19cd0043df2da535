//! M2M: a child's multipole expansion re-expanded about its parent's center.

use super::m2l::{lanes_add, norm, sub};
use super::rotation::Layout;
use super::tables::tables;
use super::{Frame, Operators, check_frame, n_coefficients, powers};

impl Operators {
    /// Adds the multipole expansion about `parent` of the multipole
    /// expansion `m_child` about `child` into `m_parent` (all channels).
    ///
    /// Exact for the truncated expansion: `P2M` at the child then `m2m`
    /// equals `P2M` at the parent to round-off. `O(nd p^3)` by rotation; when
    /// the centers coincide only the scale changes.
    ///
    /// # Panics
    ///
    /// If a frame is invalid or a slice is not
    /// [`expansion_len`](Self::expansion_len) long.
    pub fn m2m(&mut self, child: Frame, m_child: &[f64], parent: Frame, m_parent: &mut [f64]) {
        check_frame("m2m child", child);
        check_frame("m2m parent", parent);
        self.check_len("m2m child", m_child);
        self.check_len("m2m parent", m_parent);
        let (p, nd, nc) = (self.p, self.nd, n_coefficients(self.p));
        let t = sub(child.center, parent.center);
        let delta = norm(t);
        let [ps, pd] = &mut self.powers;
        powers(child.scale / parent.scale, ps);
        if delta == 0.0 {
            for c in 0..nd {
                for n in 0..=p {
                    for i in n * n..(n + 1) * (n + 1) {
                        m_parent[c * nc + i] += ps[n] * m_child[c * nc + i];
                    }
                }
            }
            return;
        }
        powers(delta / parent.scale, pd);
        self.rotation.set_axis(t);
        let (outer, inner) = (Layout::channel_major(p), Layout::interleaved(nd));
        let [mr, out, ..] = &mut self.rotated;
        self.rotation.rotate_with(m_child, outer, mr, inner, nd);
        out.fill(0.0);
        // M_{n,m} += b(n+m, k+m) b(n-m, k-m) (delta/s_p)^(n-k) (s_c/s_p)^k M_{k,m}.
        let tb = tables();
        for m in 0..=p {
            for n in m..=p {
                let nn = n * n + n;
                for k in m..=n {
                    let kk = k * k + k;
                    let coef = tb.sb(n + m, k + m) * tb.sb(n - m, k - m) * pd[n - k] * ps[k];
                    lanes_add(
                        coef,
                        &mr[(kk + m) * nd..][..nd],
                        &mut out[(nn + m) * nd..][..nd],
                    );
                    if m > 0 {
                        lanes_add(
                            coef,
                            &mr[(kk - m) * nd..][..nd],
                            &mut out[(nn - m) * nd..][..nd],
                        );
                    }
                }
            }
        }
        self.rotation
            .unrotate_add_with(out, inner, m_parent, outer, nd);
    }
}
