//! Moving per-point values between the caller's order and sorted order.

use std::sync::atomic::Ordering;

use rayon::prelude::*;

use super::{Tree, TreeError};

/// Values per parallel chunk.
const CHUNK: usize = 4096;

impl Tree<'_> {
    /// Puts `nd` channels of per-point values into sorted order:
    /// `out[c n + k] = values[c n + order[k]]` (channel-major, `n` points).
    ///
    /// Allocates nothing; runs on the current rayon pool.
    ///
    /// # Errors
    ///
    /// [`TreeError::LengthMismatch`] unless `values` and `out` both hold
    /// `nd * n` values.
    ///
    /// # Examples
    ///
    /// ```
    /// use bumpalo::Bump;
    /// use covar_kernel::Points;
    /// use covar_kernel::fast::tree::{Tree, TreeParams};
    ///
    /// let (x, y, z) = ([1.0, 0.0], [1.0, 0.0], [1.0, 0.0]);
    /// let bump = Bump::new();
    /// let tree = Tree::build(&bump, Points::new(&x, &y, &z), &TreeParams::default())?;
    /// assert_eq!(tree.order(), &[1, 0]); // (0, 0, 0) sorts first
    ///
    /// let charges = [10.0, 20.0, /* second channel: */ 1.0, 2.0];
    /// let mut sorted = [0.0; 4];
    /// tree.gather(&charges, 2, &mut sorted)?;
    /// assert_eq!(sorted, [20.0, 10.0, 2.0, 1.0]);
    ///
    /// let mut back = [0.0; 4];
    /// tree.scatter(&sorted, 2, &mut back)?;
    /// assert_eq!(back, charges);
    /// # Ok::<(), covar_kernel::fast::tree::TreeError>(())
    /// ```
    pub fn gather(&self, values: &[f64], nd: usize, out: &mut [f64]) -> Result<(), TreeError> {
        let n = self.len();
        check_len("values", nd.saturating_mul(n), values.len())?;
        check_len("out", nd.saturating_mul(n), out.len())?;
        if n == 0 {
            return Ok(());
        }
        for (src, dst) in values.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
            dst.par_chunks_mut(CHUNK)
                .zip(self.order.par_chunks(CHUNK))
                .for_each(|(dst, order)| {
                    for (d, &i) in dst.iter_mut().zip(order) {
                        *d = src[i as usize];
                    }
                });
        }
        Ok(())
    }

    /// Puts `nd` channels of per-point values in sorted order back into the
    /// caller's order: `out[c n + order[k]] = sorted[c n + k]` (the inverse of
    /// [`gather`](Self::gather)).
    ///
    /// Allocates nothing; runs on the current rayon pool.
    ///
    /// # Errors
    ///
    /// [`TreeError::LengthMismatch`] unless `sorted` and `out` both hold
    /// `nd * n` values.
    pub fn scatter(&self, sorted: &[f64], nd: usize, out: &mut [f64]) -> Result<(), TreeError> {
        let n = self.len();
        check_len("sorted", nd.saturating_mul(n), sorted.len())?;
        check_len("out", nd.saturating_mul(n), out.len())?;
        if n == 0 {
            return Ok(());
        }
        for (src, dst) in sorted.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
            dst.par_chunks_mut(CHUNK)
                .zip(self.rank.par_chunks(CHUNK))
                .for_each(|(dst, rank)| {
                    for (d, k) in dst.iter_mut().zip(rank) {
                        *d = src[k.load(Ordering::Relaxed) as usize];
                    }
                });
        }
        Ok(())
    }
}

/// `LengthMismatch` unless `got == expected`.
fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), TreeError> {
    if got == expected {
        Ok(())
    } else {
        Err(TreeError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}
