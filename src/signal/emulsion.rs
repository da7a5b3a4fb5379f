//! Signal of emulsion boxes near an `e+ e-` collider [EMU Eq. 20-21] at one model point: every
//! intermediate number, per detector.
//!
//! `N_sig = L sigma BR A (exp(-a/d) - exp(-(a + L_det)/d))` on shell [Eq. 20] (`sigma` of
//! `e+e- -> gamma A'` over the full angle, `BR = BR(A' -> phi1 phi2)`), and without the `BR`
//! off shell [Eq. 21]; `A` the acceptance of the box (Monte Carlo), `a` its distance and
//! `L_det` its depth, `d` the mean flight length [Eq. 12]. A point is excluded at 90% CL with
//! no background when `N_sig >= 2.3` (in one detector, or summed over identical ones).
//!
//! By default `A` times the decay window is replaced by the probability to decay inside the
//! box event by event (each `phi1`'s own boost and path through the box: the lab-frame answer,
//! where the boost spreads `beta gamma`), kept for every coupling as a
//! [`DecayProfile`]; the factorised Eq. 20-21 is the paper's choice. Either is multiplied by
//! the box's detection efficiency.

use crate::detectors::emulsion::{DecayProfile, DetectorBox};
use crate::error::Error;
use crate::models::inelastic::InelasticScalar;
use crate::models::r_ratio::RRatio;
use crate::numerics::quadrature::Estimate;
use crate::processes::collider_production::OffShellNormalisation;
use crate::processes::collider_production::{
    sigma_gamma_aprime, sigma_off_shell, two_body_momentum_gev,
};
use crate::published::PublishedLimit;
use crate::sources::phi1::{
    BoxAcceptance, EventKey, EventSample, Fraction, MonteCarlo, Production,
};
use crate::units::{HBARC_GEV_M, gev2_to_pb};

/// The physics of an emulsion search apart from the model point: the collisions, the boxes and
/// the Monte Carlo that finds their acceptance.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulsionSetup {
    /// Centre-of-mass energy, GeV.
    pub sqrt_s_gev: f64,
    /// Integrated luminosity, pb^-1.
    pub luminosity_pb: f64,
    /// How `phi1` is produced.
    pub production: Production,
    /// Normalisation of the off-shell cross section [EMU Eq. 5].
    pub normalisation: OffShellNormalisation,
    /// The boxes.
    pub detectors: Vec<DetectorBox>,
    /// Monte Carlo settings.
    pub monte_carlo: MonteCarlo,
    /// The probability to decay inside each box event by event (each `phi1`'s own boost and
    /// line through the box; the default), or factorised as in [EMU Eq. 20-21] (the
    /// acceptance times the decay window at the mean boost of Eq. 12).
    pub decay_in_volume: bool,
}

/// What the Monte Carlo gives for one box at one set of masses.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxSample {
    /// The acceptance (fraction of `phi1` crossing the front face).
    pub acceptance: BoxAcceptance,
    /// With `decay_in_volume`: the lines through the box for any decay length.
    pub decay_profile: Option<DecayProfile>,
}

impl EmulsionSetup {
    /// What fixes the events of the Monte Carlo of `model`: two models with equal keys (say,
    /// other `phi1` masses at the same `m_A'`) see the same events ([`EventSample`]).
    #[must_use]
    pub fn event_key(&self, model: &InelasticScalar) -> EventKey {
        EventKey::new(model, self.sqrt_s_gev, self.production, &self.monte_carlo)
    }

    /// The acceptances of the boxes for `model` (they depend on the masses only, not on `eps`
    /// or `g_D`: a Monte Carlo) and, with `decay_in_volume`, their decay profiles from the same
    /// pass ([`crate::sources::phi1::acceptances_with_profiles`]).
    #[must_use]
    pub fn samples(&self, model: &InelasticScalar) -> Vec<BoxSample> {
        self.samples_from(model, None)
    }

