//! The output folder of a run and what goes into it:
//!
//! | file | what |
//! |---|---|
//! | `energy.csv` | the energy log, one row per `energy-every` steps, written and flushed row by row |
//! | `snapshot_<step>.npy` | the particle state (NumPy structured array, see [`crate::io::npy`]) |
//! | `snapshot_<step>.hdf5` | the same, with `snapshot-format = "hdf5"` (GADGET/SWIFT layout, see [`crate::io::hdf5`]) |
//! | `summary.json` | the summary, as `--json` prints it |
//! | `run.toml` | the resolved settings, a `--config` file that repeats the run |
//! | `checkpoint.covar` | every `checkpoint-every` steps and on SIGINT/SIGTERM: what `--resume` continues from ([`crate::io::checkpoint`]) |
//!
//! The energy log's columns are `step,t,H,T,U,abs_sum_P,abs_sum_L,rel_H_error`
//! (`T` and `U` the velocity-dependent and position-only parts of `H`,
//! `abs_sum_P = |sum_i P_i|`, `abs_sum_L = |sum_i r_i x P_i|`,
//! `rel_H_error = (H - H(0)) / |H(0)|`), then `H_seed` for the seed preset
//! and `copy_gap_r,copy_gap_p` for Tao's methods (the relative gap of the
//! two copies, [`covar_integrate::CopyGap`], 0 at step 0). Numbers are in
//! Rust's shortest round-trip form.
//!
//! `<step>` is zero-padded to the width of the last step, so the files sort
//! in order. An earlier run's results are never replaced without
//! `--overwrite`, which removes them (these files only) before the new
//! run writes its own. Snapshots, the summary and the settings are written
//! atomically (temporary file, sync, rename).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use covar_store::ParticleStore;

use covar_integrate::Preset;
use serde::{Deserialize, Serialize};

use super::monitor::Row;
use super::settings::Settings;
use crate::cli::CliError;
use crate::io::checkpoint;
use crate::io::csv::write_atomically;
use crate::io::hdf5::{self, RunInfo};
use crate::io::npy;

/// The energy log's file name.
pub const ENERGY_LOG: &str = "energy.csv";
/// The summary's file name.
pub const SUMMARY: &str = "summary.json";
/// The settings' file name.
pub const SETTINGS: &str = "run.toml";
/// The energy log's columns, before the optional ones.
pub const HEADER: [&str; 8] = [
    "step",
    "t",
    "H",
    "T",
    "U",
    "abs_sum_P",
    "abs_sum_L",
    "rel_H_error",
];

/// The file format of snapshots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum SnapshotFormat {
    /// NumPy structured array, `snapshot_<step>.npy` ([`crate::io::npy`]).
    #[default]
    Npy,
    /// HDF5 in the GADGET/SWIFT layout, `snapshot_<step>.hdf5`
    /// ([`crate::io::hdf5`]; needs the cargo feature `hdf5`).
    Hdf5,
}

impl SnapshotFormat {
    /// The file name extension (also the name on the command line).
    pub fn extension(self) -> &'static str {
        match self {
            SnapshotFormat::Npy => "npy",
            SnapshotFormat::Hdf5 => "hdf5",
        }
    }
}

/// The optional columns of the energy log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extra {
    /// `H_seed` (seed preset).
    pub h_seed: bool,
    /// `copy_gap_r,copy_gap_p` (Tao's methods).
    pub copy_gap: bool,
}

/// The output folder of one run.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    overwrite: bool,
    digits: usize,
    extra: Extra,
    log: Option<File>,
    rows: u64,
    snapshots: u64,
    format: SnapshotFormat,
    run: RunInfo,
}

