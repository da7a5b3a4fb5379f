//! Dark-photon production in `e+ e-` collisions at a centre-of-mass energy `sqrt s`
//! [EMU Eq. 4-5], and the `e+ e- -> mu+ mu-` background [EMU Eq. 17]. Cross sections in GeV^-2
//! (see [`crate::units::gev2_to_pb`]); angles are those of the `A'` (Eq. 4), of `phi1` (Eq. 5)
//! or of the `mu-` (Eq. 17) from the `e-` beam in the centre-of-mass frame.

use crate::models::inelastic::{InelasticScalar, kallen};
use crate::units::{ALPHA, ELECTRON_MASS_GEV};
use std::f64::consts::PI;

/// `dsigma/dcos(theta)` of `e+ e- -> gamma A'` at kinetic mixing `eps`, GeV^-2 [EMU Eq. 4]:
/// `2 pi eps^2 alpha^2 [(s + M^2)^2 + (s - M^2)^2 cos^2] / (s (s - M^2)(s sin^2 + 4 m_e^2))`,
/// the electron mass kept only where it regulates the collinear poles.
#[must_use]
pub fn dsigma_dcos_gamma_aprime(s: f64, m_aprime_gev: f64, epsilon: f64, cos_theta: f64) -> f64 {
    let m2 = m_aprime_gev * m_aprime_gev;
    if m2 >= s {
        return 0.0;
    }
    let sin2 = (1.0 - cos_theta * cos_theta).max(0.0);
    2.0 * PI
        * epsilon.powi(2)
        * ALPHA.powi(2)
        * ((s + m2).powi(2) + (s - m2).powi(2) * cos_theta * cos_theta)
        / (s * (s - m2) * (s * sin2 + 4.0 * ELECTRON_MASS_GEV.powi(2)))
}

/// `sigma(e+ e- -> gamma A')` over `|cos(theta)| <= c_max`, GeV^-2: the integral of Eq. 4 in
/// closed form (docs/physics.md §8, under Eq. 4), with `delta = 4 m_e^2/s`, `r = sqrt(1 + delta)`:
/// `2 pi eps^2 alpha^2 / (s^2 (s - M^2)) [((s + M^2)^2 + (s - M^2)^2 (1 + delta)) (2/r)
///  artanh(c/r) - 2 (s - M^2)^2 c]`.
#[must_use]
pub fn sigma_gamma_aprime(s: f64, m_aprime_gev: f64, epsilon: f64, c_max: f64) -> f64 {
    let m2 = m_aprime_gev * m_aprime_gev;
    if m2 >= s {
        return 0.0;
    }
    let c = c_max.clamp(0.0, 1.0);
    let delta = 4.0 * ELECTRON_MASS_GEV.powi(2) / s;
    let r = (1.0 + delta).sqrt();
    2.0 * PI * epsilon.powi(2) * ALPHA.powi(2) / (s * s * (s - m2))
        * (((s + m2).powi(2) + (s - m2).powi(2) * (1.0 + delta)) * 2.0 / r * (c / r).atanh()
            - 2.0 * (s - m2).powi(2) * c)
}

/// The normalisation of the off-shell cross section [EMU Eq. 5].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OffShellNormalisation {
    /// `1/16`: the derivation (pointlike scalar pair production), consistent with the paper's own
    /// co-annihilation cross section [EMU Eq. 3] and the standard scalar-DM result. The default.
    Derived,
    /// `1/32`: as printed in the paper.
    Printed,
}

impl OffShellNormalisation {
    /// The denominator, 16 or 32.
    #[must_use]
    pub fn denominator(self) -> f64 {
        match self {
            Self::Derived => 16.0,
            Self::Printed => 32.0,
        }
    }
}

