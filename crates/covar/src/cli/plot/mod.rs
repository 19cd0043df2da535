//! `covar plot DIR`: PNG plots of a run's output folder, drawn in Rust
//! (no Python, no system fonts: the font is bundled).
//!
//! | file | what |
//! |---|---|
//! | `energy.png` | `\|H(t) - H(0)\| / \|H(0)\|` against `t`, log scale, from `energy.csv` ([`energy`]) |
//! | `positions.png` | x-y and x-z projections of the particles coloured by charge ([`projection`]) |
//!
//! The particles are the run's last snapshot (`snapshot_<step>.npy`, or
//! `.hdf5` with the hdf5 feature), or the file given with `--state` (a
//! particle CSV such as `--final-state` writes, or a snapshot). The PNG
//! files are written into `DIR` (or `--out`), replacing earlier plots.

pub mod energy;
mod font;
pub mod projection;

use std::fmt;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;

use crate::cli::CliError;
use crate::cli::run::RunConfig;
use crate::cli::run::outputs::{ENERGY_LOG, SETTINGS};
use crate::io::{self, hdf5};

/// The energy plot's file name.
pub const ENERGY_PNG: &str = "energy.png";
/// The projection plot's file name.
pub const POSITIONS_PNG: &str = "positions.png";

/// Arguments of `covar plot`.
#[derive(Clone, Debug, Default, Args)]
pub struct PlotArgs {
    /// The output folder of a `covar run` (its energy.csv, run.toml and
    /// snapshots).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Particles to project instead of the run's last snapshot: a particle
    /// CSV (as --final-state writes) or a snapshot (.npy, .hdf5).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Folder for the PNG files [default: DIR].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// What `covar plot` wrote.
#[derive(Clone, Debug, Serialize)]
pub struct PlotReport {
    /// The energy plot.
    pub energy_png: String,
    /// Rows of the energy log.
    pub energy_rows: usize,
    /// The projection plot.
    pub positions_png: String,
    /// The particle file projected.
    pub state: String,
    /// Particles projected.
    pub particles: usize,
}

impl fmt::Display for PlotReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({} rows of the energy log)",
            self.energy_png, self.energy_rows
        )?;
        writeln!(
            f,
            "{} ({} particles of {})",
            self.positions_png, self.particles, self.state
        )
    }
}

/// A [`CliError::Plot`] for `path`, for `map_err` on a drawing error.
pub(crate) fn failed<E: fmt::Display>(path: &Path) -> impl FnOnce(E) -> CliError + '_ {
    move |e| CliError::Plot {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The run's last snapshot in `dir` (highest step), and its step.
///
/// # Errors
///
/// [`CliError::Plot`] if `dir` holds none.
pub fn last_snapshot(dir: &Path) -> Result<(PathBuf, u64), CliError> {
    let entries = std::fs::read_dir(dir).map_err(failed(dir))?;
    let mut best: Option<(PathBuf, u64)> = None;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let step = name
            .strip_prefix("snapshot_")
            .and_then(|s| s.strip_suffix(".npy").or_else(|| s.strip_suffix(".hdf5")))
            .and_then(|s| s.parse::<u64>().ok());
        if let Some(step) = step
            && best.as_ref().is_none_or(|(_, b)| step > *b)
        {
            best = Some((entry.path(), step));
        }
    }
    best.ok_or_else(|| CliError::Plot {
        path: dir.to_path_buf(),
        reason: "no snapshot_<step>.npy or .hdf5 here; give the particles with --state".into(),
    })
}

