//! Where the seed's approximation of the loss stops being good: its relative
//! errors against the exact dense loss as the coupling grows.
//!
//! 64 particles on a jittered 4 x 4 x 4 lattice, masses in [20, 200],
//! charges `+-sqrt(m)` (the charges `covar fit` assigns), at rest. The
//! lattice is scaled so that the coupling
//! `kappa = max_(i, j) |q_i q_j| G_ij / m_i` takes the values in the first
//! column. Columns:
//!
//! - `sum_j/m`: the largest Gershgorin row sum `sum_(j != i) |K_ij| / m_i`;
//! - eq. 32 (first order in `K_off`, the measured `S`; here `S = K`, data
//!   drawn from the model): relative errors of `log|K|`, of `tr(K^-1 S)` and
//!   of the loss `L_x`;
//! - eq. 67 (`C - M - H_seed`, which also sets `S ~ eps^2 m m^T`): relative
//!   error of `L_x` for data with mean `eps m` (`S = K + eps^2 m m^T`,
//!   `eps = 0.5`).
//!
//! `cargo run --release -p covar-examples --example seed_loss_table`

use covar::infer::loss::{approx, coupling_strength, exact};
use covar::kernel::Backend;
use covar::store::{DVec3, Particle, ParticleStore, SeededRng};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let eps = 0.5;
    let base = lattice(4, 7);
    let n = base.len();
    let kappa1 = coupling_strength(&base, 0.0)?;
    let backend: Backend = "direct".parse()?;
    println!(
        "| kappa | sum_j/m | log-det, eq. 32 | trace, eq. 32 | loss, eq. 32 | loss, eq. 67 (eps = {eps}) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for kappa in [0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0] {
        let store = scaled(&base, kappa1 / kappa);
        let k = exact_k(&store);
        let m = store.masses();
        let row_sum = (0..n)
            .map(|i| {
                (0..n)
                    .filter(|&j| j != i)
                    .map(|j| k[i * n + j].abs())
                    .sum::<f64>()
                    / m[i]
            })
            .fold(0.0, f64::max);
        let first = approx::first_order(&store, 0.0, &k)?;
        let seed = approx::seed(&store, 0.0, eps, &backend)?;
        let s_mean: Vec<f64> = (0..n * n)
            .map(|x| k[x] + eps * eps * m[x / n] * m[x % n])
            .collect();
        let rel = |a: f64, b: f64| format!("{:.2e}", ((a - b) / b).abs());
        match (
            exact::dense(&store, 0.0, &k),
            exact::dense(&store, 0.0, &s_mean),
        ) {
            (Ok(ex), Ok(ex_mean)) => println!(
                "| {kappa} | {row_sum:.3} | {} | {} | {} | {} |",
                rel(first.log_det, ex.log_det),
                rel(first.trace, ex.trace),
                rel(first.total, ex.total),
                rel(seed.terms.total, ex_mean.total),
            ),
            _ => println!("| {kappa} | {row_sum:.3} | K not positive definite | | | |"),
        }
    }
    println!();
    println!("(N = {n}, relative errors |approx - exact| / |exact|)");
    Ok(())
}

/// `side^3` particles on a unit lattice with jitter `+-1/4`, masses in
/// [20, 200], charges `+-sqrt(m)`.
fn lattice(side: usize, seed: u64) -> ParticleStore {
    let mut rng = SeededRng::new(seed);
    (0..side * side * side)
        .map(|i| {
            let cell = DVec3::new(
                (i % side) as f64,
                (i / side % side) as f64,
                (i / side / side) as f64,
            );
            let mut jitter = || rng.uniform(-0.25, 0.25);
            let r = cell + DVec3::new(jitter(), jitter(), jitter());
            let m = rng.uniform(20.0, 200.0);
            Particle::new(r, DVec3::ZERO, m, rng.sign() * m.sqrt())
        })
        .collect()
}

/// `store` with every position multiplied by `factor`.
fn scaled(store: &ParticleStore, factor: f64) -> ParticleStore {
    store
        .iter()
        .map(|p| Particle::new(p.position * factor, p.momentum, p.mass, p.charge))
        .collect()
}

/// `K` (`N x N` row-major).
fn exact_k(store: &ParticleStore) -> Vec<f64> {
    let n = store.len();
    (0..n * n)
        .map(|x| {
            let (i, j) = (x / n, x % n);
            if i == j {
                store.mass(i)
            } else {
                store.charge(i) * store.charge(j) / store.position(i).distance(store.position(j))
            }
        })
        .collect()
}
