//! Scenarios of an emulsion detector near an `e+ e-` collider for inelastic dark matter \[EMU\]:
//! `[source] kind = "ee-collider"`, `[model] kind = "inelastic-scalar"`, one `[[detector]]`
//! table per box, `[monte_carlo]`, `[limit]`, `[background]`. docs/scenario.md documents every
//! key.

use super::checks::{invalid, positive, within};
use super::resolve::Resolver;
use super::validate::CurveRef;
use crate::detectors::emulsion::{DetectorBox, EMU_DEPTH_M, Hemisphere};
use crate::error::ScenarioError;
use crate::models::inelastic::InelasticScalar;
use crate::processes::collider_production::OffShellNormalisation;
use crate::signal::emulsion::{BabarConditions, EmulsionSetup};
use crate::sources::phi1::{MonteCarlo, Production};
use crate::units::{ELECTRON_MASS_GEV, format_number};
use serde::{Deserialize, Serialize};

/// The value of `source.kind` that makes a scenario an emulsion scenario.
pub const SOURCE_KIND: &str = "ee-collider";

/// A whole emulsion scenario file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmulsionScenario {
    /// Title.
    pub title: Option<String>,
    /// The collider.
    pub source: RawCollider,
    /// The model point.
    pub model: RawInelasticModel,
    /// The detector boxes.
    #[serde(rename = "detector")]
    pub detectors: Vec<RawDetector>,
    /// Monte Carlo settings.
    #[serde(default)]
    pub monte_carlo: RawMonteCarlo,
    /// Exclusion criterion.
    #[serde(default)]
    pub limit: RawEmulsionLimit,
    /// Background inputs.
    #[serde(default)]
    pub background: RawEmulsionBackground,
    /// BaBar's conditions [EMU Eq. 22-23] from the user's limit files.
    #[serde(default)]
    pub babar: RawBabar,
    /// The two-parameter scan (required by `darksens scan`).
    pub scan: Option<RawEmulsionScan>,
    /// Output files.
    #[serde(default)]
    pub output: super::raw::RawOutput,
}

/// `[babar]`: the regions BaBar's searches exclude under this model [EMU Eq. 22-23], from limit
/// files the user supplies (CSV `mass_gev,epsilon` or DarkCast `.lmt`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBabar {
    /// `eps_1(m_A')` of the `A' -> l l` search: excluded if `eps > eps_1 / sqrt(BR(A' -> l l))`.
    pub lepton_limit: Option<String>,
    /// `eps_2(m_A')` of the mono-photon (invisible) search: excluded if
    /// `eps > eps_2 exp(min_flight_m / (2 d))`.
    pub invisible_limit: Option<String>,
    /// How far `phi1` must fly for a mono-photon event, m (2 [EMU Sec. 10]).
    pub min_flight_m: Option<f64>,
}

/// `[scan]` of an emulsion scenario: a grid over two keys.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmulsionScan {
    /// Horizontal axis.
    pub x: RawGridAxis,
    /// Vertical axis (a coupling: `model.epsilon` or `model.g_d`).
    pub y: RawGridAxis,
}

/// One axis of the grid.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGridAxis {
    /// The key, e.g. `"model.g_d"`.
    pub parameter: String,
    /// Logarithmically spaced values from the first to the second.
    pub log_range: Option<[f64; 2]>,
    /// Or linearly spaced.
    pub range: Option<[f64; 2]>,
    /// Number of values.
    pub points: i64,
}

/// The keys a grid can scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridParameter {
    /// `model.epsilon`.
    Epsilon,
    /// `model.g_d`.
    GD,
    /// `model.m_aprime_gev`.
    MAprime,
    /// `model.m1_gev`.
    M1,
    /// `model.m2_gev` (with `m1` fixed).
    M2,
    /// `model.splitting_over_m2`: `(m1 - m2)/m2`, setting `m1 = m2 (1 + x)` [EMU Fig. 15].
    SplittingOverM2,
    /// `detector.distance_m`: the box moves along its line of sight (its polar angle kept).
    Distance,
    /// `detector.offset_m`: the face centre's distance from the beam axis (the distance kept).
    Offset,
    /// `detector.polar_angle_deg`: the line of sight's angle from the electron beam, 0 to 180
    /// degrees (the distance kept; beyond 90 degrees the box is backward).
    PolarAngle,
}

