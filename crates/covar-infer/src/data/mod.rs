//! Binary measurement streams: `T` time steps (rows) of `M` variables
//! (columns), from CSV text or a NumPy `.npy` array, read once into
//! [`Moments`].
//!
//! Values are `-1`/`+1` (the seed's spins) or `0`/`1` (bits, mapped to spins
//! by `b = 2v - 1`); a file uses one encoding throughout. Every problem is an
//! [`InferError`] naming the row and column: a value that is not binary,
//! mixed encodings, a ragged row, a constant variable, a truncated file.
//!
//! - CSV ([`read_csv`]): one time step a line, values separated by commas;
//!   an optional header line of variable names (a first line with any field
//!   that is not a number); blank lines are skipped.
//! - `.npy` ([`read_npy`]): a 2-D array of shape `(T, M)` in C order, of
//!   dtype bool, any integer or float width, either byte order.

mod csv;
mod npy;

use std::path::Path;

pub use csv::read_csv;
pub use npy::{encode_npy_i8, read_npy};

use crate::error::InferError;
use crate::stats::{Accumulator, Moments};

/// The encoding of a file's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// `-1` and `+1` (also a file of `+1` only).
    Spin,
    /// `0` and `1`.
    Bit,
}

impl Encoding {
    /// The values in words.
    pub fn describe(self) -> &'static str {
        match self {
            Encoding::Spin => "-1/+1",
            Encoding::Bit => "0/1",
        }
    }
}

/// A file format of measurement data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text.
    Csv,
    /// NumPy `.npy`.
    Npy,
}

impl Format {
    /// The format a file name implies: `.npy` is NumPy, anything else CSV.
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("npy") => Format::Npy,
            _ => Format::Csv,
        }
    }
}

/// How far a reader has got, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadProgress {
    /// Rows (time steps) read.
    pub rows: u64,
    /// Bytes read.
    pub bytes: u64,
}

/// What a file held: the moments of its variables and how it was written.
#[derive(Clone, Debug)]
pub struct Data {
    /// The counts behind means and correlations.
    pub moments: Moments,
    /// Column names from a CSV header (`None` without one).
    pub names: Option<Vec<String>>,
    /// The values' encoding.
    pub encoding: Encoding,
}

impl Data {
    /// The name of column `j`: the header's, or `b<j>`.
    pub fn name(&self, j: usize) -> String {
        self.names
            .as_ref()
            .and_then(|n| n.get(j).cloned())
            .unwrap_or_else(|| format!("b{j}"))
    }
}

/// Reads a data file, CSV or `.npy` by its extension, calling `progress`
/// every few thousand rows.
///
/// # Errors
///
/// [`InferError`] naming the file, row and column.
pub fn read(path: &Path, progress: &mut dyn FnMut(ReadProgress)) -> Result<Data, InferError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(InferError::io(&name))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    match Format::of_path(path) {
        Format::Csv => read_csv(reader, &name, progress),
        Format::Npy => read_npy(reader, &name, progress),
    }
}

/// [`Data`] from `t` rows of `m` values in memory (row-major: value `j`
/// of row `r` is `values[r * m + j]`), with the rules and errors of the
/// files (`label` names the array in them).
///
/// # Errors
///
/// [`InferError`] naming the row and column: a value that is not binary,
/// mixed encodings, a constant variable; an empty array.
///
/// # Examples
///
/// ```
/// use covar_infer::data::from_values;
/// let d = from_values(&[1.0, -1.0, -1.0, 1.0, 1.0, 1.0], 3, 2, "x")?;
/// assert_eq!((d.moments.rows(), d.moments.variables()), (3, 2));
/// let e = from_values(&[1.0, 0.5, -1.0, 1.0], 2, 2, "x").unwrap_err();
/// assert!(e.to_string().contains("row 0"), "{e}");
/// # Ok::<(), covar_infer::InferError>(())
/// ```
pub fn from_values(values: &[f64], t: usize, m: usize, label: &str) -> Result<Data, InferError> {
    assert_eq!(values.len(), t * m, "from_values: {t} rows of {m} values");
    let mut rows = Rows::new(label);
    if m == 0 {
        return Err(InferError::Empty {
            path: label.to_string(),
            what: "the array has no columns",
        });
    }
    for chunk in values.chunks_exact(m) {
        rows.start(m, None)?;
        for (column, &x) in chunk.iter().enumerate() {
            rows.number(x, column)?;
        }
        rows.end()?;
    }
    rows.finish(None)
}

