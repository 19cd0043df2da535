//! One node of the octree and the geometry computed from its points.

use std::ops::Range;

use rayon::prelude::*;

/// Marks a missing parent or child in a [`Node`]'s `u32` links.
pub(super) const NONE: u32 = u32::MAX;

/// Ranges longer than this get their bounding sphere computed in parallel.
const PAR_POINTS: usize = 1 << 15;

/// One octree node: a cube of the octree and the contiguous range of sorted
/// points inside it.
///
/// Geometry:
///
/// - the *cube*: [`center`](Self::center), [`half_width`](Self::half_width)
///   and [`level`](Self::level) (the root cube has level 0; a child's cube is
///   one octant of its parent's, of half the width);
/// - the *bounding box* of the node's points, [`bbox_min`](Self::bbox_min) /
///   [`bbox_max`](Self::bbox_max) (tight: their coordinate-wise min and max);
/// - the *expansion center* (the center of the bounding box) and
///   [`r_max`](Self::r_max), the radius of the smallest sphere around the
///   expansion center that holds every point of the node: what a multipole
///   acceptance criterion needs.
///
/// Links (indices into [`Tree::nodes`](super::Tree::nodes), which lists the
/// nodes in depth-first pre-order): [`parent`](Self::parent), the first child
/// (always the next node) and the number of children, and
/// [`subtree_end`](Self::subtree_end): the subtree of node `i` is the node
/// range `i..subtree_end`. Children are *not* contiguous: the child after
/// child `c` is node `subtree_end(c)`; [`Tree::children`](super::Tree::children)
/// walks them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Node {
    pub(super) expansion_center: [f64; 3],
    pub(super) r_max: f64,
    pub(super) center: [f64; 3],
    pub(super) half_width: f64,
    pub(super) bbox_min: [f64; 3],
    pub(super) bbox_max: [f64; 3],
    pub(super) begin: u32,
    pub(super) end: u32,
    pub(super) parent: u32,
    pub(super) first_child: u32,
    pub(super) subtree_end: u32,
    pub(super) level: u8,
    pub(super) n_children: u8,
}

impl Node {
    /// First sorted point of the node.
    #[inline]
    pub fn begin(&self) -> usize {
        self.begin as usize
    }

    /// One past the last sorted point of the node.
    #[inline]
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// The node's points, as a range of sorted indices.
    #[inline]
    pub fn range(&self) -> Range<usize> {
        self.begin()..self.end()
    }

    /// Number of points in the node (at least 1: empty cells are no nodes).
    #[inline]
    pub fn len(&self) -> usize {
        (self.end - self.begin) as usize
    }

    /// Always `false`: only non-empty cells become nodes (for clippy's
    /// `len_without_is_empty`).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.end == self.begin
    }

    /// Depth of the node's cube: 0 for the root, at most
    /// [`MAX_LEVEL`](super::MAX_LEVEL).
    #[inline]
    pub fn level(&self) -> u8 {
        self.level
    }

    /// Center of the node's cube.
    #[inline]
    pub fn center(&self) -> [f64; 3] {
        self.center
    }

    /// Half the side of the node's cube: `root side / 2^(level + 1)`.
    #[inline]
    pub fn half_width(&self) -> f64 {
        self.half_width
    }

    /// Minimum corner of the bounding box of the node's points.
    #[inline]
    pub fn bbox_min(&self) -> [f64; 3] {
        self.bbox_min
    }

    /// Maximum corner of the bounding box of the node's points.
    #[inline]
    pub fn bbox_max(&self) -> [f64; 3] {
        self.bbox_max
    }

    /// The expansion center: the center of the bounding box,
    /// `0.5 bbox_min + 0.5 bbox_max` per axis.
    #[inline]
    pub fn expansion_center(&self) -> [f64; 3] {
        self.expansion_center
    }

    /// Radius of the smallest sphere around the
    /// [`expansion_center`](Self::expansion_center) that holds all the node's
    /// points: the largest distance from it to one of them (0 for a single
    /// point or coincident points).
    #[inline]
    pub fn r_max(&self) -> f64 {
        self.r_max
    }

    /// Index of the parent node; `None` for the root.
    #[inline]
    pub fn parent(&self) -> Option<usize> {
        (self.parent != NONE).then_some(self.parent as usize)
    }

    /// Whether the node is a leaf (it has no children).
    #[inline]
    pub fn is_leaf(&self) -> bool {
        self.n_children == 0
    }

    /// Number of children, 0 to 8 (only non-empty octants are children).
    #[inline]
    pub fn n_children(&self) -> usize {
        usize::from(self.n_children)
    }

    /// Index of the first child (always the node right after this one in
    /// pre-order); `None` for a leaf.
    #[inline]
    pub fn first_child(&self) -> Option<usize> {
        (self.first_child != NONE).then_some(self.first_child as usize)
    }

    /// One past the last node of this node's subtree: the subtree of node
    /// `i` is the node range `i..subtree_end()`, and the next sibling of a
    /// child is `subtree_end()` of that child.
    #[inline]
    pub fn subtree_end(&self) -> usize {
        self.subtree_end as usize
    }
}

