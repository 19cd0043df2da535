//! The settings of a run, resolved: flags over the `--config` file over the
//! defaults, every value range-checked, with errors that name the flag (or
//! the file and key) and the allowed range.
//!
//! Two pairs of settings are alternatives: `steps` or `t-end`, and `from` or
//! the generator (`ic`, `n`, `seed`, `charges`). Giving both of a pair at the
//! same level (two flags, or two keys of the file) is an error; one given as
//! a flag replaces the other from the file.

use std::path::{Path, PathBuf};

use covar_integrate::Preset;
use covar_integrate::integrator::{NAMES, NON_SEPARABLE};
use covar_kernel::{Backend, Direct, Fast, LaplaceSum, Softening, SofteningKernel};

use super::args::{PresetName, RunArgs};
use super::config::RunConfig;
use super::outputs::SnapshotFormat;
use crate::cli::CliError;
use crate::cli::args::{
    MAX_LEAF_SIZE, MAX_N, MAX_ORDER, MAX_STEPS, MAX_THREADS, MIN_ORDER, Real, whole,
};
use crate::cli::fast::FastFlags;
use crate::cli::system::{DEFAULT_COUPLING, DEFAULT_TEMPERATURE, Ic, SystemSpec};

/// Default softening length: sane for gravity with thousands of particles
/// in Hénon units (mean spacing about 0.1 in the core of a 4096-body Plummer
/// sphere).
pub const DEFAULT_SOFTENING: f64 = 0.01;
/// The softening kernel of a preset when none is given: GADGET-2's cubic
/// spline for gravity (exactly Newtonian beyond 2.8 s, so the fast backend
/// expands every cell pair beyond that; the choice of GADGET, SWIFT and
/// pytreegrav), Plummer for the others, whose `G_ij` DESIGN.md section 2
/// defines with Plummer softening.
pub fn default_softening_kernel(preset: PresetName) -> SofteningKernel {
    match preset {
        PresetName::Gravity => SofteningKernel::Spline,
        _ => SofteningKernel::Plummer,
    }
}
/// Default time step.
pub const DEFAULT_DT: f64 = 0.005;
/// Default number of steps.
pub const DEFAULT_STEPS: u64 = 2000;
/// Default number of generated particles (except kepler: 2).
pub const DEFAULT_N: usize = 4096;
/// Default steps between energy-log rows.
pub const DEFAULT_ENERGY_EVERY: u64 = 10;
/// Default output folder.
pub const DEFAULT_OUT: &str = "covar-out";
/// Default Coulomb coupling of the coulomb and darwin presets.
pub const DEFAULT_K: f64 = 1.0;
/// Default magnetic coupling of the darwin preset.
pub const DEFAULT_MU: f64 = 0.1;

/// Where the particles come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Initial {
    /// A generator.
    Generate(SystemSpec),
    /// A particle CSV file.
    File(PathBuf),
}

/// Every setting of a run, resolved and checked.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The preset, with its couplings.
    pub preset: Preset,
    /// Softening kernel and length `s >= 0`.
    pub softening: Softening,
    /// The initial conditions.
    pub initial: Initial,
    /// Integrator name (one of [`NAMES`]).
    pub integrator: &'static str,
    /// Tao's binding constant, if given (tao2 and tao4 only).
    pub omega: Option<f64>,
    /// Time step.
    pub dt: f64,
    /// Number of steps.
    pub steps: u64,
    /// The end time asked for, when the steps came from `t-end`.
    pub t_end: Option<f64>,
    /// Steps between energy-log rows (`>= 1`).
    pub energy_every: u64,
    /// Steps between snapshots (0: only the first and last).
    pub snapshot_every: u64,
    /// File format of snapshots.
    pub snapshot_format: SnapshotFormat,
    /// Steps between checkpoints (0: only when interrupted).
    pub checkpoint_every: u64,
    /// Output folder.
    pub out: PathBuf,
    /// Where to write the final state as CSV, if anywhere.
    pub final_state: Option<PathBuf>,
    /// Whether earlier results may be replaced.
    pub overwrite: bool,
    /// Laplace-sum backend (the fast one with its parameters).
    pub backend: Backend,
    /// Worker threads.
    pub threads: usize,
    /// Whether warnings are errors.
    pub strict: bool,
}

