//! Multipole and local expansions of the Laplace kernel `1/|t - r|` and
//! their translations, for `nd` source channels at once.
//!
//! This module is the mathematics of the fast backend: real solid
//! harmonics, the operators P2M, M2M, M2L (rotation-accelerated, `O(p^3)`,
//! and mutual), L2L, L2P, M2P and P2L, and the choice of the expansion order
//! from a tolerance. Everything works on plain `&[f64]` slices and
//! caller-owned scratch ([`Operators`]), and allocates nothing once an
//! [`Operators`] exists.
//!
//! # Solid harmonics
//!
//! With `(r, theta, phi)` the spherical coordinates of `v = (x, y, z)` and
//! `P_n^m` the associated Legendre functions *without* the Condon–Shortley
//! phase (`P_1^1(cos theta) = sin theta >= 0`), the Schmidt
//! semi-normalized angular functions are
//!
//! ```text
//! Y_n^m(theta, phi) = sqrt((n - m)! / (n + m)!) P_n^m(cos theta) e^{i m phi},   0 <= m <= n,
//! Y_n^{-m}          = (-1)^m conj(Y_n^m).
//! ```
//!
//! Their real and imaginary parts, scaled by `sqrt 2` for `m > 0`, are the
//! **real harmonics** this module stores: for `m = 0..=n`
//!
//! ```text
//! C_n^0 = Y_n^0,   C_n^m = sqrt2 Re Y_n^m,   S_n^m = sqrt2 Im Y_n^m   (m >= 1),
//! ```
//!
//! `2n + 1` functions per degree `n`, `(p + 1)^2` up to order `p`. They
//! satisfy the addition theorem in its simplest form,
//!
//! ```text
//! P_n(cos gamma) = sum_k  Y_{n,k}(u) Y_{n,k}(v)        (k runs over the 2n+1 real harmonics),
//! ```
//!
//! which makes them orthonormal up to a factor that depends on `n` only, so a
//! rotation acts on each degree by an **orthogonal** matrix (its inverse is
//! its transpose). The regular and irregular solid harmonics are
//!
//! ```text
//! R_{n,k}(v) = r^n Y_{n,k}(theta, phi),       I_{n,k}(v) = Y_{n,k}(theta, phi) / r^(n+1),
//! ```
//!
//! e.g. `R_{0,0} = 1`, `(C_1^1, S_1^1, C_1^0) = (x, y, z)`, and
//! `sum_k R_{n,k}(v)^2 = r^(2n)`, so `|R_{n,k}(v)| <= r^n` and
//! `|I_{n,k}(v)| <= r^-(n+1)`: no factorial appears in any stored value.
//! [`regular`] computes them by the stable three-term recurrences
//!
//! ```text
//! R_m^m     = sqrt((2m-1)/(2m)) (x + i y) R_{m-1}^{m-1}                     (complex form)
//! R_n^m     = ((2n - 1) z R_{n-1}^m - a_{n-1,m} r^2 R_{n-2}^m) / a_{n,m},    a_{n,m} = sqrt((n+m)(n-m))
//! ```
//!
//! and [`irregular`] by Kelvin inversion, `I_n(v) = R_n(v / r^2) / r`.
//!
//! # Expansions
//!
//! For `|t - z| < |r - z|` (t near the center `z`, r far) and the reverse,
//!
//! ```text
//! 1 / |t - r| = sum_{n>=0} sum_k R_{n,k}(t - z) I_{n,k}(r - z)   =   sum_{n,k} R_{n,k}(r - z) I_{n,k}(t - z).
//! ```
//!
//! Hence, for sources `r_j` with channel values `s^c_j`, a **multipole**
//! expansion about `z` (valid outside a ball around `z` holding the sources)
//! and a **local** expansion about `z` (valid inside a ball around `z` free of
//! sources) are
//!
//! ```text
//! Phi^c(t) = sum_{n<=p} sum_k M^c_{n,k} I_{n,k}(t - z),      M^c_{n,k} = sum_j s^c_j R_{n,k}(r_j - z),
//! Phi^c(t) = sum_{n<=p} sum_k L^c_{n,k} R_{n,k}(t - z),      (L from P2L or M2L).
//! ```
//!
//! ## Scaling
//!
//! Every expansion carries a [`Frame`]: its center `z` and a length `s > 0`
//! (choose the radius of the cell). The stored coefficients are the
//! dimensionless
//!
//! ```text
//! M~_{n,k} = M_{n,k} / s^n = sum_j s_j R_{n,k}((r_j - z) / s),      L~_{n,k} = s^n L_{n,k},
//! ```
//!
//! so with `s` the cell radius `|M~_{n,k}| <= sum_j |s_j|` whatever the
//! units, the order or the depth of the cell (`s^n` would underflow at
//! `s = 1e-9`, `p = 40`; `n!`-normalized harmonics, as in exafmm, lose
//! another `40! ~ 1e48`). This is FMM3D's `rscale`.
//!
//! ## Translations
//!
//! Writing the complex coefficients in Racah's normalization
//! (`R_n^m = r^n P_n^m e^{i m phi} / (n + m)!`,
//! `I_n^m = (n - m)! P_n^m e^{i m phi} / r^(n+1)`, both with `X^{-m} = (-1)^m conj(X^m)`,
//! `M_n^m = sum_j s_j conj(R_n^m(r_j - z))`), the addition theorems are
//!
//! ```text
//! R_n^m(a + b)   = sum_{k<=n} sum_l R_k^l(a) R_{n-k}^{m-l}(b)
//! I_n^m(d + u)   = sum_{k>=0} sum_l (-1)^(k+l) R_k^l(u) I_{n+k}^{m-l}(d)          (|u| < |d|)
//! ```
//!
//! and give, with `t = z_child - z_parent` and `d = z_target - z_source`,
//!
//! ```text
//! M2M:  M_n^m(parent) = sum_{k,l} conj(R_{n-k}^{m-l}(t)) M_k^l(child)                    exact
//! L2L:  L_k^l(child)  = sum_{n>=k, m} L_n^m R_{n-k}^{m-l}(t)                               exact
//! M2L:  L_k^l(target) = sum_{n <= p-k, m} (-1)^(k+l) I_{n+k}^{m-l}(d) M_n^m(source)        (triangle n + k <= p)
//! ```
//!
//! These general forms cost `O(p^4)`; they are implemented in
//! [`reference`](mod@reference) for the tests. The operators rotate the frame so that the
//! translation runs along `+z`, where only `l = m` couples and the three
//! translations reduce to (in the stored real, scaled coefficients, the same
//! formula for the `C` and the `S` parts, `l >= 0`, `delta = |t|`,
//! `D = |d|`, `b(N, j) = sqrt(binomial(N, j))`)
//!
//! ```text
//! M2M:  M~_{n,l}  = sum_{k=l}^{n}     b(n+l, k+l) b(n-l, k-l) (delta/s_p)^(n-k) (s_c/s_p)^k M~_{k,l}
//! L2L:  L~_{k,l}  = sum_{n=k}^{p}     b(n+l, k+l) b(n-l, k-l) (delta/s_p)^(n-k) (s_c/s_p)^k L~_{n,l}
//! M2L:  L~_{k,l}  = sum_{n=l}^{p-k}  (-1)^(k+l) b(n+k, k+l) b(n+k, k-l) (s_t/D)^k (s_s/D)^n M~_{n,l} / D
//! ```
//!
//! each `O(p^3)` (see [`rotation`] for the rotation, also `O(p^3)`).
//!
//! ## Why the M2L triangle `n + k <= p`
//!
//! Dropping every term of total degree `n + k > p` (rather than `n > p` or
//! `k > p`, a square) halves the work at the same error bound (the bound
//! below counts exactly the dropped total degrees) and makes the mutual
//! interaction conserve momentum: the total gradient that cell B receives
//! from A, `sum_{i in B} s_i grad Phi_A(t_i)`, couples multipole orders
//! `(a, b)` of A and B with `a + b <= p - 1`, the same set as the reverse
//! direction, so the two cancel to round-off (tested). To keep this when a
//! pair is handled by M2P one way and P2L the other, give the M2P one order
//! less than the P2L.
//!
//! # Layout
//!
//! An expansion of order `p` is `(p + 1)^2` reals per channel, **channel-major**
//! (`[channel][coefficient]`): channel `c` occupies
//! `c (p+1)^2 .. (c+1) (p+1)^2`, and within it degree `n`, order `m` sits at
//! [`index`]`(n, m) = n^2 + n + m` with the cosine part `C_n^m` at `m >= 0`
//! and the sine part `S_n^|m|` at `m < 0`. The kernel's outputs keep their
//! layout: see [`Fields`].
//!
//! Why real storage rather than complex pairs: the `m = 0` coefficients
//! are real and the `m < 0` ones are conjugates, so complex storage of
//! `m >= 0` wastes `p + 1` zeros per channel; the real form is exactly
//! `(p+1)^2`, rotations are plain orthogonal matrices (two blocks per degree,
//! cosine and sine, since a rotation about `y` does not mix them), and the
//! `z`-translations act on cosine and sine parts with the same real
//! coefficient. The complex form survives only in [`reference`](mod@reference).
//!
//! # Accuracy and the expansion order
//!
//! For sources in a ball of radius `r_A` about `z_A`, targets in a ball of
//! radius `r_B` about `z_B`, `R = |z_A - z_B|`, `theta = (r_A + r_B) / R < 1`
//! and `A = sum_j |s_j|`, the M2L-then-L2P truncation error (and that of M2P
//! with `r_B = 0`, P2L with `r_A = 0`) obeys
//!
//! ```text
//! |Phi - Phi_p|            <= (A / R)   theta^(p+1) / (1 - theta),
//! |grad Phi - grad Phi_p|  <= (A / R^2) theta^p ((p + 1) - p theta) / (1 - theta)^2,
//! ```
//!
//! (the degree-`N` term of `1/|d + u|` in both offsets is bounded by
//! `|u|^N / R^(N+1)` split binomially between the two balls, and its
//! gradient by `N` times that over `R`, via `|P_N| <= 1` and
//! `(N+1)^2 P_N^2 + (1 - x^2) P_N'^2 <= (N+1)^2`). [`order`] turns a
//! tolerance into `p` and back. The smallest `p` for each bound
//! (potential / gradient):
//!
//! | tolerance | theta = 0.4 | theta = 0.5 | theta = 0.6 | theta = 0.7 |
//! |-----------|------------:|------------:|------------:|------------:|
//! | 1e-3      |  8 / 11 | 10 / 16 | 15 / 22 | 22 / 33 |
//! | 1e-4      | 10 / 14 | 14 / 19 | 19 / 27 | 29 / 40 |
//! | 1e-6      | 15 / 19 | 20 / 26 | 28 / 36 | 42 / 54 |
//! | 1e-8      | 20 / 25 | 27 / 33 | 37 / 46 | 55 /  - |
//! | 1e-9      | 23 / 27 | 30 / 37 | 42 / 51 | 61 /  - |
//! | 1e-12     | 30 / 35 | 40 / 47 | 55 /  - |  - /  - |
//!
//! (`-`: above [`MAX_ORDER`]; the test `order_table_in_docs_is_current`
//! recomputes it). These are worst-case bounds (all of the sources' weight
//! on the far side of the ball, the target on the near side, every term of
//! one sign); the errors measured in the tests (uniform balls, `theta = 0.5`)
//! are 15 to 500 times smaller, the gap growing with `p`, so a backend that
//! calibrates `p` against measured errors can take it several orders lower.
//!
//! Numerical caveats: the expansions are those of the exact `1/r`; with a
//! softening length `s` the far field differs from them by a relative
//! `O(s^2 / R^2)`, which the backend must keep below its tolerance (or
//! treat such pairs directly). Rounding adds about `1e-16 p` relative to the
//! monopole scale (measured `<= 1e-15` at `p = 30`), and the rotation's own
//! error (see [`MAX_ORDER`]).
//!
//! # Example
//!
//! A cluster of charges summing to zero, its multipole evaluated far away,
//! against the direct sum:
//!
//! ```
//! use covar_kernel::Points;
//! use covar_kernel::fast::expansion::{Channels, Fields, Frame, Operators};
//!
//! let (x, y, z) = ([0.1, -0.2, 0.05], [0.0, 0.1, -0.1], [0.2, -0.1, 0.0]);
//! let q = [1.0, -0.5, -0.5];
//! let cell = Frame { center: [0.0; 3], scale: 0.3 };
//!
//! let mut ops = Operators::new(8, 1);
//! let mut m = vec![0.0; ops.expansion_len()];
//! ops.p2m(cell, Points::new(&x, &y, &z), Channels::new(&q, 3), &mut m);
//!
//! let t = [3.0, 1.0, -2.0];
//! let mut phi = [0.0];
//! ops.m2p(cell, &m, Points::new(&t[0..1], &t[1..2], &t[2..3]), Fields::potential(&mut phi, 1));
//!
//! let direct: f64 = (0..3)
//!     .map(|j| q[j] / ((t[0] - x[j]).powi(2) + (t[1] - y[j]).powi(2) + (t[2] - z[j]).powi(2)).sqrt())
//!     .sum();
//! assert!((phi[0] - direct).abs() < 1e-9);
//! ```

