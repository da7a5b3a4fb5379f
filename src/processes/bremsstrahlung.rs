//! On-shell dark-photon bremsstrahlung off target nuclei, `e+ N -> e+ N A'`.
//!
//! [DPT Eq. 4.5-4.7]: the Weizsaecker–Williams cross section
//! `dsigma/dE_A' = (phi_N) (4 alpha^3 eps^2 / E') x (1 - x + x^2/3) / (m^2 (1-x) + m_e^2 x^2)`,
//! `x = E_A'/E'`, with the elastic photon flux `phi_N` of [Eq. 4.7].

use crate::materials::Nucleus;
use crate::numerics::quadrature::{
    Estimate, GAUSS_LEGENDRE_4, GAUSS_LEGENDRE_8, GAUSS_LEGENDRE_16, GAUSS_LEGENDRE_32,
    GaussLegendre, Tolerance, integrate,
};
use crate::units::{ALPHA, ELECTRON_MASS_GEV};

/// Atomic screening parameter `a = 111 Z^(-1/3) / m_e` in GeV^-1 [DPT Eq. 4.7].
#[must_use]
pub fn screening_a_inv_gev(nucleus: &Nucleus) -> f64 {
    111.0 * nucleus.z.powf(-1.0 / 3.0) / ELECTRON_MASS_GEV
}

/// Nuclear size parameter `d = 0.164 A^(-2/3)` in GeV^2 [DPT Eq. 4.7].
#[must_use]
pub fn nuclear_d_gev2(nucleus: &Nucleus) -> f64 {
    0.164 * nucleus.a.powf(-2.0 / 3.0)
}

/// Momentum-transfer limits `(t_min, t_max) = ((m^2/(2E'))^2, m^2 + m_e^2)` in GeV^2 [DPT Eq. 4.7].
#[must_use]
pub fn t_limits_gev2(mass_gev: f64, e_prime_gev: f64) -> (f64, f64) {
    let m2 = mass_gev * mass_gev;
    (
        (m2 / (2.0 * e_prime_gev)).powi(2),
        m2 + ELECTRON_MASS_GEV * ELECTRON_MASS_GEV,
    )
}

/// Elastic photon flux of a nucleus [DPT Eq. 4.7], closed form:
/// `phi = integral_{tmin}^{tmax} dt (t - tmin)/t^2 [Z a^2 t / ((1 + a^2 t)(1 + t/d))]^2`.
///
/// With `c1 = 1/a^2` and `c2 = d` the integrand is `Z^2 d^2 (t - tmin)/((t + c1)^2 (t + c2)^2)`,
/// whose partial fractions give
/// `Z^2 d^2 [A1 ln((t+c1)/(t+c2)) - B1/(t+c1) - B2/(t+c2)]` with `D = c2 - c1`,
/// `A1 = (c1 + c2 + 2 tmin)/D^3`, `B1 = -(c1 + tmin)/D^2`, `B2 = -(c2 + tmin)/D^2`
/// (the same elastic term as Bjorken, Essig, Schuster, Toro, PRD 80 (2009) 075018, Eq. A18).
/// Cross-checked against [`elastic_photon_flux_quadrature`].
#[must_use]
pub fn elastic_photon_flux(nucleus: &Nucleus, mass_gev: f64, e_prime_gev: f64) -> f64 {
    ElasticFlux::new(nucleus, mass_gev).at(e_prime_gev)
}

/// [`elastic_photon_flux`] with the nucleus- and mass-dependent constants computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElasticFlux {
    c1: f64,
    c2: f64,
    z2_d2: f64,
    mass_gev: f64,
}

impl ElasticFlux {
    /// Constants of [DPT Eq. 4.7] for one nucleus and mediator mass.
    #[must_use]
    pub fn new(nucleus: &Nucleus, mass_gev: f64) -> Self {
        let a = screening_a_inv_gev(nucleus);
        let d = nuclear_d_gev2(nucleus);
        Self {
            c1: 1.0 / (a * a),
            c2: d,
            z2_d2: nucleus.z * nucleus.z * d * d,
            mass_gev,
        }
    }

