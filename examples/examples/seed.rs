//! The seed's model (DESIGN.md 2.3): `k = -eps^2`, `mu = 1`, so the kinetic
//! energy depends on the positions and only the non-separable integrators
//! apply. 27 unit masses on a jittered lattice with charges ±0.2 of both
//! signs and softening 0.5, which keeps Gershgorin's condition for a
//! positive definite kinetic form; Gauss–Legendre of order 4. Prints the
//! Gershgorin report, then the seed's `H_seed = -H` over time and how well
//! it, the momentum and the angular momentum are conserved.
//!
//! `cargo run --release -p covar-examples --example seed`

use covar::integrate::integrator::by_name;
use covar::integrate::{Fields, Preset, System, diagnostics, gershgorin};
use covar::store::{DVec3, Particle, ParticleStore, SeededRng};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (eps, softening, dt, steps, every) = (1.0, 0.5, 0.01, 2000, 250);
    let mut rng = SeededRng::new(7);
    let mut jitter = || {
        DVec3::new(
            rng.uniform(-0.2, 0.2),
            rng.uniform(-0.2, 0.2),
            rng.uniform(-0.2, 0.2),
        )
    };
    let particles: ParticleStore = (0..27)
        .map(|i| {
            let cell = DVec3::new((i % 3) as f64, (i / 3 % 3) as f64, (i / 9) as f64) - 1.0;
            let charge = if i % 2 == 0 { 0.2 } else { -0.2 };
            Particle::new(cell + jitter(), 0.1 * jitter(), 1.0, charge)
        })
        .collect();
    let mut sys = System::from_preset(particles, Preset::Seed { eps }, softening)?;
    println!(
        "seed preset: eps = {eps} (k = {}), mu = {}, softening {softening}, {} particles",
        sys.couplings.k,
        sys.couplings.mu,
        sys.len()
    );

    let report = gershgorin(&sys)?.expect("mu != 0");
    println!(
        "Gershgorin: m_i > |mu| sum_j |q_i q_j| G_ij {} ({} violations; smallest margin {:.3} at particle {})",
        if report.holds() { "holds" } else { "FAILS" },
        report.violations,
        report.worst_margin,
        report.worst_particle
    );
    assert!(
        report.holds(),
        "choose a larger softening or smaller charges"
    );

    let mut gauss = by_name("gauss4").expect("a known integrator");
    let mut fields = Fields::new();
    let d0 = diagnostics(&sys, &mut fields)?;
    let h_seed0 = d0.h_seed.expect("the seed preset reports H_seed");
    println!(
        "{:>6} {:>20} {:>12} {:>12} {:>12}",
        "t", "H_seed = -H", "rel. error", "|dP|", "|dL|"
    );
    let (mut max_h, mut max_p, mut max_l) = (0.0f64, 0.0f64, 0.0f64);
    let mut evaluations = 0;
    for step in 0..=steps {
        if step > 0 {
            evaluations += gauss.step(&mut sys, dt)?.force_evaluations;
        }
        if step % every == 0 {
            let d = diagnostics(&sys, &mut fields)?;
            let h_seed = d.h_seed.expect("seed preset");
            let rel = (h_seed - h_seed0) / h_seed0.abs();
            let (dp, dl) = (
                (d.momentum - d0.momentum).length(),
                (d.angular_momentum - d0.angular_momentum).length(),
            );
            (max_h, max_p, max_l) = (max_h.max(rel.abs()), max_p.max(dp), max_l.max(dl));
            println!(
                "{:>6.2} {h_seed:>20.14} {rel:>12.3e} {dp:>12.3e} {dl:>12.3e}",
                sys.time
            );
        }
    }
    println!(
        "max |dH_seed / H_seed| = {max_h:.3e}, max |dP| = {max_p:.3e}, max |dL| = {max_l:.3e}; \
         {:.1} force evaluations per step",
        evaluations as f64 / steps as f64
    );
    Ok(())
}
