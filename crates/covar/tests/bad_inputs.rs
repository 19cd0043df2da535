//! The corpus of bad inputs, each run through the real binary: a message
//! that names the problem (one assertion on it per case), a non-zero exit
//! status, no panic, nothing on stdout, and no good output file changed.
//!
//! Covered: non-finite values (NaN, inf) in a particle field and in a
//! setting, masses `<= 0`, coincident particles with zero softening,
//! `N = 0`, `dt <= 0`, a typo in a configuration key, and checkpoints that
//! are truncated, damaged (one flipped byte), of another format version,
//! foreign, or missing. A snapshot with a missing field belongs to the
//! HDF5 reader's tests (`--from` a snapshot, see `crate::io::hdf5`); it
//! joins this corpus as one more `Case` with its file.
#![cfg(feature = "cli")]

mod common;

use common::{argv, covar_run, scratch};
use std::path::Path;

/// The files of a folder with their contents, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Copies the files of `from` into a new folder `to`.
fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for (name, bytes) in files(from) {
        std::fs::write(to.join(name), bytes).unwrap();
    }
}

/// Asserts that `args` fails cleanly with `needle` in its message and
/// leaves `guarded` as it was.
fn assert_refused(args: &[String], needle: &str, guarded: &Path) {
    let before = files(guarded);
    let out = covar_run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    // 1 for errors of covar, 2 for those of the command line (clap's).
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "{args:?}: exit {:?}: {stderr}",
        out.status.code()
    );
    assert!(
        stderr.contains(needle),
        "{args:?}: stderr lacks `{needle}`:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    assert_eq!(
        files(guarded),
        before,
        "{args:?} changed {}",
        guarded.display()
    );
}

#[test]
fn bad_particles_and_settings_are_refused_by_name() {
    let dir = scratch("inputs");
    let good = dir.join("good");
    let ok = covar_run(&argv("--ic kepler --dt 0.01 --steps 5 --out {}", &[&good]));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let header = "x,y,z,px,py,pz,m,q\n";
    let row = "0.5,0,0,0,0.1,0,1,1\n";
    let nan = write("nan.csv", &format!("{header}{row}1,0,NaN,0,0,0,1,1\n"));
    let inf = write("inf.csv", &format!("{header}{row}1,0,0,inf,0,0,1,1\n"));
    let zero_mass = write("zero_mass.csv", &format!("{header}{row}1,0,0,0,0,0,0,1\n"));
    let neg_mass = write("neg_mass.csv", &format!("{header}{row}1,0,0,0,0,0,-2,1\n"));
    let coincident = write(
        "coincident.csv",
        &format!("{header}{row}1,1,1,0,0,0,1,1\n1,1,1,0,0,0,1,-1\n"),
    );
    let empty = write("empty.csv", header);
    let typo = write("typo.toml", "dtt = 0.01\n");
    let snake = write("snake.toml", "energy_every = 5\n");
    let inf_dt = write("inf_dt.toml", "dt = inf\n");
    let zero_dt = write("zero_dt.toml", "dt = 0.0\n");
    let zero_n = write("zero_n.toml", "n = 0\n");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            argv("--from {}", &[&nan]),
            "line 3 (particle 1): column `z` is `NaN` (must be finite)",
        ),
        (
            argv("--from {}", &[&inf]),
            "line 3 (particle 1): column `px` is `inf` (must be finite)",
        ),
        (
            argv("--config {}", &[&inf_dt]),
            "key `dt`: must be finite and > 0, got inf",
        ),
        (
            argv("--from {}", &[&zero_mass]),
            "column `m` is `0` (mass must be > 0)",
        ),
        (
            argv("--from {}", &[&neg_mass]),
            "column `m` is `-2` (mass must be > 0)",
        ),
        (
            argv("--from {} --preset coulomb --softening 0", &[&coincident]),
            "sources 1 and 2 are at the same position and the softening is 0",
        ),
        (argv("--n 0", &[]), "invalid value '0' for '--n <N>'"),
        (
            argv("--config {}", &[&zero_n]),
            "key `n`: must be a whole number in 1..=",
        ),
        (argv("--from {}", &[&empty]), "no particles (only a header)"),
        (
            argv("--dt 0", &[]),
            "'--dt <DT>': must be finite and > 0, got 0",
        ),
        (
            argv("--dt -0.5", &[]),
            "'--dt <DT>': must be finite and > 0, got -0.5",
        ),
        (
            argv("--config {}", &[&zero_dt]),
            "key `dt`: must be finite and > 0, got 0",
        ),
        (argv("--config {}", &[&typo]), "unknown field `dtt`"),
        (
            argv("--config {}", &[&typo]),
            "did you mean `dt` instead of `dtt`?",
        ),
        (
            argv("--config {}", &[&snake]),
            "did you mean `energy-every` instead of `energy_every`?",
        ),
        (
            argv("--checkpoint-every -1", &[]),
            "'--checkpoint-every <CHECKPOINT_EVERY>'",
        ),
    ];
    for (mut args, needle) in cases {
        args.extend(argv("--steps 3 --overwrite --out {}", &[&good]));
        if !args
            .iter()
            .any(|a| a == "--from" || a == "--config" || a == "--n")
        {
            args.extend(argv("--n 16", &[]));
        }
        assert_refused(&args, needle, &good);
    }
}

