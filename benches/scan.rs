//! Benchmarks of the hot paths: the track-length table (with either second generation), one mass point (and one of a
//! positron beam, its spread resonance built per mass), the full default scan
//! and a large one (the annihilation yield interpolated in the mass or not) with its CSV, the tables with bound electrons, the radiative
//! Bhabha generator (VEGAS training, integration, envelope unweighting), the emulsion detectors' acceptance Monte Carlo, and
//! every reproduction in one session.
//!
//! `cargo bench` runs them; `.ci/run` only compiles them (`cargo bench --no-run`).
#![expect(
    missing_docs,
    reason = "criterion's macros generate the benchmark entry points"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use darksens::pipeline::thick_target::{Calculator, render_csv, run_scan};
use darksens::scenario::{Override, ScenarioDocument};
use darksens::showers::track_length::{
    Generations, SecondGeneration, ShowerSettings, TrackLengthTable,
};
use std::hint::black_box;
use std::path::Path;

fn curves(config: &str) -> Vec<darksens::scenario::Curve> {
    curves_with(config, &[])
}

fn curves_with(config: &str, set: &[&str]) -> Vec<darksens::scenario::Curve> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(config);
    let overrides: Vec<Override> = set
        .iter()
        .map(|s| Override::parse(s).expect("override"))
        .collect();
    ScenarioDocument::load(&path, &overrides)
        .expect("scenario")
        .curves()
        .expect("curves")
}

fn track_length_table(c: &mut Criterion) {
    for (name, second_generation) in [
        (
            "track_length_table_16x0_128",
            SecondGeneration::TsaiWhitisPairs { multiplicity: 2.0 },
        ),
        (
            "track_length_table_16x0_128_positrons",
            SecondGeneration::Positrons,
        ),
    ] {
        let settings = ShowerSettings {
            thickness_x0: 16.0,
            generations: Generations::FirstAndSecond,
            second_generation,
        };
        c.bench_function(name, |b| {
            b.iter(|| TrackLengthTable::new(black_box(settings), 0.0514, 128));
        });
    }
}

fn one_mass_point(c: &mut Criterion) {
    let belle2 = curves("configs/belle2_dp.toml");
    let calculator = Calculator::new(&belle2[0].scenario);
    let mut group = c.benchmark_group("mass_point");
    for mass in [10.0, 66.72, 300.0] {
        group.bench_function(format!("yields_and_limit_{mass}_mev"), |b| {
            b.iter(|| calculator.point("bench", black_box(mass)).expect("point"));
        });
    }
    // A positron beam: the spread resonance's kernel and cross-section table per mass, below
    // the beam's reach (10 MeV, a long radiative tail) and on it (280 MeV).
    let positrons = curves("configs/na64_positron.toml");
    let calculator = Calculator::new(&positrons[0].scenario);
    for mass in [10.0, 280.0] {
        group.bench_function(format!("na64_positron_yields_and_limit_{mass}_mev"), |b| {
            b.iter(|| calculator.point("bench", black_box(mass)).expect("point"));
        });
    }
    group.finish();
}

fn full_default_scan(c: &mut Criterion) {
    let curves = curves("configs/belle2_dp.toml");
    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    group.bench_function("belle2_dp_default_3x421", |b| {
        b.iter(|| run_scan(black_box(&curves)).expect("scan"));
    });
    // A key scan against a mass scan over the resonance, 200 points each (per point: a key
    // scan point is its scenario changed in one typed field, validated, and one yield).
    let key = curves_with(
        "configs/belle2_dp.toml",
        &[
            "scan.parameter=model.alpha_d",
            "scan.log_range=[1e-4,1.0]",
            "scan.points=200",
            "scan.dense_range=[1e-3,1e-2]",
            "model.mass_mev=66.7",
        ],
    );
    group.bench_function("belle2_dp_alpha_d_2x200", |b| {
        b.iter(|| run_scan(black_box(&key)).expect("scan"));
    });
    let mass = curves_with(
        "configs/belle2_dp.toml",
        &[
            "scan.log_range=[66.0,67.4]",
            "scan.points=200",
            "scan.dense_points=1",
        ],
    );
    group.bench_function("belle2_dp_mass_over_resonance_2x200", |b| {
        b.iter(|| run_scan(black_box(&mass)).expect("scan"));
    });
    // A large scan (3 curves x 20 121 masses, tables included), the annihilation yield
    // interpolated in the mass (the default from 4096 masses on) and computed at every mass.
    for (interpolated, name) in [(true, "interpolated"), (false, "computed")] {
        let set = format!("numerics.interpolate_annihilation_in_mass={interpolated}");
        let large = curves_with("configs/belle2_dp.toml", &["scan.points=20000", &set]);
        group.bench_function(format!("belle2_dp_3x20121_annihilation_{name}"), |b| {
            b.iter(|| run_scan(black_box(&large)).expect("scan"));
        });
    }
    group.finish();
}

