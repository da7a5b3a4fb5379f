//! Reproductions of published numbers.
//!
//! A reproduction is a reference file `tests/reference/<paper>/<name>.toml`: a scenario, and the
//! quantities to compute from it, each with the published value, where it was published
//! (paper, figure, table, equation), the precision the paper gives, our tolerance and the reason
//! for it. `darksens reproduce` runs them and prints paper against ours; `tests/paper_dpt.rs`
//! runs every one in full.
//!
//! ```toml
//! title = "DPT Fig. 3: ..."
//! config = "configs/belle2_dp_paper.toml"     # relative to the repository root
//! quick = ["scan.points=60"]                  # overrides for --quick
//!
//! [[quantity]]
//! name = "best_eps_paper"
//! measure = "best-eps"                        # see [`Measure`]
//! set = ["background.total=94"]               # optional overrides for this quantity
//! value_range = [1.65e-5, 1.75e-5]            # "about 1.7 x 10^-5": the rounding interval
//! quote = "about 1.7 x 10^-5"                 # the source's words
//! source = "DPT Sec. 4"
//! precision = "two figures"
//! reason = "a number given to two figures is a range"
//!
//! [[quantity]]
//! name = "best_eps_exact"
//! measure = "best-eps"
//! value = 1.2245994e-5                        # a number with its precision ...
//! tolerance = 2e-4                            # ... compared within a relative tolerance
//! source = "tools/reference/dpt_reference.json"
//! precision = "1e-12"
//! reason = "our integrals are converged to 1e-5 and the tables to 1e-4"
//! ```

use crate::error::{Error, InputError, ReferenceError};
use crate::numerics::quadrature::Tolerance;
use crate::pipeline::thick_target::{
    CurveResult, annihilation_dominated_ranges, best_limit, run_scan,
};
use crate::scenario::{Override, ScenarioDocument};
use crate::showers::track_length::{Generations, ShowerSettings, TrackLengthTable};
use crate::sources::Source;
use crate::sources::phi1::EventSample;
use crate::units::PICOBARN_CM2;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One reference file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reproduction {
    /// What is reproduced, e.g. "DPT Fig. 3: ...".
    pub title: String,
    /// Default scenario, relative to the repository root.
    pub config: String,
    /// Overrides that make the scans of `--quick` cheaper (the tolerances stay).
    #[serde(default)]
    pub quick: Vec<String>,
    /// The published quantities.
    pub quantity: Vec<Quantity>,
}

/// What to compute for a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Lowest selected energy of the collider spectrum, GeV.
    EMinGev,
    /// Highest selected energy of the collider spectrum, GeV.
    EMaxGev,
    /// Cross section of the selected collider spectrum, pb.
    SigmaPb,
    /// Particles entering the target.
    NIncident,
    /// Photon punch-through probability.
    PhotonPunchThrough,
    /// Photon background events.
    PhotonBackground,
    /// Neutron background events.
    NeutronBackground,
    /// All background events (the `N_b` of the limit).
    BackgroundEvents,
    /// Best (refined) limit on eps of the curve.
    BestEps,
    /// Mass of the best limit, MeV.
    BestMassMev,
    /// Limit on eps at `mass_mev`.
    EpsAt,
    /// Lower edge of the single mass range where annihilation dominates, MeV.
    AnnihilationLowerMev,
    /// Upper edge of that range, MeV.
    AnnihilationUpperMev,
    /// eps of curve `numerator` over eps of curve `denominator`, at every scan point.
    CurveRatio,
    /// eps at every scan point whose scanned value lies in `scan_range`.
    ScanEps,
    /// Mass of the smallest eps among the scan points in `scan_range`, MeV (a resonance dip).
    DipMassMev,
    /// Best eps with `numerator_set` over best eps with `denominator_set`.
    BestEpsRatio,
    /// Track length above `1 - max_visible_fraction` of an incident electron (second generation)
    /// over that of an incident positron, for the config's target.
    ControlTrackLengthRatio,
    /// Emulsion scenario: acceptance of the box `detector` (a fraction).
    Acceptance,
    /// Emulsion scenario: `BR(A' -> phi1 phi2)`.
    BrAprimeToPhi1Phi2,
    /// Emulsion scenario: production cross section, pb.
    SigmaProductionPb,
    /// Emulsion scenario: mean `phi1` flight length, m.
    FlightLengthM,
}