/// A finished run with a checkpoint, and copies of its folder with the
/// checkpoint damaged in each way: `--resume` refuses each with its own
/// message and changes nothing in the folder (the energy log is not cut).
#[test]
fn damaged_checkpoints_are_refused_and_change_nothing() {
    let dir = scratch("checkpoints");
    let good = dir.join("good");
    let ok = covar_run(&argv(
        "--n 32 --dt 0.01 --steps 20 --checkpoint-every 8 --out {}",
        &[&good],
    ));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let ckpt = std::fs::read(good.join("checkpoint.covar")).unwrap();
    let damaged = |name: &str, bytes: &[u8]| {
        let d = dir.join(name);
        copy_dir(&good, &d);
        std::fs::write(d.join("checkpoint.covar"), bytes).unwrap();
        d
    };
    let truncated = damaged("truncated", &ckpt[..ckpt.len() / 2]);
    let mut flipped_bytes = ckpt.clone();
    flipped_bytes[ckpt.len() / 3] ^= 0x10;
    let flipped = damaged("flipped", &flipped_bytes);
    let mut v3 = ckpt.clone();
    v3[8..12].copy_from_slice(&3u32.to_le_bytes());
    let other_version = damaged("version", &v3);
    let foreign = damaged("foreign", b"x,y,z,px,py,pz,m,q\n0,0,0,0,0,0,1,1\n");
    let missing = dir.join("missing");
    copy_dir(&good, &missing);
    std::fs::remove_file(missing.join("checkpoint.covar")).unwrap();
    let half = ckpt.len() / 2;
    let cases: Vec<(&Path, String)> = vec![
        (
            &truncated,
            format!(
                "checkpoint.covar: truncated at byte {half} (expected {} bytes)",
                ckpt.len()
            ),
        ),
        (&flipped, "checkpoint.covar: checksum mismatch".into()),
        (
            &other_version,
            "written by format version 3, this build reads versions 1 to 2".into(),
        ),
        (
            &foreign,
            "not a covar checkpoint (starts with \"x,y,z,px\"".into(),
        ),
        (&missing, "checkpoint.covar does not exist".into()),
    ];
    for (folder, needle) in cases {
        assert_refused(&argv("--resume {}", &[folder]), &needle, folder);
    }
    // The intact checkpoint resumes (its run is complete: the summary is
    // written again, the same counts).
    let again = covar_run(&argv("--resume {} --json", &[&good]));
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // Flags that would change the run are refused.
    assert_refused(
        &argv("--resume {} --dt 0.02", &[&good]),
        "takes no other flag but --threads and --json",
        &good,
    );
}
