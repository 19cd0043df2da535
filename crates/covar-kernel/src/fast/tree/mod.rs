//! The adaptive octree of the fast backend, over Morton-sorted points.
//!
//! One tree is built for the sources and, when they differ, one for the
//! targets. It is rebuilt on every evaluation (the points move every step),
//! so the build is parallel and allocation-free once its arena is warm.
//!
//! # Structure
//!
//! - **Root cube.** The smallest axis-aligned cube centered on the bounding
//!   box of the points: side `max(extent_x, extent_y, extent_z)`.
//! - **Keys.** Each point gets a 63-bit Morton key (21 bits per axis) of its
//!   cell on the `2^21`-cell grid of the root cube; the top `3 l` key bits
//!   name its octree cell of level `l`. Points are sorted by (key, original
//!   index), which is deterministic. The tree keeps the permutation
//!   ([`order`](Tree::order): `order[k]` is the original index of the `k`-th
//!   sorted point) and sorted copies of the coordinates ([`x`](Tree::x),
//!   [`y`](Tree::y), [`z`](Tree::z)), so a leaf's points are contiguous.
//!   [`gather`](Tree::gather) puts `nd`-channel source values in sorted
//!   order; [`scatter`](Tree::scatter) puts per-target results back.
//! - **Nodes.** A [`Node`] is a non-empty octree cell: a cube (center,
//!   half-width, level) and the range `begin..end` of the sorted points in
//!   it, with the tight bounding box of those points, its center (the
//!   *expansion center*) and `r_max`, the radius of the smallest sphere
//!   around the expansion center that holds them. A node is a leaf when it
//!   holds at most [`leaf_size`](TreeParams::leaf_size) points or is at level
//!   [`MAX_LEVEL`] = 21; otherwise its children are its non-empty octants.
//!   Coincident or nearly coincident points that share a finest cell end up
//!   in one leaf at level 21, however many: that is correct, not an error.
//! - **Layout.** Nodes are stored in depth-first pre-order: node 0 is the
//!   root, a node's first child follows it, and the subtree of node `i` is
//!   the contiguous range `i..subtree_end` (skip a subtree by jumping to
//!   `subtree_end`, as a dual-tree traversal does). The next sibling of a
//!   child is its `subtree_end`; [`Tree::children`] walks them in octant
//!   (Morton) order. [`Tree::leaves`] lists the leaves in sorted-point order:
//!   their ranges tile `0..n`.
//!
//! # Boundary convention
//!
//! A cell of level `l` covers `[lo + i w, lo + (i + 1) w)` on each axis (`w`
//! its width), half-open, with the last cell closed at the top face of the
//! root cube. Keys are computed in floating point, so a point within a few
//! ulps of a face may land in the neighboring cell: [`Tree::validate`] allows
//! `16 ulps` of the root cube's coordinate scale (`side + max |lo|`) when it
//! checks that points lie in their leaf's cube. Boxes and spheres are
//! computed from the points themselves and hold them exactly.
//!
//! # Memory and lifetimes
//!
//! Everything the tree stores (nodes, leaf list, permutation and its
//! inverse, keys, sorted coordinates) lives in a [`bumpalo::Bump`] arena
//! that the caller passes to [`Tree::build`], and so do the build's
//! temporaries; the build itself allocates nothing else. `Tree<'bump>`
//! borrows the arena shared, so several trees (sources and targets) can
//! live in one arena, and does not borrow the input slices (it copies what
//! it needs). To rebuild, drop the
//! trees and call [`Bump::reset`](bumpalo::Bump::reset), which needs
//! `&mut Bump`: the borrow checker proves no tree outlives its storage.
//! `reset` keeps the arena's largest chunk, so after two or three builds of
//! similar size the arena holds one chunk large enough for a whole build,
//! and a rebuild no longer touches the global allocator (the tests count
//! zero allocations, on the calling thread and rayon's workers; presize with
//! [`Bump::with_capacity`](bumpalo::Bump::with_capacity) to skip the
//! warm-up).
//!
//! `Bump` is not `Sync`, so `&Bump` cannot enter
//! [`ThreadPool::install`](rayon::ThreadPool::install): move a `&mut Bump`
//! in instead (the build hands no arena reference to other threads, and the
//! tree it returns is `Send + Sync`). A build takes about `48 N` bytes (keys
//! 16, permutation and its inverse 8, coordinates 24) plus 144 per node
//! (`N / 30` to `N / 15` nodes at the default leaf size): about 60 MiB at
//! `N = 10^6`.
//!
//! # Parallelism and determinism
//!
//! Keys, sort, permutation and the node geometry run on the current rayon
//! pool (call the build inside [`ThreadPool::install`](rayon::ThreadPool::install)
//! to choose one). The node array is built in three steps: the top of the
//! tree is split serially until every remaining subtree holds at most
//! `max(min_task_points, N / (8 threads))` points; those subtrees count their
//! nodes in parallel, which places them in the pre-order array; then they
//! fill their disjoint slices in parallel and the top nodes are finished
//! bottom-up. The tree depends only on the points and
//! [`TreeParams::leaf_size`]: every bit is the same for any thread count.
//! Recursion depth is bounded by [`MAX_LEVEL`], so far outliers cannot
//! overflow the stack.
//!
//! # Example
//!
//! Build a tree of five points, check it, and walk it depth-first:
//!
//! ```
//! use bumpalo::Bump;
//! use covar_kernel::Points;
//! use covar_kernel::fast::tree::{Tree, TreeParams};
//!
//! let x = [0.0, 1.0, 0.0, 1.0, 0.1];
//! let y = [0.0, 0.0, 1.0, 1.0, 0.1];
//! let z = [0.0; 5];
//! let points = Points::new(&x, &y, &z);
//! let params = TreeParams { leaf_size: 2, ..TreeParams::default() };
//!
//! let mut bump = Bump::new();
//! for _step in 0..2 {
//!     let tree = Tree::build(&bump, points, &params)?;
//!     tree.validate(points)?;
//!
//!     let root = tree.root().expect("five points");
//!     assert_eq!((root.range(), root.level()), (0..5, 0));
//!     assert_eq!(root.half_width(), 0.5);
//!
//!     // Depth-first walk; collect the original indices of each leaf.
//!     let mut stack = vec![0];
//!     let mut leaves = Vec::new();
//!     while let Some(i) = stack.pop() {
//!         let node = tree.node(i);
//!         if node.is_leaf() {
//!             let originals: Vec<u32> = node.range().map(|k| tree.order()[k]).collect();
//!             leaves.push((node.level(), originals));
//!         } else {
//!             // Push in reverse so that children pop in octant order.
//!             let children: Vec<usize> = tree.children(i).collect();
//!             stack.extend(children.into_iter().rev());
//!         }
//!     }
//!     // Points 0 and 4 share the lowest octant; each other point is alone.
//!     assert_eq!(leaves[0], (1, vec![0, 4]));
//!     assert_eq!(leaves.len(), 4);
//!     assert_eq!(tree.leaves().len(), 4);
//!
//!     // `tree` is no longer used, so the arena can be reset and reused.
//!     bump.reset();
//! }
//! # Ok::<(), covar_kernel::fast::tree::TreeError>(())
//! ```

