//! M2M: a child's multipole expansion re-expanded about its parent's center.

use super::{Frame, Operators, check_frame};

impl Operators {
    /// Adds the multipole expansion about `parent` of the multipole
    /// expansion `m_child` about `child` into `m_parent` (all channels).
    ///
    /// Exact for the truncated expansion: `P2M` at the child then `m2m`
    /// equals `P2M` at the parent to round-off. `O(nd p^3)` by rotation; when
    /// the centers coincide only the scale changes.
    ///
    /// # Panics
    ///
    /// If a frame is invalid or a slice is not
    /// [`expansion_len`](Self::expansion_len) long.
    pub fn m2m(&mut self, child: Frame, m_child: &[f64], parent: Frame, m_parent: &mut [f64]) {
        check_frame("m2m child", child);
        check_frame("m2m parent", parent);
        self.check_len("m2m child", m_child);
        self.check_len("m2m parent", m_parent);
        self.recenter(child, parent, m_child, m_parent, true);
    }
}