/// A value and whether it came from the file (else from a flag).
#[derive(Clone, Copy, Debug)]
struct Val<T> {
    v: T,
    file: bool,
}

/// The flag's value, else the file's.
fn pick<T>(flag: Option<T>, file: Option<T>) -> Option<Val<T>> {
    match (flag, file) {
        (Some(v), _) => Some(Val { v, file: false }),
        (None, Some(v)) => Some(Val { v, file: true }),
        (None, None) => None,
    }
}

/// Builds errors naming the flag, or the file and key.
struct Ctx<'a> {
    path: Option<&'a Path>,
}

impl Ctx<'_> {
    fn err(&self, key: &'static str, file: bool, reason: String) -> CliError {
        match (file, self.path) {
            (true, Some(path)) => CliError::ConfigValue {
                path: path.to_path_buf(),
                key,
                reason,
            },
            _ => CliError::InvalidArgument { flag: key, reason },
        }
    }

    /// A real setting, range-checked.
    fn real(
        &self,
        key: &'static str,
        flag: Option<f64>,
        file: Option<f64>,
        range: Real,
    ) -> Result<Option<Val<f64>>, CliError> {
        pick(flag, file)
            .map(|x| {
                range
                    .check(x.v)
                    .map(|v| Val { v, file: x.file })
                    .map_err(|r| self.err(key, x.file, r))
            })
            .transpose()
    }

    /// A whole-number setting in `min..=max`.
    fn whole(
        &self,
        key: &'static str,
        flag: Option<i64>,
        file: Option<i64>,
        min: u64,
        max: u64,
    ) -> Result<Option<Val<u64>>, CliError> {
        pick(flag.map(i128::from), file.map(i128::from))
            .map(|x| {
                whole(x.v, min, max)
                    .map(|v| Val { v, file: x.file })
                    .map_err(|r| self.err(key, x.file, r))
            })
            .transpose()
    }
}

impl Settings {
    /// Resolves `args` over its `--config` file (if any) over the defaults.
    ///
    /// # Errors
    ///
    /// [`CliError::Config`] for a file that cannot be read or parsed,
    /// [`CliError::ConfigValue`] for a key out of range or out of place,
    /// [`CliError::InvalidArgument`] for flags that do not fit together.
    pub fn resolve(args: &RunArgs) -> Result<Self, CliError> {
        let config = match &args.config {
            Some(p) => RunConfig::load(p)?,
            None => RunConfig::default(),
        };
        Self::resolve_with(args, &config, args.config.as_deref())
    }

