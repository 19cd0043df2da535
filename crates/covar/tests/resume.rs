//! Interrupted runs continue bit for bit: `covar run` killed with SIGKILL
//! at seeded moments, stopped by SIGTERM and SIGINT, and (in process)
//! stopped after every step with every integrator, then resumed with
//! `--resume`, ends with the final state, energy log and snapshots of the
//! same run never interrupted, byte for byte.
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use common::{
    args_into, assert_same_results, darwin_particles, results, scratch, splitmix, start_until,
};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};

use clap::Parser;
use covar::cli::run::{Stop, run_simulation_with};
use covar::cli::{Cli, CliError, Command as CovarCommand, RunArgs};
use covar::integrate::integrator::NAMES;

/// Runs `covar run ARGS` to the end and checks its success.
fn covar_run(args: &[String]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_covar"))
        .arg("run")
        .args(args)
        .output()
        .expect("the covar binary runs");
    assert!(
        out.status.success(),
        "covar run {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// SIGKILL at 10 seeded moments (5 of a leapfrog run, 5 of a `gauss4` run
/// with a magnetic coupling, whose warm start is integrator state), each
/// resumed: 10 of 10 end identical to the uninterrupted run.
#[test]
fn runs_killed_at_random_moments_resume_bit_for_bit() {
    let dir = scratch("sigkill");
    let particles = dir.join("darwin.csv");
    darwin_particles(&particles, 200);
    let common = "--steps 300 --energy-every 2 --snapshot-every 100 --checkpoint-every 4";
    let runs = [
        ("leapfrog", format!("--n 1000 --dt 0.002 {common}")),
        (
            "gauss4",
            format!(
                "--from {} --preset darwin --mu 0.1 --softening 0.1 --integrator gauss4 \
                 --dt 0.005 {common}",
                particles.display()
            ),
        ),
    ];
    let mut rng = 2024u64;
    let mut identical = 0;
    for (name, words) in &runs {
        let reference_out = dir.join(format!("{name}-reference"));
        covar_run(&args_into(words, &reference_out));
        let reference = results(&reference_out);
        for k in 0..5 {
            // A moment between the third checkpoint and two thirds of the run.
            let target = 12 + splitmix(&mut rng) % 188;
            let out = dir.join(format!("{name}-{k}"));
            let args = args_into(words, &out);
            let mut child = start_until(&args, &out, target);
            child.kill().unwrap(); // SIGKILL
            let status = child.wait().unwrap();
            assert_eq!(status.signal(), Some(9), "{name} kill {k}: {status}");
            let resumed = covar_run(&[
                "--resume".into(),
                out.display().to_string(),
                "--json".into(),
            ]);
            let report: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
            let from = report["resumed_from_step"].as_u64().unwrap();
            assert!(
                (4..300).contains(&from) && from.is_multiple_of(4),
                "{name} kill {k} at row {target}: resumed from step {from}"
            );
            assert_same_results(
                &out,
                &reference,
                &format!("{name} kill {k} (step {target})"),
            );
            identical += 1;
        }
    }
    assert_eq!(identical, 10);
}

/// SIGTERM and SIGINT: a checkpoint at the next step boundary, exit status
/// 143 and 130 with a message saying how to continue, and a resumed run
/// identical to the uninterrupted one.
#[test]
fn sigterm_and_sigint_checkpoint_and_exit_143_and_130() {
    let dir = scratch("signals");
    // No periodic checkpoints: the signal's is the only one.
    let words = "--n 1000 --dt 0.002 --steps 300 --energy-every 2 --snapshot-every 100";
    let reference_out = dir.join("reference");
    covar_run(&args_into(words, &reference_out));
    assert!(!reference_out.join("checkpoint.covar").exists());
    let reference = results(&reference_out);
    for (signal, name, code) in [("-TERM", "SIGTERM", 143), ("-INT", "SIGINT", 130)] {
        let out = dir.join(name);
        let args = args_into(words, &out);
        let child = start_until(&args, &out, 40);
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(code), "{name}: {stderr}");
        let checkpoint = out.join("checkpoint.covar");
        let want = format!("interrupted by {name} after step ",);
        assert!(stderr.contains(&want), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "checkpoint written to {}; continue with `covar run --resume {}`",
                checkpoint.display(),
                out.display()
            )),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(checkpoint.is_file());
        assert!(
            !out.join("summary.json").exists(),
            "an interrupted run has no summary"
        );
        covar_run(&["--resume".into(), out.display().to_string()]);
        assert_same_results(&out, &reference, name);
    }
}

