//! Initial-state radiation in the resonant annihilation (`target.initial_state_radiation = true`)
//! against independent numbers. darksens treats the two legs of the pair apart (the positron's
//! photon is visible, the target electron's is not; docs/physics.md §9); the independent Python
//! reference `tools/reference/realistic/` convolves the whole radiator with the cross section
//! (no photon seen) and gives, at the best point, the yield with every photon seen. Both limits
//! are darksens settings of the library (`InitialStateRadiation::AllInvisible`, `AllVisible`),
//! so each leg's machinery is tested against the reference:
//!
//! - no photon seen: cases (c), electrons at rest, and (d), bound electrons, at every mass of the
//!   reference's scan (its radiated cross section tabulated per mass from a direct integral over
//!   the radiator, checked there by QUADPACK to 4e-13);
//! - every photon seen: the reference's narrow-width correction at the best point;
//! - the sum rule: the radiator is normalised, so radiation that is not seen only moves yield to
//!   lower `m^2`, and `integral N dm^2` (narrow width) is unchanged;
//! - the physical case itself, each leg as it happens, against the reference's cases (f) and
//!   (g') (`legs_reference.py`), at rest and with bound electrons;
//! - the physical case lies between the two limits at every mass, and `false` is the paper's
//!   yield.

mod common;

use common::{curves, flux_features_m2};
use darksens::numerics::quadrature::{Tolerance, integrate};
use darksens::pipeline::thick_target::Calculator;
use darksens::signal::thick_target::{InitialStateRadiation, Resolution, ThickTargetSearch};
use serde_json::Value;

/// What the yield's own error bound leaves out when set against the reference (accurate to
/// 1e-9): the at-rest flux table's interpolation error, which is bounded table-wide (about 1e-5
/// of its largest value), not per integral; and the shortfall of the grid check (a difference
/// of two grids, not a strict bound: observed up to 3.3e-5, at 66.6 MeV).
const REFERENCE_ACCURACY: f64 = 5e-5;

fn reference() -> Value {
    common::realistic_reference()
}

/// The paper's Belle II setup (first curve of configs/belle2_dp.toml, no energy-loss cut, as in
/// the reference) with the electrons as `electrons` says, and its search with `radiation`.
fn setup(electrons: &str, radiation: InitialStateRadiation) -> (Calculator, ThickTargetSearch) {
    let electrons = format!("target.atomic_electrons=\"{electrons}\"");
    let calculator = Calculator::new(
        &curves(
            "configs/belle2_dp.toml",
            &["target.min_energy_loss_fraction=0", electrons.as_str()],
        )[0]
        .scenario,
    );
    let mut setup = calculator.search().setup().clone();
    setup.initial_state_radiation = radiation;
    (
        calculator,
        ThickTargetSearch::new(setup, Resolution::default()),
    )
}

