//! From a validated scenario to limits: the per-scenario calculator and the mass scan.
//!
//! Curves that share their physics (source, target, model and numerics) share one
//! [`ThickTargetSearch`] and one set of yields; they differ only in background and criterion.
//! Masses are computed in parallel with an indexed `par_iter().map().collect()`, so the order
//! and every number are the same whatever the thread count.

use super::{Monitor, Shard};
use crate::backgrounds::{BackgroundEstimate, NeutronBackground, PhotonBackground};
use crate::error::Error;
use crate::limits::statistics::Counting;
use crate::limits::{LimitCriterion, epsilon_limit};
use crate::models::Mediator;
use crate::output::csv::LimitRow;
use crate::scenario::{Curve, MASS_KEY, Scan, Scenario, ScenarioDocument};
use crate::scenario::{SourceConfig, SpectrumConfig};
use crate::showers::track_length::Incident;
use crate::signal::thick_target::{BremMethod, ThickTargetSearch, ThickTargetSetup, Yields};
use crate::sources::{BhabhaSpectrum, PositronSpectrum, Source};
use crate::units::GEV_PER_MEV;
use rayon::prelude::*;
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
    /// Expected 90% CL limit on eps.
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
}

impl PointResult {
    /// The light-dark-matter variable `y = eps^2 alpha_D (m_chi/m_A')^4` at the limit, which
    /// thermal-relic plots use.
    #[must_use]
    pub fn y(&self) -> f64 {
        self.epsilon_limit * self.epsilon_limit * self.alpha_d * self.mchi_over_mmed.powi(4)
    }

