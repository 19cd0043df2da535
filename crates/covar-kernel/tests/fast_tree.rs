//! The octree of the fast backend: invariants after every build on four
//! distributions and all sizes that matter, determinism across thread
//! counts, degenerate inputs, errors, the gather/scatter round trip, node
//! moments, and arena reuse without global allocations.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::f64::consts::PI;

use bumpalo::Bump;
use common::uniform;
use covar_kernel::fast::tree::{Invariant, MAX_LEVEL, Node, Tree, TreeError, TreeParams};
use covar_kernel::{Field, Points};
use proptest::prelude::*;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

// ---------------------------------------------------------------------------
// An allocator that counts, per thread, the allocations of threads that opt
// in (the rayon workers of one test's pool), to show that a warm rebuild
// does not touch the global allocator.

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct CountingAllocator;

// SAFETY: every call forwards to `System` unchanged; the bookkeeping touches
// only const-initialized thread-locals (no allocation, no re-entrancy), with
// `try_with` so that it is skipped during thread teardown.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn count() {
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

// ---------------------------------------------------------------------------
// Seeded point sets.

/// Owned coordinates.
#[derive(Clone, Debug)]
struct Cloud {
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
}

impl Cloud {
    fn from_fn(
        n: usize,
        seed: u64,
        mut f: impl FnMut(&mut Xoshiro256PlusPlus) -> [f64; 3],
    ) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut c = Cloud {
            x: Vec::with_capacity(n),
            y: Vec::with_capacity(n),
            z: Vec::with_capacity(n),
        };
        for _ in 0..n {
            c.push(f(&mut rng));
        }
        c
    }

    fn push(&mut self, p: [f64; 3]) {
        self.x.push(p[0]);
        self.y.push(p[1]);
        self.z.push(p[2]);
    }

    fn len(&self) -> usize {
        self.x.len()
    }

    fn points(&self) -> Points<'_> {
        Points::new(&self.x, &self.y, &self.z)
    }

    fn point(&self, i: usize) -> [f64; 3] {
        [self.x[i], self.y[i], self.z[i]]
    }
}

/// A uniformly random unit vector.
fn direction(rng: &mut Xoshiro256PlusPlus) -> [f64; 3] {
    let cos_t = uniform(rng, -1.0, 1.0);
    let sin_t = (1.0 - cos_t * cos_t).sqrt();
    let phi = uniform(rng, 0.0, 2.0 * PI);
    [sin_t * phi.cos(), sin_t * phi.sin(), cos_t]
}

/// The four distributions of the fast-backend tests.
#[derive(Clone, Copy, Debug)]
enum Dist {
    /// Uniform in the cube [-1, 1)^3.
    Uniform,
    /// Plummer sphere (scale radius 1, strongly clustered, untruncated up
    /// to the 99.9 % mass radius ~ 26): radius from the cumulative mass
    /// `M(r) = r^3 / (1 + r^2)^(3/2)`, isotropic direction.
    Plummer,
    /// On the unit sphere.
    Sphere,
    /// A thin disk: radius 1, uniform in area, thickness 2e-3.
    Disk,
}

const DISTS: [Dist; 4] = [Dist::Uniform, Dist::Plummer, Dist::Sphere, Dist::Disk];

impl Dist {
    fn cloud(self, n: usize, seed: u64) -> Cloud {
        Cloud::from_fn(n, seed, |rng| match self {
            Dist::Uniform => [0; 3].map(|_| uniform(rng, -1.0, 1.0)),
            Dist::Plummer => {
                let m = uniform(rng, 1e-9, 0.999);
                let r = 1.0 / (m.powf(-2.0 / 3.0) - 1.0).sqrt();
                direction(rng).map(|d| r * d)
            }
            Dist::Sphere => direction(rng),
            Dist::Disk => {
                let r = uniform(rng, 0.0, 1.0).sqrt();
                let phi = uniform(rng, 0.0, 2.0 * PI);
                [r * phi.cos(), r * phi.sin(), uniform(rng, -1e-3, 1e-3)]
            }
        })
    }
}