    /// [`Self::samples`], with the events' angles taken from `stored` when it was drawn for
    /// this Monte Carlo ([`Self::event_key`]): the same numbers, without drawing them again.
    #[must_use]
    pub fn samples_from(
        &self,
        model: &InelasticScalar,
        stored: Option<&EventSample>,
    ) -> Vec<BoxSample> {
        if self.decay_in_volume {
            crate::sources::phi1::acceptances_with_profiles(
                model,
                self.sqrt_s_gev,
                self.production,
                &self.detectors,
                &self.monte_carlo,
                stored,
            )
            .into_iter()
            .map(|(acceptance, profile)| BoxSample {
                acceptance,
                decay_profile: Some(profile),
            })
            .collect()
        } else {
            crate::sources::phi1::acceptances(
                model,
                self.sqrt_s_gev,
                self.production,
                &self.detectors,
                &self.monte_carlo,
                stored,
            )
            .into_iter()
            .map(|acceptance| BoxSample {
                acceptance,
                decay_profile: None,
            })
            .collect()
        }
    }

    /// Whether the masses of `model` allow a signal: the production (on shell: `m1 + m2 < M <
    /// sqrt s`; off shell: `m1 + m2 < sqrt s`; always `m1 > m2 > 0`, and `M` not within
    /// [`RESONANT_PRODUCTION_MARGIN`] of `sqrt s`) and the visible decay `phi1 -> phi2 e+ e-`,
    /// `m1 - m2 > 2 m_e` [EMU Eq. 10-11]. Below that splitting `phi1` has no width here and
    /// never decays in a box.
    #[must_use]
    pub fn is_open(&self, model: &InelasticScalar) -> bool {
        let ordered = model.m2_gev > 0.0
            && model.m1_gev > model.m2_gev
            && model.m1_gev - model.m2_gev > 2.0 * crate::units::ELECTRON_MASS_GEV;
        ordered
            && !made_on_resonance(model.m_aprime_gev, self.sqrt_s_gev)
            && match self.production {
                Production::OnShell => {
                    model.m_aprime_gev > model.m1_gev + model.m2_gev
                        && model.m_aprime_gev < self.sqrt_s_gev
                }
                Production::OffShell => model.m1_gev + model.m2_gev < self.sqrt_s_gev,
            }
    }
}

/// Relative distance of `M` from `sqrt s` within which neither production formula holds: there
/// the `A'` is made on resonance (`e+ e- -> A'` itself, its line set by the beams' energy spread
/// and their radiation), while the on-shell `e+ e- -> gamma A'` [EMU Eq. 4] grows without bound
/// as its photon goes soft (`1/(s - M^2)`) and the off-shell propagator `1/(s - M^2)^2`
/// [EMU Eq. 5] has no width. At 1% the photon of the on-shell production carries at least 1% of
/// `sqrt s` (106 MeV at Belle II), far above the beams' energy spread.
pub const RESONANT_PRODUCTION_MARGIN: f64 = 0.01;

/// Whether an `A'` of mass `m_aprime_gev` lies within [`RESONANT_PRODUCTION_MARGIN`] of
/// `sqrt_s_gev`, where it is made on resonance.
#[must_use]
pub fn made_on_resonance(m_aprime_gev: f64, sqrt_s_gev: f64) -> bool {
    (m_aprime_gev - sqrt_s_gev).abs() < RESONANT_PRODUCTION_MARGIN * sqrt_s_gev
}

/// BaBar's conditions on the model [EMU Eq. 22-23], from limit curves the user supplies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BabarConditions {
    /// `eps_1(m)` of the `A' -> l l` search [Eq. 22].
    pub lepton: Option<PublishedLimit>,
    /// `eps_2(m)` of the mono-photon search [Eq. 23].
    pub invisible: Option<PublishedLimit>,
    /// Minimal flight for a mono-photon candidate, m.
    pub min_flight_m: f64,
}

impl BabarConditions {
    /// Whether any condition is given.
    #[must_use]
    pub fn any(&self) -> bool {
        self.lepton.is_some() || self.invisible.is_some()
    }
}

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
    /// The detection efficiency of the box.
    pub efficiency: f64,
    /// Signal events: event by event with `decay_in_volume`, else [Eq. 20 or 21].
    pub n_signal: f64,
    /// Signal events of the factorised [Eq. 20 or 21] (`A` times the decay window).
    pub n_signal_factorised: f64,
    /// With `decay_in_volume`: the event-by-event probability to decay inside the box
    /// (replacing `A` times the decay window) with its Monte Carlo error.
    pub in_volume: Option<Fraction>,
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

