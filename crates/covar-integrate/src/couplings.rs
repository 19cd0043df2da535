//! Coupling constants and the presets of DESIGN.md section 2.3.

use covar_kernel::Softening;

use crate::error::IntegrateError;

/// The constants of the Hamiltonian
///
/// ```text
/// H(r, P) = sum_i |P_i|^2 / (2 m_i)
///         - (mu/2) sum_{i != j} q_i q_j (u_i . u_j) G_ij
///         + k sum_{i < j} q_i q_j G_ij,      u = P / m,
/// ```
///
/// with `G_ij` the softened `1/r` of [`Softening`] (Plummer's
/// `(|r_i - r_j|^2 + s^2)^(-1/2)`, or a kernel of compact support).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Couplings {
    /// Coulomb coupling `k` (negative for gravity: `k = -G`).
    pub k: f64,
    /// Magnetic (covariance) coupling `mu`; `0` makes H separable.
    pub mu: f64,
    /// Softening kernel and length `s >= 0`.
    pub softening: Softening,
}

impl Couplings {
    /// Checks that every constant is finite and `s >= 0`.
    ///
    /// # Errors
    ///
    /// [`IntegrateError::InvalidCoupling`] naming the constant.
    pub fn validate(&self) -> Result<(), IntegrateError> {
        for (name, value) in [("k", self.k), ("mu", self.mu)] {
            if !value.is_finite() {
                return Err(IntegrateError::InvalidCoupling {
                    name,
                    value,
                    expected: "must be finite",
                });
            }
        }
        let s = self.softening.length;
        if !(s >= 0.0 && s.is_finite()) {
            return Err(IntegrateError::InvalidCoupling {
                name: "softening",
                value: s,
                expected: "must be finite and >= 0",
            });
        }
        Ok(())
    }

    /// Whether `H` is separable (`mu == 0`): kinetic energy depends on `P` only.
    pub fn is_separable(&self) -> bool {
        self.mu == 0.0
    }
}

/// The named physical settings of DESIGN.md section 2.3.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Preset {
    /// Newtonian gravity with constant `G`: `q_i = m_i`, `k = -G`, `mu = 0`.
    Gravity {
        /// Gravitational constant.
        g: f64,
    },
    /// Electrostatics: `k = k_e`, `mu = 0`, charges as given.
    Coulomb {
        /// Coulomb constant.
        k: f64,
    },
    /// Coulomb plus magnetic coupling: `k = k_e`, `mu > 0`.
    Darwin {
        /// Coulomb constant.
        k: f64,
        /// Magnetic coupling.
        mu: f64,
    },
    /// The seed's model: `k = -eps^2`, `mu = 1`; its `H_seed` is `-H`.
    Seed {
        /// The seed's coupling `eps`.
        eps: f64,
    },
}

impl Preset {
    /// The couplings of the preset with `softening` (a [`Softening`] or a
    /// bare Plummer length).
    pub fn couplings(self, softening: impl Into<Softening>) -> Couplings {
        let softening = softening.into();
        let (k, mu) = match self {
            Preset::Gravity { g } => (-g, 0.0),
            Preset::Coulomb { k } => (k, 0.0),
            Preset::Darwin { k, mu } => (k, mu),
            Preset::Seed { eps } => (-eps * eps, 1.0),
        };
        Couplings { k, mu, softening }
    }

    /// Whether the preset sets charges equal to masses (gravity).
    pub fn charges_are_masses(self) -> bool {
        matches!(self, Preset::Gravity { .. })
    }

    /// Whether the preset reports the seed's `H_seed = -H`.
    pub fn is_seed(self) -> bool {
        matches!(self, Preset::Seed { .. })
    }
}
