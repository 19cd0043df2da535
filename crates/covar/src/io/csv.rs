//! Particle CSV: a header `x,y,z,px,py,pz,m,q`, then one particle a row.
//!
//! Values are written in Rust's shortest round-trip form, so a state written
//! and read back is bit-for-bit the same. Reading reports the line and column
//! of any problem.

use std::io::{BufRead, Write};
use std::path::Path;

use covar_store::{DVec3, Particle, ParticleStore};

/// The header, also the column order.
pub const HEADER: [&str; 8] = ["x", "y", "z", "px", "py", "pz", "m", "q"];

/// A problem with a particle CSV file.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The first line is not the expected header.
    #[error("{path}: line 1: header is `{found}`, expected `{}`", HEADER.join(","))]
    Header {
        /// The file.
        path: String,
        /// What the first line was.
        found: String,
    },
    /// A row has the wrong number of fields.
    #[error("{path}: line {line}: {found} fields, expected 8 ({})", HEADER.join(","))]
    Fields {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// How many fields it has.
        found: usize,
    },
    /// A field is not a finite number, or a mass is not positive.
    #[error("{path}: line {line} (particle {particle}): column `{column}` is `{value}` ({why})")]
    Value {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// 0-based particle index.
        particle: usize,
        /// The column name.
        column: &'static str,
        /// The text found.
        value: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The file has a header but no particles.
    #[error("{path}: no particles (only a header)")]
    Empty {
        /// The file.
        path: String,
    },
}

/// Reads a particle CSV file.
///
/// # Errors
///
/// [`CsvError`] naming the file, line and column.
pub fn read(path: &Path) -> Result<ParticleStore, CsvError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| CsvError::Io {
        path: name.clone(),
        source,
    })?;
    parse(std::io::BufReader::new(file), &name)
}

/// Parses particle CSV text from `reader`; `name` labels errors.
///
/// # Errors
///
/// [`CsvError`] naming the line and column.
pub fn parse(reader: impl BufRead, name: &str) -> Result<ParticleStore, CsvError> {
    let io = |source| CsvError::Io {
        path: name.to_string(),
        source,
    };
    let mut lines = reader.lines();
    let header = lines.next().transpose().map_err(io)?.unwrap_or_default();
    let fields: Vec<&str> = header.trim().split(',').map(str::trim).collect();
    if fields != HEADER {
        return Err(CsvError::Header {
            path: name.to_string(),
            found: header.trim().to_string(),
        });
    }
    let mut store = ParticleStore::new();
    for (k, line) in lines.enumerate() {
        let line = line.map_err(io)?;
        let lineno = k + 2;
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() != 8 {
            return Err(CsvError::Fields {
                path: name.to_string(),
                line: lineno,
                found: cols.len(),
            });
        }
        let mut v = [0.0; 8];
        for (c, text) in cols.iter().enumerate() {
            let bad = |why| CsvError::Value {
                path: name.to_string(),
                line: lineno,
                particle: store.len(),
                column: HEADER[c],
                value: text.to_string(),
                why,
            };
            let x: f64 = text.parse().map_err(|_| bad("not a number"))?;
            if !x.is_finite() {
                return Err(bad("must be finite"));
            }
            if c == 6 && x <= 0.0 {
                return Err(bad("mass must be > 0"));
            }
            v[c] = x;
        }
        store.push(Particle::new(
            DVec3::new(v[0], v[1], v[2]),
            DVec3::new(v[3], v[4], v[5]),
            v[6],
            v[7],
        ));
    }
    if store.is_empty() {
        return Err(CsvError::Empty {
            path: name.to_string(),
        });
    }
    Ok(store)
}

/// Formats `store` as particle CSV (shortest round-trip decimal values).
pub fn format(store: &ParticleStore) -> String {
    let mut out = Vec::new();
    format_into(store, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("CSV text is UTF-8")
}

/// Writes the CSV of [`format()`] to `out`, a row at a time.
///
/// # Errors
///
/// Any error of `out`.
pub fn format_into(store: &ParticleStore, out: &mut impl std::io::Write) -> std::io::Result<()> {
    writeln!(out, "{}", HEADER.join(","))?;
    for p in store.iter() {
        let v = p.values();
        for (c, x) in v.iter().enumerate() {
            let sep = if c == 7 { '\n' } else { ',' };
            write!(out, "{x:?}{sep}")?;
        }
    }
    Ok(())
}

/// Writes `store` as particle CSV to `path`, through a temporary file in the
/// same folder renamed into place, so an existing file is never left half
/// written.
///
/// # Errors
///
/// [`CsvError::Io`] naming the file.
pub fn write(store: &ParticleStore, path: &Path) -> Result<(), CsvError> {
    write_atomically_with(path, |w| format_into(store, w)).map_err(|source| CsvError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, renames it
/// over `path` and syncs the folder, so that `path` holds either its old
/// contents or the new ones, whole, whenever the program or the machine
/// stops. A temporary file left by a failed write is removed.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |w| w.write_all(bytes))
}

/// [`write_atomically`] with the contents written by `fill` through a
/// buffer, so that a large file is never held whole in memory.
pub(crate) fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        fill(&mut w)?;
        let f = w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // The rename is durable once the folder's entry is on disk (POSIX;
    // other systems cannot open a folder as a file).
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use covar_store::ic::Plummer;

    #[test]
    fn round_trip_is_bit_exact() {
        let store = Plummer::new(100, 3).generate().unwrap();
        let text = format(&store);
        let back = parse(text.as_bytes(), "mem").unwrap();
        assert_eq!(back.len(), store.len());
        for (a, b) in store.iter().zip(back.iter()) {
            assert_eq!(
                a.position.to_array().map(f64::to_bits),
                b.position.to_array().map(f64::to_bits)
            );
            assert_eq!(
                a.momentum.to_array().map(f64::to_bits),
                b.momentum.to_array().map(f64::to_bits)
            );
            assert_eq!(a.mass.to_bits(), b.mass.to_bits());
            assert_eq!(a.charge.to_bits(), b.charge.to_bits());
        }
    }

    #[test]
    fn written_file_is_the_formatted_text() {
        // More text than the write buffer holds (1 MiB).
        let store = Plummer::new(20_000, 4).generate().unwrap();
        let dir = std::env::temp_dir().join(format!("covar-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.csv");
        write(&store, &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() > 1 << 20);
        assert_eq!(text, format(&store));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            ("x,y,z\n1,2,3\n", "line 1: header"),
            ("x,y,z,px,py,pz,m,q\n0,0,0,0,0,0,1\n", "line 2: 7 fields"),
            (
                "x,y,z,px,py,pz,m,q\n0,0,0,0,0,0,1,1\n0,0,nan,0,0,0,1,1\n",
                "line 3 (particle 1): column `z` is `nan` (must be finite)",
            ),
            (
                "x,y,z,px,py,pz,m,q\n0,0,0,0,0,0,0,1\n",
                "column `m` is `0` (mass must be > 0)",
            ),
            (
                "x,y,z,px,py,pz,m,q\n0,0,0,abc,0,0,1,1\n",
                "column `px` is `abc` (not a number)",
            ),
            ("x,y,z,px,py,pz,m,q\n", "no particles"),
        ];
        for (text, want) in cases {
            let e = parse(text.as_bytes(), "ic.csv").unwrap_err().to_string();
            assert!(e.contains(want), "`{e}` lacks `{want}`");
            assert!(e.starts_with("ic.csv"), "{e}");
        }
    }
}
