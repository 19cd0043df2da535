//! Runnable examples of covar, in `examples/`:
//!
//! - `kernel_alone`: `covar-kernel` on its own, on plain `Vec<f64>` columns
//!   (the README's snippet): `cargo run --release -p covar-examples --example kernel_alone`.

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
