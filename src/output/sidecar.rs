//! The JSON sidecar recording how an output was made: one record type for every kind of
//! search, the fields a kind does not have left out.
//!
//! Fields are declared in alphabetical order, so the file reads like the sorted JSON objects
//! of every other darksens output.

use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Version of darksens that wrote the file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Facts about a run, recorded next to its outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sidecar {
    /// The best point of each curve (thick-target scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best: Option<Vec<Value>>,
    /// Each curve: label and the resolved scenario table, defaults written out (thick-target
    /// scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curves: Option<Vec<CurveRecord>>,
    /// Version of darksens.
    pub darksens_version: &'static str,
    /// Numerical accuracy facts (thick-target scans: table error bounds, largest integral
    /// error, points that missed the tolerance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerics: Option<Value>,
    /// The off-shell normalisation [EMU Eq. 5] (emulsion scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_shell_normalisation: Option<Value>,
    /// Output files (none in a record of what was run that wrote none: the Python package's
    /// `meta`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
    /// The SHA-256 of every input file the scenario read (spectrum tables, event files, limit
    /// curves; `library:<name>.csv` for a library curve, whichever copy was read), by the name
    /// the scenario gives it: what a run reproduced from this sidecar must read again.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, String>,
    /// Command-line overrides, as given.
    pub overrides: Vec<String>,
    /// Where the R ratio comes from (emulsion scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r_ratio: Option<&'static str>,
    /// The scenario table with the overrides applied and the defaults the run used (emulsion
    /// scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_scenario: Option<Value>,
    /// Scenario file as given.
    pub scenario_file: String,
    /// Worker threads.
    pub threads: usize,
    /// Wall time of the computation in seconds.
    pub wall_time_s: f64,
}

/// One curve of a thick-target scan in the sidecar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurveRecord {
    /// The curve's label.
    pub label: String,
    /// Its resolved scenario table.
    pub resolved_scenario: Value,
}

impl Sidecar {
    /// A record with the common fields and none of a kind's own.
    #[must_use]
    pub fn new(scenario_file: String, overrides: Vec<String>, wall_time_s: f64) -> Self {
        Self {
            best: None,
            curves: None,
            darksens_version: VERSION,
            inputs: BTreeMap::new(),
            numerics: None,
            off_shell_normalisation: None,
            outputs: Vec::new(),
            overrides,
            r_ratio: None,
            resolved_scenario: None,
            scenario_file,
            threads: rayon::current_num_threads(),
            wall_time_s,
        }
    }

    /// The sidecar as pretty JSON with a final newline.
    #[must_use]
    pub fn render(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

/// A TOML value as JSON (tables as objects with sorted keys).
#[must_use]
pub fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}
