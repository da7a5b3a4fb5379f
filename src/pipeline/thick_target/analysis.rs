//! What a finished curve says: the best limit (refined across the resonance) and the mass
//! ranges where annihilation dominates.

use super::calculator::{Calculator, PointResult};
use crate::error::{Error, ScanError};
use crate::limits::LimitStatus;
use crate::scenario::MASS_KEY;

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
    // The best converged point; only when none converged, the best of all (the summary lists
    // the unconverged ones).
    let lowest = |converged_only: bool| {
        curve
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| !converged_only || p.status() != LimitStatus::Unconverged)
            .min_by(|a, b| a.1.epsilon_limit.total_cmp(&b.1.epsilon_limit))
            .map(|(k, p)| (k, *p))
    };
    let (k, grid) = lowest(true)
        .or_else(|| lowest(false))
        .ok_or(ScanError::Empty)?;
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

/// Whether the curve counts bremsstrahlung at all (not `bremsstrahlung.method = "none"`).
#[must_use]
pub fn counts_bremsstrahlung(curve: &CurveResult) -> bool {
    curve.calculator.search().setup().brem != crate::signal::thick_target::BremMethod::Omitted
}

/// Mass ranges (MeV) where annihilation gives more signal than bremsstrahlung, with edges
/// refined by bisection to 0.01 MeV; none when bremsstrahlung is not counted (there is
/// nothing to compare with).
#[must_use]
pub fn annihilation_dominated_ranges(curve: &CurveResult) -> Vec<(f64, f64)> {
    if !counts_bremsstrahlung(curve) {
        return Vec::new();
    }
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
