//! Plain `O(p^4)` translations in the complex (Racah) normalization: the
//! general addition theorems of the module documentation, term by term, with
//! no rotation. They are the references of the tests; they allocate and are
//! slow, never call them in a hot path.
//!
//! Racah's complex harmonics relate to the stored real ones by
//! `R_n^m = (C_n^m + i S_n^m) / (sqrt2 f(n,m))` and
//! `I_n^m = f(n,m) (C_n^m + i S_n^m) / sqrt2` for `m > 0` (no `sqrt2` at
//! `m = 0`), `f(n,m) = sqrt((n+m)! (n-m)!)`, so that
//! `M_n^m = (M~^C - i M~^S) / (sqrt2 f)` and `L_n^m = f (L~^C - i L~^S) / sqrt2`.

use std::f64::consts::SQRT_2;
use std::ops::{Add, Mul};

use super::m2l::{norm, sub};
use super::{Frame, MAX_ORDER, irregular, n_coefficients, regular};

#[derive(Clone, Copy, Debug, Default)]
struct Cx {
    re: f64,
    im: f64,
}

impl Cx {
    fn conj(self) -> Self {
        Self {
            re: self.re,
            im: -self.im,
        }
    }
    fn scale(self, s: f64) -> Self {
        Self {
            re: s * self.re,
            im: s * self.im,
        }
    }
}

impl Add for Cx {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self {
            re: self.re + o.re,
            im: self.im + o.im,
        }
    }
}

impl Mul for Cx {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        Self {
            re: self.re * o.re - self.im * o.im,
            im: self.re * o.im + self.im * o.re,
        }
    }
}

/// `f(n, m) = sqrt((n + |m|)! (n - |m|)!)` from a factorial table.
struct Norms(Vec<f64>);

impl Norms {
    fn new(nmax: usize) -> Self {
        let mut fact = vec![1.0f64; 2 * nmax + 1];
        for i in 1..fact.len() {
            fact[i] = fact[i - 1] * i as f64;
        }
        Self(fact)
    }
    fn f(&self, n: usize, m: i64) -> f64 {
        let m = m.unsigned_abs() as usize;
        (self.0[n + m] * self.0[n - m]).sqrt()
    }
}

fn at(n: usize, m: i64) -> usize {
    ((n * n + n) as i64 + m) as usize
}

fn sign(k: i64) -> f64 {
    if k % 2 == 0 { 1.0 } else { -1.0 }
}

/// Complex `X_n^m` for all `|m| <= n <= p` from real `C`, `S` values, with
/// `X_n^m = (C + i S) w(n,m) / sqrt2` (`w` the normalization factor) and
/// `X^{-m} = (-1)^m conj(X^m)`.
fn to_complex(p: usize, real: &[f64], w: impl Fn(usize, i64) -> f64, conjugate: bool) -> Vec<Cx> {
    let mut out = vec![Cx::default(); n_coefficients(p)];
    for n in 0..=p {
        for m in 0..=n as i64 {
            let mut x = if m == 0 {
                Cx {
                    re: real[at(n, 0)],
                    im: 0.0,
                }
            } else {
                Cx {
                    re: real[at(n, m)],
                    im: real[at(n, -m)],
                }
                .scale(1.0 / SQRT_2)
            };
            if conjugate {
                x = x.conj();
            }
            x = x.scale(w(n, m));
            out[at(n, m)] = x;
            out[at(n, -m)] = x.conj().scale(sign(m));
        }
    }
    out
}

/// Adds `v` (complex, `m >= 0` read) into real storage, the inverse of
/// [`to_complex`] with `conjugate = true`.
fn add_real(p: usize, v: &[Cx], w: impl Fn(usize, i64) -> f64, out: &mut [f64]) {
    for n in 0..=p {
        out[at(n, 0)] += v[at(n, 0)].re / w(n, 0);
        for m in 1..=n as i64 {
            let x = v[at(n, m)].scale(SQRT_2 / w(n, m));
            out[at(n, m)] += x.re;
            out[at(n, -m)] -= x.im;
        }
    }
}

fn channels(p: usize, len: usize) -> usize {
    assert!(p <= MAX_ORDER, "order {p} above MAX_ORDER");
    let nc = n_coefficients(p);
    assert!(
        len.is_multiple_of(nc) && len > 0,
        "{len} is not a whole number of order-{p} expansions"
    );
    len / nc
}

