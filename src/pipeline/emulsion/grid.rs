//! The two-parameter scan of an emulsion search [EMU Figs. 14-16]: the signal on a grid, the
//! excluded region and its boundary.

use crate::error::{Error, ScanError};
use crate::models::inelastic::InelasticScalar;
use crate::models::r_ratio::RRatio;
use crate::scenario::emulsion::{EmulsionScan, EmulsionScenario};
use crate::signal::emulsion::{EmulsionSetup, MassPoint};
use crate::sources::phi1::{EventKey, EventSample, Fraction};
use rayon::prelude::*;

/// One column of a grid: a value of the horizontal key and every cell above it.
#[derive(Debug, Clone, PartialEq)]
pub struct GridColumn {
    /// The horizontal value.
    pub x: f64,
    /// Whether the masses of this column allow a signal (on shell: `m1 + m2 < M < sqrt s`; off
    /// shell: `m1 + m2 < sqrt s`; always `m1 > m2 > 0` and `m1 - m2 > 2 m_e`). A closed column
    /// has no signal.
    pub open: bool,
    /// Acceptance of each detector (zero in a closed column).
    pub acceptance: Vec<Fraction>,
    /// Per cell (in the order of the vertical values): signal events of each detector.
    pub n_signal: Vec<Vec<f64>>,
    /// Per cell: mean flight length, m.
    pub flight_length_m: Vec<f64>,
    /// The excluded intervals of the vertical key `(lower, upper)`, found by bisection on the
    /// exact signal between grid values (an end equal to the scan's first or last value means
    /// the region continues beyond the grid).
    pub excluded: Vec<(f64, f64)>,
    /// Per cell: whether BaBar's searches exclude it [EMU Eq. 22-23] (all false without
    /// `[babar]` files).
    pub babar: Vec<bool>,
    /// The intervals BaBar excludes, as `excluded`.
    pub babar_excluded: Vec<(f64, f64)>,
}

/// A two-parameter scan [EMU Figs. 14-16]: signal on a grid and the excluded region.
#[derive(Debug, Clone, PartialEq)]
pub struct GridResult {
    /// The detectors' names.
    pub detectors: Vec<String>,
    /// The vertical values.
    pub y_values: Vec<f64>,
    /// Per horizontal value.
    pub columns: Vec<GridColumn>,
    /// Where the signal region closes between two open columns ([`Tip`]), in the order of the
    /// columns.
    pub tips: Vec<Tip>,
}

/// The point where the signal region closes between a column with an excluded interval and an
/// open neighbour without one: the horizontal value at which the largest signal over the
/// vertical key just reaches `limit.n_signal`, and the vertical value where it does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tip {
    /// The column with the interval.
    pub column: usize,
    /// The tip lies before that column (towards the previous one), else after it.
    pub before: bool,
    /// The horizontal value of the tip.
    pub x: f64,
    /// The vertical value of the tip.
    pub y: f64,
}

/// The signal summed over the detectors minus `n_excluded`, at a vertical value.
fn excess(
    mass_point: &MassPoint,
    model: &InelasticScalar,
    scan: &EmulsionScan,
    y: f64,
    n_excluded: f64,
) -> f64 {
    let m = scan.y.parameter.apply(model, y);
    mass_point.n_signal(m.epsilon, m.g_d).iter().sum::<f64>() - n_excluded
}

/// Bisection of the boundary between `a` and `b` (where the excess changes sign), in log space
/// for a logarithmic axis: 100 halvings, far below any grid spacing.
fn boundary(f: impl Fn(f64) -> f64, a: f64, b: f64, logarithmic: bool) -> f64 {
    bisect(f, a, b, logarithmic, 100)
}