// Loops over degrees index several arrays at once, as the formulas do.
#![allow(clippy::needless_range_loop)]

mod gradient;
mod harmonics;
mod l2l;
mod l2p;
mod m2l;
mod m2l_direct;
mod m2m;
mod m2p;
pub mod order;
mod p2l;
mod p2m;
mod recenter;
pub mod reference;
pub mod rotation;
mod tables;

pub use harmonics::{irregular, regular};
pub use order::{Quantity, order_for_tolerance, truncation_error};
pub use rotation::Rotation;

/// The largest expansion order the operators accept.
///
/// The rotation recurrence keeps its matrices orthogonal to about `1e-14`
/// at `p = 20`, `5e-14` at `p = 30` and `1e-10` at `p = 64`, far below the
/// truncation error of any tolerance that needs such an order.
pub const MAX_ORDER: usize = 64;

/// Number of coefficients of one channel of an expansion of order `p`:
/// `(p + 1)^2`.
#[inline]
pub const fn n_coefficients(p: usize) -> usize {
    (p + 1) * (p + 1)
}

/// Position of degree `n`, order `m` (`-n <= m <= n`) in one channel's
/// coefficients: `n^2 + n + m`. `m >= 0` is the cosine part `C_n^m`, `m < 0`
/// the sine part `S_n^|m|`.
///
/// # Panics
///
/// If `|m| > n`.
#[inline]
pub fn index(n: usize, m: i64) -> usize {
    assert!(
        m.unsigned_abs() as usize <= n,
        "order {m} out of range for degree {n}"
    );
    ((n * n + n) as i64 + m) as usize
}

