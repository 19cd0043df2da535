//! The fast backend against the direct one across N: one evaluation of
//! potentials and gradients (`nd = 1`, channel values uniform in `[-1, 1)`
//! at points uniform in the unit cube, seed 1), fast at tolerances `1e-3`,
//! `1e-6` and `1e-9` (not `1e-9` at 10^6, to keep the test mode short),
//! rayon's global pool (all cores). Where the lines cross is the crossover N
//! (`scripts/crossover.sh` prints it as a table from the CLI).
//!
//! Throughput is in targets per second; ids carry the backend and the
//! tolerance (`fast vs direct/fast tol=1e-6/100000`); the inputs are the
//! shared seeded fixture ([`Inputs::uniform`]). Direct stops at
//! 10^5 (10^10 pairs, seconds per evaluation); the 10^5 and 10^6 cases take
//! 10 flat samples, so `cargo bench -- --test` (one evaluation per case)
//! stays quick.

use std::hint::black_box;
use std::time::Duration;

use covar::kernel::{Direct, Fast, FastParams, LaplaceSum, Outputs, Problem};
use covar_benches::Inputs;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};

/// Point counts.
const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// Largest N evaluated by the direct backend.
const DIRECT_MAX: usize = 100_000;

/// Tolerances of the fast backend.
const TOLERANCES: [f64; 3] = [1e-3, 1e-6, 1e-9];

fn evaluate(backend: &dyn LaplaceSum, problem: &Problem<'_>, pot: &mut [f64], grad: &mut [f64]) {
    backend
        .evaluate(problem, Outputs::with_gradient(pot, grad))
        .expect("valid problem");
}

fn fast_vs_direct(c: &mut Criterion) {
    let mut group = c.benchmark_group("fast vs direct");
    group.warm_up_time(Duration::from_millis(500));
    for n in SIZES {
        let inputs = Inputs::uniform(n, 1, 1);
        let problem = inputs.problem(0.0);
        let (mut pot, mut grad) = (vec![0.0; n], vec![0.0; 3 * n]);
        if n >= DIRECT_MAX {
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .measurement_time(Duration::from_secs(5));
        } else {
            group
                .sampling_mode(SamplingMode::Auto)
                .sample_size(20)
                .measurement_time(Duration::from_secs(3));
        }
        group.throughput(Throughput::Elements(n as u64));
        if n <= DIRECT_MAX {
            let direct = Direct::new();
            group.bench_with_input(BenchmarkId::new("direct", n), &n, |b, _| {
                b.iter(|| evaluate(&direct, black_box(&problem), &mut pot, &mut grad));
            });
        }
        for tol in TOLERANCES
            .into_iter()
            .filter(|&t| n < 1_000_000 || t > 1e-9)
        {
            let fast = Fast::new(FastParams::with_tolerance(tol));
            group.bench_with_input(
                BenchmarkId::new(format!("fast tol={tol:e}"), n),
                &n,
                |b, _| {
                    b.iter(|| evaluate(&fast, black_box(&problem), &mut pot, &mut grad));
                },
            );
        }
    }
    group.finish();
}

criterion::criterion_group!(benches, fast_vs_direct);
criterion::criterion_main!(benches);
