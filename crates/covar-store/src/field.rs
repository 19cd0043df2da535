//! Names of the per-particle `f64` fields.

use core::fmt;

/// One `f64` field (column) of a particle.
///
/// Used to name the offending field in a [`StoreError`](crate::StoreError) and
/// to pick a column in [`ParticleStore::column`](crate::ParticleStore::column)
/// and [`ParticleStore::padded`](crate::ParticleStore::padded).
///
/// # Examples
///
/// ```
/// use covar_store::Field;
/// assert_eq!(Field::Px.to_string(), "px");
/// assert_eq!(Field::ALL.len(), 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Position, x component.
    X,
    /// Position, y component.
    Y,
    /// Position, z component.
    Z,
    /// Canonical momentum, x component.
    Px,
    /// Canonical momentum, y component.
    Py,
    /// Canonical momentum, z component.
    Pz,
    /// Mass (finite, > 0).
    Mass,
    /// Charge (finite, any sign).
    Charge,
}

impl Field {
    /// All fields, in storage order (the order [`validate`] checks them in).
    ///
    /// [`validate`]: crate::ParticleStore::validate
    pub const ALL: [Field; 8] = [
        Field::X,
        Field::Y,
        Field::Z,
        Field::Px,
        Field::Py,
        Field::Pz,
        Field::Mass,
        Field::Charge,
    ];

    /// The short lower-case name used in messages: `"x"`, `"px"`, `"mass"`, ...
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Field::X => "x",
            Field::Y => "y",
            Field::Z => "z",
            Field::Px => "px",
            Field::Py => "py",
            Field::Pz => "pz",
            Field::Mass => "mass",
            Field::Charge => "charge",
        }
    }

    /// What a valid value of this field must be, as written in error messages.
    #[must_use]
    pub const fn requirement(self) -> &'static str {
        match self {
            Field::Mass => "finite and > 0",
            _ => "finite",
        }
    }

    /// Index of this field's column in storage order.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
