//! The fast (tree / multipole) backend: O(N) Laplace sums with a user-set
//! accuracy. Under construction: the octree ([`tree`]) and the multipole
//! and local expansions with their translations ([`expansion`]) are built
//! and tested stage by stage; the dual-tree traversal that combines them
//! into a [`LaplaceSum`](crate::LaplaceSum) backend comes next.

pub mod expansion;
pub mod tree;