impl GridParameter {
    /// Every key with its parameter.
    pub const ALL: [(&'static str, Self); 9] = [
        ("model.epsilon", Self::Epsilon),
        ("model.g_d", Self::GD),
        ("model.m_aprime_gev", Self::MAprime),
        ("model.m1_gev", Self::M1),
        ("model.m2_gev", Self::M2),
        ("model.splitting_over_m2", Self::SplittingOverM2),
        ("detector.distance_m", Self::Distance),
        ("detector.offset_m", Self::Offset),
        ("detector.polar_angle_deg", Self::PolarAngle),
    ];

    /// The scenario key.
    #[must_use]
    pub fn key(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("", |(k, _)| k)
    }

    /// The CSV column (the key without `model.`; `detector_` before a placement).
    #[must_use]
    pub fn column(self) -> &'static str {
        match self {
            Self::Distance => "detector_distance_m",
            Self::Offset => "detector_offset_m",
            Self::PolarAngle => "detector_polar_angle_deg",
            _ => self.key().trim_start_matches("model."),
        }
    }

    /// Whether it places the box (the scenario's one `[[detector]]`).
    #[must_use]
    pub fn is_placement(self) -> bool {
        matches!(self, Self::Distance | Self::Offset | Self::PolarAngle)
    }

    /// The box with this placement parameter set to `value` (unchanged for a model key).
    #[must_use]
    pub fn place(self, b: &DetectorBox, value: f64) -> DetectorBox {
        let mut placed = b.clone();
        match self {
            Self::Distance => {
                placed.offset_m = b.offset_m * value / b.distance_m;
                placed.distance_m = value;
            }
            Self::Offset => placed.offset_m = value,
            Self::PolarAngle => {
                placed.offset_m = b.distance_m * value.to_radians().sin().clamp(0.0, 1.0);
                placed.hemisphere = if value <= 90.0 {
                    Hemisphere::Forward
                } else {
                    Hemisphere::Backward
                };
            }
            _ => {}
        }
        placed
    }

    /// The largest value a coupling may take: `eps = 1`, and `g_D = sqrt(4 pi)` (`alpha_D = 1`);
    /// `None` for the other keys. An excluded region that reaches it ends there: it does not
    /// go on beyond the scan.
    #[must_use]
    pub fn largest_allowed(self) -> Option<f64> {
        match self {
            Self::Epsilon => Some(1.0),
            Self::GD => Some((4.0 * std::f64::consts::PI).sqrt()),
            _ => None,
        }
    }

    /// Whether it is a coupling (the masses, and so the acceptances, do not change).
    #[must_use]
    pub fn is_coupling(self) -> bool {
        matches!(self, Self::Epsilon | Self::GD)
    }

    /// The model with this parameter set to `value` (unchanged for a placement).
    #[must_use]
    pub fn apply(self, model: &InelasticScalar, value: f64) -> InelasticScalar {
        let mut m = *model;
        match self {
            Self::Epsilon => m.epsilon = value,
            Self::GD => m.g_d = value,
            Self::MAprime => m.m_aprime_gev = value,
            Self::M1 => m.m1_gev = value,
            Self::M2 => m.m2_gev = value,
            Self::SplittingOverM2 => m.m1_gev = m.m2_gev * (1.0 + value),
            Self::Distance | Self::Offset | Self::PolarAngle => {}
        }
        m
    }
}

/// One validated axis.
#[derive(Debug, Clone, PartialEq)]
pub struct GridAxis {
    /// The key.
    pub parameter: GridParameter,
    /// Its values, in order.
    pub values: Vec<f64>,
    /// Logarithmic spacing.
    pub logarithmic: bool,
}

/// The validated two-parameter scan.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulsionScan {
    /// Horizontal axis.
    pub x: GridAxis,
    /// Vertical axis (a coupling).
    pub y: GridAxis,
}

/// Output paths.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulsionOutput {
    /// Grid CSV (the boundary goes to `<stem>.boundary.csv`, the sidecar to `<stem>.meta.json`).
    pub csv: std::path::PathBuf,
    /// PNG.
    pub png: std::path::PathBuf,
    /// SVG, when asked for.
    pub svg: Option<std::path::PathBuf>,
}

/// Largest number of grid cells (a guard against typos).
const MAX_GRID_CELLS: i64 = 4_000_000;

