//! The report of `covar fit`: one struct, printed for humans or as JSON.

use std::fmt;

use covar_infer::cluster::Frustration;
use covar_infer::data::{Data, Encoding};
use covar_infer::fit::{Fit, Residual};
use covar_infer::loss::LossTerms;
use covar_infer::loss::approx::SeedLoss;
use covar_infer::loss::stochastic::StochasticLoss;
use serde::Serialize;

use super::FitArgs;

/// Cluster rows the human report shows (`--json` lists all).
const SHOWN: usize = 20;

/// One cluster, as a particle.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterRow {
    /// Its index (the particle's row in the output file).
    pub id: usize,
    /// Members.
    pub size: usize,
    /// Variable indices, ascending (the first is the reference).
    pub members: Vec<usize>,
    /// Name of the reference member.
    pub reference: String,
    /// Member signs `q_k` relative to the reference.
    pub signs: Vec<i8>,
    /// Mass `m = Var(x)`.
    pub mass: f64,
    /// Charge `q`.
    pub charge: f64,
    /// `E[x]`.
    pub mean: f64,
    /// Fitted position.
    pub position: [f64; 3],
    /// Links that contradict the member signs, if any.
    pub frustration: Option<Frustration>,
}

/// The losses, side by side.
#[derive(Clone, Debug, Serialize)]
pub struct LossReport {
    /// The seed's eps used by eq. 67.
    pub eps: f64,
    /// Whether eps was fitted to the data's means (not given).
    pub eps_estimated: bool,
    /// Softening of the loss's kernel.
    pub softening: f64,
    /// `max_(i, j) |q_i q_j| G_ij / m_i`.
    pub coupling: f64,
    /// The exact check of `K`: a Lanczos bound on the smallest eigenvalue
    /// of `M^-1/2 K M^-1/2` (positive definite needs > 0).
    pub covariance_min_eigenvalue: f64,
    /// The residual of that Ritz value.
    pub covariance_residual: f64,
    /// Laplace sums the check took.
    pub covariance_sums: usize,
    /// Exact, by dense Cholesky (`None` above the dense limit or when `K`
    /// is not positive definite).
    pub exact: Option<LossTerms>,
    /// Why there is no exact loss, if `K` is not positive definite.
    pub exact_error: Option<String>,
    /// First order in `K_off` (eq. 32) with the measured `S`.
    pub first_order: Option<LossTerms>,
    /// The seed's `C - M - H_seed` (eq. 67).
    pub seed: SeedLoss,
    /// Stochastic estimate from `K X` products.
    pub stochastic: Option<StochasticLoss>,
    /// Why the stochastic estimate failed, if it did.
    pub stochastic_error: Option<String>,
}

/// Wall times of the stages, in seconds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Timings {
    /// Reading the data and its moments.
    pub read: f64,
    /// Clustering, fitting and writing the particles.
    pub fit: f64,
    /// Exact, first-order and seed losses.
    pub loss: f64,
    /// The stochastic estimate.
    pub stochastic: f64,
    /// Everything.
    pub total: f64,
}

/// What `covar fit` found.
#[derive(Clone, Debug, Serialize)]
pub struct FitReport {
    /// The data file.
    pub data: String,
    /// Time steps.
    pub rows: u64,
    /// Variables.
    pub variables: usize,
    /// The data's encoding.
    pub encoding: Encoding,
    /// Clustering threshold.
    pub threshold: f64,
    /// The clusters.
    pub clusters: Vec<ClusterRow>,
    /// Unclustered (binary) variables.
    pub unclustered: Vec<usize>,
    /// Sign-frustrated clusters.
    pub frustrated: usize,
    /// Largest `|corr|` between variables not linked into one cluster.
    pub largest_unlinked: f64,
    /// The particle file written.
    pub out: String,
    /// The clusters file written, if any.
    pub clusters_file: Option<String>,
    /// Fitted against measured cluster covariances.
    pub residual: Residual,
    /// Normalized stress of the embedding.
    pub stress: f64,
    /// SMACOF iterations of the best start.
    pub smacof_iterations: usize,
    /// Whether SMACOF met its tolerance.
    pub smacof_converged: bool,
    /// The losses.
    pub loss: LossReport,
    /// Stage times.
    pub seconds: Timings,
    /// Threads in the pool.
    pub threads: usize,
    /// A command that runs the fitted particles under the seed preset.
    pub next: String,
}

