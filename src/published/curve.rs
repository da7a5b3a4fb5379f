//! Published limit curves read from files (the DarkCast `.lmt` format).
//!
//! A curve is a list of `(mass in GeV, eps)` points; above the curve is excluded. darksens reads
//! such files at run time (e.g. the NA64 bremsstrahlung-only limit that [DPT App. C] rescales);
//! it never embeds their numbers.

use crate::error::InputError;
use std::path::Path;

/// A published limit `eps(m)`, interpolated linearly in `(ln m, ln eps)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedLimit {
    /// Where the curve came from (the file as given).
    pub source: String,
    /// `(mass_gev, eps)`, strictly ascending in mass.
    points: Vec<(f64, f64)>,
}

/// Masses a limit curve may hold, GeV (1 eV to 10 TeV).
pub const MASS_RANGE_GEV: (f64, f64) = (1e-9, 1e4);

/// Values of a limit (eps, or y = eps^2 alpha_D (m_chi/m)^4) a curve may hold: yields are
/// rescaled by 1/eps^2, which must stay a finite number.
pub const LIMIT_RANGE: (f64, f64) = (1e-30, 1e3);

impl PublishedLimit {
    /// Reads a DarkCast `.lmt` file: `#` comments, then lines `mass_gev eps`.
    ///
    /// # Errors
    /// A message naming the file and line for unreadable files, malformed or non-positive
    /// numbers, masses that do not increase, or fewer than two points.
    pub fn read_lmt(path: &Path) -> Result<Self, InputError> {
        if path.is_dir() {
            return Err(InputError::Directory {
                path: path.display().to_string(),
                what: "a limit file",
            });
        }
        let text = crate::files::read_text(path).map_err(|e| InputError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse_lmt(&text, &path.display().to_string())
    }

    /// Parses the text of a `.lmt` file (`source` names it in messages).
    ///
    /// # Errors
    /// As [`PublishedLimit::read_lmt`].
    pub fn parse_lmt(text: &str, source: &str) -> Result<Self, InputError> {
        let mut points: Vec<(f64, f64)> = Vec::new();
        for (k, line) in text.lines().enumerate() {
            let line_number = k + 1;
            let at = |message: String| InputError::Line {
                file: source.to_string(),
                line: line_number,
                message,
            };
            let content = line.split('#').next().unwrap_or_default().trim();
            if content.is_empty() {
                continue;
            }
            let fields: Vec<&str> = content.split_whitespace().collect();
            if fields.len() < 2 {
                return Err(at(format!("expected 'mass_gev eps', got '{content}'")));
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
            let mass = number(fields[0], "mass", MASS_RANGE_GEV)?;
            let eps = number(fields[1], "eps", LIMIT_RANGE)?;
            if let Some(&(previous, _)) = points.last()
                && mass <= previous
            {
                return Err(at(format!(
                    "masses must increase ({mass} after {previous})"
                )));
            }
            points.push((mass, eps));
        }
        if points.len() < 2 {
            return Err(InputError::Content {
                file: source.to_string(),
                message: format!(
                    "a limit curve needs at least two points, found {}",
                    points.len()
                ),
            });
        }
        Ok(Self {
            source: source.to_string(),
            points,
        })
    }

    /// A curve from points already checked (positive, masses increasing).
    #[must_use]
    pub fn from_points(source: &str, points: Vec<(f64, f64)>) -> Self {
        Self {
            source: source.to_string(),
            points,
        }
    }

    /// Reads a limit curve file: a DarkCast `.lmt`, or a CSV `mass_gev,epsilon`.
    ///
    /// # Errors
    /// As [`PublishedLimit::read_lmt`] and [`crate::published::library::read_csv_points`]; a CSV of
    /// `y` needs its metadata (use the library).
    pub fn read(path: &Path) -> Result<Self, InputError> {
        if path.extension().is_some_and(|e| e == "csv") {
            let (points, column) = crate::published::library::read_csv_points(path)?;
            if column != "epsilon" {
                return Err(InputError::Content {
                    file: path.display().to_string(),
                    message: format!(
                        "a '{column}' curve needs its .toml metadata; put it in the limit library"
                    ),
                });
            }
            Ok(Self::from_points(&path.display().to_string(), points))
        } else {
            Self::read_lmt(path)
        }
    }

    /// Mass range `(lo, hi)` in GeV.
    #[must_use]
    pub fn mass_range_gev(&self) -> (f64, f64) {
        (self.points[0].0, self.points[self.points.len() - 1].0)
    }

    /// The points.
    #[must_use]
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// `eps` at `mass_gev` (log-log interpolation), `None` outside the curve's mass range.
    #[must_use]
    pub fn eps_at(&self, mass_gev: f64) -> Option<f64> {
        let (lo, hi) = self.mass_range_gev();
        if !(mass_gev >= lo && mass_gev <= hi) {
            return None;
        }
        let k = self
            .points
            .partition_point(|p| p.0 <= mass_gev)
            .clamp(1, self.points.len() - 1);
        let ((m0, e0), (m1, e1)) = (self.points[k - 1], self.points[k]);
        // Differences of logarithms, not logarithms of ratios, which can overflow.
        let t = (mass_gev.ln() - m0.ln()) / (m1.ln() - m0.ln());
        let eps = (e0.ln() + t * (e1.ln() - e0.ln())).exp();
        // Rounding must not leave the segment (near f64::MAX it would overflow).
        Some(eps.clamp(e0.min(e1), e0.max(e1)))
    }
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
            max_relative = 1e-12
        );
        // A power law between nodes is exact in log-log: eps = 1e-5 (m/1e-3) at m = 3e-3.
        assert_relative_eq!(
            curve.eps_at(0.003).unwrap_or(0.0),
            3e-5,
            max_relative = 1e-12
        );
        assert_eq!(curve.eps_at(0.2), None);
        assert_relative_eq!(curve.eps_at(0.1).unwrap_or(0.0), 1e-4, max_relative = 1e-14);
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
}
