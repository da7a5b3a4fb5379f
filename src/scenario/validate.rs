//! Validation of a deserialised scenario into typed, checked settings.

use super::checks::{
    BEAM_ENERGY_RANGE_GEV, BEAM_ENERGY_WHY, MASS_RANGE_MEV, MASS_WHY, fraction, invalid, positive,
    required, required_for, unused, within,
};
use super::raw::{BremMethodName, OverlayStyle};
use super::raw::{LimitMethod, RawScan, RawScenario, SourceKind};
use crate::backgrounds::NeutronInputs;
use crate::error::ScenarioError;
use crate::limits::LimitCriterion;
use crate::materials::Material;
use crate::models::MediatorKind;
use crate::published::PublishedLimit;
use crate::showers::track_length::{Incident, SecondGeneration, SecondGenerationModel};
use crate::signal::thick_target::BremMethod;
use crate::signal::thick_target::Resolution;
use crate::sources::lhe::LheSelection;
use crate::sources::radiative_bhabha::{Generated, Settings};
use crate::sources::{AsymmetricCollider, Beam, TabulatedSpectrum};
use crate::units::format_number;
use std::path::PathBuf;

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Title for plots and summaries.
    pub title: String,
    /// Positron source.
    pub source: SourceConfig,
    /// Target and selection.
    pub target: TargetConfig,
    /// Model.
    pub model: ModelConfig,
    /// Backgrounds.
    pub background: BackgroundConfig,
    /// Limit criterion.
    pub limit: LimitCriterion,
    /// Scan, when given.
    pub scan: Option<Scan>,
    /// Numerical resolution.
    pub numerics: Resolution,
    /// Output paths.
    pub output: OutputConfig,
    /// How bremsstrahlung is obtained.
    pub bremsstrahlung: BremMethod,
    /// Published limits to draw.
    pub overlays: Vec<Overlay>,
}

/// What a thick-target scenario file asks for, checked without reading any file: the settings
/// of [`Scenario`], with the inputs that live in files (spectrum tables, event files, the
/// generator's run, published curves) still as requests. [`super::resolve`] reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// Title for plots and summaries.
    pub title: String,
    /// Positron source, its spectrum as a request.
    pub source: SourceRequest,
    /// Target and selection.
    pub target: TargetConfig,
    /// Model.
    pub model: ModelConfig,
    /// Backgrounds.
    pub background: BackgroundConfig,
    /// Limit criterion.
    pub limit: LimitCriterion,
    /// Scan, when given.
    pub scan: Option<Scan>,
    /// Numerical resolution.
    pub numerics: Resolution,
    /// Output paths.
    pub output: OutputConfig,
    /// How bremsstrahlung is obtained, its published curve as a request.
    pub bremsstrahlung: BremRequest,
    /// Published limits to draw, as requests.
    pub overlays: Vec<OverlayRequest>,
}

/// A published curve to read: a curve of the limit library, or a file relative to the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CurveRef {
    /// A library name such as `darkcast/NA64_NA642019imj`.
    Library(String),
    /// A `.csv` (`mass_gev,epsilon`) or DarkCast `.lmt` file, as written in the scenario.
    File(String),
}

/// `[source]`, checked; a collider's spectrum not read yet.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceRequest {
    /// Particles selected from the collisions of a collider.
    Collider {
        /// Their spectrum.
        spectrum: SpectrumRequest,
        /// Integrated luminosity, ab^-1.
        luminosity_ab: f64,
        /// The selected final-state particle.
        particle: Incident,
    },
    /// A mono-energetic electron beam.
    Beam(Beam),
}

/// What the real beams add to the analytic Bhabha spectrum: their full crossing angle and the
/// relative rms spread of each beam's energy (all zero: the head-on beams of [DPT]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RealBeams {
    /// Full crossing angle, radians.
    pub crossing_angle_rad: f64,
    /// Relative rms spread of the electron beam's energy.
    pub electron_energy_spread: f64,
    /// Relative rms spread of the positron beam's energy.
    pub positron_energy_spread: f64,
}

impl RealBeams {
    /// Whether the beams differ from the paper's.
    #[must_use]
    pub fn any(&self) -> bool {
        *self != Self::default()
    }
}

/// The spectrum of a collider source, checked but not read.
#[derive(Debug, Clone, PartialEq)]
pub enum SpectrumRequest {
    /// Analytic Bhabha scattering in a lab polar-angle window [DPT Eq. 2.1-2.2].
    Bhabha {
        /// Beams.
        collider: AsymmetricCollider,
        /// Lab polar-angle window, degrees.
        theta_min_deg: f64,
        /// Lab polar-angle window, degrees.
        theta_max_deg: f64,
        /// Crossing angle and energy spreads (all zero: head-on, mono-energetic, \[DPT\]).
        real_beams: RealBeams,
    },
    /// A CSV table `energy_gev,dsigma_de_pb_per_gev` (path as written in the scenario).
    Table(String),
    /// The histogram of a Les Houches event file (path as written in the scenario).
    Lhe {
        /// The file.
        file: String,
        /// What to select from it.
        selection: LheSelection,
    },
    /// The built-in radiative Bhabha generator [DPT App. F].
    Generator(Settings),
}

/// `[bremsstrahlung]`, checked; a published curve not read yet.
#[derive(Debug, Clone, PartialEq)]
pub enum BremRequest {
    /// Computed [DPT Eq. 4.5-4.7].
    Computed,
    /// Rescaled from a published bremsstrahlung-only limit [DPT Eq. C.1].
    RescaledLimit {
        /// The curve, and the key that named it (`bremsstrahlung.limit_curve` or `limit_file`).
        curve: CurveRef,
        /// Signal events of the published limit.
        n_signal: f64,
    },
    /// Annihilation only.
    Omitted,
}

/// `[[overlay]]`, checked; its curve not read yet.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayRequest {
    /// Position among the overlays (0-based; messages name it 1-based, `overlay[<n+1>].curve`).
    pub index: usize,
    /// The curve.
    pub curve: CurveRef,
    /// Legend label, when given.
    pub label: Option<String>,
    /// Shaded excluded region or a line; `None`: as the curve says (an expected limit a line,
    /// else a region).
    pub style: Option<OverlayStyle>,
    /// Luminosity rescaling `eps ~ L^(-1/4)`: `(from_ab, to_ab)`.
    pub rescale: Option<(f64, f64)>,
    /// For a HEPData table file: its dependent variable (position from 1, or name).
    pub dependent: Option<String>,
    /// Drawn knowingly for orientation on a plot of another mediator or decay: no warning.
    pub for_orientation: bool,
}

/// A published limit drawn on the plot, as eps against the mediator mass.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// Legend label.
    pub label: String,
    /// Whether the label is a file or curve name (drawn as written, underscores included)
    /// rather than one the scenario wrote (where `_` starts a subscript).
    pub label_is_name: bool,
    /// Shaded excluded region or a line.
    pub style: OverlayStyle,
    /// The curve (rescaled when asked).
    pub limit: PublishedLimit,
    /// The mediator it constrains, when its provenance says (library curves).
    pub model: Option<crate::published::library::ConstrainedModel>,
    /// How that mediator decays, when its provenance says (library curves).
    pub decay: Option<crate::published::library::ConstrainedDecay>,
    /// The dark coupling it was computed at, when its provenance says (darksens's own
    /// exports imported into a library).
    pub alpha_d: Option<f64>,
    /// Drawn knowingly for orientation on a plot of another mediator or decay (still labelled
    /// so): the scan does not warn.
    pub for_orientation: bool,
}

/// The spectrum of a collider source, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum SpectrumConfig {
    /// Analytic Bhabha scattering in a lab polar-angle window [DPT Eq. 2.1-2.2].
    Bhabha {
        /// Beams.
        collider: AsymmetricCollider,
        /// Lab polar-angle window, degrees.
        theta_min_deg: f64,
        /// Lab polar-angle window, degrees.
        theta_max_deg: f64,
        /// Crossing angle and energy spreads (all zero: head-on, mono-energetic, \[DPT\]).
        real_beams: RealBeams,
    },
    /// Numbers after cuts: a CSV table, or the histogram of a Les Houches event file.
    Tabulated(TabulatedSpectrum),
    /// The built-in radiative Bhabha generator's spectrum [DPT App. F], with the settings that
    /// made it (so that `darksens generate` can write the same events).
    Generated {
        /// Beams, cuts, points, seed.
        settings: Settings,
        /// Its cross section and spectrum.
        generated: std::sync::Arc<Generated>,
    },
}

/// `[source]`, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceConfig {
    /// Particles selected from the collisions of a collider.
    Collider {
        /// Their spectrum.
        spectrum: SpectrumConfig,
        /// Integrated luminosity, ab^-1.
        luminosity_ab: f64,
        /// The selected final-state particle.
        particle: Incident,
    },
    /// A mono-energetic electron beam.
    Beam(Beam),
}

impl SourceConfig {
    /// The particle entering the target.
    #[must_use]
    pub fn incident(&self) -> Incident {
        match self {
            Self::Collider { particle, .. } => *particle,
            Self::Beam(beam) => beam.particle,
        }
    }
}

/// `[target]`, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetConfig {
    /// Material.
    pub material: Material,
    /// Annihilation thickness, X0.
    pub thickness_x0: f64,
    /// Bremsstrahlung thickness, X0.
    pub brem_thickness_x0: f64,
    /// Largest visible fraction.
    pub max_visible_fraction: f64,
    /// Smallest fractional energy loss kept.
    pub min_energy_loss_fraction: f64,
    /// How the second generation is counted.
    pub second_generation: crate::showers::track_length::SecondGeneration,
    /// Target electrons at rest or bound.
    pub atomic_electrons: crate::materials::compton::AtomicElectrons,
    /// Whether the pair radiates before it annihilates.
    pub initial_state_radiation: bool,
    /// Layers in front of the target, in the order the particles cross them.
    pub front_layers: Vec<crate::detectors::thick_target::Layer>,
}

/// `[model]`, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelConfig {
    /// Mediator kind.
    pub mediator: MediatorKind,
    /// How it decays.
    pub decay: crate::models::Decay,
    /// alpha_D (0 for a visible decay, which has none).
    pub alpha_d: f64,
    /// m_chi / m_mediator (0 for a visible decay).
    pub mchi_over_mmed: f64,
    /// The vector coupling to electrons at which events are given (`g_ve = eps e`), if set.
    pub g_ve: Option<f64>,
    /// Mass in MeV when fixed in the scenario.
    pub mass_mev: Option<f64>,
}

/// The kinetic mixing whose width a visible mediator has when `model.g_ve` is not given: any
/// value far below 1e-2 makes it narrower than the electrons' motion and any beam spread, so
/// that the yield per `eps^2` does not depend on it (docs/physics.md §7.2).
pub const VISIBLE_WIDTH_EPSILON: f64 = 1e-4;

