//! `covar fields`: potentials and gradients of a generated system (or of
//! particles read with `--from`), timed.
//!
//! Builds a system ([`SystemSpec`]) or reads one, forms its `nd` source channels
//! ([`channels`]), evaluates the Laplace sums at the particles themselves
//! (targets = sources, self term excluded) `warmup` times untimed and `reps`
//! times timed on a pool of `threads` threads, and reports the median time,
//! the rate in pair interactions per second (`N (N - 1)` per evaluation,
//! whatever `nd`) and [`Checks`]. With the fast backend, the report adds
//! the per-stage times of the last evaluation ([`FastReport`]); with
//! `--check K`, the accuracy achieved against exact sums at `K` particles
//! ([`accuracy`]).

pub mod accuracy;
mod checks;
mod report;

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use covar_integrate::{Preset, System, spread_to_coupling};
use covar_kernel::{
    Backend, Direct, Fast, Isa, LaplaceSum, Outputs, Points, Problem, Progress, Softening,
    SofteningKernel,
};

pub use accuracy::Accuracy;
pub use checks::Checks;
pub use report::FieldsReport;

use super::fast::{FastFlags, FastReport, softening_warning};
use super::system::{
    Charges, DEFAULT_COUPLING, DEFAULT_TEMPERATURE, Ic, Stream, SystemSpec, channels, stream_seed,
};
use super::{CliError, args, memory, progress};
use crate::calibration::Calibration;

/// Arguments of `covar fields`.
#[derive(Clone, Debug, Args)]
pub struct FieldsArgs {
    /// Initial conditions.
    #[arg(long, value_enum, default_value_t = Ic::Plummer)]
    pub ic: Ic,

    /// Read the particles from a file instead of generating them (not with --ic, --n,
    /// --charges): a CSV file with the header `x,y,z,px,py,pz,m,q`, or a snapshot (`.npy`,
    /// or `.hdf5`/`.h5` with the hdf5 feature); the charge channel is the `q` column.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["ic", "n", "charges"])]
    pub from: Option<PathBuf>,

    /// Number of particles [default: 20000; 2 for kepler, which needs exactly 2].
    #[arg(long, value_parser = args::positive)]
    pub n: Option<usize>,

    /// Seed of every random choice (positions, charges, velocities).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Charges [default: mass for plummer and kepler, neutral for cube and lattice].
    #[arg(long, value_enum)]
    pub charges: Option<Charges>,

    /// --ic clusters: the largest coupling kappa = max_i |mu| sum_(j != i) |q_i q_j| G_ij / m_i the
    /// ball is spread to, with the seed's mu = 1 [default: 0.5].
    #[arg(long, value_parser = args::positive_real)]
    pub coupling: Option<f64>,

    /// --ic clusters: temperature T >= 0 of the clusters' momenta (velocity variance T / m per
    /// axis) [default: 0.01].
    #[arg(long, value_parser = args::softening)]
    pub temperature: Option<f64>,

    /// Softening length s >= 0 (0 is the exact 1/r kernel), Plummer-equivalent: G(0) = 1/s for
    /// every kernel.
    #[arg(long, default_value_t = 0.0, value_parser = args::softening)]
    pub softening: f64,

    /// Softening kernel: plummer ((r^2 + s^2)^(-1/2)), spline (GADGET-2's cubic spline, exactly
    /// 1/r from 2.8 s) or wendland-c2 (SWIFT's, exactly 1/r from 3 s); with the compact ones the
    /// fast backend sums directly only the pairs inside the support.
    #[arg(long, default_value = "plummer", value_parser = args::softening_kernel)]
    pub softening_kernel: SofteningKernel,

    /// Backend: naive (the textbook double loop, one thread), direct (exact, SIMD, all pool
    /// threads) or fast (tree and multipole expansions to --tol, all pool threads).
    #[arg(long, default_value = "direct", value_name = "naive|direct|fast")]
    pub backend: Backend,

    /// Instruction set of the direct or fast backend [default: the fastest this CPU has].
    #[arg(long, value_name = "scalar|avx2|avx512|neon")]
    pub isa: Option<Isa>,

    /// Source channels: 1 (the charge q) or 4 (q and q u_x, q u_y, q u_z with u = P/m).
    #[arg(long, default_value_t = 1, value_parser = args::nd)]
    pub nd: usize,

    /// Worker threads [default: all cores].
    #[arg(long, value_parser = args::positive)]
    pub threads: Option<usize>,

    /// Timed evaluations; the report gives the median.
    #[arg(long, default_value_t = 1, value_parser = args::positive)]
    pub reps: usize,

    /// Untimed evaluations before the timed ones (to warm caches and threads).
    #[arg(long, default_value_t = 0)]
    pub warmup: usize,

