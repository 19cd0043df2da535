//! The fast backend's costs on this machine, measured once and cached.
//!
//! [`MachineCosts::measure`] times a near-field pair and an M2L translation
//! of every order both ways (term by term and by rotation) in a fraction
//! of a second; the order up to which term by term is cheaper becomes the
//! fast backend's [`FastParams::m2l_term_order`](covar_kernel::FastParams::m2l_term_order)
//! unless `--m2l-term-order` sets it or `--calibrate false` keeps the
//! built-in rule. The result is cached as a small JSON file per CPU model,
//! instruction set, channel count and covar version, in
//! `$COVAR_CACHE_DIR`, else `$XDG_CACHE_HOME/covar`, else
//! `$HOME/.cache/covar` (`%LOCALAPPDATA%\covar` on Windows); delete the
//! file to measure again. Where no folder can be written the costs are
//! measured on every run and not kept.
//!
//! The CPU model is the `model name` of `/proc/cpuinfo` on Linux, and the
//! architecture's name elsewhere.

use std::path::{Path, PathBuf};
use std::time::Instant;

use covar_kernel::Isa;
use covar_kernel::fast::MachineCosts;
use serde::Serialize;
use serde_json::{Value, json};

/// Highest M2L order timed. The crossover between term by term and
/// rotation lies near order 10 on the CPUs measured so far; orders above
/// this rotate whatever the costs.
pub const MEASURED_ORDER: usize = 24;

/// The costs of this machine for one channel count, and where they came
/// from.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The measured costs.
    pub costs: MachineCosts,
    /// The CPU model they were measured on.
    pub cpu: String,
    /// The cache file they were read from or written to; `None` when no
    /// cache folder could be used.
    pub file: Option<PathBuf>,
    /// Whether they were read from the cache (else measured just now).
    pub cached: bool,
    /// Seconds the measurement took (0 when read from the cache).
    pub seconds: f64,
}

/// What the reports say of a calibration (`--json` and text).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CalibrationSummary {
    /// CPU model.
    pub cpu: String,
    /// Instruction set of the measured near-field pair.
    pub isa: String,
    /// Channels.
    pub nd: usize,
    /// Nanoseconds per near-field pair (potential and gradient, all
    /// channels, one thread).
    pub pair_ns: f64,
    /// Nanoseconds per M2L translation by rotation, at orders 2, 3, ...
    pub m2l_rotation_ns: Vec<f64>,
    /// Nanoseconds per M2L translation term by term, at orders 2, 3, ...,
    /// as far as it was timed.
    pub m2l_term_ns: Vec<f64>,
    /// The order up to which term by term is cheaper.
    pub term_by_term_up_to: usize,
    /// The cache file, if any.
    pub file: Option<PathBuf>,
    /// Whether it was read from the cache.
    pub cached: bool,
    /// Seconds the measurement took (0 when cached).
    pub seconds: f64,
}

impl Calibration {
    /// The costs for `nd` channels on this machine's best instruction set:
    /// read from the cache, or measured and stored there.
    pub fn for_machine(nd: usize) -> Self {
        let isa = Isa::best();
        let cpu = cpu_model();
        let file = cache_dir().map(|d| d.join(file_name(&cpu, isa, nd)));
        if let Some(costs) = file.as_deref().and_then(|f| read(f, &cpu, isa, nd)) {
            return Self {
                costs,
                cpu,
                file,
                cached: true,
                seconds: 0.0,
            };
        }
        let start = Instant::now();
        let costs = MachineCosts::measure(isa, nd, MEASURED_ORDER);
        let seconds = start.elapsed().as_secs_f64();
        let file = file.filter(|f| write(f, &cpu, &costs).is_ok());
        Self {
            costs,
            cpu,
            file,
            cached: false,
            seconds,
        }
    }

    /// The summary for the reports.
    pub fn summary(&self) -> CalibrationSummary {
        let c = &self.costs;
        let ns = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .skip(2)
                .take_while(|x| x.is_finite())
                .map(|x| x * 1e9)
                .collect()
        };
        CalibrationSummary {
            cpu: self.cpu.clone(),
            isa: c.isa.to_string(),
            nd: c.nd,
            pair_ns: c.pair * 1e9,
            m2l_rotation_ns: ns(&c.rotation),
            m2l_term_ns: ns(&c.term),
            term_by_term_up_to: c.term_by_term_up_to(),
            file: self.file.clone(),
            cached: self.cached,
            seconds: self.seconds,
        }
    }
}

