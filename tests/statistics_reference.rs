//! Counting statistics against independent values: `tools/reference/statistics/cls_reference.py`
//! (mpmath at 30 digits, scipy brentq; from the definitions only). Tolerance 1e-8: our bisection
//! stops at 1e-12 relative and the log-normal average is integrated to 1e-12.

use darksens::limits::statistics::{Counting, band_probabilities};
use serde_json::Value;

fn reference() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools/reference/statistics/cls_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("reference JSON"))
        .expect("valid JSON")
}

fn close(what: &str, ours: f64, theirs: f64) {
    assert!(
        (ours / theirs - 1.0).abs() < 1e-8,
        "{what}: ours {ours:.12e}, reference {theirs:.12e}"
    );
}

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key}"))
}

#[test]
fn expected_cls_limits() {
    for case in reference()["cls"].as_array().expect("cls") {
        let counting = Counting {
            background: f(case, "b"),
            relative_uncertainty: 0.0,
        };
        assert_eq!(
            counting.quantile(0.5),
            case["n_obs"].as_u64().expect("n_obs")
        );
        close(
            &format!("CLs limit {case}"),
            counting.expected_upper_limit(f(case, "cl")),
            f(case, "s"),
        );
    }
}

#[test]
fn expected_bands() {
    for case in reference()["bands"].as_array().expect("bands") {
        let counting = Counting {
            background: f(case, "b"),
            relative_uncertainty: 0.0,
        };
        let quantiles: Vec<u64> = band_probabilities()
            .iter()
            .map(|q| counting.quantile(*q))
            .collect();
        let expected: Vec<u64> = case["n_obs"]
            .as_array()
            .expect("n_obs")
            .iter()
            .map(|v| v.as_u64().expect("n"))
            .collect();
        assert_eq!(quantiles, expected, "{case}");
        for (ours, theirs) in counting
            .expected_bands(0.9)
            .iter()
            .zip(case["s"].as_array().expect("s"))
        {
            close(&format!("band {case}"), *ours, theirs.as_f64().expect("s"));
        }
    }
}

#[test]
fn background_uncertainty_limits() {
    for case in reference()["smeared"].as_array().expect("smeared") {
        let counting = Counting {
            background: f(case, "b"),
            relative_uncertainty: f(case, "relative_uncertainty"),
        };
        assert_eq!(
            counting.quantile(0.5),
            case["n_obs"].as_u64().expect("n_obs")
        );
        close(
            &format!("smeared {case}"),
            counting.expected_upper_limit(0.9),
            f(case, "s"),
        );
    }
}

#[test]
fn discovery_signals() {
    let r = reference();
    for case in r["asimov"].as_array().expect("asimov") {
        let counting = Counting {
            background: f(case, "b"),
            relative_uncertainty: 0.0,
        };
        close(
            &format!("Asimov {case}"),
            counting.discovery_asimov(f(case, "z")),
            f(case, "s"),
        );
    }
    for case in r["discovery_exact"].as_array().expect("exact") {
        let counting = Counting {
            background: f(case, "b"),
            relative_uncertainty: 0.0,
        };
        close(
            &format!("exact discovery {case}"),
            counting.discovery_exact(f(case, "z")),
            f(case, "s"),
        );
    }
}
