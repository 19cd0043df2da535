//! A bit-exact fingerprint of a store, for golden tests.

use crate::{Field, ParticleStore};

/// FNV-1a 64-bit offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl ParticleStore {
    /// A 64-bit FNV-1a hash of the exact bits of the store's real data: the
    /// particle count, then each column in [`Field::ALL`] order (each value's
    /// `to_bits()` as 8 little-endian bytes), then the ids. Padding is not
    /// included.
    ///
    /// Equal stores (bit for bit) have equal fingerprints; any change of a
    /// single bit almost surely changes it. Tests compare it against a
    /// hard-coded constant to catch silent numerical drift in the generators.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::ic::UniformCube;
    /// let a = UniformCube::new(100, 1).generate()?;
    /// let b = UniformCube::new(100, 1).generate()?;
    /// let c = UniformCube::new(100, 2).generate()?;
    /// assert_eq!(a.fingerprint(), b.fingerprint());
    /// assert_ne!(a.fingerprint(), c.fingerprint());
    /// # Ok::<(), covar_store::StoreError>(())
    /// ```
    #[must_use]
    pub fn fingerprint(&self) -> u64 {
        let mut h = Fnv1a(FNV_OFFSET);
        h.write_u64(self.len as u64);
        for field in Field::ALL {
            for v in self.column(field) {
                h.write_u64(v.to_bits());
            }
        }
        for &id in self.ids() {
            h.write_u64(id);
        }
        h.0
    }
}

/// FNV-1a state.
struct Fnv1a(u64);

impl Fnv1a {
    fn write_u64(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }
}
