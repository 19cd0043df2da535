//! Naive against direct, in one run: Laplace sums with potential and
//! gradient (nd = 1 and 4), and the covariance product `K X` (1 and 8
//! columns), at N in {1024, 4096, 16384}.
//!
//! Throughput is in pair interactions, `N (N - 1)` per evaluation. Direct
//! runs on rayon's global pool (all cores), once on every instruction set
//! this CPU has, naive on one thread, as users run them. Ids carry their
//! parameters: `pot+grad nd=4/direct avx2/n=4096 nd=4`.
//!
//! Slow cases (naive at large N takes seconds per evaluation; a rough cost
//! model picks them) get 10 flat samples of one evaluation each, so a full
//! `cargo bench` takes a few minutes; criterion then warns that it "cannot
//! complete 10 samples" in the short target time, which is expected.
//! `cargo bench -- --test` runs every case once.

use std::time::Duration;

use bumpalo::Bump;
use covar::kernel::physics::covariance_product;
use covar::{Backend, Direct, Isa, LaplaceSum, Naive, Outputs};
use covar_benches::{Inputs, SIZES, block, pairs};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};

/// Naive, then direct on every instruction set of this CPU, slowest first,
/// each with its benchmark label.
fn backends() -> Vec<(String, Backend)> {
    let direct = Isa::available().into_iter().map(|isa| {
        let b = Direct::with_isa(isa).expect("an available instruction set");
        (format!("direct {isa}"), Backend::Direct(b))
    });
    std::iter::once(("naive".to_string(), Backend::Naive(Naive::new())))
        .chain(direct)
        .collect()
}

/// Rough seconds per evaluation (naive: a few ns per pair and channel;
/// direct: well under one), used only to size the sampling.
fn estimate(backend: &Backend, n: usize, channels: usize) -> f64 {
    let ns_per_pair = match backend {
        Backend::Naive(_) => 2.0 + 2.0 * channels as f64,
        _ => 0.2 + 0.2 * channels as f64,
    };
    pairs(n) as f64 * ns_per_pair * 1e-9
}

/// Sampling for one case: cheap cases get 30 samples in 3 s; expensive
/// ones 10 flat samples of one evaluation each (a target time shorter than
/// one evaluation makes criterion take one iteration per sample).
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, seconds_per_eval: f64) {
    if seconds_per_eval > 0.03 {
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_millis(100));
    } else {
        group
            .sampling_mode(SamplingMode::Auto)
            .sample_size(30)
            .measurement_time(Duration::from_secs(3));
    }
}

/// Potentials and gradients of `nd` channels at the sources.
fn laplace(c: &mut Criterion, nd: usize) {
    let mut group = c.benchmark_group(format!("pot+grad nd={nd}"));
    group.warm_up_time(Duration::from_secs(1));
    for n in SIZES {
        let inputs = Inputs::uniform(n, nd, 1);
        let problem = inputs.problem(0.0);
        let (mut pot, mut grad) = (vec![0.0; nd * n], vec![0.0; 3 * nd * n]);
        group.throughput(Throughput::Elements(pairs(n)));
        for (label, backend) in backends() {
            configure(&mut group, estimate(&backend, n, nd));
            let id = BenchmarkId::new(label, format!("n={n} nd={nd}"));
            group.bench_function(id, |b| {
                b.iter(|| {
                    backend
                        .evaluate(&problem, Outputs::with_gradient(&mut pot, &mut grad))
                        .expect("valid inputs")
                });
            });
        }
    }
    group.finish();
}

/// The covariance product `Y = K X` for `cols` columns.
fn covariance(c: &mut Criterion, cols: usize) {
    let mut group = c.benchmark_group(format!("K X b={cols}"));
    group.warm_up_time(Duration::from_secs(1));
    for n in SIZES {
        let inputs = Inputs::uniform(n, 1, 1);
        let particles = inputs.particles();
        let x = block(n, cols, 2);
        let mut y = vec![0.0; n * cols];
        let mut scratch = Bump::new();
        group.throughput(Throughput::Elements(pairs(n)));
        for (label, backend) in backends() {
            configure(&mut group, estimate(&backend, n, cols));
            let id = BenchmarkId::new(label, format!("n={n} b={cols}"));
            group.bench_function(id, |b| {
                b.iter(|| {
                    scratch.reset();
                    covariance_product(&backend, &particles, 0.0, &x, cols, &mut y, &scratch)
                        .expect("valid inputs")
                });
            });
        }
    }
    group.finish();
}

fn pot_grad_nd1(c: &mut Criterion) {
    laplace(c, 1);
}

fn pot_grad_nd4(c: &mut Criterion) {
    laplace(c, 4);
}

fn k_x_1(c: &mut Criterion) {
    covariance(c, 1);
}

fn k_x_8(c: &mut Criterion) {
    covariance(c, 8);
}

criterion::criterion_group!(benches, pot_grad_nd1, pot_grad_nd4, k_x_1, k_x_8);
criterion::criterion_main!(benches);
