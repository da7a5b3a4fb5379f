//! Shared helpers of the integration tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use darksens::scenario::{Curve, Override, ScenarioDocument};
use std::path::{Path, PathBuf};

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

/// A fresh, empty directory for one test under the build's temporary directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