fn grid_axis(raw: &RawGridAxis, axis: &str) -> Result<GridAxis, ScenarioError> {
    let key = |field: &str| format!("scan.{axis}.{field}");
    let names: Vec<&str> = GridParameter::ALL.iter().map(|(k, _)| *k).collect();
    let parameter = GridParameter::ALL
        .iter()
        .find(|(k, _)| *k == raw.parameter)
        .map(|(_, p)| *p)
        .ok_or_else(|| {
            invalid(
                &key("parameter"),
                format!("'{}' cannot be scanned", raw.parameter),
                format!("one of {}", names.join(", ")),
            )
        })?;
    let (ends, logarithmic) = match (raw.log_range, raw.range) {
        (Some(r), None) => (r, true),
        (None, Some(r)) => (r, false),
        _ => {
            return Err(invalid(
                &key("log_range"),
                "give either log_range or range",
                "e.g. log_range = [1e-6, 1e-2]",
            ));
        }
    };
    let [a, b] = ends;
    if !(a.is_finite() && b.is_finite() && a < b && (!logarithmic || a > 0.0)) {
        return Err(invalid(
            &key(if logarithmic { "log_range" } else { "range" }),
            format!(
                "[{}, {}] must be increasing (and positive for log_range)",
                crate::units::format_number(a),
                crate::units::format_number(b)
            ),
            "e.g. log_range = [1e-6, 1e-2]",
        ));
    }
    if parameter.is_coupling() {
        let key = key(if logarithmic { "log_range" } else { "range" });
        for end in [a, b] {
            coupling(&key, parameter, end).map_err(|e| {
                invalid(
                    &key,
                    format!("{} {}", parameter.key(), e.message),
                    e.hint.unwrap_or_default(),
                )
            })?;
        }
    }
    if !(2..=10_000).contains(&raw.points) {
        return Err(invalid(
            &key("points"),
            format!("must be from 2 to 10000, got {}", raw.points),
            "e.g. 61",
        ));
    }
    let n = usize::try_from(raw.points).expect("checked: from 2 to 10000");
    let values = super::validate::scan_values(a, b, n, logarithmic);
    Ok(GridAxis {
        parameter,
        values,
        logarithmic,
    })
}

/// `[source]` of an emulsion scenario.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCollider {
    /// Must be `"ee-collider"`.
    pub kind: String,
    /// Centre-of-mass energy, GeV.
    pub sqrt_s_gev: f64,
    /// Integrated luminosity, ab^-1.
    pub luminosity_ab: f64,
    /// Velocity of the centre-of-mass frame along the electron beam (0: the paper's treatment).
    pub boost_beta: Option<f64>,
}

/// How `phi1` is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProductionName {
    /// `e+ e- -> gamma A'`, `A' -> phi1 phi2`.
    OnShell,
    /// `e+ e- -> A'* -> phi1 phi2`.
    OffShell,
}

/// `[model]` of an emulsion scenario.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInelasticModel {
    /// Must be `"inelastic-scalar"`.
    pub kind: String,
    /// Dark-photon mass, GeV.
    pub m_aprime_gev: f64,
    /// Heavier dark state, GeV.
    pub m1_gev: f64,
    /// Lighter dark state, GeV.
    pub m2_gev: f64,
    /// Kinetic mixing.
    pub epsilon: f64,
    /// Dark gauge coupling.
    pub g_d: f64,
    /// On- or off-shell production.
    pub production: ProductionName,
    /// Off shell: `"derived"` (1/16, default) or `"printed"` (1/32) [EMU Eq. 5].
    pub off_shell_normalisation: Option<OffShellNormalisation>,
}

/// `[[detector]]`: one box.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDetector {
    /// Name.
    pub name: String,
    /// IP to the face centre, m.
    pub distance_m: f64,
    /// Face centre from the beam axis, m.
    pub offset_m: f64,
    /// Face side along the polar direction, m.
    pub face_polar_m: f64,
    /// Face side along the azimuth, m.
    pub face_azimuthal_m: f64,
    /// Depth, m (1.32).
    pub depth_m: Option<f64>,
    /// Azimuth of the face centre, degrees (0).
    pub azimuth_deg: Option<f64>,
    /// `"forward"` (along the electron beam, default) or `"backward"`.
    pub hemisphere: Option<Hemisphere>,
    /// Probability that a decay inside is detected, in (0, 1] (1).
    pub efficiency: Option<f64>,
}

/// `[monte_carlo]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMonteCarlo {
    /// Events (4e6).
    pub events: Option<i64>,
    /// Seed (1).
    pub seed: Option<i64>,
    /// Keep the `A'` spin correlation (true).
    pub spin_correlation: Option<bool>,
    /// The probability to decay inside each box event by event (true), or factorised as in
    /// [EMU Eq. 20-21] (false).
    pub decay_in_volume: Option<bool>,
}

