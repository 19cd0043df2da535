//! Tao's explicit symplectic method for non-separable Hamiltonians in an
//! extended phase space (Molei Tao, Phys. Rev. E 94, 043303 (2016)).
//!
//! Two copies of phase space, `(q, p)` and `(x, y)`, evolve under
//!
//! ```text
//! Hbar(q, p, x, y) = H_A + H_B + omega H_C,
//! H_A = H(q, y),   H_B = H(x, p),   H_C = (|q - x|^2 + |p - y|^2) / 2.
//! ```
//!
//! On the diagonal `q = x, p = y` the flow of `Hbar` is the flow of `H` in
//! both copies; the coupling `omega H_C` binds the copies so that the
//! numerical error does not push them apart. Each part's flow is exact and
//! explicit:
//!
//! ```text
//! phi_A(d): p += -d dH/dr(q, y),   x += d dH/dP(q, y)     (q, y fixed)
//! phi_B(d): q += d dH/dP(x, p),    y += -d dH/dr(x, p)    (x, p fixed)
//! phi_C(d): rotates (q - x, p - y) by the angle 2 omega d, keeps q + x, p + y
//! ```
//!
//! Order 2 is the Strang composition `phi_A(h/2) phi_B(h/2) phi_C(h)
//! phi_B(h/2) phi_A(h/2)`; order 4 is Yoshida's triple jump of it. The map
//! is symplectic and symmetric on the doubled state, reversible under
//! `(p, y) -> (-p, -y)` (H is even in `P`), and conserves exactly
//!
//! ```text
//! sum_i (P_i + y_i)                  (each part is translation invariant)
//! sum_i (r_i x P_i + x_i x y_i)      (each part is rotation invariant)
//! ```
//!
//! but not `sum P` or `sum r x P` of one copy alone: those drift with the
//! copies' gap, which [`Tao::copy_gap`] reports.

use glam::DVec3;

use super::{
    Integrator, StepInfo, check_dt, check_state, evaluate, push_columns, read_columns, state_is,
    write_state,
};
use crate::couplings::Couplings;
use crate::error::IntegrateError;
use crate::fields::Fields;
use crate::phase::{Phase, PhaseBuf};
use crate::system::System;

/// How far Tao's two copies are apart: `(r, P)` (the system's state) and
/// `(x, y)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CopyGap {
    /// `max_i |r_i - x_i|`.
    pub position: f64,
    /// `max_i |P_i - y_i|`.
    pub momentum: f64,
    /// `position / max_i |r_i|`.
    pub position_relative: f64,
    /// `momentum / max_i |P_i|`.
    pub momentum_relative: f64,
}

/// The quantities Tao's map conserves exactly on the doubled state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ExtendedInvariants {
    /// `sum_i (P_i + y_i)`.
    pub momentum: DVec3,
    /// `sum_i (r_i x P_i + x_i x y_i)`.
    pub angular_momentum: DVec3,
}

/// One exact sub-flow, with its fraction of the step.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    /// Flow of `H(q, y)`.
    A(f64),
    /// Flow of `H(x, p)`.
    B(f64),
    /// Flow of `omega H_C`.
    C(f64),
}

