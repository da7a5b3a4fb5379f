//! Dark-sector models: the mediator that couples to electrons with strength `eps e`.
//!
//! Every rate in darksens is computed at `eps = 1` and scales as `eps^2`.

pub mod dark_photon;
pub mod inelastic;
pub mod r_ratio;
pub mod scalar;

pub use dark_photon::DarkPhoton;
pub use scalar::Scalar;

use crate::units::{ELECTRON_MASS_GEV, gev2_to_cm2};

/// The mediator of a model point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mediator {
    /// Kinetically mixed dark photon [DPT Eq. 4.1-4.3].
    DarkPhoton(DarkPhoton),
    /// Scalar coupled to leptons [DPT App. E].
    Scalar(Scalar),
}

impl From<DarkPhoton> for Mediator {
    fn from(d: DarkPhoton) -> Self {
        Self::DarkPhoton(d)
    }
}

impl From<&DarkPhoton> for Mediator {
    fn from(d: &DarkPhoton) -> Self {
        Self::DarkPhoton(*d)
    }
}

impl From<Scalar> for Mediator {
    fn from(s: Scalar) -> Self {
        Self::Scalar(s)
    }
}

impl Mediator {
    /// A mediator of `kind` with the given mass (GeV), coupling and mass ratio.
    #[must_use]
    pub fn new(kind: MediatorKind, mass_gev: f64, alpha_d: f64, mchi_over_mmed: f64) -> Self {
        match kind {
            MediatorKind::DarkPhoton => Self::DarkPhoton(DarkPhoton {
                mass_gev,
                alpha_d,
                mchi_over_mmed,
            }),
            MediatorKind::Scalar => Self::Scalar(Scalar {
                mass_gev,
                alpha_d,
                mchi_over_mmed,
            }),
        }
    }

    /// The kind.
    #[must_use]
    pub fn kind(&self) -> MediatorKind {
        match self {
            Self::DarkPhoton(_) => MediatorKind::DarkPhoton,
            Self::Scalar(_) => MediatorKind::Scalar,
        }
    }

    /// Mass in GeV.
    #[must_use]
    pub fn mass_gev(&self) -> f64 {
        match self {
            Self::DarkPhoton(d) => d.mass_gev,
            Self::Scalar(s) => s.mass_gev,
        }
    }

    /// Dark-matter mass in GeV.
    #[must_use]
    pub fn dm_mass_gev(&self) -> f64 {
        match self {
            Self::DarkPhoton(d) => d.dm_mass_gev(),
            Self::Scalar(s) => s.dm_mass_gev(),
        }
    }

    /// Total width in GeV: the invisible width, or `Gamma(A' -> e+ e-)` for a dark photon that
    /// decays visibly ([`DarkPhoton::visible`]).
    #[must_use]
    pub fn width_gev(&self) -> f64 {
        match self {
            Self::DarkPhoton(d) => d.width_gev(),
            Self::Scalar(s) => s.width_gev(),
        }
    }

    /// Annihilation cross section at `eps = 1`, GeV^-2 ([DPT Eq. 4.2] or [DPT Eq. E.3]).
    #[must_use]
    pub fn sigma_annihilation_gev2(&self, s: f64, s_minus_m2: f64) -> f64 {
        match self {
            Self::DarkPhoton(d) => d.sigma_annihilation_gev2(s, s_minus_m2),
            Self::Scalar(x) => x.sigma_annihilation_gev2(s, s_minus_m2),
        }
    }

    /// The cross section in cm^2 of a positron of energy `e_gev` annihilating on an electron at
    /// rest [DPT Eq. 4.2]: `s = 2 m_e (E' + m_e)`, and `s - m^2 = 2 m_e (E' - E_res)` with
    /// `E_res = m^2/(2 m_e) - m_e` the resonant positron energy, formed from the energies so that
    /// it does not cancel at the peak.
    #[must_use]
    pub fn sigma_on_electron_at_rest_cm2(&self, e_gev: f64) -> f64 {
        let e_resonance = self.resonance_energy_gev() - ELECTRON_MASS_GEV;
        let s = 2.0 * ELECTRON_MASS_GEV * (e_gev + ELECTRON_MASS_GEV);
        let s_minus_m2 = 2.0 * ELECTRON_MASS_GEV * (e_gev - e_resonance);
        gev2_to_cm2(self.sigma_annihilation_gev2(s, s_minus_m2))
    }

    /// Energy of the positron-plus-electron system at resonance on an electron at rest,
    /// `E_A' = m^2/(2 m_e)` in GeV (from `s = 2 m_e E_A'`, [DPT Sec. 4]).
    #[must_use]
    pub fn resonance_energy_gev(&self) -> f64 {
        self.mass_gev().powi(2) / (2.0 * ELECTRON_MASS_GEV)
    }

