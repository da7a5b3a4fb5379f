//! From a validated scenario to limits: the per-scenario calculator and the mass scan.
//!
//! Curves that share their physics (source, target, model and numerics) share one
//! [`ThickTargetSearch`] and one set of yields; they differ only in background and criterion.
//! Masses are computed in parallel with an indexed `par_iter().map().collect()`, so the order
//! and every number are the same whatever the thread count.

use crate::backgrounds::{BackgroundEstimate, NeutronBackground, PhotonBackground};
use crate::detectors::yields::{ThickTargetSearch, ThickTargetSetup, Yields};
use crate::error::Error;
use crate::limits::{LimitCriterion, epsilon_limit};
use crate::models::DarkPhoton;
use crate::scenario::{Curve, Scenario};
use crate::showers::track_length::Incident;
use crate::sources::{BhabhaSpectrum, PositronSpectrum};
use crate::units::GEV_PER_MEV;
use rayon::prelude::*;

/// The model-independent part of a scenario, built once: tables, positron count, backgrounds.
#[derive(Debug, Clone)]
pub struct Calculator {
    scenario: Scenario,
    search: ThickTargetSearch,
    background: BackgroundEstimate,
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
}

/// The thick-target setup a scenario describes.
#[must_use]
pub fn setup_of(scenario: &Scenario) -> ThickTargetSetup {
    let s = &scenario.source;
    let t = &scenario.target;
    ThickTargetSetup {
        spectrum: PositronSpectrum::Bhabha(BhabhaSpectrum::new(
            s.collider,
            s.theta_min_deg.to_radians(),
            s.theta_max_deg.to_radians(),
        )),
        luminosity_ab: s.luminosity_ab,
        material: t.material,
        thickness_x0: t.thickness_x0,
        brem_thickness_x0: t.brem_thickness_x0,
        incident: Incident::Positron,
        second_generation_multiplicity: t.second_generation_multiplicity,
        max_visible_fraction: t.max_visible_fraction,
        min_energy_loss_fraction: t.min_energy_loss_fraction,
    }
}

impl Calculator {
    /// Builds the tables for `scenario`.
    #[must_use]
    pub fn new(scenario: &Scenario) -> Self {
        let search = ThickTargetSearch::new(setup_of(scenario), scenario.numerics);
        Self::with_search(scenario, search)
    }