    /// The flux at positron energy `E'` (GeV).
    #[must_use]
    pub fn at(&self, e_prime_gev: f64) -> f64 {
        let (t0, t1) = t_limits_gev2(self.mass_gev, e_prime_gev);
        if t1 <= t0 {
            return 0.0;
        }
        let (c1, c2) = (self.c1, self.c2);
        if t0 > HEAVY_T_MIN_OVER_SCALE * c1.max(c2) {
            return self.above_the_form_factors(t0, t1);
        }
        let delta = c2 - c1;
        let a1 = (c1 + c2 + 2.0 * t0) / (delta * delta * delta);
        let b1 = -(c1 + t0) / (delta * delta);
        let b2 = -(c2 + t0) / (delta * delta);
        let logs = (((t1 + c1) * (t0 + c2)) / ((t0 + c1) * (t1 + c2))).ln();
        let bracket = a1 * logs
            + b1 * (t1 - t0) / ((t1 + c1) * (t0 + c1))
            + b2 * (t1 - t0) / ((t1 + c2) * (t0 + c2));
        self.z2_d2 * bracket
    }

    /// The same integral [DPT Eq. 4.7] when `tmin` lies far above both scales `c1 = 1/a^2` and
    /// `c2 = d` (heavy mediators: `m^2/(2E')` above a few `sqrt(d)`), where the partial fractions
    /// cancel: their terms are each about `1/d^2` and the flux about `1/(6 tmin^2)`, so rounding
    /// grows by `12 (tmin/d)^2` (a wrong sign at `m = 90` GeV, `E' = 100` GeV on lead).
    ///
    /// In `u = tmin/t` the integrand is free of cancellation,
    /// `phi = Z^2 d^2/tmin^2 integral_{tmin/tmax}^1 du u (1 - u) / ((1 + c1 u/tmin)^2 (1 + c2 u/tmin)^2)`,
    /// a polynomial times a factor analytic in `u` whose Taylor coefficients fall as
    /// `(k + 1) (c/tmin)^k` with `c/tmin < 1/HEAVY_T_MIN_OVER_SCALE`. 16-point Gauss–Legendre is
    /// exact to degree 31, so its error is below `(c/tmin)^30` relative: 1e-30 here.
    fn above_the_form_factors(&self, t0: f64, t1: f64) -> f64 {
        let (e1, e2) = (self.c1 / t0, self.c2 / t0);
        let integrand = |u: f64| {
            let (f1, f2) = (1.0 + e1 * u, 1.0 + e2 * u);
            u * (1.0 - u) / (f1 * f1 * f2 * f2)
        };
        self.z2_d2 / (t0 * t0) * GAUSS_LEGENDRE_16.sum(integrand, t0 / t1, 1.0)
    }
}

/// Bound on the rounding of the fraction integral's closed forms (and of a Gauss–Legendre sum),
/// relative to the size of their terms before they cancel: some ten roundings per term. The logarithms of root ratios are
/// well conditioned where they are used (windows wider than their distance to the nearer root,
/// so each logarithm is at least `ln 2`).
const CLOSED_FORM_ROUNDING: f64 = 16.0 * f64::EPSILON;

/// Above `tmin = HEAVY_T_MIN_OVER_SCALE` times the larger form-factor scale the elastic flux is
/// integrated in `u = tmin/t` ([`ElasticFlux`]); below, the partial fractions lose at most a
/// factor `12 HEAVY_T_MIN_OVER_SCALE^2 = 1200` to rounding (about 1e-13).
const HEAVY_T_MIN_OVER_SCALE: f64 = 10.0;