/// `covar run ARGS` parsed as the binary parses it.
fn parse(args: &[String]) -> RunArgs {
    let cli = Cli::parse_from(
        ["covar", "run"]
            .into_iter()
            .map(String::from)
            .chain(args.iter().cloned()),
    );
    let CovarCommand::Run(args) = cli.command else {
        unreachable!()
    };
    *args
}

/// Every integrator, stopped after each of its steps and resumed from the
/// checkpoint each time (a fresh integrator restoring its saved state),
/// ends where the run never stopped ends.
#[test]
fn every_integrator_resumes_after_every_step() {
    let dir = scratch("every");
    let particles = dir.join("darwin.csv");
    darwin_particles(&particles, 24);
    let steps = 6;
    for name in NAMES {
        let separable = ["leapfrog", "yoshida4", "yoshida6", "pefrl"].contains(&name);
        let system = if separable {
            "--ic plummer --n 48".to_string()
        } else {
            format!(
                "--from {} --preset darwin --mu 0.1 --softening 0.2",
                particles.display()
            )
        };
        let words = format!(
            "{system} --integrator {name} --dt 0.005 --steps {steps} --energy-every 1 \
             --snapshot-every 2 --threads 1"
        );
        let reference_out = dir.join(format!("{name}-reference"));
        let report = run_simulation_with(
            &parse(&args_into(&words, &reference_out)),
            false,
            &Stop::new(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let reference = results(&reference_out);
        let out = dir.join(name);
        let stop = Stop::new();
        stop.request(Stop::SIGTERM);
        let mut args = parse(&args_into(&words, &out));
        let mut stops = 0;
        let resumed = loop {
            match run_simulation_with(&args, false, &stop) {
                Err(CliError::Interrupted { step, signal, .. }) => {
                    stops += 1;
                    assert_eq!((step, signal), (stops, Stop::SIGTERM), "{name}");
                }
                Err(e) => panic!("{name}: {e}"),
                Ok(report) => break report,
            }
            args = parse(&[
                "--resume".into(),
                out.display().to_string(),
                "--threads".into(),
                "1".into(),
            ]);
        };
        assert_eq!(
            stops,
            steps - 1,
            "{name}: a stop after every step but the last"
        );
        assert_eq!(resumed.resumed_from_step, Some(steps - 1));
        assert_same_results(&out, &reference, name);
        // The summary's counts and errors are the uninterrupted run's (the
        // splitting methods that reuse their last kick's forces compute
        // them again once per resume, so they count more evaluations).
        if !separable {
            assert_eq!(
                resumed.force_evaluations, report.force_evaluations,
                "{name}"
            );
        }
        assert_eq!(resumed.energy_rows, report.energy_rows, "{name}");
        assert_eq!(resumed.snapshots, report.snapshots, "{name}");
        assert_eq!(
            resumed.diagnostic_evaluations, report.diagnostic_evaluations,
            "{name}"
        );
        assert_eq!(
            resumed.max_rel_h_error.to_bits(),
            report.max_rel_h_error.to_bits(),
            "{name}"
        );
        assert_eq!(
            resumed.t_final.to_bits(),
            report.t_final.to_bits(),
            "{name}"
        );
    }
}
