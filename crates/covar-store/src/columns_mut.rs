//! Mutable access to several columns at once, padding protected.

use crate::column::fill_position_padding;
use crate::{Field, ParticleStore};

/// Mutable real-length slices of every `f64` column, borrowed together so an
/// integrator can update positions from momenta in one pass.
///
/// The padding is not reachable through it. When the guard is dropped, the
/// position padding is refreshed from the (possibly moved) last particle, so
/// the store's padding invariant holds again. (Leaking the guard with
/// `mem::forget` skips that refresh; the padding then stays finite but may lag
/// behind the last particle.)
///
/// Ids cannot be changed through it: they identify particles.
///
/// # Examples
///
/// ```
/// use covar_store::ic::UniformCube;
///
/// let mut store = UniformCube::new(10, 3).generate()?;
/// let dt = 0.1;
/// {
///     let c = &mut store.columns_mut();
///     for i in 0..c.x.len() {
///         c.px[i] += 1.0; // kick
///         c.x[i] += dt * c.px[i] / c.mass[i]; // drift
///     }
/// } // padding refreshed here
/// store.assert_well_formed();
/// # Ok::<(), covar_store::StoreError>(())
/// ```
#[derive(Debug)]
pub struct ColumnsMut<'a> {
    /// x coordinates.
    pub x: &'a mut [f64],
    /// y coordinates.
    pub y: &'a mut [f64],
    /// z coordinates.
    pub z: &'a mut [f64],
    /// x momenta.
    pub px: &'a mut [f64],
    /// y momenta.
    pub py: &'a mut [f64],
    /// z momenta.
    pub pz: &'a mut [f64],
    /// Masses.
    pub mass: &'a mut [f64],
    /// Charges.
    pub charge: &'a mut [f64],
    /// Position padding of x, y, z, refreshed on drop.
    pad: [&'a mut [f64]; 3],
}

impl Drop for ColumnsMut<'_> {
    fn drop(&mut self) {
        let [pad_x, pad_y, pad_z] = &mut self.pad;
        fill_position_padding(self.x, pad_x);
        fill_position_padding(self.y, pad_y);
        fill_position_padding(self.z, pad_z);
    }
}

impl ParticleStore {
    /// Mutable real-length slices of all `f64` columns at once (see
    /// [`ColumnsMut`]).
    #[must_use = "the guard gives access to the columns; dropping it at once does nothing"]
    pub fn columns_mut(&mut self) -> ColumnsMut<'_> {
        let len = self.len;
        let [x, y, z, px, py, pz, mass, charge] = &mut self.cols;
        let (x, pad_x) = x.split_at_mut(len);
        let (y, pad_y) = y.split_at_mut(len);
        let (z, pad_z) = z.split_at_mut(len);
        debug_assert_eq!(Field::ALL.len(), 8, "one slice per field");
        ColumnsMut {
            x,
            y,
            z,
            px: &mut px[..len],
            py: &mut py[..len],
            pz: &mut pz[..len],
            mass: &mut mass[..len],
            charge: &mut charge[..len],
            pad: [pad_x, pad_y, pad_z],
        }
    }
}
