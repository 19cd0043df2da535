//! Streaming first and second moments of binary variables, in one pass.
//!
//! Values are kept in the seed's spin convention, `b in {-1, +1}`. For
//! spins, `b_i b_j = 1 - 2 [b_i != b_j]`, so the second moments are counts
//! of disagreements. The [`Accumulator`] packs a chunk of up to
//! [`CHUNK_ROWS`] time steps as bits (one `u64` word per 64 steps and
//! variable), and when the chunk is full adds `popcount(a_i XOR a_j)` for
//! every pair `i < j`, in parallel over blocks of variables (rayon). The
//! counts are integers, so the result is exact and does not depend on the
//! thread count or the chunking.
//!
//! Memory: `M (M - 1) / 2` pair counters plus one chunk of `M *`
//! [`CHUNK_ROWS`]` / 8` bytes, whatever the number of time steps.

use rayon::prelude::*;

use crate::error::InferError;

/// Time steps buffered before the pair counts are updated.
pub const CHUNK_ROWS: usize = 4096;

/// Words (64 time steps each) per variable in a chunk.
const CHUNK_WORDS: usize = CHUNK_ROWS / 64;

/// Rows of the pair triangle handed to one rayon task at a time.
const BLOCK: usize = 8;

/// One-pass accumulator of the counts behind means and correlations.
///
/// # Examples
///
/// ```
/// use covar_infer::stats::Accumulator;
/// let mut acc = Accumulator::new(2)?;
/// for row in [[true, true], [false, false], [true, false], [true, true]] {
///     acc.push_row(&row)?;
/// }
/// let m = acc.finish();
/// assert_eq!(m.rows(), 4);
/// assert_eq!(m.mean(0), 0.5); // +1, -1, +1, +1
/// assert_eq!(m.second(0, 1), 0.5); // agree, agree, disagree, agree
/// # Ok::<(), covar_infer::InferError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Accumulator {
    m: usize,
    chunk: Vec<u64>,
    filled: usize,
    rows: u64,
    ones: Vec<u64>,
    disagree: Vec<u64>,
}

impl Accumulator {
    /// An accumulator for `m >= 1` variables.
    ///
    /// # Errors
    ///
    /// [`InferError::InvalidParameter`] for `m = 0`.
    pub fn new(m: usize) -> Result<Self, InferError> {
        if m == 0 {
            return Err(InferError::InvalidParameter {
                name: "variables",
                reason: "must be at least 1".into(),
            });
        }
        Ok(Self {
            m,
            chunk: vec![0; m * CHUNK_WORDS],
            filled: 0,
            rows: 0,
            ones: vec![0; m],
            disagree: vec![0; m * (m - 1) / 2],
        })
    }

    /// Number of variables.
    pub fn variables(&self) -> usize {
        self.m
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> u64 {
        self.rows + self.filled as u64
    }

    /// Adds one time step: `plus[j]` is whether variable `j` is `+1`.
    ///
    /// # Errors
    ///
    /// [`InferError::InvalidParameter`] if `plus` does not have one value
    /// per variable (readers report ragged rows before this).
    pub fn push_row(&mut self, plus: &[bool]) -> Result<(), InferError> {
        if plus.len() != self.m {
            return Err(InferError::InvalidParameter {
                name: "row",
                reason: format!("has {} values, expected {}", plus.len(), self.m),
            });
        }
        let (word, bit) = (self.filled / 64, self.filled % 64);
        for (j, _) in plus.iter().enumerate().filter(|(_, p)| **p) {
            self.chunk[j * CHUNK_WORDS + word] |= 1 << bit;
        }
        self.filled += 1;
        if self.filled == CHUNK_ROWS {
            self.flush();
        }
        Ok(())
    }

    /// Adds the buffered chunk to the counts (in parallel over variables).
    fn flush(&mut self) {
        if self.filled == 0 {
            return;
        }
        let (m, used) = (self.m, self.filled.div_ceil(64));
        let chunk = &self.chunk;
        let word = |i: usize| &chunk[i * CHUNK_WORDS..i * CHUNK_WORDS + used];
        // Row i of the strict upper triangle holds the pairs (i, i+1..m).
        let mut rows: Vec<(usize, &mut [u64])> = Vec::with_capacity(m);
        let mut rest = self.disagree.as_mut_slice();
        for i in 0..m {
            let (row, tail) = rest.split_at_mut(m - 1 - i);
            rows.push((i, row));
            rest = tail;
        }
        rows.par_chunks_mut(BLOCK).for_each(|block| {
            for (i, out) in block.iter_mut() {
                let a = word(*i);
                for (k, o) in out.iter_mut().enumerate() {
                    let b = word(*i + 1 + k);
                    *o += a
                        .iter()
                        .zip(b)
                        .map(|(x, y)| u64::from((x ^ y).count_ones()))
                        .sum::<u64>();
                }
            }
        });
        for (i, ones) in self.ones.iter_mut().enumerate() {
            *ones += word(i)
                .iter()
                .map(|x| u64::from(x.count_ones()))
                .sum::<u64>();
        }
        self.rows += self.filled as u64;
        self.filled = 0;
        self.chunk.fill(0);
    }

    /// Flushes the last chunk and returns the moments.
    pub fn finish(mut self) -> Moments {
        self.flush();
        Moments {
            m: self.m,
            rows: self.rows,
            ones: self.ones,
            disagree: self.disagree,
        }
    }
}

/// Exact counts of `T` time steps of `M` spins, and the means, second
/// moments, covariances and correlations they give.
///
/// Covariances are population covariances (divided by `T`), the moments of
/// the empirical distribution, which is what the seed's loss averages over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moments {
    m: usize,
    rows: u64,
    ones: Vec<u64>,
    disagree: Vec<u64>,
}