/// [`elastic_photon_flux`] by adaptive quadrature of [DPT Eq. 4.7] in `ln t` (second method).
#[must_use]
pub fn elastic_photon_flux_quadrature(
    nucleus: &Nucleus,
    mass_gev: f64,
    e_prime_gev: f64,
) -> Estimate {
    let (t0, t1) = t_limits_gev2(mass_gev, e_prime_gev);
    if t1 <= t0 {
        return Estimate::exact(0.0);
    }
    let a2 = screening_a_inv_gev(nucleus).powi(2);
    let d = nuclear_d_gev2(nucleus);
    let z = nucleus.z;
    let integrand = |ln_t: f64| {
        let t = ln_t.exp();
        let form = z * a2 * t / ((1.0 + a2 * t) * (1.0 + t / d));
        (t - t0) / (t * t) * form * form * t
    };
    let mut breaks = vec![t0.ln()];
    for scale in [1.0 / a2, d] {
        if scale > t0 && scale < t1 {
            breaks.push(scale.ln());
        }
    }
    breaks.push(t1.ln());
    breaks.sort_by(f64::total_cmp);
    integrate(integrand, &breaks, Tolerance::relative(1e-12))
}

/// Energy-fraction integral of the on-shell cross section, in GeV^-2 per unit flux:
/// `integral dx 4 alpha^3 x(1 - x + x^2/3) / (m^2 (1-x) + m_e^2 x^2)` over `1 - x` in
/// `[y_lo, y_hi]` [DPT Eq. 4.6], so that `integral dE_A' dsigma/dE_A' = phi_N` times this.
///
/// In `y = 1 - x` the numerator is exactly `(1 - y^3)/3` and the denominator
/// `D(y) = m_e^2 y^2 + (m^2 - 2 m_e^2) y + m_e^2`. The `1/D` part has a closed form (a logarithm of
/// the root ratios for `m^2 > 8 m_e^2`, where the roots `r+ r- = 1` are far apart; below, `D` is
/// smooth on `[0, 1]` and 32-point Gauss–Legendre is exact to rounding); the small `y^3/D` part
/// has its pole part at `r+` in closed form and the rest by Gauss–Legendre
/// ([`EnergyFractionIntegral`]). The error is reported (tested against adaptive quadrature).
#[must_use]
pub fn energy_fraction_integral_gev2(mass_gev: f64, y_lo: f64, y_hi: f64) -> Estimate {
    EnergyFractionIntegral::new(mass_gev).between(y_lo, y_hi)
}

/// Spin of the radiated mediator, which fixes the kernel of the energy-fraction integral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Vector (dark photon): `x (1 - x + x^2/3) / D`, as printed in [DPT Eq. 4.6].
    Vector,
    /// Scalar: `x^3 (2 D + m_e^2 (2 - x)^2) / (12 D^2)`, in the same normalisation (lepton
    /// coupling `e eps`, same flux `phi_N`). This is the improved Weizsaecker–Williams result
    /// with the scalar amplitude factor `A_S = x^2/(1-x) + 2(m^2 - 4 m_e^2)(u x + D)/u^2` of
    /// Y.-S. Liu, D. McKeen, G. A. Miller, PRD 95 (2017) 036010, arXiv:1609.06781 (their Sec. II),
    /// integrated over `u` exactly as the vector's `A_V` gives [DPT Eq. 4.6] (dropping the vector's
    /// `m_e^2` numerator term, which the paper drops). It is the kernel of the NA64 simulation
    /// package DMG4 (arXiv:2101.12192, `DarkScalars.cc`). Derived and checked against explicit
    /// Dirac-trace amplitudes in `tools/reference/scalar_brem/`.
    Scalar,
}

