//! The integrators' own overhead: step time minus the time of their force
//! evaluations (the Laplace sums, [`Integrator::kernel_time`]), as a share
//! of the step, on the systems of the `integrators` benchmark
//! ([`covar_benches::integrator_case`]), direct backend, all cores.
//!
//! ```sh
//! cargo run --release -p covar-benches --example overhead                  # N = 16384, 3 steps each
//! cargo run --release -p covar-benches --example overhead -- --n 2048 --steps 2
//! ```
//!
//! The overhead is everything outside the kernel: forming the source
//! channels, the rates, the updates of the state, the fixed-point
//! bookkeeping of the implicit methods. The target is at most 5% of a step
//! at N = 16384.
//!
//! [`Integrator::kernel_time`]: covar::integrate::Integrator::kernel_time

use std::time::{Duration, Instant};

use covar::integrate::integrator::{NAMES, by_name};
use covar_benches::integrator_case;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut n, mut steps) = (16384usize, 3usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--n" => n = value.parse()?,
            "--steps" => steps = value.parse()?,
            _ => return Err(format!("unknown flag {flag} (expected --n, --steps)").into()),
        }
    }
    println!(
        "integrator overhead at N = {n}, {steps} warm steps each, {} threads",
        rayon::current_num_threads()
    );
    println!(
        "{:<18} {:>5} {:>9} {:>11} {:>11} {:>10}",
        "integrator", "mu", "evals", "ms/step", "kernel ms", "overhead"
    );
    let mut worst = 0.0f64;
    for name in NAMES {
        let mut case = integrator_case(name, n)?;
        let mut integrator = by_name(name).map_err(|e| e.to_string())?;
        integrator.step(&mut case.system, case.dt)?; // cold start, untimed
        let kernel0 = integrator.kernel_time();
        let mut evals = 0;
        let mut total = Duration::ZERO;
        for _ in 0..steps {
            let start = Instant::now();
            evals += integrator
                .step(&mut case.system, case.dt)?
                .force_evaluations;
            total += start.elapsed();
        }
        let kernel = integrator.kernel_time() - kernel0;
        let overhead = (total.saturating_sub(kernel)).as_secs_f64() / total.as_secs_f64();
        worst = worst.max(overhead);
        println!(
            "{name:<18} {:>5} {:>9.2} {:>11.2} {:>11.2} {:>9.2}%",
            case.system.couplings.mu,
            evals as f64 / steps as f64,
            1e3 * total.as_secs_f64() / steps as f64,
            1e3 * kernel.as_secs_f64() / steps as f64,
            100.0 * overhead
        );
    }
    println!("largest overhead {:.2}% (target <= 5%)", 100.0 * worst);
    Ok(())
}