/// `dsigma/dcos(theta_1)` of `e+ e- -> A'* -> phi1 phi2`, GeV^-2 [EMU Eq. 5]:
/// `eps^2 alpha g_D^2 s / (N (s - M^2)^2) (1 - (m1 + m2)^2/s)^(3/2) (1 - (m1 - m2)^2/s)^(3/2)
///  sin^2(theta_1)`, with `N = 16` (derived) or 32 (printed); zero below threshold.
#[must_use]
pub fn dsigma_dcos_off_shell(
    s: f64,
    model: &InelasticScalar,
    normalisation: OffShellNormalisation,
    cos_theta: f64,
) -> f64 {
    let (m1, m2) = (model.m1_gev, model.m2_gev);
    let threshold = (1.0 - (m1 + m2).powi(2) / s) * (1.0 - (m1 - m2).powi(2) / s);
    if threshold <= 0.0 {
        return 0.0;
    }
    model.epsilon.powi(2) * ALPHA * model.g_d.powi(2) * s
        / (normalisation.denominator() * (s - model.m_aprime_gev.powi(2)).powi(2))
        * threshold.powf(1.5)
        * (1.0 - cos_theta * cos_theta).max(0.0)
}

/// `sigma(e+ e- -> A'* -> phi1 phi2)`, GeV^-2: Eq. 5 integrated (`integral sin^2 = 4/3`).
#[must_use]
pub fn sigma_off_shell(
    s: f64,
    model: &InelasticScalar,
    normalisation: OffShellNormalisation,
) -> f64 {
    4.0 / 3.0 * dsigma_dcos_off_shell(s, model, normalisation, 0.0)
}

/// Momentum of each particle of a two-body final state of masses `m1`, `m2` at `sqrt s`, GeV:
/// `p = lambda^(1/2)(s, m1^2, m2^2) / (2 sqrt s)` with the Kallen function (two-body kinematics;
/// the `lambda` of [EMU Eq. 6]); zero below threshold.
#[must_use]
pub fn two_body_momentum_gev(sqrt_s: f64, m1: f64, m2: f64) -> f64 {
    kallen(sqrt_s * sqrt_s, m1 * m1, m2 * m2).max(0.0).sqrt() / (2.0 * sqrt_s)
}

/// `dsigma/dcos(theta)` of `e+ e- -> mu+ mu-` at lowest order, massless, GeV^-2 [EMU Eq. 17]:
/// `pi alpha^2 / (2 s) (1 + cos^2 theta)`.
#[must_use]
pub fn dsigma_dcos_mumu(s: f64, cos_theta: f64) -> f64 {
    PI * ALPHA * ALPHA / (2.0 * s) * (1.0 + cos_theta * cos_theta)
}

