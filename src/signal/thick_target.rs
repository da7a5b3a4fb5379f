//! Signal yields of a thick-target missing-energy search: the Belle II ECL hit by Bhabha
//! positrons [DPT Sec. 4], or a fixed target hit by a beam (NA64, [DPT App. C]).

use crate::detectors::thick_target::{Layer, MissingEnergyWindow, Process};
use crate::materials::Material;
use crate::materials::compton::{AtomicElectrons, ElectronMomenta, electron_momenta_of};
use crate::models::Mediator;
use crate::numerics::chebyshev::integrate_with_square_roots;
use crate::numerics::log_panels::LogPanels;
use crate::numerics::product::ProductRule;
use crate::numerics::quadrature::{EndPoint, integrate, integrate_segment};
use crate::numerics::quadrature::{Estimate, Tolerance, relative_to};
use crate::numerics::table::UniformTable;
use crate::processes::annihilation::{AnnihilationFlux, AnnihilationTrackLength};
use crate::processes::bremsstrahlung::{ElasticFlux, EnergyFractionIntegral, Kernel};
use crate::processes::effective_flux::{Broadening, EffectiveFlux};
use crate::processes::line_shape::{
    KERNEL_BREAKS_Z, KERNEL_TAIL_SHARE, LINE_SPREAD_SIGMAS, LineKernel, LineSpread,
};
use crate::published::PublishedLimit;
use crate::showers::track_length::{
    B1, Generations, Incident, SecondGeneration, ShowerSettings, TrackLengthTable,
};
use crate::sources::PositronSpectrum;
use crate::sources::Source;
use crate::units::{ELECTRON_MASS_GEV, gev2_to_cm2, luminosity_ab_to_cm2};
use rayon::prelude::*;
use statrs::function::gamma::ln_gamma;

/// How the bremsstrahlung yield is obtained.
#[derive(Debug, Clone, PartialEq)]
pub enum BremMethod {
    /// Computed from [DPT Eq. 4.5-4.7] with the target's nuclei (for a scalar, with the scalar
    /// kernel of [`Kernel::Scalar`]).
    Computed,
    /// Rescaled from a published bremsstrahlung-only limit `eps_bre(m)`:
    /// `N_bre = n_signal eps^2 / eps_bre(m)^2` [DPT Eq. C.1].
    RescaledLimit {
        /// The published curve.
        curve: PublishedLimit,
        /// Signal events the published limit corresponds to (2.3 for NA64).
        n_signal: f64,
    },
    /// Left out: the yield is annihilation only.
    Omitted,
}

/// Radiation by the pair before it annihilates (docs/physics.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialStateRadiation {
    /// None, as [DPT Eq. 4.2].
    Off,
    /// Each leg as it happens: the positron's photon is visible (its leg is in the track
    /// length, the window's cut applies to it), the target electron's carries almost no energy
    /// in the lab (its leg lowers `s` only).
    Legs,
    /// The whole radiator as if no photon were seen (the cross section convolved alone): an
    /// upper bound, and the definition independent references use.
    AllInvisible,
    /// The whole radiator as if every photon were visible (the positron's track length takes
    /// all of it): a lower bound.
    AllVisible,
}

/// Everything that fixes the thick-target calculation apart from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ThickTargetSetup {
    /// Where the incident particles come from.
    pub source: Source,
    /// Target material.
    pub material: Material,
    /// Thickness for the annihilation track length, in X0 (16 for the ECL).
    pub thickness_x0: f64,
    /// Thickness for the bremsstrahlung track length, in X0 (1 in [DPT Eq. 4.5]).
    pub brem_thickness_x0: f64,
    /// Incident particle: decides the positron track length of annihilation (`I1 + I2` for a
    /// positron, `I2` for an electron); bremsstrahlung always uses the incident species' own
    /// track length `I1 + I2`.
    pub incident: Incident,
    /// How the second generation of the track length is counted.
    pub second_generation: SecondGeneration,
    /// Target electrons at rest \[DPT\] or bound and moving.
    pub atomic_electrons: AtomicElectrons,
    /// Layers the particles cross before the target, in order (none in \[DPT\]).
    pub front_layers: Vec<Layer>,
    /// Radiation by the pair before it annihilates (Kuraev–Fadin; \[DPT\]: none).
    pub initial_state_radiation: InitialStateRadiation,
    /// Largest visible energy fraction `f`.
    pub max_visible_fraction: f64,
    /// Smallest fractional energy loss kept in the track length (0 = exact).
    pub min_energy_loss_fraction: f64,
    /// How bremsstrahlung is obtained.
    pub brem: BremMethod,
}

impl ThickTargetSetup {
    /// The heaviest mediator this source can produce, in GeV, for `m_chi/m = mchi_over_mmed`:
    /// annihilation on an electron at rest needs `s = 2 m_e (E + m_e) > 4 m_chi^2` (on or off
    /// the resonance) [DPT Eq. 4.2], on a bound electron `s = 2 mu (E + m_e)` with `mu` below
    /// `2 m_e` (the profiles are cut at `|p_z| < m_e`, docs/physics.md §9); computed
    /// bremsstrahlung needs `E_A' = x E' >= m` with `x <= 1 - m_e/E'` [DPT Eq. 4.6], so
    /// `m < E_max - m_e`; a rescaled published limit reaches as far as its curve. Above it every
    /// yield is zero and no limit exists.
    #[must_use]
    pub fn mass_reach_gev(&self, mchi_over_mmed: f64) -> f64 {
        // A beam's spread reaches above its nominal energy (as far as the line follows it).
        let spread = match &self.source {
            Source::Beam(beam) => beam.energy_spread,
            Source::Collider { .. } => 0.0,
        };
        let e_max = self.source.e_max_gev() * (1.0 + LINE_SPREAD_SIGMAS * spread);
        let mu_max = match self.atomic_electrons {
            AtomicElectrons::AtRest => ELECTRON_MASS_GEV,
            AtomicElectrons::ComptonProfile => 2.0 * ELECTRON_MASS_GEV,
        };
        let sqrt_s = (2.0 * mu_max * (e_max + ELECTRON_MASS_GEV)).sqrt();
        let annihilation = sqrt_s / (2.0 * mchi_over_mmed);
        match self.brem {
            BremMethod::Computed => annihilation.max(e_max - ELECTRON_MASS_GEV),
            BremMethod::RescaledLimit { ref curve, .. } => {
                annihilation.max(curve.mass_range_gev().1)
            }
            BremMethod::Omitted => annihilation,
        }
    }
}

/// Numerical resolution of the yield calculation; [`Resolution::doubled`] is the convergence test.
/// Serialized with the keys of a scenario's `[numerics]` (sidecars record it so).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Resolution {
    /// Intervals of the track-length tables in `w`.
    pub track_length_intervals: usize,
    /// Intervals per segment of the annihilation flux table.
    pub flux_intervals: usize,
    /// Relative tolerance of each per-mass integral.
    pub relative_tolerance: f64,
    /// Largest accepted error bound of a table, relative to the table's largest value; a point
    /// computed from a table above it is flagged as not converged.
    pub table_tolerance: f64,
    /// Interpolate the bremsstrahlung integral in `ln m` where it is smooth
    /// (`BREM_PANEL_WIDTH`); `false` computes it at every mass.
    pub interpolate_brem_in_mass: bool,
    /// With the target electrons moving or the pair radiating, integrate the cross section
    /// against Chebyshev moments of the effective flux away from the resonance
    /// ([`EffectiveFlux::integrate_cross_section`]); `false` integrates adaptively throughout
    /// ([`EffectiveFlux::integrate_cross_section_adaptively`]).
    pub annihilation_by_moments: bool,
    /// In mass scans of at least [`ANNIHILATION_INTERPOLATION_MIN_MASSES`] masses, interpolate
    /// the annihilation yield in `ln m` where it is smooth ([`annihilation_mass_panels`]);
    /// `false` computes it at every mass.
    pub interpolate_annihilation_in_mass: bool,
}

impl Default for Resolution {
    fn default() -> Self {
        Self {
            track_length_intervals: 128,
            flux_intervals: 128,
            relative_tolerance: 1e-5,
            table_tolerance: 1e-3,
            interpolate_brem_in_mass: true,
            annihilation_by_moments: true,
            interpolate_annihilation_in_mass: true,
        }
    }
}

impl Resolution {
    /// Twice the table resolution and a hundred times tighter tolerances.
    #[must_use]
    pub fn doubled(self) -> Self {
        Self {
            track_length_intervals: 2 * self.track_length_intervals,
            flux_intervals: 2 * self.flux_intervals,
            relative_tolerance: self.relative_tolerance / 100.0,
            ..self
        }
    }
}

/// Yields per `eps^2` at one model point, with their numerical error estimates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Yields {
    /// Annihilation events per `eps^2`.
    pub annihilation: Estimate,
    /// Bremsstrahlung events per `eps^2` (zero when left out).
    pub bremsstrahlung: Estimate,
}

impl Yields {
    /// No signal (a mediator the source cannot make).
    #[must_use]
    pub fn zero() -> Self {
        Self {
            annihilation: Estimate::exact(0.0),
            bremsstrahlung: Estimate::exact(0.0),
        }
    }

    /// Total signal per `eps^2`.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.annihilation.value + self.bremsstrahlung.value
    }
}

/// The annihilation yield per `eps^2` of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerYield {
    /// The layer's material.
    pub material: String,
    /// Its depth range from the front of the first layer, X0 (each layer's own).
    pub depth_x0: (f64, f64),
    /// Annihilation events per `eps^2` in it.
    pub annihilation: Estimate,
}