/// The center and length unit of an expansion.
///
/// Coefficients are stored in units of `scale` (see the module
/// documentation), which keeps them of the size of the sources' total weight
/// when `scale` is the radius of the cell (the tree's `r_max` about the
/// expansion center; for a cell whose points all sit on its center, where
/// `r_max = 0`, take its half-width). Any positive `scale` is correct, and
/// the result does not depend on it beyond rounding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Expansion center.
    pub center: [f64; 3],
    /// Length unit of the coefficients, `> 0` (the cell's radius is best).
    pub scale: f64,
}

impl Frame {
    /// `(p - center) / scale`.
    #[inline]
    pub(crate) fn local(&self, x: f64, y: f64, z: f64) -> [f64; 3] {
        let inv = 1.0 / self.scale;
        [
            (x - self.center[0]) * inv,
            (y - self.center[1]) * inv,
            (z - self.center[2]) * inv,
        ]
    }
}

/// Channel values of a run of points: channel `c` of point `j` is
/// `values[c * stride + j]`.
///
/// With the kernel's channel-major source array of `n` points,
/// `Channels::new(&channels[begin..], n)` gives the values of points
/// `begin..` (a leaf of the sorted points).
#[derive(Clone, Copy, Debug)]
pub struct Channels<'a> {
    /// The values.
    pub values: &'a [f64],
    /// Distance between channels in `values`.
    pub stride: usize,
}

