//! The invariant checker of the tree, and a check that node moments add up.

use std::sync::atomic::Ordering;

use super::build::bounding_cube;
use super::morton::prefix;
use super::node::{Bounds, Node, max_distance};
use super::{Invariant, MAX_LEVEL, Tree, TreeError};
use crate::Points;

/// Relative slack allowed between a node's `r_max` and the largest distance
/// to its points (both are computed the same way, so 0 would do today).
const SPHERE_SLACK: f64 = 1e-12;

/// Cube checks allow this many ulps of the root cube's coordinate scale.
const CUBE_ULPS: f64 = 16.0;

/// Shorthand for a `Malformed` error.
fn broken(rule: Invariant, node: Option<usize>, detail: String) -> TreeError {
    TreeError::malformed(rule, node, detail)
}

impl Tree<'_> {
    /// Checks every invariant of the tree against the `points` it was built
    /// from (in the caller's order). Meant for tests, after every build; it
    /// costs about `N * depth` work, serially.
    ///
    /// Checked:
    ///
    /// - `order` is a permutation of `0..n` and [`sorted_index`](Self::sorted_index)
    ///   its inverse; keys are strictly increasing (key, original index)
    ///   pairs and equal the keys of the original points in the root cube,
    ///   which is the bounding cube of the points; the sorted coordinates
    ///   equal the originals gathered through `order`, bit for bit;
    /// - the root covers `0..n` at level 0 without parent; every node has a
    ///   non-empty range whose points share its cell in key space, and its
    ///   cube is that cell; it is a leaf exactly when it holds at most
    ///   `leaf_size` points or is at level [`MAX_LEVEL`];
    /// - the children of a node partition its range in octant order, have it
    ///   as parent and its level + 1, and their cubes are octants of half its
    ///   width; every point lies in its leaf's cube (within the boundary
    ///   slack of the module documentation);
    /// - leaf boxes are the tight boxes of their points, other boxes the
    ///   union of their children's, the expansion center is the box center,
    ///   and every point lies within `r_max` of it, which is tight (relative
    ///   slack `1e-12`);
    /// - the nodes are in pre-order: the first child follows its parent, the
    ///   next sibling of a child is its `subtree_end`, and the children's
    ///   subtrees tile their parent's; the leaf list holds the leaves in
    ///   order and their ranges tile `0..n`; the statistics match.
    ///
    /// # Errors
    ///
    /// [`TreeError::LengthMismatch`] if `points` has the wrong length, and
    /// [`TreeError::Malformed`] naming the first broken invariant and node.
    ///
    /// # Examples
    ///
    /// ```
    /// use bumpalo::Bump;
    /// use covar_kernel::Points;
    /// use covar_kernel::fast::tree::{Invariant, Tree, TreeError, TreeParams};
    ///
    /// let (x, y, z) = ([0.0, 1.0, 2.0], [0.0; 3], [0.0; 3]);
    /// let bump = Bump::new();
    /// let tree = Tree::build(&bump, Points::new(&x, &y, &z), &TreeParams::default())?;
    /// tree.validate(Points::new(&x, &y, &z))?;
    ///
    /// // Against other points, it reports what differs.
    /// let moved = [0.0, 1.0, 1.5];
    /// let err = tree.validate(Points::new(&moved, &y, &z)).unwrap_err();
    /// assert!(matches!(err, TreeError::Malformed { rule: Invariant::Root, .. }));
    /// # Ok::<(), TreeError>(())
    /// ```
    pub fn validate(&self, points: Points<'_>) -> Result<(), TreeError> {
        self.check_points(points)?;
        self.check_nodes()?;
        self.check_leaves()?;
        self.check_stats()
    }

    /// Checks that the moments of every node equal the sum of its
    /// children's: for each internal node `p` and component `i`,
    ///
    /// ```text
    /// | M_p[i] - sum_c M_c[i] |  <=  rel_tol * ( |M_p[i]| + sum_c |M_c[i]| )
    /// ```
    ///
    /// `moments(node, about, out)` writes the `len` moments of `node`,
    /// expressed about node `about`'s frame, into `out` (zeroed before each
    /// call); `about` is `node` itself or its parent. Moments that do not
    /// depend on a center (counts, sums of values, sums of value times
    /// position) ignore `about`; multipole moments translate the node's
    /// expansion to `about`'s expansion center (M2M) there.
    ///
    /// # Errors
    ///
    /// [`TreeError::Malformed`] with [`Invariant::Moments`] at the first node
    /// and component that does not add up, with both values.
    ///
    /// # Examples
    ///
    /// ```
    /// use bumpalo::Bump;
    /// use covar_kernel::Points;
    /// use covar_kernel::fast::tree::{Tree, TreeParams};
    ///
    /// let x: Vec<f64> = (0..100).map(|i| (i as f64 * 0.37).sin()).collect();
    /// let y: Vec<f64> = (0..100).map(|i| (i as f64 * 0.73).cos()).collect();
    /// let z = vec![0.0; 100];
    /// let bump = Bump::new();
    /// let params = TreeParams { leaf_size: 4, ..TreeParams::default() };
    /// let tree = Tree::build(&bump, Points::new(&x, &y, &z), &params)?;
    /// // Point count and the sum of x: plain sums over the node's points.
    /// tree.check_moments(2, 1e-12, |node, _about, out| {
    ///     let node = tree.node(node);
    ///     out[0] = node.len() as f64;
    ///     out[1] = node.range().map(|k| tree.x()[k]).sum();
    /// })?;
    /// # Ok::<(), covar_kernel::fast::tree::TreeError>(())
    /// ```
    pub fn check_moments<F>(
        &self,
        len: usize,
        rel_tol: f64,
        mut moments: F,
    ) -> Result<(), TreeError>
    where
        F: FnMut(usize, usize, &mut [f64]),
    {
        let mut own = vec![0.0; len];
        let mut sum = vec![0.0; len];
        let mut scale = vec![0.0; len];
        let mut child_moments = vec![0.0; len];
        for (p, node) in self.nodes.iter().enumerate() {
            if node.is_leaf() {
                continue;
            }
            own.fill(0.0);
            moments(p, p, &mut own);
            sum.fill(0.0);
            for (s, o) in scale.iter_mut().zip(&own) {
                *s = o.abs();
            }
            for c in self.children(p) {
                child_moments.fill(0.0);
                moments(c, p, &mut child_moments);
                for i in 0..len {
                    sum[i] += child_moments[i];
                    scale[i] += child_moments[i].abs();
                }
            }
            for i in 0..len {
                let (diff, allowed) = ((own[i] - sum[i]).abs(), rel_tol * scale[i]);
                let within = diff <= allowed; // false for NaN too
                if !within {
                    return Err(broken(
                        Invariant::Moments,
                        Some(p),
                        format!(
                            "component {i}: node {:e}, sum of its {} children {:e}, \
                             |diff| = {diff:e} > allowed {allowed:e} (= {rel_tol:e} x {:e})",
                            own[i],
                            node.n_children(),
                            sum[i],
                            scale[i]
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Permutation, keys, root cube and sorted coordinates.
    fn check_points(&self, points: Points<'_>) -> Result<(), TreeError> {
        let n = self.len();
        for (what, got) in [
            ("x", points.x.len()),
            ("y", points.y.len()),
            ("z", points.z.len()),
        ] {
            if got != n {
                return Err(TreeError::LengthMismatch {
                    what,
                    expected: n,
                    got,
                });
            }
        }
        for (what, got) in [
            ("rank", self.rank.len()),
            ("keys", self.keys.len()),
            ("sorted x", self.x.len()),
            ("sorted y", self.y.len()),
            ("sorted z", self.z.len()),
        ] {
            if got != n {
                return Err(broken(
                    Invariant::Lengths,
                    None,
                    format!("`{what}` has {got} elements for {n} points"),
                ));
            }
        }
        for (k, &i) in self.order.iter().enumerate() {
            let i = i as usize;
            if i >= n || self.sorted_index(i) != k {
                return Err(broken(
                    Invariant::Permutation,
                    None,
                    format!(
                        "order[{k}] = {i}, but the inverse maps it to {}",
                        self.rank
                            .get(i)
                            .map_or(usize::MAX, |r| r.load(Ordering::Relaxed) as usize)
                    ),
                ));
            }
        }
        let cube = bounding_cube(points)?;
        if cube != self.cube {
            return Err(broken(
                Invariant::Root,
                None,
                format!(
                    "the root cube is {:?}, the bounding cube of the points is {cube:?}",
                    self.cube
                ),
            ));
        }
        let original = [points.x, points.y, points.z];
        for (k, &(key, i)) in self.keys.iter().enumerate() {
            if i != self.order[k] || (k > 0 && self.keys[k - 1] >= (key, i)) {
                return Err(broken(
                    Invariant::Keys,
                    None,
                    format!(
                        "sorted pair {k} is (key {key:#x}, index {i}), order[{k}] = {}, \
                         previous pair {:?}: not strictly increasing with matching indices",
                        self.order[k],
                        k.checked_sub(1).map(|j| self.keys[j])
                    ),
                ));
            }
            let i = i as usize;
            let p = original.map(|c| c[i]);
            if cube.key(p) != key {
                return Err(broken(
                    Invariant::Keys,
                    None,
                    format!(
                        "point {i} at {p:?} has key {:#x}, the tree stores {key:#x}",
                        cube.key(p)
                    ),
                ));
            }
            let sorted = [self.x[k], self.y[k], self.z[k]];
            if sorted.map(f64::to_bits) != p.map(f64::to_bits) {
                return Err(broken(
                    Invariant::SortedCoordinates,
                    None,
                    format!("sorted point {k} is {sorted:?}, original point {i} is {p:?}"),
                ));
            }
        }
        Ok(())
    }

    /// Root, node ranges and cells, leaf rule, children, cubes, boxes,
    /// spheres and pre-order links.
    fn check_nodes(&self) -> Result<(), TreeError> {
        let (n, m, nodes) = (self.len(), self.nodes.len(), self.nodes);
        if n == 0 {
            return if m == 0 {
                Ok(())
            } else {
                Err(broken(
                    Invariant::Root,
                    None,
                    format!("{m} nodes for no point"),
                ))
            };
        }
        let Some(root) = nodes.first() else {
            return Err(broken(
                Invariant::Root,
                None,
                format!("no node for {n} points"),
            ));
        };
        if root.range() != (0..n) || root.level != 0 || root.parent().is_some() {
            return Err(broken(
                Invariant::Root,
                Some(0),
                format!(
                    "root covers {:?} at level {} with parent {:?}; expected 0..{n}, level 0, none",
                    root.range(),
                    root.level,
                    root.parent()
                ),
            ));
        }
        if root.subtree_end() != m {
            return Err(broken(
                Invariant::PreOrder,
                Some(0),
                format!(
                    "root subtree ends at {}, there are {m} nodes",
                    root.subtree_end()
                ),
            ));
        }
        let slack = CUBE_ULPS * f64::EPSILON * self.cube.scale();
        for (p, node) in nodes.iter().enumerate() {
            self.check_node(p, node)?;
            let bounds = if node.is_leaf() {
                self.check_leaf_points(p, node, slack)?;
                Bounds::of(self.coords(), node.range())
            } else {
                self.check_children(p, node, slack)?
            };
            if bounds != node.bounds() || node.expansion_center != bounds.center() {
                return Err(broken(
                    Invariant::BoundingBox,
                    Some(p),
                    format!(
                        "box {:?}..{:?} with expansion center {:?}; the {} are {:?}..{:?} \
                         with center {:?}",
                        node.bbox_min,
                        node.bbox_max,
                        node.expansion_center,
                        if node.is_leaf() {
                            "points' bounds"
                        } else {
                            "children's bounds"
                        },
                        bounds.min,
                        bounds.max,
                        bounds.center()
                    ),
                ));
            }
            let d = max_distance(self.coords(), node.range(), node.expansion_center);
            let r = node.r_max;
            if !(d <= r * (1.0 + SPHERE_SLACK) + f64::MIN_POSITIVE
                && r <= d * (1.0 + SPHERE_SLACK) + f64::MIN_POSITIVE)
            {
                return Err(broken(
                    Invariant::Sphere,
                    Some(p),
                    format!(
                        "r_max is {r:e}, the farthest point is at {d:e} from the expansion center"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The checks on one node that need no other node but its parent.
    fn check_node(&self, p: usize, node: &Node) -> Result<(), TreeError> {
        let (n, m) = (self.len(), self.nodes.len());
        if !(node.begin < node.end && node.end() <= n && node.level <= MAX_LEVEL) {
            return Err(broken(
                Invariant::NodeRange,
                Some(p),
                format!(
                    "range {:?} at level {} (need a non-empty range within 0..{n}, level <= {MAX_LEVEL})",
                    node.range(),
                    node.level
                ),
            ));
        }
        let (first, last) = (self.keys[node.begin()].0, self.keys[node.end() - 1].0);
        if prefix(first, node.level) != prefix(last, node.level) {
            return Err(broken(
                Invariant::NodeRange,
                Some(p),
                format!(
                    "its points do not share one level-{} cell: keys {first:#x} .. {last:#x}",
                    node.level
                ),
            ));
        }
        let (center, half_width) = self.cube.cell(first, node.level);
        if center != node.center || half_width != node.half_width {
            return Err(broken(
                Invariant::NodeRange,
                Some(p),
                format!(
                    "cube at {:?} of half-width {:e}; its keys name the cell at {center:?} \
                     of half-width {half_width:e}",
                    node.center, node.half_width
                ),
            ));
        }
        let should_be_leaf = node.len() <= self.params.leaf_size || node.level == MAX_LEVEL;
        if should_be_leaf != node.is_leaf() {
            return Err(broken(
                Invariant::LeafRule,
                Some(p),
                format!(
                    "{} points at level {} with {} children (leaf_size {})",
                    node.len(),
                    node.level,
                    node.n_children,
                    self.params.leaf_size
                ),
            ));
        }
        let links_ok = p < node.subtree_end()
            && node.subtree_end() <= m
            && match node.first_child() {
                None => node.is_leaf() && node.subtree_end() == p + 1,
                Some(c) => !node.is_leaf() && c == p + 1 && node.n_children() <= 8,
            }
            && match node.parent() {
                None => p == 0,
                Some(q) => q < p && node.subtree_end() <= self.nodes[q].subtree_end(),
            };
        if !links_ok {
            return Err(broken(
                Invariant::PreOrder,
                Some(p),
                format!(
                    "parent {:?}, first child {:?}, {} children, subtree end {} ({m} nodes)",
                    node.parent(),
                    node.first_child(),
                    node.n_children,
                    node.subtree_end
                ),
            ));
        }
        Ok(())
    }

    /// Every point of leaf `p` lies in its cube, within `slack`.
    fn check_leaf_points(&self, p: usize, node: &Node, slack: f64) -> Result<(), TreeError> {
        for k in node.range() {
            let point = [self.x[k], self.y[k], self.z[k]];
            for a in 0..3 {
                let off = (point[a] - node.center[a]).abs();
                let inside = off <= node.half_width + slack; // false for NaN too
                if !inside {
                    return Err(broken(
                        Invariant::PointInCube,
                        Some(p),
                        format!(
                            "sorted point {k} at {point:?} is {off:e} from the center {:?} on axis \
                             {a}; half-width {:e}, slack {slack:e}",
                            node.center, node.half_width
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The children of internal node `p`: links, partition, octant order and
    /// cubes. Returns the union of their boxes.
    fn check_children(&self, p: usize, node: &Node, slack: f64) -> Result<Bounds, TreeError> {
        let nodes = self.nodes;
        let mut bounds = Bounds::EMPTY;
        let mut child = p + 1;
        let mut next_begin = node.begin();
        let mut previous_cell = None;
        for i in 0..node.n_children() {
            if child >= node.subtree_end() {
                return Err(broken(
                    Invariant::PreOrder,
                    Some(p),
                    format!(
                        "child {i} would be node {child}, past the subtree end {}",
                        node.subtree_end
                    ),
                ));
            }
            let c = &nodes[child];
            let cell = prefix(self.keys[c.begin()].0, c.level);
            if c.parent() != Some(p)
                || c.level != node.level + 1
                || c.begin() != next_begin
                || previous_cell.is_some_and(|prev| prev >= cell)
            {
                return Err(broken(
                    Invariant::Children,
                    Some(p),
                    format!(
                        "child {i} (node {child}): parent {:?}, level {}, range {:?}, cell {cell:#x}; \
                         expected parent {p}, level {}, a range starting at {next_begin}, \
                         a cell after {previous_cell:#x?}",
                        c.parent(),
                        c.level,
                        c.range(),
                        node.level + 1
                    ),
                ));
            }
            let offset_ok = (0..3)
                .all(|a| ((c.center[a] - node.center[a]).abs() - c.half_width).abs() <= slack);
            if c.half_width != 0.5 * node.half_width || !offset_ok {
                return Err(broken(
                    Invariant::ChildCube,
                    Some(p),
                    format!(
                        "child {child}: cube at {:?} of half-width {:e} is not an octant of the \
                         cube at {:?} of half-width {:e} (slack {slack:e})",
                        c.center, c.half_width, node.center, node.half_width
                    ),
                ));
            }
            bounds = bounds.merge(c.bounds());
            next_begin = c.end();
            previous_cell = Some(cell);
            child = c.subtree_end().max(child + 1);
        }
        if child != node.subtree_end() || next_begin != node.end() {
            return Err(broken(
                Invariant::Children,
                Some(p),
                format!(
                    "the children's subtrees end at node {child} (subtree end {}) and their \
                     points at {next_begin} (range end {})",
                    node.subtree_end, node.end
                ),
            ));
        }
        Ok(bounds)
    }

    /// The leaf list: the leaves in pre-order, tiling `0..n`.
    fn check_leaves(&self) -> Result<(), TreeError> {
        let mut expected = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.is_leaf())
            .map(|(p, _)| p);
        let mut next_begin = 0;
        for (j, &leaf) in self.leaves.iter().enumerate() {
            let leaf = leaf as usize;
            let want = expected.next();
            if want != Some(leaf) || self.nodes[leaf].begin() != next_begin {
                return Err(broken(
                    Invariant::Leaves,
                    Some(leaf),
                    format!(
                        "leaf list entry {j} is node {leaf} starting at point {}; expected node \
                         {want:?} starting at point {next_begin}",
                        self.nodes.get(leaf).map_or(usize::MAX, Node::begin)
                    ),
                ));
            }
            next_begin = self.nodes[leaf].end();
        }
        if let Some(missing) = expected.next() {
            return Err(broken(
                Invariant::Leaves,
                Some(missing),
                "a leaf is missing from the leaf list".to_owned(),
            ));
        }
        if next_begin != self.len() {
            return Err(broken(
                Invariant::Leaves,
                None,
                format!(
                    "the leaves cover points 0..{next_begin} of 0..{}",
                    self.len()
                ),
            ));
        }
        Ok(())
    }

    /// The statistics agree with the tree.
    fn check_stats(&self) -> Result<(), TreeError> {
        let s = &self.stats;
        let (depth, max_leaf_len) = self.leaves.iter().fold((0, 0), |(d, l), &leaf| {
            let leaf = &self.nodes[leaf as usize];
            (d.max(leaf.level), l.max(leaf.len()))
        });
        let want = (
            self.len(),
            self.nodes.len(),
            self.leaves.len(),
            depth,
            max_leaf_len,
        );
        let got = (s.points, s.nodes, s.leaves, s.depth, s.max_leaf_len);
        if got != want {
            return Err(broken(
                Invariant::Stats,
                None,
                format!(
                    "(points, nodes, leaves, depth, max leaf) recorded {got:?}, actual {want:?}"
                ),
            ));
        }
        Ok(())
    }
}
