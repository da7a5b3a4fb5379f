//! What an emulsion scan writes and prints (the grid and boundary CSVs, the plot with the
//! excluded region, the sidecar, the summary), and `darksens explain` of its model point.

use super::grid::{GridColumn, GridResult, Tip};
use crate::backgrounds::muons::{
    COSMIC_EXPONENT, COSMIC_I0_PER_M2_S_SR, FILM_BUDGET_PER_CM2, collider_muons_per_cm2,
    cosmic_muon_flux_hz_per_m2, cosmic_muons_per_cm2, film_replacement_days,
};
use crate::detectors::emulsion::DetectorBox;
use crate::error::Error;
use crate::output::plot::{self, LimitPlot, Region, XAxis};
use crate::output::sidecar::{Sidecar, toml_to_json};
use crate::output::{OutputFile, format_number};
use crate::pipeline::{Explanation, OutputPaths, Report, RunSource};
use crate::processes::collider_production::OffShellNormalisation;
use crate::scenario::emulsion::{EmulsionScan, EmulsionScenario, GridAxis, GridParameter};
use crate::signal::emulsion::{DetectorSignal, EmulsionPoint};
use crate::sources::phi1::Production;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// `writeln!` into a `String` (which cannot fail).
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

/// The files and summary of a finished grid.
///
/// # Errors
/// A CSV that cannot be rendered, or a plot that cannot be drawn.
pub(super) fn finish(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    run: &RunSource,
    result: &GridResult,
    paths: &OutputPaths,
    wall_time_s: f64,
) -> Result<Report, Error> {
    let grid_csv = grid_csv(scenario, result)?;
    let boundary_csv = boundary_csv(scenario, result)?;
    let plot = plot_of(scenario, scan, result);
    let png = plot::render_png(&plot)?;
    let svg = paths
        .svg
        .as_ref()
        .map(|_| plot::render_svg(&plot))
        .transpose()?;
    let boundary_path = &paths.extra_csv[0];
    let mut outputs = vec![&paths.csv, boundary_path, &paths.png];
    outputs.extend(paths.svg.as_ref());
    outputs.push(&paths.meta);
    let mut sidecar = grid_record(scenario, scan, run, result, wall_time_s);
    sidecar.outputs = outputs.iter().map(|p| p.display().to_string()).collect();
    let mut files = vec![
        OutputFile::Bytes(paths.csv.clone(), grid_csv),
        OutputFile::Bytes(boundary_path.clone(), boundary_csv),
        OutputFile::Bytes(paths.png.clone(), png),
        OutputFile::Bytes(paths.meta.clone(), sidecar.render()),
    ];
    if let (Some(path), Some(bytes)) = (&paths.svg, svg) {
        files.push(OutputFile::Bytes(path.clone(), bytes));
    }
    let mut text = grid_summary(scenario, scan, result, wall_time_s);
    if let Some(line) = run.overrides_line() {
        // After the title.
        let at = text.find('\n').map_or(text.len(), |k| k + 1);
        text.insert_str(at, &format!("{line}\n"));
    }
    outln!(
        text,
        "wrote {}",
        outputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Report {
        files,
        summary: text,
        warnings: Vec::new(),
    })
}

/// The summary of a finished grid: size, time, the excluded range (and where it meets the
/// scan's edges), and the closed columns.
fn grid_summary(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    result: &GridResult,
    wall_time_s: f64,
) -> String {
    let mut text = String::new();
    outln!(text, "{}", scenario.title);
    let excluded = result
        .columns
        .iter()
        .filter(|c| !c.excluded.is_empty())
        .count();
    outln!(
        text,
        "grid {} x {} ({} x {}), {:.2} s; N_sig >= {} excluded in {excluded} of {} columns",
        scan.x.values.len(),
        scan.y.values.len(),
        scan.x.parameter.key(),
        scan.y.parameter.key(),
        wall_time_s,
        scenario.n_signal,
        result.columns.len()
    );
    if let Some((lo, hi)) = result
        .columns
        .iter()
        .flat_map(|c| c.excluded.iter().copied())
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    {
        let ys = &scan.y.values;
        let lower = if lo == ys[0] {
            format!("the scan's edge {lo:.4e} (the region goes on below)")
        } else {
            format!("{lo:.4e}")
        };
        let upper = if hi == ys[ys.len() - 1] && !goes_on_beyond(&scan.y, hi) {
            format!(
                "{} (the largest value allowed)",
                crate::output::five_digits(hi)
            )
        } else if hi == ys[ys.len() - 1] {
            format!("the scan's edge {hi:.4e} (the region goes on above)")
        } else {
            format!("{hi:.4e}")
        };
        outln!(
            text,
            "excluded {}: {lower} to {upper}; boundaries to the grid's resolution in {}",
            scan.y.parameter.column(),
            scan.x.parameter.column()
        );
        let xs = &scan.x.values;
        let reaches = |c: Option<&GridColumn>| c.is_some_and(|c| !c.excluded.is_empty());
        for (edge, column) in [
            ("first", result.columns.first()),
            ("last", result.columns.last()),
        ] {
            if reaches(column) {
                outln!(
                    text,
                    "the excluded region reaches the scan's {edge} {} = {} and may go on beyond it",
                    scan.x.parameter.column(),
                    crate::output::five_digits(if edge == "first" {
                        xs[0]
                    } else {
                        xs[xs.len() - 1]
                    })
                );
            }
        }
        for tip in &result.tips {
            outln!(text, "{}", tip_text(scan, result, tip));
        }
    }
    let closed = result.columns.iter().filter(|c| !c.open).count();
    if closed > 0 {
        let on_resonance = result
            .columns
            .iter()
            .filter(|c| !c.open)
            .any(|c| on_resonance_column(scenario, scan, c.x));
        let why = if on_resonance {
            format!(
                "the masses do not allow the production, or put the A' within {}% of sqrt(s), where it is made on resonance, which neither production formula describes",
                crate::signal::emulsion::RESONANT_PRODUCTION_MARGIN * 100.0
            )
        } else {
            "the masses do not allow the production".to_string()
        };
        outln!(
            text,
            "{closed} column(s) kinematically closed (no signal): {why}"
        );
    }
    if let Some(line) = acceptance_precision(scan, result) {
        outln!(text, "{line}");
    }
    text
}

