//! `covar run` as a user runs it: the built binary on tiny systems, its exit
//! status, stdout (JSON or text), stderr, and the files it writes.
#![cfg(feature = "cli")]

mod common;

use common::{argv, covar_run as run, scratch};
use std::path::Path;
use std::process::Command;

use covar::io::csv;
use serde_json::Value;

/// Runs `covar run ARGS --json`, checks success, a clean stderr and one JSON
/// line on stdout, and parses it.
fn run_json(args: &[String]) -> Value {
    let out = run(&[args, &["--json".to_string()]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "covar run {args:?} failed: {stderr}");
    assert!(stderr.is_empty(), "stderr of {args:?}: {stderr}");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    assert_eq!(stdout.lines().count(), 1, "one JSON line: {stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {v}"))
}

/// The records of a snapshot written by `covar::io::npy`: id and the eight
/// values, as bits.
fn read_npy(path: &Path) -> Vec<[u64; 9]> {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00", "{}", path.display());
    let start = 10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let word = |r: &[u8], k: usize| u64::from_le_bytes(r[8 * k..8 * k + 8].try_into().unwrap());
    bytes[start..]
        .chunks_exact(72)
        .map(|r| std::array::from_fn(|k| word(r, k)))
        .collect()
}

/// A particle CSV file read back, as bits per particle (no id).
fn csv_bits(path: &Path) -> Vec<[u64; 8]> {
    let store = csv::read(path).unwrap();
    store
        .iter()
        .map(|p| {
            let (r, m) = (p.position, p.momentum);
            [r.x, r.y, r.z, m.x, m.y, m.z, p.mass, p.charge].map(f64::to_bits)
        })
        .collect()
}

/// The energy log's rows, parsed, after checking its header.
fn log_rows(path: &Path, header: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(header), "{}", path.display());
    lines
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect()
}

const HEADER: &str = "step,t,H,T,U,abs_sum_P,abs_sum_L,rel_H_error";

#[test]
fn json_summary_has_the_documented_keys_and_sane_values() {
    let dir = scratch("json");
    let out = dir.join("out");
    let v = run_json(&argv("--n 256 --dt 0.005 --steps 40 --out {}", &[&out]));
    assert_eq!(v["n"], 256);
    assert_eq!(v["steps"], 40);
    assert_eq!(v["preset"], "gravity");
    assert_eq!(v["integrator"], "leapfrog");
    assert_eq!(v["order"], 2);
    assert_eq!(v["backend"], "direct");
    assert_eq!(v["initial"], "plummer (seed 1)");
    assert_eq!(num(&v, "k"), -1.0);
    assert_eq!(num(&v, "softening"), 0.01);
    assert!((num(&v, "t_final") - 0.2).abs() < 1e-12);
    // A Plummer sphere in Hénon units: H = -1/4 roughly.
    let h0 = num(&v, "h_initial");
    assert!((-0.35..-0.15).contains(&h0), "H(0) = {h0}");
    let err = num(&v, "max_rel_h_error");
    assert!(err > 0.0 && err < 1e-4, "max |dH/H| = {err:e}");
    assert!(num(&v, "final_rel_h_error").abs() <= err);
    for key in ["momentum_drift", "angular_momentum_drift"] {
        let d = num(&v, key);
        assert!(d < 1e-13, "{key} = {d:e}");
    }
    // Leapfrog: one evaluation per step; the first step's forces are the
    // first energy row's sums.
    assert_eq!(v["force_evaluations"], 40);
    assert_eq!(num(&v, "force_evaluations_per_step"), 1.0);
    // Rows read H from leapfrog's last sums: only the first row evaluates.
    assert_eq!(v["diagnostic_evaluations"], 1);
    assert_eq!(v["energy_rows"], 5);
    assert_eq!(v["snapshots"], 2);
    assert_eq!(v["iteration_cap_hits"], 0);
    let wall = num(&v, "wall_seconds");
    assert!(wall > 0.0 && wall < 60.0);
    assert!((num(&v, "seconds_per_step") - wall / 40.0).abs() < 1e-12);
    let share = num(&v, "kernel_share");
    assert!(share > 0.0 && share <= 1.0, "kernel share {share}");
    let overhead = num(&v, "integrator_overhead");
    assert!((0.0..1.0).contains(&overhead), "overhead {overhead}");
    for key in [
        "h_seed_final",
        "max_copy_gap_r",
        "gershgorin_violations",
        "final_state",
    ] {
        assert!(v[key].is_null(), "{key}: {}", v[key]);
    }
    // summary.json holds the same summary.
    let saved = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&saved).unwrap(), v);
}