impl ModelConfig {
    /// The mediator at `mass_mev`.
    #[must_use]
    pub fn mediator_at(&self, mass_mev: f64) -> crate::models::Mediator {
        let mass_gev = mass_mev * crate::units::GEV_PER_MEV;
        match self.decay {
            crate::models::Decay::Invisible => crate::models::Mediator::new(
                self.mediator,
                mass_gev,
                self.alpha_d,
                self.mchi_over_mmed,
            ),
            crate::models::Decay::Visible => crate::models::DarkPhoton::visible(
                mass_gev,
                self.epsilon().unwrap_or(VISIBLE_WIDTH_EPSILON),
            )
            .into(),
        }
    }

    /// The kinetic mixing of `model.g_ve`, `eps = g_ve / e`.
    #[must_use]
    pub fn epsilon(&self) -> Option<f64> {
        let e = crate::units::ELEMENTARY_CHARGE_SQUARED.sqrt();
        self.g_ve.map(|g| g / e)
    }

    /// The lightest final state's mass over the mediator's at the reach (`m_chi/m`; a visible
    /// mediator: 1/2, so that the reach is the mass made on the resonance, `m <= sqrt(s)`).
    /// The reach decides whether a scan or `explain` can have signal at all; a visible
    /// mediator's computed yields beyond it stand (its `e+ e-` is open at every `sqrt(s)`, and
    /// the lower side of its Breit–Wigner reaches below the resonance energy).
    #[must_use]
    pub fn reach_mass_ratio(&self) -> f64 {
        match self.decay {
            crate::models::Decay::Invisible => self.mchi_over_mmed,
            crate::models::Decay::Visible => 0.5,
        }
    }
}

/// `[background]`, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackgroundConfig {
    /// Photon veto inefficiency, when photons are estimated.
    pub photon_veto_inefficiency: Option<f64>,
    /// Neutron inputs, when neutrons are estimated.
    pub neutron: Option<NeutronInputs>,
    /// Total replacing the computed background.
    pub total: Option<f64>,
    /// Relative uncertainty of the background (log-normal, Cousins-Highland).
    pub relative_uncertainty: f64,
}

impl BackgroundConfig {
    /// Whether the background is zero before anything is computed
    /// ([`background_is_zero`]).
    #[must_use]
    pub fn is_zero(&self) -> bool {
        background_is_zero(
            self.total,
            self.photon_veto_inefficiency.is_some(),
            self.neutron.is_some(),
        )
    }
}

/// Whether a background is zero before anything is computed: `background.total = 0`, or no
/// total given and neither photons nor neutrons estimated. (A fixed count states its
/// background-free level only then: the plot's axis, the HEPData export's CL.)
#[must_use]
pub fn background_is_zero(total: Option<f64>, photons: bool, neutrons: bool) -> bool {
    total.map_or(!photons && !neutrons, |total| total == 0.0)
}

/// A scan over one numeric key (the mediator mass by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// Scanned key, a dotted path such as `model.mass_mev` or `model.alpha_d`.
    pub parameter: String,
    /// Points in ascending order, duplicates removed.
    pub values: Vec<f64>,
    /// Whether the main range is logarithmic (`log_range`); decides the plot axis.
    pub logarithmic: bool,
}

/// The key of a mass scan, which reuses one set of tables for every point.
pub const MASS_KEY: &str = "model.mass_mev";

impl Scan {
    /// Whether the scan is over the mediator mass.
    #[must_use]
    pub fn is_mass_scan(&self) -> bool {
        self.parameter == MASS_KEY
    }
}

/// `[output]`, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputConfig {
    /// CSV path.
    pub csv: PathBuf,
    /// PNG path.
    pub png: PathBuf,
    /// SVG path, when asked for.
    pub svg: Option<PathBuf>,
}

/// Largest number of scan points accepted (a guard against typos such as `points = 3e9`).
pub const MAX_SCAN_POINTS: i64 = 10_000_000;

/// Checks a deserialised scenario, reading no file: every unphysical or inconsistent value is an
/// error naming its key.
pub(crate) fn validate(raw: &RawScenario, name: &str) -> Result<Validated, ScenarioError> {
    let title = raw.title.clone().unwrap_or_else(|| name.to_string());
    let source = validate_source(raw)?;
    let target = validate_target(raw)?;
    let model = validate_model(raw)?;
    let background = validate_background(raw)?;
    let limit = validate_limit(raw)?;
    let scan = raw.scan.as_ref().map(validate_scan).transpose()?;
    visible_above_pair_threshold(&model, scan.as_ref(), raw.scan.as_ref())?;
    let numerics = validate_numerics(raw)?;
    let bremsstrahlung = validate_bremsstrahlung(raw)?;
    let overlays = raw
        .overlays
        .iter()
        .enumerate()
        .map(|(k, o)| validate_overlay(k, o))
        .collect::<Result<Vec<_>, _>>()?;
    let output = OutputConfig {
        csv: raw
            .output
            .csv
            .clone()
            .map_or_else(|| PathBuf::from(format!("out/{name}.csv")), PathBuf::from),
        png: raw
            .output
            .png
            .clone()
            .map_or_else(|| PathBuf::from(format!("out/{name}.png")), PathBuf::from),
        svg: raw.output.svg.clone().map(PathBuf::from),
    };
    check_extension("output.png", &output.png, "png")?;
    if let Some(svg) = &output.svg {
        check_extension("output.svg", svg, "svg")?;
    }
    if output.csv == output.png || output.svg.as_ref() == Some(&output.csv) {
        return Err(invalid(
            "output.csv",
            format!(
                "'{}' is also the plot's file: one would replace the other",
                output.csv.display()
            ),
            "give the CSV its own file, e.g. csv = \"out/belle2_dp.csv\"",
        ));
    }
    Ok(Validated {
        title,
        source,
        target,
        model,
        background,
        limit,
        scan,
        numerics,
        output,
        bremsstrahlung,
        overlays,
    })
}

fn validate_source(raw: &RawScenario) -> Result<SourceRequest, ScenarioError> {
    let s = &raw.source;
    match s.kind {
        SourceKind::ColliderBhabha => validate_collider(s),
        SourceKind::ElectronBeam => validate_beam(s, Incident::Electron),
        SourceKind::PositronBeam => validate_beam(s, Incident::Positron),
    }
}

/// A mono-energetic beam of `particle` on a fixed target: `beam_energy_gev`,
/// `electrons_on_target` or `positrons_on_target` (the beam's own), `efficiency`.
fn validate_beam(
    s: &super::raw::RawSource,
    particle: Incident,
) -> Result<SourceRequest, ScenarioError> {
    let (kind, count_key, count, other_key, other) = match particle {
        Incident::Electron => (
            "electron-beam",
            "source.electrons_on_target",
            s.electrons_on_target,
            "source.positrons_on_target",
            s.positrons_on_target,
        ),
        Incident::Positron => (
            "positron-beam",
            "source.positrons_on_target",
            s.positrons_on_target,
            "source.electrons_on_target",
            s.electrons_on_target,
        ),
    };
    for (key, given) in [
        (
            "source.electron_energy_gev",
            s.electron_energy_gev.is_some(),
        ),
        (
            "source.positron_energy_gev",
            s.positron_energy_gev.is_some(),
        ),
        ("source.luminosity_ab", s.luminosity_ab.is_some()),
        ("source.theta_min_deg", s.theta_min_deg.is_some()),
        ("source.theta_max_deg", s.theta_max_deg.is_some()),
        ("source.particle", s.particle.is_some()),
        ("source.spectrum", s.spectrum.is_some()),
        (
            "source.crossing_angle_mrad",
            s.crossing_angle_mrad.is_some(),
        ),
        (
            "source.electron_energy_spread",
            s.electron_energy_spread.is_some(),
        ),
        (
            "source.positron_energy_spread",
            s.positron_energy_spread.is_some(),
        ),
        (other_key, other.is_some()),
    ] {
        unused(key, given, kind)?;
    }
    let energy_gev = required(
        "source.beam_energy_gev",
        s.beam_energy_gev,
        "GeV",
        "the beam energy (100 GeV at NA64)",
    )?;
    let energy_gev = within(
        "source.beam_energy_gev",
        energy_gev,
        BEAM_ENERGY_RANGE_GEV,
        "GeV",
        BEAM_ENERGY_WHY,
    )?;
    let particles_on_target = required(
        count_key,
        count,
        "particles",
        match particle {
            Incident::Electron => "electrons on target (2.84e11 for NA64 2016-2018)",
            Incident::Positron => "positrons on target (1.01e10 for NA64's 2022 positron run)",
        },
    )?;
    let particles_on_target = within(
        count_key,
        particles_on_target,
        (1.0, 1e22),
        "particles",
        "from 1 to 1e22 particles on target (a year of the most intense beams is about 1e20)",
    )?;
    let efficiency = s.efficiency.unwrap_or(1.0);
    if !(efficiency.is_finite() && efficiency > 0.0 && efficiency <= 1.0) {
        return Err(invalid(
            "source.efficiency",
            format!(
                "must lie in (0, 1], got {}",
                crate::units::format_number(efficiency)
            ),
            "the signal efficiency, 0.5 in [DPT Eq. C.2]",
        ));
    }
    let energy_spread = beam_energy_spread(s, particle)?;
    Ok(SourceRequest::Beam(Beam {
        particle,
        energy_gev,
        particles_on_target,
        efficiency,
        energy_spread,
    }))
}

/// `source.energy_spread` of a beam: a positron beam's relative rms, 0 to 0.05 (default 0); an
/// electron beam refuses it.
fn beam_energy_spread(s: &super::raw::RawSource, particle: Incident) -> Result<f64, ScenarioError> {
    match (particle, s.energy_spread) {
        (_, None) => Ok(0.0),
        (Incident::Positron, Some(spread)) => within(
            "source.energy_spread",
            spread,
            (0.0, 0.05),
            "",
            "the relative rms spread of the beam energy, Gaussian (PADME: 0.25-0.5%, 0.0025-0.005; 0, the default, is mono-energetic)",
        ),
        (Incident::Electron, Some(_)) => Err(invalid(
            "source.energy_spread",
            "applies to a positron beam only",
            "remove it: an electron beam annihilates through its shower's positrons, whose energies spread far wider than any beam's",
        )),
    }
}

/// Histogram bins of an event file's spectrum when `source.spectrum.bins` is left out.
pub(crate) const LHE_DEFAULT_BINS: usize = 40;

/// The lowest `source.spectrum.min_energy_gev` of the radiative Bhabha generator, GeV: twenty
/// electron masses. Its matrix element is massless [DPT App. F], and below this cut its
/// soft-photon cross section keeps growing as `ln(1/E)` (2.0, 2.6 nb at 1, 0.1 MeV at Belle II)
/// until the tables of the spectrum fail (NaN below about 1e-5 GeV).
const GENERATOR_MIN_ENERGY_GEV: f64 = 0.01;

