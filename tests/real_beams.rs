//! The real beams (`source.crossing_angle_mrad`, `source.*_energy_spread`) through the whole
//! calculation: a vanishing crossing angle gives the head-on result of the closed-form
//! spectrum (continuity across the two code paths: the tabulated spectrum with square-root kinks
//! and the closed form), and with SuperKEKB's beams every yield converges across the resonance
//! region, at rest and with bound electrons and radiation.

mod common;

use darksens::pipeline::thick_target::Calculator;
use darksens::scenario::{Override, ScenarioDocument};
use darksens::sources::{CollidingBeams, RealBeamsBhabhaSpectrum};
use std::path::Path;

fn calculator(overrides: &[&str]) -> Calculator {
    calculator_of(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/belle2_dp.toml"),
        overrides,
    )
}

/// The first curve of the scenario at `path` with `overrides`.
fn calculator_of(path: &Path, overrides: &[&str]) -> Calculator {
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|s| Override::parse(s).expect("override"))
        .collect();
    let document = ScenarioDocument::load(path, &overrides).expect("scenario");
    Calculator::new(&document.curves().expect("curves")[0].scenario)
}

/// 0.01 mrad (at rest and with bound electrons) and 0.001 mrad (at rest) are head-on to 1e-4
/// (the flux tables' tolerance; the window's edges move by 3.5e-6 and 3.5e-7 of the energy),
/// across the resonance region; and their tables converge (below 0.012 mrad they did not, and
/// took seconds to minutes: each edge of the window is then two kinks of the spectrum less than
/// 1e-5 of the energy apart).
#[test]
fn a_vanishing_crossing_angle_gives_the_head_on_yields() {
    for (electrons, angle) in [
        ("\"at-rest\"", "0.01"),
        ("\"at-rest\"", "0.001"),
        ("\"compton-profile\"", "0.01"),
    ] {
        let electrons_key = format!("target.atomic_electrons={electrons}");
        let head_on = calculator(&[&electrons_key]);
        let angle_key = format!("source.crossing_angle_mrad={angle}");
        let tiny = calculator(&[&electrons_key, &angle_key]);
        assert!(
            tiny.search().table_error() < 1e-3,
            "{electrons}, {angle} mrad: table error {}",
            tiny.search().table_error()
        );
        for mass in [50.0, 66.72, 70.0, 80.0] {
            let a = head_on
                .search()
                .yields(head_on.mediator(mass))
                .annihilation
                .value;
            let b = tiny.search().yields(tiny.mediator(mass)).annihilation.value;
            assert!(
                (b / a - 1.0).abs() < 1e-4,
                "{electrons}, {angle} mrad, m = {mass} MeV: {b} against {a}"
            );
        }
    }
}

/// SuperKEKB's crossing angle: converged tables, and the lower edge of the spectrum moves from
/// 4.349 GeV down to 4.225 GeV (the window's backward edge at azimuth pi).
#[test]
fn superkekb_beams_converge_across_the_resonance_region() {
    for effects in [
        vec![
            "source.crossing_angle_mrad=83",
            "target.atomic_electrons=\"at-rest\"",
        ],
        vec![
            "source.crossing_angle_mrad=83",
            "target.atomic_electrons=\"compton-profile\"",
            "target.initial_state_radiation=true",
        ],
    ] {
        let c = calculator(&effects);
        let search = c.search();
        assert!(
            search.table_error() < 1e-3,
            "{effects:?}: table error {}",
            search.table_error()
        );
        for mass in [40.0, 60.0, 66.0, 67.5, 75.0, 90.0] {
            let y = search.yields(c.mediator(mass));
            assert!(
                y.annihilation.converged && y.annihilation.value.is_finite(),
                "{effects:?}, m = {mass}: {:?}",
                y.annihilation
            );
        }
        let window = search.window();
        assert!(
            (window.e_min_gev - 4.2254).abs() < 1e-3,
            "{}",
            window.e_min_gev
        );
    }
}

/// The first curve of `configs/belle2_dp.toml` (electrons at rest) with its spectrum replaced by
/// a table (`spectrum = { table = ... }`, the beams' keys removed), and `overrides`.
fn calculator_with_table(table: &Path, overrides: &[&str]) -> Calculator {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/belle2_dp.toml");
    let mut text = std::fs::read_to_string(config).expect("config");
    for line in [
        "electron_energy_gev = 7.0\n",
        "positron_energy_gev = 4.0\n",
        "theta_min_deg = 32.2\n",
        "theta_max_deg = 128.7\n",
    ] {
        assert!(
            text.contains(line),
            "configs/belle2_dp.toml changed: {line}"
        );
        text = text.replace(line, "");
    }
    text = text.replace(
        "luminosity_ab = 50.0\n",
        &format!(
            "luminosity_ab = 50.0\nspectrum = {{ table = \"{}\" }}\n",
            table.display()
        ),
    );
    let scenario = common::scratch("crossing_table").join("table.toml");
    std::fs::write(&scenario, text).expect("scenario");
    calculator_of(&scenario, overrides)
}