/// Tao's extended-phase-space integrator, order 2 (`tao2`) or 4 (`tao4`).
///
/// The integrator keeps the second copy `(x, y)` between steps. It starts
/// it as a copy of the system's state on the first step, and again
/// whenever the system's state, size or couplings are not what the
/// integrator last wrote (the state was changed outside it). After each step
/// it writes the `(q, p)` copy into the system.
///
/// The force evaluation of `phi_A` at `(q, y)` that ends a step is the one
/// that starts the next (`phi_A` leaves `q` and `y` alone), so a step costs
/// 3 evaluations (`tao2`) or 9 (`tao4`), one more on a fresh start.
///
/// # The binding constant `omega`
///
/// `omega` is fixed for a run, independent of `h`: the error of the `(q, p)`
/// copy is `O(h^l omega)` (Tao's bound, `l` the order), so an `omega` that
/// grew like `1/h` would cost an order. Two limits bracket it:
///
/// - **Large enough to bind.** Linearised about the diagonal, the copies'
///   gap `g = (q - x, p - y)` obeys the variational equation of `H` with
///   the mixed curvature `H_rP` of opposite sign, plus a rotation of rate
///   `2 omega`. With `mu = 0` that is `g_r' = (H_PP + 2 omega) g_P`,
///   `g_P' = -(H_rr + 2 omega) g_r`: where the potential's curvature
///   `H_rr` is below `-2 omega` (the radial direction of an attracting
///   pair, `-2 |k q_i q_j| G^3` up to `-2 |k q_i q_j| / s^3` with
///   softening `s`), the gap grows like `exp(sqrt(2 omega |H_rr|) t)`,
///   faster than physical perturbations do. So `omega` should exceed about
///   half the most negative curvature that lasts (a brief close pass is
///   tolerated: the growth lasts only as long as the pass). With
///   `mu != 0`, `omega = 0` (Pihajoki's unbound method) lets the copies
///   drift apart even without close encounters.
/// - **Small enough for the step.** `phi_C` rotates by `2 omega w h` per
///   sub-step (`w` = 1 for `tao2`, up to 1.70 in magnitude for `tao4`'s
///   triple jump), and with the kinetic curvature `H_PP ~ 1/m` the gap
///   oscillates at about `sqrt(2 omega (2 omega + 1/m))`: light particles
///   (gravity with `m = 1/N`) make it fast. A step whose sub-steps turn
///   that oscillation by more than `pi/2`, `|w| h sqrt(2 omega (2 omega +
///   1/m_min)) > pi/2`, is refused with [`IntegrateError::TaoRotation`]
///   (measured: beyond about 2 the copies decouple, near multiples of `pi`
///   the splitting resonates).
///
/// The coupling is Tao's, `|q - x|^2 + |p - y|^2` unweighted, so its scale
/// is tied to the units: it suits masses of order 1. Where the potential
/// is weak compared with `1/m` (gravity with `m = 1/N`: curvatures of order
/// `m`), a small `omega` (of order the largest curvature) binds and allows
/// longer steps.
///
/// The default [`Tao::DEFAULT_OMEGA`] `= 20` binds systems in natural
/// units (masses, charges, distances and dynamical times of order 1,
/// softening of a few tenths) at steps up to `h = 0.038` (`tao2`) or
/// `0.022` (`tao4`) with unit masses. Measured on a Darwin-type pair
/// (softening 0.5) over `10^5` steps of `h = 0.01`, the maximum relative
/// energy error of `tao2` is 1.0e-1 with `omega = 0`, 1.8 with
/// `omega = 1`, 5e-3 with 3, 2.6e-4 with 10, 2.0e-4 with 20 and 1.9e-4
/// with 30 (implicit midpoint: 8.4e-5). On 5 random particles with
/// softening 0.3 the copies stay within 1e-3 relative over `10^4` steps for
/// `omega` from 10 to 100; with softening 0.2, close passes part them
/// (relative gap 0.2 at `omega = 20`). For stiffer systems raise
/// [`omega`](Self::omega), lower `h` to match, and watch
/// [`copy_gap`](Self::copy_gap).
///
/// # Examples
///
/// ```
/// use covar_integrate::{Couplings, Integrator, System, Tao};
/// use covar_store::{Particle, ParticleStore};
/// use glam::DVec3;
///
/// let particles: ParticleStore = [
///     Particle::new(DVec3::new(-0.5, 0.0, 0.0), DVec3::new(0.0, -0.4, 0.0), 1.0, 1.0),
///     Particle::new(DVec3::new(0.5, 0.0, 0.0), DVec3::new(0.0, 0.4, 0.0), 1.0, -1.0),
/// ]
/// .into_iter()
/// .collect();
/// let mut sys = System::new(particles, Couplings { k: 1.0, mu: 0.3, softening: 0.5.into() })?;
/// let mut tao = Tao::tao2();
/// for _ in 0..100 {
///     tao.step(&mut sys, 1e-2)?;
/// }
/// let gap = tao.copy_gap().unwrap();
/// assert!(gap.position_relative < 1e-3 && gap.momentum_relative < 1e-3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Tao {
    /// Binding constant `omega` of the copies (it multiplies
    /// `(|q - x|^2 + |p - y|^2) / 2`, so `omega h` is dimensionless in
    /// natural units); finite and `>= 0` (`0` is Pihajoki's unbound
    /// method). Default [`Tao::DEFAULT_OMEGA`].
    pub omega: f64,
    order: u32,
    ops: Vec<Op>,
    fields: Fields,
    /// `(q, p)`: the copy written into the system.
    qp: PhaseBuf,
    /// `(x, y)`.
    xy: PhaseBuf,
    /// Rates of `H` at `(q, y)`, current when `a_current`.
    rate_a: PhaseBuf,
    /// Rates of `H` at `(x, p)`.
    rate_b: PhaseBuf,
    a_current: bool,
    /// Couplings of the last step, `None` before the first.
    couplings: Option<Couplings>,
}

