//! `darksens explain` for an emulsion scenario: every number of its model point [EMU], per
//! detector, as text or JSON.

use darksens::error::Error;
use darksens::output::format_number;
use darksens::pipeline::emulsion::evaluate_scenario as evaluate;
use darksens::scenario::emulsion::EmulsionScenario;
use darksens::signal::emulsion::EmulsionPoint;
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
    match scenario.setup.production {
        Production::OnShell => "on-shell",
        Production::OffShell => "off-shell",
    }
}

fn to_json(scenario: &EmulsionScenario, point: &EmulsionPoint) -> String {
    let m = &scenario.model;
    let per_detector =
        |f: &dyn Fn(&darksens::signal::emulsion::DetectorSignal) -> serde_json::Value| {
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
        "sqrt_s_gev": scenario.setup.sqrt_s_gev,
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
        "background": backgrounds(scenario),
        "n_excluded": scenario.n_signal,
        "monte_carlo": {
            "events": scenario.setup.monte_carlo.events,
            "seed": scenario.setup.monte_carlo.seed,
            "spin_correlation": scenario.setup.monte_carlo.spin_correlation,
            "boost_beta": scenario.setup.monte_carlo.boost_beta,
        },
    });
    if scenario.setup.decay_in_volume
        && let Some(map) = value.as_object_mut()
    {
        map.insert(
            "decay_in_volume".into(),
            per_detector(&|d| match d.in_volume {
                Some((p, n)) => {
                    serde_json::json!({ "value": p.value, "error": p.error, "n_signal": n })
                }
                None => serde_json::Value::Null,
            }),
        );
    }
    if scenario.setup.production == Production::OffShell
        && let Some(map) = value.as_object_mut()
    {
        map.insert(
            "off_shell_normalisation".into(),
            serde_json::json!(scenario.setup.normalisation),
        );
    }
    if let (Some((n, p)), Some(map)) = (scenario.kl, value.as_object_mut()) {
        map.insert("n_kl_background".into(), serde_json::json!(n * p));
    }
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

/// The muon backgrounds [EMU Sec. 9]: collider mu mu onto each face over the run, cosmic muons.
fn backgrounds(scenario: &EmulsionScenario) -> serde_json::Value {
    use darksens::backgrounds::muons::{
        COSMIC_EXPONENT, COSMIC_I0_PER_M2_S_SR, FILM_BUDGET_PER_CM2, collider_muons_per_cm2,
        cosmic_muon_flux_hz_per_m2, cosmic_muons_per_cm2, film_replacement_days,
    };
    let flux = cosmic_muon_flux_hz_per_m2(COSMIC_I0_PER_M2_S_SR, COSMIC_EXPONENT);
    serde_json::json!({
        "collider_muons_per_cm2": serde_json::Value::Object(
            scenario
                .setup
                .detectors
                .iter()
                .map(|d| {
                    (
                        d.name.clone(),
                        serde_json::json!(collider_muons_per_cm2(
                            scenario.setup.sqrt_s_gev,
                            scenario.setup.luminosity_pb,
                            d,
                            None
                        )),
                    )
                })
                .collect(),
        ),
        "cosmic_muon_flux_hz_per_m2": flux,
        "cosmic_muons_per_cm2_six_months": cosmic_muons_per_cm2(flux, 365.25 / 2.0),
        "film_replacement_days": film_replacement_days(flux, FILM_BUDGET_PER_CM2),
        "kl_in_detector": scenario.kl.map(|(n, p)| n * p),
    })
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
        scenario.setup.sqrt_s_gev
    );
    let rows: [(&str, f64, &str); 6] = [
        (
            "sigma_production_pb",
            point.sigma_production_pb,
            match scenario.setup.production {
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
            match scenario.setup.production {
                Production::OnShell => 20,
                Production::OffShell => 21,
            }
        );
    }
    for d in &point.detectors {
        if let Some((p, n)) = d.in_volume {
            outln!(
                out,
                "  detector {:<10} decays inside the box, event by event: {:.4e} +- {:.1e} (factorised {:.4e}), N_sig = {}",
                d.name,
                p.value,
                p.error,
                d.acceptance.acceptance.value * d.decay_probability,
                format_number(n)
            );
        }
    }
    outln!(
        out,
        "  N_sig summed over the detectors {}; excluded at 90% CL (no background) above {}",
        format_number(point.n_signal_total()),
        scenario.n_signal
    );
    let b = backgrounds(scenario);
    for d in &scenario.setup.detectors {
        outln!(
            out,
            "  background, detector {:<10} {} collider muons per cm^2 over the run [EMU Eq. 17, one per event]",
            d.name,
            format_number(b["collider_muons_per_cm2"][&d.name].as_f64().unwrap_or(0.0))
        );
    }
    outln!(
        out,
        "  background, cosmic muons: {} Hz/m^2 [EMU Eq. 19], {} per cm^2 in six months; films full (1e6 /cm^2) after {} days",
        format_number(b["cosmic_muon_flux_hz_per_m2"].as_f64().unwrap_or(0.0)),
        format_number(b["cosmic_muons_per_cm2_six_months"].as_f64().unwrap_or(0.0)),
        format_number(b["film_replacement_days"].as_f64().unwrap_or(0.0))
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
        scenario.setup.monte_carlo.events,
        scenario.setup.monte_carlo.seed,
        scenario.setup.monte_carlo.spin_correlation,
        scenario.setup.monte_carlo.boost_beta
    );
    out
}
