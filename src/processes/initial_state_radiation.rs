//! Initial-state radiation in `e+ e- -> A'`: the Kuraev–Fadin radiator.
//!
//! Before annihilating, the pair may radiate collinear photons that carry a fraction `x` of
//! `s` away, so that the mediator is made at `s' = s (1 - x)`. To first order with the soft
//! photons exponentiated (E. A. Kuraev and V. S. Fadin, Sov. J. Nucl. Phys. 41 (1985) 466,
//! Eq. 28 there),
//!
//! `sigma(s) = integral_0^1 dx W(x; s) sigma_0(s (1 - x))`,
//! `W(x; s) = beta x^(beta - 1) (1 + 3 beta/4) - beta (1 - x/2)`,
//! `beta = (2 alpha/pi) (ln(s/m_e^2) - 1)`,
//!
//! with `s` the value before radiation. `integral_0^1 W dx = 1`: the radiation moves yield from
//! `s` to lower `s'` and creates none (docs/physics.md §9). At Belle II's resonance
//! (`s = (67 MeV)^2`) `beta = 0.041`, so `W` is a spike of weight `x^beta` near `x = 0` and a
//! flat tail of height about `beta/2` that reaches every lower `s'` (the radiative return).
//!
//! [`Radiator`] gives `W`, its integral in closed form and the derivatives of that integral
//! with respect to `beta`, so that the effective flux (`crate::processes::effective_flux`)
//! can convolve with cell masses that are exact, and follow the slow change of `beta` with `s`
//! by a Taylor series.

use crate::numerics::quadrature::{Estimate, Tolerance, integrate};
use crate::numerics::table::UniformTable;
use crate::showers::track_length::TrackLengthTable;
use crate::units::{ALPHA, ELECTRON_MASS_GEV};
use rayon::prelude::*;

/// `beta = (2 alpha/pi)(ln(s/m_e^2) - 1)` of the Kuraev–Fadin radiator, for `s` in GeV^2.
#[must_use]
pub fn beta_of_s(s_gev2: f64) -> f64 {
    2.0 * ALPHA / std::f64::consts::PI
        * ((s_gev2 / (ELECTRON_MASS_GEV * ELECTRON_MASS_GEV)).ln() - 1.0)
}

/// The radiator at one `beta`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Radiator {
    /// `beta = (2 alpha/pi)(ln(s/m_e^2) - 1)`.
    pub beta: f64,
}

impl Radiator {
    /// The radiator for a pair of invariant mass squared `s_gev2` (before radiation).
    #[must_use]
    pub fn at_s(s_gev2: f64) -> Self {
        Self {
            beta: beta_of_s(s_gev2),
        }
    }

    /// `W(x)`, the probability density of the fraction `x` of `s` radiated (0 < x < 1).
    #[must_use]
    pub fn density(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return f64::INFINITY;
        }
        let b = self.beta;
        b * x.powf(b - 1.0) * (1.0 + 0.75 * b) - b * (1.0 - 0.5 * x)
    }

    /// `integral_0^x W dx' = (1 + 3 beta/4) x^beta - beta (x - x^2/4)`, exact (1 at `x = 1`).
    #[must_use]
    pub fn cumulative(&self, x: f64) -> f64 {
        cumulative_and_beta_derivatives(x, self.beta)[0]
    }

    /// [`Radiator::cumulative`] at `x > 0` with `ln x` given, the same arithmetic: for many
    /// radiators at the same points, whose logarithms are then computed once.
    #[must_use]
    pub fn cumulative_at_log(&self, x: f64, ln_x: f64) -> f64 {
        cumulative_and_beta_derivatives_at_log(x, ln_x, self.beta)[0]
    }

    /// `integral W(x) f(x) dx` from the first to the last of `breaks_x` (in `[0, 1]`, sorted),
    /// by adaptive quadrature with those break points, the spike `beta x^(beta - 1)` taken in
    /// `t = x^beta`, where it is flat: a direct average over the radiator, which the tests of
    /// the tabulated constructions compare with.
    ///
    /// # Panics
    /// If a quadrature misses `tol`.
    #[cfg(test)]
    pub(crate) fn integral_against(
        &self,
        f: impl Fn(f64) -> f64,
        breaks_x: &[f64],
        tol: Tolerance,
    ) -> f64 {
        let beta = self.beta;
        let breaks_t: Vec<f64> = breaks_x.iter().map(|x| x.powf(beta)).collect();
        let spike = integrate(|t| f(t.powf(1.0 / beta)), &breaks_t, tol);
        let rest = integrate(|x| (1.0 - 0.5 * x) * f(x), breaks_x, tol);
        assert!(spike.converged && rest.converged, "{spike:?} {rest:?}");
        (1.0 + 0.75 * beta) * spike.value - beta * rest.value
    }
}

