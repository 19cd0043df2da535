//! What a run watches at each energy-log row: `H` and its parts, the total
//! momentum and angular momentum, and how far each has drifted from its
//! initial value.
//!
//! A row reads `H` from the integrator's last sums when they were taken at
//! the current state ([`Integrator::current_fields`]: leapfrog and Yoshida's
//! methods, whose last kick evaluated the forces at the final positions);
//! otherwise
//! it costs one Laplace sum ([`covar_integrate::diagnostics`]) beyond the
//! integrator's own. Either way the row's bits are the same. Plus `O(N)`
//! sums here.

use std::time::{Duration, Instant};

use covar_integrate::{
    CopyGap, Diagnostics, Fields, Integrator, System, diagnostics, diagnostics_from,
};
use covar_store::DVec3;

use crate::cli::CliError;

/// One row of the energy log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// Steps taken.
    pub step: u64,
    /// Simulated time.
    pub t: f64,
    /// `H`.
    pub h: f64,
    /// The velocity-dependent part `T` (kinetic plus magnetic).
    pub t_part: f64,
    /// The position-only part `U` (Coulomb or gravitational).
    pub u: f64,
    /// `|sum_i P_i|`.
    pub abs_sum_p: f64,
    /// `|sum_i r_i x P_i|`.
    pub abs_sum_l: f64,
    /// `(H - H(0)) / |H(0)|` (see [`Monitor`] for `H(0) = 0`).
    pub rel_h_error: f64,
    /// `H_seed = -H` for the seed preset.
    pub h_seed: Option<f64>,
    /// The gap of Tao's two copies after the step.
    pub copy_gap: Option<CopyGap>,
}

/// Tracks the invariants over a run.
///
/// The relative energy error is `(H - H(0)) / |H(0)|`; when `H(0) = 0` it is
/// taken relative to `|T(0)| + |U(0)|`, and absolute when that is 0 too.
/// The momentum drift is `max_t |sum P(t) - sum P(0)|` over the logged rows,
/// relative to the largest `sum_i |P_i|` seen; the angular momentum drift
/// likewise with `sum_i |r_i x P_i|`.
#[derive(Clone, Debug)]
pub struct Monitor {
    fields: Fields,
    h0: f64,
    h_scale: f64,
    p0: DVec3,
    l0: DVec3,
    max_rel_h: f64,
    max_dp: f64,
    max_dl: f64,
    p_scale: f64,
    l_scale: f64,
    max_gap: Option<(f64, f64)>,
    /// Laplace sums evaluated for rows (rows read from the integrator's
    /// sums are not counted).
    evaluations: u64,
    elapsed: Duration,
}

impl Monitor {
    /// Starts monitoring at the system's current state, which is row 0.
    ///
    /// # Errors
    ///
    /// Any error of the Laplace sum (e.g. coincident particles with zero
    /// softening).
    pub fn start(system: &System) -> Result<(Self, Row), CliError> {
        let start = Instant::now();
        let mut fields = Fields::new();
        let d = diagnostics(system, &mut fields)?;
        let mut m = Self {
            fields,
            h0: d.h(),
            h_scale: [d.h().abs(), d.energy.t().abs() + d.energy.u().abs()]
                .into_iter()
                .find(|s| *s > 0.0)
                .unwrap_or(1.0),
            p0: d.momentum,
            l0: d.angular_momentum,
            max_rel_h: 0.0,
            max_dp: 0.0,
            max_dl: 0.0,
            p_scale: 0.0,
            l_scale: 0.0,
            max_gap: None,
            evaluations: 1,
            elapsed: Duration::ZERO,
        };
        let row = m.record(system, 0, None, &d, start);
        Ok((m, row))
    }

    /// The row of the system's current state after `step` steps, from
    /// `integrator`'s sums when they are current, else from a Laplace sum.
    ///
    /// # Errors
    ///
    /// Any error of the Laplace sum.
    pub fn observe(
        &mut self,
        system: &System,
        step: u64,
        copy_gap: Option<CopyGap>,
        integrator: Option<&dyn Integrator>,
    ) -> Result<Row, CliError> {
        let start = Instant::now();
        let d = match integrator.and_then(|i| i.current_fields(system)) {
            Some(fields) => diagnostics_from(system, fields),
            None => {
                self.evaluations += 1;
                diagnostics(system, &mut self.fields)?
            }
        };
        Ok(self.record(system, step, copy_gap, &d, start))
    }

    /// Updates the drifts with `d`, measured at `system`'s state since
    /// `start`, and returns its row.
    fn record(
        &mut self,
        system: &System,
        step: u64,
        copy_gap: Option<CopyGap>,
        d: &Diagnostics,
        start: Instant,
    ) -> Row {
        let p = &system.particles;
        let (mut sum_abs_p, mut sum_abs_l) = (0.0, 0.0);
        for i in 0..p.len() {
            let (r, mom) = (p.position(i), p.momentum(i));
            sum_abs_p += mom.length();
            sum_abs_l += r.cross(mom).length();
        }
        let rel_h_error = (d.h() - self.h0) / self.h_scale;
        self.max_rel_h = self.max_rel_h.max(rel_h_error.abs());
        self.max_dp = self.max_dp.max((d.momentum - self.p0).length());
        self.max_dl = self.max_dl.max((d.angular_momentum - self.l0).length());
        self.p_scale = self.p_scale.max(sum_abs_p);
        self.l_scale = self.l_scale.max(sum_abs_l);
        if let Some(g) = copy_gap {
            let (r, m) = self.max_gap.unwrap_or((0.0, 0.0));
            self.max_gap = Some((r.max(g.position_relative), m.max(g.momentum_relative)));
        }
        self.elapsed += start.elapsed();
        Row {
            step,
            t: system.time,
            h: d.h(),
            t_part: d.energy.t(),
            u: d.energy.u(),
            abs_sum_p: d.momentum.length(),
            abs_sum_l: d.angular_momentum.length(),
            rel_h_error,
            h_seed: d.h_seed,
            copy_gap,
        }
    }