impl Moments {
    /// Number of variables `M`.
    pub fn variables(&self) -> usize {
        self.m
    }

    /// Number of time steps `T`.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// How many time steps variable `i` was `+1`.
    pub fn plus_count(&self, i: usize) -> u64 {
        self.ones[i]
    }

    /// Index of the pair `i < j` in the packed strict upper triangle.
    fn pair(&self, i: usize, j: usize) -> usize {
        i * (2 * self.m - i - 1) / 2 + (j - i - 1)
    }

    /// How many time steps variables `i` and `j` differed (0 for `i = j`).
    pub fn disagreements(&self, i: usize, j: usize) -> u64 {
        match i.cmp(&j) {
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Less => self.disagree[self.pair(i, j)],
            std::cmp::Ordering::Greater => self.disagree[self.pair(j, i)],
        }
    }

    /// `E[b_i]`, in `[-1, 1]` (`NaN` without rows).
    pub fn mean(&self, i: usize) -> f64 {
        (2.0 * self.ones[i] as f64 - self.rows as f64) / self.rows as f64
    }

    /// `E[b_i b_j]` (1 for `i = j`).
    pub fn second(&self, i: usize, j: usize) -> f64 {
        1.0 - 2.0 * self.disagreements(i, j) as f64 / self.rows as f64
    }

    /// `Cov(b_i, b_j) = E[b_i b_j] - E[b_i] E[b_j]`.
    pub fn covariance(&self, i: usize, j: usize) -> f64 {
        self.second(i, j) - self.mean(i) * self.mean(j)
    }

    /// The correlation coefficient of `b_i` and `b_j` (`NaN` if either is
    /// constant; [`first_constant`](Self::first_constant) finds those).
    pub fn correlation(&self, i: usize, j: usize) -> f64 {
        if i == j {
            return 1.0;
        }
        let (vi, vj) = (self.covariance(i, i), self.covariance(j, j));
        self.covariance(i, j) / (vi * vj).sqrt()
    }

    /// The first variable that has the same value at every time step, with
    /// that value (`-1` or `+1`).
    pub fn first_constant(&self) -> Option<(usize, i8)> {
        self.ones.iter().enumerate().find_map(|(i, &c)| {
            if c == 0 {
                Some((i, -1))
            } else if c == self.rows {
                Some((i, 1))
            } else {
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunk boundaries and the parallel update change nothing: the counts
    /// equal a plain double loop over the rows.
    #[test]
    fn counts_match_a_plain_loop_across_chunks() {
        let (m, t) = (13, 2 * CHUNK_ROWS + 77);
        let mut state = 12345u64;
        let mut rows = Vec::new();
        for _ in 0..t {
            let row: Vec<bool> = (0..m)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    state >> 63 == 1
                })
                .collect();
            rows.push(row);
        }
        let mut acc = Accumulator::new(m).unwrap();
        for r in &rows {
            acc.push_row(r).unwrap();
        }
        let mom = acc.finish();
        assert_eq!(mom.rows(), t as u64);
        for i in 0..m {
            let ones = rows.iter().filter(|r| r[i]).count() as u64;
            assert_eq!(mom.plus_count(i), ones, "variable {i}");
            for j in 0..m {
                let d = rows.iter().filter(|r| r[i] != r[j]).count() as u64;
                assert_eq!(mom.disagreements(i, j), d, "pair ({i}, {j})");
            }
        }
    }

    #[test]
    fn a_row_of_the_wrong_length_is_an_error() {
        let mut acc = Accumulator::new(3).unwrap();
        let e = acc.push_row(&[true, false]).unwrap_err().to_string();
        assert!(e.contains("has 2 values, expected 3"), "{e}");
        assert!(Accumulator::new(0).is_err());
    }
}
