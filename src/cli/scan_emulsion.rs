//! `darksens scan` of an emulsion scenario: the signal on a grid of two keys [EMU Figs. 14-16],
//! the excluded region's boundary, a plot with the region filled, and a sidecar.

use super::scan::redirect;
use darksens::error::Error;
use darksens::models::r_ratio::RRatio;
use darksens::output::plot::{LimitPlot, Region, XAxis};
use darksens::output::{check_writable, format_number, plot, write_all_atomically};
use darksens::pipeline::emulsion::{GridColumn, GridResult, scan_grid};
use darksens::scenario::ScenarioDocument;
use darksens::scenario::emulsion::{EmulsionScan, EmulsionScenario, GridParameter};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Runs the grid and writes `<csv>`, `<stem>.boundary.csv`, `<png>` (and `<svg>`) and
/// `<stem>.meta.json`.
pub fn run(
    document: &ScenarioDocument,
    out: Option<&Path>,
    quiet: bool,
    bar: &dyn Fn(u64) -> indicatif::ProgressBar,
) -> Result<(), Error> {
    let scenario = document.emulsion()?;
    let Some(scan) = &scenario.scan else {
        return Err(Error::Usage(format!(
            "{}: an emulsion scenario needs [scan] with x and y to be scanned, e.g.\n  [scan]\n  x = {{ parameter = \"model.g_d\", log_range = [1e-3, 1.0], points = 61 }}\n  y = {{ parameter = \"model.epsilon\", log_range = [1e-6, 1e-2], points = 81 }}\n  (darksens explain prints its single model point)",
            document.path().display()
        )));
    };
    let csv_path = redirect(&scenario.output.csv, out);
    let stem = csv_path
        .file_stem()
        .map_or_else(|| "scan".to_string(), |s| s.to_string_lossy().into_owned());
    let boundary_path = csv_path.with_file_name(format!("{stem}.boundary.csv"));
    let meta_path = csv_path.with_file_name(format!("{stem}.meta.json"));
    let png_path = redirect(&scenario.output.png, out);
    let svg_path = scenario.output.svg.as_ref().map(|p| redirect(p, out));
    for path in [&csv_path, &boundary_path, &meta_path, &png_path]
        .into_iter()
        .chain(svg_path.as_ref())
    {
        check_writable(path)?;
    }
    let started = Instant::now();
    let columns = scan.x.values.len() as u64;
    let progress = bar(columns);
    let result = scan_grid(&scenario, &RRatio::pdg(), &|done, _| {
        progress.set_position(done as u64);
    })?;
    progress.finish_and_clear();
    let wall_time_s = started.elapsed().as_secs_f64();
    let grid_csv = grid_csv(&scenario, &result)?;
    let boundary_csv = boundary_csv(&scenario, &result)?;
    let plot = plot_of(&scenario, scan, &result);
    let png = plot::render_png(&plot)?;
    let svg = svg_path
        .as_ref()
        .map(|_| plot::render_svg(&plot))
        .transpose()?;
    let mut outputs: Vec<&PathBuf> = vec![&csv_path, &boundary_path, &png_path];
    outputs.extend(svg_path.as_ref());
    outputs.push(&meta_path);
    let meta = sidecar(document, &scenario, &outputs, wall_time_s);
    let mut files: Vec<(&Path, &[u8])> = vec![
        (&csv_path, &grid_csv),
        (&boundary_path, &boundary_csv),
        (&png_path, &png),
        (&meta_path, &meta),
    ];
    if let (Some(path), Some(bytes)) = (&svg_path, &svg) {
        files.push((path, bytes));
    }
    write_all_atomically(&files, &|| Ok(()))?;
    if !quiet {
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
            outln!(
                text,
                "excluded {}: {lo:.4e} to {hi:.4e} (boundaries to the grid's resolution in {})",
                scan.y.parameter.column(),
                scan.x.parameter.column()
            );
        }
        let closed = result.columns.iter().filter(|c| !c.open).count();
        if closed > 0 {
            outln!(
                text,
                "{closed} column(s) kinematically closed (no signal): the masses do not allow the production"
            );
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
        super::emit(&text);
    }
    Ok(())
}

/// The bytes of a finished CSV.
fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, Error> {
    writer.into_inner().map_err(|e| Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    })
}

