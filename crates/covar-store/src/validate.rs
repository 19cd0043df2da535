//! Boundary checks: particle data (`validate`) and the layout invariant
//! (`assert_well_formed`).

use crate::column::{ALIGN, LANES, PAD_CHARGE, PAD_ID, PAD_MASS, PAD_MOMENTUM};
use crate::{Field, ParticleStore, StoreError, padded_len};

impl ParticleStore {
    /// Checks every particle: all fields finite, masses > 0 (DESIGN.md
    /// section 1). Particles are checked in store order and, within a
    /// particle, fields in [`Field::ALL`] order; the first problem is
    /// returned, naming the particle's index and id and the field.
    ///
    /// Run it once at the boundary (after loading or generating data); the
    /// kernels then run unchecked.
    ///
    /// # Errors
    ///
    /// [`StoreError::NonFinite`] for NaN or an infinity in any field (a
    /// non-finite mass included), [`StoreError::NonPositiveMass`] for a finite
    /// mass `<= 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::{Field, ParticleStore, StoreError, ic::UniformCube};
    /// let mut store = UniformCube::new(20, 5).generate()?;
    /// store.set_mass(17, -1.0);
    /// let err = store.validate().unwrap_err();
    /// assert_eq!(err, StoreError::NonPositiveMass { particle: 17, id: 17, value: -1.0 });
    /// assert_eq!(err.to_string(), "particle 17 (id 17): field `mass` is -1 (must be finite and > 0)");
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn validate(&self) -> Result<(), StoreError> {
        for i in 0..self.len {
            for field in Field::ALL {
                let value = self.cols[field.index()][i];
                if !value.is_finite() {
                    return Err(StoreError::NonFinite {
                        particle: i,
                        id: self.ids[i],
                        field,
                        value,
                    });
                }
                if field == Field::Mass && value <= 0.0 {
                    return Err(StoreError::NonPositiveMass {
                        particle: i,
                        id: self.ids[i],
                        value,
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks the layout invariant and panics with a message naming the
    /// column and entry if it is broken: every column has
    /// [`padded_len`]`(len())` entries and is 64-byte aligned; padded entries
    /// hold zero momentum, mass 1, zero charge, id `u64::MAX`, and positions
    /// equal to the last real particle's (0 where that is not finite, or for
    /// an empty store).
    ///
    /// This is an invariant checker for tests (like parry's
    /// `assert_well_formed`); a store only changed through its own methods
    /// always passes.
    ///
    /// # Panics
    ///
    /// If the invariant is broken (a bug in this crate).
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::ic::Plummer;
    /// let mut store = Plummer::new(13, 2).generate()?;
    /// store.morton_sort();
    /// store.assert_well_formed();
    /// # Ok::<(), covar_store::StoreError>(())
    /// ```
    #[track_caller]
    pub fn assert_well_formed(&self) {
        let n = self.len;
        let padded = padded_len(n);
        assert_eq!(
            padded % LANES,
            0,
            "padded length must be a multiple of LANES"
        );
        assert_eq!(
            self.ids.len(),
            padded,
            "id column: length {} != padded_len({n}) = {padded}",
            self.ids.len()
        );
        assert_eq!(
            self.ids.as_ptr() as usize % ALIGN,
            0,
            "id column is not {ALIGN}-byte aligned"
        );
        for (k, &id) in self.ids[n..].iter().enumerate() {
            assert_eq!(
                id,
                PAD_ID,
                "id column: padded entry {} is {id}, expected PAD_ID",
                n + k
            );
        }
        for field in Field::ALL {
            let col = &self.cols[field.index()];
            assert_eq!(
                col.len(),
                padded,
                "column `{field}`: length {} != padded_len({n}) = {padded}",
                col.len()
            );
            assert_eq!(
                col.as_ptr() as usize % ALIGN,
                0,
                "column `{field}` is not {ALIGN}-byte aligned"
            );
            let expected = match field {
                Field::X | Field::Y | Field::Z => match col[..n].last() {
                    Some(&v) if v.is_finite() => v,
                    _ => 0.0,
                },
                Field::Px | Field::Py | Field::Pz => PAD_MOMENTUM,
                Field::Mass => PAD_MASS,
                Field::Charge => PAD_CHARGE,
            };
            for (k, &v) in col[n..].iter().enumerate() {
                assert!(
                    v.to_bits() == expected.to_bits(),
                    "column `{field}`: padded entry {} is {v}, expected {expected}",
                    n + k
                );
            }
        }
    }
}
