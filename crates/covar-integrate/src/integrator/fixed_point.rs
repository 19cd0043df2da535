//! The stopping rule of the implicit methods' fixed-point iterations.
//!
//! An iteration stops when its relative change is at most the tolerance,
//! or when the change has stopped shrinking while already within a factor
//! 1000 of the tolerance (the round-off floor: with `tolerance` near
//! `f64::EPSILON` the iterates can wander by a few ulps forever), or at the
//! iteration cap, which the step reports in
//! [`StepInfo::hit_iteration_cap`](super::StepInfo::hit_iteration_cap).

/// The normwise relative change of one iteration, positions and momenta
/// measured separately:
///
/// ```text
/// change = max( max|delta r| / max|r|,  max|delta P| / max|P| )
/// ```
///
/// Normwise rather than componentwise: a momentum component that is zero
/// up to the round-off of a cancelling force sum would otherwise never
/// converge relative to itself.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Change {
    delta: [f64; 2],
    size: [f64; 2],
}

/// Index of the position group in [`Change`].
pub(crate) const POSITIONS: usize = 0;
/// Index of the momentum group in [`Change`].
pub(crate) const MOMENTA: usize = 1;

impl Change {
    /// Records a change of `delta` (signed) of an unknown of magnitude
    /// `size` in `group` ([`POSITIONS`] or [`MOMENTA`]).
    #[inline]
    pub(crate) fn add(&mut self, group: usize, delta: f64, size: f64) {
        self.delta[group] = self.delta[group].max(delta.abs());
        self.size[group] = self.size[group].max(size.abs());
    }

    /// The group of a column of a [`PhaseBuf`](crate::PhaseBuf) in
    /// `columns()` order (three position columns, then three momentum
    /// columns).
    #[inline]
    pub(crate) fn group_of_column(column: usize) -> usize {
        if column < 3 { POSITIONS } else { MOMENTA }
    }

    /// The relative change.
    pub(crate) fn relative(&self) -> f64 {
        (0..2)
            .map(|g| {
                if self.delta[g] == 0.0 {
                    0.0
                } else {
                    self.delta[g] / self.size[g].max(f64::MIN_POSITIVE)
                }
            })
            .fold(0.0, f64::max)
    }
}

/// Whether to stop after an iteration that changed the unknowns by
/// `change`, the previous one having changed them by `last_change`
/// (`f64::INFINITY` after the first).
#[inline]
pub(crate) fn converged(change: f64, last_change: f64, tolerance: f64) -> bool {
    change <= tolerance || (change >= last_change && change <= 1e3 * tolerance)
}

/// Default relative tolerance of the fixed-point iterations.
pub(crate) const DEFAULT_TOLERANCE: f64 = 4.0 * f64::EPSILON;

/// Default iteration cap.
pub(crate) const DEFAULT_MAX_ITERATIONS: usize = 100;
