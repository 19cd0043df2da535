//! Runnable examples of covar, in `examples/`:
//!
//! - `kernel_alone`: `covar-kernel` on its own, on plain `Vec<f64>` columns
//!   (the README's snippet): `cargo run --release -p covar-examples --example kernel_alone`.
//! - `kepler`: a two-body orbit of eccentricity 0.5 with leapfrog, Yoshida 4
//!   and PEFRL against the analytic solution: position error after ten
//!   orbits, its order, energy error.
//! - `plummer`: a Plummer sphere under gravity: energy conservation and the
//!   virial ratio over time.
//! - `seed`: the seed's model (`mu = 1`) on a small system that keeps
//!   Gershgorin's condition, with `gauss4`: `H_seed = -H` and its
//!   conservation.
//! - `planted`: writes seeded measurement data with planted clusters (a CSV
//!   for `covar fit`) and prints what was planted.
//! - `seed_loss_table`: the relative error of the seed's approximation of
//!   the loss (eq. 32 and eq. 67) against the coupling strength, the table
//!   in the docs of `covar-infer`.
//!
//! `.ci/run` runs them all; each takes about a second or less.

#![forbid(unsafe_code)]

#[cfg(test)]
mod tests {
    /// The README shows `examples/kernel_alone.rs` verbatim; keep them in step.
    #[test]
    fn readme_shows_the_kernel_alone_example() {
        let readme = include_str!("../../README.md");
        let example = include_str!("../examples/kernel_alone.rs");
        assert!(
            readme.contains(example),
            "README.md must contain examples/examples/kernel_alone.rs verbatim"
        );
    }
}