fn csv_error(e: csv::Error) -> Error {
    Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
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
            let total: f64 = n.iter().sum();
            let mut record = vec![format_number(column.x), format_number(*y)];
            record.extend(n.iter().map(|v| format_number(*v)));
            record.push(format_number(total));
            record.push(format_number(*d));
            record.push((total >= scenario.n_signal).to_string());
            if babar {
                record.push(by_babar.to_string());
            }
            writer.write_record(&record).map_err(csv_error)?;
        }
    }
    finish(writer)
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
        for column in &result.columns {
            for (lo, hi) in pick(column) {
                writer
                    .write_record([
                        region.to_string(),
                        format_number(column.x),
                        format_number(*lo),
                        format_number(*hi),
                    ])
                    .map_err(csv_error)?;
            }
        }
    }
    finish(writer)
}

/// The regions of one kind of interval: for each run of neighbouring columns with an interval,
/// the outermost lower ends left to right, then the upper ends right to left (one legend entry).
fn outlines(
    result: &GridResult,
    pick: impl Fn(&GridColumn) -> &Vec<(f64, f64)>,
    label: &str,
    published: bool,
) -> Vec<Region> {
    let mut regions = Vec::new();
    let mut run: Vec<(f64, f64, f64)> = Vec::new();
    let mut flush = |run: &mut Vec<(f64, f64, f64)>| {
        if !run.is_empty() {
            let mut outline: Vec<(f64, f64)> = run.iter().map(|p| (p.0, p.1)).collect();
            outline.extend(run.iter().rev().map(|p| (p.0, p.2)));
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
    for column in &result.columns {
        match pick(column)
            .iter()
            .copied()
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        {
            Some((lo, hi)) => run.push((column.x, lo, hi)),
            None => flush(&mut run),
        }
    }
    flush(&mut run);
    regions
}

/// Axis title of a grid key, with its unit.
fn axis_title(parameter: GridParameter) -> String {
    match parameter {
        GridParameter::Epsilon => "ε".into(),
        GridParameter::GD => "g_D".into(),
        GridParameter::MAprime => "m_A′ [GeV]".into(),
        GridParameter::M1 => "m₁ [GeV]".into(),
        GridParameter::M2 => "m₂ [GeV]".into(),
        GridParameter::SplittingOverM2 => "(m₁ − m₂)/m₂".into(),
    }
}

/// The excluded region: the lower boundary left to right, then the upper right to left, for
/// each run of neighbouring columns with an excluded interval (the outermost ends).
fn plot_of(scenario: &EmulsionScenario, scan: &EmulsionScan, result: &GridResult) -> LimitPlot {
    let label = format!(
        "excluded, N_sig ≥ {} (90% CL, no background)",
        scenario.n_signal
    );
    let mut regions = outlines(result, |c| &c.excluded, &label, false);
    regions.extend(outlines(
        result,
        |c| &c.babar_excluded,
        "excluded by BaBar (EMU Eq. 22-23)",
        true,
    ));
    let (x, y) = (&scan.x, &scan.y);
    let m = &scenario.model;
    let mut fixed = vec![format!("√s = {} GeV", scenario.setup.sqrt_s_gev)];
    fixed.push(format!("{} ab⁻¹", format_number(scenario.luminosity_ab)));
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
    fixed.push(
        scenario
            .setup
            .detectors
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
    );
    let corners = [
        (x.values[0], y.values[0]),
        (x.values[x.values.len() - 1], y.values[y.values.len() - 1]),
    ];
    LimitPlot {
        regions,
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
        series: Vec::new(),
    }
}

/// The sidecar: version, scenario file, overrides, the resolved scenario's numbers, Monte Carlo
/// settings, threads, wall time, outputs.
fn sidecar(
    document: &ScenarioDocument,
    scenario: &EmulsionScenario,
    outputs: &[&PathBuf],
    wall_time_s: f64,
) -> Vec<u8> {
    let value = serde_json::json!({
        "darksens_version": darksens::output::sidecar::VERSION,
        "scenario_file": document.path().display().to_string(),
        "overrides": document.overrides().iter().map(|o| o.text.clone()).collect::<Vec<_>>(),
        "resolved_scenario": toml::Value::Table(document.resolved_table().clone()),
        "off_shell_normalisation": scenario.setup.normalisation,
        "r_ratio": "PDG 2012 compilation below 2 GeV (data/r_ratio), one-loop QCD above",
        "threads": rayon::current_num_threads(),
        "wall_time_s": wall_time_s,
        "outputs": outputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    });
    let mut bytes = serde_json::to_vec_pretty(&value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