/// The collider part of a search: the luminosity and the product rule over the incident
/// spectrum.
#[derive(Debug, Clone)]
struct ColliderTables {
    luminosity_cm2: f64,
    /// Nested product rules over the spectrum, 9, 17, 33 and 65 points, each built when a mass
    /// first needs it (a finer level only where the coarser one missed the tolerance).
    spectrum_rules: [std::sync::OnceLock<ProductRule>; SPECTRUM_RULE_LEVELS.len()],
}

impl ColliderTables {
    /// The product rule of `level` (0: 9 points, ..., 3: 65 points) over `spectrum` in the
    /// window's energies.
    fn spectrum_rule(
        &self,
        level: usize,
        spectrum: &PositronSpectrum,
        window: &MissingEnergyWindow,
    ) -> &ProductRule {
        self.spectrum_rules[level].get_or_init(|| {
            ProductRule::new(
                |e| spectrum.dsigma_de_cm2_per_gev(e),
                (window.e_min_gev, window.e_max_gev),
                SPECTRUM_RULE_LEVELS[level],
                (
                    spectrum.kinks_gev(),
                    spectrum.kink_kind() == EndPoint::SquareRoot,
                ),
            )
        })
    }
}

/// The annihilation tables of one layer whose annihilations count as signal: its share of the
/// positron track length (the depth it spans), the flux (collider sources) and the flux the
/// resonance sees with its electrons' motion and the pair's radiation.
#[derive(Debug, Clone)]
struct AnnihilationLayer {
    material: Material,
    /// Depth range from the front of the first layer, X0 (each layer's own).
    depth_x0: (f64, f64),
    /// `None` for a positron beam on a target thinner than the tables reach
    /// ([`THIN_TARGET_X0`]): the beam positron's own path, in closed form.
    track_length: Option<AnnihilationTrackLength>,
    flux: Option<AnnihilationFlux>,
    effective: Option<EffectiveFlux>,
    /// For a positron beam: what spreads the resonance the beam positron sees (the
    /// electrons' motion, the beam's energy spread, the radiation whose photon is not in the
    /// track length), `None` when nothing does.
    line: Option<LineSpread>,
    /// The same with the electrons at rest (the beam spread kept), for the at-rest yield.
    line_at_rest: Option<LineSpread>,
    /// A positron beam's thick target with the electrons moving or the pair radiating: the
    /// positron energy (GeV) above which the beam positron's spike is integrated against the
    /// spread resonance (`line`) in the track length's variable; the effective flux covers
    /// the energies below ([`SPIKE_LAMBDA`]).
    spike_from_gev: Option<f64>,
}

/// On a positron beam's thick target, the track length within `lambda = ln(E0/E') < 0.01` of
/// the beam energy (the beam positron's spike, which no grid in energy resolves) is integrated
/// against the spread resonance directly; below, its density varies on the scale of `lambda`
/// itself, fifty grid steps of the effective flux.
pub const SPIKE_LAMBDA: f64 = 0.01;

/// A positron beam's target thinner than this (in X0) is a thin target: the track-length
/// tables do not reach it (their spike at `E' = E0` turns at `lambda ~ e^(-1/(b1 T))`, below the
/// smallest double for `T < 1.1e-3`), and the beam positron's own path is integrated in closed
/// form instead (`thin_target_positron`); the shower's positrons, of relative size `T`, are
/// left out.
pub const THIN_TARGET_X0: f64 = 0.01;

impl AnnihilationLayer {
    /// Bound on the layer's tables' error relative to their largest values.
    fn table_error(&self) -> f64 {
        self.track_length
            .as_ref()
            .map_or(0.0, AnnihilationTrackLength::interpolation_error)
            .max(
                self.flux
                    .as_ref()
                    .map_or(0.0, AnnihilationFlux::interpolation_error)
                    + self
                        .effective
                        .as_ref()
                        .map_or(0.0, EffectiveFlux::relative_error),
            )
    }
}

/// A thick-target search with its tables built: call [`ThickTargetSearch::yields`] per model.
#[derive(Debug, Clone)]
pub struct ThickTargetSearch {
    setup: ThickTargetSetup,
    window: MissingEnergyWindow,
    resolution: Resolution,
    /// The incident particle's track length for computed bremsstrahlung (`None` otherwise).
    brem_track_length: Option<TrackLengthTable>,
    /// The layers that count as signal, the target last.
    annihilation: Vec<AnnihilationLayer>,
    collider: Option<ColliderTables>,
    /// The photon punch-through probability of the target, computed on first use.
    punch_through: std::sync::OnceLock<Estimate>,
    /// The bremsstrahlung integral against the mass, interpolated where it is smooth (vector
    /// and scalar mediators), built as masses ask for it.
    brem_by_mass: std::sync::Arc<[LogPanels; 2]>,
}

/// Width in `ln m` of the panels on which the bremsstrahlung integral is interpolated
/// ([`LogPanels`]): a factor e in mass, over which the integral (about `1/m^2` times
/// logarithms) is reproduced to about 1e-10 by 17 or 33 Chebyshev points.
const BREM_PANEL_WIDTH: f64 = 1.0;

/// Two levels of the interpolated bremsstrahlung integral must agree to this fraction of
/// `numerics.relative_tolerance`.
const BREM_INTERPOLATION_SHARE: f64 = 1e-2;

/// Mass scans with at least this many masses (of one set of tables and model) interpolate the
/// annihilation yield in the mass ([`annihilation_mass_panels`]): below it, building the panels
/// costs more integrals than the masses themselves.
pub const ANNIHILATION_INTERPOLATION_MIN_MASSES: usize = 4096;

/// Width in `ln m` of the widest panels of the interpolated annihilation yield.
const ANNIHILATION_PANEL_WIDTH: f64 = 0.5;

/// Times a panel of the annihilation yield that does not converge is halved: the narrowest
/// panels are `0.5 / 2^12 = 1.2e-4` in `ln m`, below the Breit–Wigner's relative width at the
/// couplings of interest, so only the masses next to the flux's edges (where the yield turns
/// within a width) are computed one by one.
const ANNIHILATION_PANEL_DEPTH: u32 = 12;

/// Two levels of the interpolated annihilation yield must agree to this fraction of
/// `numerics.relative_tolerance`.
const ANNIHILATION_INTERPOLATION_SHARE: f64 = 1e-1;

/// Panels on which a mass scan interpolates the annihilation yield in `ln m`
/// ([`ThickTargetSearch::yields_interpolating`]; [`LogPanels`] with bisection): the yield is
/// a smooth function of the mass but next to the flux's edges and thresholds, where the panels
/// halve until they converge or reach `ANNIHILATION_PANEL_DEPTH`; a value from a panel carries
/// the panel's error bound (the two levels' disagreement plus the largest error of its points).
#[must_use]
pub fn annihilation_mass_panels(resolution: Resolution) -> LogPanels {
    LogPanels::new(
        ANNIHILATION_PANEL_WIDTH,
        f64::INFINITY,
        ANNIHILATION_INTERPOLATION_SHARE * resolution.relative_tolerance,
    )
    .bisecting(ANNIHILATION_PANEL_DEPTH)
}

/// The bremsstrahlung yield of a collider spectrum is sampled at `2^3 + 1 = 9` incident energies
/// first (product rule, [`ProductRule`]; the 5-point subset gives the error estimate), then at
/// 17, 33 and 65 (nested: each rule reuses the samples of the one before) until the estimate
/// meets the tolerance. The Bhabha spectrum in the barrel needs 9; the broader radiative Bhabha
/// spectrum more.
const SPECTRUM_RULE_LEVELS: [u32; 4] = [3, 4, 5, 6];

/// Mediator-dependent constants of the bremsstrahlung integral at one mass.
struct BremContext {
    mass_gev: f64,
    photon_flux: UniformTable,
    fraction: EnergyFractionIntegral,
}

/// The target electrons' momenta a search is built with.
enum TargetElectrons<'a> {
    /// As `setup.atomic_electrons` says (built beside the track-length tables).
    AsSetup,
    /// Given (`None`: at rest), whatever the setup says.
    Given(Option<&'a ElectronMomenta>),
}

impl ThickTargetSearch {
    /// Builds the track-length tables and, for a collider, the annihilation flux: broadened by
    /// the electrons' motion with the material's Compton profiles when
    /// `setup.atomic_electrons` says so, and by the pair's radiation when
    /// `setup.initial_state_radiation` does.
    ///
    /// # Panics
    /// If the material has an element without tabulated profiles (validation refuses it).
    #[must_use]
    pub fn new(setup: ThickTargetSetup, resolution: Resolution) -> Self {
        Self::build(setup, resolution, &TargetElectrons::AsSetup)
    }

    /// As [`ThickTargetSearch::new`], with the target electrons' momenta given (`None`: at
    /// rest), whatever `setup.atomic_electrons` says (front layers follow the setup).
    ///
    /// # Panics
    /// If a front layer's material has an element without tabulated profiles (validation
    /// refuses it).
    #[must_use]
    pub fn with_electrons(
        setup: ThickTargetSetup,
        resolution: Resolution,
        electrons: Option<&ElectronMomenta>,
    ) -> Self {
        Self::build(setup, resolution, &TargetElectrons::Given(electrons))
    }

