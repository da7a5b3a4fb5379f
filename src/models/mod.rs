//! Dark-sector models: the mediator that couples to electrons with strength `eps e`.
//!
//! Every rate in darksens is computed at `eps = 1` and scales as `eps^2`.

pub mod dark_photon;
pub mod inelastic;
pub mod r_ratio;
pub mod scalar;

pub use dark_photon::DarkPhoton;
pub use scalar::Scalar;

use crate::units::ELECTRON_MASS_GEV;

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

    /// Total (invisible) width in GeV.
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