/// The CSV of a large scan (3 curves x 20 121 masses), formatted from the results.
fn large_scan_csv(c: &mut Criterion) {
    let large = curves_with("configs/belle2_dp.toml", &["scan.points=20000"]);
    let results = run_scan(&large).expect("scan");
    let mut group = c.benchmark_group("output");
    group.sample_size(10);
    group.bench_function("render_csv_3x20121", |b| {
        b.iter(|| render_csv(black_box(&results)).expect("csv"));
    });
    group.finish();
}

/// Every reproduction of `tests/reference/` with its `--quick` overrides, in one session (what
/// `darksens reproduce --all --quick` computes, without the printing).
fn reproductions(c: &mut Criterion) {
    use darksens::reproduce::{Session, list, load};
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reproductions: Vec<_> = list(&repo.join("tests/reference"))
        .into_iter()
        .map(|(_, path)| load(&path).expect("reference file"))
        .collect();
    let mut group = c.benchmark_group("reproduce");
    group.sample_size(10);
    group.bench_function("all_quick_one_session", |b| {
        b.iter(|| {
            let mut session = Session::new(Some(repo));
            for reproduction in &reproductions {
                black_box(session.run(reproduction, true).expect("runs"));
            }
        });
    });
    group.finish();
}

/// The tables of a search with the target electrons at rest, bound, and bound with the pair's
/// radiation (the effective flux: cell integrals of the at-rest flux, the electrons' kernel, two
/// FFT convolutions; with radiation three more and the radiative tail), and one mass point of
/// each.
fn bound_electrons(c: &mut Criterion) {
    let at_rest = curves("configs/belle2_dp.toml");
    let bound = curves_with(
        "configs/belle2_dp.toml",
        &["target.atomic_electrons=\"compton-profile\""],
    );
    let mut group = c.benchmark_group("bound_electrons");
    group.sample_size(20);
    group.bench_function("search_tables_at_rest", |b| {
        b.iter(|| Calculator::new(black_box(&at_rest[0].scenario)));
    });
    group.bench_function("search_tables_compton_profile", |b| {
        b.iter(|| Calculator::new(black_box(&bound[0].scenario)));
    });
    let calculator = Calculator::new(&bound[0].scenario);
    group.bench_function("yields_and_limit_66.72_mev_compton_profile", |b| {
        b.iter(|| calculator.point("bench", black_box(66.72)).expect("point"));
    });
    let radiating = curves_with(
        "configs/belle2_dp.toml",
        &[
            "target.atomic_electrons=\"compton-profile\"",
            "target.initial_state_radiation=true",
        ],
    );
    group.bench_function("search_tables_compton_profile_and_radiation", |b| {
        b.iter(|| Calculator::new(black_box(&radiating[0].scenario)));
    });
    let calculator = Calculator::new(&radiating[0].scenario);
    group.bench_function(
        "yields_and_limit_66.72_mev_compton_profile_and_radiation",
        |b| {
            b.iter(|| calculator.point("bench", black_box(66.72)).expect("point"));
        },
    );
    // The annihilation integral against the moments of the effective flux (the default) and
    // adaptively over the whole flux, at a mass in the radiative tail (5 MeV) and one at the
    // flux (40 MeV).
    for (by_moments, name) in [(true, "moments"), (false, "adaptive")] {
        let set = format!("numerics.annihilation_by_moments={by_moments}");
        let radiating = curves_with(
            "configs/belle2_dp.toml",
            &[
                "target.atomic_electrons=\"compton-profile\"",
                "target.initial_state_radiation=true",
                &set,
            ],
        );
        let calculator = Calculator::new(&radiating[0].scenario);
        for mass in [5.0, 40.0] {
            group.bench_function(format!("yields_{mass}_mev_radiation_{name}"), |b| {
                b.iter(|| calculator.yields(black_box(mass)));
            });
        }
    }
    group.finish();
}

