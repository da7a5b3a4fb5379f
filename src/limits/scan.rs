//! From a validated scenario to limits: the per-scenario calculator and the mass scan.
//!
//! Curves that share their physics (source, target, model and numerics) share one
//! [`ThickTargetSearch`] and one set of yields; they differ only in background and criterion.
//! Masses are computed in parallel with an indexed `par_iter().map().collect()`, so the order
//! and every number are the same whatever the thread count.

use crate::backgrounds::{BackgroundEstimate, NeutronBackground, PhotonBackground};
use crate::detectors::yields::{BremMethod, ThickTargetSearch, ThickTargetSetup, Yields};
use crate::error::Error;
use crate::limits::statistics::Counting;
use crate::limits::{LimitCriterion, epsilon_limit};
use crate::models::Mediator;
use crate::scenario::SourceConfig;
use crate::scenario::{Curve, MASS_KEY, Scan, Scenario};
use crate::showers::track_length::Incident;
use crate::sources::{BhabhaSpectrum, PositronSpectrum, Source};
use crate::units::GEV_PER_MEV;
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    let source = match scenario.source {
        SourceConfig::Collider {
            collider,
            luminosity_ab,
            theta_min_deg,
            theta_max_deg,
            particle,
        } => {
            let (lo, hi) = (theta_min_deg.to_radians(), theta_max_deg.to_radians());
            let spectrum = match particle {
                Incident::Positron => BhabhaSpectrum::new(collider, lo, hi),
                Incident::Electron => BhabhaSpectrum::electrons(collider, lo, hi),
            };
            Source::Collider {
                spectrum: PositronSpectrum::Bhabha(spectrum),
                luminosity_ab,
            }
        }
        SourceConfig::Beam(beam) => Source::Beam(beam),
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

/// What the caller of a long scan sees and controls: progress reports and a stop flag.
#[derive(Default, Clone, Copy)]
pub struct Monitor<'a> {
    /// Called with `n` as `n` more points are done (from any thread).
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// A signal number, 0 while running: when a handler stores a signal there (SIGINT,
    /// SIGTERM), the scan stops before its next point with [`Error::Interrupted`].
    pub stop: Option<&'a AtomicUsize>,
}

impl Monitor<'_> {
    fn done(&self, n: u64) {
        if let Some(progress) = self.progress {
            progress(n);
        }
    }

    fn check(&self) -> Result<(), Error> {
        interrupted(self.stop)
    }
}

/// `Err(Error::Interrupted)` once `stop` holds a signal number.
///
/// # Errors
/// [`Error::Interrupted`] naming the signal.
pub fn interrupted(stop: Option<&AtomicUsize>) -> Result<(), Error> {
    match stop.map(|s| s.load(Ordering::Relaxed)) {
        Some(signal) if signal != 0 => Err(Error::Interrupted {
            signal: i32::try_from(signal).unwrap_or(0),
        }),
        _ => Ok(()),
    }
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

/// [`run_scan`] reporting to and stopping on request of `monitor`.
///
/// # Errors
/// As [`run_scan`], and [`Error::Interrupted`] when the monitor's stop flag is set.
pub fn run_scan_with(curves: &[Curve], monitor: &Monitor) -> Result<Vec<CurveResult>, Error> {
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
        run_mass_scans(curves, &scans, monitor)
    } else {
        run_key_scans(curves, &scans, monitor)
    }
}

