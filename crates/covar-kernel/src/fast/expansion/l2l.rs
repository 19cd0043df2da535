//! L2L: a parent's local expansion re-expanded about a child's center.

use super::{Frame, Operators, check_frame};

impl Operators {
    /// Adds the local expansion about `child` of the local expansion
    /// `l_parent` about `parent` into `l_child` (all channels).
    ///
    /// Exact for the truncated expansion (the same polynomial, re-centered):
    /// L2P of the result equals L2P of `l_parent` to round-off. `O(nd p^3)`
    /// by rotation; when the centers coincide only the scale changes.
    ///
    /// # Panics
    ///
    /// If a frame is invalid or a slice is not
    /// [`expansion_len`](Self::expansion_len) long.
    pub fn l2l(&mut self, parent: Frame, l_parent: &[f64], child: Frame, l_child: &mut [f64]) {
        check_frame("l2l parent", parent);
        check_frame("l2l child", child);
        self.check_len("l2l parent", l_parent);
        self.check_len("l2l child", l_child);
        self.recenter(child, parent, l_parent, l_child, false);
    }
}
