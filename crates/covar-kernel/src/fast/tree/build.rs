//! The build pipeline: bounding cube and keys, sort, permutation, nodes.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use bumpalo::Bump;
use rayon::prelude::*;

use super::morton::Cube;
use super::node::Bounds;
use super::nodes::build_nodes;
use super::{Tree, TreeError, TreeParams, TreeStats};
use crate::Points;
use crate::error::Field;

/// Points per parallel chunk of the per-point passes.
const CHUNK: usize = 4096;

impl<'bump> Tree<'bump> {
    /// Builds the octree of `points` in `bump`.
    ///
    /// Runs on the current rayon pool; the result does not depend on its
    /// number of threads. Storage comes from `bump` only (see the module
    /// documentation for the lifetime model and the arena warm-up).
    ///
    /// # Errors
    ///
    /// - [`TreeError::InvalidParameter`] for a `leaf_size` or
    ///   `min_task_points` of 0;
    /// - [`TreeError::LengthMismatch`] if `y` or `z` differ in length from `x`;
    /// - [`TreeError::NonFinite`] naming the first point (in input order)
    ///   with a NaN or infinite coordinate;
    /// - [`TreeError::ExtentOverflow`] if the coordinates along an axis span
    ///   more than f64 represents;
    /// - [`TreeError::TooLarge`] beyond `u32::MAX` points or nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use bumpalo::Bump;
    /// use covar_kernel::Points;
    /// use covar_kernel::fast::tree::{Tree, TreeParams};
    ///
    /// let (x, y, z) = ([0.0, 1.0], [0.0, 1.0], [0.0, 1.0]);
    /// let bump = Bump::new();
    /// let tree = Tree::build(&bump, Points::new(&x, &y, &z), &TreeParams::default())?;
    /// assert_eq!(tree.nodes().len(), 1); // two points: one root leaf
    /// assert_eq!(tree.stats().points, 2);
    /// # Ok::<(), covar_kernel::fast::tree::TreeError>(())
    /// ```
    pub fn build(
        bump: &'bump Bump,
        points: Points<'_>,
        params: &TreeParams,
    ) -> Result<Self, TreeError> {
        let start = Instant::now();
        params.check()?;
        let n = points.x.len();
        for (what, col) in [("y", points.y), ("z", points.z)] {
            if col.len() != n {
                return Err(TreeError::LengthMismatch {
                    what,
                    expected: n,
                    got: col.len(),
                });
            }
        }
        if n > u32::MAX as usize {
            return Err(TreeError::TooLarge {
                what: "points",
                count: n,
                max: u32::MAX as usize,
            });
        }
        let (x, y, z) = (points.x, points.y, points.z);

        // Bounding cube and keys.
        let cube = bounding_cube(points)?;
        let keys = bump.alloc_slice_fill_copy(n, (0u64, 0u32));
        keys.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| {
                for (j, slot) in chunk.iter_mut().enumerate() {
                    let i = c * CHUNK + j;
                    *slot = (cube.key([x[i], y[i], z[i]]), i as u32);
                }
            });
        let keys_done = Instant::now();

        // (key, index) pairs are unique: the unstable sort is deterministic.
        keys.par_sort_unstable();
        let keys: &'bump [(u64, u32)] = keys;
        let sort_done = Instant::now();

        // Permutation, sorted coordinates, inverse permutation.
        let order = bump.alloc_slice_fill_copy(n, 0u32);
        let xs = bump.alloc_slice_fill_copy(n, 0.0);
        let ys = bump.alloc_slice_fill_copy(n, 0.0);
        let zs = bump.alloc_slice_fill_copy(n, 0.0);
        order
            .par_chunks_mut(CHUNK)
            .zip(xs.par_chunks_mut(CHUNK))
            .zip(ys.par_chunks_mut(CHUNK))
            .zip(zs.par_chunks_mut(CHUNK))
            .zip(keys.par_chunks(CHUNK))
            .for_each(|((((o, xs), ys), zs), k)| {
                for j in 0..k.len() {
                    let i = k[j].1;
                    o[j] = i;
                    let i = i as usize;
                    (xs[j], ys[j], zs[j]) = (x[i], y[i], z[i]);
                }
            });
        let order: &'bump [u32] = order;
        let rank: &'bump [AtomicU32] = bump.alloc_slice_fill_with(n, |_| AtomicU32::new(0));
        order.par_chunks(CHUNK).enumerate().for_each(|(c, chunk)| {
            for (j, &i) in chunk.iter().enumerate() {
                rank[i as usize].store((c * CHUNK + j) as u32, Ordering::Relaxed);
            }
        });
        let pts: [&'bump [f64]; 3] = [xs, ys, zs];
        let permute_done = Instant::now();

        // Nodes.
        let built = build_nodes(bump, keys, pts, cube, params)?;
        let done = Instant::now();

        let (depth, max_leaf_len) = built.leaves.iter().fold((0, 0), |(d, m), &l| {
            let leaf = &built.nodes[l as usize];
            (d.max(leaf.level()), m.max(leaf.len()))
        });
        let stats = TreeStats {
            keys_time: keys_done - start,
            sort_time: sort_done - keys_done,
            permute_time: permute_done - sort_done,
            nodes_time: done - permute_done,
            total_time: done - start,
            points: n,
            nodes: built.nodes.len(),
            leaves: built.leaves.len(),
            depth,
            max_leaf_len,
            tasks: built.tasks,
            arena_bytes: bump.allocated_bytes(),
        };
        Ok(Tree {
            nodes: built.nodes,
            leaves: built.leaves,
            order,
            rank,
            keys,
            x: pts[0],
            y: pts[1],
            z: pts[2],
            cube,
            params: *params,
            stats,
        })
    }
}

/// The root cube: centered on the bounding box of the points, with the
/// box's largest extent as side. Checks that every coordinate is finite and
/// that the extents are representable.
pub(super) fn bounding_cube(points: Points<'_>) -> Result<Cube, TreeError> {
    let (x, y, z) = (points.x, points.y, points.z);
    let n = x.len();
    if n == 0 {
        return Ok(Cube::default());
    }
    // min/max are exact, so the parallel reduction is deterministic.
    let (bounds, finite) = (0..n)
        .into_par_iter()
        .with_min_len(CHUNK)
        .fold(
            || (Bounds::EMPTY, true),
            |(b, ok), i| {
                let p = [x[i], y[i], z[i]];
                (b.add(p), ok && p.iter().all(|v| v.is_finite()))
            },
        )
        .reduce(
            || (Bounds::EMPTY, true),
            |(a, oka), (b, okb)| (a.merge(b), oka && okb),
        );
    if !finite {
        for i in 0..n {
            for (field, col) in [(Field::X, x), (Field::Y, y), (Field::Z, z)] {
                if !col[i].is_finite() {
                    return Err(TreeError::NonFinite {
                        index: i,
                        field,
                        value: col[i],
                    });
                }
            }
        }
    }
    let mut side = 0.0_f64;
    for (a, field) in [Field::X, Field::Y, Field::Z].into_iter().enumerate() {
        let extent = bounds.max[a] - bounds.min[a];
        if !extent.is_finite() {
            return Err(TreeError::ExtentOverflow {
                field,
                min: bounds.min[a],
                max: bounds.max[a],
            });
        }
        side = side.max(extent);
    }
    let center = bounds.center();
    Ok(Cube::new(center.map(|c| c - 0.5 * side), side))
}
