//! The octree build of the fast backend alone, on its own: N in {1e4, 1e5,
//! 1e6}, uniform cube and Plummer sphere (strongly clustered), default
//! parameters (leaf size 64), rayon's global pool (all cores).
//!
//! A moving system rebuilds its tree every step, so each iteration resets
//! one reused arena and builds again, as the backend does: after the first
//! builds the arena holds one chunk big enough and the build no longer
//! calls the global allocator. Throughput is in points per second; ids carry
//! the parameters (`tree build/plummer/n=1000000 leaf=64`). Before each case
//! the per-stage times of one warm build are printed to stderr (keys, sort,
//! permutation, nodes).
//!
//! The 1e6 cases take 10 flat samples, so `cargo bench -- --test` (one
//! build per case) and a full run stay quick.

use std::hint::black_box;
use std::time::Duration;

use bumpalo::Bump;
use covar::Points;
use covar::kernel::fast::tree::{Tree, TreeParams};
use covar::store::ic::{Plummer, UniformCube};
use covar::{ParticleStore, StoreError};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};

/// Point counts.
const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

/// The seeded point sets: uniform in the unit cube, or a Plummer sphere.
fn points(dist: &str, n: usize) -> Result<ParticleStore, StoreError> {
    match dist {
        "uniform" => UniformCube::new(n, 1).generate(),
        _ => Plummer::new(n, 1).generate(),
    }
}

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("tree build");
    group.warm_up_time(Duration::from_millis(500));
    let params = TreeParams::default();
    for dist in ["uniform", "plummer"] {
        for n in SIZES {
            let store = points(dist, n).expect("valid initial conditions");
            let points = Points::new(store.x(), store.y(), store.z());
            if n >= 1_000_000 {
                group
                    .sampling_mode(SamplingMode::Flat)
                    .sample_size(10)
                    .measurement_time(Duration::from_secs(2));
            } else {
                group
                    .sampling_mode(SamplingMode::Auto)
                    .sample_size(30)
                    .measurement_time(Duration::from_secs(3));
            }
            group.throughput(Throughput::Elements(n as u64));

            // Warm the arena, then report the stages of one warm build.
            let mut bump = Bump::new();
            for _ in 0..3 {
                bump.reset();
                let s = *Tree::build(&bump, points, &params)
                    .expect("finite points")
                    .stats();
                eprintln!(
                    "tree build {dist} n={n}: keys {:?} sort {:?} permute {:?} nodes {:?} \
                     total {:?}; {} nodes, {} leaves, depth {}, {} tasks, arena {} MiB",
                    s.keys_time,
                    s.sort_time,
                    s.permute_time,
                    s.nodes_time,
                    s.total_time,
                    s.nodes,
                    s.leaves,
                    s.depth,
                    s.tasks,
                    s.arena_bytes >> 20
                );
            }

            let id = BenchmarkId::new(dist, format!("n={n} leaf={}", params.leaf_size));
            group.bench_function(id, |b| {
                b.iter(|| {
                    bump.reset();
                    let tree = Tree::build(&bump, points, &params).expect("finite points");
                    black_box(tree.stats().nodes)
                });
            });
        }
    }
    group.finish();
}

criterion::criterion_group!(benches, build);
criterion::criterion_main!(benches);
