//! Reading and writing particle data: the CSV layout of initial conditions
//! and final states, NumPy `.npy` snapshots, and HDF5 snapshots in the
//! GADGET/SWIFT layout (cargo feature `hdf5`), and the checkpoints that
//! let a run continue bit for bit.

pub mod checkpoint;
pub mod csv;
pub mod hdf5;
pub mod npy;

use std::path::Path;

use covar_store::ParticleStore;

/// A particle file that could not be read, whatever its format.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A particle CSV file.
    #[error("particle file {0}")]
    Csv(#[from] csv::CsvError),
    /// A `.npy` snapshot.
    #[error("snapshot {0}")]
    Npy(#[from] npy::NpyError),
    /// An HDF5 snapshot.
    #[error("snapshot {0}")]
    Hdf5(#[from] hdf5::Hdf5Error),
}

/// Reads the particles of a file, by its extension: an HDF5 snapshot
/// (`.hdf5`, `.h5`, `.hdf`), a `.npy` snapshot, else particle CSV.
///
/// # Errors
///
/// [`ReadError`] naming the file and the line, field or particle.
pub fn read_particles(path: &Path) -> Result<ParticleStore, ReadError> {
    if hdf5::is_hdf5_path(path) {
        Ok(hdf5::read(path)?.particles)
    } else if path.extension().is_some_and(|e| e == "npy") {
        Ok(npy::read(path)?)
    } else {
        Ok(csv::read(path)?)
    }
}
