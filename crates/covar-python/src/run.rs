//! `covar.Simulation`: a `covar run` stepped from Python.
//!
//! The keywords are `covar run`'s settings, named as its TOML keys with
//! `_` for `-` (`t_end`, `softening_kernel`; `from_` for `from`). They are
//! turned into the same configuration a `--config` file gives and resolved
//! by the same code, so names, defaults and range checks are the command
//! line's; the run is a [`Session`], the value `covar run` steps to its
//! end, so the files it writes (energy log, snapshots, checkpoints,
//! summary) are the command line's, bit for bit.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use covar::cli::CliError;
use covar::cli::RunArgs;
use covar::cli::run::{RunConfig, Session, Settings, Stop, config_keys};
use numpy::{PyArray1, PyArray2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use crate::value_error;

pyo3::create_exception!(
    _covar,
    RunError,
    pyo3::exceptions::PyRuntimeError,
    "A run that failed while stepping or writing its files (the message \
     names the step, particle or file)."
);

/// A settings or data error as a `ValueError`, a run error as a `RunError`.
pub(crate) fn run_error(e: CliError) -> PyErr {
    match e {
        CliError::ConfigValue { key, reason, .. } => {
            value_error(format!("{}: {reason}", key.replace('-', "_")))
        }
        CliError::InvalidArgument { flag, reason } => value_error(format!(
            "{}: {reason}",
            flag.trim_start_matches('-').replace('-', "_")
        )),
        CliError::Config { .. }
        | CliError::OutputExists { .. }
        | CliError::Infer(_)
        | CliError::Csv(_)
        | CliError::Particles(_)
        | CliError::Store(_) => value_error(e.to_string()),
        other => RunError::new_err(other.to_string()),
    }
}

/// One keyword as a TOML value.
fn toml_value(key: &str, v: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        let i: i64 = v
            .extract()
            .map_err(|_| value_error(format!("{key}: {v} does not fit a 64-bit integer")))?;
        return Ok(toml::Value::Integer(i));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    // os.PathLike (pathlib.Path) and numpy scalars.
    if let Ok(p) = v.extract::<PathBuf>() {
        return Ok(toml::Value::String(p.display().to_string()));
    }
    if let Ok(x) = v.call_method0("item") {
        return toml_value(key, &x);
    }
    Err(PyTypeError::new_err(format!(
        "{key}: expected a number, a string, a bool or a path, not {}",
        v.get_type().name()?
    )))
}

/// The keywords as a run configuration, with the keys `covar run --config`
/// reads, and `overwrite` (a flag of the command line, not a key).
fn config(settings: Option<&Bound<'_, PyDict>>) -> PyResult<(RunConfig, bool)> {
    let mut table = toml::Table::new();
    let mut overwrite = false;
    if let Some(d) = settings {
        for (k, v) in d.iter() {
            let name: String = k.extract()?;
            if v.is_none() {
                continue;
            }
            if name == "overwrite" {
                overwrite = v.extract().map_err(|_| {
                    PyTypeError::new_err(format!("overwrite: expected a bool, not {v}"))
                })?;
                continue;
            }
            let key = match name.as_str() {
                "from_" => "from".to_string(),
                other => other.replace('_', "-"),
            };
            if !config_keys().contains(&key.as_str()) {
                let known: Vec<String> =
                    config_keys().iter().map(|k| k.replace('-', "_")).collect();
                return Err(PyTypeError::new_err(format!(
                    "Simulation() got an unexpected keyword {name:?} (the settings are: {}, overwrite)",
                    known.join(", ")
                )));
            }
            table.insert(key, toml_value(&name, &v)?);
        }
    }
    let text = toml::to_string(&table).map_err(|e| value_error(e.to_string()))?;
    let config = RunConfig::parse(&text, Path::new("Simulation keywords")).map_err(run_error)?;
    Ok((config, overwrite))
}

/// Positions and momenta `(n, 3)`, masses, charges and ids `(n,)`.
type State<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<u64>>,
);

/// A `covar run` between two steps (`None` once finished). The lock makes
/// it usable from any Python thread, one call at a time.
#[pyclass(module = "covar._covar", name = "Session")]
pub(crate) struct PySession(Mutex<Option<Session>>);

/// The session behind the lock.
struct Guard<'a>(MutexGuard<'a, Option<Session>>);

impl Guard<'_> {
    fn get(&mut self) -> PyResult<&mut Session> {
        self.0
            .as_mut()
            .ok_or_else(|| RunError::new_err("the run is finished"))
    }
}

impl PySession {
    fn lock(&self) -> Guard<'_> {
        Guard(self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn of(session: Session) -> Self {
        Self(Mutex::new(Some(session)))
    }
}

#[pymethods]
impl PySession {
    /// Sets up a run from `covar run`'s settings (see the module docs).
    #[new]
    #[pyo3(signature = (settings=None, progress=false))]
    fn new(py: Python<'_>, settings: Option<&Bound<'_, PyDict>>, progress: bool) -> PyResult<Self> {
        let (config, overwrite) = config(settings)?;
        let label = Path::new("Simulation keywords");
        let flags = RunArgs {
            overwrite,
            ..RunArgs::default()
        };
        let resolved = Settings::resolve_with(&flags, &config, Some(label)).map_err(run_error)?;
        let session = py
            .detach(|| Session::with_settings(resolved, progress, &Stop::new()))
            .map_err(run_error)?;
        Ok(Self::of(session))
    }

