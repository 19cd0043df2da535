//! Errors of the Laplace-sum primitive.

use std::fmt;

/// Which array of a [`Problem`](crate::Problem) a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A source point (a particle that carries channel values).
    Source,
    /// A target point (where sums are evaluated).
    Target,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Source => "source",
            Role::Target => "target",
        })
    }
}

/// The field of a point that an error refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// x coordinate.
    X,
    /// y coordinate.
    Y,
    /// z coordinate.
    Z,
    /// Source channel `c` (0-based).
    Channel(usize),
    /// Mass of a particle.
    Mass,
    /// Charge of a particle.
    Charge,
    /// Canonical momentum component `d` (0, 1, 2 for x, y, z).
    Momentum(usize),
    /// Column `c` of an input block (e.g. of `X` in `K X`).
    Column(usize),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::X => f.write_str("x"),
            Field::Y => f.write_str("y"),
            Field::Z => f.write_str("z"),
            Field::Channel(c) => write!(f, "channel {c}"),
            Field::Mass => f.write_str("mass"),
            Field::Charge => f.write_str("charge"),
            Field::Momentum(d) => write!(f, "p{}", ["x", "y", "z"].get(*d).unwrap_or(&"?")),
            Field::Column(c) => write!(f, "column {c}"),
        }
    }
}

/// Everything that can go wrong in a Laplace sum. Every variant names the
/// offending array, index and field, so a user can find the bad value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum KernelError {
    /// Two arrays that must agree in length do not.
    #[error("length mismatch: `{what}` has {got} elements, expected {expected}")]
    LengthMismatch {
        /// Which array.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        got: usize,
    },
    /// `nd == 0`: there is nothing to sum.
    #[error("the number of source channels `nd` must be at least 1")]
    NoChannels,
    /// A coordinate or channel value is NaN or infinite.
    #[error("{role} {index}: field `{field}` is {value} (must be finite)")]
    NonFinite {
        /// Source or target.
        role: Role,
        /// Index of the point.
        index: usize,
        /// Which field.
        field: Field,
        /// The offending value.
        value: f64,
    },
    /// A coordinate is so large that squared distances would overflow.
    #[error(
        "{role} {index}: field `{field}` is {value:e}; coordinates must satisfy |c| <= {limit:e} \
         so that squared distances stay finite"
    )]
    OutOfRange {
        /// Source or target.
        role: Role,
        /// Index of the point.
        index: usize,
        /// Which coordinate.
        field: Field,
        /// The offending value.
        value: f64,
        /// The largest allowed magnitude.
        limit: f64,
    },
    /// A mass is zero or negative where the physics divides by it.
    #[error("particle {index}: field `mass` is {value} (must be > 0)")]
    NonPositiveMass {
        /// Index of the particle.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The softening length is negative or not finite.
    #[error("softening length is {value} (must be finite and >= 0)")]
    InvalidSoftening {
        /// The offending value.
        value: f64,
    },
    /// Two sources sit at the same point and the softening is zero: 1/r is infinite.
    #[error(
        "sources {first} and {second} are at the same position and the softening is 0: \
         their 1/r interaction is infinite (move one, or set a softening length s > 0)"
    )]
    Coincident {
        /// The lower index of the pair.
        first: usize,
        /// The higher index of the pair.
        second: usize,
    },
    /// A target sits on a source and the softening is zero.
    #[error(
        "target {target} is at the position of source {source_index} and the softening is 0: \
         1/r is infinite there (set a softening length s > 0)"
    )]
    TargetOnSource {
        /// Index of the target.
        target: usize,
        /// Index of the source.
        source_index: usize,
    },
    /// A target of [`Targets::SourceSubset`](crate::Targets::SourceSubset)
    /// does not name its source properly.
    #[error("target {target} of a source subset: {problem}")]
    BadSubset {
        /// Index of the target.
        target: usize,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// Another process of a distributed sum failed (its own error says why),
    /// so this one stops too.
    #[error("the sum failed on rank {rank} of the distributed run (its error says why)")]
    Peer {
        /// The first rank that failed.
        rank: usize,
    },
    /// The octree of the fast backend could not be built.
    #[error("fast backend: {0}")]
    Tree(#[from] crate::fast::tree::TreeError),
    /// A parameter of a backend is out of range.
    #[error("backend parameter `{name}` is {value} ({expected})")]
    InvalidParameter {
        /// Which parameter.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What it must be.
        expected: &'static str,
    },
    /// A sum overflowed the range of f64 (points closer than ~1e-100 with s = 0).
    #[error(
        "the sum at target {target} is not finite: points closer than f64 can represent \
         1/r^3 for (set a softening length s > 0)"
    )]
    Overflow {
        /// Index of the target whose sum overflowed.
        target: usize,
    },
}
