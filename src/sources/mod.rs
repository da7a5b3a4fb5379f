//! Sources of the particles that hit the target: a collider spectrum (Bhabha scattering at an
//! asymmetric collider, [`bhabha`]; with a crossing angle and the beams' energy spread,
//! [`colliding_beams`]) or a mono-energetic beam (NA64).
//!
//! The collider spectrum is analytic Bhabha scattering or numbers: a table, the histogram of a
//! Les Houches event file, or the spectrum of the built-in radiative Bhabha generator.

pub mod bhabha;
pub mod colliding_beams;
pub mod lhe;
pub mod phi1;
pub mod radiative_bhabha;
pub mod tabulated;

pub use bhabha::{AsymmetricCollider, BhabhaSpectrum};
pub use colliding_beams::{CollidingBeams, RealBeamsBhabhaSpectrum};
pub use tabulated::TabulatedSpectrum;

use crate::numerics::quadrature::EndPoint;

/// A positron energy spectrum in the lab frame: events per GeV once multiplied by luminosity.
#[derive(Debug, Clone, PartialEq)]
pub enum PositronSpectrum {
    /// Analytic Bhabha scattering in a polar-angle window [DPT Eq. 2.1-2.2].
    Bhabha(BhabhaSpectrum),
    /// Bhabha scattering with a crossing angle and the beams' energy spread.
    RealBeams(Box<RealBeamsBhabhaSpectrum>),
    /// Numbers: a table, an event file's histogram, the built-in generator's spectrum.
    Tabulated(TabulatedSpectrum),
}

impl PositronSpectrum {
    /// `dsigma/dE` in cm^2/GeV (zero outside `[e_min, e_max]`).
    #[must_use]
    pub fn dsigma_de_cm2_per_gev(&self, energy_gev: f64) -> f64 {
        match self {
            Self::Bhabha(b) => b.dsigma_de_cm2_per_gev(energy_gev),
            Self::RealBeams(b) => b.dsigma_de_cm2_per_gev(energy_gev),
            Self::Tabulated(t) => t.dsigma_de_cm2_per_gev(energy_gev),
        }
    }

    /// Total cross section in cm^2.
    #[must_use]
    pub fn sigma_cm2(&self) -> f64 {
        match self {
            Self::Bhabha(b) => b.sigma_cm2(),
            Self::RealBeams(b) => b.sigma().value,
            Self::Tabulated(t) => t.sigma_cm2(),
        }
    }

    /// Lowest positron energy, GeV.
    #[must_use]
    pub fn e_min_gev(&self) -> f64 {
        match self {
            Self::Bhabha(b) => b.e_min_gev(),
            Self::RealBeams(b) => b.e_min_gev(),
            Self::Tabulated(t) => t.e_min_gev(),
        }
    }

    /// Highest positron energy, GeV.
    #[must_use]
    pub fn e_max_gev(&self) -> f64 {
        match self {
            Self::Bhabha(b) => b.e_max_gev(),
            Self::RealBeams(b) => b.e_max_gev(),
            Self::Tabulated(t) => t.e_max_gev(),
        }
    }

    /// Energies where `dsigma/dE` has a kink (the points of a table), GeV: break points for
    /// integrals over the spectrum.
    #[must_use]
    pub fn kinks_gev(&self) -> &[f64] {
        match self {
            Self::Bhabha(_) => &[],
            Self::RealBeams(b) => b.kinks_gev(),
            Self::Tabulated(t) => t.nodes_gev(),
        }
    }

    /// How the spectrum behaves at its kinks: the slope jumps of a table (regular); the
    /// square-root onsets of the real beams' spectrum with a crossing angle, where an edge of the
    /// polar-angle window starts or stops covering a whole circle of directions; or, head-on
    /// beams with an energy spread, the steps at each pair of beam energies' window edges,
    /// which the track-length spike turns into `1/ln` cusps of the flux.
    #[must_use]
    pub fn kink_kind(&self) -> EndPoint {
        match self {
            Self::RealBeams(b) if b.beams().crossing_angle_rad == 0.0 => EndPoint::Cusp,
            Self::RealBeams(_) => EndPoint::SquareRoot,
            Self::Bhabha(_) | Self::Tabulated(_) => EndPoint::Regular,
        }
    }

    /// Bound on the spectrum's own interpolation error relative to its largest value (0 for
    /// the closed form and for tables, which are their linear interpolant).
    #[must_use]
    pub fn interpolation_error(&self) -> f64 {
        match self {
            Self::RealBeams(b) => b.interpolation_error(),
            Self::Bhabha(_) | Self::Tabulated(_) => 0.0,
        }
    }

    /// Whether the selected particle is the electron (the control sample).
    #[must_use]
    pub fn selects_electrons(&self) -> bool {
        match self {
            Self::Bhabha(b) => b.selects_electrons(),
            Self::RealBeams(b) => b.selects_electrons(),
            Self::Tabulated(t) => t.selects_electrons(),
        }
    }
}

/// A mono-energetic beam on a fixed target (NA64 [DPT App. C]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beam {
    /// The beam particle.
    pub particle: crate::showers::track_length::Incident,
    /// Beam energy, GeV (100 for NA64).
    pub energy_gev: f64,
    /// Particles on target (2.84e11 electrons for NA64 2016-2018).
    pub particles_on_target: f64,
    /// Signal efficiency (0.5 in [DPT Eq. C.2]).
    pub efficiency: f64,
    /// Relative rms spread of the beam energy, Gaussian (0: mono-energetic).
    pub energy_spread: f64,
}

/// Where the incident particles come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Particles selected from collisions: a spectrum times an integrated luminosity.
    Collider {
        /// Spectrum of the selected particle.
        spectrum: PositronSpectrum,
        /// Integrated luminosity, ab^-1.
        luminosity_ab: f64,
    },
    /// A mono-energetic beam.
    Beam(Beam),
}

impl Source {
    /// Number of particles entering the target (before any signal efficiency).
    #[must_use]
    pub fn n_incident(&self) -> f64 {
        match self {
            Self::Collider {
                spectrum,
                luminosity_ab,
            } => crate::units::luminosity_ab_to_cm2(*luminosity_ab) * spectrum.sigma_cm2(),
            Self::Beam(beam) => beam.particles_on_target,
        }
    }

    /// Lowest incident energy, GeV.
    #[must_use]
    pub fn e_min_gev(&self) -> f64 {
        match self {
            Self::Collider { spectrum, .. } => spectrum.e_min_gev(),
            Self::Beam(beam) => beam.energy_gev,
        }
    }

    /// Highest incident energy, GeV.
    #[must_use]
    pub fn e_max_gev(&self) -> f64 {
        match self {
            Self::Collider { spectrum, .. } => spectrum.e_max_gev(),
            Self::Beam(beam) => beam.energy_gev,
        }
    }
}
