//! Every bad input gets its own error, naming where the problem is.

use covar_infer::InferError;
use covar_infer::data::{Data, encode_npy_i8, read, read_csv, read_npy};
use covar_infer::embed::{SmacofParams, smacof};
use covar_infer::fit::{FitParams, fit};

fn csv(text: &str) -> Result<Data, InferError> {
    read_csv(text.as_bytes(), "d.csv", &mut |_| {})
}

fn npy(bytes: &[u8]) -> Result<Data, InferError> {
    read_npy(bytes, "d.npy", &mut |_| {})
}

/// The `.npy` bytes of a header dict and raw data.
fn npy_with(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut header = dict.to_string();
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn err(r: Result<Data, InferError>) -> String {
    r.expect_err("bad input must be an error").to_string()
}

#[test]
fn csv_errors_name_row_line_and_column() {
    let cases = [
        (
            "a,b,c\n1,0,1\n0,1,0.5\n",
            "d.csv: row 1 (line 3), column 2 (`c`): `0.5` is not binary (expected -1/+1 or 0/1)",
        ),
        (
            "1,-1\n-1,x\n",
            "d.csv: row 1 (line 2), column 1: `x` is not binary",
        ),
        (
            "1,-1\n1,-1\n-1,0\n",
            "d.csv: row 2 (line 3), column 1: `0` mixes encodings: row 0, column 1 was `-1`",
        ),
        (
            "1,-1,1\n-1,1\n",
            "d.csv: row 1 (line 2) has 2 values, expected 3 (as in the first row)",
        ),
        (
            "a,b,c\n1,0\n",
            "d.csv: row 0 (line 2) has 2 values, expected 3",
        ),
        (
            "x,y\n1,1\n0,1\n",
            "d.csv: column 1 (`y`) is constant (1 in all 2 rows)",
        ),
        (
            "1,0\n0,0\n",
            "d.csv: column 1 is constant (-1 in all 2 rows)",
        ),
        ("a,b\n\n", "d.csv: no data (no rows)"),
        ("", "d.csv: no data (no rows)"),
    ];
    for (text, want) in cases {
        let e = err(csv(text));
        assert!(e.contains(want), "`{e}` lacks `{want}`");
    }
}

#[test]
fn npy_errors_name_row_and_column_or_the_header() {
    let good = encode_npy_i8(&[1, -1, -1, 1], 2, 2);
    assert!(npy(&good).is_ok());
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            encode_npy_i8(&[1, -1, 1, 2], 2, 2),
            "d.npy: row 1, column 1: `2` is not binary",
        ),
        (
            encode_npy_i8(&[1, -1, 0, 1], 2, 2),
            "row 1, column 0: `0` mixes encodings: row 0, column 1 was `-1`",
        ),
        (
            encode_npy_i8(&[1, -1, 1, -1], 2, 2),
            "column 0 is constant (1 in all 2 rows)",
        ),
        (
            good[..good.len() - 1].to_vec(),
            "truncated: the header announces 2 rows, the data ends in row 1",
        ),
        (b"PK\x03\x04 not numpy".to_vec(), "not a .npy file"),
        (b"\x93NUM".to_vec(), "shorter than the 8-byte magic string"),
        (
            npy_with(
                "{'descr': '|i1', 'fortran_order': True, 'shape': (2, 2), }",
                &[1, 0, 0, 1],
            ),
            "Fortran order",
        ),
        (
            npy_with(
                "{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }",
                &[1, 0, 0, 1],
            ),
            "shape (4,) has 1 dimensions; expected 2",
        ),
        (
            npy_with(
                "{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1), }",
                &[0; 16],
            ),
            "dtype `<c16` is not supported",
        ),
        (
            npy_with(
                "{'descr': '|i1', 'fortran_order': False, 'shape': (0, 3), }",
                &[],
            ),
            "no data (no rows)",
        ),
        (
            npy_with(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }",
                &f64::NAN.to_le_bytes(),
            ),
            "row 0, column 0: `NaN` is not binary",
        ),
    ];
    for (bytes, want) in cases {
        let e = err(npy(&bytes));
        assert!(e.contains(want), "`{e}` lacks `{want}`");
    }
}

#[test]
fn a_missing_file_names_the_path() {
    let e = err(read(
        std::path::Path::new("/nonexistent/data.csv"),
        &mut |_| {},
    ));
    assert!(e.starts_with("/nonexistent/data.csv: "), "{e}");
}

#[test]
fn parameters_out_of_range_and_no_clusters() {
    let d = csv("1,1,1\n-1,-1,1\n1,-1,-1\n-1,1,-1\n").unwrap();
    for threshold in [0.0, 1.5, f64::NAN] {
        let p = FitParams {
            threshold,
            ..Default::default()
        };
        let e = fit(&d.moments, &p).unwrap_err().to_string();
        assert!(
            e.contains("parameter `threshold`: must be in (0, 1]"),
            "{e}"
        );
    }
    // These three variables are pairwise uncorrelated.
    let e = fit(&d.moments, &FitParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no clusters: no two of the 3 variables have |correlation| >= 0.5"),
        "{e}"
    );
    let p = FitParams {
        min_correlation: 0.0,
        threshold: 0.01,
        ..Default::default()
    };
    let d = csv("1,1\n-1,-1\n1,1\n-1,1\n").unwrap();
    let e = fit(&d.moments, &p).unwrap_err().to_string();
    assert!(e.contains("`min_correlation`: must be in (0, 1)"), "{e}");
}

#[test]
fn smacof_rejects_bad_targets() {
    let p = SmacofParams::default();
    let e = smacof(&[0.0, 1.0, 1.0], &[0.0; 3], 2, &p)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`distances`: has 3 values, expected 2 x 2"),
        "{e}"
    );
    let e = smacof(&[0.0, -1.0, -1.0, 0.0], &[0.0, 1.0, 1.0, 0.0], 2, &p)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("entry (0, 1) is -1, must be finite and > 0"),
        "{e}"
    );
    let e = smacof(&[0.0, 1.0, 2.0, 0.0], &[0.0, 1.0, 1.0, 0.0], 2, &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("entries (0, 1) and (1, 0) differ"), "{e}");
}
