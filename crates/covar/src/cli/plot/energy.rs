//! The relative energy error `|H(t) - H(0)| / |H(0)|` of a run against
//! time, on a logarithmic axis, from the run's `energy.csv`.

use std::path::Path;

use plotters::prelude::*;

use super::failed;
use super::font::FAMILY;
use crate::cli::CliError;

/// The columns of an energy log that the plot needs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnergyLog {
    /// Simulated time of each row.
    pub t: Vec<f64>,
    /// `(H - H(0)) / |H(0)|` of each row.
    pub rel_h_error: Vec<f64>,
}

/// Parses an energy log (`covar run`'s `energy.csv`): the columns `t` and
/// `rel_H_error`, found by name in the header.
///
/// # Errors
///
/// [`CliError::Plot`] naming the file, and the line and column of a bad
/// value.
pub fn parse_log(text: &str, path: &Path) -> Result<EnergyLog, CliError> {
    let err = |reason: String| CliError::Plot {
        path: path.to_path_buf(),
        reason,
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| err(format!("line 1: no column `{name}` in the header")))
    };
    let (ct, ce) = (col("t")?, col("rel_H_error")?);
    let mut log = EnergyLog::default();
    for (k, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let value = |c: usize, name: &str| -> Result<f64, CliError> {
            let text = cells.get(c).copied().unwrap_or("");
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    err(format!(
                        "line {}: column `{name}` is `{text}`, not a finite number",
                        k + 2
                    ))
                })
        };
        log.t.push(value(ct, "t")?);
        log.rel_h_error.push(value(ce, "rel_H_error")?);
    }
    if log.t.is_empty() {
        return Err(err("no rows after the header".into()));
    }
    Ok(log)
}

/// The decade range `[10^a, 10^b]` holding every positive value of `v`
/// (at least one decade), or `None` if none is positive.
fn decades(v: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = v
        .filter(|x| *x > 0.0)
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
    if hi == 0.0 {
        return None;
    }
    let (a, mut b) = (lo.log10().floor(), hi.log10().ceil());
    if b <= a {
        b = a + 1.0;
    }
    Some((10f64.powf(a), 10f64.powf(b)))
}

/// Draws the plot of `log` to the PNG file `path`, with `subtitle` (the
/// run's integrator, step and size) under the title.
///
/// Rows where the error is exactly 0 (always the first) have no place on a
/// log axis and are left out; a log whose every row is 0 is drawn as an
/// empty axis with a note saying so.
///
/// # Errors
///
/// [`CliError::Plot`] if the image cannot be drawn or written.
pub fn draw(log: &EnergyLog, subtitle: &str, path: &Path) -> Result<(), CliError> {
    let points: Vec<(f64, f64)> = log
        .t
        .iter()
        .zip(&log.rel_h_error)
        .map(|(&t, &e)| (t, e.abs()))
        .filter(|&(_, e)| e > 0.0)
        .collect();
    let (lo, hi) = decades(points.iter().map(|p| p.1)).unwrap_or((1e-17, 1e-15));
    let t0 = log.t.iter().copied().fold(f64::INFINITY, f64::min);
    let mut t1 = log.t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if t1 <= t0 {
        t1 = t0 + 1.0;
    }

    let root = BitMapBackend::new(path, (1100, 650)).into_drawing_area();
    root.fill(&WHITE).map_err(failed(path))?;
    let (top, body) = root.split_vertically(80);
    top.draw(&Text::new(
        "Relative energy error |H(t) − H(0)| / |H(0)|",
        (30, 14),
        (FAMILY, 26).into_font().style(FontStyle::Bold),
    ))
    .map_err(failed(path))?;
    top.draw(&Text::new(
        subtitle.to_string(),
        (30, 50),
        (FAMILY, 18).into_font().color(&RGBColor(80, 80, 80)),
    ))
    .map_err(failed(path))?;

    let mut chart = ChartBuilder::on(&body)
        .margin_left(20)
        .margin_right(40)
        .margin_bottom(15)
        .x_label_area_size(55)
        .y_label_area_size(95)
        .build_cartesian_2d(t0..t1, (lo..hi).log_scale())
        .map_err(failed(path))?;
    chart
        .configure_mesh()
        .x_desc("time t")
        .y_desc("|H(t) − H(0)| / |H(0)|")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .x_label_formatter(&|v| super::short(*v))
        .label_style((FAMILY, 17))
        .axis_desc_style((FAMILY, 19))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(205, 205, 205))
        .draw()
        .map_err(failed(path))?;
    if points.is_empty() {
        chart
            .plotting_area()
            .draw(&Text::new(
                "the error is exactly 0 at every row",
                ((t0 + t1) / 2.0, 1e-16),
                (FAMILY, 20),
            ))
            .map_err(failed(path))?;
    } else {
        let line = RGBColor(31, 95, 170);
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                line.stroke_width(2),
            ))
            .map_err(failed(path))?;
        if points.len() <= 60 {
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, line.filled())))
                .map_err(failed(path))?;
        }
    }
    root.present().map_err(failed(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name() {
        let text = "step,t,H,rel_H_error\n0,0.0,-0.25,0.0\n10,0.05,-0.25,-1.5e-9\n";
        let log = parse_log(text, Path::new("e.csv")).unwrap();
        assert_eq!(log.t, [0.0, 0.05]);
        assert_eq!(log.rel_h_error, [0.0, -1.5e-9]);
    }

    #[test]
    fn bad_logs_name_line_and_column() {
        let p = Path::new("e.csv");
        let e = parse_log("step,t\n0,0\n", p).unwrap_err().to_string();
        assert!(e.contains("no column `rel_H_error`"), "{e}");
        let e = parse_log("t,rel_H_error\n0,0\n1,nan\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3: column `rel_H_error` is `nan`"), "{e}");
        let e = parse_log("t,rel_H_error\n", p).unwrap_err().to_string();
        assert!(e.contains("no rows"), "{e}");
    }

    #[test]
    fn decades_hold_every_positive_value() {
        let close = |(a, b): (f64, f64), (x, y): (f64, f64)| {
            assert!(
                (a / x - 1.0).abs() < 1e-12 && (b / y - 1.0).abs() < 1e-12,
                "{a} {b}"
            );
        };
        close(
            decades([0.0, 3e-9, 2e-7].into_iter()).unwrap(),
            (1e-9, 1e-6),
        );
        close(decades([3e-5].into_iter()).unwrap(), (1e-5, 1e-4));
        assert_eq!(decades([0.0].into_iter()), None);
    }
}
