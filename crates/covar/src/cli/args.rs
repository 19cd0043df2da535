//! Value parsers for command-line flags: each rejects a bad value with a
//! message that says what is allowed (clap adds the flag's name).

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
