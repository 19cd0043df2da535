//! What can be wrong with a checkpoint file.

use covar_integrate::IntegrateError;
use covar_store::StoreError;

/// A checkpoint that cannot be read, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The file could not be read.
    #[error("{0}")]
    Io(std::io::Error),
    /// The file does not start with [`MAGIC`](super::MAGIC).
    #[error("not a covar checkpoint (starts with {found:?}, expected \"COVARCKP\")")]
    Magic {
        /// The first bytes found, escaped.
        found: String,
    },
    /// Written by another version of the format.
    #[error("written by format version {found}, this build reads versions 1 to {supported}")]
    Version {
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The file ends before the header, the payload or the checksum does.
    #[error("truncated at byte {at} (expected {expected} bytes)")]
    Truncated {
        /// The file's length: where it ends.
        at: u64,
        /// The length its header promises (or the header's own length).
        expected: u64,
    },
    /// Bytes beyond the checksum.
    #[error(
        "{extra} unexpected bytes after the checksum (the file has {len} bytes, its header gives {expected})"
    )]
    Trailing {
        /// Bytes too many.
        extra: u64,
        /// The file's length.
        len: u64,
        /// The length its header gives.
        expected: u64,
    },
    /// The CRC-32 does not match the bytes: the file was damaged.
    #[error(
        "checksum mismatch (stored {stored:08x}, computed {computed:08x}): the file is damaged"
    )]
    Checksum {
        /// The stored CRC-32.
        stored: u32,
        /// The CRC-32 of the bytes.
        computed: u32,
    },
    /// A payload field is malformed (only possible for a file whose
    /// checksum was forged or that another program wrote).
    #[error("field `{field}` at byte {at}: {reason}")]
    Field {
        /// The field (named as in the layout table).
        field: &'static str,
        /// Its offset in the file.
        at: u64,
        /// What is wrong.
        reason: String,
    },
    /// The checkpoint's parts disagree with each other (its couplings or
    /// integrator with its settings, its integrator state with its
    /// particles).
    #[error("does not fit together: {what}")]
    Inconsistent {
        /// What disagrees.
        what: String,
    },
    /// A particle is invalid (names the particle and field).
    #[error("particle data: {0}")]
    Particles(#[from] StoreError),
    /// A coupling is out of range.
    #[error("couplings: {0}")]
    Couplings(#[from] IntegrateError),
}
