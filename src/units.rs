//! Physical constants and unit conversions.
//!
//! darksens works in natural units with energies, masses and momenta in GeV. Conversions to
//! laboratory units happen only here and at the scenario and output edges. Every constant names
//! its source; the values are those of docs/physics.md §1 (PDG 2022 / CODATA 2018).

/// Fine-structure constant alpha = 1/137.035999 (CODATA 2018, low-energy value).
pub const ALPHA: f64 = 1.0 / 137.035_999;

/// The squared elementary charge in natural (Heaviside–Lorentz) units, `e^2 = 4 pi alpha`:
/// a coupling `eps e` to electrons, and the cross sections' `e^2`.
pub const ELEMENTARY_CHARGE_SQUARED: f64 = 4.0 * std::f64::consts::PI * ALPHA;

/// Electron mass in GeV (CODATA 2018: 0.51099895 MeV).
pub const ELECTRON_MASS_GEV: f64 = 0.510_998_95e-3;

/// Muon mass in GeV (PDG 2022: 105.6583755 MeV).
pub const MUON_MASS_GEV: f64 = 0.105_658_375_5;

/// Tau mass in GeV (PDG 2022: 1776.86 MeV).
pub const TAU_MASS_GEV: f64 = 1.776_86;

/// Charged-pion mass in GeV (PDG 2022: 139.57039 MeV): the hadronic threshold is `2 m_pi`.
pub const CHARGED_PION_MASS_GEV: f64 = 0.139_570_39;

/// hbar c in GeV m (CODATA 2018: 197.3269804 MeV fm): converts a width to a decay length.
pub const HBARC_GEV_M: f64 = 1.973_269_804e-16;

/// (hbar c)^2 in cm^2 GeV^2: converts a cross section in GeV^-2 to cm^2 (PDG 2022, 0.3893794 mb GeV^2).
pub const HBARC2_CM2_GEV2: f64 = 0.389_379_4e-27;

/// One picobarn in cm^2.
pub const PICOBARN_CM2: f64 = 1.0e-36;

/// One inverse attobarn in cm^-2 (1 ab = 1e-42 cm^2).
pub const INVERSE_ATTOBARN_CM2: f64 = 1.0e42;

/// Avogadro constant in mol^-1 (SI 2019, exact).
pub const AVOGADRO_PER_MOL: f64 = 6.022_140_76e23;

/// Square centimetres per square metre.
pub const CM2_PER_M2: f64 = 1.0e4;

/// Square metres per square centimetre.
pub const M2_PER_CM2: f64 = 1.0e-4;

/// Converts MeV to GeV.
pub const GEV_PER_MEV: f64 = 1.0e-3;

/// Converts a cross section in GeV^-2 to picobarn.
#[must_use]
pub fn gev2_to_pb(sigma_inv_gev2: f64) -> f64 {
    sigma_inv_gev2 * HBARC2_CM2_GEV2 / PICOBARN_CM2
}

/// Converts a cross section in GeV^-2 to cm^2.
#[must_use]
pub fn gev2_to_cm2(sigma_inv_gev2: f64) -> f64 {
    sigma_inv_gev2 * HBARC2_CM2_GEV2
}

/// Converts an integrated luminosity in ab^-1 to cm^-2.
#[must_use]
pub fn luminosity_ab_to_cm2(luminosity_ab: f64) -> f64 {
    luminosity_ab * INVERSE_ATTOBARN_CM2
}

/// Shortest decimal representation that reads back to the same `f64`: plain notation for
/// `1e-3 <= |v| < 1e15` (`66.72`, `1`), scientific otherwise (`1.2119e-5`, `5.998e11`).
///
/// Both forms are the shortest round-trip digits of Rust's float formatting (`{}` and `{:e}`
/// without a precision).
#[must_use]
pub fn format_number(value: f64) -> String {
    let mut text = String::new();
    write_number(&mut text, value);
    text
}

/// [`format_number`] appended to `out` (no allocation of its own: the CSV writes every number of
/// a large scan this way).
pub fn write_number(out: &mut String, value: f64) {
    use std::fmt::Write as _;
    let magnitude = value.abs();
    // Writing into a String cannot fail.
    let _ = if value == 0.0 || (1e-3..1e15).contains(&magnitude) {
        write!(out, "{value}")
    } else {
        write!(out, "{value:e}")
    };
}

/// `value` to `digits` significant figures, in [`format_number`]'s form without trailing
/// zeros: for messages, where 5.612000000000001 or 1005.600000 would be noise
/// (`format_rounded(1005.6, 6)` is `1005.6`, `format_rounded(319.695_163, 6)` is `319.695`).
#[must_use]
pub fn format_rounded(value: f64, digits: usize) -> String {
    format_number(rounded(value, digits))
}

/// `value` to `digits` significant figures for a table read by eye: plain notation for
/// `1e-3 <= |v| < 1e6` and zero, scientific otherwise, no trailing zeros
/// (`format_significant(599_836_553_751.399, 6)` is `5.99837e11`,
/// `format_significant(15.632_122_930_391_255, 6)` is `15.6321`).
#[must_use]
pub fn format_significant(value: f64, digits: usize) -> String {
    let short = rounded(value, digits);
    if short == 0.0 || (1e-3..1e6).contains(&short.abs()) || !short.is_finite() {
        format!("{short}")
    } else {
        format!("{short:e}")
    }
}

/// `value` rounded to `digits` significant figures (at least one), through its decimal
/// scientific form so that the result is the nearest double to the short decimal.
#[must_use]
pub fn rounded(value: f64, digits: usize) -> f64 {
    format!("{value:.*e}", digits.max(1) - 1)
        .parse()
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounded_numbers_lose_their_noise_and_keep_their_figures() {
        assert_eq!(format_rounded(1005.6, 6), "1005.6");
        assert_eq!(format_rounded(319.695_163_2, 6), "319.695");
        assert_eq!(format_rounded(0.005_612_000_000_000_001, 6), "0.005612");
        assert_eq!(format_rounded(56.120_000_000_000_005, 6), "56.12");
        assert_eq!(format_rounded(2.838_5e11, 3), "284000000000");
        assert_eq!(format_significant(599_836_553_751.399, 6), "5.99837e11");
        assert_eq!(format_significant(15.632_122_930_391_255, 6), "15.6321");
        assert_eq!(
            format_significant(1.211_948_678_523_259_5e-5, 6),
            "1.21195e-5"
        );
        assert_eq!(format_significant(4.747_200_371_858_004e-8, 6), "4.7472e-8");
        assert_eq!(format_significant(0.0, 6), "0");
        assert_eq!(format_significant(-66.72, 6), "-66.72");
    }

    #[test]
    fn picobarn_conversion_matches_hbarc2() {
        // 1 GeV^-2 = 0.3893794 mb = 3.893794e8 pb.
        approx::assert_relative_eq!(
            gev2_to_pb(1.0),
            3.893_794e8,
            max_relative = 1e-12,
            epsilon = 0.0
        );
    }

    #[test]
    fn attobarn_luminosity() {
        // 50 ab^-1 times 1 pb is 5e7 events.
        let events = luminosity_ab_to_cm2(50.0) * PICOBARN_CM2;
        approx::assert_relative_eq!(events, 5.0e7, max_relative = 1e-12, epsilon = 0.0);
    }
}
