//! Convergence of the numerics: doubling every table resolution and
//! tightening every integration tolerance a hundredfold moves no limit of the shipped scans by
//! more than 1e-4 (relative), the requirement. docs/validation.md §10 states what they move
//! today (1.5e-5 and 6.9e-7), held here at 3e-5 so that the statement cannot go stale.

mod common;

use common::curves;
use darksens::numerics::quadrature::Estimate;
use darksens::pipeline::thick_target::{CurveResult, run_scan};
use darksens::signal::thick_target::Yields;

fn largest_change(config: &str) -> (f64, f64) {
    let base = run_scan(&curves(config, &[])).expect("scan");
    let resolution = base[0].calculator.scenario().numerics.doubled();
    let doubled = run_scan(&curves(
        config,
        &[
            &format!(
                "numerics.track_length_intervals={}",
                resolution.track_length_intervals
            ),
            &format!("numerics.flux_intervals={}", resolution.flux_intervals),
            &format!(
                "numerics.relative_tolerance={:e}",
                resolution.relative_tolerance
            ),
        ],
    ))
    .expect("doubled scan");
    let mut worst = (0.0, 0.0);
    for (a, b) in base.iter().zip(&doubled) {
        for (p, q) in a.points.iter().zip(&b.points) {
            let change = (q.epsilon_limit / p.epsilon_limit - 1.0).abs();
            if change > worst.0 {
                worst = (change, p.mass_mev);
            }
        }
    }
    worst
}

/// What docs/validation.md §10 says the doubling moves at most (with margin).
const STATED_CHANGE: f64 = 3e-5;

#[test]
fn exact_scan_is_converged_to_1e_4() {
    let (change, mass) = largest_change("configs/belle2_dp.toml");
    eprintln!("largest change {change:.2e} at {mass} MeV");
    assert!(change < 1e-4, "eps moved by {change:.2e} at {mass} MeV");
    assert!(
        change < STATED_CHANGE,
        "eps moved by {change:.2e} at {mass} MeV: update docs/validation.md §10"
    );
}

#[test]
fn paper_scan_is_converged_to_1e_4() {
    let (change, mass) = largest_change("configs/belle2_dp_paper.toml");
    eprintln!("largest change {change:.2e} at {mass} MeV");
    assert!(change < 1e-4, "eps moved by {change:.2e} at {mass} MeV");
    assert!(
        change < STATED_CHANGE,
        "eps moved by {change:.2e} at {mass} MeV: update docs/validation.md §10"
    );
}

/// What an interpolated yield (picked from each point's yields by `pick`) shows against the
/// same yield computed at every mass: each pair within their summed error bounds (asserted),
/// the largest relative gap and its mass, and how many values came from panels.
struct Gaps {
    worst: (f64, f64),
    from_panels: usize,
    points: usize,
}

fn gaps(
    config: &str,
    interpolated: &[CurveResult],
    direct: &[CurveResult],
    pick: fn(&Yields) -> Estimate,
) -> Gaps {
    let mut gaps = Gaps {
        worst: (0.0, 0.0),
        from_panels: 0,
        points: 0,
    };
    for (a, b) in interpolated.iter().zip(direct) {
        for (p, q) in a.points.iter().zip(&b.points) {
            let (i, d) = (pick(&p.yields), pick(&q.yields));
            gaps.points += 1;
            if i.evaluations == 0 && i.error > 0.0 {
                gaps.from_panels += 1;
            }
            if d.value == 0.0 {
                assert_eq!(i.value, 0.0, "{config} at {} MeV", p.mass_mev);
                continue;
            }
            let gap = (i.value - d.value).abs();
            assert!(
                gap <= i.error + d.error,
                "{config} at {} MeV: {} against {} (bounds {:e}, {:e})",
                p.mass_mev,
                i.value,
                d.value,
                i.error,
                d.error
            );
            if gap / d.value > gaps.worst.0 {
                gaps.worst = (gap / d.value, p.mass_mev);
            }
        }
    }
    eprintln!(
        "{config}: largest relative gap {:.1e} at {} MeV; {} of {} values from panels",
        gaps.worst.0, gaps.worst.1, gaps.from_panels, gaps.points
    );
    gaps
}

