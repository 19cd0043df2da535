//! Seeded synthetic data with planted clusters, for tests, examples and
//! benchmarks.
//!
//! Cluster `a` has `n_a` members and a latent spin `z_a = sign(g_a)`, with
//! `g ~ N(0, R)` Gaussian. Member `k` reads `b_k = q_k z_a f_k`, where `q_k`
//! is its planted sign and `f_k = -1` with probability `flip` (independently).
//! Then, with `c = (1 - 2 flip)^2`,
//!
//! ```text
//! m_a = Var(x_a) = n_a + n_a (n_a - 1) c,      x_a = sum_k q_k b_k,
//! Cov(x_a, x_b) = n_a n_b c E[z_a z_b],        E[z_a z_b] = (2/pi) asin(R_ab).
//! ```
//!
//! The planted cluster covariances come from planted particles,
//! `C_ab = Q_a Q_b / |r_a - r_b|` with `Q_a = s_a sqrt(m_a)`, so
//! `R_ab = sin(pi/2 C_ab / (n_a n_b c))`. Unclustered variables are
//! independent, each `+1` with its own probability in `[0.3, 0.7]`.
//! Variables are shuffled, so clusters interleave in the columns.

use covar_store::SeededRng;
use nalgebra::DMatrix;

use crate::error::InferError;

/// A planted-cluster design.
#[derive(Clone, Debug, PartialEq)]
pub struct Planted {
    /// Members of each cluster (each `>= 2`).
    pub sizes: Vec<usize>,
    /// Probability that a member disagrees with its cluster, in `[0, 1/2)`.
    pub flip: f64,
    /// Planted positions of the clusters.
    pub positions: Vec<[f64; 3]>,
    /// Planted charge signs `s_a` of the clusters (`+1` or `-1`).
    pub charge_signs: Vec<f64>,
    /// Independent variables besides the clusters.
    pub unclustered: usize,
    /// Seed of every random choice.
    pub seed: u64,
}

/// What was planted, in the order of the data's columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    /// For each variable, its cluster (`None`: unclustered).
    pub cluster_of: Vec<Option<usize>>,
    /// For each variable, its sign `q_k` (1 for unclustered ones).
    pub sign: Vec<i8>,
    /// Masses `m_a`.
    pub masses: Vec<f64>,
    /// Charges `Q_a = s_a sqrt(m_a)`.
    pub charges: Vec<f64>,
    /// Planted covariances `C_ab` (`N x N` row-major, masses on the diagonal).
    pub covariance: Vec<f64>,
}

/// A generated data set.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Time steps.
    pub rows: usize,
    /// Variables.
    pub variables: usize,
    /// Spins, row-major `rows x variables`.
    pub values: Vec<i8>,
    /// The planted structure.
    pub truth: Truth,
}

impl Planted {
    /// A small design: clusters of 6 to 12 members at the corners and centre
    /// of a cube of side 4 (correlations between clusters 0.14 to 0.29),
    /// flip probability 0.05, and 8 unclustered variables.
    pub fn example(seed: u64) -> Self {
        let positions = vec![
            [0.0, 0.0, 0.0],
            [4.0, 0.0, 0.0],
            [0.0, 4.0, 0.0],
            [0.0, 0.0, 4.0],
            [4.0, 4.0, 4.0],
            [2.0, 2.0, 2.0],
        ];
        Self {
            sizes: vec![6, 8, 10, 12, 7, 9],
            flip: 0.05,
            charge_signs: vec![1.0, -1.0, 1.0, 1.0, -1.0, -1.0],
            positions,
            unclustered: 8,
            seed,
        }
    }

