//! A phase-space point as plain columns: positions and canonical momenta.

/// Borrowed positions `r` and canonical momenta `P`, each as x, y, z columns.
#[derive(Clone, Copy, Debug)]
pub struct Phase<'a> {
    /// Positions, `r[d][i]`.
    pub r: [&'a [f64]; 3],
    /// Canonical momenta, `p[d][i]`.
    pub p: [&'a [f64]; 3],
}

/// Owned phase-space columns, for trial states of implicit methods and for
/// derivative buffers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhaseBuf {
    /// Positions (or their rates), `r[d][i]`.
    pub r: [Vec<f64>; 3],
    /// Momenta (or their rates), `p[d][i]`.
    pub p: [Vec<f64>; 3],
}

impl PhaseBuf {
    /// Zeroed columns for `n` particles.
    pub fn zeros(n: usize) -> Self {
        Self {
            r: std::array::from_fn(|_| vec![0.0; n]),
            p: std::array::from_fn(|_| vec![0.0; n]),
        }
    }

    /// Number of particles.
    pub fn len(&self) -> usize {
        self.r[0].len()
    }

    /// Whether there are no particles.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Resizes every column to `n` (new entries zero).
    pub fn resize(&mut self, n: usize) {
        for c in self.r.iter_mut().chain(self.p.iter_mut()) {
            c.resize(n, 0.0);
        }
    }

    /// Borrows the columns as a [`Phase`].
    pub fn as_phase(&self) -> Phase<'_> {
        Phase {
            r: [&self.r[0], &self.r[1], &self.r[2]],
            p: [&self.p[0], &self.p[1], &self.p[2]],
        }
    }

    /// The six columns, `r` then `P`.
    pub(crate) fn columns(&self) -> impl Iterator<Item = &[f64]> {
        self.r.iter().chain(self.p.iter()).map(Vec::as_slice)
    }

    /// The six columns, `r` then `P`, mutably.
    pub(crate) fn columns_mut(&mut self) -> impl Iterator<Item = &mut [f64]> {
        self.r
            .iter_mut()
            .chain(self.p.iter_mut())
            .map(Vec::as_mut_slice)
    }

    /// Copies `src` into `self` (same length).
    pub fn copy_from(&mut self, src: Phase<'_>) {
        for d in 0..3 {
            self.r[d].copy_from_slice(src.r[d]);
            self.p[d].copy_from_slice(src.p[d]);
        }
    }
}
