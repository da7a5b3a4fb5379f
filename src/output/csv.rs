//! The CSV of a scan: one row per curve and point, in scan order.
//!
//! A mass scan has the core columns [`HEADER`]. A scan of another key puts a column named after
//! the key (e.g. `model.alpha_d`) right after `curve` and keeps every core column.

use crate::error::Error;
use crate::limits::LimitStatus;
use crate::output::format_number;
use crate::units::write_number;
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;

/// CSV header of a mass scan (the interface; units in the names). `status` says what the row's
/// limit is: `ok`; `unconverged` when an integral missed `numerics.relative_tolerance` or a
/// table `numerics.table_tolerance`; `eps-above-1` when the limit is no constraint (eps >= 1 is
/// written, the plot stops at 1); `closed` when no signal is possible (beyond the source's
/// reach), with `epsilon_limit` and the band columns empty.
pub const HEADER: [&str; 8] = [
    "curve",
    "mass_mev",
    "epsilon_limit",
    "n_ann_per_eps2",
    "n_brem_per_eps2",
    "n_background",
    "n_required",
    "status",
];

/// Columns of the expected bands (`limit.bands = true`), after the core columns.
pub const BAND_COLUMNS: [&str; 4] = [
    "epsilon_limit_minus2sigma",
    "epsilon_limit_minus1sigma",
    "epsilon_limit_plus1sigma",
    "epsilon_limit_plus2sigma",
];

/// Columns of the signal at the scenario's coupling (`model.g_ve`), last: the expected signal
/// events and, for a beam, the signal per particle on target (PADME's line shape).
pub const COUPLING_COLUMNS: [&str; 2] = ["n_signal_at_g_ve", "signal_per_pot_at_g_ve"];

/// Column names for a scan of `parameter`.
#[must_use]
pub fn header(parameter: &str, mass_scan: bool, bands: bool, coupling: bool) -> Vec<String> {
    let mut names: Vec<String> = HEADER.iter().map(|s| (*s).to_string()).collect();
    if !mass_scan {
        names.insert(1, parameter.to_string());
    }
    if bands {
        names.extend(BAND_COLUMNS.iter().map(|s| (*s).to_string()));
    }
    if coupling {
        names.extend(COUPLING_COLUMNS.iter().map(|s| (*s).to_string()));
    }
    names
}

/// One row of a limit CSV: a curve at one scan point.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitRow<'a> {
    /// The curve's label.
    pub curve: &'a str,
    /// The scanned value (written in its own column unless the scan is over the mass).
    pub value: f64,
    /// Mediator mass, MeV.
    pub mass_mev: f64,
    /// Expected limit on eps.
    pub epsilon_limit: f64,
    /// Annihilation events per eps^2.
    pub n_ann_per_eps2: f64,
    /// Bremsstrahlung events per eps^2.
    pub n_brem_per_eps2: f64,
    /// Expected background events.
    pub n_background: f64,
    /// Signal events the criterion needs.
    pub n_required: f64,
    /// What the limit says.
    pub status: LimitStatus,
    /// The limits at the -2, -1, +1, +2 sigma background quantiles.
    pub bands: Option<[f64; 4]>,
    /// At `model.g_ve`: the expected signal events and, for a beam, the signal per particle on
    /// target.
    pub at_coupling: Option<(f64, Option<f64>)>,
}

/// The cells of [`COUPLING_COLUMNS`] of a row (empty where the row has none).
///
/// # Errors
/// [`Error::Numerical`] if a number is not finite.
fn coupling_cells(row: &LimitRow, parameter: &str) -> Result<Vec<String>, Error> {
    let (events, per_particle) = match row.at_coupling {
        Some((events, per_particle)) => (Some(events), per_particle),
        None => (None, None),
    };
    [
        ("n_signal_at_g_ve", events),
        ("signal_per_pot_at_g_ve", per_particle),
    ]
    .into_iter()
    .map(|(name, v)| match v {
        Some(v) if !v.is_finite() => Err(Error::Numerical {
            point: format!("curve \"{}\", {parameter} = {}", row.curve, row.value),
            message: format!("{name} is {v}; nothing was written"),
        }),
        Some(v) => Ok(format_number(v)),
        None => Ok(String::new()),
    })
    .collect()
}

/// Renders a scan of `parameter` as CSV text: rows `row(0)`, ..., `row(count - 1)` in that
/// order ([`write_scan`] into memory).
///
/// # Errors
/// As [`write_scan`].
pub fn render<'a>(
    count: usize,
    row: &(dyn Fn(usize) -> LimitRow<'a> + Sync),
    parameter: &str,
    mass_scan: bool,
) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    write_scan(
        &mut bytes,
        Path::new("<csv>"),
        count,
        row,
        parameter,
        mass_scan,
    )?;
    Ok(bytes)
}