/// `[limit]` of an emulsion scenario.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmulsionLimit {
    /// Signal events excluded at 90% CL with no background (2.3).
    pub n_signal: Option<f64>,
}

/// `[background]` of an emulsion scenario: K_L from the IP through the shield.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmulsionBackground {
    /// K_L heading for the detector over the run (from a simulation of the experiment).
    pub kl_toward_detector: Option<f64>,
    /// Probability that one of them crosses the shield (4e-8 for 1.3 m of tungsten [EMU 9.3]).
    pub kl_transmission: Option<f64>,
}

/// A validated emulsion scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulsionScenario {
    /// Title.
    pub title: String,
    /// Integrated luminosity, ab^-1 (as written; the setup holds it in pb^-1).
    pub luminosity_ab: f64,
    /// The collisions, the boxes and the Monte Carlo.
    pub setup: EmulsionSetup,
    /// The model point.
    pub model: InelasticScalar,
    /// Signal events excluded at 90% CL.
    pub n_signal: f64,
    /// K_L reaching the detector: `(toward the detector, transmission)`, when given.
    pub kl: Option<(f64, f64)>,
    /// BaBar's conditions [EMU Eq. 22-23].
    pub babar: BabarConditions,
    /// The two-parameter scan, when given.
    pub scan: Option<EmulsionScan>,
    /// Output paths.
    pub output: EmulsionOutput,
}

/// An emulsion scenario checked without reading a file: the BaBar limit files still as
/// requests ([`resolve`] reads them into `scenario.babar`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValidatedEmulsion {
    /// The scenario, `babar` without its curves.
    scenario: EmulsionScenario,
    /// `eps_1(m)` [EMU Eq. 22], a file relative to the scenario.
    lepton_limit: Option<String>,
    /// `eps_2(m)` [EMU Eq. 23], a file relative to the scenario.
    invisible_limit: Option<String>,
}

/// Reads the BaBar limit files of a validated emulsion scenario.
///
/// # Errors
/// A file that cannot be read, naming its key.
pub(crate) fn resolve(
    validated: ValidatedEmulsion,
    resolver: &Resolver,
) -> Result<EmulsionScenario, ScenarioError> {
    let read = |key: &str, file: Option<String>| {
        file.map(|f| {
            resolver.limit(&CurveRef::File(f)).map_err(|m| {
                invalid(
                    key,
                    m.to_string(),
                    "a limit file: CSV with columns mass_gev,epsilon, or a DarkCast .lmt; paths are relative to the scenario file",
                )
            })
        })
        .transpose()
    };
    let mut scenario = validated.scenario;
    scenario.babar.lepton = read("babar.lepton_limit", validated.lepton_limit)?;
    scenario.babar.invisible = read("babar.invisible_limit", validated.invisible_limit)?;
    Ok(scenario)
}

/// Validates an emulsion scenario, reading no file.
///
/// # Errors
/// The first key with an unphysical or inconsistent value.
pub(crate) fn validate(
    raw: &RawEmulsionScenario,
    name: &str,
) -> Result<ValidatedEmulsion, ScenarioError> {
    let (sqrt_s, luminosity_ab, boost_beta) = validate_collider(&raw.source)?;
    let (model, production) = validate_model(&raw.model, sqrt_s)?;
    let detectors = validate_detectors(&raw.detectors)?;
    let monte_carlo = validate_monte_carlo(&raw.monte_carlo, boost_beta)?;
    let n_signal = positive(
        "limit.n_signal",
        raw.limit.n_signal.unwrap_or(2.3),
        "",
        "signal events excluded at 90% CL with no background: 2.3",
    )?;
    let kl = validate_kl(&raw.background)?;
    let scan = raw
        .scan
        .as_ref()
        .map(|scan| validate_grid(scan, &detectors))
        .transpose()?;
    let output = EmulsionOutput {
        csv: raw.output.csv.clone().map_or_else(
            || std::path::PathBuf::from(format!("out/{name}.csv")),
            std::path::PathBuf::from,
        ),
        png: raw.output.png.clone().map_or_else(
            || std::path::PathBuf::from(format!("out/{name}.png")),
            std::path::PathBuf::from,
        ),
        svg: raw.output.svg.clone().map(std::path::PathBuf::from),
    };
    let babar = BabarConditions {
        lepton: None,
        invisible: None,
        min_flight_m: positive(
            "babar.min_flight_m",
            raw.babar.min_flight_m.unwrap_or(2.0),
            "",
            "how far phi1 must fly for BaBar's mono-photon search, m (2)",
        )?,
    };
    let scenario = EmulsionScenario {
        babar,
        scan,
        output,
        title: raw.title.clone().unwrap_or_else(|| name.to_string()),
        luminosity_ab,
        setup: EmulsionSetup {
            sqrt_s_gev: sqrt_s,
            luminosity_pb: luminosity_ab * 1e6,
            production,
            normalisation: raw
                .model
                .off_shell_normalisation
                .unwrap_or(OffShellNormalisation::Derived),
            detectors,
            monte_carlo,
            decay_in_volume: raw.monte_carlo.decay_in_volume.unwrap_or(true),
        },
        model,
        n_signal,
        kl,
    };
    Ok(ValidatedEmulsion {
        scenario,
        lepton_limit: raw.babar.lepton_limit.clone(),
        invisible_limit: raw.babar.invisible_limit.clone(),
    })
}