const SIZES: [usize; 9] = [0, 1, 2, 3, 63, 64, 65, 1000, 100_000];

fn params(leaf_size: usize) -> TreeParams {
    TreeParams {
        leaf_size,
        ..TreeParams::default()
    }
}

/// Builds and validates, panicking with the error's message.
fn build<'b>(bump: &'b Bump, cloud: &Cloud, params: &TreeParams) -> Tree<'b> {
    let tree = Tree::build(bump, cloud.points(), params)
        .unwrap_or_else(|e| panic!("build of {} points failed: {e}", cloud.len()));
    if let Err(e) = tree.validate(cloud.points()) {
        panic!("{} points, {params:?}: {e}", cloud.len());
    }
    tree
}

fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

/// Every bit of a node, for exact comparisons.
fn node_bits(node: &Node) -> Vec<u64> {
    let mut bits: Vec<u64> = [
        node.center(),
        node.bbox_min(),
        node.bbox_max(),
        node.expansion_center(),
    ]
    .iter()
    .flatten()
    .chain(&[node.half_width(), node.r_max()])
    .map(|v| v.to_bits())
    .collect();
    bits.extend(
        [
            node.begin(),
            node.end(),
            usize::from(node.level()),
            node.parent().unwrap_or(usize::MAX),
            node.first_child().unwrap_or(usize::MAX),
            node.n_children(),
            node.subtree_end(),
        ]
        .map(|v| v as u64),
    );
    bits
}

/// Everything the tree stores except timings, as bits.
fn tree_bits(tree: &Tree<'_>) -> Vec<u64> {
    let mut bits: Vec<u64> = tree.nodes().iter().flat_map(node_bits).collect();
    bits.extend(tree.leaves().iter().map(|&l| u64::from(l)));
    bits.extend(tree.order().iter().map(|&i| u64::from(i)));
    bits.extend((0..tree.len()).map(|k| tree.key(k)));
    for c in [tree.x(), tree.y(), tree.z()] {
        bits.extend(c.iter().map(|v| v.to_bits()));
    }
    bits
}

// ---------------------------------------------------------------------------

#[test]
fn valid_on_all_distributions_and_sizes() {
    let mut bump = Bump::new();
    for dist in DISTS {
        for n in SIZES {
            let cloud = dist.cloud(n, 7 + n as u64);
            let tree = build(&bump, &cloud, &TreeParams::default());
            let stats = tree.stats();
            assert_eq!((tree.len(), stats.points), (n, n));
            assert_eq!(stats.nodes, tree.nodes().len());
            assert_eq!(tree.nodes().is_empty(), n == 0);
            assert!(tree.depth() <= MAX_LEVEL);
            assert!(
                stats.max_leaf_len <= 64,
                "{dist:?} n={n}: distinct points need no big leaf"
            );
            if n > 64 {
                assert!(
                    tree.depth() >= 1,
                    "{dist:?} n={n}: more than a leaf must split"
                );
            }
            bump.reset();
        }
    }
}

#[test]
fn valid_for_small_and_large_leaf_sizes() {
    let mut bump = Bump::new();
    for dist in DISTS {
        for n in [0, 1, 2, 3, 63, 64, 65, 1000] {
            let cloud = dist.cloud(n, 100 + n as u64);
            for leaf_size in [1, 2, 7, 64, 999, 1000, usize::MAX] {
                let tree = build(&bump, &cloud, &params(leaf_size));
                if leaf_size >= n && n > 0 {
                    assert_eq!(
                        tree.nodes().len(),
                        1,
                        "{dist:?} n={n} leaf_size={leaf_size}"
                    );
                }
                if leaf_size == 1 {
                    // Distinct points: every leaf holds one point.
                    assert_eq!(tree.leaves().len(), n, "{dist:?} n={n}");
                }
                bump.reset();
            }
        }
    }
    // leaf_size 1 on 1e5 clustered points: the deepest, largest trees.
    let cloud = Dist::Plummer.cloud(100_000, 3);
    let tree = build(&bump, &cloud, &params(1));
    assert_eq!(tree.leaves().len(), 100_000);
    assert!(tree.nodes().len() > 100_000);
}