/// No photon seen, against the reference's scan, 50-95 MeV (alpha_D = 1e-3, m_chi = m/3).
/// Electrons at rest: 1e-3 at every mass, and within each yield's stated error (plus
/// [`REFERENCE_ACCURACY`]). The at-rest flux keeps its `1/ln` spike at `E' = E_min`, which no
/// uniform grid of the radiated flux resolves pointwise; it is built on half the step and each
/// yield checked against the grid of the full step (observed: at most 2.3e-4, at 83 MeV; 1.3e-4
/// at 66.7 MeV, next to the spike; none flagged). Bound electrons: 1e-3 up to 84 MeV. Above, the yield
/// comes from electrons far out in the profiles' tails, which darksens cuts at `|p_z| = 0.98 m_e`
/// and the reference follows to 2.2 `m_e` (tests/bound_electrons.rs): without radiation that
/// costs 1e-4 at 85-88 MeV, but the radiative return gathers the yield of every higher `s`, all
/// of it from such electrons, and the difference grows to -8e-4 at 85 MeV, -1.4e-3 at 86 MeV and
/// -3.9e-3 at 88 MeV (docs/validation.md).
#[test]
fn unseen_radiation_agrees_with_the_independent_reference() {
    let r = reference();
    let (at_rest, bound) = (
        setup("at-rest", InitialStateRadiation::AllInvisible),
        setup("compton-profile", InitialStateRadiation::AllInvisible),
    );
    let radiated = |(c, s): &(Calculator, ThickTargetSearch), mass: f64| {
        s.yields(c.mediator(mass)).annihilation
    };
    let columns: Vec<&str> = r["scan"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c.as_str().expect("name"))
        .collect();
    let column = |name: &str| columns.iter().position(|&c| c == name).expect(name);
    let (c, d) = (column("N_c_isr"), column("N_d_bound_isr"));
    let mut worst: (f64, f64) = (0.0, 0.0);
    let (mut compared, mut flagged) = (0, 0);
    for row in r["scan"]["rows"].as_array().expect("rows") {
        let row: Vec<f64> = row
            .as_array()
            .expect("row")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect();
        let mass = row[0];
        let ours = radiated(&at_rest, mass);
        let deviation = ours.value / row[c] - 1.0;
        let stated = ours.error / ours.value;
        eprintln!(
            "m = {mass}: deviation {deviation:.2e}, bound {stated:.2e}, converged {}",
            ours.converged
        );
        assert!(
            deviation.abs() < 1e-3 && deviation.abs() <= stated + REFERENCE_ACCURACY,
            "m = {mass} MeV, at rest with radiation: {:.6e} +- {stated:.1e}, reference {:.6e} \
             ({deviation:.2e})",
            ours.value,
            row[c]
        );
        flagged += usize::from(!ours.converged);
        worst.0 = worst.0.max(deviation.abs());
        if mass <= 84.0 + 1e-9 {
            let ours = radiated(&bound, mass);
            let deviation = ours.value / row[d] - 1.0;
            assert!(
                deviation.abs() < 1e-3 && ours.converged,
                "m = {mass} MeV, bound with radiation: {:.6e}, reference {:.6e} ({deviation:.2e})",
                ours.value,
                row[d]
            );
            worst.1 = worst.1.max(deviation.abs());
        }
        compared += 1;
    }
    eprintln!(
        "largest deviation from the reference: at rest {:.2e}, bound {:.2e}",
        worst.0, worst.1
    );
    assert!(compared >= 60, "only {compared} masses compared");
    // Each at-rest yield carries its own check of the grid; none misses the tolerance, and the
    // tables are within theirs.
    assert_eq!(flagged, 0, "at-rest yields flagged");
    assert!(at_rest.1.table_error() <= Resolution::default().table_tolerance);
}

/// Electrons at rest, no photon seen, at masses whose resonance sits on or next to the at-rest
/// flux's edges (its `1/ln` spike at 66.674 MeV, its upper end at 82.246 MeV), against the
/// independent reference's case (c) there (`tools/reference/realistic/edge_masses.json`,
/// accurate to 1e-9). Each yield is checked against a grid of twice the step, not bounded
/// pointwise: its stated error covers the deviation at every mass, and a yield is accepted only
/// where it is within the tolerance (observed: 66.67 MeV flagged though within 3e-5; every
/// flagged mass past 82.2 MeV is 9e-4 to 2.7e-2 off).
#[test]
fn the_grid_check_holds_at_the_edges_of_the_flux() {
    let text = std::fs::read_to_string("tools/reference/realistic/edge_masses.json")
        .expect("the edge masses' reference");
    let reference: Value = serde_json::from_str(&text).expect("json");
    let (calculator, search) = setup("at-rest", InitialStateRadiation::AllInvisible);
    let table_tolerance = Resolution::default().table_tolerance;
    let mut flagged = 0;
    for row in reference["rows"].as_array().expect("rows") {
        let (mass, expected) = (
            row[0].as_f64().expect("mass"),
            row[1].as_f64().expect("yield"),
        );
        let ours = search.yields(calculator.mediator(mass)).annihilation;
        let deviation = (ours.value / expected - 1.0).abs();
        let stated = ours.error / ours.value;
        assert!(
            deviation <= stated + REFERENCE_ACCURACY,
            "m = {mass} MeV: {:.6e} +- {stated:.1e}, reference {expected:.6e} ({deviation:.2e})",
            ours.value
        );
        assert!(
            !ours.converged || deviation < table_tolerance,
            "m = {mass} MeV accepted {deviation:.2e} off"
        );
        flagged += usize::from(!ours.converged);
    }
    // On the spike and past the upper end (66.67-66.68 and 82.22-82.5 MeV).
    assert!((6..=9).contains(&flagged), "{flagged} flagged");
}

