//! What a thick-target scan writes and prints: the CSV rows, the plot, the sidecar, the
//! summary, and `darksens explain` of one mass.

use super::analysis::{BestPoint, CurveResult, annihilation_dominated_ranges, best_limit};
use super::calculator::Calculator;
use crate::error::{Error, ScanError};
use crate::limits::{LimitCriterion, LimitStatus};
use crate::models::MediatorKind;
use crate::output::csv::LimitRow;
use crate::output::plot::{LimitPlot, OverlaySeries, Series, XAxis};
use crate::output::sidecar::{CurveRecord, Sidecar, toml_to_json};
use crate::output::{OutputFile, StagedFile, five_digits, format_number, plot};
use crate::pipeline::{Explanation, OutputPaths, Report, RunClock, RunSource};
use crate::processes::effective_flux::RADIATIVE_TAIL_FLOOR_GEV;
use crate::published::library::ConstrainedDecay;
use crate::scenario::checks::{MASS_RANGE_MEV, MASS_WHY};
use crate::scenario::{
    Curve, MASS_KEY, Overlay, OverlayStyle, Scenario, SourceConfig, SpectrumConfig,
};
use crate::showers::track_length::Incident;
use crate::signal::thick_target::ThickTargetSearch;
use crate::sources::{PositronSpectrum, Source};
use crate::units::PICOBARN_CM2;
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// A yield's relative error for `explain`'s text. An integral that missed its tolerance is
/// bounded by its whole value ([`crate::numerics::quadrature::Estimate::error_bound`]), so a
/// relative error of 1 or more says that no bound is known, not that the value is off by 100%.
fn relative_error_words(relative_error: f64) -> String {
    if relative_error >= 1.0 {
        "unbounded, a part missed its tolerance".to_string()
    } else {
        format!("{relative_error:.1e}")
    }
}

/// `writeln!` into a `String` (which cannot fail).
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

/// Refines the best limits and renders CSV, plot (PNG, and SVG when asked), sidecar, summary
/// and warnings.
///
/// # Errors
/// A numerical failure during refinement, or a number that is not finite.
pub(super) fn finish(
    curves: &[Curve],
    run: &RunSource,
    results: &[CurveResult],
    paths: &OutputPaths,
    clock: RunClock,
) -> Result<Report, Error> {
    let stage = |name: &str, since: Instant| {
        if clock.verbose {
            eprintln!("[{:>8.1} ms] {name}", since.elapsed().as_secs_f64() * 1e3);
        }
    };
    let t = Instant::now();
    // The best limits and, where annihilation dominates, the ranges' edges, refined (every
    // curve's side by side). The ranges are the plot's band, the summary's words, and are
    // recorded in the sidecar so that `darksens plot` redraws the same band.
    let (bests, dominated) = rayon::join(
        || {
            results
                .par_iter()
                .map(best_limit)
                .collect::<Result<Vec<_>, _>>()
        },
        || -> Vec<MassRanges> {
            if results[0].parameter == MASS_KEY {
                results
                    .par_iter()
                    .map(annihilation_dominated_ranges)
                    .collect()
            } else {
                vec![Vec::new(); results.len()]
            }
        },
    );
    let bests = bests?;
    stage(
        "refinement of the best limits and of the annihilation ranges",
        t,
    );
    let t = Instant::now();
    // The CSV, written to its file as it is formatted, and the plot side by side (a 1e5-point
    // scan takes some 0.3 s for each).
    let (csv_file, drawn) = rayon::join(
        || staged_csv(&paths.csv, results),
        || -> Result<_, Error> {
            let plot = plot_of(curves, results, &dominated);
            let png_bytes = plot::render_png(&plot)?;
            let svg_bytes = paths
                .svg
                .as_ref()
                .map(|_| plot::render_svg(&plot))
                .transpose()?;
            Ok((plot, png_bytes, svg_bytes))
        },
    );
    let csv_file = csv_file?;
    let (plot, png_bytes, svg_bytes) = drawn?;
    stage("CSV and PNG rendering", t);
    let wall_time_s = clock.start.elapsed().as_secs_f64();
    let mut sidecar = scan_record(curves, run, results, wall_time_s);
    sidecar.outputs = vec![
        paths.csv.display().to_string(),
        paths.png.display().to_string(),
    ];
    sidecar.best = Some(
        results
            .iter()
            .zip(&bests)
            .zip(&dominated)
            .map(|((c, b), d)| best_record(c, b, d))
            .collect(),
    );
    let mut files = vec![
        OutputFile::Staged(csv_file),
        OutputFile::Bytes(paths.png.clone(), png_bytes),
        OutputFile::Bytes(paths.meta.clone(), sidecar.render()),
    ];
    if let (Some(path), Some(bytes)) = (&paths.svg, svg_bytes) {
        files.push(OutputFile::Bytes(path.clone(), bytes));
    }
    let mut written: Vec<&Path> = vec![&paths.csv, &paths.png, &paths.meta];
    written.extend(paths.svg.as_deref());
    Ok(Report {
        summary: summary(run, (results, &bests, &dominated), wall_time_s, &written),
        warnings: scan_warnings(curves, results)
            .into_iter()
            .chain(plot::overlay_warnings(&plot))
            .chain(overlay_caveats(curves, &results[0].parameter))
            .collect(),
        files,
    })
}

/// What a scan ran: the sidecar without its output files and best points (the version, the
/// scenario file and overrides, the inputs' SHA-256, every curve's resolved scenario, the
/// numerics, the threads and `wall_time_s`). `darksens scan` adds the files and the best points
/// and writes it as `<name>.meta.json`; the Python package returns it as `Result.meta`.
#[must_use]
pub fn scan_record(
    curves: &[Curve],
    run: &RunSource,
    results: &[CurveResult],
    wall_time_s: f64,
) -> Sidecar {
    let mut sidecar = run.sidecar(wall_time_s);
    sidecar.curves = Some(
        curves
            .iter()
            .map(|c| CurveRecord {
                label: c.label.clone(),
                resolved_scenario: toml_to_json(&toml::Value::Table(c.recorded_table())),
            })
            .collect(),
    );
    sidecar.numerics = Some(numerics_record(results));
    sidecar
}

/// The scan as CSV text: one row per curve and point, in scan order.
///
/// # Errors
/// [`Error::Numerical`] if any number is not finite (naming the curve and point).
pub fn render_csv(curves: &[CurveResult]) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    write_csv(&mut bytes, Path::new("<csv>"), curves)?;
    Ok(bytes)
}

/// The scan's CSV written beside `path`, to be renamed into place with the other outputs.
fn staged_csv(path: &Path, curves: &[CurveResult]) -> Result<StagedFile, Error> {
    let mut file = StagedFile::create(path)?;
    write_csv(file.writer(), path, curves)?;
    Ok(file)
}

/// Writes the scan as CSV text to `out` (the file `path`), one row per curve and point, in scan
/// order ([`crate::output::csv::write_scan`]).
///
/// # Errors
/// [`Error::Numerical`] if any number is not finite (naming the curve and point),
/// [`Error::Output`] if `out` cannot be written.
pub fn write_csv(
    out: &mut dyn std::io::Write,
    path: &Path,
    curves: &[CurveResult],
) -> Result<(), Error> {
    let Some(first) = curves.first() else {
        return Ok(());
    };
    // Row `i` of the CSV: the curve whose points hold it, and the point.
    let starts: Vec<usize> = curves
        .iter()
        .scan(0, |start, c| {
            let here = *start;
            *start += c.points.len();
            Some(here)
        })
        .collect();
    let count = curves.iter().map(|c| c.points.len()).sum();
    let row = |i: usize| {
        let k = starts.partition_point(|&s| s <= i) - 1;
        let curve = &curves[k];
        let j = i - starts[k];
        let p = &curve.points[j];
        LimitRow {
            curve: &curve.label,
            value: curve.values[j],
            mass_mev: p.mass_mev,
            epsilon_limit: p.epsilon_limit,
            n_ann_per_eps2: p.yields.annihilation.value,
            n_brem_per_eps2: p.yields.bremsstrahlung.value,
            n_background: p.n_background,
            n_required: p.n_required,
            status: p.status(),
            bands: p.epsilon_bands,
            at_coupling: p.at_coupling,
        }
    };
    crate::output::csv::write_scan(
        out,
        path,
        count,
        &row,
        &first.parameter,
        first.is_mass_scan(),
    )
}

fn plot_of(curves: &[Curve], results: &[CurveResult], dominated: &[Vec<(f64, f64)>]) -> LimitPlot {
    let scenarios: Vec<&Scenario> = curves.iter().map(|c| &c.scenario).collect();
    let mut plot = plot_frame(&scenarios, &results[0].parameter, results[0].logarithmic);
    if let Some(line) = line_shape_plot(curves, results) {
        return line_plot(plot, line);
    }
    plot.windows = annihilation_windows(dominated);
    plot.series = results
        .iter()
        .map(|c| Series {
            label: c.label.clone(),
            // Closed points have no limit and are not drawn.
            points: c
                .values
                .iter()
                .zip(&c.points)
                .filter(|(_, p)| p.status() != LimitStatus::Closed)
                .map(|(x, p)| (*x, p.epsilon_limit))
                .collect(),
            bands: c
                .values
                .iter()
                .zip(&c.points)
                .filter(|(_, p)| p.status() != LimitStatus::Closed)
                .filter_map(|(x, p)| p.epsilon_bands.map(|b| (*x, b)))
                .collect(),
        })
        .collect();
    plot
}

/// The signal per particle on target at `model.g_ve` at every point of a curve, `None` unless
/// every point has it (a beam's scan with the coupling given).
fn signal_per_particle(curve: &CurveResult) -> Option<Vec<f64>> {
    curve
        .points
        .iter()
        .map(|p| p.at_coupling.and_then(|(_, per)| per))
        .collect()
}