/// `O(p^4)` M2L, term by term (triangle `n + k <= p`): adds the local
/// expansion about `target` of `m` about `source` into `l`. The number of
/// channels is `m.len() / (p+1)^2`.
///
/// # Panics
///
/// If the lengths disagree, `p > MAX_ORDER` or the centers coincide.
pub fn m2l_reference(p: usize, source: Frame, m: &[f64], target: Frame, l: &mut [f64]) {
    let nd = channels(p, m.len());
    assert_eq!(l.len(), m.len(), "m2l_reference: lengths differ");
    let nc = n_coefficients(p);
    let norms = Norms::new(p);
    let d = sub(target.center, source.center);
    let dist = norm(d);
    assert!(dist > 0.0, "m2l_reference between coincident centers");
    let mut ih = vec![0.0; nc];
    irregular(p, [d[0] / dist, d[1] / dist, d[2] / dist], &mut ih);
    let irr = to_complex(p, &ih, |n, m| norms.f(n, m), false);
    let (rs, rt) = (source.scale / dist, target.scale / dist);
    for c in 0..nd {
        let mc = to_complex(
            p,
            &m[c * nc..(c + 1) * nc],
            |n, m| 1.0 / norms.f(n, m),
            true,
        );
        let mut lc = vec![Cx::default(); nc];
        for k in 0..=p {
            for lo in 0..=k as i64 {
                let mut acc = Cx::default();
                for n in 0..=p - k {
                    let w = sign(k as i64 + lo) * rs.powi(n as i32) * rt.powi(k as i32) / dist;
                    for mo in -(n as i64)..=n as i64 {
                        acc = acc + (mc[at(n, mo)] * irr[at(n + k, mo - lo)]).scale(w);
                    }
                }
                lc[at(k, lo)] = acc;
            }
        }
        add_real(p, &lc, |n, m| norms.f(n, m), &mut l[c * nc..(c + 1) * nc]);
    }
}

/// `O(p^4)` M2M, term by term: adds the multipole expansion about `parent`
/// of `m_child` about `child` into `m_parent`.
///
/// # Panics
///
/// If the lengths disagree or `p > MAX_ORDER`.
pub fn m2m_reference(p: usize, child: Frame, m_child: &[f64], parent: Frame, m_parent: &mut [f64]) {
    let nd = channels(p, m_child.len());
    assert_eq!(
        m_parent.len(),
        m_child.len(),
        "m2m_reference: lengths differ"
    );
    let nc = n_coefficients(p);
    let norms = Norms::new(p);
    let t = sub(child.center, parent.center);
    let mut rh = vec![0.0; nc];
    regular(p, t.map(|v| v / parent.scale), &mut rh);
    let reg = to_complex(p, &rh, |n, m| 1.0 / norms.f(n, m), false);
    let ratio = child.scale / parent.scale;
    for c in 0..nd {
        let mc = to_complex(
            p,
            &m_child[c * nc..(c + 1) * nc],
            |n, m| 1.0 / norms.f(n, m),
            true,
        );
        let mut out = vec![Cx::default(); nc];
        for n in 0..=p {
            for mo in 0..=n as i64 {
                let mut acc = Cx::default();
                for k in 0..=n {
                    for lo in -(k as i64)..=k as i64 {
                        if (mo - lo).unsigned_abs() as usize <= n - k {
                            let term = reg[at(n - k, mo - lo)].conj() * mc[at(k, lo)];
                            acc = acc + term.scale(ratio.powi(k as i32));
                        }
                    }
                }
                out[at(n, mo)] = acc;
            }
        }
        add_real(
            p,
            &out,
            |n, m| 1.0 / norms.f(n, m),
            &mut m_parent[c * nc..(c + 1) * nc],
        );
    }
}

/// `O(p^4)` L2L, term by term: adds the local expansion about `child` of
/// `l_parent` about `parent` into `l_child`.
///
/// # Panics
///
/// If the lengths disagree or `p > MAX_ORDER`.
pub fn l2l_reference(p: usize, parent: Frame, l_parent: &[f64], child: Frame, l_child: &mut [f64]) {
    let nd = channels(p, l_parent.len());
    assert_eq!(
        l_child.len(),
        l_parent.len(),
        "l2l_reference: lengths differ"
    );
    let nc = n_coefficients(p);
    let norms = Norms::new(p);
    let t = sub(child.center, parent.center);
    let mut rh = vec![0.0; nc];
    regular(p, t.map(|v| v / parent.scale), &mut rh);
    let reg = to_complex(p, &rh, |n, m| 1.0 / norms.f(n, m), false);
    let ratio = child.scale / parent.scale;
    for c in 0..nd {
        let lp = to_complex(
            p,
            &l_parent[c * nc..(c + 1) * nc],
            |n, m| norms.f(n, m),
            true,
        );
        let mut out = vec![Cx::default(); nc];
        for k in 0..=p {
            for lo in 0..=k as i64 {
                let mut acc = Cx::default();
                for n in k..=p {
                    for mo in -(n as i64)..=n as i64 {
                        if (mo - lo).unsigned_abs() as usize <= n - k {
                            acc = acc + lp[at(n, mo)] * reg[at(n - k, mo - lo)];
                        }
                    }
                }
                out[at(k, lo)] = acc.scale(ratio.powi(k as i32));
            }
        }
        add_real(
            p,
            &out,
            |n, m| norms.f(n, m),
            &mut l_child[c * nc..(c + 1) * nc],
        );
    }
}