/// The largest relative error of an acceptance in the columns where it decides the region:
/// those with an excluded interval and their open neighbours (`None` without a region).
fn near_the_region(result: &GridResult) -> Option<f64> {
    let columns = &result.columns;
    let near = |k: usize| {
        let has = |j: usize| columns.get(j).is_some_and(|c| !c.excluded.is_empty());
        has(k) || k.checked_sub(1).is_some_and(has) || has(k + 1)
    };
    (0..columns.len())
        .filter(|&k| columns[k].open && near(k))
        .flat_map(|k| &columns[k].acceptance)
        .filter_map(|a| a.relative_error())
        .reduce(f64::max)
}

/// Where the region closes between two columns, in words. On a coupling axis the tip is
/// bisected on one Monte Carlo, to double precision; on a mass or placement axis each step is
/// a Monte Carlo of its own, whose statistical error (about the columns') blurs the place
/// more than the bisection does, and the columns it lies between are named.
fn tip_text(scan: &EmulsionScan, result: &GridResult, tip: &Tip) -> String {
    let short = crate::output::five_digits;
    let (x, y) = (scan.x.parameter.column(), scan.y.parameter.column());
    let at = format!("{x} = {} ({y} = {}", short(tip.x), short(tip.y));
    if scan.x.parameter.is_coupling() {
        return format!("the region closes between columns at {at}, bisected)");
    }
    let inside = &result.columns[tip.column];
    let neighbour = if tip.before {
        tip.column.checked_sub(1)
    } else {
        Some(tip.column + 1)
    };
    let outside = neighbour
        .and_then(|j| result.columns.get(j))
        .map_or(inside.x, |c| c.x);
    let error = inside
        .acceptance
        .iter()
        .filter_map(|a| a.relative_error())
        .fold(0.0, f64::max);
    format!(
        "the region closes between the columns at {x} = {} and {}, at {at}, bisected on a Monte Carlo at each step: the acceptances there carry statistical errors up to {:.1}%, which blur the place more than the bisection)",
        short(inside.x.min(outside)),
        short(inside.x.max(outside)),
        100.0 * error
    )
}

/// Whether the column at `x` puts the `A'` where it is made on resonance
/// ([`crate::signal::emulsion::made_on_resonance`]).
fn on_resonance_column(scenario: &EmulsionScenario, scan: &EmulsionScan, x: f64) -> bool {
    let (model, setup) = super::grid::masses_at(scenario, scan, x);
    crate::signal::emulsion::made_on_resonance(model.m_aprime_gev, setup.sqrt_s_gev)
}

/// The acceptance Monte Carlo's statistical precision over the open columns: the largest
/// relative error (one standard deviation) of a box's acceptance and where it is, and how many
/// acceptances no event reached (their signal is zero). The signal of a cell carries the same
/// relative error (the factorised [EMU Eq. 20]), or about that (event by event, where the decay
/// probability also varies between the lines through the box).
fn acceptance_precision(scan: &EmulsionScan, result: &GridResult) -> Option<String> {
    let mut largest: Option<(f64, f64, &str)> = None;
    let mut empty = 0;
    for column in result.columns.iter().filter(|c| c.open) {
        for (acceptance, box_name) in column.acceptance.iter().zip(&result.detectors) {
            if let Some(relative) = acceptance.relative_error() {
                if largest.is_none_or(|(r, _, _)| relative > r) {
                    largest = Some((relative, column.x, box_name));
                }
            } else {
                empty += 1;
            }
        }
    }
    let line = match largest {
        Some((relative, x, box_name)) => format!(
            "acceptance Monte Carlo: statistical error at most {:.2}% (box \"{box_name}\" at {} = {}){}",
            100.0 * relative,
            scan.x.parameter.column(),
            crate::output::five_digits(x),
            near_the_region(result).filter(|&r| r < relative).map_or_else(String::new, |r| format!(
                ", at most {:.2}% in the columns with an excluded interval and their neighbours",
                100.0 * r
            ))
        ),
        None if empty > 0 => "acceptance Monte Carlo: no event reached a box".to_string(),
        None => return None,
    };
    Some(if empty > 0 && largest.is_some() {
        format!(
            "{line}; {empty} acceptance(s) with no event in the box (no signal there: more monte_carlo.events to see one)"
        )
    } else {
        line
    })
}