/// A beam's scan of another key than the mass with `model.g_ve` on every curve is a line
/// shape (PADME's plot): the signal per particle on target at that coupling, each curve with
/// its coupling in the label; `None` otherwise.
fn line_shape_plot(curves: &[Curve], results: &[CurveResult]) -> Option<Vec<Series>> {
    if results[0].is_mass_scan() {
        return None;
    }
    curves
        .iter()
        .zip(results)
        .map(|(curve, c)| {
            let per_particle = signal_per_particle(c)?;
            curve.scenario.model.g_ve?;
            Some(Series {
                label: c.label.clone(),
                points: c
                    .values
                    .iter()
                    .copied()
                    .zip(per_particle)
                    .filter(|(_, y)| *y > 0.0)
                    .collect(),
                bands: Vec::new(),
            })
        })
        .collect()
}

/// The frame of a limit plot turned into a line-shape plot of `series` (the signal per particle
/// on target at `model.g_ve` against the scanned key).
#[must_use]
pub fn line_plot(frame: LimitPlot, series: Vec<Series>) -> LimitPlot {
    LimitPlot {
        y_title: "signal per positron on target".to_string(),
        y_cap: None,
        series,
        ..frame
    }
}

/// Title, annotation, axes and overlays of a plot of `scenarios` (one per curve) scanning
/// `parameter`, without the curves.
pub fn plot_frame(scenarios: &[&Scenario], parameter: &str, logarithmic: bool) -> LimitPlot {
    let s = scenarios[0];
    let mass_scan = parameter == MASS_KEY;
    // Curves of different mediators share a mass axis named for neither.
    let symbol = if scenarios
        .iter()
        .any(|c| c.model.mediator != s.model.mediator)
    {
        "med"
    } else {
        match s.model.mediator {
            MediatorKind::DarkPhoton => "A′",
            MediatorKind::Scalar => "φ",
        }
    };
    let x_axis = if mass_scan {
        XAxis::MassMev {
            symbol: symbol.to_string(),
        }
    } else {
        XAxis::Key {
            title: axis_title(parameter),
            logarithmic,
        }
    };
    let alpha_ds: Vec<f64> = scenarios.iter().map(|c| c.model.alpha_d).collect();
    let overlays = if mass_scan {
        s.overlays
            .iter()
            .map(|o| {
                let label = if o.label_is_name {
                    crate::output::plot::literal_label(&o.label)
                } else {
                    o.label.clone()
                };
                let label = match model_caveat(s, o) {
                    Some(other) => format!("{label}, for a {other}"),
                    None => label,
                };
                let label = label
                    + &crate::output::plot::alpha_d_caveat(o.alpha_d, &alpha_ds)
                        .unwrap_or_default();
                OverlaySeries::from_limit(
                    match decay_caveat(s, o) {
                        Some(other) => format!("{label}, {other} decay"),
                        None => label,
                    },
                    o.style == OverlayStyle::Excluded,
                    &o.limit,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    LimitPlot {
        regions: Vec::new(),
        scan_edges: Vec::new(),
        extent: Vec::new(),
        windows: Vec::new(),
        closed_windows: Vec::new(),
        overlays,
        title: s.title.clone(),
        annotation: annotation(scenarios, parameter, symbol),
        x_axis,
        y_title: y_title(scenarios),
        series: Vec::new(),
        // eps >= 1 is no constraint: the CSV keeps the number, the plot stops at 1.
        y_cap: Some(1.0),
        tight: false,
    }
}

/// The mediator an overlay constrains when it is not the scenario's (`"dark photon"`): such a
/// curve is no limit on this model, and the plot says so.
fn model_caveat(s: &Scenario, overlay: &Overlay) -> Option<&'static str> {
    let theirs = overlay.model?;
    (theirs != s.model.mediator.constrained()).then_some(theirs.words())
}

/// How the mediator of an overlay decays when that is not how the scenario's does
/// (`"invisible"`): a missing-energy limit is no limit on a mediator seen in `e+ e-`.
fn decay_caveat(s: &Scenario, overlay: &Overlay) -> Option<&'static str> {
    let ours = match s.model.decay {
        crate::models::Decay::Invisible => ConstrainedDecay::Invisible,
        crate::models::Decay::Visible => ConstrainedDecay::Visible,
    };
    let theirs = overlay.decay?;
    (theirs != ours).then_some(theirs.name())
}

/// A warning for each overlay of the plot that constrains another mediator than the
/// scenario's, or the same mediator decaying otherwise, or that a scan of `parameter` (not the
/// mass) does not draw.
fn overlay_caveats(curves: &[Curve], parameter: &str) -> Vec<String> {
    if parameter != MASS_KEY {
        return unplotted_overlay_warnings(curves, parameter);
    }
    let s = &curves[0].scenario;
    let ours = match s.model.mediator {
        MediatorKind::DarkPhoton => "a dark photon",
        MediatorKind::Scalar => "a scalar",
    };
    let unacknowledged = || s.overlays.iter().filter(|o| !o.for_orientation);
    unacknowledged()
        .filter_map(|o| {
            model_caveat(s, o).map(|other| {
                format!(
                    "warning: overlay \"{}\" is a limit on a {other}, but this scenario's mediator is {ours}: it is drawn for orientation, labelled \"for a {other}\"; no conversion between the two is defined here (their couplings to electrons and their production differ)",
                    o.label
                )
            })
        })
        .chain(unacknowledged().filter_map(|o| {
            decay_caveat(s, o).map(|theirs| {
                format!(
                    "warning: overlay \"{}\" is a limit on a mediator with a{} {theirs} decay, but this scenario's mediator decays {}: it is drawn for orientation, labelled \"{theirs} decay\" (a missing-energy limit and one from e+ e- pairs constrain different models)",
                    o.label,
                    if theirs == "invisible" { "n" } else { "" },
                    match s.model.decay {
                        crate::models::Decay::Invisible => "invisibly",
                        crate::models::Decay::Visible => "to e+ e-",
                    }
                )
            })
        }))
        .collect()
}

/// A warning for each overlay of a scan of another key than the mass: overlays are limits
/// against the mass, which such a plot does not have on its axis.
fn unplotted_overlay_warnings(curves: &[Curve], parameter: &str) -> Vec<String> {
    curves[0]
        .scenario
        .overlays
        .iter()
        .map(|o| {
            format!(
                "warning: overlay \"{}\" is a limit against the mass, and this scan is of {parameter}: it is not drawn (overlays go on mass scans)",
                o.label
            )
        })
        .collect()
}

/// The model and source parameters the curves share, leaving out the scanned one (it is the x
/// axis).
fn annotation(scenarios: &[&Scenario], scanned: &str, symbol: &str) -> String {
    let s = scenarios[0];
    // A parameter goes into the annotation only when every curve shares it.
    let shared = |f: &dyn Fn(&Scenario) -> f64| scenarios.iter().all(|c| f(c) == f(s));
    let mut parts = Vec::new();
    if scanned != "model.mass_mev"
        && let Some(m) = s.model.mass_mev
    {
        parts.push(format!("m_{symbol} = {} MeV", format_number(m)));
    }
    let invisible = s.model.decay == crate::models::Decay::Invisible;
    if !invisible {
        parts.push("decays to e⁺e⁻".to_string());
    }
    if scanned != "model.g_ve"
        && let Some(g) = s.model.g_ve
        && shared(&|x| x.model.g_ve.unwrap_or(f64::NAN))
    {
        parts.push(format!("g_ve = {}", plot::physics_number(g, 6)));
    }
    if invisible && scanned != "model.alpha_d" && shared(&|x| x.model.alpha_d) {
        parts.push(format!(
            "α_D = {}",
            plot::physics_number(s.model.alpha_d, 6)
        ));
    }
    if invisible && scanned != "model.mchi_over_mmed" && shared(&|x| x.model.mchi_over_mmed) {
        parts.push(format!(
            "m_χ = {} m_{symbol}",
            format_number((s.model.mchi_over_mmed * 1000.0).round() / 1000.0)
        ));
    }
    match s.source {
        SourceConfig::Collider { luminosity_ab, .. } if scanned != "source.luminosity_ab" => {
            parts.push(format!("{} ab⁻¹", format_number(luminosity_ab)));
        }
        SourceConfig::Beam(beam) => {
            let (particle, on_target) = match beam.particle {
                crate::showers::track_length::Incident::Electron => ("e⁻", "EOT"),
                crate::showers::track_length::Incident::Positron => ("e⁺", "POT"),
            };
            // "100 GeV e⁺", or "e⁺ beam" when the energy is what is scanned.
            let beam_name = if scanned == "source.beam_energy_gev" {
                format!("{particle} beam")
            } else {
                format!("{} GeV {particle}", format_number(beam.energy_gev))
            };
            parts.push(format!(
                "{beam_name}, {} {on_target}",
                plot::physics_number(beam.particles_on_target, 4)
            ));
            if beam.energy_spread > 0.0 && scanned != "source.energy_spread" {
                parts.push(format!(
                    "spread {}%",
                    format_number(100.0 * beam.energy_spread)
                ));
            }
        }
        SourceConfig::Collider { .. } => {}
    }
    if scanned != "target.thickness_x0" && scanned != "target.thickness_cm" {
        // Three significant digits (a thickness given in cm is an odd number of X0).
        parts.push(format!(
            "{} X₀ {}",
            plot::physics_number(s.target.thickness_x0, 3),
            s.target.material.name
        ));
    }
    parts.join("   ")
}

/// The vertical axis says what the curves are when they all say the same; expected upper
/// limits at different levels are only called that (the legend or the summary says which).
fn y_title(scenarios: &[&Scenario]) -> String {
    let level = LimitCriterion::percent;
    let describe = |c: &Scenario| match c.limit {
        LimitCriterion::SqrtBackground { .. } => format!(
            "ε  (expected {}% CL upper limit)",
            level(c.limit.confidence_level().unwrap_or(0.0))
        ),
        // As many events as a count without background excludes at this level; with a
        // background the count has no such level, and the axis names the count.
        LimitCriterion::Fixed { n_signal } if c.background.is_zero() => format!(
            "ε  (expected {}% CL upper limit)",
            LimitCriterion::background_free_percent(n_signal)
        ),
        LimitCriterion::Fixed { n_signal } => format!(
            "ε  (expected limit, N_s = {} signal events)",
            format_number(n_signal)
        ),
        LimitCriterion::PoissonCls { cl, .. } => {
            format!("ε  (expected {}% CL upper limit, CLs)", level(cl))
        }
        LimitCriterion::Discovery { z, .. } => {
            format!("ε  (median {}σ discovery)", format_number(z))
        }
    };
    let first = describe(scenarios[0]);
    if scenarios.iter().all(|c| describe(c) == first) {
        first
    } else if scenarios.iter().all(|c| {
        c.limit.confidence_level().is_some() || matches!(c.limit, LimitCriterion::Fixed { .. })
    }) {
        "ε  (expected upper limits)".to_string()
    } else {
        "ε".to_string()
    }
}

/// The plot's shaded bands: the mass ranges where annihilation gives more signal than
/// bremsstrahlung for any curve (`per_curve`: each curve's ranges; overlapping ranges merged);
/// none where it never does (an incident electron's control sample). Where the curves' ranges
/// differ, the band says it holds for some curves only.
#[must_use]
pub fn annihilation_windows(per_curve: &[Vec<(f64, f64)>]) -> Vec<(f64, f64, String)> {
    let label = if per_curve.windows(2).all(|pair| pair[0] == pair[1]) {
        "annihilation dominates"
    } else {
        "annihilation dominates for some curves"
    };
    let mut ranges: Vec<(f64, f64)> = per_curve.iter().flatten().copied().collect();
    ranges.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (lo, hi) in ranges {
        match merged.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
        .into_iter()
        .map(|(lo, hi)| (lo, hi, label.to_string()))
        .collect()
}

fn numerics_record(results: &[CurveResult]) -> serde_json::Value {
    let worst = results
        .iter()
        .flat_map(|c| c.points.iter())
        .map(|p| {
            p.yields
                .annihilation
                .relative_error()
                .max(p.yields.bremsstrahlung.relative_error())
        })
        .fold(0.0, f64::max);
    let unconverged: Vec<f64> = results
        .iter()
        .flat_map(|c| c.values.iter().zip(&c.points))
        .filter(|(_, p)| !p.converged)
        .map(|(v, _)| *v)
        .collect();
    // Per curve, the scanned values of each status but `ok` (the CSV's `status` column).
    let statuses: serde_json::Map<String, serde_json::Value> = results
        .iter()
        .map(|c| {
            let of = |status: LimitStatus| -> Vec<f64> {
                c.values
                    .iter()
                    .zip(&c.points)
                    .filter(|(_, p)| p.status() == status)
                    .map(|(v, _)| *v)
                    .collect()
            };
            (
                c.label.clone(),
                serde_json::json!({
                    "closed": of(LimitStatus::Closed),
                    "eps-above-1": of(LimitStatus::EpsAbove1),
                    "unconverged": of(LimitStatus::Unconverged),
                }),
            )
        })
        .collect();
    // Per curve, how many annihilation yields came from the panels in the mass of a large scan
    // (`numerics.interpolate_annihilation_in_mass`; such a value has no evaluations of its own
    // and carries its panel's bound).
    let interpolated: serde_json::Map<String, serde_json::Value> = results
        .iter()
        .map(|c| {
            let n = c
                .points
                .iter()
                .filter(|p| {
                    p.yields.annihilation.evaluations == 0 && p.yields.annihilation.error > 0.0
                })
                .count();
            (c.label.clone(), serde_json::json!(n))
        })
        .collect();
    // The largest bound over the curves' tables.
    let largest = |f: &dyn Fn(&ThickTargetSearch) -> Option<f64>| {
        results
            .iter()
            .filter_map(|c| f(c.calculator.search()))
            .reduce(f64::max)
    };
    // Per curve with a Monte Carlo source, its cross section's relative statistical error.
    let source_errors: serde_json::Map<String, serde_json::Value> = results
        .iter()
        .filter_map(|c| {
            super::calculator::source_statistical_error(c.calculator.scenario())
                .map(|e| (c.label.clone(), serde_json::json!(e)))
        })
        .collect();
    serde_json::json!({
        "source_cross_section_statistical_relative_error": source_errors,
        "track_length_table_relative_error": largest(&|s| s.annihilation_track_length().map(crate::processes::annihilation::AnnihilationTrackLength::interpolation_error)),
        "annihilation_flux_table_relative_error": largest(&|s| s.annihilation_flux().map(crate::processes::annihilation::AnnihilationFlux::interpolation_error)),
        "largest_yield_relative_error_estimate": worst,
        "unconverged_points": unconverged,
        "points_by_status": statuses,
        "annihilation_yields_interpolated_in_mass": interpolated,
    })
}

/// What a scan's results call for a word about, whatever is written (lines starting
/// `warning: `): points that missed the numerical tolerance, a sqrt(N_b) rule below one event,
/// a neutron background kept from another calorimeter, bands a criterion cannot give. The
/// command line prints them; the Python package raises them as Python warnings.
#[must_use]
pub fn scan_warnings(curves: &[Curve], results: &[CurveResult]) -> Vec<String> {
    unconverged_warnings(results)
        .into_iter()
        .chain(small_background_warnings(curves, results))
        .chain(bands_warning(curves))
        .collect()
}

/// The warnings a scan of `curves` would give that are known before anything is computed
/// (`darksens check` prints them): bands without `poisson-cls`, the neutron background's
/// inputs on another calorimeter, and a sqrt(N_b) rule asking for fewer than one signal event
/// at a background the scenario sets (`background.total`, or its scanned values).
#[must_use]
pub fn setup_warnings(curves: &[Curve]) -> Vec<String> {
    let set_background = curves.iter().filter_map(|c| {
        let s = &c.scenario;
        if !matches!(s.limit, LimitCriterion::SqrtBackground { .. }) {
            return None;
        }
        let scanned = scanned_values(s, "background.total");
        let fewest = s
            .background
            .total
            .iter()
            .chain(scanned)
            .map(|&total| {
                let counting = crate::limits::statistics::Counting {
                    background: total,
                    relative_uncertainty: s.background.relative_uncertainty,
                };
                (s.limit.n_required_for(&counting), total)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))?;
        (fewest.0 < 1.0).then(|| sqrt_nb_below_one_event(&c.label, fewest.0, fewest.1))
    });
    bands_warning(curves)
        .into_iter()
        .chain(neutron_sample_warning(curves))
        .chain(set_background)
        .chain(energy_unit_warnings(curves))
        .collect()
}

/// Beam energies, or a spectrum's energies, above any electron or positron beam there is
/// ([`LARGEST_LEPTON_BEAM_GEV`]): most likely given in MeV where GeV is meant, and a scan of
/// them runs without complaint (a 7000 GeV "SuperKEKB" beam, a table of MeV read as GeV).
/// One warning per key, naming the curves.
fn energy_unit_warnings(curves: &[Curve]) -> Vec<String> {
    use crate::scenario::checks::LARGEST_LEPTON_BEAM_GEV;
    let mut found: Vec<(&str, f64, Vec<String>)> = Vec::new();
    for c in curves {
        let s = &c.scenario;
        let energies: Vec<(&str, f64)> = match &s.source {
            SourceConfig::Beam(beam) => vec![("source.beam_energy_gev", beam.energy_gev)],
            SourceConfig::Collider { spectrum, .. } => match spectrum {
                SpectrumConfig::Bhabha { collider, .. }
                | SpectrumConfig::Generated {
                    settings: crate::sources::radiative_bhabha::Settings { collider, .. },
                    ..
                } => vec![
                    ("source.electron_energy_gev", collider.electron_energy_gev),
                    ("source.positron_energy_gev", collider.positron_energy_gev),
                ],
                SpectrumConfig::Tabulated(table) => {
                    vec![("the highest energy of source.spectrum", table.e_max_gev())]
                }
            },
        };
        for (key, gev) in energies {
            // A scanned energy: its highest point.
            let gev = scanned_values(s, key).iter().copied().fold(gev, f64::max);
            if gev <= LARGEST_LEPTON_BEAM_GEV {
                continue;
            }
            let label = format!("\"{}\"", c.label);
            match found.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, highest, labels)) => {
                    *highest = highest.max(gev);
                    labels.push(label);
                }
                None => found.push((key, gev, vec![label])),
            }
        }
    }
    found
        .into_iter()
        .map(|(key, gev, labels)| {
            let which = if labels.len() == curves.len() {
                "every curve".to_string()
            } else {
                format!("curve(s) {}", labels.join(", "))
            };
            format!(
                "warning: {key} reaches {} GeV ({which}), above any electron or positron beam (CLIC's design, {} GeV): energies are in GeV; was MeV meant?",
                plot::physics_number(gev, 4),
                plot::physics_number(LARGEST_LEPTON_BEAM_GEV, 4)
            )
        })
        .collect()
}

