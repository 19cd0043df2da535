//! Seeded fixtures and comparison helpers shared by the kernel tests.
#![allow(dead_code)]

use covar_kernel::{Isa, LaplaceSum, Outputs, Points, Problem, Softening};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// `n`, or a quarter of it (at least 100) when `COVAR_TEST_QUICK` is set:
/// `scripts/test-aarch64.sh` sets it, so that the slowest tests stay within
/// minutes under emulation. The checks and their bounds are the same.
pub fn test_size(n: usize) -> usize {
    if std::env::var_os("COVAR_TEST_QUICK").is_some() {
        (n / 4).max(100)
    } else {
        n
    }
}

/// The instruction sets the tests run on: every one this CPU has, or those
/// named (comma-separated) by `COVAR_TEST_ISAS`. `scripts/test-aarch64.sh`
/// names `neon` alone: under emulation the scalar path, the same Rust code
/// as on x86-64 where it is tested natively, would double the time.
///
/// # Panics
///
/// If `COVAR_TEST_ISAS` names an instruction set this CPU cannot run.
pub fn isas() -> Vec<Isa> {
    let Some(names) = std::env::var_os("COVAR_TEST_ISAS") else {
        return Isa::available();
    };
    let names = names.to_string_lossy();
    let isas: Vec<Isa> = names
        .split(',')
        .map(|name| {
            let isa: Isa = name
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("COVAR_TEST_ISAS: {e}"));
            assert!(
                isa.is_available(),
                "COVAR_TEST_ISAS: this CPU cannot run {isa}"
            );
            isa
        })
        .collect();
    assert!(!isas.is_empty(), "COVAR_TEST_ISAS names no instruction set");
    isas
}

/// Uniform f64 in [lo, hi) from a seeded generator.
pub fn uniform(rng: &mut Xoshiro256PlusPlus, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * ((rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64))
}

/// Owned inputs of a random Laplace-sum problem.
#[derive(Clone, Debug)]
pub struct Case {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub z: Vec<f64>,
    pub channels: Vec<f64>,
    pub nd: usize,
    pub targets: Option<[Vec<f64>; 3]>,
    pub softening: Softening,
}

impl Case {
    /// `n` sources uniform in [-1, 1)^3 with channel values in [-1, 1);
    /// `nt` separate targets if given.
    pub fn random(
        seed: u64,
        n: usize,
        nd: usize,
        nt: Option<usize>,
        softening: impl Into<Softening>,
    ) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let col = |m: usize, rng: &mut Xoshiro256PlusPlus| -> Vec<f64> {
            (0..m).map(|_| uniform(rng, -1.0, 1.0)).collect()
        };
        let x = col(n, &mut rng);
        let y = col(n, &mut rng);
        let z = col(n, &mut rng);
        let channels = col(n * nd, &mut rng);
        let targets = nt.map(|m| [col(m, &mut rng), col(m, &mut rng), col(m, &mut rng)]);
        Self {
            x,
            y,
            z,
            channels,
            nd,
            targets,
            softening: softening.into(),
        }
    }

    pub fn n(&self) -> usize {
        self.x.len()
    }

    pub fn nt(&self) -> usize {
        self.targets.as_ref().map_or(self.n(), |t| t[0].len())
    }

    pub fn problem(&self) -> Problem<'_> {
        let src = Points::new(&self.x, &self.y, &self.z);
        match &self.targets {
            None => Problem::at_sources(src, &self.channels, self.nd, self.softening),
            Some(t) => Problem::at_points(
                src,
                &self.channels,
                self.nd,
                Points::new(&t[0], &t[1], &t[2]),
                self.softening,
            ),
        }
    }

    /// Potentials and gradients by `backend`.
    pub fn eval(&self, backend: &impl LaplaceSum) -> (Vec<f64>, Vec<f64>) {
        let mut pot = vec![f64::NAN; self.nd * self.nt()];
        let mut grad = vec![f64::NAN; 3 * self.nd * self.nt()];
        backend
            .evaluate(&self.problem(), Outputs::with_gradient(&mut pot, &mut grad))
            .unwrap_or_else(|e| panic!("{} failed: {e}", backend.name()));
        (pot, grad)
    }

    /// The sums of absolute contributions, `sum_j |s_j| G` and
    /// `sum_j |s_j| |t_d - r_jd| F`, the scale of each sum's round-off.
    pub fn absolute_sums(&self) -> (Vec<f64>, Vec<f64>) {
        let (n, nt, nd) = (self.n(), self.nt(), self.nd);
        let t = self
            .targets
            .clone()
            .unwrap_or([self.x.clone(), self.y.clone(), self.z.clone()]);
        let mut pot = vec![0.0; nd * nt];
        let mut grad = vec![0.0; 3 * nd * nt];
        for i in 0..nt {
            for j in 0..n {
                if self.targets.is_none() && i == j {
                    continue;
                }
                let d = [
                    t[0][i] - self.x[j],
                    t[1][i] - self.y[j],
                    t[2][i] - self.z[j],
                ];
                let (g, f) = self
                    .softening
                    .terms(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                for c in 0..nd {
                    let q = self.channels[c * n + j].abs();
                    pot[c * nt + i] += q * g;
                    for k in 0..3 {
                        grad[(3 * c + k) * nt + i] += q * d[k].abs() * f;
                    }
                }
            }
        }
        (pot, grad)
    }
}

/// Asserts `|got - want| <= rel * scale` element-wise; on failure prints the
/// index, both values, the allowed and the actual difference.
pub fn assert_close_scaled(what: &str, got: &[f64], want: &[f64], scale: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for i in 0..got.len() {
        let allowed = rel * scale[i];
        let diff = (got[i] - want[i]).abs();
        assert!(
            diff <= allowed,
            "{what}[{i}]: got {:e}, want {:e}, |diff| = {diff:e} > allowed {allowed:e} \
             (= {rel:e} x absolute sum {:e})",
            got[i],
            want[i],
            scale[i]
        );
    }
}

/// The largest `|got - want| / scale` over all elements (0 where scale is 0).
pub fn worst_scaled(got: &[f64], want: &[f64], scale: &[f64]) -> f64 {
    got.iter()
        .zip(want)
        .zip(scale)
        .filter(|(_, s)| **s > 0.0)
        .map(|((g, w), s)| (g - w).abs() / s)
        .fold(0.0, f64::max)
}