    /// Resolves `args` over the parsed configuration `config` (read from
    /// `path`, which labels its errors) over the defaults. Reads no file.
    ///
    /// # Errors
    ///
    /// As [`resolve`](Self::resolve), except for reading the file.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::path::Path;
    /// use covar::cli::RunArgs;
    /// use covar::cli::run::{RunConfig, Settings};
    ///
    /// let path = Path::new("run.toml");
    /// let config = RunConfig::parse("dt = -1\n", path)?;
    /// let e = Settings::resolve_with(&RunArgs::default(), &config, Some(path)).unwrap_err();
    /// assert_eq!(e.to_string(), "config file run.toml: key `dt`: must be finite and > 0, got -1");
    /// # Ok::<(), covar::cli::CliError>(())
    /// ```
    pub fn resolve_with(
        args: &RunArgs,
        config: &RunConfig,
        path: Option<&Path>,
    ) -> Result<Self, CliError> {
        let cx = Ctx { path };
        let a = &args.settings;
        let f = config;

        // Physics.
        let preset_name = pick(a.preset, f.preset).map_or(PresetName::Gravity, |x| x.v);
        let g = cx.real("g", a.g, f.g, Real::Positive)?;
        let k = cx.real("k", a.k, f.k, Real::Finite)?;
        let mu = cx.real("mu", a.mu, f.mu, Real::Positive)?;
        let eps = cx.real("eps", a.eps, f.eps, Real::Positive)?;
        let length = cx
            .real("softening", a.softening, f.softening, Real::NonNegative)?
            .map_or(DEFAULT_SOFTENING, |x| x.v);
        let kernel = match pick(a.softening_kernel.as_ref(), f.softening_kernel.as_ref()) {
            Some(x) => {
                x.v.parse()
                    .map_err(|e| cx.err("softening-kernel", x.file, e))?
            }
            None => default_softening_kernel(preset_name),
        };
        let softening = Softening::new(kernel, length);
        use PresetName::{Coulomb, Darwin, Gravity, Seed};
        for (key, val, presets) in [
            ("g", g, &[Gravity][..]),
            ("k", k, &[Coulomb, Darwin]),
            ("mu", mu, &[Darwin]),
            ("eps", eps, &[Seed]),
        ] {
            if let Some(x) = val
                && !presets.contains(&preset_name)
            {
                let names: Vec<_> = presets.iter().map(|p| p.name()).collect();
                return Err(cx.err(
                    key,
                    x.file,
                    format!(
                        "applies to the {} preset{} only, and this run's preset is {}",
                        names.join(" and "),
                        if names.len() > 1 { "s" } else { "" },
                        preset_name.name()
                    ),
                ));
            }
        }
        let value = |v: Option<Val<f64>>, default: f64| v.map_or(default, |x| x.v);
        let preset = match preset_name {
            Gravity => Preset::Gravity { g: value(g, 1.0) },
            Coulomb => Preset::Coulomb {
                k: value(k, DEFAULT_K),
            },
            Darwin => Preset::Darwin {
                k: value(k, DEFAULT_K),
                mu: value(mu, DEFAULT_MU),
            },
            Seed => Preset::Seed {
                eps: value(eps, 1.0),
            },
        };

        let initial = resolve_initial(&cx, a, f, preset_name)?;

        // Integration.
        let integrator = match pick(a.integrator.clone(), f.integrator.clone()) {
            Some(x) => NAMES.iter().copied().find(|n| *n == x.v).ok_or_else(|| {
                cx.err(
                    "integrator",
                    x.file,
                    format!(
                        "unknown integrator `{}` (expected one of: {})",
                        x.v,
                        NAMES.join(", ")
                    ),
                )
            })?,
            None if preset.couplings(softening).is_separable() => "leapfrog",
            None => "implicit-midpoint",
        };
        let omega = cx.real("omega", a.omega, f.omega, Real::NonNegative)?;
        if let Some(x) = omega
            && !integrator.starts_with("tao")
        {
            return Err(cx.err(
                "omega",
                x.file,
                format!("applies to the tao2 and tao4 integrators only, not {integrator}"),
            ));
        }
        let dt = cx
            .real("dt", a.dt, f.dt, Real::Positive)?
            .map_or(DEFAULT_DT, |x| x.v);
        let (steps, t_end) = resolve_duration(&cx, a, f, dt)?;
        let energy_every = cx
            .whole("energy-every", a.energy_every, f.energy_every, 1, MAX_STEPS)?
            .map_or(DEFAULT_ENERGY_EVERY, |x| x.v);
        let snapshot_every = cx
            .whole(
                "snapshot-every",
                a.snapshot_every,
                f.snapshot_every,
                0,
                MAX_STEPS,
            )?
            .map_or(0, |x| x.v);
        let checkpoint_every = cx
            .whole(
                "checkpoint-every",
                a.checkpoint_every,
                f.checkpoint_every,
                0,
                MAX_STEPS,
            )?
            .map_or(0, |x| x.v);

        // Output and execution.
        let snapshot_format = match pick(a.snapshot_format, f.snapshot_format) {
            Some(x) if x.v == SnapshotFormat::Hdf5 && !crate::io::hdf5::available() => {
                return Err(cx.err("snapshot-format", x.file, crate::io::hdf5::NOT_BUILT.into()));
            }
            x => x.map_or(SnapshotFormat::Npy, |x| x.v),
        };
        let out = pick(a.out.clone(), f.out.clone()).map_or(DEFAULT_OUT.into(), |x| x.v);
        let final_state = pick(a.final_state.clone(), f.final_state.clone()).map(|x| x.v);
        let backend = match pick(a.backend.as_ref(), f.backend.as_ref()) {
            Some(x) => x.v.parse().map_err(|e| cx.err("backend", x.file, e))?,
            None => Backend::Direct(Direct::new()),
        };
        // The integrators sum one channel for separable couplings, four
        // (charge and vector potential) otherwise.
        let nd = if preset.couplings(softening).is_separable() {
            1
        } else {
            4
        };
        let backend = resolve_fast(&cx, a, f, backend, nd)?;
        let threads = cx
            .whole("threads", a.threads, f.threads, 1, MAX_THREADS)?
            .map_or_else(
                || {
                    std::thread::available_parallelism()
                        .map(usize::from)
                        .unwrap_or(1)
                },
                |x| x.v as usize,
            );
        Ok(Self {
            preset,
            softening,
            initial,
            integrator,
            omega: omega.map(|x| x.v),
            dt,
            steps,
            t_end,
            energy_every,
            snapshot_every,
            snapshot_format,
            checkpoint_every,
            out,
            final_state,
            overwrite: args.overwrite,
            backend,
            threads,
            strict: pick(a.strict, f.strict).is_some_and(|x| x.v),
        })
    }