/// One box in a [`MassPoint`].
#[derive(Debug, Clone, PartialEq)]
pub struct BoxAtMasses {
    /// The detector's name.
    pub name: String,
    /// Its acceptance.
    pub acceptance: BoxAcceptance,
    /// IP to the front face, m.
    pub distance_m: f64,
    /// Depth, m.
    pub depth_m: f64,
    /// Detection efficiency.
    pub efficiency: f64,
    /// Event by event: the lines through the box ([`DecayProfile`]); `None`: factorised.
    pub decay_profile: Option<DecayProfile>,
}

impl BoxAtMasses {
    /// Signal events from `produced` `phi1` of mean flight length `flight_length_m` at the mean
    /// boost `beta_gamma`: times the probability to decay inside (event by event from the
    /// profile, else factorised) and the efficiency.
    #[must_use]
    pub fn signal(&self, produced: f64, flight_length_m: f64, beta_gamma: f64) -> f64 {
        match &self.decay_profile {
            Some(profile) => {
                produced * self.efficiency * profile.probability(flight_length_m / beta_gamma)
            }
            None => self.signal_factorised(produced, flight_length_m),
        }
    }

    /// Signal events with the factorised [Eq. 20]: `produced` times the acceptance, the decay
    /// window and the efficiency.
    #[must_use]
    pub fn signal_factorised(&self, produced: f64, flight_length_m: f64) -> f64 {
        produced
            * self.efficiency
            * self.acceptance.acceptance.value
            * decay_window_probability(self.distance_m, self.depth_m, flight_length_m)
    }
}

/// What a model point's signal needs at unit couplings (`eps = g_D = 1`), for one set of
/// masses: every coupling dependence is then exact scaling, `sigma_on ~ eps^2`,
/// `sigma_off ~ eps^2 g_D^2`, `Gamma(A' -> phi1 phi2) ~ g_D^2`, `Gamma(A' -> SM) ~ eps^2`,
/// `Gamma(phi1) ~ eps^2 g_D^2` [EMU Eq. 4-11], so a grid over the couplings costs one Monte
/// Carlo and one set of width integrals.
#[derive(Debug, Clone, PartialEq)]
pub struct MassPoint {
    /// Production.
    pub production: Production,
    /// Production cross section at unit couplings, pb.
    pub sigma_unit_pb: f64,
    /// `Gamma(A' -> phi1 phi2)` at `g_D = 1`, GeV.
    pub width_dark_unit_gev: f64,
    /// `Gamma(A' -> SM)` at `eps = 1`, GeV.
    pub width_sm_unit_gev: f64,
    /// `Gamma(A' -> e e) + Gamma(A' -> mu mu)` at `eps = 1`, GeV (BaBar's `A' -> l l` [Eq. 22]).
    pub width_leptons_unit_gev: f64,
    /// The dark-photon mass, GeV.
    pub m_aprime_gev: f64,
    /// `Gamma(phi1)` at `eps = g_D = 1`, GeV, with its integration error.
    pub width_phi1_unit_gev: Estimate,
    /// `beta gamma` of `phi1` for the mean flight length [Eq. 12].
    pub beta_gamma: f64,
    /// Per detector.
    pub detectors: Vec<BoxAtMasses>,
    /// Integrated luminosity, pb^-1.
    pub luminosity_pb: f64,
}

