//! Signal of an emulsion detector near a collider [EMU Eq. 20-21] at one model point: every
//! intermediate number, per detector.
//!
//! `N_sig = L sigma BR A (exp(-a/d) - exp(-(a + L_det)/d))` on shell [Eq. 20] (`sigma` of
//! `e+e- -> gamma A'` over the full angle, `BR = BR(A' -> phi1 phi2)`), and without the `BR`
//! off shell [Eq. 21]; `A` the acceptance of the box (Monte Carlo), `a` its distance and
//! `L_det` its depth, `d` the mean flight length [Eq. 12]. A point is excluded at 90% CL with
//! no background when `N_sig >= 2.3` (in one detector, or summed over identical ones).

use crate::error::Error;
use crate::models::r_ratio::RRatio;
use crate::numerics::quadrature::Estimate;
use crate::processes::collider_production::{
    sigma_gamma_aprime, sigma_off_shell, two_body_momentum_gev,
};
use crate::scenario::emulsion::EmulsionScenario;
use crate::sources::phi1::{BoxAcceptance, Production, acceptances};
use crate::units::gev2_to_pb;

/// `exp(-a/d) - exp(-(a + L)/d)`: the probability to decay between `a` and `a + L` along the
/// line of flight, for a mean decay length `d` [EMU Eq. 20].
#[must_use]
pub fn decay_window_probability(distance_m: f64, depth_m: f64, decay_length_m: f64) -> f64 {
    if decay_length_m <= 0.0 {
        return 0.0;
    }
    // exp(-a/d) (1 - exp(-L/d)), without cancellation for L << d.
    (-distance_m / decay_length_m).exp() * -(-depth_m / decay_length_m).exp_m1()
}

/// One detector at a model point.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorSignal {
    /// The detector's name.
    pub name: String,
    /// Its acceptance (Monte Carlo, with its error).
    pub acceptance: BoxAcceptance,
    /// `exp(-a/d) - exp(-(a + L)/d)`.
    pub decay_probability: f64,
    /// Signal events [Eq. 20 or 21].
    pub n_signal: f64,
}

/// Every number of a model point.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulsionPoint {
    /// Production cross section before the branching ratio and acceptance, pb.
    pub sigma_production_pb: f64,
    /// `BR(A' -> phi1 phi2)` (used on shell only).
    pub br_aprime_to_phi1_phi2: f64,
    /// Total width of the `A'`, GeV.
    pub width_aprime_gev: f64,
    /// Total width of `phi1`, GeV, with its integration error.
    pub width_phi1_gev: Estimate,
    /// Mean flight length of `phi1` [Eq. 12], m.
    pub flight_length_m: Estimate,
    /// Per detector.
    pub detectors: Vec<DetectorSignal>,
}

impl EmulsionPoint {
    /// Signal events summed over the detectors.
    #[must_use]
    pub fn n_signal_total(&self) -> f64 {
        self.detectors.iter().map(|d| d.n_signal).sum()
    }
}

/// The acceptances of the scenario's boxes (they depend on the masses only, not on `eps` or
/// `g_D`).
#[must_use]
pub fn scenario_acceptances(scenario: &EmulsionScenario) -> Vec<BoxAcceptance> {
    acceptances(
        &scenario.model,
        scenario.sqrt_s_gev,
        scenario.production,
        &scenario.detectors,
        &scenario.monte_carlo,
    )
}

/// Every number of the scenario's model point, given the boxes' acceptances.
///
/// # Errors
/// A result that is not finite (named with the model point).
pub fn evaluate_with(
    scenario: &EmulsionScenario,
    acceptance: &[BoxAcceptance],
    r: &RRatio,
) -> Result<EmulsionPoint, Error> {
    let model = &scenario.model;
    let sqrt_s = scenario.sqrt_s_gev;
    let s = sqrt_s * sqrt_s;
    let br = model.br_aprime_to_phi1_phi2(r);
    let (sigma_pb, factor, flight) = match scenario.production {
        Production::OnShell => (
            gev2_to_pb(sigma_gamma_aprime(
                s,
                model.m_aprime_gev,
                model.epsilon,
                1.0,
            )),
            br,
            model.flight_length_m(sqrt_s, r),
        ),
        Production::OffShell => {
            let p = two_body_momentum_gev(sqrt_s, model.m1_gev, model.m2_gev);
            (
                gev2_to_pb(sigma_off_shell(s, model, scenario.normalisation)),
                1.0,
                model.decay_length_m(p / model.m1_gev, r),
            )
        }
    };
    let detectors: Vec<DetectorSignal> = scenario
        .detectors
        .iter()
        .zip(acceptance)
        .map(|(d, a)| {
            let decay_probability = decay_window_probability(d.distance_m, d.depth_m, flight.value);
            DetectorSignal {
                name: d.name.clone(),
                acceptance: *a,
                decay_probability,
                n_signal: scenario.luminosity_pb
                    * sigma_pb
                    * factor
                    * a.acceptance.value
                    * decay_probability,
            }
        })
        .collect();
    let point = EmulsionPoint {
        sigma_production_pb: sigma_pb,
        br_aprime_to_phi1_phi2: br,
        width_aprime_gev: model.width_aprime_total_gev(r),
        width_phi1_gev: model.phi1_width_total_gev(r),
        flight_length_m: flight,
        detectors,
    };
    let finite = [
        point.sigma_production_pb,
        point.br_aprime_to_phi1_phi2,
        point.width_phi1_gev.value,
        point.flight_length_m.value,
    ]
    .iter()
    .chain(point.detectors.iter().map(|d| &d.n_signal))
    .all(|v| v.is_finite());
    if !finite {
        return Err(Error::Numerical {
            point: format!(
                "m_A' = {} GeV, m1 = {} GeV, m2 = {} GeV, eps = {}, g_D = {}",
                model.m_aprime_gev, model.m1_gev, model.m2_gev, model.epsilon, model.g_d
            ),
            message: format!("a result is not finite: {point:?}"),
        });
    }
    Ok(point)
}

/// Every number of the scenario's model point (runs the Monte Carlo).
///
/// # Errors
/// As [`evaluate_with`].
pub fn evaluate(scenario: &EmulsionScenario) -> Result<EmulsionPoint, Error> {
    evaluate_with(scenario, &scenario_acceptances(scenario), &RRatio::pdg())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The decay window against its limits: `L/d e^(-a/d)` for `d >> L`, and the full
    /// difference of exponentials.
    #[test]
    fn decay_window() {
        assert_relative_eq!(
            decay_window_probability(7.0, 1.32, 2.0),
            (-3.5_f64).exp() - (-4.16_f64).exp(),
            max_relative = 1e-14
        );
        let d = 1e6;
        assert_relative_eq!(
            decay_window_probability(7.0, 1.32, d),
            1.32 / d,
            max_relative = 1e-5
        );
        assert_eq!(decay_window_probability(7.0, 1.32, 0.0), 0.0);
    }
}