    /// Whether the integrator handles `mu != 0`.
    pub fn integrator_is_non_separable(&self) -> bool {
        NON_SEPARABLE.split(", ").any(|n| n == self.integrator)
    }

    /// The settings as a configuration file (paths made absolute), so that
    /// `covar run --config DIR/run.toml` repeats the run.
    pub fn to_config(&self) -> RunConfig {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut c = RunConfig::default();
        match self.preset {
            Preset::Gravity { g } => {
                c.preset = Some(PresetName::Gravity);
                c.g = Some(g);
            }
            Preset::Coulomb { k } => {
                c.preset = Some(PresetName::Coulomb);
                c.k = Some(k);
            }
            Preset::Darwin { k, mu } => {
                c.preset = Some(PresetName::Darwin);
                c.k = Some(k);
                c.mu = Some(mu);
            }
            Preset::Seed { eps } => {
                c.preset = Some(PresetName::Seed);
                c.eps = Some(eps);
            }
        }
        c.softening = Some(self.softening.length);
        c.softening_kernel = Some(self.softening.kernel.name().into());
        match &self.initial {
            Initial::Generate(spec) => {
                c.ic = Some(spec.ic);
                c.n = Some(spec.n as i64);
                c.seed = Some(spec.seed as i64);
                if !matches!(self.preset, Preset::Gravity { .. }) {
                    c.charges = Some(spec.charges);
                }
                if spec.ic == Ic::Clusters {
                    c.coupling = Some(spec.coupling);
                    c.temperature = Some(spec.temperature);
                }
            }
            Initial::File(p) => c.from = Some(abs(p)),
        }
        c.integrator = Some(self.integrator.to_string());
        c.omega = self.omega;
        c.dt = Some(self.dt);
        c.steps = Some(self.steps as i64);
        c.energy_every = Some(self.energy_every as i64);
        c.snapshot_every = Some(self.snapshot_every as i64);
        c.snapshot_format = Some(self.snapshot_format);
        c.checkpoint_every = Some(self.checkpoint_every as i64);
        c.out = Some(abs(&self.out));
        c.final_state = self.final_state.as_deref().map(abs);
        c.backend = Some(self.backend.name().to_string());
        if let Backend::Fast(fast) = &self.backend {
            let p = fast.params();
            c.tol = Some(p.tolerance);
            c.theta = Some(p.theta);
            c.leaf_size = Some(p.leaf_size as i64);
            c.order = p.order.map(|o| o as i64);
            c.m2l_term_order = p.m2l_term_order.map(|q| q as i64);
        }
        c.threads = Some(self.threads as i64);
        c.strict = Some(self.strict);
        c
    }
}

