//! One step of every integrator at N = 4096, direct backend, in one run.
//!
//! The separable methods step a Plummer sphere under gravity (`mu = 0`,
//! one-channel sums); the non-separable ones a Darwin-type system with
//! `mu = 0.01` (four-channel sums, each about 1.5 to 2 times the cost of a
//! one-channel sum), see [`covar_benches::integrator_case`]. Ids carry the
//! force evaluations (Laplace sums) of a warm step, measured before timing:
//! `step/gauss4/n=4096 mu=0.01 evals=28`; throughput is in pair interactions
//! (`evals * N (N - 1)` per step). The integrator's own overhead (step time
//! minus kernel time) at N = 16384 is measured by the `overhead` example:
//! `cargo run --release -p covar-benches --example overhead`.
//!
//! Stepping moves the system on, so each sample times the steps that
//! follow the previous ones; at these step sizes the cost per step is
//! steady.

use std::time::Duration;

use covar::integrate::integrator::{NAMES, by_name};
use covar_benches::{integrator_case, pairs};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};

const N: usize = 4096;

fn step(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for name in NAMES {
        let mut case = integrator_case(name, N).expect("valid fixture");
        let mut integrator = by_name(name).expect("a known integrator");
        // The first step may cost one evaluation more (cold start); count a
        // warm one.
        integrator
            .step(&mut case.system, case.dt)
            .expect("the fixture steps");
        let evals = integrator
            .step(&mut case.system, case.dt)
            .expect("the fixture steps")
            .force_evaluations;
        let mu = case.system.couplings.mu;
        group.throughput(Throughput::Elements(pairs(N) * evals as u64));
        let id = BenchmarkId::new(name, format!("n={N} mu={mu} evals={evals}"));
        group.bench_function(id, |b| {
            b.iter(|| {
                integrator
                    .step(&mut case.system, case.dt)
                    .expect("the fixture steps")
            });
        });
    }
    group.finish();
}

criterion::criterion_group!(benches, step);
criterion::criterion_main!(benches);
