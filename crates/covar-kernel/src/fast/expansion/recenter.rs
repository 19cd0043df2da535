//! The shared core of M2M and L2L: re-expanding about another center along
//! the axis from the parent's center to the child's. The two translations
//! have the same coefficients with input and output degrees exchanged.

use super::m2l::{lanes_add, norm, sub};
use super::rotation::Layout;
use super::tables::tables;
use super::{Frame, Operators, n_coefficients, powers};

impl Operators {
    /// Adds the re-expansion of `src` into `dst`: the child's multipole
    /// expansion into the parent's (`upward`, M2M), or the parent's local
    /// expansion into the child's (L2L).
    pub(super) fn recenter(
        &mut self,
        child: Frame,
        parent: Frame,
        src: &[f64],
        dst: &mut [f64],
        upward: bool,
    ) {
        let (p, nd, nc) = (self.p, self.nd, n_coefficients(self.p));
        let t = sub(child.center, parent.center);
        let delta = norm(t);
        let [ps, pd] = &mut self.powers;
        powers(child.scale / parent.scale, ps);
        if delta == 0.0 {
            for c in 0..nd {
                for n in 0..=p {
                    for i in n * n..(n + 1) * (n + 1) {
                        dst[c * nc + i] += ps[n] * src[c * nc + i];
                    }
                }
            }
            return;
        }
        powers(delta / parent.scale, pd);
        self.rotation.set_axis(t);
        let (outer, inner) = (Layout::channel_major(p), Layout::interleaved(nd));
        let [mr, out, ..] = &mut self.rotated;
        self.rotation.rotate_with(src, outer, mr, inner, nd);
        out.fill(0.0);
        // M2M: M_{n,m} += c(n, k, m) M_{k,m}; L2L: L_{k,m} += c(n, k, m) L_{n,m};
        // c(n, k, m) = b(n+m, k+m) b(n-m, k-m) (delta/s_p)^(n-k) (s_c/s_p)^k,
        // for m <= k <= n <= p. Every output element receives its terms in
        // ascending order of the summed degree in both directions.
        let tb = tables();
        for m in 0..=p {
            for n in m..=p {
                let nn = n * n + n;
                for k in m..=n {
                    let kk = k * k + k;
                    let coef = tb.sb(n + m, k + m) * tb.sb(n - m, k - m) * pd[n - k] * ps[k];
                    let (from, to) = if upward { (kk, nn) } else { (nn, kk) };
                    lanes_add(
                        coef,
                        &mr[(from + m) * nd..][..nd],
                        &mut out[(to + m) * nd..][..nd],
                    );
                    if m > 0 {
                        lanes_add(
                            coef,
                            &mr[(from - m) * nd..][..nd],
                            &mut out[(to - m) * nd..][..nd],
                        );
                    }
                }
            }
        }
        self.rotation.unrotate_add_with(out, inner, dst, outer, nd);
    }
}