/// `integral dm^2 N(m^2)` with a narrow resonance (`alpha_D = 1e-6`), bound electrons and
/// electrons at rest: with unseen radiation over without is 1 to 1e-5 (the radiator is
/// normalised; the yield moved below 1 MeV, where the integral starts, is about
/// `(beta/2)(1 MeV)^2/s`: 4e-6 at Belle II, 1e-7 at NA64), for the Belle II positrons on CsI
/// and the NA64 electron beam on lead. The radiated yield is spread over every mass below the
/// flux, so the integral runs from 1 MeV. (With electrons at rest the flux keeps its `1/ln`
/// spike, and each yield is checked against a grid of twice the step.)
#[test]
fn unseen_radiation_only_moves_the_yield_down_in_mass() {
    let cases = ["configs/belle2_dp.toml", "configs/na64_dp.toml"]
        .into_iter()
        .flat_map(|config| ["compton-profile", "at-rest"].map(|electrons| (config, electrons)));
    for (config, electrons) in cases {
        let electrons_key = format!("target.atomic_electrons=\"{electrons}\"");
        let calculator = Calculator::new(
            &curves(config, &[electrons_key.as_str(), "model.alpha_d=1e-6"])[0].scenario,
        );
        let mut setup = calculator.search().setup().clone();
        setup.initial_state_radiation = InitialStateRadiation::AllInvisible;
        let radiating = ThickTargetSearch::new(setup, Resolution::default());
        let features = flux_features_m2(radiating.window());
        // Bound electrons reach from mu = 0.02 m_e to 1.98 m_e; radiation down to 1 MeV. The
        // yield has structure everywhere in between (the shells' peaks, radiated): 50 panels
        // per factor e in m^2 besides the features, so that the adaptive rule cannot miss any.
        let (lowest, top) = (0.02 * features[0], 1.99 * features[features.len() - 1]);
        let mut breaks = vec![1e-6];
        breaks.extend((0..=400).map(|k| lowest * (top / lowest).powf(f64::from(k) / 400.0)));
        breaks.extend(&features);
        breaks.sort_by(f64::total_cmp);
        let tol = Tolerance {
            max_panels: 4000,
            ..Tolerance::relative(1e-7)
        };
        let at = |s: &ThickTargetSearch, m2: f64| {
            s.yields(calculator.mediator(m2.sqrt() * 1e3))
                .annihilation
                .value
        };
        let without = integrate(|m2| at(calculator.search(), m2), &breaks[1..], tol);
        assert!(breaks[1] == lowest);
        let with = integrate(|m2| at(&radiating, m2), &breaks, tol);
        assert!(without.converged && with.converged, "{config}, {electrons}");
        let ratio = with.value / without.value;
        eprintln!("{config}, {electrons}: sum rule radiated/not = {ratio:.9}");
        assert!(
            (ratio - 1.0).abs() < 1e-5,
            "{config}, {electrons}: integral over m^2, radiation on/off = {ratio:.9}"
        );
    }
}

/// Every photon seen (the positron's track length takes the whole radiator, and the window's
/// cut applies to all of it), at the reference's at-rest best mass: the reference's
/// narrow-width correction to (c) and (d) (its stated accuracy 1e-4). Electrons at rest: 2e-4
/// (observed -1.1e-4). Bound: 6e-4 (observed -4.0e-4): the positron's radiator is taken at the
/// `s` of an electron at rest, while the reference uses each shell's `s` (the inner shells'
/// `mu = E_n - p_z` moves `ln s` by up to 0.4, `beta` by 2%).
#[test]
fn seen_radiation_agrees_with_the_independent_reference() {
    let r = reference();
    let mass = r["headline"]["at_rest_best_mass_mev"]
        .as_f64()
        .expect("mass");
    let key = format!("m={mass:.5} MeV");
    let visible = &r["headline"]["isr_photon_counted_visible"][&key];
    for (electrons, column, tolerance) in [
        ("at-rest", "N_c_isr_photon_visible", 2e-4),
        ("compton-profile", "N_d_isr_photon_visible", 6e-4),
    ] {
        let theirs = visible[column].as_f64().expect(column);
        let (c, s) = setup(electrons, InitialStateRadiation::AllVisible);
        let ours = s.yields(c.mediator(mass)).annihilation;
        let deviation = ours.value / theirs - 1.0;
        eprintln!(
            "{electrons}, every photon seen: {:.6e} against {theirs:.6e} ({deviation:.2e})",
            ours.value
        );
        assert!(
            deviation.abs() < tolerance && ours.converged,
            "{electrons}: {:.6e} against {theirs:.6e} ({deviation:.2e})",
            ours.value
        );
    }
}

