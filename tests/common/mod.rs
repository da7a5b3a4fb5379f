//! Shared helpers of the integration tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use darksens::scenario::{Curve, Override, ScenarioDocument};
use std::path::Path;

/// Loads a shipped scenario with overrides (`key=value` strings).
pub fn curves(config: &str, overrides: &[&str]) -> Vec<Curve> {
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|s| Override::parse(s).expect("valid override"))
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(config);
    ScenarioDocument::load(&path, &overrides)
        .expect("scenario loads")
        .curves()
        .expect("curves validate")
}
