//! The structure-of-arrays particle store: construction and per-particle access.

use glam::DVec3;

use crate::column::{
    self, AlignedVec, PAD_CHARGE, PAD_ID, PAD_MASS, PAD_MOMENTUM, fill_position_padding,
};
use crate::{Field, Particle, padded_len};

/// N particles stored as separate aligned, padded columns (structure of arrays).
///
/// Columns: `x y z px py pz mass charge` (`f64`) and `id` (`u64`). Each column
/// is 64-byte aligned and padded to a multiple of [`LANES`](crate::LANES)
/// entries; the padding is invisible through the per-particle API and the
/// real-length slices ([`x`](Self::x), [`masses`](Self::masses), ...), visible
/// through [`padded`](Self::padded), and harmless to kernels (see the
/// [`column`](mod@crate::column) module for the values). Every method that
/// mutates the store keeps the padding invariant, which
/// [`assert_well_formed`](Self::assert_well_formed) checks.
///
/// Ids are `0..n` in push order and travel with their particle through
/// [`morton_sort`](Self::morton_sort) and [`permute`](Self::permute).
///
/// Setters accept any value; [`validate`](Self::validate) is the boundary check
/// that rejects non-finite data and non-positive masses.
///
/// # Examples
///
/// ```
/// use covar_store::{Particle, ParticleStore};
/// use glam::DVec3;
///
/// let mut store = ParticleStore::new();
/// let id = store.push(Particle::new(DVec3::X, DVec3::ZERO, 2.0, 2.0));
/// assert_eq!(id, 0);
/// store.set_momentum(0, DVec3::new(0.0, 4.0, 0.0));
/// assert_eq!(store.velocity(0), DVec3::new(0.0, 2.0, 0.0));
/// assert_eq!(store.len(), 1);
/// assert_eq!(store.x(), &[1.0]);          // real length
/// assert_eq!(store.padded_x().len(), 8);  // padded to LANES
/// store.validate()?;
/// # Ok::<(), covar_store::StoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ParticleStore {
    /// Number of real particles.
    pub(crate) len: usize,
    /// The `f64` columns, indexed by [`Field::index`], each of padded length.
    pub(crate) cols: [AlignedVec<f64>; 8],
    /// Particle ids, of padded length.
    pub(crate) ids: AlignedVec<u64>,
}

impl Default for ParticleStore {
    fn default() -> Self {
        Self::new()
    }
}

