//! Output rows written by many threads, each for its own targets.

use std::marker::PhantomData;

/// An entry of a [`OutWriter::permuted`] order: the point is computed but
/// not written (it is no target).
pub(crate) const DROPPED: u32 = u32::MAX;

/// Write access to the output rows for disjoint target ranges from many threads.
pub(crate) struct OutWriter<'a> {
    potential: *mut f64,
    gradient: *mut f64,
    has_gradient: bool,
    nd: usize,
    nt: usize,
    /// Where computed point `i` goes (`order[i]`, nowhere if
    /// [`DROPPED`]), if not to `i`.
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

    /// As [`new`](Self::new), but point `i` of every write goes to
    /// position `order[i]` of its row, or nowhere if `order[i]` is
    /// [`DROPPED`]: results computed in a sorted order land in the caller's
    /// order without a sorted copy of the outputs, and points computed
    /// alongside the targets are dropped. The entries of `order` other than
    /// [`DROPPED`] must be distinct and below `nt` (a permutation of
    /// `0..nt` when every point is a target).
    pub(crate) fn permuted(
        potential: &'a mut [f64],
        gradient: Option<&'a mut [f64]>,
        nd: usize,
        nt: usize,
        order: &'a [u32],
    ) -> Self {
        Self {
            order: Some(order),
            ..Self::new(potential, gradient, nd, nt)
        }
    }

    pub(crate) fn has_gradient(&self) -> bool {
        self.has_gradient
    }

    /// Copies `values` into row `row` of the potential (`gradient == false`,
    /// `row < nd`) or gradient (`row < 3 nd`) output, from point `i0` on.
    ///
    /// # Safety
    ///
    /// No other thread may access points `i0 .. i0 + values.len()` of any
    /// row while this runs.
    pub(crate) unsafe fn write(&self, gradient: bool, row: usize, i0: usize, values: &[f64]) {
        let (base, rows) = if gradient {
            assert!(self.has_gradient);
            (self.gradient, 3 * self.nd)
        } else {
            (self.potential, self.nd)
        };
        assert!(row < rows);
        match self.order {
            None => {
                assert!(i0 + values.len() <= self.nt);
                // SAFETY: in bounds by the assert above; the buffer is
                // borrowed mutably for 'a; disjointness of concurrent
                // writes is the caller's contract.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        values.as_ptr(),
                        base.add(row * self.nt + i0),
                        values.len(),
                    );
                }
            }
            Some(order) => {
                let row = row * self.nt;
                for (v, &k) in values.iter().zip(&order[i0..i0 + values.len()]) {
                    if k == DROPPED {
                        continue;
                    }
                    let k = k as usize;
                    assert!(k < self.nt);
                    // SAFETY: `k < nt` (checked); the entries of `order`
                    // are distinct, so disjoint point ranges write
                    // disjoint targets.
                    unsafe { *base.add(row + k) = *v };
                }
            }
        }
    }
}
