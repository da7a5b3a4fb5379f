//! Published limit curves read from files: a DarkCast `.lmt`, a CSV, or a library curve.
//!
//! A published exclusion is one of three shapes in the `(mass in GeV, eps)` plane:
//! - above a lower edge (`mass eps`: the usual one-sided limit);
//! - between a lower and an upper edge at each mass (DarkCast `.lmt` with a third column, as
//!   for beam-dump and displaced-vertex searches, which lose sensitivity at large eps when the
//!   mediator decays before the detector);
//! - inside a closed contour (FORESEE and AxionLimits style: the vertices in order, the last
//!   joined to the first).
//!
//! darksens reads such files at run time (e.g. the NA64 bremsstrahlung-only limit that
//! [DPT App. C] rescales); it never embeds their numbers.

use crate::error::InputError;
use std::path::Path;

/// The excluded region's boundary, in `(mass_gev, eps)` (or the file's own units before a
/// library curve is converted).
#[derive(Debug, Clone, PartialEq)]
pub enum Boundary {
    /// Above the curve `(mass, eps_lower)` is excluded; masses strictly ascending.
    Above(Vec<(f64, f64)>),
    /// Between `(mass, eps_lower, eps_upper)` is excluded; masses strictly ascending and
    /// `eps_lower < eps_upper`.
    Between(Vec<(f64, f64, f64)>),
    /// Inside the closed polygon with these vertices (at least three, the last joined to the
    /// first) is excluded.
    Inside(Vec<(f64, f64)>),
}

/// How a file says which shape it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// From the columns: two are a lower edge, three a band; a file whose masses go back and
    /// whose last point repeats its first is a closed contour.
    FromColumns,
    /// A closed contour (declared by its metadata); the last point need not repeat the first.
    Contour,
}

/// A published limit: its boundary, interpolated linearly in `(ln m, ln eps)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedLimit {
    /// Where the curve came from (the file as given).
    pub source: String,
    /// The excluded region.
    boundary: Boundary,
    /// For a [`Boundary::Above`] curve with missing values (`-`) between its points: the
    /// indices of the points that start a new piece. Between the point before and such a point
    /// the curve has no value, and nothing is excluded there (a table's masses where the limit
    /// reaches no eps, for instance).
    piece_starts: Vec<usize>,
}

/// The value a curve file writes where a limit has no value at a mass (HEPData's notation).
pub const MISSING_VALUE: &str = "-";

/// Masses a limit curve may hold, GeV (1 eV to 10 TeV).
pub const MASS_RANGE_GEV: (f64, f64) = (1e-9, 1e4);

/// Values of a limit (eps, or y = eps^2 alpha_D (m_chi/m)^4) a curve may hold: yields are
/// rescaled by 1/eps^2, which must stay a finite number.
pub const LIMIT_RANGE: (f64, f64) = (1e-30, 1e3);

/// One row of numbers of a curve file, with its 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Line in the file.
    pub line: usize,
    /// The numbers as written.
    pub fields: Vec<String>,
}

impl PublishedLimit {
    /// Reads a DarkCast `.lmt` file: `#` comments, then lines `mass_gev eps_lower [eps_upper]`.
    ///
    /// # Errors
    /// A message naming the file and line for unreadable files, malformed or non-positive
    /// numbers, masses that do not increase, an upper edge below the lower one, or fewer than
    /// two points.
    pub fn read_lmt(path: &Path) -> Result<Self, InputError> {
        let text = read_curve_file(path)?;
        Self::parse_lmt(&text, &path.display().to_string())
    }

    /// Parses the text of a `.lmt` file (`source` names it in messages).
    ///
    /// # Errors
    /// As [`PublishedLimit::read_lmt`].
    pub fn parse_lmt(text: &str, source: &str) -> Result<Self, InputError> {
        let rows = text
            .lines()
            .enumerate()
            .filter_map(|(k, line)| {
                let content = line.split('#').next().unwrap_or_default().trim();
                (!content.is_empty()).then(|| Row {
                    line: k + 1,
                    fields: content.split_whitespace().map(str::to_string).collect(),
                })
            })
            .collect::<Vec<_>>();
        Self::from_rows(&rows, source, Shape::FromColumns)
    }

