//! A positron spectrum given as numbers: a CSV table `energy_gev,dsigma_de_pb_per_gev`, or the
//! histogram of an event file ([`super::lhe`]).
//!
//! Between the points the spectrum is interpolated linearly, so its integral (the selected cross
//! section) is the trapezoid sum, exactly; outside `[E_first, E_last]` it is zero.

use crate::error::InputError;
use crate::units::PICOBARN_CM2;
use std::path::Path;

/// Energies a spectrum table may hold, GeV: from 1 MeV (below, no mediator darksens scans can
/// be made) to 10 TeV (the largest beam energy it accepts).
pub const ENERGY_RANGE_GEV: (f64, f64) = (1e-3, 1e4);

/// The largest `dsigma/dE` a table may hold, pb/GeV: 1e8 barn/GeV, far above any QED cross section
/// (Bhabha scattering at Belle II is about 1e4 pb/GeV), so that yields stay finite.
pub const MAX_DSIGMA_DE_PB_PER_GEV: f64 = 1e20;

/// A spectrum `dsigma/dE` known at points, linear in between.
#[derive(Debug, Clone, PartialEq)]
pub struct TabulatedSpectrum {
    /// Where the numbers came from (a file, an event sample), for messages and records.
    pub source: String,
    energies_gev: Vec<f64>,
    dsigma_de_pb_per_gev: Vec<f64>,
    dsigma_de_cm2_per_gev: Vec<f64>,
    sigma_cm2: f64,
    selects_electrons: bool,
    /// The selected cross section's relative statistical error when the numbers are a Monte
    /// Carlo sample's (an event file), `None` for a table.
    statistical_relative_error: Option<f64>,
}

impl TabulatedSpectrum {
    /// A spectrum from `(energy in GeV, dsigma/dE in pb/GeV)` points.
    ///
    /// # Errors
    /// Fewer than two points, energies that are not positive and strictly increasing, values
    /// that are negative or not finite, or a zero total.
    pub fn from_points(
        source: &str,
        points_pb: &[(f64, f64)],
        selects_electrons: bool,
    ) -> Result<Self, InputError> {
        let content = |message: String| InputError::Content {
            file: source.to_string(),
            message,
        };
        if points_pb.len() < 2 {
            return Err(content(format!(
                "a spectrum needs at least two points, found {}",
                points_pb.len()
            )));
        }
        for (k, &(e, v)) in points_pb.iter().enumerate() {
            if !(e.is_finite() && e > 0.0) {
                return Err(content(format!(
                    "point {}: the energy must be a positive number of GeV, got {e}",
                    k + 1
                )));
            }
            if !(v.is_finite() && v >= 0.0) {
                return Err(content(format!(
                    "point {}: dsigma/dE must be finite and non-negative, got {v}",
                    k + 1
                )));
            }
            if k > 0 && e <= points_pb[k - 1].0 {
                return Err(content(format!(
                    "point {}: energies must increase ({e} after {})",
                    k + 1,
                    points_pb[k - 1].0
                )));
            }
        }
        let energies_gev: Vec<f64> = points_pb.iter().map(|p| p.0).collect();
        let values: Vec<f64> = points_pb.iter().map(|p| p.1 * PICOBARN_CM2).collect();
        let sigma_cm2 = energies_gev
            .windows(2)
            .zip(values.windows(2))
            .map(|(e, v)| 0.5 * (e[1] - e[0]) * (v[0] + v[1]))
            .sum::<f64>();
        if !(sigma_cm2 > 0.0 && sigma_cm2.is_finite()) {
            return Err(content(format!(
                "the spectrum integrates to {} pb; it must be positive",
                sigma_cm2 / PICOBARN_CM2
            )));
        }
        Ok(Self {
            source: source.to_string(),
            energies_gev,
            dsigma_de_pb_per_gev: points_pb.iter().map(|p| p.1).collect(),
            dsigma_de_cm2_per_gev: values,
            sigma_cm2,
            selects_electrons,
            statistical_relative_error: None,
        })
    }

