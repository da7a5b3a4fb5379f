//! The limit at one point of a thick-target search: tables shared, yields, background and the
//! signal the criterion needs.

use crate::backgrounds::{BackgroundEstimate, NeutronBackground, PhotonBackground};
use crate::error::{Error, ScanError};
use crate::limits::statistics::Counting;
use crate::limits::{DiscoveryStatistic, LimitCriterion, LimitStatus, epsilon_limit};
use crate::models::Mediator;
use crate::output::format_number;
use crate::scenario::{Scenario, SourceConfig, SpectrumConfig};
use crate::showers::track_length::Incident;
use crate::signal::thick_target::{
    BremMethod, InitialStateRadiation, ThickTargetSearch, ThickTargetSetup, Yields,
};
use crate::sources::{
    BhabhaSpectrum, CollidingBeams, PositronSpectrum, RealBeamsBhabhaSpectrum, Source,
};
use crate::units::GEV_PER_MEV;
use std::sync::Arc;

/// The model-independent part of a scenario, built once: tables, positron count, backgrounds.
#[derive(Debug, Clone)]
pub struct Calculator {
    scenario: Scenario,
    search: Arc<ThickTargetSearch>,
    background: BackgroundEstimate,
    /// Signal events the criterion needs (mass independent, so computed once).
    n_required: f64,
    /// The -2, -1, +1, +2 sigma values, with bands.
    n_required_bands: Option<[f64; 4]>,
    /// Whether every table met `numerics.table_tolerance`.
    tables_converged: bool,
}

/// Everything computed at one mass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointResult {
    /// Mediator mass, MeV.
    pub mass_mev: f64,
    /// Yields per eps^2.
    pub yields: Yields,
    /// Expected background events.
    pub n_background: f64,
    /// Signal events required by the criterion.
    pub n_required: f64,
    /// Expected 90% CL limit on eps (infinite at a closed point: no signal possible).
    pub epsilon_limit: f64,
    /// Limits at the -2, -1, +1, +2 sigma background quantiles (`poisson-cls` with bands).
    pub epsilon_bands: Option<[f64; 4]>,
    /// Signal events for the bands.
    pub n_required_bands: Option<[f64; 4]>,
    /// Dark coupling alpha_D at this point.
    pub alpha_d: f64,
    /// m_chi / m_mediator at this point.
    pub mchi_over_mmed: f64,
    /// Whether every integral met `numerics.relative_tolerance` and every table
    /// `numerics.table_tolerance`.
    pub converged: bool,
    /// With `model.g_ve`: the expected signal events at that coupling and, for a beam, the
    /// signal per particle on target.
    pub at_coupling: Option<(f64, Option<f64>)>,
}

impl PointResult {
    /// What the limit says: ok, unconverged, eps-above-1 or closed.
    #[must_use]
    pub fn status(&self) -> LimitStatus {
        LimitStatus::of(self.epsilon_limit, self.converged)
    }

    /// The light-dark-matter variable `y = eps^2 alpha_D (m_chi/m_A')^4` at the limit, which
    /// thermal-relic plots use.
    #[must_use]
    pub fn y(&self) -> f64 {
        self.epsilon_limit * self.epsilon_limit * self.alpha_d * self.mchi_over_mmed.powi(4)
    }

    /// The vector coupling to electrons at the limit, `g_ve = eps e`, `e = sqrt(4 pi alpha)`:
    /// the coupling a mediator decaying to `e+ e-` is quoted in.
    #[must_use]
    pub fn g_ve_limit(&self) -> f64 {
        self.epsilon_limit * crate::units::ELEMENTARY_CHARGE_SQUARED.sqrt()
    }

    /// Fraction of the signal from annihilation (0 at a closed point).
    #[must_use]
    pub fn annihilation_fraction(&self) -> f64 {
        let total = self.yields.total();
        if total > 0.0 {
            self.yields.annihilation.value / total
        } else {
            0.0
        }
    }
}

/// The relative statistical error of the source's cross section when it comes from a Monte
/// Carlo: the built-in generator, or an event file (`None` for the analytic spectrum and a
/// table): every yield scales with the cross section, so the signal carries it and `eps` half
/// of it.
#[must_use]
pub fn source_statistical_error(scenario: &Scenario) -> Option<f64> {
    match &scenario.source {
        SourceConfig::Collider {
            spectrum: SpectrumConfig::Generated { generated, .. },
            ..
        } if generated.sigma_pb > 0.0 => Some(generated.sigma_error_pb / generated.sigma_pb),
        SourceConfig::Collider {
            spectrum: SpectrumConfig::Tabulated(table),
            ..
        } => table.statistical_relative_error(),
        _ => None,
    }
}