/// The values a scenario's scan gives `key` (none when it scans another key).
fn scanned_values<'a>(scenario: &'a Scenario, key: &str) -> &'a [f64] {
    scenario
        .scan
        .as_ref()
        .filter(|scan| scan.parameter == key)
        .map(|scan| scan.values.as_slice())
        .unwrap_or_default()
}

/// Curves whose sqrt(N_b) rule asks for less than one signal event somewhere: the rule is a
/// large-background approximation, and a limit below one event is no counting limit; and
/// [`neutron_sample_warning`].
fn small_background_warnings(curves: &[Curve], results: &[CurveResult]) -> Vec<String> {
    curves
        .iter()
        .zip(results)
        .filter(|(c, _)| matches!(c.scenario.limit, LimitCriterion::SqrtBackground { .. }))
        .filter_map(|(_, r)| {
            let fewest = r
                .points
                .iter()
                .min_by(|a, b| a.n_required.total_cmp(&b.n_required))?;
            (fewest.n_required < 1.0)
                .then(|| sqrt_nb_below_one_event(&r.label, fewest.n_required, fewest.n_background))
        })
        .chain(neutron_sample_warning(curves))
        .collect()
}

/// The warning of a sqrt(N_b) rule that asks for `n_required` < 1 signal events at a
/// background `n_background` (curve `label`).
fn sqrt_nb_below_one_event(label: &str, n_required: f64, n_background: f64) -> String {
    format!(
        "warning: curve \"{label}\": the sqrt-nb rule asks for {} signal events (N_b = {}), fewer than one: it holds for large backgrounds only, and such a limit is no counting limit. Use limit.method = \"poisson-cls\" (2.3 events at 90% CL without background).",
        five_digits(n_required),
        five_digits(n_background)
    )
}

