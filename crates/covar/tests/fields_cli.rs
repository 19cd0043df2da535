//! `covar fields` run as a user runs it: the built binary, its exit status,
//! its stdout (JSON or text) and its stderr.

use std::process::{Command, Output};

use serde_json::Value;

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
