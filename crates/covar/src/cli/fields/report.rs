//! The report of `covar fields`: one struct, printed for humans or as JSON.

use std::fmt;

use serde::Serialize;

use super::accuracy::Accuracy;
use super::checks::Checks;
use crate::cli::exchange::ExchangeReport;
use crate::cli::fast::FastReport;
use crate::cli::system::{Charges, Ic};

/// What `covar fields` measured. Serialized as one flat JSON object (numbers
/// as numbers; `isa` is `null` for backends without one, `fast` is an
/// object for the fast backend and `null` for the others; the keys of
/// [`Accuracy`] are there only with `--check`).
#[derive(Clone, Debug, Serialize)]
pub struct FieldsReport {
    /// Initial conditions (`None` with `--from`).
    pub ic: Option<Ic>,
    /// Charge assignment (`None` with `--from`).
    pub charges: Option<Charges>,
    /// The particle file read with `--from`.
    pub from: Option<String>,
    /// Number of particles.
    pub n: usize,
    /// Seed of the initial conditions.
    pub seed: u64,
    /// Softening length.
    pub softening: f64,
    /// Softening kernel (`plummer`, `spline`, `wendland-c2`).
    pub softening_kernel: &'static str,
    /// Number of source channels (1 or 4).
    pub nd: usize,
    /// Backend name.
    pub backend: &'static str,
    /// Instruction set of the direct or fast backend (`None` for naive).
    pub isa: Option<String>,
    /// Threads in the pool the evaluation ran on (naive uses one of them),
    /// on each rank.
    pub threads: usize,
    /// MPI ranks the sums ran over (1 without mpirun).
    pub ranks: usize,
    /// The exchanges and each rank's share of the work, over several ranks.
    pub exchange: Option<ExchangeReport>,
    /// Timed evaluations.
    pub reps: usize,
    /// Untimed evaluations before them.
    pub warmup: usize,
    /// Pair interactions per evaluation, `N (N - 1)`.
    pub pairs: u64,
    /// Median wall time of one evaluation, in seconds.
    pub seconds: f64,
    /// Shortest wall time of one evaluation, in seconds.
    pub seconds_min: f64,
    /// `pairs / seconds` (0 when there are no pairs).
    pub pairs_per_second: f64,
    /// `sum_i phi_i` of the charge channel (the first of `potential_sums`).
    pub potential_sum: f64,
    /// The checksums.
    #[serde(flatten)]
    pub checks: Checks,
    /// The fast backend's parameters and per-stage times (last evaluation;
    /// over ranks, of rank 0's share).
    pub fast: Option<FastReport>,
    /// The accuracy against exact sums (`--check`).
    #[serde(flatten)]
    pub accuracy: Option<Accuracy>,
}

impl fmt::Display for FieldsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let channels = if self.nd == 1 {
            "q"
        } else {
            "q, q u_x, q u_y, q u_z"
        };
        let backend = match &self.isa {
            Some(isa) => format!("{} ({isa})", self.backend),
            None => self.backend.to_string(),
        };
        let timing = if self.reps == 1 {
            "one evaluation".to_string()
        } else {
            format!("median of {}, fastest {:.6} s", self.reps, self.seconds_min)
        };
        let origin = match (&self.from, self.ic, self.charges) {
            (Some(path), _, _) => format!("from {path}"),
            (None, Some(ic), Some(charges)) => {
                format!(
                    "{}, charges {}, seed {}",
                    ic.name(),
                    charges.name(),
                    self.seed
                )
            }
            _ => "unknown origin".to_string(),
        };
        writeln!(
            f,
            "covar fields: {} particles ({origin}, softening {} ({}))",
            self.n, self.softening, self.softening_kernel
        )?;
        let threads = match (self.backend, self.threads) {
            ("naive", t) => format!("single-threaded (pool of {t})"),
            (_, 1) => "1 thread".to_string(),
            (_, t) => format!("{t} threads"),
        };
        let ranks = match self.ranks {
            1 => String::new(),
            k => format!(" on each of {k} MPI ranks"),
        };
        writeln!(f, "  backend    {backend}, {threads}{ranks}")?;
        writeln!(
            f,
            "  channels   nd = {} ({channels}), potential + gradient",
            self.nd
        )?;
        writeln!(f, "  time       {:.6} s ({timing})", self.seconds)?;
        let rate = if self.fast.is_some() {
            "direct-sum equivalent pair interactions/s"
        } else {
            "pair interactions/s"
        };
        writeln!(
            f,
            "  rate       {:.3e} {rate} ({:.4e} pairs per evaluation)",
            self.pairs_per_second, self.pairs as f64
        )?;
        if let Some(fast) = &self.fast {
            fast.write_lines(f, 10)?;
        }
        if let Some(x) = &self.exchange {
            x.write_lines(f, 10)?;
        }
        writeln!(f, "  sum phi    {:.15e}", self.potential_sum)?;
        writeln!(
            f,
            "  energy     {:.15e}  (sum_(i<j) q_i q_j G_ij)",
            self.checks.energy
        )?;
        writeln!(
            f,
            "  3rd law    {:.3e}  (|sum q E| / sum |q E|)",
            self.checks.third_law_residual
        )?;
        if let Some(a) = &self.accuracy {
            writeln!(
                f,
                "  accuracy   against exact sums at {} particles ({:.3} s): relative L2 \
                 potential {:.3e}, gradient {:.3e}; max relative potential {:.3e}, gradient {:.3e}",
                a.check_targets,
                a.check_seconds,
                a.rel_l2_pot,
                a.rel_l2_grad,
                a.max_rel_pot,
                a.max_rel_grad
            )?;
        }
        Ok(())
    }
}