/// Accuracy of each node integral of [`radiated_track_length`] (relative).
const NODE_TOLERANCE: f64 = 1e-9;

/// The soft side of each node of [`radiated_track_length`] is integrated in `ln t` over this
/// many e-folds below `Lambda/2` (beyond, the subtracted integrand is below `e^-36` of it).
const SOFT_EFOLDS: f64 = 36.0;

/// The track-length shape seen by the resonance when the positron radiates before it
/// annihilates: a positron of energy `E'` that gives the fraction `x` of its energy to a
/// collinear photon annihilates at `E'' = E'(1 - x)`, and the photon's energy is visible, as
/// is the shower's. With `t = -ln(1 - x)` the loss adds to the shower's, `Lambda = lambda + t`,
/// and per unit `E''` (the Jacobian `dE'/dE'' = e^t` cancels the radiator's `dx/dt = e^-t`)
///
/// `f_rad(Lambda) = integral_0^Lambda dt W(1 - e^-t) f(Lambda - t)`,
///
/// which replaces `f` in the annihilation yield, cut and all (the window's cut on the visible
/// energy becomes a cut on `Lambda`). `radiator` is the positron's leg at a fixed `s`: the
/// Kuraev–Fadin radiator is, to first order in `beta`, the convolution of one per leg, each
/// with `beta/2` (the collinear logarithm of each particle); in a missing-energy search the
/// legs differ (docs/physics.md §9), the positron's photon carrying its energy into the
/// calorimeter, the target electron's almost none. Each node is split at `T = Lambda/2`. Below, with `W = beta a t^(beta - 1) rho(t) -
/// beta (1 - x/2)`, `a = 1 + 3 beta/4`, `rho = (x/t)^(beta - 1)` and `phi(t) = rho(t) f(Lambda -
/// t)`, the power is integrated exactly for `phi(0)` and the rest in `ln t`:
/// `a [T^beta phi(0) + integral beta t^beta (phi(t) - phi(0)) dln t] - beta integral (1 - x/2)
/// f dt`. Above, the shower's spike at `lambda -> 0` is integrated in the table variable
/// ([`TrackLengthTable::integrate_over_lambda`]). The table stores the density over the factor
/// of the emptied spike ([`TrackLengthTable::from_density_estimates`]).
#[must_use]
pub fn radiated_track_length(shower: &TrackLengthTable, radiator: Radiator) -> TrackLengthTable {
    let beta = radiator.beta;
    let a = 1.0 + 0.75 * beta;
    let nodes = UniformTable::nodes(0.0, 1.0, shower.nodes());
    let tol = Tolerance::relative(NODE_TOLERANCE);
    let x_of = |t: f64| -(-t).exp_m1();
    let rho = |t: f64| {
        if t > 0.0 {
            (x_of(t) / t).powf(beta - 1.0)
        } else {
            1.0
        }
    };
    let estimates: Vec<Estimate> = nodes
        .par_iter()
        .map(|&w| {
            let lambda = shower.lambda_of_w(w);
            if lambda <= 0.0 {
                // g / F -> a Gamma(1 + beta) g(0): g(0) = 1/b1 with the spike of a first
                // generation, 0 without one (the second generation alone, a deeper layer).
                return Estimate::exact(
                    a * statrs::function::gamma::gamma(1.0 + beta) * shower.density(0.0),
                );
            }
            let half = 0.5 * lambda;
            let phi_0 = shower.shape(lambda);
            let power = integrate(
                |s: f64| {
                    let t = s.exp();
                    beta * (beta * s).exp() * (rho(t) * shower.shape(lambda - t) - phi_0)
                },
                &[half.ln() - SOFT_EFOLDS, half.ln()],
                tol,
            );
            let regular = integrate(
                |t: f64| (1.0 - 0.5 * x_of(t)) * shower.shape(lambda - t),
                &[0.0, half],
                tol,
            );
            let soft = Estimate::exact(a * half.powf(beta) * phi_0)
                + power.scaled(a)
                + regular.scaled(-beta);
            let hard = shower.integrate_over_lambda(
                |l| radiator.density(x_of(lambda - l)),
                0.0,
                half,
                &[],
                tol,
            );
            (soft + hard).scaled(lambda / (w * w * shower.spike_factor(beta, w)))
        })
        .collect();
    TrackLengthTable::from_density_estimates(
        *shower.settings(),
        shower.lambda_max(),
        &estimates,
        0.0,
        Some(beta),
    )
}

