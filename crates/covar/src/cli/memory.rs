//! A rough memory check before allocating, so that a typo in `--n` is an
//! error rather than an out-of-memory abort.

use super::CliError;

const GIB: f64 = (1u64 << 30) as f64;

/// Refuses `n` particles at about `bytes_per_particle` each when they cannot
/// fit in `available` bytes (when known). `context` follows "`n` particles"
/// in the message (e.g. `" with nd = 4"`).
pub(crate) fn check(
    n: usize,
    bytes_per_particle: u64,
    context: &str,
    available: Option<u64>,
) -> Result<(), CliError> {
    let needed = (n as u64).saturating_mul(bytes_per_particle);
    match available {
        Some(avail) if needed > avail => Err(CliError::InvalidArgument {
            flag: "n",
            reason: format!(
                "{n} particles{context} need about {:.1} GiB of memory, \
                 but only {:.1} GiB is available",
                needed as f64 / GIB,
                avail as f64 / GIB
            ),
        }),
        _ => Ok(()),
    }
}

/// Memory available to new allocations (Linux `MemAvailable`), if known.
pub(crate) fn available() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_check_names_the_size() {
        assert!(check(1000, 100, "", Some(1 << 30)).is_ok());
        assert!(check(usize::MAX, 100, "", None).is_ok()); // unknown: no check
        let e = check(1 << 40, 100, " with nd = 4", Some(1 << 30)).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("--n") && msg.contains("GiB") && msg.contains("nd = 4"),
            "{msg}"
        );
    }
}