/// A target depth within this fraction of Belle II's 16 X0 keeps its neutron inputs without a
/// warning (its 30 cm of CsI are 16.1 X0).
const NEUTRON_DEPTH_TOLERANCE: f64 = 0.02;

/// The neutron background's inputs (`[background.neutron]`) describe one calorimeter: the
/// events Belle II simulated in its CsI ECL of 16 X0, and `ecl_lambda` (0.75) its depth behind
/// the first X0 [DPT Sec. 3.2]. Curves that keep Belle II's `ecl_lambda` with another target
/// material or thickness (in the curve, or along a scan of the thickness) are named; setting
/// `ecl_lambda` for the calorimeter, or `background.total`, is taken as the answer. (The photon
/// background follows the target by itself.)
fn neutron_sample_warning(curves: &[Curve]) -> Option<String> {
    use crate::backgrounds::{BELLE2_ECL_LAMBDA, BELLE2_ECL_X0};
    let other: Vec<String> = curves
        .iter()
        .filter_map(|c| {
            let s = &c.scenario;
            let neutron = s.background.neutron.as_ref()?;
            if s.background.total.is_some() || neutron.ecl_lambda != BELLE2_ECL_LAMBDA {
                return None;
            }
            let scanned = scanned_values(s, "target.thickness_x0");
            let thicknesses: Vec<f64> = std::iter::once(s.target.thickness_x0)
                .chain(scanned.iter().copied())
                .collect();
            let (lo, hi) = thicknesses
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
                    (lo.min(t), hi.max(t))
                });
            let other_material = s.target.material.name != crate::materials::CSI.name;
            // Belle II's 30 cm of CsI is 16.1 X0, which the paper rounds to 16: a depth within
            // NEUTRON_DEPTH_TOLERANCE of it is the same calorimeter.
            let other_depth = thicknesses
                .iter()
                .any(|t| (t / BELLE2_ECL_X0 - 1.0).abs() > NEUTRON_DEPTH_TOLERANCE);
            (other_material || other_depth).then(|| {
                let x0 = |t: f64| plot::physics_number(t, 4);
                let depth = if scanned.is_empty() {
                    x0(s.target.thickness_x0)
                } else {
                    format!("{}-{}", x0(lo), x0(hi))
                };
                format!("\"{}\" ({depth} X0 of {})", c.label, s.target.material.name)
            })
        })
        .collect();
    (!other.is_empty()).then(|| {
        format!(
            "warning: the neutron background keeps Belle II's inputs ([background.neutron], ecl_lambda = {} for its CsI calorimeter of {} X0) for {}: set ecl_lambda (and the event counts, if known) for this calorimeter, or give background.total",
            format_number(BELLE2_ECL_LAMBDA),
            format_number(BELLE2_ECL_X0),
            other.join(", ")
        )
    })
}

/// Curves that ask for expected bands (`limit.bands = true`) with a method that has none: only
/// `poisson-cls` has them (the key may stay in a file for a `--set limit.method=...`, so it is
/// no error).
fn bands_warning(curves: &[Curve]) -> Option<String> {
    use crate::scenario::raw::LimitMethod;
    let without: Vec<String> = curves
        .iter()
        .filter(|c| {
            c.raw.limit.bands == Some(true) && c.raw.limit.method != LimitMethod::PoissonCls
        })
        .map(|c| format!("\"{}\"", c.label))
        .collect();
    (!without.is_empty()).then(|| {
        format!(
            "warning: limit.bands = true, but only limit.method = \"poisson-cls\" has expected bands: curve(s) {} have none (no band columns, none drawn)",
            without.join(", ")
        )
    })
}

/// Which points missed the numerical tolerances (printed on stderr even with `--quiet`).
fn unconverged_warnings(results: &[CurveResult]) -> Vec<String> {
    let mut warnings = Vec::new();
    for curve in results {
        let missed: Vec<String> = curve
            .values
            .iter()
            .zip(&curve.points)
            .filter(|(_, p)| !p.converged)
            .map(|(v, _)| five_digits(*v))
            .collect();
        if missed.is_empty() {
            continue;
        }
        let shown = missed
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = if missed.len() > 5 { ", ..." } else { "" };
        warnings.push(format!(
            "warning: curve \"{}\": {} of {} point(s) missed the numerical tolerance ({} = {shown}{more}); they are marked status = unconverged in the CSV. `darksens explain` at one of them shows why. Finer tables (numerics.track_length_intervals / flux_intervals) or looser tolerances (numerics.relative_tolerance / table_tolerance) clear most, but not all: at a resonance on a sharp edge of the flux the error falls slowly with the step (docs/validation.md §17).",
            curve.label,
            missed.len(),
            curve.points.len(),
            curve.parameter,
        ));
    }
    warnings
}

fn best_record(
    curve: &CurveResult,
    best: &BestPoint,
    dominated: &[(f64, f64)],
) -> serde_json::Value {
    let p = &best.refined;
    // An invisible mediator's dark-sector couplings and `y`, or a visible one's `g_ve`, as
    // `darksens explain` gives them (`null` for the other kind).
    let invisible = p.alpha_d > 0.0;
    serde_json::json!({
        "annihilation_dominated_mev": dominated.iter().map(|&(lo, hi)| [lo, hi]).collect::<Vec<_>>(),
        "curve": curve.label,
        "parameter": curve.parameter,
        "value": best.value,
        "mass_mev": p.mass_mev,
        "epsilon_limit": p.epsilon_limit,
        "alpha_d": invisible.then_some(p.alpha_d),
        "mchi_over_mmed": invisible.then_some(p.mchi_over_mmed),
        "y": invisible.then(|| p.y()),
        "g_ve_limit": (!invisible).then(|| p.g_ve_limit()),
        "annihilation_fraction": p.annihilation_fraction(),
        "n_background": p.n_background,
        "status": p.status(),
        "best_grid_value": best.grid_value,
        "best_grid_epsilon_limit": best.grid.epsilon_limit,
    })
}

fn summary(
    run: &RunSource,
    (results, bests, dominated): (&[CurveResult], &[BestPoint], &[MassRanges]),
    wall_time_s: f64,
    written: &[&Path],
) -> String {
    let mut out = String::new();
    let first = &results[0];
    let scenario = first.calculator.scenario();
    let search = first.calculator.search();
    let mass_scan = first.is_mass_scan();
    outln!(out, "{}", scenario.title);
    // A curve may scan its own points (`set = { "scan.points" = 131 }`).
    let least = results.iter().map(|r| r.points.len()).min().unwrap_or(0);
    let most = results.iter().map(|r| r.points.len()).max().unwrap_or(0);
    outln!(
        out,
        "scenario {}: {} curve(s) x {} {}, {} thread(s), {:.2} s",
        run.scenario_file,
        results.len(),
        if least == most {
            most.to_string()
        } else {
            format!("{least}-{most}")
        },
        if mass_scan {
            "masses".to_string()
        } else {
            format!("values of {}", first.parameter)
        },
        rayon::current_num_threads(),
        wall_time_s
    );
    if let Some(line) = run.overrides_line() {
        outln!(out, "{line}");
    }
    // The source, once when every curve has the same, else on each curve's lines.
    let shared_source = results
        .iter()
        .all(|c| c.calculator.search().setup().source == search.setup().source);
    let first_source = describe_source(&search.setup().source);
    if shared_source && !mass_scan && first.parameter.starts_with("source.") {
        // The source changes from point to point: the line describes the first.
        outln!(
            out,
            "{first_source} (at the first point of the scan of {})",
            first.parameter
        );
    } else if shared_source {
        outln!(out, "{first_source}");
    }
    // The criterion, once when every curve has the same, else on each curve's lines.
    let shared_limit = results
        .iter()
        .all(|c| limit_words(c.calculator.scenario()) == limit_words(scenario));
    if shared_limit {
        outln!(out, "limit: {}", limit_words(scenario));
    }
    // Curves with the same source may still differ in the physics of the target (the target
    // electrons, its depth): then each has its own annihilation range.
    // ... and the same target with another model (alpha_D widens the resonance) too: one line
    // for all only when every curve's range is the same.
    let shared_ranges = results
        .iter()
        .all(|c| c.calculator.search().setup() == search.setup())
        && dominated.iter().all(|r| *r == dominated[0]);
    for ((curve, best), ranges) in results.iter().zip(bests).zip(dominated) {
        curve_summary(
            &mut out,
            (curve, best, ranges),
            &results[0],
            (shared_source, shared_ranges, shared_limit),
        );
    }
    if mass_scan && shared_ranges {
        outln!(out, "{}", ranges_text(&dominated[0], &results[0]));
    }
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    outln!(out, "wrote {}", names.join(", "));
    out
}

/// Mass ranges `(lo, hi)` in MeV.
type MassRanges = Vec<(f64, f64)>;

/// Where annihilation dominates ([`annihilation_dominated_ranges`]) for `curve`, in words.
fn ranges_text(ranges: &[(f64, f64)], curve: &CurveResult) -> String {
    if !super::analysis::counts_bremsstrahlung(curve) {
        "bremsstrahlung not counted (bremsstrahlung.method = \"none\"): the signal is annihilation alone".to_string()
    } else if ranges.is_empty() {
        "bremsstrahlung dominates at every scanned mass".to_string()
    } else {
        let text: Vec<String> = ranges
            .iter()
            .map(|(lo, hi)| {
                let (lo, hi) = (format!("{lo:.2}"), format!("{hi:.2}"));
                if lo == hi {
                    format!("{lo} MeV")
                } else {
                    format!("{lo}-{hi} MeV")
                }
            })
            .collect();
        format!(
            "annihilation dominates for {}; bremsstrahlung elsewhere",
            text.join(", ")
        )
    }
}