/// `[source]`: the centre-of-mass energy, the luminosity (ab^-1) and the boost.
fn validate_collider(source: &RawCollider) -> Result<(f64, f64, f64), ScenarioError> {
    if source.kind != SOURCE_KIND {
        return Err(invalid(
            "source.kind",
            format!("'{}' is not an emulsion source", source.kind),
            "an emulsion scenario has source.kind = \"ee-collider\"",
        ));
    }
    let sqrt_s = within(
        "source.sqrt_s_gev",
        source.sqrt_s_gev,
        (0.01, 1e3),
        "GeV",
        "the centre-of-mass energy (3.773 at BESIII, 10.58 at Belle II); darksens is tested up to 1 TeV",
    )?;
    let luminosity_ab = positive(
        "source.luminosity_ab",
        source.luminosity_ab,
        "",
        "the integrated luminosity in ab^-1 (0.1 = 100 fb^-1 at BESIII, 50 at Belle II)",
    )?;
    let boost_beta = source.boost_beta.unwrap_or(0.0);
    if !(boost_beta.is_finite() && boost_beta.abs() < 1.0) {
        return Err(invalid(
            "source.boost_beta",
            format!(
                "must lie strictly between -1 and 1, got {}",
                crate::units::format_number(boost_beta)
            ),
            "0 for the centre-of-mass frame (the paper); 3/11 for SuperKEKB's 7 on 4 GeV beams",
        ));
    }
    Ok((sqrt_s, luminosity_ab, boost_beta))
}

