//! Bhabha positrons at an asymmetric e+e- collider, selected in a polar-angle window [DPT
//! Sec. 2]: the beams' kinematics (massless, head on, boosted along the electron beam) and the
//! lowest-order Bhabha cross section [DPT Eq. 2.1-2.2].

use crate::units::{ALPHA, gev2_to_cm2};
use std::f64::consts::PI;

/// Beam energies of an asymmetric collider; the electron beam travels along +z.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AsymmetricCollider {
    /// Electron beam energy in GeV (along +z).
    pub electron_energy_gev: f64,
    /// Positron beam energy in GeV (along -z).
    pub positron_energy_gev: f64,
}

impl AsymmetricCollider {
    /// Squared centre-of-mass energy `s = 4 E_- E_+` in GeV^2 (beam masses neglected).
    #[must_use]
    pub fn s_gev2(&self) -> f64 {
        4.0 * self.electron_energy_gev * self.positron_energy_gev
    }

    /// Beam energy in the centre-of-mass frame, `E* = sqrt(s)/2`, in GeV.
    #[must_use]
    pub fn cm_beam_energy_gev(&self) -> f64 {
        0.5 * self.s_gev2().sqrt()
    }

    /// Velocity of the centre-of-mass frame along +z, `beta = (E_- - E_+)/(E_- + E_+)` (3/11 at Belle II).
    #[must_use]
    pub fn boost_beta(&self) -> f64 {
        (self.electron_energy_gev - self.positron_energy_gev)
            / (self.electron_energy_gev + self.positron_energy_gev)
    }

    /// Lab energy of a massless final-state particle at lab polar angle `theta` (radians from +z):
    /// `E = E* sqrt(1 - beta^2) / (1 - beta cos theta)` [DPT Sec. 2].
    #[must_use]
    pub fn lab_energy_at_angle_gev(&self, theta_rad: f64) -> f64 {
        let beta = self.boost_beta();
        self.cm_beam_energy_gev() * (1.0 - beta * beta).sqrt() / (1.0 - beta * theta_rad.cos())
    }

    /// Centre-of-mass polar angle cosine of a final-state particle with lab energy `energy_gev`:
    /// `cos theta* = (sqrt(1 - beta^2) E / E* - 1) / beta` [DPT Sec. 2].
    #[must_use]
    pub fn cos_theta_star(&self, energy_gev: f64) -> f64 {
        let beta = self.boost_beta();
        ((1.0 - beta * beta).sqrt() * energy_gev / self.cm_beam_energy_gev() - 1.0) / beta
    }

    /// Jacobian `d cos theta* / dE = sqrt(1 - beta^2) / (beta E*)` in GeV^-1 [DPT Eq. 2.2].
    #[must_use]
    pub fn dcos_theta_star_de(&self) -> f64 {
        let beta = self.boost_beta();
        (1.0 - beta * beta).sqrt() / (beta * self.cm_beam_energy_gev())
    }
}

/// Bhabha cross section in the centre-of-mass frame at `s` (GeV^2), in GeV^-2 [DPT Eq. 2.1]:
/// `dsigma/dcos theta* = pi alpha^2 (3 + cos^2 theta*)^2 / (2 s (1 + sign cos theta*)^2)`, with
/// `theta*` the selected particle's angle to the electron beam, `sign` +1 for the positron (its
/// t-channel peak at `cos theta* -> -1`) and -1 for the electron.
#[must_use]
pub fn bhabha_dsigma_dcos_theta_star(s_gev2: f64, cos_theta_star: f64, sign: f64) -> f64 {
    let c = cos_theta_star;
    PI * ALPHA * ALPHA * (3.0 + c * c).powi(2) / (2.0 * s_gev2 * (1.0 + sign * c).powi(2))
}

/// Final-state positrons of e+e- -> e+e- whose lab polar angle lies in a window (the ECL barrel).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BhabhaSpectrum {
    collider: AsymmetricCollider,
    e_min_gev: f64,
    e_max_gev: f64,
    /// `+1` when the selected particle is the positron, `-1` for the electron.
    sign: f64,
}

