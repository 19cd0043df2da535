//! Checkpoints: everything a run needs to continue bit for bit, in one
//! versioned, checksummed binary file.
//!
//! A run writes `checkpoint.covar` into its output folder every
//! `checkpoint-every` steps and when it is interrupted (SIGINT, SIGTERM);
//! `covar run --resume DIR` continues from it. The file is replaced
//! atomically (a temporary file in the same folder, synced, renamed over
//! the previous checkpoint, and the folder synced), so a kill at any moment
//! leaves either the previous checkpoint or the new one, whole.
//!
//! # Layout (format version 2)
//!
//! All numbers are little-endian; `f64` values are stored as their exact
//! bits.
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `COVARCKP` |
//! | 4 | format version (`u32`), [`FORMAT_VERSION`] |
//! | 8 | payload length `L` (`u64`) |
//! | `L` | payload |
//! | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! The payload, in order (`str` is a `u64` byte count and UTF-8 bytes,
//! `[f64]` a `u64` count and the values):
//!
//! | field | type | what |
//! |---|---|---|
//! | `settings` | `str` | the run's settings as TOML (the text of `run.toml`) |
//! | `integrator` | `str` | the integrator's name |
//! | `step` | `u64` | steps taken |
//! | `time` | `f64` | simulated time |
//! | `k`, `mu`, `softening` | `f64` x 3 | the couplings |
//! | `softening-kernel` | `str` | `plummer`, `spline` or `wendland-c2` (not in version 1, whose kernel is `plummer`) |
//! | `n` | `u64` | number of particles (`>= 1`) |
//! | `x y z px py pz m q` | `f64` x `n` each | the particles, column by column, in store order |
//! | `integrator-state` | `[f64]` | [`Integrator::save_state`](covar_integrate::Integrator::save_state) |
//! | `monitor` | `[f64]` | the energy monitor's running values (initial invariants, maxima) |
//! | `energy-rows`, `snapshots`, `force-evaluations`, `cap-hits` | `u64` x 4 | the run's counters |
//!
//! Particle ids are the store order (`0..n`), as in every run. A run draws
//! no random numbers after its set-up (the generators' seed is part of its
//! settings), so there is no generator state to keep.
//!
//! Reading never panics: every length is checked against the bytes that
//! are there before anything is allocated, and the errors say what is wrong
//! and where ([`CheckpointError`]).

mod decode;
mod encode;
mod error;

use std::path::Path;

use covar_integrate::Couplings;
use covar_store::ParticleStore;

pub use decode::decode;
pub use encode::encode;
pub use error::CheckpointError;

use super::csv::write_atomically;

/// The checkpoint's file name in a run's output folder.
pub const FILE_NAME: &str = "checkpoint.covar";
/// The first eight bytes of every checkpoint.
pub const MAGIC: [u8; 8] = *b"COVARCKP";
/// The format version this build writes; it reads this one and every
/// earlier one (version 1 has no `softening-kernel`: Plummer softening).
pub const FORMAT_VERSION: u32 = 2;
/// Bytes before the payload: magic, version, payload length.
pub const HEADER_LEN: usize = 8 + 4 + 8;
/// Bytes after the payload: the CRC-32.
pub const TRAILER_LEN: usize = 4;

/// A run's counters at the checkpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Rows written to the energy log.
    pub energy_rows: u64,
    /// Snapshots written.
    pub snapshots: u64,
    /// Laplace-sum evaluations of the integrator.
    pub force_evaluations: u64,
    /// Steps whose implicit solve stopped at its iteration cap.
    pub cap_hits: u64,
}

/// The state of a run between two steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// The run's settings as TOML (a `--config` file that repeats the run).
    pub settings: String,
    /// The integrator's name.
    pub integrator: String,
    /// Steps taken.
    pub step: u64,
    /// Simulated time (the sum of the steps, as the run computed it).
    pub time: f64,
    /// The couplings `k`, `mu` and the softening.
    pub couplings: Couplings,
    /// The particles (positions, canonical momenta, masses, charges).
    pub particles: ParticleStore,
    /// The integrator's own state
    /// ([`Integrator::save_state`](covar_integrate::Integrator::save_state)).
    pub integrator_state: Vec<f64>,
    /// The energy monitor's running values
    /// ([`Monitor::save_state`](crate::cli::run::monitor::Monitor::save_state)).
    pub monitor: Vec<f64>,
    /// The run's counters.
    pub counters: Counters,
}

/// Reads and checks the checkpoint at `path`.
///
/// # Errors
///
/// [`CheckpointError::Io`] if the file cannot be read, any other
/// [`CheckpointError`] if its bytes are not a valid checkpoint.
pub fn read(path: &Path) -> Result<Checkpoint, CheckpointError> {
    let bytes = std::fs::read(path).map_err(CheckpointError::Io)?;
    decode(&bytes)
}

/// Writes `checkpoint` to `path` atomically: a temporary file in the same
/// folder, synced and renamed over `path`, then the folder synced. Until
/// the rename the previous file at `path`, if any, stays whole.
///
/// # Errors
///
/// Any I/O error.
pub fn write(checkpoint: &Checkpoint, path: &Path) -> std::io::Result<()> {
    write_atomically(path, &encode(checkpoint))
}

#[cfg(test)]
mod tests;