impl<'a> Channels<'a> {
    /// Values with channel `c` of point `j` at `values[c * stride + j]`.
    pub fn new(values: &'a [f64], stride: usize) -> Self {
        Self { values, stride }
    }
}

/// Output rows that L2P and M2P **add** into, laid out like the kernel's
/// outputs: the potential of channel `c` at point `i` is
/// `potential[c * stride + i]`, gradient component `d` (x, y, z) is
/// `gradient[(3 c + d) * stride + i]`.
///
/// With the kernel's outputs of `nt` targets,
/// `Fields::with_gradient(&mut pot[begin..], &mut grad[begin..], nt)` adds
/// into the rows of targets `begin..`.
#[derive(Debug)]
pub struct Fields<'a> {
    /// Potentials, added into.
    pub potential: &'a mut [f64],
    /// Gradients of the potentials, added into; `None` skips them.
    pub gradient: Option<&'a mut [f64]>,
    /// Distance between rows.
    pub stride: usize,
}

impl<'a> Fields<'a> {
    /// Potentials only.
    pub fn potential(potential: &'a mut [f64], stride: usize) -> Self {
        Self {
            potential,
            gradient: None,
            stride,
        }
    }

    /// Potentials and gradients.
    pub fn with_gradient(potential: &'a mut [f64], gradient: &'a mut [f64], stride: usize) -> Self {
        Self {
            potential,
            gradient: Some(gradient),
            stride,
        }
    }
}