/// `[model]`: the model point and how it is produced at `sqrt_s`.
fn validate_model(
    m: &RawInelasticModel,
    sqrt_s: f64,
) -> Result<(InelasticScalar, Production), ScenarioError> {
    if m.kind != "inelastic-scalar" {
        return Err(invalid(
            "model.kind",
            format!("'{}' is not a model of an emulsion scenario", m.kind),
            "model.kind = \"inelastic-scalar\"",
        ));
    }
    let masses = "masses in GeV with m_aprime > m1 + m2 (on shell) and m1 > m2";
    let model = InelasticScalar::new(
        positive("model.m_aprime_gev", m.m_aprime_gev, "", masses)?,
        positive("model.m1_gev", m.m1_gev, "", masses)?,
        positive("model.m2_gev", m.m2_gev, "", masses)?,
        coupling("model.epsilon", GridParameter::Epsilon, m.epsilon)?,
        coupling("model.g_d", GridParameter::GD, m.g_d)?,
    );
    if model.m1_gev <= model.m2_gev {
        return Err(invalid(
            "model.m1_gev",
            format!(
                "phi1 must be heavier than phi2: model.m1_gev = {} is not above model.m2_gev = {}",
                model.m1_gev, model.m2_gev
            ),
            masses,
        ));
    }
    let splitting = model.m1_gev - model.m2_gev;
    if splitting <= 2.0 * ELECTRON_MASS_GEV {
        return Err(invalid(
            "model.m1_gev",
            format!(
                "m1 - m2 = {:.4} MeV is below 2 m_e = {:.4} MeV: phi1 cannot decay to phi2 and an electron pair, so there is no visible signal [EMU Eq. 10-11]",
                splitting * 1e3,
                2e3 * ELECTRON_MASS_GEV
            ),
            "raise m1 (or lower m2) so that the splitting exceeds 1.022 MeV",
        ));
    }
    if crate::signal::emulsion::made_on_resonance(model.m_aprime_gev, sqrt_s) {
        let margin = crate::signal::emulsion::RESONANT_PRODUCTION_MARGIN;
        return Err(invalid(
            "model.m_aprime_gev",
            format!(
                "an A' of {} GeV lies within {}% of sqrt(s) = {sqrt_s} GeV, where it is made on resonance (e+ e- -> A' itself), which neither production formula describes: on shell e+ e- -> gamma A' grows without bound as the photon goes soft, and the off-shell propagator has no width",
                model.m_aprime_gev,
                margin * 100.0
            ),
            format!(
                "use m_aprime_gev below {} GeV (on or off shell) or above {} GeV (off shell)",
                format_number(sqrt_s * (1.0 - margin)),
                format_number(sqrt_s * (1.0 + margin))
            ),
        ));
    }
    let production = match m.production {
        ProductionName::OnShell => {
            if model.m_aprime_gev <= model.m1_gev + model.m2_gev {
                return Err(invalid(
                    "model.m_aprime_gev",
                    format!(
                        "an on-shell A' ({}) must be heavier than m1 + m2 ({})",
                        model.m_aprime_gev,
                        model.m1_gev + model.m2_gev
                    ),
                    "raise m_aprime_gev or set production = \"off-shell\"",
                ));
            }
            if model.m_aprime_gev >= sqrt_s {
                return Err(invalid(
                    "model.m_aprime_gev",
                    format!(
                        "an on-shell A' ({}) must be lighter than sqrt(s) ({sqrt_s})",
                        model.m_aprime_gev
                    ),
                    "e+e- -> gamma A' needs m_aprime < sqrt(s)",
                ));
            }
            Production::OnShell
        }
        ProductionName::OffShell => {
            if model.m1_gev + model.m2_gev >= sqrt_s {
                return Err(invalid(
                    "model.m1_gev",
                    "m1 + m2 must be below sqrt(s) for e+e- -> phi1 phi2",
                    masses,
                ));
            }
            Production::OffShell
        }
    };
    Ok((model, production))
}

/// `[[detector]]`: the boxes, with distinct names.
fn validate_detectors(raw: &[RawDetector]) -> Result<Vec<DetectorBox>, ScenarioError> {
    if raw.is_empty() {
        return Err(invalid(
            "detector",
            "an emulsion scenario needs at least one [[detector]]",
            "see configs/belle2_emulsion.toml",
        ));
    }
    let mut detectors = Vec::new();
    for (k, d) in raw.iter().enumerate() {
        let key = |field: &str| format!("detector[{}].{field}", k + 1);
        if detectors.iter().any(|b: &DetectorBox| b.name == d.name) {
            return Err(invalid(
                &key("name"),
                format!("two detectors are named '{}'", d.name),
                "give every [[detector]] its own name",
            ));
        }
        let distance = positive(
            &key("distance_m"),
            d.distance_m,
            "",
            "IP to the face centre, m",
        )?;
        if !(d.offset_m.is_finite() && d.offset_m >= 0.0 && d.offset_m <= distance) {
            return Err(invalid(
                &key("offset_m"),
                format!(
                    "must lie between 0 and distance_m ({distance}), got {}",
                    d.offset_m
                ),
                "the face centre's distance from the beam axis; equal to distance_m for a central box",
            ));
        }
        detectors.push(DetectorBox {
            name: d.name.clone(),
            distance_m: distance,
            offset_m: d.offset_m,
            face_polar_m: positive(&key("face_polar_m"), d.face_polar_m, "", "face side, m")?,
            face_azimuthal_m: positive(
                &key("face_azimuthal_m"),
                d.face_azimuthal_m,
                "",
                "face side, m",
            )?,
            depth_m: positive(
                &key("depth_m"),
                d.depth_m.unwrap_or(EMU_DEPTH_M),
                "",
                "depth, m",
            )?,
            azimuth_deg: azimuth(&key("azimuth_deg"), d.azimuth_deg.unwrap_or(0.0))?,
            hemisphere: d.hemisphere.unwrap_or(Hemisphere::Forward),
            efficiency: detection_efficiency(&key("efficiency"), d.efficiency.unwrap_or(1.0))?,
        });
    }
    Ok(detectors)
}

