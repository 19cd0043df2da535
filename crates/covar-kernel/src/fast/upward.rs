//! The upward pass: multipole expansions of every source node (P2M at the
//! leaves, M2M into parents), in parallel over subtrees.

use crate::simd::Isa;
use rayon::prelude::*;

use crate::fast::expansion::{Channels, Frame, Operators};
use crate::fast::tree::Tree;

/// Subtrees with more points than this are processed in parallel.
const PARALLEL_POINTS: usize = 16_384;

/// The frame of node `i`: its expansion center, and its radius as the unit
/// (its half-width when all its points sit on the center).
pub(crate) fn frame(tree: &Tree<'_>, i: usize) -> Frame {
    let node = tree.node(i);
    let r = node.r_max();
    Frame {
        center: node.expansion_center(),
        scale: if r > 0.0 {
            r
        } else {
            node.half_width().max(f64::MIN_POSITIVE)
        },
    }
}

/// Shared inputs of the pass.
pub(crate) struct Upward<'a> {
    pub(crate) tree: &'a Tree<'a>,
    /// Sorted channel values, channel-major with stride `tree.len()`.
    pub(crate) channels: &'a [f64],
    pub(crate) order: usize,
    pub(crate) nd: usize,
    /// Instruction set of P2M.
    pub(crate) isa: Isa,
}

impl Upward<'_> {
    /// Fills `m` (one expansion per node, in node order) for the whole tree.
    pub(crate) fn run(&self, m: &mut [f64]) {
        if self.tree.is_empty() {
            return;
        }
        let mut ops = Operators::new(self.order, self.nd)
            .with_isa(self.isa)
            .expect("the backend's instruction set is available");
        self.subtree(0, m, &mut ops);
    }

    /// Node `i`'s subtree; `m` covers nodes `i .. subtree_end(i)`.
    fn subtree(&self, i: usize, m: &mut [f64], ops: &mut Operators) {
        let len = ops.expansion_len();
        let tree = self.tree;
        let node = tree.node(i);
        let (own, mut rest) = m.split_at_mut(len);
        own.fill(0.0);
        if node.is_leaf() {
            let r = node.range();
            let pts = tree.points();
            let points =
                crate::Points::new(&pts.x[r.clone()], &pts.y[r.clone()], &pts.z[r.clone()]);
            ops.p2m(
                frame(tree, i),
                points,
                Channels::new(&self.channels[r.start..], tree.len()),
                own,
            );
            return;
        }
        let mut children: [(usize, &mut [f64]); 8] = Default::default();
        let mut k = 0;
        for c in tree.children(i) {
            let size = (tree.node(c).subtree_end() - c) * len;
            let (a, b) = std::mem::take(&mut rest).split_at_mut(size);
            children[k] = (c, a);
            rest = b;
            k += 1;
        }
        let children = &mut children[..k];
        if node.len() > PARALLEL_POINTS {
            children.par_iter_mut().for_each_init(
                || {
                    Operators::new(self.order, self.nd)
                        .with_isa(self.isa)
                        .expect("the backend's instruction set is available")
                },
                |ops, (c, s)| self.subtree(*c, s, ops),
            );
        } else {
            for (c, s) in children.iter_mut() {
                self.subtree(*c, s, ops);
            }
        }
        let parent = frame(tree, i);
        for (c, s) in children.iter() {
            ops.m2m(frame(tree, *c), &s[..len], parent, own);
        }
    }
}
