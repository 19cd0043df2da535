//! Measurement arrays in NumPy's `.npy` format (versions 1.0, 2.0, 3.0).

use std::io::Read;

use super::{Data, ReadProgress, Rows};
use crate::error::InferError;
use crate::stats::CHUNK_ROWS;

/// The element types read: bool, signed and unsigned integers, floats.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Bool,
    Int,
    Uint,
    Float,
}

/// A parsed `descr`.
#[derive(Clone, Copy, Debug)]
struct Dtype {
    kind: Kind,
    size: usize,
    big_endian: bool,
}

impl Dtype {
    /// Parses a simple `descr` such as `'<f8'`, `'|b1'`, `'<i4'`.
    fn parse(descr: &str) -> Option<Self> {
        let b = descr.as_bytes();
        if b.len() < 3 {
            return None;
        }
        let big_endian = match b[0] {
            b'<' | b'|' | b'=' => false,
            b'>' => true,
            _ => return None,
        };
        let kind = match b[1] {
            b'b' | b'?' => Kind::Bool,
            b'i' => Kind::Int,
            b'u' => Kind::Uint,
            b'f' => Kind::Float,
            _ => return None,
        };
        let size: usize = descr[2..].parse().ok()?;
        let ok = match kind {
            Kind::Bool => size == 1,
            Kind::Int | Kind::Uint => matches!(size, 1 | 2 | 4 | 8),
            Kind::Float => matches!(size, 4 | 8),
        };
        ok.then_some(Self {
            kind,
            size,
            big_endian,
        })
    }

    /// The value of one element.
    fn value(self, bytes: &[u8]) -> f64 {
        let mut buf = [0u8; 8];
        buf[..self.size].copy_from_slice(bytes);
        if self.big_endian {
            buf[..self.size].reverse();
        }
        let raw = u64::from_le_bytes(buf);
        match (self.kind, self.size) {
            (Kind::Bool | Kind::Uint, _) => raw as f64,
            (Kind::Int, n) => {
                let shift = 64 - 8 * n as u32;
                ((raw << shift) as i64 >> shift) as f64
            }
            (Kind::Float, 4) => f64::from(f32::from_bits(raw as u32)),
            (Kind::Float, _) => f64::from_bits(raw),
        }
    }
}