/// Smallest energy of a selected particle of an event file when `source.spectrum.min_energy_gev`
/// is left out, GeV.
pub(crate) const LHE_DEFAULT_MIN_ENERGY_GEV: f64 = 0.0;

/// The spectrum choices of `source.spectrum`.
enum SpectrumChoice {
    Bhabha,
    Table(String),
    Lhe {
        file: String,
        bins: usize,
        min_energy_gev: f64,
    },
    RadiativeBhabha(GeneratorOptions),
}

/// Options of the built-in radiative Bhabha generator (defaults: the paper's cuts).
struct GeneratorOptions {
    min_energy_gev: f64,
    min_delta_r: f64,
    min_delta_r_leptons: f64,
    points: u64,
    seed: u64,
    bins: usize,
    alpha_inverse: f64,
}

impl Default for GeneratorOptions {
    fn default() -> Self {
        let paper = Settings::belle2_paper();
        Self {
            min_energy_gev: paper.min_energy_gev,
            min_delta_r: paper.min_delta_r,
            min_delta_r_leptons: paper.min_delta_r_leptons,
            points: paper.points,
            seed: paper.seed,
            bins: paper.bins,
            alpha_inverse: paper.alpha_inverse,
        }
    }
}

/// The keys an inline `source.spectrum` table may have: those of the spectrum it names
/// (`table`, `lhe` or `generator`); a table that names none is refused.
fn spectrum_table_keys(t: &toml::Table) -> Result<&'static [&'static str], ScenarioError> {
    if t.contains_key("lhe") {
        Ok(&["lhe", "bins", "min_energy_gev"])
    } else if t.contains_key("generator") {
        Ok(&[
            "generator",
            "min_energy_gev",
            "min_delta_r",
            "min_delta_r_leptons",
            "points",
            "seed",
            "bins",
            "alpha_inverse",
        ])
    } else if t.contains_key("table") {
        Ok(&["table"])
    } else {
        let given: Vec<&str> = t.keys().map(String::as_str).collect();
        let found = if given.is_empty() {
            "it is empty".to_string()
        } else {
            format!("it has {}", given.join(", "))
        };
        Err(invalid(
            "source.spectrum",
            format!("names no spectrum: {found} but none of table, lhe or generator"),
            "options belong to the spectrum they tune: e.g. source.spectrum = { generator = \"radiative-bhabha\", min_energy_gev = 3.0 } or { lhe = \"events.lhe\", bins = 40 }; the analytic \"bhabha\" spectrum (the default) takes no options",
        ))
    }
}

fn spectrum_choice(value: Option<&toml::Value>) -> Result<SpectrumChoice, ScenarioError> {
    let key = "source.spectrum";
    let hint = "\"bhabha\" (the default), \"radiative-bhabha\", { table = \"spectrum.csv\" }, { lhe = \"events.lhe\", bins = 40 } or { generator = \"radiative-bhabha\", points = 2000000 }";
    let Some(value) = value else {
        return Ok(SpectrumChoice::Bhabha);
    };
    match value {
        toml::Value::String(name) if name == "bhabha" => Ok(SpectrumChoice::Bhabha),
        toml::Value::String(name) if name == "radiative-bhabha" => {
            Ok(SpectrumChoice::RadiativeBhabha(GeneratorOptions::default()))
        }
        toml::Value::String(name) => Err(invalid(key, format!("unknown spectrum '{name}'"), hint)),
        toml::Value::Table(t) => {
            let allowed = spectrum_table_keys(t)?;
            if let Some(extra) = t.keys().find(|k| !allowed.contains(&k.as_str())) {
                return Err(invalid(
                    &format!("{key}.{extra}"),
                    format!("unknown key; this spectrum takes {}", allowed.join(", ")),
                    hint,
                ));
            }
            let text = |k: &str| -> Result<Option<String>, ScenarioError> {
                match t.get(k) {
                    None => Ok(None),
                    Some(toml::Value::String(v)) => Ok(Some(v.clone())),
                    Some(other) => Err(invalid(
                        &format!("{key}.{k}"),
                        format!("must be a file name in quotes, got {other}"),
                        hint,
                    )),
                }
            };
            if let Some(file) = text("table")? {
                return Ok(SpectrumChoice::Table(file));
            }
            if let Some(name) = text("generator")? {
                if name != "radiative-bhabha" {
                    return Err(invalid(
                        &format!("{key}.generator"),
                        format!("unknown generator '{name}'"),
                        "the built-in generator is \"radiative-bhabha\"",
                    ));
                }
                return generator_options(t).map(SpectrumChoice::RadiativeBhabha);
            }
            let Some(file) = text("lhe")? else {
                return Err(invalid(key, "a table needs 'table' or 'lhe'", hint));
            };
            let bins = match t.get("bins") {
                None => LHE_DEFAULT_BINS,
                Some(toml::Value::Integer(n)) if (2..=100_000).contains(n) => {
                    usize::try_from(*n).unwrap_or(LHE_DEFAULT_BINS)
                }
                Some(other) => {
                    return Err(invalid(
                        &format!("{key}.bins"),
                        format!("must be a whole number from 2 to 100000, got {other}"),
                        "the number of histogram bins between the lowest and highest selected energy (default 40)",
                    ));
                }
            };
            let min_energy_gev = match t.get("min_energy_gev") {
                None => LHE_DEFAULT_MIN_ENERGY_GEV,
                Some(v) => match v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) {
                    Some(e) if e.is_finite() && e >= 0.0 => e,
                    _ => {
                        return Err(invalid(
                            &format!("{key}.min_energy_gev"),
                            format!("must be a non-negative number of GeV, got {v}"),
                            "the smallest energy of a selected particle",
                        ));
                    }
                },
            };
            Ok(SpectrumChoice::Lhe {
                file,
                bins,
                min_energy_gev,
            })
        }
        other => Err(invalid(
            key,
            format!("must be a name or a table, got {other}"),
            hint,
        )),
    }
}

/// The options of `spectrum = { generator = "radiative-bhabha", ... }`.
fn generator_options(t: &toml::Table) -> Result<GeneratorOptions, ScenarioError> {
    let defaults = GeneratorOptions::default();
    let number = |k: &str, default: f64, ok: &dyn Fn(f64) -> bool, meaning: &str| match t.get(k) {
        None => Ok(default),
        Some(v) => match v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) {
            Some(x) if x.is_finite() && ok(x) => Ok(x),
            _ => Err(invalid(
                &format!("source.spectrum.{k}"),
                format!("invalid value {v}"),
                meaning,
            )),
        },
    };
    let whole = |k: &str, default: u64, range: std::ops::RangeInclusive<i64>, meaning: &str| match t
        .get(k)
    {
        None => Ok(default),
        Some(toml::Value::Integer(n)) if range.contains(n) => {
            Ok(u64::try_from(*n).unwrap_or(default))
        }
        Some(v) => Err(invalid(
            &format!("source.spectrum.{k}"),
            format!(
                "must be a whole number from {} to {}, got {v}",
                range.start(),
                range.end()
            ),
            meaning,
        )),
    };
    Ok(GeneratorOptions {
        min_energy_gev: number(
            "min_energy_gev",
            defaults.min_energy_gev,
            &|x| x >= GENERATOR_MIN_ENERGY_GEV,
            "smallest energy of each final particle in GeV (2 in [DPT App. F]), at least 0.01: the matrix element is massless, which holds only far above m_e, and its soft-photon cross section grows as ln(1/E) without the virtual corrections that cancel it",
        )?,
        min_delta_r: number(
            "min_delta_r",
            defaults.min_delta_r,
            &|x| x > 0.0,
            "smallest Delta R between the photon and each lepton (0.1 in [DPT App. F]); it must be positive, the massless matrix element is collinear-divergent",
        )?,
        min_delta_r_leptons: number(
            "min_delta_r_leptons",
            defaults.min_delta_r_leptons,
            &|x| x > 0.0,
            "smallest Delta R between the electron and the positron (0.4, MadGraph's default 'drll'); it must be positive, the massless cross section diverges where the leptons are collinear",
        )?,
        points: whole(
            "points",
            defaults.points,
            1_000..=2_000_000_000,
            "phase-space points (2e6 give about 0.15% on sigma in about 0.7 s on 2 cores)",
        )?,
        seed: whole(
            "seed",
            defaults.seed,
            0..=i64::MAX,
            "seed of the random numbers",
        )?,
        bins: usize::try_from(whole(
            "bins",
            defaults.bins as u64,
            2..=100_000,
            "bins of the spectrum histogram (default 50)",
        )?)
        .unwrap_or(defaults.bins),
        alpha_inverse: number(
            "alpha_inverse",
            defaults.alpha_inverse,
            &|x| x > 1.0,
            "1/alpha of the QED vertices (137.036; MadGraph's default Standard Model uses 132.507)",
        )?,
    })
}

fn validate_collider(s: &super::raw::RawSource) -> Result<SourceRequest, ScenarioError> {
    let kind = "collider-bhabha";
    unused("source.beam_energy_gev", s.beam_energy_gev.is_some(), kind)?;
    unused(
        "source.electrons_on_target",
        s.electrons_on_target.is_some(),
        kind,
    )?;
    unused(
        "source.positrons_on_target",
        s.positrons_on_target.is_some(),
        kind,
    )?;
    unused("source.efficiency", s.efficiency.is_some(), kind)?;
    unused("source.energy_spread", s.energy_spread.is_some(), kind)?;
    let luminosity_ab = required(
        "source.luminosity_ab",
        s.luminosity_ab,
        "ab^-1",
        "the integrated luminosity (50 ab^-1 for Belle II)",
    )?;
    let luminosity_ab = within(
        "source.luminosity_ab",
        luminosity_ab,
        (1e-9, 1e6),
        "ab^-1",
        "from 1e-9 ab^-1 (1 nb^-1) to 1e6 ab^-1 (Belle II's goal is 50 ab^-1)",
    )?;
    let particle = s.particle.unwrap_or(Incident::Positron);
    let choice = spectrum_choice(s.spectrum.as_ref())?;
    if !matches!(choice, SpectrumChoice::Bhabha) {
        for (key, present) in [
            (
                "source.crossing_angle_mrad",
                s.crossing_angle_mrad.is_some(),
            ),
            (
                "source.electron_energy_spread",
                s.electron_energy_spread.is_some(),
            ),
            (
                "source.positron_energy_spread",
                s.positron_energy_spread.is_some(),
            ),
        ] {
            if present {
                return Err(invalid(
                    key,
                    "applies to the analytic Bhabha spectrum only (source.spectrum = \"bhabha\", the default)",
                    "remove it; a table, an event file or the radiative generator fixes the beams' kinematics itself",
                ));
            }
        }
    }
    let spectrum = match choice {
        SpectrumChoice::Table(file) => {
            refuse_table_keys(s)?;
            SpectrumRequest::Table(file)
        }
        SpectrumChoice::Bhabha => {
            let (collider, lo, hi) = beams_and_window(s)?;
            SpectrumRequest::Bhabha {
                collider,
                theta_min_deg: lo,
                theta_max_deg: hi,
                real_beams: real_beams(s)?,
            }
        }
        SpectrumChoice::Lhe {
            file,
            bins,
            min_energy_gev,
        } => SpectrumRequest::Lhe {
            file,
            selection: lhe_selection(s, particle, bins, min_energy_gev)?,
        },
        SpectrumChoice::RadiativeBhabha(options) => {
            let (collider, lo, hi) = beams_and_window(s)?;
            refuse_unreachable_generator_energy(&collider, options.min_energy_gev)?;
            SpectrumRequest::Generator(Settings {
                collider,
                theta_min_deg: lo,
                theta_max_deg: hi,
                min_energy_gev: options.min_energy_gev,
                min_delta_r: options.min_delta_r,
                min_delta_r_leptons: options.min_delta_r_leptons,
                points: options.points,
                seed: options.seed,
                bins: options.bins,
                electrons: particle == Incident::Electron,
                alpha_inverse: options.alpha_inverse,
            })
        }
    };
    Ok(SourceRequest::Collider {
        spectrum,
        luminosity_ab,
        particle,
    })
}

