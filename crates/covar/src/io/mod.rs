//! Reading and writing particle data: the CSV layout of initial conditions
//! and final states, and NumPy `.npy` snapshots.

pub mod csv;
pub mod npy;
