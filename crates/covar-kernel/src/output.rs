//! Output rows written by many threads, each for its own targets.

use std::marker::PhantomData;

/// Write access to the output rows for disjoint target ranges from many threads.
pub(crate) struct OutWriter<'a> {
    potential: *mut f64,
    gradient: *mut f64,
    has_gradient: bool,
    nd: usize,
    nt: usize,
    /// Where target `i` goes (`order[i]`), if not to `i`.
    order: Option<&'a [u32]>,
    _borrow: PhantomData<&'a mut [f64]>,
}

// SAFETY: the writer is only used through `write`, whose contract requires
// that concurrent calls touch disjoint target ranges.
unsafe impl Send for OutWriter<'_> {}
// SAFETY: as above.
unsafe impl Sync for OutWriter<'_> {}

impl<'a> OutWriter<'a> {
    /// Wraps validated output buffers (`potential`: `nd * nt`,
    /// `gradient`: `3 * nd * nt`).
    pub(crate) fn new(
        potential: &'a mut [f64],
        gradient: Option<&'a mut [f64]>,
        nd: usize,
        nt: usize,
    ) -> Self {
        assert_eq!(potential.len(), nd * nt);
        let has_gradient = gradient.is_some();
        let gradient = match gradient {
            Some(g) => {
                assert_eq!(g.len(), 3 * nd * nt);
                g.as_mut_ptr()
            }
            None => std::ptr::null_mut(),
        };
        Self {
            potential: potential.as_mut_ptr(),
            gradient,
            has_gradient,
            nd,
            nt,
            order: None,
            _borrow: PhantomData,
        }
    }

    /// As [`new`](Self::new), but target `i` of every write goes to
    /// position `order[i]` of its row: results computed in a sorted order
    /// land in the caller's order without a sorted copy of the outputs.
    /// `order` must be a permutation of `0..nt`.
    pub(crate) fn permuted(
        potential: &'a mut [f64],
        gradient: Option<&'a mut [f64]>,
        nd: usize,
        nt: usize,
        order: &'a [u32],
    ) -> Self {
        assert_eq!(order.len(), nt);
        Self {
            order: Some(order),
            ..Self::new(potential, gradient, nd, nt)
        }
    }

    pub(crate) fn has_gradient(&self) -> bool {
        self.has_gradient
    }

    /// Copies `values` into row `row` of the potential (`gradient == false`,
    /// `row < nd`) or gradient (`row < 3 nd`) output, from target `i0` on.
    ///
    /// # Safety
    ///
    /// No other thread may access targets `i0 .. i0 + values.len()` of any row
    /// while this runs.
    pub(crate) unsafe fn write(&self, gradient: bool, row: usize, i0: usize, values: &[f64]) {
        let (base, rows) = if gradient {
            assert!(self.has_gradient);
            (self.gradient, 3 * self.nd)
        } else {
            (self.potential, self.nd)
        };
        assert!(row < rows && i0 + values.len() <= self.nt);
        match self.order {
            // SAFETY: in bounds by the assert above; the buffer is borrowed
            // mutably for 'a; disjointness of concurrent writes is the
            // caller's contract.
            None => unsafe {
                std::ptr::copy_nonoverlapping(
                    values.as_ptr(),
                    base.add(row * self.nt + i0),
                    values.len(),
                );
            },
            Some(order) => {
                let row = row * self.nt;
                for (v, &k) in values.iter().zip(&order[i0..i0 + values.len()]) {
                    let k = k as usize;
                    assert!(k < self.nt);
                    // SAFETY: `k < nt` (checked); `order` is a permutation,
                    // so targets of disjoint sorted ranges are disjoint.
                    unsafe { *base.add(row + k) = *v };
                }
            }
        }
    }
}