#[test]
fn energy_log_has_the_header_and_one_row_per_interval() {
    let dir = scratch("log");
    let out = dir.join("out");
    run_json(&argv(
        "--ic cube --n 50 --dt 0.001 --steps 25 --out {}",
        &[&out],
    ));
    let rows = log_rows(&out.join("energy.csv"), HEADER);
    let steps: Vec<f64> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(steps, [0.0, 10.0, 20.0, 25.0]);
    for r in &rows {
        assert_eq!(r.len(), 8);
        assert!((r[1] - r[0] * 0.001).abs() < 1e-15, "t = {}", r[1]);
        assert!(
            (r[2] - (r[3] + r[4])).abs() <= 1e-12 * r[2].abs(),
            "H = T + U: {r:?}"
        );
        assert!(r[7].abs() < 1e-4, "rel_H_error {}", r[7]);
    }
    assert_eq!(rows[0][7], 0.0);
    // Snapshots at the first and last step, zero-padded to the last step's width.
    for step in ["00", "25"] {
        let records = read_npy(&out.join(format!("snapshot_{step}.npy")));
        assert_eq!(records.len(), 50);
    }
    assert!(out.join("run.toml").is_file());

    // --snapshot-every and --t-end.
    let out2 = dir.join("out2");
    let v = run_json(&argv(
        "--ic kepler --dt 0.1 --t-end 1 --snapshot-every 4 --energy-every 3 --out {}",
        &[&out2],
    ));
    assert_eq!(v["steps"], 10);
    assert_eq!(v["energy_rows"], 5); // 0, 3, 6, 9, 10
    let mut snaps: Vec<String> = std::fs::read_dir(&out2)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("snapshot_"))
        .collect();
    snaps.sort();
    let want = [
        "snapshot_00.npy",
        "snapshot_04.npy",
        "snapshot_08.npy",
        "snapshot_10.npy",
    ];
    assert_eq!(snaps, want);
}

#[test]
fn seed_and_tao_runs_log_their_extra_columns() {
    let dir = scratch("extra");
    // Unit masses, charges ±0.3 at the corners of a unit cube, softening
    // 0.5: Gershgorin's condition holds with a margin of about 2.
    let mut text = String::from("x,y,z,px,py,pz,m,q\n");
    for i in 0..8 {
        let c = |b: usize| if i >> b & 1 == 1 { 0.5 } else { -0.5 };
        let q = if i % 3 == 0 { 0.3 } else { -0.3 };
        let p = 0.05 * i as f64 - 0.2;
        let (x, y, z) = (c(0), c(1), c(2));
        text.push_str(&format!("{x},{y},{z},{p},{},{},1,{q}\n", -p, 0.5 * p));
    }
    let ic = dir.join("corners.csv");
    std::fs::write(&ic, text).unwrap();

    let seed = dir.join("seed");
    let v = run_json(&argv(
        "--preset seed --from {} --softening 0.5 --dt 0.01 --steps 20 --integrator gauss4 --out {}",
        &[&ic, &seed],
    ));
    assert_eq!(v["gershgorin_violations"], 0);
    assert!(num(&v, "gershgorin_worst_margin") > 1.0);
    assert_eq!(num(&v, "h_seed_final"), -num(&v, "h_final"));
    assert!(num(&v, "max_rel_h_error") < 1e-10);
    assert!(num(&v, "momentum_drift") < 1e-13);
    let rows = log_rows(&seed.join("energy.csv"), &format!("{HEADER},H_seed"));
    for r in rows {
        assert_eq!(r[8], -r[2], "H_seed = -H");
    }

    let tao = dir.join("tao");
    let v = run_json(&argv(
        "--preset darwin --mu 1 --from {} --softening 0.5 --dt 0.01 --steps 20 \
         --integrator tao2 --omega 10 --out {}",
        &[&ic, &tao],
    ));
    assert_eq!(v["integrator"], "tao2");
    let gap = num(&v, "max_copy_gap_r");
    assert!(gap < 1e-3, "copy gap {gap:e}");
    assert!(v["max_copy_gap_p"].is_number());
    let rows = log_rows(
        &tao.join("energy.csv"),
        &format!("{HEADER},copy_gap_r,copy_gap_p"),
    );
    assert!(rows.iter().all(|r| r.len() == 10));
}

