//! Dark photon decaying to Dirac dark matter [DPT Sec. 4], or visibly to `e+ e-` with the same
//! formulas ([`DarkPhoton::visible`]).

use crate::units::{ALPHA, ELECTRON_MASS_GEV, ELEMENTARY_CHARGE_SQUARED};

/// A dark photon `A'` of mass `m_A'` coupled to Dirac dark matter `chi` with `alpha_D = g_chi^2/4pi`
/// and to electrons with `eps e` [DPT Eq. 4.1]. Rates are per `eps^2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DarkPhoton {
    /// Dark-photon mass `m_A'` in GeV.
    pub mass_gev: f64,
    /// Dark coupling `alpha_D`.
    pub alpha_d: f64,
    /// `m_chi / m_A'` (1/3 in the paper); must be below 1/2.
    pub mchi_over_mmed: f64,
}

impl DarkPhoton {
    /// A dark photon that decays visibly, to `e+ e-` only (below the muon threshold, 211 MeV,
    /// the only open channel), with kinetic mixing `epsilon` fixing its width: the invisible
    /// formulas with `chi -> e` and `alpha_D -> eps^2 alpha`, so that [`DarkPhoton::width_gev`]
    /// is `Gamma(A' -> e+ e-) = (eps^2 alpha m/3)(1 + 2 m_e^2/m^2) sqrt(1 - 4 m_e^2/m^2)` and the
    /// cross section per `eps^2` is the s-channel `e+ e- -> A' -> e+ e-` [DPT Eq. 4.2-4.3 with
    /// the electron as the final state]. Its area `integral sigma ds = pi e^2` is that of the
    /// invisible one: the yield per `eps^2` does not depend on the decay while the width is
    /// below every spread.
    #[must_use]
    pub fn visible(mass_gev: f64, epsilon: f64) -> Self {
        Self {
            mass_gev,
            alpha_d: ALPHA * epsilon * epsilon,
            mchi_over_mmed: ELECTRON_MASS_GEV / mass_gev,
        }
    }

    /// Dark-matter mass `m_chi` in GeV.
    #[must_use]
    pub fn dm_mass_gev(&self) -> f64 {
        self.mchi_over_mmed * self.mass_gev
    }

    /// Total width in GeV, `Gamma(A' -> chi chi)` [DPT Eq. 4.3]:
    /// `(m_A' alpha_D / 3)(1 + 2 m_chi^2/m_A'^2) sqrt(1 - 4 m_chi^2/m_A'^2)` (for a
    /// [`DarkPhoton::visible`], with `chi -> e`, `Gamma(A' -> e+ e-)`).
    #[must_use]
    pub fn width_gev(&self) -> f64 {
        let r2 = self.mchi_over_mmed * self.mchi_over_mmed;
        self.mass_gev * self.alpha_d / 3.0 * (1.0 + 2.0 * r2) * (1.0 - 4.0 * r2).max(0.0).sqrt()
    }