/// The generator's three final particles share the beams' energy in the lab, so each can carry
/// at least `min_energy_gev` only if three times it is below the sum of the beam energies.
fn refuse_unreachable_generator_energy(
    collider: &AsymmetricCollider,
    min_energy_gev: f64,
) -> Result<(), ScenarioError> {
    let total_gev = collider.electron_energy_gev + collider.positron_energy_gev;
    if 3.0 * min_energy_gev < total_gev {
        return Ok(());
    }
    Err(invalid(
        "source.spectrum.min_energy_gev",
        format!(
            "{min_energy_gev} GeV for each of the three final particles cannot be reached: together they carry the beams' {total_gev} GeV"
        ),
        format!(
            "use less than a third of {total_gev} GeV ({:.4} GeV); the paper's cut is 2 GeV",
            total_gev / 3.0
        ),
    ))
}

/// A table is the spectrum after all cuts: the beams and the angular window are not used.
/// `source.crossing_angle_mrad` (0 to 200 mrad) and the beams' energy spreads (0 to 0.05).
fn real_beams(s: &super::raw::RawSource) -> Result<RealBeams, ScenarioError> {
    let crossing_mrad = within(
        "source.crossing_angle_mrad",
        s.crossing_angle_mrad.unwrap_or(0.0),
        (0.0, 200.0),
        "mrad",
        "the full angle between the beams (83 mrad at SuperKEKB; 0, the default, is head-on as in [DPT]); the detector axis bisects it (docs/physics.md §9)",
    )?;
    let spread = |key: &str, value: Option<f64>| {
        within(
            key,
            value.unwrap_or(0.0),
            (0.0, 0.05),
            "",
            "the relative rms spread of the beam's energy, Gaussian (SuperKEKB's design: 6.4e-4 for the electrons, 8.1e-4 for the positrons; 0, the default, is mono-energetic)",
        )
    };
    Ok(RealBeams {
        crossing_angle_rad: crossing_mrad * 1e-3,
        electron_energy_spread: spread("source.electron_energy_spread", s.electron_energy_spread)?,
        positron_energy_spread: spread("source.positron_energy_spread", s.positron_energy_spread)?,
    })
}

fn refuse_table_keys(s: &super::raw::RawSource) -> Result<(), ScenarioError> {
    let why = "a table is the spectrum after all cuts";
    for (key, present) in [
        (
            "source.electron_energy_gev",
            s.electron_energy_gev.is_some(),
        ),
        (
            "source.positron_energy_gev",
            s.positron_energy_gev.is_some(),
        ),
        ("source.theta_min_deg", s.theta_min_deg.is_some()),
        ("source.theta_max_deg", s.theta_max_deg.is_some()),
    ] {
        if present {
            return Err(invalid(
                key,
                format!("is not used with spectrum = {{ table = ... }}: {why}"),
                "remove it (the table's energies and cross section describe the source)",
            ));
        }
    }
    Ok(())
}

/// What an event file's histogram selects: the particle, the angular window and the energy cut
/// (the file holds the beams, so their energies are not used).
fn lhe_selection(
    s: &super::raw::RawSource,
    particle: Incident,
    bins: usize,
    min_energy_gev: f64,
) -> Result<LheSelection, ScenarioError> {
    for (key, present) in [
        (
            "source.electron_energy_gev",
            s.electron_energy_gev.is_some(),
        ),
        (
            "source.positron_energy_gev",
            s.positron_energy_gev.is_some(),
        ),
    ] {
        if present {
            return Err(invalid(
                key,
                "is not used with spectrum = { lhe = ... }: the event file holds the beams",
                "remove it",
            ));
        }
    }
    let (lo, hi) = window(s)?;
    Ok(LheSelection {
        pdg: if particle == Incident::Electron {
            11
        } else {
            -11
        },
        theta_min_rad: lo.to_radians(),
        theta_max_rad: hi.to_radians(),
        min_energy_gev,
        bins,
    })
}

/// The lab polar-angle window of the selected particle, degrees.
fn window(s: &super::raw::RawSource) -> Result<(f64, f64), ScenarioError> {
    let angle = |key: &str, v: Option<f64>| -> Result<f64, ScenarioError> {
        let meaning =
            "the lab polar angle of the selected particle, from the electron beam direction";
        let v = v.ok_or_else(|| invalid(key, "is required for this source kind", meaning))?;
        within(
            key,
            v,
            (1.0, 179.0),
            "degrees",
            "a detector reaches at most 1 degree from a beam (the beam pipe); closer, the forward Bhabha peak 1/(1 + cos theta*)^2 needs tables too fine to build (the lab polar angle of the selected particle, from the electron beam direction)",
        )
    };
    let lo = angle("source.theta_min_deg", s.theta_min_deg)?;
    let hi = angle("source.theta_max_deg", s.theta_max_deg)?;
    if lo >= hi {
        return Err(invalid(
            "source.theta_min_deg",
            format!("theta_min_deg ({lo}) must be below theta_max_deg ({hi})"),
            "the ECL barrel is 32.2 to 128.7 degrees",
        ));
    }
    Ok((lo, hi))
}

/// The beams of an asymmetric collider and the polar-angle window.
fn beams_and_window(
    s: &super::raw::RawSource,
) -> Result<(AsymmetricCollider, f64, f64), ScenarioError> {
    let beam = |key: &str, value: Option<f64>, meaning: &str| {
        let v = required(key, value, "GeV", meaning)?;
        within(key, v, BEAM_ENERGY_RANGE_GEV, "GeV", BEAM_ENERGY_WHY)
    };
    let e_minus = beam(
        "source.electron_energy_gev",
        s.electron_energy_gev,
        "the electron beam energy (7 GeV at SuperKEKB)",
    )?;
    let e_plus = beam(
        "source.positron_energy_gev",
        s.positron_energy_gev,
        "the positron beam energy (4 GeV at SuperKEKB)",
    )?;
    if e_minus == e_plus {
        return Err(invalid(
            "source.positron_energy_gev",
            "equal beam energies are not supported by the collider-bhabha source",
            "the lab-energy relation of [DPT Eq. 2.2] needs a boosted centre of mass; use unequal beam energies",
        ));
    }
    if e_minus < e_plus {
        return Err(invalid(
            "source.electron_energy_gev",
            format!(
                "must exceed the positron beam energy ({e_plus} GeV): the electron beam defines +z"
            ),
            "swap the energies and mirror the angular window (theta -> 180 - theta)",
        ));
    }
    let (lo, hi) = window(s)?;
    Ok((
        AsymmetricCollider {
            electron_energy_gev: e_minus,
            positron_energy_gev: e_plus,
        },
        lo,
        hi,
    ))
}

/// Target depths the track-length tables are built for, X0 (from where a positron beam's
/// target stops being thin).
const THICKNESS_RANGE_X0: (f64, f64) = (crate::signal::thick_target::THIN_TARGET_X0, 100.0);

/// The thinnest target of a positron beam, X0.
const THIN_TARGET_RANGE_X0: f64 = 1e-6;

/// Bound electrons need the Compton profiles of every element of the material.
fn check_atomic_electrons(
    raw: &RawScenario,
    material: &Material,
    key: &str,
) -> Result<(), ScenarioError> {
    use crate::materials::compton::{AtomicElectrons, elements, has_profiles};
    if raw.target.atomic_electrons == AtomicElectrons::AtRest {
        return Ok(());
    }
    if let Some(missing) = material
        .composition
        .iter()
        .find(|c| !has_profiles(c.nucleus.symbol))
    {
        // The element was written in a `[[material]]` (the built-ins all have profiles): the
        // error points at its composition.
        let where_written = raw
            .materials
            .iter()
            .position(|m| m.name == material.name)
            .map_or_else(
                || "target.atomic_electrons".to_string(),
                |i| format!("material[{}].composition", i + 1),
            );
        return Err(invalid(
            &where_written,
            format!(
                "no Compton profiles for {} in {} ({key}), which target.atomic_electrons = \"compton-profile\" needs for every element",
                missing.nucleus.symbol, material.name
            ),
            format!(
                "profiles exist for {}; for a material with other elements set target.atomic_electrons = \"at-rest\" (\"compton-profile\" is the default)",
                elements().join(", ")
            ),
        ));
    }
    Ok(())
}

/// A material by name: a built-in, or one of the scenario's `[[material]]`s.
fn find_material(materials: &[Material], name: &str, key: &str) -> Result<Material, ScenarioError> {
    Material::by_name(name)
        .or_else(|| materials.iter().find(|m| m.name == name).cloned())
        .ok_or_else(|| {
            let mut known: Vec<&str> = Material::known_names();
            known.extend(materials.iter().map(|m| m.name.as_ref()));
            invalid(
                key,
                format!("unknown material '{name}'"),
                format!(
                    "choose one of: {} (names are case-sensitive), or define it in a [[material]] table with name, density_g_cm3 and composition",
                    known.join(", ")
                ),
            )
        })
}

