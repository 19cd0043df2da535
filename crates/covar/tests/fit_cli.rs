//! `covar fit` as a user runs it: planted data in, particles out, then
//! `covar run --from` on them; bad data and existing outputs refused.
#![cfg(feature = "cli")]

mod common;

use common::{covar, path, scratch};

use covar::infer::data::encode_npy_i8;
use covar::infer::synth::Planted;
use covar::io::csv;
use serde_json::Value;

#[test]
fn fit_then_run_from_the_fitted_particles() {
    let dir = scratch("fit_then_run");
    let sample = Planted::example(1).generate(20_000).unwrap();
    let data = dir.join("planted.csv");
    std::fs::write(&data, sample.to_csv()).unwrap();
    let (out, clusters) = (dir.join("particles.csv"), dir.join("clusters.csv"));
    let o = covar(&[
        "fit",
        path(&data),
        "--out",
        path(&out),
        "--clusters",
        path(&clusters),
        "--stochastic",
        "--json",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "covar fit failed: {stderr}");
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON line: {stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["rows"], 20_000);
    assert_eq!(v["clusters"].as_array().unwrap().len(), 6);
    assert_eq!(v["unclustered"].as_array().unwrap().len(), 8);
    assert_eq!(v["frustrated"], 0);
    assert!(
        v["residual"]["max_correlation"].as_f64().unwrap() < 0.03,
        "{v}"
    );
    let exact = v["loss"]["exact"]["total"].as_f64().unwrap();
    let stoch = &v["loss"]["stochastic"]["total"];
    let (value, se) = (
        stoch["value"].as_f64().unwrap(),
        stoch["std_error"].as_f64().unwrap(),
    );
    assert!(
        (value - exact).abs() <= 4.0 * se + 1e-9,
        "stochastic {value} +- {se} vs exact {exact}"
    );
    assert!(v["loss"]["seed"]["terms"]["total"].as_f64().is_some());
    // The exact check agrees with the dense Cholesky behind the exact
    // loss: K is positive definite (6 particles: Lanczos is exact in 6
    // sums or fewer).
    let lambda = v["loss"]["covariance_min_eigenvalue"].as_f64().unwrap();
    assert!(lambda > 0.0 && lambda <= 1.0, "{lambda}");
    assert!(v["loss"]["covariance_sums"].as_u64().unwrap() <= 6);

    // The particle file is the layout `--from` reads.
    let store = csv::read(&out).unwrap();
    assert_eq!(store.len(), 6);
    let text = std::fs::read_to_string(&clusters).unwrap();
    assert_eq!(text.lines().count(), 1 + sample.variables);
    assert!(
        text.starts_with("variable,name,cluster,sign\n0,b0,"),
        "{text}"
    );

    let run_dir = dir.join("run");
    let o = covar(&[
        "run",
        "--from",
        path(&out),
        "--preset",
        "seed",
        "--eps",
        "0.5",
        "--softening",
        "0",
        "--integrator",
        "gauss4",
        "--dt",
        "0.001",
        "--steps",
        "5",
        "--out",
        path(&run_dir),
        "--json",
    ]);
    assert!(
        o.status.success(),
        "covar run --from the fit failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn the_text_report_and_npy_input() {
    let dir = scratch("text_npy");
    let s = Planted::example(2).generate(5000).unwrap();
    let data = dir.join("planted.npy");
    std::fs::write(&data, encode_npy_i8(&s.values, s.rows, s.variables)).unwrap();
    let out = dir.join("p.csv");
    let o = covar(&["fit", path(&data), "--out", path(&out)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    for want in [
        "5000 rows x 60 variables (-1/+1)",
        "clusters    6 at |corr| >= 0.5",
        "8 unclustered binary variables; 0 sign-frustrated",
        "exact (dense Cholesky)",
        "eq. 32 (first order)",
        "eq. 67 (C - M - H_seed)",
        "next        covar run --from",
    ] {
        assert!(text.contains(want), "`{want}` missing from:\n{text}");
    }
    // A second fit into the same file is refused without --overwrite.
    let o = covar(&["fit", path(&data), "--out", path(&out)]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("already exists") && e.contains("--overwrite"),
        "{e}"
    );
    let o = covar(&["fit", path(&data), "--out", path(&out), "--overwrite"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn bad_data_names_row_and_column() {
    let dir = scratch("bad_data");
    let cases = [
        (
            "a,b,c\n1,0,1\n0,1,7\n",
            "row 1 (line 3), column 2 (`c`): `7` is not binary",
        ),
        ("1,0,1\n0,1\n", "row 1 (line 2) has 2 values, expected 3"),
        ("1,0,1\n0,1,1\n", "column 2 is constant (1 in all 2 rows)"),
        ("1,-1\n-1,1\n0,1\n", "mixes encodings"),
    ];
    for (k, (text, want)) in cases.iter().enumerate() {
        let data = dir.join(format!("bad{k}.csv"));
        std::fs::write(&data, text).unwrap();
        let o = covar(&["fit", path(&data), "--out", path(&dir.join("p.csv"))]);
        assert_eq!(o.status.code(), Some(1), "{text}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(want), "`{e}` lacks `{want}`");
        assert!(
            !dir.join("p.csv").exists(),
            "no particle file after an error"
        );
    }
    let o = covar(&[
        "fit",
        path(&dir.join("bad0.csv")),
        "--out",
        "x.csv",
        "--threshold",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2), "clap rejects a bad flag value");
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be in (0, 1]"));
}
