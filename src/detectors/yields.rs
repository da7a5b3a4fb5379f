//! Signal yields of a thick-target missing-energy search: the Belle II ECL hit by Bhabha
//! positrons [DPT Sec. 4].

use crate::detectors::thick_target::{MissingEnergyWindow, Process};
use crate::materials::Material;
use crate::models::DarkPhoton;
use crate::numerics::product::ProductRule;
use crate::numerics::quadrature::{Estimate, Tolerance};
use crate::numerics::table::UniformTable;
use crate::processes::annihilation::AnnihilationFlux;
use crate::processes::bremsstrahlung::{ElasticFlux, EnergyFractionIntegral};
use crate::showers::track_length::{Incident, ShowerSettings, TrackLengthTable};
use crate::sources::PositronSpectrum;
use crate::units::{ELECTRON_MASS_GEV, gev2_to_cm2, luminosity_ab_to_cm2};

/// The bremsstrahlung integrand is sampled at `2^4 + 1 = 17` incident energies; the 9-point
/// subset gives the error estimate.
const SPECTRUM_RULE_LEVELS: u32 = 3;

/// Everything that fixes the thick-target calculation apart from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ThickTargetSetup {
    /// Spectrum of the particles entering the target.
    pub spectrum: PositronSpectrum,
    /// Integrated luminosity in ab^-1.
    pub luminosity_ab: f64,
    /// Target material.
    pub material: Material,
    /// Thickness for the annihilation track length, in X0 (16 for the ECL).
    pub thickness_x0: f64,
    /// Thickness for the bremsstrahlung track length, in X0 (1 in [DPT Eq. 4.5]).
    pub brem_thickness_x0: f64,
    /// Incident particle (positron for the disappearing positron track).
    pub incident: Incident,
    /// Conversion multiplicity of [DPT Eq. A.3] (2).
    pub second_generation_multiplicity: f64,
    /// Largest visible energy fraction `f`.
    pub max_visible_fraction: f64,
    /// Smallest fractional energy loss kept in the track length (0 = exact).
    pub min_energy_loss_fraction: f64,
}

/// Numerical resolution of the yield calculation; [`Resolution::doubled`] is the convergence test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolution {
    /// Intervals of the track-length tables in `w`.
    pub track_length_intervals: usize,
    /// Intervals per segment of the annihilation flux table.
    pub flux_intervals: usize,
    /// Relative tolerance of each per-mass integral.
    pub relative_tolerance: f64,
}

impl Default for Resolution {
    fn default() -> Self {
        Self {
            track_length_intervals: 128,
            flux_intervals: 256,
            relative_tolerance: 1e-5,
        }
    }
}

impl Resolution {
    /// Twice the table resolution and a hundred times tighter tolerances.
    #[must_use]
    pub fn doubled(self) -> Self {
        Self {
            track_length_intervals: 2 * self.track_length_intervals,
            flux_intervals: 2 * self.flux_intervals,
            relative_tolerance: self.relative_tolerance / 100.0,
        }
    }
}

/// Yields per `eps^2` at one model point, with their numerical error estimates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Yields {
    /// Annihilation events per `eps^2`.
    pub annihilation: Estimate,
    /// Bremsstrahlung events per `eps^2`.
    pub bremsstrahlung: Estimate,
}

impl Yields {
    /// Total signal per `eps^2`.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.annihilation.value + self.bremsstrahlung.value
    }
}

/// A thick-target search with its tables built: call [`ThickTargetSearch::yields`] per model.
#[derive(Debug, Clone)]
pub struct ThickTargetSearch {
    setup: ThickTargetSetup,
    window: MissingEnergyWindow,
    resolution: Resolution,
    flux: AnnihilationFlux,
    brem_track_length: TrackLengthTable,
    annihilation_track_length: TrackLengthTable,
    spectrum_rule: ProductRule,
}