    /// The planted truth (variable order included) and the latent Cholesky
    /// factor.
    fn plan(&self) -> Result<(Truth, DMatrix<f64>, Vec<f64>), InferError> {
        let bad = |reason: String| InferError::InvalidParameter {
            name: "planted",
            reason,
        };
        let n = self.sizes.len();
        if self.positions.len() != n || self.charge_signs.len() != n {
            return Err(bad(
                "sizes, positions and charge_signs differ in length".into()
            ));
        }
        if self.sizes.iter().any(|s| *s < 2) || !(0.0..0.5).contains(&self.flip) {
            return Err(bad("every cluster needs 2 members, flip in [0, 1/2)".into()));
        }
        let c = (1.0 - 2.0 * self.flip).powi(2);
        let masses: Vec<f64> = self
            .sizes
            .iter()
            .map(|&s| s as f64 + (s * (s - 1)) as f64 * c)
            .collect();
        let charges: Vec<f64> = masses
            .iter()
            .zip(&self.charge_signs)
            .map(|(m, s)| s * m.sqrt())
            .collect();
        let mut cov = vec![0.0; n * n];
        let mut latent = DMatrix::<f64>::identity(n, n);
        for a in 0..n {
            cov[a * n + a] = masses[a];
            for b in (0..n).filter(|&b| b != a) {
                let (p, q) = (self.positions[a], self.positions[b]);
                let d =
                    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt();
                cov[a * n + b] = charges[a] * charges[b] / d;
                let rho = cov[a * n + b] / ((self.sizes[a] * self.sizes[b]) as f64 * c);
                if rho.abs() >= 1.0 {
                    return Err(bad(format!(
                        "clusters {a} and {b} are too close: latent correlation {rho:.3}"
                    )));
                }
                latent[(a, b)] = (std::f64::consts::FRAC_PI_2 * rho).sin();
            }
        }
        let chol = latent
            .cholesky()
            .ok_or_else(|| bad("the latent correlation matrix is not positive definite".into()))?;
        // Variables: cluster members then unclustered ones, shuffled.
        let mut rng = SeededRng::new(self.seed);
        let mut order: Vec<(Option<usize>, i8)> = Vec::new();
        for (a, &s) in self.sizes.iter().enumerate() {
            for _ in 0..s {
                order.push((Some(a), if rng.sign() > 0.0 { 1 } else { -1 }));
            }
        }
        order.extend((0..self.unclustered).map(|_| (None, 1)));
        rng.shuffle(&mut order);
        let bias = (0..order.len()).map(|_| rng.uniform(0.3, 0.7)).collect();
        let truth = Truth {
            cluster_of: order.iter().map(|o| o.0).collect(),
            sign: order.iter().map(|o| o.1).collect(),
            masses,
            charges,
            covariance: cov,
        };
        Ok((truth, chol.l(), bias))
    }

    /// The truth alone.
    ///
    /// # Errors
    ///
    /// [`InferError::InvalidParameter`] for an inconsistent design.
    pub fn truth(&self) -> Result<Truth, InferError> {
        Ok(self.plan()?.0)
    }

    /// `rows` time steps of the design.
    ///
    /// # Errors
    ///
    /// [`InferError::InvalidParameter`] for an inconsistent design (lengths,
    /// sizes, clusters so close that the latent correlation is not valid).
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_infer::synth::Planted;
    /// let s = Planted::example(3).generate(100)?;
    /// assert_eq!(s.values.len(), 100 * s.variables);
    /// assert!(s.values.iter().all(|v| *v == 1 || *v == -1));
    /// # Ok::<(), covar_infer::InferError>(())
    /// ```
    pub fn generate(&self, rows: usize) -> Result<Sample, InferError> {
        let (truth, l, bias) = self.plan()?;
        let n = self.sizes.len();
        let m = truth.cluster_of.len();
        let mut rng = SeededRng::new(self.seed ^ 0x9e37_79b9_7f4a_7c15);
        let mut values = Vec::with_capacity(rows * m);
        let mut g = vec![0.0; n];
        let mut z = vec![0i8; n];
        for _ in 0..rows {
            for gi in g.iter_mut() {
                *gi = normal(&mut rng);
            }
            for (a, za) in z.iter_mut().enumerate() {
                let h: f64 = (0..=a).map(|b| l[(a, b)] * g[b]).sum();
                *za = if h >= 0.0 { 1 } else { -1 };
            }
            for (k, b) in bias.iter().enumerate() {
                let v = match truth.cluster_of[k] {
                    Some(a) => {
                        let f = if rng.next_f64() < self.flip { -1 } else { 1 };
                        truth.sign[k] * z[a] * f
                    }
                    None => {
                        if rng.next_f64() < *b {
                            1
                        } else {
                            -1
                        }
                    }
                };
                values.push(v);
            }
        }
        Ok(Sample {
            rows,
            variables: m,
            values,
            truth,
        })
    }
}

impl Sample {
    /// The data as CSV with a header `b0,b1,...`.
    pub fn to_csv(&self) -> String {
        let mut out: Vec<String> = vec![
            (0..self.variables)
                .map(|j| format!("b{j}"))
                .collect::<Vec<_>>()
                .join(","),
        ];
        for row in self.values.chunks_exact(self.variables.max(1)) {
            out.push(
                row.iter()
                    .map(|v| if *v > 0 { "1" } else { "-1" })
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        out.join("\n") + "\n"
    }
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut SeededRng) -> f64 {
    let (u, v) = (rng.next_f64_open(), rng.next_f64());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