/// The expansion operators of order `p` for `nd` channels, with their
/// scratch memory.
///
/// One per thread: the operators take `&mut self` for the scratch and never
/// allocate. Expansions are `nd (p+1)^2` reals, channel-major (see
/// [`expansion_len`](Self::expansion_len) and the module documentation);
/// every operator **adds** into its output.
///
/// | operator | method | cost per call |
/// |---|---|---|
/// | points to multipole | [`p2m`](Self::p2m) | `O(n_points nd p^2)` |
/// | multipole to multipole | [`m2m`](Self::m2m) | `O(nd p^3)` |
/// | multipole to local | [`m2l`](Self::m2l), [`m2l_mutual`](Self::m2l_mutual) | `O(nd p^3)` |
/// | local to local | [`l2l`](Self::l2l) | `O(nd p^3)` |
/// | local to points | [`l2p`](Self::l2p) | `O(n_points nd p^2)` |
/// | multipole to points | [`m2p`](Self::m2p) | `O(n_points nd p^2)` |
/// | points to local | [`p2l`](Self::p2l) | `O(n_points nd p^2)` |
#[derive(Clone, Debug)]
pub struct Operators {
    p: usize,
    nd: usize,
    /// Instruction set of the stages that run on the SIMD layer (P2M, L2P).
    isa: crate::Isa,
    rotation: Rotation,
    /// Harmonics of one point, up to order `p + 1`.
    harmonics: Vec<f64>,
    /// Rotated expansions, `nd (p+1)^2` each.
    rotated: [Vec<f64>; 4],
    /// Gradient coefficients: x, y, z blocks of `nd (p+2)^2` each.
    gradient: Vec<f64>,
    /// Per-lane sums of P2M, `nd (p+1)^2` vectors.
    lane_sums: Vec<f64>,
    /// Powers of two length ratios, `p + 2` each.
    powers: [Vec<f64>; 2],
    /// Tables and scratch of [`m2l_direct`](Self::m2l_direct).
    direct: m2l_direct::DirectScratch,
}

impl Operators {
    /// Operators of order `p` for `nd` channels.
    ///
    /// # Panics
    ///
    /// If `p > MAX_ORDER` or `nd == 0`.
    pub fn new(p: usize, nd: usize) -> Self {
        assert!(
            p <= MAX_ORDER,
            "expansion order {p} exceeds MAX_ORDER = {MAX_ORDER}"
        );
        assert!(nd > 0, "at least one channel");
        let len = nd * n_coefficients(p);
        Self {
            p,
            nd,
            isa: crate::Isa::best(),
            rotation: Rotation::new(p),
            // One point's harmonics up to order p + 1, or a vector's of
            // order p (L2P).
            harmonics: vec![
                0.0;
                n_coefficients(p + 1).max(crate::simd::MAX_LANES * n_coefficients(p))
            ],
            rotated: std::array::from_fn(|_| vec![0.0; len]),
            gradient: vec![0.0; 3 * nd * n_coefficients(p + 1)],
            lane_sums: vec![0.0; crate::simd::MAX_LANES * nd * n_coefficients(p)],
            powers: std::array::from_fn(|_| vec![0.0; p + 2]),
            direct: m2l_direct::DirectScratch::new(p),
        }
    }

