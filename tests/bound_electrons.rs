//! Resonant annihilation on bound, moving electrons (`target.atomic_electrons =
//! "compton-profile"`) against independent numbers:
//!
//! - the independent Python reference `tools/reference/realistic/` (its own flux tables, the
//!   bound-electron yield as an integral over each shell's profile of a tabulated cross-section
//!   integral, checked there by a second method to 1e-10), at every mass of its scan where the
//!   two treatments of the far profile tails agree (50-88 MeV; see the test for why not above);
//! - the sum rule: in the narrow-width limit the motion only moves yield in `m^2`, so
//!   `integral N dm^2` is unchanged (to the fraction of electrons in the dropped far tails);
//! - the limit of electrons at rest, approached as the momentum distribution narrows.

mod common;

use common::{curves, flux_features_m2};
use darksens::materials::compton::ElectronMomenta;
use darksens::numerics::quadrature::{Tolerance, integrate};
use darksens::pipeline::thick_target::Calculator;
use darksens::signal::thick_target::{Resolution, ThickTargetSearch};
use darksens::units::ELECTRON_MASS_GEV;
use serde_json::Value;

fn reference() -> Value {
    common::realistic_reference()
}

fn bound_calculator(overrides: &[&str]) -> Calculator {
    let mut all = vec!["target.atomic_electrons=\"compton-profile\""];
    all.extend_from_slice(overrides);
    Calculator::new(&curves("configs/belle2_dp.toml", &all)[0].scenario)
}

/// The reference's scan, 50-95 MeV (alpha_D = 1e-3, m_chi = m/3, the paper's Belle II setup with
/// no energy-loss cut): the yields agree to 1e-3 (observed: at most 3.6e-4, at 50 MeV, the size
/// of the `m_e p_z / s` terms the two kinematic approximations treat differently) up to 88 MeV.
/// Above, the yield comes from electrons with `|p_z|` near `m_e`, where darksens drops the
/// profiles (`|p_z| < 0.98 m_e`, where the impulse approximation still has a meaning) and the
/// reference keeps its tail model to 2.2 `m_e`: -1.4% at 90 MeV, -28% at 95 MeV
/// (docs/validation.md; with the reference's cut darksens agrees to 2e-4 there too).
#[test]
fn yields_agree_with_the_independent_reference() {
    let r = reference();
    let calculator = bound_calculator(&[]);
    let columns: Vec<&str> = r["scan"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c.as_str().expect("name"))
        .collect();
    let at_rest = columns
        .iter()
        .position(|&c| c == "N_a_at_rest")
        .expect("N_a");
    let bound = columns.iter().position(|&c| c == "N_b_bound").expect("N_b");
    let mut compared = 0;
    for row in r["scan"]["rows"].as_array().expect("rows") {
        let row: Vec<f64> = row
            .as_array()
            .expect("row")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect();
        let mass = row[0];
        if mass > 88.0 + 1e-9 {
            continue;
        }
        let mediator = calculator.mediator(mass);
        let search = calculator.search();
        let ours = search.yields(mediator).annihilation;
        let deviation = ours.value / row[bound] - 1.0;
        assert!(
            deviation.abs() < 1e-3 && ours.converged,
            "m = {mass} MeV: bound-electron yield {:.6e}, reference {:.6e} ({deviation:.2e})",
            ours.value,
            row[bound]
        );
        let rest = search.annihilation_at_rest(mediator).value;
        assert!(
            (rest / row[at_rest] - 1.0).abs() < 2e-5,
            "m = {mass} MeV: at-rest yield {rest:.6e}, reference {:.6e}",
            row[at_rest]
        );
        compared += 1;
    }
    assert!(compared >= 30, "only {compared} masses compared");
    let headline = &r["headline"]["at_the_at_rest_best_mass"];
    let mass = r["headline"]["at_rest_best_mass_mev"]
        .as_f64()
        .expect("mass");
    let ours = calculator
        .search()
        .yields(calculator.mediator(mass))
        .annihilation
        .value;
    let theirs = headline["N_b"].as_f64().expect("N_b");
    assert!(
        (ours / theirs - 1.0).abs() < 1e-3,
        "at the at-rest best mass: {ours:.6e} against {theirs:.6e}"
    );
}

/// `integral dm^2 N(m^2)` over every mass the flux reaches, with a narrow resonance
/// (`alpha_D = 1e-6`, `Gamma/m = 4e-7`): bound over at rest equals the fraction of the electrons
/// kept (the profiles are cut at `|p_z| = 0.98 m_e`), to 1e-4, for the Belle II positrons on
/// CsI and the NA64 electron beam on lead.
#[test]
fn motion_only_moves_the_yield_in_mass() {
    for (config, symbols) in [
        ("configs/belle2_dp.toml", vec![("Cs", 1.0), ("I", 1.0)]),
        ("configs/na64_dp.toml", vec![("Pb", 1.0)]),
    ] {
        let calculator = Calculator::new(
            &curves(
                config,
                &[
                    "target.atomic_electrons=\"compton-profile\"",
                    "model.alpha_d=1e-6",
                ],
            )[0]
            .scenario,
        );
        let kept = darksens::materials::compton::electron_momenta_of(&symbols)
            .expect("profiles")
            .norm();
        let search = calculator.search();
        let at_rest_breaks = flux_features_m2(search.window());
        let yield_at = |m2: f64, rest: bool| {
            let mediator = calculator.mediator(m2.sqrt() * 1e3);
            if rest {
                search.annihilation_at_rest(mediator).value
            } else {
                search.yields(mediator).annihilation.value
            }
        };
        let tol = Tolerance {
            max_panels: 4000,
            ..Tolerance::relative(1e-6)
        };
        let at_rest = integrate(|m2| yield_at(m2, true), &at_rest_breaks, tol);
        let mut bound_breaks = vec![0.02 * at_rest_breaks[0]];
        bound_breaks.extend(&at_rest_breaks);
        bound_breaks.push(1.99 * at_rest_breaks[at_rest_breaks.len() - 1]);
        let moving = integrate(|m2| yield_at(m2, false), &bound_breaks, tol);
        assert!(at_rest.converged && moving.converged, "{config}");
        let ratio = moving.value / at_rest.value;
        eprintln!("{config}: sum rule bound/at rest = {ratio:.8}, electrons kept {kept:.8}");
        assert!(
            (ratio / kept - 1.0).abs() < 1e-4,
            "{config}: integral over m^2: bound/at rest = {ratio:.7}, electrons kept {kept:.7}"
        );
    }
}

