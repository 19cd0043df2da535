//! The physics helpers against plain dense computations written here, and
//! gradients against finite differences.

mod common;

use bumpalo::Bump;
use common::uniform;
use covar_kernel::physics::{Particles, covariance_product, scalar_potential, vector_potential};
use covar_kernel::{Direct, Naive, Points};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

struct System {
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    m: Vec<f64>,
    q: Vec<f64>,
    p: [Vec<f64>; 3],
}

impl System {
    fn random(seed: u64, n: usize) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut col = |lo: f64, hi: f64| {
            (0..n)
                .map(|_| uniform(&mut rng, lo, hi))
                .collect::<Vec<_>>()
        };
        Self {
            x: col(-1.0, 1.0),
            y: col(-1.0, 1.0),
            z: col(-1.0, 1.0),
            m: col(0.5, 2.0),
            q: col(-1.0, 1.0),
            p: [col(-1.0, 1.0), col(-1.0, 1.0), col(-1.0, 1.0)],
        }
    }
    fn n(&self) -> usize {
        self.x.len()
    }
    fn points(&self) -> Points<'_> {
        Points::new(&self.x, &self.y, &self.z)
    }
    fn particles(&self) -> Particles<'_> {
        Particles {
            points: self.points(),
            mass: &self.m,
            charge: &self.q,
        }
    }
    fn g(&self, i: usize, j: usize, s: f64) -> f64 {
        let d = [
            self.x[i] - self.x[j],
            self.y[i] - self.y[j],
            self.z[i] - self.z[j],
        ];
        1.0 / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + s * s).sqrt()
    }
    /// The dense covariance matrix K of DESIGN.md 2.1.
    fn dense_k(&self, s: f64) -> Vec<Vec<f64>> {
        let n = self.n();
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        if i == j {
                            self.m[i]
                        } else {
                            self.q[i] * self.q[j] * self.g(i, j, s)
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

fn rel_close(what: &str, got: f64, want: f64, scale: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * scale,
        "{what}: got {got:e}, want {want:e}, |diff| {:e} > {rel:e} x {scale:e}",
        (got - want).abs()
    );
}

#[test]
fn covariance_product_equals_dense_k_times_x() {
    for (seed, n, b, s) in [
        (1u64, 50usize, 1usize, 0.0),
        (2, 77, 8, 0.1),
        (3, 130, 3, 0.0),
    ] {
        let sys = System::random(seed, n);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed + 100);
        let x: Vec<f64> = (0..n * b).map(|_| uniform(&mut rng, -1.0, 1.0)).collect();
        let k = sys.dense_k(s);
        let scratch = Bump::new();
        let mut y = vec![0.0; n * b];
        covariance_product(&Direct::new(), &sys.particles(), s, &x, b, &mut y, &scratch).unwrap();
        let mut y_naive = vec![0.0; n * b];
        covariance_product(
            &Naive::new(),
            &sys.particles(),
            s,
            &x,
            b,
            &mut y_naive,
            &scratch,
        )
        .unwrap();
        for c in 0..b {
            for i in 0..n {
                let want: f64 = (0..n).map(|j| k[i][j] * x[c * n + j]).sum();
                let scale: f64 = (0..n).map(|j| (k[i][j] * x[c * n + j]).abs()).sum();
                rel_close(
                    &format!("Y[{i},{c}] direct"),
                    y[c * n + i],
                    want,
                    scale,
                    1e-13,
                );
                rel_close(
                    &format!("Y[{i},{c}] naive"),
                    y_naive[c * n + i],
                    want,
                    scale,
                    1e-13,
                );
            }
        }
    }
}

/// Potential phi(r) at a free test point, as a plain sum (for finite differences).
fn phi_at(sys: &System, channel: &[f64], skip: usize, r: [f64; 3], s: f64) -> f64 {
    (0..sys.n())
        .filter(|&j| j != skip)
        .map(|j| {
            let d = [r[0] - sys.x[j], r[1] - sys.y[j], r[2] - sys.z[j]];
            channel[j] / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + s * s).sqrt()
        })
        .sum()
}