    /// The same operators on instruction set `isa`, or `None` if this CPU
    /// lacks it.
    pub fn with_isa(self, isa: crate::Isa) -> Option<Self> {
        isa.is_available().then_some(Self { isa, ..self })
    }

    /// The instruction set of the stages on the SIMD layer.
    #[inline]
    pub fn isa(&self) -> crate::Isa {
        self.isa
    }

    /// The expansion order `p`.
    #[inline]
    pub fn order(&self) -> usize {
        self.p
    }

    /// The number of channels `nd`.
    #[inline]
    pub fn channels(&self) -> usize {
        self.nd
    }

    /// Length of one expansion (all channels): `nd (p + 1)^2`.
    #[inline]
    pub fn expansion_len(&self) -> usize {
        self.nd * n_coefficients(self.p)
    }

    /// Panics unless `coefficients` is one expansion of these operators.
    #[inline]
    fn check_len(&self, what: &str, coefficients: &[f64]) {
        assert_eq!(
            coefficients.len(),
            self.expansion_len(),
            "{what}: expected nd (p+1)^2 = {} coefficients",
            self.expansion_len()
        );
    }

    /// Panics unless `nd` channels of `(p+1)^2` coefficients, `stride`
    /// apart, fit in `coefficients`.
    fn check_strided(&self, what: &str, coefficients: &[f64], stride: usize) {
        let nc = n_coefficients(self.p);
        assert!(
            stride >= nc && coefficients.len() >= (self.nd - 1) * stride + nc,
            "{what}: {} coefficients cannot hold {} channels of {nc}, {stride} apart",
            coefficients.len(),
            self.nd
        );
    }
}

/// Panics unless `frame` has a finite center and a positive, finite scale.
#[inline]
fn check_frame(what: &str, frame: Frame) {
    assert!(
        frame.scale > 0.0 && frame.scale.is_finite() && frame.center.iter().all(|c| c.is_finite()),
        "{what}: the frame needs a finite center and a positive finite scale, got {frame:?}"
    );
}

/// Panics unless the coordinate columns agree and `values` holds `nd`
/// channels of them.
fn check_points(points: &crate::Points<'_>, values: Option<Channels<'_>>, nd: usize) -> usize {
    let n = points.x.len();
    assert!(
        points.y.len() == n && points.z.len() == n,
        "coordinate columns differ in length: {} {} {}",
        n,
        points.y.len(),
        points.z.len()
    );
    if let Some(v) = values
        && n > 0
    {
        assert!(
            v.stride >= n,
            "channel stride {} below the number of points {n}",
            v.stride
        );
        assert!(
            v.values.len() >= (nd - 1) * v.stride + n,
            "channel values: {} reals, need (nd - 1) stride + n = {}",
            v.values.len(),
            (nd - 1) * v.stride + n
        );
    }
    n
}

/// Panics unless the output rows hold `nd` channels of `n` points.
fn check_fields(out: &Fields<'_>, n: usize, nd: usize) {
    if n == 0 {
        return;
    }
    assert!(
        out.stride >= n,
        "output stride {} below the number of points {n}",
        out.stride
    );
    assert!(
        out.potential.len() >= (nd - 1) * out.stride + n,
        "potential rows: {} reals, need (nd - 1) stride + n = {}",
        out.potential.len(),
        (nd - 1) * out.stride + n
    );
    if let Some(g) = &out.gradient {
        assert!(
            g.len() >= (3 * nd - 1) * out.stride + n,
            "gradient rows: {} reals, need (3 nd - 1) stride + n = {}",
            g.len(),
            (3 * nd - 1) * out.stride + n
        );
    }
}

/// `out[n] = ratio^n` for `n < out.len()`.
#[inline]
fn powers(ratio: f64, out: &mut [f64]) {
    let mut x = 1.0;
    for o in out {
        *o = x;
        x *= ratio;
    }
}
