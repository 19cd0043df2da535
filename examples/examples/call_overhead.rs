//! The time of one direct sum called from a program's main thread, as a
//! Rust program embedding covar-kernel calls it: the baseline of the Python
//! package's call overhead (`scripts/compare_python.py --overhead`).
//!
//! `cargo run --release -p covar-examples --example call_overhead -- N REPS`
//! prints the median and the shortest wall time of `REPS` evaluations of
//! potential and gradient at `N` points of the unit cube with charges of
//! alternating sign, on rayon's global pool (every core).

use std::time::Instant;

use covar_kernel::{Direct, KernelError, LaplaceSum, Outputs, Points, Problem};

fn main() -> Result<(), KernelError> {
    let mut args = std::env::args().skip(1);
    let mut next = |default: usize| {
        args.next().map_or(default, |a| {
            a.parse().expect("N and REPS are whole numbers")
        })
    };
    let (n, reps) = (next(1000), next(300).max(1));
    // xorshift64: any points will do, the sum's cost does not depend on them.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut coordinate = || (0..n).map(|_| uniform()).collect::<Vec<f64>>();
    let (x, y, z) = (coordinate(), coordinate(), coordinate());
    let q: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let (mut phi, mut grad) = (vec![0.0; n], vec![0.0; 3 * n]);
    let direct = Direct::new();
    let problem = Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0);
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let start = Instant::now();
        direct.evaluate(&problem, Outputs::with_gradient(&mut phi, &mut grad))?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "n {n} reps {reps} median {:.6e} s min {:.6e} s",
        times[reps / 2],
        times[0]
    );
    Ok(())
}