/// An azimuth in degrees: -360 to 360 (a value beyond is most likely radians or a slip, and
/// says nothing a value within does not).
fn azimuth(key: &str, value: f64) -> Result<f64, ScenarioError> {
    if value.is_finite() && (-360.0..=360.0).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(
            key,
            format!(
                "must lie between -360 and 360 degrees, got {}",
                crate::units::format_number(value)
            ),
            "the azimuth of the face centre in degrees (the acceptance does not depend on it)",
        ))
    }
}

/// A detection efficiency: in (0, 1].
fn detection_efficiency(key: &str, value: f64) -> Result<f64, ScenarioError> {
    if value.is_finite() && value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        Err(invalid(
            key,
            format!(
                "must satisfy 0 < efficiency <= 1, got {}",
                crate::units::format_number(value)
            ),
            "the probability that a phi1 decaying inside the box is detected (films and MPGD); 1 counts every decay, as in the paper",
        ))
    }
}

/// `[monte_carlo]`: events, seed and the spin correlation; the boost comes from `[source]`.
fn validate_monte_carlo(mc: &RawMonteCarlo, boost_beta: f64) -> Result<MonteCarlo, ScenarioError> {
    let events = mc.events.unwrap_or(4_000_000);
    if !(1_000..=2_000_000_000).contains(&events) {
        return Err(invalid(
            "monte_carlo.events",
            format!("must be from 1000 to 2000000000, got {events}"),
            "4000000 events give 0.5% on the smallest Table 1 acceptance in about 1.5 s for all five",
        ));
    }
    let seed = mc.seed.unwrap_or(1);
    if seed < 0 {
        return Err(invalid(
            "monte_carlo.seed",
            "must not be negative",
            "any whole number",
        ));
    }
    Ok(MonteCarlo {
        events: u64::try_from(events).unwrap_or(4_000_000),
        seed: u64::try_from(seed).unwrap_or(1),
        spin_correlation: mc.spin_correlation.unwrap_or(true),
        boost_beta,
    })
}

/// `[background]`: the `K_L` reaching the detector, `(toward the detector, transmission)`.
fn validate_kl(background: &RawEmulsionBackground) -> Result<Option<(f64, f64)>, ScenarioError> {
    match (background.kl_toward_detector, background.kl_transmission) {
        (None, None) => Ok(None),
        (Some(n), Some(p)) if n.is_finite() && n >= 0.0 && (0.0..=1.0).contains(&p) => {
            Ok(Some((n, p)))
        }
        (n, p) => Err(invalid(
            "background.kl_transmission",
            format!(
                "K_L needs both kl_toward_detector (>= 0) and kl_transmission (0 to 1), got {} and {}",
                n.map_or_else(|| "none".to_string(), crate::units::format_number),
                p.map_or_else(|| "none".to_string(), crate::units::format_number)
            ),
            "e.g. about 1.2e7 K_L toward a forward box at 50 ab^-1 and 4e-8 through 1.3 m of tungsten [EMU 9.3]",
        )),
    }
}

/// A placement axis: one box to place, and values that keep it a box seen from the IP.
fn validate_placement(x: &GridAxis, detectors: &[DetectorBox]) -> Result<(), ScenarioError> {
    let key = if x.logarithmic {
        "scan.x.log_range"
    } else {
        "scan.x.range"
    };
    let [b] = detectors else {
        return Err(invalid(
            "scan.x.parameter",
            format!(
                "'{}' places the scenario's one box, but it has {} [[detector]] tables",
                x.parameter.key(),
                detectors.len()
            ),
            "keep one [[detector]] in a placement scan (a scenario per box)",
        ));
    };
    let (lo, hi) = (x.values[0], x.values[x.values.len() - 1]);
    let (ok, meaning) = match x.parameter {
        GridParameter::Distance => (lo > 0.0, "distances in m, positive".to_string()),
        GridParameter::Offset => (
            lo >= 0.0 && hi <= b.distance_m,
            format!(
                "offsets in m from 0 to the box's distance_m ({})",
                crate::units::format_number(b.distance_m)
            ),
        ),
        _ => (
            lo > 0.0 && hi < 180.0,
            "polar angles in degrees between 0 and 180 (exclusive)".to_string(),
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(
            key,
            format!(
                "[{}, {}] is not a placement of the box",
                crate::units::format_number(lo),
                crate::units::format_number(hi)
            ),
            meaning,
        ))
    }
}