impl FitReport {
    /// Gathers the report.
    pub(super) fn new(
        args: &FitArgs,
        data: &Data,
        f: &Fit,
        loss: LossReport,
        seconds: Timings,
        threads: usize,
    ) -> Self {
        let p = &f.particles;
        let clusters = f
            .clustering
            .clusters
            .iter()
            .enumerate()
            .map(|(id, c)| ClusterRow {
                id,
                size: c.len(),
                members: c.members.clone(),
                reference: data.name(c.members[0]),
                signs: c.signs.clone(),
                mass: p.masses[id],
                charge: p.charges[id],
                mean: f.moments.means[id],
                position: p.position(id).to_array(),
                frustration: c.frustration.clone(),
            })
            .collect();
        let eps = if loss.eps.abs() > 0.0 {
            loss.eps.abs()
        } else {
            1.0
        };
        let out = args.out.display().to_string();
        Self {
            data: args.data.display().to_string(),
            rows: data.moments.rows(),
            variables: data.moments.variables(),
            encoding: data.encoding,
            threshold: f.clustering.threshold,
            clusters,
            unclustered: f.clustering.unclustered.clone(),
            frustrated: f.clustering.frustrated(),
            largest_unlinked: f.clustering.largest_unlinked,
            next: format!(
                "covar run --from {out} --preset seed --eps {eps:.6} --softening {}",
                args.softening
            ),
            out,
            clusters_file: args.clusters.as_ref().map(|p| p.display().to_string()),
            residual: p.residual,
            stress: p.embedding.stress,
            smacof_iterations: p.embedding.iterations,
            smacof_converged: p.embedding.converged,
            loss,
            seconds,
            threads,
        }
    }
}

/// `|a - b| / |b|` as text.
fn rel(a: f64, b: f64) -> String {
    format!("{:.3e}", ((a - b) / b).abs())
}