/// What the summary says about a curve's best point, for those who do not read the summary
/// (the Python package): where it lies (refined between grid points, or at an end of the scan
/// where the limit may go on improving beyond it), and that a best limit at or above eps = 1
/// is no constraint anywhere in the scan.
#[must_use]
pub fn best_point_note(curve: &CurveResult, best: &BestPoint) -> String {
    let place = if curve.is_mass_scan() {
        where_the_best_lies(curve, best)
    } else {
        at_an_end_of_the_scan(curve, best)
            .unwrap_or_default()
            .to_string()
    };
    let place = match unconverged_best(best) {
        Some(words) if place.is_empty() => words.to_string(),
        Some(words) => format!("{place}; {words}"),
        None => place,
    };
    if best.refined.epsilon_limit >= 1.0 {
        let rest = if place.is_empty() {
            String::new()
        } else {
            format!("; {place}")
        };
        format!("eps >= 1 even at the best point: no constraint anywhere in the scan{rest}")
    } else {
        place
    }
}

/// The words for a best point whose numbers missed their tolerance (every point of the curve
/// did, or the refined point between two that did not), `None` for one that met them.
fn unconverged_best(best: &BestPoint) -> Option<&'static str> {
    (best.refined.status() == LimitStatus::Unconverged)
        .then_some("status unconverged: a number missed its tolerance, do not quote it")
}

/// For a scan of another key than the mass: the words for a best point at the first or last
/// value scanned, where the limit may go on improving beyond the scan.
fn at_an_end_of_the_scan(curve: &CurveResult, best: &BestPoint) -> Option<&'static str> {
    if curve.values.len() > 1 && curve.values.first() == Some(&best.value) {
        Some("the scan's lowest value: the limit may be stronger below the scan")
    } else if curve.values.len() > 1 && curve.values.last() == Some(&best.value) {
        Some("the scan's highest value: the limit may be stronger above the scan")
    } else {
        None
    }
}

/// Where a mass scan's best limit lies: refined between grid points, the scan's only point, or
/// at an end of the scan (where the limit may go on improving beyond it).
fn where_the_best_lies(curve: &CurveResult, best: &BestPoint) -> String {
    let first = curve.values.iter().copied().fold(f64::INFINITY, f64::min);
    let last = curve
        .values
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let at = |end: f64| (best.refined.mass_mev - end).abs() <= 1e-9 * end;
    if curve.values.len() == 1 {
        "the scan's only point".to_string()
    } else if at(first) || at(last) {
        let (end, side) = if at(first) {
            ("lowest", "below")
        } else {
            ("highest", "above")
        };
        format!("the scan's {end} mass: the limit may be stronger {side} the scan")
    } else {
        format!(
            "refined; best grid point {:.4e} at {:.3} MeV",
            best.grid.epsilon_limit, best.grid_value
        )
    }
}

/// A share of the signal in per cent to one decimal, never rounded to 0% or 100% when it is
/// not: `>99.9%`, `<0.1%`.
fn share_of_signal(fraction: f64) -> String {
    let percent = 100.0 * fraction;
    if percent > 99.95 && percent < 100.0 {
        ">99.9%".to_string()
    } else if percent > 0.0 && percent < 0.05 {
        "<0.1%".to_string()
    } else {
        format!("{percent:.1}%")
    }
}

/// The criterion of a scenario's limits in words, with its background uncertainty.
fn limit_words(scenario: &Scenario) -> String {
    scenario
        .limit
        .description(scenario.background.relative_uncertainty)
}

/// The summary lines of one curve: background, best limit, the point there (and the source
/// when the curves have different sources, the annihilation range when the curves' differ).
fn curve_summary(
    out: &mut String,
    (curve, best, ranges): (&CurveResult, &BestPoint, &[(f64, f64)]),
    first: &CurveResult,
    (shared_source, shared_ranges, shared_limit): (bool, bool, bool),
) {
    let mass_scan = curve.is_mass_scan();
    let b = curve.calculator.background();
    let breakdown = match b.total_override {
        Some(total) => format!("N_b = {total} (set by background.total)"),
        None if b.photon.is_none() && b.neutron.is_none() => "no background estimate".to_string(),
        None => {
            // Two decimals, or four digits where two decimals would print a small count as 0.00.
            let events = |n: f64| {
                if n == 0.0 || n.abs() >= 0.01 {
                    format!("{n:.2}")
                } else {
                    format!("{n:.4e}")
                }
            };
            // The neutron estimate scales a few simulated events: its statistical error is
            // given (the limit takes the estimate as exact unless an uncertainty is set).
            let neutrons = b.neutron.map_or_else(
                || events(0.0),
                |n| {
                    format!(
                        "{} (+- {} statistical, from the simulated events)",
                        events(n.events),
                        crate::units::format_rounded(n.statistical_error, 2)
                    )
                },
            );
            format!(
                "N_b = {} = photons {} + neutrons {neutrons}",
                events(b.total()),
                events(b.photon.map_or(0.0, |p| p.events)),
            )
        }
    };
    let p = &best.refined;
    outln!(out, "curve \"{}\": {breakdown}", curve.label);
    if !shared_source {
        // A scan of a source key changes the source from point to point: the first's.
        let at_first = if first.parameter.starts_with("source.") {
            format!(" (at the first point of the scan of {})", first.parameter)
        } else {
            String::new()
        };
        outln!(
            out,
            "  {}{at_first}",
            describe_source(&curve.calculator.search().setup().source)
        );
        if let Some(line) = background_scaling(curve, first) {
            outln!(out, "  {line}");
        }
    }
    if !shared_limit {
        outln!(out, "  limit: {}", limit_words(curve.calculator.scenario()));
    }
    if mass_scan {
        let unconverged = unconverged_best(best).map_or_else(String::new, |w| format!("; {w}"));
        outln!(
            out,
            "  best eps = {:.4e} at m = {:.3} MeV ({}{unconverged})",
            p.epsilon_limit,
            p.mass_mev,
            where_the_best_lies(curve, best)
        );
    } else {
        // As a mass scan's best: rounded, and flagged at an end of the scan or unconverged.
        let edge = at_an_end_of_the_scan(curve, best)
            .into_iter()
            .chain(unconverged_best(best))
            .fold(String::new(), |edge, words| edge + "; " + words);
        outln!(
            out,
            "  best eps = {:.4e} at {} = {} (m = {} MeV{edge})",
            p.epsilon_limit,
            curve.parameter,
            crate::output::five_digits(best.value),
            format_number(p.mass_mev)
        );
    }
    if p.alpha_d > 0.0 {
        outln!(
            out,
            "  there: alpha_D = {}, m_chi/m_med = {:.4}, y = eps^2 alpha_D (m_chi/m_med)^4 = {:.3e}, annihilation {} of the signal",
            crate::output::five_digits(p.alpha_d),
            p.mchi_over_mmed,
            p.y(),
            share_of_signal(p.annihilation_fraction())
        );
    } else {
        outln!(
            out,
            "  there: the mediator decays to e+ e-, g_ve = eps e = {:.3e} at the limit, annihilation {} of the signal",
            p.g_ve_limit(),
            share_of_signal(p.annihilation_fraction())
        );
    }
    if mass_scan && !shared_ranges {
        outln!(out, "  {}", ranges_text(ranges, curve));
    }
    if let Some(line) = line_shape_text(curve) {
        outln!(out, "  {line}");
    }
    for line in status_lines(curve) {
        outln!(out, "  {line}");
    }
}

/// A line shape's peak and full width at half maximum in words, from the scan's points (the
/// half-maximum crossings interpolated linearly between neighbours), when the curve is a beam's
/// scan of another key than the mass at `model.g_ve` (PADME's line shape); `None` otherwise.
/// A key in GeV is quoted in MeV.
fn line_shape_text(curve: &CurveResult) -> Option<String> {
    if curve.is_mass_scan() {
        return None;
    }
    let per_particle = signal_per_particle(curve)?;
    let x = &curve.values;
    let peak =
        (0..per_particle.len()).max_by(|&i, &j| per_particle[i].total_cmp(&per_particle[j]))?;
    let (scale, unit) = if curve.parameter.ends_with("_gev") {
        (1e3, " MeV")
    } else {
        (1.0, "")
    };
    let short = |v: f64| crate::output::five_digits(v * scale);
    let half = 0.5 * per_particle[peak];
    let crossing = |i: usize, j: usize| {
        x[i] + (half - per_particle[i]) * (x[j] - x[i]) / (per_particle[j] - per_particle[i])
    };
    let below = (0..peak).rev().find(|&i| per_particle[i] < half);
    let above = (peak..per_particle.len()).find(|&i| per_particle[i] < half);
    let width = match (below, above) {
        // Three figures: the crossings are interpolated between points a step apart.
        (Some(b), Some(a)) => format!(
            "full width at half maximum {}{unit}",
            crate::units::format_rounded((crossing(a - 1, a) - crossing(b, b + 1)) * scale, 3)
        ),
        _ => "the line does not fall to half its peak inside the scan".to_string(),
    };
    let particle = match &curve.calculator.search().setup().source {
        Source::Beam(beam) => match beam.particle {
            crate::showers::track_length::Incident::Electron => "electron",
            crate::showers::track_length::Incident::Positron => "positron",
        },
        Source::Collider { .. } => "particle",
    };
    let name = if curve.parameter == "source.beam_energy_gev" {
        "E0"
    } else {
        curve.parameter.as_str()
    };
    // The peak is the highest point: known to half the step around it.
    let step = if peak + 1 < x.len() {
        x[peak + 1] - x[peak]
    } else {
        x[peak] - x[peak.saturating_sub(1)]
    };
    Some(format!(
        "line: peak {:.4e} per {particle} on target at {name} = {}{unit}; {width} (from the scan's points, {}{unit} apart there)",
        per_particle[peak],
        short(x[peak]),
        short(step.abs())
    ))
}

