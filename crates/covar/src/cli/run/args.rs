//! The flags of `covar run`. Every setting is optional here: a flag that is
//! given overrides the same key of the `--config` file, and what neither
//! gives takes the default documented on the flag (resolved in
//! [`Settings`](super::Settings)).

use std::path::PathBuf;

#[cfg(feature = "cli")]
use clap::builder::PossibleValuesParser;
#[cfg(feature = "cli")]
use covar_integrate::integrator::NAMES;
use covar_kernel::{Backend, SofteningKernel};
use serde::{Deserialize, Serialize};

use super::outputs::SnapshotFormat;
#[cfg(feature = "cli")]
use crate::cli::args;
use crate::cli::fast::FastFlags;
use crate::cli::system::{Charges, Ic};

/// The physical settings of DESIGN.md section 2.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum PresetName {
    /// Newtonian gravity: charges are the masses, k = -G, mu = 0.
    Gravity,
    /// Electrostatics: k = k_e, mu = 0.
    Coulomb,
    /// Coulomb plus magnetic coupling: k = k_e, mu > 0.
    Darwin,
    /// The seed's model: k = -eps^2, mu = 1 (reports H_seed = -H).
    Seed,
}

impl PresetName {
    /// The name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PresetName::Gravity => "gravity",
            PresetName::Coulomb => "coulomb",
            PresetName::Darwin => "darwin",
            PresetName::Seed => "seed",
        }
    }
}

