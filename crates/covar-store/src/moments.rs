//! Low-order moments of the mass distribution (sums in store order, so they
//! are deterministic).

use glam::DVec3;

use crate::ParticleStore;

impl ParticleStore {
    /// Total mass `M = sum m_i` (summed in store order).
    #[must_use]
    pub fn total_mass(&self) -> f64 {
        self.masses().iter().sum()
    }

    /// Centre of mass `sum m_i r_i / M`; the origin for an empty store.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::ic::Plummer;
    /// let store = Plummer::new(1000, 1).generate()?;
    /// assert!(store.center_of_mass().length() < 1e-14);
    /// # Ok::<(), covar_store::StoreError>(())
    /// ```
    #[must_use]
    pub fn center_of_mass(&self) -> DVec3 {
        if self.is_empty() {
            return DVec3::ZERO;
        }
        let mut s = DVec3::ZERO;
        for i in 0..self.len {
            s += self.mass(i) * self.position(i);
        }
        s / self.total_mass()
    }

    /// Total canonical momentum `sum P_i` (summed in store order).
    #[must_use]
    pub fn total_momentum(&self) -> DVec3 {
        let mut s = DVec3::ZERO;
        for i in 0..self.len {
            s += self.momentum(i);
        }
        s
    }
}