/// Runs `covar plot`: reads the energy log and the particles, draws both
/// plots.
///
/// # Errors
///
/// [`CliError::Plot`] naming the file (no energy log, a bad row, no
/// snapshot, an image that cannot be written); [`CliError::Particles`] for
/// a particle file that cannot be read.
///
/// # Examples
///
/// ```
/// use clap::Parser;
/// use covar::cli::{Cli, Command, run_plot, run_simulation};
///
/// let out = std::env::temp_dir().join(format!("covar-doc-plot-{}", std::process::id()));
/// let cli = Cli::parse_from([
///     "covar", "run", "--ic", "kepler", "--dt", "0.01", "--steps", "50",
///     "--out", out.to_str().unwrap(), "--overwrite",
/// ]);
/// let Command::Run(args) = &cli.command else { unreachable!() };
/// run_simulation(args, false)?;
/// let report = run_plot(&covar::cli::PlotArgs { dir: out.clone(), ..Default::default() })?;
/// assert_eq!(report.particles, 2);
/// assert!(out.join("energy.png").is_file() && out.join("positions.png").is_file());
/// # std::fs::remove_dir_all(&out).ok();
/// # Ok::<(), covar::cli::CliError>(())
/// ```
pub fn run_plot(args: &PlotArgs) -> Result<PlotReport, CliError> {
    font::register().map_err(|reason| CliError::Plot {
        path: PathBuf::from("<bundled font>"),
        reason,
    })?;
    let dir = &args.dir;
    let log_path = dir.join(ENERGY_LOG);
    if !log_path.is_file() {
        return Err(CliError::Plot {
            path: dir.clone(),
            reason: format!("no {ENERGY_LOG} here: not the output folder of `covar run`"),
        });
    }
    let text = std::fs::read_to_string(&log_path).map_err(failed(&log_path))?;
    let log = energy::parse_log(&text, &log_path)?;
    let config = std::fs::read_to_string(dir.join(SETTINGS))
        .ok()
        .and_then(|t| RunConfig::parse(&t, &dir.join(SETTINGS)).ok());

    let (state, step) = match &args.state {
        Some(p) => (p.clone(), None),
        None => {
            let (p, s) = last_snapshot(dir)?;
            (p, Some(s))
        }
    };
    let (particles, time) = if hdf5::is_hdf5_path(&state) {
        let s = hdf5::read(&state).map_err(io::ReadError::from)?;
        (s.particles, Some(s.time))
    } else {
        let dt = config.as_ref().and_then(|c| c.dt);
        (
            io::read_particles(&state)?,
            step.zip(dt).map(|(s, dt)| s as f64 * dt),
        )
    };

    let out = args.out.as_deref().unwrap_or(dir);
    std::fs::create_dir_all(out).map_err(failed(out))?;
    let energy_png = out.join(ENERGY_PNG);
    energy::draw(&log, &run_line(config.as_ref(), &log), &energy_png)?;
    let positions_png = out.join(POSITIONS_PNG);
    let mut subtitle = state.file_name().map_or_else(
        || state.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    if let Some(t) = time {
        subtitle.push_str(&format!(", t = {}", short(t)));
    }
    projection::draw(&particles, &subtitle, &positions_png)?;
    Ok(PlotReport {
        energy_png: energy_png.display().to_string(),
        energy_rows: log.t.len(),
        positions_png: positions_png.display().to_string(),
        state: state.display().to_string(),
        particles: particles.len(),
    })
}

/// `x` with at most 6 significant digits.
fn short(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// One line on the run: preset, integrator, step, size, and the largest
/// error.
fn run_line(config: Option<&RunConfig>, log: &energy::EnergyLog) -> String {
    let max = log.rel_h_error.iter().fold(0.0_f64, |m, e| m.max(e.abs()));
    let mut parts = Vec::new();
    if let Some(c) = config {
        if let Some(p) = c.preset {
            parts.push(p.name().to_string());
        }
        if let Some(i) = &c.integrator {
            parts.push(i.clone());
        }
        if let Some(dt) = c.dt {
            parts.push(format!("dt = {}", short(dt)));
        }
        if let (Some(ic), Some(n)) = (c.ic, c.n) {
            parts.push(format!("{} N = {n}", ic.name()));
        }
    }
    parts.push(format!("max error {max:.2e}"));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(10.0), "10");
        assert_eq!(short(0.005), "0.005");
        assert_eq!(short(1.0 / 3.0), "0.333333");
        assert_eq!(short(0.0), "0");
    }

    #[test]
    fn last_snapshot_is_the_highest_step() {
        let dir = std::env::temp_dir().join(format!("covar-plot-last-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "snapshot_0000.npy",
            "snapshot_2000.npy",
            "snapshot_0500.npy",
            "x.npy",
        ] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        let (p, s) = last_snapshot(&dir).unwrap();
        assert_eq!(
            (p.file_name().unwrap().to_str().unwrap(), s),
            ("snapshot_2000.npy", 2000)
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let e = last_snapshot(&dir).unwrap_err().to_string();
        assert!(e.contains(&dir.display().to_string()), "{e}");
    }
}