/// One parsed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value {
    Plus,
    Minus,
    Zero,
}

/// Builds [`Data`] from validated rows: tracks the encoding, feeds the
/// accumulator, checks for constant columns at the end.
struct Rows<'a> {
    path: &'a str,
    acc: Option<Accumulator>,
    plus: Vec<bool>,
    /// Where a `-1` and a `0` were first seen (row, column, text).
    minus_at: Option<(usize, usize, String)>,
    zero_at: Option<(usize, usize, String)>,
}

impl<'a> Rows<'a> {
    fn new(path: &'a str) -> Self {
        Self {
            path,
            acc: None,
            plus: Vec::new(),
            minus_at: None,
            zero_at: None,
        }
    }

    /// Rows accepted so far.
    fn count(&self) -> u64 {
        self.acc.as_ref().map_or(0, Accumulator::rows)
    }

    /// Starts a row of `m` values, checking its length against the first.
    fn start(&mut self, m: usize, line: Option<usize>) -> Result<(), InferError> {
        let row = self.count() as usize;
        match &self.acc {
            None => {
                if m == 0 {
                    return Err(InferError::Empty {
                        path: self.path.to_string(),
                        what: "the first row has no values",
                    });
                }
                self.acc = Some(Accumulator::new(m)?);
            }
            Some(acc) if acc.variables() != m => {
                return Err(InferError::Ragged {
                    path: self.path.to_string(),
                    row,
                    line,
                    found: m,
                    expected: acc.variables(),
                });
            }
            Some(_) => {}
        }
        self.plus.clear();
        Ok(())
    }

    /// Adds value `v` (its text `text`) at `column` of the current row.
    fn value(
        &mut self,
        v: Value,
        column: usize,
        line: Option<usize>,
        text: impl FnOnce() -> String,
    ) -> Result<(), InferError> {
        let row = self.count() as usize;
        let (mine, other) = match v {
            Value::Plus => {
                self.plus.push(true);
                return Ok(());
            }
            Value::Minus => (&mut self.minus_at, &self.zero_at),
            Value::Zero => (&mut self.zero_at, &self.minus_at),
        };
        if let Some((first_row, first_column, first_value)) = other {
            return Err(InferError::MixedEncoding {
                path: self.path.to_string(),
                row,
                line,
                column,
                value: text(),
                first_row: *first_row,
                first_column: *first_column,
                first_value: first_value.clone(),
            });
        }
        if mine.is_none() {
            *mine = Some((row, column, text()));
        }
        self.plus.push(false);
        Ok(())
    }

    /// Adds the number `x` at `column` of the current row of an array (no
    /// line, no column names): it must be -1, 0 or 1.
    fn number(&mut self, x: f64, column: usize) -> Result<(), InferError> {
        let value = classify(x).ok_or_else(|| InferError::NotBinary {
            path: self.path.to_string(),
            row: self.count() as usize,
            line: None,
            column,
            name: None,
            value: format!("{x}"),
        })?;
        self.value(value, column, None, || format!("{x}"))
    }

    /// Ends the current row.
    fn end(&mut self) -> Result<(), InferError> {
        match &mut self.acc {
            Some(acc) => acc.push_row(&self.plus),
            None => Ok(()),
        }
    }

    /// The moments, after checking that there are rows and that no
    /// variable is constant.
    fn finish(self, names: Option<Vec<String>>) -> Result<Data, InferError> {
        let Some(acc) = self.acc else {
            return Err(InferError::Empty {
                path: self.path.to_string(),
                what: "no rows",
            });
        };
        let moments = acc.finish();
        if let Some((column, value)) = moments.first_constant() {
            return Err(InferError::Constant {
                path: self.path.to_string(),
                column,
                name: names.as_ref().and_then(|n| n.get(column).cloned()),
                value,
                rows: moments.rows(),
            });
        }
        let encoding = if self.zero_at.is_some() {
            Encoding::Bit
        } else {
            Encoding::Spin
        };
        Ok(Data {
            moments,
            names,
            encoding,
        })
    }
}

/// Classifies a number as a binary value.
fn classify(x: f64) -> Option<Value> {
    if x == 1.0 {
        Some(Value::Plus)
    } else if x == -1.0 {
        Some(Value::Minus)
    } else if x == 0.0 {
        Some(Value::Zero)
    } else {
        None
    }
}