/// What a grid ran: the sidecar without its output files (the version, the scenario file and
/// overrides, the inputs' SHA-256, the resolved scenario, the off-shell normalisation, the
/// acceptances' Monte Carlo record, the R ratio's source, the threads and `wall_time_s`).
pub(super) fn grid_record(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    run: &RunSource,
    result: &GridResult,
    wall_time_s: f64,
) -> Sidecar {
    let mut sidecar = run.sidecar(wall_time_s);
    sidecar.resolved_scenario = Some(toml_to_json(&toml::Value::Table(
        crate::scenario::recorded_emulsion_table(&run.resolved_table, scenario),
    )));
    sidecar.off_shell_normalisation = Some(json!(scenario.setup.normalisation));
    sidecar.numerics = Some(acceptance_record(scan, result));
    sidecar.r_ratio = Some("PDG 2012 compilation below 2 GeV (data/r_ratio), one-loop QCD above");
    sidecar
}

/// Each open column's acceptances with their Monte Carlo errors, for the sidecar.
fn acceptance_record(scan: &EmulsionScan, result: &GridResult) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = result
        .columns
        .iter()
        .filter(|c| c.open)
        .flat_map(|column| {
            column
                .acceptance
                .iter()
                .zip(&result.detectors)
                .map(|(a, box_name)| {
                    json!({
                        scan.x.parameter.column(): column.x,
                        "box": box_name,
                        "acceptance": a.value,
                        "error": a.error,
                    })
                })
        })
        .collect();
    json!({ "acceptance": rows })
}

/// The bytes of a finished CSV.
fn csv_bytes(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, Error> {
    writer.into_inner().map_err(|e| Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    })
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "a map_err adaptor receives the error by value"
)]
fn csv_error(e: csv::Error) -> Error {
    Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    }
}

/// Signals below this many events are written as 0 in the grid CSV: there the decay window's
/// exponential (far beyond the detector) has underflowed or nearly so, and the few digits a
/// subnormal or a product of one keeps mean nothing.
const SIGNAL_FLOOR_EVENTS: f64 = 1e-300;

/// An expected number of signal events as the grid CSV writes it: 0 below
/// [`SIGNAL_FLOOR_EVENTS`] (the total is the sum of the boxes so written).
fn above_floor(n_signal: f64) -> f64 {
    if n_signal.abs() < SIGNAL_FLOOR_EVENTS {
        0.0
    } else {
        n_signal
    }
}

/// One row per cell: `x, y, n_signal_<detector>..., n_signal_total, flight_length_m, excluded`.
fn grid_csv(scenario: &EmulsionScenario, result: &GridResult) -> Result<Vec<u8>, Error> {
    let Some(scan) = &scenario.scan else {
        return Ok(Vec::new());
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        scan.x.parameter.column().to_string(),
        scan.y.parameter.column().to_string(),
    ];
    header.extend(result.detectors.iter().map(|d| format!("n_signal_{d}")));
    header.extend(["n_signal_total", "flight_length_m", "excluded"].map(String::from));
    let babar = scenario.babar.any();
    if babar {
        header.push("babar_excluded".into());
    }
    writer.write_record(&header).map_err(csv_error)?;
    for column in &result.columns {
        for (((y, n), d), by_babar) in result
            .y_values
            .iter()
            .zip(&column.n_signal)
            .zip(&column.flight_length_m)
            .zip(&column.babar)
        {
            let boxes: Vec<f64> = n.iter().map(|v| above_floor(*v)).collect();
            let total: f64 = boxes.iter().sum();
            let mut record = vec![format_number(column.x), format_number(*y)];
            record.extend(boxes.iter().map(|v| format_number(*v)));
            record.push(format_number(total));
            record.push(format_number(*d));
            record.push((total >= scenario.n_signal).to_string());
            if babar {
                record.push(by_babar.to_string());
            }
            writer.write_record(&record).map_err(csv_error)?;
        }
    }
    csv_bytes(writer)
}

