//! The `--config` file: TOML with the flags' names as keys.
//!
//! ```toml
//! # covar run --config plummer.toml
//! preset = "gravity"
//! softening = 0.01
//! ic = "plummer"
//! n = 4096
//! integrator = "yoshida4"
//! dt = 0.005
//! t-end = 10.0
//! out = "plummer-out"
//! ```
//!
//! Every key is optional and spelled as its flag without the dashes; an
//! unknown key (a typo) is an error naming it, and so is a value of the
//! wrong type. Ranges are checked when the settings are resolved
//! ([`Settings`](super::Settings)), with the same rules and messages as the
//! flags. Paths in the file are relative to the file's folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[cfg(feature = "cli")]
use clap::builder::PossibleValuesParser;
#[cfg(feature = "cli")]
use covar_integrate::integrator::NAMES;
#[cfg(feature = "cli")]
use covar_kernel::Backend;

use super::args::PresetName;
use super::keys;
use super::outputs::SnapshotFormat;
use crate::cli::CliError;
#[cfg(feature = "cli")]
use crate::cli::args::{self, MAX_LEAF_SIZE, MAX_N, MAX_ORDER, MAX_STEPS, MAX_THREADS, MIN_ORDER};
#[cfg(feature = "cli")]
use crate::cli::fast;
use crate::cli::system::{Charges, Ic};

