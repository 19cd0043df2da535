//! The textbook double loop: array of structs, no SIMD, no threads.
//!
//! This is the oracle the other backends are tested against and the baseline
//! of the benchmarks. Keep it plain: every pair evaluates the kernel's plain
//! formula ([`Softening::terms`](crate::Softening::terms): IEEE square root
//! and division), in source order.

use crate::backend::{LaplaceSum, Progress};
use crate::error::KernelError;
use crate::problem::{Outputs, Problem};
use crate::validate::{check_finite, validate};

/// The naive O(N^2) backend.
#[derive(Clone, Debug, Default)]
pub struct Naive {
    progress: Option<Progress>,
}

impl Naive {
    /// A naive backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports finished pair interactions to `progress`.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }
}

struct Body {
    position: [f64; 3],
    values: Vec<f64>,
}

impl LaplaceSum for Naive {
    fn name(&self) -> &'static str {
        "naive"
    }

    fn evaluate(&self, problem: &Problem<'_>, mut out: Outputs<'_>) -> Result<(), KernelError> {
        let dims = validate(problem, &out)?;
        let (n, nt, nd) = (dims.n_sources, dims.n_targets, dims.nd);
        let src = problem.sources.points;
        let bodies: Vec<Body> = (0..n)
            .map(|j| Body {
                position: [src.x[j], src.y[j], src.z[j]],
                values: (0..nd)
                    .map(|c| problem.sources.channels[c * n + j])
                    .collect(),
            })
            .collect();
        let tgt = problem.target_points();
        let softening = problem.softening;
        let selves = problem.selves();
        let mut pot = vec![0.0; nd];
        let mut grad = vec![[0.0; 3]; nd];
        for i in 0..nt {
            let t = [tgt.x[i], tgt.y[i], tgt.z[i]];
            pot.fill(0.0);
            grad.fill([0.0; 3]);
            for (j, body) in bodies.iter().enumerate() {
                if selves.of(i) == Some(j) {
                    continue;
                }
                let dx = t[0] - body.position[0];
                let dy = t[1] - body.position[1];
                let dz = t[2] - body.position[2];
                let (g, f) = softening.terms(dx * dx + dy * dy + dz * dz);
                for c in 0..nd {
                    pot[c] += body.values[c] * g;
                    grad[c][0] -= body.values[c] * f * dx;
                    grad[c][1] -= body.values[c] * f * dy;
                    grad[c][2] -= body.values[c] * f * dz;
                }
            }
            for c in 0..nd {
                out.potential[c * nt + i] = pot[c];
                if let Some(g) = out.gradient.as_deref_mut() {
                    for d in 0..3 {
                        g[(3 * c + d) * nt + i] = grad[c][d];
                    }
                }
            }
            if let Some(p) = &self.progress {
                p.add((n - usize::from(selves.any())) as u64);
            }
        }
        check_finite(problem, &out)
    }
}