    /// Continues the run in `dir` from its checkpoint, as
    /// `covar run --resume DIR`.
    #[staticmethod]
    #[pyo3(signature = (dir, threads=None, progress=false))]
    fn resume(
        py: Python<'_>,
        dir: PathBuf,
        threads: Option<usize>,
        progress: bool,
    ) -> PyResult<Self> {
        let args = RunArgs {
            resume: Some(dir.clone()),
            settings: RunConfig {
                threads: threads.map(|t| t as i64),
                ..RunConfig::default()
            },
            ..RunArgs::default()
        };
        let session = py
            .detach(|| Session::resume(&dir, &args, progress, &Stop::new()))
            .map_err(run_error)?;
        Ok(Self::of(session))
    }

    /// Takes up to `steps` steps, releasing the GIL for each; stops early
    /// (at a step boundary, the state consistent) when a signal handler
    /// raises, e.g. on Ctrl-C. Returns the steps taken.
    fn advance(&self, py: Python<'_>, steps: u64) -> PyResult<u64> {
        let mut guard = self.lock();
        let session = guard.get()?;
        for k in 0..steps {
            if session.is_done() {
                return Ok(k);
            }
            py.detach(|| session.step()).map_err(run_error)?;
            py.check_signals()?;
        }
        Ok(steps)
    }

    /// Steps taken (counting those before a resumed run's checkpoint).
    #[getter]
    fn step(&self) -> PyResult<u64> {
        Ok(self.lock().get()?.steps_done())
    }

    /// The run's number of steps.
    #[getter]
    fn steps(&self) -> PyResult<u64> {
        Ok(self.lock().get()?.settings().steps)
    }

    /// The time step.
    #[getter]
    fn dt(&self) -> PyResult<f64> {
        Ok(self.lock().get()?.settings().dt)
    }

    /// Simulated time.
    #[getter]
    fn time(&self) -> PyResult<f64> {
        Ok(self.lock().get()?.system().time)
    }

    /// The output folder.
    #[getter]
    fn out(&self) -> PyResult<PathBuf> {
        Ok(self.lock().get()?.out_dir().to_path_buf())
    }

    /// The settings as `covar run` saves them (`run.toml`).
    #[getter]
    fn settings_toml(&self) -> PyResult<String> {
        Ok(self.lock().get()?.settings().to_config().to_toml())
    }

    /// Positions, canonical momenta (each `(n, 3)`), masses, charges and
    /// ids (each `(n,)`), copied.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<State<'py>> {
        let mut guard = self.lock();
        let store = &guard.get()?.system().particles;
        let n = store.len();
        let rows = |f: &dyn Fn(usize) -> [f64; 3]| -> Vec<Vec<f64>> {
            (0..n).map(|i| f(i).to_vec()).collect()
        };
        let r = rows(&|i| store.position(i).to_array());
        let p = rows(&|i| store.momentum(i).to_array());
        let m: Vec<f64> = (0..n).map(|i| store.mass(i)).collect();
        let q: Vec<f64> = (0..n).map(|i| store.charge(i)).collect();
        let id: Vec<u64> = (0..n).map(|i| store.id(i)).collect();
        Ok((
            PyArray2::from_vec2(py, &r).map_err(|e| value_error(e.to_string()))?,
            PyArray2::from_vec2(py, &p).map_err(|e| value_error(e.to_string()))?,
            PyArray1::from_vec(py, m),
            PyArray1::from_vec(py, q),
            PyArray1::from_vec(py, id),
        ))
    }

    /// The energy-log row of the current state, as a dict (one Laplace
    /// sum; nothing is logged).
    fn energy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut guard = self.lock();
        let session = guard.get()?;
        let row = py.detach(|| session.energy()).map_err(run_error)?;
        let d = PyDict::new(py);
        d.set_item("step", row.step)?;
        d.set_item("t", row.t)?;
        d.set_item("h", row.h)?;
        d.set_item("t_part", row.t_part)?;
        d.set_item("u", row.u)?;
        d.set_item("abs_sum_p", row.abs_sum_p)?;
        d.set_item("abs_sum_l", row.abs_sum_l)?;
        d.set_item("rel_h_error", row.rel_h_error)?;
        d.set_item("h_seed", row.h_seed)?;
        Ok(d)
    }

    /// Writes a checkpoint of the current step into the output folder;
    /// returns its path.
    fn checkpoint(&self) -> PyResult<PathBuf> {
        self.lock().get()?.checkpoint().map_err(run_error)
    }

    /// Ends a run whose steps are all taken: final state, `summary.json`;
    /// returns the summary as JSON text.
    fn finish(&self, py: Python<'_>) -> PyResult<String> {
        let mut guard = self.lock();
        let session = guard.get()?;
        if !session.is_done() {
            return Err(RunError::new_err(format!(
                "{} of the run's {} steps are taken; integrate() the rest before finish()",
                session.steps_done(),
                session.settings().steps
            )));
        }
        let session = guard.0.take().expect("checked above");
        let report = py.detach(|| session.finish()).map_err(run_error)?;
        serde_json::to_string(&report).map_err(|e| RunError::new_err(e.to_string()))
    }
}