/// [`energy_fraction_integral_gev2`] (vector) or its scalar analogue, with the mass-dependent
/// constants computed once.
///
/// In `y = 1 - x` the denominator is `D(y) = m_e^2 y^2 + (m^2 - 2 m_e^2) y + m_e^2`, with real
/// negative roots `r+ r- = 1` for `m^2 > 4 m_e^2`. The integrals of `1/D`, `y/D`, `1/D^2` and `y/D^2`
/// have closed forms in those roots (logarithms via `ln_1p` where the large root would cancel).
/// The remaining terms (`y^3/D`; the scalar's `(3y^2 - y^3)/D` and `y^2 P(y)/D^2`) keep the root
/// `r+` next to the window: their pole parts there are integrated in closed form and the rest,
/// whose nearest pole is `r-`, with 8-point Gauss–Legendre checked against 4 points
/// ([`Self::between`]). For `m^2 <= 8 m_e^2` the kernel is smooth on `[0, 1]` and 32-point
/// Gauss–Legendre (checked against 16) is exact to rounding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyFractionIntegral {
    kernel: Kernel,
    me2: f64,
    /// Coefficients of `D(y) = qa y^2 + qb y + qc`.
    qa: f64,
    qb: f64,
    qc: f64,
    /// Roots and `sqrt(discriminant)` when the closed form applies (`m^2 > 8 m_e^2`).
    roots: Option<(f64, f64, f64)>,
}

impl EnergyFractionIntegral {
    /// Constants for a vector mediator of mass `mass_gev` ([DPT Eq. 4.6]).
    #[must_use]
    pub fn new(mass_gev: f64) -> Self {
        Self::with_kernel(mass_gev, Kernel::Vector)
    }

    /// Constants for a mediator of mass `mass_gev` and the given kernel.
    #[must_use]
    pub fn with_kernel(mass_gev: f64, kernel: Kernel) -> Self {
        let me2 = ELECTRON_MASS_GEV * ELECTRON_MASS_GEV;
        let m2 = mass_gev * mass_gev;
        let (qa, qb, qc) = (me2, m2 - 2.0 * me2, me2);
        let roots = (m2 > 8.0 * me2).then(|| {
            let sqrt_disc = mass_gev * (m2 - 4.0 * me2).sqrt();
            let r_minus = (-qb - sqrt_disc) / (2.0 * qa);
            (1.0 / r_minus, r_minus, sqrt_disc)
        });
        Self {
            kernel,
            me2,
            qa,
            qb,
            qc,
            roots,
        }
    }

    fn denominator(&self, y: f64) -> f64 {
        (self.qa * y + self.qb) * y + self.qc
    }

    /// The kernel at `y = 1 - x` (without the `4 alpha^3` prefactor).
    #[must_use]
    pub fn kernel_at(&self, y: f64) -> f64 {
        let x = 1.0 - y;
        let d = self.denominator(y);
        match self.kernel {
            Kernel::Vector => x * (1.0 - x + x * x / 3.0) / d,
            Kernel::Scalar => {
                x * x * x * (2.0 * d + self.me2 * (2.0 - x) * (2.0 - x)) / (12.0 * d * d)
            }
        }
    }

