//! Softening: the kernel `G(r)` that replaces `1/r` at short range.
//!
//! Three kernels, all with the Plummer-equivalent length `s`, so that
//! `G(0) = 1/s` for each (DESIGN.md section 1.1):
//!
//! | kernel | `G(r)` | exactly `1/r` from |
//! |---|---|---|
//! | [`Plummer`](SofteningKernel::Plummer) | `(r^2 + s^2)^(-1/2)` | never |
//! | [`Spline`](SofteningKernel::Spline) (GADGET-2's cubic spline) | piecewise polynomial in `u = r / h` | `h = 2.8 s` |
//! | [`WendlandC2`](SofteningKernel::WendlandC2) (SWIFT's) | polynomial in `u = r / h` | `h = 3 s` |
//!
//! The compact kernels are continuous with a continuous first derivative
//! at `h` (and the spline at `h / 2`). Beyond `h` they are the exact `1/r`,
//! so a fast backend expands every cell pair farther apart than `h` with
//! plain `1/r` expansions; Plummer's kernel differs from `1/r` by about
//! `s^2 / (2 r^2)` at every distance, which forces direct sums out to
//! `s / sqrt(2 tol)`.
//!
//! Every backend evaluates the potential `G` and the gradient factor
//! `F = -G'(r) / r` (so that `grad_t G(|t - r_j|) = F (r_j - t)`); this
//! module holds the plain scalar formulas, the reference of the SIMD ones.
//!
//! ```
//! use covar_kernel::{Softening, SofteningKernel};
//! let s = Softening::new(SofteningKernel::Spline, 0.01);
//! assert!((s.support().unwrap() - 0.028).abs() < 1e-17);
//! let (g0, _) = s.terms(0.0);
//! assert!((g0 - 100.0).abs() < 1e-12); // G(0) = 1/s
//! let (g, f) = s.terms(0.05 * 0.05);
//! assert_eq!(g, 1.0 / 0.05); // exactly 1/r beyond h
//! assert_eq!(f, g * g * g);
//! ```

use std::fmt;
use std::str::FromStr;

/// The shape of the softened kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SofteningKernel {
    /// `(r^2 + s^2)^(-1/2)`: never exactly `1/r`.
    #[default]
    Plummer,
    /// GADGET-2's cubic spline, exactly `1/r` from `h = 2.8 s`.
    Spline,
    /// SWIFT's Wendland C2, exactly `1/r` from `h = 3 s`.
    WendlandC2,
}

impl SofteningKernel {
    /// Every kernel, in the order of the table above.
    pub const ALL: [SofteningKernel; 3] = [Self::Plummer, Self::Spline, Self::WendlandC2];

    /// The support radius `h` in units of the softening length `s`
    /// (`None` for Plummer, which has no compact support).
    pub fn support_factor(self) -> Option<f64> {
        match self {
            Self::Plummer => None,
            Self::Spline => Some(2.8),
            Self::WendlandC2 => Some(3.0),
        }
    }

    /// The name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plummer => "plummer",
            Self::Spline => "spline",
            Self::WendlandC2 => "wendland-c2",
        }
    }
}

impl fmt::Display for SofteningKernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SofteningKernel {
    type Err = String;

    /// Parses `plummer`, `spline` or `wendland-c2`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!("unknown softening kernel {s:?} (expected plummer, spline or wendland-c2)")
            })
    }
}

/// A softening kernel with its Plummer-equivalent length `s >= 0`
/// (`s = 0` is the exact `1/r` whatever the kernel).
///
/// A bare length converts to Plummer softening, the default of DESIGN.md
/// section 1: `Softening::from(0.01) == Softening::plummer(0.01)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softening {
    /// The kernel's shape.
    pub kernel: SofteningKernel,
    /// The Plummer-equivalent length `s` (`G(0) = 1/s`).
    pub length: f64,
}

impl From<f64> for Softening {
    fn from(length: f64) -> Self {
        Self::plummer(length)
    }
}