/// The scenario's `[[material]]`s: a new name, a positive density, and a composition of known
/// elements in positive numbers of atoms; `X0` from Tsai's formula unless `x0_cm` is given.
fn validate_materials(raw: &RawScenario) -> Result<Vec<Material>, ScenarioError> {
    use crate::materials::{Constituent, elements};
    let mut materials: Vec<Material> = Vec::new();
    for (k, m) in raw.materials.iter().enumerate() {
        let key = |field: &str| format!("material[{}].{field}", k + 1);
        let name = m.name.trim();
        if name.is_empty() {
            return Err(invalid(
                &key("name"),
                "is empty",
                "the name target.material and target.layer use for this material, e.g. \"my-glass\"",
            ));
        }
        if Material::by_name(name).is_some() || materials.iter().any(|known| known.name == name) {
            let what = if Material::by_name(name).is_some() {
                "a built-in material"
            } else {
                "defined by an earlier [[material]]"
            };
            return Err(invalid(
                &key("name"),
                format!("'{name}' is already {what}"),
                format!(
                    "give each [[material]] a name of its own; built in are {}",
                    Material::known_names().join(", ")
                ),
            ));
        }
        let density = positive(
            &key("density_g_cm3"),
            m.density_g_cm3,
            "g/cm^3",
            "the material's density",
        )?;
        if density > crate::materials::DENSEST_ELEMENT_G_CM3 {
            return Err(invalid(
                &key("density_g_cm3"),
                format!(
                    "{} g/cm^3 is denser than the densest element (osmium, {} g/cm^3)",
                    format_number(density),
                    crate::materials::DENSEST_ELEMENT_G_CM3
                ),
                "give the density in g/cm^3 (a value in kg/m^3 is 1000 times larger)",
            ));
        }
        if m.composition.is_empty() {
            return Err(invalid(
                &key("composition"),
                "is empty",
                "atoms per formula unit by element symbol, e.g. composition = { Si = 1, O = 2 }",
            ));
        }
        let mut composition = Vec::new();
        for (symbol, &atoms) in &m.composition {
            let nucleus = elements::element(symbol).ok_or_else(|| {
                invalid(
                    &key(&format!("composition.{symbol}")),
                    format!("unknown element '{symbol}'"),
                    "element symbols as in the periodic table, case-sensitive (H, He, ..., U), e.g. composition = { Si = 1, O = 2 }",
                )
            })?;
            let atoms = positive(
                &key(&format!("composition.{symbol}")),
                atoms,
                "",
                &format!("the number of {symbol} atoms per formula unit"),
            )?;
            composition.push(Constituent { nucleus, atoms });
        }
        let x0_cm = m
            .x0_cm
            .map(|x0| {
                positive(
                    &key("x0_cm"),
                    x0,
                    "cm",
                    "the radiation length X0 (leave it out for Tsai's formula)",
                )
                .and_then(|x0| close_to_tsai(&key("x0_cm"), x0, &composition, density))
            })
            .transpose()?;
        materials.push(Material::from_composition(
            name,
            density,
            composition,
            x0_cm,
        ));
    }
    Ok(materials)
}

/// A material's given radiation length, `x0_cm`, if it is within a factor 1.5 of Tsai's formula
/// for its composition and density. The formula agrees with the PDG's tables to about 1%
/// (docs/validation.md §16), so a larger gap is a slip of units (mm, or g/cm^2) or of the
/// composition, which would change every yield.
fn close_to_tsai(
    key: &str,
    x0_cm: f64,
    composition: &[crate::materials::Constituent],
    density_g_cm3: f64,
) -> Result<f64, ScenarioError> {
    let tsai_cm = crate::materials::radiation_length::compound_radiation_length_g_cm2(composition)
        / density_g_cm3;
    let ratio = x0_cm / tsai_cm;
    if (1.0 / 1.5..=1.5).contains(&ratio) {
        return Ok(x0_cm);
    }
    Err(invalid(
        key,
        format!(
            "{} cm is {} times Tsai's radiation length for this composition and density ({} cm), which agrees with the PDG's tables to about 1%",
            format_number(x0_cm),
            three_digits(ratio),
            three_digits(tsai_cm)
        ),
        "give X0 in cm (not mm, nor g/cm^2, which is X0 in cm times the density), or leave x0_cm out for Tsai's value",
    ))
}

/// `x` to three significant digits, for a message.
fn three_digits(x: f64) -> String {
    format_number(format!("{x:.2e}").parse().unwrap_or(x))
}

fn validate_target(raw: &RawScenario) -> Result<TargetConfig, ScenarioError> {
    let t = &raw.target;
    let materials = validate_materials(raw)?;
    let material = find_material(&materials, &t.material, "target.material")?;
    let default_thickness = match raw.source.kind {
        SourceKind::ColliderBhabha => 16.0,
        SourceKind::ElectronBeam | SourceKind::PositronBeam => 40.0,
    };
    check_atomic_electrons(raw, &material, "target.material")?;
    let front_layers = t
        .layers
        .iter()
        .enumerate()
        .map(|(k, layer)| validate_layer(raw, &materials, k, layer))
        .collect::<Result<Vec<_>, _>>()?;
    let thickness_x0 = target_thickness_x0(raw, &material, default_thickness)?;
    if raw.source.energy_spread.is_some_and(|spread| spread > 0.0)
        && thickness_x0 >= crate::signal::thick_target::THIN_TARGET_X0
    {
        return Err(invalid(
            "source.energy_spread",
            format!(
                "applies to a thin target (below {} X0), and this one is {} X0 (target.thickness_x0 or thickness_cm)",
                crate::units::format_number(crate::signal::thick_target::THIN_TARGET_X0),
                crate::units::format_rounded(thickness_x0, 4)
            ),
            "remove it: in a thick target the shower spreads the positrons' energies far more than the beam does",
        ));
    }
    let brem_thickness_x0 = brem_thickness_x0(raw, thickness_x0)?;
    let max_visible_fraction = within(
        "target.max_visible_fraction",
        t.max_visible_fraction,
        (1e-3, 0.9),
        "",
        "largest visible fraction of the positron energy, 0.05 in the paper; from 1e-3 (narrower, the window holds too little track length to tabulate) to 0.9",
    )?;
    let min_energy_loss_fraction = fraction(
        "target.min_energy_loss_fraction",
        t.min_energy_loss_fraction,
        false,
        "0 integrates the track length exactly; 1e-3 reproduces the paper's numbers",
    )?;
    if min_energy_loss_fraction >= max_visible_fraction {
        return Err(invalid(
            "target.min_energy_loss_fraction",
            format!(
                "must be below target.max_visible_fraction ({}), got {}",
                crate::units::format_number(max_visible_fraction),
                crate::units::format_number(min_energy_loss_fraction)
            ),
            "otherwise no track length is left in the window",
        ));
    }
    let second_generation = match (t.second_generation, t.second_generation_multiplicity) {
        (SecondGenerationModel::Positrons, Some(_)) => {
            return Err(invalid(
                "target.second_generation_multiplicity",
                "applies only to target.second_generation = \"tsai-whitis-pairs\"".to_string(),
                "the default \"positrons\" follows one positron per conversion; drop the key, or set target.second_generation = \"tsai-whitis-pairs\" for [DPT Eq. A.3]",
            ));
        }
        (SecondGenerationModel::Positrons, None) => SecondGeneration::Positrons,
        (SecondGenerationModel::TsaiWhitisPairs, multiplicity) => {
            let multiplicity = positive(
                "target.second_generation_multiplicity",
                multiplicity.unwrap_or(2.0),
                "particles per conversion",
                "2 (electron and positron) as in [DPT Eq. A.3]",
            )?;
            SecondGeneration::TsaiWhitisPairs {
                // A conversion makes one electron and one positron: at most both count.
                multiplicity: within(
                    "target.second_generation_multiplicity",
                    multiplicity,
                    (0.0, 2.0),
                    "",
                    "the particles of each photon conversion that count: at most 2 (electron and positron, as in [DPT Eq. A.3]); 1 counts one of them",
                )?,
            }
        }
    };
    Ok(TargetConfig {
        material,
        thickness_x0,
        brem_thickness_x0,
        max_visible_fraction,
        min_energy_loss_fraction,
        second_generation,
        atomic_electrons: t.atomic_electrons,
        initial_state_radiation: t.initial_state_radiation,
        front_layers,
    })
}

/// The depth in X0 over which the bremsstrahlung track length is taken [DPT Eq. 4.5]:
/// `target.brem_thickness_x0`, by default 1 X0 or the whole target when it is thinner. With
/// bremsstrahlung computed it is never deeper than the target, and a thin target (below
/// [`THIN_TARGET_X0`](crate::signal::thick_target::THIN_TARGET_X0), the beam positron's own
/// path) is refused: its bremsstrahlung is not implemented, and the tables do not reach it.
fn brem_thickness_x0(raw: &RawScenario, thickness_x0: f64) -> Result<f64, ScenarioError> {
    let number = crate::units::format_number;
    let computed = raw
        .bremsstrahlung
        .method
        .is_none_or(|m| m == BremMethodName::Computed);
    let thin = crate::signal::thick_target::THIN_TARGET_X0;
    if computed && thickness_x0 < thin {
        return Err(invalid(
            "bremsstrahlung.method",
            format!(
                "is \"computed\"{}, but the target is thin ({:.3e} X0, below {} X0): bremsstrahlung is computed only in a thick target's shower",
                if raw.bremsstrahlung.method.is_none() {
                    " (the default)"
                } else {
                    ""
                },
                thickness_x0,
                number(thin)
            ),
            "set [bremsstrahlung] method = \"none\" for a resonance search such as PADME's (the thin target's bremsstrahlung, the beam positron's path times the cross section at the beam energy, is not implemented)",
        ));
    }
    let Some(given) = raw.target.brem_thickness_x0 else {
        return Ok(DEFAULT_BREM_THICKNESS_X0.min(thickness_x0));
    };
    let depth = within(
        "target.brem_thickness_x0",
        given,
        THICKNESS_RANGE_X0,
        "radiation lengths",
        "the depth used for bremsstrahlung, 1 X0 in [DPT Eq. 4.5]; the track-length tables are built for 0.01 to 100 X0",
    )?;
    if computed && depth > thickness_x0 {
        return Err(invalid(
            "target.brem_thickness_x0",
            format!(
                "= {} X0 is deeper than the target ({} X0): no bremsstrahlung happens beyond it",
                number(depth),
                number(thickness_x0)
            ),
            "give at most the target's thickness, or remove the key: its default (1 X0, or the whole target when it is thinner) follows the target, also in a scan of its thickness",
        ));
    }
    Ok(depth)
}

/// The bremsstrahlung depth when `target.brem_thickness_x0` is not given: 1 X0 as printed in
/// [DPT Eq. 4.5].
const DEFAULT_BREM_THICKNESS_X0: f64 = 1.0;