/// One row per excluded interval of a column: `region, x, <y>_lower, <y>_upper`, with `region`
/// `signal` (this detector) or `babar` (BaBar's searches [EMU Eq. 22-23]).
fn boundary_csv(scenario: &EmulsionScenario, result: &GridResult) -> Result<Vec<u8>, Error> {
    let Some(scan) = &scenario.scan else {
        return Ok(Vec::new());
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let y = scan.y.parameter.column();
    writer
        .write_record([
            "region".to_string(),
            scan.x.parameter.column().to_string(),
            format!("{y}_lower"),
            format!("{y}_upper"),
        ])
        .map_err(csv_error)?;
    for (region, pick) in [
        (
            "signal",
            (|c| &c.excluded) as fn(&GridColumn) -> &Vec<(f64, f64)>,
        ),
        ("babar", |c| &c.babar_excluded),
    ] {
        // The signal region's tips are rows with both edges at the tip, in the columns' order.
        let tips: &[Tip] = if region == "signal" {
            &result.tips
        } else {
            &[]
        };
        let tip = |k: usize, before: bool| {
            tips.iter()
                .filter(move |t| t.column == k && t.before == before)
                .map(|t| (t.x, t.y, t.y))
        };
        for (k, column) in result.columns.iter().enumerate() {
            let rows = tip(k, true)
                .chain(pick(column).iter().map(|&(lo, hi)| (column.x, lo, hi)))
                .chain(tip(k, false));
            for (x, lo, hi) in rows {
                writer
                    .write_record([
                        region.to_string(),
                        format_number(x),
                        format_number(lo),
                        format_number(hi),
                    ])
                    .map_err(csv_error)?;
            }
        }
    }
    csv_bytes(writer)
}

/// The regions of one kind of interval: for each run of neighbouring columns with an interval,
/// its tip before the run ([`Tip`], when found), the outermost lower ends left to right, the tip
/// after it, then the upper ends right to left (one legend entry).
fn outlines(
    result: &GridResult,
    pick: impl Fn(&GridColumn) -> &Vec<(f64, f64)>,
    tips: &[Tip],
    label: &str,
    published: bool,
) -> Vec<Region> {
    let tip = |k: usize, before: bool| {
        tips.iter()
            .find(|t| t.column == k && t.before == before)
            .map(|t| (t.x, t.y))
    };
    let mut regions = Vec::new();
    // Per column of the run: its index, x, and the interval's outermost ends.
    let mut run: Vec<(usize, f64, f64, f64)> = Vec::new();
    let mut flush = |run: &mut Vec<(usize, f64, f64, f64)>| {
        if let (Some(first), Some(last)) = (run.first(), run.last()) {
            let mut outline: Vec<(f64, f64)> = tip(first.0, true).into_iter().collect();
            outline.extend(run.iter().map(|p| (p.1, p.2)));
            outline.extend(tip(last.0, false));
            outline.extend(run.iter().rev().map(|p| (p.1, p.3)));
            regions.push(Region {
                label: if regions.is_empty() {
                    label.to_string()
                } else {
                    String::new()
                },
                outline,
                published,
            });
            run.clear();
        }
    };
    for (k, column) in result.columns.iter().enumerate() {
        match pick(column)
            .iter()
            .copied()
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        {
            Some((lo, hi)) => run.push((k, column.x, lo, hi)),
            None => flush(&mut run),
        }
    }
    flush(&mut run);
    regions
}

/// Axis title of a grid key, with its unit.
/// The legend of the region a projection would exclude: expected, not observed.
fn sensitivity_label(n_signal: f64) -> String {
    format!(
        "expected {}% CL sensitivity: ≥ {} signal events, background neglected",
        crate::limits::LimitCriterion::background_free_percent(n_signal),
        format_number(n_signal)
    )
}

fn axis_title(parameter: GridParameter) -> String {
    match parameter {
        GridParameter::Epsilon => "ε".into(),
        GridParameter::GD => "g_D".into(),
        GridParameter::MAprime => "m_A′ [GeV]".into(),
        GridParameter::M1 => "m₁ [GeV]".into(),
        GridParameter::M2 => "m₂ [GeV]".into(),
        GridParameter::SplittingOverM2 => "(m₁ − m₂)/m₂".into(),
        GridParameter::Distance => "distance of the box from the IP [m]".into(),
        GridParameter::Offset => "offset of the box from the beam axis [m]".into(),
        GridParameter::PolarAngle => "polar angle of the box from the e⁻ beam [°]".into(),
    }
}

/// The emulsion detectors by their configured names, said to be detectors ("emulsion detectors
/// A + B"): a bare name such as "box" at the end of the plot's subtitle read like a stray word.
fn detectors_phrase(detectors: &[DetectorBox]) -> String {
    let names: Vec<&str> = detectors.iter().map(|d| d.name.as_str()).collect();
    let noun = if names.len() == 1 {
        "detector"
    } else {
        "detectors"
    };
    format!("emulsion {noun} {}", names.join(" + "))
}

/// The expected sensitivity region (where at least `n_signal` events are expected, the CSV's
/// `excluded` column: what the search would exclude if it saw none, at 90% CL for 2.3): the lower
/// boundary left to right, then the upper right to left, for each run of neighbouring columns
/// with such an interval (the outermost ends). Its label says it is a projection, not a result.
fn plot_of(scenario: &EmulsionScenario, scan: &EmulsionScan, result: &GridResult) -> LimitPlot {
    let label = sensitivity_label(scenario.n_signal);
    let mut regions = outlines(result, |c| &c.excluded, &result.tips, &label, false);
    regions.extend(outlines(
        result,
        |c| &c.babar_excluded,
        &[],
        "excluded by BaBar (EMU Eq. 22-23)",
        true,
    ));
    let (x, y) = (&scan.x, &scan.y);
    let m = &scenario.model;
    let mut fixed = vec![format!("√s = {} GeV", scenario.setup.sqrt_s_gev)];
    fixed.push(format!("{} ab⁻¹", format_number(scenario.luminosity_ab)));
    let boost = scenario.setup.monte_carlo.boost_beta;
    // The frame is always said: the centre-of-mass frame (the paper's) gives a reach some
    // three times stronger than the lab frame at Belle II (docs/physics.md §8.6).
    fixed.push(if boost == 0.0 {
        "centre-of-mass frame (no boost)".to_string()
    } else {
        format!("lab frame, boost β = {}", format_number(boost))
    });
    for (parameter, text) in [
        (
            GridParameter::MAprime,
            format!("m_A′ = {} GeV", m.m_aprime_gev),
        ),
        (GridParameter::M1, format!("m₁ = {} GeV", m.m1_gev)),
        (GridParameter::M2, format!("m₂ = {} GeV", m.m2_gev)),
        (GridParameter::Epsilon, format!("ε = {}", m.epsilon)),
        (GridParameter::GD, format!("g_D = {}", m.g_d)),
    ] {
        let scanned = [x.parameter, y.parameter].contains(&parameter)
            || (parameter == GridParameter::M1
                && [x.parameter, y.parameter].contains(&GridParameter::SplittingOverM2));
        if !scanned {
            fixed.push(text);
        }
    }
    fixed.push(detectors_phrase(&scenario.setup.detectors));
    let corners = [
        (x.values[0], y.values[0]),
        (x.values[x.values.len() - 1], y.values[y.values.len() - 1]),
    ];
    LimitPlot {
        regions,
        scan_edges: scan_edges(result, scan),
        extent: corners.to_vec(),
        overlays: Vec::new(),
        title: scenario.title.clone(),
        annotation: fixed.join("   "),
        x_axis: XAxis::Key {
            title: axis_title(x.parameter),
            logarithmic: x.logarithmic,
        },
        y_title: axis_title(y.parameter),
        windows: Vec::new(),
        closed_windows: closed_windows(scenario, scan, result),
        series: Vec::new(),
        y_cap: None,
        tight: true,
    }
}

/// Whether the scan's value `at` of the axis `axis` is an edge beyond which the region would go
/// on: not when it is the largest value the coupling may take (`eps = 1`), where it ends.
fn goes_on_beyond(axis: &GridAxis, at: f64) -> bool {
    axis.parameter.largest_allowed().is_none_or(|top| at < top)
}

/// Where the excluded region meets the edge of the scan (it goes on beyond): along the first
/// or last vertical value over runs of columns whose interval reaches it, and up the first and
/// last columns' intervals; not along a coupling's largest allowed value.
fn scan_edges(result: &GridResult, scan: &EmulsionScan) -> Vec<Vec<(f64, f64)>> {
    let ys = &scan.y.values;
    let (first, last) = (ys[0], ys[ys.len() - 1]);
    let mut edges: Vec<Vec<(f64, f64)>> = Vec::new();
    for at in [first, last] {
        if !goes_on_beyond(&scan.y, at) {
            continue;
        }
        let mut run: Vec<(f64, f64)> = Vec::new();
        for column in &result.columns {
            if column.excluded.iter().any(|&(lo, hi)| lo == at || hi == at) {
                run.push((column.x, at));
            } else if !run.is_empty() {
                edges.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            edges.push(run);
        }
    }
    for column in [result.columns.first(), result.columns.last()]
        .into_iter()
        .flatten()
        .filter(|c| goes_on_beyond(&scan.x, c.x))
    {
        for &(lo, hi) in &column.excluded {
            edges.push(vec![(column.x, lo), (column.x, hi)]);
        }
    }
    // A run of one column is a point: it widens to nothing, so it is left out.
    edges.retain(|e| e.len() >= 2 && e[0] != e[e.len() - 1]);
    edges
}

/// The stretches of the horizontal axis whose masses allow no production, as shaded windows
/// ([`super::grid::closed_stretches`]), labelled "made on resonance" where the `A'` lies within
/// [`crate::signal::emulsion::RESONANT_PRODUCTION_MARGIN`] of `sqrt(s)`; the summary says which
/// masses close them.
fn closed_windows(
    scenario: &EmulsionScenario,
    scan: &EmulsionScan,
    result: &GridResult,
) -> Vec<(f64, f64, String)> {
    super::grid::closed_stretches(scenario, scan, result)
        .into_iter()
        .map(|(lo, hi)| {
            let label = if on_resonance_column(scenario, scan, 0.5 * (lo + hi)) {
                "A\u{2032} made on resonance (no formula)"
            } else {
                "kinematically closed"
            };
            (lo, hi, label.to_string())
        })
        .collect()
}

/// `darksens explain` of the scenario's model point.
pub(super) fn explain(scenario: &EmulsionScenario, point: &EmulsionPoint) -> Explanation {
    let explained = ExplainedModelPoint::new(scenario, point);
    let mut json = serde_json::to_string_pretty(&explained).unwrap_or_default();
    json.push('\n');
    Explanation {
        text: explained.text(scenario, point),
        json,
        warnings: Vec::new(),
    }
}

/// An acceptance or a probability with its statistical error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WithError {
    /// Its statistical error (one standard deviation).
    pub error: f64,
    /// The value.
    pub value: f64,
}

/// The event-by-event probability to decay inside a box.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InVolume {
    /// Its statistical error.
    pub error: f64,
    /// The probability.
    pub value: f64,
}

