//! Regression: targets past the end of a source tile.
//!
//! Bug: with the targets at the sources, a target vector lying beyond the
//! current source tile (target index > tile end, first possible for
//! N > 4096 + 8) computed its diagonal lane offset as `tile_end - first`,
//! which underflows. Release builds wrapped and never used the value (the
//! diagonal range was empty); builds with overflow checks panicked.
//! Fix: the offset is computed only for a non-empty diagonal range.

mod common;

use common::{Case, assert_close_scaled};
use covar_kernel::{Direct, Naive};

#[test]
fn targets_beyond_the_first_source_tile() {
    let case = Case::random(31, 2 * 4096 + 100, 1, None, 0.0);
    let (pot_ref, grad_ref) = case.eval(&Naive::new());
    let (pa, ga) = case.absolute_sums();
    for isa in common::isas() {
        let (pot, grad) = case.eval(&Direct::with_isa(isa).unwrap());
        assert_close_scaled(&format!("{isa} potential"), &pot, &pot_ref, &pa, 1e-13);
        assert_close_scaled(&format!("{isa} gradient"), &grad, &grad_ref, &ga, 1e-13);
    }
}
