//! Inelastic scalar dark matter [EMU Sec. 2-7]: a complex scalar `phi` of dark charge `g_D`
//! split by a small Majorana-type term into `phi1` (heavier, mass `m1`) and `phi2` (`m2`), which
//! couple to the dark photon only off-diagonally, `g_D (p1 - p2)^mu` [EMU Eq. 1-2]. The dark
//! photon `A'` (mass `M`) mixes with the photon with strength `eps`.
//!
//! Everything here follows the rebuilt and independently checked equations of
//! docs/physics.md §8 (cited as [EMU Eq. n]); `tools/reference/emu/` recomputes the numbers in
//! Python by other methods.

use super::r_ratio::RRatio;
use crate::numerics::quadrature::{Estimate, Tolerance, integrate, tanh_sinh};
use crate::units::{
    ALPHA, CHARGED_PION_MASS_GEV, ELECTRON_MASS_GEV, HBARC_GEV_M, MUON_MASS_GEV, TAU_MASS_GEV,
};
use std::f64::consts::PI;

/// Relative tolerance of the decay-spectrum integrals.
const WIDTH_TOLERANCE: f64 = 1e-9;

/// Källén function `lambda(a, b, c) = a^2 + b^2 + c^2 - 2ab - 2ac - 2bc`.
#[must_use]
pub fn kallen(a: f64, b: f64, c: f64) -> f64 {
    a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c)
}

/// A model point of inelastic scalar dark matter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InelasticScalar {
    /// Dark-photon mass `M = m_A'`, GeV.
    pub m_aprime_gev: f64,
    /// Mass of the heavier state `phi1`, GeV.
    pub m1_gev: f64,
    /// Mass of the lighter, stable state `phi2`, GeV.
    pub m2_gev: f64,
    /// Kinetic mixing `eps`.
    pub epsilon: f64,
    /// Dark gauge coupling `g_D` (`alpha_D = g_D^2 / 4 pi`).
    pub g_d: f64,
}

/// The channels of `phi1 -> phi2 f fbar`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// `e+ e-`.
    Electrons,
    /// `mu+ mu-`.
    Muons,
    /// `tau+ tau-`.
    Taus,
    /// Hadrons, through the R ratio [EMU Eq. 8-9].
    Hadrons,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Self; 4] = [Self::Electrons, Self::Muons, Self::Taus, Self::Hadrons];

    /// The lepton mass (`None` for hadrons).
    #[must_use]
    pub fn lepton_mass_gev(self) -> Option<f64> {
        match self {
            Self::Electrons => Some(ELECTRON_MASS_GEV),
            Self::Muons => Some(MUON_MASS_GEV),
            Self::Taus => Some(TAU_MASS_GEV),
            Self::Hadrons => None,
        }
    }

    /// Smallest invariant mass of the pair, GeV.
    #[must_use]
    pub fn threshold_gev(self) -> f64 {
        self.lepton_mass_gev()
            .map_or(2.0 * CHARGED_PION_MASS_GEV, |m| 2.0 * m)
    }
}

impl InelasticScalar {
    /// A model point: masses in GeV, `eps`, `g_D`.
    #[must_use]
    pub fn new(m_aprime_gev: f64, m1_gev: f64, m2_gev: f64, epsilon: f64, g_d: f64) -> Self {
        Self {
            m_aprime_gev,
            m1_gev,
            m2_gev,
            epsilon,
            g_d,
        }
    }

    /// `alpha_D = g_D^2 / (4 pi)`.
    #[must_use]
    pub fn alpha_d(&self) -> f64 {
        self.g_d * self.g_d / (4.0 * PI)
    }

    /// The mass splitting `m1 - m2`, GeV.
    #[must_use]
    pub fn splitting_gev(&self) -> f64 {
        self.m1_gev - self.m2_gev
    }

    /// `Gamma(A' -> phi1 phi2) = g_D^2 lambda^(3/2)(M^2, m1^2, m2^2) / (48 pi M^5)`, GeV
    /// [EMU Eq. 6]; zero below threshold.
    #[must_use]
    pub fn width_aprime_to_phi1_phi2_gev(&self) -> f64 {
        let m = self.m_aprime_gev;
        if m <= self.m1_gev + self.m2_gev {
            return 0.0;
        }
        let lambda = kallen(m * m, self.m1_gev.powi(2), self.m2_gev.powi(2)).max(0.0);
        self.g_d * self.g_d * lambda.powf(1.5) / (48.0 * PI * m.powi(5))
    }