/// The Monte Carlo settings of a model point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonteCarloRecord {
    /// Lab boost of the centre-of-mass frame along the electron beam.
    pub boost_beta: f64,
    /// Events.
    pub events: u64,
    /// Seed.
    pub seed: u64,
    /// Whether the `A'` spin correlation is kept.
    pub spin_correlation: bool,
}

/// The muon backgrounds of the boxes [EMU Sec. 9] and the `K_L` that cross the shield.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MuonBackgrounds {
    /// Collider muons onto each face over the run, per cm^2, both muons of each pair
    /// [EMU Eq. 17].
    pub collider_muons_per_cm2: BTreeMap<String, f64>,
    /// Cosmic-muon rate through a horizontal surface, Hz/m^2 [EMU Eq. 19].
    pub cosmic_muon_flux_hz_per_m2: f64,
    /// Cosmic muons per cm^2 in six months.
    pub cosmic_muons_per_cm2_six_months: f64,
    /// Days until the films hold 1e6 tracks per cm^2.
    pub film_replacement_days: f64,
    /// `K_L` in the detector, when the scenario gives them.
    pub kl_in_detector: Option<f64>,
}

impl MuonBackgrounds {
    fn new(scenario: &EmulsionScenario) -> Self {
        let flux = cosmic_muon_flux_hz_per_m2(COSMIC_I0_PER_M2_S_SR, COSMIC_EXPONENT);
        let setup = &scenario.setup;
        Self {
            collider_muons_per_cm2: setup
                .detectors
                .iter()
                .map(|d| {
                    (
                        d.name.clone(),
                        collider_muons_per_cm2(setup.sqrt_s_gev, setup.luminosity_pb, d, None),
                    )
                })
                .collect(),
            cosmic_muon_flux_hz_per_m2: flux,
            cosmic_muons_per_cm2_six_months: cosmic_muons_per_cm2(flux, 365.25 / 2.0),
            film_replacement_days: film_replacement_days(flux, FILM_BUDGET_PER_CM2),
            kl_in_detector: scenario.kl.map(|(n, p)| n * p),
        }
    }
}

