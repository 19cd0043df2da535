//! `covar run --resume DIR`: continue an interrupted run from the
//! checkpoint in its output folder.
//!
//! Everything is checked before anything is touched: the flags (only
//! `--threads` and `--json` go with `--resume`), the checkpoint (magic,
//! version, checksum, every field), its settings (resolved as a `--config`
//! file would be), its integrator state, and the energy log (its header,
//! and as many whole rows up to the checkpoint's step as the checkpoint
//! counted). Only then is the energy log cut back to the checkpoint's step
//! (rows of later steps, and a row half written when the run was killed,
//! are dropped: the resumed run writes them again, identically).

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use super::args::RunArgs;
use super::config::RunConfig;
use super::driver::Start;
use super::monitor::Monitor;
use super::outputs::{ENERGY_LOG, Extra, OutputDir, header_line};
use super::settings::Settings;
use super::setup::{self, Ready};
use crate::cli::CliError;
use crate::io::checkpoint::{self, CheckpointError};

/// An interrupted run, checked and ready to continue.
pub struct Resumed {
    /// The settings it was started with (its output folder: the one given).
    pub settings: Settings,
    /// Its settings as TOML, as the checkpoint holds them.
    pub settings_toml: String,
    /// The output folder, energy log cut back and open for appending.
    pub out: OutputDir,
    /// Where the loop starts.
    pub start: Start,
}

/// The flags `--resume` accepts besides itself.
const ALLOWED: &str = "--threads and --json";

/// Checks everything `--resume DIR` needs, then cuts the energy log back to
/// the checkpoint. `prepare` receives the settings and the system: it runs
/// in the caller's thread pool.
///
/// # Errors
///
/// [`CliError::Resume`] for flags that do not go with `--resume`, a folder
/// without a checkpoint or with an energy log that does not match it;
/// [`CliError::Checkpoint`] for a damaged or foreign checkpoint; any error
/// of its settings, as for `--config`.
pub fn resume(
    dir: &Path,
    args: &RunArgs,
    warn: &mut dyn FnMut(String),
) -> Result<(Resumed, Ready), CliError> {
    let refuse = |reason: String| CliError::Resume {
        dir: dir.to_path_buf(),
        reason,
    };
    let only_allowed = RunArgs {
        resume: args.resume.clone(),
        settings: RunConfig {
            threads: args.settings.threads,
            ..RunConfig::default()
        },
        json: args.json,
        ..RunArgs::default()
    };
    if format!("{args:?}") != format!("{only_allowed:?}") {
        return Err(refuse(format!(
            "--resume continues the run with the settings saved in its checkpoint and takes \
             no other flag but {ALLOWED}"
        )));
    }
    let path = dir.join(checkpoint::FILE_NAME);
    if !path.is_file() {
        return Err(refuse(format!(
            "{} does not exist (a run writes it every --checkpoint-every steps and when \
             interrupted by SIGINT or SIGTERM)",
            path.display()
        )));
    }
    let as_checkpoint_error = |source: CheckpointError| CliError::Checkpoint {
        path: path.clone(),
        source,
    };
    let ckpt = checkpoint::read(&path).map_err(as_checkpoint_error)?;
    let settings_label = PathBuf::from(format!("{} (its settings)", path.display()));
    let mut config = RunConfig::parse(&ckpt.settings, &settings_label)?;
    // A checkpoint records the M2L method its fast backend used; one
    // written before that was recorded used the built-in rule, which is
    // kept (a calibration now could choose otherwise and change the bits).
    if config.backend.as_deref() == Some("fast") && config.m2l_term_order.is_none() {
        config.calibrate = Some(false);
    }
    let flags = RunArgs {
        settings: RunConfig {
            threads: args.settings.threads,
            ..RunConfig::default()
        },
        ..RunArgs::default()
    };
    let mut settings = Settings::resolve_with(&flags, &config, Some(&settings_label))?;
    settings.out = dir.to_path_buf();
    if ckpt.step > settings.steps {
        return Err(as_checkpoint_error(CheckpointError::Inconsistent {
            what: format!(
                "its step {} is past the run's {} steps",
                ckpt.step, settings.steps
            ),
        }));
    }
    let monitor = Monitor::restore(&ckpt.monitor)
        .map_err(|what| as_checkpoint_error(CheckpointError::Inconsistent { what }))?;
    let (step, counters, settings_toml) = (ckpt.step, ckpt.counters, ckpt.settings.clone());
    let ready = setup::restore(&settings, ckpt, &path, warn)?;
    let extra = Extra {
        h_seed: settings.preset.is_seed(),
        copy_gap: settings.integrator.starts_with("tao"),
    };
    let cut = log_cut(dir, extra, step, counters.energy_rows)?;
    // Checked: from here on the folder changes.
    remove_temporary_files(dir);
    let log_path = dir.join(ENERGY_LOG);
    let log = OpenOptions::new()
        .append(true)
        .open(&log_path)
        .and_then(|f| f.set_len(cut).map(|()| f))
        .map_err(CliError::output(&log_path))?;
    let out = OutputDir::check(dir, true, settings.steps, extra)?
        .with_snapshots(&settings)
        .reopen(
            log,
            counters.energy_rows,
            counters.snapshots,
            &settings_toml,
        );
    Ok((
        Resumed {
            settings,
            settings_toml,
            out,
            start: Start::Resumed {
                step,
                monitor: Box::new(monitor),
                counters,
            },
        },
        ready,
    ))
}

/// Removes the temporary files that atomic writes of a killed run left in
/// `dir` (`.NAME.tmp-PID` of its checkpoint, summary, settings and
/// snapshots); others' files stay.
fn remove_temporary_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((inner, pid)) = name.strip_prefix('.').and_then(|n| n.rsplit_once(".tmp-")) else {
            continue;
        };
        let ours = [checkpoint::FILE_NAME, "summary.json", "run.toml"].contains(&inner)
            || inner.starts_with("snapshot_");
        if ours && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The length of the energy log in `dir` cut after its last whole row of
/// a step `<= step`, after checking that it starts with the run's header
/// and holds `rows` such rows.
fn log_cut(dir: &Path, extra: Extra, step: u64, rows: u64) -> Result<u64, CliError> {
    let path = dir.join(ENERGY_LOG);
    let refuse = |reason: String| CliError::Resume {
        dir: dir.to_path_buf(),
        reason,
    };
    let text = std::fs::read(&path).map_err(|e| {
        refuse(format!(
            "its energy log {} cannot be read: {e}",
            path.display()
        ))
    })?;
    let header = header_line(extra);
    if !text.starts_with(header.as_bytes()) {
        return Err(refuse(format!(
            "its energy log {} does not start with this run's header `{}`",
            path.display(),
            header.trim_end()
        )));
    }
    let mut end = header.len();
    let mut kept = 0u64;
    for line in text[end..].split_inclusive(|&b| b == b'\n') {
        if !line.ends_with(b"\n") {
            break; // a row half written when the run was stopped
        }
        let field = line.split(|&b| b == b',').next().unwrap_or_default();
        let row_step = std::str::from_utf8(field)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| {
                refuse(format!(
                    "line {} of its energy log {} is not a row of steps",
                    kept + 2,
                    path.display()
                ))
            })?;
        if row_step > step {
            break;
        }
        end += line.len();
        kept += 1;
    }
    if kept != rows {
        return Err(refuse(format!(
            "its energy log {} has {kept} rows up to step {step}, and the checkpoint counted \
             {rows}; the log and the checkpoint are not of the same run",
            path.display()
        )));
    }
    Ok(end as u64)
}