impl MassPoint {
    /// The masses of `model` in `setup`, with the given Monte Carlo samples of its boxes.
    #[must_use]
    pub fn new(
        setup: &EmulsionSetup,
        model: &InelasticScalar,
        samples: Vec<BoxSample>,
        r: &RRatio,
    ) -> Self {
        let unit = InelasticScalar {
            epsilon: 1.0,
            g_d: 1.0,
            ..*model
        };
        let sqrt_s = setup.sqrt_s_gev;
        let s = sqrt_s * sqrt_s;
        let (sigma_unit_pb, beta_gamma) = match setup.production {
            Production::OnShell => (
                gev2_to_pb(sigma_gamma_aprime(s, unit.m_aprime_gev, 1.0, 1.0)),
                unit.mean_beta_gamma_on_shell(sqrt_s),
            ),
            Production::OffShell => (
                gev2_to_pb(sigma_off_shell(s, &unit, setup.normalisation)),
                two_body_momentum_gev(sqrt_s, unit.m1_gev, unit.m2_gev) / unit.m1_gev,
            ),
        };
        let width_dark_unit_gev = unit.width_aprime_to_phi1_phi2_gev();
        Self {
            production: setup.production,
            sigma_unit_pb,
            width_dark_unit_gev,
            width_sm_unit_gev: unit.width_aprime_total_gev(r) - width_dark_unit_gev,
            width_leptons_unit_gev: unit
                .width_aprime_to_leptons_gev(crate::units::ELECTRON_MASS_GEV)
                + unit.width_aprime_to_leptons_gev(crate::units::MUON_MASS_GEV),
            m_aprime_gev: unit.m_aprime_gev,
            width_phi1_unit_gev: unit.phi1_width_total_gev(r),
            beta_gamma,
            detectors: setup
                .detectors
                .iter()
                .zip(samples)
                .map(|(d, sample)| BoxAtMasses {
                    name: d.name.clone(),
                    acceptance: sample.acceptance,
                    distance_m: d.distance_m,
                    depth_m: d.depth_m,
                    efficiency: d.efficiency,
                    decay_profile: sample.decay_profile,
                })
                .collect(),
            luminosity_pb: setup.luminosity_pb,
        }
    }

    /// `BR(A' -> phi1 phi2)` at `eps`, `g_D`.
    #[must_use]
    pub fn branching_ratio(&self, epsilon: f64, g_d: f64) -> f64 {
        let dark = g_d * g_d * self.width_dark_unit_gev;
        let total = dark + epsilon * epsilon * self.width_sm_unit_gev;
        if total > 0.0 { dark / total } else { 0.0 }
    }

    /// How far BaBar's searches exclude the point [EMU Eq. 22-23]: the largest of
    /// `eps / threshold - 1` over the given conditions, with the thresholds
    /// `eps_1(m_A') / sqrt(BR(A' -> l l))` and `eps_2(m_A') exp(min_flight / (2 d))`; positive
    /// means excluded, `-1` when no condition applies (no file, or `m_A'` outside its curve).
    #[must_use]
    pub fn babar_excess(&self, epsilon: f64, g_d: f64, babar: &BabarConditions) -> f64 {
        let mut excess = -1.0_f64;
        if let Some(eps1) = babar
            .lepton
            .as_ref()
            .and_then(|c| c.eps_at(self.m_aprime_gev))
        {
            let total =
                g_d * g_d * self.width_dark_unit_gev + epsilon * epsilon * self.width_sm_unit_gev;
            let br = epsilon * epsilon * self.width_leptons_unit_gev / total;
            if br > 0.0 {
                excess = excess.max(epsilon * br.sqrt() / eps1 - 1.0);
            }
        }
        if let Some(eps2) = babar
            .invisible
            .as_ref()
            .and_then(|c| c.eps_at(self.m_aprime_gev))
        {
            let exponent = babar.min_flight_m / (2.0 * self.flight_length_m(epsilon, g_d));
            // exp(exponent) overflows only where the threshold is far above any eps.
            if exponent < 700.0 {
                excess = excess.max(epsilon / (eps2 * exponent.exp()) - 1.0);
            }
        }
        excess
    }

    /// Mean flight length at `eps`, `g_D`, m [Eq. 12].
    #[must_use]
    pub fn flight_length_m(&self, epsilon: f64, g_d: f64) -> f64 {
        self.beta_gamma * HBARC_GEV_M
            / (epsilon * epsilon * g_d * g_d * self.width_phi1_unit_gev.value)
    }

