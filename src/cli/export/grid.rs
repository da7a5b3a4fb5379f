//! An emulsion scan's grid as HEPData tables: the expected signal events on the grid (a table
//! with two independent variables), and the excluded region as the lower and upper edge of
//! each excluded interval of a column (from the `.boundary.csv` that `darksens scan` writes
//! beside the grid).

use darksens::error::Error;
use darksens::output::hepdata::{Dependent, Independent, Table};
use darksens::units::format_number;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Whether the CSV at `path` is the grid of an emulsion scan (it has `n_signal_total`).
///
/// # Errors
/// A file that cannot be read as CSV.
pub(super) fn is_grid(path: &Path) -> Result<bool, Error> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| unreadable(path, &e))?;
    let header = reader.headers().map_err(|e| unreadable(path, &e))?;
    if header.get(0) == Some("region") {
        return Err(Error::Usage(format!(
            "{}: is the boundary of an emulsion grid; export the grid's CSV beside it (its excluded region comes along)",
            path.display()
        )));
    }
    Ok(header.iter().any(|h| h == "n_signal_total"))
}

fn unreadable(path: &Path, e: &csv::Error) -> Error {
    Error::Usage(format!("{}: cannot read the results: {e}", path.display()))
}

/// The HEPData name and units of a grid column (a scan key).
fn variable(column: &str) -> (String, &'static str) {
    let (name, units) = match column {
        "epsilon" => ("$\\epsilon$", ""),
        "g_d" => ("$g_D$", ""),
        "m_aprime_gev" => ("$m_{A'}$", "GeV"),
        "m1_gev" => ("$m_1$", "GeV"),
        "m2_gev" => ("$m_2$", "GeV"),
        "splitting_over_m2" => ("$(m_1-m_2)/m_2$", ""),
        "detector_distance_m" => ("distance of the box from the interaction point", "m"),
        "detector_offset_m" => ("offset of the box from the beam axis", "m"),
        "detector_polar_angle_deg" => ("polar angle of the box from the electron beam", "deg"),
        other => (other, ""),
    };
    (name.to_string(), units)
}

/// The columns of a CSV by header name, every cell a number (`true`/`false` read as 1/0).
struct Columns {
    header: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Columns {
    fn read(path: &Path) -> Result<Self, Error> {
        let fail = |message: String| Error::Usage(format!("{}: {message}", path.display()));
        let mut reader = csv::Reader::from_path(path).map_err(|e| unreadable(path, &e))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| unreadable(path, &e))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| unreadable(path, &e))?;
            let row = record
                .iter()
                .zip(&header)
                .map(|(cell, name)| match cell {
                    "true" => Ok(1.0),
                    "false" => Ok(0.0),
                    // The region's name in a boundary file.
                    _ if name == "region" => Ok(f64::from(u8::from(cell == "signal"))),
                    _ => cell
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| {
                            fail(format!(
                                "line {}, column '{name}': '{cell}' is not a finite number",
                                i + 2
                            ))
                        }),
                })
                .collect::<Result<Vec<f64>, Error>>()?;
            rows.push(row);
        }
        Ok(Self { header, rows })
    }

    /// An emulsion grid: the two scanned keys, then the expected signal and the rest.
    fn read_grid(path: &Path) -> Result<Self, Error> {
        let grid = Self::read(path)?;
        let is_signal = |column: &String| column.starts_with("n_signal_");
        if grid.header.len() < 3 || grid.header[..2].iter().any(is_signal) {
            return Err(Error::Usage(format!(
                "{}: is not an emulsion grid as `darksens scan` writes it: its first two columns are the scanned keys, then the expected signal (`n_signal_total`, ...); the header here is '{}'",
                path.display(),
                grid.header.join(",")
            )));
        }
        Ok(grid)
    }

    /// The boundary file beside a grid: the region, then three edge columns.
    fn read_boundary(path: &Path) -> Result<Self, Error> {
        let edges = Self::read(path)?;
        if edges.header.len() != 4 {
            return Err(Error::Usage(format!(
                "{}: is not the boundary file `darksens scan` writes beside a grid (region and three edge columns); the header here is '{}'",
                path.display(),
                edges.header.join(",")
            )));
        }
        Ok(edges)
    }

    fn values(&self, column: usize) -> Vec<f64> {
        self.rows.iter().map(|r| r[column]).collect()
    }
}