impl ParticleStore {
    /// An empty store (no allocation).
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty store with room for `capacity` particles (plus padding)
    /// before it reallocates.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        let cap = padded_len(capacity);
        Self {
            len: 0,
            cols: core::array::from_fn(|_| column::with_capacity(cap)),
            ids: column::with_capacity(cap),
        }
    }

    /// A store holding `particles` in order, with ids `0..n` (the `id` field
    /// of the input is ignored).
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::{Particle, ParticleStore};
    /// use glam::DVec3;
    /// let p = Particle::new(DVec3::ZERO, DVec3::ZERO, 1.0, -1.0);
    /// let store = ParticleStore::from_particles([p, p, p]);
    /// assert_eq!(store.ids(), &[0, 1, 2]);
    /// ```
    #[must_use]
    pub fn from_particles<I: IntoIterator<Item = Particle>>(particles: I) -> Self {
        let iter = particles.into_iter();
        let mut store = Self::with_capacity(iter.size_hint().0);
        for p in iter {
            store.push(p);
        }
        store
    }

    /// Reserves room for at least `additional` more particles.
    pub fn reserve(&mut self, additional: usize) {
        let target = padded_len(self.len.saturating_add(additional));
        let more = target.saturating_sub(self.padded_len());
        for col in &mut self.cols {
            col.reserve(more);
        }
        self.ids.reserve(more);
    }

    /// Appends a particle and returns the id it was given (the number of
    /// particles before the push; the `id` field of `p` is ignored).
    pub fn push(&mut self, p: Particle) -> u64 {
        let id = self.len as u64;
        self.push_keeping_id(Particle { id, ..p });
        id
    }

    /// Appends a particle with the id it carries: for a process that holds
    /// some particles of a larger system, whose ids say which. Ids should
    /// stay distinct; the store does not check it.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_store::{Particle, ParticleStore};
    /// use glam::DVec3;
    /// let mut store = ParticleStore::new();
    /// let p = Particle::new(DVec3::ZERO, DVec3::ZERO, 1.0, 1.0);
    /// store.push_keeping_id(Particle { id: 41, ..p });
    /// assert_eq!(store.ids(), &[41]);
    /// ```
    pub fn push_keeping_id(&mut self, p: Particle) {
        let i = self.len;
        if i == self.padded_len() {
            // No free padded slot: grow every column by one block of LANES.
            let block = padded_len(i + 1) - i;
            for (f, col) in Field::ALL.iter().zip(&mut self.cols) {
                let pad = match f {
                    Field::X | Field::Y | Field::Z => 0.0,
                    Field::Px | Field::Py | Field::Pz => PAD_MOMENTUM,
                    Field::Mass => PAD_MASS,
                    Field::Charge => PAD_CHARGE,
                };
                col.resize(i + block, pad);
            }
            self.ids.resize(i + block, PAD_ID);
        }
        let values = p.values();
        for (col, v) in self.cols.iter_mut().zip(values) {
            col[i] = v;
        }
        self.ids[i] = p.id;
        self.len = i + 1;
        self.refresh_position_padding();
    }

    /// Number of real particles (padding excluded).
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when the store holds no particle.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Length of every padded column: [`padded_len`]`(self.len())`.
    #[must_use]
    pub fn padded_len(&self) -> usize {
        self.ids.len()
    }

    /// Particle `i` as a value, or `None` if `i >= len()`.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<Particle> {
        (i < self.len).then(|| self.particle(i))
    }

    /// Particle `i` as a value.
    ///
    /// # Panics
    ///
    /// If `i >= len()` (like slice indexing; use [`get`](Self::get) to test).
    #[must_use]
    pub fn particle(&self, i: usize) -> Particle {
        Particle {
            position: self.position(i),
            momentum: self.momentum(i),
            mass: self.mass(i),
            charge: self.charge(i),
            id: self.id(i),
        }
    }

    /// Position of particle `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn position(&self, i: usize) -> DVec3 {
        DVec3::new(self.x()[i], self.y()[i], self.z()[i])
    }

    /// Sets the position of particle `i` (keeps the padding invariant).
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn set_position(&mut self, i: usize, r: DVec3) {
        self.check_index(i);
        self.cols[Field::X.index()][i] = r.x;
        self.cols[Field::Y.index()][i] = r.y;
        self.cols[Field::Z.index()][i] = r.z;
        if i + 1 == self.len {
            self.refresh_position_padding();
        }
    }

    /// Canonical momentum of particle `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn momentum(&self, i: usize) -> DVec3 {
        DVec3::new(self.px()[i], self.py()[i], self.pz()[i])
    }

    /// Sets the canonical momentum of particle `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn set_momentum(&mut self, i: usize, p: DVec3) {
        self.check_index(i);
        self.cols[Field::Px.index()][i] = p.x;
        self.cols[Field::Py.index()][i] = p.y;
        self.cols[Field::Pz.index()][i] = p.z;
    }

    /// Velocity `u_i = P_i / m_i` of particle `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn velocity(&self, i: usize) -> DVec3 {
        self.momentum(i) / self.mass(i)
    }

    /// Mass of particle `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn mass(&self, i: usize) -> f64 {
        self.masses()[i]
    }

    /// Sets the mass of particle `i` (not checked here: see [`validate`](Self::validate)).
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn set_mass(&mut self, i: usize, m: f64) {
        self.check_index(i);
        self.cols[Field::Mass.index()][i] = m;
    }

    /// Charge of particle `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn charge(&self, i: usize) -> f64 {
        self.charges()[i]
    }

    /// Sets the charge of particle `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn set_charge(&mut self, i: usize, q: f64) {
        self.check_index(i);
        self.cols[Field::Charge.index()][i] = q;
    }

    /// Id of particle `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn id(&self, i: usize) -> u64 {
        self.ids()[i]
    }

    /// Panics with a clear message if `i` is not a particle index.
    #[track_caller]
    fn check_index(&self, i: usize) {
        assert!(
            i < self.len,
            "particle index {i} out of range for a store of {} particles",
            self.len
        );
    }

    /// Re-establishes the position padding after the last real position may
    /// have changed.
    pub(crate) fn refresh_position_padding(&mut self) {
        let len = self.len;
        for f in [Field::X, Field::Y, Field::Z] {
            let (real, pad) = self.cols[f.index()].split_at_mut(len);
            fill_position_padding(real, pad);
        }
    }
}