impl BhabhaSpectrum {
    /// Positrons with lab polar angle in `[theta_min, theta_max]` (radians from +z).
    ///
    /// The lab energy falls monotonically with the angle, so the window is an energy range:
    /// `theta_max` gives `E_min` and `theta_min` gives `E_max` [DPT Sec. 2].
    #[must_use]
    pub fn new(collider: AsymmetricCollider, theta_min_rad: f64, theta_max_rad: f64) -> Self {
        let e_min_gev = collider.lab_energy_at_angle_gev(theta_max_rad);
        let e_max_gev = collider.lab_energy_at_angle_gev(theta_min_rad);
        Self {
            collider,
            e_min_gev,
            e_max_gev,
            sign: 1.0,
        }
    }

    /// As [`BhabhaSpectrum::new`], selecting the final-state *electron* instead (the
    /// "disappearing electron track" control sample of [DPT Sec. 4]). The electron's c.m. angle
    /// to +z is `pi - theta*` of the positron, so its t-channel peak is at `cos theta* -> +1`.
    #[must_use]
    pub fn electrons(collider: AsymmetricCollider, theta_min_rad: f64, theta_max_rad: f64) -> Self {
        Self {
            sign: -1.0,
            ..Self::new(collider, theta_min_rad, theta_max_rad)
        }
    }

    /// Whether the selected particle is the electron.
    #[must_use]
    pub fn selects_electrons(&self) -> bool {
        self.sign < 0.0
    }

    /// The collider.
    #[must_use]
    pub fn collider(&self) -> &AsymmetricCollider {
        &self.collider
    }

    /// Lowest positron energy in the window, GeV.
    #[must_use]
    pub fn e_min_gev(&self) -> f64 {
        self.e_min_gev
    }

    /// Highest positron energy in the window, GeV.
    #[must_use]
    pub fn e_max_gev(&self) -> f64 {
        self.e_max_gev
    }

    /// Bhabha cross section in the centre-of-mass frame, in GeV^-2 [DPT Eq. 2.1]:
    /// `dsigma/dcos theta* = pi alpha^2 (3 + cos^2 theta*)^2 / (2 s (1 + cos theta*)^2)`,
    /// with `theta*` the positron angle to +z (the t-channel peak is at `cos theta* -> -1`); for
    /// the selected electron `1 + cos theta*` becomes `1 - cos theta*`.
    #[must_use]
    pub fn dsigma_dcos_theta_star(&self, cos_theta_star: f64) -> f64 {
        bhabha_dsigma_dcos_theta_star(self.collider.s_gev2(), cos_theta_star, self.sign)
    }

    /// Lab-frame positron energy spectrum in cm^2/GeV, zero outside the window [DPT Eq. 2.2]:
    /// `dsigma/dE = dsigma/dcos theta* sqrt(1 - beta^2) / (beta E*)`.
    #[must_use]
    pub fn dsigma_de_cm2_per_gev(&self, energy_gev: f64) -> f64 {
        if energy_gev < self.e_min_gev || energy_gev > self.e_max_gev {
            return 0.0;
        }
        let c = self.collider.cos_theta_star(energy_gev);
        gev2_to_cm2(self.dsigma_dcos_theta_star(c) * self.collider.dcos_theta_star_de())
    }