/// The tables of one emulsion grid: its signal, and its excluded region when the boundary file
/// is beside it. `file_name(k)` names the `k`-th table's data file (from 1).
///
/// # Errors
/// A grid or boundary file that does not read.
pub(super) fn tables(
    path: &Path,
    meta: Option<&Value>,
    file_name: &dyn Fn(usize) -> String,
    file: Option<&str>,
) -> Result<Vec<Table>, Error> {
    let grid = Columns::read_grid(path)?;
    let resolved = meta.map(|m| &m["resolved_scenario"]);
    let at = |path: &[&str]| {
        path.iter()
            .try_fold(resolved?, |v, k| v.get(*k))
            .filter(|v| !v.is_null())
    };
    let title = at(&["title"])
        .and_then(Value::as_str)
        .unwrap_or("darksens emulsion scan");
    let n_signal = at(&["limit", "n_signal"]).and_then(Value::as_f64);
    let (x, y) = (grid.header[0].clone(), grid.header[1].clone());
    let qualifiers = qualifiers(&at, [&x, &y], title, n_signal);
    let independent = |column: usize, values| {
        let (name, units) = variable(&grid.header[column]);
        Independent {
            name,
            units: units.to_string(),
            values,
        }
    };
    let dependents = grid
        .header
        .iter()
        .enumerate()
        .filter_map(|(k, h)| {
            let name = match h.strip_prefix("n_signal_")? {
                "total" => "expected signal events (all boxes)".to_string(),
                box_name => format!("expected signal events (box {box_name})"),
            };
            Some(Dependent {
                name,
                units: String::new(),
                qualifiers: qualifiers.clone(),
                values: grid.values(k),
            })
        })
        .collect();
    let (x_name, y_name) = (variable(&x).0, variable(&y).0);
    let mut tables = vec![Table {
        name: super::table_name("Signal events", file),
        description: format!(
            "{title}: expected signal events (decays of the heavier dark state seen in the emulsion boxes) on the grid of {x_name} and {y_name}. Computed with darksens (Monte Carlo acceptances, no background)."
        ),
        data_file: file_name(1),
        independents: vec![
            independent(0, grid.values(0)),
            independent(1, grid.values(1)),
        ],
        dependents,
        keywords: keywords("N"),
    }];
    let boundary = boundary_file(path);
    if boundary.exists() {
        let edges = Columns::read_boundary(&boundary)?;
        let signal: Vec<&Vec<f64>> = edges.rows.iter().filter(|r| r[0] == 1.0).collect();
        if signal.is_empty() {
            println!(
                "{}: no excluded region in the scanned range (no table of it)",
                boundary.display()
            );
        } else {
            let (y_units, at_least) = (
                variable(&y).1.to_string(),
                n_signal.map_or_else(String::new, |n| format!(" at least {}", format_number(n))),
            );
            // The region the search would exclude if it saw nothing: an expected sensitivity,
            // named so (an importer then draws it as a projection), at the level at which no
            // event excludes n_signal (1 - e^-n: 90% for the default 2.3).
            let level = n_signal.map_or_else(
                || "90".to_string(),
                darksens::limits::LimitCriterion::background_free_percent,
            );
            let mut edge_qualifiers = vec![("CL".to_string(), format!("{level}%"))];
            edge_qualifiers.extend(qualifiers.iter().cloned());
            let edge = |j: usize, which: &str| Dependent {
                name: format!("{y_name} ({which} edge of the expected sensitivity region)"),
                units: y_units.clone(),
                qualifiers: edge_qualifiers.clone(),
                values: signal.iter().map(|r| r[j]).collect(),
            };
            tables.push(Table {
                name: super::table_name("Expected sensitivity region", file),
                description: format!(
                    "{title}: the expected sensitivity, the region where{at_least} signal events are expected (what the search would exclude at {level}% CL if it saw no event; no background assumed), as the lower and upper edge in {y_name} of each excluded interval at a value of {x_name} (a value repeats when a column has several intervals). Edges are bisected between grid points; an edge at the end of the scanned range means the region goes on beyond it; a point with equal edges between two grid values is where the region closes (its tip, bisected). Computed with darksens."
                ),
                data_file: file_name(2),
                independents: vec![independent(0, signal.iter().map(|r| r[1]).collect())],
                dependents: vec![edge(2, "lower"), edge(3, "upper")],
                keywords: keywords(&y.to_uppercase()),
            });
        }
    } else {
        eprintln!(
            "warning: {} is missing: the submission has the signal grid but not the excluded region",
            boundary.display()
        );
    }
    Ok(tables)
}

/// The boundary file `darksens scan` writes beside the grid `<stem>.csv`.
fn boundary_file(grid: &Path) -> PathBuf {
    grid.with_extension("boundary.csv")
}

/// The model and run parameters the grid holds fixed, as qualifiers.
fn qualifiers<'a>(
    at: &dyn Fn(&[&str]) -> Option<&'a Value>,
    scanned: [&String; 2],
    title: &str,
    n_signal: Option<f64>,
) -> Vec<(String, String)> {
    let mut qualifiers = Vec::new();
    for key in ["m_aprime_gev", "m1_gev", "m2_gev", "epsilon", "g_d"] {
        // m1 = m2 (1 + splitting) varies along a splitting axis: no fixed value to give.
        let varies = |column: &str| scanned.iter().any(|s| s.as_str() == column);
        if varies(key) || (key == "m1_gev" && varies("splitting_over_m2")) {
            continue;
        }
        if let Some(v) = at(&["model", key]).and_then(Value::as_f64) {
            let (name, units) = variable(key);
            let units = if units.is_empty() {
                String::new()
            } else {
                format!(" [{units}]")
            };
            qualifiers.push((format!("{name}{units}"), format_number(v)));
        }
    }
    if let Some(production) = at(&["model", "production"]).and_then(Value::as_str) {
        qualifiers.push(("$A'$ production".to_string(), production.to_string()));
    }
    for (name, path) in [
        ("$\\sqrt{s}$ [GeV]", ["source", "sqrt_s_gev"]),
        ("luminosity [ab$^{-1}$]", ["source", "luminosity_ab"]),
    ] {
        if let Some(v) = at(&path).and_then(Value::as_f64) {
            qualifiers.push((name.to_string(), format_number(v)));
        }
    }
    if let Some(n) = n_signal {
        qualifiers.push(("signal events for exclusion".to_string(), format_number(n)));
    }
    qualifiers.push(("scenario".to_string(), title.to_string()));
    qualifiers
}

fn keywords(observable: &str) -> Vec<(String, Vec<String>)> {
    vec![
        ("observables".to_string(), vec![observable.to_string()]),
        (
            "phrases".to_string(),
            vec![
                "Inelastic dark matter".to_string(),
                "Emulsion detector".to_string(),
                "Expected sensitivity".to_string(),
            ],
        ),
    ]
}