/// The physical case (`true`: the positron's photon seen, the electron's not, each leg with half
/// the Kuraev–Fadin `beta`) against the independent reference's cases (f), electrons at rest,
/// and (g'), bound electrons (`tools/reference/realistic/legs_reference.py`: the positron's leg
/// convolved into the track length with the window's cut on the annihilation energy, its `beta`
/// at the at-rest `s`; the electron's leg into the cross section, its `beta` at the `s` it
/// radiates from; accurate to 1e-9 and 5e-8), 40-90 MeV. At rest: 1e-3 and within each yield's
/// stated error but [`REFERENCE_ACCURACY`] (observed: deviations up to 4.3e-5, at 85 MeV,
/// beyond the stated error by at most 1.1e-6, at 66.3 MeV). Bound: 2e-4 up
/// to 80 MeV (observed 8.9e-5), 5e-4 at 85 MeV (3.2e-4) and 2.5% at 90 MeV (1.9%): above the
/// flux the yield comes from electrons far out in the profiles' tails, which darksens cuts at
/// `|p_z| = 0.98 m_e` (see [`unseen_radiation_agrees_with_the_independent_reference`]).
#[test]
fn each_leg_as_it_happens_agrees_with_the_independent_reference() {
    let r = common::reference_json("realistic/legs_reference.json");
    let mut compared = 0;
    for (case, electrons) in [
        ("case_f_at_rest_legs", "at-rest"),
        ("case_g_bound_legs_beta_at_bound_s", "compton-profile"),
    ] {
        let (c, s) = setup(electrons, InitialStateRadiation::Legs);
        for (label, entry) in r[case].as_object().expect(case) {
            let Some(mass) = label
                .strip_prefix("m=")
                .and_then(|m| m.strip_suffix(" MeV"))
                .and_then(|m| m.parse::<f64>().ok())
            else {
                continue;
            };
            let theirs = entry["value"].as_f64().expect("value");
            let ours = s.yields(c.mediator(mass)).annihilation;
            let deviation = ours.value / theirs - 1.0;
            let stated = ours.error / ours.value;
            eprintln!(
                "{electrons}, m = {mass} MeV: {:.9e} against {theirs:.9e} ({deviation:.2e}), stated {stated:.2e}",
                ours.value
            );
            let within = if electrons == "at-rest" {
                deviation.abs() < 1e-3 && deviation.abs() <= stated + REFERENCE_ACCURACY
            } else if mass <= 80.0 {
                deviation.abs() < 2e-4
            } else if mass <= 85.0 {
                deviation.abs() < 5e-4
            } else {
                deviation.abs() < 2.5e-2
            };
            assert!(
                within && ours.converged,
                "{electrons}, m = {mass} MeV: {:.6e} +- {stated:.1e} against {theirs:.6e} ({deviation:.2e})",
                ours.value
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 22, "eleven masses in each case");
}

/// The physical case, the positron's photon seen and the electron's not, lies between the two
/// limits at every mass of the scan, with bound electrons; it lowers the peak and fills the
/// masses below the flux's reach with the target electron's radiative return. `false` is the
/// paper's yield.
#[test]
fn each_leg_as_it_happens_lies_between_the_limits() {
    let (c, unseen) = setup("compton-profile", InitialStateRadiation::AllInvisible);
    let (_, seen) = setup("compton-profile", InitialStateRadiation::AllVisible);
    let (_, legs) = setup("compton-profile", InitialStateRadiation::Legs);
    let off = c.search();
    for mass in [
        40.0, 50.0, 60.0, 64.0, 66.0, 66.72, 67.0, 70.0, 75.0, 80.0, 85.0, 90.0,
    ] {
        let m = c.mediator(mass);
        let [u, s, l, o] = [&unseen, &seen, &legs, off].map(|x| x.yields(m).annihilation.value);
        assert!(
            s < l && l < u,
            "{mass} MeV: seen {s:e}, legs {l:e}, unseen {u:e}"
        );
        if (66.0..=82.0).contains(&mass) {
            assert!(l < o, "{mass} MeV: radiation must lower the peak region");
        }
        if mass <= 50.0 {
            assert!(
                l > 2.0 * o,
                "{mass} MeV: the radiative return: {l:e} against {o:e}"
            );
        }
    }
    let paper = Calculator::new(
        &curves(
            "configs/belle2_dp.toml",
            &["target.min_energy_loss_fraction=0"],
        )[0]
        .scenario,
    );
    let m = paper.mediator(66.72);
    assert_eq!(
        paper.search().yields(m).annihilation.value,
        paper.search().annihilation_at_rest(m).value
    );
}
