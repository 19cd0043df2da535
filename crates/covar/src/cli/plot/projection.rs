//! Particle positions projected on the x-y and x-z planes, each particle
//! coloured by its charge on a diverging map (blue negative, grey zero,
//! red positive), with a colour bar.
//!
//! The frame is centred on the median of each coordinate and holds 99% of
//! the particles (a Plummer sphere's far halo would otherwise shrink the
//! core to a dot); the title says how many fall outside.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use covar_store::ParticleStore;

use super::failed;
use super::font::FAMILY;
use crate::cli::CliError;

/// Share of the particles the frame holds.
pub const FRAME_SHARE: f64 = 0.99;

/// Moreland's "cool to warm" diverging map, by its control points.
const COOLWARM: [(f64, [u8; 3]); 9] = [
    (0.0, [59, 76, 192]),
    (0.125, [98, 130, 234]),
    (0.25, [141, 176, 254]),
    (0.375, [184, 208, 249]),
    (0.5, [221, 221, 221]),
    (0.625, [245, 196, 173]),
    (0.75, [244, 154, 123]),
    (0.875, [222, 96, 77]),
    (1.0, [180, 4, 38]),
];

/// The colour of `q` on the diverging map over `[-vmax, vmax]` (grey for
/// `vmax = 0`).
pub fn charge_color(q: f64, vmax: f64) -> RGBColor {
    let s = if vmax > 0.0 {
        (0.5 + 0.5 * q / vmax).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let k = COOLWARM
        .windows(2)
        .position(|w| s <= w[1].0)
        .unwrap_or(COOLWARM.len() - 2);
    let ((s0, c0), (s1, c1)) = (COOLWARM[k], COOLWARM[k + 1]);
    let f = (s - s0) / (s1 - s0);
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    RGBColor(mix(c0[0], c1[0]), mix(c0[1], c1[1]), mix(c0[2], c1[2]))
}

/// The median of `v` (not empty).
fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// The frame: its centre and half-width, the smallest cube around the
/// medians that holds [`FRAME_SHARE`] of the particles (in the Chebyshev
/// distance), widened by 5%.
pub fn frame(store: &ParticleStore) -> ([f64; 3], f64) {
    let cols = [store.x(), store.y(), store.z()];
    let c = cols.map(median);
    let mut reach: Vec<f64> = (0..store.len())
        .map(|i| (0..3).fold(0.0_f64, |m, d| m.max((cols[d][i] - c[d]).abs())))
        .collect();
    reach.sort_by(f64::total_cmp);
    let k = ((FRAME_SHARE * reach.len() as f64).ceil() as usize).clamp(1, reach.len());
    let half = reach[k - 1] * 1.05;
    (c, if half > 0.0 { half } else { 1.0 })
}

/// Draws the projections of `store` to the PNG file `path`, with `subtitle`
/// (the state's source and time) under the title.
///
/// # Errors
///
/// [`CliError::Plot`] if the image cannot be drawn or written.
pub fn draw(store: &ParticleStore, subtitle: &str, path: &Path) -> Result<(), CliError> {
    let n = store.len();
    let (c, half) = frame(store);
    let vmax = store.charges().iter().fold(0.0_f64, |m, q| m.max(q.abs()));
    let (x, y, z) = (store.x(), store.y(), store.z());
    let inside = |i: usize| (0..3).all(|d| ([x, y, z][d][i] - c[d]).abs() <= half);
    let outside = (0..n).filter(|&i| !inside(i)).count();
    let radius = match n {
        0..=100 => 5,
        101..=2_000 => 3,
        2_001..=50_000 => 2,
        _ => 1,
    };

    let root = BitMapBackend::new(path, (1500, 760)).into_drawing_area();
    root.fill(&WHITE).map_err(failed(path))?;
    let (top, body) = root.split_vertically(90);
    top.draw(&Text::new(
        format!("Particle positions, coloured by charge (N = {n})"),
        (30, 12),
        (FAMILY, 26).into_font().style(FontStyle::Bold),
    ))
    .map_err(failed(path))?;
    let mut note = subtitle.to_string();
    if outside > 0 {
        note.push_str(&format!(
            "; {outside} particle{} outside the frame",
            if outside == 1 { "" } else { "s" }
        ));
    }
    top.draw(&Text::new(
        note,
        (30, 50),
        (FAMILY, 18).into_font().color(&RGBColor(80, 80, 80)),
    ))
    .map_err(failed(path))?;

    let panels = body.split_by_breakpoints([680, 1360], [] as [i32; 0]);
    for (area, (d, label)) in panels.iter().zip([(1usize, "y"), (2, "z")]) {
        let view = Projection {
            a: x,
            b: [x, y, z][d],
            centre: (c[0], c[d]),
            half,
            names: ("x", label),
            radius,
        };
        panel(area, &view, |i| charge_color(store.charge(i), vmax), path)?;
    }
    colorbar(&panels[2], vmax, square_side(&panels[0]), path)?;
    root.present().map_err(failed(path))
}

/// Height of a projection's x label area, in pixels.
const LABEL_X: u32 = 55;
/// Width of a projection's y label area, in pixels.
const LABEL_Y: u32 = 90;
/// Margin around a projection, in pixels.
const MARGIN: u32 = 15;

/// The side of a projection's square plotting area in `area`.
fn square_side(area: &DrawingArea<BitMapBackend<'_>, Shift>) -> u32 {
    let (w, h) = area.dim_in_pixel();
    (w - LABEL_Y - 2 * MARGIN).min(h - LABEL_X - 2 * MARGIN)
}

/// What one panel shows.
struct Projection<'a> {
    /// Horizontal coordinates.
    a: &'a [f64],
    /// Vertical coordinates.
    b: &'a [f64],
    /// The centre of the frame.
    centre: (f64, f64),
    /// Half the frame's side.
    half: f64,
    /// The axes' names.
    names: (&'a str, &'a str),
    /// Radius of a point, in pixels.
    radius: i32,
}