#![forbid(unsafe_code)]

mod build;
mod error;
mod morton;
mod node;
mod nodes;
mod params;
mod permute;
mod validate;

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

pub use error::{Invariant, TreeError};
pub use node::Node;
pub use params::{TreeParams, TreeStats};

use crate::Points;
use morton::Cube;

/// The deepest level of the tree: keys have 21 bits per axis, so a cell of
/// level 21 is a single cell of the finest grid and is never split.
pub const MAX_LEVEL: u8 = 21;

/// An adaptive octree over Morton-sorted points, stored in a bump arena.
///
/// See the [module documentation](self) for the structure, the layout and
/// the lifetime model.
#[derive(Clone)]
pub struct Tree<'bump> {
    /// Nodes in depth-first pre-order.
    nodes: &'bump [Node],
    /// Node indices of the leaves, in pre-order (= sorted-point order).
    leaves: &'bump [u32],
    /// `order[k]`: original index of sorted point `k`.
    order: &'bump [u32],
    /// `rank[i]`: sorted index of original point `i` (inverse of `order`).
    /// Atomics only so that the build can fill it in parallel without
    /// `unsafe`; reads are relaxed loads, plain loads on common hardware.
    rank: &'bump [AtomicU32],
    /// Sorted (key, original index) pairs.
    keys: &'bump [(u64, u32)],
    /// Sorted coordinates.
    x: &'bump [f64],
    y: &'bump [f64],
    z: &'bump [f64],
    cube: Cube,
    params: TreeParams,
    stats: TreeStats,
}