#[test]
fn field_is_minus_the_gradient_of_the_potential() {
    // Central differences with h = 1e-5: truncation ~h^2 phi''' ~ 1e-10,
    // cancellation ~eps phi / h ~ 1e-11; we ask for 1e-7 relative.
    for s in [0.0, 0.05] {
        let sys = System::random(5, 60);
        let n = sys.n();
        let (mut phi, mut e) = (vec![0.0; n], vec![0.0; 3 * n]);
        scalar_potential(
            &Direct::new(),
            sys.points(),
            &sys.q,
            s,
            &mut phi,
            Some(&mut e),
        )
        .unwrap();
        let h = 1e-5;
        for i in [0, 17, 59] {
            let r = [sys.x[i], sys.y[i], sys.z[i]];
            rel_close(
                "phi",
                phi[i],
                phi_at(&sys, &sys.q, i, r, s),
                phi[i].abs(),
                1e-13,
            );
            let mut scale = 0.0f64;
            let mut fd = [0.0; 3];
            for d in 0..3 {
                let (mut a, mut b) = (r, r);
                a[d] += h;
                b[d] -= h;
                fd[d] =
                    -(phi_at(&sys, &sys.q, i, a, s) - phi_at(&sys, &sys.q, i, b, s)) / (2.0 * h);
                scale = scale.max(fd[d].abs());
            }
            for d in 0..3 {
                rel_close(
                    &format!("E_{d} at {i}, s={s}"),
                    e[d * n + i],
                    fd[d],
                    scale,
                    1e-7,
                );
            }
        }
    }
}

#[test]
fn vector_potential_and_its_jacobian() {
    let sys = System::random(6, 40);
    let n = sys.n();
    let s = 0.02;
    let scratch = Bump::new();
    let (mut a, mut ja) = (vec![0.0; 3 * n], vec![0.0; 9 * n]);
    let p = [&sys.p[0][..], &sys.p[1][..], &sys.p[2][..]];
    vector_potential(
        &Direct::new(),
        &sys.particles(),
        p,
        s,
        &mut a,
        Some(&mut ja),
        &scratch,
    )
    .unwrap();
    let h = 1e-5;
    for c in 0..3 {
        // channel q u_c
        let ch: Vec<f64> = (0..n).map(|j| sys.q[j] * sys.p[c][j] / sys.m[j]).collect();
        for i in [0, 13, 39] {
            let r = [sys.x[i], sys.y[i], sys.z[i]];
            let want = phi_at(&sys, &ch, i, r, s);
            let scale: f64 = (0..n)
                .filter(|&j| j != i)
                .map(|j| (ch[j] * sys.g(i, j, s)).abs())
                .sum();
            rel_close(&format!("A_{c}[{i}]"), a[c * n + i], want, scale, 1e-13);
            for d in 0..3 {
                let (mut ra, mut rb) = (r, r);
                ra[d] += h;
                rb[d] -= h;
                let fd = (phi_at(&sys, &ch, i, ra, s) - phi_at(&sys, &ch, i, rb, s)) / (2.0 * h);
                rel_close(
                    &format!("dA_{c}/dr_{d}[{i}]"),
                    ja[(3 * c + d) * n + i],
                    fd,
                    scale,
                    1e-7,
                );
            }
        }
    }
}

#[test]
fn one_column_product_matches_the_scalar_potential_identity() {
    // With X = 1: (K 1)_i = m_i + q_i phi_i.
    let sys = System::random(9, 200);
    let n = sys.n();
    let scratch = Bump::new();
    let mut y = vec![0.0; n];
    covariance_product(
        &Direct::new(),
        &sys.particles(),
        0.0,
        &vec![1.0; n],
        1,
        &mut y,
        &scratch,
    )
    .unwrap();
    let mut phi = vec![0.0; n];
    scalar_potential(&Direct::new(), sys.points(), &sys.q, 0.0, &mut phi, None).unwrap();
    for i in 0..n {
        let want = sys.m[i] + sys.q[i] * phi[i];
        assert_eq!(y[i].to_bits(), want.to_bits(), "particle {i}");
    }
}