    /// `Gamma(A' -> f fbar) = eps^2 alpha M / 3 (1 + 2 m_f^2/M^2) sqrt(1 - 4 m_f^2/M^2)` for a
    /// lepton of mass `m_f`, GeV [EMU Eq. 7]; zero below threshold.
    #[must_use]
    pub fn width_aprime_to_leptons_gev(&self, m_f: f64) -> f64 {
        let m = self.m_aprime_gev;
        let r = (m_f / m).powi(2);
        if 4.0 * r >= 1.0 {
            return 0.0;
        }
        self.epsilon.powi(2) * ALPHA * m / 3.0 * (1.0 + 2.0 * r) * (1.0 - 4.0 * r).sqrt()
    }

    /// `Gamma(A' -> hadrons) = R(M) Gamma(A' -> mu mu)` [EMU Eq. 9], with the massless
    /// `Gamma_mumu = eps^2 alpha M / 3` (R is defined against the pointlike massless
    /// cross section), GeV.
    #[must_use]
    pub fn width_aprime_to_hadrons_gev(&self, r: &RRatio) -> f64 {
        r.value(self.m_aprime_gev) * self.width_aprime_to_leptons_gev(0.0)
    }

    /// Total width of the dark photon: `phi1 phi2`, `e e`, `mu mu`, `tau tau` and hadrons, GeV.
    #[must_use]
    pub fn width_aprime_total_gev(&self, r: &RRatio) -> f64 {
        self.width_aprime_to_phi1_phi2_gev()
            + [ELECTRON_MASS_GEV, MUON_MASS_GEV, TAU_MASS_GEV]
                .iter()
                .map(|&m| self.width_aprime_to_leptons_gev(m))
                .sum::<f64>()
            + self.width_aprime_to_hadrons_gev(r)
    }

    /// `BR(A' -> phi1 phi2)`.
    #[must_use]
    pub fn br_aprime_to_phi1_phi2(&self, r: &RRatio) -> f64 {
        let total = self.width_aprime_total_gev(r);
        if total > 0.0 {
            self.width_aprime_to_phi1_phi2_gev() / total
        } else {
            0.0
        }
    }

    /// `dGamma(phi1 -> phi2 f fbar)/dm_ffbar`, GeV/GeV, for a fermion of mass `m_f` and charge
    /// `q_f` (units of e) [EMU Eq. 11], in the compact form
    /// `eps^2 alpha g_D^2 Q^2 m lambda^(3/2)(m1^2, m2^2, m^2) beta_f (1 + 2 m_f^2/m^2)
    ///  / (24 pi^2 m1^3 (m^2 - M^2)^2)` with `beta_f = sqrt(1 - 4 m_f^2/m^2)`, for
    /// `2 m_f <= m <= m1 - m2` (zero outside).
    #[must_use]
    pub fn phi1_decay_spectrum(&self, m_ff: f64, m_f: f64, q_f: f64) -> f64 {
        if m_ff <= 2.0 * m_f || m_ff >= self.splitting_gev() {
            return 0.0;
        }
        let m2ff = m_ff * m_ff;
        let lambda = kallen(self.m1_gev.powi(2), self.m2_gev.powi(2), m2ff).max(0.0);
        let r = if m_f > 0.0 { m_f * m_f / m2ff } else { 0.0 };
        let beta = (1.0 - 4.0 * r).max(0.0).sqrt();
        let propagator = (m2ff - self.m_aprime_gev.powi(2)).powi(2);
        self.epsilon.powi(2)
            * ALPHA
            * self.g_d.powi(2)
            * q_f
            * q_f
            * m_ff
            * lambda.powf(1.5)
            * beta
            * (1.0 + 2.0 * r)
            / (24.0 * PI * PI * self.m1_gev.powi(3) * propagator)
    }

    /// `Gamma(phi1 -> phi2 f fbar)` for one channel, GeV: the integral of
    /// [`Self::phi1_decay_spectrum`] over `m_ffbar` [EMU Eq. 11]; for hadrons
    /// `R(m) dGamma(m_f = 0, Q = 1)/dm` from `2 m_pi` [EMU Eq. 8-9, "R's own definition"].
    ///
    /// Leptons: tanh-sinh (square-root onsets at both ends). Hadrons: adaptive Gauss-Kronrod
    /// with a break at every point of the R table (it is linear in between).
    #[must_use]
    pub fn phi1_width_gev(&self, channel: Channel, r: &RRatio) -> Estimate {
        let (lo, hi) = (channel.threshold_gev(), self.splitting_gev());
        if hi <= lo {
            return Estimate::exact(0.0);
        }
        if let Some(m_f) = channel.lepton_mass_gev() {
            tanh_sinh(
                |m, _, _| self.phi1_decay_spectrum(m, m_f, 1.0),
                lo,
                hi,
                WIDTH_TOLERANCE,
            )
        } else {
            let mut breaks = vec![lo];
            breaks.extend(r.nodes_gev().iter().copied().filter(|&x| x > lo && x < hi));
            breaks.push(hi);
            integrate(
                |m| r.value(m) * self.phi1_decay_spectrum(m, 0.0, 1.0),
                &breaks,
                Tolerance::relative(WIDTH_TOLERANCE),
            )
        }
    }

