//! The numeric keys of a thick-target scenario that a scan can vary, as typed accessors of the
//! scenario file's fields ([`RawScenario`]): a point of a key scan is the curve's scenario with
//! one field changed and validated again (no TOML is written or parsed per point, and the
//! inputs in files are not read again: see [`super::resolve`]).
//!
//! The emulsion grid has its own typed keys, [`super::emulsion::GridParameter`].

use super::raw::{RawNeutron, RawScenario};
use crate::error::SetError;

/// Where a key's value lives in the scenario file.
#[derive(Clone, Copy)]
enum Field {
    /// A required number.
    Number(fn(&mut RawScenario) -> &mut f64),
    /// An optional number (set when scanned).
    Optional(fn(&mut RawScenario) -> &mut Option<f64>),
    /// An optional whole number (table sizes).
    Whole(fn(&mut RawScenario) -> &mut Option<i64>),
    /// A number of `[background.neutron]`, which must be in the file.
    Neutron(fn(&mut RawNeutron) -> &mut f64),
    /// The optional escape probability of `[background.neutron]`.
    NeutronOptional(fn(&mut RawNeutron) -> &mut Option<f64>),
    /// A number of an inline `source.spectrum = { ... }` table (event files, the generator).
    Spectrum,
}

/// A numeric key of a thick-target scenario, e.g. `model.alpha_d`.
#[derive(Clone, Copy)]
pub struct ScanKey {
    key: &'static str,
    field: Field,
}

impl std::fmt::Debug for ScanKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScanKey({})", self.key)
    }
}

impl PartialEq for ScanKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

macro_rules! number {
    ($key:literal, $($path:ident).+) => {
        ScanKey { key: $key, field: Field::Number(|r| &mut r.$($path).+) }
    };
}
macro_rules! optional {
    ($key:literal, $($path:ident).+) => {
        ScanKey { key: $key, field: Field::Optional(|r| &mut r.$($path).+) }
    };
}
macro_rules! whole {
    ($key:literal, $($path:ident).+) => {
        ScanKey { key: $key, field: Field::Whole(|r| &mut r.$($path).+) }
    };
}
macro_rules! neutron {
    ($key:literal, $field:ident) => {
        ScanKey {
            key: $key,
            field: Field::Neutron(|n| &mut n.$field),
        }
    };
}

/// Every numeric key, in the order of docs/scenario.md.
const KEYS: &[ScanKey] = &[
    optional!("source.electron_energy_gev", source.electron_energy_gev),
    optional!("source.positron_energy_gev", source.positron_energy_gev),
    optional!("source.luminosity_ab", source.luminosity_ab),
    optional!("source.theta_min_deg", source.theta_min_deg),
    optional!("source.theta_max_deg", source.theta_max_deg),
    optional!("source.crossing_angle_mrad", source.crossing_angle_mrad),
    optional!(
        "source.electron_energy_spread",
        source.electron_energy_spread
    ),
    optional!(
        "source.positron_energy_spread",
        source.positron_energy_spread
    ),
    optional!("source.beam_energy_gev", source.beam_energy_gev),
    optional!("source.electrons_on_target", source.electrons_on_target),
    optional!("source.positrons_on_target", source.positrons_on_target),
    optional!("source.efficiency", source.efficiency),
    optional!("source.energy_spread", source.energy_spread),
    optional!("target.thickness_x0", target.thickness_x0),
    optional!("target.thickness_cm", target.thickness_cm),
    optional!("target.brem_thickness_x0", target.brem_thickness_x0),
    number!("target.max_visible_fraction", target.max_visible_fraction),
    number!(
        "target.min_energy_loss_fraction",
        target.min_energy_loss_fraction
    ),
    optional!(
        "target.second_generation_multiplicity",
        target.second_generation_multiplicity
    ),
    optional!("model.alpha_d", model.alpha_d),
    optional!("model.mchi_over_mmed", model.mchi_over_mmed),
    optional!("model.g_ve", model.g_ve),
    optional!("model.mass_mev", model.mass_mev),
    optional!(
        "background.photon_veto_inefficiency",
        background.photon_veto_inefficiency
    ),
    optional!("background.total", background.total),
    optional!(
        "background.relative_uncertainty",
        background.relative_uncertainty
    ),
    neutron!(
        "background.neutron.simulated_positrons",
        simulated_positrons
    ),
    neutron!(
        "background.neutron.single_neutron_events",
        single_neutron_events
    ),
    neutron!(
        "background.neutron.multi_neutron_events",
        multi_neutron_events
    ),
    neutron!("background.neutron.ecl_lambda", ecl_lambda),
    neutron!("background.neutron.klm_lambda", klm_lambda),
    ScanKey {
        key: "background.neutron.escape_probability",
        field: Field::NeutronOptional(|n| &mut n.escape_probability),
    },
    optional!("limit.delta_chi2", limit.delta_chi2),
    optional!("limit.n_signal", limit.n_signal),
    optional!("limit.cl", limit.cl),
    optional!("limit.z", limit.z),
    whole!(
        "numerics.track_length_intervals",
        numerics.track_length_intervals
    ),
    whole!("numerics.flux_intervals", numerics.flux_intervals),
    optional!("numerics.relative_tolerance", numerics.relative_tolerance),
    optional!("numerics.table_tolerance", numerics.table_tolerance),
    optional!(
        "bremsstrahlung.limit_n_signal",
        bremsstrahlung.limit_n_signal
    ),
];