    /// The tables, with the target electrons' momenta `target_electrons` when given, else as
    /// `setup.atomic_electrons` says (built beside the track-length tables, which do not need
    /// them).
    fn build(
        setup: ThickTargetSetup,
        resolution: Resolution,
        target_electrons: &TargetElectrons<'_>,
    ) -> Self {
        let window = MissingEnergyWindow {
            e_min_gev: setup.source.e_min_gev(),
            e_max_gev: setup.source.e_max_gev(),
            max_visible_fraction: setup.max_visible_fraction,
            min_energy_loss_fraction: setup.min_energy_loss_fraction,
        };
        let shower = |thickness_x0, generations| ShowerSettings {
            thickness_x0,
            generations,
            second_generation: setup.second_generation,
        };
        let brem_track_length = || {
            (setup.brem == BremMethod::Computed).then(|| {
                refined_for_thin_targets(resolution, TrackLengthTable::interpolation_error, |n| {
                    TrackLengthTable::new(
                        shower(setup.brem_thickness_x0, Generations::FirstAndSecond),
                        window.lambda_max(Process::Bremsstrahlung),
                        n,
                    )
                })
            })
        };
        let collider = || match &setup.source {
            Source::Collider {
                spectrum,
                luminosity_ab,
            } => {
                // The coarsest rule serves most masses: built now, the others when needed.
                let tables = ColliderTables {
                    luminosity_cm2: luminosity_ab_to_cm2(*luminosity_ab),
                    spectrum_rules: Default::default(),
                };
                let _ = tables.spectrum_rule(0, spectrum, &window);
                Some(tables)
            }
            Source::Beam(_) => None,
        };
        // Depth ranges in X0: the front layers in order, then the target.
        let mut depth = 0.0;
        let mut spans = Vec::new();
        for layer in &setup.front_layers {
            spans.push((&layer.material, depth, layer.signal));
            depth += layer.thickness_x0;
        }
        spans.push((&setup.material, depth, true));
        let ends: Vec<f64> = spans
            .iter()
            .skip(1)
            .map(|(_, start, _)| *start)
            .chain(std::iter::once(depth + setup.thickness_x0))
            .collect();
        let annihilation = || {
            spans
                .par_iter()
                .zip(ends)
                .filter(|((_, _, signal), _)| *signal)
                .map(|(&(material, start, _), end)| {
                    let is_target = end > depth;
                    let moving = || match (is_target, target_electrons, setup.atomic_electrons) {
                        (true, TargetElectrons::Given(given), _) => {
                            given.map(|e| std::sync::Arc::new(e.clone()))
                        }
                        (_, _, AtomicElectrons::AtRest) => None,
                        (_, _, AtomicElectrons::ComptonProfile) => Some(
                            electron_momenta_of(&material.atoms())
                                .expect("validation checks that every element has profiles"),
                        ),
                    };
                    annihilation_layer(&setup, &window, resolution, (material, start, end), &moving)
                })
                .collect()
        };
        // The three do not depend on each other: built side by side (the results do not
        // depend on the thread count).
        let ((brem_track_length, collider), annihilation) =
            rayon::join(|| rayon::join(brem_track_length, collider), annihilation);
        Self {
            setup,
            window,
            resolution,
            brem_track_length,
            annihilation,
            collider,
            punch_through: std::sync::OnceLock::new(),
            brem_by_mass: std::sync::Arc::new(std::array::from_fn(|_| {
                LogPanels::new(
                    BREM_PANEL_WIDTH,
                    (1.0 - window.max_visible_fraction) * window.e_min_gev,
                    BREM_INTERPOLATION_SHARE * resolution.relative_tolerance,
                )
            })),
        }
    }

    /// The probability that a photon carrying more than `1 - f` of the incident energy leaves
    /// the target [DPT Eq. 3.2], computed once per set of tables.
    #[must_use]
    pub fn photon_punch_through(&self) -> Estimate {
        *self.punch_through.get_or_init(|| {
            crate::showers::punch_through::punch_through_probability(
                self.setup.thickness_x0,
                1.0 - self.setup.max_visible_fraction,
            )
        })
    }

    /// The setup.
    #[must_use]
    pub fn setup(&self) -> &ThickTargetSetup {
        &self.setup
    }

    /// The numerical resolution.
    #[must_use]
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// The missing-energy window.
    #[must_use]
    pub fn window(&self) -> &MissingEnergyWindow {
        &self.window
    }

    /// The track-length table used for annihilation.
    #[must_use]
    pub fn annihilation_track_length(&self) -> Option<&AnnihilationTrackLength> {
        self.target_layer().track_length.as_ref()
    }

    /// The target's annihilation tables (the last layer).
    fn target_layer(&self) -> &AnnihilationLayer {
        self.annihilation
            .last()
            .expect("the target always counts as signal")
    }

    /// Whether the resonance of `mediator` lies at or below the floor of a layer's radiative
    /// tail ([`EffectiveFlux::misses_radiative_return`]): its annihilation yield is then too
    /// small and flagged as not converged.
    #[must_use]
    pub fn misses_radiative_return(&self, mediator: &Mediator) -> bool {
        self.annihilation.iter().any(|layer| {
            layer
                .effective
                .as_ref()
                .is_some_and(|flux| flux.misses_radiative_return(mediator))
        })
    }

    /// Largest error bound of the tables this search uses (track lengths, annihilation flux),
    /// each relative to its table's largest value; infinite if a table node failed to converge.
    #[must_use]
    pub fn table_error(&self) -> f64 {
        let brem = match self.setup.brem {
            BremMethod::Computed => self
                .brem_track_length
                .as_ref()
                .map_or(0.0, TrackLengthTable::interpolation_error),
            BremMethod::RescaledLimit { .. } | BremMethod::Omitted => 0.0,
        };
        let spectrum = match &self.setup.source {
            Source::Collider { spectrum, .. } => spectrum.interpolation_error(),
            Source::Beam(_) => 0.0,
        };
        self.annihilation
            .iter()
            .map(AnnihilationLayer::table_error)
            .fold(brem.max(spectrum), f64::max)
    }

    /// The tabulated annihilation flux (collider sources only).
    #[must_use]
    pub fn annihilation_flux(&self) -> Option<&AnnihilationFlux> {
        self.target_layer().flux.as_ref()
    }

    /// Number of particles entering the target: `L sigma` for a collider, the particles on
    /// target for a beam.
    #[must_use]
    pub fn n_incident(&self) -> f64 {
        self.setup.source.n_incident()
    }

    /// Incident particles times signal efficiency, per unit of the per-particle integrals: the
    /// luminosity (cm^-2) for a collider, `N eff / E0` (GeV^-1) for a beam.
    fn normalisation(&self) -> f64 {
        match (&self.setup.source, &self.collider) {
            (Source::Collider { .. }, Some(c)) => c.luminosity_cm2,
            (Source::Beam(beam), _) => beam.particles_on_target * beam.efficiency / beam.energy_gev,
            (Source::Collider { .. }, None) => 0.0,
        }
    }

    /// The annihilation yield per `eps^2` from the flux without the effective one [DPT Eq. 4.4,
    /// C.2]: the target electrons at rest and, when the pair radiates, only the positron's leg
    /// (which is in the track length). With neither effect on it is the yield; it is the
    /// paper's number when the setup is the paper's.
    #[must_use]
    pub fn annihilation_at_rest(&self, mediator: impl Into<Mediator>) -> Estimate {
        let mediator = mediator.into();
        let tol = Tolerance::relative(self.resolution.relative_tolerance);
        self.annihilation
            .iter()
            .map(|layer| {
                self.layer_at_rest(layer, &mediator, tol)
                    .scaled(self.annihilation_scale(&layer.material))
            })
            .sum()
    }

    /// One layer's integral of its flux against the cross section, without the effective flux
    /// (a positron beam: without the electrons' motion and the unseen radiation, the beam
    /// spread kept).
    fn layer_at_rest(
        &self,
        layer: &AnnihilationLayer,
        mediator: &Mediator,
        tol: Tolerance,
    ) -> Estimate {
        match &layer.flux {
            Some(flux) => flux.integrate_cross_section(mediator, tol),
            None => self.beam_annihilation(layer, layer.line_at_rest.as_ref(), mediator, tol, 0.0),
        }
    }

    /// One layer's annihilation integral with everything that spreads the resonance.
    fn layer_annihilation(
        &self,
        layer: &AnnihilationLayer,
        mediator: &Mediator,
        tol: Tolerance,
    ) -> Estimate {
        let effective_integral = |effective: &EffectiveFlux| {
            if self.resolution.annihilation_by_moments {
                effective.integrate_cross_section(mediator, tol)
            } else {
                effective.integrate_cross_section_adaptively(mediator, tol)
            }
        };
        match (&layer.effective, &layer.flux, layer.spike_from_gev) {
            (Some(effective), _, Some(from)) => {
                effective_integral(effective)
                    + self.beam_annihilation(layer, layer.line.as_ref(), mediator, tol, from)
            }
            (Some(effective), _, None) => effective_integral(effective),
            (None, Some(flux), _) => flux.integrate_cross_section(mediator, tol),
            (None, None, from) => self.beam_annihilation(
                layer,
                layer.line.as_ref(),
                mediator,
                tol,
                from.unwrap_or(0.0),
            ),
        }
    }

    /// From the flux integrals (cm^4, or cm^2 GeV for a beam) to events per `eps^2` in a layer
    /// of `material`: `L n_e X0` [DPT Eq. 4.4], `(N eff/E0) n_e X0` [DPT Eq. C.2].
    fn annihilation_scale(&self, material: &Material) -> f64 {
        self.normalisation() * material.electrons_per_cm3() * material.radiation_length_cm
    }

