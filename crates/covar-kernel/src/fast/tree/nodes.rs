//! The node array: the top of the tree serially, subtrees in parallel,
//! stitched into one pre-order array.
//!
//! 1. **Plan** (serial): walk down from the root; a node with more than
//!    `grain` points that is not a leaf is a *top node*, any other node roots
//!    a *task* subtree. The walk lists top nodes and tasks in pre-order
//!    (counted first, then written into an arena slice).
//! 2. **Count** (parallel over tasks): each task counts its nodes and leaves.
//! 3. **Place** (serial): prefix sums give every top node and task its slot
//!    in the pre-order node array and in the leaf list.
//! 4. **Fill** (parallel over tasks): each task writes its subtree into its
//!    own disjoint slices (carved with `split_at_mut`).
//! 5. **Finish** (serial over top nodes, bottom-up): boxes and spheres of
//!    the top nodes from their subtrees.
//!
//! A leaf's box and sphere come from its points. An internal node's box is
//! the union of its children's; its `r_max`, the largest distance from its
//! expansion center to one of its points, comes from a branch-and-bound
//! search over its subtree's spheres
//! ([`max_distance_below`](super::node::max_distance_below)), which gives the
//! same value as a pass over all the points at a fraction of the cost.
//!
//! The plan depends on the thread count; the tree does not (a node is a
//! leaf by [`Shape::is_leaf`] alone, and every value is computed from the
//! node's own points with exact operations or in a fixed order).

use std::ops::Range;

use bumpalo::Bump;
use rayon::prelude::*;

use super::morton::{Cube, octant};
use super::node::{Bounds, NONE, Node, max_distance, max_distance_below};
use super::{MAX_LEVEL, TreeError, TreeParams};

/// Subtrees per thread the plan aims for, for load balance.
const TASKS_PER_THREAD: usize = 8;

/// Nodes with at most this many points find their octants by one linear
/// scan of their keys, longer ones by binary search.
const LINEAR_SPLIT: usize = 4096;

/// The node array and leaf list of a tree, in the arena.
pub(super) struct Built<'bump> {
    pub nodes: &'bump [Node],
    pub leaves: &'bump [u32],
    /// Number of parallel tasks used.
    pub tasks: usize,
}

/// The rule that shapes the tree: which nodes are leaves and how a node
/// splits. Everything here reads only the sorted keys.
#[derive(Clone, Copy)]
struct Shape<'a> {
    keys: &'a [(u64, u32)],
    leaf_size: usize,
}

impl Shape<'_> {
    /// A node is a leaf when it holds at most `leaf_size` points or is at
    /// the deepest level.
    #[inline]
    fn is_leaf(&self, level: u8, range: &Range<usize>) -> bool {
        range.len() <= self.leaf_size || level == MAX_LEVEL
    }

    /// The octant boundaries of a node of level `level < 21` over `range`:
    /// octant `d` holds the points `bounds[d]..bounds[d + 1]`.
    ///
    /// Short ranges are scanned once, counting octants: seven binary searches
    /// are latency-bound chains of cache misses, slower than streaming a few
    /// thousand keys. Long ranges are binary-searched.
    #[inline]
    fn split(&self, level: u8, range: &Range<usize>) -> [usize; 9] {
        let mut bounds = [range.end; 9];
        bounds[0] = range.start;
        if range.len() <= LINEAR_SPLIT {
            let mut counts = [0usize; 8];
            for k in &self.keys[range.clone()] {
                counts[octant(k.0, level)] += 1;
            }
            for d in 0..8 {
                bounds[d + 1] = bounds[d] + counts[d];
            }
        } else {
            let mut lo = range.start;
            for (d, bound) in bounds.iter_mut().enumerate().take(8).skip(1) {
                let keys = &self.keys[lo..range.end];
                lo += keys.partition_point(|k| octant(k.0, level) < d);
                *bound = lo;
            }
        }
        bounds
    }

    /// The non-empty octants of a node, as (level + 1, range) of each child.
    #[inline]
    fn children(
        self,
        level: u8,
        range: &Range<usize>,
    ) -> impl Iterator<Item = Range<usize>> + use<> {
        let b = self.split(level, range);
        (0..8)
            .map(move |d| b[d]..b[d + 1])
            .filter(|r| !r.is_empty())
    }

    /// Nodes and leaves of the subtree rooted at (level, range).
    fn count(&self, level: u8, range: Range<usize>) -> (usize, usize) {
        if self.is_leaf(level, &range) {
            return (1, 1);
        }
        self.children(level, &range).fold((1, 0), |(n, l), child| {
            let (cn, cl) = self.count(level + 1, child);
            (n + cn, l + cl)
        })
    }
}

