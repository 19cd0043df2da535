//! Checksums of one evaluation: numbers that any correct backend reproduces
//! to round-off, so two backends (or two machines) can be compared at a
//! glance.

use serde::Serialize;

/// Checksums of the potentials and gradients of one evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checks {
    /// `sum_i Phi^c_i` for each channel `c` (`nd` values).
    pub potential_sums: Vec<f64>,
    /// `U = 1/2 sum_i q_i phi_i = sum_{i<j} q_i q_j G_ij`, the interaction
    /// energy of the charge channel at coupling `k = 1` (for gravity,
    /// `q = m`, the potential energy is `-G U`).
    pub energy: f64,
    /// Newton's third law for the charge channel:
    /// `|sum_i q_i E_i| / sum_i |q_i E_i|` with `E = -grad phi`; round-off
    /// (about 1e-16 times a modest factor) for an exact backend, and 0 when
    /// there is no force at all.
    pub third_law_residual: f64,
}

impl Checks {
    /// Computes the checksums from the charges, the potentials
    /// (`nd * n`, channel-major) and the gradients (`3 nd * n`).
    ///
    /// # Panics
    ///
    /// If the lengths disagree.
    pub fn compute(charge: &[f64], potential: &[f64], gradient: &[f64]) -> Self {
        let n = charge.len();
        assert!(
            n > 0 && potential.len().is_multiple_of(n),
            "potential length"
        );
        let nd = potential.len() / n;
        assert_eq!(gradient.len(), 3 * nd * n, "gradient length");
        let potential_sums = potential.chunks_exact(n).map(|c| c.iter().sum()).collect();
        let phi = &potential[..n];
        let energy = 0.5 * charge.iter().zip(phi).map(|(q, p)| q * p).sum::<f64>();
        let (gx, gy, gz) = (&gradient[..n], &gradient[n..2 * n], &gradient[2 * n..3 * n]);
        let mut total = [0.0f64; 3];
        let mut magnitude = 0.0;
        for i in 0..n {
            // q_i E_i = -q_i grad phi_i
            let f = [-charge[i] * gx[i], -charge[i] * gy[i], -charge[i] * gz[i]];
            for d in 0..3 {
                total[d] += f[d];
            }
            magnitude += (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt();
        }
        let net = (total[0] * total[0] + total[1] * total[1] + total[2] * total[2]).sqrt();
        let third_law_residual = if magnitude > 0.0 {
            net / magnitude
        } else {
            0.0
        };
        Self {
            potential_sums,
            energy,
            third_law_residual,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_charges_by_hand() {
        // q = (1, -2) at distance 2 on the x axis.
        let q = [1.0, -2.0];
        let phi = [-1.0, 0.5];
        // grad phi_0 = -q_1 (x_0 - x_1) / r^3 = -(-2)(-2)/8 = -0.5; grad phi_1 = -(1)(2)/8.
        let mut grad = vec![0.0; 6];
        grad[0] = -0.5;
        grad[1] = -0.25;
        let c = Checks::compute(&q, &phi, &grad);
        assert_eq!(c.potential_sums, vec![-0.5]);
        assert_eq!(c.energy, -1.0); // q0 q1 / r
        // forces 0.5 and -0.5: equal and opposite.
        assert_eq!(c.third_law_residual, 0.0);
    }

    #[test]
    fn no_force_gives_zero_residual() {
        let c = Checks::compute(&[0.0], &[0.0; 4], &[0.0; 12]);
        assert_eq!(c.third_law_residual, 0.0);
        assert_eq!(c.potential_sums.len(), 4);
    }
}