impl Measure {
    /// Whether the measure reads an emulsion scenario.
    fn is_emulsion(self) -> bool {
        matches!(
            self,
            Self::Acceptance
                | Self::BrAprimeToPhi1Phi2
                | Self::SigmaProductionPb
                | Self::FlightLengthM
        )
    }
}

/// One published number and how we compute it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    /// Short name.
    pub name: String,
    /// What to compute.
    pub measure: Measure,
    /// Another scenario for this quantity (relative to the repository root).
    pub config: Option<String>,
    /// Curve label (default: the first curve).
    pub curve: Option<String>,
    /// Overrides for this quantity.
    #[serde(default)]
    pub set: Vec<String>,
    /// `eps-at`: the mass, MeV.
    pub mass_mev: Option<f64>,
    /// `curve-ratio`: numerator and denominator curve labels.
    pub numerator: Option<String>,
    /// See `numerator`.
    pub denominator: Option<String>,
    /// `acceptance`: the detector's name.
    pub detector: Option<String>,
    /// `best-eps-ratio`: overrides of the numerator and the denominator.
    #[serde(default)]
    pub numerator_set: Vec<String>,
    /// See `numerator_set`.
    #[serde(default)]
    pub denominator_set: Vec<String>,
    /// `scan-eps`, `dip-mass-mev`: the range of scanned values to look at.
    pub scan_range: Option<[f64; 2]>,
    /// The published value, when the source gives a number to a stated precision.
    pub value: Option<f64>,
    /// The published range, when the source gives one (in words such as "66 MeV <~ m <~ 82
    /// MeV", or a number given to one or two figures, whose rounding interval this is): ours
    /// passes inside it.
    pub value_range: Option<[f64; 2]>,
    /// The source's own words, for a range.
    pub quote: Option<String>,
    /// Where it is published.
    pub source: String,
    /// The precision the source gives.
    pub precision: String,
    /// Our relative tolerance around `value`, or outside `value_range` (default 0 for a range).
    #[serde(default)]
    pub tolerance: f64,
    /// Why that tolerance.
    pub reason: String,
}

/// What a quantity is compared against, read from its `source`: a number a paper printed
/// (`DPT ...`, `EMU ...`), or an independent calculation kept in this repository
/// (`tools/reference/...`: Python written apart from the Rust code; `docs/...`: a derivation).
/// `reproduce` shows which, so that agreement with a paper is never read into agreement with
/// a second calculation, or the reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// A published number.
    Paper,
    /// An independent calculation in this repository.
    Independent,
}

impl Against {
    /// The kind of `source`; `None` for a source that names neither a paper nor a file here.
    #[must_use]
    pub fn of(source: &str) -> Option<Self> {
        if source.starts_with("DPT ") || source.starts_with("EMU ") {
            Some(Self::Paper)
        } else if source.starts_with("tools/") || source.starts_with("docs/") {
            Some(Self::Independent)
        } else {
            None
        }
    }

    /// As `reproduce` prints it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Paper => "paper",
            Self::Independent => "independent",
        }
    }
}

/// What a source published: a number, or a range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Published {
    /// A number (to the precision its quantity states).
    Value(f64),
    /// A range `[lo, hi]`.
    Range(f64, f64),
}

impl Published {
    /// `ours` relative to the published number, or to the nearer end of the range (0 inside).
    #[must_use]
    pub fn deviation(self, ours: f64) -> f64 {
        match self {
            Self::Value(v) => ours / v - 1.0,
            Self::Range(lo, _) if ours < lo => ours / lo - 1.0,
            Self::Range(_, hi) if ours > hi => ours / hi - 1.0,
            Self::Range(..) if ours.is_nan() => f64::NAN,
            Self::Range(..) => 0.0,
        }
    }
}