/// Every number `darksens explain` gives of an emulsion scenario's model point. Fields in
/// alphabetical order (the JSON's key order); per-detector numbers by detector name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedModelPoint {
    /// Acceptance of each box (Monte Carlo).
    pub acceptance: BTreeMap<String, WithError>,
    /// `alpha_D = g_D^2 / (4 pi)`.
    pub alpha_d: f64,
    /// The muon and `K_L` backgrounds.
    pub background: MuonBackgrounds,
    /// `BR(A' -> phi1 phi2)` [EMU Eq. 6-9].
    pub br_aprime_to_phi1_phi2: f64,
    /// With `monte_carlo.decay_in_volume` (the default): the event-by-event probability that
    /// a produced `phi1` decays inside each box, with its Monte Carlo error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decay_in_volume: Option<BTreeMap<String, Option<InVolume>>>,
    /// `exp(-a/d) - exp(-(a + L)/d)` of each box [EMU Eq. 20].
    pub decay_probability: BTreeMap<String, f64>,
    /// Detection efficiency of each box.
    pub efficiency: BTreeMap<String, f64>,
    /// Kinetic mixing.
    pub epsilon: f64,
    /// Mean `phi1` flight length, m [EMU Eq. 12].
    pub flight_length_m: f64,
    /// Dark gauge coupling.
    pub g_d: f64,
    /// Integrated luminosity, ab^-1.
    pub luminosity_ab: f64,
    /// Heavier dark state, GeV.
    pub m1_gev: f64,
    /// Lighter dark state, GeV.
    pub m2_gev: f64,
    /// Dark-photon mass, GeV.
    pub m_aprime_gev: f64,
    /// The Monte Carlo settings.
    pub monte_carlo: MonteCarloRecord,
    /// Signal events excluded (2.3: 90% CL without background).
    pub n_excluded: f64,
    /// `K_L` background events, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_kl_background: Option<f64>,
    /// Signal events of each box: event by event with `monte_carlo.decay_in_volume`, else
    /// [EMU Eq. 20-21]; times the efficiency.
    pub n_signal: BTreeMap<String, f64>,
    /// Signal events of each box with the factorised [EMU Eq. 20-21], times the efficiency.
    pub n_signal_factorised: BTreeMap<String, f64>,
    /// Signal events summed over the boxes.
    pub n_signal_total: f64,
    /// The off-shell normalisation [EMU Eq. 5] (off-shell production).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_shell_normalisation: Option<OffShellNormalisation>,
    /// `on-shell` or `off-shell`.
    pub production: &'static str,
    /// Production cross section, pb [EMU Eq. 4 or 5].
    pub sigma_production_pb: f64,
    /// Centre-of-mass energy, GeV.
    pub sqrt_s_gev: f64,
    /// The scenario's title.
    pub title: String,
    /// Total `A'` width, GeV.
    pub width_aprime_gev: f64,
    /// Integration error of the `phi1` width, GeV.
    pub width_phi1_error_gev: f64,
    /// Total `phi1` width, GeV [EMU Eq. 11].
    pub width_phi1_gev: f64,
}