/// Writes a scan of `parameter` as CSV text to `out` (the file `path`, named in errors): rows
/// `row(0)`, ..., `row(count - 1)` in that order. Numbers are written shortest-round-trip.
/// Blocks of rows are made and formatted side by side and written in order (a 1e6-point scan
/// has 3e6 rows), so the bytes are those of one writer; no row outlives its block, and only one
/// window of blocks is held at a time.
///
/// # Errors
/// [`Error::Numerical`] if any number is not finite (naming the curve and point; the first such
/// row in order), [`Error::Output`] if `out` cannot be written.
pub fn write_scan<'a>(
    out: &mut dyn Write,
    path: &Path,
    count: usize,
    row: &(dyn Fn(usize) -> LimitRow<'a> + Sync),
    parameter: &str,
    mass_scan: bool,
) -> Result<(), Error> {
    if count == 0 {
        return Ok(());
    }
    let coupling = (0..count).any(|i| row(i).at_coupling.is_some());
    let bands = (0..count).any(|i| row(i).bands.is_some());
    let columns = Columns {
        parameter,
        mass_scan,
        coupling,
        names: header(parameter, mass_scan, bands, coupling),
    };
    let put = |out: &mut dyn Write, text: &[u8]| {
        out.write_all(text).map_err(|e| Error::Output {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    };
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer
        .write_record(&columns.names)
        .map_err(|e| csv_error(&e))?;
    put(out, &finished(writer)?)?;
    let block = |b: usize| {
        let mut writer = ::csv::Writer::from_writer(Vec::new());
        let mut cell = String::new();
        for i in b * CSV_BLOCK_ROWS..count.min((b + 1) * CSV_BLOCK_ROWS) {
            write_row(&mut writer, &row(i), &columns, &mut cell)?;
        }
        finished(writer)
    };
    // A window of blocks at a time, so that only one window is held.
    let blocks = count.div_ceil(CSV_BLOCK_ROWS);
    let window = CSV_WINDOW_BLOCKS_PER_THREAD * rayon::current_num_threads();
    for first in (0..blocks).step_by(window) {
        let texts = (first..blocks.min(first + window))
            .into_par_iter()
            .map(block)
            .collect::<Result<Vec<Vec<u8>>, Error>>()?;
        for text in texts {
            put(out, &text)?;
        }
    }
    Ok(())
}

/// Blocks of [`write_scan`] formatted side by side per thread before they are joined.
const CSV_WINDOW_BLOCKS_PER_THREAD: usize = 4;

/// Rows formatted together by one task of [`write_scan`].
const CSV_BLOCK_ROWS: usize = 4096;

/// The columns of a rendered scan.
struct Columns<'a> {
    parameter: &'a str,
    mass_scan: bool,
    coupling: bool,
    names: Vec<String>,
}

fn csv_error(e: &::csv::Error) -> Error {
    Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    }
}

/// The bytes a writer holds.
fn finished(writer: ::csv::Writer<Vec<u8>>) -> Result<Vec<u8>, Error> {
    writer.into_inner().map_err(|e| Error::Output {
        path: "<csv>".into(),
        message: e.to_string(),
    })
}

/// The fields of one row written so far.
struct Fields<'w> {
    writer: &'w mut ::csv::Writer<Vec<u8>>,
    count: usize,
}

impl Fields<'_> {
    /// Writes the next field.
    fn put(&mut self, text: &str) -> Result<(), Error> {
        self.count += 1;
        self.writer.write_field(text).map_err(|e| csv_error(&e))
    }

    /// Empty fields up to `count` in all.
    fn pad_to(&mut self, count: usize) -> Result<(), Error> {
        while self.count < count {
            self.put("")?;
        }
        Ok(())
    }
}

/// One row of [`write_scan`].
fn write_row(
    writer: &mut ::csv::Writer<Vec<u8>>,
    row: &LimitRow,
    columns: &Columns<'_>,
    cell: &mut String,
) -> Result<(), Error> {
    let (parameter, mass_scan, coupling, names) = (
        columns.parameter,
        columns.mass_scan,
        columns.coupling,
        &columns.names,
    );
    let mut numbers = vec![
        row.mass_mev,
        row.epsilon_limit,
        row.n_ann_per_eps2,
        row.n_brem_per_eps2,
        row.n_background,
        row.n_required,
    ];
    if !mass_scan {
        numbers.insert(0, row.value);
    }
    let core = numbers.len();
    if let Some(band) = row.bands {
        numbers.extend(band);
    }
    let closed = row.status == LimitStatus::Closed;
    // A closed row has no limit: its limit and band columns stay empty.
    let limit_column = usize::from(!mass_scan) + 1;
    let written = |k: usize| !(closed && (k == limit_column || k >= core));
    if let Some((k, bad)) = numbers
        .iter()
        .enumerate()
        .find(|&(k, v)| written(k) && !v.is_finite())
    {
        // Band columns come after the `status` column.
        let column = if k < core { k + 1 } else { k + 2 };
        return Err(Error::Numerical {
            point: format!("curve \"{}\", {parameter} = {}", row.curve, row.value),
            message: format!("{} is {bad}; nothing was written", names[column]),
        });
    }
    // The fields one by one, each number formatted into `cell` (a 1e6-point scan writes 3e7).
    let mut fields = Fields { writer, count: 0 };
    fields.put(row.curve)?;
    for (k, &v) in numbers.iter().enumerate() {
        if k == core {
            fields.put(row.status.name())?;
        }
        cell.clear();
        if written(k) {
            write_number(cell, v);
        }
        fields.put(cell)?;
    }
    if numbers.len() == core {
        fields.put(row.status.name())?;
    }
    // Curves without bands leave the band columns empty.
    if coupling {
        fields.pad_to(names.len() - COUPLING_COLUMNS.len())?;
        for text in coupling_cells(row, parameter)? {
            fields.put(&text)?;
        }
    }
    fields.pad_to(names.len())?;
    fields
        .writer
        .write_record(None::<&[u8]>)
        .map_err(|e| csv_error(&e))
}
