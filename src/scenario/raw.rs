//! The scenario file as written: serde structs that mirror the TOML, unknown keys rejected.

use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Plot title and summary heading.
    pub title: Option<String>,
    /// Where the positrons come from.
    pub source: RawSource,
    /// The target they hit.
    pub target: RawTarget,
    /// The dark-sector model.
    pub model: RawModel,
    /// Background inputs.
    #[serde(default)]
    pub background: RawBackground,
    /// Limit criterion.
    pub limit: RawLimit,
    /// The scan (required by `darksens scan`).
    pub scan: Option<RawScan>,
    /// Curves: the base scenario with overrides.
    #[serde(default, rename = "curve")]
    pub curves: Vec<RawCurve>,
    /// Output files.
    #[serde(default)]
    pub output: RawOutput,
    /// Numerical resolution.
    #[serde(default)]
    pub numerics: RawNumerics,
    /// How bremsstrahlung is obtained.
    #[serde(default)]
    pub bremsstrahlung: RawBremsstrahlung,
    /// Published limits drawn on the plot.
    #[serde(default, rename = "overlay")]
    pub overlays: Vec<RawOverlay>,
    /// Materials defined by the scenario (`[[material]]`), usable wherever a built-in is.
    #[serde(default, rename = "material", skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<RawMaterial>,
}

/// `[[material]]`: a material given by density and composition.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaterial {
    /// The name `target.material` and `target.layer` use.
    pub name: String,
    /// Density, g/cm^3.
    pub density_g_cm3: f64,
    /// Atoms per formula unit by element symbol, e.g. `{ Si = 1, O = 2 }`.
    pub composition: std::collections::BTreeMap<String, f64>,
    /// Radiation length, cm (default: Tsai's formula for the composition).
    pub x0_cm: Option<f64>,
}

/// `[[overlay]]`: a published curve drawn on the plot.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOverlay {
    /// A curve of the limit library, e.g. `"darkcast/BaBar_Lees2017lec"`.
    pub curve: Option<String>,
    /// Or a file (`.csv` `mass_gev,epsilon`, `.lmt`, or a HEPData table `.yaml`), relative to
    /// the scenario file.
    pub file: Option<String>,
    /// For a HEPData table: the dependent variable, by position (1 for the first) or name.
    pub dependent: Option<RawDependent>,
    /// Legend label (default: the curve's experiment and year, or the file name).
    pub label: Option<String>,
    /// `"excluded"` (shaded region above the curve, the default) or `"line"`.
    pub style: Option<OverlayStyle>,
    /// Luminosity rescaling `eps ~ L^(-1/4)` from `from_ab` to `to_ab`.
    pub rescale_luminosity: Option<RawRescale>,
    /// `true`: drawn knowingly on a plot of another mediator or decay than the curve constrains
    /// (labelled so), without the scan's warning.
    pub for_orientation: Option<bool>,
}

/// A dependent variable of a HEPData table: its position (from 1) or its name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawDependent {
    /// Position, 1 for the first.
    Position(u64),
    /// Name, or a unique part of it.
    Name(String),
}

/// How an overlay is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverlayStyle {
    /// Shaded region above the curve (an existing exclusion).
    Excluded,
    /// A dashed line (a projection).
    Line,
}

/// `rescale_luminosity = { from_ab = 0.02, to_ab = 50.0 }`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRescale {
    /// Luminosity of the published curve, ab^-1.
    pub from_ab: f64,
    /// Luminosity to rescale to, ab^-1.
    pub to_ab: f64,
}

/// `[bremsstrahlung]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBremsstrahlung {
    /// `"computed"` (default), `"rescaled-limit"` or `"none"`.
    pub method: Option<BremMethodName>,
    /// For `rescaled-limit`: a published limit curve file (`.csv` with `mass_gev,epsilon`, or a
    /// DarkCast `.lmt`), relative to the scenario file.
    pub limit_file: Option<String>,
    /// For `rescaled-limit`: a curve of the limit library, e.g. `"darkcast/NA64_NA642019imj"`.
    pub limit_curve: Option<String>,
    /// For `rescaled-limit`: signal events of the published limit (default 2.3).
    pub limit_n_signal: Option<f64>,
}

/// Bremsstrahlung methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BremMethodName {
    /// [DPT Eq. 4.5-4.7].
    Computed,
    /// `N_bre = n eps^2/eps_bre^2` from a published curve [DPT Eq. C.1].
    RescaledLimit,
    /// Annihilation only.
    None,
}

