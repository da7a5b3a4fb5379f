//! The checks every scenario kind shares: each names the key it checks, what is wrong and what
//! the value means. Errors are [`ScenarioError`]s not yet located in a file: the document adds
//! the file, the line and where the value came from.

use crate::error::ScenarioError;

/// A validation failure: the key, what is wrong, and how to fix it.
pub(crate) fn invalid(
    key: &str,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> ScenarioError {
    ScenarioError::at_key(key, message, hint)
}

/// A positive, finite number (of `unit`, when given).
pub(crate) fn positive(
    key: &str,
    value: f64,
    unit: &str,
    meaning: &str,
) -> Result<f64, ScenarioError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        // An infinity is positive: what it lacks is being finite.
        let positive = if value.is_infinite() {
            "finite positive"
        } else {
            "positive"
        };
        Err(invalid(
            key,
            if unit.is_empty() {
                format!(
                    "must be a {positive} number, got {}",
                    crate::units::format_number(value)
                )
            } else {
                format!(
                    "must be a {positive} number of {unit}, got {}",
                    crate::units::format_number(value)
                )
            },
            meaning,
        ))
    }
}

/// A number in `[lo, hi]` (of `unit`): the range where the physics and the numerics of darksens
/// hold and are tested; `why` says what bounds it.
pub(crate) fn within(
    key: &str,
    value: f64,
    (lo, hi): (f64, f64),
    unit: &str,
    why: &str,
) -> Result<f64, ScenarioError> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        let number = crate::units::format_number;
        // Bounds converted between units (X0 to cm) to six figures: 5.612, not
        // 5.612000000000001.
        let bound = |b: f64| crate::units::format_rounded(b, 6);
        Err(invalid(
            key,
            format!(
                "must be between {} and {}{}, got {}",
                bound(lo),
                bound(hi),
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" {unit}")
                },
                number(value)
            ),
            why,
        ))
    }
}

/// Beam energies darksens is tested for, GeV.
pub(crate) const BEAM_ENERGY_RANGE_GEV: (f64, f64) = (0.01, 1e4);
/// Why beam energies are bounded.
pub(crate) const BEAM_ENERGY_WHY: &str = "darksens is tested for beams from 10 MeV to 10 TeV (shower tables, spectra, yields); outside, results are not guaranteed";
/// The most energetic electron or positron beam built or designed, GeV: CLIC's 1.5 TeV beams
/// (3 TeV collisions). A beam energy or spectrum above it is most likely given in MeV, and is
/// named in a warning (it stays valid up to [`BEAM_ENERGY_RANGE_GEV`]).
pub(crate) const LARGEST_LEPTON_BEAM_GEV: f64 = 1500.0;
/// Mediator masses darksens accepts, MeV: below 1 keV the bremsstrahlung integrals lose their
/// tolerance; above 10 TeV no source here reaches.
pub(crate) const MASS_RANGE_MEV: (f64, f64) = (1e-3, 1e7);
/// Why mediator masses are bounded.
pub(crate) const MASS_WHY: &str =
    "masses from 1 keV to 10 TeV (below 1 keV the bremsstrahlung integrals miss their tolerance)";

/// A number in `[0, 1)`, or `(0, 1)` when `lo_open`.
pub(crate) fn fraction(
    key: &str,
    value: f64,
    lo_open: bool,
    meaning: &str,
) -> Result<f64, ScenarioError> {
    let ok = value.is_finite() && value < 1.0 && if lo_open { value > 0.0 } else { value >= 0.0 };
    if ok {
        Ok(value)
    } else {
        let range = if lo_open {
            "0 < value < 1"
        } else {
            "0 <= value < 1"
        };
        Err(invalid(
            key,
            format!(
                "must satisfy {range}, got {}",
                crate::units::format_number(value)
            ),
            meaning,
        ))
    }
}

/// A positive number that the source kind needs.
pub(crate) fn required(
    key: &str,
    value: Option<f64>,
    unit: &str,
    meaning: &str,
) -> Result<f64, ScenarioError> {
    required_for(key, value, unit, meaning, "this source kind")
}

/// A positive number that `what` needs ("this source kind", "an invisible decay").
pub(crate) fn required_for(
    key: &str,
    value: Option<f64>,
    unit: &str,
    meaning: &str,
    what: &str,
) -> Result<f64, ScenarioError> {
    let v = value.ok_or_else(|| invalid(key, format!("is required for {what}"), meaning))?;
    positive(key, v, unit, meaning)
}

/// A key that must be absent for a source kind.
pub(crate) fn unused(key: &str, present: bool, kind: &str) -> Result<(), ScenarioError> {
    if present {
        Err(invalid(
            key,
            format!("is not used by source.kind = \"{kind}\""),
            "remove it, or choose the source kind it belongs to",
        ))
    } else {
        Ok(())
    }
}
