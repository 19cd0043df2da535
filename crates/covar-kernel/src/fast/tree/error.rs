//! Errors of the octree: bad input or parameters at build time, and broken
//! invariants found by [`Tree::validate`](super::Tree::validate).

use std::fmt;

use crate::error::Field;

/// An invariant of the tree, as checked by
/// [`Tree::validate`](super::Tree::validate) and
/// [`Tree::check_moments`](super::Tree::check_moments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invariant {
    /// Array lengths agree with the number of points, nodes and leaves.
    Lengths,
    /// `order` is a permutation of `0..n` and the stored inverse matches it.
    Permutation,
    /// Keys are sorted by (key, original index) and equal the keys of the
    /// original points.
    Keys,
    /// The sorted coordinates equal the originals gathered through `order`.
    SortedCoordinates,
    /// The root covers all points, has level 0, no parent, and the root cube.
    Root,
    /// A node's point range is non-empty, within bounds, and its points share
    /// the node's cell in key space.
    NodeRange,
    /// A node is a leaf exactly when it holds at most `leaf_size` points or
    /// is at the maximum level.
    LeafRule,
    /// Children partition their parent's range, in octant order, each with
    /// the parent's index as parent and level + 1.
    Children,
    /// A child's cube is an octant of its parent's, of half the width.
    ChildCube,
    /// Every point lies in its leaf's cube.
    PointInCube,
    /// Bounding boxes are the tight boxes of their points and contain their
    /// children's; the expansion center is the box center.
    BoundingBox,
    /// `r_max` is the largest distance from the expansion center to a point.
    Sphere,
    /// Nodes are in depth-first pre-order with consistent `subtree_end`.
    PreOrder,
    /// The leaf list holds the leaves in order, and their ranges tile `0..n`.
    Leaves,
    /// The recorded statistics match the tree.
    Stats,
    /// A node's moments equal the sum of its children's.
    Moments,
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Invariant::Lengths => "array lengths",
            Invariant::Permutation => "permutation",
            Invariant::Keys => "sorted keys",
            Invariant::SortedCoordinates => "sorted coordinates",
            Invariant::Root => "root",
            Invariant::NodeRange => "node range",
            Invariant::LeafRule => "leaf rule",
            Invariant::Children => "children partition parent",
            Invariant::ChildCube => "child cube",
            Invariant::PointInCube => "point in leaf cube",
            Invariant::BoundingBox => "bounding box",
            Invariant::Sphere => "bounding sphere",
            Invariant::PreOrder => "pre-order",
            Invariant::Leaves => "leaf list",
            Invariant::Stats => "statistics",
            Invariant::Moments => "moments sum up",
        })
    }
}

/// Everything that can go wrong building or checking a tree. Each variant
/// names the parameter, point or node at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TreeError {
    /// A build parameter is out of range.
    #[error("tree parameter `{name}` is {value}; it must be {requirement}")]
    InvalidParameter {
        /// The field of [`TreeParams`](super::TreeParams).
        name: &'static str,
        /// Its value.
        value: usize,
        /// What it must be.
        requirement: &'static str,
    },
    /// Two arrays that must agree in length do not.
    #[error("length mismatch: `{what}` has {got} elements, expected {expected}")]
    LengthMismatch {
        /// Which array.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        got: usize,
    },
    /// A coordinate is NaN or infinite.
    #[error("point {index}: coordinate `{field}` is {value} (must be finite)")]
    NonFinite {
        /// Index of the point (in the caller's order).
        index: usize,
        /// Which coordinate.
        field: Field,
        /// The offending value.
        value: f64,
    },
    /// The coordinates along one axis span more than f64 can represent.
    #[error(
        "coordinates along `{field}` span [{min:e}, {max:e}]: the extent overflows f64 \
         (keep |coordinates| well below 1e308)"
    )]
    ExtentOverflow {
        /// Which axis.
        field: Field,
        /// Smallest coordinate on it.
        min: f64,
        /// Largest coordinate on it.
        max: f64,
    },
    /// More points or nodes than the tree's `u32` indices can address.
    #[error("the tree needs {count} {what}, more than its u32 indices address ({max})")]
    TooLarge {
        /// "points" or "nodes".
        what: &'static str,
        /// How many are needed.
        count: usize,
        /// The most it can index.
        max: usize,
    },
    /// [`Tree::validate`](super::Tree::validate) or
    /// [`Tree::check_moments`](super::Tree::check_moments) found a broken
    /// invariant.
    #[error("tree invariant `{rule}` broken{}: {detail}", .node.map(|i| format!(" at node {i}")).unwrap_or_default())]
    Malformed {
        /// The invariant.
        rule: Invariant,
        /// The node at fault, if one is.
        node: Option<usize>,
        /// What was found, with the indices and values involved.
        detail: String,
    },
}

impl TreeError {
    /// A [`TreeError::Malformed`] error.
    pub(super) fn malformed(rule: Invariant, node: Option<usize>, detail: String) -> Self {
        TreeError::Malformed { rule, node, detail }
    }
}