/// `[source]`: a collider (`kind = "collider-bhabha"`) or a beam (`kind = "electron-beam"`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// Source kind.
    pub kind: SourceKind,
    /// Collider: electron beam energy, GeV.
    pub electron_energy_gev: Option<f64>,
    /// Collider: positron beam energy, GeV.
    pub positron_energy_gev: Option<f64>,
    /// Collider: integrated luminosity, ab^-1.
    pub luminosity_ab: Option<f64>,
    /// Collider: smallest lab polar angle of the selected particle, degrees.
    pub theta_min_deg: Option<f64>,
    /// Collider: largest lab polar angle of the selected particle, degrees.
    pub theta_max_deg: Option<f64>,
    /// Collider: full crossing angle of the beams, mrad (default 0, head-on as in \[DPT\]; 83 at
    /// SuperKEKB). Analytic Bhabha spectrum only.
    pub crossing_angle_mrad: Option<f64>,
    /// Collider: relative rms spread of the electron beam's energy (default 0).
    pub electron_energy_spread: Option<f64>,
    /// Collider: relative rms spread of the positron beam's energy (default 0).
    pub positron_energy_spread: Option<f64>,
    /// Collider: the selected final-state particle (`"positron"`, or `"electron"` for the
    /// control sample).
    pub particle: Option<crate::showers::track_length::Incident>,
    /// Collider: the spectrum, `"bhabha"` (default), `{ table = "file.csv" }` or
    /// `{ lhe = "events.lhe", bins = 40, min_energy_gev = 0.0 }` (checked in validation).
    pub spectrum: Option<toml::Value>,
    /// Beam: energy, GeV.
    pub beam_energy_gev: Option<f64>,
    /// Electron beam: electrons on target.
    pub electrons_on_target: Option<f64>,
    /// Positron beam: positrons on target.
    pub positrons_on_target: Option<f64>,
    /// Beam: signal efficiency (default 1).
    pub efficiency: Option<f64>,
    /// Positron beam: relative rms spread of the beam energy, Gaussian (default 0).
    pub energy_spread: Option<f64>,
}

/// Kinds of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Bhabha positrons (or electrons) at an asymmetric e+e- collider [DPT Eq. 2.1-2.2].
    ColliderBhabha,
    /// A mono-energetic electron beam on a fixed target (NA64, [DPT App. C]).
    ElectronBeam,
    /// A mono-energetic positron beam on a fixed target (NA64 with positrons).
    PositronBeam,
}

impl SourceKind {
    /// Scenario names of all source kinds.
    pub const NAMES: [&'static str; 3] = ["collider-bhabha", "electron-beam", "positron-beam"];
}

/// `[target]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// Material name (a built-in such as `CsI`, `Pb`, `W`, or a `[[material]]`).
    pub material: String,
    /// Thickness for the annihilation track length, radiation lengths (default 16 for a
    /// collider, the Belle II ECL; 40 for a beam, the NA64 ECAL).
    pub thickness_x0: Option<f64>,
    /// Thickness for the annihilation track length, cm (or `thickness_x0`).
    pub thickness_cm: Option<f64>,
    /// Thickness for the bremsstrahlung track length, radiation lengths ([DPT Eq. 4.5] uses 1;
    /// by default 1, or the whole target when it is thinner).
    pub brem_thickness_x0: Option<f64>,
    /// Largest visible fraction of the positron energy.
    #[serde(default = "default_visible_fraction")]
    pub max_visible_fraction: f64,
    /// Track length within `1 - E'/E` below this is dropped (0 = exact; 1e-3 reproduces the paper).
    #[serde(default)]
    pub min_energy_loss_fraction: f64,
    /// How the second generation is counted: one positron per conversion (default) or
    /// [DPT Eq. A.3] as printed.
    #[serde(default)]
    pub second_generation: crate::showers::track_length::SecondGenerationModel,
    /// Particles counted per conversion with `second_generation = "tsai-whitis-pairs"`
    /// [DPT Eq. A.3] (2 when absent).
    #[serde(default)]
    pub second_generation_multiplicity: Option<f64>,
    /// Target electrons at rest \[DPT\] or bound and moving (Compton profiles).
    #[serde(default)]
    pub atomic_electrons: crate::materials::compton::AtomicElectrons,
    /// Whether the pair radiates before it annihilates (Kuraev–Fadin; default true, \[DPT\]:
    /// false).
    #[serde(default = "default_initial_state_radiation")]
    pub initial_state_radiation: bool,
    /// Layers in front of the target, in the order the particles cross them (`[[target.layer]]`).
    #[serde(default, rename = "layer", skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<RawLayer>,
}

/// `[[target.layer]]`: material in front of the target.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLayer {
    /// Material name (a built-in or a `[[material]]`).
    pub material: String,
    /// Thickness, cm (or `thickness_x0`).
    pub thickness_cm: Option<f64>,
    /// Thickness, radiation lengths of the material (or `thickness_cm`).
    pub thickness_x0: Option<f64>,
    /// Whether annihilation in this layer counts as signal (default true).
    #[serde(default = "default_signal")]
    pub signal: bool,
}

fn default_signal() -> bool {
    true
}

fn default_initial_state_radiation() -> bool {
    true
}

