//! Dark-sector models: the mediator that couples to electrons with strength `eps e`.
//!
//! Every rate in darksens is computed at `eps = 1` and scales as `eps^2`.

pub mod dark_photon;

pub use dark_photon::DarkPhoton;

/// Kinds of mediator a scenario may name (`model.mediator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MediatorKind {
    /// Kinetically mixed dark photon decaying to Dirac dark matter [DPT Eq. 4.1-4.3].
    DarkPhoton,
}

impl MediatorKind {
    /// Scenario names of all mediators, for error messages and `darksens list`.
    pub const NAMES: [&'static str; 1] = ["dark-photon"];
}
