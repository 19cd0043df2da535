//! From settings to a ready system: the checks that need no particles,
//! the particles themselves, the integrator, and the checks that need them
//! (Gershgorin's condition and the exact check of the kinetic form).

use covar_integrate::integrator::{NON_SEPARABLE, by_name};
use covar_integrate::spectrum::{Form, Smallest, smallest_eigenvalue};
use covar_integrate::{
    GershgorinReport, IntegrateError, Integrator, Preset, System, Tao, gershgorin,
    spread_to_coupling,
};

use std::path::Path;

use super::settings::{Initial, Settings};
use crate::cli::fast::softening_warning;
use crate::cli::system::Ic;
use crate::cli::{CliError, memory};
use crate::io::checkpoint::{Checkpoint, CheckpointError};

/// Bytes per particle, roughly, of the largest integrator's buffers
/// (`gauss6`: a dozen phase-space copies), the store, its initial copy and
/// the four-channel sums of the integrator and the diagnostics.
const BYTES_PER_PARTICLE: u64 = 1024;

/// The checks that need only the settings: a separable-only integrator
/// with `mu != 0` is refused with the integrator's own error.
///
/// # Errors
///
/// [`IntegrateError::NotSeparable`], naming the alternatives.
pub fn check_integrator(settings: &Settings) -> Result<(), CliError> {
    let couplings = settings.preset.couplings(settings.softening);
    if !couplings.is_separable() && !settings.integrator_is_non_separable() {
        return Err(IntegrateError::NotSeparable {
            integrator: settings.integrator,
            mu: couplings.mu,
            alternatives: NON_SEPARABLE,
        }
        .into());
    }
    Ok(())
}

/// The system, ready to run, and where its particles came from.
pub struct Ready {
    /// The system at `t = 0`.
    pub system: System,
    /// The integrator.
    pub integrator: Box<dyn Integrator + Send>,
    /// The initial conditions in words.
    pub source: String,
    /// Gershgorin's check (`None` for `mu = 0`).
    pub gershgorin: Option<GershgorinReport>,
    /// The exact check of the kinetic form (`None` for `mu = 0`).
    pub exact: Option<Smallest>,
}

/// Builds the particles and the integrator, and checks Gershgorin's
/// condition when `mu != 0`. Warnings go to `warn` (one line each).
///
/// # Errors
///
/// Store, CSV and kernel errors naming the particle and field; under
/// `strict`, [`CliError::KineticForm`].
pub fn prepare(settings: &Settings, warn: &mut dyn FnMut(String)) -> Result<Ready, CliError> {
    let (store, mut source) = match &settings.initial {
        Initial::Generate(spec) => {
            memory::check(spec.n, BYTES_PER_PARTICLE, "", memory::available())?;
            (spec.build()?, describe_initial(settings))
        }
        Initial::File(path) => {
            let store = crate::io::read_particles(path)?;
            memory::check(store.len(), BYTES_PER_PARTICLE, "", memory::available())?;
            if settings.preset.charges_are_masses() {
                let differ = store
                    .charges()
                    .iter()
                    .zip(store.masses())
                    .filter(|(q, m)| q != m)
                    .count();
                if differ > 0 {
                    warn(format!(
                        "the gravity preset sets every charge to its mass: the q column of {} \
                         differs from m at {differ} of {} particles and is ignored",
                        path.display(),
                        store.len()
                    ));
                }
            }
            (store, describe_initial(settings))
        }
    };
    let mut system = System::from_preset(store, settings.preset, settings.softening)?
        .with_backend(settings.backend.clone());
    if let Initial::Generate(spec) = &settings.initial
        && spec.ic == Ic::Clusters
    {
        // Spread the unit ball until the largest coupling is the one asked for.
        let spread = spread_to_coupling(&mut system, spec.coupling)?;
        source = format!(
            "{source}, ball of radius {:.6e}, kappa {:.6} ({} sums)",
            spread.factor * spec.n as f64,
            spread.kappa,
            spread.sums
        );
    }
    let p = &system.particles;
    if let Some(w) = softening_warning(&settings.backend, settings.softening, [p.x(), p.y(), p.z()])
    {
        warn(w);
    }
    let integrator = integrator(settings)?;
    let (gershgorin, exact) = check_kinetic_form(&system, settings, settings.strict, warn)?;
    Ok(Ready {
        system,
        integrator,
        source,
        gershgorin,
        exact,
    })
}

