//! The loss: exact against a plain dense computation written here, the
//! seed's approximations against their definitions, and the stochastic
//! estimate against the exact value.

// The dense reference is written as plain index loops on purpose.
#![allow(clippy::needless_range_loop)]

use covar_infer::InferError;
use covar_infer::loss::stochastic::{SecondMoment, StochasticParams, estimate};
use covar_infer::loss::{approx, constant, exact};
use covar_kernel::{Backend, Direct};
use covar_store::{DVec3, Particle, ParticleStore, SeededRng};

/// `n` particles on a jittered cubic lattice of spacing `h` (jitter
/// `+-h/4`, so no two closer than `h/2`), masses in [20, 200], charges
/// `+-sqrt(m)`, momenta of size `p`.
fn system(n: usize, h: f64, p: f64, seed: u64) -> ParticleStore {
    let mut rng = SeededRng::new(seed);
    let side = (1..).find(|s| s * s * s >= n).unwrap();
    (0..n)
        .map(|i| {
            let cell = DVec3::new(
                (i % side) as f64,
                (i / side % side) as f64,
                (i / side / side) as f64,
            );
            let mut jitter = || rng.uniform(-0.25, 0.25);
            let r = h * (cell + DVec3::new(jitter(), jitter(), jitter()));
            let mom = DVec3::new(rng.uniform(-p, p), rng.uniform(-p, p), rng.uniform(-p, p));
            let m = rng.uniform(20.0, 200.0);
            Particle::new(r, mom, m, rng.sign() * m.sqrt())
        })
        .collect()
}

/// `K` written out plainly.
fn plain_k(store: &ParticleStore, s: f64) -> Vec<Vec<f64>> {
    let n = store.len();
    let mut k = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            k[i][j] = if i == j {
                store.mass(i)
            } else {
                let d = store.position(i).distance_squared(store.position(j)) + s * s;
                store.charge(i) * store.charge(j) / d.sqrt()
            };
        }
    }
    k
}

/// Gauss-Jordan elimination with partial pivoting: `(log|det A|, A^-1)`.
fn plain_inverse(mut a: Vec<Vec<f64>>) -> (f64, Vec<Vec<f64>>) {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    let mut log_det = 0.0;
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap();
        a.swap(col, piv);
        inv.swap(col, piv);
        let d = a[col][col];
        log_det += d.abs().ln();
        for j in 0..n {
            a[col][j] /= d;
            inv[col][j] /= d;
        }
        for row in (0..n).filter(|&r| r != col) {
            let f = a[row][col];
            if f != 0.0 {
                for j in 0..n {
                    a[row][j] -= f * a[col][j];
                    inv[row][j] -= f * inv[col][j];
                }
            }
        }
    }
    (log_det, inv)
}

/// `S = K + mu mu^T` as a flat row-major matrix.
fn model_plus_mean(k: &[Vec<f64>], mu: &[f64]) -> Vec<f64> {
    let n = k.len();
    (0..n * n)
        .map(|x| k[x / n][x % n] + mu[x / n] * mu[x % n])
        .collect()
}

fn close(a: f64, b: f64, rel: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * b.abs().max(1e-300),
        "{what}: {a} vs {b} (rel. diff {:.3e}, allowed {rel:.1e})",
        (a - b).abs() / b.abs()
    );
}

#[test]
fn exact_loss_matches_a_plain_dense_computation() {
    for (n, soft) in [(1, 0.0), (2, 0.0), (40, 0.0), (40, 0.3)] {
        let store = system(n, 4.0, 3.0, 7 + n as u64);
        let k = plain_k(&store, soft);
        let mu: Vec<f64> = (0..n).map(|i| 0.4 * store.mass(i)).collect();
        let s = model_plus_mean(&k, &mu);
        let (log_det, inv) = plain_inverse(k.clone());
        let trace: f64 = (0..n)
            .map(|i| (0..n).map(|j| inv[i][j] * s[j * n + i]).sum::<f64>())
            .sum();
        let mut kinetic = 0.0;
        for p in [store.px(), store.py(), store.pz()] {
            for i in 0..n {
                for j in 0..n {
                    kinetic += 0.5 * p[i] * inv[i][j] * p[j];
                }
            }
        }
        let total =
            2.0 * n as f64 * (2.0 * std::f64::consts::PI).ln() - log_det + 0.5 * trace + kinetic;
        let l = exact::dense(&store, soft, &s).unwrap();
        close(l.log_det, log_det, 1e-12, "log|K|");
        close(l.trace, trace, 1e-10, "tr(K^-1 S)");
        close(l.kinetic, kinetic, 1e-10, "T_v");
        close(l.total, total, 1e-11, "L_x");
        assert_eq!(
            constant(n),
            2.0 * n as f64 * (2.0 * std::f64::consts::PI).ln()
        );
    }
}

#[test]
fn first_order_and_seed_forms_match_their_definitions() {
    let (n, soft, eps) = (30, 0.1, 0.5);
    let store = system(n, 40.0, 2.0, 3);
    let k = plain_k(&store, soft);
    let m: Vec<f64> = store.masses().to_vec();
    // S = eps^2 m m^T makes eq. 32 with the measured S the seed's eq. 67.
    let s: Vec<f64> = (0..n * n)
        .map(|x| eps * eps * m[x / n] * m[x % n])
        .collect();
    let first = approx::first_order(&store, soft, &s).unwrap();
    let seed = approx::seed(&store, soft, eps, &Backend::Direct(Direct::new())).unwrap();
    close(seed.terms.log_det, first.log_det, 1e-14, "log-det");
    close(seed.terms.trace, first.trace, 1e-12, "trace");
    close(seed.terms.kinetic, first.kinetic, 1e-12, "kinetic");
    close(seed.terms.total, first.total, 1e-12, "total");
    close(
        seed.terms.total,
        seed.c - seed.m - seed.h_seed,
        1e-13,
        "C - M - H_seed",
    );
    // The first-order kinetic term by hand: 1/2 u^T (2 D - K) u per dimension.
    let mut kin = 0.0;
    for p in [store.px(), store.py(), store.pz()] {
        for i in 0..n {
            for j in 0..n {
                let a = if i == j { m[i] } else { -k[i][j] };
                kin += 0.5 * a * (p[i] / m[i]) * (p[j] / m[j]);
            }
        }
    }
    close(first.kinetic, kin, 1e-12, "first-order kinetic");
    // Weak coupling: first order is close to exact (error of order kappa^2).
    let exact = exact::dense(&store, soft, &s).unwrap();
    close(
        first.log_det,
        exact.log_det,
        1e-3,
        "log-det at weak coupling",
    );
}