impl Tao {
    /// Default binding constant (see the type's documentation).
    pub const DEFAULT_OMEGA: f64 = 20.0;

    /// Order 2: `phi_A(h/2) phi_B(h/2) phi_C(h) phi_B(h/2) phi_A(h/2)`.
    pub fn tao2() -> Self {
        Self::with_weights(2, &[1.0])
    }

    /// Order 4: Yoshida's triple jump of the order-2 map.
    pub fn tao4() -> Self {
        let w1 = 1.0 / (2.0 - 2f64.cbrt());
        Self::with_weights(4, &[w1, 1.0 - 2.0 * w1, w1])
    }

    /// Uses `omega` as the binding constant.
    pub fn with_omega(mut self, omega: f64) -> Self {
        self.omega = omega;
        self
    }

    /// The composition of order-2 maps of steps `w h`, adjacent `phi_A`
    /// merged.
    fn with_weights(order: u32, weights: &[f64]) -> Self {
        let mut ops: Vec<Op> = Vec::new();
        for &w in weights {
            if let Some(Op::A(c)) = ops.last_mut() {
                *c += 0.5 * w;
            } else {
                ops.push(Op::A(0.5 * w));
            }
            ops.extend([Op::B(0.5 * w), Op::C(w), Op::B(0.5 * w), Op::A(0.5 * w)]);
        }
        Self {
            omega: Self::DEFAULT_OMEGA,
            order,
            ops,
            fields: Fields::new(),
            qp: PhaseBuf::default(),
            xy: PhaseBuf::default(),
            rate_a: PhaseBuf::default(),
            rate_b: PhaseBuf::default(),
            a_current: false,
            couplings: None,
        }
    }