/// [`boundary`] with `halvings` halvings of the interval.
fn bisect(f: impl Fn(f64) -> f64, a: f64, b: f64, logarithmic: bool, halvings: u32) -> f64 {
    let to = |v: f64| if logarithmic { v.ln() } else { v };
    let from = |u: f64| if logarithmic { u.exp() } else { u };
    let (mut lo, mut hi) = (to(a), to(b));
    let positive_at_lo = f(a) >= 0.0;
    for _ in 0..halvings {
        let mid = 0.5 * (lo + hi);
        if (f(from(mid)) >= 0.0) == positive_at_lo {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    from(0.5 * (lo + hi))
}

/// The intervals of `ys` where `inside` holds, their inner ends refined by [`boundary`] on `f`
/// (positive inside); an end at the first or last value means the interval goes on.
fn intervals(
    ys: &[f64],
    inside: &[bool],
    f: impl Fn(f64) -> f64 + Copy,
    logarithmic: bool,
) -> Vec<(f64, f64)> {
    let mut found = Vec::new();
    let mut start = inside.first().copied().unwrap_or(false).then_some(ys[0]);
    for i in 1..ys.len() {
        match (inside[i - 1], inside[i]) {
            (false, true) => start = Some(boundary(f, ys[i - 1], ys[i], logarithmic)),
            (true, false) => {
                let end = boundary(f, ys[i - 1], ys[i], logarithmic);
                found.push((start.take().unwrap_or(ys[0]), end));
            }
            _ => {}
        }
    }
    if let Some(lo) = start {
        found.push((lo, ys[ys.len() - 1]));
    }
    found
}

/// The model and the setup of column `k` (its masses, or its placement of the boxes); the
/// scenario's own when the horizontal key is a coupling.
fn column_masses(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    k: usize,
) -> (InelasticScalar, EmulsionSetup) {
    if scan.x.parameter.is_coupling() {
        return (scenario.model, scenario.setup.clone());
    }
    masses_at(scenario, scan, scan.x.values[k])
}

/// Whether some unit of work of the grid has masses that allow a signal.
#[must_use]
pub fn any_column_open(scenario: &EmulsionScenario, scan: &EmulsionScan) -> bool {
    (0..grid_units(scan)).any(|k| {
        let (model, setup) = column_masses(scenario, scan, k);
        setup.is_open(&model)
    })
}

/// The stretches of the horizontal axis whose masses allow no production: each run of closed
/// columns, widened to where the production closes between it and its open neighbours
/// (bisected on the kinematics alone, no Monte Carlo, to the floating-point resolution), or to
/// the end of the scan. A window drawn from the last open column instead covered open masses
/// (10.37-10.58 GeV on a 25-point m_A' axis where sqrt(s) = 10.58 GeV closes it).
#[must_use]
pub fn closed_stretches(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    result: &GridResult,
) -> Vec<(f64, f64)> {
    let columns = &result.columns;
    let open_at = |x: f64| {
        let (model, setup) = masses_at(scenario, scan, x);
        setup.is_open(&model)
    };
    // The boundary between an open and a closed value.
    let edge = |open: f64, closed: f64| {
        let (mut open, mut closed) = (open, closed);
        for _ in 0..CLOSURE_HALVINGS {
            let middle = 0.5 * (open + closed);
            if middle == open || middle == closed {
                break;
            }
            if open_at(middle) {
                open = middle;
            } else {
                closed = middle;
            }
        }
        closed
    };
    let mut stretches = Vec::new();
    let mut k = 0;
    while k < columns.len() {
        if columns[k].open {
            k += 1;
            continue;
        }
        let start = k;
        while k + 1 < columns.len() && !columns[k + 1].open {
            k += 1;
        }
        let lo = match start.checked_sub(1) {
            Some(before) => edge(columns[before].x, columns[start].x),
            None => columns[start].x,
        };
        let hi = match columns.get(k + 1) {
            Some(after) => edge(after.x, columns[k].x),
            None => columns[k].x,
        };
        stretches.push((lo, hi));
        k += 1;
    }
    stretches
}

/// Bisections of an edge of a kinematically closed stretch ([`closed_stretches`]): enough to
/// reach adjacent doubles from any two columns.
const CLOSURE_HALVINGS: usize = 64;

/// The model and the setup at the horizontal value `x` of a scan over a mass or a placement.
pub(super) fn masses_at(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    x: f64,
) -> (InelasticScalar, EmulsionSetup) {
    let parameter = scan.x.parameter;
    let mut setup = scenario.setup.clone();
    for b in &mut setup.detectors {
        *b = parameter.place(b, x);
    }
    (parameter.apply(&scenario.model, x), setup)
}

/// The events every open column of the grid shares, drawn once, when there are several such
/// columns and they see the same events (a scan over the `phi1` masses or the box placement at
/// fixed `m_A'`; [`EmulsionSetup::event_key`]); `None` otherwise, or when the Monte Carlo is too
/// large to keep ([`crate::sources::phi1::STORED_EVENTS_MAX`]). Columns given it compute the
/// same numbers as without it.
#[must_use]
pub fn shared_events(scenario: &EmulsionScenario, scan: &EmulsionScan) -> Option<EventSample> {
    let keys: Vec<EventKey> = (0..grid_units(scan))
        .map(|k| column_masses(scenario, scan, k))
        .filter(|(model, setup)| setup.is_open(model))
        .map(|(model, setup)| setup.event_key(&model))
        .collect();
    let first = *keys.first()?;
    (keys.len() > 1 && keys.iter().all(|k| *k == first))
        .then(|| EventSample::draw(first))
        .flatten()
}

/// The masses of the grid's unit of work `k`: the scenario's own (a coupling on x: one Monte
/// Carlo for the whole grid) or those of column `k` (its masses, or its placement of the box),
/// with the events' angles from `stored` when it holds them ([`shared_events`]); `None` for a
/// column whose masses do not allow the production.
#[must_use]
pub fn unit_mass_point(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    k: usize,
    r: &RRatio,
    stored: Option<&EventSample>,
) -> Option<MassPoint> {
    let (model, setup) = column_masses(scenario, scan, k);
    setup
        .is_open(&model)
        .then(|| MassPoint::new(&setup, &model, setup.samples_from(&model, stored), r))
}

/// Number of units of work of a grid: one with a coupling on x, else one per column.
#[must_use]
pub fn grid_units(scan: &EmulsionScan) -> usize {
    if scan.x.parameter.is_coupling() {
        1
    } else {
        scan.x.values.len()
    }
}

/// Runs the scan of `scenario.scan` in this process.
///
/// # Errors
/// No `[scan]`, or a number that is not finite (named with its cell).
pub fn scan_grid(scenario: &EmulsionScenario, r: &RRatio) -> Result<GridResult, Error> {
    let Some(scan) = &scenario.scan else {
        return Err(ScanError::NoGrid {
            file: scenario.title.clone(),
        }
        .into());
    };
    let stored = shared_events(scenario, scan);
    let points: Vec<Option<MassPoint>> = (0..grid_units(scan))
        .into_par_iter()
        .map(|k| unit_mass_point(scenario, scan, k, r, stored.as_ref()))
        .collect();
    grid(scenario, scan, &points, r, stored.as_ref())
}

/// The grid from the masses of every unit of work ([`unit_mass_point`]): the signal of every
/// cell, the excluded intervals of every column and the region's tips between columns
/// ([`Tip`]; on a mass or placement axis each step of their search is a Monte Carlo, with the
/// events' angles from `stored` when it holds them, as the columns').
///
/// # Errors
/// A number that is not finite (named with its cell).
pub fn grid(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    units: &[Option<MassPoint>],
    r: &RRatio,
    stored: Option<&EventSample>,
) -> Result<GridResult, Error> {
    let names: Vec<String> = scenario
        .setup
        .detectors
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let mut columns = Vec::with_capacity(scan.x.values.len());
    for (k, &x) in scan.x.values.iter().enumerate() {
        let model = scan.x.parameter.apply(&scenario.model, x);
        let unit = if scan.x.parameter.is_coupling() { 0 } else { k };
        match &units[unit] {
            Some(mass_point) if scenario.setup.is_open(&model) => {
                columns.push(
                    column(scenario, scan, x, &model, mass_point)?
                        .unwrap_or_else(|| closed_column(x, names.len(), scan.y.values.len())),
                );
            }
            _ => columns.push(closed_column(x, names.len(), scan.y.values.len())),
        }
    }
    let tips = tips(scenario, scan, &columns, units, r, stored);
    Ok(GridResult {
        detectors: names,
        y_values: scan.y.values.clone(),
        columns,
        tips,
    })
}

/// The tips of the signal region ([`Tip`]): between every column with an interval and an open
/// neighbour without one, the horizontal value is bisected on the largest excess over the
/// vertical key ([`peak`]). A neighbour whose peak reaches the threshold after all (an interval
/// narrower than the grid's spacing) gets no tip: the region's end is then left at the column,
/// as the grid found it. With a coupling on x one Monte Carlo serves every step, and the tip is
/// bisected to double precision; with a mass or placement on x every step is a Monte Carlo at
/// the new value ([`TIP_HALVINGS_MONTE_CARLO`] of them), and a value whose masses allow no
/// signal counts as outside.
fn tips(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    columns: &[GridColumn],
    units: &[Option<MassPoint>],
    r: &RRatio,
    stored: Option<&EventSample>,
) -> Vec<Tip> {
    let coupling = scan.x.parameter.is_coupling();
    let peak_of = |mass_point: &MassPoint, model: &InelasticScalar| {
        let f = |y: f64| excess(mass_point, model, scan, y, scenario.n_signal);
        peak(f, &scan.y.values, scan.y.logarithmic)
    };
    // The largest excess at x; `unit` is the unit of work whose Monte Carlo holds x, if any.
    let peak_at = |x: f64, unit: Option<usize>| {
        let model = scan.x.parameter.apply(&scenario.model, x);
        if let Some(mass_point) = unit.and_then(|k| units.get(k)).and_then(Option::as_ref) {
            return peak_of(mass_point, &model);
        }
        let (model, setup) = masses_at(scenario, scan, x);
        if !setup.is_open(&model) {
            return (f64::NAN, f64::NEG_INFINITY);
        }
        let samples = setup.samples_from(&model, stored);
        peak_of(&MassPoint::new(&setup, &model, samples, r), &model)
    };
    let unit_of = |k: usize| if coupling { 0 } else { k };
    let mut pairs = Vec::new();
    for (k, column) in columns.iter().enumerate() {
        if column.excluded.is_empty() {
            continue;
        }
        for (before, neighbour) in [(true, k.checked_sub(1)), (false, Some(k + 1))] {
            let Some(j) = neighbour.filter(|&j| j < columns.len()) else {
                continue;
            };
            let outside = &columns[j];
            if outside.open
                && outside.excluded.is_empty()
                && peak_at(outside.x, Some(unit_of(j))).1 < 0.0
            {
                pairs.push((k, before, j));
            }
        }
    }
    // 52 halvings on one Monte Carlo: the tip to double precision of the columns' spacing
    // (each step is a search over y; the cells' 100 would only repeat the last digits).
    let halvings = if coupling {
        52
    } else {
        TIP_HALVINGS_MONTE_CARLO
    };
    pairs
        .into_par_iter()
        .map(|(k, before, j)| {
            let (inside, outside) = (columns[k].x, columns[j].x);
            let unit = |x: f64| {
                if coupling {
                    Some(0)
                } else if x == inside {
                    Some(k)
                } else if x == outside {
                    Some(j)
                } else {
                    None
                }
            };
            let excess_at = |x: f64| peak_at(x, unit(x)).1;
            let x = bisect(excess_at, outside, inside, scan.x.logarithmic, halvings);
            Tip {
                column: k,
                before,
                x,
                y: peak_at(x, unit(x)).0,
            }
        })
        .collect()
}

/// Halvings of the columns' spacing in the search for a tip on a mass or placement axis, each a
/// Monte Carlo: 12 put the tip within 1/4096 of the spacing, below a pixel of any plot.
const TIP_HALVINGS_MONTE_CARLO: u32 = 12;

/// The largest value of `f` over the vertical values `ys` and where it is: the best grid value,
/// refined by golden-section search between its neighbours (in log space for a logarithmic
/// axis), `(y, f(y))`.
fn peak(f: impl Fn(f64) -> f64, ys: &[f64], logarithmic: bool) -> (f64, f64) {
    let to = |v: f64| if logarithmic { v.ln() } else { v };
    let from = |u: f64| if logarithmic { u.exp() } else { u };
    let best = (0..ys.len())
        .map(|i| (i, f(ys[i])))
        .fold((0, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a })
        .0;
    let (mut a, mut b) = (
        to(ys[best.saturating_sub(1)]),
        to(ys[(best + 1).min(ys.len() - 1)]),
    );
    let ratio = 0.5 * (5.0_f64.sqrt() - 1.0);
    let (mut c, mut d) = (b - ratio * (b - a), a + ratio * (b - a));
    let (mut fc, mut fd) = (f(from(c)), f(from(d)));
    // 0.618^60 = 3e-13 of the bracket.
    for _ in 0..60 {
        if fc >= fd {
            b = d;
            (d, fd) = (c, fc);
            c = b - ratio * (b - a);
            fc = f(from(c));
        } else {
            a = c;
            (c, fc) = (d, fd);
            d = a + ratio * (b - a);
            fd = f(from(d));
        }
    }
    let grid_best = (ys[best], f(ys[best]));
    let refined = if fc >= fd {
        (from(c), fc)
    } else {
        (from(d), fd)
    };
    if refined.1 >= grid_best.1 {
        refined
    } else {
        grid_best
    }
}

/// A column whose masses do not allow a signal: no production, or a `phi1` that never decays
/// in a box.
fn closed_column(x: f64, detectors: usize, cells: usize) -> GridColumn {
    GridColumn {
        x,
        open: false,
        acceptance: vec![
            Fraction {
                value: 0.0,
                error: 0.0
            };
            detectors
        ],
        n_signal: vec![vec![0.0; detectors]; cells],
        flight_length_m: vec![0.0; cells],
        excluded: Vec::new(),
        babar: vec![false; cells],
        babar_excluded: Vec::new(),
    }
}

/// The cells of an open column and its excluded intervals; `None` when `phi1` never decays in a
/// box there: just above `m1 - m2 = 2 m_e` its width vanishes (to 0 in double precision), and
/// a flight length beyond 1.8e308 m at any coupling of the scan means one beyond 1e250 m at
/// every coupling darksens takes (eps^2 g_D^2 spans at most 1e50), so no signal anywhere.
fn column(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    x: f64,
    model: &InelasticScalar,
    mass_point: &MassPoint,
) -> Result<Option<GridColumn>, Error> {
    let mut n_signal = Vec::with_capacity(scan.y.values.len());
    let mut flight = Vec::with_capacity(scan.y.values.len());
    for &y in &scan.y.values {
        let m = scan.y.parameter.apply(model, y);
        let n = mass_point.n_signal(m.epsilon, m.g_d);
        let d = mass_point.flight_length_m(m.epsilon, m.g_d);
        if d == f64::INFINITY && n.iter().all(|&v| v == 0.0) {
            return Ok(None);
        }
        if let Some(bad) = n.iter().chain(std::iter::once(&d)).find(|v| !v.is_finite()) {
            return Err(Error::Numerical {
                point: format!(
                    "{} = {}, {} = {}",
                    scan.x.parameter.key(),
                    crate::units::format_number(x),
                    scan.y.parameter.key(),
                    crate::units::format_number(y)
                ),
                message: format!("a signal or flight length is {bad}; nothing was written"),
            });
        }
        n_signal.push(n);
        flight.push(d);
    }
    let f = |y: f64| excess(mass_point, model, scan, y, scenario.n_signal);
    let ys = &scan.y.values;
    let inside: Vec<bool> = n_signal
        .iter()
        .map(|n| n.iter().sum::<f64>() >= scenario.n_signal)
        .collect();
    let excluded = intervals(ys, &inside, f, scan.y.logarithmic);
    let babar_f = |y: f64| {
        let m = scan.y.parameter.apply(model, y);
        mass_point.babar_excess(m.epsilon, m.g_d, &scenario.babar)
    };
    let babar: Vec<bool> = ys.iter().map(|&y| babar_f(y) > 0.0).collect();
    let babar_excluded = intervals(ys, &babar, babar_f, scan.y.logarithmic);
    Ok(Some(GridColumn {
        x,
        open: true,
        acceptance: mass_point
            .detectors
            .iter()
            .map(|d| d.acceptance.acceptance)
            .collect(),
        n_signal,
        flight_length_m: flight,
        excluded,
        babar,
        babar_excluded,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::emulsion::{EmulsionOutput, GridAxis, GridParameter};
    use crate::signal::emulsion::BabarConditions;
    use crate::signal::emulsion::tests::belle2_box_a;
    use crate::sources::phi1::Production;

    /// `n` log-spaced values of `parameter` from `lo` to `hi`.
    fn axis(parameter: GridParameter, lo: f64, hi: f64, n: usize) -> GridAxis {
        GridAxis {
            parameter,
            values: (0..n)
                .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (n - 1) as f64).exp())
                .collect(),
            logarithmic: true,
        }
    }

    /// Belle II's box A, on shell, `m_A'` = 8 GeV, `m2` = 3.65 GeV, scanned over `x` and eps.
    fn scenario_with(x: GridAxis, decay_in_volume: bool) -> EmulsionScenario {
        let mut setup = belle2_box_a(Production::OnShell);
        setup.monte_carlo.events = 50_000;
        setup.decay_in_volume = decay_in_volume;
        EmulsionScenario {
            title: "t".into(),
            luminosity_ab: 50.0,
            setup,
            model: InelasticScalar::new(8.0, 4.341, 3.65, 1e-3, 0.1),
            n_signal: 2.3,
            kl: None,
            babar: BabarConditions::default(),
            scan: Some(EmulsionScan {
                x,
                y: axis(GridParameter::Epsilon, 1e-7, 1e-1, 31),
            }),
            output: EmulsionOutput {
                csv: "x.csv".into(),
                png: "x.png".into(),
                svg: None,
            },
        }
    }

    /// A scan of the splitting across `2 m_e` (here `(m1 - m2)/m2` = 2.8e-4): below it `phi1`
    /// cannot decay to `phi2 e+ e-`, so those columns are closed (no signal), and the scan goes
    /// on above it instead of failing on an infinite flight length.
    #[test]
    fn a_splitting_below_two_electron_masses_closes_its_column() {
        let threshold = 2.0 * crate::units::ELECTRON_MASS_GEV / 3.65;
        let scenario = scenario_with(axis(GridParameter::SplittingOverM2, 1e-4, 1e-2, 9), false);
        let grid = scan_grid(&scenario, &RRatio::pdg()).expect("grid");
        for column in &grid.columns {
            assert_eq!(column.open, column.x > threshold, "{}", column.x);
        }
        assert!(grid.columns.iter().filter(|c| c.open).count() >= 5);
        // The closed stretch the plot shades ends at the threshold, not at the first open
        // column (which lies a factor 1.8 above it).
        let scan = scenario.scan.as_ref().expect("scan");
        let stretches = closed_stretches(&scenario, scan, &grid);
        assert_eq!(stretches.len(), 1, "{stretches:?}");
        assert_eq!(stretches[0].0, grid.columns[0].x);
        assert!(
            (stretches[0].1 / threshold - 1.0).abs() < 1e-6,
            "{stretches:?} against {threshold}"
        );
        // Just above the threshold the width vanishes in double precision: closed too, and
        // the grid still goes on.
        let mut near = axis(GridParameter::SplittingOverM2, 1e-4, 1e-2, 3);
        near.values = vec![2.799_994_246_6e-4, 1e-3];
        let grid = scan_grid(&scenario_with(near, false), &RRatio::pdg()).expect("grid");
        assert!(grid.columns[0].n_signal.iter().flatten().all(|&n| n == 0.0));
        assert!(grid.columns[1].open);
    }

    /// The boundary of a grid column is where the summed signal equals `n_signal` (to 1e-9),
    /// for couplings on x (one Monte Carlo) and for a mass on x (one per column, closed columns
    /// included), with the decays counted factorised and event by event.
    #[test]
    fn grid_boundaries_are_on_the_threshold() {
        let r = RRatio::pdg();
        for (x, decay_in_volume) in [
            (axis(GridParameter::GD, 1e-2, 1.0, 5), false),
            (axis(GridParameter::SplittingOverM2, 0.05, 0.5, 5), false),
            (axis(GridParameter::GD, 1e-2, 1.0, 5), true),
            (axis(GridParameter::SplittingOverM2, 0.05, 0.5, 5), true),
        ] {
            let scenario = scenario_with(x.clone(), decay_in_volume);
            let grid = scan_grid(&scenario, &r).expect("grid");
            let mut edges = 0;
            for column in &grid.columns {
                let model = x.parameter.apply(&scenario.model, column.x);
                if !column.open {
                    // (m1 - m2)/m2 = 0.5 puts m1 + m2 above m_A' = 8.
                    assert!(model.m1_gev + model.m2_gev >= 8.0, "{model:?}");
                    continue;
                }
                let samples = scenario.setup.samples(&model);
                let mass_point = MassPoint::new(&scenario.setup, &model, samples, &r);
                for &(lo, hi) in &column.excluded {
                    for edge in [lo, hi] {
                        if edge == 1e-7 || (edge / 1e-1 - 1.0).abs() < 1e-12 {
                            continue;
                        }
                        let n: f64 = mass_point.n_signal(edge, model.g_d).iter().sum();
                        assert!((n / 2.3 - 1.0).abs() < 1e-9, "{edge}: {n}");
                        edges += 1;
                    }
                }
            }
            assert!(edges >= 4, "{edges}");
        }
    }

    /// Checks each tip of `grid` against a dense eps scan (4000 values, not the search that
    /// found it) of the largest signal a hundredth of the columns' spacing outside and inside
    /// it, with `at(x, epsilons)` the signal at horizontal value `x` and each eps; the tip lies
    /// between its columns with its signal within `tolerance` of the threshold.
    fn check_tips(
        grid: &GridResult,
        logarithmic: bool,
        tolerance: f64,
        at: impl Fn(f64, &[f64]) -> Vec<f64>,
    ) {
        let epsilons: Vec<f64> = (0..=4000)
            .map(|i| 1e-7 * 1e6_f64.powf(f64::from(i) / 4000.0))
            .collect();
        let largest = |x: f64| at(x, &epsilons).into_iter().fold(0.0, f64::max);
        for tip in &grid.tips {
            let inside = grid.columns[tip.column].x;
            let outside = grid.columns[if tip.before {
                tip.column - 1
            } else {
                tip.column + 1
            }]
            .x;
            assert!(
                (tip.x - inside) * (tip.x - outside) < 0.0,
                "{tip:?} between {outside} and {inside}"
            );
            let n = at(tip.x, &[tip.y])[0];
            assert!((n / 2.3 - 1.0).abs() < tolerance, "{tip:?}: {n}");
            let (towards_outside, towards_inside) = if logarithmic {
                let step = (inside / outside).powf(0.01);
                (tip.x / step, tip.x * step)
            } else {
                let step = 0.01 * (inside - outside);
                (tip.x - step, tip.x + step)
            };
            assert!(largest(towards_outside) < 2.3, "{tip:?} outside");
            assert!(largest(towards_inside) > 2.3, "{tip:?} inside");
        }
    }

    /// Where the region closes between two columns of a g_D scan, its tip is where the largest
    /// signal over eps just reaches `n_signal` ([`check_tips`]), bisected on the one Monte Carlo
    /// of the grid.
    #[test]
    fn the_region_closes_at_its_tip() {
        let r = RRatio::pdg();
        let scenario = scenario_with(axis(GridParameter::GD, 1e-3, 1.0, 13), false);
        let grid = scan_grid(&scenario, &r).expect("grid");
        assert!(!grid.tips.is_empty(), "the island closes inside the scan");
        let samples = scenario.setup.samples(&scenario.model);
        let mass_point = MassPoint::new(&scenario.setup, &scenario.model, samples, &r);
        check_tips(&grid, true, 1e-6, |g_d, epsilons| {
            epsilons
                .iter()
                .map(|&eps| mass_point.n_signal(eps, g_d).iter().sum())
                .collect()
        });
    }

    /// On a placement axis (the box's polar angle) every step of the tip's search is a Monte
    /// Carlo at the new angle, with the columns' shared events: the tip is checked as on a
    /// coupling axis, with Monte Carlos of those events at the angles beside it.
    #[test]
    fn a_placement_scan_closes_at_its_tip() {
        let r = RRatio::pdg();
        let angles = GridAxis {
            parameter: GridParameter::PolarAngle,
            values: (0..9).map(|i| 10.0 + 10.0 * f64::from(i)).collect(),
            logarithmic: false,
        };
        let scenario = scenario_with(angles, false);
        let scan = scenario.scan.as_ref().expect("scan");
        let grid = scan_grid(&scenario, &r).expect("grid");
        assert!(!grid.tips.is_empty(), "the region closes inside the scan");
        let stored = shared_events(&scenario, scan);
        assert!(stored.is_some(), "the columns share their events");
        // The search stops within 1/4096 of the spacing (10 degrees), where the box's edges
        // move by 0.3 mm and the signal by about 1e-3 (measured 1.4e-3): 1e-2 allowed.
        check_tips(&grid, false, 1e-2, |angle, epsilons| {
            let (model, setup) = masses_at(&scenario, scan, angle);
            let samples = setup.samples_from(&model, stored.as_ref());
            let mass_point = MassPoint::new(&setup, &model, samples, &r);
            epsilons
                .iter()
                .map(|&eps| mass_point.n_signal(eps, model.g_d).iter().sum())
                .collect()
        });
    }
}
