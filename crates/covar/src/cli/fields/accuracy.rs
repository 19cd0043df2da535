//! `covar fields --check K`: the accuracy a backend achieved, against exact
//! sums at `K` particles drawn at random (seeded).
//!
//! The exact values come from the direct backend in `O(K N)` pair
//! interactions, without ever pairing a particle with itself: the sums at
//! the `K` chosen particles over the `N - K` others (separate targets), plus
//! the sums among the `K` chosen ones (targets = sources, self term
//! excluded).
//!
//! Errors, over all channels `c` and chosen particles `i` (and the three
//! components of each gradient):
//!
//! ```text
//! rel_l2_pot   = ||phi - phi_exact|| / ||phi_exact||           (2-norms over c, i)
//! rel_l2_grad  = ||g - g_exact|| / ||g_exact||                 (over c, i, x y z)
//! max_rel_pot  = max_(c,i) |phi - phi_exact| / max(|phi_exact|, tiny)
//! max_rel_grad = max_(c,i) |g - g_exact| / max(|g_exact|, tiny)  (|.|: 3-vector norm)
//! ```
//!
//! `tiny` is the smallest normal f64. The max errors are pointwise: where a
//! signed system's potential nearly cancels at a particle they can be much
//! larger than the L2 errors, which are what the fast backend's tolerance
//! bounds.

use std::collections::BTreeSet;
use std::time::Instant;

use covar_kernel::{Direct, KernelError, LaplaceSum, Outputs, Points, Problem, Softening};
use covar_store::SeededRng;
use serde::Serialize;

/// The achieved accuracy of one evaluation (the keys of `--json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Accuracy {
    /// Particles compared at (`K`, at most `N`).
    pub check_targets: usize,
    /// Wall time of the exact sums, in seconds.
    pub check_seconds: f64,
    /// Relative L2 error of the potentials, all channels together.
    pub rel_l2_pot: f64,
    /// Relative L2 error of the gradients, all channels and components
    /// together.
    pub rel_l2_grad: f64,
    /// Largest pointwise relative error of a potential.
    pub max_rel_pot: f64,
    /// Largest pointwise relative error of a gradient (3-vector norms).
    pub max_rel_grad: f64,
}

/// Particles at which to compare: `min(k, n)` distinct indices below `n`,
/// increasing, drawn uniformly by Floyd's algorithm from `seed`.
///
/// # Examples
///
/// ```
/// use covar::cli::fields::accuracy::pick;
/// let a = pick(1000, 5, 7);
/// assert_eq!(a, pick(1000, 5, 7)); // seeded
/// assert_eq!(a.len(), 5);
/// assert!(a.windows(2).all(|w| w[0] < w[1]) && a[4] < 1000);
/// assert_eq!(pick(3, 10, 7), [0, 1, 2]);
/// ```
pub fn pick(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let k = k.min(n);
    let mut rng = SeededRng::new(seed);
    let mut chosen = BTreeSet::new();
    for j in n - k..n {
        let t = rng.below(j as u64 + 1) as usize;
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen.into_iter().collect()
}

/// The system of one evaluation: positions, `nd` channels (channel-major,
/// `nd * n`), softening.
#[derive(Clone, Copy, Debug)]
pub struct System<'a> {
    /// Positions of the `n` particles.
    pub points: Points<'a>,
    /// Channel values, `nd * n`, channel-major.
    pub channels: &'a [f64],
    /// Number of channels.
    pub nd: usize,
    /// Softening length.
    pub softening: Softening,
}

/// Sources per block of the exact sums in [`exact`].
const CHECK_BLOCK: usize = 1 << 20;

/// Exact potentials (`nd * k`) and gradients (`3 nd * k`), channel-major,
/// at the particles `targets` (distinct), each summed over all the other
/// particles.
///
/// # Errors
///
/// A [`KernelError`] of the direct backend (e.g. coincident particles at
/// zero softening).
pub fn exact(sys: System<'_>, targets: &[usize]) -> Result<(Vec<f64>, Vec<f64>), KernelError> {
    exact_in_blocks(sys, targets, CHECK_BLOCK)
}

