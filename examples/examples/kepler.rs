//! A Kepler orbit (eccentricity 0.5) integrated with leapfrog, Yoshida's
//! fourth-order composition and PEFRL, against the analytic solution
//! (`KeplerOrbit::relative_position`): the position error after ten orbits
//! at three step sizes, the order it shrinks at, and the energy error.
//!
//! `cargo run --release -p covar-examples --example kepler`

use covar::integrate::integrator::by_name;
use covar::integrate::{Fields, IntegrateError, Preset, System, diagnostics};
use covar::store::ic::KeplerOrbit;

/// Orbits integrated.
const ORBITS: usize = 10;

/// Position error `|(r2 - r1) - r_exact| / a` after `ORBITS` orbits of
/// `per_orbit` steps, and the largest relative energy error, checked once
/// per orbit.
fn run(name: &str, orbit: &KeplerOrbit, per_orbit: usize) -> Result<(f64, f64), IntegrateError> {
    let mut sys = System::from_preset(orbit.generate(), Preset::Gravity { g: 1.0 }, 0.0)?;
    let mut integrator = by_name(name).expect("a known integrator");
    let mut fields = Fields::new();
    let h0 = diagnostics(&sys, &mut fields)?.h();
    let dt = orbit.period() / per_orbit as f64;
    let mut max_energy_error = 0.0f64;
    for _ in 0..ORBITS {
        for _ in 0..per_orbit {
            integrator.step(&mut sys, dt)?;
        }
        let h = diagnostics(&sys, &mut fields)?.h();
        max_energy_error = max_energy_error.max(((h - h0) / h0).abs());
    }
    let t = (ORBITS * per_orbit) as f64 * dt;
    let r = sys.particles.position(1) - sys.particles.position(0);
    let error = (r - orbit.relative_position(t)).length() / orbit.semi_major_axis();
    Ok((error, max_energy_error))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // a = 1, e = 0.5, masses 1 and 0.001, G = 1: period 2 pi / sqrt(1.001).
    let orbit = KeplerOrbit::new(1.0, 0.5, 1.0, 1e-3)?;
    println!(
        "Kepler orbit a = 1, e = 0.5, period {:.6}; errors after {ORBITS} orbits",
        orbit.period()
    );
    println!(
        "{:<10} {:>10} {:>14} {:>8} {:>14}",
        "method", "steps/orbit", "|dr| / a", "order", "max |dH/H|"
    );
    for (name, order, coarse) in [
        ("leapfrog", 2, 400),
        ("yoshida4", 4, 200),
        ("pefrl", 4, 100),
    ] {
        let mut last: Option<f64> = None;
        for k in 0..3 {
            let per_orbit = coarse << k;
            let (error, energy) = run(name, &orbit, per_orbit)?;
            let observed = last.map_or(String::from("-"), |e| format!("{:.2}", (e / error).log2()));
            println!("{name:<10} {per_orbit:>10} {error:>14.3e} {observed:>8} {energy:>14.3e}");
            last = Some(error);
        }
        println!("{:<10} (nominal order {order})", "");
    }
    Ok(())
}