    /// The annihilation yield per `eps^2` of each layer whose annihilations count as signal, in
    /// the order the particles cross them (the target last); they add up to
    /// [`Yields::annihilation`].
    #[must_use]
    pub fn annihilation_by_layer(&self, mediator: &Mediator) -> Vec<LayerYield> {
        let tol = Tolerance::relative(self.resolution.relative_tolerance);
        self.annihilation
            .iter()
            .map(|layer| LayerYield {
                material: layer.material.name.to_string(),
                depth_x0: layer.depth_x0,
                annihilation: self
                    .layer_annihilation(layer, mediator, tol)
                    .scaled(self.annihilation_scale(&layer.material)),
            })
            .collect()
    }

    /// Annihilation and bremsstrahlung yields per `eps^2` [DPT Eq. 4.4-4.7, C.1-C.2].
    #[must_use]
    pub fn yields(&self, mediator: impl Into<Mediator>) -> Yields {
        let mediator = mediator.into();
        Yields {
            annihilation: self.annihilation_yield(&mediator),
            bremsstrahlung: self.bremsstrahlung_yield(&mediator),
        }
    }

    /// [`Self::yields`], with the annihilation yield interpolated in the mass on `panels`
    /// ([`annihilation_mass_panels`]) where it is smooth; `mediator_at(m)` is the mediator of the
    /// same model at another mass `m` (GeV), for the panels' points.
    #[must_use]
    pub fn yields_interpolating(
        &self,
        mediator: Mediator,
        panels: &LogPanels,
        mediator_at: impl Fn(f64) -> Mediator,
    ) -> Yields {
        Yields {
            annihilation: panels.value(mediator.mass_gev(), |m| {
                self.annihilation_yield(&mediator_at(m))
            }),
            bremsstrahlung: self.bremsstrahlung_yield(&mediator),
        }
    }

    /// The annihilation yield per `eps^2`, every layer's summed [DPT Eq. 4.4].
    fn annihilation_yield(&self, mediator: &Mediator) -> Estimate {
        self.annihilation_by_layer(mediator)
            .into_iter()
            .map(|layer| layer.annihilation)
            .sum()
    }

    /// The bremsstrahlung yield per `eps^2` [DPT Eq. 4.5-4.7, C.1].
    fn bremsstrahlung_yield(&self, mediator: &Mediator) -> Estimate {
        let tol = Tolerance::relative(self.resolution.relative_tolerance);
        let material = &self.setup.material;
        let x0 = material.radiation_length_cm;
        match &self.setup.brem {
            BremMethod::Computed => self
                .brem_integral(mediator, tol)
                .scaled(self.normalisation() * material.formula_units_per_cm3() * x0),
            BremMethod::RescaledLimit { curve, n_signal } => {
                match curve.eps_at(mediator.mass_gev()) {
                    Some(eps_bre) => Estimate::exact(n_signal / (eps_bre * eps_bre)),
                    None => Estimate {
                        value: f64::NAN,
                        error: f64::INFINITY,
                        evaluations: 0,
                        converged: false,
                    },
                }
            }
            BremMethod::Omitted => Estimate::exact(0.0),
        }
    }

    /// Annihilation of a mono-energetic beam of energy `E0`, per particle and per unit `N eff/E0`,
    /// in cm^4 [DPT Eq. C.2]: `integral dE' sigma_ann(E' + m_e) f(E'/E0)` over
    /// `E' + m_e > (1 - f) E0`, with the track length of the incident particle's positrons
    /// (`I2` only for an electron beam). Integrated across the Breit–Wigner peak; the end
    /// `E' -> E0` gets the cusp map (the `I1` spike of a positron beam, the `1/ln` fall of `I2`).
    /// A positron beam's cross section is the one `line` spreads ([`LineSpread`]), and on a
    /// thin target its path is the beam positron's own ([`thin_target_positron`]). Only
    /// positron energies above `from_gev` count (the spike of a thick target, whose lower
    /// energies the effective flux has).
    fn beam_annihilation(
        &self,
        layer: &AnnihilationLayer,
        line: Option<&LineSpread>,
        mediator: &Mediator,
        tol: Tolerance,
        from_gev: f64,
    ) -> Estimate {
        let e0 = self.window.e_max_gev;
        let f = self.window.max_visible_fraction;
        let delta = self.window.min_energy_loss_fraction;
        let threshold = mediator.threshold_energy_gev() - ELECTRON_MASS_GEV;
        let lo_cut = (1.0 - f) * e0 - ELECTRON_MASS_GEV;
        let (lo, lo_end) = if threshold > lo_cut.max(from_gev) {
            (threshold, EndPoint::SquareRoot)
        } else {
            (lo_cut.max(from_gev), EndPoint::Regular)
        };
        let hi = (1.0 - delta) * e0;
        if hi <= lo {
            return Estimate::exact(0.0);
        }
        let hi_end = if delta == 0.0 {
            EndPoint::Cusp
        } else {
            EndPoint::Regular
        };
        let e_resonance = mediator.resonance_energy_gev() - ELECTRON_MASS_GEV;
        if self.setup.incident == Incident::Positron {
            let Some(cross_section) = BeamCrossSection::new(mediator, line, (lo, hi)) else {
                return Estimate::exact(0.0);
            };
            let yield_with = |cross_section: &BeamCrossSection| match &layer.track_length {
                Some(table) => beam_positron_annihilation(table, cross_section, e0, (lo, hi), tol),
                None => thin_target_positron(layer.depth_x0, cross_section, e0, (lo, hi), tol),
            };
            let yield_integral = yield_with(&cross_section);
            let table_tolerance = self.resolution.table_tolerance;
            if cross_section.relative_error() <= table_tolerance {
                // The kernel's bound, relative to its largest value, is accepted here as the
                // yield's own relative error; it is reported with it (the quadrature's error
                // alone understated the yield's by up to a hundredfold, PADME's 1e-6 against a
                // change of 1.5e-5 with twice the intervals).
                return Estimate {
                    error: yield_integral.error
                        + cross_section.relative_error() * yield_integral.value.abs(),
                    ..yield_integral
                };
            }
            // The kernel's pointwise bound is too pessimistic next to a sharp edge of it (the
            // bare radiator's spike: electrons at rest with radiation and no beam spread), where
            // the yield converges at first order in the step: the yield is checked against the
            // one with the kernel on cells of twice the step instead. (Not a strict bound: where
            // a line narrower than a cell falls on the spike the error falls as step^beta and
            // the difference understates it, docs/validation.md §17.)
            return match cross_section.coarser() {
                Some(coarser) => {
                    yield_integral.checked_against_coarser(yield_with(&coarser), table_tolerance)
                }
                None => Estimate {
                    converged: false,
                    ..yield_integral
                },
            };
        }
        let table = layer
            .track_length
            .as_ref()
            .expect("tables for every source but a thin positron target");
        integrate_segment(
            |p| {
                // lambda = ln(E0/E') from the exact distance to the upper end.
                let d = p.to_hi + delta * e0;
                let lambda = -(-d / e0).ln_1p();
                mediator.sigma_on_electron_at_rest_cm2(p.x) * table.shape(p.x, lambda)
            },
            lo,
            hi,
            (lo_end, hi_end),
            Some((e_resonance, mediator.resonance_half_width_gev())),
            tol,
        )
    }

    /// Summed elastic flux `sum_N phi_N(E')` of [DPT Eq. 4.7] for the target's nuclei, tabulated
    /// for one mass over the `E'` range of the bremsstrahlung integral (cubic interpolation in
    /// `E'`, 64 intervals: the flux varies only logarithmically there; tested below 1e-9).
    fn photon_flux_table(&self, mass_gev: f64) -> UniformTable {
        let fluxes: Vec<(ElasticFlux, f64)> = self
            .setup
            .material
            .composition
            .iter()
            .map(|c| (ElasticFlux::new(&c.nucleus, mass_gev), c.atoms))
            .collect();
        let e_lo = (1.0 - self.window.max_visible_fraction) * self.window.e_min_gev;
        UniformTable::from_fn(
            e_lo,
            self.window.e_max_gev,
            Self::PHOTON_FLUX_INTERVALS + 1,
            |e| fluxes.iter().map(|(f, atoms)| atoms * f.at(e)).sum(),
        )
    }

    /// Intervals of the per-mass photon-flux table.
    const PHOTON_FLUX_INTERVALS: usize = 64;

    /// Bremsstrahlung integral in cm^4 [DPT Eq. 4.5]: for a collider
    /// `integral dE dsigma_B/dE B(E)` by the product rule over the spectrum, for a beam `E0 B(E0)`,
    /// with `B` of [`ThickTargetSearch::brem_at_energy`].
    ///
    /// Below the mass `(1 - f) E_min`, where every energy of the spectrum can make the mediator
    /// within the missing-energy cut, the integral is smooth in the mass (a power times
    /// logarithms) and is interpolated in `ln m` ([`LogPanels`], to a hundredth of the
    /// tolerance); above, and wherever a panel does not converge, it is computed directly.
    fn brem_integral(&self, mediator: &Mediator, tol: Tolerance) -> Estimate {
        let (kernel, panels) = match mediator {
            Mediator::DarkPhoton(_) => (Kernel::Vector, &self.brem_by_mass[0]),
            Mediator::Scalar(_) => (Kernel::Scalar, &self.brem_by_mass[1]),
        };
        let direct = |m| self.brem_integral_at(m, kernel, tol);
        if self.resolution.interpolate_brem_in_mass {
            panels.value(mediator.mass_gev(), direct)
        } else {
            direct(mediator.mass_gev())
        }
    }

