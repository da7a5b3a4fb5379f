//! Every shipped scenario in configs/ runs (with fewer points where the full scan is slow) and
//! shows the physics it was written for.

mod common;

use common::curves;
use darksens::pipeline::thick_target::{
    Calculator, annihilation_dominated_ranges, best_limit, run_scan,
};

/// Every shipped scenario runs, with finite positive limits and every point converged (its
/// integrals within `numerics.relative_tolerance` and its tables within `table_tolerance`).
#[test]
fn every_config_runs_with_finite_converged_limits() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("configs/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|e| e == "toml")
        })
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("configs/{name}"));
        let events =
            [darksens::scenario::Override::parse("monte_carlo.events=100000").expect("override")];
        let document = darksens::scenario::ScenarioDocument::load(&path, &[])
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if document.is_emulsion() {
            let reduced = darksens::scenario::ScenarioDocument::load(&path, &events)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let scenario = reduced.emulsion().unwrap_or_else(|e| panic!("{name}: {e}"));
            let point = darksens::pipeline::emulsion::evaluate_scenario(&scenario)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                point.sigma_production_pb > 0.0 && point.flight_length_m.converged,
                "{name}"
            );
            assert!(
                point
                    .detectors
                    .iter()
                    .all(|d| d.acceptance.acceptance.value > 0.0 && d.n_signal > 0.0),
                "{name}: {point:?}"
            );
            continue;
        }
        let results = run_scan(&curves(&format!("configs/{name}"), &["scan.points=9"]))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for curve in &results {
            assert!(
                curve
                    .points
                    .iter()
                    .all(|p| p.epsilon_limit.is_finite() && p.epsilon_limit > 0.0),
                "{name}"
            );
            let unconverged: Vec<f64> = curve
                .points
                .iter()
                .filter(|p| !p.converged)
                .map(|p| p.mass_mev)
                .collect();
            assert!(
                unconverged.is_empty(),
                "{name}, curve \"{}\": not converged at {unconverged:?} MeV",
                curve.label
            );
        }
    }
}

/// [DPT App. C, Fig. 5]: at NA64 the annihilation resonance covers sqrt(2 m_e E_A') for E_A'
/// between 50 and 100 GeV, 226 to 320 MeV; it dominates there for alpha_D = 0.1 and 0.5.
#[test]
fn na64_resonance_between_226_and_320_mev() {
    let results = run_scan(&curves(
        "configs/na64_dp.toml",
        &["scan.points=40", "scan.dense_points=61"],
    ))
    .expect("scan");
    for curve in &results {
        let ranges = annihilation_dominated_ranges(curve);
        assert_eq!(ranges.len(), 1, "{}: {ranges:?}", curve.label);
        let (lo, hi) = ranges[0];
        assert!(
            lo < 230.0 && lo > 150.0 && hi > 315.0 && hi < 400.0,
            "{}: {lo}-{hi} MeV",
            curve.label
        );
        // The deepest point of the resonance dip lies inside the kinematic window.
        let dip = curve
            .points
            .iter()
            .filter(|p| p.mass_mev > 150.0 && p.mass_mev < 450.0)
            .min_by(|a, b| a.epsilon_limit.total_cmp(&b.epsilon_limit))
            .expect("points in the window");
        assert!(
            dip.mass_mev > 226.0 && dip.mass_mev < 320.0,
            "{}: dip at {} MeV",
            curve.label,
            dip.mass_mev
        );
    }
}

/// The 'disappearing electron track' control sample [DPT Sec. 4]: the same bremsstrahlung physics,
/// but annihilation needs positrons made in the electron's shower (its annihilation and
/// bremsstrahlung yields against the independent references: `tests/independent_reference.rs`;
/// here only the shape of the comparison between the two samples).
#[test]
fn electron_control_sample_suppresses_annihilation() {
    let positron = Calculator::new(&curves("configs/belle2_dp.toml", &[])[0].scenario);
    let electron =
        Calculator::new(&curves("configs/belle2_control_electron.toml", &[])[0].scenario);
    // Away from the resonance both are bremsstrahlung dominated and within the spectrum ratio.
    let (e, p) = (
        electron.yields(300.0).bremsstrahlung.value,
        positron.yields(300.0).bremsstrahlung.value,
    );
    assert!((e / p - 1.0).abs() < 0.2, "brem ratio {}", e / p);
    let best = best_limit(
        &run_scan(&curves(
            "configs/belle2_control_electron.toml",
            &["scan.points=30"],
        ))
        .expect("scan")[0],
    )
    .expect("best");
    assert!(best.refined.annihilation_fraction() < 0.5);
}