impl ThickTargetSearch {
    /// Builds the track-length tables and the annihilation flux.
    #[must_use]
    pub fn new(setup: ThickTargetSetup, resolution: Resolution) -> Self {
        let window = MissingEnergyWindow {
            e_min_gev: setup.spectrum.e_min_gev(),
            e_max_gev: setup.spectrum.e_max_gev(),
            max_visible_fraction: setup.max_visible_fraction,
            min_energy_loss_fraction: setup.min_energy_loss_fraction,
        };
        let shower = |thickness_x0| ShowerSettings {
            thickness_x0,
            incident: setup.incident,
            second_generation_multiplicity: setup.second_generation_multiplicity,
        };
        let (annihilation_track_length, brem_track_length) = rayon::join(
            || {
                TrackLengthTable::new(
                    shower(setup.thickness_x0),
                    window.lambda_max(Process::Annihilation),
                    resolution.track_length_intervals,
                )
            },
            || {
                TrackLengthTable::new(
                    shower(setup.brem_thickness_x0),
                    window.lambda_max(Process::Bremsstrahlung),
                    resolution.track_length_intervals,
                )
            },
        );
        let spectrum = setup.spectrum.clone();
        let flux = AnnihilationFlux::new(
            window,
            move |e| spectrum.dsigma_de_cm2_per_gev(e),
            &annihilation_track_length,
            resolution.flux_intervals,
        );
        let spectrum = &setup.spectrum;
        let spectrum_rule = ProductRule::new(
            |e| spectrum.dsigma_de_cm2_per_gev(e),
            window.e_min_gev,
            window.e_max_gev,
            SPECTRUM_RULE_LEVELS,
            &[],
        );
        Self {
            setup,
            window,
            resolution,
            flux,
            brem_track_length,
            annihilation_track_length,
            spectrum_rule,
        }
    }

    /// The setup.
    #[must_use]
    pub fn setup(&self) -> &ThickTargetSetup {
        &self.setup
    }

    /// The missing-energy window.
    #[must_use]
    pub fn window(&self) -> &MissingEnergyWindow {
        &self.window
    }

    /// The track-length table used for annihilation.
    #[must_use]
    pub fn annihilation_track_length(&self) -> &TrackLengthTable {
        &self.annihilation_track_length
    }

    /// The tabulated annihilation flux.
    #[must_use]
    pub fn annihilation_flux(&self) -> &AnnihilationFlux {
        &self.flux
    }

    /// Luminosity in cm^-2.
    #[must_use]
    pub fn luminosity_cm2(&self) -> f64 {
        luminosity_ab_to_cm2(self.setup.luminosity_ab)
    }

    /// Number of particles entering the target, `L sigma`.
    #[must_use]
    pub fn n_incident(&self) -> f64 {
        self.luminosity_cm2() * self.setup.spectrum.sigma_cm2()
    }

    /// Annihilation and bremsstrahlung yields per `eps^2` [DPT Eq. 4.4-4.7].
    #[must_use]
    pub fn yields(&self, dark_photon: &DarkPhoton) -> Yields {
        let tol = Tolerance::relative(self.resolution.relative_tolerance);
        let material = &self.setup.material;
        let x0 = material.radiation_length_cm;
        let annihilation = self
            .flux
            .integrate_cross_section(dark_photon, tol)
            .scaled(self.luminosity_cm2() * material.electrons_per_cm3() * x0);
        let bremsstrahlung = self
            .brem_integral(dark_photon, tol)
            .scaled(self.luminosity_cm2() * material.formula_units_per_cm3() * x0);
        Yields {
            annihilation,
            bremsstrahlung,
        }
    }

    /// Summed elastic flux `sum_N phi_N(E')` of [DPT Eq. 4.7] for the target's nuclei, tabulated
    /// for one mass over the `E'` range of the bremsstrahlung integral (cubic interpolation in
    /// `E'`, 64 intervals: the flux varies only logarithmically there; tested below 1e-9).
    fn photon_flux_table(&self, mass_gev: f64) -> UniformTable {
        let fluxes: Vec<ElasticFlux> = self
            .setup
            .material
            .nuclei
            .iter()
            .map(|n| ElasticFlux::new(n, mass_gev))
            .collect();
        let e_lo = (1.0 - self.window.max_visible_fraction) * self.window.e_min_gev;
        UniformTable::from_fn(
            e_lo,
            self.window.e_max_gev,
            Self::PHOTON_FLUX_INTERVALS + 1,
            |e| fluxes.iter().map(|f| f.at(e)).sum(),
        )
    }