    /// Reads a CSV table with the header `energy_gev,dsigma_de_pb_per_gev` (lines starting with
    /// `#` are comments).
    ///
    /// # Errors
    /// A message naming the file and line for an unreadable file, a wrong header, a field that
    /// is not a number, or points that [`TabulatedSpectrum::from_points`] rejects.
    pub fn read_csv(path: &Path, selects_electrons: bool) -> Result<Self, InputError> {
        let name = path.display().to_string();
        if path.is_dir() {
            return Err(InputError::Directory {
                path: name,
                what: "a spectrum table",
            });
        }
        let text = crate::files::read_text(path).map_err(|e| InputError::Unreadable {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        Self::parse_csv(&text, &name, selects_electrons)
    }

    /// As [`TabulatedSpectrum::read_csv`], from the text of the file (`name` names it in
    /// messages).
    ///
    /// # Errors
    /// As [`TabulatedSpectrum::read_csv`].
    pub fn parse_csv(text: &str, name: &str, selects_electrons: bool) -> Result<Self, InputError> {
        let at = |line: usize, message: String| InputError::Line {
            file: name.to_string(),
            line,
            message,
        };
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        let (header_line, header) = lines.next().ok_or_else(|| InputError::Content {
            file: name.to_string(),
            message: "the table is empty".into(),
        })?;
        let columns: Vec<&str> = header.split(',').map(str::trim).collect();
        if columns != ["energy_gev", "dsigma_de_pb_per_gev"] {
            return Err(at(
                header_line + 1,
                format!("the header must be 'energy_gev,dsigma_de_pb_per_gev', got '{header}'"),
            ));
        }
        let mut points = Vec::new();
        for (k, line) in lines {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let number = |i: usize, what: &str| -> Result<f64, InputError> {
                let field = fields.get(i).copied().unwrap_or("");
                field
                    .parse::<f64>()
                    .map_err(|_| at(k + 1, format!("{what} '{field}' is not a number")))
            };
            if fields.len() != 2 {
                return Err(at(
                    k + 1,
                    format!("expected two fields 'energy_gev,dsigma_de_pb_per_gev', got '{line}'"),
                ));
            }
            let (e, v) = (number(0, "energy")?, number(1, "dsigma/dE")?);
            // Check point by point so that the message names the line.
            let previous = points.last().map(|p: &(f64, f64)| p.0);
            if !(ENERGY_RANGE_GEV.0..=ENERGY_RANGE_GEV.1).contains(&e) {
                return Err(at(
                    k + 1,
                    format!(
                        "energy {field} GeV is outside {} - {} GeV, the positron energies darksens is built for",
                        ENERGY_RANGE_GEV.0,
                        ENERGY_RANGE_GEV.1,
                        field = fields[0]
                    ),
                ));
            }
            if !(e.is_finite() && e > 0.0) || previous.is_some_and(|p| e <= p) {
                return Err(at(
                    k + 1,
                    format!(
                        "energies must be positive and increase, got {e}{}",
                        previous.map_or(String::new(), |p| format!(" after {p}"))
                    ),
                ));
            }
            if !(v.is_finite() && (0.0..=MAX_DSIGMA_DE_PB_PER_GEV).contains(&v)) {
                return Err(at(
                    k + 1,
                    format!(
                        "dsigma/dE must be finite, non-negative and at most {MAX_DSIGMA_DE_PB_PER_GEV:e} pb/GeV, got {}",
                        fields[1]
                    ),
                ));
            }
            points.push((e, v));
        }
        Self::from_points(name, &points, selects_electrons)
    }

    /// The spectrum of weighted samples `(weight in pb, energy in GeV)` whose weights add up to
    /// the cross section: histogrammed in `bins` equal bins between the lowest and highest
    /// energy, then the linear interpolant through the bin centres (flat over the outer half
    /// bins), scaled so that it integrates to the sum of the weights. Returns the spectrum and the
    /// histogram range.
    ///
    /// # Errors
    /// Fewer than two samples, all at one energy, or weights that do not add up to a positive
    /// finite number.
    pub fn histogram(
        source: &str,
        samples: &[(f64, f64)],
        bins: usize,
        selects_electrons: bool,
    ) -> Result<(Self, (f64, f64)), InputError> {
        let content = |message: String| InputError::Content {
            file: source.to_string(),
            message,
        };
        if samples.len() < 2 {
            return Err(content(format!(
                "{} sample(s); at least two are needed for a spectrum",
                samples.len()
            )));
        }
        let lo = samples.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
        let hi = samples
            .iter()
            .map(|s| s.1)
            .fold(f64::NEG_INFINITY, f64::max);
        if !(hi > lo && lo.is_finite() && hi.is_finite()) {
            return Err(content(format!(
                "every sample has the energy {lo} GeV; no spectrum can be made"
            )));
        }
        let bins = bins.max(1);
        let width = (hi - lo) / bins as f64;
        let mut sums = vec![0.0; bins];
        for (w, e) in samples {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a bin index in [0, bins)"
            )]
            let b = (((e - lo) / width) as usize).min(bins - 1);
            sums[b] += w;
        }
        let sigma_pb: f64 = sums.iter().sum();
        if !(sigma_pb.is_finite() && sigma_pb > 0.0) {
            return Err(content(format!(
                "the selected weights add up to {sigma_pb} pb; they must be positive"
            )));
        }
        let density: Vec<f64> = sums.iter().map(|s| s / width).collect();
        let mut points = vec![(lo, density[0])];
        points.extend(
            density
                .iter()
                .enumerate()
                .map(|(b, d)| (lo + (b as f64 + 0.5) * width, *d)),
        );
        points.push((hi, density[bins - 1]));
        let raw = Self::from_points(source, &points, selects_electrons)?;
        let scale = sigma_pb / (raw.sigma_cm2() / PICOBARN_CM2);
        let scaled: Vec<(f64, f64)> = points.iter().map(|(e, d)| (*e, d * scale)).collect();
        Ok((
            Self::from_points(source, &scaled, selects_electrons)?,
            (lo, hi),
        ))
    }

