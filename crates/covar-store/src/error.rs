//! The crate's error type.

use crate::Field;

/// Everything that can go wrong in this crate: invalid particle data (found by
/// [`ParticleStore::validate`](crate::ParticleStore::validate)), invalid
/// generator parameters, and malformed permutations.
///
/// Each variant carries the location of the problem (particle index and id,
/// field, parameter name), so the message can say exactly what to fix.
///
/// # Examples
///
/// ```
/// use covar_store::{Field, StoreError};
/// let e = StoreError::NonPositiveMass { particle: 17, id: 17, value: -1.0 };
/// assert_eq!(
///     e.to_string(),
///     "particle 17 (id 17): field `mass` is -1 (must be finite and > 0)"
/// );
/// let e = StoreError::NonFinite { particle: 3, id: 9, field: Field::Px, value: f64::NAN };
/// assert_eq!(e.to_string(), "particle 3 (id 9): field `px` is NaN (must be finite)");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A field holds NaN or an infinity.
    #[error(
        "particle {particle} (id {id}): field `{field}` is {value} (must be {requirement})",
        requirement = .field.requirement()
    )]
    NonFinite {
        /// Index of the particle in the store (its current place).
        particle: usize,
        /// The particle's id (stable across sorting).
        id: u64,
        /// The offending field.
        field: Field,
        /// The offending value.
        value: f64,
    },

    /// A mass is finite but zero or negative.
    #[error("particle {particle} (id {id}): field `mass` is {value} (must be finite and > 0)")]
    NonPositiveMass {
        /// Index of the particle in the store (its current place).
        particle: usize,
        /// The particle's id (stable across sorting).
        id: u64,
        /// The offending mass.
        value: f64,
    },

    /// A generator was given a parameter outside its domain.
    #[error("{generator}: parameter `{parameter}` is {value} (must be {expected})")]
    InvalidParameter {
        /// The generator, e.g. `"plummer"`.
        generator: &'static str,
        /// The parameter's name, e.g. `"eccentricity"`.
        parameter: &'static str,
        /// The value given (converted to `f64` for integer parameters).
        value: f64,
        /// What the value must be, e.g. `"finite and in [0, 1)"`.
        expected: &'static str,
    },

    /// Two arrays that must have the same length do not.
    #[error("{what}: expected length {expected}, got {got}")]
    LengthMismatch {
        /// What was being compared, e.g. `"permutation"`.
        what: &'static str,
        /// The required length.
        expected: usize,
        /// The length given.
        got: usize,
    },

    /// A slice meant to be a permutation of `0..n` is not: `value` is out of
    /// range or repeats an earlier entry.
    #[error(
        "not a permutation of 0..{len}: entry {position} is {value} (out of range or repeated)"
    )]
    NotAPermutation {
        /// `n`, the number of particles.
        len: usize,
        /// Where in the slice the bad entry is.
        position: usize,
        /// The bad entry.
        value: usize,
    },
}