/// Reads back what a sidecar records of each curve of the scenario file `path` (the file as
/// written plus every default the run used) as a scenario file beside it, and asserts it is
/// that curve's scenario: nothing the run depended on is left out of the record, and nothing
/// added makes it another scenario. Returns the number of curves checked.
fn assert_records_read_back(path: &std::path::Path) -> usize {
    let name = path
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    let document = darksens::scenario::ScenarioDocument::load(path, &[])
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    if document.is_emulsion() {
        return assert_emulsion_record_reads_back(path, &name, &document);
    }
    let mut checked = 0;
    for curve in document.curves().unwrap_or_else(|e| panic!("{name}: {e}")) {
        let recorded = curve.recorded_table();
        for (table, key) in [
            ("target", "atomic_electrons"),
            ("target", "initial_state_radiation"),
            ("numerics", "relative_tolerance"),
            ("limit", "method"),
            ("background", "relative_uncertainty"),
        ] {
            assert!(
                recorded[table].get(key).is_some(),
                "{name}: no {table}.{key} in {recorded:?}"
            );
        }
        let thickness = &recorded["target"];
        assert!(
            thickness.get("thickness_x0").is_some() || thickness.get("thickness_cm").is_some(),
            "{name}: no depth in {recorded:?}"
        );
        // Beside the original, so that the files it names resolve the same way.
        let copy = path.with_file_name(format!(".recorded-{name}-{}.scenario", curve.index));
        std::fs::write(&copy, toml::to_string(&recorded).expect("TOML")).expect("write");
        let read_back = darksens::scenario::ScenarioDocument::load(&copy, &[])
            .map_err(|e| e.to_string())
            .and_then(|d| d.curves().map_err(|e| e.to_string()));
        std::fs::remove_file(&copy).expect("remove");
        let read_back = read_back.unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut scenario = read_back[0].scenario.clone();
        // Default output names follow the file's name.
        scenario.output = curve.scenario.output.clone();
        assert_eq!(scenario, curve.scenario, "{name}, curve {}", curve.label);
        checked += 1;
    }
    checked
}

/// An emulsion scenario's record (`check --print`, the sidecar) holds the defaults the run used
/// (the boost, each box's hemisphere and detection efficiency) and reads back as the same
/// scenario. Returns 1.
fn assert_emulsion_record_reads_back(
    path: &std::path::Path,
    name: &str,
    document: &darksens::scenario::ScenarioDocument,
) -> usize {
    let scenario = document
        .emulsion()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let recorded =
        darksens::scenario::recorded_emulsion_table(document.resolved_table(), &scenario);
    assert!(recorded["source"].get("boost_beta").is_some(), "{name}");
    for detector in recorded["detector"].as_array().expect("boxes") {
        for key in ["hemisphere", "efficiency", "depth_m", "azimuth_deg"] {
            assert!(detector.get(key).is_some(), "{name}: no detector.{key}");
        }
    }
    let copy = path.with_file_name(format!(".recorded-{name}.scenario"));
    std::fs::write(&copy, toml::to_string(&recorded).expect("TOML")).expect("write");
    let read_back = darksens::scenario::ScenarioDocument::load(&copy, &[])
        .map_err(|e| e.to_string())
        .and_then(|d| d.emulsion().map_err(|e| e.to_string()));
    std::fs::remove_file(&copy).expect("remove");
    let mut read_back = read_back.unwrap_or_else(|e| panic!("{name}: {e}"));
    read_back.output = scenario.output.clone();
    assert_eq!(read_back, scenario, "{name}");
    1
}

/// Every curve of every shipped thick-target scenario reads back from its record.
#[test]
fn a_recorded_scenario_read_back_is_the_scenario_that_ran() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).expect("configs/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            checked += assert_records_read_back(&path);
        }
    }
    assert!(checked >= 8, "{checked} curves checked");
}

/// The spectra no shipped scenario has (a table, an event file, the generator's short form)
/// and a depth left to its default read back from their records too: the record then holds
/// the generator's every setting, the event file's binning and the depth the run used.
#[test]
fn records_of_other_spectra_read_back() {
    let dir = common::scratch("records_of_other_spectra");
    std::fs::write(
        dir.join("spectrum.csv"),
        "energy_gev,dsigma_de_pb_per_gev\n4.3,2000\n5.0,1500\n6.6,800\n",
    )
    .expect("table");
    let events = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/radiative_bhabha_1000.lhe.gz");
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/base.toml"),
    )
    .expect("base scenario");
    let beams = "electron_energy_gev = 7.0\npositron_energy_gev = 4.0\n";
    let window = "theta_min_deg = 32.2\ntheta_max_deg = 128.7\n";
    for (name, spectrum, keep_beams, keep_window) in [
        (
            "table",
            "spectrum = { table = \"spectrum.csv\" }".to_string(),
            false,
            false,
        ),
        (
            "events",
            format!("spectrum = {{ lhe = \"{}\" }}", events.display()),
            false,
            true,
        ),
        (
            "generator",
            "spectrum = { generator = \"radiative-bhabha\", points = 1000 }".to_string(),
            true,
            true,
        ),
    ] {
        let mut text = base.replace("thickness_x0 = 16.0\n", "");
        assert_ne!(text, base, "the base scenario's depth moved");
        for (keep, keys) in [(keep_beams, beams), (keep_window, window)] {
            if !keep {
                assert!(text.contains(keys), "the base scenario's source moved");
                text = text.replace(keys, "");
            }
        }
        text = text.replace(
            "luminosity_ab = 50.0\n",
            &format!("luminosity_ab = 50.0\n{spectrum}\n"),
        );
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("scenario");
        assert_eq!(assert_records_read_back(&path), 1, "{name}");
    }
}