/// The system and integrator of an interrupted run, from its checkpoint
/// and the settings resolved from the checkpoint's own: the particles,
/// time and integrator state are the checkpoint's, bit for bit.
/// Gershgorin's check runs again on the restored state (a warning only:
/// the run was allowed to start).
///
/// # Errors
///
/// [`CheckpointError::Inconsistent`] (as [`CliError::Checkpoint`] for
/// `path`) when the checkpoint disagrees with its own settings or its
/// integrator refuses its saved state.
pub fn restore(
    settings: &Settings,
    checkpoint: Checkpoint,
    path: &Path,
    warn: &mut dyn FnMut(String),
) -> Result<Ready, CliError> {
    let inconsistent = |what: String| CliError::Checkpoint {
        path: path.to_path_buf(),
        source: CheckpointError::Inconsistent { what },
    };
    let couplings = settings.preset.couplings(settings.softening);
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
    let c = checkpoint.couplings;
    if !(same(c.k, couplings.k)
        && same(c.mu, couplings.mu)
        && same(c.softening.length, couplings.softening.length)
        && c.softening.kernel == couplings.softening.kernel)
    {
        return Err(inconsistent(format!(
            "its couplings (k = {}, mu = {}, softening = {}) are not those of its settings \
             (k = {}, mu = {}, softening = {})",
            c.k, c.mu, c.softening, couplings.k, couplings.mu, couplings.softening
        )));
    }
    if checkpoint.integrator != settings.integrator {
        return Err(inconsistent(format!(
            "its integrator is {}, its settings name {}",
            checkpoint.integrator, settings.integrator
        )));
    }
    let mut system =
        System::from_preset(checkpoint.particles, settings.preset, settings.softening)?
            .with_backend(settings.backend.clone());
    system.time = checkpoint.time;
    let mut integrator = integrator(settings)?;
    integrator
        .restore_state(&system, &checkpoint.integrator_state)
        .map_err(|e| inconsistent(e.to_string()))?;
    let (gershgorin, exact) = check_kinetic_form(&system, settings, false, warn)?;
    Ok(Ready {
        system,
        integrator,
        source: describe_initial(settings),
        gershgorin,
        exact,
    })
}

/// The initial conditions of `settings` in words, as the summary gives
/// them.
fn describe_initial(settings: &Settings) -> String {
    match &settings.initial {
        Initial::Generate(spec) => format!("{} (seed {})", spec.ic.name(), spec.seed),
        Initial::File(path) => format!("file {}", path.display()),
    }
}

/// The integrator of `settings`, with its binding constant for Tao's.
fn integrator(settings: &Settings) -> Result<Box<dyn Integrator + Send>, CliError> {
    Ok(match (settings.integrator, settings.omega) {
        ("tao2", Some(omega)) => Box::new(Tao::tao2().with_omega(omega)),
        ("tao4", Some(omega)) => Box::new(Tao::tao4().with_omega(omega)),
        (name, _) => by_name(name).map_err(|reason| CliError::InvalidArgument {
            flag: "integrator",
            reason,
        })?,
    })
}

/// Lanczos products of the exact check, at most.
const LANCZOS_SUMS: usize = 30;
/// Residual at which the exact check stops early.
const LANCZOS_TOL: f64 = 1e-6;

/// The kinetic form's checks for `mu != 0`: Gershgorin's sufficient
/// condition (one sum), and the exact check, the smallest eigenvalue of
/// `M^-1/2 (M - mu K_off) M^-1/2` by Lanczos (at most 30 sums). A form
/// the exact check proves indefinite is a warning, or with `strict` an
/// error; a failing Gershgorin condition alone is a warning.
fn check_kinetic_form(
    system: &System,
    settings: &Settings,
    strict: bool,
    warn: &mut dyn FnMut(String),
) -> Result<(Option<GershgorinReport>, Option<Smallest>), CliError> {
    let gershgorin = gershgorin(system)?;
    if gershgorin.is_none() {
        return Ok((None, None));
    }
    let exact = smallest_eigenvalue(system, Form::Kinetic, LANCZOS_SUMS, LANCZOS_TOL)?;
    let eigen = format!(
        "the smallest eigenvalue of M^-1/2 (M - mu K_off) M^-1/2 is at most {:.6} (Lanczos, \
         residual {:.1e} after {} sums)",
        exact.theta, exact.residual, exact.sums
    );
    if exact.indefinite() {
        let summary = format!("{eigen}, so it is not positive definite");
        if strict {
            return Err(CliError::KineticForm { summary });
        }
        warn(format!(
            "the kinetic form is not positive definite: {summary}; the dynamics are ill-posed \
             (raise --softening or lower mu; --strict makes this an error)"
        ));
    } else if let Some(report) = gershgorin.filter(|r| !r.holds()) {
        let summary = describe(&report, system.len(), settings.preset);
        warn(format!(
            "the kinetic form may not be positive definite: {summary}; the exact check finds \
             no negative eigenvalue ({eigen}), but one it has not resolved may remain"
        ));
    }
    Ok((gershgorin, Some(exact)))
}

/// Where Gershgorin's condition fails, in words.
fn describe(r: &GershgorinReport, n: usize, preset: Preset) -> String {
    let mu = preset.couplings(0.0).mu;
    format!(
        "Gershgorin's condition m_i > |mu| sum_(j!=i) |q_i q_j| G_ij (mu = {mu}) fails at {} of \
         {n} particles; worst is particle {} with margin m_i / (|mu| |q_i| sum_j |q_j| G_ij) = \
         {:.4} (needs > 1)",
        r.violations, r.worst_particle, r.worst_margin
    )
}
