//! covar under `mpirun`. With the cargo feature `mpi`: `covar fields` over
//! 1 to 4 ranks reports the same sums, bit for bit, as one process, and a
//! command that does not run over ranks yet says so. Without it: a launch
//! over several ranks fails up front, naming the feature.

use std::process::{Command, Output};

/// The report's sums and checks, which must not depend on the rank count.
#[cfg(feature = "mpi")]
const SAME: [&str; 4] = ["potential_sums", "energy", "third_law_residual", "pairs"];

#[cfg(feature = "mpi")]
fn mpirun(ranks: usize, args: &[&str]) -> Output {
    Command::new("mpirun")
        .args(["--oversubscribe", "-np", &ranks.to_string()])
        .arg(env!("CARGO_BIN_EXE_covar"))
        .args(args)
        // Open MPI refuses root unless told twice (CI runs as root).
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .output()
        .expect("mpirun runs (install openmpi-bin)")
}

#[cfg(feature = "mpi")]
#[test]
fn fields_over_ranks_report_the_bits_of_one_process() {
    let args = [
        "fields",
        "--ic",
        "plummer",
        "--n",
        "2500",
        "--nd",
        "4",
        "--softening",
        "0.01",
        "--softening-kernel",
        "spline",
        "--json",
    ];
    let one = Command::new(env!("CARGO_BIN_EXE_covar"))
        .args(args)
        .output()
        .expect("covar runs");
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let want: serde_json::Value = serde_json::from_slice(&one.stdout).expect("json");
    assert_eq!(want["ranks"], 1);
    for ranks in 1..=4 {
        let out = mpirun(ranks, &args);
        assert!(
            out.status.success(),
            "{ranks} ranks: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Rank 0 alone prints: one JSON line.
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{ranks} ranks: {e}: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        assert_eq!(got["ranks"], ranks.max(1));
        // The numbers as printed (shortest round-trip form), not as parsed.
        let (got, want) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&one.stdout),
        );
        for key in SAME {
            assert!(
                raw(&want, key).starts_with(|c: char| c == '[' || c == '-' || c.is_ascii_digit()),
                "`{key}`: {}",
                raw(&want, key)
            );
            assert_eq!(raw(&got, key), raw(&want, key), "{ranks} ranks: `{key}`");
        }
    }
}

/// The text of the value of `key` in a one-line JSON object.
#[cfg(feature = "mpi")]
fn raw<'a>(json: &'a str, key: &str) -> &'a str {
    let start = json.find(&format!("\"{key}\":")).expect("key present") + key.len() + 3;
    let mut depth = 0;
    for (k, c) in json[start..].char_indices() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' if depth > 0 => depth -= 1,
            ',' | '}' if depth == 0 => return &json[start..start + k],
            _ => {}
        }
    }
    &json[start..]
}

#[cfg(feature = "mpi")]
#[test]
fn commands_not_distributed_yet_say_so() {
    let out = mpirun(
        2,
        &[
            "run",
            "--n",
            "100",
            "--steps",
            "1",
            "--out",
            "/nonexistent/x",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`covar run` does not run over MPI ranks yet"),
        "{err}"
    );
    let out = mpirun(2, &["fields", "--backend", "fast", "--n", "1000"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--backend fast` does not run over MPI ranks yet"),
        "{err}"
    );
}

#[cfg(not(feature = "mpi"))]
#[test]
fn a_launch_over_ranks_without_the_feature_fails_naming_it() {
    // What Open MPI's launcher sets in each of 2 ranks.
    let out: Output = Command::new(env!("CARGO_BIN_EXE_covar"))
        .args(["fields", "--n", "100"])
        .env("OMPI_COMM_WORLD_SIZE", "2")
        .output()
        .expect("covar runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("built without the cargo feature `mpi`"),
        "{err}"
    );
    // One rank is an ordinary run.
    let out = Command::new(env!("CARGO_BIN_EXE_covar"))
        .args(["fields", "--n", "100"])
        .env("OMPI_COMM_WORLD_SIZE", "1")
        .output()
        .expect("covar runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
