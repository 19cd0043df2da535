//! covar-kernel on its own: plain `Vec<f64>` columns in, potentials out.
//! The electrostatic energy of a random neutral system, with both backends.

use std::time::Instant;

use covar_kernel::{Direct, KernelError, LaplaceSum, Naive, Outputs, Points, Problem};

/// `U = 1/2 sum_i q_i phi_i = sum_{i<j} q_i q_j / |r_i - r_j|`.
fn energy(backend: &impl LaplaceSum, problem: &Problem, q: &[f64]) -> Result<f64, KernelError> {
    let mut phi = vec![0.0; q.len()]; // phi_i = sum_{j != i} q_j / |r_i - r_j|
    backend.evaluate(problem, Outputs::potential(&mut phi))?;
    Ok(0.5 * q.iter().zip(&phi).map(|(q, phi)| q * phi).sum::<f64>())
}

fn main() -> Result<(), KernelError> {
    // 4000 charges +1, -1, +1, ... uniform in the unit cube (splitmix64 numbers).
    let n = 4000;
    let mut state = 42u64;
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let x: Vec<f64> = (0..n).map(|_| uniform()).collect();
    let y: Vec<f64> = (0..n).map(|_| uniform()).collect();
    let z: Vec<f64> = (0..n).map(|_| uniform()).collect();
    let q: Vec<f64> = (0..n).map(|i| [1.0, -1.0][i % 2]).collect();

    // Targets are the sources (self term excluded); one channel; softening 0.
    let problem = Problem::at_sources(Points::new(&x, &y, &z), &q, 1, 0.0);

    let t = Instant::now();
    let u_naive = energy(&Naive::new(), &problem, &q)?;
    let t_naive = t.elapsed().as_secs_f64();
    let direct = Direct::new(); // SIMD chosen at run time, threads from rayon
    let t = Instant::now();
    let u_direct = energy(&direct, &problem, &q)?;
    let t_direct = t.elapsed().as_secs_f64();

    println!("{n} charges, total charge {}", q.iter().sum::<f64>());
    let direct_label = format!("U direct ({})", direct.isa());
    println!("{:<17} = {u_naive:.15e}  ({t_naive:.4} s)", "U naive");
    println!("{direct_label:<17} = {u_direct:.15e}  ({t_direct:.4} s)");
    println!(
        "relative difference {:.1e}",
        (u_direct - u_naive).abs() / u_naive.abs()
    );
    Ok(())
}