/// The thick-target setup a scenario describes.
#[must_use]
pub fn setup_of(scenario: &Scenario) -> ThickTargetSetup {
    let t = &scenario.target;
    let source = match &scenario.source {
        SourceConfig::Collider {
            spectrum,
            luminosity_ab,
            particle,
        } => {
            let spectrum = match spectrum {
                SpectrumConfig::Bhabha {
                    collider,
                    theta_min_deg,
                    theta_max_deg,
                    real_beams,
                } => {
                    let (lo, hi) = (theta_min_deg.to_radians(), theta_max_deg.to_radians());
                    if real_beams.any() {
                        PositronSpectrum::RealBeams(Box::new(RealBeamsBhabhaSpectrum::new(
                            CollidingBeams {
                                electron_energy_gev: collider.electron_energy_gev,
                                positron_energy_gev: collider.positron_energy_gev,
                                crossing_angle_rad: real_beams.crossing_angle_rad,
                                electron_energy_spread: real_beams.electron_energy_spread,
                                positron_energy_spread: real_beams.positron_energy_spread,
                            },
                            lo,
                            hi,
                            *particle == Incident::Electron,
                        )))
                    } else {
                        PositronSpectrum::Bhabha(match particle {
                            Incident::Positron => BhabhaSpectrum::new(*collider, lo, hi),
                            Incident::Electron => BhabhaSpectrum::electrons(*collider, lo, hi),
                        })
                    }
                }
                SpectrumConfig::Tabulated(table) => PositronSpectrum::Tabulated(table.clone()),
                SpectrumConfig::Generated { generated, .. } => {
                    PositronSpectrum::Tabulated(generated.spectrum.clone())
                }
            };
            Source::Collider {
                spectrum,
                luminosity_ab: *luminosity_ab,
            }
        }
        SourceConfig::Beam(beam) => Source::Beam(*beam),
    };
    ThickTargetSetup {
        source,
        material: t.material.clone(),
        thickness_x0: t.thickness_x0,
        brem_thickness_x0: t.brem_thickness_x0,
        incident: scenario.source.incident(),
        second_generation: t.second_generation,
        atomic_electrons: t.atomic_electrons,
        front_layers: t.front_layers.clone(),
        initial_state_radiation: if t.initial_state_radiation {
            InitialStateRadiation::Legs
        } else {
            InitialStateRadiation::Off
        },
        max_visible_fraction: t.max_visible_fraction,
        min_energy_loss_fraction: t.min_energy_loss_fraction,
        brem: scenario.bremsstrahlung.clone(),
    }
}

/// `Err` when `mass_mev` is beyond what the scenario's source can produce
/// ([`ThickTargetSetup::mass_reach_gev`]).
///
/// # Errors
/// [`ScanError::BeyondReach`] naming the point (from `point`) and what sets the reach.
pub fn check_reach(
    scenario: &Scenario,
    mass_mev: f64,
    point: &dyn Fn() -> String,
) -> Result<(), Error> {
    let setup = setup_of(scenario);
    let reach_mev = setup.mass_reach_gev(scenario.model.reach_mass_ratio()) / GEV_PER_MEV;
    if mass_mev <= reach_mev {
        return Ok(());
    }
    // Times 1000 rather than over 1e-3, so that 0.282 GeV reads 282 MeV in the message.
    let e_max_mev = setup.source.e_max_gev() * GEV_PER_MEV.recip().round();
    // What annihilation needs, and what widens it.
    let needs = match scenario.model.decay {
        crate::models::Decay::Visible => "m",
        crate::models::Decay::Invisible => "2 m_chi",
    };
    let spread = matches!(&setup.source, Source::Beam(beam) if beam.energy_spread > 0.0);
    let moving =
        setup.atomic_electrons == crate::materials::compton::AtomicElectrons::ComptonProfile;
    let widened = match (spread, moving) {
        (true, true) => ", widened by the beam's energy spread and the target electrons' motion",
        (true, false) => ", widened by the beam's energy spread",
        (false, true) => ", widened by the target electrons' motion",
        (false, false) => "",
    };
    let annihilation = format!(
        "annihilation needs {needs} below sqrt(s) = sqrt(2 m_e E), with E at most {} MeV{widened}",
        crate::units::format_rounded(e_max_mev, 6)
    );
    let why = match &setup.brem {
        BremMethod::Computed => format!(
            "the highest incident energy is {} MeV, and bremsstrahlung needs m below it",
            crate::units::format_rounded(e_max_mev, 6)
        ),
        // Beyond its curve the source still makes mediators: only the yield is unknown.
        BremMethod::RescaledLimit { curve, .. } => {
            return Err(outside_published(curve, mass_mev, point()));
        }
        BremMethod::Omitted => annihilation,
    };
    Err(ScanError::BeyondReach {
        point: point(),
        reach_mev,
        why,
    }
    .into())
}

