//! Standard-model backgrounds of the disappearing-positron-track search [DPT Sec. 3]; the muon
//! backgrounds of an emulsion detector near a collider are in [`muons`] [EMU Sec. 9].
//!
//! Photons that punch through the ECL and escape the KLM veto, and neutrons from photonuclear
//! reactions that pass both. The inputs that came from simulations (GEANT4 event counts,
//! interaction lengths, veto inefficiency) are scenario data, not code constants.

pub mod muons;

/// The depth of Belle II's CsI calorimeter in X0 [DPT Sec. 3.2]: the target whose simulated
/// neutrons the Belle II scenarios' `[background.neutron]` counts describe.
pub const BELLE2_ECL_X0: f64 = 16.0;

/// That calorimeter's depth behind its first X0 in hadronic interaction lengths, the Belle II
/// scenarios' `background.neutron.ecl_lambda` [DPT Sec. 3.2].
pub const BELLE2_ECL_LAMBDA: f64 = 0.75;

use crate::numerics::quadrature::Estimate;
use crate::showers::punch_through::punch_through_probability;

/// Photon background [DPT Sec. 3.1]: `N_pos P_punch(T, x > 1 - f) epsilon_veto`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhotonBackground {
    /// Probability that a photon above `1 - f` of the positron energy leaves the target [DPT Eq. 3.2].
    pub punch_through: Estimate,
    /// KLM veto inefficiency (4.5e-4, the BaBar IFR value in [DPT Sec. 3.1]).
    pub veto_inefficiency: f64,
    /// Expected events.
    pub events: f64,
}

impl PhotonBackground {
    /// Photons from `n_positrons` positrons in a target of `thickness_x0`, selected with visible
    /// fraction at most `max_visible_fraction`.
    #[must_use]
    pub fn new(
        n_positrons: f64,
        thickness_x0: f64,
        max_visible_fraction: f64,
        veto_inefficiency: f64,
    ) -> Self {
        Self::with_punch_through(
            n_positrons,
            punch_through_probability(thickness_x0, 1.0 - max_visible_fraction),
            veto_inefficiency,
        )
    }

    /// As [`PhotonBackground::new`], with the punch-through probability already computed (it
    /// depends on the target only, so the points of a scan share it).
    #[must_use]
    pub fn with_punch_through(
        n_positrons: f64,
        punch_through: Estimate,
        veto_inefficiency: f64,
    ) -> Self {
        Self {
            punch_through,
            veto_inefficiency,
            events: n_positrons * punch_through.value * veto_inefficiency,
        }
    }
}

/// Inputs of the neutron estimate [DPT Sec. 3.2].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeutronInputs {
    /// Positrons simulated (1e9 in the paper).
    pub simulated_positrons: f64,
    /// Selected events with one neutron above 280 MeV (13).
    pub single_neutron_events: f64,
    /// Selected events with several neutrons (51).
    pub multi_neutron_events: f64,
    /// Remaining ECL depth in hadronic interaction lengths (0.8 x 15/16 = 0.75).
    pub ecl_lambda: f64,
    /// KLM depth in hadronic interaction lengths (3.9).
    pub klm_lambda: f64,
    /// Escape probability to use instead of `exp(-(ecl + klm))` (the paper rounds to 0.01).
    pub escape_probability: Option<f64>,
}

/// Neutron background [DPT Sec. 3.2, Eq. 3.3].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeutronBackground {
    /// Escape probability per neutron, `exp(-L/lambda_0)` or the scenario's value.
    pub escape_probability: f64,
    /// Expected events.
    pub events: f64,
    /// The statistical error of `events` (one standard deviation): the single- and
    /// multi-neutron counts of the simulation are Poisson counts, scaled as the events are,
    /// `N_pos/N_sim sqrt(n1 P^2 + n2 P^4)`. Not in [DPT Sec. 3.2], whose limit takes the estimate as
    /// exact (so does darksens unless `background.relative_uncertainty` is set).
    pub statistical_error: f64,
}