    /// Intervals of the per-mass photon-flux table.
    const PHOTON_FLUX_INTERVALS: usize = 64;

    /// Bremsstrahlung integral in cm^4 [DPT Eq. 4.5]:
    /// `integral dE dsigma_B/dE integral dlambda f(lambda) e^-lambda phi(E') X(lambda, E')`
    /// with `E' = E e^-lambda` and `X` the energy-fraction integral of [DPT Eq. 4.6] over `E_A'` in
    /// `[(1-f) E, min(E', E - m_e)]`.
    ///
    /// In `(E, lambda)` the region is the rectangle `[E_min, E_max] x [lambda_delta, -ln(1-f)]`, so
    /// the outer `E` integrand is smooth. In `y = 1 - E_A'/E'` the limits are
    /// `y_lo = max(0, 1 - e^lambda (1 - m_e/E))` and `y_hi = f - (1-f)(e^lambda - 1)`, and `X` is a
    /// logarithm regularised at the collinear scale `y0 = m_e^2/m^2`: it has a log onset where
    /// `y_lo` reaches zero (`lambda_k = -ln(1 - m_e/E)`) and where `y_hi` does (`lambda_f`). The
    /// `lambda` integral is therefore split at `lambda_k` and both sides of each log point are
    /// integrated in `s = ln(|lambda - lambda_*| + y0)`; the spike at `lambda = 0` is integrated in
    /// the table variable `w`. Each piece is one 15-point Gauss–Kronrod panel whose error
    /// estimate is added to the total.
    fn brem_integral(&self, dark_photon: &DarkPhoton, tol: Tolerance) -> Estimate {
        let window = &self.window;
        let f = window.max_visible_fraction;
        let m = dark_photon.mass_gev;
        let y0 = (ELECTRON_MASS_GEV / m).powi(2);
        let photon_flux = self.photon_flux_table(m);
        let fraction = EnergyFractionIntegral::new(m);
        let table = &self.brem_track_length;
        let lambda_delta = window.lambda_min_loss();
        let lambda_f = -(-f).ln_1p();
        let mut inner_error = 0.0_f64;
        let mut inner_scale = 0.0_f64;
        let samples: Vec<f64> = self
            .spectrum_rule
            .nodes()
            .iter()
            .map(|&e| {
                let lambda_k = -(-ELECTRON_MASS_GEV / e).ln_1p();
                let integrand = |lambda: f64| {
                    let growth = lambda.exp_m1();
                    let y_lo = if lambda < lambda_k {
                        -(growth - ELECTRON_MASS_GEV / e * (1.0 + growth))
                    } else {
                        0.0
                    };
                    let y_hi = f - (1.0 - f) * growth;
                    let e_prime = e / (1.0 + growth);
                    photon_flux.eval(e_prime) * fraction.between(y_lo.max(0.0), y_hi)
                        / (1.0 + growth)
                };
                let mut total = Estimate::exact(0.0);
                // Pieces: [delta, k/2] in w; [k/2, k] log onset at k; [k, mid] in w; [mid, f] log at f.
                let k = lambda_k.max(lambda_delta);
                if lambda_delta < 0.5 * lambda_k {
                    total =
                        total + table.integrate_panel_w(&integrand, lambda_delta, 0.5 * lambda_k);
                }
                if lambda_delta < lambda_k {
                    let lo = (0.5 * lambda_k).max(lambda_delta);
                    total =
                        total + table.integrate_panel_log_end(&integrand, lo, lambda_k, y0, true);
                }
                let mid = 0.5 * (k + lambda_f);
                total = total + table.integrate_panel_w(&integrand, k, mid);
                total = total + table.integrate_panel_log_end(&integrand, mid, lambda_f, y0, true);
                inner_error += total.error;
                inner_scale += total.value.abs();
                gev2_to_cm2(total.value)
            })
            .collect();
        let outer = self.spectrum_rule.apply(&samples);
        let inner_relative = if inner_scale > 0.0 {
            inner_error / inner_scale
        } else {
            0.0
        };
        Estimate {
            error: outer.error + inner_relative * outer.value.abs(),
            converged: outer.converged
                && outer.error <= tol.relative * outer.value.abs()
                && inner_relative <= tol.relative,
            ..outer
        }
    }
}
