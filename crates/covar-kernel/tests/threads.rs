//! Results are bitwise identical for any number of threads: each target is
//! summed in source order in one SIMD lane, and blocks do not depend on the
//! thread count.

mod common;

use common::Case;
use covar_kernel::Direct;

#[test]
fn same_bits_with_1_2_and_3_threads() {
    // Sizes that leave ragged last blocks and cross a source tile.
    for (seed, n, nd, s) in [
        (11u64, 4097usize, 4usize, 0.0),
        (12, 1000, 1, 0.01),
        (13, 333, 7, 0.0),
    ] {
        let case = Case::random(seed, n, nd, None, s);
        for isa in common::isas() {
            let backend = Direct::with_isa(isa).unwrap();
            let runs: Vec<(Vec<u64>, Vec<u64>)> = [1, 2, 3]
                .into_iter()
                .map(|threads| {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap();
                    let (pot, grad) = pool.install(|| case.eval(&backend));
                    (
                        pot.iter().map(|v| v.to_bits()).collect(),
                        grad.iter().map(|v| v.to_bits()).collect(),
                    )
                })
                .collect();
            assert!(runs[0] == runs[1], "{isa} n={n}: 1 and 2 threads differ");
            assert!(runs[0] == runs[2], "{isa} n={n}: 1 and 3 threads differ");
        }
    }
}
