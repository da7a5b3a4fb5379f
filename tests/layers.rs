//! Layered targets (`[[target.layer]]`) against independent numbers. In the Tsai–Whitis picture
//! a layer is a range of depth in radiation lengths, so:
//!
//! - splitting a target into a front layer and the rest, both of the same material and both
//!   signal, gives the single target's yield (the track lengths of the two depth ranges add up
//!   to the whole: `f(v, T1 + T2) = [f(v, T1)] + [f(v, T1 + T2) - f(v, T1)]`), for the Belle II
//!   positrons and the NA64 electron beam, with electrons at rest and bound, with and without
//!   radiation;
//! - a front layer that is not signal removes exactly its own yield;
//! - the same depth of another material gives the yield scaled by its electrons per `X0`,
//!   `(n_e X0)_B / (n_e X0)_A` (closed form from the densities), with electrons at rest.
//!
//! With no layer the yield is the single-material one, which the paper's reproductions
//! (`tests/paper_dpt.rs`) and the independent references (`tests/independent_reference.rs`)
//! check.

use darksens::materials::{CSI, FUSED_SILICA, Material};
use darksens::pipeline::thick_target::Calculator;
use darksens::scenario::{Override, ScenarioDocument};
use std::path::Path;

/// `config` with `layers` (TOML `[[target.layer]]` tables) inserted after its `[target]` table
/// keys, and `overrides`; the first curve's calculator.
fn calculator(config: &str, layers: &str, overrides: &[&str]) -> Calculator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(config);
    let text = std::fs::read_to_string(&path).expect("config");
    let at = text
        .find("\n[model]")
        .expect("a [model] table after [target]");
    let text = format!("{}\n{layers}\n{}", &text[..at], &text[at..]);
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|s| Override::parse(s).expect("override"))
        .collect();
    let document = ScenarioDocument::from_text(&path, text, &overrides).expect("scenario");
    Calculator::new(&document.curves().expect("curves")[0].scenario)
}

fn layer(material: &str, thickness_x0: f64, signal: bool) -> String {
    format!(
        "[[target.layer]]\nmaterial = \"{material}\"\nthickness_x0 = {thickness_x0}\nsignal = {signal}\n"
    )
}

fn annihilation(c: &Calculator, mass_mev: f64) -> f64 {
    c.search().yields(c.mediator(mass_mev)).annihilation.value
}

/// Splitting the target: 16 X0 of CsI as 0.3 + 15.7 X0 (Belle II) and 40 X0 of lead as
/// 2 + 38 X0 (NA64), to 2e-4 (the two track-length tables' error bounds add, 1e-4 each at most),
/// at masses across the resonance region, for every combination of the realistic effects.
#[test]
fn splitting_the_target_changes_nothing() {
    for (config, material, front, total, masses) in [
        (
            "configs/belle2_dp.toml",
            "CsI",
            0.3,
            16.0,
            [60.0, 66.72, 70.0, 80.0],
        ),
        (
            "configs/na64_dp.toml",
            "Pb",
            2.0,
            40.0,
            [230.0, 250.0, 280.0, 300.0],
        ),
    ] {
        for effects in [
            vec![],
            vec!["target.atomic_electrons=\"compton-profile\""],
            vec![
                "target.atomic_electrons=\"compton-profile\"",
                "target.initial_state_radiation=true",
                "target.second_generation=\"positrons\"",
            ],
        ] {
            let whole = calculator(config, "", &effects);
            let mut split_overrides = effects.clone();
            let rest = format!("target.thickness_x0={}", total - front);
            split_overrides.push(&rest);
            let split = calculator(config, &layer(material, front, true), &split_overrides);
            for mass in masses {
                let (a, b) = (annihilation(&whole, mass), annihilation(&split, mass));
                assert!(
                    (b / a - 1.0).abs() < 2e-4,
                    "{config} {effects:?}, m = {mass} MeV: split {b:.6e} against whole {a:.6e}"
                );
            }
        }
    }
}

/// A front layer that is not signal removes its own yield: whole target minus the front part
/// alone (a target as thick as the layer) equals the split target with the layer off.
#[test]
fn a_layer_that_is_not_signal_removes_its_yield() {
    let (front, total) = (1.0, 16.0);
    let whole = calculator("configs/belle2_dp.toml", "", &[]);
    let front_alone = calculator(
        "configs/belle2_dp.toml",
        "",
        &[&format!("target.thickness_x0={front}")],
    );
    let behind = calculator(
        "configs/belle2_dp.toml",
        &layer("CsI", front, false),
        &[&format!("target.thickness_x0={}", total - front)],
    );
    for mass in [62.0, 66.72, 75.0] {
        let expected = annihilation(&whole, mass) - annihilation(&front_alone, mass);
        let ours = annihilation(&behind, mass);
        assert!(
            (ours / expected - 1.0).abs() < 2e-4,
            "m = {mass} MeV: {ours:.6e} against {expected:.6e}"
        );
    }
}

/// The same depth of fused silica instead of CsI in front: its contribution scales by
/// `(n_e X0)_SiO2 / (n_e X0)_CsI` (3.87), electrons at rest. The front contribution is the
/// total less the total with the layer not counted.
#[test]
fn a_layer_counts_its_own_electrons_per_radiation_length() {
    let per_x0 = |m: &Material| m.electrons_per_cm3() * m.radiation_length_cm;
    let ratio = per_x0(&FUSED_SILICA) / per_x0(&CSI);
    assert!((ratio - 3.87).abs() < 0.01, "{ratio}");
    let contribution = |material: &str, mass: f64| {
        let with = calculator("configs/belle2_dp.toml", &layer(material, 0.2, true), &[]);
        let without = calculator("configs/belle2_dp.toml", &layer(material, 0.2, false), &[]);
        annihilation(&with, mass) - annihilation(&without, mass)
    };
    for mass in [66.72, 75.0] {
        let (silica, csi) = (
            contribution("fused-silica", mass),
            contribution("CsI", mass),
        );
        assert!(
            (silica / csi / ratio - 1.0).abs() < 1e-6,
            "m = {mass} MeV: {silica:.6e} / {csi:.6e} against {ratio}"
        );
    }
}