/// The points whose limit is not an ordinary one, in words: closed (no signal possible),
/// `eps >= 1` (no constraint) and unconverged (an integral or table missed its tolerance).
fn status_lines(curve: &CurveResult) -> Vec<String> {
    let (name, unit) = if curve.is_mass_scan() {
        ("m".to_string(), " MeV")
    } else {
        (curve.parameter.clone(), "")
    };
    let short = crate::output::five_digits;
    let mut lines = Vec::new();
    // A visible mediator's closed points keep the tail of its Breit–Wigner in their yields.
    let tail_kept = curve
        .points
        .iter()
        .any(|p| p.status() == LimitStatus::Closed && p.yields.total() > 0.0);
    let closed = if tail_kept {
        "closed (beyond the source's reach: only the tail of the Breit-Wigner, which gives no limit on eps; its yields and signal at g_ve are kept)"
    } else {
        "closed (beyond the source's reach: no signal possible)"
    };
    for (status, what) in [
        (
            LimitStatus::Closed,
            (
                closed,
                "rows kept with status = closed and no limit, not drawn",
            ),
        ),
        (
            LimitStatus::EpsAbove1,
            (
                "no constraint (the limit is eps >= 1)",
                "status = eps-above-1, drawn only up to 1",
            ),
        ),
        (
            LimitStatus::Unconverged,
            (
                "unconverged (an integral or table missed its tolerance)",
                "status = unconverged, drawn as computed: do not quote them",
            ),
        ),
    ] {
        let (what, how) = what;
        let values: Vec<f64> = curve
            .values
            .iter()
            .zip(&curve.points)
            .filter(|(_, p)| p.status() == status)
            .map(|(v, _)| *v)
            .collect();
        if let (Some(lo), Some(hi)) = (values.first(), values.last()) {
            lines.push(format!(
                "{what}: {} point(s), {name} = {}-{}{unit}; {how}",
                values.len(),
                short(*lo),
                short(*hi)
            ));
        }
    }
    lines
}

/// Axis title for a scanned key: the physicist's symbol and unit where we know them.
fn axis_title(key: &str) -> String {
    match key {
        "model.alpha_d" => "α_D".to_string(),
        "model.g_ve" => "g_ve".to_string(),
        "source.energy_spread" => "relative beam energy spread".to_string(),
        "model.mchi_over_mmed" => "m_χ / m_A′".to_string(),
        "source.luminosity_ab" => "integrated luminosity [ab⁻¹]".to_string(),
        "background.total" => "background events N_b".to_string(),
        "target.thickness_x0" => "target thickness [X₀]".to_string(),
        "target.thickness_cm" => "target thickness [cm]".to_string(),
        "source.beam_energy_gev" => "beam energy E₀ [GeV]".to_string(),
        "target.min_energy_loss_fraction" => "smallest energy loss kept, 1 − E′/E".to_string(),
        "source.electron_energy_gev" => "electron beam energy [GeV]".to_string(),
        "source.positron_energy_gev" => "positron beam energy [GeV]".to_string(),
        "source.crossing_angle_mrad" => "crossing angle of the beams [mrad]".to_string(),
        "source.electron_energy_spread" => {
            "relative energy spread of the electron beam".to_string()
        }
        "source.positron_energy_spread" => {
            "relative energy spread of the positron beam".to_string()
        }
        // Any other key as written: its underscores are no subscripts.
        other => plot::literal_label(other),
    }
}

/// How a computed background follows the positron count: per 1e9 positrons, next to the
/// first curve's when this curve has another source [DPT App. F: "94 backgrounds for 6e11
/// positrons, so about 1 for 8e9"].
fn background_scaling(curve: &CurveResult, first: &CurveResult) -> Option<String> {
    let per_billion = |c: &CurveResult| {
        let b = c.calculator.background();
        let n = c.calculator.search().n_incident();
        (b.total_override.is_none() && (b.photon.is_some() || b.neutron.is_some()) && n > 0.0)
            .then(|| 1e9 * b.total() / n)
    };
    let ours = per_billion(curve)?;
    if std::ptr::eq(curve, first) {
        return Some(format!(
            "background per 1e9 selected positrons: {ours:.4} (photons and neutrons scale with their number)"
        ));
    }
    let theirs = per_billion(first)?;
    Some(format!(
        "background per 1e9 selected positrons: {ours:.4} (curve \"{}\": {theirs:.4}); N_b scales with the positron count",
        first.label
    ))
}

/// One line on the incident particles.
pub fn describe_source(source: &Source) -> String {
    match source {
        Source::Collider { spectrum, .. } => format!(
            "{} in the window: {:.4e}  (sigma = {:.4e} pb, E = {:.3}-{:.3} GeV){}",
            if spectrum.selects_electrons() {
                "electrons"
            } else {
                "positrons"
            },
            source.n_incident(),
            spectrum.sigma_cm2() / PICOBARN_CM2,
            spectrum.e_min_gev(),
            spectrum.e_max_gev(),
            match spectrum {
                PositronSpectrum::Bhabha(_) => String::new(),
                PositronSpectrum::RealBeams(b) => {
                    let beams = b.beams();
                    format!(
                        " with {} mrad crossing, energy spread {} (e-) and {} (e+)",
                        format_number(beams.crossing_angle_rad * 1e3),
                        format_number(beams.electron_energy_spread),
                        format_number(beams.positron_energy_spread)
                    )
                }
                PositronSpectrum::Tabulated(t) => match t.statistical_relative_error() {
                    Some(error) => format!(
                        " from {}, sigma +- {}% (statistical)",
                        t.source,
                        crate::units::format_significant(100.0 * error, 2)
                    ),
                    None => format!(" from {}", t.source),
                },
            }
        ),
        Source::Beam(beam) => format!(
            "beam: {} GeV {}s, {} on target, signal efficiency {}",
            format_number(beam.energy_gev),
            match beam.particle {
                crate::showers::track_length::Incident::Electron => "electron",
                crate::showers::track_length::Incident::Positron => "positron",
            },
            crate::units::format_significant(beam.particles_on_target, 5),
            format_number(beam.efficiency)
        ),
    }
}

/// Every number `darksens explain` gives at one mass of a thick-target scenario (first curve).
/// Fields in alphabetical order (the JSON's key order); a field a source kind does not have is
/// left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedPoint {
    /// Beam energy, GeV (beams).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beam_energy_gev: Option<f64>,
    /// How the bremsstrahlung yield is obtained (`bremsstrahlung.method`): `"computed"`,
    /// `"rescaled-limit"` or `"none"`.
    pub brem_method: &'static str,
    /// Whether every integral met `numerics.relative_tolerance` and every table
    /// `numerics.table_tolerance` (as the scan's `converged` column).
    pub converged: bool,
    /// Whether the resonance lies at or below the floor of the radiative tail (the pair
    /// radiating, a mediator lighter than about 0.1 MeV): its radiative return is not computed,
    /// which alone makes the point not converged.
    pub misses_radiative_return: bool,
    /// The curve's label.
    pub curve: String,
    /// Highest energy in the window, GeV (colliders).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e_max_gev: Option<f64>,
    /// Lowest energy in the window, GeV (colliders).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e_min_gev: Option<f64>,
    /// Signal efficiency (beams).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efficiency: Option<f64>,
    /// Expected limit on eps.
    pub epsilon_limit: f64,
    /// Mediator mass, MeV.
    pub mass_mev: f64,
    /// Annihilation events per eps^2 [DPT Eq. 4.4], with the target electrons as
    /// `target.atomic_electrons` says.
    pub n_ann_per_eps2: f64,
    /// Annihilation events per eps^2 with the target electrons at rest, as in [DPT Eq. 4.4],
    /// everything else (radiation, second generation) as the scenario says.
    pub n_ann_at_rest_per_eps2: f64,
    /// Relative integration error of the annihilation yield.
    pub n_ann_relative_error: f64,
    /// The annihilation yield split by layer, when the target has layers in front
    /// (`[[target.layer]]`; only those that count as signal, the target last).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub n_ann_by_layer: Vec<ExplainedLayer>,
    /// Background used for the limit.
    pub n_background: f64,
    /// `background.total` when the scenario sets it (it is then `n_background`, and the
    /// computed parts, if any, are not used); said in the text, not a JSON key of its own.
    #[serde(skip)]
    pub background_total: Option<f64>,
    /// Neutron background events (`null` when not computed).
    pub n_bkg_neutron: Option<f64>,
    /// The neutron background's statistical error: the Poisson error of the simulated events
    /// it is scaled from (the limit takes the estimate as exact unless
    /// `background.relative_uncertainty` is set); `null` when not computed.
    pub n_bkg_neutron_error: Option<f64>,
    /// Photon background events (`null` when not computed).
    pub n_bkg_photon: Option<f64>,
    /// Bremsstrahlung events per eps^2 [DPT Eq. 4.5].
    pub n_brem_per_eps2: f64,
    /// Relative integration error of the bremsstrahlung yield; `None` (JSON `null`) when it is
    /// not integrated (`bremsstrahlung.method = "rescaled-limit"` takes a published limit, with
    /// no error to state; `"none"` computes nothing).
    pub n_brem_relative_error: Option<f64>,
    /// Particles on target (beams).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_incident: Option<f64>,
    /// Positrons entering the target, `L sigma` (colliders selecting the positron).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_positrons: Option<f64>,
    /// Electrons entering the target, `L sigma` (the electron control sample).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_electrons: Option<f64>,
    /// Signal events the criterion needs.
    pub n_required: f64,
    /// At the -2, -1, +1, +2 sigma background quantiles (`poisson-cls` with bands).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_required_bands: Option<[f64; 4]>,
    /// See `n_required_bands`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_required_minus1sigma: Option<f64>,
    /// See `n_required_bands`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_required_minus2sigma: Option<f64>,
    /// See `n_required_bands`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_required_plus1sigma: Option<f64>,
    /// See `n_required_bands`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_required_plus2sigma: Option<f64>,
    /// Photon punch-through probability [DPT Eq. 3.2] (`null` when the photon background is
    /// not computed).
    pub p_photon_punch: Option<f64>,
    /// Bhabha cross section in the window, pb (analytic Bhabha spectra).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma_bhabha_pb: Option<f64>,
    /// Cross section of the selected particles after cuts, pb (colliders).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma_source_pb: Option<f64>,
    /// The source cross section's relative statistical error when a Monte Carlo made it (the
    /// built-in generator, an event file; `null` otherwise): every yield scales with it.
    pub sigma_source_relative_error: Option<f64>,
    /// What the limit says: `ok`, `unconverged` or `eps-above-1` (no constraint).
    pub status: LimitStatus,
    /// Error bound of the tables the yields came from, relative to each table's largest value.
    pub table_error: f64,
    /// A positron beam: its resonance is seen through a spread kernel built for each mass,
    /// whose check counts in `converged` against the beam positron's yield alone, a part of
    /// the annihilation whose error is shown.
    #[serde(skip)]
    pub positron_beam: bool,
    /// `numerics.table_tolerance`: the largest accepted `table_error`.
    pub table_tolerance: f64,
    /// `y = eps^2 alpha_D (m_chi/m)^4` at the limit (an invisible mediator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
    /// `g_ve = eps e` at the limit (a mediator decaying to `e+ e-`, whose `alpha_D` is unused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub g_ve_limit: Option<f64>,
    /// Expected signal events at the coupling `model.g_ve`, when the scenario gives it (the
    /// CSV's `n_signal_at_g_ve`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_signal_at_g_ve: Option<f64>,
    /// The same per particle on target, for a beam (the CSV's `signal_per_pot_at_g_ve`, the
    /// line shape of a beam-energy scan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal_per_pot_at_g_ve: Option<f64>,
}

