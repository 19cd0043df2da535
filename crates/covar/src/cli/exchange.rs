//! What a run or an evaluation over MPI ranks exchanged, and how long each
//! rank worked: the part of the reports of `covar fields` and `covar run`
//! under `mpirun`.

use std::fmt;

use serde::Serialize;

/// A sum split among MPI ranks, per evaluation (the mean over the warm-up
/// and timed evaluations): rank 0 broadcasts the problem, every rank sums
/// its share of the targets, rank 0 collects the sums.
#[derive(Clone, Debug, Serialize)]
pub struct ExchangeReport {
    /// Bytes broadcast by rank 0 (the problem).
    pub bytes_out: f64,
    /// Bytes collected by rank 0 (the shares of the sums).
    pub bytes_in: f64,
    /// Seconds rank 0 spent broadcasting.
    pub broadcast_seconds: f64,
    /// Seconds from the end of rank 0's share to the last share received:
    /// waiting for the slowest rank, then the transfer.
    pub collect_seconds: f64,
    /// Seconds each rank spent summing its share, rank 0 first.
    pub compute_seconds: Vec<f64>,
    /// The slowest rank's compute seconds over the mean.
    pub imbalance: f64,
    /// Evaluations whose shares were cut anew from the measured times
    /// (after one whose imbalance passed `covar_distributed::REBALANCE_ABOVE`).
    pub rebalances: u64,
}

impl ExchangeReport {
    /// Writes the report as two lines, indented by two spaces and labelled
    /// as the reports of `covar fields` and `covar run` label theirs (a
    /// label column `width` wide).
    pub fn write_lines(&self, f: &mut impl fmt::Write, width: usize) -> fmt::Result {
        writeln!(
            f,
            "  {:<width$} per evaluation: {:.3} MB broadcast in {:.4} s, {:.3} MB collected in \
             {:.4} s (with the wait for the slowest rank)",
            "exchange",
            self.bytes_out / 1e6,
            self.broadcast_seconds,
            self.bytes_in / 1e6,
            self.collect_seconds
        )?;
        let compute: Vec<String> = self
            .compute_seconds
            .iter()
            .map(|s| format!("{s:.4}"))
            .collect();
        writeln!(
            f,
            "  {:<width$} compute s per evaluation: {} (slowest / mean {:.3}; shares recut \
             {} times)",
            "ranks",
            compute.join(" "),
            self.imbalance,
            self.rebalances
        )
    }
}