/// Reads a 2-D `.npy` array of shape `(T, M)` from `reader`; `path` labels
/// errors. `progress` is called every [`CHUNK_ROWS`] rows and at the end.
///
/// # Errors
///
/// [`InferError::Npy`] for a header that is not a C-ordered 2-D array of a
/// supported dtype, or a truncated file; the errors of the values (naming
/// row and column) as for CSV.
pub fn read_npy(
    mut reader: impl Read,
    path: &str,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<Data, InferError> {
    let npy = |reason: String| InferError::Npy {
        path: path.to_string(),
        reason,
    };
    let mut magic = [0u8; 8];
    reader
        .read_exact(&mut magic)
        .map_err(|_| npy("shorter than the 8-byte magic string".into()))?;
    if &magic[..6] != b"\x93NUMPY" {
        return Err(npy("not a .npy file (no \\x93NUMPY magic string)".into()));
    }
    let header_len = match magic[6] {
        1 => {
            let mut l = [0u8; 2];
            reader
                .read_exact(&mut l)
                .map_err(|_| npy("truncated header length".into()))?;
            usize::from(u16::from_le_bytes(l))
        }
        2 | 3 => {
            let mut l = [0u8; 4];
            reader
                .read_exact(&mut l)
                .map_err(|_| npy("truncated header length".into()))?;
            u32::from_le_bytes(l) as usize
        }
        v => {
            return Err(npy(format!(
                "format version {v}.{} is not supported",
                magic[7]
            )));
        }
    };
    let mut header = vec![0u8; header_len];
    reader
        .read_exact(&mut header)
        .map_err(|_| npy(format!("truncated header ({header_len} bytes announced)")))?;
    let header = String::from_utf8_lossy(&header);
    let descr = dict_value(&header, "descr")
        .ok_or_else(|| npy(format!("no 'descr' in header `{}`", header.trim())))?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let dtype = Dtype::parse(descr).ok_or_else(|| {
        npy(format!(
            "dtype `{descr}` is not supported (bool, integers or floats)"
        ))
    })?;
    if dict_value(&header, "fortran_order").is_some_and(|v| v.starts_with("True")) {
        return Err(npy(
            "the array is in Fortran order; save it with np.ascontiguousarray".into(),
        ));
    }
    let shape = dict_value(&header, "shape")
        .ok_or_else(|| npy(format!("no 'shape' in header `{}`", header.trim())))?;
    let dims: Vec<usize> = shape
        .trim_start_matches('(')
        .split(')')
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| npy(format!("unreadable shape `{shape}`")))?;
    let [t, m] = dims[..] else {
        return Err(npy(format!(
            "shape {shape} has {} dimensions; expected 2, (time steps, variables)",
            dims.len()
        )));
    };
    if m == 0 {
        return Err(InferError::Empty {
            path: path.to_string(),
            what: "the array has no columns",
        });
    }
    let mut rows = Rows::new(path);
    let mut buf = vec![0u8; m * dtype.size];
    let mut bytes = (8 + header_len + if magic[6] == 1 { 2 } else { 4 }) as u64;
    for row in 0..t {
        reader.read_exact(&mut buf).map_err(|_| {
            npy(format!(
                "truncated: the header announces {t} rows, the data ends in row {row}"
            ))
        })?;
        bytes += buf.len() as u64;
        rows.start(m, None)?;
        for (column, el) in buf.chunks_exact(dtype.size).enumerate() {
            rows.number(dtype.value(el), column)?;
        }
        rows.end()?;
        if (row + 1).is_multiple_of(CHUNK_ROWS) {
            progress(ReadProgress {
                rows: row as u64 + 1,
                bytes,
            });
        }
    }
    progress(ReadProgress {
        rows: t as u64,
        bytes,
    });
    rows.finish(None)
}

/// The text of `key`'s value in a Python dict literal (up to the next
/// top-level comma).
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))?;
    let rest = &header[at + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' | '}' if depth == 0 => return Some(rest[..i].trim()),
            _ => {}
        }
    }
    Some(rest.trim())
}

/// The `.npy` (version 1.0) encoding of a C-ordered `(t, m)` array of
/// `i8` values, as NumPy writes it; for tests and examples.
///
/// # Examples
///
/// ```
/// use covar_infer::data::{encode_npy_i8, read_npy};
/// let bytes = encode_npy_i8(&[1, -1, -1, 1, 1, 1], 3, 2);
/// let data = read_npy(&bytes[..], "mem.npy", &mut |_| {})?;
/// assert_eq!(data.moments.rows(), 3);
/// # Ok::<(), covar_infer::InferError>(())
/// ```
pub fn encode_npy_i8(values: &[i8], t: usize, m: usize) -> Vec<u8> {
    let mut header = format!("{{'descr': '|i1', 'fortran_order': False, 'shape': ({t}, {m}), }}");
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend(values.iter().map(|&v| v as u8));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtypes_decode() {
        let f = Dtype::parse("<f4").unwrap();
        assert_eq!(f.value(&(-1.0f32).to_le_bytes()), -1.0);
        let i = Dtype::parse(">i2").unwrap();
        assert_eq!(i.value(&(-1i16).to_be_bytes()), -1.0);
        let b = Dtype::parse("|b1").unwrap();
        assert_eq!(b.value(&[1]), 1.0);
        let u = Dtype::parse("<u8").unwrap();
        assert_eq!(u.value(&7u64.to_le_bytes()), 7.0);
        assert!(Dtype::parse("<c16").is_none());
        assert!(Dtype::parse("<f2").is_none());
    }

    #[test]
    fn header_values() {
        let h = "{'descr': '<f8', 'fortran_order': False, 'shape': (10, 3), }";
        assert_eq!(dict_value(h, "descr"), Some("'<f8'"));
        assert_eq!(dict_value(h, "fortran_order"), Some("False"));
        assert_eq!(dict_value(h, "shape"), Some("(10, 3)"));
    }
}