    /// Compare with exact sums (the direct backend) at K particles drawn at random (from
    /// --seed) and report the relative L2 and max errors of potential and gradient.
    #[arg(long, value_name = "K", value_parser = args::positive)]
    pub check: Option<usize>,

    /// Print the report as one JSON object on stdout (and no progress bar).
    #[arg(long)]
    pub json: bool,

    /// The fast backend's parameters.
    #[command(flatten)]
    pub fast: FastFlags,
}

impl FieldsArgs {
    /// The system these arguments describe, defaults filled in.
    pub fn system(&self) -> SystemSpec {
        SystemSpec {
            ic: self.ic,
            n: self.n.unwrap_or(self.ic.default_n()),
            seed: self.seed,
            charges: self.charges.unwrap_or(self.ic.default_charges()),
            coupling: self.coupling.unwrap_or(DEFAULT_COUPLING),
            temperature: self.temperature.unwrap_or(DEFAULT_TEMPERATURE),
        }
    }

    /// Threads to use: `--threads`, or every core the OS gives us.
    pub fn thread_count(&self) -> usize {
        self.threads.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(1)
        })
    }

    /// The backend, with `--isa` or the fast backend's flags applied, and
    /// the calibration that chose the fast backend's M2L method, if any.
    ///
    /// # Errors
    ///
    /// [`CliError::InvalidArgument`] if `--isa` is given for the naive
    /// backend or names an instruction set this CPU lacks, or if
    /// a fast-backend flag (`--tol`, `--theta`, `--leaf-size`, `--order`) is
    /// given for another backend.
    pub fn backend(&self) -> Result<(Backend, Option<Calibration>), CliError> {
        let (backend, calibration) = self.fast.apply(self.backend.clone(), self.nd)?;
        let Some(isa) = self.isa else {
            return Ok((backend, calibration));
        };
        let unavailable = || CliError::InvalidArgument {
            flag: "isa",
            reason: format!(
                "this CPU cannot run {isa} (available: {})",
                Isa::available()
                    .iter()
                    .map(Isa::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let backend = match backend {
            Backend::Direct(_) => Direct::with_isa(isa)
                .map(Backend::Direct)
                .ok_or_else(unavailable),
            Backend::Fast(f) => Fast::with_isa(*f.params(), isa)
                .map(|f| Backend::Fast(Box::new(f)))
                .ok_or_else(unavailable),
            other => Err(CliError::InvalidArgument {
                flag: "isa",
                reason: format!(
                    "the {} backend has no instruction sets (direct and fast have)",
                    other.name()
                ),
            }),
        };
        Ok((backend?, calibration))
    }
}

/// Runs `covar fields`: builds the system, evaluates it `reps` times and
/// returns the report. With `show_progress`, a progress bar is drawn on
/// stderr if the evaluations take longer than about a second.
///
/// # Errors
///
/// Invalid arguments, store and kernel errors (naming the particle and
/// field), or a thread pool that cannot start.
///
/// # Examples
///
/// ```
/// use clap::Parser;
/// use covar::cli::{Cli, Command, run_fields};
///
/// let cli = Cli::parse_from(["covar", "fields", "--ic", "cube", "--n", "300", "--nd", "4"]);
/// let Command::Fields(args) = &cli.command else { unreachable!() };
/// let report = run_fields(args, false)?;
/// assert_eq!(report.pairs, 300 * 299);
/// assert!(report.checks.third_law_residual < 1e-13);
/// # Ok::<(), covar::cli::CliError>(())
/// ```
pub fn run_fields(args: &FieldsArgs, show_progress: bool) -> Result<FieldsReport, CliError> {
    run_fields_with(args, show_progress, 1)
}

/// [`run_fields`] with a backend that splits its sums among `ranks` MPI
/// ranks (1: this process alone).
pub(crate) fn run_fields_with(
    args: &FieldsArgs,
    show_progress: bool,
    ranks: usize,
) -> Result<FieldsReport, CliError> {
    let spec = args.system();
    if spec.ic != Ic::Clusters {
        for (flag, given) in [
            ("coupling", args.coupling.is_some()),
            ("temperature", args.temperature.is_some()),
        ] {
            if given {
                return Err(CliError::InvalidArgument {
                    flag,
                    reason: "applies to --ic clusters only".into(),
                });
            }
        }
    }
    let (backend, calibration) = args.backend()?;
    let softening = Softening::new(args.softening_kernel, args.softening);
    let per_particle = bytes_per_particle(args.nd, matches!(backend, Backend::Fast(_)));
    let fits = |n| {
        memory::check(
            n,
            per_particle,
            &format!(" with nd = {}", args.nd),
            memory::available(),
        )
    };
    if args.from.is_none() {
        fits(spec.n)?;
    }
    let threads = args.thread_count();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CliError::ThreadPool {
            threads,
            message: e.to_string(),
        })?;
    pool.install(|| {
        let store = match &args.from {
            Some(path) => {
                let store = crate::io::read_particles(path)?;
                fits(store.len())?;
                store
            }
            None if spec.ic == Ic::Clusters => {
                // Spread with the seed's couplings (mu = 1) on this backend.
                let couplings = Preset::Seed { eps: 1.0 }.couplings(softening);
                let mut sys = System::new(spec.build()?, couplings)?.with_backend(backend.clone());
                spread_to_coupling(&mut sys, spec.coupling)?;
                sys.particles
            }
            None => spec.build()?,
        };
        let (n, nd) = (store.len(), args.nd);
        if show_progress
            && let Some(w) =
                softening_warning(&backend, softening, [store.x(), store.y(), store.z()])
        {
            eprintln!("warning: {w}");
        }
        let channels = channels(&store, nd);
        // From here on only the positions are needed (the charges are
        // channel 0): keep them and free the rest of the store before the
        // outputs are allocated (momenta, masses and ids: 48 bytes a
        // particle, 0.45 GiB at 10^7).
        let [x, y, z] = [store.x(), store.y(), store.z()].map(<[f64]>::to_vec);
        drop(store);
        let problem = Problem::at_sources(Points::new(&x, &y, &z), &channels, nd, softening);
        let isa = backend.isa().map(|isa| isa.to_string());
        let counter = Progress::new();
        let backend = backend.with_progress(counter.clone());
        let pairs = (n as u64).saturating_mul(n as u64 - 1);
        let mut potential = vec![0.0; nd * n];
        let mut gradient = vec![0.0; 3 * nd * n];
        let mut seconds = Vec::with_capacity(args.reps);
        let runs = args.warmup.saturating_add(args.reps);
        let total = pairs.saturating_mul(runs as u64);
        progress::with_progress_bar(&counter, total, show_progress, || {
            for run in 0..runs {
                let start = Instant::now();
                backend.evaluate(
                    &problem,
                    Outputs::with_gradient(&mut potential, &mut gradient),
                )?;
                if run >= args.warmup {
                    seconds.push(start.elapsed().as_secs_f64());
                }
            }
            Ok::<(), CliError>(())
        })?;
        seconds.sort_by(f64::total_cmp);
        let median = seconds[seconds.len() / 2];
        let fast = FastReport::of_backend(&backend).map(|f| FastReport {
            calibration: calibration.as_ref().map(Calibration::summary),
            ..f
        });
        let accuracy = args
            .check
            .map(|k| {
                let sys = accuracy::System {
                    points: problem.sources.points,
                    channels: &channels,
                    nd,
                    softening,
                };
                let seed = stream_seed(spec.seed, Stream::Check);
                accuracy::check(sys, &potential, &gradient, k, seed)
            })
            .transpose()?;
        let checks = Checks::compute(&channels[..n], &potential, &gradient);
        let generated = args.from.is_none();
        Ok(FieldsReport {
            ic: generated.then_some(spec.ic),
            charges: generated.then_some(spec.charges),
            from: args.from.as_ref().map(|p| p.display().to_string()),
            n,
            seed: spec.seed,
            softening: args.softening,
            softening_kernel: args.softening_kernel.name(),
            nd,
            backend: backend.name(),
            isa,
            threads,
            ranks,
            exchange: None,
            reps: args.reps,
            warmup: args.warmup,
            pairs,
            seconds: median,
            seconds_min: seconds[0],
            pairs_per_second: if median > 0.0 {
                pairs as f64 / median
            } else {
                0.0
            },
            potential_sum: checks.potential_sums[0],
            checks,
            fast,
            accuracy,
        })
    })
}

/// Bytes per particle, roughly, at the larger of two moments: while the
/// system is made (the store's nine columns and the generators'
/// temporaries), and while it is evaluated (positions, channels, potential
/// and gradient outputs; the fast backend adds its tree-ordered copies of
/// the positions and channels, its permutation, keys and nodes, and its
/// multipole expansions, about `30 nd` at tolerance `1e-6` on a 10^7-point
/// Plummer sphere: `32 nd` here).
fn bytes_per_particle(nd: usize, fast: bool) -> u64 {
    let making = 9 * 8 + 6 * 8 + 8 * nd;
    let evaluating = 3 * 8 + 8 * nd + 4 * 8 * nd;
    let tree = if fast { 6 * 8 + 8 * nd + 4 * 8 * nd } else { 0 };
    making.max(evaluating + tree) as u64
}
