//! The one font of the plots, bundled with the binary (DejaVu Sans, from
//! the `dejavu` crate), so that text renders on machines without system
//! fonts.

use std::sync::OnceLock;

/// The font family the plots ask for.
pub const FAMILY: &str = "sans-serif";

/// Registers DejaVu Sans (regular and bold) as [`FAMILY`], once per process.
///
/// # Errors
///
/// A message if the bundled font does not parse (never, for a sound build).
pub fn register() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        use plotters::style::{FontStyle, register_font};
        let bad = |_| "the bundled DejaVu Sans font does not parse".to_string();
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).map_err(bad)?;
        register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).map_err(bad)
    })
    .clone()
}
