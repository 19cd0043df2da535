//! The `covar` command-line program (being written).
fn main() {}