/// Total cross section of `e+ e- -> mu+ mu-` at lowest order, massless, GeV^-2: the integral
/// of [`dsigma_dcos_mumu`] over `cos(theta)`, `4 pi alpha^2 / (3 s)`.
#[must_use]
pub fn sigma_mumu_gev2(s: f64) -> f64 {
    4.0 * PI * ALPHA.powi(2) / (3.0 * s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::{Tolerance, integrate};
    use approx::assert_relative_eq;

    /// The two-body momentum against its closed forms: one massless particle,
    /// `p = (s - m1^2)/(2 sqrt s)`; equal masses, `p = sqrt(s/4 - m^2)`; below threshold, 0.
    #[test]
    fn two_body_momentum_closed_forms() {
        let (sqrt_s, m) = (10.58_f64, 4.341);
        let s = sqrt_s * sqrt_s;
        assert_relative_eq!(
            two_body_momentum_gev(sqrt_s, m, 0.0),
            (s - m * m) / (2.0 * sqrt_s),
            max_relative = 1e-14,
            epsilon = 0.0
        );
        assert_relative_eq!(
            two_body_momentum_gev(sqrt_s, m, m),
            (s / 4.0 - m * m).sqrt(),
            max_relative = 1e-14,
            epsilon = 0.0
        );
        assert_eq!(two_body_momentum_gev(sqrt_s, 6.0, 5.0), 0.0);
    }
    /// The closed form of Eq. 4's integral against quadrature of Eq. 4 itself, in
    /// `cos = tanh(u)`, where the collinear peaks of width `4 m_e^2/s` become smooth
    /// (`dcos = sech^2 u du` cancels the `sin^2`); BESIII and Belle II energies.
    #[test]
    fn gamma_aprime_closed_form_against_quadrature() {
        for (sqrt_s, mass) in [(3.773_f64, 1.0), (10.58, 3.0), (10.58, 8.0)] {
            let s = sqrt_s * sqrt_s;
            for c_max in [0.8_f64, 1.0] {
                let u_max = if c_max < 1.0 { c_max.atanh() } else { 25.0 };
                let numeric = integrate(
                    |u| {
                        let c = u.tanh();
                        let sech2 = 1.0 / u.cosh().powi(2);
                        dsigma_dcos_gamma_aprime(s, mass, 1e-3, c) * sech2
                    },
                    &if u_max > 3.0 {
                        // The collinear peaks sit where sech^2 u ~ 4 m_e^2/s, u ~ 8-11.
                        let mut b: Vec<f64> = (-8..=8).map(|k| 3.0 * f64::from(k) / 2.0).collect();
                        b.insert(0, -u_max);
                        b.push(u_max);
                        b
                    } else {
                        vec![-u_max, 0.0, u_max]
                    },
                    Tolerance::relative(1e-9),
                );
                // Near the peaks cos = tanh(u) is within 1e-8 of 1, so sin^2 = 1 - cos^2 carries
                // a relative rounding error of 1e-8: that bounds this comparison.
                assert!(numeric.converged, "{numeric:?}");
                assert_relative_eq!(
                    sigma_gamma_aprime(s, mass, 1e-3, c_max),
                    numeric.value,
                    max_relative = 1e-7,
                    epsilon = 0.0
                );
            }
        }
    }

    /// Eq. 4 at `c_max = 1` against its leading-log form (docs/physics.md §8):
    /// `4 pi eps^2 alpha^2 / s [(1 + M^4/s^2)/(1 - M^2/s) ln(s/m_e^2) - (1 - M^2/s)]`,
    /// which neglects terms of order `m_e^2/s`.
    #[test]
    fn gamma_aprime_leading_log() {
        let (s, mass) = (10.58_f64.powi(2), 8.0_f64);
        let x = mass * mass / s;
        let leading = 4.0 * PI * 1e-6 * ALPHA * ALPHA / s
            * ((1.0 + x * x) / (1.0 - x) * (s / ELECTRON_MASS_GEV.powi(2)).ln() - (1.0 - x));
        assert_relative_eq!(
            sigma_gamma_aprime(s, mass, 1e-3, 1.0),
            leading,
            max_relative = 1e-6,
            epsilon = 0.0
        );
    }

    /// Eq. 5 with `m1 = m2` is the standard scalar pair cross section
    /// `pi eps^2 alpha alpha_D s beta^3 / (3 (s - M^2)^2)`; the printed normalisation is half.
    #[test]
    fn off_shell_closed_form() {
        let model = InelasticScalar {
            m_aprime_gev: 14.0,
            m1_gev: 4.9,
            m2_gev: 4.9,
            epsilon: 1e-3,
            g_d: 0.1,
        };
        let s = 10.58_f64.powi(2);
        let beta = (1.0 - 4.0 * 4.9_f64.powi(2) / s).sqrt();
        let standard = PI * 1e-6 * ALPHA * model.alpha_d() * s * beta.powi(3)
            / (3.0 * (s - 196.0_f64).powi(2));
        assert_relative_eq!(
            sigma_off_shell(s, &model, OffShellNormalisation::Derived),
            standard,
            max_relative = 1e-13,
            epsilon = 0.0
        );
        assert_relative_eq!(
            sigma_off_shell(s, &model, OffShellNormalisation::Printed),
            0.5 * standard,
            max_relative = 1e-13,
            epsilon = 0.0
        );
    }

    /// Eq. 17 integrates to the pointlike `4 pi alpha^2 / (3 s)` ([`sigma_mumu_gev2`] against
    /// the quadrature of the differential cross section).
    #[test]
    fn mumu_total() {
        let s = 3.78_f64.powi(2);
        let total = integrate(
            |c| dsigma_dcos_mumu(s, c),
            &[-1.0, 1.0],
            Tolerance::relative(1e-13),
        );
        assert_relative_eq!(
            total.value,
            sigma_mumu_gev2(s),
            max_relative = 1e-12,
            epsilon = 0.0
        );
    }
}