impl CalibrationSummary {
    /// One line for the text reports (without label).
    pub fn line(&self) -> String {
        let at = |v: &[f64], q: usize| v.get(q - 2).map_or("-".into(), |x| format!("{x:.0}"));
        let q = self.term_by_term_up_to;
        format!(
            "{} ({}, nd {}): pair {:.2} ns, M2L at order {q} {} ns term by term / {} ns by \
             rotation, at order {} {} / {} ns: term by term up to order {q}; {}",
            self.cpu,
            self.isa,
            self.nd,
            self.pair_ns,
            at(&self.m2l_term_ns, q.max(2)),
            at(&self.m2l_rotation_ns, q.max(2)),
            q + 1,
            at(&self.m2l_term_ns, q + 1),
            at(&self.m2l_rotation_ns, q + 1),
            match (&self.file, self.cached) {
                (Some(f), true) => format!("cached in {}", f.display()),
                (Some(f), false) => format!(
                    "measured in {:.2} s, saved to {}",
                    self.seconds,
                    f.display()
                ),
                (None, _) => format!("measured in {:.2} s, not cached", self.seconds),
            }
        )
    }
}

/// The CPU model: `/proc/cpuinfo`'s `model name`, else the architecture.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// The cache folder (see the module documentation), if the environment
/// names one.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |k| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("COVAR_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("covar")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("covar")))
        .or_else(|| var("LOCALAPPDATA").map(|d| d.join("covar")))
}

/// The cache's key: everything the costs depend on.
fn key(cpu: &str, isa: Isa, nd: usize) -> String {
    format!(
        "{cpu} | {isa} | nd {nd} | covar {}",
        env!("CARGO_PKG_VERSION")
    )
}

fn file_name(cpu: &str, isa: Isa, nd: usize) -> String {
    let hash = crc32fast::hash(key(cpu, isa, nd).as_bytes());
    format!("m2l-{isa}-nd{nd}-{hash:08x}.json")
}

/// The costs in `file` if it holds this key's.
fn read(file: &Path, cpu: &str, isa: Isa, nd: usize) -> Option<MachineCosts> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).ok()?).ok()?;
    if v["key"].as_str()? != key(cpu, isa, nd) {
        return None;
    }
    let list = |name: &str| -> Option<Vec<f64>> {
        v[name]
            .as_array()?
            .iter()
            // JSON has no infinity: null stands for "not timed".
            .map(|x| {
                if x.is_null() {
                    Some(f64::INFINITY)
                } else {
                    x.as_f64()
                }
            })
            .collect()
    };
    let costs = MachineCosts {
        isa,
        nd,
        pair: v["pair"].as_f64()?,
        rotation: list("rotation")?,
        term: list("term")?,
    };
    let sane = costs.pair > 0.0
        && costs.rotation.len() == costs.term.len()
        && costs.rotation.len() > 2
        && costs.rotation[2..]
            .iter()
            .all(|&x| x > 0.0 && x.is_finite());
    sane.then_some(costs)
}

/// Writes `costs` to `file` (atomically: a temporary file renamed).
fn write(file: &Path, cpu: &str, costs: &MachineCosts) -> std::io::Result<()> {
    let finite = |v: &[f64]| -> Vec<Value> {
        v.iter()
            .map(|&x| if x.is_finite() { json!(x) } else { Value::Null })
            .collect()
    };
    let text = serde_json::to_string_pretty(&json!({
        "key": key(cpu, costs.isa, costs.nd),
        "pair": costs.pair,
        "rotation": finite(&costs.rotation),
        "term": finite(&costs.term),
    }))?;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_round_trip_through_the_cache_file_and_a_wrong_key_is_ignored() {
        let dir = std::env::temp_dir().join(format!("covar-cal-{}", std::process::id()));
        let isa = Isa::Scalar;
        let costs = MachineCosts {
            isa,
            nd: 4,
            pair: 3e-9,
            rotation: vec![0.0, 0.0, 4e-7, 6e-7],
            term: vec![f64::INFINITY, f64::INFINITY, 2e-7, f64::INFINITY],
        };
        let file = dir.join(file_name("Test CPU", isa, 4));
        write(&file, "Test CPU", &costs).unwrap();
        assert_eq!(read(&file, "Test CPU", isa, 4), Some(costs));
        assert_eq!(read(&file, "Other CPU", isa, 4), None);
        assert_eq!(read(&file, "Test CPU", isa, 1), None);
        std::fs::write(&file, "{ not json").unwrap();
        assert_eq!(read(&file, "Test CPU", isa, 4), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn file_names_differ_by_cpu_isa_and_channels() {
        let names = [
            file_name("A", Isa::Scalar, 1),
            file_name("B", Isa::Scalar, 1),
            file_name("A", Isa::Scalar, 4),
        ];
        assert!(names[0] != names[1] && names[0] != names[2]);
    }
}