    /// Fraction of the signal from annihilation.
    #[must_use]
    pub fn annihilation_fraction(&self) -> f64 {
        self.yields.annihilation.value / self.yields.total()
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
                } => {
                    let (lo, hi) = (theta_min_deg.to_radians(), theta_max_deg.to_radians());
                    PositronSpectrum::Bhabha(match particle {
                        Incident::Positron => BhabhaSpectrum::new(*collider, lo, hi),
                        Incident::Electron => BhabhaSpectrum::electrons(*collider, lo, hi),
                    })
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
        material: t.material,
        thickness_x0: t.thickness_x0,
        brem_thickness_x0: t.brem_thickness_x0,
        incident: scenario.source.incident(),
        second_generation_multiplicity: t.second_generation_multiplicity,
        max_visible_fraction: t.max_visible_fraction,
        min_energy_loss_fraction: t.min_energy_loss_fraction,
        brem: scenario.bremsstrahlung.clone(),
    }
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
        let t = &scenario.target;
        let background = BackgroundEstimate {
            photon: b.photon_veto_inefficiency.map(|veto| {
                PhotonBackground::new(n_positrons, t.thickness_x0, t.max_visible_fraction, veto)
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
        let model = &self.scenario.model;
        Mediator::new(
            model.mediator,
            mass_mev * GEV_PER_MEV,
            model.alpha_d,
            model.mchi_over_mmed,
        )
    }

    /// Yields at one mass.
    #[must_use]
    pub fn yields(&self, mass_mev: f64) -> Yields {
        self.search.yields(self.mediator(mass_mev))
    }

    /// The limit from yields already computed.
    ///
    /// # Errors
    /// If the limit is not a finite positive number (`label` and the mass name the point).
    pub fn limit(&self, label: &str, mass_mev: f64, yields: Yields) -> Result<PointResult, Error> {
        let n_background = self.background.total();
        let n_required = self.n_required;
        let point = || format!("curve \"{label}\", m = {mass_mev} MeV");
        if let BremMethod::RescaledLimit { curve, .. } = &self.scenario.bremsstrahlung {
            if curve.eps_at(mass_mev * GEV_PER_MEV).is_none() {
                let (lo, hi) = curve.mass_range_gev();
                return Err(Error::Usage(format!(
                    "{}: the mass is outside the range {} - {} MeV of the published limit '{}'; narrow the scan or set bremsstrahlung.method = \"computed\"",
                    point(),
                    lo / GEV_PER_MEV,
                    hi / GEV_PER_MEV,
                    curve.source
                )));
            }
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
        if !(n_required.is_finite() && n_required > 0.0) {
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
            return Err(Error::Numerical {
                point: point(),
                message: format!("{n_required} signal events required: {hint}"),
            });
        }
        let epsilon = epsilon_limit(n_required, yields.total());
        if !epsilon.is_finite() || epsilon <= 0.0 {
            return Err(Error::Numerical {
                point: point(),
                message: format!(
                    "the signal per eps^2 is {}, so the limit on eps is {epsilon}",
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
        })
    }

    /// Yields and limit at one mass.
    ///
    /// # Errors
    /// As [`Calculator::limit`].
    pub fn point(&self, label: &str, mass_mev: f64) -> Result<PointResult, Error> {
        self.limit(label, mass_mev, self.yields(mass_mev))
    }
}

/// One curve of a scan.
#[derive(Debug, Clone)]
pub struct CurveResult {
    /// The label.
    pub label: String,
    /// The scanned key (`model.mass_mev` for a mass scan).
    pub parameter: String,
    /// Whether the scan is logarithmic.
    pub logarithmic: bool,
    /// The scanned values, ascending.
    pub values: Vec<f64>,
    /// The calculator of the first point (tables shared with curves of the same physics).
    pub calculator: Calculator,
    /// Points in scan order.
    pub points: Vec<PointResult>,
}

impl CurveResult {
    /// Whether the curve scans the mediator mass.
    #[must_use]
    pub fn is_mass_scan(&self) -> bool {
        self.parameter == MASS_KEY
    }
}

/// Runs the scan of every curve. Points with the same physics share tables; mass scans of
/// curves with the same physics share their yields too.
///
/// # Errors
/// A curve without `[scan]`, curves scanning different keys, a scan point that does not
/// validate, or a numerical failure (naming curve and point).
pub fn run_scan(curves: &[Curve]) -> Result<Vec<CurveResult>, Error> {
    run_scan_with(curves, &Monitor::default())
}

/// Number of points [`run_scan_with`] reports: every scan point of every curve.
#[must_use]
pub fn scan_size(curves: &[Curve]) -> u64 {
    curves
        .iter()
        .map(|c| {
            c.scenario
                .scan
                .as_ref()
                .map_or(0, |s| s.values.len() as u64)
        })
        .sum()
}

/// [`run_scan`] reporting to, stopping on request of, and reusing the store of `monitor`.
///
/// # Errors
/// As [`run_scan`], [`Error::Interrupted`] when the monitor's stop flag is set, and a missing
/// unit when the monitor allows stored yields only.
pub fn run_scan_with(curves: &[Curve], monitor: &Monitor) -> Result<Vec<CurveResult>, Error> {
    match plan(curves)? {
        Plan::Mass(groups) => mass_scans(curves, &groups, monitor),
        Plan::Key(points) => key_scans(curves, &points, monitor),
    }
}

/// Computes the units of work of one shard into the monitor's store, and nothing else; returns
/// how many units the shard owns. [`run_scan_with`] with a store holding every shard's units
/// then gives the same results as an unsharded run.
///
/// # Errors
/// As [`run_scan_with`].
pub fn run_shard(curves: &[Curve], shard: Shard, monitor: &Monitor) -> Result<usize, Error> {
    match plan(curves)? {
        Plan::Mass(groups) => {
            let mut owned = 0;
            for group in &groups {
                let positions: Vec<usize> =
                    (0..group.masses.len()).filter(|&k| shard.owns(k)).collect();
                if positions.is_empty() {
                    continue;
                }
                monitor.check()?;
                let base = &curves[group.first].scenario;
                let calculator = Calculator::new(base);
                positions
                    .par_iter()
                    .map(|&k| {
                        let m = group.masses[k];
                        monitor
                            .yields(&group.key(m), || calculator.yields(m))
                            .map(drop)
                    })
                    .collect::<Result<Vec<()>, Error>>()?;
                owned += positions.len();
            }
            Ok(owned)
        }
        Plan::Key(points) => {
            let owned: Vec<&KeyPoint> = points.iter().filter(|p| shard.owns(p.index)).collect();
            let searches = searches_for(owned.iter().map(|p| &p.scenario), monitor)?;
            owned
                .par_iter()
                .map(|p| {
                    let calculator =
                        Calculator::with_search(&p.scenario, searches.for_scenario(&p.scenario));
                    monitor
                        .yields(&p.key(), || calculator.yields(p.mass_mev))
                        .map(drop)
                })
                .collect::<Result<Vec<()>, Error>>()?;
            Ok(owned.len())
        }
    }
}

/// Number of units of work of a shard (for progress bars).
///
/// # Errors
/// As [`run_scan`].
pub fn shard_size(curves: &[Curve], shard: Shard) -> Result<u64, Error> {
    let count = |n: usize| (0..n).filter(|&k| shard.owns(k)).count() as u64;
    Ok(match plan(curves)? {
        Plan::Mass(groups) => groups.iter().map(|g| count(g.masses.len())).sum(),
        Plan::Key(points) => points.iter().filter(|p| shard.owns(p.index)).count() as u64,
    })
}

/// The units of work of a scan.
enum Plan {
    /// Mass scans: one group per distinct physics, sharing tables and yields.
    Mass(Vec<MassGroup>),
    /// Scans of another key: every point of every curve, validated.
    Key(Vec<KeyPoint>),
}

/// Curves of a mass scan with the same physics, and their merged masses.
struct MassGroup {
    /// Position of the group (in the order of its first curve).
    number: usize,
    /// The first curve of the group (its scenario builds the tables).
    first: usize,
    /// Every curve of the group.
    members: Vec<usize>,
    /// The masses of all members, sorted and de-duplicated (MeV).
    masses: Vec<f64>,
}

impl MassGroup {
    /// Store key of the yields at mass `m` (exact bits, so any mass is its own key).
    fn key(&self, m: f64) -> String {
        format!("mass/{}/{:016x}", self.number, m.to_bits())
    }
}

/// One point of a scan of another key.
struct KeyPoint {
    /// The curve.
    curve: usize,
    /// Position in the curve's scan.
    index: usize,
    /// The curve's scenario with the key set.
    scenario: Scenario,
    /// The fixed mass, MeV.
    mass_mev: f64,
}

impl KeyPoint {
    fn key(&self) -> String {
        format!("point/{}/{}", self.curve, self.index)
    }
}

fn plan(curves: &[Curve]) -> Result<Plan, Error> {
    let scans = curves
        .iter()
        .map(|c| {
            c.scenario.scan.clone().ok_or_else(|| {
                Error::Usage(format!(
                    "curve \"{}\" has no [scan] section: add one, or use `darksens explain`",
                    c.label
                ))
            })
        })
        .collect::<Result<Vec<Scan>, _>>()?;
    if let Some(other) = scans.iter().find(|s| s.parameter != scans[0].parameter) {
        return Err(Error::Usage(format!(
            "all curves must scan the same key, got '{}' and '{}'",
            scans[0].parameter, other.parameter
        )));
    }
    if scans[0].is_mass_scan() {
        let mut groups: Vec<MassGroup> = Vec::new();
        for (i, curve) in curves.iter().enumerate() {
            match groups
                .iter_mut()
                .find(|g| same_physics(&curves[g.first].scenario, &curve.scenario))
            {
                Some(group) => group.members.push(i),
                None => groups.push(MassGroup {
                    number: groups.len(),
                    first: i,
                    members: vec![i],
                    masses: Vec::new(),
                }),
            }
        }
        for group in &mut groups {
            let mut masses: Vec<f64> = group
                .members
                .iter()
                .flat_map(|&i| scans[i].values.iter().copied())
                .collect();
            masses.sort_by(f64::total_cmp);
            masses.dedup();
            group.masses = masses;
        }
        return Ok(Plan::Mass(groups));
    }
    let mut points = Vec::new();
    for (c, (curve, scan)) in curves.iter().zip(&scans).enumerate() {
        for (index, &value) in scan.values.iter().enumerate() {
            let scenario = curve.with_value(&scan.parameter, value)?;
            let Some(mass_mev) = scenario.model.mass_mev else {
                return Err(Error::Usage(format!(
                    "curve \"{}\": scanning {} needs a fixed mass: set model.mass_mev in the scenario or with --set",
                    curve.label, scan.parameter
                )));
            };
            points.push(KeyPoint {
                curve: c,
                index,
                scenario,
                mass_mev,
            });
        }
    }
    Ok(Plan::Key(points))
}

/// Mass scans: one table set per group, yields shared between its curves.
fn mass_scans(
    curves: &[Curve],
    groups: &[MassGroup],
    monitor: &Monitor,
) -> Result<Vec<CurveResult>, Error> {
    let mut results: Vec<Option<CurveResult>> = vec![None; curves.len()];
    for group in groups {
        monitor.check()?;
        let base = &curves[group.first].scenario;
        let started = std::time::Instant::now();
        let search = Arc::new(ThickTargetSearch::new(setup_of(base), base.numerics));
        if std::env::var_os("DARKSENS_TIMING").is_some() {
            eprintln!("[{:>8.1} ms] tables", started.elapsed().as_secs_f64() * 1e3);
        }
        let calculator = Calculator::with_search(base, Arc::clone(&search));
        let yields: Vec<Yields> = group
            .masses
            .par_iter()
            .map(|&m| monitor.yields(&group.key(m), || calculator.yields(m)))
            .collect::<Result<_, Error>>()?;
        // Curves sharing these yields count as done too.
        let points_of = |i: usize| {
            curves[i]
                .scenario
                .scan
                .as_ref()
                .map_or(0, |s| s.values.len())
        };
        let shared: usize = group.members.iter().map(|&i| points_of(i)).sum();
        monitor.done(shared.saturating_sub(group.masses.len()) as u64);
        for &i in &group.members {
            let curve = &curves[i];
            // UNWRAP: plan() checked that every curve has a scan.
            let scan = curve.scenario.scan.as_ref().expect("scan checked");
            let calculator = Calculator::with_search(&curve.scenario, Arc::clone(&search));
            let points = scan
                .values
                .iter()
                .map(|m| {
                    // UNWRAP: every curve mass is in the merged, sorted list.
                    let k = group
                        .masses
                        .binary_search_by(|x| x.total_cmp(m))
                        .expect("mass in merged list");
                    calculator.limit(&curve.label, *m, yields[k])
                })
                .collect::<Result<Vec<_>, _>>()?;
            results[i] = Some(CurveResult {
                label: curve.label.clone(),
                parameter: scan.parameter.clone(),
                logarithmic: scan.logarithmic,
                values: scan.values.clone(),
                calculator,
                points,
            });
        }
    }
    // UNWRAP: every curve belongs to exactly one group.
    Ok(results
        .into_iter()
        .map(|r| r.expect("every curve computed"))
        .collect())
}

/// Table sets built for a list of scenarios, one per distinct setup and numerics.
struct Searches(Vec<(Scenario, Arc<ThickTargetSearch>)>);

impl Searches {
    fn for_scenario(&self, scenario: &Scenario) -> Arc<ThickTargetSearch> {
        // UNWRAP: built by searches_for from the same scenarios.
        let (_, search) = self
            .0
            .iter()
            .find(|(s, _)| same_tables(s, scenario))
            .expect("tables built for every point");
        Arc::clone(search)
    }
}

fn searches_for<'s>(
    scenarios: impl Iterator<Item = &'s Scenario>,
    monitor: &Monitor,
) -> Result<Searches, Error> {
    let mut built: Vec<(Scenario, Arc<ThickTargetSearch>)> = Vec::new();
    for scenario in scenarios {
        if !built.iter().any(|(s, _)| same_tables(s, scenario)) {
            monitor.check()?;
            let search = ThickTargetSearch::new(setup_of(scenario), scenario.numerics);
            built.push((scenario.clone(), Arc::new(search)));
        }
    }
    Ok(Searches(built))
}

/// Scans of any other key: every point is the curve's scenario with the key set; points with
/// the same tables share them.
fn key_scans(
    curves: &[Curve],
    points: &[KeyPoint],
    monitor: &Monitor,
) -> Result<Vec<CurveResult>, Error> {
    let searches = searches_for(points.iter().map(|p| &p.scenario), monitor)?;
    let results: Vec<PointResult> = points
        .par_iter()
        .map(|p| {
            let calculator =
                Calculator::with_search(&p.scenario, searches.for_scenario(&p.scenario));
            let yields = monitor.yields(&p.key(), || calculator.yields(p.mass_mev))?;
            calculator.limit(&curves[p.curve].label, p.mass_mev, yields)
        })
        .collect::<Result<_, Error>>()?;
    curves
        .iter()
        .enumerate()
        .map(|(c, curve)| {
            // UNWRAP: plan() checked that every curve has a scan.
            let scan = curve.scenario.scan.as_ref().expect("scan checked");
            let mine: Vec<usize> = (0..points.len())
                .filter(|&k| points[k].curve == c)
                .collect();
            let first = &points[mine[0]].scenario;
            Ok(CurveResult {
                label: curve.label.clone(),
                parameter: scan.parameter.clone(),
                logarithmic: scan.logarithmic,
                values: scan.values.clone(),
                calculator: Calculator::with_search(first, searches.for_scenario(first)),
                points: mine.iter().map(|&k| results[k]).collect(),
            })
        })
        .collect()
}

fn same_tables(a: &Scenario, b: &Scenario) -> bool {
    setup_of(a) == setup_of(b) && a.numerics == b.numerics
}

fn same_physics(a: &Scenario, b: &Scenario) -> bool {
    same_tables(a, b)
        && a.model.alpha_d == b.model.alpha_d
        && a.model.mchi_over_mmed == b.model.mchi_over_mmed
        && a.model.mediator == b.model.mediator
}

/// What identifies a run for checkpoints and shards: the darksens version, the scenario file
/// and its overrides as given, and every curve's resolved scenario. Two runs with the same
/// description compute the same numbers.
#[must_use]
pub fn run_description(document: &ScenarioDocument, curves: &[Curve]) -> serde_json::Value {
    serde_json::json!({
        "darksens_version": crate::output::sidecar::VERSION,
        "scenario_file": document.path().display().to_string(),
        "overrides": document.overrides().iter().map(|o| o.text.clone()).collect::<Vec<_>>(),
        "curves": curves
            .iter()
            .map(|c| serde_json::json!({ "label": c.label, "resolved_scenario": crate::output::sidecar::toml_to_json(&toml::Value::Table(c.table.clone())) }))
            .collect::<Vec<_>>(),
    })
}

/// The scan as CSV text: one row per curve and point, in scan order
/// ([`crate::output::csv::render`]).
///
/// # Errors
/// [`Error::Numerical`] if any number is not finite (naming the curve and point).
pub fn render_csv(curves: &[CurveResult]) -> Result<Vec<u8>, Error> {
    let Some(first) = curves.first() else {
        return Ok(Vec::new());
    };
    let rows: Vec<LimitRow> = curves
        .iter()
        .flat_map(|curve| {
            curve
                .values
                .iter()
                .zip(&curve.points)
                .map(|(value, p)| LimitRow {
                    curve: &curve.label,
                    value: *value,
                    mass_mev: p.mass_mev,
                    epsilon_limit: p.epsilon_limit,
                    n_ann_per_eps2: p.yields.annihilation.value,
                    n_brem_per_eps2: p.yields.bremsstrahlung.value,
                    n_background: p.n_background,
                    n_required: p.n_required,
                    converged: p.converged,
                    bands: p.epsilon_bands,
                })
        })
        .collect();
    crate::output::csv::render(&rows, &first.parameter, first.is_mass_scan())
}

/// The best (smallest) limit of a curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BestPoint {
    /// Scanned value of the best grid point.
    pub grid_value: f64,
    /// The best grid point.
    pub grid: PointResult,
    /// Scanned value after refinement (equal to `grid_value` unless the scan is over mass).
    pub value: f64,
    /// The refined point.
    pub refined: PointResult,
}

/// The smallest limit of a curve; for a mass scan refined between the neighbours of the best
/// grid point by golden-section search (to 1e-6 relative in mass), since the resonance is much
/// narrower than a grid step.
///
/// # Errors
/// A numerical failure during refinement, or an empty scan.
pub fn best_limit(curve: &CurveResult) -> Result<BestPoint, Error> {
    let (k, grid) = curve
        .points
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.epsilon_limit.total_cmp(&b.1.epsilon_limit))
        .map(|(k, p)| (k, *p))
        .ok_or_else(|| Error::Usage("the scan has no points".to_string()))?;
    let grid_value = curve.values[k];
    let mut best = BestPoint {
        grid_value,
        grid,
        value: grid_value,
        refined: grid,
    };
    if !curve.is_mass_scan() {
        return Ok(best);
    }
    let lo = curve.points[k.saturating_sub(1)].mass_mev;
    let hi = curve.points[(k + 1).min(curve.points.len() - 1)].mass_mev;
    let eval = |m: f64| curve.calculator.point(&curve.label, m);
    if hi > lo {
        // Golden-section search on [lo, hi], keeping the best point seen.
        let ratio = 0.5 * (5f64.sqrt() - 1.0);
        let (mut a, mut b) = (lo, hi);
        let mut c = b - ratio * (b - a);
        let mut d = a + ratio * (b - a);
        let (mut fc, mut fd) = (eval(c)?, eval(d)?);
        while (b - a) > 1e-6 * grid.mass_mev {
            if fc.epsilon_limit < fd.epsilon_limit {
                b = d;
                d = c;
                fd = fc;
                c = b - ratio * (b - a);
                fc = eval(c)?;
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + ratio * (b - a);
                fd = eval(d)?;
            }
            for p in [fc, fd] {
                if p.epsilon_limit < best.refined.epsilon_limit {
                    best.refined = p;
                    best.value = p.mass_mev;
                }
            }
        }
    }
    Ok(best)
}

/// Mass ranges (MeV) where annihilation gives more signal than bremsstrahlung, with edges
/// refined by bisection to 0.01 MeV.
#[must_use]
pub fn annihilation_dominated_ranges(curve: &CurveResult) -> Vec<(f64, f64)> {
    let dominates = |p: &PointResult| p.yields.annihilation.value > p.yields.bremsstrahlung.value;
    let edge = |mut inside: f64, mut outside: f64| {
        while (inside - outside).abs() > 0.01 {
            let mid = 0.5 * (inside + outside);
            let y = curve.calculator.yields(mid);
            if y.annihilation.value > y.bremsstrahlung.value {
                inside = mid;
            } else {
                outside = mid;
            }
        }
        0.5 * (inside + outside)
    };
    let mut ranges = Vec::new();
    let points = &curve.points;
    let mut k = 0;
    while k < points.len() {
        if dominates(&points[k]) {
            let start = k;
            while k + 1 < points.len() && dominates(&points[k + 1]) {
                k += 1;
            }
            let lo = if start == 0 {
                points[0].mass_mev
            } else {
                edge(points[start].mass_mev, points[start - 1].mass_mev)
            };
            let hi = if k + 1 == points.len() {
                points[k].mass_mev
            } else {
                edge(points[k].mass_mev, points[k + 1].mass_mev)
            };
            ranges.push((lo, hi));
        }
        k += 1;
    }
    ranges
}
