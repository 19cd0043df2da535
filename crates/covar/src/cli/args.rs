//! Value parsers for command-line flags: each rejects a bad value with a
//! message that says what is allowed (clap adds the flag's name).
//!
//! The range checks behind them ([`Real`], [`whole`]) also check the values
//! of configuration files, so a flag and a key get the same message.

/// The allowed range of a real number; all of them exclude NaN and infinity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Real {
    /// Finite, any sign.
    Finite,
    /// Finite and `> 0`.
    Positive,
    /// Finite and `>= 0`.
    NonNegative,
    /// Strictly between 0 and 1 (a tolerance, an opening angle).
    OpenUnit,
}

impl Real {
    /// What the range allows, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Real::Finite => "must be finite",
            Real::Positive => "must be finite and > 0",
            Real::NonNegative => "must be finite and >= 0",
            Real::OpenUnit => "must be in (0, 1)",
        }
    }

    /// `v` if it is in the range, else a message with the range and `v`.
    pub(crate) fn check(self, v: f64) -> Result<f64, String> {
        let ok = v.is_finite()
            && match self {
                Real::Finite => true,
                Real::Positive => v > 0.0,
                Real::NonNegative => v >= 0.0,
                Real::OpenUnit => v > 0.0 && v < 1.0,
            };
        if ok {
            Ok(v)
        } else {
            Err(format!("{}, got {v}", self.describe()))
        }
    }

    /// Parses `s` and checks the range.
    pub(crate) fn parse(self, s: &str) -> Result<f64, String> {
        let v = s
            .trim()
            .parse::<f64>()
            .map_err(|e| format!("not a number ({e}); {}", self.describe()))?;
        self.check(v)
    }
}

/// `v` if it is a whole number in `min..=max`, else a message with the range.
pub(crate) fn whole(v: i128, min: u64, max: u64) -> Result<u64, String> {
    if (i128::from(min)..=i128::from(max)).contains(&v) {
        Ok(v as u64)
    } else {
        Err(format!("must be a whole number in {min}..={max}, got {v}"))
    }
}

/// Parses a whole number in `min..=max`.
fn parse_whole(s: &str, min: u64, max: u64) -> Result<u64, String> {
    match s.trim().parse::<i128>() {
        Ok(v) => whole(v, min, max),
        Err(_) => Err(format!("must be a whole number in {min}..={max}")),
    }
}

/// Largest step count (and step interval) a run accepts: `10^12`.
pub(crate) const MAX_STEPS: u64 = 1_000_000_000_000;

/// Most particles a run generates.
pub(crate) const MAX_N: u64 = 1 << 32;
/// Most worker threads.
pub(crate) const MAX_THREADS: u64 = 4096;

/// A whole number in `MIN..=MAX`, as the `i64` a configuration file holds.
pub(crate) fn whole_in<const MIN: u64, const MAX: u64>(s: &str) -> Result<i64, String> {
    parse_whole(s, MIN, MAX).map(|v| v as i64)
}

/// A softening kernel's name, checked.
pub(crate) fn softening_kernel_name(s: &str) -> Result<String, String> {
    s.parse::<covar_kernel::SofteningKernel>()?;
    Ok(s.to_string())
}

/// A real number, finite.
pub(crate) fn finite_real(s: &str) -> Result<f64, String> {
    Real::Finite.parse(s)
}

/// A real number, finite and `> 0` (time step, end time, positive couplings).
pub(crate) fn positive_real(s: &str) -> Result<f64, String> {
    Real::Positive.parse(s)
}

/// A real number, finite and `>= 0`.
pub(crate) fn non_negative_real(s: &str) -> Result<f64, String> {
    Real::NonNegative.parse(s)
}

/// A number strictly between 0 and 1 (the fast backend's tolerance and
/// opening parameter).
pub(crate) fn open_unit(s: &str) -> Result<f64, String> {
    Real::OpenUnit.parse(s)
}

/// Largest leaf size of the fast backend's tree a run accepts.
pub(crate) const MAX_LEAF_SIZE: u64 = 1 << 20;

