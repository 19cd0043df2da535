//! The summary of `covar run`: one struct, printed for humans or as JSON
//! (and saved as `summary.json` in the output folder).

use std::fmt;

use serde::Serialize;

use crate::cli::exchange::ExchangeReport;
use crate::cli::fast::FastReport;

/// What a run did and how well it conserved its invariants. Serialized as
/// one flat JSON object; keys that do not apply to the run are `null`.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// Preset name.
    pub preset: &'static str,
    /// Coulomb coupling `k` (`-G` for gravity, `-eps^2` for seed).
    pub k: f64,
    /// Magnetic coupling `mu`.
    pub mu: f64,
    /// Softening length.
    pub softening: f64,
    /// Softening kernel (`plummer`, `spline`, `wendland-c2`).
    pub softening_kernel: &'static str,
    /// The initial conditions in words (`plummer (seed 1)`, `file x.csv`).
    pub initial: String,
    /// Number of particles.
    pub n: usize,
    /// Integrator name.
    pub integrator: &'static str,
    /// Its order.
    pub order: u32,
    /// Time step.
    pub dt: f64,
    /// Steps taken.
    pub steps: u64,
    /// Simulated time at the end.
    pub t_final: f64,
    /// Backend name.
    pub backend: &'static str,
    /// Instruction set of the direct or fast backend (`null` for naive).
    pub isa: Option<String>,
    /// Threads in the pool (on each rank).
    pub threads: usize,
    /// MPI ranks the sums ran over (1 without mpirun).
    pub ranks: usize,
    /// The exchanges and each rank's share of the work, over several ranks
    /// (per evaluation of the steps this process took).
    pub exchange: Option<ExchangeReport>,
    /// The fast backend's parameters and the per-stage times of its last
    /// evaluation (over ranks, of rank 0's share; `null` for the other
    /// backends).
    pub fast: Option<FastReport>,
    /// `H(0)`.
    pub h_initial: f64,
    /// `H` at the end.
    pub h_final: f64,
    /// `H_seed = -H` at the end, for the seed preset.
    pub h_seed_final: Option<f64>,
    /// Largest `|H - H(0)| / |H(0)|` over the energy-log rows.
    pub max_rel_h_error: f64,
    /// `(H - H(0)) / |H(0)|` at the end.
    pub final_rel_h_error: f64,
    /// Largest `|sum P(t) - sum P(0)|` over the rows, relative to `sum_i |P_i|`.
    pub momentum_drift: f64,
    /// Largest `|sum L(t) - sum L(0)|` over the rows, relative to `sum_i |r_i x P_i|`.
    pub angular_momentum_drift: f64,
    /// Wall time of the loop (steps, energy-log rows, snapshots), seconds.
    pub wall_seconds: f64,
    /// `wall_seconds / steps`.
    pub seconds_per_step: f64,
    /// `steps / wall_seconds`.
    pub steps_per_second: f64,
    /// Time in Laplace sums (the kernel): the integrator's and the energy
    /// log's, seconds.
    pub kernel_seconds: f64,
    /// `kernel_seconds / wall_seconds`.
    pub kernel_share: f64,
    /// The integrator's own share of its step time: `(step time - its
    /// kernel time) / step time`.
    pub integrator_overhead: f64,
    /// Force evaluations (Laplace sums) of the integrator.
    pub force_evaluations: u64,
    /// `force_evaluations / steps`.
    pub force_evaluations_per_step: f64,
    /// Laplace sums of the energy log (one per row, except rows read from
    /// the integrator's last sums).
    pub diagnostic_evaluations: u64,
    /// Steps whose implicit solve stopped at its iteration cap.
    pub iteration_cap_hits: u64,
    /// For a run continued with `--resume`: the checkpoint's step (times
    /// and rates then cover the steps after it; counts the whole run).
    pub resumed_from_step: Option<u64>,
    /// Tao's methods: largest relative position gap of the two copies.
    pub max_copy_gap_r: Option<f64>,
    /// Tao's methods: largest relative momentum gap of the two copies.
    pub max_copy_gap_p: Option<f64>,
    /// `mu != 0`: particles violating Gershgorin's condition.
    pub gershgorin_violations: Option<usize>,
    /// `mu != 0`: the particle with the smallest Gershgorin margin.
    pub gershgorin_worst_particle: Option<usize>,
    /// `mu != 0`: that margin (> 1 where the condition holds).
    pub gershgorin_worst_margin: Option<f64>,
    /// `mu != 0`: the exact check's bound on the smallest eigenvalue of
    /// `M^-1/2 (M - mu K_off) M^-1/2` (Lanczos; positive definite needs > 0).
    pub kinetic_min_eigenvalue: Option<f64>,
    /// `mu != 0`: the residual of that Ritz value.
    pub kinetic_residual: Option<f64>,
    /// `mu != 0`: Laplace sums the exact check took.
    pub kinetic_sums: Option<usize>,
    /// Output folder.
    pub out: String,
    /// Rows of the energy log.
    pub energy_rows: u64,
    /// Snapshots written.
    pub snapshots: u64,
    /// The final-state CSV, if written.
    pub final_state: Option<String>,
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let couplings = match self.preset {
            "gravity" => format!("G = {}", -self.k),
            "coulomb" => format!("k = {}", self.k),
            _ => format!("k = {}, mu = {}", self.k, self.mu),
        };
        writeln!(
            f,
            "covar run: {} particles, {}, {} ({couplings}), softening {} ({})",
            self.n, self.initial, self.preset, self.softening, self.softening_kernel
        )?;
        writeln!(
            f,
            "  integrator  {} (order {}), dt = {}, {} steps to t = {}",
            self.integrator,
            self.order,
            self.dt,
            self.steps,
            number(self.t_final)
        )?;
        let backend = match &self.isa {
            Some(isa) => format!("{} ({isa})", self.backend),
            None => self.backend.to_string(),
        };
        let ranks = match self.ranks {
            1 => String::new(),
            k => format!(" on each of {k} MPI ranks"),
        };
        writeln!(
            f,
            "  backend     {backend}, {} threads{ranks}",
            self.threads
        )?;
        if let Some(fast) = &self.fast {
            fast.write_lines(f, 11)?;
        }
        if let Some(x) = &self.exchange {
            x.write_lines(f, 11)?;
        }
        writeln!(
            f,
            "  energy      H(0) = {:.12e}, H(end) = {:.12e}",
            self.h_initial, self.h_final
        )?;
        if let Some(h) = self.h_seed_final {
            writeln!(f, "              H_seed(end) = -H = {h:.12e}")?;
        }
        writeln!(
            f,
            "  error       max |dH/H| = {:.3e}, at the end {:+.3e}",
            self.max_rel_h_error, self.final_rel_h_error
        )?;
        writeln!(
            f,
            "  momentum    drift {:.3e} (|sum P(t) - sum P(0)| / sum |P_i|), angular {:.3e}",
            self.momentum_drift, self.angular_momentum_drift
        )?;
        if let (Some(r), Some(p)) = (self.max_copy_gap_r, self.max_copy_gap_p) {
            writeln!(
                f,
                "  copy gap    max relative gap of Tao's copies: positions {r:.3e}, momenta {p:.3e}"
            )?;
        }
        if let (Some(v), Some(i), Some(m)) = (
            self.gershgorin_violations,
            self.gershgorin_worst_particle,
            self.gershgorin_worst_margin,
        ) {
            let verdict = if v == 0 { "holds" } else { "FAILS" };
            writeln!(
                f,
                "  gershgorin  {verdict}: {v} of {} particles violate it; worst margin {} (particle {i})",
                self.n,
                number(m)
            )?;
        }
        if let (Some(l), Some(r), Some(k)) = (
            self.kinetic_min_eigenvalue,
            self.kinetic_residual,
            self.kinetic_sums,
        ) {
            let verdict = if l > 0.0 {
                "positive definite"
            } else {
                "NOT positive definite"
            };
            writeln!(
                f,
                "  exact       {verdict}: smallest eigenvalue of M^-1/2 (M - mu K_off) M^-1/2 at \
                 most {l:.6} (Lanczos, residual {r:.1e}, {k} sums)"
            )?;
        }
        writeln!(
            f,
            "  time        {:.3} s wall, {:.3} ms/step ({:.1} steps/s), {:.1}% in the kernel, \
             integrator overhead {:.2}% of its steps",
            self.wall_seconds,
            1e3 * self.seconds_per_step,
            self.steps_per_second,
            100.0 * self.kernel_share,
            100.0 * self.integrator_overhead
        )?;
        writeln!(
            f,
            "  work        {:.2} force evaluations/step, {} more for the energy log",
            self.force_evaluations_per_step, self.diagnostic_evaluations
        )?;
        if let Some(step) = self.resumed_from_step {
            writeln!(
                f,
                "  resumed     from the checkpoint of step {step}; times cover the {} steps after it",
                self.steps - step
            )?;
        }
        if self.iteration_cap_hits > 0 {
            writeln!(
                f,
                "  WARNING     {} steps stopped at the implicit solver's iteration cap",
                self.iteration_cap_hits
            )?;
        }
        write!(
            f,
            "  output      {}: energy.csv ({} rows), {} snapshots, summary.json, run.toml",
            self.out, self.energy_rows, self.snapshots
        )?;
        match &self.final_state {
            Some(p) => writeln!(f, "; final state {p}"),
            None => writeln!(f),
        }
    }
}

/// `x` rounded to 9 decimals for moderate magnitudes (so
/// `t = 10.000000000000163`, a sum of 2000 steps, reads `10`), in scientific
/// notation otherwise.
fn number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-3..1e6).contains(&x.abs()) {
        format!("{}", (x * 1e9).round() / 1e9)
    } else {
        format!("{x:.4e}")
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(10.000000000000163), "10");
        assert_eq!(number(0.025), "0.025");
        assert_eq!(number(1.5e-5), "1.5000e-5");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(f64::INFINITY), "inf");
    }
}
