//! The fast backend on the command line: its flags (shared by `covar
//! fields` and `covar run`) and the per-stage report of its last
//! evaluation.
//!
//! The flags are all optional: what is not given takes
//! [`FastParams::with_tolerance`] of the tolerance. Each is range-checked when parsed (clap names
//! the flag), and giving one with another backend is an error
//! ([`FastFlags::check_backend`]).

use std::fmt;
use std::time::Duration;

use covar_kernel::{Backend, Fast, FastParams, FastStats, LaplaceSum, Softening, SofteningKernel};
use serde::Serialize;

use super::CliError;
#[cfg(feature = "cli")]
use super::args;
use crate::calibration::{Calibration, CalibrationSummary};

/// `--tol`'s help, with the default of the kernel.
#[cfg(feature = "cli")]
pub(crate) fn tol_help() -> String {
    format!(
        "Requested relative accuracy of potentials and gradients, in (0, 1); \
         the expansion order follows from it [default: {:e}]",
        FastParams::default().tolerance
    )
}

/// `--theta`'s help, with the default of the kernel.
#[cfg(feature = "cli")]
pub(crate) fn theta_help() -> String {
    format!(
        "Opening parameter in (0, 1); cells interact through expansions when \
         (r_A + r_B) < theta |z_A - z_B| [default: from --tol, {} at {:e}, up to 0.8 at 1e-2]",
        FastParams::default().theta,
        FastParams::default().tolerance
    )
}

/// `--leaf-size`'s help, with the default of the kernel.
#[cfg(feature = "cli")]
pub(crate) fn leaf_size_help() -> String {
    format!(
        "Most particles in a leaf of the tree, 1..={} [default: from --tol, {} below 3e-3, 256 from 3e-3]",
        args::MAX_LEAF_SIZE,
        FastParams::default().leaf_size
    )
}

/// The flags of the fast backend. Each is `None` when not given.
///
/// On the command line these are the `tol`, `theta`, `leaf-size` and
/// `order` settings of `covar run` ([`RunConfig`](super::run::RunConfig)):
/// `covar fields` takes their flags from those definitions (name, help,
/// range, heading), so each is defined once for both commands, the
/// configuration file and the Python package.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FastFlags {
    /// `--tol`: requested relative accuracy.
    pub tol: Option<f64>,
    /// `--theta`: opening parameter.
    pub theta: Option<f64>,
    /// `--leaf-size`: most particles in a leaf.
    pub leaf_size: Option<usize>,
    /// `--order`: expansion order, overriding the one derived from
    /// `--tol` and `--theta`.
    pub order: Option<usize>,
    /// `--m2l-term-order`: the highest M2L order summed term by term.
    pub m2l_term_order: Option<usize>,
    /// `--calibrate`: whether to measure this machine's costs for what is
    /// not given (default true).
    pub calibrate: Option<bool>,
}

/// The ids of the fast backend's arguments among those of
/// [`RunConfig`](super::run::RunConfig), in the order of `--help`.
#[cfg(feature = "cli")]
const FAST_ARGS: [&str; 6] = [
    "tol",
    "theta",
    "leaf_size",
    "order",
    "m2l_term_order",
    "calibrate",
];

