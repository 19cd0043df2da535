//! Symplectic splitting methods for separable `H = T(P) + U(r)`: a sequence
//! of drifts `r += a h P/m` and kicks `P += b h F(r)`.

use super::{Integrator, NON_SEPARABLE, StepInfo, check_dt, check_state};
use crate::error::IntegrateError;
use crate::fields::Fields;
use crate::system::System;

/// One sub-step.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    /// `r += c h P / m`.
    Drift(f64),
    /// `P += c h F(r)`.
    Kick(f64),
}

/// The splitting schemes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplittingScheme {
    /// Kick-drift-kick leapfrog (Störmer–Verlet), order 2.
    Leapfrog,
    /// Yoshida's triple jump of leapfrog (1990), order 4.
    Yoshida4,
    /// Triple jump of `Yoshida4` (Suzuki 1990, Yoshida 1990), order 6.
    Yoshida6,
    /// Omelyan, Mryglod and Folk's position-extended Forest–Ruth-like
    /// method (2002), order 4 with a small error constant.
    Pefrl,
}

impl SplittingScheme {
    fn name(self) -> &'static str {
        match self {
            SplittingScheme::Leapfrog => "leapfrog",
            SplittingScheme::Yoshida4 => "yoshida4",
            SplittingScheme::Yoshida6 => "yoshida6",
            SplittingScheme::Pefrl => "pefrl",
        }
    }

    fn order(self) -> u32 {
        match self {
            SplittingScheme::Leapfrog => 2,
            SplittingScheme::Yoshida4 | SplittingScheme::Pefrl => 4,
            SplittingScheme::Yoshida6 => 6,
        }
    }

    /// Leapfrog weights of a composition: `S(w_1 h) S(w_2 h) ...`.
    fn leapfrog_weights(self) -> Vec<f64> {
        // Triple jump: w1 = 1/(2 - 2^(1/(p+1))), w0 = 1 - 2 w1 raises the
        // order of a symmetric method of order p to p + 2.
        let jump = |p: f64| {
            let w1 = 1.0 / (2.0 - 2f64.powf(1.0 / (p + 1.0)));
            [w1, 1.0 - 2.0 * w1, w1]
        };
        match self {
            SplittingScheme::Leapfrog => vec![1.0],
            SplittingScheme::Yoshida4 => jump(2.0).to_vec(),
            SplittingScheme::Yoshida6 => {
                let outer = jump(4.0);
                let inner = jump(2.0);
                outer
                    .iter()
                    .flat_map(|o| inner.iter().map(move |i| o * i))
                    .collect()
            }
            SplittingScheme::Pefrl => Vec::new(),
        }
    }

    /// The sub-steps, adjacent kicks merged.
    fn ops(self) -> Vec<Op> {
        if self == SplittingScheme::Pefrl {
            const XI: f64 = 0.178_617_895_844_809_1;
            const LAMBDA: f64 = -0.212_341_831_062_605_4;
            const CHI: f64 = -0.066_264_582_669_818_5;
            return vec![
                Op::Drift(XI),
                Op::Kick(0.5 * (1.0 - 2.0 * LAMBDA)),
                Op::Drift(CHI),
                Op::Kick(LAMBDA),
                Op::Drift(1.0 - 2.0 * (CHI + XI)),
                Op::Kick(LAMBDA),
                Op::Drift(CHI),
                Op::Kick(0.5 * (1.0 - 2.0 * LAMBDA)),
                Op::Drift(XI),
            ];
        }
        let mut ops: Vec<Op> = Vec::new();
        for w in self.leapfrog_weights() {
            if let Some(Op::Kick(c)) = ops.last_mut() {
                *c += 0.5 * w;
            } else {
                ops.push(Op::Kick(0.5 * w));
            }
            ops.push(Op::Drift(w));
            ops.push(Op::Kick(0.5 * w));
        }
        ops
    }
}

/// A splitting integrator. Caches the forces at the end of a step and
/// reuses them for the first kick of the next one when the positions are
/// unchanged (checked bitwise), so leapfrog costs one force evaluation per
/// step.
#[derive(Clone, Debug)]
pub struct Splitting {
    scheme: SplittingScheme,
    ops: Vec<Op>,
    fields: Fields,
    force: [Vec<f64>; 3],
    /// Positions at which `force` was computed.
    force_at: [Vec<f64>; 3],
    force_valid: bool,
}

