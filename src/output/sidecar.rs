//! The JSON sidecar recording how an output was made.

use serde_json::{Value, json};

/// Version of darksens that wrote the file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Facts about a run, recorded next to its outputs.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// Scenario file as given.
    pub scenario_file: String,
    /// Command-line overrides, as given.
    pub overrides: Vec<String>,
    /// Each curve: label and the fully resolved scenario table.
    pub curves: Vec<(String, toml::Table)>,
    /// Worker threads.
    pub threads: usize,
    /// Wall time of the computation in seconds.
    pub wall_time_s: f64,
    /// Output files.
    pub outputs: Vec<String>,
    /// Numerical accuracy facts (table error bounds, largest integral error).
    pub numerics: Value,
    /// The best point of each curve (value, eps, alpha_D, mass ratio, y).
    pub best: Vec<Value>,
}

/// Renders the sidecar as pretty JSON.
#[must_use]
pub fn render(record: &RunRecord) -> Vec<u8> {
    let curves: Vec<Value> = record
        .curves
        .iter()
        .map(|(label, table)| json!({ "label": label, "resolved_scenario": toml_to_json(&toml::Value::Table(table.clone())) }))
        .collect();
    let value = json!({
        "darksens_version": VERSION,
        "scenario_file": record.scenario_file,
        "overrides": record.overrides,
        "curves": curves,
        "threads": record.threads,
        "wall_time_s": record.wall_time_s,
        "outputs": record.outputs,
        "numerics": record.numerics,
        "best": record.best,
    });
    let mut bytes = serde_json::to_vec_pretty(&value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
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