#[test]
fn uniform_tree_has_the_expected_shape() {
    let bump = Bump::new();
    let cloud = Dist::Uniform.cloud(100_000, 11);
    let tree = build(&bump, &cloud, &TreeParams::default());
    let s = tree.stats();
    // 1e5 / 64 ~ 1563 leaves' worth: levels 4 (4096 cells of ~24 points)
    // and 3 (512 cells of ~195, split) dominate.
    assert!((3..=6).contains(&s.depth), "depth {}", s.depth);
    assert!((1000..=5000).contains(&s.leaves), "{} leaves", s.leaves);
    let mean = 1e5 / s.leaves as f64;
    assert!((15.0..=64.0).contains(&mean), "mean leaf occupancy {mean}");
    // The root cube is the bounding cube: half-width ~ 1, center ~ 0.
    let root = tree.root().unwrap();
    assert!((root.half_width() - 1.0).abs() < 1e-4);
    assert!(root.center().iter().all(|c| c.abs() < 1e-4));
    assert!(root.r_max() <= 3f64.sqrt() * 1.0001);
}

/// `r_max` (found by branch and bound over the children's spheres for
/// internal nodes) is bit for bit the distance of the farthest point.
#[test]
fn r_max_is_the_farthest_point_exactly() {
    let bump = Bump::new();
    for dist in DISTS {
        let cloud = dist.cloud(20_000, 13);
        for leaf_size in [1, 16, 64] {
            let tree = build(&bump, &cloud, &params(leaf_size));
            for (p, node) in tree.nodes().iter().enumerate() {
                let c = node.expansion_center();
                let d2 = node
                    .range()
                    .map(|k| {
                        let (dx, dy, dz) =
                            (tree.x()[k] - c[0], tree.y()[k] - c[1], tree.z()[k] - c[2]);
                        dx * dx + dy * dy + dz * dz
                    })
                    .fold(0.0, f64::max);
                assert_eq!(
                    node.r_max().to_bits(),
                    d2.sqrt().to_bits(),
                    "{dist:?} leaf_size {leaf_size} node {p}: r_max {} vs farthest {}",
                    node.r_max(),
                    d2.sqrt()
                );
            }
        }
    }
}

#[test]
fn same_tree_bits_for_1_2_3_threads() {
    let cases = [
        (Dist::Uniform.cloud(100_000, 1), TreeParams::default()),
        (Dist::Plummer.cloud(100_000, 2), TreeParams::default()),
        (Dist::Disk.cloud(30_000, 3), params(8)),
        // Many tiny tasks: the top of the tree is split down to single points.
        (
            Dist::Plummer.cloud(1000, 4),
            TreeParams {
                leaf_size: 3,
                min_task_points: 1,
            },
        ),
    ];
    for (cloud, params) in &cases {
        let reference = in_pool(1, || {
            let bump = Bump::new();
            tree_bits(&build(&bump, cloud, params))
        });
        for threads in [2, 3] {
            let (bits, tasks) = in_pool(threads, || {
                let bump = Bump::new();
                let tree = build(&bump, cloud, params);
                (tree_bits(&tree), tree.stats().tasks)
            });
            assert!(tasks >= 1);
            assert!(
                bits == reference,
                "n={} {params:?}: the tree on {threads} threads differs from 1 thread",
                cloud.len()
            );
        }
    }
}

#[test]
fn trees_can_be_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Tree<'static>>();
    send_sync::<Node>();
    send_sync::<TreeError>();
}

