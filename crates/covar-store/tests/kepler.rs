//! The Kepler pair matches its analytic energy and angular momentum, and the
//! analytic solution is periodic with apocentre at a(1 + e).

mod common;

use common::{assert_close, assert_rel};
use covar_store::DVec3;
use covar_store::ic::KeplerOrbit;

/// Parameter sets `(a, e, m1, m2, G)` covering circular to fairly eccentric
/// orbits and equal to extreme mass ratios.
const CASES: [(f64, f64, f64, f64, f64); 6] = [
    (1.0, 0.0, 1.0, 1.0, 1.0),
    (1.0, 0.1, 1.0, 1e-3, 1.0),
    (2.5, 0.5, 0.3, 0.7, 1.0),
    (0.7, 0.7, 1.0, 1e-6, 4.0),
    (1.0, 0.6, 5.0, 2.0, 0.5),
    (3.0, 0.3, 1e-2, 1.0, 1.0),
];

fn orbit(case: (f64, f64, f64, f64, f64)) -> KeplerOrbit {
    let (a, e, m1, m2, g) = case;
    KeplerOrbit::with_gravity(a, e, m1, m2, g).expect("valid orbit parameters")
}

#[test]
fn generated_pair_has_the_analytic_invariants() {
    for case in CASES {
        let k = orbit(case);
        let (_, e, m1, m2, g) = case;
        let s = k.generate();
        s.validate().expect("generated pair is valid");
        assert_eq!(s.len(), 2, "two bodies");
        assert_eq!((s.mass(0), s.mass(1)), (m1, m2), "masses in order");
        assert_eq!((s.charge(0), s.charge(1)), (m1, m2), "charges equal masses");

        let kinetic: f64 = s
            .iter()
            .map(|p| p.momentum.length_squared() / (2.0 * p.mass))
            .sum();
        let r = s.position(1) - s.position(0);
        let energy = kinetic - g * m1 * m2 / r.length();
        assert_rel(&format!("energy, case {case:?}"), energy, k.energy(), 1e-14);

        let l: DVec3 = s.iter().map(|p| p.position.cross(p.momentum)).sum();
        let l_exact = k.angular_momentum();
        assert_rel(
            &format!("angular momentum z, case {case:?}"),
            l.z,
            l_exact.z,
            1e-14,
        );
        assert_eq!((l.x, l.y), (0.0, 0.0), "orbit lies in the x-y plane");

        assert_close(
            "|centre of mass|",
            s.center_of_mass().length(),
            0.0,
            1e-15 * r.length(),
        );
        assert_close(
            "|total momentum|",
            s.total_momentum().length(),
            0.0,
            1e-15 * s.momentum(0).length(),
        );
        assert_rel(
            "pericentre distance",
            r.length(),
            k.semi_major_axis() * (1.0 - e),
            1e-15,
        );
        assert!(r.y == 0.0 && r.z == 0.0 && r.x > 0.0, "pericentre on +x");
        let v = s.velocity(1) - s.velocity(0);
        assert_close(
            "|r - analytic r(0)|",
            (r - k.relative_position(0.0)).length(),
            0.0,
            1e-15 * r.length(),
        );
        assert_close(
            "|v - analytic v(0)|",
            (v - k.relative_velocity(0.0)).length(),
            0.0,
            1e-14 * v.length(),
        );
    }
}

#[test]
fn analytic_orbit_is_periodic_with_apocentre_at_half_period() {
    for case in CASES {
        let k = orbit(case);
        let (a, e, ..) = case;
        let start = k.relative_position(0.0);
        let v_start = k.relative_velocity(0.0);
        let period = k.period();

        let back = k.relative_position(period);
        assert_close(
            &format!("|r(T) - r(0)|, case {case:?}"),
            (back - start).length(),
            0.0,
            1e-12 * a,
        );
        let v_back = k.relative_velocity(period);
        assert_close(
            "|v(T) - v(0)|",
            (v_back - v_start).length(),
            0.0,
            1e-12 * v_start.length(),
        );
        let back3 = k.relative_position(-3.0 * period);
        assert_close("|r(-3T) - r(0)|", (back3 - start).length(), 0.0, 1e-12 * a);

        let apo = k.relative_position(0.5 * period);
        assert_rel(
            &format!("apocentre distance, case {case:?}"),
            apo.length(),
            a * (1.0 + e),
            1e-14,
        );
        assert_close("apocentre on -x", apo.x, -a * (1.0 + e), 1e-14 * a);
    }
}

#[test]
fn analytic_orbit_conserves_energy_and_solves_keplers_equation() {
    for case in CASES {
        let k = orbit(case);
        let (_, e, m1, m2, g) = case;
        let reduced = m1 * m2 / (m1 + m2);
        for step in 0..50 {
            let t = k.period() * (step as f64 / 17.0 - 1.3);
            let r = k.relative_position(t);
            let v = k.relative_velocity(t);
            let energy = 0.5 * reduced * v.length_squared() - g * m1 * m2 / r.length();
            assert_rel(
                &format!("energy at t = {t}, case {case:?}"),
                energy,
                k.energy(),
                1e-13,
            );
            let l = reduced * r.cross(v);
            assert_rel(
                "angular momentum along the orbit",
                l.z,
                k.angular_momentum().z,
                1e-13,
            );
            assert!(
                r.length() >= k.semi_major_axis() * (1.0 - e) * (1.0 - 1e-14),
                "never inside pericentre"
            );

            // Kepler's equation E - e sin E = M holds to round-off.
            let big_e = k.eccentric_anomaly(t);
            let turns = t / k.period();
            let mean = 2.0 * std::f64::consts::PI * (turns - turns.round());
            assert_close(
                "Kepler's equation residual",
                big_e - e * big_e.sin(),
                mean,
                1e-14,
            );
        }
    }
}

#[test]
fn period_matches_keplers_third_law() {
    let k = KeplerOrbit::new(4.0, 0.2, 0.5, 0.5).expect("valid orbit parameters");
    assert_rel(
        "period 2 pi sqrt(a^3 / G M)",
        k.period(),
        2.0 * std::f64::consts::PI * 8.0,
        1e-15,
    );
    assert_rel("energy -G m1 m2 / (2a)", k.energy(), -0.25 / 8.0, 1e-15);
    assert!(
        k.relative_position(f64::NAN).x.is_nan(),
        "a NaN time gives NaN, not a hang"
    );
}
