//! M2L: multipole expansion about a source center to local expansion about
//! a target center, by rotation, translation along `z` and rotation back.

use super::rotation::Layout;
use super::tables::tables;
use super::{Frame, Operators, check_frame, n_coefficients, powers};

impl Operators {
    /// Adds the local expansion about `target` of the multipole expansion
    /// `m` about `source` into `l` (all `nd` channels), truncated to total
    /// degree `n + k <= p` (see the module documentation).
    ///
    /// `O(nd p^3)`: rotate `m` so that `target - source` is `+z`, translate
    /// along `z`, rotate back; the rotation is built once for all channels.
    /// Valid (convergent) when the balls of radius `r_s`, `r_t` about the
    /// centers are separated, `r_s + r_t < |target - source|`; the error is
    /// bounded in [`order`](super::order).
    ///
    /// # Panics
    ///
    /// If the centers coincide, a frame is invalid, or a slice is not
    /// [`expansion_len`](Self::expansion_len) long.
    pub fn m2l(&mut self, source: Frame, m: &[f64], target: Frame, l: &mut [f64]) {
        self.check_len("m2l multipole", m);
        self.check_len("m2l local", l);
        self.m2l_strided(source, m, target, l, n_coefficients(self.p));
    }

    /// [`m2l`](Self::m2l) on buffers whose channels lie `stride >= (p+1)^2`
    /// coefficients apart, such as expansions of a higher order: their
    /// leading `(p+1)^2` coefficients are the order-`p` ones, read and
    /// added to in place.
    ///
    /// # Panics
    ///
    /// As [`m2l`](Self::m2l), and if a buffer is shorter than
    /// `(nd - 1) stride + (p+1)^2`.
    pub(crate) fn m2l_strided(
        &mut self,
        source: Frame,
        m: &[f64],
        target: Frame,
        l: &mut [f64],
        stride: usize,
    ) {
        let (d, dist) = separation(["m2l source", "m2l target"], source, target);
        self.check_strided("m2l multipole", m, stride);
        self.check_strided("m2l local", l, stride);
        self.rotation.set_axis(d);
        let (outer, inner) = (Layout::channel_stride(stride), Layout::interleaved(self.nd));
        let [mr, lr, ..] = &mut self.rotated;
        self.rotation.rotate_with(m, outer, mr, inner, self.nd);
        lr.fill(0.0);
        let [ps, pt] = &mut self.powers;
        powers(source.scale / dist, ps);
        powers(target.scale / dist, pt);
        m2l_z(self.p, self.nd, 1.0 / dist, ps, pt, mr, lr);
        self.rotation
            .unrotate_add_with(lr, inner, l, outer, self.nd);
    }

    /// Both directions of the M2L between cells A and B, sharing one
    /// rotation: adds the local expansion of `m_a` about `b` into `l_b` and
    /// that of `m_b` about `a` into `l_a`.
    ///
    /// Equals [`m2l`](Self::m2l)`(a, m_a, b, l_b)` followed by
    /// `m2l(b, m_b, a, l_a)`, for about 80% of their cost at `nd = 4` (the
    /// rotation is built once, the four coefficient rotations remain); with the
    /// triangular truncation the two directions conserve momentum (see the
    /// module documentation).
    ///
    /// # Panics
    ///
    /// As [`m2l`](Self::m2l).
    pub fn m2l_mutual(
        &mut self,
        a: Frame,
        m_a: &[f64],
        l_a: &mut [f64],
        b: Frame,
        m_b: &[f64],
        l_b: &mut [f64],
    ) {
        let (d, dist) = separation(["m2l_mutual a", "m2l_mutual b"], a, b);
        self.check_len("m2l_mutual m_a", m_a);
        self.check_len("m2l_mutual l_a", l_a);
        self.check_len("m2l_mutual m_b", m_b);
        self.check_len("m2l_mutual l_b", l_b);
        self.rotation.set_axis(d);
        let nd = self.nd;
        let (outer, inner) = (Layout::channel_major(self.p), Layout::interleaved(nd));
        let [ma, mb, la, lb] = &mut self.rotated;
        self.rotation.rotate_with(m_a, outer, ma, inner, nd);
        self.rotation.rotate_with(m_b, outer, mb, inner, nd);
        la.fill(0.0);
        lb.fill(0.0);
        let [pa, pb] = &mut self.powers;
        powers(a.scale / dist, pa);
        powers(b.scale / dist, pb);
        m2l_z_mutual(self.p, nd, 1.0 / dist, [pa, pb], [ma, mb], [la, lb]);
        self.rotation.unrotate_add_with(la, inner, l_a, outer, nd);
        self.rotation.unrotate_add_with(lb, inner, l_b, outer, nd);
    }
}

