//! covar under `mpirun`. With the cargo feature `mpi`: `covar fields` over
//! 1 to 4 ranks reports the same sums, bit for bit, as one process; runs
//! over 2 to 4 ranks (leapfrog, and gauss4 with a magnetic coupling) end
//! with the files of one process; a run whose rank 2 of 3 is killed
//! resumes from its last checkpoint on 2 ranks and on 1 with the same
//! bits; a command that does not run over ranks says so. Without the
//! feature: a launch over several ranks fails up front, naming it.

mod common;

use std::process::{Command, Output};

/// The report's sums and checks, which must not depend on the rank count.
#[cfg(feature = "mpi")]
const SAME: [&str; 4] = ["potential_sums", "energy", "third_law_residual", "pairs"];

/// `mpirun -np RANKS covar ARGS`, not yet started.
#[cfg(feature = "mpi")]
fn mpirun_command<S: AsRef<std::ffi::OsStr>>(ranks: usize, args: &[S]) -> Command {
    let mut cmd = Command::new("mpirun");
    cmd.args(["--oversubscribe", "-np", &ranks.to_string()])
        .arg(env!("CARGO_BIN_EXE_covar"))
        .args(args)
        // Open MPI refuses root unless told twice (CI runs as root).
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    cmd
}

#[cfg(feature = "mpi")]
fn mpirun<S: AsRef<std::ffi::OsStr>>(ranks: usize, args: &[S]) -> Output {
    mpirun_command(ranks, args)
        .output()
        .expect("mpirun runs (install openmpi-bin)")
}

/// `covar run ARGS` over `ranks` ranks, to its end.
#[cfg(feature = "mpi")]
fn run_over(ranks: usize, args: &[String]) {
    let mut all = vec!["run".to_string()];
    all.extend_from_slice(args);
    let out = mpirun(ranks, &all);
    assert!(
        out.status.success(),
        "{ranks} ranks: covar {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(feature = "mpi")]
#[test]
fn runs_over_ranks_end_with_the_files_of_one_process() {
    use common::{args_into, assert_same_results, covar_run, darwin_particles, results, scratch};
    let dir = scratch("mpirun-runs");
    let particles = dir.join("darwin.csv");
    darwin_particles(&particles, 150);
    let runs = [
        (
            "leapfrog",
            "--n 400 --steps 100 --energy-every 5 --snapshot-every 50".to_string(),
            vec![2, 3, 4],
        ),
        (
            "gauss4",
            format!(
                "--from {} --preset darwin --mu 0.1 --softening 0.1 --integrator gauss4 \
                 --dt 0.005 --steps 20 --energy-every 2 --snapshot-every 10",
                particles.display()
            ),
            vec![3],
        ),
        (
            "fast",
            "--n 3000 --backend fast --leaf-size 64 --steps 10 --energy-every 5 \
             --snapshot-every 5"
                .to_string(),
            vec![2, 3],
        ),
    ];
    for (name, words, rank_counts) in runs {
        let reference = dir.join(format!("{name}-1"));
        let out = covar_run(&args_into(&words, &reference));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let reference = results(&reference);
        for ranks in rank_counts {
            let out = dir.join(format!("{name}-{ranks}"));
            run_over(ranks, &args_into(&words, &out));
            assert_same_results(&out, &reference, &format!("{name} on {ranks} ranks"));
            // The summary says how the sums were split.
            let summary = std::fs::read(out.join("summary.json")).expect("a summary");
            let summary: serde_json::Value = serde_json::from_slice(&summary).expect("json");
            assert_eq!(summary["ranks"], ranks, "{name}");
            let compute = summary["exchange"]["compute_seconds"].as_array();
            assert_eq!(compute.map(Vec::len), Some(ranks), "{name}: {summary}");
            assert_eq!(summary["fast"].is_null(), name != "fast", "{name}");
        }
    }
}

/// The pid of rank `rank` among the children of `parent` (Open MPI starts
/// the ranks as children of `mpirun`, with their rank in the environment).
#[cfg(feature = "mpi")]
fn rank_pid(parent: u32, rank: usize) -> Option<u32> {
    let want = format!("OMPI_COMM_WORLD_RANK={rank}");
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Field 4, after the parenthesised command name.
        let ppid: u32 = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        let env = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
        let ours = env.split(|&b| b == 0).any(|v| v == want.as_bytes());
        (ppid == parent && ours).then_some(pid)
    })
}