#[test]
fn final_state_reads_back_bit_identical_and_continues_the_run() {
    let dir = scratch("final");
    let go = |words: &str, paths: &[&Path]| {
        run_json(&argv(&format!("--dt 0.01 {words}"), paths));
    };
    let full = dir.join("full.csv");
    go(
        "--n 100 --steps 20 --out {} --final-state {}",
        &[&dir.join("a"), &full],
    );
    // The CSV holds exactly the final state, which the last snapshot holds too.
    let snapshot = read_npy(&dir.join("a/snapshot_20.npy"));
    let state = csv_bits(&full);
    assert_eq!(state.len(), 100);
    for (csv_row, npy_row) in state.iter().zip(&snapshot) {
        assert_eq!(csv_row[..], npy_row[1..]);
    }
    // Ten steps, then ten more from the written state: the same bits as
    // twenty in one go (leapfrog recomputes its forces from the positions).
    let half = dir.join("half.csv");
    go(
        "--n 100 --steps 10 --out {} --final-state {}",
        &[&dir.join("b"), &half],
    );
    let resumed = dir.join("resumed.csv");
    go(
        "--from {} --steps 10 --out {} --final-state {}",
        &[&half, &dir.join("c"), &resumed],
    );
    assert_eq!(
        std::fs::read(&resumed).unwrap(),
        std::fs::read(&full).unwrap()
    );
    // The final state may go into the output folder, which the run creates.
    let inside = dir.join("d/final.csv");
    go(
        "--n 100 --steps 2 --out {} --final-state {}",
        &[&dir.join("d"), &inside],
    );
    assert_eq!(csv_bits(&inside).len(), 100);
}

#[test]
fn the_saved_settings_repeat_the_run_and_flags_override_a_config() {
    let dir = scratch("config");
    let (a, b) = (dir.join("a"), dir.join("b"));
    let first = run_json(&argv(
        "--ic cube --preset coulomb --k 0.5 --n 40 --dt 0.002 --steps 6 --out {}",
        &[&a],
    ));
    let again = run_json(&argv("--config {} --out {}", &[&a.join("run.toml"), &b]));
    for key in ["h_initial", "h_final", "n", "steps", "k", "dt", "preset"] {
        assert_eq!(first[key], again[key], "{key}");
    }
    // A hand-written file; relative paths are relative to it.
    let config = dir.join("run.toml");
    std::fs::write(
        &config,
        "preset = 'darwin'\nmu = 0.0001\nk = 1\nic = 'lattice'\nn = 27\nsoftening = 0.2\n\
         integrator = 'implicit-midpoint'\ndt = 0.001\nsteps = 8\nout = 'from-config'\n",
    )
    .unwrap();
    let v = run_json(&argv("--config {} --steps 4", &[&config]));
    assert_eq!(v["steps"], 4);
    assert_eq!(v["n"], 27);
    assert_eq!(v["preset"], "darwin");
    assert_eq!(num(&v, "mu"), 0.0001);
    assert_eq!(v["integrator"], "implicit-midpoint");
    assert!(dir.join("from-config/energy.csv").is_file());
    // --t-end on the command line replaces the file's steps.
    let v = run_json(&argv(
        "--config {} --t-end 0.003 --out {}",
        &[&config, &dir.join("t")],
    ));
    assert_eq!(v["steps"], 3);
}