/// Arguments of `covar run`.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct RunArgs {
    /// TOML file of settings: any of the flags below except --config,
    /// --json and --overwrite, keyed by the flag's name without dashes
    /// (`t-end = 10.0`). Flags given here override the file.
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE"))]
    pub config: Option<PathBuf>,

    /// Physical preset [default: gravity].
    #[cfg_attr(feature = "cli", arg(long, value_enum, help_heading = "Physics"))]
    pub preset: Option<PresetName>,

    /// Gravitational constant G > 0 (gravity preset) [default: 1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Physics"))]
    pub g: Option<f64>,

    /// Coulomb coupling k, any finite value (coulomb and darwin presets) [default: 1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::finite_real, help_heading = "Physics"))]
    pub k: Option<f64>,

    /// Magnetic coupling mu > 0 (darwin preset) [default: 0.1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Physics"))]
    pub mu: Option<f64>,

    /// The seed model's eps > 0, k = -eps^2 (seed preset) [default: 1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Physics"))]
    pub eps: Option<f64>,

    /// Softening length s >= 0 (0 is the exact 1/r kernel), Plummer-equivalent: G(0) = 1/s for every kernel [default: 0.01].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::softening, help_heading = "Physics"))]
    pub softening: Option<f64>,

    /// Softening kernel: plummer ((r^2 + s^2)^(-1/2), never exactly 1/r), spline (GADGET-2's cubic spline, exactly 1/r from 2.8 s) or wendland-c2 (SWIFT's, exactly 1/r from 3 s). The compact kernels keep the fast backend fast: it sums directly only pairs inside the support [default: spline for gravity, plummer for the other presets].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::softening_kernel, help_heading = "Physics"))]
    pub softening_kernel: Option<SofteningKernel>,

    /// Generated initial conditions [default: plummer].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_enum, help_heading = "Initial conditions")
    )]
    pub ic: Option<Ic>,

    /// Number of generated particles [default: 4096; 2 for kepler, which needs exactly 2].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive, help_heading = "Initial conditions"))]
    pub n: Option<usize>,

    /// Seed of every random choice of the generator [default: 1].
    #[cfg_attr(feature = "cli", arg(long, help_heading = "Initial conditions"))]
    pub seed: Option<u64>,

    /// Charges of generated particles, not with the gravity preset (charges
    /// are the masses there) [default: mass for plummer and kepler, neutral
    /// for cube and lattice, sqrt-mass for clusters].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_enum, help_heading = "Initial conditions")
    )]
    pub charges: Option<Charges>,

    /// --ic clusters: the largest coupling kappa = max_i |mu| sum_(j != i) |q_i q_j| G_ij / m_i
    /// the ball of clusters is spread to, measured by Laplace sums (Gershgorin's condition holds
    /// below 1) [default: 0.5].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Initial conditions"))]
    pub coupling: Option<f64>,

    /// --ic clusters: temperature T >= 0 of the clusters' momenta (velocities uniform with
    /// variance T / m per axis) [default: 0.01].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::softening, help_heading = "Initial conditions"))]
    pub temperature: Option<f64>,

    /// Read the particles from a file instead of generating them: a CSV file
    /// with the header `x,y,z,px,py,pz,m,q` (one particle a row), or a
    /// snapshot (`.npy`, or `.hdf5`/`.h5` with the hdf5 feature).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "FILE", help_heading = "Initial conditions")
    )]
    pub from: Option<PathBuf>,

    /// Integrator [default: leapfrog, or implicit-midpoint when mu != 0].
    #[cfg_attr(feature = "cli", arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(NAMES), help_heading = "Integration"))]
    pub integrator: Option<String>,

    /// Binding constant omega >= 0 of Tao's copies (tao2, tao4) [default: 20].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::non_negative_real, help_heading = "Integration"))]
    pub omega: Option<f64>,

    /// Time step, finite and > 0 [default: 0.005].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Integration"))]
    pub dt: Option<f64>,

    /// Number of steps (not with --t-end) [default: 2000].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::steps, help_heading = "Integration"))]
    pub steps: Option<u64>,

    /// Simulated end time: t-end / dt steps, rounded up (not with --steps).
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Integration"))]
    pub t_end: Option<f64>,

    /// Steps between rows of the energy log (first and last step always; a row costs one Laplace sum, none after leapfrog and Yoshida steps) [default: 10].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::steps, help_heading = "Output"))]
    pub energy_every: Option<u64>,

    /// Steps between snapshots; 0: only the first and last [default: 0].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::steps_or_zero, help_heading = "Output"))]
    pub snapshot_every: Option<u64>,

    /// File format of snapshots: npy (NumPy) or hdf5 (GADGET/SWIFT layout, needs
    /// the hdf5 feature) [default: npy].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_enum, value_name = "npy|hdf5", help_heading = "Output")
    )]
    pub snapshot_format: Option<SnapshotFormat>,

    /// Steps between checkpoints (`checkpoint.covar` in --out, replaced
    /// atomically; see --resume); 0: only when interrupted by SIGINT or
    /// SIGTERM [default: 0].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::steps_or_zero, help_heading = "Output"))]
    pub checkpoint_every: Option<u64>,

    /// Continue the interrupted run in DIR from its checkpoint, with the
    /// settings it was started with, so that it ends bit for bit as if never
    /// stopped (the energy log is cut back to the checkpoint's step). Takes
    /// no other flag but --threads and --json.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "DIR", help_heading = "Output")
    )]
    pub resume: Option<PathBuf>,

    /// Output folder (energy log, snapshots, summary, settings) [default: covar-out].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "DIR", help_heading = "Output")
    )]
    pub out: Option<PathBuf>,

    /// Also write the final state as a particle CSV (the layout --from reads).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "FILE.csv", help_heading = "Output")
    )]
    pub final_state: Option<PathBuf>,

    /// Replace the results of an earlier run in --out (and an existing --final-state file).
    #[cfg_attr(feature = "cli", arg(long, help_heading = "Output"))]
    pub overwrite: bool,

    /// Print the summary as one JSON object on stdout (and no progress bar).
    #[cfg_attr(feature = "cli", arg(long, help_heading = "Output"))]
    pub json: bool,

    /// Backend of the Laplace sums: naive (one thread), direct (exact) or fast (tree and
    /// multipole expansions to --tol) [default: direct].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "naive|direct|fast", help_heading = "Execution")
    )]
    pub backend: Option<Backend>,

    /// Worker threads [default: all cores].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive, help_heading = "Execution"))]
    pub threads: Option<usize>,

    /// Make warnings errors: a failed Gershgorin check of the kinetic form
    /// (mu != 0) stops the run before it starts.
    #[cfg_attr(feature = "cli", arg(long, help_heading = "Execution"))]
    pub strict: bool,

    /// The fast backend's parameters (keys `tol`, `theta`, `leaf-size`, `order`).
    #[cfg_attr(feature = "cli", command(flatten))]
    pub fast: FastFlags,
}
