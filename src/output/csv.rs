//! The CSV of a scan: one row per curve and point, in scan order.
//!
//! A mass scan has the core columns [`HEADER`]. A scan of another key puts a column named after
//! the key (e.g. `model.alpha_d`) right after `curve` and keeps every core column.

use crate::error::Error;
use crate::limits::scan::CurveResult;
use crate::output::format_number;

/// CSV header of a mass scan (the interface; units in the names).
pub const HEADER: [&str; 7] = [
    "curve",
    "mass_mev",
    "epsilon_limit",
    "n_ann_per_eps2",
    "n_brem_per_eps2",
    "n_background",
    "n_required",
];

/// Column names for a scan of `parameter`.
#[must_use]
pub fn header(parameter: &str, mass_scan: bool) -> Vec<String> {
    let mut names: Vec<String> = HEADER.iter().map(|s| (*s).to_string()).collect();
    if !mass_scan {
        names.insert(1, parameter.to_string());
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
    let names = header(&first.parameter, mass_scan);
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
            if let Some((k, bad)) = numbers.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(Error::Numerical {
                    point: format!("curve \"{}\", {} = {value}", curve.label, curve.parameter),
                    message: format!("{} is {bad}; nothing was written", names[k + 1]),
                });
            }
            let mut record = vec![curve.label.clone()];
            record.extend(numbers.iter().map(|v| format_number(*v)));
            writer.write_record(&record).map_err(csv_error)?;
        }
    }
    writer.into_inner().map_err(|e| Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    })
}