/// The fast backend's parameters (`tol`, `theta`, `leaf-size`, `order`,
/// `m2l-term-order`, `calibrate`) applied to `backend` for sums of `nd`
/// channels: range-checked, over [`FastParams::default()`] and this
/// machine's calibration ([`FastFlags::calibrated`]), and an error naming
/// the first one given when the backend is not fast.
fn resolve_fast(
    cx: &Ctx<'_>,
    a: &RunConfig,
    f: &RunConfig,
    backend: Backend,
    nd: usize,
) -> Result<Backend, CliError> {
    let tol = cx.real("tol", a.tol, f.tol, Real::OpenUnit)?;
    let theta = cx.real("theta", a.theta, f.theta, Real::OpenUnit)?;
    let leaf_size = cx.whole("leaf-size", a.leaf_size, f.leaf_size, 1, MAX_LEAF_SIZE)?;
    let order = cx.whole("order", a.order, f.order, MIN_ORDER, MAX_ORDER)?;
    let m2l_term_order = cx.whole(
        "m2l-term-order",
        a.m2l_term_order,
        f.m2l_term_order,
        MIN_ORDER,
        MAX_ORDER,
    )?;
    let calibrate = pick(a.calibrate, f.calibrate);
    if !matches!(backend, Backend::Fast(_)) {
        let given = [
            ("tol", tol.map(|x| x.file)),
            ("theta", theta.map(|x| x.file)),
            ("leaf-size", leaf_size.map(|x| x.file)),
            ("order", order.map(|x| x.file)),
            ("m2l-term-order", m2l_term_order.map(|x| x.file)),
            ("calibrate", calibrate.map(|x| x.file)),
        ];
        if let Some((key, Some(file))) = given.into_iter().find(|(_, g)| g.is_some()) {
            return Err(cx.err(
                key,
                file,
                format!(
                    "applies to the fast backend only, and this run's backend is {} \
                     (set the backend to fast)",
                    backend.name()
                ),
            ));
        }
        return Ok(backend);
    }
    // The flags and the file's keys, checked above, fill the gaps the
    // way `covar fields` fills its flags'.
    let (params, _) = FastFlags {
        tol: tol.map(|x| x.v),
        theta: theta.map(|x| x.v),
        leaf_size: leaf_size.map(|x| x.v as usize),
        order: order.map(|x| x.v as usize),
        m2l_term_order: m2l_term_order.map(|x| x.v as usize),
        calibrate: calibrate.map(|x| x.v),
    }
    .calibrated(nd);
    params.validate().map_err(|e| {
        cx.err(
            "tol",
            false,
            format!("the fast backend refuses its parameters: {e}"),
        )
    })?;
    Ok(Backend::Fast(Box::new(Fast::new(params))))
}