/// Couplings darksens takes: eps up to 1, g_D up to sqrt(4 pi) (alpha_D = g_D^2/(4 pi) at most
/// 1), both from 1e-12. Below, no luminosity gives a signal, and eps^2 g_D^2 of the phi1 width
/// [EMU Eq. 10-11] would leave the range of double precision (an infinite flight length).
fn coupling(key: &str, parameter: GridParameter, value: f64) -> Result<f64, ScenarioError> {
    let meaning = if parameter == GridParameter::Epsilon {
        "the kinetic mixing eps, from 1e-12 to 1, e.g. 1e-3"
    } else {
        "the dark gauge coupling g_D, from 1e-12 to sqrt(4 pi) (alpha_D at most 1), e.g. 0.1"
    };
    let hi = parameter
        .largest_allowed()
        .expect("a coupling has a largest value");
    within(key, value, (1e-12, hi), "", meaning)
}

/// `[scan]`: a coupling on the vertical axis, another key on the horizontal one.
fn validate_grid(
    scan: &RawEmulsionScan,
    detectors: &[DetectorBox],
) -> Result<EmulsionScan, ScenarioError> {
    let (x, y) = (grid_axis(&scan.x, "x")?, grid_axis(&scan.y, "y")?);
    if !y.parameter.is_coupling() {
        return Err(invalid(
            "scan.y.parameter",
            format!("'{}' is not a coupling", y.parameter.key()),
            "the vertical axis is model.epsilon or model.g_d (the excluded band is found along it); masses go on x",
        ));
    }
    if x.parameter.is_placement() {
        validate_placement(&x, detectors)?;
    }
    if x.parameter == y.parameter {
        return Err(invalid(
            "scan.x.parameter",
            "x and y scan the same key",
            "e.g. x = model.g_d, y = model.epsilon",
        ));
    }
    if i64::try_from(x.values.len() * y.values.len()).unwrap_or(i64::MAX) > MAX_GRID_CELLS {
        return Err(invalid(
            "scan.x.points",
            "more than 4e6 grid cells",
            "fewer points",
        ));
    }
    Ok(EmulsionScan { x, y })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::emulsion::EmulsionSetup;

    /// A placement moves the box as its key says: along the line of sight (polar angle kept),
    /// or around the IP (distance kept, backward beyond 90 degrees). In the centre-of-mass
    /// frame production is symmetric under z -> -z, so a box at 30 degrees and its mirror at 150
    /// degrees see the same acceptance; with the Belle II boost the forward one sees more.
    #[test]
    fn placement_moves_the_box() {
        let a = DetectorBox::forward("A", 7.0, 1.0, 0.2, 0.3);
        let far = GridParameter::Distance.place(&a, 14.0);
        assert!((far.offset_m - 2.0).abs() < 1e-12);
        assert!((far.centre_polar_rad() - a.centre_polar_rad()).abs() < 1e-12);
        let side = GridParameter::Offset.place(&a, 3.0);
        assert!((side.distance_m - 7.0).abs() < 1e-12 && (side.offset_m - 3.0).abs() < 1e-12);
        let forward = GridParameter::PolarAngle.place(&a, 30.0);
        let backward = GridParameter::PolarAngle.place(&a, 150.0);
        assert!((forward.centre_polar_rad().to_degrees() - 30.0).abs() < 1e-9);
        assert!((backward.centre_polar_rad().to_degrees() - 150.0).abs() < 1e-9);
        assert_eq!(backward.hemisphere, Hemisphere::Backward);
        let model = InelasticScalar::new(8.0, 4.341, 3.65, 1e-3, 0.1);
        for boost_beta in [0.0, 0.2733] {
            let setup = EmulsionSetup {
                sqrt_s_gev: 10.58,
                luminosity_pb: 50e6,
                production: Production::OnShell,
                normalisation: OffShellNormalisation::Derived,
                detectors: vec![forward.clone(), backward.clone()],
                monte_carlo: MonteCarlo {
                    events: 400_000,
                    seed: 2,
                    spin_correlation: true,
                    boost_beta,
                },
                decay_in_volume: true,
            };
            let samples = setup.samples(&model);
            let (f, b) = (
                samples[0].acceptance.acceptance,
                samples[1].acceptance.acceptance,
            );
            let sigma = f.error.hypot(b.error);
            if boost_beta == 0.0 {
                assert!((f.value - b.value).abs() < 4.0 * sigma, "{f:?} {b:?}");
            } else {
                assert!(f.value - b.value > 10.0 * sigma, "{f:?} {b:?}");
            }
        }
    }
}