/// Electrons whose `mu = E_e - p_z` is spread over a triangle of half width `w m_e` around `m_e`
/// give the at-rest yield as `w -> 0`: at 75 MeV (a smooth part of the flux) to `w^2`
/// (4e-6 at `w = 1e-3`, tested at 1e-5), and at the best point of the at-rest yield, 0.2% above
/// the flux's `1/ln` spike, more slowly (the spike is smeared over `w`); there the deviation
/// shrinks with `w`.
#[test]
fn narrow_momenta_give_electrons_at_rest() {
    let calculator = Calculator::new(&curves("configs/belle2_dp.toml", &[])[0].scenario);
    let setup = calculator.search().setup().clone();
    let triangle = |w: f64| {
        let m = ELECTRON_MASS_GEV;
        let height = 1.0 / (w * m);
        ElectronMomenta::from_table(
            vec![m * (1.0 - w), m, m * (1.0 + w)],
            vec![0.0, height, 0.0],
            vec![(m, 1.0)],
        )
    };
    let deviation = |w: f64, mass_mev: f64| {
        let e = triangle(w);
        let search =
            ThickTargetSearch::with_electrons(setup.clone(), Resolution::default(), Some(&e));
        let mediator = calculator.mediator(mass_mev);
        search.yields(mediator).annihilation.value / search.annihilation_at_rest(mediator).value
            - 1.0
    };
    let smooth = deviation(1e-3, 75.0);
    assert!(smooth.abs() < 1e-5, "75 MeV, w = 1e-3: {smooth:.2e}");
    let (wide, narrow) = (deviation(1e-2, 66.72), deviation(1e-3, 66.72));
    eprintln!(
        "at-rest limit: 75 MeV {smooth:.2e}; 66.72 MeV w = 1e-2 {wide:.3e}, w = 1e-3 {narrow:.3e}"
    );
    assert!(
        narrow.abs() < wide.abs() && narrow.abs() < 0.01,
        "66.72 MeV: w = 1e-2 gives {wide:.3e}, w = 1e-3 gives {narrow:.3e}"
    );
}

/// Neutral atoms or ions: CsI as Cs+ I- (the caesium 6s electron on iodine's 5p shell) changes
/// the yield at the at-rest best mass by the reference's -0.34% (to 2e-4 of the yield).
#[test]
fn ionic_occupations_change_little() {
    use darksens::materials::compton::Occupations;
    let r = reference();
    let mass = r["headline"]["at_rest_best_mass_mev"]
        .as_f64()
        .expect("mass");
    let theirs = r["headline"]["at_the_at_rest_best_mass"]["ratio_b_ionic_over_b"]
        .as_f64()
        .expect("ratio");
    let calculator = bound_calculator(&[]);
    let setup = calculator.search().setup().clone();
    let ionic = ElectronMomenta::of_atoms(&[("Cs", 1.0), ("I", 1.0)], Occupations::Ionic)
        .expect("profiles");
    let search = ThickTargetSearch::with_electrons(setup, Resolution::default(), Some(&ionic));
    let mediator = calculator.mediator(mass);
    let ratio = search.yields(mediator).annihilation.value
        / calculator.search().yields(mediator).annihilation.value;
    eprintln!("ionic/neutral at {mass} MeV: {ratio:.6} (reference {theirs:.6})");
    assert!((ratio - theirs).abs() < 2e-4, "{ratio} against {theirs}");
}

/// With annihilation alone (`bremsstrahlung.method = "none"`), bound electrons reach heavier
/// mediators than electrons at rest: `s = 2 mu E_A'` with `mu` up to almost `2 m_e`. The stated
/// reach is `sqrt 2` times the at-rest one, and the yield is positive between the two (at 95% of
/// the new reach) and zero above it.
#[test]
fn bound_electrons_reach_heavier_mediators() {
    let at_rest = Calculator::new(
        &curves(
            "configs/belle2_dp.toml",
            &["bremsstrahlung.method=\"none\""],
        )[0]
        .scenario,
    );
    let bound = bound_calculator(&["bremsstrahlung.method=\"none\""]);
    let r = 1.0 / 3.0;
    let (reach_rest, reach_bound) = (
        at_rest.search().setup().mass_reach_gev(r),
        bound.search().setup().mass_reach_gev(r),
    );
    assert!((reach_bound / reach_rest - 2f64.sqrt()).abs() < 1e-12);
    let between = 0.95 * reach_bound * 1e3;
    assert!(between > reach_rest * 1e3);
    assert!(bound.yields(between).annihilation.value > 0.0);
    assert!(bound.yields(1.001 * reach_bound * 1e3).annihilation.value == 0.0);
}