    /// [`Self::brem_integral`] computed directly at mass `m` (GeV).
    fn brem_integral_at(&self, m: f64, kernel: Kernel, tol: Tolerance) -> Estimate {
        let context = BremContext {
            mass_gev: m,
            photon_flux: self.photon_flux_table(m),
            fraction: EnergyFractionIntegral::with_kernel(m, kernel),
        };
        match (&self.collider, &self.setup.source) {
            (None, _) | (_, Source::Beam(_)) => {
                let e0 = self.window.e_max_gev;
                let inner = self.brem_at_energy(e0, &context).scaled(e0);
                Estimate {
                    converged: inner.converged && inner.error <= tol.relative * inner.value.abs(),
                    ..inner
                }
            }
            (Some(_), _)
                if m > (1.0 - self.window.max_visible_fraction) * self.window.e_min_gev =>
            {
                self.brem_near_kinematic_limit(&context, tol)
            }
            (Some(c), Source::Collider { spectrum, .. }) => {
                // Samples of the finest level reached, by node; each level's nodes contain the
                // previous level's at even positions.
                let mut samples: Vec<Estimate> = Vec::new();
                let mut result = Estimate::exact(0.0);
                for level in 0..SPECTRUM_RULE_LEVELS.len() {
                    let rule = c.spectrum_rule(level, spectrum, &self.window);
                    let nodes = rule.nodes();
                    samples = if samples.is_empty() {
                        nodes
                            .iter()
                            .map(|&e| self.brem_at_energy(e, &context))
                            .collect()
                    } else {
                        nodes
                            .iter()
                            .enumerate()
                            .map(|(k, &e)| {
                                if k % 2 == 0 {
                                    samples[k / 2]
                                } else {
                                    self.brem_at_energy(e, &context)
                                }
                            })
                            .collect()
                    };
                    let values: Vec<f64> = samples.iter().map(|s| s.value).collect();
                    let inner_error: f64 = samples.iter().map(Estimate::error_bound).sum();
                    let inner_scale: f64 = samples.iter().map(|s| s.value.abs()).sum();
                    let inner_relative = relative_to(inner_error, inner_scale);
                    let outer = rule.apply(&values);
                    result = Estimate {
                        error: outer.error + inner_relative * outer.value.abs(),
                        evaluations: samples.iter().map(|s| s.evaluations).sum(),
                        converged: outer.converged
                            && outer.error <= tol.relative * outer.value.abs()
                            && inner_relative <= tol.relative,
                        ..outer
                    };
                    if result.converged {
                        break;
                    }
                }
                result
            }
        }
    }

    /// The spectrum integral of [`Self::brem_at_energy`] for a mass within reach of only part of
    /// the spectrum (`m > (1 - f) E_min`): `B(E)` vanishes below `E = m` and has a kink at
    /// `E = m/(1 - f)`, where the kinematic limit takes over from the missing-energy cut, so the
    /// smooth product rule does not apply; adaptive Gauss–Kronrod with break points there (and
    /// at the spectrum's kinks) instead. `B(E)` starts at `E = m` as a power times logarithms of
    /// `E - m`, where the Gauss–Kronrod error estimate is optimistic: at the requested 1e-5 it
    /// claimed 9e-6 for an actual 7e-5 (m = 0.983 E_max, against 1e-9 references; found by a
    /// property test), so this integral is asked for a hundred times the requested accuracy.
    fn brem_near_kinematic_limit(&self, context: &BremContext, tol: Tolerance) -> Estimate {
        let Source::Collider { spectrum, .. } = &self.setup.source else {
            return Estimate::exact(0.0);
        };
        let (e_min, e_max) = (self.window.e_min_gev, self.window.e_max_gev);
        let m = context.mass_gev;
        let lo = e_min.max(m);
        if lo >= e_max {
            return Estimate::exact(0.0);
        }
        let onset = m / (1.0 - self.window.max_visible_fraction);
        let mut breaks: Vec<f64> = std::iter::once(lo)
            .chain(spectrum.kinks_gev().iter().copied())
            .chain([onset, e_max])
            .filter(|&e| e >= lo && e <= e_max)
            .collect();
        breaks.sort_by(f64::total_cmp);
        breaks.dedup();
        // The inner error bounds, weighted as the samples enter the integral: an inner integral
        // that misses its own tolerance counts with its whole value (at `E - m = m_e`, where the
        // lower limit of `y` opens, the inner integral is some 1e-38 of the total and can miss a
        // 1e-8 tolerance without mattering).
        let (mut inner_error, mut inner_scale) = (0.0_f64, 0.0_f64);
        let integrand = |e| {
            let b = self.brem_at_energy(e, context);
            let weight = spectrum.dsigma_de_cm2_per_gev(e);
            inner_error += weight * b.error_bound();
            inner_scale += weight * b.value.abs();
            weight * b.value
        };
        let outer_tol = Tolerance {
            relative: tol.relative / 100.0,
            ..tol
        };
        let outer = if spectrum.kink_kind() == EndPoint::SquareRoot {
            integrate_with_square_roots(integrand, &breaks, outer_tol)
        } else {
            integrate(integrand, &breaks, outer_tol)
        };
        let inner_relative = relative_to(inner_error, inner_scale);
        Estimate {
            error: outer.error + inner_relative * outer.value.abs(),
            converged: outer.converged && inner_relative <= tol.relative,
            ..outer
        }
    }

    /// `B(E) = integral dlambda f(lambda) e^-lambda phi(E') X(lambda, E')` in cm^2 for one
    /// incident energy `E`, with `E' = E e^-lambda` and `X` the energy-fraction integral of
    /// [DPT Eq. 4.6] over `E_A'` in `[(1-f) E, min(E', E - m_e)]` [DPT Eq. 4.5].
    ///
    /// In `(E, lambda)` the region is the rectangle `[E_min, E_max] x [lambda_delta, -ln(1-f)]`, so
    /// the outer `E` integrand is smooth. In `y = 1 - E_A'/E'` the limits are
    /// `y_lo = max(0, 1 - e^lambda (1 - m_e/E))` and `y_hi = f - (1-f)(e^lambda - 1)`, and `X` is a
    /// logarithm regularised at the collinear scale `y0 = m_e^2/m^2`: it has a log onset where
    /// `y_lo` reaches zero (`lambda_k = -ln(1 - m_e/E)`) and where `y_hi` does (`lambda_f`). The
    /// `lambda` integral is therefore split at `lambda_k` and both sides of each log point are
    /// integrated in `s = ln(|lambda - lambda_*| + y0)`; the spike at `lambda = 0` is integrated in
    /// the table variable `w`. Each piece is one Gauss–Kronrod panel (or a few, for the log
    /// pieces) whose error estimate is added to the total.
    fn brem_at_energy(&self, e: f64, context: &BremContext) -> Estimate {
        let f = self.window.max_visible_fraction;
        let y0 = (ELECTRON_MASS_GEV / context.mass_gev).powi(2);
        let table = self
            .brem_track_length
            .as_ref()
            .expect("computed bremsstrahlung has its track length");
        let lambda_delta = self.window.lambda_min_loss();
        let lambda_f = -(-f).ln_1p();
        let lambda_k = -(-ELECTRON_MASS_GEV / e).ln_1p();
        // The kinematic limit E_A' = x E' >= m, i.e. y = 1 - x <= 1 - m/E' with
        // E' = e/(1 + growth): below the missing-energy cut y <= f - (1 - f) growth unless
        // m/e > 1 - f; then it ends the integral at E' = m, lambda = ln(e/m) [DPT Eq. 4.6].
        let kinematic = context.mass_gev / e;
        let limited = kinematic > 1.0 - f;
        let lambda_top = if limited { -kinematic.ln() } else { lambda_f };
        if lambda_top <= lambda_delta {
            return Estimate::exact(0.0);
        }
        // The energy-fraction integral's own error, as the largest relative error met: the
        // integrand is positive, so it moves the result by at most that fraction of it.
        let inner_relative_error = std::cell::Cell::new(0.0_f64);
        let with_inner_error = |total: Estimate| Estimate {
            error: total.error + inner_relative_error.get() * total.value.abs(),
            ..total
        };
        let integrand = |lambda: f64| {
            let growth = lambda.exp_m1();
            let y_lo = if lambda < lambda_k {
                -(growth - ELECTRON_MASS_GEV / e * (1.0 + growth))
            } else {
                0.0
            };
            let y_hi = if limited {
                1.0 - kinematic * (1.0 + growth)
            } else {
                f - (1.0 - f) * growth
            };
            let e_prime = e / (1.0 + growth);
            let fraction = context.fraction.between(y_lo.max(0.0), y_hi);
            inner_relative_error.set(inner_relative_error.get().max(fraction.relative_error()));
            context.photon_flux.eval(e_prime) * gev2_to_cm2(fraction.value) / (1.0 + growth)
        };
        if limited {
            // Near the kinematic limit the pieces below misjudge their error: adaptive instead.
            return with_inner_error(table.integrate_over_lambda(
                integrand,
                lambda_delta,
                lambda_top,
                &[lambda_k],
                Tolerance::relative(1e-8),
            ));
        }
        // Pieces: [delta, k/2] in w; [k/2, k] log onset at k; [k, mid] in w; [mid, f] log at f.
        let mut total = Estimate::exact(0.0);
        let k = lambda_k.max(lambda_delta);
        if lambda_delta < 0.5 * lambda_k {
            total = total + table.integrate_panel_w(&integrand, lambda_delta, 0.5 * lambda_k);
        }
        if lambda_delta < lambda_k {
            let lo = (0.5 * lambda_k).max(lambda_delta);
            total = total + table.integrate_panel_log_end(&integrand, lo, lambda_k, y0, true);
        }
        let mid = 0.5 * (k + lambda_f);
        total = total + table.integrate_panel_w(&integrand, k, mid);
        total = total + table.integrate_panel_log_end(&integrand, mid, lambda_f, y0, true);
        let total = with_inner_error(total);
        if total.error <= self.resolution.relative_tolerance * total.value.abs() {
            return total;
        }
        // The fixed panels missed the tolerance (a beam at masses above about 400 MeV, 1.1e-5):
        // adaptive over the same pieces, asked for a hundred times better because the error
        // estimate is optimistic next to the logarithmic onsets (as near the kinematic limit).
        with_inner_error(table.integrate_over_lambda(
            integrand,
            lambda_delta,
            lambda_f,
            &[0.5 * lambda_k, lambda_k, mid],
            Tolerance::relative(0.01 * self.resolution.relative_tolerance),
        ))
    }
}

