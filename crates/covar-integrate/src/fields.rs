//! The Hamiltonian's sums at one phase-space point, from one Laplace sum:
//! potentials, equations of motion and energy (DESIGN.md 2.3).

use covar_kernel::{LaplaceSum, Outputs, Points, Problem};

use crate::couplings::Couplings;
use crate::error::IntegrateError;
use crate::phase::{Phase, PhaseBuf};

/// The parts of `H` at one state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Energy {
    /// `sum_i |P_i|^2 / (2 m_i)`.
    pub kinetic: f64,
    /// `-(mu/2) sum_i q_i u_i . A_i`: the velocity-dependent interaction.
    pub magnetic: f64,
    /// `(k/2) sum_i q_i phi_i`: the Coulomb (or gravitational) energy.
    pub coulomb: f64,
}

impl Energy {
    /// `H = kinetic + magnetic + coulomb`.
    pub fn total(&self) -> f64 {
        self.kinetic + self.magnetic + self.coulomb
    }
    /// The velocity-dependent part `T = kinetic + magnetic`.
    pub fn t(&self) -> f64 {
        self.kinetic + self.magnetic
    }
    /// The position-only part `U = coulomb`.
    pub fn u(&self) -> f64 {
        self.coulomb
    }
}

/// Reusable buffers holding the sums of one evaluation.
///
/// With `mu != 0` one Laplace sum with the four channels
/// `q, q u_x, q u_y, q u_z` (potential and gradient) gives `phi`, `E`, `A`
/// and `grad A`. With `mu == 0` the vector channels contribute nothing, so
/// only the charge channel is summed (a quarter of the work).
#[derive(Clone, Debug, Default)]
pub struct Fields {
    kernel_time: std::time::Duration,
    n: usize,
    nd: usize,
    channels: Vec<f64>,
    pot: Vec<f64>,
    grad: Vec<f64>,
}

impl Fields {
    /// Empty buffers; they grow on first use and are reused afterwards.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of channels summed by the last [`compute`](Self::compute).
    pub fn nd(&self) -> usize {
        self.nd
    }

    /// Evaluates the sums at `state`.
    ///
    /// # Errors
    ///
    /// Any [`KernelError`](covar_kernel::KernelError) of the backend.
    pub fn compute(
        &mut self,
        backend: &impl LaplaceSum,
        couplings: &Couplings,
        mass: &[f64],
        charge: &[f64],
        state: Phase<'_>,
    ) -> Result<(), IntegrateError> {
        let n = mass.len();
        let nd = if couplings.is_separable() { 1 } else { 4 };
        self.n = n;
        self.nd = nd;
        self.channels.resize(nd * n, 0.0);
        self.pot.resize(nd * n, 0.0);
        self.grad.resize(3 * nd * n, 0.0);
        self.channels[..n].copy_from_slice(charge);
        if nd == 4 {
            for d in 0..3 {
                let row = &mut self.channels[(d + 1) * n..(d + 2) * n];
                for (((c, &p), &m), &q) in row.iter_mut().zip(state.p[d]).zip(mass).zip(charge) {
                    *c = q * p / m;
                }
            }
        }
        let problem = Problem::at_sources(
            Points::new(state.r[0], state.r[1], state.r[2]),
            &self.channels,
            nd,
            couplings.softening,
        );
        let start = std::time::Instant::now();
        let result = backend.evaluate(
            &problem,
            Outputs::with_gradient(&mut self.pot, &mut self.grad),
        );
        self.kernel_time += start.elapsed();
        result?;
        Ok(())
    }

    /// Copies the sums of `other` (its state, channels and results), keeping
    /// this buffer's own [`kernel_time`](Self::kernel_time).
    pub fn copy_sums_from(&mut self, other: &Fields) {
        self.n = other.n;
        self.nd = other.nd;
        self.channels.clone_from(&other.channels);
        self.pot.clone_from(&other.pot);
        self.grad.clone_from(&other.grad);
    }

    /// Total wall time spent in the backend's Laplace sums by
    /// [`compute`](Self::compute) since these buffers were created.
    pub fn kernel_time(&self) -> std::time::Duration {
        self.kernel_time
    }

    /// `phi_i = sum_{j != i} q_j G_ij`.
    pub fn phi(&self) -> &[f64] {
        &self.pot[..self.n]
    }

    /// `d phi_i / d r^d` (so `E = -grad phi`).
    pub fn grad_phi(&self, d: usize) -> &[f64] {
        &self.grad[d * self.n..(d + 1) * self.n]
    }

    /// `A_i^a` (zero-length if `mu == 0`).
    pub fn a(&self, a: usize) -> &[f64] {
        if self.nd < 4 {
            return &[];
        }
        &self.pot[(1 + a) * self.n..(2 + a) * self.n]
    }

    /// `dA_i^a / dr_i^b` (zero-length if `mu == 0`).
    pub fn grad_a(&self, a: usize, b: usize) -> &[f64] {
        if self.nd < 4 {
            return &[];
        }
        let row = 3 * (1 + a) + b;
        &self.grad[row * self.n..(row + 1) * self.n]
    }

    /// The equations of motion at the evaluated state, written into `rate`:
    ///
    /// ```text
    /// dr_i/dt = u_i - mu (q_i / m_i) A_i
    /// dP_i/dt = q_i (k E_i + mu J_i^T u_i),   J_ab = dA^a/dr^b
    /// ```
    pub fn rates(
        &self,
        couplings: &Couplings,
        mass: &[f64],
        charge: &[f64],
        state: Phase<'_>,
        rate: &mut PhaseBuf,
    ) {
        let n = self.n;
        rate.resize(n);
        let (k, mu) = (couplings.k, couplings.mu);
        for i in 0..n {
            let (m, q) = (mass[i], charge[i]);
            let u = [state.p[0][i] / m, state.p[1][i] / m, state.p[2][i] / m];
            for d in 0..3 {
                let mut dr = u[d];
                let mut dp = -k * self.grad_phi(d)[i];
                if self.nd == 4 {
                    dr -= mu * q / m * self.a(d)[i];
                    let jtu: f64 = (0..3).map(|a| self.grad_a(a, d)[i] * u[a]).sum();
                    dp += mu * jtu;
                }
                rate.r[d][i] = dr;
                rate.p[d][i] = q * dp;
            }
        }
    }

    /// Only `dP/dt = q k E` (valid for `mu == 0`), for kicks.
    pub fn kicks(&self, couplings: &Couplings, charge: &[f64], out: [&mut [f64]; 3]) {
        for (d, o) in out.into_iter().enumerate() {
            for ((o, &g), &q) in o.iter_mut().zip(self.grad_phi(d)).zip(charge) {
                *o = -couplings.k * q * g;
            }
        }
    }

    /// The parts of `H` at the evaluated state.
    pub fn energy(
        &self,
        couplings: &Couplings,
        mass: &[f64],
        charge: &[f64],
        state: Phase<'_>,
    ) -> Energy {
        let mut e = Energy::default();
        for i in 0..self.n {
            let (m, q) = (mass[i], charge[i]);
            let p2: f64 = (0..3).map(|d| state.p[d][i] * state.p[d][i]).sum();
            e.kinetic += 0.5 * p2 / m;
            e.coulomb += 0.5 * couplings.k * q * self.phi()[i];
            if self.nd == 4 {
                let ua: f64 = (0..3).map(|d| state.p[d][i] / m * self.a(d)[i]).sum();
                e.magnetic -= 0.5 * couplings.mu * q * ua;
            }
        }
        e
    }
}