/// M2L along `+z` at distance `1 / inv_d`, triangle `n + k <= p`, on
/// interleaved buffers (`[coefficient][channel]`):
/// `L_{k,l} += (-1)^(k+l) b(n+k,k+l) b(n+k,k-l) pt[k] ps[n] M_{n,l} / D`
/// for cosine and sine parts.
fn m2l_z(p: usize, nd: usize, inv_d: f64, ps: &[f64], pt: &[f64], m: &[f64], l: &mut [f64]) {
    let t = tables();
    for ord in 0..=p / 2 {
        for k in ord..=p - ord {
            let kk = k * k + k;
            let sign = if (k + ord) % 2 == 0 { inv_d } else { -inv_d };
            let front = sign * pt[k];
            for n in ord..=p - k {
                let nn = n * n + n;
                let coef = front * ps[n] * t.sb(n + k, k + ord) * t.sb(n + k, k - ord);
                lanes_add(
                    coef,
                    &m[(nn + ord) * nd..][..nd],
                    &mut l[(kk + ord) * nd..][..nd],
                );
                if ord > 0 {
                    lanes_add(
                        coef,
                        &m[(nn - ord) * nd..][..nd],
                        &mut l[(kk - ord) * nd..][..nd],
                    );
                }
            }
        }
    }
}

/// Both directions of [`m2l_z`]: A at the origin, B at `+z D`. B -> A runs
/// along `-z`, where `I_N^0(-D z) = (-1)^N I_N^0(D z)`: each term gets
/// `(-1)^(n+k)`; the binomial factor is symmetric in `(n, k)`.
fn m2l_z_mutual(
    p: usize,
    nd: usize,
    inv_d: f64,
    pw: [&[f64]; 2],
    m: [&[f64]; 2],
    l: [&mut [f64]; 2],
) {
    let t = tables();
    let [pa, pb] = pw;
    let [ma, mb] = m;
    let [la, lb] = l;
    for ord in 0..=p / 2 {
        for k in ord..=p - ord {
            let kk = k * k + k;
            let sign = if (k + ord) % 2 == 0 { inv_d } else { -inv_d };
            for n in ord..=p - k {
                let nn = n * n + n;
                let base = sign * t.sb(n + k, k + ord) * t.sb(n + k, k - ord);
                let ab = base * pb[k] * pa[n];
                let ba = if (n + k) % 2 == 0 { base } else { -base } * pa[k] * pb[n];
                let (src, dst) = ((nn + ord) * nd, (kk + ord) * nd);
                lanes_add(ab, &ma[src..][..nd], &mut lb[dst..][..nd]);
                lanes_add(ba, &mb[src..][..nd], &mut la[dst..][..nd]);
                if ord > 0 {
                    let (src, dst) = ((nn - ord) * nd, (kk - ord) * nd);
                    lanes_add(ab, &ma[src..][..nd], &mut lb[dst..][..nd]);
                    lanes_add(ba, &mb[src..][..nd], &mut la[dst..][..nd]);
                }
            }
        }
    }
}

/// Checks the frames of an M2L (`names` label them in panics) and returns
/// the separation `target - source` and its length.
///
/// # Panics
///
/// If a frame is invalid or the centers coincide.
pub(crate) fn separation(names: [&str; 2], source: Frame, target: Frame) -> ([f64; 3], f64) {
    check_frame(names[0], source);
    check_frame(names[1], target);
    let d = sub(target.center, source.center);
    let dist = norm(d);
    assert!(
        dist > 0.0,
        "{} and {}: coincident centers {:?}",
        names[0],
        names[1],
        source.center
    );
    (d, dist)
}

/// `y += a x` over the channels of one coefficient.
#[inline(always)]
pub(crate) fn lanes_add(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[inline]
pub(crate) fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[inline]
pub(crate) fn norm(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strided M2L on the leading coefficients of higher-order buffers
    /// equals copying them out, translating and adding back, bit for bit,
    /// and leaves the coefficients above order `q` untouched.
    #[test]
    fn strided_translation_works_in_place_on_higher_orders() {
        let (p, q) = (12, 7);
        let (full, part) = (n_coefficients(p), n_coefficients(q));
        let source = Frame {
            center: [0.1, -0.2, 0.3],
            scale: 0.4,
        };
        let target = Frame {
            center: [1.7, 0.9, -1.1],
            scale: 0.3,
        };
        for nd in [1, 2, 4] {
            let mut s = 7u64;
            let mut r = || {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            };
            let m: Vec<f64> = (0..nd * full).map(|_| r()).collect();
            let l0: Vec<f64> = (0..nd * full).map(|_| r()).collect();
            let mut ops = Operators::new(q, nd);
            for direct in [false, true] {
                let mut copied = l0.clone();
                let mq: Vec<f64> = (0..nd)
                    .flat_map(|c| m[c * full..c * full + part].to_vec())
                    .collect();
                let mut lq = vec![0.0; nd * part];
                let mut in_place = l0.clone();
                if direct {
                    ops.m2l_direct(source, &mq, target, &mut lq);
                    ops.m2l_direct_strided(source, &m, target, &mut in_place, full);
                } else {
                    ops.m2l(source, &mq, target, &mut lq);
                    ops.m2l_strided(source, &m, target, &mut in_place, full);
                }
                for c in 0..nd {
                    for i in 0..part {
                        copied[c * full + i] += lq[c * part + i];
                    }
                }
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&in_place), bits(&copied), "nd {nd}, direct {direct}");
                assert_ne!(bits(&in_place), bits(&l0), "nd {nd}: something was added");
            }
        }
    }
}
