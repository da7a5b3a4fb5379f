//! The CSV of a scan: one row per curve and mass, in scan order.

use crate::error::Error;
use crate::limits::scan::CurveResult;
use crate::output::format_number;

/// CSV header (the interface; units in the names).
pub const HEADER: [&str; 7] = [
    "curve",
    "mass_mev",
    "epsilon_limit",
    "n_ann_per_eps2",
    "n_brem_per_eps2",
    "n_background",
    "n_required",
];

/// Renders the scan as CSV text. Numbers are written shortest-round-trip.
///
/// # Errors
/// [`Error::Numerical`] if any number is not finite (naming the curve and mass).
pub fn render(curves: &[CurveResult]) -> Result<Vec<u8>, Error> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let csv_error = |e: ::csv::Error| Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    };
    writer.write_record(HEADER).map_err(csv_error)?;
    for curve in curves {
        for p in &curve.points {
            let numbers = [
                p.mass_mev,
                p.epsilon_limit,
                p.yields.annihilation.value,
                p.yields.bremsstrahlung.value,
                p.n_background,
                p.n_required,
            ];
            if let Some((k, bad)) = numbers.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(Error::Numerical {
                    point: format!("curve \"{}\", m = {} MeV", curve.label, p.mass_mev),
                    message: format!("{} is {bad}; nothing was written", HEADER[k + 1]),
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