/// One layer's share of the annihilation yield.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedLayer {
    /// The layer's material.
    pub material: String,
    /// Where it starts, in X0 from the front of the first layer (each layer's own X0).
    pub from_x0: f64,
    /// Where it ends.
    pub to_x0: f64,
    /// Annihilation events per eps^2 in it.
    pub n_ann_per_eps2: f64,
}

impl ExplainedPoint {
    /// The source's rows: a collider's cross section, particles and window, or a beam's.
    fn describe_source(&mut self, search: &ThickTargetSearch) {
        match &search.setup().source {
            Source::Collider { spectrum, .. } => {
                let sigma_pb = spectrum.sigma_cm2() / PICOBARN_CM2;
                self.sigma_source_pb = Some(sigma_pb);
                if let PositronSpectrum::Bhabha(_) | PositronSpectrum::RealBeams(_) = spectrum {
                    self.sigma_bhabha_pb = Some(sigma_pb);
                }
                if spectrum.selects_electrons() {
                    self.n_electrons = Some(search.n_incident());
                } else {
                    self.n_positrons = Some(search.n_incident());
                }
                self.e_min_gev = Some(spectrum.e_min_gev());
                self.e_max_gev = Some(spectrum.e_max_gev());
            }
            Source::Beam(beam) => {
                self.positron_beam = search.setup().incident == Incident::Positron;
                self.beam_energy_gev = Some(beam.energy_gev);
                self.n_incident = Some(beam.particles_on_target);
                self.efficiency = Some(beam.efficiency);
            }
        }
    }

    /// The numbers in reading order, each with its meaning.
    fn rows(&self) -> Vec<(&'static str, f64, &'static str)> {
        let optional = [
            (
                "sigma_source_pb",
                self.sigma_source_pb,
                "cross section of the selected particles after cuts",
            ),
            (
                "sigma_bhabha_pb",
                self.sigma_bhabha_pb,
                "Bhabha cross section in the window [DPT Eq. 2.2]",
            ),
            (
                "n_positrons",
                self.n_positrons,
                "positrons entering the target, L sigma",
            ),
            (
                "n_electrons",
                self.n_electrons,
                "electrons entering the target, L sigma",
            ),
            ("e_min_gev", self.e_min_gev, "lowest energy in the window"),
            ("e_max_gev", self.e_max_gev, "highest energy in the window"),
            ("beam_energy_gev", self.beam_energy_gev, "beam energy"),
            ("n_incident", self.n_incident, "particles on target"),
            ("efficiency", self.efficiency, "signal efficiency"),
        ];
        // The background's parts, where computed.
        let parts = [
            (
                "p_photon_punch",
                self.p_photon_punch,
                "photon punch-through probability [DPT Eq. 3.2]",
            ),
            (
                "n_bkg_photon",
                self.n_bkg_photon,
                "photon background events",
            ),
            (
                "n_bkg_neutron",
                self.n_bkg_neutron,
                "neutron background events",
            ),
            (
                "n_bkg_neutron_error",
                self.n_bkg_neutron_error,
                "its statistical error, from the simulated events it scales (not in the limit unless background.relative_uncertainty is set)",
            ),
        ];
        let background = if self.background_total.is_none() {
            "background used for the limit"
        } else if self.n_bkg_photon.is_some() || self.n_bkg_neutron.is_some() {
            "background used for the limit, set by background.total (not the parts above)"
        } else {
            "background used for the limit, set by background.total"
        };
        let mut rows: Vec<(&str, f64, &str)> = optional
            .into_iter()
            .chain(parts)
            .filter_map(|(k, v, m)| v.map(|v| (k, v, m)))
            .collect();
        rows.extend([
            ("n_background", self.n_background, background),
            (
                "n_ann_per_eps2",
                self.n_ann_per_eps2,
                "annihilation events per eps^2 [DPT Eq. 4.4], electrons per target.atomic_electrons",
            ),
            (
                "n_ann_at_rest_per_eps2",
                self.n_ann_at_rest_per_eps2,
                "the same with the electrons at rest ([DPT]'s target; radiation and beam spread as set)",
            ),
            ("n_brem_per_eps2", self.n_brem_per_eps2, self.brem_meaning()),
            (
                "n_required",
                self.n_required,
                "signal events the criterion needs",
            ),
            ("epsilon_limit", self.epsilon_limit, "expected limit on eps"),
        ]);
        rows.extend(self.coupling_and_band_rows());
        rows
    }

    /// What `n_brem_per_eps2` is, by `bremsstrahlung.method`.
    fn brem_meaning(&self) -> &'static str {
        match self.brem_method {
            "rescaled-limit" => {
                "bremsstrahlung events per eps^2, rescaled from the published limit [DPT Eq. C.1]"
            }
            "none" => {
                "bremsstrahlung events per eps^2: left out (bremsstrahlung.method = \"none\")"
            }
            _ => "bremsstrahlung events per eps^2 [DPT Eq. 4.5]",
        }
    }

    /// The couplings at the limit and at `model.g_ve`, and the expected bands, where they apply.
    fn coupling_and_band_rows(&self) -> Vec<(&'static str, f64, &'static str)> {
        let couplings = [
            ("y", self.y, "y = eps^2 alpha_D (m_chi/m)^4 at the limit"),
            ("g_ve_limit", self.g_ve_limit, "g_ve = eps e at the limit"),
            (
                "n_signal_at_g_ve",
                self.n_signal_at_g_ve,
                "expected signal events at model.g_ve",
            ),
            (
                "signal_per_pot_at_g_ve",
                self.signal_per_pot_at_g_ve,
                "the same per particle on target (the line shape)",
            ),
        ];
        let mut rows: Vec<(&'static str, f64, &'static str)> = couplings
            .into_iter()
            .filter_map(|(k, v, m)| v.map(|v| (k, v, m)))
            .collect();
        if let Some(bands) = self.n_required_bands {
            let names = [
                "n_required_minus2sigma",
                "n_required_minus1sigma",
                "n_required_plus1sigma",
                "n_required_plus2sigma",
            ];
            for (name, n) in names.into_iter().zip(bands) {
                rows.push((
                    name,
                    n,
                    "signal events at a background quantile (expected band)",
                ));
            }
        }
        rows
    }

    /// Aligned text, headed by the scenario's title.
    #[must_use]
    pub fn text(&self, title: &str) -> String {
        let mut out = String::new();
        outln!(
            out,
            "{title} -- curve \"{}\", m = {} MeV",
            self.curve,
            self.mass_mev
        );
        // Six figures: no number here is known better (the error line says how well each
        // is); the JSON form keeps every digit.
        let six = |v: f64| crate::units::format_significant(v, 6);
        for (key, value, meaning) in self.rows() {
            outln!(out, "  {key:<22} {:<24} {meaning}", six(value));
            if key == "n_ann_per_eps2" {
                for layer in &self.n_ann_by_layer {
                    outln!(
                        out,
                        "    {:<20} {:<24} of it, at depth {:.4} to {:.4} X0",
                        format!("in {}", layer.material),
                        six(layer.n_ann_per_eps2),
                        layer.from_x0,
                        layer.to_x0
                    );
                }
            }
        }
        let brem_error = self
            .n_brem_relative_error
            .map_or_else(|| "not integrated".to_string(), relative_error_words);
        outln!(
            out,
            "  errors: annihilation {}, bremsstrahlung {brem_error} (relative: quadrature, and the bound or grid check of what spreads a positron beam's resonance, or of the effective flux, where there is one); tables {:.1e} of their largest value (tolerance {:.0e})",
            relative_error_words(self.n_ann_relative_error),
            self.table_error,
            self.table_tolerance
        );
        if let Some(error) = self.sigma_source_relative_error {
            outln!(
                out,
                "  the source's cross section is a Monte Carlo estimate: {error:.1e} relative (statistical), which every yield carries and eps half of; the spectrum's shape has errors of its own, bin by bin, not included here (larger where few events fall)"
            );
        }
        if !self.converged && self.misses_radiative_return {
            outln!(
                out,
                "  NOT CONVERGED: the resonance, sqrt(s) = m = {} MeV, lies within ten widths of the floor of the pair's radiative tail (sqrt(s) = {} MeV) or below it: the radiative return of the positrons above is not computed, so the annihilation yield is too small and the limit too weak",
                self.mass_mev,
                RADIATIVE_TAIL_FLOOR_GEV * 1e3
            );
        } else if !self.converged {
            outln!(
                out,
                "  NOT CONVERGED: a number above missed its tolerance (numerics.relative_tolerance, numerics.table_tolerance); treat it as approximate"
            );
            if self.positron_beam {
                outln!(
                    out,
                    "  (or the check of the kernel that spreads the positron beam's resonance: the beam positron's yield against the same with the kernel on cells of twice the step, judged against numerics.table_tolerance of that yield alone; the annihilation error above holds the difference, docs/validation.md §17)"
                );
            }
        }
        if self.epsilon_limit == f64::INFINITY {
            outln!(
                out,
                "  CLOSED: every yield is zero here, so no signal is possible and there is no limit (status closed)"
            );
        } else if self.epsilon_limit >= 1.0 {
            outln!(
                out,
                "  NO CONSTRAINT: the limit is eps = {} >= 1, and the kinetic mixing cannot exceed 1 (status eps-above-1); the numbers are shown for diagnosis",
                format_number(self.epsilon_limit)
            );
        }
        out
    }
}