    /// The integral of `4 alpha^3` times the kernel over `y = 1 - x` in `[y_lo, y_hi]`, in GeV^-2,
    /// with its error: that of the Gauss–Legendre parts (the difference from the rule of half
    /// the points) and a bound on the rounding of the closed forms.
    #[must_use]
    pub fn between(&self, y_lo: f64, y_hi: f64) -> Estimate {
        if y_hi <= y_lo {
            return Estimate::exact(0.0);
        }
        let prefactor = 4.0 * ALPHA * ALPHA * ALPHA;
        // Gauss–Legendre on the whole kernel, with the rounding of its sum added to the rules'
        // difference (which can vanish).
        let whole_kernel = |rule: &GaussLegendre, coarser: &GaussLegendre| {
            let sum = rule.with_error(coarser, |y| self.kernel_at(y), y_lo, y_hi);
            Estimate {
                error: sum.error + CLOSED_FORM_ROUNDING * sum.value.abs(),
                ..sum
            }
            .scaled(prefactor)
        };
        let Some((r_plus, r_minus, sqrt_disc)) = self.roots else {
            return whole_kernel(&GAUSS_LEGENDRE_32, &GAUSS_LEGENDRE_16);
        };
        // A window narrower than its distance to the nearer root `r+ < 0`: the logarithms of
        // the closed forms would cancel (rounding grows as that ratio), while the kernel is
        // analytic inside a Bernstein ellipse of parameter at least 3 + sqrt(8) = 5.8, so
        // 16-point Gauss–Legendre is exact to about 5.8^-32 (the 8-point difference bounds it).
        if y_hi - y_lo <= y_lo - r_plus {
            return whole_kernel(&GAUSS_LEGENDRE_16, &GAUSS_LEGENDRE_8);
        }
        let (a, b) = (r_plus, r_minus);
        let d = |y: f64| self.denominator(y);
        // integral 1/D = ln((y - a)/(y - b)) / Q, with Q = qa (a - b) = sqrt(discriminant)
        let inverse = (((y_hi - a) * (y_lo - b)) / ((y_lo - a) * (y_hi - b))).ln() / sqrt_disc;
        let ln_a = ((y_hi - a) / (y_lo - a)).ln();
        // The remainders below keep the root `a` (about -m_e^2/m^2) next to the window, a
        // feature of width |a| that Gauss–Legendre in y would not resolve. Their pole parts at
        // `a` are integrated in closed form (`ln_a`, and `1/(y_lo - a) - 1/(y_hi - a)` for a
        // double pole); what is left has its nearest pole at `b` (below -1/|a|), so 8 points
        // are exact to rounding on any window of the scans, and the 4-point difference bounds
        // them.
        let smooth =
            |g: &dyn Fn(f64) -> f64| GAUSS_LEGENDRE_8.with_error(&GAUSS_LEGENDRE_4, g, y_lo, y_hi);
        match self.kernel {
            // x(1 - x + x^2/3) = (1 - y^3)/3
            Kernel::Vector => {
                // y^3/D = R/(y - a) + smooth, R = a^3/Q
                let residue = a * a * a / sqrt_disc;
                let rest = smooth(&|y| y * y * y / d(y) - residue / (y - a));
                let pole = residue * ln_a;
                let size = inverse.abs() + pole.abs() + rest.value.abs();
                Estimate {
                    value: inverse - (pole + rest.value),
                    error: rest.error + CLOSED_FORM_ROUNDING * size,
                    ..rest
                }
                .scaled(prefactor / 3.0)
            }
            Kernel::Scalar => {
                // x^3/(6D) + m_e^2 x^3 (1+y)^2/(12 D^2), with x^3 = 1 - 3y + 3y^2 - y^3 and
                // x^3 (1+y)^2 = 1 - y - 2y^2 + 2y^3 + y^4 - y^5.
                let delta = a - b;
                let ln_b = (-(y_hi - y_lo) / (b - y_lo)).ln_1p(); // ln((y_hi - b)/(y_lo - b)), b << 0
                // integral y/D = (a ln(y-a) - b ln(y-b)) / Q
                let linear = (a * ln_a - b * ln_b) / sqrt_disc;
                // 1/((y-a)^2 (y-b)^2) = [1/(y-a)^2 + 1/(y-b)^2]/Delta^2 - 2[1/(y-a) - 1/(y-b)]/Delta^3
                let inv_sq = |y: f64| -(1.0 / (y - a) + 1.0 / (y - b)) / (delta * delta);
                let a2 = self.qa * self.qa;
                let inverse_squared =
                    (inv_sq(y_hi) - inv_sq(y_lo) - 2.0 * (ln_a - ln_b) / delta.powi(3)) / a2;
                let inverse_squared_size = (inv_sq(y_hi).abs()
                    + inv_sq(y_lo).abs()
                    + 2.0 * (ln_a - ln_b).abs() / delta.abs().powi(3))
                    / a2;
                // y/((y-a)^2 (y-b)^2) = 1/((y-a)(y-b)^2) + a/((y-a)^2 (y-b)^2), and
                // 1/((y-a)(y-b)^2) = [1/(y-a) - 1/(y-b)]/Delta^2 - 1/(Delta (y-b)^2).
                let mixed =
                    (ln_a - ln_b) / (delta * delta) + (1.0 / (y_hi - b) - 1.0 / (y_lo - b)) / delta;
                let linear_squared = mixed / a2 + a * inverse_squared;
                let linear_squared_size = ((ln_a - ln_b).abs() / (delta * delta)
                    + ((1.0 / (y_hi - b)).abs() + (1.0 / (y_lo - b)).abs()) / delta.abs())
                    / a2
                    + a.abs() * inverse_squared_size;
                // (3y^2 - y^3)/D = R/(y - a) + smooth, R = (3a^2 - a^3)/Q.
                let quadratic_residue = (3.0 * a * a - a * a * a) / sqrt_disc;
                let quadratic_pole = quadratic_residue * ln_a;
                let quadratic_rest =
                    smooth(&|y| (3.0 * y * y - y * y * y) / d(y) - quadratic_residue / (y - a));
                // y^2 P(y)/D^2 = g(y)/(y - a)^2 with g = y^2 P/(qa^2 (y - b)^2),
                // P = -2 + 2y + y^2 - y^3: pole parts g(a)/(y - a)^2 + g'(a)/(y - a).
                let p = |y: f64| -2.0 + 2.0 * y + y * y - y * y * y;
                let p_prime = 2.0 + 2.0 * a - 3.0 * a * a;
                let double = a * a * p(a) / (a2 * delta * delta);
                let single = (2.0 * a * p(a) + a * a * p_prime) / (a2 * delta * delta)
                    - 2.0 * a * a * p(a) / (a2 * delta.powi(3));
                let squared_pole = double * (1.0 / (y_lo - a) - 1.0 / (y_hi - a)) + single * ln_a;
                let squared_rest = smooth(&|y| {
                    let dy = y - a;
                    y * y * p(y) / (d(y) * d(y)) - double / (dy * dy) - single / dy
                });
                let first = (inverse - 3.0 * linear + quadratic_pole + quadratic_rest.value) / 6.0;
                let second = self.me2 / 12.0
                    * (inverse_squared - linear_squared + squared_pole + squared_rest.value);
                // The terms' sizes before they cancel, for the rounding of the closed forms.
                let size = (inverse.abs()
                    + 3.0 * ((a * ln_a).abs() + (b * ln_b).abs()) / sqrt_disc
                    + quadratic_pole.abs()
                    + quadratic_rest.value.abs())
                    / 6.0
                    + self.me2 / 12.0
                        * (inverse_squared_size
                            + linear_squared_size
                            + (double * (1.0 / (y_lo - a))).abs()
                            + (double * (1.0 / (y_hi - a))).abs()
                            + (single * ln_a).abs()
                            + squared_rest.value.abs());
                let rest = quadratic_rest + squared_rest;
                Estimate {
                    value: first + second,
                    error: quadratic_rest.error / 6.0
                        + self.me2 / 12.0 * squared_rest.error
                        + CLOSED_FORM_ROUNDING * size,
                    ..rest
                }
                .scaled(prefactor)
            }
        }
    }
}

