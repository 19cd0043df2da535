//! Read-only column slices for kernels: real length and padded.

use crate::{Field, ParticleStore};

macro_rules! real_slices {
    ($($(#[$doc:meta])* $name:ident => $field:ident,)*) => {
        impl ParticleStore {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $name(&self) -> &[f64] {
                    self.column(Field::$field)
                }
            )*
        }
    };
}

real_slices! {
    /// Real x coordinates (exactly `len()` entries).
    x => X,
    /// Real y coordinates (exactly `len()` entries).
    y => Y,
    /// Real z coordinates (exactly `len()` entries).
    z => Z,
    /// Real x momenta (exactly `len()` entries).
    px => Px,
    /// Real y momenta (exactly `len()` entries).
    py => Py,
    /// Real z momenta (exactly `len()` entries).
    pz => Pz,
    /// Real masses (exactly `len()` entries).
    masses => Mass,
    /// Real charges (exactly `len()` entries).
    charges => Charge,
}

macro_rules! padded_slices {
    ($($(#[$doc:meta])* $name:ident => $field:ident,)*) => {
        impl ParticleStore {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $name(&self) -> &[f64] {
                    self.padded(Field::$field)
                }
            )*
        }
    };
}

padded_slices! {
    /// Padded, 64-byte aligned x column (`padded_len()` entries).
    padded_x => X,
    /// Padded, 64-byte aligned y column (`padded_len()` entries).
    padded_y => Y,
    /// Padded, 64-byte aligned z column (`padded_len()` entries).
    padded_z => Z,
    /// Padded, 64-byte aligned px column (`padded_len()` entries).
    padded_px => Px,
    /// Padded, 64-byte aligned py column (`padded_len()` entries).
    padded_py => Py,
    /// Padded, 64-byte aligned pz column (`padded_len()` entries).
    padded_pz => Pz,
    /// Padded, 64-byte aligned mass column (`padded_len()` entries).
    padded_masses => Mass,
    /// Padded, 64-byte aligned charge column (`padded_len()` entries).
    padded_charges => Charge,
}

impl ParticleStore {
    /// The real entries (exactly `len()`) of one column.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::{Field, ic::UniformCube};
    /// let store = UniformCube::new(5, 1).generate()?;
    /// assert_eq!(store.column(Field::Mass), &[0.2; 5]);
    /// # Ok::<(), covar_store::StoreError>(())
    /// ```
    #[must_use]
    pub fn column(&self, field: Field) -> &[f64] {
        &self.cols[field.index()][..self.len]
    }

    /// The full padded column: `padded_len()` entries (a multiple of
    /// [`LANES`](crate::LANES)), the first 64-byte aligned; entries past
    /// `len()` hold the padding values of the [`column`](mod@crate::column) module.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::{Field, LANES, ic::UniformCube};
    /// let store = UniformCube::new(5, 1).generate()?;
    /// let m = store.padded(Field::Mass);
    /// assert_eq!(m.len(), LANES);
    /// assert_eq!(m[5..], [1.0; 3]); // padded masses are 1
    /// assert_eq!(m.as_ptr() as usize % 64, 0);
    /// # Ok::<(), covar_store::StoreError>(())
    /// ```
    #[must_use]
    pub fn padded(&self, field: Field) -> &[f64] {
        &self.cols[field.index()]
    }

    /// Real particle ids (exactly `len()` entries).
    #[must_use]
    pub fn ids(&self) -> &[u64] {
        &self.ids[..self.len]
    }

    /// Padded, 64-byte aligned id column; padded entries are
    /// [`PAD_ID`](crate::column::PAD_ID).
    #[must_use]
    pub fn padded_ids(&self) -> &[u64] {
        &self.ids
    }
}
