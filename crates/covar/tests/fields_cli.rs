//! `covar fields` run as a user runs it: the built binary, its exit status,
//! its stdout (JSON or text) and its stderr.
#![cfg(feature = "cli")]

use std::process::{Command, Output};

use serde_json::Value;

mod common;

/// Runs `covar fields ARGS` and returns its output.
fn fields(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_covar"))
        .arg("fields")
        .args(args)
        .output()
        .expect("the covar binary runs")
}

/// Runs `covar fields ARGS --json`, checks success and a clean stdout, and
/// parses the report.
fn fields_json(args: &[&str]) -> Value {
    let out = fields(&[args, &["--json"]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "covar fields {args:?} failed: {stderr}"
    );
    assert!(
        stderr.is_empty(),
        "--json must leave stderr empty: {stderr}"
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    assert_eq!(stdout.lines().count(), 1, "one JSON line: {stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {v}"))
}

/// `|a - b| <= tol * max(|a|, |b|)`, printing both values on failure.
fn assert_rel_close(a: f64, b: f64, tol: f64, what: &str) {
    let diff = (a - b).abs();
    let allowed = tol * a.abs().max(b.abs());
    assert!(
        diff <= allowed,
        "{what}: {a:e} vs {b:e}, difference {diff:e} > allowed {allowed:e}"
    );
}

#[test]
fn json_report_has_the_documented_keys_and_sane_values() {
    let v = fields_json(&["--n", "500"]);
    assert_eq!(v["n"], 500);
    assert_eq!(v["nd"], 1);
    assert_eq!(v["backend"], "direct");
    assert!(v["isa"].is_string(), "isa: {}", v["isa"]);
    assert!(v["threads"].as_u64().unwrap() >= 1);
    assert_eq!(v["pairs"], 500 * 499);
    assert_eq!(v["ic"], "plummer");
    assert_eq!(v["charges"], "mass");
    let seconds = num(&v, "seconds");
    assert!(seconds > 0.0 && seconds < 60.0, "seconds = {seconds}");
    let rate = num(&v, "pairs_per_second");
    assert_rel_close(rate, 500.0 * 499.0 / seconds, 1e-12, "pairs_per_second");
    // Plummer sphere, q = m = 1/n: phi_i ~ 1 and U = -W ~ 1/2 in Hénon units.
    let energy = num(&v, "energy");
    assert!((0.3..0.7).contains(&energy), "energy = {energy}");
    assert_eq!(
        num(&v, "potential_sum"),
        v["potential_sums"][0].as_f64().unwrap()
    );
    let residual = num(&v, "third_law_residual");
    assert!(residual < 1e-13, "third-law residual {residual:e}");
}

#[test]
fn naive_and_direct_agree_to_round_off() {
    for extra in [
        &["--ic", "plummer", "--nd", "1"][..],
        &["--ic", "cube", "--nd", "4"],
        &["--ic", "lattice", "--nd", "4", "--softening", "0.01"],
    ] {
        let base = [&["--n", "500"][..], extra].concat();
        let naive = fields_json(&[&base[..], &["--backend", "naive"]].concat());
        let direct = fields_json(&[&base[..], &["--backend", "direct"]].concat());
        assert_eq!(naive["isa"], Value::Null);
        assert_rel_close(
            num(&naive, "energy"),
            num(&direct, "energy"),
            1e-12,
            &format!("energy {extra:?}"),
        );
        let (pn, pd) = (&naive["potential_sums"], &direct["potential_sums"]);
        for c in 0..naive["nd"].as_u64().unwrap() as usize {
            assert_rel_close(
                pn[c].as_f64().unwrap(),
                pd[c].as_f64().unwrap(),
                1e-12,
                &format!("potential sum {c} {extra:?}"),
            );
        }
        for v in [&naive, &direct] {
            let r = num(v, "third_law_residual");
            assert!(r < 1e-13, "{}: residual {r:e}", v["backend"]);
        }
    }
}

#[test]
fn direct_gives_the_same_bits_on_one_and_two_threads() {
    let args = ["--ic", "cube", "--n", "777", "--nd", "4"];
    let one = fields_json(&[&args[..], &["--threads", "1"]].concat());
    let two = fields_json(&[&args[..], &["--threads", "2"]].concat());
    assert_eq!(one["threads"], 1);
    assert_eq!(two["threads"], 2);
    for key in ["potential_sums", "energy", "third_law_residual"] {
        assert_eq!(one[key], two[key], "{key}");
    }
}

#[test]
fn every_generator_and_charge_choice_runs() {
    for ic in ["plummer", "cube", "lattice"] {
        for charges in ["mass", "random", "neutral"] {
            let v = fields_json(&["--ic", ic, "--n", "64", "--charges", charges, "--reps", "3"]);
            assert_eq!(v["n"], 64);
            assert_eq!(v["reps"], 3);
            assert!(num(&v, "seconds_min") <= num(&v, "seconds"));
        }
    }
    let v = fields_json(&["--ic", "kepler"]);
    assert_eq!(v["n"], 2);
    // q1 q2 / r at pericentre: masses 1 and 0.001, r = a (1 - e) = 0.5.
    assert_rel_close(num(&v, "energy"), 0.002, 1e-14, "kepler energy");
}

#[test]
fn human_summary_reports_rate_and_checksums() {
    let out = fields(&["--ic", "cube", "--n", "300", "--nd", "4", "--reps", "3"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "300 particles",
        "direct (",
        "nd = 4",
        "median of 3",
        "pair interactions/s",
        "energy",
        "3rd law",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}

/// An instruction set of the other architecture.
const UNAVAILABLE_ISA: &str = if cfg!(target_arch = "aarch64") {
    "avx2"
} else {
    "neon"
};

#[test]
fn bad_input_fails_with_a_message_naming_the_problem() {
    for (args, needle) in [
        (&["--n", "0"][..], "--n"),
        (&["--n", "-3"], "--n"),
        (&["--backend", "nope"], "nope"),
        (&["--nd", "3"], "--nd"),
        (&["--ic", "moon"], "moon"),
        (&["--ic", "kepler", "--n", "3"], "kepler"),
        (&["--softening", "-1"], "softening"),
        (&["--softening", "nan"], "softening"),
        (&["--threads", "0"], "--threads"),
        (&["--reps", "0"], "--reps"),
        (&["--backend", "naive", "--isa", "scalar"], "--isa"),
        (&["--isa", "sse9"], "sse9"),
        (&["--frobnicate"], "frobnicate"),
        (&["--n", "100000000000000"], "memory"),
        (
            &["--backend", "fast", "--tol", "0"],
            "'--tol <TOL>': must be in (0, 1), got 0",
        ),
        (
            &["--backend", "fast", "--tol", "1"],
            "'--tol <TOL>': must be in (0, 1), got 1",
        ),
        (
            &["--backend", "fast", "--tol", "nan"],
            "'--tol <TOL>': must be in (0, 1), got NaN",
        ),
        (&["--backend", "fast", "--tol=-1e-6"], "'--tol <TOL>'"),
        (
            &["--backend", "fast", "--theta", "0"],
            "'--theta <THETA>': must be in (0, 1)",
        ),
        (
            &["--backend", "fast", "--theta", "1"],
            "'--theta <THETA>': must be in (0, 1)",
        ),
        (
            &["--backend", "fast", "--theta", "nan"],
            "'--theta <THETA>'",
        ),
        (
            &["--backend", "fast", "--leaf-size", "0"],
            "'--leaf-size <LEAF_SIZE>'",
        ),
        (&["--backend", "fast", "--order", "65"], "1..=64"),
        (
            &["--tol", "1e-6"],
            "`--tol`: applies to the fast backend only, and the backend is direct",
        ),
        (&["--backend", "direct", "--theta", "0.5"], "`--theta`"),
        (&["--backend", "naive", "--order", "8"], "`--order`"),
        (
            &["--backend", "fast", "--isa", UNAVAILABLE_ISA],
            "cannot run",
        ),
        (&["--isa", "sse"], "expected scalar, avx2, avx512 or neon"),
        (&["--check", "0"], "--check"),
    ] {
        let out = fields(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains(needle),
            "{args:?}: stderr does not name `{needle}`: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}

/// The four error keys of `--check`, each a number.
fn errors(v: &Value) -> [(&'static str, f64); 4] {
    ["rel_l2_pot", "rel_l2_grad", "max_rel_pot", "max_rel_grad"].map(|k| (k, num(v, k)))
}

#[test]
fn fast_backend_reaches_its_tolerance_and_reports_its_stages() {
    let tol = 1e-6;
    // Leaves of 64 so that 3000 points make a tree with translations.
    let v = fields_json(&[
        "--backend",
        "fast",
        "--leaf-size",
        "64",
        "--ic",
        "cube",
        "--n",
        "3000",
        "--nd",
        "4",
        "--check",
        "50",
    ]);
    assert_eq!(v["backend"], "fast");
    assert!(v["isa"].is_string(), "isa: {}", v["isa"]);
    // At 1e-6 the near field is relaxed where the instruction set has a
    // cheaper 1/r (AVX-512, NEON).
    let relaxed = matches!(v["isa"].as_str(), Some("avx512" | "neon"));
    assert_eq!(
        v["fast"]["near_relaxed"],
        Value::Bool(relaxed),
        "{}",
        v["fast"]
    );
    assert_eq!(v["check_targets"], 50);
    // The tolerance bounds the relative L2 errors; pointwise errors are not
    // bounded by it (the gradient's reaches 1.3e-6 here), so they get a margin.
    for (key, e) in errors(&v) {
        let bound = if key.starts_with("rel_l2") {
            tol
        } else {
            10.0 * tol
        };
        assert!(e <= bound, "{key} = {e:e} > {bound:e}");
    }
    let fast = &v["fast"];
    assert_eq!(num(fast, "tolerance"), tol);
    assert!(num(fast, "order") >= 2.0, "{fast}");
    for key in [
        "tree",
        "upward",
        "m2l",
        "near",
        "downward",
        "traversal",
        "total",
    ] {
        let t = num(fast, key);
        assert!((0.0..60.0).contains(&t), "fast.{key} = {t}");
    }
    assert!(num(fast, "traversal") <= num(fast, "total"));
    assert!(
        num(fast, "m2l_count") > 0.0 && num(fast, "near_pairs") > 0.0,
        "{fast}"
    );
}

#[test]
fn fast_flags_reach_the_kernel() {
    let v = fields_json(&[
        "--backend",
        "fast",
        "--ic",
        "plummer",
        "--n",
        "2000",
        "--tol",
        "1e-3",
        "--theta",
        "0.5",
        "--leaf-size",
        "32",
        "--check",
        "40",
    ]);
    let fast = &v["fast"];
    assert_eq!(
        (
            num(fast, "tolerance"),
            num(fast, "theta"),
            num(fast, "leaf_size")
        ),
        (1e-3, 0.5, 32.0)
    );
    for (key, e) in errors(&v)[..2].iter() {
        assert!(*e <= 1e-3, "{key} = {e:e}");
    }
    let low = fields_json(&["--backend", "fast", "--n", "2000", "--order", "3"]);
    assert_eq!(low["fast"]["order"], 3);
}

#[test]
fn check_works_for_every_backend() {
    for backend in ["naive", "direct"] {
        let v = fields_json(&[
            "--backend",
            backend,
            "--n",
            "400",
            "--nd",
            "4",
            "--check",
            "30",
        ]);
        assert_eq!(v["fast"], Value::Null);
        for (key, e) in errors(&v) {
            assert!(e < 1e-12, "{backend}: {key} = {e:e}");
        }
    }
    // More targets than particles: every particle, once.
    let v = fields_json(&["--n", "20", "--check", "100"]);
    assert_eq!(v["check_targets"], 20);
    // Without --check, no error keys.
    let v = fields_json(&["--n", "20"]);
    assert!(v.get("rel_l2_pot").is_none(), "{v}");
}

#[test]
fn human_summary_of_fast_shows_stages_and_accuracy() {
    let out = fields(&["--backend", "fast", "--n", "1000", "--check", "20"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "backend    fast (",
        "fast       tol = 1e-6",
        "stages     tree",
        "M2L",
        "accuracy   against exact sums at 20 particles",
        "relative L2 potential",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}

#[test]
fn from_reads_the_particles_of_a_file() {
    // Unit charges at the corners of a right triangle with legs 1 and 2:
    // phi = (1 + 1/2, 1 + 1/sqrt 5, 1/2 + 1/sqrt 5), q = 1, so the sum of
    // the potentials is 2 (1 + 1/2 + 1/sqrt 5) and the energy half of it.
    let dir = common::scratch("from");
    let file = dir.join("three.csv");
    std::fs::write(
        &file,
        "x,y,z,px,py,pz,m,q\n0,0,0,0,0,0,1,1\n1,0,0,0,0,0,1,1\n0,2,0,0,0,0,1,1\n",
    )
    .unwrap();
    let v = fields_json(&["--from", common::path(&file)]);
    let sum = 2.0 * (1.5 + 1.0 / 5f64.sqrt());
    assert_eq!(v["n"], 3);
    assert_eq!(v["from"], common::path(&file));
    assert!(v["ic"].is_null() && v["charges"].is_null(), "{v}");
    assert_rel_close(num(&v, "potential_sum"), sum, 1e-15, "sum phi");
    assert_rel_close(num(&v, "energy"), sum / 2.0, 1e-15, "energy");
    // The text report names the file; generating flags do not mix with it.
    let out = fields(&["--from", common::path(&file)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("from "));
    let out = fields(&["--from", common::path(&file), "--n", "10"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--n"));
    // A missing file is an error naming it.
    let out = fields(&["--from", common::path(&dir.join("missing.csv"))]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv"));
}

/// `COVAR_ISA` picks the instruction set of the direct and fast backends;
/// a value this CPU cannot run, or no instruction set at all, is an error
/// before any work (exit status 2, no panic).
#[test]
fn covar_isa_picks_the_instruction_set_of_every_backend() {
    let with_env = |value: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_covar"))
            .env("COVAR_ISA", value)
            .arg("fields")
            .args(args)
            .output()
            .expect("the covar binary runs")
    };
    for backend in ["direct", "fast"] {
        let out = with_env("scalar", &["--backend", backend, "--n", "300", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(v["isa"], "scalar", "{backend}");
    }
    for value in [UNAVAILABLE_ISA, "sse"] {
        let out = with_env(value, &["--n", "300"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "COVAR_ISA={value}: {stderr}");
        assert!(stderr.contains("COVAR_ISA"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// `--softening-kernel` reaches every backend: fast with a compact kernel
/// within its tolerance of direct (`--check`), and far fewer near pairs
/// than under Plummer softening of the same length; naive = direct.
#[test]
fn softening_kernels_reach_every_backend() {
    let base = [
        "--ic",
        "plummer",
        "--n",
        "3000",
        "--softening",
        "0.01",
        "--leaf-size",
        "32",
    ];
    let mut near = Vec::new();
    for kernel in ["spline", "wendland-c2", "plummer"] {
        let args = [
            &base[..],
            &[
                "--backend",
                "fast",
                "--softening-kernel",
                kernel,
                "--check",
                "50",
            ],
        ]
        .concat();
        let v = fields_json(&args);
        assert_eq!(v["softening_kernel"], kernel);
        for (key, e) in errors(&v)
            .into_iter()
            .filter(|(k, _)| k.starts_with("rel_l2"))
        {
            assert!(e <= 1e-6, "{kernel}: {key} = {e:e}");
        }
        near.push(num(&v["fast"], "near_pairs"));
    }
    assert!(
        3.0 * near[0] < near[2],
        "near pairs spline / plummer: {near:?}"
    );
    let sums = |backend: &str| {
        let args = [
            &base[..6],
            &["--backend", backend, "--softening-kernel", "spline"],
        ]
        .concat();
        num(&fields_json(&args), "energy")
    };
    assert_rel_close(
        sums("naive"),
        sums("direct"),
        1e-13,
        "energy naive / direct",
    );
}
