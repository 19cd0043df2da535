//! Integrators tested by physics: convergence order, conservation of
//! momentum and angular momentum, time reversibility, refusal of what they
//! cannot do.

mod common;

use common::{max_diff, random_system, state};
use covar_integrate::integrator::{NAMES, by_name};
use covar_integrate::{Fields, IntegrateError, System, diagnostics};

fn run(name: &str, sys: &System, dt: f64, steps: usize) -> System {
    let mut sys = sys.clone();
    let mut integ = by_name(name).unwrap();
    for _ in 0..steps {
        let info = integ.step(&mut sys, dt).unwrap();
        assert!(!info.hit_iteration_cap, "{name}: iteration cap hit");
    }
    sys
}

/// Observed order from three halvings: d(h) = |z_h - z_{h/2}| ~ C h^p.
fn observed_orders(name: &str, sys: &System, t_end: f64, n0: usize) -> Vec<f64> {
    let sols: Vec<Vec<f64>> = (0..5)
        .map(|k| {
            let n = n0 << k;
            state(&run(name, sys, t_end / n as f64, n))
        })
        .collect();
    let d: Vec<f64> = sols.windows(2).map(|w| max_diff(&w[0], &w[1])).collect();
    d.windows(2).map(|w| (w[0] / w[1]).log2()).collect()
}

#[test]
fn convergence_order_of_every_integrator() {
    // A smooth problem: softened, 5 particles, one unit of time.
    for (name, mu, n0, want) in [
        ("leapfrog", 0.0, 16, 2.0),
        ("yoshida4", 0.0, 32, 4.0),
        ("pefrl", 0.0, 16, 4.0),
        ("yoshida6", 0.0, 16, 6.0),
        ("implicit-midpoint", 0.0, 16, 2.0),
        ("implicit-midpoint", 0.3, 16, 2.0),
    ] {
        let sys = random_system(3, 5, 1.0, mu, 0.3);
        let orders = observed_orders(name, &sys, 1.0, n0);
        println!("{name} (mu = {mu}): observed orders {orders:.3?}");
        for p in &orders {
            assert!(
                (p - want).abs() <= 0.2,
                "{name} mu={mu}: orders {orders:?}, want {want}"
            );
        }
    }
}

#[test]
fn momentum_and_angular_momentum_to_round_off() {
    let mut fields = Fields::new();
    for (name, mu) in [
        ("leapfrog", 0.0),
        ("yoshida4", 0.0),
        ("yoshida6", 0.0),
        ("pefrl", 0.0),
        ("implicit-midpoint", 0.0),
        ("implicit-midpoint", 0.3),
    ] {
        let sys = random_system(5, 40, 1.0, mu, 0.05);
        let d0 = diagnostics(&sys, &mut fields).unwrap();
        let end = run(name, &sys, 1e-3, 50);
        let d1 = diagnostics(&end, &mut fields).unwrap();
        // Scale: the sum of magnitudes of what is summed.
        let p_scale: f64 = end.particles.iter().map(|p| p.momentum.length()).sum();
        let l_scale: f64 = end
            .particles
            .iter()
            .map(|p| p.position.cross(p.momentum).length())
            .sum();
        let dp = (d1.momentum - d0.momentum).length() / p_scale;
        let dl = (d1.angular_momentum - d0.angular_momentum).length() / l_scale;
        println!("{name} mu={mu}: |dP|/sum|P| = {dp:.1e}, |dL|/sum|L| = {dl:.1e}");
        assert!(
            dp <= 1e-13 && dl <= 1e-13,
            "{name} mu={mu}: dP {dp:e}, dL {dl:e}"
        );
    }
}

#[test]
fn symmetric_methods_are_time_reversible() {
    for (name, mu) in [
        ("leapfrog", 0.0),
        ("yoshida4", 0.0),
        ("yoshida6", 0.0),
        ("pefrl", 0.0),
        ("implicit-midpoint", 0.3),
    ] {
        let start = random_system(9, 8, -1.0, mu, 0.1);
        let mut sys = run(name, &start, 1e-2, 100);
        let cols = sys.particles.columns_mut();
        for p in [&mut *cols.px, &mut *cols.py, &mut *cols.pz] {
            p.iter_mut().for_each(|v| *v = -*v);
        }
        drop(cols);
        let mut back = run(name, &sys, 1e-2, 100);
        let cols = back.particles.columns_mut();
        for p in [&mut *cols.px, &mut *cols.py, &mut *cols.pz] {
            p.iter_mut().for_each(|v| *v = -*v);
        }
        drop(cols);
        let err = max_diff(&state(&back), &state(&start));
        println!("{name}: reversibility error {err:.1e}");
        assert!(err <= 1e-12, "{name}: {err:e}");
    }
}

#[test]
fn separable_methods_refuse_a_magnetic_coupling() {
    let mut sys = random_system(1, 4, 1.0, 0.5, 0.0);
    for name in ["leapfrog", "yoshida4", "yoshida6", "pefrl"] {
        let e = by_name(name).unwrap().step(&mut sys, 0.1).unwrap_err();
        assert!(
            matches!(e, IntegrateError::NotSeparable { .. }),
            "{name}: {e}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains(name) && msg.contains("implicit-midpoint"),
            "{msg}"
        );
    }
}

#[test]
fn bad_time_steps_are_errors() {
    for name in NAMES {
        let mut sys = random_system(1, 4, 1.0, 0.0, 0.0);
        for dt in [0.0, -1e-3, f64::NAN, f64::INFINITY] {
            let e = by_name(name).unwrap().step(&mut sys, dt).unwrap_err();
            assert!(e.to_string().contains("time step"), "{name} dt={dt}: {e}");
        }
    }
}
