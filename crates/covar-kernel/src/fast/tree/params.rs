//! Build parameters and per-stage statistics of the octree.

use std::time::Duration;

use super::error::TreeError;

/// Parameters of [`Tree::build`](super::Tree::build).
///
/// # Examples
///
/// ```
/// use covar_kernel::fast::tree::TreeParams;
/// let params = TreeParams { leaf_size: 32, ..TreeParams::default() };
/// assert_eq!(params.min_task_points, TreeParams::default().min_task_points);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeParams {
    /// Largest number of points a leaf holds, unless it is at the maximum
    /// depth [`MAX_LEVEL`](super::MAX_LEVEL) (where all its points share one
    /// finest cell and cannot be split). Default 64: near-field (P2P) work of
    /// a leaf pair then dominates the per-node overhead of the expansions
    /// while staying small next to the far field. Must be at least 1.
    pub leaf_size: usize,
    /// Smallest number of points of a subtree built as one parallel task
    /// (the build splits the top of the tree serially until every subtree
    /// has at most `max(min_task_points, N / (8 threads))` points). Only the
    /// speed depends on it, never the tree. Default 4096. Must be at least 1.
    pub min_task_points: usize,
}

impl Default for TreeParams {
    fn default() -> Self {
        Self {
            leaf_size: 64,
            min_task_points: 4096,
        }
    }
}

impl TreeParams {
    /// Checks the parameters.
    ///
    /// # Errors
    ///
    /// [`TreeError::InvalidParameter`] naming the first bad field.
    pub fn check(&self) -> Result<(), TreeError> {
        for (name, value) in [
            ("leaf_size", self.leaf_size),
            ("min_task_points", self.min_task_points),
        ] {
            if value == 0 {
                return Err(TreeError::InvalidParameter {
                    name,
                    value,
                    requirement: "at least 1",
                });
            }
        }
        Ok(())
    }
}

/// Where the time of one [`Tree::build`](super::Tree::build) went, and the
/// shape of the tree it built.
///
/// Times are wall-clock. Counts other than `tasks` depend only on the points
/// and the parameters, never on the number of threads.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TreeStats {
    /// Bounding cube, input checks and Morton keys.
    pub keys_time: Duration,
    /// Sorting the (key, index) pairs.
    pub sort_time: Duration,
    /// The permutation, its inverse and the sorted coordinate copies.
    pub permute_time: Duration,
    /// Building the node array (topology, boxes, spheres) and leaf list.
    pub nodes_time: Duration,
    /// The whole build.
    pub total_time: Duration,
    /// Number of points.
    pub points: usize,
    /// Number of nodes.
    pub nodes: usize,
    /// Number of leaves.
    pub leaves: usize,
    /// Largest level of a leaf (0 for a root leaf or an empty tree).
    pub depth: u8,
    /// Most points in one leaf.
    pub max_leaf_len: usize,
    /// Subtrees built as parallel tasks.
    pub tasks: usize,
    /// Bytes the arena holds after the build (all its chunks, whoever
    /// allocated them): the memory a reused arena keeps.
    pub arena_bytes: usize,
}