impl ExplainedModelPoint {
    fn new(scenario: &EmulsionScenario, point: &EmulsionPoint) -> Self {
        let m = &scenario.model;
        let setup = &scenario.setup;
        let per_detector = |f: &dyn Fn(&DetectorSignal) -> f64| {
            point
                .detectors
                .iter()
                .map(|d| (d.name.clone(), f(d)))
                .collect::<BTreeMap<_, _>>()
        };
        Self {
            acceptance: point
                .detectors
                .iter()
                .map(|d| {
                    let a = d.acceptance.acceptance;
                    (
                        d.name.clone(),
                        WithError {
                            error: a.error,
                            value: a.value,
                        },
                    )
                })
                .collect(),
            alpha_d: m.alpha_d(),
            background: MuonBackgrounds::new(scenario),
            br_aprime_to_phi1_phi2: point.br_aprime_to_phi1_phi2,
            decay_in_volume: setup.decay_in_volume.then(|| {
                point
                    .detectors
                    .iter()
                    .map(|d| {
                        let inside = d.in_volume.map(|p| InVolume {
                            error: p.error,
                            value: p.value,
                        });
                        (d.name.clone(), inside)
                    })
                    .collect()
            }),
            decay_probability: per_detector(&|d| d.decay_probability),
            efficiency: per_detector(&|d| d.efficiency),
            epsilon: m.epsilon,
            flight_length_m: point.flight_length_m.value,
            g_d: m.g_d,
            luminosity_ab: scenario.luminosity_ab,
            m1_gev: m.m1_gev,
            m2_gev: m.m2_gev,
            m_aprime_gev: m.m_aprime_gev,
            monte_carlo: MonteCarloRecord {
                boost_beta: setup.monte_carlo.boost_beta,
                events: setup.monte_carlo.events,
                seed: setup.monte_carlo.seed,
                spin_correlation: setup.monte_carlo.spin_correlation,
            },
            n_excluded: scenario.n_signal,
            n_kl_background: scenario.kl.map(|(n, p)| n * p),
            n_signal: per_detector(&|d| d.n_signal),
            n_signal_factorised: per_detector(&|d| d.n_signal_factorised),
            n_signal_total: point.n_signal_total(),
            off_shell_normalisation: (setup.production == Production::OffShell)
                .then_some(setup.normalisation),
            production: production_name(scenario),
            sigma_production_pb: point.sigma_production_pb,
            sqrt_s_gev: setup.sqrt_s_gev,
            title: scenario.title.clone(),
            width_aprime_gev: point.width_aprime_gev,
            width_phi1_error_gev: point.width_phi1_gev.error,
            width_phi1_gev: point.width_phi1_gev.value,
        }
    }

    /// Aligned text, a meaning for each number.
    fn text(&self, scenario: &EmulsionScenario, point: &EmulsionPoint) -> String {
        let mut out = String::new();
        outln!(
            out,
            "{} -- m_A' = {} GeV, m1 = {} GeV, m2 = {} GeV, eps = {}, g_D = {}, {} at sqrt(s) = {} GeV",
            self.title,
            self.m_aprime_gev,
            self.m1_gev,
            self.m2_gev,
            self.epsilon,
            self.g_d,
            self.production,
            self.sqrt_s_gev
        );
        let on_shell = scenario.setup.production == Production::OnShell;
        let rows: [(&str, f64, &str); 6] = [
            (
                "sigma_production_pb",
                self.sigma_production_pb,
                if on_shell {
                    "sigma(e+e- -> gamma A') over the full angle [EMU Eq. 4]"
                } else {
                    "sigma(e+e- -> A'* -> phi1 phi2) [EMU Eq. 5]"
                },
            ),
            (
                "br_aprime_to_phi1_phi2",
                self.br_aprime_to_phi1_phi2,
                "BR(A' -> phi1 phi2) [EMU Eq. 6-9] (used on shell)",
            ),
            (
                "width_aprime_gev",
                self.width_aprime_gev,
                "total A' width: phi1 phi2, leptons, hadrons (R)",
            ),
            (
                "width_phi1_gev",
                self.width_phi1_gev,
                "total phi1 width: phi2 + ee, mumu, tautau, hadrons [EMU Eq. 11]",
            ),
            (
                "flight_length_m",
                self.flight_length_m,
                "mean phi1 flight length [EMU Eq. 12]",
            ),
            (
                "luminosity_ab",
                self.luminosity_ab,
                "integrated luminosity, ab^-1",
            ),
        ];
        for (key, value, meaning) in rows {
            outln!(out, "  {key:<24} {:<24} {meaning}", six_figures(value));
        }
        detector_lines(
            &mut out,
            point,
            if on_shell { 20 } else { 21 },
            scenario.setup.decay_in_volume,
        );
        // The boxes' acceptances come from the same events: their errors are summed, a bound.
        let event_by_event = scenario.setup.decay_in_volume;
        let total_error: f64 = point
            .detectors
            .iter()
            .map(|d| signal_error(d, event_by_event))
            .sum();
        outln!(
            out,
            "  N_sig summed over the detectors {} (Monte Carlo); excluded at {}% CL (background neglected) above {}",
            with_error(self.n_signal_total, total_error),
            crate::limits::LimitCriterion::background_free_percent(self.n_excluded),
            self.n_excluded
        );
        self.background_lines(&mut out, scenario);
        outln!(
            out,
            "  Monte Carlo: {} events, seed {}, spin correlation {}, boost beta {}",
            self.monte_carlo.events,
            self.monte_carlo.seed,
            self.monte_carlo.spin_correlation,
            self.monte_carlo.boost_beta
        );
        out
    }

