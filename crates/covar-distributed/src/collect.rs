//! Per-particle results of all ranks put together, in id order.

use crate::comm::Comm;

/// Assembles every rank's rows into rows over all particles, in id order,
/// on every rank. `rows` holds `k` rows (channel-major: row `c` is
/// `rows[c * m .. (c + 1) * m]`) over this rank's `m = ids.len()`
/// particles; the result holds `k` rows over all `N` particles, particle
/// `i` being the one with the `i`-th smallest id. Collective; every rank
/// passes the same `k`.
///
/// # Panics
///
/// If `rows.len()` is not a multiple of `ids.len()` (for `ids` not empty).
///
/// # Examples
///
/// ```
/// use covar_distributed::{Single, all_in_id_order};
/// // Particles 5 and 2, two rows each.
/// let all = all_in_id_order(&Single, &[5, 2], &[50.0, 20.0, 51.0, 21.0]);
/// assert_eq!(all, [20.0, 50.0, 21.0, 51.0]);
/// ```
pub fn all_in_id_order(comm: &impl Comm, ids: &[u64], rows: &[f64]) -> Vec<f64> {
    let m = ids.len();
    assert!(
        m == 0 && rows.is_empty() || m > 0 && rows.len().is_multiple_of(m),
        "rows of {m} particles"
    );
    let (all_ids, id_counts) = comm.gather_u64(ids);
    let (values, value_counts) = comm.gather_f64(rows);
    let n = all_ids.len();
    let mut order: Vec<(u64, usize)> = all_ids.iter().copied().zip(0..).collect();
    order.sort_unstable();
    let mut to_global = vec![0; n];
    for (global, &(_, gathered)) in order.iter().enumerate() {
        to_global[gathered] = global;
    }
    let k = id_counts
        .iter()
        .zip(&value_counts)
        .find(|(ids, _)| **ids > 0)
        .map_or(0, |(ids, values)| values / ids);
    let mut out = vec![0.0; k * n];
    let (mut at, mut first) = (0, 0);
    for (&mr, &count) in id_counts.iter().zip(&value_counts) {
        for (c, row) in values[at..at + count].chunks_exact(mr.max(1)).enumerate() {
            for (j, &v) in row.iter().enumerate() {
                out[c * n + to_global[first + j]] = v;
            }
        }
        at += count;
        first += mr;
    }
    out
}