    /// Total width of `phi1`, GeV: the sum over [`Channel::ALL`] (errors added).
    #[must_use]
    pub fn phi1_width_total_gev(&self, r: &RRatio) -> Estimate {
        Channel::ALL
            .iter()
            .map(|&c| self.phi1_width_gev(c, r))
            .sum()
    }

    /// `beta_1^* = sqrt(1 - 4 M^2 m1^2 / (M^2 + m1^2 - m2^2)^2)`: the speed of `phi1` in the rest
    /// frame of the `A'` [EMU Eq. 16].
    #[must_use]
    pub fn phi1_speed_in_aprime_frame(&self) -> f64 {
        let m2 = self.m_aprime_gev.powi(2);
        let d = m2 + self.m1_gev.powi(2) - self.m2_gev.powi(2);
        (1.0 - 4.0 * m2 * self.m1_gev.powi(2) / (d * d))
            .max(0.0)
            .sqrt()
    }

    /// Energy of `phi1` in the centre-of-mass frame of `e+ e- -> gamma A'` at `sqrt_s`, for
    /// `cos(theta_1^*)` in the `A'` frame (along the `A'` flight direction) [EMU Eq. 14].
    #[must_use]
    pub fn phi1_energy_gev(&self, sqrt_s: f64, cos_theta_star: f64) -> f64 {
        let (s, m2) = (sqrt_s * sqrt_s, self.m_aprime_gev.powi(2));
        let x = 1.0 + (self.m1_gev.powi(2) - self.m2_gev.powi(2)) / m2;
        (s + m2) / (4.0 * sqrt_s) * x
            + (s - m2) / (4.0 * sqrt_s)
                * (x * x - 4.0 * self.m1_gev.powi(2) / m2).max(0.0).sqrt()
                * cos_theta_star
    }

    /// The paper's average boost of an on-shell `phi1` at `sqrt_s` [EMU Eq. 12]:
    /// `gamma_bar = <E1>/m1` over `cos(theta_1^*)` uniform (Eq. 14: its first term), returned
    /// as `beta_bar gamma_bar = sqrt(gamma_bar^2 - 1)`.
    #[must_use]
    pub fn mean_beta_gamma_on_shell(&self, sqrt_s: f64) -> f64 {
        let gamma = self.phi1_energy_gev(sqrt_s, 0.0) / self.m1_gev;
        (gamma * gamma - 1.0).max(0.0).sqrt()
    }

    /// Mean decay length of `phi1` produced on shell at `sqrt_s`, metres [EMU Eq. 12]:
    /// `d = beta_bar gamma_bar hbar c / Gamma(phi1)` with [`Self::mean_beta_gamma_on_shell`].
    /// The estimate's error is that of the width.
    #[must_use]
    pub fn flight_length_m(&self, sqrt_s: f64, r: &RRatio) -> Estimate {
        self.decay_length_m(self.mean_beta_gamma_on_shell(sqrt_s), r)
    }