    fn background_lines(&self, out: &mut String, scenario: &EmulsionScenario) {
        let b = &self.background;
        for d in &scenario.setup.detectors {
            outln!(
                out,
                "  background, detector {:<10} {} collider muons per cm^2 over the run [EMU Eq. 17, both muons of each pair]",
                d.name,
                six_figures(
                    b.collider_muons_per_cm2
                        .get(&d.name)
                        .copied()
                        .unwrap_or(0.0)
                )
            );
        }
        outln!(
            out,
            "  background, cosmic muons: {} Hz/m^2 [EMU Eq. 19: through a small sphere, a bound for a film of any orientation], {} per cm^2 in six months; films full (1e6 /cm^2) after {} days",
            six_figures(b.cosmic_muon_flux_hz_per_m2),
            six_figures(b.cosmic_muons_per_cm2_six_months),
            six_figures(b.film_replacement_days)
        );
        if let Some((n, p)) = scenario.kl {
            outln!(
                out,
                "  K_L background: {} toward the detector x transmission {} = {}",
                format_number(n),
                format_number(p),
                six_figures(n * p)
            );
        }
    }
}

/// Six significant figures: no number of the emulsion explanation is known better.
fn six_figures(value: f64) -> String {
    crate::units::format_significant(value, 6)
}

/// The Monte Carlo error of a box's signal: its acceptance's relative error, or counted
/// `event_by_event`, its decays-inside probability's.
fn signal_error(d: &DetectorSignal, event_by_event: bool) -> f64 {
    let counted = d
        .in_volume
        .filter(|_| event_by_event)
        .unwrap_or(d.acceptance.acceptance);
    d.n_signal * counted.relative_error().unwrap_or(0.0)
}

/// `value +- error` with two significant figures of the error and the value to the same
/// place (`296.69 +- 0.29`); six figures and no error when there is none.
fn with_error(value: f64, error: f64) -> String {
    if !(error > 0.0 && error.is_finite() && value.is_finite() && value != 0.0) {
        return six_figures(value);
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small count of figures"
    )]
    let figures =
        (value.abs().log10().floor() - error.log10().floor() + 2.0).clamp(2.0, 12.0) as usize;
    format!(
        "{} +- {}",
        crate::units::format_significant(value, figures),
        crate::units::format_significant(error, 2)
    )
}

/// A fraction and its error in per cent, with at least four decimals and enough for two
/// significant digits of the error (`0.9806% +- 0.0010%`, `0.002012% +- 0.000031%`).
fn percent_with_error(value: f64, error: f64) -> String {
    let (value, error) = (100.0 * value, 100.0 * error);
    let decimals = if error > 0.0 && error.is_finite() {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a small count of decimals"
        )]
        let needed = (1.0 - error.log10().floor()).clamp(0.0, 12.0) as usize;
        needed.max(4)
    } else {
        4
    };
    format!("{value:.decimals$}% +- {error:.decimals$}%")
}

/// One line per box: acceptance, decay window, efficiency and signal, and how the signal
/// counts the decays inside the box (event by event, or factorised).
fn detector_lines(out: &mut String, point: &EmulsionPoint, equation: u32, event_by_event: bool) {
    for d in &point.detectors {
        let a = d.acceptance.acceptance;
        outln!(
            out,
            "  detector {:<10} acceptance {}, decay window {:.4e}, efficiency {}",
            d.name,
            percent_with_error(a.value, a.error),
            d.decay_probability,
            format_number(d.efficiency),
        );
        if let Some(p) = d.in_volume.filter(|_| event_by_event) {
            outln!(
                out,
                "  detector {:<10} decays inside, event by event: {:.4e} +- {:.1e} (factorised [EMU Eq. {equation}]: {:.4e}); N_sig = {} (factorised {})",
                d.name,
                p.value,
                p.error,
                a.value * d.decay_probability,
                with_error(d.n_signal, signal_error(d, true)),
                six_figures(d.n_signal_factorised),
            );
        } else {
            outln!(
                out,
                "  detector {:<10} N_sig = {} (Monte Carlo) [EMU Eq. {equation}, factorised: acceptance x decay window]",
                d.name,
                with_error(d.n_signal, signal_error(d, false)),
            );
        }
    }
}

fn production_name(scenario: &EmulsionScenario) -> &'static str {
    match scenario.setup.production {
        Production::OnShell => "on-shell",
        Production::OffShell => "off-shell",
    }
}

#[cfg(test)]
mod tests {
    /// The acceptance keeps two significant digits of its error, however small.
    #[test]
    fn a_percentage_shows_its_error() {
        assert_eq!(
            super::percent_with_error(9.806e-3, 1.0e-5),
            "0.9806% +- 0.0010%"
        );
        assert_eq!(
            super::percent_with_error(2.012e-5, 3.1e-7),
            "0.002012% +- 0.000031%"
        );
        assert_eq!(super::percent_with_error(0.5, 0.0), "50.0000% +- 0.0000%");
    }

    /// A subnormal signal (a few digits left after underflow), or one scaled up from it, is
    /// written as no events; from 1e-300 on every digit is kept.
    #[test]
    fn an_underflowed_signal_is_written_as_zero() {
        assert_eq!(super::above_floor(2.056_183e-318).to_bits(), 0);
        assert_eq!(super::above_floor(1.264_273_334_615_527e-307).to_bits(), 0);
        assert_eq!(super::above_floor(0.0).to_bits(), 0);
        assert_eq!(
            super::above_floor(1.234_567_890_123_4e-300),
            1.234_567_890_123_4e-300
        );
        assert_eq!(super::above_floor(2.3), 2.3);
    }
}