    /// The limit from rows of numbers: `mass lower [upper]`, or a contour's vertices `mass eps`.
    /// In a two-column curve, a row `mass -` ([`MISSING_VALUE`]) is a mass without a value: the
    /// curve stops at the point before it and starts again at the point after it.
    ///
    /// # Errors
    /// As [`PublishedLimit::read_lmt`], naming `source` and the row's line; a missing value in
    /// a band or a contour.
    pub fn from_rows(rows: &[Row], source: &str, shape: Shape) -> Result<Self, InputError> {
        let at = |line: usize, message: String| InputError::Line {
            file: source.to_string(),
            line,
            message,
        };
        let (numbered, piece_starts) = without_missing_values(rows, source, shape)?;
        let rows = numbered.as_slice();
        let columns = rows.first().map_or(2, |r| r.fields.len());
        if !(2..=3).contains(&columns) || (shape == Shape::Contour && columns != 2) {
            let expected = if shape == Shape::Contour {
                "'mass_gev eps' (a contour's vertices)"
            } else {
                "'mass_gev eps' or 'mass_gev eps_lower eps_upper'"
            };
            let first = &rows[0];
            return Err(at(
                first.line,
                format!("expected {expected}, got '{}'", first.fields.join(" ")),
            ));
        }
        let values = rows
            .iter()
            .map(|row| row_values(row, rows[0].line, columns, source))
            .collect::<Result<Vec<_>, _>>()?;
        let increasing = values.windows(2).all(|w| w[1][0] > w[0][0]);
        let closed = values.len() > 3 && values.first() == values.last();
        let boundary = if shape == Shape::Contour || (columns == 2 && !increasing && closed) {
            let mut vertices: Vec<(f64, f64)> = values.iter().map(|v| (v[0], v[1])).collect();
            if vertices.len() > 1 && vertices.first() == vertices.last() {
                vertices.pop();
            }
            if vertices.len() < 3 {
                return Err(InputError::Content {
                    file: source.to_string(),
                    message: format!(
                        "a closed contour needs at least three distinct points, found {}",
                        vertices.len()
                    ),
                });
            }
            if !piece_starts.is_empty() {
                return Err(at(
                    rows[piece_starts[0]].line,
                    format!("a closed contour cannot have a missing value ('{MISSING_VALUE}')"),
                ));
            }
            Boundary::Inside(vertices)
        } else {
            if let Some(k) = values.windows(2).position(|w| w[1][0] <= w[0][0]) {
                return Err(at(
                    rows[k + 1].line,
                    format!(
                        "masses must increase ({} after {}); a closed contour (FORESEE, AxionLimits) must end on its first point",
                        values[k + 1][0],
                        values[k][0]
                    ),
                ));
            }
            if values.len() < 2 {
                return Err(InputError::Content {
                    file: source.to_string(),
                    message: format!(
                        "a limit curve needs at least two points, found {}",
                        values.len()
                    ),
                });
            }
            if columns == 3 {
                Boundary::Between(values.iter().map(|v| (v[0], v[1], v[2])).collect())
            } else {
                Boundary::Above(values.iter().map(|v| (v[0], v[1])).collect())
            }
        };
        Ok(Self {
            source: source.to_string(),
            boundary,
            piece_starts,
        })
    }

    /// A one-sided curve from points already checked (positive, masses increasing).
    #[must_use]
    pub fn from_points(source: &str, points: Vec<(f64, f64)>) -> Self {
        Self {
            source: source.to_string(),
            boundary: Boundary::Above(points),
            piece_starts: Vec::new(),
        }
    }