impl fmt::Debug for Tree<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tree")
            .field("points", &self.len())
            .field("nodes", &self.nodes.len())
            .field("leaves", &self.leaves.len())
            .field("depth", &self.stats.depth)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl<'bump> Tree<'bump> {
    /// Number of points.
    #[inline]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the tree holds no point (and then no node).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// All nodes, in depth-first pre-order (node 0 is the root).
    #[inline]
    pub fn nodes(&self) -> &'bump [Node] {
        self.nodes
    }

    /// Node `i`.
    ///
    /// # Panics
    ///
    /// If `i >= self.nodes().len()`.
    #[inline]
    pub fn node(&self, i: usize) -> &'bump Node {
        &self.nodes[i]
    }

    /// The root node; `None` for an empty tree.
    #[inline]
    pub fn root(&self) -> Option<&'bump Node> {
        self.nodes.first()
    }

    /// Node indices of the leaves, in pre-order: their point ranges are
    /// consecutive and tile `0..len()`.
    #[inline]
    pub fn leaves(&self) -> &'bump [u32] {
        self.leaves
    }

    /// Indices of the children of node `i`, in octant (Morton) order. The
    /// first is `i + 1`; each next one is the previous one's `subtree_end`.
    ///
    /// # Panics
    ///
    /// If `i >= self.nodes().len()`.
    #[inline]
    pub fn children(&self, i: usize) -> Children<'bump> {
        let node = &self.nodes[i];
        Children {
            nodes: self.nodes,
            next: i + 1,
            left: node.n_children,
        }
    }

    /// The permutation: `order()[k]` is the original index of the `k`-th
    /// sorted point.
    #[inline]
    pub fn order(&self) -> &'bump [u32] {
        self.order
    }

    /// The sorted index of original point `i` (the inverse of
    /// [`order`](Self::order)).
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
    #[inline]
    pub fn sorted_index(&self, i: usize) -> usize {
        self.rank[i].load(Ordering::Relaxed) as usize
    }

    /// Morton key of sorted point `k` (63 bits, x the most significant bit
    /// of each triple; see the module documentation).
    ///
    /// # Panics
    ///
    /// If `k >= self.len()`.
    #[inline]
    pub fn key(&self, k: usize) -> u64 {
        self.keys[k].0
    }

    /// Sorted x coordinates.
    #[inline]
    pub fn x(&self) -> &'bump [f64] {
        self.x
    }

    /// Sorted y coordinates.
    #[inline]
    pub fn y(&self) -> &'bump [f64] {
        self.y
    }

    /// Sorted z coordinates.
    #[inline]
    pub fn z(&self) -> &'bump [f64] {
        self.z
    }

    /// The sorted coordinates as [`Points`].
    #[inline]
    pub fn points(&self) -> Points<'bump> {
        Points::new(self.x, self.y, self.z)
    }

    /// The parameters the tree was built with.
    #[inline]
    pub fn params(&self) -> &TreeParams {
        &self.params
    }

    /// Per-stage times and counts of the build.
    #[inline]
    pub fn stats(&self) -> &TreeStats {
        &self.stats
    }

    /// Largest level of a leaf (0 for a root leaf or an empty tree).
    #[inline]
    pub fn depth(&self) -> u8 {
        self.stats.depth
    }

    /// The sorted coordinates as an array, for the geometry helpers.
    #[inline]
    fn coords(&self) -> [&'bump [f64]; 3] {
        [self.x, self.y, self.z]
    }
}

/// Iterator over the children of a node, from [`Tree::children`].
#[derive(Clone, Debug)]
pub struct Children<'a> {
    nodes: &'a [Node],
    next: usize,
    left: u8,
}

impl Iterator for Children<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.left == 0 {
            return None;
        }
        let child = self.next;
        self.left -= 1;
        self.next = self.nodes[child].subtree_end();
        Some(child)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::from(self.left), Some(usize::from(self.left)))
    }
}

impl ExactSizeIterator for Children<'_> {}
