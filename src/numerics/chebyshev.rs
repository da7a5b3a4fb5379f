//! Chebyshev–Lobatto points, barycentric interpolation through them, and integrals of functions
//! with square-root onsets at known points.
//!
//! Interpolation at the `n` Chebyshev–Lobatto points converges geometrically for a function
//! analytic on the interval (Trefethen, "Approximation Theory and Approximation Practice", SIAM
//! 2013, ch. 8); the barycentric formula evaluates it stably (Berrut and Trefethen, SIAM Review
//! 46, 2004). Unlike a piecewise cubic, the interpolant is smooth everywhere, so adaptive
//! quadrature of products with it converges as for the function itself.

use super::quadrature::{Estimate, Tolerance, integrate};

/// Chebyshev–Lobatto points `cos(pi j/(n-1))` mapped to `[a, b]`, ascending.
#[must_use]
pub fn lobatto(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|j| {
            let t = -(std::f64::consts::PI * j as f64 / (n - 1) as f64).cos();
            0.5 * (a + b) + 0.5 * (b - a) * t
        })
        .collect()
}

/// Barycentric weights of Chebyshev–Lobatto points: `(-1)^j`, halved at the ends (Berrut &
/// Trefethen, "Barycentric Lagrange interpolation", SIAM Review 46, 2004, Eq. 5.4).
#[must_use]
pub fn barycentric(n: usize) -> Vec<f64> {
    (0..n)
        .map(|j| {
            let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
            if j == 0 || j + 1 == n {
                0.5 * sign
            } else {
                sign
            }
        })
        .collect()
}

/// A function interpolated at Chebyshev–Lobatto points of `[a, b]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChebyshevInterpolant {
    nodes: Vec<f64>,
    values: Vec<f64>,
    bary: Vec<f64>,
}

impl ChebyshevInterpolant {
    /// Interpolates `f` on `[a, b]` with `2^k + 1` points, `k` growing from 4 until the
    /// interpolant of the previous level agrees with `f` at the new points within `tolerance`
    /// of the largest value (at most `2^max_levels + 1` points). Returns the interpolant built on
    /// all the points and that agreement, an error bound for the coarser one (the finer is
    /// better for a smooth function).
    pub fn adaptive<F: FnMut(f64) -> f64>(
        mut f: F,
        (a, b): (f64, f64),
        tolerance: f64,
        max_levels: u32,
    ) -> (Self, f64) {
        let mut levels = 4;
        let mut current =
            Self::from_values(a, b, lobatto(a, b, 17).into_iter().map(&mut f).collect());
        loop {
            let n = (1usize << (levels + 1)) + 1;
            let nodes = lobatto(a, b, n);
            // The even points are the previous level's.
            let values: Vec<f64> = nodes
                .iter()
                .enumerate()
                .map(|(j, &x)| {
                    if j % 2 == 0 {
                        current.values[j / 2]
                    } else {
                        f(x)
                    }
                })
                .collect();
            let difference = nodes
                .iter()
                .zip(&values)
                .skip(1)
                .step_by(2)
                .map(|(&x, &v)| (current.eval(x) - v).abs())
                .fold(0.0, f64::max);
            let largest = values.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
            let finer = Self::from_values(a, b, values);
            if difference <= tolerance * largest || levels + 1 >= max_levels {
                return (finer, difference);
            }
            current = finer;
            levels += 1;
        }
    }

    /// The interpolant through `values` at the Chebyshev–Lobatto points of `[a, b]`.
    ///
    /// # Panics
    /// With fewer than two values.
    #[must_use]
    pub fn from_values(a: f64, b: f64, values: Vec<f64>) -> Self {
        assert!(values.len() >= 2, "an interpolant needs two points");
        let n = values.len();
        Self {
            nodes: lobatto(a, b, n),
            values,
            bary: barycentric(n),
        }
    }

    /// The values at the points.
    #[must_use]
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The interpolant at `x` (extrapolated outside `[a, b]`; callers stay inside).
    #[must_use]
    pub fn eval(&self, x: f64) -> f64 {
        let (mut numerator, mut denominator) = (0.0, 0.0);
        for ((&xj, &fj), &wj) in self.nodes.iter().zip(&self.values).zip(&self.bary) {
            let d = x - xj;
            if d == 0.0 {
                return fj;
            }
            let c = wj / d;
            numerator += c * fj;
            denominator += c;
        }
        numerator / denominator
    }
}

/// `integral f` over `[breaks[0], breaks[last]]` when `f` may have a square-root onset
/// `sqrt(|x - x_k|)` at every break: each panel is halved and each half integrated in `t` with
/// `x = x_k + (middle - x_k) t^2`, in which such an onset is smooth (and a smooth `f` stays
/// smooth).
pub fn integrate_with_square_roots<F: FnMut(f64) -> f64>(
    mut f: F,
    breaks: &[f64],
    tol: Tolerance,
) -> Estimate {
    let mut total = Estimate::exact(0.0);
    for pair in breaks.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b <= a {
            continue;
        }
        let middle = 0.5 * (a + b);
        for (end, sign) in [(a, 1.0), (b, -1.0)] {
            let d = middle - end;
            total = total
                + integrate(|t: f64| f(end + d * t * t) * 2.0 * d * t, &[0.0, 1.0], tol)
                    .scaled(sign);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed forms: `exp` interpolated to 1e-14; `integral_0^1 sqrt(x) + sqrt(1 - x)` = 4/3
    /// and a kink inside, `integral_0^2 sqrt|x - 1|` = 4/3, to 1e-12.
    #[test]
    fn interpolation_and_square_root_integrals_match_closed_forms() {
        let (p, bound) = ChebyshevInterpolant::adaptive(f64::exp, (0.0, 2.0), 1e-14, 8);
        for k in 0..=50 {
            let x = 2.0 * f64::from(k) / 50.0 + 1e-3;
            assert!((p.eval(x) - x.exp()).abs() < 1e-13 * x.exp());
        }
        assert!(bound < 1e-13);
        let tol = Tolerance::relative(1e-13);
        let ends =
            integrate_with_square_roots(|x| x.sqrt() + (1.0 - x).max(0.0).sqrt(), &[0.0, 1.0], tol);
        assert!((ends.value - 4.0 / 3.0).abs() < 1e-12);
        let inside =
            integrate_with_square_roots(|x: f64| (x - 1.0).abs().sqrt(), &[0.0, 1.0, 2.0], tol);
        assert!((inside.value - 4.0 / 3.0).abs() < 1e-12);
        assert!(ends.converged && inside.converged && inside.evaluations < 200);
    }
}
