//! The inputs and outputs of one Laplace sum, as plain slices.

use crate::softening::Softening;

/// Points in 3-D as three coordinate columns of equal length.
///
/// # Examples
///
/// ```
/// use covar_kernel::Points;
/// let (x, y, z) = ([0.0, 1.0], [0.0, 0.0], [0.0, 0.0]);
/// let p = Points::new(&x, &y, &z);
/// assert_eq!(p.x.len(), 2);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Points<'a> {
    /// x coordinates.
    pub x: &'a [f64],
    /// y coordinates.
    pub y: &'a [f64],
    /// z coordinates.
    pub z: &'a [f64],
}

impl<'a> Points<'a> {
    /// Bundles three coordinate columns (their lengths are checked at evaluation).
    pub fn new(x: &'a [f64], y: &'a [f64], z: &'a [f64]) -> Self {
        Self { x, y, z }
    }
}

/// Source points carrying `nd` channels of values.
///
/// `channels` is channel-major: value `c` of source `j` is
/// `channels[c * n + j]`, with `n = points.x.len()`.
#[derive(Clone, Copy, Debug)]
pub struct Sources<'a> {
    /// Source positions.
    pub points: Points<'a>,
    /// Channel values, `nd * n` of them, channel-major.
    pub channels: &'a [f64],
    /// Number of channels.
    pub nd: usize,
}

/// Where the sums are evaluated.
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a> {
    /// At the sources themselves; the self term `j == i` is excluded.
    Sources,
    /// At separate points; every source contributes (no exclusion).
    Points(Points<'a>),
    /// At some of the sources: target `i` is source `index[i]` (indices
    /// strictly increasing), placed at `points[i]`, which must be that
    /// source's position, and skips itself. Each target's sums are the ones
    /// [`Targets::Sources`] gives it, bit for bit on every backend (with the
    /// same parameters and instruction set): a process that owns some of
    /// the sources sums over all of them for its own. The fast backend
    /// then traverses only the part of the tree holding the subset.
    SourceSubset {
        /// The targets' positions (equal to their sources').
        points: Points<'a>,
        /// Which source each target is, strictly increasing.
        index: &'a [usize],
    },
}

/// One Laplace-sum problem: for every target `t` and channel `c`
///
/// ```text
/// Phi^c(t)      =  sum_j s^c_j G(t, r_j)
/// grad Phi^c(t) =  sum_j s^c_j (r_j - t) F(|t - r_j|)
/// ```
///
/// with `G` the softened `1/r` of [`Softening`] (Plummer's
/// `(|t - r|^2 + s^2)^(-1/2)` for a bare length), `F = -G'(r) / r`, and
/// `j == t` excluded when the targets are the sources.
#[derive(Clone, Copy, Debug)]
pub struct Problem<'a> {
    /// The sources and their channel values.
    pub sources: Sources<'a>,
    /// Where to evaluate.
    pub targets: Targets<'a>,
    /// Softening kernel and length `s >= 0` (`0` is the exact 1/r kernel).
    pub softening: Softening,
}

impl<'a> Problem<'a> {
    /// A problem evaluated at the sources themselves (self term excluded).
    /// `softening` is a [`Softening`] or a bare Plummer length.
    pub fn at_sources(
        points: Points<'a>,
        channels: &'a [f64],
        nd: usize,
        softening: impl Into<Softening>,
    ) -> Self {
        Self {
            sources: Sources {
                points,
                channels,
                nd,
            },
            targets: Targets::Sources,
            softening: softening.into(),
        }
    }

    /// A problem evaluated at separate target points.
    pub fn at_points(
        sources: Points<'a>,
        channels: &'a [f64],
        nd: usize,
        targets: Points<'a>,
        softening: impl Into<Softening>,
    ) -> Self {
        Self {
            sources: Sources {
                points: sources,
                channels,
                nd,
            },
            targets: Targets::Points(targets),
            softening: softening.into(),
        }
    }

    /// A problem evaluated at the sources listed in `index` (strictly
    /// increasing), whose positions `targets` repeats; each skips itself
    /// ([`Targets::SourceSubset`]).
    pub fn at_source_subset(
        sources: Points<'a>,
        channels: &'a [f64],
        nd: usize,
        targets: Points<'a>,
        index: &'a [usize],
        softening: impl Into<Softening>,
    ) -> Self {
        Self {
            sources: Sources {
                points: sources,
                channels,
                nd,
            },
            targets: Targets::SourceSubset {
                points: targets,
                index,
            },
            softening: softening.into(),
        }
    }

    /// Number of sources (the length of the x column).
    pub fn n_sources(&self) -> usize {
        self.sources.points.x.len()
    }

    /// Number of targets.
    pub fn n_targets(&self) -> usize {
        match self.targets {
            Targets::Sources => self.n_sources(),
            Targets::Points(p) | Targets::SourceSubset { points: p, .. } => p.x.len(),
        }
    }

    /// Target positions (the source positions in [`Targets::Sources`] mode).
    pub fn target_points(&self) -> Points<'a> {
        match self.targets {
            Targets::Sources => self.sources.points,
            Targets::Points(p) | Targets::SourceSubset { points: p, .. } => p,
        }
    }

    /// Whether the targets are all the sources, in order (self term excluded).
    pub fn targets_are_sources(&self) -> bool {
        matches!(self.targets, Targets::Sources)
    }

    /// Which source each target is, if the targets are sources (whose self
    /// term is then excluded).
    pub fn selves(&self) -> Selves<'a> {
        match self.targets {
            Targets::Sources => Selves::All,
            Targets::Points(_) => Selves::None,
            Targets::SourceSubset { index, .. } => Selves::Listed(index),
        }
    }
}

/// Which source, if any, each target is (and skips).
#[derive(Clone, Copy, Debug)]
pub enum Selves<'a> {
    /// Targets are separate points.
    None,
    /// Target `i` is source `i`.
    All,
    /// Target `i` is source `index[i]`.
    Listed(&'a [usize]),
}

impl Selves<'_> {
    /// The source that target `i` is, if any.
    #[inline]
    pub fn of(&self, i: usize) -> Option<usize> {
        match self {
            Selves::None => None,
            Selves::All => Some(i),
            Selves::Listed(index) => Some(index[i]),
        }
    }

    /// Whether targets skip themselves among the sources.
    pub fn any(&self) -> bool {
        !matches!(self, Selves::None)
    }
}

/// Caller-provided output buffers.
///
/// `potential[c * nt + i]` receives `Phi^c` at target `i`; if present,
/// `gradient[(3 * c + d) * nt + i]` receives component `d` (x, y, z) of
/// `grad Phi^c`. Both are overwritten, never accumulated into.
#[derive(Debug)]
pub struct Outputs<'a> {
    /// `nd * nt` potentials, channel-major.
    pub potential: &'a mut [f64],
    /// `3 * nd * nt` gradient components, or `None` for potentials only.
    pub gradient: Option<&'a mut [f64]>,
}

impl<'a> Outputs<'a> {
    /// Potentials only.
    pub fn potential(potential: &'a mut [f64]) -> Self {
        Self {
            potential,
            gradient: None,
        }
    }

    /// Potentials and gradients.
    pub fn with_gradient(potential: &'a mut [f64], gradient: &'a mut [f64]) -> Self {
        Self {
            potential,
            gradient: Some(gradient),
        }
    }

    /// Reborrows the buffers (to pass them on without giving them up).
    pub fn reborrow(&mut self) -> Outputs<'_> {
        Outputs {
            potential: self.potential,
            gradient: self.gradient.as_deref_mut(),
        }
    }
}
