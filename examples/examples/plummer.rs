//! A Plummer sphere of 2048 bodies under gravity (Hénon units, softening
//! 0.01), integrated with leapfrog: energy conservation, the virial ratio
//! `2T / |U|` (1 in equilibrium) and the total momentum over five time
//! units.
//!
//! `cargo run --release -p covar-examples --example plummer`

use std::time::Instant;

use covar::integrate::integrator::by_name;
use covar::integrate::{Fields, Preset, System, diagnostics};
use covar::store::ic::Plummer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (n, softening, dt, steps, every) = (2048, 0.01, 0.005, 1000, 100);
    let particles = Plummer::new(n, 1).generate()?; // charges = masses = 1/n
    let mut sys = System::from_preset(particles, Preset::Gravity { g: 1.0 }, softening)?;
    let mut leapfrog = by_name("leapfrog").expect("a known integrator");
    let mut fields = Fields::new();
    let d0 = diagnostics(&sys, &mut fields)?;
    println!("Plummer sphere, N = {n}, softening {softening}, leapfrog dt = {dt}");
    println!(
        "{:>6} {:>16} {:>12} {:>10} {:>12}",
        "t", "H", "dH/H", "2T/|U|", "|sum P|"
    );
    let row = |t: f64, d: &covar::integrate::Diagnostics| {
        println!(
            "{t:>6.2} {:>16.10} {:>12.3e} {:>10.4} {:>12.3e}",
            d.h(),
            (d.h() - d0.h()) / d0.h().abs(),
            2.0 * d.energy.t() / d.energy.u().abs(),
            d.momentum.length()
        );
    };
    row(0.0, &d0);
    let start = Instant::now();
    let mut max_error = 0.0f64;
    for step in 1..=steps {
        leapfrog.step(&mut sys, dt)?;
        if step % every == 0 {
            let d = diagnostics(&sys, &mut fields)?;
            max_error = max_error.max(((d.h() - d0.h()) / d0.h()).abs());
            row(sys.time, &d);
        }
    }
    let wall = start.elapsed().as_secs_f64();
    println!(
        "max |dH/H| = {max_error:.3e} over {steps} steps; {:.2} ms/step, {:.0}% of it in the kernel",
        1e3 * wall / steps as f64,
        100.0 * leapfrog.kernel_time().as_secs_f64() / wall
    );
    Ok(())
}
