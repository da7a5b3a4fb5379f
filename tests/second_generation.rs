//! The positron-only second generation of the track length against independent numbers.
//!
//! The reference is `tools/reference/realistic/secondgen.py`, written without reading this
//! code: a direct numerical convolution (photon spectrum of [DPT Eq. 3.1], Bethe–Heitler pair
//! spectrum, first generation of [DPT Eq. A.2]) done two ways (Gauss–Jacobi panels and nested
//! QUADPACK, agreeing to 4e-14), and the Mellin moments `integral v^k f2 dv` from a separate
//! factorised closed form. It shares with the Rust code only the physics inputs.

use darksens::numerics::quadrature::{Estimate, gauss_kronrod_21};
use darksens::showers::pair_positrons::PositronSecondGeneration;
use darksens::showers::track_length::{
    Generations, SecondGeneration, ShowerSettings, TrackLengthTable,
};
use serde_json::Value;
use std::path::Path;

fn reference() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools/reference/realistic/realistic_reference.json");
    let text = std::fs::read_to_string(path).expect("reference JSON");
    serde_json::from_str::<Value>(&text).expect("valid JSON")["second_generation"].clone()
}

/// `(T, v, f2_pos, f2 of [DPT Eq. A.3])` of the reference.
fn reference_points() -> Vec<(f64, f64, f64, f64)> {
    let values = reference()["values"].clone();
    let mut points = Vec::new();
    for (name, entry) in values.as_object().expect("values") {
        let (t, v) = name
            .strip_prefix("T=")
            .and_then(|rest| rest.split_once(",v="))
            .expect("key T=..,v=..");
        points.push((
            t.parse().expect("T"),
            v.parse().expect("v"),
            entry["f2_pos"].as_f64().expect("f2_pos"),
            entry["f2_eqA3"].as_f64().expect("f2_eqA3"),
        ));
    }
    assert_eq!(points.len(), 8, "T = 16, 40 at v = 0.3, 0.5, 0.7, 0.9");
    points
}

fn table(
    thickness_x0: f64,
    second_generation: SecondGeneration,
    lambda_max: f64,
) -> TrackLengthTable {
    let settings = ShowerSettings {
        thickness_x0,
        generations: Generations::SecondOnly,
        second_generation,
    };
    TrackLengthTable::new(settings, lambda_max, TrackLengthTable::DEFAULT_INTERVALS)
}

/// The direct evaluation agrees with the reference convolution to 1e-6 and its error estimate
/// covers the difference.
#[test]
fn the_positron_second_generation_matches_a_direct_convolution() {
    let mut generations = std::collections::HashMap::new();
    for (t, v, f2_pos, _) in reference_points() {
        let generation = generations
            .entry(t.to_bits())
            .or_insert_with(|| PositronSecondGeneration::new(t, (1.0_f64 / 0.25).ln(), 32));
        let ours = generation.value(-v.ln());
        let off = (ours.value / f2_pos - 1.0).abs();
        assert!(ours.converged, "T = {t}, v = {v}: {ours:?}");
        assert!(
            off < 1e-6,
            "T = {t}, v = {v}: {} against {f2_pos} ({off:.1e})",
            ours.value
        );
        assert!(
            ours.error >= (ours.value - f2_pos).abs(),
            "T = {t}, v = {v}: claims {:.1e}, off {:.1e}",
            ours.error,
            (ours.value - f2_pos).abs()
        );
    }
}

/// The track-length table with the positron-only second generation (the shape of an incident
/// electron's positrons) agrees with the reference to 1e-5 (7e-6 at v = 0.9, an interpolation
/// error), within its stated bound (5e-5 relative to the largest value); with
/// `tsai-whitis-pairs` it gives [DPT Eq. A.3], 1.96 to 2.37 times more.
#[test]
fn the_track_length_table_carries_the_positron_second_generation() {
    for thickness in [16.0, 40.0] {
        let positrons = table(
            thickness,
            SecondGeneration::Positrons,
            (1.0_f64 / 0.25).ln(),
        );
        let pairs = table(
            thickness,
            SecondGeneration::TsaiWhitisPairs { multiplicity: 2.0 },
            (1.0_f64 / 0.25).ln(),
        );
        assert!(
            positrons.interpolation_error() < 1e-4,
            "{}",
            positrons.interpolation_error()
        );
        for (t, v, f2_pos, f2_pairs) in reference_points() {
            if t != thickness {
                continue;
            }
            let lambda = -v.ln();
            let ours = positrons.shape(lambda);
            assert!(
                (ours / f2_pos - 1.0).abs() < 1e-5,
                "T = {t}, v = {v}: {ours} against {f2_pos}"
            );
            let printed = pairs.shape(lambda);
            assert!(
                (printed / f2_pairs - 1.0).abs() < 1e-5,
                "{printed} against {f2_pairs}"
            );
            let ratio = printed / ours;
            assert!(
                (1.95..2.37).contains(&ratio),
                "Eq. A.3 over positrons at v = {v}: {ratio}"
            );
        }
    }
}

/// Mellin moments `integral_0^1 v^k f2(v, 16) dv` against the reference's factorised closed
/// form, `integral_0^T dtau (k+1)^(-b1 tau) pi_k integral_0^1 x^(k-1) Psi(x, T - tau) dx` with
/// `pi_k = integral u^k P(u) du`: a test of the whole chain over every `v` down to `e^-14`.
#[test]
fn the_moments_of_the_positron_second_generation_match_the_closed_form() {
    let moments = reference()["mellin_moment_checks_T16"].clone();
    // f2 grows like 1/v^2 at small v, so the k = 2 moment converges like e^-lambda: up to
    // lambda = 14 it misses about 1e-6 of the total (k = 3: 1e-12).
    let lambda_max = 14.0;
    let generation = PositronSecondGeneration::new(16.0, lambda_max, 32);
    let mut memo = std::collections::HashMap::new();
    let mut f2 = |lambda: f64| {
        *memo
            .entry(lambda.to_bits())
            .or_insert_with(|| generation.value(lambda).value)
    };
    // The source tables, tabulated over 14 e-folds of the fraction, leave 1e-5 to 2e-5 (over
    // the 1.4 e-folds of the scenarios, 3e-7: the direct test above).
    for (k, tolerance) in [(2, 3e-5), (3, 3e-5)] {
        let expected = moments[format!("k={k}")]["closed_form"]
            .as_f64()
            .expect("moment");
        let exponent = f64::from(k + 1);
        let edges = [0.0, 0.1, 0.5, 1.0, 2.0, 4.0, 8.0, lambda_max];
        let ours: Estimate = edges
            .windows(2)
            .map(|p| gauss_kronrod_21(&mut |l: f64| (-exponent * l).exp() * f2(l), p[0], p[1]))
            .fold(Estimate::exact(0.0), |a, b| a + b);
        let off = (ours.value / expected - 1.0).abs();
        assert!(ours.error < tolerance * ours.value, "{ours:?}");
        assert!(
            off < tolerance,
            "k = {k}: {} against {expected} ({off:.1e})",
            ours.value
        );
    }
}
