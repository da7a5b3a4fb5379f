//! The driver of thick-target searches (the Belle II calorimeter hit by collider positrons,
//! NA64's beam dump): scans of the mediator mass, or of any other numeric key at a fixed mass.
//!
//! Curves that share their physics (source, target, model and numerics) share one
//! [`ThickTargetSearch`] and one set of yields; they differ only in background and criterion.
//! The units of work are the distinct masses of each group of such curves (a mass scan) or the
//! points of every curve (a scan of another key); each unit's words are its two yields with
//! their error estimates. Tables are built when the first unit that needs them is computed.

mod analysis;
mod calculator;
mod report;

pub use analysis::{BestPoint, CurveResult, annihilation_dominated_ranges, best_limit};
pub use calculator::{Calculator, PointResult, setup_of, source_statistical_error};
pub use report::{
    ExplainedPoint, annihilation_windows, best_point_note, describe_source, line_plot, plot_frame,
    render_csv, scan_record, scan_warnings,
};

use super::{Driver, Explanation, Monitor, OutputPaths, Report, RunClock, RunSource, Words};
use crate::error::{Error, ScanError};
use crate::models::Mediator;
use crate::numerics::log_panels::LogPanels;
use crate::numerics::quadrature::Estimate;
use crate::output::format_number;
use crate::output::sidecar::{VERSION, toml_to_json};
use crate::scenario::{Curve, Scan, Scenario};
use crate::signal::thick_target::{
    ANNIHILATION_INTERPOLATION_MIN_MASSES, ThickTargetSearch, Yields, annihilation_mass_panels,
};
use rayon::prelude::*;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The pipeline of a thick-target scenario: its curves and how to scan them.
#[derive(Debug)]
pub struct ThickTarget {
    curves: Vec<Curve>,
    run: RunSource,
    plan: OnceLock<Plan>,
}

impl ThickTarget {
    /// The units `needed` grouped by the set of tables they use, in the order of each set's
    /// first unit (a map from the tables' address to its group: linear in the units).
    fn units_by_tables(&self, needed: &[usize]) -> Result<Vec<(&Tables, Vec<usize>)>, Error> {
        let plan = self.plan()?;
        let mut groups: Vec<(&Tables, Vec<usize>)> = Vec::new();
        let mut index: std::collections::HashMap<*const Tables, usize> =
            std::collections::HashMap::new();
        for &k in needed {
            let (tables, _, _, _) = unit_point(plan, &self.curves, k)?;
            let next = groups.len();
            let at = *index.entry(std::ptr::from_ref(tables)).or_insert(next);
            if at == next {
                groups.push((tables, Vec::new()));
            }
            groups[at].1.push(k);
        }
        Ok(groups)
    }

    /// The driver of `curves`, read from the scenario `run` describes.
    #[must_use]
    pub fn new(curves: Vec<Curve>, run: RunSource) -> Self {
        Self {
            curves,
            run,
            plan: OnceLock::new(),
        }
    }

    /// The curves.
    #[must_use]
    pub fn curves(&self) -> &[Curve] {
        &self.curves
    }

    fn plan(&self) -> Result<&Plan, Error> {
        if let Some(plan) = self.plan.get() {
            return Ok(plan);
        }
        let plan = plan(&self.curves)?;
        Ok(self.plan.get_or_init(|| plan))
    }

