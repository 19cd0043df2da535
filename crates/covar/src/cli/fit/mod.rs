//! `covar fit`: binary measurements in, particles out, and the seed's loss.
//!
//! Reads `T x M` binary data (CSV or `.npy`) in one pass with a progress
//! bar, clusters the variables, fits masses, charges and positions
//! ([`covar_infer::fit`]), writes the particles in the CSV layout that
//! `covar run --from` reads, and evaluates the loss `L_x` exactly (dense,
//! up to `--dense-limit` particles), to first order (eq. 32), in the seed's
//! closed form (eq. 67), and stochastically (`--stochastic`, or always
//! above the dense limit).

mod report;

use std::path::{Path, PathBuf};
use std::time::Instant;

use covar_infer::data::{self, ReadProgress};
use covar_infer::embed::SmacofParams;
use covar_infer::fit::{Fit, FitParams, fit};
use covar_infer::loss::stochastic::{SecondMoment, StochasticParams, estimate};
use covar_infer::loss::{approx, coupling_strength, exact};
use covar_integrate::spectrum::{Form, smallest_eigenvalue};
use covar_integrate::{Couplings, System};
use covar_kernel::Backend;

pub use report::{ClusterRow, FitReport, LossReport, Timings};

use super::CliError;
#[cfg(feature = "cli")]
use super::args;
use crate::io::csv;

/// The defaults of `covar fit`'s numeric options, for the flags and for
/// [`FitArgs::new`].
struct Defaults {
    threshold: f64,
    min_correlation: f64,
    softening: f64,
    dense_limit: usize,
    probes: usize,
    lanczos_steps: usize,
    seed: u64,
}

const DEFAULTS: Defaults = Defaults {
    threshold: 0.5,
    min_correlation: 0.01,
    softening: 0.0,
    dense_limit: 2000,
    probes: 32,
    lanczos_steps: 40,
    seed: 1,
};

/// Arguments of `covar fit`.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct FitArgs {
    /// Measurements: T rows (time steps) of M binary values, -1/+1 or 0/1; CSV (optional header
    /// of names) or NumPy .npy (2-D, C order).
    pub data: PathBuf,

    /// Where to write the particles (CSV x,y,z,px,py,pz,m,q, the layout `covar run --from`
    /// reads).
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE"))]
    pub out: PathBuf,

    /// |correlation| that links two variables into one cluster, in (0, 1].
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULTS.threshold, value_parser = threshold))]
    pub threshold: f64,

    /// Cluster correlations below this (sampling noise) only ask for "far apart", in (0, 1).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULTS.min_correlation, value_parser = args::open_unit))]
    pub min_correlation: f64,

    /// The seed's eps for the closed-form loss (eq. 67) [default: fitted to the data's means,
    /// `E(x_a) = eps m_a`].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::finite_real))]
    pub eps: Option<f64>,

    /// Softening length of the loss's kernel (the fit itself uses exact 1/r).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULTS.softening, value_parser = args::softening))]
    pub softening: f64,

    /// Also write the clusters: CSV variable,name,cluster,sign (cluster -1: unclustered).
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE"))]
    pub clusters: Option<PathBuf>,

    /// Largest number of particles for the exact (dense Cholesky, O(N^3): about 10 s at
    /// N = 2000 on two cores) and first-order losses.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULTS.dense_limit, value_parser = args::positive))]
    pub dense_limit: usize,

    /// Also estimate the exact loss from K X products (always above --dense-limit).
    #[cfg_attr(feature = "cli", arg(long))]
    pub stochastic: bool,

    /// Rademacher probes of the stochastic estimate.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULTS.probes, value_parser = probes))]
    pub probes: usize,

    /// Lanczos steps per probe of the stochastic log-determinant.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULTS.lanczos_steps, value_parser = args::positive))]
    pub lanczos_steps: usize,

    /// Seed of the random starts of the embedding and the probes.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULTS.seed))]
    pub seed: u64,

    /// Backend of the Laplace sums (H_seed, the stochastic K X products).
    #[cfg_attr(
        feature = "cli",
        arg(long, default_value = "direct", value_name = "naive|direct|fast")
    )]
    pub backend: Backend,

    /// Worker threads [default: all cores].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive))]
    pub threads: Option<usize>,

    /// Print the report as one JSON object on stdout (and no progress bar).
    #[cfg_attr(feature = "cli", arg(long))]
    pub json: bool,

    /// Replace existing output files.
    #[cfg_attr(feature = "cli", arg(long))]
    pub overwrite: bool,
}