    /// Reuses tables already built for the same setup.
    #[must_use]
    pub fn with_search(scenario: &Scenario, search: ThickTargetSearch) -> Self {
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
        Self {
            scenario: scenario.clone(),
            search,
            background,
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
    pub fn dark_photon(&self, mass_mev: f64) -> DarkPhoton {
        DarkPhoton {
            mass_gev: mass_mev * GEV_PER_MEV,
            alpha_d: self.scenario.model.alpha_d,
            mchi_over_mmed: self.scenario.model.mchi_over_mmed,
        }
    }

    /// Yields at one mass.
    #[must_use]
    pub fn yields(&self, mass_mev: f64) -> Yields {
        self.search.yields(&self.dark_photon(mass_mev))
    }

    /// The limit from yields already computed.
    ///
    /// # Errors
    /// If the limit is not a finite positive number (`label` and the mass name the point).
    pub fn limit(&self, label: &str, mass_mev: f64, yields: Yields) -> Result<PointResult, Error> {
        let n_background = self.background.total();
        let n_required = self.scenario.limit.n_required(n_background);
        let point = || format!("curve \"{label}\", m = {mass_mev} MeV");
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
        if n_required <= 0.0 {
            let hint = match self.scenario.limit {
                LimitCriterion::SqrtBackground { .. } => {
                    "the sqrt-nb criterion needs a positive background; use limit.method = \"fixed\" without background"
                }
                LimitCriterion::Fixed { .. } => "limit.n_signal must be positive",
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
        Ok(PointResult {
            mass_mev,
            yields,
            n_background,
            n_required,
            epsilon_limit: epsilon,
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
    /// The calculator (tables shared with other curves of the same physics).
    pub calculator: Calculator,
    /// Points in mass order.
    pub points: Vec<PointResult>,
}

/// Runs the scan of every curve. Curves with the same physics share tables and yields.
///
/// # Errors
/// A curve without `[scan]`, or a numerical failure (naming curve and mass).
pub fn run_scan(curves: &[Curve]) -> Result<Vec<CurveResult>, Error> {
    // Group curves whose yields are identical: same setup, numerics and model.
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, curve) in curves.iter().enumerate() {
        let found = groups
            .iter_mut()
            .find(|(first, _)| same_physics(&curves[*first].scenario, &curve.scenario));
        match found {
            Some((_, members)) => members.push(i),
            None => groups.push((i, vec![i])),
        }
    }
    let mut results: Vec<Option<CurveResult>> = vec![None; curves.len()];
    for (first, members) in groups {
        let base = &curves[first].scenario;
        let started = std::time::Instant::now();
        let search = ThickTargetSearch::new(setup_of(base), base.numerics);
        if std::env::var_os("DARKSENS_TIMING").is_some() {
            eprintln!("[{:>8.1} ms] tables", started.elapsed().as_secs_f64() * 1e3);
        }
        // Masses of all member curves, computed once each.
        let mut masses: Vec<f64> = Vec::new();
        for &i in &members {
            let scan = curves[i].scenario.scan.as_ref().ok_or_else(|| {
                Error::Usage(format!(
                    "curve \"{}\" has no [scan] section: add one, or use `darksens explain`",
                    curves[i].label
                ))
            })?;
            masses.extend(&scan.values);
        }
        masses.sort_by(f64::total_cmp);
        masses.dedup();
        let calculator = Calculator::with_search(base, search.clone());
        let yields: Vec<Yields> = masses.par_iter().map(|&m| calculator.yields(m)).collect();
        for &i in &members {
            let curve = &curves[i];
            let calculator = Calculator::with_search(&curve.scenario, search.clone());
            // UNWRAP: checked above that every member has a scan.
            let values = &curve.scenario.scan.as_ref().expect("scan present").values;
            let points = values
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

fn same_physics(a: &Scenario, b: &Scenario) -> bool {
    setup_of(a) == setup_of(b)
        && a.numerics == b.numerics
        && a.model.alpha_d == b.model.alpha_d
        && a.model.mchi_over_mmed == b.model.mchi_over_mmed
        && a.model.mediator == b.model.mediator
}

/// The smallest limit of a curve, refined between the neighbours of the best grid point by
/// golden-section search (to 1e-4 MeV relative), since the resonance is much narrower than a
/// grid step.
///
/// # Errors
/// A numerical failure during refinement.
pub fn best_limit(curve: &CurveResult) -> Result<(PointResult, PointResult), Error> {
    let (k, grid_best) = curve
        .points
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.epsilon_limit.total_cmp(&b.1.epsilon_limit))
        .map(|(k, p)| (k, *p))
        .ok_or_else(|| Error::Usage("the scan has no points".to_string()))?;
    let lo = curve.points[k.saturating_sub(1)].mass_mev;
    let hi = curve.points[(k + 1).min(curve.points.len() - 1)].mass_mev;
    let eval = |m: f64| curve.calculator.point(&curve.label, m);
    let mut best = grid_best;
    if hi > lo {
        // Golden-section search on [lo, hi], keeping the best point seen.
        let ratio = 0.5 * (5f64.sqrt() - 1.0);
        let (mut a, mut b) = (lo, hi);
        let mut c = b - ratio * (b - a);
        let mut d = a + ratio * (b - a);
        let (mut fc, mut fd) = (eval(c)?, eval(d)?);
        while (b - a) > 1e-4 * grid_best.mass_mev * 1e-2 {
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
                if p.epsilon_limit < best.epsilon_limit {
                    best = p;
                }
            }
        }
    }
    Ok((grid_best, best))
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