impl fmt::Display for Softening {
    /// `0.01 (spline)`, or `0` without softening.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_exact() {
            write!(f, "0")
        } else {
            write!(f, "{} ({})", self.length, self.kernel)
        }
    }
}

impl Softening {
    /// No softening: the exact `1/r`.
    pub const NONE: Softening = Softening {
        kernel: SofteningKernel::Plummer,
        length: 0.0,
    };

    /// `kernel` with length `s`.
    pub fn new(kernel: SofteningKernel, length: f64) -> Self {
        Self { kernel, length }
    }

    /// Plummer softening with length `s`.
    pub fn plummer(length: f64) -> Self {
        Self::new(SofteningKernel::Plummer, length)
    }

    /// Whether the kernel is the exact `1/r` (length 0).
    pub fn is_exact(&self) -> bool {
        self.length == 0.0
    }

    /// The radius `h` from which the kernel is exactly `1/r`: `Some(0)`
    /// without softening, `None` for Plummer softening.
    pub fn support(&self) -> Option<f64> {
        if self.is_exact() {
            return Some(0.0);
        }
        self.kernel.support_factor().map(|f| f * self.length)
    }

    /// `G` and the gradient factor `F = -G'(r) / r` at squared distance
    /// `r2 = r^2 >= 0`, by the plain formulas of DESIGN.md section 1.1 (IEEE
    /// square root and division; Plummer as `1 / sqrt(r2 + s^2)`). At
    /// `r = 0` without softening both are infinite.
    pub fn terms(&self, r2: f64) -> (f64, f64) {
        let s = self.length;
        if self.kernel == SofteningKernel::Plummer || s == 0.0 {
            let g = 1.0 / (r2 + s * s).sqrt();
            return (g, g * g * g);
        }
        let h = self.support().expect("compact kernel");
        let r = r2.sqrt();
        if r >= h {
            let g = 1.0 / r;
            return (g, g * g * g);
        }
        let u = r / h;
        let (u2, u3) = (u * u, u * u * u);
        let (p, q) = match self.kernel {
            SofteningKernel::Spline if u < 0.5 => (
                14.0 / 5.0 - 16.0 / 3.0 * u2 + 48.0 / 5.0 * u2 * u2 - 32.0 / 5.0 * u2 * u3,
                32.0 / 3.0 - 192.0 / 5.0 * u2 + 32.0 * u3,
            ),
            SofteningKernel::Spline => (
                16.0 / 5.0 - 1.0 / (15.0 * u) - 32.0 / 3.0 * u2 + 16.0 * u3 - 48.0 / 5.0 * u2 * u2
                    + 32.0 / 15.0 * u2 * u3,
                -1.0 / (15.0 * u3) + 64.0 / 3.0 - 48.0 * u + 192.0 / 5.0 * u2 - 32.0 / 3.0 * u3,
            ),
            SofteningKernel::WendlandC2 => (
                3.0 - 7.0 * u2 + 21.0 * u2 * u2 - 28.0 * u2 * u3 + 15.0 * u3 * u3
                    - 3.0 * u3 * u2 * u2,
                14.0 - 84.0 * u2 + 140.0 * u3 - 90.0 * u2 * u2 + 21.0 * u2 * u3,
            ),
            SofteningKernel::Plummer => unreachable!(),
        };
        (p / h, q / (h * h * h))
    }
}

/// The compact kernels as polynomials for the SIMD pair loop: inside the
/// support, `h G = P(u) + c / u` and `h^3 F = Q(u) + c / u^3`, with degree-7
/// coefficient arrays (lowest first), one piece below `break_u` and one
/// from it up to 1.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CompactPieces {
    /// Support radius `h`.
    pub(crate) h: f64,
    /// Where the outer piece starts, in units of `h` (1: one piece only).
    pub(crate) break_u: f64,
    /// `P` and `Q` of the inner piece.
    pub(crate) inner: ([f64; 8], [f64; 8]),
    /// `P`, `Q` and `c` of the outer piece.
    pub(crate) outer: ([f64; 8], [f64; 8], f64),
}

