//! The scenario as recorded next to its outputs: the table as written, with the defaults that
//! the run used written out.
//!
//! A key left out of a file takes its default, and a default may change from one version to
//! the next (whether target electrons are at rest, the pair radiates, the tables' resolution):
//! a record that only repeated the file would then no longer say what was computed. The
//! record keeps every written value as written and adds, for each key the file leaves out,
//! the value the run used.

use crate::limits::LimitCriterion;
use crate::showers::track_length::{Incident, SecondGeneration};
use crate::signal::thick_target::BremMethod;

use super::validate::{LHE_DEFAULT_BINS, LHE_DEFAULT_MIN_ENERGY_GEV, SourceConfig, SpectrumConfig};

use super::Curve;
use super::emulsion::EmulsionScenario;

impl Curve {
    /// The curve's table as sidecars record it and `check --print` shows it: as written (with
    /// the overrides), plus every default the schema fills in, the numerical resolution and
    /// the limit criterion as the run used them.
    #[must_use]
    pub fn recorded_table(&self) -> toml::Table {
        let mut used = toml::Table::try_from(&self.raw).unwrap_or_default();
        used.remove("curve");
        // `Resolution` serializes with the keys of `[numerics]`: a new field is recorded too.
        if let Ok(numerics) = toml::Table::try_from(self.scenario.numerics) {
            used.insert("numerics".into(), toml::Value::Table(numerics));
        }
        used.insert(
            "limit".into(),
            toml::Value::Table(limit_table(&self.scenario.limit)),
        );
        used.insert(
            "bremsstrahlung".into(),
            toml::Value::Table(bremsstrahlung_table(&self.scenario.bremsstrahlung)),
        );
        let mut recorded = self.table.clone();
        record_generator_settings(&mut recorded, &self.scenario.source);
        fill_missing(&mut recorded, &used);
        fill_missing(&mut recorded, &self.defaults_outside_the_schema());
        recorded
    }

    /// The values the run took for keys whose default is not the schema's, because it depends
    /// on other keys (the depth on the source kind, the beams' keys on the spectrum): only keys
    /// that the curve's other values allow are added, so that the record reads back as the
    /// same scenario.
    fn defaults_outside_the_schema(&self) -> toml::Table {
        let (raw, scenario) = (&self.raw, &self.scenario);
        let mut source = toml::Table::new();
        match &scenario.source {
            SourceConfig::Collider {
                spectrum, particle, ..
            } => {
                source.insert("particle".into(), serialized(particle));
                match spectrum {
                    SpectrumConfig::Bhabha { real_beams, .. } => {
                        source.insert("spectrum".into(), toml::Value::String("bhabha".into()));
                        // The crossing angle is recorded in the unit it is written in.
                        source.insert(
                            "crossing_angle_mrad".into(),
                            toml::Value::Float(real_beams.crossing_angle_rad * 1e3),
                        );
                        for (key, spread) in [
                            ("electron_energy_spread", real_beams.electron_energy_spread),
                            ("positron_energy_spread", real_beams.positron_energy_spread),
                        ] {
                            source.insert(key.into(), toml::Value::Float(spread));
                        }
                    }
                    SpectrumConfig::Tabulated(_) => {
                        if let Some(toml::Value::Table(written)) = &raw.source.spectrum
                            && written.contains_key("lhe")
                        {
                            let mut lhe = toml::Table::new();
                            lhe.insert("bins".into(), count(LHE_DEFAULT_BINS));
                            lhe.insert(
                                "min_energy_gev".into(),
                                toml::Value::Float(LHE_DEFAULT_MIN_ENERGY_GEV),
                            );
                            source.insert("spectrum".into(), toml::Value::Table(lhe));
                        }
                    }
                    SpectrumConfig::Generated { .. } => {}
                }
            }
            SourceConfig::Beam(beam) => {
                source.insert("efficiency".into(), toml::Value::Float(beam.efficiency));
                if beam.particle == Incident::Positron {
                    source.insert(
                        "energy_spread".into(),
                        toml::Value::Float(beam.energy_spread),
                    );
                }
            }
        }
        let mut target = toml::Table::new();
        if raw.target.thickness_x0.is_none() && raw.target.thickness_cm.is_none() {
            target.insert(
                "thickness_x0".into(),
                toml::Value::Float(scenario.target.thickness_x0),
            );
        }
        if scenario.bremsstrahlung == BremMethod::Computed {
            target.insert(
                "brem_thickness_x0".into(),
                toml::Value::Float(scenario.target.brem_thickness_x0),
            );
        }
        if let SecondGeneration::TsaiWhitisPairs { multiplicity } =
            scenario.target.second_generation
        {
            target.insert(
                "second_generation_multiplicity".into(),
                toml::Value::Float(multiplicity),
            );
        }
        let mut background = toml::Table::new();
        background.insert(
            "relative_uncertainty".into(),
            toml::Value::Float(scenario.background.relative_uncertainty),
        );
        let mut defaults = toml::Table::new();
        // Without a title the run is named after its file: recorded, it reads back the same
        // from a file of any name.
        defaults.insert("title".into(), toml::Value::String(scenario.title.clone()));
        defaults.insert("source".into(), toml::Value::Table(source));
        defaults.insert("target".into(), toml::Value::Table(target));
        defaults.insert("background".into(), toml::Value::Table(background));
        defaults
    }
}