/// The error for a mass outside the published limit a bremsstrahlung yield is rescaled from,
/// or in a gap of it (where it has no value).
fn outside_published(
    curve: &crate::published::PublishedLimit,
    mass_mev: f64,
    point: String,
) -> Error {
    if let Some((lo, hi)) = curve.gap_around(mass_mev * GEV_PER_MEV) {
        return ScanError::InPublishedGap {
            point,
            lo_mev: lo / GEV_PER_MEV,
            hi_mev: hi / GEV_PER_MEV,
            curve: curve.source.clone(),
        }
        .into();
    }
    let (lo, hi) = curve.mass_range_gev();
    ScanError::OutsidePublishedRange {
        point,
        lo_mev: lo / GEV_PER_MEV,
        hi_mev: hi / GEV_PER_MEV,
        curve: curve.source.clone(),
    }
    .into()
}

impl Calculator {
    /// Builds the tables for `scenario`.
    #[must_use]
    pub fn new(scenario: &Scenario) -> Self {
        let search = ThickTargetSearch::new(setup_of(scenario), scenario.numerics);
        Self::with_search(scenario, Arc::new(search))
    }

    /// Reuses tables already built for the same setup.
    #[must_use]
    pub fn with_search(scenario: &Scenario, search: Arc<ThickTargetSearch>) -> Self {
        let n_positrons = search.n_incident();
        let b = &scenario.background;
        let background = BackgroundEstimate {
            photon: b.photon_veto_inefficiency.map(|veto| {
                PhotonBackground::with_punch_through(
                    n_positrons,
                    search.photon_punch_through(),
                    veto,
                )
            }),
            neutron: b
                .neutron
                .map(|inputs| NeutronBackground::new(n_positrons, &inputs)),
            total_override: b.total,
        };
        let counting = Counting {
            background: background.total(),
            relative_uncertainty: b.relative_uncertainty,
        };
        let n_required = scenario.limit.n_required_for(&counting);
        let n_required_bands = scenario.limit.n_required_bands(&counting);
        let tables_converged = search.table_error() <= scenario.numerics.table_tolerance;
        Self {
            scenario: scenario.clone(),
            search,
            background,
            n_required,
            n_required_bands,
            tables_converged,
        }
    }

    /// The scenario.
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The search with its tables.
    #[must_use]
    pub fn search(&self) -> &ThickTargetSearch {
        &self.search
    }

    /// The background estimate.
    #[must_use]
    pub fn background(&self) -> &BackgroundEstimate {
        &self.background
    }

    /// The mediator at `mass_mev`.
    #[must_use]
    pub fn mediator(&self, mass_mev: f64) -> Mediator {
        self.scenario.model.mediator_at(mass_mev)
    }

    /// Yields at one mass.
    #[must_use]
    pub fn yields(&self, mass_mev: f64) -> Yields {
        self.search.yields(self.mediator(mass_mev))
    }

    /// The signal a limit requires must be a finite positive count: a criterion that divides by
    /// the background where it is zero is bad input; anything else a numerical failure.
    fn check_required(
        &self,
        point: &dyn Fn() -> String,
        n_background: f64,
        n_required: f64,
    ) -> Result<(), Error> {
        if n_required.is_finite() && n_required > 0.0 {
            return Ok(());
        }
        let max = crate::limits::statistics::Counting {
            background: n_background,
            relative_uncertainty: self.scenario.background.relative_uncertainty,
        }
        .poisson_max_background();
        if self.scenario.limit.uses_poisson_probabilities() && n_background > max {
            return Err(ScanError::PoissonBackgroundTooLarge {
                point: point(),
                background: n_background,
                max,
            }
            .into());
        }
        let divides_by_background = match self.scenario.limit {
            LimitCriterion::SqrtBackground { .. } => Some("the sqrt-nb limit"),
            LimitCriterion::Discovery {
                statistic: DiscoveryStatistic::Asimov,
                ..
            } => Some("the Asimov discovery signal"),
            _ => None,
        };
        if let Some(criterion) = divides_by_background
            && n_background == 0.0
        {
            return Err(ScanError::NeedsBackground {
                point: point(),
                criterion,
                hint: "set background.total, or use limit.method = \"poisson-cls\" or \"fixed\" (or limit.statistic = \"poisson\" for a discovery) for a background-free search",
            }
            .into());
        }
        let hint = match self.scenario.limit {
            LimitCriterion::SqrtBackground { .. } => {
                "the sqrt-nb criterion needs a positive background; use limit.method = \"poisson-cls\" or \"fixed\" without background"
            }
            LimitCriterion::Fixed { .. } => "limit.n_signal must be positive",
            LimitCriterion::PoissonCls { .. } => "the CLs limit did not converge",
            LimitCriterion::Discovery { .. } => {
                "the Asimov formula needs a positive background; use limit.statistic = \"poisson\""
            }
        };
        Err(Error::Numerical {
            point: point(),
            message: format!("{n_required} signal events required: {hint}"),
        })
    }