/// The initial conditions: `from`, or the generator keys.
fn resolve_initial(
    cx: &Ctx<'_>,
    a: &RunConfig,
    f: &RunConfig,
    preset: PresetName,
) -> Result<Initial, CliError> {
    let gen_flags: Vec<&str> = [
        ("--ic", a.ic.is_some()),
        ("--n", a.n.is_some()),
        ("--seed", a.seed.is_some()),
        ("--charges", a.charges.is_some()),
        ("--coupling", a.coupling.is_some()),
        ("--temperature", a.temperature.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, given)| given.then_some(k))
    .collect();
    let gen_keys: Vec<&str> = [
        ("ic", f.ic.is_some()),
        ("n", f.n.is_some()),
        ("seed", f.seed.is_some()),
        ("charges", f.charges.is_some()),
        ("coupling", f.coupling.is_some()),
        ("temperature", f.temperature.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, given)| given.then_some(k))
    .collect();
    if a.from.is_some() && !gen_flags.is_empty() {
        return Err(cx.err(
            "from",
            false,
            format!(
                "reads the particles from a file and cannot be combined with {}, which generate them",
                gen_flags.join(", ")
            ),
        ));
    }
    if let Some(from) = &a.from {
        return Ok(Initial::File(from.clone()));
    }
    if gen_flags.is_empty()
        && let Some(from) = &f.from
    {
        if !gen_keys.is_empty() {
            return Err(cx.err(
                "from",
                true,
                format!(
                    "reads the particles from a file and cannot be combined with the keys {}, \
                     which generate them",
                    gen_keys.join(", ")
                ),
            ));
        }
        return Ok(Initial::File(from.clone()));
    }
    let ic = pick(a.ic, f.ic);
    if let Some(x) = ic
        && x.v == Ic::Clusters
        && !matches!(preset, PresetName::Seed | PresetName::Darwin)
    {
        return Err(cx.err(
            "ic",
            x.file,
            format!(
                "clusters are spread to a coupling kappa = max_i |mu| sum_j |q_i q_j| G_ij / m_i, \
                 which needs mu != 0: the seed or darwin preset, not {}",
                preset.name()
            ),
        ));
    }
    let ic = ic.map_or(
        if preset == PresetName::Seed {
            Ic::Clusters
        } else {
            Ic::Plummer
        },
        |x| x.v,
    );
    let coupling = cx.real("coupling", a.coupling, f.coupling, Real::Positive)?;
    let temperature = cx.real(
        "temperature",
        a.temperature,
        f.temperature,
        Real::NonNegative,
    )?;
    for (key, val) in [("coupling", coupling), ("temperature", temperature)] {
        if let Some(x) = val
            && ic != Ic::Clusters
        {
            return Err(cx.err(key, x.file, "applies to --ic clusters only".into()));
        }
    }
    let n = match cx.whole("n", a.n, f.n, 1, MAX_N)? {
        Some(x) if ic == Ic::Kepler && x.v != 2 => {
            return Err(cx.err(
                "n",
                x.file,
                format!("the kepler system has exactly 2 particles, not {}", x.v),
            ));
        }
        Some(x) => x.v as usize,
        None if ic == Ic::Kepler => 2,
        None => DEFAULT_N,
    };
    let seed = cx
        .whole("seed", a.seed, f.seed, 0, i64::MAX as u64)?
        .map_or(1, |x| x.v);
    let charges = match pick(a.charges, f.charges) {
        Some(x) if preset == PresetName::Gravity => {
            return Err(cx.err(
                "charges",
                x.file,
                "the gravity preset sets every charge to its mass; charges apply to the \
                 coulomb, darwin and seed presets"
                    .into(),
            ));
        }
        Some(x) => x.v,
        None => ic.default_charges(),
    };
    Ok(Initial::Generate(SystemSpec {
        ic,
        n,
        seed,
        charges,
        coupling: coupling.map_or(DEFAULT_COUPLING, |x| x.v),
        temperature: temperature.map_or(DEFAULT_TEMPERATURE, |x| x.v),
    }))
}

