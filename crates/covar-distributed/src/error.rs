//! Errors of the distributed layer.

/// What can go wrong in a decomposition or a distributed sum.
#[derive(Debug, thiserror::Error)]
pub enum DistributedError {
    /// A work list does not match the particles it weighs.
    #[error("rank {rank}: {work} work values for {particles} particles")]
    WorkLength {
        /// The rank that found it.
        rank: usize,
        /// Its number of particles.
        particles: usize,
        /// The number of work values given.
        work: usize,
    },
    /// The ownership invariant does not hold.
    #[error("decomposition invariant violated: {0}")]
    Ownership(String),
}