/// The target's thickness in X0: `target.thickness_x0` or `target.thickness_cm` (not both),
/// within the tables' range, or down to [`THIN_TARGET_RANGE_X0`] for a positron beam (a thin
/// target: the beam positron's own path).
fn target_thickness_x0(
    raw: &RawScenario,
    material: &Material,
    default_thickness: f64,
) -> Result<f64, ScenarioError> {
    let t = &raw.target;
    // The key given, its value and its unit in X0.
    let (key, value, unit, x0_per_unit) = match (t.thickness_x0, t.thickness_cm) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "target.thickness_cm",
                "is given together with target.thickness_x0",
                "give the target's thickness once, in cm or in radiation lengths",
            ));
        }
        (None, Some(cm)) => (
            "target.thickness_cm",
            cm,
            "cm",
            1.0 / material.radiation_length_cm,
        ),
        (x0, None) => (
            "target.thickness_x0",
            x0.unwrap_or(default_thickness),
            "radiation lengths",
            1.0,
        ),
    };
    let (range_x0, why) = if raw.source.kind == SourceKind::PositronBeam {
        (
            (THIN_TARGET_RANGE_X0, THICKNESS_RANGE_X0.1),
            "for a positron beam from 1e-6 X0 (below 0.01 X0 a thin target: the beam positron's own path; 100 um of diamond is 8.2e-4 X0) to 100 X0",
        )
    } else {
        (
            THICKNESS_RANGE_X0,
            "the target depth (16 X0 for the Belle II ECL, about 40 X0 for the NA64 ECAL); the track-length tables are built for 0.01 to 100 X0",
        )
    };
    let range = (range_x0.0 / x0_per_unit, range_x0.1 / x0_per_unit);
    Ok(within(key, value, range, unit, why)? * x0_per_unit)
}

/// `[[target.layer]]` number `k` (from 0): a known material, one of `thickness_cm` and
/// `thickness_x0`, and the Compton profiles of its elements when the electrons are bound.
fn validate_layer(
    raw: &RawScenario,
    materials: &[Material],
    k: usize,
    layer: &super::raw::RawLayer,
) -> Result<crate::detectors::thick_target::Layer, ScenarioError> {
    let key = |field: &str| format!("target.layer[{}].{field}", k + 1);
    let material = find_material(materials, &layer.material, &key("material"))?;
    check_atomic_electrons(raw, &material, &key("material"))?;
    let thickness_x0 = match (layer.thickness_cm, layer.thickness_x0) {
        (Some(cm), None) => {
            positive(
                &key("thickness_cm"),
                cm,
                "cm",
                "the layer's thickness along the particles' path",
            )? / material.radiation_length_cm
        }
        (None, Some(x0)) => positive(
            &key("thickness_x0"),
            x0,
            "radiation lengths",
            "the layer's thickness along the particles' path",
        )?,
        _ => {
            return Err(invalid(
                &key("thickness_cm"),
                "give the layer's thickness as exactly one of thickness_cm and thickness_x0"
                    .to_string(),
                format!(
                    "e.g. thickness_cm = 2.0 ({} has X0 = {} cm)",
                    material.name, material.radiation_length_cm
                ),
            ));
        }
    };
    if thickness_x0 > THICKNESS_RANGE_X0.1 {
        return Err(invalid(
            &key("thickness_cm"),
            format!(
                "{thickness_x0} X0 is more than the tables cover ({} X0)",
                THICKNESS_RANGE_X0.1
            ),
            "a layer in front of the target is thin; put a thick one in target.material",
        ));
    }
    Ok(crate::detectors::thick_target::Layer {
        material,
        thickness_x0,
        signal: layer.signal,
    })
}

/// An output path whose extension says its format: `output.png` must end in `.png` and
/// `output.svg` in `.svg` (the bytes written are that format, whatever the name says).
fn check_extension(
    key: &str,
    path: &std::path::Path,
    extension: &str,
) -> Result<(), ScenarioError> {
    let matches = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension));
    if matches {
        return Ok(());
    }
    Err(invalid(
        key,
        format!(
            "'{}' does not end in .{extension}, and {key} writes {} bytes",
            path.display(),
            extension.to_uppercase()
        ),
        format!(
            "name the file '.{extension}'; for other formats write the SVG (output.svg) and convert it, e.g. `rsvg-convert -f pdf -o plot.pdf plot.svg`"
        ),
    ))
}

fn validate_model(raw: &RawScenario) -> Result<ModelConfig, ScenarioError> {
    let m = &raw.model;
    let g_ve = m
        .g_ve
        .map(|g| {
            within(
                "model.g_ve",
                g,
                (1e-9, 1.0),
                "",
                "the vector coupling to electrons, g_ve = eps e (PADME's X17: 5.6e-4 to 1e-3); events are given at it",
            )
        })
        .transpose()?;
    let mass_mev = m
        .mass_mev
        .map(|v| within("model.mass_mev", v, MASS_RANGE_MEV, "MeV", MASS_WHY))
        .transpose()?;
    let (alpha_d, mchi_over_mmed) = match m.decay {
        crate::models::Decay::Invisible => invisible_couplings(m)?,
        crate::models::Decay::Visible => {
            visible_allowed(raw)?;
            (0.0, 0.0)
        }
    };
    Ok(ModelConfig {
        mediator: m.mediator,
        decay: m.decay,
        alpha_d,
        mchi_over_mmed,
        g_ve,
        mass_mev,
    })
}

/// `model.alpha_d` and `model.mchi_over_mmed` of an invisibly decaying mediator.
fn invisible_couplings(m: &super::raw::RawModel) -> Result<(f64, f64), ScenarioError> {
    let invisible = "an invisible decay (model.decay = \"invisible\")";
    let alpha_d = required_for(
        "model.alpha_d",
        m.alpha_d,
        "",
        "alpha_D = g_chi^2/(4 pi) of the invisible decay, 1e-3 in [DPT Fig. 3] (or model.decay = \"visible\")",
        invisible,
    )?;
    let alpha_d = within(
        "model.alpha_d",
        alpha_d,
        (1e-12, 1.0),
        "",
        "alpha_D = g_chi^2/(4 pi), 1e-3 in [DPT Fig. 3]: above 1 the dark coupling is not perturbative, and far below 1e-12 the mediator would not decay invisibly (A' -> chi chi must win over A' -> e+ e-, whose rate is eps^2 alpha)",
    )?;
    let mchi_over_mmed = required_for(
        "model.mchi_over_mmed",
        m.mchi_over_mmed,
        "",
        "m_chi/m_med of the invisible decay, 1/3 in the paper",
        invisible,
    )?;
    if !(mchi_over_mmed.is_finite() && mchi_over_mmed > 0.0 && mchi_over_mmed < 0.5) {
        return Err(invalid(
            "model.mchi_over_mmed",
            format!(
                "must satisfy 0 < m_chi/m_med < 1/2, got {}",
                crate::units::format_number(mchi_over_mmed)
            ),
            "the mediator must be able to decay to two dark-matter particles (m_chi >= m_med/2 closes it); the paper uses 1/3",
        ));
    }
    Ok((alpha_d, mchi_over_mmed))
}

/// A visible decay (to `e+ e-`): a dark photon, without the dark sector's keys, made by a
/// positron beam's annihilation (the collider's disappearing track and a missing-energy
/// search need the invisible decay).
fn visible_allowed(raw: &RawScenario) -> Result<(), ScenarioError> {
    let m = &raw.model;
    // What makes a visible decay impossible comes first; then the keys it leaves unused.
    if m.mediator != MediatorKind::DarkPhoton {
        return Err(invalid(
            "model.decay",
            "\"visible\" applies to model.mediator = \"dark-photon\" only",
            "a visibly decaying vector (the X17 of PADME) is a dark photon with model.decay = \"visible\"",
        ));
    }
    if raw.source.kind != SourceKind::PositronBeam {
        return Err(invalid(
            "model.decay",
            "\"visible\" needs source.kind = \"positron-beam\"",
            "the resonant production of a visible mediator is a positron beam's (PADME); the disappearing track and the missing energy need model.decay = \"invisible\"",
        ));
    }
    let why = "a visible mediator decays to e+ e- only, its width set by its coupling to electrons (model.g_ve); remove the key";
    for (key, given) in [
        ("model.alpha_d", m.alpha_d.is_some()),
        ("model.mchi_over_mmed", m.mchi_over_mmed.is_some()),
    ] {
        if given {
            return Err(invalid(
                key,
                "is not used with model.decay = \"visible\"",
                why,
            ));
        }
    }
    Ok(())
}

/// A mediator that decays only to `e+ e-` must be heavier than the pair, `m > 2 m_e`: below,
/// it has no decay and no width, and `e+ e-` cannot make it on resonance (`s >= 4 m_e^2`).
fn visible_above_pair_threshold(
    model: &ModelConfig,
    scan: Option<&Scan>,
    raw_scan: Option<&RawScan>,
) -> Result<(), ScenarioError> {
    if model.decay != crate::models::Decay::Visible {
        return Ok(());
    }
    let threshold_mev = 2.0 * crate::units::ELECTRON_MASS_GEV / crate::units::GEV_PER_MEV;
    let (key, lightest) = match (scan, raw_scan) {
        (Some(scan), Some(raw)) if scan.is_mass_scan() => {
            (lightest_mass_key(raw), scan.values.first().copied())
        }
        _ => ("model.mass_mev", model.mass_mev),
    };
    match lightest {
        Some(m) if m <= threshold_mev => Err(invalid(
            key,
            format!(
                "a mediator that decays to e+ e- only must be heavier than 2 m_e = {threshold_mev:.7} MeV, got {} MeV",
                crate::units::format_number(m)
            ),
            "below the pair threshold it has no visible decay and e+ e- cannot make it on resonance; start the masses above 1.022 MeV",
        )),
        _ => Ok(()),
    }
}

/// The key of a mass scan that gives its lightest mass: the dense range when it starts below
/// the main range, else the main range (`scan.range` or `scan.log_range`).
fn lightest_mass_key(raw: &RawScan) -> &'static str {
    let main = raw.range.or(raw.log_range).map(|[lo, hi]| lo.min(hi));
    let dense = raw.dense_range.map(|[lo, hi]| lo.min(hi));
    match (main, dense) {
        (Some(main), Some(dense)) if dense < main => "scan.dense_range",
        (None, Some(_)) => "scan.dense_range",
        _ if raw.range.is_some() => "scan.range",
        _ => "scan.log_range",
    }
}