    /// Production cross section at `eps`, `g_D`, pb.
    #[must_use]
    pub fn sigma_pb(&self, epsilon: f64, g_d: f64) -> f64 {
        match self.production {
            Production::OnShell => epsilon * epsilon * self.sigma_unit_pb,
            Production::OffShell => epsilon * epsilon * g_d * g_d * self.sigma_unit_pb,
        }
    }

    /// Signal events per `phi1` that decays inside a box: `L sigma BR` on shell [Eq. 20],
    /// `L sigma` off shell [Eq. 21].
    fn produced(&self, epsilon: f64, g_d: f64) -> f64 {
        let factor = match self.production {
            Production::OnShell => self.branching_ratio(epsilon, g_d),
            Production::OffShell => 1.0,
        };
        self.luminosity_pb * self.sigma_pb(epsilon, g_d) * factor
    }

    /// Signal events of each detector at `eps`, `g_D`: produced `phi1` [Eq. 20 on shell, 21 off
    /// shell] times the probability to decay inside (event by event, or factorised) times the
    /// detection efficiency.
    #[must_use]
    pub fn n_signal(&self, epsilon: f64, g_d: f64) -> Vec<f64> {
        let d = self.flight_length_m(epsilon, g_d);
        let produced = self.produced(epsilon, g_d);
        self.detectors
            .iter()
            .map(|b| b.signal(produced, d, self.beta_gamma))
            .collect()
    }

    /// Every number at `eps`, `g_D`.
    #[must_use]
    pub fn point(&self, epsilon: f64, g_d: f64) -> EmulsionPoint {
        let d = self.flight_length_m(epsilon, g_d);
        let n = self.n_signal(epsilon, g_d);
        let produced = self.produced(epsilon, g_d);
        let scale2 = epsilon * epsilon * g_d * g_d;
        EmulsionPoint {
            sigma_production_pb: self.sigma_pb(epsilon, g_d),
            br_aprime_to_phi1_phi2: self.branching_ratio(epsilon, g_d),
            width_aprime_gev: g_d * g_d * self.width_dark_unit_gev
                + epsilon * epsilon * self.width_sm_unit_gev,
            width_phi1_gev: Estimate {
                value: scale2 * self.width_phi1_unit_gev.value,
                error: scale2 * self.width_phi1_unit_gev.error,
                ..self.width_phi1_unit_gev
            },
            flight_length_m: Estimate {
                value: d,
                error: d * self.width_phi1_unit_gev.error / self.width_phi1_unit_gev.value,
                ..self.width_phi1_unit_gev
            },
            detectors: self
                .detectors
                .iter()
                .zip(n)
                .map(|(b, n_signal)| DetectorSignal {
                    name: b.name.clone(),
                    acceptance: b.acceptance,
                    decay_probability: decay_window_probability(b.distance_m, b.depth_m, d),
                    efficiency: b.efficiency,
                    n_signal,
                    n_signal_factorised: b.signal_factorised(produced, d),
                    in_volume: None,
                })
                .collect(),
        }
    }
}

