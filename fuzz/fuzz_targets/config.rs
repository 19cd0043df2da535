//! The `--config` parser and the settings' range checks on arbitrary text:
//! an error or settings, never a panic; settings it accepts give a
//! configuration that parses and resolves again to the same TOML.
#![no_main]

use std::path::Path;

use covar::cli::RunArgs;
use covar::cli::run::{RunConfig, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.toml");
    let Ok(config) = RunConfig::parse(text, path) else {
        return;
    };
    let Ok(settings) = Settings::resolve_with(&RunArgs::default(), &config, Some(path)) else {
        return;
    };
    let toml = settings.to_config().to_toml();
    let again = RunConfig::parse(&toml, path).expect("the saved settings parse");
    let settings = Settings::resolve_with(&RunArgs::default(), &again, Some(path))
        .expect("the saved settings resolve");
    assert_eq!(settings.to_config().to_toml(), toml);
});