    /// Half width of the resonance in `E_A'`, `Gamma m/(2 m_e)` in GeV (the Breit-Wigner of
    /// [DPT Eq. 4.2] in `s = 2 m_e E_A'`).
    #[must_use]
    pub fn resonance_half_width_gev(&self) -> f64 {
        self.width_gev() * self.mass_gev() / (2.0 * ELECTRON_MASS_GEV)
    }

    /// Lowest `E_A'` at which annihilation is open, `s = 4 m_chi^2`: `2 m_chi^2/m_e` in GeV
    /// ([DPT Eq. 4.2], the factor `beta`).
    #[must_use]
    pub fn threshold_energy_gev(&self) -> f64 {
        2.0 * self.dm_mass_gev().powi(2) / ELECTRON_MASS_GEV
    }
}

/// How the mediator decays (`model.decay`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Decay {
    /// To dark matter, `alpha_D` and `m_chi/m` set [DPT Eq. 4.1-4.3].
    #[default]
    Invisible,
    /// To `e+ e-` only, its width from its coupling to electrons ([`DarkPhoton::visible`]).
    Visible,
}

/// Kinds of mediator a scenario may name (`model.mediator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MediatorKind {
    /// Kinetically mixed dark photon decaying to Dirac dark matter [DPT Eq. 4.1-4.3].
    DarkPhoton,
    /// Scalar decaying to Dirac dark matter [DPT App. E].
    Scalar,
}

impl MediatorKind {
    /// Scenario names of all mediators, for error messages and `darksens list`.
    pub const NAMES: [&'static str; 2] = ["dark-photon", "scalar"];

    /// The same mediator as a published limit names what it constrains.
    #[must_use]
    pub fn constrained(self) -> crate::published::library::ConstrainedModel {
        match self {
            Self::DarkPhoton => crate::published::library::ConstrainedModel::DarkPhoton,
            Self::Scalar => crate::published::library::ConstrainedModel::Scalar,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::{Tolerance, integrate_peak};
    use crate::units::{ELEMENTARY_CHARGE_SQUARED, HBARC2_CM2_GEV2};
    use approx::assert_relative_eq;

    /// On an electron at rest the cross section in the positron energy is the one in `s` at
    /// `s = 2 m_e (E' + m_e)` (away from the peak, where `s - m^2` may be formed from `s`); at
    /// the resonant energy it is the peak value, and its area over `E'` within +-K half widths
    /// is the narrow-width `pi e^2/(2 m_e)` (half that for the scalar) times the Lorentzian's
    /// share `(2/pi) atan K` [DPT Eq. 4.2, App. E]. (`epsilon = 0`: the values are of order
    /// 1e-25, below the default absolute margin.)
    #[test]
    fn the_cross_section_on_an_electron_at_rest_is_the_one_in_s() {
        let k = 100.0_f64;
        for (kind, area_share) in [(MediatorKind::DarkPhoton, 1.0), (MediatorKind::Scalar, 0.5)] {
            let mediator = Mediator::new(kind, 0.0667, 1e-3, 1.0 / 3.0);
            let m2 = mediator.mass_gev().powi(2);
            let in_s = |s: f64, s_minus_m2: f64| {
                mediator.sigma_annihilation_gev2(s, s_minus_m2) * HBARC2_CM2_GEV2
            };
            for e_gev in [3.0, 4.0, 5.0, 7.0] {
                let s = 2.0 * ELECTRON_MASS_GEV * (e_gev + ELECTRON_MASS_GEV);
                assert_relative_eq!(
                    mediator.sigma_on_electron_at_rest_cm2(e_gev),
                    in_s(s, s - m2),
                    epsilon = 0.0,
                    max_relative = 1e-9
                );
            }
            let e_resonance = mediator.resonance_energy_gev() - ELECTRON_MASS_GEV;
            assert_relative_eq!(
                mediator.sigma_on_electron_at_rest_cm2(e_resonance),
                in_s(m2, 0.0),
                epsilon = 0.0,
                max_relative = 1e-12
            );
            let half_width = mediator.resonance_half_width_gev();
            let area = integrate_peak(
                |e, _| mediator.sigma_on_electron_at_rest_cm2(e),
                e_resonance - k * half_width,
                e_resonance + k * half_width,
                e_resonance,
                half_width,
                Tolerance::relative(1e-12),
            );
            let narrow = area_share * std::f64::consts::PI * ELEMENTARY_CHARGE_SQUARED
                / (2.0 * ELECTRON_MASS_GEV)
                * HBARC2_CM2_GEV2;
            let share = 2.0 / std::f64::consts::PI * k.atan();
            // The numerator's variation over the window changes the area by O(K (Gamma/m)^2).
            assert_relative_eq!(
                area.value,
                narrow * share,
                epsilon = 0.0,
                max_relative = 1e-5
            );
        }
    }
}
