//! Photons that carry most of the incident energy out of the back of the target.

use crate::numerics::divided_difference::exp_divided_difference;
use crate::numerics::quadrature::{Estimate, Tolerance, integrate_to_cusp};
use crate::showers::track_length::{B1, B2};

/// Photon spectrum at depth `t` (radiation lengths) per incident electron or positron, as a
/// function of the energy fraction `x` [DPT Eq. 3.1]:
/// `dN/dx = (1/x) ((1-x)^(b1 t) - e^(-b2 t)) / (b2 + b1 ln(1-x))`.
///
/// Written as `(t/x) exp[a t, -b2 t]` with `a = b1 ln(1-x)` (a first divided difference of the
/// exponential), so the removable 0/0 at `1 - x = e^(-7/12)` is exact. Takes `1 - x` to keep
/// precision as `x -> 1`, where the spectrum falls like `1/|ln(1-x)|`.
#[must_use]
pub fn photon_spectrum(depth_x0: f64, one_minus_x: f64) -> f64 {
    let x = 1.0 - one_minus_x;
    let a = B1 * one_minus_x.ln();
    depth_x0 / x * exp_divided_difference(&[a * depth_x0, -B2 * depth_x0])
}

/// Probability that a photon with energy fraction above `x_min` leaves a target of
/// `thickness_x0` radiation lengths: `integral_{x_min}^1 dN/dx(T, x) dx` [DPT Eq. 3.2]
/// (about 4.7e-8 for `x_min = 0.95`, `T = 16`).
///
/// The `1/ln` cusp at `x = 1` is integrated exactly with [`integrate_to_cusp`].
#[must_use]
pub fn punch_through_probability(thickness_x0: f64, x_min: f64) -> Estimate {
    integrate_to_cusp(
        |d| photon_spectrum(thickness_x0, d),
        1.0 - x_min,
        Tolerance::relative(1e-10),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::tanh_sinh;
    use approx::assert_relative_eq;

    /// [DPT Eq. 3.2]: "about 4.7e-8", two figures, so inside the rounding interval
    /// [4.65e-8, 4.75e-8]; and the independent high-precision value of
    /// tools/reference/dpt_reference.json, P(t = 16) = 4.747200371858e-8 (its two methods agree
    /// to 2e-15), to our integration tolerance.
    #[test]
    fn belle2_punch_through_matches_paper() {
        let p = punch_through_probability(16.0, 0.95);
        assert!(p.converged);
        assert!((4.65e-8..=4.75e-8).contains(&p.value), "{}", p.value);
        assert_relative_eq!(
            p.value,
            4.747_200_371_858e-8,
            max_relative = 1e-9,
            epsilon = 0.0
        );
    }

    /// Second method: the printed formula of Eq. 3.1 integrated by tanh-sinh with complement
    /// nodes, at a depth where the removable point lies inside the range.
    #[test]
    fn punch_through_matches_printed_formula_by_tanh_sinh() {
        for (t, x_min) in [(16.0, 0.95), (1.0, 0.3), (5.0, 0.5)] {
            let printed = |x: f64, d: f64| {
                (1.0 / x) * (d.powf(B1 * t) - (-B2 * t).exp()) / (B2 + B1 * d.ln())
            };
            let reference = tanh_sinh(|x, _, d_b| printed(x, d_b), x_min, 1.0, 1e-12);
            let ours = punch_through_probability(t, x_min);
            assert_relative_eq!(
                ours.value,
                reference.value,
                max_relative = 1e-8,
                epsilon = 0.0
            );
        }
    }

    /// The removable point itself: at `1 - x = e^(-b2/b1)` the limit is `(t/x) e^(-b2 t)`.
    #[test]
    fn removable_point_limit() {
        let d = (-B2 / B1).exp();
        let t = 3.0;
        assert_relative_eq!(
            photon_spectrum(t, d),
            t / (1.0 - d) * (-B2 * t).exp(),
            max_relative = 1e-13,
            epsilon = 0.0
        );
    }
}