/// [`exact`] with the other particles taken `block` at a time.
fn exact_in_blocks(
    sys: System<'_>,
    targets: &[usize],
    block: usize,
) -> Result<(Vec<f64>, Vec<f64>), KernelError> {
    let (n, k, nd) = (sys.points.x.len(), targets.len(), sys.nd);
    let direct = Direct::new();
    let mut chosen = vec![false; n];
    for &i in targets {
        chosen[i] = true;
    }
    let at = |col: &[f64]| targets.iter().map(|&i| col[i]).collect::<Vec<f64>>();
    let (tx, ty, tz) = (at(sys.points.x), at(sys.points.y), at(sys.points.z));
    let tq: Vec<f64> = (0..nd)
        .flat_map(|c| at(&sys.channels[c * n..(c + 1) * n]))
        .collect();
    let t_points = Points::new(&tx, &ty, &tz);
    // Among the chosen particles (self excluded).
    let mut pot = vec![0.0; nd * k];
    let mut grad = vec![0.0; 3 * nd * k];
    direct.evaluate(
        &Problem::at_sources(t_points, &tq, nd, sys.softening),
        Outputs::with_gradient(&mut pot, &mut grad),
    )?;
    // From all the others, a block of sources at a time: the copies of the
    // unchosen particles stay small next to the system (a copy of all of
    // them is (3 + nd) * 8 bytes a particle, 0.5 GiB at 10^7 with nd = 4).
    let mut pot_rest = vec![0.0; nd * k];
    let mut grad_rest = vec![0.0; 3 * nd * k];
    for lo in (0..n).step_by(block) {
        let hi = (lo + block).min(n);
        let rest = |col: &[f64]| -> Vec<f64> {
            col[lo..hi]
                .iter()
                .zip(&chosen[lo..hi])
                .filter(|&(_, &c)| !c)
                .map(|(&v, _)| v)
                .collect()
        };
        let (rx, ry, rz) = (rest(sys.points.x), rest(sys.points.y), rest(sys.points.z));
        if rx.is_empty() {
            continue;
        }
        let mut rq = Vec::with_capacity(nd * rx.len());
        for c in 0..nd {
            rq.extend(rest(&sys.channels[c * n..(c + 1) * n]));
        }
        pot_rest.fill(0.0);
        grad_rest.fill(0.0);
        direct.evaluate(
            &Problem::at_points(Points::new(&rx, &ry, &rz), &rq, nd, t_points, sys.softening),
            Outputs::with_gradient(&mut pot_rest, &mut grad_rest),
        )?;
        for (a, b) in pot.iter_mut().zip(&pot_rest) {
            *a += b;
        }
        for (a, b) in grad.iter_mut().zip(&grad_rest) {
            *a += b;
        }
    }
    Ok((pot, grad))
}

