//! The native module of the `darksens` Python package: the library's scan, explain, scenario
//! check and limit library, called exactly as the command line calls them, with results handed
//! to Python as JSON (every `f64` written in its shortest exact form, so the numbers are the
//! CLI's bit for bit). The Python layer (`python/darksens/__init__.py`) turns them into
//! arrays and objects.

use darksens::error::Error;
use darksens::pipeline::emulsion::Emulsion;
use darksens::pipeline::thick_target::{
    best_limit, best_point_note, run_scan_until, scan_record, scan_warnings,
};
use darksens::pipeline::{Driver, Monitor, RunSource, compute_all};
use darksens::published::library::{find_curve, library_dirs};
use darksens::scenario::{Override, ScenarioDocument, Search};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

create_exception!(
    _darksens,
    ScenarioError,
    PyValueError,
    "Bad input: a scenario, an override or a file it names (the command line's exit code 2)."
);

/// A darksens error as the Python exception of its kind: bad input as `ScenarioError`, the
/// rest as `RuntimeError`, with the command line's message.
fn to_python(error: &Error) -> PyErr {
    if error.exit_code() == 2 {
        ScenarioError::new_err(error.to_string())
    } else {
        PyRuntimeError::new_err(error.to_string())
    }
}

/// The scenario at `path` with the `KEY=VALUE` overrides.
fn document(path: &str, overrides: &[String]) -> Result<ScenarioDocument, Error> {
    let overrides = overrides
        .iter()
        .map(|o| Override::parse(o))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ScenarioDocument::load(Path::new(path), &overrides)?)
}

/// Runs `work` on its own thread with the GIL released, checking for Python signals (Ctrl-C)
/// every 50 ms: an interrupt sets the stop flag the scan checks between points, waits for it to
/// stop, and raises `KeyboardInterrupt`.
fn interruptible<T: Send + 'static>(
    py: Python<'_>,
    work: impl FnOnce(Arc<AtomicUsize>) -> Result<T, Error> + Send + 'static,
) -> PyResult<T> {
    let stop = Arc::new(AtomicUsize::new(0));
    let handle = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || work(stop))
    };
    loop {
        py.allow_threads(|| std::thread::sleep(Duration::from_millis(50)));
        if handle.is_finished() {
            break;
        }
        if let Err(interrupt) = py.check_signals() {
            stop.store(2, Ordering::Relaxed);
            let _ = py.allow_threads(|| handle.join());
            return Err(interrupt);
        }
    }
    match handle.join() {
        Ok(result) => result.map_err(|e| to_python(&e)),
        Err(_) => Err(PyRuntimeError::new_err(
            "the scan panicked (a darksens bug)",
        )),
    }
}