    /// Cross section in the window, in cm^2: the closed-form integral of [DPT Eq. 2.1] in
    /// `u = 1 + cos theta*`, whose antiderivative is `u^3/3 - 2u^2 + 12u - 16 ln u - 16/u`.
    #[must_use]
    pub fn sigma_cm2(&self) -> f64 {
        let antiderivative =
            |u: f64| u.powi(3) / 3.0 - 2.0 * u * u + 12.0 * u - 16.0 * u.ln() - 16.0 / u;
        // u = 1 + sign c, so dc = du / sign.
        let u_lo = 1.0 + self.sign * self.collider.cos_theta_star(self.e_min_gev);
        let u_hi = 1.0 + self.sign * self.collider.cos_theta_star(self.e_max_gev);
        let prefactor = PI * ALPHA * ALPHA / (2.0 * self.collider.s_gev2());
        gev2_to_cm2(prefactor * (antiderivative(u_hi) - antiderivative(u_lo)) / self.sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::{Tolerance, integrate};
    use crate::units::PICOBARN_CM2;
    use approx::assert_relative_eq;

    fn belle2() -> BhabhaSpectrum {
        let collider = AsymmetricCollider {
            electron_energy_gev: 7.0,
            positron_energy_gev: 4.0,
        };
        BhabhaSpectrum::new(collider, 32.2_f64.to_radians(), 128.7_f64.to_radians())
    }

    /// [DPT Sec. 2]: E_min about 4.35 GeV at 128.7 deg, E_max about 6.62 GeV at 32.2 deg (quoted to
    /// three figures: within half a unit of the last, 0.005 GeV).
    #[test]
    fn barrel_energy_range_matches_paper() {
        let spectrum = belle2();
        assert!((spectrum.e_min_gev() - 4.35).abs() <= 0.005);
        assert!((spectrum.e_max_gev() - 6.62).abs() <= 0.005);
        assert_relative_eq!(
            spectrum.collider().boost_beta(),
            3.0 / 11.0,
            max_relative = 1e-15,
            epsilon = 0.0
        );
    }

    /// The closed-form cross section agrees with adaptive quadrature of Eq. 2.2 (second method),
    /// and with the paper's "about 1.2e4 pb" (two figures: within half a unit of the last).
    #[test]
    fn cross_section_closed_form_matches_quadrature_and_paper() {
        let spectrum = belle2();
        let numeric = integrate(
            |e| spectrum.dsigma_de_cm2_per_gev(e),
            &[spectrum.e_min_gev(), spectrum.e_max_gev()],
            Tolerance::relative(1e-12),
        );
        assert_relative_eq!(
            spectrum.sigma_cm2(),
            numeric.value,
            max_relative = 1e-11,
            epsilon = 0.0
        );
        assert!((spectrum.sigma_cm2() / PICOBARN_CM2 - 1.2e4).abs() <= 0.05e4);
    }

    /// The electron spectrum against quadrature, and mirror symmetry: the electron at c.m.
    /// angle theta* is the positron at pi - theta*, so the two spectra over the same lab window
    /// differ, but each integrates to its own closed form.
    #[test]
    fn electron_selection_closed_form_matches_quadrature() {
        let collider = AsymmetricCollider {
            electron_energy_gev: 7.0,
            positron_energy_gev: 4.0,
        };
        let electrons =
            BhabhaSpectrum::electrons(collider, 32.2_f64.to_radians(), 128.7_f64.to_radians());
        let numeric = integrate(
            |e| electrons.dsigma_de_cm2_per_gev(e),
            &[electrons.e_min_gev(), electrons.e_max_gev()],
            Tolerance::relative(1e-12),
        );
        assert_relative_eq!(
            electrons.sigma_cm2(),
            numeric.value,
            max_relative = 1e-11,
            epsilon = 0.0
        );
        // Electrons peak at the high-energy (forward) end, positrons at the low-energy end.
        let positrons = belle2();
        assert!(electrons.dsigma_de_cm2_per_gev(6.6) > electrons.dsigma_de_cm2_per_gev(4.4));
        assert!(positrons.dsigma_de_cm2_per_gev(6.6) < positrons.dsigma_de_cm2_per_gev(4.4));
        // Mirror symmetry: in a window symmetric in cos theta* (-0.5..0.5) the electron and
        // positron cross sections are equal. E(c) = E* (1 + beta c)/sqrt(1 - beta^2) and
        // cos theta_lab = (1 - E* sqrt(1 - beta^2)/E)/beta.
        let beta = collider.boost_beta();
        let e_star = collider.cm_beam_energy_gev();
        let theta = |c: f64| {
            let e = e_star * (1.0 + beta * c) / (1.0 - beta * beta).sqrt();
            ((1.0 - e_star * (1.0 - beta * beta).sqrt() / e) / beta).acos()
        };
        let (theta_min, theta_max) = (theta(0.5), theta(-0.5));
        let symmetric_e = BhabhaSpectrum::electrons(collider, theta_min, theta_max);
        let symmetric_p = BhabhaSpectrum::new(collider, theta_min, theta_max);
        assert_relative_eq!(
            symmetric_e.sigma_cm2(),
            symmetric_p.sigma_cm2(),
            max_relative = 1e-12,
            epsilon = 0.0
        );
    }

    /// At 90 degrees in the c.m. frame (cos theta* = 0) Eq. 2.1 is 9 pi alpha^2 / (2 s).
    #[test]
    fn cm_cross_section_at_ninety_degrees() {
        let spectrum = belle2();
        let expected = 9.0 * PI * ALPHA * ALPHA / (2.0 * 112.0);
        assert_relative_eq!(
            spectrum.dsigma_dcos_theta_star(0.0),
            expected,
            max_relative = 1e-14,
            epsilon = 0.0
        );
    }
}