/// Mass scans: one table set per distinct physics, yields shared between curves.
fn run_mass_scans(
    curves: &[Curve],
    scans: &[Scan],
    monitor: &Monitor,
) -> Result<Vec<CurveResult>, Error> {
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, curve) in curves.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(first, _)| same_physics(&curves[*first].scenario, &curve.scenario))
        {
            Some((_, members)) => members.push(i),
            None => groups.push((i, vec![i])),
        }
    }
    let mut results: Vec<Option<CurveResult>> = vec![None; curves.len()];
    for (first, members) in groups {
        monitor.check()?;
        let base = &curves[first].scenario;
        let started = std::time::Instant::now();
        let search = Arc::new(ThickTargetSearch::new(setup_of(base), base.numerics));
        if std::env::var_os("DARKSENS_TIMING").is_some() {
            eprintln!("[{:>8.1} ms] tables", started.elapsed().as_secs_f64() * 1e3);
        }
        let mut masses: Vec<f64> = members
            .iter()
            .flat_map(|&i| scans[i].values.iter().copied())
            .collect();
        masses.sort_by(f64::total_cmp);
        masses.dedup();
        let calculator = Calculator::with_search(base, Arc::clone(&search));
        let yields: Vec<Yields> = masses
            .par_iter()
            .map(|&m| {
                monitor.check()?;
                let y = calculator.yields(m);
                monitor.done(1);
                Ok(y)
            })
            .collect::<Result<_, Error>>()?;
        // Curves sharing these yields count as done too.
        let shared: u64 = members.iter().map(|&i| scans[i].values.len() as u64).sum();
        monitor.done(shared.saturating_sub(masses.len() as u64));
        for &i in &members {
            let curve = &curves[i];
            let calculator = Calculator::with_search(&curve.scenario, Arc::clone(&search));
            let points = scans[i]
                .values
                .iter()
                .map(|m| {
                    // UNWRAP: every curve mass is in the merged, sorted list.
                    let k = masses
                        .binary_search_by(|x| x.total_cmp(m))
                        .expect("mass in merged list");
                    calculator.limit(&curve.label, *m, yields[k])
                })
                .collect::<Result<Vec<_>, _>>()?;
            results[i] = Some(CurveResult {
                label: curve.label.clone(),
                parameter: scans[i].parameter.clone(),
                logarithmic: scans[i].logarithmic,
                values: scans[i].values.clone(),
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

/// Scans of any other key: every point is the curve's scenario with the key set, validated;
/// points with the same physics share one table set.
fn run_key_scans(
    curves: &[Curve],
    scans: &[Scan],
    monitor: &Monitor,
) -> Result<Vec<CurveResult>, Error> {
    let mut searches: Vec<(Scenario, Arc<ThickTargetSearch>)> = Vec::new();
    let mut resolved: Vec<Vec<(Scenario, usize)>> = Vec::new();
    for (curve, scan) in curves.iter().zip(scans) {
        let mut points = Vec::with_capacity(scan.values.len());
        for &value in &scan.values {
            let scenario = curve.with_value(&scan.parameter, value)?;
            if scenario.model.mass_mev.is_none() {
                return Err(Error::Usage(format!(
                    "curve \"{}\": scanning {} needs a fixed mass: set model.mass_mev in the scenario or with --set",
                    curve.label, scan.parameter
                )));
            }
            let k = match searches.iter().position(|(s, _)| same_tables(s, &scenario)) {
                Some(k) => k,
                None => {
                    monitor.check()?;
                    searches.push((
                        scenario.clone(),
                        Arc::new(ThickTargetSearch::new(
                            setup_of(&scenario),
                            scenario.numerics,
                        )),
                    ));
                    searches.len() - 1
                }
            };
            points.push((scenario, k));
        }
        resolved.push(points);
    }
    curves
        .iter()
        .zip(scans)
        .zip(resolved)
        .map(|((curve, scan), points)| {
            let results = points
                .par_iter()
                .map(|(scenario, k)| {
                    monitor.check()?;
                    let calculator = Calculator::with_search(scenario, Arc::clone(&searches[*k].1));
                    // UNWRAP: checked above that every point has a mass.
                    let mass = scenario.model.mass_mev.expect("mass checked");
                    let point = calculator.point(&curve.label, mass);
                    monitor.done(1);
                    point
                })
                .collect::<Result<Vec<_>, _>>()?;
            let (first, k) = &points[0];
            Ok(CurveResult {
                label: curve.label.clone(),
                parameter: scan.parameter.clone(),
                logarithmic: scan.logarithmic,
                values: scan.values.clone(),
                calculator: Calculator::with_search(first, Arc::clone(&searches[*k].1)),
                points: results,
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
