//! A simulated system: particles, couplings and the kernel backend.

use covar_kernel::{Backend, Direct};
use covar_store::ParticleStore;

use crate::couplings::{Couplings, Preset};
use crate::error::IntegrateError;
use crate::phase::Phase;

/// Particles, the constants of their Hamiltonian, and the backend that
/// evaluates its sums (chosen by value: naive, direct, ...).
#[derive(Clone, Debug)]
pub struct System {
    /// The particles (positions, canonical momenta, masses, charges).
    pub particles: ParticleStore,
    /// `k`, `mu`, softening.
    pub couplings: Couplings,
    /// The Laplace-sum backend.
    pub backend: Backend,
    /// The preset the couplings came from, if any.
    pub preset: Option<Preset>,
    /// Simulated time.
    pub time: f64,
}

impl System {
    /// A system with explicit couplings and the direct backend.
    ///
    /// # Errors
    ///
    /// Invalid particle data (naming particle and field) or couplings.
    pub fn new(particles: ParticleStore, couplings: Couplings) -> Result<Self, IntegrateError> {
        particles.validate()?;
        couplings.validate()?;
        Ok(Self {
            particles,
            couplings,
            backend: Backend::Direct(Direct::new()),
            preset: None,
            time: 0.0,
        })
    }

    /// A system from a preset; gravity sets every charge to its mass.
    ///
    /// # Errors
    ///
    /// Invalid particle data or couplings.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_integrate::{Preset, System};
    /// use covar_store::ic::Plummer;
    /// let sys = System::from_preset(Plummer::new(100, 1).generate()?, Preset::Gravity { g: 1.0 }, 0.01)?;
    /// assert_eq!(sys.couplings.k, -1.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_preset(
        mut particles: ParticleStore,
        preset: Preset,
        softening: impl Into<covar_kernel::Softening>,
    ) -> Result<Self, IntegrateError> {
        if preset.charges_are_masses() {
            let cols = particles.columns_mut();
            cols.charge.copy_from_slice(cols.mass);
        }
        let mut sys = Self::new(particles, preset.couplings(softening))?;
        sys.preset = Some(preset);
        Ok(sys)
    }

    /// Uses `backend` for every sum.
    pub fn with_backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Number of particles.
    pub fn len(&self) -> usize {
        self.particles.len()
    }

    /// Whether there are no particles.
    pub fn is_empty(&self) -> bool {
        self.particles.is_empty()
    }

    /// Positions and momenta as columns.
    pub fn phase(&self) -> Phase<'_> {
        let p = &self.particles;
        Phase {
            r: [p.x(), p.y(), p.z()],
            p: [p.px(), p.py(), p.pz()],
        }
    }
}