/// A material defined in the scenario (`[[material]]`) by the composition and density of a
/// built-in, with the built-in's `X0`, gives the built-in's yields: as the target (CsI, bound
/// electrons and radiation, whose profiles come from the composition) and as a front layer
/// (fused silica). Only the atomic weights differ (the element table's IUPAC 2021 values against
/// the built-ins' own, 2e-5 for silicon), so 1e-4.
#[test]
fn a_material_by_composition_is_the_built_in() {
    let by_composition = "[[material]]\nname = \"csi-by-composition\"\ndensity_g_cm3 = 4.51\n\
        composition = { Cs = 1, I = 1 }\nx0_cm = 1.86\n\
        [[material]]\nname = \"silica-by-composition\"\ndensity_g_cm3 = 2.20\n\
        composition = { Si = 1, O = 2 }\nx0_cm = 12.295\n";
    let effects = [
        "target.atomic_electrons=\"compton-profile\"",
        "target.initial_state_radiation=true",
    ];
    let built_in = calculator(
        "configs/belle2_dp.toml",
        &layer("fused-silica", 0.2, true),
        &effects,
    );
    let mut overrides = effects.to_vec();
    overrides.push("target.material=\"csi-by-composition\"");
    let defined = calculator(
        "configs/belle2_dp.toml",
        &format!(
            "{}\n{by_composition}",
            layer("silica-by-composition", 0.2, true)
        ),
        &overrides,
    );
    for mass in [50.0, 66.72, 80.0] {
        let (a, b) = (annihilation(&built_in, mass), annihilation(&defined, mass));
        assert!(
            (b / a - 1.0).abs() < 1e-4,
            "m = {mass} MeV: {b} by composition against {a} built in"
        );
        let brem = |c: &Calculator| c.search().yields(c.mediator(mass)).bremsstrahlung.value;
        assert!((brem(&defined) / brem(&built_in) - 1.0).abs() < 1e-4);
    }
}

/// Bremsstrahlung (computed) is counted only inside the target. Without `target.brem_thickness_x0`, a
/// target thinner than 1 X0 [DPT Eq. 4.5] takes its own thickness as the depth: the same yield
/// as that depth given explicitly in a thick target (the track length gathered in the first
/// `T` X0 does not depend on what lies behind them), and less than 1 X0 gives.
#[test]
fn bremsstrahlung_stays_inside_a_thin_target() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/na64_dp.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    let without_depth: String = text
        .lines()
        .filter(|l| !l.starts_with("brem_thickness_x0"))
        .flat_map(|l| [l, "\n"])
        .collect();
    assert_ne!(text, without_depth, "the config names its depth");
    let brem = |overrides: &[&str]| {
        let overrides: Vec<Override> = ["bremsstrahlung.method=\"computed\""]
            .iter()
            .chain(overrides)
            .map(|s| Override::parse(s).expect("override"))
            .collect();
        let document = ScenarioDocument::from_text(&path, without_depth.clone(), &overrides)
            .expect("scenario");
        let c = Calculator::new(&document.curves().expect("curves")[0].scenario);
        let y = c.search().yields(c.mediator(10.0)).bremsstrahlung;
        assert!(y.converged && y.value > 0.0, "{overrides:?}: {y:?}");
        y.value
    };
    let thin = brem(&["target.thickness_x0=0.5"]);
    let half = brem(&["target.brem_thickness_x0=0.5"]);
    let one = brem(&[]);
    assert!((thin / half - 1.0).abs() < 1e-12, "{thin} vs {half}");
    assert!(thin < 0.9 * one, "{thin} vs 1 X0: {one}");
}

/// A thin bremsstrahlung depth (0.03 `X0` in the ECL) gets a converged track-length table: its
/// track length turns from the spike to the radiated part within a few intervals of the
/// default table, whose pointwise bound was 2e-2 at 128 intervals (every point flagged,
/// although its yields were within 1.5e-5 of the fine table's), so the table's intervals are
/// doubled until it meets half the tolerance. Its yields agree with those of a table of 4096
/// intervals given explicitly.
#[test]
fn a_thin_bremsstrahlung_depth_gets_a_converged_table() {
    let thin = calculator(
        "configs/belle2_dp.toml",
        "",
        &["target.brem_thickness_x0=0.03"],
    );
    let table_tolerance = 1e-3;
    assert!(
        thin.search().table_error() < table_tolerance,
        "table error {}",
        thin.search().table_error()
    );
    let fine = calculator(
        "configs/belle2_dp.toml",
        "",
        &[
            "target.brem_thickness_x0=0.03",
            "numerics.track_length_intervals=4096",
        ],
    );
    for mass in [5.0, 20.0, 100.0] {
        let a = thin.search().yields(thin.mediator(mass)).bremsstrahlung;
        let b = fine.search().yields(fine.mediator(mass)).bremsstrahlung;
        assert!(a.converged && b.converged, "m = {mass}: {a:?} {b:?}");
        assert!(
            (a.value / b.value - 1.0).abs() < table_tolerance,
            "m = {mass} MeV: {} against {}",
            a.value,
            b.value
        );
    }
}
