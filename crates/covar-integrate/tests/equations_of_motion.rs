//! The equations of motion are Hamilton's: `dr/dt = dH/dP`, `dP/dt = -dH/dr`,
//! checked by central finite differences of `H` (relative 1e-7).

mod common;

use common::random_system;
use covar_integrate::{Fields, PhaseBuf, System};

fn energy(sys: &System, z: &PhaseBuf, fields: &mut Fields) -> f64 {
    let (m, q) = (sys.particles.masses(), sys.particles.charges());
    fields
        .compute(&sys.backend, &sys.couplings, m, q, z.as_phase())
        .unwrap();
    fields.energy(&sys.couplings, m, q, z.as_phase()).total()
}

#[test]
fn rates_are_the_gradient_of_h() {
    let mut fields = Fields::new();
    for mu in [0.0, 0.3] {
        for k in [1.0, -1.0] {
            for s in [0.0, 0.05] {
                let sys = random_system(17 + (mu * 10.0) as u64 + (k > 0.0) as u64, 6, k, mu, s);
                let n = sys.len();
                let mut z = PhaseBuf::zeros(n);
                z.copy_from(sys.phase());
                let (m, q) = (sys.particles.masses(), sys.particles.charges());
                let mut rate = PhaseBuf::zeros(n);
                fields
                    .compute(&sys.backend, &sys.couplings, m, q, z.as_phase())
                    .unwrap();
                fields.rates(&sys.couplings, m, q, z.as_phase(), &mut rate);
                let scale = rate
                    .r
                    .iter()
                    .chain(&rate.p)
                    .flatten()
                    .fold(0.0f64, |a, v| a.max(v.abs()));
                let h = 1e-6;
                for i in 0..n {
                    for d in 0..3 {
                        // dH/dP
                        let mut zp = z.clone();
                        zp.p[d][i] += h;
                        let mut zm = z.clone();
                        zm.p[d][i] -= h;
                        let fd = (energy(&sys, &zp, &mut fields) - energy(&sys, &zm, &mut fields))
                            / (2.0 * h);
                        let got = rate.r[d][i];
                        assert!(
                            (got - fd).abs() <= 1e-7 * scale,
                            "mu={mu} k={k} s={s}: dr/dt[{i}][{d}] = {got:e}, dH/dP = {fd:e}"
                        );
                        // -dH/dr
                        let mut zp = z.clone();
                        zp.r[d][i] += h;
                        let mut zm = z.clone();
                        zm.r[d][i] -= h;
                        let fd = -(energy(&sys, &zp, &mut fields) - energy(&sys, &zm, &mut fields))
                            / (2.0 * h);
                        let got = rate.p[d][i];
                        assert!(
                            (got - fd).abs() <= 1e-7 * scale,
                            "mu={mu} k={k} s={s}: dP/dt[{i}][{d}] = {got:e}, -dH/dr = {fd:e}"
                        );
                    }
                }
            }
        }
    }
}