/// Lowest expansion order the fast backend accepts as an override.
pub(crate) const MIN_ORDER: u64 = 1;
/// Highest expansion order the fast backend accepts.
pub(crate) const MAX_ORDER: u64 = covar_kernel::fast::expansion::MAX_ORDER as u64;

/// An integer `>= 1` (particle counts, threads, repetitions).
pub(crate) fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(v) => Ok(v),
        Err(_) => Err("must be a whole number >= 1".into()),
    }
}

/// The number of source channels: 1 or 4.
pub(crate) fn nd(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(v @ (1 | 4)) => Ok(v),
        _ => Err("nd must be 1 (the charge channel q) or 4 (q, q u_x, q u_y, q u_z)".into()),
    }
}

/// A softening kernel by name.
pub(crate) fn softening_kernel(s: &str) -> Result<covar_kernel::SofteningKernel, String> {
    s.parse()
}

/// A softening length: finite and `>= 0`.
pub(crate) fn softening(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) => Err(format!("softening must be finite and >= 0, got {v}")),
        Err(e) => Err(format!("not a number ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_name_their_range() {
        assert_eq!(positive_real("0.5"), Ok(0.5));
        assert_eq!(finite_real("-2"), Ok(-2.0));
        assert_eq!(non_negative_real("0"), Ok(0.0));
        for bad in ["0", "-1", "nan", "NaN", "inf", "-inf", "x", ""] {
            let e = positive_real(bad).unwrap_err();
            assert!(e.contains("finite and > 0"), "{bad}: {e}");
        }
        assert!(non_negative_real("-1e-300").unwrap_err().contains(">= 0"));
        assert!(finite_real("inf").unwrap_err().contains("finite"));
    }

    #[test]
    fn fast_parameters_name_their_range() {
        assert_eq!(open_unit("1e-6"), Ok(1e-6));
        for bad in ["0", "1", "-0.5", "1.5", "nan", "inf", "x", ""] {
            let e = open_unit(bad).unwrap_err();
            assert!(e.contains("(0, 1)"), "{bad}: {e}");
        }
        let (leaf_size, order) = (
            whole_in::<1, MAX_LEAF_SIZE>,
            whole_in::<MIN_ORDER, MAX_ORDER>,
        );
        assert_eq!(leaf_size("64"), Ok(64));
        assert!(leaf_size("0").unwrap_err().contains("1..=1048576"));
        assert_eq!(order("12"), Ok(12));
        for bad in ["0", "65", "-1", "2.5"] {
            assert!(order(bad).unwrap_err().contains("1..=64"), "{bad}");
        }
    }

    #[test]
    fn whole_numbers_name_their_range() {
        let steps = whole_in::<1, MAX_STEPS>;
        assert_eq!(steps("10"), Ok(10));
        assert_eq!(whole_in::<0, MAX_STEPS>("0"), Ok(0));
        for bad in ["0", "-3", "1.5", "x", "1000000000001"] {
            let e = steps(bad).unwrap_err();
            assert!(e.contains("1..=1000000000000"), "{bad}: {e}");
        }
        assert_eq!(
            whole(-1, 0, 5),
            Err("must be a whole number in 0..=5, got -1".into())
        );
    }

    #[test]
    fn positive_rejects_zero_and_garbage() {
        assert_eq!(positive("3"), Ok(3));
        assert!(positive("0").unwrap_err().contains("at least 1"));
        assert!(positive("-1").is_err());
        assert!(positive("x").is_err());
    }

    #[test]
    fn nd_is_one_or_four() {
        assert_eq!(nd("1"), Ok(1));
        assert_eq!(nd("4"), Ok(4));
        for bad in ["0", "2", "3", "5", "x"] {
            assert!(nd(bad).unwrap_err().contains("1"), "{bad}");
        }
    }

    #[test]
    fn softening_is_finite_non_negative() {
        assert_eq!(softening("0.01"), Ok(0.01));
        assert_eq!(softening("0"), Ok(0.0));
        for bad in ["-1", "nan", "inf", "x"] {
            assert!(softening(bad).is_err(), "{bad}");
        }
    }
}