/// Every setting of a run that a flag, a key of the configuration file or
/// a keyword of the Python package can give: one definition each (name,
/// documentation, range, default in the documentation), read by all three.
/// `None` where a layer is silent; [`Settings`](super::Settings) resolves
/// the layers (flags over the file over the defaults) and checks every
/// value, with a message naming the flag or the key.
///
/// Whole numbers are `i64` (TOML's integers) so that `steps = -3` is
/// reported as out of range for `steps` rather than as a type error; a
/// flag's value is also checked as it is parsed, so the command line
/// refuses it before anything runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RunConfig {
    /// Physical preset [default: gravity].
    #[cfg_attr(feature = "cli", arg(long, value_enum, help_heading = "Physics"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<PresetName>,

    /// Gravitational constant G > 0 (gravity preset) [default: 1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Physics"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub g: Option<f64>,

    /// Coulomb coupling k, any finite value (coulomb and darwin presets) [default: 1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::finite_real, help_heading = "Physics"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<f64>,

    /// Magnetic coupling mu > 0 (darwin preset) [default: 0.1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Physics"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,

    /// The seed model's eps > 0, k = -eps^2 (seed preset) [default: 1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Physics"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eps: Option<f64>,

    /// Softening length s >= 0 (0 is the exact 1/r kernel), Plummer-equivalent: G(0) = 1/s for every kernel [default: 0.01].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::softening, help_heading = "Physics"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub softening: Option<f64>,

    /// Softening kernel: plummer ((r^2 + s^2)^(-1/2), never exactly 1/r), spline (GADGET-2's cubic spline, exactly 1/r from 2.8 s) or wendland-c2 (SWIFT's, exactly 1/r from 3 s). The compact kernels keep the fast backend fast: it sums directly only pairs inside the support [default: spline for gravity, plummer for the other presets].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::softening_kernel_name, help_heading = "Physics"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub softening_kernel: Option<String>,

    /// Generated initial conditions [default: plummer].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_enum, help_heading = "Initial conditions")
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ic: Option<Ic>,

    /// Number of generated particles [default: 4096; 2 for kepler, which needs exactly 2].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<1, MAX_N>, help_heading = "Initial conditions"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<i64>,

    /// Seed of every random choice of the generator, 0..=2^63-1 [default: 1].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<0, { i64::MAX as u64 }>, help_heading = "Initial conditions"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,

    /// Charges of generated particles, not with the gravity preset (charges
    /// are the masses there) [default: mass for plummer and kepler, neutral
    /// for cube and lattice, sqrt-mass for clusters].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_enum, help_heading = "Initial conditions")
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charges: Option<Charges>,

    /// --ic clusters: the largest coupling kappa = max_i |mu| sum_(j != i) |q_i q_j| G_ij / m_i
    /// the ball of clusters is spread to, measured by Laplace sums (Gershgorin's condition holds
    /// below 1) [default: 0.5].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Initial conditions"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupling: Option<f64>,

    /// --ic clusters: temperature T >= 0 of the clusters' momenta (velocities uniform with
    /// variance T / m per axis) [default: 0.01].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::softening, help_heading = "Initial conditions"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,

    /// Read the particles from a file instead of generating them: a CSV file
    /// with the header `x,y,z,px,py,pz,m,q` (one particle a row), or a
    /// snapshot (`.npy`, or `.hdf5`/`.h5` with the hdf5 feature).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "FILE", help_heading = "Initial conditions")
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<PathBuf>,

    /// Integrator [default: leapfrog, or implicit-midpoint when mu != 0].
    #[cfg_attr(feature = "cli", arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(NAMES), help_heading = "Integration"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrator: Option<String>,

    /// Binding constant omega >= 0 of Tao's copies (tao2, tao4) [default: 20].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::non_negative_real, help_heading = "Integration"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub omega: Option<f64>,

    /// Time step, finite and > 0 [default: 0.005].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Integration"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dt: Option<f64>,

    /// Number of steps (not with --t-end) [default: 2000].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<1, MAX_STEPS>, help_heading = "Integration"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<i64>,

    /// Simulated end time: t-end / dt steps, rounded up (not with --steps).
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::positive_real, help_heading = "Integration"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t_end: Option<f64>,

    /// Steps between rows of the energy log (first and last step always; a row costs one Laplace sum, none after leapfrog and Yoshida steps) [default: 10].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<1, MAX_STEPS>, help_heading = "Output"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy_every: Option<i64>,

    /// Steps between snapshots; 0: only the first and last [default: 0].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<0, MAX_STEPS>, help_heading = "Output"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_every: Option<i64>,

    /// File format of snapshots: npy (NumPy) or hdf5 (GADGET/SWIFT layout, needs
    /// the hdf5 feature) [default: npy].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_enum, value_name = "npy|hdf5", help_heading = "Output")
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_format: Option<SnapshotFormat>,

    /// Steps between checkpoints (`checkpoint.covar` in --out, replaced
    /// atomically; see --resume); 0: only when interrupted by SIGINT or
    /// SIGTERM [default: 0].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<0, MAX_STEPS>, help_heading = "Output"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_every: Option<i64>,

    /// Output folder (energy log, snapshots, summary, settings) [default: covar-out].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "DIR", help_heading = "Output")
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,

    /// Also write the final state as a particle CSV (the layout --from reads).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "FILE.csv", help_heading = "Output")
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_state: Option<PathBuf>,

    /// Backend of the Laplace sums: naive (one thread), direct (exact) or fast (tree and
    /// multipole expansions to --tol) [default: direct].
    #[cfg_attr(feature = "cli", arg(long, value_name = "naive|direct|fast", value_parser = PossibleValuesParser::new(Backend::NAMES), help_heading = "Execution"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,

    /// Worker threads [default: all cores].
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<1, MAX_THREADS>, help_heading = "Execution"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<i64>,

    /// Make warnings errors: a failed Gershgorin check of the kinetic form
    /// (mu != 0) stops the run before it starts (`--strict` alone is
    /// `--strict true`).
    #[cfg_attr(feature = "cli", arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL", help_heading = "Execution"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,

    /// Requested relative accuracy of the fast backend's potentials and gradients, in (0, 1).
    #[cfg_attr(feature = "cli", arg(long, value_name = "TOL", value_parser = args::open_unit, help = fast::tol_help(), help_heading = "Fast backend"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tol: Option<f64>,

    /// The fast backend's opening parameter, in (0, 1).
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::open_unit, help = fast::theta_help(), help_heading = "Fast backend"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theta: Option<f64>,

    /// Most particles in a leaf of the fast backend's tree.
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<1, MAX_LEAF_SIZE>, help = fast::leaf_size_help(), help_heading = "Fast backend"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf_size: Option<i64>,

    /// Expansion order, 1..=64, instead of the one the tolerance gives.
    #[cfg_attr(feature = "cli", arg(long, value_parser = args::whole_in::<MIN_ORDER, MAX_ORDER>, help_heading = "Fast backend"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,

    /// M2L translations up to this order, 1..=64, are summed term by term,
    /// higher ones by rotation (both agree to rounding) [default: where term
    /// by term is cheaper on this machine, measured once and cached; see
    /// --calibrate].
    #[cfg_attr(feature = "cli", arg(long, value_name = "ORDER", value_parser = args::whole_in::<MIN_ORDER, MAX_ORDER>, help_heading = "Fast backend"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m2l_term_order: Option<i64>,

    /// Measure this machine's costs of M2L translations (a fraction of a
    /// second, cached per CPU) to choose --m2l-term-order; `false` keeps
    /// the built-in rule [default: true].
    #[cfg_attr(feature = "cli", arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL", help_heading = "Fast backend"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibrate: Option<bool>,
}

