//! docs/scenario.md cannot drift from the scenario schema: every key of `RawScenario` is
//! documented in its section, and every key the tables document exists.
//!
//! The schema's keys come from serialising `full_sample()`, a scenario with every optional key
//! set. It is written as struct literals without `..Default`, so adding a field to the schema
//! does not compile until it is added here, and then this test asks for its documentation.

use darksens::limits::DiscoveryStatistic;
use darksens::models::MediatorKind;
use darksens::scenario::raw::*;
use darksens::showers::track_length::Incident;
use std::collections::BTreeSet;

#[expect(
    clippy::too_many_lines,
    reason = "one literal scenario with every key of the schema set"
)]
fn full_sample() -> RawScenario {
    let mut set = toml::Table::new();
    set.insert("background.total".into(), toml::Value::Float(1.0));
    RawScenario {
        title: Some("t".into()),
        source: RawSource {
            kind: SourceKind::ColliderBhabha,
            electron_energy_gev: Some(7.0),
            positron_energy_gev: Some(4.0),
            luminosity_ab: Some(50.0),
            theta_min_deg: Some(32.2),
            theta_max_deg: Some(128.7),
            crossing_angle_mrad: Some(83.0),
            electron_energy_spread: Some(6.4e-4),
            positron_energy_spread: Some(8.1e-4),
            particle: Some(Incident::Positron),
            spectrum: Some(toml::Value::Table(
                [
                    ("table", toml::Value::String("s.csv".into())),
                    ("lhe", toml::Value::String("e.lhe".into())),
                    ("bins", toml::Value::Integer(40)),
                    ("min_energy_gev", toml::Value::Float(2.0)),
                    ("generator", toml::Value::String("radiative-bhabha".into())),
                    ("min_delta_r", toml::Value::Float(0.1)),
                    ("min_delta_r_leptons", toml::Value::Float(0.4)),
                    ("points", toml::Value::Integer(2_000_000)),
                    ("seed", toml::Value::Integer(1)),
                    ("alpha_inverse", toml::Value::Float(137.036)),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            )),
            beam_energy_gev: Some(100.0),
            electrons_on_target: Some(1e11),
            positrons_on_target: Some(1e10),
            efficiency: Some(0.5),
            energy_spread: Some(0.005),
        },
        target: RawTarget {
            material: "CsI".into(),
            thickness_x0: Some(16.0),
            thickness_cm: Some(30.0),
            brem_thickness_x0: Some(1.0),
            max_visible_fraction: 0.05,
            min_energy_loss_fraction: 0.0,
            second_generation:
                darksens::showers::track_length::SecondGenerationModel::TsaiWhitisPairs,
            second_generation_multiplicity: Some(2.0),
            atomic_electrons: darksens::materials::compton::AtomicElectrons::ComptonProfile,
            initial_state_radiation: true,
            layers: vec![RawLayer {
                material: "fused-silica".into(),
                thickness_cm: Some(2.0),
                thickness_x0: Some(0.16),
                signal: true,
            }],
        },
        model: RawModel {
            mediator: MediatorKind::DarkPhoton,
            decay: darksens::models::Decay::Invisible,
            alpha_d: Some(1e-3),
            mchi_over_mmed: Some(0.3),
            g_ve: Some(1e-3),
            mass_mev: Some(66.0),
        },
        background: RawBackground {
            photon_veto_inefficiency: Some(4.5e-4),
            neutron: Some(RawNeutron {
                simulated_positrons: 1e9,
                single_neutron_events: 13.0,
                multi_neutron_events: 51.0,
                ecl_lambda: 0.75,
                klm_lambda: 3.9,
                escape_probability: Some(0.01),
            }),
            total: Some(94.0),
            relative_uncertainty: Some(0.1),
        },
        limit: RawLimit {
            method: LimitMethod::SqrtNb,
            delta_chi2: Some(2.71),
            n_signal: Some(2.3),
            cl: Some(0.9),
            bands: Some(true),
            z: Some(5.0),
            statistic: Some(DiscoveryStatistic::Asimov),
        },
        scan: Some(RawScan {
            parameter: "model.mass_mev".into(),
            log_range: Some([1.0, 10.0]),
            range: Some([1.0, 10.0]),
            points: 3,
            dense_range: Some([1.0, 2.0]),
            dense_points: Some(2),
        }),
        curves: vec![RawCurve {
            label: "c".into(),
            set,
        }],
        output: RawOutput {
            csv: Some("a.csv".into()),
            png: Some("a.png".into()),
            svg: Some("a.svg".into()),
        },
        numerics: RawNumerics {
            track_length_intervals: Some(128),
            flux_intervals: Some(256),
            relative_tolerance: Some(1e-5),
            table_tolerance: Some(1e-3),
            interpolate_brem_in_mass: Some(true),
            annihilation_by_moments: Some(true),
            interpolate_annihilation_in_mass: Some(true),
        },
        bremsstrahlung: RawBremsstrahlung {
            method: Some(BremMethodName::Computed),
            limit_file: Some("f".into()),
            limit_curve: Some("c".into()),
            limit_n_signal: Some(2.3),
        },
        overlays: vec![RawOverlay {
            curve: Some("c".into()),
            file: Some("f".into()),
            dependent: Some(RawDependent::Position(2)),
            label: Some("l".into()),
            style: Some(OverlayStyle::Line),
            rescale_luminosity: Some(RawRescale {
                from_ab: 0.02,
                to_ab: 50.0,
            }),
            for_orientation: Some(true),
        }],
        materials: vec![RawMaterial {
            name: "my-glass".into(),
            density_g_cm3: 2.2,
            composition: [("Si".to_string(), 1.0), ("O".to_string(), 2.0)]
                .into_iter()
                .collect(),
            x0_cm: Some(12.3),
        }],
    }
}

/// Adds the dotted key paths of `value` below `prefix` to `keys` (not inside `curve.set`, whose
/// keys are other keys, nor `material.composition`, whose keys are element symbols).
fn walk(value: &toml::Value, prefix: &str, keys: &mut BTreeSet<String>) {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                keys.insert(path.clone());
                if path != "curve.set" && path != "material.composition" {
                    walk(v, &path, keys);
                }
            }
        }
        toml::Value::Array(items) => {
            for item in items.iter().filter(|i| i.is_table()) {
                walk(item, prefix, keys);
            }
        }
        _ => {}
    }
}