/// The range of a clustering threshold: `(0, 1]`.
fn threshold_range(v: f64) -> Result<f64, String> {
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(format!("must be in (0, 1], got {v}"))
    }
}

/// A clustering threshold in `(0, 1]`.
#[cfg(feature = "cli")]
fn threshold(s: &str) -> Result<f64, String> {
    threshold_range(args::finite_real(s)?)
}

/// The range of a probe count: at least 2 (the error bar needs two samples).
fn probes_range(v: usize) -> Result<usize, String> {
    if v >= 2 {
        Ok(v)
    } else {
        Err(format!("must be a whole number >= 2, got {v}"))
    }
}

/// A probe count, at least 2.
#[cfg(feature = "cli")]
fn probes(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(v) => probes_range(v),
        Err(_) => Err(format!("must be a whole number >= 2, got `{s}`")),
    }
}

impl FitArgs {
    /// The settings of a fit with the command line's defaults, reading
    /// `data` and writing the particles to `out`.
    pub fn new(data: PathBuf, out: PathBuf) -> Self {
        Self {
            data,
            out,
            threshold: DEFAULTS.threshold,
            min_correlation: DEFAULTS.min_correlation,
            eps: None,
            softening: DEFAULTS.softening,
            clusters: None,
            dense_limit: DEFAULTS.dense_limit,
            stochastic: false,
            probes: DEFAULTS.probes,
            lanczos_steps: DEFAULTS.lanczos_steps,
            seed: DEFAULTS.seed,
            backend: Backend::Direct(covar_kernel::Direct::new()),
            threads: None,
            json: false,
            overwrite: false,
        }
    }

    /// Checks every value against the range its flag accepts (the flags
    /// are checked as they are parsed; this serves settings built in a
    /// program, such as the Python package's keywords).
    ///
    /// # Errors
    ///
    /// [`CliError::InvalidArgument`] naming the setting and its range.
    pub fn check(&self) -> Result<(), CliError> {
        use crate::cli::args::Real;
        let bad =
            |flag: &'static str| move |reason: String| CliError::InvalidArgument { flag, reason };
        threshold_range(self.threshold).map_err(bad("threshold"))?;
        Real::OpenUnit
            .check(self.min_correlation)
            .map_err(bad("min-correlation"))?;
        if let Some(eps) = self.eps {
            Real::Finite.check(eps).map_err(bad("eps"))?;
        }
        Real::NonNegative
            .check(self.softening)
            .map_err(bad("softening"))?;
        probes_range(self.probes).map_err(bad("probes"))?;
        for (flag, v) in [
            ("dense-limit", Some(self.dense_limit)),
            ("lanczos-steps", Some(self.lanczos_steps)),
            ("threads", self.threads),
        ] {
            if v == Some(0) {
                return Err(bad(flag)("must be at least 1".into()));
            }
        }
        Ok(())
    }
}

/// Runs `covar fit`. With `show_progress`, a bar over the data's bytes is
/// drawn on stderr while it is read.
///
/// # Errors
///
/// Data errors naming the file, row and column; no clusters; an existing
/// output without `--overwrite`; I/O errors naming the file.
pub fn run_fit(args: &FitArgs, show_progress: bool) -> Result<FitReport, CliError> {
    for (path, flag) in [
        (Some(&args.out), "--out"),
        (args.clusters.as_ref(), "--clusters"),
    ] {
        if let Some(path) = path.filter(|p| p.exists() && !args.overwrite) {
            return Err(CliError::OutputExists {
                path: path.clone(),
                what: "a file",
                flag,
            });
        }
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CliError::ThreadPool {
            threads,
            message: e.to_string(),
        })?;
    pool.install(|| fit_on_pool(args, show_progress, threads))
}