/// One entry of the plan: a top node or a task subtree.
#[derive(Clone, Copy, Debug, Default)]
struct Item {
    level: u8,
    begin: u32,
    end: u32,
    /// Plan index of the parent item, `NONE` for the root.
    parent: u32,
    task: bool,
    /// Nodes of this item itself: 1 for a top node, the subtree for a task.
    nodes: usize,
    /// Leaves of this item itself: 0 for a top node.
    leaves: usize,
    /// Nodes of the whole subtree under this item.
    subtree: usize,
    /// Index of the item's (first) node in the node array.
    offset: usize,
    /// Index of the item's first leaf in the leaf list.
    leaf_offset: usize,
}

impl Item {
    fn range(&self) -> Range<usize> {
        self.begin as usize..self.end as usize
    }
}

/// The serial walk of step 1. With `out == None` it only counts the items.
struct Planner<'a, 'p> {
    shape: Shape<'a>,
    grain: usize,
    out: Option<&'p mut [Item]>,
    next: usize,
}

impl Planner<'_, '_> {
    fn walk(&mut self, level: u8, range: Range<usize>, parent: u32) {
        let index = self.next;
        self.next += 1;
        let task = self.shape.is_leaf(level, &range) || range.len() <= self.grain;
        if let Some(out) = self.out.as_deref_mut() {
            out[index] = Item {
                level,
                begin: range.start as u32,
                end: range.end as u32,
                parent,
                task,
                nodes: 1,
                ..Item::default()
            };
        }
        if !task {
            for child in self.shape.children(level, &range) {
                self.walk(level + 1, child, index as u32);
            }
        }
    }
}

/// What a task writes: its subtree's nodes and leaves.
struct Job<'s> {
    item: Item,
    /// Node index of the task root's parent (`NONE` for the root).
    parent: u32,
    nodes: &'s mut [Node],
    leaves: &'s mut [u32],
}

/// Fills the subtree of one task, depth-first (recursion depth <= 22).
struct Filler<'a, 's> {
    shape: Shape<'a>,
    pts: [&'a [f64]; 3],
    cube: Cube,
    nodes: &'s mut [Node],
    leaves: &'s mut [u32],
    /// Global index of `nodes[0]`.
    base: usize,
    next: usize,
    next_leaf: usize,
}

impl Filler<'_, '_> {
    /// Writes the node (level, range) and its subtree; returns its local index.
    fn fill(&mut self, level: u8, range: Range<usize>, parent: u32) -> usize {
        let local = self.next;
        self.next += 1;
        let global = (self.base + local) as u32;
        let mut node = new_node(self.shape, self.cube, level, &range, parent);
        if self.shape.is_leaf(level, &range) {
            self.leaves[self.next_leaf] = global;
            self.next_leaf += 1;
            node.set_box(Bounds::of(self.pts, range.clone()));
            node.r_max = max_distance(self.pts, range, node.expansion_center);
        } else {
            node.first_child = global + 1;
            let mut bounds = Bounds::EMPTY;
            for child in self.shape.children(level, &range) {
                let c = self.fill(level + 1, child, global);
                bounds = bounds.merge(self.nodes[c].bounds());
                node.n_children += 1;
            }
            node.set_box(bounds);
            let c = node.expansion_center;
            node.r_max =
                max_distance_below(self.nodes, self.base, local + 1, self.next, self.pts, c);
        }
        node.subtree_end = (self.base + self.next) as u32;
        self.nodes[local] = node;
        local
    }
}

/// A node with its range, cube and parent set; links and geometry to fill.
fn new_node(shape: Shape<'_>, cube: Cube, level: u8, range: &Range<usize>, parent: u32) -> Node {
    let (center, half_width) = cube.cell(shape.keys[range.start].0, level);
    Node {
        begin: range.start as u32,
        end: range.end as u32,
        level,
        parent,
        first_child: NONE,
        center,
        half_width,
        ..Node::default()
    }
}

/// Builds the node array and leaf list over the sorted `keys` and
/// coordinates `pts` (steps 1 to 5 of the module docs).
pub(super) fn build_nodes<'bump>(
    bump: &'bump Bump,
    keys: &'bump [(u64, u32)],
    pts: [&'bump [f64]; 3],
    cube: Cube,
    params: &TreeParams,
) -> Result<Built<'bump>, TreeError> {
    let n = keys.len();
    if n == 0 {
        return Ok(Built {
            nodes: &[],
            leaves: &[],
            tasks: 0,
        });
    }
    let shape = Shape {
        keys,
        leaf_size: params.leaf_size,
    };
    let threads = rayon::current_num_threads().max(1);
    let grain = params
        .min_task_points
        .max(n.div_ceil(TASKS_PER_THREAD * threads));

