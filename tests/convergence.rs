//! Convergence of the numerics: doubling every table resolution and
//! tightening every integration tolerance a hundredfold moves no limit of the shipped scans by
//! more than 1e-4 (relative).

mod common;

use common::curves;
use darksens::pipeline::thick_target::run_scan;

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

#[test]
fn exact_scan_is_converged_to_1e_4() {
    let (change, mass) = largest_change("configs/belle2_dp.toml");
    eprintln!("largest change {change:.2e} at {mass} MeV");
    assert!(change < 1e-4, "eps moved by {change:.2e} at {mass} MeV");
}

#[test]
fn paper_scan_is_converged_to_1e_4() {
    let (change, mass) = largest_change("configs/belle2_dp_paper.toml");
    eprintln!("largest change {change:.2e} at {mass} MeV");
    assert!(change < 1e-4, "eps moved by {change:.2e} at {mass} MeV");
}
