//! Reordering the particles of a store.

use rayon::prelude::*;

use crate::column::AlignedVec;
use crate::{ParticleStore, StoreError};

impl ParticleStore {
    /// Reorders the particles so that the particle now at index `k` is the
    /// one that was at index `perm[k]`. Every column moves, ids included.
    ///
    /// The inverse permutation (`inv[perm[k]] = k`) undoes it.
    ///
    /// # Errors
    ///
    /// [`StoreError::LengthMismatch`] if `perm.len() != len()`,
    /// [`StoreError::NotAPermutation`] if an entry is out of range or repeated.
    /// The store is unchanged on error.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::ic::UniformCube;
    /// let mut store = UniformCube::new(3, 4).generate()?;
    /// let x0 = store.x().to_vec();
    /// store.permute(&[2, 0, 1])?;
    /// assert_eq!(store.ids(), &[2, 0, 1]);
    /// assert_eq!(store.x(), &[x0[2], x0[0], x0[1]]);
    /// # Ok::<(), covar_store::StoreError>(())
    /// ```
    pub fn permute(&mut self, perm: &[usize]) -> Result<(), StoreError> {
        let n = self.len;
        if perm.len() != n {
            return Err(StoreError::LengthMismatch {
                what: "permutation",
                expected: n,
                got: perm.len(),
            });
        }
        let mut seen = vec![false; n];
        for (position, &value) in perm.iter().enumerate() {
            match seen.get_mut(value) {
                Some(s) if !*s => *s = true,
                _ => {
                    return Err(StoreError::NotAPermutation {
                        len: n,
                        position,
                        value,
                    });
                }
            }
        }
        self.permute_unchecked(perm);
        Ok(())
    }

    /// [`permute`](Self::permute) for a `perm` known to be a permutation of
    /// `0..len()`. Columns are gathered in parallel, one task per column.
    pub(crate) fn permute_unchecked(&mut self, perm: &[usize]) {
        debug_assert_eq!(perm.len(), self.len, "permutation length");
        self.cols
            .as_mut_slice()
            .par_iter_mut()
            .for_each(|col| gather(col, perm));
        gather(&mut self.ids, perm);
        self.refresh_position_padding();
    }
}

/// `col[k] = old_col[perm[k]]` for the real entries; padding copied as is.
fn gather<T: Copy>(col: &mut AlignedVec<T>, perm: &[usize]) {
    let n = perm.len();
    let old = &col[..];
    let new = AlignedVec::from_iter(
        crate::column::ALIGN,
        perm.iter().map(|&j| old[j]).chain(old[n..].iter().copied()),
    );
    *col = new;
}