    // 1. Plan: count the items, then list them in pre-order.
    let mut planner = Planner {
        shape,
        grain,
        out: None,
        next: 0,
    };
    planner.walk(0, 0..n, NONE);
    let items = bump.alloc_slice_fill_copy(planner.next, Item::default());
    planner.out = Some(&mut *items);
    planner.next = 0;
    planner.walk(0, 0..n, NONE);

    // 2. Count the tasks' nodes and leaves.
    items
        .par_iter_mut()
        .with_max_len(1)
        .filter(|item| item.task)
        .for_each(|item| (item.nodes, item.leaves) = shape.count(item.level, item.range()));

    // 3. Place: subtree sizes bottom-up, then offsets in pre-order.
    for item in items.iter_mut() {
        item.subtree = item.nodes;
    }
    for i in (1..items.len()).rev() {
        let (parent, subtree) = (items[i].parent as usize, items[i].subtree);
        items[parent].subtree += subtree;
    }
    let (mut total, mut total_leaves, mut tasks) = (0, 0, 0);
    for item in items.iter_mut() {
        item.offset = total;
        item.leaf_offset = total_leaves;
        total += item.nodes;
        total_leaves += item.leaves;
        tasks += usize::from(item.task);
    }
    if total > NONE as usize {
        return Err(TreeError::TooLarge {
            what: "nodes",
            count: total,
            max: NONE as usize,
        });
    }
    let items: &[Item] = items;

    // 4. Fill the tasks' disjoint slices in parallel.
    let nodes = bump.alloc_slice_fill_copy(total, Node::default());
    let leaves = bump.alloc_slice_fill_copy(total_leaves, 0u32);
    {
        let (mut rest_nodes, mut rest_leaves) = (&mut nodes[..], &mut leaves[..]);
        let mut carve = items.iter().filter_map(|item| {
            let (head, tail) = std::mem::take(&mut rest_nodes).split_at_mut(item.nodes);
            rest_nodes = tail;
            let (lhead, ltail) = std::mem::take(&mut rest_leaves).split_at_mut(item.leaves);
            rest_leaves = ltail;
            item.task.then(|| Job {
                item: *item,
                parent: parent_node(items, item),
                nodes: head,
                leaves: lhead,
            })
        });
        let jobs = bump.alloc_slice_fill_with(tasks, |_| carve.next().expect("tasks counted"));
        jobs.par_iter_mut().with_max_len(1).for_each(|job| {
            let mut filler = Filler {
                shape,
                pts,
                cube,
                nodes: &mut *job.nodes,
                leaves: &mut *job.leaves,
                base: job.item.offset,
                next: 0,
                next_leaf: 0,
            };
            filler.fill(job.item.level, job.item.range(), job.parent);
            debug_assert_eq!(filler.next, job.item.nodes);
            debug_assert_eq!(filler.next_leaf, job.item.leaves);
        });
    }

    // 5. Finish the top nodes, children first (reverse pre-order).
    for item in items.iter().rev().filter(|item| !item.task) {
        let range = item.range();
        let mut node = new_node(shape, cube, item.level, &range, parent_node(items, item));
        let index = item.offset;
        let end = index + item.subtree;
        node.first_child = (index + 1) as u32;
        node.subtree_end = end as u32;
        let mut bounds = Bounds::EMPTY;
        let mut child = index + 1;
        while child < end {
            bounds = bounds.merge(nodes[child].bounds());
            node.n_children += 1;
            child = nodes[child].subtree_end();
        }
        node.set_box(bounds);
        node.r_max = max_distance_below(nodes, 0, index + 1, end, pts, node.expansion_center);
        nodes[index] = node;
    }

    Ok(Built {
        nodes,
        leaves,
        tasks,
    })
}

/// Node index of an item's parent, `NONE` for the root.
fn parent_node(items: &[Item], item: &Item) -> u32 {
    if item.parent == NONE {
        NONE
    } else {
        items[item.parent as usize].offset as u32
    }
}
