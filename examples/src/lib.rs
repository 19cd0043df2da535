//! Examples of covar.