/// The differential cross section [DPT Eq. 4.6] at `eps = 1`, in GeV^-3, given the summed flux
/// `phi` of the target's nuclei: `phi (4 alpha^3/E') x (1 - x + x^2/3)/(m^2 (1-x) + m_e^2 x^2)`.
#[must_use]
pub fn dsigma_de_aprime_gev3(flux: f64, mass_gev: f64, e_aprime_gev: f64, e_prime_gev: f64) -> f64 {
    let x = e_aprime_gev / e_prime_gev;
    let me2 = ELECTRON_MASS_GEV * ELECTRON_MASS_GEV;
    flux * 4.0 * ALPHA.powi(3) / e_prime_gev * x * (1.0 - x + x * x / 3.0)
        / (mass_gev * mass_gev * (1.0 - x) + me2 * x * x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::materials::CSI;
    use approx::assert_relative_eq;

    /// Closed form of Eq. 4.7 against quadrature over the masses and energies of the scans,
    /// including tmin above the nuclear scale d (m = 1 GeV) where the closed form cancels.
    #[test]
    fn flux_closed_form_matches_quadrature() {
        for nucleus in CSI.composition.iter().map(|c| &c.nucleus) {
            for (m, e) in [
                (0.001, 5.0),
                (0.0667, 4.35),
                (0.0667, 6.0),
                (0.3, 5.0),
                (1.0, 4.1),
                (1.0, 6.6),
            ] {
                let closed = elastic_photon_flux(nucleus, m, e);
                let numeric = elastic_photon_flux_quadrature(nucleus, m, e);
                assert_relative_eq!(closed, numeric.value, max_relative = 1e-9, epsilon = 0.0);
            }
        }
    }

    /// Heavy mediators on lead (NA64's positron beam: `E' = 100` GeV up to `m = 99.9` GeV),
    /// where `tmin` is up to 1e6 times the nuclear scale: the flux against quadrature in `ln t`,
    /// on both sides of the switch to `u = tmin/t`. The partial fractions alone were 1.7% off at
    /// 50 GeV and of the wrong sign at 90 GeV.
    #[test]
    fn flux_of_heavy_mediators_matches_quadrature() {
        let lead = &crate::materials::LEAD_TARGET.composition[0].nucleus;
        let d = nuclear_d_gev2(lead);
        for (m, e) in [
            (1.0, 100.0),
            (5.0, 100.0),
            (50.0, 100.0),
            (90.0, 100.0),
            (99.9, 100.0),
        ] {
            let closed = elastic_photon_flux(lead, m, e);
            let numeric = elastic_photon_flux_quadrature(lead, m, e);
            assert!(numeric.converged && closed > 0.0, "m = {m}");
            assert_relative_eq!(closed, numeric.value, max_relative = 1e-10, epsilon = 0.0);
        }
        // Either side of tmin = 10 d, both ways agree.
        let e = 100.0;
        let at_switch = (2.0 * e * (HEAVY_T_MIN_OVER_SCALE * d).sqrt()).sqrt();
        for m in [at_switch * (1.0 - 1e-9), at_switch * (1.0 + 1e-9)] {
            let numeric = elastic_photon_flux_quadrature(lead, m, e);
            assert_relative_eq!(
                elastic_photon_flux(lead, m, e),
                numeric.value,
                max_relative = 1e-10,
                epsilon = 0.0
            );
        }
    }

    /// The reported error of a fraction integral covers its gap to the reference (up to the
    /// rounding of the closed forms, 1e-12 relative), and is itself below 1e-11 relative.
    fn assert_error_bounds_the_gap(ours: Estimate, reference: Estimate, at: (f64, f64, f64)) {
        let gap = (ours.value - reference.value).abs();
        let scale = reference.value.abs();
        assert!(
            gap <= ours.error + reference.error + 1e-12 * scale,
            "at (m, y_lo, y_hi) = {at:?}: gap {:e} above the reported error {:e} (relative)",
            gap / scale,
            ours.error / scale
        );
        assert!(ours.relative_error() < 1e-11, "at {at:?}: {ours:?}");
    }

    /// The fraction integral against direct quadrature of Eq. 4.6 in x, for masses on both
    /// sides of the switch between closed form and Gauss–Legendre.
    #[test]
    fn energy_fraction_integral_matches_quadrature() {
        let me2 = ELECTRON_MASS_GEV * ELECTRON_MASS_GEV;
        for m in [0.001, 0.0014, 0.00145, 0.0015, 0.01, 0.0667, 1.0] {
            for (y_lo, y_hi) in [
                (0.0, 0.05),
                (1.2e-4, 0.05),
                (0.0, 1e-6),
                (0.01, 0.02),
                (0.0, 0.5),
            ] {
                let ours = energy_fraction_integral_gev2(m, y_lo, y_hi);
                // Eq. 4.6 with `1 - x` written as `y`: `1 - (1 - y)` would lose y's digits
                // near y = 0, where the integrand peaks.
                let integrand = |y: f64| {
                    let x = 1.0 - y;
                    4.0 * ALPHA.powi(3) * x * (y + x * x / 3.0) / (m * m * y + me2 * x * x)
                };
                let mut breaks = vec![y_lo];
                let y0 = me2 / (m * m);
                if y0 > y_lo && y0 < y_hi {
                    breaks.push(y0);
                }
                breaks.push(y_hi);
                let reference = integrate(integrand, &breaks, Tolerance::relative(1e-13));
                // The pole parts in closed form: agreement to rounding (both sides).
                assert_relative_eq!(
                    ours.value,
                    reference.value,
                    max_relative = 1e-12,
                    epsilon = 0.0
                );
                assert_error_bounds_the_gap(ours, reference, (m, y_lo, y_hi));
            }
        }
    }

    /// Eq. 4.6 integrated over E_A' equals the flux times the fraction integral.
    #[test]
    fn differential_cross_section_integrates_to_fraction_integral() {
        let (m, e_prime) = (0.0667, 5.0);
        let flux = 3.0;
        let direct = integrate(
            |e_a| dsigma_de_aprime_gev3(flux, m, e_a, e_prime),
            &[0.95 * e_prime, e_prime * (1.0 - 1e-4), e_prime],
            Tolerance::relative(1e-12),
        );
        let via_fraction = flux * energy_fraction_integral_gev2(m, 0.0, 0.05).value;
        assert_relative_eq!(
            direct.value,
            via_fraction,
            max_relative = 1e-10,
            epsilon = 0.0
        );
    }

    /// The scalar kernel's closed forms against adaptive quadrature of the kernel itself.
    #[test]
    fn scalar_fraction_integral_matches_quadrature() {
        let me2 = ELECTRON_MASS_GEV * ELECTRON_MASS_GEV;
        for m in [0.001, 0.0015, 0.005, 0.0667, 0.3, 1.0] {
            let fraction = EnergyFractionIntegral::with_kernel(m, Kernel::Scalar);
            for (y_lo, y_hi) in [
                (0.0, 0.05),
                (1.2e-4, 0.05),
                (0.0, 1e-6),
                (0.01, 0.02),
                (0.0, 0.5),
            ] {
                let mut breaks = vec![y_lo];
                let y0 = me2 / (m * m);
                for p in [y0, 10.0 * y0] {
                    if p > y_lo && p < y_hi {
                        breaks.push(p);
                    }
                }
                breaks.push(y_hi);
                let reference = integrate(
                    |y| 4.0 * ALPHA.powi(3) * fraction.kernel_at(y),
                    &breaks,
                    Tolerance::relative(1e-13),
                );
                let ours = fraction.between(y_lo, y_hi);
                assert_relative_eq!(
                    ours.value,
                    reference.value,
                    max_relative = 1e-12,
                    epsilon = 0.0
                );
                assert_error_bounds_the_gap(ours, reference, (m, y_lo, y_hi));
            }
        }
    }

    /// Limits of the scalar/vector kernel ratio: `1/2` as `x -> 1` for `m >> m_e` (the scalar
    /// and vector collinear splitting functions at equal coupling), and `x^2/6` as `x -> 0`.
    #[test]
    fn scalar_to_vector_kernel_limits() {
        let m = 0.3;
        let scalar = EnergyFractionIntegral::with_kernel(m, Kernel::Scalar);
        let vector = EnergyFractionIntegral::new(m);
        // At x = 0.99, D = m^2 (1-x) dominates and the ratio is x^2/(6(1-x+x^2/3)) up to terms of
        // relative order m_e^2/(m^2 (1-x)) = 3e-4.
        let x: f64 = 0.99;
        assert_relative_eq!(
            scalar.kernel_at(1.0 - x) / vector.kernel_at(1.0 - x),
            x * x / (6.0 * (1.0 - x + x * x / 3.0)),
            max_relative = 1e-3,
            epsilon = 0.0
        );
        let x: f64 = 1e-3;
        assert_relative_eq!(
            scalar.kernel_at(1.0 - x) / vector.kernel_at(1.0 - x),
            x * x / 6.0,
            max_relative = 1e-2,
            epsilon = 0.0
        );
    }
}