impl RunConfig {
    /// Parses TOML text; `path` labels errors.
    ///
    /// # Errors
    ///
    /// [`CliError::Config`] with the parser's message (line, column, and
    /// the unknown key or mistyped value).
    ///
    /// An unknown key is named with the nearest known one, when one is
    /// near (`did you mean `snapshot-every`?`).
    pub fn parse(text: &str, path: &Path) -> Result<Self, CliError> {
        toml::from_str(text).map_err(|e| {
            let mut reason = e.to_string().trim_end().to_string();
            if let Some(hint) = unknown_key_hint(text) {
                reason.push('\n');
                reason.push_str(&hint);
            }
            CliError::Config {
                path: path.to_path_buf(),
                reason,
            }
        })
    }

    /// Reads and parses a configuration file, and makes its relative paths
    /// relative to the file's folder.
    ///
    /// # Errors
    ///
    /// [`CliError::Config`] if the file cannot be read or parsed.
    pub fn load(path: &Path) -> Result<Self, CliError> {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let mut config = Self::parse(&text, path)?;
        let base = path.parent().unwrap_or(Path::new(""));
        for p in [&mut config.from, &mut config.out, &mut config.final_state]
            .into_iter()
            .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(config)
    }

    /// The file's text (the settings a run used, written beside its output).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("plain keys and values always serialize")
    }
}

/// `did you mean ...?` for the first unknown key of `text` that is near a
/// known one.
fn unknown_key_hint(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let known = keys::keys();
    table
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .find_map(|k| {
            keys::did_you_mean(k, known).map(|m| format!("did you mean `{m}` instead of `{k}`?"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_flag_names() {
        let c = RunConfig::parse(
            "preset = 'seed'\neps = 0.5\nt-end = 2\nenergy-every = 5\nfinal-state = 'a.csv'\nic = 'cube'\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.preset, Some(PresetName::Seed));
        assert_eq!(c.t_end, Some(2.0)); // an integer is a valid real
        assert_eq!(c.energy_every, Some(5));
        assert_eq!(c.ic, Some(Ic::Cube));
        assert_eq!(RunConfig::parse(&c.to_toml(), Path::new("x")).unwrap(), c);
    }

    #[test]
    fn a_typo_is_an_error_naming_the_key() {
        let e = RunConfig::parse("dtt = 0.1\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("c.toml") && e.contains("unknown field `dtt`"),
            "{e}"
        );
        let e = RunConfig::parse("steps = 1.5\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("steps = 1.5") && e.contains("expected i64"),
            "{e}"
        );
    }
}
