//! The flags of `covar run`. Every setting is optional here: a flag that is
//! given overrides the same key of the `--config` file, and what neither
//! gives takes the default documented on the flag (resolved in
//! [`Settings`](super::Settings)).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::config::RunConfig;

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

/// Arguments of `covar run`: the settings ([`RunConfig`], the same keys
/// as the configuration file), and the flags that are not settings.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct RunArgs {
    /// TOML file of settings: any of the flags below except --config,
    /// --resume, --json and --overwrite, keyed by the flag's name without
    /// dashes (`t-end = 10.0`). Flags given here override the file.
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE"))]
    pub config: Option<PathBuf>,

    /// The settings given as flags.
    #[cfg_attr(feature = "cli", command(flatten))]
    pub settings: RunConfig,

    /// Continue the interrupted run in DIR from its checkpoint, with the
    /// settings it was started with, so that it ends bit for bit as if never
    /// stopped (the energy log is cut back to the checkpoint's step). Takes
    /// no other flag but --threads and --json.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "DIR", help_heading = "Output")
    )]
    pub resume: Option<PathBuf>,

    /// Replace the results of an earlier run in --out (and an existing --final-state file).
    #[cfg_attr(feature = "cli", arg(long, help_heading = "Output"))]
    pub overwrite: bool,

    /// Print the summary as one JSON object on stdout (and no progress bar).
    #[cfg_attr(feature = "cli", arg(long, help_heading = "Output"))]
    pub json: bool,
}