/// SuperKEKB's 83 mrad crossing against an independent reference
/// (`tools/reference/real_beams/crossing_angle_reference.py`), whose spectrum is an integral over
/// the lab polar angle with the kinematics from the beams' boosted four-vectors (ours: over the
/// azimuth about the boost, in closed-form arcs):
/// - the spectrum at 29 energies, across the support and 1e-4 on either side of each kink (to
///   1e-7 of its largest value; it is 9e-9 next to the lowest kink), and the cross section in
///   the window (1e-8);
/// - the whole calculation with our spectrum (its kinks handled by changes of variables in every
///   integral over it) against the same calculation with the reference's spectrum given as a
///   table (3001 energies, linear in between: 2.5e-6 on the cross section), at rest, from below
///   the spectrum's lower edge (62 MeV) to beyond its upper edge (84 MeV).
#[test]
fn superkekb_crossing_agrees_with_the_independent_spectrum() {
    let reference = common::reference_json("real_beams/crossing_angle_reference.json");
    let number = |v: &serde_json::Value| v.as_f64().unwrap_or_else(|| panic!("{v}"));
    let spectrum = RealBeamsBhabhaSpectrum::new(
        CollidingBeams {
            electron_energy_gev: 7.0,
            positron_energy_gev: 4.0,
            crossing_angle_rad: 83e-3,
            electron_energy_spread: 0.0,
            positron_energy_spread: 0.0,
        },
        32.2_f64.to_radians(),
        128.7_f64.to_radians(),
        false,
    );
    let values = reference["dsigma_de_pb_per_gev"]
        .as_object()
        .expect("values");
    assert!(values.len() >= 25, "{} values", values.len());
    // Our spectrum is interpolated with a bound relative to its largest value.
    let largest = values.values().map(number).fold(0.0, f64::max);
    for (energy, theirs) in values {
        let energy: f64 = energy.parse().expect("an energy");
        let ours = spectrum.dsigma_de_cm2_per_gev(energy) / darksens::units::PICOBARN_CM2;
        let theirs = number(theirs);
        assert!(
            (ours - theirs).abs() < 1e-7 * largest,
            "dsigma/dE at {energy} GeV: {ours} pb/GeV against {theirs} (largest {largest})"
        );
    }
    let built_in = calculator(&["source.crossing_angle_mrad=83"]);
    let search = built_in.search();
    // 50 ab^-1 = 5e7 pb^-1.
    let sigma_pb = search.n_incident() / 5e7;
    let theirs = number(&reference["sigma_window_pb"]["direct"]);
    assert!(
        (sigma_pb / theirs - 1.0).abs() < 1e-8,
        "sigma {sigma_pb} pb against {theirs} pb"
    );
    let table = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools/reference/real_beams/crossing_spectrum.csv");
    let tabulated = calculator_with_table(&table, &[]);
    // The table ends in a short, steep interval (9.4e-7 GeV, down to 6e-6 pb/GeV), where the
    // flux vanishes: its tables converge since the flux's node integrals have an absolute floor.
    assert!(
        tabulated.search().table_error() < 1e-3,
        "the table's tables: {}",
        tabulated.search().table_error()
    );
    for mass in [62.0, 65.0, 66.0, 66.72, 67.5, 70.0, 75.0, 80.0, 83.0, 84.0] {
        let ours = search.yields(built_in.mediator(mass)).annihilation;
        let theirs = tabulated
            .search()
            .yields(tabulated.mediator(mass))
            .annihilation;
        let deviation = ours.value / theirs.value - 1.0;
        eprintln!("m = {mass} MeV: deviation {deviation:.2e}");
        assert!(
            ours.converged && theirs.converged && deviation.abs() < 2e-5,
            "m = {mass} MeV: {} against {} with the table ({deviation:.2e})",
            ours.value,
            theirs.value
        );
    }
}

/// Head-on beams with SuperKEKB's energy spreads: the spectrum steps at each of the nine pairs'
/// window edges, which the track-length spike turns into `1/ln` cusps of the flux just below
/// each step. The tables converge (they did not: 40 s of tables and every point unconverged),
/// and the yields approach the spread-free ones: a spread of 6.4e-4 and 8.1e-4 moves the lower
/// edge by a few MeV, so the yields agree within a few per cent away from it and within 1e-3
/// far from it.
#[test]
fn head_on_beams_with_a_spread_converge() {
    let spreads = [
        "source.electron_energy_spread=6.4e-4",
        "source.positron_energy_spread=8.1e-4",
    ];
    for electrons in ["\"at-rest\"", "\"compton-profile\""] {
        let electrons_key = format!("target.atomic_electrons={electrons}");
        let plain = calculator(&[&electrons_key]);
        let spread = calculator(&[&electrons_key, spreads[0], spreads[1]]);
        let search = spread.search();
        assert!(
            search.table_error() < 1e-3,
            "{electrons}: table error {}",
            search.table_error()
        );
        for (mass, within) in [(50.0, 1e-3), (66.8, 0.05), (70.0, 1e-3), (80.0, 1e-3)] {
            let y = search.yields(spread.mediator(mass)).annihilation;
            assert!(y.converged, "{electrons}, m = {mass}: {y:?}");
            let a = plain
                .search()
                .yields(plain.mediator(mass))
                .annihilation
                .value;
            assert!(
                (y.value / a - 1.0).abs() < within,
                "{electrons}, m = {mass} MeV: {} against {a}",
                y.value
            );
        }
    }
}

/// The electron control sample with SuperKEKB's crossing angle in a thin target (0.1 X0): its
/// flux is about 3e-7 of the spectrum's scale, so the node integrals' floor must be relative to
/// the flux, not the spectrum. With the floor in the spectrum's units the flux table halved its
/// pieces for minutes without meeting its target; now its tables converge.
#[test]
fn the_electron_sample_with_a_crossing_angle_in_a_thin_target_converges() {
    let c = calculator(&[
        "source.particle=\"electron\"",
        "source.crossing_angle_mrad=83",
        "target.thickness_x0=0.1",
        "target.brem_thickness_x0=0.1",
    ]);
    let search = c.search();
    assert!(
        search.table_error() < 1e-3,
        "table error {}",
        search.table_error()
    );
    let y = search.yields(c.mediator(67.0)).annihilation;
    assert!(y.converged && y.value > 0.0, "{y:?}");
}