impl NeutronBackground {
    /// Rescales the simulated counts to `n_positrons`: single-neutron events scale with the
    /// escape probability `P = exp(-(ecl + klm))` [DPT Eq. 3.3], multi-neutron events with `P^2`.
    #[must_use]
    pub fn new(n_positrons: f64, inputs: &NeutronInputs) -> Self {
        let escape_probability = inputs
            .escape_probability
            .unwrap_or_else(|| (-(inputs.ecl_lambda + inputs.klm_lambda)).exp());
        let p = escape_probability;
        let per_simulated = (inputs.single_neutron_events * p
            + inputs.multi_neutron_events * p * p)
            / inputs.simulated_positrons;
        let variance_per_simulated = (inputs.single_neutron_events * p * p
            + inputs.multi_neutron_events * p.powi(4))
            / inputs.simulated_positrons.powi(2);
        Self {
            escape_probability,
            events: n_positrons * per_simulated,
            statistical_error: n_positrons * variance_per_simulated.sqrt(),
        }
    }
}

/// The background used for the limit: computed, or replaced by the scenario's `background.total`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackgroundEstimate {
    /// Photon component, when computed.
    pub photon: Option<PhotonBackground>,
    /// Neutron component, when computed.
    pub neutron: Option<NeutronBackground>,
    /// `background.total` when the scenario sets it.
    pub total_override: Option<f64>,
}

impl BackgroundEstimate {
    /// Expected background events entering the limit.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.total_override.unwrap_or_else(|| {
            self.photon.map_or(0.0, |p| p.events) + self.neutron.map_or(0.0, |n| n.events)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    const PAPER_POSITRONS: f64 = 6.0e11;

    fn paper_neutrons(escape_probability: Option<f64>) -> NeutronInputs {
        NeutronInputs {
            simulated_positrons: 1e9,
            single_neutron_events: 13.0,
            multi_neutron_events: 51.0,
            ecl_lambda: 0.75,
            klm_lambda: 3.9,
            escape_probability,
        }
    }

    /// [DPT Sec. 3.1]: 6e11 positrons, 4.7e-8, 4.5e-4 give "13" events (two figures).
    #[test]
    fn photon_background_matches_paper() {
        let photons = PhotonBackground::new(PAPER_POSITRONS, 16.0, 0.05, 4.5e-4);
        assert_relative_eq!(photons.events, 13.0, max_relative = 0.03, epsilon = 0.0);
    }

    /// Closed form: 600 (13 P + 51 P^2). With P = e^-4.65 = 0.009562 this is 77.4 (docs/physics.md
    /// §6b); with the paper's rounded P = 0.01 it is 81.06, the paper's "81".
    #[test]
    fn neutron_background_exact_and_rounded() {
        let exact = NeutronBackground::new(PAPER_POSITRONS, &paper_neutrons(None));
        let p = (-4.65f64).exp();
        assert_relative_eq!(
            exact.events,
            600.0 * (13.0 * p + 51.0 * p * p),
            max_relative = 1e-14,
            epsilon = 0.0
        );
        assert_relative_eq!(exact.events, 77.4, max_relative = 1e-3, epsilon = 0.0);
        let rounded = NeutronBackground::new(PAPER_POSITRONS, &paper_neutrons(Some(0.01)));
        assert_relative_eq!(rounded.events, 81.06, max_relative = 1e-12, epsilon = 0.0);
    }

    /// The statistical error: with only single-neutron events it is the estimate over the
    /// square root of their count (a Poisson count); the paper's inputs give
    /// `600 sqrt(13 P^2 + 51 P^4) = 20.7` (27% of 77.4, nearly all from the 13 single-neutron
    /// events).
    #[test]
    fn neutron_background_statistical_error() {
        let single_only = NeutronInputs {
            multi_neutron_events: 0.0,
            ..paper_neutrons(None)
        };
        let single = NeutronBackground::new(PAPER_POSITRONS, &single_only);
        assert_relative_eq!(
            single.statistical_error,
            single.events / 13f64.sqrt(),
            max_relative = 1e-14,
            epsilon = 0.0
        );
        let paper = NeutronBackground::new(PAPER_POSITRONS, &paper_neutrons(None));
        assert_relative_eq!(
            paper.statistical_error,
            20.7,
            max_relative = 3e-3,
            epsilon = 0.0
        );
    }

    #[test]
    fn override_replaces_computed_total() {
        let estimate = BackgroundEstimate {
            photon: Some(PhotonBackground::new(PAPER_POSITRONS, 16.0, 0.05, 4.5e-4)),
            neutron: None,
            total_override: Some(1000.0),
        };
        assert_eq!(estimate.total(), 1000.0);
    }
}