/// Largest factor by which a track-length table of a thin depth (a layer's, or the
/// bremsstrahlung table's) gets more intervals than `numerics.track_length_intervals`
/// ([`refined_for_thin_targets`]): four doublings.
const THIN_LAYER_MAX_REFINEMENT: usize = 16;

/// A track-length table built by `build` with `numerics.track_length_intervals`, doubled until
/// its `error` meets half the table tolerance, up to [`THIN_LAYER_MAX_REFINEMENT`] times the
/// intervals. A thin
/// layer's (or thin target's) track length turns from the spike to its radiated part within a
/// few intervals of the table's variable (at `ln(1/lambda) ~ 1/(b1 T)`): at 0.01 `X0` the
/// default 128 intervals leave 0.12 of error and 2048 leave 1.1e-4 (the bremsstrahlung table);
/// at 0.1 `X0` one doubling suffices, and at 1 `X0` the first table has 4e-7.
fn refined_for_thin_targets<T>(
    resolution: Resolution,
    error: impl Fn(&T) -> f64,
    build: impl Fn(usize) -> T,
) -> T {
    let mut intervals = resolution.track_length_intervals;
    let mut table = build(intervals);
    while error(&table) > 0.5 * resolution.table_tolerance
        && intervals < THIN_LAYER_MAX_REFINEMENT * resolution.track_length_intervals
    {
        intervals *= 2;
        table = build(intervals);
    }
    table
}

/// The annihilation tables of the layer of `material` between the depths `start` and `end`
/// (X0): the positron track length gathered there, `f(v, end) - f(v, start)`, with the
/// positron's radiation, its flux and the effective flux with the electrons' momenta that
/// `electrons` builds (`None`: at rest; called beside the track length, which does not need it).
fn annihilation_layer(
    setup: &ThickTargetSetup,
    window: &MissingEnergyWindow,
    resolution: Resolution,
    (material, start, end): (&Material, f64, f64),
    electrons: &(dyn Fn() -> Option<std::sync::Arc<ElectronMomenta>> + Sync),
) -> AnnihilationLayer {
    let table = |thickness_x0, intervals| {
        TrackLengthTable::new(
            ShowerSettings {
                thickness_x0,
                generations: setup.incident.positron_generations(),
                second_generation: setup.second_generation,
            },
            window.lambda_max(Process::Annihilation),
            intervals,
        )
    };
    let layer_track_length = |intervals| {
        let shower = if start > 0.0 {
            let (deep, shallow) = rayon::join(|| table(end, intervals), || table(start, intervals));
            deep.minus(&shallow)
        } else {
            table(end, intervals)
        };
        positron_track_length(shower, setup.initial_state_radiation, window)
    };
    let positron_beam = match &setup.source {
        Source::Beam(beam) if beam.particle == Incident::Positron => Some(beam),
        _ => None,
    };
    let thick = positron_beam.is_none() || end >= THIN_TARGET_X0;
    // The electrons' momenta are built beside the track length (neither needs the other).
    let (track_length, electrons) = rayon::join(
        || {
            thick.then(|| {
                refined_for_thin_targets(
                    resolution,
                    AnnihilationTrackLength::interpolation_error,
                    layer_track_length,
                )
            })
        },
        electrons,
    );
    let electrons = electrons.as_deref();
    let flux = match (&setup.source, &track_length) {
        (Source::Collider { spectrum, .. }, Some(track_length)) => Some(AnnihilationFlux::new(
            *window,
            |e| spectrum.dsigma_de_cm2_per_gev(e),
            track_length,
            (resolution.flux_intervals, resolution.table_tolerance / 10.0),
            (spectrum.kinks_gev(), spectrum.kink_kind()),
        )),
        _ => None,
    };
    let step = EffectiveFlux::log_step(resolution.flux_intervals);
    if let (Some(beam), None) = (positron_beam, &track_length) {
        return thin_positron_layer(setup, beam, (material, start, end), electrons, step);
    }
    let track_length = track_length.expect("tables for every target but a thin one");
    let broadening = Broadening {
        electrons,
        invisible_radiation: match setup.initial_state_radiation {
            InitialStateRadiation::Legs => Some(0.5),
            InitialStateRadiation::AllInvisible => Some(1.0),
            InitialStateRadiation::Off | InitialStateRadiation::AllVisible => None,
        },
    };
    let spreads = electrons.is_some() || broadening.invisible_radiation.is_some();
    if let (Some(_), true) = (positron_beam, spreads) {
        return thick_positron_layer(
            (material, start, end),
            window,
            track_length,
            broadening,
            (step, resolution.table_tolerance),
        );
    }
    let effective = spreads.then(|| match &flux {
        Some(flux) => EffectiveFlux::new(
            |a, b| flux.integral_between(a, b),
            flux.support_gev(),
            broadening,
            step,
            resolution.table_tolerance,
        ),
        None => EffectiveFlux::new(
            |a, b| beam_flux_between(window, &track_length, a, b),
            beam_flux_support(window),
            broadening,
            step,
            resolution.table_tolerance,
        ),
    });
    AnnihilationLayer {
        material: material.clone(),
        depth_x0: (start, end),
        track_length: Some(track_length),
        flux,
        effective,
        line: None,
        line_at_rest: None,
        spike_from_gev: None,
    }
}

/// The annihilation tables of a positron beam's thick layer with its electrons moving or the
/// pair radiating: the effective flux below `E0 e^-`[`SPIKE_LAMBDA`] and, above, the resonance
/// spread as `broadening` says for the spike's direct integral ([`LineSpread`], no beam spread
/// on a thick target).
fn thick_positron_layer(
    (material, start, end): (&Material, f64, f64),
    window: &MissingEnergyWindow,
    track_length: AnnihilationTrackLength,
    broadening: Broadening<'_>,
    (step, table_tolerance): (f64, f64),
) -> AnnihilationLayer {
    let (lo, hi) = beam_flux_support(window);
    let from = (window.e_max_gev * (-SPIKE_LAMBDA).exp()).clamp(lo, hi);
    let effective = (from > lo).then(|| {
        EffectiveFlux::new(
            |a, b| beam_flux_between(window, &track_length, a, b.min(from)),
            (lo, from),
            broadening,
            step,
            table_tolerance,
        )
    });
    let line = LineSpread::new(
        broadening.electrons,
        0.0,
        broadening.invisible_radiation,
        step,
    );
    AnnihilationLayer {
        material: material.clone(),
        depth_x0: (start, end),
        track_length: Some(track_length),
        flux: None,
        effective,
        line: line.spreads().then_some(line),
        line_at_rest: None,
        spike_from_gev: Some(from),
    }
}

/// With radiation, a threshold `s = 4 m_chi^2` less than this below the kernel's cut (in `z`)
/// is where the kernel starts: that costs fewer cells than building it again when the bound on
/// its tail asks for more ([`BeamCrossSection::new`]; `m_chi = m/3` puts the threshold 0.81
/// below the resonance, NA64's kernels 10-20 units long).
const THRESHOLD_REACH_Z: f64 = 1.0;

/// Relative accuracy of the direct integral over the kernel beyond its table (the table's own
/// far cells are good to 1e-5, [`LineKernel::tabulated_cross_section`]).
const BEYOND_TABLE_TOLERANCE: f64 = 1e-8;

/// The cross section a beam positron sees at its lab energy: the mediator's own, or spread by
/// the electrons' motion, the beam spread and unseen radiation ([`LineKernel`]).
enum BeamCrossSection<'a> {
    /// `sigma(2 m_e (E' + m_e))` [DPT Eq. 4.2].
    Bare(&'a Mediator),
    /// `sigma_line(E' + m_e)`, tabulated against `z_r = ln(m^2/(2 m_e E_A'))` over the
    /// energies asked for ([`LineKernel::tabulated_cross_section`]); beyond the table the
    /// kernel's direct integral ([`LineKernel::cross_section_cm2`]).
    Spread {
        mediator: &'a Mediator,
        kernel: LineKernel,
        sigma_cm2: UniformTable,
        /// The range of `z_r` the table was asked for.
        z_range: (f64, f64),
        relative_error: f64,
    },
}

