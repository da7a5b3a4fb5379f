//! The CSV of a scan: one row per curve and point, in scan order.
//!
//! A mass scan has the core columns [`HEADER`]. A scan of another key puts a column named after
//! the key (e.g. `model.alpha_d`) right after `curve` and keeps every core column.

use crate::error::Error;
use crate::limits::scan::CurveResult;
use crate::output::format_number;

/// CSV header of a mass scan (the interface; units in the names).
/// `converged` is `true` when every integral met `numerics.relative_tolerance` and every table
/// `numerics.table_tolerance`.
pub const HEADER: [&str; 8] = [
    "curve",
    "mass_mev",
    "epsilon_limit",
    "n_ann_per_eps2",
    "n_brem_per_eps2",
    "n_background",
    "n_required",
    "converged",
];

/// Columns of the expected bands (`limit.bands = true`), after the core columns.
pub const BAND_COLUMNS: [&str; 4] = [
    "epsilon_limit_minus2sigma",
    "epsilon_limit_minus1sigma",
    "epsilon_limit_plus1sigma",
    "epsilon_limit_plus2sigma",
];

/// Column names for a scan of `parameter`.
#[must_use]
pub fn header(parameter: &str, mass_scan: bool, bands: bool) -> Vec<String> {
    let mut names: Vec<String> = HEADER.iter().map(|s| (*s).to_string()).collect();
    if !mass_scan {
        names.insert(1, parameter.to_string());
    }
    if bands {
        names.extend(BAND_COLUMNS.iter().map(|s| (*s).to_string()));
    }
    names
}

/// Renders the scan as CSV text. Numbers are written shortest-round-trip.
///
/// # Errors
/// [`Error::Numerical`] if any number is not finite (naming the curve and point).
pub fn render(curves: &[CurveResult]) -> Result<Vec<u8>, Error> {
    let csv_error = |e: ::csv::Error| Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    };
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let Some(first) = curves.first() else {
        return Ok(Vec::new());
    };
    let mass_scan = first.is_mass_scan();
    let bands = curves
        .iter()
        .any(|c| c.points.iter().any(|p| p.epsilon_bands.is_some()));
    let names = header(&first.parameter, mass_scan, bands);
    writer.write_record(&names).map_err(csv_error)?;
    for curve in curves {
        for (value, p) in curve.values.iter().zip(&curve.points) {
            let mut numbers = vec![
                p.mass_mev,
                p.epsilon_limit,
                p.yields.annihilation.value,
                p.yields.bremsstrahlung.value,
                p.n_background,
                p.n_required,
            ];
            if !mass_scan {
                numbers.insert(0, *value);
            }
            let core = numbers.len();
            if let Some(band) = p.epsilon_bands {
                numbers.extend(band);
            }
            if let Some((k, bad)) = numbers.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                // Band columns come after the `converged` column.
                let column = if k < core { k + 1 } else { k + 2 };
                return Err(Error::Numerical {
                    point: format!("curve \"{}\", {} = {value}", curve.label, curve.parameter),
                    message: format!("{} is {bad}; nothing was written", names[column]),
                });
            }
            let mut record = vec![curve.label.clone()];
            record.extend(numbers[..core].iter().map(|v| format_number(*v)));
            record.push(p.converged.to_string());
            record.extend(numbers[core..].iter().map(|v| format_number(*v)));
            // Curves without bands leave the band columns empty.
            record.resize(names.len(), String::new());
            writer.write_record(&record).map_err(csv_error)?;
        }
    }
    writer.into_inner().map_err(|e| Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    })
}