    /// Reads a limit curve file: a DarkCast `.lmt`, a CSV `mass_gev,epsilon[,epsilon_upper]`, or
    /// a HEPData table (`.yaml`, `.yml`) with one dependent variable.
    ///
    /// # Errors
    /// As [`PublishedLimit::read_lmt`] and [`crate::published::library::read_csv_curve`]; a CSV
    /// of `y` needs its metadata (use the library).
    pub fn read(path: &Path) -> Result<Self, InputError> {
        if crate::published::hepdata::is_table_file(path) {
            return Ok(crate::published::hepdata::read_table(path, None)?.limit);
        }
        if path.extension().is_some_and(|e| e == "csv") {
            let (limit, column) =
                crate::published::library::read_csv_curve(path, Shape::FromColumns)?;
            if column != "epsilon" {
                return Err(InputError::Content {
                    file: path.display().to_string(),
                    message: format!(
                        "a '{column}' curve needs its .toml metadata; put it in the limit library"
                    ),
                });
            }
            Ok(limit)
        } else {
            Self::read_lmt(path)
        }
    }

    /// The excluded region.
    #[must_use]
    pub fn boundary(&self) -> &Boundary {
        &self.boundary
    }

    /// The same region with every point `(m, eps)` moved to `f(m, eps)`, which must keep the
    /// masses in order (a unit change, a rescaling, a conversion from `y`).
    #[must_use]
    pub fn map(&self, source: &str, f: impl Fn(f64, f64) -> (f64, f64)) -> Self {
        let boundary = match &self.boundary {
            Boundary::Above(p) => Boundary::Above(p.iter().map(|&(m, e)| f(m, e)).collect()),
            Boundary::Between(p) => Boundary::Between(
                p.iter()
                    .map(|&(m, lo, hi)| {
                        let (mass, lower) = f(m, lo);
                        (mass, lower, f(m, hi).1)
                    })
                    .collect(),
            ),
            Boundary::Inside(p) => Boundary::Inside(p.iter().map(|&(m, e)| f(m, e)).collect()),
        };
        Self {
            source: source.to_string(),
            boundary,
            piece_starts: self.piece_starts.clone(),
        }
    }

    /// The outline a plot draws: for [`Boundary::Above`] the lower edge (open: the region goes
    /// up to the top of the plot), otherwise the closed polygon `(mass, eps)`; with `closed`.
    #[must_use]
    pub fn outline(&self) -> (Vec<(f64, f64)>, bool) {
        match &self.boundary {
            Boundary::Above(p) => (p.clone(), false),
            Boundary::Between(p) => (
                p.iter()
                    .map(|&(m, lo, _)| (m, lo))
                    .chain(p.iter().rev().map(|&(m, _, hi)| (m, hi)))
                    .collect(),
                true,
            ),
            Boundary::Inside(p) => (p.clone(), true),
        }
    }

    /// The outline in pieces: an open curve with missing values ([`MISSING_VALUE`]) split where
    /// it has no value (nothing is excluded between two pieces); otherwise one piece, the
    /// [`PublishedLimit::outline`]. With `closed`.
    #[must_use]
    pub fn pieces(&self) -> (Vec<Vec<(f64, f64)>>, bool) {
        let (outline, closed) = self.outline();
        let mut pieces = Vec::with_capacity(self.piece_starts.len() + 1);
        let mut start = 0;
        for &end in self.piece_starts.iter().chain([&outline.len()]) {
            pieces.push(outline[start..end].to_vec());
            start = end;
        }
        (pieces, closed)
    }

    /// The gap `(lo, hi)` in GeV (masses of the points on either side) that `mass_gev` falls
    /// in, where the curve has no value ([`MISSING_VALUE`]); `None` elsewhere.
    #[must_use]
    pub fn gap_around(&self, mass_gev: f64) -> Option<(f64, f64)> {
        let Boundary::Above(p) = &self.boundary else {
            return None;
        };
        self.piece_starts
            .iter()
            .map(|&k| (p[k - 1].0, p[k].0))
            .find(|&(lo, hi)| mass_gev > lo && mass_gev < hi)
    }

