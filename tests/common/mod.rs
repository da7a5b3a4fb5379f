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

/// An independent reference's JSON, `tools/reference/<file>`.
pub fn reference_json(file: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools/reference")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("reference JSON"))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The independent reference of the realistic resonant annihilation
/// (`tools/reference/realistic/realistic_reference.json`).
pub fn realistic_reference() -> serde_json::Value {
    reference_json("realistic/realistic_reference.json")
}

/// `m^2` (GeV^2) at the at-rest annihilation flux's features, where an electron at rest meets
/// a positron at the window's visible cut, `E_min`, `(1 - f) E_max` or `E_max`: break points of
/// integrals of the yield over `m^2`, sorted.
pub fn flux_features_m2(
    window: &darksens::detectors::thick_target::MissingEnergyWindow,
) -> Vec<f64> {
    let m_e = darksens::units::ELECTRON_MASS_GEV;
    let f = window.max_visible_fraction;
    let mut e_features = vec![
        (1.0 - f) * window.e_min_gev,
        window.e_min_gev + m_e,
        (1.0 - f) * window.e_max_gev,
        window.e_max_gev + m_e,
    ];
    e_features.sort_by(f64::total_cmp);
    e_features.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    e_features.iter().map(|e| 2.0 * m_e * e).collect()
}
