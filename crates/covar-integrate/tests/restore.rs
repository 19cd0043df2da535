//! Saving and restoring an integrator's state between steps: a run cut in
//! two and continued by a fresh integrator from the saved state ends bit
//! for bit where the uncut run ends, for every integrator.

mod common;

use common::{random_system, state};
use covar_integrate::IntegrateError;
use covar_integrate::System;
use covar_integrate::integrator::{NAMES, by_name};

/// A system for `name`: with a magnetic coupling for the methods that take
/// one, without for the splitting methods.
fn system_for(name: &str) -> System {
    let mu = if ["leapfrog", "yoshida4", "yoshida6", "pefrl"].contains(&name) {
        0.0
    } else {
        0.3
    };
    random_system(11, 6, 1.0, mu, 0.5)
}

/// The bits of positions, momenta and time.
fn bits(sys: &System) -> Vec<u64> {
    let mut v: Vec<u64> = state(sys).into_iter().map(f64::to_bits).collect();
    v.push(sys.time.to_bits());
    v
}

#[test]
fn a_restored_integrator_continues_bit_for_bit() {
    let dt = 0.01;
    for name in NAMES {
        let mut whole = system_for(name);
        let mut integ = by_name(name).unwrap();
        for _ in 0..12 {
            integ.step(&mut whole, dt).unwrap();
        }
        // Cut after every step from 0 to 11: a fresh integrator restores the
        // saved state into a copy of the system.
        for cut in 0..12 {
            let mut sys = system_for(name);
            let mut first = by_name(name).unwrap();
            for _ in 0..cut {
                first.step(&mut sys, dt).unwrap();
            }
            let saved = first.save_state();
            let mut restored = sys.clone();
            let mut second = by_name(name).unwrap();
            second.restore_state(&restored, &saved).unwrap();
            for _ in cut..12 {
                second.step(&mut restored, dt).unwrap();
            }
            assert_eq!(
                bits(&restored),
                bits(&whole),
                "{name}: cut after step {cut} changed the final state"
            );
        }
    }
}

#[test]
fn state_sizes_follow_the_documented_layouts() {
    let n = 6;
    let want = [
        ("leapfrog", 0),
        ("yoshida4", 0),
        ("yoshida6", 0),
        ("pefrl", 0),
        ("implicit-midpoint", 1 + 6 * n),
        ("stormer-verlet", 3 * n),
        ("gauss4", 1 + 12 * n),
        ("gauss6", 1 + 18 * n),
        ("tao2", 1 + 12 * n),
        ("tao4", 1 + 12 * n),
    ];
    assert_eq!(want.len(), NAMES.len());
    for (name, len) in want {
        let mut sys = system_for(name);
        let mut integ = by_name(name).unwrap();
        assert!(
            integ.save_state().is_empty(),
            "{name} before its first step"
        );
        integ.step(&mut sys, 0.01).unwrap();
        assert_eq!(integ.save_state().len(), len, "{name}");
    }
}

#[test]
fn a_state_that_does_not_fit_is_an_error_naming_the_integrator() {
    for name in NAMES {
        let sys = system_for(name);
        let mut integ = by_name(name).unwrap();
        let e = integ.restore_state(&sys, &[1.0; 5]).unwrap_err();
        assert!(
            matches!(e, IntegrateError::InvalidState { .. }),
            "{name}: {e}"
        );
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!(
                "{name}: saved integrator state: 5 values, expected"
            )),
            "{msg}"
        );
        integ.restore_state(&sys, &[]).unwrap();
    }
    // Non-finite values and a non-positive step length.
    let sys = system_for("gauss4");
    let mut g = by_name("gauss4").unwrap();
    let mut bad = vec![0.01; 1 + 12 * sys.len()];
    bad[7] = f64::NAN;
    let e = g.restore_state(&sys, &bad).unwrap_err().to_string();
    assert!(e.contains("value 7 is NaN (must be finite)"), "{e}");
    bad[7] = 0.0;
    bad[0] = -0.01;
    let e = g.restore_state(&sys, &bad).unwrap_err().to_string();
    assert!(e.contains("step length is -0.01 (must be > 0)"), "{e}");
    let mut t = by_name("tao2").unwrap();
    let mut bad = vec![0.0; 1 + 12 * sys.len()];
    bad[0] = 0.5;
    let e = t.restore_state(&sys, &bad).unwrap_err().to_string();
    assert!(e.contains("value 0 is 0.5 (must be 0 or 1)"), "{e}");
}
