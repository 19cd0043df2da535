//! Sums at a subset of the sources ([`Targets::SourceSubset`]): the tree
//! and the multipoles hold every source, as for the sums at all sources;
//! the traversal visits only the target nodes whose subtree holds one of
//! the subset's targets.
//!
//! A visited node gets exactly the work, in the same order, that it gets in
//! the sums at all sources: its candidates and the local expansion it
//! inherits come from its ancestors alone, which are visited too, and a
//! visited leaf evaluates all of its points, of which only the targets'
//! rows are written. So each target's sums are the bits of its row in the
//! sums at all sources (same parameters, instruction set); the nodes
//! holding no target get no M2L, no L2L and no near field. When each
//! process of a distributed run sums at a compact part of the Morton curve,
//! its traversal shrinks with its share; the tree and the upward pass stay
//! whole.
//!
//! [`Targets::SourceSubset`]: crate::Targets::SourceSubset

use bumpalo::Bump;

use super::tree::Tree;
use crate::output::DROPPED;

/// The targets of a subset among the sorted points of the sources' tree.
pub(super) struct Subset<'b> {
    /// `slot[k]`: the output row of sorted point `k`, or [`DROPPED`] if it
    /// is no target (an order for [`OutWriter::permuted`]).
    ///
    /// [`OutWriter::permuted`]: crate::output::OutWriter::permuted
    pub(super) slot: &'b [u32],
    /// `per_node[a]`: how many targets node `a`'s subtree holds.
    pub(super) per_node: &'b [u32],
}

impl<'b> Subset<'b> {
    /// The subset of `tree`'s points whose original indices are `index`
    /// (validated: strictly increasing, in range).
    pub(super) fn new(bump: &'b Bump, tree: &Tree<'_>, index: &[usize]) -> Self {
        let slot = bump.alloc_slice_fill_copy(tree.len(), DROPPED);
        for (t, &i) in index.iter().enumerate() {
            slot[tree.sorted_index(i)] = t as u32;
        }
        let nodes = tree.nodes();
        let per_node = bump.alloc_slice_fill_copy(nodes.len(), 0u32);
        // Pre-order: a node's children come after it.
        for a in (0..nodes.len()).rev() {
            per_node[a] = if nodes[a].is_leaf() {
                slot[nodes[a].range()]
                    .iter()
                    .filter(|&&t| t != DROPPED)
                    .count() as u32
            } else {
                tree.children(a).map(|c| per_node[c]).sum()
            };
        }
        Self { slot, per_node }
    }
}