impl fmt::Display for FitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "covar fit: {}, {} rows x {} variables ({}), {} threads",
            self.data,
            self.rows,
            self.variables,
            self.encoding.describe(),
            self.threads
        )?;
        writeln!(
            f,
            "  clusters    {} at |corr| >= {} (largest |corr| left unlinked {:.4}); {} unclustered \
             binary variables; {} sign-frustrated",
            self.clusters.len(),
            self.threshold,
            self.largest_unlinked,
            self.unclustered.len(),
            self.frustrated
        )?;
        writeln!(
            f,
            "    {:>5} {:>5} {:>12} {:>12} {:>10} {:>10}  {:>30}  frustrated",
            "id", "size", "reference", "mass", "charge", "mean", "position"
        )?;
        for c in self.clusters.iter().take(SHOWN) {
            let fr = match &c.frustration {
                Some(fr) => format!(
                    "{} of {} links, cycle {:?}",
                    fr.bad_links, fr.links, fr.cycle
                ),
                None => "no".into(),
            };
            writeln!(
                f,
                "    {:>5} {:>5} {:>12} {:>12.4} {:>10.4} {:>10.4}  ({:>8.3}, {:>8.3}, {:>8.3})  {fr}",
                c.id,
                c.size,
                c.reference,
                c.mass,
                c.charge,
                c.mean,
                c.position[0],
                c.position[1],
                c.position[2]
            )?;
        }
        if self.clusters.len() > SHOWN {
            writeln!(
                f,
                "    ... {} more (--json lists all)",
                self.clusters.len() - SHOWN
            )?;
        }
        let r = &self.residual;
        writeln!(
            f,
            "  fit         {} cluster pairs: covariance residual {:.3e} (relative RMS), correlation \
             error RMS {:.3e}, max {:.3e}; {} sign mismatches; stress {:.3e} (SMACOF, {} \
             iterations{})",
            r.pairs,
            r.relative_rms,
            r.rms_correlation,
            r.max_correlation,
            r.sign_mismatches,
            self.stress,
            self.smacof_iterations,
            if self.smacof_converged {
                ""
            } else {
                ", not converged"
            }
        )?;
        writeln!(
            f,
            "  particles   {} written to {} (x,y,z,px,py,pz,m,q; charges +-sqrt(m), at rest)",
            self.clusters.len(),
            self.out
        )?;
        if let Some(c) = &self.clusters_file {
            writeln!(
                f,
                "  clusters    written to {c} (variable,name,cluster,sign)"
            )?;
        }
        let l = &self.loss;
        writeln!(
            f,
            "  loss        L_x with S = E[x x^T] measured; coupling max |q_i q_j| G_ij / m_i = \
             {:.4}; eps = {:.6} ({}); softening {}",
            l.coupling,
            l.eps,
            if l.eps_estimated {
                "fitted to the means"
            } else {
                "given"
            },
            l.softening
        )?;
        writeln!(
            f,
            "  exact check {}: smallest eigenvalue of M^-1/2 K M^-1/2 at most {:.6} (Lanczos, \
             residual {:.1e}, {} sums)",
            if l.covariance_min_eigenvalue > 0.0 {
                "K positive definite"
            } else {
                "K NOT positive definite"
            },
            l.covariance_min_eigenvalue,
            l.covariance_residual,
            l.covariance_sums
        )?;
        writeln!(
            f,
            "    {:<28} {:>16} {:>16} {:>12} {:>16}  rel. error of L_x",
            "", "log|K|", "tr(K^-1 S)", "T_v", "L_x"
        )?;
        let exact_total = l.exact.map(|e| e.total);
        let row = |f: &mut fmt::Formatter<'_>, name: &str, t: &LossTerms| {
            writeln!(
                f,
                "    {name:<28} {:>16.8e} {:>16.8e} {:>12.4e} {:>16.8e}  {}",
                t.log_det,
                t.trace,
                t.kinetic,
                t.total,
                exact_total.map_or("-".into(), |e| rel(t.total, e))
            )
        };
        match (&l.exact, &l.exact_error) {
            (Some(e), _) => writeln!(
                f,
                "    {:<28} {:>16.8e} {:>16.8e} {:>12.4e} {:>16.8e}  (the reference)",
                "exact (dense Cholesky)", e.log_det, e.trace, e.kinetic, e.total
            )?,
            (None, Some(why)) => writeln!(f, "    {:<28} {why}", "exact (dense Cholesky)")?,
            (None, None) => writeln!(
                f,
                "    {:<28} above --dense-limit",
                "exact (dense Cholesky)"
            )?,
        }
        if let Some(fo) = &l.first_order {
            row(f, "eq. 32 (first order)", fo)?;
        }
        row(f, "eq. 67 (C - M - H_seed)", &l.seed.terms)?;
        match (&l.stochastic, &l.stochastic_error) {
            (Some(s), _) => writeln!(
                f,
                "    {:<28} {:>16} {:>16} {:>12.4e} {:>16}  ({} probes, {} Lanczos steps, {} CG \
                 iterations, {} K X products)",
                "stochastic (K X products)",
                format!("{:.6e}+-{:.1e}", s.log_det.value, s.log_det.std_error),
                format!("{:.6e}+-{:.1e}", s.trace.value, s.trace.std_error),
                s.kinetic,
                format!("{:.6e}+-{:.1e}", s.total.value, s.total.std_error),
                s.probes,
                s.lanczos_steps,
                s.cg_iterations,
                s.products
            )?,
            (None, Some(why)) => writeln!(f, "    {:<28} {why}", "stochastic (K X products)")?,
            (None, None) => {}
        }
        let t = &self.seconds;
        writeln!(
            f,
            "  time        {:.3} s: read {:.3} s, fit {:.3} s, loss {:.3} s, stochastic {:.3} s",
            t.total, t.read, t.fit, t.loss, t.stochastic
        )?;
        writeln!(f, "  next        {}", self.next)
    }
}