/// Every number of `model` in `setup`, given the boxes' Monte Carlo samples (with
/// `decay_in_volume`, the event-by-event decay probability also comes with its Monte Carlo error
/// from a pass at this point's decay length).
///
/// # Errors
/// A result that is not finite (named with the model point).
pub fn evaluate(
    setup: &EmulsionSetup,
    model: &InelasticScalar,
    samples: Vec<BoxSample>,
    r: &RRatio,
) -> Result<EmulsionPoint, Error> {
    let mut point = MassPoint::new(setup, model, samples, r).point(model.epsilon, model.g_d);
    if setup.decay_in_volume {
        let per_beta_gamma = HBARC_GEV_M / point.width_phi1_gev.value;
        let inside = crate::sources::phi1::decay_in_volume(
            model,
            setup.sqrt_s_gev,
            setup.production,
            &setup.detectors,
            &setup.monte_carlo,
            per_beta_gamma,
        );
        for (d, p) in point.detectors.iter_mut().zip(inside) {
            d.in_volume = Some(p);
        }
    }
    let named = [
        ("the production cross section", point.sigma_production_pb),
        (
            "the branching ratio A' -> phi1 phi2",
            point.br_aprime_to_phi1_phi2,
        ),
        ("the phi1 width", point.width_phi1_gev.value),
        ("the phi1 flight length", point.flight_length_m.value),
    ];
    let signals = point
        .detectors
        .iter()
        .map(|d| ("a detector's signal", d.n_signal));
    if let Some((name, value)) = named
        .into_iter()
        .chain(signals)
        .find(|(_, v)| !v.is_finite())
    {
        let number = crate::units::format_number;
        return Err(Error::Numerical {
            point: format!(
                "m_A' = {} GeV, m1 = {} GeV, m2 = {} GeV, eps = {}, g_D = {}",
                number(model.m_aprime_gev),
                number(model.m1_gev),
                number(model.m2_gev),
                number(model.epsilon),
                number(model.g_d)
            ),
            message: format!("{name} is {value}"),
        });
    }
    Ok(point)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Belle II (centre-of-mass frame) with box A of the paper, 1000 events.
    pub(crate) fn belle2_box_a(production: Production) -> EmulsionSetup {
        EmulsionSetup {
            sqrt_s_gev: 10.58,
            luminosity_pb: 50e6,
            production,
            normalisation: OffShellNormalisation::Derived,
            detectors: vec![DetectorBox::forward("A", 7.0, 1.0, 0.2, 0.3)],
            monte_carlo: MonteCarlo {
                events: 1000,
                seed: 1,
                spin_correlation: true,
                boost_beta: 0.0,
            },
            decay_in_volume: false,
        }
    }

    /// BaBar's two conditions [EMU Eq. 22-23] against the model's widths and flight length
    /// computed directly: the lepton search excludes where `eps sqrt(BR(A' -> ee, mu mu))`
    /// passes `eps_1`, the mono-photon search where `eps` passes `eps_2 exp(l_min / (2 d))`;
    /// without a curve no condition applies (-1).
    #[test]
    fn babar_conditions_follow_eq_22_and_23() {
        use crate::published::PublishedLimit;
        use crate::units::{ELECTRON_MASS_GEV, MUON_MASS_GEV};
        let r = RRatio::pdg();
        let mut setup = belle2_box_a(Production::OnShell);
        setup.monte_carlo.events = 1000;
        let model = InelasticScalar::new(8.0, 4.341, 3.65, 1e-3, 0.1);
        let samples = setup.samples(&model);
        let point = MassPoint::new(&setup, &model, samples, &r);
        let flat = |eps: f64| {
            Some(PublishedLimit::from_points(
                "flat",
                vec![(1.0, eps), (10.0, eps)],
            ))
        };
        let (epsilon, g_d) = (2e-3, 0.3);
        let m = InelasticScalar {
            epsilon,
            g_d,
            ..model
        };
        let leptons = m.width_aprime_to_leptons_gev(ELECTRON_MASS_GEV)
            + m.width_aprime_to_leptons_gev(MUON_MASS_GEV);
        let br = leptons / m.width_aprime_total_gev(&r);
        let lepton = BabarConditions {
            lepton: flat(1e-3),
            ..BabarConditions::default()
        };
        assert_relative_eq!(
            point.babar_excess(epsilon, g_d, &lepton),
            epsilon * br.sqrt() / 1e-3 - 1.0,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        let d = m.flight_length_m(10.58, &r).value;
        let invisible = BabarConditions {
            invisible: flat(1e-4),
            min_flight_m: 0.5,
            ..BabarConditions::default()
        };
        assert_relative_eq!(
            point.babar_excess(epsilon, g_d, &invisible),
            epsilon / (1e-4 * (0.5 / (2.0 * d)).exp()) - 1.0,
            max_relative = 1e-9,
            epsilon = 0.0
        );
        assert_eq!(
            point.babar_excess(epsilon, g_d, &BabarConditions::default()),
            -1.0
        );
    }
    /// The coupling scaling of [`MassPoint`] against direct evaluation of the model at other
    /// couplings (widths, branching ratio, flight length, cross section).
    #[test]
    fn coupling_scaling_is_exact() {
        let r = RRatio::pdg();
        for production in [Production::OnShell, Production::OffShell] {
            let model = match production {
                Production::OnShell => InelasticScalar::new(8.0, 4.341, 3.65, 1e-3, 0.1),
                Production::OffShell => InelasticScalar::new(14.0, 5.0, 4.85, 1e-3, 0.1),
            };
            let setup = belle2_box_a(production);
            let acceptance = vec![BoxSample {
                acceptance: BoxAcceptance {
                    acceptance: Fraction {
                        value: 0.01,
                        error: 0.0,
                    },
                    mean_beta_gamma_accepted: 0.3,
                },
                decay_profile: None,
            }];
            let mass_point = MassPoint::new(&setup, &model, acceptance, &r);
            for (eps, g) in [(1e-3, 0.1), (3e-5, 0.7), (2e-2, 1e-3)] {
                let m = InelasticScalar {
                    epsilon: eps,
                    g_d: g,
                    ..model
                };
                let scaled = mass_point.point(eps, g);
                assert_relative_eq!(
                    scaled.br_aprime_to_phi1_phi2,
                    m.br_aprime_to_phi1_phi2(&r),
                    max_relative = 1e-12,
                    epsilon = 0.0
                );
                assert_relative_eq!(
                    scaled.width_phi1_gev.value,
                    m.phi1_width_total_gev(&r).value,
                    max_relative = 1e-9,
                    epsilon = 0.0
                );
                let direct_d = match production {
                    Production::OnShell => m.flight_length_m(10.58, &r).value,
                    Production::OffShell => {
                        let p = two_body_momentum_gev(10.58, m.m1_gev, m.m2_gev);
                        m.decay_length_m(p / m.m1_gev, &r).value
                    }
                };
                assert_relative_eq!(
                    scaled.flight_length_m.value,
                    direct_d,
                    max_relative = 1e-9,
                    epsilon = 0.0
                );
                let direct_sigma = match production {
                    Production::OnShell => {
                        gev2_to_pb(sigma_gamma_aprime(10.58 * 10.58, 8.0, eps, 1.0))
                    }
                    Production::OffShell => gev2_to_pb(sigma_off_shell(
                        10.58 * 10.58,
                        &m,
                        OffShellNormalisation::Derived,
                    )),
                };
                assert_relative_eq!(
                    scaled.sigma_production_pb,
                    direct_sigma,
                    max_relative = 1e-12,
                    epsilon = 0.0
                );
            }
        }
    }

    /// The detection efficiency scales each box's signal, factorised and event by event.
    #[test]
    fn efficiency_scales_the_signal() {
        let r = RRatio::pdg();
        let model = InelasticScalar::new(8.0, 4.341, 3.65, 1e-3, 0.1);
        for decay_in_volume in [false, true] {
            let mut setup = belle2_box_a(Production::OnShell);
            setup.monte_carlo.events = 20_000;
            setup.decay_in_volume = decay_in_volume;
            let full = MassPoint::new(&setup, &model, setup.samples(&model), &r);
            setup.detectors[0].efficiency = 0.25;
            let quarter = MassPoint::new(&setup, &model, setup.samples(&model), &r);
            for (eps, g) in [(1e-3, 0.1), (1e-5, 1.0)] {
                let (n1, n4) = (full.n_signal(eps, g)[0], quarter.n_signal(eps, g)[0]);
                assert!(n1 > 0.0);
                assert_relative_eq!(n4, 0.25 * n1, max_relative = 1e-14, epsilon = 0.0);
            }
        }
    }

    /// The decay window against its limits: `L/d e^(-a/d)` for `d >> L`, and the full
    /// difference of exponentials.
    #[test]
    fn decay_window() {
        assert_relative_eq!(
            decay_window_probability(7.0, 1.32, 2.0),
            (-3.5_f64).exp() - (-4.16_f64).exp(),
            max_relative = 1e-14,
            epsilon = 0.0
        );
        let d = 1e6;
        assert_relative_eq!(
            decay_window_probability(7.0, 1.32, d),
            1.32 / d,
            max_relative = 1e-5,
            epsilon = 0.0
        );
        assert_eq!(decay_window_probability(7.0, 1.32, 0.0), 0.0);
    }
}