/// The comparison of one quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Quantity name.
    pub name: String,
    /// What the source published.
    pub paper: Published,
    /// Ours: the value farthest from the paper's when the measure gives several.
    pub ours: f64,
    /// How many values were compared.
    pub compared: usize,
    /// `ours / paper - 1`, or relative to the nearer end of a published range (0 inside).
    pub deviation: f64,
    /// Relative tolerance.
    pub tolerance: f64,
    /// Whether every value is within the tolerance.
    pub passed: bool,
    /// Where the paper number comes from.
    pub source: String,
}

/// Where reference files on disk are: `$DARKSENS_REFERENCE`, else `tests/reference` in the
/// working directory (a source tree); `None` when neither exists, and the built-in references
/// ([`built_in_references`]) serve.
#[must_use]
pub fn reference_root() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("DARKSENS_REFERENCE") {
        candidates.push(PathBuf::from(dir));
    }
    candidates.push(PathBuf::from("tests/reference"));
    candidates.into_iter().find(|d| d.is_dir())
}

/// The reproductions compiled into the binary: `(name, source, text)`, sorted by name (their
/// configs are the built-in scenarios: run them with `repo = None`).
#[must_use]
pub fn built_in_references() -> Vec<(String, String, &'static str)> {
    let prefix = "tests/reference/";
    crate::assets::under(prefix)
        .filter(|(_, text)| text.contains("[[quantity]]"))
        .filter_map(|(path, text)| {
            let name = path.strip_prefix(prefix)?.strip_suffix(".toml")?;
            Some((name.to_string(), format!("{path} (built in)"), text))
        })
        .collect()
}

/// Parses the text of a reference file (`source` names it in messages).
///
/// # Errors
/// As [`load`].
pub fn parse(text: &str, source: &str) -> Result<Reproduction, Error> {
    let reproduction: Reproduction = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map_or(0, |s| text[..s.start].matches('\n').count() + 1);
        Error::from(InputError::Content {
            file: source.to_string(),
            message: format!("line {line}: {}", e.message()),
        })
    })?;
    if let Some(q) = reproduction
        .quantity
        .iter()
        .find(|q| Against::of(&q.source).is_none())
    {
        return Err(Error::from(InputError::Content {
            file: source.to_string(),
            message: format!(
                "quantity {}: source = {:?} names neither a paper (\"DPT ...\", \"EMU ...\") nor an independent calculation in this repository (\"tools/...\", \"docs/...\")",
                q.name, q.source
            ),
        }));
    }
    Ok(reproduction)
}

/// Every reproduction under `root`, by name (`<paper>/<file stem>`, e.g. `dpt/fig3`), sorted.
/// Files without a `[[quantity]]` table (other reference data) are not reproductions.
#[must_use]
pub fn list(root: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let Ok(papers) = std::fs::read_dir(root) else {
        return found;
    };
    for paper in papers.flatten().filter(|e| e.path().is_dir()) {
        let Ok(files) = std::fs::read_dir(paper.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            let is_reproduction = path.extension().is_some_and(|e| e == "toml")
                && std::fs::read_to_string(&path).is_ok_and(|t| t.contains("[[quantity]]"));
            if let (true, Some(stem)) = (is_reproduction, path.file_stem()) {
                let name = format!(
                    "{}/{}",
                    paper.file_name().to_string_lossy(),
                    stem.to_string_lossy()
                );
                found.push((name, path));
            }
        }
    }
    found.sort();
    found
}

