//! Helpers shared by the command-line tests: scratch folders, argument
//! lists with paths, and runs of the real binary. Each test file uses some
//! of them.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fresh, empty folder for one test, under cargo's scratch folder for
/// integration tests and the test file's name.
pub fn scratch(name: &str) -> PathBuf {
    let suite = module_path!().split("::").next().unwrap_or("tests");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(suite)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Command-line words: `words` split at spaces, each `{}` replaced by the
/// next of `paths` (which may hold spaces).
pub fn argv(words: &str, paths: &[&Path]) -> Vec<String> {
    let mut paths = paths.iter();
    words
        .split_whitespace()
        .map(|w| match w {
            "{}" => paths.next().expect("a path per {}").display().to_string(),
            _ => w.to_string(),
        })
        .collect()
}

/// Runs the covar binary with `args`.
pub fn covar<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_covar"))
        .args(args)
        .output()
        .expect("the covar binary runs")
}

/// Runs `covar run ARGS`.
pub fn covar_run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_covar"))
        .arg("run")
        .args(args)
        .output()
        .expect("the covar binary runs")
}

/// A path as UTF-8 (the tests' scratch paths are).
pub fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// `words` split at spaces, with `--out OUT --final-state OUT/final.csv`.
pub fn args_into(words: &str, out: &Path) -> Vec<String> {
    let mut v: Vec<String> = words.split_whitespace().map(String::from).collect();
    v.extend([
        "--out".into(),
        out.display().to_string(),
        "--final-state".into(),
        out.join("final.csv").display().to_string(),
    ]);
    v
}

/// The files that must be identical to the uninterrupted run's: the final
/// state, the energy log and the snapshots (not the settings or summary,
/// which name the folder and time the run).
pub fn results(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap())
        .filter_map(|e| {
            let name = e.file_name().into_string().unwrap();
            let keep = name == "final.csv" || name == "energy.csv" || name.starts_with("snapshot_");
            keep.then(|| (name, std::fs::read(e.path()).unwrap()))
        })
        .collect();
    v.sort();
    v
}

/// Asserts that `out` holds the results of `reference`, naming the first
/// file that differs.
pub fn assert_same_results(out: &Path, reference: &[(String, Vec<u8>)], what: &str) {
    let got = results(out);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&got), names(reference), "{what}: files");
    for ((name, a), (_, b)) in got.iter().zip(reference) {
        assert!(
            a == b,
            "{what}: {name} differs from the uninterrupted run's"
        );
    }
    assert!(reference.iter().any(|f| f.0 == "final.csv"));
}

/// The step of the last whole row of the energy log in `out` (0 before
/// there is one).
pub fn logged_step(out: &Path) -> u64 {
    let text = std::fs::read_to_string(out.join("energy.csv")).unwrap_or_default();
    let whole = text.rfind('\n').map_or("", |end| &text[..end]);
    whole
        .lines()
        .skip(1)
        .last()
        .and_then(|l| l.split(',').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Starts `covar run ARGS` in the background, waits until its energy log
/// has reached `step`, and returns the running process.
pub fn start_until(args: &[String], out: &Path, step: u64) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_covar"));
    cmd.arg("run").args(args);
    spawn_until(cmd, out, step)
}

/// Starts `cmd` (a run writing into `out`) in the background, waits until
/// its energy log has reached `step`, and returns the running process.
pub fn spawn_until(mut cmd: Command, out: &Path, step: u64) -> std::process::Child {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the covar binary runs");
    let start = Instant::now();
    while logged_step(out) < step {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what} ended ({status}) before step {step}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no step {step} after a minute"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    child
}

/// splitmix64: the seeded moments of the kills.
pub fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Writes `n` seeded particles for a Darwin-type run (masses 1 to 2,
/// charges of both signs, |q| of 0.1 to 0.3, in a box of side 4).
pub fn darwin_particles(path: &Path, n: usize) {
    let mut s = 7u64;
    let mut u =
        |lo: f64, hi: f64| lo + (hi - lo) * (splitmix(&mut s) >> 11) as f64 / (1u64 << 53) as f64;
    let mut text = String::from("x,y,z,px,py,pz,m,q\n");
    for _ in 0..n {
        let v = [
            u(-2.0, 2.0),
            u(-2.0, 2.0),
            u(-2.0, 2.0),
            u(-0.3, 0.3),
            u(-0.3, 0.3),
            u(-0.3, 0.3),
            u(1.0, 2.0),
            if u(0.0, 1.0) < 0.5 { -1.0 } else { 1.0 } * u(0.1, 0.3),
        ];
        let row: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
        text.push_str(&row.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}
