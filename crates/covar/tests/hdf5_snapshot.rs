//! HDF5 snapshots (GADGET/SWIFT layout): written and read back bit for
//! bit, read by Python's h5py against the run's CSV final state, and a
//! damaged snapshot refused with an error naming the missing field.
//!
//! Without the cargo feature `hdf5`, the one test here checks that asking
//! for HDF5 says how to get it. The h5py check needs python3 with h5py and
//! numpy; it is skipped (with a note) where they are missing, unless
//! `COVAR_REQUIRE_H5PY` is set, as `.ci/run` does.
//!
//! Run with `--test-threads=1` (as `.ci/run` does): HDF5 opens files
//! without close-on-exec and locks them, so a subprocess spawned by one test
//! (covar, python3) while another test holds a file open inherits the lock,
//! and the second test's next open fails with "unable to lock file".
#![cfg(feature = "cli")]

mod common;

use common::{covar, path as path_str, scratch};

#[cfg(not(feature = "hdf5"))]
#[test]
fn without_the_feature_hdf5_output_is_refused_with_the_fix() {
    let dir = scratch("refused");
    let out = covar(&[
        "run",
        "--ic",
        "kepler",
        "--steps",
        "2",
        "--snapshot-format",
        "hdf5",
        "--out",
        path_str(&dir.join("run")),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--snapshot-format")
            && stderr.contains("this covar was built without HDF5; rebuild with --features hdf5"),
        "{stderr}"
    );
    assert!(!dir.join("run").exists(), "nothing written");

    // The same from a configuration file, naming the file and key.
    let config = dir.join("c.toml");
    std::fs::write(&config, "snapshot-format = \"hdf5\"\nsteps = 2\n").unwrap();
    let out = covar(&[
        "run",
        "--config",
        path_str(&config),
        "--out",
        path_str(&dir.join("run")),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("c.toml: key `snapshot-format`")
            && stderr.contains("rebuild with --features hdf5"),
        "{stderr}"
    );

    // And reading one.
    let snap = dir.join("s.hdf5");
    std::fs::write(&snap, b"").unwrap();
    let out = covar(&[
        "run",
        "--from",
        path_str(&snap),
        "--out",
        path_str(&dir.join("run")),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rebuild with --features hdf5"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.join("run").exists(), "nothing written");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "hdf5")]
mod with_hdf5 {
    use super::*;
    use covar::io::hdf5::{self, RunInfo};
    use covar::store::ic::Plummer;
    use hdf5_metno as h5;
    use std::path::Path;
    use std::process::Command;

    /// Held by every test of this module: the HDF5 library opens files
    /// without close-on-exec and locks them, so a child process spawned by
    /// one test (`covar run`, python3) while another holds a file open
    /// inherits the descriptor and its lock, and the other's next open of
    /// that file fails with "unable to lock file" until the child exits.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Bits of a slice, for exact comparisons that treat -0.0 and 0.0 apart.
    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn write_then_read_gives_identical_arrays() {
        let _serial = serial();
        let dir = scratch("round-trip");
        let mut store = Plummer::new(1000, 7).generate().unwrap();
        // Charges of both signs and a zero, negative zero included.
        for i in 0..store.len() {
            let q = store.charge(i) * if i % 3 == 0 { -1.0 } else { 1.0 };
            store.set_charge(i, q);
        }
        store.set_charge(5, 0.0);
        store.set_charge(6, -0.0);
        let info = RunInfo {
            step: 1234,
            dt: 0.005,
            preset: "coulomb".into(),
            k: 1.0,
            mu: 0.0,
            softening: 0.01,
            softening_kernel: "spline".into(),
            integrator: "leapfrog".into(),
            settings: "preset = \"coulomb\"\n".into(),
        };
        let path = dir.join("s.hdf5");
        hdf5::write(&store, &info, &path).unwrap();
        let back = hdf5::read(&path).unwrap();
        let p = &back.particles;
        assert_eq!(p.len(), store.len());
        for (name, a, b) in [
            ("x", p.x(), store.x()),
            ("y", p.y(), store.y()),
            ("z", p.z(), store.z()),
            ("px", p.px(), store.px()),
            ("py", p.py(), store.py()),
            ("pz", p.pz(), store.pz()),
            ("masses", p.masses(), store.masses()),
            ("charges", p.charges(), store.charges()),
        ] {
            assert_eq!(bits(a), bits(b), "{name} differs after the round trip");
        }
        assert_eq!(back.ids.as_deref(), Some(store.ids()));
        assert_eq!(back.time, info.time());
        // The softening, kernel included, in `Parameters`.
        let params = h5::File::open(&path).unwrap().group("Parameters").unwrap();
        let kernel: h5::types::VarLenUnicode = params
            .attr("SofteningKernel")
            .unwrap()
            .read_scalar()
            .unwrap();
        assert_eq!(kernel.as_str(), "spline");
        let length: f64 = params.attr("Softening").unwrap().read_scalar().unwrap();
        assert_eq!(length, 0.01);
        assert_eq!(*p, store, "the whole store, padding included");
        // No temporary file left beside it.
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn header_follows_the_gadget_layout() {
        let _serial = serial();
        let dir = scratch("header");
        let store = Plummer::new(64, 3).generate().unwrap();
        let path = dir.join("s.hdf5");
        let info = RunInfo {
            step: 10,
            dt: 0.25,
            ..RunInfo::default()
        };
        hdf5::write(&store, &info, &path).unwrap();
        let f = h5::File::open(&path).unwrap();
        let h = f.group("Header").unwrap();
        let counts: Vec<i64> = h.attr("NumPart_ThisFile").unwrap().read_raw().unwrap();
        assert_eq!(counts, [0, 64, 0, 0, 0, 0]);
        let total: Vec<u32> = h.attr("NumPart_Total").unwrap().read_raw().unwrap();
        assert_eq!(total, [0, 64, 0, 0, 0, 0]);
        let high: Vec<u32> = h
            .attr("NumPart_Total_HighWord")
            .unwrap()
            .read_raw()
            .unwrap();
        assert_eq!(high, [0; 6]);
        let time: f64 = h.attr("Time").unwrap().read_scalar().unwrap();
        assert_eq!(time, 2.5);
        let files: i32 = h
            .attr("NumFilesPerSnapshot")
            .unwrap()
            .read_scalar()
            .unwrap();
        assert_eq!(files, 1);
        let ds = f.dataset("PartType1/Coordinates").unwrap();
        assert_eq!(ds.shape(), [64, 3]);
        let v: Vec<f64> = f
            .dataset("PartType1/Velocities")
            .unwrap()
            .read_raw()
            .unwrap();
        assert_eq!(v[3 * 5 + 1], store.velocity(5).y, "row 5, column y");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Copies `src` to `dst` and removes `field` from the copy.
    fn without(src: &Path, dst: &Path, field: &str) {
        std::fs::copy(src, dst).unwrap();
        let f = h5::File::open_rw(dst).unwrap();
        f.unlink(field).unwrap();
        // Closed now, not whenever the handle registry drops it: the next
        // open of this file must not find it locked.
        f.close().unwrap();
    }

    #[test]
    fn a_missing_field_is_an_error_naming_it() {
        let _serial = serial();
        let dir = scratch("missing");
        let store = Plummer::new(50, 2).generate().unwrap();
        let good = dir.join("good.hdf5");
        hdf5::write(&store, &RunInfo::default(), &good).unwrap();
        for (field, want) in [
            ("PartType1/Masses", "missing field `PartType1/Masses`"),
            ("PartType1/Charges", "missing field `PartType1/Charges`"),
            (
                "PartType1/Coordinates",
                "missing field `PartType1/Coordinates`",
            ),
            ("PartType1", "missing field `PartType1`"),
            ("Header", "missing field `Header`"),
        ] {
            let bad = dir.join("bad.hdf5");
            without(&good, &bad, field);
            let e = hdf5::read(&bad).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains("bad.hdf5"), "{field}: {e}");

            // The same through `covar run --from`: exit status 1, no panic.
            let out = covar(&[
                "run",
                "--from",
                path_str(&bad),
                "--steps",
                "1",
                "--out",
                path_str(&dir.join("run")),
            ]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{field}: {stderr}");
            assert!(stderr.contains(want), "{field}: {stderr}");
            assert!(!stderr.contains("panicked"), "{field}: {stderr}");
            assert!(!dir.join("run").exists(), "{field}: no output");
        }
        // A velocity-only file (another code's) is read with P = m v.
        let bad = dir.join("bad.hdf5");
        without(&good, &bad, "PartType1/CanonicalMomenta");
        let back = hdf5::read(&bad).unwrap();
        assert_eq!(back.particles.len(), 50);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_values_name_the_particle() {
        let _serial = serial();
        let dir = scratch("values");
        let store = Plummer::new(20, 2).generate().unwrap();
        let path = dir.join("s.hdf5");
        hdf5::write(&store, &RunInfo::default(), &path).unwrap();
        {
            let f = h5::File::open_rw(&path).unwrap();
            let ds = f.dataset("PartType1/Masses").unwrap();
            let mut m: Vec<f64> = ds.read_raw().unwrap();
            m[7] = -1.0;
            ds.write_raw(&m).unwrap();
        }
        let e = hdf5::read(&path).unwrap_err().to_string();
        assert!(
            e.contains("field `PartType1/Masses`, particle 7: -1 (a mass must be > 0)"),
            "{e}"
        );
        std::fs::write(&path, b"not hdf5").unwrap();
        let e = hdf5::read(&path).unwrap_err().to_string();
        assert!(e.contains("s.hdf5: opening as HDF5"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Whether `python3 -c "import h5py, numpy"` works.
    fn has_h5py() -> bool {
        Command::new("python3")
            .args(["-c", "import h5py, numpy"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    #[test]
    fn h5py_reads_what_covar_wrote() {
        let _serial = serial();
        if !has_h5py() {
            assert!(
                std::env::var_os("COVAR_REQUIRE_H5PY").is_none(),
                "COVAR_REQUIRE_H5PY is set but python3 cannot import h5py and numpy"
            );
            eprintln!("skipped: python3 with h5py and numpy is not installed");
            return;
        }
        let dir = scratch("h5py");
        let run = dir.join("run");
        let final_state = dir.join("final.csv");
        let out = covar(&[
            "run",
            "--preset",
            "darwin",
            "--ic",
            "cube",
            "--n",
            "300",
            "--steps",
            "20",
            "--snapshot-every",
            "10",
            "--snapshot-format",
            "hdf5",
            "--out",
            path_str(&run),
            "--final-state",
            path_str(&final_state),
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for step in ["00", "10", "20"] {
            assert!(run.join(format!("snapshot_{step}.hdf5")).is_file());
        }
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/check_hdf5_snapshot.py");
        let check = Command::new("python3")
            .arg(&script)
            .arg(run.join("snapshot_20.hdf5"))
            .arg("--final-state")
            .arg(&final_state)
            .args(["--step", "20", "--dt", "0.005"])
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
        assert!(check.status.success(), "{said}");
        assert!(said.contains("300 particles"), "{said}");

        // And the snapshot starts a new run.
        let again = covar(&[
            "run",
            "--preset",
            "darwin",
            "--from",
            path_str(&run.join("snapshot_20.hdf5")),
            "--steps",
            "2",
            "--out",
            path_str(&dir.join("again")),
            "--json",
        ]);
        assert!(
            again.status.success(),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