    /// Some point of every curve within the reach of its source (before anything is
    /// computed); points beyond it are closed rows of the scan (a scan of the beam energy
    /// starts below the resonance it crosses).
    fn check_reach(&self) -> Result<(), Error> {
        match self.plan()? {
            Plan::Mass(_) => {
                for curve in &self.curves {
                    if let Some(&lightest) =
                        scan_of(curve).values.iter().min_by(|a, b| a.total_cmp(b))
                    {
                        let point = || {
                            format!(
                                "curve \"{}\", m = {} MeV, the lightest of the scan",
                                curve.label,
                                format_number(lightest)
                            )
                        };
                        calculator::check_reach(&curve.scenario, lightest, &point)?;
                    }
                }
            }
            Plan::Key { points, .. } => {
                for (c, curve) in self.curves.iter().enumerate() {
                    let mut first_error = None;
                    for p in points.iter().filter(|p| p.curve == c) {
                        let point = || {
                            format!(
                                "curve \"{}\", m = {} MeV",
                                curve.label,
                                format_number(p.mass_mev)
                            )
                        };
                        match calculator::check_reach(&p.scenario, p.mass_mev, &point) {
                            Ok(()) => {
                                first_error = None;
                                break;
                            }
                            Err(e) => {
                                first_error.get_or_insert(e);
                            }
                        }
                    }
                    if let Some(e) = first_error {
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    /// The results of every curve from the words of every unit.
    ///
    /// # Errors
    /// Words that do not decode, or a limit that is not a finite positive number.
    pub fn results(&self, words: &[Words]) -> Result<Vec<CurveResult>, Error> {
        let yields = words
            .iter()
            .map(|w| decode(w).ok_or(Error::Scan(ScanError::ForeignUnits)))
            .collect::<Result<Vec<Yields>, Error>>()?;
        match self.plan()? {
            Plan::Mass(groups) => self.mass_results(groups, &yields),
            Plan::Key { points, tables, .. } => {
                let per_point: Vec<Yields> = points.iter().map(|p| yields[p.unit]).collect();
                self.key_results(points, tables, &per_point)
            }
        }
    }

    /// Mass scans: every curve's points from its group's yields.
    fn mass_results(
        &self,
        groups: &[MassGroup],
        yields: &[Yields],
    ) -> Result<Vec<CurveResult>, Error> {
        let mut results: Vec<Option<CurveResult>> = vec![None; self.curves.len()];
        let mut offset = 0;
        for group in groups {
            let own = &yields[offset..offset + group.masses.len()];
            offset += group.masses.len();
            let search = group.tables.search();
            for &i in &group.members {
                let curve = &self.curves[i];
                let scan = scan_of(curve);
                let calculator = Calculator::with_search(&curve.scenario, Arc::clone(&search));
                // Sized once: a collect through `Result` would grow it by doubling (a 1e6-point
                // scan holds 3e6 points).
                let mut points = Vec::with_capacity(scan.values.len());
                for m in &scan.values {
                    // UNWRAP: every curve mass is in the merged, sorted list.
                    let k = group
                        .masses
                        .binary_search_by(|x| x.total_cmp(m))
                        .expect("mass in merged list");
                    points.push(calculator.limit(&curve.label, *m, own[k])?);
                }
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

    /// Scans of another key: every point its own scenario, tables shared where equal.
    fn key_results(
        &self,
        points: &[KeyPoint],
        tables: &[Tables],
        yields: &[Yields],
    ) -> Result<Vec<CurveResult>, Error> {
        let calculators: Vec<Calculator> = points
            .iter()
            .map(|p| Calculator::with_search(&p.scenario, tables[p.tables].search()))
            .collect();
        let results: Vec<PointResult> = points
            .iter()
            .zip(&calculators)
            .zip(yields)
            .map(|((p, calculator), y)| {
                calculator.limit(&self.curves[p.curve].label, p.mass_mev, *y)
            })
            .collect::<Result<_, Error>>()?;
        Ok(self
            .curves
            .iter()
            .enumerate()
            .map(|(c, curve)| {
                let scan = scan_of(curve);
                let mine: Vec<usize> = (0..points.len())
                    .filter(|&k| points[k].curve == c)
                    .collect();
                CurveResult {
                    label: curve.label.clone(),
                    parameter: scan.parameter.clone(),
                    logarithmic: scan.logarithmic,
                    values: scan.values.clone(),
                    calculator: calculators[mine[0]].clone(),
                    points: mine.iter().map(|&k| results[k]).collect(),
                }
            })
            .collect())
    }
}

impl Driver for ThickTarget {
    fn describe(&self) -> String {
        let counts: Vec<usize> = self
            .curves
            .iter()
            .filter_map(|c| c.scenario.scan.as_ref().map(|s| s.values.len()))
            .collect();
        let curves = self.curves.len();
        match (counts.iter().min(), counts.iter().max()) {
            _ if counts.len() < curves => format!(
                "{curves} curve(s), no [scan]: `darksens scan` needs one, `darksens explain` computes one mass"
            ),
            (Some(least), Some(most)) if least != most => {
                format!("{curves} curve(s), {least}-{most} scan points (a curve sets its own)")
            }
            (_, most) => format!("{curves} curve(s), {} scan point(s)", most.unwrap_or(&0)),
        }
    }

    fn check(&self) -> Result<(), Error> {
        if self.curves.iter().any(|c| c.scenario.scan.is_none()) {
            return Ok(());
        }
        self.check_reach()
    }

    fn setup_warnings(&self) -> Vec<String> {
        report::setup_warnings(&self.curves)
    }

    fn identity(&self) -> serde_json::Value {
        serde_json::json!({
            "darksens_version": VERSION,
            "scenario_file": self.run.scenario_file,
            "overrides": self.run.overrides,
            "inputs": self.run.inputs,
            "curves": self
                .curves
                .iter()
                .map(|c| serde_json::json!({ "label": c.label, "resolved_scenario": toml_to_json(&toml::Value::Table(c.recorded_table())) }))
                .collect::<Vec<_>>(),
        })
    }

    fn outputs(&self, out: Option<&Path>) -> OutputPaths {
        let output = &self.curves[0].scenario.output;
        OutputPaths::new(&output.csv, &output.png, output.svg.as_deref(), out)
    }

    fn units(&self) -> Result<Vec<String>, Error> {
        self.check_reach()?;
        Ok(match self.plan()? {
            Plan::Mass(groups) => groups
                .iter()
                .flat_map(|g| g.masses.iter().map(|&m| g.key(m)))
                .collect(),
            Plan::Key { points, units, .. } => units.iter().map(|&p| points[p].key()).collect(),
        })
    }

    fn batches(&self, needed: &[usize]) -> Result<Vec<Vec<usize>>, Error> {
        // One batch per set of tables, in the order of their first unit.
        Ok(self
            .units_by_tables(needed)?
            .into_iter()
            .map(|(_, batch)| batch)
            .collect())
    }

    fn prepare(&self, needed: &[usize]) -> Result<(), Error> {
        // Each set of tables the needed units use, built in parallel (a table build that
        // finishes early helps with the others' inner parallel loops, which a unit waiting
        // for its tables inside the scan's loop could not).
        let used = self.units_by_tables(needed)?;
        used.par_iter().for_each(|(t, _)| drop(t.search()));
        Ok(())
    }

    fn compute(&self, k: usize) -> Result<Words, Error> {
        let (tables, scenario, mass_mev, panels) = unit_point(self.plan()?, &self.curves, k)?;
        let search = tables.search();
        let at = mediator(scenario, mass_mev);
        Ok(encode(&match panels {
            Some(panels) => search.yields_interpolating(at, panels, |m| {
                scenario.model.mediator_at(m / crate::units::GEV_PER_MEV)
            }),
            None => search.yields(at),
        }))
    }

    fn accepts(&self, words: &Words) -> bool {
        decode(words).is_some_and(|y| {
            [y.annihilation, y.bremsstrahlung]
                .iter()
                .all(|e| !e.value.is_nan() && !e.error.is_nan())
        })
    }

    fn finish(
        &self,
        words: &[Words],
        paths: &OutputPaths,
        clock: RunClock,
    ) -> Result<Report, Error> {
        let results = self.results(words)?;
        report::finish(&self.curves, &self.run, &results, paths, clock)
    }

    fn explain(&self, mass_mev: Option<f64>, curve: Option<&str>) -> Result<Explanation, Error> {
        report::explain(chosen_curve(&self.curves, curve)?, &self.run, mass_mev)
    }
}

/// The curve `wanted` names: its label, or its position counted from 1; the first without one.
///
/// # Errors
/// [`Error::Usage`] listing the curves, for a name that is neither.
fn chosen_curve<'a>(curves: &'a [Curve], wanted: Option<&str>) -> Result<&'a Curve, Error> {
    let Some(wanted) = wanted else {
        return curves
            .first()
            .ok_or_else(|| Error::Usage("the scenario has no curve".into()));
    };
    let by_position = wanted
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|k| k.checked_sub(1))
        .and_then(|k| curves.get(k));
    curves
        .iter()
        .find(|c| c.label == wanted)
        .or(by_position)
        .ok_or_else(|| {
            let listing: Vec<String> = curves
                .iter()
                .enumerate()
                .map(|(k, c)| format!("{} \"{}\"", k + 1, c.label))
                .collect();
            Error::Usage(format!(
                "--curve {wanted}: the scenario has no curve of that label or position; its curves are {}",
                listing.join(", ")
            ))
        })
}

/// Unit `k` of the plan: the tables it uses, the scenario that sets its model, and its mass.
///
/// # Errors
/// [`ScanError::ForeignUnits`] for a unit the plan does not have.
/// The tables, scenario and mass of unit `k`, and the panels its annihilation yield is
/// interpolated on (a large mass scan's).
fn unit_point<'a>(
    plan: &'a Plan,
    curves: &'a [Curve],
    k: usize,
) -> Result<(&'a Tables, &'a Scenario, f64, Option<&'a LogPanels>), Error> {
    match plan {
        Plan::Mass(groups) => {
            let mut k = k;
            let group = groups
                .iter()
                .find(|g| {
                    let inside = k < g.masses.len();
                    if !inside {
                        k -= g.masses.len();
                    }
                    inside
                })
                .ok_or(ScanError::ForeignUnits)?;
            Ok((
                &group.tables,
                &curves[group.first].scenario,
                group.masses[k],
                group.annihilation_panels.as_ref(),
            ))
        }
        Plan::Key {
            points,
            tables,
            units,
        } => {
            let p = &points[*units.get(k).ok_or(ScanError::ForeignUnits)?];
            Ok((&tables[p.tables], &p.scenario, p.mass_mev, None))
        }
    }
}

/// The scan of a curve (planning checked that every curve has one).
fn scan_of(curve: &Curve) -> &Scan {
    // UNWRAP: plan() checked that every curve has a scan.
    curve.scenario.scan.as_ref().expect("scan checked")
}

/// The scenario's mediator at `mass_mev`.
fn mediator(scenario: &Scenario, mass_mev: f64) -> Mediator {
    scenario.model.mediator_at(mass_mev)
}

/// Runs the scan of every curve in this process (no checkpoint, no progress).
///
/// # Errors
/// A curve without `[scan]`, curves scanning different keys, a scan point that does not
/// validate, or a numerical failure (naming curve and point).
pub fn run_scan(curves: &[Curve]) -> Result<Vec<CurveResult>, Error> {
    run_scan_until(curves, None)
}

/// As [`run_scan`], stopping before the next point once `stop` holds a nonzero number (a
/// signal, or a caller's request), with [`Error::Interrupted`].
///
/// # Errors
/// As [`run_scan`], and [`Error::Interrupted`].
pub fn run_scan_until(
    curves: &[Curve],
    stop: Option<&std::sync::atomic::AtomicUsize>,
) -> Result<Vec<CurveResult>, Error> {
    let run = RunSource {
        scenario_file: curves
            .first()
            .map(|c| c.file.display().to_string())
            .unwrap_or_default(),
        overrides: Vec::new(),
        resolved_table: toml::Table::new(),
        inputs: curves
            .first()
            .map(|c| c.resolver.digests())
            .unwrap_or_default(),
    };
    let driver = ThickTarget::new(curves.to_vec(), run);
    let units = driver.units()?;
    let monitor = Monitor {
        stop,
        ..Monitor::default()
    };
    let words = super::compute_all(&driver, &units, &monitor)?;
    driver.results(&words)
}

/// A set of tables, built when first needed and shared by every unit that needs it.
#[derive(Debug)]
struct Tables {
    /// The scenario whose setup and numerics the tables are for.
    scenario: Scenario,
    search: OnceLock<Arc<ThickTargetSearch>>,
}

impl Tables {
    fn new(scenario: &Scenario) -> Self {
        Self {
            scenario: scenario.clone(),
            search: OnceLock::new(),
        }
    }

    /// The tables, built on first use, or taken from an earlier scan of this process that
    /// still holds tables of the same setup and numerics ([`BUILT`]).
    fn search(&self) -> Arc<ThickTargetSearch> {
        Arc::clone(self.search.get_or_init(|| {
            let setup = setup_of(&self.scenario);
            let numerics = self.scenario.numerics;
            if let Some(built) = built_search(&setup, numerics) {
                return built;
            }
            let started = std::time::Instant::now();
            let search = Arc::new(ThickTargetSearch::new(setup, numerics));
            if std::env::var_os("DARKSENS_TIMING").is_some() {
                eprintln!("[{:>8.1} ms] tables", started.elapsed().as_secs_f64() * 1e3);
            }
            remember_search(&search);
            search
        }))
    }
}

/// Tables built in this process that some result still holds, by what they were built from:
/// a later scan of the same setup and numerics (another background or coupling, or
/// `darksens reproduce` measuring one scenario several ways) takes them instead of building
/// its own. The tables are a function of their setup and numerics alone (their lazily built
/// parts depend only on their own index), so a taken table gives the same numbers as a new one.
/// Held weakly: tables no result holds any more are freed as before.
static BUILT: std::sync::Mutex<Vec<std::sync::Weak<ThickTargetSearch>>> =
    std::sync::Mutex::new(Vec::new());

/// The tables of `setup` and `numerics` if a live result holds them. The store is locked only
/// to look (a build never runs under the lock).
fn built_search(
    setup: &crate::signal::thick_target::ThickTargetSetup,
    numerics: crate::signal::thick_target::Resolution,
) -> Option<Arc<ThickTargetSearch>> {
    let built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    built
        .iter()
        .filter_map(std::sync::Weak::upgrade)
        .find(|s| s.setup() == setup && s.resolution() == numerics)
}

/// Adds `search` to [`BUILT`], dropping the entries no result holds any more.
fn remember_search(search: &Arc<ThickTargetSearch>) {
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    built.retain(|s| s.strong_count() > 0);
    built.push(Arc::downgrade(search));
}

/// The units of work of a scan.
#[derive(Debug)]
enum Plan {
    /// Mass scans: one group per distinct physics, sharing tables and yields.
    Mass(Vec<MassGroup>),
    /// Scans of another key: every point of every curve, validated; each point names the
    /// tables it uses and its unit of work. Points of different curves with the same physics
    /// (curves that differ in background or criterion only) share one unit, as the curves of a
    /// mass scan share their yields.
    Key {
        points: Vec<KeyPoint>,
        tables: Vec<Tables>,
        /// The point that stands for each unit of work.
        units: Vec<usize>,
    },
}

/// Curves of a mass scan with the same physics, and their merged masses.
#[derive(Debug)]
struct MassGroup {
    /// Position of the group (in the order of its first curve).
    number: usize,
    /// The first curve of the group (its scenario builds the tables).
    first: usize,
    /// Every curve of the group.
    members: Vec<usize>,
    /// The masses of all members, sorted and de-duplicated (MeV).
    masses: Vec<f64>,
    /// The group's tables.
    tables: Tables,
    /// The annihilation yield's panels in the mass, for a group of at least
    /// [`ANNIHILATION_INTERPOLATION_MIN_MASSES`] masses (`numerics.interpolate_annihilation_in_mass`).
    annihilation_panels: Option<LogPanels>,
}

impl MassGroup {
    /// Unit key of the yields at mass `m` (exact bits, so any mass is its own key).
    fn key(&self, m: f64) -> String {
        format!("mass/{}/{:016x}", self.number, m.to_bits())
    }
}

/// One point of a scan of another key.
#[derive(Debug)]
struct KeyPoint {
    /// The curve.
    curve: usize,
    /// Position in the curve's scan.
    index: usize,
    /// The curve's scenario with the key set.
    scenario: Scenario,
    /// The fixed mass, MeV.
    mass_mev: f64,
    /// The tables it uses (index into the plan's tables).
    tables: usize,
    /// Its unit of work (index into the plan's units).
    unit: usize,
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
            c.scenario.scan.clone().ok_or_else(|| ScanError::NoScan {
                curve: c.label.clone(),
            })
        })
        .collect::<Result<Vec<Scan>, _>>()?;
    if let Some(other) = scans.iter().find(|s| s.parameter != scans[0].parameter) {
        return Err(ScanError::DifferentKeys {
            first: scans[0].parameter.clone(),
            other: other.parameter.clone(),
        }
        .into());
    }
    if scans[0].is_mass_scan() {
        Ok(Plan::Mass(mass_groups(curves, &scans)))
    } else {
        key_points(curves, &scans)
    }
}

/// Curves of a mass scan grouped by their physics, each group with the union of its masses.
fn mass_groups(curves: &[Curve], scans: &[Scan]) -> Vec<MassGroup> {
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
                tables: Tables::new(&curve.scenario),
                annihilation_panels: None,
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
        let numerics = group.tables.scenario.numerics;
        group.annihilation_panels = (numerics.interpolate_annihilation_in_mass
            && masses.len() >= ANNIHILATION_INTERPOLATION_MIN_MASSES)
            .then(|| annihilation_mass_panels(numerics));
        group.masses = masses;
    }
    groups
}

/// Every point of a scan of another key: the curve's scenario with the key set (a typed field
/// changed and validated, inputs already read), the points with equal tables sharing them.
fn key_points(curves: &[Curve], scans: &[Scan]) -> Result<Plan, Error> {
    let mut points: Vec<KeyPoint> = Vec::new();
    let mut tables: Vec<Tables> = Vec::new();
    let mut units: Vec<usize> = Vec::new();
    let mut unit_of = std::collections::HashMap::new();
    for (c, (curve, scan)) in curves.iter().zip(scans).enumerate() {
        for (index, &value) in scan.values.iter().enumerate() {
            let scenario = curve.with_value(&scan.parameter, value)?;
            let Some(mass_mev) = scenario.model.mass_mev else {
                return Err(ScanError::NeedsMass {
                    curve: curve.label.clone(),
                    key: scan.parameter.clone(),
                }
                .into());
            };
            let shared = tables
                .iter()
                .position(|t| same_tables(&t.scenario, &scenario))
                .unwrap_or_else(|| {
                    tables.push(Tables::new(&scenario));
                    tables.len() - 1
                });
            // Same tables, mass and model: the same yields (as same_physics).
            let physics = (shared, mass_mev.to_bits(), model_key(&scenario.model));
            let unit = *unit_of.entry(physics).or_insert_with(|| {
                units.push(points.len());
                units.len() - 1
            });
            points.push(KeyPoint {
                curve: c,
                index,
                scenario,
                mass_mev,
                tables: shared,
                unit,
            });
        }
    }
    Ok(Plan::Key {
        points,
        tables,
        units,
    })
}

fn same_tables(a: &Scenario, b: &Scenario) -> bool {
    setup_of(a) == setup_of(b) && a.numerics == b.numerics
}

/// Whether two curves' yields are the same numbers: the same tables and the same model but
/// for the mass (each unit's own).
fn same_physics(a: &Scenario, b: &Scenario) -> bool {
    same_tables(a, b) && model_key(&a.model) == model_key(&b.model)
}

/// Every field of the model but the mass, in hashable form. The fields are named one by one
/// (no `..`), so that a field added to the model cannot be forgotten here, which would give
/// curves or scan points of different physics the same yields.
fn model_key(
    model: &crate::scenario::ModelConfig,
) -> (
    crate::models::MediatorKind,
    crate::models::Decay,
    u64,
    u64,
    Option<u64>,
) {
    let crate::scenario::ModelConfig {
        mediator,
        decay,
        alpha_d,
        mchi_over_mmed,
        g_ve,
        mass_mev: _,
    } = model;
    (
        *mediator,
        *decay,
        alpha_d.to_bits(),
        mchi_over_mmed.to_bits(),
        g_ve.map(f64::to_bits),
    )
}

/// The words of a unit: value, error, evaluations and convergence of each yield.
fn encode(yields: &Yields) -> Words {
    let e = |x: &Estimate| {
        [
            x.value.to_bits(),
            x.error.to_bits(),
            x.evaluations as u64,
            u64::from(x.converged),
        ]
    };
    let (a, b) = (e(&yields.annihilation), e(&yields.bremsstrahlung));
    vec![a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
}

fn decode(words: &[u64]) -> Option<Yields> {
    if words.len() != 8 {
        return None;
    }
    let e = |w: &[u64]| Estimate {
        value: f64::from_bits(w[0]),
        error: f64::from_bits(w[1]),
        evaluations: usize::try_from(w[2]).unwrap_or(usize::MAX),
        converged: w[3] == 1,
    };
    Some(Yields {
        annihilation: e(&words[..4]),
        bremsstrahlung: e(&words[4..]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yields_round_trip_through_words_exactly() {
        let yields = Yields {
            annihilation: Estimate {
                value: 0.1 + 0.2,
                error: 3e-17,
                evaluations: 315,
                converged: true,
            },
            bremsstrahlung: Estimate {
                value: f64::MIN_POSITIVE,
                error: 0.0,
                evaluations: 0,
                converged: false,
            },
        };
        assert_eq!(decode(&encode(&yields)), Some(yields));
        assert_eq!(decode(&[1, 2, 3]), None);
    }

    fn paper_curves(overrides: &[&str]) -> Vec<Curve> {
        let overrides: Vec<crate::scenario::Override> = ["scan.points=5", "scan.dense_points=3"]
            .iter()
            .chain(overrides)
            .map(|o| crate::scenario::Override::parse(o).unwrap())
            .collect();
        crate::scenario::ScenarioDocument::load(
            Path::new("configs/belle2_dp_paper.toml"),
            &overrides,
        )
        .unwrap()
        .curves()
        .unwrap()
    }

    #[test]
    fn a_later_scan_of_the_same_setup_takes_the_built_tables() {
        let first = run_scan(&paper_curves(&[])).unwrap();
        // Another background: other limits, the same tables, the same yields.
        let second = run_scan(&paper_curves(&["background.total=500"])).unwrap();
        assert!(std::ptr::eq(
            first[0].calculator.search(),
            second[0].calculator.search()
        ));
        for (a, b) in first[0].points.iter().zip(&second[0].points) {
            assert_eq!(a.yields, b.yields);
            assert!(a.epsilon_limit < b.epsilon_limit || a.epsilon_limit.is_infinite());
        }
        // Another thickness: new tables.
        let thinner = run_scan(&paper_curves(&["target.thickness_x0=10"])).unwrap();
        assert!(!std::ptr::eq(
            first[0].calculator.search(),
            thinner[0].calculator.search()
        ));
        // Tables no result holds are not kept.
        let address = std::ptr::from_ref(thinner[0].calculator.search()) as usize;
        drop(thinner);
        let live = BUILT
            .lock()
            .unwrap()
            .iter()
            .filter_map(std::sync::Weak::upgrade)
            .any(|s| std::ptr::from_ref(s.as_ref()) as usize == address);
        assert!(!live);
    }
}