/// The bremsstrahlung yield interpolated in the mass (`numerics.interpolate_brem_in_mass`, the
/// default) against the yield computed at every mass, for a collider (dark photon and scalar),
/// a beam (NA64 with its bremsstrahlung computed) and a radiative Bhabha spectrum: within the
/// error bounds and a tenth of `numerics.relative_tolerance`.
#[test]
fn interpolated_brem_meets_the_computed_one() {
    for (config, set) in [
        ("configs/belle2_dp_paper.toml", None),
        ("configs/belle2_scalar.toml", None),
        (
            "configs/na64_dp.toml",
            Some("bremsstrahlung.method=computed"),
        ),
        ("configs/belle2_rbs.toml", None),
    ] {
        let sets: Vec<&str> = set.into_iter().collect();
        let interpolated = run_scan(&curves(config, &sets)).expect("scan");
        let without = [
            sets.clone(),
            vec!["numerics.interpolate_brem_in_mass=false"],
        ]
        .concat();
        let direct = run_scan(&curves(config, &without)).expect("scan without interpolation");
        let worst = gaps(config, &interpolated, &direct, |y| y.bremsstrahlung).worst;
        assert!(
            worst.0 < 1e-6,
            "{config}: {:.1e} at {} MeV",
            worst.0,
            worst.1
        );
    }
}

/// The annihilation yield interpolated in the mass in a large scan
/// (`numerics.interpolate_annihilation_in_mass`, the default from 4096 masses on) against the
/// yield computed at every mass: electrons at rest and moving with the pair radiating (the
/// default scenario's three curves), a scalar, and NA64's beam; within the error bounds and
/// `numerics.relative_tolerance`, and most masses interpolated.
#[test]
fn interpolated_annihilation_meets_the_computed_one() {
    for config in [
        "configs/belle2_dp.toml",
        "configs/belle2_scalar.toml",
        "configs/na64_dp.toml",
    ] {
        let large = ["scan.points=5000"];
        let interpolated = run_scan(&curves(config, &large)).expect("scan");
        let without = [large[0], "numerics.interpolate_annihilation_in_mass=false"];
        let direct = run_scan(&curves(config, &without)).expect("scan without interpolation");
        let gaps = gaps(config, &interpolated, &direct, |y| y.annihilation);
        let tolerance = interpolated[0]
            .calculator
            .scenario()
            .numerics
            .relative_tolerance;
        assert!(
            gaps.worst.0 < tolerance,
            "{config}: {:.1e} at {} MeV",
            gaps.worst.0,
            gaps.worst.1
        );
        assert!(
            2 * gaps.from_panels > gaps.points,
            "{config}: {} of {} interpolated",
            gaps.from_panels,
            gaps.points
        );
    }
}

/// The annihilation yield with the target electrons moving and the pair radiating, integrated
/// against the Chebyshev moments of the effective flux away from the resonance
/// (`numerics.annihilation_by_moments`, the default), against adaptive Gauss–Kronrod on the
/// whole support with a ten-thousandfold tighter tolerance: at every mass of the default scan,
/// within the error bound it states and within the default tolerance (1e-5).
#[test]
fn annihilation_by_moments_meets_the_adaptive_integral() {
    let config = "configs/belle2_dp.toml";
    let by_moments = run_scan(&curves(config, &[])).expect("scan");
    let adaptive = run_scan(&curves(
        config,
        &[
            "numerics.annihilation_by_moments=false",
            "numerics.relative_tolerance=1e-9",
        ],
    ))
    .expect("adaptive scan");
    let mut worst = (0.0_f64, 0.0);
    for (a, b) in by_moments.iter().zip(&adaptive) {
        for (p, q) in a.points.iter().zip(&b.points) {
            let (m, d) = (p.yields.annihilation, q.yields.annihilation);
            if d.value == 0.0 {
                assert_eq!(m.value, 0.0, "at {} MeV", p.mass_mev);
                continue;
            }
            let gap = (m.value - d.value).abs();
            assert!(
                gap <= m.error + d.error,
                "{} at {} MeV: {} against {} (bounds {:e}, {:e})",
                a.label,
                p.mass_mev,
                m.value,
                d.value,
                m.error,
                d.error
            );
            if gap / d.value > worst.0 {
                worst = (gap / d.value, p.mass_mev);
            }
        }
    }
    eprintln!("largest relative gap {:.1e} at {} MeV", worst.0, worst.1);
    assert!(worst.0 < 1e-5, "{:.1e} at {} MeV", worst.0, worst.1);
}