/// The number of steps, and the end time when it came from `t-end`.
fn resolve_duration(
    cx: &Ctx<'_>,
    a: &RunConfig,
    f: &RunConfig,
    dt: f64,
) -> Result<(u64, Option<f64>), CliError> {
    let both = "give the number of steps or the end time, not both";
    if a.steps.is_some() && a.t_end.is_some() {
        return Err(cx.err("t-end", false, format!("{both} (--steps is given too)")));
    }
    let from_flags = a.steps.is_some() || a.t_end.is_some();
    if !from_flags && f.steps.is_some() && f.t_end.is_some() {
        return Err(cx.err(
            "t-end",
            true,
            format!("{both} (the key steps is given too)"),
        ));
    }
    let (steps_flag, t_end_flag) = (a.steps, a.t_end);
    let (steps_file, t_end_file) = if from_flags {
        (None, None)
    } else {
        (f.steps, f.t_end)
    };
    if let Some(x) = cx.whole("steps", steps_flag, steps_file, 1, MAX_STEPS)? {
        return Ok((x.v, None));
    }
    if let Some(x) = cx.real("t-end", t_end_flag, t_end_file, Real::Positive)? {
        let steps = steps_to(x.v, dt).ok_or_else(|| {
            cx.err(
                "t-end",
                x.file,
                format!("t-end / dt = {} / {dt} is more than {MAX_STEPS} steps", x.v),
            )
        })?;
        return Ok((steps, Some(x.v)));
    }
    Ok((DEFAULT_STEPS, None))
}

/// Steps of `dt` to reach `t_end`: `t_end / dt` rounded up, except that a
/// quotient within `1e-9` relative of a whole number is that number (so
/// `t_end = 1`, `dt = 0.1` is 10 steps, not 11). `None` beyond
/// [`MAX_STEPS`].
fn steps_to(t_end: f64, dt: f64) -> Option<u64> {
    let r = t_end / dt;
    if !(r.is_finite() && r <= MAX_STEPS as f64) {
        return None;
    }
    let near = r.round();
    let steps = if (r - near).abs() <= 1e-9 * near.max(1.0) {
        near
    } else {
        r.ceil()
    };
    Some((steps as u64).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::system::Charges;

    #[test]
    fn end_time_rounds_up_but_not_for_round_off() {
        assert_eq!(steps_to(1.0, 0.1), Some(10));
        assert_eq!(steps_to(1.05, 0.1), Some(11));
        assert_eq!(steps_to(10.0, 0.005), Some(2000));
        assert_eq!(steps_to(1e-9, 1.0), Some(1));
        assert_eq!(steps_to(1e300, 1e-300), None);
    }

    #[test]
    fn defaults_make_the_main_run() {
        let s = Settings::resolve(&RunArgs::default()).unwrap();
        assert_eq!(s.preset, Preset::Gravity { g: 1.0 });
        assert_eq!(s.integrator, "leapfrog");
        assert_eq!(
            s.initial,
            Initial::Generate(SystemSpec {
                ic: Ic::Plummer,
                n: DEFAULT_N,
                seed: 1,
                charges: Charges::Mass,
                coupling: DEFAULT_COUPLING,
                temperature: DEFAULT_TEMPERATURE,
            })
        );
        assert_eq!(
            (s.dt, s.steps, s.softening),
            (
                DEFAULT_DT,
                DEFAULT_STEPS,
                Softening::new(SofteningKernel::Spline, DEFAULT_SOFTENING)
            )
        );
        assert_eq!(s.out, PathBuf::from(DEFAULT_OUT));
    }

    #[test]
    fn non_separable_presets_default_to_implicit_midpoint() {
        let args = RunArgs {
            settings: RunConfig {
                preset: Some(PresetName::Seed),
                ..RunConfig::default()
            },
            ..RunArgs::default()
        };
        let s = Settings::resolve(&args).unwrap();
        assert_eq!(s.integrator, "implicit-midpoint");
        assert!(s.integrator_is_non_separable());
    }

    #[test]
    fn couplings_of_another_preset_are_errors() {
        let args = RunArgs {
            settings: RunConfig {
                mu: Some(0.3),
                ..RunConfig::default()
            },
            ..RunArgs::default()
        };
        let e = Settings::resolve(&args).unwrap_err().to_string();
        assert!(
            e.contains("`--mu`") && e.contains("darwin preset only"),
            "{e}"
        );
    }
}
