//! Reproduction of the disappearing-positron-track paper [DPT] (arXiv:2212.04252): every
//! reference file of `tests/reference/dpt/` (value, source, precision, tolerance and its reason)
//! run in full through the same code as `darksens reproduce`. docs/validation.md tabulates the
//! comparison.

mod common;

use common::curves;
use darksens::pipeline::thick_target::run_scan;
use darksens::reproduce::{Session, list, load, run};
use std::path::Path;

fn reproduce(name: &str) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = repo.join("tests/reference");
    let (_, path) = list(&root)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no reproduction {name}"));
    let reproduction = load(&path).expect("reference file loads");
    let outcomes = run(&reproduction, Some(repo), false).expect("reproduction runs");
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| {
            format!(
                "{}: ours {:.6e}, paper {:?} ({}), deviation {:+.3}% > {}%",
                o.name,
                o.ours,
                o.paper,
                o.source,
                100.0 * o.deviation,
                100.0 * o.tolerance
            )
        })
        .collect();
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

#[test]
fn every_reference_file_is_a_test_here() {
    let names: Vec<String> = list(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "dpt/app_a_control",
            "dpt/fig3",
            "dpt/fig4",
            "dpt/fig5",
            "dpt/fig6",
            "dpt/fig8",
            "dpt/sources_backgrounds",
            "emu/table1"
        ]
    );
}

#[test]
fn sources_and_backgrounds() {
    reproduce("dpt/sources_backgrounds");
}

#[test]
fn fig3_dark_photon() {
    reproduce("dpt/fig3");
}

#[test]
fn fig4_against_alpha_d() {
    reproduce("dpt/fig4");
}

#[test]
fn fig5_na64() {
    reproduce("dpt/fig5");
}

#[test]
fn fig6_scalar() {
    reproduce("dpt/fig6");
}

#[test]
fn fig8_radiative_bhabha() {
    reproduce("dpt/fig8");
}

/// [DPT App. F, Fig. 8] in words: "the limit improves within the mass range of 40 MeV <~ m_A' <~
/// 60 MeV" (radiative Bhabha positrons below the Bhabha window, 4.35 GeV), while the Bhabha
/// curve stays far better at its own resonance (66.7 MeV). Checked at every scan point from
/// 46 MeV: the radiative positrons' 2 GeV cut puts their resonance's lower edge at
/// `sqrt(2 m_e 2 GeV) = 45.2 MeV` (44.1 MeV with the shower's energy loss; the paper's "40" is
/// a reading of its figure, docs/validation.md §12, where the edge is tested at 15%). Below it
/// both curves are bremsstrahlung and the radiative one cannot improve much (less than
/// twofold, checked at 40-43 MeV). The factor 2 is a margin under ours (2.5-3).
#[test]
fn fig8_radiative_bhabha_improves_at_46_to_60_mev() {
    let results = run_scan(&curves(
        "configs/belle2_rbs.toml",
        &["scan.points=20", "scan.dense_points=56"],
    ))
    .expect("scan runs");
    let (bhabha, radiative) = (&results[0], &results[1]);
    assert!(radiative.label.starts_with("radiative"));
    let (mut compared, mut below) = (0, 0);
    for (b, r) in bhabha.points.iter().zip(&radiative.points) {
        assert_eq!(b.mass_mev.to_bits(), r.mass_mev.to_bits());
        if (46.0..=60.0).contains(&b.mass_mev) {
            compared += 1;
            assert!(
                r.epsilon_limit < 0.5 * b.epsilon_limit,
                "at {} MeV: radiative {} against Bhabha {}",
                b.mass_mev,
                r.epsilon_limit,
                b.epsilon_limit
            );
        }
        if (40.0..=43.0).contains(&b.mass_mev) {
            below += 1;
            assert!(
                r.epsilon_limit > 0.5 * b.epsilon_limit,
                "at {} MeV, below the radiative resonance: {} against {}",
                b.mass_mev,
                r.epsilon_limit,
                b.epsilon_limit
            );
        }
        if (66.0..=67.5).contains(&b.mass_mev) {
            assert!(b.epsilon_limit < 0.2 * r.epsilon_limit, "{b:?} {r:?}");
        }
    }
    assert!(compared >= 10, "{compared} points in 46-60 MeV");
    assert!(below >= 2, "{below} points in 40-43 MeV");
}

#[test]
fn app_a_control_sample() {
    reproduce("dpt/app_a_control");
}

/// [DPT Fig. 4] beyond its numbers: with the paper's numerics the limit at 66.66 MeV grows
/// monotonically with alpha_D (docs/physics.md §6b: the exactly integrated curve is not monotone at
/// exactly 66.66 MeV).
#[test]
fn fig4_is_monotone_with_paper_numerics() {
    let results = run_scan(&curves(
        "configs/belle2_dp_alphad.toml",
        &["scan.points=21"],
    ))
    .expect("scan runs");
    let paper = &results[0];
    assert_eq!(paper.parameter, "model.alpha_d");
    for pair in paper.points.windows(2) {
        assert!(
            pair[1].epsilon_limit >= pair[0].epsilon_limit * (1.0 - 2e-3),
            "not monotone: {pair:?}"
        );
    }
}

/// `darksens reproduce --all` runs every reproduction in one session, which hands later
/// quantities the scans, tables and Monte Carlo events earlier ones computed: the outcomes must
/// be those of running each reproduction alone.
#[test]
fn one_session_gives_what_separate_runs_give() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reproductions: Vec<_> = ["dpt/fig3", "dpt/sources_backgrounds", "emu/table1"]
        .iter()
        .map(|name| {
            let (_, path) = list(&repo.join("tests/reference"))
                .into_iter()
                .find(|(n, _)| n == name)
                .expect("listed");
            load(&path).expect("reference file loads")
        })
        .collect();
    let mut session = Session::new(Some(repo));
    for reproduction in &reproductions {
        let shared = session.run(reproduction, true).expect("runs");
        let alone = run(reproduction, Some(repo), true).expect("runs");
        assert_eq!(shared, alone, "{}", reproduction.title);
        assert!(shared.iter().all(|o| o.passed), "{}", reproduction.title);
    }
}