/// Reads a reference file.
///
/// # Errors
/// [`Error::Input`] naming the file (and line) when it cannot be read or does not fit the
/// format.
pub fn load(path: &Path) -> Result<Reproduction, Error> {
    let fail = |message: String| {
        Error::from(InputError::Content {
            file: path.display().to_string(),
            message,
        })
    };
    let text = crate::files::read_text(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    parse(&text, &path.display().to_string())
}

/// Runs every quantity of a reproduction. `repo` is the directory configs are relative to;
/// `None` takes the built-in copies of the shipped scenarios (`crate::assets`).
///
/// # Errors
/// A scenario that does not load, a measure that does not apply to it, or a numerical failure.
pub fn run(
    reproduction: &Reproduction,
    repo: Option<&Path>,
    quick: bool,
) -> Result<Vec<Outcome>, Error> {
    Session::new(repo).run(reproduction, quick)
}

/// Reproductions run one after another, keeping what they computed: a scan or Monte Carlo
/// that a later quantity (of the same or a later reproduction) asks for again is taken, not
/// redone, and scans of other scenarios with the same physics share their tables.
#[derive(Debug)]
pub struct Session<'a> {
    repo: Option<&'a Path>,
    /// The overrides of `--quick` of the reproduction being run.
    quick: Vec<String>,
    /// Scans computed so far, by scenario, overrides and the curves computed.
    scans: BTreeMap<ScanKey, Vec<CurveResult>>,
    /// The scan that answered a request (scenario, overrides, the labels asked for): a request
    /// made again is answered without loading its scenario again.
    answered: BTreeMap<ScanRequest, ScanKey>,
    /// Emulsion model points computed so far (one Monte Carlo each), by scenario and overrides.
    emulsion_points: BTreeMap<(String, Vec<String>), crate::signal::emulsion::EmulsionPoint>,
    /// The events of the last emulsion Monte Carlo: the next, at other `phi1` masses, reuses
    /// them when it draws the same events.
    events: Option<EventSample>,
}

/// A scan of a reproduction: the scenario, its overrides (`--quick`'s first) and the labels of
/// the curves computed (every curve a quantity asks for; `None`: the scenario's first).
type ScanKey = (String, Vec<String>, Vec<String>);

/// What a quantity asks of [`Session::scan`]: the scenario, its overrides and the labels of
/// the curves it reads (`None`: the scenario's first).
type ScanRequest = (String, Vec<String>, Vec<Option<String>>);

impl<'a> Session<'a> {
    /// A session whose configs are relative to `repo` (`None`: the built-in copies).
    #[must_use]
    pub fn new(repo: Option<&'a Path>) -> Self {
        Self {
            repo,
            quick: Vec::new(),
            scans: BTreeMap::new(),
            answered: BTreeMap::new(),
            emulsion_points: BTreeMap::new(),
            events: None,
        }
    }

    /// Runs every quantity of `reproduction`, with its `--quick` overrides if `quick`.
    ///
    /// # Errors
    /// As [`run`].
    pub fn run(&mut self, reproduction: &Reproduction, quick: bool) -> Result<Vec<Outcome>, Error> {
        self.quick = if quick {
            reproduction.quick.clone()
        } else {
            Vec::new()
        };
        reproduction
            .quantity
            .iter()
            .map(|q| {
                let config = q.config.as_deref().unwrap_or(&reproduction.config);
                let paper = published(q)?;
                let values = self.measure(config, q)?;
                Ok(compare(q, paper, &values))
            })
            .collect()
    }
}

/// What a quantity says was published.
///
/// # Errors
/// Neither or both of `value` and `value_range`, or an inverted range.
fn published(q: &Quantity) -> Result<Published, Error> {
    let problem = |problem: &str| {
        Error::from(ReferenceError {
            quantity: q.name.clone(),
            problem: problem.to_string(),
        })
    };
    match (q.value, q.value_range) {
        (Some(v), None) => Ok(Published::Value(v)),
        (None, Some([lo, hi])) if lo <= hi => Ok(Published::Range(lo, hi)),
        (None, Some(_)) => Err(problem("value_range must be [low, high]")),
        _ => Err(problem("give exactly one of value and value_range")),
    }
}

/// Compares computed values with the published one.
fn compare(q: &Quantity, paper: Published, values: &[f64]) -> Outcome {
    let deviation = |v: f64| paper.deviation(v);
    let worst = values
        .iter()
        .copied()
        .max_by(|a, b| deviation(*a).abs().total_cmp(&deviation(*b).abs()))
        .unwrap_or(f64::NAN);
    Outcome {
        name: q.name.clone(),
        paper,
        ours: worst,
        compared: values.len(),
        deviation: deviation(worst),
        tolerance: q.tolerance,
        // NaN (nothing computed) fails.
        passed: deviation(worst).abs() <= q.tolerance,
        source: q.source.clone(),
    }
}