    /// Mass range `(lo, hi)` in GeV.
    #[must_use]
    pub fn mass_range_gev(&self) -> (f64, f64) {
        let masses = self.outline().0;
        masses.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), p| {
            (lo.min(p.0), hi.max(p.0))
        })
    }

    /// The smallest excluded `eps` at `mass_gev` (log-log interpolation), `None` where the
    /// region does not reach this mass (outside the curve, or where it has no value).
    #[must_use]
    pub fn eps_at(&self, mass_gev: f64) -> Option<f64> {
        match &self.boundary {
            Boundary::Above(p) => {
                let in_a_gap = self
                    .piece_starts
                    .iter()
                    .any(|&k| mass_gev > p[k - 1].0 && mass_gev < p[k].0);
                if in_a_gap {
                    None
                } else {
                    interpolate(p, mass_gev)
                }
            }
            Boundary::Between(p) => {
                let lower: Vec<(f64, f64)> = p.iter().map(|&(m, lo, _)| (m, lo)).collect();
                interpolate(&lower, mass_gev)
            }
            Boundary::Inside(p) => lowest_crossing(p, mass_gev),
        }
    }
}

/// The rows with a value, and the indices (among them) where a new piece starts after rows
/// without one (`mass -`, [`MISSING_VALUE`]); a gap before the first or after the last value
/// starts no piece.
///
/// # Errors
/// A missing value in a band or a contour, or one whose mass is not a positive number, naming
/// `source` and the row's line.
fn without_missing_values(
    rows: &[Row],
    source: &str,
    shape: Shape,
) -> Result<(Vec<Row>, Vec<usize>), InputError> {
    let at = |line: usize, message: String| InputError::Line {
        file: source.to_string(),
        line,
        message,
    };
    let missing = |row: &Row| row.fields.iter().skip(1).any(|f| f == MISSING_VALUE);
    let mut piece_starts = Vec::new();
    let mut numbered = Vec::with_capacity(rows.len());
    for row in rows {
        if !missing(row) {
            numbered.push(row.clone());
        } else if row.fields.len() != 2 || shape == Shape::Contour {
            return Err(at(
                row.line,
                format!(
                    "a missing value ('{MISSING_VALUE}') can only stand in a curve 'mass_gev eps', not in a band or a contour; got '{}'",
                    row.fields.join(" ")
                ),
            ));
        } else if !row.fields[0]
            .parse::<f64>()
            .is_ok_and(|m| m.is_finite() && m > 0.0)
        {
            return Err(at(
                row.line,
                format!(
                    "mass '{}' of a point without a value is not a positive number",
                    row.fields[0]
                ),
            ));
        } else if !numbered.is_empty() && piece_starts.last() != Some(&numbered.len()) {
            piece_starts.push(numbered.len());
        }
    }
    // A gap at the end is no gap between points.
    piece_starts.retain(|&k| k < numbered.len());
    Ok((numbered, piece_starts))
}

/// The numbers of one row with `columns` fields: a mass and one or two limits, checked.
fn row_values(
    row: &Row,
    first_line: usize,
    columns: usize,
    source: &str,
) -> Result<Vec<f64>, InputError> {
    let at = |message: String| InputError::Line {
        file: source.to_string(),
        line: row.line,
        message,
    };
    if row.fields.len() != columns {
        return Err(at(format!(
            "expected {columns} numbers as on line {first_line}, got '{}'",
            row.fields.join(" ")
        )));
    }
    let number = |s: &str, what: &str, (lo, hi): (f64, f64)| -> Result<f64, InputError> {
        let v: f64 = s
            .parse()
            .map_err(|_| at(format!("{what} '{s}' is not a number")))?;
        if v.is_finite() && v > 0.0 && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(at(format!(
                "{what} must be a positive number between {lo:e} and {hi:e}, got {s}"
            )))
        }
    };
    let mut numbers = vec![
        number(&row.fields[0], "mass", MASS_RANGE_GEV)?,
        number(&row.fields[1], "eps", LIMIT_RANGE)?,
    ];
    if columns == 3 {
        let upper = number(&row.fields[2], "upper eps", LIMIT_RANGE)?;
        if upper <= numbers[1] {
            return Err(at(format!(
                "the upper edge {upper:e} must lie above the lower edge {:e} (the third column is the largest excluded eps)",
                numbers[1]
            )));
        }
        numbers.push(upper);
    }
    Ok(numbers)
}