impl CompactPieces {
    /// The pieces of a compact kernel with support `h`; `None` for Plummer.
    pub(crate) fn of(kernel: SofteningKernel, h: f64) -> Option<Self> {
        const NONE: [f64; 8] = [0.0; 8];
        match kernel {
            SofteningKernel::Plummer => None,
            SofteningKernel::Spline => Some(Self {
                h,
                break_u: 0.5,
                inner: (
                    [
                        14.0 / 5.0,
                        0.0,
                        -16.0 / 3.0,
                        0.0,
                        48.0 / 5.0,
                        -32.0 / 5.0,
                        0.0,
                        0.0,
                    ],
                    [32.0 / 3.0, 0.0, -192.0 / 5.0, 32.0, 0.0, 0.0, 0.0, 0.0],
                ),
                outer: (
                    [
                        16.0 / 5.0,
                        0.0,
                        -32.0 / 3.0,
                        16.0,
                        -48.0 / 5.0,
                        32.0 / 15.0,
                        0.0,
                        0.0,
                    ],
                    [
                        64.0 / 3.0,
                        -48.0,
                        192.0 / 5.0,
                        -32.0 / 3.0,
                        0.0,
                        0.0,
                        0.0,
                        0.0,
                    ],
                    -1.0 / 15.0,
                ),
            }),
            SofteningKernel::WendlandC2 => Some(Self {
                h,
                break_u: 1.0,
                inner: (
                    [3.0, 0.0, -7.0, 0.0, 21.0, -28.0, 15.0, -3.0],
                    [14.0, 0.0, -84.0, 140.0, -90.0, 21.0, 0.0, 0.0],
                ),
                outer: (NONE, NONE, 0.0),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smoothed mass density of each kernel, `rho = -lap G / (4 pi)`,
    /// written independently of the potential formulas: GADGET-2's cubic
    /// spline `W(r, h)` and SWIFT's Wendland C2 `21/(2 pi h^3) (1-u)^4
    /// (1+4u)`, each of unit mass.
    fn density(kernel: SofteningKernel, h: f64, r: f64) -> f64 {
        let u = r / h;
        let pi = std::f64::consts::PI;
        if u >= 1.0 {
            return 0.0;
        }
        match kernel {
            SofteningKernel::Spline if u < 0.5 => {
                8.0 / (pi * h.powi(3)) * (1.0 - 6.0 * u * u + 6.0 * u.powi(3))
            }
            SofteningKernel::Spline => 8.0 / (pi * h.powi(3)) * 2.0 * (1.0 - u).powi(3),
            SofteningKernel::WendlandC2 => {
                21.0 / (2.0 * pi * h.powi(3)) * (1.0 - u).powi(4) * (1.0 + 4.0 * u)
            }
            SofteningKernel::Plummer => unreachable!(),
        }
    }

    /// `F = -G'/r` against a central difference of `G` (relative 1e-7), and
    /// `-lap G / (4 pi) = (3 F + r F') / (4 pi)` against the kernel's
    /// density (relative 1e-6 of its central value), at 400 radii across and
    /// beyond the support; Plummer against its closed form.
    #[test]
    fn kernels_match_their_densities_and_derivatives() {
        for kernel in SofteningKernel::ALL {
            for s in [0.01, 1.0, 7.5] {
                let soft = Softening::new(kernel, s);
                let (g0, f0) = soft.terms(0.0);
                assert!(
                    (g0 * s - 1.0).abs() < 1e-15,
                    "{kernel} G(0) = {g0}, s = {s}"
                );
                assert!(f0.is_finite() && f0 > 0.0);
                let h = soft.support().unwrap_or(4.0 * s);
                for k in 1..400 {
                    let r = h * 1.25 * k as f64 / 400.0;
                    let at = |r: f64| soft.terms(r * r);
                    let (g, f) = at(r);
                    let dr = 1e-5 * h;
                    let slope = (at(r + dr).0 - at(r - dr).0) / (2.0 * dr);
                    assert!(
                        (f + slope / r).abs() <= 1e-7 * f,
                        "{kernel} s {s} r {r}: F {f}, -G'/r {}",
                        -slope / r
                    );
                    if kernel == SofteningKernel::Plummer {
                        let exact = 1.0 / (r * r + s * s).sqrt();
                        assert!((g - exact).abs() <= 1e-15 * exact);
                        continue;
                    }
                    let f_slope = (at(r + dr).1 - at(r - dr).1) / (2.0 * dr);
                    let rho = (3.0 * f + r * f_slope) / (4.0 * std::f64::consts::PI);
                    let want = density(kernel, h, r);
                    let scale = density(kernel, h, 0.0);
                    assert!(
                        (rho - want).abs() <= 1e-6 * scale,
                        "{kernel} s {s} r {r}: density {rho}, want {want}"
                    );
                    if r >= h {
                        let exact = 1.0 / r;
                        assert!((g - exact).abs() <= 2e-16 * exact, "{kernel} beyond h");
                        assert!((f - exact.powi(3)).abs() <= 1e-15 * f, "{kernel} beyond h");
                    }
                }
            }
        }
    }

    /// `G` and `F` are continuous at the support and at the spline's break:
    /// the two sides agree to 1e-12 relative.
    #[test]
    fn compact_kernels_are_continuous_at_their_breaks() {
        for (kernel, breaks) in [
            (SofteningKernel::Spline, vec![0.5, 1.0]),
            (SofteningKernel::WendlandC2, vec![1.0]),
        ] {
            let soft = Softening::new(kernel, 0.3);
            let h = soft.support().unwrap();
            for b in breaks {
                let r = b * h;
                let below = soft.terms((r * (1.0 - 1e-14)).powi(2));
                let above = soft.terms((r * (1.0 + 1e-14)).powi(2));
                for (x, y, what) in [(below.0, above.0, "G"), (below.1, above.1, "F")] {
                    assert!(
                        (x - y).abs() <= 1e-12 * y,
                        "{kernel} {what} at u = {b}: {x} / {y}"
                    );
                }
            }
        }
    }

    /// The polynomial pieces of the SIMD loop reproduce the plain formulas
    /// (relative 1e-14) inside the support.
    #[test]
    fn pieces_match_the_plain_formulas() {
        for kernel in [SofteningKernel::Spline, SofteningKernel::WendlandC2] {
            let soft = Softening::new(kernel, 0.2);
            let h = soft.support().unwrap();
            let pc = CompactPieces::of(kernel, h).unwrap();
            let poly = |a: &[f64; 8], u: f64| a.iter().rev().fold(0.0, |acc, c| acc * u + c);
            for k in 1..1000 {
                let u = k as f64 / 1000.0;
                let (p, q, c) = if u < pc.break_u {
                    (pc.inner.0, pc.inner.1, 0.0)
                } else {
                    pc.outer
                };
                let g = (poly(&p, u) + c / u) / h;
                let f = (poly(&q, u) + c / u.powi(3)) / h.powi(3);
                let (g0, f0) = soft.terms((u * h).powi(2));
                assert!((g - g0).abs() <= 1e-14 * g0, "{kernel} G at u = {u}");
                assert!((f - f0).abs() <= 1e-13 * f0, "{kernel} F at u = {u}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for k in SofteningKernel::ALL {
            assert_eq!(k.name().parse::<SofteningKernel>(), Ok(k));
        }
        assert!(
            "gaussian"
                .parse::<SofteningKernel>()
                .unwrap_err()
                .contains("wendland-c2")
        );
        assert_eq!(Softening::from(0.5), Softening::plummer(0.5));
        assert_eq!(
            Softening::new(SofteningKernel::Spline, 0.5).to_string(),
            "0.5 (spline)"
        );
    }
}