    /// The second copy `(x, y)` after the last step; `None` before the
    /// first.
    pub fn copy(&self) -> Option<Phase<'_>> {
        self.couplings.map(|_| self.xy.as_phase())
    }

    /// How far the copies are apart after the last step; `None` before the
    /// first.
    pub fn copy_gap(&self) -> Option<CopyGap> {
        self.couplings?;
        let mut gap = CopyGap::default();
        let (mut r_max, mut p_max) = (0.0f64, 0.0f64);
        for i in 0..self.qp.len() {
            let at = |b: &PhaseBuf, p: bool| {
                let c = if p { &b.p } else { &b.r };
                DVec3::new(c[0][i], c[1][i], c[2][i])
            };
            let (r, p) = (at(&self.qp, false), at(&self.qp, true));
            let (x, y) = (at(&self.xy, false), at(&self.xy, true));
            gap.position = gap.position.max((r - x).length());
            gap.momentum = gap.momentum.max((p - y).length());
            r_max = r_max.max(r.length());
            p_max = p_max.max(p.length());
        }
        let rel = |d: f64, s: f64| if d == 0.0 { 0.0 } else { d / s };
        gap.position_relative = rel(gap.position, r_max);
        gap.momentum_relative = rel(gap.momentum, p_max);
        Some(gap)
    }

    /// The invariants of the map on the doubled state after the last step;
    /// `None` before the first.
    pub fn extended_invariants(&self) -> Option<ExtendedInvariants> {
        self.couplings?;
        let mut inv = ExtendedInvariants::default();
        for i in 0..self.qp.len() {
            let v = |c: &[Vec<f64>; 3]| DVec3::new(c[0][i], c[1][i], c[2][i]);
            let (r, p) = (v(&self.qp.r), v(&self.qp.p));
            let (x, y) = (v(&self.xy.r), v(&self.xy.p));
            inv.momentum += p + y;
            inv.angular_momentum += r.cross(p) + x.cross(y);
        }
        Some(inv)
    }

    /// Reverses time: negates the system's momenta and, when the system
    /// holds the state this integrator wrote, the second copy's momenta
    /// `y` too, so that the next steps retrace the doubled trajectory.
    /// (Negating only the system's momenta would restart the second copy.)
    pub fn reverse_momenta(&mut self, system: &mut System) {
        let in_sync = self.couplings.is_some() && state_is(system, &self.qp);
        let cols = system.particles.columns_mut();
        for p in [&mut *cols.px, &mut *cols.py, &mut *cols.pz] {
            p.iter_mut().for_each(|v| *v = -*v);
        }
        if in_sync {
            for c in self.qp.p.iter_mut().chain(self.xy.p.iter_mut()) {
                c.iter_mut().for_each(|v| *v = -*v);
            }
        }
        self.a_current = false;
    }

    /// Restarts the doubled state from the system's state, unless the
    /// system holds what the last step wrote.
    fn sync(&mut self, system: &System) {
        if self.couplings == Some(system.couplings) && state_is(system, &self.qp) {
            return;
        }
        let n = system.len();
        for b in [
            &mut self.qp,
            &mut self.xy,
            &mut self.rate_a,
            &mut self.rate_b,
        ] {
            b.resize(n);
        }
        self.qp.copy_from(system.phase());
        self.xy.copy_from(system.phase());
        self.a_current = false;
        self.couplings = Some(system.couplings);
    }
}

/// The state with positions of `r` and momenta of `p`.
fn mixed<'a>(r: &'a PhaseBuf, p: &'a PhaseBuf) -> Phase<'a> {
    Phase {
        r: [&r.r[0], &r.r[1], &r.r[2]],
        p: [&p.p[0], &p.p[1], &p.p[2]],
    }
}

/// `dst += d * src`, column by column.
fn axpy(dst: &mut [Vec<f64>; 3], d: f64, src: &[Vec<f64>; 3]) {
    for (dst, src) in dst.iter_mut().zip(src) {
        for (a, &b) in dst.iter_mut().zip(src) {
            *a += d * b;
        }
    }
}

impl Integrator for Tao {
    fn kernel_time(&self) -> std::time::Duration {
        self.fields.kernel_time()
    }