/// A Poisson criterion's background, when given, within [`POISSON_MAX_BACKGROUND`] (the precision
/// of its probabilities), or [`POISSON_MAX_BACKGROUND_WITH_UNCERTAINTY`] with an uncertainty
/// (the cost of averaging them over the background).
///
/// [`POISSON_MAX_BACKGROUND`]: crate::limits::statistics::POISSON_MAX_BACKGROUND
/// [`POISSON_MAX_BACKGROUND_WITH_UNCERTAINTY`]: crate::limits::statistics::POISSON_MAX_BACKGROUND_WITH_UNCERTAINTY
fn check_poisson_background(raw: &RawScenario, total: Option<f64>) -> Result<(), ScenarioError> {
    let poisson = match raw.limit.method {
        LimitMethod::PoissonCls => true,
        LimitMethod::Discovery => {
            raw.limit.statistic == Some(crate::limits::DiscoveryStatistic::Poisson)
        }
        _ => false,
    };
    let uncertain = raw.background.relative_uncertainty.is_some_and(|r| r > 0.0);
    let (max, why) = if uncertain {
        (
            crate::limits::statistics::POISSON_MAX_BACKGROUND_WITH_UNCERTAINTY,
            "up to which the Poisson probabilities of this limit method are averaged over a background uncertainty (beyond, each limit takes minutes)",
        )
    } else {
        (
            crate::limits::statistics::POISSON_MAX_BACKGROUND,
            "up to which the Poisson probabilities of this limit method are trusted",
        )
    };
    match total.filter(|&t| poisson && t > max) {
        Some(total) => Err(invalid(
            "background.total",
            format!("is {total:e} events, more than the {max:e} {why}"),
            "use limit.method = \"sqrt-nb\" (or limit.statistic = \"asimov\" for a discovery), exact to about 1/sqrt(N_b) at such backgrounds",
        )),
        None => Ok(()),
    }
}

fn validate_background(raw: &RawScenario) -> Result<BackgroundConfig, ScenarioError> {
    let b = &raw.background;
    let photon_veto_inefficiency = b
        .photon_veto_inefficiency
        .map(|v| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(invalid(
                    "background.photon_veto_inefficiency",
                    format!(
                        "must be a probability in [0, 1], got {}",
                        crate::units::format_number(v)
                    ),
                    "the KLM veto inefficiency, 4.5e-4 in [DPT Sec. 3.1]",
                ))
            }
        })
        .transpose()?;
    let neutron = b.neutron.as_ref().map(validate_neutron).transpose()?;
    let total = b
        .total
        .map(|v| {
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(invalid(
                    "background.total",
                    format!(
                        "must be a non-negative number of events, got {}",
                        crate::units::format_number(v)
                    ),
                    "the expected background replacing the computed one",
                ))
            }
        })
        .transpose()?;
    let relative_uncertainty = b.relative_uncertainty.unwrap_or(0.0);
    if !(relative_uncertainty.is_finite() && relative_uncertainty >= 0.0) {
        return Err(invalid(
            "background.relative_uncertainty",
            format!(
                "must be a non-negative number, got {}",
                crate::units::format_number(relative_uncertainty)
            ),
            "the relative standard deviation of the background, e.g. 0.2 for 20%",
        ));
    }
    // The two criteria that divide by the background.
    let needs_background = match raw.limit.method {
        LimitMethod::SqrtNb => Some("the sqrt-nb limit"),
        LimitMethod::Discovery
            if raw
                .limit
                .statistic
                .unwrap_or(crate::limits::DiscoveryStatistic::Asimov)
                == crate::limits::DiscoveryStatistic::Asimov =>
        {
            Some("the Asimov discovery signal")
        }
        _ => None,
    };
    check_poisson_background(raw, total)?;
    if let (Some(0.0), Some(what)) = (total, needs_background) {
        return Err(invalid(
            "background.total",
            format!("is 0, but {what} needs a positive background"),
            "for a background-free search use limit.method = \"poisson-cls\" (2.3 events at 90% CL), \"fixed\", or limit.statistic = \"poisson\" for a discovery",
        ));
    }
    if total.is_none()
        && photon_veto_inefficiency.is_none()
        && neutron.is_none()
        && raw.limit.method == LimitMethod::SqrtNb
    {
        return Err(invalid(
            "background",
            "no background is given: set background.total, or the photon and neutron inputs",
            "the sqrt-nb limit needs a positive background; use limit.method = \"poisson-cls\" or \"fixed\" for a background-free search",
        ));
    }
    Ok(BackgroundConfig {
        photon_veto_inefficiency,
        neutron,
        total,
        relative_uncertainty,
    })
}

/// The GEANT4 neutron-background inputs of [DPT Sec. 3.2].
fn validate_neutron(n: &super::raw::RawNeutron) -> Result<NeutronInputs, ScenarioError> {
    let simulated = within(
        "background.neutron.simulated_positrons",
        n.simulated_positrons,
        (1.0, 1e20),
        "positrons",
        "the GEANT4 sample size, 1e9 in [DPT Sec. 3.2]",
    )?;
    // Event counts of the GEANT4 sample, and absorption in interaction lengths
    // (P = exp(-(ecl_lambda + klm_lambda)); 0.75 and 3.9 in [DPT Sec. 3.2]).
    for (key, v, hi) in [
        (
            "background.neutron.single_neutron_events",
            n.single_neutron_events,
            simulated,
        ),
        (
            "background.neutron.multi_neutron_events",
            n.multi_neutron_events,
            simulated,
        ),
        ("background.neutron.ecl_lambda", n.ecl_lambda, 100.0),
        ("background.neutron.klm_lambda", n.klm_lambda, 100.0),
    ] {
        within(
            key,
            v,
            (0.0, hi),
            "",
            "see [DPT Sec. 3.2] for the paper's values; event counts cannot exceed the simulated positrons, and 100 interaction lengths absorb everything",
        )?;
    }
    if let Some(p) = n.escape_probability
        && !(p.is_finite() && p > 0.0 && p <= 1.0)
    {
        return Err(invalid(
            "background.neutron.escape_probability",
            format!(
                "must be a probability in (0, 1], got {}",
                crate::units::format_number(p)
            ),
            "leave it out to use exp(-(ecl_lambda + klm_lambda)); the paper rounds to 0.01",
        ));
    }
    Ok(NeutronInputs {
        simulated_positrons: simulated,
        single_neutron_events: n.single_neutron_events,
        multi_neutron_events: n.multi_neutron_events,
        ecl_lambda: n.ecl_lambda,
        klm_lambda: n.klm_lambda,
        escape_probability: n.escape_probability,
    })
}

fn validate_limit(raw: &RawScenario) -> Result<LimitCriterion, ScenarioError> {
    // Keys of another method may stay in a file, so that --set limit.method=... switches.
    let l = &raw.limit;
    match l.method {
        LimitMethod::SqrtNb => {
            let delta_chi2 = within(
                "limit.delta_chi2",
                l.delta_chi2.unwrap_or(2.71),
                (0.01, 100.0),
                "",
                "2.71 for the paper's 90% CL, one parameter's two-sided 90% interval (1 to 25 covers one to five sigma)",
            )?;
            Ok(LimitCriterion::SqrtBackground { delta_chi2 })
        }
        LimitMethod::Fixed => {
            let n = l.n_signal.ok_or_else(|| {
                invalid(
                    "limit.n_signal",
                    "is required with method = \"fixed\"",
                    "2.3 for zero background at 90% CL, 3 in [DPT App. F]",
                )
            })?;
            let n_signal = positive(
                "limit.n_signal",
                n,
                "events",
                "2.3 for zero background at 90% CL",
            )?;
            Ok(LimitCriterion::Fixed { n_signal })
        }
        LimitMethod::PoissonCls => {
            let cl = l.cl.unwrap_or(0.9);
            if !(cl.is_finite() && cl > 0.0 && cl < 1.0) {
                return Err(invalid(
                    "limit.cl",
                    format!(
                        "must be at least 0.5 and below 1, got {}",
                        crate::units::format_number(cl)
                    ),
                    "0.90 for a 90% CL limit",
                ));
            }
            if cl < 0.5 {
                return Err(invalid(
                    "limit.cl",
                    format!(
                        "{} is a confidence level below 50%, which makes no upper limit",
                        crate::units::format_number(cl)
                    ),
                    format!(
                        "limit.cl is the confidence level, not 1 - CL: {} for this one (0.90 for a 90% CL limit)",
                        crate::units::format_number(1.0 - cl)
                    ),
                ));
            }
            Ok(LimitCriterion::PoissonCls {
                cl,
                bands: l.bands.unwrap_or(false),
            })
        }
        LimitMethod::Discovery => {
            let z = positive(
                "limit.z",
                l.z.unwrap_or(5.0),
                "standard deviations",
                "5 for a discovery, 3 for evidence",
            )?;
            let statistic = l
                .statistic
                .unwrap_or(crate::limits::DiscoveryStatistic::Asimov);
            Ok(LimitCriterion::Discovery { z, statistic })
        }
    }
}

fn points(key: &str, n: i64, min: i64) -> Result<usize, ScenarioError> {
    if n < min {
        return Err(invalid(
            key,
            format!("must be at least {min}, got {n}"),
            "the number of scan points",
        ));
    }
    if n > MAX_SCAN_POINTS {
        return Err(invalid(
            key,
            format!("{n} points is more than the limit of {MAX_SCAN_POINTS}"),
            "a typo? A mass scan rarely needs more than a few thousand points",
        ));
    }
    usize::try_from(n).map_err(|_| invalid(key, "does not fit this machine", "use fewer points"))
}

/// A scan range `[lo, hi]`; for a mass scan (`mass`) both ends within [`MASS_RANGE_MEV`].
/// A scan range `[lo, hi]`; with `single` (one point) `lo` may equal `hi`.
fn range(
    key: &str,
    r: [f64; 2],
    log: bool,
    mass: bool,
    single: bool,
) -> Result<(f64, f64), ScenarioError> {
    let [lo, hi] = r;
    if mass {
        within(key, lo, MASS_RANGE_MEV, "MeV", MASS_WHY)?;
        within(key, hi, MASS_RANGE_MEV, "MeV", MASS_WHY)?;
    }
    if !(lo.is_finite() && hi.is_finite()) || (log && lo <= 0.0) {
        return Err(invalid(
            key,
            format!(
                "must be two finite{} numbers, got [{lo}, {hi}]",
                if log { " positive" } else { "" }
            ),
            "e.g. [1.0, 1000.0] in MeV",
        ));
    }
    if lo > hi || (lo == hi && !single) {
        return Err(invalid(
            key,
            format!("the range is empty or inverted: [{lo}, {hi}]"),
            "write [low, high], or [m, m] with points = 1 for one value",
        ));
    }
    if single && lo != hi {
        return Err(invalid(
            key,
            format!("one point is asked for, but the range [{lo}, {hi}] has two ends"),
            "give two points or more to scan the range, or write [m, m] for one value",
        ));
    }
    Ok((lo, hi))
}