fn radiative_bhabha_generator(c: &mut Criterion) {
    use darksens::sources::radiative_bhabha::{Settings, generate, train_grid, unweighted_events};
    let settings = Settings {
        points: 200_000,
        ..Settings::belle2_paper()
    };
    let mut group = c.benchmark_group("radiative_bhabha");
    group.sample_size(10);
    group.bench_function("train_grid", |b| {
        b.iter(|| train_grid(black_box(&settings)));
    });
    group.bench_function("generate_200k_points", |b| {
        b.iter(|| generate(black_box(&settings)).expect("generates"));
    });
    let grid = train_grid(&settings);
    let max_weights = generate(&settings).expect("generates").cell_max_weights_pb;
    group.bench_function("unweight_1000_events", |b| {
        b.iter(|| unweighted_events(black_box(&settings), &grid, &max_weights, 1000, &|| false));
    });
    // Formatting and compressing an event file (blocks in parallel, each a gzip member).
    let events: Vec<darksens::sources::lhe::LheEvent> =
        unweighted_events(&settings, &grid, &max_weights, 10_000, &|| false)
            .expect("not cancelled")
            .events
            .iter()
            .map(|e| darksens::sources::lhe::LheEvent {
                weight: 1e-3,
                particles: vec![
                    (
                        -11,
                        [e.positron[1], e.positron[2], e.positron[3], e.positron[0]],
                    ),
                    (
                        11,
                        [e.electron[1], e.electron[2], e.electron[3], e.electron[0]],
                    ),
                    (22, [e.photon[1], e.photon[2], e.photon[3], e.photon[0]]),
                ],
            })
            .collect();
    let init = darksens::sources::lhe::LheInit {
        beams: [11, -11],
        energies_gev: [7.0, 4.0],
        sigma_pb: 120.0,
        sigma_error_pb: 0.2,
    };
    group.bench_function("write_lhe_gzip_10k_events", |b| {
        b.iter(|| {
            let mut bytes = Vec::new();
            darksens::sources::lhe::write_events_encoded(
                &mut bytes,
                black_box(&init),
                ("bench", darksens::units::ALPHA),
                &events,
                darksens::sources::lhe::Encoding::Gzip,
            )
            .expect("written");
            bytes
        });
    });
    group.finish();
}

fn emulsion_acceptance(c: &mut Criterion) {
    use darksens::detectors::emulsion::DetectorBox;
    use darksens::models::inelastic::InelasticScalar;
    use darksens::sources::phi1::{EventKey, EventSample, MonteCarlo, Production, acceptances};
    let model = InelasticScalar::new(8.0, 4.341, 3.65, 1e-3, 0.1);
    let boxes = [
        DetectorBox::forward("A", 7.0, 1.0, 0.2, 0.3),
        DetectorBox::forward("B", 7.0, 1.4, 0.2, 0.4),
    ];
    let mc = MonteCarlo {
        events: 400_000,
        seed: 1,
        spin_correlation: true,
        boost_beta: 0.0,
    };
    let mut group = c.benchmark_group("emulsion");
    group.sample_size(10);
    group.bench_function("acceptances_boxes_a_b_400k_events", |b| {
        b.iter(|| {
            acceptances(
                black_box(&model),
                10.58,
                Production::OnShell,
                &boxes,
                &mc,
                None,
            )
        });
    });
    // A column of a scan over the phi1 masses: the events' angles drawn once, the kinematics
    // and the boxes per column.
    let stored = EventSample::draw(EventKey::new(&model, 10.58, Production::OnShell, &mc));
    group.bench_function("acceptances_boxes_a_b_400k_stored_events", |b| {
        b.iter(|| {
            acceptances(
                black_box(&model),
                10.58,
                Production::OnShell,
                &boxes,
                &mc,
                stored.as_ref(),
            )
        });
    });
    group.bench_function("draw_event_angles_400k", |b| {
        b.iter(|| {
            EventSample::draw(EventKey::new(
                black_box(&model),
                10.58,
                Production::OnShell,
                &mc,
            ))
        });
    });
    group.finish();
}

criterion_group!(
    benches,
    emulsion_acceptance,
    track_length_table,
    one_mass_point,
    full_default_scan,
    large_scan_csv,
    bound_electrons,
    radiative_bhabha_generator,
    reproductions
);
criterion_main!(benches);