    fn name(&self) -> &'static str {
        if self.order == 2 { "tao2" } else { "tao4" }
    }

    fn order(&self) -> u32 {
        self.order
    }

    fn step(&mut self, system: &mut System, dt: f64) -> Result<StepInfo, IntegrateError> {
        check_dt(dt)?;
        if !(self.omega.is_finite() && self.omega >= 0.0) {
            return Err(IntegrateError::InvalidCoupling {
                name: "omega",
                value: self.omega,
                expected: "Tao's binding constant must be finite and >= 0",
            });
        }
        // The copies' gap oscillates at about sqrt(2 omega (2 omega + 1/m))
        // (the binding rotation and the kinetic curvature H_PP ~ 1/m): each
        // sub-step of weight w must resolve it.
        let min_mass = system
            .particles
            .masses()
            .iter()
            .fold(f64::INFINITY, |a, &m| a.min(m));
        let w_max = self
            .ops
            .iter()
            .map(|op| match op {
                Op::C(c) => c.abs(),
                _ => 0.0,
            })
            .fold(0.0, f64::max);
        let angle = w_max * dt * (2.0 * self.omega * (2.0 * self.omega + 1.0 / min_mass)).sqrt();
        if angle > std::f64::consts::FRAC_PI_2 {
            return Err(IntegrateError::TaoRotation {
                integrator: self.name(),
                omega: self.omega,
                dt,
                min_mass,
                angle,
            });
        }
        self.sync(system);
        let mut info = StepInfo::default();
        for k in 0..self.ops.len() {
            match self.ops[k] {
                Op::A(c) => {
                    if !self.a_current {
                        evaluate(
                            &mut self.fields,
                            system,
                            mixed(&self.qp, &self.xy),
                            &mut self.rate_a,
                        )?;
                        info.force_evaluations += 1;
                        self.a_current = true;
                    }
                    axpy(&mut self.qp.p, c * dt, &self.rate_a.p);
                    axpy(&mut self.xy.r, c * dt, &self.rate_a.r);
                }
                Op::B(c) => {
                    evaluate(
                        &mut self.fields,
                        system,
                        mixed(&self.xy, &self.qp),
                        &mut self.rate_b,
                    )?;
                    info.force_evaluations += 1;
                    axpy(&mut self.qp.r, c * dt, &self.rate_b.r);
                    axpy(&mut self.xy.p, c * dt, &self.rate_b.p);
                    self.a_current = false;
                }
                Op::C(c) => {
                    let (sin, cos) = (2.0 * self.omega * c * dt).sin_cos();
                    for d in 0..3 {
                        rotate(
                            [&mut self.qp.r[d], &mut self.qp.p[d]],
                            [&mut self.xy.r[d], &mut self.xy.p[d]],
                            cos,
                            sin,
                        );
                    }
                    self.a_current = false;
                }
            }
        }
        write_state(system, &self.qp);
        system.time += dt;
        Ok(info)
    }

    fn copy_gap(&self) -> Option<CopyGap> {
        Tao::copy_gap(self)
    }

    /// Whether the rates at `(q, y)` are current (1 or 0), the second copy
    /// `(x, y)` and those rates; `(q, p)` is the system's state.
    fn save_state(&self) -> Vec<f64> {
        if self.couplings.is_none() {
            return Vec::new();
        }
        let n = self.qp.len();
        let mut out = Vec::with_capacity(1 + 12 * n);
        out.push(if self.a_current { 1.0 } else { 0.0 });
        push_columns(&mut out, &self.xy);
        if self.rate_a.len() == n {
            push_columns(&mut out, &self.rate_a);
        } else {
            out.resize(1 + 12 * n, 0.0);
        }
        out
    }

    fn restore_state(&mut self, system: &System, state: &[f64]) -> Result<(), IntegrateError> {
        let n = system.len();
        let layout = check_state(self.name(), n, state, &[0, 1 + 12 * n], None)?;
        if layout == 0 {
            self.couplings = None;
            self.a_current = false;
            return Ok(());
        }
        if state[0] != 0.0 && state[0] != 1.0 {
            return Err(IntegrateError::InvalidState {
                integrator: self.name(),
                reason: format!("value 0 is {} (must be 0 or 1)", state[0]),
            });
        }
        for b in [&mut self.qp, &mut self.rate_b] {
            b.resize(n);
        }
        self.qp.copy_from(system.phase());
        read_columns(&mut self.xy, n, &state[1..1 + 6 * n]);
        read_columns(&mut self.rate_a, n, &state[1 + 6 * n..]);
        self.a_current = state[0] == 1.0;
        self.couplings = Some(system.couplings);
        Ok(())
    }
}

/// The exact flow of `omega H_C` on one coordinate: `(q - x, p - y)`
/// rotates by the angle `t` (`cos t`, `sin t` given), `q + x` and `p + y`
/// stay.
fn rotate([q, p]: [&mut [f64]; 2], [x, y]: [&mut [f64]; 2], cos: f64, sin: f64) {
    for (((q, p), x), y) in q
        .iter_mut()
        .zip(p.iter_mut())
        .zip(x.iter_mut())
        .zip(y.iter_mut())
    {
        let (sq, dq) = (*q + *x, *q - *x);
        let (sp, dp) = (*p + *y, *p - *y);
        let dq1 = cos * dq + sin * dp;
        let dp1 = -sin * dq + cos * dp;
        *q = 0.5 * (sq + dq1);
        *x = 0.5 * (sq - dq1);
        *p = 0.5 * (sp + dp1);
        *y = 0.5 * (sp - dp1);
    }
}
