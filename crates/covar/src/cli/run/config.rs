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

use super::args::PresetName;
use super::keys;
use super::outputs::SnapshotFormat;
use crate::cli::CliError;
use crate::cli::system::{Charges, Ic};

/// The settings a configuration file may hold; `None` where it is silent.
///
/// Whole numbers are read as `i64` (TOML's integers) and range-checked
/// later, so that `steps = -3` is reported as out of range for the key
/// `steps` rather than as a type error.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RunConfig {
    /// `--preset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<PresetName>,
    /// `--g`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub g: Option<f64>,
    /// `--k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<f64>,
    /// `--mu`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    /// `--eps`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eps: Option<f64>,
    /// `--softening`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub softening: Option<f64>,
    /// `--softening-kernel` (`plummer`, `spline`, `wendland-c2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub softening_kernel: Option<String>,
    /// `--ic`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ic: Option<Ic>,
    /// `--n`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<i64>,
    /// `--seed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// `--charges`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charges: Option<Charges>,
    /// `--coupling`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupling: Option<f64>,
    /// `--temperature`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// `--from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<PathBuf>,
    /// `--integrator`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrator: Option<String>,
    /// `--omega`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub omega: Option<f64>,
    /// `--dt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dt: Option<f64>,
    /// `--steps`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<i64>,
    /// `--t-end`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t_end: Option<f64>,
    /// `--energy-every`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy_every: Option<i64>,
    /// `--snapshot-every`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_every: Option<i64>,
    /// `--snapshot-format`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_format: Option<SnapshotFormat>,
    /// `--checkpoint-every`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_every: Option<i64>,
    /// `--out`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
    /// `--final-state`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_state: Option<PathBuf>,
    /// `--backend`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// `--threads`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<i64>,
    /// `--strict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// `--tol` (fast backend).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tol: Option<f64>,
    /// `--theta` (fast backend).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theta: Option<f64>,
    /// `--leaf-size` (fast backend).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf_size: Option<i64>,
    /// `--order` (fast backend).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
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