/// One projection, particle `i` in `color(i)`.
fn panel(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    view: &Projection<'_>,
    color: impl Fn(usize) -> RGBColor,
    path: &Path,
) -> Result<(), CliError> {
    let Projection {
        a,
        b,
        centre,
        half,
        names: (a_name, b_name),
        radius,
    } = *view;
    // Equal scales on both axes: the plotting area is square.
    let (w, h) = area.dim_in_pixel();
    let (label_x, label_y, margin) = (LABEL_X, LABEL_Y, MARGIN);
    let side = square_side(area);
    let right = w - label_y - margin - side;
    let bottom = h - label_x - margin - side;
    let (ra, rb) = (
        centre.0 - half..centre.0 + half,
        centre.1 - half..centre.1 + half,
    );
    let mut chart = ChartBuilder::on(area)
        .margin_top(margin)
        .margin_left(margin)
        .margin_right(right)
        .margin_bottom(bottom)
        .x_label_area_size(label_x)
        .y_label_area_size(label_y)
        .build_cartesian_2d(ra.clone(), rb.clone())
        .map_err(failed(path))?;
    chart
        .configure_mesh()
        .x_desc(a_name)
        .y_desc(b_name)
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&|v| super::short(*v))
        .y_label_formatter(&|v| super::short(*v))
        .label_style((FAMILY, 16))
        .axis_desc_style((FAMILY, 20))
        .light_line_style(RGBColor(247, 247, 247))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(failed(path))?;
    let shown: Vec<usize> = (0..a.len())
        .filter(|&i| ra.contains(&a[i]) && rb.contains(&b[i]))
        .collect();
    // Translucent points for many particles, so that density shows; a grey
    // rim for few, so that a charge near 0 (light grey) shows on white.
    let alpha = if a.len() > 2_000 { 0.5 } else { 1.0 };
    chart
        .draw_series(
            shown
                .iter()
                .map(|&i| Circle::new((a[i], b[i]), radius, color(i).mix(alpha).filled())),
        )
        .map_err(failed(path))?;
    if a.len() <= 200 {
        let rim = RGBColor(90, 90, 90).stroke_width(1);
        chart
            .draw_series(
                shown
                    .iter()
                    .map(|&i| Circle::new((a[i], b[i]), radius, rim)),
            )
            .map_err(failed(path))?;
    }
    Ok(())
}