#[test]
fn stochastic_estimate_agrees_with_the_exact_loss_within_its_error_bars() {
    let n = 300;
    let store = system(n, 8.0, 2.0, 11);
    let k = plain_k(&store, 0.0);
    let mu: Vec<f64> = (0..n).map(|i| 0.3 * store.mass(i)).collect();
    let s = model_plus_mean(&k, &mu);
    let kflat = model_plus_mean(&k, &vec![0.0; n]);
    let exact = exact::dense(&store, 0.0, &s).unwrap();
    let params = StochasticParams::default();
    let direct = Direct::new();
    for (what, sm) in [
        (
            "dense S",
            SecondMoment::Dense {
                covariance: &kflat,
                mean: &mu,
            },
        ),
        ("K + mu mu^T", SecondMoment::ModelPlusMean(&mu)),
    ] {
        let est = estimate(&store, 0.0, &direct, sm, &params).unwrap();
        let ld = est.log_det;
        println!(
            "{what}: log|K| {} +- {} (exact {}), trace {} +- {} (exact {}), total {} +- {} (exact {})",
            ld.value,
            ld.std_error,
            exact.log_det,
            est.trace.value,
            est.trace.std_error,
            exact.trace,
            est.total.value,
            est.total.std_error,
            exact.total
        );
        // Within 4 standard errors (plus round-off), and the bars are
        // informative: well under the seed's own error sum log m - log|K|.
        let first_order_gap: f64 =
            store.masses().iter().map(|m| m.ln()).sum::<f64>() - exact.log_det;
        assert!(
            (ld.value - exact.log_det).abs() <= 4.0 * ld.std_error + 1e-8,
            "{what}: log-det"
        );
        assert!(
            ld.std_error < 0.1 * first_order_gap.abs(),
            "{what}: log-det error bar"
        );
        let tr = est.trace;
        assert!(
            (tr.value - exact.trace).abs() <= 4.0 * tr.std_error + 1e-7 * exact.trace,
            "{what}: trace"
        );
        close(est.kinetic, exact.kinetic, 1e-8, "kinetic");
        assert!(
            (est.total.value - exact.total).abs()
                <= 4.0 * est.total.std_error + 1e-7 * exact.total.abs(),
            "{what}: total"
        );
    }
}

#[test]
fn a_covariance_that_is_not_positive_definite_is_reported() {
    // Two opposite charges closer than their masses allow: K_01 = -q^2 / d
    // with q^2 / d > m.
    let store: ParticleStore = [0.0, 0.5]
        .map(|x| Particle::new(DVec3::new(x, 0.0, 0.0), DVec3::ZERO, 1.0, 1.0))
        .into_iter()
        .collect();
    let s = [1.0, 0.0, 0.0, 1.0];
    let mean = [0.0; 2];
    let e = exact::dense(&store, 0.0, &s).unwrap_err();
    assert!(matches!(e, InferError::NotPositiveDefinite { .. }), "{e}");
    assert!(e.to_string().contains("smallest eigenvalue is -1.0"), "{e}");
    let e = estimate(
        &store,
        0.0,
        &Direct::new(),
        SecondMoment::Dense {
            covariance: &s,
            mean: &mean,
        },
        &StochasticParams::default(),
    )
    .unwrap_err();
    assert!(matches!(e, InferError::NotPositiveDefinite { .. }), "{e}");
}

#[test]
fn bad_loss_inputs_name_what_is_wrong() {
    let store = system(3, 5.0, 0.0, 1);
    let e = exact::dense(&store, 0.0, &[1.0; 8])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`second_moment`: has 8 values, expected 3 x 3"),
        "{e}"
    );
    let mut s = vec![0.0; 9];
    s[5] = f64::NAN;
    let e = approx::first_order(&store, 0.0, &s)
        .unwrap_err()
        .to_string();
    assert!(e.contains("entry (1, 2) is NaN"), "{e}");
    let mut twins = store.clone();
    twins.set_position(2, twins.position(0));
    let e = exact::dense(&twins, 0.0, &[0.0; 9])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sources 0 and 2 are at the same position"),
        "{e}"
    );
    let e = exact::dense(&store, -1.0, &[0.0; 9])
        .unwrap_err()
        .to_string();
    assert!(e.contains("softening length is -1"), "{e}");
    let mut bad = store.clone();
    bad.set_mass(1, 0.0);
    let e = exact::dense(&bad, 0.0, &[0.0; 9]).unwrap_err().to_string();
    assert!(e.contains("particle 1") && e.contains("mass"), "{e}");
    let p = StochasticParams {
        probes: 1,
        ..Default::default()
    };
    let dense = SecondMoment::Dense {
        covariance: &[0.0; 9],
        mean: &[0.0; 3],
    };
    let e = estimate(&store, 0.0, &Direct::new(), dense, &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs at least 2 probes"), "{e}");
}