/// Numbers of an inline `source.spectrum = { ... }` table that a scan may vary.
const SPECTRUM_KEYS: [&str; 7] = [
    "source.spectrum.bins",
    "source.spectrum.min_energy_gev",
    "source.spectrum.min_delta_r",
    "source.spectrum.min_delta_r_leptons",
    "source.spectrum.points",
    "source.spectrum.seed",
    "source.spectrum.alpha_inverse",
];

/// Whole-number keys of an inline spectrum table.
const SPECTRUM_WHOLE: [&str; 3] = ["bins", "points", "seed"];

impl ScanKey {
    /// The key `name` names, if it is a numeric key of the schema.
    #[must_use]
    pub fn find(name: &str) -> Option<Self> {
        if let Some(key) = KEYS.iter().find(|k| k.key == name) {
            return Some(*key);
        }
        SPECTRUM_KEYS.iter().find(|k| **k == name).map(|key| Self {
            key,
            field: Field::Spectrum,
        })
    }

    /// Every numeric key of a thick-target scenario (for `darksens list` and the docs).
    pub fn names() -> impl Iterator<Item = &'static str> {
        KEYS.iter().map(|k| k.key)
    }

    /// The dotted key.
    #[must_use]
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// Sets the key to `value` in `raw`.
    ///
    /// # Errors
    /// A whole-number key given a fraction, or a key whose table is not in the scenario
    /// (`[background.neutron]`, an inline `source.spectrum` table).
    pub fn apply(&self, raw: &mut RawScenario, value: f64) -> Result<(), SetError> {
        let whole = || {
            if value.fract() == 0.0 && value.is_finite() && value.abs() < 9.0e15 {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "a whole number below 2^53, checked above"
                )]
                Ok(value as i64)
            } else {
                Err(SetError::WholeNumber { value })
            }
        };
        match self.field {
            Field::Number(field) => *field(raw) = value,
            Field::Optional(field) => *field(raw) = Some(value),
            Field::Whole(field) => *field(raw) = Some(whole()?),
            Field::Neutron(_) | Field::NeutronOptional(_) => {
                let Some(neutron) = raw.background.neutron.as_mut() else {
                    return Err(SetError::NoNeutronTable {
                        key: self.key.to_string(),
                    });
                };
                match self.field {
                    Field::Neutron(field) => *field(neutron) = value,
                    Field::NeutronOptional(field) => *field(neutron) = Some(value),
                    _ => {}
                }
            }
            Field::Spectrum => {
                let leaf = self.key.trim_start_matches("source.spectrum.");
                let Some(toml::Value::Table(table)) = raw.source.spectrum.as_mut() else {
                    return Err(SetError::ThroughValue {
                        key: self.key.to_string(),
                        walked: "source.spectrum".into(),
                    });
                };
                let value = if SPECTRUM_WHOLE.contains(&leaf) {
                    toml::Value::Integer(whole()?)
                } else {
                    toml::Value::Float(value)
                };
                table.insert(leaf.to_string(), value);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of the table is a field of the schema: setting it through the typed accessor
    /// gives the same scenario as writing it into the TOML and deserialising.
    #[test]
    fn typed_keys_match_the_schema() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/belle2_dp.toml"),
        )
        .expect("config");
        let mut table: toml::Table = toml::from_str(&text).expect("toml");
        table
            .get_mut("background")
            .and_then(toml::Value::as_table_mut)
            .expect("background")
            .insert(
                "neutron".into(),
                toml::Value::Table(
                    toml::from_str(
                        "simulated_positrons = 1e9\nsingle_neutron_events = 13.0\nmulti_neutron_events = 51.0\necl_lambda = 0.75\nklm_lambda = 3.9",
                    )
                    .expect("neutron"),
                ),
            );
        let raw: RawScenario = toml::Value::Table(table.clone())
            .try_into()
            .expect("schema");
        for name in ScanKey::names() {
            let key = ScanKey::find(name).expect("known");
            let mut typed = raw.clone();
            key.apply(&mut typed, 7.0).expect("applies");
            let mut written = table.clone();
            let (path, leaf) = name.rsplit_once('.').expect("dotted");
            let mut current = &mut written;
            for segment in path.split('.') {
                current = current
                    .entry(segment.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                    .as_table_mut()
                    .expect("table");
            }
            let value = if name.starts_with("numerics.") && name.ends_with("_intervals") {
                toml::Value::Integer(7)
            } else {
                toml::Value::Float(7.0)
            };
            current.insert(leaf.to_string(), value);
            let expected: RawScenario = toml::Value::Table(written).try_into().expect("schema");
            assert_eq!(typed, expected, "{name}");
        }
    }

    #[test]
    fn unknown_and_non_numeric_keys_are_not_scan_keys() {
        for name in [
            "model.coupling",
            "target.material",
            "model",
            "source.spectrum.table",
        ] {
            assert!(ScanKey::find(name).is_none(), "{name}");
        }
        assert!(ScanKey::find("source.spectrum.points").is_some());
    }
}