impl Session<'_> {
    /// The scenario `config` with `overrides`: from the repository, or the built-in copy.
    fn document(&self, config: &str, overrides: &[Override]) -> Result<ScenarioDocument, Error> {
        if let Some(repo) = self.repo {
            return Ok(ScenarioDocument::load(&repo.join(config), overrides)?);
        }
        let text = crate::assets::file(config).ok_or_else(|| {
            Error::from(InputError::Content {
                file: config.to_string(),
                message: "is not a shipped scenario (none is built in under this name)".into(),
            })
        })?;
        Ok(ScenarioDocument::from_text(
            Path::new(config),
            text.to_string(),
            overrides,
        )?)
    }

    /// The curves `labels` (`None`: the first) of `config` with `set`, computed once: only
    /// the curves asked for are scanned (each curve's numbers do not depend on the others').
    fn scan(
        &mut self,
        config: &str,
        set: &[String],
        labels: &[Option<&str>],
    ) -> Result<&[CurveResult], Error> {
        let mut overrides: Vec<String> = self.quick.clone();
        overrides.extend(set.iter().cloned());
        let request = (
            config.to_string(),
            overrides.clone(),
            labels.iter().map(|l| l.map(str::to_string)).collect(),
        );
        if let Some(key) = self.answered.get(&request) {
            return Ok(&self.scans[key]);
        }
        let parsed = overrides
            .iter()
            .map(|o| Override::parse(o).map_err(Error::from))
            .collect::<Result<Vec<_>, _>>()?;
        let all = self.document(config, &parsed)?.curves()?;
        // The curves asked for, in the scenario's order; a label it lacks keeps every curve,
        // so that the quantity's error names the labels there are.
        let wanted =
            |c: usize, label: &str| labels.iter().any(|l| l.map_or(c == 0, |l| l == label));
        let known = labels
            .iter()
            .all(|l| l.is_none_or(|l| all.iter().any(|c| c.label == l)));
        let curves: Vec<_> = all
            .into_iter()
            .enumerate()
            .filter(|(c, curve)| !known || wanted(*c, &curve.label))
            .map(|(_, curve)| curve)
            .collect();
        let key = (
            config.to_string(),
            overrides,
            curves.iter().map(|c| c.label.clone()).collect(),
        );
        if !self.scans.contains_key(&key) {
            let results = run_scan(&curves)?;
            self.scans.insert(key.clone(), results);
        }
        self.answered.insert(request, key.clone());
        Ok(&self.scans[&key])
    }

    fn curve<'c>(
        results: &'c [CurveResult],
        label: Option<&str>,
        quantity: &str,
    ) -> Result<&'c CurveResult, Error> {
        match label {
            None => Ok(&results[0]),
            Some(label) => results.iter().find(|c| c.label == label).ok_or_else(|| {
                let labels: Vec<&str> = results.iter().map(|c| c.label.as_str()).collect();
                Error::from(ReferenceError {
                    quantity: quantity.to_string(),
                    problem: format!("no curve \"{label}\"; the scenario has {labels:?}"),
                })
            }),
        }
    }

    /// A quantity of an emulsion scenario's model point.
    fn measure_emulsion(&mut self, config: &str, q: &Quantity) -> Result<Vec<f64>, Error> {
        let texts: Vec<String> = self.quick.iter().chain(&q.set).cloned().collect();
        let key = (config.to_string(), texts);
        if !self.emulsion_points.contains_key(&key) {
            let overrides = key
                .1
                .iter()
                .map(|o| Override::parse(o).map_err(Error::from))
                .collect::<Result<Vec<_>, _>>()?;
            let scenario = self.document(config, &overrides)?.emulsion()?;
            let events = scenario.setup.event_key(&scenario.model);
            if self.events.as_ref().is_none_or(|e| e.key() != events) {
                self.events = None; // freed before the next is drawn
                self.events = EventSample::draw(events);
            }
            let point =
                crate::pipeline::emulsion::evaluate_scenario_from(&scenario, self.events.as_ref())?;
            self.emulsion_points.insert(key.clone(), point);
        }
        let point = &self.emulsion_points[&key];
        let value = match q.measure {
            Measure::BrAprimeToPhi1Phi2 => point.br_aprime_to_phi1_phi2,
            Measure::SigmaProductionPb => point.sigma_production_pb,
            Measure::FlightLengthM => point.flight_length_m.value,
            _ => {
                let name = q.detector.as_deref().ok_or_else(|| {
                    Error::from(ReferenceError {
                        quantity: q.name.clone(),
                        problem: "acceptance needs 'detector'".into(),
                    })
                })?;
                point
                    .detectors
                    .iter()
                    .find(|d| d.name == name)
                    .ok_or_else(|| {
                        Error::from(ReferenceError {
                            quantity: q.name.clone(),
                            problem: format!("no detector \"{name}\" in {config}"),
                        })
                    })?
                    .acceptance
                    .acceptance
                    .value
            }
        };
        Ok(vec![value])
    }

    fn measure(&mut self, config: &str, q: &Quantity) -> Result<Vec<f64>, Error> {
        if q.measure.is_emulsion() {
            return self.measure_emulsion(config, q);
        }
        if q.measure == Measure::BestEpsRatio {
            let mut best = |extra: &[String]| -> Result<f64, Error> {
                let mut set = q.set.clone();
                set.extend(extra.iter().cloned());
                let results = self.scan(config, &set, &[q.curve.as_deref()])?;
                Ok(
                    best_limit(Self::curve(results, q.curve.as_deref(), &q.name)?)?
                        .refined
                        .epsilon_limit,
                )
            };
            let numerator = best(&q.numerator_set)?;
            return Ok(vec![numerator / best(&q.denominator_set)?]);
        }
        let labels = match q.measure {
            Measure::CurveRatio => vec![
                q.curve.as_deref(),
                q.numerator.as_deref(),
                q.denominator.as_deref(),
            ],
            _ => vec![q.curve.as_deref()],
        };
        let results = self.scan(config, &q.set, &labels)?;
        let curve = Self::curve(results, q.curve.as_deref(), &q.name)?;
        let in_range = |x: f64| q.scan_range.is_none_or(|[lo, hi]| x >= lo && x <= hi);
        match q.measure {
            Measure::CurveRatio => {
                let numerator = Self::curve(results, q.numerator.as_deref(), &q.name)?;
                let denominator = Self::curve(
                    results,
                    Some(
                        q.denominator
                            .as_deref()
                            .ok_or_else(|| missing(q, "denominator"))?,
                    ),
                    &q.name,
                )?;
                Ok(numerator
                    .points
                    .iter()
                    .zip(&denominator.points)
                    .map(|(a, b)| a.epsilon_limit / b.epsilon_limit)
                    .collect())
            }
            Measure::ScanEps => Ok(curve
                .values
                .iter()
                .zip(&curve.points)
                .filter(|(x, _)| in_range(**x))
                .map(|(_, p)| p.epsilon_limit)
                .collect()),
            _ => Ok(vec![Self::curve_value(curve, q)?]),
        }
    }

    /// A quantity that is one number of one curve.
    fn curve_value(curve: &CurveResult, q: &Quantity) -> Result<f64, Error> {
        let calculator = &curve.calculator;
        let search = calculator.search();
        let spectrum = || match &search.setup().source {
            Source::Collider { spectrum, .. } => Ok(spectrum),
            Source::Beam(_) => Err(Error::from(ReferenceError {
                quantity: q.name.clone(),
                problem: format!("{:?} needs a collider source", q.measure),
            })),
        };
        let background = calculator.background();
        let one_range = || {
            let ranges = annihilation_dominated_ranges(curve);
            if ranges.len() == 1 {
                Ok(ranges[0])
            } else {
                Err(Error::Numerical {
                    point: format!("curve \"{}\"", curve.label),
                    message: format!(
                        "annihilation dominates in {} ranges: {ranges:?}",
                        ranges.len()
                    ),
                })
            }
        };
        let in_range = |x: f64| q.scan_range.is_none_or(|[lo, hi]| x >= lo && x <= hi);
        Ok(match q.measure {
            Measure::EMinGev => spectrum()?.e_min_gev(),
            Measure::EMaxGev => spectrum()?.e_max_gev(),
            Measure::SigmaPb => spectrum()?.sigma_cm2() / PICOBARN_CM2,
            Measure::NIncident => search.n_incident(),
            Measure::PhotonPunchThrough => background
                .photon
                .map(|p| p.punch_through.value)
                .ok_or_else(|| missing(q, "background.photon_veto_inefficiency"))?,
            Measure::PhotonBackground => background
                .photon
                .map(|p| p.events)
                .ok_or_else(|| missing(q, "background.photon_veto_inefficiency"))?,
            Measure::NeutronBackground => background
                .neutron
                .map(|n| n.events)
                .ok_or_else(|| missing(q, "[background.neutron]"))?,
            Measure::BackgroundEvents => background.total(),
            Measure::BestEps => best_limit(curve)?.refined.epsilon_limit,
            Measure::BestMassMev => best_limit(curve)?.refined.mass_mev,
            Measure::EpsAt => {
                let mass = q.mass_mev.ok_or_else(|| missing(q, "mass_mev"))?;
                calculator.point(&curve.label, mass)?.epsilon_limit
            }
            Measure::AnnihilationLowerMev => one_range()?.0,
            Measure::AnnihilationUpperMev => one_range()?.1,
            Measure::DipMassMev => curve
                .values
                .iter()
                .zip(&curve.points)
                .filter(|(x, _)| in_range(**x))
                .min_by(|a, b| a.1.epsilon_limit.total_cmp(&b.1.epsilon_limit))
                .map_or(f64::NAN, |(_, p)| p.mass_mev),
            Measure::ControlTrackLengthRatio => control_track_length_ratio(curve),
            Measure::BestEpsRatio
            | Measure::CurveRatio
            | Measure::ScanEps
            | Measure::Acceptance
            | Measure::BrAprimeToPhi1Phi2
            | Measure::SigmaProductionPb
            | Measure::FlightLengthM => unreachable!("handled by measure"),
        })
    }
}