#[test]
fn human_summary_reports_errors_and_time() {
    let dir = scratch("human");
    let out = run(&argv(
        "--ic kepler --dt 0.01 --steps 50 --integrator yoshida4 --out {}",
        &[&dir.join("o")],
    ));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "2 particles, kepler",
        "yoshida4 (order 4)",
        "50 steps to t = 0.5",
        "max |dH/H|",
        "momentum    drift",
        "in the kernel",
        // Yoshida4: 3 per step; the first step's first kick uses the first
        // energy row's sums.
        "3.00 force evaluations/step",
        "1 more for the energy log",
        "energy.csv (6 rows)",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}

#[test]
fn ill_posed_kinetic_forms_warn_and_run_without_strict() {
    let dir = scratch("gershgorin");
    // 16 unit charges in a unit cube with mu = 1: Gershgorin fails and the
    // exact check proves the form indefinite; a warning, or under --strict
    // an error (bad_input_fails_clearly_and_overwrites_nothing).
    let out = run(&argv(
        "--preset seed --ic cube --n 16 --dt 0.001 --steps 2 --json --out {}",
        &[&dir.join("o")],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let warning = "warning: the kinetic form is not positive definite";
    assert!(stderr.contains(warning), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["gershgorin_violations"].as_u64().unwrap() > 0);
    assert!(num(&v, "gershgorin_worst_margin") < 1.0);
    assert!(num(&v, "kinetic_min_eigenvalue") < 0.0, "{v}");
    // Clusters at coupling 2: Gershgorin fails, but the form is positive
    // definite (a 1000-cluster sample's smallest scaled eigenvalue is 0.14
    // by dense eigenvalues in covar-integrate's tests): a warning that says
    // so, and --strict runs.
    let out = run(&argv(
        "--preset seed --ic clusters --coupling 2 --seed 5 --n 1000 --steps 1 --strict --json \
         --out {}",
        &[&dir.join("p")],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: the kinetic form may not be positive definite")
            && stderr.contains("the exact check finds no negative eigenvalue"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let l = num(&v, "kinetic_min_eigenvalue");
    assert!(l > 0.0 && l < 0.5, "{v}");
    assert!(v["kinetic_sums"].as_u64().unwrap() <= 30);
}

/// The files of a folder with their contents, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// Every bad input: a message naming the problem, a non-zero exit, no
/// panic, nothing on stdout, and the results of an earlier run left as they
/// were (the cases pass `--overwrite` where they can, so only checking
/// before touching anything protects them).
#[test]
fn bad_input_fails_clearly_and_overwrites_nothing() {
    let dir = scratch("bad");
    let good = dir.join("good");
    run_json(&argv("--ic kepler --dt 0.01 --steps 5 --out {}", &[&good]));
    let before = files(&good);
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let typo = write("typo.toml", "dt = 0.01\nsnapshot_every = 3\n");
    let dt_range = write("dt.toml", "dt = -0.5\n");
    let steps_range = write("steps.toml", "steps = 0\n");
    let soft_nan = write("soft.toml", "softening = nan\n");
    let n_range = write("n.toml", "n = -3\n");
    let both = write("both.toml", "steps = 3\nt-end = 1.0\n");
    let header = "x,y,z,px,py,pz,m,q\n0,0,0,0,0,0,1,1\n";
    let nan_csv = write("nan.csv", &format!("{header}1,0,NaN,0,0,0,1,1\n"));
    let mass_csv = write("mass.csv", &format!("{header}1,0,0,0,0,0,-2,1\n"));
    let header_csv = write("header.csv", "x,y,z,vx,vy,vz,m,q\n0,0,0,0,0,0,1,1\n");
    let existing = write("existing.csv", "keep me\n");
    let fast_range = write("fast.toml", "backend = 'fast'\ntol = nan\n");
    let fast_direct = write("fast_direct.toml", "leaf-size = 64\n");
    let missing = Path::new("/no/such/file.csv");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            argv("--dt 0", &[]),
            "'--dt <DT>': must be finite and > 0, got 0",
        ),
        (
            argv("--dt -0.1", &[]),
            "'--dt <DT>': must be finite and > 0",
        ),
        (
            argv("--dt nan", &[]),
            "'--dt <DT>': must be finite and > 0, got NaN",
        ),
        (argv("--dt inf", &[]), "must be finite and > 0, got inf"),
        (
            argv("--steps 5 --t-end 1", &[]),
            "`--t-end`: give the number of steps or the end time, not both",
        ),
        (
            argv("--steps 0", &[]),
            "'--steps <STEPS>': must be a whole number in 1..=",
        ),
        (argv("--energy-every 0", &[]), "--energy-every"),
        (
            argv("--preset darwin --integrator leapfrog", &[]),
            "integrator `leapfrog` needs a separable Hamiltonian",
        ),
        (
            argv("--preset seed --integrator pefrl", &[]),
            "use one of: implicit-midpoint, stormer-verlet",
        ),
        (
            argv("--preset seed --ic cube --n 16 --strict", &[]),
            "--strict: the kinetic form is not positive definite",
        ),
        (
            argv("--config {}", &[&typo]),
            "unknown field `snapshot_every`",
        ),
        (
            argv("--config {}", &[&dt_range]),
            "key `dt`: must be finite and > 0, got -0.5",
        ),
        (
            argv("--config {}", &[&steps_range]),
            "key `steps`: must be a whole number in 1..=",
        ),
        (
            argv("--config {}", &[&soft_nan]),
            "key `softening`: must be finite and >= 0, got NaN",
        ),
        (
            argv("--config {}", &[&n_range]),
            "key `n`: must be a whole number in 1..=",
        ),
        (
            argv("--config {}", &[&both]),
            "key `t-end`: give the number of steps or the end time, not both",
        ),
        (
            argv("--config /no/such/file.toml", &[]),
            "config file /no/such/file.toml",
        ),
        (
            argv("--from {}", &[&nan_csv]),
            "line 3 (particle 1): column `z` is `NaN` (must be finite)",
        ),
        (
            argv("--from {}", &[&mass_csv]),
            "column `m` is `-2` (mass must be > 0)",
        ),
        (
            argv("--from {}", &[&header_csv]),
            "line 1: header is `x,y,z,vx,vy,vz,m,q`",
        ),
        (argv("--from {}", &[missing]), "/no/such/file.csv"),
        (
            argv("--from {} --n 3", &[&nan_csv]),
            "`--from`: reads the particles from a file",
        ),
        (
            argv("--ic kepler --n 3", &[]),
            "kepler system has exactly 2 particles",
        ),
        (
            argv("--mu 0.5", &[]),
            "`--mu`: applies to the darwin preset only",
        ),
        (
            argv("--charges random", &[]),
            "the gravity preset sets every charge to its mass",
        ),
        (
            argv("--integrator euler", &[]),
            "invalid value 'euler' for '--integrator <NAME>'",
        ),
        (
            argv("--omega 5", &[]),
            "`--omega`: applies to the tao2 and tao4 integrators only",
        ),
        (argv("--integrator tao2 --dt 1", &[]), "lower omega or dt"),
        (argv("--softening -1", &[]), "softening"),
        (
            argv("--final-state {}", &[&existing]),
            "pass --overwrite to replace it",
        ),
        (argv("--frobnicate", &[]), "frobnicate"),
        (
            argv("--tol 1e-6", &[]),
            "`--tol`: applies to the fast backend only, and this run's backend is direct",
        ),
        (
            argv("--backend fast --tol 0", &[]),
            "'--tol <TOL>': must be in (0, 1), got 0",
        ),
        (
            argv("--backend fast --theta 1", &[]),
            "'--theta <THETA>': must be in (0, 1), got 1",
        ),
        (
            argv("--config {}", &[&fast_range]),
            "key `tol`: must be in (0, 1), got NaN",
        ),
        (
            argv("--config {}", &[&fast_direct]),
            "key `leaf-size`: applies to the fast backend only",
        ),
    ];
    for (args, needle) in cases {
        // A small run into the earlier run's folder, with --overwrite
        // (except where the case is about refusing to overwrite).
        let has = |flag: &str| args.iter().any(|a| a == flag);
        let mut full = args.clone();
        if !(has("--n") || has("--from") || has("--config")) {
            full.extend(argv("--n 64", &[]));
        }
        if !(has("--steps") || has("--t-end") || has("--config")) {
            full.extend(argv("--steps 3", &[]));
        }
        full.extend(argv("--out {}", &[&good]));
        if !has("--final-state") {
            full.push("--overwrite".into());
        }
        let out = run(&full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{full:?} succeeded");
        assert!(
            stderr.contains(needle),
            "{full:?}: stderr lacks `{needle}`:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{full:?} panicked: {stderr}");
        assert!(out.stdout.is_empty(), "{full:?} wrote to stdout");
        assert_eq!(
            files(&good),
            before,
            "{full:?} changed the earlier run's files"
        );
    }
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me\n");

    // Without --overwrite, an earlier run's folder is refused.
    let out = run(&argv("--ic kepler --steps 3 --out {}", &[&good]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    let refusal = "energy.csv already exists (the energy log of an earlier run); pass --overwrite";
    assert!(stderr.contains(refusal), "{stderr}");
    assert_eq!(files(&good), before);
    // With it, the run replaces the earlier files (and only those).
    std::fs::write(good.join("notes.txt"), "mine").unwrap();
    run_json(&argv(
        "--ic kepler --dt 0.01 --steps 3 --overwrite --out {}",
        &[&good],
    ));
    let after: Vec<String> = files(&good).into_iter().map(|(n, _)| n).collect();
    let want = [
        "energy.csv",
        "notes.txt",
        "run.toml",
        "snapshot_0.npy",
        "snapshot_3.npy",
        "summary.json",
    ];
    assert_eq!(after, want);
}

#[test]
fn fast_backend_warns_when_softening_leaves_it_nothing_to_expand() {
    // Plummer softening 0.01 at tol 1e-6: pairs closer than 7.07 are
    // summed directly, and the Plummer sphere is about 20 across.
    let dir = scratch("fast-softening");
    let out = run(&argv(
        "--backend fast --softening-kernel plummer --n 500 --steps 1 --out {}",
        &[&dir.join("a")],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: with Plummer softening 0.01")
            && stderr.contains("closer than 7.071")
            && stderr.contains("--softening-kernel spline"),
        "{stderr}"
    );
    // A compact kernel whose support is a large part of the system.
    let out = run(&argv(
        "--backend fast --softening 1 --n 500 --steps 1 --out {}",
        &[&dir.join("c")],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: with softening 1 (spline)") && stderr.contains("support 2.800"),
        "{stderr}"
    );
    // No warning for the direct backend, where the gap is small, or with
    // the default (spline) kernel.
    for (i, args) in [
        "--backend direct --softening-kernel plummer --n 500 --steps 1 --out {}",
        "--backend fast --softening-kernel plummer --softening 0.001 --n 500 --steps 1 --out {}",
        "--backend fast --n 500 --steps 1 --out {}",
    ]
    .into_iter()
    .enumerate()
    {
        let o = run(&argv(args, &[&dir.join(format!("b{i}"))]));
        assert!(o.status.success());
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("warning"),
            "{args}"
        );
    }
}

#[test]
fn fast_backend_runs_and_reports_its_stages() {
    let dir = scratch("fast");
    let out = dir.join("out");
    let v = run_json(&argv(
        "--backend fast --tol 1e-6 --theta 0.5 --leaf-size 64 --n 2000 --steps 4 \
         --softening 0.0025 --out {}",
        &[&out],
    ));
    assert_eq!(v["backend"], "fast");
    assert_eq!(v["steps"], 4);
    let fast = &v["fast"];
    assert_eq!(
        (
            num(fast, "tolerance"),
            num(fast, "theta"),
            num(fast, "leaf_size")
        ),
        (1e-6, 0.5, 64.0)
    );
    assert!(
        num(fast, "total") > 0.0 && num(fast, "m2l_count") > 0.0,
        "{fast}"
    );
    // Leapfrog on a Plummer sphere over 4 steps, spline softening 0.0025
    // (the fast backend expands every pair beyond 0.007): the energy error
    // is the integrator's (1.9e-5), the same as with the direct backend to
    // far below it, not the tolerance's.
    let err = num(&v, "max_rel_h_error");
    let direct = run_json(&argv(
        "--backend direct --n 2000 --steps 4 --softening 0.0025 --out {}",
        &[&dir.join("direct")],
    ));
    let err_direct = num(&direct, "max_rel_h_error");
    assert!(err < 1e-4, "max |dH/H| = {err:e}");
    assert!(
        (err - err_direct).abs() < 1e-3 * err_direct,
        "max |dH/H| fast {err:e}, direct {err_direct:e}"
    );
    // The saved settings repeat the run with the same parameters.
    let toml = std::fs::read_to_string(out.join("run.toml")).unwrap();
    for key in [
        "backend = \"fast\"",
        "tol = ",
        "theta = 0.5",
        "leaf-size = 64",
    ] {
        assert!(toml.contains(key), "run.toml lacks `{key}`:\n{toml}");
    }
    let again = run_json(&argv(
        "--config {} --overwrite --out {}",
        &[&out.join("run.toml"), &dir.join("again")],
    ));
    assert_eq!(again["fast"]["order"], v["fast"]["order"]);
    assert_eq!(again["h_final"], v["h_final"]);
}

#[test]
fn a_killed_run_keeps_its_energy_log() {
    let dir = scratch("killed");
    let out = dir.join("o");
    let mut child = Command::new(env!("CARGO_BIN_EXE_covar"))
        .arg("run")
        .args(argv(
            "--n 128 --steps 1000000000 --energy-every 5 --json --out {}",
            &[&out],
        ))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the covar binary runs");
    let log = out.join("energy.csv");
    let start = std::time::Instant::now();
    let rows = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let rows = text.lines().count().saturating_sub(1);
        if rows >= 5 || start.elapsed().as_secs() > 60 {
            break rows;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let _ = child.kill();
    child.wait().unwrap();
    assert!(rows >= 5, "only {rows} rows after a minute");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.ends_with('\n'), "rows are written whole");
    for (k, r) in log_rows(&log, HEADER).iter().enumerate() {
        assert_eq!(r.len(), 8, "row {k}: {r:?}");
        assert_eq!(r[0], 5.0 * k as f64);
    }
}

#[test]
fn the_softening_kernel_is_chosen_saved_and_checked() {
    let dir = scratch("softening-kernel");
    // Defaults: spline for gravity, plummer for the other presets.
    let v = run_json(&argv("--n 64 --steps 2 --out {}", &[&dir.join("g")]));
    assert_eq!(v["softening_kernel"], "spline");
    let v = run_json(&argv(
        "--preset coulomb --ic cube --n 64 --steps 2 --out {}",
        &[&dir.join("c")],
    ));
    assert_eq!(v["softening_kernel"], "plummer");
    // A flag, saved in run.toml, and repeated from it.
    let w = dir.join("w");
    let first = run_json(&argv(
        "--softening-kernel wendland-c2 --softening 0.05 --n 64 --steps 3 --out {}",
        &[&w],
    ));
    assert_eq!(first["softening_kernel"], "wendland-c2");
    let toml = std::fs::read_to_string(w.join("run.toml")).unwrap();
    assert!(
        toml.contains("softening-kernel = \"wendland-c2\""),
        "{toml}"
    );
    let again = run_json(&argv(
        "--config {} --out {}",
        &[&w.join("run.toml"), &dir.join("w2")],
    ));
    assert_eq!(again["h_final"], first["h_final"]);
    // The kernels give different runs (the test can tell them apart).
    let spline = run_json(&argv(
        "--softening-kernel spline --softening 0.05 --n 64 --steps 3 --out {}",
        &[&dir.join("s")],
    ));
    assert_ne!(spline["h_final"], first["h_final"]);
    // Unknown names: the flag's error lists the kernels; the file's names
    // the file and key.
    let out = run(&argv(
        "--softening-kernel gauss --n 64 --out {}",
        &[&dir.join("bad")],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--softening-kernel") && stderr.contains("wendland-c2"),
        "{stderr}"
    );
    let config = dir.join("bad.toml");
    std::fs::write(&config, "softening-kernel = 'gauss'\nn = 64\n").unwrap();
    let out = run(&argv("--config {} --out {}", &[&config, &dir.join("bad2")]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("bad.toml")
            && stderr.contains("softening-kernel")
            && stderr.contains("gauss"),
        "{stderr}"
    );
}

#[test]
fn seed_runs_start_from_clusters_spread_to_the_coupling() {
    let dir = scratch("clusters");
    // The seed preset's default system: clusters at coupling 0.5, which
    // Gershgorin's check (a separate sum at the start) confirms.
    let v = run_json(&argv(
        "--preset seed --n 1000 --steps 2 --out {}",
        &[&dir.join("a")],
    ));
    let initial = v["initial"].as_str().unwrap();
    assert!(
        initial.starts_with("clusters (seed 1), ball of radius"),
        "{initial}"
    );
    assert!(initial.contains("kappa 0.500000"), "{initial}");
    let margin = num(&v, "gershgorin_worst_margin");
    assert!(
        (1.0 / margin - 0.5).abs() <= 0.005,
        "kappa {}",
        1.0 / margin
    );
    assert_eq!(num(&v, "gershgorin_violations"), 0.0);
    let err = num(&v, "max_rel_h_error");
    assert!(err < 1e-10, "max |dH/H| = {err:e}");
    // Another coupling, saved and repeated from run.toml.
    let b = dir.join("b");
    let first = run_json(&argv(
        "--preset seed --ic clusters --coupling 0.9 --temperature 0.1 --n 500 --steps 2 --out {}",
        &[&b],
    ));
    assert!((1.0 / num(&first, "gershgorin_worst_margin") - 0.9).abs() <= 0.009);
    let toml = std::fs::read_to_string(b.join("run.toml")).unwrap();
    for key in [
        "ic = \"clusters\"",
        "coupling = 0.9",
        "temperature = 0.1",
        "charges = \"sqrt-mass\"",
    ] {
        assert!(toml.contains(key), "run.toml lacks `{key}`:\n{toml}");
    }
    let again = run_json(&argv(
        "--config {} --out {}",
        &[&b.join("run.toml"), &dir.join("b2")],
    ));
    assert_eq!(again["h_final"], first["h_final"]);
    // Refused: clusters without mu, and cluster flags without clusters.
    for (args, want) in [
        ("--ic clusters --n 100 --out {}", "needs mu != 0"),
        (
            "--preset seed --ic cube --coupling 0.3 --n 100 --out {}",
            "--ic clusters only",
        ),
    ] {
        let out = run(&argv(args, &[&dir.join("bad")]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(want),
            "{args}: {stderr}"
        );
    }
}
