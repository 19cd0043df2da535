//! covar facade.
pub use covar_kernel as kernel;
pub use covar_store as store;