impl<'a> BeamCrossSection<'a> {
    /// The cross section for positron energies from `e_min_gev` to `e_max_gev`; `None` when
    /// nothing spreads the resonance and its kernel cannot be built.
    fn new(
        mediator: &'a Mediator,
        line: Option<&LineSpread>,
        (e_min_gev, e_max_gev): (f64, f64),
    ) -> Option<Self> {
        let Some(line) = line else {
            return Some(Self::Bare(mediator));
        };
        let m2 = mediator.mass_gev().powi(2);
        let z_of = |e_gev: f64| (m2 / (2.0 * ELECTRON_MASS_GEV * (e_gev + ELECTRON_MASS_GEV))).ln();
        // The lowest z the resonance needs, below it the Breit–Wigner's tail.
        let z_top = z_of(e_max_gev);
        let half_width = mediator.width_gev() / mediator.mass_gev();
        // Below z_lo the kernel cannot make the resonance, only see its tail; it is kept down
        // to where all but KERNEL_TAIL_SHARE of the motion and spread lies above, which
        // matters when the kernel cannot make the resonance at all (a beam below it: the tail
        // is all there is).
        // Nothing below the threshold s = 4 m_chi^2 at the table's lowest z_r adds anything.
        let z_threshold =
            line.lowest_table_z(z_top) + (4.0 * mediator.dm_mass_gev().powi(2) / m2).ln();
        let mut z_lo = (z_top - (20.0 * half_width).max(0.05))
            .min(line.z_holding_all_but(KERNEL_TAIL_SHARE))
            .max(z_threshold);
        if line.radiates() && z_lo - z_threshold < THRESHOLD_REACH_Z {
            z_lo = z_threshold;
        }
        let z_range = (z_top, z_of(e_min_gev));
        let spread = Self::spread(mediator, line.kernel(mediator.mass_gev(), z_lo)?, z_range);
        // Radiation reaches every lower s, where the Breit–Wigner's tail may still matter (a
        // resonance above the beam's reach sees nothing else): the kernel is taken lower when
        // its part below the cut could add more than KERNEL_TAIL_SHARE to the cross section.
        match spread.deeper_cut(line, z_lo, z_threshold) {
            Some(z_cut) => Some(Self::spread(
                mediator,
                line.kernel(mediator.mass_gev(), z_cut)?,
                z_range,
            )),
            None => Some(spread),
        }
    }

    /// A lower cut for the kernel of this cross section, cut at `z_lo`, when the part below
    /// could add more than [`KERNEL_TAIL_SHARE`] of it at a node of its table
    /// ([`KernelTail`]); `None` when the cut holds (or nothing is radiated). Below
    /// `z_threshold`, the threshold `s = 4 m_chi^2` of the table's lowest `z_r`, the kernel
    /// adds nothing.
    fn deeper_cut(&self, line: &LineSpread, z_lo: f64, z_threshold: f64) -> Option<f64> {
        let Self::Spread {
            mediator,
            sigma_cm2,
            ..
        } = self
        else {
            return None;
        };
        let tail = line.tail_below(mediator.mass_gev(), z_lo, z_threshold)?;
        let nodes = UniformTable::nodes(sigma_cm2.x_lo(), sigma_cm2.x_hi(), sigma_cm2.len());
        // The lowest band edge any node needs.
        let mut needed = 0;
        for (&z_r, &sigma) in nodes.iter().zip(sigma_cm2.values()) {
            let added = tail.added_below_each_edge(mediator, z_r);
            needed = needed.max(
                added
                    .iter()
                    .position(|&d| d <= KERNEL_TAIL_SHARE * sigma)
                    .unwrap_or(added.len() - 1),
            );
        }
        (needed > 0).then(|| tail.edges()[needed].max(z_threshold))
    }

    /// The cross section spread by `kernel`, tabulated over `z_range`.
    fn spread(mediator: &'a Mediator, kernel: LineKernel, z_range: (f64, f64)) -> Self {
        Self::Spread {
            mediator,
            sigma_cm2: kernel.tabulated_cross_section(mediator, z_range),
            z_range,
            relative_error: kernel.relative_error(),
            kernel,
        }
    }

    /// The same cross section with the kernel from cells of twice the step
    /// ([`LineKernel::coarser`]; `None` when bare, or already the coarser).
    fn coarser(&self) -> Option<Self> {
        match self {
            Self::Bare(_) => None,
            Self::Spread {
                mediator,
                kernel,
                z_range,
                ..
            } => Some(Self::spread(mediator, kernel.coarser()?.clone(), *z_range)),
        }
    }

    /// `sigma` in cm^2 at the positron energy `e_gev`.
    fn sigma_cm2(&self, e_gev: f64) -> f64 {
        match self {
            Self::Bare(mediator) => mediator.sigma_on_electron_at_rest_cm2(e_gev),
            Self::Spread {
                mediator,
                kernel,
                sigma_cm2,
                ..
            } => {
                let m = mediator.mass_gev();
                let z = (m * m / (2.0 * ELECTRON_MASS_GEV * (e_gev + ELECTRON_MASS_GEV))).ln();
                if z < sigma_cm2.x_lo() || z > sigma_cm2.x_hi() {
                    kernel.cross_section_cm2(
                        mediator,
                        e_gev + ELECTRON_MASS_GEV,
                        Tolerance::relative(BEYOND_TABLE_TOLERANCE),
                    )
                } else {
                    sigma_cm2.eval(z).max(0.0)
                }
            }
        }
    }

    /// Positron energies (GeV) where the integrand changes fast: the bare resonance's peak and
    /// 1, 10 and 100 half-widths on each side; the spread one's where the kernel changes fast
    /// ([`KERNEL_BREAKS_Z`]).
    fn break_energies_gev(&self) -> Vec<f64> {
        match self {
            Self::Bare(mediator) => {
                let e_resonance = mediator.resonance_energy_gev() - ELECTRON_MASS_GEV;
                let half_width = mediator.resonance_half_width_gev();
                std::iter::once(e_resonance)
                    .chain(
                        [1.0, 10.0, 100.0].into_iter().flat_map(|k| {
                            [e_resonance - k * half_width, e_resonance + k * half_width]
                        }),
                    )
                    .collect()
            }
            Self::Spread { mediator, .. } => {
                LineKernel::resonance_energies_gev(mediator.mass_gev(), &KERNEL_BREAKS_Z)
                    .into_iter()
                    .map(|e_a| e_a - ELECTRON_MASS_GEV)
                    .collect()
            }
        }
    }

    /// Bound on the spread kernel's error relative to its largest value (0 when bare).
    fn relative_error(&self) -> f64 {
        match self {
            Self::Bare(_) => 0.0,
            Self::Spread { relative_error, .. } => *relative_error,
        }
    }
}

/// `lambda = ln(e0/E')` of the break energies inside `(lo, hi)`, sorted.
fn lambda_breaks(cross_section: &BeamCrossSection, e0: f64, (lo, hi): (f64, f64)) -> Vec<f64> {
    let mut breaks: Vec<f64> = cross_section
        .break_energies_gev()
        .into_iter()
        .filter(|&e| e > lo && e < hi)
        .map(|e| (e0 / e).ln())
        .collect();
    breaks.sort_by(f64::total_cmp);
    breaks
}

/// The annihilation "tables" of a thin layer of `material` from `start` to `end` (X0) hit by
/// the positron `beam`: no track length (the beam positron's path is integrated in closed form,
/// [`thin_target_positron`]), and what spreads the resonance it sees, on cells of `step` in
/// `ln s`. Without tables the positron's photon is taken as unseen with the electron's (the
/// window's cut on the visible energy is far below the resonance the beam positron reaches at
/// full energy; the cut on the mediator's energy in the closed form still applies, so beam
/// energies above `E_res/(1 - f)` lose their energy-loss tail, docs/physics.md §7.2).
fn thin_positron_layer(
    setup: &ThickTargetSetup,
    beam: &crate::sources::Beam,
    (material, start, end): (&Material, f64, f64),
    electrons: Option<&ElectronMomenta>,
    step: f64,
) -> AnnihilationLayer {
    let share = match setup.initial_state_radiation {
        InitialStateRadiation::Off | InitialStateRadiation::AllVisible => None,
        InitialStateRadiation::Legs | InitialStateRadiation::AllInvisible => Some(1.0),
    };
    let spread = |electrons, share| {
        let line = LineSpread::new(electrons, beam.energy_spread, share, step);
        line.spreads().then_some(line)
    };
    AnnihilationLayer {
        material: material.clone(),
        depth_x0: (start, end),
        track_length: None,
        flux: None,
        effective: None,
        line: spread(electrons, share),
        line_at_rest: spread(None, None),
        spike_from_gev: None,
    }
}

/// The annihilation yield integral of a positron beam of energy `e0` over the positron
/// energies `(lo, hi)`: `integral dE' sigma(E') f(E'/e0)` as an integral over
/// `lambda = ln(e0/E')` in the track-length table's variable, `dE' = E' dlambda`
/// ([`AnnihilationTrackLength::integrate_over_lambda_at`]), so that the incident positron's
/// spike `f ~ 1/(lambda ln^2 lambda)` at `E' -> e0` [DPT Eq. A.2] is integrated exactly (in
/// `E'` it overflows as `lambda` reaches the smallest doubles). The cross section's fast
/// changes get break points ([`BeamCrossSection::break_energies_gev`]).
fn beam_positron_annihilation(
    table: &AnnihilationTrackLength,
    cross_section: &BeamCrossSection,
    e0: f64,
    (lo, hi): (f64, f64),
    tol: Tolerance,
) -> Estimate {
    let lambda_of = |e: f64| (e0 / e).ln();
    table.integrate_over_lambda_at(
        |lambda| e0 * (-lambda).exp(),
        |lambda| {
            let e = e0 * (-lambda).exp();
            cross_section.sigma_cm2(e) * e
        },
        lambda_of(hi),
        lambda_of(lo),
        &lambda_breaks(cross_section, e0, (lo, hi)),
        tol,
    )
}

/// Below this `lambda = ln(e0/E')` the beam positron's energy loss is left out of the thin
/// target's integral (its share there is below `1e-14` of the cross section's change over the
/// line's width).
const THIN_LAMBDA_MIN: f64 = 1e-14;

