//! Reading a checkpoint's bytes: every length is checked against what is
//! there, so that no input, however damaged, panics or allocates beyond
//! its own size.

use covar_integrate::Couplings;
use covar_integrate::integrator::NAMES;
use covar_kernel::{Softening, SofteningKernel};
use covar_store::{DVec3, Particle, ParticleStore};

use super::{
    Checkpoint, CheckpointError, Counters, FORMAT_VERSION, HEADER_LEN, MAGIC, TRAILER_LEN,
};

/// Parses and checks a checkpoint: magic, version, length, checksum, then
/// every field of the payload; the particles are validated (finite values,
/// masses `> 0`) and so are the couplings.
///
/// # Errors
///
/// The first [`CheckpointError`] found, in that order.
///
/// # Examples
///
/// ```
/// use covar::io::checkpoint::{CheckpointError, decode};
/// let e = decode(b"COVARCKP\x03\x00\x00\x00").unwrap_err();
/// assert!(matches!(e, CheckpointError::Version { found: 3, supported: 2 }));
/// assert_eq!(e.to_string(), "written by format version 3, this build reads versions 1 to 2");
/// ```
pub fn decode(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
    let len = bytes.len() as u64;
    let magic_len = MAGIC.len().min(bytes.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(CheckpointError::Magic {
            found: bytes[..magic_len].escape_ascii().to_string(),
        });
    }
    let truncated = |expected: u64| CheckpointError::Truncated { at: len, expected };
    let header =
        |range: std::ops::Range<usize>| bytes.get(range).ok_or(truncated(HEADER_LEN as u64));
    let version = u32::from_le_bytes(array(header(8..12)?));
    if !(1..=FORMAT_VERSION).contains(&version) {
        return Err(CheckpointError::Version {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let payload_len = u64::from_le_bytes(array(header(12..20)?));
    let expected = payload_len
        .checked_add((HEADER_LEN + TRAILER_LEN) as u64)
        .ok_or_else(|| CheckpointError::Field {
            field: "payload length",
            at: 12,
            reason: format!("{payload_len} bytes is more than any file holds"),
        })?;
    if len < expected {
        return Err(truncated(expected));
    }
    if len > expected {
        return Err(CheckpointError::Trailing {
            extra: len - expected,
            len,
            expected,
        });
    }
    let body = bytes.len() - TRAILER_LEN;
    let stored = u32::from_le_bytes(array(&bytes[body..]));
    let computed = crc32fast::hash(&bytes[..body]);
    if stored != computed {
        return Err(CheckpointError::Checksum { stored, computed });
    }
    let mut r = Reader {
        bytes: &bytes[..body],
        pos: HEADER_LEN,
    };
    let settings = r.string("settings")?;
    let at = r.pos;
    let integrator = r.string("integrator")?;
    if !NAMES.contains(&integrator.as_str()) {
        return Err(CheckpointError::Field {
            field: "integrator",
            at: at as u64,
            reason: format!(
                "unknown integrator `{}` (expected one of: {})",
                integrator.escape_debug(),
                NAMES.join(", ")
            ),
        });
    }
    let step = r.u64("step")?;
    let at = r.pos;
    let time = r.f64("time")?;
    if !time.is_finite() {
        return Err(CheckpointError::Field {
            field: "time",
            at: at as u64,
            reason: format!("{time} (must be finite)"),
        });
    }
    let (k, mu, length) = (r.f64("k")?, r.f64("mu")?, r.f64("softening")?);
    let kernel = if version >= 2 {
        let at = r.pos;
        let name = r.string("softening-kernel")?;
        name.parse::<SofteningKernel>()
            .map_err(|reason| CheckpointError::Field {
                field: "softening-kernel",
                at: at as u64,
                reason,
            })?
    } else {
        SofteningKernel::Plummer
    };
    let couplings = Couplings {
        k,
        mu,
        softening: Softening::new(kernel, length),
    };
    couplings.validate()?;
    let at = r.pos;
    let n = r.count("n", 8 * 8)?;
    if n == 0 {
        return Err(CheckpointError::Field {
            field: "n",
            at: at as u64,
            reason: "no particles (a run has at least one)".into(),
        });
    }
    const COLUMNS: [&str; 8] = ["x", "y", "z", "px", "py", "pz", "m", "q"];
    let mut cols: [&[u8]; 8] = [&[]; 8];
    for (col, name) in cols.iter_mut().zip(COLUMNS) {
        *col = r.take(name, 8 * n)?;
    }
    let value = |c: usize, i: usize| f64::from_le_bytes(array(&cols[c][8 * i..8 * i + 8]));
    let mut particles = ParticleStore::with_capacity(n);
    for i in 0..n {
        particles.push(Particle::new(
            DVec3::new(value(0, i), value(1, i), value(2, i)),
            DVec3::new(value(3, i), value(4, i), value(5, i)),
            value(6, i),
            value(7, i),
        ));
    }
    particles.validate()?;
    let integrator_state = r.f64s("integrator-state")?;
    let monitor = r.f64s("monitor")?;
    let counters = Counters {
        energy_rows: r.u64("energy-rows")?,
        snapshots: r.u64("snapshots")?,
        force_evaluations: r.u64("force-evaluations")?,
        cap_hits: r.u64("cap-hits")?,
    };
    if r.pos != r.bytes.len() {
        return Err(CheckpointError::Field {
            field: "cap-hits",
            at: r.pos as u64,
            reason: format!(
                "{} bytes left over before the checksum",
                r.bytes.len() - r.pos
            ),
        });
    }
    Ok(Checkpoint {
        settings,
        integrator,
        step,
        time,
        couplings,
        particles,
        integrator_state,
        monitor,
        counters,
    })
}

/// The first `N` bytes of `b` (which has at least `N`).
fn array<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

/// A cursor over the payload whose every read is bounds-checked.
struct Reader<'a> {
    /// The file up to the checksum.
    bytes: &'a [u8],
    /// Offset of the next field in the file.
    pos: usize,
}

impl<'a> Reader<'a> {
    /// The next `len` bytes of field `field`.
    fn take(&mut self, field: &'static str, len: usize) -> Result<&'a [u8], CheckpointError> {
        let left = self.bytes.len() - self.pos;
        if len > left {
            return Err(CheckpointError::Field {
                field,
                at: self.pos as u64,
                reason: format!("needs {len} bytes, the payload has {left} left"),
            });
        }
        let out = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(out)
    }

    fn u64(&mut self, field: &'static str) -> Result<u64, CheckpointError> {
        Ok(u64::from_le_bytes(array(self.take(field, 8)?)))
    }

    fn f64(&mut self, field: &'static str) -> Result<f64, CheckpointError> {
        Ok(f64::from_le_bytes(array(self.take(field, 8)?)))
    }

    /// A count of items of `size` bytes that must fit in what is left.
    fn count(&mut self, field: &'static str, size: usize) -> Result<usize, CheckpointError> {
        let at = self.pos;
        let count = self.u64(field)?;
        let left = (self.bytes.len() - self.pos) as u64;
        if count.checked_mul(size as u64).is_none_or(|b| b > left) {
            return Err(CheckpointError::Field {
                field,
                at: at as u64,
                reason: format!(
                    "a count of {count} (of {size} bytes each) is more than the {left} bytes left"
                ),
            });
        }
        Ok(count as usize)
    }

    fn f64s(&mut self, field: &'static str) -> Result<Vec<f64>, CheckpointError> {
        let count = self.count(field, 8)?;
        let bytes = self.take(field, 8 * count)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(array(b)))
            .collect())
    }

    fn string(&mut self, field: &'static str) -> Result<String, CheckpointError> {
        let count = self.count(field, 1)?;
        let at = self.pos;
        let bytes = self.take(field, count)?;
        String::from_utf8(bytes.to_vec()).map_err(|e| CheckpointError::Field {
            field,
            at: at as u64,
            reason: format!("not UTF-8 ({e})"),
        })
    }
}
