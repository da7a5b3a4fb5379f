//! Product integration against a fixed weight: `integral_a^b w(x) g(x) dx` for a known weight
//! `w` and a smooth `g` sampled at few points.
//!
//! `g` is interpolated at the `n = 2^k + 1` Chebyshev–Lobatto points and the interpolant is
//! integrated exactly against `w`: the weights `W_j = integral w(x) l_j(x) dx` of the Lagrange
//! basis are computed once (adaptive quadrature). The points of the `(n+1)/2` rule are a subset,
//! so the same samples give a second, coarser estimate, and their difference is the error
//! estimate (as in nested Clenshaw–Curtis quadrature; Trefethen, "Is Gauss quadrature better
//! than Clenshaw–Curtis?", SIAM Review 50, 2008). The cost per use is `n` samples of `g`
//! however sharp `w` is.

use crate::numerics::chebyshev::{barycentric, integrate_with_square_roots, lobatto};
use crate::numerics::quadrature::{Estimate, Tolerance, integrate};

/// A product rule on `[a, b]` for one weight function.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRule {
    nodes: Vec<f64>,
    fine: Vec<f64>,
    coarse: Vec<f64>,
}

/// `l_j(x)` of the Lagrange basis through `nodes` (barycentric form).
fn lagrange(nodes: &[f64], bary: &[f64], j: usize, x: f64) -> f64 {
    if let Some(k) = nodes.iter().position(|&xk| xk == x) {
        return if k == j { 1.0 } else { 0.0 };
    }
    let denominator: f64 = nodes.iter().zip(bary).map(|(&xk, &bk)| bk / (x - xk)).sum();
    bary[j] / (x - nodes[j]) / denominator
}

fn weights<W: Fn(f64) -> f64>(
    weight: &W,
    nodes: &[f64],
    (breaks, square_roots): (&[f64], bool),
    tol: Tolerance,
) -> Vec<f64> {
    let bary = barycentric(nodes.len());
    (0..nodes.len())
        .map(|j| {
            let integrand = |x| weight(x) * lagrange(nodes, &bary, j, x);
            if square_roots {
                integrate_with_square_roots(integrand, breaks, tol).value
            } else {
                integrate(integrand, breaks, tol).value
            }
        })
        .collect()
}

impl ProductRule {
    /// Builds the rule with `2^levels + 1` points for `weight` on `[a, b]` (`breaks` are extra
    /// break points of the weight; with `square_roots` the weight may have square-root onsets
    /// there and at `a` and `b`, [`integrate_with_square_roots`]).
    ///
    /// # Panics
    /// If `levels` is 0.
    #[must_use]
    pub fn new<W: Fn(f64) -> f64>(
        weight: W,
        (a, b): (f64, f64),
        levels: u32,
        (breaks, square_roots): (&[f64], bool),
    ) -> Self {
        assert!(levels >= 1, "at least 3 points");
        let n = (1usize << levels) + 1;
        let nodes = lobatto(a, b, n);
        let mut all_breaks = vec![a];
        all_breaks.extend(breaks.iter().copied().filter(|&x| x > a && x < b));
        all_breaks.push(b);
        // Square-root onsets are located to rounding, which the onset turns into about 1e-8:
        // their weights are asked for 1e-11.
        let tol = Tolerance::relative(if square_roots { 1e-11 } else { 1e-13 });
        let fine = weights(&weight, &nodes, (&all_breaks, square_roots), tol);
        let coarse_nodes: Vec<f64> = nodes.iter().step_by(2).copied().collect();
        let coarse = weights(&weight, &coarse_nodes, (&all_breaks, square_roots), tol);
        Self {
            nodes,
            fine,
            coarse,
        }
    }

    /// The sample points.
    #[must_use]
    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }

    /// `integral w g` from samples `g(nodes[j])`; the error estimate is the difference to the
    /// coarse rule on every other sample.
    #[must_use]
    pub fn apply(&self, samples: &[f64]) -> Estimate {
        let fine: f64 = self.fine.iter().zip(samples).map(|(w, g)| w * g).sum();
        let coarse: f64 = self
            .coarse
            .iter()
            .zip(samples.iter().step_by(2))
            .map(|(w, g)| w * g)
            .sum();
        let finite = samples.iter().all(|g| g.is_finite());
        Estimate {
            value: fine,
            error: (fine - coarse).abs(),
            evaluations: samples.len(),
            converged: finite,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Against a weight with a nearby pole (like the Bhabha t-channel peak) and a smooth
    /// factor: the exact value of `integral_0^1 exp(x)/(x + 0.1) dx` by adaptive quadrature.
    #[test]
    fn integrates_smooth_factor_against_peaked_weight() {
        let weight = |x: f64| 1.0 / (x + 0.1);
        let rule = ProductRule::new(weight, (0.0, 1.0), 4, (&[], false));
        let samples: Vec<f64> = rule.nodes().iter().map(|x| x.exp()).collect();
        let estimate = rule.apply(&samples);
        let exact = integrate(
            |x| x.exp() / (x + 0.1),
            &[0.0, 1.0],
            Tolerance::relative(1e-14),
        )
        .value;
        assert_relative_eq!(estimate.value, exact, max_relative = 1e-12, epsilon = 0.0);
        assert!(estimate.error < 1e-6 * exact, "{estimate:?}");
    }

    /// Polynomials up to degree 16 are integrated exactly against any weight.
    #[test]
    fn exact_for_polynomials() {
        let rule = ProductRule::new(|x: f64| x.sqrt(), (0.0, 2.0), 4, (&[], false));
        let samples: Vec<f64> = rule.nodes().iter().map(|x| x.powi(16)).collect();
        // integral_0^2 x^16.5 dx = 2^17.5 / 17.5
        assert_relative_eq!(
            rule.apply(&samples).value,
            2f64.powf(17.5) / 17.5,
            max_relative = 1e-11,
            epsilon = 0.0
        );
    }
}