/// The annihilation yield integral of a positron beam of energy `e0` on a thin layer from depth
/// `t0` to `t1` (X0): the first generation [DPT Eq. A.2] integrated over the depth,
///
/// `integral_t0^t1 dt integral_0^Lambda dlambda lambda^(b1 t - 1)/Gamma(b1 t) phi(lambda)`,
///
/// with `phi(lambda) = E' sigma(E')`, `E' = e0 e^-lambda`, and `Lambda = ln(e0/lo)`. The spike
/// at `lambda = 0` is taken out exactly: the inner integral is
/// `phi(0) Lambda^a/Gamma(a + 1) + integral dln(lambda) lambda^a (phi(lambda) - phi(0))/Gamma(a)`
/// (`a = b1 t`), so that
///
/// `Y = phi(0) P + integral dln(lambda) (phi(lambda) - phi(0)) G(lambda)`,
/// `P = integral dt Lambda^(b1 t)/Gamma(b1 t + 1)`, `G(lambda) = integral dt lambda^(b1 t)/Gamma(b1 t)`.
///
/// For `t1 -> 0` it is `t1 phi(0)`: the primary's path times the cross section at the beam
/// energy (docs/physics.md §7.2). The second generation (conversions of the primary's photons,
/// of relative size `t1`) is left out.
fn thin_target_positron(
    (t0, t1): (f64, f64),
    cross_section: &BeamCrossSection,
    e0: f64,
    (lo, hi): (f64, f64),
    tol: Tolerance,
) -> Estimate {
    let depth_tol = Tolerance::relative(1e-12);
    let inverse_gamma = |a: f64| a * (-ln_gamma(1.0 + a)).exp();
    let depth_integral = |g: &dyn Fn(f64) -> f64| integrate(g, &[t0, t1], depth_tol).value;
    let big_lambda = (e0 / lo).ln();
    let phi = |lambda: f64| {
        let e = e0 * (-lambda).exp();
        if e > hi {
            0.0
        } else {
            cross_section.sigma_cm2(e) * e
        }
    };
    let phi0 = phi(0.0);
    let spike = phi0
        * depth_integral(&|t| {
            let a = B1 * t;
            big_lambda.powf(a) * (-ln_gamma(a + 1.0)).exp()
        });
    let mut breaks: Vec<f64> = std::iter::once(THIN_LAMBDA_MIN)
        .chain(lambda_breaks(cross_section, e0, (lo, hi)))
        .filter(|&l| l >= THIN_LAMBDA_MIN && l < big_lambda)
        .chain(std::iter::once(big_lambda))
        .map(f64::ln)
        .collect();
    breaks.sort_by(f64::total_cmp);
    let loss = integrate(
        |log_lambda| {
            let lambda = log_lambda.exp();
            let g = depth_integral(&|t| lambda.powf(B1 * t) * inverse_gamma(B1 * t));
            (phi(lambda) - phi0) * g
        },
        &breaks,
        Tolerance {
            absolute: tol.relative * spike.abs(),
            ..tol
        },
    );
    Estimate {
        value: spike + loss.value,
        ..loss
    }
}

/// The annihilation track length: the shower's, with the positron's leg of the radiation when
/// `radiation` has it in the track length (the share of the Kuraev–Fadin `beta`: one leg, or
/// all of it seen).
fn positron_track_length(
    shower: TrackLengthTable,
    radiation: InitialStateRadiation,
    window: &MissingEnergyWindow,
) -> AnnihilationTrackLength {
    let share = match radiation {
        InitialStateRadiation::Legs => 0.5,
        InitialStateRadiation::AllVisible => 1.0,
        InitialStateRadiation::Off | InitialStateRadiation::AllInvisible => {
            return AnnihilationTrackLength::Shower(shower);
        }
    };
    AnnihilationTrackLength::radiating(&shower, share, annihilation_energies(window))
}

/// The positron energies at which annihilation can count: from `(1 - f) E_min - m_e` to
/// `E_max` (for a beam `E_min = E_max = E0`).
fn annihilation_energies(window: &MissingEnergyWindow) -> (f64, f64) {
    (
        (1.0 - window.max_visible_fraction) * window.e_min_gev - ELECTRON_MASS_GEV,
        window.e_max_gev,
    )
}

/// The energies `(lo, hi)` of a beam's annihilation flux, `(1 - f) E0 - m_e` to `(1 - delta) E0`
/// (the range of [`ThickTargetSearch::beam_annihilation`]).
fn beam_flux_support(window: &MissingEnergyWindow) -> (f64, f64) {
    let e0 = window.e_max_gev;
    (
        (1.0 - window.max_visible_fraction) * e0 - ELECTRON_MASS_GEV,
        (1.0 - window.min_energy_loss_fraction) * e0,
    )
}

/// `integral_a^b f(E'/E0) dE'` for a beam of energy `E0`: the at-rest annihilation flux of
/// [`ThickTargetSearch::beam_annihilation`] without the cross section, in GeV per unit
/// `N eff/E0`. Integrated over `lambda = ln(E0/E')` in the track-length table's variable, so
/// the cell that ends at `E0` (no energy-loss cut) is exact at an electron beam's `1/ln` cusp
/// and at a positron beam's own spike there.
fn beam_flux_between(
    window: &MissingEnergyWindow,
    track_length: &AnnihilationTrackLength,
    a: f64,
    b: f64,
) -> Estimate {
    let e0 = window.e_max_gev;
    let (lo, hi) = beam_flux_support(window);
    let (a, b) = (a.max(lo), b.min(hi));
    if b <= a {
        return Estimate::exact(0.0);
    }
    // integral dE' f(E'/E0) = integral dlambda E' f(lambda), E' = E0 e^-lambda, in the table's
    // variable: exact at an incident positron's spike at E' = E0.
    let energy = |lambda: f64| e0 * (-lambda).exp();
    track_length.integrate_over_lambda_at(
        energy,
        energy,
        (e0 / b).ln(),
        (e0 / a).ln(),
        &[],
        Tolerance::relative(1e-9),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::DarkPhoton;
    use crate::processes::initial_state_radiation::Radiator;

    /// `sigma_line(E') = integral_0^1 dx W(x) sigma(s (1 - x))`, the cross section a positron of
    /// energy `e_gev` sees on an electron at rest when the pair radiates (`beta` at `s = m^2`,
    /// as the kernel takes it), integrated directly: the spike `beta x^(beta - 1)` in
    /// `t = x^beta` (where it is flat), the rest in `x`, with break points at the resonance
    /// and the threshold.
    fn radiated_cross_section_cm2(mediator: &Mediator, e_gev: f64) -> f64 {
        let m2 = mediator.mass_gev().powi(2);
        let s = 2.0 * ELECTRON_MASS_GEV * (e_gev + ELECTRON_MASS_GEV);
        let sigma = |x: f64| {
            let s_x = s * (1.0 - x);
            gev2_to_cm2(mediator.sigma_annihilation_gev2(s_x, s_x - m2))
        };
        let x_threshold = 1.0 - 4.0 * mediator.dm_mass_gev().powi(2) / s;
        let x_resonance = 1.0 - m2 / s;
        let width = mediator.width_gev() * mediator.mass_gev() / s;
        let mut breaks_x = vec![0.0, 1.0, x_threshold];
        for k in [0.0, -1.0, 1.0, -10.0, 10.0] {
            breaks_x.push(x_resonance + k * width);
        }
        breaks_x.retain(|&x| (0.0..=1.0).contains(&x));
        breaks_x.sort_by(f64::total_cmp);
        breaks_x.dedup();
        Radiator::at_s(m2).integral_against(sigma, &breaks_x, Tolerance::relative(1e-11))
    }

    /// A positron beam on electrons at rest with radiation (no beam spread): the cross section
    /// the beam positron sees, against the direct integral over the radiator, for a resonance
    /// beyond the beam's reach (NA64's 100 GeV at 440 MeV: only the tail, which radiation
    /// spreads down to the threshold; the kernel cut as for a reachable resonance lost 0.4 of
    /// it: 15-21% here) and for one within it (100 MeV, the resonance reached by the
    /// radiative tail). With `m_chi = m/3` the kernel starts at the threshold, 0.81 below the
    /// resonance; with `m_chi = m/20` the threshold is 4.6 below, and the bound on the kernel's
    /// tail ([`BeamCrossSection::deeper_cut`]) decides where it starts. The kernel's spike cell
    /// is first order in the step: 2.3e-4 next to the threshold (86 GeV), 4e-6 at 100 MeV.
    #[test]
    fn a_radiated_beam_positron_sees_the_whole_radiator() {
        let step = EffectiveFlux::log_step(128);
        let line = LineSpread::new(None, 0.0, Some(1.0), step);
        for (mass_gev, mchi_over_mmed, energies) in [
            (0.44, 1.0 / 3.0, [86.0, 93.0, 99.9]),
            (0.1, 1.0 / 3.0, [60.0, 80.0, 99.9]),
            (0.44, 0.05, [20.0, 60.0, 99.9]),
        ] {
            let mediator = Mediator::DarkPhoton(DarkPhoton {
                mass_gev,
                alpha_d: 0.1,
                mchi_over_mmed,
            });
            let cross_section =
                BeamCrossSection::new(&mediator, Some(&line), (energies[0], energies[2]))
                    .expect("a kernel");
            for e in energies {
                let direct = radiated_cross_section_cm2(&mediator, e);
                let ours = cross_section.sigma_cm2(e);
                assert!(
                    (ours / direct - 1.0).abs() < 5e-4,
                    "m = {mass_gev} GeV, E' = {e} GeV: {ours} against {direct}"
                );
            }
        }
    }
}