/// A reference file's quantity that lacks a field its measure needs.
fn missing(q: &Quantity, field: &str) -> Error {
    Error::from(ReferenceError {
        quantity: q.name.clone(),
        problem: format!("measure {:?} needs '{field}'", q.measure),
    })
}

/// Track length above `1 - max_visible_fraction` of an incident electron (second generation
/// only) over that of an incident positron, for the curve's target [DPT Sec. 4].
fn control_track_length_ratio(curve: &CurveResult) -> f64 {
    let target = &curve.calculator.scenario().target;
    let v_lo = 1.0 - target.max_visible_fraction;
    let integral = |generations| {
        let settings = ShowerSettings {
            thickness_x0: target.thickness_x0,
            generations,
            second_generation: target.second_generation,
        };
        TrackLengthTable::new(settings, -v_lo.ln(), 128)
            .integral_above(v_lo, Tolerance::relative(1e-9))
            .value
    };
    integral(Generations::SecondOnly) / integral(Generations::FirstAndSecond)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_quantity_says_whether_it_is_a_paper_number_or_an_independent_one() {
        let mut kinds = (0, 0);
        for (name, source, text) in built_in_references() {
            let reproduction = parse(text, &source).unwrap_or_else(|e| panic!("{name}: {e}"));
            for q in &reproduction.quantity {
                match Against::of(&q.source) {
                    Some(Against::Paper) => kinds.0 += 1,
                    Some(Against::Independent) => kinds.1 += 1,
                    None => unreachable!("parse refuses it"),
                }
            }
        }
        assert!(kinds.0 > 0 && kinds.1 > 0, "{kinds:?}");
    }

    #[test]
    fn a_quantity_from_nowhere_is_refused() {
        let text = r#"
            title = "t"
            config = "configs/belle2_dp.toml"
            [[quantity]]
            name = "q"
            measure = "best-eps"
            value = 1.0
            source = "my notebook"
            precision = "p"
            reason = "r"
        "#;
        let message = parse(text, "t.toml").expect_err("refused").to_string();
        assert!(message.contains("names neither a paper"), "{message}");
        let fixed = text.replace("my notebook", "DPT Sec. 4");
        assert!(parse(&fixed, "t.toml").is_ok());
    }
}