/// Coordinate-wise min and max of a set of points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Bounds {
    pub min: [f64; 3],
    pub max: [f64; 3],
}

impl Bounds {
    /// The bounds of no point: `+inf` minimum, `-inf` maximum.
    pub const EMPTY: Self = Self {
        min: [f64::INFINITY; 3],
        max: [f64::NEG_INFINITY; 3],
    };

    /// Grows the bounds to hold `p`.
    #[inline]
    pub fn add(self, p: [f64; 3]) -> Self {
        self.merge(Self { min: p, max: p })
    }

    /// The bounds of both sets.
    #[inline]
    pub fn merge(mut self, other: Self) -> Self {
        for a in 0..3 {
            self.min[a] = self.min[a].min(other.min[a]);
            self.max[a] = self.max[a].max(other.max[a]);
        }
        self
    }

    /// The bounds of the sorted points `range`.
    pub fn of(pts: [&[f64]; 3], range: Range<usize>) -> Self {
        let mut b = Self::EMPTY;
        for (a, column) in pts.iter().enumerate() {
            for &v in &column[range.clone()] {
                b.min[a] = b.min[a].min(v);
                b.max[a] = b.max[a].max(v);
            }
        }
        b
    }

    /// The center of the box, `0.5 min + 0.5 max` per axis (no overflow
    /// for any finite bounds).
    #[inline]
    pub fn center(&self) -> [f64; 3] {
        [0, 1, 2].map(|a| 0.5 * self.min[a] + 0.5 * self.max[a])
    }
}

/// The largest distance from `c` to a sorted point of `range` (0 for an
/// empty range), in parallel for long ranges. `max` is exact and `sqrt`
/// monotone, so the result does not depend on how the range is split.
pub(super) fn max_distance(pts: [&[f64]; 3], range: Range<usize>, c: [f64; 3]) -> f64 {
    let farthest = |r: Range<usize>| {
        let (xs, ys, zs) = (&pts[0][r.clone()], &pts[1][r.clone()], &pts[2][r]);
        let mut d2 = 0.0_f64;
        for ((x, y), z) in xs.iter().zip(ys).zip(zs) {
            let (dx, dy, dz) = (x - c[0], y - c[1], z - c[2]);
            d2 = d2.max(dx * dx + dy * dy + dz * dz);
        }
        d2
    };
    let d2 = if range.len() > PAR_POINTS {
        let chunks = range.len().div_ceil(PAR_POINTS / 4);
        (0..chunks)
            .into_par_iter()
            .map(|i| {
                let start = range.start + i * (PAR_POINTS / 4);
                farthest(start..(start + PAR_POINTS / 4).min(range.end))
            })
            .reduce(|| 0.0, f64::max)
    } else {
        farthest(range)
    };
    d2.sqrt()
}

/// Relative margin of the pruning in [`max_distance_below`]: far above the
/// few-ulp rounding of distances, so a pruned subtree never holds a point
/// whose computed distance reaches the best one found.
const PRUNE_MARGIN: f64 = 1e-12;

/// The largest distance from `c` to a point of the subtrees of the nodes
/// `first..end` (indices into `nodes`, whose entry 0 is global node
/// `base`), by branch and bound on the nodes' spheres: a subtree is skipped
/// when `|c - expansion center| + r_max` is below the best distance found.
///
/// The result is exactly [`max_distance`] over the same points (skipped
/// points are strictly closer than the maximum, by a margin larger than
/// rounding), and costs about one pass over the points near the far side.
pub(super) fn max_distance_below(
    nodes: &[Node],
    base: usize,
    first: usize,
    end: usize,
    pts: [&[f64]; 3],
    c: [f64; 3],
) -> f64 {
    let mut best = 0.0_f64;
    let mut i = first;
    while i < end {
        let node = &nodes[i];
        let e = node.expansion_center;
        let (dx, dy, dz) = (e[0] - c[0], e[1] - c[1], e[2] - c[2]);
        let bound = (dx * dx + dy * dy + dz * dz).sqrt() + node.r_max;
        if bound * (1.0 + PRUNE_MARGIN) < best {
            i = node.subtree_end() - base;
        } else {
            if node.is_leaf() {
                best = best.max(max_distance(pts, node.range(), c));
            }
            i += 1;
        }
    }
    best
}

impl Node {
    /// Sets the bounding box and the expansion center (its center).
    pub(super) fn set_box(&mut self, bounds: Bounds) {
        self.bbox_min = bounds.min;
        self.bbox_max = bounds.max;
        self.expansion_center = bounds.center();
    }

    /// The node's bounding box as [`Bounds`].
    #[inline]
    pub(super) fn bounds(&self) -> Bounds {
        Bounds {
            min: self.bbox_min,
            max: self.bbox_max,
        }
    }
}
