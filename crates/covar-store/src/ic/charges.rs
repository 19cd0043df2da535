//! Overwriting charges with random signs.
//!
//! Generators set `charge = mass` (the gravity convention). For Coulomb-like
//! systems these functions replace the charges by unit signs, in store order.

use crate::{ParticleStore, SeededRng};

/// Sets every charge to an independent, equally likely `+1` or `-1` (the top
/// bit of one draw of [`SeededRng::new`]`(seed)` per particle, in store order).
///
/// # Examples
///
/// ```
/// use covar_store::ic::{random_signs, UniformCube};
/// let mut store = UniformCube::new(50, 1).generate()?;
/// random_signs(&mut store, 9);
/// assert!(store.charges().iter().all(|&q| q == 1.0 || q == -1.0));
/// # Ok::<(), covar_store::StoreError>(())
/// ```
pub fn random_signs(store: &mut ParticleStore, seed: u64) {
    let mut rng = SeededRng::new(seed);
    for q in store.columns_mut().charge.iter_mut() {
        *q = rng.sign();
    }
}

/// Sets the charges to exactly balanced signs, so the total charge is exactly
/// 0: `n/2` charges `+1` and `n/2` charges `-1`, and for odd `n` one charge
/// `0`, in an order given by a seeded Fisher–Yates shuffle (so the neutral
/// particle, if any, is at a random place).
///
/// # Examples
///
/// ```
/// use covar_store::ic::{neutral_signs, UniformCube};
/// let mut store = UniformCube::new(7, 1).generate()?;
/// neutral_signs(&mut store, 9);
/// let q = store.charges();
/// assert_eq!(q.iter().filter(|&&q| q == 1.0).count(), 3);
/// assert_eq!(q.iter().filter(|&&q| q == -1.0).count(), 3);
/// assert_eq!(q.iter().filter(|&&q| q == 0.0).count(), 1);
/// # Ok::<(), covar_store::StoreError>(())
/// ```
pub fn neutral_signs(store: &mut ParticleStore, seed: u64) {
    let n = store.len();
    let half = n / 2;
    let mut signs: Vec<f64> = (0..n)
        .map(|i| match i {
            i if i < half => 1.0,
            i if i < 2 * half => -1.0,
            _ => 0.0,
        })
        .collect();
    SeededRng::new(seed).shuffle(&mut signs);
    store.columns_mut().charge.copy_from_slice(&signs);
}