    /// `e+ e- -> A'(*) -> chi chi` cross section at `eps = 1`, in GeV^-2 [DPT Eq. 4.2]:
    /// `(e^2 alpha_D / 3)(s + 2 m_chi^2) / ((s - m^2)^2 + Gamma^2 m^2) sqrt(1 - 4 m_chi^2/s)`.
    ///
    /// `s_minus_m2` is `s - m_A'^2`, passed separately so the peak is evaluated without
    /// cancellation. Zero below threshold `s < 4 m_chi^2`.
    #[must_use]
    pub fn sigma_annihilation_gev2(&self, s: f64, s_minus_m2: f64) -> f64 {
        let mchi2 = self.dm_mass_gev().powi(2);
        let beta2 = 1.0 - 4.0 * mchi2 / s;
        if beta2 <= 0.0 {
            return 0.0;
        }
        let m2 = self.mass_gev * self.mass_gev;
        let gamma = self.width_gev();
        ELEMENTARY_CHARGE_SQUARED * self.alpha_d / 3.0 * (s + 2.0 * mchi2)
            / (s_minus_m2 * s_minus_m2 + gamma * gamma * m2)
            * beta2.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use std::f64::consts::PI;

    /// The visible width against the textbook `Gamma(A' -> e+ e-)` written out, and the area
    /// of the visible resonance against `pi e^2` (narrow-width limit, integrated numerically).
    #[test]
    fn a_visible_dark_photon_decays_to_electrons() {
        let (m, eps) = (0.017, 3e-3);
        let x17 = DarkPhoton::visible(m, eps);
        let r = ELECTRON_MASS_GEV / m;
        let textbook =
            eps * eps * ALPHA * m / 3.0 * (1.0 + 2.0 * r * r) * (1.0 - 4.0 * r * r).sqrt();
        assert_relative_eq!(
            x17.width_gev(),
            textbook,
            max_relative = 1e-14,
            epsilon = 0.0
        );
        let m2 = m * m;
        let gamma_m = x17.width_gev() * m;
        let breaks: Vec<f64> = [-1e4, -100.0, -10.0, -1.0, 0.0, 1.0, 10.0, 100.0, 1e4]
            .iter()
            .map(|k| m2 + k * gamma_m)
            .collect();
        let area = crate::numerics::quadrature::integrate(
            |s| x17.sigma_annihilation_gev2(s, s - m2),
            &breaks,
            crate::numerics::quadrature::Tolerance::relative(1e-10),
        );
        // The Lorentzian beyond 1e4 half widths holds 2/(1e4 pi) of the area.
        let expected = PI * 4.0 * PI * ALPHA * (1.0 - 2.0 / (1e4 * PI));
        assert_relative_eq!(area.value, expected, max_relative = 1e-6, epsilon = 0.0);
    }

    fn benchmark(alpha_d: f64) -> DarkPhoton {
        DarkPhoton {
            mass_gev: 0.0667,
            alpha_d,
            mchi_over_mmed: 1.0 / 3.0,
        }
    }

    /// Narrow-width limit: with the width of Eq. 4.3, the Breit–Wigner of Eq. 4.2 integrated
    /// over s is `pi e^2 = 4 pi^2 alpha`, independent of alpha_D and of m_chi (on-shell A'
    /// production, [DPT App. B]). Over a window of +-K widths the Lorentzian holds a fraction
    /// `(2/pi) atan K`; the smooth numerator changes it by `O(K (Gamma/m)^2)` < 1e-5 here.
    #[test]
    fn narrow_width_integral_is_independent_of_alpha_d() {
        use crate::numerics::quadrature::{Tolerance, integrate_peak};
        let k = 100.0_f64;
        for alpha_d in [1e-4, 1e-3] {
            let dp = benchmark(alpha_d);
            let m2 = dp.mass_gev.powi(2);
            let width = dp.width_gev() * dp.mass_gev;
            let est = integrate_peak(
                |x, offset| dp.sigma_annihilation_gev2(m2 + x, offset),
                -k * width,
                k * width,
                0.0,
                width,
                Tolerance::relative(1e-12),
            );
            let exact = 4.0 * PI * PI * ALPHA * 2.0 / PI * k.atan();
            assert_relative_eq!(est.value, exact, max_relative = 1e-5, epsilon = 0.0);
        }
    }

    /// Peak value: `sigma(m^2) = 3 e^2 / (alpha_D m^2 (1 + 2 r^2) beta)` with `r = m_chi/m`.
    #[test]
    fn peak_cross_section_closed_form() {
        let dp = benchmark(1e-3);
        let r2: f64 = 1.0 / 9.0;
        let beta = (1.0 - 4.0 * r2).sqrt();
        let expected =
            3.0 * 4.0 * PI * ALPHA / (1e-3 * dp.mass_gev.powi(2) * (1.0 + 2.0 * r2) * beta);
        assert_relative_eq!(
            dp.sigma_annihilation_gev2(dp.mass_gev.powi(2), 0.0),
            expected,
            max_relative = 1e-13,
            epsilon = 0.0
        );
    }

    /// [DPT Eq. 4.3] with m_chi = m/3: Gamma/m = alpha_D (11/27) sqrt(5)/3 ... closed form.
    #[test]
    fn width_for_paper_mass_ratio() {
        let dp = benchmark(1e-3);
        let expected = dp.mass_gev * 1e-3 / 3.0 * (11.0 / 9.0) * (5.0_f64 / 9.0).sqrt();
        assert_relative_eq!(
            dp.width_gev(),
            expected,
            max_relative = 1e-14,
            epsilon = 0.0
        );
    }

    #[test]
    fn closed_below_threshold() {
        let dp = benchmark(1e-3);
        let s = 0.99 * 4.0 * dp.dm_mass_gev().powi(2);
        assert_eq!(dp.sigma_annihilation_gev2(s, s - dp.mass_gev.powi(2)), 0.0);
    }
}
