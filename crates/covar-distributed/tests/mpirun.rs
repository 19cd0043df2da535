//! The distributed checks (`src/bin/distributed_check.rs`) under
//! `mpirun --oversubscribe -np K` for K = 1, 2, 3, 4: balance from uneven
//! starts, the ownership invariant, and direct sums with the bits of one
//! process. Needs Open MPI's `mpirun` (Debian: openmpi-bin).
#![cfg(feature = "mpi")]

use std::process::Command;

#[test]
fn distributed_checks_pass_on_one_to_four_ranks() {
    for ranks in 1..=4 {
        let out = Command::new("mpirun")
            .args(["--oversubscribe", "-np", &ranks.to_string()])
            .arg(env!("CARGO_BIN_EXE_distributed-check"))
            // Open MPI refuses root unless told twice (CI runs as root).
            .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
            .output()
            .expect("mpirun runs (install openmpi-bin)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        println!("{ranks} ranks:\n{stdout}");
        assert!(
            out.status.success(),
            "{ranks} ranks failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("ok: {ranks} ranks")),
            "{ranks} ranks: no final line:\n{stdout}"
        );
    }
}