    /// The limit from yields already computed.
    ///
    /// # Errors
    /// If the limit is not a finite positive number (`label` and the mass name the point).
    pub fn limit(&self, label: &str, mass_mev: f64, yields: Yields) -> Result<PointResult, Error> {
        let n_background = self.background.total();
        let n_required = self.n_required;
        let point = || format!("curve \"{label}\", m = {} MeV", format_number(mass_mev));
        // Beyond the source's reach no signal is possible: a closed point.
        let reach_mev = self
            .search
            .setup()
            .mass_reach_gev(self.scenario.model.reach_mass_ratio())
            / GEV_PER_MEV;
        // A visible mediator's yields stand beyond the reach: its `e+ e-` is open at every
        // `sqrt(s)`, and the lower side of its Breit–Wigner is made below the resonance energy
        // (a monoenergetic beam just below it, electrons at rest), so the signal at `g_ve` is
        // kept. But that tail scales as `eps^2` only at the width `g_ve` gives (both vertices
        // are `eps e` off the peak), so no limit on eps follows from it: the point is closed,
        // as `explain` says.
        let beyond_reach = mass_mev > reach_mev;
        let visible = self.scenario.model.decay == crate::models::Decay::Visible;
        let yields = if beyond_reach && !visible {
            Yields::zero()
        } else {
            yields
        };
        if let BremMethod::RescaledLimit { curve, .. } = &self.scenario.bremsstrahlung
            && curve.eps_at(mass_mev * GEV_PER_MEV).is_none()
        {
            return Err(outside_published(curve, mass_mev, point()));
        }
        for (name, v) in [
            ("annihilation yield", yields.annihilation.value),
            ("bremsstrahlung yield", yields.bremsstrahlung.value),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::Numerical {
                    point: point(),
                    message: format!("the {name} is {v}"),
                });
            }
        }
        self.check_required(&point, n_background, n_required)?;
        if yields.total() == 0.0 || beyond_reach {
            // No signal is possible: a closed point, kept as a row without a limit.
            return Ok(PointResult {
                mass_mev,
                yields,
                n_background,
                n_required,
                epsilon_limit: f64::INFINITY,
                epsilon_bands: self.n_required_bands.map(|_| [f64::INFINITY; 4]),
                n_required_bands: self.n_required_bands,
                alpha_d: self.scenario.model.alpha_d,
                mchi_over_mmed: self.scenario.model.mchi_over_mmed,
                converged: self.tables_converged,
                at_coupling: self.at_coupling(&yields),
            });
        }
        let epsilon = epsilon_limit(n_required, yields.total());
        if !epsilon.is_finite() || epsilon <= 0.0 {
            return Err(Error::Numerical {
                point: point(),
                message: format!(
                    "the signal per eps^2 is {:e} events, so the limit on eps is {epsilon:e}; an input that scales the signal (source.efficiency, the luminosity or the particles on target) may be far too small",
                    yields.total()
                ),
            });
        }
        let epsilon_bands = self
            .n_required_bands
            .map(|bands| bands.map(|n| epsilon_limit(n, yields.total())));
        Ok(PointResult {
            mass_mev,
            yields,
            n_background,
            n_required,
            epsilon_limit: epsilon,
            epsilon_bands,
            n_required_bands: self.n_required_bands,
            alpha_d: self.scenario.model.alpha_d,
            mchi_over_mmed: self.scenario.model.mchi_over_mmed,
            converged: self.tables_converged
                && yields.annihilation.converged
                && yields.bremsstrahlung.converged,
            at_coupling: self.at_coupling(&yields),
        })
    }

    /// The signal at `model.g_ve` (`eps = g_ve/e`): expected events, and per particle on target
    /// for a beam; `None` without the key.
    fn at_coupling(&self, yields: &Yields) -> Option<(f64, Option<f64>)> {
        let epsilon = self.scenario.model.epsilon()?;
        let events = yields.total() * epsilon * epsilon;
        let per_particle = match self.scenario.source {
            SourceConfig::Beam(beam) => Some(events / beam.particles_on_target),
            SourceConfig::Collider { .. } => None,
        };
        Some((events, per_particle))
    }

    /// Yields and limit at one mass.
    ///
    /// # Errors
    /// As [`Calculator::limit`].
    pub fn point(&self, label: &str, mass_mev: f64) -> Result<PointResult, Error> {
        self.limit(label, mass_mev, self.yields(mass_mev))
    }
}