/// Dotted key paths, e.g. `source.kind`, `background.neutron.ecl_lambda`, `curve.set`.
fn schema_keys() -> BTreeSet<String> {
    let value = toml::Value::try_from(full_sample()).expect("serialisable");
    let mut keys = BTreeSet::new();
    walk(&value, "", &mut keys);
    keys
}

fn docs() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario.md"),
    )
    .expect("docs/scenario.md")
}

/// The text of the section whose heading names the top-level table `[top]` or `[[top]]`.
fn section<'a>(docs: &'a str, top: &str) -> &'a str {
    let mut start = None;
    for (i, line) in docs
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .filter_map(|i| docs[i..].lines().next().map(|l| (i, l)))
    {
        if line.starts_with("## ") {
            if start.is_some() {
                return &docs[start.unwrap_or(0)..i];
            }
            if line.contains(&format!("`[{top}]`")) || line.contains(&format!("`[[{top}]]`")) {
                start = Some(i);
            }
        }
    }
    start.map_or("", |s| &docs[s..])
}

#[test]
fn every_schema_key_is_documented() {
    let docs = docs();
    let keys = schema_keys();
    assert!(
        keys.contains("source.beam_energy_gev")
            && keys.contains("overlay.rescale_luminosity.to_ab"),
        "{keys:?}"
    );
    let mut missing = Vec::new();
    for key in &keys {
        let top = key.split('.').next().unwrap_or_default();
        let leaf = key.rsplit('.').next().unwrap_or_default();
        let documented = if top == key {
            docs.contains(&format!("`[{top}]`"))
                || docs.contains(&format!("`[[{top}]]`"))
                || docs.contains(&format!("`{top}`"))
        } else {
            section(&docs, top).contains(&format!("`{leaf}`"))
        };
        if !documented {
            missing.push(key.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "keys missing from docs/scenario.md: {missing:?}"
    );
}

/// An emulsion scenario with every optional key set (struct literals without `..Default`, as
/// `full_sample`).
fn emulsion_sample() -> darksens::scenario::emulsion::RawEmulsionScenario {
    use darksens::detectors::emulsion::Hemisphere;
    use darksens::processes::collider_production::OffShellNormalisation;
    use darksens::scenario::emulsion::*;
    RawEmulsionScenario {
        title: Some("t".into()),
        source: RawCollider {
            kind: "ee-collider".into(),
            sqrt_s_gev: 10.58,
            luminosity_ab: 50.0,
            boost_beta: Some(0.0),
        },
        model: RawInelasticModel {
            kind: "inelastic-scalar".into(),
            m_aprime_gev: 8.0,
            m1_gev: 4.341,
            m2_gev: 3.65,
            epsilon: 1e-3,
            g_d: 0.1,
            production: ProductionName::OnShell,
            off_shell_normalisation: Some(OffShellNormalisation::Derived),
        },
        detectors: vec![RawDetector {
            name: "A".into(),
            distance_m: 7.0,
            offset_m: 1.0,
            face_polar_m: 0.2,
            face_azimuthal_m: 0.3,
            depth_m: Some(1.32),
            azimuth_deg: Some(0.0),
            hemisphere: Some(Hemisphere::Forward),
            efficiency: Some(1.0),
        }],
        monte_carlo: RawMonteCarlo {
            events: Some(4_000_000),
            seed: Some(1),
            spin_correlation: Some(true),
            decay_in_volume: Some(false),
        },
        limit: RawEmulsionLimit {
            n_signal: Some(2.3),
        },
        background: RawEmulsionBackground {
            kl_toward_detector: Some(1.0),
            kl_transmission: Some(4e-8),
        },
        babar: RawBabar {
            lepton_limit: Some("eps1.csv".into()),
            invisible_limit: Some("eps2.csv".into()),
            min_flight_m: Some(2.0),
        },
        scan: Some(RawEmulsionScan {
            x: RawGridAxis {
                parameter: "model.g_d".into(),
                log_range: Some([1e-3, 1.0]),
                range: None,
                points: 61,
            },
            y: RawGridAxis {
                parameter: "model.epsilon".into(),
                log_range: None,
                range: Some([1e-6, 1e-2]),
                points: 81,
            },
        }),
        output: darksens::scenario::raw::RawOutput {
            csv: Some("out/x.csv".into()),
            png: Some("out/x.png".into()),
            svg: Some("out/x.svg".into()),
        },
    }
}

fn emulsion_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let value = toml::Value::try_from(emulsion_sample()).expect("serialisable");
    walk(&value, "", &mut keys);
    keys
}

/// Every key of the emulsion schema is documented in the emulsion section.
#[test]
fn every_emulsion_key_is_documented() {
    let docs = docs();
    let start = docs
        .find("## Emulsion scenarios")
        .expect("emulsion section");
    let emulsion = &docs[start..];
    let missing: Vec<String> = emulsion_keys()
        .into_iter()
        .filter(|k| k.contains('.'))
        .filter(|k| !emulsion.contains(&format!("`{}`", k.rsplit('.').next().unwrap_or_default())))
        .collect();
    assert!(
        missing.is_empty(),
        "emulsion keys missing from docs/scenario.md: {missing:?}"
    );
}

#[test]
fn every_documented_key_exists() {
    let docs = docs();
    let leaves: BTreeSet<String> = schema_keys()
        .iter()
        .chain(emulsion_keys().iter())
        .filter_map(|k| k.rsplit('.').next().map(str::to_string))
        .collect();
    let mut unknown = Vec::new();
    for line in docs.lines().filter(|l| l.starts_with("| `")) {
        let first = line.split('|').nth(1).unwrap_or_default();
        for token in first.split('`').skip(1).step_by(2) {
            if !leaves.contains(token) {
                unknown.push(token.to_string());
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "docs/scenario.md documents keys the schema does not have: {unknown:?}"
    );
}