#[cfg(feature = "mpi")]
#[test]
fn a_run_whose_rank_dies_resumes_on_two_ranks_and_on_one_with_the_same_bits() {
    use common::{args_into, assert_same_results, covar_run, results, scratch, spawn_until};
    let dir = scratch("mpirun-kill");
    let words = "--n 1500 --steps 300 --energy-every 5 --checkpoint-every 10";
    let reference = dir.join("reference");
    covar_run(&args_into(words, &reference));
    let reference = results(&reference);
    let out = dir.join("three");
    let mut all = vec!["run".to_string()];
    all.extend(args_into(words, &out));
    let mut job = spawn_until(mpirun_command(3, &all), &out, 60);
    let pid = rank_pid(job.id(), 2).expect("rank 2 of the job");
    let killed = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = job.wait().unwrap();
    assert!(!status.success(), "the job goes down with its rank");
    let copy = dir.join("three-copy");
    let cp = Command::new("cp")
        .args(["-r"])
        .arg(&out)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(cp.success());
    // The copy's settings name the original's final-state path.
    run_over(2, &["--resume".into(), out.display().to_string()]);
    assert_same_results(&out, &reference, "killed at 3 ranks, resumed at 2");
    std::fs::remove_file(out.join("final.csv")).unwrap();
    let resumed = covar_run(&["--resume".to_string(), copy.display().to_string()]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_same_results(
        &out,
        &reference,
        "killed at 3 ranks, resumed at 1 (final state)",
    );
    let log = |d: &std::path::Path| std::fs::read(d.join("energy.csv")).unwrap();
    assert!(
        log(&copy) == log(&out),
        "killed at 3 ranks, resumed at 1: energy log"
    );
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
    fields_over_ranks(&args);
    // The fast backend: each rank sums at a range of the Morton curve.
    let fast = [&args[..], &["--backend", "fast", "--leaf-size", "32"]].concat();
    fields_over_ranks(&fast);
}

/// `covar fields` with `args` on 1 to 4 ranks prints one process's sums.
#[cfg(feature = "mpi")]
fn fields_over_ranks(args: &[&str]) {
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
        let out = mpirun(ranks, args);
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
        let exchange = &got["exchange"];
        if ranks == 1 {
            assert!(exchange.is_null(), "one rank runs alone: {exchange}");
        } else {
            // Per evaluation: the problem out (header, softening, 2500
            // points with 4 channels, the cuts of the shares); the sums and
            // each rank's 4 status words back.
            let bytes = |key: &str| exchange[key].as_f64().expect("a number");
            assert_eq!(
                bytes("bytes_out"),
                8.0 * (14 + 1 + 7 * 2500 + ranks + 1) as f64
            );
            assert_eq!(bytes("bytes_in"), 8.0 * (16 * 2500 + 4 * ranks) as f64);
            let compute = exchange["compute_seconds"].as_array().expect("per rank");
            assert_eq!(compute.len(), ranks);
            assert!(compute.iter().all(|s| s.as_f64().is_some_and(|s| s > 0.0)));
            assert!(bytes("imbalance") >= 1.0, "{exchange}");
        }
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
fn commands_not_over_ranks_say_so() {
    for (args, says) in [
        (
            &["fit", "/nonexistent.csv", "--out", "/nonexistent/f.csv"][..],
            "`covar fit` does not run over MPI ranks",
        ),
        (
            &["plot", "/nonexistent"][..],
            "`covar plot` does not run over MPI ranks",
        ),
    ] {
        let out = mpirun(2, args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
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
