//! Invisibly decaying scalar mediator with Dirac dark matter [DPT App. E].

use crate::units::ELEMENTARY_CHARGE_SQUARED;

/// A scalar `phi` of mass `m_phi` coupled to Dirac dark matter with `alpha_D = g_chi^2/4pi` and to
/// leptons with `e eps` (the normalisation of [DPT Eq. E.3], which writes `e^2 eps^2`; the
/// Lagrangian [Eq. E.1] writes `eps`, and docs/physics.md follows E.3). Rates are per `eps^2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scalar {
    /// Scalar mass `m_phi` in GeV.
    pub mass_gev: f64,
    /// Dark coupling `alpha_D`.
    pub alpha_d: f64,
    /// `m_chi / m_phi`; must be below 1/2.
    pub mchi_over_mmed: f64,
}

impl Scalar {
    /// Dark-matter mass `m_chi` in GeV.
    #[must_use]
    pub fn dm_mass_gev(&self) -> f64 {
        self.mchi_over_mmed * self.mass_gev
    }

    /// Invisible (= total) width in GeV [DPT Eq. E.2]:
    /// `(m_phi alpha_D / 2)(1 - 4 m_chi^2/m_phi^2) sqrt(1 - 4 m_chi^2/m_phi^2)`.
    #[must_use]
    pub fn width_gev(&self) -> f64 {
        let r2 = self.mchi_over_mmed * self.mchi_over_mmed;
        self.mass_gev * self.alpha_d / 2.0 * (1.0 - 4.0 * r2).max(0.0).powf(1.5)
    }

    /// `e+ e- -> phi(*) -> chi chi` at `eps = 1`, in GeV^-2 [DPT Eq. E.3]:
    /// `(e^2 alpha_D / 4)(s - 4 m_chi^2) / ((s - m^2)^2 + Gamma^2 m^2) sqrt(1 - 4 m_chi^2/s)`.
    ///
    /// `s_minus_m2 = s - m_phi^2`, passed separately to evaluate the peak without cancellation.
    #[must_use]
    pub fn sigma_annihilation_gev2(&self, s: f64, s_minus_m2: f64) -> f64 {
        let mchi2 = self.dm_mass_gev().powi(2);
        let beta2 = 1.0 - 4.0 * mchi2 / s;
        if beta2 <= 0.0 {
            return 0.0;
        }
        let m2 = self.mass_gev * self.mass_gev;
        let gamma = self.width_gev();
        ELEMENTARY_CHARGE_SQUARED * self.alpha_d / 4.0 * (s - 4.0 * mchi2)
            / (s_minus_m2 * s_minus_m2 + gamma * gamma * m2)
            * beta2.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::DarkPhoton;
    use crate::numerics::quadrature::{Tolerance, integrate_peak};
    use crate::units::ALPHA;
    use approx::assert_relative_eq;
    use std::f64::consts::PI;

    /// Narrow-width limit: with the width of Eq. E.2, Eq. E.3 integrated over s is
    /// `pi e^2 / 2`, half the dark photon's `pi e^2` -- the (2J+1) Gamma(M -> ee) counting of
    /// [DPT App. E], so the limit on eps is sqrt(2) weaker (docs/physics.md §6b: computed 1.403).
    #[test]
    fn narrow_width_integral_is_half_the_vector_one() {
        let k = 100.0_f64;
        let scalar = Scalar {
            mass_gev: 0.0667,
            alpha_d: 1e-4,
            mchi_over_mmed: 1.0 / 3.0,
        };
        let m2 = scalar.mass_gev.powi(2);
        let width = scalar.width_gev() * scalar.mass_gev;
        let est = integrate_peak(
            |x, offset| scalar.sigma_annihilation_gev2(m2 + x, offset),
            -k * width,
            k * width,
            0.0,
            width,
            Tolerance::relative(1e-12),
        );
        let exact = 4.0 * PI * ALPHA / 2.0 * PI * 2.0 / PI * k.atan();
        assert_relative_eq!(est.value, exact, max_relative = 1e-5, epsilon = 0.0);
        let vector = DarkPhoton {
            mass_gev: 0.0667,
            alpha_d: 1e-4,
            mchi_over_mmed: 1.0 / 3.0,
        };
        let vector_width = vector.width_gev() * vector.mass_gev;
        let v = integrate_peak(
            |x, offset| vector.sigma_annihilation_gev2(m2 + x, offset),
            -k * vector_width,
            k * vector_width,
            0.0,
            vector_width,
            Tolerance::relative(1e-12),
        );
        assert_relative_eq!(v.value / est.value, 2.0, max_relative = 1e-5, epsilon = 0.0);
    }

    /// [DPT Eq. E.2] at m_chi = m/3: Gamma = (m alpha_D/2)(5/9)^(3/2).
    #[test]
    fn width_closed_form() {
        let scalar = Scalar {
            mass_gev: 0.1,
            alpha_d: 0.01,
            mchi_over_mmed: 1.0 / 3.0,
        };
        assert_relative_eq!(
            scalar.width_gev(),
            0.1 * 0.01 / 2.0 * (5.0f64 / 9.0).powf(1.5),
            max_relative = 1e-14,
            epsilon = 0.0
        );
    }
}