/// Compares `potential` (`nd * n`) and `gradient` (`3 nd * n`), computed by
/// any backend for all `n` particles of `sys`, with exact sums at `k`
/// particles drawn from `seed`.
///
/// # Errors
///
/// A [`KernelError`] of the exact sums.
///
/// # Panics
///
/// If the output lengths do not fit `sys`.
pub fn check(
    sys: System<'_>,
    potential: &[f64],
    gradient: &[f64],
    k: usize,
    seed: u64,
) -> Result<Accuracy, KernelError> {
    let start = Instant::now();
    let (n, nd) = (sys.points.x.len(), sys.nd);
    assert_eq!(potential.len(), nd * n, "potential length");
    assert_eq!(gradient.len(), 3 * nd * n, "gradient length");
    let targets = pick(n, k, seed);
    let (pot, grad) = exact(sys, &targets)?;
    let k = targets.len();
    let rel = |diff2: f64, norm2: f64| match (diff2 == 0.0, norm2 == 0.0) {
        (true, _) => 0.0,
        (false, true) => f64::INFINITY,
        (false, false) => (diff2 / norm2).sqrt(),
    };
    let pointwise = |diff: f64, norm: f64| diff / norm.max(f64::MIN_POSITIVE);
    let (mut diff2, mut norm2, mut max_pot) = (0.0, 0.0, 0.0f64);
    let (mut gdiff2, mut gnorm2, mut max_grad) = (0.0, 0.0, 0.0f64);
    for c in 0..nd {
        for (t, &i) in targets.iter().enumerate() {
            let (got, want) = (potential[c * n + i], pot[c * k + t]);
            diff2 += (got - want) * (got - want);
            norm2 += want * want;
            max_pot = max_pot.max(pointwise((got - want).abs(), want.abs()));
            let (mut d2, mut w2) = (0.0, 0.0);
            for d in 0..3 {
                let row = 3 * c + d;
                let (got, want) = (gradient[row * n + i], grad[row * k + t]);
                d2 += (got - want) * (got - want);
                w2 += want * want;
            }
            gdiff2 += d2;
            gnorm2 += w2;
            max_grad = max_grad.max(pointwise(d2.sqrt(), w2.sqrt()));
        }
    }
    Ok(Accuracy {
        check_targets: k,
        check_seconds: start.elapsed().as_secs_f64(),
        rel_l2_pot: rel(diff2, norm2),
        rel_l2_grad: rel(gdiff2, gnorm2),
        max_rel_pot: max_pot,
        max_rel_grad: max_grad,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` seeded random points in the unit cube and `nd` signed channels.
    fn fixture(n: usize, nd: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut rng = SeededRng::new(11);
        let mut col = |lo, hi| (0..n).map(|_| rng.uniform(lo, hi)).collect::<Vec<f64>>();
        let (x, y, z) = (col(0.0, 1.0), col(0.0, 1.0), col(0.0, 1.0));
        let q = col(-1.0, 1.0).repeat(nd);
        (x, y, z, q)
    }

    #[test]
    fn picks_are_distinct_sorted_seeded_and_cover_small_n() {
        for (n, k) in [(0, 5), (1, 1), (10, 10), (10, 3), (100_000, 200)] {
            let a = pick(n, k, 3);
            assert_eq!(a.len(), k.min(n));
            assert!(a.windows(2).all(|w| w[0] < w[1]), "{a:?}");
            assert!(a.iter().all(|&i| i < n));
            assert_eq!(a, pick(n, k, 3));
        }
        assert_ne!(pick(1000, 10, 1), pick(1000, 10, 2));
    }

    #[test]
    fn exact_sums_match_the_full_direct_evaluation() {
        for (n, k, nd, s) in [(300, 17, 4, 0.0), (64, 64, 1, 0.01), (50, 1, 1, 0.0)] {
            let (x, y, z, q) = fixture(n, nd);
            let points = Points::new(&x, &y, &z);
            let mut phi = vec![0.0; nd * n];
            let mut g = vec![0.0; 3 * nd * n];
            Direct::new()
                .evaluate(
                    &Problem::at_sources(points, &q, nd, s),
                    Outputs::with_gradient(&mut phi, &mut g),
                )
                .unwrap();
            let sys = System {
                points,
                channels: &q,
                nd,
                softening: s.into(),
            };
            let a = check(sys, &phi, &g, k, 5).unwrap();
            assert_eq!(a.check_targets, k);
            for (what, e) in [
                ("rel_l2_pot", a.rel_l2_pot),
                ("rel_l2_grad", a.rel_l2_grad),
                ("max_rel_pot", a.max_rel_pot),
                ("max_rel_grad", a.max_rel_grad),
            ] {
                assert!(e < 1e-12, "n={n} k={k} nd={nd}: {what} = {e:e} > 1e-12");
            }
        }
    }

    #[test]
    fn blocks_of_sources_give_the_same_sums() {
        let (n, nd) = (300, 4);
        let (x, y, z, q) = fixture(n, nd);
        let sys = System {
            points: Points::new(&x, &y, &z),
            channels: &q,
            nd,
            softening: Softening::NONE,
        };
        let targets = pick(n, 23, 9);
        let (p1, g1) = exact_in_blocks(sys, &targets, n).unwrap();
        for block in [1, 7, 64, 299] {
            let (p2, g2) = exact_in_blocks(sys, &targets, block).unwrap();
            for (a, b) in p1.iter().chain(&g1).zip(p2.iter().chain(&g2)) {
                assert!(
                    (a - b).abs() <= 1e-13 * a.abs().max(1.0),
                    "block {block}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn errors_measure_a_known_perturbation() {
        let (n, nd) = (200, 1);
        let (x, y, z, q) = fixture(n, nd);
        let points = Points::new(&x, &y, &z);
        let mut phi = vec![0.0; n];
        let mut g = vec![0.0; 3 * n];
        Direct::new()
            .evaluate(
                &Problem::at_sources(points, &q, nd, 0.0),
                Outputs::with_gradient(&mut phi, &mut g),
            )
            .unwrap();
        // Every value off by 1e-4 relative: all four errors are 1e-4.
        phi.iter_mut().for_each(|v| *v *= 1.0 + 1e-4);
        g.iter_mut().for_each(|v| *v *= 1.0 - 1e-4);
        let sys = System {
            points,
            channels: &q,
            nd,
            softening: Softening::NONE,
        };
        let a = check(sys, &phi, &g, n, 1).unwrap();
        for (what, e) in [
            ("rel_l2_pot", a.rel_l2_pot),
            ("rel_l2_grad", a.rel_l2_grad),
            ("max_rel_pot", a.max_rel_pot),
            ("max_rel_grad", a.max_rel_grad),
        ] {
            assert!((e - 1e-4).abs() < 1e-9, "{what} = {e:e}, expected 1e-4");
        }
    }
}