/// Scans a scenario. A thick-target scan gives a JSON document with each curve's label,
/// scanned key, values, limits, bands, statuses and refined best point; an emulsion scan, its
/// grid ([`emulsion_grid`]).
#[pyfunction]
#[pyo3(signature = (path, overrides, threads=None))]
fn scan(
    py: Python<'_>,
    path: String,
    overrides: Vec<String>,
    threads: Option<usize>,
) -> PyResult<String> {
    interruptible(py, move |stop| {
        let started = std::time::Instant::now();
        let document = document(&path, &overrides)?;
        let mut warnings = document.warnings();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.unwrap_or(0))
            .build()
            .map_err(|e| Error::Usage(format!("threads: {e}")))?;
        let curves = match document.search()? {
            Search::ThickTarget(curves) => curves,
            Search::Emulsion(scenario) => {
                let grid = Emulsion::new(*scenario, RunSource::of(&document));
                return pool.install(|| emulsion_grid(&grid, &stop, warnings, started));
            }
        };
        let title = curves
            .first()
            .map(|c| c.scenario.title.clone())
            .unwrap_or_default();
        pool.install(|| {
            let results = run_scan_until(&curves, Some(&stop))?;
            warnings.extend(scan_warnings(&curves, &results));
            let records = results
                .iter()
                .map(|c| {
                    let best = best_limit(c)?;
                    Ok(json!({
                        "label": c.label,
                        "parameter": c.parameter,
                        "values": c.values,
                        "mass_mev": c.points.iter().map(|p| p.mass_mev).collect::<Vec<_>>(),
                        "epsilon_limit": c.points.iter().map(|p| finite(p.epsilon_limit)).collect::<Vec<_>>(),
                        "epsilon_bands": c.points.iter().map(|p| p.epsilon_bands.map(|b| b.map(finite))).collect::<Vec<_>>(),
                        "status": c.points.iter().map(|p| p.status().name()).collect::<Vec<_>>(),
                        "n_ann_per_eps2": c.points.iter().map(|p| finite(p.yields.annihilation.value)).collect::<Vec<_>>(),
                        "n_brem_per_eps2": c.points.iter().map(|p| finite(p.yields.bremsstrahlung.value)).collect::<Vec<_>>(),
                        "n_background": c.points.iter().map(|p| finite(p.n_background)).collect::<Vec<_>>(),
                        "n_required": c.points.iter().map(|p| finite(p.n_required)).collect::<Vec<_>>(),
                        "n_signal_at_g_ve": c.points.iter().map(|p| p.at_coupling.map(|(n, _)| finite(n))).collect::<Vec<_>>(),
                        "signal_per_pot_at_g_ve": c.points.iter().map(|p| p.at_coupling.and_then(|(_, per)| per).map(finite)).collect::<Vec<_>>(),
                        "best": [best.value, best.refined.epsilon_limit],
                        "best_note": best_point_note(c, &best),
                    }))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let meta = scan_record(
                &curves,
                &RunSource::of(&document),
                &results,
                started.elapsed().as_secs_f64(),
            );
            Ok(json!({ "title": title, "curves": records, "warnings": warnings, "meta": meta }).to_string())
        })
    })
}

/// The grid of an emulsion scenario, computed unit by unit as `darksens scan` does: a JSON
/// document with the scanned keys and values, the detectors, and per column its acceptances,
/// the signal of every cell and the excluded intervals, and the region's tips between columns.
fn emulsion_grid(
    grid: &Emulsion,
    stop: &AtomicUsize,
    warnings: Vec<String>,
    started: std::time::Instant,
) -> Result<String, Error> {
    let units = grid.units()?;
    let monitor = Monitor {
        stop: Some(stop),
        ..Monitor::default()
    };
    let result = grid.result(&compute_all(grid, &units, &monitor)?)?;
    let scenario = grid.scenario();
    let scan = scenario
        .scan
        .as_ref()
        .ok_or_else(|| Error::Usage("the emulsion scenario has no [scan]".into()))?;
    let columns: Vec<_> = result
        .columns
        .iter()
        .map(|c| {
            json!({
                "x": c.x,
                "open": c.open,
                "acceptance": c.acceptance.iter().map(|a| a.value).collect::<Vec<_>>(),
                "acceptance_error": c.acceptance.iter().map(|a| a.error).collect::<Vec<_>>(),
                "n_signal": c.n_signal,
                "flight_length_m": c.flight_length_m,
                "excluded": c.excluded,
                "babar_excluded": c.babar_excluded,
            })
        })
        .collect();
    Ok(json!({
        "kind": "emulsion",
        "title": scenario.title,
        "x_parameter": scan.x.parameter.column(),
        "y_parameter": scan.y.parameter.column(),
        "x_key": scan.x.parameter.key(),
        "y_key": scan.y.parameter.key(),
        "y_values": result.y_values,
        "detectors": result.detectors,
        "n_signal_required": scenario.n_signal,
        "columns": columns,
        "tips": result.tips.iter().map(|t| [t.x, t.y]).collect::<Vec<_>>(),
        "warnings": warnings,
        "meta": grid.record(&result, started.elapsed().as_secs_f64())?,
    })
    .to_string())
}

/// `None` for an infinite limit (a closed point), the number otherwise.
fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// Every intermediate number at one mass (the keys of `darksens explain --json`).
#[pyfunction]
#[pyo3(signature = (path, overrides, mass_mev=None, curve=None))]
fn explain(
    py: Python<'_>,
    path: String,
    overrides: Vec<String>,
    mass_mev: Option<f64>,
    curve: Option<String>,
) -> PyResult<(String, Vec<String>)> {
    interruptible(py, move |_| {
        let document = document(&path, &overrides)?;
        let explanation =
            darksens::pipeline::driver(&document)?.explain(mass_mev, curve.as_deref())?;
        Ok((explanation.json, explanation.warnings))
    })
}

/// Checks a scenario with its overrides (nothing computed): `ScenarioError` when it does not
/// validate.
#[pyfunction]
fn check(path: &str, overrides: Vec<String>) -> PyResult<()> {
    document(path, &overrides)
        .and_then(|d| d.search().map(drop).map_err(Error::from))
        .map_err(|e| to_python(&e))
}

/// The warnings the command line prints about a scenario and its overrides before it computes
/// anything (an override a curve's own `set` replaces, one no limit method reads, ...), each a
/// line starting `warning: `.
#[pyfunction]
fn warnings(path: &str, overrides: Vec<String>) -> PyResult<Vec<String>> {
    document(path, &overrides)
        .map(|d| d.warnings())
        .map_err(|e| to_python(&e))
}

/// A curve of the limit library as eps against the mediator mass, with its provenance.
#[pyfunction]
fn load_limit(name: &str) -> PyResult<String> {
    let curve = find_curve(&library_dirs(None), name).map_err(|e| to_python(&Error::from(e)))?;
    // In pieces: a curve with missing values has none (and excludes nothing) between two.
    let (pieces, closed) = curve.epsilon_limit().pieces();
    let pieces: Vec<_> = pieces
        .iter()
        .map(|points| {
            json!({
                "mass_gev": points.iter().map(|p| p.0).collect::<Vec<_>>(),
                "epsilon": points.iter().map(|p| p.1).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(json!({
        "name": curve.name,
        "pieces": pieces,
        "closed": closed,
        "provenance": serde_json::to_value(&curve.meta).unwrap_or_default(),
    })
    .to_string())
}

/// The darksens version.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _darksens(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(warnings, m)?)?;
    m.add_function(wrap_pyfunction!(load_limit, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