/// The work of [`run_fit`], on the pool.
fn fit_on_pool(args: &FitArgs, show_progress: bool, threads: usize) -> Result<FitReport, CliError> {
    let start = Instant::now();
    let bytes = std::fs::metadata(&args.data).map(|m| m.len()).unwrap_or(0);
    let bar = crate::cli::progress::byte_bar(bytes, show_progress);
    let read = data::read(&args.data, &mut |p: ReadProgress| {
        bar.set_position(p.bytes);
        bar.set_message(format!("{} rows", p.rows));
    });
    bar.finish_and_clear();
    let data = read?;
    let read_seconds = start.elapsed().as_secs_f64();
    let (f, report) = fit_data(args, &data, read_seconds, threads)?;
    csv::write(&f.particles.store(), &args.out)?;
    if let Some(path) = &args.clusters {
        write_clusters(path, &data, &f.clustering)?;
    }
    Ok(report)
}

/// Fits particles to `data` and evaluates the loss, on the current thread
/// pool (of `threads` threads); writes no file. `read_seconds` is the
/// time it took to read the data, for the report.
///
/// # Errors
///
/// No clusters, kernel errors, settings out of range.
pub fn fit_data(
    args: &FitArgs,
    data: &data::Data,
    read_seconds: f64,
    threads: usize,
) -> Result<(Fit, FitReport), CliError> {
    args.check()?;
    let start = Instant::now();

    let t = Instant::now();
    let params = FitParams {
        threshold: args.threshold,
        min_correlation: args.min_correlation,
        smacof: SmacofParams {
            seed: args.seed,
            ..SmacofParams::default()
        },
    };
    let f = fit(&data.moments, &params)?;
    let store = f.particles.store();
    let fit_seconds = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let n = store.len();
    let s = f.moments.second_moment();
    let eps_estimated = args.eps.is_none();
    let eps = args.eps.unwrap_or_else(|| f.moments.eps());
    let coupling = coupling_strength(&store, args.softening)?;
    let covariance_check = {
        let couplings = Couplings {
            k: 0.0,
            mu: 1.0,
            softening: args.softening.into(),
        };
        let sys = System::new(store.clone(), couplings)?.with_backend(args.backend.clone());
        smallest_eigenvalue(&sys, Form::Covariance, 30, 1e-6)?
    };
    let dense = n <= args.dense_limit;
    let (exact, exact_error) = if dense {
        match exact::dense(&store, args.softening, &s) {
            Ok(l) => (Some(l), None),
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, None)
    };
    let first_order = dense
        .then(|| approx::first_order(&store, args.softening, &s))
        .transpose()?;
    let seed = approx::seed(&store, args.softening, eps, &args.backend)?;
    let exact_seconds = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let (stochastic, stochastic_error) = if args.stochastic || !dense {
        let sp = StochasticParams {
            probes: args.probes,
            lanczos_steps: args.lanczos_steps,
            seed: args.seed,
            ..StochasticParams::default()
        };
        let second = SecondMoment::Dense {
            covariance: &f.moments.covariance,
            mean: &f.moments.means,
        };
        match estimate(&store, args.softening, &args.backend, second, &sp) {
            Ok(l) => (Some(l), None),
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, None)
    };
    let stochastic_seconds = t.elapsed().as_secs_f64();

    let report = FitReport::new(
        args,
        data,
        &f,
        LossReport {
            eps,
            eps_estimated,
            softening: args.softening,
            coupling,
            covariance_min_eigenvalue: covariance_check.theta,
            covariance_residual: covariance_check.residual,
            covariance_sums: covariance_check.sums,
            exact,
            exact_error,
            first_order,
            seed,
            stochastic,
            stochastic_error,
        },
        Timings {
            read: read_seconds,
            fit: fit_seconds,
            loss: exact_seconds,
            stochastic: stochastic_seconds,
            total: read_seconds + start.elapsed().as_secs_f64(),
        },
        threads,
    );
    Ok((f, report))
}

/// Writes `variable,name,cluster,sign`, one variable a row.
fn write_clusters(
    path: &Path,
    data: &data::Data,
    c: &covar_infer::cluster::Clustering,
) -> Result<(), CliError> {
    let m = data.moments.variables();
    let mut of = vec![(-1i64, 1i8); m];
    for (id, cl) in c.clusters.iter().enumerate() {
        for (&k, &q) in cl.members.iter().zip(&cl.signs) {
            of[k] = (id as i64, q);
        }
    }
    let mut text = String::from("variable,name,cluster,sign\n");
    for (k, (id, q)) in of.iter().enumerate() {
        text.push_str(&format!("{k},{},{id},{q}\n", data.name(k)));
    }
    std::fs::write(path, text).map_err(CliError::output(path))
}
