//! `darksens explain` for an emulsion scenario: every number of its model point [EMU], per
//! detector, as text or JSON.

use darksens::error::Error;
use darksens::limits::emulsion::{EmulsionPoint, evaluate};
use darksens::output::format_number;
use darksens::scenario::emulsion::EmulsionScenario;
use darksens::sources::phi1::Production;

/// Prints the model point's numbers.
pub fn run(scenario: &EmulsionScenario, json: bool) -> Result<(), Error> {
    let point = evaluate(scenario)?;
    let out = if json {
        to_json(scenario, &point)
    } else {
        to_text(scenario, &point)
    };
    super::emit(&out);
    Ok(())
}

fn production_name(scenario: &EmulsionScenario) -> &'static str {
    match scenario.production {
        Production::OnShell => "on-shell",
        Production::OffShell => "off-shell",
    }
}

fn to_json(scenario: &EmulsionScenario, point: &EmulsionPoint) -> String {
    let m = &scenario.model;
    let per_detector =
        |f: &dyn Fn(&darksens::limits::emulsion::DetectorSignal) -> serde_json::Value| {
            serde_json::Value::Object(
                point
                    .detectors
                    .iter()
                    .map(|d| (d.name.clone(), f(d)))
                    .collect(),
            )
        };
    let mut value = serde_json::json!({
        "title": scenario.title,
        "sqrt_s_gev": scenario.sqrt_s_gev,
        "luminosity_ab": scenario.luminosity_ab,
        "production": production_name(scenario),
        "m_aprime_gev": m.m_aprime_gev,
        "m1_gev": m.m1_gev,
        "m2_gev": m.m2_gev,
        "epsilon": m.epsilon,
        "g_d": m.g_d,
        "alpha_d": m.alpha_d(),
        "sigma_production_pb": point.sigma_production_pb,
        "br_aprime_to_phi1_phi2": point.br_aprime_to_phi1_phi2,
        "width_aprime_gev": point.width_aprime_gev,
        "width_phi1_gev": point.width_phi1_gev.value,
        "width_phi1_error_gev": point.width_phi1_gev.error,
        "flight_length_m": point.flight_length_m.value,
        "acceptance": per_detector(&|d| serde_json::json!({
            "value": d.acceptance.acceptance.value,
            "error": d.acceptance.acceptance.error,
        })),
        "decay_probability": per_detector(&|d| serde_json::json!(d.decay_probability)),
        "n_signal": per_detector(&|d| serde_json::json!(d.n_signal)),
        "n_signal_total": point.n_signal_total(),
        "n_excluded": scenario.n_signal,
        "monte_carlo": {
            "events": scenario.monte_carlo.events,
            "seed": scenario.monte_carlo.seed,
            "spin_correlation": scenario.monte_carlo.spin_correlation,
            "boost_beta": scenario.monte_carlo.boost_beta,
        },
    });
    if scenario.production == Production::OffShell
        && let Some(map) = value.as_object_mut()
    {
        map.insert(
            "off_shell_normalisation".into(),
            serde_json::json!(scenario.normalisation),
        );
    }
    if let (Some((n, p)), Some(map)) = (scenario.kl, value.as_object_mut()) {
        map.insert("n_kl_background".into(), serde_json::json!(n * p));
    }
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

fn to_text(scenario: &EmulsionScenario, point: &EmulsionPoint) -> String {
    let m = &scenario.model;
    let mut out = String::new();
    outln!(
        out,
        "{} -- m_A' = {} GeV, m1 = {} GeV, m2 = {} GeV, eps = {}, g_D = {}, {} at sqrt(s) = {} GeV",
        scenario.title,
        m.m_aprime_gev,
        m.m1_gev,
        m.m2_gev,
        m.epsilon,
        m.g_d,
        production_name(scenario),
        scenario.sqrt_s_gev
    );
    let rows: [(&str, f64, &str); 6] = [
        (
            "sigma_production_pb",
            point.sigma_production_pb,
            match scenario.production {
                Production::OnShell => "sigma(e+e- -> gamma A') over the full angle [EMU Eq. 4]",
                Production::OffShell => "sigma(e+e- -> A'* -> phi1 phi2) [EMU Eq. 5]",
            },
        ),
        (
            "br_aprime_to_phi1_phi2",
            point.br_aprime_to_phi1_phi2,
            "BR(A' -> phi1 phi2) [EMU Eq. 6-9] (used on shell)",
        ),
        (
            "width_aprime_gev",
            point.width_aprime_gev,
            "total A' width: phi1 phi2, leptons, hadrons (R)",
        ),
        (
            "width_phi1_gev",
            point.width_phi1_gev.value,
            "total phi1 width: phi2 + ee, mumu, tautau, hadrons [EMU Eq. 11]",
        ),
        (
            "flight_length_m",
            point.flight_length_m.value,
            "mean phi1 flight length [EMU Eq. 12]",
        ),
        (
            "luminosity_ab",
            scenario.luminosity_ab,
            "integrated luminosity",
        ),
    ];
    for (key, value, meaning) in rows {
        outln!(out, "  {key:<24} {:<24} {meaning}", format_number(value));
    }
    for d in &point.detectors {
        let a = d.acceptance.acceptance;
        outln!(
            out,
            "  detector {:<10} acceptance {:.4}% +- {:.4}%, decay window {:.4e}, N_sig = {} [EMU Eq. {}]",
            d.name,
            100.0 * a.value,
            100.0 * a.error,
            d.decay_probability,
            format_number(d.n_signal),
            match scenario.production {
                Production::OnShell => 20,
                Production::OffShell => 21,
            }
        );
    }
    outln!(
        out,
        "  N_sig summed over the detectors {}; excluded at 90% CL (no background) above {}",
        format_number(point.n_signal_total()),
        scenario.n_signal
    );
    if let Some((n, p)) = scenario.kl {
        outln!(
            out,
            "  K_L background: {} toward the detector x transmission {} = {}",
            format_number(n),
            format_number(p),
            format_number(n * p)
        );
    }
    outln!(
        out,
        "  Monte Carlo: {} events, seed {}, spin correlation {}, boost beta {}",
        scenario.monte_carlo.events,
        scenario.monte_carlo.seed,
        scenario.monte_carlo.spin_correlation,
        scenario.monte_carlo.boost_beta
    );
    out
}
