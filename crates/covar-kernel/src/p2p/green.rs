//! The softened kernel in SIMD lanes: `G` and the gradient factor
//! `F = -G'(r) / r` from the squared distance and its `1/sqrt`.
//!
//! Plummer softening adds `s^2` to the squared distance, so `G` is the
//! `1/sqrt` itself and `F = G^3`. A compact kernel adds nothing (only
//! `f64::MIN_POSITIVE`, which keeps `1/sqrt` finite at `r = 0` and changes
//! no other squared distance), takes `1/r` and `1/r^3` where every lane is
//! beyond the support, and evaluates its polynomial pieces where a lane is
//! inside ([`CompactPieces`]; the scalar reference is
//! [`Softening::terms`](crate::Softening::terms)).

use crate::simd::Simd;
use crate::softening::{CompactPieces, Softening};

/// How the pair loop turns `r2` and `inv = 1/sqrt(r2)` into `(G, F)`.
pub(crate) trait Green: Copy {
    /// Whether `terms` branches on the distance (a kernel of compact
    /// support). The pair loop then keeps each source's terms beside its
    /// `1/r`, software-pipelined; a kernel without branches takes two
    /// passes per chunk of sources at nd ≥ 4 ([`sweep`](super::sweep)).
    const BRANCHES: bool;
    /// What the pair loop adds to every squared distance.
    fn soft2(&self) -> f64;
    /// `(G, F)` for every lane, from `r2 = |d|^2 + soft2` and `1/sqrt(r2)`.
    fn terms<S: Simd>(&self, s: S, r2: S::V, inv: S::V) -> (S::V, S::V);
}

/// Plummer softening (or none): `G = (r^2 + s^2)^(-1/2)`, `F = G^3`.
#[derive(Clone, Copy)]
pub(crate) struct Plummer {
    pub(crate) soft2: f64,
}

impl Green for Plummer {
    const BRANCHES: bool = false;
    #[inline(always)]
    fn soft2(&self) -> f64 {
        self.soft2
    }
    #[inline(always)]
    fn terms<S: Simd>(&self, s: S, _r2: S::V, inv: S::V) -> (S::V, S::V) {
        (inv, s.mul(s.mul(inv, inv), inv))
    }
}

/// A kernel of compact support.
#[derive(Clone, Copy)]
pub(crate) struct Compact {
    pieces: CompactPieces,
    h2: f64,
    inv_h: f64,
    inv_h3: f64,
}

impl Compact {
    fn new(pieces: CompactPieces) -> Self {
        let h = pieces.h;
        Self {
            pieces,
            h2: h * h,
            inv_h: 1.0 / h,
            inv_h3: 1.0 / (h * h * h),
        }
    }
}

/// `sum_k a_k u^k` by Horner's rule.
#[inline(always)]
fn horner<S: Simd>(s: S, a: &[f64; 8], u: S::V) -> S::V {
    let mut p = s.splat(a[7]);
    for &c in a[..7].iter().rev() {
        p = s.mul_add(p, u, s.splat(c));
    }
    p
}

impl Green for Compact {
    const BRANCHES: bool = true;
    #[inline(always)]
    fn soft2(&self) -> f64 {
        f64::MIN_POSITIVE
    }
    #[inline(always)]
    fn terms<S: Simd>(&self, s: S, r2: S::V, inv: S::V) -> (S::V, S::V) {
        let inv3 = s.mul(s.mul(inv, inv), inv);
        let inside = s.lt(r2, s.splat(self.h2));
        if !s.any(inside) {
            return (inv, inv3);
        }
        let pc = &self.pieces;
        let u = s.mul(s.mul(r2, inv), s.splat(self.inv_h));
        let mut p = horner(s, &pc.inner.0, u);
        let mut q = horner(s, &pc.inner.1, u);
        if pc.break_u < 1.0 {
            let outer = s.lt(s.splat(pc.break_u), u);
            if s.any(outer) {
                // 1/u = h / r.
                let inv_u = s.mul(s.splat(pc.h), inv);
                let c = s.splat(pc.outer.2);
                let po = s.mul_add(c, inv_u, horner(s, &pc.outer.0, u));
                let inv_u3 = s.mul(s.mul(inv_u, inv_u), inv_u);
                let qo = s.mul_add(c, inv_u3, horner(s, &pc.outer.1, u));
                p = s.select(outer, po, p);
                q = s.select(outer, qo, q);
            }
        }
        (
            s.select(inside, s.mul(p, s.splat(self.inv_h)), inv),
            s.select(inside, s.mul(q, s.splat(self.inv_h3)), inv3),
        )
    }
}

/// The pair loop's form of a softening: Plummer (or none), or compact.
/// (Made on the stack once per target block and never stored, so the size
/// of the compact variant's coefficients does not matter.)
#[derive(Clone, Copy)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum Kernel {
    Plummer(Plummer),
    Compact(Compact),
}

impl Kernel {
    pub(crate) fn of(softening: Softening) -> Self {
        let s = softening.length;
        match softening.support() {
            Some(h) if h > 0.0 => Kernel::Compact(Compact::new(
                CompactPieces::of(softening.kernel, h).expect("compact kernel"),
            )),
            _ => Kernel::Plummer(Plummer { soft2: s * s }),
        }
    }
}