/// The built-in generator's settings as the run used them: `spectrum = "radiative-bhabha"`
/// (every default) is written out as the table of its settings, and a table lacking some gets
/// them.
fn record_generator_settings(recorded: &mut toml::Table, source: &SourceConfig) {
    let SourceConfig::Collider {
        spectrum: SpectrumConfig::Generated { settings, .. },
        ..
    } = source
    else {
        return;
    };
    let mut used = toml::Table::new();
    used.insert(
        "generator".into(),
        toml::Value::String("radiative-bhabha".into()),
    );
    for (key, value) in [
        ("min_energy_gev", settings.min_energy_gev),
        ("min_delta_r", settings.min_delta_r),
        ("min_delta_r_leptons", settings.min_delta_r_leptons),
        ("alpha_inverse", settings.alpha_inverse),
    ] {
        used.insert(key.into(), toml::Value::Float(value));
    }
    used.insert("points".into(), count(settings.points));
    used.insert("seed".into(), count(settings.seed));
    used.insert("bins".into(), count(settings.bins));
    let Some(toml::Value::Table(written_source)) = recorded.get_mut("source") else {
        return;
    };
    match written_source.get_mut("spectrum") {
        Some(toml::Value::Table(written)) => fill_missing(written, &used),
        _ => {
            written_source.insert("spectrum".into(), toml::Value::Table(used));
        }
    }
}

/// A value that serializes as a TOML value (a kebab-case name).
fn serialized(value: &impl serde::Serialize) -> toml::Value {
    toml::Value::try_from(value).unwrap_or_else(|_| toml::Value::String(String::new()))
}

/// An emulsion scenario's table as sidecars record it: as written (with the overrides), plus
/// the Monte Carlo settings and the signal count of the limit as the run used them.
#[must_use]
pub fn recorded_emulsion_table(written: &toml::Table, scenario: &EmulsionScenario) -> toml::Table {
    let monte_carlo = &scenario.setup.monte_carlo;
    let mut used = toml::Table::new();
    used.insert("title".into(), toml::Value::String(scenario.title.clone()));
    let mut mc = toml::Table::new();
    mc.insert("events".into(), count(monte_carlo.events));
    mc.insert("seed".into(), count(monte_carlo.seed));
    mc.insert(
        "spin_correlation".into(),
        toml::Value::Boolean(monte_carlo.spin_correlation),
    );
    mc.insert(
        "decay_in_volume".into(),
        toml::Value::Boolean(scenario.setup.decay_in_volume),
    );
    used.insert("monte_carlo".into(), toml::Value::Table(mc));
    let mut limit = toml::Table::new();
    limit.insert("n_signal".into(), toml::Value::Float(scenario.n_signal));
    used.insert("limit".into(), toml::Value::Table(limit));
    let mut source = toml::Table::new();
    source.insert(
        "boost_beta".into(),
        toml::Value::Float(monte_carlo.boost_beta),
    );
    used.insert("source".into(), toml::Value::Table(source));
    // Each box's defaults: depth, azimuth, hemisphere and detection efficiency.
    let boxes = scenario.setup.detectors.iter().map(|used| {
        let mut defaults = toml::Table::new();
        defaults.insert("depth_m".into(), toml::Value::Float(used.depth_m));
        defaults.insert("azimuth_deg".into(), toml::Value::Float(used.azimuth_deg));
        if let Ok(hemisphere) = toml::Value::try_from(used.hemisphere) {
            defaults.insert("hemisphere".into(), hemisphere);
        }
        defaults.insert("efficiency".into(), toml::Value::Float(used.efficiency));
        toml::Value::Table(defaults)
    });
    used.insert("detector".into(), toml::Value::Array(boxes.collect()));
    let mut recorded = written.clone();
    fill_missing(&mut recorded, &used);
    recorded
}