/// The colour bar over `[-vmax, vmax]`, `height` pixels tall, drawn in pixels: the bar, five
/// ticks with labels on its right, "charge q" above and the labels' scale
/// below.
fn colorbar(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    vmax: f64,
    height: u32,
    path: &Path,
) -> Result<(), CliError> {
    let v = if vmax > 0.0 { vmax } else { 1.0 };
    let (scale, unit) = tick_scale(v);
    // The bar spans the projections' plotting areas.
    let (x0, x1, top) = (10, 40, MARGIN as i32);
    let bottom = top + height as i32;
    let rows = bottom - top;
    for k in 0..rows {
        // Row k from the top holds the value at its middle.
        let q = v * (1.0 - 2.0 * (k as f64 + 0.5) / rows as f64);
        area.draw(&Rectangle::new(
            [(x0, top + k), (x1, top + k + 1)],
            charge_color(q, vmax).filled(),
        ))
        .map_err(failed(path))?;
    }
    area.draw(&Rectangle::new([(x0, top), (x1, bottom)], BLACK))
        .map_err(failed(path))?;
    let style = TextStyle::from((FAMILY, 16).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for k in 0..=4 {
        let q = v * (1.0 - 0.5 * k as f64);
        let y = top + (rows * k) / 4;
        area.draw(&PathElement::new([(x1, y), (x1 + 6, y)], BLACK))
            .map_err(failed(path))?;
        let label = if k == 2 {
            "0".to_string()
        } else {
            format!("{:.2}", q / scale)
        };
        area.draw(&Text::new(label, (x1 + 10, y), style.clone()))
            .map_err(failed(path))?;
    }
    let caption = TextStyle::from((FAMILY, 17).into_font());
    area.draw(&Text::new(
        "charge q",
        (x0 - 5, bottom + 22),
        caption.clone(),
    ))
    .map_err(failed(path))?;
    if let Some(unit) = unit {
        area.draw(&Text::new(unit, (x0 - 5, bottom + 44), caption))
            .map_err(failed(path))?;
    }
    Ok(())
}

/// The factor the colour bar's labels are divided by, and its note: the
/// labels stay short (two decimals) whatever the size of the charges.
fn tick_scale(vmax: f64) -> (f64, Option<String>) {
    let e = vmax.log10().floor() as i32;
    if (0..=2).contains(&e) {
        (1.0, None)
    } else {
        (10f64.powi(e), Some(format!("(×1e{e})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use covar_store::ic::Plummer;

    #[test]
    fn colors_diverge_and_show_the_sign() {
        let (neg, zero, pos) = (
            charge_color(-1.0, 1.0),
            charge_color(0.0, 1.0),
            charge_color(1.0, 1.0),
        );
        assert_eq!(neg, RGBColor(59, 76, 192));
        assert_eq!(zero, RGBColor(221, 221, 221));
        assert_eq!(pos, RGBColor(180, 4, 38));
        let half_neg = charge_color(-0.5, 1.0);
        assert!(half_neg.2 > half_neg.0, "negative is blue: {half_neg:?}");
        assert_eq!(charge_color(5.0, 0.0), zero, "no charge at all is grey");
        assert_eq!(charge_color(9.0, 1.0), pos, "clamped");
    }

    #[test]
    fn bar_labels_are_scaled_to_two_decimals() {
        assert_eq!(tick_scale(1.0), (1.0, None));
        assert_eq!(tick_scale(250.0).0, 1.0);
        let (s, t) = tick_scale(1.0 / 4096.0);
        assert!((s - 1e-4).abs() < 1e-18, "{s}");
        assert_eq!(t.as_deref(), Some("(×1e-4)"));
    }

    #[test]
    fn frame_holds_the_share_it_promises() {
        let store = Plummer::new(1000, 5).generate().unwrap();
        let (c, half) = frame(&store);
        let inside = (0..store.len())
            .filter(|&i| {
                let p = store.position(i).to_array();
                (0..3).all(|d| (p[d] - c[d]).abs() <= half)
            })
            .count();
        assert!(inside >= 990, "{inside} of 1000 inside");
        assert!(
            inside < 1000,
            "a Plummer sphere has a halo beyond the frame"
        );
    }
}
