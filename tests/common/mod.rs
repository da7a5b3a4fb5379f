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

/// One published value with its provenance and tolerance, from `tests/reference/`.
pub struct Reference {
    pub name: String,
    pub value: f64,
    pub tolerance: f64,
    pub source: String,
    pub reason: String,
    pub table: toml::Table,
}

impl Reference {
    /// Asserts `ours` is within the relative tolerance, printing provenance on failure.
    pub fn check(&self, ours: f64) {
        let deviation = ours / self.value - 1.0;
        assert!(
            deviation.abs() <= self.tolerance,
            "{}: ours {ours:.6e}, reference {:.6e} ({}), deviation {:+.3}% > tolerance {}% ({})",
            self.name,
            self.value,
            self.source,
            100.0 * deviation,
            100.0 * self.tolerance,
            self.reason
        );
    }

    /// An extra numeric field (e.g. `mass_mev`).
    pub fn field(&self, key: &str) -> f64 {
        self.table[key]
            .as_float()
            .unwrap_or_else(|| panic!("{}: field {key}", self.name))
    }
}

/// Reads `tests/reference/<file>` and returns the entry `name`.
pub fn reference(file: &str, name: &str) -> Reference {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("reference file");
    let all: toml::Table = toml::from_str(&text).expect("reference file parses");
    let entry = all[name]
        .as_table()
        .unwrap_or_else(|| panic!("no reference entry {name}"))
        .clone();
    let number = |k: &str| {
        entry[k]
            .as_float()
            .or_else(|| entry[k].as_integer().map(|i| i as f64))
            .expect(k)
    };
    Reference {
        name: name.to_string(),
        value: number("value"),
        tolerance: number("tolerance"),
        source: entry["source"].as_str().unwrap_or_default().to_string(),
        reason: entry["reason"].as_str().unwrap_or_default().to_string(),
        table: entry,
    }
}
