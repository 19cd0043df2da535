//! Input checks every backend runs before summing, and the diagnosis of a
//! non-finite result after it. Validate once at the boundary, then run the
//! loops unchecked.

use crate::error::{Field, KernelError, Role};
use crate::problem::{Outputs, Points, Problem, Targets};

/// Largest coordinate magnitude accepted: squared distances of points this far
/// apart (plus the softening squared) stay finite in f64.
pub const MAX_COORDINATE: f64 = 1e150;

/// Sizes of a validated problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    /// Number of sources.
    pub n_sources: usize,
    /// Number of targets.
    pub n_targets: usize,
    /// Number of channels.
    pub nd: usize,
}

/// Checks lengths, finiteness and ranges of a problem and its outputs.
///
/// # Errors
///
/// The first problem found, naming the array, index and field.
pub fn validate(problem: &Problem<'_>, out: &Outputs<'_>) -> Result<Dims, KernelError> {
    let nd = problem.sources.nd;
    if nd == 0 {
        return Err(KernelError::NoChannels);
    }
    let s = problem.softening.length;
    if !(0.0..=MAX_COORDINATE).contains(&s) {
        return Err(KernelError::InvalidSoftening { value: s });
    }
    let n = problem.n_sources();
    check_points(problem.sources.points, Role::Source)?;
    check_len("source channels", n * nd, problem.sources.channels.len())?;
    let nt = problem.n_targets();
    if !problem.targets_are_sources() {
        check_points(problem.target_points(), Role::Target)?;
    }
    if let Targets::SourceSubset { points, index } = problem.targets {
        check_subset(problem.sources.points, points, index)?;
    }
    check_len("potential output", nt * nd, out.potential.len())?;
    if let Some(g) = out.gradient.as_deref() {
        check_len("gradient output", 3 * nt * nd, g.len())?;
    }
    for (c, column) in problem.sources.channels.chunks_exact(n.max(1)).enumerate() {
        if let Some(j) = column.iter().position(|v| !v.is_finite()) {
            return Err(KernelError::NonFinite {
                role: Role::Source,
                index: j,
                field: Field::Channel(c),
                value: column[j],
            });
        }
    }
    Ok(Dims {
        n_sources: n,
        n_targets: nt,
        nd,
    })
}

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), KernelError> {
    if expected == got {
        Ok(())
    } else {
        Err(KernelError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

fn check_points(p: Points<'_>, role: Role) -> Result<(), KernelError> {
    let n = p.x.len();
    let names = match role {
        Role::Source => ["sources.y", "sources.z"],
        Role::Target => ["targets.y", "targets.z"],
    };
    check_len(names[0], n, p.y.len())?;
    check_len(names[1], n, p.z.len())?;
    for (field, column) in [(Field::X, p.x), (Field::Y, p.y), (Field::Z, p.z)] {
        if let Some(i) = column
            .iter()
            .position(|v| v.is_nan() || v.abs() > MAX_COORDINATE)
        {
            let value = column[i];
            return Err(if value.is_finite() {
                KernelError::OutOfRange {
                    role,
                    index: i,
                    field,
                    value,
                    limit: MAX_COORDINATE,
                }
            } else {
                KernelError::NonFinite {
                    role,
                    index: i,
                    field,
                    value,
                }
            });
        }
    }
    Ok(())
}

/// Checks that target `i` of a subset is source `index[i]`: in range,
/// after the previous one, at the same position.
fn check_subset(src: Points<'_>, t: Points<'_>, index: &[usize]) -> Result<(), KernelError> {
    check_len("subset index", t.x.len(), index.len())?;
    let n = src.x.len();
    for (i, &j) in index.iter().enumerate() {
        let problem = if j >= n {
            "its source index is past the last source"
        } else if i > 0 && j <= index[i - 1] {
            "source indices must be strictly increasing"
        } else if (t.x[i], t.y[i], t.z[i]) != (src.x[j], src.y[j], src.z[j]) {
            "its position differs from its source's"
        } else {
            continue;
        };
        return Err(KernelError::BadSubset { target: i, problem });
    }
    Ok(())
}

/// After a backend has run: if any output is not finite, finds out why.
///
/// With validated inputs a non-finite sum has two causes: a target on a
/// source with zero softening (reported with both indices), or 1/r^3
/// overflowing for points closer than f64 can handle.
///
/// # Errors
///
/// [`KernelError::Coincident`], [`KernelError::TargetOnSource`] or
/// [`KernelError::Overflow`].
pub fn check_finite(problem: &Problem<'_>, out: &Outputs<'_>) -> Result<(), KernelError> {
    let nt = problem.n_targets();
    if nt == 0 {
        return Ok(());
    }
    let bad = first_non_finite(out.potential, nt)
        .into_iter()
        .chain(
            out.gradient
                .as_deref()
                .and_then(|g| first_non_finite(g, nt)),
        )
        .min();
    let Some(target) = bad else { return Ok(()) };
    if problem.softening.is_exact() {
        let t = problem.target_points();
        let src = problem.sources.points;
        let at = (t.x[target], t.y[target], t.z[target]);
        let same = |j: usize| (src.x[j], src.y[j], src.z[j]) == at;
        let me = problem.selves().of(target);
        if let Some(j) = (0..problem.n_sources()).find(|&j| same(j) && me != Some(j)) {
            return Err(if let Some(me) = me {
                KernelError::Coincident {
                    first: j.min(me),
                    second: j.max(me),
                }
            } else {
                KernelError::TargetOnSource {
                    target,
                    source_index: j,
                }
            });
        }
    }
    Err(KernelError::Overflow { target })
}

/// Index of the first target (row-wise, over all rows) with a non-finite value.
fn first_non_finite(rows: &[f64], nt: usize) -> Option<usize> {
    rows.chunks_exact(nt)
        .filter_map(|row| row.iter().position(|v| !v.is_finite()))
        .min()
}
