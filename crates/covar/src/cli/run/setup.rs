//! From settings to a ready system: the checks that need no particles,
//! the particles themselves, the integrator, and the checks that need them
//! (Gershgorin's condition on the kinetic form).

use covar_integrate::integrator::{NON_SEPARABLE, by_name};
use covar_integrate::{
    GershgorinReport, IntegrateError, Integrator, Preset, System, Tao, gershgorin,
};

use super::settings::{Initial, Settings};
use crate::cli::{CliError, memory};
use crate::io::csv;

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
}

/// Builds the particles and the integrator, and checks Gershgorin's
/// condition when `mu != 0`. Warnings go to `warn` (one line each).
///
/// # Errors
///
/// Store, CSV and kernel errors naming the particle and field; under
/// `strict`, [`CliError::Gershgorin`].
pub fn prepare(settings: &Settings, warn: &mut dyn FnMut(String)) -> Result<Ready, CliError> {
    let (store, source) = match &settings.initial {
        Initial::Generate(spec) => {
            memory::check(spec.n, BYTES_PER_PARTICLE, "", memory::available())?;
            let source = format!("{} (seed {})", spec.ic.name(), spec.seed);
            (spec.build()?, source)
        }
        Initial::File(path) => {
            let store = csv::read(path)?;
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
            (store, format!("file {}", path.display()))
        }
    };
    let system = System::from_preset(store, settings.preset, settings.softening)?
        .with_backend(settings.backend.clone());
    let integrator: Box<dyn Integrator + Send> = match (settings.integrator, settings.omega) {
        ("tao2", Some(omega)) => Box::new(Tao::tao2().with_omega(omega)),
        ("tao4", Some(omega)) => Box::new(Tao::tao4().with_omega(omega)),
        (name, _) => by_name(name).map_err(|reason| CliError::InvalidArgument {
            flag: "integrator",
            reason,
        })?,
    };
    let gershgorin = gershgorin(&system)?;
    if let Some(report) = gershgorin.filter(|r| !r.holds()) {
        let summary = describe(&report, system.len(), settings.preset);
        if settings.strict {
            return Err(CliError::Gershgorin { summary });
        }
        warn(format!(
            "the kinetic form may not be positive definite: {summary}; the dynamics may be \
             ill-posed (raise --softening or lower mu; --strict makes this an error)"
        ));
    }
    Ok(Ready {
        system,
        integrator,
        source,
        gershgorin,
    })
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