fn validate_scan(s: &RawScan) -> Result<Scan, ScenarioError> {
    let first = s.parameter.split('.').next().unwrap_or_default();
    if s.parameter.is_empty() || s.parameter.split('.').any(str::is_empty) {
        return Err(invalid(
            "scan.parameter",
            "must be a dotted key such as \"model.mass_mev\"",
            "the key whose value the scan varies",
        ));
    }
    if ["scan", "curve", "output", "title"].contains(&first) {
        return Err(invalid(
            "scan.parameter",
            format!("'{}' cannot be scanned", s.parameter),
            "scan a numeric physics key, e.g. model.mass_mev, model.alpha_d, source.luminosity_ab, background.total",
        ));
    }
    let is_mass = s.parameter == MASS_KEY;
    let mut values = match (s.log_range, s.range) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "scan.range",
                "give either log_range or range, not both",
                "keep one: log_range spaces the points logarithmically, range linearly. A --set cannot remove the one the file has: edit the file, or --set that one",
            ));
        }
        (None, None) => {
            return Err(invalid(
                "scan.log_range",
                "the scan needs log_range or range",
                "e.g. log_range = [1.0, 1000.0]",
            ));
        }
        (Some(r), None) => {
            let (lo, hi) = range("scan.log_range", r, true, is_mass, s.points == 1)?;
            scan_values(lo, hi, points("scan.points", s.points, 1)?, true)
        }
        (None, Some(r)) => {
            let (lo, hi) = range("scan.range", r, false, is_mass, s.points == 1)?;
            scan_values(lo, hi, points("scan.points", s.points, 1)?, false)
        }
    };
    match (s.dense_range, s.dense_points) {
        (Some(r), Some(n)) => {
            let (lo, hi) = range("scan.dense_range", r, false, is_mass, n == 1)?;
            let dense = points("scan.dense_points", n, 1).map_err(|e| {
                e.with_hint(
                    "the extra points in scan.dense_range; to scan without them, delete \
                     dense_range and dense_points from the file (a --set cannot remove a key)",
                )
            })?;
            values.extend(scan_values(lo, hi, dense, false));
        }
        (Some(_), None) => {
            return Err(invalid(
                "scan.dense_points",
                "is required with dense_range",
                "e.g. dense_points = 121",
            ));
        }
        (None, Some(_)) => {
            return Err(invalid(
                "scan.dense_range",
                "is required with dense_points",
                "e.g. dense_range = [60.0, 90.0]",
            ));
        }
        (None, None) => {}
    }
    if let Some(bad) = values
        .iter()
        .find(|v| !(v.is_finite() && (**v > 0.0 || !is_mass)))
    {
        return Err(invalid(
            "scan",
            format!(
                "every mass must be positive, got {}",
                crate::units::format_number(*bad)
            ),
            "a mass scan needs a positive range",
        ));
    }
    values.sort_by(f64::total_cmp);
    values.dedup();
    Ok(Scan {
        parameter: s.parameter.clone(),
        values,
        logarithmic: s.log_range.is_some(),
    })
}

/// The `n` values of a scan from `lo` to `hi` (inclusive, the ends exactly the user's),
/// spaced evenly in `log10` or linearly. Logarithmic values are powers of ten, so decades come
/// out exact (1e-3, not 1.0000000000000002e-3); a linear value within round-off of a short
/// decimal (at most 12 significant digits) is that decimal: `range = [0.1, 1.0]` scans 0.3
/// and 0.7, not 0.30000000000000004 and 0.7000000000000001, and the CSV and summary say so.
/// Inner values move by at most a few units in the last place.
pub(crate) fn scan_values(lo: f64, hi: f64, n: usize, logarithmic: bool) -> Vec<f64> {
    if logarithmic {
        return spaced(lo.log10(), hi.log10(), n)
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                if i == 0 {
                    lo
                } else if i + 1 == n {
                    hi
                } else {
                    10f64.powf(e)
                }
            })
            .collect();
    }
    spaced(lo, hi, n)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let short: f64 = format!("{v:.11e}").parse().unwrap_or(v);
            if i > 0 && i + 1 < n && (short - v).abs() <= 4.0 * f64::EPSILON * v.abs() {
                short
            } else {
                v
            }
        })
        .collect()
}

/// `n` points from `lo` to `hi` inclusive (the ends exact).
fn spaced(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![lo];
    }
    (0..n)
        .map(|i| {
            if i + 1 == n {
                hi
            } else {
                lo + (hi - lo) * i as f64 / (n - 1) as f64
            }
        })
        .collect()
}

fn validate_numerics(raw: &RawScenario) -> Result<Resolution, ScenarioError> {
    let defaults = Resolution::default();
    let n = &raw.numerics;
    let intervals = |key: &str, v: Option<i64>, default: usize| -> Result<usize, ScenarioError> {
        match v {
            None => Ok(default),
            Some(v) if (8..=1_000_000).contains(&v) => Ok(usize::try_from(v).unwrap_or(default)),
            Some(v) => Err(invalid(
                key,
                format!("must be between 8 and 1000000, got {v}"),
                "the default is converged to 1e-4 in eps",
            )),
        }
    };
    let relative_tolerance = match n.relative_tolerance {
        None => defaults.relative_tolerance,
        Some(t) if t.is_finite() && t > 1e-14 && t <= 1e-2 => t,
        Some(t) => {
            return Err(invalid(
                "numerics.relative_tolerance",
                format!(
                    "must lie in (1e-14, 1e-2], got {}",
                    crate::units::format_number(t)
                ),
                "the default is 1e-5",
            ));
        }
    };
    let table_tolerance = match n.table_tolerance {
        None => defaults.table_tolerance,
        Some(t) if t.is_finite() && t > 1e-12 && t <= 0.1 => t,
        Some(t) => {
            return Err(invalid(
                "numerics.table_tolerance",
                format!(
                    "must lie in (1e-12, 0.1], got {}",
                    crate::units::format_number(t)
                ),
                "the default is 1e-3",
            ));
        }
    };
    Ok(Resolution {
        track_length_intervals: intervals(
            "numerics.track_length_intervals",
            n.track_length_intervals,
            defaults.track_length_intervals,
        )?,
        flux_intervals: intervals(
            "numerics.flux_intervals",
            n.flux_intervals,
            defaults.flux_intervals,
        )?,
        relative_tolerance,
        table_tolerance,
        interpolate_brem_in_mass: n
            .interpolate_brem_in_mass
            .unwrap_or(defaults.interpolate_brem_in_mass),
        annihilation_by_moments: n
            .annihilation_by_moments
            .unwrap_or(defaults.annihilation_by_moments),
        interpolate_annihilation_in_mass: n
            .interpolate_annihilation_in_mass
            .unwrap_or(defaults.interpolate_annihilation_in_mass),
    })
}

fn validate_bremsstrahlung(raw: &RawScenario) -> Result<BremRequest, ScenarioError> {
    let b = &raw.bremsstrahlung;
    let method = b.method.unwrap_or(BremMethodName::Computed);
    // limit_file and limit_n_signal may stay in a file for switching methods with --set.
    Ok(match method {
        BremMethodName::Computed => BremRequest::Computed,
        BremMethodName::None => BremRequest::Omitted,
        BremMethodName::RescaledLimit => {
            let curve = match (&b.limit_curve, &b.limit_file) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        "bremsstrahlung.limit_file",
                        "give limit_curve or limit_file, not both",
                        "limit_curve names a library curve",
                    ));
                }
                (Some(name), None) => CurveRef::Library(name.clone()),
                (None, Some(file)) => CurveRef::File(file.clone()),
                (None, None) => {
                    return Err(invalid(
                        "bremsstrahlung.limit_curve",
                        "rescaled-limit needs limit_curve (a library curve) or limit_file",
                        "e.g. limit_curve = \"darkcast/NA64_NA642019imj\"; darksens list shows the library",
                    ));
                }
            };
            let n_signal = positive(
                "bremsstrahlung.limit_n_signal",
                b.limit_n_signal.unwrap_or(2.3),
                "events",
                "signal events of the published limit, 2.3 for NA64",
            )?;
            BremRequest::RescaledLimit { curve, n_signal }
        }
    })
}

fn validate_overlay(k: usize, o: &super::raw::RawOverlay) -> Result<OverlayRequest, ScenarioError> {
    let key = |field: &str| format!("overlay[{}].{field}", k + 1);
    let is_table = |f: &str| {
        std::path::Path::new(f)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
    };
    // A HEPData table may be named as the curve too (it is a file, relative to the scenario).
    let file = o
        .file
        .clone()
        .or_else(|| o.curve.clone().filter(|c| is_table(c)));
    let curve = match (&o.curve, &o.file) {
        (Some(name), None) if !is_table(name) => CurveRef::Library(name.clone()),
        (None, Some(_)) | (Some(_), None) => CurveRef::File(file.clone().unwrap_or_default()),
        _ => {
            return Err(invalid(
                &key("curve"),
                "an overlay needs exactly one of curve (a library name) or file",
                "e.g. curve = \"darkcast/BaBar_Lees2017lec\"",
            ));
        }
    };
    let rescale = o
        .rescale_luminosity
        .as_ref()
        .map(|r| {
            let from = positive(
                &key("rescale_luminosity.from_ab"),
                r.from_ab,
                "ab^-1",
                "luminosity of the published curve",
            )?;
            let to = positive(
                &key("rescale_luminosity.to_ab"),
                r.to_ab,
                "ab^-1",
                "luminosity to rescale to",
            )?;
            Ok((from, to))
        })
        .transpose()?;
    let dependent = o.dependent.as_ref().map(|d| match d {
        super::raw::RawDependent::Position(n) => n.to_string(),
        super::raw::RawDependent::Name(name) => name.clone(),
    });
    if dependent.is_some() && !file.as_deref().is_some_and(is_table) {
        return Err(invalid(
            &key("dependent"),
            "dependent chooses a variable of a HEPData table; this overlay has no .yaml file",
            "give file = \"Table1.yaml\" (a table's data file), or remove dependent",
        ));
    }
    Ok(OverlayRequest {
        index: k,
        curve,
        label: o.label.clone(),
        style: o.style,
        rescale,
        dependent,
        for_orientation: o.for_orientation.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_scan_points_are_the_decimals_a_user_wrote_and_others_are_kept() {
        let tenths = scan_values(0.1, 1.0, 10, false);
        assert_eq!(
            tenths,
            [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
            "the plain spacing gives 0.30000000000000004, 0.7000000000000001, 0.7999999999999999"
        );
        // No short decimal within round-off: the spaced value itself.
        let thirds = scan_values(0.0, 1.0, 4, false);
        assert_eq!(thirds[1], 1.0 / 3.0);
        assert_eq!(thirds[2], 2.0 / 3.0);
        // The ends are never moved.
        let lo = 0.1 + 0.2;
        assert_ne!(lo, 0.3);
        let ends = scan_values(lo, 0.9, 3, false);
        assert_eq!((ends[0], ends[2]), (lo, 0.9));
    }

    #[test]
    fn logarithmic_scan_points_hit_the_decades() {
        let decades = scan_values(1e-6, 1e-2, 9, true);
        assert_eq!(decades[2], 1e-5);
        assert_eq!(decades[4], 1e-4);
        assert_eq!(decades[6], 1e-3);
        // exp-spacing gives 9.999999999999997e-6 and 1.0000000000000004e-4 here
        assert!(decades.windows(2).all(|w| w[0] < w[1]));
    }
}
