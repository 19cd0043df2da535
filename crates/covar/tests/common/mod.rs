//! Helpers shared by the command-line tests: scratch folders, argument
//! lists with paths, and runs of the real binary. Each test file uses some
//! of them.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