/// The text of a curve file.
///
/// # Errors
/// A directory or an unreadable file, named.
pub(crate) fn read_curve_file(path: &Path) -> Result<String, InputError> {
    let source = path.display().to_string();
    if path.is_dir() {
        return Err(InputError::Directory {
            path: source,
            what: "a limit curve file",
        });
    }
    crate::files::read_text(path).map_err(|e| InputError::Unreadable {
        path: source,
        reason: e.to_string(),
    })
}

/// `eps` at `mass` on a curve with ascending masses, linear in `(ln m, ln eps)`; `None` outside.
fn interpolate(points: &[(f64, f64)], mass: f64) -> Option<f64> {
    let (lo, hi) = (points[0].0, points[points.len() - 1].0);
    if !(mass >= lo && mass <= hi) {
        return None;
    }
    let k = points
        .partition_point(|p| p.0 <= mass)
        .clamp(1, points.len() - 1);
    Some(log_log_segment(points[k - 1], points[k], mass))
}

/// `eps` at `mass` on the segment `a`-`b` (masses differ), linear in `(ln m, ln eps)` and
/// kept within the segment's values.
fn log_log_segment((m0, e0): (f64, f64), (m1, e1): (f64, f64), mass: f64) -> f64 {
    // Differences of logarithms, not logarithms of ratios, which can overflow.
    let t = (mass.ln() - m0.ln()) / (m1.ln() - m0.ln());
    let eps = (e0.ln() + t * (e1.ln() - e0.ln())).exp();
    // Rounding must not leave the segment (near f64::MAX it would overflow).
    eps.clamp(e0.min(e1), e0.max(e1))
}