/// `M(x; beta) = integral_0^x W dx'` and its first three derivatives with respect to `beta`,
/// `[M, dM/dbeta, d^2M/dbeta^2, d^3M/dbeta^3]`, in closed form:
/// with `P = x^beta` and `L = ln x`,
/// `M = (1 + 3b/4) P - b (x - x^2/4)`,
/// `M' = (3/4) P + (1 + 3b/4) P L - (x - x^2/4)`,
/// `M'' = (3/2) P L + (1 + 3b/4) P L^2`,
/// `M''' = (9/4) P L^2 + (1 + 3b/4) P L^3`.
/// At `x = 0` every term vanishes (`x^beta ln^k x -> 0`).
#[must_use]
pub fn cumulative_and_beta_derivatives(x: f64, beta: f64) -> [f64; 4] {
    if x <= 0.0 {
        return [0.0; 4];
    }
    cumulative_and_beta_derivatives_at_log(x, x.ln(), beta)
}

/// [`cumulative_and_beta_derivatives`] at `x > 0` with `l = ln x` given.
fn cumulative_and_beta_derivatives_at_log(x: f64, l: f64, beta: f64) -> [f64; 4] {
    let p = (beta * l).exp();
    let a = 1.0 + 0.75 * beta;
    let hard = x - 0.25 * x * x;
    [
        a * p - beta * hard,
        0.75 * p + a * p * l - hard,
        1.5 * p * l + a * p * l * l,
        2.25 * p * l * l + a * p * l * l * l,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::tanh_sinh;
    use crate::showers::track_length::B1;

    /// Normalisation: `integral_0^1 W dx = 1` for every `beta`, by the closed form and by
    /// tanh-sinh quadrature of the density (an independent method: the `x^(beta-1)` end point
    /// is what double-exponential nodes handle).
    #[test]
    fn the_radiator_is_normalised() {
        // The weight `x^beta` below the smallest node used (1e-300) is missed: 4e-9 at
        // beta = 0.028 (at beta = 0.01 it would be 1e-3).
        for beta in [0.028, 0.041, 0.06, 0.1] {
            let r = Radiator { beta };
            assert!((r.cumulative(1.0) - 1.0).abs() < 1e-15, "beta = {beta}");
            let total = tanh_sinh(
                |_, d, _| if d > 1e-300 { r.density(d) } else { 0.0 },
                0.0,
                1.0,
                1e-12,
            );
            assert!(
                (total.value - 1.0).abs() < 1e-8,
                "beta = {beta}: {:.12}",
                total.value
            );
        }
    }

    /// The closed-form integral against quadrature of the density on sub-intervals, by
    /// tanh-sinh and by [`Radiator::integral_against`] (the spike in `t = x^beta`).
    #[test]
    fn the_cumulative_integral_matches_quadrature() {
        let r = Radiator { beta: 0.041 };
        for (a, b) in [(0.0, 1e-6), (1e-6, 1e-3), (0.01, 0.3), (0.5, 0.99)] {
            let q = tanh_sinh(|_, d, _| r.density(a + d), a, b, 1e-12).value;
            let against = r.integral_against(|_| 1.0, &[a, b], Tolerance::relative(1e-12));
            let closed = r.cumulative(b) - r.cumulative(a);
            for value in [q, against] {
                assert!(
                    (value / closed - 1.0).abs() < 1e-9,
                    "[{a}, {b}]: {value:.12e} against {closed:.12e}"
                );
            }
        }
    }

    /// The soft limit: as `beta -> 0` the radiator tends to `delta(x)`: the weight beyond any
    /// fixed `x` vanishes like `beta ln(1/x)`.
    #[test]
    fn the_soft_limit_is_no_radiation() {
        for x in [1e-4, 1e-2, 0.5] {
            let mut previous = f64::INFINITY;
            for beta in [1e-2, 1e-3, 1e-4, 1e-5] {
                let beyond = 1.0 - Radiator { beta }.cumulative(x);
                // First order in beta: beta (ln(1/x) - 3/4 + x - x^2/4).
                let leading = beta * (-x.ln() - 0.75 + x - 0.25 * x * x);
                assert!(beyond < previous && beyond >= 0.0);
                assert!(
                    (beyond / leading - 1.0).abs() < 2.0 * beta * (1.0 - x.ln()),
                    "x = {x}, beta = {beta}: {beyond:e} against {leading:e}"
                );
                previous = beyond;
            }
        }
    }

    /// The `beta` derivatives against central differences of the closed form.
    #[test]
    fn beta_derivatives_match_finite_differences() {
        let h = 1e-4;
        for x in [1e-5, 0.01, 0.3, 0.9] {
            let beta = 0.041;
            let d = cumulative_and_beta_derivatives(x, beta);
            for (k, &analytic) in d.iter().enumerate().skip(1) {
                let f = |b: f64| cumulative_and_beta_derivatives(x, b)[k - 1];
                let numeric = (f(beta + h) - f(beta - h)) / (2.0 * h);
                assert!(
                    (numeric - analytic).abs() <= 1e-6 * analytic.abs().max(1.0),
                    "x = {x}, derivative {k}: {numeric:e} against {analytic:e}"
                );
            }
        }
    }

    fn first_generation_table(thickness_x0: f64) -> TrackLengthTable {
        use crate::showers::track_length::{Generations, SecondGeneration, ShowerSettings};
        let settings = ShowerSettings {
            thickness_x0,
            generations: Generations::FirstAndSecond,
            second_generation: SecondGeneration::TsaiWhitisPairs { multiplicity: 0.0 },
        };
        TrackLengthTable::new(settings, 0.0513, 128)
    }

    /// The radiated track length against a second method: tanh-sinh quadrature of
    /// `integral_0^Lambda dt W(1 - e^-t) f1(Lambda - t)` with the first generation evaluated
    /// directly ([`crate::showers::track_length::first_generation_times_lambda`], not the
    /// table). The radiator's end `t -> 0` is sampled through exact distances; the shower's
    /// spike `f1 ~ 1/(b1 u ln^2 u)` at `u = Lambda - t -> 0` holds weight at every scale of `u`
    /// (a cut at 1e-300 would lose `1/(b1 ln 1e300)`, 0.7% at `Lambda = 1e-8`), so that half is
    /// integrated in `r = ln(2/Lambda)/ln(1/u)` over `(0, 1]`, where `u f1 du/dr` is smooth.
    /// From `Lambda = 1e-8` (deep in the emptied spike) to the window's `0.05`.
    #[test]
    fn the_radiated_track_length_matches_direct_integration() {
        use crate::showers::track_length::first_generation_times_lambda;
        let thickness = 16.0;
        let shower = first_generation_table(thickness);
        let radiator = Radiator { beta: 0.0205 };
        let radiated = radiated_track_length(&shower, radiator);
        assert!(
            radiated.interpolation_error() < 1e-3,
            "{}",
            radiated.interpolation_error()
        );
        let x_of = |t: f64| -(-t).exp_m1();
        for big_lambda in [1e-8, 1e-5, 1e-3, 0.01, 0.03, 0.05] {
            let half = 0.5 * big_lambda;
            let soft = tanh_sinh(
                |_, t, _| {
                    if t <= 1e-300 {
                        0.0
                    } else {
                        let u = big_lambda - t;
                        radiator.density(x_of(t))
                            * first_generation_times_lambda(-u.ln(), thickness).value
                            / u
                    }
                },
                0.0,
                half,
                1e-11,
            );
            let l0 = (1.0 / half).ln();
            let spike = tanh_sinh(
                |r, _, _| {
                    // u f1 -> 1/(b1 l^2) (1 + O(1/l)): the limit below r = 1e-9.
                    if r <= 1e-9 {
                        return radiator.density(x_of(big_lambda)) / (B1 * l0);
                    }
                    let l = l0 / r;
                    let u = (-l).exp();
                    l0 / (r * r)
                        * first_generation_times_lambda(l, thickness).value
                        * radiator.density(x_of(big_lambda - u))
                },
                0.0,
                1.0,
                1e-11,
            );
            let direct = soft.value + spike.value;
            let ours = radiated.shape(big_lambda);
            assert!(
                (ours / direct - 1.0).abs() < 1e-5,
                "Lambda = {big_lambda}: {ours:.8e} against {direct:.8e}"
            );
        }
    }

    /// The soft limit: as `beta -> 0` the radiated track length tends to the shower's, at
    /// `lambda` away from the spike (the difference is of order `beta ln(1/lambda)`).
    #[test]
    fn without_radiation_the_track_length_is_the_showers() {
        let shower = first_generation_table(16.0);
        for beta in [1e-3, 1e-5] {
            let radiated = radiated_track_length(&shower, Radiator { beta });
            for lambda in [1e-3, 0.01, 0.04] {
                let ratio = radiated.shape(lambda) / shower.shape(lambda);
                assert!(
                    (ratio - 1.0).abs() < 3.0 * beta * (1.0 - lambda.ln()),
                    "beta = {beta}, lambda = {lambda}: {ratio}"
                );
            }
        }
    }

    /// `beta` at the Belle II best mass and at PADME's 17 MeV (values quoted in the literature:
    /// 0.041 and 0.028, docs/physics.md §9).
    #[test]
    fn beta_has_the_known_size() {
        let b = beta_of_s(0.0667_f64.powi(2));
        assert!((b - 0.0410).abs() < 5e-4, "{b}");
        let b = beta_of_s(0.017_f64.powi(2));
        assert!((b - 0.0279).abs() < 5e-4, "{b}");
    }
}