fn default_visible_fraction() -> f64 {
    0.05
}
/// `[model]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// Mediator kind.
    pub mediator: crate::models::MediatorKind,
    /// How it decays: `"invisible"` (default) or `"visible"` (to `e+ e-`).
    #[serde(default)]
    pub decay: crate::models::Decay,
    /// Dark coupling alpha_D (invisible decays).
    pub alpha_d: Option<f64>,
    /// m_chi / m_mediator (invisible decays).
    pub mchi_over_mmed: Option<f64>,
    /// Vector coupling to electrons, `g_ve = eps e`: the coupling at which events are given.
    pub g_ve: Option<f64>,
    /// Mediator mass, MeV (set by the scan or `--mass-mev`).
    pub mass_mev: Option<f64>,
}

/// `[background]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackground {
    /// KLM veto inefficiency for punch-through photons.
    pub photon_veto_inefficiency: Option<f64>,
    /// Neutron estimate inputs.
    pub neutron: Option<RawNeutron>,
    /// Total expected background; replaces the computed one.
    pub total: Option<f64>,
    /// Relative uncertainty of the background (log-normal), default 0.
    pub relative_uncertainty: Option<f64>,
}

/// `[background.neutron]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawNeutron {
    /// Simulated positrons.
    pub simulated_positrons: f64,
    /// Selected events with one neutron.
    pub single_neutron_events: f64,
    /// Selected events with several neutrons.
    pub multi_neutron_events: f64,
    /// Remaining ECL depth, hadronic interaction lengths.
    pub ecl_lambda: f64,
    /// KLM depth, hadronic interaction lengths.
    pub klm_lambda: f64,
    /// Escape probability replacing `exp(-(ecl_lambda + klm_lambda))`.
    pub escape_probability: Option<f64>,
}

/// `[limit]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimit {
    /// `"sqrt-nb"`, `"fixed"`, `"poisson-cls"` or `"discovery"`.
    pub method: LimitMethod,
    /// Delta chi^2 for `sqrt-nb` (default 2.71).
    pub delta_chi2: Option<f64>,
    /// Required signal events for `fixed`.
    pub n_signal: Option<f64>,
    /// Confidence level for `poisson-cls` (default 0.90).
    pub cl: Option<f64>,
    /// Expected bands for `poisson-cls` (default false).
    pub bands: Option<bool>,
    /// Significance for `discovery` (default 5).
    pub z: Option<f64>,
    /// `"asimov"` (default) or `"poisson"` for `discovery`.
    pub statistic: Option<crate::limits::DiscoveryStatistic>,
}

/// Limit methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitMethod {
    /// `N_s/sqrt(N_b) = sqrt(delta_chi2)`.
    SqrtNb,
    /// Fixed `N_s`.
    Fixed,
    /// Exact Poisson CLs.
    PoissonCls,
    /// Discovery reach.
    Discovery,
}

/// `[scan]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScan {
    /// Scanned key (`model.mass_mev`).
    pub parameter: String,
    /// Logarithmically spaced range `[lo, hi]`.
    pub log_range: Option<[f64; 2]>,
    /// Linearly spaced range `[lo, hi]`.
    pub range: Option<[f64; 2]>,
    /// Number of points of the main range.
    pub points: i64,
    /// Extra linearly spaced points, e.g. across a resonance.
    pub dense_range: Option<[f64; 2]>,
    /// Number of points of the dense range.
    pub dense_points: Option<i64>,
}

/// `[[curve]]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCurve {
    /// Legend label and CSV `curve` value.
    pub label: String,
    /// Overrides by dotted key.
    #[serde(default)]
    pub set: toml::Table,
}

/// `[output]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// CSV path (default `out/<scenario name>.csv`).
    pub csv: Option<String>,
    /// PNG path (default `out/<scenario name>.png`).
    pub png: Option<String>,
    /// SVG path (optional vector copy of the plot).
    pub svg: Option<String>,
}

/// `[numerics]`: resolution of tables and integrals (defaults are converged to 1e-4 in eps).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawNumerics {
    /// Intervals of the track-length tables.
    pub track_length_intervals: Option<i64>,
    /// Intervals per segment of the annihilation flux table.
    pub flux_intervals: Option<i64>,
    /// Relative tolerance of each per-mass integral.
    pub relative_tolerance: Option<f64>,
    /// Largest accepted table error bound (relative to the table's largest value).
    pub table_tolerance: Option<f64>,
    /// Interpolate the bremsstrahlung integral in the mass where it is smooth.
    pub interpolate_brem_in_mass: Option<bool>,
    /// Integrate the cross section against Chebyshev moments of the effective flux.
    pub annihilation_by_moments: Option<bool>,
    /// Interpolate the annihilation yield in the mass where it is smooth, in large mass scans.
    pub interpolate_annihilation_in_mass: Option<bool>,
}