/// The lowest point where the vertical line at `mass` crosses the closed polygon's edges.
fn lowest_crossing(vertices: &[(f64, f64)], mass: f64) -> Option<f64> {
    let n = vertices.len();
    (0..n)
        .filter_map(|k| {
            let (a, b) = (vertices[k], vertices[(k + 1) % n]);
            let (lo, hi) = (a.0.min(b.0), a.0.max(b.0));
            if !(mass >= lo && mass <= hi) {
                None
            } else if a.0 == b.0 {
                Some(a.1.min(b.1))
            } else {
                Some(log_log_segment(a, b, mass))
            }
        })
        .min_by(f64::total_cmp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn interpolates_log_log_and_hits_the_nodes() {
        let curve =
            PublishedLimit::parse_lmt("#  mass lower\n0.001 1e-5\n0.01 1e-4\n0.1 1e-4\n", "test")
                .expect("parses");
        assert_relative_eq!(
            curve.eps_at(0.001).unwrap_or(0.0),
            1e-5,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        // A power law between nodes is exact in log-log: eps = 1e-5 (m/1e-3) at m = 3e-3.
        assert_relative_eq!(
            curve.eps_at(0.003).unwrap_or(0.0),
            3e-5,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        assert_eq!(curve.eps_at(0.2), None);
        assert_relative_eq!(
            curve.eps_at(0.1).unwrap_or(0.0),
            1e-4,
            max_relative = 1e-14,
            epsilon = 0.0
        );
    }

    #[test]
    fn rejects_bad_files_with_line_numbers() {
        let bad = [
            ("0.001 1e-5\n0.001 2e-5\n", "test:2: masses must increase"),
            ("0.001 abc\n", "test:1: eps 'abc' is not a number"),
            ("0.001 -1\n0.01 1\n", "test:1: eps must be a positive"),
            ("0.001\n", "test:1: expected 'mass_gev eps'"),
            ("# only a comment\n", "at least two points"),
            (
                "0.001 nan\n",
                "test:1: eps must be a positive number between 1e-30 and 1e3, got nan",
            ),
            (
                "0.001 1e-5\n0.002 1e-160\n",
                "test:2: eps must be a positive number between 1e-30 and 1e3, got 1e-160",
            ),
            (
                "1e300 1e-5\n",
                "test:1: mass must be a positive number between 1e-9 and 1e4",
            ),
        ];
        for (text, message) in bad {
            let error = PublishedLimit::parse_lmt(text, "test")
                .expect_err("rejects")
                .to_string();
            assert!(error.contains(message), "{error}");
        }
    }

    /// A row `mass -` is a mass without a value: the curve has two pieces, nothing is
    /// excluded between them, and a run of such rows, or one at an end, makes no extra piece.
    #[test]
    fn a_missing_value_splits_the_curve() {
        let text =
            "0.001 -\n0.002 1e-5\n0.004 2e-5\n0.008 -\n0.01 -\n0.02 4e-5\n0.04 8e-5\n0.05 -\n";
        let curve = PublishedLimit::parse_lmt(text, "gaps").expect("parses");
        assert_eq!(
            curve.pieces(),
            (
                vec![
                    vec![(0.002, 1e-5), (0.004, 2e-5)],
                    vec![(0.02, 4e-5), (0.04, 8e-5)]
                ],
                false
            )
        );
        // Exact at the pieces' ends, nothing in the gap, log-log inside a piece.
        assert_eq!(curve.eps_at(0.004), Some(2e-5));
        assert_eq!(curve.eps_at(0.02), Some(4e-5));
        assert_eq!(curve.eps_at(0.005), None);
        assert_eq!(curve.eps_at(0.0199), None);
        assert_eq!(curve.gap_around(0.005), Some((0.004, 0.02)));
        assert_eq!(curve.gap_around(0.004), None);
        assert_relative_eq!(
            curve.eps_at(0.03).unwrap_or(0.0),
            6e-5,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        // A unit change keeps the gap.
        let mev = curve.map("mev", |m, e| (m * 1e3, e));
        assert_eq!(mev.eps_at(5.0), None);
        assert_eq!(mev.pieces().0.len(), 2);
        // Without a missing value: one piece, the outline.
        let whole = PublishedLimit::parse_lmt("0.002 1e-5\n0.004 2e-5\n", "whole").expect("parses");
        assert_eq!(whole.pieces().0, vec![whole.outline().0]);
        for (text, message) in [
            (
                "0.001 1e-5 1e-3\n0.002 - -\n0.003 1e-5 1e-3\n",
                "gaps:2: a missing value",
            ),
            ("0.001 -\n0.002 -\n", "at least two points"),
            (
                "0.001 1e-5\n17.8e- -\n0.01 1e-5\n",
                "gaps:2: mass '17.8e-' of a point without a value",
            ),
        ] {
            let error = PublishedLimit::parse_lmt(text, "gaps")
                .expect_err("refused")
                .to_string();
            assert!(error.contains(message), "{error}");
        }
    }

    /// A third column is the upper edge: the region between is excluded, `eps_at` gives the
    /// lower edge and the outline runs out along the lower edge and back along the upper one.
    #[test]
    fn a_third_column_is_an_upper_edge() {
        let band = PublishedLimit::parse_lmt(
            "# mass lower upper\n0.001 1e-5 1e-3\n0.01 1e-6 1e-4\n",
            "band",
        )
        .expect("parses");
        assert!(matches!(band.boundary(), Boundary::Between(p) if p.len() == 2));
        // Power laws between the nodes: eps_lower = 1e-5 (m/1e-3)^-1 at m = 3.162e-3.
        let m = 10f64.powf(-2.5);
        assert_relative_eq!(
            band.eps_at(m).unwrap_or(0.0),
            10f64.powf(-5.5),
            max_relative = 1e-12,
            epsilon = 0.0
        );
        let (outline, closed) = band.outline();
        assert!(closed);
        assert_eq!(
            outline,
            vec![(0.001, 1e-5), (0.01, 1e-6), (0.01, 1e-4), (0.001, 1e-3)]
        );
        for (text, message) in [
            (
                "0.001 1e-5 1e-6\n0.01 1e-6 1e-4\n",
                "band:1: the upper edge 1e-6 must lie above",
            ),
            (
                "0.001 1e-5 1e-3\n0.01 1e-6\n",
                "band:2: expected 3 numbers as on line 1",
            ),
            ("0.001 1e-5 1e-3 7\n", "band:1: expected 'mass_gev eps' or"),
            (
                "0.001 1e-5 x\n0.01 1e-6 1e-4\n",
                "band:1: upper eps 'x' is not a number",
            ),
        ] {
            let error = PublishedLimit::parse_lmt(text, "band")
                .expect_err("rejects")
                .to_string();
            assert!(error.contains(message), "{error}");
        }
    }

    /// A file whose masses go back and whose last point is its first is a closed contour;
    /// `eps_at` is the lowest crossing of the contour, exact for a diamond in log-log.
    #[test]
    fn a_closed_file_is_a_contour() {
        let text = "1e-3 1e-4\n1e-2 1e-5\n1e-1 1e-4\n1e-2 1e-3\n1e-3 1e-4\n";
        let contour = PublishedLimit::parse_lmt(text, "diamond").expect("parses");
        let Boundary::Inside(vertices) = contour.boundary() else {
            panic!("not a contour: {contour:?}");
        };
        assert_eq!(vertices.len(), 4, "the repeated point is dropped");
        // Half-way in ln m between 1e-3 and 1e-2, the lower edge is half-way in ln eps.
        assert_relative_eq!(
            contour.eps_at(10f64.powf(-2.5)).unwrap_or(0.0),
            10f64.powf(-4.5),
            max_relative = 1e-12,
            epsilon = 0.0
        );
        assert_relative_eq!(
            contour.eps_at(1e-2).unwrap_or(0.0),
            1e-5,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        assert_eq!(contour.eps_at(0.5), None);
        assert_eq!(contour.mass_range_gev(), (1e-3, 1e-1));
        // Going back without closing is a mistake, and the message says how to mean a contour.
        let error = PublishedLimit::parse_lmt("1e-3 1e-4\n1e-2 1e-5\n1e-3 1e-3\n", "open")
            .expect_err("rejects")
            .to_string();
        assert!(
            error.contains("open:3: masses must increase") && error.contains("contour"),
            "{error}"
        );
        // Declared by metadata, the contour need not repeat its first point.
        let rows: Vec<Row> = ["1e-3 1e-4", "1e-2 1e-5", "1e-2 1e-3"]
            .iter()
            .enumerate()
            .map(|(k, l)| Row {
                line: k + 1,
                fields: l.split(' ').map(str::to_string).collect(),
            })
            .collect();
        let declared =
            PublishedLimit::from_rows(&rows, "declared", Shape::Contour).expect("a triangle");
        assert!(matches!(declared.boundary(), Boundary::Inside(v) if v.len() == 3));
        assert!(PublishedLimit::from_rows(&rows[..2], "two", Shape::Contour).is_err());
    }

    /// `map` moves every point of every shape (a rescaling keeps the band's two edges).
    #[test]
    fn map_moves_both_edges() {
        let band =
            PublishedLimit::parse_lmt("0.001 1e-5 1e-3\n0.01 1e-6 1e-4\n", "band").expect("parses");
        let scaled = band.map("scaled", |m, e| (m * 1e3, e * 2.0));
        assert_eq!(
            scaled.boundary(),
            &Boundary::Between(vec![(1.0, 2e-5, 2e-3), (10.0, 2e-6, 2e-4)])
        );
        assert_eq!(scaled.source, "scaled");
    }
}
