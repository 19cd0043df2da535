//! NumPy `.npy` snapshots (format version 1.0) of the particle state, as a
//! structured array with one record per particle and the fields
//! `id` (`<u8`) and `x y z px py pz m q` (`<f8`), so that
//! `np.load("snapshot.npy")["x"]` works with numpy alone. [`read`] takes
//! these files back (and only this layout).

use std::io::Write;
use std::path::Path;

use covar_store::{DVec3, Particle, ParticleStore};

use super::csv::write_atomically_with;

/// The record layout, as numpy's `descr`.
const DESCR: &str = "[('id', '<u8'), ('x', '<f8'), ('y', '<f8'), ('z', '<f8'), ('px', '<f8'), \
                     ('py', '<f8'), ('pz', '<f8'), ('m', '<f8'), ('q', '<f8')]";

/// Bytes per record.
pub const RECORD: usize = 9 * 8;

/// The `.npy` encoding of `store`.
pub fn encode(store: &ParticleStore) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + store.len() * RECORD);
    encode_into(store, &mut out).expect("writing to memory cannot fail");
    out
}

/// Writes the `.npy` encoding of `store` to `out`, a record at a time.
///
/// # Errors
///
/// Any error of `out`.
pub fn encode_into(store: &ParticleStore, out: &mut impl Write) -> std::io::Result<()> {
    let n = store.len();
    let mut header = format!("{{'descr': {DESCR}, 'fortran_order': False, 'shape': ({n},), }}");
    // Magic (6) + version (2) + length (2) + header + '\n', padded to 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    out.write_all(b"\x93NUMPY\x01\x00")?;
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    let mut record = [0u8; RECORD];
    for p in store.iter() {
        record[..8].copy_from_slice(&p.id.to_le_bytes());
        for (k, v) in p.values().into_iter().enumerate() {
            record[8 * (k + 1)..][..8].copy_from_slice(&v.to_le_bytes());
        }
        out.write_all(&record)?;
    }
    Ok(())
}

/// Writes a snapshot of `store` to `path` atomically.
///
/// # Errors
///
/// Any I/O error.
pub fn write(store: &ParticleStore, path: &Path) -> std::io::Result<()> {
    write_atomically_with(path, |w| encode_into(store, w))
}

/// A `.npy` file that is not a covar snapshot, or cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct NpyError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// Reads a snapshot written by [`write()`]. Particles take the store's ids
/// `0..N` in file order.
///
/// # Errors
///
/// [`NpyError`] naming the file: unreadable, not `.npy` version 1.0, another
/// record layout, truncated, or a value out of range (naming the particle
/// and field).
pub fn read(path: &Path) -> Result<ParticleStore, NpyError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| NpyError {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    decode(&bytes, &name)
}

/// Decodes the bytes of a snapshot written by [`encode`]; `name` labels
/// errors.
///
/// # Errors
///
/// As [`read`].
pub fn decode(bytes: &[u8], name: &str) -> Result<ParticleStore, NpyError> {
    let err = |reason: String| NpyError {
        path: name.to_string(),
        reason,
    };
    if bytes.len() < 10 || &bytes[..8] != b"\x93NUMPY\x01\x00" {
        return Err(err("not a NumPy .npy file of format version 1.0".into()));
    }
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = bytes
        .get(10..10 + hlen)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| err("truncated or unreadable header".into()))?;
    if !header.contains(&format!("'descr': {DESCR}")) || !header.contains("'fortran_order': False")
    {
        return Err(err(format!(
            "not a covar snapshot: the header is `{}`, expected the fields {DESCR}",
            header.trim()
        )));
    }
    let n: usize = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| {
            err(format!(
                "no one-dimensional shape in the header `{}`",
                header.trim()
            ))
        })?;
    let data = &bytes[10 + hlen..];
    if data.len() != n * RECORD {
        return Err(err(format!(
            "{} bytes of records, expected {} ({n} records of {RECORD} bytes)",
            data.len(),
            n * RECORD
        )));
    }
    if n == 0 {
        return Err(err("no particles".into()));
    }
    const FIELDS: [&str; 8] = ["x", "y", "z", "px", "py", "pz", "m", "q"];
    let mut store = ParticleStore::with_capacity(n);
    for (i, rec) in data.chunks_exact(RECORD).enumerate() {
        let mut v = [0.0; 8];
        for (c, x) in v.iter_mut().enumerate() {
            let at = 8 + 8 * c;
            *x = f64::from_le_bytes(rec[at..at + 8].try_into().expect("8 bytes"));
            let why = if !x.is_finite() {
                Some("must be finite")
            } else if c == 6 && *x <= 0.0 {
                Some("mass must be > 0")
            } else {
                None
            };
            if let Some(why) = why {
                return Err(err(format!(
                    "particle {i}: field `{}` is {x} ({why})",
                    FIELDS[c]
                )));
            }
        }
        store.push(Particle::new(
            DVec3::new(v[0], v[1], v[2]),
            DVec3::new(v[3], v[4], v[5]),
            v[6],
            v[7],
        ));
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;
    use covar_store::ic::UniformCube;

    #[test]
    fn header_is_aligned_and_records_are_packed() {
        let store = UniformCube::new(5, 1).generate().unwrap();
        let bytes = encode(&store);
        assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
        let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0, "data starts on a 64-byte boundary");
        assert_eq!(bytes[10 + hlen - 1], b'\n');
        assert_eq!(bytes.len(), 10 + hlen + 5 * RECORD);
        let rec = &bytes[10 + hlen + 2 * RECORD..10 + hlen + 3 * RECORD];
        assert_eq!(
            u64::from_le_bytes(rec[..8].try_into().unwrap()),
            store.id(2)
        );
        let x = f64::from_le_bytes(rec[8..16].try_into().unwrap());
        assert_eq!(x.to_bits(), store.position(2).x.to_bits());
    }

    #[test]
    fn written_file_is_the_encoding_and_reads_back() {
        // More records than the write buffer holds (1 MiB / 72 bytes).
        let store = UniformCube::new(20_000, 3).generate().unwrap();
        let dir = std::env::temp_dir().join(format!("covar-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.npy");
        write(&store, &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), encode(&store));
        assert_eq!(read(&path).unwrap(), store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn decode_reverses_encode_bit_for_bit() {
        let store = UniformCube::new(37, 2).generate().unwrap();
        let back = decode(&encode(&store), "mem").unwrap();
        assert_eq!(back, store);
    }

    #[test]
    fn bad_files_are_named_errors() {
        let store = UniformCube::new(4, 2).generate().unwrap();
        let bytes = encode(&store);
        let e = decode(&bytes[..bytes.len() - 1], "s.npy")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("s.npy: ") && e.contains("expected 288"),
            "{e}"
        );
        let e = decode(b"x,y,z", "s.npy").unwrap_err().to_string();
        assert!(e.contains("not a NumPy"), "{e}");
        let mut bad = bytes.clone();
        let at = bytes.len() - RECORD + 8 + 6 * 8; // the last particle's mass
        bad[at..at + 8].copy_from_slice(&(-1.0f64).to_le_bytes());
        let e = decode(&bad, "s.npy").unwrap_err().to_string();
        assert!(
            e.contains("particle 3: field `m` is -1 (mass must be > 0)"),
            "{e}"
        );
    }
}