impl OutputDir {
    /// Checks that `dir` can take the results of a run of `steps` steps
    /// without replacing an earlier run's (unless `overwrite`). Touches
    /// nothing.
    ///
    /// # Errors
    ///
    /// [`CliError::OutputExists`] if `dir` holds an energy log and not
    /// `overwrite`; [`CliError::InvalidArgument`] if `dir` is a file.
    pub fn check(dir: &Path, overwrite: bool, steps: u64, extra: Extra) -> Result<Self, CliError> {
        if dir.exists() && !dir.is_dir() {
            return Err(CliError::InvalidArgument {
                flag: "out",
                reason: format!("{} is a file, not a folder", dir.display()),
            });
        }
        let log = dir.join(ENERGY_LOG);
        if log.exists() && !overwrite {
            return Err(CliError::OutputExists {
                path: log,
                what: "the energy log of an earlier run",
                flag: "--out",
            });
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            overwrite,
            digits: steps.to_string().len(),
            extra,
            log: None,
            rows: 0,
            snapshots: 0,
            format: SnapshotFormat::Npy,
            run: RunInfo::default(),
        })
    }

    /// Takes the snapshot format of `settings`, and the description of the
    /// run that HDF5 snapshots carry.
    pub fn with_snapshots(mut self, settings: &Settings) -> Self {
        let c = settings.preset.couplings(settings.softening);
        self.format = settings.snapshot_format;
        self.run = RunInfo {
            step: 0,
            dt: settings.dt,
            preset: match settings.preset {
                Preset::Gravity { .. } => "gravity",
                Preset::Coulomb { .. } => "coulomb",
                Preset::Darwin { .. } => "darwin",
                Preset::Seed { .. } => "seed",
            }
            .into(),
            k: c.k,
            mu: c.mu,
            softening: c.softening.length,
            softening_kernel: c.softening.kernel.name().into(),
            integrator: settings.integrator.into(),
            settings: String::new(),
        };
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether [`open`](Self::open) has run.
    pub fn is_open(&self) -> bool {
        self.log.is_some()
    }

    /// Creates the folder, removes an earlier run's files (with
    /// `overwrite`), writes the settings and starts the energy log.
    ///
    /// # Errors
    ///
    /// [`CliError::Output`] naming the file; [`CliError::OutputExists`] if
    /// an energy log appeared since [`check`](Self::check).
    pub fn open(&mut self, settings_toml: &str) -> Result<(), CliError> {
        std::fs::create_dir_all(&self.dir).map_err(CliError::output(&self.dir))?;
        if self.overwrite {
            self.remove_earlier_run()?;
        }
        let path = self.dir.join(ENERGY_LOG);
        let mut log = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => CliError::OutputExists {
                    path: path.clone(),
                    what: "the energy log of an earlier run",
                    flag: "--out",
                },
                _ => CliError::Output {
                    path: path.clone(),
                    source,
                },
            })?;
        let header = header_line(self.extra);
        log.write_all(header.as_bytes())
            .map_err(CliError::output(&path))?;
        self.log = Some(log);
        self.run.settings = settings_toml.to_string();
        let settings = self.dir.join(SETTINGS);
        write_atomically(&settings, settings_toml.as_bytes()).map_err(CliError::output(&settings))
    }

    /// Removes the files an earlier run left (and only those).
    fn remove_earlier_run(&self) -> Result<(), CliError> {
        let entries = std::fs::read_dir(&self.dir).map_err(CliError::output(&self.dir))?;
        for entry in entries {
            let entry = entry.map_err(CliError::output(&self.dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = [ENERGY_LOG, SUMMARY, SETTINGS, checkpoint::FILE_NAME]
                .contains(&name.as_str())
                || (name.starts_with("snapshot_")
                    && (name.ends_with(".npy") || name.ends_with(".hdf5")));
            if ours && entry.path().is_file() {
                let path = entry.path();
                std::fs::remove_file(&path).map_err(CliError::output(&path))?;
            }
        }
        Ok(())
    }

    /// Appends a row to the energy log and hands it to the OS at once, so
    /// that a killed run keeps its log.
    ///
    /// # Errors
    ///
    /// [`CliError::Output`].
    pub fn log(&mut self, row: &Row) -> Result<(), CliError> {
        use std::fmt::Write as _;
        let mut line = String::with_capacity(256);
        let _ = write!(
            line,
            "{},{:?},{:?},{:?},{:?},{:?},{:?},{:?}",
            row.step,
            row.t,
            row.h,
            row.t_part,
            row.u,
            row.abs_sum_p,
            row.abs_sum_l,
            row.rel_h_error
        );
        if self.extra.h_seed {
            let _ = write!(line, ",{:?}", row.h_seed.unwrap_or(-row.h));
        }
        if self.extra.copy_gap {
            let g = row.copy_gap.unwrap_or_default();
            let _ = write!(line, ",{:?},{:?}", g.position_relative, g.momentum_relative);
        }
        line.push('\n');
        let path = self.dir.join(ENERGY_LOG);
        let log = self.log.as_mut().expect("the log is open");
        log.write_all(line.as_bytes())
            .map_err(CliError::output(&path))?;
        self.rows += 1;
        Ok(())
    }

    /// The snapshot file of `step`.
    pub fn snapshot_path(&self, step: u64) -> PathBuf {
        self.dir.join(format!(
            "snapshot_{step:0width$}.{}",
            self.format.extension(),
            width = self.digits
        ))
    }

    /// Writes the snapshot of `step`.
    ///
    /// # Errors
    ///
    /// [`CliError::Output`], or [`CliError::Snapshot`] for HDF5.
    pub fn snapshot(&mut self, step: u64, store: &ParticleStore) -> Result<(), CliError> {
        let path = self.snapshot_path(step);
        match self.format {
            SnapshotFormat::Npy => npy::write(store, &path).map_err(CliError::output(&path))?,
            SnapshotFormat::Hdf5 => {
                let run = RunInfo {
                    step,
                    ..self.run.clone()
                };
                hdf5::write(store, &run, &path)?;
            }
        }
        self.snapshots += 1;
        Ok(())
    }

    /// Writes the summary and syncs the energy log.
    ///
    /// # Errors
    ///
    /// [`CliError::Output`].
    pub fn finish(&mut self, summary_json: &str) -> Result<(), CliError> {
        if let Some(log) = &self.log {
            let path = self.dir.join(ENERGY_LOG);
            log.sync_all().map_err(CliError::output(&path))?;
        }
        let path = self.dir.join(SUMMARY);
        write_atomically(&path, summary_json.as_bytes()).map_err(CliError::output(&path))
    }

    /// The output folder of an interrupted run, continued: `log` is its
    /// energy log cut back to the checkpoint (open for appending), `rows`
    /// and `snapshots` what the run had written by then.
    pub(super) fn reopen(
        mut self,
        log: File,
        rows: u64,
        snapshots: u64,
        settings_toml: &str,
    ) -> Self {
        self.log = Some(log);
        self.rows = rows;
        self.snapshots = snapshots;
        self.run.settings = settings_toml.to_string();
        self
    }

    /// Hands the energy log's rows to the disk, so that a checkpoint
    /// never counts rows a crash of the machine could lose.
    ///
    /// # Errors
    ///
    /// [`CliError::Output`].
    pub fn sync_log(&self) -> Result<(), CliError> {
        match &self.log {
            Some(log) => log
                .sync_data()
                .map_err(CliError::output(&self.dir.join(ENERGY_LOG))),
            None => Ok(()),
        }
    }

    /// Rows written to the energy log.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Snapshots written.
    pub fn snapshots(&self) -> u64 {
        self.snapshots
    }
}

/// The energy log's first line (with its newline) for a run with the
/// optional columns `extra`.
pub fn header_line(extra: Extra) -> String {
    let mut header = HEADER.join(",");
    if extra.h_seed {
        header.push_str(",H_seed");
    }
    if extra.copy_gap {
        header.push_str(",copy_gap_r,copy_gap_p");
    }
    header.push('\n');
    header
}

/// Checks that the final state can be written to `path` without replacing
/// a file (unless `overwrite`), into a folder that exists or is the output
/// folder `out` (created by the run).
///
/// # Errors
///
/// [`CliError::OutputExists`] or [`CliError::InvalidArgument`].
pub fn check_final_state(path: &Path, out: &Path, overwrite: bool) -> Result<(), CliError> {
    if path.is_dir() {
        return Err(CliError::InvalidArgument {
            flag: "final-state",
            reason: format!("{} is a folder, not a file", path.display()),
        });
    }
    if path.exists() && !overwrite {
        return Err(CliError::OutputExists {
            path: path.to_path_buf(),
            what: "a file",
            flag: "--final-state",
        });
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent
        && !dir.is_dir()
        && dir != out
    {
        return Err(CliError::InvalidArgument {
            flag: "final-state",
            reason: format!("the folder {} does not exist", dir.display()),
        });
    }
    Ok(())
}