    /// `dsigma/dE` in cm^2/GeV, linear between the points, zero outside.
    #[must_use]
    pub fn dsigma_de_cm2_per_gev(&self, energy_gev: f64) -> f64 {
        let e = &self.energies_gev;
        if !(energy_gev >= e[0] && energy_gev <= e[e.len() - 1]) {
            return 0.0;
        }
        let k = e
            .partition_point(|x| *x <= energy_gev)
            .clamp(1, e.len() - 1);
        let t = (energy_gev - e[k - 1]) / (e[k] - e[k - 1]);
        let v = &self.dsigma_de_cm2_per_gev;
        v[k - 1] + t * (v[k] - v[k - 1])
    }

    /// The cross section, cm^2 (the trapezoid sum, exact for the linear interpolant).
    #[must_use]
    pub fn sigma_cm2(&self) -> f64 {
        self.sigma_cm2
    }

    /// Lowest energy, GeV.
    #[must_use]
    pub fn e_min_gev(&self) -> f64 {
        self.energies_gev[0]
    }

    /// Highest energy, GeV.
    #[must_use]
    pub fn e_max_gev(&self) -> f64 {
        self.energies_gev[self.energies_gev.len() - 1]
    }

    /// The points as given, `(GeV, pb/GeV)`: `from_points` of them gives this spectrum again,
    /// bit for bit.
    #[must_use]
    pub fn points_pb(&self) -> Vec<(f64, f64)> {
        self.energies_gev
            .iter()
            .copied()
            .zip(self.dsigma_de_pb_per_gev.iter().copied())
            .collect()
    }

    /// The table as CSV text (`energy_gev,dsigma_de_pb_per_gev`, shortest round-trip numbers,
    /// so reading it back gives the same spectrum bit for bit), after `#` comment lines.
    #[must_use]
    pub fn to_csv(&self, comments: &[String]) -> String {
        use std::fmt::Write as _;
        let mut text = String::new();
        for c in comments {
            let _ = writeln!(text, "# {c}");
        }
        text.push_str("energy_gev,dsigma_de_pb_per_gev\n");
        for (e, v) in self.points_pb() {
            let _ = writeln!(text, "{e:?},{v:?}");
        }
        text
    }

    /// The energies of the points, GeV (the kinks of the interpolant).
    #[must_use]
    pub fn nodes_gev(&self) -> &[f64] {
        &self.energies_gev
    }

    /// Whether the table describes the selected electron (control sample) rather than the
    /// positron.
    #[must_use]
    pub fn selects_electrons(&self) -> bool {
        self.selects_electrons
    }

    /// The spectrum of a Monte Carlo sample whose selected cross section is known to
    /// `relative_error` (statistical).
    #[must_use]
    pub fn with_statistical_error(self, relative_error: f64) -> Self {
        Self {
            statistical_relative_error: Some(relative_error),
            ..self
        }
    }

    /// The selected cross section's relative statistical error: `Some` for an event file's
    /// histogram, `None` for a table (whose numbers are taken as exact).
    #[must_use]
    pub fn statistical_relative_error(&self) -> Option<f64> {
        self.statistical_relative_error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::{Tolerance, integrate};
    use approx::assert_relative_eq;

    #[test]
    fn linear_interpolation_integrates_to_the_trapezoid_sum() {
        let points = [(4.0, 100.0), (5.0, 300.0), (6.5, 0.0)];
        let s = TabulatedSpectrum::from_points("t", &points, false).expect("valid");
        // 0.5 (100 + 300) + 0.5 * 1.5 * 300 = 200 + 225 pb.
        assert_relative_eq!(
            s.sigma_cm2() / PICOBARN_CM2,
            425.0,
            max_relative = 1e-14,
            epsilon = 0.0
        );
        assert_relative_eq!(
            s.dsigma_de_cm2_per_gev(4.5) / PICOBARN_CM2,
            200.0,
            max_relative = 1e-14,
            epsilon = 0.0
        );
        assert_eq!(s.dsigma_de_cm2_per_gev(3.9), 0.0);
        assert_eq!(s.dsigma_de_cm2_per_gev(6.6), 0.0);
        // A second method: adaptive quadrature with the kinks as break points.
        let numeric = integrate(
            |e| s.dsigma_de_cm2_per_gev(e),
            s.nodes_gev(),
            Tolerance::relative(1e-13),
        );
        assert_relative_eq!(
            numeric.value,
            s.sigma_cm2(),
            max_relative = 1e-12,
            epsilon = 0.0
        );
    }

    #[test]
    fn bad_points_are_rejected_with_their_position() {
        let bad = |points: &[(f64, f64)]| {
            TabulatedSpectrum::from_points("t", points, false)
                .expect_err("rejected")
                .to_string()
        };
        assert!(bad(&[(4.0, 1.0)]).contains("at least two points"));
        assert!(bad(&[(4.0, 1.0), (4.0, 2.0)]).contains("point 2: energies must increase"));
        assert!(bad(&[(4.0, 1.0), (5.0, -2.0)]).contains("point 2: dsigma/dE"));
        assert!(bad(&[(4.0, f64::NAN), (5.0, 2.0)]).contains("point 1"));
        assert!(bad(&[(4.0, 0.0), (5.0, 0.0)]).contains("integrates to 0 pb"));
    }
}