fn count(n: impl TryInto<i64>) -> toml::Value {
    toml::Value::Integer(n.try_into().unwrap_or(i64::MAX))
}

/// `[limit]` as the run used it: the method and its parameters, defaults included.
fn limit_table(limit: &LimitCriterion) -> toml::Table {
    let mut table = toml::Table::new();
    let (method, parameters): (&str, Vec<(&str, toml::Value)>) = match *limit {
        LimitCriterion::SqrtBackground { delta_chi2 } => (
            "sqrt-nb",
            vec![("delta_chi2", toml::Value::Float(delta_chi2))],
        ),
        LimitCriterion::Fixed { n_signal } => {
            ("fixed", vec![("n_signal", toml::Value::Float(n_signal))])
        }
        LimitCriterion::PoissonCls { cl, bands } => (
            "poisson-cls",
            vec![
                ("cl", toml::Value::Float(cl)),
                ("bands", toml::Value::Boolean(bands)),
            ],
        ),
        LimitCriterion::Discovery { z, statistic } => (
            "discovery",
            vec![
                ("z", toml::Value::Float(z)),
                (
                    "statistic",
                    toml::Value::try_from(statistic)
                        .unwrap_or_else(|_| toml::Value::String(format!("{statistic:?}"))),
                ),
            ],
        ),
    };
    table.insert("method".into(), toml::Value::String(method.into()));
    for (key, value) in parameters {
        table.insert(key.into(), value);
    }
    table
}

/// `[bremsstrahlung]` as the run used it: the method, and the published limit's signal count
/// when the yield is rescaled from one.
fn bremsstrahlung_table(method: &BremMethod) -> toml::Table {
    let mut table = toml::Table::new();
    let name = match method {
        BremMethod::Computed => "computed",
        BremMethod::RescaledLimit { n_signal, .. } => {
            table.insert("limit_n_signal".into(), toml::Value::Float(*n_signal));
            "rescaled-limit"
        }
        BremMethod::Omitted => "none",
    };
    table.insert("method".into(), toml::Value::String(name.into()));
    table
}

/// Adds to `written` every key of `used` it lacks, recursively through tables and through
/// arrays of tables of the same length (layers, overlays); written values are kept as they are.
fn fill_missing(written: &mut toml::Table, used: &toml::Table) {
    for (key, value) in used {
        match (written.get_mut(key), value) {
            (None, _) => {
                written.insert(key.clone(), value.clone());
            }
            (Some(toml::Value::Table(inner)), toml::Value::Table(defaults)) => {
                fill_missing(inner, defaults);
            }
            (Some(toml::Value::Array(items)), toml::Value::Array(defaults))
                if items.len() == defaults.len() =>
            {
                for (item, default) in items.iter_mut().zip(defaults) {
                    if let (toml::Value::Table(inner), toml::Value::Table(defaults)) =
                        (item, default)
                    {
                        fill_missing(inner, defaults);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().expect("test TOML")
    }

    #[test]
    fn written_values_stay_and_missing_ones_are_added() {
        let mut written = table("a = 1\n[t]\nx = 2.5\n[[l]]\nm = \"Pb\"\n");
        let used = table(
            "a = 7\nb = true\n[t]\nx = 9.0\ny = \"at-rest\"\n[[l]]\nm = \"W\"\nsignal = true\n",
        );
        fill_missing(&mut written, &used);
        assert_eq!(
            written,
            table(
                "a = 1\nb = true\n[t]\nx = 2.5\ny = \"at-rest\"\n[[l]]\nm = \"Pb\"\nsignal = true\n"
            )
        );
    }

    #[test]
    fn a_limit_records_its_method_and_every_parameter() {
        let recorded = limit_table(&LimitCriterion::PoissonCls {
            cl: 0.9,
            bands: false,
        });
        assert_eq!(
            recorded,
            table("method = \"poisson-cls\"\ncl = 0.9\nbands = false\n")
        );
    }
}