#[cfg(feature = "cli")]
impl clap::Args for FastFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let run = super::run::RunConfig::augment_args(clap::Command::new("run"));
        FAST_ARGS.into_iter().fold(cmd, |cmd, id| {
            let arg = run
                .get_arguments()
                .find(|a| a.get_id() == id)
                .unwrap_or_else(|| panic!("RunConfig defines the argument {id}"));
            cmd.arg(arg.clone())
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

#[cfg(feature = "cli")]
impl clap::FromArgMatches for FastFlags {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        // Whole numbers are i64 in RunConfig (TOML's integers); the flags'
        // parsers have checked them to be at least 1.
        let whole = |id: &str| m.get_one::<i64>(id).map(|&v| v as usize);
        Ok(Self {
            tol: m.get_one::<f64>("tol").copied(),
            theta: m.get_one::<f64>("theta").copied(),
            leaf_size: whole("leaf_size"),
            order: whole("order"),
            m2l_term_order: whole("m2l_term_order"),
            calibrate: m.get_one::<bool>("calibrate").copied(),
        })
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl FastFlags {
    /// The flags that were given, by name (without dashes), in the order
    /// of `--help`.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("tol", self.tol.is_some()),
            ("theta", self.theta.is_some()),
            ("leaf-size", self.leaf_size.is_some()),
            ("order", self.order.is_some()),
            ("m2l-term-order", self.m2l_term_order.is_some()),
            ("calibrate", self.calibrate.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }

    /// The parameters: the given flags over
    /// [`FastParams::with_tolerance`] of the given (or default) tolerance.
    /// Measures nothing: see [`calibrated`](Self::calibrated).
    pub fn params(&self) -> FastParams {
        let d = FastParams::with_tolerance(self.tol.unwrap_or(FastParams::default().tolerance));
        FastParams {
            tolerance: d.tolerance,
            theta: self.theta.unwrap_or(d.theta),
            leaf_size: self.leaf_size.unwrap_or(d.leaf_size),
            order: self.order.or(d.order),
            m2l_term_order: self.m2l_term_order.or(d.m2l_term_order),
        }
    }

    /// [`params`](Self::params) for sums of `nd` channels, with the M2L
    /// method chosen from this machine's measured costs
    /// ([`Calibration::for_machine`], cached) unless `--m2l-term-order` is
    /// given or `--calibrate false`; the calibration used, if any.
    pub fn calibrated(&self, nd: usize) -> (FastParams, Option<Calibration>) {
        let mut params = self.params();
        if params.m2l_term_order.is_some() || self.calibrate == Some(false) {
            return (params, None);
        }
        let cal = Calibration::for_machine(nd);
        params.m2l_term_order = Some(cal.costs.term_by_term_up_to());
        (params, Some(cal))
    }

    /// `backend` with these parameters applied if it is the fast backend,
    /// for sums of `nd` channels ([`calibrated`](Self::calibrated)), and the
    /// calibration used.
    ///
    /// # Errors
    ///
    /// [`CliError::InvalidArgument`] naming the first flag given when the
    /// backend is not the fast one, or a parameter the kernel refuses.
    pub fn apply(
        &self,
        backend: Backend,
        nd: usize,
    ) -> Result<(Backend, Option<Calibration>), CliError> {
        self.check_backend(&backend)?;
        match backend {
            Backend::Fast(_) => {
                let (params, calibration) = self.calibrated(nd);
                params.validate().map_err(|e| CliError::InvalidArgument {
                    flag: "tol",
                    reason: format!("the fast backend refuses its parameters: {e}"),
                })?;
                Ok((Backend::Fast(Box::new(Fast::new(params))), calibration))
            }
            other => Ok((other, None)),
        }
    }

    /// An error naming the first flag given, unless `backend` is the fast
    /// one or no flag is given.
    ///
    /// # Errors
    ///
    /// [`CliError::InvalidArgument`].
    pub fn check_backend(&self, backend: &Backend) -> Result<(), CliError> {
        match (backend, self.given().first()) {
            (Backend::Fast(_), _) | (_, None) => Ok(()),
            (other, Some(&flag)) => Err(CliError::InvalidArgument {
                flag,
                reason: format!(
                    "applies to the fast backend only, and the backend is {} \
                     (add --backend fast)",
                    other.name()
                ),
            }),
        }
    }
}

/// A warning when softening leaves the fast backend little to expand: cell
/// pairs closer than [`FastParams::softened_gap`] are summed directly, and
/// when that gap is a tenth of the system's extent (the largest side of the
/// points' bounding box) or more, most pairs are. `None` for other
/// backends, without softening, or with a small gap.
///
/// ```
/// use covar::cli::fast::softening_warning;
/// use covar_kernel::{Backend, Fast, FastParams, Softening, SofteningKernel};
/// let fast = Backend::Fast(Box::new(Fast::new(FastParams::with_tolerance(1e-6))));
/// let (x, y, z) = ([0.0, 1.0], [0.0, 1.0], [0.0, 1.0]);
/// let plummer = |s| Softening::plummer(s);
/// assert!(softening_warning(&fast, plummer(0.01), [&x, &y, &z]).is_some()); // gap 7.1
/// assert!(softening_warning(&fast, plummer(1e-6), [&x, &y, &z]).is_none()); // gap 7.1e-4
/// assert!(softening_warning(&fast, Softening::NONE, [&x, &y, &z]).is_none());
/// let spline = Softening::new(SofteningKernel::Spline, 0.01);
/// assert!(softening_warning(&fast, spline, [&x, &y, &z]).is_none()); // gap 0.028
/// ```
pub fn softening_warning(
    backend: &Backend,
    softening: Softening,
    points: [&[f64]; 3],
) -> Option<String> {
    let Backend::Fast(fast) = backend else {
        return None;
    };
    let params = fast.params();
    let gap = params.softened_gap(softening);
    let extent = points
        .iter()
        .map(|c| {
            let (lo, hi) = c
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            hi - lo
        })
        .fold(0.0, f64::max);
    let s = softening.length;
    (gap > 0.0 && gap >= 0.1 * extent).then(|| match softening.kernel {
        SofteningKernel::Plummer => format!(
            "with Plummer softening {s} and --tol {tol:e}, the fast backend sums every cell pair \
             closer than {gap:.3} directly (its 1/r expansions are within the tolerance of the \
             softened kernel only beyond s / sqrt(2 tol)); the system is {extent:.3} across, so \
             expect about the cost of the direct backend: --softening-kernel spline (exactly 1/r \
             beyond 2.8 s), a smaller --softening or a larger --tol makes the fast backend pay off",
            tol = params.tolerance
        ),
        kernel => format!(
            "with softening {s} ({kernel}), the fast backend sums every cell pair closer than \
             the kernel's support {gap:.3} directly; the system is {extent:.3} across, so expect \
             about the cost of the direct backend: a smaller --softening makes the fast backend \
             pay off"
        ),
    })
}

/// The parameters and per-stage statistics of the fast backend's last
/// evaluation. Stage times of the parallel passes (`m2l`, `near`,
/// `downward`) are CPU seconds summed over threads; the others are wall
/// seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FastReport {
    /// Requested relative accuracy.
    pub tolerance: f64,
    /// Opening parameter.
    pub theta: f64,
    /// Most particles in a leaf.
    pub leaf_size: usize,
    /// Expansion order used.
    pub order: usize,
    /// Whether the near field used the relaxed `1/r` (refined only as far
    /// as the tolerance needs).
    pub near_relaxed: bool,
    /// Tree build (source and target trees), wall seconds.
    pub tree: f64,
    /// Upward pass (P2M, M2M), wall seconds.
    pub upward: f64,
    /// Multipole-to-local translations, CPU seconds over threads.
    pub m2l: f64,
    /// Near-field direct sums, CPU seconds over threads.
    pub near: f64,
    /// Downward pass (L2L, L2P), CPU seconds over threads.
    pub downward: f64,
    /// The traversal (M2L, near field, downward pass), wall seconds.
    pub traversal: f64,
    /// The whole evaluation, wall seconds.
    pub total: f64,
    /// Number of M2L translations.
    pub m2l_count: u64,
    /// Their mean expansion order (each pair's order follows from its
    /// separation, at most `order`).
    pub mean_m2l_order: f64,
    /// Pair interactions summed directly in the near field.
    pub near_pairs: u64,
    /// Of `near_pairs`, those beyond a compact softening kernel's support,
    /// summed with the plain `1/r`.
    pub near_unsoftened: u64,
    /// M2L translations up to this order were summed term by term, higher
    /// ones by rotation.
    pub m2l_term_order: usize,
    /// This machine's measured costs, when they chose `m2l_term_order`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationSummary>,
    /// Cells of the source tree.
    pub nodes: usize,
    /// Bytes of multipole expansions.
    pub multipole_bytes: u64,
}

impl FastReport {
    /// The report of `fast`'s last evaluation.
    pub fn of(fast: &Fast) -> Self {
        let p = fast.params();
        let FastStats {
            order,
            tree,
            upward,
            m2l,
            near,
            downward,
            traversal,
            total,
            m2l_count,
            mean_m2l_order,
            near_pairs,
            near_unsoftened,
            m2l_term_order,
            near_relaxed,
            nodes,
            multipole_bytes,
        } = fast.stats();
        let s = Duration::as_secs_f64;
        Self {
            tolerance: p.tolerance,
            theta: p.theta,
            leaf_size: p.leaf_size,
            order,
            near_relaxed,
            tree: s(&tree),
            upward: s(&upward),
            m2l: s(&m2l),
            near: s(&near),
            downward: s(&downward),
            traversal: s(&traversal),
            total: s(&total),
            m2l_count,
            mean_m2l_order,
            near_pairs,
            near_unsoftened,
            m2l_term_order,
            calibration: None,
            nodes,
            multipole_bytes,
        }
    }

    /// The report of `backend`'s last evaluation, if it is the fast one.
    pub fn of_backend(backend: &Backend) -> Option<Self> {
        match backend {
            Backend::Fast(f) => Some(Self::of(f)),
            _ => None,
        }
    }

    /// Writes the report as two lines, indented by two spaces and labelled
    /// as the reports of `covar fields` and `covar run` label theirs (a
    /// label column `width` wide).
    pub fn write_lines(&self, f: &mut impl fmt::Write, width: usize) -> fmt::Result {
        writeln!(
            f,
            "  {:<width$} tol = {:e}, theta = {}, leaf size {}, order {}, {} 1/r in the near field, \
             M2L term by term up to order {}",
            "fast",
            self.tolerance,
            self.theta,
            self.leaf_size,
            self.order,
            if self.near_relaxed { "relaxed" } else { "full" },
            self.m2l_term_order
        )?;
        if let Some(c) = &self.calibration {
            writeln!(f, "  {:<width$} {}", "calibrated", c.line())?;
        }
        writeln!(
            f,
            "  {:<width$} tree {:.3} s, upward {:.3} s, traversal {:.3} s (m2l {:.3}, near {:.3}, \
             downward {:.3} CPU s), total {:.3} s; {} M2L (mean order {:.1}), {:.3e} near pairs{}; \
             {} cells, multipoles {:.1} MiB (last evaluation)",
            "stages",
            self.tree,
            self.upward,
            self.traversal,
            self.m2l,
            self.near,
            self.downward,
            self.total,
            self.m2l_count,
            self.mean_m2l_order,
            self.near_pairs as f64,
            match self.near_unsoftened {
                0 => String::new(),
                u => format!(" ({:.3e} beyond the softening's support)", u as f64),
            },
            self.nodes,
            self.multipole_bytes as f64 / f64::from(1 << 20)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_kernel() {
        assert_eq!(FastFlags::default().params(), FastParams::default());
        let f = FastFlags {
            tol: Some(1e-3),
            order: Some(7),
            ..FastFlags::default()
        };
        let p = f.params();
        assert_eq!((p.tolerance, p.order), (1e-3, Some(7)));
        assert_eq!(p.theta, FastParams::theta_for(1e-3));
        assert_eq!(f.given(), ["tol", "order"]);
    }

    #[test]
    fn flags_with_another_backend_name_the_flag() {
        let f = FastFlags {
            theta: Some(0.5),
            ..FastFlags::default()
        };
        let e = f
            .apply("direct".parse().unwrap(), 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`--theta`") && e.contains("direct"), "{e}");
        assert!(
            FastFlags::default()
                .apply("naive".parse().unwrap(), 1)
                .is_ok()
        );
        let f = FastFlags {
            m2l_term_order: Some(9),
            ..f
        };
        let (Backend::Fast(fast), None) = f.apply("fast".parse().unwrap(), 1).unwrap() else {
            panic!("not fast, or calibrated although --m2l-term-order was given");
        };
        assert_eq!(fast.params().theta, 0.5);
        assert_eq!(fast.params().m2l_term_order, Some(9));
    }

    /// Without `--m2l-term-order` the calibration chooses it, unless
    /// `--calibrate false`, which keeps the built-in rule.
    #[test]
    fn the_calibration_chooses_the_m2l_method_unless_told_not_to() {
        let (p, cal) = FastFlags::default().calibrated(4);
        let cal = cal.expect("calibrated by default");
        assert_eq!(cal.costs.nd, 4);
        assert_eq!(p.m2l_term_order, Some(cal.costs.term_by_term_up_to()));
        let off = FastFlags {
            calibrate: Some(false),
            ..FastFlags::default()
        };
        let (p, cal) = off.calibrated(4);
        assert!(cal.is_none());
        assert_eq!(p, FastParams::default());
    }

    /// `covar fields` parses the fast flags with `covar run`'s definitions:
    /// the same values, and the same refusals naming flag and range.
    #[cfg(feature = "cli")]
    #[test]
    fn fields_and_run_share_the_fast_flags() {
        use super::super::{Cli, Command};
        use clap::Parser;
        let flags = [
            "--tol",
            "1e-4",
            "--theta",
            "0.5",
            "--leaf-size",
            "128",
            "--order",
            "9",
            "--m2l-term-order",
            "6",
            "--calibrate",
            "false",
        ];
        let parse = |cmd: &str, extra: &[&str]| {
            Cli::try_parse_from(["covar", cmd].iter().chain(extra).copied())
        };
        let Command::Fields(fields) = parse("fields", &flags).unwrap().command else {
            panic!("not fields");
        };
        let want = FastFlags {
            tol: Some(1e-4),
            theta: Some(0.5),
            leaf_size: Some(128),
            order: Some(9),
            m2l_term_order: Some(6),
            calibrate: Some(false),
        };
        assert_eq!(fields.fast, want);
        let Command::Run(run) = parse("run", &flags).unwrap().command else {
            panic!("not run");
        };
        let s = &run.settings;
        assert_eq!(
            (s.tol, s.theta, s.leaf_size, s.order, s.m2l_term_order),
            (Some(1e-4), Some(0.5), Some(128), Some(9), Some(6))
        );
        assert_eq!(s.calibrate, Some(false));
        for bad in [
            ["--leaf-size", "0"],
            ["--order", "65"],
            ["--tol", "1"],
            ["--m2l-term-order", "0"],
            ["--calibrate", "maybe"],
        ] {
            let e = |cmd| parse(cmd, &bad).unwrap_err().to_string();
            let (f, r) = (e("fields"), e("run"));
            assert!(f.contains(bad[0]) && f.contains(bad[1]), "{f}");
            // The message after the command's usage line is the same.
            assert_eq!(f.lines().next(), r.lines().next(), "{bad:?}");
        }
    }
}
