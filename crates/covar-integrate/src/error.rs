//! Errors of the dynamics layer.

use covar_kernel::KernelError;
use covar_store::StoreError;

/// Everything that can stop a simulation step or a diagnostic.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum IntegrateError {
    /// The particle data is invalid (names the particle and field).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A Laplace sum failed (names the particles involved).
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// A coupling constant is out of range.
    #[error("coupling `{name}` is {value} ({expected})")]
    InvalidCoupling {
        /// Which coupling.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What it must be.
        expected: &'static str,
    },
    /// The time step is not finite and positive.
    #[error("time step dt = {value} must be finite and > 0")]
    InvalidStep {
        /// The offending value.
        value: f64,
    },
    /// A method for separable Hamiltonians was asked to run with `mu != 0`.
    #[error(
        "integrator `{integrator}` needs a separable Hamiltonian (mu = 0) but mu = {mu}; \
         with a magnetic coupling use one of: {alternatives}"
    )]
    NotSeparable {
        /// The refusing integrator.
        integrator: &'static str,
        /// The coupling it was given.
        mu: f64,
        /// The integrators that handle `mu != 0`.
        alternatives: &'static str,
    },
    /// A saved integrator state (from a checkpoint) does not fit the
    /// method or the system.
    #[error("{integrator}: saved integrator state: {reason}")]
    InvalidState {
        /// The integrator restoring it.
        integrator: &'static str,
        /// What does not fit.
        reason: String,
    },
    /// Tao's binding turns too far per sub-step for the step to resolve
    /// it: the copies decouple (near multiples of pi they resonate).
    #[error(
        "{integrator}: the copies' binding turns about {angle:.3} rad per sub-step \
         (|w| dt sqrt(2 omega (2 omega + 1/m_min)) with omega = {omega}, dt = {dt}, \
         m_min = {min_mass}), more than pi/2; lower omega or dt"
    )]
    TaoRotation {
        /// The refusing integrator.
        integrator: &'static str,
        /// Its binding constant.
        omega: f64,
        /// The step.
        dt: f64,
        /// The smallest particle mass.
        min_mass: f64,
        /// The estimated angle of one sub-step.
        angle: f64,
    },
}
