//! Sources of the positrons that hit the target.
//!
//! Today: Bhabha scattering at an asymmetric collider ([`bhabha`]). The spectrum is an enum so
//! that tabulated spectra, Les Houches event files and radiative Bhabha scattering can join it.

pub mod bhabha;

pub use bhabha::{AsymmetricCollider, BhabhaSpectrum};

/// A positron energy spectrum in the lab frame: events per GeV once multiplied by luminosity.
#[derive(Debug, Clone, PartialEq)]
pub enum PositronSpectrum {
    /// Analytic Bhabha scattering in a polar-angle window [DPT Eq. 2.1-2.2].
    Bhabha(BhabhaSpectrum),
}

impl PositronSpectrum {
    /// `dsigma/dE` in cm^2/GeV (zero outside `[e_min, e_max]`).
    #[must_use]
    pub fn dsigma_de_cm2_per_gev(&self, energy_gev: f64) -> f64 {
        match self {
            Self::Bhabha(b) => b.dsigma_de_cm2_per_gev(energy_gev),
        }
    }

    /// Total cross section in cm^2.
    #[must_use]
    pub fn sigma_cm2(&self) -> f64 {
        match self {
            Self::Bhabha(b) => b.sigma_cm2(),
        }
    }

    /// Lowest positron energy, GeV.
    #[must_use]
    pub fn e_min_gev(&self) -> f64 {
        match self {
            Self::Bhabha(b) => b.e_min_gev(),
        }
    }

    /// Highest positron energy, GeV.
    #[must_use]
    pub fn e_max_gev(&self) -> f64 {
        match self {
            Self::Bhabha(b) => b.e_max_gev(),
        }
    }
}