/// The mass `explain` works at: the one asked for, else the scenario's own (a scan of another
/// key fixes it), checked against the range and the source's reach.
fn explained_mass(curve: &Curve, run: &RunSource, mass_mev: Option<f64>) -> Result<f64, Error> {
    let Some(mass_mev) = mass_mev.or(curve.scenario.model.mass_mev) else {
        return Err(ScanError::MassRequired {
            file: run.scenario_file.clone(),
        }
        .into());
    };
    let (lo_mev, hi_mev) = MASS_RANGE_MEV;
    if !(mass_mev.is_finite() && (lo_mev..=hi_mev).contains(&mass_mev)) {
        return Err(ScanError::MassOutOfRange {
            mass_mev,
            lo_mev,
            hi_mev,
            why: MASS_WHY,
        }
        .into());
    }
    let at = || {
        format!(
            "curve \"{}\", m = {} MeV",
            curve.label,
            format_number(mass_mev)
        )
    };
    super::calculator::check_reach(&curve.scenario, mass_mev, &at)?;
    Ok(mass_mev)
}

/// `darksens explain` of `curve` at `mass_mev`.
///
/// # Errors
/// A missing or non-positive mass, or a limit that is not a finite positive number.
pub(super) fn explain(
    curve: &Curve,
    run: &RunSource,
    mass_mev: Option<f64>,
) -> Result<Explanation, Error> {
    let mass_mev = explained_mass(curve, run, mass_mev)?;
    let calculator = Calculator::new(&curve.scenario);
    let point = calculator.point(&curve.label, mass_mev)?;
    let search = calculator.search();
    let background = calculator.background();
    let band = |k: usize| point.n_required_bands.map(|b| b[k]);
    let mut explained = ExplainedPoint {
        beam_energy_gev: None,
        brem_method: match curve.scenario.bremsstrahlung {
            crate::signal::thick_target::BremMethod::Computed => "computed",
            crate::signal::thick_target::BremMethod::RescaledLimit { .. } => "rescaled-limit",
            crate::signal::thick_target::BremMethod::Omitted => "none",
        },
        converged: point.converged,
        misses_radiative_return: search.misses_radiative_return(&calculator.mediator(mass_mev)),
        table_error: search.table_error(),
        positron_beam: false,
        table_tolerance: curve.scenario.numerics.table_tolerance,
        curve: curve.label.clone(),
        e_max_gev: None,
        e_min_gev: None,
        efficiency: None,
        epsilon_limit: point.epsilon_limit,
        mass_mev,
        n_ann_per_eps2: point.yields.annihilation.value,
        n_ann_at_rest_per_eps2: at_rest_annihilation(search, calculator.mediator(mass_mev)),
        n_ann_relative_error: point.yields.annihilation.relative_error(),
        n_ann_by_layer: if search.setup().front_layers.is_empty() {
            Vec::new()
        } else {
            search
                .annihilation_by_layer(&calculator.mediator(mass_mev))
                .into_iter()
                .map(|layer| ExplainedLayer {
                    material: layer.material,
                    from_x0: layer.depth_x0.0,
                    to_x0: layer.depth_x0.1,
                    n_ann_per_eps2: layer.annihilation.value,
                })
                .collect()
        },
        n_background: point.n_background,
        background_total: background.total_override,
        n_bkg_neutron: background.neutron.map(|n| n.events),
        n_bkg_neutron_error: background.neutron.map(|n| n.statistical_error),
        n_bkg_photon: background.photon.map(|p| p.events),
        n_brem_per_eps2: point.yields.bremsstrahlung.value,
        n_brem_relative_error: matches!(
            curve.scenario.bremsstrahlung,
            crate::signal::thick_target::BremMethod::Computed
        )
        .then(|| point.yields.bremsstrahlung.relative_error()),
        n_incident: None,
        n_positrons: None,
        n_electrons: None,
        n_required: point.n_required,
        n_required_bands: point.n_required_bands,
        n_required_minus1sigma: band(1),
        n_required_minus2sigma: band(0),
        n_required_plus1sigma: band(2),
        n_required_plus2sigma: band(3),
        p_photon_punch: background.photon.map(|p| p.punch_through.value),
        sigma_bhabha_pb: None,
        sigma_source_pb: None,
        sigma_source_relative_error: super::calculator::source_statistical_error(&curve.scenario),
        status: LimitStatus::of(point.epsilon_limit, point.converged),
        y: (point.alpha_d > 0.0).then(|| point.y()),
        g_ve_limit: (point.alpha_d <= 0.0).then(|| point.g_ve_limit()),
        n_signal_at_g_ve: point.at_coupling.map(|(events, _)| events),
        signal_per_pot_at_g_ve: point.at_coupling.and_then(|(_, per_particle)| per_particle),
    };
    explained.describe_source(search);
    let mut json = serde_json::to_string_pretty(&explained).unwrap_or_default();
    json.push('\n');
    let below_one_event = matches!(curve.scenario.limit, LimitCriterion::SqrtBackground { .. })
        && point.n_required < 1.0;
    Ok(Explanation {
        text: explained.text(&calculator.scenario().title),
        json,
        warnings: below_one_event
            .then(|| sqrt_nb_below_one_event(&curve.label, point.n_required, point.n_background))
            .into_iter()
            .collect(),
    })
}

/// The annihilation yield per eps^2 of `search` with the target electrons at rest, everything
/// else as set up (a search of its own when the electrons are bound).
fn at_rest_annihilation(
    search: &crate::signal::thick_target::ThickTargetSearch,
    mediator: crate::models::Mediator,
) -> f64 {
    use crate::materials::compton::AtomicElectrons;
    use crate::signal::thick_target::ThickTargetSearch;
    match search.setup().atomic_electrons {
        AtomicElectrons::AtRest => search.yields(mediator).annihilation.value,
        AtomicElectrons::ComptonProfile => {
            let mut setup = search.setup().clone();
            setup.atomic_electrons = AtomicElectrons::AtRest;
            ThickTargetSearch::new(setup, search.resolution())
                .yields(mediator)
                .annihilation
                .value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Curves of different mediators in one plot share a mass axis named for neither.
    #[test]
    fn curves_of_two_mediators_have_a_mediator_axis() {
        let first = |config: &str| {
            crate::scenario::ScenarioDocument::load(std::path::Path::new(config), &[])
                .expect("shipped scenario")
                .curves()
                .expect("curves")
                .remove(0)
                .scenario
        };
        let (dp, scalar) = (
            first("configs/belle2_dp.toml"),
            first("configs/belle2_scalar.toml"),
        );
        let symbol = |scenarios: &[&Scenario]| match plot_frame(scenarios, MASS_KEY, true).x_axis {
            XAxis::MassMev { symbol } => symbol,
            XAxis::Key { .. } => String::new(),
        };
        assert_eq!(symbol(&[&dp]), "A′");
        assert_eq!(symbol(&[&scalar]), "φ");
        assert_eq!(symbol(&[&dp, &scalar]), "med");
    }

    /// A scanned key without a symbol of its own is drawn as written: its underscores are
    /// escaped, not subscripts.
    #[test]
    fn an_axis_without_a_symbol_shows_its_key() {
        assert_eq!(
            axis_title("background.neutron.klm_lambda"),
            "background.neutron.klm\\_lambda"
        );
        assert_eq!(
            axis_title("source.crossing_angle_mrad"),
            "crossing angle of the beams [mrad]"
        );
    }

    /// A fixed count states its background-free level only where the background is zero.
    #[test]
    fn a_fixed_count_with_background_is_not_given_a_confidence_level() {
        let curve = |overrides: &[&str]| {
            let overrides: Vec<_> = overrides
                .iter()
                .map(|o| crate::scenario::Override::parse(o).expect("override"))
                .collect();
            crate::scenario::ScenarioDocument::load(
                std::path::Path::new("configs/na64_dp.toml"),
                &overrides,
            )
            .expect("shipped scenario")
            .curves()
            .expect("curves")
            .remove(0)
            .scenario
        };
        let free = curve(&[]);
        assert!(matches!(free.limit, LimitCriterion::Fixed { .. }));
        assert_eq!(y_title(&[&free]), "ε  (expected 90% CL upper limit)");
        let zero = curve(&["background.total=0"]);
        assert_eq!(y_title(&[&zero]), "ε  (expected 90% CL upper limit)");
        let with_background = curve(&["background.total=0.5"]);
        assert_eq!(
            y_title(&[&with_background]),
            "ε  (expected limit, N_s = 2.3 signal events)"
        );
        assert_eq!(
            y_title(&[&free, &with_background]),
            "ε  (expected upper limits)"
        );
    }

    /// A share rounds to one decimal, but not to 100% or 0% when it is not all or nothing.
    #[test]
    fn a_share_of_the_signal_is_never_rounded_to_all_or_nothing() {
        assert_eq!(share_of_signal(0.99963), ">99.9%");
        assert_eq!(share_of_signal(1.0), "100.0%");
        assert_eq!(share_of_signal(0.999), "99.9%");
        assert_eq!(share_of_signal(0.0002), "<0.1%");
        assert_eq!(share_of_signal(0.0), "0.0%");
        assert_eq!(share_of_signal(0.5), "50.0%");
    }
}