impl Splitting {
    /// An integrator for `scheme`.
    pub fn new(scheme: SplittingScheme) -> Self {
        Self {
            scheme,
            ops: scheme.ops(),
            fields: Fields::new(),
            force: Default::default(),
            force_at: Default::default(),
            force_valid: false,
        }
    }

    fn forces_current(&self, system: &System) -> bool {
        let p = &system.particles;
        self.force_valid
            && self.force_at[0] == p.x()
            && self.force_at[1] == p.y()
            && self.force_at[2] == p.z()
    }

    fn compute_forces(&mut self, system: &System) -> Result<(), IntegrateError> {
        let p = &system.particles;
        self.fields.compute(
            &system.backend,
            &system.couplings,
            p.masses(),
            p.charges(),
            system.phase(),
        )?;
        self.take_forces(system);
        Ok(())
    }

    /// The kicks of `self.fields`, evaluated at `system`'s positions.
    fn take_forces(&mut self, system: &System) {
        let p = &system.particles;
        let n = p.len();
        for d in 0..3 {
            self.force[d].resize(n, 0.0);
        }
        let [fx, fy, fz] = &mut self.force;
        self.fields
            .kicks(&system.couplings, p.charges(), [fx, fy, fz]);
        for (d, col) in [p.x(), p.y(), p.z()].into_iter().enumerate() {
            self.force_at[d].clear();
            self.force_at[d].extend_from_slice(col);
        }
        self.force_valid = true;
    }
}

impl Integrator for Splitting {
    fn kernel_time(&self) -> std::time::Duration {
        self.fields.kernel_time()
    }

    fn name(&self) -> &'static str {
        self.scheme.name()
    }

    fn order(&self) -> u32 {
        self.scheme.order()
    }

    /// The sums behind the cached forces, when the positions have not
    /// moved since (checked bitwise): after a step of a scheme that ends
    /// with a kick (all but PEFRL), those of that kick.
    fn current_fields(&self, system: &System) -> Option<&Fields> {
        self.forces_current(system).then_some(&self.fields)
    }

    /// Takes sums of the one channel `q` (`mu = 0`) for `system`'s
    /// particles when the scheme starts with a kick (all but PEFRL) and no
    /// forces for these positions are cached.
    fn offer_fields(&mut self, system: &System, fields: &Fields) -> bool {
        let usable = matches!(self.ops.first(), Some(Op::Kick(_)))
            && system.couplings.is_separable()
            && fields.nd() == 1
            && fields.phi().len() == system.len()
            && !self.forces_current(system);
        if usable {
            self.fields.copy_sums_from(fields);
            self.take_forces(system);
        }
        usable
    }

    /// None: the cached forces are recomputed from the positions (the
    /// same sum on the same positions gives the same bits).
    fn restore_state(&mut self, system: &System, state: &[f64]) -> Result<(), IntegrateError> {
        check_state(self.name(), system.len(), state, &[0], None)?;
        self.force_valid = false;
        Ok(())
    }

    fn step(&mut self, system: &mut System, dt: f64) -> Result<StepInfo, IntegrateError> {
        check_dt(dt)?;
        if !system.couplings.is_separable() {
            return Err(IntegrateError::NotSeparable {
                integrator: self.name(),
                mu: system.couplings.mu,
                alternatives: NON_SEPARABLE,
            });
        }
        let mut info = StepInfo::default();
        for k in 0..self.ops.len() {
            match self.ops[k] {
                Op::Kick(c) => {
                    if !self.forces_current(system) {
                        self.compute_forces(system)?;
                        info.force_evaluations += 1;
                    }
                    let cols = system.particles.columns_mut();
                    for (p, f) in [&mut *cols.px, &mut *cols.py, &mut *cols.pz]
                        .into_iter()
                        .zip(&self.force)
                    {
                        for (p, f) in p.iter_mut().zip(f) {
                            *p += c * dt * f;
                        }
                    }
                }
                Op::Drift(c) => {
                    let cols = system.particles.columns_mut();
                    let m = &*cols.mass;
                    for (r, p) in [&mut *cols.x, &mut *cols.y, &mut *cols.z]
                        .into_iter()
                        .zip([&*cols.px, &*cols.py, &*cols.pz])
                    {
                        for ((r, p), m) in r.iter_mut().zip(p).zip(m) {
                            *r += c * dt * p / m;
                        }
                    }
                }
            }
        }
        system.time += dt;
        Ok(info)
    }
}