    /// Mean decay length of a `phi1` with `beta gamma = p/m1`, metres: `d = beta gamma hbar c /
    /// Gamma(phi1)` [EMU Eq. 12].
    #[must_use]
    pub fn decay_length_m(&self, beta_gamma: f64, r: &RRatio) -> Estimate {
        let width = self.phi1_width_total_gev(r);
        let value = beta_gamma * HBARC_GEV_M / width.value;
        Estimate {
            value,
            error: value * width.error / width.value,
            ..width
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The Table 1 model point of [EMU]: `M = 8`, `m2 = 3.65`, `eps = 1e-3`, `g_D = 0.1`.
    fn table1(m1: f64) -> InelasticScalar {
        InelasticScalar::new(8.0, m1, 3.65, 1e-3, 0.1)
    }

    /// The dark photon's widths in their limits [EMU Eq. 7-9]: below two pion masses no
    /// hadrons (R = 0); far above every threshold each lepton pair gives `eps^2 alpha M / 3`
    /// and the hadrons `R(M)` times that, so the Standard-Model width tends to
    /// `eps^2 alpha M (3 + R) / 3`.
    #[test]
    fn dark_photon_widths_in_their_limits() {
        let r = RRatio::pdg();
        let light = InelasticScalar::new(0.2, 0.08, 0.05, 1e-3, 0.1);
        assert_eq!(light.width_aprime_to_hadrons_gev(&r), 0.0);
        let m = 200.0;
        let heavy = InelasticScalar::new(m, 80.0, 50.0, 1e-3, 0.1);
        let standard_model =
            heavy.width_aprime_total_gev(&r) - heavy.width_aprime_to_phi1_phi2_gev();
        assert_relative_eq!(
            standard_model,
            1e-6 * ALPHA * m / 3.0 * (3.0 + r.value(m)),
            max_relative = 1e-6,
            epsilon = 0.0
        );
        assert!(r.value(m) > 3.0, "{}", r.value(m));
    }
    /// [EMU Eq. 6] near threshold: "at M = 8, m1 = 4.341, m2 = 3.65 the bracket^(3/2) is
    /// 1.1e-4" (docs/physics.md §8), and the two printed forms of the width agree.
    #[test]
    fn aprime_width_to_phi1_phi2_both_forms() {
        let p = table1(4.341);
        let m = p.m_aprime_gev;
        let bracket = (1.0 - (p.m1_gev + p.m2_gev).powi(2) / (m * m))
            * (1.0 - (p.m1_gev - p.m2_gev).powi(2) / (m * m));
        assert!(
            (bracket.powf(1.5) / 1.1e-4 - 1.0).abs() < 0.05,
            "{}",
            bracket.powf(1.5)
        );
        assert_relative_eq!(
            p.width_aprime_to_phi1_phi2_gev(),
            p.alpha_d() * m / 12.0 * bracket.powf(1.5),
            max_relative = 1e-12,
            epsilon = 0.0
        );
    }

    /// [EMU Eq. 7] in the massless limit is `eps^2 alpha M / 3`; at threshold it vanishes.
    #[test]
    fn lepton_width_limits() {
        let p = table1(4.341);
        assert_relative_eq!(
            p.width_aprime_to_leptons_gev(0.0),
            1e-6 * ALPHA * 8.0 / 3.0,
            max_relative = 1e-14,
            epsilon = 0.0
        );
        assert_eq!(p.width_aprime_to_leptons_gev(4.0), 0.0);
    }

    /// Small splitting: `Gamma(phi1 -> phi2 f f) -> 4 eps^2 alpha alpha_D Delta^5 / (15 pi M^4)`
    /// for a massless fermion [EMU Eq. 11, docs/physics.md §8]: the ratio tends to 1 as
    /// `Delta/m1 -> 0` (linearly). With the electron mass the width is lower by the phase
    /// space near `2 m_e`, about 4% at `Delta = 12.5 MeV`.
    #[test]
    fn small_splitting_limit() {
        let r = RRatio::perturbative_only();
        let mut previous = f64::INFINITY;
        for delta in [0.2, 0.05, 0.0125, 0.003] {
            let p = InelasticScalar {
                m_aprime_gev: 3.0,
                m1_gev: 1.0,
                m2_gev: 1.0 - delta,
                epsilon: 1e-3,
                g_d: 0.1,
            };
            let limit = 4.0 * p.epsilon.powi(2) * ALPHA * p.alpha_d() * delta.powi(5)
                / (15.0 * PI * p.m_aprime_gev.powi(4));
            let massless = tanh_sinh(
                |m, _, _| p.phi1_decay_spectrum(m, 0.0, 1.0),
                0.0,
                delta,
                1e-10,
            );
            assert!(massless.converged, "{delta}: {massless:?}");
            let deviation = (massless.value / limit - 1.0).abs();
            assert!(deviation < previous, "{delta}: {deviation}");
            previous = deviation;
            let electrons = p.phi1_width_gev(Channel::Electrons, &r);
            assert!(electrons.converged && electrons.value < massless.value);
        }
        assert!(previous < 0.005, "{previous}");
    }

    /// Eq. 11 is the `m_fbar phi2` integral of the Dalitz density Eq. 10: integrated here by
    /// quadrature over the Dalitz boundary at a few `m_ffbar`, for muons.
    #[test]
    fn eq11_is_the_integral_of_eq10() {
        let p = table1(4.341);
        let (m1, m2, mf) = (p.m1_gev, p.m2_gev, MUON_MASS_GEV);
        for m_ff in [0.25_f64, 0.4, 0.6] {
            let q2 = m_ff * m_ff;
            // Dalitz limits of s23 = m_{fbar phi2}^2 at fixed s12 = m_ff^2 (PDG kinematics).
            let e_f = q2.sqrt() / 2.0;
            let e_2 = (m1 * m1 - q2 - m2 * m2) / (2.0 * q2.sqrt());
            let p_f = (e_f * e_f - mf * mf).sqrt();
            let p_2 = (e_2 * e_2 - m2 * m2).sqrt();
            let (lo, hi) = (
                (e_f + e_2).powi(2) - (p_f + p_2).powi(2),
                (e_f + e_2).powi(2) - (p_f - p_2).powi(2),
            );
            let density = |s23: f64| {
                p.epsilon.powi(2) * ALPHA * p.g_d.powi(2)
                    / (8.0 * PI * PI * m1.powi(3) * (q2 - p.m_aprime_gev.powi(2)).powi(2))
                    * ((s23 - mf * mf) * (m1 * m1 + m2 * m2 + mf * mf - q2 - s23)
                        - m1 * m1 * m2 * m2)
            };
            let inner = integrate(density, &[lo, hi], Tolerance::relative(1e-12));
            // dGamma/dm = 2 m dGamma/dm^2.
            assert_relative_eq!(
                2.0 * m_ff * inner.value,
                p.phi1_decay_spectrum(m_ff, mf, 1.0),
                max_relative = 1e-9,
                epsilon = 0.0
            );
        }
    }

    /// Eq. 14 averaged over `cos(theta_1^*)` and Eq. 16: at the `A'` rest frame (`s = M^2`) the
    /// energy is `E1^* = (M^2 + m1^2 - m2^2)/(2M)` and `beta_1^* = p1^*/E1^*`.
    #[test]
    fn phi1_kinematics_in_the_aprime_frame() {
        let p = table1(4.333);
        let m = p.m_aprime_gev;
        let e_star = (m * m + p.m1_gev.powi(2) - p.m2_gev.powi(2)) / (2.0 * m);
        assert_relative_eq!(
            p.phi1_energy_gev(m, 0.3),
            e_star,
            max_relative = 1e-14,
            epsilon = 0.0
        );
        let p_star = (e_star * e_star - p.m1_gev.powi(2)).sqrt();
        assert_relative_eq!(
            p.phi1_speed_in_aprime_frame(),
            p_star / e_star,
            max_relative = 1e-12,
            epsilon = 0.0
        );
    }

    /// Eq. 14 away from the `A'` rest frame: `phi1` built in the `A'` frame at angle `theta^*`
    /// to the `A'` flight, `(E1^*, p1^* sin, 0, p1^* cos)`, and boosted along z with the `A'` of
    /// `e+ e- -> gamma A'` at sqrt(s) = 10.58 GeV (`E = (s + M^2)/(2 sqrt s)`,
    /// `p = (s - M^2)/(2 sqrt s)`); its energy is Eq. 14's and its mass stays `m1`.
    #[test]
    fn phi1_energy_is_the_boosted_two_body_decay() {
        let p = table1(4.341);
        let (m, sqrt_s) = (p.m_aprime_gev, 10.58_f64);
        let s = sqrt_s * sqrt_s;
        let (e_a, p_a) = ((s + m * m) / (2.0 * sqrt_s), (s - m * m) / (2.0 * sqrt_s));
        let (gamma, beta_gamma) = (e_a / m, p_a / m);
        let e_star = (m * m + p.m1_gev.powi(2) - p.m2_gev.powi(2)) / (2.0 * m);
        let p_star = (e_star * e_star - p.m1_gev.powi(2)).sqrt();
        for cos in [-1.0, -0.3, 0.0, 0.5, 1.0] {
            let sin = (1.0_f64 - cos * cos).sqrt();
            let (energy, p_z) = (
                gamma * e_star + beta_gamma * p_star * cos,
                beta_gamma * e_star + gamma * p_star * cos,
            );
            let p_x = p_star * sin;
            assert_relative_eq!(
                (energy * energy - p_z * p_z - p_x * p_x).sqrt(),
                p.m1_gev,
                max_relative = 1e-12,
                epsilon = 0.0
            );
            assert_relative_eq!(
                p.phi1_energy_gev(sqrt_s, cos),
                energy,
                max_relative = 1e-13,
                epsilon = 0.0
            );
        }
    }
}