#[test]
fn empty_tree() {
    let bump = Bump::new();
    let cloud = Dist::Uniform.cloud(0, 1);
    let tree = build(&bump, &cloud, &TreeParams::default());
    assert!(tree.is_empty());
    assert!(tree.root().is_none());
    assert!(tree.leaves().is_empty() && tree.order().is_empty());
    assert_eq!(tree.depth(), 0);
    let mut out: [f64; 0] = [];
    tree.gather(&[], 3, &mut out).unwrap();
    tree.scatter(&[], 3, &mut out).unwrap();
    tree.check_moments(1, 0.0, |_, _, _| unreachable!("no node"))
        .unwrap();
}

#[test]
fn one_and_two_points() {
    let bump = Bump::new();
    let mut one = Cloud::from_fn(0, 0, |_| [0.0; 3]);
    one.push([1.5, -2.0, 3.25]);
    let tree = build(&bump, &one, &params(1));
    let root = tree.root().unwrap();
    assert_eq!(tree.nodes().len(), 1);
    assert!(root.is_leaf() && root.parent().is_none() && root.first_child().is_none());
    assert_eq!((root.half_width(), root.r_max()), (0.0, 0.0));
    assert_eq!(root.expansion_center(), [1.5, -2.0, 3.25]);
    assert_eq!(root.center(), [1.5, -2.0, 3.25]);

    let mut two = one.clone();
    two.push([-0.5, 0.0, 1.25]);
    let tree = build(&bump, &two, &params(1));
    // Opposite corners of the root cube: two leaves at level 1.
    assert_eq!(tree.nodes().len(), 3);
    assert_eq!(tree.children(0).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(tree.order(), [1, 0]);
    for leaf in [1, 2] {
        let node = tree.node(leaf);
        assert_eq!((node.level(), node.len(), node.parent()), (1, 1, Some(0)));
        assert_eq!(node.half_width(), 0.5 * tree.root().unwrap().half_width());
    }
    let root = tree.root().unwrap();
    assert_eq!(root.half_width(), 1.0);
    assert_eq!(root.expansion_center(), [0.5, -1.0, 2.25]);
    assert!((root.r_max() - 3f64.sqrt()).abs() < 1e-15);
    // With the default leaf size, the pair is one root leaf.
    assert_eq!(build(&bump, &two, &TreeParams::default()).nodes().len(), 1);
}

#[test]
fn all_points_at_one_point_make_one_deep_leaf() {
    let bump = Bump::new();
    let cloud = Cloud::from_fn(1000, 0, |_| [0.25, -7.0, 1e6]);
    let tree = build(&bump, &cloud, &TreeParams::default());
    // A chain of single children down to level 21, ending in one leaf.
    assert_eq!(tree.nodes().len(), usize::from(MAX_LEVEL) + 1);
    assert_eq!(tree.leaves(), [u32::from(MAX_LEVEL)]);
    let leaf = tree.node(usize::from(MAX_LEVEL));
    assert_eq!(
        (leaf.level(), leaf.len(), leaf.r_max()),
        (MAX_LEVEL, 1000, 0.0)
    );
    assert!(
        tree.nodes()
            .iter()
            .all(|n| n.n_children() <= 1 && n.half_width() == 0.0)
    );
    // Deterministic order: ties keep the original order.
    assert!(
        tree.order()
            .iter()
            .enumerate()
            .all(|(k, &i)| k == i as usize)
    );
}

#[test]
fn coincident_pairs_share_a_leaf() {
    let bump = Bump::new();
    let base = Dist::Uniform.cloud(500, 5);
    let mut cloud = base.clone();
    for i in 0..500 {
        cloud.push(base.point(i));
    }
    let tree = build(&bump, &cloud, &params(1));
    let leaf_of = |i: usize| {
        let k = tree.sorted_index(i);
        tree.leaves()
            .iter()
            .map(|&l| tree.node(l as usize))
            .position(|node| node.range().contains(&k))
            .unwrap()
    };
    for i in 0..500 {
        assert_eq!(leaf_of(i), leaf_of(500 + i), "pair {i} split");
    }
    for &l in tree.leaves() {
        let node = tree.node(l as usize);
        if node.len() > 1 {
            assert_eq!(
                node.level(),
                MAX_LEVEL,
                "a shared leaf must be at the deepest level"
            );
            assert_eq!(node.r_max(), 0.0);
        }
    }
    assert_eq!(tree.depth(), MAX_LEVEL);
}

#[test]
fn far_outlier_caps_the_depth() {
    let bump = Bump::new();
    for far in [1e12, -1e12] {
        let mut cloud = Cloud::from_fn(1000, 9, |rng| {
            [0; 3].map(|_| 0.5 + uniform(rng, -0.5e-6, 0.5e-6))
        });
        cloud.push([far, far, 0.3 * far]);
        let tree = build(&bump, &cloud, &TreeParams::default());
        assert_eq!(tree.depth(), MAX_LEVEL);
        // The cluster shares one finest cell (~5e5 wide): one leaf of 1000.
        let big = tree
            .leaves()
            .iter()
            .map(|&l| tree.node(l as usize))
            .find(|n| n.len() == 1000)
            .expect("the cluster in one leaf");
        assert_eq!(big.level(), MAX_LEVEL);
        assert!(
            big.r_max() <= 0.5e-6 * 3f64.sqrt() * 1.001,
            "r_max {}",
            big.r_max()
        );
        assert!(big.half_width() > 1e5);
        assert_eq!(tree.leaves().len(), 2);
    }
}

#[test]
fn bad_input_is_an_error_naming_it() {
    let bump = Bump::new();
    let cloud = Dist::Uniform.cloud(10, 1);
    for (p, name) in [
        (params(0), "leaf_size"),
        (
            TreeParams {
                min_task_points: 0,
                ..TreeParams::default()
            },
            "min_task_points",
        ),
    ] {
        match Tree::build(&bump, cloud.points(), &p) {
            Err(TreeError::InvalidParameter {
                name: got,
                value: 0,
                ..
            }) => assert_eq!(got, name),
            other => panic!("{name} = 0 gave {other:?}"),
        }
    }
    let err = Tree::build(
        &bump,
        Points::new(&cloud.x, &cloud.y[..9], &cloud.z),
        &params(4),
    );
    assert_eq!(
        err.unwrap_err(),
        TreeError::LengthMismatch {
            what: "y",
            expected: 10,
            got: 9
        }
    );
    for (bad, field, value) in [
        (1, Field::Y, f64::NAN),
        (0, Field::Z, f64::INFINITY),
        (2, Field::X, f64::NEG_INFINITY),
    ] {
        let mut c = cloud.clone();
        c.x[7] = f64::NAN; // a later point: the first bad one is reported
        match field {
            Field::X => c.x[bad] = value,
            Field::Y => c.y[bad] = value,
            _ => c.z[bad] = value,
        }
        match Tree::build(&bump, c.points(), &params(4)) {
            Err(TreeError::NonFinite {
                index, field: f, ..
            }) => {
                assert_eq!((index, f), (bad, field));
            }
            other => panic!("{value} gave {other:?}"),
        }
    }
    let mut c = cloud.clone();
    (c.x[3], c.x[4]) = (1e308, -1e308);
    let err = Tree::build(&bump, c.points(), &params(4)).unwrap_err();
    assert!(
        matches!(
            err,
            TreeError::ExtentOverflow {
                field: Field::X,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("`x`"), "{err}");
}

#[test]
fn validate_reports_points_that_do_not_match() {
    let bump = Bump::new();
    let cloud = Dist::Plummer.cloud(1000, 6);
    let tree = build(&bump, &cloud, &params(8));
    // Swap two points: same cube, other keys.
    let mut swapped = cloud.clone();
    swapped.x.swap(10, 20);
    swapped.y.swap(10, 20);
    swapped.z.swap(10, 20);
    let err = tree.validate(swapped.points()).unwrap_err();
    assert!(
        matches!(
            err,
            TreeError::Malformed {
                rule: Invariant::Keys,
                ..
            }
        ),
        "{err}"
    );
    // Nudge one coordinate by an ulp: same key, other bits.
    let mut nudged = cloud.clone();
    let i = (0..1000)
        .find(|&i| {
            let p = cloud.point(i);
            p[0] > -10.0 && p[0] < 10.0 && p[0] != 0.0
        })
        .unwrap();
    nudged.x[i] = f64::from_bits(nudged.x[i].to_bits() + 1);
    let err = tree.validate(nudged.points()).unwrap_err();
    assert!(
        matches!(
            err,
            TreeError::Malformed {
                rule: Invariant::SortedCoordinates,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("sorted coordinates"), "{err}");
    let err = tree
        .validate(Dist::Plummer.cloud(999, 6).points())
        .unwrap_err();
    assert!(matches!(err, TreeError::LengthMismatch { .. }), "{err}");
}

#[test]
fn gather_scatter_round_trip() {
    let bump = Bump::new();
    let nd = 3;
    for (dist, n) in [
        (Dist::Plummer, 1000),
        (Dist::Uniform, 100_000),
        (Dist::Sphere, 1),
    ] {
        let cloud = dist.cloud(n, 8);
        let tree = build(&bump, &cloud, &TreeParams::default());
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let values: Vec<f64> = (0..nd * n).map(|_| uniform(&mut rng, -1.0, 1.0)).collect();
        let mut sorted = vec![f64::NAN; nd * n];
        tree.gather(&values, nd, &mut sorted).unwrap();
        for c in 0..nd {
            for k in 0..n {
                let i = tree.order()[k] as usize;
                assert_eq!(sorted[c * n + k], values[c * n + i]);
                assert_eq!(tree.sorted_index(i), k);
            }
        }
        let mut back = vec![f64::NAN; nd * n];
        tree.scatter(&sorted, nd, &mut back).unwrap();
        assert!(back == values, "{dist:?} n={n}: scatter(gather(v)) != v");
    }
    let cloud = Dist::Uniform.cloud(10, 1);
    let tree = build(&bump, &cloud, &TreeParams::default());
    let mut out = vec![0.0; 20];
    assert_eq!(
        tree.gather(&[0.0; 19], 2, &mut out).unwrap_err(),
        TreeError::LengthMismatch {
            what: "values",
            expected: 20,
            got: 19
        }
    );
    assert!(matches!(
        tree.scatter(&[0.0; 20], 2, &mut out[..10]),
        Err(TreeError::LengthMismatch { what: "out", .. })
    ));
}

#[test]
fn node_moments_sum_up() {
    let bump = Bump::new();
    let nd = 2;
    for dist in DISTS {
        for (n, leaf_size) in [(10_000, 16), (1000, 1)] {
            let cloud = dist.cloud(n, 21);
            let tree = build(&bump, &cloud, &params(leaf_size));
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
            // Signed values: channel sums have no dominant sign.
            let values: Vec<f64> = (0..nd * n).map(|_| uniform(&mut rng, -1.0, 1.0)).collect();
            let mut q = vec![0.0; nd * n];
            tree.gather(&values, nd, &mut q).unwrap();
            let pos = [tree.x(), tree.y(), tree.z()];
            // Count, sum of values, sum of value x position: 1 + nd + 3 nd.
            let plain = |node: usize, _about: usize, out: &mut [f64]| {
                let node = tree.node(node);
                out[0] = node.len() as f64;
                for k in node.range() {
                    for c in 0..nd {
                        let v = q[c * n + k];
                        out[1 + c] += v;
                        for a in 0..3 {
                            out[1 + nd + 3 * c + a] += v * pos[a][k];
                        }
                    }
                }
            };
            tree.check_moments(1 + 4 * nd, 1e-12, plain)
                .unwrap_or_else(|e| panic!("{dist:?} n={n}: {e}"));
            // Dipoles about the frame node's expansion center: the parent's
            // equals its children's translated to the parent's center.
            let dipole = |node: usize, about: usize, out: &mut [f64]| {
                let c0 = tree.node(about).expansion_center();
                for k in tree.node(node).range() {
                    for a in 0..3 {
                        out[a] += q[k] * (pos[a][k] - c0[a]);
                    }
                }
            };
            tree.check_moments(3, 1e-12, dipole)
                .unwrap_or_else(|e| panic!("{dist:?} n={n}: {e}"));
        }
    }
    // A wrong moment is reported with the node and both values.
    let cloud = Dist::Uniform.cloud(1000, 3);
    let tree = build(&bump, &cloud, &params(8));
    let err = tree
        .check_moments(1, 1e-12, |node, _, out| {
            out[0] = tree.node(node).len() as f64 + if node == 5 { 1.0 } else { 0.0 };
        })
        .unwrap_err();
    match &err {
        TreeError::Malformed {
            rule: Invariant::Moments,
            node: Some(p),
            ..
        } => assert!(*p == 5 || tree.children(*p).any(|c| c == 5), "{err}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn warm_arena_rebuilds_without_global_allocations() {
    let n = 50_000;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut cloud = Dist::Plummer.cloud(n, 12);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let mut bump = Bump::new();
    let mut capacity = Vec::new();
    for step in 0..6 {
        // The system moves a little every step.
        for c in [&mut cloud.x, &mut cloud.y, &mut cloud.z] {
            for v in c.iter_mut() {
                *v += uniform(&mut rng, -1e-3, 1e-3);
            }
        }
        let warm = step >= 3;
        let start_counting = || {
            COUNTING.with(|on| on.set(true));
            ALLOCATIONS.with(|a| a.set(0));
        };
        let stop_counting = || {
            COUNTING.with(|on| on.set(false));
            ALLOCATIONS.with(Cell::get)
        };
        if warm {
            pool.broadcast(|_| start_counting());
            start_counting(); // this thread, which enters the pool
        }
        // `Bump` is not `Sync`: move `&mut Bump` into the pool.
        let arena = &mut bump;
        let points = cloud.points();
        let nodes = pool.install(move || {
            let tree = Tree::build(arena, points, &params(32)).unwrap();
            tree.nodes().len()
        });
        if warm {
            let caller = stop_counting();
            let workers = pool.broadcast(|_| stop_counting());
            assert_eq!(
                (caller, workers),
                (0, vec![0, 0]),
                "step {step}: allocations of (the calling thread, the workers) during a warm \
                 build of {nodes} nodes"
            );
        }
        capacity.push(bump.allocated_bytes());
        // Validate outside the counted window, then release the arena.
        let arena = &mut bump;
        let cloud_ref = &cloud;
        pool.install(move || {
            build(arena, cloud_ref, &params(32));
        });
        bump.reset();
        capacity.push(bump.allocated_bytes());
    }
    // After warm-up the arena keeps one chunk of constant size.
    let warm = &capacity[6..];
    assert!(
        warm.iter().all(|&c| c == warm[0]),
        "arena capacity changes after warm-up: {capacity:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Points snapped to a coarse lattice (many coincident points and
    /// shared cells), any leaf size: the tree is always valid.
    #[test]
    fn arbitrary_snapped_points_give_valid_trees(
        raw in prop::collection::vec((0u8..6, 0u8..6, 0u8..6), 0..200),
        scale in prop::sample::select(vec![1e-9, 1.0, 1e9]),
        leaf_size in 1usize..20,
        min_task_points in 1usize..50,
    ) {
        let mut cloud = Cloud::from_fn(0, 0, |_| [0.0; 3]);
        for (a, b, c) in raw {
            cloud.push([f64::from(a) * scale, f64::from(b) * scale * 0.5, f64::from(c) - 2.5]);
        }
        let bump = Bump::new();
        let params = TreeParams { leaf_size, min_task_points };
        let tree = Tree::build(&bump, cloud.points(), &params).unwrap();
        prop_assert_eq!(tree.validate(cloud.points()), Ok(()));
        prop_assert!(tree.stats().max_leaf_len <= leaf_size || tree.depth() == MAX_LEVEL);
    }
}
