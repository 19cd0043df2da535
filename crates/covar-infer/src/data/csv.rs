//! Measurement CSV: one time step a line, one variable a column.

use std::io::BufRead;

use super::{Data, ReadProgress, Rows, Value, classify};
use crate::error::InferError;
use crate::stats::CHUNK_ROWS;

/// Reads measurement CSV from `reader`; `path` labels errors.
///
/// The first non-blank line is a header of variable names if any of its
/// fields is not a number. `progress` is called every
/// [`CHUNK_ROWS`] rows and at the end.
///
/// # Errors
///
/// [`InferError`] naming the row (and line) and column of a value that is
/// not binary, mixed encodings or a ragged row; a constant column; no rows.
///
/// # Examples
///
/// ```
/// use covar_infer::data::read_csv;
/// let text = "a,b,c\n1,0,1\n0,1,1\n1,0,0\n";
/// let data = read_csv(text.as_bytes(), "mem.csv", &mut |_| {})?;
/// assert_eq!(data.moments.rows(), 3);
/// assert_eq!(data.name(1), "b");
/// assert_eq!(data.moments.correlation(0, 1), -1.0);
///
/// let bad = read_csv("1,0\n1,2\n".as_bytes(), "bad.csv", &mut |_| {}).unwrap_err();
/// assert_eq!(bad.to_string(),
///     "bad.csv: row 1 (line 2), column 1: `2` is not binary (expected -1/+1 or 0/1)");
/// # Ok::<(), covar_infer::InferError>(())
/// ```
pub fn read_csv(
    mut reader: impl BufRead,
    path: &str,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<Data, InferError> {
    let mut rows = Rows::new(path);
    let mut names: Option<Vec<String>> = None;
    let mut line = String::new();
    let (mut lineno, mut bytes, mut first) = (0usize, 0u64, true);
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(InferError::io(path))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        bytes += n as u64;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if first {
            first = false;
            if text.split(',').any(|f| f.trim().parse::<f64>().is_err()) {
                names = Some(text.split(',').map(|f| f.trim().to_string()).collect());
                continue;
            }
        }
        let fields = text.split(',').count();
        if let Some(h) = &names
            && h.len() != fields
        {
            return Err(InferError::Ragged {
                path: path.to_string(),
                row: rows.count() as usize,
                line: Some(lineno),
                found: fields,
                expected: h.len(),
            });
        }
        rows.start(fields, Some(lineno))?;
        for (column, field) in text.split(',').enumerate() {
            let field = field.trim();
            let value = parse(field).ok_or_else(|| InferError::NotBinary {
                path: path.to_string(),
                row: rows.count() as usize,
                line: Some(lineno),
                column,
                name: names.as_ref().and_then(|h| h.get(column).cloned()),
                value: field.to_string(),
            })?;
            rows.value(value, column, Some(lineno), || field.to_string())?;
        }
        rows.end()?;
        let done = rows.count();
        if done.is_multiple_of(CHUNK_ROWS as u64) {
            progress(ReadProgress { rows: done, bytes });
        }
    }
    progress(ReadProgress {
        rows: rows.count(),
        bytes,
    });
    rows.finish(names)
}

/// A field as a binary value: the common spellings first, then any number.
fn parse(field: &str) -> Option<Value> {
    match field {
        "1" | "+1" => Some(Value::Plus),
        "-1" => Some(Value::Minus),
        "0" => Some(Value::Zero),
        _ => field.parse::<f64>().ok().and_then(classify),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Data, InferError> {
        read_csv(text.as_bytes(), "t.csv", &mut |_| {})
    }

    #[test]
    fn spins_bits_header_and_blank_lines() {
        let d = read("x,y\n\n1,-1\n-1,1\n\n1,1\n").unwrap();
        assert_eq!(d.encoding, super::super::Encoding::Spin);
        assert_eq!(d.moments.rows(), 3);
        assert_eq!(
            d.names.as_deref(),
            Some(&["x".to_string(), "y".to_string()][..])
        );
        let b = read("1.0,0\r\n0,1\r\n").unwrap();
        assert_eq!(b.encoding, super::super::Encoding::Bit);
        assert!(b.names.is_none());
        assert_eq!(b.moments.correlation(0, 1), -1.0);
    }

    #[test]
    fn progress_reports_rows_and_bytes() {
        let mut last = ReadProgress { rows: 0, bytes: 0 };
        let text = "1,0\n0,1\n";
        read_csv(text.as_bytes(), "t.csv", &mut |p| last = p).unwrap();
        assert_eq!(last.rows, 2);
        assert_eq!(last.bytes, text.len() as u64);
    }
}