    /// The running values a checkpoint keeps, so that a resumed run's
    /// rows and summary are the uninterrupted run's: `H(0)`, its scale,
    /// `sum P(0)`, `sum L(0)`, the maxima and scales of the drifts, the
    /// largest copy gap (a flag, then positions and momenta) and the
    /// number of Laplace sums evaluated for rows, at least 1 (the first
    /// row's; checkpoints written before rows could reuse the integrator's
    /// sums hold the number of rows there, which was the same)
    /// ([`Self::STATE_LEN`] values).
    pub fn save_state(&self) -> Vec<f64> {
        let (gap_flag, (gap_r, gap_p)) = match self.max_gap {
            Some(g) => (1.0, g),
            None => (0.0, (0.0, 0.0)),
        };
        vec![
            self.h0,
            self.h_scale,
            self.p0.x,
            self.p0.y,
            self.p0.z,
            self.l0.x,
            self.l0.y,
            self.l0.z,
            self.max_rel_h,
            self.max_dp,
            self.max_dl,
            self.p_scale,
            self.l_scale,
            gap_flag,
            gap_r,
            gap_p,
            self.evaluations as f64,
        ]
    }

    /// Values in [`save_state`](Self::save_state).
    pub const STATE_LEN: usize = 17;

    /// The monitor of a checkpoint (see [`save_state`](Self::save_state)).
    ///
    /// # Errors
    ///
    /// A message for a state of the wrong length or with values out of
    /// range.
    pub fn restore(state: &[f64]) -> Result<Self, String> {
        let s: &[f64; Self::STATE_LEN] = state.try_into().map_err(|_| {
            format!(
                "the energy monitor's state has {} values, expected {}",
                state.len(),
                Self::STATE_LEN
            )
        })?;
        if let Some(i) = s.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "the energy monitor's value {i} is {} (must be finite)",
                s[i]
            ));
        }
        let evaluations = s[16];
        if !(evaluations >= 1.0 && evaluations.fract() == 0.0 && evaluations < 2f64.powi(53)) {
            return Err(format!(
                "the energy monitor's evaluation count is {evaluations} (must be a whole number >= 1)"
            ));
        }
        Ok(Self {
            fields: Fields::new(),
            h0: s[0],
            h_scale: s[1],
            p0: DVec3::new(s[2], s[3], s[4]),
            l0: DVec3::new(s[5], s[6], s[7]),
            max_rel_h: s[8],
            max_dp: s[9],
            max_dl: s[10],
            p_scale: s[11],
            l_scale: s[12],
            max_gap: (s[13] != 0.0).then_some((s[14], s[15])),
            evaluations: evaluations as u64,
            elapsed: Duration::ZERO,
        })
    }

    /// The row of the system's current state after `step` steps, without
    /// recording it (for a resumed run whose last row is already logged).
    ///
    /// # Errors
    ///
    /// Any error of the Laplace sum.
    pub fn peek(
        &mut self,
        system: &System,
        step: u64,
        copy_gap: Option<CopyGap>,
        integrator: Option<&dyn Integrator>,
    ) -> Result<Row, CliError> {
        let saved = self.clone();
        let row = self.observe(system, step, copy_gap, integrator);
        let fields = std::mem::take(&mut self.fields);
        *self = Self { fields, ..saved };
        row
    }

    /// `H(0)`.
    pub fn h0(&self) -> f64 {
        self.h0
    }

    /// Largest `|dH / H(0)|` of the rows so far.
    pub fn max_rel_h_error(&self) -> f64 {
        self.max_rel_h
    }

    /// Momentum drift relative to `sum_i |P_i|` (0 when nothing moves).
    pub fn momentum_drift(&self) -> f64 {
        ratio(self.max_dp, self.p_scale)
    }

    /// Angular momentum drift relative to `sum_i |r_i x P_i|`.
    pub fn angular_momentum_drift(&self) -> f64 {
        ratio(self.max_dl, self.l_scale)
    }

    /// Largest relative gap of Tao's copies, `(position, momentum)`.
    pub fn max_copy_gap(&self) -> Option<(f64, f64)> {
        self.max_gap
    }

    /// Laplace sums evaluated for the rows (not counting rows read from the
    /// integrator's sums).
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// The sums of the last row that evaluated them (for the first row,
    /// from [`start`](Self::start), those of the initial state).
    pub fn sums(&self) -> &Fields {
        &self.fields
    }

    /// Time in the rows' Laplace sums.
    pub fn kernel_time(&self) -> Duration {
        self.fields.kernel_time()
    }

    /// Wall time spent computing rows.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// `a / b`, or 0 when `a` is 0 (nothing drifted, even with no scale).
fn ratio(a: f64, b: f64) -> f64 {
    if a == 0.0 { 0.0 } else { a / b }
}
